//! [`ThreadReactor`]: the [`Reactor`] implementation over the worker pool.
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::{self, JoinHandle};

use aiofile_core::{Completion, IoBufMut, Op, Reactor, Submit, Ticket};

use crate::config::{Counters, Stats, ThreadConfig};
use crate::file::FileRef;
use crate::inline::{try_read_inline, Inline};
use crate::slots::{Job, Polled, Released};
use crate::wake::WakeList;
use crate::worker::Shared;

/// The portable reactor: a fixed pool of worker threads doing positional
/// `pread`/`pwrite`/`fsync`/`fdatasync`, with a preallocated table of
/// [`ThreadConfig::slots`] operation slots. See the [crate documentation](crate) for the
/// mechanism, cancellation and drop behaviour.
///
/// `B` is the buffer type the operations own (`Vec<u8>`, [`StaticBuf`], ...).
///
/// ```
/// use aiofile_core::{Op, Reactor, Submit};
/// use aiofile_reactor_threads::{FileHandle, ThreadConfig, ThreadReactor};
/// use std::sync::Arc;
/// use std::task::{Context, Poll, Waker};
///
/// let reactor = ThreadReactor::<Vec<u8>>::new(ThreadConfig::default().workers(1)).unwrap();
/// let file = Arc::new(FileHandle::new(std::fs::File::open("/proc/self/cmdline")?.into())?);
/// let completion = match reactor.try_submit(&file, Op::read(Vec::with_capacity(8), 0, 8).unwrap()) {
///     Submit::Done(c) => c, // answered inline (RWF_NOWAIT)
///     Submit::Queued(ticket) => loop {
///         // A real future returns Pending here and is woken; this example spins.
///         let mut cx = Context::from_waker(Waker::noop());
///         if let Poll::Ready(c) = reactor.poll_complete(&ticket, &mut cx) {
///             break c;
///         }
///         std::thread::yield_now();
///     },
///     Submit::Full(_) => unreachable!("256 free slots"),
/// };
/// assert!(completion.result.unwrap() > 0);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// [`StaticBuf`]: aiofile_core::buf::StaticBuf
pub struct ThreadReactor<B: IoBufMut + Send> {
    shared: Arc<Shared<B>>,
    workers: Vec<JoinHandle<()>>,
    config: ThreadConfig,
    /// Still trying `RWF_NOWAIT` (cleared for good on `ENOSYS`).
    nowait: AtomicBool,
}

impl<B: IoBufMut + Send> ThreadReactor<B> {
    /// Allocates the slot table and starts `config.workers` threads (named
    /// `aiofile-worker-N`).
    ///
    /// # Errors
    /// [`io::ErrorKind::InvalidInput`] for 0 workers or an out-of-range slot count; the
    /// OS error if a thread cannot be spawned (the ones already started are stopped).
    ///
    /// ```
    /// # use aiofile_reactor_threads::{ThreadConfig, ThreadReactor};
    /// let r = ThreadReactor::<Vec<u8>>::new(ThreadConfig::default().slots(8)).unwrap();
    /// assert_eq!(r.config().slots, 8);
    /// assert!(ThreadReactor::<Vec<u8>>::new(ThreadConfig::default().workers(0)).is_err());
    /// ```
    pub fn new(config: ThreadConfig) -> io::Result<Self> {
        config.validate()?;
        let nowait = config.nowait_reads && ThreadConfig::DEFAULT_NOWAIT_READS;
        let mut reactor = Self {
            shared: Arc::new(Shared::new(config.slots)),
            workers: Vec::with_capacity(config.workers),
            config,
            nowait: AtomicBool::new(nowait),
        };
        for i in 0..config.workers {
            let shared = Arc::clone(&reactor.shared);
            let worker = thread::Builder::new()
                .name(format!("aiofile-worker-{i}"))
                .spawn(move || shared.run_worker(config.workers))?;
            reactor.workers.push(worker);
        }
        Ok(reactor)
    }

    /// A reactor with [`ThreadConfig::default`] (4 workers, 256 slots, `RWF_NOWAIT`
    /// reads on Linux).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    ///
    /// ```
    /// # use aiofile_reactor_threads::ThreadReactor;
    /// let r = ThreadReactor::<Vec<u8>>::with_defaults().unwrap();
    /// assert_eq!(r.in_use_slots(), 0);
    /// ```
    pub fn with_defaults() -> io::Result<Self> {
        Self::new(ThreadConfig::default())
    }

    /// The configuration this reactor was built with.
    pub fn config(&self) -> ThreadConfig {
        self.config
    }

    /// Whether reads are still tried inline with `RWF_NOWAIT`: the configured value,
    /// turned off for good if the kernel lacks `preadv2` (`ENOSYS`), always false
    /// outside Linux.
    ///
    /// ```
    /// # use aiofile_reactor_threads::{ThreadConfig, ThreadReactor};
    /// let r = ThreadReactor::<Vec<u8>>::new(ThreadConfig::default().nowait_reads(false)).unwrap();
    /// assert!(!r.nowait_reads_active());
    /// ```
    pub fn nowait_reads_active(&self) -> bool {
        self.nowait.load(Ordering::Relaxed)
    }

    /// Slots in use: queued, running, finished but not yet collected, and orphans still
    /// running. A future leaked with `mem::forget` after submitting keeps its slot (and
    /// buffer) until the reactor is dropped.
    ///
    /// ```
    /// # use aiofile_reactor_threads::ThreadReactor;
    /// assert_eq!(ThreadReactor::<Vec<u8>>::with_defaults().unwrap().in_use_slots(), 0);
    /// ```
    pub fn in_use_slots(&self) -> usize {
        self.shared.lock().table.in_use()
    }

    /// A snapshot of the counters (relaxed reads: exact once the reactor is quiet).
    ///
    /// ```
    /// # use aiofile_reactor_threads::ThreadReactor;
    /// let s = ThreadReactor::<Vec<u8>>::with_defaults().unwrap().stats();
    /// assert_eq!((s.submitted, s.wakeups), (0, 0));
    /// ```
    pub fn stats(&self) -> Stats {
        self.shared.counters.snapshot()
    }

    /// The `RWF_NOWAIT` fast path: the completion, or the op back for the pool.
    fn try_inline(&self, file: &FileRef, op: Op<B>) -> Result<Completion<B>, Op<B>> {
        if !self.nowait_reads_active() {
            return Err(op);
        }
        let counters = &self.shared.counters;
        let (missed_or_skipped, op) = match try_read_inline(file, op) {
            Inline::Done(done) => {
                Counters::add(&counters.submitted, 1);
                Counters::add(&counters.inline, 1);
                return Ok(done);
            }
            Inline::Missed(op) => (&counters.nowait_misses, op),
            Inline::Skipped(op) => (&counters.nowait_skipped, op),
            Inline::NotCandidate(op) => return Err(op),
        };
        Counters::add(missed_or_skipped, 1);
        Err(op)
    }
}

impl<B: IoBufMut + Send> Reactor for ThreadReactor<B> {
    type Buf = B;
    type File = FileRef;

    /// Reads may finish inline ([`Submit::Done`]) when `nowait_reads` is on and the data
    /// is cached, even when every slot is busy. Otherwise the op is queued, or handed
    /// back with [`Submit::Full`] when no slot is free. Operations in flight at the same
    /// time are not ordered with respect to each other.
    fn try_submit(&self, file: &FileRef, op: Op<B>) -> Submit<B> {
        let op = match self.try_inline(file, op) {
            Ok(done) => return Submit::Done(done),
            Err(op) => op,
        };
        let mut inner = self.shared.lock();
        if !inner.table.has_free() {
            return Submit::Full(op);
        }
        let ticket = match inner.table.insert(Job {
            op,
            file: Arc::clone(file),
        }) {
            Ok(ticket) => ticket,
            Err(_) => unreachable!("a slot was free"),
        };
        let signal = inner.wants_worker();
        drop(inner);
        Counters::add(&self.shared.counters.submitted, 1);
        if signal {
            self.shared.work.notify_one();
        }
        Submit::Queued(ticket)
    }

    /// Waiting tasks are kept in a fixed list of 32 (deduplicated with `will_wake`); all
    /// of them are woken when a slot frees (the ones that lose the race register again).
    /// A 33rd distinct waiter wakes the 32 listed ones to take their place: with more
    /// than 32 tasks waiting for space at once, they poll more often but never stall.
    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut overflow = WakeList::new();
        let ready = self
            .shared
            .lock()
            .table
            .poll_space(cx.waker(), &mut overflow);
        overflow.wake_all();
        if ready {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// # Panics
    /// On a ticket already completed or abandoned, or not issued by this reactor (each
    /// reactor numbers its slot generations from a different start, so another
    /// reactor's ticket is caught unless it matches a live operation by chance).
    fn poll_complete(&self, ticket: &Ticket, cx: &mut Context<'_>) -> Poll<Completion<B>> {
        let mut inner = self.shared.lock();
        match inner.table.poll(ticket, cx.waker()) {
            Polled::Ready(done) => {
                let mut space = inner.table.take_space_waiters();
                drop(inner);
                space.wake_all();
                Poll::Ready(done)
            }
            Polled::Pending(displaced) => {
                drop(inner);
                drop(displaced);
                Poll::Pending
            }
        }
    }

    /// A queued read is dropped at once (it has no effect anyone could observe); a
    /// queued write or sync still runs, as does a running operation: the worker owns
    /// its buffer and file until it finishes, then frees the slot and drops them.
    /// A finished, uncollected operation is freed at once.
    ///
    /// # Panics
    /// As [`poll_complete`](Reactor::poll_complete).
    fn abandon(&self, ticket: Ticket) {
        let mut inner = self.shared.lock();
        let released = inner.table.abandon(ticket);
        let mut space = inner.table.take_space_waiters();
        drop(inner);
        space.wake_all();
        // Whatever the table released is dropped here, unlocked.
        match released {
            Released::Orphaned(waker) => drop(waker),
            Released::Dropped(job, waker) => {
                Counters::add(&self.shared.counters.dropped, 1);
                drop((job, waker));
            }
            Released::Collected(done) => drop(done),
        }
    }
}

impl<B: IoBufMut + Send> Drop for ThreadReactor<B> {
    /// Drops the queued reads, lets the workers finish the running operations and the
    /// queued writes and syncs, joins them, then frees every slot (buffers of finished
    /// operations that leaked futures never collected included). Blocks for as long
    /// as that I/O takes.
    fn drop(&mut self) {
        let dropped = {
            let mut inner = self.shared.lock();
            inner.shutdown = true;
            inner.table.drain_queued_reads()
        };
        self.shared.work.notify_all();
        Counters::add(&self.shared.counters.dropped, dropped.len() as u64);
        drop(dropped);
        for worker in self.workers.drain(..) {
            // A worker only panics if a waker's `wake` or a buffer's `Drop` did; its
            // panic was already reported, and a destructor can do no better than go on.
            let _ = worker.join();
        }
    }
}

impl<B: IoBufMut + Send> fmt::Debug for ThreadReactor<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadReactor")
            .field("config", &self.config)
            .field("nowait_reads_active", &self.nowait_reads_active())
            .field("in_use_slots", &self.in_use_slots())
            .field("stats", &self.stats())
            .finish()
    }
}
