//! The `embedded-io-async` feature: `Read`, `Write`, `Seek`, `BufRead` on `PollFile`,
//! and `Read`, `Write`, `Seek` on `BinaryFileWrapper`, on `embassy_futures::block_on`.
mod support;

use aiofile::{AioFile, BinaryFileWrapper, OpenOptions};
use embedded_io_async::{BufRead, ErrorKind, Read, ReadExactError, Seek, SeekFrom, Write};
use support::{pattern, poll_file, TempDir};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Code written against the traits only, as an embedded driver would be.
async fn roundtrip<F: Read + Write + Seek>(file: &mut F, data: &[u8]) -> Result<Vec<u8>, F::Error> {
    file.write_all(data).await?;
    file.flush().await?;
    file.seek(SeekFrom::Start(0)).await?;
    let mut back = vec![0u8; data.len()];
    match file.read_exact(&mut back).await {
        Ok(()) => {}
        Err(ReadExactError::Other(e)) => return Err(e),
        Err(ReadExactError::UnexpectedEof) => panic!("short file"),
    }
    Ok(back)
}

#[test]
fn poll_file_read_exact_write_seek() -> TestResult {
    let dir = TempDir::new("compat-embedded-poll");
    let data = pattern(70_000);
    embassy_futures::block_on(async {
        let mut file = poll_file(&dir.join("p"), "w+b", 4096).await?;
        assert!(roundtrip(&mut file, &data).await? == data);
        let mut one = [0u8; 1];
        assert!(matches!(
            file.read_exact(&mut one).await,
            Err(ReadExactError::UnexpectedEof)
        ));
        assert_eq!(file.seek(SeekFrom::End(-70_000)).await?, 0);
        assert!(file.seek(SeekFrom::Current(-1)).await.is_err());
        Ok(())
    })
}

#[test]
fn wrapper_read_exact_write_seek() -> TestResult {
    let dir = TempDir::new("compat-embedded-wrapper");
    let data = pattern(70_000);
    embassy_futures::block_on(async {
        let file = AioFile::new(dir.join("w"), "w+b", OpenOptions::new())?;
        let mut wrapper = BinaryFileWrapper::new(file).await?;
        assert!(roundtrip(&mut wrapper, &data).await? == data);
        assert_eq!(wrapper.tell(), 70_000);
        wrapper.close().await?;
        let err = Write::write(&mut wrapper, b"x").await.expect_err("closed");
        assert_eq!(
            embedded_io_async::Error::kind(&err),
            ErrorKind::NotConnected
        );
        Ok(())
    })
}

#[test]
fn buf_read_lines() -> TestResult {
    let dir = TempDir::new("compat-embedded-bufread");
    let path = dir.join("b");
    std::fs::write(&path, b"alpha\nbeta\ngamma")?;
    embassy_futures::block_on(async {
        let mut file = poll_file(&path, "rb", 4).await?;
        let mut lines = Vec::new();
        let mut line = Vec::new();
        loop {
            let buf = file.fill_buf().await?;
            if buf.is_empty() {
                break;
            }
            let (n, end) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            line.extend_from_slice(&buf[..n]);
            file.consume(n);
            if end {
                lines.push(std::mem::take(&mut line));
            }
        }
        lines.push(line);
        assert_eq!(lines, [&b"alpha\n"[..], b"beta\n", b"gamma"]);
        assert_eq!(file.position(), 16);
        Ok(())
    })
}
