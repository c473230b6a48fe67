//! [`LineReader`]: a file as a stream of byte lines with any separator.
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use aiofile_core::lines::{ChunkSplitter, Span};
use futures_core::Stream;

use super::{finished, Phase, Reader};
use crate::error::{Error, Result};
use crate::file::AioFile;

/// Reads a file line by line from an offset: the reference's `LineReader`, with any
/// separator and results that do not depend on the chunk size.
///
/// A line ends right after the first separator found scanning left to right and
/// includes it; the bytes after the last separator are a final line without one; an empty
/// file has no lines (the same lines as [`slice::split_inclusive`] would give on the whole
/// file). The separator is 1 to 16 arbitrary bytes (`"\n"`, `"\r\n"`, `"||"`, the UTF-8
/// of `"→"`, ...) and is found even when a chunk boundary cuts it. Lines of any length are
/// returned whole.
///
/// Three ways to take a line, all on the same code path:
/// - [`next_line`](LineReader::next_line): borrowed, valid until the next call. No copy
///   for a line inside one chunk (most lines); a line cut by a chunk boundary is
///   assembled in a buffer the reader reuses. Allocates nothing in steady state.
/// - [`readline_into`](LineReader::readline_into): appended to the caller's `Vec`
///   (one copy, no allocation once the `Vec` is large enough).
/// - [`readline`](LineReader::readline) and the [`Stream`]: a new `Vec<u8>` per line.
///
/// The chunk size (default [`DEFAULT_CHUNK`](LineReader::DEFAULT_CHUNK), 4192 bytes, as in
/// the reference) only decides how many bytes each read asks for: about
/// `file size / chunk size` reads in all, never one per line. For throughput over a big
/// file pick 64 KiB or more: each read is an asynchronous operation, whose fixed cost a
/// bigger chunk spreads over more lines.
///
/// Cancel-safety, errors and the end of the stream: see the
/// [module docs](crate::streams#shared-rules); closing the file is noticed at the next
/// read (the lines of the chunk in hand may still come out). Use
/// [`TextLineReader`](crate::TextLineReader) for `String` lines.
///
/// ```
/// # aiofile::doc_block_on(async {
/// use aiofile::{AioFile, LineReader};
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-lines-{}", std::process::id()));
/// let file = AioFile::open(&path, "w+b").await?;
/// file.write(b"ab||cd||ef", 0).await?;
/// for chunk in 1..=8 {
///     let mut lines = LineReader::new(&file, 0, chunk, b"||")?;
///     let mut got = Vec::new();
///     while let Some(line) = lines.readline().await? {
///         got.push(line);
///     }
///     assert_eq!(got, [&b"ab||"[..], b"cd||", b"ef"]);
/// }
/// # file.close().await?; std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
pub struct LineReader {
    reader: Reader,
    splitter: ChunkSplitter,
    /// Offset just after the last line returned.
    position: u64,
    phase: Phase,
}

impl std::fmt::Debug for LineReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineReader")
            .field("file", self.reader.file())
            .field("separator", &self.splitter.separator())
            .field("position", &self.position)
            .field("phase", &self.phase)
            .finish()
    }
}

impl LineReader {
    /// The reference's default chunk size, in bytes.
    pub const DEFAULT_CHUNK: usize = 4192;

    /// A reader of the lines ending with `separator`, from `offset` (which may be in the
    /// middle of a line: the first line is then its rest), reading `chunk_size` bytes at a
    /// time.
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a chunk size of 0 or a separator that is empty or longer
    /// than 16 bytes; [`Error::NotOpened`](crate::Error::NotOpened), [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-lines0-{}", std::process::id()));
    /// let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// file.write(b"line1\nline2\nline3", 0).await?;
    /// let mut lines = aiofile::LineReader::new(&file, 3, 4192, b"\n")?;
    /// assert_eq!(lines.readline().await?, Some(b"e1\n".to_vec()));
    /// assert!(aiofile::LineReader::new(&file, 0, 4192, b"").is_err());
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn new(file: &AioFile, offset: u64, chunk_size: usize, separator: &[u8]) -> Result<Self> {
        let splitter = ChunkSplitter::new(separator).map_err(aiofile_core::Error::from)?;
        Ok(Self {
            reader: Reader::new(file, offset, chunk_size)?,
            splitter,
            position: offset,
            phase: Phase::Reading,
        })
    }

    /// Offset just after the last line returned (the start offset before the first).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-lines1-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// file.write(b"a;bb;c", 0).await?;
    /// let mut lines = aiofile::LineReader::new(&file, 0, 64, b";")?;
    /// lines.readline().await?;
    /// lines.readline().await?;
    /// assert_eq!(lines.position(), 5);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The separator.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-lines2-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "wb").await?;
    /// let lines = aiofile::LineReader::new(&file, 0, 16, b"\r\n")?;
    /// assert_eq!(lines.separator(), b"\r\n");
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn separator(&self) -> &[u8] {
        self.splitter.separator()
    }

    /// The next line, separator included, or `None` at end of file (and forever after).
    ///
    /// # Errors
    /// The OS error of a read; [`Error::Closed`](crate::Error::Closed) once the file is closed; see the
    /// [module docs](crate::streams#shared-rules) for calls after an error.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-lines3-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// file.write(b"ab\r\ncd\nef\r\ngh", 0).await?;
    /// let mut lines = aiofile::LineReader::new(&file, 0, 3, b"\r\n")?;
    /// assert_eq!(lines.readline().await?, Some(b"ab\r\n".to_vec()));
    /// assert_eq!(lines.readline().await?, Some(b"cd\nef\r\n".to_vec()));
    /// assert_eq!(lines.readline().await?, Some(b"gh".to_vec()));
    /// assert_eq!(lines.readline().await?, None);
    /// assert_eq!(lines.readline().await?, None);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn readline(&mut self) -> Result<Option<Vec<u8>>> {
        poll_fn(|cx| self.poll_readline(cx)).await
    }

    /// The stream's next item: `readline` as an `Option<Result<_>>` (the error once, then
    /// the end). The same as `StreamExt::next`, without the import.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-lines4-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// file.write(b"x\ny\n", 0).await?;
    /// let mut lines = aiofile::LineReader::new(&file, 0, 4192, b"\n")?;
    /// let mut n = 0;
    /// while let Some(line) = lines.next().await {
    ///     line?;
    ///     n += 1;
    /// }
    /// assert_eq!(n, 2);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn next(&mut self) -> Option<Result<Vec<u8>>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The next line, borrowed until the next call, separator included, or `None` at
    /// end of file (and forever after). No copy for a line inside one chunk; nothing
    /// allocated in steady state.
    ///
    /// # Errors
    /// As [`readline`](LineReader::readline).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-lines5-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// file.write(b"a\nbb\nccc", 0).await?;
    /// let mut lines = aiofile::LineReader::new(&file, 0, 65536, b"\n")?;
    /// let mut lengths = Vec::new();
    /// while let Some(line) = lines.next_line().await? {
    ///     lengths.push(line.len());
    /// }
    /// assert_eq!(lengths, [2, 3, 3]);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    #[inline]
    pub async fn next_line(&mut self) -> Result<Option<&[u8]>> {
        let span = poll_fn(|cx| self.poll_span(cx)).await?;
        Ok(span.map(|span| self.line(span)))
    }

    /// Appends the next line, separator included, to `buf` and returns its length, or
    /// `None` at end of file (and forever after). Like `BufRead::read_until`, the
    /// caller clears `buf` when it wants only the new line.
    ///
    /// # Errors
    /// As [`readline`](LineReader::readline); `buf` is then unchanged.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-lines6-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// file.write(b"k=v\r\nx=y\r\n", 0).await?;
    /// let mut lines = aiofile::LineReader::new(&file, 0, 4, b"\r\n")?;
    /// let mut line = Vec::with_capacity(256);
    /// assert_eq!(lines.readline_into(&mut line).await?, Some(5));
    /// assert_eq!(line, b"k=v\r\n");
    /// line.clear();
    /// lines.readline_into(&mut line).await?;
    /// assert_eq!(line, b"x=y\r\n");
    /// assert_eq!(lines.readline_into(&mut line).await?, None);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn readline_into(&mut self, buf: &mut Vec<u8>) -> Result<Option<usize>> {
        let line = self.next_line().await?;
        Ok(line.map(|line| {
            buf.extend_from_slice(line);
            line.len()
        }))
    }

    /// Poll form of [`readline`](LineReader::readline).
    pub fn poll_readline(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Vec<u8>>>> {
        self.poll_next_line(cx)
            .map_ok(|line| line.map(<[u8]>::to_vec))
    }

    /// Poll form of [`next_line`](LineReader::next_line).
    pub fn poll_next_line(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<&[u8]>>> {
        let span = ready!(self.poll_span(cx))?;
        Poll::Ready(Ok(span.map(|span| self.line(span))))
    }

    /// Finds the next line, reading chunks as needed; tracks the position and the phase.
    #[inline]
    pub(crate) fn poll_span(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Span>>> {
        match self.phase {
            Phase::Reading => {}
            Phase::Finished => return Poll::Ready(Ok(None)),
            Phase::Failed if self.file().is_closed() => return Poll::Ready(Err(Error::Closed)),
            Phase::Failed => return Poll::Ready(Err(finished())),
        }
        let span = loop {
            if let Some(span) = self.splitter.poll_line(self.reader.chunk()) {
                break Some(span);
            }
            match ready!(self.reader.poll_fill(cx)) {
                Ok(true) => self.splitter.handle_chunk(),
                Ok(false) => break self.splitter.handle_eof(),
                Err(e) => {
                    self.phase = Phase::Failed;
                    return Poll::Ready(Err(e));
                }
            }
        };
        match &span {
            Some(span) => self.position += self.span_len(span) as u64,
            None => self.phase = Phase::Finished,
        }
        Poll::Ready(Ok(span))
    }

    #[inline]
    fn span_len(&self, span: &Span) -> usize {
        match span {
            Span::Chunk(range) => range.len(),
            Span::Carry => self.splitter.carry().len(),
        }
    }

    #[inline]
    pub(crate) fn line(&self, span: Span) -> &[u8] {
        match span {
            Span::Chunk(range) => &self.reader.chunk()[range],
            Span::Carry => self.splitter.carry(),
        }
    }

    /// The file read.
    pub(crate) fn file(&self) -> &AioFile {
        self.reader.file()
    }
}

impl Stream for LineReader {
    type Item = Result<Vec<u8>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.phase.is_over() {
            return Poll::Ready(None);
        }
        this.poll_readline(cx).map(Result::transpose)
    }
}
