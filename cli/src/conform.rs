//! `steg conform`: a case system's event log replayed against a municipality's model, per
//! trace, per step and per obligation, for people or as JSON. Only case ids are printed.

use crate::{load_clean, CliResult};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use steg_engine as engine;

/// The largest log file read, in bytes (XES is also bounded by the XML reader's limits).
const MAX_LOG_BYTES: u64 = engine::mining::read::MAX_CSV_BYTES;

/// Why a log could not be related to the model.
pub enum LoadError {
    /// The log, or what the map names: a message with the file (and line).
    Message(String),
    /// The map's shape: a located diagnostic.
    Map(Box<engine::Diagnostic>),
}

impl LoadError {
    /// As one line (file:line: message).
    pub fn text(&self, map: Option<&Path>) -> String {
        match self {
            LoadError::Message(m) => m.clone(),
            LoadError::Map(d) => {
                let at = d
                    .span
                    .as_ref()
                    .map(|s| format!(":{}:{}", s.loc.line, s.loc.column))
                    .unwrap_or_default();
                let file = map.map(|p| p.display().to_string()).unwrap_or_default();
                format!("{file}{at}: {}", d.message)
            }
        }
    }
}

/// Read `log` (and `map`) and relate it to `m`.
pub fn load(
    m: &engine::Municipality,
    sources: &mut engine::SourceMap,
    log: &Path,
    map: Option<&Path>,
    budget: usize,
    open: bool,
) -> Result<engine::mining::Conformance, LoadError> {
    let fail = |s: String| LoadError::Message(s);
    let csv = match log
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(e) if e == "csv" => true,
        Some(e) if e == "xes" => false,
        _ => {
            return Err(fail(format!(
                "{}: the log must end in .xes or .csv",
                log.display()
            )))
        }
    };
    let size = std::fs::metadata(log)
        .map_err(|e| fail(format!("{}: {e}", log.display())))?
        .len();
    if size > MAX_LOG_BYTES {
        return Err(fail(format!(
            "{}: larger than {} MiB; split the log",
            log.display(),
            MAX_LOG_BYTES / (1024 * 1024)
        )));
    }
    let bytes = std::fs::read(log).map_err(|e| fail(format!("{}: {e}", log.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        fail(format!(
            "{}: not UTF-8 (byte {})",
            log.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    let activity_map = match map {
        Some(p) => {
            let t =
                std::fs::read_to_string(p).map_err(|e| fail(format!("{}: {e}", p.display())))?;
            engine::mining::read_map(sources, p.to_path_buf(), t).map_err(LoadError::Map)?
        }
        None => engine::mining::ActivityMap::default(),
    };
    let mut traces = engine::mining::read_log(&text, csv).map_err(|e| {
        fail(match e.line {
            Some(l) => format!("{}:{l}: {}", log.display(), e.message),
            None => format!("{}: {}", log.display(), e.message),
        })
    })?;
    if open {
        for t in &mut traces {
            t.open = true;
        }
    }
    engine::mining::conform(m, &traces, &activity_map, engine::mining::Budget(budget)).map_err(
        |e| {
            fail(match map {
                Some(p) => format!("{}: {e}", p.display()),
                None => e,
            })
        },
    )
}

/// Run `steg conform`.
pub fn conform(
    municipality: &Path,
    log: &Path,
    map: Option<&Path>,
    budget: usize,
    open: bool,
    json: bool,
) -> CliResult {
    let (m, mut sources) = load_clean(municipality)?;
    let c = match load(&m, &mut sources, log, map, budget, open) {
        Ok(c) => c,
        Err(LoadError::Message(e)) => return Err(e.into()),
        Err(LoadError::Map(d)) => {
            let report = engine::Report {
                sources,
                municipalities: vec![],
                diagnostics: vec![*d],
            };
            crate::render::diagnostics(&mut std::io::stderr().lock(), &report, false)?;
            return Ok(ExitCode::from(2));
        }
    };
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &c)?;
        writeln!(out)?;
    } else {
        // Case ids and activity names come from the log: escape what could act on the terminal.
        let mut out = crate::excerpt::Escaping::new(&mut out);
        human(&mut out, &m.name, log, &c)?;
        out.flush()?;
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
