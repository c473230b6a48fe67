//! A small, safe thread-pool fallback for the tests (the real one is the
//! `aiofile-reactor-threads` crate): workers do positional I/O on a `dup` of the
//! descriptor and copy through a temporary buffer.
use std::collections::VecDeque;
use std::fs::File;
use std::os::fd::AsFd;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread::JoinHandle;

use aiofile_core::{Completion, Errno, IoBufMut, Op, OpKind, Reactor, Submit, Ticket};
use aiofile_reactor_linux::FileRef;

enum Slot<B> {
    Free,
    Queued {
        op: Op<B>,
        file: FileRef,
        waker: Option<Waker>,
    },
    Running {
        waker: Option<Waker>,
    },
    Abandoned,
    Done(Completion<B>),
}

struct State<B> {
    slots: Vec<(u32, Slot<B>)>,
    queue: VecDeque<u32>,
    stop: bool,
}

struct Shared<B> {
    state: Mutex<State<B>>,
    work: Condvar,
    accepted: AtomicU64,
}

/// A fixed pool of worker threads implementing the reactor contract.
pub struct ThreadFallback<B: IoBufMut + Send + 'static> {
    shared: Arc<Shared<B>>,
    threads: Vec<JoinHandle<()>>,
}

impl<B: IoBufMut + Send + 'static> ThreadFallback<B> {
    pub fn new(workers: usize, slots: usize) -> Self {
        let state = State {
            slots: (0..slots).map(|_| (0, Slot::Free)).collect(),
            queue: VecDeque::new(),
            stop: false,
        };
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            work: Condvar::new(),
            accepted: AtomicU64::new(0),
        });
        let threads = (0..workers)
            .map(|_| {
                let s = Arc::clone(&shared);
                std::thread::spawn(move || worker(&s))
            })
            .collect();
        Self { shared, threads }
    }

    /// Operations accepted so far.
    pub fn accepted(&self) -> u64 {
        self.shared.accepted.load(Ordering::Relaxed)
    }
}

fn worker<B: IoBufMut + Send>(shared: &Shared<B>) {
    let mut state = shared.state.lock().unwrap();
    loop {
        if state.stop {
            return;
        }
        let Some(i) = state.queue.pop_front() else {
            state = shared.work.wait(state).unwrap();
            continue;
        };
        let slot = &mut state.slots[i as usize].1;
        if !matches!(slot, Slot::Queued { .. }) {
            continue; // abandoned while queued (or queued twice after reuse)
        }
        let Slot::Queued { op, file, waker } =
            std::mem::replace(slot, Slot::Running { waker: None })
        else {
            unreachable!()
        };
        *slot = Slot::Running { waker };
        drop(state);
        let done = perform(&file, op);
        state = shared.state.lock().unwrap();
        let slot = &mut state.slots[i as usize];
        match std::mem::replace(&mut slot.1, Slot::Done(done)) {
            Slot::Running { waker } => {
                if let Some(w) = waker {
                    w.wake();
                }
            }
            _ => {
                slot.1 = Slot::Free;
                slot.0 += 1;
            }
        }
    }
}

fn perform<B: IoBufMut>(file: &FileRef, op: Op<B>) -> Completion<B> {
    let f = match file.as_fd().try_clone_to_owned() {
        Ok(fd) => File::from(fd),
        Err(e) => return op.complete_err(errno(&e)),
    };
    let res = match op.kind() {
        OpKind::Read => {
            let mut tmp = vec![0u8; op.len()];
            return match f.read_at(&mut tmp, op.offset()) {
                Ok(n) => op.complete_read_from(&tmp[..n]),
                Err(e) => op.complete_err(errno(&e)),
            };
        }
        OpKind::Write => f.write_at(op.write_data(), op.offset()),
        OpKind::Fsync => f.sync_all().map(|()| 0),
        OpKind::Fdatasync => f.sync_data().map(|()| 0),
        // std has no sync_file_range; a hint is allowed to do nothing.
        OpKind::Writeback => Ok(0),
    };
    match res {
        Ok(n) => op.complete_write(n),
        Err(e) => op.complete_err(errno(&e)),
    }
}

fn errno(e: &std::io::Error) -> Errno {
    Errno(e.raw_os_error().unwrap_or(libc::EIO))
}

impl<B: IoBufMut + Send + 'static> Reactor for ThreadFallback<B> {
    type Buf = B;
    type File = FileRef;

    fn try_submit(&self, file: &FileRef, op: Op<B>) -> Submit<B> {
        let mut state = self.shared.state.lock().unwrap();
        let Some(i) = state
            .slots
            .iter()
            .position(|(_, s)| matches!(s, Slot::Free))
        else {
            return Submit::Full(op);
        };
        state.slots[i].1 = Slot::Queued {
            op,
            file: file.clone(),
            waker: None,
        };
        state.queue.push_back(i as u32);
        self.shared.accepted.fetch_add(1, Ordering::Relaxed);
        self.shared.work.notify_one();
        Submit::Queued(Ticket::new(i as u32, state.slots[i].0))
    }

    fn poll_ready(&self, _cx: &mut Context<'_>) -> Poll<()> {
        Poll::Ready(()) // the tests never fill it
    }

    fn poll_complete(&self, ticket: &Ticket, cx: &mut Context<'_>) -> Poll<Completion<B>> {
        let mut state = self.shared.state.lock().unwrap();
        let slot = &mut state.slots[ticket.slot() as usize];
        assert_eq!(slot.0, ticket.generation(), "stale ticket");
        match &mut slot.1 {
            Slot::Queued { waker, .. } | Slot::Running { waker } => {
                *waker = Some(cx.waker().clone());
                Poll::Pending
            }
            Slot::Done(_) => {
                let Slot::Done(c) = std::mem::replace(&mut slot.1, Slot::Free) else {
                    unreachable!()
                };
                slot.0 += 1;
                Poll::Ready(c)
            }
            Slot::Free | Slot::Abandoned => panic!("bad ticket"),
        }
    }

    fn abandon(&self, ticket: Ticket) {
        let mut state = self.shared.state.lock().unwrap();
        let slot = &mut state.slots[ticket.slot() as usize];
        match slot.1 {
            Slot::Running { .. } => slot.1 = Slot::Abandoned,
            _ => {
                slot.1 = Slot::Free;
                slot.0 += 1;
            }
        }
    }
}

impl<B: IoBufMut + Send + 'static> Drop for ThreadFallback<B> {
    fn drop(&mut self) {
        self.shared.state.lock().unwrap().stop = true;
        self.shared.work.notify_all();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
