//! aiofile: real asynchronous file I/O (std facade). Work in progress: re-exports the core.
#![deny(unsafe_code)]
pub use aiofile_core as core;
