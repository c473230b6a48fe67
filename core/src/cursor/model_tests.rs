//! Model tests: both cursors driven against a simulated file by random completion
//! schedules (full, short, failing, zero and cancelled), compared with the obvious
//! result, with every loop bounded so termination is asserted rather than assumed.
extern crate std;
use std::vec::Vec;

use proptest::prelude::*;

use super::*;

/// How the simulated reactor completes one request.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// Everything the file can give (reads) or everything asked (writes).
    Full,
    /// At least one byte less than `Full` when possible, never zero unless at EOF.
    Short(usize),
    /// A write that reports 0 bytes (reads use `Full` instead: their 0 means EOF).
    Zero,
    /// The OS error `Errno(e)`.
    Fail(i32),
    /// The request's future is dropped before completing.
    Cancel,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        6 => Just(Step::Full),
        6 => any::<usize>().prop_map(Step::Short),
        1 => Just(Step::Zero),
        1 => (1..200i32).prop_map(Step::Fail),
        1 => Just(Step::Cancel),
    ];
    proptest::collection::vec(step, 0..40)
}

/// `n` in `1..=avail` for a short completion (0 only when `avail` is 0).
fn shorten(avail: usize, k: usize) -> usize {
    if avail == 0 {
        0
    } else {
        avail - k % avail
    }
}

fn as_index(offset: u64) -> usize {
    usize::try_from(offset).unwrap()
}

/// What one simulated read run ended with.
struct ReadRun {
    cursor: ReadCursor,
    got: Vec<u8>,
    failed: Option<Errno>,
}

/// Drives `cursor` over `file`: the i-th completion follows `steps[i]`, then `Full`.
fn run_reads(file: &[u8], mut cursor: ReadCursor, steps: &[Step]) -> ReadRun {
    let start = cursor.offset();
    let mut got = Vec::new();
    let bound = file.len() + steps.len() + 2;
    for i in 0..bound {
        let Some(req) = cursor.poll_request() else {
            return ReadRun {
                cursor,
                got,
                failed: None,
            };
        };
        assert_eq!(cursor.poll_request(), None, "one read in flight at most");
        assert!(req.len >= 1 && req.len <= cursor.chunk_size());
        assert_eq!(req.offset, start + got.len() as u64);
        let from = as_index(req.offset).min(file.len());
        let avail = (file.len() - from).min(req.len);
        let n = match steps.get(i).copied().unwrap_or(Step::Full) {
            Step::Full | Step::Zero => avail,
            Step::Short(k) => shorten(avail, k),
            Step::Fail(e) => {
                assert_eq!(
                    cursor.handle_completion(Err(Errno(e))),
                    Err(CursorError::Os(Errno(e)))
                );
                return ReadRun {
                    cursor,
                    got,
                    failed: Some(Errno(e)),
                };
            }
            Step::Cancel => {
                cursor.handle_cancel().unwrap();
                continue;
            }
        };
        let event = cursor.handle_completion(Ok(n)).unwrap();
        if n == 0 {
            assert_eq!(event, ReadEvent::Eof { offset: req.offset });
        } else {
            assert_eq!(
                event,
                ReadEvent::Data {
                    offset: req.offset,
                    len: n
                }
            );
            got.extend_from_slice(&file[from..from + n]);
        }
    }
    panic!("the read cursor did not finish within {bound} requests");
}

proptest! {
    #[test]
    fn reads_collect_the_file_from_start(
        file in proptest::collection::vec(any::<u8>(), 0..300),
        start_pad in 0usize..320,
        chunk in 1usize..40,
        limit in proptest::option::of(0u64..320),
        steps in steps(),
    ) {
        let start = start_pad as u64;
        let mut cursor = ReadCursor::new(start, chunk).unwrap();
        if let Some(limit) = limit {
            cursor = cursor.with_limit(limit);
        }
        let ReadRun { mut cursor, got, failed } = run_reads(&file, cursor, &steps);
        let from = start_pad.min(file.len());
        let delivered = start + got.len() as u64;
        prop_assert_eq!(&got[..], &file[from..from + got.len()]);
        prop_assert_eq!(cursor.offset(), delivered);
        if let Some(errno) = failed {
            let error = CursorError::Os(errno);
            prop_assert_eq!(cursor.state(), ReadState::Failed { offset: delivered, error });
            prop_assert_eq!(cursor.error(), Some(error));
        } else {
            let available = (file.len() - from) as u64;
            let wanted = limit.map_or(available, |l| l.min(available));
            prop_assert_eq!(got.len() as u64, wanted);
            match limit {
                Some(l) if l <= available => {
                    prop_assert_eq!(cursor.state(), ReadState::LimitReached { offset: delivered });
                }
                _ => prop_assert_eq!(cursor.state(), ReadState::Eof { offset: delivered }),
            }
        }
        prop_assert_eq!(cursor.poll_request(), None);
        prop_assert_eq!(cursor.handle_completion(Ok(1)), Err(CursorError::NotInFlight));
    }
}

/// A file that grows with zeros when written past its end, as `pwrite` does.
fn write_at(file: &mut Vec<u8>, offset: u64, data: &[u8]) {
    let at = as_index(offset);
    if file.len() < at + data.len() {
        file.resize(at + data.len(), 0);
    }
    file[at..at + data.len()].copy_from_slice(data);
}

/// What one simulated write run ended with.
struct WriteRun {
    cursor: WriteCursor,
    file: Vec<u8>,
    /// Bytes of the concatenated buffers written before the run stopped.
    total: usize,
    failed: Option<CursorError>,
}

/// Writes each of `bufs` in turn through one cursor; the i-th completion follows
/// `steps[i]`, then `Full`.
fn run_writes(mut file: Vec<u8>, base: u64, bufs: &[Vec<u8>], steps: &[Step]) -> WriteRun {
    let mut cursor = WriteCursor::new(base);
    let mut total = 0;
    let mut step_at = 0;
    for buf in bufs {
        let buf_base = cursor.offset();
        cursor.begin(buf.len()).unwrap();
        let bound = buf.len() + steps.len() + 1;
        let mut written = 0;
        for _ in 0..bound {
            let Some(req) = cursor.poll_request() else {
                break;
            };
            assert_eq!(cursor.poll_request(), None, "one write in flight at most");
            assert_eq!(
                req,
                WriteRequest {
                    offset: buf_base + written as u64,
                    start: written,
                    len: buf.len() - written
                }
            );
            let step = steps.get(step_at).copied().unwrap_or(Step::Full);
            step_at += 1;
            let result = match step {
                Step::Full => Ok(req.len),
                Step::Short(k) => Ok(shorten(req.len, k)),
                Step::Zero => Ok(0),
                Step::Fail(e) => Err(Errno(e)),
                Step::Cancel => {
                    cursor.handle_cancel().unwrap();
                    continue;
                }
            };
            match (result, cursor.handle_completion(result)) {
                (Ok(0), Err(e)) => {
                    assert_eq!(
                        e,
                        CursorError::WriteZero {
                            offset: req.offset,
                            written
                        }
                    );
                    return WriteRun {
                        cursor,
                        file,
                        total,
                        failed: Some(e),
                    };
                }
                (Err(errno), Err(e)) => {
                    assert_eq!(e, CursorError::Os(errno));
                    return WriteRun {
                        cursor,
                        file,
                        total,
                        failed: Some(e),
                    };
                }
                (Ok(n), Ok(event)) => {
                    write_at(&mut file, req.offset, &buf[req.start..req.start + n]);
                    written += n;
                    total += n;
                    let expected = if written == buf.len() {
                        WriteEvent::Done { written }
                    } else {
                        WriteEvent::Progress { written }
                    };
                    assert_eq!(event, expected);
                }
                (result, answer) => panic!("{result:?} answered with {answer:?}"),
            }
        }
        assert!(
            cursor.is_idle(),
            "buffer of {} not done within {bound} requests",
            buf.len()
        );
        assert_eq!(written, buf.len());
    }
    WriteRun {
        cursor,
        file,
        total,
        failed: None,
    }
}

proptest! {
    #[test]
    fn writes_put_the_data_at_the_offset(
        initial in proptest::collection::vec(any::<u8>(), 0..80),
        base in 0u64..40,
        bufs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..60), 0..5),
        steps in steps(),
    ) {
        let WriteRun { mut cursor, file, total, failed } = run_writes(initial.clone(), base, &bufs, &steps);
        let all: Vec<u8> = bufs.concat();
        let mut model = initial;
        if total > 0 {
            write_at(&mut model, base, &all[..total]);
        }
        prop_assert_eq!(&file, &model);
        prop_assert_eq!(cursor.offset(), base + total as u64);
        prop_assert_eq!(cursor.poll_request(), None);
        if let Some(error) = failed {
            prop_assert_eq!(cursor.error(), Some(error));
            prop_assert_eq!(cursor.begin(1), Err(CursorError::Finished));
        } else {
            prop_assert_eq!(total, all.len());
            prop_assert!(cursor.is_idle());
        }
    }
}
