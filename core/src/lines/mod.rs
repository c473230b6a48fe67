//! Line splitting with any separator, independent of chunking: over a fixed buffer
//! ([`LineSplitter`], no heap), or over the caller's chunks without copying them
//! (`ChunkSplitter`, feature `alloc`, for readers that hand their buffers to the kernel).
//!
//! [`LineSplitter`] is a sans-IO state machine: the caller feeds bytes with
//! [`handle_input`](LineSplitter::handle_input), says the input ended with
//! [`handle_eof`](LineSplitter::handle_eof), and pulls lines with
//! [`poll_line`](LineSplitter::poll_line). It never allocates: the bytes live in a
//! `heapless::Vec<u8, N>` it owns, and each [`Line`] borrows that buffer until the next
//! call.
//!
//! # What a line is
//!
//! The same lines as [`str::split_inclusive`] with a string pattern, whatever the chunking:
//!
//! * a line ends right after the first separator found scanning left to right, and
//!   includes it ([`Line::bytes`]); [`Line::content`] is the same without it;
//! * overlapping matches are resolved left to right: with `"||"`, the input `"a|||b"` is
//!   `["a||", "|b"]`;
//! * the bytes after the last separator, if any, form a final line without separator
//!   ([`LineEnd::Eof`]); a trailing separator does not produce an empty last line, and an
//!   empty input produces no line at all;
//! * separators are 1 to [`MAX_SEPARATOR`] arbitrary bytes (`"\n"`, `"\r\n"`, `"||"`,
//!   the UTF-8 of `"→"`, ...), found even when they straddle two inputs.
//!
//! This fixes the reference's `LineReader`, which splits on `"\n"` first and only checks
//! the separator at `"\n"` or at the end of the buffered chunk, so its lines depend on the
//! chunk size (behaviour notes §10 items 6–8). An empty separator is rejected rather than
//! returning chunk-sized fragments.
//!
//! # Lines longer than the buffer: `Partial` pieces
//!
//! A line is never silently cut. When the buffer is full and holds no separator,
//! [`poll_line`](LineSplitter::poll_line) hands out the buffer minus its last
//! `max(sep_len - 1, 1)` bytes (a possible separator prefix, and at least one byte) as a
//! piece marked [`LineEnd::Partial`]. The pieces of one line concatenate to the full line,
//! and only the last piece is marked [`LineEnd::Separator`] or [`LineEnd::Eof`]; that last
//! piece is never empty.
//!
//! ```
//! use aiofile_core::lines::{LineEnd, LineSplitter};
//!
//! let mut s = LineSplitter::<8>::new(b"\n")?;
//! assert_eq!(s.handle_input(b"0123456789abc\nxy"), 8); // the buffer is full
//! let piece = s.poll_line().unwrap();
//! assert_eq!((piece.bytes(), piece.end()), (&b"0123456"[..], LineEnd::Partial));
//! assert_eq!(s.handle_input(b"89abc\nxy"), 7); // "7" was kept back
//! let piece = s.poll_line().unwrap();
//! assert_eq!((piece.bytes(), piece.end()), (&b"789abc\n"[..], LineEnd::Separator));
//! assert!(s.poll_line().is_none()); // "x" may continue
//! assert_eq!(s.handle_input(b"y"), 1);
//! s.handle_eof();
//! let piece = s.poll_line().unwrap();
//! assert_eq!((piece.bytes(), piece.end()), (&b"xy"[..], LineEnd::Eof));
//! assert!(s.poll_line().is_none() && s.is_finished());
//! # Ok::<(), aiofile_core::lines::SeparatorError>(())
//! ```
//!
//! # Driving it
//!
//! Feed, drain, repeat; then end the input and drain again. `handle_input` may take fewer
//! bytes than offered when the buffer is full: keep the rest and offer it again after
//! draining. After `poll_line` returns `None` before the end of input, `handle_input`
//! always accepts at least one byte, so this loop cannot stall.
//!
//! ```
//! use aiofile_core::lines::LineSplitter;
//!
//! let mut s = LineSplitter::<16>::new(b"\r\n")?;
//! let mut lines = Vec::new();
//! for chunk in [&b"ab\r"[..], b"\ncd\nef\r", b"\ngh"] {
//!     let mut rest = chunk;
//!     while !rest.is_empty() {
//!         let n = s.handle_input(rest);
//!         rest = &rest[n..];
//!         while let Some(line) = s.poll_line() {
//!             lines.push(line.bytes().to_vec());
//!         }
//!     }
//! }
//! s.handle_eof();
//! while let Some(line) = s.poll_line() {
//!     lines.push(line.bytes().to_vec());
//! }
//! assert_eq!(lines, [&b"ab\r\n"[..], b"cd\nef\r\n", b"gh"]);
//! # Ok::<(), aiofile_core::lines::SeparatorError>(())
//! ```
//!
//! # Mechanism
//!
//! The splitter remembers where the unreturned bytes start and how far it has already
//! searched, so each byte is searched a bounded number of times (`memchr` for one-byte
//! separators, `memchr::memmem` otherwise). Returned lines are dropped lazily: the
//! remaining bytes move to the front of the buffer only when new input needs the room.
use core::fmt;

use heapless::Vec;

#[cfg(feature = "alloc")]
mod chunk;
#[cfg(all(test, feature = "alloc"))]
mod chunk_tests;
mod engine;
mod line;
#[cfg(test)]
mod tests;

#[cfg(feature = "alloc")]
pub use chunk::{ChunkSplitter, Span, CARRY_RESERVE};
use engine::{Engine, State};
pub use line::{Line, LineEnd};

/// Longest separator accepted, in bytes.
///
/// ```
/// use aiofile_core::lines::{LineSplitter, SeparatorError, MAX_SEPARATOR};
///
/// assert!(LineSplitter::<64>::new(&[b'-'; MAX_SEPARATOR]).is_ok());
/// assert_eq!(
///     LineSplitter::<64>::new(&[b'-'; MAX_SEPARATOR + 1]).unwrap_err(),
///     SeparatorError::TooLong { len: MAX_SEPARATOR + 1 },
/// );
/// ```
pub const MAX_SEPARATOR: usize = 16;

/// Why [`LineSplitter::new`] refused a separator.
///
/// Converts into [`crate::Error`]: the first two variants become
/// [`Error::BadSeparator`](crate::Error::BadSeparator), the last
/// [`Error::BufferTooSmall`](crate::Error::BufferTooSmall).
///
/// ```
/// use aiofile_core::lines::{LineSplitter, SeparatorError};
/// use aiofile_core::Error;
///
/// let err = LineSplitter::<3>::new(b"\r\n").unwrap_err();
/// assert_eq!(err, SeparatorError::BufferTooSmall { needed: 4, capacity: 3 });
/// assert_eq!(Error::from(err), Error::BufferTooSmall { needed: 4, capacity: 3 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SeparatorError {
    /// The separator was empty.
    Empty,
    /// The separator was longer than [`MAX_SEPARATOR`] bytes.
    TooLong {
        /// Length of the refused separator.
        len: usize,
    },
    /// The buffer capacity `N` is below twice the separator length.
    BufferTooSmall {
        /// Smallest capacity accepted for this separator (`2 * sep_len`).
        needed: usize,
        /// The capacity `N` of the splitter.
        capacity: usize,
    },
}

impl fmt::Display for SeparatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("line separator is empty"),
            Self::TooLong { len } => {
                write!(
                    f,
                    "line separator is {len} bytes, at most {MAX_SEPARATOR} allowed"
                )
            }
            Self::BufferTooSmall { needed, capacity } => write!(
                f,
                "line buffer holds {capacity} bytes, this separator needs at least {needed}"
            ),
        }
    }
}

impl core::error::Error for SeparatorError {}

impl From<SeparatorError> for crate::Error {
    fn from(e: SeparatorError) -> Self {
        match e {
            SeparatorError::Empty | SeparatorError::TooLong { .. } => Self::BadSeparator,
            SeparatorError::BufferTooSmall { needed, capacity } => {
                Self::BufferTooSmall { needed, capacity }
            }
        }
    }
}

/// Splits a byte stream into lines ending with a separator of 1 to [`MAX_SEPARATOR`]
/// bytes, buffering at most `N` bytes; see the [module docs](self) for the rules,
/// `Partial` pieces and the driving loop.
///
/// `N` must be at least twice the separator length.
///
/// ```
/// use aiofile_core::lines::{LineEnd, LineSplitter};
///
/// let mut s = LineSplitter::<32>::new("→".as_bytes())?;
/// assert_eq!(s.handle_input("a→b".as_bytes()), 5);
/// let line = s.poll_line().unwrap();
/// assert_eq!((line.bytes(), line.content()), ("a→".as_bytes(), &b"a"[..]));
/// assert!(s.poll_line().is_none()); // "b" may continue
/// s.handle_eof();
/// assert_eq!(s.poll_line().unwrap().end(), LineEnd::Eof);
/// # Ok::<(), aiofile_core::lines::SeparatorError>(())
/// ```
#[derive(Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LineSplitter<const N: usize> {
    buf: Vec<u8, N>,
    engine: Engine,
}

impl<const N: usize> LineSplitter<N> {
    /// A splitter for `separator`, with an empty buffer.
    ///
    /// # Errors
    /// [`SeparatorError::Empty`] for an empty separator, [`SeparatorError::TooLong`] above
    /// [`MAX_SEPARATOR`] bytes, [`SeparatorError::BufferTooSmall`] when `N` is below
    /// `2 * separator.len()`.
    ///
    /// ```
    /// use aiofile_core::lines::{LineSplitter, SeparatorError};
    ///
    /// assert!(LineSplitter::<2>::new(b"\n").is_ok());
    /// assert_eq!(LineSplitter::<8>::new(b"").unwrap_err(), SeparatorError::Empty);
    /// ```
    pub fn new(separator: &[u8]) -> Result<Self, SeparatorError> {
        if separator.is_empty() {
            return Err(SeparatorError::Empty);
        }
        let sep = Vec::from_slice(separator).map_err(|_| SeparatorError::TooLong {
            len: separator.len(),
        })?;
        let needed = 2 * separator.len();
        if N < needed {
            return Err(SeparatorError::BufferTooSmall {
                needed,
                capacity: N,
            });
        }
        Ok(Self {
            buf: Vec::new(),
            engine: Engine::new(sep),
        })
    }

    /// Feeds input bytes; returns how many were taken.
    ///
    /// Call it with each chunk read. It takes fewer than `data.len()` bytes when the
    /// buffer is full: drain [`poll_line`](Self::poll_line), then offer the rest again.
    /// After [`handle_eof`](Self::handle_eof) it takes nothing and returns 0.
    ///
    /// ```
    /// use aiofile_core::lines::LineSplitter;
    ///
    /// let mut s = LineSplitter::<4>::new(b";")?;
    /// assert_eq!(s.handle_input(b"a;b;c;"), 4);
    /// assert_eq!(s.poll_line().unwrap().bytes(), b"a;");
    /// assert_eq!(s.handle_input(b"c;"), 2); // room was made for it
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    #[must_use = "bytes not taken must be offered again"]
    pub fn handle_input(&mut self, data: &[u8]) -> usize {
        self.engine.handle_input(self.buf.as_mut_view(), data)
    }

    /// Marks the end of input: the bytes after the last separator become the final line.
    ///
    /// Call it once the source is exhausted, then drain [`poll_line`](Self::poll_line).
    /// Calling it again has no effect.
    ///
    /// ```
    /// use aiofile_core::lines::{LineEnd, LineSplitter};
    ///
    /// let mut s = LineSplitter::<8>::new(b"\n")?;
    /// assert_eq!(s.handle_input(b"tail"), 4);
    /// assert!(s.poll_line().is_none());
    /// s.handle_eof();
    /// let line = s.poll_line().unwrap();
    /// assert_eq!((line.bytes(), line.end()), (&b"tail"[..], LineEnd::Eof));
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    pub fn handle_eof(&mut self) {
        self.engine.handle_eof(self.buf.as_view());
    }

    /// The next line or [`Partial`](LineEnd::Partial) piece, or `None` when more input
    /// (or [`handle_eof`](Self::handle_eof)) is needed or the splitter is
    /// [finished](Self::is_finished).
    ///
    /// Call it after each [`handle_input`](Self::handle_input) until it returns `None`,
    /// and after `handle_eof`. The returned line borrows the splitter's buffer and is gone
    /// at the next call of any method.
    ///
    /// ```
    /// use aiofile_core::lines::LineSplitter;
    ///
    /// let mut s = LineSplitter::<16>::new(b"||")?;
    /// assert_eq!(s.handle_input(b"ab||cd|"), 7);
    /// assert_eq!(s.poll_line().unwrap().bytes(), b"ab||");
    /// assert!(s.poll_line().is_none()); // "cd|" may be followed by "|"
    /// assert_eq!(s.handle_input(b"|"), 1);
    /// assert_eq!(s.poll_line().unwrap().content(), b"cd");
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    #[must_use = "a line is lost if ignored"]
    pub fn poll_line(&mut self) -> Option<Line<'_>> {
        self.engine.poll_line(self.buf.as_view())
    }

    /// The line [`poll_line`](Self::poll_line) returned last, again; `None` once
    /// [`handle_input`](Self::handle_input) or [`reset`](Self::reset) may have moved
    /// the buffer. Lets a caller test `poll_line().is_some()` in a loop and take the
    /// line afterwards without holding the borrow.
    ///
    /// ```
    /// use aiofile_core::LineSplitter;
    /// let mut s = LineSplitter::<16>::new(b";").unwrap();
    /// let _ = s.handle_input(b"a;b");
    /// assert!(s.poll_line().is_some());
    /// assert_eq!(s.last_line().unwrap().bytes(), b"a;");
    /// ```
    #[must_use]
    pub fn last_line(&self) -> Option<Line<'_>> {
        self.engine.last_line(self.buf.as_view())
    }

    /// Whether input ended and every byte was handed out: [`poll_line`](Self::poll_line)
    /// returns `None` from now on (until [`reset`](Self::reset)).
    ///
    /// ```
    /// use aiofile_core::lines::LineSplitter;
    ///
    /// let mut s = LineSplitter::<8>::new(b"\n")?;
    /// assert_eq!(s.handle_input(b"a\nb"), 3);
    /// s.handle_eof();
    /// assert_eq!(s.poll_line().unwrap().bytes(), b"a\n");
    /// assert!(!s.is_finished()); // "b" is left
    /// assert_eq!(s.poll_line().unwrap().bytes(), b"b");
    /// assert!(s.is_finished());
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.engine.state() == State::Finished
    }

    /// Whether [`handle_eof`](Self::handle_eof) was called (since the last
    /// [`reset`](Self::reset)).
    ///
    /// ```
    /// use aiofile_core::lines::LineSplitter;
    ///
    /// let mut s = LineSplitter::<8>::new(b"\n")?;
    /// assert!(!s.is_eof());
    /// s.handle_eof();
    /// assert!(s.is_eof());
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    #[must_use]
    pub fn is_eof(&self) -> bool {
        self.engine.state() != State::Open
    }

    /// Empties the buffer and accepts input again, keeping the separator (e.g. after a
    /// seek).
    ///
    /// ```
    /// use aiofile_core::lines::LineSplitter;
    ///
    /// let mut s = LineSplitter::<8>::new(b"\n")?;
    /// assert_eq!(s.handle_input(b"old"), 3);
    /// s.handle_eof();
    /// s.reset();
    /// assert_eq!((s.buffered(), s.is_eof()), (0, false));
    /// assert_eq!(s.handle_input(b"new\n"), 4);
    /// assert_eq!(s.poll_line().unwrap().bytes(), b"new\n");
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    pub fn reset(&mut self) {
        self.engine.reset(self.buf.as_mut_view());
    }

    /// Bytes taken by [`handle_input`](Self::handle_input) and not yet returned as lines.
    ///
    /// ```
    /// use aiofile_core::lines::LineSplitter;
    ///
    /// let mut s = LineSplitter::<8>::new(b"\n")?;
    /// assert_eq!(s.handle_input(b"a\nbc"), 4);
    /// assert_eq!(s.poll_line().unwrap().bytes(), b"a\n");
    /// assert_eq!(s.buffered(), 2);
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    #[must_use]
    pub fn buffered(&self) -> usize {
        self.engine.buffered(self.buf.as_view())
    }

    /// How many bytes the next [`handle_input`](Self::handle_input) takes at most:
    /// `N - buffered()` before end of input, 0 after. Useful to size the next read.
    ///
    /// ```
    /// use aiofile_core::lines::LineSplitter;
    ///
    /// let mut s = LineSplitter::<8>::new(b"\n")?;
    /// assert_eq!(s.handle_input(b"a\nbc"), 4);
    /// assert_eq!(s.poll_line().unwrap().bytes(), b"a\n");
    /// assert_eq!(s.spare_capacity(), 6);
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    #[must_use]
    pub fn spare_capacity(&self) -> usize {
        self.engine.spare_capacity(self.buf.as_view())
    }

    /// The separator given to [`new`](Self::new).
    ///
    /// ```
    /// use aiofile_core::lines::LineSplitter;
    ///
    /// let s = LineSplitter::<8>::new(b"\r\n")?;
    /// assert_eq!(s.separator(), b"\r\n");
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    #[must_use]
    pub fn separator(&self) -> &[u8] {
        self.engine.separator()
    }
}
