//! The only module of this crate allowed `unsafe`: the syscalls behind the page-cache
//! queries (`sysconf`, `mmap` + `mincore`/`mlock` + `munmap`, `fdatasync`,
//! `posix_fadvise`, `fstatfs`, `cachestat`), each wrapped in a safe function over a
//! borrowed descriptor or in [`Mapping`], which owns its mapping. None of them hands the
//! kernel Rust memory that outlives the call.
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

/// A read-only shared mapping of the first `len` bytes of a file, unmapped on drop.
/// It is never dereferenced: it exists for `mincore` and `mlock`.
#[derive(Debug)]
pub(crate) struct Mapping {
    addr: *mut libc::c_void,
    len: usize,
}

impl Mapping {
    /// Maps `len` (> 0) bytes of `fd`; the mapping outlives the descriptor.
    pub(crate) fn new(fd: BorrowedFd<'_>, len: usize) -> io::Result<Self> {
        // SAFETY: a new read-only shared mapping chosen by the kernel (null hint) of
        // `len` bytes of a descriptor open for the whole call; it aliases no Rust memory.
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
        Ok(Self { addr, len })
    }

    /// `mincore`: one byte per page into `vec`, bit 0 set when the page is cached.
    /// The mapping is never touched, so this faults nothing in.
    ///
    /// # Panics
    /// If `vec` has fewer than `len.div_ceil(page_size())` bytes.
    pub(crate) fn mincore(&self, vec: &mut [u8]) -> io::Result<()> {
        assert!(
            vec.len() >= self.len.div_ceil(page_size()),
            "one byte per page"
        );
        // SAFETY: `addr` is the page-aligned start of this `len`-byte mapping; `vec`
        // holds at least one byte per page of it (asserted), as mincore writes.
        match unsafe { libc::mincore(self.addr, self.len, vec.as_mut_ptr()) } {
            0 => Ok(()),
            _ => Err(io::Error::last_os_error()),
        }
    }

    /// `mlock`: reads in and locks every page until the mapping is dropped.
    pub(crate) fn lock(&self) -> io::Result<()> {
        // SAFETY: `addr..addr + len` is this mapping; locking changes no memory.
        match unsafe { libc::mlock(self.addr, self.len) } {
            0 => Ok(()),
            _ => Err(io::Error::last_os_error()),
        }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly this mapping (which also unlocks it); the pointer never
        // leaves this type and is never dereferenced.
        unsafe { libc::munmap(self.addr, self.len) };
    }
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
