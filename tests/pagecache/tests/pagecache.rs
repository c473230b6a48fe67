//! The page-cache queries against the real kernel, on files in the target directory
//! (a disk file system here; a tmpfs has no writeback and is tested on its own).
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use aiofile_pagecache::{
    cachestat, dirty_pages, evict, fadvise_dontneed, page_size, pin, resident_pages, CacheStat,
    Unavailable,
};

/// A path in the target directory, removed on drop.
struct Tmp(PathBuf);

impl Tmp {
    fn new(dir: &Path, tag: &str) -> Self {
        Self(dir.join(format!("aiofile-pagecache-{tag}-{}", std::process::id())))
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn target_tmp(tag: &str) -> Tmp {
    Tmp::new(Path::new(env!("CARGO_TARGET_TMPDIR")), tag)
}

#[test]
fn an_empty_file_has_no_resident_pages() {
    let tmp = target_tmp("empty");
    let file = File::create(&tmp.0).unwrap();
    assert_eq!(resident_pages(&file).unwrap(), 0);
}

#[test]
fn a_read_file_is_resident_until_evicted() {
    let page = page_size();
    let tmp = target_tmp("resident");
    let mut file = File::create(&tmp.0).unwrap();
    file.write_all(&vec![5u8; 64 * page + 1]).unwrap();
    file.sync_all().unwrap();
    let mut file = File::open(&tmp.0).unwrap();
    file.read_to_end(&mut Vec::new()).unwrap();
    assert_eq!(resident_pages(&file).unwrap(), 65, "all read, all cached");
    if let Ok(stat) = cachestat(&file, 0, 0) {
        assert_eq!((stat.cached, stat.dirty), (65, 0), "{stat:?}");
    }
    if !evict(&file, "the eviction check") {
        return;
    }
    assert_eq!(resident_pages(&file).unwrap(), 0);
    if let Ok(stat) = cachestat(&file, 0, 0) {
        assert_eq!(stat.cached, 0, "{stat:?}");
    }
}

#[test]
fn a_pinned_file_stays_cached_through_dontneed_until_unpinned() {
    let page = page_size();
    let tmp = target_tmp("pin");
    std::fs::write(&tmp.0, vec![3u8; 64 * page]).unwrap();
    let file = File::open(&tmp.0).unwrap();
    let pinned = pin(&file).unwrap().expect("a non-empty file");
    fadvise_dontneed(&file).unwrap();
    assert_eq!(
        resident_pages(&file).unwrap(),
        64,
        "DONTNEED dropped pinned pages"
    );
    drop(pinned);
    if evict(&file, "the unpinned file") {
        assert_eq!(resident_pages(&file).unwrap(), 0);
    }
    let empty = target_tmp("pin-empty");
    File::create(&empty.0).unwrap();
    assert!(pin(File::open(&empty.0).unwrap()).unwrap().is_none());
}

#[test]
fn buffered_writes_are_dirty_until_synced() {
    let page = page_size();
    let tmp = target_tmp("dirty");
    let mut file = File::create(&tmp.0).unwrap();
    file.write_all(&vec![9u8; 16 * page]).unwrap();
    let stat = match cachestat(&file, 0, 0) {
        Ok(CacheStat { dirty: 0, .. }) => {
            return println!("SKIP: no dirty pages after a buffered write here")
        }
        Ok(stat) => stat,
        Err(why) => return println!("SKIP: {why}"),
    };
    assert_eq!(stat.cached, 16, "{stat:?}");
    assert!(stat.dirty <= 16, "{stat:?}");
    let tail = dirty_pages(&file, 8 * page as u64, 0).unwrap();
    assert!(tail <= 8, "only the last 8 pages are in the range: {tail}");
    file.sync_data().unwrap();
    assert_eq!(dirty_pages(&file, 0, 0).unwrap(), 0, "written back");
}

#[test]
fn a_tmpfs_file_is_refused_with_the_skip_reason() {
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let on_tmpfs = mounts.lines().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.get(1..3) == Some(&["/dev/shm", "tmpfs"][..])
    });
    if !on_tmpfs {
        return println!("SKIP: /dev/shm is not a tmpfs here");
    }
    let tmp = Tmp::new(Path::new("/dev/shm"), "tmpfs");
    let file = File::create(&tmp.0).unwrap();
    let why = cachestat(&file, 0, 0).unwrap_err();
    assert!(matches!(why, Unavailable::Tmpfs), "{why:?}");
    assert_eq!(
        why.to_string(),
        "the test file is on tmpfs, which has no writeback"
    );
}

#[test]
fn a_failed_cachestat_names_the_kernel_version() {
    let why = Unavailable::Cachestat(std::io::Error::from_raw_os_error(libc::ENOSYS));
    let text = why.to_string();
    assert!(text.starts_with("cachestat failed ("), "{text}");
    assert!(text.ends_with("): kernel older than 6.5?"), "{text}");
}
