//! Driving the reactors from an executor's own poller (no driver thread): tokio's
//! `AsyncFd` on the reactor's eventfd, and the hand-written executor of
//! `examples/driven_executor.rs`. Plus the executor-stall figure with kernel AIO forced:
//! a ticker task on the same thread as uncached buffered reads.
mod common;

#[path = "../examples/driven_executor.rs"]
#[allow(dead_code)]
mod driven_executor;

use std::sync::Arc;
use std::time::{Duration, Instant};

use aiofile_core::io::File;
use aiofile_pagecache as cache;
use aiofile_reactor_linux::{evict_page_cache, probe, AioReactor, Drive, Fallback, UringReactor};
use aiofile_reactor_threads::{ThreadConfig, ThreadReactor};
use tokio::io::unix::AsyncFd;

/// Waits for the eventfd in tokio's epoll and turns the reactor; forever.
async fn drive<R: Drive + std::os::fd::AsRawFd>(fd: Arc<AsyncFd<Arc<R>>>) {
    loop {
        let mut guard = fd.readable().await.expect("eventfd registered");
        // Clear first: a completion signalled after this point makes it readable again.
        guard.clear_ready();
        fd.get_ref().turn();
    }
}

/// Registers the reactor's eventfd with tokio. `AsyncFd::new` is deprecated for types
/// whose descriptor could change or close under it; the reactor owns its eventfd for
/// its whole life and the `Arc` keeps the reactor alive, so that cannot happen here.
#[allow(deprecated)]
fn async_fd<R: std::os::fd::AsRawFd>(reactor: &Arc<R>) -> Arc<AsyncFd<Arc<R>>> {
    Arc::new(AsyncFd::new(Arc::clone(reactor)).expect("register the eventfd"))
}

fn big_file(tag: &str, len: usize) -> common::TmpFile {
    let data = common::pattern(len, 7);
    let f = common::file_with(tag, &data);
    // Dirty pages cannot be dropped: write them back first.
    let file = std::fs::File::open(&*f).unwrap();
    file.sync_all().unwrap();
    evict_page_cache(file).unwrap();
    f
}

#[test]
fn tokio_async_fd_drives_io_uring() {
    let Some(reactor) = common::uring::<Vec<u8>>() else {
        return;
    };
    let reactor = Arc::new(reactor);
    let tmp = big_file("tokio-uring", 1 << 20);
    let expected = std::fs::read(&*tmp).unwrap();
    evict_page_cache(std::fs::File::open(&*tmp).unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let fd = async_fd(&reactor);
        let driver = tokio::spawn(drive(fd));
        let file = File::new(Arc::clone(&reactor), common::open_ro(&tmp));
        let reads = (0..64).map(|i| {
            let file = file.clone();
            async move { file.read(Vec::with_capacity(4096), i * 16384, 4096).await }
        });
        for (i, (res, buf)) in futures::future::join_all(reads)
            .await
            .into_iter()
            .enumerate()
        {
            assert_eq!(res, Ok(4096));
            let at = i * 16384;
            assert_eq!(buf, expected[at..at + 4096]);
        }
        driver.abort();
    });
    println!("io_uring via tokio AsyncFd: {:?}", reactor.stats());
}

#[test]
fn hand_written_executor_drives_io_uring() {
    let Some(reactor) = common::uring::<Vec<u8>>() else {
        return;
    };
    let tmp = big_file("hand-uring", 256 << 10);
    let expected = std::fs::read(&*tmp).unwrap();
    evict_page_cache(std::fs::File::open(&*tmp).unwrap()).unwrap();
    let file = File::new(&reactor, common::open_ro(&tmp));
    let got = driven_executor::block_on_driving(&reactor, async {
        let (res, buf) = file
            .read_exact_or_eof(Vec::with_capacity(256 << 10), 0, 256 << 10)
            .await;
        res.unwrap();
        buf
    });
    assert_eq!(got, expected);
}

#[test]
fn hand_written_executor_drives_kernel_aio_on_direct_files() {
    let Some((reactor, _fb)) = common::aio::<aiofile_reactor_linux::AlignedBuf>() else {
        return;
    };
    let tmp = common::tmp_path("hand-aio-direct");
    let Some(handle) = common::open_direct_rw(&tmp) else {
        return;
    };
    let file = File::new(&reactor, handle);
    let data = common::pattern(8192, 3);
    let back = driven_executor::block_on_driving(&reactor, async {
        let mut buf = aiofile_reactor_linux::AlignedBuf::new(8192, 4096);
        aiofile_core::IoBufMut::extend_from_slice(&mut buf, &data);
        let (res, _) = file.write_all(buf, 0).await;
        assert_eq!(res, Ok(8192));
        let (res, buf) = file
            .read(aiofile_reactor_linux::AlignedBuf::new(8192, 4096), 0, 8192)
            .await;
        assert_eq!(res, Ok(8192));
        buf
    });
    assert_eq!(aiofile_core::IoBuf::as_slice(&back), &data[..]);
}

/// The longest gap a ticker task on the same tokio thread sees while 32 uncached 4 KiB
/// random buffered reads run through kernel AIO. Printed, not asserted (timing is for
/// the benchmark); asserted: the reads went to the pool via `RWF_NOWAIT` misses rather
/// than being performed inside `io_submit` on the executor thread.
#[test]
fn kernel_aio_buffered_reads_do_not_stall_the_executor() {
    if let Err(e) = &probe().aio {
        println!("SKIP: kernel AIO unavailable: {e}");
        return;
    }
    let pool = ThreadReactor::<Vec<u8>>::new(ThreadConfig::default().nowait_reads(false)).unwrap();
    let fallback: Fallback<Vec<u8>> = Arc::new(pool);
    let reactor = Arc::new(AioReactor::new(fallback).unwrap());
    let len = 64 << 20;
    let tmp = big_file("stall-aio", len);
    if !cache::evict(std::fs::File::open(&*tmp).unwrap(), "the AIO stall figure") {
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (max_gap, reads) = rt.block_on(async {
        let fd = async_fd(&reactor);
        let driver = tokio::spawn(drive(fd));
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let ticker = tokio::spawn({
            let done = Arc::clone(&done);
            async move {
                let mut last = Instant::now();
                let mut max = Duration::ZERO;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    tokio::task::yield_now().await;
                    let now = Instant::now();
                    max = max.max(now - last);
                    last = now;
                }
                max
            }
        });
        let file = File::new(Arc::clone(&reactor), common::open_ro(&tmp));
        let mut reads = 0u64;
        let mut x = 12345u64;
        for _round in 0..16 {
            let batch = (0..32).map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let at = (x >> 33) % (len as u64 / 4096) * 4096;
                let file = file.clone();
                async move { file.read(Vec::with_capacity(4096), at, 4096).await.0 }
            });
            for r in futures::future::join_all(batch).await {
                assert_eq!(r, Ok(4096));
                reads += 1;
            }
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        let max = ticker.await.unwrap();
        driver.abort();
        (max, reads)
    });
    let stats = reactor.stats();
    println!(
        "kernel AIO, {reads} uncached 4 KiB buffered reads at depth 32: longest ticker gap {:?}; {stats:?}",
        max_gap
    );
    assert!(
        stats.nowait_punts > 0,
        "uncached buffered reads must be punted to the pool: {stats:?}"
    );
    let _ = UringReactor::<Vec<u8>>::new; // keep the import meaningful when io_uring is absent
}
