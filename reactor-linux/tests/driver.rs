//! The built-in driver thread: `futures::executor::block_on` never turns the reactor,
//! so completions that are not inline (an fsync in a kernel workqueue, an uncached
//! io_uring read) must be collected and woken by `Driven`'s thread.
mod common;

use std::sync::Arc;

use aiofile_core::Op;
use aiofile_reactor_linux::{evict_page_cache, Driven};
use common::{file_with, op, open_ro, open_rw, pattern};
use futures::executor::block_on;
use futures::future::join_all;

#[test]
fn driven_uring_completes_under_an_executor_that_never_turns() {
    let Some(r) = common::uring::<Vec<u8>>() else {
        return;
    };
    let r = Driven::new(r).unwrap();
    let data = pattern(16 * 65536, 6);
    let path = file_with("driven-u", &data);
    let f = open_ro(&path);
    evict_page_cache(&*f).unwrap();
    let reads = (0..16).map(|i| {
        op(
            &r,
            &f,
            Op::read(Vec::with_capacity(65536), i * 65536, 65536).unwrap(),
        )
    });
    for (i, c) in block_on(join_all(reads)).into_iter().enumerate() {
        assert_eq!(c.buf.unwrap(), &data[i * 65536..][..65536]);
    }
    assert!(r.stats().reaped >= 16);
    assert_eq!(block_on(op(&r, &open_rw(&path), Op::fsync())).result, Ok(0));
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
