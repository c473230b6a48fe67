//! Fault injection: the host-wide `fs.aio-max-nr` quota used up. Holds AIO contexts
//! with raw `io_setup` until it answers `EAGAIN`, checks that `AioReactor::new` fails
//! with the typed error naming `/proc/sys/fs/aio-max-nr`, and releases every context
//! (also on panic) so other processes on the host get the quota back at once.
#![allow(unsafe_code)]
mod common;

use aiofile_reactor_linux::{probe, AioReactor, Unavailable};
use common::ThreadFallback;
use std::sync::Arc;

/// AIO contexts held for the duration of the test; destroyed on drop.
struct Held(Vec<u64>);

impl Held {
    /// Takes every event the quota has left, in halving sizes.
    fn exhaust(max: u32) -> std::io::Result<Self> {
        let mut held = Held(Vec::new());
        let mut size = max;
        loop {
            let mut ctx: u64 = 0;
            // SAFETY: io_setup writes one aio_context_t to `ctx`, which starts at 0 as
            // required and outlives the call.
            let rc =
                unsafe { libc::syscall(libc::SYS_io_setup, size as libc::c_long, &raw mut ctx) };
            if rc == 0 {
                held.0.push(ctx);
                continue;
            }
            let err = std::io::Error::last_os_error();
            match err.raw_os_error() {
                Some(libc::EAGAIN) if size == 1 => return Ok(held),
                Some(libc::EAGAIN) => size /= 2,
                _ => return Err(err),
            }
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        for &ctx in &self.0 {
            // SAFETY: `ctx` came from a successful io_setup and is destroyed once.
            unsafe { libc::syscall(libc::SYS_io_destroy, ctx) };
        }
    }
}

#[test]
fn exhausted_aio_max_nr_gives_a_typed_error_naming_the_sysctl() {
    if let Err(e) = &probe().aio {
        println!("SKIP: kernel AIO unavailable: {e}");
        return;
    }
    let Ok(max) = std::fs::read_to_string("/proc/sys/fs/aio-max-nr") else {
        println!("SKIP: /proc/sys/fs/aio-max-nr is not readable");
        return;
    };
    let max: u32 = max.trim().parse::<u64>().unwrap().min(1 << 22) as u32;
    let fb = Arc::new(ThreadFallback::<Vec<u8>>::new(1, 4));
    let err = {
        let held = Held::exhaust(max).expect("io_setup failed with something other than EAGAIN");
        let nr = std::fs::read_to_string("/proc/sys/fs/aio-nr").unwrap_or_default();
        println!("holding {} contexts; aio-nr {}", held.0.len(), nr.trim());
        AioReactor::<Vec<u8>>::with_entries(64, fb.clone()).err()
    }; // contexts released here
    let err = err.expect("AioReactor::new succeeded with the quota used up");
    assert_eq!(err, Unavailable::AioQuota { requested: 64 });
    let msg = err.to_string();
    assert!(msg.contains("/proc/sys/fs/aio-max-nr"), "{msg}");
    println!("message: {msg}");
    assert!(
        AioReactor::<Vec<u8>>::with_entries(64, fb).is_ok(),
        "works again once released"
    );
}
