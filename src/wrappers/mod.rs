//! File-like wrappers with a position: [`async_open`] and its typed forms.
//!
//! | you want | call | you get |
//! |---|---|---|
//! | whatever the mode says | [`async_open`]`(path, mode)` | [`FileWrapper`]: `Binary` if `mode` has `b`, else `Text` |
//! | bytes | [`async_open_binary`]`(path, "rb")` | [`BinaryFileWrapper`] (fails if `mode` has no `b`) |
//! | UTF-8 text | [`async_open_text`]`(path, "r")` | [`TextFileWrapper`] (fails if `mode` has `b`) |
//!
//! Each has a `*_with` form taking [`OpenOptions`]. Unlike the reference, the file is
//! opened by the call itself (there is nothing more to await).
use std::path::Path;

mod advance;
mod ahead;
mod base;
mod binary;
mod text;

pub use advance::{Advancing, Chunks, Lines, TextChunks, TextLines};
pub use binary::BinaryFileWrapper;
pub use text::TextFileWrapper;

use crate::error::{Error, Result};
use crate::file::AioFile;
use crate::options::OpenOptions;

/// What [`async_open`] returns: the wrapper the mode asks for.
///
/// Match on it, or convert it with [`into_binary`](FileWrapper::into_binary) /
/// [`into_text`](FileWrapper::into_text); [`async_open_binary`] and [`async_open_text`]
/// skip this step.
///
/// ```
/// # aiofile::doc_block_on(async {
/// use aiofile::{async_open, FileWrapper};
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-fw-{}", std::process::id()));
/// match async_open(&path, "w+").await? {
///     FileWrapper::Text(mut f) => {
///         f.write("text").await?;
///         f.close().await?;
///     }
///     FileWrapper::Binary(_) => unreachable!("no 'b' in the mode"),
/// }
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub enum FileWrapper {
    /// The mode has `b`.
    Binary(BinaryFileWrapper),
    /// The mode has no `b`: UTF-8 text.
    Text(TextFileWrapper),
}

impl FileWrapper {
    /// The binary wrapper.
    ///
    /// # Errors
    /// [`Error::WrongMode`] for a text-mode file (the wrapper is dropped; it stops counting
    /// as open).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-fw0-{}", std::process::id()));
    /// let mut f = aiofile::async_open(&path, "wb").await?.into_binary()?;
    /// f.write(b"\x00\x01").await?;
    /// f.close().await?;
    /// let err = aiofile::async_open(&path, "r").await?.into_binary().unwrap_err();
    /// assert!(matches!(err, aiofile::Error::WrongMode { expected: "binary", .. }));
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn into_binary(self) -> Result<BinaryFileWrapper> {
        match self {
            FileWrapper::Binary(f) => Ok(f),
            FileWrapper::Text(f) => Err(wrong_mode(f.file(), "binary")),
        }
    }

    /// The text wrapper.
    ///
    /// # Errors
    /// [`Error::WrongMode`] for a binary-mode file.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-fw1-{}", std::process::id()));
    /// let mut f = aiofile::async_open(&path, "w").await?.into_text()?;
    /// f.write("é").await?;
    /// f.close().await?;
    /// assert!(aiofile::async_open(&path, "rb").await?.into_text().is_err());
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn into_text(self) -> Result<TextFileWrapper> {
        match self {
            FileWrapper::Text(f) => Ok(f),
            FileWrapper::Binary(f) => Err(wrong_mode(f.file(), "text")),
        }
    }

    /// Whether this is the binary wrapper.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-fw2-{}", std::process::id()));
    /// assert!(aiofile::async_open(&path, "ab").await?.is_binary());
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn is_binary(&self) -> bool {
        matches!(self, FileWrapper::Binary(_))
    }

    /// The positional file underneath.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-fw3-{}", std::process::id()));
    /// let f = aiofile::async_open(&path, "w").await?;
    /// assert_eq!(f.file().path(), path);
    /// # drop(f); std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn file(&self) -> &AioFile {
        match self {
            FileWrapper::Binary(f) => f.file(),
            FileWrapper::Text(f) => f.file(),
        }
    }
}

fn wrong_mode(file: &AioFile, expected: &'static str) -> Error {
    Error::WrongMode {
        mode: file.mode(),
        expected,
    }
}

/// Opens `path` with a mode string and returns the wrapper it calls for: the
/// reference's `async_open`. See the [module docs](crate::wrappers) for the typed forms.
///
/// # Errors
/// [`Error::Mode`] for an invalid mode; the OS error of the open.
///
/// ```
/// # aiofile::doc_block_on(async {
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-ao-{}", std::process::id()));
/// let f = aiofile::async_open(&path, "w+b").await?;
/// assert!(f.is_binary());
/// # drop(f); std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
pub async fn async_open(path: impl AsRef<Path>, mode: &str) -> Result<FileWrapper> {
    async_open_with(path, mode, OpenOptions::new()).await
}

/// [`async_open`] with [`OpenOptions`].
///
/// # Errors
/// As [`async_open`].
///
/// ```
/// # aiofile::doc_block_on(async {
/// use aiofile::{OpenOptions, ReactorKind};
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-aow-{}", std::process::id()));
/// let opts = OpenOptions::new().reactor(ReactorKind::Threads);
/// let f = aiofile::async_open_with(&path, "w", opts).await?;
/// assert!(!f.is_binary());
/// # drop(f); std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
pub async fn async_open_with(
    path: impl AsRef<Path>,
    mode: &str,
    options: OpenOptions,
) -> Result<FileWrapper> {
    let file = AioFile::new(path, mode, options)?;
    Ok(if file.mode().binary {
        FileWrapper::Binary(BinaryFileWrapper::new(file).await?)
    } else {
        FileWrapper::Text(TextFileWrapper::new(file).await?)
    })
}

/// Opens `path` as a [`BinaryFileWrapper`]; `mode` must have `b`.
///
/// # Errors
/// [`Error::WrongMode`] when `mode` has no `b` (checked before anything is opened, so a
/// `"w"` does not truncate the file); [`Error::Mode`]; the OS error of the open.
///
/// ```
/// # aiofile::doc_block_on(async {
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-aob-{}", std::process::id()));
/// let mut f = aiofile::async_open_binary(&path, "w+b").await?;
/// f.write(b"bytes").await?;
/// assert!(matches!(
///     aiofile::async_open_binary(&path, "w").await,
///     Err(aiofile::Error::WrongMode { expected: "binary", .. })
/// ));
/// assert_eq!(std::fs::read(&path)?, b"bytes"); // not truncated
/// # f.close().await?; std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
pub async fn async_open_binary(path: impl AsRef<Path>, mode: &str) -> Result<BinaryFileWrapper> {
    async_open_binary_with(path, mode, OpenOptions::new()).await
}

/// [`async_open_binary`] with [`OpenOptions`].
///
/// # Errors
/// As [`async_open_binary`].
///
/// ```
/// # aiofile::doc_block_on(async {
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-aobw-{}", std::process::id()));
/// let f = aiofile::async_open_binary_with(&path, "ab", aiofile::OpenOptions::new()).await?;
/// assert_eq!(f.tell(), 0);
/// # drop(f); std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
pub async fn async_open_binary_with(
    path: impl AsRef<Path>,
    mode: &str,
    options: OpenOptions,
) -> Result<BinaryFileWrapper> {
    BinaryFileWrapper::open(path.as_ref(), mode, options).await
}

/// Opens `path` as a UTF-8 [`TextFileWrapper`]; `mode` must not have `b`.
///
/// # Errors
/// [`Error::WrongMode`] when `mode` has `b` (checked before anything is opened);
/// [`Error::Mode`]; the OS error of the open.
///
/// ```
/// # aiofile::doc_block_on(async {
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-aot-{}", std::process::id()));
/// let mut f = aiofile::async_open_text(&path, "w+").await?;
/// f.write("text").await?;
/// assert!(aiofile::async_open_text(&path, "rb").await.is_err());
/// # f.close().await?; std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
pub async fn async_open_text(path: impl AsRef<Path>, mode: &str) -> Result<TextFileWrapper> {
    async_open_text_with(path, mode, OpenOptions::new()).await
}

/// [`async_open_text`] with [`OpenOptions`].
///
/// # Errors
/// As [`async_open_text`].
///
/// ```
/// # aiofile::doc_block_on(async {
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-aotw-{}", std::process::id()));
/// let opts = aiofile::OpenOptions::new().encoding("utf-8")?;
/// let f = aiofile::async_open_text_with(&path, "w", opts).await?;
/// # drop(f); std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
pub async fn async_open_text_with(
    path: impl AsRef<Path>,
    mode: &str,
    options: OpenOptions,
) -> Result<TextFileWrapper> {
    TextFileWrapper::open(path.as_ref(), mode, options).await
}
