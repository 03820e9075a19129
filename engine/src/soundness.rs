//! Soundness of a municipality's processes: each entry workflow, with its referrals inlined, is
//! compiled into its net (`crate::semantics`) and every reachable marking is explored
//! (`crate::net::space`), conditions, events from outside and timers all taken as free choice.
//! On that state space, what can go wrong, each with the shortest path that shows it:
//!
//! - a branch that waits for ever: a join whose other inputs can no longer arrive, a wait for
//!   an event no step can raise any more (G016);
//! - an end reached while work is still active in another branch (G017);
//! - steps no execution reaches although the graph leads to them (G018);
//! - two branches of a fork meeting in a step that is not a join, which then runs twice, or a
//!   second branch from the same input arriving at a join before it fired (G023);
//! - an event of the case raised where no step can ever take it any more (G022);
//! - the budget hit before any of this could be decided: *not decided* (G019), never "sound".
//!
//! The verdict per entry workflow is classical soundness of its net (option to complete, proper
//! completion, no dead steps), pending events aside; see docs/semantics.md.

use crate::graph::Graph;
use crate::model::StepKind;
use crate::municipality::Municipality;
use crate::net::space::{Budget, Limit, Space};
use crate::semantics::{At, Move, PlaceKind, Program, Semantics, WorkflowNet};
use std::collections::BTreeSet;

/// A branch that waits for ever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadlock {
    /// The join (or wait) where it waits.
    pub at: At,
    /// For a join: inputs arrived, of how many.
    pub arrived: usize,
    /// For a join: inputs it needs.
    pub needed: usize,
    /// The path that leads there.
    pub path: String,
}

/// What soundness found for one entry workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Soundness {
    /// The entry workflow.
    pub workflow: usize,
    /// Markings explored.
    pub states: usize,
    /// Approximate bytes the explored states took.
    pub bytes: usize,
    /// The limit hit before the space was complete.
    pub truncated: Option<Limit>,
    /// Branches that can wait for ever.
    pub deadlocks: Vec<Deadlock>,
    /// Ends reached while other work was active: (end, the active steps, the path).
    pub improper: Vec<(At, Vec<At>, String)>,
    /// Steps of workflows in this net that no execution reaches.
    pub unreached: Vec<At>,
    /// Steps reached by two branches at once: (step, the path, whether it is a join input).
    pub unsafe_steps: Vec<(At, String, bool)>,
    /// A step where branches pile up without bound (a fork in a loop), with the path of one
    /// round that adds one.
    pub unbounded: Option<(At, String)>,
    /// Events of the case that can be raised where no step can take them any more:
    /// (event index, the path to such a state).
    pub lost_events: Vec<(u32, String)>,
    /// Referrals not followed because they nest too deep.
    pub cut: Vec<At>,
    /// The workflows the net includes.
    pub workflows: Vec<u32>,
}

impl Soundness {
    /// Whether the net of this entry workflow includes workflow `w` (itself, or by referral).
    pub fn explores(&self, w: usize) -> bool {
        self.workflows.contains(&(w as u32))
    }

    /// The budget limit hit, when the exploration stopped undecided (an unbounded net is
    /// decided: not sound).
    pub fn undecided(&self) -> Option<Limit> {
        self.truncated
            .filter(|l| !matches!(l, Limit::Unbounded { .. }))
    }

    /// `sound`, `not sound`, `not decided`.
    pub fn verdict(&self) -> &'static str {
        if !self.deadlocks.is_empty()
            || !self.improper.is_empty()
            || !self.unreached.is_empty()
            || !self.unsafe_steps.is_empty()
            || self.unbounded.is_some()
        {
            "not sound"
        } else if self.undecided().is_some() || !self.cut.is_empty() {
            "not decided"
        } else {
            "sound"
        }
    }
}

/// Explore every entry workflow of `m` within `budget`.
pub fn analyse(m: &Municipality, budget: Budget) -> Vec<Soundness> {
    let graph = Graph::build(m);
    let sem = Semantics::new(m, &graph);
    analyse_with(&sem, budget, &|_| false)
}

/// [`analyse`] on compiled semantics, leaving out entry workflows whose net involves a
/// workflow `skip` accepts (one with errors of its own: its findings would repeat them).
pub(crate) fn analyse_with(
    sem: &Semantics,
    budget: Budget,
    skip: &dyn Fn(usize) -> bool,
) -> Vec<Soundness> {
    let mut out = Vec::new();
    for wn in sem.nets.iter().flatten() {
        if wn.contexts.iter().any(|c| skip(c.workflow as usize)) {
            continue;
        }
        out.push(analyse_net(&sem.prog, wn, budget));
    }
    out
}

/// Soundness of one compiled entry workflow.
pub fn analyse_net(prog: &Program, wn: &WorkflowNet, budget: Budget) -> Soundness {
    let space: Space<()> = Space::explore(
        &wn.net,
        &wn.net.initial,
        (),
        budget,
        &mut |(), _, _| ((), false),
        &|()| false,
    );
    let path = |i: u32| show_path(prog, wn, &space.path_to(i));
    let mut s = Soundness {
        workflow: wn.root as usize,
        states: space.len(),
        bytes: space.bytes(),
        truncated: space.truncated,
        deadlocks: Vec::new(),
        improper: Vec::new(),
        unreached: Vec::new(),
        unsafe_steps: Vec::new(),
        unbounded: None,
        lost_events: Vec::new(),
        cut: wn.cut.iter().map(|&(_, a)| a).collect(),
        workflows: {
            let mut v: Vec<u32> = wn.contexts.iter().map(|c| c.workflow).collect();
            v.sort_unstable();
            v.dedup();
            v
        },
    };
    // Tokens that pile up: the place that grew between the covered state and the covering one.
    if let Some(Limit::Unbounded { state, covered }) = space.truncated {
        let big = space.marking(state);
        let small = space.marking(covered);
        let grew = big.iter().find(|&&(p, n)| {
            !wn.is_event(p) && small.iter().find(|&&(q, _)| q == p).map_or(0, |&(_, k)| k) < n
        });
        let at = grew.and_then(|&(p, _)| match wn.places[p as usize] {
            PlaceKind::At { at, .. } => Some(at),
            PlaceKind::JoinInput { join, .. } => Some(join),
            _ => None,
        });
        if let Some(at) = at {
            s.unbounded = Some((at, path(state)));
        }
    }
    // Ends reached while other work is still active: an end of the entry workflow fired and
    // a step or a join still holds a branch.
    let mut seen_ends: BTreeSet<At> = BTreeSet::new();
    for i in 0..space.len() as u32 {
        for e in space.edges(i) {
            let l = &wn.labels[e.transition as usize];
            if l.how != Move::End || seen_ends.contains(&l.step) {
                continue;
            }
            let left = wn.steps_in(space.marking(e.to));
            if !left.is_empty() {
                seen_ends.insert(l.step);
                let mut p = space.path_to(i);
                p.push(e.transition);
                let active: Vec<At> = left.into_iter().map(|(_, a)| a).collect();
                s.improper.push((l.step, active, show_path(prog, wn, &p)));
            }
        }
    }
    // Branches that wait for ever: a join holding a branch in a state from which it can never
    // fire, a wait holding one from which none of its triggers can come. Certain on any part
    // of the space only where the state has no moves left; otherwise only on a complete space.
    let mut seen_waits: BTreeSet<At> = BTreeSet::new();
    let complete = space.truncated.is_none();
    let mut waits: Vec<(u32, At, Vec<u32>, Vec<u32>)> = Vec::new(); // (ctx, step, places, transitions)
    for (c, row) in wn.at_place.iter().enumerate() {
        for (si, p) in row.iter().enumerate() {
            let w = wn.contexts[c].workflow;
            let at = At { w, s: si as u32 };
            let step = prog.step(at);
            match (step.kind, p) {
                (StepKind::Join, _) => {
                    let places: Vec<u32> = step
                        .join_inputs
                        .iter()
                        .filter_map(|&from| wn.join_place(c as u32, at, from))
                        .collect();
                    let ts: Vec<u32> = places
                        .first()
                        .map(|&q| wn.net.consumers(q).to_vec())
                        .unwrap_or_default();
                    waits.push((c as u32, at, places, ts));
                }
                (StepKind::Wait, Some(q)) => {
                    waits.push((c as u32, at, vec![*q], wn.out[*q as usize].clone()))
                }
                _ => {}
            }
        }
    }
    for (c, at, places, ts) in waits {
        if seen_waits.contains(&at) || places.is_empty() {
            continue;
        }
        let holds = |i: u32| space.marking(i).iter().any(|&(p, _)| places.contains(&p));
        let fires: Vec<bool> = (0..space.len() as u32)
            .map(|i| space.edges(i).iter().any(|e| ts.contains(&e.transition)))
            .collect();
        let stuck = if complete {
            let can = space.can_reach(&fires, &|_| true);
            (0..space.len() as u32).find(|&i| holds(i) && !can[i as usize])
        } else {
            (0..space.len() as u32).find(|&i| {
                holds(i) && space.edges(i).is_empty() && {
                    let m = space.marking_of(i);
                    !ts.iter().any(|&t| wn.net.is_enabled(&m, t))
                        && !wn
                            .net
                            .transitions
                            .iter()
                            .enumerate()
                            .any(|(t, _)| wn.net.is_enabled(&m, t as u32))
                }
            })
        };
        let Some(i) = stuck else { continue };
        seen_waits.insert(at);
        let step = prog.step(at);
        let m = space.marking(i);
        let (arrived, needed) = if step.kind == StepKind::Join {
            let arrived = step
                .join_inputs
                .iter()
                .filter(|&&from| {
                    wn.join_place(c, at, from)
                        .is_some_and(|q| m.iter().any(|&(x, _)| x == q))
                })
                .count();
            (arrived, step.join_inputs.len())
        } else {
            (0, 0)
        };
        s.deadlocks.push(Deadlock {
            at,
            arrived,
            needed,
            path: path(i),
        });
    }
    if complete {
        // Steps never reached: no marking puts a token on their place (in any context).
        let mut reached: BTreeSet<At> = BTreeSet::new();
        for i in 0..space.len() as u32 {
            for (_, a) in wn.steps_in(space.marking(i)) {
                reached.insert(a);
            }
            for e in space.edges(i) {
                let l = &wn.labels[e.transition as usize];
                reached.insert(l.step);
                reached.extend(l.enters.iter().map(|&(_, a)| a));
            }
        }
        for &w in &s.workflows {
            for si in 0..prog.workflows[w as usize].steps.len() {
                let a = At { w, s: si as u32 };
                if !reached.contains(&a) {
                    s.unreached.push(a);
                }
            }
        }
        // Events raised where nothing can take them any more.
        for (e, place) in wn.event_place.iter().enumerate() {
            let Some(p) = *place else { continue };
            let takes: Vec<bool> = (0..space.len() as u32)
                .map(|i| {
                    space.edges(i).iter().any(|ed| {
                        wn.net.transitions[ed.transition as usize]
                            .pre
                            .iter()
                            .any(|&(q, _)| q == p)
                    })
                })
                .collect();
            let can_take = space.can_reach(&takes, &|_| true);
            if let Some(i) = (0..space.len() as u32)
                .find(|&i| !can_take[i as usize] && space.marking(i).iter().any(|&(q, _)| q == p))
            {
                s.lost_events.push((e as u32, path(i)));
            }
        }
    }
    // Two branches on one step (or one join input) at once. A step that holds two branches only
    // because an earlier step already did (the steps after an unsynchronised meeting run twice
    // too) is not reported again: the first is the cause.
    let unsafe_place = |i: u32| {
        space.marking(i).iter().find_map(|&(p, k)| {
            (k > 1)
                .then(|| match wn.places[p as usize] {
                    // An end reached by two branches is improper completion (G017).
                    PlaceKind::At { at, .. } if prog.step(at).kind == StepKind::End => None,
                    PlaceKind::At { at, .. } => Some((at, false)),
                    PlaceKind::JoinInput { join, .. } => Some((join, true)),
                    _ => None,
                })
                .flatten()
        })
    };
    let mut caused = vec![false; space.len()];
    let mut seen_unsafe = BTreeSet::new();
    for i in 0..space.len() as u32 {
        // Breadth first: a state's parent comes before it.
        let inherited = space
            .parent(i)
            .is_some_and(|(p, _)| caused[p as usize] || unsafe_place(p).is_some());
        caused[i as usize] = inherited;
        if inherited {
            continue;
        }
        if let Some((at, join)) = unsafe_place(i) {
            if seen_unsafe.insert(at) {
                s.unsafe_steps.push((at, path(i), join));
            }
        }
    }
    s
}

/// A path of fired transitions as text: `a → b → fork ⇒ {x, y}; x → e (end); y → j (join) →
/// …`. A step is named `workflow.step` where the workflow changes.
pub(crate) fn show_path(prog: &Program, wn: &WorkflowNet, path: &[u32]) -> String {
    let mut s = String::new();
    // The step the text last named, and the one whose workflow sets the prefix.
    let mut last: Option<At> = None;
    let mut ctx: Option<At> = None;
    let name = |a: At, ctx: Option<At>| {
        let suffix = match prog.step(a).kind {
            StepKind::End => " (end)",
            StepKind::Join => " (join)",
            _ => "",
        };
        format!("{}{suffix}", prog.qualified(a, ctx.map(|c| c.w)))
    };
    if let Some(st) = prog.workflows[wn.root as usize].start {
        let a = At { w: wn.root, s: st };
        s.push_str(&name(a, None));
        last = Some(a);
        ctx = Some(a);
    }
    for &t in path {
        let l = &wn.labels[t as usize];
        if l.how == Move::End {
            continue;
        }
        if last != Some(l.step) {
            if !s.is_empty() {
                s.push_str("; ");
            }
            s.push_str(&name(l.step, ctx));
            ctx = Some(l.step);
        }
        if l.how == Move::Fork {
            let names: Vec<String> = l.targets.iter().map(|&a| name(a, Some(l.step))).collect();
            s.push_str(&format!(" ⇒ {{{}}}", names.join(", ")));
            last = None;
            continue;
        }
        for &a in &l.targets {
            s.push_str(" → ");
            s.push_str(&name(a, ctx));
            last = Some(a);
            ctx = Some(a);
        }
    }
    s
}
