//! Errors shared by the core's async layer and its reactors.
use core::fmt;

/// An operating-system error number, as a reactor reports it (`EIO` is 5 on Linux).
///
/// ```
/// use aiofile_core::Errno;
/// assert_eq!(Errno(5).to_string(), "os error 5");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Errno(pub i32);

impl Errno {
    /// `EIO`: a generic I/O error (Linux numbering, used by the in-memory reactor).
    pub const EIO: Errno = Errno(5);
    /// `EBADF`: bad file descriptor.
    pub const EBADF: Errno = Errno(9);
    /// `EAGAIN`: try again (e.g. `RWF_NOWAIT` on uncached data).
    pub const EAGAIN: Errno = Errno(11);
    /// `ENOSPC`: no space left on the device.
    pub const ENOSPC: Errno = Errno(28);
    /// `EINVAL`: invalid argument.
    pub const EINVAL: Errno = Errno(22);
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "os error {}", self.0)
    }
}

impl core::error::Error for Errno {}

/// What can go wrong in the core's async layer ([`crate::io`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// The reactor reported an OS error.
    Os(Errno),
    /// A write completed with 0 bytes for non-empty data; `offset` is where the
    /// remaining data should have gone, `written` how much had been written before.
    WriteZero {
        /// File offset of the write that returned zero.
        offset: u64,
        /// Bytes of this request already written.
        written: usize,
    },
    /// A chunk size of zero was asked for.
    ZeroChunkSize,
    /// The buffer cannot hold the requested range (capacity too small).
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes the buffer can hold.
        capacity: usize,
    },
    /// A line separator was empty or longer than [`crate::lines::MAX_SEPARATOR`].
    BadSeparator,
    /// Bytes that are not UTF-8 at this absolute file offset.
    Decode {
        /// Absolute file offset of the first invalid byte.
        offset: u64,
    },
    /// The stream already failed or finished and cannot continue.
    Finished,
}

impl From<Errno> for Error {
    fn from(e: Errno) -> Self {
        Error::Os(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Os(e) => write!(f, "{e}"),
            Error::WriteZero { offset, written } => {
                write!(
                    f,
                    "write returned 0 at offset {offset} after {written} bytes"
                )
            }
            Error::ZeroChunkSize => f.write_str("chunk size must be at least 1"),
            Error::BufferTooSmall { needed, capacity } => {
                write!(f, "buffer holds {capacity} bytes, {needed} needed")
            }
            Error::BadSeparator => f.write_str("line separator must be 1 to 16 bytes"),
            Error::Decode { offset } => write!(f, "invalid UTF-8 at byte offset {offset}"),
            Error::Finished => f.write_str("stream already finished or failed"),
        }
    }
}

impl core::error::Error for Error {}
