//! Incremental UTF-8 decoding with absolute error offsets and character-count stops.
//!
//! A [`Utf8Decoder`] is fed the bytes of a file chunk by chunk, in order, and hands back
//! borrowed `&str` text. It is sans-IO: it never reads anything itself, it only says how
//! many bytes of each chunk it took.
//!
//! ## How it works
//! - The bulk of each chunk is validated by [`core::str::from_utf8`]; nothing here
//!   re-implements UTF-8 validation.
//! - A character cut by the end of a chunk (1-3 bytes that are a valid prefix) is
//!   *carried*: the decoder keeps those bytes inline and completes the character from the
//!   start of the next chunk, returning it through [`Decoded::carried`]. The reference
//!   (Python aiofile's `unicode_reader`) instead re-reads the chunk with one more byte, up
//!   to four times, and always fails on a chunk that *starts* inside a character.
//! - A decoder created at an offset inside a character cannot know the bytes before it:
//!   the first continuation byte is reported as invalid at that offset, as in the reference.
//!
//! ## Errors: valid text is never lost
//! When a chunk holds valid text followed by invalid bytes, the call returns the valid text
//! (`Ok`, with [`Decoded::consumed`] stopping at the first invalid byte) and the decoder
//! becomes *failed*: every later call ([`decode`](Utf8Decoder::decode),
//! [`decode_chars`](Utf8Decoder::decode_chars), [`finish`](Utf8Decoder::finish)) returns
//! the error, whatever input it is given. [`Utf8Decoder::error`] tells whether an error is
//! waiting. A call that has no valid text to return reports the error at once. The error's
//! offset is the absolute offset of the first byte that does not start a valid character,
//! which equals `valid_up_to()` of a one-shot `from_utf8` over the whole stream (plus the
//! start offset), however the stream was chunked.
//!
//! ## Positions
//! - [`Utf8Decoder::position`]: the offset just after the last character handed out. This
//!   is the text stream's `tell()`.
//! - [`Utf8Decoder::next_offset`]: the offset of the next byte to feed, i.e. `position()`
//!   plus the carried bytes of an incomplete character.
//!
//! ```
//! use aiofile_core::utf8::Utf8Decoder;
//!
//! let bytes = "aé💾z".as_bytes();
//! let mut dec = Utf8Decoder::new(0);
//! let mut text = String::new();
//! for chunk in bytes.chunks(3) {
//!     let out = dec.decode(chunk)?;
//!     text.push_str(out.carried());
//!     text.push_str(out.body());
//! }
//! dec.finish()?;
//! assert_eq!(text, "aé💾z");
//! assert_eq!(dec.position(), 8);
//! # Ok::<(), aiofile_core::utf8::Utf8Error>(())
//! ```
use core::{fmt, str};

/// Longest UTF-8 encoding of one character, in bytes.
const MAX_CHAR: usize = 4;

/// Why a byte sequence is not UTF-8.
///
/// ```
/// use aiofile_core::utf8::{Utf8Decoder, Utf8ErrorKind};
///
/// let mut dec = Utf8Decoder::new(0);
/// assert_eq!(dec.decode(b"\xff").unwrap_err().kind, Utf8ErrorKind::Invalid { len: 1 });
///
/// let mut dec = Utf8Decoder::new(0);
/// dec.decode(b"\xe2\x82")?;
/// assert_eq!(dec.finish().unwrap_err().kind, Utf8ErrorKind::Truncated { len: 2 });
/// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Utf8ErrorKind {
    /// `len` bytes (1-3) at the offset cannot start or continue a character
    /// (the same count as [`core::str::Utf8Error::error_len`]).
    Invalid {
        /// Length of the invalid sequence, 1 to 3.
        len: u8,
    },
    /// The stream ended ([`Utf8Decoder::finish`]) after `len` bytes (1-3) of an
    /// incomplete character.
    Truncated {
        /// Bytes of the incomplete character, 1 to 3.
        len: u8,
    },
}

/// Bytes that are not UTF-8, at an absolute file offset.
///
/// ```
/// use aiofile_core::utf8::{Utf8Decoder, Utf8ErrorKind};
///
/// let mut dec = Utf8Decoder::new(4096);
/// let err = dec.decode(b"\xff").unwrap_err();
/// assert_eq!(err.offset, 4096);
/// assert_eq!(err.to_string(), "invalid UTF-8 sequence of 1 byte(s) at offset 4096");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Utf8Error {
    /// Absolute file offset of the first byte that does not start a valid character.
    pub offset: u64,
    /// What is wrong there.
    pub kind: Utf8ErrorKind,
}

impl fmt::Display for Utf8Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Utf8ErrorKind::Invalid { len } => write!(
                f,
                "invalid UTF-8 sequence of {len} byte(s) at offset {}",
                self.offset
            ),
            Utf8ErrorKind::Truncated { len } => write!(
                f,
                "incomplete UTF-8 character of {len} byte(s) at end of input, offset {}",
                self.offset
            ),
        }
    }
}

impl core::error::Error for Utf8Error {}

impl From<Utf8Error> for crate::error::Error {
    /// Keeps the offset: `Error::Decode { offset }`.
    fn from(e: Utf8Error) -> Self {
        crate::error::Error::Decode { offset: e.offset }
    }
}

/// Bytes of one character, kept inline: either a whole character or a valid prefix of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Inline {
    bytes: [u8; MAX_CHAR],
    len: u8,
}

impl Inline {
    const EMPTY: Inline = Inline {
        bytes: [0; MAX_CHAR],
        len: 0,
    };

    /// Copies `src`, which must be at most [`MAX_CHAR`] bytes long.
    fn from_slice(src: &[u8]) -> Inline {
        let mut bytes = [0; MAX_CHAR];
        bytes[..src.len()].copy_from_slice(src);
        Inline {
            bytes,
            len: src.len() as u8,
        }
    }

    fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Joins these carried bytes (a valid, incomplete prefix) with the start of `input`.
    fn join(&self, input: &[u8]) -> Joined {
        let have = usize::from(self.len);
        let take = input.len().min(MAX_CHAR - have);
        let mut buf = *self;
        buf.bytes[have..have + take].copy_from_slice(&input[..take]);
        buf.len = (have + take) as u8;
        let (valid, err) = split_valid(buf.as_slice());
        if let Some(c) = valid.chars().next() {
            let len = c.len_utf8();
            buf.len = len as u8;
            return Joined::Char {
                char: buf,
                taken: len - have,
            };
        }
        match err.and_then(|e| e.error_len()) {
            Some(len) => Joined::Invalid { len: len as u8 },
            None => Joined::Partial(buf),
        }
    }
}

/// What joining carried bytes with the next input gave.
enum Joined {
    /// A whole character, which used `taken` bytes of the input.
    Char { char: Inline, taken: usize },
    /// Still a prefix: the whole input went into it.
    Partial(Inline),
    /// Not UTF-8: `len` bytes from the start of the carried bytes are invalid.
    Invalid { len: u8 },
}

/// The longest valid prefix of `bytes`, and the error after it, if any.
fn split_valid(bytes: &[u8]) -> (&str, Option<str::Utf8Error>) {
    match str::from_utf8(bytes) {
        Ok(s) => (s, None),
        // `valid_up_to` is documented as the longest prefix that `from_utf8` accepts.
        Err(e) => (
            str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
            Some(e),
        ),
    }
}

/// The byte length of the first `max` characters of `s`, and how many characters that is.
fn take_chars(s: &str, max: usize) -> (usize, usize) {
    if max >= s.len() {
        return (s.len(), s.chars().count());
    }
    let mut count = 0;
    for (at, _) in s.char_indices() {
        if count == max {
            return (at, count);
        }
        count += 1;
    }
    (s.len(), count)
}

fn advance(offset: u64, bytes: usize) -> u64 {
    offset + bytes as u64
}

/// Text decoded from one input chunk: a character completed from carried bytes, then a body
/// borrowed from the input.
///
/// ```
/// use aiofile_core::utf8::Utf8Decoder;
///
/// let mut dec = Utf8Decoder::new(0);
/// let first = dec.decode(b"a\xc3")?; // 'é' is cut after its first byte
/// assert_eq!((first.carried(), first.body(), first.consumed()), ("", "a", 2));
/// let second = dec.decode(b"\xa9bc")?;
/// assert_eq!(second.pieces(), ["é", "bc"]);
/// assert_eq!((second.consumed(), second.chars(), second.text_len()), (3, 3, 4));
/// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Decoded<'a> {
    carried: Inline,
    body: &'a str,
    consumed: usize,
    chars: usize,
}

impl<'a> Decoded<'a> {
    const EMPTY: Decoded<'static> = Decoded {
        carried: Inline::EMPTY,
        body: "",
        consumed: 0,
        chars: 0,
    };

    /// The character completed from bytes carried over from earlier chunks: empty or one
    /// character (up to 4 bytes). It comes before [`body`](Self::body).
    ///
    /// ```
    /// use aiofile_core::utf8::Utf8Decoder;
    ///
    /// let mut dec = Utf8Decoder::new(0);
    /// assert_eq!(dec.decode(b"\xf0\x9f")?.carried(), "");
    /// assert_eq!(dec.decode(b"\x92\xbe!")?.carried(), "💾");
    /// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
    /// ```
    pub fn carried(&self) -> &str {
        // Only whole characters are stored here (see `Inline::join`).
        str::from_utf8(self.carried.as_slice()).unwrap_or_default()
    }

    /// The valid text decoded from this chunk's own bytes, after [`carried`](Self::carried).
    ///
    /// ```
    /// use aiofile_core::utf8::Utf8Decoder;
    ///
    /// let mut dec = Utf8Decoder::new(0);
    /// assert_eq!(dec.decode("한글".as_bytes())?.body(), "한글");
    /// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
    /// ```
    pub fn body(&self) -> &'a str {
        self.body
    }

    /// Both pieces in order: `[carried, body]`.
    ///
    /// ```
    /// use aiofile_core::utf8::Utf8Decoder;
    ///
    /// let mut dec = Utf8Decoder::new(0);
    /// dec.decode(b"\xc3")?;
    /// let text: String = dec.decode(b"\xa9t\xc3\xa9")?.pieces().concat();
    /// assert_eq!(text, "été");
    /// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
    /// ```
    pub fn pieces(&self) -> [&str; 2] {
        [self.carried(), self.body]
    }

    /// How many bytes of the input chunk were taken: those of the completed carried
    /// character, of the body, and of a new incomplete character now carried.
    /// `input[consumed..]` was not taken: it is what a character limit left for later, or
    /// starts with the invalid bytes of a pending error.
    ///
    /// ```
    /// use aiofile_core::utf8::Utf8Decoder;
    ///
    /// let mut dec = Utf8Decoder::new(0);
    /// assert_eq!(dec.decode(b"ab\xe2")?.consumed(), 3); // '\xe2' is carried
    /// assert_eq!(dec.decode_chars(b"\x82\xacxyz", 2)?.consumed(), 3); // "€x"
    /// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
    /// ```
    pub fn consumed(&self) -> usize {
        self.consumed
    }

    /// How many characters this call produced, the carried one included.
    ///
    /// ```
    /// use aiofile_core::utf8::Utf8Decoder;
    ///
    /// let mut dec = Utf8Decoder::new(0);
    /// assert_eq!(dec.decode("aé💾".as_bytes())?.chars(), 3);
    /// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
    /// ```
    pub fn chars(&self) -> usize {
        self.chars
    }

    /// Length in bytes of the text produced (carried plus body).
    ///
    /// ```
    /// use aiofile_core::utf8::Utf8Decoder;
    ///
    /// let mut dec = Utf8Decoder::new(0);
    /// assert_eq!(dec.decode("aé".as_bytes())?.text_len(), 3);
    /// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
    /// ```
    pub fn text_len(&self) -> usize {
        usize::from(self.carried.len) + self.body.len()
    }

    /// True when no text was produced (bytes may still have been consumed and carried).
    ///
    /// ```
    /// use aiofile_core::utf8::Utf8Decoder;
    ///
    /// let mut dec = Utf8Decoder::new(0);
    /// let out = dec.decode(b"\xe2\x82")?;
    /// assert!(out.is_empty());
    /// assert_eq!(out.consumed(), 2);
    /// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.text_len() == 0
    }
}

/// Where the decoder stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum State {
    /// `offset`: just after the last character handed out; `partial`: 0-3 bytes of an
    /// incomplete character fed since, which sit at `offset..`.
    Decoding { offset: u64, partial: Inline },
    /// Invalid bytes were seen (or the stream ended inside a character); sticky.
    Failed(Utf8Error),
}

/// Incremental UTF-8 decoder over a byte stream fed in chunks, with absolute error offsets
/// and character-count stops. See the [module docs](self) for the error and position rules.
///
/// ```
/// use aiofile_core::utf8::Utf8Decoder;
///
/// // Read "한글abc💾" one character at a time, like a text `read(1)`.
/// let bytes = "한글abc💾".as_bytes();
/// let mut dec = Utf8Decoder::new(0);
/// let mut seen = Vec::new();
/// loop {
///     let start = (dec.next_offset() as usize).min(bytes.len());
///     let out = dec.decode_chars(&bytes[start..], 1)?;
///     if out.chars() == 0 {
///         break;
///     }
///     seen.push((out.body().to_owned(), dec.position()));
/// }
/// dec.finish()?;
/// assert_eq!(seen[0], ("한".to_owned(), 3));
/// assert_eq!(seen[5], ("💾".to_owned(), 13));
/// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Utf8Decoder {
    state: State,
}

impl Utf8Decoder {
    /// A decoder whose first fed byte sits at absolute file offset `start_offset`.
    ///
    /// ```
    /// use aiofile_core::utf8::Utf8Decoder;
    ///
    /// let dec = Utf8Decoder::new(10);
    /// assert_eq!((dec.position(), dec.next_offset()), (10, 10));
    /// ```
    pub const fn new(start_offset: u64) -> Self {
        Utf8Decoder {
            state: State::Decoding {
                offset: start_offset,
                partial: Inline::EMPTY,
            },
        }
    }

    /// Decodes the next chunk of the stream entirely (see [`decode_chars`](Self::decode_chars),
    /// which this is with no character limit).
    ///
    /// # Errors
    /// [`Utf8Error`] when the decoder already failed, or when invalid bytes come before any
    /// text of this call. Invalid bytes after some valid text are reported by the *next* call.
    ///
    /// ```
    /// use aiofile_core::utf8::Utf8Decoder;
    ///
    /// let mut dec = Utf8Decoder::new(100);
    /// let out = dec.decode(b"ok\xffmore")?;
    /// assert_eq!((out.body(), out.consumed()), ("ok", 2));
    /// assert_eq!(dec.decode(b"more").unwrap_err().offset, 102);
    /// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
    /// ```
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<'a>, Utf8Error> {
        self.decode_chars(input, usize::MAX)
    }

    /// Decodes the next chunk of the stream, stopping after `max_chars` characters.
    ///
    /// `input` continues the stream right after the bytes consumed so far, i.e. it starts
    /// at [`next_offset`](Self::next_offset). A character whose bytes were carried over
    /// from earlier chunks counts once, in this call. When the limit is reached the rest of
    /// the input is left unconsumed (and unexamined) and nothing is carried, so
    /// [`position`](Self::position) is then exactly the byte offset after the last
    /// character; feed `input[consumed..]` again later. Otherwise the whole input is
    /// consumed, an incomplete final character being carried. `max_chars == 0` consumes
    /// nothing.
    ///
    /// # Errors
    /// [`Utf8Error`] when the decoder already failed, or when invalid bytes come before any
    /// text of this call. When valid text precedes them it is returned and the decoder fails
    /// on the next call (see [`error`](Self::error)).
    ///
    /// ```
    /// use aiofile_core::utf8::Utf8Decoder;
    ///
    /// let bytes = "é💾z".as_bytes();
    /// let mut dec = Utf8Decoder::new(0);
    /// assert_eq!(dec.decode_chars(&bytes[..4], 2)?.pieces(), ["", "é"]); // 💾 carried
    /// assert_eq!(dec.next_offset(), 4);
    /// let out = dec.decode_chars(&bytes[4..], 1)?;
    /// assert_eq!((out.carried(), out.body(), out.consumed()), ("💾", "", 2));
    /// assert_eq!(dec.position(), 6);
    /// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
    /// ```
    pub fn decode_chars<'a>(
        &mut self,
        input: &'a [u8],
        max_chars: usize,
    ) -> Result<Decoded<'a>, Utf8Error> {
        let (mut offset, partial) = match self.state {
            State::Failed(e) => return Err(e),
            State::Decoding { offset, partial } => (offset, partial),
        };
        let mut out = Decoded::EMPTY;
        if max_chars == 0 {
            return Ok(out);
        }
        if partial.len > 0 {
            match partial.join(input) {
                Joined::Char { char, taken } => {
                    offset = advance(offset, char.as_slice().len());
                    out.carried = char;
                    out.consumed = taken;
                    out.chars = 1;
                }
                Joined::Partial(partial) => {
                    self.state = State::Decoding { offset, partial };
                    out.consumed = input.len();
                    return Ok(out);
                }
                Joined::Invalid { len } => {
                    return Err(self.fail(offset, Utf8ErrorKind::Invalid { len }))
                }
            }
        }
        self.state = State::Decoding {
            offset,
            partial: Inline::EMPTY,
        };
        if out.chars == max_chars {
            return Ok(out);
        }
        self.decode_body(&input[out.consumed..], max_chars - out.chars, out)
    }

    /// Decodes `rest` (the input after any carried character) into `out.body`.
    fn decode_body<'a>(
        &mut self,
        rest: &'a [u8],
        budget: usize,
        mut out: Decoded<'a>,
    ) -> Result<Decoded<'a>, Utf8Error> {
        let (valid, err) = split_valid(rest);
        let (len, chars) = take_chars(valid, budget);
        out.body = &valid[..len];
        out.consumed += len;
        out.chars += chars;
        let offset = advance(self.position(), len);
        self.state = State::Decoding {
            offset,
            partial: Inline::EMPTY,
        };
        if chars == budget {
            return Ok(out);
        }
        match err.map(|e| e.error_len()) {
            None => {}
            Some(None) => {
                let tail = &rest[len..];
                out.consumed += tail.len();
                self.state = State::Decoding {
                    offset,
                    partial: Inline::from_slice(tail),
                };
            }
            Some(Some(bad)) => {
                let e = self.fail(offset, Utf8ErrorKind::Invalid { len: bad as u8 });
                if out.is_empty() {
                    return Err(e);
                }
            }
        }
        Ok(out)
    }

    /// Ends the stream: succeeds unless bytes of an incomplete character are carried (an
    /// error at their offset) or the decoder already failed. The decoder stays usable after
    /// success.
    ///
    /// # Errors
    /// [`Utf8ErrorKind::Truncated`] at the offset of the carried bytes, or the earlier error.
    ///
    /// ```
    /// use aiofile_core::utf8::{Utf8Decoder, Utf8ErrorKind};
    ///
    /// let mut dec = Utf8Decoder::new(0);
    /// dec.decode(b"ab\xe2\x82")?;
    /// let err = dec.finish().unwrap_err();
    /// assert_eq!((err.offset, err.kind), (2, Utf8ErrorKind::Truncated { len: 2 }));
    /// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
    /// ```
    pub fn finish(&mut self) -> Result<(), Utf8Error> {
        match self.state {
            State::Failed(e) => Err(e),
            State::Decoding { partial, .. } if partial.len == 0 => Ok(()),
            State::Decoding { offset, partial } => {
                Err(self.fail(offset, Utf8ErrorKind::Truncated { len: partial.len }))
            }
        }
    }

    /// Absolute offset just after the last character handed out: the text stream's
    /// `tell()`. Carried bytes of an incomplete character are not included. After a failure,
    /// the error's offset (every character before it was handed out).
    ///
    /// ```
    /// use aiofile_core::utf8::Utf8Decoder;
    ///
    /// let mut dec = Utf8Decoder::new(5);
    /// dec.decode(b"a\xc3")?;
    /// assert_eq!((dec.position(), dec.next_offset()), (6, 7));
    /// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
    /// ```
    pub fn position(&self) -> u64 {
        match self.state {
            State::Decoding { offset, .. } => offset,
            State::Failed(e) => e.offset,
        }
    }

    /// Absolute offset of the next byte to feed: [`position`](Self::position) plus the
    /// carried bytes. After a failure, the error's offset.
    ///
    /// ```
    /// use aiofile_core::utf8::Utf8Decoder;
    ///
    /// let mut dec = Utf8Decoder::new(0);
    /// dec.decode(b"\xf0\x9f\x92")?;
    /// assert_eq!((dec.position(), dec.next_offset()), (0, 3));
    /// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
    /// ```
    pub fn next_offset(&self) -> u64 {
        advance(self.position(), self.pending().len())
    }

    /// The carried bytes of an incomplete character (0-3 bytes), which sit at
    /// [`position`](Self::position). Empty after a failure.
    ///
    /// ```
    /// use aiofile_core::utf8::Utf8Decoder;
    ///
    /// let mut dec = Utf8Decoder::new(0);
    /// dec.decode(b"x\xe2\x82")?;
    /// assert_eq!(dec.pending(), b"\xe2\x82");
    /// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
    /// ```
    pub fn pending(&self) -> &[u8] {
        match &self.state {
            State::Decoding { partial, .. } => partial.as_slice(),
            State::Failed(_) => &[],
        }
    }

    /// The error every further call will return, if the decoder failed.
    ///
    /// ```
    /// use aiofile_core::utf8::Utf8Decoder;
    ///
    /// let mut dec = Utf8Decoder::new(0);
    /// assert_eq!(dec.decode(b"a\xff")?.body(), "a");
    /// assert_eq!(dec.error().map(|e| e.offset), Some(1));
    /// # Ok::<(), aiofile_core::utf8::Utf8Error>(())
    /// ```
    pub fn error(&self) -> Option<Utf8Error> {
        match self.state {
            State::Failed(e) => Some(e),
            State::Decoding { .. } => None,
        }
    }

    fn fail(&mut self, offset: u64, kind: Utf8ErrorKind) -> Utf8Error {
        let e = Utf8Error { offset, kind };
        debug!("utf8: {}", e);
        self.state = State::Failed(e);
        e
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use proptest::prelude::*;
    use std::{
        string::{String, ToString},
        vec::Vec,
    };

    const AE: &str = "aé💾z"; // a | é (1..3) | 💾 (3..7) | z (7)

    fn invalid(offset: u64, len: u8) -> Utf8Error {
        Utf8Error {
            offset,
            kind: Utf8ErrorKind::Invalid { len },
        }
    }

    /// Feeds `bytes` (starting at absolute `start`) in chunks whose sizes cycle through
    /// `sizes`, each call limited to a `max` cycling through `maxes`, re-feeding what a
    /// call leaves unconsumed. Checks the per-call invariants and returns the text and the
    /// final outcome (`finish()` when no call failed).
    fn run(
        start: u64,
        bytes: &[u8],
        sizes: &[usize],
        maxes: &[usize],
    ) -> (String, Result<(), Utf8Error>) {
        let mut dec = Utf8Decoder::new(start);
        let mut text = String::new();
        let (mut at, mut calls) = (0, 0);
        for size in sizes.iter().cycle() {
            let mut chunk = &bytes[at..(at + size).min(bytes.len())];
            at += chunk.len();
            while !chunk.is_empty() {
                let max = maxes[calls % maxes.len()];
                calls += 1;
                let out = match dec.decode_chars(chunk, max) {
                    Ok(out) => out,
                    Err(e) => return (text, Err(e)),
                };
                assert!(out.chars() <= max);
                assert_eq!(out.chars(), out.pieces().concat().chars().count());
                assert!(out.consumed() > 0 || dec.error().is_some());
                if out.chars() < max && dec.error().is_none() {
                    assert_eq!(out.consumed(), chunk.len(), "stopped before the limit");
                }
                text.push_str(out.carried());
                text.push_str(out.body());
                assert_eq!(dec.position(), start + text.len() as u64);
                chunk = &chunk[out.consumed()..];
            }
            if at == bytes.len() {
                break;
            }
        }
        (text, dec.finish())
    }

    /// Checks a run against one-shot `core::str::from_utf8`.
    fn check(start: u64, bytes: &[u8], sizes: &[usize], maxes: &[usize]) {
        let (text, outcome) = run(start, bytes, sizes, maxes);
        match str::from_utf8(bytes) {
            Ok(s) => {
                assert_eq!(outcome, Ok(()));
                assert_eq!(text, s);
            }
            Err(e) => {
                let at = e.valid_up_to();
                let kind = match e.error_len() {
                    Some(len) => Utf8ErrorKind::Invalid { len: len as u8 },
                    None => Utf8ErrorKind::Truncated {
                        len: (bytes.len() - at) as u8,
                    },
                };
                let want = Utf8Error {
                    offset: start + at as u64,
                    kind,
                };
                assert_eq!(outcome, Err(want));
                assert_eq!(text.as_bytes(), &bytes[..at]);
            }
        }
    }

    #[test]
    fn reference_table_every_chunk_size() {
        for size in 1..=9 {
            check(0, AE.as_bytes(), &[size], &[usize::MAX]);
            let (text, outcome) = run(0, AE.as_bytes(), &[size], &[usize::MAX]);
            assert_eq!((text.as_str(), outcome), (AE, Ok(())));
        }
    }

    #[test]
    fn reference_table_rows() {
        let b = AE.as_bytes();
        // chunk 2 @0: "a", then 'é' completes from the next chunk.
        let mut dec = Utf8Decoder::new(0);
        let out = dec.decode(&b[0..2]).unwrap();
        assert_eq!(
            (out.pieces(), out.consumed(), dec.pending()),
            (["", "a"], 2, &b[1..2])
        );
        let out = dec.decode(&b[2..4]).unwrap();
        assert_eq!(
            (out.pieces(), dec.position(), dec.next_offset()),
            (["é", ""], 3, 4)
        );
        // chunk 1 @1: 'é' after two one-byte chunks.
        let mut dec = Utf8Decoder::new(1);
        assert!(dec.decode(&b[1..2]).unwrap().is_empty());
        assert_eq!(dec.decode(&b[2..3]).unwrap().carried(), "é");
        assert_eq!(dec.position(), 3);
        // chunk 1 @3: '💾' after four one-byte chunks.
        let mut dec = Utf8Decoder::new(3);
        for i in 3..6 {
            let out = dec.decode(&b[i..i + 1]).unwrap();
            assert_eq!(
                (out.is_empty(), out.consumed(), dec.position()),
                (true, 1, 3)
            );
        }
        assert_eq!(dec.decode(&b[6..7]).unwrap().carried(), "💾");
        assert_eq!((dec.position(), dec.finish()), (7, Ok(())));
        // chunk 5 @1: 'é' plus three carried bytes, then '💾' + "z".
        let mut dec = Utf8Decoder::new(1);
        let out = dec.decode(&b[1..6]).unwrap();
        assert_eq!(
            (out.body(), out.consumed(), dec.pending().len()),
            ("é", 5, 3)
        );
        assert_eq!(dec.decode(&b[6..8]).unwrap().pieces(), ["💾", "z"]);
    }

    #[test]
    fn decoder_started_inside_a_char_fails_at_its_offset() {
        let b = AE.as_bytes();
        for size in 1..=4 {
            let mut dec = Utf8Decoder::new(4);
            assert_eq!(dec.decode(&b[4..4 + size]), Err(invalid(4, 1)));
            assert_eq!(dec.finish(), Err(invalid(4, 1)), "sticky");
        }
    }

    #[test]
    fn truncated_at_eof() {
        let mut dec = Utf8Decoder::new(100);
        let out = dec.decode(b"ab\xe2\x82").unwrap();
        assert_eq!((out.body(), out.consumed()), ("ab", 4));
        assert_eq!((dec.position(), dec.next_offset()), (102, 104));
        let want = Utf8Error {
            offset: 102,
            kind: Utf8ErrorKind::Truncated { len: 2 },
        };
        assert_eq!(dec.finish(), Err(want));
        assert_eq!(dec.finish(), Err(want));
        assert_eq!(
            dec.decode(b"\xac"),
            Err(want),
            "no resurrection after failure"
        );
    }

    #[test]
    fn invalid_byte_reported_after_the_valid_text() {
        let mut dec = Utf8Decoder::new(1000);
        let out = dec.decode(b"ab\xffcd").unwrap();
        assert_eq!((out.body(), out.consumed()), ("ab", 2));
        assert_eq!(dec.error(), Some(invalid(1002, 1)));
        assert_eq!(dec.position(), 1002);
        assert_eq!(dec.decode(b"\xffcd"), Err(invalid(1002, 1)));
        assert_eq!(dec.decode(b"fine"), Err(invalid(1002, 1)));
        let mut dec = Utf8Decoder::new(1000);
        assert_eq!(dec.decode(b"\xff"), Err(invalid(1000, 1)));
    }

    #[test]
    fn carried_bytes_that_turn_invalid_fail_at_the_carry_start() {
        let mut dec = Utf8Decoder::new(10);
        assert_eq!(dec.decode(b"a\xe2").unwrap().body(), "a");
        assert_eq!(dec.decode(b"\x28\xa1"), Err(invalid(11, 1)));
        // A surrogate half (ED A0..) is rejected by std with a 1-byte error.
        let mut dec = Utf8Decoder::new(0);
        dec.decode(b"\xed").unwrap();
        assert_eq!(dec.decode(b"\xa0\x80"), Err(invalid(0, 1)));
        // 3 bytes of a 4-byte prefix, then ASCII: the 3 bytes are the invalid sequence.
        let mut dec = Utf8Decoder::new(0);
        dec.decode(b"\xf0\x9f").unwrap();
        dec.decode(b"\x92").unwrap();
        assert_eq!(dec.decode(b"z"), Err(invalid(0, 3)));
    }

    #[test]
    fn carried_char_then_invalid_returns_the_char_first() {
        let mut dec = Utf8Decoder::new(0);
        dec.decode(b"\xc3").unwrap();
        let out = dec.decode(b"\xa9\xff").unwrap();
        assert_eq!((out.pieces(), out.consumed()), (["é", ""], 1));
        assert_eq!(dec.decode(b"\xff"), Err(invalid(2, 1)));
    }

    #[test]
    fn decode_chars_one_at_a_time_matches_the_reference_tell() {
        let text = "한글abc💾";
        let want = [
            ('한', 3),
            ('글', 6),
            ('a', 7),
            ('b', 8),
            ('c', 9),
            ('💾', 13),
        ];
        let bytes = text.as_bytes();
        for chunk in [1, 2, 3, 5, 64] {
            let mut dec = Utf8Decoder::new(0);
            let mut got = Vec::new();
            let mut at = 0;
            while at < bytes.len() {
                let input = &bytes[at..(at + chunk).min(bytes.len())];
                let out = dec.decode_chars(input, 1).unwrap();
                at += out.consumed();
                if let Some(c) = out.pieces().concat().chars().next() {
                    got.push((c, dec.position()));
                }
            }
            assert_eq!(got, want, "chunk {chunk}");
            assert_eq!(dec.decode_chars(&[], 1).unwrap().chars(), 0);
            assert_eq!((dec.position(), dec.finish()), (13, Ok(())));
        }
    }

    #[test]
    fn decode_chars_limit_leaves_input_unexamined() {
        let mut dec = Utf8Decoder::new(0);
        let out = dec.decode_chars(b"ab\xff", 2).unwrap();
        assert_eq!((out.body(), out.consumed(), dec.error()), ("ab", 2, None));
        let out = dec.decode_chars(b"ab\xe2", 2).unwrap();
        assert_eq!(
            (out.consumed(), dec.pending()),
            (2, &b""[..]),
            "nothing carried"
        );
        assert_eq!(dec.decode_chars(b"xyz", 0).unwrap(), Decoded::EMPTY);
    }

    #[test]
    fn errors_display_and_convert() {
        let e = Utf8Error {
            offset: 7,
            kind: Utf8ErrorKind::Truncated { len: 3 },
        };
        assert_eq!(
            e.to_string(),
            "incomplete UTF-8 character of 3 byte(s) at end of input, offset 7"
        );
        assert_eq!(
            crate::error::Error::from(invalid(9, 2)),
            crate::error::Error::Decode { offset: 9 }
        );
    }

    /// Valid text, random bytes, or valid text with a few bytes spliced in.
    fn stream() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            any::<String>().prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>(), 0..48),
            (
                any::<String>(),
                proptest::collection::vec(any::<u8>(), 0..4),
                any::<String>()
            )
                .prop_map(|(a, mid, b)| [a.into_bytes(), mid, b.into_bytes()].concat()),
            (any::<String>(), 0usize..4).prop_map(|(s, cut)| {
                let mut b = s.into_bytes();
                b.truncate(b.len().saturating_sub(cut));
                b
            }),
        ]
    }

    proptest! {
        #[test]
        fn chunked_decode_matches_from_utf8(
            start in 0u64..1 << 40,
            bytes in stream(),
            sizes in proptest::collection::vec(1usize..9, 1..8),
        ) {
            check(start, &bytes, &sizes, &[usize::MAX]);
        }

        #[test]
        fn chunked_decode_chars_matches_from_utf8(
            start in 0u64..1 << 40,
            bytes in stream(),
            sizes in proptest::collection::vec(1usize..9, 1..8),
            maxes in proptest::collection::vec(1usize..6, 1..8),
        ) {
            check(start, &bytes, &sizes, &maxes);
        }

        #[test]
        fn decode_chars_steps_through_chars(s in any::<String>(), max in 1usize..5) {
            // Feed everything not yet consumed each time, like a text read(max).
            let mut dec = Utf8Decoder::new(0);
            let mut chars = s.chars();
            let mut tell = 0;
            loop {
                let out = dec.decode_chars(&s.as_bytes()[dec.next_offset() as usize..], max)?;
                let want: String = chars.by_ref().take(max).collect();
                tell += want.len() as u64;
                prop_assert_eq!(out.pieces().concat(), want);
                prop_assert_eq!(dec.position(), tell);
                if out.chars() < max {
                    break;
                }
            }
            prop_assert_eq!(dec.position(), s.len() as u64);
            prop_assert_eq!(dec.finish(), Ok(()));
        }
    }

    #[test]
    fn run_harness_sees_every_split() {
        // Every two-way split of a stream with valid multibyte text, then a 4-byte prefix
        // broken by 0xff; both unlimited and one char per call.
        let bytes = [b"a\xe2\x82\xac".as_slice(), b"\xf0\x9f\xff"].concat();
        for cut in 1..bytes.len() {
            check(3, &bytes, &[cut, bytes.len()], &[usize::MAX]);
            check(3, &bytes, &[cut, bytes.len()], &[1]);
        }
    }
}
