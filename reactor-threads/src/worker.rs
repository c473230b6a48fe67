//! The worker threads and the state they share with the reactor.
//!
//! One mutex guards everything ([`Inner`]: the slot table plus the pool's bookkeeping);
//! workers sleep on one condvar. A worker's round:
//!
//! 1. under the lock, take a batch of up to [`BATCH`] queued jobs (about
//!    `queued / workers`, so a burst is spread over the pool), and nudge one more idle
//!    worker if jobs remain;
//! 2. without the lock, run each job's syscall, then drop its file reference;
//! 3. under the lock again, store all the completions and collect the distinct wakers
//!    (a task awaiting many operations is woken once per batch);
//! 4. release the lock, then wake them and drop the buffers of orphaned operations.
//!
//! A submitter signals the condvar only when a worker is idle and not already
//! signalled, so a burst of submissions costs about one futex wake per idle worker.
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use aiofile_core::{Completion, IoBufMut};

use crate::config::Counters;
use crate::slots::{Finished, Job, Table};
use crate::sys;
use crate::wake::{WakeList, WAKE_LIST};

/// Most jobs a worker takes per round (and completions it publishes per lock).
pub(crate) const BATCH: usize = 16;
const _: () = assert!(BATCH <= WAKE_LIST, "a batch's wakers must fit one WakeList");

/// What the mutex guards.
#[derive(Debug)]
pub(crate) struct Inner<B> {
    pub(crate) table: Table<B>,
    /// Workers blocked on the condvar.
    idle: usize,
    /// `notify_one` calls not yet answered by a waking worker.
    notified: usize,
    /// Set once by the reactor's `Drop`: finish the queue, then exit.
    pub(crate) shutdown: bool,
}

impl<B: IoBufMut> Inner<B> {
    /// True (and counted) when a queued job should get an idle worker signalled.
    pub(crate) fn wants_worker(&mut self) -> bool {
        let wanted = self.table.queued() > 0 && self.idle > self.notified;
        if wanted {
            self.notified += 1;
        }
        wanted
    }
}

/// A different starting generation for each reactor of the process (a Weyl sequence),
/// so tickets of one reactor do not match the slots of another.
fn first_generation() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
        .wrapping_mul(0x9E37_79B9)
}

/// Everything the reactor and its workers share.
#[derive(Debug)]
pub(crate) struct Shared<B> {
    inner: Mutex<Inner<B>>,
    /// Workers wait here for queued jobs (or shutdown).
    pub(crate) work: Condvar,
    pub(crate) counters: Counters,
}

impl<B: IoBufMut + Send> Shared<B> {
    /// A pool state with `slots` free slots.
    pub(crate) fn new(slots: usize) -> Self {
        let inner = Inner {
            table: Table::new(slots, first_generation()),
            idle: 0,
            notified: 0,
            shutdown: false,
        };
        Self {
            inner: Mutex::new(inner),
            work: Condvar::new(),
            counters: Counters::default(),
        }
    }

    /// Locks the state. Poisoning is ignored: the only panics under this lock (a stale
    /// ticket) happen before anything is changed.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner<B>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A worker's life: run batches until shutdown leaves the queue empty.
    pub(crate) fn run_worker(&self, workers: usize) {
        let mut jobs = heapless::Vec::<(u32, Job<B>), BATCH>::new();
        let mut done = heapless::Vec::<(u32, Completion<B>), BATCH>::new();
        while self.take_batch(&mut jobs, workers) {
            for (idx, job) in jobs.drain(..) {
                let completion = sys::perform(job.file.as_fd(), job.op);
                drop(job.file);
                // Cannot fail: `done` holds as many as `jobs`.
                let _ = done.push((idx, completion));
            }
            Counters::add(&self.counters.completed, done.len() as u64);
            self.publish(&mut done);
        }
    }

    /// Waits for queued jobs and moves a batch of them into `jobs`; false on shutdown
    /// with nothing left to run.
    fn take_batch(&self, jobs: &mut heapless::Vec<(u32, Job<B>), BATCH>, workers: usize) -> bool {
        let mut inner = self.lock();
        while inner.table.queued() == 0 {
            if inner.shutdown {
                return false;
            }
            inner.idle += 1;
            inner = self
                .work
                .wait(inner)
                .unwrap_or_else(PoisonError::into_inner);
            inner.idle -= 1;
            inner.notified = inner.notified.saturating_sub(1);
        }
        let n = inner.table.queued().div_ceil(workers).clamp(1, BATCH);
        while jobs.len() < n {
            match inner.table.pop_queued() {
                Some(job) => _ = jobs.push(job),
                None => break,
            }
        }
        let more = inner.wants_worker();
        drop(inner);
        if more {
            self.work.notify_one();
        }
        true
    }

    /// Stores a batch of completions under one lock, then wakes their tasks (each
    /// distinct task once) and the tasks waiting for a free slot, and drops what
    /// orphaned operations left, all after unlocking.
    fn publish(&self, done: &mut heapless::Vec<(u32, Completion<B>), BATCH>) {
        let mut wake = WakeList::new();
        let mut orphans = heapless::Vec::<Completion<B>, BATCH>::new();
        let mut space = {
            let mut inner = self.lock();
            for (idx, completion) in done.drain(..) {
                match inner.table.finish(idx, completion) {
                    // Cannot be full: at most BATCH <= WAKE_LIST distinct wakers.
                    Finished::Stored(Some(w)) => _ = wake.push(w),
                    Finished::Stored(None) => {}
                    Finished::Orphaned(c) => _ = orphans.push(c),
                }
            }
            inner.table.take_space_waiters()
        };
        Counters::add(&self.counters.wakeups, wake.wake_all() as u64);
        space.wake_all();
        drop(orphans);
    }
}
