//! `tokio-fs` (`tokio::fs::File`: every read, seek or write is a `spawn_blocking`
//! round trip inside tokio) and `tokio-spawn-blocking` (one `pread`/`pwrite` per
//! `spawn_blocking`, the usual hand-rolled way). Both run on the same current-thread
//! runtime as aiofile (see [`crate::exec`]).
use std::fs::File;
use std::io::{self, SeekFrom};
use std::os::unix::fs::FileExt;
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader};

use super::aiofile_sys::with_ticks;
use super::std_sync::{open_read, write_chunk};
use super::{outcome, Ctx};
use crate::exec;
use crate::record::{Measure, Outcome};
use crate::sys::aligned::AlignedBuf;
use crate::workloads::clock::Clock;
use crate::workloads::random::{Driver, ReadAt, Spec};
use crate::workloads::{FileKind, Workload, BLOCK, LINE_CHUNK, SEQ_CHUNK};

fn err(e: impl std::fmt::Display) -> String {
    format!("error: {e}")
}

/// Runs one `tokio-fs` case.
pub fn run_fs(w: Workload, ctx: &Ctx<'_>) -> Outcome {
    if let Some(spec) = w.random_spec(ctx.cfg.duration) {
        if spec.direct {
            return Outcome::Skipped(
                "tokio::fs::File reads through its own unaligned buffer: O_DIRECT fails (EINVAL)"
                    .into(),
            );
        }
        return random(spec, ctx, FsWorker::open);
    }
    outcome(exec::block_on(async {
        match w {
            Workload::W4 => fs_seq_read(ctx).await,
            Workload::W5 => fs_seq_write(ctx).await,
            Workload::W6 => fs_lines(ctx).await,
            _ => Err(format!("{w} is not run by tokio-fs")),
        }
    }))
}

/// Runs one `tokio-spawn-blocking` case.
pub fn run_spawn_blocking(w: Workload, ctx: &Ctx<'_>) -> Outcome {
    if let Some(spec) = w.random_spec(ctx.cfg.duration) {
        return random(spec, ctx, SbWorker::open);
    }
    outcome(exec::block_on(async {
        match w {
            Workload::W4 => sb_seq_read(ctx).await,
            Workload::W5 => sb_seq_write(ctx).await,
            Workload::W6 => Err("no line reader over spawn_blocking (see tokio-fs)".into()),
            _ => Err(format!("{w} is not run by tokio-spawn-blocking")),
        }
    }))
}

/// Opens `depth` workers (inside the runtime) and runs the random case.
fn random<R, F>(spec: Spec, ctx: &Ctx<'_>, open: F) -> Outcome
where
    R: ReadAt,
    F: Fn(&std::path::Path, bool) -> io::Result<R>,
{
    let driver = Driver::new(&spec, ctx.files.size, ctx.seed);
    let path = ctx.path(FileKind::Read);
    let (res, ticks) = exec::block_on_ticked(
        async {
            let workers = (0..spec.depth)
                .map(|_| open(path, spec.direct))
                .collect::<io::Result<Vec<R>>>()
                .map_err(err)?;
            driver.begin();
            exec::run_workers(&driver, workers).await.map_err(err)
        },
        spec.ticker,
    );
    outcome(res.map(|()| with_ticks(driver.finish("tokio-blocking-pool"), ticks)))
}

/// A `tokio::fs::File` of its own (the cursor is per file): seek, then `read_exact`.
struct FsWorker {
    file: tokio::fs::File,
    buf: Vec<u8>,
}

impl FsWorker {
    fn open(path: &std::path::Path, _direct: bool) -> io::Result<Self> {
        Ok(FsWorker {
            file: tokio::fs::File::from_std(File::open(path)?),
            buf: vec![0; BLOCK],
        })
    }
}

impl ReadAt for FsWorker {
    async fn read_at(&mut self, offset: u64) -> io::Result<usize> {
        self.file.seek(SeekFrom::Start(offset)).await?;
        self.file.read_exact(&mut self.buf).await
    }
}

/// A shared `File` and an aligned buffer moved into each `spawn_blocking` and back.
struct SbWorker {
    file: Arc<File>,
    buf: Option<AlignedBuf>,
}

impl SbWorker {
    fn open(path: &std::path::Path, direct: bool) -> io::Result<Self> {
        Ok(SbWorker {
            file: Arc::new(open_read(path, direct)?),
            buf: Some(AlignedBuf::new(BLOCK)),
        })
    }
}

impl ReadAt for SbWorker {
    async fn read_at(&mut self, offset: u64) -> io::Result<usize> {
        let file = Arc::clone(&self.file);
        let mut buf = self.buf.take().expect("buffer is back after each read");
        let (res, buf) = tokio::task::spawn_blocking(move || {
            let res = file.read_at(buf.as_mut_slice(), offset);
            (res, buf)
        })
        .await
        .map_err(io::Error::other)?;
        self.buf = Some(buf);
        res
    }
}

async fn fs_seq_read(ctx: &Ctx<'_>) -> Result<Measure, String> {
    let mut buf = vec![0u8; SEQ_CHUNK];
    let mut clock = Clock::start(Some(ctx.cfg.duration), 16);
    'passes: loop {
        let mut file = tokio::fs::File::open(ctx.path(FileKind::Read))
            .await
            .map_err(err)?;
        loop {
            let n = file.read(&mut buf).await.map_err(err)?;
            if n == 0 {
                break;
            }
            clock.add(n);
            if clock.over() {
                break 'passes;
            }
        }
    }
    Ok(clock.finish("tokio-blocking-pool"))
}

async fn fs_seq_write(ctx: &Ctx<'_>) -> Result<Measure, String> {
    let chunk = write_chunk();
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .open(ctx.path(FileKind::Write))
        .await
        .map_err(err)?;
    let mut clock = Clock::start(Some(ctx.cfg.duration), 16);
    'passes: loop {
        file.rewind().await.map_err(err)?;
        for _ in 0..ctx.files.size / SEQ_CHUNK as u64 {
            file.write_all(&chunk).await.map_err(err)?;
            clock.add(SEQ_CHUNK);
            if clock.over() {
                break 'passes;
            }
        }
        file.flush().await.map_err(err)?;
        file.sync_all().await.map_err(err)?;
    }
    file.flush().await.map_err(err)?;
    file.sync_all().await.map_err(err)?;
    Ok(clock.finish("tokio-blocking-pool"))
}

async fn fs_lines(ctx: &Ctx<'_>) -> Result<Measure, String> {
    let mut line = Vec::with_capacity(256);
    let mut clock = Clock::start(Some(ctx.cfg.duration), 20_000);
    'passes: loop {
        let file = tokio::fs::File::open(ctx.path(FileKind::Text))
            .await
            .map_err(err)?;
        let mut reader = BufReader::with_capacity(LINE_CHUNK, file);
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).await.map_err(err)?;
            if n == 0 {
                break;
            }
            clock.add(n);
            if clock.units % 256 == 0 && clock.over() {
                break 'passes;
            }
        }
    }
    Ok(clock.finish("tokio-blocking-pool"))
}

async fn sb_seq_read(ctx: &Ctx<'_>) -> Result<Measure, String> {
    let file = Arc::new(File::open(ctx.path(FileKind::Read)).map_err(err)?);
    let mut buf = vec![0u8; SEQ_CHUNK];
    let mut clock = Clock::start(Some(ctx.cfg.duration), 16);
    let mut offset = 0u64;
    while !clock.over() {
        let f = Arc::clone(&file);
        let (res, b) = tokio::task::spawn_blocking(move || (f.read_at(&mut buf, offset), buf))
            .await
            .map_err(err)?;
        buf = b;
        match res.map_err(err)? {
            0 => offset = 0,
            n => {
                offset += n as u64;
                clock.add(n);
            }
        }
    }
    Ok(clock.finish("tokio-blocking-pool"))
}

async fn sb_seq_write(ctx: &Ctx<'_>) -> Result<Measure, String> {
    let file = Arc::new(
        std::fs::OpenOptions::new()
            .write(true)
            .open(ctx.path(FileKind::Write))
            .map_err(err)?,
    );
    let mut chunk = write_chunk();
    let sync = || {
        let f = Arc::clone(&file);
        async move {
            tokio::task::spawn_blocking(move || f.sync_all())
                .await
                .map_err(err)?
                .map_err(err)
        }
    };
    let mut clock = Clock::start(Some(ctx.cfg.duration), 16);
    'passes: loop {
        for i in 0..ctx.files.size / SEQ_CHUNK as u64 {
            let f = Arc::clone(&file);
            let at = i * SEQ_CHUNK as u64;
            let (res, c) = tokio::task::spawn_blocking(move || (f.write_all_at(&chunk, at), chunk))
                .await
                .map_err(err)?;
            chunk = c;
            res.map_err(err)?;
            clock.add(SEQ_CHUNK);
            if clock.over() {
                break 'passes;
            }
        }
        sync().await?;
    }
    sync().await?;
    Ok(clock.finish("tokio-blocking-pool"))
}
