//! A counting global allocator: every allocation in the process (any thread) bumps one
//! counter, so W8 can report heap allocations per operation in steady state.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

/// [`System`] plus a count of `alloc`/`alloc_zeroed`/`realloc` calls.
pub struct CountingAlloc;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

/// Allocations made by the process so far.
pub fn allocations() -> u64 {
    ALLOCS.load(Ordering::Relaxed)
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees are ours; the counter has no effect on the memory handed out.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout (non-zero size per GlobalAlloc's contract).
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as in `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, i.e. from `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: `ptr`/`layout` came from `System` (see `dealloc`); the caller keeps
        // `realloc`'s contract for `new_size`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Counts allocations between a start and an end mark taken in steady state.
#[derive(Clone, Copy, Debug, Default)]
pub struct AllocWindow {
    start: Option<(u64, u64)>,
    end: Option<(u64, u64)>,
    /// Allocations made by set-up steps inside the window (see [`AllocWindow::exclude`]).
    excluded: u64,
}

impl AllocWindow {
    /// Marks the start (first call wins) at `ops` operations done.
    pub fn start(&mut self, ops: u64) {
        if self.start.is_none() {
            self.start = Some((allocations(), ops));
        }
    }

    /// Marks the end (first call wins) at `ops` operations done.
    pub fn end(&mut self, ops: u64) {
        if self.start.is_some() && self.end.is_none() {
            self.end = Some((allocations(), ops));
        }
    }

    /// Runs `f`, a set-up step that is not an operation (e.g. making the reader for the
    /// next pass over a file), and leaves the allocations it makes out of the window.
    pub fn exclude<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let before = allocations();
        let out = f();
        if self.start.is_some() && self.end.is_none() {
            self.excluded += allocations() - before;
        }
        out
    }

    /// Allocations inside the window (set-up steps left out) and the operations done
    /// there, if both marks were taken.
    pub fn counts(&self) -> Option<(u64, u64)> {
        let ((a0, o0), (a1, o1)) = (self.start?, self.end?);
        Some((a1 - a0 - self.excluded, o1 - o0))
    }

    /// Allocations per operation inside the window, if both marks were taken and at
    /// least one operation ran between them.
    pub fn per_op(&self) -> Option<f64> {
        let (allocs, ops) = self.counts()?;
        (ops > 0).then(|| allocs as f64 / ops as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_counts_allocations_between_marks() {
        let mut w = AllocWindow::default();
        w.start(10);
        let v: Vec<Box<u32>> = (0..100).map(Box::new).collect();
        w.end(110);
        drop(v);
        // 100 boxes + the vector itself, over 100 ops (other test threads may add some).
        assert!(w.per_op().unwrap() >= 1.0);
    }

    #[test]
    fn excluded_set_up_is_left_out() {
        let mut w = AllocWindow::default();
        let before = w.exclude(|| Box::new(1u8)); // before the window: nothing to leave out
        w.start(0);
        let set_up: Vec<Box<u8>> = w.exclude(|| (0..50).map(Box::new).collect());
        let op = Box::new(2u8);
        w.end(1);
        let (allocs, ops) = w.counts().unwrap();
        assert_eq!(ops, 1);
        // The one Box made as "the operation" counts; the 51 set-up allocations do not
        // (other test threads may add a few).
        assert!((1..50).contains(&allocs), "{allocs}");
        drop((before, set_up, op));
    }

    #[test]
    fn window_without_end_has_no_figure() {
        let mut w = AllocWindow::default();
        w.start(0);
        assert_eq!(w.per_op(), None);
    }
}
