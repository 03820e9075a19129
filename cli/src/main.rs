//! `steg`: check, explain and describe municipal workflow configurations from the command line.
//!
//! Only this crate prints and sets exit codes: 0 clean (or warnings only), 1 the configuration
//! has errors, 2 `steg` could not run (bad arguments, missing path, unwritable output).

mod progress;
mod render;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use steg_engine as engine;

/// steg: workflows and rules for ekonomiskt bistånd and labour-market units, checked before any
/// person is affected.
///
/// A municipality is a folder: `municipality.yaml` (units, roles, parameters, events) and one
/// YAML file per workflow, with rules in `rules/common` and `rules/<municipality>`.
#[derive(Parser)]
#[command(name = "steg", version, propagate_version = true, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check municipalities for dead ends, unreachable steps, unknown names and more.
    ///
    /// Every problem is reported at once, each at its file, line and column. Exit code: 0 when
    /// clean or with warnings only, 1 when any error is found, 2 when a path cannot be used.
    ///
    /// Examples:
    ///   steg check                          every municipality under workflows/
    ///   steg check workflows/lindesberg     one municipality
    ///   steg check lindesberg --format json machine-readable, one object per diagnostic
    #[command(verbatim_doc_comment)]
    Check {
        /// Municipality folders, folders of them, or names under workflows/ [default: workflows/]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Run the rule tests (`*.test.yaml` beside the rules) and show each failure.
    ///
    /// A test gives a case's data (`arende`), parameters over the municipality's own, an
    /// optional date, and the value the rule must return. Exit code: 0 when every test passes,
    /// 1 when one fails or a rule file does not load, 2 when a path cannot be used.
    ///
    /// Examples:
    ///   steg test                         every municipality under workflows/
    ///   steg test workflows/lindesberg
    #[command(verbatim_doc_comment)]
    Test {
        /// Municipality folders, folders of them, or names under workflows/ [default: workflows/]
        paths: Vec<PathBuf>,
    },
    /// Run one case from a scenario file and print its trace, step by step with dates.
    ///
    /// A scenario gives the person's data (`arende`), the day the case starts, and the events
    /// that happen to them by date. Work takes the shortest duration written on its step;
    /// events come only from the scenario. See examples/ for scenarios of Lindesberg.
    ///
    /// Examples:
    ///   steg run lindesberg --scenario examples/lindesberg/coachingteam_20_procent.yaml
    ///   steg run workflows/lindesberg --scenario FILE --format json
    #[command(verbatim_doc_comment)]
    Run {
        /// The municipality: a folder, or a name under workflows/.
        municipality: PathBuf,
        /// The scenario file.
        #[arg(long)]
        scenario: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Simulate many cases and report KPIs: lead times, plans on time, returns, queues.
    ///
    /// Cases are drawn from `simulation:` in municipality.yaml (arrivals per month, case
    /// attributes with their shares, event rates) and routed by the same workflows and rules
    /// as `steg run`. Roles have `staff`; a step's `effort` takes their time, so queues form.
    /// The same seed gives the same output.
    ///
    /// Examples:
    ///   steg simulate lindesberg --cases 10000 --seed 1
    ///   steg simulate lindesberg --cases 10000 --seed 1 --set roles.arbetsmarknadshandlaggare.staff=3
    ///   steg simulate lindesberg --cases 500 --seed 1 --log cases.xes
    #[command(verbatim_doc_comment)]
    Simulate {
        /// The municipality: a folder, or a name under workflows/.
        municipality: PathBuf,
        /// Number of cases.
        #[arg(long, default_value_t = 1000)]
        cases: u64,
        /// Seed of every random draw.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How long each case is followed, in months.
        #[arg(long, default_value_t = 24)]
        months: u32,
        /// What-if: roles.ROLE.staff=N, parameters.NAME=VALUE, simulation.arrivals_per_month=N.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Write an event log (XES or CSV, by extension) for process-mining tools.
        #[arg(long, value_name = "FILE.xes|FILE.csv")]
        log: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Explain a check: what it finds, why it matters, and what to write instead.
    ///
    /// Without a code, lists every check. Codes are stable: S = reading files, R = rules,
    /// G = the workflow graph.
    ///
    /// Examples:
    ///   steg explain G005
    ///   steg explain dead-end
    #[command(verbatim_doc_comment)]
    Explain {
        /// A code (G005) or a name (DeadEnd, dead-end).
        code: Option<String>,
    },
    /// Print the JSON Schema of municipality.yaml or of a workflow file, for editors.
    ///
    /// With --out, writes both schemas into a folder (municipality.schema.json,
    /// workflow.schema.json). See the README for using them in VS Code.
    Schema {
        /// Which file kind to print.
        #[arg(value_enum, default_value_t = SchemaKind::Workflow)]
        kind: SchemaKind,
        /// Write both schemas into this folder instead of printing one.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// Source snippets with labels and help, for people.
    Human,
    /// A JSON array, one object per diagnostic, for tools.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemaKind {
    /// municipality.yaml
    Municipality,
    /// A workflow file.
    Workflow,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { paths, format } => check(&paths, format),
        Command::Test { paths } => test(&paths),
        Command::Run { municipality, scenario, format } => run(&municipality, &scenario, format),
        Command::Simulate { municipality, cases, seed, months, set, log, format } => {
            simulate(&municipality, cases, seed, months, &set, log.as_deref(), format)
        }
        Command::Explain { code } => explain(code.as_deref()),
        Command::Schema { kind, out } => schema(kind, out),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(e.as_ref()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Output piped into `head` and closed early is not an error.
fn is_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    e.downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

type CliResult = Result<ExitCode, Box<dyn std::error::Error>>;

fn check(paths: &[PathBuf], format: Format) -> CliResult {
    let dirs = engine::discover(paths)?;
    let report = engine::check_folders(&dirs);
    let mut stdout = std::io::stdout().lock();
    match format {
        Format::Human => render::human(&mut stdout, &report, render::colors_wanted())?,
        Format::Json => render::json(&mut stdout, &report)?,
    }
    stdout.flush()?;
    Ok(if report.count(engine::Severity::Error) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn test(paths: &[PathBuf]) -> CliResult {
    let dirs = engine::discover(paths)?;
    let mut out = std::io::stdout().lock();
    let (mut passed, mut failed) = (0, 0);
    let mut broken = false;
    for dir in &dirs {
        let mut sources = engine::SourceMap::default();
        let mut diags = Vec::new();
        let m = engine::load_municipality(dir, &mut sources, &mut diags);
        if diags.iter().any(|d| d.severity == engine::Severity::Error) {
            let report = engine::Report { sources, municipalities: vec![], diagnostics: diags };
            render::diagnostics(&mut out, &report, render::colors_wanted())?;
            broken = true;
            continue;
        }
        let outcomes = engine::run_tests(&m, &sources);
        let ok = outcomes.iter().filter(|t| t.passed()).count();
        for t in outcomes.iter().filter(|t| !t.passed()) {
            render::test_failure(&mut out, &sources, t)?;
        }
        writeln!(out, "{}: {} passed, {} failed", dir.display(), ok, outcomes.len() - ok)?;
        passed += ok;
        failed += outcomes.len() - ok;
    }
    writeln!(out, "{passed} passed, {failed} failed")?;
    Ok(if failed > 0 || broken { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Load one municipality and refuse to go on if it has errors.
fn load_clean(arg: &std::path::Path) -> Result<(engine::Municipality, engine::SourceMap), Box<dyn std::error::Error>> {
    let dirs = engine::discover(&[arg.to_path_buf()])?;
    let [dir] = dirs.as_slice() else {
        return Err(format!("{} holds {} municipalities; name one", arg.display(), dirs.len()).into());
    };
    let mut report = engine::check_folders(std::slice::from_ref(dir));
    if report.count(engine::Severity::Error) > 0 {
        render::diagnostics(&mut std::io::stderr().lock(), &report, false)?;
        return Err(format!("{} has errors; `steg check {}` shows them", dir.display(), dir.display()).into());
    }
    let m = report.municipalities.remove(0);
    Ok((m, report.sources))
}

fn run(municipality: &std::path::Path, scenario: &std::path::Path, format: Format) -> CliResult {
    if !scenario.is_file() {
        return Err(format!("{}: no such scenario file", scenario.display()).into());
    }
    let (m, mut sources) = load_clean(municipality)?;
    let case = match engine::run_scenario(&m, &mut sources, scenario) {
        Ok(c) => c,
        Err(diags) => {
            let report = engine::Report { sources, municipalities: vec![], diagnostics: diags };
            render::diagnostics(&mut std::io::stdout().lock(), &report, render::colors_wanted())?;
            return Ok(ExitCode::from(1));
        }
    };
    let mut out = std::io::stdout().lock();
    match format {
        Format::Human => render::trace(&mut out, &m, &case)?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &render::TraceJson::new(&case))?;
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn simulate(
    municipality: &std::path::Path,
    cases: u64,
    seed: u64,
    months: u32,
    set: &[String],
    log: Option<&std::path::Path>,
    format: Format,
) -> CliResult {
    let set = set
        .iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| format!("--set {kv}: write KEY=VALUE, e.g. roles.socialsekreterare.staff=8"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if cases == 0 {
        return Err("--cases must be at least 1".into());
    }
    let log_format = match log {
        Some(p) => Some(engine::LogFormat::from_path(p).ok_or_else(|| format!("{}: the event log must end in .xes or .csv", p.display()))?),
        None => None,
    };
    let (m, sources) = load_clean(municipality)?;
    let opts = engine::SimOptions { cases, seed, months, set, record: log.is_some() };
    if let Err(diags) = engine::validate_simulation(&m, &opts) {
        for d in diags {
            eprintln!("error: {}", d.message);
        }
        return Ok(ExitCode::from(2));
    }
    let mut writer = match (log, log_format) {
        (Some(p), Some(f)) => Some(engine::EventLog::create(p, f).map_err(|e| format!("{}: {e}", p.display()))?),
        _ => None,
    };
    let mut bar = progress::Bar::new(cases);
    let result = engine::simulate(&m, &sources, &opts, &mut |done| bar.update(done), &mut |prog, case| match writer.as_mut() {
        Some(w) => w.case(prog, case),
        None => Ok(()),
    });
    bar.finish();
    let report = match result {
        Ok(r) => r,
        Err(diags) => {
            if let Some(w) = writer {
                w.abandon();
            }
            for d in diags {
                eprintln!("error: {}", d.message);
            }
            return Ok(ExitCode::from(2));
        }
    };
    if let Some(w) = writer {
        let (traces, events) = w.finish()?;
        if let Some(p) = log {
            eprintln!("event log: {} ({traces} cases, {events} events)", p.display());
        }
    }
    let mut out = std::io::stdout().lock();
    match format {
        Format::Human => render::sim_report(&mut out, &m, &report)?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(code: Option<&str>) -> CliResult {
    let mut out = std::io::stdout().lock();
    match code {
        None => {
            for c in engine::codes::ALL {
                writeln!(out, "{}  {:<28} {}", c.code, c.name, c.severity)?;
            }
            writeln!(out, "\nRun `steg explain CODE` for one check's documentation.")?;
        }
        Some(code) => {
            let c = engine::codes::find(code).ok_or_else(|| {
                format!("no check `{code}`; run `steg explain` for the list")
            })?;
            write!(out, "{}", render::explain(c))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn schema(kind: SchemaKind, out: Option<PathBuf>) -> CliResult {
    let pretty = |v: serde_json::Value| serde_json::to_string_pretty(&v).map(|s| s + "\n");
    match out {
        None => {
            let v = match kind {
                SchemaKind::Municipality => engine::municipality_schema(),
                SchemaKind::Workflow => engine::workflow_schema(),
            };
            std::io::stdout().lock().write_all(pretty(v)?.as_bytes())?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for (name, v) in [
                ("municipality.schema.json", engine::municipality_schema()),
                ("workflow.schema.json", engine::workflow_schema()),
            ] {
                let path = dir.join(name);
                render::write_atomically(&path, pretty(v)?.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
