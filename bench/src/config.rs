//! Command line and the parameters of a run (quick or full).
use std::path::PathBuf;
use std::time::Duration;

use crate::workloads::Workload;

/// Quick (default) or full suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// 256 MiB files, 1 s per timed case, one repeat: under 3 minutes.
    Quick,
    /// 1 GiB files, 10 s per timed case, 3 repeats, medians.
    Full,
}

impl Mode {
    /// `"quick"` or `"full"` (the JSON `mode` field).
    pub fn name(self) -> &'static str {
        match self {
            Mode::Quick => "quick",
            Mode::Full => "full",
        }
    }
}

/// Everything a run needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// Quick or full.
    pub mode: Mode,
    /// Size of the binary read/write files.
    pub file_size: u64,
    /// Size of the W6 text file (256 MiB in both modes, as the issue says).
    pub text_size: u64,
    /// Length of each timed case.
    pub duration: Duration,
    /// Repeats per case (medians are reported).
    pub repeats: usize,
    /// Where the data files live.
    pub data_dir: PathBuf,
    /// Where latest.json / latest.md / chart.svg go.
    pub out_dir: PathBuf,
    /// The Python venv holding the reference (`bin/python`).
    pub venv: PathBuf,
    /// Only these workloads (all when empty).
    pub workloads: Vec<Workload>,
    /// Only these system ids (all when empty).
    pub systems: Vec<String>,
    /// Also drop the whole page cache through /proc/sys/vm/drop_caches (root only).
    pub global_drop: bool,
}

const MIB: u64 = 1 << 20;

const USAGE: &str = "\
aiofile-bench: aiofile side by side with fio, std, tokio and the Python reference.

usage: aiofile-bench [--full] [--dir PATH] [--out PATH] [--venv PATH]
                     [--only W1,W2,...] [--systems ID,...] [--duration SECS]
                     [--repeats N] [--size MIB] [--no-drop-caches]

  (no flags)        quick suite: 256 MiB files, 1 s per case, 1 repeat
  --full            full suite: 1 GiB files, 10 s per case, 3 repeats (medians)
  --dir PATH        data files (default bench/data)
  --out PATH        results (default bench/results; bench/results/partial
                    when --only or --systems picks a subset)
  --venv PATH       Python venv with aiofile 3.12.3 + caio (default bench/.venv)
  --only LIST       workloads to run (W8 comes from the W1 and W6 runs)
  --systems LIST    system ids to run
  --no-drop-caches  only posix_fadvise(DONTNEED), never /proc/sys/vm/drop_caches
";

impl Config {
    /// Parses the command line (without the program name).
    ///
    /// # Errors
    /// A message (with the usage) for an unknown flag or a bad value; `Ok(None)` for
    /// `--help`.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Option<Self>, String> {
        let bench = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut cfg = Config::for_mode(Mode::Quick, &bench);
        let mut overrides: Vec<(String, String)> = Vec::new();
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            match flag.as_str() {
                "-h" | "--help" => return Ok(None),
                "--full" => cfg = Config::for_mode(Mode::Full, &bench),
                "--quick" => cfg = Config::for_mode(Mode::Quick, &bench),
                "--no-drop-caches" => overrides.push((flag, String::new())),
                "--dir" | "--out" | "--venv" | "--only" | "--systems" | "--duration"
                | "--repeats" | "--size" => {
                    let v = args
                        .next()
                        .ok_or(format!("{flag} needs a value\n\n{USAGE}"))?;
                    overrides.push((flag, v));
                }
                _ => return Err(format!("unknown argument {flag:?}\n\n{USAGE}")),
            }
        }
        let out_given = overrides.iter().any(|(f, _)| f == "--out");
        for (flag, v) in overrides {
            cfg.apply(&flag, &v)?;
        }
        if !out_given && cfg.is_partial() {
            // A subset never overwrites the committed results of a whole run.
            cfg.out_dir = bench.join("results").join("partial");
        }
        Ok(Some(cfg))
    }

    /// The usage text.
    pub fn usage() -> &'static str {
        USAGE
    }

    fn for_mode(mode: Mode, bench: &std::path::Path) -> Self {
        let (file_size, duration, repeats) = match mode {
            Mode::Quick => (256 * MIB, Duration::from_secs(1), 1),
            Mode::Full => (1024 * MIB, Duration::from_secs(10), 3),
        };
        Config {
            mode,
            file_size,
            text_size: 256 * MIB,
            duration,
            repeats,
            data_dir: bench.join("data"),
            out_dir: bench.join("results"),
            venv: bench.join(".venv"),
            workloads: Vec::new(),
            systems: Vec::new(),
            global_drop: true,
        }
    }

    fn apply(&mut self, flag: &str, v: &str) -> Result<(), String> {
        let bad = |what: &str| format!("{flag}: {what} ({v:?})");
        match flag {
            "--dir" => self.data_dir = PathBuf::from(v),
            "--out" => self.out_dir = PathBuf::from(v),
            "--venv" => self.venv = PathBuf::from(v),
            "--no-drop-caches" => self.global_drop = false,
            "--only" => {
                self.workloads = v
                    .split(',')
                    .map(|w| w.trim().parse::<Workload>())
                    .collect::<Result<_, _>>()?
            }
            "--systems" => self.systems = v.split(',').map(|s| s.trim().to_string()).collect(),
            "--duration" => {
                let s: f64 = v.parse().map_err(|_| bad("not a number"))?;
                if !(s > 0.0 && s < 3600.0) {
                    return Err(bad("out of range"));
                }
                self.duration = Duration::from_secs_f64(s);
            }
            "--repeats" => {
                self.repeats = v.parse().map_err(|_| bad("not a count"))?;
                if self.repeats == 0 {
                    return Err(bad("must be at least 1"));
                }
            }
            "--size" => {
                let mib: u64 = v.parse().map_err(|_| bad("not a size in MiB"))?;
                if mib == 0 {
                    return Err(bad("must be at least 1"));
                }
                self.file_size = mib * MIB;
                self.text_size = self.text_size.min(self.file_size.max(MIB));
            }
            _ => unreachable!("flag list above"),
        }
        Ok(())
    }

    /// Whether only a subset of the workloads or systems runs.
    pub fn is_partial(&self) -> bool {
        !self.workloads.is_empty() || !self.systems.is_empty()
    }

    /// Whether `w` is selected.
    pub fn wants_workload(&self, w: Workload) -> bool {
        self.workloads.is_empty() || self.workloads.contains(&w)
    }

    /// Whether system `id` is selected.
    pub fn wants_system(&self, id: &str) -> bool {
        self.systems.is_empty() || self.systems.iter().any(|s| s == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Config>, String> {
        Config::from_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_are_quick() {
        let c = parse(&[]).unwrap().unwrap();
        assert_eq!(c.mode, Mode::Quick);
        assert_eq!(c.file_size, 256 * MIB);
        assert_eq!(c.repeats, 1);
    }

    #[test]
    fn full_and_overrides_in_any_order() {
        let c = parse(&["--duration", "2", "--full", "--only", "W1,W1b"])
            .unwrap()
            .unwrap();
        assert_eq!(c.mode, Mode::Full);
        assert_eq!(c.file_size, 1024 * MIB);
        assert_eq!(c.duration, Duration::from_secs(2));
        assert_eq!(c.workloads, vec![Workload::W1, Workload::W1b]);
        assert!(c.wants_workload(Workload::W1) && !c.wants_workload(Workload::W2));
    }

    #[test]
    fn a_subset_writes_beside_the_committed_results() {
        let whole = parse(&["--full"]).unwrap().unwrap();
        assert!(whole.out_dir.ends_with("bench/results"));
        let subset = parse(&["--only", "W2"]).unwrap().unwrap();
        assert!(subset.out_dir.ends_with("results/partial"));
        let chosen = parse(&["--systems", "std-sync", "--out", "/tmp/x"])
            .unwrap()
            .unwrap();
        assert_eq!(chosen.out_dir, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn errors_and_help() {
        assert!(parse(&["--bogus"]).is_err());
        assert!(parse(&["--repeats", "0"]).is_err());
        assert!(parse(&["--only", "W9"]).is_err());
        assert!(parse(&["--dir"]).is_err());
        assert!(parse(&["--help"]).unwrap().is_none());
    }
}
