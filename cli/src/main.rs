//! `steg`: check, explain and describe municipal workflow configurations from the command line.
//!
//! Only this crate prints and sets exit codes: 0 clean (or warnings only), 1 the configuration
//! has errors, 2 `steg` could not run (bad arguments, missing path, unwritable output).

mod audit;
mod conform;
mod diff;
mod excerpt;
mod graph;
mod import;
mod lsp;
mod output;
mod progress;
mod render;
mod report;
mod sarif;
mod validate;
mod watch;

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
    /// Model files get a verdict each (sound, not sound, not decided): exit 0 only when every
    /// model is sound, 1 otherwise.
    ///
    /// Examples:
    ///   steg check                          every municipality under workflows/
    ///   steg check workflows/lindesberg     one municipality
    ///   steg check lindesberg --format json machine-readable, one object per diagnostic
    ///   steg check --audit                  each audit's questions, answered by the model
    ///   steg check --watch lindesberg       check again on every save, until Ctrl-C
    ///   steg check models/                  BPMN/PNML models, imported in memory, a line per model
    #[command(verbatim_doc_comment)]
    Check {
        /// Municipality folders, folders of them, or names under workflows/ [default: workflows/];
        /// or BPMN (.bpmn) and PNML (.pnml) model files, or folders of them
        paths: Vec<PathBuf>,
        /// Output format: `human` (each diagnostic with its source lines, then a summary line),
        /// `json` (one JSON array, one object per diagnostic: code, name, severity, message, help,
        /// file, line, column, step, related places, notes, and the diagnostics that only follow
        /// from it) or `sarif` (SARIF 2.1.0, for code review).
        #[arg(long, value_enum, default_value_t = Format::Human, hide_possible_values = true)]
        format: Format,
        /// Instead of the diagnostics: per municipality, each question of its audit (`audit:`)
        /// with the auditors' assessment, steg's assessment and the evidence (obligations on the
        /// graph and in a simulation of the `validation:` period, the source's figures beside the
        /// simulated ones), in Swedish; then the obligations no question names.
        #[arg(long)]
        audit: bool,
        /// With --audit: replications of the simulation [default: `validation.replications`, else 10]
        #[arg(long, value_name = "R", requires = "audit")]
        replications: Option<u32>,
        /// With --audit: seed of the simulation [default: `validation.seed`, else 1]
        #[arg(long, requires = "audit")]
        seed: Option<u64>,
        /// With --audit: judge on the graph only, without simulating.
        #[arg(long, requires = "audit")]
        no_simulation: bool,
        /// Keep running: clear the screen and check again whenever a YAML or Rhai file of the
        /// municipality, of the base it extends or of its rule folders is saved.
        #[arg(long)]
        watch: bool,
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
    /// events come only from the scenario (an event no step waits for yet is kept until one
    /// does). See examples/ for scenarios of Lindesberg.
    ///
    /// Exit codes: 0 the case ran (closed, or still open at `until`), 1 the scenario or the
    /// configuration has an error, 2 steg could not run, 3 the case got stuck (the trace and,
    /// for a failing rule, its file and line say why).
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
        /// Output format: `human` (a line per event, with its date) or `json` (one JSON object:
        /// case, closed, outcome, stuck, and the trace as a list of events).
        #[arg(long, value_enum, default_value_t = Format::Human, hide_possible_values = true)]
        format: Format,
    },
    /// Simulate many cases and report KPIs: lead times, plans on time, returns, queues.
    ///
    /// Cases are drawn from `simulation:` in municipality.yaml (arrivals per month, case
    /// attributes with their shares, event rates) and routed by the same compiled workflows and
    /// rules as `steg run` and `steg check` (docs/semantics.md). They arrive in one stream at the
    /// configured rate and share the staff queues: roles have `staff`, a step's `effort` takes
    /// their time. `--replications R` runs R seeded copies in parallel and gives each figure a
    /// 95 % confidence interval. The same seed gives the same output.
    ///
    /// Exit codes: 0 done, 2 steg could not run (bad knobs, no `simulation:`), 3 some cases got
    /// stuck (listed by step and reason; `--allow-stuck` exits 0).
    ///
    /// Examples:
    ///   steg simulate lindesberg --cases 10000 --seed 1
    ///   steg simulate lindesberg --cases 10000 --seed 1 --set roles.arbetsmarknadshandlaggare.staff=3
    ///   steg simulate lindesberg --cases 500 --seed 1 --log cases.xes
    ///   steg simulate lindesberg --cases 2000 --replications 8
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
        /// What-if: roles.ROLE.staff=N, parameters.NAME=VALUE, simulation.arrivals_per_month=N,
        /// simulation.entries.WORKFLOW.arrivals_per_month=N.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Write an event log (XES or CSV, by extension) for process-mining tools.
        #[arg(long, value_name = "FILE.xes|FILE.csv")]
        log: Option<PathBuf>,
        /// Worker threads (default: one per core). The output is the same for any number.
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Independent replications, each a copy of the whole run with its own seed: every
        /// KPI is reported as a mean with a 95 % confidence interval. Replications run in
        /// parallel.
        #[arg(long, default_value_t = 1, value_name = "R")]
        replications: u32,
        /// Exit 0 even when some cases got stuck (by default such a run exits 3).
        #[arg(long)]
        allow_stuck: bool,
        /// The last day of the run (YYYY-MM-DD): no case arrives after it and none is followed
        /// past it, so `--cases` is only an upper bound. For a municipality whose rules are in
        /// force for some years only (a riksnorm of 2021).
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// Output format: `human` (the KPIs, outcomes and roles as a table) or `json` (one JSON
        /// object with every figure of the report, and an `estimates` list with several
        /// replications).
        #[arg(long, value_enum, default_value_t = Format::Human, hide_possible_values = true)]
        format: Format,
    },
    /// Compare the figures of a municipality's sources with a simulation of it.
    ///
    /// `validation:` in municipality.yaml lists the figures (open cases on a date, returns per
    /// year, the share of cases with a plan, ...), each with its period, a tolerance and its
    /// source. steg simulates from `simulation.start` to the end of the latest period, in R
    /// independent replications, measures each figure as docs/validation.md defines it, and
    /// prints the source's figure beside the simulated mean with its 95 % confidence interval
    /// and a verdict (inom / utanför toleransen). The values the configuration marks as
    /// assumptions are listed after. Exit code: 0 every figure within its tolerance, 1 one is
    /// not (or the configuration has errors), 2 steg could not run, 3 simulated cases got stuck.
    ///
    /// Examples:
    ///   steg validate lindesberg
    ///   steg validate lindesberg --replications 20 --seed 7
    ///   steg validate hedemora --format json
    #[command(verbatim_doc_comment)]
    Validate {
        /// The municipality: a folder, or a name under workflows/.
        municipality: PathBuf,
        /// Independent replications [default: `validation.replications`, else 10]
        #[arg(long, value_name = "R")]
        replications: Option<u32>,
        /// Seed of the first replication [default: `validation.seed`, else 1]
        #[arg(long)]
        seed: Option<u64>,
        /// What-if: roles.ROLE.staff=N, parameters.NAME=VALUE, simulation.arrivals_per_month=N,
        /// simulation.entries.WORKFLOW.arrivals_per_month=N.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Worker threads (default: one per core). The output is the same for any number.
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Draw a municipality's workflows: Graphviz DOT, a Mermaid flowchart, BPMN 2.0 XML, or SVG.
    ///
    /// Each workflow is a pool (a cluster), with a lane per role; steps no role does sit in
    /// their unit's lane. Decisions and conditional `next` are exclusive gateways with the
    /// conditions on their flows, forks and joins parallel gateways, waits show their events
    /// and timers, referrals point into the workflow or unit they send the case to, and ends
    /// are named by their outcome. The BPMN carries its layout (BPMNDI): open it in
    /// https://demo.bpmn.io or Camunda Modeler. A municipality with errors is not drawn (exit
    /// code 1, with the diagnostics); run `steg check` first.
    ///
    /// SVG is steg's own drawing (no Graphviz needed): each workflow cut into parts of a few
    /// columns that read at A4 width, joined by lettered connectors.
    ///
    /// PNML is the Petri net steg itself runs: each entry workflow compiled with its referrals
    /// inlined, transitions named by the activities of `steg simulate --log` (`workflow.step`),
    /// routing silent, with its final marking. pm4py reads the last net of a file: name one
    /// with --entry.
    ///
    /// Without --format, the format follows the --out file's extension (.dot, .gv, .mmd,
    /// .mermaid, .bpmn, .svg, .pnml), else DOT; any other extension is refused (exit 2).
    ///
    /// Examples:
    ///   steg graph lindesberg --out lindesberg.svg          open in a browser
    ///   steg graph lindesberg --out lindesberg.dot          then `dot -Tsvg` (Graphviz) for an image
    ///   steg graph lindesberg --out lindesberg.bpmn          open in bpmn.io or Camunda Modeler
    ///   steg graph lindesberg --format mermaid               paste into a ```mermaid block
    ///   steg graph lindesberg --entry ekonomiskt_bistand --out eb.pnml   for pm4py or ProM
    ///   steg graph lindesberg --format bpmn --inline         referrals inlined, no call activities
    #[command(verbatim_doc_comment)]
    Graph {
        /// The municipality: a folder, or a name under workflows/.
        municipality: PathBuf,
        /// Picture format [default: from the --out extension, else dot]
        #[arg(long, value_enum)]
        format: Option<graph::GraphFormat>,
        /// With --format pnml: only the net of this entry workflow [default: every entry]
        #[arg(long, value_name = "WORKFLOW")]
        entry: Option<String>,
        /// With --format bpmn: inline referred workflows instead of call activities (for tools
        /// such as pm4py that cannot follow them); their steps get ids `referral.step`.
        #[arg(long)]
        inline: bool,
        /// Write to this file (atomically) instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Write a report for a nämnd: one HTML page with the process drawn, the audit's questions
    /// answered, and the simulation in charts.
    ///
    /// The page is self-contained (no network, no script): open it from a USB stick or an
    /// e-mail, or print it on A4. It shows the workflows drawn with the checker's findings
    /// marked where they are, each obligation (`obligations:`) with steg's assessment (Ja,
    /// Delvis, Nej, Ej avgjort) and its evidence, lead times, open cases, queues, broken
    /// obligations and outcomes of a simulation, the source's figures beside the simulated ones,
    /// every assumption with its source, and every step with the passage it cites (quoted from
    /// the seed files when a `seeds/` folder is found beside the municipality, or --seeds).
    /// With --set, a what-if section shows the variant beside the base.
    ///
    /// Exit code: 0 written, 1 the configuration has errors (the page is still written, without
    /// a simulation), 2 steg could not run (bad arguments, unwritable output).
    ///
    /// Examples:
    ///   steg report lindesberg --out rapport.html
    ///   steg report lindesberg --cases 5000 --seed 7 --out rapport.html
    ///   steg report lindesberg --set roles.socialsekreterare.staff=7 --out vad-om.html
    ///   steg report lindesberg --log export.xes --map map.yaml --out rapport.html
    #[command(verbatim_doc_comment)]
    Report {
        /// The municipality: a folder, or a name under workflows/.
        municipality: PathBuf,
        /// The HTML file to write (atomically); `-` for standard output [default: rapport-NAME.html]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Number of cases to simulate.
        #[arg(long, default_value_t = 1000)]
        cases: u64,
        /// Seed of every random draw.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How long each case is followed, in months.
        #[arg(long, default_value_t = 24)]
        months: u32,
        /// What-if: roles.ROLE.staff=N, parameters.NAME=VALUE, simulation.arrivals_per_month=N,
        /// simulation.entries.WORKFLOW.arrivals_per_month=N.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// The folder of the seed files the configuration cites (`000_*.txt`) [default: a
        /// seeds/ or shared/seeds/ folder beside the municipality or above it]
        #[arg(long, value_name = "DIR")]
        seeds: Option<PathBuf>,
        /// Worker threads (default: one per core). The output is the same for any number.
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// A case system's event log (.xes or .csv) to replay against the model: a section
        /// with what `steg conform` finds.
        #[arg(long, value_name = "FILE.xes|FILE.csv")]
        log: Option<PathBuf>,
        /// With --log: how its activities map onto steps (see `steg conform`).
        #[arg(long, value_name = "MAP.yaml", requires = "log")]
        map: Option<PathBuf>,
    },
    /// Replay a case system's event log against the model: which cases fit, which steps are
    /// skipped or inserted, which obligations are broken.
    ///
    /// The log is XES or CSV (columns case_id, activity, and optionally timestamp and
    /// lifecycle; only completed events count), pseudonymised: steg prints case ids and nothing
    /// else of it. --map relates the case system's activity names to steps (several to one)
    /// and lists activities to ignore; without it activity names are step ids. Steps no
    /// activity maps to are taken as not recorded. Each case gets an optimal alignment
    /// (skipped steps and inserted activities, each costing 1) within --budget states, else
    /// "not decided", and a token-based replay fitness. Obligations are judged on the steps
    /// the log shows. A trace with status `censored` is aligned as a case still open.
    ///
    /// Examples:
    ///   steg conform lindesberg --log examples/conform/lindesberg.xes --map examples/conform/lindesberg-map.yaml
    ///   steg conform lindesberg --log cases.csv --format json
    #[command(verbatim_doc_comment)]
    Conform {
        /// The municipality: a folder, or a name under workflows/.
        municipality: PathBuf,
        /// The event log, .xes or .csv.
        #[arg(long, value_name = "FILE.xes|FILE.csv")]
        log: PathBuf,
        /// How the log's activities map to steps (YAML: `activities:`, `ignore:`, `entry:`).
        #[arg(long, value_name = "MAP.yaml")]
        map: Option<PathBuf>,
        /// Most states an alignment of one case may visit before it is "not decided".
        #[arg(long, default_value_t = 200_000)]
        budget: usize,
        /// The log was taken while cases were still open: align every trace as a prefix (XES
        /// traces with `status` `censored` are always taken so).
        #[arg(long)]
        open: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Compare two municipalities: steps only in one, changed transitions and conditions,
    /// deadlines and timers, staff, parameters, events and obligations.
    ///
    /// Both are compared after `extends` is resolved, so a municipality built on a shared base
    /// shows only what it really does differently. Lines with `-` are the first municipality's,
    /// `+` the second's, grouped by workflow and then by organisation. Titles and `source:`
    /// citations are not compared. Exit code 0 whether or not they differ, 2 when one cannot
    /// be loaded.
    ///
    /// Examples:
    ///   steg diff lindesberg hedemora
    ///   steg diff workflows/lindesberg workflows/hedemora --format json
    #[command(verbatim_doc_comment)]
    Diff {
        /// The first municipality (`-`): a folder, or a name under workflows/.
        a: PathBuf,
        /// The second municipality (`+`).
        b: PathBuf,
        /// Output format: `human` (`-`/`+` lines by workflow, then by organisation) or `json`
        /// (one JSON object: the two municipalities and what differs, by workflow and section).
        #[arg(long, value_enum, default_value_t = Format::Human, hide_possible_values = true)]
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
    /// Import BPMN 2.0 or PNML models as workflow folders that `steg check` loads.
    ///
    /// Each model file becomes a folder: a minimal municipality.yaml (roles from lanes, units
    /// from collapsed pools, events) and one workflow file per process or net, with the
    /// model's names as titles and its ids in the step ids and `source:` fields. A choice the
    /// model gives no conditions for becomes a free choice (a wait step with one event per
    /// branch). What steg cannot express is reported (S005) at its line in the model; a file
    /// that cannot be read at all is S006. Every model is checked (in parallel), and one line
    /// per model says whether it is sound. `steg check MODEL.bpmn` checks without writing.
    /// Exit code: 0 imported, 1 a file could not be imported (or, with --strict, something
    /// could not be expressed), 2 a path cannot be used.
    ///
    /// A folder is written whole or not at all: built beside its place, then swapped in. Into a
    /// folder that is not empty only with --force, and then only the files an earlier import
    /// wrote (listed in `.steg-import`) are replaced; files written by hand are kept, and an
    /// import that would overwrite one is refused.
    ///
    /// Examples:
    ///   steg import order.bpmn                     writes ./order/
    ///   steg import order.bpmn --out workflows/order
    ///   steg import models/ --out imported/        one folder per model, a line per model
    ///   steg check models/                         import in memory and check, a line per model
    #[command(verbatim_doc_comment)]
    Import {
        /// BPMN (.bpmn) or PNML (.pnml) files, or folders of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Where to write: the workflow folder for one file, else the folder that gets one
        /// folder per model [default: the current folder]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Treat what steg cannot express (S005) as an error: exit code 1.
        #[arg(long)]
        strict: bool,
        /// Write into a folder that is not empty: replace the files an earlier `steg import`
        /// wrote there (listed in its `.steg-import`), keep every other file.
        #[arg(long)]
        force: bool,
        /// Output format of the import's diagnostics: `human` (each diagnostic with its source
        /// lines, then a line per model), `json` (one JSON array, one object per diagnostic, as
        /// `steg check --format json`) or `sarif` (SARIF 2.1.0).
        #[arg(long, value_enum, default_value_t = Format::Human, hide_possible_values = true)]
        format: Format,
    },
    /// Serve the Language Server Protocol on standard input and output, for editors.
    ///
    /// An editor starts `steg lsp` in the folder it has open (the one with workflows/ and
    /// rules/). It gets the diagnostics of `steg check` while the designer types, before the
    /// file is saved; go to definition and find references of steps, workflows, roles, units,
    /// events, rules (into their .rhai file) and parameters; hover with a step's title and
    /// source, or what a diagnostic's check finds; completion of the names that may be written
    /// where the cursor is; renaming a step in every file that names it; and the quick fix of a
    /// "did you mean". docs/editors.md shows the set-up for VS Code, Neovim and Helix.
    ///
    /// Example (what an editor's configuration runs):
    ///   steg lsp
    #[command(verbatim_doc_comment)]
    Lsp,
    /// Print the JSON Schema of municipality.yaml, of a workflow file or of a scenario, for
    /// editors.
    ///
    /// With --out, writes all three into a folder (municipality.schema.json,
    /// workflow.schema.json, scenario.schema.json). See docs/editors.md for using them.
    Schema {
        /// Which file kind to print.
        #[arg(value_enum, default_value_t = SchemaKind::Workflow)]
        kind: SchemaKind,
        /// Write both schemas into this folder instead of printing one.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// An output format; each command's `--format` help says what it prints in each.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// For people.
    Human,
    /// For tools.
    Json,
    /// SARIF 2.1.0, for code review (`steg check` and `steg import` only).
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemaKind {
    /// municipality.yaml
    Municipality,
    /// A workflow file.
    Workflow,
    /// A scenario file of `steg run --scenario`.
    Scenario,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    output::remove_on_signal();
    let result = match cli.command {
        Command::Check {
            paths,
            format,
            audit,
            watch,
            replications,
            seed,
            no_simulation,
        } => {
            let audit = audit.then(|| engine::AuditOptions {
                simulate: !no_simulation,
                validate: engine::ValidateOptions {
                    replications,
                    seed,
                    threads: 0,
                    set: Vec::new(),
                },
            });
            if watch {
                watch::watch(&paths, &|report| show_check(report, format, audit.as_ref()))
            } else {
                check(&paths, format, audit.as_ref())
            }
        }
        Command::Test { paths } => test(&paths),
        Command::Run {
            format: Format::Sarif,
            ..
        }
        | Command::Simulate {
            format: Format::Sarif,
            ..
        } => Err("--format sarif is for `steg check`; use human or json".into()),
        Command::Run {
            municipality,
            scenario,
            format,
        } => run(&municipality, &scenario, format),
        Command::Simulate {
            municipality,
            cases,
            seed,
            months,
            set,
            log,
            threads,
            replications,
            allow_stuck,
            until,
            format,
        } => simulate(
            &municipality,
            SimArgs {
                cases,
                seed,
                months,
                threads,
                replications,
                allow_stuck,
                until,
            },
            &set,
            log.as_deref(),
            format,
        ),
        Command::Validate {
            format: Format::Sarif,
            ..
        } => Err("--format sarif is for `steg check`; use human or json".into()),
        Command::Validate {
            municipality,
            replications,
            seed,
            set,
            threads,
            format,
        } => parse_set(&set).and_then(|set| {
            validate::validate(
                &municipality,
                engine::ValidateOptions {
                    replications,
                    seed,
                    threads,
                    set,
                },
                format == Format::Json,
            )
        }),
        Command::Graph {
            municipality,
            format,
            entry,
            inline,
            out,
        } => graph::graph(
            &municipality,
            format,
            entry.as_deref(),
            inline,
            out.as_deref(),
        ),
        Command::Report {
            municipality,
            out,
            cases,
            seed,
            months,
            set,
            seeds,
            threads,
            log,
            map,
        } => report::report(report::Args {
            municipality,
            out,
            cases,
            seed,
            months,
            set,
            seeds,
            threads,
            log,
            map,
        }),
        Command::Conform {
            format: Format::Sarif,
            ..
        } => Err("--format sarif is for `steg check`; use human or json".into()),
        Command::Conform {
            municipality,
            log,
            map,
            budget,
            open,
            format,
        } => conform::conform(
            &municipality,
            &log,
            map.as_deref(),
            budget,
            open,
            format == Format::Json,
        ),
        Command::Diff {
            format: Format::Sarif,
            ..
        } => Err("--format sarif is for `steg check`; use human or json".into()),
        Command::Diff { a, b, format } => diff::diff(&a, &b, format == Format::Json),
        Command::Import {
            paths,
            out,
            strict,
            force,
            format,
        } => import::import(&paths, out.as_deref(), strict, force, format),
        Command::Explain { code } => explain(code.as_deref()),
        Command::Schema { kind, out } => schema(kind, out),
        Command::Lsp => lsp::serve(),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(e.as_ref()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<ConfigHasErrors>().is_some() => {
            eprintln!("error: {}", excerpt::term(&e.to_string()));
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {}", excerpt::term(&e.to_string()));
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

fn check(paths: &[PathBuf], format: Format, audit: Option<&engine::AuditOptions>) -> CliResult {
    if import::all_models(paths)? {
        if audit.is_some() {
            return Err("--audit is for municipality folders, not model files".into());
        }
        return import::check(paths, format);
    }
    let dirs = engine::discover(paths)?;
    let report = engine::check_folders(&dirs);
    show_check(&report, format, audit)
}

/// Print a check's report in `format` (or the audit view); exit code 1 when it has errors.
fn show_check(
    report: &engine::Report,
    format: Format,
    audit: Option<&engine::AuditOptions>,
) -> CliResult {
    if let Some(opts) = audit {
        return audit::audit(report, format == Format::Json, opts);
    }
    let mut stdout = std::io::stdout().lock();
    match format {
        Format::Human => render::human(&mut stdout, report, render::colors_wanted())?,
        Format::Json => render::json(&mut stdout, report)?,
        Format::Sarif => sarif::write(&mut stdout, report)?,
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
    let (mut passed, mut failed, mut shared_total) = (0, 0, 0);
    let mut broken = false;
    for dir in &dirs {
        let mut sources = engine::SourceMap::default();
        let mut diags = Vec::new();
        let m = engine::load_municipality(dir, &mut sources, &mut diags);
        if diags.iter().any(|d| d.severity == engine::Severity::Error) {
            let report = engine::Report {
                sources,
                municipalities: vec![],
                diagnostics: diags,
            };
            render::diagnostics(&mut out, &report, render::colors_wanted())?;
            broken = true;
            continue;
        }
        let outcomes = engine::run_tests(&m, &sources);
        let ok = outcomes.iter().filter(|t| t.passed()).count();
        for t in outcomes.iter().filter(|t| !t.passed()) {
            render::test_failure(&mut out, &sources, t)?;
        }
        // The tests of a shared rule folder (`common`) run for every municipality using it.
        let mut shared_dirs: Vec<PathBuf> = Vec::new();
        let shared = outcomes
            .iter()
            .filter(|t| {
                let path = tidy(&sources.get(t.file).path);
                let dir = path.parent().map(std::path::Path::to_path_buf);
                let is_shared = dir
                    .as_ref()
                    .and_then(|d| d.file_name())
                    .is_some_and(|n| n == "common");
                if let (true, Some(d)) = (is_shared, dir) {
                    if !shared_dirs.contains(&d) {
                        shared_dirs.push(d);
                    }
                }
                is_shared
            })
            .count();
        let dirs = shared_dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let note = match shared {
            0 => String::new(),
            n if n == outcomes.len() => format!(" (all are the shared rules' tests in {dirs})"),
            n => format!(" ({n} of them the shared rules' tests in {dirs})"),
        };
        writeln!(
            out,
            "{}: {} passed, {} failed{note}",
            dir.display(),
            ok,
            outcomes.len() - ok
        )?;
        passed += ok;
        failed += outcomes.len() - ok;
        shared_total += shared;
    }
    let note = if shared_total > 0 && dirs.len() > 1 {
        " (a shared rule folder's tests are counted once per municipality that uses it)"
    } else {
        ""
    };
    writeln!(out, "{passed} passed, {failed} failed{note}")?;
    Ok(if failed > 0 || broken {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `workflows/lindesberg/../../rules/common` → `rules/common`, without touching the disk.
fn tidy(p: &std::path::Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The configuration itself is wrong (exit 1), as opposed to `steg` being unable to run (exit 2).
#[derive(Debug)]
struct ConfigHasErrors(String);

impl std::fmt::Display for ConfigHasErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigHasErrors {}

/// Load one municipality and refuse to go on if it has errors.
pub(crate) fn load_clean(
    arg: &std::path::Path,
) -> Result<(engine::Municipality, engine::SourceMap), Box<dyn std::error::Error>> {
    let dirs = engine::discover(&[arg.to_path_buf()])?;
    let [dir] = dirs.as_slice() else {
        return Err(format!(
            "{} holds {} municipalities; name one",
            arg.display(),
            dirs.len()
        )
        .into());
    };
    let mut report = engine::check_folders(std::slice::from_ref(dir));
    if report.count(engine::Severity::Error) > 0 {
        render::diagnostics(&mut std::io::stderr().lock(), &report, false)?;
        return Err(Box::new(ConfigHasErrors(format!(
            "{} has errors; `steg check {}` shows them",
            dir.display(),
            dir.display()
        ))));
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
            let report = engine::Report {
                sources,
                municipalities: vec![],
                diagnostics: diags,
            };
            render::diagnostics(
                &mut std::io::stdout().lock(),
                &report,
                render::colors_wanted(),
            )?;
            return Ok(ExitCode::from(1));
        }
    };
    let mut out = std::io::stdout().lock();
    match format {
        Format::Human => render::trace(&mut out, &m, &case)?,
        // Sarif never gets here: main refuses it for `run`.
        Format::Json | Format::Sarif => {
            serde_json::to_writer_pretty(&mut out, &render::TraceJson::new(&case))?;
            writeln!(out)?;
        }
    }
    if case.stuck.is_some() {
        // Why, located: the rules that failed, at their file and line.
        if !case.errors.is_empty() {
            let report = engine::Report {
                sources,
                municipalities: vec![],
                diagnostics: case.errors.iter().map(|e| e.to_diagnostic()).collect(),
            };
            render::diagnostics(
                &mut std::io::stderr().lock(),
                &report,
                render::colors_wanted(),
            )?;
        }
        return Ok(ExitCode::from(EXIT_STUCK));
    }
    Ok(ExitCode::SUCCESS)
}

/// Exit code of `steg run` and `steg simulate` when a case got stuck (no condition held, a
/// rule failed, an answer the referral does not expect).
pub(crate) const EXIT_STUCK: u8 = 3;

/// Numbers of `steg simulate`.
struct SimArgs {
    cases: u64,
    seed: u64,
    months: u32,
    threads: usize,
    replications: u32,
    allow_stuck: bool,
    until: Option<String>,
}

fn simulate(
    municipality: &std::path::Path,
    SimArgs {
        cases,
        seed,
        months,
        threads,
        replications,
        allow_stuck,
        until,
    }: SimArgs,
    set: &[String],
    log: Option<&std::path::Path>,
    format: Format,
) -> CliResult {
    let set = parse_set(set)?;
    let until = match until {
        Some(d) => Some(
            engine::parse_date(&d)
                .map_err(|_| format!("--until `{d}` is not a date; write YYYY-MM-DD"))?,
        ),
        None => None,
    };
    if cases == 0 {
        return Err("--cases must be at least 1".into());
    }
    let log_format =
        match log {
            Some(p) => Some(engine::LogFormat::from_path(p).ok_or_else(|| {
                format!("{}: the event log must end in .xes or .csv", p.display())
            })?),
            None => None,
        };
    // The log is written into a private folder beside it and moved into place when complete;
    // whether it can be written is known before the simulation runs.
    let scratch = match log {
        Some(p) => {
            output::check_file_path(p)?;
            Some(output::Scratch::beside(p).map_err(|e| format!("{}: {e}", p.display()))?)
        }
        None => None,
    };
    let (m, sources) = load_clean(municipality)?;
    let opts = engine::SimOptions {
        cases,
        seed,
        months,
        set,
        record: log.is_some(),
        threads,
        replications,
        until,
    };
    if let Err(diags) = engine::validate_simulation(&m, &opts) {
        for d in diags {
            eprintln!("error: {}", excerpt::term(&d.message));
            if let Some(h) = &d.help {
                eprintln!("help: {}", excerpt::term(h));
            }
        }
        if m.def.as_ref().is_some_and(|(_, d)| d.simulation.is_none()) {
            eprintln!(
                "help: docs/language.md, section \"Simulation inputs: `simulation:`\", describes the block with a complete example; workflows/lindesberg/municipality.yaml has one"
            );
        }
        return Ok(ExitCode::from(2));
    }
    let inside = |p: &std::path::Path, s: &output::Scratch| {
        s.path()
            .join(p.file_name().unwrap_or(std::ffi::OsStr::new("log")))
    };
    let mut writer = match (log, log_format, &scratch) {
        (Some(p), Some(f), Some(s)) => {
            let setup = engine::log_setup(&m, &opts).unwrap_or_default();
            Some(
                engine::EventLog::create(&inside(p, s), f, setup)
                    .map_err(|e| format!("{}: {e}", p.display()))?,
            )
        }
        _ => None,
    };
    let mut bar = progress::Bar::new(cases * u64::from(replications.max(1)));
    let result = engine::simulate(
        &m,
        &sources,
        &opts,
        &mut |done| bar.update(done),
        &mut |cx, case| match writer.as_mut() {
            Some(w) => w.case(cx, case),
            None => Ok(()),
        },
    );
    bar.finish();
    let report = match result {
        Ok(r) => r,
        Err(diags) => {
            if let Some(w) = writer {
                w.abandon();
            }
            for d in diags {
                eprintln!("error: {}", excerpt::term(&d.message));
            }
            return Ok(ExitCode::from(2));
        }
    };
    if let (Some(w), Some(p), Some(s)) = (writer, log, &scratch) {
        let (traces, events) = w.finish().map_err(|e| format!("{}: {e}", p.display()))?;
        s.move_out(&inside(p, s), p)
            .map_err(|e| format!("{}: {e}", p.display()))?;
        eprintln!(
            "event log: {} ({traces} cases, {events} events)",
            p.display()
        );
    }
    let mut out = std::io::stdout().lock();
    match format {
        Format::Human => render::sim_report(&mut out, &m, &report)?,
        // Sarif never gets here: main refuses it for `simulate`.
        Format::Json | Format::Sarif => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
    }
    let stuck = report.stuck_cases();
    if stuck > 0 && !allow_stuck {
        eprintln!(
            "error: {stuck} simulated cases got stuck (listed above by step and reason); fix the configuration, or pass --allow-stuck"
        );
        return Ok(ExitCode::from(EXIT_STUCK));
    }
    Ok(ExitCode::SUCCESS)
}

/// `--set KEY=VALUE` arguments as pairs.
fn parse_set(set: &[String]) -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
    Ok(set
        .iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| {
                    format!("--set {kv}: write KEY=VALUE, e.g. roles.socialsekreterare.staff=8")
                })
        })
        .collect::<Result<Vec<_>, _>>()?)
}

fn explain(code: Option<&str>) -> CliResult {
    let mut out = std::io::stdout().lock();
    match code {
        None => {
            for c in engine::codes::ALL {
                writeln!(out, "{}  {:<28} {}", c.code, c.name, c.severity)?;
            }
            writeln!(
                out,
                "\nRun `steg explain CODE` for one check's documentation."
            )?;
        }
        Some(code) => {
            let c = engine::codes::find(code)
                .ok_or_else(|| format!("no check `{code}`; run `steg explain` for the list"))?;
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
                SchemaKind::Scenario => engine::scenario_schema(),
            };
            std::io::stdout().lock().write_all(pretty(v)?.as_bytes())?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for (name, v) in [
                ("municipality.schema.json", engine::municipality_schema()),
                ("workflow.schema.json", engine::workflow_schema()),
                ("scenario.schema.json", engine::scenario_schema()),
            ] {
                let path = dir.join(name);
                output::write_atomically(&path, pretty(v)?.as_bytes())
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
