//! Back-pressure: with fewer slots than operations, submissions wait for room (Full +
//! poll_ready) and all complete; none fails for being busy.
mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use aiofile_core::{Op, Reactor, Submit};
use common::{pattern_at, reactor, run_all, OpFut, TempFile};

#[test]
fn ten_ops_through_two_slots_all_complete() {
    for nowait in [false, true] {
        let r = reactor(1, 2, nowait);
        let tmp = TempFile::new("bp", &pattern_at(0, 4096));
        let mut futs: Vec<_> = (0..10u64)
            .map(|i| {
                let op = if i % 2 == 0 {
                    Op::write(vec![b'a' + i as u8; 8], 4096 + i * 8, 0).unwrap()
                } else {
                    Op::read(Vec::with_capacity(100), i * 100, 100).unwrap()
                };
                OpFut::new(&r, &tmp.file, op)
            })
            .collect();
        let mut out: Vec<_> = (0..10).map(|_| None).collect();

        // Both slots taken by operations nobody collects yet: each of the 10 futures
        // must get Full on its first poll (reads may still finish inline with nowait).
        let blockers = [Op::fsync(), Op::fdatasync()].map(|op| match r.try_submit(&tmp.file, op) {
            Submit::Queued(ticket) => ticket,
            other => panic!("{other:?}"),
        });
        let mut cx = Context::from_waker(Waker::noop());
        for (fut, slot) in futs.iter_mut().zip(&mut out) {
            if let Poll::Ready(done) = Pin::new(fut).poll(&mut cx) {
                *slot = Some(done);
            }
        }
        for (fut, done) in futs.iter().zip(&out) {
            // Finished inline (a cached read with nowait) or told Full.
            assert_eq!(fut.fulls, done.is_none() as u32);
        }
        let inline = out.iter().filter(|d| d.is_some()).count() as u64;
        assert_eq!(inline, r.stats().inline);
        assert!(nowait || inline == 0, "nowait off: nothing inline");
        for ticket in &blockers {
            let done =
                futures::executor::block_on(std::future::poll_fn(|cx| r.poll_complete(ticket, cx)));
            assert_eq!(done.result, Ok(0));
        }
        // Now they wait for room in turn, two slots for ten operations.
        run_all(&mut futs, &mut out);

        let fulls: u32 = futs.iter().map(|f| f.fulls).sum();
        println!("nowait={nowait}: {fulls} Full answers, {:?}", r.stats());
        for (i, done) in out.into_iter().enumerate() {
            let done = done.unwrap();
            let i = i as u64;
            if i % 2 == 0 {
                assert_eq!(done.result, Ok(8));
            } else {
                assert_eq!(done.result, Ok(100));
                assert_eq!(done.buf.unwrap(), pattern_at(i * 100, 100));
            }
        }
        let content = tmp.contents();
        for i in (0..10u64).step_by(2) {
            let at = (4096 + i * 8) as usize;
            assert_eq!(content[at..at + 8], [b'a' + i as u8; 8]);
        }
        assert_eq!(r.in_use_slots(), 0);
    }
}

struct CountWake(AtomicUsize);
impl Wake for CountWake {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn poll_ready_wakes_when_a_slot_frees() {
    let r = reactor(1, 1, false);
    let tmp = TempFile::new("ready", b"");
    let counter = Arc::new(CountWake(AtomicUsize::new(0)));
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);

    let Submit::Queued(ticket) = r.try_submit(&tmp.file, Op::fdatasync()) else {
        unreachable!()
    };
    assert!(r.poll_ready(&mut cx).is_pending(), "the only slot is taken");
    assert!(
        r.poll_ready(&mut cx).is_pending(),
        "registering twice is harmless"
    );
    assert_eq!(counter.0.load(Ordering::SeqCst), 0);

    let done = futures::executor::block_on(std::future::poll_fn(|cx| r.poll_complete(&ticket, cx)));
    assert_eq!(done.result, Ok(0));
    assert_eq!(
        counter.0.load(Ordering::SeqCst),
        1,
        "collecting the completion frees the slot and wakes"
    );
    assert_eq!(r.poll_ready(&mut cx), Poll::Ready(()));
}

#[test]
fn abandoning_wakes_space_waiters() {
    let r = reactor(1, 1, false);
    let tmp = TempFile::new("abandon-ready", &pattern_at(0, 64));
    let counter = Arc::new(CountWake(AtomicUsize::new(0)));
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    let Submit::Queued(ticket) =
        r.try_submit(&tmp.file, Op::read(Vec::with_capacity(8), 0, 8).unwrap())
    else {
        unreachable!()
    };
    assert!(r.poll_ready(&mut cx).is_pending());
    r.abandon(ticket);
    // A queued read is freed at once; a running one when its worker finishes (which
    // then wakes us after unlocking): wait for the wake, however it comes.
    while counter.0.load(Ordering::SeqCst) == 0 {
        std::thread::yield_now();
    }
    assert_eq!(r.in_use_slots(), 0);
    assert_eq!(counter.0.load(Ordering::SeqCst), 1);
}

#[test]
fn forty_tasks_wait_for_one_slot() {
    // 40 distinct tasks (distinct wakers) exceed the 32-entry waiter list: the overflow
    // path wakes the listed ones, and every task still finishes.
    let r = Arc::new(reactor(2, 1, false));
    let tmp = TempFile::new("forty", &vec![0; 40 * 8]);
    let mut pool = futures::executor::LocalPool::new();
    use futures::task::LocalSpawnExt;
    for i in 0..40u64 {
        let (r, f) = (r.clone(), tmp.file.clone());
        pool.spawner()
            .spawn_local(async move {
                let done =
                    OpFut::new(&*r, &f, Op::write(vec![i as u8 + 1; 8], i * 8, 0).unwrap()).await;
                assert_eq!(done.result, Ok(8));
            })
            .unwrap();
    }
    pool.run();
    let content = tmp.contents();
    for i in 0..40 {
        assert_eq!(content[i * 8..i * 8 + 8], [i as u8 + 1; 8]);
    }
    assert_eq!(r.in_use_slots(), 0);
}
