//! The executable form of a municipality: every name resolved to an index once, so running a
//! case never looks a name up.

use crate::duration::{Duration, DurationRange};
use crate::graph::Graph;
use crate::model::rule_name;
use crate::model::{Guard, StepKind};
use crate::municipality::Municipality;

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

/// What moves a waiting case.
#[derive(Debug, Clone)]
pub enum Trig {
    /// A named event.
    Event(String),
    /// A one-shot timer from entering the step.
    After(Duration),
    /// A recurring timer, anchored at the first entry into the step.
    Every(Duration),
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
    /// A referral's expected answers.
    pub returns: Vec<(String, At)>,
    /// An end's outcome.
    pub outcome: Option<String>,
    /// For a join: branches it waits for (its incoming transitions).
    pub join_needed: u32,
    /// Deadline: (duration, step it counts from).
    pub within: Option<(Duration, At)>,
    /// Case data recorded on entry.
    pub set: Vec<(String, rhai::Dynamic)>,
    /// Event raised on entry.
    pub emits: Option<String>,
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
}

/// A municipality ready to run.
#[derive(Debug, Clone)]
pub struct Program {
    /// Workflows, indexed like `Municipality::workflows`.
    pub workflows: Vec<PWorkflow>,
    /// Entry workflows.
    pub entries: Vec<u32>,
}

impl Program {
    /// Resolve `m`. Names that do not resolve are dropped: run only configurations that check
    /// without errors.
    pub fn new(m: &Municipality, g: &Graph) -> Program {
        let mut workflows = Vec::with_capacity(m.workflows.len());
        for (wi, w) in m.workflows.iter().enumerate() {
            let at = |name: &str| {
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
                        Some((at(&t.to.value)?, cond))
                    })
                    .collect();
                let on = st
                    .on
                    .iter()
                    .filter_map(|t| {
                        let trig = match (&t.event, &t.after, &t.every) {
                            (Some(e), _, _) => Trig::Event(e.value.clone()),
                            (_, Some(d), _) => Trig::After(d.value),
                            (_, _, Some(d)) => Trig::Every(d.value),
                            _ => return None,
                        };
                        Some((trig, at(&t.to.value)?))
                    })
                    .collect();
                let refer_workflow = st
                    .refer_to
                    .as_ref()
                    .and_then(|r| r.workflow.as_ref())
                    .and_then(|n| g.workflow_index.get(&n.value))
                    .map(|&i| i as u32);
                let returns = st
                    .returns
                    .iter()
                    .filter_map(|(o, to)| Some((o.value.clone(), at(&to.value)?)))
                    .collect();
                let within = st.within.as_ref().map(|d| {
                    let from = d.from.as_ref().and_then(|f| at(&f.value));
                    (
                        d.duration.value,
                        from.unwrap_or(At {
                            w: wi as u32,
                            s: steps.len() as u32,
                        }),
                    )
                });
                steps.push(PStep {
                    name: name.value.clone(),
                    kind: st.kind(),
                    actor: st.actor.as_ref().map(|a| a.value.clone()),
                    duration: st.duration.as_ref().map(|d| d.value),
                    effort_hours: st.effort.as_ref().map_or(0.0, |e| e.value.hours()),
                    next,
                    on,
                    refer_workflow,
                    returns,
                    outcome: st.outcome.as_ref().map(|o| o.value.clone()),
                    join_needed: 0,
                    within,
                    set: st
                        .set
                        .iter()
                        .map(|(k, v)| (k.clone(), crate::eval::to_dynamic(v)))
                        .collect(),
                    emits: st.emits.as_ref().map(|e| e.value.clone()),
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
            });
        }
        // A join waits for each step that leads to it (by a transition, a trigger or an
        // answer), counted once however many of its routes lead there: one branch each.
        let mut incoming: Vec<(At, u32)> = Vec::new();
        for w in &workflows {
            for s in &w.steps {
                let mut targets: Vec<At> = s
                    .next
                    .iter()
                    .map(|(t, _)| *t)
                    .chain(s.on.iter().map(|(_, t)| *t))
                    .chain(s.returns.iter().map(|(_, t)| *t))
                    .collect();
                targets.sort_unstable();
                targets.dedup();
                incoming.extend(targets.into_iter().map(|t| (t, 1)));
            }
        }
        for (t, n) in incoming {
            let step = &mut workflows[t.w as usize].steps[t.s as usize];
            if step.kind == StepKind::Join {
                step.join_needed += n;
            }
        }
        Program {
            workflows,
            entries: g.entries.iter().map(|&e| e as u32).collect(),
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

    /// Find a step by workflow-qualified or bare id (first match in workflow order).
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
}
