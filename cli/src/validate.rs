//! `steg validate`: the figures of a municipality's sources beside the simulated ones, with
//! their confidence intervals and a verdict each, in Swedish; `--format json` for tools.

use crate::report::charts::sv;
use std::io::Write;
use std::process::ExitCode;
use steg_engine as engine;
use steg_engine::{FigureCheck, FigureVerdict, ValidationReport};

/// A number as the page and the terminal show it: a share as a percentage, a count or a
/// number of days with one decimal.
pub fn number(x: f64, share: bool) -> String {
    if share {
        format!("{}\u{a0}%", sv(x * 100.0, 1))
    } else {
        sv(x, 1)
    }
}

/// The tolerance: percentage points for a share.
pub fn tolerance(f: &FigureCheck) -> String {
    if f.share {
        format!("±\u{a0}{}\u{a0}procentenheter", sv(f.tolerance * 100.0, 1))
    } else {
        format!("±\u{a0}{}", sv(f.tolerance, 1))
    }
}

/// The simulated figure with its interval: `351,2 (95 % KI 343,0–359,4)`. The interval is cut
/// at what the figure can be (no count below 0, no share above 100 %).
pub fn simulated(f: &FigureCheck) -> String {
    let clip = |x: f64| {
        if f.share {
            x.clamp(0.0, 1.0)
        } else {
            x.max(0.0)
        }
    };
    match (f.simulated, f.low, f.high) {
        (Some(m), Some(lo), Some(hi)) => format!(
            "{} (95\u{a0}% KI {}–{})",
            number(m, f.share),
            number(clip(lo), f.share),
            number(clip(hi), f.share)
        ),
        (Some(m), _, _) => number(m, f.share),
        (None, _, _) => "–".to_string(),
    }
}

/// Print `r` for people.
pub fn human(out: &mut impl Write, r: &ValidationReport, folder: &str) -> std::io::Result<()> {
    writeln!(
        out,
        "Validering av {} ({folder}): {} {}, frö {}, ärenden från {} till {} (i snitt {} ärenden per replikering)",
        r.municipality,
        r.replications,
        if r.replications == 1 {
            "replikering"
        } else {
            "replikeringar"
        },
        r.seed,
        r.start,
        r.until,
        sv(r.cases_per_replication, 0)
    )?;
    writeln!(out)?;
    for f in &r.figures {
        writeln!(
            out,
            "  {} ({}, {})",
            f.id,
            f.period,
            f.description.as_deref().unwrap_or(f.measure)
        )?;
        writeln!(
            out,
            "      källan {:<18} simulerat {}   tolerans {}   → {}",
            number(f.value, f.share),
            simulated(f),
            tolerance(f),
            f.verdict.sv()
        )?;
        if let Some(s) = &f.source {
            writeln!(out, "      källa: {s}")?;
        }
    }
    writeln!(out)?;
    let within = r
        .figures
        .iter()
        .filter(|f| f.verdict == FigureVerdict::Within)
        .count();
    writeln!(
        out,
        "{within} av {} figurer inom toleransen{}",
        r.figures.len(),
        if within == r.figures.len() {
            "."
        } else {
            "; de övriga stämmer inte med källan."
        }
    )?;
    let stuck = r.simulation.stuck_cases();
    if stuck > 0 {
        writeln!(out)?;
        writeln!(out, "Fastnade ärenden i simuleringen: {stuck}")?;
        for s in &r.simulation.stuck {
            writeln!(out, "  {} ärenden vid {}: {}", s.cases, s.step, s.reason)?;
        }
    }
    if !r.assumptions.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Antaganden (ingen källa ger dessa värden; de avgör inte valideringen men syns här):"
        )?;
        for a in &r.assumptions {
            writeln!(out, "  {} = {}", a.path, a.value)?;
            writeln!(out, "      {}", a.source)?;
        }
    }
    Ok(())
}

/// Run `steg validate` on `municipality`.
pub fn validate(
    municipality: &std::path::Path,
    opts: engine::ValidateOptions,
    json: bool,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let (m, sources) = crate::load_clean(municipality)?;
    let report = match engine::validate(&m, &sources, &opts, &mut |_| {}) {
        Ok(r) => r,
        Err(diags) => {
            for d in diags {
                eprintln!("error: {}", d.message);
            }
            return Ok(ExitCode::from(2));
        }
    };
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        human(&mut out, &report, &m.dir.display().to_string())?;
    }
    out.flush()?;
    if report.simulation.stuck_cases() > 0 {
        eprintln!(
            "error: {} simulated cases got stuck (listed by step and reason); fix the configuration",
            report.simulation.stuck_cases()
        );
        return Ok(ExitCode::from(crate::EXIT_STUCK));
    }
    Ok(if report.failed() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
