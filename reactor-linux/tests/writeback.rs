//! Writeback hints (`Op::writeback`) on both Linux reactors: io_uring without a
//! fallback sends `IORING_OP_SYNC_FILE_RANGE` down the ring; io_uring with a fallback
//! and kernel AIO (which has no such command) hand it to the thread pool. Either way it
//! completes with `Ok(0)` and the range's dirty pages go to the device (`cachestat`).
mod common;

use std::os::fd::AsFd;
use std::sync::Arc;

use aiofile_core::{Op, OpKind, Reactor};
use aiofile_pagecache::dirty_pages;
use aiofile_reactor_linux::{probe, AioReactor, Drive};
use aiofile_reactor_threads::{FileRef, ThreadConfig, ThreadReactor};
use common::{file_with, op, open_rw, pattern, run, write};

const MIB: usize = 1 << 20;

/// Writes 4 MiB, hints the first 2 MiB, and checks what is still dirty. `None` (after
/// printing why) where dirty pages cannot be counted.
fn hint_half<R>(r: &R, tag: &str) -> Option<()>
where
    R: Reactor<Buf = Vec<u8>, File = FileRef> + Drive,
{
    let path = file_with(tag, b"");
    let f = open_rw(&path);
    let data = pattern(4 * MIB, 9);
    assert_eq!(write(r, &f, 0, &data), Ok(4 * MIB));
    match dirty_pages(f.as_fd(), 0, 0) {
        Ok(0) => {
            println!("SKIP: no dirty pages after a buffered write here");
            return None;
        }
        Ok(_) => {}
        Err(why) => {
            println!("SKIP: {why}");
            return None;
        }
    }
    let done = run(r, op(r, &f, Op::writeback(0, 2 * MIB)));
    assert_eq!((done.kind, done.result), (OpKind::Writeback, Ok(0)));
    let hinted = dirty_pages(f.as_fd(), 0, 2 * MIB as u64).unwrap();
    let rest = dirty_pages(f.as_fd(), 2 * MIB as u64, 0).unwrap();
    assert_eq!(
        hinted, 0,
        "{tag}: the hinted range is on its way to the device"
    );
    assert!(rest > 0, "{tag}: the rest was not hinted and stays dirty");
    assert_eq!(
        std::fs::read(&*path).unwrap(),
        data,
        "{tag}: no byte changed"
    );
    Some(())
}

#[test]
fn uring_without_a_fallback_sends_the_hint_down_the_ring() {
    let Some(r) = common::uring::<Vec<u8>>() else {
        return;
    };
    let writes_before = r.stats().submitted;
    if hint_half(&r, "wb-uring").is_none() {
        return;
    }
    let s = r.stats();
    assert_eq!(s.write_punts, 0, "no fallback to punt to");
    assert_eq!(
        s.submitted - writes_before,
        2,
        "the write and the hint were SQEs: {s:?}"
    );
}

#[test]
fn uring_with_a_fallback_hands_the_hint_to_the_pool() {
    let Some((r, pool)) = common::uring_punting::<Vec<u8>>() else {
        return;
    };
    if hint_half(&r, "wb-uring-pool").is_none() {
        return;
    }
    let s = r.stats();
    assert_eq!(
        (s.write_punts, s.submitted),
        (2, 0),
        "write + hint punted: {s:?}"
    );
    assert_eq!(pool.stats().submitted, 2);
}

#[test]
fn aio_hands_the_hint_to_its_fallback() {
    if let Err(e) = &probe().aio {
        return println!("SKIP: kernel AIO unavailable: {e}");
    }
    let pool = Arc::new(ThreadReactor::new(ThreadConfig::default().workers(2)).unwrap());
    let r = AioReactor::new(pool.clone()).expect("probe said AIO works");
    if hint_half(&r, "wb-aio").is_none() {
        return;
    }
    assert_eq!(
        r.stats().write_punts,
        2,
        "write + hint punted: {:?}",
        r.stats()
    );
    assert_eq!(pool.stats().submitted, 2);
}
