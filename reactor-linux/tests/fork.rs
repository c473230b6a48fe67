//! After `fork`, a child must not use the parent's AIO context or io_uring (the AIO
//! ring and the io_uring rings are shared memory with the parent). The child's
//! reactor refuses service (`Forked`, `EINVAL` completions, `turn() == 0`), drops
//! without waiting, and a fresh reactor works; the parent's queued operation is
//! unaffected. The child reports through its exit code.
#![allow(unsafe_code)]
mod common;

use std::future::poll_fn;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use aiofile_core::{Errno, Op, Reactor, Submit, Ticket};
use aiofile_pagecache as cache;
use aiofile_reactor_linux::{AioReactor, Drive, FileRef, Forked, UringReactor};
use common::{file_with, open_ro, pattern, read, run, ThreadFallback};

/// Queues `op` in the kernel (an uncached read for io_uring, a sync for AIO: cached and
/// buffered reads would be answered inline or by the fallback pool).
fn queued<R: Reactor<Buf = Vec<u8>, File = FileRef>>(
    r: &R,
    f: &FileRef,
    op: Op<Vec<u8>>,
) -> Ticket {
    match r.try_submit(f, op) {
        Submit::Queued(t) => t,
        _ => panic!("expected Queued"),
    }
}

/// Queues an uncached read on io_uring. The read must miss the cache; a hit (the file
/// did not drop, or the readahead the miss started finished before `preadv2(RWF_NOWAIT)`
/// looked again, which a loaded machine allows) completes inline: then evict and try
/// again, and skip the io_uring part (printed) after 5 tries.
fn queued_uncached(r: &UringReactor<Vec<u8>>, f: &FileRef) -> Option<Ticket> {
    for _ in 0..5 {
        if !cache::evict(&**f, "the io_uring part of the fork test") {
            return None;
        }
        match r.try_submit(f, Op::read(Vec::with_capacity(4096), 0, 4096).unwrap()) {
            Submit::Queued(t) => return Some(t),
            Submit::Done(c) => assert_eq!(c.buf.unwrap(), pattern(4096, 4), "an inline hit"),
            Submit::Full(_) => panic!("an empty ring is full"),
        }
    }
    println!("SKIP: the io_uring part of the fork test: 5 uncached reads were all answered inline");
    None
}

/// The child's view of one inherited reactor; returns 0 or the number of the failed check.
fn inherited<R>(
    r: &R,
    t: &Ticket,
    f: &FileRef,
    parent: u32,
    check_owner: impl Fn(&R) -> Result<(), Forked>,
) -> i32
where
    R: Reactor<Buf = Vec<u8>, File = FileRef> + Drive,
{
    if check_owner(r)
        != Err(Forked {
            creator_pid: parent,
        })
    {
        return 1;
    }
    if r.turn() != 0 {
        return 2;
    }
    match r.poll_complete(t, &mut Context::from_waker(Waker::noop())) {
        Poll::Ready(c) if c.result == Err(Errno::EINVAL) => {}
        _ => return 3,
    }
    match r.try_submit(f, Op::read(Vec::with_capacity(16), 0, 16).unwrap()) {
        Submit::Done(c) if c.result == Err(Errno::EINVAL) => 0,
        _ => 4,
    }
}

/// The AIO reactor, its fallback and the ticket queued before the fork.
type InheritedAio = (AioReactor<Vec<u8>>, Arc<ThreadFallback<Vec<u8>>>, Ticket);

fn child(
    uring: Option<(UringReactor<Vec<u8>>, Ticket)>,
    aio: Option<InheritedAio>,
    f: &FileRef,
    parent: u32,
) -> i32 {
    // SAFETY: arms a timer signal; a hung child dies of SIGALRM instead of hanging the test.
    unsafe { libc::alarm(30) };
    if let Some((r, t)) = uring {
        match inherited(&r, &t, f, parent, UringReactor::check_owner) {
            0 => drop(r), // must not wait for the parent's ring
            n => return 10 + n,
        }
        let fresh = UringReactor::<Vec<u8>>::new().unwrap();
        if read(&fresh, f, 0, 4096).as_deref() != Ok(&pattern(4096, 4)[..]) {
            return 15;
        }
    }
    if let Some((r, fb, t)) = aio {
        match inherited(&r, &t, f, parent, AioReactor::check_owner) {
            0 => drop(r), // must not io_destroy or wait
            n => return 20 + n,
        }
        std::mem::forget(fb); // its worker threads live in the parent only
        let fresh = AioReactor::<Vec<u8>>::new(Arc::new(ThreadFallback::new(1, 4))).unwrap();
        if read(&fresh, f, 0, 4096).as_deref() != Ok(&pattern(4096, 4)[..]) {
            return 25;
        }
    }
    0
}

#[test]
fn forked_child_refuses_the_parents_reactors() {
    let path = file_with("fork", &pattern(4096, 4));
    let f = open_ro(&path);
    let uring = common::uring::<Vec<u8>>().and_then(|r| {
        let t = queued_uncached(&r, &f)?;
        Some((r, t))
    });
    let aio = common::aio::<Vec<u8>>().map(|(r, fb)| {
        let t = queued(&r, &f, Op::fdatasync());
        (r, fb, t)
    });
    let parent = std::process::id();
    // SAFETY: the child only runs `child` (no locks shared with other threads are
    // taken there besides malloc's, which glibc resets at fork) and leaves with `_exit`.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = child(uring, aio, &f, parent);
        // SAFETY: ends the child without unwinding into the test harness.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waits for our own child; `status` outlives the call.
    assert_eq!(unsafe { libc::waitpid(pid, &raw mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status),
        "child killed (hung?): status {status:#x}"
    );
    assert_eq!(
        libc::WEXITSTATUS(status),
        0,
        "child check failed (1x: io_uring, 2x: AIO; see `inherited`)"
    );
    if let Some((r, t)) = &uring {
        let c = run(r, poll_fn(|cx| r.poll_complete(t, cx)));
        assert_eq!(
            c.buf.unwrap(),
            pattern(4096, 4),
            "the parent's queued io_uring read"
        );
        assert!(r.check_owner().is_ok());
    }
    if let Some((r, _fb, t)) = &aio {
        let c = run(r, poll_fn(|cx| r.poll_complete(t, cx)));
        assert_eq!(c.result, Ok(0), "the parent's queued AIO sync");
    }
}
