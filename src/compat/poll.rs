//! [`PollFile`]: a binary file with a position and poll-based reads, writes and seeks.
use std::future::{poll_fn, Future};
use std::io::SeekFrom;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use crate::coop;
use crate::error::{Error, Result};
use crate::file::AioFile;
use crate::reactor::Shared;
use crate::wrappers::BinaryFileWrapper;

type CoreReader = aiofile_core::io::Reader<Shared>;
type CoreWriter = aiofile_core::io::Writer<Shared>;
type Boxed<T> = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

/// What the file is doing. Changed only by the `poll_*` methods.
enum State {
    /// Nothing in flight; `pos` is exact.
    Idle,
    /// Reading ahead: `reader.chunk()[consumed..]` is the data at `pos`.
    Reading {
        reader: CoreReader,
        consumed: usize,
        eof: bool,
    },
    /// Writing behind: accepted bytes may still be in flight.
    Writing(CoreWriter),
    /// Asking the file's length, then setting the position from it.
    Measuring {
        len: Boxed<u64>,
        then: AfterLen,
    },
    /// Closing the wrapper (and the file, if it is the last handle).
    Closing {
        close: Boxed<()>,
        earlier: Option<Error>,
    },
    Closed,
}

/// What a length is for.
#[derive(Clone, Copy, Debug)]
enum AfterLen {
    /// Appending moved the end: the position is the new end.
    Append,
    /// `SeekFrom::End`: the delta is the one `poll_seek` is called with.
    SeekEnd,
}

/// A [`BinaryFileWrapper`] for poll-based I/O: the type the ecosystem traits of
/// [`crate::compat`] are implemented for. See the [module docs](crate::compat) for the
/// states and the cancel-safety of every method.
///
/// Each operation is offered as `poll_x(cx)`; the traits of the enabled features add
/// the usual async and poll forms. Reads go through a read-ahead chunk
/// ([`DEFAULT_CHUNK`](Self::DEFAULT_CHUNK) bytes by default), writes through a
/// write-behind buffer of the same size, one operation in flight at a time.
///
/// **Cooperative budget.** A read served from the read-ahead chunk, or from a chunk the
/// page cache answered at once, is ready on its first poll, so a loop of them would
/// never hand its thread back to the executor. Like the other facade operations,
/// [`poll_read`](Self::poll_read), [`poll_fill_buf`](Self::poll_fill_buf) and
/// [`poll_write`](Self::poll_write) each spend one unit of the thread's budget when
/// they return `Ready`; once 128 have in a row, the next call first returns `Pending`
/// once (its task woken) before it touches anything: no byte consumed or accepted, no
/// operation started or abandoned.
///
/// ```
/// # aiofile::doc_block_on(async {
/// use std::future::poll_fn;
/// use aiofile::compat::PollFile;
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-poll-{}", std::process::id()));
/// let mut file = PollFile::new(aiofile::async_open_binary(&path, "w+b").await?);
/// poll_fn(|cx| file.poll_write(cx, b"hello")).await?;
/// poll_fn(|cx| file.poll_seek(cx, std::io::SeekFrom::Start(1))).await?;
/// let mut buf = [0u8; 8];
/// let n = poll_fn(|cx| file.poll_read(cx, &mut buf)).await?;
/// assert_eq!(&buf[..n], b"ello");
/// poll_fn(|cx| file.poll_close(cx)).await?;
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
pub struct PollFile {
    /// Closed (with its clone count) by `poll_close`; `None` once closing.
    wrapper: Option<BinaryFileWrapper>,
    file: AioFile,
    pos: u64,
    chunk: usize,
    /// A buffer kept between a reader and the next one.
    spare: Option<Vec<u8>>,
    /// A seek started by `tokio::io::AsyncSeek::start_seek`.
    #[cfg(feature = "tokio")]
    pub(super) pending_seek: Option<SeekFrom>,
    state: State,
}

impl std::fmt::Debug for PollFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollFile")
            .field("file", &self.file)
            .field("position", &self.pos)
            .field("chunk", &self.chunk)
            .finish_non_exhaustive()
    }
}

impl From<BinaryFileWrapper> for PollFile {
    fn from(wrapper: BinaryFileWrapper) -> Self {
        Self::new(wrapper)
    }
}

impl PollFile {
    /// Read-ahead and write-behind size by default, in bytes.
    pub const DEFAULT_CHUNK: usize = 65536;

    /// Takes over `wrapper` at its position, with [`DEFAULT_CHUNK`](Self::DEFAULT_CHUNK).
    pub fn new(wrapper: BinaryFileWrapper) -> Self {
        Self {
            file: wrapper.file().clone(),
            pos: wrapper.tell(),
            wrapper: Some(wrapper),
            chunk: Self::DEFAULT_CHUNK,
            spare: None,
            #[cfg(feature = "tokio")]
            pending_seek: None,
            state: State::Idle,
        }
    }

    /// As [`new`](Self::new), reading and writing `chunk` bytes at a time.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a chunk of 0 bytes.
    ///
    /// ```
    /// # aiofile::doc_block_on(async {
    /// # use aiofile::compat::PollFile;
    /// # let path = std::env::temp_dir().join(format!("aiofile-doc-poll1-{}", std::process::id()));
    /// let w = aiofile::async_open_binary(&path, "wb").await?;
    /// assert!(PollFile::with_chunk(w.clone(), 0).is_err());
    /// assert!(PollFile::with_chunk(w, 4096).is_ok());
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), aiofile::Error>(()) }).unwrap();
    /// ```
    pub fn with_chunk(wrapper: BinaryFileWrapper, chunk: usize) -> Result<Self> {
        if chunk == 0 {
            return Err(Error::InvalidInput("chunk size must be at least 1"));
        }
        Ok(Self {
            chunk,
            ..Self::new(wrapper)
        })
    }

    /// The positional file underneath.
    pub fn file(&self) -> &AioFile {
        &self.file
    }

    /// The position as far as this object knows: exact, except after writes in append
    /// mode until the next seek, read or close finds the end of the file.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Flushes and hands back the wrapper, at this object's position.
    ///
    /// # Errors
    /// The flush's error; [`Error::Closed`] once closed.
    pub async fn into_inner(mut self) -> Result<BinaryFileWrapper> {
        poll_fn(|cx| self.poll_idle(cx)).await?;
        let mut wrapper = self.wrapper.take().ok_or(Error::Closed)?;
        wrapper.seek(SeekFrom::Start(self.pos)).await?;
        Ok(wrapper)
    }

    /// Reads up to `buf.len()` bytes at the position (0 only at end of file or for an
    /// empty `buf`) and moves past them.
    ///
    /// # Errors
    /// The OS error (the next call starts a fresh read); [`Error::Closed`].
    pub fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(self.check_open().map(|()| 0));
        }
        ready!(coop::poll_proceed(cx));
        let poll = self.poll_copy_out(cx, buf);
        coop::note(&poll);
        poll
    }

    fn poll_copy_out(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<Result<usize>> {
        let data = ready!(self.poll_fill(cx))?;
        let n = data.len().min(buf.len());
        buf[..n].copy_from_slice(&data[..n]);
        self.consume(n);
        Poll::Ready(Ok(n))
    }

    /// The bytes read ahead at the position, reading a chunk first if there are none;
    /// empty at end of file. [`consume`](Self::consume) moves past them.
    ///
    /// # Errors
    /// As [`poll_read`](Self::poll_read).
    pub fn poll_fill_buf(&mut self, cx: &mut Context<'_>) -> Poll<Result<&[u8]>> {
        ready!(coop::poll_proceed(cx));
        let poll = self.poll_fill(cx);
        coop::note(&poll);
        poll
    }

    /// [`poll_fill_buf`](Self::poll_fill_buf) outside the budget.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<Result<&[u8]>> {
        loop {
            let State::Reading {
                reader,
                consumed,
                eof,
            } = &mut self.state
            else {
                ready!(self.poll_idle(cx))?;
                self.state = self.start_reading()?;
                continue;
            };
            if *consumed < reader.chunk().len() || *eof {
                break;
            }
            match ready!(reader.poll_read_chunk(cx)).map(|chunk| chunk.is_some()) {
                Ok(true) => *consumed = 0,
                Ok(false) => (*consumed, *eof) = (0, true),
                Err(e) => {
                    self.state = State::Idle;
                    return Poll::Ready(Err(e.into()));
                }
            }
        }
        Poll::Ready(Ok(self.buffered()))
    }

    /// The bytes read ahead at the position, without reading (empty if none).
    pub fn buffered(&self) -> &[u8] {
        match &self.state {
            State::Reading {
                reader, consumed, ..
            } => &reader.chunk()[*consumed..],
            _ => &[],
        }
    }

    /// Moves the position past `amt` bytes of [`buffered`](Self::buffered) (at most all
    /// of them).
    pub fn consume(&mut self, amt: usize) {
        if let State::Reading {
            reader, consumed, ..
        } = &mut self.state
        {
            let n = amt.min(reader.chunk().len() - *consumed);
            *consumed += n;
            self.pos += n as u64;
        }
    }

    /// Accepts up to the buffer size of `data` for writing at the position (at the end
    /// of file in append mode) and moves past it. The write completes in the background;
    /// its error, if any, comes from the next write or flush.
    ///
    /// # Errors
    /// The error of an earlier write; [`Error::Closed`].
    pub fn poll_write(&mut self, cx: &mut Context<'_>, data: &[u8]) -> Poll<Result<usize>> {
        if data.is_empty() {
            return Poll::Ready(self.check_open().map(|()| 0));
        }
        ready!(coop::poll_proceed(cx));
        let poll = self.poll_accept(cx, data);
        coop::note(&poll);
        poll
    }

    fn poll_accept(&mut self, cx: &mut Context<'_>, data: &[u8]) -> Poll<Result<usize>> {
        if !matches!(self.state, State::Writing(_)) {
            ready!(self.poll_idle(cx))?;
            let writer = CoreWriter::new(self.file.core()?, self.pos, self.take_buf());
            self.state = State::Writing(writer);
        }
        let State::Writing(writer) = &mut self.state else {
            unreachable!("just set")
        };
        let res = ready!(writer.poll_write(cx, data));
        self.pos = writer.offset();
        if res.is_err() {
            self.state = State::Idle;
        }
        Poll::Ready(res.map_err(Error::from))
    }

    /// Waits until every accepted byte is written (handed to the kernel: no `fsync`;
    /// see [`AioFile::fsync`]).
    ///
    /// # Errors
    /// The first write error since the last flush; [`Error::Closed`].
    pub fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        match &mut self.state {
            State::Writing(writer) => {
                let res = ready!(writer.poll_flush(cx));
                self.pos = writer.offset();
                if res.is_err() {
                    self.state = State::Idle;
                }
                Poll::Ready(res.map_err(Error::from))
            }
            State::Closing { .. } | State::Closed => Poll::Ready(Err(Error::Closed)),
            _ => Poll::Ready(Ok(())),
        }
    }

    /// Moves the position; returns it. Applied only when this returns `Ready`.
    /// `SeekFrom::End` asks the file's length (an `fstat` off the executor).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a position below 0 or past `u64::MAX`; a write error
    /// found while flushing first; [`Error::Closed`].
    pub fn poll_seek(&mut self, cx: &mut Context<'_>, to: SeekFrom) -> Poll<Result<u64>> {
        loop {
            match (&mut self.state, to) {
                (
                    State::Measuring {
                        len,
                        then: AfterLen::SeekEnd,
                    },
                    SeekFrom::End(delta),
                ) => {
                    let len = ready!(len.as_mut().poll(cx));
                    self.state = State::Idle;
                    return Poll::Ready(self.set_pos(len?, delta));
                }
                (State::Reading { .. }, SeekFrom::Start(_) | SeekFrom::Current(_)) => {
                    return Poll::Ready(self.seek_reading(to));
                }
                _ => {}
            }
            ready!(self.poll_idle(cx))?;
            match to {
                SeekFrom::Start(n) => return Poll::Ready(self.set_pos(n, 0)),
                SeekFrom::Current(delta) => return Poll::Ready(self.set_pos(self.pos, delta)),
                SeekFrom::End(_) => self.measure(AfterLen::SeekEnd),
            }
        }
    }

    /// Flushes, then closes the wrapper taken over (which closes the file if no clone
    /// of it is open). The file is closed even if the flush fails; the flush's error
    /// comes first. Closing again is fine.
    ///
    /// # Errors
    /// The flush's or the close's error.
    pub fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        loop {
            match &mut self.state {
                State::Closed => return Poll::Ready(Ok(())),
                State::Closing { close, earlier } => {
                    let res = ready!(close.as_mut().poll(cx));
                    let earlier = earlier.take();
                    self.state = State::Closed;
                    return Poll::Ready(earlier.map_or(res, Err));
                }
                _ => {
                    let earlier = ready!(self.poll_idle(cx)).err();
                    let mut wrapper = self.wrapper.take();
                    let close = Box::pin(async move {
                        match wrapper.as_mut() {
                            Some(w) => w.close().await,
                            None => Ok(()),
                        }
                    });
                    self.state = State::Closing { close, earlier };
                }
            }
        }
    }

    /// Brings the state to `Idle`: drops the read-ahead, flushes a write, finds the end
    /// after appending; drops an unfinished seek from the end (not applied).
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        loop {
            match &mut self.state {
                State::Idle => return Poll::Ready(Ok(())),
                State::Closing { .. } | State::Closed => return Poll::Ready(Err(Error::Closed)),
                State::Reading { .. } => self.stop_reading(),
                State::Writing(_) => {
                    ready!(self.poll_flush(cx))?;
                    if self.file.mode().appending {
                        self.measure(AfterLen::Append);
                    } else {
                        self.state = State::Idle;
                    }
                }
                State::Measuring { len, then } => {
                    let AfterLen::Append = then else {
                        self.state = State::Idle;
                        continue;
                    };
                    let len = ready!(len.as_mut().poll(cx));
                    self.state = State::Idle;
                    self.pos = len?;
                }
            }
        }
    }

    /// A seek while reading ahead: forward within the chunk keeps it.
    fn seek_reading(&mut self, to: SeekFrom) -> Result<u64> {
        let new = match to {
            SeekFrom::Start(n) => n,
            SeekFrom::Current(delta) => offset(self.pos, delta)?,
            SeekFrom::End(_) => unreachable!("only Start and Current come here"),
        };
        match new.checked_sub(self.pos) {
            Some(ahead) if ahead <= self.buffered().len() as u64 => self.consume(ahead as usize),
            _ => {
                self.stop_reading();
                self.pos = new;
            }
        }
        Ok(new)
    }

    fn set_pos(&mut self, base: u64, delta: i64) -> Result<u64> {
        self.pos = offset(base, delta)?;
        Ok(self.pos)
    }

    fn measure(&mut self, then: AfterLen) {
        let file = self.file.clone();
        let len = Box::pin(async move { file.len().await });
        self.state = State::Measuring { len, then };
    }

    fn start_reading(&mut self) -> Result<State> {
        let reader = CoreReader::new(self.file.core()?, self.pos, self.chunk, self.take_buf())
            .map_err(|(e, buf)| {
                self.spare = Some(buf);
                Error::from(e)
            })?;
        Ok(State::Reading {
            reader,
            consumed: 0,
            eof: false,
        })
    }

    /// Drops the read-ahead (a read in flight is abandoned); keeps its buffer if idle.
    fn stop_reading(&mut self) {
        if let State::Reading { reader, .. } = std::mem::replace(&mut self.state, State::Idle) {
            self.spare = reader.into_buf();
        }
    }

    fn take_buf(&mut self) -> Vec<u8> {
        let mut buf = self
            .spare
            .take()
            .unwrap_or_else(|| Vec::with_capacity(self.chunk));
        buf.clear();
        buf
    }

    fn check_open(&self) -> Result<()> {
        match self.state {
            State::Closing { .. } | State::Closed => Err(Error::Closed),
            _ => Ok(()),
        }
    }
}

/// `base + delta`, or an error below 0 or past `u64::MAX`.
fn offset(base: u64, delta: i64) -> Result<u64> {
    base.checked_add_signed(delta).ok_or(Error::InvalidInput(
        "seek to a negative or overflowing position",
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::{Wake, Waker};

    use super::*;

    /// Counts its wake-ups.
    #[derive(Default)]
    struct Wakes(AtomicUsize);

    impl Wake for Wakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Spends the thread's whole budget, as 128 operations ready at once would.
    fn spend_budget() {
        for _ in 0..coop::BUDGET {
            coop::note(&Poll::Ready(()));
        }
    }

    /// Spends the budget, then polls once with a fresh waker: the poll must return
    /// `Pending` having woken that waker exactly once. A fresh waker per check keeps a
    /// late wake from an earlier write-behind (which holds an older waker) out of the
    /// count.
    fn yields_once<T>(poll: impl FnOnce(&mut Context<'_>) -> Poll<T>) {
        let wakes = Arc::new(Wakes::default());
        let waker = Waker::from(wakes.clone());
        spend_budget();
        assert!(poll(&mut Context::from_waker(&waker)).is_pending());
        assert_eq!(
            wakes.0.load(Ordering::Relaxed),
            1,
            "woken once to run again"
        );
    }

    /// With the budget spent, each `poll_*` under it yields once, waking its task,
    /// before it changes anything; the next call then proceeds.
    #[test]
    fn a_spent_budget_yields_once_before_a_read_or_write_starts() {
        let path = std::env::temp_dir().join(format!("aiofile-poll-coop-{}", std::process::id()));
        let mut cx = Context::from_waker(Waker::noop());
        futures::executor::block_on(async {
            let wrapper = crate::async_open_binary(&path, "w+b").await.unwrap();
            let mut file = PollFile::new(wrapper);
            yields_once(|cx| file.poll_write(cx, b"abc"));
            assert_eq!(file.position(), 0, "nothing written before the yield");
            assert!(matches!(
                file.poll_write(&mut cx, b"abc"),
                Poll::Ready(Ok(3))
            ));
            poll_fn(|cx| file.poll_seek(cx, SeekFrom::Start(1)))
                .await
                .unwrap();
            let mut buf = [0u8; 8];
            yields_once(|cx| file.poll_read(cx, &mut buf));
            assert_eq!(file.position(), 1, "nothing read before the yield");
            let n = poll_fn(|cx| file.poll_read(cx, &mut buf)).await.unwrap();
            assert_eq!(&buf[..n], b"bc");
            poll_fn(|cx| file.poll_seek(cx, SeekFrom::Start(0)))
                .await
                .unwrap();
            poll_fn(|cx| file.poll_read(cx, &mut buf[..1]))
                .await
                .unwrap();
            yields_once(|cx| file.poll_fill_buf(cx).map_ok(<[u8]>::to_vec));
            assert_eq!(file.buffered(), b"bc", "the read-ahead is kept");
            let got = poll_fn(|cx| file.poll_fill_buf(cx).map_ok(<[u8]>::to_vec)).await;
            assert_eq!(got.unwrap(), b"bc");
            poll_fn(|cx| file.poll_close(cx)).await.unwrap();
        });
        std::fs::remove_file(&path).unwrap();
    }
}
