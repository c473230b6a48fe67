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
use aiofile_reactor_linux::{probe, AioReactor, Driven, Fallback, UringReactor};
use aiofile_reactor_threads::{FileRef, ThreadReactor};

use crate::error::{Error, Result};

/// The backends aiofile can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReactorKind {
    /// io_uring (Linux 5.6+): asynchronous for buffered and O_DIRECT I/O; buffered
    /// writes go to the thread pool (faster than io_uring's workers for them).
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
    Uring(Driven<UringReactor<Vec<u8>>>),
    Aio(Driven<AioReactor<Vec<u8>>>),
}

macro_rules! dispatch {
    ($self:ident, $r:ident => $e:expr) => {
        match $self {
            AnyReactor::Threads($r) => $e,
            AnyReactor::Uring($r) => $e,
            AnyReactor::Aio($r) => $e,
        }
    };
}

impl AnyReactor {
    /// Slots held by operations not yet collected (for tests and diagnostics).
    pub(crate) fn in_use_slots(&self) -> usize {
        match self {
            AnyReactor::Threads(r) => r.in_use_slots(),
            AnyReactor::Uring(r) => r.slots_in_use(),
            AnyReactor::Aio(r) => r.slots_in_use(),
        }
    }
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

/// A process-wide shared reactor.
pub(crate) type Shared = Arc<AnyReactor>;

type Cell = OnceLock<std::result::Result<Shared, String>>;

static OVERRIDE: Mutex<Option<ReactorKind>> = Mutex::new(None);
static THREADS: Cell = OnceLock::new();
static URING: Cell = OnceLock::new();
static AIO: Cell = OnceLock::new();

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
/// ```
/// let info = aiofile::default_reactor().unwrap();
/// println!("aiofile uses {} because {}", info.kind, info.reason);
/// ```
///
/// # Errors
/// An unknown name in `AIOFILE_REACTOR`; no backend at all could start.
pub fn default_reactor() -> Result<ReactorInfo> {
    select(None, false).map(|(_, info)| info)
}

/// Whether `kind` can run here, and if not why (cached probe: io_uring setup and opcode
/// probe, `io_setup`).
///
/// ```
/// assert!(aiofile::reactor::availability(aiofile::ReactorKind::Threads).is_ok());
/// ```
///
/// # Errors
/// The reason the backend is unavailable (e.g. io_uring refused by seccomp, the
/// `aio-max-nr` quota).
pub fn availability(kind: ReactorKind) -> std::result::Result<(), String> {
    match kind {
        ReactorKind::Threads => Ok(()),
        ReactorKind::Uring => probe().uring.map_err(|e| e.to_string()),
        ReactorKind::Aio => probe().aio.map_err(|e| e.to_string()),
    }
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

/// Automatic preference: buffered files want io_uring (asynchronous for buffered I/O),
/// then kernel AIO (`RWF_NOWAIT` reads, the pool for the rest), then threads; O_DIRECT
/// files want kernel AIO (truly asynchronous for them), then io_uring, then threads.
fn preference(direct: bool) -> [ReactorKind; 3] {
    use ReactorKind::*;
    if direct {
        [Aio, Uring, Threads]
    } else {
        [Uring, Aio, Threads]
    }
}

/// Picks the reactor for a file (`direct`: opened with O_DIRECT).
pub(crate) fn select(per_file: Option<ReactorKind>, direct: bool) -> Result<(Shared, ReactorInfo)> {
    let mut reason = match requested(per_file)? {
        Some((kind, why)) => match start(kind) {
            Ok(shared) => return Ok((shared, ReactorInfo { kind, reason: why })),
            Err(e) => {
                let msg = format!("{why}, but {kind} is unavailable ({e})");
                warn_once(kind, &format!("{msg}; falling back"));
                format!("{msg}; fell back")
            }
        },
        None => "automatic".to_string(),
    };
    for kind in preference(direct) {
        match start(kind) {
            Ok(shared) => {
                let what = if direct { "O_DIRECT" } else { "buffered" };
                reason.push_str(&format!(": {kind} is the best available for {what} I/O"));
                return Ok((shared, ReactorInfo { kind, reason }));
            }
            Err(e) => reason.push_str(&format!("; {kind} unavailable ({e})")),
        }
    }
    Err(Error::Unsupported(format!(
        "no reactor could start: {reason}"
    )))
}

/// The process-wide reactor of `kind`, started on first use.
fn start(kind: ReactorKind) -> std::result::Result<Shared, String> {
    availability(kind)?;
    let cell = match kind {
        ReactorKind::Threads => &THREADS,
        ReactorKind::Uring => &URING,
        ReactorKind::Aio => &AIO,
    };
    cell.get_or_init(|| build(kind)).clone()
}

fn build(kind: ReactorKind) -> std::result::Result<Shared, String> {
    let any = match kind {
        ReactorKind::Threads => {
            AnyReactor::Threads(ThreadReactor::with_defaults().map_err(|e| e.to_string())?)
        }
        ReactorKind::Uring => {
            // Buffered writes go to the pool: measured faster than io_uring's io-wq
            // workers for sequential 1 MiB writes (W5: 0.98x vs 0.71x a `write` loop).
            let fallback: Fallback<Vec<u8>> = start(ReactorKind::Threads)?;
            let r = UringReactor::with_fallback(fallback).map_err(|e| e.to_string())?;
            AnyReactor::Uring(Driven::new(r).map_err(|e| e.to_string())?)
        }
        ReactorKind::Aio => {
            let fallback: Fallback<Vec<u8>> = start(ReactorKind::Threads)?;
            let r = AioReactor::new(fallback).map_err(|e| e.to_string())?;
            AnyReactor::Aio(Driven::new(r).map_err(|e| e.to_string())?)
        }
    };
    Ok(Arc::new(any))
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

/// Reactor slots held right now, summed over every reactor this process started:
/// operations in flight, plus finished ones whose future has not collected them (a
/// future leaked with `mem::forget` holds its slot for good). A diagnostic for leak
/// checks: 0 once everything settled.
///
/// ```
/// assert_eq!(aiofile::reactor::in_use_slots(), 0);
/// ```
pub fn in_use_slots() -> usize {
    [&THREADS, &URING, &AIO]
        .iter()
        .filter_map(|cell| cell.get()?.as_ref().ok())
        .map(|r| r.in_use_slots())
        .sum()
}
