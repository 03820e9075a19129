//! BPMN 2.0 XML with diagram interchange (BPMNDI), so the file opens laid out in bpmn.io and
//! Camunda Modeler, and passes bpmnlint's recommended rules.
//!
//! One collaboration: a pool (participant and process) per workflow, a lane per role (steps
//! without a role in their unit's lane), and a collapsed pool per unit outside the model that a
//! referral sends cases to. Steps become:
//!
//! | step | BPMN |
//! |---|---|
//! | task | user task (task without actor; send task when it `emits` an event) |
//! | decision | exclusive gateway named by the decision, flows named by their condition |
//! | task with a conditional `next` | the task, then an exclusive gateway |
//! | fork, join | parallel gateways |
//! | wait | event-based gateway, then a catch event per trigger: message events for named events, timer events for `after` (timeDuration) and `every` (timeCycle) |
//! | referral to a workflow | call activity (calledElement = that workflow's process); an exclusive gateway routes its outcomes |
//! | referral to a unit | send task with a message flow to the unit's pool; its answers are message catch events |
//! | end | end event named by its outcome (message end event when it `emits`) |
//!
//! Where several flows enter a step, an exclusive gateway merges them first (BPMN would
//! otherwise read a task with two incoming flows as a join). An event one workflow raises
//! (`emits`) and another waits for is a message flow between their pools.
//!
//! Element ids are the step's `workflow.step`, with a suffix for the elements a step adds
//! (`-merge`, `-choice`, `-on0`, `-outcome`, `-answer-NAME`), so a diagnostic's step names the
//! element. XML is written by hand with [`attr`] and [`text`] escaping (see docs/decisions.md).

use super::layout::{self, Rect};
use super::{iso8601, Cond, Ids, SView, Trig, View};
use crate::model::StepKind;
pub(crate) use crate::xml::{attr, text};
use std::fmt::Write as _;

/// Left edge of every pool.
const POOL_X: i64 = 160;
/// Top of the first pool.
const POOL_Y: i64 = 80;
/// Width of a pool's name band, and of a lane's.
const HEAD: i64 = 30;
/// Space between the lane's name band and the first column.
const MARGIN: i64 = 50;
/// Space between pools (message flows bend here).
const POOL_GAP: i64 = 60;
/// Height of a collapsed pool.
const UNIT_POOL_H: i64 = 60;

/// What a BPMN element is.
#[derive(Debug, Clone)]
pub(super) enum Kind {
    Start,
    Task,
    UserTask,
    SendTask { message: Option<usize> },
    Call { called: String },
    Exclusive,
    Parallel,
    EventBased,
    CatchMessage { message: usize },
    CatchTimer { cycle: bool, iso: String },
    End { message: Option<usize> },
}

impl Kind {
    pub(super) fn size(&self) -> (i64, i64) {
        match self {
            Kind::Task | Kind::UserTask | Kind::SendTask { .. } | Kind::Call { .. } => (100, 80),
            Kind::Exclusive | Kind::Parallel | Kind::EventBased => (50, 50),
            _ => (36, 36),
        }
    }
    pub(super) fn is_gateway(&self) -> bool {
        matches!(self, Kind::Exclusive | Kind::Parallel | Kind::EventBased)
    }
    /// Events and gateways have their name outside the shape.
    pub(super) fn labelled_outside(&self) -> bool {
        !matches!(
            self,
            Kind::Task | Kind::UserTask | Kind::SendTask { .. } | Kind::Call { .. }
        )
    }
}

/// Height of a name as bpmn-js sets it in a 90 px wide label: about 15 characters a line.
fn label_height(name: &str) -> i64 {
    let lines: i64 = super::wrap(name, 15)
        .iter()
        .map(|l| (l.chars().count() as i64 + 14) / 15)
        .sum();
    14 * lines.max(1)
}

/// Where the name of an event or gateway goes: under it, unless a flow leaves or enters there;
/// then above it (for a gateway, to the left, clear of its first outgoing flow's label).
fn element_label(kind: &Kind, name: &str, r: Rect, ends: &[(i64, i64)]) -> Rect {
    let h = label_height(name);
    let bottom = ends.contains(&(r.cx(), r.bottom()));
    let top = ends.contains(&(r.cx(), r.y));
    match (bottom, top) {
        (false, _) => Rect {
            x: r.cx() - 45,
            y: r.bottom() + 5,
            w: 90,
            h,
        },
        (true, false) if kind.is_gateway() => Rect {
            x: r.cx() - 80,
            y: r.y - 5 - h,
            w: 90,
            h,
        },
        (true, false) => Rect {
            x: r.cx() - 45,
            y: r.y - 5 - h,
            w: 90,
            h,
        },
        (true, true) => Rect {
            x: r.right() + 5,
            y: r.bottom() - 5,
            w: 90,
            h,
        },
    }
}

/// Where a flow's name goes: above the middle of its longest horizontal segment.
fn flow_label(name: &str, points: &[(i64, i64)]) -> Option<Rect> {
    let (a, b) = points
        .windows(2)
        .map(|w| (w[0], w[1]))
        .filter(|(a, b)| a.1 == b.1)
        .max_by_key(|(a, b)| (a.0 - b.0).abs())?;
    let h = label_height(name);
    Some(Rect {
        x: (a.0 + b.0) / 2 - 45,
        y: a.1 - 4 - h,
        w: 90,
        h,
    })
}

/// A flow node.
pub(super) struct El {
    pub id: String,
    pub kind: Kind,
    pub name: Option<String>,
    pub lane: usize,
    doc: Option<String>,
    /// Id of its event definition, for events that have one.
    def: Option<String>,
    default: Option<usize>,
    incoming: Vec<usize>,
    outgoing: Vec<usize>,
    /// The step (index in its workflow) this element is the main element of.
    pub step: Option<usize>,
    /// For a catch event: the trigger it waits for.
    pub trigger: Option<Trig>,
}

/// A sequence flow.
pub(super) struct Flow {
    id: String,
    pub from: usize,
    pub to: usize,
    pub name: Option<String>,
    cond: Option<String>,
}

/// A workflow's pool and process.
pub(super) struct Proc {
    id: String,
    pool: String,
    lane_set: String,
    pub name: String,
    pub lanes: Vec<(String, String)>,
    pub els: Vec<El>,
    pub flows: Vec<Flow>,
}

/// A `bpmn:message`: a named event, or a unit's answer.
pub(super) struct Message {
    id: String,
    pub name: String,
}

/// One end of a message flow.
#[derive(Debug, Clone, Copy)]
pub(super) enum End {
    /// An element: (process, element).
    El(usize, usize),
    /// A unit's collapsed pool.
    Unit(usize),
}

/// A message flow between pools.
pub(super) struct MessageFlow {
    id: String,
    pub from: End,
    pub to: End,
    pub message: Option<usize>,
}

/// The BPMN elements of a view, before layout: what the XML and the SVG drawing show.
pub(super) struct Diagram {
    pub procs: Vec<Proc>,
    pub unit_pools: Vec<String>,
    pub message_flows: Vec<MessageFlow>,
    b: Builder,
}

/// Where a step's way out leads.
enum Target {
    Step(usize),
    El(usize),
}

struct Exit {
    from: usize,
    to: Target,
    name: Option<String>,
    cond: Option<String>,
    default: bool,
}

/// An XML id (NCName): letters, digits, `.`, `-`, `_`, starting with a letter or `_`.
fn clean(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// Builds the processes of a view.
struct Builder {
    ids: Ids,
    messages: Vec<Message>,
    message_flows: Vec<(End, End, Option<usize>)>,
    /// Elements that raise an event: (process, element, event).
    emitters: Vec<(usize, usize, String)>,
}

impl Builder {
    fn message(&mut self, name: &str) -> usize {
        if let Some(i) = self.messages.iter().position(|m| m.name == name) {
            return i;
        }
        let id = self.ids.take(clean(&format!("message-{name}")));
        self.messages.push(Message {
            id,
            name: name.to_string(),
        });
        self.messages.len() - 1
    }

    fn el(
        &mut self,
        p: &mut Proc,
        id: String,
        kind: Kind,
        name: Option<String>,
        lane: usize,
    ) -> usize {
        let id = self.ids.take(clean(&id));
        let def = match kind {
            Kind::CatchMessage { .. }
            | Kind::CatchTimer { .. }
            | Kind::End { message: Some(_) } => Some(self.ids.take(format!("{id}-def"))),
            _ => None,
        };
        p.els.push(El {
            id,
            kind,
            name: name.filter(|n| !n.trim().is_empty()),
            lane,
            doc: None,
            def,
            default: None,
            incoming: Vec::new(),
            outgoing: Vec::new(),
            step: None,
            trigger: None,
        });
        p.els.len() - 1
    }
}

fn doc_of(s: &SView) -> Option<String> {
    let st = s.step;
    let mut lines: Vec<String> = Vec::new();
    if let Some(d) = &st.description {
        lines.push(d.trim().to_string());
    }
    if let Some(l) = &st.legal_basis {
        lines.push(format!("legal basis: {}", l.text()));
    }
    if let Some(w) = &st.within {
        lines.push(match &w.from {
            Some(f) => format!("within: {} from {}", w.duration.value, f.value),
            None => format!("within: {}", w.duration.value),
        });
    }
    if let Some(src) = &st.source {
        lines.push(format!("source: {src}"));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Render `view` as BPMN 2.0 XML.
pub(crate) fn render(view: &View) -> String {
    let Diagram {
        procs,
        unit_pools,
        message_flows,
        mut b,
    } = diagram(view);
    let mut o = String::new();
    // Writing to a String cannot fail.
    let _ = write(&mut o, view, &procs, &unit_pools, &message_flows, &mut b);
    o
}

/// The BPMN elements of `view`.
pub(super) fn diagram(view: &View) -> Diagram {
    let mut b = Builder {
        ids: Ids::default(),
        messages: Vec::new(),
        message_flows: Vec::new(),
        emitters: Vec::new(),
    };
    for fixed in ["Definitions", "Collaboration", "Diagram", "Plane"] {
        b.ids.take(fixed.to_string());
    }
    // Process, pool and lane ids first, so call activities can name the process they call.
    let mut procs: Vec<Proc> = view
        .workflows
        .iter()
        .map(|w| {
            let id = b.ids.take(clean(w.id));
            let pool = b.ids.take(clean(&format!("{}-pool", w.id)));
            let lane_set = b.ids.take(clean(&format!("{}-lanes", w.id)));
            let lanes = w
                .lanes
                .iter()
                .map(|l| {
                    (
                        b.ids.take(clean(&format!("{}-{}", w.id, l.id))),
                        l.name.clone(),
                    )
                })
                .collect();
            Proc {
                id,
                pool,
                lane_set,
                name: w.name.clone(),
                lanes,
                els: Vec::new(),
                flows: Vec::new(),
            }
        })
        .collect();
    let unit_pools: Vec<String> = view
        .units
        .iter()
        .map(|u| b.ids.take(clean(&format!("unit-{}", u.id))))
        .collect();
    let called: Vec<String> = procs.iter().map(|p| p.id.clone()).collect();
    for (wi, p) in procs.iter_mut().enumerate() {
        build(view, wi, p, &called, &mut b);
    }
    // Raised events reach the catch events of other pools as message flows.
    let emitters = std::mem::take(&mut b.emitters);
    for (pi, ei, event) in emitters {
        let Some(message) = b.messages.iter().position(|m| m.name == event) else {
            continue;
        };
        for (qi, q) in procs.iter().enumerate() {
            if qi == pi {
                continue;
            }
            for (ci, c) in q.els.iter().enumerate() {
                if matches!(c.kind, Kind::CatchMessage { message: m } if m == message) {
                    b.message_flows
                        .push((End::El(pi, ei), End::El(qi, ci), Some(message)));
                }
            }
        }
    }
    let message_flows: Vec<MessageFlow> = std::mem::take(&mut b.message_flows)
        .into_iter()
        .map(|(from, to, message)| {
            let source = match from {
                End::El(p, e) => procs[p].els[e].id.clone(),
                End::Unit(u) => unit_pools[u].clone(),
            };
            MessageFlow {
                id: b.ids.take(format!("{source}-message")),
                from,
                to,
                message,
            }
        })
        .collect();
    Diagram {
        procs,
        unit_pools,
        message_flows,
        b,
    }
}

/// Build the elements and sequence flows of workflow `wi`.
fn build(view: &View, wi: usize, p: &mut Proc, called: &[String], b: &mut Builder) {
    let w = &view.workflows[wi];
    let n = w.steps.len();
    let mut head = vec![usize::MAX; n];
    let mut exits: Vec<Exit> = Vec::new();
    let plain = |from: usize, to: Target| Exit {
        from,
        to,
        name: None,
        cond: None,
        default: false,
    };
    if let Some(s0) = w.start {
        let start = b.el(
            p,
            format!("{}-start", w.id),
            Kind::Start,
            Some(w.name.clone()),
            w.steps[s0].lane,
        );
        exits.push(plain(start, Target::Step(s0)));
    }
    for (si, s) in w.steps.iter().enumerate() {
        let sid = format!("{}.{}", w.id, s.id);
        let lane = s.lane;
        let emits = s.step.emits.as_ref().map(|e| e.value.clone());
        let main;
        match s.kind {
            StepKind::End => {
                let message = emits.as_deref().map(|e| b.message(e));
                let name = s
                    .step
                    .outcome
                    .as_ref()
                    .map_or_else(|| s.name.clone(), |o| o.value.clone());
                main = b.el(p, sid.clone(), Kind::End { message }, Some(name), lane);
            }
            StepKind::Fork => {
                main = b.el(p, sid.clone(), Kind::Parallel, Some(s.name.clone()), lane);
                for t in &s.next {
                    exits.push(plain(main, Target::Step(t.to)));
                }
            }
            StepKind::Join => {
                main = b.el(p, sid.clone(), Kind::Parallel, Some(s.name.clone()), lane);
                choice(b, p, main, &sid, s, &mut exits);
            }
            StepKind::Wait if s.on.len() >= 2 => {
                main = b.el(p, sid.clone(), Kind::EventBased, Some(s.name.clone()), lane);
                for (i, t) in s.on.iter().enumerate() {
                    let kind = catch_kind(b, &t.trigger);
                    let catch = b.el(
                        p,
                        format!("{sid}-on{i}"),
                        kind,
                        Some(t.trigger.label()),
                        lane,
                    );
                    p.els[catch].trigger = Some(t.trigger.clone());
                    exits.push(plain(main, Target::El(catch)));
                    exits.push(plain(catch, Target::Step(t.to)));
                }
            }
            StepKind::Wait if s.on.len() == 1 => {
                let t = &s.on[0];
                let kind = catch_kind(b, &t.trigger);
                let name = match &s.step.title {
                    Some(title) => format!("{title}: {}", t.trigger.label()),
                    None => t.trigger.label(),
                };
                main = b.el(p, sid.clone(), kind, Some(name), lane);
                p.els[main].trigger = Some(t.trigger.clone());
                exits.push(plain(main, Target::Step(t.to)));
            }
            StepKind::Referral if s.unit.is_some() || s.call.is_some() => {
                let kind = match s.call {
                    Some(c) => Kind::Call {
                        called: called[c].clone(),
                    },
                    None => Kind::SendTask { message: None },
                };
                main = b.el(p, sid.clone(), kind, Some(s.name.clone()), lane);
                if let Some(u) = s.unit {
                    b.message_flows
                        .push((End::El(wi, main), End::Unit(u), None));
                }
                if s.returns.is_empty() {
                    choice(b, p, main, &sid, s, &mut exits);
                } else if let Some(u) = s.unit {
                    let mut from = main;
                    if s.returns.len() >= 2 {
                        from = b.el(p, format!("{sid}-answers"), Kind::EventBased, None, lane);
                        exits.push(plain(main, Target::El(from)));
                    }
                    for (answer, to) in &s.returns {
                        let message = b.message(&format!("{}.{answer}", view.units[u].id));
                        let catch = b.el(
                            p,
                            format!("{sid}-answer-{answer}"),
                            Kind::CatchMessage { message },
                            Some(answer.clone()),
                            lane,
                        );
                        b.message_flows
                            .push((End::Unit(u), End::El(wi, catch), Some(message)));
                        exits.push(plain(from, Target::El(catch)));
                        exits.push(plain(catch, Target::Step(*to)));
                    }
                } else {
                    // Outcomes that lead to the same step share a flow.
                    let mut groups: Vec<(usize, Vec<&str>)> = Vec::new();
                    for (outcome, to) in &s.returns {
                        match groups.iter_mut().find(|(t, _)| t == to) {
                            Some((_, list)) => list.push(outcome),
                            None => groups.push((*to, vec![outcome])),
                        }
                    }
                    if groups.len() == 1 {
                        exits.push(plain(main, Target::Step(groups[0].0)));
                    } else {
                        let gw = b.el(
                            p,
                            format!("{sid}-outcome"),
                            Kind::Exclusive,
                            Some("outcome?".to_string()),
                            lane,
                        );
                        exits.push(plain(main, Target::El(gw)));
                        for (to, outcomes) in groups {
                            let cond = outcomes
                                .iter()
                                .map(|o| format!("outcome == \"{o}\""))
                                .collect::<Vec<_>>()
                                .join(" || ");
                            exits.push(Exit {
                                from: gw,
                                to: Target::Step(to),
                                name: Some(outcomes.join(", ")),
                                cond: Some(cond),
                                default: false,
                            });
                        }
                    }
                }
            }
            StepKind::Decision if s.next.len() >= 2 => {
                main = b.el(p, sid.clone(), Kind::Exclusive, Some(s.name.clone()), lane);
                choice(b, p, main, &sid, s, &mut exits);
            }
            _ => {
                let kind = match (&emits, &s.step.actor) {
                    (Some(e), _) => Kind::SendTask {
                        message: Some(b.message(e)),
                    },
                    (None, Some(_)) => Kind::UserTask,
                    (None, None) => Kind::Task,
                };
                main = b.el(p, sid.clone(), kind, Some(s.name.clone()), lane);
                choice(b, p, main, &sid, s, &mut exits);
            }
        }
        p.els[main].doc = doc_of(s);
        p.els[main].step = Some(si);
        if emits.is_some()
            && matches!(
                p.els[main].kind,
                Kind::SendTask { message: Some(_) } | Kind::End { message: Some(_) }
            )
        {
            if let Some(e) = emits {
                b.emitters.push((wi, main, e));
            }
        }
        head[si] = main;
    }

    // Several flows into one step: merge them in an exclusive gateway first (a join merges itself).
    let mut entering = vec![0usize; n];
    for e in &exits {
        if let Target::Step(t) = e.to {
            entering[t] += 1;
        }
    }
    let mut entry = head.clone();
    for (si, s) in w.steps.iter().enumerate() {
        if entering[si] >= 2 && s.kind != StepKind::Join {
            let merge = b.el(
                p,
                format!("{}.{}-merge", w.id, s.id),
                Kind::Exclusive,
                None,
                s.lane,
            );
            connect(b, p, merge, head[si], None, None, false);
            entry[si] = merge;
        }
    }
    for e in exits {
        let to = match e.to {
            Target::El(el) => el,
            Target::Step(t) => entry[t],
        };
        connect(b, p, e.from, to, e.name, e.cond, e.default);
    }
}

fn catch_kind(b: &mut Builder, t: &Trig) -> Kind {
    match t {
        Trig::Event(e) => Kind::CatchMessage {
            message: b.message(e),
        },
        Trig::After(d) => Kind::CatchTimer {
            cycle: false,
            iso: iso8601(*d),
        },
        Trig::Every(d) => Kind::CatchTimer {
            cycle: true,
            iso: format!("R/{}", iso8601(*d)),
        },
    }
}

/// The ways out of `from` through the step's `next`: one flow, or an exclusive gateway (`from`
/// itself when it is one) with a flow per transition, `else` being the default flow.
fn choice(b: &mut Builder, p: &mut Proc, from: usize, sid: &str, s: &SView, exits: &mut Vec<Exit>) {
    match s.next.as_slice() {
        [] => {}
        [t] => {
            let (name, cond) = match &t.cond {
                Cond::When(c) => (t.label(), Some(c.clone())),
                _ => (None, None),
            };
            exits.push(Exit {
                from,
                to: Target::Step(t.to),
                name,
                cond,
                default: false,
            });
        }
        list => {
            let gw = if matches!(p.els[from].kind, Kind::Exclusive) {
                from
            } else {
                // A yes-or-no choice asks its condition; a longer one asks what the step found.
                let question = match list {
                    [first, t] if t.cond == Cond::Else => first.label(),
                    _ => None,
                }
                .unwrap_or_else(|| s.id.to_string());
                let question = Some(format!("{question}?"));
                let gw = b.el(
                    p,
                    format!("{sid}-choice"),
                    Kind::Exclusive,
                    question,
                    s.lane,
                );
                exits.push(Exit {
                    from,
                    to: Target::El(gw),
                    name: None,
                    cond: None,
                    default: false,
                });
                gw
            };
            for t in list {
                let (cond, default) = match &t.cond {
                    Cond::When(c) => (Some(c.clone()), false),
                    Cond::Else => (None, true),
                    Cond::Always => (Some("true".to_string()), false),
                };
                exits.push(Exit {
                    from: gw,
                    to: Target::Step(t.to),
                    name: t.label().or_else(|| Some("always".to_string())),
                    cond,
                    default,
                });
            }
        }
    }
}

fn connect(
    b: &mut Builder,
    p: &mut Proc,
    from: usize,
    to: usize,
    name: Option<String>,
    cond: Option<String>,
    default: bool,
) {
    let id = b.ids.take(format!(
        "{}-flow{}",
        p.els[from].id,
        p.els[from].outgoing.len()
    ));
    let f = p.flows.len();
    p.flows.push(Flow {
        id,
        from,
        to,
        name,
        cond,
    });
    p.els[from].outgoing.push(f);
    p.els[to].incoming.push(f);
    if default && p.els[from].default.is_none() {
        p.els[from].default = Some(f);
    }
}

/// Where everything is drawn.
struct Placed {
    /// Per process: pool bounds, lane bounds, element bounds, flow waypoints.
    pools: Vec<Rect>,
    lanes: Vec<Vec<Rect>>,
    els: Vec<Vec<Rect>>,
    flows: Vec<Vec<Vec<(i64, i64)>>>,
    units: Vec<Rect>,
}

fn place(procs: &[Proc], units: usize) -> Placed {
    let layouts: Vec<layout::Layout> = procs
        .iter()
        .map(|p| {
            let nodes: Vec<layout::Node> = p
                .els
                .iter()
                .map(|e| {
                    let (w, h) = e.kind.size();
                    layout::Node {
                        lane: e.lane,
                        w,
                        h,
                        gateway: e.kind.is_gateway(),
                    }
                })
                .collect();
            let edges: Vec<(usize, usize)> = p.flows.iter().map(|f| (f.from, f.to)).collect();
            layout::layout(&nodes, &edges, p.lanes.len(), &layout::BPMN)
        })
        .collect();
    let width = layouts.iter().map(|l| l.width).max().unwrap_or(400) + 2 * HEAD + 2 * MARGIN;
    let mut y = POOL_Y;
    let mut placed = Placed {
        pools: Vec::new(),
        lanes: Vec::new(),
        els: Vec::new(),
        flows: Vec::new(),
        units: Vec::new(),
    };
    for l in &layouts {
        let height = l
            .lanes
            .iter()
            .map(|(_, h)| h)
            .sum::<i64>()
            .max(layout::BPMN.row_h);
        placed.pools.push(Rect {
            x: POOL_X,
            y,
            w: width,
            h: height,
        });
        placed.lanes.push(
            l.lanes
                .iter()
                .map(|&(top, h)| Rect {
                    x: POOL_X + HEAD,
                    y: y + top,
                    w: width - HEAD,
                    h,
                })
                .collect(),
        );
        let (dx, dy) = (POOL_X + 2 * HEAD + MARGIN, y);
        placed
            .els
            .push(l.nodes.iter().map(|r| r.moved(dx, dy)).collect());
        placed.flows.push(
            l.edges
                .iter()
                .map(|pts| pts.iter().map(|&(x, py)| (x + dx, py + dy)).collect())
                .collect(),
        );
        y += height + POOL_GAP;
    }
    for _ in 0..units {
        placed.units.push(Rect {
            x: POOL_X,
            y,
            w: width,
            h: UNIT_POOL_H,
        });
        y += UNIT_POOL_H + POOL_GAP;
    }
    placed
}

/// The x of the gap right of the column `r` stands in, where no element is (track `k`).
fn column_gap(r: Rect, k: i64) -> i64 {
    let origin = POOL_X + 2 * HEAD + MARGIN;
    let g = layout::BPMN;
    let column = (r.x - origin).div_euclid(g.col_w);
    let gap = g.col_w - g.cell_w;
    origin + column * g.col_w + g.cell_w + gap / 2 + 14 + 4 * (k % 3)
}

/// Leave `r` from its top (`up`) or bottom, then run to `x` just outside it.
fn leave(r: Rect, up: bool, x: i64) -> Vec<(i64, i64)> {
    let (edge, y) = if up {
        (r.y, r.y - 14)
    } else {
        (r.bottom(), r.bottom() + 14)
    };
    vec![(r.cx(), edge), (r.cx(), y), (x, y)]
}

/// Come from `x` to just above `r`, and enter it from the top.
fn arrive(r: Rect, x: i64) -> Vec<(i64, i64)> {
    vec![(x, r.y - 14), (r.cx(), r.y - 14), (r.cx(), r.y)]
}

/// Waypoints of a message flow: out of the element to the gap beside its column, along the gap
/// between pools, and into the target from above, so it crosses no other element.
fn message_route(placed: &Placed, from: End, to: End, k: i64) -> Vec<(i64, i64)> {
    match (from, to) {
        (End::El(p, e), End::El(q, c)) => {
            let (s, t) = (placed.els[p][e], placed.els[q][c]);
            let pool = placed.pools[p];
            let up = placed.pools[q].y < pool.y;
            let gap = if up {
                pool.y - POOL_GAP / 2 + 6 * (k % 4)
            } else {
                pool.bottom() + POOL_GAP / 2 - 6 * (k % 4)
            };
            let (xs, xt) = (column_gap(s, k), column_gap(t, k));
            let mut points = leave(s, up, xs);
            points.extend([(xs, gap), (xt, gap)]);
            points.extend(arrive(t, xt));
            points
        }
        (End::El(p, e), End::Unit(u)) => {
            let (s, pool) = (placed.els[p][e], placed.units[u]);
            let up = pool.y < s.y;
            let x = column_gap(s, k);
            let mut points = leave(s, up, x);
            points.push((x, if up { pool.bottom() } else { pool.y }));
            points
        }
        (End::Unit(u), End::El(q, c)) => {
            let (t, pool) = (placed.els[q][c], placed.units[u]);
            let x = column_gap(t, k);
            let mut points = vec![(x, if pool.y > t.y { pool.y } else { pool.bottom() })];
            points.extend(arrive(t, x));
            points
        }
        (End::Unit(u), End::Unit(v)) => {
            let (a, z) = (placed.units[u], placed.units[v]);
            vec![(a.cx(), a.bottom()), (z.cx(), z.y)]
        }
    }
}

fn write(
    o: &mut String,
    view: &View,
    procs: &[Proc],
    unit_pools: &[String],
    message_flows: &[MessageFlow],
    b: &mut Builder,
) -> std::fmt::Result {
    writeln!(o, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        o,
        r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions" targetNamespace="urn:steg:{}" exporter="steg">"#,
        attr(&clean(view.folder))
    )?;
    for m in &b.messages {
        writeln!(
            o,
            r#"  <bpmn:message id="{}" name="{}" />"#,
            m.id,
            attr(&m.name)
        )?;
    }
    writeln!(o, r#"  <bpmn:collaboration id="Collaboration">"#)?;
    writeln!(
        o,
        "    <bpmn:documentation>{}</bpmn:documentation>",
        text(&format!(
            "{}: steg graph {} --format bpmn",
            view.name, view.folder
        ))
    )?;
    for p in procs {
        writeln!(
            o,
            r#"    <bpmn:participant id="{}" name="{}" processRef="{}" />"#,
            p.pool,
            attr(&p.name),
            p.id
        )?;
    }
    for (u, id) in view.units.iter().zip(unit_pools) {
        writeln!(
            o,
            r#"    <bpmn:participant id="{}" name="{}" />"#,
            id,
            attr(&u.name)
        )?;
    }
    let end_id = |e: End| match e {
        End::El(p, el) => procs[p].els[el].id.clone(),
        End::Unit(u) => unit_pools[u].clone(),
    };
    for f in message_flows {
        let message = f
            .message
            .map(|m| format!(r#" messageRef="{}""#, b.messages[m].id))
            .unwrap_or_default();
        writeln!(
            o,
            r#"    <bpmn:messageFlow id="{}" sourceRef="{}" targetRef="{}"{message} />"#,
            f.id,
            end_id(f.from),
            end_id(f.to)
        )?;
    }
    writeln!(o, "  </bpmn:collaboration>")?;
    for p in procs {
        write_process(o, p, b)?;
    }

    let placed = place(procs, unit_pools.len());
    writeln!(o, r#"  <bpmndi:BPMNDiagram id="Diagram">"#)?;
    writeln!(
        o,
        r#"    <bpmndi:BPMNPlane id="Plane" bpmnElement="Collaboration">"#
    )?;
    let message_routes: Vec<Vec<(i64, i64)>> = message_flows
        .iter()
        .enumerate()
        .map(|(k, f)| message_route(&placed, f.from, f.to, k as i64))
        .collect();
    // Where flows start and end: names of events and gateways keep clear of them.
    let ends: Vec<(i64, i64)> = placed
        .flows
        .iter()
        .flatten()
        .chain(&message_routes)
        .flat_map(|pts| pts.first().into_iter().chain(pts.last()).copied())
        .collect();
    for (pi, p) in procs.iter().enumerate() {
        shape(
            o,
            b,
            &p.pool,
            placed.pools[pi],
            r#" isHorizontal="true""#,
            None,
        )?;
        for (li, (lane, _)) in p.lanes.iter().enumerate() {
            if let Some(r) = placed.lanes[pi].get(li) {
                shape(o, b, lane, *r, r#" isHorizontal="true""#, None)?;
            }
        }
        for (ei, e) in p.els.iter().enumerate() {
            let extra = if matches!(e.kind, Kind::Exclusive) {
                r#" isMarkerVisible="true""#
            } else {
                ""
            };
            let r = placed.els[pi][ei];
            let label = match &e.name {
                Some(name) if e.kind.labelled_outside() => {
                    Some(element_label(&e.kind, name, r, &ends))
                }
                _ => None,
            };
            shape(o, b, &e.id, r, extra, label)?;
        }
        for (fi, f) in p.flows.iter().enumerate() {
            let points = &placed.flows[pi][fi];
            let label = f.name.as_deref().and_then(|n| flow_label(n, points));
            edge(o, b, &f.id, points, label)?;
        }
    }
    for (ui, id) in unit_pools.iter().enumerate() {
        shape(o, b, id, placed.units[ui], r#" isHorizontal="true""#, None)?;
    }
    for (f, points) in message_flows.iter().zip(&message_routes) {
        edge(o, b, &f.id, points, None)?;
    }
    writeln!(o, "    </bpmndi:BPMNPlane>")?;
    writeln!(o, "  </bpmndi:BPMNDiagram>")?;
    writeln!(o, "</bpmn:definitions>")
}

fn bounds(o: &mut String, indent: &str, r: Rect) -> std::fmt::Result {
    writeln!(
        o,
        r#"{indent}<dc:Bounds x="{}" y="{}" width="{}" height="{}" />"#,
        r.x, r.y, r.w, r.h
    )
}

fn label(o: &mut String, r: Option<Rect>) -> std::fmt::Result {
    if let Some(r) = r {
        writeln!(o, "        <bpmndi:BPMNLabel>")?;
        bounds(o, "          ", r)?;
        writeln!(o, "        </bpmndi:BPMNLabel>")?;
    }
    Ok(())
}

fn shape(
    o: &mut String,
    b: &mut Builder,
    id: &str,
    r: Rect,
    extra: &str,
    name: Option<Rect>,
) -> std::fmt::Result {
    let di = b.ids.take(format!("{id}-di"));
    writeln!(
        o,
        r#"      <bpmndi:BPMNShape id="{di}" bpmnElement="{id}"{extra}>"#
    )?;
    bounds(o, "        ", r)?;
    label(o, name)?;
    writeln!(o, "      </bpmndi:BPMNShape>")
}

fn edge(
    o: &mut String,
    b: &mut Builder,
    id: &str,
    points: &[(i64, i64)],
    name: Option<Rect>,
) -> std::fmt::Result {
    let di = b.ids.take(format!("{id}-di"));
    writeln!(o, r#"      <bpmndi:BPMNEdge id="{di}" bpmnElement="{id}">"#)?;
    for (x, y) in points {
        writeln!(o, r#"        <di:waypoint x="{x}" y="{y}" />"#)?;
    }
    label(o, name)?;
    writeln!(o, "      </bpmndi:BPMNEdge>")
}

fn write_process(o: &mut String, p: &Proc, b: &Builder) -> std::fmt::Result {
    writeln!(
        o,
        r#"  <bpmn:process id="{}" name="{}" isExecutable="false">"#,
        p.id,
        attr(&p.name)
    )?;
    writeln!(o, r#"    <bpmn:laneSet id="{}">"#, p.lane_set)?;
    for (li, (id, name)) in p.lanes.iter().enumerate() {
        writeln!(o, r#"      <bpmn:lane id="{id}" name="{}">"#, attr(name))?;
        for e in p.els.iter().filter(|e| e.lane == li) {
            writeln!(o, "        <bpmn:flowNodeRef>{}</bpmn:flowNodeRef>", e.id)?;
        }
        writeln!(o, "      </bpmn:lane>")?;
    }
    writeln!(o, "    </bpmn:laneSet>")?;
    for e in &p.els {
        let (tag, extra) = match &e.kind {
            Kind::Start => ("startEvent", String::new()),
            Kind::Task => ("task", String::new()),
            Kind::UserTask => ("userTask", String::new()),
            Kind::SendTask { message } => (
                "sendTask",
                message
                    .map(|m| format!(r#" messageRef="{}""#, b.messages[m].id))
                    .unwrap_or_default(),
            ),
            Kind::Call { called } => ("callActivity", format!(r#" calledElement="{called}""#)),
            Kind::Exclusive => (
                "exclusiveGateway",
                e.default
                    .map(|f| format!(r#" default="{}""#, p.flows[f].id))
                    .unwrap_or_default(),
            ),
            Kind::Parallel => ("parallelGateway", String::new()),
            Kind::EventBased => ("eventBasedGateway", String::new()),
            Kind::CatchMessage { .. } | Kind::CatchTimer { .. } => {
                ("intermediateCatchEvent", String::new())
            }
            Kind::End { .. } => ("endEvent", String::new()),
        };
        let name = e
            .name
            .as_ref()
            .map(|n| format!(r#" name="{}""#, attr(n)))
            .unwrap_or_default();
        writeln!(o, r#"    <bpmn:{tag} id="{}"{name}{extra}>"#, e.id)?;
        if let Some(d) = &e.doc {
            writeln!(
                o,
                "      <bpmn:documentation>{}</bpmn:documentation>",
                text(d)
            )?;
        }
        for &f in &e.incoming {
            writeln!(o, "      <bpmn:incoming>{}</bpmn:incoming>", p.flows[f].id)?;
        }
        for &f in &e.outgoing {
            writeln!(o, "      <bpmn:outgoing>{}</bpmn:outgoing>", p.flows[f].id)?;
        }
        let def = e.def.as_deref().unwrap_or_default();
        match &e.kind {
            Kind::CatchMessage { message }
            | Kind::End {
                message: Some(message),
            } => {
                writeln!(
                    o,
                    r#"      <bpmn:messageEventDefinition id="{def}" messageRef="{}" />"#,
                    b.messages[*message].id
                )?;
            }
            Kind::CatchTimer { cycle, iso } => {
                let tag = if *cycle { "timeCycle" } else { "timeDuration" };
                writeln!(o, r#"      <bpmn:timerEventDefinition id="{def}">"#)?;
                writeln!(
                    o,
                    r#"        <bpmn:{tag} xsi:type="bpmn:tFormalExpression">{}</bpmn:{tag}>"#,
                    text(iso)
                )?;
                writeln!(o, "      </bpmn:timerEventDefinition>")?;
            }
            _ => {}
        }
        writeln!(o, "    </bpmn:{tag}>")?;
    }
    for f in &p.flows {
        let name = f
            .name
            .as_ref()
            .map(|n| format!(r#" name="{}""#, attr(n)))
            .unwrap_or_default();
        let (from, to) = (&p.els[f.from].id, &p.els[f.to].id);
        match &f.cond {
            Some(c) => {
                writeln!(
                    o,
                    r#"    <bpmn:sequenceFlow id="{}"{name} sourceRef="{from}" targetRef="{to}">"#,
                    f.id
                )?;
                writeln!(
                    o,
                    r#"      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{}</bpmn:conditionExpression>"#,
                    text(c)
                )?;
                writeln!(o, "    </bpmn:sequenceFlow>")?;
            }
            None => writeln!(
                o,
                r#"    <bpmn:sequenceFlow id="{}"{name} sourceRef="{from}" targetRef="{to}" />"#,
                f.id
            )?,
        }
    }
    writeln!(o, "  </bpmn:process>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_and_text_escape_what_xml_needs() {
        assert_eq!(attr(r#"a & "b" <c>"#), "a &amp; &quot;b&quot; &lt;c&gt;");
        assert_eq!(attr("två\nrader"), "två&#10;rader");
        assert_eq!(text("x < y && z\n"), "x &lt; y &amp;&amp; z\n");
        assert_eq!(text("bell\u{7}"), "bell\u{FFFD}");
    }

    #[test]
    fn ids_are_ncnames() {
        assert_eq!(
            clean("ekonomiskt_bistand.beslut_4_4"),
            "ekonomiskt_bistand.beslut_4_4"
        );
        assert_eq!(clean("4 kap"), "_4_kap");
        assert_eq!(clean("nämnd"), "n_mnd");
    }
}
