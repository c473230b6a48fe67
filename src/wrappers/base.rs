//! [`Base`]: what both wrappers share: the open file, the position, the read-ahead and
//! the open count shared by clones.
use std::io::SeekFrom;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use memchr::memmem;

use super::ahead::ReadAhead;
use crate::error::{Error, Result};
use crate::file::AioFile;

/// Bytes a readline asks for at a time (the read-ahead).
pub(crate) const READ_AHEAD: usize = 8192;
/// Most bytes asked for in one read when reading a lot.
const MAX_STEP: usize = 16 << 20;

/// State shared by a wrapper and its clones.
#[derive(Debug)]
struct Shared {
    /// Wrappers not closed yet (clones included); the last `close` closes the file.
    open: AtomicUsize,
    /// Writes made through any of them, so read-ahead bytes of the others go stale.
    writes: AtomicU64,
}

/// A cursor over an [`AioFile`]; the typed wrappers add bytes or text on top.
#[derive(Debug)]
pub(crate) struct Base {
    file: AioFile,
    shared: Arc<Shared>,
    pos: u64,
    ahead: ReadAhead,
    closed: bool,
}

impl Base {
    /// Opens `file` if needed and puts the position at 0, or at the end of the file in
    /// append mode (read now, at open). `binary` is what the caller expects of the mode.
    pub(crate) async fn open(file: AioFile, binary: bool) -> Result<Self> {
        let mode = file.mode();
        if mode.binary != binary {
            let expected = if binary { "binary" } else { "text" };
            return Err(Error::WrongMode { mode, expected });
        }
        file.ensure_open().await?;
        let pos = if mode.appending { file.len().await? } else { 0 };
        let shared = Shared {
            open: AtomicUsize::new(1),
            writes: AtomicU64::new(0),
        };
        Ok(Self {
            file,
            shared: Arc::new(shared),
            pos,
            ahead: ReadAhead::default(),
            closed: false,
        })
    }

    pub(crate) fn file(&self) -> &AioFile {
        &self.file
    }

    pub(crate) fn tell(&self) -> u64 {
        self.pos
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// Starts an operation: fails once closed, drops read-ahead bytes made stale by a
    /// write through a clone.
    pub(crate) fn check(&mut self) -> Result<()> {
        if self.closed {
            return Err(Error::Closed);
        }
        if self.ahead.generation() != self.shared.writes.load(Ordering::Acquire) {
            self.ahead.clear();
        }
        Ok(())
    }

    /// The bytes read ahead of the position.
    pub(crate) fn ahead(&self) -> &[u8] {
        self.ahead.data()
    }

    /// Hands out the next `n` read-ahead bytes and moves the position past them.
    pub(crate) fn take(&mut self, n: usize) -> Vec<u8> {
        self.pos += n as u64;
        self.ahead.take(n)
    }

    /// Moves the position past the next `n` read-ahead bytes.
    pub(crate) fn consume(&mut self, n: usize) {
        self.pos += n as u64;
        self.ahead.consume(n);
    }

    /// How many bytes the next read asks for: `hint` (clamped) when the caller knows how
    /// many it needs, else twice as many as already read ahead.
    pub(crate) fn step(&self, hint: Option<usize>) -> usize {
        hint.unwrap_or(self.ahead.len()).clamp(READ_AHEAD, MAX_STEP)
    }

    /// Appends up to `want` bytes to the read-ahead; `Ok(true)` at end of file (fewer
    /// came). On an error the bytes read so far are kept.
    pub(crate) async fn read_more(&mut self, want: usize) -> Result<bool> {
        let generation = if self.ahead.len() > 0 {
            self.ahead.generation()
        } else {
            self.shared.writes.load(Ordering::Acquire)
        };
        let mut buf = self.ahead.vec_for_append();
        let at = self.pos + buf.len() as u64;
        if buf.try_reserve(want).is_err() {
            self.ahead.restore(buf, generation);
            return Err(Error::InvalidInput("read too large to allocate"));
        }
        let core = match self.file.core() {
            Ok(core) => core,
            Err(e) => {
                self.ahead.restore(buf, generation);
                return Err(e);
            }
        };
        let (res, buf) = core.read_exact_or_eof(buf, at, want).await;
        self.ahead.restore(buf, generation);
        Ok(res? < want)
    }

    /// Reads ahead until `n` bytes are there or the file ends.
    pub(crate) async fn fill_to(&mut self, n: usize) -> Result<()> {
        while self.ahead.len() < n {
            let hint = (n != usize::MAX).then(|| n - self.ahead.len());
            if self.read_more(self.step(hint)).await? {
                break;
            }
        }
        Ok(())
    }

    /// Reads ahead until a line is there; returns its length in bytes: through the first
    /// `sep`, or `limit` bytes, or up to the end of file, whichever comes first.
    pub(crate) async fn scan_line(&mut self, sep: &[u8], limit: usize) -> Result<usize> {
        if sep.is_empty() {
            return Err(Error::InvalidInput("newline must not be empty"));
        }
        let finder = memmem::Finder::new(sep);
        let (mut from, mut eof) = (0, false);
        loop {
            let data = self.ahead.data();
            let end = data.len().min(limit);
            if let Some(i) = finder.find(&data[from..end]) {
                return Ok(from + i + sep.len());
            }
            if data.len() >= limit || eof {
                return Ok(end);
            }
            from = end.saturating_sub(sep.len() - 1).max(from);
            eof = self.read_more(self.step(None)).await?;
        }
    }

    /// Writes `data` at the position (at the end of file in append mode). The position
    /// moves only when the write succeeds: past the data, or in append mode to the end of
    /// file right after the write.
    pub(crate) async fn write(&mut self, data: &[u8]) -> Result<usize> {
        self.check()?;
        if data.is_empty() {
            return Ok(0);
        }
        self.invalidate();
        let res = self.file.write(data, self.pos).await;
        self.invalidate();
        let n = res?;
        self.pos = if self.file.mode().appending {
            self.file.len().await?
        } else {
            self.pos + n as u64
        };
        Ok(n)
    }

    /// Forgets the read-ahead here and makes it stale in every clone.
    fn invalidate(&mut self) {
        self.shared.writes.fetch_add(1, Ordering::AcqRel);
        self.ahead.clear();
    }

    /// Moves the position; returns it. Read-ahead bytes survive a forward seek into them.
    pub(crate) async fn seek(&mut self, to: SeekFrom) -> Result<u64> {
        self.check()?;
        let new = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.file.len().await?.checked_add_signed(d),
        };
        let new = new.ok_or(Error::InvalidInput(
            "seek to a negative or overflowing position",
        ))?;
        match new.checked_sub(self.pos) {
            Some(d) if d <= self.ahead.len() as u64 => self.ahead.consume(d as usize),
            _ => self.ahead.clear(),
        }
        self.pos = new;
        Ok(new)
    }

    /// `fsync` with `sync_metadata`, else `fdatasync`.
    pub(crate) async fn flush(&mut self, sync_metadata: bool) -> Result<()> {
        self.check()?;
        if sync_metadata {
            self.file.fsync().await
        } else {
            self.file.fdsync().await
        }
    }

    /// Closes this wrapper; the last open one closes the file. Twice is fine.
    pub(crate) async fn close(&mut self) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        self.ahead.clear();
        if self.shared.open.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.file.close().await?;
        }
        Ok(())
    }

    /// For a stream that starts at the position and moves it: the file and the position.
    /// The read-ahead is dropped (the stream reads for itself).
    pub(crate) fn start_stream(&mut self) -> Result<(&AioFile, &mut u64)> {
        self.check()?;
        self.ahead.clear();
        Ok((&self.file, &mut self.pos))
    }
}

impl Clone for Base {
    /// Another cursor on the same open file, at the same position.
    fn clone(&self) -> Self {
        if !self.closed {
            self.shared.open.fetch_add(1, Ordering::AcqRel);
        }
        Self {
            file: self.file.clone(),
            shared: Arc::clone(&self.shared),
            pos: self.pos,
            ahead: ReadAhead::default(),
            closed: self.closed,
        }
    }
}

impl Drop for Base {
    /// A wrapper dropped without `close` stops counting as open. If it was the last one
    /// the file is not synced; its descriptor closes once no handle uses it.
    fn drop(&mut self) {
        if !self.closed {
            self.shared.open.fetch_sub(1, Ordering::AcqRel);
        }
    }
}
