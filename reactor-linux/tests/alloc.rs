//! Zero heap allocations per operation in steady state, for both backends: a counting
//! global allocator counts this thread's allocations while ops are submitted, polled
//! and completed (buffers are reused through the completions).
#![allow(unsafe_code)]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use aiofile_core::{IoBufMut, Op, Reactor};
use aiofile_reactor_linux::{AlignedBuf, Drive, FileRef};
use common::{file_with, op, open_direct_rw, open_rw, pattern, tmp_path};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator unchanged; the counters are const-initialised
// thread-locals of `Cell`s, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Allocations made by this thread while running `f`.
fn count<T>(f: impl FnOnce() -> T) -> (T, u64) {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|c| c.set(true));
    let out = f();
    COUNTING.with(|c| c.set(false));
    (out, COUNT.with(Cell::get))
}

/// A no-allocation driver: polls with the no-op waker, turns and waits while pending.
fn drive<D: Drive, F: Future>(d: &D, fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        if d.turn() == 0 {
            d.wait(Some(Duration::from_millis(1))).unwrap();
        }
    }
}

/// One round: write (if `write`), read back, fdatasync, fsync; returns the buffer.
fn round<R, B>(r: &R, f: &FileRef, mut buf: B, len: usize, write: bool) -> B
where
    R: Reactor<Buf = B, File = FileRef> + Drive,
    B: IoBufMut + Unpin + std::fmt::Debug,
{
    if write {
        let c = drive(r, op(r, f, Op::write(buf, 0, 0).unwrap()));
        assert_eq!(c.result, Ok(len));
        buf = c.buf.unwrap();
    }
    buf.clear();
    let c = drive(r, op(r, f, Op::read(buf, 0, len).unwrap()));
    assert_eq!(c.result, Ok(len));
    buf = c.buf.unwrap();
    assert_eq!(drive(r, op(r, f, Op::fdatasync())).result, Ok(0));
    assert_eq!(drive(r, op(r, f, Op::fsync())).result, Ok(0));
    buf
}

/// Warms up, then asserts 200 rounds allocate nothing. `misses` counts the reads that
/// missed the page cache so far: a miss goes to the fallback, which is not under test
/// here (the kernel may refuse an `RWF_NOWAIT` read of a cached page, e.g. one locked
/// for a moment by reclaim or migration), so a window with a miss is run again, at
/// most 3 times.
fn steady<R, B>(
    name: &str,
    r: &R,
    f: &FileRef,
    mut buf: B,
    len: usize,
    write: bool,
    misses: impl Fn() -> u64,
) where
    R: Reactor<Buf = B, File = FileRef> + Drive,
    B: IoBufMut + Unpin + std::fmt::Debug,
{
    for _ in 0..20 {
        buf = round(r, f, buf, len, write);
    }
    for window in 1..=3 {
        let before = misses();
        let (back, n) = count(|| (0..200).fold(buf, |b, _| round(r, f, b, len, write)));
        buf = back;
        let missed = misses() - before;
        println!(
            "{name}: {n} allocations in 200 rounds ({} ops), {missed} cache misses",
            if write { 800 } else { 600 }
        );
        if missed == 0 {
            assert_eq!(n, 0, "{name}: allocations in steady state");
            return;
        }
        println!("{name}: window {window} had a cache miss; measuring again");
    }
    panic!("{name}: every window had a read that missed a cached page");
}

fn filled(len: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(len);
    v.extend_from_slice(&pattern(len, 1));
    v
}

#[test]
fn uring_buffered_ops_do_not_allocate() {
    let Some(r) = common::uring::<Vec<u8>>() else {
        return;
    };
    let f = open_rw(&file_with("alloc-u", &pattern(4096, 1)));
    steady(
        "io_uring buffered read/write/syncs",
        &r,
        &f,
        filled(4096),
        4096,
        true,
        || 0, // a miss goes to the ring, no fallback
    );
}

#[test]
fn aio_buffered_reads_and_syncs_do_not_allocate() {
    let Some((r, _fb)) = common::aio::<Vec<u8>>() else {
        return;
    };
    let f = open_rw(&file_with("alloc-a", &pattern(4096, 1)));
    // Buffered writes belong to the fallback (its own allocations); reads are
    // RWF_NOWAIT page-cache hits, syncs are IOCB_CMD_FSYNC/FDSYNC.
    let misses = || r.stats().nowait_punts;
    steady(
        "AIO buffered read/syncs",
        &r,
        &f,
        filled(4096),
        4096,
        false,
        misses,
    );
    assert_eq!(r.stats().write_punts, 0);
}

fn direct_buf(len: usize) -> AlignedBuf {
    let mut b = AlignedBuf::new(len, 4096);
    b.set_len(len);
    b.as_mut_slice().copy_from_slice(&pattern(len, 2));
    b
}

#[test]
fn direct_ops_do_not_allocate_on_either_backend() {
    let path = tmp_path("alloc-d");
    let Some(f) = open_direct_rw(&path) else {
        return;
    };
    if let Some(r) = common::uring::<AlignedBuf>() {
        steady(
            "io_uring O_DIRECT read/write/syncs",
            &r,
            &f,
            direct_buf(4096),
            4096,
            true,
            || 0, // O_DIRECT: no page cache, no fallback
        );
    }
    if let Some((r, _fb)) = common::aio::<AlignedBuf>() {
        steady(
            "AIO O_DIRECT read/write/syncs",
            &r,
            &f,
            direct_buf(4096),
            4096,
            true,
            || 0, // O_DIRECT: no page cache, no fallback
        );
        let s = r.stats();
        assert_eq!((s.write_punts, s.nowait_punts), (0, 0), "{s:?}");
    }
}

#[test]
fn the_counter_counts() {
    let (v, n) = count(|| vec![1u8; 10]);
    assert_eq!((v.len(), n), (10, 1));
}
