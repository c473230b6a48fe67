//! Read, write, fsync and fdatasync through the pool, with and without the inline
//! `RWF_NOWAIT` read path: data, short reads at EOF, errors, and the counters.
mod common;

use aiofile_core::{Errno, Op, OpKind, Reactor, Submit};
use common::{open, reactor, run_one, TempFile};

fn round_trip(nowait: bool) {
    let r = reactor(2, 8, nowait);
    let tmp = TempFile::new("roundtrip", b"");
    let f = &tmp.file;

    let done = run_one(&r, f, Op::write(b"hello world".to_vec(), 0, 0).unwrap());
    assert_eq!((done.kind, done.result), (OpKind::Write, Ok(11)));
    assert_eq!(
        done.buf.unwrap(),
        b"hello world",
        "a write hands its buffer back unchanged"
    );

    let done = run_one(&r, f, Op::write(b"xxWORLD".to_vec(), 6, 2).unwrap());
    assert_eq!(done.result, Ok(5), "a write sends buf[start..]");

    for op in [Op::fsync(), Op::fdatasync()] {
        let kind = op.kind();
        let done = run_one(&r, f, op);
        assert_eq!((done.kind, done.result, done.buf), (kind, Ok(0), None));
    }

    let mut buf = Vec::with_capacity(32);
    buf.extend_from_slice(b">>");
    let done = run_one(&r, f, Op::read(buf, 0, 11).unwrap());
    assert_eq!((done.kind, done.result), (OpKind::Read, Ok(11)));
    assert_eq!(
        done.buf.unwrap(),
        b">>hello WORLD",
        "a read appends after the initialised bytes"
    );

    let done = run_one(&r, f, Op::read(Vec::with_capacity(20), 6, 20).unwrap());
    assert_eq!(done.result, Ok(5), "short read at EOF");
    assert_eq!(done.buf.unwrap(), b"WORLD");

    let done = run_one(&r, f, Op::read(Vec::with_capacity(4), 100, 4).unwrap());
    assert_eq!(done.result, Ok(0), "read past EOF");
    assert_eq!(done.buf.unwrap(), b"");

    assert_eq!(tmp.contents(), b"hello WORLD");
    check_counters(&r, nowait, 7, 3);
}

/// After `ops` operations of which `reads` reads, all collected.
fn check_counters(
    r: &aiofile_reactor_threads::ThreadReactor<Vec<u8>>,
    nowait: bool,
    ops: u64,
    reads: u64,
) {
    let s = r.stats();
    println!("nowait={nowait}: {s:?}");
    assert_eq!(s.submitted, ops);
    assert_eq!(
        s.inline + s.completed,
        ops,
        "every op finished inline or by a worker"
    );
    assert_eq!((s.dropped, s.in_pool()), (0, 0));
    assert!(s.wakeups <= s.completed);
    assert_eq!(r.in_use_slots(), 0);
    if !nowait {
        assert_eq!(
            (s.inline, s.nowait_misses),
            (0, 0),
            "nowait off: every op goes to the pool"
        );
    } else {
        assert_eq!(
            s.inline + s.nowait_misses + s.nowait_skipped,
            reads,
            "each read was tried inline once, or skipped by the file's gate (after a read \
             that waited, e.g. on a loaded machine)"
        );
        if s.inline == 0 {
            println!(
                "note: RWF_NOWAIT declined here ({} misses)",
                s.nowait_misses
            );
        }
    }
}

#[test]
fn round_trip_through_the_pool() {
    round_trip(false);
}

#[test]
fn round_trip_with_inline_nowait_reads() {
    round_trip(true);
}

fn errors(nowait: bool) {
    let r = reactor(1, 4, nowait);
    let tmp = TempFile::new("errors", b"data");
    let read_only = open(&tmp.path, std::fs::File::options().read(true));
    let done = run_one(&r, &read_only, Op::write(b"x".to_vec(), 0, 0).unwrap());
    assert_eq!(
        done.result,
        Err(Errno(9)),
        "EBADF: write to a read-only descriptor"
    );
    assert_eq!(
        done.buf.unwrap(),
        b"x",
        "the buffer comes back with the error"
    );

    let write_only = open(&tmp.path, std::fs::File::options().write(true));
    let done = run_one(
        &r,
        &write_only,
        Op::read(Vec::with_capacity(4), 0, 4).unwrap(),
    );
    assert_eq!(
        done.result,
        Err(Errno::EBADF),
        "EBADF: read from a write-only descriptor"
    );
    assert_eq!(done.buf.unwrap(), b"");
    assert_eq!(tmp.contents(), b"data");
    assert_eq!(r.in_use_slots(), 0);
}

#[test]
fn errors_come_back_as_errno_through_the_pool() {
    errors(false);
}

#[test]
fn errors_come_back_as_errno_with_nowait() {
    errors(true);
}

#[test]
fn full_table_hands_the_op_back_until_the_slot_is_collected() {
    let r = reactor(1, 1, false);
    let tmp = TempFile::new("full", b"abc");
    let Submit::Queued(ticket) = r.try_submit(&tmp.file, Op::fsync()) else {
        panic!("first op must queue");
    };
    // The slot stays taken until its completion is collected, however fast the worker.
    match r.try_submit(&tmp.file, Op::write(b"Z".to_vec(), 0, 0).unwrap()) {
        Submit::Full(op) => assert_eq!(op.into_buf().unwrap(), b"Z", "handed back untouched"),
        other => panic!("expected Full, got {other:?}"),
    }
    let done = futures::executor::block_on(std::future::poll_fn(|cx| r.poll_complete(&ticket, cx)));
    assert_eq!(done.result, Ok(0));
    assert_eq!(r.in_use_slots(), 0);
}

#[test]
#[should_panic(expected = "stale or foreign ticket")]
fn polling_a_collected_ticket_panics() {
    let r = reactor(1, 2, false);
    let tmp = TempFile::new("stale", b"");
    let Submit::Queued(ticket) = r.try_submit(&tmp.file, Op::fsync()) else {
        unreachable!()
    };
    let poll =
        || futures::executor::block_on(std::future::poll_fn(|cx| r.poll_complete(&ticket, cx)));
    let _ = poll();
    let _ = poll();
}

#[test]
fn file_handle_outlives_its_last_user_while_in_flight() {
    let r = reactor(1, 4, false);
    let tmp = TempFile::new("fileref", b"0123456789");
    let f = open(&tmp.path, std::fs::File::options().read(true));
    let Submit::Queued(ticket) = r.try_submit(&f, Op::read(Vec::with_capacity(10), 0, 10).unwrap())
    else {
        unreachable!()
    };
    drop(f); // the reactor keeps its own reference until the read has finished
    let done = futures::executor::block_on(std::future::poll_fn(|cx| r.poll_complete(&ticket, cx)));
    assert_eq!(done.buf.unwrap(), b"0123456789");
}

#[test]
#[should_panic(expected = "stale or foreign ticket")]
fn a_ticket_from_another_reactor_panics() {
    let (a, b) = (reactor(1, 2, false), reactor(1, 2, false));
    let tmp = TempFile::new("foreign", b"");
    let Submit::Queued(ticket) = a.try_submit(&tmp.file, Op::fsync()) else {
        unreachable!()
    };
    let _ = futures::executor::block_on(std::future::poll_fn(|cx| b.poll_complete(&ticket, cx)));
}

#[test]
fn o_direct_reads_skip_the_inline_path() {
    use std::os::unix::fs::OpenOptionsExt;
    let r = reactor(1, 2, true);
    let tmp = TempFile::new("direct", &[7; 8192]);
    let Ok(file) = std::fs::File::options()
        .read(true)
        .custom_flags(libc::O_DIRECT)
        .open(&tmp.path)
    else {
        println!("skipped: this file system refuses O_DIRECT");
        return;
    };
    let file = std::sync::Arc::new(aiofile_reactor_threads::FileHandle::new(file.into()).unwrap());
    assert!(file.is_direct());
    // The result depends on the buffer's alignment (EINVAL if misaligned); what matters
    // is that the read went to the pool without an inline attempt.
    let done = run_one(
        &r,
        &file,
        Op::read(Vec::with_capacity(4096), 0, 4096).unwrap(),
    );
    assert!(
        matches!(done.result, Ok(4096) | Err(Errno::EINVAL)),
        "{:?}",
        done.result
    );
    let s = r.stats();
    assert_eq!((s.inline, s.nowait_misses, s.completed), (0, 0, 1));
}

#[test]
fn a_shut_gate_sends_cached_reads_to_the_pool_and_counts_them() {
    let r = reactor(1, 4, true);
    let tmp = TempFile::new("gate-shut", b"cached bytes");
    // What a miss and then an inline read that waited (a readahead stuck on a busy
    // device) leave.
    tmp.file.nowait_gate().record(false);
    tmp.file.nowait_gate().record_slow();
    for _ in 0..3 {
        let done = run_one(
            &r,
            &tmp.file,
            Op::read(Vec::with_capacity(6), 0, 6).unwrap(),
        );
        assert_eq!(done.buf.unwrap(), b"cached");
    }
    let s = r.stats();
    assert_eq!(
        (s.inline, s.nowait_misses, s.nowait_skipped, s.completed),
        (0, 0, 3, 3),
        "no attempt while the gate is shut: {s:?}"
    );
}
