//! The simulation's measure of obligations: from each finished case's step visits (dates of
//! entry), whether the case broke each obligation, and the share of cases that did.
//!
//! - after A, B within D: of the cases that entered A, those that entered B later than D after
//!   A's first entry, or not at all (closed without B, or still without B when D had passed at
//!   the end of their follow-up). A case that enters an `unless` step first is not counted.
//! - every B reviewed within D: of the cases that entered B, those with a gap longer than D
//!   between B or a review and the next review, or the case's close, an end of B's workflow,
//!   an `unless` step, or the end of its follow-up.
//! - referrals return: of the cases referred to a workflow, those stuck on an answer the
//!   referral does not expect, and those that got an answer and closed without a later step of
//!   the referring role.
//! - event E reaches R within D: of the cases where E was raised (or received, for an event
//!   from outside), those where a raise was not followed by one of the steps of R that handle it
//!   (found as in the static check) within D and before the next raise.

use super::{Kind, Reach, Resolved, Target};
use crate::duration::Duration;
use crate::graph::Graph;
use crate::model::StepKind;
use crate::municipality::Municipality;
use crate::run::case::Case;
use crate::semantics::program::{At, Program, Trig};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;

/// The share of simulated cases that broke one obligation.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ObligationShare {
    /// The obligation's id.
    pub id: String,
    /// Its requirement.
    pub requirement: String,
    /// Cases that broke it.
    pub broken: u64,
    /// Cases it applied to.
    pub of: u64,
    /// broken / of (three decimals).
    pub share: Option<f64>,
}

#[derive(Debug, Clone)]
enum Watch {
    After {
        a: At,
        b: Option<At>,
    },
    Every {
        a: At,
        b: Option<At>,
    },
    Referrals,
    Event {
        origins: Vec<At>,
        hits: Vec<At>,
        name: String,
    },
}

#[derive(Debug, Clone)]
struct Item {
    id: String,
    requirement: String,
    watch: Watch,
    within: Option<Duration>,
    unless: Vec<At>,
    broken: u64,
    of: u64,
}

/// Monitors of every obligation of a municipality, fed finished cases.
#[derive(Debug, Clone)]
pub(crate) struct Monitors {
    items: Vec<Item>,
}

fn late(from: NaiveDate, d: Option<Duration>, at: NaiveDate) -> bool {
    d.and_then(|d| d.after(from)).is_some_and(|due| at > due)
}

impl Monitors {
    pub fn new(m: &Municipality, graph: &Graph, prog: &Program) -> Monitors {
        let resolved = super::resolve_all(m, graph);
        let evaluation: HashMap<String, String> = resolved
            .iter()
            .map(|r| (r.id.clone(), requirement(prog, r)))
            .collect();
        let items = resolved
            .iter()
            .map(|r| {
                let watch = match &r.kind {
                    Kind::After { after, then } => Watch::After {
                        a: *after,
                        b: step(then),
                    },
                    Kind::Every { every, reviewed_by } => Watch::Every {
                        a: *every,
                        b: step(reviewed_by),
                    },
                    Kind::ReferralsReturn => Watch::Referrals,
                    Kind::Event { event, reaches } => {
                        let (origins, hits) = event_steps(prog, event, reaches);
                        Watch::Event {
                            origins,
                            hits,
                            name: event.clone(),
                        }
                    }
                };
                Item {
                    id: r.id.clone(),
                    requirement: evaluation.get(&r.id).cloned().unwrap_or_default(),
                    watch,
                    within: r.within,
                    unless: r.unless.clone(),
                    broken: 0,
                    of: 0,
                }
            })
            .collect();
        Monitors { items }
    }

    /// Fold in a finished case, followed until `horizon`.
    pub fn observe(&mut self, case: &Case, prog: &Program, horizon: NaiveDate) {
        let verdicts = Self::judge_items(&self.items, case, prog, horizon);
        for (item, verdict) in self.items.iter_mut().zip(verdicts) {
            if let Some(broken) = verdict {
                item.of += 1;
                item.broken += u64::from(broken);
            }
        }
    }

    /// For each obligation, in declaration order, its id and whether `case` broke it (`None`:
    /// it does not apply to the case).
    pub fn judge(
        &self,
        case: &Case,
        prog: &Program,
        horizon: NaiveDate,
    ) -> Vec<(String, Option<bool>)> {
        let verdicts = Self::judge_items(&self.items, case, prog, horizon);
        self.items
            .iter()
            .map(|i| i.id.clone())
            .zip(verdicts)
            .collect()
    }

    fn judge_items(
        items: &[Item],
        case: &Case,
        prog: &Program,
        horizon: NaiveDate,
    ) -> Vec<Option<bool>> {
        let end = case.closed.unwrap_or(horizon).min(horizon);
        let visits = &case.visits;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let verdict = match &item.watch {
                Watch::After { a, b } => after(
                    visits,
                    *a,
                    *b,
                    &item.unless,
                    item.within,
                    case.closed.is_some(),
                    end,
                ),
                Watch::Every { a, b } => {
                    every(visits, prog, *a, *b, &item.unless, item.within, end)
                }
                Watch::Referrals => referrals(case, prog),
                Watch::Event {
                    origins,
                    hits,
                    name,
                } => {
                    let lost: Vec<NaiveDate> = case
                        .lost
                        .iter()
                        .filter(|(n, _, _)| n == name)
                        .map(|&(_, d, _)| d)
                        .collect();
                    event(visits, origins, hits, &item.unless, item.within, &lost, end)
                }
            };
            out.push(verdict);
        }
        out
    }

    /// The shares, in declaration order.
    /// Add the counts of another run of the same obligations (a simulation shard).
    pub fn merge(&mut self, other: &Monitors) {
        for (a, b) in self.items.iter_mut().zip(&other.items) {
            a.broken += b.broken;
            a.of += b.of;
        }
    }

    pub fn shares(&self) -> Vec<ObligationShare> {
        self.items
            .iter()
            .map(|i| ObligationShare {
                id: i.id.clone(),
                requirement: i.requirement.clone(),
                broken: i.broken,
                of: i.of,
                share: (i.of > 0)
                    .then(|| (i.broken as f64 / i.of as f64 * 1000.0).round() / 1000.0),
            })
            .collect()
    }
}

fn requirement(prog: &Program, r: &Resolved) -> String {
    r.requirement
        .clone()
        .unwrap_or_else(|| super::analysis::judge_requirement(prog, r))
}

fn step(t: &Target) -> Option<At> {
    match t {
        Target::Step(a) => Some(*a),
        Target::Missing { .. } => None,
    }
}

/// `None`: the obligation did not apply to the case; `Some(broken)` otherwise.
fn after(
    visits: &[(At, NaiveDate)],
    a: At,
    b: Option<At>,
    unless: &[At],
    within: Option<Duration>,
    closed: bool,
    end: NaiveDate,
) -> Option<bool> {
    let i = visits.iter().position(|(x, _)| *x == a)?;
    let t0 = visits[i].1;
    for (x, d) in &visits[i + 1..] {
        if Some(*x) == b {
            return Some(late(t0, within, *d));
        }
        if unless.contains(x) {
            return None;
        }
    }
    Some(closed || late(t0, within, end))
}

fn every(
    visits: &[(At, NaiveDate)],
    prog: &Program,
    a: At,
    b: Option<At>,
    unless: &[At],
    within: Option<Duration>,
    end: NaiveDate,
) -> Option<bool> {
    // The review after B (or a review) at `l` is due `within` later, counted on the calendar
    // of the chain that began at B (31 January, 28 February, 31 March: the dates of a timer
    // `every` from 31 January), as the case machine counts deadlines.
    let due = |l: NaiveDate, day: u32| within.and_then(|d| d.after_keeping_day(l, day));
    let late = |l: NaiveDate, day: u32, at: NaiveDate| due(l, day).is_some_and(|x| at > x);
    let mut applies = false;
    let mut broken = false;
    let mut last: Option<(NaiveDate, u32)> = None;
    for (x, d) in visits {
        if *x == a || Some(*x) == b {
            let day = match last {
                Some((l, day)) => {
                    broken |= late(l, day, *d);
                    if *x == a {
                        d.day()
                    } else {
                        day
                    }
                }
                None => d.day(),
            };
            applies = true;
            last = Some((*d, day));
        } else if let Some((l, day)) = last {
            let ends_home = x.w == a.w && prog.step(*x).kind == StepKind::End;
            if unless.contains(x) || ends_home {
                broken |= late(l, day, *d);
                last = None;
            }
        }
    }
    if let Some((l, day)) = last {
        broken |= late(l, day, end);
    }
    applies.then_some(broken)
}

fn referrals(case: &Case, prog: &Program) -> Option<bool> {
    let visits = &case.visits;
    let mut applies = false;
    let mut broken = case
        .stuck
        .as_ref()
        .is_some_and(|s| s.reason.contains("does not expect the answer"));
    for (i, (x, _)) in visits.iter().enumerate() {
        let step = prog.step(*x);
        let Some(tw) = step.refer_workflow else {
            continue;
        };
        applies = true;
        let Some(role) = &step.actor else { continue };
        // The answer: the first visit to a return target after the case has been in the
        // referred workflow.
        let Some(entered) = visits[i + 1..].iter().position(|(y, _)| y.w == tw) else {
            continue;
        };
        let from = i + 1 + entered;
        let Some(back) = visits[from..]
            .iter()
            .position(|(y, _)| y.w == x.w && step.returns.iter().any(|(_, t)| t == y))
        else {
            // A case that closed without the answer coming back (a recorded log can show
            // it; a simulated case closes only through the answer).
            broken |= case.closed.is_some();
            continue;
        };
        let back = from + back;
        let acted = visits[back..]
            .iter()
            .any(|(y, _)| prog.step(*y).actor.as_deref() == Some(role.as_str()));
        if !acted && case.closed.is_some() {
            broken = true;
        }
    }
    applies.then_some(broken)
}

/// Whether a case broke "event E reaches R": a raise (or, for an event from outside, its
/// receipt) not followed by a handling step of R within D, or the event lost (kept until the
/// case closed, dropped, or lapsed). A raise while an earlier one is still pending is the same
/// pending report. Counting stops at the first `unless` step.
#[allow(clippy::too_many_arguments)]
fn event(
    visits: &[(At, NaiveDate)],
    origins: &[At],
    hits: &[At],
    unless: &[At],
    within: Option<Duration>,
    lost: &[NaiveDate],
    end: NaiveDate,
) -> Option<bool> {
    let stop = visits
        .iter()
        .find(|(x, _)| unless.contains(x))
        .map(|&(_, d)| d);
    let mut applies = false;
    let mut broken = lost.iter().any(|&d| stop.is_none_or(|s| d < s));
    let mut pending: Option<NaiveDate> = None;
    for (x, d) in visits {
        if stop.is_some_and(|s| *d >= s) && unless.contains(x) {
            pending = None;
            break;
        }
        if hits.contains(x) {
            if let Some(p) = pending.take() {
                broken |= late(p, within, *d);
            }
        }
        if origins.contains(x) {
            applies = true;
            if pending.is_none() && !hits.contains(x) {
                pending = Some(*d);
            }
        }
    }
    if let Some(p) = pending {
        broken |= late(p, within, end);
    }
    (applies || broken).then_some(broken)
}

/// The steps where the event starts (its raisers, or for an event from outside, the steps it
/// leads to) and the steps of the target that handle it.
fn event_steps(prog: &Program, event: &str, reaches: &Reach) -> (Vec<At>, Vec<At>) {
    let mut by_event: HashMap<&str, Vec<At>> = HashMap::new();
    let mut emitters = Vec::new();
    for (wi, w) in prog.workflows.iter().enumerate() {
        for (si, s) in w.steps.iter().enumerate() {
            let at = At {
                w: wi as u32,
                s: si as u32,
            };
            for (t, to) in &s.on {
                if let Trig::Event(e) = t {
                    by_event
                        .entry(prog.events[*e as usize].name.as_str())
                        .or_default()
                        .push(*to);
                }
            }
            if s.emits
                .is_some_and(|e| prog.events[e as usize].name == event)
            {
                emitters.push(at);
            }
        }
    }
    let receivers = by_event.get(event).cloned().unwrap_or_default();
    let origins = if emitters.is_empty() {
        receivers.clone()
    } else {
        emitters
    };
    let hit = |a: At| match reaches {
        Reach::Role(r) => prog.step(a).actor.as_deref() == Some(r.as_str()),
        Reach::Step(s) => *s == a,
    };
    let mut hits = Vec::new();
    let mut seen: Vec<At> = Vec::new();
    let mut stack = receivers;
    while let Some(a) = stack.pop() {
        if seen.contains(&a) {
            continue;
        }
        seen.push(a);
        if hit(a) {
            hits.push(a);
            continue;
        }
        let s = prog.step(a);
        if let Some(e2) = s.emits {
            stack.extend(
                by_event
                    .get(prog.events[e2 as usize].name.as_str())
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        if matches!(s.kind, StepKind::Task | StepKind::Decision | StepKind::Fork) {
            stack.extend(s.next.iter().map(|(t, _)| *t));
        }
    }
    (origins, hits)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(s: u32) -> At {
        At { w: 0, s }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn after_counts_late_missing_and_exempt_cases() {
        let three = Some(Duration { months: 3, days: 0 });
        let (a, b, u) = (at(0), at(1), at(2));
        let on_time = [(a, d("2022-01-10")), (b, d("2022-04-10"))];
        assert_eq!(
            after(&on_time, a, Some(b), &[u], three, true, d("2024-01-01")),
            Some(false)
        );
        let late = [(a, d("2022-01-10")), (b, d("2022-04-11"))];
        assert_eq!(
            after(&late, a, Some(b), &[u], three, true, d("2024-01-01")),
            Some(true)
        );
        let exempt = [(a, d("2022-01-10")), (u, d("2022-02-01"))];
        assert_eq!(
            after(&exempt, a, Some(b), &[u], three, true, d("2024-01-01")),
            None
        );
        let open_still_in_time = [(a, d("2022-01-10"))];
        assert_eq!(
            after(
                &open_still_in_time,
                a,
                Some(b),
                &[u],
                three,
                false,
                d("2022-03-01")
            ),
            Some(false)
        );
        assert_eq!(
            after(
                &open_still_in_time,
                a,
                Some(b),
                &[u],
                three,
                true,
                d("2022-03-01")
            ),
            Some(true)
        );
        assert_eq!(
            after(&[], a, Some(b), &[u], three, true, d("2022-03-01")),
            None
        );
    }

    #[test]
    fn event_is_broken_when_lost_or_late_not_when_raised_twice() {
        let (raise, handle) = (at(0), at(1));
        let end = d("2023-01-01");
        let ok = [
            (raise, d("2022-01-01")),
            (handle, d("2022-01-01")),
            (raise, d("2022-02-01")),
            (handle, d("2022-02-03")),
        ];
        assert_eq!(
            event(&ok, &[raise], &[handle], &[], None, &[], end),
            Some(false)
        );
        // A second raise while the first is pending is the same pending report.
        let twice = [
            (raise, d("2022-01-01")),
            (raise, d("2022-02-01")),
            (handle, d("2022-02-03")),
        ];
        assert_eq!(
            event(&twice, &[raise], &[handle], &[], None, &[], end),
            Some(false)
        );
        // Lost: the case machine recorded the loss.
        let kept = [(raise, d("2022-01-01"))];
        assert_eq!(
            event(
                &kept,
                &[raise],
                &[handle],
                &[],
                None,
                &[d("2022-05-01")],
                end
            ),
            Some(true)
        );
        let slow = [(raise, d("2022-01-01")), (handle, d("2022-01-09"))];
        assert_eq!(
            event(
                &slow,
                &[raise],
                &[handle],
                &[],
                Some(Duration::days(5)),
                &[],
                end
            ),
            Some(true)
        );
        // After the case left the cycle the report was for, a raise and its loss do not count.
        let stop = at(2);
        let after_stop = [
            (raise, d("2022-01-01")),
            (handle, d("2022-01-01")),
            (stop, d("2022-03-01")),
            (raise, d("2022-04-01")),
        ];
        assert_eq!(
            event(
                &after_stop,
                &[raise],
                &[handle],
                &[stop],
                None,
                &[d("2022-06-01")],
                end
            ),
            Some(false)
        );
    }
}
