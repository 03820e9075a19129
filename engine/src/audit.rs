//! `steg check --audit`: per municipality, each question of its audit (`audit:` in
//! municipality.yaml) with the auditors' assessment, steg's assessment and the evidence behind
//! it: the obligations that answer the question, judged on the graph and measured in a
//! simulation, and the figures of `validation:` the simulation reproduces. Obligations that no
//! question names are listed after the questions.
//!
//! steg's assessment of a question (docs/validation.md, "Audit"):
//!
//! - from its `compliance` figures, when it has any (shares of occasions a routine was
//!   followed): the lowest simulated share decides, 85 % or more *Ja* ("i huvudsak"), 50 % or
//!   more *Delvis*, less *Nej*;
//! - else from its obligations, each assessed by [`assess`], the worst one deciding;
//! - else *Ej avgjort* (the question is about something the model does not describe, such as
//!   a nämnd's reporting).

use crate::diagnostic::Diagnostic;
use crate::model::AuditorAssessment;
use crate::municipality::Municipality;
use crate::obligation::{self, Status, Verdict};
use crate::validate::{self, FigureCheck, FigureVerdict, ValidateOptions, ValidationReport};
use crate::SourceMap;
use serde::Serialize;

/// Compliance at or above this share is "i huvudsak" followed: *Ja*.
pub const COMPLIANCE_JA: f64 = 0.85;
/// Compliance at or above this share is partly followed: *Delvis*; below it, *Nej*.
pub const COMPLIANCE_DELVIS: f64 = 0.5;

/// An assessment on the auditors' scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Assessment {
    /// Not met.
    Nej,
    /// Partly met.
    Delvis,
    /// Met.
    Ja,
    /// steg cannot tell.
    #[serde(rename = "Ej avgjort")]
    EjAvgjort,
}

impl Assessment {
    /// The word as printed.
    pub fn label(self) -> &'static str {
        match self {
            Assessment::Ja => "Ja",
            Assessment::Delvis => "Delvis",
            Assessment::Nej => "Nej",
            Assessment::EjAvgjort => "Ej avgjort",
        }
    }
}

/// The assessment of an obligation: its static status, whether its only findings are that not
/// every case meets it at the longest durations, and the share of simulated cases that broke
/// it (if simulated).
///
/// | in the model | in the simulation | assessment |
/// |---|---|---|
/// | holds | not simulated, or no case broke it | Ja |
/// | holds | some cases broke it | Delvis |
/// | broken (a path breaks it) | not simulated | Nej (Delvis when only the longest durations break it) |
/// | broken | half of the cases or more broke it | Nej |
/// | broken | fewer than half | Delvis |
/// | not shown | not simulated | Ej avgjort |
/// | not shown | no case / fewer than half / half or more broke it | Ja / Delvis / Nej |
pub fn assess(status: &Status, for_some_only: bool, broken: Option<f64>) -> Assessment {
    let by_share = |s: f64| {
        if s >= 0.5 {
            Assessment::Nej
        } else if s > 0.0 {
            Assessment::Delvis
        } else {
            Assessment::Ja
        }
    };
    match (status, broken) {
        (Status::Holds, None) => Assessment::Ja,
        (Status::Holds, Some(s)) => {
            if s > 0.0 {
                Assessment::Delvis
            } else {
                Assessment::Ja
            }
        }
        (Status::Broken, None) if for_some_only => Assessment::Delvis,
        (Status::Broken, None) => Assessment::Nej,
        (Status::Broken, Some(s)) => match by_share(s) {
            Assessment::Ja => Assessment::Delvis,
            a => a,
        },
        (Status::NotShown(_), None) => Assessment::EjAvgjort,
        (Status::NotShown(_), Some(s)) => by_share(s),
    }
}

/// The assessment a share of occasions on which a routine was followed gives.
pub fn assess_compliance(share: Option<f64>) -> Assessment {
    match share {
        Some(s) if s >= COMPLIANCE_JA => Assessment::Ja,
        Some(s) if s >= COMPLIANCE_DELVIS => Assessment::Delvis,
        Some(_) => Assessment::Nej,
        None => Assessment::EjAvgjort,
    }
}

/// The share of simulated cases that broke an obligation, with its 95 % interval over the
/// replications.
#[derive(Debug, Clone, Serialize)]
pub struct Broken {
    /// Cases that broke it (all replications).
    pub broken: u64,
    /// Cases it applied to.
    pub of: u64,
    /// broken / of.
    pub share: f64,
    /// Lower end of the 95 % interval over the replications.
    pub low: Option<f64>,
    /// Upper end.
    pub high: Option<f64>,
}

/// An obligation as evidence.
#[derive(Debug, Clone, Serialize)]
pub struct ObligationEvidence {
    /// Its id.
    pub id: String,
    /// The requirement, in the source's words.
    pub requirement: String,
    /// How the auditors say it is not met, if written.
    pub shortfall: Option<String>,
    /// `uppfylls`, `uppfylls inte för alla`, `uppfylls inte` or `kan inte avgöras`.
    pub status: &'static str,
    /// The ways the model breaks it, in Swedish, each with its path.
    pub findings: Vec<String>,
    /// Why the model cannot decide it, in Swedish.
    pub reason: Option<String>,
    /// The simulation's measure.
    pub simulated: Option<Broken>,
    /// steg's assessment of it.
    pub assessment: Assessment,
    /// Where the requirement comes from.
    pub source: Option<String>,
}

/// A validation figure as evidence.
#[derive(Debug, Clone, Serialize)]
pub struct FigureEvidence {
    /// The figure, as `steg validate` reports it.
    #[serde(flatten)]
    pub figure: FigureCheck,
    /// Whether it measures compliance with a routine (and so decides the question).
    pub compliance: bool,
    /// The assessment its simulated share gives, for a compliance figure.
    pub assessment: Option<Assessment>,
}

/// One question of the audit and how the model answers it.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionAudit {
    /// Its id in `audit.questions`.
    pub id: String,
    /// The question, in the audit's words.
    pub question: String,
    /// The auditors' assessment, where the audit gives one.
    pub auditors: Option<&'static str>,
    /// What the auditors found.
    pub finding: Option<String>,
    /// steg's assessment.
    pub steg: Assessment,
    /// What steg's assessment rests on, in Swedish.
    pub basis: String,
    /// Why the model cannot answer it, when it cannot.
    pub not_modelled: Option<String>,
    /// The figures (compliance figures first).
    pub figures: Vec<FigureEvidence>,
    /// The obligations.
    pub obligations: Vec<ObligationEvidence>,
    /// Where the question and the assessment are in the source.
    pub source: Option<String>,
}

/// The simulation behind the evidence.
#[derive(Debug, Clone, Serialize)]
pub struct SimulationNote {
    /// Replications.
    pub replications: u32,
    /// Seed of the first.
    pub seed: u64,
    /// First arrival day.
    pub start: chrono::NaiveDate,
    /// Last day simulated.
    pub until: chrono::NaiveDate,
    /// Figures within their tolerance.
    pub within: usize,
    /// Figures in all.
    pub figures: usize,
    /// Simulated cases that got stuck.
    pub stuck: u64,
}

/// The audit of one municipality.
#[derive(Debug, Clone, Serialize)]
pub struct MunicipalityAudit {
    /// The municipality's name.
    pub municipality: String,
    /// Its folder.
    pub folder: String,
    /// The audit's title.
    pub title: Option<String>,
    /// Where the questions come from.
    pub source: Option<String>,
    /// The simulation the evidence comes from, if one ran.
    pub simulation: Option<SimulationNote>,
    /// Why no simulation ran, in Swedish.
    pub no_simulation: Option<String>,
    /// The questions, in the audit's order.
    pub questions: Vec<QuestionAudit>,
    /// Obligations no question names.
    pub other_obligations: Vec<ObligationEvidence>,
}

/// How `steg check --audit` simulates.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Simulate (the validation run of each municipality) for shares and figures.
    pub simulate: bool,
    /// Replications, seed and threads of the simulation (as `steg validate`).
    pub validate: ValidateOptions,
}

fn status_word(v: &Verdict) -> &'static str {
    match v.status {
        Status::Holds => "uppfylls",
        Status::NotShown(_) => "kan inte avgöras",
        Status::Broken if v.findings.iter().all(|f| f.for_some) => "uppfylls inte för alla",
        Status::Broken => "uppfylls inte",
    }
}

fn evidence(v: &Verdict, sim: Option<&ValidationReport>) -> ObligationEvidence {
    let simulated = sim.and_then(|r| {
        let o = r.simulation.obligations.iter().find(|o| o.id == v.id)?;
        let est = r
            .simulation
            .estimates
            .iter()
            .find(|e| e.kpi == format!("obligations.{}.share", v.id));
        (o.of > 0).then(|| Broken {
            broken: o.broken,
            of: o.of,
            share: o.broken as f64 / o.of as f64,
            low: est.and_then(|e| e.low),
            high: est.and_then(|e| e.high),
        })
    });
    let for_some_only = !v.findings.is_empty() && v.findings.iter().all(|f| f.for_some);
    ObligationEvidence {
        id: v.id.clone(),
        requirement: v.requirement.clone(),
        shortfall: v.shortfall.clone(),
        status: status_word(v),
        findings: v.findings.iter().map(|f| f.sv.clone()).collect(),
        reason: v.reason_sv.clone(),
        assessment: assess(
            &v.status,
            for_some_only,
            simulated.as_ref().map(|b| b.share),
        ),
        simulated,
        source: v.source.clone(),
    }
}

/// The audit of `m`. Errors are the simulation's (a configuration that cannot be simulated is
/// audited without one, and says so).
pub fn audit(
    m: &Municipality,
    sources: &SourceMap,
    opts: &AuditOptions,
) -> Result<MunicipalityAudit, Vec<Diagnostic>> {
    let def = m.def.as_ref().map(|(_, d)| d);
    let name = def.map_or(m.name.clone(), |d| d.municipality.value.clone());
    let evaluation = obligation::evaluate(m);
    let (sim, no_simulation) = if !opts.simulate {
        (None, Some("simuleringen valdes bort".to_string()))
    } else if def.is_none_or(|d| d.simulation.is_none()) {
        (
            None,
            Some("konfigurationen har ingen `simulation:`-del och kan inte simuleras".to_string()),
        )
    } else if def.is_none_or(|d| d.validation.is_none()) {
        (
            None,
            Some("konfigurationen har ingen `validation:`-del som anger vilken period som ska simuleras".to_string()),
        )
    } else {
        (
            Some(validate::validate(m, sources, &opts.validate, &mut |_| {})?),
            None,
        )
    };
    let figure = |id: &str, compliance: bool| -> Option<FigureEvidence> {
        let f = sim.as_ref()?.figures.iter().find(|f| f.id == id)?.clone();
        let assessment = compliance.then(|| {
            assess_compliance(
                f.simulated
                    .filter(|_| f.verdict != FigureVerdict::NotMeasured),
            )
        });
        Some(FigureEvidence {
            figure: f,
            compliance,
            assessment,
        })
    };
    let mut named: Vec<&str> = Vec::new();
    let mut questions = Vec::new();
    if let Some(a) = def.and_then(|d| d.audit.as_ref()) {
        for (key, q) in a.questions.iter() {
            let mut figures: Vec<FigureEvidence> = q
                .compliance
                .iter()
                .filter_map(|f| figure(&f.value, true))
                .collect();
            figures.extend(q.figures.iter().filter_map(|f| figure(&f.value, false)));
            let obligations: Vec<ObligationEvidence> = q
                .obligations
                .iter()
                .filter_map(|o| {
                    named.push(&o.value);
                    evaluation.verdicts.iter().find(|v| v.id == o.value)
                })
                .map(|v| evidence(v, sim.as_ref()))
                .collect();
            let compliance: Vec<Assessment> = figures.iter().filter_map(|f| f.assessment).collect();
            let (steg, basis) = if !q.compliance.is_empty() {
                let a = if compliance.is_empty() || compliance.contains(&Assessment::EjAvgjort) {
                    Assessment::EjAvgjort
                } else {
                    compliance
                        .iter()
                        .copied()
                        .min()
                        .unwrap_or(Assessment::EjAvgjort)
                };
                (
                    a,
                    "hur ofta rutinen följs i simuleringen (85 % eller mer: Ja, 50 % eller mer: Delvis)"
                        .to_string(),
                )
            } else if !obligations.is_empty() {
                let decided: Vec<Assessment> = obligations
                    .iter()
                    .map(|o| o.assessment)
                    .filter(|a| *a != Assessment::EjAvgjort)
                    .collect();
                (
                    decided
                        .iter()
                        .copied()
                        .min()
                        .unwrap_or(Assessment::EjAvgjort),
                    "kraven i modellen och i simuleringen".to_string(),
                )
            } else {
                (
                    Assessment::EjAvgjort,
                    "modellen besvarar inte frågan".to_string(),
                )
            };
            questions.push(QuestionAudit {
                id: key.value.clone(),
                question: q.question.clone(),
                auditors: q.assessment.as_ref().map(|a| match a.value {
                    AuditorAssessment::Ja => "Ja",
                    AuditorAssessment::Delvis => "Delvis",
                    AuditorAssessment::Nej => "Nej",
                }),
                finding: q.finding.clone(),
                steg,
                basis,
                not_modelled: q.not_modelled.clone(),
                figures,
                obligations,
                source: q.source.clone(),
            });
        }
    }
    let other_obligations = evaluation
        .verdicts
        .iter()
        .filter(|v| !named.contains(&v.id.as_str()))
        .map(|v| evidence(v, sim.as_ref()))
        .collect();
    let simulation = sim.as_ref().map(|r| SimulationNote {
        replications: r.replications,
        seed: r.seed,
        start: r.start,
        until: r.until,
        within: r
            .figures
            .iter()
            .filter(|f| f.verdict == FigureVerdict::Within)
            .count(),
        figures: r.figures.len(),
        stuck: r.simulation.stuck_cases(),
    });
    Ok(MunicipalityAudit {
        municipality: name,
        folder: m.dir.display().to_string(),
        title: def
            .and_then(|d| d.audit.as_ref())
            .and_then(|a| a.title.clone()),
        source: def
            .and_then(|d| d.audit.as_ref())
            .and_then(|a| a.source.clone()),
        simulation,
        no_simulation,
        questions,
        other_obligations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Assessment::*;

    #[test]
    fn every_row_of_the_obligation_table() {
        let not_shown = Status::NotShown("no timer".into());
        let table = [
            (Status::Holds, false, None, Ja),
            (Status::Holds, false, Some(0.0), Ja),
            (Status::Holds, false, Some(0.087), Delvis),
            (Status::Broken, false, None, Nej),
            (Status::Broken, true, None, Delvis),
            (Status::Broken, false, Some(0.5), Nej),
            (Status::Broken, true, Some(0.2), Delvis),
            (Status::Broken, false, Some(0.0), Delvis),
            (not_shown.clone(), false, None, EjAvgjort),
            (not_shown.clone(), false, Some(0.0), Ja),
            (not_shown.clone(), false, Some(0.825), Nej),
            (not_shown, false, Some(0.1), Delvis),
        ];
        for (status, for_some, share, want) in table {
            assert_eq!(
                assess(&status, for_some, share),
                want,
                "{status:?} {share:?}"
            );
        }
    }

    #[test]
    fn compliance_lines() {
        assert_eq!(assess_compliance(Some(0.85)), Ja);
        assert_eq!(assess_compliance(Some(0.849)), Delvis);
        assert_eq!(assess_compliance(Some(0.5)), Delvis);
        assert_eq!(assess_compliance(Some(0.3)), Nej);
        assert_eq!(assess_compliance(None), EjAvgjort);
        // The worst assessment decides a question: Nej < Delvis < Ja.
        assert_eq!([Ja, Delvis, Ja].iter().copied().min(), Some(Delvis));
    }
}
