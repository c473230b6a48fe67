//! [`WriteCursor`]: sequential buffers written from an offset, short writes resubmitted.
use super::{advance, CursorError};
use crate::error::Errno;

/// The next write to submit: `len` bytes of the caller's buffer, from index `start`,
/// at file offset `offset`.
///
/// With an [`Op`](crate::Op) whose buffer holds the `len` bytes passed to
/// [`WriteCursor::begin`], this is `Op::write(buf, req.offset, req.start)` (which sends
/// `buf[start..]`, exactly `len` bytes).
///
/// ```
/// use aiofile_core::cursor::{WriteCursor, WriteRequest};
/// let mut cursor = WriteCursor::new(100);
/// cursor.begin(6)?;
/// assert_eq!(cursor.poll_request(), Some(WriteRequest { offset: 100, start: 0, len: 6 }));
/// # Ok::<(), aiofile_core::cursor::CursorError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WriteRequest {
    /// File offset to write at.
    pub offset: u64,
    /// Index of the first byte to send in the caller's buffer.
    pub start: usize,
    /// Bytes to send: the rest of the buffer, at least 1.
    pub len: usize,
}

/// What a completion meant, from [`WriteCursor::handle_completion`].
///
/// ```
/// use aiofile_core::cursor::{WriteCursor, WriteEvent};
/// let mut cursor = WriteCursor::new(0);
/// cursor.begin(5)?;
/// let _ = cursor.poll_request();
/// assert_eq!(cursor.handle_completion(Ok(2))?, WriteEvent::Progress { written: 2 });
/// let _ = cursor.poll_request();
/// assert_eq!(cursor.handle_completion(Ok(3))?, WriteEvent::Done { written: 5 });
/// # Ok::<(), aiofile_core::cursor::CursorError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum WriteEvent {
    /// A short write: `written` bytes of the buffer are out so far and the remainder is
    /// ready in [`WriteCursor::poll_request`].
    Progress {
        /// Bytes of the buffer written so far.
        written: usize,
    },
    /// The whole buffer is written; the cursor is idle at the offset after it.
    Done {
        /// Bytes written: the length given to [`WriteCursor::begin`].
        written: usize,
    },
}

/// Where a [`WriteCursor`] stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum WriteState {
    /// No buffer in progress; the next [`WriteCursor::begin`] writes at `offset`.
    Idle {
        /// File offset of the next buffer.
        offset: u64,
    },
    /// A buffer is in progress and its remainder is ready to be handed out.
    Ready {
        /// File offset of the buffer's first byte.
        base: u64,
        /// The buffer's length.
        total: usize,
        /// Bytes of it already written (less than `total`).
        written: usize,
    },
    /// The remainder of the buffer was handed out and awaits its completion.
    InFlight {
        /// File offset of the buffer's first byte.
        base: u64,
        /// The buffer's length.
        total: usize,
        /// Bytes of it written before this request.
        written: usize,
    },
    /// A write failed. Terminal: start a new cursor at `offset` to go on.
    Failed {
        /// File offset of the failed write.
        offset: u64,
        /// Bytes of the buffer written before it.
        written: usize,
        /// [`CursorError::Os`], [`CursorError::WriteZero`] or [`CursorError::Overrun`].
        error: CursorError,
    },
}

impl WriteState {
    /// The next file offset to write at (where writing stopped once failed).
    ///
    /// ```
    /// use aiofile_core::cursor::WriteState;
    /// assert_eq!(WriteState::Ready { base: 10, total: 8, written: 3 }.offset(), 13);
    /// ```
    pub const fn offset(&self) -> u64 {
        match *self {
            WriteState::Idle { offset } | WriteState::Failed { offset, .. } => offset,
            // `begin` checked that `base + total` fits, and `written <= total`.
            WriteState::Ready { base, written, .. }
            | WriteState::InFlight { base, written, .. } => base + written as u64,
        }
    }
}

/// Sequential writes from an offset: each [`begin`](Self::begin) starts a buffer right
/// after the previous one (the `Writer`), or a fresh cursor writes one buffer at an
/// offset (positional `write_all`).
///
/// After `begin(len)`, loop: [`poll_request`](Self::poll_request), submit,
/// [`handle_completion`](Self::handle_completion), until it returns
/// [`WriteEvent::Done`]. A short write makes the remainder the next request; a write
/// that returns 0 bytes fails with [`CursorError::WriteZero`] instead of looping.
///
/// ```
/// use aiofile_core::cursor::{WriteCursor, WriteEvent, WriteRequest};
/// let mut cursor = WriteCursor::new(0);
/// cursor.begin(6)?; // "Hello "
/// let req = cursor.poll_request().unwrap();
/// assert_eq!(cursor.handle_completion(Ok(req.len))?, WriteEvent::Done { written: 6 });
/// cursor.begin(5)?; // "world" lands right after it
/// assert_eq!(cursor.poll_request(), Some(WriteRequest { offset: 6, start: 0, len: 5 }));
/// # Ok::<(), aiofile_core::cursor::CursorError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WriteCursor {
    state: WriteState,
}

impl WriteCursor {
    /// An idle cursor whose first buffer goes at `offset`.
    ///
    /// ```
    /// use aiofile_core::cursor::WriteCursor;
    /// assert_eq!(WriteCursor::new(42).offset(), 42);
    /// ```
    pub const fn new(offset: u64) -> Self {
        Self {
            state: WriteState::Idle { offset },
        }
    }

    /// Starts writing a buffer of `len` bytes at [`offset`](Self::offset). Call it when
    /// idle, then drive the requests. An empty buffer is done at once: the cursor
    /// stays idle and hands out no request.
    ///
    /// # Errors
    /// Nothing changes on error.
    /// * [`CursorError::Busy`]: the previous buffer is unfinished.
    /// * [`CursorError::Finished`]: the cursor failed earlier.
    /// * [`CursorError::OffsetOverflow`]: the buffer would end past `u64::MAX`.
    ///
    /// ```
    /// use aiofile_core::cursor::{CursorError, WriteCursor};
    /// let mut cursor = WriteCursor::new(0);
    /// cursor.begin(0)?;
    /// assert_eq!(cursor.poll_request(), None);
    /// cursor.begin(3)?;
    /// assert_eq!(cursor.begin(3), Err(CursorError::Busy));
    /// # Ok::<(), CursorError>(())
    /// ```
    pub fn begin(&mut self, len: usize) -> Result<(), CursorError> {
        let base = match self.state {
            WriteState::Idle { offset } => offset,
            WriteState::Ready { .. } | WriteState::InFlight { .. } => {
                return Err(CursorError::Busy)
            }
            WriteState::Failed { .. } => return Err(CursorError::Finished),
        };
        if advance(base, len).is_none() {
            return Err(CursorError::OffsetOverflow);
        }
        if len > 0 {
            self.set_state(WriteState::Ready {
                base,
                total: len,
                written: 0,
            });
        }
        Ok(())
    }

    /// The write to submit next (the unwritten rest of the buffer), moving the cursor
    /// to [`WriteState::InFlight`].
    ///
    /// Call it after [`begin`](Self::begin) and after every
    /// [`WriteEvent::Progress`]; submit exactly what it returns, then report the result
    /// with [`handle_completion`](Self::handle_completion) (or give up with
    /// [`handle_cancel`](Self::handle_cancel)). `None` when idle, in flight or failed.
    #[must_use = "the returned write must be submitted, or the cursor stays in flight"]
    pub fn poll_request(&mut self) -> Option<WriteRequest> {
        let WriteState::Ready {
            base,
            total,
            written,
        } = self.state
        else {
            return None;
        };
        self.set_state(WriteState::InFlight {
            base,
            total,
            written,
        });
        Some(WriteRequest {
            offset: self.offset(),
            start: written,
            len: total - written,
        })
    }

    /// Feeds in the result of the write in flight: `Ok(n)` bytes written, or the OS
    /// error.
    ///
    /// # Errors
    /// The cursor becomes [`WriteState::Failed`] at the offset of the write for:
    /// * [`CursorError::Os`]: the write failed;
    /// * [`CursorError::WriteZero`]: it wrote 0 bytes of a non-empty remainder;
    /// * [`CursorError::Overrun`]: `n` exceeds the requested length.
    ///
    /// [`CursorError::NotInFlight`] when no write was in flight; nothing changes.
    ///
    /// ```
    /// use aiofile_core::cursor::{CursorError, WriteCursor};
    /// let mut cursor = WriteCursor::new(10);
    /// cursor.begin(4)?;
    /// let _ = cursor.poll_request();
    /// let _ = cursor.handle_completion(Ok(1))?;
    /// let _ = cursor.poll_request();
    /// let err = cursor.handle_completion(Ok(0));
    /// assert_eq!(err, Err(CursorError::WriteZero { offset: 11, written: 1 }));
    /// assert!(cursor.is_failed());
    /// # Ok::<(), CursorError>(())
    /// ```
    #[must_use = "the event says whether the buffer is done or a remainder awaits"]
    pub fn handle_completion(
        &mut self,
        result: Result<usize, Errno>,
    ) -> Result<WriteEvent, CursorError> {
        let WriteState::InFlight {
            base,
            total,
            written,
        } = self.state
        else {
            return Err(CursorError::NotInFlight);
        };
        let requested = total - written;
        match result {
            Ok(0) => {
                let offset = self.offset();
                self.fail(written, CursorError::WriteZero { offset, written })
            }
            Ok(n) if n <= requested => Ok(self.on_written(base, total, written + n)),
            Ok(n) => self.fail(
                written,
                CursorError::Overrun {
                    requested,
                    completed: n,
                },
            ),
            Err(errno) => self.fail(written, CursorError::Os(errno)),
        }
    }

    /// The write in flight will never be reported (its future was dropped, or its
    /// submission abandoned): make the same remainder ready again. Whether the lost
    /// write reached the file is unknown; resubmitting rewrites the same bytes there.
    ///
    /// # Errors
    /// [`CursorError::NotInFlight`] when no write was in flight; nothing changes.
    ///
    /// ```
    /// use aiofile_core::cursor::WriteCursor;
    /// let mut cursor = WriteCursor::new(0);
    /// cursor.begin(8)?;
    /// let first = cursor.poll_request();
    /// cursor.handle_cancel()?;
    /// assert_eq!(cursor.poll_request(), first);
    /// # Ok::<(), aiofile_core::cursor::CursorError>(())
    /// ```
    pub fn handle_cancel(&mut self) -> Result<(), CursorError> {
        let WriteState::InFlight {
            base,
            total,
            written,
        } = self.state
        else {
            return Err(CursorError::NotInFlight);
        };
        self.set_state(WriteState::Ready {
            base,
            total,
            written,
        });
        Ok(())
    }

    /// The next file offset: where the next request, or the next buffer, goes. After
    /// [`WriteEvent::Done`] it is the end of the buffer just written.
    pub const fn offset(&self) -> u64 {
        self.state.offset()
    }

    /// Bytes of the current buffer written so far (0 when idle).
    pub const fn written(&self) -> usize {
        match self.state {
            WriteState::Idle { .. } => 0,
            WriteState::Ready { written, .. }
            | WriteState::InFlight { written, .. }
            | WriteState::Failed { written, .. } => written,
        }
    }

    /// The current state.
    pub const fn state(&self) -> WriteState {
        self.state
    }

    /// The write handed out and not yet completed, if any.
    pub const fn in_flight(&self) -> Option<WriteRequest> {
        match self.state {
            WriteState::InFlight { total, written, .. } => Some(WriteRequest {
                offset: self.offset(),
                start: written,
                len: total - written,
            }),
            _ => None,
        }
    }

    /// `true` when no buffer is in progress and [`begin`](Self::begin) may be called.
    pub const fn is_idle(&self) -> bool {
        matches!(self.state, WriteState::Idle { .. })
    }

    /// `true` once a write failed.
    pub const fn is_failed(&self) -> bool {
        matches!(self.state, WriteState::Failed { .. })
    }

    /// The failure recorded by [`WriteState::Failed`], if any.
    pub const fn error(&self) -> Option<CursorError> {
        match self.state {
            WriteState::Failed { error, .. } => Some(error),
            _ => None,
        }
    }

    /// `written` bytes of the buffer at `base` are out now.
    fn on_written(&mut self, base: u64, total: usize, written: usize) -> WriteEvent {
        if written == total {
            // `begin` checked that `base + total` fits.
            let offset = advance(base, total).unwrap_or(u64::MAX);
            self.set_state(WriteState::Idle { offset });
            WriteEvent::Done { written }
        } else {
            self.set_state(WriteState::Ready {
                base,
                total,
                written,
            });
            WriteEvent::Progress { written }
        }
    }

    fn fail(&mut self, written: usize, error: CursorError) -> Result<WriteEvent, CursorError> {
        let offset = self.offset();
        self.set_state(WriteState::Failed {
            offset,
            written,
            error,
        });
        Err(error)
    }

    /// The one place the state changes.
    fn set_state(&mut self, next: WriteState) {
        trace!("write cursor: {} => {}", self.state, next);
        self.state = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(offset: u64, len: usize) -> WriteCursor {
        let mut c = WriteCursor::new(offset);
        c.begin(len).unwrap();
        c
    }

    #[test]
    fn full_write_is_done_and_idle_after_the_buffer() {
        let mut c = started(10, 4);
        assert_eq!(
            c.state(),
            WriteState::Ready {
                base: 10,
                total: 4,
                written: 0
            }
        );
        assert_eq!(
            c.poll_request(),
            Some(WriteRequest {
                offset: 10,
                start: 0,
                len: 4
            })
        );
        assert_eq!(
            c.state(),
            WriteState::InFlight {
                base: 10,
                total: 4,
                written: 0
            }
        );
        assert_eq!(
            c.poll_request(),
            None,
            "a second request while one is in flight"
        );
        assert_eq!(
            c.handle_completion(Ok(4)),
            Ok(WriteEvent::Done { written: 4 })
        );
        assert_eq!(c.state(), WriteState::Idle { offset: 14 });
        assert_eq!(c.poll_request(), None);
    }

    #[test]
    fn short_write_resubmits_the_remainder() {
        let mut c = started(100, 10);
        let _ = c.poll_request();
        assert_eq!(
            c.handle_completion(Ok(3)),
            Ok(WriteEvent::Progress { written: 3 })
        );
        assert_eq!(
            c.poll_request(),
            Some(WriteRequest {
                offset: 103,
                start: 3,
                len: 7
            })
        );
        assert_eq!(
            c.in_flight(),
            Some(WriteRequest {
                offset: 103,
                start: 3,
                len: 7
            })
        );
        assert_eq!(
            c.handle_completion(Ok(6)),
            Ok(WriteEvent::Progress { written: 9 })
        );
        assert_eq!(
            c.poll_request(),
            Some(WriteRequest {
                offset: 109,
                start: 9,
                len: 1
            })
        );
        assert_eq!(
            c.handle_completion(Ok(1)),
            Ok(WriteEvent::Done { written: 10 })
        );
        assert_eq!(c.offset(), 110);
    }

    #[test]
    fn sequential_buffers_continue_at_the_end() {
        let mut c = started(0, 6);
        let _ = c.poll_request();
        let _ = c.handle_completion(Ok(6));
        c.begin(5).unwrap();
        assert_eq!(
            c.poll_request(),
            Some(WriteRequest {
                offset: 6,
                start: 0,
                len: 5
            })
        );
    }

    #[test]
    fn empty_buffer_needs_no_request() {
        let mut c = started(7, 0);
        assert_eq!(c.state(), WriteState::Idle { offset: 7 });
        assert_eq!(c.poll_request(), None);
        assert!(c.is_idle());
    }

    #[test]
    fn zero_write_fails_instead_of_looping() {
        let mut c = started(50, 8);
        let _ = c.poll_request();
        let _ = c.handle_completion(Ok(5));
        let _ = c.poll_request();
        let zero = CursorError::WriteZero {
            offset: 55,
            written: 5,
        };
        assert_eq!(c.handle_completion(Ok(0)), Err(zero));
        assert_eq!(
            c.state(),
            WriteState::Failed {
                offset: 55,
                written: 5,
                error: zero
            }
        );
        assert_eq!(c.poll_request(), None);
        assert_eq!(c.begin(1), Err(CursorError::Finished));
    }

    #[test]
    fn os_error_fails_at_the_write_offset() {
        let mut c = started(0, 4);
        let _ = c.poll_request();
        assert_eq!(
            c.handle_completion(Err(Errno::ENOSPC)),
            Err(CursorError::Os(Errno::ENOSPC))
        );
        assert!(c.is_failed());
        assert_eq!(c.error(), Some(CursorError::Os(Errno::ENOSPC)));
        assert_eq!((c.offset(), c.written()), (0, 0));
        assert_eq!(c.handle_completion(Ok(4)), Err(CursorError::NotInFlight));
    }

    #[test]
    fn overrun_is_an_error() {
        let mut c = started(0, 4);
        let _ = c.poll_request();
        let _ = c.handle_completion(Ok(1));
        let _ = c.poll_request();
        let overrun = CursorError::Overrun {
            requested: 3,
            completed: 4,
        };
        assert_eq!(c.handle_completion(Ok(4)), Err(overrun));
        assert_eq!(
            c.state(),
            WriteState::Failed {
                offset: 1,
                written: 1,
                error: overrun
            }
        );
    }

    #[test]
    fn misuse_changes_nothing() {
        let mut c = WriteCursor::new(3);
        assert_eq!(c.handle_completion(Ok(1)), Err(CursorError::NotInFlight));
        assert_eq!(c.handle_cancel(), Err(CursorError::NotInFlight));
        c.begin(4).unwrap();
        assert_eq!(
            c.handle_completion(Ok(1)),
            Err(CursorError::NotInFlight),
            "not polled yet"
        );
        assert_eq!(c.begin(2), Err(CursorError::Busy));
        let _ = c.poll_request();
        assert_eq!(c.begin(2), Err(CursorError::Busy));
        assert_eq!(
            c.state(),
            WriteState::InFlight {
                base: 3,
                total: 4,
                written: 0
            }
        );
    }

    #[test]
    fn cancel_makes_the_same_remainder_ready() {
        let mut c = started(0, 9);
        let _ = c.poll_request();
        let _ = c.handle_completion(Ok(4));
        let req = c.poll_request();
        assert_eq!(c.handle_cancel(), Ok(()));
        assert_eq!(
            c.state(),
            WriteState::Ready {
                base: 0,
                total: 9,
                written: 4
            }
        );
        assert_eq!(c.poll_request(), req);
    }

    #[test]
    fn offset_overflow_is_refused() {
        let mut c = WriteCursor::new(u64::MAX - 2);
        assert_eq!(c.begin(3), Err(CursorError::OffsetOverflow));
        assert!(c.is_idle());
        c.begin(2).unwrap();
        let _ = c.poll_request();
        assert_eq!(
            c.handle_completion(Ok(2)),
            Ok(WriteEvent::Done { written: 2 })
        );
        assert_eq!(c.offset(), u64::MAX);
        assert_eq!(c.begin(1), Err(CursorError::OffsetOverflow));
        assert_eq!(c.begin(0), Ok(()));
    }
}
