//! `fio-io_uring`, `fio-libaio`, `fio-psync`: fio on the same files, with the same
//! shapes (`--output-format=json`, IOPS / bandwidth / latency percentiles parsed).
//!
//! Settings that keep fio doing what the in-process systems do: `fadvise_hint=0` (no
//! `POSIX_FADV_RANDOM`/`SEQUENTIAL` that the others do not get), `invalidate=0` for
//! cached cases (fio would otherwise drop the cache it is meant to read from),
//! `norandommap` for timed random reads (uniform with replacement, like ours) and
//! for W2 `random_generator=lfsr`: a full-period LFSR visits every block once in a
//! random order, like our permutation, capped by `runtime`. fio's default (tausworthe
//! with its random map) is not that: when a draw hits a block already read it takes
//! the next free block *next to it*, so late in a pass its reads cluster beside blocks
//! whose readahead already cached them. Measured here on the 1 GiB file, dropped cache,
//! qd32: default 76,426 IOPS (the whole pass in 3.4 s, p50 105 µs: mostly cache hits),
//! lfsr 36,368 IOPS (p50 692 µs); our permutation-driven systems see the latter. psync is
//! a synchronous engine: it runs one read at a time whatever the depth. W5 uses
//! `end_fsync=1`; fio's bandwidth then includes the final fsync (checked: 256 MiB at
//! 5.0 GiB/s without it, 2.6 GiB/s with it, runtime 51 -> 98 ms), like ours. With
//! `loops` and `runtime` it makes passes until the time is up: `strace` counted an
//! `fsync` after each pass and one at the stop (14 for 13 passes and a part).
use std::process::Command;

use serde_json::Value;

use super::Ctx;
use crate::record::{Measure, Outcome};
use crate::workloads::{FileKind, Workload};

/// True when `fio --version` runs.
pub fn available() -> bool {
    Command::new("fio")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// fio's arguments for a workload (without the engine-independent output flags).
pub fn args(engine: &str, w: Workload, ctx: &Ctx<'_>) -> Option<Vec<String>> {
    let kind = w.setup()?.0;
    let ms = ctx.cfg.duration.as_millis();
    let depth = |d: usize| if engine == "psync" { 1 } else { d };
    let mut a = vec![
        "--name=bench".to_string(),
        format!("--filename={}", ctx.path(kind).display()),
        format!("--size={}", ctx.files.size),
        format!("--ioengine={engine}"),
        "--fadvise_hint=0".into(),
        "--lat_percentiles=1".into(),
        "--randrepeat=0".into(),
        "--output-format=json".into(),
    ];
    let timed = [
        "--time_based".to_string(),
        format!("--runtime={ms}ms"),
        "--norandommap".into(),
    ];
    let shape: Vec<String> = match w {
        Workload::W1 | Workload::W1b => {
            let d = if w == Workload::W1 { 32 } else { 1 };
            let mut s = vec![
                "--rw=randread".into(),
                "--bs=4k".into(),
                "--invalidate=0".into(),
            ];
            s.push(format!("--iodepth={}", depth(d)));
            s.extend(timed);
            s
        }
        // No time_based: the random map ends the job after one pass, runtime caps it.
        Workload::W2 => vec![
            "--rw=randread".into(),
            "--random_generator=lfsr".into(),
            "--bs=4k".into(),
            "--invalidate=1".into(),
            format!("--iodepth={}", depth(32)),
            format!("--runtime={ms}ms"),
        ],
        Workload::W3 => {
            let mut s = vec![
                "--rw=randread".into(),
                "--bs=4k".into(),
                "--direct=1".into(),
            ];
            s.push(format!("--iodepth={}", depth(32)));
            s.extend(timed);
            s
        }
        Workload::W4 => vec![
            "--rw=read".into(),
            "--bs=1m".into(),
            "--iodepth=1".into(),
            "--invalidate=0".into(),
            "--time_based".into(),
            format!("--runtime={ms}ms"),
        ],
        // Passes over the file until `runtime` (fsync at each pass's end and at the
        // stop), like the in-process systems.
        Workload::W5 => vec![
            "--rw=write".into(),
            "--bs=1m".into(),
            "--iodepth=1".into(),
            "--invalidate=0".into(),
            "--end_fsync=1".into(),
            format!("--loops={}", u32::MAX),
            format!("--runtime={ms}ms"),
        ],
        _ => return None,
    };
    debug_assert!(kind != FileKind::Text);
    a.extend(shape);
    Some(a)
}

/// Runs one case with `engine`.
pub fn run(engine: &str, w: Workload, ctx: &Ctx<'_>) -> Outcome {
    if !available() {
        return Outcome::Skipped("fio not installed (run bench/setup.sh)".into());
    }
    let Some(args) = args(engine, w, ctx) else {
        return Outcome::Skipped(format!("{w} has no fio job"));
    };
    let out = match Command::new("fio").args(&args).output() {
        Ok(o) => o,
        Err(e) => return Outcome::Skipped(format!("error: running fio: {e}")),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Outcome::Skipped(format!("error: fio failed: {}", stderr.trim()));
    }
    match parse(&stdout, w == Workload::W5, engine) {
        Ok(m) => Outcome::Done(m),
        Err(e) => Outcome::Skipped(format!("error: fio output: {e}")),
    }
}

/// Parses fio's JSON (text before the first `{`, e.g. warnings, is ignored).
///
/// # Errors
/// A message when the JSON or a needed field is missing.
pub fn parse(stdout: &str, write: bool, engine: &str) -> Result<Measure, String> {
    let start = stdout.find('{').ok_or("no JSON in fio output")?;
    let v: Value = serde_json::from_str(&stdout[start..]).map_err(|e| e.to_string())?;
    let dir = &v["jobs"][0][if write { "write" } else { "read" }];
    let iops = dir["iops"].as_f64().ok_or("no iops")?;
    let bw = dir["bw_bytes"].as_f64().ok_or("no bw_bytes")?;
    let pct = |lat: &str, p: &str| dir[lat]["percentile"][p].as_f64().map(|ns| ns / 1e3);
    let p = |q: &str| pct("lat_ns", q).or_else(|| pct("clat_ns", q));
    Ok(Measure {
        backend: Some(engine.to_string()),
        ops_per_sec: Some(iops),
        bytes_per_sec: Some(bw),
        p50_us: p("50.000000"),
        p99_us: p("99.000000"),
        ..Measure::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fio_json_after_a_warning() {
        let out = r#"fio: some warning
{"jobs": [{"read": {"iops": 1000.5, "bw_bytes": 4098048,
  "lat_ns": {"percentile": {"50.000000": 2000, "99.000000": 9000}}}}]}"#;
        let m = parse(out, false, "psync").unwrap();
        assert_eq!(m.ops_per_sec, Some(1000.5));
        assert_eq!(m.bytes_per_sec, Some(4098048.0));
        assert_eq!(m.p50_us, Some(2.0));
        assert_eq!(m.p99_us, Some(9.0));
        assert!(parse("nothing", false, "psync").is_err());
        assert!(parse(out, true, "psync").is_err());
    }
}
