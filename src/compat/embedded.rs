//! `embedded-io-async` traits: for [`PollFile`] (all four, cancel-safe as described in
//! [`crate::compat`]) and for [`BinaryFileWrapper`] (`Read`, `Write`, `Seek`, through
//! its own async methods).
use std::future::poll_fn;

use embedded_io_async::{BufRead, ErrorKind, ErrorType, Read, Seek, SeekFrom, Write};

use super::PollFile;
use crate::error::Error;
use crate::wrappers::BinaryFileWrapper;

impl embedded_io_async::Error for Error {
    fn kind(&self) -> ErrorKind {
        ErrorKind::from(Error::kind(self))
    }
}

impl ErrorType for PollFile {
    type Error = Error;
}

/// Cancel-safe: a dropped `read` consumed nothing; the chunk it was reading ahead
/// stays in flight for the next call.
impl Read for PollFile {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        poll_fn(|cx| self.poll_read(cx, buf)).await
    }
}

/// Cancel-safe as [`Read`]; `consume` is synchronous.
impl BufRead for PollFile {
    async fn fill_buf(&mut self) -> Result<&[u8], Error> {
        poll_fn(|cx| self.poll_fill_buf(cx).map_ok(<[u8]>::len)).await?;
        Ok(self.buffered())
    }

    fn consume(&mut self, amt: usize) {
        PollFile::consume(self, amt);
    }
}

/// `write` accepts up to a chunk and returns before the data reaches the kernel;
/// `flush` waits for it (no `fsync`). Cancel-safe: a dropped `write` accepted nothing,
/// a dropped `flush` is resumed by the next call.
impl Write for PollFile {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        poll_fn(|cx| self.poll_write(cx, buf)).await
    }

    async fn flush(&mut self) -> Result<(), Error> {
        poll_fn(|cx| self.poll_flush(cx)).await
    }
}

/// Cancel-safe: a dropped `seek` is not applied.
impl Seek for PollFile {
    async fn seek(&mut self, pos: SeekFrom) -> Result<u64, Error> {
        poll_fn(|cx| self.poll_seek(cx, pos.into())).await
    }
}

impl ErrorType for BinaryFileWrapper {
    type Error = Error;
}

/// Reads up to `buf.len()` bytes at the position ([`BinaryFileWrapper::read`]: fewer
/// only at end of file). Cancel-safety: a dropped `read` leaves the position unchanged
/// (bytes it read ahead may be read again).
impl Read for BinaryFileWrapper {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        let data = BinaryFileWrapper::read(self, buf.len()).await?;
        buf[..data.len()].copy_from_slice(&data);
        Ok(data.len())
    }
}

/// `write` writes all of `buf` ([`BinaryFileWrapper::write`]); `flush` does nothing:
/// the wrapper keeps no write buffer (for a sync to the device use the wrapper's own
/// `flush(sync_metadata)`). Cancel-safety: a dropped `write` leaves the position
/// unchanged, but its data may still land.
impl Write for BinaryFileWrapper {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        BinaryFileWrapper::write(self, buf).await
    }

    async fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }
}

/// [`BinaryFileWrapper::seek`]. Cancel-safe: a dropped seek is not applied.
impl Seek for BinaryFileWrapper {
    async fn seek(&mut self, pos: SeekFrom) -> Result<u64, Error> {
        BinaryFileWrapper::seek(self, pos.into()).await
    }
}
