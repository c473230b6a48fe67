//! The `tokio` feature: `PollFile` as `tokio::io::{AsyncRead, AsyncWrite, AsyncSeek,
//! AsyncBufRead}`, driven by tokio's own extension traits and `tokio::io::copy`.
mod support;

use std::io::SeekFrom;

use futures::FutureExt;
use support::{pattern, poll_file, TempDir};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_file_to_vec() -> TestResult {
    let dir = TempDir::new("compat-tokio-copy");
    let data = pattern(300_000);
    std::fs::write(dir.join("src"), &data)?;
    let mut file = poll_file(&dir.join("src"), "rb", 4096).await?;
    let mut out = Vec::new();
    let n = tokio::io::copy(&mut file, &mut out).await?;
    assert_eq!((n, out == data), (300_000, true));
    file.shutdown().await?;
    assert!(file.file().is_closed());
    Ok(())
}

#[tokio::test]
async fn write_seek_read_back() -> TestResult {
    let dir = TempDir::new("compat-tokio-rw");
    let path = dir.join("rw");
    let data = pattern(100_000);
    let mut file = poll_file(&path, "w+b", 8192).await?;
    file.write_all(&data).await?;
    assert_eq!(file.stream_position().await?, 100_000);
    assert_eq!(file.seek(SeekFrom::Start(10)).await?, 10);
    let mut ten = [0u8; 10];
    file.read_exact(&mut ten).await?;
    assert_eq!(ten, data[10..20]);
    assert_eq!(file.seek(SeekFrom::Current(-5)).await?, 15);
    assert_eq!(file.seek(SeekFrom::End(-3)).await?, 99_997);
    let mut rest = Vec::new();
    file.read_to_end(&mut rest).await?;
    assert_eq!(rest, data[99_997..]);
    assert!(file.seek(SeekFrom::Current(-200_000)).await.is_err());
    assert_eq!(
        file.stream_position().await?,
        100_000,
        "a failed seek moves nothing"
    );
    file.write_all(b"tail").await?;
    file.shutdown().await?;
    assert_eq!(std::fs::read(&path)?, [&data[..], b"tail"].concat());
    Ok(())
}

#[tokio::test]
async fn lines_and_append() -> TestResult {
    let dir = TempDir::new("compat-tokio-lines");
    let path = dir.join("log");
    std::fs::write(&path, b"one\ntwo\n")?;
    let mut file = poll_file(&path, "a+b", 3).await?;
    assert_eq!(
        file.stream_position().await?,
        8,
        "append mode starts at the end"
    );
    file.write_all(b"three\n").await?;
    assert_eq!(file.stream_position().await?, 14, "and follows the end");
    file.seek(SeekFrom::Start(0)).await?;
    let mut lines = Vec::new();
    let mut reader = tokio::io::BufReader::new(file).lines();
    while let Some(line) = reader.next_line().await? {
        lines.push(line);
    }
    assert_eq!(lines, ["one", "two", "three"]);
    Ok(())
}

/// Read futures polled once and dropped (the read in flight) lose nothing: everything
/// read, by the ones that completed and the ones that did not, adds up to the file
/// exactly once.
#[tokio::test]
async fn dropped_reads_lose_nothing() -> TestResult {
    let dir = TempDir::new("compat-tokio-cancel");
    let data = pattern(200_000);
    std::fs::write(dir.join("f"), &data)?;
    let mut file = poll_file(&dir.join("f"), "rb", 1000).await?;
    support::no_readahead(file.file().fileno()?);
    let (mut got, mut dropped) = (Vec::new(), 0);
    let mut buf = [0u8; 777];
    loop {
        // Cached reads complete inline, at the first poll: make this one miss.
        support::evict_from_cache(&dir.join("f"));
        match file.read(&mut buf).now_or_never() {
            Some(n) => match n? {
                0 => break,
                n => got.extend_from_slice(&buf[..n]),
            },
            None => dropped += 1,
        }
        let n = file.read(&mut buf).await?;
        got.extend_from_slice(&buf[..n]);
    }
    assert!(dropped > 0, "no read was in flight when dropped");
    assert!(
        got == data,
        "{} bytes read, {dropped} reads dropped",
        got.len()
    );
    Ok(())
}
