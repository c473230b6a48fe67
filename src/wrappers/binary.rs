//! [`BinaryFileWrapper`]: a file with a position, read and written as bytes.
use std::io::SeekFrom;
use std::path::Path;

use super::advance::{Chunks, Lines};
use super::base::Base;
use crate::error::Result;
use crate::file::AioFile;
use crate::options::OpenOptions;
use crate::streams::{LineReader, Reader};

/// A binary file with a position, like a Python file opened with `"rb"`, `"wb"`, `"ab+"`...
/// (the reference's `BinaryFileWrapper`), from [`async_open_binary`](crate::async_open_binary)
/// or [`async_open`](crate::async_open).
///
/// - The position ([`tell`](Self::tell)) starts at 0, or at the end of the file in append
///   mode (read when the file is opened). Every read moves it past the bytes returned,
///   every write past the bytes written; a failed operation does not move it.
/// - Reads go through a small read-ahead buffer (8 KiB at a time), so
///   [`readline`](Self::readline) costs about one read per 8 KiB, not one per line (the
///   reference does one per line, behaviour notes §10.23). A write or seek through this
///   wrapper or a write through one of its clones drops the buffer; a write made through
///   another handle (the [`AioFile`] itself, another process) to bytes just ahead of the
///   position may go unseen until the next seek.
/// - Append mode: every write lands at the end of the file, and the position then is the
///   end of the file right after that write (asked with an `fstat`), which stays right
///   when another writer appended in between.
/// - `Clone` gives another cursor on the same open file that **starts at this wrapper's
///   position** (the reference starts clones at 0) and moves on its own. Each wrapper is
///   closed once; the file is closed (and synced, see [`AioFile::close`]) by the last
///   [`close`](Self::close). A wrapper dropped without `close` no longer counts.
/// - Methods take `&mut self`: one operation at a time per wrapper; clone it to work from
///   several tasks. Dropping an operation's future leaves the position where it was (a
///   dropped write may still land).
///
/// ```
/// # aiofile::doc_block_on(async {
/// use std::io::SeekFrom;
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin-{}", std::process::id()));
/// let mut f = aiofile::async_open_binary(&path, "w+b").await?;
/// f.write(b"ab\ncd\nef").await?;
/// f.seek(SeekFrom::Start(0)).await?;
/// assert_eq!(f.readline().await?, b"ab\n");
/// assert_eq!(f.read(2).await?, b"cd");
/// assert_eq!(f.tell(), 5);
/// assert_eq!(f.read_to_end().await?, b"\nef");
/// f.close().await?;
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct BinaryFileWrapper {
    base: Base,
}

impl BinaryFileWrapper {
    /// Wraps `file` (opening it if it is not open yet).
    ///
    /// # Errors
    /// [`Error::WrongMode`](crate::Error::WrongMode) when the mode has no `b`; the open's
    /// error.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// use aiofile::{AioFile, BinaryFileWrapper, OpenOptions};
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin0-{}", std::process::id()));
    /// let file = AioFile::new(&path, "wb", OpenOptions::new())?;
    /// let mut f = BinaryFileWrapper::new(file).await?;
    /// assert_eq!(f.write(b"data").await?, 4);
    /// f.close().await?;
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn new(file: AioFile) -> Result<Self> {
        Ok(Self {
            base: Base::open(file, true).await?,
        })
    }

    /// Opens `path` with a binary `mode` and [`OpenOptions`].
    pub(crate) async fn open(path: &Path, mode: &str, options: OpenOptions) -> Result<Self> {
        Self::new(AioFile::new(path, mode, options)?).await
    }

    /// The positional file underneath (its mode, path, descriptor, ...).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin1-{}", std::process::id()));
    /// let f = aiofile::async_open_binary(&path, "ab").await?;
    /// assert!(f.file().mode().appending);
    /// # drop(f); std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn file(&self) -> &AioFile {
        self.base.file()
    }

    /// Reads up to `n` bytes at the position: fewer only at end of file, none past it.
    ///
    /// # Errors
    /// The OS error; [`Error::Closed`](crate::Error::Closed) after [`close`](Self::close).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin2-{}", std::process::id()));
    /// # std::fs::write(&path, b"0123456789")?;
    /// let mut f = aiofile::async_open_binary(&path, "rb").await?;
    /// assert_eq!(f.read(4).await?, b"0123");
    /// assert_eq!(f.read(100).await?, b"456789");
    /// assert_eq!(f.read(1).await?, b"");
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn read(&mut self, n: usize) -> Result<Vec<u8>> {
        self.base.check()?;
        self.base.fill_to(n).await?;
        let n = n.min(self.base.ahead().len());
        Ok(self.base.take(n))
    }

    /// Reads from the position to the end of the file.
    ///
    /// # Errors
    /// As [`read`](Self::read).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin3-{}", std::process::id()));
    /// # std::fs::write(&path, b"0123456789")?;
    /// let mut f = aiofile::async_open_binary(&path, "rb").await?;
    /// f.read(7).await?;
    /// assert_eq!(f.read_to_end().await?, b"789");
    /// assert_eq!(f.tell(), 10);
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn read_to_end(&mut self) -> Result<Vec<u8>> {
        self.read(usize::MAX).await
    }

    /// Writes all of `data` at the position (at the end of file in append mode) and
    /// returns its length. The position moves only if the write succeeds (the reference
    /// moved it even on failure, behaviour notes §10.13).
    ///
    /// # Errors
    /// The OS error, [`Error::WriteZero`](crate::Error::WriteZero),
    /// [`Error::Closed`](crate::Error::Closed). Some of the data may have been written.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin4-{}", std::process::id()));
    /// # std::fs::write(&path, b"0123456789")?;
    /// let mut f = aiofile::async_open_binary(&path, "ab").await?;
    /// assert_eq!(f.tell(), 10);
    /// f.write(b"AB").await?;
    /// assert_eq!(f.tell(), 12);
    /// # f.close().await?;
    /// assert_eq!(std::fs::read(&path)?, b"0123456789AB");
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn write(&mut self, data: &[u8]) -> Result<usize> {
        self.base.write(data).await
    }

    /// The next line: the bytes through the next `b"\n"`, or to the end of file; empty at
    /// end of file. The same as `readline_with(None, b"\n")`.
    ///
    /// # Errors
    /// As [`read`](Self::read).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin5-{}", std::process::id()));
    /// # std::fs::write(&path, b"a\r\nb\rc\nlast")?;
    /// let mut f = aiofile::async_open_binary(&path, "rb").await?;
    /// assert_eq!(f.readline().await?, b"a\r\n");
    /// assert_eq!(f.readline().await?, b"b\rc\n");
    /// assert_eq!(f.readline().await?, b"last");
    /// assert_eq!(f.readline().await?, b"");
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn readline(&mut self) -> Result<Vec<u8>> {
        self.readline_with(None, b"\n").await
    }

    /// The next line ending with `newline` (included), of at most `limit` bytes: the
    /// bytes through the first `newline`, or the first `limit` bytes if that comes first,
    /// or the rest of the file. The position moves exactly past the bytes returned, so
    /// nothing is lost (the reference crossed line ends and skipped data with a limit, and
    /// split on `"\n"` whatever `newline` was: behaviour notes §10.1-2). `Some(0)` returns
    /// nothing without reading. `newline` may be any non-empty byte string.
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for an empty `newline`; as
    /// [`read`](Self::read).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin6-{}", std::process::id()));
    /// # std::fs::write(&path, b"ab\ncd\nef")?;
    /// let mut f = aiofile::async_open_binary(&path, "rb").await?;
    /// assert_eq!(f.readline_with(Some(2), b"\n").await?, b"ab");
    /// assert_eq!(f.tell(), 2);
    /// assert_eq!(f.readline_with(Some(5), b"\n").await?, b"\n");
    /// assert_eq!(f.readline_with(None, b"d").await?, b"cd");
    /// assert_eq!(f.read_to_end().await?, b"\nef");
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn readline_with(&mut self, limit: Option<usize>, newline: &[u8]) -> Result<Vec<u8>> {
        self.base.check()?;
        let n = self
            .base
            .scan_line(newline, limit.unwrap_or(usize::MAX))
            .await?;
        Ok(self.base.take(n))
    }

    /// Moves the position (past the end of file is allowed: a write there leaves a hole);
    /// returns the new position. `SeekFrom::End` asks the file's current length.
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a position below 0 or past
    /// `u64::MAX`; [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// use std::io::SeekFrom;
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin7-{}", std::process::id()));
    /// # std::fs::write(&path, b"0123456789")?;
    /// let mut f = aiofile::async_open_binary(&path, "rb").await?;
    /// assert_eq!(f.seek(SeekFrom::End(-3)).await?, 7);
    /// assert_eq!(f.seek(SeekFrom::Current(-2)).await?, 5);
    /// assert_eq!(f.read(1).await?, b"5");
    /// assert!(f.seek(SeekFrom::Current(-100)).await.is_err());
    /// assert_eq!(f.tell(), 6);
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn seek(&mut self, to: SeekFrom) -> Result<u64> {
        self.base.seek(to).await
    }

    /// The position: a byte offset.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin8-{}", std::process::id()));
    /// let mut f = aiofile::async_open_binary(&path, "wb").await?;
    /// f.write(b"xyz").await?;
    /// assert_eq!(f.tell(), 3);
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn tell(&self) -> u64 {
        self.base.tell()
    }

    /// Syncs the file to the device: data only (`fdatasync`), or data and metadata
    /// (`fsync`) with `sync_metadata`.
    ///
    /// # Errors
    /// The OS error; [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin9-{}", std::process::id()));
    /// let mut f = aiofile::async_open_binary(&path, "wb").await?;
    /// f.write(b"durable").await?;
    /// f.flush(true).await?;
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn flush(&mut self, sync_metadata: bool) -> Result<()> {
        self.base.flush(sync_metadata).await
    }

    /// Closes this wrapper; the file itself closes with the last open clone (see
    /// [`AioFile::close`] for the sync). Closing twice is fine; other operations then fail
    /// with [`Error::Closed`](crate::Error::Closed).
    ///
    /// # Errors
    /// The sync's error when this closes the file.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin10-{}", std::process::id()));
    /// let mut f = aiofile::async_open_binary(&path, "wb").await?;
    /// let mut g = f.clone();
    /// f.close().await?;
    /// assert!(f.is_closed() && !g.file().is_closed());
    /// g.write(b"still open").await?;
    /// g.close().await?;
    /// assert!(g.file().is_closed());
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn close(&mut self) -> Result<()> {
        self.base.close().await
    }

    /// Whether [`close`](Self::close) was called on this wrapper.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin11-{}", std::process::id()));
    /// let mut f = aiofile::async_open_binary(&path, "wb").await?;
    /// assert!(!f.is_closed());
    /// f.close().await?;
    /// assert!(f.is_closed());
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn is_closed(&self) -> bool {
        self.base.is_closed()
    }

    /// The lines from the position on, each ending with `b"\n"` (see
    /// [`lines_with`](Self::lines_with)).
    ///
    /// # Errors
    /// [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin12-{}", std::process::id()));
    /// # std::fs::write(&path, b"one\ntwo\nthree")?;
    /// let mut f = aiofile::async_open_binary(&path, "rb").await?;
    /// f.readline().await?;
    /// let mut lines = f.lines()?;
    /// assert_eq!(lines.next().await.transpose()?, Some(b"two\n".to_vec()));
    /// drop(lines);
    /// assert_eq!(f.tell(), 8);
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn lines(&mut self) -> Result<Lines<'_>> {
        self.lines_with(b"\n")
    }

    /// A stream of the lines ending with `separator` (1 to 16 bytes), starting at the
    /// position and moving it past each line as it is yielded, so that after the stream is
    /// dropped the wrapper continues right after the last line seen (the reference always
    /// started at 0 and never moved the position, behaviour notes §10.3). It borrows the
    /// wrapper mutably while it lives. Lines are as [`LineReader`]'s.
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a bad separator;
    /// [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin13-{}", std::process::id()));
    /// # std::fs::write(&path, b"a;b;c")?;
    /// let mut f = aiofile::async_open_binary(&path, "rb").await?;
    /// let mut all = Vec::new();
    /// let mut lines = f.lines_with(b";")?;
    /// while let Some(line) = lines.next().await {
    ///     all.push(line?);
    /// }
    /// assert_eq!(all, [&b"a;"[..], b"b;", b"c"]);
    /// assert_eq!(f.tell(), 5);
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn lines_with(&mut self, separator: &[u8]) -> Result<Lines<'_>> {
        let (file, pos) = self.base.start_stream()?;
        let reader = LineReader::new(file, *pos, LineReader::DEFAULT_CHUNK, separator)?;
        Ok(Lines::new(pos, reader))
    }

    /// A stream of chunks of up to `chunk_size` bytes from the position, moving it past
    /// each chunk as it is yielded (the reference never moved it, behaviour notes §10.4).
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a chunk size of 0;
    /// [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-bin14-{}", std::process::id()));
    /// # std::fs::write(&path, b"0123456789")?;
    /// let mut f = aiofile::async_open_binary(&path, "rb").await?;
    /// let mut chunks = f.iter_chunked(4)?;
    /// assert_eq!(chunks.next().await.transpose()?, Some(b"0123".to_vec()));
    /// drop(chunks);
    /// assert_eq!(f.read(2).await?, b"45");
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn iter_chunked(&mut self, chunk_size: usize) -> Result<Chunks<'_>> {
        let (file, pos) = self.base.start_stream()?;
        let reader = Reader::new(file, *pos, chunk_size)?;
        Ok(Chunks::new(pos, reader))
    }
}
