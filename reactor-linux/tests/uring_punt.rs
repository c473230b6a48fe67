//! `UringReactor` with a fallback: buffered writes go to the thread pool (never to the
//! ring), everything else stays on the ring; without a fallback writes go to the ring
//! as before. Also: a write whose future is dropped while it is in the pool still
//! lands, and a tiny pool (back-pressure from the fallback) still completes every op.
mod common;

use std::future::Future;
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

use aiofile_core::{Errno, Op, OpKind, Reactor, Submit};
use aiofile_reactor_linux::{Drive, UringReactor};
use aiofile_reactor_threads::ThreadReactor;
use common::{file_with, op, open_ro, open_rw, pattern, read, run, sync, write};
use futures::future::join_all;

const CHUNK: usize = 64 * 1024;

/// Waits (turning the reactor) until the pool has no operation left in it.
fn settle(r: &UringReactor<Vec<u8>>, pool: &ThreadReactor<Vec<u8>>) {
    let start = Instant::now();
    while pool.in_use_slots() > 0 {
        r.turn();
        r.wait(Some(Duration::from_millis(2))).unwrap();
        assert!(start.elapsed() < Duration::from_secs(60), "the pool hung");
    }
}

#[test]
fn buffered_writes_go_to_the_fallback_not_the_ring() {
    let Some((r, pool)) = common::uring_punting::<Vec<u8>>() else {
        return;
    };
    assert!(r.has_fallback());
    let path = file_with("uring-punt", b"");
    let f = open_rw(&path);
    let data = pattern(8 * CHUNK, 3);
    for (i, chunk) in data.chunks(CHUNK).enumerate() {
        assert_eq!(write(&r, &f, (i * CHUNK) as u64, chunk), Ok(CHUNK));
    }
    let s = r.stats();
    assert_eq!((s.write_punts, s.submitted), (8, 0), "{s:?}");
    assert_eq!(pool.stats().submitted, 8, "the pool took every write");
    assert_eq!(sync(&r, &f, false), Ok(0));
    assert_eq!(sync(&r, &f, true), Ok(0));
    let s = r.stats();
    assert_eq!(
        (s.write_punts, s.submitted),
        (8, 2),
        "syncs use the ring: {s:?}"
    );
    assert_eq!(pool.stats().submitted, 8, "no sync went to the pool");
    assert_eq!(std::fs::read(&*path).unwrap(), data);
    assert_eq!(
        read(&r, &f, CHUNK as u64, 16).unwrap(),
        &data[CHUNK..][..16]
    );
    assert_eq!(r.stats().write_punts, 8, "reads are not punted");
    assert_eq!(pool.stats().submitted, 8);
    assert_eq!((r.slots_in_use(), pool.in_use_slots()), (0, 0));
}

#[test]
fn without_a_fallback_buffered_writes_go_to_the_ring() {
    let Some(r) = common::uring::<Vec<u8>>() else {
        return;
    };
    assert!(!r.has_fallback());
    let path = file_with("uring-ring", b"");
    let f = open_rw(&path);
    assert_eq!(write(&r, &f, 0, b"ring"), Ok(4));
    let s = r.stats();
    assert_eq!((s.write_punts, s.submitted), (0, 1), "{s:?}");
    assert_eq!(std::fs::read(&*path).unwrap(), b"ring");
}

#[test]
fn write_to_a_read_only_file_reports_the_pools_ebadf() {
    let Some((r, _pool)) = common::uring_punting::<Vec<u8>>() else {
        return;
    };
    let path = file_with("uring-ro", b"abc");
    let f = open_ro(&path);
    assert_eq!(write(&r, &f, 0, b"x"), Err(Errno::EBADF));
    assert_eq!(r.stats().write_punts, 1);
    assert_eq!(std::fs::read(&*path).unwrap(), b"abc");
    assert_eq!(r.slots_in_use(), 0);
}

#[test]
fn dropped_write_future_still_writes_and_frees_its_slot() {
    let Some((r, pool)) = common::uring_punting::<Vec<u8>>() else {
        return;
    };
    let path = file_with("uring-drop", b"");
    let f = open_rw(&path);
    let data = pattern(4 * CHUNK, 9);
    let mut cx = Context::from_waker(Waker::noop());
    for (i, chunk) in data.chunks(CHUNK).enumerate() {
        let o = Op::write(chunk.to_vec(), (i * CHUNK) as u64, 0).unwrap();
        let mut fut = Box::pin(op(&r, &f, o));
        if fut.as_mut().poll(&mut cx).is_ready() {
            continue; // the pool was quick: nothing to abandon
        }
        assert!(fut.is_queued());
        drop(fut); // abandon while the write is punted
    }
    assert_eq!(r.stats().write_punts, 4);
    assert_eq!(r.slots_in_use(), 0, "abandoning a punted op frees its slot");
    settle(&r, &pool);
    assert_eq!(std::fs::read(&*path).unwrap(), data, "every write landed");
    assert_eq!(pool.stats().dropped, 0, "the pool drops no write");
}

#[test]
fn tiny_pool_back_pressure_completes_every_op() {
    // 2 pool slots and 4 ring slots for 32 concurrent writes and reads: `Full` from
    // either table, `poll_ready` on the fallback, wake-ups when its slots free.
    let Some((r, pool)) = common::uring_punting_with::<Vec<u8>>(4, 2) else {
        return;
    };
    const LEN: usize = 4096;
    let path = file_with("uring-bp", &pattern(16 * LEN, 1));
    let f = open_rw(&path);
    let data = pattern(16 * LEN, 2);
    let writes = (0..16).map(|i| {
        let o = Op::write(data[i * LEN..][..LEN].to_vec(), (i * LEN) as u64, 0).unwrap();
        op(&r, &f, o)
    });
    let reads = (0..16).map(|i| {
        let o = Op::read(Vec::with_capacity(LEN), (i * LEN) as u64, LEN).unwrap();
        op(&r, &f, o)
    });
    let all = run(&r, join_all(writes.chain(reads)));
    for c in &all {
        assert!(c.result.is_ok(), "{c:?}");
    }
    let n_writes = all.iter().filter(|c| c.kind == OpKind::Write).count();
    assert_eq!(n_writes, 16);
    assert_eq!(r.stats().write_punts, 16);
    assert_eq!(std::fs::read(&*path).unwrap(), data, "every write landed");
    assert_eq!((r.slots_in_use(), pool.in_use_slots()), (0, 0));
}

#[test]
fn full_pool_hands_the_write_back_untouched() {
    let Some((r, pool)) = common::uring_punting_with::<Vec<u8>>(8, 1) else {
        return;
    };
    let path = file_with("uring-full", b"");
    let f = open_rw(&path);
    let first = match r.try_submit(&f, Op::write(b"one".to_vec(), 0, 0).unwrap()) {
        Submit::Queued(t) => t,
        other => panic!("expected Queued: {other:?}"),
    };
    match r.try_submit(&f, Op::write(b"two".to_vec(), 3, 0).unwrap()) {
        Submit::Full(o) => assert_eq!(o.write_data(), b"two"),
        other => panic!("a one-slot pool took a second write: {other:?}"),
    }
    let s = r.stats();
    assert_eq!((s.write_punts, s.submitted), (1, 0), "{s:?}");
    let c = run(&r, std::future::poll_fn(|cx| r.poll_complete(&first, cx)));
    assert_eq!(c.result, Ok(3));
    // Collecting the first write freed the pool's only slot.
    run(&r, std::future::poll_fn(|cx| r.poll_ready(cx)));
    assert_eq!(write(&r, &f, 3, b"two"), Ok(3));
    assert_eq!(std::fs::read(&*path).unwrap(), b"onetwo");
    assert_eq!((r.slots_in_use(), pool.in_use_slots()), (0, 0));
}
