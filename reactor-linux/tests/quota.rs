//! Fault injection: the host-wide `fs.aio-max-nr` quota used up. Holds AIO contexts
//! with raw `io_setup` until it answers `EAGAIN`, checks that `AioReactor::new` fails
//! with the typed error naming `/proc/sys/fs/aio-max-nr`, and releases every context
//! (also on panic) so other processes on the host get the quota back at once.
mod common;

use aiofile_reactor_linux::{probe, AioQuotaHold, AioReactor, Unavailable};
use common::ThreadFallback;
use std::sync::Arc;

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
    let max = max.trim().parse::<u64>().unwrap().min(1 << 22) as u32;
    let fb = Arc::new(ThreadFallback::<Vec<u8>>::new(1, 4));
    let err = {
        let held =
            AioQuotaHold::exhaust(max).expect("io_setup failed with something other than EAGAIN");
        let nr = std::fs::read_to_string("/proc/sys/fs/aio-nr").unwrap_or_default();
        println!("holding {} contexts; aio-nr {}", held.contexts(), nr.trim());
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
