//! The static verdict on each obligation.
//!
//! - "after A, B" and "every B reviewed by R": the case's states are explored as in
//!   [`crate::soundness`], with referrals followed into the referred workflows (call stacks) and
//!   a small monitor in each state (A passed and B pending; a review due). Broken when a state
//!   with B pending is the end of the case, or when from a state with B pending B can no longer
//!   come while the case can still go round a loop. Conditions and events are free choice, but
//!   fair: a loop that keeps passing a route towards B is not, by itself, a violation.
//! - Time (`within`): [`super::time`], along the branch that carries the obligation.
//! - "referrals return": per referral, on the graph: the outcomes the referred workflow can end
//!   with against its `returns`, and from each answer's target, whether a path ends the case
//!   without a step of the role that referred.
//! - "event E reaches R": from each step that waits for E, the steps the case goes through until
//!   it waits again, following events raised on the way (`emits`) to the steps that wait for
//!   them; broken when a choice of conditions gets back to waiting without R.

use super::time::{self, Query};
use super::{Finding, Kind, Reach, Resolved, Status, Target, Verdict};
use crate::graph::Graph;
use crate::model::StepKind;
use crate::net::space::{Budget, Space, MARKED};
use crate::semantics::program::{At, Program, Trig};
use crate::semantics::{Move, PlaceKind, Semantics, WorkflowNet};
use crate::soundness::show_path;
use std::collections::{HashMap, VecDeque};

fn q(prog: &Program, a: At) -> String {
    let (w, s) = prog.name(a);
    format!("`{w}.{s}`")
}

/// The requirement in words, generated from the obligation.
pub(crate) fn judge_requirement(prog: &Program, r: &Resolved) -> String {
    let within = |pre: &str| r.within.map(|d| format!("{pre}{d}")).unwrap_or_default();
    match &r.kind {
        Kind::After { after, then } => {
            let b = match then {
                Target::Step(b) => q(prog, *b),
                Target::Missing { name, .. } => format!("`{name}`"),
            };
            format!("{b}{} after {}", within(" within "), q(prog, *after))
        }
        Kind::Every { every, reviewed_by } => {
            let b = match reviewed_by {
                Target::Step(b) => q(prog, *b),
                Target::Missing { name, .. } => format!("`{name}`"),
            };
            format!(
                "every {} reviewed by {b}{}",
                q(prog, *every),
                within(" at least every ")
            )
        }
        Kind::ReferralsReturn => {
            "every referral returns to its referrer on every answer".to_string()
        }
        Kind::Event { event, reaches } => {
            let to = match reaches {
                Reach::Role(role) => format!("`{role}`"),
                Reach::Step(a) => q(prog, *a),
            };
            format!("event `{event}` reaches {to}{}", within(" within "))
        }
    }
}

/// The verdict on one obligation.
pub(crate) fn judge(graph: &Graph, sem: &Semantics, r: &Resolved) -> Verdict {
    let prog = &sem.prog;
    let mut findings = Vec::new();
    let mut not_shown: Option<(String, String)> = None;
    let kind = match &r.kind {
        Kind::After { after, then } => {
            match then {
                Target::Missing { name, hint } => findings.push(missing(
                    prog,
                    *after,
                    name,
                    hint.as_deref(),
                    "nothing can follow",
                    "kan inget följa",
                )),
                Target::Step(b) => {
                    states(sem, r, *after, *b, false, &mut findings, &mut not_shown);
                    if let Some(d) = r.within {
                        let q = Query {
                            prog,
                            target: Some(*b),
                            unless: &r.unless,
                            home: None,
                        };
                        timed(prog, &q, *after, *b, d, &mut findings, &mut not_shown);
                    }
                }
            }
            "after"
        }
        Kind::Every { every, reviewed_by } => {
            match reviewed_by {
                Target::Missing { name, hint } => findings.push(missing(
                    prog,
                    *every,
                    name,
                    hint.as_deref(),
                    "it is never reviewed",
                    "följs det aldrig upp",
                )),
                Target::Step(b) => {
                    states(sem, r, *every, *b, true, &mut findings, &mut not_shown);
                    if let Some(d) = r.within {
                        let q = Query {
                            prog,
                            target: Some(*b),
                            unless: &r.unless,
                            home: Some(every.w),
                        };
                        timed(prog, &q, *every, *b, d, &mut findings, &mut not_shown);
                        if findings.is_empty() {
                            timed(prog, &q, *b, *b, d, &mut findings, &mut not_shown);
                        }
                    }
                }
            }
            "every"
        }
        Kind::ReferralsReturn => {
            referrals(graph, prog, r, &mut findings);
            "referrals_return"
        }
        Kind::Event { event, reaches } => {
            events(prog, r, event, reaches, &mut findings, &mut not_shown);
            if findings.is_empty() {
                kept_events(sem, r, event, &mut findings, &mut not_shown);
            }
            "event"
        }
    };
    let reason_sv = not_shown.as_ref().map(|(_, sv)| sv.clone());
    let status = if !findings.is_empty() {
        Status::Broken
    } else if let Some((why, _)) = not_shown {
        Status::NotShown(why)
    } else {
        Status::Holds
    };
    Verdict {
        id: r.id.clone(),
        kind,
        requirement: r
            .requirement
            .clone()
            .unwrap_or_else(|| judge_requirement(prog, r)),
        shortfall: r.shortfall.clone(),
        source: r.source.clone(),
        status,
        reason_sv,
        findings,
        severity: r.severity,
        span: r.span.clone(),
    }
}

fn missing(
    prog: &Program,
    a: At,
    name: &str,
    hint: Option<&str>,
    consequence: &str,
    konsekvens: &str,
) -> Finding {
    Finding {
        message: format!(
            "the configuration has no step `{name}`, so {consequence} after {}",
            q(prog, a)
        ),
        sv: format!(
            "modellen har inget steg `{name}`, så {konsekvens} efter {}",
            q(prog, a)
        ),
        help: match hint {
            Some(h) => format!(
                "did you mean `{h}`? Otherwise add the step, and a route to it from {}",
                q(prog, a)
            ),
            None => format!(
                "add the step `{name}` the obligation requires, and a route to it from {}",
                q(prog, a)
            ),
        },
        at: Some(a),
        for_some: false,
    }
}

/// The state-space part of "after" (`every == false`) and "every" (`every == true`), on the
/// net of each entry workflow.
#[allow(clippy::too_many_arguments)]
fn states(
    sem: &Semantics,
    r: &Resolved,
    a: At,
    b: At,
    every: bool,
    findings: &mut Vec<Finding>,
    not_shown: &mut Option<(String, String)>,
) {
    let prog = &sem.prog;
    let bq = q(prog, b);
    let aq = q(prog, a);
    for wn in sem.nets.iter().flatten() {
        // Places inside A's workflow (or a workflow it referred to), ends of it excepted: the
        // plan's workflow is left when no token is on one of them.
        let inside: Vec<bool> = wn
            .places
            .iter()
            .map(|k| match *k {
                PlaceKind::At { ctx, at } => {
                    let mut c = Some(ctx);
                    let mut home = false;
                    while let Some(x) = c {
                        let cx = &wn.contexts[x as usize];
                        if cx.workflow == a.w && !(x == ctx && prog.step(at).kind == StepKind::End)
                        {
                            home = true;
                            break;
                        }
                        c = cx.parent.map(|p| p.0);
                    }
                    home
                }
                PlaceKind::JoinInput { ctx, .. } => {
                    let mut c = Some(ctx);
                    let mut home = false;
                    while let Some(x) = c {
                        if wn.contexts[x as usize].workflow == a.w {
                            home = true;
                            break;
                        }
                        c = wn.contexts[x as usize].parent.map(|p| p.0);
                    }
                    home
                }
                _ => false,
            })
            .collect();
        let start = prog.workflows[wn.root as usize]
            .start
            .map(|s| At { w: wn.root, s });
        let unless = &r.unless;
        let mut monitor = |s: u8, t: u32, after: &crate::net::Marking| -> (u8, bool) {
            let label = &wn.labels[t as usize];
            let mut s = s;
            for &(_, x) in &label.enters {
                if every {
                    // A review restarts the clock of a plan already made.
                    if x == a {
                        s = 1;
                    } else if unless.contains(&x) {
                        s = 0;
                    }
                } else if s == 0 && x == a {
                    s = 1;
                } else if s == 1 && (x == b || unless.contains(&x)) {
                    s = 2;
                }
            }
            if every && s == 1 && !after.0.iter().any(|&(p, _)| inside[p as usize]) {
                s = 0;
            }
            (s, every && label.enters.iter().any(|&(_, x)| x == b))
        };
        // The start step is entered before any move.
        let s0 = u8::from(start == Some(a));
        let space = Space::explore(
            &wn.net,
            &wn.net.initial,
            s0,
            Budget::CHECK,
            &mut monitor,
            &|s| !every && s == 2,
        );
        if !wn.cut.is_empty() {
            not_shown.get_or_insert_with(|| {
                (
                    format!(
                        "referrals nest deeper than {}; the obligation is checked only in part",
                        crate::semantics::MAX_DEPTH
                    ),
                    format!(
                        "anvisningar i fler än {} led; kravet är bara delvis prövat",
                        crate::semantics::MAX_DEPTH
                    ),
                )
            });
        }
        if let Some(limit) = space.truncated {
            not_shown.get_or_insert_with(|| {
                (
                    format!("the states of a case exceed the budget ({limit}); the obligation is checked only in part"),
                    format!("ärendets tillstånd är fler än gränsen ({limit}); kravet är bara delvis prövat"),
                )
            });
        }
        let pending = |i: u32| space.value(i) == 1;
        let busy = |i: u32| {
            space
                .marking(i)
                .iter()
                .any(|&(p, _)| !wn.is_event(p) && p != wn.end)
        };
        // A case that ends with B pending.
        if !every {
            if let Some(i) = (0..space.len() as u32).find(|&i| pending(i) && !busy(i)) {
                let path = show_path(prog, wn, &space.path_to(i));
                findings.push(Finding {
                    message: format!("{path} ends the case without {bq} (after {aq})"),
                    sv: format!("{} avslutar ärendet utan {bq} (efter {aq})", sv_path(&path)),
                    help: format!("add a route to {bq} on this path, or list the step that exempts such cases under `unless:`"),
                    at: Some(b),
                    for_some: false,
                });
            }
        }
        // B can no longer come, and the case can go on: from a pending state, no move towards B
        // (or a discharge) can be reached, but a loop can.
        let towards: Vec<bool> = (0..space.len() as u32)
            .map(|i| {
                pending(i)
                    && space.edges(i).iter().any(|e| {
                        if every {
                            e.flags & MARKED != 0
                        } else {
                            space.value(e.to) == 2
                        }
                    })
            })
            .collect();
        let can = space.can_reach(&towards, &pending);
        let (comp, cyclic) = space.sccs(&pending);
        let in_loop: Vec<bool> = (0..space.len())
            .map(|i| comp[i] != u32::MAX && cyclic[comp[i] as usize])
            .collect();
        let loops = space.can_reach(&in_loop, &pending);
        // One finding per obligation: a case that ends without B says it best.
        let ended = !findings.is_empty();
        let stranded = (0..space.len() as u32)
            .find(|&i| !ended && pending(i) && !can[i as usize] && loops[i as usize]);
        if let Some(i) = stranded {
            let path = show_path(prog, wn, &space.path_to(i));
            let cycle = space
                .loop_from(i, &pending)
                .map(|c| format!(", going round {}", show_loop(prog, wn, &c)))
                .unwrap_or_default();
            let what = if every {
                format!("{aq} can no longer be reviewed by {bq}")
            } else {
                format!("{bq} can no longer come")
            };
            let vad = if every {
                format!("kan {aq} inte längre följas upp av {bq}")
            } else {
                format!("kan {bq} inte längre komma")
            };
            let varv = space
                .loop_from(i, &pending)
                .map(|c| format!(", i slingan {}", sv_path(&show_loop(prog, wn, &c))))
                .unwrap_or_default();
            findings.push(Finding {
                message: format!("after {path}, {what}, yet the case goes on{cycle}"),
                sv: format!("efter {} {vad}, men ärendet fortsätter{varv}", sv_path(&path)),
                help: if every {
                    format!("add a route (a timer, a condition) from the loop to {bq}, or end the obligation with `unless:` where the plan no longer applies")
                } else {
                    format!("add a route from this loop to {bq}")
                },
                at: Some(b),
                for_some: false,
            });
        }
        if !findings.is_empty() {
            return;
        }
    }
}

/// A path as `show_path` writes it, with its notes in Swedish (for `steg check --audit`).
pub(crate) fn sv_path(path: &str) -> String {
    path.replace("(event ", "(händelse ")
        .replace("(after ", "(efter ")
        .replace("(every ", "(var ")
        .replace("(answer ", "(svar ")
        .replace(" from case_start", " från ärendets start")
        .replace(" from first_entry", " från första väntan")
        .replace(" from entry", " från väntans början")
        .replace(" (end)", " (slut)")
        .replace(" (join)", " (sammanslagning)")
}

/// Why nothing bounds a time (from the time analysis), in Swedish.
fn sv_why(why: &str) -> String {
    let s = why
        .replace(" waits for ", " väntar på ")
        .replace(" with no timer", " utan timer")
        .replace(" has no way on", " har ingen väg vidare")
        .replace(" cannot be followed", " kan inte följas")
        .replace(
            " is a join, reached only when every input has arrived",
            " är en sammanslagning som nås först när alla grenar har kommit",
        )
        .replace(
            "time adds up in a loop without it",
            "tiden växer i en slinga utan steget",
        )
        .replace(" takes `", " tar tid av `")
        .replace(
            "` staff time, and work can wait in their queue for any time",
            "`, och arbetet kan vänta i deras kö hur länge som helst",
        );
    sv_path(&s)
}

/// A cycle of transitions as text: the steps it goes through.
fn show_loop(prog: &Program, wn: &WorkflowNet, cycle: &[u32]) -> String {
    let mut names: Vec<String> = Vec::new();
    let mut home = None;
    let mut first = None;
    for &t in cycle {
        let l = &wn.labels[t as usize];
        if l.how == Move::End {
            continue;
        }
        first.get_or_insert(l.step);
        let n = prog.qualified(l.step, home);
        home = Some(l.step.w);
        if names.last() != Some(&n) {
            names.push(n);
        }
    }
    // Back where it began.
    if let Some(a) = first {
        names.push(prog.qualified(a, home));
    }
    names.join(" → ")
}

fn timed(
    prog: &Program,
    q_: &Query,
    from: At,
    b: At,
    d: crate::Duration,
    findings: &mut Vec<Finding>,
    not_shown: &mut Option<(String, String)>,
) {
    let ans = time::analyse(q_, from, d);
    let path = |steps: &[(At, Option<String>)]| {
        let mut s = String::new();
        let mut prev: Option<At> = None;
        for (a, note) in steps {
            let (w, st) = prog.name(*a);
            let name = if prev.is_some_and(|p| p.w == a.w) {
                st.to_string()
            } else {
                format!("{w}.{st}")
            };
            if prev.is_some() {
                match note {
                    Some(n) => s.push_str(&format!(" →({n}) ")),
                    None => s.push_str(" → "),
                }
            }
            s.push_str(&name);
            prev = Some(*a);
        }
        s
    };
    if time::later(ans.lo, d) {
        let s = path(&ans.late_path);
        let by = if ans.capped {
            format!("more than {d}")
        } else {
            format!("at least {}", ans.lo)
        };
        let senast = if ans.capped {
            format!("mer än {d}")
        } else {
            format!("minst {}", ans.lo)
        };
        findings.push(Finding {
            message: format!(
                "{s}: {} comes {by} after {} at the earliest, later than {d}",
                q(prog, b),
                q(prog, from)
            ),
            sv: format!(
                "{}: {} kommer som tidigast {senast} efter {}, senare än {d}",
                sv_path(&s),
                q(prog, b),
                q(prog, from)
            ),
            help: format!(
                "shorten the waits on this path, or add a timer of at most {d} that leads to {}",
                q(prog, b)
            ),
            at: Some(b),
            for_some: false,
        });
        return;
    }
    match ans.hi {
        Some(h) if time::within(h, d) => {}
        // The modelled durations let some cases be late though the fastest are on time: the
        // requirement is not met for every case.
        Some(h) => {
            let s = path(&ans.slow_path);
            findings.push(Finding {
                message: format!(
                    "{s}: at the longest durations the configuration gives, {} comes {h} after {}, later than {d}, so not every case meets it",
                    q(prog, b),
                    q(prog, from)
                ),
                sv: format!(
                    "{}: med de längsta tider modellen anger kommer {} {h} efter {}, senare än {d}, så inte alla ärenden uppfyller kravet",
                    sv_path(&s),
                    q(prog, b),
                    q(prog, from)
                ),
                help: format!(
                    "shorten the longest durations on this path to within {d}, or measure how many cases are late with `steg simulate`"
                ),
                at: Some(b),
                for_some: true,
            });
        }
        None => {
            let why = ans
                .why
                .unwrap_or_else(|| "the declared times do not bound it".to_string());
            not_shown.get_or_insert_with(|| {
                (
                    format!(
                        "nothing in the configuration bounds when {} comes: {why}",
                        q(prog, b)
                    ),
                    format!(
                        "inget i modellen begränsar när {} kommer ({})",
                        q(prog, b),
                        sv_why(&why)
                    ),
                )
            });
        }
    }
}

/// Steps a token at `at` can move to on the graph of its workflow (referrals summarised).
fn local(graph: &Graph, prog: &Program, at: At) -> Vec<(At, Option<String>)> {
    let step = prog.step(at);
    match step.kind {
        StepKind::End => Vec::new(),
        StepKind::Wait => step
            .on
            .iter()
            .map(|(t, to)| {
                (
                    *to,
                    Some(match t {
                        Trig::Event(_) => format!("event {}", t.label(prog)),
                        _ => t.label(prog),
                    }),
                )
            })
            .collect(),
        StepKind::Referral => match step.refer_workflow {
            Some(w) => step
                .returns
                .iter()
                .filter(|(o, _)| {
                    graph
                        .outcomes
                        .get(w as usize)
                        .is_some_and(|p| p.contains(o))
                })
                .map(|(o, to)| (*to, Some(format!("answer {o}"))))
                .collect(),
            None if step.returns.is_empty() => {
                step.next.iter().map(|(to, _)| (*to, None)).collect()
            }
            None => step
                .returns
                .iter()
                .map(|(o, to)| (*to, Some(format!("answer {o}"))))
                .collect(),
        },
        _ => step.next.iter().map(|(to, _)| (*to, None)).collect(),
    }
}

/// Shortest path on the workflow graph from `from` to a step `goal` accepts, not entering steps
/// `avoid` accepts; the path as text.
fn local_path(
    graph: &Graph,
    prog: &Program,
    from: At,
    goal: &dyn Fn(At) -> bool,
    avoid: &dyn Fn(At) -> bool,
) -> Option<String> {
    let mut prev: HashMap<At, (At, Option<String>)> = HashMap::new();
    let mut queue = VecDeque::from([from]);
    let mut seen = vec![from];
    let mut end = None;
    while let Some(a) = queue.pop_front() {
        if goal(a) {
            end = Some(a);
            break;
        }
        for (t, note) in local(graph, prog, a) {
            if !seen.contains(&t) && !avoid(t) {
                seen.push(t);
                prev.insert(t, (a, note));
                queue.push_back(t);
            }
        }
    }
    let mut a = end?;
    let mut items = vec![(a, None)];
    while let Some((p, note)) = prev.get(&a) {
        if let Some(last) = items.last_mut() {
            last.1 = note.clone();
        }
        items.push((*p, None));
        a = *p;
    }
    items.reverse();
    let mut s = String::new();
    for (i, (a, _)) in items.iter().enumerate() {
        let (w, st) = prog.name(*a);
        let suffix = if prog.step(*a).kind == StepKind::End {
            " (end)"
        } else {
            ""
        };
        if i == 0 {
            s.push_str(&format!("{w}.{st}{suffix}"));
        } else {
            match &items[i - 1].1 {
                Some(n) => s.push_str(&format!(" →({n}) {st}{suffix}")),
                None => s.push_str(&format!(" → {st}{suffix}")),
            }
        }
    }
    Some(s)
}

fn referrals(graph: &Graph, prog: &Program, r: &Resolved, findings: &mut Vec<Finding>) {
    for (wi, w) in prog.workflows.iter().enumerate() {
        if r.home.is_some_and(|h| h != wi) {
            continue;
        }
        for (si, step) in w.steps.iter().enumerate() {
            let Some(tw) = step.refer_workflow else {
                continue;
            };
            let at = At {
                w: wi as u32,
                s: si as u32,
            };
            let target = &prog.workflows[tw as usize];
            let Some(ts) = target.start else { continue };
            let possible = graph.outcomes.get(tw as usize).cloned().unwrap_or_default();
            for o in &possible {
                if step.returns.iter().any(|(x, _)| x == o) {
                    continue;
                }
                let ends_with = |a: At| {
                    prog.step(a).kind == StepKind::End
                        && prog.step(a).outcome.as_deref() == Some(o.as_str())
                };
                let path = local_path(graph, prog, At { w: tw, s: ts }, &ends_with, &|_| false)
                    .unwrap_or_default();
                findings.push(Finding {
                    message: format!(
                        "referral {} never gets back the answer `{o}`: {path} ends `{}` with it, and `returns:` does not map it, so the case stops there",
                        q(prog, at),
                        target.name
                    ),
                    sv: format!(
                        "anvisningen {} tar aldrig emot svaret `{o}`: {} avslutar `{}` med det, men `returns:` tar inte emot det, så ärendet stannar där",
                        q(prog, at),
                        sv_path(&path),
                        target.name
                    ),
                    help: format!("add `{o}: STEP` under `returns:` of `{}`", step.name),
                    at: Some(at),
                    for_some: false,
                });
            }
            let Some(role) = &step.actor else { continue };
            for (o, to) in &step.returns {
                if !possible.contains(o) {
                    continue;
                }
                let is_referrer = |a: At| prog.step(a).actor.as_deref() == Some(role.as_str());
                if is_referrer(*to) {
                    continue;
                }
                let ends = |a: At| prog.step(a).kind == StepKind::End;
                if let Some(path) = local_path(graph, prog, *to, &ends, &is_referrer) {
                    let path = format!(
                        "{} →(answer {o}) {}",
                        q(prog, at).trim_matches('`'),
                        path.strip_prefix(&format!("{}.", w.name)).unwrap_or(&path)
                    );
                    findings.push(Finding {
                        message: format!(
                            "the answer `{o}` from `{}` to referral {} goes {path}: the case ends without `{role}`, who referred, acting on the answer",
                            target.name,
                            q(prog, at)
                        ),
                        sv: format!(
                            "svaret `{o}` från `{}` på anvisningen {} går {}: ärendet avslutas utan att `{role}`, som anvisade, agerar på svaret",
                            target.name,
                            q(prog, at),
                            sv_path(&path)
                        ),
                        help: format!("route the answer `{o}` to a step of `{role}` (a follow-up, a new planning) before the case ends"),
                        at: Some(*to),
                        for_some: false,
                    });
                }
            }
        }
    }
}

fn events(
    prog: &Program,
    r: &Resolved,
    event: &str,
    reaches: &Reach,
    findings: &mut Vec<Finding>,
    not_shown: &mut Option<(String, String)>,
) {
    let mut receivers: Vec<(At, At)> = Vec::new();
    let mut by_event: HashMap<String, Vec<(At, At)>> = HashMap::new();
    let mut emitters: Vec<At> = Vec::new();
    for (wi, w) in prog.workflows.iter().enumerate() {
        for (si, s) in w.steps.iter().enumerate() {
            let at = At {
                w: wi as u32,
                s: si as u32,
            };
            if s.kind == StepKind::Wait {
                for (t, to) in &s.on {
                    if let Trig::Event(e) = t {
                        let e = &prog.events[*e as usize].name;
                        by_event.entry(e.clone()).or_default().push((at, *to));
                        if e == event {
                            receivers.push((at, *to));
                        }
                    }
                }
            }
            if s.emits
                .is_some_and(|e| prog.events[e as usize].name == event)
            {
                emitters.push(at);
            }
        }
    }
    let target = match reaches {
        Reach::Role(role) => format!("a step of `{role}`"),
        Reach::Step(a) => q(prog, *a),
    };
    let raised = if emitters.is_empty() {
        String::new()
    } else {
        format!(
            " (raised by {})",
            emitters
                .iter()
                .map(|a| q(prog, *a))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let rest = if emitters.is_empty() {
        String::new()
    } else {
        format!(
            " (som {} skickar)",
            emitters
                .iter()
                .map(|a| q(prog, *a))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mal = match reaches {
        Reach::Role(role) => format!("ett steg som `{role}` utför"),
        Reach::Step(a) => q(prog, *a),
    };
    if receivers.is_empty() {
        findings.push(Finding {
            message: format!("no step waits for event `{event}`{raised}, so it reaches no one"),
            sv: format!("inget steg väntar på händelsen `{event}`{rest}, så den når ingen"),
            help: format!("add `{{ event: {event}, to: STEP }}` to a `wait` step of {target}"),
            at: emitters.first().copied(),
            for_some: false,
        });
        return;
    }
    let chains = Chains {
        prog,
        by_event: &by_event,
        reaches,
    };
    let mut worst_lo = time_zero();
    let mut worst_hi = time_zero();
    for (w, to) in &receivers {
        let mut visiting = Vec::new();
        if let Some(path) = chains.fails(*to, &mut visiting) {
            let s = format!(
                "{} →(event {event}) {}",
                q(prog, *w).trim_matches('`'),
                chains.show(*w, &path, 0)
            );
            findings.push(Finding {
                message: format!("event `{event}`{raised} received at {}: {s} without {target}", q(prog, *w)),
                sv: format!("händelsen `{event}`{rest} tas emot i {}: {} utan {mal}", q(prog, *w), sv_path(&s)),
                help: format!("route the handling of `{event}` through {target}, or raise an event (`emits:`) that a step of it waits for"),
                at: Some(*w),
                for_some: false,
            });
            continue;
        }
        let mut visiting = Vec::new();
        let (lo, hi) = chains.time(*to, &mut visiting);
        if (lo.0, lo.1) > (worst_lo.0, worst_lo.1) {
            worst_lo = lo;
        }
        worst_hi = (worst_hi.0.max(hi.0), worst_hi.1.max(hi.1));
    }
    if let Some(d) = r.within {
        let lo = crate::Duration {
            months: worst_lo.0,
            days: worst_lo.1,
        };
        let hi = crate::Duration {
            months: worst_hi.0,
            days: worst_hi.1,
        };
        if findings.is_empty() && later_d(lo, d) {
            findings.push(Finding {
                message: format!("event `{event}` reaches {target} only {lo} after it is received at the earliest, later than {d}"),
                sv: format!("händelsen `{event}` når {mal} som tidigast {lo} efter att den tagits emot, senare än {d}"),
                help: "shorten the declared durations of the steps that handle it".to_string(),
                at: receivers.first().map(|(w, _)| *w),
                for_some: false,
            });
        } else if !within_d(hi, d) {
            not_shown.get_or_insert_with(|| {
                (
                    format!("the declared durations allow up to {hi}, more than {d}"),
                    format!("de angivna tiderna tillåter upp till {hi}, mer än {d}"),
                )
            });
        }
    }
}

/// "event E reaches R" on the nets: an event of the case that can be pending where no step can
/// take it any more, before any `unless` step, is lost (broken); one that can be kept while
/// the receiving branch is busy has no upper bound on its delivery (`within` not shown).
fn kept_events(
    sem: &Semantics,
    r: &Resolved,
    event: &str,
    findings: &mut Vec<Finding>,
    not_shown: &mut Option<(String, String)>,
) {
    let prog = &sem.prog;
    let Some(e) = prog.event(event) else { return };
    for wn in sem.nets.iter().flatten() {
        let Some(place) = wn.event_place[e as usize] else {
            continue;
        };
        let unless = &r.unless;
        let mut monitor = |s: bool, t: u32, _: &crate::net::Marking| -> (bool, bool) {
            let l = &wn.labels[t as usize];
            (s || l.enters.iter().any(|(_, x)| unless.contains(x)), false)
        };
        let space = Space::explore(
            &wn.net,
            &wn.net.initial,
            false,
            Budget::CHECK,
            &mut monitor,
            &|s| s,
        );
        if let Some(limit) = space.truncated {
            not_shown.get_or_insert_with(|| {
                (
                    format!("the states of a case exceed the budget ({limit}); whether `{event}` can be lost is not decided"),
                    format!("ärendets tillstånd är fler än gränsen ({limit}); om `{event}` kan gå förlorad är inte avgjort"),
                )
            });
            continue;
        }
        let pending = |i: u32| !space.value(i) && space.marking(i).iter().any(|&(p, _)| p == place);
        let consumes = |t: u32| {
            wn.net.transitions[t as usize]
                .pre
                .iter()
                .any(|&(p, _)| p == place)
        };
        let goal: Vec<bool> = (0..space.len() as u32)
            .map(|i| space.value(i) || space.edges(i).iter().any(|ed| consumes(ed.transition)))
            .collect();
        let can = space.can_reach(&goal, &|_| true);
        if let Some(i) = (0..space.len() as u32).find(|&i| pending(i) && !can[i as usize]) {
            let path = show_path(prog, wn, &space.path_to(i));
            let raiser = prog
                .steps()
                .find(|(_, st)| st.emits == Some(e))
                .map(|(a, _)| a);
            findings.push(Finding {
                message: format!(
                    "event `{event}` can be lost: after {path}, it is pending and no step that waits for it can come any more"
                ),
                sv: format!(
                    "händelsen `{event}` kan gå förlorad: efter {} väntar den, och inget steg som tar emot den kan komma längre",
                    sv_path(&path)
                ),
                help: format!(
                    "keep a step that waits for `{event}` reachable for as long as it can be raised, or list the step after which it no longer matters under `unless:`"
                ),
                at: raiser,
                for_some: false,
            });
            return;
        }
        if r.within.is_some() {
            let kept = (0..space.len() as u32)
                .find(|&i| pending(i) && !space.edges(i).iter().any(|ed| consumes(ed.transition)));
            if let Some(i) = kept {
                let path = show_path(prog, wn, &space.path_to(i));
                not_shown.get_or_insert_with(|| {
                    (
                        format!("`{event}` can be kept while the branch that takes it is busy (after {path}), and nothing bounds how long"),
                        format!("`{event}` kan vänta medan grenen som tar emot den är upptagen (efter {}), och inget begränsar hur länge", sv_path(&path)),
                    )
                });
            }
        }
    }
}

fn time_zero() -> (u32, u32) {
    (0, 0)
}

fn later_d(t: crate::Duration, limit: crate::Duration) -> bool {
    let (m, d, lm, ld) = (t.months, t.days, limit.months, limit.days);
    if m >= lm {
        (m - lm) * 28 + d > ld
    } else {
        m * 28 + d > lm * 31 + ld
    }
}

fn within_d(t: crate::Duration, limit: crate::Duration) -> bool {
    (t.months <= limit.months && t.days <= limit.days)
        || t.months * 31 + t.days <= limit.months * 28 + limit.days
}

struct Chains<'a> {
    prog: &'a Program,
    by_event: &'a HashMap<String, Vec<(At, At)>>,
    reaches: &'a Reach,
}

impl Chains<'_> {
    fn hit(&self, a: At) -> bool {
        match self.reaches {
            Reach::Role(r) => self.prog.step(a).actor.as_deref() == Some(r.as_str()),
            Reach::Step(s) => *s == a,
        }
    }

    /// A path from `a` (entered after the event) back to waiting without reaching the target,
    /// or `None` when every choice reaches it.
    fn fails(&self, a: At, visiting: &mut Vec<At>) -> Option<Vec<At>> {
        if self.hit(a) {
            return None;
        }
        let step = self.prog.step(a);
        if let Some(e2) = step.emits.map(|e| &self.prog.events[e as usize].name) {
            if !visiting.contains(&a) {
                visiting.push(a);
                let relayed = self.by_event.get(e2).is_some_and(|rs| {
                    rs.iter()
                        .any(|(_, to)| self.fails(*to, &mut visiting.clone()).is_none())
                });
                visiting.pop();
                if relayed {
                    return None;
                }
            }
        }
        if visiting.contains(&a) {
            return Some(vec![a]);
        }
        match step.kind {
            StepKind::Wait | StepKind::Join | StepKind::End | StepKind::Referral => Some(vec![a]),
            StepKind::Fork => {
                visiting.push(a);
                let mut first = None;
                for (to, _) in &step.next {
                    match self.fails(*to, visiting) {
                        None => {
                            visiting.pop();
                            return None;
                        }
                        Some(p) => {
                            first.get_or_insert(p);
                        }
                    }
                }
                visiting.pop();
                let mut path = vec![a];
                path.extend(first.unwrap_or_default());
                Some(path)
            }
            StepKind::Task | StepKind::Decision => {
                if step.next.is_empty() {
                    return Some(vec![a]);
                }
                visiting.push(a);
                for (to, _) in &step.next {
                    if let Some(p) = self.fails(*to, visiting) {
                        visiting.pop();
                        let mut path = vec![a];
                        path.extend(p);
                        return Some(path);
                    }
                }
                visiting.pop();
                None
            }
        }
    }

    /// A failing chain as text, with the chains of the events it raises (two levels deep).
    fn show(&self, from: At, path: &[At], depth: usize) -> String {
        let prog = self.prog;
        let mut names = Vec::new();
        for a in path {
            let (wn, st) = prog.name(*a);
            let suffix = match prog.step(*a).kind {
                StepKind::End => " (end)",
                StepKind::Join => " (join)",
                StepKind::Wait => " (waits)",
                StepKind::Referral => " (referral)",
                _ => "",
            };
            let mut item = if a.w == from.w {
                format!("{st}{suffix}")
            } else {
                format!("{wn}.{st}{suffix}")
            };
            if let Some(e2) = prog.step(*a).emits.map(|e| &prog.events[e as usize].name) {
                let relay = self
                    .by_event
                    .get(e2)
                    .and_then(|rs| rs.first())
                    .and_then(|(w2, t2)| {
                        let p2 = self.fails(*t2, &mut vec![*a])?;
                        let (w2n, w2s) = prog.name(*w2);
                        Some(if depth < 2 {
                            format!(
                                " [raises `{e2}`: {w2n}.{w2s} →(event {e2}) {}]",
                                self.show(*w2, &p2, depth + 1)
                            )
                        } else {
                            format!(" [raises `{e2}`]")
                        })
                    });
                item.push_str(
                    &relay.unwrap_or_else(|| format!(" [raises `{e2}`, which no step waits for]")),
                );
            }
            names.push(item);
        }
        names.join(" → ")
    }

    /// Earliest and latest (months, days) from entering `a` to the target, over the choices
    /// that reach it (durations only: the chain has no waits).
    fn time(&self, a: At, visiting: &mut Vec<At>) -> ((u32, u32), (u32, u32)) {
        if self.hit(a) || visiting.contains(&a) || visiting.len() > 64 {
            return ((0, 0), (0, 0));
        }
        let step = self.prog.step(a);
        let (dl, dh) = step.duration.map_or(((0, 0), (0, 0)), |r| {
            ((r.min.months, r.min.days), (r.max.months, r.max.days))
        });
        visiting.push(a);
        let mut lo = (0, 0);
        let mut hi = (0, 0);
        for (to, _) in &step.next {
            let (l, h) = self.time(*to, visiting);
            if l > lo {
                lo = l;
            }
            hi = (hi.0.max(h.0), hi.1.max(h.1));
        }
        visiting.pop();
        ((lo.0 + dl.0, lo.1 + dl.1), (hi.0 + dh.0, hi.1 + dh.1))
    }
}
