//! The only module of this crate allowed `unsafe`: thin syscall wrappers.
#![allow(unsafe_code)]
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

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
    Ok(flags & libc::O_DIRECT != 0)
}
