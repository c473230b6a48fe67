//! One operation in flight: submit, wait for space, wait for completion, abandon on drop.
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::buf::{Completion, Op};
use crate::reactor::{Reactor, Submit, Ticket};

/// Where one operation is in its life. Changed only by [`Pending::poll`] and
/// [`Pending::abandon`].
#[derive(Debug)]
pub(crate) enum Pending<B> {
    /// Built, not accepted by the reactor yet (it may have been `Full`).
    Unsubmitted(Op<B>),
    /// Accepted; the reactor owns the buffer.
    Queued(Ticket),
    /// Nothing in flight.
    Idle,
}

impl<B> Pending<B> {
    /// Drives the operation; `Ready` once, with its completion, after which it is `Idle`.
    ///
    /// # Panics
    /// When polled while `Idle`.
    pub(crate) fn poll<R: Reactor<Buf = B> + ?Sized>(
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

    /// True when nothing is in flight.
    pub(crate) fn is_idle(&self) -> bool {
        matches!(self, Pending::Idle)
    }

    /// Hands an accepted operation to the reactor for good (its future is going away).
    pub(crate) fn abandon<R: Reactor<Buf = B> + ?Sized>(&mut self, reactor: &R) {
        if let Pending::Queued(t) = core::mem::replace(self, Pending::Idle) {
            reactor.abandon(t);
        }
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
