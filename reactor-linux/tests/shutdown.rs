//! Dropping a reactor with operations in flight: it waits for the kernel before freeing
//! their buffers (the cost is printed as a figure), and operations queued but not yet
//! submitted still take effect.
mod common;

use std::task::{Context, Waker};
use std::time::Instant;

use aiofile_core::{Op, Reactor, Submit, Ticket};
use aiofile_reactor_linux::{evict_page_cache, AlignedBuf, Drive, FileRef};
use common::{open_direct_rw, pattern, tmp_path, TmpFile};

const MIB: usize = 1 << 20;

fn direct_file_with(tag: &str, data: &[u8]) -> Option<(TmpFile, FileRef)> {
    let path = tmp_path(tag);
    std::fs::write(&path, data).unwrap();
    let f = open_direct_rw(&path)?;
    evict_page_cache(&*f).unwrap();
    Some((path, f))
}

/// Queues 16 x 1 MiB O_DIRECT reads, submits them with one `poll_complete`, then
/// returns the tickets without collecting the completions.
fn in_flight<R: Reactor<Buf = AlignedBuf, File = FileRef>>(r: &R, f: &FileRef) -> Vec<Ticket> {
    let tickets: Vec<Ticket> = (0..16)
        .map(|i| {
            let o = Op::read(AlignedBuf::new(MIB, 4096), (i * MIB) as u64, MIB).unwrap();
            match r.try_submit(f, o) {
                Submit::Queued(t) => t,
                _ => panic!("expected Queued"),
            }
        })
        .collect();
    let mut tickets = tickets;
    if r.poll_complete(&tickets[0], &mut Context::from_waker(Waker::noop()))
        .is_ready()
    {
        tickets.remove(0); // done already: its slot is free again
    }
    tickets
}

fn drop_timed<R: Drive>(name: &str, r: R) {
    let start = Instant::now();
    drop(r);
    println!(
        "FIGURE: dropping {name} with 16 x 1 MiB O_DIRECT reads in flight took {:?}",
        start.elapsed()
    );
}

#[test]
fn uring_drop_waits_for_reads_in_flight() {
    let Some((_path, f)) = direct_file_with("drop-u", &pattern(16 * MIB, 1)) else {
        return;
    };
    let Some(r) = common::uring::<AlignedBuf>() else {
        return;
    };
    let tickets = in_flight(&r, &f);
    assert_eq!(r.slots_in_use(), tickets.len());
    drop(tickets); // like leaked futures: never abandoned
    drop_timed("UringReactor", r);
}

#[test]
fn aio_drop_waits_for_reads_in_flight() {
    let Some((_path, f)) = direct_file_with("drop-a", &pattern(16 * MIB, 1)) else {
        return;
    };
    let Some((r, _fb)) = common::aio::<AlignedBuf>() else {
        return;
    };
    let tickets = in_flight(&r, &f);
    assert_eq!(r.stats().submitted, 16);
    drop(tickets);
    drop_timed("AioReactor", r);
}

/// A write accepted by `try_submit` but never polled is still carried out by drop.
fn queued_write_lands<R: Reactor<Buf = AlignedBuf, File = FileRef>>(r: R, tag: &str) {
    let Some((path, f)) = direct_file_with(tag, &[0; 4096]) else {
        return;
    };
    let mut buf = AlignedBuf::new(4096, 4096);
    buf.set_len(4096);
    buf.as_mut_slice().copy_from_slice(&pattern(4096, 8));
    let Submit::Queued(_ticket) = r.try_submit(&f, Op::write(buf, 0, 0).unwrap()) else {
        panic!("expected Queued");
    };
    drop(r);
    assert_eq!(std::fs::read(&path).unwrap(), pattern(4096, 8));
}

#[test]
fn uring_drop_submits_queued_writes() {
    if let Some(r) = common::uring::<AlignedBuf>() {
        queued_write_lands(r, "qw-u");
    }
}

#[test]
fn aio_drop_submits_queued_writes() {
    if let Some((r, _fb)) = common::aio::<AlignedBuf>() {
        queued_write_lands(r, "qw-a");
    }
}
