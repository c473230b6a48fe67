//! Writeback hints through the facade, on whatever backend this run uses
//! (`AIOFILE_REACTOR`): `AioFile::start_writeback` and `Writer::writeback_every`.
mod support;

use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use aiofile::{AioFile, Error, Writer};
use aiofile_pagecache::dirty_pages;
use futures::executor::block_on;
use support::{pattern, Tmp};

const MIB: usize = 1 << 20;

/// Dirty pages of `path` from `off` to the end, or `None` (printed) where they cannot
/// be counted.
fn dirty(path: &std::path::Path, off: u64) -> Option<u64> {
    let f = std::fs::File::open(path).unwrap();
    match dirty_pages(f.as_fd(), off, 0) {
        Ok(n) => Some(n),
        Err(why) => {
            println!("SKIP: {why}");
            None
        }
    }
}

#[test]
fn start_writeback_sends_the_range_to_the_device() {
    let tmp = Tmp::new(b"");
    block_on(async {
        let file = AioFile::open(tmp.path(), "r+b").await.unwrap();
        let data = pattern(4 * MIB);
        file.write(&data, 0).await.unwrap();
        match dirty(tmp.path(), 0) {
            None => return,
            Some(0) => return println!("SKIP: no dirty pages after a buffered write here"),
            Some(_) => {}
        }
        file.start_writeback(2 * MIB as u64, 0).await.unwrap();
        assert_eq!(
            dirty(tmp.path(), 2 * MIB as u64),
            Some(0),
            "hinted: from 2 MiB on"
        );
        assert!(
            dirty(tmp.path(), 0).unwrap() > 0,
            "the first 2 MiB were not hinted"
        );
        assert_eq!(file.read_to_end(0).await.unwrap(), data);
        file.close().await.unwrap();
        assert!(matches!(
            file.start_writeback(0, 0).await,
            Err(Error::Closed)
        ));
    });
}

#[test]
fn writer_hints_every_n_bytes_and_the_pages_leave_the_dirty_state() {
    let tmp = Tmp::new(b"");
    block_on(async {
        let file = AioFile::open(tmp.path(), "r+b").await.unwrap();
        let data = pattern(8 * MIB);
        let mut writer = Writer::new(&file, 0)
            .unwrap()
            .writeback_every(2 * MIB as u64);
        for chunk in data.chunks(MIB) {
            writer.write(chunk).await.unwrap();
        }
        writer.flush().await.unwrap();
        // A write's completion is handled when the next call waits for it, the last one
        // in `flush`: hints after 2, 4, 6 and 8 MiB.
        assert_eq!(writer.writebacks(), 4);
        assert_eq!(file.read_to_end(0).await.unwrap(), data);
        // The hints are fire and forget: wait for the pool to have run them.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match dirty(tmp.path(), 0) {
                None | Some(0) => break,
                Some(n) => {
                    assert!(
                        Instant::now() < deadline,
                        "{n} pages still dirty after 30 s"
                    );
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        }
        file.close().await.unwrap();
    });
}

#[test]
fn a_writer_sends_no_hint_unless_asked_or_below_the_interval() {
    let tmp = Tmp::new(b"");
    block_on(async {
        let file = AioFile::open(tmp.path(), "r+b").await.unwrap();
        let mut plain = Writer::new(&file, 0).unwrap();
        let mut sparse = Writer::new(&file, 0)
            .unwrap()
            .writeback_every(64 * MIB as u64);
        for _ in 0..4 {
            plain.write(vec![1u8; MIB]).await.unwrap();
        }
        plain.flush().await.unwrap();
        for _ in 0..4 {
            sparse.write(vec![2u8; MIB]).await.unwrap();
        }
        sparse.flush().await.unwrap();
        assert_eq!((plain.writebacks(), sparse.writebacks()), (0, 0));
        file.close().await.unwrap();
    });
}
