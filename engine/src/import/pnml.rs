//! PNML place/transition nets (ISO/IEC 15909-2), read exactly: the net is decided as written
//! ([`NetModel`], [`crate::net::decide`]), and turned into steg workflows for `steg import` as an
//! approximation where the language cannot say the same.
//!
//! Read: `<pnml>` with its `<net>`s, directly or in pnapi's `<module>` wrapper (the IBM process
//! library's form); pages, reference places and transitions; arc weights (`<inscription>`;
//! several arcs between the same place and transition add up); initial markings; final markings
//! (`<finalmarkings>`, in the net or its module, ProM's and pnapi's form); names and ProM's
//! `$invisible$` transitions. Inhibitor and reset arcs, and net types other than
//! place/transition nets, cannot be decided: the verdict is *not decided*.
//!
//! The final markings the verdict uses: the file's `<finalmarkings>` when it gives a non-empty
//! one; otherwise one token on the sink place (a place nothing consumes from) of a workflow net
//! (classical soundness); with several sink places, the several-sinks reading
//! ([`crate::net::verdict::Sinks`]). See docs/import.md.
//!
//! The workflow written by `steg import`:
//!
//! | net | steg |
//! |---|---|
//! | net | a workflow (title: the net's name) |
//! | transition with one input and one output place | `task` (title: its name; an unnamed or ProM `$invisible$` transition is silent) |
//! | transition with several output places (parallel split) | `fork`, one branch per place |
//! | transition with several input places (synchronisation) | `join`, each input place a step of its own, so the join waits for one token from each (with several outputs too: a `join`, then a `fork` `ID_split`) |
//! | place with one consumer | nothing: the producers' `next` is the consumer, unless the consumer is a join |
//! | place with several consumers (a choice) | a free choice: `wait` with one event per consumer (`PLACE_TRANSITION`) |
//! | source place | the workflow's `start` |
//! | sink place | `end`, `outcome` from its name |
//!
//! What the workflow cannot say (arc weights, a choice between transitions that also wait for
//! other places, several sinks, other initial markings, inhibitor and reset arcs) is reported
//! as S005, and the verdict never uses the workflow.

use super::xml::El;
use super::{slug, Diags, ICond, IModel, INext, IOn, IStep, ITrig, IWorkflow, Ids};
use crate::model::StepKind;
use crate::net::{Marking, Net};
use std::collections::HashMap;

/// The PNML namespace.
pub(crate) const NS: &str = "http://www.pnml.org/version-2009/grammar/pnml";

/// PNML files come with the 2009 namespace or, from ProM, pnapi and older tools, with none.
pub(crate) fn is_namespace(ns: &str) -> bool {
    ns == NS || ns.is_empty() || ns.starts_with("http://www.pnml.org/")
}

struct Place<'a> {
    el: &'a El,
    id: String,
    name: Option<String>,
    marking: u32,
    /// Producing and consuming transitions (each once).
    pre: Vec<usize>,
    post: Vec<usize>,
    step: Option<usize>,
}

struct Trans<'a> {
    el: &'a El,
    id: String,
    name: Option<String>,
    silent: bool,
    /// Input and output places with summed arc weights.
    pre: Vec<(usize, u32)>,
    post: Vec<(usize, u32)>,
    step: usize,
}

/// The final condition of a net, as its file gives it or as steg reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FinalKind {
    /// One token on this sink place (classical soundness of a workflow net).
    Sink(u32),
    /// Several sink places (the several-sinks reading).
    Sinks,
    /// The file's final markings.
    Markings(Vec<Marking>),
}

/// A net read exactly, for the verdict.
#[derive(Debug, Clone)]
pub(crate) struct NetModel {
    /// The net's id and where its element starts.
    pub id: String,
    pub at: usize,
    /// The net; place and transition names are the PNML ids.
    pub net: Net,
    /// Byte offsets of each place's and transition's element.
    pub place_at: Vec<usize>,
    pub transition_at: Vec<usize>,
    /// Each transition's name, where the file gives one.
    pub transition_names: Vec<Option<String>>,
    /// The final condition, or why there is none.
    pub finals: Result<FinalKind, String>,
    /// Why the net as written cannot be decided (inhibitor arcs, another net type), with where.
    pub undecidable: Vec<(usize, String)>,
}

/// The text of a `<name><text>` (or any labelled child).
fn label(el: &El, child: &str) -> Option<String> {
    let t = el.kid(child)?.kid("text")?.text.trim().to_string();
    (!t.is_empty()).then(|| t.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Import a `<pnml>` element: one workflow and one [`NetModel`] per net, in `<pnml>` directly or
/// in pnapi's `<module>`s.
pub(crate) fn import(root: &El, d: &mut Diags) -> (IModel, Vec<NetModel>) {
    let mut model = IModel::default();
    let mut nets_out = Vec::new();
    let mut wf_ids = Ids::default();
    // (net, its module's final markings)
    let mut nets: Vec<(&El, Option<&El>)> = root.kids("net").map(|n| (n, None)).collect();
    for module in root.kids("module") {
        let finals = module.kid("finalmarkings");
        nets.extend(module.kids("net").map(|n| (n, finals)));
    }
    if nets.is_empty() {
        d.invalid(
            root.offset,
            "the file has no <net> (directly or in a <module>): nothing to import".to_string(),
        );
    }
    for (net, module_finals) in nets {
        let id = net.attr("id").unwrap_or("net");
        let wid = wf_ids.take(slug(id, "net"));
        let (w, n) = one(net, module_finals, wid, d, &mut model);
        model.workflows.push(w);
        nets_out.push(n);
    }
    if model.title.is_none() {
        model.title = model.workflows.first().and_then(|w| w.title.clone());
    }
    (model, nets_out)
}

/// Every place, transition, arc and reference of a net, through its pages.
#[derive(Default)]
struct Parts<'a> {
    places: Vec<&'a El>,
    transitions: Vec<&'a El>,
    arcs: Vec<&'a El>,
    refs: HashMap<String, String>,
}

fn collect<'a>(el: &'a El, parts: &mut Parts<'a>, d: &mut Diags) {
    for c in &el.children {
        match c.name.as_str() {
            "page" => collect(c, parts, d),
            "place" => parts.places.push(c),
            "transition" => parts.transitions.push(c),
            "arc" => parts.arcs.push(c),
            "referencePlace" | "referenceTransition" => {
                if let (Some(id), Some(r)) = (c.attr("id"), c.attr("ref")) {
                    parts.refs.insert(id.to_string(), r.to_string());
                }
            }
            "name" | "graphics" | "toolspecific" | "finalmarkings" | "declaration"
            | "variables" => {}
            other => d.unsupported(
                c.offset,
                format!(
                    "<{other}> `{}` is not part of a place/transition net; left out",
                    c.attr("id").unwrap_or_default()
                ),
                "steg imports places, transitions and arcs",
            ),
        }
    }
}

/// A number in a `<text>`: a marking or a weight.
fn count(el: &El, child: &str) -> Option<Result<u32, String>> {
    let t = el.kid(child)?;
    let text = t.kid("text").map_or(t.text.trim(), |x| x.text.trim());
    Some(
        text.parse::<u32>()
            .map_err(|_| format!("{text:?} is not a number of tokens")),
    )
}

/// Read one net: its workflow (approximate) and its [`NetModel`] (exact).
fn one(
    net: &El,
    module_finals: Option<&El>,
    wid: String,
    d: &mut Diags,
    model: &mut IModel,
) -> (IWorkflow, NetModel) {
    let net_id = net.attr("id").unwrap_or_default().to_string();
    let mut undecidable: Vec<(usize, String)> = Vec::new();
    let ty = net.attr("type").unwrap_or_default();
    let ty_l = ty.to_ascii_lowercase();
    if !(ty_l.contains("ptnet") || ty_l.contains("pnmlcoremodel") || ty.is_empty()) {
        d.unsupported(
            net.offset,
            format!("net `{net_id}` is of type {ty:?}; imported as a place/transition net, its inscriptions left out"),
            "steg imports the structure of place/transition nets",
        );
        undecidable.push((
            net.offset,
            format!("the net is of type {ty:?}, not a place/transition net"),
        ));
    }
    let mut parts = Parts::default();
    collect(net, &mut parts, d);
    let mut places: Vec<Place> = Vec::new();
    let mut trans: Vec<Trans> = Vec::new();
    let mut at: HashMap<String, (bool, usize)> = HashMap::new();
    for p in &parts.places {
        let id = p.attr("id").unwrap_or_default().to_string();
        let marking = match count(p, "initialMarking") {
            None => 0,
            Some(Ok(n)) => n,
            Some(Err(e)) => {
                d.invalid(p.offset, format!("place `{id}`: initial marking {e}"));
                0
            }
        };
        // The first element of an id keeps it (inserting the second would point the id at an
        // element that is never added).
        if at.contains_key(&id) {
            d.invalid(p.offset, format!("the id `{id}` is used twice"));
            continue;
        }
        at.insert(id.clone(), (true, places.len()));
        places.push(Place {
            el: p,
            name: label(p, "name"),
            id,
            marking,
            pre: Vec::new(),
            post: Vec::new(),
            step: None,
        });
    }
    for t in &parts.transitions {
        let id = t.attr("id").unwrap_or_default().to_string();
        if at.contains_key(&id) {
            d.invalid(t.offset, format!("the id `{id}` is used twice"));
            continue;
        }
        at.insert(id.clone(), (false, trans.len()));
        let invisible = t
            .kids("toolspecific")
            .any(|ts| ts.attr("activity") == Some("$invisible$"));
        let name = label(t, "name");
        trans.push(Trans {
            el: t,
            silent: invisible || name.as_deref().is_none_or(|n| n == "tau" || n == "τ"),
            name,
            id,
            pre: Vec::new(),
            post: Vec::new(),
            step: 0,
        });
    }
    let refs = &parts.refs;
    let resolve = |id: &str| {
        let mut id = id.to_string();
        for _ in 0..16 {
            match refs.get(&id) {
                Some(r) => id = r.clone(),
                None => break,
            }
        }
        id
    };
    for a in &parts.arcs {
        let aid = a.attr("id").unwrap_or_default();
        let (Some(s), Some(t)) = (a.attr("source"), a.attr("target")) else {
            d.invalid(a.offset, format!("arc `{aid}` lacks source or target"));
            continue;
        };
        let (s, t) = (resolve(s), resolve(t));
        let (Some(&(sp, si)), Some(&(tp, ti))) = (at.get(&s), at.get(&t)) else {
            let missing = if at.contains_key(&s) { t } else { s };
            d.invalid(a.offset, format!("arc `{aid}` names `{missing}`, which is no place or transition of the net; left out"));
            continue;
        };
        if sp == tp {
            d.invalid(
                a.offset,
                format!("arc `{aid}` joins two {}; a net's arcs go from a place to a transition or back; left out", if sp { "places" } else { "transitions" }),
            );
            continue;
        }
        let kind = a
            .attr("type")
            .map(str::to_string)
            .or_else(|| label(a, "arctype"))
            .filter(|k| k != "normal");
        if let Some(kind) = kind {
            d.unsupported(
                a.offset,
                format!("{kind} arc `{aid}` is left out"),
                "steg's steps move on by tokens only; inhibitor and reset arcs have no counterpart",
            );
            undecidable.push((
                a.offset,
                format!("arc `{aid}` has type {kind:?}, which place/transition nets do not have"),
            ));
            continue;
        }
        let w = match count(a, "inscription") {
            None => 1,
            Some(Ok(0)) => {
                d.invalid(a.offset, format!("arc `{aid}` has weight 0"));
                continue;
            }
            Some(Ok(w)) => w,
            Some(Err(e)) => {
                d.invalid(a.offset, format!("arc `{aid}`: inscription {e}"));
                continue;
            }
        };
        if w != 1 {
            d.unsupported(
                a.offset,
                format!("arc `{aid}` has weight {w}; the imported workflow moves one token (the verdict is decided on the net as written)"),
                "steg moves one token per branch; draw one place per token",
            );
        }
        let add =
            |arcs: &mut Vec<(usize, u32)>, x: usize| match arcs.iter_mut().find(|(y, _)| *y == x) {
                Some((_, v)) => *v = v.saturating_add(w),
                None => arcs.push((x, w)),
            };
        if sp {
            add(&mut trans[ti].pre, si);
            if !places[si].post.contains(&ti) {
                places[si].post.push(ti);
            }
        } else {
            add(&mut trans[si].post, ti);
            if !places[ti].pre.contains(&si) {
                places[ti].pre.push(si);
            }
        }
    }

    // The net as written.
    let mut exact = Net::default();
    for p in &places {
        exact.add_place(p.id.clone(), None);
    }
    for t in &trans {
        let pre: Vec<(u32, u32)> = t.pre.iter().map(|&(p, w)| (p as u32, w)).collect();
        let post: Vec<(u32, u32)> = t.post.iter().map(|&(p, w)| (p as u32, w)).collect();
        exact.add_transition(t.id.clone(), &pre, &post);
    }
    let sources: Vec<usize> = (0..places.len())
        .filter(|&p| places[p].pre.is_empty())
        .collect();
    let sinks: Vec<usize> = (0..places.len())
        .filter(|&p| places[p].post.is_empty())
        .collect();
    let marked: Vec<usize> = (0..places.len())
        .filter(|&p| places[p].marking > 0)
        .collect();
    let mut finals: Result<FinalKind, String> = Ok(FinalKind::Sinks);
    if marked.is_empty() {
        match sources.as_slice() {
            [s] => exact.initial = Marking::of(&[*s as u32]),
            _ => {
                finals = Err(format!(
                    "the net has no initial marking and {} source places, so where a case starts is not known",
                    sources.len()
                ))
            }
        }
    } else {
        exact.initial = Marking(
            marked
                .iter()
                .map(|&p| (p as u32, places[p].marking))
                .collect(),
        );
    }
    // Final markings: the file's non-empty ones, else the sinks.
    let (given, saw_empty) = final_markings(net.kid("finalmarkings").or(module_finals), &at, d);
    if finals.is_ok() {
        finals = match (given.is_empty(), sinks.as_slice()) {
            (false, _) => Ok(FinalKind::Markings(given)),
            (true, [o]) => Ok(FinalKind::Sink(*o as u32)),
            // An empty final marking (pnapi writes one for every net) is only meant as such
            // when no place can hold the tokens at the end.
            (true, []) if saw_empty => Ok(FinalKind::Markings(vec![Marking::default()])),
            (true, []) => Err(
                "the file gives no final marking and the net has no sink place, so when a case ends is not known"
                    .to_string(),
            ),
            (true, _) => Ok(FinalKind::Sinks),
        };
    }
    let nm = NetModel {
        id: net_id.clone(),
        at: net.offset,
        net: exact,
        place_at: places.iter().map(|p| p.el.offset).collect(),
        transition_at: trans.iter().map(|t| t.el.offset).collect(),
        transition_names: trans.iter().map(|t| t.name.clone()).collect(),
        finals,
        undecidable,
    };

    // What the workflow cannot say.
    let start_place = match (marked.as_slice(), sources.as_slice()) {
        ([m], _) => Some(*m),
        (_, [s, ..]) => Some(*s),
        _ => None,
    };
    if sources.len() != 1 {
        d.unsupported(
            net.offset,
            if sources.is_empty() {
                format!("net `{net_id}` is not a workflow net: every place has an incoming arc")
            } else {
                format!(
                    "net `{net_id}` is not a workflow net: {} places have no incoming arc ({})",
                    sources.len(),
                    sources
                        .iter()
                        .map(|&p| places[p].id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
            "a workflow net has one source place, where a case starts",
        );
    }
    if sinks.len() > 1 {
        d.unsupported(
            net.offset,
            format!(
                "net `{net_id}` has {} sink places; in the imported workflow each is an end that ends the whole case, so parallel branches ending at different ones look like improper completion (the verdict reads the sinks as the net means them)",
                sinks.len()
            ),
            "join parallel branches before one end",
        );
    }
    let good_marking = marked.is_empty()
        || (marked.len() == 1
            && places[marked[0]].marking == 1
            && Some(marked[0]) == sources.first().copied());
    if !good_marking {
        d.unsupported(
            net.offset,
            "the initial marking is not one token on the source place; the imported workflow starts at one place".to_string(),
            "steg starts a case with one token at its start",
        );
    }
    for t in &trans {
        if t.pre.is_empty() {
            d.unsupported(
                t.el.offset,
                format!("transition `{}` has no input place: it can fire at any time; imported as a step nothing leads to", t.id),
                "give it an input place",
            );
        }
    }
    // A choice between transitions that also wait for other places (not free-choice).
    let shared: Vec<&Place> = places
        .iter()
        .filter(|p| p.post.len() >= 2 && p.post.iter().any(|&u| trans[u].pre.len() > 1))
        .collect();
    if let Some(first) = shared.first() {
        let mut ids: Vec<&str> = shared.iter().take(5).map(|p| p.id.as_str()).collect();
        if shared.len() > 5 {
            ids.push("…");
        }
        d.unsupported(
            first.el.offset,
            format!(
                "the net is not free-choice: {} place{} ({}) offer a choice between transitions that also wait for other places; the imported workflow makes the choice first",
                shared.len(),
                if shared.len() == 1 { "" } else { "s" },
                ids.join(", ")
            ),
            "steg's choices do not wait for other branches; the verdict is decided on the net as written",
        );
    }

    // Steps: transitions in file order, then the places that need one.
    let mut ids = Ids::default();
    let mut steps: Vec<IStep> = Vec::new();
    for t in trans.iter_mut() {
        let kind = if t.pre.len() >= 2 {
            StepKind::Join
        } else if t.post.len() >= 2 {
            StepKind::Fork
        } else {
            StepKind::Task
        };
        let mut s = IStep::new(ids.take(slug(&t.id, "t")), t.el.offset, kind);
        s.title = t.name.clone().filter(|n| *n != s.id);
        s.source = Some(d.source("pnml", &t.id, t.el.offset));
        if t.silent {
            s.description = Some("A silent transition (τ): routing, no work.".to_string());
        }
        t.step = steps.len();
        steps.push(s);
    }
    let is_join = |t: usize| trans[t].pre.len() >= 2;
    for p in places.iter_mut() {
        let kind = match p.post.as_slice() {
            [] => Some(StepKind::End),
            [_, _, ..] => Some(StepKind::Wait),
            // Each input of a join is a step of its own: the join waits for one token from
            // each step that leads to it.
            [u] if is_join(*u) => Some(StepKind::Task),
            [_] => None,
        };
        if let Some(kind) = kind {
            let mut s = IStep::new(ids.take(slug(&p.id, "p")), p.el.offset, kind);
            s.title = p.name.clone().filter(|n| *n != s.id);
            s.source = Some(d.source("pnml", &p.id, p.el.offset));
            match kind {
                StepKind::End => {
                    s.outcome = Some(slug(p.name.as_deref().unwrap_or(&p.id), "outcome"));
                    s.title = None;
                }
                StepKind::Task => s.description = Some(
                    "A place of the net: a branch waits here until the transition after it fires."
                        .to_string(),
                ),
                _ => {}
            }
            p.step = Some(steps.len());
            steps.push(s);
        }
    }
    // Where a token put on place `p` goes.
    let cont = |p: usize| -> Option<usize> {
        match places[p].step {
            Some(s) => Some(s),
            None => places[p].post.first().map(|&u| trans[u].step),
        }
    };
    let mut extra: Vec<IStep> = Vec::new();
    for t in &trans {
        let targets: Vec<String> = t
            .post
            .iter()
            .filter_map(|&(p, _)| cont(p))
            .map(|s| steps[s].id.clone())
            .collect();
        let always = |to: String| INext {
            to,
            cond: ICond::Always,
            title: None,
        };
        if t.pre.len() >= 2 && targets.len() >= 2 {
            let sid = ids.take(format!("{}_split", steps[t.step].id));
            let mut fork = IStep::new(sid.clone(), t.el.offset, StepKind::Fork);
            fork.source = steps[t.step].source.clone();
            fork.next = targets.into_iter().map(always).collect();
            extra.push(fork);
            steps[t.step].next = vec![always(sid)];
        } else {
            steps[t.step].next = targets.into_iter().map(always).collect();
        }
    }
    for p in &places {
        let Some(s) = p.step else { continue };
        match steps[s].kind {
            StepKind::Wait => {
                let sid = steps[s].id.clone();
                for &u in &p.post {
                    let to = steps[trans[u].step].id.clone();
                    let event = format!("{sid}_{to}");
                    model.events.entry(event.clone()).or_insert_with(|| {
                        format!(
                            "Free choice at pnml:{}: transition {}{} takes the token. The net does not say when.",
                            p.id,
                            trans[u].id,
                            trans[u].name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
                        )
                    });
                    steps[s].on.push(IOn {
                        trig: ITrig::Event(event),
                        to,
                        source: Some(format!("pnml:{}", trans[u].id)),
                    });
                }
            }
            StepKind::Task => {
                if let Some(&u) = p.post.first() {
                    let to = steps[trans[u].step].id.clone();
                    steps[s].next = vec![INext {
                        to,
                        cond: ICond::Always,
                        title: None,
                    }];
                }
            }
            _ => {}
        }
    }
    let start = start_place.and_then(cont).map(|s| steps[s].id.clone());
    steps.extend(extra);
    steps.sort_by_key(|s| s.at);
    let w = IWorkflow {
        id: wid,
        at: net.offset,
        title: label(net, "name"),
        source: Some(d.source("pnml", &net_id, net.offset)),
        start,
        steps,
    };
    (w, nm)
}

/// The non-empty markings of a `<finalmarkings>` element (ProM's and pnapi's form:
/// `<marking><place idref="p"><text>1</text></place></marking>`), and whether an empty one was
/// given.
fn final_markings(
    el: Option<&El>,
    at: &HashMap<String, (bool, usize)>,
    d: &mut Diags,
) -> (Vec<Marking>, bool) {
    let mut out = Vec::new();
    let mut empty = false;
    let Some(el) = el else {
        return (out, empty);
    };
    for m in el.kids("marking") {
        let mut marking = Marking::default();
        for p in m.kids("place") {
            let id = p.attr("idref").unwrap_or_default();
            let Some(&(true, pi)) = at.get(id) else {
                d.invalid(
                    p.offset,
                    format!("final marking names `{id}`, which is no place of the net"),
                );
                continue;
            };
            let n = match p.kid("text").map(|t| t.text.trim().parse::<u32>()) {
                None => 1,
                Some(Ok(n)) => n,
                Some(Err(_)) => {
                    d.invalid(
                        p.offset,
                        format!("final marking of `{id}` is not a number of tokens"),
                    );
                    continue;
                }
            };
            marking.add(pi as u32, n, None);
        }
        if marking.is_empty() {
            empty = true;
        } else if !out.contains(&marking) {
            out.push(marking);
        }
    }
    (out, empty)
}
