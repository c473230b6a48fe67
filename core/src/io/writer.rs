//! [`Writer`]: sequential writes from an offset, one write behind.
use core::future::poll_fn;
use core::task::{ready, Context, Poll};

use crate::buf::{IoBuf, IoBufMut, Op};
use crate::cursor::{WriteCursor, WriteEvent};
use crate::error::Error;
use crate::io::{File, Pending};
use crate::reactor::Reactor;

/// Writes data sequentially from an offset through one owned buffer.
///
/// [`write`](Writer::write) copies as much data as the buffer holds, submits it and
/// returns how many bytes it accepted, without waiting for the write to finish: the
/// next `write` (or [`flush`](Writer::flush)) first waits for it, looping over short
/// writes, and reports its error if it failed. Call `flush` before reading back.
///
/// Cancel-safety: `write` and `flush` are cancel-safe. Bytes a `write` accepted are
/// written even if later futures are dropped (they belong to the operation in flight,
/// which lives in the `Writer`); a `write` dropped before returning accepted nothing.
/// Dropping the `Writer` abandons the write in flight to the reactor, which still
/// performs it.
///
/// ```
/// use aiofile_core::{io::{File, Writer}, mem::MemReactor};
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// let reactor: MemReactor<NoopRawMutex, Vec<u8>, 64, 2> = MemReactor::new(b"");
/// let mut writer = Writer::new(File::new(&reactor, ()), 0, Vec::with_capacity(8));
/// embassy_futures::block_on(async {
///     writer.write_all(b"Hello ").await.unwrap();
///     writer.write_all(b"world").await.unwrap();
///     writer.flush().await.unwrap();
/// });
/// let mut out = [0u8; 11];
/// reactor.snapshot(&mut out);
/// assert_eq!(&out, b"Hello world");
/// ```
pub struct Writer<R: Reactor> {
    file: File<R>,
    cursor: WriteCursor,
    buf: Option<R::Buf>,
    pending: Pending<R::Buf>,
}

impl<R: Reactor> Writer<R> {
    /// A writer starting at file `offset`, staging data in `buf` (its capacity is the
    /// most one write accepts).
    pub fn new(file: File<R>, offset: u64, buf: R::Buf) -> Self {
        Self {
            file,
            cursor: WriteCursor::new(offset),
            buf: Some(buf),
            pending: Pending::Idle,
        }
    }

    /// File offset where the next accepted byte will go.
    pub fn offset(&self) -> u64 {
        self.cursor.offset() + self.unwritten() as u64
    }

    fn unwritten(&self) -> usize {
        match self.cursor.state() {
            crate::cursor::WriteState::Ready { total, written, .. }
            | crate::cursor::WriteState::InFlight { total, written, .. } => total - written,
            _ => 0,
        }
    }

    /// Accepts up to the buffer's capacity of `data`, submits it, and returns the
    /// number of bytes accepted (0 only for empty `data`).
    ///
    /// # Errors
    /// The error of the previous write (OS error, [`Error::WriteZero`]); the writer
    /// then stays failed.
    pub async fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
        poll_fn(|cx| self.poll_write(cx, data)).await
    }

    /// Writes all of `data` (several buffer-fulls if needed); the last part may still
    /// be in flight when this returns.
    ///
    /// # Errors
    /// As [`write`](Writer::write).
    pub async fn write_all(&mut self, mut data: &[u8]) -> Result<(), Error> {
        while !data.is_empty() {
            let n = self.write(data).await?;
            data = &data[n..];
        }
        Ok(())
    }

    /// Waits until everything accepted has been written.
    ///
    /// # Errors
    /// As [`write`](Writer::write).
    pub async fn flush(&mut self) -> Result<(), Error> {
        poll_fn(|cx| self.poll_flush(cx)).await
    }

    /// Poll form of [`write`](Writer::write).
    pub fn poll_write(&mut self, cx: &mut Context<'_>, data: &[u8]) -> Poll<Result<usize, Error>> {
        ready!(self.poll_flush(cx))?;
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let mut buf = self.buf.take().ok_or(Error::Finished)?;
        buf.clear();
        let n = buf.extend_from_slice(data);
        if n == 0 {
            let capacity = buf.bytes_total();
            self.buf = Some(buf);
            return Poll::Ready(Err(Error::BufferTooSmall {
                needed: data.len(),
                capacity,
            }));
        }
        self.buf = Some(buf);
        self.cursor.begin(n)?;
        self.start_write()?;
        // Start it now so the kernel works while the caller prepares the next data. Its
        // outcome is kept in the cursor and reported by the next `write` or `flush`.
        let _ = self.poll_flush(cx);
        Poll::Ready(Ok(n))
    }

    /// Poll form of [`flush`](Writer::flush).
    pub fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        loop {
            if self.pending.is_idle() {
                if let Some(e) = self.cursor.error() {
                    return Poll::Ready(Err(e.into()));
                }
                if self.cursor.in_flight().is_none() && !self.start_write()? {
                    return Poll::Ready(Ok(()));
                }
            }
            let done = ready!(self
                .pending
                .poll(self.file.reactor(), self.file.handle(), cx));
            self.buf = done.buf;
            match self.cursor.handle_completion(done.result)? {
                WriteEvent::Done { .. } | WriteEvent::Progress { .. } => {}
            }
        }
    }

    /// Submits the cursor's next request if it has one; `Ok(false)` when idle.
    fn start_write(&mut self) -> Result<bool, Error> {
        let Some(req) = self.cursor.poll_request() else {
            return Ok(false);
        };
        let buf = self.buf.take().ok_or(Error::Finished)?;
        match Op::write(buf, req.offset, req.start) {
            Ok(op) => self.pending = Pending::Unsubmitted(op),
            Err((e, buf)) => {
                self.buf = Some(buf);
                let _ = self.cursor.handle_cancel();
                return Err(e);
            }
        }
        Ok(true)
    }
}

impl<R: Reactor> Drop for Writer<R> {
    fn drop(&mut self) {
        // Accepted bytes were promised to land: submit them if they were still waiting
        // for a slot.
        self.pending.detach(self.file.reactor(), self.file.handle());
    }
}
