//! Runs a blocking call (open, ftruncate, close) on a short-lived thread and awaits it,
//! so no executor thread ever blocks in the kernel.
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

enum Slot<T> {
    Waiting(Option<Waker>),
    Done(T),
    Taken,
}

/// The future for [`unblock`].
pub(crate) struct Unblock<T> {
    shared: Arc<Mutex<Slot<T>>>,
}

/// Runs `f` on its own thread; the returned future resolves to its result.
pub(crate) fn unblock<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Unblock<T> {
    let shared = Arc::new(Mutex::new(Slot::Waiting(None)));
    let theirs = Arc::clone(&shared);
    let run = move || {
        let value = f();
        let prev = std::mem::replace(&mut *lock(&theirs), Slot::Done(value));
        if let Slot::Waiting(Some(w)) = prev {
            w.wake();
        }
    };
    if let Err(e) = std::thread::Builder::new()
        .name("aiofile-blocking".into())
        .spawn(run)
    {
        // Cannot spawn (thread limit): the future will report it.
        panic!("aiofile: cannot spawn a thread for a blocking call: {e}");
    }
    Unblock { shared }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<T> Future for Unblock<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut slot = lock(&self.shared);
        match std::mem::replace(&mut *slot, Slot::Taken) {
            Slot::Done(v) => Poll::Ready(v),
            Slot::Waiting(w) => {
                let w = match w {
                    Some(w) if w.will_wake(cx.waker()) => w,
                    _ => cx.waker().clone(),
                };
                *slot = Slot::Waiting(Some(w));
                Poll::Pending
            }
            Slot::Taken => panic!("Unblock polled after completion"),
        }
    }
}
