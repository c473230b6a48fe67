//! Reader, Writer and LineReader on the in-memory reactor under
//! `embassy_futures::block_on`, with a counting global allocator proving the code under
//! test allocates nothing (buffers are `StaticBuf`s made before counting starts).
#![allow(unsafe_code)] // the counting allocator below is the only unsafe here
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use aiofile_core::buf::StaticBuf;
use aiofile_core::io::{File, LineReader, Reader, Writer};
use aiofile_core::mem::{Fault, MemReactor};
use embassy_futures::block_on;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

type Mem = MemReactor<CriticalSectionRawMutex, StaticBuf, 4096, 4>;

fn static_buf(n: usize) -> StaticBuf {
    StaticBuf::new(Box::leak(vec![0u8; n].into_boxed_slice()))
}

#[test]
fn streams_allocate_nothing() {
    let reactor: Mem = MemReactor::new(b"");
    let bufs = [static_buf(16), static_buf(16), static_buf(7)];
    let mut out = [0u8; 4096];
    let [wbuf, rbuf, lbuf] = bufs;
    let text: &[u8] = b"alpha;beta;gamma;delta;epsilon";

    let before = ALLOCS.load(Ordering::SeqCst);
    let (lines, bytes) = block_on(async {
        let mut writer = Writer::new(File::new(&reactor, ()), 0, wbuf);
        for _ in 0..10 {
            writer.write_all(text).await.unwrap();
        }
        writer.flush().await.unwrap();
        reactor.inject(Fault::ShortRead(3)).unwrap();
        let mut reader = Reader::new(File::new(&reactor, ()), 0, 16, rbuf)
            .map_err(|e| e.0)
            .unwrap();
        let mut bytes = 0;
        while let Some(chunk) = reader.read_chunk().await.unwrap() {
            bytes += chunk.len();
        }
        let mut lines = LineReader::<_, 64>::new(File::new(&reactor, ()), 0, 7, b";", lbuf)
            .map_err(|e| e.0)
            .unwrap();
        let mut n = 0;
        while lines.next_line().await.unwrap().is_some() {
            n += 1;
        }
        (n, bytes)
    });
    let after = ALLOCS.load(Ordering::SeqCst);
    let len = reactor.snapshot(&mut out);
    assert_eq!(after - before, 0, "heap allocations in the async stack");
    assert_eq!(len, text.len() * 10);
    assert_eq!(bytes, len);
    assert_eq!(
        lines, 41,
        "4 separators per copy, the last copy's tail joins the next"
    );
}
