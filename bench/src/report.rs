//! Writes `latest.json`, `latest.md` and `chart.svg`, and formats progress lines.
use std::fmt::Write as _;
use std::fs;
use std::io;

use serde_json::{json, Value};

use crate::config::Config;
use crate::record::{Measure, Record};
use crate::targets::{self, fmt_headline, fmt_num};
use crate::workloads::Workload;

const MIB: f64 = (1u64 << 20) as f64;

/// The progress line of one measured case.
pub fn short(w: Workload, m: &Measure) -> String {
    let mut s = match w {
        Workload::W4 | Workload::W5 => {
            format!("{} MiB/s", fmt_num(m.bytes_per_sec.unwrap_or(0.0) / MIB))
        }
        Workload::W6 => format!("{} lines/s", fmt_num(m.ops_per_sec.unwrap_or(0.0))),
        _ => format!("{} IOPS", fmt_num(m.ops_per_sec.unwrap_or(0.0))),
    };
    if let (Some(p50), Some(p99)) = (m.p50_us, m.p99_us) {
        let _ = write!(s, ", p50 {p50:.1} µs, p99 {p99:.1} µs");
    }
    if let (Some(p), Some(max)) = (m.stall_p999_us, m.stall_max_us) {
        let _ = write!(s, ", stall p99.9 {p:.1} µs, max {max:.0} µs");
    }
    if let Some(a) = m.allocs_per_op {
        let _ = write!(s, ", {} allocs/op", crate::targets::fmt_allocs(a));
    }
    if let Some(b) = &m.backend {
        let _ = write!(s, " [{b}]");
    }
    s
}

/// Writes the three result files into `cfg.out_dir`.
///
/// # Errors
/// The OS error of writing.
pub fn write_all(cfg: &Config, machine: &Value, records: &[Record]) -> io::Result<()> {
    fs::create_dir_all(&cfg.out_dir)?;
    let doc = json!({
        "machine": machine,
        "mode": cfg.mode.name(),
        "file_size": cfg.file_size,
        "duration_s": cfg.duration.as_secs_f64(),
        "repeats": cfg.repeats,
        "runs": records.iter().map(Record::to_json).collect::<Vec<_>>(),
    });
    let text = serde_json::to_string_pretty(&doc).map_err(io::Error::other)?;
    fs::write(cfg.out_dir.join("latest.json"), text + "\n")?;
    let md = markdown(cfg, machine, records);
    fs::write(cfg.out_dir.join("latest.md"), &md)?;
    if let Err(e) = crate::chart::draw(&cfg.out_dir.join("chart.svg"), records) {
        println!("warning: chart not drawn: {e}");
    }
    println!("\n{md}");
    Ok(())
}

/// Figure, ratio to the best peer (`> 1` better), for one record of a workload.
fn ratio(w: Workload, value: f64, best: Option<f64>) -> String {
    match best {
        _ if w == Workload::W8 => "-".into(),
        Some(b) if w.lower_is_better() && value > 0.0 => format!("{:.2}x", b / value),
        Some(b) if !w.lower_is_better() && b > 0.0 => format!("{:.2}x", value / b),
        _ => "-".into(),
    }
}

fn best_peer(w: Workload, rows: &[&Record]) -> Option<f64> {
    let vals = rows
        .iter()
        .filter(|r| !r.system.is_ours())
        .filter_map(|r| r.result.as_ref().ok()?.headline(w));
    if w.lower_is_better() {
        vals.min_by(f64::total_cmp)
    } else {
        vals.max_by(f64::total_cmp)
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "-".into())
}

/// The lowest and highest repeat, e.g. `29,572-39,013`; `-` with fewer than two.
fn spread(w: Workload, per_repeat: &[f64]) -> String {
    if per_repeat.len() < 2 {
        return "-".into();
    }
    let lo = per_repeat.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = per_repeat.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{}-{}", fmt_headline(w, lo), fmt_headline(w, hi))
}

fn table(out: &mut String, w: Workload, rows: &[&Record]) {
    let best = best_peer(w, rows);
    let _ = writeln!(out, "\n## {w}: {} ({})\n", w.title(), w.unit());
    if let Some(note) = w.note() {
        let _ = writeln!(out, "{note}\n");
    }
    let _ = writeln!(
        out,
        "| system | backend | {} | ratio to best peer | repeats min-max | p50 µs | p99 µs | stall max µs |",
        w.unit()
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let name = match r.of {
            Some(of) => format!("{} (in {of})", r.system),
            None => r.system.to_string(),
        };
        match &r.result {
            Err(why) => {
                let _ = writeln!(out, "| {name} | - | skipped: {why} | | | | | |");
            }
            Ok(m) => {
                let v = m.headline(w).unwrap_or(f64::NAN);
                let _ = writeln!(
                    out,
                    "| {name} | {} | {} | {} | {} | {} | {} | {} |",
                    m.backend.as_deref().unwrap_or("-"),
                    fmt_headline(w, v),
                    ratio(w, v, best),
                    spread(w, &r.per_repeat),
                    opt(m.p50_us),
                    opt(m.p99_us),
                    opt(m.stall_max_us),
                );
            }
        }
    }
}

fn markdown(cfg: &Config, machine: &Value, records: &[Record]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# aiofile benchmark: {} run\n", cfg.mode.name());
    let _ = writeln!(
        out,
        "{} MiB data files, {:.1} s per timed case, {} repeat(s) (medians). All systems \
         measured in this run on the same files. Ratio: the figure over the best peer's \
         (non-aiofile system); above 1 is better (for W7, best peer's stall over ours). \
         `repeats min-max` is the spread of the repeats behind each median: where the \
         ranges of two systems overlap, their order is within this machine's noise. \
         Rerun: `bench/setup.sh && cargo run --release -p aiofile-bench [-- --full]`.\n",
        cfg.file_size >> 20,
        cfg.duration.as_secs_f64(),
        cfg.repeats
    );
    let _ = writeln!(out, "Machine: `{}`\n", machine);
    let _ = writeln!(out, "![chart](chart.svg)\n\n## Targets\n");
    for v in targets::check(records) {
        let mark = match v.met {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "not evaluated",
        };
        let _ = writeln!(out, "- **{mark}**: {}", v.text);
    }
    for w in Workload::ALL {
        let rows: Vec<&Record> = records.iter().filter(|r| r.workload == w).collect();
        if !rows.is_empty() {
            table(&mut out, w, &rows);
        }
    }
    out
}
