//! UTF-8 text on [`AioFile`]: positional reads that never cut a character, `&str` writes.
//!
//! Only UTF-8 is supported (see [`OpenOptions::encoding`](crate::OpenOptions::encoding)).
//! These methods work whatever the mode says: the mode's `b` only decides which wrapper
//! [`async_open`](crate::async_open) returns.
use aiofile_core::utf8::{Utf8Decoder, Utf8Error};

use crate::error::{Error, Result};
use crate::file::AioFile;

/// Longest UTF-8 encoding of one character, in bytes.
const MAX_CHAR: usize = 4;

/// The facade error for a decoder error (its absolute offset is kept).
pub(crate) fn decode_error(e: Utf8Error) -> Error {
    Error::Decode { offset: e.offset }
}

/// `bytes`, which start at file offset `offset`, as a `String` (no copy), or the decode
/// error at the absolute offset of the first byte that does not start a valid character
/// (the same offset the core's decoder reports, however the bytes were chunked).
pub(crate) fn into_string(bytes: Vec<u8>, offset: u64) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| Error::Decode {
        offset: offset + e.utf8_error().valid_up_to() as u64,
    })
}

impl AioFile {
    /// Reads about `size` bytes at `offset` as UTF-8 text.
    ///
    /// Precisely: the bytes `offset .. offset + size` (fewer at end of file) are read and
    /// decoded; if they end inside a character, the read is extended by the 1 to 3 bytes
    /// that complete it, so the text may be up to 3 bytes longer than `size` and a
    /// character cut by the request boundary never fails (the reference failed, behaviour
    /// notes §10.11). Reading consecutive ranges `[o, o + size)` therefore returns each
    /// character once if each next offset is `o + text.len()`. `size == 0` reads nothing.
    ///
    /// # Errors
    /// [`Error::Decode`] with the absolute offset of the first byte that does not start a
    /// valid character: invalid bytes, an `offset` inside a character (the decoder cannot
    /// know the bytes before it), or a character cut by the end of the file. The OS error;
    /// [`Error::NotOpened`], [`Error::Closed`].
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-rt-{}", std::process::id()));
    /// let file = aiofile::AioFile::open(&path, "w+").await?;
    /// assert_eq!(file.write_text("한글abc", 0).await?, 9); // bytes
    /// assert_eq!(file.read_text(1, 0).await?, "한"); // extended to 3 bytes
    /// assert_eq!(file.read_text(4, 3).await?, "글a");
    /// assert!(matches!(file.read_text(2, 1).await, Err(aiofile::Error::Decode { offset: 1 })));
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn read_text(&self, size: usize, offset: u64) -> Result<String> {
        if size == 0 {
            return Ok(String::new());
        }
        let core = self.core()?;
        let mut buf = Vec::new();
        buf.try_reserve_exact(size.saturating_add(MAX_CHAR - 1))
            .map_err(|_| Error::InvalidInput("read too large to allocate"))?;
        let (res, mut buf) = core.read_exact_or_eof(buf, offset, size).await;
        let got = res?;
        let mut dec = Utf8Decoder::new(offset);
        dec.decode(&buf).map_err(decode_error)?;
        if let Some(e) = dec.error() {
            return Err(decode_error(e));
        }
        if !dec.pending().is_empty() {
            if got < size {
                dec.finish().map_err(decode_error)?;
            }
            let (res, more) = core
                .read_exact_or_eof(buf, offset + got as u64, MAX_CHAR - 1)
                .await;
            buf = more;
            res?;
            let tail = dec.decode_chars(&buf[got..], 1).map_err(decode_error)?;
            let keep = got + tail.consumed();
            dec.finish().map_err(decode_error)?;
            buf.truncate(keep);
        }
        into_string(buf, offset)
    }

    /// Reads from `offset` to the end of the file as UTF-8 text (until a read returns
    /// nothing, so `/proc` files work).
    ///
    /// # Errors
    /// As [`read_text`](AioFile::read_text).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-rte-{}", std::process::id()));
    /// let file = aiofile::AioFile::open(&path, "w+").await?;
    /// file.write_text("aé💾z", 0).await?;
    /// assert_eq!(file.read_text_to_end(1).await?, "é💾z");
    /// assert!(matches!(file.read_text_to_end(4).await, Err(aiofile::Error::Decode { offset: 4 })));
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn read_text_to_end(&self, offset: u64) -> Result<String> {
        into_string(self.read_to_end(offset).await?, offset)
    }

    /// Writes the UTF-8 bytes of `text` at `offset`; returns the number of **bytes**
    /// written (as the reference does; `"한글"` is 6).
    ///
    /// # Errors
    /// As [`write`](AioFile::write).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-wt-{}", std::process::id()));
    /// let file = aiofile::AioFile::open(&path, "w+").await?;
    /// assert_eq!(file.write_text("한글", 0).await?, 6);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn write_text(&self, text: &str, offset: u64) -> Result<usize> {
        self.write(text.as_bytes(), offset).await
    }
}
