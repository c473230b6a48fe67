//! `seed-uring`, `seed-linux-aio`, `seed-thread`: the Python reference (aiofile 3.12.3
//! on caio) in the venv made by `bench/setup.sh`, backend chosen with `CAIO_IMPL`.
//! The scripts in `bench/seed/` print one JSON object; a backend caio did not load
//! (it silently falls back) is a skip, never a figure under the wrong name.
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use super::Ctx;
use crate::record::{Measure, Outcome};
use crate::workloads::Workload;

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seed/seed_bench.py")
}

/// Runs one case with `CAIO_IMPL=imp` (`uring`, `linux` or `thread`).
pub fn run(imp: &str, w: Workload, ctx: &Ctx<'_>) -> Outcome {
    let python = ctx.cfg.venv.join("bin/python");
    if !python.exists() {
        return Outcome::Skipped(format!(
            "no Python venv at {} (run bench/setup.sh)",
            ctx.cfg.venv.display()
        ));
    }
    let Some((kind, _)) = w.setup() else {
        return Outcome::Skipped(format!("{w} has no seed script"));
    };
    let out = Command::new(&python)
        .arg(script())
        .args(["--workload", w.id()])
        .arg("--path")
        .arg(ctx.path(kind))
        .args(["--size", &ctx.size(kind).to_string()])
        .args(["--duration", &ctx.cfg.duration.as_secs_f64().to_string()])
        .args(["--seed", &ctx.seed.to_string()])
        .env("CAIO_IMPL", imp)
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => return Outcome::Skipped(format!("error: running python: {e}")),
    };
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.lines().last().unwrap_or("").to_string();
        return Outcome::Skipped(format!("error: seed script failed: {last}"));
    }
    match parse(&String::from_utf8_lossy(&out.stdout), imp) {
        Ok(m) => Outcome::Done(m),
        Err(e) => Outcome::Skipped(e),
    }
}

/// Parses the script's JSON line and checks caio used the asked backend.
///
/// # Errors
/// Missing JSON, or a different backend than asked.
pub fn parse(stdout: &str, imp: &str) -> Result<Measure, String> {
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or("error: no JSON from the seed script")?;
    let v: Value = serde_json::from_str(line).map_err(|e| format!("error: seed JSON: {e}"))?;
    let backend = v["backend"].as_str().unwrap_or("?").to_string();
    if backend != imp {
        return Err(format!(
            "caio backend {imp} unavailable (caio used {backend})"
        ));
    }
    let f = |k: &str| v[k].as_f64();
    Ok(Measure {
        backend: Some(backend),
        ops_per_sec: f("ops_per_sec"),
        bytes_per_sec: f("bytes_per_sec"),
        p50_us: f("p50_us"),
        p99_us: f("p99_us"),
        stall_p999_us: f("stall_p999_us"),
        stall_max_us: f("stall_max_us"),
        allocs_per_op: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_checks_the_backend() {
        let out = "noise\n{\"backend\": \"uring\", \"ops_per_sec\": 5.0, \"p50_us\": 3.5}\n";
        let m = parse(out, "uring").unwrap();
        assert_eq!(m.ops_per_sec, Some(5.0));
        assert_eq!(m.p50_us, Some(3.5));
        assert_eq!(m.stall_max_us, None);
        assert!(parse(out, "linux").unwrap_err().contains("unavailable"));
        assert!(parse("", "uring").is_err());
    }
}
