//! [`AioReactor`]: kernel AIO (`io_submit`) where it is truly asynchronous, a fallback
//! reactor where it is not.
//!
//! | request | how it is served |
//! |---|---|
//! | O_DIRECT read / write | `IOCB_CMD_PREAD` / `PWRITE` (asynchronous in the kernel) |
//! | buffered read | `PREAD` with `RWF_NOWAIT`: a page-cache hit completes inside `io_submit`; `-EAGAIN` (or `-EOPNOTSUPP`, `-EINVAL` on old kernels) hands the op to the fallback, never resubmitted |
//! | buffered write | the fallback at once (`io_submit` would do it inline; `RWF_NOWAIT` writes are refused by ext4) |
//! | fsync / fdatasync | `IOCB_CMD_FSYNC` / `FDSYNC` (a kernel workqueue since Linux 4.18) |
//! | O_DIRECT misaligned | completed at once with `EINVAL` ([`check_op`](crate::check_op) tells which part) |
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::Mutex;
use std::task::{Context, Poll};

use aiofile_core::{Completion, Errno, IoBufMut, Op, OpKind, Reactor, Submit, Ticket};
use aiofile_reactor_threads::{try_read_inline, FileHandle, FileRef};

use crate::dio::{check_op, DioCache};
use crate::error::{Forked, Unavailable};
use crate::owner::Owner;
use crate::punt::{Fallback, Punter};
use crate::slots::{lock, unlocked, with_lock, HasSlots, Interest, Slots, State};
use crate::sys::aio::{AioQueue, Reaped};
use crate::sys::eventfd::EventFd;
use crate::sys::Outcome;

/// Prepared iocbs that trigger an `io_submit` from `try_submit` itself.
const BATCH: usize = 32;

/// Counters describing what an [`AioReactor`] did (see [`AioReactor::stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AioStats {
    /// iocbs the kernel accepted.
    pub submitted: u64,
    /// `io_submit` calls.
    pub submit_calls: u64,
    /// Completions read from the ring memory (no syscall).
    pub reaped_from_ring: u64,
    /// Completions read with `io_getevents`.
    pub reaped_by_syscall: u64,
    /// Buffered reads refused by `RWF_NOWAIT` and handed to the fallback.
    pub nowait_punts: u64,
    /// Buffered writes and writeback hints handed to the fallback.
    pub write_punts: u64,
    /// Buffered reads answered inline from the page cache (`preadv2(RWF_NOWAIT)`).
    pub inline: u64,
    /// O_DIRECT requests completed with `EINVAL` before submission.
    pub misaligned: u64,
}

/// A kernel AIO reactor: one AIO context, completions signalled on an eventfd.
///
/// Drive it with [`turn`](AioReactor::turn) when its descriptor ([`AsRawFd`]) is
/// readable, or wrap it in [`Driven`](crate::Driven). Operations queued by
/// `try_submit` reach the kernel at the latest on the next `poll_complete` or `turn`
/// (or at once when 32 of them are waiting), and `poll_complete` reaps the ring
/// itself, so a page-cache hit completes without any wake-up.
///
/// **Drop** calls `io_destroy`, which waits for every request still in the kernel
/// (tens of milliseconds for tens of MiB of O_DIRECT reads), then frees the buffers.
///
/// **Fork**: in a child, every method behaves as if the context were gone: new and
/// in-flight operations complete with `EINVAL` (the kernel's own answer for a parent's
/// context), `turn` does nothing, [`check_owner`](AioReactor::check_owner) returns
/// [`Forked`], and drop neither waits nor destroys. Operations already handed to the
/// fallback follow the fallback's own rules.
///
/// ```no_run
/// use std::sync::Arc;
/// use aiofile_reactor_linux::{AioReactor, Fallback};
/// # fn pool() -> Fallback<Vec<u8>> { unimplemented!() }
/// let fallback: Fallback<Vec<u8>> = pool(); // e.g. the thread-pool reactor
/// let reactor = AioReactor::new(fallback)?;
/// # Ok::<(), aiofile_reactor_linux::Unavailable>(())
/// ```
pub struct AioReactor<B: IoBufMut + Send + 'static> {
    inner: Mutex<AioInner<B>>,
    owner: Owner,
    efd: EventFd,
}

struct AioInner<B> {
    queue: AioQueue<B>,
    slots: Slots<B>,
    dio: DioCache,
    punter: Punter<B>,
    inline: u64,
    misaligned: u64,
}

impl<B> HasSlots for AioInner<B> {
    type Buf = B;
    fn slots(&mut self) -> &mut Slots<B> {
        &mut self.slots
    }
}

impl<B: IoBufMut + Send + 'static> AioReactor<B> {
    /// A reactor with 128 slots.
    ///
    /// # Errors
    /// [`Unavailable::AioQuota`] when `io_setup` says `EAGAIN` (the host-wide
    /// `/proc/sys/fs/aio-max-nr` is used up), [`Unavailable::NotImplemented`] for
    /// `ENOSYS`, [`Unavailable::Os`] otherwise.
    pub fn new(fallback: Fallback<B>) -> Result<Self, Unavailable> {
        Self::with_entries(128, fallback)
    }

    /// A reactor with `entries` slots (`io_setup(entries)`, charged to `aio-max-nr`).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_entries(entries: u32, fallback: Fallback<B>) -> Result<Self, Unavailable> {
        let efd = EventFd::new().map_err(|e| Unavailable::from_io("eventfd", &e, entries))?;
        let queue = AioQueue::new(entries, efd.raw())
            .map_err(|e| Unavailable::from_io("io_setup", &e, entries))?;
        let inner = AioInner {
            queue,
            slots: Slots::new(entries as usize),
            dio: DioCache::new(),
            punter: Punter::new(Some(fallback)),
            inline: 0,
            misaligned: 0,
        };
        Ok(Self {
            inner: Mutex::new(inner),
            owner: Owner::current(),
            efd,
        })
    }

    /// What the reactor has done so far.
    pub fn stats(&self) -> AioStats {
        let inner = lock(&self.inner);
        let q = inner.queue.counters;
        AioStats {
            submitted: q.submitted,
            submit_calls: q.submit_calls,
            reaped_from_ring: q.reaped_user,
            reaped_by_syscall: q.reaped_syscall,
            nowait_punts: inner.punter.reads,
            write_punts: inner.punter.writes,
            inline: inner.inline,
            misaligned: inner.misaligned,
        }
    }

    /// Whether completions are reaped from the ring memory (its magic matched).
    pub fn reaps_from_ring(&self) -> bool {
        lock(&self.inner).queue.user_ring()
    }

    /// Slots holding an operation (in flight, finished but not yet collected, or handed
    /// to a fallback). Abandoned operations count until the kernel has finished them.
    pub fn slots_in_use(&self) -> usize {
        lock(&self.inner).slots.in_use()
    }

    /// `Err` when called in a process forked after the reactor was created.
    ///
    /// # Errors
    /// [`Forked`], naming the creating process.
    pub fn check_owner(&self) -> Result<(), Forked> {
        self.owner.check()
    }

    /// Non-blocking: resets the eventfd, submits what is queued, reaps every finished
    /// request and wakes its task (after releasing the lock). Returns the number of
    /// completions reaped. Call it whenever the descriptor is readable; extra calls are
    /// harmless.
    pub fn turn(&self) -> usize {
        if self.owner.check().is_err() {
            return 0;
        }
        self.efd.take();
        with_lock(&self.inner, |inner| {
            inner.flush();
            inner.reap()
        })
    }
}

/// Where an operation goes.
enum Route {
    /// The AIO context (O_DIRECT transfers, every sync).
    Kernel { nowait: bool },
    /// A buffered read: `preadv2(RWF_NOWAIT)` inline, the fallback on a miss.
    Nowait,
    /// A buffered write, or a writeback hint (kernel AIO has no command for it): the
    /// fallback.
    Fallback,
}

fn route(file: &FileHandle, kind: OpKind) -> Route {
    match (kind, file.is_direct()) {
        (OpKind::Write, false) | (OpKind::Writeback, _) => Route::Fallback,
        (OpKind::Read, false) => Route::Nowait,
        _ => Route::Kernel { nowait: false },
    }
}

impl<B: IoBufMut + Send + 'static> AioInner<B> {
    fn submit(&mut self, file: &FileRef, mut op: Op<B>) -> Submit<B> {
        let nowait = match route(file, op.kind()) {
            Route::Fallback => return self.punter.submit(&mut self.slots, file, op),
            Route::Nowait => return self.submit_buffered_read(file, op),
            Route::Kernel { nowait } => nowait,
        };
        if file.is_direct() && check_op(&mut op, self.dio.get(file)).is_err() {
            self.misaligned += 1;
            return Submit::Done(op.complete_err(Errno::EINVAL));
        }
        let Some(ticket) = self.slots.claim(State::InFlight(Interest::Waiting(None))) else {
            return Submit::Full(op);
        };
        self.queue.prepare(ticket.slot(), op, file.clone(), nowait);
        if self.queue.pending() >= BATCH {
            self.flush();
        }
        Submit::Queued(ticket)
    }

    /// A buffered read: `io_submit` would perform it inline on this (the executor's)
    /// thread, so it is tried with `preadv2(RWF_NOWAIT)` (the same `IOCB_NOWAIT` path
    /// as an `RWF_NOWAIT` iocb, one syscall instead of a submit and a reap): a hit
    /// completes now, a miss (or a file whose gate is backing off after misses) goes
    /// to the fallback pool, never back to the kernel.
    fn submit_buffered_read(&mut self, file: &FileRef, op: Op<B>) -> Submit<B> {
        let op = match try_read_inline(file, op).into_result() {
            Ok(done) => {
                self.inline += 1;
                return Submit::Done(done);
            }
            Err(op) => op,
        };
        self.punter.submit(&mut self.slots, file, op)
    }

    fn flush(&mut self) {
        let Self {
            queue,
            slots,
            punter,
            ..
        } = self;
        queue.flush(&mut |r| handle(slots, punter, r));
    }

    fn reap(&mut self) -> usize {
        let Self {
            queue,
            slots,
            punter,
            ..
        } = self;
        queue.reap(&mut |r| handle(slots, punter, r))
    }
}

/// One op back from the kernel: complete it, or hand a `RWF_NOWAIT` refusal to the
/// fallback: `EAGAIN` (would block), `EOPNOTSUPP` (the file does not support
/// `RWF_NOWAIT`), `EINVAL` (a kernel before 4.13 that rejects `aio_rw_flags`). The
/// fallback reports its own error if the read really is invalid.
fn handle<B: IoBufMut + Send + 'static>(
    slots: &mut Slots<B>,
    punter: &mut Punter<B>,
    r: Reaped<B>,
) {
    match r.outcome {
        Outcome::Err(op, e)
            if r.nowait && matches!(e.0, libc::EAGAIN | libc::EOPNOTSUPP | libc::EINVAL) =>
        {
            punter.punt_refused(slots, r.slot, op, r.file);
        }
        Outcome::Err(op, e) => slots.finish(r.slot, op.complete_err(e)),
        Outcome::Ok(c) => slots.finish(r.slot, c),
    }
}

impl<B: IoBufMut + Send + 'static> Reactor for AioReactor<B> {
    type Buf = B;
    type File = FileRef;

    fn try_submit(&self, file: &FileRef, op: Op<B>) -> Submit<B> {
        if self.owner.check().is_err() || op.offset() > i64::MAX as u64 {
            return Submit::Done(op.complete_err(Errno::EINVAL));
        }
        with_lock(&self.inner, |inner| inner.submit(file, op))
    }

    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<()> {
        with_lock(&self.inner, |inner| {
            inner.punter.poll_ready(&mut inner.slots, cx)
        })
    }

    fn poll_complete(&self, ticket: &Ticket, cx: &mut Context<'_>) -> Poll<Completion<B>> {
        let forked = self.owner.check().is_err();
        with_lock(&self.inner, |inner| {
            if !forked {
                inner.flush();
                inner.reap();
            }
            let reclaim = |slot| inner.queue.reclaim_forked(slot);
            inner.punter.poll(&mut inner.slots, ticket, cx, reclaim)
        })
    }

    fn abandon(&self, ticket: Ticket) {
        with_lock(&self.inner, |inner| {
            let reclaim = |slot| inner.queue.reclaim_forked(slot);
            inner.punter.abandon(&mut inner.slots, ticket, reclaim);
        });
    }
}

impl<B: IoBufMut + Send + 'static> Drop for AioReactor<B> {
    fn drop(&mut self) {
        let inner = unlocked(&mut self.inner);
        if self.owner.check().is_ok() {
            // Queued ops still run (as io_uring's do): their futures are gone, not
            // their effects.
            inner.flush();
        }
        inner.punter.drain(&mut inner.slots);
        // `inner.queue` drops next: io_destroy waits for the kernel, then the buffers go.
    }
}

impl<B: IoBufMut + Send + 'static> AsRawFd for AioReactor<B> {
    /// The eventfd: readable when completions may be waiting for [`turn`](AioReactor::turn).
    fn as_raw_fd(&self) -> RawFd {
        self.efd.raw()
    }
}

impl<B: IoBufMut + Send + 'static> AsFd for AioReactor<B> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.efd.as_fd()
    }
}

impl<B: IoBufMut + Send + 'static> std::fmt::Debug for AioReactor<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AioReactor")
            .field("eventfd", &self.efd.raw())
            .field("stats", &self.stats())
            .finish()
    }
}
