//! # aiofile
//!
//! Real asynchronous file I/O for any executor (tokio, smol, `futures`, embassy, your
//! own): io_uring, Linux kernel AIO and a thread pool behind one API, chosen at run time.
//! The Rust counterpart of Python's `aiofile`, without its bugs.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod blocking;
pub mod compat;
mod coop;
mod direct;
mod error;
mod file;
mod options;
pub mod reactor;
pub mod streams;
mod text;
mod version;
pub mod wrappers;

pub use aiofile_core::{parse_mode, FileMode, ModeError};
pub use error::{Error, Result};
pub use file::AioFile;
pub use options::OpenOptions;
pub use reactor::{default_reactor, set_default_reactor, ReactorInfo, ReactorKind};
pub use streams::{LineReader, Reader, TextLineReader, TextReader, Writer};
pub use version::{version_info, AUTHORS, DESCRIPTION, HOMEPAGE, LICENSE, VERSION};
pub use wrappers::{
    async_open, async_open_binary, async_open_binary_with, async_open_text, async_open_text_with,
    async_open_with, Advancing, BinaryFileWrapper, Chunks, FileWrapper, Lines, TextChunks,
    TextFileWrapper, TextLines,
};

/// Runs a future to completion on the current thread (for doc examples and small
/// programs; any executor works with aiofile).
#[doc(hidden)]
pub fn doc_block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}
