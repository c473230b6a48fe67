//! The pool's configuration and its counters.
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

/// How a [`ThreadReactor`](crate::ThreadReactor) is built.
///
/// | field | default | meaning |
/// |---|---|---|
/// | `workers` | [`ThreadConfig::DEFAULT_WORKERS`] = 4 | worker threads (libuv's default pool size) |
/// | `slots` | [`ThreadConfig::DEFAULT_SLOTS`] = 256 | operations in flight at once (queued, running or finished but not yet collected); the bound of the submission queue |
/// | `nowait_reads` | `true` on Linux, `false` elsewhere | try each read inline with `preadv2(RWF_NOWAIT)` first |
///
/// ```
/// use aiofile_reactor_threads::ThreadConfig;
/// let config = ThreadConfig::default().workers(2).slots(64).nowait_reads(false);
/// assert_eq!((config.workers, config.slots, config.nowait_reads), (2, 64, false));
/// // or with struct update syntax:
/// let same = ThreadConfig { workers: 2, slots: 64, nowait_reads: false };
/// assert_eq!(config, same);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadConfig {
    /// Number of worker threads (at least 1).
    pub workers: usize,
    /// Number of operation slots (at least 1, below `u32::MAX`), allocated once.
    pub slots: usize,
    /// On Linux, complete cached reads inline with `preadv2(RWF_NOWAIT)` and send only
    /// the misses (`EAGAIN`) to the pool. Ignored elsewhere.
    pub nowait_reads: bool,
}

impl ThreadConfig {
    /// Default number of workers.
    pub const DEFAULT_WORKERS: usize = 4;
    /// Default number of slots.
    pub const DEFAULT_SLOTS: usize = 256;
    /// Default for `nowait_reads`: on where the kernel offers `RWF_NOWAIT`.
    pub const DEFAULT_NOWAIT_READS: bool = cfg!(any(target_os = "linux", target_os = "android"));

    /// Sets the number of worker threads.
    ///
    /// ```
    /// # use aiofile_reactor_threads::ThreadConfig;
    /// assert_eq!(ThreadConfig::default().workers(8).workers, 8);
    /// ```
    #[must_use]
    pub const fn workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    /// Sets the number of slots.
    ///
    /// ```
    /// # use aiofile_reactor_threads::ThreadConfig;
    /// assert_eq!(ThreadConfig::default().slots(16).slots, 16);
    /// ```
    #[must_use]
    pub const fn slots(mut self, slots: usize) -> Self {
        self.slots = slots;
        self
    }

    /// Turns the inline `RWF_NOWAIT` read attempt on or off.
    ///
    /// ```
    /// # use aiofile_reactor_threads::ThreadConfig;
    /// assert!(!ThreadConfig::default().nowait_reads(false).nowait_reads);
    /// ```
    #[must_use]
    pub const fn nowait_reads(mut self, on: bool) -> Self {
        self.nowait_reads = on;
        self
    }

    /// Checks the ranges.
    ///
    /// # Errors
    /// [`io::ErrorKind::InvalidInput`] when `workers` is 0 or `slots` is 0 or `>= u32::MAX`.
    pub(crate) fn validate(&self) -> io::Result<()> {
        let bad = |what| Err(io::Error::new(io::ErrorKind::InvalidInput, what));
        if self.workers == 0 {
            return bad("ThreadConfig::workers must be at least 1");
        }
        if self.slots == 0 || self.slots >= u32::MAX as usize {
            return bad("ThreadConfig::slots must be in 1..u32::MAX");
        }
        Ok(())
    }
}

impl Default for ThreadConfig {
    fn default() -> Self {
        Self {
            workers: Self::DEFAULT_WORKERS,
            slots: Self::DEFAULT_SLOTS,
            nowait_reads: Self::DEFAULT_NOWAIT_READS,
        }
    }
}

/// A snapshot of a reactor's counters (see
/// [`ThreadReactor::stats`](crate::ThreadReactor::stats)).
///
/// `completed / wakeups` is the wake-up coalescing factor: a worker publishes a batch
/// of completions under one lock and wakes each distinct task once.
///
/// ```
/// use aiofile_reactor_threads::Stats;
/// let s = Stats::default();
/// assert_eq!(s.submitted, s.inline + s.completed + s.dropped + s.in_pool());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Operations accepted by `try_submit` (queued or finished inline).
    pub submitted: u64,
    /// Reads finished inline by `preadv2(RWF_NOWAIT)` (page-cache hits and definite errors).
    pub inline: u64,
    /// Inline read attempts that fell back to the pool (`EAGAIN`, `EOPNOTSUPP`, ...).
    pub nowait_misses: u64,
    /// Buffered reads sent to the pool without an inline attempt: the file's
    /// [`NowaitGate`](crate::NowaitGate) was shut (after misses or a read that waited),
    /// or the kernel has no `preadv2`.
    pub nowait_skipped: u64,
    /// Operations a worker finished (including orphaned ones).
    pub completed: u64,
    /// Queued reads dropped without running: abandoned, or left at shutdown.
    pub dropped: u64,
    /// Task wake-ups the workers issued for completions.
    pub wakeups: u64,
}

impl Stats {
    /// Operations submitted to the pool and neither finished nor dropped yet.
    pub fn in_pool(&self) -> u64 {
        self.submitted
            .saturating_sub(self.inline + self.completed + self.dropped)
    }
}

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) submitted: AtomicU64,
    pub(crate) inline: AtomicU64,
    pub(crate) nowait_misses: AtomicU64,
    pub(crate) nowait_skipped: AtomicU64,
    pub(crate) completed: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) wakeups: AtomicU64,
}

impl Counters {
    /// Adds `n` to `counter` (relaxed: these are statistics, not synchronisation).
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Stats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Stats {
            submitted: get(&self.submitted),
            inline: get(&self.inline),
            nowait_misses: get(&self.nowait_misses),
            nowait_skipped: get(&self.nowait_skipped),
            completed: get(&self.completed),
            dropped: get(&self.dropped),
            wakeups: get(&self.wakeups),
        }
    }
}
