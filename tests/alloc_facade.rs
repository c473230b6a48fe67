//! No heap allocation per operation in steady state, through the facade: zero-copy
//! `write_buf` / `read_into` with reused buffers on the thread-pool reactor, counted by a
//! global allocator that counts every thread (the reactor's workers included).
#![allow(unsafe_code)] // the counting allocator only

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aiofile::AioFile;
use support::TempDir;

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to `System` unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (see `alloc`).
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract for `realloc` is passed on as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// `rounds` writes then reads of 4 KiB at rotating offsets, reusing two buffers.
async fn ops(
    file: &AioFile,
    rounds: u64,
    mut wbuf: Vec<u8>,
    mut rbuf: Vec<u8>,
) -> (Vec<u8>, Vec<u8>) {
    for i in 0..rounds {
        let at = (i % 16) * 4096;
        let (res, b) = file.write_buf(wbuf, at).await;
        assert_eq!(res.unwrap(), 4096);
        wbuf = b;
        rbuf.clear();
        let (res, b) = file.read_into(rbuf, 4096, at).await;
        assert_eq!(res.unwrap(), 4096);
        assert!(b == wbuf);
        rbuf = b;
    }
    (wbuf, rbuf)
}

/// Waits until every worker of the facade's thread-pool reactor has started (its OS
/// name is set after std's start-up allocations).
fn wait_for_workers() {
    let want = aiofile_reactor_threads::ThreadConfig::DEFAULT_WORKERS;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let started = std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
            .filter(|name| name.starts_with("aiofile-worker"))
            .count();
        if started >= want || Instant::now() > deadline {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn steady_state_does_not_allocate() {
    let dir = TempDir::new("alloc");
    futures::executor::block_on(async {
        let file = AioFile::open(dir.join("f"), "w+").await.unwrap();
        let (wbuf, rbuf) = (vec![7u8; 4096], Vec::with_capacity(4096));
        // Warm up: the reactor, its worker threads (a thread allocates its name when it
        // starts running, which on a busy machine can be long after it was spawned),
        // thread-locals, whichever worker runs which job.
        wait_for_workers();
        for _ in 0..8 {
            let burst = (0..64u64).map(|i| file.write_buf(vec![1u8; 4096], i * 4096));
            for (res, _) in futures::future::join_all(burst).await {
                assert_eq!(res.unwrap(), 4096);
            }
        }
        let (wbuf, rbuf) = ops(&file, 64, wbuf, rbuf).await;
        let before = ALLOCS.load(Ordering::Relaxed);
        ops(&file, 1000, wbuf, rbuf).await;
        let allocs = ALLOCS.load(Ordering::Relaxed) - before;
        println!("allocations during 2000 operations: {allocs}");
        assert_eq!(allocs, 0, "allocations during 2000 steady-state operations");
        file.close().await.unwrap();
    });
}
