//! A case's life as a Petri net: one entry workflow with every referral inlined, compiled once
//! per program and shared by the explorer, the case machine and the simulator.
//!
//! ## Places
//!
//! - `at(c, s)`: the case is at step `s` of the workflow instance `c` (a *context*: the entry
//!   workflow, or a workflow entered by a referral from another context), for every step but
//!   joins;
//! - `in(c, j, p)`: a branch has arrived at join `j` from step `p`, one place per step that
//!   leads to the join (so a join waits for one branch from each input, and a second branch
//!   from the same input waits for the next firing: it never counts for another input);
//! - `event(e)`: event `e`, raised by a step of the case (`emits`), is pending. The place has
//!   capacity 1: a second raise while one is pending is the same pending report;
//! - `end`: the sink, marked when the entry workflow ends.
//!
//! Events from outside the case (an application, a job offer) have no place: the world may send
//! them at any time, so a trigger on one needs only its wait. Nor has an event that no wait of
//! this entry workflow's process takes: raising it reaches no one by design (a participant
//! referred to AME by another unit has no försörjningsstöd cycle to report absence to).
//!
//! ## Transitions (each labelled with the step it executes, [`Label`])
//!
//! - task, decision: one per `next` route, `at(c, s)` → the route target;
//! - fork: one, `at(c, s)` → every branch;
//! - join: one per `next` route, every `in(c, j, ·)` → the route target;
//! - wait: one per trigger, `at(c, s)` (and `event(e)` for an event of the case) → the target;
//! - referral to a workflow: *call*, `at(c, s)` → `at(c', start)` of the child context `c'`;
//!   each end of `c'` *returns*, `at(c', end)` → the target `returns` maps its outcome to (no
//!   transition for an outcome the referral does not map: the case is stuck there);
//! - referral to a unit outside the model: one *answer* per `returns` entry (or routes, when it
//!   awaits no answer);
//! - end of the entry workflow: `at(c₀, end)` → `end`.
//!
//! Entering a step that `emits` an event also puts a token on the event's place. "The target"
//! of a move is `at(c, t)`, or `in(c, t, s)` when `t` is a join reached from `s`.
//!
//! Contexts nest at most [`MAX_DEPTH`] referrals deep (a workflow that refers to itself would
//! otherwise unfold for ever); a referral deeper than that has no call transition and is listed
//! in [`WorkflowNet::cut`].

use crate::model::StepKind;
use crate::net::{Marking, Net};
use crate::semantics::program::{At, Program};

/// The deepest nesting of referrals compiled.
pub const MAX_DEPTH: usize = 8;

/// The most contexts (workflow instances) compiled for one entry workflow.
pub const MAX_CONTEXTS: usize = 4096;

/// A workflow instance: the entry workflow, or one entered by a referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The workflow.
    pub workflow: u32,
    /// The context and referral step it was entered from (none for the entry workflow).
    pub parent: Option<(u32, At)>,
    /// Referrals above it.
    pub depth: usize,
}

/// What a place stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    /// The case is at a step.
    At {
        /// Context.
        ctx: u32,
        /// Step.
        at: At,
    },
    /// A branch arrived at a join from one of its inputs.
    JoinInput {
        /// Context.
        ctx: u32,
        /// The join.
        join: At,
        /// The input it came from.
        from: At,
    },
    /// An event of the case is pending.
    Event(u32),
    /// The case has ended.
    End,
}

/// How a transition leaves its step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// The `i`-th `next` route of a task or decision (or of an external referral awaiting no
    /// answer).
    Route(u32),
    /// A fork starts its branches.
    Fork,
    /// A join fires, on its `i`-th route.
    Join(u32),
    /// The `i`-th trigger of a wait.
    Trigger(u32),
    /// The `i`-th answer of a referral to a unit outside the model.
    Answer(u32),
    /// A referral enters its workflow.
    Call,
    /// An end of a referred workflow answers its referral.
    Return,
    /// An end of the entry workflow.
    End,
}

/// A transition's meaning: the step it executes, in which context, how, and what it enters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The context of the step.
    pub ctx: u32,
    /// The step executed (the one whose token leaves; the join, for a join firing).
    pub step: At,
    /// How.
    pub how: Move,
    /// The steps entered, with their contexts, in the order written (a join's input does not
    /// enter the join: the join is executed when it fires).
    pub enters: Vec<(u32, At)>,
    /// The steps the move leads to as written (joins included), in order.
    pub targets: Vec<At>,
}

/// One entry workflow compiled: the net and the meaning of its places and transitions.
#[derive(Debug, Clone)]
pub struct WorkflowNet {
    /// The entry workflow.
    pub root: u32,
    /// The net (its initial marking: the entry workflow's start).
    pub net: Net,
    /// What each place stands for.
    pub places: Vec<PlaceKind>,
    /// What each transition does.
    pub labels: Vec<Label>,
    /// The contexts; 0 is the entry workflow.
    pub contexts: Vec<Context>,
    /// `at(c, s)` by context and step index.
    pub at_place: Vec<Vec<Option<u32>>>,
    /// The place of each event of the case (by event index), when some step raises it.
    pub event_place: Vec<Option<u32>>,
    /// The sink.
    pub end: u32,
    /// Referrals not compiled because they nest deeper than [`MAX_DEPTH`] (or the contexts
    /// would exceed [`MAX_CONTEXTS`]): (context, referral step).
    pub cut: Vec<(u32, At)>,
    /// Transitions out of each `at` place, in route / trigger / answer order.
    pub out: Vec<Vec<u32>>,
}

impl WorkflowNet {
    /// Compile entry workflow `root` of `prog`.
    pub fn compile(prog: &Program, root: u32) -> WorkflowNet {
        let mut wn = WorkflowNet {
            root,
            net: Net::default(),
            places: Vec::new(),
            labels: Vec::new(),
            contexts: vec![Context {
                workflow: root,
                parent: None,
                depth: 0,
            }],
            at_place: Vec::new(),
            event_place: vec![None; prog.events.len()],
            end: 0,
            cut: Vec::new(),
            out: Vec::new(),
        };
        wn.end = wn.place("end".into(), PlaceKind::End, None);
        // Contexts, breadth first: each referral to a workflow opens a child context.
        let mut children: Vec<Vec<(At, u32)>> = Vec::new();
        let mut c = 0;
        while c < wn.contexts.len() {
            let ctx = wn.contexts[c].clone();
            let w = &prog.workflows[ctx.workflow as usize];
            let mut kids = Vec::new();
            for (si, s) in w.steps.iter().enumerate() {
                let at = At {
                    w: ctx.workflow,
                    s: si as u32,
                };
                if s.kind != StepKind::Referral {
                    continue;
                }
                let Some(tw) = s.refer_workflow else { continue };
                if ctx.depth >= MAX_DEPTH || wn.contexts.len() >= MAX_CONTEXTS {
                    wn.cut.push((c as u32, at));
                    continue;
                }
                wn.contexts.push(Context {
                    workflow: tw,
                    parent: Some((c as u32, at)),
                    depth: ctx.depth + 1,
                });
                kids.push((at, (wn.contexts.len() - 1) as u32));
            }
            children.push(kids);
            c += 1;
        }
        // An event place for each event a step raises and a wait of this case's process takes.
        // An event no step of the process waits for has no place: raising it does nothing here
        // (a participant referred by another unit has no försörjningsstöd cycle to report to).
        let mut received = vec![false; prog.events.len()];
        for ctx in &wn.contexts {
            for s in &prog.workflows[ctx.workflow as usize].steps {
                for (t, _) in &s.on {
                    if let super::program::Trig::Event(e) = t {
                        received[*e as usize] = true;
                    }
                }
            }
        }
        for (e, info) in prog.events.iter().enumerate() {
            if info.internal && received[e] {
                let p = wn.place(
                    format!("event:{}", info.name),
                    PlaceKind::Event(e as u32),
                    Some(1),
                );
                wn.event_place[e] = Some(p);
            }
        }
        // Places: `at` for every step but joins, `in` for every join input.
        for (c, ctx) in wn.contexts.clone().iter().enumerate() {
            let w = &prog.workflows[ctx.workflow as usize];
            let mut row = Vec::with_capacity(w.steps.len());
            for (si, s) in w.steps.iter().enumerate() {
                let at = At {
                    w: ctx.workflow,
                    s: si as u32,
                };
                if s.kind == StepKind::Join {
                    row.push(None);
                    for &from in &s.join_inputs {
                        wn.place(
                            format!("c{c}:{}.{}<{}", w.name, s.name, prog.name(from).1),
                            PlaceKind::JoinInput {
                                ctx: c as u32,
                                join: at,
                                from,
                            },
                            None,
                        );
                    }
                } else {
                    row.push(Some(wn.place(
                        format!("c{c}:{}.{}", w.name, s.name),
                        PlaceKind::At { ctx: c as u32, at },
                        None,
                    )));
                }
            }
            wn.at_place.push(row);
        }
        wn.out = vec![Vec::new(); wn.places.len()];
        // Transitions.
        for (c, ctx) in wn.contexts.clone().iter().enumerate() {
            let c = c as u32;
            let w = &prog.workflows[ctx.workflow as usize];
            for (si, s) in w.steps.iter().enumerate() {
                let at = At {
                    w: ctx.workflow,
                    s: si as u32,
                };
                let here = wn.at_place[c as usize][si];
                match s.kind {
                    StepKind::Task | StepKind::Decision => {
                        for (i, (to, _)) in s.next.iter().enumerate() {
                            wn.step_move(prog, c, at, Move::Route(i as u32), &[*to]);
                        }
                    }
                    StepKind::Fork => {
                        let to: Vec<At> = s.next.iter().map(|(t, _)| *t).collect();
                        if !to.is_empty() {
                            wn.step_move(prog, c, at, Move::Fork, &to);
                        }
                    }
                    StepKind::Join => {
                        let pre: Vec<(u32, u32)> = s
                            .join_inputs
                            .iter()
                            .filter_map(|&from| wn.join_place(c, at, from))
                            .map(|p| (p, 1))
                            .collect();
                        // A join nothing leads to never fires (and must not be a source).
                        let routes = if pre.is_empty() { &[][..] } else { &s.next[..] };
                        for (i, (to, _)) in routes.iter().enumerate() {
                            let mut post = Vec::new();
                            // A join that emits raises its event when it fires.
                            wn.emit(prog, at, &mut post);
                            let enters = wn.target(prog, c, at, *to, &mut post);
                            let mut all = vec![(c, at)];
                            all.extend(enters);
                            wn.transition(
                                Label {
                                    ctx: c,
                                    step: at,
                                    how: Move::Join(i as u32),
                                    enters: all,
                                    targets: vec![*to],
                                },
                                &pre,
                                &post,
                            );
                        }
                    }
                    StepKind::Wait => {
                        for (i, (trig, to)) in s.on.iter().enumerate() {
                            let mut pre = vec![(here.unwrap_or(0), 1)];
                            if let super::program::Trig::Event(e) = trig {
                                if let Some(p) = wn.event_place[*e as usize] {
                                    pre.push((p, 1));
                                }
                            }
                            let mut post = Vec::new();
                            let enters = wn.target(prog, c, at, *to, &mut post);
                            wn.transition(
                                Label {
                                    ctx: c,
                                    step: at,
                                    how: Move::Trigger(i as u32),
                                    enters,
                                    targets: vec![*to],
                                },
                                &pre,
                                &post,
                            );
                        }
                    }
                    StepKind::Referral => match s.refer_workflow {
                        Some(tw) => {
                            let child = children[c as usize]
                                .iter()
                                .find(|(a, _)| *a == at)
                                .map(|&(_, k)| k);
                            let start = prog.workflows[tw as usize].start;
                            if let (Some(k), Some(st)) = (child, start) {
                                let to = At { w: tw, s: st };
                                let mut post = Vec::new();
                                let enters = wn.target(prog, k, to, to, &mut post);
                                wn.transition(
                                    Label {
                                        ctx: c,
                                        step: at,
                                        how: Move::Call,
                                        enters,
                                        targets: vec![to],
                                    },
                                    &[(here.unwrap_or(0), 1)],
                                    &post,
                                );
                            }
                        }
                        None if !s.returns.is_empty() => {
                            for (i, (_, to)) in s.returns.iter().enumerate() {
                                wn.step_move(prog, c, at, Move::Answer(i as u32), &[*to]);
                            }
                        }
                        None => {
                            for (i, (to, _)) in s.next.iter().enumerate() {
                                wn.step_move(prog, c, at, Move::Route(i as u32), &[*to]);
                            }
                        }
                    },
                    StepKind::End => match ctx.parent {
                        None => {
                            let end = wn.end;
                            wn.transition(
                                Label {
                                    ctx: c,
                                    step: at,
                                    how: Move::End,
                                    enters: Vec::new(),
                                    targets: Vec::new(),
                                },
                                &[(here.unwrap_or(0), 1)],
                                &[(end, 1)],
                            );
                        }
                        Some((pc, referral)) => {
                            let answer = s.outcome.as_deref().unwrap_or("");
                            let target = prog
                                .step(referral)
                                .returns
                                .iter()
                                .find(|(o, _)| o == answer)
                                .map(|(_, t)| *t);
                            if let Some(to) = target {
                                let mut post = Vec::new();
                                let enters = wn.target(prog, pc, referral, to, &mut post);
                                wn.transition(
                                    Label {
                                        ctx: c,
                                        step: at,
                                        how: Move::Return,
                                        enters,
                                        targets: vec![to],
                                    },
                                    &[(here.unwrap_or(0), 1)],
                                    &post,
                                );
                            }
                        }
                    },
                }
            }
        }
        // The start: the entry workflow's first step.
        if let Some(st) = prog.workflows[root as usize].start {
            let to = At { w: root, s: st };
            let mut post = Vec::new();
            wn.target(prog, 0, to, to, &mut post);
            let mut m = Marking::default();
            for (p, n) in post {
                m.add(p, n, wn.net.places[p as usize].capacity);
            }
            wn.net.initial = m;
        }
        wn
    }

    fn place(&mut self, name: String, kind: PlaceKind, capacity: Option<u32>) -> u32 {
        self.places.push(kind);
        self.net.add_place(name, capacity)
    }

    fn transition(&mut self, label: Label, pre: &[(u32, u32)], post: &[(u32, u32)]) {
        let name = format!("c{}:{:?}:{:?}", label.ctx, label.step, label.how);
        let t = self.net.add_transition(name, pre, post);
        if let Some(&(p, _)) = pre.first() {
            if matches!(self.places[p as usize], PlaceKind::At { .. }) {
                self.out[p as usize].push(t);
            }
        }
        debug_assert_eq!(t as usize, self.labels.len());
        self.labels.push(label);
    }

    /// A move of step `at` in context `c` (not a join) into `to`: one target, or a fork's many.
    fn step_move(&mut self, prog: &Program, c: u32, at: At, how: Move, to: &[At]) {
        let Some(here) = self.at_place[c as usize][at.s as usize] else {
            return;
        };
        let mut post = Vec::new();
        let mut enters = Vec::new();
        for &t in to {
            enters.extend(self.target(prog, c, at, t, &mut post));
        }
        self.transition(
            Label {
                ctx: c,
                step: at,
                how,
                enters,
                targets: to.to_vec(),
            },
            &[(here, 1)],
            &post,
        );
    }

    /// The place(s) a move from `from` into `to` (both in context `c`) marks, added to `post`;
    /// the steps entered. A step that emits also marks its event.
    fn target(
        &self,
        prog: &Program,
        c: u32,
        from: At,
        to: At,
        post: &mut Vec<(u32, u32)>,
    ) -> Vec<(u32, At)> {
        if prog.step(to).kind == StepKind::Join {
            if let Some(p) = self.join_place(c, to, from) {
                post.push((p, 1));
            }
            return Vec::new();
        }
        if let Some(p) = self.at_place[c as usize][to.s as usize] {
            post.push((p, 1));
        }
        self.emit(prog, to, post);
        vec![(c, to)]
    }

    fn emit(&self, prog: &Program, at: At, post: &mut Vec<(u32, u32)>) {
        if let Some(e) = prog.step(at).emits {
            if let Some(p) = self.event_place[e as usize] {
                post.push((p, 1));
            }
        }
    }

    /// `in(c, join, from)`.
    pub fn join_place(&self, c: u32, join: At, from: At) -> Option<u32> {
        // Join input places are few per join: a linear scan over the context's places.
        self.places
            .iter()
            .position(|k| *k == PlaceKind::JoinInput { ctx: c, join, from })
            .map(|p| p as u32)
    }

    /// `at(c, s)`.
    pub fn at(&self, c: u32, at: At) -> Option<u32> {
        self.at_place
            .get(c as usize)
            .and_then(|row| row.get(at.s as usize))
            .copied()
            .flatten()
    }

    /// Whether place `p` holds a pending event.
    pub fn is_event(&self, p: u32) -> bool {
        matches!(self.places[p as usize], PlaceKind::Event(_))
    }

    /// The steps holding a token in `m` (steps a case is at, and joins with an arrived branch).
    pub fn steps_in(&self, m: &[(u32, u32)]) -> Vec<(u32, At)> {
        let mut out: Vec<(u32, At)> = Vec::new();
        for &(p, _) in m {
            let item = match self.places[p as usize] {
                PlaceKind::At { ctx, at } => (ctx, at),
                PlaceKind::JoinInput { ctx, join, .. } => (ctx, join),
                _ => continue,
            };
            if !out.contains(&item) {
                out.push(item);
            }
        }
        out
    }
}
