//! UTF-8 text: `AioFile::read_text*`, `write_text`, and the text wrapper's character
//! counts, byte positions and decode errors.
mod support;

use std::io::SeekFrom;
use support::Tmp;

use aiofile::{async_open_text, AioFile, Error};
use futures::executor::block_on;

const SAMPLE: &str = "aé💾z한글→\r\n끝";

#[test]
fn read_text_extends_to_complete_a_split_character() {
    let tmp = Tmp::new(SAMPLE.as_bytes());
    block_on(async {
        let file = AioFile::open(tmp.path(), "r").await.unwrap();
        for (start, _) in SAMPLE.char_indices() {
            for size in 1..=8 {
                let got = file.read_text(size, start as u64).await.unwrap();
                let rest = &SAMPLE[start..];
                assert!(rest.starts_with(&got), "{start} {size}: {got:?}");
                assert!(got.len() >= size.min(rest.len()), "{start} {size}: {got:?}");
                assert!(got.len() <= size + 3, "{start} {size}: {got:?}");
            }
        }
        // Walking the file with any request size returns each character once.
        for size in 1..=6 {
            let (mut at, mut all) = (0u64, String::new());
            loop {
                let piece = file.read_text(size, at).await.unwrap();
                if piece.is_empty() {
                    break;
                }
                at += piece.len() as u64;
                all.push_str(&piece);
            }
            assert_eq!(all, SAMPLE, "size {size}");
        }
        assert_eq!(file.read_text(0, 1).await.unwrap(), "");
        assert_eq!(file.read_text(10, 100).await.unwrap(), "");
        file.close().await.unwrap();
    });
}

#[test]
fn read_text_decode_errors_carry_the_absolute_offset() {
    let tmp = Tmp::new(b"abc\xffdef");
    let cut = Tmp::new(b"ab\xe2\x82");
    block_on(async {
        let file = AioFile::open(tmp.path(), "r").await.unwrap();
        assert_eq!(file.read_text(2, 1).await.unwrap(), "bc");
        assert!(matches!(
            file.read_text(3, 2).await,
            Err(Error::Decode { offset: 3 })
        ));
        assert!(matches!(
            file.read_text_to_end(0).await,
            Err(Error::Decode { offset: 3 })
        ));
        assert_eq!(file.read_text_to_end(4).await.unwrap(), "def");

        let file = AioFile::open(cut.path(), "r").await.unwrap();
        // Ends inside a character at end of file: nothing can complete it.
        assert!(matches!(
            file.read_text(3, 0).await,
            Err(Error::Decode { offset: 2 })
        ));
        assert!(matches!(
            file.read_text(100, 0).await,
            Err(Error::Decode { offset: 2 })
        ));
        assert_eq!(file.read_text(2, 0).await.unwrap(), "ab");
        // Starting inside a character cannot be decoded either.
        assert!(matches!(
            file.read_text(1, 3).await,
            Err(Error::Decode { offset: 3 })
        ));
    });
}

#[test]
fn read_text_starting_inside_a_character_fails_at_that_offset() {
    let tmp = Tmp::new("한".as_bytes());
    block_on(async {
        let file = AioFile::open(tmp.path(), "r").await.unwrap();
        assert!(matches!(
            file.read_text(1, 1).await,
            Err(Error::Decode { offset: 1 })
        ));
        assert_eq!(file.read_text(1, 0).await.unwrap(), "한");
    });
}

#[test]
fn read_text_to_end_reads_proc_files() {
    block_on(async {
        let file = AioFile::open("/proc/self/status", "r").await.unwrap();
        let text = file.read_text_to_end(0).await.unwrap();
        assert!(text.starts_with("Name:"), "{text:?}");
        file.close().await.unwrap();
    });
}

#[test]
fn write_text_returns_bytes() {
    let tmp = Tmp::new(b"");
    block_on(async {
        let file = AioFile::open(tmp.path(), "r+").await.unwrap();
        assert_eq!(file.write_text("한글", 0).await.unwrap(), 6);
        assert_eq!(file.write_text("", 6).await.unwrap(), 0);
        assert_eq!(file.write_text("→", 6).await.unwrap(), 3);
        assert_eq!(file.read_text_to_end(0).await.unwrap(), "한글→");
        file.close().await.unwrap();
    });
}

#[test]
fn wrapper_reads_characters_and_tells_bytes() {
    let tmp = Tmp::new("한글abc💾".as_bytes());
    block_on(async {
        let mut f = async_open_text(tmp.path(), "r").await.unwrap();
        let mut seen = Vec::new();
        for _ in 0..7 {
            let c = f.read(1).await.unwrap();
            seen.push((c, f.tell()));
        }
        let want = [
            ("한", 3),
            ("글", 6),
            ("a", 7),
            ("b", 8),
            ("c", 9),
            ("💾", 13),
            ("", 13),
        ];
        let want: Vec<(String, u64)> = want.iter().map(|(s, t)| (s.to_string(), *t)).collect();
        assert_eq!(seen, want);
        f.seek(SeekFrom::Start(0)).await.unwrap();
        assert_eq!(f.read(0).await.unwrap(), "");
        assert_eq!(f.read(4).await.unwrap(), "한글ab");
        assert_eq!(f.read(100).await.unwrap(), "c💾");
        f.close().await.unwrap();
    });
}

#[test]
fn wrapper_characters_across_the_read_ahead_boundary() {
    // 💾 occupies bytes 8190..8194, across the wrapper's first 8 KiB read.
    let text = format!("{}💾b\n{}é\nend", "a".repeat(8190), "c".repeat(8191));
    let tmp = Tmp::new(text.as_bytes());
    block_on(async {
        let mut f = async_open_text(tmp.path(), "r").await.unwrap();
        assert_eq!(f.read(8190).await.unwrap().len(), 8190);
        assert_eq!(f.read(1).await.unwrap(), "💾");
        assert_eq!(f.tell(), 8194);
        assert_eq!(f.readline().await.unwrap(), "b\n");
        let line = f.readline().await.unwrap();
        assert!(line.ends_with("cé\n") && line.len() == 8191 + 3);
        assert_eq!(f.read_to_end().await.unwrap(), "end");
        // Any character count walks the file the same way.
        for n in [1, 3, 4095, 8191] {
            f.seek(SeekFrom::Start(0)).await.unwrap();
            let mut all = String::new();
            loop {
                let piece = f.read(n).await.unwrap();
                if piece.is_empty() {
                    break;
                }
                assert!(piece.chars().count() <= n);
                all.push_str(&piece);
                assert_eq!(f.tell(), all.len() as u64);
            }
            assert_eq!(all, text, "n {n}");
        }
        f.close().await.unwrap();
    });
}

#[test]
fn wrapper_decode_errors_leave_the_position() {
    let tmp = Tmp::new(b"ok\nbad\xff\nmore\xe2\x82");
    block_on(async {
        let mut f = async_open_text(tmp.path(), "r").await.unwrap();
        assert_eq!(f.readline().await.unwrap(), "ok\n");
        assert!(matches!(
            f.readline().await,
            Err(Error::Decode { offset: 6 })
        ));
        assert_eq!(f.tell(), 3);
        assert!(matches!(f.read(10).await, Err(Error::Decode { offset: 6 })));
        assert!(matches!(
            f.read_to_end().await,
            Err(Error::Decode { offset: 6 })
        ));
        assert_eq!(f.tell(), 3);
        // Text before the bad byte can still be read by character count.
        assert_eq!(f.read(3).await.unwrap(), "bad");
        f.seek(SeekFrom::Start(8)).await.unwrap();
        assert_eq!(f.read(4).await.unwrap(), "more");
        assert!(matches!(f.read(1).await, Err(Error::Decode { offset: 12 })));
        assert!(matches!(
            f.readline().await,
            Err(Error::Decode { offset: 12 })
        ));
        assert_eq!(f.tell(), 12);
        f.close().await.unwrap();
    });
}

#[test]
fn wrapper_seek_inside_a_character_then_decode_error() {
    let tmp = Tmp::new("글".as_bytes());
    block_on(async {
        let mut f = async_open_text(tmp.path(), "r").await.unwrap();
        f.seek(SeekFrom::Start(2)).await.unwrap();
        assert!(matches!(f.read(1).await, Err(Error::Decode { offset: 2 })));
        assert!(matches!(
            f.readline().await,
            Err(Error::Decode { offset: 2 })
        ));
        assert_eq!(f.tell(), 2);
        f.close().await.unwrap();
    });
}

#[test]
fn wrapper_readline_limits_count_characters() {
    let tmp = Tmp::new("한글한글\n💾💾→x→".as_bytes());
    block_on(async {
        let mut f = async_open_text(tmp.path(), "r").await.unwrap();
        assert_eq!(f.readline_with(Some(3), "\n").await.unwrap(), "한글한");
        assert_eq!(f.tell(), 9);
        assert_eq!(f.readline_with(Some(3), "\n").await.unwrap(), "글\n");
        assert_eq!(f.readline_with(Some(1), "→").await.unwrap(), "💾");
        assert_eq!(f.readline_with(None, "→").await.unwrap(), "💾→");
        assert_eq!(f.readline_with(Some(2), "→").await.unwrap(), "x→");
        assert_eq!(f.readline_with(Some(0), "→").await.unwrap(), "");
        assert_eq!(f.readline_with(Some(5), "→").await.unwrap(), "");
        assert!(matches!(
            f.readline_with(None, "").await,
            Err(Error::InvalidInput(_))
        ));
        f.close().await.unwrap();
    });
}

#[test]
fn wrapper_text_write_returns_bytes_and_no_newline_translation() {
    let tmp = Tmp::new(b"");
    block_on(async {
        let mut f = async_open_text(tmp.path(), "w+").await.unwrap();
        assert_eq!(f.write("한글").await.unwrap(), 6);
        assert_eq!(f.write("a\r\nb\rc\n").await.unwrap(), 7);
        assert_eq!(f.tell(), 13);
        f.seek(SeekFrom::Start(6)).await.unwrap();
        assert_eq!(f.readline().await.unwrap(), "a\r\n");
        assert_eq!(f.readline().await.unwrap(), "b\rc\n");
        assert_eq!(f.readline().await.unwrap(), "");
        f.close().await.unwrap();
    });
}

#[test]
fn wrapper_text_lines_and_chunks_with_multibyte_characters() {
    let text = "α→βγ→\n→δ";
    let tmp = Tmp::new(text.as_bytes());
    block_on(async {
        let mut f = async_open_text(tmp.path(), "r").await.unwrap();
        let mut lines = f.lines_with("→").unwrap();
        let mut got = Vec::new();
        while let Some(line) = lines.next().await {
            got.push(line.unwrap());
        }
        assert_eq!(got, ["α→", "βγ→", "\n→", "δ"]);
        assert_eq!(f.tell(), text.len() as u64);
        for chunk in 1..=7 {
            f.seek(SeekFrom::Start(0)).await.unwrap();
            let mut chunks = f.iter_chunked(chunk).unwrap();
            let mut all = String::new();
            while let Some(piece) = chunks.next().await {
                all.push_str(&piece.unwrap());
            }
            assert_eq!(all, text);
            assert_eq!(f.tell(), text.len() as u64);
        }
        f.close().await.unwrap();
    });
}
