//! `steg report`: one self-contained HTML page for a nämnd, its förvaltning and its revisorer:
//! the process drawn (with the checker's findings on it), the audit's questions with steg's
//! assessment and evidence, the simulation in charts, what the simulation is compared with and
//! what it assumes, and, with `--set`, a what-if beside the base.
//!
//! This module gathers the page's content ([`Page`]); `html.rs` writes it, `charts.rs` draws
//! the charts, `figures.rs` is the only place that reads the simulator's report, `seeds.rs`
//! quotes the cited seed lines, and `assess.rs` turns verdicts into Ja / Delvis / Nej.

mod assess;
pub(crate) mod charts;
mod figures;
mod html;
mod seeds;

use crate::{progress, render, CliResult, ConfigHasErrors};
use assess::Assessment;
use figures::Figures;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use steg_engine as engine;
use steg_engine::obligation::Status;

/// Arguments of `steg report`.
pub struct Args {
    /// The municipality.
    pub municipality: PathBuf,
    /// Where to write (`-`: standard output).
    pub out: Option<PathBuf>,
    /// Cases to simulate.
    pub cases: u64,
    /// Seed.
    pub seed: u64,
    /// Months each case is followed.
    pub months: u32,
    /// What-if overrides.
    pub set: Vec<String>,
    /// Folder of the seed files.
    pub seeds: Option<PathBuf>,
    /// Worker threads.
    pub threads: usize,
    /// A case system's event log to replay against the model (`steg conform`'s section).
    pub log: Option<PathBuf>,
    /// The map of its activities onto steps.
    pub map: Option<PathBuf>,
}

/// A finding numbered on the drawing and listed under it.
pub struct Finding {
    /// Its number on the drawing.
    pub number: usize,
    /// How serious.
    pub severity: engine::MarkSeverity,
    /// What found it: a check code (`G005`), an obligation, the simulation.
    pub by: String,
    /// The step, as `workflow.step`.
    pub step: String,
    /// The finding.
    pub text: String,
}

/// One question of the audit and steg's answer. Today one per obligation (`obligations:`);
/// per revisionsfråga when the configuration states them.
pub struct Question {
    /// The id it is known by in the configuration.
    pub id: String,
    /// Its row's anchor on the page: `fraga-ID` for a question of the audit, `krav-ID` for an
    /// obligation (the drawing's marks link there).
    pub anchor: String,
    /// The question or requirement, in the auditors' words.
    pub question: String,
    /// What the auditors found lacking, in their words.
    pub shortfall: Option<String>,
    /// The auditors' own assessment, when the configuration gives it.
    pub auditors: Option<Assessment>,
    /// steg's assessment.
    pub steg: Assessment,
    /// The evidence: a path, a share of simulated cases, a reason.
    pub evidence: Vec<String>,
    /// Where it comes from.
    pub source: Option<String>,
}

/// A step, for the page's list of sources (the drawing's steps link here).
pub struct StepSource {
    /// The anchor id.
    pub anchor: String,
    /// Workflow title.
    pub workflow: String,
    /// Step title.
    pub name: String,
    /// `workflow.step`.
    pub key: String,
    /// Its kind, in Swedish.
    pub kind: &'static str,
    /// Who does it (role or unit title).
    pub lane: Option<String>,
    /// `source:` as written.
    pub source: Option<String>,
    /// `legal_basis:`.
    pub legal_basis: Option<String>,
}

/// A figure of the configuration marked as an assumption, or given by the source.
pub struct Input {
    /// Where in the configuration (`simulation.arrivals_per_month`).
    pub path: String,
    /// The value.
    pub value: String,
    /// Its `source:`.
    pub source: String,
    /// Whether the source says it is not in the seed (an assumption).
    pub assumption: bool,
}

/// A figure of the source with its simulated counterpart.
pub struct Check {
    /// The population figure's id.
    pub id: String,
    /// What it is.
    pub what: String,
    /// The source's figure.
    pub seed: f64,
    /// Whether it is a share.
    pub share: bool,
    /// What the simulation measures for it.
    pub measure: &'static str,
    /// The simulated figure (base run).
    pub simulated: Option<figures::Estimate>,
    /// Where the source's figure comes from.
    pub source: Option<String>,
}

/// A simulation, or why there is none.
pub type Sim = Result<Figures, String>;

/// Everything the page shows.
pub struct Page {
    /// The municipality's name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// The command that made the page.
    pub command: String,
    /// steg's version.
    pub version: &'static str,
    /// The day the page was made (UTC), ISO.
    pub date: String,
    /// Errors and warnings of `steg check`.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// The drawing.
    pub drawing: engine::Drawing,
    /// Numbered findings on the drawing.
    pub findings: Vec<Finding>,
    /// Every step with its source.
    pub steps: Vec<StepSource>,
    /// The audit's questions.
    pub questions: Vec<Question>,
    /// The base simulation.
    pub sim: Sim,
    /// The variant (`--set`), if asked for.
    pub variant: Option<Sim>,
    /// Figures of the source compared with the simulation.
    pub checks: Vec<Check>,
    /// Population figures with no simulated counterpart.
    pub unchecked: Vec<Input>,
    /// Inputs marked as assumptions, and inputs from the source.
    pub inputs: Vec<Input>,
    /// Role titles by id.
    pub role_titles: Vec<(String, String)>,
    /// The seeds, for quoting.
    pub seeds: seeds::Seeds,
    /// The seed of the reference line of open cases: (value, label).
    pub open_reference: Option<(f64, String)>,
    /// With `--log`: the log's file name and its conformance, or why it could not be read.
    pub conformance: Option<Result<(String, engine::mining::Conformance), String>>,
}

/// `steg report`.
pub fn report(args: Args) -> CliResult {
    let set = parse_set(&args.set)?;
    if args.cases == 0 {
        return Err("--cases must be at least 1".into());
    }
    // The page's path is checked before any work (a folder, a missing parent).
    if let Some(out) = args.out.as_deref().filter(|o| o.as_os_str() != "-") {
        crate::output::check_file_path(out)?;
    }
    let dirs = engine::discover(std::slice::from_ref(&args.municipality))?;
    let [dir] = dirs.as_slice() else {
        return Err(format!(
            "{} holds {} municipalities; name one, e.g. `steg report lindesberg`",
            args.municipality.display(),
            dirs.len()
        )
        .into());
    };
    let report = engine::check_folders(std::slice::from_ref(dir));
    let Some(m) = report.municipalities.first() else {
        return Err(format!("{}: no municipality loaded", dir.display()).into());
    };
    let errors = report.count(engine::Severity::Error);
    let warnings = report.count(engine::Severity::Warning);
    if !m.complete || m.def.is_none() {
        render::diagnostics(&mut std::io::stderr().lock(), &report, false)?;
        return Err(Box::new(ConfigHasErrors(format!(
            "{} could not be read whole, so there is nothing to report on; `steg check {}` shows why",
            dir.display(),
            dir.display()
        ))));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("rapport-{}.html", m.name)));

    let name = m
        .def
        .as_ref()
        .map_or(m.name.clone(), |(_, d)| d.municipality.value.clone());
    let evaluation = engine::obligation::evaluate(m);

    // Simulate the base and, with --set, the variant (same seed, so they differ by the change).
    let simulate = |set: Vec<(String, String)>| -> Sim {
        if errors > 0 {
            return Err(format!(
                "Konfigurationen har {errors} fel (se ritningen och `steg check`); en konfiguration med fel simuleras inte."
            ));
        }
        if m.def.as_ref().is_some_and(|(_, d)| d.simulation.is_none()) {
            return Err("Konfigurationen har ingen `simulation:`-del (ankomster, ärendenas egenskaper, händelsernas frekvens), så den kan inte simuleras.".to_string());
        }
        let opts = engine::SimOptions {
            cases: args.cases,
            seed: args.seed,
            months: args.months,
            set,
            record: false,
            threads: args.threads,
            replications: 1,
            until: None,
        };
        if let Err(diags) = engine::validate_simulation(m, &opts) {
            return Err(diags
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("; "));
        }
        let mut bar = progress::Bar::new(args.cases);
        let result = engine::simulate(
            m,
            &report.sources,
            &opts,
            &mut |done| bar.update(done),
            &mut |_, _| Ok(()),
        );
        bar.finish();
        match result {
            Ok(r) => Ok(Figures::from_report(&r)),
            Err(diags) => Err(diags
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("; ")),
        }
    };
    let sim = simulate(Vec::new());
    let variant = (!set.is_empty()).then(|| simulate(set.clone()));
    if let Some(Err(why)) = &variant {
        if sim.is_ok() {
            // A bad --set is the user's mistake, not the configuration's.
            return Err(format!("--set: {why}").into());
        }
    }

    let findings = findings(m, &report, &evaluation, sim.as_ref().ok());
    let marks: Vec<engine::Mark> = findings
        .iter()
        .map(|f| engine::Mark {
            step: f.step.clone(),
            label: f.number.to_string(),
            severity: f.severity,
            text: format!("{}: {}", f.by, f.text),
        })
        .collect();
    let drawing = engine::draw(
        m,
        &engine::DrawOptions {
            marks,
            anchors: Some(String::new()),
        },
    );
    // With the audit's own questions (`audit:`), the page answers them as `steg check --audit`
    // does (its validation run for the evidence); without, one question per obligation.
    let questions = match m.def.as_ref().and_then(|(_, d)| d.audit.as_ref()) {
        Some(_) => audit_questions(m, &report.sources, &args, errors == 0)?,
        None => questions(&evaluation, sim.as_ref().ok()),
    };
    let conformance = match (&args.log, errors) {
        (None, _) => None,
        (Some(_), e) if e > 0 => Some(Err(
            "Konfigurationen har fel, så loggen jämförs inte med den.".to_string(),
        )),
        (Some(log), _) => {
            let mut sources = report.sources.clone();
            Some(
                crate::conform::load(m, &mut sources, log, args.map.as_deref(), 200_000, false)
                    .map(|c| {
                        let name = log.file_name().map_or_else(
                            || log.display().to_string(),
                            |n| n.to_string_lossy().into_owned(),
                        );
                        (name, c)
                    })
                    .map_err(|e| e.text(args.map.as_deref())),
            )
        }
    };
    let def = m.def.as_ref().map(|(_, d)| d);
    let role_titles = def
        .map(|d| {
            d.roles
                .iter()
                .map(|(id, r)| {
                    (
                        id.value.clone(),
                        r.title.clone().unwrap_or(id.value.clone()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let (checks, unchecked, open_reference) = compare(def, sim.as_ref().ok());

    let mut command = format!(
        "steg report {} --cases {} --seed {}",
        args.municipality.display(),
        args.cases,
        args.seed
    );
    if args.months != 24 {
        command.push_str(&format!(" --months {}", args.months));
    }
    for s in &args.set {
        command.push_str(&format!(" --set {s}"));
    }
    let page = Page {
        name,
        description: def.and_then(|d| d.description.clone()),
        command,
        version: env!("CARGO_PKG_VERSION"),
        date: today(),
        errors,
        warnings,
        drawing,
        findings,
        steps: steps(m),
        questions,
        sim,
        variant,
        checks,
        unchecked,
        inputs: def.map(inputs).unwrap_or_default(),
        role_titles,
        seeds: seeds::Seeds::find(args.seeds.as_deref(), dir),
        open_reference,
        conformance,
    };
    let mut page = page;
    let text = html::page(&mut page);
    if out.as_os_str() == "-" {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()?;
    } else {
        crate::output::write_atomically(&out, text.as_bytes())
            .map_err(|e| format!("{}: cannot write: {e}", out.display()))?;
        eprintln!("wrote {}", out.display());
    }
    if page.seeds.dir().is_none() {
        eprintln!(
            "note: no seeds/ folder found beside {}; the page cites passages without quoting them (--seeds DIR)",
            dir.display()
        );
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn parse_set(set: &[String]) -> Result<Vec<(String, String)>, String> {
    set.iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| {
                    format!("--set {kv}: write KEY=VALUE, e.g. roles.socialsekreterare.staff=7")
                })
        })
        .collect()
}

/// Today (UTC) as `YYYY-MM-DD`.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The findings to number on the drawing: the checker's diagnostics on a step, the steps where
/// an obligation is broken, and the step whose raised events the simulation saw get lost.
fn findings(
    m: &engine::Municipality,
    report: &engine::Report,
    evaluation: &engine::obligation::Evaluation,
    sim: Option<&Figures>,
) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for d in &report.diagnostics {
        let Some(step) = &d.step else { continue };
        let severity = match d.severity {
            engine::Severity::Error => engine::MarkSeverity::Error,
            engine::Severity::Warning => engine::MarkSeverity::Warning,
        };
        out.push(Finding {
            number: 0,
            severity,
            by: d.check.code.to_string(),
            step: step.clone(),
            text: d.message.clone(),
        });
    }
    let graph = engine::Graph::build(m);
    let prog = engine::Program::new(m, &graph);
    for v in &evaluation.verdicts {
        if v.status != Status::Broken {
            continue;
        }
        for f in &v.findings {
            let Some(at) = f.at else { continue };
            let (w, s) = prog.name(at);
            let step = format!("{w}.{s}");
            // The checker reports broken obligations as diagnostics too; one badge each.
            if out.iter().any(|o| o.step == step && o.text == f.message) {
                continue;
            }
            out.push(Finding {
                number: 0,
                severity: engine::MarkSeverity::Error,
                by: format!("krav {}", v.id),
                step,
                text: v.shortfall.clone().unwrap_or_else(|| v.requirement.clone()),
            });
        }
    }
    if let (Some(fig), Some(kpi)) = (
        sim,
        m.def
            .as_ref()
            .and_then(|(_, d)| d.simulation.as_ref())
            .and_then(|s| s.kpi.franvaro_fran.clone()),
    ) {
        if fig.lost_events > 0 {
            out.push(Finding {
                number: 0,
                severity: engine::MarkSeverity::Note,
                by: "simuleringen".to_string(),
                step: kpi,
                text: format!(
                    "{} händelser i ärendena gick förlorade (ingen väntade på dem; {} simulerade ärenden)",
                    charts::sv(fig.lost_events as f64, 0),
                    charts::sv(fig.cases as f64, 0)
                ),
            });
        }
    }
    for (i, f) in out.iter_mut().enumerate() {
        f.number = i + 1;
    }
    out
}

/// The audit's questions (`audit:` of the configuration), answered by [`engine::audit`]: the
/// auditors' assessment, steg's, and the evidence (obligations, validation figures), in
/// Swedish; then the obligations no question names.
fn audit_questions(
    m: &engine::Municipality,
    sources: &engine::SourceMap,
    args: &Args,
    simulate: bool,
) -> Result<Vec<Question>, Box<dyn std::error::Error>> {
    let opts = engine::AuditOptions {
        simulate,
        validate: engine::ValidateOptions {
            replications: None,
            seed: None,
            threads: args.threads,
            set: Vec::new(),
        },
    };
    let a = engine::audit(m, sources, &opts).map_err(|diags| {
        diags
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let obligation = |o: &engine::ObligationEvidence| {
        let mut line = format!("{}: {}", o.requirement, o.status);
        if let Some(b) = &o.simulated {
            line.push_str(&format!(
                "; i simuleringen bröts det i {} av {} ärenden ({})",
                charts::sv(b.broken as f64, 0),
                charts::sv(b.of as f64, 0),
                charts::pct(b.share)
            ));
        }
        line.push('.');
        line
    };
    let mut out = Vec::new();
    for q in &a.questions {
        let mut evidence = vec![q.basis.clone()];
        if let Some(why) = &q.not_modelled {
            evidence.push(format!("Inte modellerat: {why}"));
        }
        for f in &q.figures {
            let c = &f.figure;
            let show = |v: f64| {
                if c.share {
                    charts::pct(v)
                } else {
                    charts::sv(v, 1)
                }
            };
            evidence.push(format!(
                "{}: källan {}, simulerat {}{}.",
                c.description.as_deref().unwrap_or(&c.id),
                show(c.value),
                c.simulated.map_or("inte mätt".to_string(), show),
                match (c.low, c.high) {
                    (Some(lo), Some(hi)) => format!(" (95 % KI {}–{})", show(lo), show(hi)),
                    _ => String::new(),
                }
            ));
        }
        for o in &q.obligations {
            evidence.push(obligation(o));
            for f in &o.findings {
                evidence.push(format!("I modellen: {f}"));
            }
        }
        out.push(Question {
            id: q.id.clone(),
            anchor: format!("fraga-{}", q.id),
            question: q.question.clone(),
            shortfall: q.finding.clone(),
            auditors: q.auditors.and_then(assess::from_word),
            steg: q.steg,
            evidence,
            source: q.source.clone(),
        });
    }
    // Then every obligation as its own row (the drawing's marks link to them), once each.
    let mut seen = std::collections::BTreeSet::new();
    let all = a
        .questions
        .iter()
        .flat_map(|q| q.obligations.iter())
        .chain(a.other_obligations.iter());
    for o in all {
        if !seen.insert(o.id.clone()) {
            continue;
        }
        let mut evidence = vec![obligation(o)];
        evidence.extend(o.findings.iter().map(|f| format!("I modellen: {f}")));
        out.push(Question {
            id: o.id.clone(),
            anchor: format!("krav-{}", o.id),
            question: o.requirement.clone(),
            shortfall: o.shortfall.clone(),
            auditors: None,
            steg: o.assessment,
            evidence,
            source: o.source.clone(),
        });
    }
    Ok(out)
}

/// One question per obligation, with steg's assessment and its evidence.
fn questions(evaluation: &engine::obligation::Evaluation, sim: Option<&Figures>) -> Vec<Question> {
    evaluation
        .verdicts
        .iter()
        .map(|v| {
            let measured = sim.and_then(|s| s.obligations.iter().find(|o| o.id == v.id));
            let share = measured.and_then(|o| o.share.map(|s| s.value));
            let for_some_only = !v.findings.is_empty() && v.findings.iter().all(|f| f.for_some);
            let steg = engine::assess(&v.status, for_some_only, share);
            let mut evidence = Vec::new();
            match &v.status {
                Status::Holds => evidence
                    .push("I modellen: ingen väg genom processen bryter kravet.".to_string()),
                Status::NotShown(why) => {
                    evidence.push(format!("I modellen: kan inte avgöras ({why})."))
                }
                Status::Broken => {
                    for f in &v.findings {
                        evidence.push(format!("I modellen bryts kravet: {}", f.message));
                    }
                }
            }
            match measured {
                Some(o) if o.of > 0 => evidence.push(format!(
                    "I simuleringen: bröts i {} av {} ärenden ({}){}.",
                    charts::sv(o.broken as f64, 0),
                    charts::sv(o.of as f64, 0),
                    charts::pct(o.share.map_or(0.0, |s| s.value)),
                    o.share
                        .and_then(|s| s.ci)
                        .map(|(lo, hi)| format!(
                            ", 95 % KI {}–{}",
                            charts::pct(lo),
                            charts::pct(hi)
                        ))
                        .unwrap_or_default()
                )),
                Some(_) => evidence.push("I simuleringen: inget ärende berördes.".to_string()),
                None => {}
            }
            Question {
                id: v.id.clone(),
                anchor: format!("krav-{}", v.id),
                question: v.requirement.clone(),
                shortfall: v.shortfall.clone(),
                auditors: None,
                steg,
                evidence,
                source: v.source.clone(),
            }
        })
        .collect()
}

/// Every step of every workflow, in drawing order, with its source.
fn steps(m: &engine::Municipality) -> Vec<StepSource> {
    let def = m.def.as_ref().map(|(_, d)| d);
    let role = |id: &str| {
        def.and_then(|d| d.roles.get(id))
            .and_then(|r| r.title.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let unit = |id: &str| {
        def.and_then(|d| d.units.get(id))
            .and_then(|u| u.title.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let mut out = Vec::new();
    let order: Vec<String> = {
        let d = engine::draw(m, &engine::DrawOptions::default());
        let mut seen: Vec<String> = Vec::new();
        for p in d.parts {
            if !seen.contains(&p.workflow) {
                seen.push(p.workflow);
            }
        }
        seen
    };
    for wid in order {
        let Some(w) = m.workflows.iter().find(|w| w.name() == wid) else {
            continue;
        };
        let wtitle = w.def.title.clone().unwrap_or_else(|| wid.clone());
        for (id, step) in w.def.steps.iter() {
            let lane = step.actor.as_ref().map(|a| role(&a.value)).or_else(|| {
                step.unit
                    .as_ref()
                    .or(w.def.unit.as_ref())
                    .map(|u| unit(&u.value))
            });
            out.push(StepSource {
                anchor: engine::step_anchor("", &wid, &id.value),
                workflow: wtitle.clone(),
                name: step.title.clone().unwrap_or_else(|| id.value.clone()),
                key: format!("{wid}.{}", id.value),
                kind: kind_sv(step.kind()),
                lane,
                source: step.source.clone(),
                legal_basis: step.legal_basis.as_ref().map(|l| l.text()),
            });
        }
    }
    out
}

fn kind_sv(k: engine::StepKind) -> &'static str {
    use engine::StepKind::*;
    match k {
        Task => "uppgift",
        Decision => "beslut",
        Fork => "delning",
        Join => "sammanföring",
        Wait => "väntan",
        Referral => "remiss",
        End => "slut",
    }
}

fn value_text(v: &engine::Value) -> String {
    match v {
        engine::Value::Bool(b) => if *b { "ja" } else { "nej" }.to_string(),
        engine::Value::Number(n) => {
            if n.fract() == 0.0 {
                charts::sv(*n, 0)
            } else {
                charts::sv(*n, 3).trim_end_matches('0').to_string()
            }
        }
        engine::Value::Text(t) => t.clone(),
    }
}

fn is_assumption(source: &str) -> bool {
    let s = source.to_lowercase();
    s.contains("not in seed") || s.contains("assumption") || s.contains("antagande")
}

/// The configuration's figures with a `source:`: parameters, staff, and the simulation's inputs.
fn inputs(d: &engine::MunicipalityFile) -> Vec<Input> {
    let mut out = Vec::new();
    let mut push = |path: String, value: String, source: Option<&String>| {
        if let Some(s) = source {
            out.push(Input {
                path,
                value,
                assumption: is_assumption(s),
                source: s.clone(),
            });
        }
    };
    for (id, r) in d.roles.iter() {
        if let Some(s) = &r.staff {
            push(
                format!("roles.{}.staff", id.value),
                match s.value.count() {
                    Some(n) => charts::sv(n, 1).trim_end_matches(",0").to_string(),
                    None => "obegränsad".to_string(),
                },
                r.source.as_ref(),
            );
        }
    }
    for (id, p) in d.parameters.iter() {
        push(
            format!("parameters.{}", id.value),
            value_text(&p.value.value),
            p.source.as_ref(),
        );
    }
    if let Some(sim) = &d.simulation {
        push(
            "simulation.arrivals_per_month".to_string(),
            value_text(&sim.arrivals_per_month.value.value),
            sim.arrivals_per_month.source.as_ref(),
        );
        for (id, a) in sim.attributes.iter() {
            let value = match a.uniform {
                Some((lo, hi)) => {
                    format!("jämnt fördelad {}–{}", charts::sv(lo, 0), charts::sv(hi, 0))
                }
                None => a
                    .values
                    .iter()
                    .map(|s| format!("{}: {}", json_text(&s.value), charts::pct(s.share.value)))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            push(
                format!("simulation.attributes.{}", id.value),
                value,
                a.source.as_ref(),
            );
        }
        for (id, e) in sim.events.iter() {
            let value = match (e.per_month, &e.after) {
                (Some(r), _) => format!("{} per månad", charts::sv(r, 2)),
                (None, Some(d)) => format!("efter {}", d.value),
                _ => String::new(),
            };
            push(
                format!("simulation.events.{}", id.value),
                value,
                e.source.as_ref(),
            );
        }
    }
    out
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(b) => if *b { "ja" } else { "nej" }.to_string(),
        serde_json::Value::Number(n) => n.as_f64().map_or_else(
            || n.to_string(),
            |f| charts::sv(f, 1).trim_end_matches(",0").to_string(),
        ),
        other => other.to_string(),
    }
}

/// The population figures that have a simulated counterpart (until the configuration has a
/// `validation:` block that says so itself), those that have none, and the reference line of
/// open cases.
///
/// The counterparts, by the figure's id:
/// - `aktiva_arenden_*`: mean open cases at month ends in the steady state;
/// - `andel_med_handlingsplan`: share of cases with a plan within 90 days of the application;
/// - `aterremitteringar_*`: returns to the referrer per year of arrivals;
/// - `andel_aterremitterade_som_aterkommer`: re-referrals per return.
type Compared = (Vec<Check>, Vec<Input>, Option<(f64, String)>);

fn compare(d: Option<&engine::MunicipalityFile>, sim: Option<&Figures>) -> Compared {
    let mut checks = Vec::new();
    let mut unchecked = Vec::new();
    let mut reference: Option<(f64, String)> = None;
    let Some(d) = d else {
        return (checks, unchecked, reference);
    };
    for (id, p) in d.population.iter() {
        let id = id.value.as_str();
        let engine::Value::Number(seed) = p.value.value else {
            continue;
        };
        let what = p
            .description
            .clone()
            .unwrap_or_else(|| id.replace('_', " "));
        let (measure, simulated, share): (&'static str, Option<f64>, bool) =
            if id.starts_with("aktiva_arenden") {
                if reference.is_none() {
                    let year = id.rsplit('_').next().unwrap_or("");
                    reference = Some((seed, format!("källan: {} ({year})", charts::sv(seed, 0))));
                }
                (
                    "öppna ärenden vid månadsslut, medel under jämviktsperioden",
                    sim.and_then(|s| s.steady_open()).map(|e| e.value),
                    false,
                )
            } else if id == "andel_med_handlingsplan" {
                (
                    "andel ärenden med handlingsplan inom 90 dagar från ansökan",
                    sim.and_then(|s| {
                        (s.plan_90.1 > 0).then(|| s.plan_90.0 as f64 / s.plan_90.1 as f64)
                    }),
                    true,
                )
            } else if id.starts_with("aterremitteringar") {
                (
                    "återremitteringar till anvisaren per år",
                    sim.map(|s| s.aterremitteringar as f64 / s.arrival_years()),
                    false,
                )
            } else if id == "andel_aterremitterade_som_aterkommer" {
                (
                    "återanvisningar per återremittering",
                    sim.and_then(|s| {
                        (s.aterremitteringar > 0)
                            .then(|| s.ateranvisningar as f64 / s.aterremitteringar as f64)
                    }),
                    true,
                )
            } else {
                unchecked.push(Input {
                    path: format!("population.{id}"),
                    value: value_text(&p.value.value),
                    source: p.source.clone().unwrap_or_default(),
                    assumption: p.source.as_deref().is_some_and(is_assumption),
                });
                continue;
            };
        checks.push(Check {
            id: id.to_string(),
            what,
            seed,
            share,
            measure,
            simulated: simulated.map(figures::Estimate::one),
            source: p.source.clone(),
        });
    }
    (checks, unchecked, reference)
}
