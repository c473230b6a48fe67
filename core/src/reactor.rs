//! The contract between the core and any reactor.
//!
//! A *reactor* carries out positional file operations ([`Op`]) on behalf of futures in
//! [`crate::io`]: a kernel AIO context, an io_uring, a thread pool, or the in-memory
//! [`crate::mem::MemReactor`]. This page is what a reactor author must provide and what
//! they may rely on.
//!
//! ## The buffer's life
//!
//! The core never lends a borrowed slice to a reactor. Every read or write travels in
//! an [`Op`], which **owns** its buffer (an [`IoBufMut`]: `Vec<u8>`,
//! [`crate::buf::StaticBuf`], ...), and comes back in a [`Completion`]. Between the
//! two the reactor owns the buffer, so:
//!
//! ```text
//!   future                      reactor                         kernel / worker
//!   try_submit(op) ──────────▶  slot = InFlight { op }  ──────▶ writes op.io_ptr()
//!   poll_complete(&t) ◀───────  slot = Done(completion) ◀────── result
//!   (future dropped)            abandon(t): slot = Orphan { op } ... completion
//!                               arrives → buffer dropped, slot reused
//!   (future leaked)             slot keeps the Done(completion) until the reactor
//!                               is dropped; the memory is never reused meanwhile
//! ```
//!
//! Whatever happens to the future (completed, dropped, `mem::forget`), the memory the
//! kernel writes into belongs to the reactor until the operation has finished. Safe
//! code therefore cannot make a reactor write into freed or reused memory; the only
//! `unsafe` a reactor needs is the syscall itself (and [`Op::complete_read`]).
//!
//! ## What a reactor must do
//!
//! 1. [`try_submit`](Reactor::try_submit): take the op, or hand it back untouched with
//!    [`Submit::Full`] when no slot is free (never fail for being busy), or finish it
//!    at once with [`Submit::Done`] (a page-cache hit, an immediate error).
//! 2. Keep the [`Reactor::File`] handle (e.g. an `Arc<OwnedFd>`) alive until the
//!    operation has finished, so the file descriptor cannot be closed and reused under
//!    an in-flight operation.
//! 3. [`poll_complete`](Reactor::poll_complete): return the completion once, then
//!    forget the ticket; until then store `cx.waker()` (skip the clone when
//!    `will_wake`) and wake it, after releasing any lock, when the operation finishes.
//! 4. [`abandon`](Reactor::abandon): the future is gone; keep the op until it
//!    finishes, then drop buffer and file and reuse the slot.
//! 5. [`poll_ready`](Reactor::poll_ready): wake the registered waker when a slot frees.
//! 6. On drop, wait for (or hand to threads that outlive it) every operation still
//!    in flight: never free memory the kernel may still write.
//!
//! Tickets carry a generation so a stale or forged ticket is detected: reactors panic
//! on one rather than return another operation's buffer.
use core::task::{Context, Poll};

use crate::buf::IoBufMut;
pub use crate::buf::{Completion, Op, OpKind};

/// Names one submitted operation inside one reactor. Deliberately not `Clone`: the
/// future that holds it is the only one that may poll or abandon the operation.
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Ticket {
    slot: u32,
    generation: u32,
}

impl Ticket {
    /// For reactor authors: a ticket for `slot` in its `generation`-th use.
    pub const fn new(slot: u32, generation: u32) -> Self {
        Self { slot, generation }
    }

    /// The reactor slot.
    pub const fn slot(&self) -> u32 {
        self.slot
    }

    /// How many times the slot had been used before.
    pub const fn generation(&self) -> u32 {
        self.generation
    }
}

/// The answer to [`Reactor::try_submit`].
#[derive(Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Submit<B> {
    /// Accepted; poll it with [`Reactor::poll_complete`].
    Queued(Ticket),
    /// Finished on the spot (cache hit, immediate error).
    Done(Completion<B>),
    /// No free slot: the op comes back untouched; wait with [`Reactor::poll_ready`].
    Full(Op<B>),
}

/// A reactor: see the [module documentation](self) for the full contract.
pub trait Reactor {
    /// The owned buffer type operations carry.
    type Buf: IoBufMut;
    /// The reactor's handle to an open file.
    type File;

    /// Submits `op` on `file` (see [`Submit`]).
    #[must_use]
    fn try_submit(&self, file: &Self::File, op: Op<Self::Buf>) -> Submit<Self::Buf>;

    /// `Ready` when a submission slot is free now; otherwise registers `cx` to be woken
    /// when one frees.
    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<()>;

    /// The completion of `ticket` once it has finished (returned exactly once);
    /// registers `cx` otherwise.
    ///
    /// # Panics
    /// On a ticket this reactor did not issue or already completed.
    fn poll_complete(&self, ticket: &Ticket, cx: &mut Context<'_>) -> Poll<Completion<Self::Buf>>;

    /// The waiting future is gone: finish the operation in the background and free
    /// the slot (dropping its buffer) when it has finished.
    fn abandon(&self, ticket: Ticket);
}

impl<R: Reactor + ?Sized> Reactor for &R {
    type Buf = R::Buf;
    type File = R::File;
    fn try_submit(&self, file: &Self::File, op: Op<Self::Buf>) -> Submit<Self::Buf> {
        (**self).try_submit(file, op)
    }
    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<()> {
        (**self).poll_ready(cx)
    }
    fn poll_complete(&self, ticket: &Ticket, cx: &mut Context<'_>) -> Poll<Completion<Self::Buf>> {
        (**self).poll_complete(ticket, cx)
    }
    fn abandon(&self, ticket: Ticket) {
        (**self).abandon(ticket)
    }
}

#[cfg(feature = "alloc")]
impl<R: Reactor + ?Sized> Reactor for alloc::sync::Arc<R> {
    type Buf = R::Buf;
    type File = R::File;
    fn try_submit(&self, file: &Self::File, op: Op<Self::Buf>) -> Submit<Self::Buf> {
        (**self).try_submit(file, op)
    }
    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<()> {
        (**self).poll_ready(cx)
    }
    fn poll_complete(&self, ticket: &Ticket, cx: &mut Context<'_>) -> Poll<Completion<Self::Buf>> {
        (**self).poll_complete(ticket, cx)
    }
    fn abandon(&self, ticket: Ticket) {
        (**self).abandon(ticket)
    }
}
