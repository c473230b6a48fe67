//! The only module of this crate allowed `unsafe`: every piece of memory the kernel can
//! touch lives here, behind safe types.
//!
//! | file | what it owns |
//! |---|---|
//! | [`abi`] | `iocb`, `io_event`, `aio_ring` and the opcodes, with layout tests |
//! | [`aio`] | [`aio::AioQueue`]: one AIO context, its iocbs and the ops in flight |
//! | [`uring`] | [`uring::UringQueue`]: one io_uring and the ops in flight |
//! | [`eventfd`] | [`eventfd::EventFd`] and `poll(2)` on it |
//! | [`aligned`] | [`aligned::AlignedBuf`], the O_DIRECT buffer |
//! | [`os`] | `statx`, `uname`, `posix_fadvise`, the fork generation, `complete_read` |
//!
//! The rule the two queues keep: an [`Op`](aiofile_core::Op) handed to the kernel stays
//! in the queue's own array (with its [`FileRef`](aiofile_reactor_threads::FileRef)) until
//! its completion is reaped, and a queue's `Drop` waits for the kernel (io_destroy, or
//! draining the completion queue) before that array is freed. If it cannot confirm that,
//! it leaks the array rather than free memory the kernel may still write.
#![allow(unsafe_code)]

/// Turns a `-1` return into the thread's `errno` as an [`std::io::Error`].
macro_rules! syscall {
    ($e:expr) => {{
        let res = $e;
        if res == -1 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(res)
        }
    }};
}

pub mod abi;
pub(crate) mod aio;
pub(crate) mod aligned;
pub(crate) mod eventfd;
pub(crate) mod os;
pub(crate) mod uring;

use aiofile_core::{Completion, Errno, IoBufMut, Op, OpKind};

/// What the kernel said about one operation, with the op handed back.
#[derive(Debug)]
pub(crate) enum Outcome<B> {
    /// It transferred bytes (or synced); the completion carries the buffer.
    Ok(Completion<B>),
    /// It failed; the op comes back untouched so the caller may retry it elsewhere.
    Err(Op<B>, Errno),
}

/// Turns a kernel result (`res >= 0` bytes, or `-errno`) into an [`Outcome`].
///
/// A read result larger than the request (which no kernel produces) is reported as
/// `EIO` rather than trusted.
pub(crate) fn outcome<B: IoBufMut>(op: Op<B>, res: i64) -> Outcome<B> {
    if res < 0 {
        let errno = i32::try_from(-res).unwrap_or(libc::EIO);
        return Outcome::Err(op, Errno(errno));
    }
    let n = usize::try_from(res).unwrap_or(usize::MAX);
    match op.kind() {
        OpKind::Read if n > op.len() => Outcome::Err(op, Errno(libc::EIO)),
        // SAFETY: the kernel reported `n` bytes read into the range at `op.io_ptr()`
        // (the pointer we submitted), and `n <= op.len()` was checked just above.
        OpKind::Read => Outcome::Ok(unsafe { op.complete_read(n) }),
        _ => Outcome::Ok(op.complete_write(n)),
    }
}

/// The largest transfer one request asks for (Linux's `MAX_RW_COUNT`); a longer op
/// completes short and the caller loops, exactly as with `pread`.
pub(crate) const MAX_RW: usize = 0x7fff_f000;
