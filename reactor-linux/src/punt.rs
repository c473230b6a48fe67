//! Punting, shared by both reactors: handing an operation that a reactor will not
//! serve itself to a [`Fallback`] reactor (typically the thread pool), and following
//! it there through the reactor's own slot table.
//!
//! ```text
//!   submit ──(fallback Queued)──▶ Punted(their ticket) ──poll: fallback done──▶ Free
//!          └─(fallback Done)────▶ completed at once, no slot
//!          └─(fallback Full)────▶ Submit::Full: poll_ready waits on the fallback
//!   refused by the kernel (AIO RWF_NOWAIT) ──▶ Punted, or Punting{op} while the
//!          fallback is full: the next poll offers it again
//!   abandon: Punted ──▶ fallback.abandon (the fallback finishes writes and syncs)
//!            Punting ──▶ dropped (never started)
//! ```
//!
//! Which operations go to the fallback is each reactor's decision (its `route`); the
//! mechanics above live only here.
use std::sync::Arc;
use std::task::{Context, Poll};

use aiofile_core::{Completion, Errno, IoBufMut, Op, OpKind, Reactor, Submit, Ticket};
use aiofile_reactor_threads::FileRef;

use crate::slots::{register, Interest, Slots, State};

/// The reactor that serves what kernel AIO or io_uring cannot serve well: any reactor
/// over the same buffers and [`FileRef`]s, typically the thread pool, shareable
/// between several reactors.
///
/// ```
/// use std::sync::Arc;
/// use aiofile_reactor_linux::Fallback;
/// use aiofile_reactor_threads::ThreadReactor;
/// let pool: Fallback<Vec<u8>> = Arc::new(ThreadReactor::<Vec<u8>>::with_defaults()?);
/// let shared = Arc::clone(&pool); // e.g. for an AioReactor and a UringReactor
/// # Ok::<(), std::io::Error>(())
/// ```
pub type Fallback<B> = Arc<dyn Reactor<Buf = B, File = FileRef> + Send + Sync>;

type Fb<'a, B> = &'a (dyn Reactor<Buf = B, File = FileRef> + Send + Sync);

/// A reactor's link to its fallback, kept under the reactor's lock next to its slots.
pub(crate) struct Punter<B> {
    fallback: Option<Fallback<B>>,
    /// The fallback said `Full` since the last `poll_ready`.
    full: bool,
    /// Reads handed to the fallback.
    pub(crate) reads: u64,
    /// Writes (anything but a read) handed to the fallback.
    pub(crate) writes: u64,
}

impl<B: IoBufMut + Send + 'static> Punter<B> {
    /// A link to `fallback`; `None` for a reactor that serves everything itself.
    pub(crate) fn new(fallback: Option<Fallback<B>>) -> Self {
        Self {
            fallback,
            full: false,
            reads: 0,
            writes: 0,
        }
    }

    /// Whether there is a fallback to punt to.
    pub(crate) fn has_fallback(&self) -> bool {
        self.fallback.is_some()
    }

    /// The fallback.
    ///
    /// # Panics
    /// Without one: reactors route to the fallback only when [`has_fallback`], and
    /// only punted slots (which need one to exist) reach the other methods' fallback
    /// paths.
    ///
    /// [`has_fallback`]: Self::has_fallback
    fn fb(&self) -> Fb<'_, B> {
        self.fallback
            .as_deref()
            .expect("an operation was routed to a reactor without a fallback")
    }

    fn count(&mut self, kind: OpKind) {
        match kind {
            OpKind::Read => self.reads += 1,
            _ => self.writes += 1,
        }
    }

    /// Hands a fresh operation to the fallback, keeping one of `slots` for it while it
    /// is there. `Full` (op untouched) when either table has no room.
    ///
    /// # Panics
    /// Without a fallback.
    pub(crate) fn submit(&mut self, slots: &mut Slots<B>, file: &FileRef, op: Op<B>) -> Submit<B> {
        if !slots.has_free() {
            return Submit::Full(op);
        }
        let kind = op.kind();
        match self.fb().try_submit(file, op) {
            Submit::Queued(theirs) => {
                self.count(kind);
                let ours = slots.claim(State::Punted(theirs));
                Submit::Queued(ours.expect("a slot was free"))
            }
            Submit::Done(c) => {
                self.count(kind);
                Submit::Done(c)
            }
            Submit::Full(op) => {
                self.full = true;
                Submit::Full(op)
            }
        }
    }

    /// Hands an op the kernel refused (its slot `InFlight`) to the fallback, registering
    /// the waiting task's waker there at once so the fallback's completion wakes it
    /// directly. An abandoned op is dropped instead.
    ///
    /// # Panics
    /// Without a fallback.
    pub(crate) fn punt_refused(
        &mut self,
        slots: &mut Slots<B>,
        slot: u32,
        op: Op<B>,
        file: FileRef,
    ) {
        let waker = match slots.state_at(slot) {
            State::InFlight(Interest::Waiting(w)) => w.take(),
            _ => return slots.release(slot), // abandoned: nobody wants the data
        };
        self.count(op.kind());
        let fb = self.fb();
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

    /// `poll_complete` for one ticket, whatever its slot holds. `reclaim` takes an
    /// in-flight op back from the kernel queue of a forked child (where it will never
    /// complete: it is answered `EINVAL`); it returns `None` in the owning process.
    pub(crate) fn poll(
        &mut self,
        slots: &mut Slots<B>,
        ticket: &Ticket,
        cx: &mut Context<'_>,
        reclaim: impl FnOnce(u32) -> Option<(Op<B>, FileRef)>,
    ) -> Poll<Completion<B>> {
        let slot = ticket.slot();
        if let State::InFlight(_) = slots.state_mut(ticket) {
            if let Some((op, _file)) = reclaim(slot) {
                slots.release(slot);
                return Poll::Ready(op.complete_err(Errno::EINVAL));
            }
        }
        loop {
            match slots.state_mut(ticket) {
                State::Done(_) => return Poll::Ready(slots.take_done(slot)),
                State::InFlight(Interest::Waiting(waker)) => {
                    register(waker, cx);
                    return Poll::Pending;
                }
                State::Punted(theirs) => {
                    let c = std::task::ready!(self.fb().poll_complete(theirs, cx));
                    slots.release(slot);
                    return Poll::Ready(c);
                }
                State::Punting { .. } => {
                    if self.retry(slots, slot, cx).is_pending() {
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
    fn retry(&mut self, slots: &mut Slots<B>, slot: u32, cx: &mut Context<'_>) -> Poll<()> {
        let State::Punting { op, file } = std::mem::replace(slots.state_at(slot), State::Free)
        else {
            return Poll::Ready(());
        };
        let fb = self.fb();
        let next = match fb.try_submit(&file, op) {
            Submit::Queued(theirs) => State::Punted(theirs),
            Submit::Done(c) => State::Done(c),
            Submit::Full(op) => {
                *slots.state_at(slot) = State::Punting { op, file };
                return fb.poll_ready(cx);
            }
        };
        *slots.state_at(slot) = next;
        Poll::Ready(())
    }

    /// `poll_ready`: room in the fallback if it last said `Full`, then a free slot.
    pub(crate) fn poll_ready(&mut self, slots: &mut Slots<B>, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::take(&mut self.full) && self.fb().poll_ready(cx).is_pending() {
            return Poll::Pending;
        }
        slots.poll_space(cx)
    }

    /// `abandon` for one ticket. `reclaim` as in [`poll`](Self::poll): an in-flight op
    /// it takes back is dropped at once; otherwise the kernel's completion drops it.
    pub(crate) fn abandon(
        &mut self,
        slots: &mut Slots<B>,
        ticket: Ticket,
        reclaim: impl FnOnce(u32) -> Option<(Op<B>, FileRef)>,
    ) {
        let slot = ticket.slot();
        match slots.state_mut(&ticket) {
            State::InFlight(interest) => match reclaim(slot) {
                Some(_) => slots.release(slot),
                None => *interest = Interest::Abandoned,
            },
            State::Punted(_) => {
                if let State::Punted(theirs) = std::mem::replace(slots.state_at(slot), State::Free)
                {
                    self.fb().abandon(theirs);
                }
                slots.release(slot);
            }
            State::Done(_) | State::Punting { .. } => slots.release(slot),
            State::Free => unreachable!("checked by state_mut"),
        }
    }

    /// Reactor drop: abandons every punted op in the fallback (which keeps what it
    /// must finish) and frees its slot.
    pub(crate) fn drain(&self, slots: &mut Slots<B>) {
        if let Some(fb) = self.fallback.as_deref() {
            slots.drain_punted(|theirs| fb.abandon(theirs));
        }
    }
}
