//! Conformance of one trace to a [`LabelledNet`]: optimal alignments and token-based replay.
//!
//! **Alignments** (Adriansyah, van Dongen and van der Aalst, 2011): a shortest path in the
//! synchronous product of the trace and the net, from (start of the trace, initial marking) to
//! (end of the trace, final marking), with the standard costs: a synchronous move (the event
//! and a transition of its activity fire together) 0, a move on the log only (an event the
//! model does not allow there: *inserted*) 1, a move on the model only of a visible transition
//! (a step the log lacks: *skipped*) 1, a silent transition 0. The search is A* with the
//! events left as a lower bound (every event still to come costs at least 0, so it is
//! Dijkstra's order made admissible; ties go to the state further in the trace). It stops
//! after a stated number of states ([`Budget`]) and then says so: *not decided*. A trace of a
//! case still open (`Trace::open`) is aligned as a prefix: any marking may end it.
//!
//! **Token-based replay** (Rozinat and van der Aalst, 2008): the events fire in order; a
//! transition not enabled is first enabled by silent moves (a bounded search), else fired with
//! its missing tokens created and counted. Fitness is ½(1 − missing/consumed) + ½(1 −
//! remaining/produced), the final marking consumed at the end.

use super::LabelledNet;
use crate::net::Marking;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

/// The most states an alignment of one trace may visit before it is not decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget(pub usize);

impl Default for Budget {
    fn default() -> Self {
        Budget(200_000)
    }
}

/// One move of an alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Event `i` and transition `t` together.
    Sync(usize, u32),
    /// Event `i` alone: the model does not allow it here.
    Log(usize),
    /// Visible transition `t` alone: the log lacks it.
    Model(u32),
    /// Silent transition `t`.
    Silent(u32),
}

/// An alignment, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Alignment {
    /// An optimal alignment and its cost.
    Found {
        /// Deviations (log and model moves).
        cost: u32,
        /// The moves in order.
        steps: Vec<Step>,
        /// States visited.
        states: usize,
    },
    /// The budget of states ran out.
    NotDecided {
        /// States visited.
        states: usize,
    },
    /// No alignment exists (the final marking cannot be reached from the initial one).
    Impossible,
}

/// An optimal alignment of `trace` (activity indices into `acts`, matched against the net's
/// labels) with `net`.
pub fn align(net: &LabelledNet, trace: &[&str], prefix: bool, budget: Budget) -> Alignment {
    let n = trace.len();
    let mut seen: HashMap<(usize, Marking), u32> = HashMap::new();
    let mut back: Vec<(usize, Step)> = Vec::new(); // parent node, move
    let mut nodes: Vec<(usize, Marking)> = Vec::new();
    let mut heap: BinaryHeap<Reverse<(u32, Reverse<usize>, usize)>> = BinaryHeap::new();
    nodes.push((0, net.net.initial.clone()));
    back.push((usize::MAX, Step::Silent(u32::MAX)));
    seen.insert((0, net.net.initial.clone()), 0);
    heap.push(Reverse((0, Reverse(0), 0)));
    let mut enabled = Vec::new();
    let mut expanded = 0usize;
    while let Some(Reverse((cost, _, id))) = heap.pop() {
        let (i, m) = nodes[id].clone();
        if seen.get(&(i, m.clone())).is_some_and(|&c| c < cost) {
            continue;
        }
        if i == n && (prefix || m == net.final_marking) {
            let mut steps = Vec::new();
            let mut at = id;
            while back[at].0 != usize::MAX {
                steps.push(back[at].1);
                at = back[at].0;
            }
            steps.reverse();
            return Alignment::Found {
                cost,
                steps,
                states: expanded,
            };
        }
        expanded += 1;
        if expanded > budget.0 {
            return Alignment::NotDecided { states: expanded };
        }
        let mut push = |cost: u32, i: usize, m: Marking, step: Step| {
            let key = (i, m);
            if seen.get(&key).is_some_and(|&c| c <= cost) {
                return;
            }
            seen.insert(key.clone(), cost);
            nodes.push(key.clone());
            back.push((id, step));
            heap.push(Reverse((cost, Reverse(key.0), nodes.len() - 1)));
        };
        if i < n {
            push(cost + 1, i + 1, m.clone(), Step::Log(i));
        }
        net.net.enabled(&m, &mut enabled);
        for &t in &enabled {
            let next = net.net.fire(&m, t);
            match &net.labels[t as usize] {
                None => push(cost, i, next, Step::Silent(t)),
                Some(a) => {
                    if i < n && a == trace[i] {
                        push(cost, i + 1, next.clone(), Step::Sync(i, t));
                    }
                    push(cost + 1, i, next, Step::Model(t));
                }
            }
        }
    }
    Alignment::Impossible
}

/// Token-based replay of one trace: (fitness, missing, remaining, consumed, produced).
pub fn token_replay(net: &LabelledNet, trace: &[&str], prefix: bool) -> (f64, u64, u64, u64, u64) {
    let mut m = net.net.initial.clone();
    let mut produced = m.tokens();
    let (mut consumed, mut missing) = (0u64, 0u64);
    for a in trace {
        let candidates: Vec<u32> = (0..net.labels.len() as u32)
            .filter(|&t| net.labels[t as usize].as_deref() == Some(*a))
            .collect();
        let t = match candidates.iter().find(|&&t| net.net.is_enabled(&m, t)) {
            Some(&t) => Some(t),
            None => match silent_until(net, &m, |x| {
                candidates.iter().any(|&t| net.net.is_enabled(x, t))
            }) {
                Some((x, used, made)) => {
                    m = x;
                    consumed += used;
                    produced += made;
                    candidates
                        .iter()
                        .copied()
                        .find(|&t| net.net.is_enabled(&m, t))
                }
                None => candidates.first().copied(),
            },
        };
        let Some(t) = t else {
            // An activity the model does not have: it neither consumes nor produces.
            missing += 1;
            consumed += 1;
            continue;
        };
        let tr = &net.net.transitions[t as usize];
        for &(p, w) in &tr.pre {
            let have = m.get(p);
            if have < w {
                missing += u64::from(w - have);
                m.add(p, w - have, None);
            }
            consumed += u64::from(w);
        }
        net.net.fire_in(&mut m, t);
        produced += tr.post.iter().map(|&(_, w)| u64::from(w)).sum::<u64>();
    }
    if !prefix {
        if let Some((x, used, made)) = silent_until(net, &m, |x| x.covers(&net.final_marking)) {
            m = x;
            consumed += used;
            produced += made;
        }
    }
    let remaining = if prefix {
        0
    } else {
        for &(p, w) in &net.final_marking.0 {
            let have = m.get(p);
            if have < w {
                missing += u64::from(w - have);
                m.add(p, w - have, None);
            }
            m.take(p, w);
            consumed += u64::from(w);
        }
        m.tokens()
    };
    let fitness = 0.5 * (1.0 - missing as f64 / consumed.max(1) as f64)
        + 0.5 * (1.0 - remaining as f64 / produced.max(1) as f64);
    (fitness, missing, remaining, consumed, produced)
}

/// The most markings a silent search of the replay visits.
const SILENT_STATES: usize = 5_000;

/// A marking reachable from `m` by silent transitions alone where `goal` holds (breadth
/// first, bounded), with the tokens consumed and produced on the way.
fn silent_until(
    net: &LabelledNet,
    m: &Marking,
    goal: impl Fn(&Marking) -> bool,
) -> Option<(Marking, u64, u64)> {
    let mut seen: HashMap<Marking, ()> = HashMap::new();
    let mut queue = VecDeque::from([(m.clone(), 0u64, 0u64)]);
    seen.insert(m.clone(), ());
    let mut enabled = Vec::new();
    while let Some((x, c, p)) = queue.pop_front() {
        if goal(&x) {
            return Some((x, c, p));
        }
        if seen.len() > SILENT_STATES {
            return None;
        }
        net.net.enabled(&x, &mut enabled);
        for &t in &enabled {
            if net.labels[t as usize].is_some() {
                continue;
            }
            let y = net.net.fire(&x, t);
            if seen.insert(y.clone(), ()).is_none() {
                let tr = &net.net.transitions[t as usize];
                let w = |a: &[(u32, u32)]| a.iter().map(|&(_, w)| u64::from(w)).sum::<u64>();
                queue.push_back((y, c + w(&tr.pre), p + w(&tr.post)));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Net;

    /// a → (b | c) → d, with a silent skip of c.
    fn net() -> LabelledNet {
        let mut n = Net::default();
        let p: Vec<u32> = (0..4).map(|i| n.add_place(format!("p{i}"), None)).collect();
        n.add_transition("a", &[(p[0], 1)], &[(p[1], 1)]);
        n.add_transition("b", &[(p[1], 1)], &[(p[2], 1)]);
        n.add_transition("c", &[(p[1], 1)], &[(p[2], 1)]);
        n.add_transition("d", &[(p[2], 1)], &[(p[3], 1)]);
        n.initial = Marking::of(&[p[0]]);
        LabelledNet {
            name: "t".into(),
            net: n,
            final_marking: Marking::of(&[p[3]]),
            labels: ["a", "b", "c", "d"]
                .iter()
                .map(|s| Some(s.to_string()))
                .collect(),
            origin: vec![None; 4],
        }
    }

    fn cost(a: &Alignment) -> Option<u32> {
        match a {
            Alignment::Found { cost, .. } => Some(*cost),
            _ => None,
        }
    }

    #[test]
    fn alignments_cost_what_deviates() {
        let n = net();
        assert_eq!(
            cost(&align(&n, &["a", "b", "d"], false, Budget::default())),
            Some(0)
        );
        assert_eq!(
            cost(&align(&n, &["a", "d"], false, Budget::default())),
            Some(1),
            "b or c skipped"
        );
        assert_eq!(
            cost(&align(&n, &["a", "x", "c", "d"], false, Budget::default())),
            Some(1),
            "x inserted"
        );
        assert_eq!(
            cost(&align(&n, &["a", "b"], true, Budget::default())),
            Some(0),
            "a prefix"
        );
        assert_eq!(
            cost(&align(&n, &["a", "b"], false, Budget::default())),
            Some(1),
            "d skipped"
        );
        assert!(matches!(
            align(&n, &["a", "b", "d"], false, Budget(1)),
            Alignment::NotDecided { .. }
        ));
    }

    #[test]
    fn token_replay_counts_missing_and_remaining_tokens() {
        let n = net();
        let (f, missing, remaining, _, _) = token_replay(&n, &["a", "b", "d"], false);
        assert_eq!((f, missing, remaining), (1.0, 0, 0));
        let (f, missing, remaining, _, _) = token_replay(&n, &["a", "d"], false);
        assert_eq!((missing, remaining), (1, 1));
        assert!(f < 1.0);
    }
}
