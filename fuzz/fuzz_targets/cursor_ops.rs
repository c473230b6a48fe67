//! Replays an arbitrary sequence of operations against a `ReadCursor` and a
//! `WriteCursor` side by side, each checked against a shadow model after every step:
//! offsets only grow and match the model, a request never exceeds what is allowed,
//! no request is handed out while one is in flight, completions without a request
//! are refused without a state change, and terminal states stay terminal.
#![no_main]
use aiofile_core::cursor::{
    CursorError, ReadCursor, ReadEvent, ReadRequest, ReadState, WriteCursor, WriteEvent,
    WriteRequest,
};
use aiofile_core::Errno;
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

/// How the request in flight completes.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Completion {
    /// All requested bytes.
    Full,
    /// The requested length minus this much (0 when it goes below).
    Short(u16),
    /// Zero bytes: EOF for a read, `WriteZero` for a write.
    Zero,
    /// An OS error.
    Error(i32),
    /// More bytes than requested (a reactor bug): `len + 1 + extra`.
    Over(u16),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Action {
    Poll,
    PollUpTo(u16),
    Completion(Completion),
    Cancel,
    Begin(u16),
}

#[derive(Arbitrary, Debug)]
struct Input {
    read_start: u64,
    chunk: u16,
    limit: Option<u64>,
    write_offset: u64,
    actions: Vec<Action>,
}

/// The completion result a request of `len` bytes receives.
fn result_for(c: Completion, len: usize) -> Result<usize, Errno> {
    match c {
        Completion::Full => Ok(len),
        Completion::Short(k) => Ok(len.saturating_sub(usize::from(k))),
        Completion::Zero => Ok(0),
        Completion::Error(e) => Err(Errno(e)),
        Completion::Over(k) => Ok(len + 1 + usize::from(k)),
    }
}

/// Shadow of a `ReadCursor`.
struct ReadModel {
    cursor: ReadCursor,
    chunk: usize,
    end: u64,
    offset: u64,
    in_flight: Option<ReadRequest>,
    terminal: Option<ReadState>,
}

impl ReadModel {
    fn new(start: u64, chunk: usize, limit: Option<u64>) -> Option<Self> {
        let cursor = match ReadCursor::new(start, chunk) {
            Ok(c) => c,
            Err(e) => {
                assert_eq!((chunk, e), (0, CursorError::ZeroChunkSize));
                return None;
            }
        };
        let cursor = match limit {
            Some(l) => cursor.with_limit(l),
            None => cursor,
        };
        let end = limit.map_or(u64::MAX, |l| start.saturating_add(l));
        let terminal = (start >= end).then_some(ReadState::LimitReached { offset: start });
        Some(Self {
            cursor,
            chunk,
            end,
            offset: start,
            in_flight: None,
            terminal,
        })
    }

    fn step(&mut self, action: Action) {
        let before = self.cursor.offset();
        match action {
            Action::Poll => self.poll(usize::MAX),
            Action::PollUpTo(max) => self.poll(usize::from(max)),
            Action::Completion(c) => self.complete(c),
            Action::Cancel => self.cancel(),
            Action::Begin(_) => {}
        }
        assert!(self.cursor.offset() >= before, "read offset went backwards");
        assert_eq!(self.cursor.offset(), self.offset);
        assert!(self.offset <= self.end);
        assert_eq!(self.cursor.in_flight(), self.in_flight);
        if let Some(state) = self.terminal {
            assert_eq!(self.cursor.state(), state, "terminal state changed");
        }
    }

    fn poll(&mut self, max: usize) {
        let state = self.cursor.state();
        let req = self.cursor.poll_request_up_to(max);
        if self.in_flight.is_some() || self.terminal.is_some() || max == 0 {
            assert_eq!(req, None);
            assert_eq!(self.cursor.state(), state);
            return;
        }
        let req = req.expect("an idle cursor below its limit hands out a read");
        assert_eq!(req.offset, self.offset);
        assert!(req.len >= 1 && req.len <= self.chunk && req.len <= max);
        assert!(
            self.end - req.offset >= req.len as u64,
            "read crosses the end bound"
        );
        self.in_flight = Some(req);
    }

    fn complete(&mut self, c: Completion) {
        let Some(req) = self.in_flight.take() else {
            let state = self.cursor.state();
            assert_eq!(
                self.cursor.handle_completion(result_for(c, 1)),
                Err(CursorError::NotInFlight)
            );
            assert_eq!(self.cursor.state(), state);
            return;
        };
        let result = result_for(c, req.len);
        let answer = self.cursor.handle_completion(result);
        match result {
            Ok(0) => {
                assert_eq!(answer, Ok(ReadEvent::Eof { offset: req.offset }));
                self.terminal = Some(ReadState::Eof {
                    offset: self.offset,
                });
            }
            Ok(n) if n <= req.len => {
                assert_eq!(
                    answer,
                    Ok(ReadEvent::Data {
                        offset: req.offset,
                        len: n
                    })
                );
                self.offset += n as u64;
                if self.offset >= self.end {
                    self.terminal = Some(ReadState::LimitReached {
                        offset: self.offset,
                    });
                }
            }
            Ok(n) => self.fail(
                answer,
                CursorError::Overrun {
                    requested: req.len,
                    completed: n,
                },
            ),
            Err(errno) => self.fail(answer, CursorError::Os(errno)),
        }
    }

    fn fail(&mut self, answer: Result<ReadEvent, CursorError>, error: CursorError) {
        assert_eq!(answer, Err(error));
        assert_eq!(self.cursor.error(), Some(error));
        self.terminal = Some(ReadState::Failed {
            offset: self.offset,
            error,
        });
    }

    fn cancel(&mut self) {
        let expected = if self.in_flight.take().is_some() {
            Ok(())
        } else {
            Err(CursorError::NotInFlight)
        };
        assert_eq!(self.cursor.handle_cancel(), expected);
    }
}

/// Shadow of a `WriteCursor`: the buffer in progress is `(base, total, written)`.
struct WriteModel {
    cursor: WriteCursor,
    offset: u64,
    buf: Option<(u64, usize, usize)>,
    in_flight: Option<WriteRequest>,
    failed: bool,
}

impl WriteModel {
    fn new(offset: u64) -> Self {
        Self {
            cursor: WriteCursor::new(offset),
            offset,
            buf: None,
            in_flight: None,
            failed: false,
        }
    }

    fn step(&mut self, action: Action) {
        let before = self.cursor.offset();
        match action {
            Action::Begin(len) => self.begin(usize::from(len)),
            Action::Poll | Action::PollUpTo(_) => self.poll(),
            Action::Completion(c) => self.complete(c),
            Action::Cancel => self.cancel(),
        }
        assert!(
            self.cursor.offset() >= before,
            "write offset went backwards"
        );
        assert_eq!(self.cursor.offset(), self.offset);
        assert_eq!(self.cursor.in_flight(), self.in_flight);
        assert_eq!(self.cursor.is_failed(), self.failed);
        assert_eq!(self.cursor.is_idle(), self.buf.is_none() && !self.failed);
        if let Some((_, total, written)) = self.buf {
            assert!(written < total && self.cursor.written() == written);
        }
    }

    fn begin(&mut self, len: usize) {
        let expected = if self.failed {
            Err(CursorError::Finished)
        } else if self.buf.is_some() {
            Err(CursorError::Busy)
        } else if self.offset.checked_add(len as u64).is_none() {
            Err(CursorError::OffsetOverflow)
        } else {
            if len > 0 {
                self.buf = Some((self.offset, len, 0));
            }
            Ok(())
        };
        assert_eq!(self.cursor.begin(len), expected);
    }

    fn poll(&mut self) {
        let req = self.cursor.poll_request();
        match self.buf {
            Some((base, total, written)) if self.in_flight.is_none() => {
                let expected = WriteRequest {
                    offset: base + written as u64,
                    start: written,
                    len: total - written,
                };
                assert_eq!(req, Some(expected));
                assert!(expected.len >= 1 && expected.start + expected.len == total);
                self.in_flight = req;
            }
            _ => assert_eq!(req, None),
        }
    }

    fn complete(&mut self, c: Completion) {
        let (Some(req), Some((base, total, written))) = (self.in_flight.take(), self.buf) else {
            assert_eq!(
                self.cursor.handle_completion(result_for(c, 1)),
                Err(CursorError::NotInFlight)
            );
            return;
        };
        let result = result_for(c, req.len);
        let answer = self.cursor.handle_completion(result);
        match result {
            Ok(0) => self.fail(
                answer,
                CursorError::WriteZero {
                    offset: req.offset,
                    written,
                },
            ),
            Ok(n) if n <= req.len => {
                let written = written + n;
                self.offset += n as u64;
                if written == total {
                    assert_eq!(answer, Ok(WriteEvent::Done { written }));
                    assert_eq!(self.offset, base + total as u64);
                    self.buf = None;
                } else {
                    assert_eq!(answer, Ok(WriteEvent::Progress { written }));
                    self.buf = Some((base, total, written));
                }
            }
            Ok(n) => self.fail(
                answer,
                CursorError::Overrun {
                    requested: req.len,
                    completed: n,
                },
            ),
            Err(errno) => self.fail(answer, CursorError::Os(errno)),
        }
    }

    fn fail(&mut self, answer: Result<WriteEvent, CursorError>, error: CursorError) {
        assert_eq!(answer, Err(error));
        assert_eq!(self.cursor.error(), Some(error));
        self.buf = None;
        self.failed = true;
    }

    fn cancel(&mut self) {
        let expected = if self.in_flight.take().is_some() {
            Ok(())
        } else {
            Err(CursorError::NotInFlight)
        };
        assert_eq!(self.cursor.handle_cancel(), expected);
    }
}

fuzz_target!(|input: Input| {
    let mut read = ReadModel::new(input.read_start, usize::from(input.chunk), input.limit);
    let mut write = WriteModel::new(input.write_offset);
    for &action in &input.actions {
        if let Some(read) = read.as_mut() {
            read.step(action);
        }
        write.step(action);
    }
});
