//! The net other tools see: a compiled [`WorkflowNet`] as a labelled place/transition net
//! without capacities, whose visible transitions are the activities of steg's event logs.
//!
//! ## Labels
//!
//! A transition of the workflow net executes a step ([`super::Label`]); its activity
//! is the step as `workflow.step` ([`activity`]), the name the event log writes. Routing is
//! silent:
//!
//! - a wait's triggers move the case on without work: silent (the step that follows is the
//!   event that shows which trigger it was);
//! - a step left by one of several routes (a decision's `next`, a join's conditional `next`, a
//!   unit's answers) is one visible transition into a place `chosen(step)`, then one silent
//!   transition per route: the log has one event per executed step, whichever way it went;
//! - every other move (a task's only route, a fork, a join's only route, a referral's call, an
//!   end answering its referral, the entry workflow's end) is one visible transition.
//!
//! ## Pending events without capacities
//!
//! A pending event of the case has a place of capacity 1 in the workflow net: a second raise
//! while one is pending is the same report, and a report that lapses (`keep:`) or is still
//! pending when the case closes is lost. Tools such as pm4py and ProM know no capacities, so the
//! place gets a complement `free(e)`: a move that raises the event takes `free(e)`, a wait's
//! trigger that takes the event gives it back through a place `used(e)` and a silent
//! `reset(e)` (so that the shortest silent way from `event(e)` to `free(e)` is the lapse, which
//! pm4py's replay takes to clear a report), and a silent `lapse(e)` (`event(e)` → `free(e)`) is
//! a report lost. A raise while one is pending is then a lapse and a raise, the
//! same visible behaviour. The final marking is the sink `end` with every `free(e)`; the
//! visible language is that of the workflow net.

use super::{Move, PlaceKind, Program, WorkflowNet};
use crate::net::{Marking, Net};
use std::collections::BTreeMap;

/// A labelled net with initial and final marking (a Petri net as process-mining tools take it).
#[derive(Debug, Clone)]
pub struct LabelledNet {
    /// The entry workflow it was compiled from.
    pub name: String,
    /// The net; its initial marking is the case's start.
    pub net: Net,
    /// The marking of a case that has ended.
    pub final_marking: Marking,
    /// Each transition's activity (`workflow.step`), `None` for a silent one.
    pub labels: Vec<Option<String>>,
    /// The workflow net transition each transition stands for (a silent helper: `None`).
    pub origin: Vec<Option<u32>>,
}

/// The activity a workflow-net transition writes to the log: its step as `workflow.step`, or
/// `None` for a wait's trigger (routing only).
pub fn activity(prog: &Program, wn: &WorkflowNet, t: u32) -> Option<String> {
    let label = &wn.labels[t as usize];
    if matches!(label.how, Move::Trigger(_)) {
        return None;
    }
    let (w, s) = prog.name(label.step);
    Some(format!("{w}.{s}"))
}

impl LabelledNet {
    /// The labelled net of `wn` (see the module docs).
    pub fn of(prog: &Program, wn: &WorkflowNet) -> LabelledNet {
        let mut net = Net::default();
        for p in &wn.net.places {
            net.add_place(p.name.clone(), None);
        }
        // The complement of each event place.
        let mut free: BTreeMap<u32, u32> = BTreeMap::new();
        let mut used: BTreeMap<u32, u32> = BTreeMap::new();
        for (p, kind) in wn.places.iter().enumerate() {
            if let PlaceKind::Event(e) = kind {
                let name = &prog.events[*e as usize].name;
                free.insert(p as u32, net.add_place(format!("free:{name}"), None));
                used.insert(p as u32, net.add_place(format!("used:{name}"), None));
            }
        }
        // A move that raises an event takes its complement; one that takes it gives it back
        // (a move that does both leaves both as they are).
        let rewrite = |pre: &[(u32, u32)], post: &[(u32, u32)]| {
            let mut pre2 = pre.to_vec();
            let mut post2 = post.to_vec();
            for (&p, &f) in &free {
                let taken = pre.iter().find(|x| x.0 == p).map_or(0, |x| x.1);
                let raised = post.iter().find(|x| x.0 == p).map_or(0, |x| x.1);
                if raised > taken {
                    pre2.push((f, raised - taken));
                } else if taken > raised {
                    post2.push((used[&p], taken - raised));
                }
            }
            (pre2, post2)
        };
        // Groups of moves of one step by one of several routes, sharing their pre-set.
        let mut groups: BTreeMap<(u32, u32, u32, u8), Vec<u32>> = BTreeMap::new();
        for (t, label) in wn.labels.iter().enumerate() {
            let class = match label.how {
                Move::Route(_) => 0,
                Move::Join(_) => 1,
                Move::Answer(_) => 2,
                _ => continue,
            };
            groups
                .entry((label.ctx, label.step.w, label.step.s, class))
                .or_default()
                .push(t as u32);
        }
        let mut split: BTreeMap<u32, (u32, bool)> = BTreeMap::new(); // t → (chosen place, first)
        for ts in groups.values() {
            let pre = &wn.net.transitions[ts[0] as usize].pre;
            if ts.len() < 2
                || ts
                    .iter()
                    .any(|&t| wn.net.transitions[t as usize].pre != *pre)
            {
                continue;
            }
            let label = &wn.labels[ts[0] as usize];
            let (w, s) = prog.name(label.step);
            let chosen = net.add_place(format!("c{}:{w}.{s}:chosen", label.ctx), None);
            for (i, &t) in ts.iter().enumerate() {
                split.insert(t, (chosen, i == 0));
            }
        }
        let mut labels = Vec::new();
        let mut origin = Vec::new();
        for (t, tr) in wn.net.transitions.iter().enumerate() {
            let t = t as u32;
            let (pre, post) = rewrite(&tr.pre, &tr.post);
            let act = activity(prog, wn, t);
            match split.get(&t) {
                Some(&(chosen, first)) => {
                    // The step's move takes what the routes share; each route raises its own.
                    if first {
                        let (pre, mut post) = rewrite(&tr.pre, &[]);
                        post.push((chosen, 1));
                        net.add_transition(tr.name.clone(), &pre, &post);
                        labels.push(act);
                        origin.push(None);
                    }
                    let (mut pre, post) = rewrite(&[], &tr.post);
                    pre.push((chosen, 1));
                    net.add_transition(format!("{}:route", tr.name), &pre, &post);
                    labels.push(None);
                    origin.push(Some(t));
                }
                None => {
                    net.add_transition(tr.name.clone(), &pre, &post);
                    labels.push(act);
                    origin.push(Some(t));
                }
            }
        }
        for (&p, &f) in &free {
            let name = wn.net.places[p as usize].name.clone();
            net.add_transition(format!("{name}:lapse"), &[(p, 1)], &[(f, 1)]);
            net.add_transition(format!("{name}:reset"), &[(used[&p], 1)], &[(f, 1)]);
            labels.extend([None, None]);
            origin.extend([None, None]);
        }
        let mut initial = wn.net.initial.clone();
        let mut final_marking = Marking::of(&[wn.end]);
        for (&p, &f) in &free {
            if initial.get(p) == 0 {
                initial.add(f, 1, None);
            }
            final_marking.add(f, 1, None);
        }
        net.initial = initial;
        LabelledNet {
            name: prog.workflows[wn.root as usize].name.clone(),
            net,
            final_marking,
            labels,
            origin,
        }
    }

    /// The same net with only the activities `keep` accepts visible (the others silent): the
    /// model as a log that records only those activities sees it.
    pub fn observing(&self, keep: impl Fn(&str) -> bool) -> LabelledNet {
        let mut out = self.clone();
        for l in &mut out.labels {
            if l.as_deref().is_some_and(|a| !keep(a)) {
                *l = None;
            }
        }
        out
    }

    /// The visible activities, each once, in transition order.
    pub fn activities(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for l in self.labels.iter().flatten() {
            if !out.contains(&l.as_str()) {
                out.push(l);
            }
        }
        out
    }
}
