//! Cached reads answered on the spot: `preadv2(RWF_NOWAIT)` in the submitting thread,
//! shared by every OS reactor (threads, io_uring, kernel AIO).
//!
//! A page-cache hit costs one syscall (about the cost of a plain `pread`) and no
//! cross-thread hand-off; a miss returns `EAGAIN` without waiting for the device and
//! the caller sends the read on its asynchronous path. Misses are not free (the kernel
//! may start readahead before answering), so each file carries a [`NowaitGate`] that
//! backs off after misses: an uncached random-read workload tries inline about once
//! in 256 reads, a cached one every time.
//!
//! Hits are not always free either. `RWF_NOWAIT` keeps the kernel from waiting for the
//! *requested* pages, but a cached page carrying a readahead mark still makes it start
//! the next readahead, and submitting that I/O can sleep until the device has a free
//! request tag. Seen here (`perf sched timehist`) during benchmark W7: 81 inline hits
//! over 1 ms in one 5 s run, the longest 13.6 ms, all in `blk_mq_get_tag` under
//! `filemap_readahead`, each one an executor stall. `POSIX_FADV_RANDOM` on the
//! descriptor does not stop it (measured with `cachestat`). So a hit that took far
//! longer than a copy of its bytes ([`SLOW_HIT`]), or a miss that took that long (a
//! miss starts readahead the same way), on a file that missed lately, shuts the gate
//! for the next [`SLOW_SKIP`] reads: they go on the asynchronous path, where such a
//! wait blocks a worker or the driver instead of the caller. A slow read of a file
//! that has not missed lately was preempted, not waiting: see
//! [`NowaitGate::record_slow`].
//!
//! Nor is a miss always refused. The readahead an `RWF_NOWAIT` miss starts can finish
//! before the kernel looks at the pages again, and the read then returns the data.
//! Measured on the development VM (virtio disk, `read_ahead_kb` 8192): 64 KiB reads of a
//! freshly evicted file (`fincore`: 0 pages) came back with the data in 7-10 of 30 tries,
//! after 0.3-1.3 ms, the thread never sleeping (`sched_switch` shows no D state in
//! `preadv2`); the rest were `EAGAIN`. Such a read counts as a hit unless it passed
//! [`SLOW_HIT`]. Tests that need a miss therefore retry with a fresh eviction.
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::Relaxed};
use std::time::{Duration, Instant};

use aiofile_core::{Completion, IoBufMut, Op, OpKind};

use crate::file::FileHandle;
use crate::sys::{self, Nowait};

/// Longest back-off after consecutive misses, in skipped reads.
const MAX_BACKOFF: u32 = 256;

/// An inline read slower than this plus 1 ns per byte read (a 1 GB/s copy: a cached
/// 4 KiB read takes 1-3 µs here, a cached 1 MiB read about 100 µs) waited for something.
/// The readahead waits seen took 1-13.6 ms; a 100 µs bound was measured to catch VM
/// pauses too often (W1 at depth 32: 258-485k reads/s against 539k).
pub const SLOW_HIT: Duration = Duration::from_millis(1);

/// Reads that skip the inline attempt after a slow hit (at 50k reads/s, about 80 ms).
pub const SLOW_SKIP: u32 = 4096;

/// Whether a hit of `bytes` that took `took` waited for something.
fn slow(took: Duration, bytes: usize) -> bool {
    took > SLOW_HIT + Duration::from_nanos(bytes as u64)
}

/// Set once the kernel says it has no `preadv2`: nobody tries again.
static UNSUPPORTED: AtomicBool = AtomicBool::new(false);

/// Per-file memory of how inline reads went, deciding whether to try the next one.
///
/// After a miss the next `b` reads skip the attempt, `b` doubling with each further
/// miss (1, 2, 4, ... 256); a hit resets it. Racy by design (relaxed atomics): it is a
/// heuristic, never a correctness matter.
///
/// ```
/// use aiofile_reactor_threads::NowaitGate;
/// let gate = NowaitGate::new();
/// assert!(gate.should_try());
/// gate.record(false);          // a miss: skip the next read
/// assert!(!gate.should_try());
/// assert!(gate.should_try());
/// gate.record(true);           // a hit: always try again
/// assert!(gate.should_try() && gate.should_try());
/// ```
#[derive(Debug, Default)]
pub struct NowaitGate {
    skip: AtomicU32,
    backoff: AtomicU32,
    /// Counts down from [`MISS_MEMORY`] at each hit after a miss: non-zero while the
    /// file has missed lately.
    missed: AtomicU32,
}

/// Inline hits after which a file's last miss is forgotten by [`NowaitGate::record_slow`].
pub const MISS_MEMORY: u32 = 1 << 16;

impl NowaitGate {
    /// A gate that tries every read.
    pub const fn new() -> Self {
        Self {
            skip: AtomicU32::new(0),
            backoff: AtomicU32::new(0),
            missed: AtomicU32::new(0),
        }
    }

    /// Whether the next read should be tried inline (consumes one skip if not).
    pub fn should_try(&self) -> bool {
        match self.skip.load(Relaxed) {
            0 => true,
            n => {
                self.skip.store(n - 1, Relaxed);
                false
            }
        }
    }

    /// Records an attempt that took longer than [`SLOW_HIT`] allows. On a file that
    /// missed within its last [`MISS_MEMORY`] hits, that is a readahead waiting for the
    /// device: the next [`SLOW_SKIP`] reads skip the attempt (such waits come in bursts
    /// and each one stalls the caller for milliseconds). On a file that has not missed
    /// lately there is no readahead to wait for: the thread was preempted (a VM's vCPU
    /// paused, a busy core), and it counts as a hit. (Shutting the gate there too was
    /// measured: a fully cached file read at depth 1 fell from 510k to 22-29k reads/s,
    /// one pause every few thousand reads being enough.)
    ///
    /// ```
    /// use aiofile_reactor_threads::{NowaitGate, SLOW_SKIP};
    /// let gate = NowaitGate::new();
    /// gate.record_slow();          // no miss yet: preemption, still open
    /// assert!(gate.should_try());
    /// gate.record(false);          // a miss, then a slow read: shut
    /// gate.record_slow();
    /// assert!((0..SLOW_SKIP).all(|_| !gate.should_try()));
    /// assert!(gate.should_try());
    /// ```
    pub fn record_slow(&self) {
        if self.missed.load(Relaxed) == 0 {
            return self.record(true);
        }
        self.backoff.store(MAX_BACKOFF, Relaxed);
        self.skip.store(SLOW_SKIP, Relaxed);
    }

    /// Records an attempt's outcome: `hit` when the data was cached.
    pub fn record(&self, hit: bool) {
        if hit {
            if self.backoff.load(Relaxed) != 0 {
                self.backoff.store(0, Relaxed);
            }
            let missed = self.missed.load(Relaxed);
            if missed != 0 {
                self.missed.store(missed - 1, Relaxed);
            }
            return;
        }
        self.missed.store(MISS_MEMORY, Relaxed);
        let b = (self.backoff.load(Relaxed) * 2).clamp(1, MAX_BACKOFF);
        self.backoff.store(b, Relaxed);
        self.skip.store(b, Relaxed);
    }
}

/// What an inline attempt at an op came to ([`try_read_inline`]).
#[derive(Debug)]
pub enum Inline<B: IoBufMut> {
    /// The data was cached (or the read failed for good): the op's completion.
    Done(Completion<B>),
    /// Tried, and the data was not cached: the op back for the asynchronous path.
    Missed(Op<B>),
    /// A candidate, not tried: the file's [`NowaitGate`] is backing off.
    Skipped(Op<B>),
    /// Never tried: not a buffered read (O_DIRECT reads wait for the device even with
    /// `RWF_NOWAIT`), or the kernel has no `preadv2`.
    NotCandidate(Op<B>),
}

impl<B: IoBufMut> Inline<B> {
    /// The completion, or the op back for the asynchronous path (whatever the reason).
    ///
    /// ```
    /// use aiofile_core::Op;
    /// use aiofile_reactor_threads::Inline;
    /// let op = Op::read(Vec::with_capacity(8), 0, 8).unwrap();
    /// assert!(Inline::Skipped(op).into_result().is_err());
    /// ```
    pub fn into_result(self) -> Result<Completion<B>, Op<B>> {
        match self {
            Inline::Done(done) => Ok(done),
            Inline::Missed(op) | Inline::Skipped(op) | Inline::NotCandidate(op) => Err(op),
        }
    }
}

/// Tries `op` on the spot with `preadv2(RWF_NOWAIT)` when it is a buffered read and
/// the file's [`NowaitGate`] is open, updating the gate with how it went. Every OS
/// reactor calls this first in `try_submit`.
///
/// ```
/// use aiofile_core::Op;
/// use aiofile_reactor_threads::{try_read_inline, FileHandle, Inline};
/// let path = std::env::temp_dir().join(format!("read-inline-{}", std::process::id()));
/// std::fs::write(&path, b"just written, so cached").unwrap();
/// let file = FileHandle::new(std::fs::File::open(&path).unwrap().into()).unwrap();
/// let Inline::Done(done) = try_read_inline(&file, Op::read(Vec::with_capacity(64), 0, 64).unwrap())
/// else {
///     panic!("a cached read completes inline");
/// };
/// assert_eq!(done.buf.unwrap(), b"just written, so cached");
/// let write = Op::write(b"x".to_vec(), 0, 0).unwrap();
/// assert!(matches!(try_read_inline(&file, write), Inline::NotCandidate(_)));
/// # std::fs::remove_file(&path).unwrap();
/// ```
pub fn try_read_inline<B: IoBufMut>(file: &FileHandle, op: Op<B>) -> Inline<B> {
    if op.kind() != OpKind::Read || file.is_direct() || UNSUPPORTED.load(Relaxed) {
        return Inline::NotCandidate(op);
    }
    if !file.nowait_gate().should_try() {
        return Inline::Skipped(op);
    }
    read_nowait(file, op)
}

/// The attempt itself, timed: a slow one shuts the gate ([`NowaitGate::record_slow`]).
fn read_nowait<B: IoBufMut>(file: &FileHandle, op: Op<B>) -> Inline<B> {
    let gate = file.nowait_gate();
    let start = Instant::now();
    match sys::read_nowait(std::os::fd::AsFd::as_fd(file), op) {
        Nowait::Done(done) => {
            let bytes = *done.result.as_ref().unwrap_or(&0);
            if slow(start.elapsed(), bytes) {
                gate.record_slow();
            } else {
                gate.record(true);
            }
            Inline::Done(done)
        }
        Nowait::WouldBlock(op) => {
            gate.record(false);
            // A miss starts readahead too, with the same possible wait.
            if slow(start.elapsed(), 0) {
                gate.record_slow();
            }
            Inline::Missed(op)
        }
        Nowait::Unsupported(op) => {
            UNSUPPORTED.store(true, Relaxed);
            Inline::NotCandidate(op)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hit_is_slow_when_it_took_far_longer_than_its_copy() {
        let us = Duration::from_micros;
        assert!(!slow(us(3), 4096), "a cached 4 KiB read");
        assert!(!slow(us(1000), 4096), "at the bound: still a hit");
        assert!(slow(us(1500), 4096), "a wait for a request tag");
        assert!(!slow(us(1900), 1 << 20), "a 1 MiB read gets its copy time");
        assert!(slow(us(2500), 1 << 20));
    }

    #[test]
    fn a_shut_gate_skips_a_candidate_and_the_next_read_is_tried() {
        let path = std::env::temp_dir().join(format!("inline-gate-{}", std::process::id()));
        std::fs::write(&path, b"cached").unwrap();
        let file = FileHandle::new(std::fs::File::open(&path).unwrap().into()).unwrap();
        let read = || Op::read(Vec::with_capacity(8), 0, 8).unwrap();
        file.nowait_gate().record(false); // a miss: the next read skips the attempt
        assert!(matches!(try_read_inline(&file, read()), Inline::Skipped(_)));
        let Inline::Done(done) = try_read_inline(&file, read()) else {
            panic!("the gate reopens after one skip and the data is cached");
        };
        assert_eq!(done.buf.unwrap(), b"cached");
        std::fs::remove_file(&path).unwrap();
    }
}
