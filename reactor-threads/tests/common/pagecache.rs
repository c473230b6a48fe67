//! Page-cache state of a file range, for the writeback tests: `cachestat(2)` (Linux
//! 6.5+) counts a range's dirty pages. Shared with reactor-linux's tests by `#[path]`.
#![allow(unsafe_code)] // two syscalls below, each with its SAFETY note
#![allow(dead_code)]
use std::os::fd::{AsRawFd, BorrowedFd};

#[repr(C)]
struct Range {
    off: u64,
    len: u64,
}

#[repr(C)]
#[derive(Default)]
struct Stat {
    nr_cache: u64,
    nr_dirty: u64,
    nr_writeback: u64,
    nr_evicted: u64,
    nr_recently_evicted: u64,
}

/// `cachestat`'s syscall number on x86_64 and most other architectures.
const SYS_CACHESTAT: libc::c_long = 451;

/// Dirty pages of `fd` in `off..off + len` (`len` 0: to the end), or why they cannot be
/// counted here (no `cachestat`, or a tmpfs, whose pages are never written back).
pub fn dirty_pages(fd: BorrowedFd<'_>, off: u64, len: u64) -> Result<u64, String> {
    // SAFETY: `sfs` is a plain C struct that fstatfs fills; `fd` is a live descriptor.
    let mut sfs: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: as above; the pointer is valid for the call.
    if unsafe { libc::fstatfs(fd.as_raw_fd(), &mut sfs) } == 0 && sfs.f_type == libc::TMPFS_MAGIC {
        return Err("the test file is on tmpfs, which has no writeback".into());
    }
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
        return Err(format!(
            "cachestat failed ({}): kernel older than 6.5?",
            std::io::Error::last_os_error()
        ));
    }
    Ok(stat.nr_dirty)
}
