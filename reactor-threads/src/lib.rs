//! # aiofile-reactor-threads
//!
//! The portable reactor: a fixed pool of worker threads doing positional
//! `pread`/`pwrite`/`fsync`/`fdatasync` on behalf of the core's
//! [`Reactor`](aiofile_core::Reactor) contract. (Work in progress.)
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod file;
mod sys;

pub use file::{FileHandle, FileRef};
