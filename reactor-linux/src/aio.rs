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
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use aiofile_core::{Completion, Errno, IoBufMut, Op, OpKind, Reactor, Submit, Ticket};
use aiofile_reactor_threads::{inline_candidate, read_inline, FileHandle, FileRef};

use crate::dio::{check_op, DioCache};
use crate::error::{Forked, Unavailable};
use crate::owner::Owner;
use crate::slots::{lock, register, with_lock, HasSlots, Interest, Slots, State};
use crate::sys::aio::{AioQueue, Reaped};
use crate::sys::eventfd::EventFd;
use crate::sys::Outcome;

/// The reactor that serves what kernel AIO cannot serve asynchronously: any reactor
/// over the same buffers and [`FileRef`]s, typically the thread pool, shareable
/// between several reactors.
pub type Fallback<B> = Arc<dyn Reactor<Buf = B, File = FileRef> + Send + Sync>;

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
    /// Buffered writes handed to the fallback.
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
    fallback: Fallback<B>,
    owner: Owner,
    efd: EventFd,
}

struct AioInner<B> {
    queue: AioQueue<B>,
    slots: Slots<B>,
    dio: DioCache,
    stats: AioStats,
    fallback_full: bool,
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
            stats: AioStats::default(),
            fallback_full: false,
        };
        Ok(Self {
            inner: Mutex::new(inner),
            fallback,
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
            ..inner.stats
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
            inner.flush(&*self.fallback);
            inner.reap(&*self.fallback)
        })
    }
}

/// Where an operation goes.
enum Route {
    /// The AIO context (O_DIRECT transfers, every sync).
    Kernel { nowait: bool },
    /// A buffered read: `preadv2(RWF_NOWAIT)` inline, the fallback on a miss.
    Nowait,
    /// A buffered write: the fallback.
    Fallback,
}

fn route(file: &FileHandle, kind: OpKind) -> Route {
    match (kind, file.is_direct()) {
        (OpKind::Write, false) => Route::Fallback,
        (OpKind::Read, false) => Route::Nowait,
        _ => Route::Kernel { nowait: false },
    }
}

type Fb<'a, B> = &'a (dyn Reactor<Buf = B, File = FileRef> + Send + Sync);

impl<B: IoBufMut + Send + 'static> AioInner<B> {
    fn submit(&mut self, file: &FileRef, mut op: Op<B>, fb: Fb<'_, B>) -> Submit<B> {
        let nowait = match route(file, op.kind()) {
            Route::Fallback => return self.submit_to_fallback(file, op, fb),
            Route::Nowait => return self.submit_buffered_read(file, op, fb),
            Route::Kernel { nowait } => nowait,
        };
        if file.is_direct() && check_op(&mut op, self.dio.get(file)).is_err() {
            self.stats.misaligned += 1;
            return Submit::Done(op.complete_err(Errno::EINVAL));
        }
        let Some(ticket) = self.slots.claim(State::InFlight(Interest::Waiting(None))) else {
            return Submit::Full(op);
        };
        self.queue.prepare(ticket.slot(), op, file.clone(), nowait);
        if self.queue.pending() >= BATCH {
            self.flush(fb);
        }
        Submit::Queued(ticket)
    }

    /// A buffered read: `io_submit` would perform it inline on this (the executor's)
    /// thread, so it is tried with `preadv2(RWF_NOWAIT)` (the same `IOCB_NOWAIT` path
    /// as an `RWF_NOWAIT` iocb, one syscall instead of a submit and a reap): a hit
    /// completes now, a miss (or a file whose gate is backing off after misses) goes
    /// to the fallback pool, never back to the kernel.
    fn submit_buffered_read(&mut self, file: &FileRef, op: Op<B>, fb: Fb<'_, B>) -> Submit<B> {
        let op = if inline_candidate(file, &op) {
            match read_inline(file, op) {
                Ok(done) => {
                    self.stats.inline += 1;
                    return Submit::Done(done);
                }
                Err(op) => op,
            }
        } else {
            op
        };
        self.submit_to_fallback(file, op, fb)
    }

    fn submit_to_fallback(&mut self, file: &FileRef, op: Op<B>, fb: Fb<'_, B>) -> Submit<B> {
        if !self.slots.has_free() {
            return Submit::Full(op);
        }
        let counter = match op.kind() {
            OpKind::Read => &mut self.stats.nowait_punts,
            _ => &mut self.stats.write_punts,
        };
        match fb.try_submit(file, op) {
            Submit::Queued(theirs) => {
                *counter += 1;
                Submit::Queued(
                    self.slots
                        .claim(State::Punted(theirs))
                        .expect("a slot was free"),
                )
            }
            Submit::Done(c) => {
                *counter += 1;
                Submit::Done(c)
            }
            Submit::Full(op) => {
                self.fallback_full = true;
                Submit::Full(op)
            }
        }
    }

    fn flush(&mut self, fb: Fb<'_, B>) {
        let Self {
            queue,
            slots,
            stats,
            ..
        } = self;
        queue.flush(&mut |r| handle(slots, stats, fb, r));
    }

    fn reap(&mut self, fb: Fb<'_, B>) -> usize {
        let Self {
            queue,
            slots,
            stats,
            ..
        } = self;
        queue.reap(&mut |r| handle(slots, stats, fb, r))
    }

    fn poll_slot(
        &mut self,
        ticket: &Ticket,
        cx: &mut Context<'_>,
        fb: Fb<'_, B>,
    ) -> Poll<Completion<B>> {
        let slot = ticket.slot();
        loop {
            match self.slots.state_mut(ticket) {
                State::Done(_) => return Poll::Ready(self.slots.take_done(slot)),
                State::InFlight(Interest::Waiting(waker)) => {
                    register(waker, cx);
                    return Poll::Pending;
                }
                State::Punted(theirs) => {
                    let c = std::task::ready!(fb.poll_complete(theirs, cx));
                    self.slots.release(slot);
                    return Poll::Ready(c);
                }
                State::Punting { .. } => {
                    if self.retry_punt(slot, cx, fb).is_pending() {
                        return Poll::Pending;
                    }
                }
                State::InFlight(Interest::Abandoned) | State::Free => {
                    unreachable!("checked by state_mut")
                }
            }
        }
    }

    /// Offers a `Punting` op to the fallback again; `Ready` when its state changed.
    fn retry_punt(&mut self, slot: u32, cx: &mut Context<'_>, fb: Fb<'_, B>) -> Poll<()> {
        let State::Punting { op, file } = std::mem::replace(self.slots.state_at(slot), State::Free)
        else {
            return Poll::Ready(());
        };
        let next = match fb.try_submit(&file, op) {
            Submit::Queued(theirs) => State::Punted(theirs),
            Submit::Done(c) => State::Done(c),
            Submit::Full(op) => {
                *self.slots.state_at(slot) = State::Punting { op, file };
                return fb.poll_ready(cx);
            }
        };
        *self.slots.state_at(slot) = next;
        Poll::Ready(())
    }

    fn abandon(&mut self, ticket: Ticket, fb: Fb<'_, B>) {
        let slot = ticket.slot();
        match self.slots.state_mut(&ticket) {
            State::InFlight(interest) => match self.queue.reclaim_forked(slot) {
                Some(_) => self.slots.release(slot),
                None => *interest = Interest::Abandoned,
            },
            State::Punted(_) => {
                if let State::Punted(theirs) =
                    std::mem::replace(self.slots.state_at(slot), State::Free)
                {
                    fb.abandon(theirs);
                }
                self.slots.release(slot);
            }
            State::Done(_) | State::Punting { .. } => self.slots.release(slot),
            State::Free => unreachable!("checked by state_mut"),
        }
    }

    /// `poll_complete` in a forked child: in-flight ops will never complete here.
    fn poll_forked(
        &mut self,
        ticket: &Ticket,
        cx: &mut Context<'_>,
        fb: Fb<'_, B>,
    ) -> Poll<Completion<B>> {
        if let State::InFlight(_) = self.slots.state_mut(ticket) {
            if let Some((op, _file)) = self.queue.reclaim_forked(ticket.slot()) {
                self.slots.release(ticket.slot());
                return Poll::Ready(op.complete_err(Errno::EINVAL));
            }
        }
        self.poll_slot(ticket, cx, fb)
    }
}

/// One op back from the kernel: complete it, or hand a `RWF_NOWAIT` refusal to the
/// fallback: `EAGAIN` (would block), `EOPNOTSUPP` (the file does not support
/// `RWF_NOWAIT`), `EINVAL` (a kernel before 4.13 that rejects `aio_rw_flags`). The
/// fallback reports its own error if the read really is invalid.
fn handle<B: IoBufMut>(slots: &mut Slots<B>, stats: &mut AioStats, fb: Fb<'_, B>, r: Reaped<B>) {
    match r.outcome {
        Outcome::Err(op, e)
            if r.nowait && matches!(e.0, libc::EAGAIN | libc::EOPNOTSUPP | libc::EINVAL) =>
        {
            stats.nowait_punts += 1;
            punt(slots, fb, r.slot, op, r.file);
        }
        Outcome::Err(op, e) => slots.finish(r.slot, op.complete_err(e)),
        Outcome::Ok(c) => slots.finish(r.slot, c),
    }
}

/// Hands a refused buffered read to the fallback, registering the waiting task's waker
/// there at once so the fallback's completion wakes it directly.
fn punt<B: IoBufMut>(slots: &mut Slots<B>, fb: Fb<'_, B>, slot: u32, op: Op<B>, file: FileRef) {
    let waker = match slots.state_at(slot) {
        State::InFlight(Interest::Waiting(w)) => w.take(),
        _ => return slots.release(slot), // abandoned: nobody wants the data
    };
    let next = match fb.try_submit(&file, op) {
        Submit::Queued(theirs) => match &waker {
            Some(w) => match fb.poll_complete(&theirs, &mut Context::from_waker(w)) {
                Poll::Ready(c) => State::Done(c),
                Poll::Pending => {
                    *slots.state_at(slot) = State::Punted(theirs);
                    return;
                }
            },
            None => State::Punted(theirs),
        },
        Submit::Done(c) => State::Done(c),
        Submit::Full(op) => State::Punting { op, file },
    };
    *slots.state_at(slot) = next;
    slots.wake_later(waker);
}

impl<B: IoBufMut + Send + 'static> Reactor for AioReactor<B> {
    type Buf = B;
    type File = FileRef;

    fn try_submit(&self, file: &FileRef, op: Op<B>) -> Submit<B> {
        if self.owner.check().is_err() || op.offset() > i64::MAX as u64 {
            return Submit::Done(op.complete_err(Errno::EINVAL));
        }
        with_lock(&self.inner, |inner| inner.submit(file, op, &*self.fallback))
    }

    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<()> {
        with_lock(&self.inner, |inner| {
            if std::mem::take(&mut inner.fallback_full) && self.fallback.poll_ready(cx).is_pending()
            {
                return Poll::Pending;
            }
            inner.slots.poll_space(cx)
        })
    }

    fn poll_complete(&self, ticket: &Ticket, cx: &mut Context<'_>) -> Poll<Completion<B>> {
        let fb = &*self.fallback;
        if self.owner.check().is_err() {
            return with_lock(&self.inner, |inner| inner.poll_forked(ticket, cx, fb));
        }
        with_lock(&self.inner, |inner| {
            inner.flush(fb);
            inner.reap(fb);
            inner.poll_slot(ticket, cx, fb)
        })
    }

    fn abandon(&self, ticket: Ticket) {
        with_lock(&self.inner, |inner| inner.abandon(ticket, &*self.fallback));
    }
}

impl<B: IoBufMut + Send + 'static> Drop for AioReactor<B> {
    fn drop(&mut self) {
        let inner = self
            .inner
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.owner.check().is_ok() {
            // Queued ops still run (as io_uring's do): their futures are gone, not
            // their effects.
            inner.flush(&*self.fallback);
        }
        inner
            .slots
            .drain_punted(|theirs| self.fallback.abandon(theirs));
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
