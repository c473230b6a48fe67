//! The `machine` object of latest.json: what the figures were measured on.
use std::process::Command;

use serde_json::{json, Value};

fn first_line(path: &str, prefix: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
}

fn command(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Kernel, CPU, cores, memory, the file system holding the data, fio and Python.
pub fn describe(data_dir: &std::path::Path) -> Value {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .ok();
    let dir = data_dir.display().to_string();
    let fs = command("df", &["--output=fstype,source", &dir]).and_then(|s| {
        s.lines()
            .nth(1)
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
    });
    json!({
        "kernel": kernel,
        "cpu": first_line("/proc/cpuinfo", "model name"),
        "cores": std::thread::available_parallelism().map(|n| n.get()).ok(),
        "memory": first_line("/proc/meminfo", "MemTotal"),
        "filesystem": fs,
        "fio": command("fio", &["--version"]),
        "date": command("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"]),
        "root": crate::sys::cache::is_root(),
        "io_uring_disabled": std::fs::read_to_string("/proc/sys/kernel/io_uring_disabled")
            .map(|s| s.trim().to_string()).ok(),
    })
}
