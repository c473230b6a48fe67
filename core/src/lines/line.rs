//! [`Line`]: one line, or one piece of an over-long line, borrowed from a splitter.

/// How a [`Line`] ends.
///
/// ```
/// use aiofile_core::lines::LineEnd;
///
/// assert!(LineEnd::Separator.is_complete() && LineEnd::Eof.is_complete());
/// assert!(!LineEnd::Partial.is_complete());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LineEnd {
    /// The line ends with the separator (included in [`Line::bytes`]).
    Separator,
    /// The input ended: this is the final line, without separator.
    Eof,
    /// The buffer filled up before a separator came: the line continues in the next
    /// piece(s); the last piece of the line is marked `Separator` or `Eof`.
    Partial,
}

impl LineEnd {
    /// Whether this piece ends its line (`Separator` or `Eof`, not `Partial`).
    ///
    /// ```
    /// use aiofile_core::lines::LineEnd;
    ///
    /// assert!(!LineEnd::Partial.is_complete());
    /// ```
    #[must_use]
    pub fn is_complete(self) -> bool {
        !matches!(self, Self::Partial)
    }
}

/// A line returned by [`LineSplitter::poll_line`](super::LineSplitter::poll_line),
/// borrowing the splitter's buffer.
///
/// Either a whole line ([`LineEnd::Separator`] or [`LineEnd::Eof`]) or one piece of a
/// line longer than the buffer ([`LineEnd::Partial`]; see the
/// [module docs](super#lines-longer-than-the-buffer-partial-pieces)).
///
/// ```
/// use aiofile_core::lines::{LineEnd, LineSplitter};
///
/// let mut s = LineSplitter::<16>::new(b"\r\n")?;
/// assert_eq!(s.handle_input(b"hi\r\n"), 4);
/// let line = s.poll_line().unwrap();
/// assert_eq!(line.bytes(), b"hi\r\n");
/// assert_eq!(line.content(), b"hi");
/// assert_eq!(line.end(), LineEnd::Separator);
/// # Ok::<(), aiofile_core::lines::SeparatorError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Line<'a> {
    bytes: &'a [u8],
    content_len: usize,
    end: LineEnd,
}

impl<'a> Line<'a> {
    pub(super) fn new(bytes: &'a [u8], content_len: usize, end: LineEnd) -> Self {
        debug_assert!(content_len <= bytes.len());
        Self {
            bytes,
            content_len,
            end,
        }
    }

    /// The bytes of the line, separator included when [`end`](Self::end) is
    /// [`LineEnd::Separator`]. Never empty.
    ///
    /// ```
    /// use aiofile_core::lines::LineSplitter;
    ///
    /// let mut s = LineSplitter::<8>::new(b";")?;
    /// assert_eq!(s.handle_input(b"a;"), 2);
    /// assert_eq!(s.poll_line().unwrap().bytes(), b"a;");
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    #[must_use]
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The bytes of the line without its separator (the same as [`bytes`](Self::bytes)
    /// for [`LineEnd::Eof`] and [`LineEnd::Partial`]). Empty for a blank line.
    ///
    /// ```
    /// use aiofile_core::lines::LineSplitter;
    ///
    /// let mut s = LineSplitter::<8>::new(b";")?;
    /// assert_eq!(s.handle_input(b";a;"), 3);
    /// assert_eq!(s.poll_line().unwrap().content(), b"");
    /// assert_eq!(s.poll_line().unwrap().content(), b"a");
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    #[must_use]
    pub fn content(&self) -> &'a [u8] {
        &self.bytes[..self.content_len]
    }

    /// How the line ends: separator, end of input, or `Partial` (continues).
    ///
    /// ```
    /// use aiofile_core::lines::{LineEnd, LineSplitter};
    ///
    /// let mut s = LineSplitter::<8>::new(b";")?;
    /// assert_eq!(s.handle_input(b"a"), 1);
    /// s.handle_eof();
    /// assert_eq!(s.poll_line().unwrap().end(), LineEnd::Eof);
    /// # Ok::<(), aiofile_core::lines::SeparatorError>(())
    /// ```
    #[must_use]
    pub fn end(&self) -> LineEnd {
        self.end
    }
}
