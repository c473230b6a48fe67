//! Fault injection through the facade: with the host-wide `fs.aio-max-nr` quota used up
//! (contexts held with raw `io_setup` until it answers `EAGAIN`), a file opened with
//! kernel AIO requested still opens and works, on another backend, and the reason names
//! `/proc/sys/fs/aio-max-nr`. The contexts are released on drop (also on panic). Its own
//! test binary, so no other test in this process has started the AIO reactor before.
#![allow(unsafe_code)] // raw io_setup/io_destroy to exhaust the quota

use aiofile::{reactor, AioFile, OpenOptions, ReactorKind};

/// AIO contexts held for the test; destroyed on drop.
struct Held(Vec<u64>);

impl Held {
    fn exhaust(max: u64) -> std::io::Result<Self> {
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
fn exhausted_aio_quota_falls_back_with_the_sysctl_in_the_reason() {
    if let Err(why) = reactor::availability(ReactorKind::Aio) {
        println!("SKIP: kernel AIO unavailable here: {why}");
        return;
    }
    let Ok(max) = std::fs::read_to_string("/proc/sys/fs/aio-max-nr") else {
        println!("SKIP: /proc/sys/fs/aio-max-nr is not readable");
        return;
    };
    let max = max.trim().parse::<u64>().unwrap().min(1 << 22);
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("aio-quota-{}", std::process::id()));
    let info = {
        let _held = Held::exhaust(max).expect("io_setup failed with something other than EAGAIN");
        futures::executor::block_on(async {
            let f = AioFile::open_with(&path, "w+", OpenOptions::new().reactor(ReactorKind::Aio))
                .await
                .unwrap();
            f.write(b"still works", 0).await.unwrap();
            assert_eq!(f.read(64, 0).await.unwrap(), b"still works");
            let info = f.reactor_info();
            f.close().await.unwrap();
            info
        })
    }; // contexts released here
    let _ = std::fs::remove_file(&path);
    let info = info.expect("opened files report their reactor");
    println!("with the quota used up: {info}");
    assert_ne!(info.kind, ReactorKind::Aio, "{info}");
    assert!(info.reason.contains("/proc/sys/fs/aio-max-nr"), "{info}");
}
