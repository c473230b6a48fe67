//! aiofile-bench: aiofile side by side with fio, std, tokio and the Python reference,
//! in one run, on the same files. See `bench/README.md`.
#![deny(unsafe_code)]

mod chart;
mod config;
mod data;
mod exec;
mod machine;
mod record;
mod report;
mod runner;
mod stats;
mod sys;
mod systems;
mod targets;
mod workloads;

#[global_allocator]
static GLOBAL: sys::alloc::CountingAlloc = sys::alloc::CountingAlloc;

fn main() {
    let cfg = match config::Config::from_args(std::env::args().skip(1)) {
        Ok(Some(cfg)) => cfg,
        Ok(None) => {
            print!("{}", config::Config::usage());
            return;
        }
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    if let Err(e) = runner::run(&cfg) {
        eprintln!("aiofile-bench: {e}");
        std::process::exit(1);
    }
}
