//! Cached reads answered on the spot: `preadv2(RWF_NOWAIT)` in the submitting thread,
//! shared by every OS reactor (threads, io_uring, kernel AIO).
//!
//! A page-cache hit costs one syscall (about the cost of a plain `pread`) and no
//! cross-thread hand-off; a miss returns `EAGAIN` without waiting for the device and
//! the caller sends the read on its asynchronous path. Misses are not free (the kernel
//! may start readahead before answering), so each file carries a [`NowaitGate`] that
//! backs off after misses: an uncached random-read workload tries inline about once
//! in 256 reads, a cached one every time.
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::Relaxed};

use aiofile_core::{Completion, IoBufMut, Op, OpKind};

use crate::file::FileHandle;
use crate::sys::{self, Nowait};

/// Longest back-off after consecutive misses, in skipped reads.
const MAX_BACKOFF: u32 = 256;

/// Set once the kernel says it has no `preadv2`: nobody tries again.
static UNSUPPORTED: AtomicBool = AtomicBool::new(false);

/// Per-file memory of how inline reads went, deciding whether to try the next one.
///
/// After a miss the next `b` reads skip the attempt, `b` doubling with each further
/// miss (1, 2, 4, ... 256); a hit resets it. Racy by design (relaxed atomics): it is a
/// heuristic, never a correctness matter.
///
/// ```
/// use aiofile_reactor_threads::NowaitGate;
/// let gate = NowaitGate::new();
/// assert!(gate.should_try());
/// gate.record(false);          // a miss: skip the next read
/// assert!(!gate.should_try());
/// assert!(gate.should_try());
/// gate.record(true);           // a hit: always try again
/// assert!(gate.should_try() && gate.should_try());
/// ```
#[derive(Debug, Default)]
pub struct NowaitGate {
    skip: AtomicU32,
    backoff: AtomicU32,
}

impl NowaitGate {
    /// A gate that tries every read.
    pub const fn new() -> Self {
        Self {
            skip: AtomicU32::new(0),
            backoff: AtomicU32::new(0),
        }
    }

    /// Whether the next read should be tried inline (consumes one skip if not).
    pub fn should_try(&self) -> bool {
        match self.skip.load(Relaxed) {
            0 => true,
            n => {
                self.skip.store(n - 1, Relaxed);
                false
            }
        }
    }

    /// Records an attempt's outcome: `hit` when the data was cached.
    pub fn record(&self, hit: bool) {
        if hit {
            if self.backoff.load(Relaxed) != 0 {
                self.backoff.store(0, Relaxed);
            }
            return;
        }
        let b = (self.backoff.load(Relaxed) * 2).clamp(1, MAX_BACKOFF);
        self.backoff.store(b, Relaxed);
        self.skip.store(b, Relaxed);
    }
}

/// Whether a read on `file` is worth trying inline now: a buffered read (O_DIRECT
/// reads wait for the device even with `RWF_NOWAIT`), `preadv2` available, and the
/// file's gate open.
pub fn inline_candidate<B: IoBufMut>(file: &FileHandle, op: &Op<B>) -> bool {
    op.kind() == OpKind::Read
        && !file.is_direct()
        && !UNSUPPORTED.load(Relaxed)
        && file.nowait_gate().should_try()
}

/// Tries `op` (a buffered read) with `preadv2(RWF_NOWAIT)`: `Ok` with its completion
/// when the data was cached (or the read failed for good), `Err` with the op back when
/// it would block. Updates the file's [`NowaitGate`]. Call after
/// [`inline_candidate`].
///
/// ```
/// use aiofile_core::Op;
/// use aiofile_reactor_threads::{read_inline, FileHandle};
/// let path = std::env::temp_dir().join(format!("read-inline-{}", std::process::id()));
/// std::fs::write(&path, b"just written, so cached").unwrap();
/// let file = FileHandle::new(std::fs::File::open(&path).unwrap().into()).unwrap();
/// let done = read_inline(&file, Op::read(Vec::with_capacity(64), 0, 64).unwrap()).unwrap();
/// assert_eq!(done.buf.unwrap(), b"just written, so cached");
/// # std::fs::remove_file(&path).unwrap();
/// ```
pub fn read_inline<B: IoBufMut>(file: &FileHandle, op: Op<B>) -> Result<Completion<B>, Op<B>> {
    match sys::read_nowait(std::os::fd::AsFd::as_fd(file), op) {
        Nowait::Done(done) => {
            file.nowait_gate().record(true);
            Ok(done)
        }
        Nowait::WouldBlock(op) => {
            file.nowait_gate().record(false);
            Err(op)
        }
        Nowait::Unsupported(op) => {
            UNSUPPORTED.store(true, Relaxed);
            Err(op)
        }
    }
}
