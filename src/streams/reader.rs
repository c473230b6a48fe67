//! [`Reader`]: a file as a stream of byte chunks.
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_core::Stream;

use super::Phase;
use crate::coop;
use crate::error::{Error, Result};
use crate::file::AioFile;
use crate::reactor::Shared;

/// The core's chunk reader over the facade's reactor.
pub(crate) type CoreReader = aiofile_core::io::Reader<Shared>;

/// Builds the core's reader of `chunk_size`-byte chunks from `offset` (shared by every
/// stream that reads chunks).
pub(crate) fn core_reader(file: &AioFile, offset: u64, chunk_size: usize) -> Result<CoreReader> {
    if chunk_size == 0 {
        return Err(Error::InvalidInput("chunk size must be at least 1"));
    }
    let mut buf = Vec::new();
    buf.try_reserve_exact(chunk_size)
        .map_err(|_| Error::InvalidInput("chunk size too large to allocate"))?;
    CoreReader::new(file.core()?, offset, chunk_size, buf).map_err(|(e, _)| e.into())
}

/// Reads a file chunk by chunk from an offset: the reference's `Reader`.
///
/// Each chunk is one read of up to `chunk_size` bytes (the default is
/// [`DEFAULT_CHUNK`](Reader::DEFAULT_CHUNK), 32768); a chunk is shorter only when the
/// kernel returns a short read, which for a regular file means the end is near. The
/// stream ends at the first empty read. The reader reuses one buffer; the owned chunks it
/// hands out are copies ([`read_chunk_slice`](Reader::read_chunk_slice) avoids the copy).
///
/// Cancel-safety and errors: see the [module docs](crate::streams#shared-rules).
///
/// ```
/// # aiofile::doc_block_on(async {
/// use aiofile::{AioFile, Reader};
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-reader-{}", std::process::id()));
/// let file = AioFile::open(&path, "w+b").await?;
/// file.write(b"0123456789", 0).await?;
/// let mut reader = Reader::new(&file, 0, 4)?;
/// let mut chunks = Vec::new();
/// while let Some(chunk) = reader.next().await {
///     chunks.push(chunk?);
/// }
/// assert_eq!(chunks, [&b"0123"[..], b"4567", b"89"]);
/// assert_eq!(reader.offset(), 10);
/// # file.close().await?; std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
pub struct Reader {
    file: AioFile,
    inner: CoreReader,
    phase: Phase,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("file", &self.file)
            .field("offset", &self.offset())
            .field("phase", &self.phase)
            .finish()
    }
}

impl Reader {
    /// The reference's default chunk size, in bytes.
    pub const DEFAULT_CHUNK: usize = 32768;

    /// A reader of `chunk_size`-byte chunks starting at `offset`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a chunk size of 0 (or one too large to allocate);
    /// [`Error::NotOpened`], [`Error::Closed`].
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-reader0-{}", std::process::id()));
    /// let file = aiofile::AioFile::open(&path, "wb").await?;
    /// assert!(matches!(aiofile::Reader::new(&file, 0, 0), Err(aiofile::Error::InvalidInput(_))));
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn new(file: &AioFile, offset: u64, chunk_size: usize) -> Result<Self> {
        Ok(Self {
            file: file.clone(),
            inner: core_reader(file, offset, chunk_size)?,
            phase: Phase::Reading,
        })
    }

    /// File offset of the next chunk: the start offset plus every byte handed out.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-reader1-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// file.write(b"abcdef", 0).await?;
    /// let mut reader = aiofile::Reader::new(&file, 2, 3)?;
    /// assert_eq!(reader.read_chunk().await?.as_deref(), Some(&b"cde"[..]));
    /// assert_eq!(reader.offset(), 5);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn offset(&self) -> u64 {
        self.inner.offset()
    }

    /// The next chunk, or `None` at end of file (and forever after).
    ///
    /// # Errors
    /// The OS error of the read; [`Error::Closed`] once the file is closed; see the
    /// [module docs](crate::streams#shared-rules) for calls after an error.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-reader2-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// file.write(b"xy", 0).await?;
    /// let mut reader = aiofile::Reader::new(&file, 0, 8)?;
    /// assert_eq!(reader.read_chunk().await?, Some(b"xy".to_vec()));
    /// assert_eq!(reader.read_chunk().await?, None);
    /// assert_eq!(reader.read_chunk().await?, None);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn read_chunk(&mut self) -> Result<Option<Vec<u8>>> {
        poll_fn(|cx| self.poll_read_chunk(cx)).await
    }

    /// [`read_chunk`](Reader::read_chunk) without the copy: the chunk borrows the reader's
    /// buffer until the next call.
    ///
    /// # Errors
    /// As [`read_chunk`](Reader::read_chunk).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-reader3-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// file.write(b"abc", 0).await?;
    /// let mut reader = aiofile::Reader::new(&file, 0, 2)?;
    /// let mut total = 0;
    /// while let Some(chunk) = reader.read_chunk_slice().await? {
    ///     total += chunk.len();
    /// }
    /// assert_eq!(total, 3);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn read_chunk_slice(&mut self) -> Result<Option<&[u8]>> {
        let got = poll_fn(|cx| self.poll_fill(cx)).await?;
        Ok(got.then(|| self.inner.chunk()))
    }

    /// The stream's next item: `read_chunk` as an `Option<Result<_>>` (the error once,
    /// then the end). The same as `StreamExt::next`, without the import.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-reader4-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// file.write(b"abc", 0).await?;
    /// let mut reader = aiofile::Reader::new(&file, 1, 64)?;
    /// assert_eq!(reader.next().await.transpose()?, Some(b"bc".to_vec()));
    /// assert!(reader.next().await.is_none());
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn next(&mut self) -> Option<Result<Vec<u8>>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Poll form of [`read_chunk`](Reader::read_chunk).
    pub fn poll_read_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Vec<u8>>>> {
        let got = ready!(self.poll_fill(cx));
        Poll::Ready(got.map(|got| got.then(|| self.inner.chunk().to_vec())))
    }

    /// Drives one chunk into the buffer: `Ok(true)` when one arrived; the chunk is then
    /// [`chunk`](Reader::chunk).
    pub(crate) fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<Result<bool>> {
        let res = match self.phase.gate::<()>(&self.file) {
            Some(res) => res,
            None => {
                ready!(coop::poll_proceed(cx));
                let poll = self.inner.poll_read_chunk(cx);
                coop::note(&poll);
                ready!(poll)
                    .map(|chunk| chunk.map(drop))
                    .map_err(Error::from)
            }
        };
        Poll::Ready(self.phase.track(res).map(|got| got.is_some()))
    }

    /// The most recent chunk, borrowed (empty before the first).
    #[inline]
    pub(crate) fn chunk(&self) -> &[u8] {
        self.inner.chunk()
    }

    /// The file read.
    pub(crate) fn file(&self) -> &AioFile {
        &self.file
    }
}

impl Stream for Reader {
    type Item = Result<Vec<u8>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.phase.is_over() {
            return Poll::Ready(None);
        }
        this.poll_read_chunk(cx).map(Result::transpose)
    }
}
