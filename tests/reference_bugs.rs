//! Each surprising or buggy behaviour of the reference (behaviour notes §10) that applies
//! to the wrappers, streams and text layer, with the reference's own example data,
//! asserting what ours does instead. Tests are named after the item.
//!
//! The tests run one at a time (a lock), so the read-count test (§10.23) sees only its
//! own reads.
mod support;

use std::future::Future;
use std::io::SeekFrom;
use std::path::Path;
use std::sync::Mutex;
use support::Tmp;

use aiofile::{
    async_open, async_open_binary, async_open_text, AioFile, BinaryFileWrapper, Error, LineReader,
    OpenOptions, TextLineReader, TextReader, Writer,
};
use futures::{FutureExt, StreamExt};

static SERIAL: Mutex<()> = Mutex::new(());

fn run<F: Future>(f: F) -> F::Output {
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    futures::executor::block_on(f)
}

async fn lines_of(file: &AioFile, chunk: usize, sep: &[u8]) -> Vec<Vec<u8>> {
    let reader = LineReader::new(file, 0, chunk, sep).unwrap();
    reader.map(Result::unwrap).collect().await
}

#[test]
fn bug_10_01_readline_limit_neither_crosses_the_newline_nor_loses_data() {
    let tmp = Tmp::new(b"ab\ncd\nef");
    run(async {
        let mut f = async_open_binary(tmp.path(), "rb").await.unwrap();
        // Reference: readline(5) -> b"ab\ncd", tell 8, then b"".
        assert_eq!(f.readline_with(Some(5), b"\n").await.unwrap(), b"ab\n");
        assert_eq!(f.tell(), 3);
        assert_eq!(f.read_to_end().await.unwrap(), b"cd\nef");
        // Reference: readline(2) -> b"ab", tell 8.
        f.seek(SeekFrom::Start(0)).await.unwrap();
        assert_eq!(f.readline_with(Some(2), b"\n").await.unwrap(), b"ab");
        assert_eq!(f.tell(), 2);
        assert_eq!(f.readline().await.unwrap(), b"\n");
        // readline(100) was already right: b"ab\n", tell 3.
        f.seek(SeekFrom::Start(0)).await.unwrap();
        assert_eq!(f.readline_with(Some(100), b"\n").await.unwrap(), b"ab\n");
        assert_eq!(f.tell(), 3);

        let mut t = async_open_text(tmp.path(), "r").await.unwrap();
        assert_eq!(t.readline_with(Some(5), "\n").await.unwrap(), "ab\n");
        assert_eq!(t.readline_with(Some(2), "\n").await.unwrap(), "cd");
        assert_eq!(t.tell(), 5);
        assert_eq!(t.read_to_end().await.unwrap(), "\nef");
    });
}

#[test]
fn bug_10_02_readline_splits_on_the_newline_argument() {
    let tmp = Tmp::new(b"a;b;c\nd;e");
    run(async {
        // Reference: readline(newline=b';') -> b'a;b;c\n'.
        let mut f = async_open_binary(tmp.path(), "rb").await.unwrap();
        let mut got = Vec::new();
        loop {
            let line = f.readline_with(None, b";").await.unwrap();
            if line.is_empty() {
                break;
            }
            got.push(line);
        }
        assert_eq!(got, [&b"a;"[..], b"b;", b"c\nd;", b"e"]);
        let mut t = async_open_text(tmp.path(), "r").await.unwrap();
        assert_eq!(t.readline_with(None, ";").await.unwrap(), "a;");
        assert_eq!(t.readline_with(None, "\nd").await.unwrap(), "b;c\nd");
    });
}

#[test]
fn bug_10_03_line_iteration_starts_at_the_position_and_advances_it() {
    let tmp = Tmp::new(b"line1\nline2\nline3");
    run(async {
        // Reference: after seek(6), `async for` yields all 3 lines and tell() stays 6.
        let mut f = async_open_binary(tmp.path(), "rb").await.unwrap();
        f.seek(SeekFrom::Start(6)).await.unwrap();
        let got: Vec<_> = f.lines().unwrap().map(Result::unwrap).collect().await;
        assert_eq!(got, [&b"line2\n"[..], b"line3"]);
        assert_eq!(f.tell(), 17);
        let mut t = async_open_text(tmp.path(), "r").await.unwrap();
        t.seek(SeekFrom::Start(6)).await.unwrap();
        let first = t.lines().unwrap().next().await.unwrap().unwrap();
        assert_eq!((first.as_str(), t.tell()), ("line2\n", 12));
        // Append mode: the position is the end of file, so there is nothing to iterate.
        let mut a = async_open_text(tmp.path(), "a+").await.unwrap();
        assert_eq!(a.tell(), 17);
        assert!(a.lines().unwrap().next().await.is_none());
        assert_eq!(a.tell(), 17);
    });
}

#[test]
fn bug_10_04_iter_chunked_advances_the_position() {
    let tmp = Tmp::new(b"0123456789");
    run(async {
        let mut f = async_open_binary(tmp.path(), "rb").await.unwrap();
        f.seek(SeekFrom::Start(2)).await.unwrap();
        let mut chunks = f.iter_chunked(3).unwrap();
        assert_eq!(chunks.next().await.unwrap().unwrap(), b"234");
        assert_eq!(chunks.next().await.unwrap().unwrap(), b"567");
        drop(chunks);
        assert_eq!(f.tell(), 8);
        let mut t = async_open_text(tmp.path(), "r").await.unwrap();
        let all: Vec<_> = t
            .iter_chunked(4)
            .unwrap()
            .map(Result::unwrap)
            .collect()
            .await;
        assert_eq!((all.concat().as_str(), t.tell()), ("0123456789", 10));
    });
}

#[test]
fn bug_10_05_append_position_is_read_at_open_and_follows_the_real_end() {
    let tmp = Tmp::new(b"0123456789");
    run(async {
        // Reference: the file grew by "EXTERNAL" between construction and open; tell()
        // still said 10 and read() returned "EXTERNAL".
        let file = AioFile::new(tmp.path(), "ab+", OpenOptions::new()).unwrap();
        append_external(tmp.path(), b"EXTERNAL");
        let mut f = BinaryFileWrapper::new(file).await.unwrap();
        assert_eq!(f.tell(), 18);
        assert_eq!(f.read(100).await.unwrap(), b"");
        // Reference: after writes tell() = old offset + bytes, not the real end.
        f.write(b"AB").await.unwrap();
        append_external(tmp.path(), b"++");
        f.write(b"CD").await.unwrap();
        assert_eq!(f.tell(), 24);
        assert_eq!(
            std::fs::read(tmp.path()).unwrap(),
            b"0123456789EXTERNALAB++CD"
        );
    });
}

fn append_external(path: &Path, data: &[u8]) {
    let mut o = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    std::io::Write::write_all(&mut o, data).unwrap();
}

#[test]
fn bug_10_06_custom_separators_do_not_depend_on_chunk_alignment() {
    let bars = Tmp::new(b"ab||cd||ef");
    let semis = Tmp::new(b"a;b;c;d");
    run(async {
        // Reference: ['ab||','cd||','ef'] only for chunk 4; ['ab||cd||ef'] for 3, 5, default.
        let file = AioFile::open(bars.path(), "rb").await.unwrap();
        for chunk in [3, 4, 5, LineReader::DEFAULT_CHUNK] {
            assert_eq!(
                lines_of(&file, chunk, b"||").await,
                [&b"ab||"[..], b"cd||", b"ef"]
            );
            let text = TextLineReader::new(&file, 0, chunk, "||").unwrap();
            let text: Vec<String> = text.map(Result::unwrap).collect().await;
            assert_eq!(text, ["ab||", "cd||", "ef"]);
        }
        // Reference: chunk 2 -> 4 lines, chunk 3 -> ['a;b;c;','d'], default -> one line.
        let file = AioFile::open(semis.path(), "rb").await.unwrap();
        for chunk in [2, 3, LineReader::DEFAULT_CHUNK] {
            assert_eq!(
                lines_of(&file, chunk, b";").await,
                [&b"a;"[..], b"b;", b"c;", b"d"]
            );
        }
    });
}

#[test]
fn bug_10_07_crlf_separator_is_not_fooled_by_a_bare_newline() {
    let mixed = Tmp::new(b"ab\r\ncd\nef\r\ngh");
    let pure = Tmp::new(b"ab\r\ncd\r\nef");
    run(async {
        // Reference: ['ab\r\n', 'cd\nef\r\ngh'].
        let file = AioFile::open(mixed.path(), "rb").await.unwrap();
        for chunk in 1..=16 {
            let got = lines_of(&file, chunk, b"\r\n").await;
            assert_eq!(got, [&b"ab\r\n"[..], b"cd\nef\r\n", b"gh"], "chunk {chunk}");
        }
        let file = AioFile::open(pure.path(), "rb").await.unwrap();
        assert_eq!(
            lines_of(&file, 3, b"\r\n").await,
            [&b"ab\r\n"[..], b"cd\r\n", b"ef"]
        );
    });
}

#[test]
fn bug_10_08_empty_separator_is_an_error_not_chunk_fragments() {
    let tmp = Tmp::new(b"line1\nline2\nline3");
    run(async {
        // Reference: ['line','1\n','li','ne2\n','line','3'] for chunk 4.
        let file = AioFile::open(tmp.path(), "rb").await.unwrap();
        assert!(matches!(
            LineReader::new(&file, 0, 4, b""),
            Err(Error::InvalidInput(_))
        ));
        assert!(matches!(
            TextLineReader::new(&file, 0, 4, ""),
            Err(Error::InvalidInput(_))
        ));
        let mut f = async_open_binary(tmp.path(), "rb").await.unwrap();
        assert!(matches!(f.lines_with(b""), Err(Error::InvalidInput(_))));
        assert!(matches!(
            f.readline_with(None, b"").await,
            Err(Error::InvalidInput(_))
        ));
        assert_eq!(f.tell(), 0);
    });
}

#[test]
fn bug_10_09_readline_after_iterating_to_the_end_returns_none() {
    let tmp = Tmp::new(b"line1\nline2\n");
    run(async {
        // Reference: ValueError("I/O operation on closed file") after `async for`.
        let file = AioFile::open(tmp.path(), "rb").await.unwrap();
        let mut reader = LineReader::new(&file, 0, 4, b"\n").unwrap();
        let mut n = 0;
        while let Some(line) = reader.next().await {
            line.unwrap();
            n += 1;
        }
        assert_eq!(n, 2);
        assert_eq!(reader.readline().await.unwrap(), None);
        assert_eq!(reader.readline().await.unwrap(), None);
        let mut text = TextLineReader::new(&file, 0, 4, "\n").unwrap();
        while text.next().await.is_some() {}
        assert_eq!(text.readline().await.unwrap(), None);
    });
}

#[test]
fn bug_10_10_no_newline_translation_is_kept_and_documented() {
    let tmp = Tmp::new(b"a\r\nb\rc\n");
    run(async {
        // Kept on purpose (same as the reference): lines come back byte for byte.
        let mut t = async_open_text(tmp.path(), "r").await.unwrap();
        assert_eq!(t.readline().await.unwrap(), "a\r\n");
        assert_eq!(t.readline().await.unwrap(), "b\rc\n");
        assert_eq!(t.readline().await.unwrap(), "");
        // ... and "\r\n" is available as a separator when wanted.
        t.seek(SeekFrom::Start(0)).await.unwrap();
        assert_eq!(t.readline_with(None, "\r\n").await.unwrap(), "a\r\n");
    });
}

#[test]
fn bug_10_11_text_reads_never_fail_on_a_split_character_and_read_proc_files() {
    let tmp = Tmp::new("한".as_bytes());
    run(async {
        // Reference: read(1) on "한" raised UnicodeDecodeError.
        let file = AioFile::open(tmp.path(), "r").await.unwrap();
        assert_eq!(file.read_text(1, 0).await.unwrap(), "한");
        let mut reader = TextReader::new(&file, 0, 1).unwrap();
        assert_eq!(reader.read_chunk().await.unwrap().as_deref(), Some("한"));
        // Reference: size=-1 used st_size, so procfs files read as empty.
        let proc = AioFile::open("/proc/self/status", "r").await.unwrap();
        assert!(proc.read_text_to_end(0).await.unwrap().contains("Pid:"));
        assert!(!proc.read_to_end(0).await.unwrap().is_empty());
        let mut wrapped = async_open_text("/proc/self/status", "r").await.unwrap();
        assert!(wrapped.read_to_end().await.unwrap().starts_with("Name:"));
    });
}

#[test]
fn bug_10_12_text_write_returns_bytes_and_tell_is_a_byte_offset() {
    let tmp = Tmp::new(b"");
    run(async {
        // Kept and documented: bytes, not characters.
        let mut t = async_open_text(tmp.path(), "w+").await.unwrap();
        assert_eq!(t.write("한글").await.unwrap(), 6);
        assert_eq!(t.tell(), 6);
        t.seek(SeekFrom::Start(3)).await.unwrap();
        assert_eq!(t.read(1).await.unwrap(), "글");
    });
}

#[test]
fn bug_10_13_a_failed_write_does_not_move_the_position() {
    let tmp = Tmp::new(b"");
    run(async {
        // Reference: write('x') on a binary wrapper failed and tell() went 0 -> 1. In Rust
        // a `&str` for a binary wrapper does not compile, so fail with the OS instead.
        let mut f = async_open_binary(tmp.path(), "rb").await.unwrap();
        assert!(f.write(b"x").await.is_err());
        assert_eq!(f.tell(), 0);
        let mut t = async_open_text(tmp.path(), "r").await.unwrap();
        assert!(t.write("x").await.is_err());
        assert_eq!(t.tell(), 0);
    });
}

#[test]
fn bug_10_14_reading_everything_is_the_same_call_for_both_wrappers() {
    let tmp = Tmp::new(b"all of it");
    run(async {
        // Reference: text read(-5) read everything, binary read(-5) raised. Counts are
        // unsigned here; both wrappers read everything with read_to_end or usize::MAX.
        let mut b = async_open_binary(tmp.path(), "rb").await.unwrap();
        let mut t = async_open_text(tmp.path(), "r").await.unwrap();
        assert_eq!(b.read(usize::MAX).await.unwrap(), b"all of it");
        assert_eq!(t.read(usize::MAX).await.unwrap(), "all of it");
        b.seek(SeekFrom::Start(0)).await.unwrap();
        t.seek(SeekFrom::Start(0)).await.unwrap();
        assert_eq!(b.read_to_end().await.unwrap(), b"all of it");
        assert_eq!(t.read_to_end().await.unwrap(), "all of it");
    });
}

#[test]
fn bug_10_15_a_failed_open_can_be_retried() {
    let tmp = Tmp::new(b"");
    std::fs::remove_file(tmp.path()).unwrap();
    run(async {
        let file = AioFile::new(tmp.path(), "rb", OpenOptions::new()).unwrap();
        let err = BinaryFileWrapper::new(file.clone()).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
        std::fs::write(tmp.path(), b"now here").unwrap();
        let mut f = BinaryFileWrapper::new(file).await.unwrap();
        assert_eq!(f.read_to_end().await.unwrap(), b"now here");
        assert!(async_open(tmp.path(), "r").await.is_ok());
    });
}

#[test]
fn bug_10_16_closing_the_last_wrapper_closes_even_when_the_sync_fails() {
    run(async {
        // fdatasync on /dev/null fails with EINVAL, as on the reference's pipes.
        let mut f = async_open_binary("/dev/null", "wb").await.unwrap();
        let g = f.clone();
        drop(g);
        let err = f.close().await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EINVAL));
        assert!(f.is_closed() && f.file().is_closed());
    });
}

#[test]
fn bug_10_17_bad_modes_fail_at_async_open_with_a_mode_error() {
    let tmp = Tmp::new(b"untouched");
    run(async {
        // Reference: some passed parse_mode and failed only at open, with ValueError.
        for mode in ["rx", "wx", "xx", "z", "", "rbt", "r++"] {
            assert!(
                matches!(async_open(tmp.path(), mode).await, Err(Error::Mode(_))),
                "{mode:?}"
            );
        }
        assert_eq!(std::fs::read(tmp.path()).unwrap(), b"untouched");
    });
}

#[test]
fn bug_10_18_only_utf8_and_no_byte_order_marks() {
    let tmp = Tmp::new(b"");
    run(async {
        // Reference: utf-16 wrote a BOM on every call. Other encodings are refused.
        assert!(matches!(
            OpenOptions::new().encoding("utf-16"),
            Err(Error::Unsupported(_))
        ));
        assert!(OpenOptions::new().encoding("UTF8").is_ok());
        let file = AioFile::open(tmp.path(), "w+").await.unwrap();
        let mut w = Writer::new(&file, 0).unwrap();
        w.write("ab").await.unwrap();
        w.write("cd").await.unwrap();
        w.flush().await.unwrap(); // `write` is one write behind
        assert_eq!(file.read_to_end(0).await.unwrap(), b"abcd");
    });
}

#[test]
fn bug_10_19_errors_are_typed_with_errno() {
    let tmp = Tmp::new(b"");
    run(async {
        // Reference: SystemError without errno, ValueError or OSError by backend.
        let mut f = async_open_binary(tmp.path(), "rb").await.unwrap();
        let err = f.write(b"x").await.unwrap_err();
        assert!(matches!(&err, Error::Io(_)));
        assert_eq!(err.raw_os_error(), Some(libc::EBADF));
        let io: std::io::Error = err.into();
        assert_eq!(io.raw_os_error(), Some(libc::EBADF));
    });
}

#[test]
fn bug_10_20_a_dropped_operation_leaves_the_position() {
    let tmp = Tmp::new(b"0123456789");
    run(async {
        // The kernel operation cannot be recalled (as in the reference); what we promise
        // is that an operation whose future is dropped before it finishes does not move
        // the wrapper's position (one that finished on its first poll did), and that the
        // wrapper stays usable.
        let mut f = async_open_binary(tmp.path(), "r+b").await.unwrap();
        f.read(2).await.unwrap();
        let wrote = f.write(b"AB").now_or_never();
        assert_eq!(f.tell(), if wrote.is_some() { 4 } else { 2 });
        let at = f.tell();
        let read = f.read(3).now_or_never();
        assert_eq!(f.tell(), at + read.map_or(0, |r| r.unwrap().len() as u64));
        let at = f.tell();
        let line = f.readline().now_or_never();
        assert_eq!(f.tell(), at + line.map_or(0, |r| r.unwrap().len() as u64));
        f.seek(SeekFrom::Start(0)).await.unwrap();
        assert_eq!(f.read(2).await.unwrap(), b"01");
    });
}

#[test]
fn bug_10_22_readline_right_after_a_write_is_at_the_end() {
    let tmp = Tmp::new(b"");
    run(async {
        // Reference README test_basic printed two empty readlines without saying why.
        let mut t = async_open_text(tmp.path(), "w+").await.unwrap();
        t.write("Hello world\n").await.unwrap();
        assert_eq!(t.readline().await.unwrap(), "");
        t.seek(SeekFrom::Start(0)).await.unwrap();
        assert_eq!(t.readline().await.unwrap(), "Hello world\n");
    });
}

/// Read-like system calls made by this process so far (`/proc/self/io`), if available.
fn read_syscalls() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    let line = io.lines().find(|l| l.starts_with("syscr:"))?;
    line[6..].trim().parse().ok()
}

#[test]
fn bug_10_23_readline_does_not_cost_one_read_per_line() {
    let mut data = String::new();
    for i in 0..10_000 {
        data.push_str(&format!("line {i}\n"));
    }
    let tmp = Tmp::new(data.as_bytes());
    run(async {
        let Some(_) = read_syscalls() else {
            println!("skipped: /proc/self/io is not readable");
            return;
        };
        // Reference: 10 000 lines -> 10 840 reads with the wrapper, 14 with LineReader.
        let mut f = async_open_binary(tmp.path(), "rb").await.unwrap();
        let before = read_syscalls().unwrap();
        let mut n = 0;
        while !f.readline().await.unwrap().is_empty() {
            n += 1;
        }
        let wrapper_reads = read_syscalls().unwrap() - before;
        assert_eq!(n, 10_000);
        let file = AioFile::open(tmp.path(), "rb").await.unwrap();
        let before = read_syscalls().unwrap();
        assert_eq!(
            lines_of(&file, LineReader::DEFAULT_CHUNK, b"\n")
                .await
                .len(),
            10_000
        );
        let line_reader_reads = read_syscalls().unwrap() - before;
        println!(
            "{} bytes: wrapper {wrapper_reads} reads, LineReader {line_reader_reads}",
            data.len()
        );
        // 8 KiB read-ahead: about size / 8192 reads; LineReader: about size / 4192. Each
        // figure also counts the empty read at the end of file and the few reads of
        // /proc/self/io itself.
        assert!(
            wrapper_reads <= (data.len() / 8192) as u64 + 10,
            "{wrapper_reads}"
        );
        assert!(
            line_reader_reads <= (data.len() / 4192) as u64 + 10,
            "{line_reader_reads}"
        );
    });
}
