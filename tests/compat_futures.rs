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
        let err = file.read(&mut [0u8; 4]).await.expect_err("closed");
        assert_eq!(err.kind(), std::io::ErrorKind::NotConnected);
        Ok(())
    })
}

/// Seeking forward inside the read-ahead chunk keeps it; anywhere else drops it; the
/// bytes read are right either way.
#[test]
fn seeks_inside_and_outside_the_read_ahead() -> TestResult {
    let dir = TempDir::new("compat-futures-seek");
    let data = pattern(50_000);
    std::fs::write(dir.join("s"), &data)?;
    futures::executor::block_on(async {
        let mut file = poll_file(&dir.join("s"), "rb", 4096).await?;
        let mut five = [0u8; 5];
        for (to, at) in [
            (SeekFrom::Current(100), 100),
            (SeekFrom::Current(3000), 3105),
            (SeekFrom::Current(-2000), 1110),
            (SeekFrom::Start(40_000), 40_000),
            (SeekFrom::End(-5), 49_995),
            (SeekFrom::Current(-10), 49_990),
        ] {
            assert_eq!(file.seek(to).await?, at);
            file.read_exact(&mut five).await?;
            assert_eq!(five, data[at as usize..at as usize + 5], "after {to:?}");
        }
        Ok(())
    })
}

/// Writes are acknowledged before they run: a write to a read-only file is accepted,
/// and its error comes from the flush.
#[test]
fn write_errors_come_from_flush() -> TestResult {
    let dir = TempDir::new("compat-futures-err");
    std::fs::write(dir.join("ro"), b"read only")?;
    futures::executor::block_on(async {
        let mut file = poll_file(&dir.join("ro"), "rb", 4096).await?;
        assert_eq!(file.write(b"nope").await?, 4);
        let err = file.flush().await.expect_err("EBADF");
        assert_eq!(err.raw_os_error(), Some(libc::EBADF));
        let mut all = Vec::new();
        file.seek(SeekFrom::Start(0)).await?;
        file.read_to_end(&mut all).await?;
        assert_eq!(all, b"read only", "the file is still usable");
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
