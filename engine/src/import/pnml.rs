//! PNML place/transition nets (ISO/IEC 15909-2) into steg workflows, read as workflow nets: one
//! source place where a case starts, one sink place where it ends.
//!
//! | net | steg |
//! |---|---|
//! | net | a workflow (title: the net's name) |
//! | transition with one input and one output place | `task` (title: its name; an unnamed or ProM `$invisible$` transition is silent) |
//! | transition with several output places (parallel split) | `fork`, one branch per place |
//! | transition with several input places (synchronisation) | `join` (with several outputs too: a `join`, then a `fork` `ID_split`) |
//! | place with one consumer | nothing: the producers' `next` is the consumer |
//! | place with several consumers (a choice) | a free choice: `wait` with one event per consumer (`PLACE_TRANSITION`) |
//! | place with several producers (a merge) | nothing (several steps lead to the consumer), or a `task` when it feeds a synchronisation, so the join counts it once |
//! | source place | the workflow's `start` (the first step, or the place's choice) |
//! | sink place | `end`, `outcome` from its name |
//! | pages, reference places and transitions | flattened and resolved |
//! | arc weights other than 1, inhibitor and reset arcs, a start marking other than one token on the source | S005 |
//!
//! steg's join waits for one token per incoming transition, so a place that several branches
//! merge into before a synchronisation gets a step of its own: the join then waits for it once.

use super::xml::El;
use super::{slug, Diags, ICond, IModel, INext, IOn, IStep, ITrig, IWorkflow, Ids};
use crate::model::StepKind;
use std::collections::HashMap;

/// The PNML namespace.
pub(crate) const NS: &str = "http://www.pnml.org/version-2009/grammar/pnml";

/// PNML files come with the 2009 namespace or, from ProM and older tools, with none.
pub(crate) fn is_namespace(ns: &str) -> bool {
    ns == NS || ns.is_empty() || ns.starts_with("http://www.pnml.org/")
}

struct Place<'a> {
    el: &'a El,
    id: String,
    name: Option<String>,
    marking: u64,
    pre: Vec<usize>,
    post: Vec<usize>,
    step: Option<usize>,
}

struct Trans<'a> {
    el: &'a El,
    id: String,
    name: Option<String>,
    silent: bool,
    pre: Vec<usize>,
    post: Vec<usize>,
    step: usize,
}

/// The text of a `<name><text>` (or any labelled child).
fn label(el: &El, child: &str) -> Option<String> {
    let t = el.kid(child)?.kid("text")?.text.trim().to_string();
    (!t.is_empty()).then(|| t.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Import a `<pnml>` element: one workflow per net.
pub(crate) fn import(root: &El, d: &mut Diags) -> IModel {
    let mut model = IModel::default();
    let mut wf_ids = Ids::default();
    let nets: Vec<&El> = root.kids("net").collect();
    if nets.is_empty() {
        d.invalid(
            root.offset,
            "the file has no <net>: nothing to import".to_string(),
        );
    }
    for net in nets {
        let id = net.attr("id").unwrap_or("net");
        let wid = wf_ids.take(slug(id, "net"));
        let ty = net.attr("type").unwrap_or_default();
        if !(ty.contains("ptnet") || ty.contains("pnmlcoremodel") || ty.is_empty()) {
            d.unsupported(
                net.offset,
                format!("net `{id}` is of type {ty:?}; imported as a place/transition net, its inscriptions left out"),
                "steg imports the structure of place/transition nets",
            );
        }
        let w = workflow(net, wid, d, &mut model);
        model.workflows.push(w);
    }
    if model.title.is_none() {
        model.title = model.workflows.first().and_then(|w| w.title.clone());
    }
    model
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

fn workflow(net: &El, wid: String, d: &mut Diags, model: &mut IModel) -> IWorkflow {
    let mut parts = Parts::default();
    collect(net, &mut parts, d);
    let mut places: Vec<Place> = Vec::new();
    let mut trans: Vec<Trans> = Vec::new();
    let mut at: HashMap<String, (bool, usize)> = HashMap::new();
    for p in &parts.places {
        let id = p.attr("id").unwrap_or_default().to_string();
        let marking = label(p, "initialMarking")
            .map(|m| m.trim().parse::<u64>().unwrap_or(1))
            .unwrap_or(0);
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
        if let Some(kind) = a.attr("type").filter(|k| *k != "normal") {
            d.unsupported(
                a.offset,
                format!("{kind} arc `{aid}` is left out"),
                "steg's steps move on by tokens only; inhibitor and reset arcs have no counterpart",
            );
            continue;
        }
        if let Some(w) = label(a, "inscription")
            .and_then(|w| w.parse::<u64>().ok())
            .filter(|w| *w != 1)
        {
            d.unsupported(
                a.offset,
                format!("arc `{aid}` has weight {w}; imported as weight 1"),
                "steg moves one token per branch; draw one place per token",
            );
        }
        if sp {
            places[si].post.push(ti);
            trans[ti].pre.push(si);
        } else {
            trans[si].post.push(ti);
            places[ti].pre.push(si);
        }
    }

    // The workflow net's source (where a case starts) and sinks.
    let sources: Vec<usize> = (0..places.len())
        .filter(|&p| places[p].pre.is_empty())
        .collect();
    let marked: Vec<usize> = (0..places.len())
        .filter(|&p| places[p].marking > 0)
        .collect();
    let start_place = match (marked.as_slice(), sources.as_slice()) {
        ([m], _) => Some(*m),
        (_, [s, ..]) => Some(*s),
        _ => None,
    };
    if sources.len() != 1 {
        d.unsupported(
            net.offset,
            format!(
                "net `{}` is not a workflow net: {} places have no incoming arc ({})",
                net.attr("id").unwrap_or_default(),
                sources.len(),
                sources
                    .iter()
                    .map(|&p| places[p].id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "a workflow net has one source place, where a case starts",
        );
    }
    let sinks = (0..places.len())
        .filter(|&p| places[p].post.is_empty())
        .count();
    if sinks != 1 {
        d.unsupported(
            net.offset,
            format!("net `{}` is not a workflow net: {sinks} places have no outgoing arc; each is an end", net.attr("id").unwrap_or_default()),
            "a workflow net has one sink place, where a case ends",
        );
    }
    let good_marking = marked.is_empty()
        || (marked.len() == 1
            && places[marked[0]].marking == 1
            && Some(marked[0]) == sources.first().copied());
    if !good_marking {
        d.unsupported(
            net.offset,
            "the initial marking is not one token on the source place; the case starts at one place".to_string(),
            "steg starts a case with one token at its start",
        );
    }
    for t in &trans {
        if t.pre.is_empty() {
            d.unsupported(
                t.el.offset,
                format!("transition `{}` has no input place: it could fire any time; imported as a step nothing leads to", t.id),
                "give it an input place",
            );
        }
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
    for (pi, p) in places.iter_mut().enumerate() {
        let start = Some(pi) == start_place;
        let kind = match p.post.as_slice() {
            [] => Some(StepKind::End),
            [_, _, ..] => Some(StepKind::Wait),
            [u] if is_join(*u) && (p.pre.len() != 1 || start) => Some(StepKind::Task),
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
                StepKind::Task => {
                    s.description =
                        Some("A place where branches merge before they synchronise.".to_string())
                }
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
            .filter_map(|&p| cont(p))
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
    IWorkflow {
        id: wid,
        at: net.offset,
        title: label(net, "name"),
        source: Some(d.source("pnml", net.attr("id").unwrap_or_default(), net.offset)),
        start,
        steps,
    }
}
