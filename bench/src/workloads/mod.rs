//! The workloads (ids fixed by issue 5) and the drivers they share.
//!
//! | id | what | page cache |
//! |---|---|---|
//! | W1 | 4 KiB random reads, 32 in flight, timed | warm |
//! | W1b | the same, 1 in flight | warm |
//! | W2 | 4 KiB random buffered reads, 32 in flight, over a random permutation of the blocks (no block twice, so every read misses) until the time is up or every block was read | dropped |
//! | W3 | 4 KiB random `O_DIRECT` reads, 32 in flight, timed | dropped (bypassed anyway) |
//! | W4 | sequential read of the whole file in 1 MiB chunks, repeated until the time is up | warm |
//! | W5 | sequential buffered overwrite of the whole (pre-allocated) file in 1 MiB chunks, then `fsync`; passes repeated until the time is up (the stop ends with an `fsync` too) | dropped |
//! | W6 | lines of the 256 MiB text file (20-140 characters), timed | warm |
//! | W7 | W2 with a ticker task on the same executor thread: p99.9 and max gap | dropped |
//! | W8 | allocations per operation in steady state, counted during W1 and W6 | - |
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

pub mod clock;
pub mod random;
pub mod ticker;

/// A workload id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Workload {
    /// Cached 4 KiB random reads, 32 in flight.
    W1,
    /// Cached 4 KiB random reads, 1 in flight.
    W1b,
    /// Uncached 4 KiB random buffered reads, 32 in flight.
    W2,
    /// O_DIRECT 4 KiB random reads, 32 in flight.
    W3,
    /// Cached sequential read in 1 MiB chunks.
    W4,
    /// Sequential buffered write in 1 MiB chunks, then fsync.
    W5,
    /// Lines of a text file.
    W6,
    /// Executor stall while W2 runs.
    W7,
    /// Allocations per operation (W1, W6).
    W8,
}

/// Where the page cache must be before a case starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cache {
    /// The file fully resident.
    Warm,
    /// The file dropped from the cache.
    Cold,
}

/// Which file a workload uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// The random-bytes file.
    Read,
    /// The file W5 overwrites.
    Write,
    /// The text file.
    Text,
}

/// Block size of the random-read workloads.
pub const BLOCK: usize = 4096;
/// Chunk size of W4 and W5.
pub const SEQ_CHUNK: usize = 1 << 20;
/// Read chunk of every line reader in W6.
pub const LINE_CHUNK: usize = 64 * 1024;

impl Workload {
    /// Every workload, in report order.
    pub const ALL: [Workload; 9] = [
        Workload::W1,
        Workload::W1b,
        Workload::W2,
        Workload::W3,
        Workload::W4,
        Workload::W5,
        Workload::W6,
        Workload::W7,
        Workload::W8,
    ];

    /// The fixed id.
    pub fn id(self) -> &'static str {
        match self {
            Workload::W1 => "W1",
            Workload::W1b => "W1b",
            Workload::W2 => "W2",
            Workload::W3 => "W3",
            Workload::W4 => "W4",
            Workload::W5 => "W5",
            Workload::W6 => "W6",
            Workload::W7 => "W7",
            Workload::W8 => "W8",
        }
    }

    /// One line saying what it measures.
    pub fn title(self) -> &'static str {
        match self {
            Workload::W1 => "cached 4 KiB random reads, 32 in flight",
            Workload::W1b => "cached 4 KiB random reads, 1 in flight",
            Workload::W2 => "uncached 4 KiB random buffered reads, 32 in flight",
            Workload::W3 => "O_DIRECT 4 KiB random reads, 32 in flight",
            Workload::W4 => "cached sequential read, 1 MiB chunks",
            Workload::W5 => "sequential buffered write, 1 MiB chunks, then fsync",
            Workload::W6 => "lines of a 256 MiB text file (20-140 chars)",
            Workload::W7 => "executor stall while W2 runs (ticker gaps)",
            Workload::W8 => "heap allocations per operation, steady state",
        }
    }

    /// How the aiofile systems run it, where a reader of the table needs to know.
    pub fn note(self) -> Option<&'static str> {
        match self {
            Workload::W5 => Some(
                "aiofile's `Writer` runs with `writeback_every(8 MiB)`: after every 8 MiB \
                 written it asks the kernel to start writing them to the device \
                 (`sync_file_range(SYNC_FILE_RANGE_WRITE)` on the thread pool), so the \
                 final `fsync` has little left to wait for. The peers write, then fsync.",
            ),
            _ => None,
        }
    }

    /// The unit of the headline figure.
    pub fn unit(self) -> &'static str {
        match self {
            Workload::W4 | Workload::W5 => "MiB/s",
            Workload::W6 => "lines/s",
            Workload::W7 => "µs p99.9 gap",
            Workload::W8 => "allocs/op",
            _ => "IOPS",
        }
    }

    /// True when a smaller headline is better.
    pub fn lower_is_better(self) -> bool {
        matches!(self, Workload::W7 | Workload::W8)
    }

    /// The cache state a case starts from and the file it uses (`None` for W8,
    /// which has no runs of its own).
    pub fn setup(self) -> Option<(FileKind, Cache)> {
        match self {
            Workload::W1 | Workload::W1b | Workload::W4 => Some((FileKind::Read, Cache::Warm)),
            Workload::W2 | Workload::W3 | Workload::W7 => Some((FileKind::Read, Cache::Cold)),
            Workload::W5 => Some((FileKind::Write, Cache::Cold)),
            Workload::W6 => Some((FileKind::Text, Cache::Warm)),
            Workload::W8 => None,
        }
    }

    /// The random-read shape of W1, W1b, W2, W3 and W7.
    pub fn random_spec(self, duration: Duration) -> Option<random::Spec> {
        use random::{Pattern, Spec};
        let timed = Pattern::Timed(duration);
        let (depth, direct, pattern, ticker) = match self {
            Workload::W1 => (32, false, timed, false),
            Workload::W1b => (1, false, timed, false),
            Workload::W2 => (32, false, Pattern::OnePass(duration), false),
            Workload::W3 => (32, true, timed, false),
            Workload::W7 => (32, false, Pattern::OnePass(duration), true),
            _ => return None,
        };
        Some(Spec {
            depth,
            direct,
            pattern,
            ticker,
        })
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Workload {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Workload::ALL
            .into_iter()
            .find(|w| w.id().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown workload {s:?} (W1, W1b, W2..W8)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for w in Workload::ALL {
            assert_eq!(w.id().parse::<Workload>(), Ok(w));
        }
        assert_eq!("w1b".parse::<Workload>(), Ok(Workload::W1b));
        assert!("W9".parse::<Workload>().is_err());
    }

    #[test]
    fn random_shapes_match_the_issue() {
        let d = Duration::from_secs(1);
        assert_eq!(Workload::W1.random_spec(d).unwrap().depth, 32);
        assert_eq!(Workload::W1b.random_spec(d).unwrap().depth, 1);
        assert!(Workload::W3.random_spec(d).unwrap().direct);
        assert!(Workload::W7.random_spec(d).unwrap().ticker);
        assert!(Workload::W4.random_spec(d).is_none());
    }
}
