//! Soundness of a workflow net, read off its explored state space, in three verdicts.
//!
//! Classical soundness (van der Aalst, "Verification of workflow nets", 1997): from every
//! reachable marking a final marking can be reached (*option to complete*), a marking that
//! holds a final marking holds nothing else (*proper completion*), and every transition can
//! fire in some execution (*no dead transitions*). Which markings are final is the caller's:
//! one token on the sink place for a compiled workflow (pending events aside), the
//! `<finalmarkings>` of a PNML file, and so on.
//!
//! The verdict is *not sound* with a witness path as soon as a violation is certain, even on a
//! space the budget cut short (a reachable marking with nothing enabled is a deadlock however
//! much is left unexplored); *not decided* when the space is incomplete and no violation is
//! certain; *sound* only on a complete space.

use super::space::{Limit, Space};
use super::{Marking, Net};

/// What makes a marking final.
///
/// Contract, relied on by [`super::decide`]: when a reachable marking `M'` is strictly above a
/// reachable marking `M` on a place that [`Finals::counts`] (and `M'` is reached from `M`), the
/// net is not sound: completing from `M` and repeating the same moves from `M'` leaves extra
/// tokens behind, which `overshoots` must call improper (or, with [`Finals::must_be_safe`], a
/// place ends up holding two tokens). The three kinds here keep it.
pub trait Finals {
    /// Whether `m` is a final marking.
    fn is_final(&self, m: &[(u32, u32)]) -> bool;
    /// Whether `m` holds a final marking and more besides (improper completion), or otherwise
    /// shows that the net cannot complete properly (a place with two tokens, when
    /// [`Finals::must_be_safe`]).
    fn overshoots(&self, m: &[(u32, u32)]) -> bool;
    /// Whether tokens on place `p` count (`false` for places whose tokens a final marking may
    /// hold or lack, such as a compiled workflow's pending events).
    fn counts(&self, _p: u32) -> bool {
        true
    }
    /// Whether place `p` takes part in the final condition (the sink, a place of a final
    /// marking, an ignored place). Reductions leave such places as they are; the default
    /// (every place) turns reductions off.
    fn mentions(&self, _p: u32) -> bool {
        true
    }
    /// Whether a reachable marking with two tokens on one place is itself a violation (lack of
    /// synchronisation, as in the several-sinks reading of [`Sinks`]).
    fn must_be_safe(&self) -> bool {
        false
    }
}

/// One sink place: final is exactly one token there, with tokens on `ignored` places allowed.
pub struct Sink<'a> {
    /// The sink place.
    pub place: u32,
    /// Places whose tokens do not count (pending events of a compiled workflow).
    pub ignored: &'a [bool],
}

impl Finals for Sink<'_> {
    fn is_final(&self, m: &[(u32, u32)]) -> bool {
        let mut sink = 0;
        for &(p, n) in m {
            if p == self.place {
                sink = n;
            } else if !self.ignored.get(p as usize).copied().unwrap_or(false) {
                return false;
            }
        }
        sink == 1
    }
    fn overshoots(&self, m: &[(u32, u32)]) -> bool {
        let sink = m
            .iter()
            .find(|&&(p, _)| p == self.place)
            .map_or(0, |&(_, n)| n);
        sink > 0 && !self.is_final(m)
    }
    fn counts(&self, p: u32) -> bool {
        !self.ignored.get(p as usize).copied().unwrap_or(false)
    }
    fn mentions(&self, p: u32) -> bool {
        p == self.place || !self.counts(p)
    }
}

/// A set of final markings; a marking that covers one of them strictly overshoots.
pub struct FinalMarkings(pub Vec<Marking>);

impl Finals for FinalMarkings {
    fn is_final(&self, m: &[(u32, u32)]) -> bool {
        self.0.iter().any(|f| f.0 == m)
    }
    fn overshoots(&self, m: &[(u32, u32)]) -> bool {
        let m = Marking(m.to_vec());
        self.0.iter().any(|f| m.covers(f) && m != *f)
    }
    fn mentions(&self, p: u32) -> bool {
        self.0.iter().any(|f| f.get(p) > 0)
    }
}

/// Several sink places, read as the IBM process library's benchmarks read them (Fahland et al.,
/// "Analysis on demand: Instantaneous soundness checking of industrial business process
/// models", Data & Knowledge Engineering 70(5), 2011): each end of the process is a sink place,
/// and parallel branches may end at different ones. A marking is final when every token is on a
/// sink place, at most one on each; a reachable marking with two tokens on any place is a lack
/// of synchronisation (an improper completion).
pub struct Sinks {
    /// For each place, whether it is a sink.
    pub sink: Vec<bool>,
}

impl Sinks {
    /// The sink places of `net`: places no transition consumes from.
    pub fn of(net: &Net) -> Sinks {
        Sinks {
            sink: (0..net.place_count() as u32)
                .map(|p| net.consumers(p).is_empty())
                .collect(),
        }
    }
}

impl Finals for Sinks {
    fn is_final(&self, m: &[(u32, u32)]) -> bool {
        !m.is_empty()
            && m.iter()
                .all(|&(p, n)| n == 1 && self.sink.get(p as usize).copied().unwrap_or(false))
    }
    fn overshoots(&self, m: &[(u32, u32)]) -> bool {
        m.iter().any(|&(_, n)| n > 1)
    }
    fn mentions(&self, p: u32) -> bool {
        self.sink.get(p as usize).copied().unwrap_or(false)
    }
    fn must_be_safe(&self) -> bool {
        true
    }
}

/// How a net violates soundness, each with the state that shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// A reachable marking with nothing enabled that is not final.
    Deadlock {
        /// The state.
        state: u32,
    },
    /// A reachable marking from which no final marking can be reached, though moves remain.
    Livelock {
        /// The state.
        state: u32,
    },
    /// A reachable marking that holds a final marking and more.
    Improper {
        /// The state.
        state: u32,
    },
    /// Transitions no execution fires.
    Dead {
        /// The transitions.
        transitions: Vec<u32>,
    },
}

/// The three verdicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Sound: the whole space was explored and nothing is wrong.
    Sound,
    /// Not sound, with every kind of violation found.
    NotSound(Vec<Violation>),
    /// The budget was hit before soundness could be shown or refuted.
    NotDecided(Limit),
}

impl Verdict {
    /// `sound`, `not sound`, `not decided`.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Sound => "sound",
            Verdict::NotSound(_) => "not sound",
            Verdict::NotDecided(_) => "not decided",
        }
    }
}

/// Judge the explored `space` of `net`. `relevant` says which transitions count for dead
/// transitions (all, for a plain workflow net).
pub fn judge<S: Copy + Eq + std::hash::Hash>(
    net: &Net,
    space: &Space<S>,
    finals: &dyn Finals,
    relevant: &dyn Fn(u32) -> bool,
) -> Verdict {
    let n = space.len() as u32;
    let mut out = Vec::new();
    // Certain on any part of the space: deadlocks and improper completion, first found (the
    // exploration is breadth first, so with a shortest path).
    let complete = space.truncated.is_none();
    let deadlock = (0..n).find(|&i| {
        let m = space.marking(i);
        // A state the budget left unexpanded has no edges but may enable transitions.
        space.edges(i).is_empty() && !finals.is_final(m) && !enables_any(net, m)
    });
    if let Some(state) = deadlock {
        out.push(Violation::Deadlock { state });
    }
    if let Some(state) = (0..n).find(|&i| finals.overshoots(space.marking(i))) {
        out.push(Violation::Improper { state });
    }
    if complete {
        let goal: Vec<bool> = (0..n).map(|i| finals.is_final(space.marking(i))).collect();
        let can = space.can_reach(&goal, &|_| true);
        if let Some(state) = (0..n).find(|&i| !can[i as usize] && !space.edges(i).is_empty()) {
            out.push(Violation::Livelock { state });
        }
        let mut fired = vec![false; net.transitions.len()];
        for i in 0..n {
            for e in space.edges(i) {
                fired[e.transition as usize] = true;
            }
        }
        let dead: Vec<u32> = (0..net.transitions.len() as u32)
            .filter(|&t| !fired[t as usize] && relevant(t))
            .collect();
        if !dead.is_empty() {
            out.push(Violation::Dead { transitions: dead });
        }
    }
    match (out.is_empty(), space.truncated) {
        (false, _) => Verdict::NotSound(out),
        (true, Some(limit)) => Verdict::NotDecided(limit),
        (true, None) => Verdict::Sound,
    }
}

fn enables_any(net: &Net, m: &[(u32, u32)]) -> bool {
    let m = Marking(m.to_vec());
    let mut en = Vec::new();
    net.enabled(&m, &mut en);
    !en.is_empty()
}

/// A reachable state where some place holds more than one token (the net is not safe), with the
/// place: two branches of a fork meeting in a step that is not a join, for a compiled workflow.
pub fn unsafe_state<S>(space: &Space<S>, counted: &dyn Fn(u32) -> bool) -> Option<(u32, u32)>
where
    S: Copy + Eq + std::hash::Hash,
{
    (0..space.len() as u32).find_map(|i| {
        space
            .marking(i)
            .iter()
            .find(|&&(p, k)| k > 1 && counted(p))
            .map(|&(p, _)| (i, p))
    })
}

#[cfg(test)]
mod tests {
    use super::super::space::Budget;
    use super::*;

    fn explore(n: &Net) -> Space<()> {
        Space::explore(
            n,
            &n.initial,
            (),
            Budget::CHECK,
            &mut |(), _, _| ((), false),
            &|()| false,
        )
    }

    /// `t1 → {p1, p2} → t2`: sound (issue: two places between one transition and one join).
    #[test]
    fn a_fork_into_a_two_input_join_is_sound() {
        let mut n = Net::default();
        let [i, p1, p2, o] = ["i", "p1", "p2", "o"].map(|p| n.add_place(p, None));
        n.add_transition("t1", &[(i, 1)], &[(p1, 1), (p2, 1)]);
        n.add_transition("t2", &[(p1, 1), (p2, 1)], &[(o, 1)]);
        n.initial = Marking::of(&[i]);
        let s = explore(&n);
        let v = judge(
            &n,
            &s,
            &Sink {
                place: o,
                ignored: &[],
            },
            &|_| true,
        );
        assert_eq!(v, Verdict::Sound);
    }

    /// `t0 → {p1, p2}; a: p1 → d; b: p2 → d; c1: d → y1; c2: d → y2; j: {y1, y2} → o` can fire
    /// `c1` twice and deadlock.
    #[test]
    fn choosing_the_same_branch_twice_deadlocks() {
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
        let s = explore(&n);
        let v = judge(
            &n,
            &s,
            &Sink {
                place: o,
                ignored: &[],
            },
            &|_| true,
        );
        let Verdict::NotSound(vs) = v else {
            panic!("{v:?}")
        };
        let Violation::Deadlock { state } = vs[0] else {
            panic!("{vs:?}")
        };
        let names: Vec<&str> = s
            .path_to(state)
            .iter()
            .map(|&t| n.transitions[t as usize].name.as_str())
            .collect();
        assert_eq!(n.show(&s.marking_of(state)), "{2·y1}");
        assert_eq!(names, ["t0", "a", "b", "c1", "c1"]);
    }
}
