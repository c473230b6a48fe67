//! The `futures-io` feature: `PollFile` as `futures::io::{AsyncRead, AsyncWrite,
//! AsyncSeek, AsyncBufRead}`, on `futures::executor` and on smol.
mod support;

use std::io::SeekFrom;

use futures::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use futures::{FutureExt, StreamExt};
use support::{pattern, poll_file, TempDir};

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[test]
fn read_to_end_and_copy() -> TestResult {
    let dir = TempDir::new("compat-futures-read");
    let data = pattern(150_000);
    std::fs::write(dir.join("src"), &data)?;
    futures::executor::block_on(async {
        let mut file = poll_file(&dir.join("src"), "rb", 4096).await?;
        let mut all = Vec::new();
        assert_eq!(file.read_to_end(&mut all).await?, 150_000);
        assert!(all == data);
        file.seek(SeekFrom::Start(149_990)).await?;
        let mut tail = Vec::new();
        futures::io::copy(&mut file, &mut tail).await?;
        assert_eq!(tail, data[149_990..]);
        file.close().await?;
        assert!(file.file().is_closed());
        Ok(())
    })
}

#[test]
fn write_then_read_lines_on_smol() -> TestResult {
    let dir = TempDir::new("compat-futures-lines");
    let path = dir.join("lines");
    smol::block_on(async {
        let mut file = poll_file(&path, "w+b", 5).await?;
        for i in 0..100 {
            file.write_all(format!("line {i}\n").as_bytes()).await?;
        }
        file.flush().await?;
        assert_eq!(std::fs::read(&path)?.len(), 790, "flushed to the kernel");
        file.seek(SeekFrom::Start(0)).await?;
        let lines: Vec<String> = (&mut file).lines().map(|l| l.unwrap()).collect().await;
        assert_eq!(lines.len(), 100);
        assert_eq!(lines[42], "line 42");
        file.seek(SeekFrom::End(-8)).await?;
        let mut last = String::new();
        file.read_line(&mut last).await?;
        assert_eq!(last, "line 99\n");
        file.close().await?;
        Ok(())
    })
}

/// A write future dropped before it is ready accepted nothing; one that returned
/// accepted its bytes, which land even though the next write is dropped.
#[test]
fn dropped_writes_accept_nothing() -> TestResult {
    let dir = TempDir::new("compat-futures-cancel");
    let path = dir.join("w");
    futures::executor::block_on(async {
        let mut file = poll_file(&path, "w+b", 1024).await?;
        let mut expect = Vec::new();
        for i in 0..2000u32 {
            let chunk = pattern(300 + i as usize % 900);
            if let Some(n) = file.write(&chunk).now_or_never() {
                expect.extend_from_slice(&chunk[..n?]);
            }
        }
        file.flush().await?;
        let wrapper = file.into_inner().await?;
        assert_eq!(
            wrapper.tell(),
            expect.len() as u64,
            "the wrapper is handed back at the end"
        );
        assert!(std::fs::read(&path)? == expect);
        Ok(())
    })
}
