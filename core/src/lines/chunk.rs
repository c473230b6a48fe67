//! [`ChunkSplitter`]: lines found in the caller's chunks, without copying the lines that
//! lie inside one chunk (feature `alloc`).
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ops::Range;

use memchr::memmem;

use super::{SeparatorError, MAX_SEPARATOR};

/// Bytes reserved for the carry when a splitter is made: lines up to 1 KiB (nearly all
/// text) are assembled without an allocation, even in a reader's first pass.
pub const CARRY_RESERVE: usize = 1024;

/// Where a line found by [`ChunkSplitter::poll_line`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Span {
    /// Entirely inside the current chunk, at this range.
    Chunk(Range<usize>),
    /// Assembled in the splitter's carry buffer ([`ChunkSplitter::carry`]).
    Carry,
}

/// How the separator is searched: `memchr` for one byte, a prepared `memmem` finder
/// otherwise.
#[derive(Clone, Debug)]
enum Separator {
    Byte(u8),
    Bytes(Box<memmem::Finder<'static>>),
}

impl Separator {
    fn bytes(&self) -> &[u8] {
        match self {
            Separator::Byte(b) => core::slice::from_ref(b),
            Separator::Bytes(f) => f.needle(),
        }
    }

    /// Index just past the first separator in `hay`.
    #[inline]
    fn find_end(&self, hay: &[u8]) -> Option<usize> {
        match self {
            Separator::Byte(b) => memchr::memchr(*b, hay).map(|i| i + 1),
            Separator::Bytes(f) => f.find(hay).map(|i| i + f.needle().len()),
        }
    }
}

/// Splits a sequence of chunks into the lines of [the module docs](super#what-a-line-is)
/// (the same lines as [`LineSplitter`](super::LineSplitter), whatever the chunk
/// boundaries), where the chunks belong to the caller: the buffers a file is read into.
///
/// Sans-IO. [`poll_line`](Self::poll_line) returns the next line of the current chunk,
/// or `None` when the chunk is used up; the owner then reads the next chunk and calls
/// [`handle_chunk`](Self::handle_chunk), or at the end [`handle_eof`](Self::handle_eof).
/// A line inside the chunk comes back as a range of it ([`Span::Chunk`]): no copy. The
/// start of a line cut by a chunk boundary is kept in the carry buffer and completed
/// there ([`Span::Carry`]). Lines of any length come back whole: the carry grows as
/// needed (it is reserved with [`CARRY_RESERVE`] bytes and reused, so a reader whose lines
/// are at most that long never allocates after construction). For a fixed memory bound
/// and no heap, use [`LineSplitter`](super::LineSplitter).
///
/// ```
/// use aiofile_core::lines::{ChunkSplitter, Span};
///
/// let mut s = ChunkSplitter::new(b"\n")?;
/// let chunk = b"ab\ncd";
/// assert_eq!(s.poll_line(chunk), Some(Span::Chunk(0..3))); // "ab\n", in place
/// assert_eq!(s.poll_line(chunk), None); // "cd" is carried over
/// s.handle_chunk();
/// assert_eq!(s.poll_line(b"e\nf"), Some(Span::Carry));
/// assert_eq!(s.carry(), b"cde\n");
/// assert_eq!(s.poll_line(b"e\nf"), None);
/// assert_eq!(s.handle_eof(), Some(Span::Carry));
/// assert_eq!(s.carry(), b"f");
/// assert_eq!(s.handle_eof(), None);
/// # Ok::<(), aiofile_core::lines::SeparatorError>(())
/// ```
///
/// Invariant: the carry never holds a whole separator, so a separator found across the
/// boundary (starting in the carry's last `len - 1` bytes) comes before any separator
/// found in the new chunk.
#[derive(Clone, Debug)]
pub struct ChunkSplitter {
    separator: Separator,
    carry: Vec<u8>,
    /// The carry was handed out as a line: empty it on the next call.
    carry_out: bool,
    /// Bytes of the current chunk already split off.
    pos: usize,
}

impl ChunkSplitter {
    /// A splitter for `separator` (1 to [`MAX_SEPARATOR`] bytes).
    ///
    /// # Errors
    /// [`SeparatorError::Empty`], or [`SeparatorError::TooLong`] above [`MAX_SEPARATOR`]
    /// bytes.
    ///
    /// ```
    /// use aiofile_core::lines::{ChunkSplitter, SeparatorError};
    ///
    /// assert_eq!(ChunkSplitter::new(b"\r\n")?.separator(), b"\r\n");
    /// assert_eq!(ChunkSplitter::new(b"").unwrap_err(), SeparatorError::Empty);
    /// assert_eq!(
    ///     ChunkSplitter::new(&[b'-'; 17]).unwrap_err(),
    ///     SeparatorError::TooLong { len: 17 },
    /// );
    /// # Ok::<(), SeparatorError>(())
    /// ```
    pub fn new(separator: &[u8]) -> Result<Self, SeparatorError> {
        let separator = match separator {
            [] => return Err(SeparatorError::Empty),
            [b] => Separator::Byte(*b),
            s if s.len() > MAX_SEPARATOR => {
                return Err(SeparatorError::TooLong { len: s.len() });
            }
            s => Separator::Bytes(Box::new(memmem::Finder::new(s).into_owned())),
        };
        Ok(Self {
            separator,
            carry: Vec::with_capacity(CARRY_RESERVE),
            carry_out: false,
            pos: 0,
        })
    }

    /// The separator.
    ///
    /// ```
    /// let s = aiofile_core::lines::ChunkSplitter::new(b"||")?;
    /// assert_eq!(s.separator(), b"||");
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    pub fn separator(&self) -> &[u8] {
        self.separator.bytes()
    }

    /// The line assembled across chunks, after [`Span::Carry`] (valid until the next
    /// call that takes `&mut self`).
    ///
    /// ```
    /// use aiofile_core::lines::{ChunkSplitter, Span};
    ///
    /// let mut s = ChunkSplitter::new(b";")?;
    /// assert_eq!(s.poll_line(b"ab"), None);
    /// s.handle_chunk();
    /// assert_eq!(s.poll_line(b"c;"), Some(Span::Carry));
    /// assert_eq!(s.carry(), b"abc;");
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    #[inline]
    pub fn carry(&self) -> &[u8] {
        &self.carry
    }

    /// The next line of `chunk` (pass the same chunk until
    /// [`handle_chunk`](Self::handle_chunk)), or `None` when the rest of the chunk holds
    /// no line end (those bytes are carried over).
    ///
    /// ```
    /// use aiofile_core::lines::{ChunkSplitter, Span};
    ///
    /// let mut s = ChunkSplitter::new(b"\r\n")?;
    /// assert_eq!(s.poll_line(b"a\r\nb\r"), Some(Span::Chunk(0..3)));
    /// assert_eq!(s.poll_line(b"a\r\nb\r"), None);
    /// s.handle_chunk();
    /// assert_eq!(s.poll_line(b"\nc"), Some(Span::Carry)); // the separator was cut
    /// assert_eq!(s.carry(), b"b\r\n");
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    #[inline]
    pub fn poll_line(&mut self, chunk: &[u8]) -> Option<Span> {
        if self.carry_out {
            self.carry.clear();
            self.carry_out = false;
        }
        // Past the end while the next chunk is being read (the reader then shows none).
        let rest = chunk.get(self.pos..).unwrap_or_default();
        if rest.is_empty() {
            return None;
        }
        if self.carry.is_empty() {
            let Some(end) = self.separator.find_end(rest) else {
                self.carry.extend_from_slice(rest);
                self.pos = chunk.len();
                return None;
            };
            let start = self.pos;
            self.pos += end;
            return Some(Span::Chunk(start..self.pos));
        }
        match self
            .crossing_end(rest)
            .or_else(|| self.separator.find_end(rest))
        {
            Some(end) => {
                self.carry.extend_from_slice(&rest[..end]);
                self.pos += end;
                self.carry_out = true;
                Some(Span::Carry)
            }
            None => {
                self.carry.extend_from_slice(rest);
                self.pos = chunk.len();
                None
            }
        }
    }

    /// A new chunk replaced the one used up.
    ///
    /// ```
    /// use aiofile_core::lines::{ChunkSplitter, Span};
    ///
    /// let mut s = ChunkSplitter::new(b"\n")?;
    /// assert_eq!(s.poll_line(b"x\n"), Some(Span::Chunk(0..2)));
    /// assert_eq!(s.poll_line(b"x\n"), None);
    /// s.handle_chunk();
    /// assert_eq!(s.poll_line(b"y\n"), Some(Span::Chunk(0..2)));
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    pub fn handle_chunk(&mut self) {
        self.pos = 0;
    }

    /// The end of the input: the carried bytes, if any, are the last line (once; `None`
    /// after that).
    ///
    /// ```
    /// use aiofile_core::lines::{ChunkSplitter, Span};
    ///
    /// let mut s = ChunkSplitter::new(b"\n")?;
    /// assert_eq!(s.poll_line(b"tail"), None);
    /// assert_eq!(s.handle_eof(), Some(Span::Carry));
    /// assert_eq!(s.carry(), b"tail");
    /// assert_eq!(s.handle_eof(), None);
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    pub fn handle_eof(&mut self) -> Option<Span> {
        if self.carry_out {
            self.carry.clear();
        }
        self.carry_out = !self.carry.is_empty();
        self.carry_out.then_some(Span::Carry)
    }

    /// Index in `rest` just past a separator that starts in the carry and ends in `rest`.
    fn crossing_end(&self, rest: &[u8]) -> Option<usize> {
        let sep = self.separator.bytes();
        let n = sep.len();
        let k = (n - 1).min(self.carry.len());
        let m = (n - 1).min(rest.len());
        let mut window = [0u8; 2 * MAX_SEPARATOR];
        window[..k].copy_from_slice(&self.carry[self.carry.len() - k..]);
        window[k..k + m].copy_from_slice(&rest[..m]);
        let window = &window[..k + m];
        (0..k)
            .find(|&s| window[s..].starts_with(sep))
            .map(|s| s + n - k)
    }
}
