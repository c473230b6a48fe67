//! The completion signal both reactors expose: a non-blocking `eventfd`, plus `poll(2)`
//! on any descriptor for the built-in driver.
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// A non-blocking, close-on-exec eventfd: the kernel (or [`EventFd::signal`]) adds to
/// its counter, a reader takes and resets it.
#[derive(Debug)]
pub(crate) struct EventFd(OwnedFd);

impl EventFd {
    /// `eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)`.
    pub(crate) fn new() -> io::Result<Self> {
        // SAFETY: no pointers are involved.
        let fd = syscall!(unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) })?;
        // SAFETY: `fd` was just returned by eventfd and is owned by nobody else.
        Ok(Self(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    /// Takes the counter (0 when it was not readable).
    pub(crate) fn take(&self) -> u64 {
        take(self.0.as_fd())
    }

    /// Makes the descriptor readable (see [`signal`]).
    pub(crate) fn signal(&self) {
        signal(self.0.as_fd());
    }

    /// The descriptor as `io_submit` and `io_uring_register` want it.
    pub(crate) fn raw(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

impl AsFd for EventFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// Reads (and so resets) an eventfd's counter; 0 when it was zero (`EAGAIN`) or on error.
pub(crate) fn take(fd: BorrowedFd<'_>) -> u64 {
    let mut value = 0u64;
    // SAFETY: `value` is 8 writable bytes that outlive the call; `fd` is live.
    let n = unsafe { libc::read(fd.as_raw_fd(), (&raw mut value).cast(), 8) };
    if n == 8 {
        value
    } else {
        0
    }
}

/// Adds 1 to an eventfd's counter, making it readable (wakes a thread in [`wait`]).
pub(crate) fn signal(fd: BorrowedFd<'_>) {
    let one = 1u64;
    // SAFETY: `one` is 8 readable bytes that outlive the call; `fd` is live. A full
    // counter (EAGAIN) already means "readable", so the result can be ignored.
    let _ = unsafe { libc::write(fd.as_raw_fd(), (&raw const one).cast(), 8) };
}

/// Blocks in `poll(2)` until `fd` is readable or `timeout` passes (`None`: forever).
/// Returns whether it became readable; `EINTR` counts as "not yet".
pub(crate) fn wait(fd: BorrowedFd<'_>, timeout: Option<Duration>) -> io::Result<bool> {
    let ms = match timeout {
        None => -1,
        Some(t) => i32::try_from(t.as_millis()).unwrap_or(i32::MAX),
    };
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid `pollfd` that outlives the call.
    match syscall!(unsafe { libc::poll(&mut pfd, 1, ms) }) {
        Ok(n) => Ok(n > 0 && pfd.revents & libc::POLLIN != 0),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(false),
        Err(e) => Err(e),
    }
}
