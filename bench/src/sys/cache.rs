//! Page-cache control: drop a file's pages (and, as root, the whole cache), and measure
//! how much of it is resident. The per-file queries (and the pin of a cached case) are
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
}
