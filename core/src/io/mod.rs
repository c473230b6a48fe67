//! Executor-agnostic futures over any [`Reactor`](crate::Reactor), with no allocation.
//!
//! | type | what it does |
//! |---|---|
//! | [`File`] | positional `read` / `write_all` / `fsync` / `fdatasync` with owned buffers handed back |
//! | [`OpFuture`] | one raw [`Op`](crate::Op) through the reactor |
//! | [`Pending`] | one operation kept in a field across polls (for writing streams) |
//! | [`Reader`] | sequential chunks from an offset ([`ReadCursor`](crate::ReadCursor)) |
//! | [`Writer`] | sequential writes from an offset ([`WriteCursor`](crate::WriteCursor)) |
//! | [`LineReader`] | lines with any separator ([`LineSplitter`](crate::LineSplitter)) |
//!
//! Every stream offers each operation as `poll_x(cx)` and as `x().await` built on the
//! same code path. Streams keep their in-flight operation inside themselves, so
//! dropping a `read_chunk()`/`next_line()` future loses nothing: the next call picks the
//! operation up where it was. Dropping the stream itself abandons the operation to the
//! reactor, which keeps the buffer until the kernel is done with it.
mod file;
mod line_reader;
mod pending;
mod reader;
mod write_all;
mod writer;

pub use file::File;
pub use line_reader::LineReader;
pub use pending::OpFuture;
pub use pending::Pending;
pub use reader::Reader;
pub(crate) use write_all::write_all;
pub use writer::Writer;
