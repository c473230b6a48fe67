//! The whole async stack of the core on the in-memory reactor, under
//! `embassy_futures::block_on`, with `StaticBuf` buffers: no heap in the code under test.
use aiofile_core::buf::{IoBuf, IoBufMut, StaticBuf};
use aiofile_core::io::{File, Reader, Writer};
use aiofile_core::mem::{Fault, MemReactor};
use aiofile_core::{Errno, Error, OpKind, Reactor};
use embassy_futures::block_on;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;

type Mem<const CAP: usize> = MemReactor<NoopRawMutex, StaticBuf, CAP, 4>;

fn static_buf(n: usize) -> StaticBuf {
    StaticBuf::new(Box::leak(vec![0u8; n].into_boxed_slice()))
}

fn content<const CAP: usize>(r: &Mem<CAP>) -> Vec<u8> {
    let mut out = vec![0u8; CAP];
    let n = r.snapshot(&mut out);
    out.truncate(n);
    out
}

#[test]
fn positional_read_write_and_sync() {
    let reactor: Mem<64> = MemReactor::new(b"");
    let file = File::new(&reactor, ());
    block_on(async {
        let mut buf = static_buf(16);
        buf.extend_from_slice(b"Hello ");
        let (res, _) = file.write_all(buf, 0).await;
        assert_eq!(res, Ok(6));
        let mut buf = static_buf(16);
        buf.extend_from_slice(b"world");
        let (res, _) = file.write_all(buf, 7).await;
        assert_eq!(res, Ok(5));
        assert_eq!(file.fsync().await, Ok(()));
        assert_eq!(file.fdatasync().await, Ok(()));
        // A RAM file has nothing to write back: the hint completes and changes nothing.
        let done = file.submit(aiofile_core::Op::writeback(0, 0)).await;
        assert_eq!((done.kind, done.result), (OpKind::Writeback, Ok(0)));
        let (res, buf) = file.read(static_buf(32), 0, 32).await;
        assert_eq!(res, Ok(12));
        assert_eq!(buf.as_slice(), b"Hello \0world");
        let (res, buf) = file.read(static_buf(8), 100, 8).await;
        assert_eq!((res, buf.as_slice()), (Ok(0), &b""[..]));
    });
    assert_eq!(reactor.in_use_slots(), 0);
}

#[test]
fn short_writes_are_resubmitted_and_zero_is_an_error() {
    let reactor: Mem<64> = MemReactor::new(b"");
    let file = File::new(&reactor, ());
    reactor.inject(Fault::ShortWrite(2)).unwrap();
    reactor.inject(Fault::ShortWrite(1)).unwrap();
    let mut buf = static_buf(16);
    buf.extend_from_slice(b"abcdef");
    let (res, buf) = block_on(file.write_all(buf, 0));
    assert_eq!(res, Ok(6));
    assert_eq!(content(&reactor), b"abcdef");
    assert_eq!(
        reactor.stats().submitted,
        3,
        "2 + 1 + 3 bytes: three writes"
    );

    reactor.inject(Fault::ShortWrite(0)).unwrap();
    let (res, _) = block_on(file.write_all(buf, 10));
    assert_eq!(
        res,
        Err(Error::WriteZero {
            offset: 10,
            written: 0
        })
    );
}

#[test]
fn read_exact_or_eof_loops_over_short_reads() {
    let reactor: Mem<64> = MemReactor::new(b"0123456789");
    let file = File::new(&reactor, ());
    reactor.inject(Fault::ShortRead(3)).unwrap();
    reactor.inject(Fault::ShortRead(1)).unwrap();
    let (res, buf) = block_on(file.read_exact_or_eof(static_buf(32), 2, 32));
    assert_eq!(res, Ok(8));
    assert_eq!(buf.as_slice(), b"23456789");
}

#[test]
fn errors_come_back_with_the_buffer() {
    let reactor: Mem<64> = MemReactor::new(b"data");
    let file = File::new(&reactor, ());
    reactor.inject(Fault::Error(Errno::EIO)).unwrap();
    let (res, buf) = block_on(file.read(static_buf(8), 0, 8));
    assert_eq!(res, Err(Error::Os(Errno::EIO)));
    assert_eq!(buf.bytes_total(), 8);
    let (res, _) = block_on(file.read(static_buf(2), 0, 8));
    assert_eq!(
        res,
        Err(Error::BufferTooSmall {
            needed: 8,
            capacity: 2
        })
    );
}

#[test]
fn reader_yields_chunks_through_short_reads_and_delays() {
    let data: Vec<u8> = (0..200u8).collect();
    let reactor: Mem<256> = MemReactor::new(&data);
    reactor.inject(Fault::Delay(3)).unwrap();
    reactor.inject(Fault::ShortRead(5)).unwrap();
    let mut reader = Reader::new(File::new(&reactor, ()), 10, 64, static_buf(64))
        .map_err(|e| e.0)
        .unwrap();
    let mut got = Vec::new();
    let mut sizes = Vec::new();
    block_on(async {
        while let Some(chunk) = reader.read_chunk().await.unwrap() {
            sizes.push(chunk.len());
            got.extend_from_slice(chunk);
        }
        // End of file is sticky.
        assert_eq!(reader.read_chunk().await, Ok(None));
    });
    assert_eq!(got, &data[10..]);
    assert_eq!(sizes, [5, 64, 64, 57]);
}

#[test]
fn reader_with_limit_and_zero_chunk() {
    let reactor: Mem<64> = MemReactor::new(b"0123456789");
    let err = Reader::new(File::new(&reactor, ()), 0, 0, static_buf(4))
        .err()
        .unwrap();
    assert_eq!(err.0, Error::ZeroChunkSize);
    let mut reader = Reader::new(File::new(&reactor, ()), 1, 4, static_buf(4))
        .map_err(|e| e.0)
        .unwrap()
        .with_limit(6);
    let mut got = Vec::new();
    block_on(async {
        while let Some(chunk) = reader.read_chunk().await.unwrap() {
            got.extend_from_slice(chunk);
        }
    });
    assert_eq!(got, b"123456");
}

#[test]
fn reader_error_is_reported_then_finished() {
    let reactor: Mem<64> = MemReactor::new(b"0123456789");
    let mut reader = Reader::new(File::new(&reactor, ()), 0, 4, static_buf(4))
        .map_err(|e| e.0)
        .unwrap();
    reactor.inject(Fault::Error(Errno::EBADF)).unwrap();
    block_on(async {
        assert_eq!(reader.read_chunk().await, Err(Error::Os(Errno::EBADF)));
        assert_eq!(reader.read_chunk().await, Err(Error::Finished));
    });
}

#[test]
fn writer_appends_sequentially_through_short_writes() {
    let reactor: Mem<128> = MemReactor::new(b"XY");
    let mut writer = Writer::new(File::new(&reactor, ()), 2, static_buf(4));
    reactor.inject(Fault::ShortWrite(1)).unwrap();
    block_on(async {
        writer.write_all(b"Hello ").await.unwrap();
        writer.write_all(b"world, ").await.unwrap();
        writer.write_all(b"").await.unwrap();
        writer.write_all(b"again").await.unwrap();
        writer.flush().await.unwrap();
    });
    assert_eq!(content(&reactor), b"XYHello world, again");
    assert_eq!(writer.offset(), 20);
}

#[test]
fn writer_reports_write_zero_once_and_stays_failed() {
    let reactor: Mem<128> = MemReactor::new(b"");
    let mut writer = Writer::new(File::new(&reactor, ()), 0, static_buf(4));
    reactor.inject(Fault::ShortWrite(0)).unwrap();
    block_on(async {
        assert_eq!(writer.write(b"abcd").await, Ok(4));
        assert_eq!(
            writer.flush().await,
            Err(Error::WriteZero {
                offset: 0,
                written: 0
            })
        );
        assert!(writer.write(b"x").await.is_err());
    });
}

#[test]
fn back_pressure_when_all_slots_are_busy() {
    // One slot: the second operation waits for the first one's slot.
    let reactor: MemReactor<NoopRawMutex, StaticBuf, 64, 1> = MemReactor::new(b"abcdef");
    let file = File::new(&reactor, ());
    reactor.inject(Fault::Delay(2)).unwrap();
    let (a, b) = block_on(embassy_futures::join::join(
        file.read(static_buf(3), 0, 3),
        file.read(static_buf(3), 3, 3),
    ));
    assert_eq!(a.1.as_slice(), b"abc");
    assert_eq!(b.1.as_slice(), b"def");
    assert!(
        reactor.stats().full >= 1,
        "the second read found the only slot busy"
    );
}

#[test]
fn dropped_futures_leave_buffers_to_the_reactor_until_done() {
    let reactor: Mem<64> = MemReactor::new(b"0123456789");
    let file = File::new(&reactor, ());
    reactor.inject(Fault::Delay(5)).unwrap();
    {
        let mut fut = core::pin::pin!(file.read(static_buf(4), 0, 4));
        let waker = noop_waker();
        let mut cx = core::task::Context::from_waker(&waker);
        assert!(fut.as_mut().poll(&mut cx).is_pending());
    } // dropped mid-flight: the op becomes an orphan that still owns its buffer
    assert_eq!(reactor.in_use_slots(), 1);
    while reactor.tick() == 0 {}
    assert_eq!(
        reactor.in_use_slots(),
        0,
        "slot reclaimed once the orphan finished"
    );
    assert_eq!(reactor.stats().abandoned, 1);
}

#[test]
fn leaked_futures_keep_their_slot_and_buffer() {
    let reactor: Mem<64> = MemReactor::new(b"0123456789");
    let file = File::new(&reactor, ());
    reactor.inject(Fault::Delay(1)).unwrap();
    let mut fut = Box::pin(file.read(static_buf(4), 0, 4));
    let waker = noop_waker();
    let mut cx = core::task::Context::from_waker(&waker);
    assert!(fut.as_mut().poll(&mut cx).is_pending());
    core::mem::forget(fut);
    for _ in 0..3 {
        reactor.tick();
    }
    assert_eq!(
        reactor.in_use_slots(),
        1,
        "a leaked future leaks its slot, never its memory"
    );
    // The other slots still work.
    let (res, _) = block_on(file.read(static_buf(4), 4, 4));
    assert_eq!(res, Ok(4));
}

#[test]
#[should_panic(expected = "stale or foreign ticket")]
fn forged_tickets_panic() {
    let reactor: Mem<64> = MemReactor::new(b"");
    let waker = noop_waker();
    let mut cx = core::task::Context::from_waker(&waker);
    let _ = reactor.poll_complete(&aiofile_core::Ticket::new(0, 7), &mut cx);
}

use core::future::Future;

fn noop_waker() -> core::task::Waker {
    core::task::Waker::noop().clone()
}

#[test]
fn line_reader_lines_do_not_depend_on_chunk_size() {
    use aiofile_core::io::LineReader;
    use aiofile_core::lines::LineEnd;
    let cases: [(&[u8], &[u8]); 4] = [
        (b"ab||cd||ef", b"||"),
        (b"ab\r\ncd\nef\r\ngh", b"\r\n"),
        (b"a;b;c;d;", b";"),
        ("x→y→→z".as_bytes(), "→".as_bytes()),
    ];
    for (data, sep) in cases {
        let reactor: Mem<64> = MemReactor::new(data);
        let expected: Vec<Vec<u8>> = split_inclusive(data, sep);
        for chunk in 1..=12 {
            reactor.inject(Fault::ShortRead(1)).unwrap();
            let file = File::new(&reactor, ());
            let mut lines = LineReader::<_, 32>::new(file, 0, chunk, sep, static_buf(chunk))
                .map_err(|e| e.0)
                .unwrap();
            let mut got = Vec::new();
            block_on(async {
                while let Some(line) = lines.next_line().await.unwrap() {
                    assert_ne!(line.end(), LineEnd::Partial);
                    got.push(line.bytes().to_vec());
                }
                assert!(lines.next_line().await.unwrap().is_none(), "end is sticky");
            });
            assert_eq!(got, expected, "chunk {chunk}, sep {sep:?}");
            assert_eq!(lines.offset(), data.len() as u64);
        }
    }
}

#[test]
fn line_reader_long_lines_come_in_pieces_that_join() {
    use aiofile_core::io::LineReader;
    use aiofile_core::lines::LineEnd;
    let mut data = vec![b'x'; 100];
    data.extend_from_slice(b"\nshort\n");
    let reactor: Mem<256> = MemReactor::new(&data);
    let mut lines = LineReader::<_, 16>::new(File::new(&reactor, ()), 0, 7, b"\n", static_buf(7))
        .map_err(|e| e.0)
        .unwrap();
    let mut whole = Vec::new();
    let mut complete = Vec::new();
    block_on(async {
        while let Some(line) = lines.next_line().await.unwrap() {
            whole.extend_from_slice(line.bytes());
            if line.end() != LineEnd::Partial {
                complete.push(core::mem::take(&mut whole));
            }
        }
    });
    assert_eq!(complete, [&data[..101], b"short\n"]);
}

fn split_inclusive(data: &[u8], sep: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + sep.len() <= data.len() {
        if &data[i..i + sep.len()] == sep {
            out.push(data[start..i + sep.len()].to_vec());
            i += sep.len();
            start = i;
        } else {
            i += 1;
        }
    }
    if start < data.len() {
        out.push(data[start..].to_vec());
    }
    out
}
