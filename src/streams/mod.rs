//! Sequential streams over an [`AioFile`]: chunks, writes and lines.
//!
//! | type | yields | made from |
//! |---|---|---|
//! | [`Reader`] | `Vec<u8>` chunks (default [`Reader::DEFAULT_CHUNK`] = 32768 bytes) | the core's `Reader` |
//! | [`TextReader`] | `String` chunks, characters never cut | the core's `Reader` and `Utf8Decoder` |
//! | [`Writer`] | (writes) `&[u8]`/`&str`/owned `Vec<u8>`, one write in flight behind the caller | the reactor, through the core's `WriteCursor` |
//! | [`LineReader`] | lines, separator included, borrowed or `Vec<u8>` (default chunk 4192 bytes) | [`Reader`] and the core's [`ChunkSplitter`](aiofile_core::lines::ChunkSplitter) |
//! | [`TextLineReader`] | `String` lines | [`LineReader`] and `Utf8Decoder` |
//!
//! Every reader offers its operation three ways, all on the same code path: an async
//! method (`read_chunk`, `readline`; zero-copy forms `read_chunk_slice`, `next_line` and
//! `readline_into` for hot loops), the `poll_*` form, and a
//! [`futures_core::Stream`] (plus an inherent `next()` so no extension trait is needed).
//! The [`Writer`] is a [`futures::Sink`].
//!
//! The streams do not care about the file's `b` flag: a [`LineReader`] reads the bytes of a
//! text-mode file and a [`TextLineReader`] decodes the bytes of a binary-mode one. Pick the
//! type for the items you want.
//!
//! # Shared rules
//! - **End of file** ends a stream for good: `read_chunk`/`readline` then keep returning
//!   `Ok(None)` (the reference's `LineReader` raised "I/O operation on closed file" once
//!   iterated to the end, behaviour notes §10.9).
//! - **Errors**: the async methods return each error; after an error a reader is failed
//!   and further calls return [`Error::InvalidInput`]
//!   ("stream already finished or failed"); a failed [`Writer`] returns its first error
//!   again. The `Stream` impls yield the error once and
//!   then end (`None`), so a `while let Some(x) = s.next().await` loop always stops.
//! - **Closing** the [`AioFile`] makes every later call that reads or writes fail with
//!   [`Error::Closed`] ([`LineReader`] checks at each read, not at each line: the lines
//!   of the chunk in hand may still come out).
//! - **Cancel-safety**: dropping a `read_chunk`/`readline`/`next` future loses nothing;
//!   the read in flight lives in the stream and the next call picks it up. Dropping the
//!   stream abandons the read to the reactor, which frees the buffer once the kernel is
//!   done with it. See [`Writer`] for writes, which are reported one call late.
mod lines;
mod reader;
mod text;
mod writer;

pub use lines::LineReader;
pub use reader::Reader;
pub use text::{TextLineReader, TextReader};
pub use writer::Writer;

use crate::error::{Error, Result};
use crate::file::AioFile;

/// A stream's life: reading, finished at end of file, or failed after an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Reading,
    Finished,
    Failed,
}

impl Phase {
    /// What to return without doing any I/O: `None` while reading an open file.
    pub(crate) fn gate<T>(self, file: &AioFile) -> Option<Result<Option<T>>> {
        match self {
            Phase::Finished => Some(Ok(None)),
            _ if file.is_closed() => Some(Err(Error::Closed)),
            Phase::Failed => Some(Err(finished())),
            Phase::Reading => None,
        }
    }

    /// Records the end or a failure; passes the result through.
    pub(crate) fn track<T>(&mut self, res: Result<Option<T>>) -> Result<Option<T>> {
        match &res {
            Err(_) => *self = Phase::Failed,
            Ok(None) => *self = Phase::Finished,
            Ok(Some(_)) => {}
        }
        res
    }

    /// For `Stream::poll_next`: the stream already yielded its end or its error.
    pub(crate) fn is_over(self) -> bool {
        self != Phase::Reading
    }
}

/// The error a failed stream returns from its async methods.
pub(crate) fn finished() -> Error {
    Error::InvalidInput("stream already finished or failed")
}
