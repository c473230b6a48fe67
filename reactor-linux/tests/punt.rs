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

use aiofile_core::Op;
use aiofile_reactor_linux::evict_page_cache;
use common::{file_with, op, open_ro, pattern, read, run};

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

fn uncached_file(tag: &str, len: usize) -> (common::TmpFile, Vec<u8>) {
    let data = pattern(len, 11);
    let path = file_with(tag, &data);
    let f = std::fs::File::open(&path).unwrap();
    f.sync_all().unwrap(); // clean pages can be dropped
    evict_page_cache(&f).unwrap();
    (path, data)
}

#[test]
fn uncached_buffered_read_is_punted_to_the_fallback() {
    let Some((r, fb)) = common::aio::<Vec<u8>>() else {
        return;
    };
    const CHUNK: usize = 64 * 1024;
    let (path, data) = uncached_file("punt", 8 << 20);
    let f = open_ro(&path);
    let offsets: Vec<usize> = (0..8).map(|i| i << 20).collect();
    for &off in &offsets {
        assert_eq!(
            read(&r, &f, off as u64, CHUNK).unwrap(),
            &data[off..][..CHUNK]
        );
    }
    let first = r.stats();
    println!(
        "after uncached reads: {first:?}, fallback accepted {}",
        fb.accepted()
    );
    assert!(
        first.nowait_punts >= 1,
        "no RWF_NOWAIT refusal on an evicted file: {first:?}"
    );
    assert_eq!(
        fb.accepted(),
        first.nowait_punts,
        "every refusal went to the fallback, once"
    );
    assert_eq!(
        first.nowait_punts + first.inline,
        offsets.len() as u64,
        "each read was tried inline once, then punted at most once: {first:?}"
    );
    assert_eq!(
        first.submitted, 0,
        "buffered reads never reach io_submit (it would read inline on this thread)"
    );
    for &off in &offsets {
        assert_eq!(
            read(&r, &f, off as u64, CHUNK).unwrap(),
            &data[off..][..CHUNK]
        );
    }
    let second = r.stats();
    // After a run of misses the file's gate skips inline attempts for a while (cached
    // reads then take the pool: correct, just slower), so only the totals are fixed.
    assert_eq!(
        second.nowait_punts + second.inline,
        2 * offsets.len() as u64,
        "{second:?}"
    );
    assert_eq!(second.submitted, 0, "{second:?}");
    println!("after cached reads: {second:?}");
}

/// Figures only: the longest time one `poll` of a 4 MiB uncached read holds the caller,
/// for each backend, against a plain `pread`.
#[test]
fn report_time_held_in_reactor_for_uncached_reads() {
    const LEN: usize = 4 << 20;
    let (path, data) = uncached_file("held", LEN);
    let f = open_ro(&path);
    let start = Instant::now();
    let mut buf = vec![0; LEN];
    std::fs::File::open(&path)
        .unwrap()
        .read_exact_at(&mut buf, 0)
        .unwrap();
    let pread = start.elapsed();
    println!("FIGURE: blocking pread of 4 MiB uncached: {pread:?}");
    if let Some((r, _fb)) = common::aio::<Vec<u8>>() {
        evict_page_cache(&*f).unwrap();
        let fut = Timed {
            inner: Box::pin(op(
                &r,
                &f,
                Op::read(Vec::with_capacity(LEN), 0, LEN).unwrap(),
            )),
            longest: Duration::ZERO,
        };
        let (c, longest) = run(&r, fut);
        assert_eq!(c.buf.unwrap(), data);
        println!(
            "FIGURE: AioReactor 4 MiB uncached read: longest poll {longest:?}, {:?}",
            r.stats()
        );
    }
    if let Some(r) = common::uring::<Vec<u8>>() {
        evict_page_cache(&*f).unwrap();
        let fut = Timed {
            inner: Box::pin(op(
                &r,
                &f,
                Op::read(Vec::with_capacity(LEN), 0, LEN).unwrap(),
            )),
            longest: Duration::ZERO,
        };
        let (c, longest) = run(&r, fut);
        assert_eq!(c.buf.unwrap(), data);
        println!("FIGURE: UringReactor 4 MiB uncached read: longest poll {longest:?}");
    }
}
