//! The reachable markings of a net, explored breadth first within a budget, with an optional
//! monitor: a small value carried along every path (an obligation's "A passed, B pending"), so a
//! state is a marking paired with a monitor value.
//!
//! Breadth first, so the path to every state ([`Space::path_to`]) is a shortest one. Each state
//! is stored once in one arena with the transition that first reached it; the index is a hash
//! table of state numbers. A state costs its marking (8 bytes per marked place) plus about 48
//! bytes, an edge 12 bytes. Time O(S · E · log P) for S states, E enabled transitions per state
//! and P marked places.

use super::{Marking, Net};
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

/// How far an exploration may go before it stops with "not decided".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The most states.
    pub states: usize,
    /// The most bytes the explored states and edges may take.
    pub bytes: usize,
}

impl Budget {
    /// The budget of `steg check`: 200 000 states or 256 MiB, whichever comes first.
    pub const CHECK: Budget = Budget {
        states: 200_000,
        bytes: 256 << 20,
    };
}

impl Default for Budget {
    fn default() -> Self {
        Budget::CHECK
    }
}

/// Why an exploration stopped before the space was complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// More states than the budget allows.
    States(usize),
    /// More memory than the budget allows, in bytes.
    Bytes(usize),
    /// The net is unbounded: this state's marking strictly covers the marking of one of the
    /// states on its path (the moves between them can be repeated for ever, each round adding
    /// tokens). Exploring further would never end.
    Unbounded {
        /// The covering state (its path is the witness).
        state: u32,
        /// The covered state on its path.
        covered: u32,
    },
}

/// How many states back along its path a new state is compared with for covering.
const COVER_DEPTH: usize = 256;

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::States(n) => write!(f, "more than {n} states"),
            Limit::Bytes(b) => write!(f, "more than {} MiB of states", b >> 20),
            Limit::Unbounded { .. } => write!(f, "tokens that pile up without bound"),
        }
    }
}

/// A monitor: from the value before a move, the transition fired and the marking after it, the
/// value after it and whether to mark the edge ([`MARKED`]).
pub type Monitor<'m, S> = dyn FnMut(S, u32, &Marking) -> (S, bool) + 'm;

/// An edge of the state space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// The state it leads to.
    pub to: u32,
    /// The transition fired.
    pub transition: u32,
    /// Flags: [`MARKED`].
    pub flags: u8,
}

/// Edge flag: the monitor marked the move (e.g. it entered the step an obligation waits for).
pub const MARKED: u8 = 1;

/// An explored state space.
pub struct Space<S> {
    /// The places and tokens of every state's marking, one after the other.
    arena: Vec<(u32, u32)>,
    /// Where each state's marking starts in `arena` (and ends, at the next one).
    offsets: Vec<u32>,
    /// Monitor value per state.
    values: Vec<S>,
    /// Outgoing edges per state.
    succ: Vec<Vec<Edge>>,
    /// The state and transition that first reached each state (none for the start).
    parent: Vec<Option<(u32, u32)>>,
    /// The limit hit, when the space is incomplete.
    pub truncated: Option<Limit>,
    /// Incoming edges per state, as sources in one array (`pred_at[i]..pred_at[i + 1]`),
    /// built on the first backward search and kept: the analyses search backwards once per
    /// join, wait and obligation.
    preds: std::sync::OnceLock<(Vec<u32>, Vec<u32>)>,
}

impl<S: Copy + Eq + Hash> Space<S> {
    /// Explore `net` from `init` with monitor value `s0`. `monitor` gives the value after a move;
    /// states whose value `prune` accepts are kept but not expanded.
    pub fn explore(
        net: &Net,
        init: &Marking,
        s0: S,
        budget: Budget,
        monitor: &mut Monitor<S>,
        prune: &dyn Fn(S) -> bool,
    ) -> Space<S> {
        let mut space = Space {
            arena: Vec::new(),
            offsets: vec![0],
            values: Vec::new(),
            succ: Vec::new(),
            parent: Vec::new(),
            truncated: None,
            preds: Default::default(),
        };
        // Hash of (marking, value) → newest state with it; `chain` links states of equal hash.
        let mut index: HashMap<u64, u32> = HashMap::new();
        let mut chain: Vec<u32> = Vec::new();
        let hash = |m: &[(u32, u32)], v: S| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            m.hash(&mut h);
            v.hash(&mut h);
            h.finish()
        };
        space.push(&init.0, s0, None);
        chain.push(u32::MAX);
        index.insert(hash(&init.0, s0), 0);
        let mut queue = VecDeque::from([0u32]);
        let mut enabled = Vec::new();
        let mut edges_total = 0usize;
        let capped: Vec<bool> = net.places.iter().map(|p| p.capacity.is_some()).collect();
        while let Some(i) = queue.pop_front() {
            let v = space.values[i as usize];
            if prune(v) {
                continue;
            }
            let m = Marking(space.marking(i).to_vec());
            net.enabled(&m, &mut enabled);
            let mut out = Vec::with_capacity(enabled.len());
            for &t in &enabled {
                let next = net.fire(&m, t);
                let (nv, mark) = monitor(v, t, &next);
                let h = hash(&next.0, nv);
                let mut at = index.get(&h).copied();
                let mut known = None;
                while let Some(k) = at {
                    if space.values[k as usize] == nv && space.marking(k) == next.0.as_slice() {
                        known = Some(k);
                        break;
                    }
                    at = Some(chain[k as usize]).filter(|&c| c != u32::MAX);
                }
                let to = match known {
                    Some(k) => k,
                    None => {
                        let bytes = space.bytes_estimate(edges_total);
                        if space.values.len() >= budget.states {
                            space.truncated = Some(Limit::States(budget.states));
                            continue;
                        }
                        if bytes >= budget.bytes {
                            space.truncated = Some(Limit::Bytes(budget.bytes));
                            continue;
                        }
                        let k = space.push(&next.0, nv, Some((i, t)));
                        chain.push(index.insert(h, k).unwrap_or(u32::MAX));
                        if let Some(covered) = space.covers_ancestor(k, &capped) {
                            space.truncated = Some(Limit::Unbounded { state: k, covered });
                            space.succ[i as usize].extend(out.iter().copied());
                            space.succ[i as usize].push(Edge {
                                to: k,
                                transition: t,
                                flags: if mark { MARKED } else { 0 },
                            });
                            return space;
                        }
                        queue.push_back(k);
                        k
                    }
                };
                out.push(Edge {
                    to,
                    transition: t,
                    flags: if mark { MARKED } else { 0 },
                });
            }
            edges_total += out.len();
            space.succ[i as usize] = out;
        }
        space
    }

    fn push(&mut self, m: &[(u32, u32)], v: S, parent: Option<(u32, u32)>) -> u32 {
        let i = self.values.len() as u32;
        self.arena.extend_from_slice(m);
        self.offsets.push(self.arena.len() as u32);
        self.values.push(v);
        self.succ.push(Vec::new());
        self.parent.push(parent);
        i
    }

    /// A state on the path to `k` (within [`COVER_DEPTH`]) whose marking `k`'s strictly covers
    /// in some place without a capacity (a capacity place cannot grow for ever), with the same
    /// monitor value.
    fn covers_ancestor(&self, k: u32, capped: &[bool]) -> Option<u32> {
        let m = self.marking(k);
        let v = self.values[k as usize];
        let free = |mk: &[(u32, u32)]| -> u64 {
            mk.iter()
                .filter(|&&(p, _)| !capped.get(p as usize).copied().unwrap_or(false))
                .map(|&(_, n)| u64::from(n))
                .sum()
        };
        let total = free(m);
        let mut at = self.parent[k as usize].map(|(p, _)| p);
        for _ in 0..COVER_DEPTH {
            let a = at?;
            let am = self.marking(a);
            if free(am) < total && self.values[a as usize] == v && covers(m, am) {
                return Some(a);
            }
            at = self.parent[a as usize].map(|(p, _)| p);
        }
        None
    }

    fn bytes_estimate(&self, edges: usize) -> usize {
        self.arena.len() * 8
            + self.values.len() * (4 + std::mem::size_of::<S>() + 24 + 12 + 4 + 16)
            + edges * std::mem::size_of::<Edge>()
    }

    /// Number of states.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the space has no state (never: the start is always there).
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The marking of state `i`, as sorted `(place, tokens)` pairs.
    pub fn marking(&self, i: u32) -> &[(u32, u32)] {
        &self.arena[self.offsets[i as usize] as usize..self.offsets[i as usize + 1] as usize]
    }

    /// The marking of state `i`.
    pub fn marking_of(&self, i: u32) -> Marking {
        Marking(self.marking(i).to_vec())
    }

    /// The monitor value of state `i`.
    pub fn value(&self, i: u32) -> S {
        self.values[i as usize]
    }

    /// The edges out of state `i`.
    pub fn edges(&self, i: u32) -> &[Edge] {
        &self.succ[i as usize]
    }

    /// The transitions fired from the start to state `i`, in order.
    pub fn path_to(&self, mut i: u32) -> Vec<u32> {
        let mut out = Vec::new();
        while let Some((p, t)) = self.parent[i as usize] {
            out.push(t);
            i = p;
        }
        out.reverse();
        out
    }

    /// The state that first reached state `i`, and the transition fired.
    pub fn parent(&self, i: u32) -> Option<(u32, u32)> {
        self.parent[i as usize]
    }

    /// Predecessor lists.
    fn preds(&self) -> &(Vec<u32>, Vec<u32>) {
        self.preds.get_or_init(|| {
            let n = self.len();
            let mut at = vec![0u32; n + 1];
            for edges in &self.succ {
                for e in edges {
                    at[e.to as usize + 1] += 1;
                }
            }
            for i in 0..n {
                at[i + 1] += at[i];
            }
            let mut fill = at.clone();
            let mut from = vec![0u32; at[n] as usize];
            for (i, edges) in self.succ.iter().enumerate() {
                for e in edges {
                    let slot = &mut fill[e.to as usize];
                    from[*slot as usize] = i as u32;
                    *slot += 1;
                }
            }
            (at, from)
        })
    }

    /// States from which some state in `goal` can be reached, moving only through states `keep`
    /// accepts (the goal states themselves always count).
    pub fn can_reach(&self, goal: &[bool], keep: &dyn Fn(u32) -> bool) -> Vec<bool> {
        let (at, from) = self.preds();
        let mut seen = goal.to_vec();
        let mut stack: Vec<u32> = (0..seen.len() as u32)
            .filter(|&i| seen[i as usize])
            .collect();
        while let Some(i) = stack.pop() {
            for &p in &from[at[i as usize] as usize..at[i as usize + 1] as usize] {
                if !seen[p as usize] && keep(p) {
                    seen[p as usize] = true;
                    stack.push(p);
                }
            }
        }
        seen
    }

    /// Strongly connected components of the states accepted by `keep` (edges between them only),
    /// as a component number per state (`u32::MAX` outside `keep`) and whether each component
    /// has a cycle. Iterative Tarjan, O(states + edges).
    pub fn sccs(&self, keep: &dyn Fn(u32) -> bool) -> (Vec<u32>, Vec<bool>) {
        let n = self.len();
        let mut comp = vec![u32::MAX; n];
        let mut cyclic = Vec::new();
        let mut index = vec![u32::MAX; n];
        let mut low = vec![0u32; n];
        let mut on = vec![false; n];
        let mut stack: Vec<u32> = Vec::new();
        let mut next = 0u32;
        for root in 0..n as u32 {
            if index[root as usize] != u32::MAX || !keep(root) {
                continue;
            }
            let mut work: Vec<(u32, usize)> = vec![(root, 0)];
            index[root as usize] = next;
            low[root as usize] = next;
            next += 1;
            stack.push(root);
            on[root as usize] = true;
            while let Some(&mut (v, ref mut ei)) = work.last_mut() {
                let edges = &self.succ[v as usize];
                if *ei < edges.len() {
                    let w = edges[*ei].to;
                    *ei += 1;
                    if !keep(w) {
                        continue;
                    }
                    if index[w as usize] == u32::MAX {
                        index[w as usize] = next;
                        low[w as usize] = next;
                        next += 1;
                        stack.push(w);
                        on[w as usize] = true;
                        work.push((w, 0));
                    } else if on[w as usize] {
                        low[v as usize] = low[v as usize].min(index[w as usize]);
                    }
                } else {
                    work.pop();
                    if let Some(&(u, _)) = work.last() {
                        low[u as usize] = low[u as usize].min(low[v as usize]);
                    }
                    if low[v as usize] == index[v as usize] {
                        let c = cyclic.len() as u32;
                        let mut members = 0;
                        let mut self_loop = false;
                        while let Some(x) = stack.pop() {
                            on[x as usize] = false;
                            comp[x as usize] = c;
                            members += 1;
                            self_loop |= self.succ[x as usize].iter().any(|e| e.to == x);
                            if x == v {
                                break;
                            }
                        }
                        cyclic.push(members > 1 || self_loop);
                    }
                }
            }
        }
        (comp, cyclic)
    }

    /// A shortest cycle through a cyclic component reachable from `from` within `keep`, as the
    /// transitions fired around it; `None` when no loop can be reached.
    pub fn loop_from(&self, from: u32, keep: &dyn Fn(u32) -> bool) -> Option<Vec<u32>> {
        let (comp, cyclic) = self.sccs(keep);
        let in_loop = |i: u32| comp[i as usize] != u32::MAX && cyclic[comp[i as usize] as usize];
        // The nearest looping state.
        let mut queue = VecDeque::from([from]);
        let mut seen = vec![false; self.len()];
        seen[from as usize] = true;
        let mut found = None;
        while let Some(i) = queue.pop_front() {
            if in_loop(i) {
                found = Some(i);
                break;
            }
            for e in self.edges(i) {
                if !seen[e.to as usize] && keep(e.to) {
                    seen[e.to as usize] = true;
                    queue.push_back(e.to);
                }
            }
        }
        let s = found?;
        let c = comp[s as usize];
        // Breadth first back to `s` within its component: a shortest cycle.
        let mut back: HashMap<u32, (u32, u32)> = HashMap::new();
        let mut queue = VecDeque::from([s]);
        'search: while let Some(i) = queue.pop_front() {
            for e in self.edges(i) {
                if e.to == s {
                    back.insert(s, (i, e.transition));
                    break 'search;
                }
                if comp[e.to as usize] == c && !back.contains_key(&e.to) {
                    back.insert(e.to, (i, e.transition));
                    queue.push_back(e.to);
                }
            }
        }
        let mut moves = Vec::new();
        let mut i = s;
        loop {
            let &(p, t) = back.get(&i)?;
            moves.push(t);
            i = p;
            if i == s || moves.len() > self.len() {
                break;
            }
        }
        moves.reverse();
        Some(moves)
    }

    /// Approximate bytes held by the space.
    pub fn bytes(&self) -> usize {
        self.bytes_estimate(self.succ.iter().map(Vec::len).sum())
    }
}

/// Whether sorted marking `big` holds at least what sorted marking `small` holds, place by place.
fn covers(big: &[(u32, u32)], small: &[(u32, u32)]) -> bool {
    let mut j = 0;
    for &(p, n) in small {
        while j < big.len() && big[j].0 < p {
            j += 1;
        }
        if j == big.len() || big[j].0 != p || big[j].1 < n {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// i → t → {a, b}; a → x; b → y; {x, y} → j → o: four markings after the start.
    #[test]
    fn explores_every_interleaving_once() {
        let mut n = Net::default();
        let [i, a, b, o] = ["i", "a", "b", "o"].map(|p| n.add_place(p, None));
        n.add_transition("t", &[(i, 1)], &[(a, 1), (b, 1)]);
        let x = n.add_transition("x", &[(a, 1)], &[]);
        n.add_transition("y", &[(b, 1)], &[(o, 1)]);
        n.initial = Marking::of(&[i]);
        let s: Space<()> = Space::explore(
            &n,
            &n.initial,
            (),
            Budget::CHECK,
            &mut |(), _, _| ((), false),
            &|()| false,
        );
        // {i}, {a,b}, {b}, {a,o}, {o}
        assert_eq!(s.len(), 5);
        assert!(s.truncated.is_none());
        let last = (0..s.len() as u32)
            .find(|&k| s.marking(k) == [(o, 1)])
            .expect("the end is reached");
        assert_eq!(s.path_to(last).len(), 3);
        assert!(s.path_to(last).contains(&x));
    }

    #[test]
    fn an_unbounded_net_is_found_out_at_once() {
        let mut n = Net::default();
        let p = n.add_place("p", None);
        let q = n.add_place("q", None);
        n.add_transition("grow", &[(p, 1)], &[(p, 1), (q, 1)]);
        n.initial = Marking::of(&[p]);
        let s: Space<()> = Space::explore(
            &n,
            &n.initial,
            (),
            Budget::CHECK,
            &mut |(), _, _| ((), false),
            &|()| false,
        );
        let Some(Limit::Unbounded { state, covered }) = s.truncated else {
            panic!("{:?}", s.truncated)
        };
        assert_eq!((state, covered), (1, 0));
        assert_eq!(s.path_to(state), vec![0]);
    }

    #[test]
    fn a_large_bounded_net_stops_at_the_budget() {
        let mut n = Net::default();
        // Ten independent two-step branches: 3^10 states.
        let mut start = Vec::new();
        for b in 0..10 {
            let x = n.add_place(format!("x{b}"), None);
            let y = n.add_place(format!("y{b}"), None);
            let z = n.add_place(format!("z{b}"), None);
            n.add_transition(format!("a{b}"), &[(x, 1)], &[(y, 1)]);
            n.add_transition(format!("b{b}"), &[(y, 1)], &[(z, 1)]);
            start.push(x);
        }
        n.initial = Marking::of(&start);
        let s: Space<()> = Space::explore(
            &n,
            &n.initial,
            (),
            Budget {
                states: 50,
                bytes: 1 << 30,
            },
            &mut |(), _, _| ((), false),
            &|()| false,
        );
        assert_eq!(s.truncated, Some(Limit::States(50)));
        assert_eq!(s.len(), 50);
    }
}
