//! A hand-written executor that drives an io_uring (or kernel AIO) reactor itself: when
//! its task is pending it sleeps on the reactor's eventfd (`Drive::wait`) and then calls
//! the non-blocking `turn()`, which reaps completions and wakes the task. No driver
//! thread, no runtime.
//!
//! Run: `cargo run -p aiofile-reactor-linux --example driven_executor`
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use aiofile_core::io::File;
use aiofile_reactor_linux::{probe, Drive, FileHandle, UringReactor};

/// A waker that does nothing: this executor re-polls after every reactor turn.
struct Noop;
impl Wake for Noop {
    fn wake(self: Arc<Self>) {}
}

/// Runs `fut` to completion, waiting on `reactor`'s eventfd whenever it is pending.
pub fn block_on_driving<F: Future>(reactor: &impl Drive, fut: F) -> F::Output {
    let waker = Waker::from(Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        // Sleep in the kernel until a completion is signalled, then reap it.
        let _ = reactor.wait(Some(Duration::from_millis(100)));
        reactor.turn();
    }
}

fn main() {
    if let Err(e) = &probe().uring {
        println!("io_uring unavailable here ({e}); nothing to show");
        return;
    }
    let reactor: UringReactor<Vec<u8>> = UringReactor::new().expect("probed");
    let path = std::env::temp_dir().join(format!("driven-executor-{}", std::process::id()));
    let std_file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    let file = File::new(
        &reactor,
        Arc::new(FileHandle::new(std_file.into()).unwrap()),
    );
    let data = b"driven by a hand-written executor".to_vec();
    let (written, back) = block_on_driving(&reactor, async {
        let (w, _) = file.write_all(data.clone(), 0).await;
        file.fsync().await.unwrap();
        let (r, back) = file.read(Vec::with_capacity(64), 0, 64).await;
        r.unwrap();
        (w.unwrap(), back)
    });
    std::fs::remove_file(&path).ok();
    assert_eq!(back, data);
    println!(
        "wrote and read back {written} bytes; reactor stats: {:?}",
        reactor.stats()
    );
}
