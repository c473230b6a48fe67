//! The splitting engine: offsets into a buffer it does not own.
//!
//! [`Engine`] holds everything but the bytes, and every method takes the buffer as a
//! [`VecView`], so one copy of this code serves every capacity `N` of
//! [`LineSplitter`](super::LineSplitter).
//!
//! Buffer layout (`len` is `buf.len()`, `cap` is `buf.capacity()`):
//!
//! ```text
//! 0          start          scan               len        cap
//! |  handed  |  no separator  |  not searched   |   free   |
//! |   out    |  begins here   |  yet            |          |
//! ```
//!
//! * `start`: first byte not yet handed out by `poll_line`. Bytes before it are dead and
//!   are dropped lazily, by [`Engine::compact`], only when new input needs the room.
//! * `scan`: no separator *begins* in `start..scan`. A failed search moves `scan` to
//!   `len - (sep_len - 1)`: a match beginning later could still be completed by the next
//!   input, so it is searched again then. Each byte is thus searched at most `sep_len`
//!   times, never once per call (no O(n²) rescans).
use heapless::{Vec, VecView};

use super::{Line, LineEnd, MAX_SEPARATOR};

/// Where the input stream stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(super) enum State {
    /// More input may come.
    Open,
    /// `handle_eof` was called; buffered bytes are still to be yielded (never empty).
    Eof,
    /// Input ended and every byte was handed out: `poll_line` returns `None` forever.
    Finished,
}

/// Offsets and separator of a line splitter; the bytes live in the caller's buffer.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(super) struct Engine {
    sep: Vec<u8, MAX_SEPARATOR>,
    start: usize,
    scan: usize,
    state: State,
    /// `(start, end, content_len, kind)` of the line handed out last; cleared when the
    /// buffer moves (compaction, reset).
    last: Option<(usize, usize, usize, LineEnd)>,
}

impl Engine {
    /// An engine for a separator already validated by the caller (1..=MAX_SEPARATOR bytes).
    pub(super) fn new(sep: Vec<u8, MAX_SEPARATOR>) -> Self {
        debug_assert!(!sep.is_empty());
        Self {
            sep,
            start: 0,
            scan: 0,
            state: State::Open,
            last: None,
        }
    }

    /// The line handed out last, while its bytes are still in place.
    pub(super) fn last_line<'b>(&self, buf: &'b VecView<u8>) -> Option<Line<'b>> {
        let (start, end, content_len, kind) = self.last?;
        Some(Line::new(&buf[start..end], content_len, kind))
    }

    pub(super) fn separator(&self) -> &[u8] {
        &self.sep
    }

    pub(super) fn state(&self) -> State {
        self.state
    }

    /// Bytes received and not yet handed out.
    pub(super) fn buffered(&self, buf: &VecView<u8>) -> usize {
        buf.len() - self.start
    }

    /// Bytes `handle_input` would accept now (after compaction), 0 once input ended.
    pub(super) fn spare_capacity(&self, buf: &VecView<u8>) -> usize {
        match self.state {
            State::Open => buf.capacity() - self.buffered(buf),
            State::Eof | State::Finished => 0,
        }
    }

    /// Bytes kept back when a full buffer is flushed as a `Partial` piece: a possible
    /// separator prefix (`sep_len - 1`), and at least one byte so that the last piece of
    /// every line is non-empty and carries `Separator` or `Eof`.
    fn keep_back(&self) -> usize {
        (self.sep.len() - 1).max(1)
    }

    pub(super) fn handle_input(&mut self, buf: &mut VecView<u8>, data: &[u8]) -> usize {
        if self.state != State::Open {
            return 0;
        }
        let free = buf.capacity() - buf.len();
        if self.start == buf.len() || free < data.len() {
            self.compact(buf);
        }
        let n = data.len().min(buf.capacity() - buf.len());
        match buf.extend_from_slice(&data[..n]) {
            Ok(()) => n,
            Err(_) => 0, // unreachable: `n` fits by construction
        }
    }

    pub(super) fn handle_eof(&mut self, buf: &VecView<u8>) {
        if self.state == State::Open {
            trace!("lines: Open => Eof");
            self.state = State::Eof;
            self.finish_if_drained(buf);
        }
    }

    /// `Eof => Finished` once every byte was handed out.
    fn finish_if_drained(&mut self, buf: &VecView<u8>) {
        if self.state == State::Eof && self.start == buf.len() {
            trace!("lines: Eof => Finished");
            self.state = State::Finished;
        }
    }

    pub(super) fn reset(&mut self, buf: &mut VecView<u8>) {
        buf.clear();
        self.start = 0;
        self.scan = 0;
        self.state = State::Open;
        self.last = None;
    }

    /// Drops the bytes already handed out by moving the rest to the front.
    fn compact(&mut self, buf: &mut VecView<u8>) {
        if self.start == 0 {
            return;
        }
        self.last = None;
        let len = buf.len();
        buf.copy_within(self.start..len, 0);
        buf.truncate(len - self.start);
        self.scan -= self.start;
        self.start = 0;
    }

    pub(super) fn poll_line<'b>(&mut self, buf: &'b VecView<u8>) -> Option<Line<'b>> {
        if self.state == State::Finished {
            return None;
        }
        if let Some(end) = self.find(buf) {
            return Some(self.take(buf, end, LineEnd::Separator));
        }
        match self.state {
            State::Eof => Some(self.take(buf, buf.len(), LineEnd::Eof)),
            State::Open if self.buffered(buf) == buf.capacity() => {
                let end = buf.len() - self.keep_back();
                Some(self.take(buf, end, LineEnd::Partial))
            }
            State::Open | State::Finished => None,
        }
    }

    /// End (exclusive) of the first separator at or after `scan`, or `None` after moving
    /// `scan` past every position where no separator can begin.
    fn find(&mut self, buf: &VecView<u8>) -> Option<usize> {
        let hay = &buf[self.scan..];
        let m = self.sep.len();
        let hit = match self.sep.as_slice() {
            [byte] => memchr::memchr(*byte, hay),
            sep => memchr::memmem::find(hay, sep),
        };
        match hit {
            Some(i) => Some(self.scan + i + m),
            None => {
                self.scan = self.scan.max(buf.len().saturating_sub(m - 1));
                None
            }
        }
    }

    /// Hands out `start..end` as one line or piece.
    fn take<'b>(&mut self, buf: &'b VecView<u8>, end: usize, kind: LineEnd) -> Line<'b> {
        let begin = self.start;
        let bytes = &buf[begin..end];
        self.start = end;
        self.scan = self.scan.max(end);
        self.finish_if_drained(buf);
        let content_len = match kind {
            LineEnd::Separator => bytes.len() - self.sep.len(),
            LineEnd::Eof | LineEnd::Partial => bytes.len(),
        };
        self.last = Some((begin, end, content_len, kind));
        Line::new(bytes, content_len, kind)
    }
}
