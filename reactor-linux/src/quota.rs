//! [`AioQuotaHold`]: fault injection for the host-wide `fs.aio-max-nr` quota.
use std::io;

use crate::sys::aio;

/// Holds AIO contexts until `io_setup` answers `EAGAIN`: the host-wide `fs.aio-max-nr`
/// quota is used up while this value lives, and given back on drop (also on panic).
/// For tests of the fallback paths; note that it affects every process on the host.
///
/// ```no_run
/// use aiofile_reactor_linux::AioQuotaHold;
/// let hold = AioQuotaHold::exhaust(65536).unwrap();
/// println!("holding {} contexts", hold.contexts());
/// drop(hold); // quota back
/// ```
#[derive(Debug)]
pub struct AioQuotaHold(Vec<u64>);

impl AioQuotaHold {
    /// Takes every event the quota has left, asking for `max` first and halving.
    ///
    /// # Errors
    /// An `io_setup` error other than `EAGAIN` (e.g. `ENOSYS`); nothing is held then.
    pub fn exhaust(max: u32) -> io::Result<Self> {
        let mut held = AioQuotaHold(Vec::new());
        let mut size = max.max(1);
        loop {
            match aio::setup(size) {
                Ok(ctx) => held.0.push(ctx),
                Err(e) if e.raw_os_error() == Some(libc::EAGAIN) && size == 1 => return Ok(held),
                Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => size /= 2,
                Err(e) => return Err(e),
            }
        }
    }

    /// How many contexts are held.
    pub fn contexts(&self) -> usize {
        self.0.len()
    }
}

impl Drop for AioQuotaHold {
    fn drop(&mut self) {
        for &ctx in &self.0 {
            let _ = aio::destroy(ctx);
        }
    }
}
