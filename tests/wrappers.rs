//! `async_open` and the two wrappers: typed opening, positions, seek, append mode,
//! clones, closing, line and chunk streams, and a model check of mixed operations.
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use aiofile::{
    async_open, async_open_binary, async_open_binary_with, async_open_text, AioFile,
    BinaryFileWrapper, Error, FileWrapper, OpenOptions,
};
use futures::executor::block_on;
use futures::StreamExt;

/// A unique temp file, removed on drop.
struct Tmp(PathBuf);

impl Tmp {
    fn new(content: &[u8]) -> Self {
        let tmp = Self::missing();
        std::fs::write(&tmp.0, content).unwrap();
        tmp
    }
    fn missing() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let name = format!("aiofile-wrappers-{}-{n}", std::process::id());
        Tmp(std::env::temp_dir().join(name))
    }
    fn path(&self) -> &Path {
        &self.0
    }
    fn read(&self) -> Vec<u8> {
        std::fs::read(&self.0).unwrap()
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn async_open_picks_the_wrapper_from_the_mode() {
    let tmp = Tmp::new(b"data");
    block_on(async {
        for (mode, binary) in [("rb", true), ("r", false), ("r+b", true), ("rt", false)] {
            let f = async_open(tmp.path(), mode).await.unwrap();
            assert_eq!(f.is_binary(), binary, "{mode}");
            assert_eq!(matches!(f, FileWrapper::Binary(_)), binary);
            assert_eq!(f.file().path(), tmp.path());
        }
        let err = async_open(tmp.path(), "rb")
            .await
            .unwrap()
            .into_text()
            .unwrap_err();
        assert!(matches!(err, Error::WrongMode { expected: "text", mode } if mode.binary));
        assert_eq!(
            std::io::Error::from(err).kind(),
            std::io::ErrorKind::InvalidInput
        );
        let err = async_open(tmp.path(), "r")
            .await
            .unwrap()
            .into_binary()
            .unwrap_err();
        assert!(matches!(
            err,
            Error::WrongMode {
                expected: "binary",
                ..
            }
        ));
        assert!(async_open(tmp.path(), "r")
            .await
            .unwrap()
            .into_text()
            .is_ok());
        assert!(matches!(
            async_open(tmp.path(), "rz").await,
            Err(Error::Mode(_))
        ));
    });
}

#[test]
fn typed_opens_refuse_the_other_mode_before_opening() {
    let tmp = Tmp::new(b"keep me");
    block_on(async {
        assert!(matches!(
            async_open_binary(tmp.path(), "w").await,
            Err(Error::WrongMode {
                expected: "binary",
                ..
            })
        ));
        assert!(matches!(
            async_open_text(tmp.path(), "wb").await,
            Err(Error::WrongMode {
                expected: "text",
                ..
            })
        ));
        assert_eq!(tmp.read(), b"keep me");
        let missing = Tmp::missing();
        assert_eq!(
            async_open_binary(missing.path(), "rb")
                .await
                .unwrap_err()
                .kind(),
            std::io::ErrorKind::NotFound
        );
        let opts = OpenOptions::new().reactor(aiofile::ReactorKind::Threads);
        let f = async_open_binary_with(tmp.path(), "rb", opts)
            .await
            .unwrap();
        assert_eq!(
            f.file().reactor_info().unwrap().kind,
            aiofile::ReactorKind::Threads
        );
    });
}

#[test]
fn binary_read_readline_seek_tell() {
    let tmp = Tmp::new(b"0123456789\nabc\n\nxyz");
    block_on(async {
        let mut f = async_open_binary(tmp.path(), "rb").await.unwrap();
        assert_eq!(f.read(0).await.unwrap(), b"");
        assert_eq!(f.read(3).await.unwrap(), b"012");
        assert_eq!(f.readline().await.unwrap(), b"3456789\n");
        assert_eq!(f.tell(), 11);
        assert_eq!(f.readline().await.unwrap(), b"abc\n");
        assert_eq!(f.readline().await.unwrap(), b"\n");
        assert_eq!(f.readline().await.unwrap(), b"xyz");
        assert_eq!(f.readline().await.unwrap(), b"");
        assert_eq!(f.read(5).await.unwrap(), b"");
        assert_eq!(f.seek(SeekFrom::Start(2)).await.unwrap(), 2);
        assert_eq!(f.read(2).await.unwrap(), b"23");
        assert_eq!(f.seek(SeekFrom::Current(3)).await.unwrap(), 7);
        assert_eq!(f.read(1).await.unwrap(), b"7");
        assert_eq!(f.seek(SeekFrom::Current(-8)).await.unwrap(), 0);
        assert_eq!(f.seek(SeekFrom::End(-3)).await.unwrap(), 16);
        assert_eq!(f.read_to_end().await.unwrap(), b"xyz");
        assert_eq!(f.seek(SeekFrom::End(5)).await.unwrap(), 24);
        assert_eq!(f.read(5).await.unwrap(), b"");
        assert!(matches!(
            f.seek(SeekFrom::End(-20)).await,
            Err(Error::InvalidInput(_))
        ));
        assert!(matches!(
            f.seek(SeekFrom::Current(-100)).await,
            Err(Error::InvalidInput(_))
        ));
        assert_eq!(f.tell(), 24);
        f.close().await.unwrap();
    });
}

#[test]
fn binary_write_past_end_leaves_a_hole() {
    let tmp = Tmp::new(b"");
    block_on(async {
        let mut f = async_open_binary(tmp.path(), "w+b").await.unwrap();
        assert_eq!(f.write(b"Hello ").await.unwrap(), 6);
        f.seek(SeekFrom::Current(1)).await.unwrap();
        assert_eq!(f.write(b"world").await.unwrap(), 5);
        assert_eq!(f.tell(), 12);
        assert_eq!(f.write(b"").await.unwrap(), 0);
        f.seek(SeekFrom::Start(0)).await.unwrap();
        assert_eq!(f.read_to_end().await.unwrap(), b"Hello \0world");
        f.flush(false).await.unwrap();
        f.flush(true).await.unwrap();
        f.close().await.unwrap();
        assert_eq!(tmp.read(), b"Hello \0world");
    });
}

#[test]
fn write_invalidates_the_read_ahead() {
    let tmp = Tmp::new(b"aaaa\nbbbb\ncccc\n");
    block_on(async {
        let mut f = async_open_binary(tmp.path(), "r+b").await.unwrap();
        assert_eq!(f.readline().await.unwrap(), b"aaaa\n"); // the rest is read ahead
        f.seek(SeekFrom::Start(10)).await.unwrap();
        f.write(b"CC").await.unwrap();
        f.seek(SeekFrom::Start(5)).await.unwrap();
        assert_eq!(f.read_to_end().await.unwrap(), b"bbbb\nCCcc\n");
        f.close().await.unwrap();
    });
}

#[test]
fn append_mode_position_is_the_end_and_follows_writes() {
    let tmp = Tmp::new(b"0123456789");
    block_on(async {
        let mut f = async_open_binary(tmp.path(), "ab+").await.unwrap();
        assert_eq!(f.tell(), 10);
        assert_eq!(f.read(4).await.unwrap(), b"");
        f.seek(SeekFrom::Start(0)).await.unwrap();
        assert_eq!(f.read(4).await.unwrap(), b"0123");
        // Writes land at the end whatever the position; the position follows.
        assert_eq!(f.write(b"AB").await.unwrap(), 2);
        assert_eq!(f.tell(), 12);
        // Another writer appends: our next write still lands at the end, and the
        // position is the real end of file after it.
        std::fs::OpenOptions::new()
            .append(true)
            .open(tmp.path())
            .and_then(|mut o| std::io::Write::write_all(&mut o, b"EXTERNAL"))
            .unwrap();
        assert_eq!(f.write(b"CD").await.unwrap(), 2);
        assert_eq!(f.tell(), 22);
        f.close().await.unwrap();
        assert_eq!(tmp.read(), b"0123456789ABEXTERNALCD");
    });
    block_on(async {
        let mut t = async_open_text(tmp.path(), "a+").await.unwrap();
        assert_eq!(t.tell(), 22);
        assert_eq!(t.write("é").await.unwrap(), 2);
        assert_eq!(t.tell(), 24);
        t.seek(SeekFrom::End(-4)).await.unwrap();
        assert_eq!(t.read_to_end().await.unwrap(), "CDé");
        t.close().await.unwrap();
    });
}

#[test]
fn failed_write_does_not_move_the_position() {
    let tmp = Tmp::new(b"read only");
    block_on(async {
        let mut f = async_open_binary(tmp.path(), "rb").await.unwrap();
        f.read(4).await.unwrap();
        assert!(f.write(b"x").await.is_err());
        assert_eq!(f.tell(), 4);
        assert_eq!(f.read_to_end().await.unwrap(), b" only");
        let mut t = async_open_text(tmp.path(), "r").await.unwrap();
        assert_eq!(
            t.write("x").await.unwrap_err().raw_os_error(),
            Some(libc::EBADF)
        );
        assert_eq!(t.tell(), 0);
    });
}

#[test]
fn clones_share_the_file_with_their_own_position() {
    let tmp = Tmp::new(b"line1\nline2\nline3\n");
    block_on(async {
        let mut a = async_open_binary(tmp.path(), "r+b").await.unwrap();
        assert_eq!(a.readline().await.unwrap(), b"line1\n");
        let mut b = a.clone();
        assert_eq!(b.tell(), 6, "a clone starts at the source's position");
        assert_eq!(b.readline().await.unwrap(), b"line2\n");
        assert_eq!(a.tell(), 6);
        assert_eq!(a.readline().await.unwrap(), b"line2\n");
        // A write through one clone is seen by the other's next read, even though that
        // one had read those bytes ahead.
        let mut c = a.clone();
        assert_eq!(a.tell(), 12);
        c.write(b"LINE3").await.unwrap();
        assert_eq!(c.tell(), 17);
        assert_eq!(a.readline().await.unwrap(), b"LINE3\n");
        assert_eq!(b.readline().await.unwrap(), b"LINE3\n");
        assert_eq!(a.file().fileno().unwrap(), b.file().fileno().unwrap());
        for w in [&mut a, &mut b, &mut c] {
            w.close().await.unwrap();
        }
        assert!(a.file().is_closed());
    });
}

#[test]
fn the_file_closes_with_the_last_open_wrapper() {
    let tmp = Tmp::new(b"x");
    block_on(async {
        let mut a = async_open_binary(tmp.path(), "r+b").await.unwrap();
        let mut b = a.clone();
        let mut c = b.clone();
        let file: AioFile = a.file().clone();
        a.close().await.unwrap();
        a.close().await.unwrap(); // closing twice counts once
        assert!(a.is_closed() && !file.is_closed());
        assert!(matches!(a.read(1).await, Err(Error::Closed)));
        assert!(matches!(
            a.seek(SeekFrom::Start(0)).await,
            Err(Error::Closed)
        ));
        assert!(matches!(a.lines(), Err(Error::Closed)));
        assert!(
            a.clone().is_closed(),
            "a clone of a closed wrapper is closed"
        );
        assert_eq!(b.read(1).await.unwrap(), b"x");
        c.close().await.unwrap();
        assert!(!file.is_closed());
        b.write(b"y").await.unwrap();
        b.close().await.unwrap();
        assert!(file.is_closed());
        assert_eq!(tmp.read(), b"xy");
    });
}

#[test]
fn a_dropped_wrapper_stops_counting() {
    let tmp = Tmp::new(b"x");
    block_on(async {
        let mut a = async_open_text(tmp.path(), "r").await.unwrap();
        let b = a.clone();
        drop(b);
        a.close().await.unwrap();
        assert!(a.file().is_closed());
    });
}

#[test]
fn lines_start_at_the_position_and_advance_it() {
    let tmp = Tmp::new(b"line1\nline2\nline3");
    block_on(async {
        let mut f = async_open_binary(tmp.path(), "rb").await.unwrap();
        f.seek(SeekFrom::Start(6)).await.unwrap();
        let got: Vec<Vec<u8>> = f.lines().unwrap().map(Result::unwrap).collect().await;
        assert_eq!(got, [&b"line2\n"[..], b"line3"]);
        assert_eq!(f.tell(), 17);
        f.seek(SeekFrom::Start(3)).await.unwrap();
        {
            let mut lines = f.lines().unwrap();
            assert_eq!(lines.next().await.unwrap().unwrap(), b"e1\n");
        }
        assert_eq!(f.tell(), 6);
        assert_eq!(f.read(4).await.unwrap(), b"line");
        let mut lines = f.lines_with(b"ne").unwrap();
        assert_eq!(lines.next().await.unwrap().unwrap(), b"2\nline");
        drop(lines);
        assert_eq!(f.tell(), 16);
        assert!(matches!(f.lines_with(b""), Err(Error::InvalidInput(_))));
        f.close().await.unwrap();
    });
}

#[test]
fn iter_chunked_starts_at_the_position_and_advances_it() {
    let tmp = Tmp::new(b"0123456789");
    block_on(async {
        let mut f = async_open_binary(tmp.path(), "rb").await.unwrap();
        f.read(1).await.unwrap();
        let chunks: Vec<Vec<u8>> = f
            .iter_chunked(4)
            .unwrap()
            .map(Result::unwrap)
            .collect()
            .await;
        assert_eq!(chunks, [&b"1234"[..], b"5678", b"9"]);
        assert_eq!(f.tell(), 10);
        f.seek(SeekFrom::Start(2)).await.unwrap();
        let mut chunks = f.iter_chunked(3).unwrap();
        chunks.next().await.unwrap().unwrap();
        drop(chunks);
        assert_eq!(f.read(2).await.unwrap(), b"56");
        assert!(matches!(f.iter_chunked(0), Err(Error::InvalidInput(_))));
        f.close().await.unwrap();
    });
}

/// A tiny deterministic generator (no dependency needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below
    }
}

/// The model: the file's bytes and a position.
fn model_readline(data: &[u8], pos: &mut usize, limit: Option<usize>, sep: &[u8]) -> Vec<u8> {
    let rest = &data[(*pos).min(data.len())..];
    let mut end = rest
        .windows(sep.len())
        .position(|w| w == sep)
        .map_or(rest.len(), |i| i + sep.len());
    if let Some(limit) = limit {
        end = end.min(limit);
    }
    *pos += end;
    rest[..end].to_vec()
}

#[test]
fn mixed_operations_match_a_model() {
    let mut rng = Lcg(7);
    let seps: [&[u8]; 4] = [b"\n", b"\r\n", b";;", b"xyz"];
    let mut data = Vec::new();
    for _ in 0..3000 {
        match rng.next(6) {
            0 => data.extend_from_slice(seps[rng.next(4)]),
            1 => data.extend(std::iter::repeat_n(b'q', rng.next(9000))),
            _ => data.extend_from_slice(&b"ab;x\r"[..rng.next(5) + 1]),
        }
    }
    let tmp = Tmp::new(&data);
    block_on(async {
        let mut f: BinaryFileWrapper = async_open_binary(tmp.path(), "rb").await.unwrap();
        let mut pos = 0usize;
        for step in 0..3000 {
            match rng.next(5) {
                0 | 1 => {
                    let sep = seps[rng.next(4)];
                    let limit = (rng.next(3) == 0).then(|| rng.next(20_000));
                    let want = model_readline(&data, &mut pos, limit, sep);
                    assert_eq!(
                        f.readline_with(limit, sep).await.unwrap(),
                        want,
                        "step {step}"
                    );
                }
                2 => {
                    let n = rng.next(20_000);
                    let start = pos.min(data.len());
                    let want = &data[start..(start + n).min(data.len())];
                    pos += want.len();
                    assert_eq!(f.read(n).await.unwrap(), want, "step {step}");
                }
                3 => {
                    pos = rng.next(data.len() + 10);
                    f.seek(SeekFrom::Start(pos as u64)).await.unwrap();
                }
                _ => {
                    let back = rng.next(100) as i64;
                    let to = (pos as i64 - back).max(0);
                    f.seek(SeekFrom::Current(to - pos as i64)).await.unwrap();
                    pos = to as usize;
                }
            }
            assert_eq!(f.tell(), pos as u64, "step {step}");
        }
        f.close().await.unwrap();
    });
}

/// Compiles only if the wrappers, their streams and their futures are `Send` (so they
/// run on multi-threaded executors).
#[allow(dead_code)]
fn wrappers_and_their_futures_are_send(
    b: &mut BinaryFileWrapper,
    t: &mut aiofile::TextFileWrapper,
) {
    fn is_send<T: Send>(_: T) {}
    is_send(b.clone());
    is_send(t.clone());
    is_send(b.read(1));
    is_send(b.readline_with(Some(3), b";"));
    is_send(b.write(b"x"));
    is_send(b.seek(SeekFrom::End(0)));
    is_send(b.close());
    is_send(t.read(1));
    is_send(t.readline());
    is_send(t.write("x"));
    is_send(t.read_to_end());
    is_send(b.lines());
    is_send(t.iter_chunked(4));
    is_send(async_open("x", "r"));
}
