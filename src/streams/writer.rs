//! [`Writer`]: sequential writes from an offset, one write behind.
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use aiofile_core::cursor::{WriteCursor, WriteEvent};
use aiofile_core::{Completion, Errno, Op, Reactor, Submit};
use futures::Sink;

use crate::error::{Error, Result};
use crate::file::{AioFile, CoreFile};
use aiofile_core::io::Pending;

/// Writes data one piece after the other from an offset: the reference's `Writer`,
/// with the write of each piece overlapping the caller's next step.
///
/// # What `write` guarantees
/// [`write`](Writer::write) *accepts* its data and returns without waiting for it to be
/// written (write-behind): when it returns `Ok(n)`, all `n` bytes were copied into the
/// writer and handed to the kernel as **one** write at the next offset, and the write
/// before it has **finished successfully**. At most one write is in flight; writes land
/// in the order they were accepted. An error of a write in flight is reported by the
/// next call (`write`, [`write_buf`](Writer::write_buf), [`flush`](Writer::flush), or
/// the `Sink` methods), and by every call after it: a failed writer stays failed.
/// [`flush`](Writer::flush) waits until everything accepted is written: call it before
/// reading the data back, before `fsync`, and before dropping the writer. (The
/// reference's `await writer(data)` waited for each write; here the wait is moved to
/// the next call, so the kernel writes while the caller prepares the next piece.)
///
/// `write` takes bytes or text alike (`&[u8]`, `Vec<u8>`, `&str`, `String`: the UTF-8
/// bytes of text are written) and copies them, into one of two buffers the writer
/// reuses (no allocation per write once they are as large as the writes, up to
/// [`BUFFER`](Writer::BUFFER) bytes). The copy runs while the previous write is still in
/// flight. [`write_buf`](Writer::write_buf) writes an owned `Vec<u8>` without copying it
/// and hands back the buffer of the previous write to fill next. The writer also is a [`futures::Sink`] of
/// anything `AsRef<[u8]>`. Short writes are continued until the data is all written;
/// a write that stores nothing fails with [`Error::WriteZero`].
///
/// In append mode the kernel puts every write at the end of the file whatever the
/// offset says, so [`offset`](Writer::offset) only counts bytes.
///
/// Cancel-safety: dropping a `write` future before it returns accepts nothing of its
/// data (the write it was waiting for stays in flight and the next call waits for it).
/// Dropping the writer leaves the write in flight to the reactor, which still performs
/// it, but its error is lost: flush first.
///
/// ```
/// # aiofile::doc_block_on(async {
/// use aiofile::{AioFile, Writer};
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-writer-{}", std::process::id()));
/// let file = AioFile::open(&path, "w+b").await?;
/// let mut writer = Writer::new(&file, 0)?;
/// assert_eq!(writer.write(b"Hello ").await?, 6); // accepted, maybe still in flight
/// writer.write("wörld").await?;                  // "Hello " is written now
/// assert_eq!(writer.offset(), 12);
/// writer.flush().await?;                         // everything is written now
/// assert_eq!(file.read_to_end(0).await?, "Hello wörld".as_bytes());
/// # file.close().await?; std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
pub struct Writer {
    file: AioFile,
    core: CoreFile,
    /// The write in flight's progress (short writes, errors).
    cursor: WriteCursor,
    flight: Pending<Vec<u8>>,
    /// File offset of the next accepted byte.
    offset: u64,
    /// The first error, reported by every call from then on.
    failed: Option<aiofile_core::Error>,
    /// Where `write` copies the next piece.
    spare: Vec<u8>,
    /// The buffer of the last finished write, as it was (handed out by `write_buf`).
    back: Vec<u8>,
    /// Writeback hints, when asked for with `writeback_every`.
    writeback: Writeback,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("file", &self.file)
            .field("offset", &self.offset)
            .field("in_flight", &!self.flight.is_idle())
            .field("failed", &self.failed)
            .finish()
    }
}

impl Writer {
    /// The largest buffer the writer keeps for reuse between writes. A larger write is
    /// still one write, through a buffer allocated for it and freed afterwards.
    pub const BUFFER: usize = 4 << 20;

    /// A writer starting at `offset`.
    ///
    /// # Errors
    /// [`Error::NotOpened`], [`Error::Closed`].
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-writer0-{}", std::process::id()));
    /// let file = aiofile::AioFile::open(&path, "wb").await?;
    /// let writer = aiofile::Writer::new(&file, 100)?;
    /// assert_eq!(writer.offset(), 100);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn new(file: &AioFile, offset: u64) -> Result<Self> {
        Ok(Self {
            core: file.core()?,
            file: file.clone(),
            cursor: WriteCursor::new(offset),
            flight: Pending::Idle,
            offset,
            failed: None,
            spare: Vec::new(),
            back: Vec::new(),
            writeback: Writeback::new(offset),
        })
    }

    /// After every `bytes` written, starts the device writing them (a writeback hint,
    /// [`AioFile::start_writeback`]) without waiting for it: what RocksDB calls
    /// `bytes_per_sync`. Off (0) by default, as in the reference. Worth it when the file
    /// will be synced (an `fsync` at the end then has only the last piece left to write)
    /// or when a long stream should not pile up dirty pages; not for scratch files that
    /// are deleted before the kernel would write them anyway. The hints run on the
    /// reactor's fallback or workers, never on the executor; one that finds the reactor
    /// full is skipped and its bytes go with the next one. A hint's error is not
    /// reported: the next `fsync` reports a failed writeback. In append mode the hints
    /// cover the writer's own [`offset`](Writer::offset) count, which is not where the
    /// kernel put the data unless the file started empty.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-writer5-{}", std::process::id()));
    /// let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// let mut writer = aiofile::Writer::new(&file, 0)?.writeback_every(4 << 20);
    /// let chunk = vec![b'a'; 1 << 20];
    /// for _ in 0..9 {
    ///     writer.write(&chunk).await?;
    /// }
    /// writer.flush().await?;
    /// assert_eq!(writer.writebacks(), 2); // after 4 MiB and 8 MiB
    /// file.fsync().await?;
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    #[must_use]
    pub fn writeback_every(mut self, bytes: u64) -> Self {
        self.writeback.every = bytes;
        self
    }

    /// Writeback hints started so far (see [`writeback_every`](Writer::writeback_every)).
    pub fn writebacks(&self) -> u64 {
        self.writeback.started
    }

    /// File offset where the next byte will go: the start offset plus every byte
    /// accepted.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-writer1-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "wb").await?;
    /// let mut writer = aiofile::Writer::new(&file, 0)?;
    /// writer.write("한글").await?;
    /// assert_eq!(writer.offset(), 6);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Accepts all of `data` as one write at the writer's offset and returns its length
    /// once the *previous* write has finished; this one may still be in flight (see
    /// [what `write` guarantees](Writer#what-write-guarantees)). Empty data writes
    /// nothing and waits for nothing.
    ///
    /// # Errors
    /// The error of the previous write (OS error, [`Error::WriteZero`]), or of any
    /// earlier one: a failed writer keeps failing; [`Error::Closed`] once the file is
    /// closed. `data` is then not accepted.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-writer2-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// let mut writer = aiofile::Writer::new(&file, 0)?;
    /// let chunk = vec![b'a'; 1 << 20];
    /// for _ in 0..4 {
    ///     writer.write(&chunk).await?; // one 1 MiB write each, one in flight
    /// }
    /// writer.flush().await?;
    /// assert_eq!(file.len().await?, 4 << 20);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn write(&mut self, data: impl AsRef<[u8]>) -> Result<usize> {
        let data = data.as_ref();
        self.check_usable()?;
        if data.is_empty() {
            return Ok(0);
        }
        // Copy while the previous write is still running.
        self.stage(data);
        poll_fn(|cx| self.poll_settle(cx)).await?;
        self.launch_staged()?;
        Ok(data.len())
    }

    /// Zero-copy [`write`](Writer::write): accepts `buf`'s bytes as one write (the same
    /// guarantees) and hands back a spare buffer to fill next: the buffer of the last
    /// finished write, as it was (its bytes are still in it: clear it before refilling
    /// it), or an empty one with no capacity when there is none yet. Passing the returned
    /// buffers back in turn keeps two buffers alive and allocates nothing.
    ///
    /// # Errors
    /// As [`write`](Writer::write); `buf` itself then comes back, not accepted.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-writer4-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// let mut writer = aiofile::Writer::new(&file, 0)?;
    /// let mut buf = Vec::with_capacity(64);
    /// for i in 0..3u8 {
    ///     buf.clear();
    ///     buf.extend_from_slice(&[b'0' + i; 4]); // produce the next piece in place
    ///     let (res, spare) = writer.write_buf(buf).await;
    ///     res?;
    ///     buf = spare;
    /// }
    /// writer.flush().await?;
    /// assert_eq!(file.read_to_end(0).await?, b"000011112222");
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn write_buf(&mut self, buf: Vec<u8>) -> (Result<usize>, Vec<u8>) {
        if let Err(e) = self.check_usable() {
            return (Err(e), buf);
        }
        if buf.is_empty() {
            return (Ok(0), buf);
        }
        if let Err(e) = poll_fn(|cx| self.poll_settle(cx)).await {
            return (Err(e), buf);
        }
        let n = buf.len();
        match self.launch(buf) {
            Ok(()) => (Ok(n), std::mem::take(&mut self.back)),
            Err((e, buf)) => (Err(e), buf),
        }
    }

    /// Waits until everything accepted is written (it does not `fsync`).
    ///
    /// # Errors
    /// As [`write`](Writer::write).
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-writer3-{}", std::process::id()));
    /// # let file = aiofile::AioFile::open(&path, "w+b").await?;
    /// let mut writer = aiofile::Writer::new(&file, 0)?;
    /// let n = std::future::poll_fn(|cx| writer.poll_write(cx, b"queued")).await?;
    /// writer.flush().await?;
    /// assert_eq!(file.read_to_end(0).await?, &b"queued"[..n]);
    /// # file.close().await?; std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub async fn flush(&mut self) -> Result<()> {
        poll_fn(|cx| self.poll_flush(cx)).await
    }

    /// Poll form of [`write`](Writer::write): waits for the previous write, then accepts
    /// all of `data` as one write and returns its length. (Unlike `write`, the copy is
    /// made after the wait, since `data` may differ from one poll to the next.)
    ///
    /// # Errors
    /// As [`write`](Writer::write).
    pub fn poll_write(&mut self, cx: &mut Context<'_>, data: &[u8]) -> Poll<Result<usize>> {
        self.check_usable()?;
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        ready!(self.poll_settle(cx))?;
        self.stage(data);
        self.launch_staged()?;
        Poll::Ready(Ok(data.len()))
    }

    /// Poll form of [`flush`](Writer::flush).
    pub fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.check_open()?;
        self.poll_settle(cx)
    }

    /// Drives the write in flight (and the rest of it after short writes) to its end.
    fn poll_settle(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        while let Some(done) =
            ready!(self
                .flight
                .poll_next(self.core.reactor(), self.core.handle(), cx))
        {
            self.handle_completion(done);
        }
        Poll::Ready(self.failure())
    }

    /// Copies `data` into the spare buffer.
    fn stage(&mut self, data: &[u8]) {
        self.spare.clear();
        self.spare.extend_from_slice(data);
    }

    /// Starts writing the spare buffer (the flight is idle); the last finished write's
    /// buffer becomes the spare one.
    fn launch_staged(&mut self) -> Result<()> {
        let mut next = std::mem::take(&mut self.back);
        if next.capacity() > Self::BUFFER {
            next = Vec::new();
        }
        let staged = std::mem::replace(&mut self.spare, next);
        self.launch(staged).map_err(|(e, _)| e)
    }

    /// Starts writing all of `buf` at the offset (the flight is idle).
    fn launch(&mut self, buf: Vec<u8>) -> std::result::Result<(), (Error, Vec<u8>)> {
        let len = buf.len();
        if let Err(e) = self.cursor.begin(len) {
            return Err((aiofile_core::Error::from(e).into(), buf));
        }
        let Some(req) = self.cursor.poll_request() else {
            return Ok(()); // empty: nothing to do
        };
        let op = match Op::write(buf, req.offset, req.start) {
            Ok(op) => op,
            Err((e, buf)) => {
                let _ = self.cursor.handle_cancel();
                return Err((e.into(), buf));
            }
        };
        self.offset += len as u64;
        if let Some(done) = self
            .flight
            .start(self.core.reactor(), self.core.handle(), op)
        {
            self.handle_completion(done);
        }
        Ok(())
    }

    /// Takes a write's completion: resubmits the rest after a short write, records a
    /// failure, keeps the buffer once done.
    fn handle_completion(&mut self, done: Completion<Vec<u8>>) {
        let Some(mut buf) = done.buf else {
            self.failed = Some(aiofile_core::Error::Os(Errno::EIO));
            return;
        };
        match self.cursor.handle_completion(done.result) {
            // Everything accepted is written now: up to `offset`.
            Ok(WriteEvent::Done { .. }) => self.writeback.handle_written(self.offset, &self.core),
            Ok(WriteEvent::Progress { .. }) => {
                if let Some(req) = self.cursor.poll_request() {
                    match Op::write(buf, req.offset, req.start) {
                        Ok(op) => {
                            self.flight = Pending::Unsubmitted(op);
                            return;
                        }
                        Err((e, b)) => {
                            self.failed = Some(e);
                            buf = b;
                        }
                    }
                }
            }
            Err(e) => self.failed = Some(e.into()),
        }
        self.back = buf;
    }

    /// The recorded failure, if any.
    fn failure(&self) -> Result<()> {
        match self.failed {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    fn check_open(&self) -> Result<()> {
        if self.file.is_closed() {
            return Err(Error::Closed);
        }
        Ok(())
    }

    /// Open and not failed.
    fn check_usable(&self) -> Result<()> {
        self.check_open()?;
        self.failure()
    }
}

/// When to send writeback hints, and what the last one covered.
#[derive(Debug)]
struct Writeback {
    /// Bytes between hints; 0: never.
    every: u64,
    /// First byte no hint covered yet.
    from: u64,
    started: u64,
}

impl Writeback {
    fn new(offset: u64) -> Self {
        Self {
            every: 0,
            from: offset,
            started: 0,
        }
    }

    /// Everything before `end` is written: hint the range since the last hint once it
    /// is `every` bytes long. Fire and forget: the reactor runs an abandoned hint to its
    /// end on its own.
    fn handle_written(&mut self, end: u64, core: &CoreFile) {
        let len = end.saturating_sub(self.from);
        if self.every == 0 || len < self.every {
            return;
        }
        let Ok(n) = usize::try_from(len) else { return };
        let reactor = core.reactor();
        match reactor.try_submit(core.handle(), Op::writeback(self.from, n)) {
            Submit::Queued(ticket) => reactor.abandon(ticket),
            Submit::Done(_) => {}
            Submit::Full(_) => return, // the next hint covers this range too
        }
        self.from = end;
        self.started += 1;
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.flight.detach(self.core.reactor(), self.core.handle());
    }
}

impl<T: AsRef<[u8]>> Sink<T> for Writer {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        Writer::poll_flush(self.get_mut(), cx)
    }

    /// Accepts the item as one write (copied); `poll_ready` must have returned
    /// `Ready(Ok(()))` first.
    fn start_send(self: Pin<&mut Self>, item: T) -> Result<()> {
        let this = self.get_mut();
        this.check_usable()?;
        let data = item.as_ref();
        if data.is_empty() {
            return Ok(());
        }
        if !this.flight.is_idle() {
            return Err(Error::InvalidInput("start_send before poll_ready"));
        }
        this.stage(data);
        this.launch_staged()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        Writer::poll_flush(self.get_mut(), cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        Writer::poll_flush(self.get_mut(), cx)
    }
}
