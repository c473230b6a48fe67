//! The executor every in-process async system runs on: one tokio current-thread
//! runtime (one executor thread) per case, with a `LocalSet` so W7's ticker can be a
//! separate task on that thread. The `depth` workers of a random-read case are
//! `depth` futures joined with `futures::future::try_join_all` inside `block_on`
//! (with more than 30 futures it polls only the woken ones), so 32 in flight means 32
//! concurrent futures on one thread. aiofile itself is executor-agnostic; tokio is used
//! so that `tokio-fs` and `tokio-spawn-blocking` run on the same executor.
use std::future::Future;
use std::io;

use crate::workloads::random::{Driver, ReadAt};
use crate::workloads::ticker::Ticker;

/// A fresh current-thread runtime (its blocking pool serves tokio-fs and
/// tokio-spawn-blocking; no I/O or time driver is needed).
///
/// # Panics
/// If the runtime cannot be built (out of threads or memory).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("building a tokio current-thread runtime")
}

/// Runs `f` to completion on a fresh runtime's thread (this one).
pub fn block_on<F: Future>(f: F) -> F::Output {
    let rt = runtime();
    tokio::task::LocalSet::new().block_on(&rt, f)
}

/// Runs `f` to completion with, when `tick` is set, a ticker task beside it on the
/// same thread; returns the ticker's (p99.9, max) gaps.
pub fn block_on_ticked<F: Future>(f: F, tick: bool) -> (F::Output, Option<(f64, f64)>) {
    let rt = runtime();
    let ticker = Ticker::new();
    let out = tokio::task::LocalSet::new().block_on(&rt, async {
        let handle = tick.then(|| tokio::task::spawn_local(ticker.clone().run()));
        let out = f.await;
        ticker.stop();
        if let Some(h) = handle {
            let _ = h.await;
        }
        out
    });
    (out, tick.then(|| ticker.figures()).flatten())
}

/// Runs the workers concurrently on the current task until the driver ends the case.
///
/// # Errors
/// The first worker's error.
pub async fn run_workers<R: ReadAt>(driver: &Driver, workers: Vec<R>) -> io::Result<()> {
    let futs = workers.into_iter().map(|w| driver.worker(w));
    futures::future::try_join_all(futs).await.map(|_| ())
}
