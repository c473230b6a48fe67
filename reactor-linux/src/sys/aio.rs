//! One kernel AIO context and everything it may touch: the iocbs, the ops (buffers and
//! file handles) in flight, and the completion ring mapped by `io_setup`.
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::ptr;
use std::sync::atomic::{AtomicU32, Ordering};

use aiofile_core::{Errno, IoBufMut, Op, OpKind};
use aiofile_reactor_threads::FileRef;

use super::abi::{
    AioRingHeader, IoEvent, Iocb, AIO_RING_MAGIC, IOCB_CMD_FDSYNC, IOCB_CMD_FSYNC, IOCB_CMD_PREAD,
    IOCB_CMD_PWRITE, IOCB_FLAG_RESFD,
};
use super::{os, outcome, Outcome, MAX_RW};

/// Events copied out of the ring per batch.
const REAP_BATCH: usize = 64;

/// An op handed back by the queue: rejected by `io_submit`, or reaped from the ring.
#[derive(Debug)]
pub(crate) struct Reaped<B> {
    /// The slot given to [`AioQueue::prepare`].
    pub slot: u32,
    /// The file handle kept alive while the kernel held the op.
    pub file: FileRef,
    /// Whether the op went with `RWF_NOWAIT`.
    pub nowait: bool,
    /// What happened.
    pub outcome: Outcome<B>,
}

/// Counters kept by the queue (read by the reactor's `stats`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AioCounters {
    pub submitted: u64,
    pub submit_calls: u64,
    pub reaped_user: u64,
    pub reaped_syscall: u64,
}

#[derive(Debug)]
struct Held<B> {
    op: Op<B>,
    file: FileRef,
    nowait: bool,
}

/// A kernel AIO context with `entries` slots. An op given to [`prepare`](Self::prepare)
/// stays in `ops[slot]` until it comes back through the `rejected`/`done` callbacks of
/// [`flush`](Self::flush) or [`reap`](Self::reap); dropping the queue calls
/// `io_destroy`, which waits for every request in flight, before freeing them.
#[derive(Debug)]
pub(crate) struct AioQueue<B> {
    ctx: u64,
    user_ring: bool,
    fork_gen: u64,
    resfd: u32,
    iocbs: Box<[Iocb]>,
    ops: Box<[Option<Held<B>>]>,
    pending: Vec<u32>,
    ptrs: Vec<usize>,
    events: Box<[IoEvent]>,
    in_kernel: usize,
    pub counters: AioCounters,
}

impl<B: IoBufMut> AioQueue<B> {
    /// `io_setup(entries)`; completions will signal the eventfd `resfd`.
    ///
    /// # Errors
    /// The `io_setup` error (`EAGAIN`: `aio-max-nr` used up; `ENOSYS`: no kernel AIO).
    pub(crate) fn new(entries: u32, resfd: RawFd) -> io::Result<Self> {
        let ctx = setup(entries)?;
        let n = entries as usize;
        Ok(Self {
            ctx,
            user_ring: ring_is_compatible(ctx),
            fork_gen: os::fork_generation(),
            resfd: resfd as u32,
            iocbs: vec![Iocb::default(); n].into_boxed_slice(),
            ops: (0..n).map(|_| None).collect(),
            pending: Vec::with_capacity(n),
            ptrs: Vec::with_capacity(n),
            events: vec![IoEvent::default(); REAP_BATCH].into_boxed_slice(),
            in_kernel: 0,
            counters: AioCounters::default(),
        })
    }

    /// Whether completions are read from the ring memory (no syscall).
    pub(crate) fn user_ring(&self) -> bool {
        self.user_ring
    }

    /// Ops prepared but not yet given to `io_submit`.
    pub(crate) fn pending(&self) -> usize {
        self.pending.len()
    }

    /// True once the process has forked since the context was created: the kernel
    /// does not know the context here and never writes this process's memory for it.
    pub(crate) fn forked(&self) -> bool {
        os::fork_generation() != self.fork_gen
    }

    /// Fills the iocb of `slot` for `op` and queues it for the next [`flush`](Self::flush).
    ///
    /// # Panics
    /// When `slot` is out of range or already holds an op.
    pub(crate) fn prepare(&mut self, slot: u32, mut op: Op<B>, file: FileRef, nowait: bool) {
        let idx = slot as usize;
        assert!(self.ops[idx].is_none(), "AIO slot {slot} is busy");
        let (opcode, buf, nbytes, offset) = match op.kind() {
            OpKind::Read => (IOCB_CMD_PREAD, op.io_ptr(), op.len(), op.offset()),
            OpKind::Write => (IOCB_CMD_PWRITE, op.io_ptr(), op.len(), op.offset()),
            OpKind::Fsync => (IOCB_CMD_FSYNC, ptr::null_mut(), 0, 0),
            OpKind::Fdatasync => (IOCB_CMD_FDSYNC, ptr::null_mut(), 0, 0),
            OpKind::Writeback => unreachable!("the reactor routes writebacks to its fallback"),
        };
        self.iocbs[idx] = Iocb {
            aio_data: u64::from(slot),
            aio_rw_flags: if nowait { libc::RWF_NOWAIT } else { 0 },
            aio_lio_opcode: opcode,
            aio_fildes: file.as_raw_fd() as u32,
            aio_buf: buf as u64,
            aio_nbytes: nbytes.min(MAX_RW) as u64,
            aio_offset: offset as i64,
            aio_flags: IOCB_FLAG_RESFD,
            aio_resfd: self.resfd,
            ..Iocb::default()
        };
        self.ops[idx] = Some(Held { op, file, nowait });
        self.pending.push(slot);
    }

    /// Hands every prepared iocb to the kernel, as few `io_submit` calls as it takes.
    ///
    /// A partial submit is continued; an iocb the kernel refuses (`EBADF`, `EINVAL`, ...)
    /// comes back through `rejected` with its errno; when the context is full (`EAGAIN`
    /// with requests in flight) the rest stays queued for the next flush.
    pub(crate) fn flush(&mut self, rejected: &mut impl FnMut(Reaped<B>)) {
        let mut done = 0;
        while done < self.pending.len() {
            let base = self.iocbs.as_mut_ptr();
            self.ptrs.clear();
            self.ptrs.extend(
                self.pending[done..]
                    .iter()
                    .map(|&s| base.wrapping_add(s as usize) as usize),
            );
            self.counters.submit_calls += 1;
            match submit(self.ctx, &self.ptrs) {
                Ok(0) => break,
                Ok(n) => {
                    done += n;
                    self.in_kernel += n;
                    self.counters.submitted += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.raw_os_error() == Some(libc::EAGAIN) && self.in_kernel > 0 => break,
                Err(e) => {
                    let errno = Errno(e.raw_os_error().unwrap_or(libc::EIO));
                    self.hand_back(self.pending[done], errno, rejected);
                    done += 1;
                }
            }
        }
        self.pending.drain(..done);
    }

    fn hand_back(&mut self, slot: u32, errno: Errno, to: &mut impl FnMut(Reaped<B>)) {
        if let Some(Held { op, file, nowait }) = self.ops[slot as usize].take() {
            to(Reaped {
                slot,
                file,
                nowait,
                outcome: Outcome::Err(op, errno),
            });
        }
    }

    /// Hands every finished op to `done`; returns how many. Reads the ring memory when
    /// its header allows it, `io_getevents` otherwise; never blocks.
    pub(crate) fn reap(&mut self, done: &mut impl FnMut(Reaped<B>)) -> usize {
        let mut total = 0;
        loop {
            let n = if self.user_ring {
                self.copy_from_ring()
            } else {
                self.getevents()
            };
            for i in 0..n {
                let ev = self.events[i];
                self.dispatch(ev, done);
            }
            total += n;
            if n < self.events.len() {
                return total;
            }
        }
    }

    fn dispatch(&mut self, ev: IoEvent, done: &mut impl FnMut(Reaped<B>)) {
        let Some(Some(held)) = self.ops.get_mut(ev.data as usize).map(Option::take) else {
            debug_assert!(false, "completion for an empty AIO slot {}", ev.data);
            return;
        };
        self.in_kernel -= 1;
        let Held { op, file, nowait } = held;
        done(Reaped {
            slot: ev.data as u32,
            file,
            nowait,
            outcome: outcome(op, ev.res),
        });
    }

    /// User-space reaping (fio's `userspace_reap`, Seastar's `try_reap_events`).
    fn copy_from_ring(&mut self) -> usize {
        let ring = self.ctx as *mut AioRingHeader;
        // SAFETY: `ctx` is the address of the ring io_setup mapped into this process
        // (checked compatible at creation; we have not forked, see the reactors' owner
        // checks), mapped until io_destroy in `Drop`. Only this queue reaps it (single
        // consumer, under `&mut self`); the kernel updates `tail` atomically and `head`
        // is ours to store, so both are accessed as atomics; `nr` and `header_length`
        // are fixed after setup.
        unsafe {
            let nr = ptr::read_volatile(&raw const (*ring).nr);
            let hdr = ptr::read_volatile(&raw const (*ring).header_length) as usize;
            let head_at = AtomicU32::from_ptr(&raw mut (*ring).head);
            let tail_at = AtomicU32::from_ptr(&raw mut (*ring).tail);
            let mut head = head_at.load(Ordering::Relaxed);
            let tail = tail_at.load(Ordering::Acquire);
            if head >= nr || tail >= nr {
                self.user_ring = false;
                return self.getevents();
            }
            let first = (self.ctx as *const u8).add(hdr).cast::<IoEvent>();
            let mut n = 0;
            while head != tail && n < self.events.len() {
                self.events[n] = ptr::read_volatile(first.add(head as usize));
                head = (head + 1) % nr;
                n += 1;
            }
            head_at.store(head, Ordering::Release);
            self.counters.reaped_user += n as u64;
            n
        }
    }

    fn getevents(&mut self) -> usize {
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let len = self.events.len() as libc::c_long;
        // SAFETY: `events` is writable for `len` io_events, `zero` is a valid timespec,
        // both outlive the call; `ctx` is our live context.
        let res = syscall!(unsafe {
            libc::syscall(
                libc::SYS_io_getevents,
                self.ctx,
                0 as libc::c_long,
                len,
                self.events.as_mut_ptr(),
                &zero,
            )
        });
        let n = res.map_or(0, |n| n as usize);
        self.counters.reaped_syscall += n as u64;
        n
    }

    /// In a forked child, takes back the op of `slot` (the kernel will never complete
    /// it here, nor write this process's copy of its buffer). `None` in the parent.
    pub(crate) fn reclaim_forked(&mut self, slot: u32) -> Option<(Op<B>, FileRef)> {
        if !self.forked() {
            return None;
        }
        self.pending.retain(|&s| s != slot);
        self.ops[slot as usize].take().map(|h| (h.op, h.file))
    }
}

impl<B> Drop for AioQueue<B> {
    fn drop(&mut self) {
        if os::fork_generation() != self.fork_gen {
            // A forked child: the context is the parent's, and the kernel never writes
            // this process's copies of the buffers. Nothing to wait for or destroy.
            return;
        }
        if destroy(self.ctx).is_err() {
            // Cannot confirm the kernel is done with the buffers: leak them.
            std::mem::forget(std::mem::take(&mut self.ops));
        }
    }
}

/// `io_setup(nr, &ctx)` with `ctx = 0`.
pub(crate) fn setup(nr: u32) -> io::Result<u64> {
    let mut ctx: u64 = 0;
    // SAFETY: `ctx` is a writable aio_context_t initialised to 0, as io_setup requires.
    syscall!(unsafe { libc::syscall(libc::SYS_io_setup, nr as libc::c_long, &raw mut ctx) })?;
    Ok(ctx)
}

/// `io_destroy(ctx)`: waits for every request in flight, then unmaps the ring.
pub(crate) fn destroy(ctx: u64) -> io::Result<()> {
    // SAFETY: no pointers are passed; an unknown ctx only yields EINVAL.
    syscall!(unsafe { libc::syscall(libc::SYS_io_destroy, ctx) }).map(drop)
}

fn submit(ctx: u64, iocbs: &[usize]) -> io::Result<usize> {
    // SAFETY: `iocbs` holds addresses of initialised iocbs inside the queue's boxed
    // slice (alive and not otherwise borrowed during the call); each iocb's buffer is
    // owned by the queue's `ops` until its completion is reaped or it is handed back.
    let n = syscall!(unsafe {
        libc::syscall(
            libc::SYS_io_submit,
            ctx,
            iocbs.len() as libc::c_long,
            iocbs.as_ptr(),
        )
    })?;
    Ok(n as usize)
}

/// Whether the ring header lets user space reap: the magic matches and no
/// incompatible feature is announced (gVisor's ring, for one, does not match).
pub(crate) fn ring_is_compatible(ctx: u64) -> bool {
    let ring = ctx as *const AioRingHeader;
    // SAFETY: `ctx` was just returned by io_setup in this process: it is the address
    // of the mapped ring, whose 32-byte header is readable.
    let (magic, incompat) = unsafe {
        (
            ptr::read_volatile(&raw const (*ring).magic),
            ptr::read_volatile(&raw const (*ring).incompat_features),
        )
    };
    magic == AIO_RING_MAGIC && incompat == 0
}
