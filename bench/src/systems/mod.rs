//! The systems (ids fixed by issue 5) and which workloads each runs.
use std::fmt;
use std::path::Path;

use aiofile::ReactorKind;

use crate::config::Config;
use crate::data::DataFiles;
use crate::record::Outcome;
use crate::workloads::{FileKind, Workload};

pub mod aiofile_sys;
pub mod fio;
pub mod seed;
pub mod std_sync;
pub mod tokio_sys;

/// A system under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum System {
    /// aiofile, reactor chosen automatically.
    AiofileAuto,
    /// aiofile forced to io_uring.
    AiofileUring,
    /// aiofile forced to kernel AIO.
    AiofileAio,
    /// aiofile forced to the thread pool.
    AiofileThreads,
    /// Plain blocking `pread`/`read`/`BufRead` on this thread.
    StdSync,
    /// `tokio::fs::File`.
    TokioFs,
    /// A `pread` per `tokio::task::spawn_blocking`.
    TokioSpawnBlocking,
    /// fio, io_uring engine.
    FioIoUring,
    /// fio, libaio engine.
    FioLibaio,
    /// fio, psync engine.
    FioPsync,
    /// The Python reference with caio's io_uring backend.
    SeedUring,
    /// The Python reference with caio's kernel AIO backend.
    SeedLinuxAio,
    /// The Python reference with caio's thread backend.
    SeedThread,
}

/// What a case needs: the configuration, the files, a seed for its offsets.
pub struct Ctx<'a> {
    /// The run's configuration.
    pub cfg: &'a Config,
    /// The data files.
    pub files: &'a DataFiles,
    /// Seed for random offsets (the same for every system of a repeat).
    pub seed: u64,
}

impl Ctx<'_> {
    /// The file a workload uses.
    pub fn path(&self, kind: FileKind) -> &Path {
        match kind {
            FileKind::Read => &self.files.read,
            FileKind::Write => &self.files.write,
            FileKind::Text => &self.files.text,
        }
    }

    /// Size of the file a workload uses.
    pub fn size(&self, kind: FileKind) -> u64 {
        match kind {
            FileKind::Text => self.files.text_size,
            _ => self.files.size,
        }
    }
}

impl System {
    /// Every system, in report order.
    pub const ALL: [System; 13] = [
        System::AiofileAuto,
        System::AiofileUring,
        System::AiofileAio,
        System::AiofileThreads,
        System::StdSync,
        System::TokioFs,
        System::TokioSpawnBlocking,
        System::FioIoUring,
        System::FioLibaio,
        System::FioPsync,
        System::SeedUring,
        System::SeedLinuxAio,
        System::SeedThread,
    ];

    /// The fixed id.
    pub fn id(self) -> &'static str {
        match self {
            System::AiofileAuto => "aiofile-auto",
            System::AiofileUring => "aiofile-uring",
            System::AiofileAio => "aiofile-aio",
            System::AiofileThreads => "aiofile-threads",
            System::StdSync => "std-sync",
            System::TokioFs => "tokio-fs",
            System::TokioSpawnBlocking => "tokio-spawn-blocking",
            System::FioIoUring => "fio-io_uring",
            System::FioLibaio => "fio-libaio",
            System::FioPsync => "fio-psync",
            System::SeedUring => "seed-uring",
            System::SeedLinuxAio => "seed-linux-aio",
            System::SeedThread => "seed-thread",
        }
    }

    /// One of ours (an aiofile system) rather than a peer.
    pub fn is_ours(self) -> bool {
        self.reactor().is_some() || self == System::AiofileAuto
    }

    /// The reactor an aiofile system forces (`None` for auto and for peers).
    pub fn reactor(self) -> Option<ReactorKind> {
        match self {
            System::AiofileUring => Some(ReactorKind::Uring),
            System::AiofileAio => Some(ReactorKind::Aio),
            System::AiofileThreads => Some(ReactorKind::Threads),
            _ => None,
        }
    }

    /// Whether the system takes part in a workload at all (as the issue lists them).
    pub fn applies(self, w: Workload) -> bool {
        use Workload::*;
        match self {
            _ if w == W8 => false,
            System::AiofileAuto
            | System::AiofileUring
            | System::AiofileAio
            | System::AiofileThreads => true,
            System::StdSync => w != W7,
            System::TokioFs | System::TokioSpawnBlocking => true,
            System::FioIoUring | System::FioLibaio | System::FioPsync => {
                matches!(w, W1 | W1b | W2 | W3 | W4 | W5)
            }
            System::SeedUring | System::SeedLinuxAio | System::SeedThread => {
                matches!(w, W1 | W1b | W4 | W6 | W7)
            }
        }
    }

    /// Runs one repeat of one case.
    pub fn run(self, w: Workload, ctx: &Ctx<'_>) -> Outcome {
        match self {
            System::AiofileAuto => aiofile_sys::run(None, w, ctx),
            System::AiofileUring | System::AiofileAio | System::AiofileThreads => {
                aiofile_sys::run(self.reactor(), w, ctx)
            }
            System::StdSync => std_sync::run(w, ctx),
            System::TokioFs => tokio_sys::run_fs(w, ctx),
            System::TokioSpawnBlocking => tokio_sys::run_spawn_blocking(w, ctx),
            System::FioIoUring => fio::run("io_uring", w, ctx),
            System::FioLibaio => fio::run("libaio", w, ctx),
            System::FioPsync => fio::run("psync", w, ctx),
            System::SeedUring => seed::run("uring", w, ctx),
            System::SeedLinuxAio => seed::run("linux", w, ctx),
            System::SeedThread => seed::run("thread", w, ctx),
        }
    }
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Turns a `Result<Measure, String>` into an [`Outcome`] (errors become skips that
/// say so).
pub fn outcome(res: Result<crate::record::Measure, String>) -> Outcome {
    match res {
        Ok(m) => Outcome::Done(m),
        Err(why) => Outcome::Skipped(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_matrix_follows_the_issue() {
        let mut ids: Vec<_> = System::ALL.iter().map(|s| s.id()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), System::ALL.len());
        assert!(!System::FioPsync.applies(Workload::W6));
        assert!(!System::SeedThread.applies(Workload::W2));
        assert!(System::SeedThread.applies(Workload::W7));
        assert!(System::AiofileAuto.is_ours() && !System::StdSync.is_ours());
        assert!(System::ALL.iter().all(|s| !s.applies(Workload::W8)));
    }
}
