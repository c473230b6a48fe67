//! Page-cache control for the tests that need a read to miss: evict a file and check
//! with `mincore` that the eviction really happened, and turn off readahead.
//!
//! `posix_fadvise(POSIX_FADV_DONTNEED)` is advice: a page still referenced (in a
//! per-CPU LRU batch, under readahead I/O, written back) stays cached, and a read of
//! a partly cached range with `RWF_NOWAIT` then legitimately returns the cached
//! prefix (a short read) instead of missing. A test that needs a miss evicts with
//! [`evict`], which retries and then reports failure instead of letting the test
//! check a premise that does not hold.
#![allow(unsafe_code)] // mmap, mincore, fdatasync, posix_fadvise: plain syscalls

use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::time::Duration;

use aiofile_reactor_linux::evict_page_cache;

/// Eviction attempts before giving up.
const TRIES: usize = 5;

/// The size of a page of memory (and of the page cache).
pub fn page_size() -> usize {
    // SAFETY: no arguments, no memory.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(page).expect("sysconf(_SC_PAGESIZE)")
}

/// How many of the pages of `file` are in the page cache (`mincore` over a
/// read-only shared mapping of the whole file; the mapping is never touched, so it
/// faults nothing in).
///
/// # Errors
/// `fstat`, `mmap` or `mincore` failing.
pub fn resident_pages(file: impl AsFd) -> io::Result<usize> {
    let fd = file.as_fd();
    let len = usize::try_from(
        std::fs::File::from(fd.try_clone_to_owned()?)
            .metadata()?
            .len(),
    )
    .map_err(|_| io::Error::from(io::ErrorKind::FileTooLarge))?;
    if len == 0 {
        return Ok(0);
    }
    let page = page_size();
    let mut vec = vec![0u8; len.div_ceil(page)];
    // SAFETY: a new read-only shared mapping chosen by the kernel (null hint) of `len`
    // bytes of a descriptor open for the whole call; it aliases no Rust memory.
    let addr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_SHARED,
            fd.as_raw_fd(),
            0,
        )
    };
    if addr == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `addr` is the page-aligned start of the `len`-byte mapping made above;
    // `vec` holds one byte per page of it, as mincore writes.
    let rc = unsafe { libc::mincore(addr, len, vec.as_mut_ptr()) };
    let err = io::Error::last_os_error();
    // SAFETY: unmaps exactly the mapping made above, never dereferenced.
    unsafe { libc::munmap(addr, len) };
    if rc != 0 {
        return Err(err);
    }
    Ok(vec.iter().filter(|&&b| b & 1 != 0).count())
}

/// Drops every page of `file` from the page cache and checks it with
/// [`resident_pages`]: writes back (`fdatasync`, dirty pages cannot be dropped),
/// advises `DONTNEED`, counts; up to five tries, a few milliseconds apart (a page
/// held by an LRU batch or by I/O in flight is released shortly after).
///
/// Returns `false`, after printing a `SKIP:` line naming `what`, if pages stay
/// resident: the caller skips whatever needs a cache miss.
pub fn evict(file: impl AsFd, what: &str) -> bool {
    let fd = file.as_fd();
    let mut left = 0;
    for attempt in 0..TRIES {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(5 << attempt));
        }
        // SAFETY: a plain syscall on a descriptor borrowed for the call; no memory.
        let rc = unsafe { libc::fdatasync(fd.as_raw_fd()) };
        assert_eq!(rc, 0, "fdatasync: {}", io::Error::last_os_error());
        evict_page_cache(fd).expect("posix_fadvise(DONTNEED)");
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

/// Turns off readahead for `file` (`POSIX_FADV_RANDOM`): a read that misses the
/// cache, `RWF_NOWAIT` ones included, brings in only its own pages, so it cannot
/// make a neighbouring read a hit (a disk's readahead window can be megabytes).
pub fn no_readahead(file: impl AsFd) {
    // SAFETY: a plain syscall on a descriptor borrowed for the call; no memory.
    let rc =
        unsafe { libc::posix_fadvise(file.as_fd().as_raw_fd(), 0, 0, libc::POSIX_FADV_RANDOM) };
    assert_eq!(rc, 0, "posix_fadvise(RANDOM)");
}
