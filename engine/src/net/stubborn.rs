//! Partial-order reduction for the soundness question: in a state, fire only the enabled
//! transitions of a *stubborn set* instead of every enabled transition, when that provably keeps
//! every answer the soundness question needs.
//!
//! A set `S` of transitions is stubborn in a marking `M` (Valmari, "Stubborn sets for reduced
//! state space generation", LNCS 483, 1991; for place/transition nets: Schmidt, "Stubborn sets
//! for standard properties", ICATPN 1999) when
//!
//! - **D1**: for a transition `t` of `S` and transitions `σ` outside `S`, if `σ t` can fire from
//!   `M` then so can `t σ`, to the same marking. Built as a closure: an enabled member brings
//!   every transition that consumes from one of its input places; a disabled member brings
//!   every producer of one input place it lacks tokens on (its *scapegoat*); on a place with a
//!   capacity, producers and consumers bring each other (the order of arrivals matters there);
//! - **D2**: a *key* transition of `S` is enabled and stays enabled whatever transitions outside
//!   `S` fire (all consumers of its inputs are in `S`).
//!
//! The key transition is also chosen *invisible* to the final condition: its input places count,
//! take no part in the final condition and have no capacity, and it puts a counted token
//! somewhere. Then every path from `M` to a final marking fires a transition of `S` (otherwise
//! the key's inputs would still be marked there), which D1 moves to the front; a marking `M'`
//! reached outside `S` that holds a final marking and more still does after the key fires, and a
//! transition firing after `σ` still fires after `key σ`. With the cycle proviso of the explorer
//! (a state is expanded in full when a reduced successor was found at its own breadth-first level
//! or above; every cycle of a breadth-first graph has such an edge, so every cycle of the reduced
//! graph has a fully expanded state, and in a finite space every chain of reduced states ends in
//! one), the reduced graph has a deadlock, a state that cannot complete, an improper marking, and
//! a firing of each transition, exactly when the full graph has. A lack of synchronisation
//! ([`Finals::must_be_safe`]) is not preserved this way: the reduction is off for that reading.
//!
//! [`Finals::must_be_safe`]: super::verdict::Finals::must_be_safe

use super::verdict::Finals;
use super::{Marking, Net};

/// How many enabled key transitions are tried per state, for the smallest set.
const TRIES: usize = 4;

/// What the stubborn-set computation needs of a net, computed once.
pub struct Stubborn {
    /// Whether the reduction is on.
    on: bool,
    /// Producers per place.
    producers: Vec<Vec<u32>>,
    /// Whether each place has a capacity.
    capacity: Vec<bool>,
    /// Whether each transition may be a key.
    key: Vec<bool>,
    /// Generation stamps per transition, for the closure.
    stamp: Vec<u32>,
    generation: u32,
    work: Vec<u32>,
    members: Vec<u32>,
}

impl Stubborn {
    /// Prepare for `net` and `finals` (the reduction is off when `finals` asks for safeness).
    pub fn new(net: &Net, finals: &dyn Finals) -> Stubborn {
        let np = net.place_count();
        let nt = net.transitions.len();
        let mut producers = vec![Vec::new(); np];
        for (t, tr) in net.transitions.iter().enumerate() {
            for &(p, _) in &tr.post {
                producers[p as usize].push(t as u32);
            }
        }
        let capacity: Vec<bool> = net.places.iter().map(|p| p.capacity.is_some()).collect();
        let key = net
            .transitions
            .iter()
            .map(|tr| {
                !tr.pre.is_empty()
                    && tr.pre.iter().all(|&(p, _)| {
                        finals.counts(p) && !finals.mentions(p) && !capacity[p as usize]
                    })
                    && tr.post.iter().any(|&(q, _)| finals.counts(q))
            })
            .collect::<Vec<bool>>();
        Stubborn {
            on: !finals.must_be_safe() && key.iter().any(|&k| k),
            producers,
            capacity,
            key,
            stamp: vec![0; nt],
            generation: 0,
            work: Vec::new(),
            members: Vec::new(),
        }
    }

    /// The transitions to fire in `m`, where `enabled` are enabled: the enabled members of the
    /// smallest stubborn set found, when smaller than `enabled`.
    pub fn pick(&mut self, net: &Net, m: &Marking, enabled: &[u32]) -> Option<Vec<u32>> {
        if !self.on || enabled.len() < 2 {
            return None;
        }
        let mut best: Option<Vec<u32>> = None;
        let mut tries = 0;
        for &k in enabled {
            if !self.key[k as usize] {
                continue;
            }
            tries += 1;
            let set = self.closure(net, m, k, best.as_ref().map_or(enabled.len(), Vec::len));
            if let Some(set) = set {
                let done = set.len() == 1;
                best = Some(set);
                if done {
                    break;
                }
            }
            if tries >= TRIES {
                break;
            }
        }
        best.filter(|b| b.len() < enabled.len())
    }

    /// The enabled members of the stubborn set grown from key `k`, or `None` once it has
    /// `limit` enabled members (no better than what is known).
    fn closure(&mut self, net: &Net, m: &Marking, k: u32, limit: usize) -> Option<Vec<u32>> {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        let g = self.generation;
        self.work.clear();
        self.members.clear();
        self.stamp[k as usize] = g;
        self.work.push(k);
        while let Some(t) = self.work.pop() {
            let tr = &net.transitions[t as usize];
            let enabled = tr.pre.iter().all(|&(p, w)| m.get(p) >= w);
            let bring = |u: u32, stamp: &mut Vec<u32>, work: &mut Vec<u32>| {
                if stamp[u as usize] != g {
                    stamp[u as usize] = g;
                    work.push(u);
                }
            };
            if enabled {
                self.members.push(t);
                if self.members.len() >= limit {
                    return None;
                }
                for &(p, _) in &tr.pre {
                    for &u in net.consumers(p) {
                        bring(u, &mut self.stamp, &mut self.work);
                    }
                    if self.capacity[p as usize] {
                        for &u in &self.producers[p as usize] {
                            bring(u, &mut self.stamp, &mut self.work);
                        }
                    }
                }
                for &(p, _) in &tr.post {
                    if self.capacity[p as usize] {
                        for &u in net.consumers(p) {
                            bring(u, &mut self.stamp, &mut self.work);
                        }
                    }
                }
            } else {
                // The scapegoat: an insufficiently marked input with the fewest producers.
                let scapegoat = tr
                    .pre
                    .iter()
                    .filter(|&&(p, w)| m.get(p) < w)
                    .min_by_key(|&&(p, _)| self.producers[p as usize].len())
                    .map(|&(p, _)| p);
                if let Some(p) = scapegoat {
                    for &u in &self.producers[p as usize] {
                        bring(u, &mut self.stamp, &mut self.work);
                    }
                }
            }
        }
        let mut out = self.members.clone();
        out.sort_unstable();
        Some(out)
    }
}
