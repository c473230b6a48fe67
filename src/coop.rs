//! Cooperative yielding for operations the reactor answers at once.
//!
//! A read served from the page cache completes inside `try_submit`, so its future is
//! ready on its first poll. A task reading cached data in a loop would then never
//! return `Pending`, and on a single-threaded executor every other task would wait
//! until the loop ends (measured before this module: a 1 GiB pass of 4 KiB reads whose
//! end is all cache hits held the executor thread for 150-218 ms in one poll).
//!
//! So, like tokio's task budget, each thread counts the operations that completed
//! without this thread's futures returning `Pending` since; after [`BUDGET`] of them the
//! next operation first yields once (wakes its task and returns `Pending`) before it
//! starts. Nothing has been submitted at that point, so dropping the future there
//! cancels nothing. The cost is one extra poll per [`BUDGET`] operations.
use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::{Context, Poll};

/// Operations a thread completes back to back before the next one yields once (the
/// same figure as tokio's per-task budget).
pub(crate) const BUDGET: u32 = 128;

thread_local! {
    static STREAK: Cell<u32> = const { Cell::new(0) };
}

/// `Pending` (with the task woken) when the thread has used its budget, resetting it;
/// `Ready` otherwise. Call before starting an operation.
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    STREAK.with(|streak| {
        if streak.get() < BUDGET {
            return Poll::Ready(());
        }
        streak.set(0);
        cx.waker().wake_by_ref();
        Poll::Pending
    })
}

/// Records how an operation's poll ended: `Ready` spends one unit of the budget,
/// `Pending` (the task goes back to its executor) restores it.
pub(crate) fn note<T>(poll: &Poll<T>) {
    STREAK.with(|streak| match poll {
        Poll::Ready(_) => streak.set(streak.get().saturating_add(1)),
        Poll::Pending => streak.set(0),
    });
}

/// Runs `op` under the budget: yields first if the budget is used up, then counts how
/// `op` ended.
pub(crate) async fn run<F: Future>(op: F) -> F::Output {
    poll_fn(poll_proceed).await;
    let mut op = pin!(op);
    poll_fn(|cx| {
        let poll = op.as_mut().poll(cx);
        note(&poll);
        poll
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    #[test]
    fn the_budget_yields_once_then_refills() {
        let mut cx = Context::from_waker(Waker::noop());
        STREAK.with(|s| s.set(0));
        for _ in 0..BUDGET {
            assert!(poll_proceed(&mut cx).is_ready());
            note(&Poll::Ready(()));
        }
        assert!(poll_proceed(&mut cx).is_pending(), "the budget is used up");
        assert!(poll_proceed(&mut cx).is_ready(), "one yield refills it");
        note(&Poll::Ready(()));
        note(&Poll::<()>::Pending);
        assert_eq!(STREAK.with(Cell::get), 0, "a Pending restores it");
    }
}
