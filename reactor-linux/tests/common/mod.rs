//! Shared test harness: backends (probed first, skipped with a message), a minimal
//! future over the reactor contract, a block_on that turns the reactor while waiting,
//! and temporary files.
#![allow(dead_code)]

pub mod fallback;

use std::fs::{File, OpenOptions};
use std::future::Future;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use aiofile_core::{Completion, Errno, IoBufMut, Op, Reactor, Submit, Ticket};
use aiofile_reactor_linux::{probe, AioReactor, Drive, FileHandle, FileRef, UringReactor};
use aiofile_reactor_threads::{ThreadConfig, ThreadReactor};

pub use fallback::ThreadFallback;

/// The io_uring backend, or `None` after printing why it is skipped.
pub fn uring<B: IoBufMut + Send + 'static>() -> Option<UringReactor<B>> {
    uring_with(128)
}

pub fn uring_with<B: IoBufMut + Send + 'static>(entries: u32) -> Option<UringReactor<B>> {
    if let Err(e) = &probe().uring {
        println!("SKIP: io_uring unavailable: {e}");
        return None;
    }
    Some(UringReactor::with_entries(entries).expect("probe said io_uring works"))
}

/// The io_uring backend handing buffered writes to a thread pool (the production one,
/// 2 workers, 256 slots), or `None` after printing why it is skipped.
pub fn uring_punting<B: IoBufMut + Send + 'static>(
) -> Option<(UringReactor<B>, Arc<ThreadReactor<B>>)> {
    uring_punting_with(128, 256)
}

/// As [`uring_punting`], with `entries` ring slots and `pool_slots` pool slots.
pub fn uring_punting_with<B: IoBufMut + Send + 'static>(
    entries: u32,
    pool_slots: usize,
) -> Option<(UringReactor<B>, Arc<ThreadReactor<B>>)> {
    if let Err(e) = &probe().uring {
        println!("SKIP: io_uring unavailable: {e}");
        return None;
    }
    let config = ThreadConfig::default().workers(2).slots(pool_slots);
    let pool = Arc::new(ThreadReactor::new(config).unwrap());
    let r = UringReactor::with_entries_and_fallback(entries, pool.clone())
        .expect("probe said io_uring works");
    Some((r, pool))
}

/// The kernel AIO backend with a thread fallback, or `None` after printing why.
pub fn aio<B: IoBufMut + Send + 'static>() -> Option<(AioReactor<B>, Arc<ThreadFallback<B>>)> {
    aio_with(128)
}

pub fn aio_with<B: IoBufMut + Send + 'static>(
    entries: u32,
) -> Option<(AioReactor<B>, Arc<ThreadFallback<B>>)> {
    if let Err(e) = &probe().aio {
        println!("SKIP: kernel AIO unavailable: {e}");
        return None;
    }
    let fb = Arc::new(ThreadFallback::new(2, 256));
    let reactor = AioReactor::with_entries(entries, fb.clone()).expect("probe said AIO works");
    Some((reactor, fb))
}

/// A path in the target directory (ext4 here; `/tmp` may be tmpfs elsewhere), removed
/// on drop.
pub struct TmpFile(PathBuf);

impl std::ops::Deref for TmpFile {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl AsRef<std::path::Path> for TmpFile {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TmpFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A fresh path (nothing created yet).
pub fn tmp_path(tag: &str) -> TmpFile {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let name = format!("aiofile-linux-{}-{tag}-{n}", std::process::id());
    TmpFile(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name))
}

/// Writes `data` to a new file, on the device (so that `evict_page_cache` can really
/// drop its pages: dirty pages cannot be dropped), and returns its path.
pub fn file_with(tag: &str, data: &[u8]) -> TmpFile {
    let path = tmp_path(tag);
    let mut f = File::create(&*path).unwrap();
    std::io::Write::write_all(&mut f, data).unwrap();
    f.sync_all().unwrap();
    path
}

pub fn handle(file: File) -> FileRef {
    Arc::new(FileHandle::new(file.into()).unwrap())
}

pub fn open_rw(path: &PathBuf) -> FileRef {
    handle(
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .unwrap(),
    )
}

pub fn open_ro(path: &PathBuf) -> FileRef {
    handle(File::open(path).unwrap())
}

pub fn open_wo(path: &PathBuf) -> FileRef {
    handle(OpenOptions::new().write(true).open(path).unwrap())
}

/// Opens with `O_DIRECT`, or `None` after printing why it is skipped.
pub fn open_direct_rw(path: &PathBuf) -> Option<FileRef> {
    let mut o = OpenOptions::new();
    o.read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644);
    match aiofile_reactor_linux::open_direct(path, &o) {
        Ok(f) => Some(handle(f)),
        Err(e) => {
            println!("SKIP: O_DIRECT in {}: {e}", path.display());
            None
        }
    }
}

/// Deterministic test data.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// The conformance driver's future: submit → (on `Full`: `poll_ready`) →
/// `poll_complete`; dropping it mid-flight calls `abandon`.
pub struct OpFuture<'r, R: Reactor> {
    reactor: &'r R,
    file: R::File,
    state: OpState<R::Buf>,
}

enum OpState<B> {
    Start(Op<B>),
    Room(Op<B>),
    Queued(Ticket),
    Finished,
}

pub fn op<'r, R>(reactor: &'r R, file: &FileRef, op: Op<R::Buf>) -> OpFuture<'r, R>
where
    R: Reactor<File = FileRef>,
{
    OpFuture {
        reactor,
        file: file.clone(),
        state: OpState::Start(op),
    }
}

impl<R: Reactor> OpFuture<'_, R> {
    /// Whether the op is in the reactor (so dropping it abandons a ticket).
    pub fn is_queued(&self) -> bool {
        matches!(self.state, OpState::Queued(_))
    }
}

impl<R: Reactor> Future for OpFuture<'_, R>
where
    R::Buf: Unpin,
    R::File: Unpin,
{
    type Output = Completion<R::Buf>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.state, OpState::Finished) {
                OpState::Start(op) => match this.reactor.try_submit(&this.file, op) {
                    Submit::Queued(t) => this.state = OpState::Queued(t),
                    Submit::Done(c) => return Poll::Ready(c),
                    Submit::Full(op) => this.state = OpState::Room(op),
                },
                OpState::Room(op) => {
                    if this.reactor.poll_ready(cx).is_pending() {
                        this.state = OpState::Room(op);
                        return Poll::Pending;
                    }
                    this.state = OpState::Start(op);
                }
                OpState::Queued(t) => match this.reactor.poll_complete(&t, cx) {
                    Poll::Ready(c) => return Poll::Ready(c),
                    Poll::Pending => {
                        this.state = OpState::Queued(t);
                        return Poll::Pending;
                    }
                },
                OpState::Finished => panic!("polled after completion"),
            }
        }
    }
}

impl<R: Reactor> Drop for OpFuture<'_, R> {
    fn drop(&mut self) {
        if let OpState::Queued(t) = std::mem::replace(&mut self.state, OpState::Finished) {
            self.reactor.abandon(t);
        }
    }
}

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::Release);
    }
}

/// Runs `fut` to completion; while it is pending, calls `turn()` and waits on the
/// reactor's descriptor (2 ms at a time, since a fallback thread wakes the task, not
/// the descriptor). Panics after a minute instead of hanging the suite.
pub fn run<D: Drive + ?Sized, F: Future>(d: &D, fut: F) -> F::Output {
    let flag = Arc::new(Flag(AtomicBool::new(false)));
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    let start = Instant::now();
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        while !flag.0.swap(false, Ordering::AcqRel) {
            d.turn();
            if flag.0.swap(false, Ordering::AcqRel) {
                break;
            }
            d.wait(Some(Duration::from_millis(2))).unwrap();
            assert!(start.elapsed() < Duration::from_secs(60), "operation hung");
        }
    }
}

/// Reads `len` bytes at `offset` into a fresh `Vec`.
pub fn read<R>(r: &R, file: &FileRef, offset: u64, len: usize) -> Result<Vec<u8>, Errno>
where
    R: Reactor<Buf = Vec<u8>, File = FileRef> + Drive,
{
    let c = run(
        r,
        op(
            r,
            file,
            Op::read(Vec::with_capacity(len), offset, len).unwrap(),
        ),
    );
    c.result.map(|n| {
        let buf = c.buf.unwrap();
        assert_eq!(buf.len(), n);
        buf
    })
}

/// Reads `expected.len()` bytes at `offset`, one op after another until all are in,
/// and returns how many ops that took. A completion may be short (an `RWF_NOWAIT`
/// read of a partly cached range returns the cached prefix), but must be non-empty
/// and hold exactly the next bytes of `expected`.
pub fn read_exact<R>(r: &R, file: &FileRef, offset: u64, expected: &[u8]) -> usize
where
    R: Reactor<Buf = Vec<u8>, File = FileRef> + Drive,
{
    let (mut done, mut ops) = (0, 0);
    while done < expected.len() {
        let at = offset + done as u64;
        let got = read(r, file, at, expected.len() - done).expect("read");
        ops += 1;
        assert!(
            !got.is_empty(),
            "end of file at {at}, before the expected data"
        );
        assert!(got == expected[done..][..got.len()], "wrong bytes at {at}");
        done += got.len();
    }
    ops
}

/// Writes `data` at `offset`.
pub fn write<R>(r: &R, file: &FileRef, offset: u64, data: &[u8]) -> Result<usize, Errno>
where
    R: Reactor<Buf = Vec<u8>, File = FileRef> + Drive,
{
    run(r, op(r, file, Op::write(data.to_vec(), offset, 0).unwrap())).result
}

/// Runs a sync op.
pub fn sync<R>(r: &R, file: &FileRef, data_only: bool) -> Result<usize, Errno>
where
    R: Reactor<Buf = Vec<u8>, File = FileRef> + Drive,
{
    let o = if data_only {
        Op::fdatasync()
    } else {
        Op::fsync()
    };
    run(r, op(r, file, o)).result
}

/// Tries at a test whose premise is a cache miss before it is skipped.
pub const MISS_TRIES: usize = 5;

/// What one try at a test needing a cache miss came to.
pub enum Try<T> {
    /// At least one read missed: the test goes on with `T`.
    Missed(T),
    /// Every read was answered inline (the counters, for the log): evict and try again.
    AllInline(String),
    /// The file would not leave the cache (`evict` printed a `SKIP:` line).
    NotEvicted,
}

/// Runs `attempt` (evict, read, look at the counters) until a read misses, at most
/// [`MISS_TRIES`] times, or returns `None` after printing a `SKIP:` line.
///
/// An evicted page is not a guaranteed miss: `preadv2(RWF_NOWAIT)` starts the
/// readahead for the pages it did not find, and on a fast device that I/O can finish
/// before the kernel looks at the pages again; the read then returns the data, from
/// the cache. Measured on the development VM (virtio, `read_ahead_kb` 8192): 64 KiB
/// `RWF_NOWAIT` reads of a freshly evicted file (`fincore` 0 pages) returned the data
/// in 7 to 10 of 30 tries, after 0.3-1.3 ms, the thread never sleeping; in the other
/// tries `EAGAIN`. Both are correct answers, so a test that needs a miss retries.
pub fn until_a_miss<T>(what: &str, mut attempt: impl FnMut() -> Try<T>) -> Option<T> {
    for n in 1..=MISS_TRIES {
        match attempt() {
            Try::Missed(t) => return Some(t),
            Try::NotEvicted => return None,
            Try::AllInline(counters) => println!(
                "{what}: try {n}: every read of the evicted file was answered inline \
                 ({counters}); evicting again"
            ),
        }
    }
    println!(
        "SKIP: {what}: in {MISS_TRIES} tries every RWF_NOWAIT read of an evicted file was \
         answered inline (the readahead each attempt started finished before the kernel \
         looked again), so no miss could be observed"
    );
    None
}
