//! `steg check --audit`: per municipality, the follow-up obligations the configuration fails, in
//! the words of their source (`shortfall:`, `requirement:`), each with the passage that states
//! the requirement and the path that breaks it.

use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;
use steg_engine as engine;
use steg_engine::obligation::{Status, Verdict};

#[derive(Serialize)]
struct AuditJson<'a> {
    municipality: &'a str,
    folder: String,
    id: &'a str,
    kind: &'a str,
    status: &'static str,
    requirement: &'a str,
    shortfall: Option<&'a str>,
    source: Option<&'a str>,
    reason: Option<&'a str>,
    findings: Vec<&'a str>,
}

fn status(v: &Verdict) -> &'static str {
    match v.status {
        Status::Broken => "broken",
        Status::NotShown(_) => "not_shown",
        Status::Holds => "holds",
    }
}

/// Print the audit of every municipality of `report`.
pub fn audit(report: &engine::Report, json: bool) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut out = std::io::stdout().lock();
    let mut items = Vec::new();
    let mut all: Vec<(String, String, Option<usize>, Vec<Verdict>)> = Vec::new();
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
        let verdicts = if m.complete {
            engine::obligation::evaluate(m).verdicts
        } else {
            Vec::new()
        };
        all.push((
            name,
            m.dir.display().to_string(),
            (errors > 0 || !m.complete).then_some(errors),
            verdicts,
        ));
    }
    if json {
        for (name, folder, _, verdicts) in &all {
            for v in verdicts {
                items.push(AuditJson {
                    municipality: name,
                    folder: folder.clone(),
                    id: &v.id,
                    kind: v.kind,
                    status: status(v),
                    requirement: &v.requirement,
                    shortfall: v.shortfall.as_deref(),
                    source: v.source.as_deref(),
                    reason: match &v.status {
                        Status::NotShown(r) => Some(r.as_str()),
                        _ => None,
                    },
                    findings: v.findings.iter().map(|f| f.message.as_str()).collect(),
                });
            }
        }
        serde_json::to_writer_pretty(&mut out, &items)?;
        writeln!(out)?;
    } else {
        for (i, (name, folder, errors, verdicts)) in all.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            // Requirements, shortfalls and ids come from the configuration.
            let mut out = crate::excerpt::Escaping::new(&mut out);
            human(&mut out, name, folder, *errors, verdicts)?;
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

fn human(
    out: &mut impl Write,
    name: &str,
    folder: &str,
    errors: Option<usize>,
    verdicts: &[Verdict],
) -> std::io::Result<()> {
    let broken: Vec<&Verdict> = verdicts
        .iter()
        .filter(|v| v.status == Status::Broken)
        .collect();
    let open: Vec<&Verdict> = verdicts
        .iter()
        .filter(|v| matches!(v.status, Status::NotShown(_)))
        .collect();
    let holds: Vec<&Verdict> = verdicts
        .iter()
        .filter(|v| v.status == Status::Holds)
        .collect();
    if verdicts.is_empty() {
        writeln!(
            out,
            "{name} ({folder}): inga krav angivna (`obligations:` i municipality.yaml)"
        )?;
    } else {
        writeln!(
            out,
            "{name} ({folder}): {} av {} krav brister i modellen",
            broken.len(),
            verdicts.len()
        )?;
    }
    if let Some(n) = errors {
        writeln!(
            out,
            "  obs: konfigurationen har {n} fel; `steg check {folder}` visar dem"
        )?;
    }
    if !broken.is_empty() {
        writeln!(out, "  brister:")?;
        for (i, v) in broken.iter().enumerate() {
            writeln!(
                out,
                "    {}. {}",
                i + 1,
                v.shortfall.as_deref().unwrap_or(&v.requirement)
            )?;
            writeln!(out, "       krav:  {}", v.requirement)?;
            if let Some(s) = &v.source {
                writeln!(out, "       källa: {s}")?;
            }
            for f in &v.findings {
                writeln!(out, "       visas: {}", f.message)?;
            }
            writeln!(out, "       ({} `{}`)", code(v), v.id)?;
        }
    }
    if !open.is_empty() {
        writeln!(
            out,
            "  kan inte avgöras i modellen (mät med `steg simulate`):"
        )?;
        for v in &open {
            writeln!(out, "    - {}", v.requirement)?;
            if let Status::NotShown(why) = &v.status {
                writeln!(out, "      varför: {why}")?;
            }
            if let Some(s) = &v.source {
                writeln!(out, "      källa:  {s}")?;
            }
        }
    }
    if !holds.is_empty() {
        writeln!(out, "  uppfylls i modellen:")?;
        for v in &holds {
            writeln!(out, "    - {}", v.requirement)?;
        }
    }
    Ok(())
}

fn code(v: &Verdict) -> &'static str {
    match v.kind {
        "after" => engine::codes::MISSING_FOLLOW_UP.code,
        "every" => engine::codes::MISSING_REVIEW.code,
        "referrals_return" => engine::codes::MISSING_RETURN_TO_REFERRER.code,
        _ => engine::codes::UNDELIVERED_EVENT.code,
    }
}
