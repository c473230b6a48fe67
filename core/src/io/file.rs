//! A positional file over any reactor: no cursor, owned buffers handed back.
use crate::buf::{Completion, IoBufMut, Op};
use crate::error::Error;
use crate::io::OpFuture;
use crate::reactor::Reactor;

/// A file served by reactor `R`: positional reads and writes with owned buffers.
///
/// `File` is cheap to clone when `R` and `R::File` are (a `&Reactor` and `()` for the
/// in-memory reactor, an `Arc` reactor and an `Arc` descriptor in the std facade).
///
/// Cancel-safety of every method: dropping the future before it finishes abandons the
/// operation in flight to the reactor. It still completes (a write may still land),
/// and the buffer moved into the call is freed by the reactor afterwards instead of
/// being handed back.
///
/// ```
/// use aiofile_core::{io::File, mem::MemReactor, IoBuf};
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// let reactor: MemReactor<NoopRawMutex, Vec<u8>, 64, 4> = MemReactor::new(b"");
/// let file = File::new(&reactor, ());
/// embassy_futures::block_on(async {
///     let (res, _) = file.write_all(b"Hello world".to_vec(), 0).await;
///     assert_eq!(res, Ok(11));
///     let (res, buf) = file.read_exact_or_eof(Vec::with_capacity(32), 6, 32).await;
///     assert_eq!((res, buf.as_slice()), (Ok(5), &b"world"[..]));
/// });
/// ```
#[derive(Clone, Debug)]
pub struct File<R: Reactor> {
    reactor: R,
    file: R::File,
}

impl<R: Reactor> File<R> {
    /// A file served by `reactor`, which knows it as `file`.
    pub fn new(reactor: R, file: R::File) -> Self {
        Self { reactor, file }
    }

    /// The reactor.
    pub fn reactor(&self) -> &R {
        &self.reactor
    }

    /// The reactor's handle for this file.
    pub fn handle(&self) -> &R::File {
        &self.file
    }

    /// Submits one raw operation.
    pub fn submit(&self, op: Op<R::Buf>) -> OpFuture<'_, R> {
        OpFuture::new(&self.reactor, &self.file, op)
    }

    /// One positional read of up to `len` bytes at `offset`, appended after `buf`'s
    /// initialised bytes. Returns the bytes read: fewer than `len` is a short read, 0
    /// is end of file.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `buf` cannot take `len` more bytes; the OS error.
    pub async fn read(
        &self,
        buf: R::Buf,
        offset: u64,
        len: usize,
    ) -> (Result<usize, Error>, R::Buf) {
        match Op::read(buf, offset, len) {
            Ok(op) => unpack(self.submit(op).await),
            Err((e, buf)) => (Err(e), buf),
        }
    }

    /// Reads until `len` bytes have been appended to `buf` or end of file, looping over
    /// short reads. Returns the bytes read.
    ///
    /// # Errors
    /// As [`read`](File::read). On an error the bytes read so far stay in `buf`.
    pub async fn read_exact_or_eof(
        &self,
        mut buf: R::Buf,
        offset: u64,
        len: usize,
    ) -> (Result<usize, Error>, R::Buf) {
        let mut done = 0;
        while done < len {
            let (res, b) = self.read(buf, offset + done as u64, len - done).await;
            buf = b;
            match res {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) => return (Err(e), buf),
            }
        }
        (Ok(done), buf)
    }

    /// Writes all of `buf`'s initialised bytes at `offset`, resubmitting the remainder
    /// after short writes. Returns the bytes written (all of them).
    ///
    /// # Errors
    /// [`Error::WriteZero`] when a write stores nothing; the OS error.
    pub async fn write_all(&self, buf: R::Buf, offset: u64) -> (Result<usize, Error>, R::Buf) {
        crate::io::write_all(self, buf, offset, 0).await
    }

    /// Like [`write_all`](File::write_all) for `buf[skip..]`: the first `skip`
    /// initialised bytes are not written (e.g. filler that aligns the data's address).
    ///
    /// # Errors
    /// As [`write_all`](File::write_all); [`Error::BufferTooSmall`] when `skip` exceeds
    /// the initialised bytes.
    pub async fn write_from(
        &self,
        buf: R::Buf,
        offset: u64,
        skip: usize,
    ) -> (Result<usize, Error>, R::Buf) {
        crate::io::write_all(self, buf, offset, skip).await
    }

    /// Flushes data and metadata (`fsync`).
    ///
    /// # Errors
    /// The OS error.
    pub async fn fsync(&self) -> Result<(), Error> {
        let c = self.submit(Op::fsync()).await;
        c.result.map(drop).map_err(Error::Os)
    }

    /// Flushes data (`fdatasync`).
    ///
    /// # Errors
    /// The OS error.
    pub async fn fdatasync(&self) -> Result<(), Error> {
        let c = self.submit(Op::fdatasync()).await;
        c.result.map(drop).map_err(Error::Os)
    }
}

/// Splits a read or write completion into the `(result, buffer)` pair.
pub(crate) fn unpack<B: IoBufMut>(c: Completion<B>) -> (Result<usize, Error>, B) {
    let buf = c
        .buf
        .expect("read and write completions carry their buffer");
    (c.result.map_err(Error::Os), buf)
}
