//! [`LineReader`]: lines with any separator, read chunk by chunk.
use core::future::poll_fn;
use core::task::{ready, Context, Poll};

use crate::error::Error;
use crate::io::{File, Reader};
use crate::lines::{Line, LineSplitter};
use crate::reactor::Reactor;

/// Reads lines separated by any 1 to 16 byte separator, through a
/// [`LineSplitter`] of `N` bytes and a [`Reader`] of chunks.
///
/// The lines do not depend on the chunk size (the reference's do). A line keeps its
/// separator ([`Line::content`] strips it); the last line may lack one. A line longer
/// than `N` bytes comes in [`Partial`](crate::lines::LineEnd::Partial) pieces that
/// concatenate to the line: nothing is cut or lost.
///
/// Cancel-safety: [`next_line`](LineReader::next_line) is cancel-safe (the read in
/// flight stays in the reader).
///
/// ```
/// use aiofile_core::{io::{File, LineReader}, mem::MemReactor};
/// use embassy_sync::blocking_mutex::raw::NoopRawMutex;
/// let reactor: MemReactor<NoopRawMutex, Vec<u8>, 64, 2> = MemReactor::new(b"ab||cd||ef");
/// let file = File::new(&reactor, ());
/// let mut lines = LineReader::<_, 32>::new(file, 0, 3, b"||", Vec::with_capacity(3)).unwrap();
/// embassy_futures::block_on(async {
///     let mut got = Vec::new();
///     while let Some(line) = lines.next_line().await.unwrap() {
///         got.push(line.bytes().to_vec());
///     }
///     assert_eq!(got, [&b"ab||"[..], b"cd||", b"ef"]);
/// });
/// ```
pub struct LineReader<R: Reactor, const N: usize> {
    reader: Reader<R>,
    splitter: LineSplitter<N>,
    /// Bytes of the current chunk already handed to the splitter.
    fed: usize,
    /// File offset just past the last line returned.
    offset: u64,
    /// Whether `splitter.last_line()` is a line not yet returned by `poll_line`.
    fresh: bool,
}

impl<R: Reactor, const N: usize> LineReader<R, N> {
    /// Lines from file `offset`, read in `chunk_size` chunks into `buf`.
    ///
    /// # Errors
    /// [`Error::BadSeparator`] (empty, longer than 16 bytes, or more than half of `N`),
    /// and the errors of [`Reader::new`]; the buffer comes back with the error.
    pub fn new(
        file: File<R>,
        offset: u64,
        chunk_size: usize,
        separator: &[u8],
        buf: R::Buf,
    ) -> Result<Self, (Error, R::Buf)> {
        let splitter = match LineSplitter::new(separator) {
            Ok(s) => s,
            Err(_) => return Err((Error::BadSeparator, buf)),
        };
        let reader = Reader::new(file, offset, chunk_size, buf)?;
        Ok(Self {
            reader,
            splitter,
            fed: 0,
            offset,
            fresh: false,
        })
    }

    /// File offset just past the last line (or piece) returned.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The next line (or piece of an over-long line), `None` after the last one.
    ///
    /// # Errors
    /// The read's error.
    pub async fn next_line(&mut self) -> Result<Option<Line<'_>>, Error> {
        poll_fn(|cx| self.poll_progress(cx)).await?;
        Ok(self.take())
    }

    /// Poll form of [`next_line`](LineReader::next_line).
    pub fn poll_line(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Line<'_>>, Error>> {
        ready!(self.poll_progress(cx))?;
        Poll::Ready(Ok(self.take()))
    }

    fn take(&mut self) -> Option<Line<'_>> {
        if !core::mem::take(&mut self.fresh) {
            return None;
        }
        let line = self.splitter.last_line()?;
        self.offset += line.bytes().len() as u64;
        Some(line)
    }

    /// Reads and splits until a line is ready (`fresh`) or the input is exhausted.
    fn poll_progress(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        loop {
            if self.splitter.poll_line().is_some() {
                self.fresh = true;
                return Poll::Ready(Ok(()));
            }
            if self.splitter.is_finished() {
                return Poll::Ready(Ok(()));
            }
            let chunk = self.reader.chunk();
            if self.fed < chunk.len() {
                self.fed += self.splitter.handle_input(&chunk[self.fed..]);
                continue;
            }
            match ready!(self.reader.poll_read_chunk(cx))? {
                Some(_) => self.fed = 0,
                None => self.splitter.handle_eof(),
            }
        }
    }
}
