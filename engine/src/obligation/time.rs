//! Time along the branch of a case that carries an obligation, with the runtime's notion of
//! time: a step takes its declared `duration` (0 when none), a timer fires after its period
//! unless an event comes first, an event may come at any time.
//!
//! From the step that starts the clock, two values per branch position (step and call stack):
//!
//! - `lo`: the latest *earliest* time the target can come, over every choice of conditions and
//!   events (events as early as possible, the shortest timers, the shortest durations). Above
//!   the limit, the obligation is broken whatever the timing: the choices of the witness path
//!   make the target late even at full speed.
//! - `hi`: the latest time the target can come with the declared upper bounds; `None` when
//!   nothing bounds it (an event with no timer, a join, an answer from outside). Within the
//!   limit, the obligation holds in time.
//!
//! Conditions and waits are the adversary's choice (max); at a fork every branch runs, so the
//! first branch to reach the target counts (min); a join passes on this branch's time (a lower
//! bound). Both are least fixpoints over the positions reachable without the target, computed
//! by iteration with values capped just above the limit, so loops that take time without the
//! target drive `lo` up to the cap (broken) and loops with no time do not. O(P · E · C) for P
//! positions, E edges and a cap of C days.

use crate::duration::Duration;
use crate::model::StepKind;
use crate::semantics::program::{Anchor, At, Program, Trig};
use std::collections::HashMap;

/// A time as whole months and days (calendar months are 28 to 31 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct T {
    pub m: u32,
    pub d: u32,
}

impl T {
    fn of(d: Duration) -> T {
        T {
            m: d.months,
            d: d.days,
        }
    }
    fn lo(self) -> u32 {
        self.m.saturating_mul(28).saturating_add(self.d)
    }
    fn hi(self) -> u32 {
        self.m.saturating_mul(31).saturating_add(self.d)
    }
    fn add(self, o: T) -> T {
        T {
            m: self.m.saturating_add(o.m),
            d: self.d.saturating_add(o.d),
        }
    }
    fn max_by_lo(self, o: T) -> T {
        if (o.lo(), o.m) > (self.lo(), self.m) {
            o
        } else {
            self
        }
    }
    fn min_by_lo(self, o: T) -> T {
        if (o.lo(), o.m) < (self.lo(), self.m) {
            o
        } else {
            self
        }
    }
}

impl std::fmt::Display for T {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Duration {
            months: self.m,
            days: self.d,
        }
        .fmt(f)
    }
}

/// Whether `t` is certainly later than `limit`, whatever the calendar.
pub(crate) fn later(t: T, limit: Duration) -> bool {
    let (m, d, lm, ld) = (t.m, t.d, limit.months, limit.days);
    if m >= lm {
        (m - lm).saturating_mul(28).saturating_add(d) > ld
    } else {
        t.lo() > T::of(limit).hi()
    }
}

/// Whether `t` is certainly not later than `limit`, whatever the calendar.
pub(crate) fn within(t: T, limit: Duration) -> bool {
    (t.m <= limit.months && t.d <= limit.days) || t.hi() <= T::of(limit).lo()
}

/// How a branch leaves the analysis.
#[derive(Debug, Clone)]
enum Exit {
    /// The target: time 0.
    Target,
    /// The obligation no longer applies: time 0.
    Discharged,
    /// The target never comes on this branch (the case ends, the answer is not expected):
    /// nothing bounds it, but it is not a lateness either (other checks report it).
    Never(String),
}

#[derive(Debug, Clone)]
struct Edge {
    to: Result<usize, Exit>,
    lo: T,
    hi: Option<T>,
    /// Why `hi` is unbounded here.
    why: Option<String>,
    /// How the move happens, for the path (`after 3mo`, `event x`).
    note: Option<String>,
}

#[derive(Debug)]
struct Pos {
    at: At,
    fork: bool,
    lo: T,
    hi: T,
    /// Why the step's own time has no upper bound: its work waits in a staff queue.
    queued: Option<String>,
    edges: Vec<Edge>,
}

/// What the analysis is about.
pub(crate) struct Query<'a> {
    pub prog: &'a Program,
    /// The step that must come (`None`: none can, so everything until discharge counts).
    pub target: Option<At>,
    /// Steps that discharge the obligation.
    pub unless: &'a [At],
    /// For "every": the workflow whose plan it is; leaving it discharges, and its ends too.
    pub home: Option<u32>,
}

/// The result from one starting step.
pub(crate) struct Answer {
    /// Latest earliest time of the target.
    pub lo: T,
    /// The path that makes it that late: steps with how each was reached.
    pub late_path: Vec<(At, Option<String>)>,
    /// Upper bound, if any.
    pub hi: Option<T>,
    /// The path that makes the target latest at the longest declared times (when `hi` is
    /// bounded): steps with how each was reached.
    pub slow_path: Vec<(At, Option<String>)>,
    /// Why there is no upper bound.
    pub why: Option<String>,
    /// Whether `lo` reached the cap (a loop adds time without the target).
    pub capped: bool,
}

const MAX_DEPTH: usize = 8;

fn dur(prog: &Program, at: At) -> (T, T) {
    match prog.step(at).duration {
        Some(r) => (T::of(r.min), T::of(r.max)),
        None => (T::default(), T::default()),
    }
}

/// Analyse from `start` (with an empty call stack) against `limit`.
pub(crate) fn analyse(q: &Query, start: At, limit: Duration) -> Answer {
    let mut index: HashMap<(At, Vec<At>), usize> = HashMap::new();
    let mut keys: Vec<(At, Vec<At>)> = vec![(start, Vec::new())];
    index.insert((start, Vec::new()), 0);
    let mut pos: Vec<Pos> = Vec::new();
    let mut i = 0;
    while i < keys.len() {
        let (at, stack) = keys[i].clone();
        let p = build(q, at, &stack, &mut index, &mut keys);
        pos.push(p);
        i += 1;
    }
    let cap = T::of(limit).hi().saturating_mul(2).saturating_add(62);
    let mut lo = vec![T::default(); pos.len()];
    let mut hi: Vec<Option<T>> = vec![Some(T::default()); pos.len()];
    loop {
        let mut changed = false;
        for n in (0..pos.len()).rev() {
            let p = &pos[n];
            let mut best_lo: Option<T> = None;
            let mut best_hi: Option<Option<T>> = None;
            for e in &p.edges {
                let (tlo, thi) = match &e.to {
                    Ok(t) => (lo[*t], hi[*t]),
                    Err(Exit::Never(_)) => (T::default(), None),
                    Err(_) => (T::default(), Some(T::default())),
                };
                let l = e.lo.add(tlo);
                let h = match (e.hi, thi) {
                    (Some(a), Some(b)) => Some(a.add(b)),
                    _ => None,
                };
                best_lo = Some(match best_lo {
                    None => l,
                    Some(b) if p.fork => b.min_by_lo(l),
                    Some(b) => b.max_by_lo(l),
                });
                best_hi = Some(match best_hi {
                    None => h,
                    Some(b) if p.fork => match (b, h) {
                        (Some(x), Some(y)) => Some(if y.hi() < x.hi() { y } else { x }),
                        (Some(x), None) | (None, Some(x)) => Some(x),
                        (None, None) => None,
                    },
                    Some(b) => match (b, h) {
                        (Some(x), Some(y)) => Some(T {
                            m: x.m.max(y.m),
                            d: x.d.max(y.d),
                        }),
                        _ => None,
                    },
                });
            }
            let mut new_lo = p.lo.add(best_lo.unwrap_or_default());
            if new_lo.lo() > cap {
                new_lo = T { m: 0, d: cap + 1 };
            }
            let mut new_hi = match best_hi {
                // A step with no way on: nothing bounds when the target comes.
                None => None,
                Some(_) if p.queued.is_some() => None,
                Some(h) => h.map(|h| p.hi.add(h)),
            };
            if new_hi.is_some_and(|h| h.hi() > cap) {
                new_hi = None;
            }
            if (new_lo.lo(), new_lo.m) > (lo[n].lo(), lo[n].m) {
                lo[n] = new_lo;
                changed = true;
            }
            if new_hi != hi[n]
                && (new_hi.is_none()
                    || hi[n].is_some_and(|h| new_hi.is_some_and(|x| x.hi() >= h.hi())))
            {
                hi[n] = new_hi;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // The witness of lateness: follow the choices that make the target latest, until it comes
    // or the time is past the limit.
    let mut late_path = vec![(start, None)];
    let mut n = 0usize;
    let mut spent = T::default();
    for _ in 0..400 {
        let p = &pos[n];
        spent = spent.add(p.lo);
        if later(spent, limit) {
            break;
        }
        let value = |e: &Edge| {
            e.lo.add(match &e.to {
                Ok(t) => lo[*t],
                Err(_) => T::default(),
            })
        };
        let pick = if p.fork {
            p.edges.iter().min_by_key(|e| (value(e).lo(), value(e).m))
        } else {
            p.edges.iter().max_by_key(|e| (value(e).lo(), value(e).m))
        };
        let Some(e) = pick else { break };
        spent = spent.add(e.lo);
        match &e.to {
            Ok(t) => {
                late_path.push((pos[*t].at, e.note.clone()));
                n = *t;
            }
            Err(Exit::Target) => {
                if let Some(b) = q.target {
                    late_path.push((b, e.note.clone()));
                }
                break;
            }
            Err(_) => break,
        }
        if later(spent, limit) {
            break;
        }
    }
    // The witness of slowness: at the longest declared times, follow the choices that make the
    // target latest (a fork: the branch that brings it soonest).
    let mut slow_path = vec![(start, None)];
    if hi[0].is_some() {
        let mut n = 0usize;
        let mut seen = vec![false; pos.len()];
        while !seen[n] {
            seen[n] = true;
            let p = &pos[n];
            let value = |e: &Edge| -> u32 {
                let rest = match &e.to {
                    Ok(t) => hi[*t],
                    Err(_) => Some(T::default()),
                };
                match (e.hi, rest) {
                    (Some(a), Some(b)) => a.add(b).hi(),
                    _ => u32::MAX,
                }
            };
            let pick = if p.fork {
                p.edges.iter().min_by_key(|e| value(e))
            } else {
                p.edges.iter().max_by_key(|e| value(e))
            };
            let Some(e) = pick else { break };
            match &e.to {
                Ok(t) => {
                    slow_path.push((pos[*t].at, e.note.clone()));
                    n = *t;
                }
                Err(Exit::Target) => {
                    if let Some(b) = q.target {
                        slow_path.push((b, e.note.clone()));
                    }
                    break;
                }
                Err(_) => break,
            }
        }
    }
    // Why nothing bounds it: follow an unbounded choice to its cause.
    let mut why = None;
    if hi[0].is_none() {
        let mut n = 0usize;
        let mut seen = vec![false; pos.len()];
        while !seen[n] {
            seen[n] = true;
            let p = &pos[n];
            if let Some(q) = &p.queued {
                why = Some(q.clone());
                break;
            }
            if p.edges.is_empty() {
                let (w, s) = q.prog.name(p.at);
                why = Some(format!("`{w}.{s}` has no way on"));
                break;
            }
            let unbounded = |e: &&Edge| {
                e.hi.is_none()
                    || match &e.to {
                        Ok(t) => hi[*t].is_none(),
                        Err(Exit::Never(_)) => true,
                        Err(_) => false,
                    }
            };
            let Some(e) = p.edges.iter().find(unbounded) else {
                break;
            };
            if let Some(w) = &e.why {
                why = Some(w.clone());
                break;
            }
            match &e.to {
                Ok(t) => n = *t,
                Err(Exit::Never(w)) => {
                    why = Some(w.clone());
                    break;
                }
                Err(_) => break,
            }
        }
        if why.is_none() {
            why = Some("time adds up in a loop without it".to_string());
        }
    }
    Answer {
        lo: lo[0],
        late_path,
        hi: hi[0],
        slow_path,
        why,
        capped: lo[0].lo() > cap,
    }
}

fn build(
    q: &Query,
    at: At,
    stack: &[At],
    index: &mut HashMap<(At, Vec<At>), usize>,
    keys: &mut Vec<(At, Vec<At>)>,
) -> Pos {
    let prog = q.prog;
    let step = prog.step(at);
    let (dlo, dhi) = dur(prog, at);
    let name = |a: At| {
        let (w, s) = prog.name(a);
        format!("`{w}.{s}`")
    };
    let mut edges = Vec::new();
    let mut go = |to: At,
                  stack: Vec<At>,
                  lo: T,
                  hi: Option<T>,
                  why: Option<String>,
                  note: Option<String>|
     -> Edge {
        // A join is executed when it fires: a branch that arrives there reaches it no sooner,
        // and no declared time bounds when the other inputs arrive.
        let (hi, why) = if Some(to) == q.target && prog.step(to).kind == StepKind::Join {
            (
                None,
                Some(format!(
                    "{} is a join, reached only when every input has arrived",
                    name(to)
                )),
            )
        } else {
            (hi, why)
        };
        let exit = if Some(to) == q.target {
            Some(Exit::Target)
        } else if q.unless.contains(&to)
            || q.home
                .is_some_and(|h| to.w != h && !stack.iter().any(|f| f.w == h))
        {
            Some(Exit::Discharged)
        } else {
            None
        };
        let to = match exit {
            Some(x) => Err(x),
            None => {
                let key = (to, stack);
                Ok(match index.get(&key) {
                    Some(&i) => i,
                    None => {
                        let i = keys.len();
                        index.insert(key.clone(), i);
                        keys.push(key);
                        i
                    }
                })
            }
        };
        Edge {
            to,
            lo,
            hi,
            why,
            note,
        }
    };
    let zero = T::default();
    let mut fork = false;
    match step.kind {
        StepKind::Task | StepKind::Decision => {
            for (to, _) in &step.next {
                edges.push(go(*to, stack.to_vec(), zero, Some(zero), None, None));
            }
        }
        StepKind::Fork => {
            fork = true;
            for (to, _) in &step.next {
                edges.push(go(*to, stack.to_vec(), zero, Some(zero), None, None));
            }
        }
        StepKind::Join => {
            for (to, _) in &step.next {
                edges.push(go(
                    *to,
                    stack.to_vec(),
                    zero,
                    None,
                    Some(format!(
                        "the branch waits at join {} for the others",
                        name(at)
                    )),
                    None,
                ));
            }
        }
        StepKind::Wait => {
            // A timer's time from entering the wait: at least `lo`, at most `hi` (none when it
            // may not fire again: a one-shot timer not counted from the entry, or one counted
            // from a step).
            let timer = |t: &Trig| -> Option<(T, Option<T>)> {
                match t {
                    Trig::Event(_) => None,
                    Trig::After(d, Anchor::Entry) | Trig::Every(d, Anchor::Entry) => {
                        Some((T::of(*d), Some(T::of(*d))))
                    }
                    // A recurring timer on a schedule fires a period after its last firing:
                    // its period is the time between firings (late firings aside, which come
                    // only when the branch is busy, never at the shortest times).
                    Trig::Every(d, Anchor::FirstEntry | Anchor::CaseStart) => {
                        Some((T::of(*d), Some(T::of(*d))))
                    }
                    Trig::After(..) | Trig::Every(..) => Some((zero, None)),
                }
            };
            let shortest = step
                .on
                .iter()
                .filter_map(|(t, _)| timer(t).and_then(|(_, h)| h))
                .min_by_key(|t| (t.lo(), t.hi()));
            for (trig, to) in &step.on {
                match trig {
                    Trig::Event(_) => {
                        let why = shortest.is_none().then(|| {
                            let events: Vec<String> = step
                                .on
                                .iter()
                                .filter_map(|(t, _)| match t {
                                    Trig::Event(_) => Some(format!("`{}`", t.label(prog))),
                                    _ => None,
                                })
                                .collect();
                            format!("{} waits for {} with no timer", name(at), events.join(", "))
                        });
                        edges.push(go(
                            *to,
                            stack.to_vec(),
                            zero,
                            shortest,
                            why,
                            Some(format!("event {}", trig.label(prog))),
                        ));
                    }
                    timer_trig => {
                        let Some((lo, hi)) = timer(timer_trig) else {
                            continue;
                        };
                        match hi {
                            Some(h)
                                if shortest
                                    .is_some_and(|s| (s.lo(), s.hi()) == (h.lo(), h.hi())) =>
                            {
                                edges.push(go(
                                    *to,
                                    stack.to_vec(),
                                    lo,
                                    Some(h),
                                    None,
                                    Some(timer_trig.label(prog)),
                                ));
                            }
                            Some(_) => {}
                            None => edges.push(go(
                                *to,
                                stack.to_vec(),
                                lo,
                                None,
                                Some(format!(
                                    "the timer `{}` of {} may not fire again",
                                    timer_trig.label(prog),
                                    name(at)
                                )),
                                Some(timer_trig.label(prog)),
                            )),
                        }
                    }
                }
            }
        }
        StepKind::Referral => match step.refer_workflow {
            Some(w) => {
                let start = prog.workflows.get(w as usize).and_then(|pw| pw.start);
                match start {
                    Some(s) if stack.len() < MAX_DEPTH => {
                        let mut st = stack.to_vec();
                        st.push(at);
                        edges.push(go(At { w, s }, st, zero, Some(zero), None, None));
                    }
                    _ => edges.push(Edge {
                        to: Err(Exit::Never(format!("{} cannot be followed", name(at)))),
                        lo: zero,
                        hi: None,
                        why: None,
                        note: None,
                    }),
                }
            }
            None => {
                let awaited = !step.returns.is_empty();
                let targets: Vec<(At, Option<String>)> = if awaited {
                    step.returns
                        .iter()
                        .map(|(o, to)| (*to, Some(format!("answer {o}"))))
                        .collect()
                } else {
                    step.next.iter().map(|(to, _)| (*to, None)).collect()
                };
                for (to, note) in targets {
                    let (hi, why) = if awaited {
                        (
                            None,
                            Some(format!(
                                "{} waits for an answer from outside the model",
                                name(at)
                            )),
                        )
                    } else {
                        (Some(zero), None)
                    };
                    edges.push(go(to, stack.to_vec(), zero, hi, why, note));
                }
            }
        },
        StepKind::End => match stack.split_last() {
            Some((&referral, rest)) => {
                let outcome = step.outcome.as_deref().unwrap_or("");
                match prog
                    .step(referral)
                    .returns
                    .iter()
                    .find(|(o, _)| o == outcome)
                {
                    Some((o, to)) => edges.push(go(
                        *to,
                        rest.to_vec(),
                        zero,
                        Some(zero),
                        None,
                        Some(format!("answer {o}")),
                    )),
                    None => edges.push(Edge {
                        to: Err(Exit::Never(format!(
                            "{} does not expect the answer `{outcome}`",
                            name(referral)
                        ))),
                        lo: zero,
                        hi: None,
                        why: None,
                        note: None,
                    }),
                }
            }
            None => {
                // Leaving the plan's workflow discharges "every B reviewed": but an end of one
                // branch of a workflow with parallel branches does not leave it, the others
                // may still be there (and bound nothing).
                let parallel = prog.workflows[at.w as usize]
                    .steps
                    .iter()
                    .any(|s| s.kind == StepKind::Fork);
                let exit = match q.home {
                    Some(_) if !parallel => Exit::Discharged,
                    Some(_) => Exit::Never(format!(
                        "{} ends one branch while another may still be in the workflow",
                        name(at)
                    )),
                    None => Exit::Never(format!("the case can end at {}", name(at))),
                };
                edges.push(Edge {
                    to: Err(exit),
                    lo: zero,
                    hi: Some(zero),
                    why: None,
                    note: None,
                });
            }
        },
    }
    // Work that takes a role's staff time may wait in its queue: no declared time bounds that.
    let queued = step
        .role
        .filter(|&r| step.effort_hours > 0.0 && prog.queued_roles.get(r as usize) == Some(&true))
        .map(|r| {
            format!(
                "{} takes `{}` staff time, and work can wait in their queue for any time",
                name(at),
                prog.roles[r as usize]
            )
        });
    Pos {
        at,
        fork,
        lo: dlo,
        hi: dhi,
        queued,
        edges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(m: u32, d: u32) -> T {
        T { m, d }
    }

    #[test]
    fn months_compare_whatever_the_calendar() {
        let three = Duration { months: 3, days: 0 };
        assert!(within(t(3, 0), three) && !later(t(3, 0), three));
        assert!(later(t(3, 1), three) && !within(t(3, 1), three));
        assert!(later(t(4, 0), three));
        // 90 days may or may not be within three months; 95 days never is, 84 always is.
        assert!(!later(t(0, 90), three) && !within(t(0, 90), three));
        assert!(later(t(0, 95), three) && within(t(0, 84), three));
    }
}
