//! `steg check --audit`: per municipality, each question of its audit (revisionsfråga) with the
//! auditors' assessment, steg's assessment and the evidence (the obligations that answer it, on
//! the graph and in a simulation, and the source's figures beside the simulated ones), and the
//! source; then the obligations no question names. Swedish throughout; `--format json` for
//! tools.

use crate::report::charts::sv;
use crate::validate::{simulated, tolerance};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;
use steg_engine as engine;
use steg_engine::{FigureEvidence, MunicipalityAudit, ObligationEvidence};

/// A municipality's audit, or why it could not be made.
#[derive(Serialize)]
#[serde(untagged)]
enum Entry {
    Done(Box<MunicipalityAudit>),
    Failed {
        municipality: String,
        folder: String,
        error: String,
    },
}

/// Print the audit of every municipality of `report`.
pub fn audit(
    report: &engine::Report,
    json: bool,
    opts: &engine::AuditOptions,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut entries = Vec::new();
    for m in &report.municipalities {
        let name = m
            .def
            .as_ref()
            .map_or(m.name.clone(), |(_, d)| d.municipality.value.clone());
        let errors = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == engine::Severity::Error)
            .filter(|d| {
                d.span
                    .as_ref()
                    .is_some_and(|s| report.sources.get(s.file).path.starts_with(&m.dir))
            })
            .count();
        if errors > 0 || !m.complete {
            entries.push(Entry::Failed {
                municipality: name,
                folder: m.dir.display().to_string(),
                error: format!(
                    "konfigurationen har {errors} fel; `steg check {}` visar dem",
                    m.dir.display()
                ),
            });
            continue;
        }
        match engine::audit(m, &report.sources, opts) {
            Ok(a) => entries.push(Entry::Done(Box::new(a))),
            Err(diags) => entries.push(Entry::Failed {
                municipality: name,
                folder: m.dir.display().to_string(),
                error: diags
                    .iter()
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            }),
        }
    }
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &entries)?;
        writeln!(out)?;
    } else {
        for (i, e) in entries.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            // Questions, findings, requirements and ids come from the configuration.
            let mut out = crate::excerpt::Escaping::new(&mut out);
            match e {
                Entry::Done(a) => human(&mut out, a)?,
                Entry::Failed {
                    municipality,
                    folder,
                    error,
                } => writeln!(out, "{municipality} ({folder}): ingen granskning: {error}")?,
            }
            out.flush()?;
        }
    }
    out.flush()?;
    Ok(if report.count(engine::Severity::Error) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn human(out: &mut impl Write, a: &MunicipalityAudit) -> std::io::Result<()> {
    writeln!(out, "{} ({})", a.municipality, a.folder)?;
    if let Some(t) = &a.title {
        writeln!(out, "{t}")?;
    }
    if let Some(s) = &a.source {
        writeln!(out, "Källa: {s}")?;
    }
    match (&a.simulation, &a.no_simulation) {
        (Some(s), _) => writeln!(
            out,
            "Simulering: {} {}, frö {}, {} till {}; {} av {} av källans tal inom toleransen (`steg validate`){}",
            s.replications,
            if s.replications == 1 {
                "replikering"
            } else {
                "replikeringar"
            },
            s.seed,
            s.start,
            s.until,
            s.within,
            s.figures,
            if s.stuck > 0 {
                format!("; {} ärenden fastnade", sv(s.stuck as f64, 0))
            } else {
                String::new()
            }
        )?,
        (None, Some(why)) => writeln!(out, "Ingen simulering: {why}.")?,
        (None, None) => {}
    }
    if a.questions.is_empty() {
        writeln!(
            out,
            "Inga revisionsfrågor angivna (`audit:` i municipality.yaml)."
        )?;
    }
    for (i, q) in a.questions.iter().enumerate() {
        writeln!(out)?;
        writeln!(out, "{}. {}", i + 1, q.question)?;
        let pad = " ".repeat(format!("{}. ", i + 1).len());
        match (q.auditors, &q.finding) {
            (Some(x), Some(f)) => writeln!(out, "{pad}Revisorerna: {x}. {f}")?,
            (Some(x), None) => writeln!(out, "{pad}Revisorerna: {x}.")?,
            (None, Some(f)) => {
                writeln!(out, "{pad}Revisorerna (ingen bedömning Ja/Delvis/Nej): {f}")?
            }
            (None, None) => writeln!(out, "{pad}Revisorerna: ingen bedömning angiven.")?,
        }
        writeln!(out, "{pad}steg: {} (utifrån {})", q.steg.label(), q.basis)?;
        if let Some(n) = &q.not_modelled {
            writeln!(out, "{pad}Ej i modellen: {n}")?;
        }
        if !q.figures.is_empty() || !q.obligations.is_empty() {
            writeln!(out, "{pad}Underlag:")?;
        }
        for f in &q.figures {
            figure(out, &pad, f)?;
        }
        for o in &q.obligations {
            obligation(out, &pad, o)?;
        }
        if let Some(s) = &q.source {
            writeln!(out, "{pad}Källa: {s}")?;
        }
    }
    if !a.other_obligations.is_empty() {
        writeln!(out)?;
        writeln!(out, "Krav som ingen revisionsfråga nämner:")?;
        for o in &a.other_obligations {
            obligation(out, "", o)?;
        }
    }
    Ok(())
}

fn figure(out: &mut impl Write, pad: &str, f: &FigureEvidence) -> std::io::Result<()> {
    let c = &f.figure;
    writeln!(
        out,
        "{pad}  - {} ({}, `{}`): källan {}, simulerat {}, tolerans {}, {}{}",
        c.description.as_deref().unwrap_or(&c.id),
        c.period,
        c.id,
        crate::validate::number(c.value, c.share),
        simulated(c),
        tolerance(c),
        c.verdict.sv(),
        match f.assessment {
            Some(a) => format!(" → {}", a.label()),
            None => String::new(),
        }
    )?;
    if let Some(s) = &c.source {
        writeln!(out, "{pad}      källa: {s}")?;
    }
    Ok(())
}

fn obligation(out: &mut impl Write, pad: &str, o: &ObligationEvidence) -> std::io::Result<()> {
    writeln!(
        out,
        "{pad}  - Krav: {} (`{}`): {} i modellen → {}",
        o.requirement,
        o.id,
        o.status,
        o.assessment.label()
    )?;
    if o.status != "uppfylls" {
        if let Some(s) = &o.shortfall {
            writeln!(out, "{pad}      brist: {s}")?;
        }
    }
    for f in &o.findings {
        writeln!(out, "{pad}      väg: {f}")?;
    }
    if let Some(r) = &o.reason {
        writeln!(out, "{pad}      varför: {r}")?;
    }
    if let Some(b) = &o.simulated {
        writeln!(
            out,
            "{pad}      simulerat: {} av {} ärenden bröt kravet ({}{})",
            sv(b.broken as f64, 0),
            sv(b.of as f64, 0),
            crate::validate::number(b.share, true),
            match (b.low, b.high) {
                (Some(l), Some(h)) => format!(
                    ", 95\u{a0}% KI {}–{}",
                    crate::validate::number(l.max(0.0), true),
                    crate::validate::number(h.min(1.0), true)
                ),
                _ => String::new(),
            }
        )?;
    }
    if let Some(s) = &o.source {
        writeln!(out, "{pad}      källa: {s}")?;
    }
    Ok(())
}
