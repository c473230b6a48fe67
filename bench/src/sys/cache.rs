//! Page-cache control: drop a file's pages (and, as root, the whole cache), pin them
//! for a cached case, and measure how much of it is resident. The per-file queries are
//! `aiofile-pagecache`'s.
use std::fs::File;
use std::io;
use std::path::Path;

use aiofile_pagecache::{fadvise_dontneed, page_size, resident_pages};

/// Drops `path`'s clean pages with `posix_fadvise(DONTNEED)` (after an `fdatasync`,
/// so dirty pages become clean first), then, when `global` is set, the whole page
/// cache through `/proc/sys/vm/drop_caches` (needs root; silently skipped otherwise).
///
/// # Errors
/// The OS error of opening, syncing or advising.
pub fn drop_file(path: &Path, global: bool) -> io::Result<()> {
    let file = File::open(path)?;
    file.sync_data()?;
    fadvise_dontneed(&file)?;
    if global && is_root() {
        // Best effort: a container may mount /proc/sys read-only.
        let _ = std::fs::write("/proc/sys/vm/drop_caches", "1\n");
    }
    Ok(())
}

/// A file's pages locked in the page cache (a shared read-only mapping of the whole
/// file, `mlock`ed) until dropped: the kernel cannot evict them, so a cached workload
/// stays cached for every system, fio and the seed included (the pages are the file's
/// page cache, whoever reads it).
///
/// Why: the development VM runs DAMON with a `pageout` scheme (kdamond: physical
/// address space, regions with at most one access per 0.5 s aggregation for 6 s are
/// paged out, up to 128 MiB/s). Random 4 KiB reads of a 1 GiB file at 400k reads/s
/// touch each page about every 0.6 s, which DAMON's sampling sees as cold: measured, a
/// fully cached 1 GiB file lost 100-300 pages within seconds of being read, and W1's
/// reads of those pages missed the "cached" file.
#[derive(Debug)]
pub struct Pinned {
    addr: *mut libc::c_void,
    len: usize,
}

/// Maps and locks every page of `path` (reading what is not cached yet). An empty file
/// needs no pin: `Ok(None)`.
///
/// # Errors
/// The OS error of `open`, `mmap` or `mlock` (e.g. `EPERM`/`ENOMEM` without
/// `CAP_IPC_LOCK` above `RLIMIT_MEMLOCK`).
pub fn pin(path: &Path) -> io::Result<Option<Pinned>> {
    use std::os::fd::AsRawFd;
    let file = File::open(path)?;
    let len = usize::try_from(file.metadata()?.len())
        .map_err(|_| io::Error::from(io::ErrorKind::FileTooLarge))?;
    if len == 0 {
        return Ok(None);
    }
    // SAFETY: a fresh read-only shared mapping chosen by the kernel (null hint) of an
    // open descriptor; no existing memory is touched. It stays valid after `file`
    // closes, and only `Pinned::drop` unmaps it.
    let addr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_SHARED,
            file.as_raw_fd(),
            0,
        )
    };
    if addr == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    let pinned = Pinned { addr, len };
    // SAFETY: `addr..addr + len` is the mapping made above, owned by `pinned`.
    if unsafe { libc::mlock(addr, len) } != 0 {
        return Err(io::Error::last_os_error()); // `pinned` drops: unmapped
    }
    Ok(Some(pinned))
}

impl Drop for Pinned {
    fn drop(&mut self) {
        // SAFETY: the mapping `pin` made and nothing else references (the pointer never
        // leaves this type); unmapping also unlocks it.
        unsafe { libc::munmap(self.addr, self.len) };
    }
}

/// True when running as root.
pub fn is_root() -> bool {
    // SAFETY: `geteuid` has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Fraction (0..=1) of `path`'s pages in the page cache, by `mmap` + `mincore`; an
/// empty file counts as fully resident.
///
/// # Errors
/// The OS error of `open`, `mmap` or `mincore`.
pub fn resident_fraction(path: &Path) -> io::Result<f64> {
    let file = File::open(path)?;
    let pages = file.metadata()?.len().div_ceil(page_size() as u64);
    if pages == 0 {
        return Ok(1.0);
    }
    Ok(resident_pages(&file)? as f64 / pages as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn read_makes_resident_and_drop_evicts() {
        // bench/data is on the repository's (disk) file system, unlike a tmpfs /tmp.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("cache-test-{}", std::process::id()));
        let mut f = File::create(&path).unwrap();
        f.write_all(&vec![7u8; 1 << 20]).unwrap();
        drop(f);
        let mut buf = Vec::new();
        File::open(&path).unwrap().read_to_end(&mut buf).unwrap();
        assert!(resident_fraction(&path).unwrap() > 0.99);
        drop_file(&path, false).unwrap();
        let after = resident_fraction(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(after < 0.5, "{after} of the file still resident");
    }

    #[test]
    fn a_pinned_file_stays_cached_through_dontneed() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("pin-test-{}", std::process::id()));
        std::fs::write(&path, vec![3u8; 1 << 20]).unwrap();
        let pinned = pin(&path).unwrap().expect("a non-empty file");
        drop_file(&path, false).unwrap();
        let held = resident_fraction(&path).unwrap();
        drop(pinned);
        drop_file(&path, false).unwrap();
        let after = resident_fraction(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(held, 1.0, "DONTNEED dropped pinned pages");
        assert!(
            after < 0.5,
            "{after} of the file still resident after unpinning"
        );
        assert!(pin(&dir.join("no-such-file")).is_err());
    }
}
