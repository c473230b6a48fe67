//! [`ReadCursor`]: where the next chunk of a sequential read starts and how long it is.
use super::{advance, CursorError};
use crate::error::Errno;

/// The next read to submit: up to `len` bytes at file offset `offset`.
///
/// ```
/// use aiofile_core::cursor::{ReadCursor, ReadRequest};
/// let mut cursor = ReadCursor::new(100, 8)?;
/// assert_eq!(cursor.poll_request(), Some(ReadRequest { offset: 100, len: 8 }));
/// # Ok::<(), aiofile_core::cursor::CursorError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReadRequest {
    /// File offset to read at.
    pub offset: u64,
    /// Bytes to ask for: at least 1, at most the chunk size.
    pub len: usize,
}

/// What a completion meant, from [`ReadCursor::handle_completion`].
///
/// ```
/// use aiofile_core::cursor::{ReadCursor, ReadEvent};
/// let mut cursor = ReadCursor::new(0, 8)?;
/// let _ = cursor.poll_request();
/// assert_eq!(cursor.handle_completion(Ok(3))?, ReadEvent::Data { offset: 0, len: 3 });
/// let _ = cursor.poll_request();
/// assert_eq!(cursor.handle_completion(Ok(0))?, ReadEvent::Eof { offset: 3 });
/// # Ok::<(), aiofile_core::cursor::CursorError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReadEvent {
    /// `len` bytes (at least 1) arrived for file offset `offset`. They may be fewer than
    /// requested: a short read is not the end of the file.
    Data {
        /// File offset of the first byte.
        offset: u64,
        /// Bytes read.
        len: usize,
    },
    /// The read at `offset` returned 0 bytes: end of file.
    Eof {
        /// File offset at which the file ended.
        offset: u64,
    },
}

/// Where a [`ReadCursor`] stands. Every state carries the next read offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReadState {
    /// Ready: [`ReadCursor::poll_request`] hands out a read at `offset`.
    Idle {
        /// Next read offset.
        offset: u64,
    },
    /// A read of `len` bytes at `offset` was handed out and awaits its completion.
    InFlight {
        /// Offset of the read in flight.
        offset: u64,
        /// Bytes it asked for.
        len: usize,
    },
    /// A read at `offset` returned 0 bytes. Terminal.
    Eof {
        /// Offset where the file ended.
        offset: u64,
    },
    /// The limit set with [`ReadCursor::with_limit`] was reached (or the offset is
    /// `u64::MAX`, past which nothing can be read). Terminal.
    LimitReached {
        /// Offset of the end bound.
        offset: u64,
    },
    /// The read at `offset` failed. Terminal.
    Failed {
        /// Offset of the failed read; every byte before it was delivered.
        offset: u64,
        /// [`CursorError::Os`] or [`CursorError::Overrun`].
        error: CursorError,
    },
}

impl ReadState {
    /// The offset this state carries (the next read offset, or where reading stopped).
    ///
    /// ```
    /// use aiofile_core::cursor::ReadState;
    /// assert_eq!(ReadState::Eof { offset: 9 }.offset(), 9);
    /// ```
    pub const fn offset(&self) -> u64 {
        match *self {
            ReadState::Idle { offset }
            | ReadState::InFlight { offset, .. }
            | ReadState::Eof { offset }
            | ReadState::LimitReached { offset }
            | ReadState::Failed { offset, .. } => offset,
        }
    }
}

/// Sequential chunked reads from a start offset, one request at a time.
///
/// Call [`poll_request`](Self::poll_request) to get the read to submit, submit it, and
/// feed its result to [`handle_completion`](Self::handle_completion). Repeat until
/// `poll_request` returns `None` with nothing in flight: the file ended
/// ([`is_eof`](Self::is_eof)), the limit was reached, or a read failed
/// ([`is_failed`](Self::is_failed)).
///
/// ```
/// use aiofile_core::cursor::{ReadCursor, ReadEvent, ReadRequest};
/// use aiofile_core::Errno;
/// let mut cursor = ReadCursor::new(0, 4)?.with_limit(6);
/// assert_eq!(cursor.poll_request(), Some(ReadRequest { offset: 0, len: 4 }));
/// assert_eq!(cursor.poll_request(), None); // one in flight at most
/// assert_eq!(cursor.handle_completion(Ok(4))?, ReadEvent::Data { offset: 0, len: 4 });
/// assert_eq!(cursor.poll_request(), Some(ReadRequest { offset: 4, len: 2 })); // the limit
/// let _ = cursor.handle_completion(Ok(2))?;
/// assert_eq!(cursor.poll_request(), None);
/// assert!(cursor.is_finished() && !cursor.is_eof());
/// # Ok::<(), aiofile_core::cursor::CursorError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReadCursor {
    state: ReadState,
    start: u64,
    chunk_size: usize,
    end: Option<u64>,
}

impl ReadCursor {
    /// A cursor reading `chunk_size` bytes at a time from `start_offset`, with no end
    /// bound other than the end of the file.
    ///
    /// # Errors
    /// [`CursorError::ZeroChunkSize`] when `chunk_size` is 0.
    ///
    /// ```
    /// use aiofile_core::cursor::{CursorError, ReadCursor};
    /// assert_eq!(ReadCursor::new(0, 4096)?.offset(), 0);
    /// assert_eq!(ReadCursor::new(0, 0), Err(CursorError::ZeroChunkSize));
    /// # Ok::<(), CursorError>(())
    /// ```
    pub const fn new(start_offset: u64, chunk_size: usize) -> Result<Self, CursorError> {
        if chunk_size == 0 {
            return Err(CursorError::ZeroChunkSize);
        }
        Ok(Self {
            state: settled(start_offset, u64::MAX),
            start: start_offset,
            chunk_size,
            end: None,
        })
    }

    /// Stops after `total_bytes` bytes from the start offset ("read exactly N bytes or
    /// until EOF"). Call it before the first [`poll_request`](Self::poll_request); an
    /// end past `u64::MAX` is clamped to it.
    ///
    /// ```
    /// use aiofile_core::cursor::ReadCursor;
    /// let mut empty = ReadCursor::new(10, 4)?.with_limit(0);
    /// assert_eq!(empty.poll_request(), None);
    /// assert_eq!(empty.limit(), Some(0));
    /// # Ok::<(), aiofile_core::cursor::CursorError>(())
    /// ```
    #[must_use = "with_limit returns the bounded cursor"]
    pub fn with_limit(mut self, total_bytes: u64) -> Self {
        let end = self.start.saturating_add(total_bytes);
        self.end = Some(end);
        if let ReadState::Idle { offset } = self.state {
            self.set_state(settled(offset, end));
        }
        self
    }

    /// The read to submit next, moving the cursor to [`ReadState::InFlight`].
    ///
    /// Call it when ready to submit; submit exactly what it returns, then report the
    /// result with [`handle_completion`](Self::handle_completion) (or give up with
    /// [`handle_cancel`](Self::handle_cancel)). `None` while a read is in flight, after
    /// the end of the file, after a failure, and once the limit is reached.
    #[must_use = "the returned read must be submitted, or the cursor stays in flight"]
    pub fn poll_request(&mut self) -> Option<ReadRequest> {
        self.poll_request_up_to(usize::MAX)
    }

    /// Like [`poll_request`](Self::poll_request), asking for at most `max_len` bytes
    /// (e.g. the free space of a line buffer). `max_len == 0` returns `None` and
    /// changes nothing: a zero-length read would be mistaken for the end of the file.
    ///
    /// ```
    /// use aiofile_core::cursor::{ReadCursor, ReadRequest};
    /// let mut cursor = ReadCursor::new(0, 4096)?;
    /// assert_eq!(cursor.poll_request_up_to(0), None);
    /// assert_eq!(cursor.poll_request_up_to(10), Some(ReadRequest { offset: 0, len: 10 }));
    /// # Ok::<(), aiofile_core::cursor::CursorError>(())
    /// ```
    #[must_use = "the returned read must be submitted, or the cursor stays in flight"]
    pub fn poll_request_up_to(&mut self, max_len: usize) -> Option<ReadRequest> {
        let ReadState::Idle { offset } = self.state else {
            return None;
        };
        let room = self.end.unwrap_or(u64::MAX).saturating_sub(offset);
        let room = usize::try_from(room).unwrap_or(usize::MAX);
        let len = self.chunk_size.min(room).min(max_len);
        if len == 0 {
            return None;
        }
        self.set_state(ReadState::InFlight { offset, len });
        Some(ReadRequest { offset, len })
    }

    /// Feeds in the result of the read in flight: `Ok(n)` bytes read, or the OS error.
    ///
    /// `Ok(n)` with `n > 0` advances the offset by `n` (a short read is not the end);
    /// `Ok(0)` is the end of the file.
    ///
    /// # Errors
    /// * [`CursorError::Os`]: the read failed; the cursor is now
    ///   [`ReadState::Failed`] at the failed read's offset.
    /// * [`CursorError::Overrun`]: `n` exceeds the requested length; also `Failed`.
    /// * [`CursorError::NotInFlight`]: no read was in flight; nothing changes.
    ///
    /// ```
    /// use aiofile_core::cursor::{CursorError, ReadCursor};
    /// use aiofile_core::Errno;
    /// let mut cursor = ReadCursor::new(0, 8)?;
    /// assert_eq!(cursor.handle_completion(Ok(1)), Err(CursorError::NotInFlight));
    /// let _ = cursor.poll_request();
    /// assert_eq!(cursor.handle_completion(Err(Errno::EIO)), Err(CursorError::Os(Errno::EIO)));
    /// assert_eq!(cursor.error(), Some(CursorError::Os(Errno::EIO)));
    /// # Ok::<(), CursorError>(())
    /// ```
    #[must_use = "the event says whether data arrived or the file ended"]
    pub fn handle_completion(
        &mut self,
        result: Result<usize, Errno>,
    ) -> Result<ReadEvent, CursorError> {
        let ReadState::InFlight { offset, len } = self.state else {
            return Err(CursorError::NotInFlight);
        };
        match result {
            Ok(0) => {
                self.set_state(ReadState::Eof { offset });
                Ok(ReadEvent::Eof { offset })
            }
            Ok(n) if n <= len => {
                self.on_data(offset, n);
                Ok(ReadEvent::Data { offset, len: n })
            }
            Ok(n) => self.fail(
                offset,
                CursorError::Overrun {
                    requested: len,
                    completed: n,
                },
            ),
            Err(errno) => self.fail(offset, CursorError::Os(errno)),
        }
    }

    /// The read in flight will never be reported (its future was dropped, or its
    /// submission abandoned): go back to [`ReadState::Idle`] at its offset.
    ///
    /// # Errors
    /// [`CursorError::NotInFlight`] when no read was in flight; nothing changes.
    ///
    /// ```
    /// use aiofile_core::cursor::ReadCursor;
    /// let mut cursor = ReadCursor::new(5, 8)?;
    /// let first = cursor.poll_request();
    /// cursor.handle_cancel()?;
    /// assert_eq!(cursor.poll_request(), first);
    /// # Ok::<(), aiofile_core::cursor::CursorError>(())
    /// ```
    pub fn handle_cancel(&mut self) -> Result<(), CursorError> {
        let ReadState::InFlight { offset, .. } = self.state else {
            return Err(CursorError::NotInFlight);
        };
        self.set_state(ReadState::Idle { offset });
        Ok(())
    }

    /// The next read offset (where reading stopped once finished or failed).
    pub const fn offset(&self) -> u64 {
        self.state.offset()
    }

    /// The offset given to [`new`](Self::new).
    pub const fn start_offset(&self) -> u64 {
        self.start
    }

    /// Bytes delivered so far (`offset() - start_offset()`).
    pub const fn bytes_read(&self) -> u64 {
        self.offset() - self.start
    }

    /// The chunk size given to [`new`](Self::new).
    pub const fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    /// The limit given to [`with_limit`](Self::with_limit), if any.
    pub const fn limit(&self) -> Option<u64> {
        match self.end {
            Some(end) => Some(end - self.start),
            None => None,
        }
    }

    /// The current state.
    pub const fn state(&self) -> ReadState {
        self.state
    }

    /// The read handed out and not yet completed, if any.
    pub const fn in_flight(&self) -> Option<ReadRequest> {
        match self.state {
            ReadState::InFlight { offset, len } => Some(ReadRequest { offset, len }),
            _ => None,
        }
    }

    /// `true` once a read returned 0 bytes.
    pub const fn is_eof(&self) -> bool {
        matches!(self.state, ReadState::Eof { .. })
    }

    /// `true` once nothing more will be read without error: end of file or limit.
    pub const fn is_finished(&self) -> bool {
        matches!(
            self.state,
            ReadState::Eof { .. } | ReadState::LimitReached { .. }
        )
    }

    /// `true` once a read failed.
    pub const fn is_failed(&self) -> bool {
        matches!(self.state, ReadState::Failed { .. })
    }

    /// The failure recorded by [`ReadState::Failed`], if any.
    pub const fn error(&self) -> Option<CursorError> {
        match self.state {
            ReadState::Failed { error, .. } => Some(error),
            _ => None,
        }
    }

    /// `n` bytes (1..=requested) arrived for the read at `offset`.
    fn on_data(&mut self, offset: u64, n: usize) {
        // The request never crossed `end` (or `u64::MAX`), so this cannot overflow.
        let next = advance(offset, n).unwrap_or(u64::MAX);
        self.set_state(settled(next, self.end.unwrap_or(u64::MAX)));
    }

    fn fail(&mut self, offset: u64, error: CursorError) -> Result<ReadEvent, CursorError> {
        self.set_state(ReadState::Failed { offset, error });
        Err(error)
    }

    /// The one place the state changes.
    fn set_state(&mut self, next: ReadState) {
        trace!("read cursor: {} => {}", self.state, next);
        self.state = next;
    }
}

/// The state of an idle cursor at `offset` whose reads stop at `end` (`u64::MAX`
/// without a limit): [`ReadState::LimitReached`] once there is nothing left to ask for,
/// so an idle cursor always has a read to hand out.
const fn settled(offset: u64, end: u64) -> ReadState {
    if offset >= end {
        ReadState::LimitReached { offset }
    } else {
        ReadState::Idle { offset }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(start: u64, chunk: usize) -> ReadCursor {
        ReadCursor::new(start, chunk).unwrap()
    }

    #[test]
    fn zero_chunk_is_refused() {
        assert_eq!(ReadCursor::new(0, 0), Err(CursorError::ZeroChunkSize));
        assert_eq!(
            ReadCursor::new(u64::MAX, 0),
            Err(CursorError::ZeroChunkSize)
        );
    }

    #[test]
    fn idle_to_in_flight_to_idle() {
        let mut c = cursor(10, 4);
        assert_eq!(c.state(), ReadState::Idle { offset: 10 });
        assert_eq!(c.poll_request(), Some(ReadRequest { offset: 10, len: 4 }));
        assert_eq!(c.state(), ReadState::InFlight { offset: 10, len: 4 });
        assert_eq!(c.in_flight(), Some(ReadRequest { offset: 10, len: 4 }));
        assert_eq!(
            c.poll_request(),
            None,
            "a second request while one is in flight"
        );
        assert_eq!(
            c.handle_completion(Ok(4)),
            Ok(ReadEvent::Data { offset: 10, len: 4 })
        );
        assert_eq!(c.state(), ReadState::Idle { offset: 14 });
        assert_eq!((c.offset(), c.bytes_read()), (14, 4));
    }

    #[test]
    fn short_read_is_not_eof() {
        let mut c = cursor(0, 8);
        let _ = c.poll_request();
        assert_eq!(
            c.handle_completion(Ok(3)),
            Ok(ReadEvent::Data { offset: 0, len: 3 })
        );
        assert!(!c.is_eof());
        assert_eq!(c.poll_request(), Some(ReadRequest { offset: 3, len: 8 }));
    }

    #[test]
    fn zero_bytes_is_eof_and_terminal() {
        let mut c = cursor(5, 8);
        let _ = c.poll_request();
        assert_eq!(c.handle_completion(Ok(0)), Ok(ReadEvent::Eof { offset: 5 }));
        assert_eq!(c.state(), ReadState::Eof { offset: 5 });
        assert!(c.is_eof() && c.is_finished() && !c.is_failed());
        assert_eq!(c.poll_request(), None);
        assert_eq!(c.handle_completion(Ok(1)), Err(CursorError::NotInFlight));
        assert_eq!(c.state(), ReadState::Eof { offset: 5 });
    }

    #[test]
    fn error_fails_at_the_read_offset() {
        let mut c = cursor(0, 4);
        let _ = c.poll_request();
        let _ = c.handle_completion(Ok(4));
        let _ = c.poll_request();
        assert_eq!(
            c.handle_completion(Err(Errno::EIO)),
            Err(CursorError::Os(Errno::EIO))
        );
        assert_eq!(
            c.state(),
            ReadState::Failed {
                offset: 4,
                error: CursorError::Os(Errno::EIO)
            }
        );
        assert!(c.is_failed() && !c.is_finished());
        assert_eq!(c.error(), Some(CursorError::Os(Errno::EIO)));
        assert_eq!(c.poll_request(), None);
        assert_eq!(c.handle_cancel(), Err(CursorError::NotInFlight));
    }

    #[test]
    fn overrun_is_an_error_not_progress() {
        let mut c = cursor(0, 4);
        let _ = c.poll_request();
        let overrun = CursorError::Overrun {
            requested: 4,
            completed: 5,
        };
        assert_eq!(c.handle_completion(Ok(5)), Err(overrun));
        assert_eq!(
            c.state(),
            ReadState::Failed {
                offset: 0,
                error: overrun
            }
        );
    }

    #[test]
    fn completion_without_request_changes_nothing() {
        let mut c = cursor(3, 4);
        assert_eq!(c.handle_completion(Ok(2)), Err(CursorError::NotInFlight));
        assert_eq!(
            c.handle_completion(Err(Errno::EIO)),
            Err(CursorError::NotInFlight)
        );
        assert_eq!(c.state(), ReadState::Idle { offset: 3 });
    }

    #[test]
    fn cancel_returns_to_idle_at_the_same_offset() {
        let mut c = cursor(7, 4);
        assert_eq!(c.handle_cancel(), Err(CursorError::NotInFlight));
        let first = c.poll_request();
        assert_eq!(c.handle_cancel(), Ok(()));
        assert_eq!(c.state(), ReadState::Idle { offset: 7 });
        assert_eq!(c.poll_request(), first);
    }

    #[test]
    fn limit_shortens_the_last_request_and_stops() {
        let mut c = cursor(100, 4).with_limit(10);
        assert_eq!(c.limit(), Some(10));
        let mut lens = [0usize; 3];
        for len in &mut lens {
            let req = c.poll_request().unwrap();
            *len = req.len;
            let _ = c.handle_completion(Ok(req.len)).unwrap();
        }
        assert_eq!(lens, [4, 4, 2]);
        assert_eq!(c.state(), ReadState::LimitReached { offset: 110 });
        assert!(c.is_finished() && !c.is_eof());
        assert_eq!(c.poll_request(), None);
    }

    #[test]
    fn eof_before_the_limit_is_eof() {
        let mut c = cursor(0, 4).with_limit(10);
        let _ = c.poll_request();
        assert_eq!(c.handle_completion(Ok(0)), Ok(ReadEvent::Eof { offset: 0 }));
        assert!(c.is_eof());
    }

    #[test]
    fn zero_limit_reads_nothing() {
        let mut c = cursor(9, 4).with_limit(0);
        assert_eq!(c.state(), ReadState::LimitReached { offset: 9 });
        assert_eq!(c.poll_request(), None);
    }

    #[test]
    fn up_to_caps_the_length_and_zero_changes_nothing() {
        let mut c = cursor(0, 8);
        assert_eq!(c.poll_request_up_to(0), None);
        assert_eq!(c.state(), ReadState::Idle { offset: 0 });
        assert_eq!(
            c.poll_request_up_to(3),
            Some(ReadRequest { offset: 0, len: 3 })
        );
        assert_eq!(
            c.handle_completion(Ok(4)),
            Err(CursorError::Overrun {
                requested: 3,
                completed: 4
            })
        );
    }

    #[test]
    fn offsets_stop_at_u64_max() {
        let mut c = cursor(u64::MAX - 3, 8);
        assert_eq!(
            c.poll_request(),
            Some(ReadRequest {
                offset: u64::MAX - 3,
                len: 3
            })
        );
        let _ = c.handle_completion(Ok(3)).unwrap();
        assert_eq!(c.state(), ReadState::LimitReached { offset: u64::MAX });
        let huge = cursor(u64::MAX - 1, 8).with_limit(u64::MAX);
        assert_eq!(huge.limit(), Some(1));
        // Found by the fuzzer: at u64::MAX there is nothing to ask for even unlimited.
        let at_max = cursor(u64::MAX, 8);
        assert_eq!(at_max.state(), ReadState::LimitReached { offset: u64::MAX });
    }
}
