//! The report's charts: inline SVG drawn with plotters (its SVG backend, no fonts bundled: the
//! browser sets the text). Three kinds cover every chart: a histogram of days, lines over
//! months, and horizontal bars by category; each takes one series per simulation run, so the
//! what-if section draws base and variant in the same axes. Every chart is an `<svg
//! role="img">` with a `<title>` and a `<desc>`; its figures are in a table beside it.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Size of every chart (CSS pixels; it scales down to the page's width).
const W: u32 = 640;
const H: u32 = 300;
/// One colour per run (base, variant) and per line: Okabe–Ito, distinguishable in colour
/// blindness and in grey print.
const COLORS: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(230, 159, 0),
];
const FONT: &str = "sans-serif";
const GRID: RGBColor = RGBColor(226, 226, 226);
const INK: RGBColor = RGBColor(40, 40, 40);

/// A number the Swedish way: decimal comma, a space between thousands.
pub fn sv(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "−"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

/// A share as a percentage: `12,5 %`.
pub fn pct(x: f64) -> String {
    format!("{}\u{a0}%", sv(x * 100.0, 1))
}

/// Put plotters' `<svg>` into the page: a `role="img"` element with a title and description,
/// scaled by CSS.
fn wrap(svg: &str, id: &str, title: &str, desc: &str) -> String {
    let body = match svg.find('>') {
        Some(i) if svg.starts_with("<svg") => &svg[i + 1..],
        _ => svg,
    };
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>{body}",
        super::html::esc(title),
        super::html::esc(desc)
    )
}

/// A chart that could not be drawn (plotters failed): a line of text instead.
fn failed(id: &str, title: &str, e: impl std::fmt::Display) -> String {
    format!(
        "<p class=\"note\" id=\"{id}\">Diagrammet \u{201d}{}\u{201d} kunde inte ritas: {}</p>",
        super::html::esc(title),
        super::html::esc(&e.to_string())
    )
}

type Drawn = Result<(), Box<dyn std::error::Error>>;

/// Days from one event to another: bars of cases per bucket of days, one colour per run, with
/// each run's median (dashed) and 90th percentile (dotted).
pub fn histogram(
    id: &str,
    title: &str,
    desc: &str,
    runs: &[(&str, &super::figures::LeadTime)],
) -> String {
    let mut buf = String::new();
    let result: Drawn = (|| {
        // Up to the largest 99th percentile, in at most 30 buckets.
        let upto = runs
            .iter()
            .map(|(_, l)| quantile(&l.days, l.count, 0.99))
            .max()
            .unwrap_or(0)
            .max(1);
        let width = upto.div_ceil(30).max(1);
        let buckets = upto / width + 1;
        let counts: Vec<Vec<u64>> = runs
            .iter()
            .map(|(_, l)| {
                let mut b = vec![0u64; buckets];
                for (d, n) in l.days.iter().enumerate() {
                    b[(d / width).min(buckets - 1)] += n;
                }
                b
            })
            .collect();
        let ymax = counts.iter().flatten().copied().max().unwrap_or(1).max(1) as f64 * 1.12;
        let xmax = (buckets * width) as f64;
        let root = SVGBackend::with_string(&mut buf, (W, H)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(38)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..xmax, 0f64..ymax)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .axis_style(INK)
            .label_style((FONT, 12).into_font().color(&INK))
            .axis_desc_style((FONT, 12).into_font().color(&INK))
            .x_desc(if width > 1 {
                format!("dagar (staplar om {width} dagar; sista: {upto} eller fler)")
            } else {
                format!("dagar (sista stapeln: {upto} eller fler)")
            })
            .y_desc("ärenden")
            .x_label_formatter(&|x| sv(*x, 0))
            .y_label_formatter(&|y| sv(*y, 0))
            .draw()?;
        let k = runs.len().max(1) as f64;
        for (ri, ((label, lead), b)) in runs.iter().zip(&counts).enumerate() {
            let color = COLORS[ri % COLORS.len()];
            let series = chart.draw_series(b.iter().enumerate().map(|(i, &n)| {
                let x0 = (i * width) as f64 + width as f64 * (0.08 + 0.84 * ri as f64 / k);
                let x1 = x0 + width as f64 * 0.84 / k;
                Rectangle::new([(x0, 0.0), (x1, n as f64)], color.filled())
            }))?;
            if runs.len() > 1 {
                series.label(*label).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
            }
            for (q, dash, name) in [(lead.median, 6, "median"), (lead.p90, 2, "p90")] {
                if let Some(q) = q {
                    let x = (q.min(upto as u64) as f64 + 0.5).min(xmax);
                    chart.draw_series(DashedLineSeries::new(
                        vec![(x, 0.0), (x, ymax * 0.93)],
                        dash,
                        3,
                        INK.stroke_width(1),
                    ))?;
                    let text = if runs.len() > 1 {
                        format!("{name} {label}: {q} d")
                    } else {
                        format!("{name}: {q} d")
                    };
                    let dy = if name == "median" { 0.97 } else { 0.90 } - 0.14 * ri as f64;
                    chart.draw_series(std::iter::once(Text::new(
                        text,
                        (x, ymax * dy),
                        (FONT, 11)
                            .into_font()
                            .color(&INK)
                            .pos(Pos::new(HPos::Left, VPos::Center)),
                    )))?;
                }
            }
        }
        if runs.len() > 1 {
            legend(&mut chart)?;
        }
        root.present()?;
        Ok(())
    })();
    match result {
        Ok(()) => wrap(&buf, id, title, desc),
        Err(e) => failed(id, title, e),
    }
}

type Plane<'a> = ChartContext<
    'a,
    SVGBackend<'a>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

fn legend(chart: &mut Plane<'_>) -> Drawn {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(GRID)
        .label_font((FONT, 12).into_font().color(&INK))
        .draw()?;
    Ok(())
}

/// The `q` quantile of a histogram of `count` cases (index = days).
fn quantile(days: &[u64], count: u64, q: f64) -> usize {
    if count == 0 {
        return 0;
    }
    let rank = ((count as f64) * q).ceil().max(1.0) as u64;
    let mut seen = 0;
    days.iter()
        .position(|n| {
            seen += n;
            seen >= rank
        })
        .unwrap_or(days.len().saturating_sub(1))
}

/// Lines over months: one per series (a run, or an obligation), solid and dashed in turn, with
/// an optional horizontal reference line (a figure of the source).
pub fn lines(
    id: &str,
    title: &str,
    desc: &str,
    months: &[String],
    series: &[(String, Vec<f64>)],
    reference: Option<(f64, String)>,
    share: bool,
) -> String {
    let mut buf = String::new();
    let result: Drawn = (|| {
        let n = months.len().max(2);
        let top = series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .chain(reference.as_ref().map(|r| r.0))
            .fold(0f64, f64::max);
        let ymax = if share {
            (top * 1.15).clamp(0.05, 1.0)
        } else {
            (top * 1.15).max(1.0)
        };
        let root = SVGBackend::with_string(&mut buf, (W, H)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(38)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..(n - 1) as f64, 0f64..ymax)?;
        let label_of = |x: &f64| {
            let i = x.round() as usize;
            if (x - x.round()).abs() > 0.01 {
                return String::new();
            }
            months.get(i).cloned().unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .axis_style(INK)
            .x_labels(8)
            .label_style((FONT, 12).into_font().color(&INK))
            .axis_desc_style((FONT, 12).into_font().color(&INK))
            .x_label_formatter(&label_of)
            .y_label_formatter(&|y| if share { pct(*y) } else { sv(*y, 0) })
            .y_desc(if share { "andel" } else { "ärenden" })
            .draw()?;
        for (si, (label, values)) in series.iter().enumerate() {
            let color = COLORS[si % COLORS.len()];
            let points: Vec<(f64, f64)> = values
                .iter()
                .enumerate()
                .map(|(i, &v)| (i as f64, v))
                .collect();
            let style = color.stroke_width(2);
            let drawn = if si % 2 == 0 {
                chart.draw_series(LineSeries::new(points, style))?
            } else {
                chart.draw_series(DashedLineSeries::new(points, 7, 4, style))?
            };
            if series.len() > 1 {
                let dashed = si % 2 == 1;
                drawn.label(label.as_str()).legend(move |(x, y)| {
                    if dashed {
                        PathElement::new(vec![(x, y), (x + 6, y)], color.stroke_width(2))
                    } else {
                        PathElement::new(vec![(x, y), (x + 14, y)], color.stroke_width(2))
                    }
                });
            }
        }
        if let Some((value, text)) = &reference {
            chart.draw_series(DashedLineSeries::new(
                vec![(0.0, *value), ((n - 1) as f64, *value)],
                3,
                3,
                INK.stroke_width(2),
            ))?;
            chart.draw_series(std::iter::once(Text::new(
                text.clone(),
                (0.5, *value + ymax * 0.02),
                (FONT, 12)
                    .into_font()
                    .color(&INK)
                    .pos(Pos::new(HPos::Left, VPos::Bottom)),
            )))?;
        }
        if series.len() > 1 {
            legend(&mut chart)?;
        }
        root.present()?;
        Ok(())
    })();
    match result {
        Ok(()) => wrap(&buf, id, title, desc),
        Err(e) => failed(id, title, e),
    }
}

/// Horizontal bars: one row per category, one bar per series (run) in it.
pub fn bars(
    id: &str,
    title: &str,
    desc: &str,
    categories: &[String],
    series: &[(String, Vec<f64>)],
    share: bool,
) -> String {
    let mut buf = String::new();
    let k = series.len().max(1);
    let rows = categories.len().max(1) * k;
    let height = (rows as u32 * 22 + 70).clamp(140, 520);
    let result: Drawn = (|| {
        let top = series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .fold(0f64, f64::max);
        let xmax = if share {
            (top * 1.15).clamp(0.05, 1.0)
        } else {
            (top * 1.15).max(1.0)
        };
        let root = SVGBackend::with_string(&mut buf, (W, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(200)
            .build_cartesian_2d(0f64..xmax, (0..rows as i32).into_segmented())?;
        let name = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) if (*i as usize) < rows => {
                let i = *i as usize;
                let c = categories.get(i / k).map_or("", String::as_str);
                let c: String = if c.chars().count() > 30 {
                    c.chars().take(29).collect::<String>() + "…"
                } else {
                    c.to_string()
                };
                if k > 1 {
                    format!("{c} ({})", series[i % k].0)
                } else {
                    c
                }
            }
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .axis_style(INK)
            .y_labels(rows)
            .label_style((FONT, 12).into_font().color(&INK))
            .y_label_formatter(&name)
            .x_label_formatter(&|x| if share { pct(*x) } else { sv(*x, 1) })
            .draw()?;
        for (si, (_, values)) in series.iter().enumerate() {
            let color = COLORS[si % COLORS.len()];
            chart.draw_series(values.iter().enumerate().map(|(ci, &v)| {
                let row = (ci * k + si) as i32;
                let mut r = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(row)),
                        (v, SegmentValue::Exact(row + 1)),
                    ],
                    color.filled(),
                );
                r.set_margin(3, 3, 0, 0);
                r
            }))?;
            chart.draw_series(values.iter().enumerate().map(|(ci, &v)| {
                let row = (ci * k + si) as i32;
                Text::new(
                    if share { pct(v) } else { sv(v, 1) },
                    (v + xmax * 0.01, SegmentValue::CenterOf(row)),
                    (FONT, 11)
                        .into_font()
                        .color(&INK)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )
            }))?;
        }
        root.present()?;
        Ok(())
    })();
    match result {
        Ok(()) => wrap(&buf, id, title, desc).replacen(
            &format!("viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\""),
            &format!("viewBox=\"0 0 {W} {height}\" width=\"{W}\" height=\"{height}\""),
            1,
        ),
        Err(e) => failed(id, title, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_the_swedish_way() {
        assert_eq!(sv(1234567.0, 0), "1\u{a0}234\u{a0}567");
        assert_eq!(sv(0.5, 1), "0,5");
        assert_eq!(sv(-12.25, 1), "−12,2");
        assert_eq!(sv(-0.01, 1), "0,0");
        assert_eq!(pct(0.125), "12,5\u{a0}%");
        assert_eq!(sv(999.0, 0), "999");
    }

    #[test]
    fn a_chart_is_an_image_with_a_title_and_no_size_of_its_own_beyond_its_view_box() {
        let lead = super::super::figures::LeadTime {
            count: 4,
            median: Some(2),
            p90: Some(5),
            mean: Some(2.5),
            days: vec![1, 0, 2, 0, 0, 1],
        };
        let svg = histogram("c1", "Ledtid", "Fyra ärenden", &[("Bas", &lead)]);
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\""),
            "{svg}"
        );
        assert!(svg.contains("role=\"img\"") && svg.contains("<title id=\"c1-t\">Ledtid</title>"));
        assert_eq!(svg.matches("<svg").count(), 1, "one svg element");
        assert!(svg.trim_end().ends_with("</svg>"));
        let bars = bars(
            "c2",
            "Utfall",
            "",
            &["a".to_string(), "b".to_string()],
            &[("Bas".to_string(), vec![1.0, 2.0])],
            false,
        );
        assert!(bars.contains("viewBox=\"0 0 640 140\""), "{}", &bars[..300]);
    }
}
