//! The 4 KiB random-read driver shared by every in-process system (W1, W1b, W2, W3,
//! W7): where each read goes, when to stop, latency and allocation counting.
//!
//! A system supplies `depth` [`ReadAt`] workers (each with its own buffer); the driver
//! runs them as concurrent futures on one executor thread (see [`crate::exec`]) or,
//! for blocking systems, one after another in a loop ([`Driver::run_sync`]).
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io;
use std::time::{Duration, Instant};

use super::BLOCK;
use crate::data::Rng;
use crate::record::Measure;
use crate::stats::Histogram;
use crate::sys::alloc::AllocWindow;

/// How offsets are drawn and when a case ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Uniformly random blocks (with replacement) until the time is up.
    Timed(Duration),
    /// Blocks in a random order without repeats (so on a dropped cache every read
    /// misses), until every block was read once or the time is up.
    OnePass(Duration),
}

/// The shape of a random-read workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// Reads in flight.
    pub depth: usize,
    /// Open with `O_DIRECT`.
    pub direct: bool,
    /// Offsets and end.
    pub pattern: Pattern,
    /// Run a ticker task beside (W7).
    pub ticker: bool,
}

/// One worker's way to read [`BLOCK`] bytes at an offset into its own buffer.
pub trait ReadAt {
    /// Reads one block at `offset`; returns the byte count.
    fn read_at(&mut self, offset: u64) -> impl Future<Output = io::Result<usize>>;
}

enum Offsets {
    Timed {
        rng: RefCell<Rng>,
        length: Duration,
        deadline: Cell<Instant>,
    },
    Pass {
        order: Vec<u32>,
        next: Cell<usize>,
        length: Duration,
        deadline: Cell<Instant>,
    },
}

/// Draws offsets, records latencies, counts operations and allocations.
pub struct Driver {
    offsets: Offsets,
    blocks: u64,
    hist: RefCell<Histogram>,
    ops: Cell<u64>,
    warmup_ops: u64,
    window: RefCell<AllocWindow>,
    started: Cell<Instant>,
    last_done: Cell<Instant>,
}

impl Driver {
    /// A driver over a file of `file_size` bytes (the permutation of a one-pass case is
    /// drawn here); the clock starts now and again at [`begin`](Driver::begin).
    pub fn new(spec: &Spec, file_size: u64, seed: u64) -> Self {
        let blocks = file_size / BLOCK as u64;
        let mut rng = Rng::new(seed);
        let offsets = match spec.pattern {
            Pattern::Timed(length) => Offsets::Timed {
                rng: RefCell::new(rng),
                length,
                deadline: Cell::new(Instant::now() + length),
            },
            Pattern::OnePass(length) => {
                let mut order: Vec<u32> = (0..blocks as u32).collect();
                for i in (1..order.len()).rev() {
                    order.swap(i, rng.below(i as u64 + 1) as usize);
                }
                Offsets::Pass {
                    order,
                    next: Cell::new(0),
                    length,
                    deadline: Cell::new(Instant::now() + length),
                }
            }
        };
        let now = Instant::now();
        Driver {
            offsets,
            blocks,
            hist: RefCell::new(Histogram::new()),
            ops: Cell::new(0),
            warmup_ops: (blocks / 16).clamp(256, 20_000),
            window: RefCell::new(AllocWindow::default()),
            started: Cell::new(now),
            last_done: Cell::new(now),
        }
    }

    /// Restarts the clock (call right before the workers start).
    pub fn begin(&self) {
        let now = Instant::now();
        self.started.set(now);
        self.last_done.set(now);
        let (Offsets::Timed {
            length, deadline, ..
        }
        | Offsets::Pass {
            length, deadline, ..
        }) = &self.offsets;
        deadline.set(now + *length);
    }

    /// The next offset, or `None` when the case is over.
    fn next(&self, now: Instant) -> Option<u64> {
        let block = match &self.offsets {
            Offsets::Timed { rng, deadline, .. } => {
                if now >= deadline.get() {
                    self.window.borrow_mut().end(self.ops.get());
                    return None;
                }
                rng.borrow_mut().below(self.blocks)
            }
            Offsets::Pass {
                order,
                next,
                deadline,
                ..
            } => {
                let i = next.get();
                let block = order.get(i).filter(|_| now < deadline.get());
                let Some(&b) = block else {
                    self.window.borrow_mut().end(self.ops.get());
                    return None;
                };
                next.set(i + 1);
                b as u64
            }
        };
        Some(block * BLOCK as u64)
    }

    fn done(&self, began: Instant, n: usize) -> io::Result<Instant> {
        if n != BLOCK {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("short read: {n} of {BLOCK} bytes"),
            ));
        }
        let now = Instant::now();
        self.hist.borrow_mut().record(now - began);
        let ops = self.ops.get() + 1;
        self.ops.set(ops);
        if ops == self.warmup_ops {
            self.window.borrow_mut().start(ops);
        }
        self.last_done.set(now);
        Ok(now)
    }

    /// One concurrent worker: reads until the case is over.
    ///
    /// # Errors
    /// The first failed or short read.
    pub async fn worker<R: ReadAt>(&self, mut reader: R) -> io::Result<()> {
        let mut now = Instant::now();
        while let Some(offset) = self.next(now) {
            let n = reader.read_at(offset).await?;
            now = self.done(now, n)?;
        }
        Ok(())
    }

    /// A blocking loop, one read at a time (std-sync).
    ///
    /// # Errors
    /// The first failed or short read.
    pub fn run_sync(&self, mut read_at: impl FnMut(u64) -> io::Result<usize>) -> io::Result<()> {
        let mut now = Instant::now();
        while let Some(offset) = self.next(now) {
            let n = read_at(offset)?;
            now = self.done(now, n)?;
        }
        Ok(())
    }

    /// The figures: throughput over the time from start to the last completion.
    pub fn finish(self, backend: impl Into<String>) -> Measure {
        let secs = (self.last_done.get() - self.started.get())
            .as_secs_f64()
            .max(1e-9);
        let ops = self.ops.get() as f64;
        let hist = self.hist.borrow();
        Measure {
            backend: Some(backend.into()),
            ops_per_sec: Some(ops / secs),
            bytes_per_sec: Some(ops * BLOCK as f64 / secs),
            p50_us: hist.quantile_us(0.50),
            p99_us: hist.quantile_us(0.99),
            allocs_per_op: self.window.borrow().per_op(),
            ..Measure::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    struct Fake;
    impl ReadAt for Fake {
        async fn read_at(&mut self, _offset: u64) -> io::Result<usize> {
            Ok(BLOCK)
        }
    }

    #[test]
    fn one_pass_reads_every_block_once() {
        let spec = Spec {
            depth: 4,
            direct: false,
            pattern: Pattern::OnePass(Duration::from_secs(60)),
            ticker: false,
        };
        let d = Driver::new(&spec, 1000 * BLOCK as u64, 7);
        let mut seen = HashSet::new();
        d.run_sync(|off| {
            assert_eq!(off % BLOCK as u64, 0);
            assert!(seen.insert(off), "offset {off} twice");
            Ok(BLOCK)
        })
        .unwrap();
        assert_eq!(seen.len(), 1000);
        let m = d.finish("test");
        assert!(m.ops_per_sec.unwrap() > 0.0 && m.p50_us.is_some());
    }

    #[test]
    fn timed_workers_stop_and_short_reads_fail() {
        let spec = Spec {
            depth: 2,
            direct: false,
            pattern: Pattern::Timed(Duration::from_millis(20)),
            ticker: false,
        };
        let d = Driver::new(&spec, 64 * BLOCK as u64, 1);
        futures::executor::block_on(async {
            futures::future::try_join(d.worker(Fake), d.worker(Fake)).await
        })
        .unwrap();
        assert!(d.ops.get() > 0);
        let short = Driver::new(&spec, 64 * BLOCK as u64, 1);
        assert!(short.run_sync(|_| Ok(10)).is_err());
    }
}
