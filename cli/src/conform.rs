//! `steg conform`: a case system's event log replayed against a municipality's model, per
//! trace, per step and per obligation, for people or as JSON. Only case ids are printed.

use crate::{load_clean, CliResult};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use steg_engine as engine;

/// The largest log file read, in bytes (XES is also bounded by the XML reader's limits).
const MAX_LOG_BYTES: u64 = engine::mining::read::MAX_CSV_BYTES;

/// Run `steg conform`.
pub fn conform(
    municipality: &Path,
    log: &Path,
    map: Option<&Path>,
    budget: usize,
    open: bool,
    json: bool,
) -> CliResult {
    let csv = match log
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(e) if e == "csv" => true,
        Some(e) if e == "xes" => false,
        _ => return Err(format!("{}: the log must end in .xes or .csv", log.display()).into()),
    };
    let size = std::fs::metadata(log)
        .map_err(|e| format!("{}: {e}", log.display()))?
        .len();
    if size > MAX_LOG_BYTES {
        return Err(format!(
            "{}: larger than {} MiB; split the log",
            log.display(),
            MAX_LOG_BYTES / (1024 * 1024)
        )
        .into());
    }
    let bytes = std::fs::read(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: not UTF-8 (byte {})",
            log.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let (m, mut sources) = load_clean(municipality)?;
    let activity_map = match map {
        Some(p) => {
            let t = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            match engine::mining::read_map(&mut sources, p.to_path_buf(), t) {
                Ok(a) => a,
                Err(d) => {
                    let report = engine::Report {
                        sources,
                        municipalities: vec![],
                        diagnostics: vec![*d],
                    };
                    crate::render::diagnostics(&mut std::io::stderr().lock(), &report, false)?;
                    return Ok(ExitCode::from(2));
                }
            }
        }
        None => engine::mining::ActivityMap::default(),
    };
    let mut traces = engine::mining::read_log(&text, csv).map_err(|e| match e.line {
        Some(l) => format!("{}:{l}: {}", log.display(), e.message),
        None => format!("{}: {}", log.display(), e.message),
    })?;
    if open {
        for t in &mut traces {
            t.open = true;
        }
    }
    let c = engine::mining::conform(&m, &traces, &activity_map, engine::mining::Budget(budget))
        .map_err(|e| match map {
            Some(p) => format!("{}: {e}", p.display()),
            None => e,
        })?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &c)?;
        writeln!(out)?;
    } else {
        human(&mut out, &m.name, log, &c)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

/// The report for people.
pub fn human(
    out: &mut dyn Write,
    name: &str,
    log: &Path,
    c: &engine::mining::Conformance,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{name}: {} traces of {} replayed against `{}`",
        c.traces,
        log.display(),
        c.entry
    )?;
    let share = |n: u64| pct(n as f64 / c.traces.max(1) as f64);
    writeln!(
        out,
        "  fit: {} of {} ({}); not decided within {} states: {}; token-replay fitness {:.3}",
        c.fitting,
        c.traces,
        share(c.fitting),
        c.budget,
        c.not_decided,
        c.fitness
    )?;
    writeln!(out, "  steps observed in the log: {}", c.observed.len())?;
    if !c.ignored.is_empty() {
        let list: Vec<String> = c
            .ignored
            .iter()
            .map(|(a, n)| format!("{a} ({n})"))
            .collect();
        writeln!(out, "  activities ignored by the map: {}", list.join(", "))?;
    }
    writeln!(
        out,
        "\nsteps (traces, share of decided traces, times; example cases)"
    )?;
    if c.deviations.is_empty() {
        writeln!(out, "  no step skipped or inserted")?;
    }
    for d in &c.deviations {
        let line = format!(
            "  {:<8} {:<45} {:>4} {:>5} {:>4}x  {}",
            d.kind,
            d.step,
            d.traces,
            pct(d.share),
            d.times,
            d.examples.join(", ")
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(
        out,
        "\nobligations (traces that broke it / traces it applies to; example cases)"
    )?;
    for o in &c.obligations {
        let line = format!(
            "  {:<40} {:>4} / {:<4} {:>5}  {}",
            o.id,
            o.broken,
            o.of,
            o.share.map_or_else(|| "-".to_string(), pct),
            o.examples.join(", ")
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(out, "\ntraces")?;
    for t in &c.per_trace {
        let mut what = Vec::new();
        if !t.skipped.is_empty() {
            what.push(format!("skipped {}", t.skipped.join(", ")));
        }
        if !t.inserted.is_empty() {
            what.push(format!("inserted {}", t.inserted.join(", ")));
        }
        if !t.broke.is_empty() {
            what.push(format!("broke {}", t.broke.join(", ")));
        }
        let open = if t.open { " (open)" } else { "" };
        writeln!(
            out,
            "  {:<12} {}{open}{}{}",
            t.case,
            t.verdict,
            if what.is_empty() { "" } else { ": " },
            what.join("; ")
        )?;
    }
    Ok(())
}
