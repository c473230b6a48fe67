//! A tour of aiofile: `cargo run --release --example tour`.
//!
//! Makes its own sample data in a temporary directory (removed at the end), then shows
//! the three levels of the API, which reactor serves the files and why, and a small
//! throughput figure. Runs on `futures::executor::block_on`: aiofile works under any
//! executor (see `examples/custom_executor.rs` for a 90-line one).
use std::error::Error;
use std::io::SeekFrom;
use std::path::Path;
use std::time::Instant;

use aiofile::{AioFile, LineReader, Reader, TextLineReader, Writer};
use futures::stream::{self, StreamExt, TryStreamExt};

type Result<T = ()> = std::result::Result<T, Box<dyn Error>>;

const MIB: usize = 1 << 20;

fn main() -> Result {
    let dir = std::env::temp_dir().join(format!("aiofile-tour-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let res = futures::executor::block_on(tour(&dir));
    std::fs::remove_dir_all(&dir)?;
    res
}

async fn tour(dir: &Path) -> Result {
    println!("aiofile {} — {}", aiofile::VERSION, aiofile::DESCRIPTION);
    println!("sample data in {}\n", dir.display());
    reactor(dir).await?;
    positional(dir).await?;
    wrappers(dir).await?;
    streams(dir).await?;
    throughput(dir).await?;
    Ok(())
}

/// Which backend serves files, and why (the `AIOFILE_REACTOR` variable, a per-file
/// option, `set_default_reactor`, or the automatic choice).
async fn reactor(dir: &Path) -> Result {
    println!("== reactor");
    println!("default for new files: {}", aiofile::default_reactor()?);
    let file = AioFile::open(dir.join("probe"), "w").await?;
    let info = file.reactor_info().ok_or("an open file has a reactor")?;
    println!("this file: {} because: {}", info.kind, info.reason);
    println!("(try AIOFILE_REACTOR=threads|aio|uring)\n");
    file.close().await?;
    Ok(())
}

/// Level 1: `AioFile`, positional I/O with no cursor; `&self` methods that many tasks
/// may call at once.
async fn positional(dir: &Path) -> Result {
    println!("== level 1: AioFile (positional)");
    let file = AioFile::open(dir.join("positional.bin"), "w+").await?;
    file.write(b"Hello ", 0).await?;
    file.write(b"world", 6).await?;
    file.write(b"!", 100).await?; // leaves a hole of zeros
    println!(
        "read(11, 0)      -> {:?}",
        String::from_utf8(file.read(11, 0).await?)?
    );
    println!(
        "read(1000, 6)    -> {} bytes (never more than there)",
        file.read(1000, 6).await?.len()
    );
    println!(
        "read_to_end(100) -> {:?}",
        String::from_utf8(file.read_to_end(100).await?)?
    );
    let (n, buf) = file.read_into(Vec::with_capacity(16), 16, 0).await;
    println!(
        "read_into        -> {} bytes into a buffer handed back: {:?}",
        n?,
        String::from_utf8_lossy(&buf)
    );
    let (a, b) = futures::join!(file.read(5, 0), file.read(5, 6));
    println!(
        "two reads at once -> {:?} {:?}",
        String::from_utf8(a?)?,
        String::from_utf8(b?)?
    );
    file.close().await?;
    println!("after close: {}\n", file.read(1, 0).await.unwrap_err());
    Ok(())
}

/// Level 2: file-like wrappers with a position, from `async_open` (text or binary by
/// the mode, like Python's `open`).
async fn wrappers(dir: &Path) -> Result {
    println!("== level 2: wrappers (async_open)");
    let path = dir.join("notes.txt");
    let mut text = aiofile::async_open(&path, "w+").await?.into_text()?;
    text.write("première ligne\nzweite Zeile\n第三行\n").await?;
    text.seek(SeekFrom::Start(0)).await?;
    println!("text readline    -> {:?}", text.readline().await?);
    println!(
        "text read(6)     -> {:?} (characters; tell() = byte {})",
        text.read(6).await?,
        text.tell()
    );
    let mut lines = text.lines()?;
    while let Some(line) = lines.next().await {
        println!("  line           -> {:?}", line?);
    }
    text.close().await?;

    let mut bin = aiofile::async_open(dir.join("log.bin"), "ab+")
        .await?
        .into_binary()?;
    bin.write(b"first;").await?;
    bin.write(b"second;").await?;
    println!(
        "binary append: tell() = {} (writes land at the end)",
        bin.tell()
    );
    bin.seek(SeekFrom::Start(0)).await?;
    println!(
        "binary readline_with(\";\") -> {:?}",
        String::from_utf8(bin.readline_with(None, b";").await?)?
    );
    println!();
    bin.close().await?;
    Ok(())
}

/// Level 3: streams from an offset: `Writer`, `Reader` (chunks), `LineReader` and
/// `TextLineReader` (any separator; results independent of the chunk size).
async fn streams(dir: &Path) -> Result {
    println!("== level 3: streams");
    let file = AioFile::open(dir.join("stream.log"), "w+").await?;
    let mut writer = Writer::new(&file, 0)?;
    for i in 0..1000 {
        writer.write(format!("event {i}: ok ✓\n")).await?;
    }
    writer.flush().await?; // `write` is one write behind: wait for the last one
    println!("Writer wrote {} bytes", writer.offset());
    let chunks: Vec<Vec<u8>> = Reader::new(&file, 0, 4096)?.try_collect().await?;
    println!("Reader: {} chunks of up to 4096 bytes", chunks.len());
    let mut lines = LineReader::new(&file, 0, 100, b"\n")?;
    let mut count = 0;
    while lines.next().await.transpose()?.is_some() {
        count += 1;
    }
    println!("LineReader (chunk 100): {count} lines");
    let mut text = TextLineReader::new(&file, 0, 7, "✓\n")?;
    println!(
        "TextLineReader (separator \"✓\\n\"): first {:?}\n",
        text.readline().await?
    );
    file.close().await?;
    Ok(())
}

/// A small throughput figure: 64 MiB written then read sequentially in 1 MiB requests,
/// and 4 KiB random reads with 32 in flight.
async fn throughput(dir: &Path) -> Result {
    println!("== throughput (release builds give the real figures)");
    let file = AioFile::open(dir.join("big.bin"), "w+").await?;
    let chunk = vec![0x5Au8; MIB];
    let start = Instant::now();
    for i in 0..64 {
        let (n, _) = file.write_buf(chunk.clone(), (i * MIB) as u64).await;
        n?;
    }
    file.fdsync().await?;
    println!(
        "sequential write: {:>8.0} MiB/s (64 MiB, then fdatasync)",
        mib_per_s(64, start)
    );
    let start = Instant::now();
    let mut total = 0;
    for i in 0..64 {
        total += file.read(MIB, (i * MIB) as u64).await?.len();
    }
    assert_eq!(total, 64 * MIB);
    println!(
        "sequential read:  {:>8.0} MiB/s (64 MiB, page cache)",
        mib_per_s(64, start)
    );
    let reads = 100_000;
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let offsets: Vec<u64> = (0..reads)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % (64 * MIB as u64 / 4096)) * 4096
        })
        .collect();
    let start = Instant::now();
    let done = stream::iter(offsets)
        .map(|at| file.read(4096, at))
        .buffer_unordered(32)
        .try_fold(0usize, |n, buf| async move { Ok(n + buf.len() / 4096) })
        .await?;
    let per_s = done as f64 / start.elapsed().as_secs_f64();
    println!("random 4 KiB reads, 32 in flight: {per_s:>8.0} reads/s ({done} reads)");
    file.close().await?;
    Ok(())
}

fn mib_per_s(mib: usize, start: Instant) -> f64 {
    mib as f64 / start.elapsed().as_secs_f64()
}
