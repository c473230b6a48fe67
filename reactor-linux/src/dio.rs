//! O_DIRECT helpers: discovering the alignment, checking requests against it before
//! submission, opening with `O_DIRECT`, and the reactors' per-file alignment cache.
use std::fs::{File, OpenOptions};
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Arc, Weak};

use aiofile_core::{IoBufMut, Op, OpKind};
use aiofile_reactor_threads::{FileHandle, FileRef};

use crate::error::{Misaligned, MisalignedPart, OpenDirectError};
use crate::sys::os;

/// The alignment O_DIRECT requires of a file's requests.
///
/// ```
/// use aiofile_reactor_linux::Alignment;
/// let a = Alignment::DEFAULT;
/// assert_eq!((a.mem, a.offset), (4096, 4096));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alignment {
    /// The buffer address must be a multiple of this.
    pub mem: usize,
    /// The file offset and the length must be multiples of this.
    pub offset: usize,
}

impl Alignment {
    /// What works on 512-byte and 4 KiB-sector devices alike, used when nothing can be
    /// queried.
    pub const DEFAULT: Alignment = Alignment {
        mem: 4096,
        offset: 4096,
    };
}

/// Where an [`Alignment`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlignmentSource {
    /// `statx(STATX_DIOALIGN)` (Linux 6.1+, filesystems that report it).
    Statx,
    /// The device's `queue/logical_block_size` in sysfs.
    Sysfs,
    /// Nothing answered: [`Alignment::DEFAULT`].
    Default,
}

/// The O_DIRECT alignment of the open file `fd`, and how it was found:
/// `statx(STATX_DIOALIGN)`, else the device's logical block size from sysfs, else
/// 4096 for everything.
///
/// ```
/// let file = std::fs::File::open("Cargo.toml").unwrap();
/// let (align, _source) = aiofile_reactor_linux::dio_alignment(&file);
/// assert!(align.mem.is_power_of_two() && align.offset.is_power_of_two());
/// ```
pub fn dio_alignment(fd: impl AsFd) -> (Alignment, AlignmentSource) {
    let Ok(info) = os::statx_dio(fd.as_fd()) else {
        return (Alignment::DEFAULT, AlignmentSource::Default);
    };
    if let Some((mem, offset)) = info.dio {
        return (
            Alignment {
                mem: mem as usize,
                offset: offset as usize,
            },
            AlignmentSource::Statx,
        );
    }
    match sysfs_logical_block_size(info.dev) {
        Some(n) => (Alignment { mem: n, offset: n }, AlignmentSource::Sysfs),
        None => (Alignment::DEFAULT, AlignmentSource::Default),
    }
}

fn sysfs_logical_block_size((major, minor): (u32, u32)) -> Option<usize> {
    // A whole disk has `queue/` itself; a partition's is one level up.
    ["queue", "../queue"].iter().find_map(|dir| {
        let path = format!("/sys/dev/block/{major}:{minor}/{dir}/logical_block_size");
        let n: usize = std::fs::read_to_string(path).ok()?.trim().parse().ok()?;
        n.is_power_of_two().then_some(n)
    })
}

/// Checks one O_DIRECT transfer: buffer address `addr`, file `offset`, `len` bytes.
///
/// # Errors
/// [`Misaligned`] naming the first part that breaks the rule (buffer, then offset,
/// then length) and the multiple it needs.
///
/// ```
/// use aiofile_reactor_linux::{check_direct, Alignment, MisalignedPart};
/// let a = Alignment { mem: 512, offset: 4096 };
/// assert!(check_direct(8192, 4096, 4096, a).is_ok());
/// assert_eq!(check_direct(8193, 4096, 4096, a).unwrap_err().what, MisalignedPart::Buffer);
/// assert_eq!(check_direct(8192, 4096, 100, a).unwrap_err().required, 4096);
/// ```
pub fn check_direct(
    addr: usize,
    offset: u64,
    len: usize,
    align: Alignment,
) -> Result<(), Misaligned> {
    let bad = |what, required| Err(Misaligned { what, required });
    if addr % align.mem.max(1) != 0 {
        return bad(MisalignedPart::Buffer, align.mem);
    }
    if offset % align.offset.max(1) as u64 != 0 {
        return bad(MisalignedPart::Offset, align.offset);
    }
    if len % align.offset.max(1) != 0 {
        return bad(MisalignedPart::Length, align.offset);
    }
    Ok(())
}

/// [`check_direct`] for an [`Op`]: its transfer range (syncs always pass).
///
/// # Errors
/// As [`check_direct`].
///
/// ```
/// use aiofile_core::Op;
/// use aiofile_reactor_linux::{check_op, AlignedBuf, Alignment};
/// let a = Alignment { mem: 512, offset: 512 };
/// let mut op = Op::read(AlignedBuf::new(4096, 4096), 512, 1024).unwrap();
/// assert!(check_op(&mut op, a).is_ok());
/// ```
pub fn check_op<B: IoBufMut>(op: &mut Op<B>, align: Alignment) -> Result<(), Misaligned> {
    match op.kind() {
        OpKind::Read | OpKind::Write => {
            check_direct(op.io_ptr() as usize, op.offset(), op.len(), align)
        }
        OpKind::Fsync | OpKind::Fdatasync | OpKind::Writeback => Ok(()),
    }
}

/// Opens `path` with `options` plus `O_DIRECT` (which replaces any `custom_flags` set
/// on `options`).
///
/// # Errors
/// [`OpenDirectError::Refused`] when the filesystem refuses direct I/O (`EINVAL`),
/// [`OpenDirectError::Io`] for any other failure.
///
/// ```no_run
/// use std::fs::OpenOptions;
/// let file = aiofile_reactor_linux::open_direct("/var/tmp/data", OpenOptions::new().read(true))?;
/// # Ok::<(), aiofile_reactor_linux::OpenDirectError>(())
/// ```
pub fn open_direct(path: impl AsRef<Path>, options: &OpenOptions) -> Result<File, OpenDirectError> {
    let mut options = options.clone();
    options.custom_flags(libc::O_DIRECT);
    options.open(path).map_err(OpenDirectError::from)
}

/// Drops the clean cached pages of `file` (`posix_fadvise(POSIX_FADV_DONTNEED)`), so
/// the next buffered read goes to the device: for tests and benchmarks of uncached I/O.
///
/// # Errors
/// The `posix_fadvise` error.
///
/// ```
/// let file = std::fs::File::open("Cargo.toml").unwrap();
/// aiofile_reactor_linux::evict_page_cache(&file).unwrap();
/// ```
pub fn evict_page_cache(file: impl AsFd) -> std::io::Result<()> {
    os::fadvise_dontneed(file.as_fd())
}

/// Per-reactor cache of the alignment of the O_DIRECT files it has seen, keyed by the
/// `FileHandle` allocation. Holding a `Weak` keeps that allocation (not the file)
/// alive, so a new file can never reuse the address of a cached one; entries of
/// closed files are evicted first when the cache is full. Allocates only when it is
/// created: lookups in steady state are allocation-free.
#[derive(Debug)]
pub(crate) struct DioCache {
    entries: Vec<(Weak<FileHandle>, Alignment)>,
}

impl DioCache {
    const CAPACITY: usize = 32;

    pub(crate) fn new() -> Self {
        Self {
            entries: Vec::with_capacity(Self::CAPACITY),
        }
    }

    /// The alignment of `file`, queried once per file.
    pub(crate) fn get(&mut self, file: &FileRef) -> Alignment {
        let key = Arc::as_ptr(file);
        if let Some((_, a)) = self.entries.iter().find(|(w, _)| w.as_ptr() == key) {
            return *a;
        }
        let (align, _) = dio_alignment(&**file);
        if self.entries.len() == Self::CAPACITY {
            self.entries.retain(|(w, _)| w.strong_count() > 0);
            if self.entries.len() == Self::CAPACITY {
                self.entries.remove(0);
            }
        }
        self.entries.push((Arc::downgrade(file), align));
        align
    }
}
