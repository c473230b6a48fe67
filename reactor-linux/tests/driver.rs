//! The built-in driver thread: `futures::executor::block_on` never turns the reactor,
//! so completions that are not inline (an fsync in a kernel workqueue, an uncached
//! io_uring read) must be collected and woken by `Driven`'s thread.
mod common;

use std::sync::Arc;

use aiofile_core::Op;
use aiofile_pagecache as cache;
use aiofile_reactor_linux::{Driven, FileRef, UringReactor};
use common::{file_with, op, open_ro, open_rw, pattern, Try};
use futures::executor::block_on;
use futures::future::join_all;

/// The size of each of the 16 uncached reads.
const LEN: usize = 65536;

#[test]
fn driven_uring_completes_under_an_executor_that_never_turns() {
    if common::uring::<Vec<u8>>().is_none() {
        return;
    }
    let data = pattern(16 * LEN, 6);
    let path = file_with("driven-u", &data);
    let Some(r) = common::until_a_miss("driven io_uring reads", || {
        // A fresh reactor (counters at zero) and descriptor (its gate open) each try.
        let r = Driven::new(common::uring::<Vec<u8>>().expect("io_uring was there")).unwrap();
        let f = open_ro(&path);
        // Without readahead a miss brings in only its own pages, so the 16 reads miss
        // (and wait on the ring) instead of finding a neighbour's readahead.
        cache::no_readahead(&*f);
        if !cache::evict(&*f, "driven io_uring reads") {
            return Try::NotEvicted;
        }
        let ops = read_16(&r, &f, &data);
        let s = r.stats();
        println!("{ops} reads: {s:?}");
        assert_eq!(
            s.reaped + s.inline,
            ops,
            "each read was answered inline or reaped by the driver thread: {s:?}"
        );
        // Normally all 16 are reaped; a read is answered inline if the I/O its own
        // `RWF_NOWAIT` miss started finished before the kernel looked again.
        match s.reaped {
            0 => Try::AllInline(format!("{s:?}")),
            _ => Try::Missed(r),
        }
    }) else {
        return;
    };
    assert_eq!(block_on(op(&r, &open_rw(&path), Op::fsync())).result, Ok(0));
}

/// Reads the 16 chunks of `data` at once, awaited by `block_on` (which never turns the
/// reactor), checks their bytes and returns the number of ops (a short read is legal:
/// the rest is read through the driven reactor too).
fn read_16(r: &Driven<UringReactor<Vec<u8>>>, f: &FileRef, data: &[u8]) -> u64 {
    let reads = (0..16).map(|i| {
        op(
            r,
            f,
            Op::read(Vec::with_capacity(LEN), (i * LEN) as u64, LEN).unwrap(),
        )
    });
    let mut ops = 0;
    for (i, c) in block_on(join_all(reads)).into_iter().enumerate() {
        let n = c.result.unwrap();
        let expected = &data[i * LEN..][..LEN];
        assert!(n > 0 && c.buf.unwrap() == expected[..n], "read {i}");
        ops += 1;
        if n < LEN {
            ops += block_read_exact(r, f, (i * LEN + n) as u64, &expected[n..]);
        }
    }
    ops
}

/// Reads `expected` at `offset` with ops awaited by `block_on` (which never turns the
/// reactor) until all of it is in; returns the number of ops.
fn block_read_exact(
    r: &Driven<UringReactor<Vec<u8>>>,
    f: &FileRef,
    offset: u64,
    expected: &[u8],
) -> u64 {
    let mut done = 0;
    let mut ops = 0;
    while done < expected.len() {
        let len = expected.len() - done;
        let at = offset + done as u64;
        let c = block_on(op(
            r,
            f,
            Op::read(Vec::with_capacity(len), at, len).unwrap(),
        ));
        let n = c.result.unwrap();
        assert!(
            n > 0 && c.buf.unwrap() == expected[done..][..n],
            "read at {at}"
        );
        done += n;
        ops += 1;
    }
    ops
}

#[test]
fn driven_aio_completes_under_an_executor_that_never_turns() {
    let Some((r, _fb)) = common::aio::<Vec<u8>>() else {
        return;
    };
    let r = Arc::new(Driven::new(r).unwrap());
    let path = file_with("driven-a", b"data");
    let f = open_rw(&path);
    let syncs = (0..8).map(|i| {
        op(
            &*r,
            &f,
            if i % 2 == 0 {
                Op::fsync()
            } else {
                Op::fdatasync()
            },
        )
    });
    for c in block_on(join_all(syncs)) {
        assert_eq!(c.result, Ok(0));
    }
    assert_eq!(r.stats().submitted, 8, "syncs went to the kernel");
}
