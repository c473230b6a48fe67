//! Cooperative yielding: a task whose reads are all answered from the page cache (ready
//! on their first poll) still lets the other tasks of a single-threaded executor run,
//! at least once every 128 operations, like tokio's task budget. The same for reads
//! through `compat::PollFile` and the `futures-io` and `tokio` traits built on it (the
//! last two run with their features).
mod support;

use std::cell::Cell;
use std::future::poll_fn;
use std::rc::Rc;

use aiofile::{AioFile, Reader};
use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use support::Tmp;

/// The budget: operations a thread completes back to back before the next one yields.
const BUDGET: u32 = 128;

/// Counts how many operations the reading task completes between two polls of a
/// ticking task on the same thread, and keeps the longest run.
#[derive(Clone, Default)]
struct Runs {
    current: Rc<Cell<u32>>,
    longest: Rc<Cell<u32>>,
    done: Rc<Cell<bool>>,
}

impl Runs {
    fn op_done(&self) {
        self.current.set(self.current.get() + 1);
        self.longest.set(self.longest.get().max(self.current.get()));
    }

    fn ticker(&self) -> impl std::future::Future<Output = ()> + 'static {
        let runs = self.clone();
        async move {
            while !runs.done.get() {
                runs.current.set(0);
                yield_now().await;
            }
        }
    }
}

/// Returns `Pending` once, waking the task first: back to the end of the queue.
async fn yield_now() {
    let mut yielded = false;
    futures::future::poll_fn(|cx| {
        if yielded {
            return std::task::Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    })
    .await
}

/// Runs `reader` (a task that calls `op_done` per operation) beside a ticker; returns
/// the longest run of operations the ticker did not see.
fn longest_run<F>(reader: impl FnOnce(Runs) -> F) -> u32
where
    F: std::future::Future<Output = ()> + 'static,
{
    let runs = Runs::default();
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    let ticker = runs.ticker();
    spawner.spawn_local(ticker).unwrap();
    let task = reader(runs.clone());
    let done = runs.done.clone();
    spawner
        .spawn_local(async move {
            task.await;
            done.set(true);
        })
        .unwrap();
    pool.run();
    runs.longest.get()
}

#[test]
fn cached_reads_in_a_loop_let_other_tasks_run() {
    let tmp = Tmp::new(&vec![7u8; 64 * 1024]);
    let path = tmp.path().to_path_buf();
    let longest = longest_run(|runs| async move {
        let file = AioFile::open(&path, "rb").await.unwrap();
        let mut buf = Vec::with_capacity(4096);
        for i in 0..2000u64 {
            buf.clear();
            let (res, back) = file.read_into(buf, 4096, (i % 16) * 4096).await;
            assert_eq!(res.unwrap(), 4096);
            buf = back;
            runs.op_done();
        }
        file.close().await.unwrap();
    });
    println!("longest run of reads without the ticker: {longest}");
    assert!(longest <= BUDGET, "{longest} reads in a row");
}

#[test]
fn a_reader_over_a_cached_file_lets_other_tasks_run() {
    let tmp = Tmp::new(&vec![1u8; 1000 * 64]);
    let path = tmp.path().to_path_buf();
    let longest = longest_run(|runs| async move {
        let file = AioFile::open(&path, "rb").await.unwrap();
        let mut reader = Reader::new(&file, 0, 64).unwrap();
        let mut total = 0;
        while let Some(chunk) = reader.read_chunk_slice().await.unwrap() {
            total += chunk.len();
            runs.op_done();
        }
        assert_eq!(total, 1000 * 64);
        file.close().await.unwrap();
    });
    println!("longest run of chunks without the ticker: {longest}");
    assert!(longest <= BUDGET, "{longest} chunks in a row");
}

/// Reads `expected.len()` bytes with `read` (one call per loop, 128 bytes at a time),
/// calling `op_done` after each, and checks them.
async fn read_counting(
    runs: &Runs,
    expected: &[u8],
    mut read: impl AsyncFnMut(&mut [u8]) -> std::io::Result<usize>,
) {
    let mut got = Vec::with_capacity(expected.len());
    let mut buf = [0u8; 128];
    loop {
        let n = read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
        runs.op_done();
    }
    assert!(got == expected, "{} bytes read", got.len());
}

/// `PollFile`, the adapter under the `futures-io`, `tokio` and `embedded-io-async`
/// traits: 128-byte reads of a cached file are served from a 4 KiB read-ahead chunk
/// whose reads complete inline, so none returns `Pending`; each still spends the budget.
#[test]
fn poll_file_reads_of_a_cached_file_let_other_tasks_run() {
    let data = support::pattern(256 * 1024);
    let tmp = Tmp::new(&data);
    let path = tmp.path().to_path_buf();
    let longest = longest_run(|runs| async move {
        let mut file = support::poll_file(&path, "rb", 4096).await.unwrap();
        read_counting(&runs, &data, async |buf: &mut [u8]| {
            Ok(poll_fn(|cx| file.poll_read(cx, buf)).await?)
        })
        .await;
        poll_fn(|cx| file.poll_close(cx)).await.unwrap();
    });
    println!("longest run of PollFile reads without the ticker: {longest}");
    assert!(longest <= BUDGET, "{longest} reads in a row");
}

/// The same test through an `AsyncReadExt` trait on `PollFile`: `$trait` under feature
/// `$feature`, on the same `LocalPool` (no runtime of its own).
macro_rules! trait_reads_let_other_tasks_run {
    ($name:ident, $feature:literal, $trait:path) => {
        #[cfg(feature = $feature)]
        #[test]
        fn $name() {
            use $trait;
            let data = support::pattern(256 * 1024);
            let tmp = Tmp::new(&data);
            let path = tmp.path().to_path_buf();
            let longest = longest_run(|runs| async move {
                let mut file = support::poll_file(&path, "rb", 4096).await.unwrap();
                read_counting(&runs, &data, async |buf: &mut [u8]| file.read(buf).await).await;
            });
            println!(
                "longest run of {} reads without the ticker: {longest}",
                $feature
            );
            assert!(longest <= BUDGET, "{longest} reads in a row");
        }
    };
}

trait_reads_let_other_tasks_run!(
    futures_io_reads_of_a_cached_file_let_other_tasks_run,
    "futures-io",
    futures::io::AsyncReadExt
);
// tokio's `AsyncRead` goes through `PollFile::poll_fill_buf`.
trait_reads_let_other_tasks_run!(
    tokio_reads_of_a_cached_file_let_other_tasks_run,
    "tokio",
    tokio::io::AsyncReadExt
);
