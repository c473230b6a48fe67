//! [`Splitter`]: finds lines in a sequence of chunks, without I/O and without copying
//! the lines that lie inside one chunk.
use std::ops::Range;

use memchr::memmem;

use crate::error::{Error, Result};

/// Longest separator accepted, in bytes.
pub(crate) const MAX_SEPARATOR: usize = 16;

/// A line found by [`Splitter::poll_line`]: where its bytes are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Span {
    /// Entirely inside the current chunk, at this range.
    Chunk(Range<usize>),
    /// Assembled in the splitter's carry buffer ([`Splitter::carry`]).
    Carry,
}

/// How the separator is searched: `memchr` for one byte, a prepared `memmem` finder
/// otherwise.
enum Separator {
    Byte(u8),
    Bytes(Box<memmem::Finder<'static>>),
}

impl Separator {
    fn bytes(&self) -> &[u8] {
        match self {
            Separator::Byte(b) => std::slice::from_ref(b),
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

/// Splits the chunks of a file into lines that end right after each separator (the
/// separator included; what follows the last one is a final line without it), the same
/// lines whatever the chunk boundaries.
///
/// Sans-IO: the owner feeds chunks. [`poll_line`](Splitter::poll_line) returns the next
/// line of the current chunk, or `None` when the chunk is used up, after which the owner
/// reads the next chunk and calls [`handle_chunk`](Splitter::handle_chunk), or at the
/// end [`handle_eof`](Splitter::handle_eof). A line inside the chunk is a range of it;
/// the start of a line cut by a chunk boundary is kept in the carry buffer and completed
/// there. The carry is reserved with [`CARRY_RESERVE`] bytes when the splitter is made
/// and reused, so a reader whose lines are at most that long never allocates after
/// construction; a longer line cut by a boundary grows it once.
///
/// Invariant: the carry never holds a whole separator, so a separator found across the
/// boundary (starting in the carry's last `len - 1` bytes) comes before any separator
/// found in the new chunk.
/// Bytes reserved for the carry when a splitter is made: lines up to 1 KiB (nearly all
/// text) are assembled without an allocation, even in a reader's first pass.
pub(crate) const CARRY_RESERVE: usize = 1024;

pub(crate) struct Splitter {
    separator: Separator,
    carry: Vec<u8>,
    /// The carry was handed out as a line: empty it on the next call.
    carry_out: bool,
    /// Bytes of the current chunk already split off.
    pos: usize,
}

impl Splitter {
    /// A splitter for `separator` (1 to [`MAX_SEPARATOR`] bytes).
    pub(crate) fn new(separator: &[u8]) -> Result<Self> {
        let separator = match separator {
            [] => return Err(bad_separator()),
            [b] => Separator::Byte(*b),
            s if s.len() > MAX_SEPARATOR => return Err(bad_separator()),
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
    pub(crate) fn separator(&self) -> &[u8] {
        self.separator.bytes()
    }

    /// The assembled line after [`Span::Carry`].
    #[inline]
    pub(crate) fn carry(&self) -> &[u8] {
        &self.carry
    }

    /// The next line of `chunk` (the same chunk until [`handle_chunk`](Self::handle_chunk)),
    /// or `None` when the rest of the chunk holds no line end (it is carried over).
    #[inline]
    pub(crate) fn poll_line(&mut self, chunk: &[u8]) -> Option<Span> {
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
    pub(crate) fn handle_chunk(&mut self) {
        self.pos = 0;
    }

    /// The end of the file: the carried bytes, if any, are the last line.
    pub(crate) fn handle_eof(&mut self) -> Option<Span> {
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

fn bad_separator() -> Error {
    Error::InvalidInput("line separator must be 1 to 16 bytes")
}
