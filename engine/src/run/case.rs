//! One case moving through a municipality's workflows: tokens on steps (several after a fork),
//! a calendar, an agenda of what happens next, referrals with their returns, and a trace.
//!
//! What the surroundings decide (how long work takes, when events happen) comes from a
//! [`World`]: a scenario file for `steg run`, random draws and staff queues for `steg simulate`.

use super::program::{At, Cond, PStep, Program, Trig};
use crate::eval::RuleSet;
use crate::eval::{Arende, Params, RuleError};
use crate::model::StepKind;
use crate::SourceMap;
use chrono::NaiveDate;
use rhai::{Dynamic, AST};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// Most moves one token may make on one day: a loop of steps that take no time would otherwise
/// never let the calendar advance.
pub const MAX_MOVES_PER_DAY: u32 = 1_000;

/// What a case runs against.
pub struct Ctx<'a> {
    /// The resolved workflows.
    pub prog: &'a Program,
    /// The rules.
    pub rules: &'a RuleSet,
    /// Inline conditions, compiled.
    pub inline: &'a HashMap<String, AST>,
    /// The municipality's parameters.
    pub params: &'a Params,
    /// Sources, for locating rule errors.
    pub sources: &'a SourceMap,
}

/// What a case's surroundings decide.
pub trait World {
    /// A token entered a step that takes work (task, decision, fork). Return when the work is
    /// done, or `None` when the world will finish it later with [`Case::finish_work`].
    fn work(&mut self, case: &Case, token: u32, step: &PStep, date: NaiveDate)
        -> Option<NaiveDate>;
    /// A token started waiting at a step (or an external referral). The world may return when
    /// one of the listened events happens: `(date, index into step.on)`.
    fn wait(
        &mut self,
        case: &Case,
        step: &PStep,
        listening: &[(usize, &str)],
        date: NaiveDate,
    ) -> Option<(NaiveDate, usize)>;
    /// A named event moved a waiting case; the world may change the case's data.
    fn event(&mut self, _name: &str, _arende: &Arende) -> Option<Arende> {
        None
    }
}

/// One line of a case's trace.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TraceEntry {
    /// When.
    pub date: NaiveDate,
    /// Workflow id (empty for case-level entries).
    pub workflow: String,
    /// Step id (empty for case-level entries).
    pub step: String,
    /// What happened.
    #[serde(flatten)]
    pub what: What,
}

/// What happened at a trace entry.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum What {
    /// The case entered a step.
    Entered {
        /// Step kind.
        kind: &'static str,
        /// Who does it.
        #[serde(skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
    },
    /// A transition was taken.
    Moved {
        /// Target step.
        to: String,
        /// The condition that held (`always`, `else`, `rule.X`, an expression).
        because: String,
    },
    /// Parallel branches started.
    Forked {
        /// The branches.
        branches: Vec<String>,
    },
    /// A case waits for events or timers.
    Waiting {
        /// What it listens for.
        #[serde(rename = "for")]
        listening: Vec<String>,
    },
    /// A step raised a named event for the case's other branches.
    Emitted {
        /// The event.
        name: String,
    },
    /// A named event arrived.
    Event {
        /// The event.
        name: String,
        /// Where it moved the case.
        to: String,
    },
    /// A timer fired.
    Timer {
        /// `after 3mo` or `every 1mo`.
        timer: String,
        /// Where it moved the case.
        to: String,
    },
    /// An event arrived that no step waited for.
    EventIgnored {
        /// The event.
        name: String,
    },
    /// Case data changed.
    DataSet {
        /// The fields set.
        fields: Vec<String>,
    },
    /// The case was sent to another workflow.
    Referred {
        /// The workflow.
        to_workflow: String,
    },
    /// A referred workflow answered.
    Returned {
        /// Its outcome.
        outcome: String,
        /// Where the referrer goes on.
        to: String,
    },
    /// A branch arrived at a join that waits for more.
    JoinWaiting {
        /// Branches arrived.
        arrived: u32,
        /// Branches needed.
        needed: u32,
    },
    /// A workflow (or branch) ended.
    Ended {
        /// The outcome.
        outcome: String,
    },
    /// The whole case is closed.
    Closed {
        /// The outcome of the last end.
        outcome: String,
    },
    /// A token cannot go on.
    Stuck {
        /// Why.
        reason: String,
    },
    /// A rule failed while routing the case.
    RuleFailed {
        /// What the rule error said.
        message: String,
    },
    /// A deadline passed before the step was reached.
    DeadlineMissed {
        /// The deadline.
        within: String,
    },
}

#[derive(Debug, Clone)]
struct Token {
    at: At,
    epoch: u32,
    entered: NaiveDate,
    stack: Vec<At>,
    alive: bool,
    day: NaiveDate,
    moves: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Action {
    Complete {
        token: u32,
        epoch: u32,
    },
    Fire {
        token: u32,
        epoch: u32,
        trigger: u32,
    },
    Event {
        index: u32,
    },
}

/// An event from outside (a scenario): at a date, a named event and/or data changes.
#[derive(Debug, Clone)]
pub struct External {
    /// The event's name, when it is one.
    pub name: Option<String>,
    /// Data set on the case before routing.
    pub set: Vec<(String, Dynamic)>,
}

/// A case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its id.
    pub id: String,
    /// Its data.
    pub arende: Arende,
    tokens: Vec<Token>,
    agenda: BinaryHeap<Reverse<(NaiveDate, u64, Action)>>,
    seq: u64,
    joins: HashMap<At, u32>,
    anchors: HashMap<At, NaiveDate>,
    externals: Vec<External>,
    /// Trace, when asked for.
    pub trace: Option<Vec<TraceEntry>>,
    /// Every step entry in order, when asked for (event logs, KPIs).
    pub visits: Vec<(At, NaiveDate)>,
    /// The outcome of the last end reached.
    pub outcome: Option<String>,
    /// When the case closed (no token left).
    pub closed: Option<NaiveDate>,
    /// Why a token got stuck, if one did.
    pub stuck: Option<String>,
    /// Rule errors met while routing.
    pub errors: Vec<RuleError>,
    /// Referral answers: (date, outcome) for every return.
    pub returns: Vec<(NaiveDate, String)>,
    /// Deadlines missed: (step, deadline date).
    pub missed: Vec<(At, NaiveDate)>,
}

impl Case {
    /// A case with data, not yet started.
    pub fn new(id: impl Into<String>, arende: Arende, trace: bool) -> Case {
        Case {
            id: id.into(),
            arende,
            tokens: Vec::new(),
            agenda: BinaryHeap::new(),
            seq: 0,
            joins: HashMap::new(),
            anchors: HashMap::new(),
            externals: Vec::new(),
            trace: trace.then(Vec::new),
            visits: Vec::new(),
            outcome: None,
            closed: None,
            stuck: None,
            errors: Vec::new(),
            returns: Vec::new(),
            missed: Vec::new(),
        }
    }

    /// Whether the case is still open.
    pub fn open(&self) -> bool {
        self.closed.is_none() && self.tokens.iter().any(|t| t.alive)
    }

    /// The date of the next thing on the agenda.
    pub fn next_date(&self) -> Option<NaiveDate> {
        self.agenda.peek().map(|Reverse((d, _, _))| *d)
    }

    /// Schedule an event from outside.
    pub fn schedule_external(&mut self, date: NaiveDate, e: External) {
        self.externals.push(e);
        let index = (self.externals.len() - 1) as u32;
        self.push(date, Action::Event { index });
    }

    fn push(&mut self, date: NaiveDate, a: Action) {
        self.seq += 1;
        self.agenda.push(Reverse((date, self.seq, a)));
    }

    /// Record a trace entry; `what` is only built when a trace is kept.
    fn log(
        &mut self,
        prog: &Program,
        date: NaiveDate,
        at: Option<At>,
        what: impl FnOnce() -> What,
    ) {
        if let Some(t) = &mut self.trace {
            let what = what();
            let (w, s) = at.map_or(("", ""), |a| prog.name(a));
            t.push(TraceEntry {
                date,
                workflow: w.to_string(),
                step: s.to_string(),
                what,
            });
        }
    }

    /// Start the case at the start of workflow `w`.
    pub fn start(&mut self, cx: &Ctx, world: &mut dyn World, w: u32, date: NaiveDate) {
        let Some(s) = cx.prog.workflows[w as usize].start else {
            self.stuck = Some(format!(
                "workflow `{}` has no start",
                cx.prog.workflows[w as usize].name
            ));
            return;
        };
        self.tokens.push(Token {
            at: At { w, s },
            epoch: 0,
            entered: date,
            stack: Vec::new(),
            alive: true,
            day: date,
            moves: 0,
        });
        self.enter(cx, world, 0, date);
    }

    /// Process everything on the agenda up to and including `until`.
    pub fn run_until(&mut self, cx: &Ctx, world: &mut dyn World, until: NaiveDate) {
        while let Some(Reverse((date, _, _))) = self.agenda.peek() {
            if *date > until {
                break;
            }
            let Some(Reverse((date, _, action))) = self.agenda.pop() else {
                break;
            };
            match action {
                Action::Complete { token, epoch } => {
                    if self.current(token, epoch) {
                        self.complete(cx, world, token, date);
                    }
                }
                Action::Fire {
                    token,
                    epoch,
                    trigger,
                } => {
                    if self.current(token, epoch) {
                        self.fire(cx, world, token, trigger as usize, date);
                    }
                }
                Action::Event { index } => self.external(cx, world, index as usize, date),
            }
        }
    }

    /// The world finished a token's work (after [`World::work`] returned `None`).
    pub fn finish_work(&mut self, token: u32, epoch: u32, date: NaiveDate) {
        self.push(date, Action::Complete { token, epoch });
    }

    /// The epoch of a token (to hand back with [`Case::finish_work`]).
    pub fn epoch(&self, token: u32) -> u32 {
        self.tokens[token as usize].epoch
    }

    fn current(&self, token: u32, epoch: u32) -> bool {
        self.tokens
            .get(token as usize)
            .is_some_and(|t| t.alive && t.epoch == epoch)
    }

    fn enter(&mut self, cx: &Ctx, world: &mut dyn World, token: u32, date: NaiveDate) {
        let at = self.tokens[token as usize].at;
        {
            let t = &mut self.tokens[token as usize];
            t.entered = date;
            if t.day == date {
                t.moves += 1;
            } else {
                t.day = date;
                t.moves = 1;
            }
            if t.moves > MAX_MOVES_PER_DAY {
                t.alive = false;
                let (w, s) = cx.prog.name(at);
                let reason = format!("more than {MAX_MOVES_PER_DAY} moves on {date} around `{w}.{s}`: a loop of steps that take no time");
                self.stuck.get_or_insert(reason.clone());
                self.log(cx.prog, date, Some(at), || What::Stuck { reason });
                return;
            }
        }
        self.visits.push((at, date));
        let step = cx.prog.step(at);
        if !step.set.is_empty() {
            self.arende = self.arende.with_fields(&step.set);
        }
        if let Some((d, from)) = step.within {
            // Counted from the latest entry into `from`, or into this step itself: a review that
            // recurs must come within the period of the one before.
            let n = self.visits.len() - 1;
            let since = self.visits[..n]
                .iter()
                .rev()
                .find(|(a, _)| *a == from || *a == at)
                .map(|(_, d)| *d);
            if let Some(due) = since.and_then(|s| d.after(s)) {
                if date > due {
                    self.missed.push((at, due));
                    self.log(cx.prog, date, Some(at), || What::DeadlineMissed {
                        within: format!("{d} (due {due})"),
                    });
                }
            }
        }
        self.log(cx.prog, date, Some(at), || What::Entered {
            kind: step.kind.as_str(),
            actor: step.actor.clone(),
        });
        if let Some(e) = &step.emits {
            self.log(cx.prog, date, Some(at), || What::Emitted {
                name: e.clone(),
            });
            self.deliver(cx, world, e, Some(token), date);
        }
        match step.kind {
            StepKind::End => self.end(cx, world, token, date),
            StepKind::Join => {
                let arrived = {
                    let n = self.joins.entry(at).or_insert(0);
                    *n += 1;
                    *n
                };
                if arrived >= step.join_needed.max(1) {
                    self.joins.insert(at, 0);
                    // Other tokens that waited here are absorbed into this one.
                    self.route(cx, world, token, date);
                } else {
                    self.tokens[token as usize].alive = false;
                    self.log(cx.prog, date, Some(at), || What::JoinWaiting {
                        arrived,
                        needed: step.join_needed,
                    });
                }
            }
            StepKind::Wait => self.wait(cx, world, token, date),
            StepKind::Referral => match step.refer_workflow {
                Some(w) => {
                    let Some(s) = cx.prog.workflows[w as usize].start else {
                        self.stick(
                            cx,
                            token,
                            date,
                            format!(
                                "referred workflow `{}` has no start",
                                cx.prog.workflows[w as usize].name
                            ),
                        );
                        return;
                    };
                    self.log(cx.prog, date, Some(at), || What::Referred {
                        to_workflow: cx.prog.workflows[w as usize].name.clone(),
                    });
                    // A new stay in the referred workflow: its recurring timers start afresh.
                    self.anchors.retain(|a, _| a.w != w);
                    let t = &mut self.tokens[token as usize];
                    t.stack.push(at);
                    t.at = At { w, s };
                    t.epoch += 1;
                    self.enter(cx, world, token, date);
                }
                None if !step.next.is_empty() => self.work(cx, world, token, date),
                None => self.wait(cx, world, token, date),
            },
            StepKind::Task | StepKind::Decision | StepKind::Fork => {
                self.work(cx, world, token, date)
            }
        }
    }

    fn work(&mut self, cx: &Ctx, world: &mut dyn World, token: u32, date: NaiveDate) {
        let at = self.tokens[token as usize].at;
        let step = cx.prog.step(at);
        if let Some(done) = world.work(self, token, step, date) {
            let epoch = self.tokens[token as usize].epoch;
            self.push(done.max(date), Action::Complete { token, epoch });
        }
    }

    fn wait(&mut self, cx: &Ctx, world: &mut dyn World, token: u32, date: NaiveDate) {
        let at = self.tokens[token as usize].at;
        let step = cx.prog.step(at);
        let epoch = self.tokens[token as usize].epoch;
        let mut listening = Vec::new();
        let mut events: Vec<(usize, &str)> = Vec::new();
        for (i, (trig, _)) in step.on.iter().enumerate() {
            match trig {
                Trig::Event(e) => {
                    listening.push(e.clone());
                    events.push((i, e.as_str()));
                }
                Trig::After(d) => {
                    listening.push(format!("after {d}"));
                    if let Some(when) = d.after(date) {
                        self.push(
                            when,
                            Action::Fire {
                                token,
                                epoch,
                                trigger: i as u32,
                            },
                        );
                    }
                }
                Trig::Every(d) => {
                    listening.push(format!("every {d}"));
                    let anchor = *self.anchors.entry(at).or_insert(date);
                    let mut k = 1;
                    while let Some(when) = (Duration {
                        months: d.months * k,
                        days: d.days * k,
                    })
                    .after(anchor)
                    {
                        if when > date || k > 10_000 {
                            self.push(
                                when,
                                Action::Fire {
                                    token,
                                    epoch,
                                    trigger: i as u32,
                                },
                            );
                            break;
                        }
                        k += 1;
                    }
                }
            }
        }
        // An external referral waits for its answers as events.
        for (o, _) in &step.returns {
            if step.refer_workflow.is_none() {
                listening.push(o.clone());
            }
        }
        self.log(cx.prog, date, Some(at), || What::Waiting { listening });
        if let Some((when, i)) = world.wait(self, step, &events, date) {
            self.push(
                when.max(date),
                Action::Fire {
                    token,
                    epoch,
                    trigger: i as u32,
                },
            );
        }
    }

    fn fire(
        &mut self,
        cx: &Ctx,
        world: &mut dyn World,
        token: u32,
        trigger: usize,
        date: NaiveDate,
    ) {
        let at = self.tokens[token as usize].at;
        let step = cx.prog.step(at);
        let Some((trig, to)) = step.on.get(trigger) else {
            return;
        };
        let to_name = || {
            let (tw, ts) = cx.prog.name(*to);
            if tw == cx.prog.name(at).0 {
                ts.to_string()
            } else {
                format!("{tw}.{ts}")
            }
        };
        if let Trig::Event(e) = trig {
            if let Some(a) = world.event(e, &self.arende) {
                self.arende = a;
            }
        }
        self.log(cx.prog, date, Some(at), || match trig {
            Trig::Event(e) => What::Event {
                name: e.clone(),
                to: to_name(),
            },
            Trig::After(d) => What::Timer {
                timer: format!("after {d}"),
                to: to_name(),
            },
            Trig::Every(d) => What::Timer {
                timer: format!("every {d}"),
                to: to_name(),
            },
        });
        self.go(cx, world, token, *to, date);
    }

    fn external(&mut self, cx: &Ctx, world: &mut dyn World, index: usize, date: NaiveDate) {
        let e = self.externals[index].clone();
        if !e.set.is_empty() {
            self.arende = self.arende.with_fields(&e.set);
            let fields = e.set.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            self.log(cx.prog, date, None, || What::DataSet { fields });
        }
        let Some(name) = e.name else { return };
        if !self.deliver(cx, world, &name, None, date) {
            self.log(cx.prog, date, None, || What::EventIgnored { name });
        }
    }

    /// Move every waiting token (but `except`) that listens for `name`. Whether any moved.
    fn deliver(
        &mut self,
        cx: &Ctx,
        world: &mut dyn World,
        name: &str,
        except: Option<u32>,
        date: NaiveDate,
    ) -> bool {
        let mut moved = false;
        for token in 0..self.tokens.len() as u32 {
            let t = &self.tokens[token as usize];
            if !t.alive || Some(token) == except {
                continue;
            }
            let step = cx.prog.step(t.at);
            let waiting = step.kind == StepKind::Wait
                || (step.kind == StepKind::Referral
                    && step.refer_workflow.is_none()
                    && step.next.is_empty());
            if !waiting {
                continue;
            }
            if let Some(i) = step
                .on
                .iter()
                .position(|(trig, _)| matches!(trig, Trig::Event(n) if *n == name))
            {
                self.fire(cx, world, token, i, date);
                moved = true;
            } else if let Some((o, to)) = step.returns.iter().find(|(o, _)| *o == name).cloned() {
                let at = t.at;
                self.log(cx.prog, date, Some(at), || {
                    let (tw, ts) = cx.prog.name(to);
                    let to_name = if tw == cx.prog.name(at).0 {
                        ts.to_string()
                    } else {
                        format!("{tw}.{ts}")
                    };
                    What::Returned {
                        outcome: o.clone(),
                        to: to_name,
                    }
                });
                self.returns.push((date, o));
                self.go(cx, world, token, to, date);
                moved = true;
            }
        }
        moved
    }

    fn complete(&mut self, cx: &Ctx, world: &mut dyn World, token: u32, date: NaiveDate) {
        self.route(cx, world, token, date);
    }

    /// Take the step's transitions: all of them for a fork, else the first whose condition holds.
    fn route(&mut self, cx: &Ctx, world: &mut dyn World, token: u32, date: NaiveDate) {
        let at = self.tokens[token as usize].at;
        let step = cx.prog.step(at);
        if step.kind == StepKind::Fork {
            let branches: Vec<At> = step.next.iter().map(|(t, _)| *t).collect();
            self.log(cx.prog, date, Some(at), || What::Forked {
                branches: branches
                    .iter()
                    .map(|b| cx.prog.name(*b).1.to_string())
                    .collect(),
            });
            for (i, b) in branches.into_iter().enumerate() {
                let tk = if i == 0 {
                    token
                } else {
                    let t = self.tokens[token as usize].clone();
                    self.tokens.push(t);
                    (self.tokens.len() - 1) as u32
                };
                self.go(cx, world, tk, b, date);
            }
            return;
        }
        for (to, cond) in &step.next {
            let holds = match cond {
                Cond::Always | Cond::Else => Ok(true),
                Cond::Rule(r) => {
                    cx.rules
                        .rule_holds(cx.sources, r, &self.arende, cx.params, Some(date))
                }
                Cond::Inline(text) => cx.rules.condition(
                    cx.sources,
                    cx.inline,
                    text,
                    &self.arende,
                    cx.params,
                    Some(date),
                ),
            };
            match holds {
                Ok(true) => {
                    self.log(cx.prog, date, Some(at), || {
                        let (tw, ts) = cx.prog.name(*to);
                        let to_name = if tw == cx.prog.name(at).0 {
                            ts.to_string()
                        } else {
                            format!("{tw}.{ts}")
                        };
                        What::Moved {
                            to: to_name,
                            because: cond.text(),
                        }
                    });
                    self.go(cx, world, token, *to, date);
                    return;
                }
                Ok(false) => {}
                Err(e) => {
                    self.log(cx.prog, date, Some(at), || What::RuleFailed {
                        message: e.to_string(),
                    });
                    self.errors.push(e);
                    self.stick(
                        cx,
                        token,
                        date,
                        "a condition could not be evaluated".to_string(),
                    );
                    return;
                }
            }
        }
        let reason = if step.next.is_empty() {
            "the step has no way out".to_string()
        } else {
            "no condition held and there is no `else`".to_string()
        };
        self.stick(cx, token, date, reason);
    }

    fn go(&mut self, cx: &Ctx, world: &mut dyn World, token: u32, to: At, date: NaiveDate) {
        let t = &mut self.tokens[token as usize];
        t.at = to;
        t.epoch += 1;
        self.enter(cx, world, token, date);
    }

    fn stick(&mut self, cx: &Ctx, token: u32, date: NaiveDate, reason: String) {
        let at = self.tokens[token as usize].at;
        self.tokens[token as usize].alive = false;
        self.stuck.get_or_insert(reason.clone());
        self.log(cx.prog, date, Some(at), || What::Stuck { reason });
    }

    fn end(&mut self, cx: &Ctx, world: &mut dyn World, token: u32, date: NaiveDate) {
        let at = self.tokens[token as usize].at;
        let outcome = cx.prog.step(at).outcome.clone().unwrap_or_default();
        self.log(cx.prog, date, Some(at), || What::Ended {
            outcome: outcome.clone(),
        });
        self.outcome = Some(outcome.clone());
        if let Some(referral) = self.tokens[token as usize].stack.pop() {
            let step = cx.prog.step(referral);
            match step.returns.iter().find(|(o, _)| *o == outcome) {
                Some((_, to)) => {
                    let to = *to;
                    let (_, ts) = cx.prog.name(to);
                    self.log(cx.prog, date, Some(referral), || What::Returned {
                        outcome: outcome.clone(),
                        to: ts.to_string(),
                    });
                    self.returns.push((date, outcome));
                    self.tokens[token as usize].at = referral;
                    self.go(cx, world, token, to, date);
                }
                None => {
                    self.tokens[token as usize].at = referral;
                    self.stick(
                        cx,
                        token,
                        date,
                        format!("the referral does not expect the answer `{outcome}`"),
                    );
                }
            }
            return;
        }
        self.tokens[token as usize].alive = false;
        if !self.tokens.iter().any(|t| t.alive) && self.joins.values().all(|n| *n == 0) {
            self.closed = Some(date);
            self.log(cx.prog, date, None, || What::Closed { outcome });
        }
    }
}

use crate::duration::Duration;
