//! Small OS queries: `statx(STATX_DIOALIGN)`, `uname`, `posix_fadvise`, and the fork
//! generation (a counter bumped in every child by a `pthread_atfork` handler).
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

/// What `statx` says about direct I/O on a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DioInfo {
    /// `stx_dio_mem_align`, or `None` when the kernel did not fill it (or 0: no DIO).
    pub dio: Option<(u32, u32)>,
    /// Major and minor number of the device holding the file.
    pub dev: (u32, u32),
}

/// `statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN)`.
pub(crate) fn statx_dio(fd: BorrowedFd<'_>) -> io::Result<DioInfo> {
    let mut stx = MaybeUninit::<libc::statx>::zeroed();
    // SAFETY: the path is a valid NUL-terminated empty string, `AT_EMPTY_PATH` makes the
    // call describe `fd` itself (a live descriptor), and `stx` is a writable buffer of
    // the struct's size that lives across the call.
    syscall!(unsafe {
        libc::statx(
            fd.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH,
            libc::STATX_DIOALIGN,
            stx.as_mut_ptr(),
        )
    })?;
    // SAFETY: zero is a valid bit pattern for every field, and statx succeeded.
    let stx = unsafe { stx.assume_init() };
    let filled = stx.stx_mask & libc::STATX_DIOALIGN != 0;
    let aligned = stx.stx_dio_mem_align != 0 && stx.stx_dio_offset_align != 0;
    Ok(DioInfo {
        dio: (filled && aligned).then_some((stx.stx_dio_mem_align, stx.stx_dio_offset_align)),
        dev: (stx.stx_dev_major, stx.stx_dev_minor),
    })
}

/// The running kernel's release string (`uname -r`).
pub(crate) fn kernel_release() -> String {
    let mut uts = MaybeUninit::<libc::utsname>::zeroed();
    // SAFETY: `uts` is a writable `utsname` that outlives the call.
    if unsafe { libc::uname(uts.as_mut_ptr()) } != 0 {
        return String::from("unknown");
    }
    // SAFETY: zeroed then filled by a successful uname.
    let uts = unsafe { uts.assume_init() };
    let bytes: Vec<u8> = uts
        .release
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)`: drops the file's clean cached pages.
pub(crate) fn fadvise_dontneed(fd: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: no pointers; `fd` is a live descriptor.
    let rc = unsafe { libc::posix_fadvise(fd.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    match rc {
        0 => Ok(()),
        errno => Err(io::Error::from_raw_os_error(errno)),
    }
}

static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);
static ATFORK: Once = Once::new();

extern "C" fn on_fork_child() {
    // Async-signal-safe: one atomic add.
    FORK_GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// How many `fork`s separate this process from the one that first called this
/// function (0 there). Registers the `pthread_atfork` child handler on first use, so
/// call it before any fork that matters (the reactors call it when they are created).
pub(crate) fn fork_generation() -> u64 {
    ATFORK.call_once(|| {
        // SAFETY: registers a plain `extern "C"` function with no captured state; the
        // handler only touches a static atomic, which is async-signal-safe.
        let rc = unsafe { libc::pthread_atfork(None, None, Some(on_fork_child)) };
        assert_eq!(rc, 0, "pthread_atfork failed: {rc}");
    });
    FORK_GENERATION.load(Ordering::Relaxed)
}
