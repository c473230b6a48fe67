//! [`Reader`]: sequential chunks from an offset.
use core::future::poll_fn;
use core::task::{ready, Context, Poll};

use crate::buf::{IoBuf, IoBufMut, Op};
use crate::cursor::{ReadCursor, ReadEvent};
use crate::error::Error;
use crate::io::{File, Pending};
use crate::reactor::Reactor;

/// Reads a file chunk by chunk from an offset, into one owned buffer it reuses.
///
/// A chunk may be shorter than the chunk size (a short read is not the end); the end
/// of file is the first empty read, after which [`read_chunk`](Reader::read_chunk)
/// keeps returning `Ok(None)`.
///
/// Cancel-safety: [`read_chunk`](Reader::read_chunk) is cancel-safe. The read in
/// flight lives in the `Reader`, not in the future, so the next call resumes it and
/// no data is lost or read twice. Dropping the `Reader` abandons the read to the
/// reactor.
///
/// ```
/// use aiofile_core::{io::{File, Reader}, mem::MemReactor};
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// let reactor: MemReactor<NoopRawMutex, Vec<u8>, 64, 2> = MemReactor::new(b"0123456789");
/// let mut reader = Reader::new(File::new(&reactor, ()), 0, 4, Vec::with_capacity(4)).unwrap();
/// embassy_futures::block_on(async {
///     let mut chunks = Vec::new();
///     while let Some(chunk) = reader.read_chunk().await.unwrap() {
///         chunks.push(chunk.to_vec());
///     }
///     assert_eq!(chunks, [&b"0123"[..], b"4567", b"89"]);
/// });
/// ```
pub struct Reader<R: Reactor> {
    file: File<R>,
    cursor: ReadCursor,
    buf: Option<R::Buf>,
    pending: Pending<R::Buf>,
}

impl<R: Reactor> Reader<R> {
    /// A reader of `chunk_size`-byte chunks from `offset`, filling `buf`.
    ///
    /// # Errors
    /// [`Error::ZeroChunkSize`], or [`Error::BufferTooSmall`] when `buf` cannot hold a
    /// chunk; the buffer comes back with the error.
    pub fn new(
        file: File<R>,
        offset: u64,
        chunk_size: usize,
        buf: R::Buf,
    ) -> Result<Self, (Error, R::Buf)> {
        let cursor = match ReadCursor::new(offset, chunk_size) {
            Ok(c) => c,
            Err(e) => return Err((e.into(), buf)),
        };
        if buf.bytes_total() < chunk_size {
            let capacity = buf.bytes_total();
            return Err((
                Error::BufferTooSmall {
                    needed: chunk_size,
                    capacity,
                },
                buf,
            ));
        }
        Ok(Self {
            file,
            cursor,
            buf: Some(buf),
            pending: Pending::Idle,
        })
    }

    /// Reads no more than `total` bytes from the start offset in all.
    #[must_use]
    pub fn with_limit(mut self, total: u64) -> Self {
        self.cursor = self.cursor.clone().with_limit(total);
        self
    }

    /// File offset of the next chunk.
    pub fn offset(&self) -> u64 {
        self.cursor.offset()
    }

    /// The cursor (state, bytes read so far, ...).
    pub fn cursor(&self) -> &ReadCursor {
        &self.cursor
    }

    /// The next chunk, or `None` at end of file.
    ///
    /// # Errors
    /// The OS error of the read (the reader then stays failed), [`Error::Finished`]
    /// when called again after a failure.
    pub async fn read_chunk(&mut self) -> Result<Option<&[u8]>, Error> {
        let got = poll_fn(|cx| self.poll_fill(cx)).await?;
        Ok(got.then(|| self.chunk()))
    }

    /// Poll form of [`read_chunk`](Reader::read_chunk).
    pub fn poll_read_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<&[u8]>, Error>> {
        let got = ready!(self.poll_fill(cx))?;
        Poll::Ready(Ok(got.then(|| self.chunk())))
    }

    /// The chunk most recently read (empty before the first one).
    pub fn chunk(&self) -> &[u8] {
        self.buf.as_ref().map_or(&[], |b| b.as_slice())
    }

    /// Takes the buffer back (e.g. to reuse it elsewhere). `None` while a read is in
    /// flight.
    pub fn into_buf(mut self) -> Option<R::Buf> {
        if self.pending.is_idle() {
            self.buf.take()
        } else {
            None
        }
    }

    /// Drives one chunk: `Ready(Ok(true))` when one arrived, `Ok(false)` at end of file.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<Result<bool, Error>> {
        if self.pending.is_idle() {
            if let Err(e) = self.start_read() {
                return Poll::Ready(e.map(|()| false));
            }
        }
        let done = ready!(self
            .pending
            .poll(self.file.reactor(), self.file.handle(), cx));
        self.buf = done.buf;
        match self.cursor.handle_completion(done.result) {
            Ok(ReadEvent::Data { .. }) => Poll::Ready(Ok(true)),
            Ok(ReadEvent::Eof { .. }) => Poll::Ready(Ok(false)),
            Err(e) => Poll::Ready(Err(e.into())),
        }
    }

    /// Builds the next read; `Err(Ok(()))` means "nothing to read: end of file".
    fn start_read(&mut self) -> Result<(), Result<(), Error>> {
        let Some(req) = self.cursor.poll_request() else {
            return Err(if self.cursor.is_failed() {
                Err(Error::Finished)
            } else {
                Ok(())
            });
        };
        let mut buf = self.buf.take().ok_or(Err(Error::Finished))?;
        buf.clear();
        match Op::read(buf, req.offset, req.len) {
            Ok(op) => self.pending = Pending::Unsubmitted(op),
            Err((e, buf)) => {
                self.buf = Some(buf);
                let _ = self.cursor.handle_cancel();
                return Err(Err(e));
            }
        }
        Ok(())
    }
}

impl<R: Reactor> Drop for Reader<R> {
    fn drop(&mut self) {
        self.pending.abandon(self.file.reactor());
    }
}
