//! The file handle every OS reactor of aiofile shares.
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::Arc;

use crate::inline::NowaitGate;
use crate::sys;

/// An open file as the OS reactors see it: the descriptor plus what was learnt about it
/// once at open time (whether it was opened with `O_DIRECT`).
///
/// Reactors keep a [`FileRef`] clone for every operation in flight, so the descriptor
/// cannot be closed (and its number reused by another file) under a running operation.
///
/// ```
/// use aiofile_reactor_threads::FileHandle;
/// let file = std::fs::File::open("/proc/self/status").unwrap();
/// let handle = FileHandle::new(file.into()).unwrap();
/// assert!(!handle.is_direct());
/// ```
#[derive(Debug)]
pub struct FileHandle {
    fd: OwnedFd,
    direct: bool,
    gate: NowaitGate,
}

/// The shared form reactors use as their [`Reactor::File`](aiofile_core::Reactor::File).
pub type FileRef = Arc<FileHandle>;

impl FileHandle {
    /// Wraps `fd`, asking the kernel once whether it is in `O_DIRECT` mode.
    ///
    /// # Errors
    /// The `fcntl(F_GETFL)` error, e.g. `EBADF`.
    pub fn new(fd: OwnedFd) -> io::Result<Self> {
        let direct = sys::is_direct(fd.as_fd())?;
        Ok(Self {
            fd,
            direct,
            gate: NowaitGate::new(),
        })
    }

    /// True when the descriptor has `O_DIRECT` set (alignment rules apply).
    pub fn is_direct(&self) -> bool {
        self.direct
    }

    /// How inline `RWF_NOWAIT` reads have been going on this file (see
    /// [`try_read_inline`](crate::try_read_inline)).
    pub fn nowait_gate(&self) -> &NowaitGate {
        &self.gate
    }

    /// Gives the descriptor back.
    pub fn into_fd(self) -> OwnedFd {
        self.fd
    }
}

impl AsFd for FileHandle {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for FileHandle {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
