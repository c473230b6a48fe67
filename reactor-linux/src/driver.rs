//! Driving a reactor: the [`Drive`] trait an executor's poller uses, and [`Driven`], a
//! built-in driver thread for executors that have no poller to lend.
use std::io;
use std::ops::Deref;
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;

use aiofile_core::{Completion, IoBufMut, Op, Reactor, Submit, Ticket};

use crate::owner::Owner;
use crate::sys::eventfd;
use crate::{AioReactor, UringReactor};

/// A reactor whose completions are signalled on a descriptor ([`AsFd`]) and collected
/// by a non-blocking [`turn`](Drive::turn).
///
/// Executor-driven use: register the descriptor with the executor's poller (tokio
/// `AsyncFd`, smol `Async`, epoll) for readability and call `turn` whenever it fires.
/// `turn` resets the descriptor *before* reaping, so a completion that lands during
/// the call makes it readable again: no wake-up is lost.
///
/// ```no_run
/// use aiofile_reactor_linux::{Drive, UringReactor};
/// use std::time::Duration;
/// let reactor = UringReactor::<Vec<u8>>::new()?;
/// // A hand-written executor's idle step:
/// if reactor.turn() == 0 {
///     reactor.wait(Some(Duration::from_millis(10))).unwrap();
/// }
/// # Ok::<(), aiofile_reactor_linux::Unavailable>(())
/// ```
pub trait Drive: AsFd + Send + Sync {
    /// Non-blocking: collects completions and wakes their tasks; returns how many.
    fn turn(&self) -> usize;

    /// Blocks until the descriptor is readable or `timeout` passes (`None`: no limit).
    ///
    /// # Errors
    /// The `poll(2)` error (other than `EINTR`, which returns `Ok(false)`).
    fn wait(&self, timeout: Option<Duration>) -> io::Result<bool> {
        eventfd::wait(self.as_fd(), timeout)
    }

    /// Makes the descriptor readable, waking a thread blocked in [`wait`](Drive::wait).
    fn notify(&self) {
        eventfd::signal(self.as_fd());
    }
}

impl<B: IoBufMut + Send + 'static> Drive for AioReactor<B> {
    fn turn(&self) -> usize {
        AioReactor::turn(self)
    }
}

impl<B: IoBufMut + Send + 'static> Drive for UringReactor<B> {
    fn turn(&self) -> usize {
        UringReactor::turn(self)
    }
}

impl<R: Drive + ?Sized> Drive for Arc<R> {
    fn turn(&self) -> usize {
        (**self).turn()
    }
}

/// A reactor with its own driver thread, which waits on the descriptor and calls
/// [`turn`](Drive::turn): for executors (e.g. `futures::executor`) that cannot wait on
/// a descriptor themselves. It derefs to the reactor and implements [`Reactor`].
///
/// Page-cache hits and other inline completions do not involve the thread: the
/// reactors reap in `poll_complete`. Dropping stops and joins the thread (in a forked
/// child, where the thread does not exist, it is not joined), then drops the reactor.
///
/// ```no_run
/// use aiofile_reactor_linux::{Driven, UringReactor};
/// let reactor = Driven::new(UringReactor::<Vec<u8>>::new().unwrap()).unwrap();
/// // hand `&reactor` (or an Arc of it) to the futures; completions wake them.
/// ```
pub struct Driven<R: Drive + 'static> {
    shared: Arc<Shared<R>>,
    thread: Option<JoinHandle<()>>,
    owner: Owner,
}

struct Shared<R> {
    reactor: R,
    stop: AtomicBool,
}

impl<R: Drive + 'static> Driven<R> {
    /// Starts the driver thread (named `aiofile-driver`).
    ///
    /// # Errors
    /// The thread spawn error.
    pub fn new(reactor: R) -> io::Result<Self> {
        let shared = Arc::new(Shared {
            reactor,
            stop: AtomicBool::new(false),
        });
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("aiofile-driver".into())
            .spawn(move || drive(&theirs))?;
        Ok(Self {
            shared,
            thread: Some(thread),
            owner: Owner::current(),
        })
    }

    /// The driven reactor.
    pub fn reactor(&self) -> &R {
        &self.shared.reactor
    }
}

fn drive<R: Drive>(shared: &Shared<R>) {
    while !shared.stop.load(Ordering::Acquire) {
        shared.reactor.turn();
        if shared.reactor.wait(None).is_err() {
            // poll(2) on our own eventfd cannot fail short of a bug; do not spin.
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl<R: Drive + 'static> Drop for Driven<R> {
    fn drop(&mut self) {
        if self.owner.check().is_err() {
            // A forked child: the thread and the eventfd's reader live in the parent.
            return;
        }
        self.shared.stop.store(true, Ordering::Release);
        self.shared.reactor.notify();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl<R: Drive + 'static> Deref for Driven<R> {
    type Target = R;
    fn deref(&self) -> &R {
        &self.shared.reactor
    }
}

impl<R: Drive + Reactor + 'static> Reactor for Driven<R> {
    type Buf = R::Buf;
    type File = R::File;
    fn try_submit(&self, file: &Self::File, op: Op<Self::Buf>) -> Submit<Self::Buf> {
        self.shared.reactor.try_submit(file, op)
    }
    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.shared.reactor.poll_ready(cx)
    }
    fn poll_complete(&self, ticket: &Ticket, cx: &mut Context<'_>) -> Poll<Completion<Self::Buf>> {
        self.shared.reactor.poll_complete(ticket, cx)
    }
    fn abandon(&self, ticket: Ticket) {
        self.shared.reactor.abandon(ticket)
    }
}

impl<R: Drive + std::fmt::Debug + 'static> std::fmt::Debug for Driven<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driven")
            .field("reactor", &self.shared.reactor)
            .finish()
    }
}
