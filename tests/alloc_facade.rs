//! No heap allocation per operation in steady state, through the facade: zero-copy
//! `write_buf` / `read_into` with reused buffers on whichever reactor serves the file
//! (`AIOFILE_REACTOR` to force one), counted by a global allocator that counts every
//! thread (the reactor's workers and drivers included).
#![allow(unsafe_code)] // the counting allocator only

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use aiofile::{AioFile, LineReader, TextLineReader};
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

/// The count covers every thread, so the tests of this binary take turns: one test's
/// allocations must not land in another's window (seen in CI once reads that waited
/// went to the pool and made a window long enough to overlap the other test).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

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

#[test]
fn steady_state_does_not_allocate() {
    let _turn = serial();
    let dir = TempDir::new("alloc");
    futures::executor::block_on(async {
        let file = AioFile::open(dir.join("f"), "w+").await.unwrap();
        let (wbuf, rbuf) = (vec![7u8; 4096], Vec::with_capacity(4096));
        println!("reactor: {}", file.reactor_info().expect("open"));
        // Warm up: the reactor, its threads, thread-locals, whichever thread runs which
        // job.
        for _ in 0..8 {
            let burst = (0..64u64).map(|i| file.write_buf(vec![1u8; 4096], i * 4096));
            for (res, _) in futures::future::join_all(burst).await {
                assert_eq!(res.unwrap(), 4096);
            }
        }
        let (mut wbuf, mut rbuf) = ops(&file, 64, wbuf, rbuf).await;
        // A thread allocates once when it starts running (its name), which on a busy
        // machine can be long after it was spawned: a window may catch that one-off. An
        // allocation per operation would show in every window.
        let mut windows = Vec::new();
        for _ in 0..3 {
            let before = ALLOCS.load(Ordering::Relaxed);
            (wbuf, rbuf) = ops(&file, 1000, wbuf, rbuf).await;
            windows.push(ALLOCS.load(Ordering::Relaxed) - before);
            if windows.last() == Some(&0) {
                break;
            }
        }
        println!("allocations per window of 2000 operations: {windows:?}");
        assert_eq!(
            windows.last(),
            Some(&0),
            "every window allocated: {windows:?}"
        );
        file.close().await.unwrap();
    });
}

/// A `LineReader` (and a `TextLineReader` through `next_line`) allocates when it is
/// made (its chunk and carry buffers), then nothing for a whole pass over a file: lines inside a chunk are borrowed, lines cut by a chunk
/// boundary are assembled in the reserved carry. Lines of 1 to 200 bytes, chunks of 512.
#[test]
fn a_line_reader_pass_allocates_only_at_construction() {
    let _turn = serial();
    let dir = TempDir::new("alloc-lines");
    let mut text = Vec::new();
    for i in 0..5000usize {
        text.extend(std::iter::repeat_n(b'a' + (i % 26) as u8, i * 37 % 200));
        text.push(b'\n');
    }
    futures::executor::block_on(async {
        let file = AioFile::open(dir.join("f"), "w+b").await.unwrap();
        file.write(&text, 0).await.unwrap();
        // Warm up the reactor (threads, thread-locals) with one pass.
        let mut warm = LineReader::new(&file, 0, 512, b"\n").unwrap();
        while warm.next_line().await.unwrap().is_some() {}
        let mut windows = Vec::new();
        for _ in 0..3 {
            let mut lines = LineReader::new(&file, 0, 512, b"\n").unwrap();
            let mut text_lines = TextLineReader::new(&file, 0, 512, "\n").unwrap();
            let (before, mut count, mut bytes) = (ALLOCS.load(Ordering::Relaxed), 0, 0);
            while let Some(line) = lines.next_line().await.unwrap() {
                count += 1;
                bytes += line.len();
            }
            while let Some(line) = text_lines.next_line().await.unwrap() {
                count += 1;
                bytes += line.len();
            }
            windows.push(ALLOCS.load(Ordering::Relaxed) - before);
            assert_eq!((count, bytes), (10_000, 2 * text.len()));
            if windows.last() == Some(&0) {
                break;
            }
        }
        println!("allocations per pass of 5000 lines, as bytes then as text: {windows:?}");
        assert_eq!(
            windows.last(),
            Some(&0),
            "every pass allocated: {windows:?}"
        );
        file.close().await.unwrap();
    });
}
