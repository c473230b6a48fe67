//! aiofile on a hand-written single-threaded executor (no executor crate): a task
//! queue, a `Waker` from `std::task::Wake`, and thread parking while idle. aiofile
//! needs nothing else; its reactor wakes tasks from its own threads.
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// Ids of woken tasks (0 is `block_on`'s own future), and the thread to unpark.
struct Ready {
    ids: Mutex<VecDeque<usize>>,
    thread: Thread,
}

struct TaskWaker(usize, Arc<Ready>);

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.1.ids.lock().unwrap().push_back(self.0);
        self.1.thread.unpark();
    }
}

thread_local! {
    /// Tasks spawned since `block_on` last looked.
    static SPAWNED: RefCell<Vec<Task>> = const { RefCell::new(Vec::new()) };
}

/// Runs `fut`, and the tasks spawned meanwhile, on this thread until `fut` is done.
pub fn block_on<T>(fut: impl Future<Output = T>) -> T {
    let ready = Arc::new(Ready {
        ids: Mutex::new(VecDeque::from([0])),
        thread: thread::current(),
    });
    let mut main = pin!(fut);
    let mut tasks: Vec<Option<Task>> = vec![None];
    loop {
        for task in SPAWNED.with(|s| s.take()) {
            ready.ids.lock().unwrap().push_back(tasks.len());
            tasks.push(Some(task));
        }
        let Some(id) = ready.ids.lock().unwrap().pop_front() else {
            thread::park(); // returns at once if a wake came after the check
            continue;
        };
        let waker = Waker::from(Arc::new(TaskWaker(id, Arc::clone(&ready))));
        let cx = &mut Context::from_waker(&waker);
        if id == 0 {
            if let Poll::Ready(out) = main.as_mut().poll(cx) {
                return out;
            }
        } else if let Some(Poll::Ready(())) = tasks[id].as_mut().map(|t| t.as_mut().poll(cx)) {
            tasks[id] = None;
        }
    }
}

/// The output of a spawned task, once it is done.
pub struct JoinHandle<T>(Rc<RefCell<(Option<T>, Option<Waker>)>>);

/// Spawns a task on the running `block_on` (of this thread).
pub fn spawn<T: 'static>(fut: impl Future<Output = T> + 'static) -> JoinHandle<T> {
    let shared = Rc::new(RefCell::new((None, None::<Waker>)));
    let theirs = Rc::clone(&shared);
    let task = async move {
        let out = fut.await;
        let waiter = theirs.borrow_mut().1.take();
        theirs.borrow_mut().0 = Some(out);
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    };
    SPAWNED.with(|s| s.borrow_mut().push(Box::pin(task)));
    JoinHandle(shared)
}

impl<T> Future for JoinHandle<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut state = self.0.borrow_mut();
        state.1 = Some(cx.waker().clone());
        state.0.take().map_or(Poll::Pending, Poll::Ready)
    }
}

/// The demo: four tasks write their part of a file, then read back and verify it.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::temp_dir().join(format!("aiofile-custom-exec-{}", std::process::id()));
    let file = block_on(aiofile::AioFile::open(&path, "w+"))?;
    let parts: Vec<Vec<u8>> = (0..4u8).map(|i| vec![b'a' + i; 4096]).collect();
    let got = block_on(async {
        let writes = parts.iter().enumerate().map(|(i, p)| {
            let (file, part) = (file.clone(), p.clone());
            spawn(async move { file.write(&part, i as u64 * 4096).await })
        });
        for w in writes.collect::<Vec<_>>() {
            w.await?;
        }
        let back = file.read_to_end(0).await?;
        file.close().await?;
        Ok::<_, aiofile::Error>(back)
    })?;
    std::fs::remove_file(&path)?;
    println!(
        "4 tasks wrote 4 x 4096 bytes; read back {} bytes",
        got.len()
    );
    if got != parts.concat() {
        return Err("read-back mismatch".into());
    }
    println!("verified: contents match");
    Ok(())
}
