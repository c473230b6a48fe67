//! The crate's errors: why a backend is unavailable, why an O_DIRECT request was
//! refused, and why a forked child cannot use its parent's reactor.
use std::fmt;
use std::io;

/// Why io_uring or kernel AIO cannot be used in this process.
///
/// ```
/// use aiofile_reactor_linux::Unavailable;
/// let e = Unavailable::AioQuota { requested: 128 };
/// assert!(e.to_string().contains("/proc/sys/fs/aio-max-nr"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// `io_uring_setup` answered `EPERM`: `kernel.io_uring_disabled` is set, or a seccomp
    /// profile (Docker 25+, containerd 2.0) refuses it.
    UringRefused,
    /// The syscall answered `ENOSYS`: not built into the kernel, or blocked by a sandbox.
    NotImplemented {
        /// `"io_uring_setup"` or `"io_setup"`.
        syscall: &'static str,
    },
    /// The syscall answered `ENOMEM` (io_uring: `RLIMIT_MEMLOCK` before Linux 5.12, or
    /// memory pressure).
    NoMemory {
        /// The syscall that failed.
        syscall: &'static str,
    },
    /// `io_setup` answered `EAGAIN`: the host-wide AIO quota is used up.
    AioQuota {
        /// The number of events this reactor asked for.
        requested: u32,
    },
    /// io_uring works but lacks an opcode this reactor needs (kernel older than 5.6).
    MissingOpcode {
        /// The opcode's name (`READ`, `WRITE`, `FSYNC`).
        opcode: &'static str,
    },
    /// Any other failure during setup.
    Os {
        /// The syscall that failed.
        syscall: &'static str,
        /// Its errno.
        errno: i32,
    },
}

impl Unavailable {
    /// Classifies a setup failure of `syscall` (`io_uring_setup`, `io_setup`, ...).
    pub(crate) fn from_io(syscall: &'static str, err: &io::Error, requested: u32) -> Self {
        match err.raw_os_error().unwrap_or(libc::EIO) {
            libc::EPERM if syscall == "io_uring_setup" => Self::UringRefused,
            libc::ENOSYS => Self::NotImplemented { syscall },
            libc::ENOMEM => Self::NoMemory { syscall },
            libc::EAGAIN if syscall == "io_setup" => Self::AioQuota { requested },
            errno => Self::Os { syscall, errno },
        }
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UringRefused => f.write_str(
                "io_uring refused (io_uring_setup: EPERM): kernel.io_uring_disabled is set or a \
                 seccomp profile (Docker 25+, containerd 2.0) blocks it",
            ),
            Self::NotImplemented {
                syscall: "io_setup",
            } => f.write_str(
                "kernel AIO unavailable (io_setup: ENOSYS): kernel built without CONFIG_AIO or a \
                 sandbox blocks it (such kernels have no /proc/sys/fs/aio-max-nr)",
            ),
            Self::NotImplemented { syscall } => {
                write!(
                    f,
                    "{syscall}: ENOSYS: not built into this kernel, or blocked by a sandbox"
                )
            }
            Self::NoMemory { syscall } => {
                write!(
                    f,
                    "{syscall}: ENOMEM (RLIMIT_MEMLOCK before Linux 5.12, or memory pressure)"
                )
            }
            Self::AioQuota { requested } => write!(
                f,
                "kernel AIO quota exhausted (io_setup({requested}): EAGAIN): the host-wide limit \
                 /proc/sys/fs/aio-max-nr is used up (see /proc/sys/fs/aio-nr); raise it or close \
                 other AIO contexts"
            ),
            Self::MissingOpcode { opcode } => {
                write!(
                    f,
                    "io_uring lacks the {opcode} opcode (kernel older than 5.6?)"
                )
            }
            Self::Os { syscall, errno } => write!(f, "{syscall} failed: os error {errno}"),
        }
    }
}

impl std::error::Error for Unavailable {}

/// Which part of an O_DIRECT request breaks the alignment rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MisalignedPart {
    /// The memory address of the transfer.
    Buffer,
    /// The file offset.
    Offset,
    /// The transfer length.
    Length,
}

/// An O_DIRECT request that the kernel would refuse with `EINVAL`, caught before
/// submission.
///
/// ```
/// use aiofile_reactor_linux::{Alignment, MisalignedPart, check_direct};
/// let align = Alignment { mem: 512, offset: 512 };
/// let e = check_direct(4096, 100, 512, align).unwrap_err();
/// assert_eq!(e.what, MisalignedPart::Offset);
/// assert_eq!(e.to_string(), "O_DIRECT file offset must be a multiple of 512 bytes");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Misaligned {
    /// What is misaligned.
    pub what: MisalignedPart,
    /// The multiple it must be.
    pub required: usize,
}

impl fmt::Display for Misaligned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.what {
            MisalignedPart::Buffer => "buffer address",
            MisalignedPart::Offset => "file offset",
            MisalignedPart::Length => "length",
        };
        write!(
            f,
            "O_DIRECT {what} must be a multiple of {} bytes",
            self.required
        )
    }
}

impl std::error::Error for Misaligned {}

/// A reactor used from a process forked after it was created. The kernel context
/// (AIO) or rings (io_uring) belong to the parent; the child must create its own.
///
/// ```
/// use aiofile_reactor_linux::Forked;
/// let e = Forked { creator_pid: 42 };
/// assert!(e.to_string().contains("process 42"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forked {
    /// The process that created the reactor.
    pub creator_pid: u32,
}

impl fmt::Display for Forked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "reactor created by process {} used after fork: its kernel context belongs to the \
             parent; create a new reactor in the child",
            self.creator_pid
        )
    }
}

impl std::error::Error for Forked {}

/// Opening a file with `O_DIRECT` failed.
#[derive(Debug)]
pub enum OpenDirectError {
    /// The filesystem refused `O_DIRECT` itself (`EINVAL` at open).
    Refused,
    /// Any other open error (not found, permission, ...).
    Io(io::Error),
}

impl From<io::Error> for OpenDirectError {
    /// `EINVAL` from an `O_DIRECT` open means the filesystem refused direct I/O; the
    /// facade can map its own open errors through this.
    fn from(e: io::Error) -> Self {
        match e.raw_os_error() {
            Some(libc::EINVAL) => Self::Refused,
            _ => Self::Io(e),
        }
    }
}

impl fmt::Display for OpenDirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused => f.write_str(
                "the filesystem refused O_DIRECT (open: EINVAL; e.g. tmpfs before Linux 6.6, some \
                 FUSE or overlay mounts): open the file without direct I/O",
            ),
            Self::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for OpenDirectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Refused => None,
            Self::Io(e) => Some(e),
        }
    }
}
