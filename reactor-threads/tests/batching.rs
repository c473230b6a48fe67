//! Wake-up coalescing: one task awaiting 32 reads is woken at most once per worker
//! batch, not once per completion.
mod common;

use aiofile_core::Op;
use common::{pattern_at, reactor, run_all, OpFut, TempFile};

const DEPTH: usize = 32;
const ROUNDS: usize = 20;
const SIZE: usize = 4096;

#[test]
fn a_burst_of_completions_costs_fewer_wakeups() {
    let r = reactor(4, 64, false);
    let tmp = TempFile::new("batch", &pattern_at(0, DEPTH * SIZE));
    let mut bufs: Vec<Vec<u8>> = (0..DEPTH).map(|_| Vec::with_capacity(SIZE)).collect();
    for _ in 0..ROUNDS {
        let mut futs: Vec<_> = bufs
            .drain(..)
            .enumerate()
            .map(|(i, buf)| {
                OpFut::new(
                    &r,
                    &tmp.file,
                    Op::read(buf, (i * SIZE) as u64, SIZE).unwrap(),
                )
            })
            .collect();
        let mut out: Vec<_> = (0..DEPTH).map(|_| None).collect();
        run_all(&mut futs, &mut out);
        for (i, done) in out.into_iter().enumerate() {
            let done = done.unwrap();
            assert_eq!(done.result, Ok(SIZE));
            let mut buf = done.buf.unwrap();
            assert_eq!(buf, pattern_at((i * SIZE) as u64, SIZE));
            buf.clear();
            bufs.push(buf);
        }
    }
    let s = r.stats();
    let completions = (DEPTH * ROUNDS) as u64;
    println!(
        "{completions} completions, {} wake-ups: {:.1} completions per wake-up ({s:?})",
        s.wakeups,
        completions as f64 / s.wakeups.max(1) as f64
    );
    assert_eq!(
        (s.submitted, s.completed, s.inline),
        (completions, completions, 0)
    );
    // At most one wake per completion, by construction; fewer whenever a worker
    // published several completions of the task in one batch.
    assert!(s.wakeups <= s.completed);
    assert_eq!(r.in_use_slots(), 0);
}
