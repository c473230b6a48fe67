//! `RWF_NOWAIT` on kernel AIO: a buffered read is tried inline with
//! `preadv2(RWF_NOWAIT)`; an uncached one comes back `-EAGAIN` and is handed to the
//! fallback (never resubmitted, never sent to `io_submit`), a cached one completes at
//! once. Also prints how long the calling thread is held inside the reactor
//! for an uncached read (a figure, not an assertion).
mod common;

use std::future::Future;
use std::os::unix::fs::FileExt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use aiofile_core::{Op, Reactor};
use aiofile_pagecache as cache;
use aiofile_reactor_linux::{AioReactor, Drive, FileRef};
use common::{file_with, op, open_ro, pattern, read_exact, run, Try};

/// Wraps a future and records the longest single `poll`.
struct Timed<F> {
    inner: Pin<Box<F>>,
    longest: Duration,
}

impl<F: Future> Future for Timed<F> {
    type Output = (F::Output, Duration);
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let start = Instant::now();
        let res = self.inner.as_mut().poll(cx);
        self.longest = self.longest.max(start.elapsed());
        res.map(|v| (v, self.longest))
    }
}

/// A file of `len` pattern bytes, written back and verified evicted from the page
/// cache, or `None` (after a `SKIP:` line) if the cache would not drop it.
fn uncached_file(tag: &str, len: usize) -> Option<(common::TmpFile, Vec<u8>)> {
    let data = pattern(len, 11);
    let path = file_with(tag, &data);
    let f = std::fs::File::open(&path).unwrap();
    cache::evict(&f, tag).then_some((path, data))
}

/// The eviction check is not vacuous: `mincore` counts every page of a file just read
/// as resident, and after an eviction only the pages read again.
#[test]
fn mincore_sees_cached_and_evicted_pages() {
    let page = cache::page_size();
    let data = pattern(64 * page + 100, 5);
    let path = file_with("mincore", &data);
    let f = std::fs::File::open(&path).unwrap();
    let mut buf = vec![0; data.len()];
    f.read_exact_at(&mut buf, 0).unwrap();
    assert_eq!(cache::resident_pages(&f).unwrap(), 65, "all cached");
    if !cache::evict(&f, "mincore check") {
        return;
    }
    cache::no_readahead(&f);
    f.read_exact_at(&mut buf[..16 * page], 0).unwrap();
    let resident = cache::resident_pages(&f).unwrap();
    println!("{resident} of 65 pages resident after reading 16 of an evicted file");
    assert!(
        (16..65).contains(&resident),
        "{resident} pages resident after reading 16 of 65"
    );
}

#[test]
fn uncached_buffered_read_is_punted_to_the_fallback() {
    if common::aio::<Vec<u8>>().is_none() {
        return;
    }
    const CHUNK: usize = 64 * 1024;
    let data = pattern(8 << 20, 11);
    let path = file_with("punt", &data);
    let offsets: Vec<usize> = (0..8).map(|i| i << 20).collect();
    // A read may come back short (the cached prefix of a partly cached range, e.g.
    // brought in by readahead): `read_exact` checks each piece and reads the rest, so
    // `ops` counts every read the reactor was given.
    let read_all = |r: &AioReactor<Vec<u8>>, f: &FileRef| {
        offsets
            .iter()
            .map(|&off| read_exact(r, f, off as u64, &data[off..][..CHUNK]))
            .sum::<usize>()
    };
    let Some((r, fb, f, mut ops)) = common::until_a_miss("AIO punt", || {
        // A fresh reactor (counters at zero) and descriptor (its gate open) each try.
        let (r, fb) = common::aio::<Vec<u8>>().expect("AIO was there a moment ago");
        let f = open_ro(&path);
        if !cache::evict(&*f, "AIO punt") {
            return Try::NotEvicted;
        }
        let ops = read_all(&r, &f);
        match r.stats() {
            s if s.nowait_punts == 0 => Try::AllInline(format!("{s:?}")),
            _ => Try::Missed((r, fb, f, ops)),
        }
    }) else {
        return;
    };
    let first = r.stats();
    println!(
        "after uncached reads ({ops} ops): {first:?}, fallback accepted {}",
        fb.accepted()
    );
    assert_eq!(
        fb.accepted(),
        first.nowait_punts,
        "every refusal went to the fallback, once"
    );
    assert_eq!(
        first.nowait_punts + first.inline,
        ops as u64,
        "each read was tried inline once, then punted at most once: {first:?}"
    );
    assert_eq!(
        first.submitted, 0,
        "buffered reads never reach io_submit (it would read inline on this thread)"
    );
    ops += read_all(&r, &f);
    let second = r.stats();
    // After a run of misses the file's gate skips inline attempts for a while (cached
    // reads then take the pool: correct, just slower), so only the totals are fixed.
    assert_eq!(
        second.nowait_punts + second.inline,
        ops as u64,
        "{second:?}"
    );
    assert_eq!(second.submitted, 0, "{second:?}");
    assert_eq!(fb.accepted(), second.nowait_punts, "{second:?}");
    println!("after cached reads ({ops} ops): {second:?}");
}

/// Figures only: the longest time one `poll` of a 4 MiB uncached read holds the caller,
/// for each backend, against a plain `pread`. Checked: every read returns the file's
/// bytes (the timed one may be short, the cached prefix of a partly cached range:
/// the rest is then read untimed).
#[test]
fn report_time_held_in_reactor_for_uncached_reads() {
    const LEN: usize = 4 << 20;
    let Some((path, data)) = uncached_file("held", LEN) else {
        return;
    };
    let f = open_ro(&path);
    let start = Instant::now();
    let mut buf = vec![0; LEN];
    std::fs::File::open(&path)
        .unwrap()
        .read_exact_at(&mut buf, 0)
        .unwrap();
    let pread = start.elapsed();
    assert!(buf == data);
    println!("FIGURE: blocking pread of 4 MiB uncached: {pread:?}");
    if let Some((r, _fb)) = common::aio::<Vec<u8>>() {
        if let Some(longest) = time_uncached_read(&r, &f, &data) {
            println!(
                "FIGURE: AioReactor 4 MiB uncached read: longest poll {longest:?}, {:?}",
                r.stats()
            );
        }
    }
    if let Some(r) = common::uring::<Vec<u8>>() {
        if let Some(longest) = time_uncached_read(&r, &f, &data) {
            println!(
                "FIGURE: UringReactor 4 MiB uncached read: longest poll {longest:?}, {:?}",
                r.stats()
            );
        }
    }
}

/// Evicts `f` (or returns `None` if the cache keeps it), then reads all of it in one op
/// and returns the longest single poll of that op; a short read is checked as a
/// prefix and completed with further reads.
fn time_uncached_read<R>(r: &R, f: &FileRef, data: &[u8]) -> Option<Duration>
where
    R: Reactor<Buf = Vec<u8>, File = FileRef> + Drive,
{
    if !cache::evict(&**f, "uncached read figure") {
        return None;
    }
    let fut = Timed {
        inner: Box::pin(op(
            r,
            f,
            Op::read(Vec::with_capacity(data.len()), 0, data.len()).unwrap(),
        )),
        longest: Duration::ZERO,
    };
    let (c, longest) = run(r, fut);
    let n = c.result.expect("uncached read");
    let buf = c.buf.unwrap();
    assert_eq!(buf.len(), n);
    assert!(n > 0, "an uncached read returned end of file");
    assert!(buf == data[..n], "wrong bytes in the first {n}");
    if n < data.len() {
        println!("short read: {n} of {} bytes; reading the rest", data.len());
        read_exact(r, f, n as u64, &data[n..]);
    }
    Some(longest)
}
