//! Mode strings (`"r"`, `"w+b"`, `"ab"`, ...): [`parse_mode`] turns one into a [`FileMode`].
//!
//! The reference (aiofile's `parse_mode`) rejects only a second `r`/`w`/`a` and a second
//! `+` at construction; everything else it lets through and Python's built-in `open()`
//! rejects later with a `ValueError` (`""`, `"z"`, `"+"`, `"b"`, `"rx"`, `"rbt"`, `"rU"`,
//! ...). Here every mode that either of them rejects is rejected *eagerly*, by
//! [`parse_mode`], with a [`ModeError`] naming the offending character and its index.
//! What is left is exactly what CPython's `open()` accepts:
//!
//! - exactly one access character: `r` (read), `w` (write, create, truncate),
//!   `a` (append, create) or `x` (create exclusively);
//! - optionally one `+` (read *and* write), one `b` (binary) or one `t` (explicit text,
//!   the default), but not both `b` and `t`;
//! - in any order (`"br"`, `"+r"`, `"b+w"` are fine); nothing else, not even spaces.
//!   `U` is rejected (CPython removed it in 3.11).
//!
//! # Accepted modes
//!
//! Each row also accepts every reordering of its characters and, for the rows without
//! `b`, an added `t` (`"rt"`, `"t+w"`, ...). The field values are those of the reference
//! (`truncating` is its `O_TRUNC`); the last column is [`FileMode::open_flags`].
//!
//! | canonical | readable | writable | plus | appending | created | truncating | binary | open flags |
//! |---|---|---|---|---|---|---|---|---|
//! | `r`   | T | F | F | F | F | F | F | read |
//! | `w`   | F | T | F | F | F | T | F | write, create, truncate |
//! | `a`   | F | T | F | T | F | F | F | write, create, append |
//! | `x`   | F | T | F | F | T | F | F | write, create, exclusive |
//! | `r+`  | T | T | T | F | F | F | F | read, write |
//! | `w+`  | T | T | T | F | F | T | F | read, write, create, truncate |
//! | `a+`  | T | T | T | T | F | F | F | read, write, create, append |
//! | `x+`  | T | T | T | F | T | F | F | read, write, create, exclusive |
//! | `rb`, `wb`, `ab`, `xb`, `r+b`, `w+b`, `a+b`, `x+b` | as above | | | | | | T | as above |
//!
//! # Rejected modes
//!
//! | input | [`ModeErrorKind`] | index | reference |
//! |---|---|---|---|
//! | `""` | [`Empty`](ModeErrorKind::Empty) | 0 | `ValueError` at open |
//! | `"z"`, `"rU"`, `"r z"` | [`UnknownChar`](ModeErrorKind::UnknownChar) | of `z`/`U`/space | `ValueError` at open |
//! | `"rw"`, `"xr"`, `"rx"`, `"xx"` | [`DuplicateAccess`](ModeErrorKind::DuplicateAccess) | 1 | `Exception` / `ValueError` |
//! | `"r++"` | [`DuplicatePlus`](ModeErrorKind::DuplicatePlus) | 2 | `Exception("Bad mode")` |
//! | `"bb"` | [`DuplicateBinary`](ModeErrorKind::DuplicateBinary) | 1 | `ValueError` at open |
//! | `"rtt"` | [`DuplicateText`](ModeErrorKind::DuplicateText) | 2 | `ValueError` at open |
//! | `"rbt"`, `"tb"` | [`TextAndBinary`](ModeErrorKind::TextAndBinary) | of the later of `b`/`t` | `ValueError` at open |
//! | `"+"`, `"b"`, `"t"`, `"b+"` | [`NoAccess`](ModeErrorKind::NoAccess) | length of the input | `ValueError` at open |
//!
//! The scan goes left to right and reports the first character that cannot extend a
//! valid mode; [`NoAccess`](ModeErrorKind::NoAccess) is only known at the end.
//!
//! ```
//! use aiofile_core::mode::{parse_mode, ModeErrorKind};
//!
//! let mode = parse_mode("b+a")?;
//! assert!(mode.appending && mode.readable && mode.binary);
//! assert_eq!(mode.to_string(), "a+b");
//! assert_eq!(parse_mode("rbt").unwrap_err().kind, ModeErrorKind::TextAndBinary);
//! # Ok::<(), aiofile_core::ModeError>(())
//! ```
use core::fmt;
use core::str::FromStr;

/// A parsed mode string: what the file may be used for and how it is opened.
///
/// The fields carry the same values as the reference's `FileMode` for every mode both
/// accept; `truncating` stands for the reference's `O_TRUNC` flag. Build one with
/// [`parse_mode`] (or `str::parse`); a value built by hand from an inconsistent set of
/// fields has no mode string, and [`Display`](fmt::Display) then prints the closest one.
///
/// ```
/// use aiofile_core::FileMode;
///
/// let mode: FileMode = "w+".parse()?;
/// assert_eq!(
///     mode,
///     FileMode {
///         readable: true,
///         writable: true,
///         plus: true,
///         appending: false,
///         created: false,
///         truncating: true,
///         binary: false,
///     }
/// );
/// # Ok::<(), aiofile_core::ModeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FileMode {
    /// The file may be read (`r` or `+`).
    pub readable: bool,
    /// The file may be written (`w`, `a`, `x` or `+`).
    pub writable: bool,
    /// The mode has `+` (update: read and write).
    pub plus: bool,
    /// Every write goes to the end of the file (`a`).
    pub appending: bool,
    /// The file must not exist yet and is created (`x`). `w` and `a` also create a
    /// missing file, but only `x` sets this field (as in the reference); see
    /// [`OpenFlags::create`] for "creates when missing".
    pub created: bool,
    /// An existing file is truncated to zero length on open (`w`).
    pub truncating: bool,
    /// Binary mode (`b`); otherwise text.
    pub binary: bool,
}

/// Portable open flags for a [`FileMode`], which each reactor maps to its OS flags.
///
/// Same meaning as the reference's computed `flags`: `read`/`write` give
/// `O_RDONLY`/`O_WRONLY`/`O_RDWR`, the others `O_CREAT`, `O_TRUNC`, `O_APPEND`, `O_EXCL`.
///
/// ```
/// use aiofile_core::{parse_mode, OpenFlags};
///
/// let flags = parse_mode("a")?.open_flags();
/// assert_eq!(
///     flags,
///     OpenFlags { read: false, write: true, create: true, truncate: false, append: true, exclusive: false }
/// );
/// # Ok::<(), aiofile_core::ModeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OpenFlags {
    /// Open for reading.
    pub read: bool,
    /// Open for writing.
    pub write: bool,
    /// Create the file if it does not exist (`O_CREAT`).
    pub create: bool,
    /// Truncate an existing file to zero length (`O_TRUNC`).
    pub truncate: bool,
    /// Writes always append at the end (`O_APPEND`).
    pub append: bool,
    /// Fail if the file already exists (`O_EXCL`, together with `create`).
    pub exclusive: bool,
}

/// Why a mode string was rejected.
///
/// ```
/// use aiofile_core::mode::{parse_mode, ModeErrorKind};
///
/// assert_eq!(parse_mode("r++").unwrap_err().kind, ModeErrorKind::DuplicatePlus);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ModeErrorKind {
    /// The mode string is empty.
    Empty,
    /// A character other than `r`, `w`, `a`, `x`, `+`, `b`, `t` (such as `U` or a space).
    UnknownChar,
    /// A second access character (`r`, `w`, `a` or `x`) after the first one.
    DuplicateAccess,
    /// A second `+`.
    DuplicatePlus,
    /// A second `b`.
    DuplicateBinary,
    /// A second `t`.
    DuplicateText,
    /// Both `b` and `t`: a mode cannot be binary and text at once.
    TextAndBinary,
    /// No access character at all (`"+"`, `"b"`, `"t"`): one of `r`, `w`, `a`, `x` is needed.
    NoAccess,
}

impl fmt::Display for ModeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ModeErrorKind::Empty => "the mode string is empty",
            ModeErrorKind::UnknownChar => "unknown character (allowed: r, w, a, x, +, b, t)",
            ModeErrorKind::DuplicateAccess => {
                "a second access mode (need exactly one of r, w, a, x)"
            }
            ModeErrorKind::DuplicatePlus => "a second '+'",
            ModeErrorKind::DuplicateBinary => "a second 'b'",
            ModeErrorKind::DuplicateText => "a second 't'",
            ModeErrorKind::TextAndBinary => "cannot have text and binary mode at once",
            ModeErrorKind::NoAccess => "no access mode (need exactly one of r, w, a, x)",
        })
    }
}

/// A rejected mode string: what is wrong, and where.
///
/// `index` is the byte offset of the offending character `ch`; for
/// [`Empty`](ModeErrorKind::Empty) and [`NoAccess`](ModeErrorKind::NoAccess) there is
/// no such character, `ch` is `None` and `index` is the length of the input.
///
/// ```
/// use aiofile_core::mode::{parse_mode, ModeError, ModeErrorKind};
///
/// let err = parse_mode("rU").unwrap_err();
/// assert_eq!(err, ModeError { kind: ModeErrorKind::UnknownChar, index: 1, ch: Some('U') });
/// assert_eq!(
///     err.to_string(),
///     "invalid mode: unknown character (allowed: r, w, a, x, +, b, t): 'U' at index 1"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ModeError {
    /// What is wrong.
    pub kind: ModeErrorKind,
    /// Byte offset of `ch`, or the input's length when `ch` is `None`.
    pub index: usize,
    /// The offending character, if one character is to blame.
    pub ch: Option<char>,
}

impl fmt::Display for ModeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid mode: {}", self.kind)?;
        match self.ch {
            Some(ch) => write!(f, ": {ch:?} at index {}", self.index),
            None => Ok(()),
        }
    }
}

impl core::error::Error for ModeError {}

/// Parses a mode string such as `"r"`, `"wb"`, `"a+"` or `"x+b"`.
///
/// See the [module docs](self) for the accepted modes and the field values of each.
///
/// # Errors
///
/// A [`ModeError`] for every mode that the reference or CPython's `open()` rejects:
/// empty, unknown characters, zero or several of `r`/`w`/`a`/`x`, a repeated `+`, `b`
/// or `t`, or both `b` and `t`.
///
/// ```
/// use aiofile_core::mode::{parse_mode, ModeErrorKind};
///
/// let mode = parse_mode("rb")?;
/// assert!(mode.readable && !mode.writable && mode.binary);
/// assert_eq!(parse_mode("rx").unwrap_err().kind, ModeErrorKind::DuplicateAccess);
/// assert_eq!(parse_mode("b").unwrap_err().kind, ModeErrorKind::NoAccess);
/// # Ok::<(), aiofile_core::ModeError>(())
/// ```
pub fn parse_mode(mode: &str) -> Result<FileMode, ModeError> {
    let mut scan = Scan::default();
    for (index, ch) in mode.char_indices() {
        scan.push(ch).map_err(|kind| ModeError {
            kind,
            index,
            ch: Some(ch),
        })?;
    }
    scan.finish(mode.len())
}

/// The one access character of a mode.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
    Append,
    Create,
}

/// What the left-to-right scan has seen so far.
#[derive(Default)]
struct Scan {
    access: Option<Access>,
    plus: bool,
    binary: bool,
    text: bool,
}

impl Scan {
    /// Feeds the next character; `Err` if it cannot extend a valid mode.
    fn push(&mut self, ch: char) -> Result<(), ModeErrorKind> {
        match ch {
            'r' => self.set_access(Access::Read),
            'w' => self.set_access(Access::Write),
            'a' => self.set_access(Access::Append),
            'x' => self.set_access(Access::Create),
            '+' => set_once(&mut self.plus, ModeErrorKind::DuplicatePlus),
            'b' if self.text => Err(ModeErrorKind::TextAndBinary),
            'b' => set_once(&mut self.binary, ModeErrorKind::DuplicateBinary),
            't' if self.binary => Err(ModeErrorKind::TextAndBinary),
            't' => set_once(&mut self.text, ModeErrorKind::DuplicateText),
            _ => Err(ModeErrorKind::UnknownChar),
        }
    }

    fn set_access(&mut self, access: Access) -> Result<(), ModeErrorKind> {
        match self.access.replace(access) {
            None => Ok(()),
            Some(_) => Err(ModeErrorKind::DuplicateAccess),
        }
    }

    /// Ends the scan of a `len`-byte input.
    fn finish(self, len: usize) -> Result<FileMode, ModeError> {
        let error = |kind| ModeError {
            kind,
            index: len,
            ch: None,
        };
        match self.access {
            Some(access) => Ok(FileMode::from_parts(access, self.plus, self.binary)),
            None if len == 0 => Err(error(ModeErrorKind::Empty)),
            None => Err(error(ModeErrorKind::NoAccess)),
        }
    }
}

/// Sets a flag that may appear once; `Err(kind)` if it was already set.
fn set_once(flag: &mut bool, kind: ModeErrorKind) -> Result<(), ModeErrorKind> {
    if core::mem::replace(flag, true) {
        Err(kind)
    } else {
        Ok(())
    }
}

/// Canonical mode strings, indexed by `access * 4 + plus * 2 + binary`.
const CANONICAL: [&str; 16] = [
    "r", "rb", "r+", "r+b", "w", "wb", "w+", "w+b", "a", "ab", "a+", "a+b", "x", "xb", "x+", "x+b",
];

impl FileMode {
    fn from_parts(access: Access, plus: bool, binary: bool) -> FileMode {
        FileMode {
            readable: plus || access == Access::Read,
            writable: plus || access != Access::Read,
            plus,
            appending: access == Access::Append,
            created: access == Access::Create,
            truncating: access == Access::Write,
            binary,
        }
    }

    fn access(&self) -> Access {
        if self.created {
            Access::Create
        } else if self.appending {
            Access::Append
        } else if self.truncating {
            Access::Write
        } else {
            Access::Read
        }
    }

    /// The canonical mode string: the access character, then `+`, then `b`.
    ///
    /// It parses back to `self` for every mode [`parse_mode`] returns.
    ///
    /// ```
    /// use aiofile_core::parse_mode;
    ///
    /// assert_eq!(parse_mode("b+w")?.as_str(), "w+b");
    /// assert_eq!(parse_mode("rt")?.as_str(), "r");
    /// # Ok::<(), aiofile_core::ModeError>(())
    /// ```
    pub fn as_str(&self) -> &'static str {
        let index = self.access() as usize * 4 + usize::from(self.plus) * 2;
        CANONICAL[index + usize::from(self.binary)]
    }

    /// The portable flags to open a file with in this mode.
    ///
    /// `create` is set for `w`, `a` and `x` (the reference's `O_CREAT`), `exclusive`
    /// only for `x`.
    ///
    /// ```
    /// use aiofile_core::parse_mode;
    ///
    /// let flags = parse_mode("x+")?.open_flags();
    /// assert!(flags.read && flags.write && flags.create && flags.exclusive);
    /// assert!(!flags.truncate && !flags.append);
    /// # Ok::<(), aiofile_core::ModeError>(())
    /// ```
    pub fn open_flags(&self) -> OpenFlags {
        OpenFlags {
            read: self.readable,
            write: self.writable,
            create: self.created || self.truncating || self.appending,
            truncate: self.truncating,
            append: self.appending,
            exclusive: self.created,
        }
    }
}

/// Writes [`FileMode::as_str`], the canonical mode string.
///
/// ```
/// use aiofile_core::parse_mode;
///
/// assert_eq!(parse_mode("+rb")?.to_string(), "r+b");
/// # Ok::<(), aiofile_core::ModeError>(())
/// ```
impl fmt::Display for FileMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Same as [`parse_mode`].
///
/// ```
/// use aiofile_core::FileMode;
///
/// let mode: FileMode = "ab".parse()?;
/// assert!(mode.appending && mode.binary);
/// # Ok::<(), aiofile_core::ModeError>(())
/// ```
impl FromStr for FileMode {
    type Err = ModeError;

    fn from_str(mode: &str) -> Result<FileMode, ModeError> {
        parse_mode(mode)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use proptest::prelude::*;
    use std::string::{String, ToString};
    use ModeErrorKind::*;

    /// `(readable, writable, plus, appending, created, truncating, binary)`.
    type Fields = (bool, bool, bool, bool, bool, bool, bool);

    const T: bool = true;
    const F: bool = false;

    fn fields(m: FileMode) -> Fields {
        let FileMode {
            readable,
            writable,
            plus,
            appending,
            created,
            truncating,
            binary,
        } = m;
        (
            readable, writable, plus, appending, created, truncating, binary,
        )
    }

    /// Every row of the reference's table (§2) that CPython's `open()` also accepts, with
    /// the reference's field values (`truncating` = its `O_TRUNC`), plus the `t` spellings.
    const ACCEPTED: &[(&str, Fields)] = &[
        ("r", (T, F, F, F, F, F, F)),
        ("w", (F, T, F, F, F, T, F)),
        ("a", (F, T, F, T, F, F, F)),
        ("x", (F, T, F, F, T, F, F)),
        ("r+", (T, T, T, F, F, F, F)),
        ("w+", (T, T, T, F, F, T, F)),
        ("a+", (T, T, T, T, F, F, F)),
        ("x+", (T, T, T, F, T, F, F)),
        ("rb", (T, F, F, F, F, F, T)),
        ("br", (T, F, F, F, F, F, T)),
        ("wb", (F, T, F, F, F, T, T)),
        ("ab", (F, T, F, T, F, F, T)),
        ("xb", (F, T, F, F, T, F, T)),
        ("rb+", (T, T, T, F, F, F, T)),
        ("r+b", (T, T, T, F, F, F, T)),
        ("+r", (T, T, T, F, F, F, F)),
        ("wb+", (T, T, T, F, F, T, T)),
        ("w+b", (T, T, T, F, F, T, T)),
        ("ab+", (T, T, T, T, F, F, T)),
        ("a+b", (T, T, T, T, F, F, T)),
        ("xb+", (T, T, T, F, T, F, T)),
        ("rt", (T, F, F, F, F, F, F)),
        ("wt", (F, T, F, F, F, T, F)),
        // CPython accepts these too (any order, explicit `t`).
        ("tr", (T, F, F, F, F, F, F)),
        ("r+t", (T, T, T, F, F, F, F)),
        ("t+a", (T, T, T, T, F, F, F)),
        ("xt", (F, T, F, F, T, F, F)),
        ("b+x", (T, T, T, F, T, F, T)),
        ("+ba", (T, T, T, T, F, F, T)),
    ];

    /// `(mode, kind, index, ch)`: what the reference rejects at construction and what it
    /// only rejects at `open()` (§2, §7.1), and a few more CPython rejects.
    const REJECTED: &[(&str, ModeErrorKind, usize, Option<char>)] = &[
        // Reference: `Exception("Bad mode")` at construction.
        ("rw", DuplicateAccess, 1, Some('w')),
        ("ra", DuplicateAccess, 1, Some('a')),
        ("wa", DuplicateAccess, 1, Some('a')),
        ("rr", DuplicateAccess, 1, Some('r')),
        ("ww", DuplicateAccess, 1, Some('w')),
        ("aa", DuplicateAccess, 1, Some('a')),
        ("xr", DuplicateAccess, 1, Some('r')),
        ("xw", DuplicateAccess, 1, Some('w')),
        ("r++", DuplicatePlus, 2, Some('+')),
        // Reference: `ValueError` only at `open()`.
        ("", Empty, 0, None),
        ("t", NoAccess, 1, None),
        ("z", UnknownChar, 0, Some('z')),
        ("U", UnknownChar, 0, Some('U')),
        ("b", NoAccess, 1, None),
        ("bb", DuplicateBinary, 1, Some('b')),
        ("+", NoAccess, 1, None),
        ("b+", NoAccess, 2, None),
        ("rU", UnknownChar, 1, Some('U')),
        ("r z", UnknownChar, 1, Some(' ')),
        ("rbt", TextAndBinary, 2, Some('t')),
        ("tb", TextAndBinary, 1, Some('b')),
        ("rx", DuplicateAccess, 1, Some('x')),
        ("wx", DuplicateAccess, 1, Some('x')),
        ("ax", DuplicateAccess, 1, Some('x')),
        ("xx", DuplicateAccess, 1, Some('x')),
        // More that CPython rejects.
        ("rtt", DuplicateText, 2, Some('t')),
        ("R", UnknownChar, 0, Some('R')),
        (" r", UnknownChar, 0, Some(' ')),
        ("r\0", UnknownChar, 1, Some('\0')),
        ("rb+b", DuplicateBinary, 3, Some('b')),
        ("\u{e9}r", UnknownChar, 0, Some('\u{e9}')),
        ("r\u{e9}", UnknownChar, 1, Some('\u{e9}')),
        ("\u{e9}\u{e9}", UnknownChar, 0, Some('\u{e9}')),
        ("\u{20ac}", UnknownChar, 0, Some('\u{20ac}')),
        ("+\u{20ac}", UnknownChar, 1, Some('\u{20ac}')),
        ("\u{e9}", UnknownChar, 0, Some('\u{e9}')),
    ];

    #[test]
    fn mode_accepted_table_fields() {
        for &(mode, expected) in ACCEPTED {
            let parsed = parse_mode(mode).unwrap_or_else(|e| panic!("{mode:?}: {e}"));
            assert_eq!(fields(parsed), expected, "{mode:?}");
            assert_eq!(mode.parse::<FileMode>(), Ok(parsed), "{mode:?}");
        }
    }

    #[test]
    fn mode_rejected_table_kinds_and_indices() {
        for &(mode, kind, index, ch) in REJECTED {
            assert_eq!(
                parse_mode(mode),
                Err(ModeError { kind, index, ch }),
                "{mode:?}"
            );
            assert_eq!(mode.parse::<FileMode>().unwrap_err().kind, kind, "{mode:?}");
        }
    }

    #[test]
    fn mode_error_index_is_a_byte_offset() {
        let err = parse_mode("\u{e9}\u{e9}").unwrap_err();
        assert_eq!(err.index, 0);
        let err = parse_mode("r\u{20ac}").unwrap_err();
        assert_eq!((err.index, err.ch), (1, Some('\u{20ac}')));
        let err = parse_mode("+\u{20ac}\u{20ac}").unwrap_err();
        assert_eq!(err.index, 1);
    }

    #[test]
    fn mode_display_round_trips_for_all_accepted() {
        for &(mode, _) in ACCEPTED {
            let parsed = parse_mode(mode).unwrap();
            let shown = parsed.to_string();
            assert_eq!(shown, parsed.as_str());
            assert_eq!(parse_mode(&shown), Ok(parsed), "{mode:?} -> {shown:?}");
        }
    }

    #[test]
    fn mode_canonical_strings() {
        let cases = [
            ("r", "r"),
            ("rt", "r"),
            ("br", "rb"),
            ("+r", "r+"),
            ("rb+", "r+b"),
            ("w", "w"),
            ("wb", "wb"),
            ("wb+", "w+b"),
            ("+w", "w+"),
            ("a", "a"),
            ("ab", "ab"),
            ("a+", "a+"),
            ("b+a", "a+b"),
            ("x", "x"),
            ("xb", "xb"),
            ("x+", "x+"),
            ("xb+", "x+b"),
        ];
        for (mode, canonical) in cases {
            assert_eq!(parse_mode(mode).unwrap().to_string(), canonical, "{mode:?}");
        }
    }

    #[test]
    fn mode_all_sixteen_canonical_strings_are_fixed_points() {
        for canonical in CANONICAL {
            assert_eq!(parse_mode(canonical).unwrap().as_str(), canonical);
        }
    }

    #[test]
    fn mode_open_flags_match_reference_flags() {
        // (mode, reference flags on Linux): O_WRONLY=1 O_RDWR=2 O_CREAT=64 O_EXCL=128
        // O_TRUNC=512 O_APPEND=1024.
        let cases = [
            ("r", 0),
            ("w", 577),
            ("a", 1089),
            ("x", 193),
            ("r+", 2),
            ("w+", 578),
            ("a+", 1090),
            ("x+", 194),
            ("rb", 0),
            ("wb", 577),
            ("ab", 1089),
            ("xb", 193),
            ("rb+", 2),
            ("wb+", 578),
            ("ab+", 1090),
            ("xb+", 194),
        ];
        for (mode, reference) in cases {
            assert_eq!(
                linux_flags(parse_mode(mode).unwrap().open_flags()),
                reference,
                "{mode:?}"
            );
        }
    }

    fn linux_flags(f: OpenFlags) -> u32 {
        let access = match (f.read, f.write) {
            (true, true) => 2,
            (false, true) => 1,
            _ => 0,
        };
        let bit = |on: bool, value: u32| if on { value } else { 0 };
        access
            | bit(f.create, 64)
            | bit(f.exclusive, 128)
            | bit(f.truncate, 512)
            | bit(f.append, 1024)
    }

    #[test]
    fn mode_error_display() {
        let err = parse_mode("r z").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid mode: unknown character (allowed: r, w, a, x, +, b, t): ' ' at index 1"
        );
        let err = parse_mode("").unwrap_err();
        assert_eq!(err.to_string(), "invalid mode: the mode string is empty");
        let err = parse_mode("b+").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid mode: no access mode (need exactly one of r, w, a, x)"
        );
        let err = parse_mode("rbt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid mode: cannot have text and binary mode at once: 't' at index 2"
        );
        let err: &dyn core::error::Error = &err;
        assert!(err.source().is_none());
    }

    /// The slow model: CPython's rule, checked by counting characters.
    fn model_accepts(mode: &str) -> bool {
        let count = |set: &str| mode.chars().filter(|c| set.contains(*c)).count();
        mode.chars().all(|c| "rwax+bt".contains(c))
            && count("rwax") == 1
            && count("+") <= 1
            && count("b") <= 1
            && count("t") <= 1
            && count("bt") <= 1
    }

    /// Whether `prefix` can still be extended to an accepted mode.
    fn model_prefix_ok(prefix: &str) -> bool {
        let count = |set: &str| prefix.chars().filter(|c| set.contains(*c)).count();
        prefix.chars().all(|c| "rwax+bt".contains(c))
            && count("rwax") <= 1
            && count("+") <= 1
            && count("bt") <= 1
    }

    fn model_fields(mode: &str) -> Fields {
        let has = |c| mode.contains(c);
        let plus = has('+');
        let access_writes = has('w') || has('a') || has('x');
        (
            has('r') || plus,
            access_writes || plus,
            plus,
            has('a'),
            has('x'),
            has('w'),
            has('b'),
        )
    }

    /// The kind the scan must report when `ch` cannot extend the valid `prefix`.
    fn model_kind(prefix: &str, ch: char) -> ModeErrorKind {
        match ch {
            'r' | 'w' | 'a' | 'x' => DuplicateAccess,
            '+' => DuplicatePlus,
            'b' if prefix.contains('t') => TextAndBinary,
            't' if prefix.contains('b') => TextAndBinary,
            'b' => DuplicateBinary,
            't' => DuplicateText,
            _ => UnknownChar,
        }
    }

    fn check_error_against_model(mode: &str, err: ModeError) {
        match err.kind {
            Empty => assert!(mode.is_empty() && err.index == 0 && err.ch.is_none()),
            NoAccess => {
                assert!(!mode.is_empty() && model_prefix_ok(mode));
                assert!(err.index == mode.len() && err.ch.is_none());
            }
            _ => {
                let ch = err.ch.expect("a character is to blame");
                let prefix = &mode[..err.index];
                assert_eq!(mode[err.index..].chars().next(), Some(ch));
                assert!(model_prefix_ok(prefix), "{mode:?}: {err:?}");
                let with_ch = &mode[..err.index + ch.len_utf8()];
                assert!(!model_prefix_ok(with_ch), "{mode:?}: {err:?}");
                assert_eq!(err.kind, model_kind(prefix, ch), "{mode:?}");
            }
        }
    }

    /// Parses `mode` and checks the result, `Ok` or `Err`, against the slow model.
    fn check_against_model(mode: &str) {
        let result = parse_mode(mode);
        assert_eq!(result.is_ok(), model_accepts(mode), "{mode:?}: {result:?}");
        match result {
            Ok(parsed) => {
                assert_eq!(fields(parsed), model_fields(mode), "{mode:?}");
                assert_eq!(parse_mode(&parsed.to_string()), Ok(parsed), "{mode:?}");
            }
            Err(err) => check_error_against_model(mode, err),
        }
    }

    const ALPHABET: [char; 11] = ['r', 'w', 'a', 'x', '+', 'b', 't', 'U', ' ', 'z', '\u{e9}'];

    #[test]
    fn mode_exhaustive_up_to_four_chars_matches_model() {
        let mut mode = String::new();
        let mut checked = 0;
        walk(&mut mode, 4, &mut checked);
        assert_eq!(checked, 1 + 11 + 121 + 1331 + 14641);
    }

    fn walk(mode: &mut String, depth: usize, checked: &mut usize) {
        check_against_model(mode);
        *checked += 1;
        if depth == 0 {
            return;
        }
        for ch in ALPHABET {
            mode.push(ch);
            walk(mode, depth - 1, checked);
            mode.pop();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn mode_parse_matches_model(
            chars in proptest::collection::vec(proptest::sample::select(&ALPHABET[..]), 0..10)
        ) {
            let mode: String = chars.into_iter().collect();
            check_against_model(&mode);
        }
    }
}
