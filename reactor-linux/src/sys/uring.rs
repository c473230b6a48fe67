//! One io_uring and everything it may touch: the ops (buffers and file handles) whose
//! SQEs were pushed and whose CQEs have not been reaped.
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;

use aiofile_core::{IoBufMut, Op, OpKind};
use aiofile_reactor_threads::FileRef;
use io_uring::{opcode, squeue, types, IoUring, Probe};

use super::{os, outcome, Outcome, MAX_RW};

/// Why a ring could not be set up.
#[derive(Debug)]
pub(crate) enum SetupError {
    /// A syscall failed.
    Os {
        syscall: &'static str,
        err: io::Error,
    },
    /// The kernel lacks an opcode we need.
    MissingOpcode(&'static str),
}

/// An op the kernel may be using, with the file handle that keeps its fd alive.
type Held<B> = (Op<B>, FileRef);

/// Counters kept by the queue (read by the reactor's `stats`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct UringCounters {
    pub reaped: u64,
}

/// An io_uring with an ops table indexed by `user_data`. An op given to
/// [`push`](Self::push) stays in `ops[slot]` until its CQE is reaped; dropping the queue
/// first waits for every CQE still owed.
///
/// The queue is used under its owner's lock (`&mut self`); only [`Enter`], a handle to
/// the same ring, is used without it, so that the thread that enters the kernel (where
/// a buffered read can start readahead I/O for tens of microseconds) does not hold the
/// lock the submitting threads need.
pub(crate) struct UringQueue<B> {
    ring: Arc<IoUring>,
    ops: Box<[Option<Held<B>>]>,
    in_kernel: usize,
    fork_gen: u64,
    pub counters: UringCounters,
}

impl<B: IoBufMut> UringQueue<B> {
    /// A ring of `entries` SQEs (CQ twice that), with `eventfd` registered and the
    /// READ, WRITE and FSYNC opcodes checked with `IORING_REGISTER_PROBE`.
    ///
    /// # Errors
    /// The failing step (`io_uring_setup`: `EPERM`, `ENOSYS`, `ENOMEM`, ...).
    pub(crate) fn new(entries: u32, eventfd: Option<RawFd>) -> Result<Self, SetupError> {
        let os = |syscall| move |err| SetupError::Os { syscall, err };
        let ring = IoUring::builder()
            .build(entries)
            .map_err(os("io_uring_setup"))?;
        check_opcodes(&ring)?;
        if let Some(fd) = eventfd {
            ring.submitter()
                .register_eventfd(fd)
                .map_err(os("io_uring_register(EVENTFD)"))?;
        }
        let slots = ring.params().sq_entries() as usize;
        Ok(Self {
            ring: Arc::new(ring),
            ops: (0..slots).map(|_| None).collect(),
            in_kernel: 0,
            fork_gen: os::fork_generation(),
            counters: UringCounters::default(),
        })
    }

    /// Number of slots (the SQ size the kernel granted).
    pub(crate) fn capacity(&self) -> usize {
        self.ops.len()
    }

    /// A handle that gives pushed SQEs to the kernel without the queue's lock.
    pub(crate) fn enter_handle(&self) -> Enter {
        Enter(Arc::clone(&self.ring))
    }

    /// The submission queue. Only ever called through `&mut self`, which the owner's
    /// lock makes exclusive (and [`Enter`] never makes one).
    fn sq(&mut self) -> squeue::SubmissionQueue<'_> {
        // SAFETY: `submission_shared` requires that no other `SubmissionQueue` of this
        // ring exists at the same time. Every one is made here, through `&mut self`,
        // and dropped before this borrow ends; `Enter` never makes one (it only calls
        // `io_uring_enter`, which reads the published tail).
        // The queue is dropped (storing its tail) before any other can be made.
        unsafe { self.ring.submission_shared() }
    }

    /// True once the process has forked since the ring was created (the rings are
    /// shared memory with the parent: never touch them here).
    pub(crate) fn forked(&self) -> bool {
        os::fork_generation() != self.fork_gen
    }

    /// Pushes the SQE for `op` with `user_data = slot` and publishes it (the SQ tail is
    /// stored when the push returns); it is submitted by the next [`Enter::submit`].
    /// Hands the op back if the SQ is full.
    ///
    /// # Panics
    /// When `slot` is out of range or already holds an op.
    pub(crate) fn push(
        &mut self,
        slot: u32,
        mut op: Op<B>,
        file: FileRef,
    ) -> Result<(), (Op<B>, FileRef)> {
        let idx = slot as usize;
        assert!(self.ops[idx].is_none(), "io_uring slot {slot} is busy");
        let entry = sqe(&mut op, &file).user_data(u64::from(slot));
        // SAFETY: the SQE points at `op`'s buffer (stable across moves by the IoBuf
        // contract) and names `file`'s descriptor; both move into `ops[idx]` right
        // below and stay there until the CQE carrying `slot` is reaped, and `Drop`
        // waits for every outstanding CQE before `ops` is freed.
        let pushed = unsafe { self.sq().push(&entry) };
        if pushed.is_err() {
            return Err((op, file));
        }
        self.ops[idx] = Some((op, file));
        self.in_kernel += 1;
        Ok(())
    }

    /// Hands every finished op to `done` (slot, file, outcome); returns how many.
    pub(crate) fn reap(&mut self, done: &mut impl FnMut(u32, FileRef, Outcome<B>)) -> usize {
        let n = self.take_cqes(|slot, (op, file), res| {
            done(slot, file, outcome(op, i64::from(res)));
        });
        self.counters.reaped += n as u64;
        n
    }

    /// In a forked child, takes back the op of `slot` (the parent's ring will never
    /// complete it here). `None` in the parent.
    pub(crate) fn reclaim_forked(&mut self, slot: u32) -> Option<(Op<B>, FileRef)> {
        if !self.forked() {
            return None;
        }
        self.ops[slot as usize].take()
    }
}

impl<B> UringQueue<B> {
    /// Takes every CQE's op out of the table and hands it to `each` with its slot and
    /// result; returns how many.
    fn take_cqes(&mut self, mut each: impl FnMut(u32, Held<B>, i32)) -> usize {
        let mut n = 0;
        let Self {
            ring,
            ops,
            in_kernel,
            ..
        } = self;
        // SAFETY: `completion_shared` requires that no other `CompletionQueue` of this
        // ring exists at the same time: the only one is made here, through `&mut self`,
        // and dropped at the end of the loop.
        for cqe in unsafe { ring.completion_shared() } {
            let slot = cqe.user_data();
            let Some(Some(held)) = ops.get_mut(slot as usize).map(Option::take) else {
                debug_assert!(false, "CQE for an empty io_uring slot {slot}");
                continue;
            };
            *in_kernel -= 1;
            n += 1;
            each(slot as u32, held, cqe.result());
        }
        n
    }
}

impl<B> Drop for UringQueue<B> {
    fn drop(&mut self) {
        if os::fork_generation() != self.fork_gen {
            // A forked child: the rings are shared with the parent and the kernel never
            // writes this process's copies of the buffers. Touch nothing.
            return;
        }
        while self.in_kernel > 0 {
            match self.ring.submit_and_wait(1) {
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.raw_os_error(),
                        Some(libc::EINTR | libc::EAGAIN | libc::EBUSY)
                    ) => {}
                Err(_) => {
                    // Cannot confirm the kernel is done with the buffers: leak them.
                    std::mem::forget(std::mem::take(&mut self.ops));
                    return;
                }
            }
            // The kernel is done with these: their buffers and files drop here.
            self.take_cqes(|_slot, _held, _res| {});
        }
    }
}

/// Enters the ring to submit what was pushed, without the queue (and so without its
/// owner's lock): `io_uring_enter` only reads the SQ tail each push published.
pub(crate) struct Enter(Arc<IoUring>);

impl Enter {
    /// Gives every published SQE to the kernel (one `io_uring_enter`; the count is
    /// read from the shared ring, never through a `SubmissionQueue`, whose drop would
    /// store a stale tail over a concurrent push). An error (`EINTR`, `EAGAIN`,
    /// `EBUSY`, or any other: there is no op to blame it on) leaves the SQEs for the
    /// next call. Returns how many SQEs the kernel took.
    pub(crate) fn submit(&self) -> u64 {
        self.0.submitter().submit().unwrap_or(0) as u64
    }
}

fn sqe<B: IoBufMut>(op: &mut Op<B>, file: &FileRef) -> squeue::Entry {
    let fd = types::Fd(file.as_raw_fd());
    let len = op.len().min(MAX_RW) as u32;
    match op.kind() {
        // Buffered reads reach the ring only after the reactor's inline `RWF_NOWAIT`
        // attempt missed. `IOSQE_ASYNC` (skip the kernel's own non-blocking attempt)
        // was measured and rejected: it sends them to io-wq worker threads instead of
        // the kernel's async buffered-read path and cut W2 throughput to ~0.55x.
        OpKind::Read => opcode::Read::new(fd, op.io_ptr(), len)
            .offset(op.offset())
            .build(),
        // Buffered writes: ext4 (and most file systems) refuse non-blocking buffered
        // writes, so the kernel's inline attempt in `io_uring_enter` is wasted work on
        // the executor's thread before the punt to io-wq; go to io-wq directly.
        OpKind::Write if !file.is_direct() => opcode::Write::new(fd, op.io_ptr(), len)
            .offset(op.offset())
            .build()
            .flags(squeue::Flags::ASYNC),
        OpKind::Write => opcode::Write::new(fd, op.io_ptr(), len)
            .offset(op.offset())
            .build(),
        OpKind::Fsync => opcode::Fsync::new(fd).build(),
        OpKind::Fdatasync => opcode::Fsync::new(fd)
            .flags(types::FsyncFlags::DATASYNC)
            .build(),
        // Starting writeback can block on the device queue: straight to io-wq. The
        // ring is asked for at most MAX_RW bytes, like a transfer (it is only a hint).
        OpKind::Writeback => opcode::SyncFileRange::new(fd, len)
            .offset(op.offset())
            .flags(libc::SYNC_FILE_RANGE_WRITE)
            .build()
            .flags(squeue::Flags::ASYNC),
    }
}

fn check_opcodes(ring: &IoUring) -> Result<(), SetupError> {
    let mut probe = Probe::new();
    ring.submitter()
        .register_probe(&mut probe)
        .map_err(|err| SetupError::Os {
            syscall: "io_uring_register(PROBE)",
            err,
        })?;
    let needed = [
        ("READ", opcode::Read::CODE),
        ("WRITE", opcode::Write::CODE),
        ("FSYNC", opcode::Fsync::CODE),
        ("SYNC_FILE_RANGE", opcode::SyncFileRange::CODE),
    ];
    match needed.iter().find(|(_, code)| !probe.is_supported(*code)) {
        Some((name, _)) => Err(SetupError::MissingOpcode(name)),
        None => Ok(()),
    }
}
