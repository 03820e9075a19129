//! steg's engine: load a municipality's workflows (YAML) and rules (Rhai), check them, and (in
//! later modules) run and simulate cases. The engine never prints and never exits the process;
//! the `steg` command line is a thin layer over this API.
//!
//! ```
//! use steg_engine::{check_folder, Severity};
//! # let dir = std::env::temp_dir().join(format!("steg-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! # std::fs::write(dir.join("municipality.yaml"), "municipality: Exempel\n").unwrap();
//! # std::fs::write(dir.join("flow.yaml"),
//! #   "workflow: flow\nstart: a\nsteps:\n  a: { next: b }\n  b: {}\n").unwrap();
//! let report = check_folder(&dir);
//! let dead_end = report.diagnostics.iter().find(|d| d.code() == "G005").unwrap();
//! assert_eq!(dead_end.severity, Severity::Error);
//! assert_eq!(dead_end.step.as_deref(), Some("flow.b"));
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

mod audit;
mod causes;
mod check;
pub mod codes;
mod diagnostic;
mod diff;
mod duration;
mod eval;
mod export;
#[cfg(any(test, feature = "fuzz"))]
pub mod fuzz;
mod graph;
pub mod ide;
mod import;
mod load;
pub mod mining;
mod model;
mod municipality;
pub mod net;
pub mod obligation;
mod ruletest;
mod run;
mod schema;
pub mod semantics;
mod sim;
pub mod soundness;
mod validate;
mod validity;
mod xml;

pub use audit::{
    assess, assess_compliance, audit, Assessment, AuditOptions, Broken, FigureEvidence,
    MunicipalityAudit, ObligationEvidence, QuestionAudit, SimulationNote,
};
pub use diagnostic::{
    did_you_mean, loc_at, CheckInfo, Diagnostic, FileId, Fix, Label, Loc, Severity, SourceFile,
    SourceMap, Span,
};
pub use diff::{align, diff, Change, Diff, Field, FieldDiff, Item, Section, Side, WorkflowDiff};
pub use duration::{Duration, DurationError, DurationRange, Effort, Period, Schedule};
pub use eval::{
    from_dynamic, sandbox, to_dynamic, Arende, Memo, Params, RuleError, RuleResult, MAX_OPERATIONS,
};
pub use eval::{Rule, RuleSet, Table, Tests};
pub use export::{
    bpmn_inlined, draw, export, pnml_of, step_anchor, DrawOptions, Drawing, ExportFormat, Mark,
    MarkSeverity, Part, COLUMNS_PER_PART, STYLE as DRAWING_STYLE,
};
pub use graph::{Edge, Graph, StepRef};
pub use import::{
    check_models, import_file, import_text, is_model_path, model_files, Explored, Imported,
    ModelCheck, ModelFormat, ModelSummary, ModelVerdict, MAX_MODEL_BYTES, NET_BUDGET,
};
pub use load::{
    discover, is_base, load_municipality, load_municipality_with, Overlay, PathError,
    MUNICIPALITY_FILE,
};
pub use model::{
    is_id, rule_name, ArrivalChange, Attribute, Audit, AuditQuestion, AuditorAssessment,
    BasisVersion, Deadline, EntryArrivals, EventDef, EventRate, Figure, Guard, Kpi, LegalBasis,
    Map, Measure, MunicipalityFile, Next, Node, Obligation, ObligationSeverity, Parameter, ReferTo,
    Role, RuleTest, Share, Simulation, Step, StepDraw, StepKind, TableFile, TableVersion, TestFile,
    Transition, Trigger, Unit, UnitAnswers, Validation, Value, Workflow, WorkflowFile,
};
pub use municipality::Municipality;
pub use ruletest::{run_tests, TestOutcome};
pub use run::case::{Case, Ctx, External, MoveDetail, Stuck, TraceEntry, What, Work, World};
pub use run::scenario::{run_scenario, ScenarioEvent, ScenarioFile};
pub use schema::{municipality_schema, scenario_schema, workflow_schema};
pub use semantics::{At, PStep, Program, Semantics};
pub use sim::log::{EventLog, LogEvent, LogFormat, LogSetup};
pub use sim::{
    log_setup, simulate, validate as validate_simulation, Dist, Estimate, FigureEstimate,
    Options as SimOptions, Report as SimReport, Rng, RoleStats, StuckCount, WaitingCount,
};
pub use validate::{
    is_assumption, validate, Assumption, FigureCheck, FigureVerdict, ValidateOptions,
    ValidationReport,
};
pub use validity::{parse_date, Validity};

use std::path::Path;

/// The result of checking one or more municipality folders.
#[derive(Debug, Default)]
pub struct Report {
    /// Every file read, for showing diagnostics with their source.
    pub sources: SourceMap,
    /// The municipalities, in the order checked.
    pub municipalities: Vec<Municipality>,
    /// Every problem found: errors first, then warnings, each sorted by file, line and column.
    /// A problem that only follows from another is in that one's `follow_on`, not here.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Number of diagnostics of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Load and check the municipality folders `dirs` (see [`discover`]).
pub fn check_folders(dirs: &[std::path::PathBuf]) -> Report {
    check_folders_with(dirs, &Overlay::default())
}

/// Load and check the municipality folders `dirs`, reading the files `overlay` holds (an
/// editor's unsaved text) from it. Diagnostics that only follow from another are folded into
/// it ([`Diagnostic::follow_on`]); errors come before warnings, each sorted by file and line.
pub fn check_folders_with(dirs: &[std::path::PathBuf], overlay: &Overlay) -> Report {
    let mut report = Report::default();
    for dir in dirs {
        let (m, diags) = check_one(dir, overlay, &mut report.sources);
        let sources = &report.sources;
        let rerun = |fix: &Fix| {
            let file = sources.get(fix.span.file);
            let mut patched = overlay.clone();
            patched.set(&file.path, fix.apply(&file.text)?);
            let mut again = SourceMap::default();
            let (_, diags) = check_one(dir, &patched, &mut again);
            Some(causes::Key::count(&diags, &again))
        };
        let diags = causes::group(diags, sources, &rerun);
        report.diagnostics.extend(diags);
        report.municipalities.push(m);
    }
    causes::sort(&mut report.diagnostics);
    report
}

/// Load and check one folder: every diagnostic, with what follows from dead ends folded in.
fn check_one(
    dir: &Path,
    overlay: &Overlay,
    sources: &mut SourceMap,
) -> (Municipality, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let m = load::load_municipality_with(dir, overlay, sources, &mut diags);
    diags.extend(check::check(&m, sources));
    load::extends::relate(&m, sources, &mut diags);
    causes::dead_ends(&m, &mut diags);
    (m, diags)
}

/// Load and check one municipality folder.
pub fn check_folder(dir: &Path) -> Report {
    check_folders(&[dir.to_path_buf()])
}
