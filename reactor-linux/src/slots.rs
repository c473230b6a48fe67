//! The slot table both reactors share: what each ticket's operation is doing, the
//! waker of the task waiting for it, and the wake-ups to deliver once the lock is
//! released.
//!
//! ```text
//!   claim ──▶ InFlight(Waiting) ──finish──▶ Done ──take_done──▶ Free
//!                 │ abandon                  │ abandon
//!                 ▼                          ▼
//!             InFlight(Abandoned) ──finish──▶ Free (op dropped)
//!   claim ──▶ Punted(fallback ticket)          (an op routed to the fallback)
//!   (AIO) InFlight ──EAGAIN──▶ Punted(fallback ticket) / Punting{op} (fallback full)
//! ```
//! The `Punted` and `Punting` states are driven by `punt`, shared by both reactors.
//! While a slot is `InFlight` its op lives in the kernel queue (`sys`), not here.
use std::cell::RefCell;
use std::mem;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use aiofile_core::{Completion, Op, Ticket};
use aiofile_reactor_threads::FileRef;

/// Whether anyone still waits for an in-flight operation.
#[derive(Debug)]
pub(crate) enum Interest {
    /// A future waits; it registered this waker (if it polled yet).
    Waiting(Option<Waker>),
    /// The future is gone: drop the op when it finishes.
    Abandoned,
}

/// What one slot holds.
#[derive(Debug)]
pub(crate) enum State<B> {
    /// Unused.
    Free,
    /// Handed to the kernel; the op is held by the kernel queue.
    InFlight(Interest),
    /// Finished; waiting for `poll_complete`.
    Done(Completion<B>),
    /// Handed to the fallback reactor, which issued this ticket.
    Punted(Ticket),
    /// To be handed to the fallback, which had no room.
    Punting {
        /// The operation, untouched.
        op: Op<B>,
        /// Its file.
        file: FileRef,
    },
}

impl<B> State<B> {
    /// The variant's name, for panic messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            State::Free => "Free",
            State::InFlight(Interest::Waiting(_)) => "InFlight(Waiting)",
            State::InFlight(Interest::Abandoned) => "InFlight(Abandoned)",
            State::Done(_) => "Done",
            State::Punted(_) => "Punted",
            State::Punting { .. } => "Punting",
        }
    }
}

#[derive(Debug)]
struct Entry<B> {
    generation: u32,
    state: State<B>,
}

/// A fixed table of slots with a free list; allocation-free after `new`.
#[derive(Debug)]
pub(crate) struct Slots<B> {
    entries: Vec<Entry<B>>,
    free: Vec<u32>,
    space_waiters: Vec<Waker>,
    wakes: Vec<Waker>,
}

impl<B> Slots<B> {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            entries: (0..n)
                .map(|_| Entry {
                    generation: 0,
                    state: State::Free,
                })
                .collect(),
            free: (0..n as u32).rev().collect(),
            space_waiters: Vec::new(),
            wakes: Vec::with_capacity(n),
        }
    }

    /// Whether [`claim`](Self::claim) would succeed.
    pub(crate) fn has_free(&self) -> bool {
        !self.free.is_empty()
    }

    /// Takes a free slot, puts `state` in it and returns its ticket.
    pub(crate) fn claim(&mut self, state: State<B>) -> Option<Ticket> {
        let slot = self.free.pop()?;
        let entry = &mut self.entries[slot as usize];
        entry.state = state;
        Some(Ticket::new(slot, entry.generation))
    }

    /// The state behind a ticket.
    ///
    /// # Panics
    /// On a ticket this table did not issue, or whose operation was already returned.
    pub(crate) fn state_mut(&mut self, ticket: &Ticket) -> &mut State<B> {
        let entry = self.entries.get_mut(ticket.slot() as usize);
        match entry {
            Some(e) if e.generation == ticket.generation() && !matches!(e.state, State::Free) => {
                &mut e.state
            }
            _ => panic!("stale or foreign ticket {ticket:?}"),
        }
    }

    /// The state of `slot` (for completions, which carry the slot number).
    pub(crate) fn state_at(&mut self, slot: u32) -> &mut State<B> {
        &mut self.entries[slot as usize].state
    }

    /// Frees `slot` (dropping whatever it held) and wakes the tasks waiting for room.
    pub(crate) fn release(&mut self, slot: u32) {
        let entry = &mut self.entries[slot as usize];
        entry.state = State::Free;
        entry.generation = entry.generation.wrapping_add(1);
        self.free.push(slot);
        self.wakes.append(&mut self.space_waiters);
    }

    /// Records the completion of the in-flight op of `slot`: stores it for its
    /// future (and queues that future's wake-up), or drops it if the future is gone.
    pub(crate) fn finish(&mut self, slot: u32, completion: Completion<B>) {
        match mem::replace(self.state_at(slot), State::Done(completion)) {
            State::InFlight(Interest::Waiting(waker)) => self.wakes.extend(waker),
            State::InFlight(Interest::Abandoned) => self.release(slot),
            other => debug_assert!(
                false,
                "completion for slot {slot} in state {}",
                other.name()
            ),
        }
    }

    /// Takes the completion out of a `Done` slot and frees it.
    pub(crate) fn take_done(&mut self, slot: u32) -> Completion<B> {
        let State::Done(c) = mem::replace(self.state_at(slot), State::Free) else {
            panic!("slot {slot} is not done");
        };
        self.release(slot);
        c
    }

    /// Queues a wake-up for after the lock is released.
    pub(crate) fn wake_later(&mut self, waker: Option<Waker>) {
        self.wakes.extend(waker);
    }

    /// `Ready` when a slot is free; registers `cx` otherwise.
    pub(crate) fn poll_space(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.has_free() {
            return Poll::Ready(());
        }
        if !self.space_waiters.iter().any(|w| w.will_wake(cx.waker())) {
            self.space_waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }

    /// Frees every `Punted` slot, handing its fallback ticket to `f` (reactor drop).
    pub(crate) fn drain_punted(&mut self, mut f: impl FnMut(Ticket)) {
        for slot in 0..self.entries.len() as u32 {
            if let State::Punted(_) = self.state_at(slot) {
                if let State::Punted(t) = mem::replace(self.state_at(slot), State::Free) {
                    f(t);
                }
            }
        }
    }

    /// Number of slots in use.
    pub(crate) fn in_use(&self) -> usize {
        self.entries.len() - self.free.len()
    }
}

/// Stores `cx`'s waker in `slot`, skipping the clone when it would wake the same task.
pub(crate) fn register(slot: &mut Option<Waker>, cx: &Context<'_>) {
    match slot {
        Some(w) if w.will_wake(cx.waker()) => {}
        _ => *slot = Some(cx.waker().clone()),
    }
}

/// Reactor state that queues wake-ups in its slot table.
pub(crate) trait HasSlots {
    /// The buffer type of the slots.
    type Buf;
    /// The slot table.
    fn slots(&mut self) -> &mut Slots<Self::Buf>;
}

/// Wake-ups delivered from a list on the stack (more go through [`TO_WAKE`]): a turn
/// that completes a whole depth-32 batch, plus the tasks waiting for room.
const STACK_WAKES: usize = 64;

/// Wake-ups a thread's list has room for from its first use (a 128-slot table plus
/// the 32 tasks waiting for room fit).
const WAKE_RESERVE: usize = 256;

thread_local! {
    /// The wake-ups this thread delivers after releasing a reactor's lock. Per thread
    /// and kept, so neither contention (the driver and an executor both turning) nor
    /// steady state allocates.
    static TO_WAKE: RefCell<Vec<Waker>> = const { RefCell::new(Vec::new()) };
}

/// Locks `mutex` (ignoring poisoning: the state stays consistent between calls), runs
/// `f`, then wakes the tasks `f` queued **after** releasing the lock, so a waker that
/// re-enters the reactor cannot deadlock. Up to [`STACK_WAKES`] wake-ups go through a
/// list on the stack; more through this thread's [`TO_WAKE`]. Both heap lists keep their
/// allocation: the slot table's is drained, not taken.
pub(crate) fn with_lock<T: HasSlots, R>(mutex: &Mutex<T>, f: impl FnOnce(&mut T) -> R) -> R {
    let mut guard = lock(mutex);
    let out = f(&mut guard);
    let wakes = &mut guard.slots().wakes;
    if wakes.is_empty() {
        return out;
    }
    if wakes.len() <= STACK_WAKES {
        // The common case, on the stack: no thread's first wake-up allocates.
        let batch: heapless::Vec<Waker, STACK_WAKES> = wakes.drain(..).collect();
        drop(guard);
        batch.into_iter().for_each(Waker::wake);
        return out;
    }
    TO_WAKE.with(|to_wake| match to_wake.try_borrow_mut() {
        Ok(mut list) => {
            if list.capacity() == 0 {
                // Once per thread, room for a whole table's worth: no growth later.
                list.reserve(WAKE_RESERVE);
            }
            list.extend(guard.slots().wakes.drain(..));
            drop(guard);
            list.drain(..).for_each(Waker::wake);
        }
        // A waker that re-entered a reactor on this thread while the list is in use.
        Err(_) => {
            let list: Vec<Waker> = guard.slots().wakes.drain(..).collect();
            drop(guard);
            list.into_iter().for_each(Waker::wake);
        }
    });
    out
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The state behind `mutex` without locking (reactor drop), ignoring poisoning as
/// [`lock`] does.
pub(crate) fn unlocked<T>(mutex: &mut Mutex<T>) -> &mut T {
    mutex.get_mut().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aiofile_core::OpKind;

    fn done() -> Completion<Vec<u8>> {
        Completion {
            kind: OpKind::Fsync,
            result: Ok(0),
            buf: None,
        }
    }

    struct Table(Slots<Vec<u8>>);

    impl HasSlots for Table {
        type Buf = Vec<u8>;
        fn slots(&mut self) -> &mut Slots<Vec<u8>> {
            &mut self.0
        }
    }

    /// Counts its wake-ups, each checking that the table's lock is free.
    struct Checker {
        table: std::sync::Arc<Mutex<Table>>,
        woken: std::sync::atomic::AtomicUsize,
    }

    impl std::task::Wake for Checker {
        fn wake(self: std::sync::Arc<Self>) {
            assert!(self.table.try_lock().is_ok(), "woken under the lock");
            self.woken
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    #[test]
    fn wake_ups_come_after_the_lock_from_the_stack_then_the_thread_list() {
        std::thread::spawn(|| {
            let table = std::sync::Arc::new(Mutex::new(Table(Slots::new(4))));
            let checker = std::sync::Arc::new(Checker {
                table: table.clone(),
                woken: Default::default(),
            });
            let heap_list = || TO_WAKE.with(|l| l.borrow().capacity() > 0);
            for (n, heap) in [(STACK_WAKES, false), (STACK_WAKES + 1, true)] {
                with_lock(&table, |t| {
                    let wakers = (0..n).map(|_| Waker::from(checker.clone()));
                    t.0.wakes.extend(wakers);
                });
                assert_eq!(heap_list(), heap, "{n} wake-ups");
            }
            let woken = checker.woken.load(std::sync::atomic::Ordering::Relaxed);
            assert_eq!(woken, 2 * STACK_WAKES + 1);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn claim_finish_take_cycles_generations() {
        let mut s = Slots::<Vec<u8>>::new(1);
        let t = s.claim(State::InFlight(Interest::Waiting(None))).unwrap();
        assert!(s.claim(State::Free).is_none());
        s.finish(t.slot(), done());
        assert!(matches!(s.state_mut(&t), State::Done(_)));
        let _ = s.take_done(t.slot());
        let t2 = s.claim(State::InFlight(Interest::Abandoned)).unwrap();
        assert_eq!((t2.slot(), t2.generation()), (0, 1));
        s.finish(t2.slot(), done());
        assert_eq!(
            s.in_use(),
            0,
            "an abandoned op frees its slot when it finishes"
        );
    }

    #[test]
    #[should_panic(expected = "stale or foreign ticket")]
    fn stale_ticket_panics() {
        let mut s = Slots::<Vec<u8>>::new(1);
        let t = s.claim(State::Done(done())).unwrap();
        let _ = s.take_done(t.slot());
        let _ = s.state_mut(&t);
    }
}
