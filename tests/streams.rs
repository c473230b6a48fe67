//! Reader, TextReader, Writer, LineReader, TextLineReader: async methods, `Stream`/`Sink`
//! impls, chunk-size independence, multi-byte text across chunk boundaries.
mod support;

use support::Tmp;

use aiofile::{AioFile, Error, LineReader, Reader, TextLineReader, TextReader, Writer};
use futures::executor::block_on;
use futures::{SinkExt, StreamExt};
use std::future::Future;

/// The obviously correct model: `split_inclusive` on a byte separator, left to right.
fn model_lines(data: &[u8], sep: &[u8]) -> Vec<Vec<u8>> {
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

/// Every line through `readline`, checked against `next_line` and `readline_into` (the
/// three must agree, positions included).
async fn all_lines(file: &AioFile, offset: u64, chunk: usize, sep: &[u8]) -> Vec<Vec<u8>> {
    let mut reader = LineReader::new(file, offset, chunk, sep).unwrap();
    let mut borrowed = LineReader::new(file, offset, chunk, sep).unwrap();
    let mut appending = LineReader::new(file, offset, chunk, sep).unwrap();
    let mut out = Vec::new();
    let mut appended = b"start".to_vec();
    while let Some(line) = reader.readline().await.unwrap() {
        assert_eq!(borrowed.next_line().await.unwrap(), Some(&line[..]));
        let before = appended.len();
        assert_eq!(
            appending.readline_into(&mut appended).await.unwrap(),
            Some(line.len())
        );
        assert_eq!(&appended[before..], line);
        assert_eq!(borrowed.position(), reader.position());
        assert_eq!(appending.position(), reader.position());
        out.push(line);
    }
    assert_eq!(reader.readline().await.unwrap(), None);
    assert_eq!(borrowed.next_line().await.unwrap(), None);
    assert_eq!(borrowed.next_line().await.unwrap(), None);
    assert_eq!(appending.readline_into(&mut appended).await.unwrap(), None);
    assert_eq!(appended, [&b"start"[..], &out.concat()].concat());
    out
}

#[test]
fn reader_defaults_and_chunks() {
    assert_eq!(Reader::DEFAULT_CHUNK, 32768);
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let tmp = Tmp::new(&data);
    block_on(async {
        let file = AioFile::open(tmp.path(), "rb").await.unwrap();
        let mut reader = Reader::new(&file, 0, Reader::DEFAULT_CHUNK).unwrap();
        let mut sizes = Vec::new();
        let mut all = Vec::new();
        while let Some(chunk) = reader.read_chunk().await.unwrap() {
            sizes.push(chunk.len());
            all.extend_from_slice(&chunk);
        }
        assert_eq!(sizes, [32768, 32768, 32768, 1696]);
        assert_eq!(all, data);
        assert_eq!(reader.offset(), 100_000);
        assert_eq!(reader.read_chunk().await.unwrap(), None);
        file.close().await.unwrap();
    });
}

#[test]
fn reader_from_offset_stream_and_slices() {
    let tmp = Tmp::new(b"0123456789");
    block_on(async {
        let file = AioFile::open(tmp.path(), "rb").await.unwrap();
        let chunks: Vec<_> = Reader::new(&file, 3, 4).unwrap().collect().await;
        let chunks: Vec<Vec<u8>> = chunks.into_iter().map(Result::unwrap).collect();
        assert_eq!(chunks, [&b"3456"[..], b"789"]);
        let mut reader = Reader::new(&file, 8, 1).unwrap();
        assert_eq!(reader.read_chunk_slice().await.unwrap(), Some(&b"8"[..]));
        assert_eq!(
            reader.next().await.transpose().unwrap(),
            Some(b"9".to_vec())
        );
        assert!(reader.next().await.is_none());
        let mut past = Reader::new(&file, 50, 4).unwrap();
        assert_eq!(past.read_chunk().await.unwrap(), None);
    });
}

#[test]
fn chunk_size_zero_is_invalid_input_everywhere() {
    let tmp = Tmp::new(b"x");
    block_on(async {
        let file = AioFile::open(tmp.path(), "r").await.unwrap();
        assert!(matches!(
            Reader::new(&file, 0, 0),
            Err(Error::InvalidInput(_))
        ));
        assert!(matches!(
            TextReader::new(&file, 0, 0),
            Err(Error::InvalidInput(_))
        ));
        assert!(matches!(
            LineReader::new(&file, 0, 0, b"\n"),
            Err(Error::InvalidInput(_))
        ));
        assert!(matches!(
            TextLineReader::new(&file, 0, 0, "\n"),
            Err(Error::InvalidInput(_))
        ));
    });
}

#[test]
fn streams_need_an_open_file_and_fail_after_close() {
    let tmp = Tmp::new(b"abc\ndef\n");
    block_on(async {
        let unopened = AioFile::new(tmp.path(), "r", aiofile::OpenOptions::new()).unwrap();
        assert!(matches!(
            Reader::new(&unopened, 0, 4),
            Err(Error::NotOpened)
        ));
        assert!(matches!(Writer::new(&unopened, 0), Err(Error::NotOpened)));

        let file = AioFile::open(tmp.path(), "r+").await.unwrap();
        let mut reader = Reader::new(&file, 0, 2).unwrap();
        let mut lines = LineReader::new(&file, 0, 2, b"\n").unwrap();
        let mut writer = Writer::new(&file, 0).unwrap();
        assert_eq!(reader.read_chunk().await.unwrap(), Some(b"ab".to_vec()));
        assert_eq!(lines.readline().await.unwrap(), Some(b"abc\n".to_vec()));
        file.close().await.unwrap();
        assert!(matches!(reader.read_chunk().await, Err(Error::Closed)));
        assert!(matches!(lines.readline().await, Err(Error::Closed)));
        assert!(matches!(writer.write(b"x").await, Err(Error::Closed)));
        // The streams end after their error.
        assert!(reader.next().await.is_none());
        assert!(lines.next().await.is_none());
        assert!(matches!(Reader::new(&file, 0, 4), Err(Error::Closed)));
    });
}

#[test]
fn writer_writes_in_sequence_one_write_behind() {
    let tmp = Tmp::new(b"");
    block_on(async {
        let file = AioFile::open(tmp.path(), "r+b").await.unwrap();
        let mut writer = Writer::new(&file, 2).unwrap();
        assert_eq!(writer.write(b"ab").await.unwrap(), 2);
        assert_eq!(writer.write("한글").await.unwrap(), 6);
        // Returning from a write means the previous one is written (this one may be too).
        assert!(file.read(10, 0).await.unwrap().starts_with(b"\0\0ab"));
        assert_eq!(writer.write(String::from("!")).await.unwrap(), 1);
        assert_eq!(writer.write(b"").await.unwrap(), 0);
        assert_eq!(writer.offset(), 11);
        writer.flush().await.unwrap();
        assert_eq!(file.read_to_end(0).await.unwrap(), "\0\0ab한글!".as_bytes());
        // Bigger than the kept buffers: still one write, and in order.
        let big: Vec<u8> = (0..Writer::BUFFER as u32 + 300_000)
            .map(|i| (i % 253) as u8)
            .collect();
        assert_eq!(writer.write(&big).await.unwrap(), big.len());
        assert_eq!(writer.write(b"tail").await.unwrap(), 4);
        assert_eq!(file.read(big.len(), 11).await.unwrap(), big);
        writer.flush().await.unwrap();
        let end = 11 + big.len() as u64;
        assert_eq!(file.read(10, end).await.unwrap(), b"tail");
        assert_eq!(writer.offset(), end + 4);
        file.close().await.unwrap();
    });
}

#[test]
fn writer_interleaves_write_write_buf_poll_write_and_keeps_order() {
    let tmp = Tmp::new(b"");
    block_on(async {
        let file = AioFile::open(tmp.path(), "w+b").await.unwrap();
        let mut writer = Writer::new(&file, 0).unwrap();
        let mut want = Vec::new();
        let mut buf = Vec::new();
        for i in 0..60u32 {
            let piece: Vec<u8> = (0..(i * 7919) % 20_000 + 1)
                .map(|j| (i * 31 + j) as u8)
                .collect();
            match i % 3 {
                0 => assert_eq!(writer.write(&piece).await.unwrap(), piece.len()),
                1 => {
                    buf.clear();
                    buf.extend_from_slice(&piece);
                    let (res, back) = writer.write_buf(buf).await;
                    assert_eq!(res.unwrap(), piece.len());
                    buf = back;
                }
                _ => {
                    let n = std::future::poll_fn(|cx| writer.poll_write(cx, &piece)).await;
                    assert_eq!(n.unwrap(), piece.len());
                }
            }
            want.extend_from_slice(&piece);
            assert_eq!(writer.offset(), want.len() as u64);
        }
        writer.flush().await.unwrap();
        assert_eq!(file.read_to_end(0).await.unwrap(), want);
        file.close().await.unwrap();
    });
}

#[test]
fn write_buf_hands_back_the_previous_buffer_untouched() {
    let tmp = Tmp::new(b"");
    block_on(async {
        let file = AioFile::open(tmp.path(), "w+b").await.unwrap();
        let mut writer = Writer::new(&file, 0).unwrap();
        let first = b"first".to_vec();
        let first_ptr = first.as_ptr();
        let (res, back) = writer.write_buf(first).await;
        assert_eq!(res.unwrap(), 5);
        assert_eq!(back.capacity(), 0, "no finished write yet");
        let (res, back) = writer.write_buf(b"second".to_vec()).await;
        assert_eq!(res.unwrap(), 6);
        // The very buffer of the first write, with its bytes: nothing was copied.
        assert_eq!((back.as_ptr(), back.as_slice()), (first_ptr, &b"first"[..]));
        let (res, empty) = writer.write_buf(Vec::new()).await;
        assert_eq!((res.unwrap(), empty.len()), (0, 0));
        writer.flush().await.unwrap();
        assert_eq!(file.read_to_end(0).await.unwrap(), b"firstsecond");
        file.close().await.unwrap();
    });
}

#[test]
fn a_failed_write_is_reported_by_the_next_call_and_every_later_one() {
    let tmp = Tmp::new(b"0123456789");
    block_on(async {
        // A read-only descriptor: every pwrite fails with EBADF.
        let file = AioFile::open(tmp.path(), "rb").await.unwrap();
        let is_ebadf =
            |e: &Error| matches!(e, Error::Io(io) if io.raw_os_error() == Some(libc::EBADF));
        let mut writer = Writer::new(&file, 0).unwrap();
        // Accepted: the failure is not known (or not reported) yet.
        assert_eq!(writer.write(b"abc").await.unwrap(), 3);
        let e = writer.write(b"def").await.unwrap_err();
        assert!(is_ebadf(&e), "{e:?}");
        assert_eq!(
            writer.offset(),
            3,
            "the data of a failed call is not accepted"
        );
        assert!(is_ebadf(&writer.flush().await.unwrap_err()));
        let (res, back) = writer.write_buf(b"ghi".to_vec()).await;
        assert!(is_ebadf(&res.unwrap_err()));
        assert_eq!(back, b"ghi", "a refused buffer comes back");
        assert!(is_ebadf(&writer.write(b"").await.unwrap_err()));
        assert!(is_ebadf(
            &SinkExt::<&[u8]>::flush(&mut writer).await.unwrap_err()
        ));

        // The same through flush alone.
        let mut writer = Writer::new(&file, 0).unwrap();
        writer.write(b"abc").await.unwrap();
        assert!(is_ebadf(&writer.flush().await.unwrap_err()));
        assert_eq!(file.read_to_end(0).await.unwrap(), b"0123456789");
    });
}

#[test]
fn a_dropped_write_accepts_nothing_or_everything() {
    let tmp = Tmp::new(b"");
    block_on(async {
        let file = AioFile::open(tmp.path(), "w+b").await.unwrap();
        let mut writer = Writer::new(&file, 0).unwrap();
        let first = vec![b'1'; 1 << 20];
        writer.write(&first).await.unwrap();
        // Polled once with a waker that does nothing, then dropped.
        let waker = futures::task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        let accepted = {
            let fut = std::pin::pin!(writer.write(b"second"));
            fut.poll(&mut cx).is_ready()
        };
        writer.write(b"third").await.unwrap();
        writer.flush().await.unwrap();
        let mut want = first.clone();
        if accepted {
            want.extend_from_slice(b"second");
        }
        want.extend_from_slice(b"third");
        assert_eq!(file.read_to_end(0).await.unwrap(), want);
        assert_eq!(writer.offset(), want.len() as u64);
        file.close().await.unwrap();
    });
}

#[test]
fn writer_is_a_sink() {
    let tmp = Tmp::new(b"");
    block_on(async {
        let file = AioFile::open(tmp.path(), "w+b").await.unwrap();
        let mut writer = Writer::new(&file, 0).unwrap();
        writer.send(b"one ".to_vec()).await.unwrap();
        writer.feed("two ").await.unwrap();
        writer
            .feed(vec![b'x'; Writer::BUFFER * 2 + 5])
            .await
            .unwrap();
        writer.flush().await.unwrap();
        let mut items = futures::stream::iter(["a", "b", "c"].map(Ok::<_, Error>));
        writer.send_all(&mut items).await.unwrap();
        SinkExt::<&str>::close(&mut writer).await.unwrap();
        let mut want = b"one two ".to_vec();
        want.extend(vec![b'x'; Writer::BUFFER * 2 + 5]);
        want.extend_from_slice(b"abc");
        assert_eq!(file.read_to_end(0).await.unwrap(), want);
        assert_eq!(writer.offset(), want.len() as u64);
        file.close().await.unwrap();
    });
}

#[test]
fn line_reader_basics() {
    assert_eq!(LineReader::DEFAULT_CHUNK, 4192);
    let tmp = Tmp::new(b"line1\n\nline3\nlast");
    block_on(async {
        let file = AioFile::open(tmp.path(), "rb").await.unwrap();
        let got = all_lines(&file, 0, LineReader::DEFAULT_CHUNK, b"\n").await;
        assert_eq!(got, [&b"line1\n"[..], b"\n", b"line3\n", b"last"]);
        assert_eq!(
            all_lines(&file, 3, 4192, b"\n").await,
            [&b"e1\n"[..], b"\n", b"line3\n", b"last"]
        );
        let mut reader = LineReader::new(&file, 0, 4, b"\n").unwrap();
        assert_eq!(reader.separator(), b"\n");
        reader.readline().await.unwrap();
        reader.readline().await.unwrap();
        assert_eq!(reader.position(), 7);
        let rest: Vec<_> = reader.map(Result::unwrap).collect().await;
        assert_eq!(rest, [&b"line3\n"[..], b"last"]);
    });
    let empty = Tmp::new(b"");
    block_on(async {
        let file = AioFile::open(empty.path(), "rb").await.unwrap();
        assert!(all_lines(&file, 0, 7, b"\n").await.is_empty());
    });
}

#[test]
fn line_reader_rejects_bad_separators() {
    let tmp = Tmp::new(b"x");
    block_on(async {
        let file = AioFile::open(tmp.path(), "rb").await.unwrap();
        for sep in [&b""[..], &[b'-'; 17]] {
            assert!(matches!(
                LineReader::new(&file, 0, 16, sep),
                Err(Error::InvalidInput(_))
            ));
        }
        assert!(LineReader::new(&file, 0, 16, &[b'-'; 16]).is_ok());
    });
}

/// Contents that put separators, their prefixes and multi-byte characters at every
/// position relative to small chunks.
fn samples(sep: &str) -> Vec<Vec<u8>> {
    let s = sep;
    let prefix = &sep.as_bytes()[..sep.len() - 1];
    let mut out = vec![
        Vec::new(),
        s.as_bytes().to_vec(),
        format!("{s}{s}{s}").into_bytes(),
        format!("ab{s}cd{s}ef").into_bytes(),
        format!("a{s}b{s}c{s}d{s}").into_bytes(),
        format!("한글{s}💾é{s}{s}x→y\nz\r\n{s}end").into_bytes(),
        format!("{}{s}short{s}", "long".repeat(40)).into_bytes(),
    ];
    let mut tricky = Vec::new();
    for i in 0..12 {
        tricky.extend_from_slice(&b"xyzw"[..i % 4]);
        tricky.extend_from_slice(prefix);
        if i % 3 == 0 {
            tricky.extend_from_slice(s.as_bytes());
        }
    }
    out.push(tricky);
    out
}

#[test]
fn line_reader_results_do_not_depend_on_chunk_size() {
    for sep in [
        "\n",
        "\r\n",
        "||",
        ";",
        "→",
        "abab",
        "\r\n\r\n",
        "=-=-=-=-=-=-=-=-",
    ] {
        for (k, data) in samples(sep).into_iter().enumerate() {
            let want = model_lines(&data, sep.as_bytes());
            let tmp = Tmp::new(&data);
            block_on(async {
                let file = AioFile::open(tmp.path(), "rb").await.unwrap();
                for chunk in (1..=16).chain([LineReader::DEFAULT_CHUNK]) {
                    let got = all_lines(&file, 0, chunk, sep.as_bytes()).await;
                    assert_eq!(got, want, "sep {sep:?}, sample {k}, chunk {chunk}");
                }
                // The tricky sample holds a cut "→": not text.
                let Ok(text) = std::str::from_utf8(&data) else {
                    return;
                };
                for chunk in [1, 2, 3, 5, 16] {
                    let mut lines = TextLineReader::new(&file, 0, chunk, sep).unwrap();
                    let mut got = String::new();
                    let mut n = 0;
                    while let Some(line) = lines.readline().await.unwrap() {
                        got.push_str(&line);
                        n += 1;
                    }
                    assert_eq!((got.as_str(), n), (text, want.len()), "{sep:?} {k} {chunk}");
                    // The borrowed form gives the same lines.
                    let mut lines = TextLineReader::new(&file, 0, chunk, sep).unwrap();
                    let mut borrowed = Vec::new();
                    while let Some(line) = lines.next_line().await.unwrap() {
                        borrowed.push(line.as_bytes().to_vec());
                    }
                    assert_eq!(borrowed, want, "next_line {sep:?} {k} {chunk}");
                    assert_eq!(lines.position(), data.len() as u64);
                }
            });
        }
    }
}

#[test]
fn long_lines_are_joined_from_pieces() {
    let long: Vec<u8> = (0..50_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let mut data = b"short\n".to_vec();
    data.extend_from_slice(&long);
    data.extend_from_slice(b"\r\n");
    data.extend_from_slice(&long[..20_000]);
    data.extend_from_slice(b"\r\nend");
    let tmp = Tmp::new(&data);
    block_on(async {
        let file = AioFile::open(tmp.path(), "rb").await.unwrap();
        for chunk in [1000, 4192, 8192, 32768] {
            let got = all_lines(&file, 0, chunk, b"\r\n").await;
            assert_eq!(got, model_lines(&data, b"\r\n"), "chunk {chunk}");
            assert_eq!(got[0].len(), 6 + 50_000 + 2);
        }
    });
}

#[test]
fn text_reader_keeps_characters_whole_across_chunks() {
    let text = "한글abc💾é→z\n끝";
    let tmp = Tmp::new(text.as_bytes());
    block_on(async {
        let file = AioFile::open(tmp.path(), "r").await.unwrap();
        for chunk in 1..=16 {
            let mut reader = TextReader::new(&file, 0, chunk).unwrap();
            let mut got = String::new();
            while let Some(piece) = reader.read_chunk().await.unwrap() {
                assert!(!piece.is_empty());
                assert!(piece.len() <= chunk + 3, "chunk {chunk}: {piece:?}");
                got.push_str(&piece);
                assert_eq!(reader.position(), got.len() as u64);
            }
            assert_eq!(got, text, "chunk {chunk}");
            assert_eq!(reader.read_chunk().await.unwrap(), None);
        }
        let per_char: Vec<String> = TextReader::new(&file, 0, 1)
            .unwrap()
            .map(Result::unwrap)
            .collect()
            .await;
        let want: Vec<String> = text.chars().map(String::from).collect();
        assert_eq!(per_char, want);
    });
}

#[test]
fn text_reader_reports_absolute_decode_offsets() {
    let tmp = Tmp::new(b"abc\xffdef");
    let cut = Tmp::new(b"ab\xe2\x82");
    block_on(async {
        let file = AioFile::open(tmp.path(), "r").await.unwrap();
        let mut reader = TextReader::new(&file, 1, 64).unwrap();
        assert_eq!(reader.read_chunk().await.unwrap().as_deref(), Some("bc"));
        assert!(matches!(
            reader.read_chunk().await,
            Err(Error::Decode { offset: 3 })
        ));
        assert!(reader.next().await.is_none());
        let mut reader = TextReader::new(&file, 3, 2).unwrap();
        assert!(matches!(
            reader.read_chunk().await,
            Err(Error::Decode { offset: 3 })
        ));

        let file = AioFile::open(cut.path(), "r").await.unwrap();
        let mut reader = TextReader::new(&file, 0, 1).unwrap();
        assert_eq!(reader.read_chunk().await.unwrap().as_deref(), Some("a"));
        assert_eq!(reader.read_chunk().await.unwrap().as_deref(), Some("b"));
        assert!(matches!(
            reader.read_chunk().await,
            Err(Error::Decode { offset: 2 })
        ));
    });
}

#[test]
fn text_line_reader_decode_error_has_offset_and_ends_stream() {
    let tmp = Tmp::new(b"ok\nbad\xc3(\nnext\n");
    block_on(async {
        let file = AioFile::open(tmp.path(), "r").await.unwrap();
        let mut lines = TextLineReader::new(&file, 0, 2, "\n").unwrap();
        assert_eq!(
            lines.next().await.transpose().unwrap().as_deref(),
            Some("ok\n")
        );
        assert!(matches!(
            lines.next().await,
            Some(Err(Error::Decode { offset: 6 }))
        ));
        assert!(lines.next().await.is_none());
        assert_eq!(lines.position(), 3);
        // The borrowed form: the same error once, then the same end.
        let mut lines = TextLineReader::new(&file, 0, 2, "\n").unwrap();
        assert_eq!(lines.next_line().await.unwrap(), Some("ok\n"));
        assert!(matches!(
            lines.next_line().await,
            Err(Error::Decode { offset: 6 })
        ));
        assert!(
            lines.next_line().await.is_err(),
            "a failed stream stays failed"
        );
        assert_eq!(lines.position(), 3);
    });
}

/// Compiles only if the streams and their futures are `Send`.
#[allow(dead_code)]
fn streams_and_their_futures_are_send(file: &AioFile) {
    fn is_send<T: Send>(_: T) {}
    let mut reader = Reader::new(file, 0, 1).unwrap();
    is_send(reader.read_chunk());
    let mut lines = LineReader::new(file, 0, 1, b"\n").unwrap();
    is_send(lines.readline());
    let mut text = TextLineReader::new(file, 0, 1, "\n").unwrap();
    is_send(text.readline());
    let mut chunks = TextReader::new(file, 0, 1).unwrap();
    is_send(chunks.read_chunk());
    let mut writer = Writer::new(file, 0).unwrap();
    is_send(writer.write(b"x"));
    is_send((reader, lines, text, chunks, writer));
}
