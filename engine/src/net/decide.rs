//! The soundness question of a net, answered in three verdicts: [`decide`].
//!
//! 1. The net is reduced ([`super::reduce`]): sequences, parallel blocks and exclusive blocks
//!    collapse, so a well-structured model leaves little or nothing to explore.
//! 2. What remains is explored breadth first with a partial-order reduction
//!    ([`super::stubborn`]): in each state only the enabled transitions of a stubborn set are
//!    fired, so independent branches are not interleaved.
//! 3. On the way, the exploration stops at the first certain violation: a marking with nothing
//!    enabled that is not final (a deadlock), a marking that [`Finals::overshoots`] (improper
//!    completion, or two tokens on a place in the several-sinks reading), or a marking strictly
//!    above one of its ancestors on a counted place, which makes the net unbounded and so not
//!    sound (Karp & Miller's covering argument; see [`Finals`]'s contract). A complete space
//!    then yields states that cannot reach a final marking (livelocks) and transitions that
//!    never fire.
//!
//! Every witness is a path of the *original* net: the reduced transitions are expanded into the
//! original transitions they stand for, after the prefix the reductions fired, and the marking
//! shown is the original net's after that path. The budget bounds states and bytes (the state
//! space and its index); hitting it without a certain violation is *not decided*, never sound.

use super::reduce::{self, Guard, Reduced};
use super::space::{state_hash, Budget, Edge, Index, Limit, Space};
use super::stubborn::Stubborn;
use super::verdict::Finals;
use super::{Marking, Net};
use std::collections::VecDeque;

/// Why a net is not sound, as paths of the original net.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// After `path`, `marking` enables nothing and is not final.
    Deadlock {
        /// The transitions fired from the initial marking.
        path: Vec<u32>,
        /// The marking reached.
        marking: Marking,
    },
    /// After `path`, moves remain but no final marking can be reached.
    Livelock {
        /// The transitions fired from the initial marking.
        path: Vec<u32>,
        /// The marking reached.
        marking: Marking,
    },
    /// After `path`, `marking` holds a final marking and more (or two tokens on a place, when
    /// the final condition asks for safeness).
    Improper {
        /// The transitions fired from the initial marking.
        path: Vec<u32>,
        /// The marking reached.
        marking: Marking,
    },
    /// After `path`, firing `cycle` again and again adds tokens to `place` without bound.
    Unbounded {
        /// The transitions fired from the initial marking; its last part is `cycle`.
        path: Vec<u32>,
        /// The transitions that, fired from a marking on the way, end above it.
        cycle: Vec<u32>,
        /// A place that gains a token on every round.
        place: u32,
    },
    /// Transitions that no execution fires.
    Dead {
        /// The transitions, in increasing order.
        transitions: Vec<u32>,
    },
}

/// The three verdicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Every reachable marking was explored (after reduction) and nothing is wrong.
    Sound,
    /// Not sound: the first violation found, and with a complete space every kind found.
    NotSound(Vec<Finding>),
    /// The budget was hit before soundness could be shown or refuted.
    NotDecided(Limit),
}

impl Answer {
    /// `sound`, `not sound`, `not decided`.
    pub fn word(&self) -> &'static str {
        match self {
            Answer::Sound => "sound",
            Answer::NotSound(_) => "not sound",
            Answer::NotDecided(_) => "not decided",
        }
    }
}

/// A verdict with what it took.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The verdict.
    pub answer: Answer,
    /// States explored (of the reduced net).
    pub states: usize,
    /// Peak bytes of the explored states and their index.
    pub peak_bytes: usize,
    /// Transitions of the net after reduction (of `net.transitions.len()` before).
    pub reduced_transitions: usize,
}

/// How the exploration ended early.
enum Stop {
    Deadlock(u32),
    Improper(u32),
    Unbounded { state: u32, from: u32, place: u32 },
}

/// Decide whether `net` (from its initial marking) is sound with respect to `finals`: from
/// every reachable marking a final marking can be reached, no reachable marking overshoots a
/// final one, and every transition can fire. Never answers [`Answer::Sound`] unless every
/// reachable marking of the reduced net was explored.
pub fn decide(net: &Net, finals: &dyn Finals, budget: Budget) -> Decision {
    let np = net.place_count() as u32;
    let counts: Vec<bool> = (0..np).map(|p| finals.counts(p)).collect();
    let protect: Vec<bool> = (0..np)
        .map(|p| finals.mentions(p) || net.places[p as usize].capacity.is_some())
        .collect();
    let reduced = reduce::reduce(
        net,
        &Guard {
            protect: &protect,
            counts: &counts,
        },
    );
    let rnet = &reduced.net;
    let mut stubborn = Stubborn::new(rnet, finals);
    // Places whose growth shows unboundedness: counted, without capacity.
    let grows: Vec<bool> = (0..np)
        .map(|p| counts[p as usize] && net.places[p as usize].capacity.is_none())
        .collect();
    let (space, stop, peak) = explore(rnet, finals, budget, &mut stubborn, &grows);
    let lift = |path: &[u32]| lift_path(&reduced, path);
    let replay = |path: &[u32]| replay(net, path);
    let mut findings = Vec::new();
    match stop {
        Some(Stop::Deadlock(i)) => {
            let path = lift(&space.path_to(i));
            let marking = replay(&path);
            findings.push(classify(net, path, marking));
        }
        Some(Stop::Improper(i)) => {
            let path = lift(&space.path_to(i));
            let marking = replay(&path);
            findings.push(Finding::Improper { path, marking });
        }
        Some(Stop::Unbounded { state, from, place }) => {
            let full = space.path_to(state);
            let upto = space.path_to(from).len();
            let cycle: Vec<u32> = full[upto..]
                .iter()
                .flat_map(|&t| reduced.expansion[t as usize].iter().copied())
                .collect();
            findings.push(Finding::Unbounded {
                path: lift(&full),
                cycle,
                place,
            });
        }
        None if space.truncated.is_none() => {
            let n = space.len() as u32;
            let goal: Vec<bool> = (0..n).map(|i| finals.is_final(space.marking(i))).collect();
            let can = space.can_reach(&goal, &|_| true);
            if let Some(i) = (0..n).find(|&i| !can[i as usize]) {
                let path = lift(&space.path_to(i));
                let marking = replay(&path);
                findings.push(classify(net, path, marking));
            }
            let dead = dead_transitions(net, &reduced, &space);
            if !dead.is_empty() {
                findings.push(Finding::Dead { transitions: dead });
            }
        }
        None => {}
    }
    let answer = match (findings.is_empty(), space.truncated) {
        (false, _) => Answer::NotSound(findings),
        (true, Some(limit)) => Answer::NotDecided(limit),
        (true, None) => Answer::Sound,
    };
    Decision {
        answer,
        states: space.len(),
        peak_bytes: peak,
        reduced_transitions: rnet.transitions.len(),
    }
}

/// A marking no final marking can be reached from: a deadlock when the original net enables
/// nothing there (a self-loop the reduction removed may still be enabled), else a livelock.
fn classify(net: &Net, path: Vec<u32>, marking: Marking) -> Finding {
    let mut en = Vec::new();
    net.enabled(&marking, &mut en);
    if en.is_empty() {
        Finding::Deadlock { path, marking }
    } else {
        Finding::Livelock { path, marking }
    }
}

/// A reduced path as the original transitions it fires, after the reductions' prefix.
fn lift_path(r: &Reduced, path: &[u32]) -> Vec<u32> {
    let mut out = r.prefix.clone();
    for &t in path {
        out.extend_from_slice(&r.expansion[t as usize]);
    }
    out
}

/// The original marking after `path` (a firing sequence of `net` from its initial marking).
fn replay(net: &Net, path: &[u32]) -> Marking {
    let mut m = net.initial.clone();
    for &t in path {
        debug_assert!(
            net.is_enabled(&m, t),
            "witness path is not a firing sequence"
        );
        net.fire_in(&mut m, t);
    }
    m
}

/// Original transitions that never fire, read off a complete reduced space.
fn dead_transitions(net: &Net, r: &Reduced, space: &Space<()>) -> Vec<u32> {
    let mut live = vec![false; net.transitions.len()];
    for &t in &r.prefix_covers {
        live[t as usize] = true;
    }
    let mut fired = vec![false; r.net.transitions.len()];
    for i in 0..space.len() as u32 {
        for e in space.edges(i) {
            fired[e.transition as usize] = true;
        }
    }
    for (t, _) in fired.iter().enumerate().filter(|(_, &f)| f) {
        for &c in &r.covers[t] {
            live[c as usize] = true;
        }
    }
    (0..net.transitions.len() as u32)
        .filter(|&t| !live[t as usize] && r.certain[t as usize])
        .collect()
}

/// Breadth-first exploration of `net` with stubborn sets and the cycle proviso,
/// stopping at the first certain violation: the space, why it stopped, and the peak bytes.
fn explore(
    net: &Net,
    finals: &dyn Finals,
    budget: Budget,
    stubborn: &mut Stubborn,
    grows: &[bool],
) -> (Space<()>, Option<Stop>, usize) {
    let mut space: Space<()> = Space::new();
    let mut index = Index::default();
    // Tokens on growing places per state, to find covered ancestors quickly.
    let mut weight: Vec<u64> = Vec::new();
    // Breadth-first level per state, for the cycle proviso.
    let mut level: Vec<u32> = vec![0];
    let weigh = |m: &[(u32, u32)]| -> u64 {
        m.iter()
            .filter(|&&(p, _)| grows[p as usize])
            .map(|&(_, n)| u64::from(n))
            .sum()
    };
    let init = &net.initial;
    space.push(&init.0, (), None);
    index.insert(state_hash(&init.0, ()), 0);
    weight.push(weigh(&init.0));
    let bytes = |space: &Space<()>, index: &Index, edges: usize| {
        space.bytes_estimate(edges) + index.bytes() + weight_bytes(space.len())
    };
    if finals.overshoots(&init.0) {
        let peak = bytes(&space, &index, 0);
        return (space, Some(Stop::Improper(0)), peak);
    }
    let mut queue = VecDeque::from([0u32]);
    let mut enabled = Vec::new();
    let mut edges_total = 0usize;
    let mut peak = 0usize;
    while let Some(i) = queue.pop_front() {
        let m = Marking(space.marking(i).to_vec());
        net.enabled(&m, &mut enabled);
        if enabled.is_empty() {
            if !finals.is_final(&m.0) {
                peak = peak.max(bytes(&space, &index, edges_total));
                return (space, Some(Stop::Deadlock(i)), peak);
            }
            continue;
        }
        // Successors of the reduced set; all of them when one of them is at this state's level
        // or above (the cycle proviso: every cycle of a breadth-first graph has such an edge,
        // so every cycle of the reduced graph has a fully expanded state).
        let ample = stubborn.pick(net, &m, &enabled);
        let mut succ: Vec<(u32, Marking, u64, Option<u32>)> = Vec::new();
        let take = |t: u32, succ: &mut Vec<(u32, Marking, u64, Option<u32>)>| {
            let next = net.fire(&m, t);
            let h = state_hash(&next.0, ());
            let known = index.find(&space, h, &next.0, ());
            succ.push((t, next, h, known));
        };
        match ample {
            Some(set) => {
                for &t in &set {
                    take(t, &mut succ);
                }
                let here = level[i as usize];
                if succ
                    .iter()
                    .any(|s| s.3.is_some_and(|k| level[k as usize] <= here))
                {
                    for &t in &enabled {
                        if !set.contains(&t) {
                            take(t, &mut succ);
                        }
                    }
                }
            }
            None => {
                for &t in &enabled {
                    take(t, &mut succ);
                }
            }
        }
        let mut out = Vec::with_capacity(succ.len());
        for (t, next, h, known) in succ {
            let to = match known.or_else(|| index.find(&space, h, &next.0, ())) {
                Some(k) => k,
                None => {
                    if space.len() >= budget.states {
                        space.truncated = Some(Limit::States(budget.states));
                        continue;
                    }
                    let b = bytes(&space, &index, edges_total + out.len());
                    peak = peak.max(b);
                    if b >= budget.bytes {
                        space.truncated = Some(Limit::Bytes(budget.bytes));
                        continue;
                    }
                    let k = space.push(&next.0, (), Some((i, t)));
                    index.insert(h, k);
                    let w = weigh(&next.0);
                    weight.push(w);
                    level.push(level[i as usize] + 1);
                    out.push(Edge {
                        to: k,
                        transition: t,
                        flags: 0,
                    });
                    if finals.overshoots(&next.0) {
                        edges_total += out.len();
                        space.set_edges(i, out);
                        peak = peak.max(bytes(&space, &index, edges_total));
                        return (space, Some(Stop::Improper(k)), peak);
                    }
                    if let Some((from, place)) = covered_ancestor(&space, &weight, k, grows) {
                        edges_total += out.len();
                        space.set_edges(i, out);
                        peak = peak.max(bytes(&space, &index, edges_total));
                        return (
                            space,
                            Some(Stop::Unbounded {
                                state: k,
                                from,
                                place,
                            }),
                            peak,
                        );
                    }
                    queue.push_back(k);
                    continue;
                }
            };
            out.push(Edge {
                to,
                transition: t,
                flags: 0,
            });
        }
        edges_total += out.len();
        space.set_edges(i, out);
    }
    peak = peak.max(bytes(&space, &index, edges_total));
    (space, None, peak)
}

fn weight_bytes(states: usize) -> usize {
    states * 12
}

/// The most ancestors compared with a new state.
const ANCESTORS: usize = 4096;

/// An ancestor of state `k` (on its first path) that `k` covers with more tokens on a growing
/// place, and that place.
fn covered_ancestor(
    space: &Space<()>,
    weight: &[u64],
    k: u32,
    grows: &[bool],
) -> Option<(u32, u32)> {
    let m = space.marking(k);
    let wk = weight[k as usize];
    let mut at = space.parent(k).map(|(p, _)| p);
    let mut steps = 0;
    while let Some(a) = at {
        if weight[a as usize] < wk {
            let ma = space.marking(a);
            let covers = ma.iter().all(|&(p, n)| get(m, p) >= n);
            if covers {
                let place = m
                    .iter()
                    .find(|&&(p, n)| grows[p as usize] && n > get(ma, p))
                    .map(|&(p, _)| p)?;
                return Some((a, place));
            }
        }
        steps += 1;
        if steps >= ANCESTORS {
            break;
        }
        at = space.parent(a).map(|(p, _)| p);
    }
    None
}

fn get(m: &[(u32, u32)], p: u32) -> u32 {
    m.binary_search_by_key(&p, |&(q, _)| q)
        .map_or(0, |i| m[i].1)
}

#[cfg(test)]
mod tests {
    use super::super::verdict::{FinalMarkings, Sink, Sinks};
    use super::*;

    fn names(n: &Net, path: &[u32]) -> Vec<String> {
        path.iter()
            .map(|&t| n.transitions[t as usize].name.clone())
            .collect()
    }

    /// `t1 → {p1, p2} → t2`: sound (two places between one transition and one join).
    #[test]
    fn a_fork_into_a_two_input_join_is_sound() {
        let mut n = Net::default();
        let [i, p1, p2, o] = ["i", "p1", "p2", "o"].map(|p| n.add_place(p, None));
        n.add_transition("t1", &[(i, 1)], &[(p1, 1), (p2, 1)]);
        n.add_transition("t2", &[(p1, 1), (p2, 1)], &[(o, 1)]);
        n.initial = Marking::of(&[i]);
        let sink = Sink {
            place: o,
            ignored: &[],
        };
        let d = decide(&n, &sink, Budget::CHECK);
        assert_eq!(d.answer, Answer::Sound);
        assert_eq!(d.reduced_transitions, 0);
    }

    /// `t0 → {p1, p2}; a: p1 → d; b: p2 → d; c1: d → y1; c2: d → y2; j: {y1, y2} → o`: `c1`
    /// can fire twice, and then `j` waits for ever.
    #[test]
    fn choosing_the_same_branch_twice_deadlocks_with_its_path() {
        let mut n = Net::default();
        let [i, p1, p2, d, y1, y2, o] =
            ["i", "p1", "p2", "d", "y1", "y2", "o"].map(|p| n.add_place(p, None));
        n.add_transition("t0", &[(i, 1)], &[(p1, 1), (p2, 1)]);
        n.add_transition("a", &[(p1, 1)], &[(d, 1)]);
        n.add_transition("b", &[(p2, 1)], &[(d, 1)]);
        n.add_transition("c1", &[(d, 1)], &[(y1, 1)]);
        n.add_transition("c2", &[(d, 1)], &[(y2, 1)]);
        n.add_transition("j", &[(y1, 1), (y2, 1)], &[(o, 1)]);
        n.initial = Marking::of(&[i]);
        let sink = Sink {
            place: o,
            ignored: &[],
        };
        let dec = decide(&n, &sink, Budget::CHECK);
        let Answer::NotSound(f) = &dec.answer else {
            panic!("{:?}", dec.answer)
        };
        let Finding::Deadlock { path, marking } = &f[0] else {
            panic!("{f:?}")
        };
        assert_eq!(n.show(marking), "{2·y1}");
        assert_eq!(names(&n, path), ["t0", "a", "b", "c1", "c1"]);
    }

    /// An unbounded net with three places is refuted at once, with the loop that grows.
    #[test]
    fn an_unbounded_net_is_not_sound_without_exploring_it() {
        let mut n = Net::default();
        let [i, p, o] = ["i", "p", "o"].map(|x| n.add_place(x, None));
        n.add_transition("start", &[(i, 1)], &[(p, 1)]);
        n.add_transition("grow", &[(p, 1)], &[(p, 1), (o, 1)]);
        n.add_transition("stop", &[(p, 1)], &[(o, 1)]);
        n.initial = Marking::of(&[i]);
        let sink = Sink {
            place: o,
            ignored: &[],
        };
        let d = decide(&n, &sink, Budget::CHECK);
        let Answer::NotSound(f) = &d.answer else {
            panic!("{:?}", d.answer)
        };
        assert!(
            matches!(&f[0], Finding::Unbounded { .. } | Finding::Improper { .. }),
            "{f:?}"
        );
        assert!(d.states < 10, "{}", d.states);
    }

    #[test]
    fn a_pure_generator_is_unbounded() {
        let mut n = Net::default();
        let [i, p, q] = ["i", "p", "q"].map(|x| n.add_place(x, None));
        let g = n.add_transition("grow", &[(p, 1)], &[(p, 1), (q, 1)]);
        n.add_transition("go", &[(i, 1)], &[(p, 1)]);
        n.initial = Marking::of(&[i]);
        let z = n.add_place("z", None);
        let f = FinalMarkings(vec![Marking::of(&[z])]);
        let d = decide(&n, &f, Budget::CHECK);
        let Answer::NotSound(v) = &d.answer else {
            panic!("{:?}", d.answer)
        };
        let Finding::Unbounded { cycle, place, .. } = &v[0] else {
            panic!("{v:?}")
        };
        assert_eq!(*cycle, vec![g]);
        assert_eq!(*place, q);
    }

    /// Two parallel branches that end at two different sinks: sound in the several-sinks
    /// reading; a branch that can end twice at the same sink is not.
    #[test]
    fn parallel_branches_may_end_at_different_sinks() {
        let mut n = Net::default();
        let [i, a, b, e1, e2] = ["i", "a", "b", "e1", "e2"].map(|x| n.add_place(x, None));
        n.add_transition("split", &[(i, 1)], &[(a, 1), (b, 1)]);
        n.add_transition("x", &[(a, 1)], &[(e1, 1)]);
        n.add_transition("y", &[(b, 1)], &[(e2, 1)]);
        n.initial = Marking::of(&[i]);
        let d = decide(&n, &Sinks::of(&n), Budget::CHECK);
        assert_eq!(d.answer, Answer::Sound);
        n.add_transition("z", &[(b, 1)], &[(e1, 1)]);
        let d = decide(&n, &Sinks::of(&n), Budget::CHECK);
        assert!(matches!(d.answer, Answer::NotSound(_)), "{:?}", d.answer);
    }

    /// A fork of 4 000 branches with three tasks each: decided at once.
    #[test]
    fn a_fork_of_four_thousand_branches_is_decided_by_reduction() {
        let mut n = Net::default();
        let i = n.add_place("i", None);
        let o = n.add_place("o", None);
        let mut firsts = Vec::new();
        let mut lasts = Vec::new();
        for b in 0..4000 {
            let ps: Vec<u32> = (0..4)
                .map(|k| n.add_place(format!("b{b}_{k}"), None))
                .collect();
            for k in 0..3 {
                n.add_transition(format!("b{b}_t{k}"), &[(ps[k], 1)], &[(ps[k + 1], 1)]);
            }
            firsts.push((ps[0], 1));
            lasts.push((ps[3], 1));
        }
        n.add_transition("fork", &[(i, 1)], &firsts);
        n.add_transition("join", &lasts, &[(o, 1)]);
        n.initial = Marking::of(&[i]);
        let sink = Sink {
            place: o,
            ignored: &[],
        };
        let d = decide(&n, &sink, Budget::CHECK);
        assert_eq!(d.answer, Answer::Sound);
    }

    /// A fork of 20 branches, each a fork into two free choices whose four combinations meet
    /// in four joins (sound, not free-choice, not reducible): the partial-order reduction fires
    /// one branch at a time, so the space stays linear in the branches instead of 8^20.
    #[test]
    fn independent_choices_are_not_interleaved() {
        let mut n = Net::default();
        let i = n.add_place("i", None);
        let o = n.add_place("o", None);
        let mut firsts = Vec::new();
        let mut lasts = Vec::new();
        let k = 20;
        for b in 0..k {
            let [s, x, y, c1, c2, d1, d2, e] = ["s", "x", "y", "c1", "c2", "d1", "d2", "e"]
                .map(|q| n.add_place(format!("b{b}_{q}"), None));
            n.add_transition(format!("b{b}_split"), &[(s, 1)], &[(x, 1), (y, 1)]);
            n.add_transition(format!("b{b}_x1"), &[(x, 1)], &[(c1, 1)]);
            n.add_transition(format!("b{b}_x2"), &[(x, 1)], &[(c2, 1)]);
            n.add_transition(format!("b{b}_y1"), &[(y, 1)], &[(d1, 1)]);
            n.add_transition(format!("b{b}_y2"), &[(y, 1)], &[(d2, 1)]);
            for (c, d) in [(c1, d1), (c1, d2), (c2, d1), (c2, d2)] {
                n.add_transition(format!("b{b}_j{c}_{d}"), &[(c, 1), (d, 1)], &[(e, 1)]);
            }
            firsts.push((s, 1));
            lasts.push((e, 1));
        }
        n.add_transition("fork", &[(i, 1)], &firsts);
        n.add_transition("join", &lasts, &[(o, 1)]);
        n.initial = Marking::of(&[i]);
        let sink = Sink {
            place: o,
            ignored: &[],
        };
        let d = decide(&n, &sink, Budget::CHECK);
        assert_eq!(d.answer, Answer::Sound);
        assert!(d.states < 2_000, "{} states", d.states);
    }
}
