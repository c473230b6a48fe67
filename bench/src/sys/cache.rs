//! Page-cache control: drop a file's pages, and measure how much of it is resident.
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;

/// Drops `path`'s clean pages with `posix_fadvise(DONTNEED)` (after an `fdatasync`,
/// so dirty pages become clean first), then, when `global` is set, the whole page
/// cache through `/proc/sys/vm/drop_caches` (needs root; silently skipped otherwise).
///
/// # Errors
/// The OS error of opening, syncing or advising.
pub fn drop_file(path: &Path, global: bool) -> io::Result<()> {
    let file = File::open(path)?;
    file.sync_data()?;
    // SAFETY: a valid open descriptor; offset 0 and length 0 mean the whole file.
    let rc = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    if rc != 0 {
        return Err(io::Error::from_raw_os_error(rc));
    }
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

/// Fraction (0..=1) of `path`'s pages in the page cache, by `mmap` + `mincore`.
///
/// # Errors
/// The OS error of `open`, `mmap` or `mincore`.
pub fn resident_fraction(path: &Path) -> io::Result<f64> {
    let file = File::open(path)?;
    let len = file.metadata()?.len() as usize;
    if len == 0 {
        return Ok(1.0);
    }
    // SAFETY: a fresh read-only shared mapping of an open file; the kernel picks the
    // address. It is only passed to `mincore` and unmapped below, never dereferenced.
    let map = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_SHARED,
            file.as_raw_fd(),
            0,
        )
    };
    if map == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    let page = page_size();
    let mut vec = vec![0u8; len.div_ceil(page)];
    // SAFETY: `map` is a live mapping of `len` bytes; `vec` has one byte per page.
    let rc = unsafe { libc::mincore(map, len, vec.as_mut_ptr()) };
    let err = io::Error::last_os_error();
    // SAFETY: unmapping exactly the mapping made above.
    unsafe { libc::munmap(map, len) };
    if rc != 0 {
        return Err(err);
    }
    let resident = vec.iter().filter(|&&b| b & 1 == 1).count();
    Ok(resident as f64 / vec.len() as f64)
}

fn page_size() -> usize {
    // SAFETY: `sysconf` has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 {
        p as usize
    } else {
        4096
    }
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
