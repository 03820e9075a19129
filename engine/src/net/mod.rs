//! Place/transition nets: the one execution semantics of steg.
//!
//! A workflow is compiled into a net (`crate::semantics::compile`): a place per step a case can
//! be at, a place per input of a join, a place per pending event, and a transition per way a
//! step can be left. Imported PNML models are nets already. Everything that judges or runs a
//! process works on this module's [`Net`]:
//!
//! - the explorer ([`space`]) enumerates every reachable marking by firing every enabled
//!   transition, within a stated [`space::Budget`];
//! - the soundness verdicts ([`verdict`]) read the explored space: sound, not sound with a
//!   witness path, or not decided with the bound that was hit;
//! - [`decide`] answers the plain soundness question of a net in those three verdicts, after
//!   soundness-preserving reductions ([`reduce`]) and with a partial-order reduction
//!   ([`stubborn`]); obligations, which need every state with a monitor, use the explorer;
//! - the case machine (`crate::run::case`) and the simulator fire one enabled transition at a
//!   time, chosen by rules, scenario and random draws, with time added.
//!
//! ## Semantics
//!
//! A *marking* gives each place a number of tokens. A transition is *enabled* in a marking when
//! each place of its pre-set holds at least the arc's weight; *firing* it takes those tokens
//! and adds the weights of its post-set. A place may have a *capacity* `k`: firing never puts
//! more than `k` tokens on it, tokens beyond it are merged into the ones there (steg's pending
//! events: a second report of an event already pending is the same pending report). Nets read
//! from PNML have no capacities.
//!
//! Markings are stored sparsely: sorted `(place, tokens)` pairs with tokens above 0, so a state
//! of a safe net costs 8 bytes per marked place.

pub mod decide;
pub mod reduce;
pub mod space;
pub mod stubborn;
pub mod verdict;

pub use decide::{decide, Answer, Decision, Finding};

/// A place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Its name (a PNML id, or the workflow place it stands for).
    pub name: String,
    /// The most tokens it holds; further tokens are merged (see the module docs).
    pub capacity: Option<u32>,
}

/// A transition with its weighted pre- and post-set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// Its name (a PNML id or label, or the step move it stands for).
    pub name: String,
    /// Places consumed from, with arc weights; sorted by place, each place once.
    pub pre: Vec<(u32, u32)>,
    /// Places produced on, with arc weights; sorted by place, each place once.
    pub post: Vec<(u32, u32)>,
}

/// A marking: sorted `(place, tokens)` pairs, tokens above 0.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Marking(pub Vec<(u32, u32)>);

impl Marking {
    /// The marking with one token on each of `places` (a place named twice gets two).
    pub fn of(places: &[u32]) -> Marking {
        let mut m = Marking::default();
        for &p in places {
            m.add(p, 1, None);
        }
        m
    }

    /// Tokens on place `p`.
    pub fn get(&self, p: u32) -> u32 {
        match self.0.binary_search_by_key(&p, |&(q, _)| q) {
            Ok(i) => self.0[i].1,
            Err(_) => 0,
        }
    }

    /// Add `n` tokens to `p`, up to `capacity`.
    pub fn add(&mut self, p: u32, n: u32, capacity: Option<u32>) {
        match self.0.binary_search_by_key(&p, |&(q, _)| q) {
            Ok(i) => {
                let v = self.0[i].1.saturating_add(n);
                self.0[i].1 = capacity.map_or(v, |c| v.min(c));
            }
            Err(i) => {
                let v = capacity.map_or(n, |c| n.min(c));
                if v > 0 {
                    self.0.insert(i, (p, v));
                }
            }
        }
    }

    /// Take `n` tokens from `p` (there must be at least `n`).
    pub fn take(&mut self, p: u32, n: u32) {
        if let Ok(i) = self.0.binary_search_by_key(&p, |&(q, _)| q) {
            let v = self.0[i].1.saturating_sub(n);
            if v == 0 {
                self.0.remove(i);
            } else {
                self.0[i].1 = v;
            }
        }
    }

    /// Whether no place holds a token.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Total number of tokens.
    pub fn tokens(&self) -> u64 {
        self.0.iter().map(|&(_, n)| u64::from(n)).sum()
    }

    /// Whether every place holds at least as many tokens here as in `other`.
    pub fn covers(&self, other: &Marking) -> bool {
        other.0.iter().all(|&(p, n)| self.get(p) >= n)
    }
}

/// A place/transition net with an initial marking.
#[derive(Debug, Clone, Default)]
pub struct Net {
    /// The places, by index.
    pub places: Vec<Place>,
    /// The transitions, by index.
    pub transitions: Vec<Transition>,
    /// The initial marking.
    pub initial: Marking,
    /// For each place, the transitions that consume from it.
    consumers: Vec<Vec<u32>>,
    /// Transitions with an empty pre-set (always enabled).
    sources: Vec<u32>,
}

impl Net {
    /// Add a place; its index.
    pub fn add_place(&mut self, name: impl Into<String>, capacity: Option<u32>) -> u32 {
        self.places.push(Place {
            name: name.into(),
            capacity,
        });
        self.consumers.push(Vec::new());
        (self.places.len() - 1) as u32
    }

    /// Add a transition; its index. Arcs to the same place are added up; zero weights dropped.
    pub fn add_transition(
        &mut self,
        name: impl Into<String>,
        pre: &[(u32, u32)],
        post: &[(u32, u32)],
    ) -> u32 {
        let t = self.transitions.len() as u32;
        let pre = normalise(pre);
        let post = normalise(post);
        if pre.is_empty() {
            self.sources.push(t);
        }
        for &(p, _) in &pre {
            self.consumers[p as usize].push(t);
        }
        self.transitions.push(Transition {
            name: name.into(),
            pre,
            post,
        });
        t
    }

    /// Number of places.
    pub fn place_count(&self) -> usize {
        self.places.len()
    }

    /// The transitions that consume from place `p`.
    pub fn consumers(&self, p: u32) -> &[u32] {
        &self.consumers[p as usize]
    }

    /// Whether transition `t` is enabled in `m`.
    pub fn is_enabled(&self, m: &Marking, t: u32) -> bool {
        self.transitions[t as usize]
            .pre
            .iter()
            .all(|&(p, w)| m.get(p) >= w)
    }

    /// The transitions enabled in `m`, in increasing order, into `out` (cleared first).
    pub fn enabled(&self, m: &Marking, out: &mut Vec<u32>) {
        out.clear();
        for &(p, _) in &m.0 {
            for &t in &self.consumers[p as usize] {
                if self.is_enabled(m, t) {
                    out.push(t);
                }
            }
        }
        out.extend_from_slice(&self.sources);
        out.sort_unstable();
        out.dedup();
    }

    /// The marking after firing `t` in `m` (which must enable it).
    pub fn fire(&self, m: &Marking, t: u32) -> Marking {
        let mut next = m.clone();
        self.fire_in(&mut next, t);
        next
    }

    /// Fire `t` in place.
    pub fn fire_in(&self, m: &mut Marking, t: u32) {
        let tr = &self.transitions[t as usize];
        for &(p, w) in &tr.pre {
            m.take(p, w);
        }
        for &(p, w) in &tr.post {
            m.add(p, w, self.places[p as usize].capacity);
        }
    }

    /// The marking as `{name, 2·name}` text, for messages and tests.
    pub fn show(&self, m: &Marking) -> String {
        let items: Vec<String> =
            m.0.iter()
                .map(|&(p, n)| {
                    let name = &self.places[p as usize].name;
                    if n == 1 {
                        name.clone()
                    } else {
                        format!("{n}·{name}")
                    }
                })
                .collect();
        format!("{{{}}}", items.join(", "))
    }
}

fn normalise(arcs: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut v: Vec<(u32, u32)> = arcs.iter().copied().filter(|&(_, w)| w > 0).collect();
    v.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(v.len());
    for (p, w) in v {
        match out.last_mut() {
            Some((q, x)) if *q == p => *x = x.saturating_add(w),
            _ => out.push((p, w)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firing_moves_weighted_tokens_and_respects_capacity() {
        let mut n = Net::default();
        let i = n.add_place("i", None);
        let p = n.add_place("p", None);
        let e = n.add_place("e", Some(1));
        let t = n.add_transition("t", &[(i, 1)], &[(p, 1), (p, 1), (e, 1)]);
        let u = n.add_transition("u", &[(p, 2)], &[(e, 1)]);
        n.initial = Marking::of(&[i]);
        let mut en = Vec::new();
        n.enabled(&n.initial, &mut en);
        assert_eq!(en, vec![t]);
        let m = n.fire(&n.initial, t);
        assert_eq!(m.get(p), 2);
        assert_eq!(m.get(e), 1);
        n.enabled(&m, &mut en);
        assert_eq!(en, vec![u]);
        let m2 = n.fire(&m, u);
        assert_eq!(m2.get(e), 1, "a capacity-1 place merges the second token");
        assert_eq!(n.show(&m2), "{e}");
    }

    #[test]
    fn a_source_transition_is_always_enabled() {
        let mut n = Net::default();
        let p = n.add_place("p", None);
        let s = n.add_transition("s", &[], &[(p, 1)]);
        let mut en = Vec::new();
        n.enabled(&Marking::default(), &mut en);
        assert_eq!(en, vec![s]);
    }
}
