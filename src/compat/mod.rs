//! Ecosystem I/O traits, each behind its own feature, and [`PollFile`], the poll-based
//! adapter they are built on.
//!
//! | feature | traits | implemented for |
//! |---|---|---|
//! | `embedded-io-async` | `Read`, `Write`, `Seek`, `BufRead` | [`PollFile`]; `Read`, `Write`, `Seek` also for [`BinaryFileWrapper`] |
//! | `futures-io` | `AsyncRead`, `AsyncWrite`, `AsyncSeek`, `AsyncBufRead` | [`PollFile`] |
//! | `tokio` | `AsyncRead`, `AsyncWrite`, `AsyncSeek` (and `AsyncBufRead`) | [`PollFile`] |
//!
//! ## Why an adapter
//!
//! Poll-based traits (`futures-io`, `tokio`) call `poll_read(cx, buf)` again and again
//! until it is ready, and may stop calling at any time. An operation in flight must
//! therefore live in the object, not in a future. [`PollFile`] is a
//! [`BinaryFileWrapper`] turned inside out for that: it keeps one operation in flight
//! in itself, a read-ahead chunk of the core's `Reader` or a write-behind buffer of the
//! core's `Writer`, and each `poll_*` call drives it on.
//!
//! ```text
//!   Idle ──read──▶ Reading { chunk, consumed } ──write/seek──▶ Idle ──write──▶ Writing
//!    ▲                                                                    │
//!    └──────────── read/seek: flush, (append mode: fstat for the end) ◀───┘
//! ```
//!
//! ## Cancel-safety (every method)
//!
//! The `poll_*` methods own no future: stopping to call one loses nothing, and calling
//! it (or another) again carries on from the state the object holds. The async trait
//! methods (`embedded-io-async`) are `poll_fn`s over them, so they are cancel-safe in
//! the same way: a dropped `read` or `fill_buf` consumed nothing (the read-ahead it
//! started is kept for the next call); a dropped `write` accepted nothing (a previous
//! write it was flushing keeps going); a dropped `flush` is resumed by the next call;
//! a dropped `seek` is not applied (a flush it started keeps going). Dropping the
//! `PollFile` abandons the operation in flight to the reactor: a read is discarded, a
//! write still lands. Writes are acknowledged before they reach the kernel (like a
//! `BufWriter`): call `flush` (or `close`) to see their errors and before reading the
//! file through another handle.
//!
//! The cooperative budget (see [`PollFile`]) keeps this: when it makes a read, a
//! `fill_buf` or a write yield, it does so before the call changes anything.
//!
//! [`BinaryFileWrapper`]: crate::BinaryFileWrapper
mod poll;

#[cfg(feature = "embedded-io-async")]
mod embedded;
#[cfg(feature = "futures-io")]
mod futures_io;
#[cfg(feature = "tokio")]
mod tokio;

pub use poll::PollFile;
