//! Property test: [`steg_engine::net::decide`] (reductions, stubborn sets, covering) against a
//! brute-force oracle on random nets.
//!
//! The oracle is small and independent of `net/`: its own dense markings, its own firing rule,
//! a breadth-first enumeration of every reachable marking into a `HashMap` (giving up past
//! [`CAP`] markings), and soundness read off the definitions: every reachable marking can reach
//! a final one (backwards closure over the explicit graph), no reachable marking overshoots, and
//! every transition fires somewhere. Final markings are one of the three readings steg knows: one
//! sink place (`Sink`, optionally with a place whose tokens are ignored), explicit final markings
//! (`FinalMarkings`), several sinks (`Sinks`: tokens only on places nothing consumes, one each;
//! two tokens anywhere is a lack of synchronisation).
//!
//! Nets come from two generators: arbitrary nets (3–7 places, 2–8 transitions, pre- and
//! post-sets of 0–3 places with weights 1–2, so not free-choice, with multiple arcs, sources,
//! generators and unbounded nets), and workflow-shaped nets (a random series-parallel nesting of
//! sequences, parallel blocks, exclusive blocks and loops, several ends, then zero to two random
//! arcs added or removed). For every net: when the oracle finishes, steg's verdict is the
//! oracle's; when it does not, steg never says sound where the oracle has already seen a
//! violation. Every witness steg gives is checked by replaying it with the oracle's firing rule.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::collections::{HashMap, VecDeque};
use steg_engine::net::space::Budget;
use steg_engine::net::verdict::{FinalMarkings, Finals, Sink, Sinks};
use steg_engine::net::{decide, Answer, Finding, Marking, Net};

/// The most markings the oracle enumerates.
const CAP: usize = 2_000;

/// A generated net: arcs as `(place, weight)` per transition.
#[derive(Debug, Clone)]
struct Gen {
    places: usize,
    pre: Vec<Vec<(usize, u32)>>,
    post: Vec<Vec<(usize, u32)>>,
    initial: Vec<u32>,
    reading: Reading,
}

#[derive(Debug, Clone)]
enum Reading {
    /// One sink place, and optionally a place whose tokens do not count.
    Sink(usize, Option<usize>),
    /// Explicit final markings (dense).
    Finals(Vec<Vec<u32>>),
    /// Several sinks.
    Sinks,
}

// ---------------------------------------------------------------------------------------------
// The oracle.

type M = Vec<u32>;

fn enabled(g: &Gen, m: &M, t: usize) -> bool {
    g.pre[t].iter().all(|&(p, w)| m[p] >= w)
}

fn fire(g: &Gen, m: &M, t: usize) -> M {
    let mut n = m.clone();
    for &(p, w) in &g.pre[t] {
        n[p] -= w;
    }
    for &(p, w) in &g.post[t] {
        n[p] += w;
    }
    n
}

fn is_sink(g: &Gen, p: usize) -> bool {
    g.pre.iter().all(|pre| pre.iter().all(|&(q, _)| q != p))
}

fn is_final(g: &Gen, m: &M) -> bool {
    match &g.reading {
        Reading::Sink(o, ignored) => {
            (0..g.places).all(|p| Some(p) == *ignored || m[p] == u32::from(p == *o))
        }
        Reading::Finals(fs) => fs.iter().any(|f| f == m),
        Reading::Sinks => {
            m.iter().any(|&n| n > 0)
                && (0..g.places).all(|p| m[p] == 0 || (m[p] == 1 && is_sink(g, p)))
        }
    }
}

fn overshoots(g: &Gen, m: &M) -> bool {
    match &g.reading {
        Reading::Sink(o, _) => m[*o] > 0 && !is_final(g, m),
        Reading::Finals(fs) => fs
            .iter()
            .any(|f| f != m && (0..g.places).all(|p| m[p] >= f[p])),
        Reading::Sinks => m.iter().any(|&n| n > 1),
    }
}

#[derive(Debug, PartialEq)]
enum Truth {
    Sound,
    NotSound,
    /// Too many markings; `true` when a violation was seen on the way.
    Unfinished(bool),
}

struct Oracle {
    states: Vec<M>,
    index: HashMap<M, usize>,
    succ: Vec<Vec<(usize, usize)>>,
    complete: bool,
}

fn enumerate(g: &Gen) -> Oracle {
    let mut o = Oracle {
        states: vec![g.initial.clone()],
        index: HashMap::from([(g.initial.clone(), 0)]),
        succ: vec![Vec::new()],
        complete: true,
    };
    let mut queue = VecDeque::from([0]);
    while let Some(i) = queue.pop_front() {
        for t in 0..g.pre.len() {
            if !enabled(g, &o.states[i], t) {
                continue;
            }
            let n = fire(g, &o.states[i], t);
            let j = match o.index.get(&n) {
                Some(&j) => j,
                None => {
                    if o.states.len() >= CAP {
                        o.complete = false;
                        continue;
                    }
                    o.states.push(n.clone());
                    o.succ.push(Vec::new());
                    o.index.insert(n, o.states.len() - 1);
                    queue.push_back(o.states.len() - 1);
                    o.states.len() - 1
                }
            };
            o.succ[i].push((t, j));
        }
    }
    o
}

/// Which of the oracle's states can reach a final one.
fn can_complete(g: &Gen, o: &Oracle) -> Vec<bool> {
    let mut preds = vec![Vec::new(); o.states.len()];
    for (i, s) in o.succ.iter().enumerate() {
        for &(_, j) in s {
            preds[j].push(i);
        }
    }
    let mut can: Vec<bool> = o.states.iter().map(|m| is_final(g, m)).collect();
    let mut stack: Vec<usize> = (0..can.len()).filter(|&i| can[i]).collect();
    while let Some(i) = stack.pop() {
        for &p in &preds[i] {
            if !can[p] {
                can[p] = true;
                stack.push(p);
            }
        }
    }
    can
}

fn truth(g: &Gen, o: &Oracle) -> Truth {
    let improper = o.states.iter().any(|m| overshoots(g, m));
    // A marking with nothing enabled that is not final is certain even when incomplete.
    let dead_end = o
        .states
        .iter()
        .any(|m| !is_final(g, m) && (0..g.pre.len()).all(|t| !enabled(g, m, t)));
    if !o.complete {
        return Truth::Unfinished(improper || dead_end);
    }
    let can = can_complete(g, o);
    let mut fired = vec![false; g.pre.len()];
    for s in &o.succ {
        for &(t, _) in s {
            fired[t] = true;
        }
    }
    if improper || can.iter().any(|&c| !c) || fired.iter().any(|&f| !f) {
        Truth::NotSound
    } else {
        Truth::Sound
    }
}

// ---------------------------------------------------------------------------------------------
// steg's side.

fn to_net(g: &Gen) -> Net {
    let mut n = Net::default();
    for p in 0..g.places {
        n.add_place(format!("p{p}"), None);
    }
    for t in 0..g.pre.len() {
        let pre: Vec<(u32, u32)> = g.pre[t].iter().map(|&(p, w)| (p as u32, w)).collect();
        let post: Vec<(u32, u32)> = g.post[t].iter().map(|&(p, w)| (p as u32, w)).collect();
        n.add_transition(format!("t{t}"), &pre, &post);
    }
    n.initial = dense_to_marking(&g.initial);
    n
}

fn dense_to_marking(m: &[u32]) -> Marking {
    Marking(
        m.iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(|(p, &n)| (p as u32, n))
            .collect(),
    )
}

fn replay(g: &Gen, path: &[u32]) -> Result<M, String> {
    let mut m = g.initial.clone();
    for &t in path {
        if !enabled(g, &m, t as usize) {
            return Err(format!("t{t} is not enabled in {m:?} on the witness path"));
        }
        m = fire(g, &m, t as usize);
    }
    Ok(m)
}

/// Two arcs between the same place and transition are one arc of the summed weight (PNML's
/// reading, and `Net::add_transition`'s).
fn merge_arcs(arcs: &[(usize, u32)]) -> Vec<(usize, u32)> {
    let mut out: Vec<(usize, u32)> = Vec::new();
    for &(p, w) in arcs {
        match out.iter_mut().find(|(q, _)| *q == p) {
            Some((_, x)) => *x += w,
            None => out.push((p, w)),
        }
    }
    out
}

fn normalise(g: &Gen) -> Gen {
    Gen {
        pre: g.pre.iter().map(|a| merge_arcs(a)).collect(),
        post: g.post.iter().map(|a| merge_arcs(a)).collect(),
        ..g.clone()
    }
}

/// Check steg's decision on `g` against the oracle; a description of the disagreement.
fn check(g: &Gen) -> Result<(), String> {
    let g = &normalise(g);
    let net = to_net(g);
    let ignored: Vec<bool> = match &g.reading {
        Reading::Sink(_, Some(x)) => (0..g.places).map(|p| p == *x).collect(),
        _ => vec![false; g.places],
    };
    let finals: Box<dyn Finals + '_> = match &g.reading {
        Reading::Sink(o, _) => Box::new(Sink {
            place: *o as u32,
            ignored: &ignored,
        }),
        Reading::Finals(fs) => Box::new(FinalMarkings(
            fs.iter().map(|f| dense_to_marking(f)).collect(),
        )),
        Reading::Sinks => Box::new(Sinks::of(&net)),
    };
    let budget = Budget {
        states: 50_000,
        bytes: 1 << 30,
    };
    let d = decide(&net, finals.as_ref(), budget);
    let o = enumerate(g);
    let t = truth(g, &o);
    match (&t, &d.answer) {
        (Truth::Sound, Answer::Sound) => {}
        (Truth::NotSound, Answer::NotSound(_)) => {}
        (Truth::Unfinished(false), _) => {}
        (Truth::Unfinished(true), Answer::NotSound(_) | Answer::NotDecided(_)) => {}
        _ => return Err(format!("oracle: {t:?}, steg: {:?}", d.answer)),
    }
    // Every witness replays and shows what it claims.
    if let Answer::NotSound(findings) = &d.answer {
        for f in findings {
            match f {
                Finding::Deadlock { path, marking } => {
                    let m = replay(g, path)?;
                    if dense_to_marking(&m) != *marking {
                        return Err(format!("deadlock marking {marking:?}, replay {m:?}"));
                    }
                    if is_final(g, &m) || (0..g.pre.len()).any(|t| enabled(g, &m, t)) {
                        return Err(format!("{m:?} is no deadlock"));
                    }
                }
                Finding::Livelock { path, marking } => {
                    let m = replay(g, path)?;
                    if dense_to_marking(&m) != *marking {
                        return Err(format!("livelock marking {marking:?}, replay {m:?}"));
                    }
                    if o.complete {
                        let can = can_complete(g, &o);
                        if can[o.index[&m]] {
                            return Err(format!("{m:?} can complete"));
                        }
                    }
                }
                Finding::Improper { path, marking } => {
                    let m = replay(g, path)?;
                    if dense_to_marking(&m) != *marking || !overshoots(g, &m) {
                        return Err(format!("{m:?} is not improper"));
                    }
                }
                Finding::Unbounded { path, cycle, place } => {
                    let end = replay(g, path)?;
                    if !path.ends_with(cycle) || cycle.is_empty() {
                        return Err(format!("cycle {cycle:?} is not the end of {path:?}"));
                    }
                    let start = replay(g, &path[..path.len() - cycle.len()])?;
                    let p = *place as usize;
                    if !((0..g.places).all(|q| end[q] >= start[q]) && end[p] > start[p]) {
                        return Err(format!("{end:?} does not cover {start:?} on p{p}"));
                    }
                }
                Finding::Dead { transitions } => {
                    if o.complete {
                        for &t in transitions {
                            if o.succ.iter().flatten().any(|&(u, _)| u == t as usize) {
                                return Err(format!("t{t} is reported dead but fires"));
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Generators.

fn arcs(places: usize) -> impl Strategy<Value = Vec<(usize, u32)>> {
    prop::collection::vec(
        (0..places, prop_oneof![6 => Just(1u32), 1 => Just(2u32)]),
        0..=3,
    )
}

fn reading(places: usize) -> impl Strategy<Value = Reading> {
    prop_oneof![
        3 => (0..places, prop::option::of(0..places)).prop_map(move |(o, x)| Reading::Sink(o, x.filter(|&x| x != o))),
        1 => prop::collection::vec(prop::collection::vec(0u32..=1, places), 1..=2).prop_map(Reading::Finals),
        2 => Just(Reading::Sinks),
    ]
}

/// Arbitrary small nets; the initial marking is one token on place 0, sometimes more.
fn arbitrary() -> impl Strategy<Value = Gen> {
    (3usize..=7, 2usize..=8).prop_flat_map(|(places, ts)| {
        (
            prop::collection::vec(arcs(places), ts),
            prop::collection::vec(arcs(places), ts),
            prop::collection::vec(prop_oneof![8 => Just(0u32), 1 => Just(1u32)], places),
            reading(places),
        )
            .prop_map(move |(pre, post, mut initial, reading)| {
                initial[0] += 1;
                Gen {
                    places,
                    pre,
                    post,
                    initial,
                    reading,
                }
            })
    })
}

/// A block of a workflow-shaped net.
#[derive(Debug, Clone)]
enum Block {
    Task,
    Seq(Vec<Block>),
    And(Vec<Block>),
    Xor(Vec<Block>),
    Loop(Box<Block>, Box<Block>),
    /// Ends at a sink of its own (several sinks).
    End,
}

fn block() -> impl Strategy<Value = Block> {
    let leaf = prop_oneof![6 => Just(Block::Task), 1 => Just(Block::End)];
    leaf.prop_recursive(3, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..=3).prop_map(Block::Seq),
            prop::collection::vec(inner.clone(), 2..=3).prop_map(Block::And),
            prop::collection::vec(inner.clone(), 2..=3).prop_map(Block::Xor),
            (inner.clone(), inner).prop_map(|(a, b)| Block::Loop(Box::new(a), Box::new(b))),
        ]
    })
}

struct Builder {
    places: usize,
    pre: Vec<Vec<(usize, u32)>>,
    post: Vec<Vec<(usize, u32)>>,
}

impl Builder {
    fn place(&mut self) -> usize {
        self.places += 1;
        self.places - 1
    }
    fn trans(&mut self, pre: Vec<usize>, post: Vec<usize>) -> usize {
        self.pre.push(pre.into_iter().map(|p| (p, 1)).collect());
        self.post.push(post.into_iter().map(|p| (p, 1)).collect());
        self.pre.len() - 1
    }
    /// Build `b` from place `from` to place `to`.
    fn build(&mut self, b: &Block, from: usize, to: usize) {
        match b {
            Block::Task => {
                self.trans(vec![from], vec![to]);
            }
            Block::End => {
                let sink = self.place();
                self.trans(vec![from], vec![sink]);
                // The block still "reaches" `to` in a parallel branch: a task that ends here
                // leaves `to` unmarked, which is the point (several sinks).
                let _ = to;
            }
            Block::Seq(bs) => {
                let mut at = from;
                for (k, x) in bs.iter().enumerate() {
                    let next = if k + 1 == bs.len() { to } else { self.place() };
                    self.build(x, at, next);
                    at = next;
                }
            }
            Block::And(bs) => {
                let starts: Vec<usize> = bs.iter().map(|_| self.place()).collect();
                let ends: Vec<usize> = bs.iter().map(|_| self.place()).collect();
                self.trans(vec![from], starts.clone());
                for (k, x) in bs.iter().enumerate() {
                    self.build(x, starts[k], ends[k]);
                }
                self.trans(ends, vec![to]);
            }
            Block::Xor(bs) => {
                for x in bs {
                    self.build(x, from, to);
                }
            }
            Block::Loop(body, back) => {
                let mid = self.place();
                self.build(body, from, mid);
                self.build(back, mid, from);
                self.trans(vec![mid], vec![to]);
            }
        }
    }
}

/// A workflow-shaped net, with up to two random changes.
fn workflow() -> impl Strategy<Value = Gen> {
    (
        block(),
        prop::collection::vec(
            (
                any::<bool>(),
                any::<prop::sample::Index>(),
                any::<prop::sample::Index>(),
            ),
            0..=2,
        ),
        prop_oneof![2 => Just(true), 1 => Just(false)],
    )
        .prop_map(|(b, changes, several)| {
            let mut bld = Builder {
                places: 2,
                pre: Vec::new(),
                post: Vec::new(),
            };
            bld.build(&b, 0, 1);
            for (add, t, p) in changes {
                if bld.pre.is_empty() {
                    break;
                }
                let t = t.index(bld.pre.len());
                let p = p.index(bld.places);
                if add {
                    bld.post[t].push((p, 1));
                } else if !bld.pre[t].is_empty() {
                    let k = p % bld.pre[t].len();
                    bld.pre[t].remove(k);
                }
            }
            let mut initial = vec![0; bld.places];
            initial[0] = 1;
            Gen {
                places: bld.places,
                pre: bld.pre,
                post: bld.post,
                initial,
                reading: if several {
                    Reading::Sinks
                } else {
                    Reading::Sink(1, None)
                },
            }
        })
}

/// Runs `cases` cases, or `STEG_ORACLE_CASES` (for a long run: `STEG_ORACLE_CASES=50000 cargo
/// test --release --test net_soundness_oracle`).
fn run(strategy: impl Strategy<Value = Gen>, cases: u32) {
    let cases = std::env::var("STEG_ORACLE_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |g| {
        check(&g).map_err(|e| TestCaseError::fail(format!("{e}\n{g:?}")))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn arbitrary_nets_agree_with_the_oracle() {
    run(arbitrary(), 800);
}

#[test]
fn workflow_shaped_nets_agree_with_the_oracle() {
    run(workflow(), 600);
}

/// The oracle itself on the two nets of the issue: sound, and not sound.
#[test]
fn the_oracle_reads_the_two_reference_nets_right() {
    // t1 → {p1, p2} → t2
    let sound = Gen {
        places: 4,
        pre: vec![vec![(0, 1)], vec![(1, 1), (2, 1)]],
        post: vec![vec![(1, 1), (2, 1)], vec![(3, 1)]],
        initial: vec![1, 0, 0, 0],
        reading: Reading::Sink(3, None),
    };
    assert_eq!(truth(&sound, &enumerate(&sound)), Truth::Sound);
    check(&sound).unwrap();
    // t0 → {p1, p2}; a: p1 → d; b: p2 → d; c1: d → y1; c2: d → y2; j: {y1, y2} → o
    let unsound = Gen {
        places: 7,
        pre: vec![
            vec![(0, 1)],
            vec![(1, 1)],
            vec![(2, 1)],
            vec![(3, 1)],
            vec![(3, 1)],
            vec![(4, 1), (5, 1)],
        ],
        post: vec![
            vec![(1, 1), (2, 1)],
            vec![(3, 1)],
            vec![(3, 1)],
            vec![(4, 1)],
            vec![(5, 1)],
            vec![(6, 1)],
        ],
        initial: vec![1, 0, 0, 0, 0, 0, 0],
        reading: Reading::Sink(6, None),
    };
    assert_eq!(truth(&unsound, &enumerate(&unsound)), Truth::NotSound);
    check(&unsound).unwrap();
}
