//! Helpers shared by the integration tests: a minimal future over any [`Reactor`], a
//! poll loop for many of them that never allocates, temporary files and a PRNG.
#![allow(dead_code)]
use std::future::{poll_fn, Future};
use std::mem;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use aiofile_core::{Completion, Op, Reactor, Submit, Ticket};
use aiofile_reactor_threads::{FileHandle, FileRef, ThreadConfig, ThreadReactor};

/// Where an [`OpFut`] is.
#[derive(Debug)]
pub enum Stage<B> {
    /// Not accepted yet (never tried, or the reactor was full).
    Unsubmitted(Op<B>),
    /// Accepted: the reactor owns the op.
    Queued(Ticket),
    /// The completion was returned.
    Done,
}

/// One operation as a future: submit (waiting for room on `Full`), then await the
/// completion. Dropping it while queued abandons the operation.
pub struct OpFut<'a, R: Reactor> {
    reactor: &'a R,
    file: &'a R::File,
    stage: Stage<R::Buf>,
    /// How many times `try_submit` answered `Full`.
    pub fulls: u32,
}

impl<'a, R: Reactor> OpFut<'a, R> {
    pub fn new(reactor: &'a R, file: &'a R::File, op: Op<R::Buf>) -> Self {
        Self {
            reactor,
            file,
            stage: Stage::Unsubmitted(op),
            fulls: 0,
        }
    }

    /// True while the reactor holds the operation for us.
    pub fn is_queued(&self) -> bool {
        matches!(self.stage, Stage::Queued(_))
    }
}

impl<R: Reactor> Future for OpFut<'_, R>
where
    R::Buf: Unpin,
{
    type Output = Completion<R::Buf>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            match mem::replace(&mut this.stage, Stage::Done) {
                Stage::Unsubmitted(op) => match this.reactor.try_submit(this.file, op) {
                    Submit::Queued(ticket) => this.stage = Stage::Queued(ticket),
                    Submit::Done(done) => return Poll::Ready(done),
                    Submit::Full(op) => {
                        this.fulls += 1;
                        this.stage = Stage::Unsubmitted(op);
                        if this.reactor.poll_ready(cx).is_pending() {
                            return Poll::Pending;
                        }
                    }
                },
                Stage::Queued(ticket) => {
                    return match this.reactor.poll_complete(&ticket, cx) {
                        Poll::Ready(done) => Poll::Ready(done),
                        Poll::Pending => {
                            this.stage = Stage::Queued(ticket);
                            Poll::Pending
                        }
                    };
                }
                Stage::Done => panic!("OpFut polled after completion"),
            }
        }
    }
}

impl<R: Reactor> Drop for OpFut<'_, R> {
    fn drop(&mut self) {
        if let Stage::Queued(ticket) = mem::replace(&mut self.stage, Stage::Done) {
            self.reactor.abandon(ticket);
        }
    }
}

/// Runs one operation to completion on the current thread.
pub fn run_one<R: Reactor>(reactor: &R, file: &R::File, op: Op<R::Buf>) -> Completion<R::Buf>
where
    R::Buf: Unpin,
{
    futures::executor::block_on(OpFut::new(reactor, file, op))
}

/// Polls every future of `futs` in one task (so they share one waker) until all are
/// done; `out[i]` receives the completion of `futs[i]` and must start as `None`.
/// Allocates nothing.
pub fn run_all<R: Reactor>(futs: &mut [OpFut<'_, R>], out: &mut [Option<Completion<R::Buf>>])
where
    R::Buf: Unpin,
{
    assert_eq!(futs.len(), out.len());
    futures::executor::block_on(poll_fn(|cx| {
        let mut pending = false;
        for (fut, slot) in futs.iter_mut().zip(out.iter_mut()) {
            if slot.is_some() {
                continue;
            }
            match Pin::new(fut).poll(cx) {
                Poll::Ready(done) => *slot = Some(done),
                Poll::Pending => pending = true,
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }));
}

/// A reactor with `workers` threads, `slots` slots and the given `nowait_reads`.
pub fn reactor(workers: usize, slots: usize, nowait: bool) -> ThreadReactor<Vec<u8>> {
    ThreadReactor::new(
        ThreadConfig::default()
            .workers(workers)
            .slots(slots)
            .nowait_reads(nowait),
    )
    .unwrap()
}

/// A file in the temp directory with a unique name, removed on drop.
pub struct TempFile {
    pub path: PathBuf,
    pub file: FileRef,
}

impl TempFile {
    /// Creates the file with `contents`, opened read-write.
    pub fn new(tag: &str, contents: &[u8]) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("aiofile-threads-{tag}-{}-{n}", std::process::id());
        let path = std::env::temp_dir().join(name);
        std::fs::write(&path, contents).unwrap();
        let file = open(&path, std::fs::File::options().read(true).write(true));
        Self { path, file }
    }

    /// The file's current contents, read with std.
    pub fn contents(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Opens `path` with `options` as a [`FileRef`].
pub fn open(path: &std::path::Path, options: &std::fs::OpenOptions) -> FileRef {
    Arc::new(FileHandle::new(options.open(path).unwrap().into()).unwrap())
}

/// xorshift64*: a small deterministic PRNG (no dependency needed).
pub struct Rng(u64);

impl Rng {
    /// Seeded from `AIOFILE_SEED` if set, else from the clock; prints the seed.
    pub fn from_env(test: &str) -> Self {
        let seed = std::env::var("AIOFILE_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                let t = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap();
                t.as_nanos() as u64
            });
        println!("{test}: AIOFILE_SEED={seed}");
        Self(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-ish in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A reproducible byte for file position `pos` (the data reads are checked against).
pub fn pattern(pos: u64) -> u8 {
    (pos.wrapping_mul(31) ^ (pos >> 9)) as u8
}

/// `len` bytes of [`pattern`] from `pos`.
pub fn pattern_at(pos: u64, len: usize) -> Vec<u8> {
    (pos..pos + len as u64).map(pattern).collect()
}
