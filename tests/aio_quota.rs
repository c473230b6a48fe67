//! Fault injection through the facade: with the host-wide `fs.aio-max-nr` quota used up
//! (contexts held with `AioQuotaHold` until `io_setup` answers `EAGAIN`), a file opened with
//! kernel AIO requested still opens and works, on another backend, and the reason names
//! `/proc/sys/fs/aio-max-nr`. The contexts are released on drop (also on panic). Its own
//! test binary, so no other test in this process has started the AIO reactor before.

use aiofile::{reactor, AioFile, OpenOptions, ReactorKind};
use aiofile_reactor_linux::AioQuotaHold;

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
    let max = max.trim().parse::<u64>().unwrap().min(1 << 22) as u32;
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("aio-quota-{}", std::process::id()));
    let info = {
        let _held =
            AioQuotaHold::exhaust(max).expect("io_setup failed with something other than EAGAIN");
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
