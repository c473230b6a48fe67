//! The run: data files, then every selected (workload, system) case, repeats
//! interleaved (repeat 1 of every system, then repeat 2, ...), cache state set before
//! each case, progress printed, then the report files.
use std::io;
use std::time::Instant;

use aiofile_pagecache::Pinned;

use crate::config::Config;
use crate::data::{self, DataFiles};
use crate::record::{Outcome, Record};
use crate::report;
use crate::sys::cache;
use crate::systems::{fio, Ctx, System};
use crate::workloads::{Cache, Workload};

/// Runs the suite and writes the results.
///
/// # Errors
/// Making the data files or writing the results failed.
pub fn run(cfg: &Config) -> io::Result<()> {
    let started = Instant::now();
    println!(
        "aiofile-bench {} mode: {} MiB files, {:.1} s per timed case, {} repeat(s)",
        cfg.mode.name(),
        cfg.file_size >> 20,
        cfg.duration.as_secs_f64(),
        cfg.repeats
    );
    println!("data files in {}", cfg.data_dir.display());
    let files = DataFiles::prepare(&cfg.data_dir, cfg.file_size, cfg.text_size)?;
    if !fio::available() {
        println!("note: fio not installed; fio-* systems are skipped (run bench/setup.sh)");
    }
    let mut records = Vec::new();
    for w in Workload::ALL {
        if w == Workload::W8 || !cfg.wants_workload(w) {
            continue;
        }
        records.extend(run_workload(cfg, &files, w));
    }
    records.extend(w8_records(&records));
    let machine = crate::machine::describe(&cfg.data_dir);
    report::write_all(cfg, &machine, &records)?;
    println!(
        "\ndone in {:.0} s; results in {}",
        started.elapsed().as_secs_f64(),
        cfg.out_dir.display()
    );
    Ok(())
}

fn run_workload(cfg: &Config, files: &DataFiles, w: Workload) -> Vec<Record> {
    println!("\n== {w}: {}", w.title());
    let systems: Vec<System> = System::ALL
        .into_iter()
        .filter(|s| s.applies(w) && cfg.wants_system(s.id()))
        .collect();
    let mut outcomes: Vec<Vec<Outcome>> = vec![Vec::new(); systems.len()];
    for rep in 0..cfg.repeats {
        let ctx = Ctx {
            cfg,
            files,
            seed: 0x5EED + rep as u64,
        };
        warm_device_once(&ctx, w);
        // Rotate the order each repeat so no system always runs first.
        for k in 0..systems.len() {
            let i = (k + rep) % systems.len();
            let s = systems[i];
            // A skip for a missing backend repeats identically: do not retry it.
            if matches!(outcomes[i].first(), Some(Outcome::Skipped(_))) {
                continue;
            }
            outcomes[i].push(run_case(&ctx, w, s, rep));
        }
    }
    systems
        .iter()
        .zip(outcomes)
        .map(|(&s, o)| Record::from_repeats(w, s, &o))
        .collect()
}

fn run_case(ctx: &Ctx<'_>, w: Workload, s: System, rep: usize) -> Outcome {
    let label = format!("  {w:<4} {:<22} rep {}", s.id(), rep + 1);
    // Held until the case ends: a cached workload's file cannot be evicted meanwhile.
    let _pinned = match prepare_cache(ctx, w) {
        Ok(pinned) => pinned,
        Err(e) => {
            println!("{label}: cache setup failed: {e}");
            return Outcome::Skipped(format!("error: cache setup: {e}"));
        }
    };
    let t = Instant::now();
    let out = s.run(w, ctx);
    let secs = t.elapsed().as_secs_f64();
    match &out {
        Outcome::Done(m) => println!("{label}: {} ({secs:.1} s)", report::short(w, m)),
        Outcome::Skipped(why) => println!("{label}: SKIP {why}"),
    }
    out
}

/// Before an uncached read workload: one `O_DIRECT` pass so the host's cache (on a VM)
/// is the same for every system.
fn warm_device_once(ctx: &Ctx<'_>, w: Workload) {
    if let Some((kind @ crate::workloads::FileKind::Read, Cache::Cold)) = w.setup() {
        if let Err(e) = data::warm_device(ctx.path(kind)) {
            println!("  warning: O_DIRECT warm-up pass failed: {e}");
        }
    }
}

/// Sets the page cache up for `w`: drops its file (cold), or reads it in and pins it
/// for the case (warm: `mmap` + `mlock`, see [`aiofile_pagecache::pin`]), so that no
/// system's reads of a cached file miss. This VM runs DAMON with a `pageout` scheme
/// (regions seen cold for 6 s are paged out, up to 128 MiB/s), and random 4 KiB reads
/// of a 1 GiB file look cold to it even at 400k reads/s. A pin that fails is reported
/// and the case runs unpinned.
fn prepare_cache(ctx: &Ctx<'_>, w: Workload) -> io::Result<Option<Pinned>> {
    let Some((kind, cache)) = w.setup() else {
        return Ok(None);
    };
    let path = ctx.path(kind);
    match cache {
        Cache::Warm => {
            let pinned = pin(path).unwrap_or_else(|e| {
                println!("  warning: cannot pin {} in the cache: {e}", path.display());
                None
            });
            // The pin read every page in; without it, read the file.
            let resident = match pinned {
                Some(_) => cache::resident_fraction(path)?,
                None => data::warm(path)?,
            };
            if resident < 0.99 {
                println!(
                    "  warning: only {:.0} % of {} cached",
                    resident * 100.0,
                    path.display()
                );
            }
            Ok(pinned)
        }
        Cache::Cold => {
            let resident = data::drop(path, ctx.cfg.global_drop)?;
            if resident > 0.01 {
                println!(
                    "  warning: {:.1} % of {} still cached",
                    resident * 100.0,
                    path.display()
                );
            }
            Ok(None)
        }
    }
}

/// Pins `path` in the page cache (`None` for an empty file).
fn pin(path: &std::path::Path) -> io::Result<Option<Pinned>> {
    aiofile_pagecache::pin(std::fs::File::open(path)?)
}

/// W8 rows: the steady-state allocation counts of the W1 and W6 runs.
fn w8_records(records: &[Record]) -> Vec<Record> {
    let mut out = Vec::new();
    for of in [Workload::W1, Workload::W6] {
        for r in records.iter().filter(|r| r.workload == of) {
            let Ok(m) = &r.result else { continue };
            let Some(a) = m.allocs_per_op else { continue };
            let measure = crate::record::Measure {
                backend: m.backend.clone(),
                allocs_per_op: Some(a),
                ..Default::default()
            };
            out.push(Record {
                workload: Workload::W8,
                system: r.system,
                of: Some(of),
                result: Ok(measure),
                repeats: r.repeats,
                per_repeat: Vec::new(),
            });
        }
    }
    out
}
