//! Chunk and offset bookkeeping for sequential streams, without any I/O.
//!
//! Two sans-IO state machines sit under the async layer in [`crate::io`]:
//!
//! * [`ReadCursor`] walks a file in chunks from a start offset (the `Reader` and
//!   `LineReader`), optionally stopping after a byte limit. A short read is *not* the
//!   end of the file: only a read that returns 0 bytes is.
//! * [`WriteCursor`] writes caller buffers one after the other from an offset (the
//!   `Writer` and positional `write_all`), resubmitting the remainder after a short
//!   write and refusing to loop on a write that returns 0.
//!
//! Both speak the same vocabulary. [`poll_request`](ReadCursor::poll_request) pulls the
//! next request to submit (at most one is ever outstanding);
//! [`handle_completion`](ReadCursor::handle_completion) feeds its result back in;
//! [`handle_cancel`](ReadCursor::handle_cancel) says the result will never come (the
//! future was dropped or the submission given up). Each cursor's state is one enum
//! ([`ReadState`], [`WriteState`]) that carries its data and changes in one place.
//!
//! ```
//! use aiofile_core::cursor::{ReadCursor, ReadEvent};
//! let file = b"hello world";
//! let mut cursor = ReadCursor::new(6, 4)?;
//! let mut got = Vec::new();
//! while let Some(req) = cursor.poll_request() {
//!     // A reactor would carry this out; here the "file" is a slice.
//!     let data = file.get(req.offset as usize..).unwrap_or(&[]);
//!     let n = data.len().min(req.len);
//!     match cursor.handle_completion(Ok(n))? {
//!         ReadEvent::Data { len, .. } => got.extend_from_slice(&data[..len]),
//!         ReadEvent::Eof { .. } => break,
//!     }
//! }
//! assert_eq!(got, b"world");
//! assert!(cursor.is_eof());
//! # Ok::<(), aiofile_core::cursor::CursorError>(())
//! ```
use core::fmt;

use crate::error::{Errno, Error};

mod read;
mod write;

#[cfg(test)]
mod model_tests;

pub use read::{ReadCursor, ReadEvent, ReadRequest, ReadState};
pub use write::{WriteCursor, WriteEvent, WriteRequest, WriteState};

/// What a cursor refuses, or the failure it recorded.
///
/// `Os`, `WriteZero` and `Overrun` are failures of the I/O itself: the cursor moves to
/// its `Failed` state and stays there. The others report a misuse and leave the
/// cursor's state untouched.
///
/// ```
/// use aiofile_core::cursor::{CursorError, ReadCursor};
/// assert_eq!(ReadCursor::new(0, 0).unwrap_err(), CursorError::ZeroChunkSize);
/// assert_eq!(CursorError::ZeroChunkSize.to_string(), "chunk size must be at least 1");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CursorError {
    /// A chunk size of zero was asked for (it would read nothing forever).
    ZeroChunkSize,
    /// The operation failed with this OS error.
    Os(Errno),
    /// A write completed with 0 bytes although data remained.
    WriteZero {
        /// File offset of the write that returned zero.
        offset: u64,
        /// Bytes of the current buffer written before it.
        written: usize,
    },
    /// A completion reported more bytes than its request asked for: a reactor bug.
    Overrun {
        /// Bytes the request asked for.
        requested: usize,
        /// Bytes the completion claimed.
        completed: usize,
    },
    /// A completion or cancellation arrived while no request was in flight.
    NotInFlight,
    /// [`WriteCursor::begin`] was called while the previous buffer was unfinished.
    Busy,
    /// The cursor already failed and accepts no new work.
    Finished,
    /// The offset would pass `u64::MAX`.
    OffsetOverflow,
}

impl fmt::Display for CursorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CursorError::ZeroChunkSize => f.write_str("chunk size must be at least 1"),
            CursorError::Os(e) => write!(f, "{e}"),
            CursorError::WriteZero { offset, written } => {
                write!(
                    f,
                    "write returned 0 at offset {offset} after {written} bytes"
                )
            }
            CursorError::Overrun {
                requested,
                completed,
            } => {
                write!(
                    f,
                    "completion of {completed} bytes for a request of {requested}"
                )
            }
            CursorError::NotInFlight => f.write_str("no request in flight"),
            CursorError::Busy => f.write_str("a write is already in progress"),
            CursorError::Finished => f.write_str("cursor already failed"),
            CursorError::OffsetOverflow => f.write_str("file offset overflows u64"),
        }
    }
}

impl core::error::Error for CursorError {}

/// Maps a cursor error onto the async layer's [`Error`].
///
/// | `CursorError` | `Error` |
/// |---|---|
/// | `ZeroChunkSize` | `ZeroChunkSize` |
/// | `Os(e)` | `Os(e)` |
/// | `WriteZero { .. }` | `WriteZero { .. }` (same fields) |
/// | `Finished` | `Finished` |
/// | `Overrun { .. }` | `Os(Errno::EIO)`: the reactor misreported a transfer |
/// | `OffsetOverflow` | `Os(Errno::EINVAL)`, as `pwrite` says for an offset past `off_t` |
/// | `NotInFlight`, `Busy` | `Os(Errno::EINVAL)`: the layer above misused the cursor |
///
/// ```
/// use aiofile_core::{cursor::CursorError, Errno, Error};
/// assert_eq!(Error::from(CursorError::Os(Errno::EIO)), Error::Os(Errno::EIO));
/// assert_eq!(
///     Error::from(CursorError::WriteZero { offset: 7, written: 3 }),
///     Error::WriteZero { offset: 7, written: 3 },
/// );
/// ```
impl From<CursorError> for Error {
    fn from(e: CursorError) -> Self {
        match e {
            CursorError::ZeroChunkSize => Error::ZeroChunkSize,
            CursorError::Os(errno) => Error::Os(errno),
            CursorError::WriteZero { offset, written } => Error::WriteZero { offset, written },
            CursorError::Finished => Error::Finished,
            CursorError::Overrun { .. } => Error::Os(Errno::EIO),
            CursorError::OffsetOverflow | CursorError::NotInFlight | CursorError::Busy => {
                Error::Os(Errno::EINVAL)
            }
        }
    }
}

/// `offset + n`, or `None` past `u64::MAX`.
fn advance(offset: u64, n: usize) -> Option<u64> {
    u64::try_from(n).ok().and_then(|n| offset.checked_add(n))
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;

    #[test]
    fn display_names_the_numbers() {
        let e = CursorError::WriteZero {
            offset: 10,
            written: 4,
        };
        assert_eq!(e.to_string(), "write returned 0 at offset 10 after 4 bytes");
        let e = CursorError::Overrun {
            requested: 4,
            completed: 9,
        };
        assert_eq!(e.to_string(), "completion of 9 bytes for a request of 4");
        assert_eq!(CursorError::Os(Errno::EIO).to_string(), "os error 5");
    }

    #[test]
    fn maps_onto_the_layer_error() {
        assert_eq!(
            Error::from(CursorError::ZeroChunkSize),
            Error::ZeroChunkSize
        );
        assert_eq!(Error::from(CursorError::Finished), Error::Finished);
        assert_eq!(
            Error::from(CursorError::Os(Errno::ENOSPC)),
            Error::Os(Errno::ENOSPC)
        );
        let overrun = CursorError::Overrun {
            requested: 1,
            completed: 2,
        };
        assert_eq!(Error::from(overrun), Error::Os(Errno::EIO));
        for misuse in [
            CursorError::NotInFlight,
            CursorError::Busy,
            CursorError::OffsetOverflow,
        ] {
            assert_eq!(Error::from(misuse), Error::Os(Errno::EINVAL));
        }
    }

    #[test]
    fn advance_checks_overflow() {
        assert_eq!(advance(5, 3), Some(8));
        assert_eq!(advance(u64::MAX - 1, 1), Some(u64::MAX));
        assert_eq!(advance(u64::MAX, 1), None);
    }
}
