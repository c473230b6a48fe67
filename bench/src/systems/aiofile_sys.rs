//! The aiofile systems, through the public facade only: `AioFile::read_into` for
//! random reads (zero-copy, the buffer comes back), and for the sequential workloads
//! the streams' allocation-free forms: `Reader::read_chunk_slice` (W4, the chunk
//! borrowed from the reader's reused buffer), `Writer::write_buf` (W5: the 1 MiB block
//! std writes, in two owned buffers passed in turn, zero-copy, one write in flight
//! behind the loop, `flush` before the `fsync`), and
//! `LineReader::next_line` (W6: lines borrowed from the chunk, 0 allocations per line).
//!
//! `aiofile-uring` / `aiofile-aio` / `aiofile-threads` force a reactor with
//! `OpenOptions::reactor`; when the facade falls back to another backend the case is
//! skipped with the facade's reason, never reported under the wrong name.
//!
//! O_DIRECT (W3): the facade's buffer is a `Vec<u8>`, whose heap block is not 4 KiB
//! aligned. `read_into` appends after the vector's initialised bytes, so each worker
//! keeps a vector of two blocks' capacity and `pad` filler bytes that put the append
//! point on a 4 KiB boundary: the kernel reads into aligned memory.
use std::io;

use aiofile::{AioFile, LineReader, OpenOptions, ReactorKind, Reader, Writer};

use super::{outcome, Ctx};
use crate::exec;
use crate::record::{Measure, Outcome};
use crate::sys::aligned::ALIGN;
use crate::workloads::clock::Clock;
use crate::workloads::random::{Driver, ReadAt, Spec};
use crate::workloads::{FileKind, Workload, BLOCK, LINE_CHUNK, SEQ_CHUNK};

/// W5's writeback hint interval (`Writer::writeback_every`).
const WRITEBACK_EVERY: u64 = 8 << 20;

/// Runs one case; `kind` `None` is `aiofile-auto`.
pub fn run(kind: Option<ReactorKind>, w: Workload, ctx: &Ctx<'_>) -> Outcome {
    if let Some(spec) = w.random_spec(ctx.cfg.duration) {
        return random(kind, spec, ctx);
    }
    outcome(exec::block_on(async {
        match w {
            Workload::W4 => seq_read(kind, ctx).await,
            Workload::W5 => seq_write(kind, ctx).await,
            Workload::W6 => lines(kind, ctx).await,
            _ => Err(format!("{w} is not run by aiofile systems")),
        }
    }))
}

fn err(e: impl std::fmt::Display) -> String {
    format!("error: {e}")
}

/// Opens `path`, checking the backend; returns the file and the backend's name.
async fn open(
    kind: Option<ReactorKind>,
    path: &std::path::Path,
    mode: &str,
    direct: bool,
) -> Result<(AioFile, String), String> {
    let mut opts = OpenOptions::new().direct(direct);
    if let Some(k) = kind {
        opts = opts.reactor(k);
    }
    let file = AioFile::open_with(path, mode, opts).await.map_err(err)?;
    let info = file.reactor_info().ok_or("file not open after open_with")?;
    match kind {
        Some(k) if info.kind != k => {
            let _ = file.close().await;
            Err(format!(
                "facade fell back to {}: {}",
                info.kind, info.reason
            ))
        }
        _ => Ok((file, info.kind.name().to_string())),
    }
}

struct Worker {
    file: AioFile,
    buf: Vec<u8>,
    /// Filler bytes before the read lands (aligns O_DIRECT reads; 0 otherwise).
    pad: usize,
}

impl Worker {
    fn new(file: AioFile, direct: bool) -> Self {
        if !direct {
            return Worker {
                file,
                buf: Vec::with_capacity(BLOCK),
                pad: 0,
            };
        }
        let mut buf: Vec<u8> = Vec::with_capacity(BLOCK + ALIGN);
        let pad = buf.as_ptr().align_offset(ALIGN);
        buf.resize(pad, 0);
        Worker { file, buf, pad }
    }
}

impl ReadAt for Worker {
    async fn read_at(&mut self, offset: u64) -> io::Result<usize> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.truncate(self.pad);
        let (res, buf) = self.file.read_into(buf, BLOCK, offset).await;
        self.buf = buf;
        Ok(res?)
    }
}

fn random(kind: Option<ReactorKind>, spec: Spec, ctx: &Ctx<'_>) -> Outcome {
    let driver = Driver::new(&spec, ctx.files.size, ctx.seed);
    let path = ctx.path(FileKind::Read);
    let (res, ticks) = exec::block_on_ticked(
        async {
            let (file, backend) = open(kind, path, "rb", spec.direct).await?;
            let workers = (0..spec.depth)
                .map(|_| Worker::new(file.clone(), spec.direct))
                .collect();
            driver.begin();
            exec::run_workers(&driver, workers).await.map_err(err)?;
            let _ = file.close().await;
            Ok(backend)
        },
        spec.ticker,
    );
    outcome(res.map(|backend| with_ticks(driver.finish(backend), ticks)))
}

/// Adds W7's ticker figures to a measure.
pub fn with_ticks(mut m: Measure, ticks: Option<(f64, f64)>) -> Measure {
    if let Some((p999, max)) = ticks {
        m.stall_p999_us = Some(p999);
        m.stall_max_us = Some(max);
    }
    m
}

async fn seq_read(kind: Option<ReactorKind>, ctx: &Ctx<'_>) -> Result<Measure, String> {
    let (file, backend) = open(kind, ctx.path(FileKind::Read), "rb", false).await?;
    let mut clock = Clock::start(Some(ctx.cfg.duration), 16);
    'passes: loop {
        let mut reader = Reader::new(&file, 0, SEQ_CHUNK).map_err(err)?;
        while let Some(chunk) = reader.read_chunk_slice().await.map_err(err)? {
            clock.add(chunk.len());
            if clock.over() {
                break 'passes;
            }
        }
    }
    let _ = file.close().await;
    Ok(clock.finish(backend))
}

/// W5 through `Writer::write_buf`: the block std writes from its one buffer is here in
/// two owned buffers passed in turn; each call hands the buffer of the previous,
/// finished write back intact, so nothing is copied or allocated within a pass and one
/// 1 MiB write is in flight behind the loop. Passes (each a fresh `Writer` at offset 0,
/// then `fsync`) repeat until the time is up.
async fn seq_write(kind: Option<ReactorKind>, ctx: &Ctx<'_>) -> Result<Measure, String> {
    let (file, backend) = open(kind, ctx.path(FileKind::Write), "r+b", false).await?;
    let mut buf = crate::systems::std_sync::write_chunk();
    let chunks = ctx.files.size / SEQ_CHUNK as u64;
    let mut clock = Clock::start(Some(ctx.cfg.duration), 16);
    'passes: loop {
        // The last pass's writer kept its last buffer: a second one is pass set-up.
        let mut second = clock.set_up(|| buf.clone());
        let mut writer = Writer::new(&file, 0)
            .map_err(err)?
            .writeback_every(WRITEBACK_EVERY);
        for _ in 0..chunks {
            let (res, back) = writer.write_buf(buf).await;
            res.map_err(err)?;
            // The first call has no finished write to hand back yet.
            buf = if back.len() == SEQ_CHUNK {
                back
            } else {
                std::mem::take(&mut second)
            };
            clock.add(SEQ_CHUNK);
            if clock.over() {
                writer.flush().await.map_err(err)?;
                break 'passes;
            }
        }
        // Each call returns once the previous write finished; wait for the last one too.
        writer.flush().await.map_err(err)?;
        file.fsync().await.map_err(err)?;
    }
    file.fsync().await.map_err(err)?;
    let m = clock.finish(backend);
    file.close().await.map_err(err)?;
    Ok(m)
}

async fn lines(kind: Option<ReactorKind>, ctx: &Ctx<'_>) -> Result<Measure, String> {
    let (file, backend) = open(kind, ctx.path(FileKind::Text), "rb", false).await?;
    let mut clock = Clock::start(Some(ctx.cfg.duration), 20_000);
    'passes: loop {
        // A reader per pass is set-up, not a line: W8 counts what reading lines costs.
        let mut lines = clock
            .set_up(|| LineReader::new(&file, 0, LINE_CHUNK, b"\n"))
            .map_err(err)?;
        while let Some(line) = lines.next_line().await.map_err(err)? {
            clock.add(line.len());
            if clock.units % 256 == 0 && clock.over() {
                break 'passes;
            }
        }
    }
    let _ = file.close().await;
    Ok(clock.finish(backend))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_worker_appends_on_an_aligned_address() {
        let file = futures::executor::block_on(async {
            AioFile::open("/proc/self/status", "rb").await.unwrap()
        });
        let w = Worker::new(file, true);
        let at = w.buf.as_ptr() as usize + w.buf.len();
        assert_eq!(at % ALIGN, 0);
        assert!(w.buf.capacity() - w.buf.len() >= BLOCK);
    }
}
