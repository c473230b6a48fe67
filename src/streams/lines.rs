//! [`LineReader`]: a file as a stream of byte lines with any separator.
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use aiofile_core::LineSplitter;
use futures_core::Stream;

use super::{Phase, Reader};
use crate::error::Result;
use crate::file::AioFile;

/// Bytes the line splitter buffers; longer lines arrive in pieces that are joined here.
const SPLIT_BUF: usize = 8192;

/// Reads a file line by line from an offset: the reference's `LineReader`, with any
/// separator and results that do not depend on the chunk size.
///
/// A line ends right after the first separator found scanning left to right and
/// includes it; the bytes after the last separator are a final line without one; an empty
/// file has no lines (the same lines as [`slice::split_inclusive`] would give on the whole
/// file). The separator is 1 to 16 arbitrary bytes (`"\n"`, `"\r\n"`, `"||"`, the UTF-8
/// of `"→"`, ...) and is found even when a chunk boundary cuts it. Lines of any length are
/// returned whole: the core's `LineSplitter` hands over-long lines out in pieces, which are
/// joined before the line is returned.
///
/// The chunk size (default [`DEFAULT_CHUNK`](LineReader::DEFAULT_CHUNK), 4192 bytes, as in
/// the reference) only decides how many bytes each read asks for: about
/// `file size / chunk size` reads in all, never one per line.
///
/// Cancel-safety, errors and the end of the stream: see the
/// [module docs](crate::streams#shared-rules). Use [`TextLineReader`](crate::TextLineReader)
/// for `String` lines.
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
    splitter: Box<LineSplitter<SPLIT_BUF>>,
    /// Bytes of `reader.chunk()` already given to the splitter.
    fed: usize,
    /// Pieces of the current over-long line.
    line: Vec<u8>,
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
        let splitter = LineSplitter::new(separator).map_err(aiofile_core::Error::from)?;
        Ok(Self {
            reader: Reader::new(file, offset, chunk_size)?,
            splitter: Box::new(splitter),
            fed: 0,
            line: Vec::new(),
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

    /// Poll form of [`readline`](LineReader::readline).
    pub fn poll_readline(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Vec<u8>>>> {
        let res = match self.phase.gate(self.reader.file()) {
            Some(res) => res,
            None => ready!(self.poll_line(cx)),
        };
        if let Ok(Some(line)) = &res {
            self.position += line.len() as u64;
        }
        Poll::Ready(self.phase.track(res))
    }

    /// Feeds chunks to the splitter until a whole line (or the end) comes out.
    fn poll_line(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Vec<u8>>>> {
        loop {
            if let Some(line) = self.drain() {
                return Poll::Ready(Ok(Some(line)));
            }
            if self.splitter.is_eof() {
                return Poll::Ready(Ok(None));
            }
            let chunk = self.reader.chunk();
            if self.fed < chunk.len() {
                self.fed += self.splitter.handle_input(&chunk[self.fed..]);
            } else if ready!(self.reader.poll_fill(cx))? {
                self.fed = 0;
            } else {
                self.splitter.handle_eof();
            }
        }
    }

    /// The next whole line out of the splitter, joining `Partial` pieces.
    fn drain(&mut self) -> Option<Vec<u8>> {
        while let Some(piece) = self.splitter.poll_line() {
            self.line.extend_from_slice(piece.bytes());
            if piece.end().is_complete() {
                return Some(std::mem::take(&mut self.line));
            }
        }
        None
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
