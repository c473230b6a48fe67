//! Cancellation: 100,000 operations (`AIOFILE_CANCEL_OPS` to change) whose futures are
//! polled a random number of times and then dropped or run to completion; then one
//! future per region leaked with `mem::forget` in flight; then more random operations
//! with those slots held for good.
//!
//! - Buffers carry canaries: a read appends after a canary prefix, a write's buffer is
//!   a known pattern; every buffer that comes back must be intact.
//! - The file is regions of 4 KiB, each holding one whole "generation" pattern, split
//!   by guard bytes nothing writes. A region's content must always be its last
//!   completed write, or one of the writes abandoned since (they may land later); at
//!   every quiet point each region is exactly one of those, and every guard intact.
//!   Leaked writes land too, whole.
//! - No slot leaks: at every quiet point no slot is held for a dropped future; leaked
//!   ones hold theirs for good (one each, two for a write the AIO reactor handed to
//!   its thread-pool fallback).
//!
//! Small enough for valgrind: `AIOFILE_REACTOR=threads AIOFILE_CANCEL_OPS=2000 valgrind
//! --error-exitcode=1 target/debug/deps/cancellation-<hash> cancellation`. Force the
//! thread pool there: valgrind cannot see the kernel fill io_uring buffers (it reports
//! the bytes read as uninitialised) nor size the kernel-AIO completion ring (it reports
//! reads of the ring past its estimate as invalid).
mod support;

use std::future::Future;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use aiofile::reactor::in_use_slots;
use aiofile::AioFile;
use support::{Rng, TempDir};

const REGIONS: usize = 64;
const REGION: usize = 4096;
const GUARD: usize = 512;
const STRIDE: usize = REGION + GUARD;
const CANARY: &[u8; 32] = b"~canary~canary~canary~canary~!!~";
/// Operations between quiet points (where abandoned writes are settled).
const ROUND: usize = 1000;

/// Byte `i` of generation `gen` of region `r`.
fn byte(r: usize, gen: u32, i: usize) -> u8 {
    let x = (r as u64) << 40 ^ u64::from(gen) << 16 ^ i as u64;
    let x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (x >> 56) as u8
}

fn pattern(r: usize, gen: u32) -> Vec<u8> {
    (0..REGION).map(|i| byte(r, gen, i)).collect()
}

fn guard_byte(i: usize) -> u8 {
    0xA5 ^ (i as u8)
}

/// What a region may hold.
#[derive(Clone, Debug)]
struct Region {
    /// Generation of the last completed write (0: the initial content).
    last: u32,
    /// Writes abandoned since the last quiet point (they may still land).
    abandoned: Vec<u32>,
}

impl Region {
    fn candidates(&self) -> impl Iterator<Item = u32> + '_ {
        std::iter::once(self.last).chain(self.abandoned.iter().copied())
    }

    /// Checks bytes `at..at + data.len()` read from region `r`: each byte must come from
    /// a candidate (a read racing an abandoned write may mix two generations).
    fn check_read(&self, r: usize, at: usize, data: &[u8]) {
        if self.abandoned.is_empty() {
            let expect = &pattern(r, self.last)[at..at + data.len()];
            assert!(
                data == expect,
                "region {r} at {at}: not generation {}",
                self.last
            );
            return;
        }
        for (k, &b) in data.iter().enumerate() {
            let ok = self.candidates().any(|g| byte(r, g, at + k) == b);
            assert!(
                ok,
                "region {r} byte {}: {b:#x} from no candidate {self:?}",
                at + k
            );
        }
    }
}

/// What happened to one operation's future.
enum Fate<T> {
    Completed(T),
    /// Dropped; `true` if it was in flight (polled, pending).
    Dropped(bool),
    /// Leaked with `mem::forget`; `true` if it was in flight (holds a slot).
    Leaked(bool),
}

/// Polls `fut` up to `polls` times with pauses of random length, then finishes it
/// (`finish`), leaks it (`leak`) or drops it.
fn drive<F: Future>(
    fut: F,
    polls: usize,
    finish: bool,
    leak: bool,
    rng: &mut Rng,
) -> Fate<F::Output> {
    let mut fut = Box::pin(fut);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..polls {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return Fate::Completed(out);
        }
        pause(rng);
    }
    if finish {
        Fate::Completed(futures::executor::block_on(fut))
    } else if leak {
        std::mem::forget(fut);
        Fate::Leaked(polls > 0)
    } else {
        Fate::Dropped(polls > 0)
    }
}

/// Nothing, a yield, or a spin of up to a few microseconds: drops land before the
/// submission, while queued, while running, and after completion.
fn pause(rng: &mut Rng) {
    match rng.below(3) {
        0 => {}
        1 => std::thread::yield_now(),
        _ => (0..rng.below(4000)).for_each(|_| std::hint::spin_loop()),
    }
}

/// How many operations met each fate.
#[derive(Debug, Default)]
struct Counts {
    completed: usize,
    dropped_unpolled: usize,
    dropped_in_flight: usize,
    /// Of those, reads (most reads hit the page cache and complete at the first poll).
    reads_dropped_in_flight: usize,
    leaked: usize,
}

struct Test {
    file: AioFile,
    path: std::path::PathBuf,
    regions: Vec<Region>,
    next_gen: u32,
    leaked_in_flight: usize,
    /// Slots held for good by leaked futures (0 before the leak phase).
    held: usize,
    /// Operations started.
    issued: usize,
    counts: Counts,
    rng: Rng,
}

impl Test {
    fn one_op(&mut self) {
        let r = self.rng.below(REGIONS as u64) as usize;
        let polls = self.rng.range(0, 3);
        let finish = self.rng.one_in(3);
        if self.rng.one_in(2) {
            self.write(r, polls, finish, false);
        } else {
            self.read(r, polls, finish, false);
        }
    }

    /// Leaks one future in flight per region (writes to even regions, reads of odd
    /// ones), waits for the leaked writes to land, and records the slots held.
    fn leak_phase(&mut self) {
        let mut landed = Vec::new();
        for r in 0..REGIONS {
            for _attempt in 0..100 {
                // Polled once, leaked if pending; one that completed is checked as usual.
                let leaked = if r % 2 == 0 {
                    self.write(r, 1, false, true)
                } else {
                    support::evict_from_cache(&self.path); // else it completes inline
                    self.read(r, 1, false, true)
                };
                if leaked {
                    if r % 2 == 0 {
                        landed.push((r, self.next_gen));
                    }
                    break;
                }
            }
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let disk = std::fs::read(&self.path).unwrap();
            let at = |r: usize| &disk[r * STRIDE..r * STRIDE + REGION];
            if landed.iter().all(|&(r, gen)| at(r) == pattern(r, gen)) {
                break;
            }
            assert!(Instant::now() < deadline, "leaked writes did not land");
            std::thread::sleep(Duration::from_millis(1));
        }
        for &(r, gen) in &landed {
            self.regions[r].last = gen;
            self.regions[r].abandoned.clear();
        }
        self.held = in_use_slots();
        let leaked = self.leaked_in_flight;
        assert!(
            (leaked..=2 * leaked).contains(&self.held),
            "{leaked} futures leaked in flight hold {} slots",
            self.held
        );
        self.quiet_point();
    }

    fn tally<T>(&mut self, fate: &Fate<T>) {
        let c = &mut self.counts;
        match *fate {
            Fate::Completed(_) => c.completed += 1,
            Fate::Dropped(false) => c.dropped_unpolled += 1,
            Fate::Dropped(true) => c.dropped_in_flight += 1,
            Fate::Leaked(in_flight) => {
                c.leaked += 1;
                self.leaked_in_flight += usize::from(in_flight);
            }
        }
    }

    /// One write of a whole region; `true` if its future was leaked in flight.
    fn write(&mut self, r: usize, polls: usize, finish: bool, leak: bool) -> bool {
        self.issued += 1;
        self.next_gen += 1;
        let gen = self.next_gen;
        let data = pattern(r, gen);
        let offset = (r * STRIDE) as u64;
        let fate = drive(
            self.file.write_buf(data, offset),
            polls,
            finish,
            leak,
            &mut self.rng,
        );
        self.tally(&fate);
        let leaked = matches!(fate, Fate::Leaked(true));
        match fate {
            Fate::Completed((res, buf)) => {
                assert_eq!(res.expect("write"), REGION);
                assert!(buf == pattern(r, gen), "write buffer corrupted");
                self.regions[r].last = gen;
            }
            Fate::Dropped(_) | Fate::Leaked(_) => self.regions[r].abandoned.push(gen),
        }
        leaked
    }

    /// One read inside a region; `true` if its future was leaked in flight.
    fn read(&mut self, r: usize, polls: usize, finish: bool, leak: bool) -> bool {
        self.issued += 1;
        let at = self.rng.range(0, REGION - 1);
        let len = self.rng.range(1, REGION - at);
        let mut buf = Vec::with_capacity(CANARY.len() + len);
        buf.extend_from_slice(CANARY);
        let offset = (r * STRIDE + at) as u64;
        let fate = drive(
            self.file.read_into(buf, len, offset),
            polls,
            finish,
            leak,
            &mut self.rng,
        );
        self.tally(&fate);
        let leaked = matches!(fate, Fate::Leaked(true));
        self.counts.reads_dropped_in_flight += usize::from(matches!(fate, Fate::Dropped(true)));
        if let Fate::Completed((res, buf)) = fate {
            // One read: it may be short (e.g. an inline read stops at the first page
            // not in the cache), never empty inside the file.
            let n = res.expect("read");
            assert!((1..=len).contains(&n), "read {n} of {len}");
            assert_eq!(&buf[..CANARY.len()], CANARY, "canary overwritten");
            assert_eq!(buf.len(), CANARY.len() + n);
            self.regions[r].check_read(r, at, &buf[CANARY.len()..]);
        }
        leaked
    }

    /// Waits until only leaked operations hold slots, then checks the whole file and
    /// settles each region on the generation it holds.
    fn quiet_point(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while in_use_slots() != self.held && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(in_use_slots(), self.held, "slots in use");
        let disk = std::fs::read(&self.path).unwrap();
        assert_eq!(disk.len(), REGIONS * STRIDE);
        for (r, region) in self.regions.iter_mut().enumerate() {
            let got = &disk[r * STRIDE..r * STRIDE + REGION];
            let gen = region.candidates().find(|&g| got == pattern(r, g));
            region.last = gen.unwrap_or_else(|| panic!("region {r} is torn or foreign"));
            region.abandoned.clear();
            let guard = &disk[r * STRIDE + REGION..(r + 1) * STRIDE];
            assert!(guard.iter().enumerate().all(|(i, &b)| b == guard_byte(i)));
        }
        // Make the next reads miss the cache, so that they go to the workers and some
        // are dropped in flight.
        support::evict_from_cache(&self.path);
    }
}

fn initial_file() -> Vec<u8> {
    let mut data = Vec::with_capacity(REGIONS * STRIDE);
    for r in 0..REGIONS {
        data.extend(pattern(r, 0));
        data.extend((0..GUARD).map(guard_byte));
    }
    data
}

#[test]
fn cancellation() {
    let ops: usize = std::env::var("AIOFILE_CANCEL_OPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = TempDir::new("cancel");
    let path = dir.join("regions");
    std::fs::write(&path, initial_file()).unwrap();
    let file = futures::executor::block_on(AioFile::open(&path, "r+")).unwrap();
    support::no_readahead(file.fileno().unwrap());
    let mut test = Test {
        file,
        path,
        regions: vec![
            Region {
                last: 0,
                abandoned: Vec::new()
            };
            REGIONS
        ],
        next_gen: 0,
        leaked_in_flight: 0,
        held: 0,
        issued: 0,
        counts: Counts::default(),
        rng: Rng::new(support::seed("cancellation")),
    };
    let after_leaks = (ops / 10).min(2000);
    for i in 0..ops + after_leaks {
        test.one_op();
        if (i + 1) % ROUND == 0 {
            test.quiet_point();
        }
        if i + 1 == ops {
            test.quiet_point();
            test.leak_phase();
        }
    }
    test.quiet_point();
    let c = &test.counts;
    println!(
        "cancellation ({}): {} ops: {c:?}; {} futures leaked in flight hold {} slots",
        test.file.reactor_info().expect("open").kind,
        test.issued,
        test.leaked_in_flight,
        test.held,
    );
    let total = c.completed + c.dropped_unpolled + c.dropped_in_flight + c.leaked;
    assert_eq!(total, test.issued);
    futures::executor::block_on(test.file.close()).unwrap();
}
