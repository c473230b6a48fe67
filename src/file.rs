//! [`AioFile`]: the low-level positional file.
use std::fs;
use std::os::fd::{AsFd, OwnedFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use aiofile_core::{parse_mode, FileMode, Op};
use aiofile_reactor_linux::{dio_alignment, Alignment};
use aiofile_reactor_threads::FileHandle;

use crate::blocking::unblock;
use crate::coop;
use crate::error::{Error, Result};
use crate::options::OpenOptions;
use crate::reactor::{select, ReactorInfo, ReactorKind, Shared};

/// The core's positional file over the facade's reactor.
pub(crate) type CoreFile = aiofile_core::io::File<Shared>;

/// Default chunk for reads "to the end".
const READ_TO_END_CHUNK: usize = 64 * 1024;

/// A file for positional asynchronous I/O: no cursor, every call says where.
///
/// `AioFile` is a cheap handle (`Clone` shares the same open file) and is `Send + Sync`:
/// many tasks may read and write it at once. Every method takes `&self`.
///
/// ```
/// # aiofile::doc_block_on(async {
/// use aiofile::AioFile;
/// let dir = std::env::temp_dir().join(format!("aiofile-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let file = AioFile::open(dir.join("hello.txt"), "w+").await?;
/// file.write(b"Hello ", 0).await?;
/// file.write(b"world", 7).await?; // leaves a hole at 6
/// assert_eq!(file.read(100, 0).await?, b"Hello \0world");
/// assert_eq!(file.read_to_end(7).await?, b"world");
/// file.close().await?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
#[derive(Clone)]
pub struct AioFile {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    mode: FileMode,
    options: OpenOptions,
    state: Mutex<State>,
}

enum State {
    NotOpened,
    Open {
        file: CoreFile,
        info: ReactorInfo,
        direct: Option<Alignment>,
    },
    Closed,
}

impl std::fmt::Debug for AioFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AioFile")
            .field("path", &self.inner.path)
            .field("mode", &self.inner.mode.to_string())
            .finish()
    }
}

impl AioFile {
    /// A file that is not opened yet: the mode is checked now, the file is opened by
    /// [`ensure_open`](AioFile::ensure_open).
    ///
    /// # Errors
    /// [`Error::Mode`] for an invalid mode string.
    pub fn new(path: impl AsRef<Path>, mode: &str, options: OpenOptions) -> Result<Self> {
        let mode = parse_mode(mode)?;
        let inner = Inner {
            path: path.as_ref().to_path_buf(),
            mode,
            options,
            state: Mutex::new(State::NotOpened),
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// Opens `path` with a mode string (`"r"`, `"w+"`, `"ab"`, ... as Python's `open`).
    ///
    /// # Errors
    /// [`Error::Mode`]; the OS error of `open(2)` (not found, permission, ...).
    pub async fn open(path: impl AsRef<Path>, mode: &str) -> Result<Self> {
        Self::open_with(path, mode, OpenOptions::new()).await
    }

    /// [`open`](AioFile::open) with [`OpenOptions`].
    ///
    /// # Errors
    /// As [`open`](AioFile::open).
    pub async fn open_with(
        path: impl AsRef<Path>,
        mode: &str,
        options: OpenOptions,
    ) -> Result<Self> {
        let file = Self::new(path, mode, options)?;
        file.ensure_open().await?;
        Ok(file)
    }

    /// Adopts an open file; `mode` describes how it was opened. It is owned from now
    /// on: [`close`](AioFile::close) closes it.
    ///
    /// # Errors
    /// [`Error::Mode`]; no reactor available.
    pub fn from_std(file: fs::File, mode: &str) -> Result<Self> {
        Self::from_fd(file.into(), mode)
    }

    /// Adopts an open descriptor (see [`from_std`](AioFile::from_std)).
    ///
    /// # Errors
    /// As [`from_std`](AioFile::from_std).
    pub fn from_fd(fd: OwnedFd, mode: &str) -> Result<Self> {
        let path = PathBuf::from(format!(
            "/proc/self/fd/{}",
            std::os::fd::AsRawFd::as_raw_fd(&fd)
        ));
        let file = Self::new(path, mode, OpenOptions::new())?;
        file.install(Prepared::new(FileHandle::new(fd)?, None)?)?;
        Ok(file)
    }

    /// Opens the file if it is not open yet; does nothing if it is. A failed open can
    /// be retried (the reference caches the failure forever).
    ///
    /// # Errors
    /// [`Error::Closed`] after [`close`](AioFile::close); the OS error of `open(2)`.
    pub async fn ensure_open(&self) -> Result<()> {
        match *self.lock() {
            State::Open { .. } => return Ok(()),
            State::Closed => return Err(Error::Closed),
            State::NotOpened => {}
        }
        let opts = self.os_options();
        let path = self.inner.path.clone();
        let kind = self.inner.options.reactor_kind();
        // Everything that may block runs on the helper thread: open(2), the alignment
        // query, and (in the process's first open) starting the reactor, which probes
        // the kernel and spawns threads (measured: ~30 ms).
        let prepared = unblock(move || {
            let fd: OwnedFd = opts.open(path)?.into();
            Prepared::new(FileHandle::new(fd)?, kind)
        });
        self.install(prepared.await?)
    }

    fn os_options(&self) -> fs::OpenOptions {
        let f = self.inner.mode.open_flags();
        let mut o = fs::OpenOptions::new();
        o.read(f.read).write(f.write && !f.append).append(f.append);
        if f.exclusive {
            o.create_new(true);
        } else {
            o.create(f.create).truncate(f.truncate);
        }
        if self.inner.options.is_direct() {
            o.custom_flags(libc::O_DIRECT);
        }
        o
    }

    /// Moves to `Open` unless someone else got there first (then the handle is closed).
    fn install(&self, prepared: Prepared) -> Result<()> {
        let Prepared {
            handle,
            direct,
            shared,
            info,
        } = prepared;
        let mut state = self.lock();
        match *state {
            State::NotOpened => {
                let file = CoreFile::new(shared, Arc::new(handle));
                *state = State::Open { file, info, direct };
                Ok(())
            }
            State::Open { .. } => Ok(()),
            State::Closed => Err(Error::Closed),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The core file to run an operation on (a cheap clone: two `Arc`s).
    pub(crate) fn core(&self) -> Result<CoreFile> {
        self.core_direct().map(|(file, _)| file)
    }

    /// The core file and, for O_DIRECT files, the alignment their requests need.
    fn core_direct(&self) -> Result<(CoreFile, Option<Alignment>)> {
        match &*self.lock() {
            State::Open { file, direct, .. } => Ok((file.clone(), *direct)),
            State::NotOpened => Err(Error::NotOpened),
            State::Closed => Err(Error::Closed),
        }
    }

    /// The alignment O_DIRECT requests on this file need (`None`: buffered file).
    ///
    /// # Errors
    /// [`Error::NotOpened`], [`Error::Closed`].
    pub fn direct_alignment(&self) -> Result<Option<Alignment>> {
        self.core_direct().map(|(_, d)| d)
    }

    /// Reads up to `size` bytes at `offset`, looping over short reads: fewer bytes only
    /// at end of file, none past it.
    ///
    /// # Errors
    /// [`Error::NotOpened`], [`Error::Closed`], the OS error.
    ///
    /// On an O_DIRECT file `offset` and `size` must be multiples of
    /// [`direct_alignment`](AioFile::direct_alignment) (else [`Error::Misaligned`],
    /// before any I/O); the data goes through an aligned staging area.
    pub async fn read(&self, size: usize, offset: u64) -> Result<Vec<u8>> {
        match self.core_direct()? {
            (file, None) => {
                let buf = Vec::with_capacity(size);
                let (res, buf) = coop::run(file.read_exact_or_eof(buf, offset, size)).await;
                res?;
                Ok(buf)
            }
            (file, Some(align)) => coop::run(crate::direct::read(&file, align, size, offset)).await,
        }
    }

    /// Reads from `offset` to the end of the file, whatever `stat` says (so `/proc`
    /// files work, unlike the reference).
    ///
    /// # Errors
    /// As [`read`](AioFile::read).
    pub async fn read_to_end(&self, offset: u64) -> Result<Vec<u8>> {
        let (file, direct) = self.core_direct()?;
        if let Some(align) = direct {
            return crate::direct::read_to_end(&file, align, offset).await;
        }
        let mut buf = Vec::new();
        loop {
            buf.reserve(READ_TO_END_CHUNK);
            let want = buf.capacity() - buf.len();
            let at = offset + buf.len() as u64;
            let (res, b) = file.read_exact_or_eof(buf, at, want).await;
            buf = b;
            if res? < want {
                return Ok(buf);
            }
        }
    }

    /// Zero-copy read: appends up to `len` bytes at `offset` to `buf` (which must have
    /// room for them) with a single read, and hands `buf` back with the count.
    ///
    /// Cancel-safety: if the future is dropped, the read still completes and `buf` is
    /// freed by the reactor afterwards.
    pub async fn read_into(
        &self,
        buf: Vec<u8>,
        len: usize,
        offset: u64,
    ) -> (Result<usize>, Vec<u8>) {
        let file = match self.core() {
            Ok(f) => f,
            Err(e) => return (Err(e), buf),
        };
        let (res, buf) = coop::run(file.read(buf, offset, len)).await;
        (res.map_err(Error::from), buf)
    }

    /// Writes all of `data` at `offset` (looping over short writes); returns its length.
    /// In append mode the data lands at the end of the file whatever `offset` says.
    ///
    /// # Errors
    /// [`Error::WriteZero`], the OS error, [`Error::NotOpened`], [`Error::Closed`].
    pub async fn write(&self, data: &[u8], offset: u64) -> Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        match self.core_direct()? {
            (_, None) => self.write_buf(data.to_vec(), offset).await.0,
            (file, Some(align)) => {
                coop::run(crate::direct::write(&file, align, data, offset)).await
            }
        }
    }

    /// Zero-copy write of `buf` at `offset`; hands `buf` back.
    pub async fn write_buf(&self, buf: Vec<u8>, offset: u64) -> (Result<usize>, Vec<u8>) {
        let file = match self.core() {
            Ok(f) => f,
            Err(e) => return (Err(e), buf),
        };
        let (res, buf) = coop::run(file.write_all(buf, offset)).await;
        (res.map_err(Error::from), buf)
    }

    /// Flushes data and metadata to the device (`fsync`).
    ///
    /// # Errors
    /// The OS error.
    pub async fn fsync(&self) -> Result<()> {
        Ok(self.core()?.fsync().await?)
    }

    /// Flushes data to the device (`fdatasync`).
    ///
    /// # Errors
    /// The OS error.
    pub async fn fdsync(&self) -> Result<()> {
        Ok(self.core()?.fdatasync().await?)
    }

    /// Starts writing `len` bytes from `offset` (`len` 0: through the end of the file)
    /// to the device and returns once the kernel has queued them, without waiting for
    /// the device (`sync_file_range(SYNC_FILE_RANGE_WRITE)`, off the executor). It makes
    /// nothing durable: call [`fsync`](Self::fsync) for that, which then has less left
    /// to write. On systems without the call it does nothing. See
    /// [`Writer::writeback_every`](crate::Writer::writeback_every) for the streaming form.
    ///
    /// # Errors
    /// The OS error (e.g. `EIO` from an earlier failed writeback).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-wb-{}", std::process::id()));
    /// let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// file.write(&[7u8; 1 << 20], 0).await?;
    /// file.start_writeback(0, 1 << 20).await?; // the device is busy with it now
    /// file.fsync().await?;                      // and this waits for less
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn start_writeback(&self, offset: u64, len: u64) -> Result<()> {
        let len = usize::try_from(len).map_err(|_| Error::InvalidInput("writeback length"))?;
        let done = self.core()?.submit(Op::writeback(offset, len)).await;
        done.result.map(drop).map_err(Error::from)
    }

    /// Truncates or extends the file to `len` bytes (`ftruncate`, off the executor).
    ///
    /// # Errors
    /// The OS error (e.g. `EINVAL` on a read-only file).
    pub async fn set_len(&self, len: u64) -> Result<()> {
        let fd = self.core()?.handle().as_fd().try_clone_to_owned()?;
        unblock(move || fs::File::from(fd).set_len(len)).await?;
        Ok(())
    }

    /// Size of the file now (`fstat` on the open descriptor).
    ///
    /// This one runs inline: `fstat` on an open descriptor reads the in-memory inode and
    /// does not wait for a device on local filesystems (about a microsecond), which
    /// matters because append-mode wrappers ask after every write. On a network
    /// filesystem it may revalidate attributes over the network.
    ///
    /// # Errors
    /// The OS error.
    pub async fn len(&self) -> Result<u64> {
        let fd = self.core()?.handle().as_fd().try_clone_to_owned()?;
        Ok(fs::File::from(fd).metadata()?.len())
    }

    /// Closes the file. A writable file is `fdatasync`ed first, like the reference,
    /// but the file is closed even when that sync fails (whose error is returned).
    /// Closing twice, or a file never opened, is fine. Operations still in flight keep
    /// the descriptor alive until they finish.
    ///
    /// # Errors
    /// The sync's OS error.
    pub async fn close(&self) -> Result<()> {
        let prev = std::mem::replace(&mut *self.lock(), State::Closed);
        let State::Open { file, .. } = prev else {
            return Ok(());
        };
        if self.inner.mode.writable {
            file.fdatasync().await?;
        }
        Ok(())
    }

    /// True once [`close`](AioFile::close) was called.
    pub fn is_closed(&self) -> bool {
        matches!(*self.lock(), State::Closed)
    }

    /// The raw descriptor.
    ///
    /// # Errors
    /// [`Error::NotOpened`], [`Error::Closed`].
    pub fn fileno(&self) -> Result<RawFd> {
        Ok(std::os::fd::AsRawFd::as_raw_fd(&**self.core()?.handle()))
    }

    /// The parsed mode.
    pub fn mode(&self) -> FileMode {
        self.inner.mode
    }

    /// The path it was opened with.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Which reactor serves this file and why (`None` until opened).
    pub fn reactor_info(&self) -> Option<ReactorInfo> {
        match &*self.lock() {
            State::Open { info, .. } => Some(info.clone()),
            _ => None,
        }
    }
}

/// An open descriptor with what `install` needs, all of it found before touching the
/// file's state (so it can be done off the executor).
struct Prepared {
    handle: FileHandle,
    direct: Option<Alignment>,
    shared: Shared,
    info: ReactorInfo,
}

impl Prepared {
    /// Queries the O_DIRECT alignment and picks (the first time: starts) the reactor.
    fn new(handle: FileHandle, kind: Option<ReactorKind>) -> Result<Self> {
        let direct = handle.is_direct().then(|| dio_alignment(&handle).0);
        let (shared, info) = select(kind, direct.is_some())?;
        Ok(Self {
            handle,
            direct,
            shared,
            info,
        })
    }
}
