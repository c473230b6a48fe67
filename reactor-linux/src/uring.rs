//! [`UringReactor`]: io_uring for buffered and O_DIRECT files alike, optionally with a
//! [`Fallback`] reactor for buffered writes.
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed, Ordering::SeqCst};
use std::sync::Mutex;
use std::task::{Context, Poll};

use aiofile_core::{Completion, Errno, IoBufMut, Op, OpKind, Reactor, Submit, Ticket};
use aiofile_reactor_threads::{try_read_inline, FileRef};

use crate::dio::{check_op, DioCache};
use crate::error::{Forked, Unavailable};
use crate::owner::Owner;
use crate::punt::{Fallback, Punter};
use crate::slots::{lock, unlocked, with_lock, HasSlots, Interest, Slots, State};
use crate::sys::eventfd::EventFd;
use crate::sys::uring::{Enter, SetupError, UringQueue};
use crate::sys::Outcome;

/// Counters describing what a [`UringReactor`] did (see [`UringReactor::stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UringStats {
    /// SQEs the kernel consumed.
    pub submitted: u64,
    /// `io_uring_enter` calls made to submit.
    pub enter_calls: u64,
    /// CQEs reaped.
    pub reaped: u64,
    /// O_DIRECT requests completed with `EINVAL` before submission.
    pub misaligned: u64,
    /// Buffered reads answered inline from the page cache (`preadv2(RWF_NOWAIT)`),
    /// never reaching the ring.
    pub inline: u64,
    /// Buffered writes and writeback hints handed to the fallback (0 without one),
    /// never reaching the ring.
    pub write_punts: u64,
}

/// An io_uring reactor: read, write, fsync and fdatasync, completions signalled on a
/// registered eventfd.
///
/// **Who enters the kernel**: for buffered files only [`turn`](UringReactor::turn), i.e.
/// the thread that drives the reactor ([`Driven`](crate::Driven)'s driver thread, or
/// the executor's poller). `try_submit` pushes an SQE and, for the first of a batch,
/// makes the eventfd readable so the driver turns; the ring is then entered once for
/// everything pushed, without the reactor's lock. An O_DIRECT request is entered by
/// `try_submit` itself (the kernel only queues its bio; this saves the driver's
/// wake-up: W3 0.71x -> 0.94-0.98x of fio's io_uring in quick runs). The submitting (executor) thread never calls
/// `io_uring_enter`, where the kernel's inline attempt at a buffered read that missed
/// the page cache starts the readahead I/O itself (tens of microseconds per read,
/// measured as the executor stall of benchmark W7). Cached buffered reads never reach
/// the ring (`preadv2(RWF_NOWAIT)` inline); `poll_complete` reaps the CQ (shared memory,
/// no syscall).
///
/// Built [`with_fallback`](UringReactor::with_fallback), it hands buffered writes to
/// that reactor (typically the thread pool) instead of the ring, and writeback hints
/// with them; everything else
/// stays on the ring:
///
/// | request | how it is served |
/// |---|---|
/// | O_DIRECT read / write | `IORING_OP_READ` / `WRITE` |
/// | buffered read | `preadv2(RWF_NOWAIT)` inline: a page-cache hit completes in `try_submit`; a miss (or a file whose gate backs off after misses) goes to the ring |
/// | buffered write, no fallback | `IORING_OP_WRITE` with `IOSQE_ASYNC` (straight to an io-wq worker) |
/// | buffered write, with a fallback | the fallback at once (measured: the thread pool reaches 0.98x a plain `write` loop for 1 MiB sequential writes, io-wq 0.71x) |
/// | fsync / fdatasync | `IORING_OP_FSYNC` (with `IORING_FSYNC_DATASYNC`) |
/// | writeback hint, no fallback | `IORING_OP_SYNC_FILE_RANGE` (`SYNC_FILE_RANGE_WRITE`) with `IOSQE_ASYNC` |
/// | writeback hint, with a fallback | the fallback at once |
/// | O_DIRECT misaligned | completed at once with `EINVAL` ([`check_op`](crate::check_op) tells which part) |
///
/// **Drop** abandons the operations handed to the fallback (which finishes writes
/// and syncs on its own), waits for a CQE for every SQE still in the kernel (as long
/// as the slowest request in flight), then frees the buffers.
///
/// **Fork**: the rings are shared memory with the parent. In a child every method
/// behaves as if the ring were gone: new and in-flight operations complete with
/// `EINVAL`, `turn` does nothing, [`check_owner`](UringReactor::check_owner) returns
/// [`Forked`], and drop touches nothing of the ring. Operations already handed to
/// the fallback follow the fallback's own rules.
///
/// ```no_run
/// use aiofile_reactor_linux::UringReactor;
/// let reactor = UringReactor::<Vec<u8>>::new()?;
/// # Ok::<(), aiofile_reactor_linux::Unavailable>(())
/// ```
pub struct UringReactor<B: IoBufMut + Send + 'static> {
    inner: Mutex<UringInner<B>>,
    /// Enters the ring without `inner`'s lock.
    enter: Enter,
    /// SQEs were pushed since the last enter and the eventfd was signalled for them.
    kicked: AtomicBool,
    /// `io_uring_enter` calls made to submit, and the SQEs they gave the kernel.
    enter_calls: AtomicU64,
    submitted: AtomicU64,
    inline: AtomicU64,
    owner: Owner,
    efd: EventFd,
}

struct UringInner<B> {
    queue: UringQueue<B>,
    slots: Slots<B>,
    dio: DioCache,
    punter: Punter<B>,
    misaligned: u64,
}

impl<B> HasSlots for UringInner<B> {
    type Buf = B;
    fn slots(&mut self) -> &mut Slots<B> {
        &mut self.slots
    }
}

impl<B: IoBufMut + Send + 'static> UringReactor<B> {
    /// A reactor with 128 slots and no fallback: every operation the inline read
    /// attempt does not answer goes to the ring.
    ///
    /// # Errors
    /// [`Unavailable::UringRefused`] (`EPERM`), [`Unavailable::NotImplemented`]
    /// (`ENOSYS`), [`Unavailable::NoMemory`] (`ENOMEM`), [`Unavailable::MissingOpcode`],
    /// or [`Unavailable::Os`].
    pub fn new() -> Result<Self, Unavailable> {
        Self::with_entries(128)
    }

    /// A reactor with `entries` slots (rounded up to a power of two by the kernel) and
    /// no fallback.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_entries(entries: u32) -> Result<Self, Unavailable> {
        Self::build(entries, None)
    }

    /// A reactor with 128 slots that hands buffered writes to `fallback`.
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use aiofile_reactor_linux::{Fallback, UringReactor};
    /// use aiofile_reactor_threads::ThreadReactor;
    /// let pool: Fallback<Vec<u8>> = Arc::new(ThreadReactor::with_defaults()?);
    /// let reactor = UringReactor::with_fallback(pool)?;
    /// assert_eq!(reactor.stats().write_punts, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_fallback(fallback: Fallback<B>) -> Result<Self, Unavailable> {
        Self::with_entries_and_fallback(128, fallback)
    }

    /// A reactor with `entries` slots that hands buffered writes to `fallback`. A
    /// punted write holds one of the `entries` slots until its future collects it.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_entries_and_fallback(
        entries: u32,
        fallback: Fallback<B>,
    ) -> Result<Self, Unavailable> {
        Self::build(entries, Some(fallback))
    }

    fn build(entries: u32, fallback: Option<Fallback<B>>) -> Result<Self, Unavailable> {
        let efd = EventFd::new().map_err(|e| Unavailable::from_io("eventfd", &e, entries))?;
        let queue =
            UringQueue::new(entries, Some(efd.raw())).map_err(|e| setup_error(&e, entries))?;
        let slots = Slots::new(queue.capacity());
        let enter = queue.enter_handle();
        let inner = UringInner {
            queue,
            slots,
            dio: DioCache::new(),
            punter: Punter::new(fallback),
            misaligned: 0,
        };
        Ok(Self {
            inner: Mutex::new(inner),
            enter,
            kicked: AtomicBool::new(false),
            enter_calls: AtomicU64::new(0),
            submitted: AtomicU64::new(0),
            inline: AtomicU64::new(0),
            owner: Owner::current(),
            efd,
        })
    }

    /// What the reactor has done so far.
    pub fn stats(&self) -> UringStats {
        let inner = lock(&self.inner);
        let q = inner.queue.counters;
        UringStats {
            submitted: self.submitted.load(Relaxed),
            enter_calls: self.enter_calls.load(Relaxed),
            reaped: q.reaped,
            misaligned: inner.misaligned,
            inline: self.inline.load(Relaxed),
            write_punts: inner.punter.writes,
        }
    }

    /// Whether buffered writes go to a fallback reactor.
    ///
    /// ```no_run
    /// use aiofile_reactor_linux::UringReactor;
    /// assert!(!UringReactor::<Vec<u8>>::new()?.has_fallback());
    /// # Ok::<(), aiofile_reactor_linux::Unavailable>(())
    /// ```
    pub fn has_fallback(&self) -> bool {
        lock(&self.inner).punter.has_fallback()
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

    /// Non-blocking: resets the eventfd, submits the SQEs pushed since the last turn
    /// (one `io_uring_enter`, made without the reactor's lock), reaps every CQE and
    /// wakes its task (after releasing the lock). Returns the number of CQEs reaped.
    pub fn turn(&self) -> usize {
        if self.owner.check().is_err() {
            return 0;
        }
        self.efd.take();
        // A push after this swap signals again (and its SQE may already go with this
        // enter); a push before it published its SQE before setting the flag.
        if self.kicked.swap(false, SeqCst) {
            self.enter_now();
        }
        with_lock(&self.inner, UringInner::reap)
    }

    /// Enters the ring from the submitting thread (O_DIRECT: the kernel only builds and
    /// queues the bio, no page-cache work), saving the driver's wake-up. SQEs other
    /// threads pushed go along; their kick (if any) then finds nothing left to submit.
    fn enter_now(&self) {
        let submitted = self.enter.submit();
        self.enter_calls.fetch_add(1, Relaxed);
        self.submitted.fetch_add(submitted, Relaxed);
    }

    /// Makes the eventfd readable for the first SQE pushed since the last turn, so the
    /// driver enters the ring.
    fn kick(&self) {
        if !self.kicked.swap(true, SeqCst) {
            self.efd.signal();
        }
    }
}

/// Maps a ring setup failure to [`Unavailable`].
pub(crate) fn setup_error(e: &SetupError, entries: u32) -> Unavailable {
    match e {
        SetupError::Os { syscall, err } => Unavailable::from_io(syscall, err, entries),
        SetupError::MissingOpcode(opcode) => Unavailable::MissingOpcode { opcode },
    }
}

/// Whether an operation goes to the fallback when there is one: buffered writes, and
/// writeback hints (which can block on the device queue like a write).
fn punted<B: IoBufMut>(op: &Op<B>, file: &FileRef) -> bool {
    match op.kind() {
        OpKind::Write => !file.is_direct(),
        OpKind::Writeback => true,
        OpKind::Read | OpKind::Fsync | OpKind::Fdatasync => false,
    }
}

/// Where [`UringInner::submit`] put an operation.
enum Placed<B> {
    /// Pushed onto the ring: the driver must enter it.
    Ring(Ticket),
    /// Anything else (the fallback, completed at once, no room).
    Elsewhere(Submit<B>),
}

impl<B: IoBufMut + Send + 'static> UringInner<B> {
    fn submit(&mut self, file: &FileRef, op: Op<B>) -> Placed<B> {
        if punted(&op, file) && self.punter.has_fallback() {
            return Placed::Elsewhere(self.punter.submit(&mut self.slots, file, op));
        }
        match self.push(file, op) {
            Ok(ticket) => Placed::Ring(ticket),
            Err(submit) => Placed::Elsewhere(submit),
        }
    }

    fn push(&mut self, file: &FileRef, mut op: Op<B>) -> Result<Ticket, Submit<B>> {
        if file.is_direct() && check_op(&mut op, self.dio.get(file)).is_err() {
            self.misaligned += 1;
            return Err(Submit::Done(op.complete_err(Errno::EINVAL)));
        }
        let Some(ticket) = self.slots.claim(State::InFlight(Interest::Waiting(None))) else {
            return Err(Submit::Full(op));
        };
        if let Err((op, _file)) = self.queue.push(ticket.slot(), op, file.clone()) {
            self.slots.release(ticket.slot());
            return Err(Submit::Full(op));
        }
        Ok(ticket)
    }

    fn reap(&mut self) -> usize {
        let Self { queue, slots, .. } = self;
        queue.reap(&mut |slot, _file, outcome| {
            let c = match outcome {
                Outcome::Ok(c) => c,
                Outcome::Err(op, e) => op.complete_err(e),
            };
            slots.finish(slot, c);
        })
    }
}

impl<B: IoBufMut + Send + 'static> Reactor for UringReactor<B> {
    type Buf = B;
    type File = FileRef;

    fn try_submit(&self, file: &FileRef, op: Op<B>) -> Submit<B> {
        if self.owner.check().is_err() || op.offset() > i64::MAX as u64 {
            return Submit::Done(op.complete_err(Errno::EINVAL));
        }
        // A cached buffered read costs one `preadv2` here, no ring round trip and no
        // wake-up; a miss goes to the ring (and makes the file's gate back off).
        let op = match try_read_inline(file, op).into_result() {
            Ok(done) => {
                self.inline.fetch_add(1, Relaxed);
                return Submit::Done(done);
            }
            Err(op) => op,
        };
        match with_lock(&self.inner, |inner| inner.submit(file, op)) {
            Placed::Ring(ticket) if file.is_direct() => {
                self.enter_now();
                Submit::Queued(ticket)
            }
            Placed::Ring(ticket) => {
                self.kick();
                Submit::Queued(ticket)
            }
            Placed::Elsewhere(submit) => submit,
        }
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

impl<B: IoBufMut + Send + 'static> Drop for UringReactor<B> {
    fn drop(&mut self) {
        let inner = unlocked(&mut self.inner);
        inner.punter.drain(&mut inner.slots);
        // `inner.queue` drops next: it waits for every SQE in the kernel.
    }
}

impl<B: IoBufMut + Send + 'static> AsRawFd for UringReactor<B> {
    /// The registered eventfd: readable when CQEs may be waiting for
    /// [`turn`](UringReactor::turn).
    fn as_raw_fd(&self) -> RawFd {
        self.efd.raw()
    }
}

impl<B: IoBufMut + Send + 'static> AsFd for UringReactor<B> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.efd.as_fd()
    }
}

impl<B: IoBufMut + Send + 'static> std::fmt::Debug for UringReactor<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UringReactor")
            .field("eventfd", &self.efd.raw())
            .field("stats", &self.stats())
            .finish()
    }
}
