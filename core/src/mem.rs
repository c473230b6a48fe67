//! An in-memory reactor: a RAM file with injectable faults.
//!
//! [`MemReactor`] runs the whole async stack of [`crate::io`] without a single syscall,
//! deterministically: operations wait in slots until they are polled (or
//! [`tick`](MemReactor::tick)ed), and [`Fault`]s queued with
//! [`inject`](MemReactor::inject) turn the next operations into short reads, short or
//! zero-length writes, errors or delayed completions.
//!
//! It is generic over the lock ([`RawMutex`]): `NoopRawMutex` on a single-threaded
//! executor, `CriticalSectionRawMutex` in interrupts or with threads.
//!
//! ```
//! use aiofile_core::mem::{MemReactor, Fault};
//! use aiofile_core::{io::File, buf::StaticBuf, Errno};
//! use embassy_sync::blocking_mutex::raw::NoopRawMutex;
//!
//! let reactor: MemReactor<NoopRawMutex, StaticBuf, 64, 4> = MemReactor::new(b"hello world");
//! let file = File::new(&reactor, ());
//! let buf = StaticBuf::new(Box::leak(Box::new([0u8; 16])));
//! reactor.inject(Fault::ShortRead(3));
//! let (res, buf) = embassy_futures::block_on(file.read(buf, 6, 5));
//! assert_eq!(res, Ok(3)); // the injected short read
//! assert_eq!(buf.as_slice(), b"wor");
//! # use aiofile_core::IoBuf;
//! ```
use core::cell::RefCell;
use core::task::{Context, Poll, Waker};

use embassy_sync::blocking_mutex::{raw::RawMutex, Mutex};
use heapless::{Deque, Vec};

use crate::buf::{Completion, IoBufMut, Op, OpKind};
use crate::error::Errno;
use crate::reactor::{Reactor, Submit, Ticket};

/// How many faults can wait in the injection queue.
pub const MAX_FAULTS: usize = 32;

/// A fault applied to the next operation that starts executing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Fault {
    /// The next read returns at most this many bytes.
    ShortRead(usize),
    /// The next write stores at most this many bytes (0 gives a zero-length write).
    ShortWrite(usize),
    /// The next operation fails with this error.
    Error(Errno),
    /// The next operation completes only after this many extra polls or ticks.
    Delay(u32),
}

/// Counters for tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MemStats {
    /// Operations accepted.
    pub submitted: u32,
    /// Operations executed against the RAM file.
    pub executed: u32,
    /// Submissions refused with [`Submit::Full`].
    pub full: u32,
    /// Operations abandoned by their future.
    pub abandoned: u32,
}

enum Slot<B> {
    Free,
    Pending {
        op: Op<B>,
        delay: u32,
        waker: Option<Waker>,
    },
    Orphan {
        op: Op<B>,
        delay: u32,
    },
    Done(Completion<B>),
}

struct Inner<B, const CAP: usize, const SLOTS: usize> {
    file: Vec<u8, CAP>,
    slots: [(u32, Slot<B>); SLOTS],
    faults: Deque<Fault, MAX_FAULTS>,
    space_waker: Option<Waker>,
    stats: MemStats,
}

/// A RAM file of at most `CAP` bytes served through `SLOTS` operation slots.
pub struct MemReactor<M: RawMutex, B, const CAP: usize, const SLOTS: usize> {
    inner: Mutex<M, RefCell<Inner<B, CAP, SLOTS>>>,
}

impl<M: RawMutex, B: IoBufMut, const CAP: usize, const SLOTS: usize> MemReactor<M, B, CAP, SLOTS> {
    /// A reactor whose file starts with `content` (cut to `CAP` bytes).
    pub fn new(content: &[u8]) -> Self {
        let mut file = Vec::new();
        let n = content.len().min(CAP);
        let _ = file.extend_from_slice(&content[..n]);
        let inner = Inner {
            file,
            slots: core::array::from_fn(|_| (0, Slot::Free)),
            faults: Deque::new(),
            space_waker: None,
            stats: MemStats::default(),
        };
        Self {
            inner: Mutex::new(RefCell::new(inner)),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner<B, CAP, SLOTS>) -> T) -> T {
        self.inner.lock(|cell| f(&mut cell.borrow_mut()))
    }

    /// Queues a fault for the next operation to execute. Returns it back when the
    /// queue ([`MAX_FAULTS`]) is full.
    pub fn inject(&self, fault: Fault) -> Result<(), Fault> {
        self.with(|i| i.faults.push_back(fault))
    }

    /// Copies the file's current content into `out`; returns the file length.
    pub fn snapshot(&self, out: &mut [u8]) -> usize {
        self.with(|i| {
            let n = i.file.len().min(out.len());
            out[..n].copy_from_slice(&i.file[..n]);
            i.file.len()
        })
    }

    /// Length of the RAM file.
    pub fn file_len(&self) -> usize {
        self.with(|i| i.file.len())
    }

    /// Slots not free (pending, orphaned, or done but not yet collected).
    pub fn in_use_slots(&self) -> usize {
        self.with(|i| {
            i.slots
                .iter()
                .filter(|(_, s)| !matches!(s, Slot::Free))
                .count()
        })
    }

    /// Counters.
    pub fn stats(&self) -> MemStats {
        self.with(|i| i.stats)
    }

    /// Advances every delayed operation by one step (like time passing): pending ones
    /// that become due complete and their wakers are woken; orphans that become due run
    /// and free their slot. Returns how many operations finished.
    pub fn tick(&self) -> usize {
        let mut wakers: Vec<Waker, SLOTS> = Vec::new();
        let mut finished = 0;
        let space = self.with(|i| {
            for idx in 0..SLOTS {
                if let Some(w) = i.step(idx, &mut finished) {
                    let _ = wakers.push(w);
                }
            }
            if finished > 0 {
                i.space_waker.take()
            } else {
                None
            }
        });
        wakers.into_iter().chain(space).for_each(Waker::wake);
        finished
    }
}

impl<B: IoBufMut, const CAP: usize, const SLOTS: usize> Inner<B, CAP, SLOTS> {
    /// One tick for slot `idx`; returns a waker to wake when a pending op completed.
    fn step(&mut self, idx: usize, finished: &mut usize) -> Option<Waker> {
        let slot = core::mem::replace(&mut self.slots[idx].1, Slot::Free);
        let (next, waker) = match slot {
            Slot::Pending {
                op,
                delay: 0,
                waker,
            } => {
                *finished += 1;
                (Slot::Done(self.execute(op)), waker)
            }
            Slot::Pending { op, delay, waker } => (
                Slot::Pending {
                    op,
                    delay: delay - 1,
                    waker,
                },
                None,
            ),
            Slot::Orphan { op, delay: 0 } => {
                *finished += 1;
                drop(self.execute(op));
                self.slots[idx].0 = self.slots[idx].0.wrapping_add(1);
                (Slot::Free, None)
            }
            Slot::Orphan { op, delay } => (
                Slot::Orphan {
                    op,
                    delay: delay - 1,
                },
                None,
            ),
            other => (other, None),
        };
        self.slots[idx].1 = next;
        waker
    }

    /// Takes the next fault if it applies to `kind` (delays are taken at submit time).
    fn take_fault(&mut self, kind: OpKind) -> Option<Fault> {
        let applies = match self.faults.front()? {
            Fault::ShortRead(_) => kind == OpKind::Read,
            Fault::ShortWrite(_) => kind == OpKind::Write,
            Fault::Error(_) => true,
            Fault::Delay(_) => false,
        };
        if applies {
            self.faults.pop_front()
        } else {
            None
        }
    }

    fn execute(&mut self, op: Op<B>) -> Completion<B> {
        self.stats.executed += 1;
        let fault = self.take_fault(op.kind());
        if let Some(Fault::Error(e)) = fault {
            return op.complete_err(e);
        }
        match op.kind() {
            OpKind::Read => self.read(op, fault),
            OpKind::Write => self.write(op, fault),
            // A RAM file has nothing to write back.
            OpKind::Fsync | OpKind::Fdatasync | OpKind::Writeback => op.complete_write(0),
        }
    }

    fn read(&mut self, op: Op<B>, fault: Option<Fault>) -> Completion<B> {
        let start = usize::try_from(op.offset())
            .unwrap_or(usize::MAX)
            .min(self.file.len());
        let mut end = start.saturating_add(op.len()).min(self.file.len());
        if let Some(Fault::ShortRead(max)) = fault {
            end = end.min(start + max);
        }
        let src = &self.file[start..end];
        op.complete_read_from(src)
    }

    fn write(&mut self, op: Op<B>, fault: Option<Fault>) -> Completion<B> {
        let mut n = op.len();
        if let Some(Fault::ShortWrite(max)) = fault {
            n = n.min(max);
        }
        let Ok(start) = usize::try_from(op.offset()) else {
            return op.complete_err(Errno::EINVAL);
        };
        let end = match start.checked_add(n) {
            Some(end) if end <= CAP => end,
            _ => return op.complete_err(Errno::ENOSPC),
        };
        if self.file.len() < end {
            let _ = self.file.resize(end, 0);
        }
        self.file[start..end].copy_from_slice(&op.write_data()[..n]);
        op.complete_write(n)
    }

    fn check(&self, ticket: &Ticket) -> usize {
        let idx = ticket.slot() as usize;
        match self.slots.get(idx) {
            Some((gen, slot))
                if *gen == ticket.generation()
                    && !matches!(slot, Slot::Free | Slot::Orphan { .. }) =>
            {
                idx
            }
            _ => panic!("MemReactor: stale or foreign ticket {:?}", ticket),
        }
    }
}

impl<M: RawMutex, B: IoBufMut, const CAP: usize, const SLOTS: usize> Reactor
    for MemReactor<M, B, CAP, SLOTS>
{
    type Buf = B;
    type File = ();

    fn try_submit(&self, _file: &(), op: Op<B>) -> Submit<B> {
        self.with(|i| {
            let Some(idx) = i.slots.iter().position(|(_, s)| matches!(s, Slot::Free)) else {
                i.stats.full += 1;
                return Submit::Full(op);
            };
            let delay = match i.faults.front() {
                Some(Fault::Delay(d)) => {
                    let d = *d;
                    i.faults.pop_front();
                    d
                }
                _ => 0,
            };
            i.stats.submitted += 1;
            i.slots[idx].1 = Slot::Pending {
                op,
                delay,
                waker: None,
            };
            trace!("mem: submit slot {}", idx);
            Submit::Queued(Ticket::new(idx as u32, i.slots[idx].0))
        })
    }

    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.with(|i| {
            if i.slots.iter().any(|(_, s)| matches!(s, Slot::Free)) {
                return Poll::Ready(());
            }
            match &i.space_waker {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => i.space_waker = Some(cx.waker().clone()),
            }
            Poll::Pending
        })
    }

    fn poll_complete(&self, ticket: &Ticket, cx: &mut Context<'_>) -> Poll<Completion<B>> {
        let (done, space) = self.with(|i| {
            let idx = i.check(ticket);
            let mut finished = 0;
            // A poll is one step of time for this operation.
            let _ = i.step(idx, &mut finished);
            match core::mem::replace(&mut i.slots[idx].1, Slot::Free) {
                Slot::Done(c) => {
                    i.slots[idx].0 = i.slots[idx].0.wrapping_add(1);
                    (Some(c), i.space_waker.take())
                }
                Slot::Pending { op, delay, waker } => {
                    let waker = match waker {
                        Some(w) if w.will_wake(cx.waker()) => w,
                        _ => cx.waker().clone(),
                    };
                    i.slots[idx].1 = Slot::Pending {
                        op,
                        delay,
                        waker: Some(waker),
                    };
                    (None, None)
                }
                _ => unreachable!("checked above"),
            }
        });
        if let Some(w) = space {
            w.wake();
        }
        match done {
            Some(c) => Poll::Ready(c),
            None => {
                // Time only passes when someone looks: ask to be polled again.
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    fn abandon(&self, ticket: Ticket) {
        let space = self.with(|i| {
            let idx = i.check(&ticket);
            i.stats.abandoned += 1;
            match core::mem::replace(&mut i.slots[idx].1, Slot::Free) {
                Slot::Pending { op, delay, .. } => {
                    i.slots[idx].1 = Slot::Orphan { op, delay };
                    None
                }
                // Finished but never collected: drop the completion, free the slot.
                _ => {
                    i.slots[idx].0 = i.slots[idx].0.wrapping_add(1);
                    i.space_waker.take()
                }
            }
        });
        if let Some(w) = space {
            w.wake();
        }
    }
}
