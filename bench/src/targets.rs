//! The targets of issue 5 (ratios within one run), checked against the records.
use crate::record::{Measure, Record};
use crate::systems::System;
use crate::workloads::Workload;

/// What `aiofile-auto` is compared with.
#[derive(Clone, Copy, Debug)]
enum Bar {
    /// At least `ratio` times the best of these peers' headline figure.
    Ratio(f64, &'static [System]),
    /// W7: p99.9 stall below this many µs.
    StallBelow(f64),
    /// W8: allocations per operation of the W1 / W6 steady state equal to 0.
    ZeroAllocs(Workload),
}

const FIO_ALL: &[System] = &[System::FioIoUring, System::FioLibaio, System::FioPsync];
const SEEDS: &[System] = &[System::SeedUring, System::SeedLinuxAio, System::SeedThread];

const TARGETS: &[(Workload, Bar)] = &[
    (Workload::W1, Bar::Ratio(1.3, &[System::FioIoUring])),
    (Workload::W1, Bar::Ratio(0.6, &[System::StdSync])),
    (Workload::W1, Bar::Ratio(5.0, &[System::TokioSpawnBlocking])),
    (Workload::W1b, Bar::Ratio(1.0, &[System::FioIoUring])),
    (Workload::W2, Bar::Ratio(0.9, &[System::FioIoUring])),
    (Workload::W3, Bar::Ratio(0.95, FIO_ALL)),
    (Workload::W4, Bar::Ratio(0.8, &[System::StdSync])),
    (Workload::W4, Bar::Ratio(1.5, SEEDS)),
    (Workload::W5, Bar::Ratio(0.9, &[System::StdSync])),
    (Workload::W6, Bar::Ratio(1.0, &[System::StdSync])),
    (Workload::W6, Bar::Ratio(10.0, SEEDS)),
    (Workload::W7, Bar::StallBelow(50.0)),
    (Workload::W8, Bar::ZeroAllocs(Workload::W1)),
    (Workload::W8, Bar::ZeroAllocs(Workload::W6)),
];

/// One checked target: the line describing it, and met / missed / not evaluated.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// `Some(true)` met, `Some(false)` missed, `None` not evaluated.
    pub met: Option<bool>,
    /// The line for latest.md.
    pub text: String,
}

fn find(records: &[Record], w: Workload, s: System, of: Option<Workload>) -> Option<&Measure> {
    records
        .iter()
        .find(|r| r.workload == w && r.system == s && r.of == of)
        .and_then(|r| r.result.as_ref().ok())
}

fn best_peer(records: &[Record], w: Workload, peers: &[System]) -> Option<(System, f64)> {
    peers
        .iter()
        .filter_map(|&p| Some((p, find(records, w, p, None)?.headline(w)?)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

fn names(peers: &[System]) -> String {
    match peers {
        [one] => one.id().to_string(),
        _ if peers == SEEDS => "the best seed-*".to_string(),
        _ => "the better fio engine".to_string(),
    }
}

/// Checks every target.
pub fn check(records: &[Record]) -> Vec<Verdict> {
    TARGETS
        .iter()
        .map(|&(w, bar)| verdict(records, w, bar))
        .collect()
}

fn verdict(records: &[Record], w: Workload, bar: Bar) -> Verdict {
    let auto = System::AiofileAuto;
    let (met, text) = match bar {
        Bar::Ratio(min, peers) => {
            let goal = format!("{w}: aiofile-auto >= {min}x {}", names(peers));
            let ours = find(records, w, auto, None).and_then(|m| m.headline(w));
            match (ours, best_peer(records, w, peers)) {
                (Some(o), Some((p, v))) if v > 0.0 => {
                    let r = o / v;
                    let (o, v) = (fmt_headline(w, o), fmt_headline(w, v));
                    let unit = w.unit();
                    let text = format!("{goal}: {r:.3}x (aiofile-auto {o} vs {p} {v} {unit})");
                    (Some(r >= min), text)
                }
                (None, _) => (
                    None,
                    format!("{goal}: not evaluated (no aiofile-auto figure)"),
                ),
                _ => (None, format!("{goal}: not evaluated (no peer figure)")),
            }
        }
        Bar::StallBelow(max) => {
            let goal = format!("{w}: aiofile-auto p99.9 stall < {max} µs");
            match find(records, w, auto, None).and_then(|m| m.stall_p999_us) {
                Some(v) => (Some(v < max), format!("{goal}: {v:.1} µs")),
                None => (None, format!("{goal}: not evaluated")),
            }
        }
        Bar::ZeroAllocs(of) => {
            let goal = format!("{w}: aiofile-auto allocations per op in {of} = 0");
            match find(records, w, auto, Some(of)).and_then(|m| m.allocs_per_op) {
                Some(v) => (Some(v == 0.0), format!("{goal}: {}", fmt_allocs(v))),
                None => (None, format!("{goal}: not evaluated")),
            }
        }
    };
    Verdict { met, text }
}

/// Allocations per operation: `0` only when exactly zero, otherwise enough digits to
/// show it (a few allocations over millions of operations must not print as 0.000).
pub fn fmt_allocs(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v >= 0.001 {
        format!("{v:.3}")
    } else {
        format!("{v:.2e}")
    }
}

/// A workload's headline figure in its unit (MiB/s for W4/W5).
pub fn fmt_headline(w: Workload, v: f64) -> String {
    match w {
        Workload::W4 | Workload::W5 => fmt_num(v / (1u64 << 20) as f64),
        Workload::W7 => format!("{v:.1}"),
        Workload::W8 => fmt_allocs(v),
        _ => fmt_num(v),
    }
}

/// A figure with thousands separators or 3 significant digits.
pub fn fmt_num(v: f64) -> String {
    if v.abs() >= 1000.0 {
        let s = format!("{:.0}", v);
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 && c != '-' {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Measure, Outcome};

    fn rec(w: Workload, s: System, ops: f64) -> Record {
        let m = Measure {
            ops_per_sec: Some(ops),
            ..Measure::default()
        };
        Record::from_repeats(w, s, &[Outcome::Done(m)])
    }

    #[test]
    fn allocation_figures_never_round_to_zero() {
        assert_eq!(fmt_allocs(0.0), "0");
        assert_eq!(fmt_allocs(2.5), "2.500");
        assert_eq!(fmt_allocs(3.1e-7), "3.10e-7");
    }

    #[test]
    fn ratio_targets_met_missed_and_unevaluated() {
        let records = vec![
            rec(Workload::W1, System::AiofileAuto, 260.0),
            rec(Workload::W1, System::FioIoUring, 200.0),
            rec(Workload::W1, System::StdSync, 500.0),
        ];
        let v = check(&records);
        assert_eq!(v[0].met, Some(true), "{}", v[0].text);
        assert_eq!(v[1].met, Some(false), "{}", v[1].text);
        assert_eq!(v[2].met, None, "{}", v[2].text);
        assert!(v[0].text.contains("1.300x"), "{}", v[0].text);
    }

    #[test]
    fn numbers_are_readable() {
        assert_eq!(fmt_num(1234567.4), "1,234,567");
        assert_eq!(fmt_num(12.34), "12.3");
        assert_eq!(fmt_num(0.5), "0.50");
    }
}
