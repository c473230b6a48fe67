//! What this kernel and process allow, found once and cached.
use std::sync::OnceLock;

use crate::error::Unavailable;
use crate::sys::{aio, os, uring};

/// The one-time answer of [`probe`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    /// `uname -r`, e.g. `6.18.44`.
    pub kernel_release: String,
    /// Whether an io_uring with READ, WRITE and FSYNC can be set up, and why not.
    pub uring: Result<(), Unavailable>,
    /// Whether a kernel AIO context can be set up, and why not.
    pub aio: Result<(), Unavailable>,
    /// Whether the AIO completion ring can be reaped from user space (magic matched).
    pub aio_ring_reaping: bool,
}

/// Probes io_uring (`io_uring_setup(8)` + `IORING_REGISTER_PROBE`) and kernel AIO
/// (`io_setup(1)`), once per process; later calls return the cached answer.
///
/// The answer describes the moment of the first call: a reactor's own constructor
/// reports what holds when it runs (e.g. after the `aio-max-nr` quota ran out).
///
/// ```
/// let p = aiofile_reactor_linux::probe();
/// println!("kernel {}: io_uring {:?}, aio {:?}", p.kernel_release, p.uring, p.aio);
/// assert!(!p.kernel_release.is_empty());
/// ```
pub fn probe() -> &'static Probe {
    static PROBE: OnceLock<Probe> = OnceLock::new();
    PROBE.get_or_init(run)
}

fn run() -> Probe {
    let uring = uring::UringQueue::<Vec<u8>>::new(8, None)
        .map(drop)
        .map_err(|e| crate::uring::setup_error(&e, 8));
    let (aio, aio_ring_reaping) = match aio::setup(1) {
        Ok(ctx) => {
            let reaping = aio::ring_is_compatible(ctx);
            let _ = aio::destroy(ctx);
            (Ok(()), reaping)
        }
        Err(e) => (Err(Unavailable::from_io("io_setup", &e, 1)), false),
    };
    Probe {
        kernel_release: os::kernel_release(),
        uring,
        aio,
        aio_ring_reaping,
    }
}
