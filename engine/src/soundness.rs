//! Soundness of a municipality's processes: each entry workflow, with its referrals inlined, is
//! compiled into its net (`crate::semantics`) and every reachable marking is explored
//! (`crate::net::space`), conditions, events from outside and timers all taken as free choice;
//! beyond [`EXACT`] markings, the net is decided by [`crate::net::decide`] (reductions, stubborn
//! sets) instead, with the same findings located at steps ([`analyse_net`]). What can go wrong,
//! each with a path that shows it (the shortest, on a space explored whole):
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
use crate::net::verdict::{Finals, Sink};
use crate::net::{decide, Answer, Decision, Finding, Marking, Net};
use crate::semantics::{At, Move, PlaceKind, Program, Semantics, WorkflowNet};
use std::collections::BTreeSet;

/// A branch that waits for ever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadlock {
    /// The join (or wait) where it waits; for a case that can no longer complete with no join
    /// or wait stuck, the step of a branch that cannot reach an end.
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
    /// Nothing found yet for `wn`, nothing explored.
    fn empty(wn: &WorkflowNet) -> Soundness {
        Soundness {
            workflow: wn.root as usize,
            states: 0,
            bytes: 0,
            truncated: None,
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
        }
    }

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

/// The part of the budget the whole state space is explored in: a space this small gives every
/// finding with its shortest path (about 20 ms in a release build). Beyond it the verdict comes
/// from [`crate::net::decide`].
pub const EXACT: Budget = Budget {
    states: 20_000,
    bytes: 32 << 20,
};

/// Soundness of one compiled entry workflow, within `budget`.
///
/// The state space is explored whole within [`EXACT`] (and `budget`). When it is larger, the
/// verdict is [`crate::net::decide`]'s on the same net (soundness-preserving reductions, then
/// stubborn sets), with the pending events of the case aside; its witnesses are paths of this
/// net, so every finding keeps its step and path. What soundness alone does not answer is asked
/// of `decide` as soundness questions too:
///
/// - two branches on one step (G023): a sound free-choice net without events is safe (van der
///   Aalst, "Verification of workflow nets", 1997: a sound free-choice workflow net is well
///   formed, so covered by S-components each holding the one initial token); otherwise the net
///   is decided again with two tokens on a place counted as a violation;
/// - a lost event (G022): in a sound net, event `e` can be lost exactly when a final marking with
///   `e` pending is reachable, that is, when the net is not sound once `e`'s place counts.
///
/// Where `decide` hits `budget`, the result is *not decided* ([`Soundness::undecided`]), never
/// sound.
pub fn analyse_net(prog: &Program, wn: &WorkflowNet, budget: Budget) -> Soundness {
    analyse_net_within(prog, wn, EXACT, budget)
}

/// [`analyse_net`] with the whole state space explored within `exact` (and `budget`) instead
/// of [`EXACT`]: `exact` of one state takes the verdict from [`decide`] for every net larger
/// than that (the tests compare both ways).
pub fn analyse_net_within(
    prog: &Program,
    wn: &WorkflowNet,
    exact: Budget,
    budget: Budget,
) -> Soundness {
    let events: Vec<bool> = (0..wn.places.len() as u32)
        .map(|p| wn.is_event(p))
        .collect();
    let sink = Sink {
        place: wn.end,
        ignored: &events,
    };
    let d = decide(&wn.net, &sink, budget);
    // Sound, free-choice, without events: nothing is left to ask (no event to lose, and such
    // a net is safe), and the whole space, however large, need not be explored.
    if d.answer == Answer::Sound && safe_by_structure(wn) {
        let mut s = Soundness::empty(wn);
        s.states = d.states;
        s.bytes = d.peak_bytes;
        unreached(prog, wn, &[], &mut s);
        return s;
    }
    // Each state of the whole space costs a look at every transition: a wide net gets fewer.
    let moves = EXACT_MOVES / wn.net.transitions.len().max(1);
    let exact = Budget {
        states: budget.states.min(exact.states).min(moves.max(1)),
        bytes: budget.bytes.min(exact.bytes),
    };
    let whole = explored(prog, wn, exact);
    match whole.truncated {
        Some(Limit::States(_) | Limit::Bytes(_)) => decided(prog, wn, &sink, d, budget, whole),
        _ => whole,
    }
}

/// The most states times transitions the whole space is explored for (about 4 million
/// successor checks); see [`analyse_net`].
const EXACT_MOVES: usize = 4_000_000;

/// Soundness read off the whole state space of `wn`, explored within `budget`; on a space the
/// budget cut short, only what is certain on the part explored.
fn explored(prog: &Program, wn: &WorkflowNet, budget: Budget) -> Soundness {
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
        states: space.len(),
        bytes: space.bytes(),
        truncated: space.truncated,
        ..Soundness::empty(wn)
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
    // too) is not reported again: the first is the cause. A step is reported when some run
    // meets it as its first unsafe state.
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
    // The first meetings: states with two branches on a step that some run reaches with every
    // earlier state safe (clean). Whether a state counts does not depend on the order the space
    // was explored in.
    let n = space.len();
    let mut clean = vec![false; n];
    if n > 0 && unsafe_place(0).is_none() {
        clean[0] = true;
        let mut stack = vec![0u32];
        while let Some(i) = stack.pop() {
            for e in space.edges(i) {
                if !clean[e.to as usize] && unsafe_place(e.to).is_none() {
                    clean[e.to as usize] = true;
                    stack.push(e.to);
                }
            }
        }
    }
    let mut first = vec![n == 0 || unsafe_place(0).is_some(); n.min(1)];
    first.resize(n, false);
    for i in 0..n as u32 {
        if clean[i as usize] {
            for e in space.edges(i) {
                first[e.to as usize] = true;
            }
        }
    }
    let mut seen_unsafe = BTreeSet::new();
    for i in 0..n as u32 {
        if !first[i as usize] {
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

/// [`analyse_net`] beyond [`EXACT`]: `d`, the verdict of [`decide`] for `sink` within `budget`,
/// its findings located at steps. `part` is the exploration cut short at [`EXACT`]; what it
/// found is certain and kept.
fn decided(
    prog: &Program,
    wn: &WorkflowNet,
    sink: &Sink,
    d: Decision,
    budget: Budget,
    part: Soundness,
) -> Soundness {
    let mut s = Soundness {
        states: d.states,
        bytes: d.peak_bytes,
        truncated: None,
        ..part
    };
    let show = |path: &[u32]| show_path(prog, wn, path);
    match d.answer {
        Answer::NotDecided(limit) => {
            s.truncated = Some(limit);
            return s;
        }
        Answer::NotSound(findings) => {
            for f in findings {
                locate(prog, wn, &f, &mut s);
            }
            if s.deadlocks.is_empty()
                && s.improper.is_empty()
                && s.unreached.is_empty()
                && s.unsafe_steps.is_empty()
                && s.unbounded.is_none()
            {
                // Only transitions that never fire, none of them a step's only way in (a trigger
                // whose event is never pending there): sound as steps go, so on to the rest.
            } else {
                return s;
            }
        }
        Answer::Sound => {
            unreached(prog, wn, &[], &mut s);
            if !s.unreached.is_empty() {
                return s;
            }
        }
    }
    // Two branches on one step.
    if !safe_by_structure(wn) {
        let safe = Safe { sink };
        match decide(&wn.net, &safe, budget).answer {
            Answer::NotDecided(limit) => s.truncated = Some(limit),
            Answer::NotSound(findings) => {
                for f in &findings {
                    let (Finding::Improper { path, .. }
                    | Finding::Deadlock { path, .. }
                    | Finding::Livelock { path, .. }
                    | Finding::Unbounded { path, .. }) = f
                    else {
                        continue;
                    };
                    if let Some((at, join, upto)) = first_unsafe(prog, wn, path) {
                        if !s.unsafe_steps.iter().any(|u| u.0 == at) {
                            s.unsafe_steps.push((at, show(&path[..upto]), join));
                        }
                    }
                }
            }
            Answer::Sound => {}
        }
    }
    // Events raised where nothing can take them any more.
    for (e, place) in wn.event_place.iter().enumerate() {
        let Some(p) = *place else { continue };
        if prog.events[e].keep.is_some() || s.lost_events.iter().any(|l| l.0 == e as u32) {
            continue;
        }
        let mut ignored = sink.ignored.to_vec();
        ignored[p as usize] = false;
        let counted = Sink {
            place: wn.end,
            ignored: &ignored,
        };
        match decide(&wn.net, &counted, budget).answer {
            Answer::NotDecided(limit) => s.truncated = s.truncated.or(Some(limit)),
            Answer::NotSound(findings) => {
                if let Some(path) = findings.iter().find_map(|f| match f {
                    Finding::Improper { path, .. }
                    | Finding::Deadlock { path, .. }
                    | Finding::Livelock { path, .. }
                    | Finding::Unbounded { path, .. } => Some(path),
                    Finding::Dead { .. } => None,
                }) {
                    s.lost_events.push((e as u32, show(path)));
                }
            }
            Answer::Sound => {}
        }
    }
    s
}

/// A finding of [`decide`] on `wn`'s net, located at steps in `s`.
fn locate(prog: &Program, wn: &WorkflowNet, f: &Finding, s: &mut Soundness) {
    let show = |path: &[u32]| show_path(prog, wn, path);
    match f {
        Finding::Deadlock { path, marking } | Finding::Livelock { path, marking } => {
            // The joins and waits holding a branch that cannot move on.
            let mut found = false;
            for (c, at) in wn.steps_in(&marking.0) {
                if s.deadlocks.iter().any(|d| d.at == at) {
                    found = true;
                    continue;
                }
                let step = prog.step(at);
                let d = match step.kind {
                    StepKind::Join => {
                        let places: Vec<u32> = step
                            .join_inputs
                            .iter()
                            .filter_map(|&from| wn.join_place(c, at, from))
                            .collect();
                        let fires = places.first().is_some_and(|&q| {
                            wn.net
                                .consumers(q)
                                .iter()
                                .any(|&t| wn.net.is_enabled(marking, t))
                        });
                        if fires {
                            continue;
                        }
                        let arrived = places.iter().filter(|&&q| marking.get(q) > 0).count();
                        Deadlock {
                            at,
                            arrived,
                            needed: step.join_inputs.len(),
                            path: show(path),
                        }
                    }
                    StepKind::Wait => {
                        let Some(q) = wn.at(c, at) else { continue };
                        if wn.out[q as usize]
                            .iter()
                            .any(|&t| wn.net.is_enabled(marking, t))
                        {
                            continue;
                        }
                        Deadlock {
                            at,
                            arrived: 0,
                            needed: 0,
                            path: show(path),
                        }
                    }
                    _ => continue,
                };
                found = true;
                s.deadlocks.push(d);
            }
            if !found {
                // No join or wait is stuck where the case can no longer complete: the branch
                // that cannot get to the end is named at its step.
                if let Some(&(_, at)) = wn.steps_in(&marking.0).first() {
                    s.deadlocks.push(Deadlock {
                        at,
                        arrived: 0,
                        needed: 0,
                        path: show(path),
                    });
                }
            }
        }
        Finding::Improper { path, .. } => {
            // The first marking on the path with the case ended and work left: the end fired,
            // and the steps still holding a branch.
            let mut m: Marking = wn.net.initial.clone();
            let mut end = None;
            for (i, &t) in path.iter().enumerate() {
                if !wn.net.is_enabled(&m, t) {
                    break;
                }
                wn.net.fire_in(&mut m, t);
                let l = &wn.labels[t as usize];
                if l.how == Move::End {
                    end = Some(l.step);
                }
                let Some(end) = end.filter(|_| m.get(wn.end) > 0) else {
                    continue;
                };
                let active: Vec<At> = wn.steps_in(&m.0).into_iter().map(|(_, a)| a).collect();
                if active.is_empty() {
                    continue;
                }
                if !s.improper.iter().any(|x| x.0 == end) {
                    s.improper.push((end, active, show(&path[..=i])));
                }
                break;
            }
        }
        Finding::Unbounded { path, place, .. } => {
            let at = match wn.places[*place as usize] {
                PlaceKind::At { at, .. } => Some(at),
                PlaceKind::JoinInput { join, .. } => Some(join),
                _ => None,
            };
            if let (Some(at), None) = (at, &s.unbounded) {
                s.unbounded = Some((at, show(path)));
            }
        }
        Finding::Dead { transitions } => unreached(prog, wn, transitions, s),
    }
}

/// Steps no execution reaches, given the transitions that never fire (on a complete space):
/// steps no other transition leads to or leaves from (a join no step leads to has none).
fn unreached(prog: &Program, wn: &WorkflowNet, dead: &[u32], s: &mut Soundness) {
    let mut live = vec![true; wn.net.transitions.len()];
    for &t in dead {
        live[t as usize] = false;
    }
    let mut reached: BTreeSet<At> = wn
        .steps_in(&wn.net.initial.0)
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    for (t, tr) in wn.net.transitions.iter().enumerate() {
        if !live[t] {
            continue;
        }
        let l = &wn.labels[t];
        reached.insert(l.step);
        reached.extend(l.enters.iter().map(|&(_, a)| a));
        reached.extend(wn.steps_in(&tr.post).into_iter().map(|(_, a)| a));
    }
    for &w in &s.workflows {
        for si in 0..prog.workflows[w as usize].steps.len() {
            let a = At { w, s: si as u32 };
            if !reached.contains(&a) && !s.unreached.contains(&a) {
                s.unreached.push(a);
            }
        }
    }
}

/// Whether `wn`'s net is safe whenever it is sound, by its structure: free-choice (transitions
/// that share an input place have the same input places), ordinary (every arc of weight 1),
/// without events and capacities.
fn safe_by_structure(wn: &WorkflowNet) -> bool {
    let net: &Net = &wn.net;
    if wn.event_place.iter().any(Option::is_some) || net.places.iter().any(|p| p.capacity.is_some())
    {
        return false;
    }
    let ordinary = net
        .transitions
        .iter()
        .all(|t| t.pre.iter().chain(&t.post).all(|&(_, w)| w == 1));
    ordinary
        && (0..net.place_count() as u32).all(|p| {
            let cs = net.consumers(p);
            cs.windows(2)
                .all(|w| net.transitions[w[0] as usize].pre == net.transitions[w[1] as usize].pre)
        })
}

/// The final condition of a compiled workflow with two tokens on a counted place as a violation.
struct Safe<'a> {
    sink: &'a Sink<'a>,
}

impl Finals for Safe<'_> {
    fn is_final(&self, m: &[(u32, u32)]) -> bool {
        self.sink.is_final(m)
    }
    fn overshoots(&self, m: &[(u32, u32)]) -> bool {
        self.sink.overshoots(m) || m.iter().any(|&(p, n)| n > 1 && self.sink.counts(p))
    }
    fn counts(&self, p: u32) -> bool {
        self.sink.counts(p)
    }
    fn mentions(&self, p: u32) -> bool {
        self.sink.mentions(p)
    }
    fn must_be_safe(&self) -> bool {
        true
    }
}

/// The first step (or join input) along `path` that holds two branches: the step, whether it is
/// a join input, and the length of the path that puts the second branch there.
fn first_unsafe(prog: &Program, wn: &WorkflowNet, path: &[u32]) -> Option<(At, bool, usize)> {
    let mut m: Marking = wn.net.initial.clone();
    for (i, &t) in path.iter().enumerate() {
        if !wn.net.is_enabled(&m, t) {
            return None;
        }
        wn.net.fire_in(&mut m, t);
        let hit = m.0.iter().find_map(|&(p, k)| {
            (k > 1)
                .then(|| match wn.places[p as usize] {
                    PlaceKind::At { at, .. } if prog.step(at).kind == StepKind::End => None,
                    PlaceKind::At { at, .. } => Some((at, false)),
                    PlaceKind::JoinInput { join, .. } => Some((join, true)),
                    _ => None,
                })
                .flatten()
        });
        if let Some((at, join)) = hit {
            return Some((at, join, i + 1));
        }
    }
    None
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
