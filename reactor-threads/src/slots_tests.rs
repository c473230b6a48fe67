//! Unit tests of the slot table's transitions (no threads, no syscalls but one open).
use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::Wake;

use crate::file::FileHandle;

struct Counter(AtomicUsize);
impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

fn waker() -> (Arc<Counter>, Waker) {
    let c = Arc::new(Counter(AtomicUsize::new(0)));
    (c.clone(), Waker::from(c))
}

fn file() -> FileRef {
    static FILE: OnceLock<FileRef> = OnceLock::new();
    FILE.get_or_init(|| {
        let f = std::fs::File::open("/dev/null").unwrap();
        Arc::new(FileHandle::new(f.into()).unwrap())
    })
    .clone()
}

fn read_job() -> Job<Vec<u8>> {
    Job {
        op: Op::read(Vec::with_capacity(4), 0, 4).unwrap(),
        file: file(),
    }
}

fn write_job() -> Job<Vec<u8>> {
    Job {
        op: Op::write(b"data".to_vec(), 0, 0).unwrap(),
        file: file(),
    }
}

fn run(table: &mut Table<Vec<u8>>) -> (u32, Finished<Vec<u8>>) {
    let (idx, job) = table.pop_queued().expect("a queued job");
    let done = job.op.complete_write(0);
    (idx, table.finish(idx, done))
}

#[test]
fn full_table_hands_the_job_back_and_frees_reuse_with_a_new_generation() {
    let mut t = Table::new(2, 0);
    let a = t.insert(read_job()).unwrap();
    let b = t.insert(read_job()).unwrap();
    assert!(t.insert(read_job()).is_err());
    assert_eq!((t.in_use(), t.queued()), (2, 2));
    drop(t.abandon(a));
    let c = t.insert(write_job()).unwrap();
    assert_eq!(c.slot(), 0);
    assert_eq!(c.generation(), 1);
    assert_eq!(b.generation(), 0);
}

#[test]
fn completion_is_stored_woken_and_returned_once() {
    let mut t = Table::new(4, 0);
    let ticket = t.insert(write_job()).unwrap();
    let (count, w) = waker();
    assert!(matches!(t.poll(&ticket, &w), Polled::Pending(None)));
    assert!(
        matches!(t.poll(&ticket, &w), Polled::Pending(None)),
        "same task: no clone, nothing displaced"
    );
    let (_, finished) = run(&mut t);
    match finished {
        Finished::Stored(Some(w)) => w.wake(),
        other => panic!("{other:?}"),
    }
    assert_eq!(count.0.load(Ordering::Relaxed), 1);
    assert!(matches!(t.poll(&ticket, &w), Polled::Ready(c) if c.result == Ok(0)));
    assert_eq!(t.in_use(), 0);
}

#[test]
fn a_new_task_displaces_the_old_waker() {
    let mut t = Table::new(1, 0);
    let ticket = t.insert(write_job()).unwrap();
    let (_, w1) = waker();
    let (_, w2) = waker();
    assert!(matches!(t.poll(&ticket, &w1), Polled::Pending(None)));
    assert!(matches!(t.poll(&ticket, &w2), Polled::Pending(Some(old)) if old.will_wake(&w1)));
}

#[test]
#[should_panic(expected = "stale or foreign ticket")]
fn polling_after_ready_panics() {
    let mut t = Table::new(1, 0);
    let ticket = t.insert(write_job()).unwrap();
    let (_, w) = waker();
    drop(run(&mut t));
    assert!(matches!(t.poll(&ticket, &w), Polled::Ready(_)));
    let _ = t.poll(&ticket, &w);
}

#[test]
#[should_panic(expected = "stale or foreign ticket")]
fn forged_ticket_panics() {
    let mut t = Table::<Vec<u8>>::new(1, 0);
    let _ = t.insert(write_job()).unwrap();
    let (_, w) = waker();
    let _ = t.poll(&Ticket::new(0, 7), &w);
}

#[test]
#[should_panic(expected = "stale or foreign ticket")]
fn ticket_of_an_orphan_panics() {
    let mut t = Table::new(1, 0);
    let ticket = t.insert(write_job()).unwrap();
    drop(t.abandon(ticket));
    let (_, w) = waker();
    let _ = t.poll(&Ticket::new(0, 0), &w);
}

#[test]
fn abandoned_queued_read_is_dropped_and_leaves_the_queue() {
    let mut t = Table::new(3, 0);
    let a = t.insert(read_job()).unwrap();
    let b = t.insert(read_job()).unwrap();
    let _c = t.insert(read_job()).unwrap();
    assert!(matches!(t.abandon(b), Released::Dropped(..)));
    assert_eq!((t.in_use(), t.queued()), (2, 2));
    assert_eq!(t.pop_queued().unwrap().0, a.slot());
    assert_eq!(t.pop_queued().unwrap().0, 2);
    assert!(t.pop_queued().is_none());
}

#[test]
fn abandoned_write_still_runs_and_frees_its_slot_when_finished() {
    let mut t = Table::new(2, 0);
    let ticket = t.insert(write_job()).unwrap();
    let (_, w) = waker();
    let _ = t.poll(&ticket, &w);
    assert!(matches!(t.abandon(ticket), Released::Orphaned(Some(_))));
    assert_eq!((t.in_use(), t.queued()), (1, 1));
    let (_, finished) = run(&mut t);
    assert!(matches!(finished, Finished::Orphaned(c) if c.buf.as_deref() == Some(&b"data"[..])));
    assert_eq!(t.in_use(), 0);
}

#[test]
fn abandoned_running_read_frees_on_finish_and_done_frees_at_once() {
    let mut t = Table::new(2, 0);
    let running = t.insert(read_job()).unwrap();
    let done = t.insert(write_job()).unwrap();
    let (i, job) = t.pop_queued().unwrap();
    assert!(matches!(t.abandon(running), Released::Orphaned(None)));
    drop(run(&mut t));
    assert!(matches!(t.abandon(done), Released::Collected(_)));
    assert_eq!(t.in_use(), 1);
    assert!(matches!(
        t.finish(i, job.op.complete_err(aiofile_core::Errno::EIO)),
        Finished::Orphaned(_)
    ));
    assert_eq!(t.in_use(), 0);
}

#[test]
fn space_waiters_are_kept_until_a_slot_frees_and_overflow_wakes_all() {
    let mut t = Table::new(1, 0);
    let ticket = t.insert(write_job()).unwrap();
    let mut overflow = WakeList::new();
    let waiters: Vec<_> = (0..crate::wake::WAKE_LIST + 1).map(|_| waker()).collect();
    for (_, w) in &waiters[..crate::wake::WAKE_LIST] {
        assert!(!t.poll_space(w, &mut overflow));
    }
    assert!(overflow.is_empty());
    assert!(t.take_space_waiters().is_empty(), "no slot free yet");
    assert!(!t.poll_space(&waiters[crate::wake::WAKE_LIST].1, &mut overflow));
    assert_eq!(overflow.wake_all(), crate::wake::WAKE_LIST);
    drop(run(&mut t));
    let (_, w) = waker();
    assert!(matches!(t.poll(&ticket, &w), Polled::Ready(_)));
    assert_eq!(t.take_space_waiters().wake_all(), 1);
    assert!(t.poll_space(&w, &mut overflow));
    assert!(waiters
        .iter()
        .all(|(c, _)| c.0.load(Ordering::Relaxed) == 1));
}

#[test]
fn shutdown_drops_queued_reads_and_keeps_writes_in_order() {
    let mut t = Table::new(4, 0);
    let _r1 = t.insert(read_job()).unwrap();
    let w1 = t.insert(write_job()).unwrap();
    let _r2 = t.insert(read_job()).unwrap();
    let w2 = t.insert(write_job()).unwrap();
    assert_eq!(t.drain_queued_reads().len(), 2);
    assert_eq!((t.in_use(), t.queued()), (2, 2));
    assert_eq!(t.pop_queued().unwrap().0, w1.slot());
    assert_eq!(t.pop_queued().unwrap().0, w2.slot());
}

#[test]
fn ring_wraps_and_removes_in_the_middle() {
    let mut r = Ring::new(4);
    for i in 0..3 {
        r.push(i);
    }
    assert_eq!(r.pop(), Some(0));
    r.push(3);
    r.push(4);
    r.remove(3);
    assert_eq!(
        [r.pop(), r.pop(), r.pop(), r.pop()],
        [Some(1), Some(2), Some(4), None]
    );
}
