//! `std-sync`: plain blocking I/O on the bench thread, one operation at a time
//! (`pread` via `FileExt::read_at`, `Read::read`, `BufRead::read_until`). For cached
//! data this is the limit a runtime can approach; it has no concurrency, so W1 and
//! W1b are the same loop.
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};

use super::{outcome, Ctx};
use crate::data::Rng;
use crate::record::{Measure, Outcome};
use crate::sys::aligned::AlignedBuf;
use crate::workloads::clock::Clock;
use crate::workloads::random::{Driver, Spec};
use crate::workloads::{FileKind, Workload, BLOCK, LINE_CHUNK, SEQ_CHUNK};

/// Runs one case.
pub fn run(w: Workload, ctx: &Ctx<'_>) -> Outcome {
    let res = match w.random_spec(ctx.cfg.duration) {
        Some(spec) => random(spec, ctx),
        None => match w {
            Workload::W4 => seq_read(ctx),
            Workload::W5 => seq_write(ctx),
            Workload::W6 => lines(ctx),
            _ => Err(format!("{w} is not run by std-sync")),
        },
    };
    outcome(res)
}

fn err(e: impl std::fmt::Display) -> String {
    format!("error: {e}")
}

/// The 1 MiB block every W5 system writes (same bytes for all).
pub fn write_chunk() -> Vec<u8> {
    let mut rng = Rng::new(42);
    (0..SEQ_CHUNK).map(|_| rng.next_u64() as u8).collect()
}

/// Opens for reading, with `O_DIRECT` when asked.
pub fn open_read(path: &std::path::Path, direct: bool) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true);
    if direct {
        o.custom_flags(libc::O_DIRECT);
    }
    o.open(path)
}

fn random(spec: Spec, ctx: &Ctx<'_>) -> Result<Measure, String> {
    let file = open_read(ctx.path(FileKind::Read), spec.direct).map_err(err)?;
    let mut buf = AlignedBuf::new(BLOCK);
    let driver = Driver::new(&spec, ctx.files.size, ctx.seed);
    driver.begin();
    driver
        .run_sync(|off| file.read_at(buf.as_mut_slice(), off))
        .map_err(err)?;
    Ok(driver.finish(if spec.direct {
        "pread+O_DIRECT"
    } else {
        "pread"
    }))
}

fn seq_read(ctx: &Ctx<'_>) -> Result<Measure, String> {
    let mut buf = vec![0u8; SEQ_CHUNK];
    let mut clock = Clock::start(Some(ctx.cfg.duration), 16);
    'passes: loop {
        let mut file = File::open(ctx.path(FileKind::Read)).map_err(err)?;
        loop {
            let n = file.read(&mut buf).map_err(err)?;
            if n == 0 {
                break;
            }
            clock.add(n);
            if clock.over() {
                break 'passes;
            }
        }
    }
    Ok(clock.finish("read"))
}

fn seq_write(ctx: &Ctx<'_>) -> Result<Measure, String> {
    let chunk = write_chunk();
    let mut file = OpenOptions::new()
        .write(true)
        .open(ctx.path(FileKind::Write))
        .map_err(err)?;
    let mut clock = Clock::start(Some(ctx.cfg.duration), 16);
    'passes: loop {
        file.rewind().map_err(err)?;
        for _ in 0..ctx.files.size / SEQ_CHUNK as u64 {
            file.write_all(&chunk).map_err(err)?;
            clock.add(SEQ_CHUNK);
            if clock.over() {
                break 'passes;
            }
        }
        file.sync_all().map_err(err)?;
    }
    file.sync_all().map_err(err)?;
    Ok(clock.finish("write+fsync"))
}

fn lines(ctx: &Ctx<'_>) -> Result<Measure, String> {
    let mut line = Vec::with_capacity(256);
    let mut clock = Clock::start(Some(ctx.cfg.duration), 20_000);
    'passes: loop {
        let file = File::open(ctx.path(FileKind::Text)).map_err(err)?;
        let mut reader = BufReader::with_capacity(LINE_CHUNK, file);
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).map_err(err)?;
            if n == 0 {
                break;
            }
            clock.add(n);
            if clock.units % 256 == 0 && clock.over() {
                break 'passes;
            }
        }
    }
    Ok(clock.finish("BufRead::read_until"))
}
