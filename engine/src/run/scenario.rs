//! `steg run`: one case from a scenario file (the person's data and the events that happen to
//! them, with dates), traced step by step.

use super::case::{Case, Ctx, External, World};
use crate::codes;
use crate::diagnostic::{did_you_mean, Diagnostic, Span};
use crate::eval::{to_dynamic, Arende};
use crate::graph::Graph;
use crate::load::yaml;
use crate::model::Node;
use crate::municipality::Municipality;
use crate::semantics::{PStep, Program, WorkflowNet};
use crate::validity::parse_date;
use crate::SourceMap;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Deserialize;
use std::path::Path;

/// A scenario file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// The scenario's id.
    pub scenario: Node<String>,
    /// What it shows.
    #[serde(default)]
    pub description: Option<String>,
    /// The seed passage it follows.
    #[serde(default)]
    pub source: Option<String>,
    /// The workflow the case starts in (default: the municipality's first entry workflow).
    #[serde(default)]
    pub workflow: Option<Node<String>>,
    /// The day the case starts, `YYYY-MM-DD`.
    pub start: Node<String>,
    /// The last day to follow the case (default: 24 months after `start`).
    #[serde(default)]
    pub until: Option<Node<String>>,
    /// The person's and the case's data, as rules read it (`arende.NAME`).
    #[serde(default)]
    pub arende: serde_json::Map<String, serde_json::Value>,
    /// What happens to the person, by date.
    #[serde(default)]
    pub events: Vec<ScenarioEvent>,
}

/// Something that happens on a date: a named event, changed data, or both.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioEvent {
    /// The day, `YYYY-MM-DD`.
    pub date: Node<String>,
    /// A named event from municipality.yaml's `events`, or an answer a referral to a unit
    /// expects.
    #[serde(default)]
    pub event: Option<Node<String>>,
    /// Case data set on that day, before the event moves the case.
    #[serde(default)]
    pub set: serde_json::Map<String, serde_json::Value>,
}

/// Most problems reported one by one in a scenario's `events`; the rest are counted.
const MAX_EVENT_ERRORS: usize = 20;

/// The dates a scenario may use: wide enough for any case, narrow enough that every date the
/// case machine computes from them (deadlines, timers, 24 months of follow-up) is a real date.
const FIRST_DAY: (i32, u32, u32) = (1900, 1, 1);
const LAST_DAY: (i32, u32, u32) = (2199, 12, 31);

/// A scenario date: `YYYY-MM-DD` between [`FIRST_DAY`] and [`LAST_DAY`], or a message and a
/// label saying why not.
fn scenario_date(s: &str) -> Result<NaiveDate, (String, &'static str)> {
    let d = parse_date(s).map_err(|m| (m, "not a date"))?;
    let day = |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let (first, last) = (day(FIRST_DAY), day(LAST_DAY));
    if d < first || d > last {
        return Err((
            format!("{d} is outside the dates steg computes with ({first} to {last})"),
            "outside the supported dates",
        ));
    }
    Ok(d)
}

/// Work takes the shortest written duration; events come only from the scenario.
struct Scripted;

impl World for Scripted {
    fn work(&mut self, _: &Case, _: u32, step: &PStep, date: NaiveDate) -> Option<NaiveDate> {
        Some(
            step.duration
                .and_then(|d| d.min.after(date))
                .unwrap_or(date),
        )
    }
    fn wait(
        &mut self,
        _: &Case,
        _: &PStep,
        _: &[(usize, &str)],
        _: NaiveDate,
    ) -> Option<(NaiveDate, usize)> {
        None
    }
}

/// Run the scenario in `path` against `m`. Returns the finished case (with its trace), or the
/// diagnostics that prevent running (an unreadable scenario, an unknown event or workflow).
pub fn run_scenario(
    m: &Municipality,
    sources: &mut SourceMap,
    path: &Path,
) -> Result<Case, Vec<Diagnostic>> {
    let file =
        crate::load::read_source(path, yaml::MAX_FILE_BYTES, sources).map_err(|d| vec![*d])?;
    let sc: ScenarioFile = yaml::parse(file, &sources.get(file).text).map_err(|d| vec![*d])?;
    let g = Graph::build(m);
    let prog = Program::new(m, &g);
    // Events raised by steps of the case are not the world's to send.
    let raised: Vec<&str> = prog
        .events
        .iter()
        .filter(|e| e.internal)
        .map(|e| e.name.as_str())
        .collect();
    let mut errors = Vec::new();
    let date = |n: &Node<String>, errors: &mut Vec<Diagnostic>| match scenario_date(&n.value) {
        Ok(d) => Some(d),
        Err((msg, label)) => {
            errors.push(
                Diagnostic::new(&codes::INVALID_VALUE, Some(Span { file, loc: n.loc }), msg)
                    .label(label),
            );
            None
        }
    };
    let start = date(&sc.start, &mut errors);
    let until = sc.until.as_ref().and_then(|u| date(u, &mut errors));
    if let (Some(s), Some(u), Some(node)) = (start, until, &sc.until) {
        if u < s {
            errors.push(
                Diagnostic::new(
                    &codes::INVALID_VALUE,
                    Some(Span {
                        file,
                        loc: node.loc,
                    }),
                    format!("`until` ({u}) is before `start` ({s}): the case would not be followed at all"),
                )
                .label("before the start")
                .help("`until` is the last day to follow the case; write a day after `start`"),
            );
        }
    }
    // The last day followed, as the case machine gets it below.
    let last = until.or_else(|| start.and_then(|s| crate::Duration::months(24).after(s)));
    // One bad line of events is reported a few times, then summed up: a file with a million
    // events gets a readable answer.
    let mut event_errors = 0usize;
    let entry = match &sc.workflow {
        Some(w) => match g.workflow_index.get(&w.value) {
            Some(&i) => Some(i as u32),
            None => {
                let names: Vec<&str> = m.workflows.iter().map(|w| w.name()).collect();
                errors.push(
                    Diagnostic::new(
                        &codes::UNKNOWN_REFERENCE,
                        Some(Span { file, loc: w.loc }),
                        format!("unknown workflow `{}`", w.value),
                    )
                    .label("no workflow of this name")
                    .maybe_help(
                        did_you_mean(&w.value, names).map(|s| format!("did you mean `{s}`?")),
                    ),
                );
                None
            }
        },
        None => prog.entries.first().copied(),
    };
    let events = m.def.as_ref().map(|(_, d)| &d.events);
    let answers: Vec<&str> = prog
        .workflows
        .iter()
        .flat_map(|w| w.steps.iter())
        .filter(|s| s.refer_workflow.is_none())
        .flat_map(|s| s.returns.iter().map(|(o, _)| o.as_str()))
        .collect();
    let mut scheduled = Vec::new();
    for e in &sc.events {
        let before = errors.len();
        let d = date(&e.date, &mut errors);
        if let Some(d) = d {
            let outside = match (start, last) {
                (Some(s), _) if d < s => Some(format!("this event is dated {d}, before the case starts ({s}): it would never happen")),
                (_, Some(l)) if d > l => Some(format!("this event is dated {d}, after the last day the case is followed ({l}): it would never happen")),
                _ => None,
            };
            if let Some(msg) = outside {
                errors.push(
                    Diagnostic::new(&codes::INVALID_VALUE, Some(Span { file, loc: e.date.loc }), msg)
                        .label("outside the scenario")
                        .help("date events between `start` and `until` (24 months after `start` when not written)"),
                );
            }
        }
        if errors.len() > before {
            event_errors += 1;
            if event_errors > MAX_EVENT_ERRORS {
                errors.truncate(before);
            }
            continue;
        }
        let Some(d) = d else {
            continue;
        };
        if let Some(name) = &e.event {
            let known = events.is_some_and(|ev| ev.contains(&name.value))
                || answers.contains(&name.value.as_str());
            if !known {
                let candidates: Vec<&str> =
                    events.map(|ev| ev.keys().collect()).unwrap_or_default();
                errors.push(
                    Diagnostic::new(
                        &codes::UNKNOWN_REFERENCE,
                        Some(Span {
                            file,
                            loc: name.loc,
                        }),
                        format!("unknown event `{}`", name.value),
                    )
                    .label("not an event of this municipality")
                    .help(
                        match did_you_mean(&name.value, candidates.iter().copied()) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => "events are declared under `events:` in municipality.yaml"
                                .to_string(),
                        },
                    ),
                );
                event_errors += 1;
                if event_errors > MAX_EVENT_ERRORS {
                    errors.pop();
                }
                continue;
            }
        }
        if let Some(name) = e
            .event
            .as_ref()
            .filter(|n| raised.contains(&n.value.as_str()))
        {
            let by: Vec<String> = prog
                .steps()
                .filter(|(_, s)| {
                    s.emits
                        .is_some_and(|x| prog.events[x as usize].name == name.value)
                })
                .map(|(a, _)| {
                    let (w, s) = prog.name(a);
                    format!("`{w}.{s}`")
                })
                .collect();
            errors.push(
                Diagnostic::new(
                    &codes::INVALID_VALUE,
                    Some(Span {
                        file,
                        loc: name.loc,
                    }),
                    format!(
                        "event `{}` is raised by {} of the case itself; a scenario cannot send it",
                        name.value,
                        by.join(", ")
                    ),
                )
                .label("raised inside the case")
                .help("give the data that makes the raising step happen (for absence: `franvaro_noterad` with `set:`), or remove this event"),
            );
            continue;
        }
        scheduled.push((
            d,
            External {
                name: e.event.as_ref().map(|n| n.value.clone()),
                set: e
                    .set
                    .iter()
                    .map(|(k, v)| (k.clone(), to_dynamic(v)))
                    .collect(),
            },
        ));
    }
    if event_errors > MAX_EVENT_ERRORS {
        errors.push(
            Diagnostic::new(
                &codes::INVALID_VALUE,
                Some(Span {
                    file,
                    loc: sc.events[0].date.loc,
                }),
                format!(
                    "{} more events have problems like the {MAX_EVENT_ERRORS} above",
                    event_errors - MAX_EVENT_ERRORS
                ),
            )
            .label("in these events"),
        );
    }
    let (Some(start), Some(entry)) = (start, entry) else {
        if errors.is_empty() {
            errors.push(Diagnostic::new(
                &codes::INVALID_START,
                None,
                "the municipality has no entry workflow to start the case in",
            ));
        }
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let until = until.unwrap_or_else(|| crate::Duration::months(24).after(start).unwrap_or(start));
    let mut case = Case::new(
        sc.scenario.value.clone(),
        Arende::from_json(sc.scenario.value.clone(), &sc.arende),
        true,
    );
    for (d, e) in scheduled {
        case.schedule_external(d, e);
    }
    let net = WorkflowNet::compile(&prog, entry);
    let cx = Ctx {
        prog: &prog,
        net: &net,
        rules: &m.rules,
        inline: &m.conditions,
        params: &m.params,
        sources,
    };
    let mut world = Scripted;
    case.start(&cx, &mut world, start);
    case.run_until(&cx, &mut world, until);
    Ok(case)
}
