//! Package metadata, from `Cargo.toml` at build time (the reference reads it from the
//! installed package at import time, and breaks on pre-releases; ours cannot).

/// The version string, e.g. `"0.1.0"`.
///
/// ```
/// assert_eq!(aiofile::VERSION, env!("CARGO_PKG_VERSION"));
/// ```
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Authors, as listed in `Cargo.toml`.
pub const AUTHORS: &str = env!("CARGO_PKG_AUTHORS");

/// License expression.
pub const LICENSE: &str = env!("CARGO_PKG_LICENSE");

/// Project home page.
pub const HOMEPAGE: &str = env!("CARGO_PKG_HOMEPAGE");

/// One-line description.
pub const DESCRIPTION: &str = env!("CARGO_PKG_DESCRIPTION");

/// `(major, minor, patch)` parsed at compile time; pre-release suffixes are ignored
/// rather than breaking (reference bug §1.2).
///
/// ```
/// let (major, minor, patch) = aiofile::version_info();
/// assert_eq!(format!("{major}.{minor}.{patch}"), aiofile::VERSION.split('-').next().unwrap());
/// ```
pub const fn version_info() -> (u32, u32, u32) {
    (
        parse(env!("CARGO_PKG_VERSION_MAJOR")),
        parse(env!("CARGO_PKG_VERSION_MINOR")),
        parse(env!("CARGO_PKG_VERSION_PATCH")),
    )
}

const fn parse(s: &str) -> u32 {
    let b = s.as_bytes();
    let mut i = 0;
    let mut n = 0u32;
    while i < b.len() && b[i].is_ascii_digit() {
        n = n * 10 + (b[i] - b'0') as u32;
        i += 1;
    }
    n
}
