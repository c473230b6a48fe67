//! Stress: 64 tasks on tokio's multi-thread runtime, each doing 10,000 random
//! positional reads and writes over 4 shared files of 1 MiB; every read is checked
//! against a model as it completes, and every byte of every file at the end.
//!
//! Each task owns a disjoint 16 KiB region of every file, so its model of that region
//! (the initial content plus its own completed writes) is exact whatever the other 63
//! tasks do meanwhile; a write landing in the wrong place shows up in someone's region.
//! The seed is printed; `AIOFILE_SEED=<n>` replays a run.
mod support;

use std::time::Instant;

use aiofile::AioFile;
use support::{Rng, TempDir};

const FILES: usize = 4;
const FILE_SIZE: usize = 1 << 20;
const TASKS: usize = 64;
const OPS_PER_TASK: usize = 10_000;
const REGION: usize = FILE_SIZE / TASKS;
const MAX_OP: usize = 2048;

/// One task's view: its region of each file, as it must be now.
struct Model {
    base: usize,
    regions: Vec<Vec<u8>>,
}

/// What one task did, for the summary line.
#[derive(Default)]
struct Tally {
    reads: usize,
    writes: usize,
    bytes: usize,
}

async fn task(files: Vec<AioFile>, mut model: Model, mut rng: Rng) -> (Model, Tally) {
    let mut tally = Tally::default();
    for op in 0..OPS_PER_TASK {
        let which = rng.below(FILES as u64) as usize;
        let len = rng.range(1, MAX_OP);
        let at = rng.range(0, REGION - len);
        let offset = (model.base + at) as u64;
        let file = &files[which];
        let expect = &mut model.regions[which][at..at + len];
        if rng.one_in(2) {
            let mut data = vec![0u8; len];
            rng.fill(&mut data);
            let n = if rng.one_in(2) {
                file.write(&data, offset).await
            } else {
                file.write_buf(data.clone(), offset).await.0
            };
            assert_eq!(n.expect("write"), len, "op {op}");
            expect.copy_from_slice(&data);
            tally.writes += 1;
        } else {
            let got = if rng.one_in(2) {
                file.read(len, offset).await.expect("read")
            } else {
                let (n, buf) = file.read_into(Vec::with_capacity(len), len, offset).await;
                assert_eq!(n.expect("read_into"), len, "op {op}");
                buf
            };
            assert!(
                got == *expect,
                "op {op}: read {len} at {offset} of file {which}"
            );
            tally.reads += 1;
        }
        tally.bytes += len;
    }
    (model, tally)
}

#[test]
fn stress_64_tasks_10k_ops_each() {
    let seed = support::seed("stress");
    let dir = TempDir::new("stress");
    let mut rng = Rng::new(seed);
    let mut initial = Vec::new();
    for i in 0..FILES {
        let mut data = vec![0u8; FILE_SIZE];
        rng.fill(&mut data);
        std::fs::write(dir.join(&format!("f{i}")), &data).unwrap();
        initial.push(data);
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let start = Instant::now();
    let (models, tally) = rt.block_on(async {
        let mut files = Vec::new();
        for i in 0..FILES {
            files.push(
                AioFile::open(dir.join(&format!("f{i}")), "r+")
                    .await
                    .unwrap(),
            );
        }
        let handles: Vec<_> = (0..TASKS)
            .map(|t| {
                let base = t * REGION;
                let regions = initial.iter().map(|f| f[base..base + REGION].to_vec());
                let model = Model {
                    base,
                    regions: regions.collect(),
                };
                tokio::spawn(task(files.clone(), model, Rng::new(rng.next_u64())))
            })
            .collect();
        let mut models = Vec::new();
        let mut total = Tally::default();
        for h in handles {
            let (model, tally) = h.await.expect("task panicked");
            models.push(model);
            total.reads += tally.reads;
            total.writes += tally.writes;
            total.bytes += tally.bytes;
        }
        for f in &files {
            f.close().await.unwrap();
        }
        (models, total)
    });
    println!(
        "stress: {} reads + {} writes ({} MiB) by {TASKS} tasks in {:.2?}",
        tally.reads,
        tally.writes,
        tally.bytes >> 20,
        start.elapsed()
    );
    assert_eq!(tally.reads + tally.writes, TASKS * OPS_PER_TASK);
    for i in 0..FILES {
        let on_disk = std::fs::read(dir.join(&format!("f{i}"))).unwrap();
        assert_eq!(on_disk.len(), FILE_SIZE, "file {i} size");
        for m in &models {
            let got = &on_disk[m.base..m.base + REGION];
            assert!(got == m.regions[i], "file {i}, region at {}", m.base);
        }
    }
}
