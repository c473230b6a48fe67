//! # aiofile-reactor-linux
//!
//! Two Linux reactors for the core's [`Reactor`](aiofile_core::Reactor) contract, both
//! over [`FileRef`] handles:
//!
//! | reactor | buffered files | O_DIRECT files | needs |
//! |---|---|---|---|
//! | [`UringReactor`] | reads: `RWF_NOWAIT` inline, misses on the ring; writes: the ring (io-wq workers), or a [`Fallback`] if built [`with_fallback`](UringReactor::with_fallback) | asynchronous | io_uring (Linux 5.6+, not refused by seccomp or `kernel.io_uring_disabled`) |
//! | [`AioReactor`] | reads: `RWF_NOWAIT`, cache misses handed to a [`Fallback`]; writes: the fallback | asynchronous | kernel AIO (`fs.aio-max-nr` quota) |
//!
//! Kernel AIO is only asynchronous for O_DIRECT: on a buffered file `io_submit` does
//! the whole transfer inline, so the AIO reactor never lets it block the caller: a
//! buffered read goes with `RWF_NOWAIT` (a page-cache hit completes during
//! `io_submit`, a miss comes back as `-EAGAIN` and is handed to the fallback, typically
//! the thread pool), and a buffered write goes to the fallback directly. A
//! [`UringReactor`] can hand buffered writes to the same kind of fallback (the thread
//! pool writes 1 MiB chunks faster than io_uring's io-wq workers); both reactors share
//! one punting mechanism.
//!
//! [`probe`] says once per process which backend this kernel and sandbox allow.
//!
//! ## Driving
//! Both reactors signal completions on an eventfd ([`AsRawFd`](std::os::fd::AsRawFd))
//! and implement [`Drive`]: an executor waits for the descriptor in its own poller
//! (tokio `AsyncFd`, smol `Async`) and calls the non-blocking [`Drive::turn`]; or
//! [`Driven`] runs a driver thread for executors that cannot. `poll_complete` also
//! reaps, so inline completions (page-cache hits) never wait for either.
//!
//! The [`UringReactor`] leaves the entering of the ring for buffered files to `turn`:
//! the kernel's inline attempt at a buffered read that missed the cache starts the
//! readahead I/O inside `io_uring_enter`, tens of microseconds that would otherwise be
//! spent on the executor's thread. `try_submit` only pushes the SQE and makes the
//! eventfd readable. O_DIRECT requests are entered at once.
//!
//! ## Ownership and shutdown
//! An op's buffer and file handle stay in the reactor from `try_submit` until the
//! kernel's completion is reaped, whatever happens to the future (dropped: `abandon`;
//! leaked: the slot keeps it). Dropping a reactor waits for every request still in
//! the kernel before freeing anything: `io_destroy` for AIO, draining the CQ for
//! io_uring. After `fork`, a child's reactor refuses service (see [`Forked`]).
//!
//! ## O_DIRECT
//! [`dio_alignment`] finds what a file needs (`statx(STATX_DIOALIGN)`, sysfs, 4096),
//! [`AlignedBuf`] provides it, [`check_direct`]/[`check_op`] name what is misaligned
//! ([`Misaligned`]); the reactors complete misaligned requests at once with `EINVAL`.
//! [`open_direct`] reports a filesystem that refuses `O_DIRECT`
//! ([`OpenDirectError::Refused`]).
//!
//! ## Unsafe
//! All of it lives in the private `sys` module: the syscalls, the kernel ABI
//! ([`abi`]), and the two queues that own everything the kernel can touch.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod aio;
mod dio;
mod driver;
mod error;
mod owner;
mod probe;
mod punt;
mod quota;
mod slots;
mod sys;
mod uring;

pub use aio::{AioReactor, AioStats};
pub use aiofile_reactor_threads::{FileHandle, FileRef};
pub use dio::{
    check_direct, check_op, dio_alignment, evict_page_cache, open_direct, Alignment,
    AlignmentSource,
};
pub use driver::{Drive, Driven};
pub use error::{Forked, Misaligned, MisalignedPart, OpenDirectError, Unavailable};
pub use probe::{probe, Probe};
pub use punt::Fallback;
pub use quota::AioQuotaHold;
pub use sys::abi;
pub use sys::aligned::AlignedBuf;
pub use uring::{UringReactor, UringStats};
