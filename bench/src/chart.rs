//! `chart.svg`: one panel per workload, a horizontal bar per measured system
//! (aiofile systems in blue, peers in grey), headline figure on the x axis.
use std::path::Path;

use plotters::prelude::*;

use crate::record::Record;
use crate::workloads::Workload;

const OURS: RGBColor = RGBColor(31, 119, 180);
const PEER: RGBColor = RGBColor(150, 150, 150);

/// Draws the chart.
///
/// # Errors
/// A message from the drawing backend.
pub fn draw(path: &Path, records: &[Record]) -> Result<(), String> {
    let root = SVGBackend::new(path, (1500, 1650)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let panels = root.split_evenly((3, 3));
    for (panel, w) in panels.iter().zip(Workload::ALL) {
        let rows: Vec<(String, f64, bool)> = records
            .iter()
            .filter(|r| r.workload == w)
            .filter_map(|r| {
                let v = r.result.as_ref().ok()?.headline(w)?;
                let name = match r.of {
                    Some(of) => format!("{} {of}", r.system),
                    None => r.system.to_string(),
                };
                Some((name, v, r.system.is_ours()))
            })
            .collect();
        if !rows.is_empty() {
            panel_chart(panel, w, &rows).map_err(|e| e.to_string())?;
        }
    }
    root.present().map_err(|e| e.to_string())
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

fn panel_chart<'a>(
    panel: &Area<'a>,
    w: Workload,
    rows: &[(String, f64, bool)],
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let scale = if matches!(w, Workload::W4 | Workload::W5) {
        1.0 / (1u64 << 20) as f64
    } else {
        1.0
    };
    let max = rows
        .iter()
        .map(|r| r.1 * scale)
        .fold(0.0, f64::max)
        .max(1e-3)
        * 1.1;
    let n = rows.len() as i32;
    let mut chart = ChartBuilder::on(panel)
        .caption(format!("{w}: {}", w.unit()), ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(170)
        .build_cartesian_2d(0.0..max, (0..n).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(rows.len())
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => (n - 1 - *i)
                .try_into()
                .ok()
                .and_then(|k: usize| rows.get(k))
                .map(|r| r.0.clone())
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        })
        .x_labels(5)
        .x_label_formatter(&|x| crate::targets::fmt_num(*x))
        .draw()?;
    chart.draw_series(rows.iter().enumerate().map(|(i, (_, v, ours))| {
        let color = if *ours { OURS } else { PEER };
        let i = n - 1 - i as i32; // first row on top
        let mut bar = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(i)),
                (v * scale, SegmentValue::Exact(i + 1)),
            ],
            color.filled(),
        );
        bar.set_margin(3, 3, 0, 0);
        bar
    }))?;
    Ok(())
}
