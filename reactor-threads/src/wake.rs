//! Fixed-capacity waker lists: collected under the reactor lock, woken after it.
use std::task::Waker;

/// How many wakers one [`WakeList`] holds.
pub(crate) const WAKE_LIST: usize = 32;

/// Up to [`WAKE_LIST`] wakers without duplicates (by [`Waker::will_wake`]), on the
/// stack: filling and waking it never allocates.
#[derive(Debug, Default)]
pub(crate) struct WakeList {
    wakers: heapless::Vec<Waker, WAKE_LIST>,
}

impl WakeList {
    /// An empty list.
    pub(crate) const fn new() -> Self {
        Self {
            wakers: heapless::Vec::new(),
        }
    }

    /// Adds `waker` unless an equivalent one is already in; hands it back when full.
    pub(crate) fn push(&mut self, waker: Waker) -> Result<(), Waker> {
        if self.contains(&waker) {
            return Ok(());
        }
        self.wakers.push(waker)
    }

    /// Adds a clone of `waker` unless an equivalent one is already in (no clone then).
    /// Returns false, without adding, when the list is full.
    pub(crate) fn register(&mut self, waker: &Waker) -> bool {
        self.contains(waker) || self.wakers.push(waker.clone()).is_ok()
    }

    fn contains(&self, waker: &Waker) -> bool {
        self.wakers.iter().any(|w| w.will_wake(waker))
    }

    /// True when no waker is held.
    pub(crate) fn is_empty(&self) -> bool {
        self.wakers.is_empty()
    }

    /// Moves every waker out into a new list, leaving this one empty.
    pub(crate) fn take(&mut self) -> WakeList {
        core::mem::take(self)
    }

    /// Wakes every waker (call it with no lock held); returns how many were woken.
    pub(crate) fn wake_all(&mut self) -> usize {
        let n = self.wakers.len();
        while let Some(w) = self.wakers.pop() {
            w.wake();
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;

    struct Counter(AtomicUsize);
    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn counter() -> (Arc<Counter>, Waker) {
        let c = Arc::new(Counter(AtomicUsize::new(0)));
        (c.clone(), Waker::from(c))
    }

    #[test]
    fn same_task_is_woken_once_per_list() {
        let (a, wa) = counter();
        let (b, wb) = counter();
        let mut list = WakeList::new();
        for _ in 0..16 {
            list.push(wa.clone()).unwrap();
            assert!(list.register(&wb));
        }
        assert_eq!(list.wake_all(), 2);
        assert_eq!(a.0.load(Ordering::Relaxed), 1);
        assert_eq!(b.0.load(Ordering::Relaxed), 1);
        assert!(list.is_empty());
    }

    #[test]
    fn full_list_hands_the_waker_back() {
        let mut list = WakeList::new();
        let counters: Vec<_> = (0..WAKE_LIST).map(|_| counter()).collect();
        for (_, w) in &counters {
            assert!(list.register(w));
        }
        let (_, extra) = counter();
        assert!(!list.register(&extra));
        assert!(list.push(extra).is_err());
        let mut taken = list.take();
        assert!(list.is_empty());
        assert_eq!(taken.wake_all(), WAKE_LIST);
    }
}
