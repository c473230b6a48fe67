//! Cancellation safety: many operations whose futures are dropped at random points,
//! some leaked with `mem::forget`. Afterwards: only the leaked-and-submitted ones hold
//! a slot, no buffer that came back has a corrupted canary, and the file matches a
//! model of which writes happened.
//!
//! `AIOFILE_CANCEL_OPS` sets the operation count (default 100,000; use ~1,000 under
//! valgrind); `AIOFILE_SEED` replays a run.
mod common;

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use aiofile_core::{Completion, Op};
use aiofile_reactor_threads::ThreadReactor;
use common::{pattern, pattern_at, reactor, OpFut, Rng, TempFile};

/// Bytes at the start of the file that reads target; never written.
const READ_AREA: u64 = 64 * 1024;
/// Each write owns one region of this size after the read area.
const REGION: usize = 16;
const CANARY: u8 = 0xCD;
const READ_CAP: usize = 96;
const WINDOW: usize = 96;
const SLOTS: usize = 64;
/// Most leaked futures that hold a slot (the rest of the slots keep circulating).
const MAX_LEAKED_SLOTS: usize = 24;

type R = ThreadReactor<Vec<u8>>;

/// What a write's region may contain at the end.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fate {
    /// Never handed to the reactor: old content (zeros).
    NotIssued,
    /// Completed, or leaked while queued (it still runs): the new pattern.
    Written,
    /// Abandoned after submission: zeros or the whole new pattern.
    Either,
}

enum Kind {
    Read { offset: u64, start: usize },
    Write { id: usize },
}

/// What the driver does with a future: poll it until done, or this many more times
/// and then drop or leak it.
#[derive(Clone, Copy, PartialEq)]
enum Plan {
    Finish,
    Drop(u32),
    Leak(u32),
}

struct Live<'a> {
    fut: Pin<Box<OpFut<'a, R>>>,
    kind: Kind,
    plan: Plan,
}

fn write_pattern(id: usize) -> Vec<u8> {
    let a = (id as u64 + 1).to_le_bytes();
    let b = !(id as u64 + 1);
    a.into_iter().chain(b.to_le_bytes()).collect()
}

struct Run<'a> {
    r: &'a R,
    tmp: &'a TempFile,
    rng: Rng,
    ops: usize,
    issued: usize,
    writes: Vec<Fate>,
    leaked_slots: usize,
    checked: usize,
}

impl<'a> Run<'a> {
    fn new_live(&mut self) -> Live<'a> {
        let plan = match self.rng.below(1000) {
            0..=599 => Plan::Finish,
            600..=989 => Plan::Drop(self.rng.below(3) as u32),
            _ if self.leaked_slots < MAX_LEAKED_SLOTS => Plan::Leak(self.rng.below(3) as u32),
            _ => Plan::Drop(1),
        };
        let (op, kind) = if self.rng.below(2) == 0 {
            let offset = self.rng.below(READ_AREA - 64);
            let start = self.rng.below(32) as usize;
            let mut buf = vec![CANARY; READ_CAP];
            buf.truncate(start);
            let len = 1 + self.rng.below(64) as usize;
            (
                Op::read(buf, offset, len).unwrap(),
                Kind::Read { offset, start },
            )
        } else {
            let id = self.writes.len();
            self.writes.push(Fate::NotIssued);
            let offset = READ_AREA + (id * REGION) as u64;
            (
                Op::write(write_pattern(id), offset, 0).unwrap(),
                Kind::Write { id },
            )
        };
        self.issued += 1;
        Live {
            fut: Box::pin(OpFut::new(self.r, &self.tmp.file, op)),
            kind,
            plan,
        }
    }

    fn check(&mut self, live: &Live<'a>, done: Completion<Vec<u8>>) {
        let buf = done.buf.unwrap();
        match live.kind {
            Kind::Read { offset, start } => {
                let n = done.result.unwrap();
                assert_eq!(buf.len(), start + n);
                assert!(
                    buf[..start].iter().all(|&b| b == CANARY),
                    "canary before a read's range corrupted"
                );
                assert_eq!(
                    buf[start..],
                    pattern_at(offset, n)[..],
                    "read data at {offset}"
                );
            }
            Kind::Write { id } => {
                assert_eq!(done.result, Ok(REGION));
                assert_eq!(buf, write_pattern(id), "a write's buffer changed");
                self.writes[id] = Fate::Written;
            }
        }
        self.checked += 1;
    }

    /// The future is going away without completing; record what its write may do.
    fn give_up(&mut self, live: Live<'a>, leak: bool) {
        let queued = live.fut.is_queued();
        if let Kind::Write { id } = live.kind {
            self.writes[id] = match (queued, leak) {
                (false, _) => Fate::NotIssued,
                (true, true) => Fate::Written,
                (true, false) => Fate::Either,
            };
        }
        if leak {
            self.leaked_slots += queued as usize;
            std::mem::forget(live.fut);
        }
    }

    /// One pass over the window: poll each future once, retire the finished, dropped
    /// and leaked ones. True if any left the window.
    fn pass(&mut self, window: &mut Vec<Live<'a>>, cx: &mut std::task::Context<'_>) -> bool {
        let mut progressed = false;
        let mut i = 0;
        while i < window.len() {
            let live = &mut window[i];
            if let Poll::Ready(done) = live.fut.as_mut().poll(cx) {
                let live = window.swap_remove(i);
                self.check(&live, done);
                progressed = true;
                continue;
            }
            match &mut live.plan {
                Plan::Drop(0) | Plan::Leak(0) => {
                    let leak = matches!(live.plan, Plan::Leak(_));
                    let live = window.swap_remove(i);
                    self.give_up(live, leak);
                    progressed = true;
                    continue;
                }
                Plan::Drop(n) | Plan::Leak(n) => *n -= 1,
                Plan::Finish => {}
            }
            i += 1;
        }
        progressed
    }

    fn drive(&mut self) {
        let mut window: Vec<Live<'a>> = Vec::with_capacity(WINDOW);
        futures::executor::block_on(poll_fn(|cx| loop {
            while window.len() < WINDOW && self.issued < self.ops {
                let live = self.new_live();
                match live.plan {
                    // Dropped before its first poll: never submitted.
                    Plan::Drop(0) | Plan::Leak(0) => {
                        let leak = matches!(live.plan, Plan::Leak(_));
                        self.give_up(live, leak);
                    }
                    _ => window.push(live),
                }
            }
            if window.is_empty() {
                return Poll::Ready(());
            }
            if !self.pass(&mut window, cx) {
                return Poll::Pending;
            }
        }));
    }
}

fn cancel_run(nowait: bool, ops: usize) {
    let r = reactor(4, SLOTS, nowait);
    let tmp = TempFile::new("cancel", &pattern_at(0, READ_AREA as usize));
    let rng = Rng::from_env(&format!("cancel nowait={nowait}"));
    let mut run = Run {
        r: &r,
        tmp: &tmp,
        rng,
        ops,
        issued: 0,
        writes: Vec::new(),
        leaked_slots: 0,
        checked: 0,
    };
    run.drive();

    // Abandoned operations finish in the background: wait (bounded) for them.
    let deadline = Instant::now() + Duration::from_secs(120);
    while r.in_use_slots() != run.leaked_slots {
        assert!(
            Instant::now() < deadline,
            "orphans not reclaimed: {} in use",
            r.in_use_slots()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let s = r.stats();
    println!(
        "nowait={nowait}: {ops} ops, {} completed and checked, {} leaked holding slots, {s:?}",
        run.checked, run.leaked_slots
    );
    assert_eq!(
        s.in_pool(),
        0,
        "every submitted op finished, inline, in a worker, or dropped"
    );
    verify_file(&tmp.contents(), &run.writes);
}

fn verify_file(content: &[u8], writes: &[Fate]) {
    assert!(content[..READ_AREA as usize]
        .iter()
        .enumerate()
        .all(|(i, &b)| b == pattern(i as u64)));
    let mut counts = [0usize; 4];
    for (id, fate) in writes.iter().enumerate() {
        let at = READ_AREA as usize + id * REGION;
        let region = content.get(at..at + REGION).unwrap_or(&[]);
        let zero = region.is_empty() || region == [0; REGION];
        let new = region == write_pattern(id);
        match fate {
            Fate::NotIssued => assert!(zero, "write {id} never issued but region is {region:?}"),
            Fate::Written => assert!(new, "write {id} completed but region is {region:?}"),
            Fate::Either => assert!(zero || new, "abandoned write {id} left {region:?}"),
        }
        counts[*fate as usize] += 1;
        counts[3] += (*fate == Fate::Either && new) as usize;
    }
    println!(
        "writes: {} not issued, {} written, {} abandoned ({} of which landed)",
        counts[0], counts[1], counts[2], counts[3]
    );
}

fn ops_from_env() -> usize {
    std::env::var("AIOFILE_CANCEL_OPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

#[test]
fn dropped_and_leaked_futures_through_the_pool() {
    cancel_run(false, ops_from_env());
}

#[test]
fn dropped_and_leaked_futures_with_nowait_reads() {
    cancel_run(true, ops_from_env() / 4);
}
