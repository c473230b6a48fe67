//! # aiofile-core
//!
//! The `no_std`, no-alloc, sans-IO heart of aiofile. Nothing in this crate calls the
//! operating system, reads a clock or spawns: state machines say what to submit next
//! (`poll_*`) and accept what completed (`handle_*`). Reactors (kernel AIO, io_uring,
//! a thread pool, or the in-memory [`mem::MemReactor`]) carry the requests out.
//!
//! | module | what it holds |
//! |---|---|
//! | [`mode`] | `parse_mode` / [`FileMode`]: mode strings exactly as the reference parses them, with the bad ones rejected eagerly |
//! | [`cursor`] | [`ReadCursor`] / [`WriteCursor`]: chunk and offset bookkeeping for sequential streams |
//! | [`lines`] | [`LineSplitter`]: lines with any separator over a fixed buffer, independent of chunking |
//! | [`utf8`] | [`Utf8Decoder`]: incremental UTF-8 with absolute error offsets and character-count stops |
//! | [`buf`] | [`IoBuf`] / [`IoBufMut`]: owned buffers whose memory stays put while the kernel uses it |
//! | [`reactor`] | [`Reactor`]: the written contract between this core and any reactor |
//! | [`io`] | executor-agnostic futures: positional [`io::File`], [`io::Reader`], [`io::Writer`], [`io::LineReader`] |
//! | [`mem`] | [`mem::MemReactor`]: a RAM file with injectable faults, so the async stack runs without syscalls |
//!
//! ## Features
//! - `alloc`: implements [`IoBuf`]/[`IoBufMut`] for `Vec<u8>` and `Box<[u8]>`, and adds
//!   `lines::ChunkSplitter` (lines over the caller's chunks, any line length).
//! - `defmt`: derives `defmt::Format` on every public type.
#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

#[macro_use]
mod fmt;

pub mod buf;
pub mod cursor;
pub mod error;
pub mod io;
pub mod lines;
pub mod mem;
pub mod mode;
pub mod reactor;
pub mod utf8;

pub use buf::{IoBuf, IoBufMut};
pub use cursor::{ReadCursor, WriteCursor};
pub use error::{Errno, Error};
pub use lines::LineSplitter;
pub use mode::{parse_mode, FileMode, ModeError, OpenFlags};
pub use reactor::{Completion, Op, OpKind, Reactor, Submit, Ticket};
pub use utf8::Utf8Decoder;
