//! The slot table: every operation's state, from submission to collection.
//!
//! A plain data structure, free of threads and syscalls (the reactor keeps it behind one
//! mutex), so each transition is unit-tested here:
//!
//! ```text
//!            insert                 pop_queued             finish
//!   Free ───────────▶ Queued{job} ───────────▶ Running ─────────────▶ Done(completion)
//!    ▲                   │ abandon (read)         │                        │ poll / abandon
//!    └───────────────────┴────────────────────────┴── orphan finishes ─────┴──▶ Free
//! ```
//!
//! `abandon` on a queued write/sync or on a running op marks its waiter
//! [`Orphan`](Waiter::Orphan): the op still runs and the slot is freed when it finishes.
//! Each free bumps the slot's generation, so an old [`Ticket`] no longer matches.
//! All storage is allocated once in [`Table::new`].
use std::mem;
use std::task::Waker;

use aiofile_core::{Completion, IoBufMut, Op, OpKind, Ticket};

use crate::file::FileRef;
use crate::wake::WakeList;

/// An operation and the file it runs on (kept alive until the op has finished).
#[derive(Debug)]
pub(crate) struct Job<B> {
    pub(crate) op: Op<B>,
    pub(crate) file: FileRef,
}

/// Who waits for a queued or running operation.
#[derive(Debug)]
enum Waiter {
    /// Submitted, not polled yet.
    Idle,
    /// This task is to be woken on completion.
    Waiting(Waker),
    /// The future is gone: free the slot as soon as the op finishes.
    Orphan,
}

impl Waiter {
    /// The stored waker, if any.
    fn into_waker(self) -> Option<Waker> {
        match self {
            Waiter::Waiting(w) => Some(w),
            Waiter::Idle | Waiter::Orphan => None,
        }
    }

    /// Stores `waker` (no clone if the stored one would wake the same task); returns the
    /// displaced waker, to be dropped after the lock is released.
    fn register(&mut self, waker: &Waker) -> Option<Waker> {
        match self {
            Waiter::Waiting(w) if w.will_wake(waker) => None,
            _ => match mem::replace(self, Waiter::Waiting(waker.clone())) {
                Waiter::Waiting(old) => Some(old),
                _ => None,
            },
        }
    }
}

/// One slot's state, carrying its data.
#[derive(Debug)]
enum State<B> {
    Free {
        next_free: u32,
    },
    Queued {
        job: Job<B>,
        waiter: Waiter,
    },
    /// A worker owns the op (and its buffer) until it calls [`Table::finish`].
    Running {
        waiter: Waiter,
    },
    /// Finished, waiting to be collected by `poll` (or forever, if the future leaked).
    Done(Completion<B>),
}

#[derive(Debug)]
struct Slot<B> {
    generation: u32,
    state: State<B>,
}

/// End of the free list.
const NONE: u32 = u32::MAX;

/// What [`Table::poll`] found.
#[derive(Debug)]
pub(crate) enum Polled<B> {
    /// The completion; the slot is free again.
    Ready(Completion<B>),
    /// Not finished; the waker is stored. Holds the waker it displaced (drop it unlocked).
    Pending(Option<Waker>),
}

/// What [`Table::finish`] did with a completion.
#[derive(Debug)]
pub(crate) enum Finished<B> {
    /// Stored for its future; wake this task (if it had polled).
    Stored(Option<Waker>),
    /// Its future was gone: the slot is free, drop the completion (unlocked).
    Orphaned(Completion<B>),
}

/// What [`Table::abandon`] released; the caller drops it after unlocking.
#[derive(Debug)]
pub(crate) enum Released<B> {
    /// Queued write/sync or running op: it finishes in the background.
    Orphaned(Option<Waker>),
    /// A queued read, dropped without running; the slot is free.
    Dropped(Job<B>, Option<Waker>),
    /// A finished op nobody collected; the slot is free.
    Collected(Completion<B>),
}

/// The slots, their free list, the FIFO of queued slots and the tasks waiting for room.
#[derive(Debug)]
pub(crate) struct Table<B> {
    slots: Box<[Slot<B>]>,
    free_head: u32,
    in_use: usize,
    queue: Ring,
    space: WakeList,
}

impl<B: IoBufMut> Table<B> {
    /// A table of `n` free slots (`1 <= n < u32::MAX`) whose generations start at
    /// `first_generation` (reactors pick different ones, so a ticket from another
    /// reactor is unlikely to match and is caught as foreign).
    pub(crate) fn new(n: usize, first_generation: u32) -> Self {
        assert!(n >= 1 && n < NONE as usize, "slot count out of range");
        let slots = (0..n as u32)
            .map(|i| {
                let next_free = if i + 1 == n as u32 { NONE } else { i + 1 };
                Slot {
                    generation: first_generation,
                    state: State::Free { next_free },
                }
            })
            .collect();
        Self {
            slots,
            free_head: 0,
            in_use: 0,
            queue: Ring::new(n),
            space: WakeList::new(),
        }
    }

    /// Slots not free: queued, running, done-but-uncollected, or orphaned.
    pub(crate) fn in_use(&self) -> usize {
        self.in_use
    }

    /// Operations waiting for a worker.
    pub(crate) fn queued(&self) -> usize {
        self.queue.len
    }

    /// True when a submission would be accepted.
    pub(crate) fn has_free(&self) -> bool {
        self.free_head != NONE
    }

    /// Queues `job` in a free slot, or hands it back when none is free.
    pub(crate) fn insert(&mut self, job: Job<B>) -> Result<Ticket, Job<B>> {
        let idx = self.free_head;
        let Some(slot) = self.slots.get_mut(idx as usize) else {
            return Err(job);
        };
        let State::Free { next_free } = slot.state else {
            unreachable!("free list points at a slot in use");
        };
        self.free_head = next_free;
        self.in_use += 1;
        slot.state = State::Queued {
            job,
            waiter: Waiter::Idle,
        };
        self.queue.push(idx);
        Ok(Ticket::new(idx, slot.generation))
    }

    /// Takes the oldest queued job for a worker; its slot becomes `Running`.
    pub(crate) fn pop_queued(&mut self) -> Option<(u32, Job<B>)> {
        let idx = self.queue.pop()?;
        let slot = &mut self.slots[idx as usize];
        match mem::replace(
            &mut slot.state,
            State::Running {
                waiter: Waiter::Idle,
            },
        ) {
            State::Queued { job, waiter } => {
                slot.state = State::Running { waiter };
                Some((idx, job))
            }
            _ => unreachable!("queue held a slot that was not queued"),
        }
    }

    /// A worker hands back the completion of the job it popped from slot `idx`.
    pub(crate) fn finish(&mut self, idx: u32, done: Completion<B>) -> Finished<B> {
        let slot = &mut self.slots[idx as usize];
        match mem::replace(&mut slot.state, State::Done(done)) {
            State::Running {
                waiter: Waiter::Orphan,
            } => match self.free(idx) {
                State::Done(done) => Finished::Orphaned(done),
                _ => unreachable!(),
            },
            State::Running { waiter } => Finished::Stored(waiter.into_waker()),
            _ => unreachable!("finish on a slot that was not running"),
        }
    }

    /// The completion for `ticket` if done (freeing the slot), else stores `waker`.
    ///
    /// # Panics
    /// On a ticket that is stale (already completed or abandoned) or was not issued here.
    pub(crate) fn poll(&mut self, ticket: &Ticket, waker: &Waker) -> Polled<B> {
        let idx = self.check(ticket);
        match &mut self.slots[idx as usize].state {
            State::Queued { waiter, .. } | State::Running { waiter } => {
                Polled::Pending(waiter.register(waker))
            }
            State::Done(_) => match self.free(idx) {
                State::Done(done) => Polled::Ready(done),
                _ => unreachable!(),
            },
            State::Free { .. } => unreachable!("checked"),
        }
    }

    /// The future holding `ticket` is gone (see [`Released`] for what happens).
    ///
    /// # Panics
    /// As [`poll`](Self::poll).
    pub(crate) fn abandon(&mut self, ticket: Ticket) -> Released<B> {
        let idx = self.check(&ticket);
        match &mut self.slots[idx as usize].state {
            State::Queued { job, .. } if job.op.kind() == OpKind::Read => {
                self.queue.remove(idx);
                match self.free(idx) {
                    State::Queued { job, waiter } => Released::Dropped(job, waiter.into_waker()),
                    _ => unreachable!(),
                }
            }
            State::Queued { waiter, .. } | State::Running { waiter } => {
                Released::Orphaned(mem::replace(waiter, Waiter::Orphan).into_waker())
            }
            State::Done(_) => match self.free(idx) {
                State::Done(done) => Released::Collected(done),
                _ => unreachable!(),
            },
            State::Free { .. } => unreachable!("checked"),
        }
    }

    /// `true` if a slot is free; otherwise stores `waker` to be woken when one frees.
    /// When more tasks wait than the list holds, the waiting ones are moved to
    /// `overflow` (wake them unlocked: they poll again and re-register) to make room.
    pub(crate) fn poll_space(&mut self, waker: &Waker, overflow: &mut WakeList) -> bool {
        if self.has_free() {
            return true;
        }
        if !self.space.register(waker) {
            *overflow = self.space.take();
            self.space.register(waker);
        }
        false
    }

    /// The tasks waiting for room, if a slot is free now (an empty list otherwise).
    pub(crate) fn take_space_waiters(&mut self) -> WakeList {
        if self.has_free() && !self.space.is_empty() {
            self.space.take()
        } else {
            WakeList::new()
        }
    }

    /// Shutdown: removes every queued read (nobody can collect its data any more);
    /// queued writes and syncs stay for the workers to finish.
    pub(crate) fn drain_queued_reads(&mut self) -> Vec<Job<B>> {
        let mut dropped = Vec::new();
        for _ in 0..self.queue.len {
            let idx = self.queue.pop().expect("counted");
            let is_read = matches!(&self.slots[idx as usize].state,
                State::Queued { job, .. } if job.op.kind() == OpKind::Read);
            if !is_read {
                self.queue.push(idx);
                continue;
            }
            if let State::Queued { job, .. } = self.free(idx) {
                dropped.push(job);
            }
        }
        dropped
    }

    /// The slot index of a live ticket.
    fn check(&self, ticket: &Ticket) -> u32 {
        let idx = ticket.slot();
        let live = self.slots.get(idx as usize).is_some_and(|s| {
            s.generation == ticket.generation()
                && match &s.state {
                    State::Free { .. } => false,
                    State::Queued { waiter, .. } | State::Running { waiter } => {
                        !matches!(waiter, Waiter::Orphan)
                    }
                    State::Done(_) => true,
                }
        });
        assert!(
            live,
            "aiofile-reactor-threads: stale or foreign ticket {ticket:?}"
        );
        idx
    }

    /// Frees slot `idx` (new generation, head of the free list); returns its old state.
    fn free(&mut self, idx: u32) -> State<B> {
        let slot = &mut self.slots[idx as usize];
        slot.generation = slot.generation.wrapping_add(1);
        self.in_use -= 1;
        let next_free = mem::replace(&mut self.free_head, idx);
        mem::replace(&mut slot.state, State::Free { next_free })
    }
}

/// A fixed ring of slot indices (the submission FIFO), sized to the slot count so it
/// can never overflow: each slot is queued at most once.
#[derive(Debug)]
struct Ring {
    buf: Box<[u32]>,
    head: usize,
    len: usize,
}

impl Ring {
    fn new(n: usize) -> Self {
        Self {
            buf: vec![0; n].into_boxed_slice(),
            head: 0,
            len: 0,
        }
    }

    fn at(&self, i: usize) -> usize {
        (self.head + i) % self.buf.len()
    }

    fn push(&mut self, idx: u32) {
        assert!(self.len < self.buf.len(), "ring overflow");
        let at = self.at(self.len);
        self.buf[at] = idx;
        self.len += 1;
    }

    fn pop(&mut self) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let idx = self.buf[self.head];
        self.head = self.at(1);
        self.len -= 1;
        Some(idx)
    }

    /// Removes `idx` (linear in the queue length; only abandoned reads need it).
    fn remove(&mut self, idx: u32) {
        let Some(pos) = (0..self.len).find(|&i| self.buf[self.at(i)] == idx) else {
            return;
        };
        for i in pos..self.len - 1 {
            let (to, from) = (self.at(i), self.at(i + 1));
            self.buf[to] = self.buf[from];
        }
        self.len -= 1;
    }
}

#[cfg(test)]
#[path = "slots_tests.rs"]
mod tests;
