//! [`OpenOptions`]: how [`AioFile`](crate::AioFile) opens a file beyond its mode string.
use crate::error::{Error, Result};
use crate::reactor::ReactorKind;

/// Options beyond the mode string.
///
/// ```
/// use aiofile::{OpenOptions, ReactorKind};
/// let opts = OpenOptions::new().reactor(ReactorKind::Threads).encoding("UTF-8").unwrap();
/// assert_eq!(opts.reactor_kind(), Some(ReactorKind::Threads));
/// assert!(OpenOptions::new().encoding("latin-1").is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenOptions {
    reactor: Option<ReactorKind>,
    direct: bool,
}

impl OpenOptions {
    /// Defaults: automatic reactor, buffered I/O, UTF-8 text.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forces the reactor for this file (see [`crate::reactor`] for the precedence).
    #[must_use]
    pub fn reactor(mut self, kind: ReactorKind) -> Self {
        self.reactor = Some(kind);
        self
    }

    /// The forced reactor, if any.
    pub fn reactor_kind(&self) -> Option<ReactorKind> {
        self.reactor
    }

    /// Opens with `O_DIRECT` (bypassing the page cache; alignment rules apply).
    #[must_use]
    pub fn direct(mut self, on: bool) -> Self {
        self.direct = on;
        self
    }

    /// Whether `O_DIRECT` is asked for.
    pub fn is_direct(&self) -> bool {
        self.direct
    }

    /// Text encoding. Only UTF-8 (any spelling: `utf-8`, `UTF8`, ...) is supported: the
    /// decoder is the core's incremental UTF-8 decoder.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for any other encoding.
    pub fn encoding(self, name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "utf8" => Ok(self),
            _ => Err(Error::Unsupported(format!(
                "encoding {name:?}: only UTF-8 is supported"
            ))),
        }
    }
}
