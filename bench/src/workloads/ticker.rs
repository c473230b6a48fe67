//! W7's ticker: a task on the same executor thread that yields in a loop and records
//! the gap between consecutive polls. A gap is the time the thread spent elsewhere
//! (other tasks' polls, submissions that block, parking): the stall a latency-sensitive
//! task would see. Yielding (not a timer) is used because tokio's timer has 1 ms
//! granularity, far above the 50 µs target.
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Instant;

use crate::stats::Histogram;

/// Shared between the ticker and whoever stops it.
#[derive(Clone, Default)]
pub struct Ticker {
    stop: Rc<Cell<bool>>,
    gaps: Rc<RefCell<Histogram>>,
}

impl Ticker {
    /// A ticker, not yet running.
    pub fn new() -> Self {
        Self::default()
    }

    /// The ticking loop: spawn it on the executor thread (`spawn_local`).
    pub async fn run(self) {
        let mut last = Instant::now();
        while !self.stop.get() {
            tokio::task::yield_now().await;
            let now = Instant::now();
            self.gaps.borrow_mut().record(now - last);
            last = now;
        }
    }

    /// Stops the loop at its next poll.
    pub fn stop(&self) {
        self.stop.set(true);
    }

    /// (p99.9, max) gap in µs, if any gap was recorded.
    pub fn figures(&self) -> Option<(f64, f64)> {
        let g = self.gaps.borrow();
        Some((g.quantile_us(0.999)?, g.max_us()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_a_blocking_poll_as_a_gap() {
        let t = Ticker::new();
        let rt = crate::exec::runtime();
        let local = tokio::task::LocalSet::new();
        local.block_on(&rt, async {
            let h = tokio::task::spawn_local(t.clone().run());
            tokio::task::yield_now().await;
            std::thread::sleep(std::time::Duration::from_millis(30)); // blocks the thread
            tokio::task::yield_now().await;
            t.stop();
            h.await.unwrap();
        });
        let (_, max) = t.figures().unwrap();
        assert!(max >= 30_000.0, "max gap {max} µs");
    }
}
