//! No heap allocation per operation in steady state: after a warm-up, 10,000 reads and
//! writes per reactor (pool only, and with inline `RWF_NOWAIT` reads), reusing the same
//! `Vec` buffers, allocate nothing on any thread. A counting global allocator is
//! per binary, hence this file holds a single test.
mod common;

use aiofile_core::{Completion, Op};
use aiofile_reactor_threads::ThreadReactor;
use common::{pattern_at, reactor, run_all, OpFut, TempFile};

mod counting {
    //! The counting allocator: `System`, plus a counter of allocation calls.
    #![allow(unsafe_code)]
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicU64, Ordering};

    pub static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

    pub struct Counting;

    // SAFETY: every method forwards to `System` with the caller's arguments unchanged,
    // so `System`'s guarantees hold; the counter has no effect on the memory.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            // SAFETY: forwarded from our caller's contract.
            unsafe { System.alloc(layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            // SAFETY: forwarded from our caller's contract.
            unsafe { System.alloc_zeroed(layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            // SAFETY: forwarded from our caller's contract.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: forwarded from our caller's contract.
            unsafe { System.dealloc(ptr, layout) }
        }
    }
}

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

const DEPTH: usize = 4;
const SIZE: usize = 512;

/// Runs `rounds` rounds of DEPTH concurrent ops (even: writes, odd: reads), reusing
/// `bufs`; checks every result. The file is `block` repeated and the writes write
/// `block` again, so every read must return `block`.
fn rounds(
    r: &ThreadReactor<Vec<u8>>,
    tmp: &TempFile,
    bufs: &mut [Option<Vec<u8>>; DEPTH],
    block: &[u8],
    rounds: usize,
) {
    for round in 0..rounds {
        let offset = |i: usize| (((round * DEPTH + i) % 64) * SIZE) as u64;
        let mut make = |i: usize| {
            let mut buf = bufs[i].take().unwrap();
            let op = if i % 2 == 0 {
                Op::write(buf, offset(i), 0).unwrap()
            } else {
                buf.clear();
                Op::read(buf, offset(i), SIZE).unwrap()
            };
            OpFut::new(r, &tmp.file, op)
        };
        let mut futs = [make(0), make(1), make(2), make(3)];
        let mut out: [Option<Completion<Vec<u8>>>; DEPTH] = [None, None, None, None];
        run_all(&mut futs, &mut out);
        for (i, done) in out.iter_mut().enumerate() {
            let done = done.take().unwrap();
            assert_eq!(done.result, Ok(SIZE));
            assert_eq!(done.buf.as_deref(), Some(block));
            bufs[i] = done.buf;
        }
    }
}

#[test]
fn steady_state_operations_do_not_allocate() {
    let block = pattern_at(0, SIZE);
    let tmp = TempFile::new("alloc", &block.repeat(64));
    let pool = reactor(2, 16, false);
    let inline = reactor(2, 16, true);
    let mut bufs = [0, 1, 2, 3].map(|i| {
        Some(if i % 2 == 0 {
            block.clone()
        } else {
            Vec::with_capacity(SIZE)
        })
    });
    rounds(&pool, &tmp, &mut bufs, &block, 250);
    rounds(&inline, &tmp, &mut bufs, &block, 250);

    let count = || counting::ALLOCATIONS.load(std::sync::atomic::Ordering::SeqCst);
    let probe = count();
    drop(std::hint::black_box(Box::new(0u64)));
    assert!(count() > probe, "the counter sees allocations");

    let before = count();
    rounds(&pool, &tmp, &mut bufs, &block, 2_500);
    rounds(&inline, &tmp, &mut bufs, &block, 2_500);
    let allocations = count() - before;

    let (p, n) = (pool.stats(), inline.stats());
    println!("measured window: 20,000 ops, {allocations} allocations; pool {p:?}; inline {n:?}");
    assert_eq!(allocations, 0, "steady-state operations allocated");
    assert_eq!(p.submitted, 11_000);
    assert_eq!(n.submitted, 11_000);
    assert_eq!(tmp.contents(), block.repeat(64));
}
