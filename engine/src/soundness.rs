//! Parallel soundness: the reachable states of a workflow with forks and joins, explored as a
//! token game, and what can go wrong in them: a join that waits for ever (deadlock), a case
//! that ends while work is still active in another branch (improper completion), and steps no
//! execution reaches.
//!
//! ## The token game
//!
//! A *marking* is the multiset of steps that hold a token. A token moves by its step's kind:
//!
//! - task, decision: to any of its `next` targets (conditions are free choice);
//! - wait: to any trigger's target (events and timers are free choice);
//! - fork: the token is replaced by one token on every branch;
//! - join: when it holds as many tokens as it has incoming transitions, those tokens are
//!   replaced by one token on a `next` target (the runtime's rule, `join_needed`);
//! - referral: in *summary* mode (soundness), to the `returns` target of any outcome the
//!   referred workflow can end with (a unit outside the model may answer anything); in *inline*
//!   mode (obligations), the token enters the referred workflow with the referral pushed on its
//!   call stack, and an end there returns it to the referral's target for that outcome;
//! - end: the token is removed. The case is finished when no token is left.
//!
//! The explorer visits markings breadth first (so every reported path is a shortest one) up to
//! a bound ([`MAX_STATES`]); it stores each marking once with the move that first reached it.
//! Time: O(S · T · log T) for S markings of at most T tokens (sorting a successor marking);
//! memory O(S · T). With k parallel branches of n steps, S grows as (n + 1)^k, hence the bound.

use crate::graph::Graph;
use crate::model::StepKind;
use crate::municipality::Municipality;
use crate::run::program::{At, Program};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::hash::Hash;

/// The most markings explored per workflow before giving up with a clear message.
pub const MAX_STATES: usize = 100_000;

/// The deepest nesting of referrals followed in inline mode.
const MAX_DEPTH: usize = 8;

/// A token: its step and its call stack (an index into the explorer's stacks; 0 is empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Tok {
    pub at: At,
    pub stack: u32,
}

/// What a move did, for monitors and for showing paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Move {
    /// The step whose token moved.
    pub from: At,
    /// Steps entered, in order.
    pub entered: Vec<At>,
    /// A token at a top-level end was removed.
    pub ended: bool,
    /// The move was a fork.
    pub fork: bool,
    /// The move fired a join.
    pub join: bool,
}

/// The token game of one municipality.
pub(crate) struct Game<'a> {
    pub prog: &'a Program,
    outcomes: &'a [BTreeSet<String>],
    inline: bool,
    stacks: Vec<Vec<At>>,
    stack_ids: HashMap<Vec<At>, u32>,
    /// Whether a referral nested deeper than [`MAX_DEPTH`] was cut off.
    pub depth_hit: bool,
}

impl<'a> Game<'a> {
    /// A game over `prog`; `inline` enters referred workflows instead of summarising them.
    pub fn new(prog: &'a Program, graph: &'a Graph, inline: bool) -> Game<'a> {
        let mut stack_ids = HashMap::new();
        stack_ids.insert(Vec::new(), 0);
        Game {
            prog,
            outcomes: &graph.outcomes,
            inline,
            stacks: vec![Vec::new()],
            stack_ids,
            depth_hit: false,
        }
    }

    /// The call stack with this id.
    pub fn stack(&self, id: u32) -> &[At] {
        self.stacks.get(id as usize).map_or(&[], Vec::as_slice)
    }

    fn intern(&mut self, stack: Vec<At>) -> u32 {
        if let Some(&id) = self.stack_ids.get(&stack) {
            return id;
        }
        let id = self.stacks.len() as u32;
        self.stacks.push(stack.clone());
        self.stack_ids.insert(stack, id);
        id
    }

    /// The start marking of workflow `w`: one token at its start, if it has one.
    pub fn start(&self, w: u32) -> Option<Vec<Tok>> {
        let s = self.prog.workflows.get(w as usize)?.start?;
        Some(vec![Tok {
            at: At { w, s },
            stack: 0,
        }])
    }

    /// Every move from marking `m` (sorted), with the marking it leads to (sorted).
    pub fn moves(&mut self, m: &[Tok]) -> Vec<(Vec<Tok>, Move)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < m.len() {
            let t = m[i];
            let mut j = i;
            while j < m.len() && m[j] == t {
                j += 1;
            }
            let count = j - i;
            self.token_moves(m, i, t, count, &mut out);
            i = j;
        }
        out
    }

    fn token_moves(
        &mut self,
        m: &[Tok],
        i: usize,
        t: Tok,
        count: usize,
        out: &mut Vec<(Vec<Tok>, Move)>,
    ) {
        let prog = self.prog;
        let step = prog.step(t.at);
        let simple = |to: &[At]| Move {
            from: t.at,
            entered: to.to_vec(),
            ended: false,
            fork: false,
            join: false,
        };
        let without = |n: usize| {
            let mut v = m.to_vec();
            v.drain(i..i + n);
            v
        };
        let with = |mut v: Vec<Tok>, add: &[Tok]| {
            v.extend_from_slice(add);
            v.sort_unstable();
            v
        };
        // The token moves on to `to`, keeping its call stack.
        let step_to = |to: At| {
            let tok = Tok {
                at: to,
                stack: t.stack,
            };
            (with(without(1), &[tok]), simple(&[to]))
        };
        match step.kind {
            StepKind::End => {
                let stack = self.stack(t.stack).to_vec();
                if let Some((&referral, rest)) = stack.split_last().filter(|_| self.inline) {
                    let outcome = step.outcome.as_deref().unwrap_or("");
                    let target = prog
                        .step(referral)
                        .returns
                        .iter()
                        .find(|(o, _)| o == outcome)
                        .map(|(_, to)| *to);
                    if let Some(to) = target {
                        let id = self.intern(rest.to_vec());
                        out.push((
                            with(without(1), &[Tok { at: to, stack: id }]),
                            simple(&[to]),
                        ));
                    }
                } else {
                    out.push((
                        without(1),
                        Move {
                            from: t.at,
                            entered: Vec::new(),
                            ended: true,
                            fork: false,
                            join: false,
                        },
                    ));
                }
            }
            StepKind::Fork => {
                let branches: Vec<At> = step.next.iter().map(|(to, _)| *to).collect();
                if branches.is_empty() {
                    return;
                }
                let add: Vec<Tok> = branches
                    .iter()
                    .map(|&b| Tok {
                        at: b,
                        stack: t.stack,
                    })
                    .collect();
                out.push((
                    with(without(1), &add),
                    Move {
                        from: t.at,
                        entered: branches,
                        ended: false,
                        fork: true,
                        join: false,
                    },
                ));
            }
            StepKind::Join => {
                let needed = (step.join_needed.max(1)) as usize;
                if count < needed {
                    return;
                }
                for to in distinct(step.next.iter().map(|(to, _)| *to)) {
                    out.push((
                        with(
                            without(needed),
                            &[Tok {
                                at: to,
                                stack: t.stack,
                            }],
                        ),
                        Move {
                            from: t.at,
                            entered: vec![to],
                            ended: false,
                            fork: false,
                            join: true,
                        },
                    ));
                }
            }
            StepKind::Wait => {
                for to in distinct(step.on.iter().map(|(_, to)| *to)) {
                    out.push(step_to(to));
                }
            }
            StepKind::Referral => match step.refer_workflow {
                Some(w) if self.inline => {
                    let Some(s) = prog.workflows.get(w as usize).and_then(|pw| pw.start) else {
                        return;
                    };
                    let mut stack = self.stack(t.stack).to_vec();
                    if stack.len() >= MAX_DEPTH {
                        self.depth_hit = true;
                        return;
                    }
                    stack.push(t.at);
                    let id = self.intern(stack);
                    let to = At { w, s };
                    out.push((
                        with(without(1), &[Tok { at: to, stack: id }]),
                        simple(&[to]),
                    ));
                }
                Some(w) => {
                    let possible = self.outcomes.get(w as usize);
                    let targets = step
                        .returns
                        .iter()
                        .filter(|(o, _)| possible.is_some_and(|p| p.contains(o)))
                        .map(|(_, to)| *to);
                    for to in distinct(targets) {
                        out.push(step_to(to));
                    }
                }
                None => {
                    let targets: Vec<At> = if step.returns.is_empty() {
                        step.next.iter().map(|(to, _)| *to).collect()
                    } else {
                        step.returns.iter().map(|(_, to)| *to).collect()
                    };
                    for to in distinct(targets.into_iter()) {
                        out.push(step_to(to));
                    }
                }
            },
            StepKind::Task | StepKind::Decision => {
                for to in distinct(step.next.iter().map(|(to, _)| *to)) {
                    out.push(step_to(to));
                }
            }
        }
    }
}

fn distinct(it: impl Iterator<Item = At>) -> Vec<At> {
    let mut v: Vec<At> = Vec::new();
    for a in it {
        if !v.contains(&a) {
            v.push(a);
        }
    }
    v
}

/// A monitor: from the game, the value before a move, the move and the marking after it, the
/// value after it and whether to mark the edge.
pub(crate) type Monitor<'m, S> = dyn FnMut(&Game, S, &Move, &[Tok]) -> (S, bool) + 'm;

/// An edge of the state space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edge {
    /// The state it leads to.
    pub to: u32,
    /// The step whose token moved.
    pub from: At,
    /// [`ENDED`], [`JOINED`], [`MARKED`].
    pub flags: u8,
}

/// Edge flag: a token at a top-level end was removed.
pub(crate) const ENDED: u8 = 1;
/// Edge flag: a join fired.
pub(crate) const JOINED: u8 = 2;
/// Edge flag: the monitor marked the move (e.g. it entered the step an obligation waits for).
pub(crate) const MARKED: u8 = 4;

/// An explored state space: markings with a monitor value, edges, and the first way each
/// state was reached. Markings are kept once, in one arena; the index is a hash table of state
/// numbers, so a state costs its tokens plus about 40 bytes, and an edge 16 bytes.
pub(crate) struct Space<S> {
    /// Tokens of every marking, one after the other.
    arena: Vec<Tok>,
    /// Where each state's marking starts in `arena` (and ends, at the next one).
    offsets: Vec<u32>,
    /// Monitor value per state.
    values: Vec<S>,
    /// Outgoing edges per state.
    succ: Vec<Vec<Edge>>,
    /// The state and move that first reached each state (none for the start).
    parent: Vec<Option<(u32, Move)>>,
    /// Whether the bound was hit (the space is incomplete).
    pub truncated: bool,
}

impl<S: Copy + Eq + Hash> Space<S> {
    /// Explore from `init` with monitor value `s0`. `monitor` gives the value after a move and
    /// whether to mark its edge; states whose value `prune` accepts are kept but not expanded.
    pub fn explore(
        game: &mut Game,
        init: Vec<Tok>,
        s0: S,
        bound: usize,
        monitor: &mut Monitor<S>,
        prune: &dyn Fn(S) -> bool,
    ) -> Space<S> {
        let mut space = Space {
            arena: Vec::new(),
            offsets: vec![0],
            values: Vec::new(),
            succ: Vec::new(),
            parent: Vec::new(),
            truncated: false,
        };
        // Hash of (marking, value) → first state with it; `chain` links states of equal hash.
        let mut index: HashMap<u64, u32> = HashMap::new();
        let mut chain: Vec<u32> = Vec::new();
        let hash = |m: &[Tok], v: S| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            m.hash(&mut h);
            v.hash(&mut h);
            std::hash::Hasher::finish(&h)
        };
        let add = |space: &mut Space<S>,
                   m: &[Tok],
                   v: S,
                   parent: Option<(u32, Move)>,
                   index: &mut HashMap<u64, u32>,
                   chain: &mut Vec<u32>|
         -> (u32, bool) {
            let h = hash(m, v);
            let mut at = index.get(&h).copied();
            while let Some(i) = at {
                if space.values[i as usize] == v && space.marking(i) == m {
                    return (i, false);
                }
                at = Some(chain[i as usize]).filter(|&c| c != u32::MAX);
            }
            let i = space.values.len() as u32;
            space.arena.extend_from_slice(m);
            space.offsets.push(space.arena.len() as u32);
            space.values.push(v);
            space.succ.push(Vec::new());
            space.parent.push(parent);
            chain.push(index.insert(h, i).unwrap_or(u32::MAX));
            (i, true)
        };
        add(&mut space, &init, s0, None, &mut index, &mut chain);
        let mut queue = VecDeque::from([0u32]);
        while let Some(i) = queue.pop_front() {
            let v = space.values[i as usize];
            if prune(v) {
                continue;
            }
            let m = space.marking(i).to_vec();
            for (next, mv) in game.moves(&m) {
                let (nv, mark) = monitor(game, v, &mv, &next);
                let flags = if mv.ended { ENDED } else { 0 }
                    | if mv.join { JOINED } else { 0 }
                    | if mark { MARKED } else { 0 };
                let from = mv.from;
                let known = {
                    let h = hash(&next, nv);
                    let mut at = index.get(&h).copied();
                    let mut found = None;
                    while let Some(k) = at {
                        if space.values[k as usize] == nv && space.marking(k) == next.as_slice() {
                            found = Some(k);
                            break;
                        }
                        at = Some(chain[k as usize]).filter(|&c| c != u32::MAX);
                    }
                    found
                };
                let to = match known {
                    Some(k) => k,
                    None if space.values.len() >= bound => {
                        space.truncated = true;
                        continue;
                    }
                    None => {
                        let (k, _) =
                            add(&mut space, &next, nv, Some((i, mv)), &mut index, &mut chain);
                        queue.push_back(k);
                        k
                    }
                };
                space.succ[i as usize].push(Edge { to, from, flags });
            }
        }
        space
    }

    /// Number of states.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// The marking of state `i`.
    pub fn marking(&self, i: u32) -> &[Tok] {
        &self.arena[self.offsets[i as usize] as usize..self.offsets[i as usize + 1] as usize]
    }

    /// The monitor value of state `i`.
    pub fn value(&self, i: u32) -> S {
        self.values[i as usize]
    }

    /// The edges out of state `i`.
    pub fn edges(&self, i: u32) -> &[Edge] {
        &self.succ[i as usize]
    }

    /// The moves from the start to state `i`.
    pub fn path_to(&self, mut i: u32) -> Vec<&Move> {
        let mut out = Vec::new();
        while let Some((p, mv)) = &self.parent[i as usize] {
            out.push(mv);
            i = *p;
        }
        out.reverse();
        out
    }

    /// Predecessor lists.
    fn preds(&self) -> Vec<Vec<u32>> {
        let mut p = vec![Vec::new(); self.len()];
        for (i, edges) in self.succ.iter().enumerate() {
            for e in edges {
                p[e.to as usize].push(i as u32);
            }
        }
        p
    }

    /// States from which some state in `goal` can be reached (within `keep`).
    pub fn can_reach(&self, goal: &[bool], keep: &dyn Fn(u32) -> bool) -> Vec<bool> {
        let preds = self.preds();
        let mut seen = goal.to_vec();
        let mut stack: Vec<u32> = (0..seen.len() as u32)
            .filter(|&i| seen[i as usize])
            .collect();
        while let Some(i) = stack.pop() {
            for &p in &preds[i as usize] {
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

    /// Approximate bytes held by the space (for the benchmark).
    pub fn bytes(&self) -> usize {
        self.arena.capacity() * std::mem::size_of::<Tok>()
            + self.offsets.capacity() * 4
            + self.values.capacity() * std::mem::size_of::<S>()
            + self.succ.iter().map(|e| e.capacity() * std::mem::size_of::<Edge>() + 24).sum::<usize>()
            + self.parent.iter().map(|p| std::mem::size_of::<Option<(u32, Move)>>() + p.as_ref().map_or(0, |(_, m)| m.entered.capacity() * 8)).sum::<usize>()
            // The hash index and its chain: about 16 + 4 bytes per state.
            + self.len() * 20
    }
}

/// Show a path of moves as text: `a → b → fork ⇒ {x, y}; x → e (end); y → j (join) → …`. A
/// step is named `workflow.step` where the workflow changes.
pub(crate) fn show_path(prog: &Program, start: Option<At>, moves: &[&Move]) -> String {
    let mut s = String::new();
    // The step the chain continues from, and the last step named (for workflow prefixes).
    let mut last: Option<At> = None;
    let mut ctx: Option<At> = None;
    let name = |a: At, ctx: Option<At>| {
        let (w, st) = prog.name(a);
        let suffix = match prog.step(a).kind {
            StepKind::End => " (end)",
            StepKind::Join => " (join)",
            _ => "",
        };
        if ctx.is_some_and(|p| p.w == a.w) {
            format!("{st}{suffix}")
        } else {
            format!("{w}.{st}{suffix}")
        }
    };
    if let Some(a) = start {
        s.push_str(&name(a, None));
        last = Some(a);
        ctx = Some(a);
    }
    for mv in moves {
        if mv.ended {
            continue;
        }
        if last != Some(mv.from) {
            if !s.is_empty() {
                s.push_str("; ");
            }
            s.push_str(&name(mv.from, ctx));
            ctx = Some(mv.from);
        }
        if mv.fork {
            let names: Vec<String> = mv.entered.iter().map(|&a| name(a, Some(mv.from))).collect();
            s.push_str(&format!(" ⇒ {{{}}}", names.join(", ")));
            last = None;
            continue;
        }
        for &a in &mv.entered {
            s.push_str(" → ");
            s.push_str(&name(a, ctx));
            last = Some(a);
            ctx = Some(a);
        }
    }
    s
}

/// What soundness found in one workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Soundness {
    /// Workflow index.
    pub workflow: usize,
    /// Markings explored.
    pub states: usize,
    /// Approximate bytes the explored states took.
    pub bytes: usize,
    /// Whether the bound was hit before the space was complete.
    pub truncated: bool,
    /// Joins that can wait for ever: (join step index, how many of how many branches had
    /// arrived, the path to that state).
    pub deadlocks: Vec<(usize, usize, usize, String)>,
    /// Ends reached while other work was active: (end step index, the active steps, the path).
    pub improper: Vec<(usize, Vec<usize>, String)>,
    /// Steps of the workflow that no execution reaches, by index.
    pub unreached: Vec<usize>,
}

impl Soundness {
    /// Whether nothing was found and the space was complete.
    pub fn sound(&self) -> bool {
        !self.truncated
            && self.deadlocks.is_empty()
            && self.improper.is_empty()
            && self.unreached.is_empty()
    }
}

/// Explore every workflow that has a fork or a join and report what can go wrong (referrals are
/// summarised by the outcomes their workflow can end with). `bound` caps the markings per
/// workflow ([`MAX_STATES`] in `steg check`).
pub fn analyse(m: &Municipality, bound: usize) -> Vec<Soundness> {
    let graph = Graph::build(m);
    let prog = Program::new(m, &graph);
    analyse_with(&prog, &graph, bound, &|_| false)
}

/// [`analyse`] on a resolved program, leaving out the workflows `skip` accepts.
pub(crate) fn analyse_with(
    prog: &Program,
    graph: &Graph,
    bound: usize,
    skip: &dyn Fn(usize) -> bool,
) -> Vec<Soundness> {
    let mut out = Vec::new();
    for (wi, w) in prog.workflows.iter().enumerate() {
        if skip(wi)
            || !w
                .steps
                .iter()
                .any(|s| matches!(s.kind, StepKind::Fork | StepKind::Join))
        {
            continue;
        }
        let mut game = Game::new(prog, graph, false);
        let Some(init) = game.start(wi as u32) else {
            continue;
        };
        let space = Space::explore(
            &mut game,
            init,
            (),
            bound,
            &mut |_, (), _, _| ((), false),
            &|()| false,
        );
        out.push(judge(prog, wi, &space));
    }
    out
}

fn judge(prog: &Program, wi: usize, space: &Space<()>) -> Soundness {
    let w = &prog.workflows[wi];
    let start = w.start.map(|s| At { w: wi as u32, s });
    let mut reached = vec![false; w.steps.len()];
    for i in 0..space.len() as u32 {
        for t in space.marking(i) {
            if t.at.w as usize == wi {
                reached[t.at.s as usize] = true;
            }
        }
    }
    // Improper completion: an end removed a token and others were left.
    let mut improper = Vec::new();
    let mut seen_ends = BTreeSet::new();
    for i in 0..space.len() as u32 {
        for e in space.edges(i) {
            let left = space.marking(e.to);
            if e.flags & ENDED != 0 && !left.is_empty() && seen_ends.insert(e.from.s) {
                let moves = space.path_to(i);
                let mut active: Vec<usize> = left.iter().map(|t| t.at.s as usize).collect();
                active.dedup();
                improper.push((e.from.s as usize, active, show_path(prog, start, &moves)));
            }
        }
    }
    // Joins that can wait for ever: a state holding a token at the join from which no firing
    // of the join can be reached.
    let mut deadlocks = Vec::new();
    if !space.truncated {
        for (ji, js) in w.steps.iter().enumerate() {
            if js.kind != StepKind::Join {
                continue;
            }
            let at = At {
                w: wi as u32,
                s: ji as u32,
            };
            let fires: Vec<bool> = (0..space.len() as u32)
                .map(|i| {
                    space
                        .edges(i)
                        .iter()
                        .any(|e| e.flags & JOINED != 0 && e.from == at)
                })
                .collect();
            let can = space.can_reach(&fires, &|_| true);
            let stuck = (0..space.len() as u32)
                .find(|&i| !can[i as usize] && space.marking(i).iter().any(|t| t.at == at));
            if let Some(i) = stuck {
                let arrived = space.marking(i).iter().filter(|t| t.at == at).count();
                let moves = space.path_to(i);
                deadlocks.push((
                    ji,
                    arrived,
                    js.join_needed.max(1) as usize,
                    show_path(prog, start, &moves),
                ));
            }
        }
    }
    let unreached = if space.truncated {
        Vec::new()
    } else {
        (0..w.steps.len()).filter(|&s| !reached[s]).collect()
    };
    Soundness {
        workflow: wi,
        states: space.len(),
        bytes: space.bytes(),
        truncated: space.truncated,
        deadlocks,
        improper,
        unreached,
    }
}
