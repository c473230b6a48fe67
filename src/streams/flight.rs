//! [`Flight`]: one owned-buffer operation that outlives the future that started it.
//!
//! The core keeps its equivalent private (its `Writer` owns exactly one buffer); the
//! facade's [`Writer`](super::Writer) needs the operation in a struct field next to
//! spare buffers, so it drives the [`Reactor`] calls itself, the same way.
use std::task::{Context, Poll};

use aiofile_core::{Completion, Op, Reactor, Submit, Ticket};

use crate::file::CoreFile;

/// Where one operation is: built but not taken by the reactor yet (it was full),
/// taken, or nothing in flight.
#[derive(Debug, Default)]
pub(crate) enum Flight {
    /// Built; the reactor had no free slot.
    Unsubmitted(Op<Vec<u8>>),
    /// Taken by the reactor, which owns the buffer until the completion comes back.
    Queued(Ticket),
    /// Nothing in flight.
    #[default]
    Idle,
}

impl Flight {
    /// True when nothing is in flight.
    pub(crate) fn is_idle(&self) -> bool {
        matches!(self, Flight::Idle)
    }

    /// Hands `op` to the reactor now, without waiting for anything: `Some` when the
    /// reactor finished it on the spot.
    pub(crate) fn start(
        &mut self,
        file: &CoreFile,
        op: Op<Vec<u8>>,
    ) -> Option<Completion<Vec<u8>>> {
        match file.reactor().try_submit(file.handle(), op) {
            Submit::Queued(t) => *self = Flight::Queued(t),
            Submit::Done(c) => return Some(c),
            Submit::Full(op) => *self = Flight::Unsubmitted(op),
        }
        None
    }

    /// Drives the operation: `Ready` once, with its completion, after which the flight
    /// is idle. `Ready(None)` when nothing was in flight.
    pub(crate) fn poll(
        &mut self,
        file: &CoreFile,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Completion<Vec<u8>>>> {
        let reactor = file.reactor();
        loop {
            match std::mem::take(self) {
                Flight::Idle => return Poll::Ready(None),
                Flight::Unsubmitted(op) => {
                    if let Some(c) = self.start(file, op) {
                        return Poll::Ready(Some(c));
                    }
                    if self.is_unsubmitted() && reactor.poll_ready(cx).is_pending() {
                        return Poll::Pending;
                    }
                }
                Flight::Queued(t) => {
                    let poll = reactor.poll_complete(&t, cx);
                    if poll.is_pending() {
                        *self = Flight::Queued(t);
                    }
                    return poll.map(Some);
                }
            }
        }
    }

    /// Leaves an operation the reactor took to the reactor for good (the owner is
    /// going away): it still runs, and the reactor frees its buffer afterwards. An
    /// operation the reactor never took is offered once more first, so that accepted
    /// data is still written when a slot is free.
    pub(crate) fn abandon(&mut self, file: &CoreFile) {
        if let Flight::Unsubmitted(op) = std::mem::take(self) {
            // A completion on the spot needs nothing more; `Full` drops the op.
            let _ = self.start(file, op);
        }
        if let Flight::Queued(t) = std::mem::take(self) {
            file.reactor().abandon(t);
        }
    }

    fn is_unsubmitted(&self) -> bool {
        matches!(self, Flight::Unsubmitted(_))
    }
}
