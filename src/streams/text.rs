//! [`TextReader`] and [`TextLineReader`]: the text forms of [`Reader`] and [`LineReader`].
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use aiofile_core::utf8::Utf8Decoder;
use futures_core::Stream;

use super::{LineReader, Phase, Reader};
use crate::error::{Error, Result};
use crate::file::AioFile;
use crate::text::{decode_error, into_string};

/// Reads a file as UTF-8 text in chunks: the reference's `Reader` on a text-mode file.
///
/// The chunk size is in bytes, as in the reference. A character cut by a chunk boundary
/// is carried by the core's incremental decoder and returned whole with the next chunk,
/// so a chunk's text may be up to 3 bytes shorter or longer than the chunk size; a read
/// that completes no character yields nothing and the next one is made. Nothing is ever
/// re-read (the reference re-read each chunk with one more byte, up to 4 times, and
/// failed on a chunk starting inside a character).
///
/// Errors: [`Error::Decode`](crate::Error::Decode) with the absolute offset of the first
/// byte that does not start a valid character (also when the file ends inside a
/// character, or the start offset is inside one). The text before it is returned first.
/// Cancel-safety and the end of the stream: see the
/// [module docs](crate::streams#shared-rules).
///
/// ```
/// # aiofile::doc_block_on(async {
/// use aiofile::{AioFile, TextReader};
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-tr-{}", std::process::id()));
/// let file = AioFile::open(&path, "w+").await?;
/// file.write_text("한글abc💾", 0).await?;
/// let mut reader = TextReader::new(&file, 0, 1)?;
/// let mut chunks = Vec::new();
/// while let Some(chunk) = reader.read_chunk().await? {
///     chunks.push(chunk);
/// }
/// assert_eq!(chunks, ["한", "글", "a", "b", "c", "💾"]);
/// assert_eq!(reader.position(), 13);
/// # file.close().await?; std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct TextReader {
    reader: Reader,
    decoder: Utf8Decoder,
    phase: Phase,
}

impl TextReader {
    /// A reader of `chunk_size`-byte chunks of text from `offset`.
    ///
    /// # Errors
    /// As [`Reader::new`].
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-tr0-{}", std::process::id()));
    /// let file = aiofile::AioFile::open(&path, "w").await?;
    /// assert!(aiofile::TextReader::new(&file, 0, 0).is_err());
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn new(file: &AioFile, offset: u64, chunk_size: usize) -> Result<Self> {
        Ok(Self {
            reader: Reader::new(file, offset, chunk_size)?,
            decoder: Utf8Decoder::new(offset),
            phase: Phase::Reading,
        })
    }

    /// Offset just after the last character handed out.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-tr1-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+").await?;
    /// file.write_text("é!", 0).await?;
    /// let mut reader = aiofile::TextReader::new(&file, 0, 1)?;
    /// assert_eq!(reader.read_chunk().await?.as_deref(), Some("é"));
    /// assert_eq!(reader.position(), 2);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn position(&self) -> u64 {
        self.decoder.position()
    }

    /// The next chunk of text (never empty), or `None` at end of file (and forever after).
    ///
    /// # Errors
    /// [`Error::Decode`](crate::Error::Decode), the OS error, [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-tr2-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// file.write(b"ok\xff", 0).await?;
    /// let mut reader = aiofile::TextReader::new(&file, 0, 64)?;
    /// assert_eq!(reader.read_chunk().await?.as_deref(), Some("ok"));
    /// assert!(matches!(reader.read_chunk().await, Err(aiofile::Error::Decode { offset: 2 })));
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn read_chunk(&mut self) -> Result<Option<String>> {
        poll_fn(|cx| self.poll_read_chunk(cx)).await
    }

    /// The stream's next item (the error once, then the end), without the import of
    /// `StreamExt`.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-tr3-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+").await?;
    /// file.write_text("text", 0).await?;
    /// let mut reader = aiofile::TextReader::new(&file, 0, 4096)?;
    /// assert_eq!(reader.next().await.transpose()?.as_deref(), Some("text"));
    /// assert!(reader.next().await.is_none());
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn next(&mut self) -> Option<Result<String>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Poll form of [`read_chunk`](TextReader::read_chunk).
    pub fn poll_read_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<String>>> {
        let res = match self.phase.gate(self.reader.file()) {
            Some(res) => res,
            None => ready!(self.poll_text(cx)),
        };
        Poll::Ready(self.phase.track(res))
    }

    fn poll_text(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<String>>> {
        loop {
            if let Some(e) = self.decoder.error() {
                return Poll::Ready(Err(decode_error(e)));
            }
            if !ready!(self.reader.poll_fill(cx))? {
                self.decoder.finish().map_err(decode_error)?;
                return Poll::Ready(Ok(None));
            }
            let text = self
                .decoder
                .decode(self.reader.chunk())
                .map_err(decode_error)?;
            if !text.is_empty() {
                return Poll::Ready(Ok(Some(text.pieces().concat())));
            }
        }
    }
}

impl Stream for TextReader {
    type Item = Result<String>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.phase.is_over() {
            return Poll::Ready(None);
        }
        this.poll_read_chunk(cx).map(Result::transpose)
    }
}

/// Reads a file as UTF-8 lines: [`LineReader`] with `String` lines and a `&str`
/// separator (included in the lines).
///
/// The lines are exactly [`LineReader`]'s, decoded one by one: a valid UTF-8 separator
/// can only match on character boundaries of valid text, so splitting first never cuts a
/// character. Chunk boundaries do not matter either. No newline translation: with the
/// default `"\n"`, a `"\r\n"` line keeps its `'\r'`.
///
/// Errors: a line that is not UTF-8 gives [`Error::Decode`](crate::Error::Decode) with
/// the absolute offset of its first bad byte, and ends the stream. Cancel-safety: see
/// the [module docs](crate::streams#shared-rules).
///
/// ```
/// # aiofile::doc_block_on(async {
/// use aiofile::{AioFile, TextLineReader};
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-tlr-{}", std::process::id()));
/// let file = AioFile::open(&path, "w+").await?;
/// file.write_text("α→β→γ", 0).await?;
/// let mut lines = TextLineReader::new(&file, 0, 3, "→")?;
/// let mut got = Vec::new();
/// while let Some(line) = lines.readline().await? {
///     got.push(line);
/// }
/// assert_eq!(got, ["α→", "β→", "γ"]);
/// # file.close().await?; std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct TextLineReader {
    lines: LineReader,
    position: u64,
    phase: Phase,
}

impl TextLineReader {
    /// The reference's default chunk size, in bytes.
    pub const DEFAULT_CHUNK: usize = LineReader::DEFAULT_CHUNK;

    /// A reader of the lines ending with `separator` from `offset`, reading `chunk_size`
    /// bytes at a time.
    ///
    /// # Errors
    /// As [`LineReader::new`].
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-tlr0-{}", std::process::id()));
    /// let file = aiofile::AioFile::open(&path, "w+").await?;
    /// file.write_text("a\r\nb\rc\n", 0).await?;
    /// let mut lines = aiofile::TextLineReader::new(&file, 0, 4192, "\n")?;
    /// assert_eq!(lines.readline().await?.as_deref(), Some("a\r\n"));
    /// assert_eq!(lines.readline().await?.as_deref(), Some("b\rc\n"));
    /// assert_eq!(lines.readline().await?, None);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn new(file: &AioFile, offset: u64, chunk_size: usize, separator: &str) -> Result<Self> {
        Ok(Self {
            lines: LineReader::new(file, offset, chunk_size, separator.as_bytes())?,
            position: offset,
            phase: Phase::Reading,
        })
    }

    /// Offset just after the last line returned.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-tlr1-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+").await?;
    /// file.write_text("é\nx", 0).await?;
    /// let mut lines = aiofile::TextLineReader::new(&file, 0, 4192, "\n")?;
    /// lines.readline().await?;
    /// assert_eq!(lines.position(), 3);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The next line, separator included, or `None` at end of file (and forever after).
    ///
    /// # Errors
    /// [`Error::Decode`](crate::Error::Decode), the OS error,
    /// [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-tlr2-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// file.write(b"fine\nbad \xff\n", 0).await?;
    /// let mut lines = aiofile::TextLineReader::new(&file, 0, 4192, "\n")?;
    /// assert_eq!(lines.readline().await?.as_deref(), Some("fine\n"));
    /// assert!(matches!(lines.readline().await, Err(aiofile::Error::Decode { offset: 9 })));
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn readline(&mut self) -> Result<Option<String>> {
        poll_fn(|cx| self.poll_readline(cx)).await
    }

    /// The stream's next item (the error once, then the end), without the import of
    /// `StreamExt`.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-tlr3-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+").await?;
    /// file.write_text("1;2", 0).await?;
    /// let mut lines = aiofile::TextLineReader::new(&file, 0, 1, ";")?;
    /// assert_eq!(lines.next().await.transpose()?.as_deref(), Some("1;"));
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn next(&mut self) -> Option<Result<String>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The next line borrowed from the reader (valid until the next call), separator
    /// included, or `None` at end of file: [`readline`](TextLineReader::readline)
    /// without the `String`. No allocation in steady state (see
    /// [`LineReader::next_line`]); each line is validated once with
    /// [`core::str::from_utf8`].
    ///
    /// # Errors
    /// As [`readline`](TextLineReader::readline).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-tlr4-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// file.write("añ→\nb\nbad \u{0}".as_bytes(), 0).await?;
    /// file.write(b"\xff", 13).await?; // "bad \xff": not UTF-8
    /// let mut lines = aiofile::TextLineReader::new(&file, 0, 3, "\n")?;
    /// let mut chars = Vec::new();
    /// let err = loop {
    ///     match lines.next_line().await {
    ///         Ok(Some(line)) => chars.push(line.chars().count()),
    ///         Ok(None) => unreachable!("the last line is not UTF-8"),
    ///         Err(e) => break e,
    ///     }
    /// };
    /// assert_eq!(chars, [4, 2]); // "añ→\n", "b\n": characters cut by a chunk are whole
    /// assert!(matches!(err, aiofile::Error::Decode { offset: 13 }));
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn next_line(&mut self) -> Result<Option<&str>> {
        if let Some(res) = self.phase.gate(self.lines.file()) {
            return self.phase.track(res);
        }
        let span = match poll_fn(|cx| self.lines.poll_span(cx)).await {
            Ok(Some(span)) => span,
            other => return self.phase.track(other.map(|_| None)),
        };
        match core::str::from_utf8(self.lines.line(span)) {
            Ok(text) => {
                self.position += text.len() as u64;
                Ok(Some(text))
            }
            Err(e) => {
                self.phase = Phase::Failed;
                Err(Error::Decode {
                    offset: self.position + e.valid_up_to() as u64,
                })
            }
        }
    }

    /// Poll form of [`readline`](TextLineReader::readline).
    pub fn poll_readline(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<String>>> {
        let res = match self.phase.gate(self.lines.file()) {
            Some(res) => res,
            None => match ready!(self.lines.poll_readline(cx)) {
                Ok(Some(line)) => into_string(line, self.position).map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            },
        };
        if let Ok(Some(line)) = &res {
            self.position += line.len() as u64;
        }
        Poll::Ready(self.phase.track(res))
    }
}

impl Stream for TextLineReader {
    type Item = Result<String>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.phase.is_over() {
            return Poll::Ready(None);
        }
        this.poll_readline(cx).map(Result::transpose)
    }
}
