//! [`Writer`]: sequential writes from an offset.
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures::Sink;

use crate::error::{Error, Result};
use crate::file::AioFile;
use crate::reactor::Shared;

type CoreWriter = aiofile_core::io::Writer<Shared>;

/// Writes data one piece after the other from an offset: the reference's `Writer`.
///
/// [`write`](Writer::write) returns once its data is written (the reference's
/// `await writer(data)`), and takes bytes or text alike (`&[u8]`, `Vec<u8>`, `&str`,
/// `String`: the UTF-8 bytes of text are written). The writer also is a
/// [`futures::Sink`] of anything `AsRef<[u8]>`, which lets a send overlap with the
/// preparation of the next item: `start_send` queues the item, the write runs while the
/// next `poll_ready` / `poll_flush` drives it.
///
/// Inside, the core's `Writer` copies the data through one
/// [`BUFFER`](Writer::BUFFER)-byte buffer and loops over short writes. In append mode the
/// kernel puts every write at the end of the file whatever the offset says, so
/// [`offset`](Writer::offset) only counts bytes.
///
/// Cancel-safety: dropping a `write` future may leave a prefix of its data written (or
/// still in flight and written soon); [`offset`](Writer::offset) then counts the bytes
/// that were accepted. Dropping the writer abandons a write in flight to the reactor,
/// which still performs it.
///
/// ```
/// # aiofile::doc_block_on(async {
/// use aiofile::{AioFile, Writer};
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-writer-{}", std::process::id()));
/// let file = AioFile::open(&path, "w+b").await?;
/// let mut writer = Writer::new(&file, 0)?;
/// assert_eq!(writer.write(b"Hello ").await?, 6);
/// writer.write("wörld").await?;
/// assert_eq!(writer.offset(), 12);
/// assert_eq!(file.read_to_end(0).await?, "Hello wörld".as_bytes());
/// # file.close().await?; std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
pub struct Writer {
    file: AioFile,
    inner: CoreWriter,
    /// An item queued by `Sink::start_send`, handed to `inner` from `staged_at` on.
    staged: Vec<u8>,
    staged_at: usize,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("file", &self.file)
            .field("offset", &self.offset())
            .finish()
    }
}

impl Writer {
    /// Bytes handed to the kernel in one write at most.
    pub const BUFFER: usize = 65536;

    /// A writer starting at `offset`.
    ///
    /// # Errors
    /// [`Error::NotOpened`], [`Error::Closed`].
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-writer0-{}", std::process::id()));
    /// let file = aiofile::AioFile::open(&path, "wb").await?;
    /// let writer = aiofile::Writer::new(&file, 100)?;
    /// assert_eq!(writer.offset(), 100);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn new(file: &AioFile, offset: u64) -> Result<Self> {
        let inner = CoreWriter::new(file.core()?, offset, Vec::with_capacity(Self::BUFFER));
        Ok(Self {
            file: file.clone(),
            inner,
            staged: Vec::new(),
            staged_at: 0,
        })
    }

    /// File offset where the next byte will go: the start offset plus every byte
    /// accepted.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-writer1-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "wb").await?;
    /// let mut writer = aiofile::Writer::new(&file, 0)?;
    /// writer.write("한글").await?;
    /// assert_eq!(writer.offset(), 6);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn offset(&self) -> u64 {
        self.inner.offset() + (self.staged.len() - self.staged_at) as u64
    }

    /// Writes all of `data` at the writer's offset and waits until it is written;
    /// returns its length in bytes. Empty data writes nothing.
    ///
    /// # Errors
    /// The OS error, [`Error::WriteZero`]; [`Error::Closed`] once the file is closed. A
    /// failed writer keeps failing.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-writer2-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// let mut writer = aiofile::Writer::new(&file, 0)?;
    /// writer.write(vec![b'a'; 200_000]).await?;
    /// assert_eq!(file.len().await?, 200_000);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn write(&mut self, data: impl AsRef<[u8]>) -> Result<usize> {
        let data = data.as_ref();
        self.check_open()?;
        poll_fn(|cx| self.poll_drain(cx)).await?;
        self.inner.write_all(data).await?;
        self.inner.flush().await?;
        Ok(data.len())
    }

    /// Waits until everything accepted (by [`poll_write`](Writer::poll_write) or the
    /// `Sink`) is written.
    ///
    /// # Errors
    /// As [`write`](Writer::write).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-writer3-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// let mut writer = aiofile::Writer::new(&file, 0)?;
    /// let n = std::future::poll_fn(|cx| writer.poll_write(cx, b"queued")).await?;
    /// writer.flush().await?;
    /// assert_eq!(file.read_to_end(0).await?, &b"queued"[..n]);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn flush(&mut self) -> Result<()> {
        poll_fn(|cx| self.poll_flush(cx)).await
    }

    /// Accepts up to [`BUFFER`](Writer::BUFFER) bytes of `data` and starts writing them,
    /// without waiting for the write to finish; returns how many were accepted. The next
    /// `poll_write` or `poll_flush` waits for it first.
    ///
    /// # Errors
    /// As [`write`](Writer::write) (the error of an earlier write comes here).
    pub fn poll_write(&mut self, cx: &mut Context<'_>, data: &[u8]) -> Poll<Result<usize>> {
        self.check_open()?;
        ready!(self.poll_drain(cx))?;
        self.inner.poll_write(cx, data).map_err(Error::from)
    }

    /// Poll form of [`flush`](Writer::flush).
    pub fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.check_open()?;
        ready!(self.poll_drain(cx))?;
        self.inner.poll_flush(cx).map_err(Error::from)
    }

    /// Hands the staged `Sink` item to the core writer.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        while self.staged_at < self.staged.len() {
            let rest = &self.staged[self.staged_at..];
            self.staged_at += ready!(self.inner.poll_write(cx, rest))?;
        }
        self.staged.clear();
        self.staged_at = 0;
        Poll::Ready(Ok(()))
    }

    fn check_open(&self) -> Result<()> {
        if self.file.is_closed() {
            return Err(Error::Closed);
        }
        Ok(())
    }
}

impl<T: AsRef<[u8]>> Sink<T> for Writer {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        this.check_open()?;
        this.poll_drain(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: T) -> Result<()> {
        let this = self.get_mut();
        this.check_open()?;
        this.staged.extend_from_slice(item.as_ref());
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        Writer::poll_flush(self.get_mut(), cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        Writer::poll_flush(self.get_mut(), cx)
    }
}
