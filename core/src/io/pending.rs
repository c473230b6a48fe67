//! One operation in flight: submit, wait for space, wait for completion, abandon on drop.
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::buf::{Completion, Op};
use crate::reactor::{Reactor, Submit, Ticket};

/// Where one operation is in its life: the building block of every stream here, for
/// types that keep an operation in a field across polls (so dropping the future that
/// polls them loses nothing). Changed only by its methods.
///
/// ```
/// use aiofile_core::{io::Pending, mem::MemReactor, Op};
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// let reactor: MemReactor<NoopRawMutex, Vec<u8>, 16, 2> = MemReactor::new(b"abc");
/// let mut op = Pending::Idle;
/// assert!(op.start(&reactor, &(), Op::read(Vec::with_capacity(3), 0, 3).unwrap()).is_none());
/// let done = embassy_futures::block_on(core::future::poll_fn(|cx| op.poll_next(&reactor, &(), cx)));
/// assert_eq!(done.unwrap().buf.unwrap(), b"abc");
/// assert!(op.is_idle());
/// ```
#[derive(Debug, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Pending<B> {
    /// Built, not accepted by the reactor yet (it may have been `Full`).
    Unsubmitted(Op<B>),
    /// Accepted; the reactor owns the buffer.
    Queued(Ticket),
    /// Nothing in flight.
    #[default]
    Idle,
}

impl<B> Pending<B> {
    /// Offers `op` to the reactor now (no waker needed): `Some` with its completion when
    /// the reactor answered on the spot, `None` when it is now in flight (queued, or
    /// waiting for a free slot, which the next poll retries).
    ///
    /// # Panics
    /// When an operation is already in flight.
    pub fn start<R: Reactor<Buf = B> + ?Sized>(
        &mut self,
        reactor: &R,
        file: &R::File,
        op: Op<B>,
    ) -> Option<Completion<B>> {
        assert!(self.is_idle(), "an operation is already in flight");
        match reactor.try_submit(file, op) {
            Submit::Queued(t) => *self = Pending::Queued(t),
            Submit::Done(c) => return Some(c),
            Submit::Full(op) => *self = Pending::Unsubmitted(op),
        }
        None
    }

    /// Drives the operation; `Ready` once, with its completion, after which it is `Idle`.
    ///
    /// # Panics
    /// When polled while `Idle`.
    pub fn poll<R: Reactor<Buf = B> + ?Sized>(
        &mut self,
        reactor: &R,
        file: &R::File,
        cx: &mut Context<'_>,
    ) -> Poll<Completion<B>> {
        loop {
            match core::mem::replace(self, Pending::Idle) {
                Pending::Unsubmitted(op) => match reactor.try_submit(file, op) {
                    Submit::Queued(t) => *self = Pending::Queued(t),
                    Submit::Done(c) => return Poll::Ready(c),
                    Submit::Full(op) => {
                        *self = Pending::Unsubmitted(op);
                        if reactor.poll_ready(cx).is_pending() {
                            return Poll::Pending;
                        }
                    }
                },
                Pending::Queued(t) => {
                    let poll = reactor.poll_complete(&t, cx);
                    if poll.is_pending() {
                        *self = Pending::Queued(t);
                    }
                    return poll;
                }
                Pending::Idle => panic!("polled an idle operation"),
            }
        }
    }

    /// Like [`poll`](Pending::poll), but `Ready(None)` when nothing is in flight.
    pub fn poll_next<R: Reactor<Buf = B> + ?Sized>(
        &mut self,
        reactor: &R,
        file: &R::File,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Completion<B>>> {
        if self.is_idle() {
            return Poll::Ready(None);
        }
        self.poll(reactor, file, cx).map(Some)
    }

    /// True when nothing is in flight.
    pub fn is_idle(&self) -> bool {
        matches!(self, Pending::Idle)
    }

    /// The owner is going away: an accepted operation is left to the reactor (which
    /// finishes it and frees its buffer); one not accepted yet is dropped unperformed.
    pub fn abandon<R: Reactor<Buf = B> + ?Sized>(&mut self, reactor: &R) {
        if let Pending::Queued(t) = core::mem::replace(self, Pending::Idle) {
            reactor.abandon(t);
        }
    }

    /// Like [`abandon`](Pending::abandon), but an operation not accepted yet is offered
    /// to the reactor once more first, so work a caller was told is under way (a
    /// write-behind) still happens when there is room for it.
    pub fn detach<R: Reactor<Buf = B> + ?Sized>(&mut self, reactor: &R, file: &R::File) {
        if let Pending::Unsubmitted(op) = core::mem::replace(self, Pending::Idle) {
            let _ = self.start(reactor, file, op);
        }
        self.abandon(reactor);
    }
}

/// A future for one raw [`Op`]: resolves to its [`Completion`].
///
/// Cancel-safety: dropping it before completion abandons the operation to the reactor
/// (it still runs; the buffer is freed once the reactor is done with it).
///
/// ```
/// use aiofile_core::{io::File, mem::MemReactor, Op, OpKind};
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// let reactor: MemReactor<NoopRawMutex, Vec<u8>, 16, 2> = MemReactor::new(b"abc");
/// let file = File::new(&reactor, ());
/// let done = embassy_futures::block_on(file.submit(Op::fsync()));
/// assert_eq!((done.kind, done.result), (OpKind::Fsync, Ok(0)));
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct OpFuture<'a, R: Reactor> {
    reactor: &'a R,
    file: &'a R::File,
    pending: Pending<R::Buf>,
}

impl<'a, R: Reactor> OpFuture<'a, R> {
    pub(crate) fn new(reactor: &'a R, file: &'a R::File, op: Op<R::Buf>) -> Self {
        Self {
            reactor,
            file,
            pending: Pending::Unsubmitted(op),
        }
    }
}

impl<R: Reactor> Future for OpFuture<'_, R> {
    type Output = Completion<R::Buf>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.pending.poll(this.reactor, this.file, cx)
    }
}

impl<R: Reactor> Unpin for OpFuture<'_, R> {}

impl<R: Reactor> Drop for OpFuture<'_, R> {
    fn drop(&mut self) {
        self.pending.abandon(self.reactor);
    }
}
