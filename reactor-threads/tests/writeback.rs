//! The writeback hint (`Op::writeback`, `sync_file_range(SYNC_FILE_RANGE_WRITE)` on a
//! worker): it completes with `Ok(0)`, leaves the data as it was, and sends the range's
//! dirty pages to the device (counted with `cachestat`), and only that range's.
mod common;

use std::os::fd::AsFd;

use aiofile_core::{Op, OpKind, Reactor, Submit};
use aiofile_pagecache::dirty_pages;
use common::{pattern_at, reactor, run_one, TempFile};

const MIB: usize = 1 << 20;

#[test]
fn writeback_starts_the_ranges_writeback_and_leaves_the_rest_dirty() {
    let r = reactor(2, 8, true);
    let tmp = TempFile::new("writeback", b"");
    let f = &tmp.file;
    let data = pattern_at(0, 8 * MIB);
    let done = run_one(&r, f, Op::write(data.clone(), 0, 0).unwrap());
    assert_eq!(done.result, Ok(8 * MIB));

    let before = match dirty_pages(f.as_fd(), 0, 0) {
        Ok(0) => return println!("SKIP: no dirty pages after a buffered write here"),
        Ok(n) => n,
        Err(why) => return println!("SKIP: {why}"),
    };
    let done = run_one(&r, f, Op::writeback(0, 4 * MIB));
    assert_eq!(
        (done.kind, done.result, done.buf),
        (OpKind::Writeback, Ok(0), None)
    );
    let first = dirty_pages(f.as_fd(), 0, 4 * MIB as u64).unwrap();
    let second = dirty_pages(f.as_fd(), 4 * MIB as u64, 4 * MIB as u64).unwrap();
    println!(
        "dirty pages: {before} before, then {first} in the hinted half, {second} in the other"
    );
    assert_eq!(
        first, 0,
        "SYNC_FILE_RANGE_WRITE returns once the range is queued to the device"
    );
    assert!(second > 0, "the other half was not hinted and stays dirty");
    assert_eq!(tmp.contents(), data, "a hint changes no byte");
}

#[test]
fn writeback_to_the_end_of_the_file_with_len_zero() {
    let r = reactor(1, 4, false);
    let tmp = TempFile::new("writeback-all", b"");
    let f = &tmp.file;
    let done = run_one(&r, f, Op::write(pattern_at(0, 2 * MIB), 0, 0).unwrap());
    assert_eq!(done.result, Ok(2 * MIB));
    if let Err(why) = dirty_pages(f.as_fd(), 0, 0) {
        return println!("SKIP: {why}");
    }
    assert_eq!(run_one(&r, f, Op::writeback(MIB as u64, 0)).result, Ok(0));
    let tail = dirty_pages(f.as_fd(), MIB as u64, 0).unwrap();
    assert_eq!(tail, 0, "len 0 covers everything from the offset");
}

#[test]
fn an_abandoned_writeback_still_runs_and_frees_its_slot() {
    let r = reactor(1, 2, false);
    let tmp = TempFile::new("writeback-abandon", b"");
    let f = &tmp.file;
    assert_eq!(
        run_one(&r, f, Op::write(pattern_at(0, MIB), 0, 0).unwrap()).result,
        Ok(MIB)
    );
    let Submit::Queued(ticket) = r.try_submit(f, Op::writeback(0, MIB)) else {
        panic!("a writeback is queued for a worker");
    };
    r.abandon(ticket); // fire and forget, as the facade's Writer does
                       // The slot comes back once the worker is done; an fsync after it is ordinary.
    assert_eq!(run_one(&r, f, Op::fsync()).result, Ok(0));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while r.stats().completed < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the abandoned hint never ran"
        );
        std::thread::yield_now();
    }
    assert_eq!(
        r.stats().dropped,
        0,
        "a queued writeback is not dropped like a read"
    );
}

#[test]
fn writeback_past_off_t_max_is_refused() {
    let r = reactor(1, 2, false);
    let tmp = TempFile::new("writeback-range", b"abc");
    let done = run_one(&r, &tmp.file, Op::writeback(u64::MAX, 1));
    assert_eq!(done.result, Err(aiofile_core::Errno::EINVAL));
}
