//! The same behaviour suite on every executor: tokio (multi-thread and current-thread),
//! smol, `futures::executor` (`block_on` and `LocalPool`), `embassy_futures::block_on`
//! and the hand-written executor of `examples/custom_executor.rs`.
//!
//! aiofile's futures only need a `Waker`; these tests show that whoever polls them (a
//! work-stealing pool, a busy-polling `block_on`, a 90-line executor), the results are
//! the same.
mod support;

#[path = "../examples/custom_executor.rs"]
mod custom_executor;

use std::future::Future;
use std::path::Path;
use std::pin::Pin;

use aiofile::{AioFile, Error, Result};
use support::TempDir;

/// A task body handed to the executor under test.
type Job = Pin<Box<dyn Future<Output = Result<Vec<u8>>> + Send>>;
/// How the executor under test runs a job as a task: spawn it and return its join
/// handle (or, for a bare `block_on`, return the job itself to be awaited in place).
type Spawn = dyn Fn(Job) -> Pin<Box<dyn Future<Output = Result<Vec<u8>>>>>;

/// Every check, in order. Panics on a wrong value; returns I/O errors.
async fn behaviour(dir: &Path, spawn: &Spawn) -> Result<()> {
    positional(dir).await?;
    holes(dir).await?;
    read_to_end(dir).await?;
    append(dir).await?;
    concurrent_reads(dir, spawn).await?;
    zero_copy(dir).await?;
    close_then_use(dir).await?;
    sync_and_set_len(dir).await?;
    Ok(())
}

/// Positional writes and reads: no cursor, never more than what is there.
async fn positional(dir: &Path) -> Result<()> {
    let path = dir.join("positional");
    let f = AioFile::open(&path, "w+").await?;
    assert_eq!(f.write(b"hello", 0).await?, 5);
    assert_eq!(f.write(b"world", 5).await?, 5);
    assert_eq!(f.read(10, 0).await?, b"helloworld");
    assert_eq!(f.read(100, 3).await?, b"loworld");
    assert_eq!(f.read(4, 10).await?, b"", "at end of file");
    assert_eq!(f.read(4, 1 << 20).await?, b"", "past end of file");
    assert_eq!(f.read(0, 0).await?, b"");
    assert_eq!(f.write(b"J", 0).await?, 1);
    assert_eq!(f.write(b"", 3).await?, 0);
    assert!(f.mode().writable && f.mode().readable);
    assert_eq!(f.path(), path);
    assert!(f.fileno()? >= 0);
    assert!(f.reactor_info().is_some());
    f.close().await?;
    assert_eq!(std::fs::read(&path)?, b"Jelloworld");
    Ok(())
}

/// A write past the end leaves a hole that reads as zeros.
async fn holes(dir: &Path) -> Result<()> {
    let f = AioFile::open(dir.join("holes"), "w+").await?;
    f.write(b"head", 0).await?;
    f.write(b"tail", 10_000).await?;
    assert_eq!(f.len().await?, 10_004);
    let all = f.read(20_000, 0).await?;
    assert_eq!(all.len(), 10_004);
    assert_eq!(&all[..4], b"head");
    assert!(
        all[4..10_000].iter().all(|&b| b == 0),
        "hole reads as zeros"
    );
    assert_eq!(&all[10_000..], b"tail");
    f.close().await
}

/// `read_to_end` from any offset, over several internal chunks, and on `/proc` files
/// whose size `stat` reports as 0.
async fn read_to_end(dir: &Path) -> Result<()> {
    let path = dir.join("big");
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &big)?;
    let f = AioFile::open(&path, "r").await?;
    assert_eq!(f.read_to_end(0).await?, big);
    assert_eq!(f.read_to_end(150_001).await?, &big[150_001..]);
    assert_eq!(f.read_to_end(big.len() as u64).await?, b"");
    assert_eq!(f.read_to_end(10 * big.len() as u64).await?, b"");
    let err = f.write(b"x", 0).await.expect_err("read-only file");
    assert_eq!(err.raw_os_error(), Some(libc::EBADF));
    f.close().await?;

    let proc = AioFile::open("/proc/self/status", "r").await?;
    assert_eq!(proc.len().await?, 0, "stat size of a /proc file");
    let status = String::from_utf8(proc.read_to_end(0).await?).expect("ASCII");
    assert!(status.starts_with("Name:"), "{status:?}");
    proc.close().await
}

/// Append mode: every write lands at the end, whatever offset it names.
async fn append(dir: &Path) -> Result<()> {
    let path = dir.join("append");
    std::fs::write(&path, b"start")?;
    let f = AioFile::open(&path, "a+").await?;
    f.write(b"-one", 0).await?;
    f.write(b"-two", 2).await?;
    assert_eq!(f.read(100, 0).await?, b"start-one-two");
    f.close().await?;
    assert_eq!(std::fs::read(&path)?, b"start-one-two");
    Ok(())
}

const REGION: usize = 64 * 1024;
const TASKS: usize = 16;

fn region(i: usize) -> Vec<u8> {
    (0..REGION).map(|j| (i * 7 + j % 253) as u8).collect()
}

/// Several tasks read their own region of one shared file at once; the same reads
/// also run as concurrent futures inside this one task.
async fn concurrent_reads(dir: &Path, spawn: &Spawn) -> Result<()> {
    let path = dir.join("regions");
    std::fs::write(&path, (0..TASKS).flat_map(region).collect::<Vec<u8>>())?;
    let f = AioFile::open(&path, "r").await?;
    let reads = (0..TASKS).map(|i| {
        let f = f.clone();
        async move { f.read(REGION, (i * REGION) as u64).await }
    });
    let handles: Vec<_> = reads.clone().map(|job| spawn(Box::pin(job))).collect();
    for (i, handle) in handles.into_iter().enumerate() {
        assert!(handle.await? == region(i), "task {i} read the wrong bytes");
    }
    let joined = futures::future::try_join_all(reads).await?;
    for (i, got) in joined.iter().enumerate() {
        assert!(*got == region(i), "future {i} read the wrong bytes");
    }
    f.close().await
}

/// `read_into` appends after the bytes already in the buffer and hands it back;
/// `write_buf` hands its buffer back untouched.
async fn zero_copy(dir: &Path) -> Result<()> {
    let f = AioFile::open(dir.join("zero-copy"), "w+").await?;
    let (res, data) = f.write_buf(b"0123456789".to_vec(), 0).await;
    assert_eq!((res?, &data[..]), (10, &b"0123456789"[..]));
    let mut buf = Vec::with_capacity(6 + 100);
    buf.extend_from_slice(b"canary");
    let (res, buf) = f.read_into(buf, 100, 2).await;
    assert_eq!((res?, &buf[..]), (8, &b"canary23456789"[..]));
    let (res, buf) = f.read_into(Vec::with_capacity(4), 100, 0).await;
    let err = res.expect_err("buffer too small");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(buf.capacity(), 4, "the buffer comes back with the error");
    f.close().await
}

/// After `close`, every operation (through any clone) is `Error::Closed`.
async fn close_then_use(dir: &Path) -> Result<()> {
    let f = AioFile::open(dir.join("closed"), "w+").await?;
    let other = f.clone();
    f.write(b"data", 0).await?;
    f.close().await?;
    assert!(other.is_closed());
    assert!(matches!(other.read(4, 0).await, Err(Error::Closed)));
    assert!(matches!(f.write(b"x", 0).await, Err(Error::Closed)));
    assert!(matches!(f.fsync().await, Err(Error::Closed)));
    let (res, _) = f.read_into(Vec::with_capacity(4), 4, 0).await;
    assert!(matches!(res, Err(Error::Closed)));
    f.close().await // closing twice is fine
}

/// `fsync`, `fdsync`, and `set_len` shrinking and growing the file.
async fn sync_and_set_len(dir: &Path) -> Result<()> {
    let path = dir.join("sync");
    let f = AioFile::open(&path, "w+").await?;
    f.write(&[7u8; 1000], 0).await?;
    f.fsync().await?;
    f.fdsync().await?;
    f.set_len(10).await?;
    assert_eq!(f.len().await?, 10);
    assert_eq!(f.read(100, 0).await?, [7u8; 10]);
    f.set_len(50).await?;
    let grown = f.read(100, 0).await?;
    assert_eq!(
        (&grown[..10], &grown[10..]),
        (&[7u8; 10][..], &[0u8; 40][..])
    );
    f.close().await?;
    let ro = AioFile::open(&path, "r").await?;
    assert!(ro.set_len(0).await.is_err(), "set_len on a read-only file");
    ro.close().await?;
    assert_eq!(std::fs::metadata(&path)?.len(), 50);
    Ok(())
}

/// For executors without tasks: run the job in place (still concurrently with the
/// others, through `try_join_all`).
fn in_place(job: Job) -> Pin<Box<dyn Future<Output = Result<Vec<u8>>>>> {
    job
}

#[test]
fn tokio_multi_thread() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let dir = TempDir::new("exec-tokio-mt");
    let spawn = |job| -> Pin<Box<dyn Future<Output = _>>> {
        Box::pin(async move { tokio::spawn(job).await.expect("task panicked") })
    };
    rt.block_on(behaviour(dir.path(), &spawn)).unwrap();
}

#[test]
fn tokio_current_thread() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let dir = TempDir::new("exec-tokio-ct");
    let spawn = |job| -> Pin<Box<dyn Future<Output = _>>> {
        Box::pin(async move { tokio::task::spawn(job).await.expect("task panicked") })
    };
    rt.block_on(behaviour(dir.path(), &spawn)).unwrap();
}

#[test]
fn smol() {
    let dir = TempDir::new("exec-smol");
    let spawn = |job| -> Pin<Box<dyn Future<Output = _>>> { Box::pin(smol::spawn(job)) };
    smol::block_on(behaviour(dir.path(), &spawn)).unwrap();
}

#[test]
fn futures_block_on() {
    let dir = TempDir::new("exec-futures");
    futures::executor::block_on(behaviour(dir.path(), &in_place)).unwrap();
}

#[test]
fn futures_local_pool() {
    use futures::task::LocalSpawnExt;
    let dir = TempDir::new("exec-futures-pool");
    let mut pool = futures::executor::LocalPool::new();
    let spawner = pool.spawner();
    let spawn = move |job| -> Pin<Box<dyn Future<Output = _>>> {
        Box::pin(spawner.spawn_local_with_handle(job).expect("spawn"))
    };
    pool.run_until(behaviour(dir.path(), &spawn)).unwrap();
}

#[test]
fn embassy_block_on() {
    let dir = TempDir::new("exec-embassy");
    embassy_futures::block_on(behaviour(dir.path(), &in_place)).unwrap();
}

#[test]
fn custom_executor() {
    let dir = TempDir::new("exec-custom");
    let spawn = |job| -> Pin<Box<dyn Future<Output = _>>> { Box::pin(custom_executor::spawn(job)) };
    custom_executor::block_on(behaviour(dir.path(), &spawn)).unwrap();
}

#[test]
fn custom_executor_example_runs() {
    custom_executor::main().expect("the example's own demo");
}
