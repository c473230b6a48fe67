//! What one case measured, and how a case's repeats become one record.
use serde_json::{json, Map, Value};

use crate::stats::median;
use crate::systems::System;
use crate::workloads::Workload;

/// The figures of one run of one case (fields that do not apply stay `None`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Measure {
    /// Backend actually used (`uring`, `aio`, `threads`, `psync`, ...).
    pub backend: Option<String>,
    /// Operations (reads, writes or lines) per second.
    pub ops_per_sec: Option<f64>,
    /// Payload bytes per second.
    pub bytes_per_sec: Option<f64>,
    /// Median latency of one operation, µs.
    pub p50_us: Option<f64>,
    /// 99th percentile latency, µs.
    pub p99_us: Option<f64>,
    /// W7: 99.9th percentile of the ticker's gaps, µs.
    pub stall_p999_us: Option<f64>,
    /// W7: longest ticker gap, µs.
    pub stall_max_us: Option<f64>,
    /// Heap allocations per operation in steady state.
    pub allocs_per_op: Option<f64>,
}

impl Measure {
    /// The figure a workload is ranked by (higher is better, except W7 and W8).
    pub fn headline(&self, w: Workload) -> Option<f64> {
        match w {
            Workload::W4 | Workload::W5 => self.bytes_per_sec,
            Workload::W7 => self.stall_p999_us,
            Workload::W8 => self.allocs_per_op,
            _ => self.ops_per_sec,
        }
    }
}

/// The result of one case: measured (one `Measure` per repeat) or skipped, with why.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Measured.
    Done(Measure),
    /// Not measured, and why (printed and reported).
    Skipped(String),
}

/// One (workload, system) row of the report: the median of its repeats.
#[derive(Clone, Debug)]
pub struct Record {
    /// Workload id.
    pub workload: Workload,
    /// System.
    pub system: System,
    /// For W8 rows: the workload whose steady state was counted (W1 or W6).
    pub of: Option<Workload>,
    /// Median figures, or why the case was skipped.
    pub result: Result<Measure, String>,
    /// How many repeats the medians are over.
    pub repeats: usize,
    /// The headline figure of each measured repeat, in run order: the spread behind the
    /// median (empty for derived rows such as W8).
    pub per_repeat: Vec<f64>,
}

impl Record {
    /// Folds the repeats of one case: each field is the median over repeats that have it.
    /// A case skipped in any repeat (before any measurement) is skipped.
    pub fn from_repeats(workload: Workload, system: System, outcomes: &[Outcome]) -> Self {
        let done: Vec<&Measure> = outcomes
            .iter()
            .filter_map(|o| match o {
                Outcome::Done(m) => Some(m),
                Outcome::Skipped(_) => None,
            })
            .collect();
        let result = if done.is_empty() {
            Err(outcomes
                .iter()
                .find_map(|o| match o {
                    Outcome::Skipped(why) => Some(why.clone()),
                    Outcome::Done(_) => None,
                })
                .unwrap_or_else(|| "not run".to_string()))
        } else {
            Ok(median_measure(&done))
        };
        Record {
            workload,
            system,
            of: None,
            result,
            repeats: done.len(),
            per_repeat: done.iter().filter_map(|m| m.headline(workload)).collect(),
        }
    }

    /// The JSON object of the `runs` array (skipped cases carry `skipped`).
    pub fn to_json(&self) -> Value {
        let mut o = Map::new();
        o.insert("workload".into(), json!(self.workload.id()));
        o.insert("system".into(), json!(self.system.id()));
        if let Some(of) = self.of {
            o.insert("of".into(), json!(of.id()));
        }
        match &self.result {
            Err(why) => {
                o.insert("skipped".into(), json!(why));
            }
            Ok(m) => {
                if let Some(b) = &m.backend {
                    o.insert("backend".into(), json!(b));
                }
                let fields = [
                    ("ops_per_sec", m.ops_per_sec),
                    ("bytes_per_sec", m.bytes_per_sec),
                    ("p50_us", m.p50_us),
                    ("p99_us", m.p99_us),
                    ("stall_p999_us", m.stall_p999_us),
                    ("stall_max_us", m.stall_max_us),
                    ("allocs_per_op", m.allocs_per_op),
                ];
                for (k, v) in fields {
                    if let Some(v) = v {
                        o.insert(k.into(), json!(round(v)));
                    }
                }
                o.insert("repeats".into(), json!(self.repeats));
                if !self.per_repeat.is_empty() {
                    let v: Vec<f64> = self.per_repeat.iter().map(|&v| round(v)).collect();
                    o.insert("per_repeat".into(), json!(v));
                }
            }
        }
        Value::Object(o)
    }
}

fn round(v: f64) -> f64 {
    if v.abs() >= 100.0 {
        v.round()
    } else {
        (v * 1000.0).round() / 1000.0
    }
}

fn median_measure(done: &[&Measure]) -> Measure {
    let med = |f: fn(&Measure) -> Option<f64>| {
        let v: Vec<f64> = done.iter().filter_map(|m| f(m)).collect();
        median(&v)
    };
    Measure {
        backend: done.iter().find_map(|m| m.backend.clone()),
        ops_per_sec: med(|m| m.ops_per_sec),
        bytes_per_sec: med(|m| m.bytes_per_sec),
        p50_us: med(|m| m.p50_us),
        p99_us: med(|m| m.p99_us),
        stall_p999_us: med(|m| m.stall_p999_us),
        stall_max_us: med(|m| m.stall_max_us),
        allocs_per_op: med(|m| m.allocs_per_op),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(ops: f64) -> Outcome {
        Outcome::Done(Measure {
            backend: Some("threads".into()),
            ops_per_sec: Some(ops),
            ..Measure::default()
        })
    }

    #[test]
    fn medians_over_repeats() {
        let r = Record::from_repeats(Workload::W1, System::StdSync, &[m(3.0), m(1.0), m(2.0)]);
        let got = r.result.unwrap();
        assert_eq!(got.ops_per_sec, Some(2.0));
        assert_eq!(got.p50_us, None);
        assert_eq!(r.repeats, 3);
        assert_eq!(
            r.per_repeat,
            [3.0, 1.0, 2.0],
            "the headline of each repeat, in order"
        );
    }

    #[test]
    fn skipped_case_keeps_its_reason_and_json_omits_figures() {
        let r = Record::from_repeats(
            Workload::W3,
            System::TokioFs,
            &[Outcome::Skipped("no O_DIRECT".into())],
        );
        let j = r.to_json();
        assert_eq!(j["skipped"], "no O_DIRECT");
        assert!(j.get("ops_per_sec").is_none());
        let ok = Record::from_repeats(Workload::W1, System::StdSync, &[m(1234.4)]).to_json();
        assert_eq!(ok["ops_per_sec"], 1234.0);
        assert_eq!(ok["backend"], "threads");
        assert!(ok.get("stall_max_us").is_none());
    }
}
