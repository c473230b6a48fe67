//! Timing for the sequential workloads (W4, W5, W6): a start, an optional deadline,
//! counts of operations and bytes, and an allocation window.
use std::time::{Duration, Instant};

use crate::record::Measure;
use crate::sys::alloc::AllocWindow;

/// Counts units (chunks or lines) and bytes from a start until a deadline.
#[derive(Debug)]
pub struct Clock {
    start: Instant,
    deadline: Option<Instant>,
    /// Operations done (chunks read or written, lines).
    pub units: u64,
    /// Payload bytes.
    pub bytes: u64,
    warmup_units: u64,
    window: AllocWindow,
}

impl Clock {
    /// A clock started now; `length` `None` means "until the caller stops".
    /// The allocation window opens after `warmup_units` units.
    pub fn start(length: Option<Duration>, warmup_units: u64) -> Self {
        let start = Instant::now();
        Clock {
            start,
            deadline: length.map(|d| start + d),
            units: 0,
            bytes: 0,
            warmup_units,
            window: AllocWindow::default(),
        }
    }

    /// Records one unit of `bytes` bytes.
    pub fn add(&mut self, bytes: usize) {
        self.units += 1;
        self.bytes += bytes as u64;
        if self.units == self.warmup_units {
            self.window.start(self.units);
        }
    }

    /// Runs a set-up step whose allocations are not the operations' (see
    /// [`AllocWindow::exclude`]).
    pub fn set_up<T>(&mut self, f: impl FnOnce() -> T) -> T {
        self.window.exclude(f)
    }

    /// True once the deadline has passed (closes the allocation window). Cheap enough
    /// to call every few units, not every byte.
    pub fn over(&mut self) -> bool {
        let over = self.deadline.is_some_and(|d| Instant::now() >= d);
        if over {
            self.window.end(self.units);
        }
        over
    }

    /// The figures: units and bytes per second since the start.
    pub fn finish(mut self, backend: impl Into<String>) -> Measure {
        self.window.end(self.units);
        let secs = self.start.elapsed().as_secs_f64().max(1e-9);
        Measure {
            backend: Some(backend.into()),
            ops_per_sec: Some(self.units as f64 / secs),
            bytes_per_sec: Some(self.bytes as f64 / secs),
            allocs_per_op: self.window.per_op(),
            ..Measure::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_deadline() {
        let mut c = Clock::start(Some(Duration::from_secs(3600)), 2);
        c.add(10);
        c.add(20);
        assert!(!c.over());
        assert_eq!((c.units, c.bytes), (2, 30));
        let m = c.finish("x");
        assert!(m.bytes_per_sec.unwrap() > 0.0);
        assert_eq!(m.backend.as_deref(), Some("x"));
        let mut short = Clock::start(Some(Duration::from_millis(1)), 1);
        std::thread::sleep(Duration::from_millis(2));
        assert!(short.over());
        assert!(!Clock::start(None, 1).over());
    }
}
