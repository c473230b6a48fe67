//! Page-cache queries for aiofile's tests and bench, written once: how many of a file's
//! pages are cached ([`resident_pages`], by `mincore`), how many are dirty
//! ([`cachestat`], [`dirty_pages`], Linux 6.5+), dropping a file from the cache
//! ([`evict`] with retries and a check, or one [`fadvise_dontneed`]), keeping it there
//! ([`pin`]) and turning readahead off ([`no_readahead`]).
//!
//! `posix_fadvise(POSIX_FADV_DONTNEED)` is advice: a page still referenced (in a
//! per-CPU LRU batch, under readahead I/O, written back) stays cached, and a read of
//! a partly cached range with `RWF_NOWAIT` then legitimately returns the cached
//! prefix (a short read) instead of missing. A test that needs a miss evicts with
//! [`evict`], which retries and then reports failure instead of letting the test
//! check a premise that does not hold.
//!
//! Linux only. The syscalls live in one private module, `sys`, the only one allowed
//! `unsafe`.

mod sys;

use std::fmt;
use std::io;
use std::os::fd::AsFd;
use std::time::Duration;

/// Eviction attempts before [`evict`] gives up.
const TRIES: usize = 5;

/// The size of a page of memory (and of the page cache).
///
/// ```
/// assert!(aiofile_pagecache::page_size().is_power_of_two());
/// ```
pub fn page_size() -> usize {
    sys::page_size()
}

/// How many of the pages of `file` are in the page cache (`mincore` over a
/// read-only shared mapping of the whole file; the mapping is never touched, so it
/// faults nothing in). An empty file has none.
///
/// # Errors
/// `fstat`, `mmap` or `mincore` failing.
///
/// ```
/// let file = std::fs::File::open("Cargo.toml")?;
/// let pages = file.metadata()?.len().div_ceil(aiofile_pagecache::page_size() as u64);
/// assert!(aiofile_pagecache::resident_pages(&file)? as u64 <= pages);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn resident_pages(file: impl AsFd) -> io::Result<usize> {
    let fd = file.as_fd();
    let len = file_len(fd)?;
    if len == 0 {
        return Ok(0);
    }
    let mut vec = vec![0u8; len.div_ceil(page_size())];
    sys::Mapping::new(fd, len)?.mincore(&mut vec)?;
    Ok(vec.iter().filter(|&&b| b & 1 != 0).count())
}

/// Drops every page of `file` from the page cache and checks it with
/// [`resident_pages`]: writes back (`fdatasync`, dirty pages cannot be dropped),
/// advises `DONTNEED`, counts; up to five tries, a few milliseconds apart (a page
/// held by an LRU batch or by I/O in flight is released shortly after).
///
/// Returns `false`, after printing a `SKIP:` line naming `what`, if pages stay
/// resident: the caller skips whatever needs a cache miss.
///
/// # Panics
/// If `fdatasync`, `posix_fadvise` or `mincore` fails.
///
/// ```no_run
/// let file = std::fs::File::open("data.bin").unwrap();
/// if !aiofile_pagecache::evict(&file, "the uncached read") {
///     return; // skipped, and the reason printed
/// }
/// // ... a read of `file` now misses the cache
/// ```
pub fn evict(file: impl AsFd, what: &str) -> bool {
    let fd = file.as_fd();
    let mut left = 0;
    for attempt in 0..TRIES {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(5 << attempt));
        }
        if let Err(e) = sys::fdatasync(fd) {
            panic!("fdatasync: {e}");
        }
        fadvise_dontneed(fd).expect("posix_fadvise(DONTNEED)");
        left = resident_pages(fd).expect("mincore");
        if left == 0 {
            return true;
        }
    }
    println!(
        "SKIP: {what}: the page cache would not drop the file ({left} pages still \
         resident after {TRIES} fdatasync + POSIX_FADV_DONTNEED tries), so a read \
         could not be made to miss"
    );
    false
}

/// The length of the file open on `fd`, as a mapping length.
fn file_len(fd: std::os::fd::BorrowedFd<'_>) -> io::Result<usize> {
    let len = std::fs::File::from(fd.try_clone_to_owned()?)
        .metadata()?
        .len();
    usize::try_from(len).map_err(|_| io::Error::from(io::ErrorKind::FileTooLarge))
}

/// A file's pages locked in the page cache until dropped ([`pin`]).
#[derive(Debug)]
pub struct Pinned {
    _mapping: sys::Mapping,
}

/// Reads in every page of `file` and locks them in the page cache (`mmap` + `mlock`)
/// until the returned [`Pinned`] drops, whoever reads the file meanwhile: the kernel
/// cannot evict them, not under memory pressure, not by proactive reclaim (DAMON's
/// `pageout`), not by `POSIX_FADV_DONTNEED`. An empty file needs no pin: `Ok(None)`.
/// The pin outlives `file`'s descriptor.
///
/// For benchmarks of cached reads on machines that reclaim idle-looking page cache:
/// random 4 KiB reads of a 1 GiB file at 400k reads/s look idle to DAMON's sampling,
/// and a VM here lost 100-300 pages of such a file within seconds.
///
/// # Errors
/// The OS error of `fstat`, `mmap` or `mlock` (`EPERM`/`ENOMEM` above
/// `RLIMIT_MEMLOCK` without `CAP_IPC_LOCK`).
///
/// ```
/// let file = std::fs::File::open("Cargo.toml")?;
/// let pinned = aiofile_pagecache::pin(&file)?;
/// aiofile_pagecache::fadvise_dontneed(&file)?; // advice the pin overrides
/// let pages = file.metadata()?.len().div_ceil(aiofile_pagecache::page_size() as u64);
/// assert_eq!(aiofile_pagecache::resident_pages(&file)? as u64, pages);
/// drop(pinned);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn pin(file: impl AsFd) -> io::Result<Option<Pinned>> {
    let fd = file.as_fd();
    let len = file_len(fd)?;
    if len == 0 {
        return Ok(None);
    }
    let mapping = sys::Mapping::new(fd, len)?;
    mapping.lock()?;
    Ok(Some(Pinned { _mapping: mapping }))
}

/// Asks the kernel once to drop the clean cached pages of `file`
/// (`posix_fadvise(POSIX_FADV_DONTNEED)` over the whole file); dirty pages stay. No
/// check and no retry: [`evict`] does both.
///
/// # Errors
/// The `posix_fadvise` error.
///
/// ```
/// let file = std::fs::File::open("Cargo.toml")?;
/// aiofile_pagecache::fadvise_dontneed(&file)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn fadvise_dontneed(file: impl AsFd) -> io::Result<()> {
    sys::fadvise(file.as_fd(), libc::POSIX_FADV_DONTNEED)
}

/// Turns off readahead for `file` (`POSIX_FADV_RANDOM`): a read that misses the
/// cache, `RWF_NOWAIT` ones included, brings in only its own pages, so it cannot
/// make a neighbouring read a hit (a disk's readahead window can be megabytes).
///
/// # Panics
/// If `posix_fadvise` fails.
///
/// ```
/// let file = std::fs::File::open("Cargo.toml").unwrap();
/// aiofile_pagecache::no_readahead(&file);
/// ```
pub fn no_readahead(file: impl AsFd) {
    if let Err(e) = sys::fadvise(file.as_fd(), libc::POSIX_FADV_RANDOM) {
        panic!("posix_fadvise(RANDOM): {e}");
    }
}

/// The page counts of a file range, from [`cachestat`] (the kernel's
/// `struct cachestat`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStat {
    /// Pages in the page cache.
    pub cached: u64,
    /// Cached pages not yet written back.
    pub dirty: u64,
    /// Pages being written back.
    pub writeback: u64,
    /// Pages evicted from the cache.
    pub evicted: u64,
    /// Pages evicted recently enough that a read of them counts as a refault.
    pub recently_evicted: u64,
}

/// Why [`cachestat`] cannot count a file's pages here; the test that wanted the counts
/// prints it after `SKIP: `.
#[derive(Debug)]
pub enum Unavailable {
    /// The file is on a tmpfs, whose pages are never written back.
    Tmpfs,
    /// The `cachestat` syscall failed: most likely a kernel older than 6.5.
    Cachestat(io::Error),
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tmpfs => f.write_str("the test file is on tmpfs, which has no writeback"),
            Self::Cachestat(e) => write!(f, "cachestat failed ({e}): kernel older than 6.5?"),
        }
    }
}

impl std::error::Error for Unavailable {}

/// The page-cache state of `file` in `off..off + len` (`len` 0: to the end of the
/// file), by `cachestat(2)` (Linux 6.5+).
///
/// # Errors
/// [`Unavailable`]: the file is on a tmpfs (no writeback, so dirty counts mean nothing
/// there), or `cachestat` failed (a kernel older than 6.5).
///
/// ```
/// let file = std::fs::File::open("Cargo.toml").unwrap();
/// match aiofile_pagecache::cachestat(&file, 0, 0) {
///     Ok(stat) => assert!(stat.dirty <= stat.cached),
///     Err(why) => println!("SKIP: {why}"),
/// }
/// ```
pub fn cachestat(file: impl AsFd, off: u64, len: u64) -> Result<CacheStat, Unavailable> {
    let fd = file.as_fd();
    if sys::is_tmpfs(fd) {
        return Err(Unavailable::Tmpfs);
    }
    let stat = sys::cachestat(fd, off, len).map_err(Unavailable::Cachestat)?;
    Ok(CacheStat {
        cached: stat.nr_cache,
        dirty: stat.nr_dirty,
        writeback: stat.nr_writeback,
        evicted: stat.nr_evicted,
        recently_evicted: stat.nr_recently_evicted,
    })
}

/// The dirty pages of `file` in `off..off + len` (`len` 0: to the end): the `dirty`
/// count of [`cachestat`].
///
/// # Errors
/// As [`cachestat`].
///
/// ```
/// let file = std::fs::File::open("Cargo.toml").unwrap();
/// if let Ok(dirty) = aiofile_pagecache::dirty_pages(&file, 0, 0) {
///     println!("{dirty} dirty pages");
/// }
/// ```
pub fn dirty_pages(file: impl AsFd, off: u64, len: u64) -> Result<u64, Unavailable> {
    cachestat(file, off, len).map(|stat| stat.dirty)
}
