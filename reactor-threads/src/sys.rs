//! The only module of this crate allowed `unsafe`: thin syscall wrappers.
//!
//! Every function here that touches an operation's memory takes the [`Op`] **by value**:
//! holding it is what proves the buffer is alive, at a stable address and reachable by
//! nobody else for the length of the syscall. That keeps the raw-pointer handling in
//! this one file and lets the worker and reactor code above stay safe.
#![allow(unsafe_code)]
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

use aiofile_core::{Completion, Errno, IoBufMut, Op, OpKind};

/// Turns a `-1` return into the thread's `errno` as an [`io::Error`].
macro_rules! syscall {
    ($e:expr) => {{
        let res = $e;
        if res == -1 {
            Err(io::Error::last_os_error())
        } else {
            Ok(res)
        }
    }};
}

/// Whether `fd` has `O_DIRECT` set.
pub(crate) fn is_direct(fd: BorrowedFd<'_>) -> io::Result<bool> {
    // SAFETY: F_GETFL takes no pointer argument; `fd` is a live borrowed descriptor.
    let flags = syscall!(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) })?;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    return Ok(flags & libc::O_DIRECT != 0);
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    return Ok({
        let _ = flags;
        false
    });
}

/// The errno of an [`io::Error`] from a syscall (`EIO` if it somehow has none).
fn errno(e: &io::Error) -> Errno {
    Errno(e.raw_os_error().unwrap_or(Errno::EIO.0))
}

/// Repeats `f` while it fails with `EINTR`.
fn retry<T>(mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Runs `op` on `fd` with a blocking positional syscall and completes it.
///
/// Short transfers complete with the short count; errors with their errno.
pub(crate) fn perform<B: IoBufMut>(fd: BorrowedFd<'_>, op: Op<B>) -> Completion<B> {
    match op.kind() {
        OpKind::Read => pread(fd, op),
        OpKind::Write => pwrite(fd, op),
        OpKind::Fsync => sync(op, || {
            // SAFETY: fsync takes no pointer; `fd` is a live borrowed descriptor.
            syscall!(unsafe { libc::fsync(fd.as_raw_fd()) })
        }),
        OpKind::Fdatasync => sync(op, || {
            // SAFETY: as for fsync.
            syscall!(unsafe { fdatasync(fd.as_raw_fd()) })
        }),
        OpKind::Writeback => writeback(fd, op),
    }
}

/// `sync_file_range(SYNC_FILE_RANGE_WRITE)`: starts the range's writeback.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn writeback<B: IoBufMut>(fd: BorrowedFd<'_>, op: Op<B>) -> Completion<B> {
    let off = match offset(&op) {
        Ok(off) => off,
        Err(e) => return op.complete_err(e),
    };
    let len = libc::off64_t::try_from(op.len()).unwrap_or(0);
    sync(op, || {
        // SAFETY: sync_file_range takes no pointer; `fd` is a live borrowed descriptor.
        syscall!(unsafe {
            libc::sync_file_range(fd.as_raw_fd(), off, len, libc::SYNC_FILE_RANGE_WRITE)
        })
    })
}

/// Elsewhere there is no call to start a range's writeback: the hint does nothing.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn writeback<B: IoBufMut>(_fd: BorrowedFd<'_>, op: Op<B>) -> Completion<B> {
    op.complete_write(0)
}

/// `fdatasync` where the platform has it, `fsync` elsewhere (Apple).
///
/// # Safety
/// None beyond `libc::fsync`'s: the call takes no pointer.
#[cfg(not(target_vendor = "apple"))]
unsafe fn fdatasync(fd: libc::c_int) -> libc::c_int {
    // SAFETY: forwarded; fdatasync takes no pointer.
    unsafe { libc::fdatasync(fd) }
}

/// `fdatasync` where the platform has it, `fsync` elsewhere (Apple).
///
/// # Safety
/// None beyond `libc::fsync`'s: the call takes no pointer.
#[cfg(target_vendor = "apple")]
unsafe fn fdatasync(fd: libc::c_int) -> libc::c_int {
    // SAFETY: forwarded; fsync takes no pointer.
    unsafe { libc::fsync(fd) }
}

fn sync<B: IoBufMut>(op: Op<B>, f: impl FnMut() -> io::Result<libc::c_int>) -> Completion<B> {
    match retry(f) {
        Ok(_) => op.complete_write(0),
        Err(e) => op.complete_err(errno(&e)),
    }
}

/// The file offset as `off_t`, or `EINVAL` past `off_t::MAX`.
fn offset<B: IoBufMut>(op: &Op<B>) -> Result<libc::off_t, Errno> {
    libc::off_t::try_from(op.offset()).map_err(|_| Errno::EINVAL)
}

fn pread<B: IoBufMut>(fd: BorrowedFd<'_>, mut op: Op<B>) -> Completion<B> {
    let off = match offset(&op) {
        Ok(off) => off,
        Err(e) => return op.complete_err(e),
    };
    let (ptr, len) = (op.io_ptr(), op.len());
    let res = retry(|| {
        // SAFETY: we hold `op` by value for the whole call, so the `len` bytes at `ptr`
        // (inside its buffer, by `Op`'s construction) are alive, writable and reachable
        // by nobody else; the kernel writes at most `len` bytes there.
        syscall!(unsafe { libc::pread(fd.as_raw_fd(), ptr.cast(), len, off) })
    });
    match res {
        // SAFETY: pread returned `n >= 0`, the kernel wrote exactly `n <= len` bytes at
        // `io_ptr()`.
        Ok(n) => unsafe { op.complete_read(n as usize) },
        Err(e) => op.complete_err(errno(&e)),
    }
}

fn pwrite<B: IoBufMut>(fd: BorrowedFd<'_>, op: Op<B>) -> Completion<B> {
    let off = match offset(&op) {
        Ok(off) => off,
        Err(e) => return op.complete_err(e),
    };
    let data = op.write_data();
    let res = retry(|| {
        // SAFETY: `data` is a live shared slice borrowed from `op` for the whole call;
        // the kernel only reads `data.len()` bytes from it.
        syscall!(unsafe { libc::pwrite(fd.as_raw_fd(), data.as_ptr().cast(), data.len(), off) })
    });
    match res {
        Ok(n) => op.complete_write(n as usize),
        Err(e) => op.complete_err(errno(&e)),
    }
}

/// The outcome of an inline `preadv2(RWF_NOWAIT)` read (see [`try_read_inline`](crate::try_read_inline)).
#[derive(Debug)]
pub enum Nowait<B> {
    /// The read finished inline (data, a short count at EOF, or a definite error).
    Done(Completion<B>),
    /// The data is not cached, or this file refuses `RWF_NOWAIT`: use the pool.
    WouldBlock(Op<B>),
    /// The kernel has no `preadv2`: never try again.
    Unsupported(Op<B>),
}

/// Tries the read `op` without blocking: `preadv2(..., RWF_NOWAIT)`.
///
/// `EAGAIN` (not cached), `EOPNOTSUPP` (file system or kernel refuses the flag),
/// `EINVAL` (e.g. O_DIRECT alignment, which the pool reports properly) and `EINTR` give
/// [`Nowait::WouldBlock`]; `ENOSYS` gives [`Nowait::Unsupported`].
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn read_nowait<B: IoBufMut>(fd: BorrowedFd<'_>, mut op: Op<B>) -> Nowait<B> {
    let off = match offset(&op) {
        Ok(off) => off,
        Err(e) => return Nowait::Done(op.complete_err(e)),
    };
    let iov = libc::iovec {
        iov_base: op.io_ptr().cast(),
        iov_len: op.len(),
    };
    // SAFETY: `iov` describes the `len` bytes of `op`'s read range, alive and exclusive
    // while we hold `op` by value; `iov` itself lives across the call and the count is 1.
    let res = syscall!(unsafe { libc::preadv2(fd.as_raw_fd(), &iov, 1, off, libc::RWF_NOWAIT) });
    match res {
        // SAFETY: the kernel wrote exactly `n <= len` bytes at `io_ptr()`.
        Ok(n) => Nowait::Done(unsafe { op.complete_read(n as usize) }),
        Err(e) => match e.raw_os_error() {
            Some(libc::ENOSYS) => Nowait::Unsupported(op),
            Some(libc::EAGAIN | libc::EOPNOTSUPP | libc::EINVAL | libc::EINTR) => {
                Nowait::WouldBlock(op)
            }
            _ => Nowait::Done(op.complete_err(errno(&e))),
        },
    }
}

/// The fallback that always compiles: no `RWF_NOWAIT` outside Linux.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn read_nowait<B: IoBufMut>(_fd: BorrowedFd<'_>, op: Op<B>) -> Nowait<B> {
    Nowait::Unsupported(op)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsFd;

    fn temp_file(name: &str, data: &[u8]) -> std::fs::File {
        let path = std::env::temp_dir().join(format!("aiofile-sys-{name}-{}", std::process::id()));
        let mut f = std::fs::File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        f.write_all(data).unwrap();
        std::fs::remove_file(&path).unwrap();
        f
    }

    #[test]
    fn pread_appends_after_initialised_prefix_and_stops_at_eof() {
        let f = temp_file("pread", b"0123456789");
        let mut buf = Vec::with_capacity(10);
        buf.extend_from_slice(b"ab");
        let op = Op::read(buf, 6, 8).unwrap();
        let done = perform(f.as_fd(), op);
        assert_eq!(done.result, Ok(4));
        assert_eq!(done.buf.unwrap(), b"ab6789");
    }

    #[test]
    fn pwrite_sends_from_start_and_sync_succeeds() {
        let f = temp_file("pwrite", b"..........");
        let done = perform(f.as_fd(), Op::write(b"xxABC".to_vec(), 3, 2).unwrap());
        assert_eq!(done.result, Ok(3));
        assert_eq!(perform::<Vec<u8>>(f.as_fd(), Op::fsync()).result, Ok(0));
        assert_eq!(perform::<Vec<u8>>(f.as_fd(), Op::fdatasync()).result, Ok(0));
        let done = perform(f.as_fd(), Op::read(Vec::with_capacity(10), 0, 10).unwrap());
        assert_eq!(done.buf.unwrap(), b"...ABC....");
    }

    #[test]
    fn offset_past_off_t_is_einval() {
        let f = temp_file("off", b"x");
        let done = perform(
            f.as_fd(),
            Op::read(Vec::with_capacity(1), u64::MAX, 1).unwrap(),
        );
        assert_eq!(done.result, Err(Errno::EINVAL));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn nowait_reads_cached_data_or_declines() {
        let f = temp_file("nowait", b"cached");
        match read_nowait(f.as_fd(), Op::read(Vec::with_capacity(6), 0, 6).unwrap()) {
            Nowait::Done(c) => assert_eq!(c.buf.unwrap(), b"cached"),
            other => println!("skipped: RWF_NOWAIT declined here: {other:?}"),
        }
    }
}
