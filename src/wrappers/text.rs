//! [`TextFileWrapper`]: a file with a position, read and written as UTF-8 text.
use std::io::SeekFrom;
use std::path::Path;

use aiofile_core::utf8::Utf8Decoder;

use super::advance::{TextChunks, TextLines};
use super::base::Base;
use crate::error::Result;
use crate::file::AioFile;
use crate::options::OpenOptions;
use crate::streams::{TextLineReader, TextReader};
use crate::text::{decode_error, into_string};

/// Longest UTF-8 encoding of one character, in bytes.
const MAX_CHAR: usize = 4;

/// A UTF-8 text file with a position, like a Python file opened with `"r"`, `"w+"`,
/// `"a"`... (the reference's `TextFileWrapper`), from
/// [`async_open_text`](crate::async_open_text) or [`async_open`](crate::async_open).
///
/// Everything [`BinaryFileWrapper`](crate::BinaryFileWrapper) says about the position,
/// the read-ahead, append mode, clones and closing holds here too. In addition:
///
/// - Counts given to reads are in **characters**, while [`tell`](Self::tell) and
///   [`seek`](Self::seek) use **byte** offsets, and [`write`](Self::write) returns bytes
///   (as the reference, behaviour notes §10.12).
/// - Decoding uses the core's incremental UTF-8 decoder over the read-ahead bytes: a
///   character is never cut by a read boundary. Invalid bytes, a position inside a
///   character (after a seek) or a character cut by the end of the file give
///   [`Error::Decode`](crate::Error::Decode) with the absolute byte offset, and the
///   position does not move.
/// - No newline translation: `"\r\n"` and `"\r"` come back as they are.
///
/// ```
/// # aiofile::doc_block_on(async {
/// use std::io::SeekFrom;
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt-{}", std::process::id()));
/// let mut f = aiofile::async_open_text(&path, "w+").await?;
/// assert_eq!(f.write("한글abc💾").await?, 13);
/// f.seek(SeekFrom::Start(0)).await?;
/// let mut seen = Vec::new();
/// loop {
///     let c = f.read(1).await?;
///     if c.is_empty() {
///         break;
///     }
///     seen.push((c, f.tell()));
/// }
/// assert_eq!(seen[0], ("한".to_string(), 3));
/// assert_eq!(seen[5], ("💾".to_string(), 13));
/// f.close().await?;
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct TextFileWrapper {
    base: Base,
}

impl TextFileWrapper {
    /// Wraps `file` (opening it if it is not open yet).
    ///
    /// # Errors
    /// [`Error::WrongMode`](crate::Error::WrongMode) when the mode has a `b`; the open's
    /// error.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// use aiofile::{AioFile, OpenOptions, TextFileWrapper};
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt0-{}", std::process::id()));
    /// let binary = AioFile::new(&path, "wb", OpenOptions::new())?;
    /// assert!(matches!(TextFileWrapper::new(binary).await, Err(aiofile::Error::WrongMode { .. })));
    /// let mut f = TextFileWrapper::new(AioFile::new(&path, "w", OpenOptions::new())?).await?;
    /// f.write("ok").await?;
    /// f.close().await?;
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn new(file: AioFile) -> Result<Self> {
        Ok(Self {
            base: Base::open(file, false).await?,
        })
    }

    /// Opens `path` with a text `mode` and [`OpenOptions`].
    pub(crate) async fn open(path: &Path, mode: &str, options: OpenOptions) -> Result<Self> {
        Self::new(AioFile::new(path, mode, options)?).await
    }

    /// The positional file underneath (its mode, path, descriptor, ...).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt1-{}", std::process::id()));
    /// let f = aiofile::async_open_text(&path, "w").await?;
    /// assert!(!f.file().mode().binary);
    /// # drop(f); std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn file(&self) -> &AioFile {
        self.base.file()
    }

    /// Reads up to `n` **characters** at the position (fewer only at end of file) and
    /// moves the position past their bytes. `n == 0` reads nothing.
    ///
    /// # Errors
    /// [`Error::Decode`](crate::Error::Decode) (the position does not move), the OS error,
    /// [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt2-{}", std::process::id()));
    /// # std::fs::write(&path, "aé💾z")?;
    /// let mut f = aiofile::async_open_text(&path, "r").await?;
    /// assert_eq!(f.read(3).await?, "aé💾");
    /// assert_eq!(f.tell(), 7);
    /// assert_eq!(f.read(10).await?, "z");
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn read(&mut self, n: usize) -> Result<String> {
        self.base.check()?;
        let start = self.base.tell();
        let mut dec = Utf8Decoder::new(start);
        let (mut out, mut chars, mut fed, mut eof) = (String::new(), 0, 0, false);
        while chars < n {
            if fed < self.base.ahead().len() {
                let d = dec
                    .decode_chars(&self.base.ahead()[fed..], n - chars)
                    .map_err(decode_error)?;
                out.extend(d.pieces());
                (chars, fed) = (chars + d.chars(), fed + d.consumed());
                match dec.error() {
                    Some(e) if chars < n => return Err(decode_error(e)),
                    _ => continue,
                }
            }
            if eof {
                dec.finish().map_err(decode_error)?;
                break;
            }
            let hint = (n != usize::MAX).then(|| (n - chars).saturating_mul(MAX_CHAR));
            eof = self.base.read_more(self.base.step(hint)).await?;
        }
        self.base.consume((dec.position() - start) as usize);
        Ok(out)
    }

    /// Reads from the position to the end of the file.
    ///
    /// # Errors
    /// As [`read`](Self::read).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt3-{}", std::process::id()));
    /// # std::fs::write(&path, "line1\nline2")?;
    /// let mut f = aiofile::async_open_text(&path, "r").await?;
    /// f.readline().await?;
    /// assert_eq!(f.read_to_end().await?, "line2");
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn read_to_end(&mut self) -> Result<String> {
        self.base.check()?;
        self.base.fill_to(usize::MAX).await?;
        let start = self.base.tell();
        if let Err(e) = std::str::from_utf8(self.base.ahead()) {
            return Err(crate::Error::Decode {
                offset: start + e.valid_up_to() as u64,
            });
        }
        into_string(self.base.take(self.base.ahead().len()), start)
    }

    /// Writes the UTF-8 bytes of `text` at the position (at the end of file in append
    /// mode); returns the number of **bytes** written. The position moves only if the
    /// write succeeds.
    ///
    /// # Errors
    /// The OS error, [`Error::WriteZero`](crate::Error::WriteZero),
    /// [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt4-{}", std::process::id()));
    /// let mut f = aiofile::async_open_text(&path, "w").await?;
    /// assert_eq!(f.write("한글").await?, 6);
    /// assert_eq!(f.tell(), 6);
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn write(&mut self, text: &str) -> Result<usize> {
        self.base.write(text.as_bytes()).await
    }

    /// The next line: the text through the next `"\n"`, or to the end of file; empty at
    /// end of file. The same as `readline_with(None, "\n")`.
    ///
    /// # Errors
    /// As [`read`](Self::read).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt5-{}", std::process::id()));
    /// # std::fs::write(&path, "a\r\nb\rc\n")?;
    /// let mut f = aiofile::async_open_text(&path, "r").await?;
    /// assert_eq!(f.readline().await?, "a\r\n");
    /// assert_eq!(f.readline().await?, "b\rc\n");
    /// assert_eq!(f.readline().await?, "");
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn readline(&mut self) -> Result<String> {
        self.readline_with(None, "\n").await
    }

    /// The next line ending with `newline` (included), of at most `limit` **characters**:
    /// the text through the first `newline`, or the first `limit` characters if that comes
    /// first, or the rest of the file. The position moves exactly past the text returned
    /// (fixes behaviour notes §10.1-2). `Some(0)` returns nothing without reading.
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for an empty `newline`; as
    /// [`read`](Self::read).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt6-{}", std::process::id()));
    /// # std::fs::write(&path, "한글\nab;c")?;
    /// let mut f = aiofile::async_open_text(&path, "r").await?;
    /// assert_eq!(f.readline_with(Some(1), "\n").await?, "한");
    /// assert_eq!(f.tell(), 3);
    /// assert_eq!(f.readline_with(Some(9), "\n").await?, "글\n");
    /// assert_eq!(f.readline_with(None, ";").await?, "ab;");
    /// assert_eq!(f.readline_with(None, ";").await?, "c");
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn readline_with(&mut self, limit: Option<usize>, newline: &str) -> Result<String> {
        self.base.check()?;
        let max = limit.unwrap_or(usize::MAX);
        let n = self
            .base
            .scan_line(newline.as_bytes(), max.saturating_mul(MAX_CHAR))
            .await?;
        let start = self.base.tell();
        let mut dec = Utf8Decoder::new(start);
        let d = dec
            .decode_chars(&self.base.ahead()[..n], max)
            .map_err(decode_error)?;
        let (text, chars) = (d.pieces().concat(), d.chars());
        if chars < max {
            if let Some(e) = dec.error() {
                return Err(decode_error(e));
            }
            dec.finish().map_err(decode_error)?;
        }
        self.base.consume((dec.position() - start) as usize);
        Ok(text)
    }

    /// Moves the position, a **byte** offset (see
    /// [`BinaryFileWrapper::seek`](crate::BinaryFileWrapper::seek)); returns it. Seeking
    /// inside a character makes the next read fail with a decode error.
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a position below 0;
    /// [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// use std::io::SeekFrom;
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt7-{}", std::process::id()));
    /// # std::fs::write(&path, "한글")?;
    /// let mut f = aiofile::async_open_text(&path, "r").await?;
    /// f.seek(SeekFrom::Start(1)).await?;
    /// assert!(matches!(f.read(1).await, Err(aiofile::Error::Decode { offset: 1 })));
    /// f.seek(SeekFrom::End(-3)).await?;
    /// assert_eq!(f.read(1).await?, "글");
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn seek(&mut self, to: SeekFrom) -> Result<u64> {
        self.base.seek(to).await
    }

    /// The position: a **byte** offset.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt8-{}", std::process::id()));
    /// let mut f = aiofile::async_open_text(&path, "w").await?;
    /// f.write("é").await?;
    /// assert_eq!(f.tell(), 2);
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn tell(&self) -> u64 {
        self.base.tell()
    }

    /// Syncs the file: `fdatasync`, or `fsync` with `sync_metadata`.
    ///
    /// # Errors
    /// The OS error; [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt9-{}", std::process::id()));
    /// let mut f = aiofile::async_open_text(&path, "w").await?;
    /// f.write("durable").await?;
    /// f.flush(false).await?;
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn flush(&mut self, sync_metadata: bool) -> Result<()> {
        self.base.flush(sync_metadata).await
    }

    /// Closes this wrapper; the file closes with the last open clone (see
    /// [`BinaryFileWrapper::close`](crate::BinaryFileWrapper::close)).
    ///
    /// # Errors
    /// The sync's error when this closes the file.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt10-{}", std::process::id()));
    /// let mut f = aiofile::async_open_text(&path, "w").await?;
    /// f.close().await?;
    /// f.close().await?;
    /// assert!(matches!(f.write("x").await, Err(aiofile::Error::Closed)));
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
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt11-{}", std::process::id()));
    /// let f = aiofile::async_open_text(&path, "w").await?;
    /// assert!(!f.is_closed());
    /// # drop(f); std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn is_closed(&self) -> bool {
        self.base.is_closed()
    }

    /// The lines from the position on, each ending with `"\n"` (see
    /// [`lines_with`](Self::lines_with)).
    ///
    /// # Errors
    /// [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt12-{}", std::process::id()));
    /// # std::fs::write(&path, "α\nβ\n")?;
    /// let mut f = aiofile::async_open_text(&path, "r").await?;
    /// let mut lines = f.lines()?;
    /// assert_eq!(lines.next().await.transpose()?.as_deref(), Some("α\n"));
    /// drop(lines);
    /// assert_eq!(f.tell(), 3);
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn lines(&mut self) -> Result<TextLines<'_>> {
        self.lines_with("\n")
    }

    /// A stream of the lines ending with `separator` (1 to 16 bytes of UTF-8), starting at
    /// the position and moving it past each line as it is yielded (fixes behaviour notes
    /// §10.3). Lines are as [`TextLineReader`]'s.
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a bad separator;
    /// [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt13-{}", std::process::id()));
    /// # std::fs::write(&path, "a||b||c")?;
    /// let mut f = aiofile::async_open_text(&path, "r").await?;
    /// let mut lines = f.lines_with("||")?;
    /// let mut all = Vec::new();
    /// while let Some(line) = lines.next().await {
    ///     all.push(line?);
    /// }
    /// assert_eq!(all, ["a||", "b||", "c"]);
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn lines_with(&mut self, separator: &str) -> Result<TextLines<'_>> {
        let (file, pos) = self.base.start_stream()?;
        let reader = TextLineReader::new(file, *pos, TextLineReader::DEFAULT_CHUNK, separator)?;
        Ok(TextLines::new(pos, reader))
    }

    /// A stream of text chunks read `chunk_size` **bytes** at a time from the position (see
    /// [`TextReader`]), moving the position past each chunk as it is yielded (fixes
    /// behaviour notes §10.4).
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a chunk size of 0;
    /// [`Error::Closed`](crate::Error::Closed).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-txt14-{}", std::process::id()));
    /// # std::fs::write(&path, "한글abc")?;
    /// let mut f = aiofile::async_open_text(&path, "r").await?;
    /// let mut chunks = f.iter_chunked(2)?;
    /// assert_eq!(chunks.next().await.transpose()?.as_deref(), Some("한"));
    /// drop(chunks);
    /// assert_eq!(f.tell(), 3);
    /// assert_eq!(f.read_to_end().await?, "글abc");
    /// # f.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn iter_chunked(&mut self, chunk_size: usize) -> Result<TextChunks<'_>> {
        let (file, pos) = self.base.start_stream()?;
        let reader = TextReader::new(file, *pos, chunk_size)?;
        Ok(TextChunks::new(pos, reader))
    }
}
