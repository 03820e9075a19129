//! Soundness-preserving reductions of a net, applied before its states are explored.
//!
//! Four rules, each a classical one (Murata, "Petri nets: properties, analysis and applications",
//! Proc. IEEE 77(4), 1989, §VI; Berthelot's agglomeration, "Transformations and decompositions
//! of nets", LNCS 254, 1987), applied to a fixpoint:
//!
//! - **post-agglomeration** (Murata's fusion of series places and transitions): a transition
//!   `t` whose only input is one token from a place `p` that nothing but `t` consumes fires as
//!   soon as `p` is marked and nothing can stop it; every producer of `p` fires `t` with it and
//!   `p` and `t` go. Tokens `p` holds at the start are moved on by firing `t` at once (the
//!   *prefix* of every witness path);
//! - **parallel places**: two places with the same producers, consumers, weights and initial
//!   tokens always hold the same tokens; one goes;
//! - **parallel transitions**: two transitions with the same inputs and outputs; one goes;
//! - **dominated self-loops**: a transition that puts back what it takes changes no marking; it
//!   goes when another transition needs at least its inputs (so it can fire whenever that one
//!   can).
//!
//! The reduced net has the same reachable markings restricted to the places kept, the same
//! deadlocks, the same final markings reachable from each of them, the same improper markings,
//! and a place with two tokens exactly when the original has one. A place the final condition
//! mentions ([`super::verdict::Finals::mentions`]), a place whose tokens do not count, and a
//! place with a capacity are never reduced, and a transition is only folded into others when it
//! puts a counted token somewhere, so an improper marking stays improper.
//!
//! Every reduced transition knows the original transitions it stands for: the sequence it fires
//! (for witness paths) and the transitions that can fire whenever it does (for dead
//! transitions). Place indices are kept: a reduced net has the original places, those reduced
//! away without arcs and tokens. Time O(passes · (P + T) · d log d) for arcs of degree d.

use super::{Marking, Net};
use std::collections::HashMap;

/// A reduced net and how to read it back.
#[derive(Debug, Clone)]
pub struct Reduced {
    /// The reduced net: the original places (reduced ones without arcs), the transitions kept.
    pub net: Net,
    /// For each reduced transition, the original transitions it fires, in order.
    pub expansion: Vec<Vec<u32>>,
    /// For each reduced transition, the original transitions that can fire whenever it does.
    pub covers: Vec<Vec<u32>>,
    /// Original transitions fired before the reduced net's initial marking.
    pub prefix: Vec<u32>,
    /// Original transitions that can fire because the prefix fires.
    pub prefix_covers: Vec<u32>,
    /// For each original transition, whether "never fires" can be concluded from the reduced
    /// net (`false` for a self-loop removed beside another transition).
    pub certain: Vec<bool>,
}

/// What the reductions must leave alone and what they may assume.
pub struct Guard<'a> {
    /// Places not to reduce (the final condition's, capacities).
    pub protect: &'a [bool],
    /// Places whose tokens count for completion.
    pub counts: &'a [bool],
}

struct Work {
    pre: Vec<Vec<(u32, u32)>>,
    post: Vec<Vec<(u32, u32)>>,
    t_alive: Vec<bool>,
    prod: Vec<Vec<u32>>,
    cons: Vec<Vec<u32>>,
    p_alive: Vec<bool>,
    m0: Vec<u32>,
    capacity: Vec<bool>,
    expansion: Vec<Vec<u32>>,
    covers: Vec<Vec<u32>>,
    prefix: Vec<u32>,
    prefix_covers: Vec<u32>,
    certain: Vec<bool>,
}

fn weight(arcs: &[(u32, u32)], p: u32) -> u32 {
    arcs.binary_search_by_key(&p, |&(q, _)| q)
        .map_or(0, |i| arcs[i].1)
}

fn add_arc(arcs: &mut Vec<(u32, u32)>, p: u32, w: u32) {
    match arcs.binary_search_by_key(&p, |&(q, _)| q) {
        Ok(i) => arcs[i].1 = arcs[i].1.saturating_add(w),
        Err(i) => arcs.insert(i, (p, w)),
    }
}

fn remove_arc(arcs: &mut Vec<(u32, u32)>, p: u32) {
    if let Ok(i) = arcs.binary_search_by_key(&p, |&(q, _)| q) {
        arcs.remove(i);
    }
}

fn drop_from(list: &mut Vec<u32>, x: u32) {
    if let Some(i) = list.iter().position(|&y| y == x) {
        list.swap_remove(i);
    }
}

fn push_unique(list: &mut Vec<u32>, x: u32) {
    if !list.contains(&x) {
        list.push(x);
    }
}

impl Work {
    fn new(net: &Net) -> Work {
        let np = net.place_count();
        let nt = net.transitions.len();
        let mut prod = vec![Vec::new(); np];
        let mut cons = vec![Vec::new(); np];
        for (t, tr) in net.transitions.iter().enumerate() {
            for &(p, _) in &tr.pre {
                cons[p as usize].push(t as u32);
            }
            for &(p, _) in &tr.post {
                prod[p as usize].push(t as u32);
            }
        }
        let mut m0 = vec![0; np];
        for &(p, n) in &net.initial.0 {
            m0[p as usize] = n;
        }
        Work {
            pre: net.transitions.iter().map(|t| t.pre.clone()).collect(),
            post: net.transitions.iter().map(|t| t.post.clone()).collect(),
            t_alive: vec![true; nt],
            prod,
            cons,
            p_alive: vec![true; np],
            m0,
            capacity: net.places.iter().map(|p| p.capacity.is_some()).collect(),
            expansion: (0..nt as u32).map(|t| vec![t]).collect(),
            covers: (0..nt as u32).map(|t| vec![t]).collect(),
            prefix: Vec::new(),
            prefix_covers: Vec::new(),
            certain: vec![true; nt],
        }
    }

    fn kill_transition(&mut self, t: u32) {
        for &(p, _) in &self.pre[t as usize] {
            drop_from(&mut self.cons[p as usize], t);
        }
        for &(p, _) in &self.post[t as usize] {
            drop_from(&mut self.prod[p as usize], t);
        }
        self.pre[t as usize].clear();
        self.post[t as usize].clear();
        self.t_alive[t as usize] = false;
    }

    /// Post-agglomeration of `t` (the only consumer of `p`, taking one token of it and nothing
    /// else) into the producers of `p`.
    fn post_agglomerate(&mut self, p: u32, t: u32) {
        let tpost = self.post[t as usize].clone();
        let texp = self.expansion[t as usize].clone();
        let tcov = self.covers[t as usize].clone();
        for u in self.prod[p as usize].clone() {
            let k = weight(&self.post[u as usize], p);
            remove_arc(&mut self.post[u as usize], p);
            for &(q, w) in &tpost {
                add_arc(&mut self.post[u as usize], q, w.saturating_mul(k));
                push_unique(&mut self.prod[q as usize], u);
            }
            for _ in 0..k {
                self.expansion[u as usize].extend_from_slice(&texp);
            }
            for &c in &tcov {
                push_unique(&mut self.covers[u as usize], c);
            }
        }
        let k = std::mem::take(&mut self.m0[p as usize]);
        if k > 0 {
            for &(q, w) in &tpost {
                self.m0[q as usize] = self.m0[q as usize].saturating_add(w.saturating_mul(k));
            }
            for _ in 0..k {
                self.prefix.extend_from_slice(&texp);
            }
            self.prefix_covers.extend_from_slice(&tcov);
        }
        self.prod[p as usize].clear();
        self.kill_transition(t);
        self.p_alive[p as usize] = false;
    }

    /// Apply post-agglomeration wherever it fits; whether anything changed.
    fn post_agglomeration(&mut self, g: &Guard) -> bool {
        let mut changed = false;
        for p in 0..self.p_alive.len() as u32 {
            let pi = p as usize;
            if !self.p_alive[pi] || g.protect[pi] || self.capacity[pi] {
                continue;
            }
            let [t] = self.cons[pi][..] else { continue };
            let ti = t as usize;
            let fits = self.pre[ti] == [(p, 1)]
                && !self.post[ti].is_empty()
                && self.post[ti].iter().all(|&(q, _)| {
                    q != p && !self.capacity[q as usize] && self.p_alive[q as usize]
                })
                && self.post[ti].iter().any(|&(q, _)| g.counts[q as usize])
                && (!self.prod[pi].is_empty() || self.m0[pi] > 0);
            if fits {
                self.post_agglomerate(p, t);
                changed = true;
            }
        }
        changed
    }

    /// Remove places that duplicate another; whether anything changed.
    fn parallel_places(&mut self, g: &Guard) -> bool {
        type Sig = (Vec<(u32, u32)>, Vec<(u32, u32)>, u32);
        let mut seen: HashMap<Sig, u32> = HashMap::new();
        let mut changed = false;
        for p in 0..self.p_alive.len() as u32 {
            let pi = p as usize;
            if !self.p_alive[pi] || g.protect[pi] || self.capacity[pi] {
                continue;
            }
            if self.prod[pi].is_empty() && self.cons[pi].is_empty() {
                continue;
            }
            let mut ins: Vec<(u32, u32)> = self.prod[pi]
                .iter()
                .map(|&t| (t, weight(&self.post[t as usize], p)))
                .collect();
            ins.sort_unstable();
            let mut outs: Vec<(u32, u32)> = self.cons[pi]
                .iter()
                .map(|&t| (t, weight(&self.pre[t as usize], p)))
                .collect();
            outs.sort_unstable();
            let sig = (ins, outs, self.m0[pi]);
            if let std::collections::hash_map::Entry::Vacant(e) = seen.entry(sig.clone()) {
                e.insert(p);
            } else {
                for &(t, _) in &sig.0 {
                    remove_arc(&mut self.post[t as usize], p);
                }
                for &(t, _) in &sig.1 {
                    remove_arc(&mut self.pre[t as usize], p);
                }
                self.prod[pi].clear();
                self.cons[pi].clear();
                self.m0[pi] = 0;
                self.p_alive[pi] = false;
                changed = true;
            }
        }
        changed
    }

    /// Remove transitions that duplicate another; whether anything changed.
    fn parallel_transitions(&mut self) -> bool {
        type Sig = (Vec<(u32, u32)>, Vec<(u32, u32)>);
        let mut seen: HashMap<Sig, u32> = HashMap::new();
        let mut changed = false;
        for t in 0..self.t_alive.len() as u32 {
            let ti = t as usize;
            if !self.t_alive[ti] {
                continue;
            }
            let sig = (self.pre[ti].clone(), self.post[ti].clone());
            match seen.get(&sig) {
                Some(&k) => {
                    let cov = std::mem::take(&mut self.covers[ti]);
                    for c in cov {
                        push_unique(&mut self.covers[k as usize], c);
                    }
                    self.kill_transition(t);
                    changed = true;
                }
                None => {
                    seen.insert(sig, t);
                }
            }
        }
        changed
    }

    /// Remove self-loops dominated by a transition that is not one; whether anything changed.
    fn dominated_self_loops(&mut self) -> bool {
        let mut changed = false;
        for t in 0..self.t_alive.len() as u32 {
            let ti = t as usize;
            if !self.t_alive[ti] || self.pre[ti] != self.post[ti] || self.pre[ti].is_empty() {
                continue;
            }
            let first = self.pre[ti][0].0;
            let by = self.cons[first as usize].iter().copied().find(|&u| {
                let ui = u as usize;
                u != t
                    && self.pre[ui] != self.post[ui]
                    && self.pre[ti]
                        .iter()
                        .all(|&(q, w)| weight(&self.pre[ui], q) >= w)
            });
            if let Some(u) = by {
                let cov = std::mem::take(&mut self.covers[ti]);
                for c in cov {
                    self.certain[c as usize] = false;
                    push_unique(&mut self.covers[u as usize], c);
                }
                self.kill_transition(t);
                changed = true;
            }
        }
        changed
    }
}

/// Reduce `net`, leaving the places `guard` protects alone.
pub fn reduce(net: &Net, guard: &Guard) -> Reduced {
    let mut w = Work::new(net);
    // Each pass shrinks the net or ends the loop; the bound is a guard against a rule bug.
    for _ in 0..=net.place_count() + net.transitions.len() {
        let mut changed = w.post_agglomeration(guard);
        changed |= w.parallel_transitions();
        changed |= w.parallel_places(guard);
        changed |= w.dominated_self_loops();
        if !changed {
            break;
        }
    }
    let mut out = Net::default();
    for p in &net.places {
        out.add_place(p.name.clone(), p.capacity);
    }
    let mut expansion = Vec::new();
    let mut covers = Vec::new();
    for t in 0..net.transitions.len() {
        if !w.t_alive[t] {
            continue;
        }
        out.add_transition(net.transitions[t].name.clone(), &w.pre[t], &w.post[t]);
        expansion.push(std::mem::take(&mut w.expansion[t]));
        let mut c = std::mem::take(&mut w.covers[t]);
        c.sort_unstable();
        c.dedup();
        covers.push(c);
    }
    out.initial = Marking(
        w.m0.iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(|(p, &n)| (p as u32, n))
            .collect(),
    );
    w.prefix_covers.sort_unstable();
    w.prefix_covers.dedup();
    Reduced {
        net: out,
        expansion,
        covers,
        prefix: w.prefix,
        prefix_covers: w.prefix_covers,
        certain: w.certain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard_for(net: &Net, protect: &[u32]) -> (Vec<bool>, Vec<bool>) {
        let mut p = vec![false; net.place_count()];
        for &x in protect {
            p[x as usize] = true;
        }
        (p, vec![true; net.place_count()])
    }

    /// A fork of `k` branches of two tasks each into a join reduces to one transition.
    #[test]
    fn a_wide_fork_of_sequences_reduces_to_one_transition() {
        let mut n = Net::default();
        let i = n.add_place("i", None);
        let o = n.add_place("o", None);
        let k = 50;
        let mut mids = Vec::new();
        let mut ends = Vec::new();
        for b in 0..k {
            let a = n.add_place(format!("a{b}"), None);
            let m = n.add_place(format!("m{b}"), None);
            let e = n.add_place(format!("e{b}"), None);
            mids.push((a, m, e));
            ends.push((e, 1));
        }
        let outs: Vec<(u32, u32)> = mids.iter().map(|&(a, _, _)| (a, 1)).collect();
        n.add_transition("fork", &[(i, 1)], &outs);
        for (b, &(a, m, e)) in mids.iter().enumerate() {
            n.add_transition(format!("x{b}"), &[(a, 1)], &[(m, 1)]);
            n.add_transition(format!("y{b}"), &[(m, 1)], &[(e, 1)]);
        }
        n.add_transition("join", &ends, &[(o, 1)]);
        n.initial = Marking::of(&[i]);
        let (protect, counts) = guard_for(&n, &[o]);
        let r = reduce(
            &n,
            &Guard {
                protect: &protect,
                counts: &counts,
            },
        );
        assert_eq!(r.net.transitions.len(), 0, "{:?}", r.net.transitions);
        assert_eq!(r.net.initial, Marking::of(&[o]));
        assert_eq!(r.prefix.len(), 2 + 2 * k);
        // The prefix is a firing sequence of the original net ending at the sink.
        let mut m = n.initial.clone();
        for &t in &r.prefix {
            assert!(n.is_enabled(&m, t));
            n.fire_in(&mut m, t);
        }
        assert_eq!(m, Marking::of(&[o]));
    }

    /// A choice between two tasks that meet again reduces to one transition standing for both.
    #[test]
    fn an_exclusive_block_reduces_and_covers_both_branches() {
        let mut n = Net::default();
        let [i, a, b, c, o] = ["i", "a", "b", "c", "o"].map(|p| n.add_place(p, None));
        n.add_transition("start", &[(i, 1)], &[(a, 1)]);
        let x = n.add_transition("x", &[(a, 1)], &[(b, 1)]);
        let y = n.add_transition("y", &[(a, 1)], &[(b, 1)]);
        n.add_transition("z", &[(b, 1)], &[(c, 1)]);
        n.add_transition("end", &[(c, 1)], &[(o, 1)]);
        n.initial = Marking::of(&[i]);
        let _ = (x, y);
        let (protect, counts) = guard_for(&n, &[o]);
        let r = reduce(
            &n,
            &Guard {
                protect: &protect,
                counts: &counts,
            },
        );
        assert!(r.net.transitions.is_empty());
        assert!(r.prefix_covers.contains(&x) && r.prefix_covers.contains(&y));
    }

    /// A place both branches of a fork feed is not reduced away: its two tokens stay visible.
    #[test]
    fn a_place_two_branches_feed_keeps_both_tokens() {
        let mut n = Net::default();
        let [i, p1, p2, d, o] = ["i", "p1", "p2", "d", "o"].map(|p| n.add_place(p, None));
        n.add_transition("t0", &[(i, 1)], &[(p1, 1), (p2, 1)]);
        n.add_transition("a", &[(p1, 1)], &[(d, 1)]);
        n.add_transition("b", &[(p2, 1)], &[(d, 1)]);
        n.add_transition("c", &[(d, 1)], &[(o, 1)]);
        n.initial = Marking::of(&[i]);
        let (protect, counts) = guard_for(&n, &[o]);
        let r = reduce(
            &n,
            &Guard {
                protect: &protect,
                counts: &counts,
            },
        );
        // Everything folds into the start: two tokens end on `o`.
        assert_eq!(r.net.initial.get(o), 2);
    }
}
