//! The only module of this crate allowed `unsafe`: the syscalls behind the page-cache
//! queries (`sysconf`, `mmap` + `mincore` + `munmap`, `fdatasync`, `posix_fadvise`,
//! `fstatfs`, `cachestat`), each wrapped in a safe function over a borrowed descriptor.
//! None of them hands the kernel memory that outlives the call.
#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// `cachestat`'s syscall number (the same on every architecture: it came after the
/// syscall tables were unified).
const SYS_CACHESTAT: libc::c_long = 451;

/// `struct cachestat_range` of `<linux/mman.h>`.
#[repr(C)]
struct Range {
    off: u64,
    len: u64,
}

/// `struct cachestat` of `<linux/mman.h>`: page counts of the range.
#[repr(C)]
#[derive(Debug, Default)]
pub(crate) struct Stat {
    pub(crate) nr_cache: u64,
    pub(crate) nr_dirty: u64,
    pub(crate) nr_writeback: u64,
    pub(crate) nr_evicted: u64,
    pub(crate) nr_recently_evicted: u64,
}

/// `sysconf(_SC_PAGESIZE)`.
pub(crate) fn page_size() -> usize {
    // SAFETY: no arguments, no memory.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(page).expect("sysconf(_SC_PAGESIZE)")
}

/// Fills `vec` with one byte per page of the first `len` bytes of `fd` (bit 0 set: the
/// page is in the page cache), by `mincore` over a read-only shared mapping of them.
/// The mapping is never touched, so it faults nothing in.
///
/// # Panics
/// If `vec` has fewer than `len.div_ceil(page_size())` bytes.
pub(crate) fn mincore(fd: BorrowedFd<'_>, len: usize, vec: &mut [u8]) -> io::Result<()> {
    assert!(vec.len() >= len.div_ceil(page_size()), "one byte per page");
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
    // `vec` holds at least one byte per page of it (asserted), as mincore writes.
    let rc = unsafe { libc::mincore(addr, len, vec.as_mut_ptr()) };
    let err = io::Error::last_os_error();
    // SAFETY: unmaps exactly the mapping made above, never dereferenced.
    unsafe { libc::munmap(addr, len) };
    if rc != 0 {
        return Err(err);
    }
    Ok(())
}

/// `fdatasync(fd)`.
pub(crate) fn fdatasync(fd: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: a plain syscall on a descriptor borrowed for the call; no memory.
    match unsafe { libc::fdatasync(fd.as_raw_fd()) } {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

/// `posix_fadvise(fd, 0, 0, advice)`: `advice` about the whole file.
pub(crate) fn fadvise(fd: BorrowedFd<'_>, advice: libc::c_int) -> io::Result<()> {
    // SAFETY: a plain syscall on a descriptor borrowed for the call; no memory.
    match unsafe { libc::posix_fadvise(fd.as_raw_fd(), 0, 0, advice) } {
        0 => Ok(()),
        errno => Err(io::Error::from_raw_os_error(errno)),
    }
}

/// Whether `fd` is on a tmpfs (`false` when `fstatfs` fails).
pub(crate) fn is_tmpfs(fd: BorrowedFd<'_>) -> bool {
    // SAFETY: `sfs` is a plain C struct (integers only) that fstatfs fills; all zeroes
    // is a valid value of it.
    let mut sfs: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `fd` is a live descriptor; the pointer is to `sfs`, valid for the call.
    let rc = unsafe { libc::fstatfs(fd.as_raw_fd(), &mut sfs) };
    rc == 0 && sfs.f_type == libc::TMPFS_MAGIC
}

/// `cachestat(fd, {off, len}, &stat, 0)`: the page counts of `off..off + len` (`len`
/// 0: to the end of the file).
pub(crate) fn cachestat(fd: BorrowedFd<'_>, off: u64, len: u64) -> io::Result<Stat> {
    let range = Range { off, len };
    let mut stat = Stat::default();
    // SAFETY: cachestat reads `range` and writes `stat`, both live for the call and laid
    // out as the kernel's `struct cachestat_range` / `struct cachestat`; flags must be 0.
    let rc = unsafe {
        libc::syscall(
            SYS_CACHESTAT,
            fd.as_raw_fd(),
            &range as *const Range,
            &mut stat as *mut Stat,
            0u32,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(stat)
}
