//! Which reactor serves a file, and why.
//!
//! Order of precedence: the per-file [`OpenOptions::reactor`](crate::OpenOptions::reactor),
//! then the process-wide [`set_default_reactor`], then the `AIOFILE_REACTOR`
//! environment variable (`uring`, `aio` or `threads`), then automatic choice: the best
//! backend available on this machine. A requested backend that is unavailable falls
//! back to the next one with a message on stderr (once per process and backend) and the
//! reason in [`ReactorInfo`]; an unknown name in `AIOFILE_REACTOR` is an error.
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};

use aiofile_core::{Completion, Op, Reactor, Submit, Ticket};
use aiofile_reactor_threads::{FileRef, ThreadReactor};

use crate::error::{Error, Result};

/// The backends aiofile can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReactorKind {
    /// io_uring (Linux 5.6+): asynchronous for buffered and O_DIRECT I/O.
    Uring,
    /// Linux kernel AIO: asynchronous for O_DIRECT; buffered reads use `RWF_NOWAIT` and
    /// fall back to the thread pool.
    Aio,
    /// A pool of worker threads doing `pread`/`pwrite`: works everywhere.
    Threads,
}

impl ReactorKind {
    /// The name used by `AIOFILE_REACTOR`.
    ///
    /// ```
    /// use aiofile::ReactorKind;
    /// assert_eq!(ReactorKind::Threads.name(), "threads");
    /// assert_eq!("uring".parse::<ReactorKind>().unwrap(), ReactorKind::Uring);
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            ReactorKind::Uring => "uring",
            ReactorKind::Aio => "aio",
            ReactorKind::Threads => "threads",
        }
    }
}

impl fmt::Display for ReactorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ReactorKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "uring" | "io_uring" => Ok(ReactorKind::Uring),
            "aio" | "linux" | "kernel-aio" => Ok(ReactorKind::Aio),
            "threads" | "thread" => Ok(ReactorKind::Threads),
            _ => Err(Error::InvalidInput(
                "unknown reactor name (expected uring, aio or threads)",
            )),
        }
    }
}

/// Which reactor serves a file and why it was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReactorInfo {
    /// The backend in use.
    pub kind: ReactorKind,
    /// Why: e.g. "AIOFILE_REACTOR=threads", "automatic: io_uring available",
    /// "requested uring: unavailable (EPERM), fell back to threads".
    pub reason: String,
}

impl fmt::Display for ReactorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.kind, self.reason)
    }
}

/// Every backend behind one [`Reactor`] implementation, so one file type serves all.
pub(crate) enum AnyReactor {
    Threads(ThreadReactor<Vec<u8>>),
}

macro_rules! dispatch {
    ($self:ident, $r:ident => $e:expr) => {
        match $self {
            AnyReactor::Threads($r) => $e,
        }
    };
}

impl Reactor for AnyReactor {
    type Buf = Vec<u8>;
    type File = FileRef;
    fn try_submit(&self, file: &FileRef, op: Op<Vec<u8>>) -> Submit<Vec<u8>> {
        dispatch!(self, r => r.try_submit(file, op))
    }
    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<()> {
        dispatch!(self, r => r.poll_ready(cx))
    }
    fn poll_complete(&self, t: &Ticket, cx: &mut Context<'_>) -> Poll<Completion<Vec<u8>>> {
        dispatch!(self, r => r.poll_complete(t, cx))
    }
    fn abandon(&self, t: Ticket) {
        dispatch!(self, r => r.abandon(t))
    }
}

impl AnyReactor {
    /// Slots in use (queued, running, finished but uncollected, orphans still running).
    fn in_use_slots(&self) -> usize {
        dispatch!(self, r => r.in_use_slots())
    }
}

/// For tests: slots in use in the process-wide reactors started so far (0 if none).
/// Once every operation has finished, only futures leaked with `mem::forget` after
/// submitting still hold one.
#[doc(hidden)]
pub fn debug_in_use_slots() -> usize {
    THREADS
        .get()
        .and_then(|r| r.as_ref().ok())
        .map_or(0, |r| r.in_use_slots())
}

/// A process-wide shared reactor.
pub(crate) type Shared = Arc<AnyReactor>;

static OVERRIDE: Mutex<Option<ReactorKind>> = Mutex::new(None);
static THREADS: OnceLock<std::result::Result<Shared, String>> = OnceLock::new();

/// Forces (or, with `None`, stops forcing) the reactor for files opened from now on,
/// process-wide. Takes precedence over `AIOFILE_REACTOR`.
///
/// ```
/// aiofile::set_default_reactor(Some(aiofile::ReactorKind::Threads));
/// assert_eq!(aiofile::default_reactor().unwrap().kind, aiofile::ReactorKind::Threads);
/// aiofile::set_default_reactor(None);
/// ```
pub fn set_default_reactor(kind: Option<ReactorKind>) {
    *OVERRIDE.lock().unwrap_or_else(|p| p.into_inner()) = kind;
}

/// The reactor a buffered file opened now would use, and why.
///
/// # Errors
/// An unknown name in `AIOFILE_REACTOR`; no backend at all could start.
pub fn default_reactor() -> Result<ReactorInfo> {
    select(None, false).map(|(_, info)| info)
}

/// What was asked for, and by whom.
fn requested(per_file: Option<ReactorKind>) -> Result<Option<(ReactorKind, String)>> {
    if let Some(k) = per_file {
        return Ok(Some((k, format!("requested {k} for this file"))));
    }
    if let Some(k) = *OVERRIDE.lock().unwrap_or_else(|p| p.into_inner()) {
        return Ok(Some((k, format!("set_default_reactor({k})"))));
    }
    match std::env::var("AIOFILE_REACTOR") {
        Ok(v) if !v.trim().is_empty() => {
            let k = v.parse::<ReactorKind>().map_err(|_| {
                Error::Unsupported(format!(
                    "AIOFILE_REACTOR={v:?} is not one of uring, aio, threads"
                ))
            })?;
            Ok(Some((k, format!("AIOFILE_REACTOR={k}"))))
        }
        _ => Ok(None),
    }
}

/// Picks the reactor for a file (`direct`: opened with O_DIRECT).
pub(crate) fn select(per_file: Option<ReactorKind>, direct: bool) -> Result<(Shared, ReactorInfo)> {
    let _ = direct;
    let want = requested(per_file)?;
    let (kind, why) = match want {
        Some((ReactorKind::Threads, why)) => (ReactorKind::Threads, why),
        Some((k, why)) => {
            let reason = format!("{why}: {k} is not built into this version; using threads");
            warn_once(k, &reason);
            (ReactorKind::Threads, reason)
        }
        None => (ReactorKind::Threads, "automatic: thread pool".to_string()),
    };
    let shared = threads()?;
    Ok((shared, ReactorInfo { kind, reason: why }))
}

fn threads() -> Result<Shared> {
    THREADS
        .get_or_init(|| {
            ThreadReactor::with_defaults()
                .map(|r| Arc::new(AnyReactor::Threads(r)))
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|e| Error::Unsupported(format!("cannot start the thread-pool reactor: {e}")))
}

fn warn_once(kind: ReactorKind, msg: &str) {
    static WARNED: Mutex<[bool; 3]> = Mutex::new([false; 3]);
    let mut warned = WARNED.lock().unwrap_or_else(|p| p.into_inner());
    let i = kind as usize;
    if !warned[i] {
        warned[i] = true;
        eprintln!("aiofile: {msg}");
    }
}
