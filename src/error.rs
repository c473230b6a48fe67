//! The facade's one error type.
use std::fmt;
use std::io;

use aiofile_core::{Errno, ModeError};

/// Everything that can go wrong in `aiofile`.
///
/// Converts into [`std::io::Error`] with a matching [`io::ErrorKind`]; OS errors keep
/// their errno ([`io::Error::raw_os_error`]).
///
/// ```
/// use aiofile::Error;
/// let e: std::io::Error = Error::Closed.into();
/// assert_eq!(e.kind(), std::io::ErrorKind::NotConnected);
/// let e: std::io::Error = Error::from(std::io::Error::from_raw_os_error(2)).into();
/// assert_eq!(e.raw_os_error(), Some(2));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The file has not been opened yet (see [`AioFile::new`](crate::AioFile::new)).
    NotOpened,
    /// The file was closed.
    Closed,
    /// The mode string is invalid: which character and why.
    Mode(ModeError),
    /// A binary wrapper was asked for a text-mode file, or a text wrapper for a binary
    /// one (see [`async_open_binary`](crate::async_open_binary)).
    WrongMode {
        /// The file's mode.
        mode: aiofile_core::FileMode,
        /// The kind the caller expected: `"binary"` or `"text"`.
        expected: &'static str,
    },
    /// Bytes that are not UTF-8, at this absolute file offset (text mode).
    Decode {
        /// Absolute byte offset of the first invalid byte.
        offset: u64,
    },
    /// A write stored zero bytes for non-empty data.
    WriteZero {
        /// File offset of the write that returned zero.
        offset: u64,
        /// Bytes of this request already written.
        written: usize,
    },
    /// An argument was out of range (e.g. a chunk size of 0, an empty separator).
    InvalidInput(&'static str),
    /// Asked for something this build or this machine cannot do (an encoding other
    /// than UTF-8, an unavailable reactor).
    Unsupported(String),
    /// An O_DIRECT transfer whose buffer address, offset or length is not a multiple
    /// of the required alignment.
    Misaligned {
        /// Which of the three is misaligned.
        what: &'static str,
        /// The alignment required, in bytes.
        required: usize,
    },
    /// An operating-system error (errno preserved).
    Io(io::Error),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The [`io::ErrorKind`] this error converts to.
    pub fn kind(&self) -> io::ErrorKind {
        use io::ErrorKind as K;
        match self {
            Error::NotOpened | Error::Closed => K::NotConnected,
            Error::Mode(_)
            | Error::WrongMode { .. }
            | Error::InvalidInput(_)
            | Error::Misaligned { .. } => K::InvalidInput,
            Error::Decode { .. } => K::InvalidData,
            Error::WriteZero { .. } => K::WriteZero,
            Error::Unsupported(_) => K::Unsupported,
            Error::Io(e) => e.kind(),
        }
    }

    /// The errno for OS errors.
    pub fn raw_os_error(&self) -> Option<i32> {
        match self {
            Error::Io(e) => e.raw_os_error(),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotOpened => f.write_str("file is not opened yet"),
            Error::Closed => f.write_str("I/O operation on closed file"),
            Error::Mode(e) => write!(f, "invalid mode: {e}"),
            Error::WrongMode { mode, expected } => {
                write!(f, "file mode {:?} is not {expected}", mode.to_string())
            }
            Error::Decode { offset } => write!(f, "invalid UTF-8 at byte offset {offset}"),
            Error::WriteZero { offset, written } => {
                write!(
                    f,
                    "write returned 0 at offset {offset} after {written} bytes"
                )
            }
            Error::InvalidInput(what) => write!(f, "invalid argument: {what}"),
            Error::Unsupported(what) => write!(f, "unsupported: {what}"),
            Error::Misaligned { what, required } => {
                write!(f, "O_DIRECT {what} is not aligned to {required} bytes")
            }
            Error::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Mode(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

impl From<ModeError> for Error {
    fn from(e: ModeError) -> Self {
        Error::Mode(e)
    }
}

impl From<Errno> for Error {
    fn from(e: Errno) -> Self {
        Error::Io(io::Error::from_raw_os_error(e.0))
    }
}

impl From<aiofile_core::Error> for Error {
    fn from(e: aiofile_core::Error) -> Self {
        use aiofile_core::Error as C;
        match e {
            C::Os(errno) => errno.into(),
            C::WriteZero { offset, written } => Error::WriteZero { offset, written },
            C::ZeroChunkSize => Error::InvalidInput("chunk size must be at least 1"),
            C::BufferTooSmall { .. } => Error::InvalidInput("buffer too small for the request"),
            C::BadSeparator => Error::InvalidInput("line separator must be 1 to 16 bytes"),
            C::Decode { offset } => Error::Decode { offset },
            C::Finished => Error::InvalidInput("stream already finished or failed"),
        }
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Io(e) => e,
            other => io::Error::new(other.kind(), other),
        }
    }
}
