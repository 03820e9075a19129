//! The executable form of a municipality: every name resolved to an index once (steps, events,
//! roles), every period resolved to a duration, so running a case never looks a name up.
//!
//! Names that do not resolve are left out: only configurations that check without errors are
//! run, and the checks report what is missing.

use crate::duration::{Duration, DurationRange};
use crate::graph::Graph;
use crate::model::{rule_name, Guard, Node, StepKind};
use crate::municipality::Municipality;
use crate::validity::{parse_date, Validity};
use std::collections::HashMap;

/// A resolved step id: workflow index and step index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct At {
    /// Workflow index.
    pub w: u32,
    /// Step index within the workflow.
    pub s: u32,
}

/// A resolved condition.
#[derive(Debug, Clone)]
pub enum Cond {
    /// Always taken.
    Always,
    /// Taken when no earlier condition held.
    Else,
    /// `rule.NAME`.
    Rule(String),
    /// An inline expression (its text, the key of the compiled AST).
    Inline(String),
}

impl Cond {
    /// The condition as written.
    pub fn text(&self) -> String {
        match self {
            Cond::Always => "always".into(),
            Cond::Else => "else".into(),
            Cond::Rule(r) => format!("rule.{r}"),
            Cond::Inline(t) => t.clone(),
        }
    }
}

/// What a timer counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// Each entry into the wait (the default for `after`).
    Entry,
    /// The first entry into the wait during the case's stay in the workflow (the default for
    /// `every`); a new referral into the workflow starts a new stay.
    FirstEntry,
    /// The day the case started.
    CaseStart,
    /// The latest entry into a step (a named step's date).
    Step(At),
}

impl Anchor {
    /// As written in `from:`.
    pub fn text(&self, prog: &Program) -> String {
        match self {
            Anchor::Entry => "entry".into(),
            Anchor::FirstEntry => "first_entry".into(),
            Anchor::CaseStart => "case_start".into(),
            Anchor::Step(a) => {
                let (w, s) = prog.name(*a);
                format!("{w}.{s}")
            }
        }
    }
}

/// What moves a waiting case.
#[derive(Debug, Clone)]
pub enum Trig {
    /// A named event (index into [`Program::events`]).
    Event(u32),
    /// A one-shot timer.
    After(Duration, Anchor),
    /// A recurring timer.
    Every(Duration, Anchor),
}

impl Trig {
    /// `franvaro_noterad`, `after 3mo`, `every 1mo from case_start`.
    pub fn label(&self, prog: &Program) -> String {
        match self {
            Trig::Event(e) => prog.events[*e as usize].name.clone(),
            Trig::After(d, a) => match a {
                Anchor::Entry => format!("after {d}"),
                _ => format!("after {d} from {}", a.text(prog)),
            },
            Trig::Every(d, a) => match a {
                Anchor::FirstEntry => format!("every {d}"),
                _ => format!("every {d} from {}", a.text(prog)),
            },
        }
    }
}

/// A named event of the municipality.
#[derive(Debug, Clone)]
pub struct EventInfo {
    /// Its id.
    pub name: String,
    /// Raised by a step of the case (`emits:`), not by the world outside it.
    pub internal: bool,
    /// How long it is kept while nothing waits for it (`None`: until the case closes).
    pub keep: Option<Duration>,
}

/// A step ready to run.
#[derive(Debug, Clone)]
pub struct PStep {
    /// Step id.
    pub name: String,
    /// Kind.
    pub kind: StepKind,
    /// Role that does it.
    pub actor: Option<String>,
    /// The role's index into [`Program::roles`].
    pub role: Option<u32>,
    /// Time it takes.
    pub duration: Option<DurationRange>,
    /// Staff time it takes, in hours (capacity in simulation).
    pub effort_hours: f64,
    /// Transitions with their conditions, in order.
    pub next: Vec<(At, Cond)>,
    /// Wait triggers with their targets.
    pub on: Vec<(Trig, At)>,
    /// A referral's target workflow.
    pub refer_workflow: Option<u32>,
    /// A referral's unit outside the model (`refer_to: { unit: ID }`).
    pub refer_unit: Option<String>,
    /// A referral's expected answers.
    pub returns: Vec<(String, At)>,
    /// An end's outcome.
    pub outcome: Option<String>,
    /// For a join: the steps it waits for, one branch from each (every step that leads to it
    /// by a transition, a trigger or an answer), in step order.
    pub join_inputs: Vec<At>,
    /// Deadline: (duration, step it counts from).
    pub within: Option<(Duration, At)>,
    /// Case data recorded on entry.
    pub set: Vec<(String, rhai::Dynamic)>,
    /// Event raised on entry (index into [`Program::events`]).
    pub emits: Option<u32>,
    /// The days the step is in force (`valid_from`/`valid_to`): a route into it on another
    /// day is not taken.
    pub valid: Validity,
    /// A decision's legal bases with the days each is in force (empty: none written). On a day
    /// none is in force, the decision cannot be taken.
    pub bases: Vec<(Validity, String)>,
}

/// A workflow ready to run.
#[derive(Debug, Clone)]
pub struct PWorkflow {
    /// Workflow id.
    pub name: String,
    /// Start step.
    pub start: Option<u32>,
    /// Steps.
    pub steps: Vec<PStep>,
    /// The days the workflow is in force: a referral to it on another day cannot be made.
    pub valid: Validity,
}

/// A municipality ready to run.
#[derive(Debug, Clone)]
pub struct Program {
    /// Workflows, indexed like `Municipality::workflows`.
    pub workflows: Vec<PWorkflow>,
    /// Entry workflows.
    pub entries: Vec<u32>,
    /// Named events, in `municipality.yaml` order, then events only steps name.
    pub events: Vec<EventInfo>,
    /// Roles, in `municipality.yaml` order.
    pub roles: Vec<String>,
    /// Per role: whether its work waits for staff (a staff count, not `unlimited` or none).
    pub queued_roles: Vec<bool>,
    event_index: HashMap<String, u32>,
}

impl Program {
    /// Resolve `m` (names that do not resolve are left out).
    pub fn new(m: &Municipality, g: &Graph) -> Program {
        let def = m.def.as_ref().map(|(_, d)| d);
        let mut events: Vec<EventInfo> = Vec::new();
        let mut event_index: HashMap<String, u32> = HashMap::new();
        let mut event = |name: &str, events: &mut Vec<EventInfo>| -> u32 {
            if let Some(&i) = event_index.get(name) {
                return i;
            }
            let keep = def
                .and_then(|d| d.events.get(name))
                .and_then(|e| e.keep.as_ref())
                .map(|k| k.value);
            events.push(EventInfo {
                name: name.to_string(),
                internal: false,
                keep,
            });
            let i = (events.len() - 1) as u32;
            event_index.insert(name.to_string(), i);
            i
        };
        if let Some(d) = def {
            for name in d.events.keys() {
                event(name, &mut events);
            }
        }
        let roles: Vec<String> = def
            .map(|d| d.roles.keys().map(str::to_string).collect())
            .unwrap_or_default();
        let queued_roles: Vec<bool> = def
            .map(|d| {
                d.roles
                    .iter()
                    .map(|(_, r)| r.staff.as_ref().is_some_and(|s| s.value.count().is_some()))
                    .collect()
            })
            .unwrap_or_default();
        let role_index: HashMap<&str, u32> = roles
            .iter()
            .enumerate()
            .map(|(i, r)| (r.as_str(), i as u32))
            .collect();
        let mut workflows = Vec::with_capacity(m.workflows.len());
        for (wi, w) in m.workflows.iter().enumerate() {
            let at = |name: &str| {
                let (wn, sn) = match name.split_once('.') {
                    Some((wn, sn)) => (g.workflow_index.get(wn).copied()?, sn),
                    None => (wi, name),
                };
                g.step_index[wn].get(sn).map(|&s| At {
                    w: wn as u32,
                    s: s as u32,
                })
            };
            let local = |name: &str| {
                g.step_index[wi].get(name).map(|&s| At {
                    w: wi as u32,
                    s: s as u32,
                })
            };
            let mut steps = Vec::with_capacity(w.def.steps.len());
            for (name, st) in w.def.steps.iter() {
                let next = st
                    .transitions()
                    .iter()
                    .filter_map(|t| {
                        let cond = match &t.guard {
                            Guard::Always => Cond::Always,
                            Guard::Else => Cond::Else,
                            Guard::When(c) => match rule_name(&c.value) {
                                Some(r) => Cond::Rule(r.to_string()),
                                None => Cond::Inline(c.value.clone()),
                            },
                        };
                        Some((local(&t.to.value)?, cond))
                    })
                    .collect();
                let mut on = Vec::new();
                for t in &st.on {
                    let Some(to) = local(&t.to.value) else {
                        continue;
                    };
                    let anchor = |default: Anchor| match t.from.as_ref().map(|f| f.value.as_str()) {
                        None => Some(default),
                        Some("entry") => Some(Anchor::Entry),
                        Some("first_entry") => Some(Anchor::FirstEntry),
                        Some("case_start") => Some(Anchor::CaseStart),
                        Some(step) => at(step).map(Anchor::Step),
                    };
                    let trig = match (&t.event, &t.after, &t.every) {
                        (Some(e), _, _) => Trig::Event(event(&e.value, &mut events)),
                        (_, Some(d), _) => {
                            let (Ok(d), Some(a)) = (m.period(&d.value), anchor(Anchor::Entry))
                            else {
                                continue;
                            };
                            Trig::After(d, a)
                        }
                        (_, _, Some(d)) => {
                            let (Ok(d), Some(a)) = (m.period(&d.value), anchor(Anchor::FirstEntry))
                            else {
                                continue;
                            };
                            if d.is_zero() {
                                continue;
                            }
                            Trig::Every(d, a)
                        }
                        _ => continue,
                    };
                    on.push((trig, to));
                }
                let refer_workflow = st
                    .refer_to
                    .as_ref()
                    .and_then(|r| r.workflow.as_ref())
                    .and_then(|n| g.workflow_index.get(&n.value))
                    .map(|&i| i as u32);
                let returns = st
                    .returns
                    .iter()
                    .filter_map(|(o, to)| Some((o.value.clone(), local(&to.value)?)))
                    .collect();
                let this = At {
                    w: wi as u32,
                    s: steps.len() as u32,
                };
                let within = st.within.as_ref().and_then(|d| {
                    let from = d.from.as_ref().and_then(|f| at(&f.value));
                    Some((m.period(&d.duration.value).ok()?, from.unwrap_or(this)))
                });
                let emits = st.emits.as_ref().map(|e| {
                    let i = event(&e.value, &mut events);
                    events[i as usize].internal = true;
                    i
                });
                steps.push(PStep {
                    name: name.value.clone(),
                    kind: st.kind(),
                    actor: st.actor.as_ref().map(|a| a.value.clone()),
                    role: st
                        .actor
                        .as_ref()
                        .and_then(|a| role_index.get(a.value.as_str()).copied()),
                    duration: st.duration.as_ref().map(|d| d.value),
                    effort_hours: st.effort.as_ref().map_or(0.0, |e| e.value.hours()),
                    next,
                    on,
                    refer_workflow,
                    refer_unit: st
                        .refer_to
                        .as_ref()
                        .and_then(|r| r.unit.as_ref())
                        .map(|u| u.value.clone()),
                    returns,
                    outcome: st.outcome.as_ref().map(|o| o.value.clone()),
                    join_inputs: Vec::new(),
                    within,
                    set: st
                        .set
                        .iter()
                        .map(|(k, v)| (k.clone(), crate::eval::to_dynamic(v)))
                        .collect(),
                    emits,
                    valid: validity(&st.valid_from, &st.valid_to),
                    bases: st
                        .legal_basis
                        .iter()
                        .flat_map(|b| &b.0)
                        .filter(|b| !b.basis.value.trim().is_empty())
                        .map(|b| (validity(&b.valid_from, &b.valid_to), b.basis.value.clone()))
                        .collect(),
                });
            }
            workflows.push(PWorkflow {
                name: w.name().to_string(),
                start: w
                    .def
                    .start
                    .as_ref()
                    .and_then(|s| g.step_index[wi].get(&s.value))
                    .map(|&s| s as u32),
                steps,
                valid: validity(&w.def.valid_from, &w.def.valid_to),
            });
        }
        // A join waits for one branch from each step that leads to it (by a transition, a
        // trigger or an answer), however many of that step's routes lead there.
        let mut inputs: Vec<(At, At)> = Vec::new();
        for (wi, w) in workflows.iter().enumerate() {
            for (si, s) in w.steps.iter().enumerate() {
                let from = At {
                    w: wi as u32,
                    s: si as u32,
                };
                for t in s.targets() {
                    inputs.push((t, from));
                }
            }
        }
        inputs.sort_unstable();
        inputs.dedup();
        for (t, from) in inputs {
            let step = &mut workflows[t.w as usize].steps[t.s as usize];
            if step.kind == StepKind::Join {
                step.join_inputs.push(from);
            }
        }
        Program {
            workflows,
            entries: g.entries.iter().map(|&e| e as u32).collect(),
            events,
            roles,
            queued_roles,
            event_index,
        }
    }

    /// The step at `at`.
    pub fn step(&self, at: At) -> &PStep {
        &self.workflows[at.w as usize].steps[at.s as usize]
    }

    /// `workflow.step` of `at`.
    pub fn name(&self, at: At) -> (&str, &str) {
        let w = &self.workflows[at.w as usize];
        (&w.name, &w.steps[at.s as usize].name)
    }

    /// `workflow.step`, or the bare step id when `at` is in workflow `home`.
    pub fn qualified(&self, at: At, home: Option<u32>) -> String {
        let (w, s) = self.name(at);
        if home == Some(at.w) {
            s.to_string()
        } else {
            format!("{w}.{s}")
        }
    }

    /// The index of the event named `name`.
    pub fn event(&self, name: &str) -> Option<u32> {
        self.event_index.get(name).copied()
    }

    /// Find a step by workflow-qualified or bare id (every match, in workflow order).
    pub fn find(&self, name: &str) -> Vec<At> {
        let (wname, sname) = match name.split_once('.') {
            Some((w, s)) => (Some(w), s),
            None => (None, name),
        };
        let mut out = Vec::new();
        for (wi, w) in self.workflows.iter().enumerate() {
            if wname.is_some_and(|n| n != w.name) {
                continue;
            }
            for (si, s) in w.steps.iter().enumerate() {
                if s.name == sname {
                    out.push(At {
                        w: wi as u32,
                        s: si as u32,
                    });
                }
            }
        }
        out
    }

    /// Every step, with its id.
    pub fn steps(&self) -> impl Iterator<Item = (At, &PStep)> {
        self.workflows.iter().enumerate().flat_map(|(wi, w)| {
            w.steps.iter().enumerate().map(move |(si, s)| {
                (
                    At {
                        w: wi as u32,
                        s: si as u32,
                    },
                    s,
                )
            })
        })
    }
}

/// The period of `valid_from`/`valid_to` (a date that does not read is left open: the
/// version check reports it).
fn validity(from: &Option<Node<String>>, to: &Option<Node<String>>) -> Validity {
    let date = |d: &Option<Node<String>>| d.as_ref().and_then(|d| parse_date(&d.value).ok());
    Validity {
        from: date(from),
        to: date(to),
    }
}

impl Program {
    /// Whether a case may enter `at` on `date`: the step is in force, and a referral's
    /// workflow too. `Err` says why not.
    pub fn in_force(&self, at: At, date: chrono::NaiveDate) -> Result<(), String> {
        let step = self.step(at);
        if !step.valid.contains(date) {
            let (w, s) = self.name(at);
            return Err(format!(
                "step `{w}.{s}` is in force {}",
                step.valid.describe()
            ));
        }
        if let Some(tw) = step.refer_workflow {
            let wf = &self.workflows[tw as usize];
            if !wf.valid.contains(date) {
                return Err(format!(
                    "workflow `{}` is in force {}",
                    wf.name,
                    wf.valid.describe()
                ));
            }
        }
        Ok(())
    }

    /// The legal basis a decision at `at` rests on on `date`: `Ok(None)` when it has none
    /// written, `Err` when none of its dated bases is in force that day.
    pub fn basis_on(&self, at: At, date: chrono::NaiveDate) -> Result<Option<&str>, String> {
        let step = self.step(at);
        if step.bases.is_empty() {
            return Ok(None);
        }
        match step.bases.iter().find(|(v, _)| v.contains(date)) {
            Some((_, b)) => Ok(Some(b)),
            None => {
                let (w, s) = self.name(at);
                let list: Vec<String> = step
                    .bases
                    .iter()
                    .map(|(v, b)| format!("{b} ({v})"))
                    .collect();
                Err(format!(
                    "no legal basis of decision `{w}.{s}` is in force on that day (bases: {})",
                    list.join("; ")
                ))
            }
        }
    }
}

impl PStep {
    /// The distinct steps this step leads to in its own workflow: `next` targets, trigger
    /// targets and answer targets, in that order.
    pub fn targets(&self) -> Vec<At> {
        let mut out: Vec<At> = Vec::new();
        for t in self
            .next
            .iter()
            .map(|(t, _)| *t)
            .chain(self.on.iter().map(|(_, t)| *t))
            .chain(self.returns.iter().map(|(_, t)| *t))
        {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    /// Whether the case waits here for something from outside: a `wait`, or a referral to a
    /// unit outside the model that expects answers.
    pub fn waits(&self) -> bool {
        self.kind == StepKind::Wait
            || (self.kind == StepKind::Referral
                && self.refer_workflow.is_none()
                && !self.returns.is_empty())
    }
}
