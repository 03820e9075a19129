//! One case moving through a municipality: the compiled net of its entry workflow
//! ([`WorkflowNet`]) played one transition at a time, with a calendar.
//!
//! The case machine never decides what a step does: a move is a transition of the net, enabled
//! in the case's marking, exactly as the explorer of `steg check` sees it. What the machine adds
//! is *which* enabled transition and *when*: conditions are evaluated by the rules, joins,
//! referrals and ends move at once, work takes the time the [`World`] says, timers fall due on
//! the calendar ([`crate::duration::Schedule`]), and events arrive from the world or from steps
//! of the case.
//!
//! What the surroundings decide (how long work takes, when outside events happen) comes from a
//! [`World`]: a scenario file for `steg run`, random draws and staff queues for `steg simulate`.
//!
//! ## Events
//!
//! An event that arrives (from the world) or is raised (`emits`) while a step of the case waits
//! for it moves that step. Otherwise it is *kept*: the next step that starts waiting for it
//! takes it at once. An event is kept until the case closes, or for the event's `keep:` period;
//! `keep: 0d` drops it at once. A kept event that is dropped, lapses or is still pending when
//! the case closes is *lost*, and counted under that name by the checker and the simulator.
//!
//! ## Timers
//!
//! A timer falls due on its anchor's schedule (`after`: once, `every`: each period). A due date
//! that passes while the case is busy elsewhere is taken when the case next waits there, late,
//! and the lateness is recorded; no due date is skipped.

use crate::duration::{Duration, Schedule};
use crate::eval::{Arende, Memo, Params, RuleError, RuleSet};
use crate::model::StepKind;
use crate::net::Marking;
use crate::semantics::{Anchor, At, Cond, Move, PStep, PlaceKind, Program, Trig, WorkflowNet};
use crate::SourceMap;
use chrono::{Datelike, NaiveDate};
use rhai::{Dynamic, AST};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// Most transitions one case may fire on one day: a loop of steps that take no time would
/// otherwise never let the calendar advance.
pub const MAX_MOVES_PER_DAY: u32 = 10_000;

/// What a case runs against.
pub struct Ctx<'a> {
    /// The resolved workflows.
    pub prog: &'a Program,
    /// The compiled net of the case's entry workflow.
    pub net: &'a WorkflowNet,
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
    /// A token started waiting at a step (or an external referral) and nothing it listens for
    /// is pending. The world may return when one of the listened names (events from outside,
    /// or a unit's answers) happens: `(date, index into listening)`.
    fn wait(
        &mut self,
        case: &Case,
        step: &PStep,
        listening: &[(usize, &str)],
        date: NaiveDate,
    ) -> Option<(NaiveDate, usize)>;
    /// A named event from outside moved a waiting case; the world may change the case's data
    /// (in place).
    fn event(&mut self, _name: &str, _arende: &mut Arende) {}
    /// A memo of rule results the world keeps across its cases (see [`Memo`]), if any: the
    /// results are the same with or without it.
    fn memo(&mut self) -> Option<&mut Memo> {
        None
    }
    /// A token arrived at step `at` (before its work, wait or route); the world may change the
    /// case's data (a practice followed on some occasions: drawn anew at each entry).
    fn entered(&mut self, _at: At, _arende: &mut Arende) {}
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
    /// A named event (or a unit's answer) moved a waiting step.
    Event {
        /// The event.
        name: String,
        /// Where it moved the case.
        to: String,
    },
    /// A timer fired.
    Timer {
        /// `after 3mo`, `every 1mo`.
        timer: String,
        /// The due date.
        due: NaiveDate,
        /// Days after its due date it was taken (the branch was busy elsewhere).
        #[serde(skip_serializing_if = "Option::is_none")]
        late_days: Option<i64>,
        /// Where it moved the case.
        to: String,
    },
    /// An event arrived (or was raised) while no step waited for it: it is kept.
    EventKept {
        /// The event.
        name: String,
    },
    /// A kept event was lost: dropped, lapsed, or still pending when the case closed.
    EventLost {
        /// The event.
        name: String,
        /// Why.
        reason: String,
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
        /// Inputs arrived.
        arrived: u32,
        /// Inputs needed.
        needed: u32,
    },
    /// A join fired.
    Joined,
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
    /// A route's condition held but its target is not in force on the day: passed over.
    NotInForce {
        /// The target step.
        to: String,
        /// Why (its period).
        reason: String,
    },
    /// A deadline passed before the step was reached.
    DeadlineMissed {
        /// The deadline.
        within: String,
    },
}

/// A token of the case: on a step (`at` place) or at a join's input.
#[derive(Debug, Clone)]
struct Token {
    place: u32,
    epoch: u32,
    alive: bool,
    /// When it arrived, and the move (index into `Case::fired`) that put it there.
    arrived: (NaiveDate, Option<u32>),
    /// The work done on it, as the world reported it.
    work: Option<Work>,
}

/// Work done on a step, as the world reports it with [`Case::finish_work_by`]: when it
/// started and who did it. Kept for event logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    /// The day the work started (after any queue).
    pub start: NaiveDate,
    /// Minutes after midnight the work started, on `start`.
    pub start_minute: u16,
    /// Minutes after midnight the work ended, on the day it ended.
    pub end_minute: u16,
    /// The staff member of the step's role who did it (0, 1, 2, ...).
    pub member: u32,
}

/// What an event log needs of one fired transition besides its date (kept beside
/// [`Case::fired`], index for index, when moves are recorded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoveDetail {
    /// When the token the move took had arrived at its step.
    pub entered: NaiveDate,
    /// The move (index into [`Case::fired`]) that put that token there; `None` for the start.
    pub entered_by: Option<u32>,
    /// The work done before the move, when the world reported it.
    pub work: Option<Work>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Action {
    /// A token has arrived at its place: start its work, wait, or immediate move.
    Arrive { token: u32, epoch: u32 },
    /// A token's work is done: take a route.
    Complete { token: u32, epoch: u32 },
    /// A waiting token's trigger (or answer) `trigger` happens; `due` for a timer.
    Fire {
        token: u32,
        epoch: u32,
        trigger: u32,
        due: Option<NaiveDate>,
    },
    /// An event from outside (index into `externals`).
    External { index: u32 },
    /// A kept event of the case lapses, if it is still the one kept since `since`.
    Lapse { name: u32, since: NaiveDate },
    /// A kept event from outside lapses, if it is still the one kept since `since`.
    LapseOutside { name: String, since: NaiveDate },
}

/// An event from outside (a scenario, or the simulated world): at a date, a named event (or a
/// unit's answer) and/or data changes.
#[derive(Debug, Clone)]
pub struct External {
    /// The event's (or answer's) name, when it is one.
    pub name: Option<String>,
    /// Data set on the case before routing.
    pub set: Vec<(String, Dynamic)>,
}

/// Why a case stopped before it closed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stuck {
    /// When.
    pub date: NaiveDate,
    /// `workflow.step` where it stopped.
    pub step: String,
    /// Why, in words.
    pub reason: String,
}

/// A recurring or one-shot timer's state: its anchor and the next due date's number.
#[derive(Debug, Clone, Copy)]
struct TimerState {
    anchor: NaiveDate,
    next: u32,
}

/// A case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its id.
    pub id: String,
    /// Its data.
    pub arende: Arende,
    /// The day it started.
    pub started: Option<NaiveDate>,
    /// Its marking in the net of its entry workflow.
    pub marking: Marking,
    tokens: Vec<Token>,
    agenda: BinaryHeap<Reverse<(NaiveDate, u64, Action)>>,
    seq: u64,
    timers: HashMap<(u32, u32), TimerState>,
    /// Names (events, answers) from outside that arrived while nothing waited, with the date.
    kept_outside: Vec<(String, NaiveDate)>,
    /// Since when each event of the case (by index) is pending, when it is.
    kept_inside: Vec<Option<NaiveDate>>,
    externals: Vec<External>,
    day: Option<NaiveDate>,
    moves_today: u32,
    /// Transitions fired in the case's whole life (steps executed, joins passed, events taken).
    pub(crate) moves: u64,
    /// The trace, when asked for.
    pub trace: Option<Vec<TraceEntry>>,
    /// The transitions fired, with their dates, when asked for (for event logs and tests).
    pub fired: Option<Vec<(u32, NaiveDate)>>,
    /// For each fired transition, when its step was entered and the work done (kept with
    /// `fired`).
    pub details: Option<Vec<MoveDetail>>,
    /// Every step entered, with the date, in order (for KPIs and obligations).
    pub visits: Vec<(At, NaiveDate)>,
    /// The outcome of the last end reached.
    pub outcome: Option<String>,
    /// When the case closed (no branch left).
    pub closed: Option<NaiveDate>,
    /// The first reason a branch could not go on.
    pub stuck: Option<Stuck>,
    /// Rule failures while routing.
    pub errors: Vec<RuleError>,
    /// Answers from referred workflows: (date, outcome).
    pub returns: Vec<(NaiveDate, String)>,
    /// Deadlines missed: (step, due date).
    pub missed: Vec<(At, NaiveDate)>,
    /// Timers taken late: (wait step, days late).
    pub late_timers: Vec<(At, i64)>,
    /// Events of the case lost: (event, date, why). What `steg check` calls G022.
    pub lost: Vec<(String, NaiveDate, &'static str)>,
    /// Events (or answers) from outside that no step took: (name, date, why).
    pub unused: Vec<(String, NaiveDate, &'static str)>,
}

impl Case {
    /// A case with data, not yet started. `trace` keeps a trace; `record` keeps the fired
    /// transitions.
    pub fn new(id: impl Into<String>, arende: Arende, trace: bool) -> Case {
        Case {
            id: id.into(),
            arende,
            started: None,
            marking: Marking::default(),
            tokens: Vec::new(),
            agenda: BinaryHeap::new(),
            seq: 0,
            timers: HashMap::new(),
            kept_outside: Vec::new(),
            kept_inside: Vec::new(),
            externals: Vec::new(),
            day: None,
            moves_today: 0,
            moves: 0,
            trace: trace.then(Vec::new),
            fired: trace.then(Vec::new),
            details: trace.then(Vec::new),
            visits: Vec::new(),
            outcome: None,
            closed: None,
            stuck: None,
            errors: Vec::new(),
            returns: Vec::new(),
            missed: Vec::new(),
            late_timers: Vec::new(),
            lost: Vec::new(),
            unused: Vec::new(),
        }
    }

    /// Keep the fired transitions (for event logs), without a trace.
    pub fn record_moves(&mut self) {
        self.fired.get_or_insert_with(Vec::new);
        self.details.get_or_insert_with(Vec::new);
    }

    /// Whether the case is still open: not closed and some branch can still move.
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
        self.push(date, Action::External { index });
    }

    /// The steps where the case's live branches are, with the kind of wait: `true` when the
    /// branch waits for something from outside (an event, a unit's answer) with nothing
    /// scheduled to come.
    pub fn positions(&self, cx: &Ctx) -> Vec<(At, bool)> {
        let mut out = Vec::new();
        for (i, t) in self.tokens.iter().enumerate() {
            if !t.alive {
                continue;
            }
            let at = match cx.net.places[t.place as usize] {
                PlaceKind::At { at, .. } => at,
                PlaceKind::JoinInput { join, .. } => join,
                _ => continue,
            };
            let scheduled = self.agenda.iter().any(|Reverse((_, _, a))| match a {
                Action::Arrive { token, epoch }
                | Action::Complete { token, epoch }
                | Action::Fire { token, epoch, .. } => *token == i as u32 && *epoch == t.epoch,
                _ => false,
            });
            out.push((at, cx.prog.step(at).waits() && !scheduled));
        }
        out
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

    /// Start the case at the start of its entry workflow (`cx.net`).
    pub fn start(&mut self, cx: &Ctx, world: &mut dyn World, date: NaiveDate) {
        let _ = world;
        self.started = Some(date);
        self.kept_inside = vec![None; cx.prog.events.len()];
        let Some(s) = cx.prog.workflows[cx.net.root as usize].start else {
            self.stuck = Some(Stuck {
                date,
                step: cx.prog.workflows[cx.net.root as usize].name.clone(),
                reason: "the workflow has no start".to_string(),
            });
            return;
        };
        let start = At { w: cx.net.root, s };
        if let Err(why) = cx.prog.in_force(start, date) {
            self.stuck = Some(Stuck {
                date,
                step: cx.prog.qualified(start, None),
                reason: format!("the case cannot start: {why}"),
            });
            return;
        }
        // The start marking: the start step (and the event it raises, if any).
        let initial = cx.net.net.initial.clone();
        self.marking = Marking::default();
        for &(p, n) in &initial.0 {
            for _ in 0..n {
                self.produce(cx, p, date);
            }
        }
        self.enter_effects(cx, start, date);
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
            if self.day != Some(date) {
                self.day = Some(date);
                self.moves_today = 0;
            }
            match action {
                Action::Arrive { token, epoch } => {
                    if self.current(token, epoch) {
                        self.arrive(cx, world, token, date);
                    }
                }
                Action::Complete { token, epoch } => {
                    if self.current(token, epoch) {
                        self.complete(cx, world, token, date);
                    }
                }
                Action::Fire {
                    token,
                    epoch,
                    trigger,
                    due,
                } => {
                    if self.current(token, epoch) {
                        self.trigger(cx, world, token, trigger, due, date);
                    }
                }
                Action::External { index } => self.external(cx, index as usize, date),
                Action::Lapse { name, since } => {
                    if self.kept_inside.get(name as usize).copied().flatten() == Some(since) {
                        self.lose_inside(cx, name, date, "its `keep` period passed");
                    }
                }
                Action::LapseOutside { name, since } => {
                    let before = self.kept_outside.len();
                    self.kept_outside
                        .retain(|(n, d)| !(*n == name && *d == since));
                    if self.kept_outside.len() < before {
                        self.unused
                            .push((name.clone(), date, "its `keep` period passed"));
                        self.log(cx.prog, date, None, || What::EventLost {
                            name,
                            reason: "its `keep` period passed".into(),
                        });
                    }
                }
            }
            self.close_if_done(cx, date);
        }
    }

    /// The world finished a token's work (after [`World::work`] returned `None`).
    pub fn finish_work(&mut self, token: u32, epoch: u32, date: NaiveDate) {
        self.push(date, Action::Complete { token, epoch });
    }

    /// [`Case::finish_work`], saying when the work started and who did it (for event logs).
    pub fn finish_work_by(&mut self, token: u32, epoch: u32, date: NaiveDate, work: Work) {
        if self.current(token, epoch) && self.details.is_some() {
            self.tokens[token as usize].work = Some(work);
        }
        self.finish_work(token, epoch, date);
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

    fn step_of<'p>(cx: &'p Ctx, place: u32) -> Option<(u32, At, &'p PStep)> {
        match cx.net.places[place as usize] {
            PlaceKind::At { ctx, at } => Some((ctx, at, cx.prog.step(at))),
            PlaceKind::JoinInput { ctx, join, .. } => Some((ctx, join, cx.prog.step(join))),
            _ => None,
        }
    }

    /// Put a token on place `p`: a step's or join input's token arrives (scheduled at once), a
    /// raised event is delivered or kept.
    fn produce(&mut self, cx: &Ctx, p: u32, date: NaiveDate) {
        let capacity = cx.net.net.places[p as usize].capacity;
        match cx.net.places[p as usize] {
            PlaceKind::At { .. } | PlaceKind::JoinInput { .. } => {
                self.marking.add(p, 1, capacity);
                let by = self.fired.as_ref().and_then(|f| f.len().checked_sub(1));
                self.tokens.push(Token {
                    place: p,
                    epoch: 0,
                    alive: true,
                    arrived: (date, by.map(|i| i as u32)),
                    work: None,
                });
                let token = (self.tokens.len() - 1) as u32;
                self.push(date, Action::Arrive { token, epoch: 0 });
            }
            PlaceKind::Event(e) => {
                let merged = self.marking.get(p) > 0;
                self.marking.add(p, 1, capacity);
                if !merged {
                    self.kept_inside[e as usize] = Some(date);
                }
                self.deliver_inside(cx, e, date);
            }
            PlaceKind::End => self.marking.add(p, 1, capacity),
        }
    }

    /// Fire transition `t` with `token` as the token taken from its first place.
    fn fire(&mut self, cx: &Ctx, t: u32, token: Option<u32>, date: NaiveDate) -> bool {
        let tr = &cx.net.net.transitions[t as usize];
        if !cx.net.net.is_enabled(&self.marking, t) {
            return false;
        }
        // Every step the move enters must be in force that day (a route choice has passed
        // over routes that are not; a fork, a trigger or an answer has no other way).
        let label = &cx.net.labels[t as usize];
        if let Some(why) = label
            .enters
            .iter()
            .find_map(|&(_, a)| cx.prog.in_force(a, date).err())
        {
            let at = label.step;
            self.stick(cx, token, at, date, format!("cannot go on: {why}"));
            return false;
        }
        self.moves_today += 1;
        self.moves += 1;
        if self.moves_today > MAX_MOVES_PER_DAY {
            let label = &cx.net.labels[t as usize];
            let at = label.step;
            let (w, s) = cx.prog.name(at);
            let reason = format!(
                "more than {MAX_MOVES_PER_DAY} moves on {date} around `{w}.{s}`: a loop of steps that take no time"
            );
            self.stick(cx, token, at, date, reason);
            return false;
        }
        let detail = token.map(|tk| {
            let t = &self.tokens[tk as usize];
            MoveDetail {
                entered: t.arrived.0,
                entered_by: t.arrived.1,
                work: t.work,
            }
        });
        // Take tokens: the given one first, then the oldest live ones on each place.
        for &(p, w) in &tr.pre {
            let mut need = w;
            if let Some(tk) = token {
                if self.tokens[tk as usize].place == p && self.tokens[tk as usize].alive {
                    self.retire(tk);
                    need -= 1;
                }
            }
            if need > 0 && !cx.net.is_event(p) {
                for i in 0..self.tokens.len() {
                    if need == 0 {
                        break;
                    }
                    if self.tokens[i].alive && self.tokens[i].place == p {
                        self.retire(i as u32);
                        need -= 1;
                    }
                }
            }
            if let PlaceKind::Event(e) = cx.net.places[p as usize] {
                self.kept_inside[e as usize] = None;
            }
        }
        for &(p, w) in &tr.pre {
            self.marking.take(p, w);
        }
        if let Some(f) = &mut self.fired {
            f.push((t, date));
        }
        if let Some(d) = &mut self.details {
            d.push(detail.unwrap_or(MoveDetail {
                entered: date,
                entered_by: None,
                work: None,
            }));
        }
        let label = cx.net.labels[t as usize].clone();
        for &(_, at) in &label.enters {
            self.enter_effects(cx, at, date);
        }
        for &(p, w) in &tr.post {
            for _ in 0..w {
                self.produce(cx, p, date);
            }
        }
        true
    }

    fn retire(&mut self, token: u32) {
        let t = &mut self.tokens[token as usize];
        t.alive = false;
        t.epoch += 1;
    }

    /// What entering a step does, whatever its kind: the visit, data it records, its deadline,
    /// the trace.
    fn enter_effects(&mut self, cx: &Ctx, at: At, date: NaiveDate) {
        let step = cx.prog.step(at);
        // The deadline is counted from the entries before this one.
        if let Some((d, from)) = step.within {
            if let Some(due) = self.deadline(at, from, d) {
                if date > due {
                    self.missed.push((at, due));
                    self.log(cx.prog, date, Some(at), || What::DeadlineMissed {
                        within: format!("{d} (due {due})"),
                    });
                }
            }
        }
        self.visits.push((at, date));
        if !step.set.is_empty() {
            self.arende.set_fields(&step.set);
        }
        self.log(cx.prog, date, Some(at), || What::Entered {
            kind: step.kind.as_str(),
            actor: step.actor.clone(),
        });
        if let Some(e) = step.emits {
            self.log(cx.prog, date, Some(at), || What::Emitted {
                name: cx.prog.events[e as usize].name.clone(),
            });
        }
    }

    /// The due date of an entry into `at` with `within: d` counted from `from`: `d` after the
    /// latest entry into `from`, or after the latest entry into `at` itself when that is later
    /// (a review is due a period after the one before), on one calendar
    /// ([`Duration::after_keeping_day`]).
    fn deadline(&self, at: At, from: At, d: Duration) -> Option<NaiveDate> {
        let mut previous: Option<NaiveDate> = None;
        for &(x, when) in self.visits.iter().rev() {
            if x == from {
                return match previous {
                    Some(p) => d.after_keeping_day(p, when.day()),
                    None => d.after(when),
                };
            }
            if x == at && previous.is_none() {
                previous = Some(when);
            }
        }
        previous.and_then(|p| d.after(p))
    }

    /// A token arrived at its place.
    fn arrive(&mut self, cx: &Ctx, world: &mut dyn World, token: u32, date: NaiveDate) {
        let place = self.tokens[token as usize].place;
        let Some((c, at, step)) = Self::step_of(cx, place) else {
            return;
        };
        if let PlaceKind::JoinInput { .. } = cx.net.places[place as usize] {
            self.join(cx, world, token, c, at, date);
            return;
        }
        world.entered(at, &mut self.arende);
        match step.kind {
            StepKind::End => {
                let out = cx.net.out[place as usize].first().copied();
                let outcome = step.outcome.clone().unwrap_or_default();
                self.log(cx.prog, date, Some(at), || What::Ended {
                    outcome: outcome.clone(),
                });
                self.outcome = Some(outcome.clone());
                match out {
                    Some(t) => {
                        if cx.net.labels[t as usize].how == Move::Return {
                            let to = cx.net.labels[t as usize].targets.first().copied();
                            let parent = cx.net.contexts[c as usize].parent.map(|p| p.1);
                            self.log(cx.prog, date, parent, || What::Returned {
                                outcome: outcome.clone(),
                                to: to.map_or_else(String::new, |a| {
                                    cx.prog.qualified(a, parent.map(|p| p.w))
                                }),
                            });
                            self.returns.push((date, outcome));
                        }
                        self.fire(cx, t, Some(token), date);
                    }
                    None => {
                        let referral = cx.net.contexts[c as usize].parent.map(|p| p.1);
                        let reason = match referral {
                            Some(r) => format!(
                                "referral `{}` does not expect the answer `{outcome}`",
                                cx.prog.qualified(r, None)
                            ),
                            None => "the end has no way out".to_string(),
                        };
                        self.stick(cx, Some(token), at, date, reason);
                    }
                }
            }
            StepKind::Referral if step.refer_workflow.is_some() => {
                match cx.net.out[place as usize].first().copied() {
                    Some(t) => {
                        let tw = step.refer_workflow.unwrap_or(0);
                        self.log(cx.prog, date, Some(at), || What::Referred {
                            to_workflow: cx.prog.workflows[tw as usize].name.clone(),
                        });
                        // A new stay in the referred workflow: its timers start afresh.
                        if let Some(&(kc, _)) = cx.net.labels[t as usize].enters.first() {
                            self.timers.retain(|(p, _), _| {
                                !matches!(cx.net.places[*p as usize], PlaceKind::At { ctx, .. } if ctx == kc)
                            });
                        }
                        self.fire(cx, t, Some(token), date);
                    }
                    None => {
                        let reason = format!(
                            "referrals nest deeper than {}: the referral to `{}` was not followed",
                            crate::semantics::MAX_DEPTH,
                            cx.prog.workflows[step.refer_workflow.unwrap_or(0) as usize].name
                        );
                        self.stick(cx, Some(token), at, date, reason);
                    }
                }
            }
            _ if step.waits() => self.wait(cx, world, token, place, at, step, date),
            _ => {
                if let Some(done) = world.work(self, token, step, date) {
                    let epoch = self.tokens[token as usize].epoch;
                    self.push(done.max(date), Action::Complete { token, epoch });
                }
            }
        }
    }

    /// A branch arrived at a join input: fire the join if every input has arrived.
    fn join(
        &mut self,
        cx: &Ctx,
        world: &mut dyn World,
        token: u32,
        c: u32,
        at: At,
        date: NaiveDate,
    ) {
        let step = cx.prog.step(at);
        let place = self.tokens[token as usize].place;
        let joins: Vec<u32> = cx.net.net.consumers(place).to_vec();
        if !joins
            .iter()
            .any(|&t| cx.net.net.is_enabled(&self.marking, t))
        {
            let arrived = step
                .join_inputs
                .iter()
                .filter(|&&from| {
                    cx.net
                        .join_place(c, at, from)
                        .is_some_and(|p| self.marking.get(p) > 0)
                })
                .count() as u32;
            self.log(cx.prog, date, Some(at), || What::JoinWaiting {
                arrived,
                needed: step.join_inputs.len() as u32,
            });
            return;
        }
        self.log(cx.prog, date, Some(at), || What::Joined);
        match self.choose(cx, world, at, &step.next, date) {
            Ok(i) => {
                if let Some(&t) = joins
                    .iter()
                    .find(|&&t| cx.net.labels[t as usize].how == Move::Join(i as u32))
                {
                    self.fire(cx, t, Some(token), date);
                }
            }
            Err(reason) => self.stick(cx, Some(token), at, date, reason),
        }
    }

    /// The first route whose condition holds and whose target is in force on `date` (a route
    /// into a step or workflow not in force that day is passed over, as if its condition did
    /// not hold). `Err` says why the case cannot go on: no route left, or a rule failed (the
    /// failure is recorded in `errors`).
    fn choose(
        &mut self,
        cx: &Ctx,
        world: &mut dyn World,
        at: At,
        next: &[(At, Cond)],
        date: NaiveDate,
    ) -> Result<usize, String> {
        let mut passed_over: Option<String> = None;
        for (i, (to, cond)) in next.iter().enumerate() {
            let holds = match cond {
                Cond::Always | Cond::Else => Ok(true),
                Cond::Rule(r) => cx.rules.rule_holds_memo(
                    world.memo(),
                    cx.sources,
                    r,
                    &self.arende,
                    cx.params,
                    Some(date),
                ),
                Cond::Inline(text) => cx.rules.condition_memo(
                    world.memo(),
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
                    if let Err(why) = cx.prog.in_force(*to, date) {
                        self.log(cx.prog, date, Some(at), || What::NotInForce {
                            to: cx.prog.qualified(*to, Some(at.w)),
                            reason: why.clone(),
                        });
                        passed_over.get_or_insert(why);
                        continue;
                    }
                    self.log(cx.prog, date, Some(at), || What::Moved {
                        to: cx.prog.qualified(*to, Some(at.w)),
                        because: cond.text(),
                    });
                    return Ok(i);
                }
                Ok(false) => {}
                Err(e) => {
                    self.log(cx.prog, date, Some(at), || What::RuleFailed {
                        message: e.to_string(),
                    });
                    // The rule's error (with the case and the rule's place) is recorded once
                    // in `errors`; the reason is the same for every case, so that stuck cases
                    // group by step and reason.
                    self.errors.push(e);
                    return Err("a condition could not be evaluated".to_string());
                }
            }
        }
        Err(match passed_over {
            Some(why) => format!("no route is in force on that day: {why}"),
            None => "no condition held and there is no `else`".to_string(),
        })
    }

    /// A token's work is done: a fork starts its branches, any other step takes the first route
    /// whose condition holds.
    fn complete(&mut self, cx: &Ctx, world: &mut dyn World, token: u32, date: NaiveDate) {
        let place = self.tokens[token as usize].place;
        let Some((_, at, step)) = Self::step_of(cx, place) else {
            return;
        };
        let out = cx.net.out[place as usize].clone();
        if step.kind == StepKind::Fork {
            self.log(cx.prog, date, Some(at), || What::Forked {
                branches: step
                    .next
                    .iter()
                    .map(|(b, _)| cx.prog.name(*b).1.to_string())
                    .collect(),
            });
            if let Some(&t) = out.first() {
                self.fire(cx, t, Some(token), date);
            }
            return;
        }
        if step.next.is_empty() {
            self.stick(
                cx,
                Some(token),
                at,
                date,
                "the step has no way out".to_string(),
            );
            return;
        }
        if step.kind == StepKind::Decision {
            if let Err(why) = cx.prog.basis_on(at, date) {
                self.stick(cx, Some(token), at, date, why);
                return;
            }
        }
        match self.choose(cx, world, at, &step.next, date) {
            Ok(i) => {
                if let Some(&t) = out
                    .iter()
                    .find(|&&t| cx.net.labels[t as usize].how == Move::Route(i as u32))
                {
                    self.fire(cx, t, Some(token), date);
                }
            }
            Err(reason) => self.stick(cx, Some(token), at, date, reason),
        }
    }

    /// The names a waiting step listens for (triggers, or a unit's answers), as
    /// `(index, name, event index)`; timers have no name.
    fn listening(cx: &Ctx, step: &PStep) -> Vec<(usize, String, Option<u32>)> {
        if step.kind == StepKind::Wait {
            step.on
                .iter()
                .enumerate()
                .filter_map(|(i, (t, _))| match t {
                    Trig::Event(e) => Some((i, cx.prog.events[*e as usize].name.clone(), Some(*e))),
                    _ => None,
                })
                .collect()
        } else {
            step.returns
                .iter()
                .enumerate()
                .map(|(i, (o, _))| (i, o.clone(), None))
                .collect()
        }
    }

    /// A token starts waiting: a kept event or an overdue timer moves it at once (the oldest
    /// first); else timers are scheduled and the world is asked for outside events.
    #[allow(clippy::too_many_arguments)]
    fn wait(
        &mut self,
        cx: &Ctx,
        world: &mut dyn World,
        token: u32,
        place: u32,
        at: At,
        step: &PStep,
        date: NaiveDate,
    ) {
        let epoch = self.tokens[token as usize].epoch;
        let mut labels = Vec::new();
        // (date owed, trigger, due date for timers)
        let mut now: Option<(NaiveDate, u32, Option<NaiveDate>)> = None;
        let mut owe = |d: NaiveDate, i: u32, due: Option<NaiveDate>| {
            if now.is_none_or(|(n, j, _)| (d, i) < (n, j)) {
                now = Some((d, i, due));
            }
        };
        for (i, name, e) in Self::listening(cx, step) {
            labels.push(name.clone());
            let internal = e.and_then(|e| cx.net.event_place[e as usize].map(|p| (e, p)));
            match internal {
                Some((e, p)) => {
                    if self.marking.get(p) > 0 {
                        owe(self.kept_inside[e as usize].unwrap_or(date), i as u32, None);
                    }
                }
                None => {
                    if let Some(&(_, since)) = self.kept_outside.iter().find(|(n, _)| *n == name) {
                        owe(since, i as u32, None);
                    }
                }
            }
        }
        if step.kind == StepKind::Wait {
            for (i, (trig, _)) in step.on.iter().enumerate() {
                let (d, anchor, once) = match trig {
                    Trig::Event(_) => continue,
                    Trig::After(d, a) => (*d, *a, true),
                    Trig::Every(d, a) => (*d, *a, false),
                };
                labels.push(trig.label(cx.prog));
                let Some(due) = self.arm(place, i as u32, anchor, d, once, date) else {
                    continue;
                };
                if due <= date {
                    owe(due, i as u32, Some(due));
                } else {
                    self.push(
                        due,
                        Action::Fire {
                            token,
                            epoch,
                            trigger: i as u32,
                            due: Some(due),
                        },
                    );
                }
            }
        }
        self.log(cx.prog, date, Some(at), || What::Waiting {
            listening: labels,
        });
        if let Some((_, i, due)) = now {
            self.push(
                date,
                Action::Fire {
                    token,
                    epoch,
                    trigger: i,
                    due,
                },
            );
            return;
        }
        let names = Self::listening(cx, step);
        let outside: Vec<(usize, &str)> = names
            .iter()
            .filter(|(_, _, e)| e.is_none_or(|e| cx.net.event_place[e as usize].is_none()))
            .map(|(i, n, _)| (*i, n.as_str()))
            .collect();
        if let Some((when, i)) = world.wait(self, step, &outside, date) {
            self.push(
                when.max(date),
                Action::Fire {
                    token,
                    epoch,
                    trigger: i as u32,
                    due: None,
                },
            );
        }
    }

    /// The next due date of a timer of the wait at `place`, arming it on its anchor: `None`
    /// when it is not armed (its anchor step was never entered) or has nothing more due.
    fn arm(
        &mut self,
        place: u32,
        trigger: u32,
        anchor: Anchor,
        d: Duration,
        once: bool,
        date: NaiveDate,
    ) -> Option<NaiveDate> {
        let key = (place, trigger);
        let base = match anchor {
            Anchor::Entry => Some(date),
            Anchor::FirstEntry => Some(self.timers.get(&key).map_or(date, |s| s.anchor)),
            Anchor::CaseStart => self.started,
            Anchor::Step(s) => self
                .visits
                .iter()
                .rev()
                .find(|(x, _)| *x == s)
                .map(|&(_, w)| w),
        }?;
        let fresh =
            anchor == Anchor::Entry || self.timers.get(&key).is_none_or(|s| s.anchor != base);
        if fresh {
            let schedule = Schedule {
                anchor: base,
                period: d,
            };
            // Due dates before the timer was armed are not owed (a recurring timer anchored at
            // the case's start owes nothing for the months before the case first waits here);
            // a one-shot timer whose date has passed is due at once.
            let next = if once || base >= date {
                1
            } else {
                (1..)
                    .find(|&k| schedule.due(k).is_none_or(|x| x >= date))
                    .unwrap_or(1)
            };
            self.timers.insert(key, TimerState { anchor: base, next });
        }
        let state = self.timers.get(&key)?;
        if once && state.next > 1 {
            return None;
        }
        Schedule {
            anchor: state.anchor,
            period: d,
        }
        .due(state.next)
    }

    /// A waiting token's trigger (or answer) happens.
    fn trigger(
        &mut self,
        cx: &Ctx,
        world: &mut dyn World,
        token: u32,
        trigger: u32,
        due: Option<NaiveDate>,
        date: NaiveDate,
    ) {
        let place = self.tokens[token as usize].place;
        let Some((_, at, step)) = Self::step_of(cx, place) else {
            return;
        };
        let how = if step.kind == StepKind::Wait {
            Move::Trigger(trigger)
        } else {
            Move::Answer(trigger)
        };
        let Some(&t) = cx.net.out[place as usize]
            .iter()
            .find(|&&t| cx.net.labels[t as usize].how == how)
        else {
            return;
        };
        if !cx.net.net.is_enabled(&self.marking, t) {
            // An event of the case that another branch has taken meanwhile.
            return;
        }
        let to = cx.net.labels[t as usize]
            .targets
            .first()
            .map(|&a| cx.prog.qualified(a, Some(at.w)))
            .unwrap_or_default();
        if step.kind == StepKind::Wait {
            match &step.on[trigger as usize].0 {
                Trig::Event(e) => {
                    let name = cx.prog.events[*e as usize].name.clone();
                    self.kept_outside.retain(|(n, _)| *n != name);
                    if cx.net.event_place[*e as usize].is_none() {
                        world.event(&name, &mut self.arende);
                    }
                    self.log(cx.prog, date, Some(at), || What::Event { name, to });
                }
                timer => {
                    let due = due.unwrap_or(date);
                    let late = (date - due).num_days();
                    if late > 0 {
                        self.late_timers.push((at, late));
                    }
                    if let Some(s) = self.timers.get_mut(&(place, trigger)) {
                        s.next += 1;
                    }
                    let label = timer.label(cx.prog);
                    self.log(cx.prog, date, Some(at), || What::Timer {
                        timer: label,
                        due,
                        late_days: (late > 0).then_some(late),
                        to,
                    });
                }
            }
        } else {
            let name = step.returns[trigger as usize].0.clone();
            self.kept_outside.retain(|(n, _)| *n != name);
            self.log(cx.prog, date, Some(at), || What::Returned {
                outcome: name.clone(),
                to,
            });
            self.returns.push((date, name));
        }
        self.fire(cx, t, Some(token), date);
    }

    /// An event from outside: its data, then its delivery to every step waiting for it (or it
    /// is kept).
    fn external(&mut self, cx: &Ctx, index: usize, date: NaiveDate) {
        let e = self.externals[index].clone();
        if !e.set.is_empty() {
            self.arende.set_fields(&e.set);
            let fields = e.set.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            self.log(cx.prog, date, None, || What::DataSet { fields });
        }
        let Some(name) = e.name else { return };
        let mut moved = false;
        for token in 0..self.tokens.len() as u32 {
            let t = &self.tokens[token as usize];
            if !t.alive {
                continue;
            }
            let Some((_, _, step)) = Self::step_of(cx, t.place) else {
                continue;
            };
            if !step.waits()
                || matches!(cx.net.places[t.place as usize], PlaceKind::JoinInput { .. })
            {
                continue;
            }
            if let Some((i, _, _)) = Self::listening(cx, step).into_iter().find(|(_, n, e)| {
                *n == name && e.is_none_or(|e| cx.net.event_place[e as usize].is_none())
            }) {
                let epoch = t.epoch;
                self.push(
                    date,
                    Action::Fire {
                        token,
                        epoch,
                        trigger: i as u32,
                        due: None,
                    },
                );
                moved = true;
            }
        }
        if moved {
            return;
        }
        self.log(cx.prog, date, None, || What::EventKept {
            name: name.clone(),
        });
        let keep = cx
            .prog
            .event(&name)
            .and_then(|e| cx.prog.events[e as usize].keep);
        if keep.is_some_and(Duration::is_zero) {
            self.unused
                .push((name.clone(), date, "nothing waited for it"));
            self.log(cx.prog, date, None, || What::EventLost {
                name,
                reason: "nothing waited for it and its `keep` is 0d".into(),
            });
            return;
        }
        if !self.kept_outside.iter().any(|(n, _)| *n == name) {
            self.kept_outside.push((name.clone(), date));
            if let Some(when) = keep.and_then(|k| k.after(date)) {
                self.push(when, Action::LapseOutside { name, since: date });
            }
        }
    }

    /// An event of the case was raised: move one step waiting for it, or keep it.
    fn deliver_inside(&mut self, cx: &Ctx, e: u32, date: NaiveDate) {
        let name = cx.prog.events[e as usize].name.clone();
        for token in 0..self.tokens.len() as u32 {
            let t = &self.tokens[token as usize];
            if !t.alive || !matches!(cx.net.places[t.place as usize], PlaceKind::At { .. }) {
                continue;
            }
            let Some((_, _, step)) = Self::step_of(cx, t.place) else {
                continue;
            };
            if step.kind != StepKind::Wait {
                continue;
            }
            if let Some(i) = step
                .on
                .iter()
                .position(|(trig, _)| matches!(trig, Trig::Event(x) if *x == e))
            {
                let epoch = t.epoch;
                self.push(
                    date,
                    Action::Fire {
                        token,
                        epoch,
                        trigger: i as u32,
                        due: None,
                    },
                );
                return;
            }
        }
        self.log(cx.prog, date, None, || What::EventKept { name });
        match cx.prog.events[e as usize].keep {
            Some(k) if k.is_zero() => {
                self.lose_inside(cx, e, date, "nothing waited for it and its `keep` is 0d")
            }
            Some(k) => {
                if let (Some(since), Some(when)) = (self.kept_inside[e as usize], k.after(date)) {
                    self.push(when, Action::Lapse { name: e, since });
                }
            }
            None => {}
        }
    }

    fn lose_inside(&mut self, cx: &Ctx, e: u32, date: NaiveDate, reason: &'static str) {
        if let Some(p) = cx.net.event_place[e as usize] {
            let n = self.marking.get(p);
            self.marking.take(p, n);
        }
        self.kept_inside[e as usize] = None;
        let name = cx.prog.events[e as usize].name.clone();
        self.lost.push((name.clone(), date, reason));
        self.log(cx.prog, date, None, || What::EventLost {
            name,
            reason: reason.to_string(),
        });
    }

    fn stick(&mut self, cx: &Ctx, token: Option<u32>, at: At, date: NaiveDate, reason: String) {
        if let Some(t) = token {
            // The token stays on its place (the marking shows where the case is stuck), but
            // moves no more.
            self.tokens[t as usize].alive = false;
        }
        let (w, s) = cx.prog.name(at);
        self.stuck.get_or_insert(Stuck {
            date,
            step: format!("{w}.{s}"),
            reason: reason.clone(),
        });
        self.log(cx.prog, date, Some(at), || What::Stuck { reason });
    }

    /// Close the case when no branch is left on a step or at a join; what is still kept is lost.
    fn close_if_done(&mut self, cx: &Ctx, date: NaiveDate) {
        if self.closed.is_some() || self.marking.get(cx.net.end) == 0 {
            return;
        }
        let busy = self.marking.0.iter().any(|&(p, _)| {
            matches!(
                cx.net.places[p as usize],
                PlaceKind::At { .. } | PlaceKind::JoinInput { .. }
            )
        });
        if busy {
            return;
        }
        self.closed = Some(date);
        for e in 0..self.kept_inside.len() as u32 {
            if self.kept_inside[e as usize].is_some() {
                self.lose_inside(cx, e, date, "the case closed before a step took it");
            }
        }
        for (name, _) in std::mem::take(&mut self.kept_outside) {
            self.unused
                .push((name.clone(), date, "the case closed before a step took it"));
            self.log(cx.prog, date, None, || What::EventLost {
                name,
                reason: "the case closed before a step took it".into(),
            });
        }
        let outcome = self.outcome.clone().unwrap_or_default();
        self.log(cx.prog, date, None, || What::Closed { outcome });
    }
}
