//! Dropping the reactor with operations in flight: queued reads are dropped, running
//! operations and queued writes finish, every buffer and file reference is released.
//! (Run this binary under valgrind to check the buffers are freed correctly.)
mod common;

use std::sync::Arc;

use aiofile_core::{Op, Reactor, Submit, Ticket};
use aiofile_reactor_threads::ThreadReactor;
use common::{pattern_at, reactor, TempFile};

const DATA: usize = 1 << 20;
const WRITES: u64 = 32;
const WRITE_SIZE: usize = 4096;

/// Submits `reads` 64 KiB reads and [`WRITES`] 4 KiB writes (after `DATA`) without
/// polling; returns the tickets.
fn submit_burst(r: &ThreadReactor<Vec<u8>>, tmp: &TempFile, reads: u64) -> Vec<Ticket> {
    let mut tickets = Vec::new();
    for i in 0..reads.max(WRITES) {
        if i < reads {
            let mut buf = vec![0xAB; 1 << 17]; // canary-filled; the read appends after 16
            buf.truncate(16);
            let op = Op::read(buf, (i * 4096) % DATA as u64, 1 << 16).unwrap();
            match r.try_submit(&tmp.file, op) {
                Submit::Queued(t) => tickets.push(t),
                Submit::Done(_) | Submit::Full(_) => panic!("pool only, enough slots"),
            }
        }
        if i < WRITES {
            let op = Op::write(
                vec![i as u8 + 1; WRITE_SIZE],
                DATA as u64 + i * WRITE_SIZE as u64,
                0,
            )
            .unwrap();
            match r.try_submit(&tmp.file, op) {
                Submit::Queued(t) => tickets.push(t),
                _ => panic!("pool only, enough slots"),
            }
        }
    }
    tickets
}

fn check_writes_landed(tmp: &TempFile) {
    let content = tmp.contents();
    assert_eq!(
        content.len(),
        DATA + WRITES as usize * WRITE_SIZE,
        "every queued write ran before drop returned"
    );
    assert_eq!(content[..DATA], pattern_at(0, DATA)[..]);
    for i in 0..WRITES as usize {
        let at = DATA + i * WRITE_SIZE;
        assert!(
            content[at..at + WRITE_SIZE]
                .iter()
                .all(|&b| b == i as u8 + 1),
            "write {i}"
        );
    }
}

#[test]
fn drop_with_unpolled_operations_in_flight() {
    let tmp = TempFile::new("drop", &pattern_at(0, DATA));
    let r = reactor(2, 256, false);
    let tickets = submit_burst(&r, &tmp, 128);
    assert!(r.in_use_slots() > 0);
    drop(r);
    drop(tickets); // tickets are plain names: nothing left to do with them
    assert_eq!(
        Arc::strong_count(&tmp.file),
        1,
        "the reactor released every file reference"
    );
    check_writes_landed(&tmp);
}

#[test]
fn drop_with_abandoned_and_uncollected_operations() {
    let tmp = TempFile::new("drop-orphans", &pattern_at(0, DATA));
    let r = reactor(2, 256, false);
    let tickets = submit_burst(&r, &tmp, 128);
    // Abandon every other operation (orphans), keep the rest uncollected (as if leaked).
    let mut kept = Vec::new();
    for (i, t) in tickets.into_iter().enumerate() {
        if i % 2 == 0 {
            r.abandon(t);
        } else {
            kept.push(t);
        }
    }
    assert_eq!(r.stats().submitted, 128 + WRITES);
    drop(r);
    assert_eq!(
        Arc::strong_count(&tmp.file),
        1,
        "the reactor released every file reference"
    );
    check_writes_landed(&tmp);
    drop(kept);
}

#[test]
fn drop_right_after_construction_and_while_idle() {
    let r = reactor(4, 8, true);
    drop(r);
    let tmp = TempFile::new("drop-idle", &pattern_at(0, 4096));
    let r = Arc::new(reactor(1, 8, false));
    let done = common::run_one(
        &*r,
        &tmp.file,
        Op::read(Vec::with_capacity(16), 0, 16).unwrap(),
    );
    assert_eq!(done.buf.unwrap(), pattern_at(0, 16));
    drop(r);
    assert_eq!(Arc::strong_count(&tmp.file), 1);
}
