//! The process's first `open` starts the reactor (probing the kernel, spawning its
//! threads: ~30 ms) on the helper thread that runs `open(2)`, never inside a poll on
//! the executor. Shown without timing: after one poll of the first `open`, the
//! reactor's threads appear while the executor does not poll it again. (Were the
//! reactor started inside `poll`, nothing would start until the next poll.) Its own
//! test binary, so no other test has started a reactor in this process.
mod support;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use aiofile::AioFile;
use support::Tmp;

/// Names of this process's reactor threads (`comm` holds 15 bytes; the helper thread
/// `aiofile-blocking` that runs `open(2)` is not one).
fn aiofile_threads() -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir("/proc/self/task").unwrap() {
        let comm = entry.unwrap().path().join("comm");
        if let Ok(name) = std::fs::read_to_string(comm) {
            let name = name.trim().to_string();
            if name.starts_with("aiofile-") && name != "aiofile-blockin" {
                names.push(name);
            }
        }
    }
    names
}

#[test]
fn the_first_open_starts_the_reactor_off_the_executor() {
    assert!(
        aiofile_threads().is_empty(),
        "no reactor runs before the first open: {:?}",
        aiofile_threads()
    );
    let tmp = Tmp::new(b"first");
    let mut open = pin!(AioFile::open(tmp.path(), "rb"));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(
        open.as_mut().poll(&mut cx).is_pending(),
        "open(2) runs on a helper thread"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while aiofile_threads().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the reactor never started while the executor was not polling"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    println!("started without a poll: {:?}", aiofile_threads());
    let file = loop {
        match open.as_mut().poll(&mut cx) {
            Poll::Ready(f) => break f.unwrap(),
            Poll::Pending => std::thread::sleep(Duration::from_millis(1)),
        }
    };
    assert_eq!(
        futures::executor::block_on(file.read(5, 0)).unwrap(),
        b"first"
    );
}
