//! BPMN 2.0 into steg workflows.
//!
//! | BPMN | steg |
//! |---|---|
//! | process, pool (participant with a process) | a workflow (title: the pool's name) |
//! | lane | a role (`actor` of the steps in it); steg's own `…-role-ID` lanes give `ID` back |
//! | collapsed pool (participant without process) | a unit outside the model |
//! | task, user/manual/service/script/business-rule task | `task` (title: the name) |
//! | send task (message) | `task` with `emits: MESSAGE` |
//! | send task with a message flow into a collapsed pool | `referral` to that unit; message catch events it leads to that hear the pool are its `returns` |
//! | receive task | `wait` for its message |
//! | call activity | `referral` to the called process's workflow (`returns`: each of its outcomes → the next step), or to a unit when the process is not in the file |
//! | sub-process, transaction | its own workflow, and a `referral` to it |
//! | start event | the workflow's `start` (several: a free choice among them) |
//! | end event (terminate, error, message, ...) | `end`, `outcome` from its name (error end: the error's name); a message end event `emits` |
//! | exclusive gateway after a task, conditions known | the task's conditional `next` (`default` flow → `else`) |
//! | exclusive gateway otherwise, conditions known | `decision` |
//! | exclusive gateway, conditions not known | a free choice: `wait` with one event per branch |
//! | exclusive gateway merging | nothing: the flows go straight to the next step |
//! | parallel gateway | `fork` (splitting), `join` (merging), both |
//! | inclusive gateway | approximated: `fork` / `join` (every branch), S005 |
//! | event-based gateway | `wait`, a trigger per catch event after it |
//! | intermediate catch event: message, signal, conditional / timer | `wait` on an event / `after` (timeDuration), `every` (timeCycle) |
//! | intermediate throw event: message, signal / none | `task` with `emits` / `task` |
//! | link events | nothing: the throw goes on at the catch of the same name |
//! | boundary events on a task | the task becomes a `wait`: its completion (`ID_completed`) or any boundary trigger |
//! | error boundary event on a call activity or sub-process | an entry of its `returns` (the error's outcome) |
//! | an activity with several outgoing flows | a `fork` after it (`ID_split`); conditional ones a free choice (S005) |
//! | documentation | `description` (steg's own export: `legal basis:`, `within:`, `source:` lines back into their fields) |
//!
//! Every step's `source:` names the element (`model.bpmn:12 (bpmn:Task_1)`), and its id is the
//! element's id as a steg id (`Task_1` → `task_1`); steg's own export (`exporter="steg"`) gives
//! back the original step ids (`workflow.step`), and its helper elements (`-merge`, `-choice`,
//! `-on0`, `-outcome`, `-answers`) fold back into the steps they belong to.

use super::xml::El;
use super::{slug, Diags, ICond, IModel, INext, IOn, IRefer, IStep, ITrig, IWorkflow, Ids};
use crate::duration::Duration;
use crate::model::StepKind;
use std::collections::{HashMap, HashSet};

/// The BPMN 2.0 model namespace.
pub(crate) const NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";

const TASKS: &[&str] = &[
    "task",
    "userTask",
    "manualTask",
    "serviceTask",
    "scriptTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
];
const GATEWAYS: &[&str] = &[
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "complexGateway",
];
const EVENTS: &[&str] = &[
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
];
const CONTAINERS: &[&str] = &["subProcess", "transaction", "adHocSubProcess"];
/// Elements of a process that carry no control flow and are left out without a word: notes,
/// layout, data types, extensions.
const IGNORED: &[&str] = &[
    "documentation",
    "extensionElements",
    "laneSet",
    "textAnnotation",
    "association",
    "group",
    "ioSpecification",
    "property",
    "auditing",
    "monitoring",
    "dataInputAssociation",
    "dataOutputAssociation",
    // A sub-process's own references to its flows and its loop marker (reported at the
    // sub-process), inside the element that is also its scope.
    "incoming",
    "outgoing",
    "standardLoopCharacteristics",
    "multiInstanceLoopCharacteristics",
    "completionCondition",
];
/// Data elements: not expressible (steg's case data is not drawn), reported.
const DATA: &[&str] = &[
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "dataStore",
];

/// A flow node of one scope (process or sub-process).
struct FNode<'a> {
    el: &'a El,
    id: String,
    tag: &'a str,
    name: Option<String>,
    /// Event definitions: (kind without `EventDefinition`, element).
    defs: Vec<(&'a str, &'a El)>,
    ins: Vec<usize>,
    outs: Vec<usize>,
    /// Boundary events attached to this activity.
    boundary: Vec<usize>,
    role: Role,
    step: Option<usize>,
    /// The step a case enters when it reaches this element, when not `step` (a wait for a
    /// boundary event before a sub-process).
    entry: Option<usize>,
    /// Whether its ways out are set.
    wired: bool,
}

struct SFlow<'a> {
    el: &'a El,
    id: String,
    name: Option<String>,
    to: usize,
    cond: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Not decided yet.
    Open,
    Start,
    Boundary,
    /// A step of its own.
    Step,
    /// Dissolved: flows into it go on to its one outgoing flow's target.
    Pass,
    /// Part of another step (a catch event after an event-based gateway, a gateway folded into
    /// the task before it, an answer of a unit).
    Absorbed,
    /// Left out (reported).
    Dropped,
}

struct Lanes {
    /// Element id → (role or unit, id).
    of: HashMap<String, LaneOf>,
}

#[derive(Debug, Clone)]
enum LaneOf {
    Role(String),
    Unit(String),
    None,
}

/// What a referral still needs once every workflow is built: its `returns` from the called
/// workflow's outcomes.
struct Pending {
    wf: usize,
    step: String,
    callee: String,
    to: Option<String>,
    errors: Vec<(String, String)>,
}

struct Ctx<'a, 'd, 't> {
    d: &'d mut Diags<'t>,
    steg: bool,
    messages: HashMap<&'a str, String>,
    signals: HashMap<&'a str, String>,
    errors: HashMap<&'a str, String>,
    escalations: HashMap<&'a str, String>,
    /// Process id → workflow id.
    processes: HashMap<String, String>,
    /// Collapsed pools: participant id → unit id.
    black_boxes: HashMap<String, String>,
    /// Message flows by source and target element id: (other end, message name).
    mf_out: HashMap<String, Vec<(String, Option<String>)>>,
    mf_in: HashMap<String, Vec<(String, Option<String>)>>,
    model: IModel,
    wf_ids: Ids,
    pending: Vec<Pending>,
    seen_ids: HashSet<String>,
    /// Event definitions declared at the root, by id (`<eventDefinitionRef>` names them).
    root_defs: HashMap<&'a str, &'a El>,
}

fn bpmn_kids<'a>(el: &'a El) -> impl Iterator<Item = &'a El> + 'a {
    el.children.iter().filter(|c| c.ns == NS)
}

/// The name a link event pairs by: its link event definition's `name`, else the event's.
fn link_name(node: &FNode) -> Option<String> {
    node.defs
        .iter()
        .find(|(k, _)| *k == "link")
        .and_then(|(_, d)| d.attr("name"))
        .map(str::to_string)
        .or_else(|| node.name.clone())
}

/// Whether a sub-process has flow elements of its own (else it is collapsed: an activity).
fn has_flow_nodes(el: &El) -> bool {
    bpmn_kids(el).any(|c| {
        let t = c.name.as_str();
        TASKS.contains(&t)
            || GATEWAYS.contains(&t)
            || EVENTS.contains(&t)
            || CONTAINERS.contains(&t)
            || t == "callActivity"
    })
}

fn name_of(el: &El) -> Option<String> {
    el.attr("name")
        .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|n| !n.is_empty())
}

/// Import a `<definitions>` element.
pub(crate) fn import(root: &El, d: &mut Diags) -> IModel {
    let steg = root.attr("exporter") == Some("steg");
    let mut cx = Ctx {
        d,
        steg,
        messages: HashMap::new(),
        signals: HashMap::new(),
        errors: HashMap::new(),
        escalations: HashMap::new(),
        processes: HashMap::new(),
        black_boxes: HashMap::new(),
        mf_out: HashMap::new(),
        mf_in: HashMap::new(),
        model: IModel::default(),
        wf_ids: Ids::default(),
        pending: Vec::new(),
        seen_ids: HashSet::new(),
        root_defs: HashMap::new(),
    };
    cx.model.title = root.attr("name").map(str::to_string).or_else(|| {
        root.attr("targetNamespace")
            .and_then(|t| t.strip_prefix("urn:steg:"))
            .map(str::to_string)
    });
    let mut processes = Vec::new();
    let mut pool_names: HashMap<String, String> = HashMap::new();
    for el in bpmn_kids(root) {
        let id = el.attr("id").unwrap_or_default();
        let name = name_of(el).unwrap_or_else(|| id.to_string());
        if el.name.ends_with("EventDefinition") {
            cx.root_defs.insert(id, el);
            continue;
        }
        match el.name.as_str() {
            "message" => {
                cx.messages.insert(id, name);
            }
            "signal" => {
                cx.signals.insert(id, name);
            }
            "error" => {
                cx.errors.insert(id, name);
            }
            "escalation" => {
                cx.escalations.insert(id, name);
            }
            "process" => processes.push(el),
            "collaboration" => {
                for c in bpmn_kids(el) {
                    match c.name.as_str() {
                        "participant" => {
                            let pid = c.attr("id").unwrap_or_default().to_string();
                            match c.attr("processRef") {
                                Some(p) => {
                                    if let Some(n) = name_of(c) {
                                        pool_names.insert(p.to_string(), n);
                                    }
                                }
                                None => {
                                    let unit = if steg {
                                        pid.strip_prefix("unit-").unwrap_or(&pid).to_string()
                                    } else {
                                        slug(name_of(c).as_deref().unwrap_or(&pid), "unit")
                                    };
                                    let title = name_of(c).unwrap_or_else(|| pid.clone());
                                    cx.black_boxes.insert(pid, unit.clone());
                                    cx.model.units.entry(unit).or_insert(title);
                                }
                            }
                        }
                        "messageFlow" => {
                            let (Some(s), Some(t)) = (c.attr("sourceRef"), c.attr("targetRef"))
                            else {
                                cx.d.invalid(c.offset, "a message flow without sourceRef or targetRef".to_string());
                                continue;
                            };
                            let msg = c.attr("messageRef").map(str::to_string);
                            cx.mf_out
                                .entry(s.to_string())
                                .or_default()
                                .push((t.to_string(), msg.clone()));
                            cx.mf_in
                                .entry(t.to_string())
                                .or_default()
                                .push((s.to_string(), msg));
                        }
                        "documentation" | "extensionElements" | "textAnnotation"
                        | "association" | "group" => {}
                        other => cx.d.left_out(
                            c.offset,
                            format!("<{other}> `{}` in the collaboration is left out", c.attr("id").unwrap_or_default()),
                            "steg models the pools' processes; conversations and correlations have no counterpart",
                        ),
                    }
                }
            }
            "itemDefinition" | "interface" | "resource" | "dataStore" | "documentation"
            | "extensionElements" | "import" | "category" | "eventDefinition" => {}
            "choreography"
            | "globalTask"
            | "globalUserTask"
            | "globalManualTask"
            | "globalScriptTask"
            | "globalBusinessRuleTask"
            | "conversation"
            | "partnerRole"
            | "partnerEntity"
            | "correlationProperty" => cx.d.left_out(
                el.offset,
                format!("<{}> `{id}` is left out", el.name),
                "steg imports processes and their pools; this element has no counterpart",
            ),
            other => cx.d.left_out(
                el.offset,
                format!("<{other}> `{id}` is not a BPMN element steg knows; left out"),
                "only processes, collaborations and their elements are imported",
            ),
        }
    }
    // Message names: a message flow's messageRef names the message.
    for list in cx.mf_out.values_mut().chain(cx.mf_in.values_mut()) {
        for (_, m) in list.iter_mut() {
            if let Some(id) = m.clone() {
                *m = Some(cx.messages.get(id.as_str()).cloned().unwrap_or(id));
            }
        }
    }
    if processes.is_empty() {
        cx.d.invalid(
            root.offset,
            "the file has no <process>: nothing to import".to_string(),
        );
    }
    for p in &processes {
        let pid = p.attr("id").unwrap_or("process");
        let wid = if steg {
            pid.to_string()
        } else {
            slug(pid, "process")
        };
        let wid = cx.wf_ids.take(wid);
        cx.processes.insert(pid.to_string(), wid);
    }
    for p in &processes {
        let pid = p.attr("id").unwrap_or("process");
        let wid = cx.processes.get(pid).cloned().unwrap_or_default();
        let mut lanes = Lanes { of: HashMap::new() };
        for ls in p.kids("laneSet") {
            lanes_of(&mut cx, ls, pid, &mut lanes);
        }
        let title = pool_names
            .get(pid)
            .cloned()
            .or_else(|| name_of(p))
            .filter(|t| *t != wid);
        let source = cx.d.source("bpmn", pid, p.offset);
        scope(&mut cx, p, wid, title, source, &lanes, &LaneOf::None);
    }
    // Referrals to workflows: every outcome of the called workflow leads on.
    let pending = std::mem::take(&mut cx.pending);
    for p in pending {
        let outcomes: Vec<String> = cx
            .model
            .workflows
            .iter()
            .find(|w| w.id == p.callee)
            .map(|w| {
                let mut v: Vec<String> = Vec::new();
                for s in &w.steps {
                    if let Some(o) = &s.outcome {
                        if !v.contains(o) {
                            v.push(o.clone());
                        }
                    }
                }
                v
            })
            .unwrap_or_default();
        let Some(step) = cx.model.workflows[p.wf]
            .steps
            .iter_mut()
            .find(|s| s.id == p.step)
        else {
            continue;
        };
        for o in outcomes {
            if let Some((_, to)) = p.errors.iter().find(|(e, _)| *e == o) {
                step.returns.push((o, to.clone()));
            } else if let Some(to) = &p.to {
                step.returns.push((o, to.clone()));
            }
        }
    }
    cx.model
}

fn lanes_of(cx: &mut Ctx, el: &El, pid: &str, lanes: &mut Lanes) {
    for lane in el.kids("lane") {
        let id = lane.attr("id").unwrap_or_default();
        let name = name_of(lane);
        let of = if let Some(r) = id.strip_prefix(&format!("{pid}-role-")) {
            cx.model
                .roles
                .entry(r.to_string())
                .or_insert_with(|| name.clone().unwrap_or_else(|| r.to_string()));
            LaneOf::Role(r.to_string())
        } else if let Some(u) = id.strip_prefix(&format!("{pid}-unit-")) {
            cx.model
                .units
                .entry(u.to_string())
                .or_insert_with(|| name.clone().unwrap_or_else(|| u.to_string()));
            LaneOf::Unit(u.to_string())
        } else if id == format!("{pid}-default") && cx.steg {
            LaneOf::None
        } else {
            let r = slug(name.as_deref().unwrap_or(id), "role");
            cx.model
                .roles
                .entry(r.clone())
                .or_insert_with(|| name.clone().unwrap_or_else(|| id.to_string()));
            LaneOf::Role(r)
        };
        for n in lane.kids("flowNodeRef") {
            lanes.of.insert(n.text.trim().to_string(), of.clone());
        }
        // Nested lanes are read after their parent, so the innermost lane wins.
        for child in lane.kids("childLaneSet") {
            lanes_of(cx, child, pid, lanes);
        }
    }
}

/// Per event: (kind, element) of its event definitions, given inside it or by reference
/// (`<eventDefinitionRef>` to a definition at the root).
fn defs_of<'a>(el: &'a El, root: &HashMap<&'a str, &'a El>) -> Vec<(&'a str, &'a El)> {
    let mut out: Vec<(&str, &El)> = bpmn_kids(el)
        .filter_map(|c| c.name.strip_suffix("EventDefinition").map(|k| (k, c)))
        .collect();
    for r in el.kids("eventDefinitionRef") {
        if let Some(&d) = root.get(r.text.trim()) {
            if let Some(k) = d.name.strip_suffix("EventDefinition") {
                out.push((k, d));
            }
        }
    }
    out
}

/// Convert one scope (a process or a sub-process) into workflow `wid`, pushing it (and the
/// workflows of its sub-processes) onto the model.
fn scope(
    cx: &mut Ctx,
    el: &El,
    wid: String,
    title: Option<String>,
    source: String,
    lanes: &Lanes,
    inherited: &LaneOf,
) {
    let pid = el.attr("id").unwrap_or_default().to_string();
    let first_pending = cx.pending.len();
    // Approximations reported while this scope is built make its workflow's verdict uncertain.
    let outer = cx.d.workflow.replace(wid.clone());
    let mut nodes: Vec<FNode> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut flow_els: Vec<&El> = Vec::new();
    for c in el.children.iter() {
        if c.ns != NS {
            continue;
        }
        let tag = c.name.as_str();
        let id = c.attr("id").unwrap_or_default().to_string();
        if tag == "sequenceFlow" {
            flow_els.push(c);
            continue;
        }
        let known = TASKS.contains(&tag)
            || GATEWAYS.contains(&tag)
            || EVENTS.contains(&tag)
            || CONTAINERS.contains(&tag)
            || tag == "callActivity";
        if !known {
            if DATA.contains(&tag) {
                cx.d.left_out(
                    c.offset,
                    format!("data element <{tag}> `{id}` is left out"),
                    "steg's case data is set by steps (`set:`) and read by rules; data objects are not drawn",
                );
            } else if !IGNORED.contains(&tag) {
                cx.d.unsupported(
                    c.offset,
                    format!("<{tag}> `{id}` is not a BPMN flow element steg knows; left out"),
                    "tasks, events, gateways, sub-processes and sequence flows are imported",
                );
            }
            continue;
        }
        if id.is_empty() {
            cx.d.invalid(c.offset, format!("<{tag}> without an id"));
            continue;
        }
        if !cx.seen_ids.insert(id.clone()) {
            cx.d.invalid(
                c.offset,
                format!("the id `{id}` is used twice; the second element is left out"),
            );
            continue;
        }
        index.insert(id.clone(), nodes.len());
        nodes.push(FNode {
            el: c,
            id,
            tag,
            name: name_of(c),
            defs: defs_of(c, &cx.root_defs),
            ins: Vec::new(),
            outs: Vec::new(),
            boundary: Vec::new(),
            role: Role::Open,
            step: None,
            entry: None,
            wired: false,
        });
    }
    let mut flows: Vec<SFlow> = Vec::new();
    for f in flow_els {
        let id = f.attr("id").unwrap_or_default().to_string();
        let ends = (f.attr("sourceRef"), f.attr("targetRef"));
        let (Some(s), Some(t)) = ends else {
            cx.d.invalid(
                f.offset,
                format!("sequence flow `{id}` lacks sourceRef or targetRef"),
            );
            continue;
        };
        let (Some(&from), Some(&to)) = (index.get(s), index.get(t)) else {
            let missing = if index.contains_key(s) { t } else { s };
            cx.d.invalid(
                f.offset,
                format!("sequence flow `{id}` names `{missing}`, which is not an element of `{pid}`; the flow is left out"),
            );
            continue;
        };
        let cond = f
            .kid("conditionExpression")
            .map(|c| c.text.trim().to_string())
            .filter(|c| !c.is_empty());
        let fi = flows.len();
        flows.push(SFlow {
            el: f,
            id,
            name: name_of(f),
            to,
            cond,
        });
        nodes[from].outs.push(fi);
        nodes[to].ins.push(fi);
    }
    for i in 0..nodes.len() {
        if nodes[i].tag == "boundaryEvent" {
            nodes[i].role = Role::Boundary;
            match nodes[i].el.attr("attachedToRef").and_then(|h| index.get(h)) {
                Some(&h) => nodes[h].boundary.push(i),
                None => {
                    let n = &nodes[i];
                    cx.d.invalid(
                        n.el.offset,
                        format!(
                            "boundary event `{}` is attached to no activity of `{pid}`; left out",
                            n.id
                        ),
                    );
                }
            }
        }
    }
    let mut b = Builder {
        pid: pid.clone(),
        nodes,
        flows,
        steps: Vec::new(),
        ids: Ids::default(),
        lanes,
        inherited,
    };
    b.classify(cx);
    b.parallel_ends(cx);
    b.wire(cx);
    let start = b.start(cx, el);
    cx.d.workflow = outer;
    let wf = IWorkflow {
        id: wid,
        at: el.offset,
        title,
        source: Some(source),
        start,
        steps: b.steps,
    };
    cx.model.workflows.push(wf);
    // Sub-processes' workflows were pushed while wiring; referral indices point at this one.
    let wf_index = cx.model.workflows.len() - 1;
    for p in cx.pending[first_pending..]
        .iter_mut()
        .filter(|p| p.wf == usize::MAX)
    {
        p.wf = wf_index;
    }
}

struct Builder<'a, 'l> {
    pid: String,
    nodes: Vec<FNode<'a>>,
    flows: Vec<SFlow<'a>>,
    steps: Vec<IStep>,
    ids: Ids,
    lanes: &'l Lanes,
    inherited: &'l LaneOf,
}

impl<'a> Builder<'a, '_> {
    /// steg's own element `workflow.step` (no suffix): its step id.
    fn pinned(&self, cx: &Ctx, n: usize) -> Option<String> {
        if !cx.steg {
            return None;
        }
        let rest = self.nodes[n].id.strip_prefix(&format!("{}.", self.pid))?;
        (!rest.contains('-')).then(|| rest.to_string())
    }

    fn new_step(&mut self, cx: &mut Ctx, n: usize, kind: StepKind) -> usize {
        let id = self
            .pinned(cx, n)
            .unwrap_or_else(|| slug(&self.nodes[n].id, "step"));
        let id = self.ids.take(id);
        let node = &self.nodes[n];
        let mut s = IStep::new(id, node.el.offset, kind);
        s.source = Some(cx.d.source("bpmn", &node.id, node.el.offset));
        s.title = node.name.clone().filter(|t| *t != s.id);
        match self.lanes.of.get(&node.id).unwrap_or(self.inherited) {
            LaneOf::Role(r) => s.actor = Some(r.clone()),
            LaneOf::Unit(u) => s.unit = Some(u.clone()),
            LaneOf::None => {}
        }
        if let Some(doc) = node
            .el
            .kid("documentation")
            .map(|d| d.text.trim().to_string())
        {
            doc_into(&mut s, &doc, cx.steg);
        }
        self.nodes[n].role = Role::Step;
        self.nodes[n].step = Some(self.steps.len());
        self.steps.push(s);
        self.steps.len() - 1
    }

    /// A step that no element has: a fork after a join, a split after an activity.
    fn synth(&mut self, cx: &Ctx, near: usize, suffix: &str, kind: StepKind) -> usize {
        let base = self.nodes[near]
            .step
            .map(|s| self.steps[s].id.clone())
            .unwrap_or_else(|| slug(&self.nodes[near].id, "step"));
        let id = self.ids.take(format!("{base}_{suffix}"));
        let node = &self.nodes[near];
        let mut s = IStep::new(id, node.el.offset, kind);
        s.source = Some(cx.d.source("bpmn", &node.id, node.el.offset));
        self.steps.push(s);
        self.steps.len() - 1
    }

    fn def(&self, n: usize, kind: &str) -> bool {
        self.nodes[n].defs.iter().any(|(k, _)| *k == kind)
    }

    /// Decide what every element becomes.
    fn classify(&mut self, cx: &mut Ctx) {
        // Pinned steps first so their ids are theirs.
        let mut order: Vec<usize> = (0..self.nodes.len()).collect();
        order.sort_by_key(|&n| self.pinned(cx, n).is_none());
        // Event-based gateways absorb the catch events after them.
        for &n in &order {
            if self.nodes[n].tag != "eventBasedGateway" {
                continue;
            }
            for &f in &self.nodes[n].outs.clone() {
                let t = self.flows[f].to;
                let catch = matches!(self.nodes[t].tag, "intermediateCatchEvent" | "receiveTask");
                if catch && self.nodes[t].ins.len() == 1 && self.nodes[t].boundary.is_empty() {
                    self.nodes[t].role = Role::Absorbed;
                }
            }
        }
        // A send task to a collapsed pool takes the answers from it that come right after.
        for &n in &order {
            let Some(unit) = self.unit_of_send(cx, n) else {
                continue;
            };
            if let Some((gateway, catches)) = self.answer_catches(cx, n, &unit) {
                for c in gateway.into_iter().chain(catches) {
                    self.nodes[c].role = Role::Absorbed;
                }
            }
        }
        for &n in &order {
            if self.nodes[n].role != Role::Open {
                continue;
            }
            let node = &self.nodes[n];
            let (ins, outs) = (node.ins.len(), node.outs.len());
            let pinned = self.pinned(cx, n).is_some();
            let (tag, id, offset) = (node.tag, node.id.clone(), node.el.offset);
            match tag {
                "startEvent" => self.nodes[n].role = Role::Start,
                "exclusiveGateway" | "complexGateway" => {
                    if tag == "complexGateway" {
                        cx.d.unsupported(
                            offset,
                            format!("complex gateway `{id}` is imported as an exclusive gateway"),
                            "steg has exclusive choices (`next` with conditions) and forks; split the rule into those",
                        );
                    }
                    if outs == 1 && !pinned && ins >= 2 && self.merges_into_join(n) {
                        // Kept as a step: the join after it counts the branches that meet
                        // here as one input, as BPMN's merge does.
                        let s = self.new_step(cx, n, StepKind::Task);
                        self.steps[s].description = Some(
                            "An exclusive merge before a join: the branches that meet here are one input of the join."
                                .to_string(),
                        );
                    } else if outs == 1 && !pinned {
                        self.nodes[n].role = Role::Pass;
                    } else if outs <= 1 {
                        self.new_step(cx, n, StepKind::Task);
                    }
                    // Splitting gateways are decided in `wire`, once their neighbours are.
                }
                "inclusiveGateway" if outs >= 2 && ins <= 1 && !pinned => {
                    // An inclusive split: a choice among the combinations of branches.
                    self.new_step(cx, n, StepKind::Wait);
                }
                "parallelGateway" | "inclusiveGateway" => {
                    if tag == "inclusiveGateway" && ins >= 2 {
                        cx.d.unsupported(
                            offset,
                            format!(
                                "inclusive gateway `{id}` merges: BPMN waits for the branches that can still arrive, steg's join for every branch{}",
                                if outs >= 2 { ", and every branch after it is taken" } else { "" }
                            ),
                            "steg cannot wait for \"the branches that were taken\"; model the combinations as a choice of forks, each with its own join",
                        );
                    }
                    if outs >= 2 && ins <= 1 {
                        self.new_step(cx, n, StepKind::Fork);
                    } else if ins >= 2 || pinned {
                        self.new_step(cx, n, StepKind::Join);
                    } else {
                        self.nodes[n].role = Role::Pass;
                    }
                }
                "eventBasedGateway" => {
                    self.new_step(cx, n, StepKind::Wait);
                }
                "intermediateThrowEvent" if self.def(n, "link") => self.nodes[n].role = Role::Pass,
                "intermediateCatchEvent" if self.def(n, "link") => self.nodes[n].role = Role::Pass,
                "intermediateCatchEvent" | "receiveTask" => {
                    self.new_step(cx, n, StepKind::Wait);
                }
                "intermediateThrowEvent" => {
                    self.new_step(cx, n, StepKind::Task);
                }
                "endEvent" => {
                    self.new_step(cx, n, StepKind::End);
                }
                "callActivity" | "subProcess" | "transaction" => {
                    if self.nodes[n].el.attr("isForCompensation") == Some("true") {
                        self.drop_compensation(cx, n);
                        continue;
                    }
                    if tag != "callActivity"
                        && self.nodes[n].el.attr("triggeredByEvent") == Some("true")
                    {
                        self.nodes[n].role = Role::Dropped;
                        cx.d.unsupported(
                            offset,
                            format!("event sub-process `{id}` is left out"),
                            "steg has no event sub-processes; model the event as a trigger of the wait steps it can interrupt",
                        );
                        continue;
                    }
                    if tag != "callActivity" && !has_flow_nodes(self.nodes[n].el) {
                        // A collapsed sub-process: an activity like a task.
                        let waits = self.nodes[n]
                            .boundary
                            .iter()
                            .any(|&b| !self.def(b, "compensate"));
                        let kind = if waits {
                            StepKind::Wait
                        } else {
                            StepKind::Task
                        };
                        self.new_step(cx, n, kind);
                    } else {
                        if tag == "transaction" {
                            cx.d.unsupported(
                                offset,
                                format!("transaction `{id}` is imported as a plain sub-process"),
                                "steg has no compensation or cancellation; the transaction's content is kept",
                            );
                        }
                        let s = self.new_step(cx, n, StepKind::Referral);
                        self.boundary_wait(cx, n, s);
                    }
                }
                "adHocSubProcess" => {
                    cx.d.unsupported(
                        offset,
                        format!("ad-hoc sub-process `{id}` is imported as one task; its content is left out"),
                        "steg steps follow each other; list the activities as steps in an order",
                    );
                    self.new_step(cx, n, StepKind::Task);
                }
                _ => {
                    // Tasks.
                    if self.nodes[n].el.attr("isForCompensation") == Some("true") {
                        self.drop_compensation(cx, n);
                        continue;
                    }
                    let kind = if self.nodes[n]
                        .boundary
                        .iter()
                        .any(|&b| !self.def(b, "compensate"))
                    {
                        StepKind::Wait
                    } else if self.unit_of_send(cx, n).is_some() {
                        StepKind::Referral
                    } else if cx.steg && self.steg_decision(n) {
                        StepKind::Decision
                    } else {
                        StepKind::Task
                    };
                    self.new_step(cx, n, kind);
                }
            }
            let node = &self.nodes[n];
            let looped = node.el.children.iter().find(|c| {
                c.name == "standardLoopCharacteristics"
                    || c.name == "multiInstanceLoopCharacteristics"
            });
            if let Some(l) = looped {
                cx.d.unsupported(
                    l.offset,
                    format!(
                        "`{}` repeats (<{}>); imported as running once",
                        node.id, l.name
                    ),
                    "model the repetition as a loop back to the step, with a condition or a wait",
                );
            }
        }
    }

    /// Whether the single flow out of merging gateway `n` reaches a parallel or inclusive join,
    /// through other exclusive merges.
    fn merges_into_join(&self, n: usize) -> bool {
        let mut at = n;
        for _ in 0..self.nodes.len() {
            let [f] = self.nodes[at].outs[..] else {
                return false;
            };
            let t = self.flows[f].to;
            let node = &self.nodes[t];
            match node.tag {
                "parallelGateway" | "inclusiveGateway" if node.ins.len() >= 2 => return true,
                "exclusiveGateway" if node.outs.len() == 1 => at = t,
                _ => return false,
            }
        }
        false
    }

    /// Boundary events that are not errors or escalations on the sub-process or call activity
    /// `n` (referral step `s`): a referral cannot be interrupted, so the event is imported as
    /// one that may come before the referral starts, in a wait step cases enter first. Its
    /// path is reachable; that it cannot come while the referral runs is reported (S005).
    fn boundary_wait(&mut self, cx: &mut Ctx, n: usize, s: usize) {
        let interrupting: Vec<usize> = self.nodes[n]
            .boundary
            .iter()
            .copied()
            .filter(|&b| {
                !matches!(
                    self.nodes[b].defs.first().map(|(k, _)| *k),
                    Some("error" | "escalation" | "compensate")
                )
            })
            .collect();
        if interrupting.is_empty() {
            return;
        }
        let w = self.synth(cx, n, "or_event", StepKind::Wait);
        self.steps[w].at = self.steps[s].at;
        self.nodes[n].entry = Some(w);
        for b in interrupting {
            let node = &self.nodes[b];
            cx.d.unsupported(
                node.el.offset,
                format!(
                    "boundary event `{}` on `{}`: steg cannot interrupt a referral; imported as an event that may come before `{}` starts (its path is reachable, but not while `{}` runs)",
                    node.id, self.nodes[n].id, self.nodes[n].id, self.nodes[n].id
                ),
                "model the event as a trigger of a wait step inside the called process",
            );
        }
    }

    /// Ends of branches that other branches may still be running beside (BPMN ends only the
    /// branch there; a steg `end` ends the case): reported (S005), so the workflow's verdict is
    /// not decided. Terminate end events end the whole process, as steg's `end` does.
    fn parallel_ends(&mut self, cx: &mut Ctx) {
        if cx.steg {
            return;
        }
        let count = self.nodes.len();
        let mut seen = vec![false; count];
        let mut stack: Vec<usize> = Vec::new();
        for n in 0..count {
            let node = &self.nodes[n];
            let splits = match node.tag {
                "parallelGateway" | "inclusiveGateway" => node.outs.len() >= 2,
                "exclusiveGateway" | "complexGateway" | "eventBasedGateway" => false,
                _ => {
                    node.outs.len() >= 2
                        || node
                            .boundary
                            .iter()
                            .any(|&b| self.nodes[b].el.attr("cancelActivity") == Some("false"))
                }
            };
            if splits {
                stack.extend(node.outs.iter().map(|&f| self.flows[f].to));
            }
        }
        let mut report: Vec<usize> = Vec::new();
        while let Some(t) = stack.pop() {
            if std::mem::replace(&mut seen[t], true) {
                continue;
            }
            let node = &self.nodes[t];
            if matches!(node.tag, "parallelGateway" | "inclusiveGateway") && node.ins.len() >= 2 {
                continue;
            }
            let ends = match node.tag {
                "endEvent" => !node.defs.iter().any(|(k, _)| *k == "terminate"),
                "startEvent" => false,
                t if GATEWAYS.contains(&t) => false,
                _ => node.outs.is_empty() && node.role != Role::Dropped,
            };
            if ends {
                report.push(t);
            }
            stack.extend(node.outs.iter().map(|&f| self.flows[f].to));
            stack.extend(node.boundary.iter().copied());
        }
        report.sort_unstable();
        for t in report {
            let node = &self.nodes[t];
            cx.d.unsupported(
                node.el.offset,
                format!(
                    "`{}` ends a branch that may run beside others: in BPMN it ends only that branch, while a steg `end` ends the case",
                    node.id
                ),
                "join the parallel branches before one end, or make it a terminate end event if the case should end here",
            );
        }
    }

    /// An activity or event with no outgoing flow ends its path (BPMN 2.0, §13.2): an `end`
    /// step after it.
    fn implicit_end(&mut self, cx: &mut Ctx, n: usize) -> Option<String> {
        let node = &self.nodes[n];
        let ends = !node.tag.ends_with("Gateway") && node.tag != "endEvent";
        if !ends {
            return None;
        }
        let outcome = slug(node.name.as_deref().unwrap_or(&node.id), "outcome");
        let id = node.id.clone();
        let s = self.synth(cx, n, "end", StepKind::End);
        self.steps[s].outcome = Some(outcome);
        self.steps[s].description = Some(format!(
            "Implicit end: bpmn:{id} has no outgoing flow, so its path ends after it."
        ));
        Some(self.steps[s].id.clone())
    }

    /// The flows out of `n` as BPMN's inclusive split (an inclusive gateway, or an activity
    /// with conditional flows): every flow whose condition holds is taken, flows without one
    /// always, the default only when no condition holds. A free choice (wait step `s`, or one
    /// made here) among those combinations, each a fork of its branches. The step a case
    /// enters.
    fn or_split(&mut self, cx: &mut Ctx, n: usize, s: Option<usize>) -> Option<String> {
        let node = &self.nodes[n];
        let default = node.el.attr("default");
        let (mut always, mut conditional, mut dflt) = (Vec::new(), Vec::new(), None);
        for &f in &node.outs {
            let flow = &self.flows[f];
            if default == Some(flow.id.as_str()) {
                dflt = Some(f);
            } else if flow.cond.as_deref().is_some_and(|c| c != "true") {
                conditional.push(f);
            } else {
                always.push(f);
            }
        }
        if conditional.len() > 4 {
            let s = match s {
                Some(s) => s,
                None => self.synth(cx, n, "choice", StepKind::Wait),
            };
            cx.d.unsupported(
                self.nodes[n].el.offset,
                format!("`{}` takes any combination of {} conditional branches; imported as a free choice of one of them", self.nodes[n].id, conditional.len()),
                "split the choice into fewer conditions, or into exclusive choices and forks",
            );
            self.free_choice(cx, n, s);
            return Some(self.steps[s].id.clone());
        }
        let mut options: Vec<Vec<usize>> = Vec::new();
        for mask in 1u32..(1 << conditional.len()) {
            let mut o = always.clone();
            o.extend(
                (0..conditional.len())
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| conditional[i]),
            );
            options.push(o);
        }
        match dflt {
            Some(d) => {
                let mut o = always.clone();
                o.push(d);
                options.push(o);
            }
            None if !always.is_empty() => options.push(always.clone()),
            None => {}
        }
        let bpmn_id = self.nodes[n].id.clone();
        let mut targets: Vec<(Vec<usize>, String)> = Vec::new();
        for (k, o) in options.iter().enumerate() {
            let to = if let [f] = o[..] {
                self.entry(cx, self.flows[f].to)
            } else {
                let fork = self.synth(cx, n, &format!("all{}", k + 1), StepKind::Fork);
                for &f in o {
                    if let Some(to) = self.entry(cx, self.flows[f].to) {
                        self.steps[fork].next.push(INext {
                            to,
                            cond: ICond::Always,
                            title: None,
                        });
                    }
                }
                Some(self.steps[fork].id.clone())
            };
            if let Some(to) = to {
                targets.push((o.clone(), to));
            }
        }
        if s.is_none() {
            if let [(_, to)] = &targets[..] {
                return Some(to.clone());
            }
        }
        let s = match s {
            Some(s) => s,
            None => self.synth(cx, n, "choice", StepKind::Wait),
        };
        let sid = self.steps[s].id.clone();
        for (o, to) in targets {
            let labels: Vec<String> = o
                .iter()
                .map(|&f| {
                    let flow = &self.flows[f];
                    flow.name
                        .as_deref()
                        .map_or_else(|| slug(&flow.id, "branch"), |x| slug(x, "branch"))
                })
                .collect();
            let event = format!("{sid}_{}", labels.join("_and_"));
            let described: Vec<String> = o
                .iter()
                .map(|&f| {
                    let flow = &self.flows[f];
                    match (&flow.cond, dflt == Some(f)) {
                        (_, true) => format!("{} (the default: no condition holds)", flow.id),
                        (Some(c), _) if c != "true" => format!("{} (condition {c:?})", flow.id),
                        _ => format!("{} (always)", flow.id),
                    }
                })
                .collect();
            cx.model.events.entry(event.clone()).or_insert_with(|| {
                format!(
                    "Inclusive choice at bpmn:{bpmn_id}: the branches {} are taken. The model does not say when.",
                    described.join(", ")
                )
            });
            let source = Some(format!(
                "bpmn:{}",
                o.iter()
                    .map(|&f| self.flows[f].id.as_str())
                    .collect::<Vec<_>>()
                    .join("+")
            ));
            self.steps[s].on.push(IOn {
                trig: ITrig::Event(event),
                to,
                source,
            });
        }
        Some(sid)
    }

    /// steg's export draws a decision with one way on as a task; its documentation still
    /// names the decision's legal basis, which only decisions have.
    fn steg_decision(&self, n: usize) -> bool {
        self.nodes[n]
            .el
            .kid("documentation")
            .is_some_and(|d| d.text.lines().any(|l| l.starts_with("legal basis: ")))
    }

    fn drop_compensation(&mut self, cx: &mut Ctx, n: usize) {
        self.nodes[n].role = Role::Dropped;
        let node = &self.nodes[n];
        cx.d.unsupported(
            node.el.offset,
            format!("compensation activity `{}` is left out", node.id),
            "steg has no compensation; model undoing work as steps on the path that needs it",
        );
    }

    /// The unit a send task refers a case to: a message flow into a collapsed pool.
    fn unit_of_send(&self, cx: &Ctx, n: usize) -> Option<String> {
        let node = &self.nodes[n];
        if node.tag != "sendTask" {
            return None;
        }
        cx.mf_out
            .get(&node.id)?
            .iter()
            .find_map(|(t, _)| cx.black_boxes.get(t).cloned())
    }

    /// The step a case enters when it reaches element `n`.
    fn entry(&mut self, cx: &mut Ctx, n: usize) -> Option<String> {
        let mut n = n;
        let mut seen = HashSet::new();
        loop {
            if !seen.insert(n) {
                let node = &self.nodes[n];
                cx.d.unsupported(
                    node.el.offset,
                    format!("a cycle of gateways with no activity in it passes through `{}`; imported as a task", node.id),
                    "put an activity in the loop",
                );
                let s = self.new_step(cx, n, StepKind::Task);
                return Some(self.steps[s].id.clone());
            }
            let node = &self.nodes[n];
            match node.role {
                Role::Step => return node.entry.or(node.step).map(|s| self.steps[s].id.clone()),
                Role::Pass => {
                    if node.tag.ends_with("ThrowEvent") {
                        // A link throw goes on at the link catch whose link event definition
                        // has the same name.
                        let name = link_name(node);
                        match self.nodes.iter().position(|c| {
                            c.tag == "intermediateCatchEvent"
                                && c.defs.iter().any(|(k, _)| *k == "link")
                                && link_name(c) == name
                        }) {
                            Some(c) => {
                                n = c;
                                continue;
                            }
                            None => {
                                cx.d.invalid(
                                    node.el.offset,
                                    format!(
                                        "link event `{}` has no catching link event named {:?}",
                                        node.id,
                                        name.unwrap_or_default()
                                    ),
                                );
                                return None;
                            }
                        }
                    }
                    let f = *node.outs.first()?;
                    n = self.flows[f].to;
                }
                Role::Open => {
                    // A splitting exclusive gateway not folded into a task: a step of its own.
                    let s = self.gateway_step(cx, n);
                    return Some(self.steps[s].id.clone());
                }
                Role::Start | Role::Boundary | Role::Absorbed | Role::Dropped => return None,
            }
        }
    }

    /// The conditions of a splitting exclusive gateway's flows, when all are known: steg
    /// conditions (`rule.NAME`, steg's own export), `true`, or the default flow (`else`, last).
    fn known_conditions(&self, cx: &Ctx, n: usize) -> Option<Vec<(usize, ICond)>> {
        let node = &self.nodes[n];
        let default = node.el.attr("default");
        let mut out = Vec::new();
        let mut last = None;
        for &f in &node.outs {
            let flow = &self.flows[f];
            if default == Some(flow.id.as_str()) {
                last = Some((f, ICond::Else));
                continue;
            }
            let c = flow.cond.as_deref()?;
            let cond = if c == "true" {
                ICond::Always
            } else if cx.steg || crate::model::rule_name(c).is_some() {
                ICond::When(c.to_string())
            } else {
                return None;
            };
            out.push((f, cond));
        }
        out.extend(last);
        Some(out)
    }

    /// The label steg's export writes on a flow; a name that differs is the transition's title.
    fn title_of(&self, f: usize, cond: &ICond) -> Option<String> {
        let name = self.flows[f].name.clone()?;
        let label = match cond {
            ICond::Always => "always".to_string(),
            ICond::When(c) => crate::model::rule_name(c).unwrap_or(c).to_string(),
            ICond::Else => "else".to_string(),
        };
        (name != label).then_some(name)
    }

    /// A splitting exclusive gateway that is a step: a decision when its conditions are known,
    /// else a free choice.
    fn gateway_step(&mut self, cx: &mut Ctx, n: usize) -> usize {
        let kind = if self.known_conditions(cx, n).is_some() {
            StepKind::Decision
        } else {
            StepKind::Wait
        };
        let s = self.new_step(cx, n, kind);
        self.nodes[n].wired = true;
        if kind == StepKind::Decision {
            let conds = self.known_conditions(cx, n).unwrap_or_default();
            self.steps[s].next = self.choice(cx, &conds);
        } else {
            self.free_choice(cx, n, s);
        }
        s
    }

    fn choice(&mut self, cx: &mut Ctx, conds: &[(usize, ICond)]) -> Vec<INext> {
        let mut next = Vec::new();
        for (f, cond) in conds {
            let title = self.title_of(*f, cond);
            if let Some(to) = self.entry(cx, self.flows[*f].to) {
                next.push(INext {
                    to,
                    cond: cond.clone(),
                    title,
                });
            }
        }
        next
    }

    /// Element `n`'s outgoing flows as a wait step `s` with one named event per branch.
    fn free_choice(&mut self, cx: &mut Ctx, n: usize, s: usize) {
        let sid = self.steps[s].id.clone();
        let bpmn_id = self.nodes[n].id.clone();
        let question = self.nodes[n].name.clone();
        for f in self.nodes[n].outs.clone() {
            let Some(to) = self.entry(cx, self.flows[f].to) else {
                continue;
            };
            let flow = &self.flows[f];
            let label = flow
                .name
                .as_deref()
                .map_or_else(|| to.clone(), |n| slug(n, "branch"));
            let event = format!("{sid}_{label}");
            let mut desc = format!(
                "Free choice at bpmn:{bpmn_id}{}: the branch {}to `{to}`. The model does not say when it is taken",
                question.as_ref().map(|q| format!(" ({q})")).unwrap_or_default(),
                flow.name.as_ref().map(|n| format!("{n:?} ")).unwrap_or_default(),
            );
            match &flow.cond {
                Some(c) => {
                    desc.push_str(&format!(" (its condition, not in steg's language: {c:?})"))
                }
                None => desc.push('.'),
            }
            cx.model.events.entry(event.clone()).or_insert(desc);
            let source = Some(format!("bpmn:{}", flow.id));
            self.steps[s].on.push(IOn {
                trig: ITrig::Event(event),
                to,
                source,
            });
        }
    }

    /// Where a case goes after element `n`: one flow's target; several flows are a fork
    /// (`_split`), or a free choice (`_choice`) when they have conditions.
    fn continuation(&mut self, cx: &mut Ctx, n: usize) -> Option<String> {
        let outs = self.nodes[n].outs.clone();
        match outs.as_slice() {
            [] => self.implicit_end(cx, n),
            [f] => {
                if let Some(c) = self.flows[*f].cond.clone() {
                    let node = &self.nodes[n];
                    if !(cx.steg || crate::model::rule_name(&c).is_some()) {
                        cx.d.unsupported(
                            self.flows[*f].el.offset,
                            format!("the condition {c:?} of flow `{}` out of `{}` is not in steg's language; the flow is taken always", self.flows[*f].id, node.id),
                            "write the condition as a rule (`rule.NAME`) on a decision",
                        );
                    }
                }
                self.entry(cx, self.flows[*f].to)
            }
            _ => {
                let conditional = outs.iter().any(|&f| {
                    self.flows[f].cond.as_deref().is_some_and(|c| c != "true")
                        || self.nodes[n].el.attr("default") == Some(self.flows[f].id.as_str())
                });
                if conditional && !cx.steg {
                    // Conditional flows out of an activity: an inclusive split.
                    self.or_split(cx, n, None)
                } else if conditional {
                    let s = self.synth(cx, n, "choice", StepKind::Wait);
                    self.free_choice(cx, n, s);
                    Some(self.steps[s].id.clone())
                } else {
                    let s = self.synth(cx, n, "split", StepKind::Fork);
                    for f in outs {
                        if let Some(to) = self.entry(cx, self.flows[f].to) {
                            self.steps[s].next.push(INext {
                                to,
                                cond: ICond::Always,
                                title: None,
                            });
                        }
                    }
                    Some(self.steps[s].id.clone())
                }
            }
        }
    }

    /// The single next step of `n`, as a transition list.
    fn next_of(&mut self, cx: &mut Ctx, n: usize) -> Vec<INext> {
        // A splitting exclusive gateway right after `n` folds into `n`'s `next`.
        if let [f] = self.nodes[n].outs.as_slice() {
            let g = self.flows[*f].to;
            let gnode = &self.nodes[g];
            if gnode.tag == "exclusiveGateway"
                && self.pinned(cx, g).is_none()
                && gnode.role == Role::Open
                && gnode.ins.len() == 1
                && gnode.outs.len() >= 2
            {
                if let Some(conds) = self.known_conditions(cx, g) {
                    self.nodes[g].role = Role::Absorbed;
                    return self.choice(cx, &conds);
                }
            }
        }
        self.continuation(cx, n)
            .map(|to| {
                let cond = match self.nodes[n].outs.as_slice() {
                    [f] => match &self.flows[*f].cond {
                        Some(c) if cx.steg || crate::model::rule_name(c).is_some() => {
                            ICond::When(c.clone())
                        }
                        _ => ICond::Always,
                    },
                    _ => ICond::Always,
                };
                let title = match (&cond, self.nodes[n].outs.as_slice()) {
                    (ICond::When(_), [f]) => self.title_of(*f, &cond),
                    _ => None,
                };
                vec![INext { to, cond, title }]
            })
            .unwrap_or_default()
    }

    /// A catch event's (or receive task's, or boundary event's) trigger.
    fn trigger(&self, cx: &mut Ctx, n: usize, host: Option<&str>) -> ITrig {
        let node = &self.nodes[n];
        let id = node.id.clone();
        let base = host.map_or_else(|| slug(&id, "event"), |h| h.to_string());
        let named = |cx: &mut Ctx, name: String, desc: String| {
            let e = slug(&name, "event");
            cx.model.events.entry(e.clone()).or_insert(desc);
            ITrig::Event(e)
        };
        if node.defs.len() > 1 {
            cx.d.unsupported(
                node.el.offset,
                format!("`{id}` has {} event definitions; only the first is imported", node.defs.len()),
                "steg waits for one event or timer per trigger; list the others as triggers of their own",
            );
        }
        let Some(&(kind, def)) = node.defs.first() else {
            // A receive task, or a catch event without definition.
            let msg = node
                .el
                .attr("messageRef")
                .map(|m| cx.messages.get(m).cloned().unwrap_or_else(|| m.to_string()))
                .or_else(|| {
                    cx.mf_in
                        .get(&id)
                        .and_then(|l| l.iter().find_map(|(_, m)| m.clone()))
                })
                .or_else(|| node.name.clone())
                .unwrap_or_else(|| id.clone());
            let desc = format!("Message {msg:?} (bpmn:{id})");
            return named(cx, msg, desc);
        };
        let r = |a: &str| def.attr(a).map(str::to_string);
        match kind {
            "message" => {
                let msg = r("messageRef")
                    .map(|m| cx.messages.get(m.as_str()).cloned().unwrap_or(m))
                    .or_else(|| {
                        cx.mf_in
                            .get(&id)
                            .and_then(|l| l.iter().find_map(|(_, m)| m.clone()))
                    })
                    .or_else(|| node.name.clone())
                    .unwrap_or_else(|| format!("{base}_message"));
                named(cx, msg.clone(), format!("Message {msg:?} (bpmn:{id})"))
            }
            "signal" => {
                let sig = r("signalRef")
                    .map(|m| cx.signals.get(m.as_str()).cloned().unwrap_or(m))
                    .or_else(|| node.name.clone())
                    .unwrap_or_else(|| format!("{base}_signal"));
                named(cx, sig.clone(), format!("Signal {sig:?} (bpmn:{id})"))
            }
            "error" | "escalation" => {
                let table = if kind == "error" {
                    &cx.errors
                } else {
                    &cx.escalations
                };
                let attr = if kind == "error" {
                    "errorRef"
                } else {
                    "escalationRef"
                };
                let what = r(attr)
                    .map(|m| table.get(m.as_str()).cloned().unwrap_or(m))
                    .unwrap_or_else(|| format!("{base}_{kind}"));
                named(
                    cx,
                    format!("{base}_{what}"),
                    format!("The {kind} {what:?} (bpmn:{id})"),
                )
            }
            "conditional" => {
                let cond = def
                    .kid("condition")
                    .map(|c| c.text.trim().to_string())
                    .unwrap_or_default();
                let name = node
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("{base}_condition"));
                named(
                    cx,
                    name,
                    format!("The condition {cond:?} becomes true (bpmn:{id})"),
                )
            }
            "timer" => {
                let (tag, text) = ["timeDuration", "timeCycle", "timeDate"]
                    .iter()
                    .find_map(|t| def.kid(t).map(|e| (*t, e.text.trim().to_string())))
                    .unwrap_or(("", String::new()));
                let parsed = match tag {
                    "timeDuration" => iso(&text).map(ITrig::After),
                    "timeCycle" => {
                        let period = text
                            .strip_prefix('R')
                            .and_then(|r| r.split_once('/'))
                            .map_or(text.as_str(), |(_, p)| p.rsplit('/').next().unwrap_or(p));
                        iso(period).map(ITrig::Every)
                    }
                    _ => None,
                };
                match parsed {
                    Some(t) => t,
                    None => {
                        cx.d.unsupported(
                            def.offset,
                            format!("timer `{id}` ({}) is not a duration in days, weeks, months or years; imported as an event", if text.is_empty() { "no expression".to_string() } else { format!("{tag} {text:?}") }),
                            "steg timers are `after:` or `every:` durations such as P14D or P3M",
                        );
                        named(
                            cx,
                            format!("{base}_timer"),
                            format!("The timer of bpmn:{id} fires ({tag} {text:?})"),
                        )
                    }
                }
            }
            other => {
                cx.d.unsupported(
                    def.offset,
                    format!("{other} event `{id}` is imported as a named event"),
                    "steg waits for named events and timers",
                );
                named(
                    cx,
                    format!("{base}_{other}"),
                    format!("The {other} event bpmn:{id}"),
                )
            }
        }
    }

    /// Set every step's ways out.
    fn wire(&mut self, cx: &mut Ctx) {
        for n in 0..self.nodes.len() {
            let Some(s) = self.nodes[n].step else {
                continue;
            };
            if self.nodes[n].role != Role::Step || self.nodes[n].wired {
                continue;
            }
            self.nodes[n].wired = true;
            let kind = self.steps[s].kind;
            let tag = self.nodes[n].tag;
            match (kind, tag) {
                (StepKind::End, _) => self.end(cx, n, s),
                (StepKind::Fork, _) => {
                    for f in self.nodes[n].outs.clone() {
                        if let Some(to) = self.entry(cx, self.flows[f].to) {
                            self.steps[s].next.push(INext {
                                to,
                                cond: ICond::Always,
                                title: None,
                            });
                        }
                    }
                }
                (StepKind::Join, _) if self.nodes[n].outs.len() >= 2 => {
                    let fork = self.synth(cx, n, "split", StepKind::Fork);
                    let fid = self.steps[fork].id.clone();
                    self.steps[s].next.push(INext {
                        to: fid,
                        cond: ICond::Always,
                        title: None,
                    });
                    for f in self.nodes[n].outs.clone() {
                        if let Some(to) = self.entry(cx, self.flows[f].to) {
                            self.steps[fork].next.push(INext {
                                to,
                                cond: ICond::Always,
                                title: None,
                            });
                        }
                    }
                }
                (StepKind::Wait, "eventBasedGateway") => {
                    for f in self.nodes[n].outs.clone() {
                        let t = self.flows[f].to;
                        if self.nodes[t].role == Role::Absorbed {
                            let trig = self.trigger(cx, t, None);
                            let to = self.continuation(cx, t);
                            let source = Some(cx.d.source(
                                "bpmn",
                                &self.nodes[t].id.clone(),
                                self.nodes[t].el.offset,
                            ));
                            if let Some(to) = to {
                                self.steps[s].on.push(IOn { trig, to, source });
                            }
                        } else {
                            let node = &self.nodes[t];
                            cx.d.unsupported(
                                self.flows[f].el.offset,
                                format!("event-based gateway `{}` leads to `{}`, which is not a catch event with this one way in; imported as a named event", self.nodes[n].id, node.id),
                                "after an event-based gateway, put message, timer, signal or conditional catch events",
                            );
                            let e = format!("{}_{}", self.steps[s].id, slug(&node.id, "event"));
                            cx.model
                                .events
                                .entry(e.clone())
                                .or_insert_with(|| format!("Reaching bpmn:{}", node.id));
                            if let Some(to) = self.entry(cx, t) {
                                self.steps[s].on.push(IOn {
                                    trig: ITrig::Event(e),
                                    to,
                                    source: None,
                                });
                            }
                        }
                    }
                }
                (StepKind::Wait, "intermediateCatchEvent" | "receiveTask")
                    if self.nodes[n].boundary.is_empty() =>
                {
                    let trig = self.trigger(cx, n, None);
                    if cx.steg {
                        // steg's export names a one-trigger wait "title: trigger".
                        let label = match &trig {
                            ITrig::Event(e) => e.clone(),
                            ITrig::After(d) => format!("after {d}"),
                            ITrig::Every(d) => format!("every {d}"),
                        };
                        let t = self.steps[s].title.take();
                        self.steps[s].title = t.and_then(|t| {
                            if t == label {
                                None
                            } else {
                                Some(
                                    t.strip_suffix(&format!(": {label}"))
                                        .unwrap_or(&t)
                                        .to_string(),
                                )
                            }
                        });
                    }
                    if let Some(to) = self.continuation(cx, n) {
                        self.steps[s].on.push(IOn {
                            trig,
                            to,
                            source: None,
                        });
                    }
                }
                (StepKind::Wait, "inclusiveGateway") => {
                    self.or_split(cx, n, Some(s));
                }
                (StepKind::Wait, _) => self.with_boundary(cx, n, s),
                (StepKind::Referral, _) => self.referral(cx, n, s),
                (StepKind::Decision, "exclusiveGateway" | "complexGateway") => {
                    let conds = self.known_conditions(cx, n).unwrap_or_default();
                    self.steps[s].next = self.choice(cx, &conds);
                }
                _ => {
                    // task, join: one way on, or a folded choice.
                    if tag == "sendTask" || tag == "intermediateThrowEvent" {
                        self.emits(cx, n, s);
                    }
                    if tag == "intermediateThrowEvent" {
                        for (k, def) in self.nodes[n].defs.clone() {
                            if !matches!(k, "message" | "signal") {
                                cx.d.unsupported(
                                    def.offset,
                                    format!("{k} throw event `{}` is imported as a task", self.nodes[n].id),
                                    "steg raises named events (`emits:`); escalation and compensation have no counterpart",
                                );
                            }
                        }
                    }
                    let next = self.next_of(cx, n);
                    self.steps[s].next = next;
                }
            }
            // Message flows into a plain activity (not a catch) carry nothing steg can show.
            if matches!(
                kind,
                StepKind::Task | StepKind::Decision | StepKind::Fork | StepKind::Join
            ) && !matches!(tag, "receiveTask")
                && cx.mf_in.contains_key(&self.nodes[n].id)
                && !cx.steg
            {
                let node = &self.nodes[n];
                cx.d.unsupported(
                    node.el.offset,
                    format!(
                        "the message flow into `{}` is left out: the step does not wait for it",
                        node.id
                    ),
                    "make it a receive task or put a message catch event before it",
                );
            }
        }
        // Splitting exclusive gateways nobody reached yet (e.g. after a start event).
        for n in 0..self.nodes.len() {
            if self.nodes[n].role == Role::Open {
                self.gateway_step(cx, n);
            }
        }
    }

    fn emits(&mut self, cx: &mut Ctx, n: usize, s: usize) {
        let node = &self.nodes[n];
        let msg = node
            .el
            .attr("messageRef")
            .map(|m| cx.messages.get(m).cloned().unwrap_or_else(|| m.to_string()))
            .or_else(|| {
                node.defs.iter().find_map(|(k, d)| match *k {
                    "message" => d
                        .attr("messageRef")
                        .map(|m| cx.messages.get(m).cloned().unwrap_or_else(|| m.to_string())),
                    "signal" => d
                        .attr("signalRef")
                        .map(|m| cx.signals.get(m).cloned().unwrap_or_else(|| m.to_string())),
                    _ => None,
                })
            })
            .or_else(|| {
                cx.mf_out
                    .get(&node.id)
                    .and_then(|l| l.iter().find_map(|(_, m)| m.clone()))
            });
        let msg = match msg {
            Some(m) => m,
            None if node.tag == "sendTask" || !node.defs.is_empty() => {
                node.name.clone().unwrap_or_else(|| node.id.clone())
            }
            None => return,
        };
        if node
            .defs
            .iter()
            .all(|(k, _)| matches!(*k, "message" | "signal"))
        {
            let e = slug(&msg, "event");
            cx.model
                .events
                .entry(e.clone())
                .or_insert_with(|| format!("Message {msg:?} (bpmn:{})", node.id));
            self.steps[s].emits = Some(e);
        }
    }

    fn end(&mut self, cx: &mut Ctx, n: usize, s: usize) {
        let node = &self.nodes[n];
        let mut outcome = node.name.clone();
        for (k, d) in &node.defs {
            match *k {
                "error" | "escalation" => {
                    let (table, attr) = if *k == "error" { (&cx.errors, "errorRef") } else { (&cx.escalations, "escalationRef") };
                    if let Some(e) = d.attr(attr) {
                        outcome = Some(table.get(e).cloned().unwrap_or_else(|| e.to_string()));
                    }
                }
                "message" | "signal" | "terminate" => {}
                other => cx.d.unsupported(
                    d.offset,
                    format!("{other} end event `{}` is imported as a plain end", node.id),
                    "steg ends a case with an outcome; compensation and cancellation have no counterpart",
                ),
            }
        }
        let outcome = slug(outcome.as_deref().unwrap_or(&node.id), "outcome");
        if node.defs.iter().any(|(k, _)| *k == "terminate") {
            if let Some(w) = &cx.d.workflow {
                cx.d.terminating.push(format!("{w}.{}", self.steps[s].id));
            }
        }
        if cx.steg || self.steps[s].title.as_deref() == Some(outcome.as_str()) {
            self.steps[s].title = None;
        }
        self.steps[s].outcome = Some(outcome);
        let throws = node
            .defs
            .iter()
            .any(|(k, _)| matches!(*k, "message" | "signal"));
        if !node.outs.is_empty() {
            cx.d.invalid(
                node.el.offset,
                format!(
                    "end event `{}` has outgoing flows; they are left out",
                    node.id
                ),
            );
        }
        if throws {
            self.emits(cx, n, s);
        }
    }

    /// An activity with boundary events: a wait on its completion or any of them.
    fn with_boundary(&mut self, cx: &mut Ctx, n: usize, s: usize) {
        let sid = self.steps[s].id.clone();
        let done = format!("{sid}_completed");
        let title = self.nodes[n]
            .name
            .clone()
            .unwrap_or_else(|| self.nodes[n].id.clone());
        cx.model
            .events
            .entry(done.clone())
            .or_insert_with(|| format!("{title:?} is done (bpmn:{})", self.nodes[n].id));
        if let Some(to) = self.continuation(cx, n) {
            self.steps[s].on.push(IOn {
                trig: ITrig::Event(done),
                to,
                source: None,
            });
        }
        self.boundaries(cx, n, s, &sid);
    }

    fn boundaries(&mut self, cx: &mut Ctx, n: usize, s: usize, sid: &str) {
        for b in self.nodes[n].boundary.clone() {
            if self.def(b, "compensate") {
                self.drop_compensation(cx, b);
                continue;
            }
            if self.nodes[b].el.attr("cancelActivity") == Some("false") {
                cx.d.unsupported(
                    self.nodes[b].el.offset,
                    format!(
                        "non-interrupting boundary event `{}` is imported as interrupting",
                        self.nodes[b].id
                    ),
                    "steg cannot run work beside a step; model the extra work as a fork",
                );
            }
            let trig = self.trigger(cx, b, Some(sid));
            let source =
                Some(cx.d.source("bpmn", &self.nodes[b].id.clone(), self.nodes[b].el.offset));
            if let Some(to) = self.continuation(cx, b) {
                self.steps[s].on.push(IOn { trig, to, source });
            }
        }
    }

    fn referral(&mut self, cx: &mut Ctx, n: usize, s: usize) {
        let node = &self.nodes[n];
        let (tag, el) = (node.tag, node.el);
        // Error and escalation boundary events are answers of the called workflow.
        let mut errors: Vec<(String, String)> = Vec::new();
        for b in node.boundary.clone() {
            let kind = self.nodes[b].defs.first().map(|(k, _)| *k);
            match kind {
                Some(k @ ("error" | "escalation")) => {
                    let def = self.nodes[b].defs[0].1;
                    let (table, attr) = if k == "error" {
                        (&cx.errors, "errorRef")
                    } else {
                        (&cx.escalations, "escalationRef")
                    };
                    let what = def
                        .attr(attr)
                        .map(|e| table.get(e).cloned().unwrap_or_else(|| e.to_string()));
                    let outcome = slug(what.as_deref().unwrap_or(k), "outcome");
                    if let Some(to) = self.continuation(cx, b) {
                        errors.push((outcome, to));
                    }
                }
                Some("compensate") => self.drop_compensation(cx, b),
                _ => {
                    // Reported by `boundary_wait`: the event may come before the referral.
                    let Some(w) = self.nodes[n].entry else {
                        continue;
                    };
                    let wid = self.steps[w].id.clone();
                    let trig = self.trigger(cx, b, Some(&wid));
                    let source = Some(cx.d.source(
                        "bpmn",
                        &self.nodes[b].id.clone(),
                        self.nodes[b].el.offset,
                    ));
                    if let Some(to) = self.continuation(cx, b) {
                        self.steps[w].on.push(IOn { trig, to, source });
                    }
                }
            }
        }
        if let Some(w) = self.nodes[n].entry {
            // The wait before the referral: the referral starts, or a boundary event comes.
            let wid = self.steps[w].id.clone();
            let sid = self.steps[s].id.clone();
            let e = format!("{wid}_starts");
            cx.model.events.entry(e.clone()).or_insert_with(|| {
                format!(
                    "bpmn:{} starts before any of its boundary events comes",
                    self.nodes[n].id
                )
            });
            self.steps[w].on.insert(
                0,
                IOn {
                    trig: ITrig::Event(e),
                    to: sid,
                    source: None,
                },
            );
        }
        let callee = match tag {
            "callActivity" => {
                let called = el.attr("calledElement").unwrap_or_default();
                match cx.processes.get(called) {
                    Some(w) => Some(w.clone()),
                    None => {
                        let unit = slug(called, "unit");
                        cx.model
                            .units
                            .entry(unit.clone())
                            .or_insert_with(|| called.to_string());
                        self.steps[s].refer = Some(IRefer::Unit(unit));
                        self.steps[s].next = self.next_of(cx, n);
                        return;
                    }
                }
            }
            "subProcess" | "transaction" => {
                let wid = cx.wf_ids.take(slug(&self.nodes[n].id, "subprocess"));
                let title = self.nodes[n].name.clone();
                let source = cx.d.source("bpmn", &self.nodes[n].id.clone(), el.offset);
                let inherited = match self.lanes.of.get(&self.nodes[n].id) {
                    Some(l) => l.clone(),
                    None => self.inherited.clone(),
                };
                let lanes = self.lanes;
                scope(cx, el, wid.clone(), title, source, lanes, &inherited);
                Some(wid)
            }
            _ => None,
        };
        if let Some(callee) = callee {
            self.steps[s].refer = Some(IRefer::Workflow(callee.clone()));
            // steg's export: an exclusive gateway right after routes the outcomes.
            if let Some(map) = self.outcome_gateway(cx, n) {
                self.steps[s].returns = map;
                self.steps[s].returns.extend(errors);
                return;
            }
            let to = self.continuation(cx, n);
            let step = self.steps[s].id.clone();
            cx.pending.push(Pending {
                wf: usize::MAX,
                step,
                callee,
                to,
                errors,
            });
            return;
        }
        // A send task to a collapsed pool: a referral to that unit.
        let unit = self.unit_of_send(cx, n).unwrap_or_default();
        self.steps[s].refer = Some(IRefer::Unit(unit.clone()));
        if let Some(answers) = self.answers(cx, n, &unit) {
            self.steps[s].returns = answers;
        } else {
            self.steps[s].next = self.next_of(cx, n);
        }
    }

    /// The exclusive gateway after a call activity whose flows are `outcome == "X"` tests.
    fn outcome_gateway(&mut self, cx: &mut Ctx, n: usize) -> Option<Vec<(String, String)>> {
        let [f] = self.nodes[n].outs.as_slice() else {
            return None;
        };
        let g = self.flows[*f].to;
        let gnode = &self.nodes[g];
        if gnode.tag != "exclusiveGateway"
            || self.pinned(cx, g).is_some()
            || gnode.ins.len() != 1
            || gnode.outs.len() < 2
            || gnode.role != Role::Open
        {
            return None;
        }
        let mut parsed: Vec<(Vec<String>, usize)> = Vec::new();
        for &f in &gnode.outs {
            let c = self.flows[f].cond.as_deref()?;
            let mut outcomes = Vec::new();
            for part in c.split("||") {
                let v = part
                    .trim()
                    .strip_prefix("outcome")?
                    .trim()
                    .strip_prefix("==")?
                    .trim();
                outcomes.push(v.strip_prefix('"')?.strip_suffix('"')?.to_string());
            }
            parsed.push((outcomes, f));
        }
        self.nodes[g].role = Role::Absorbed;
        let mut out = Vec::new();
        for (outcomes, f) in parsed {
            if let Some(to) = self.entry(cx, self.flows[f].to) {
                for o in outcomes {
                    out.push((o, to.clone()));
                }
            }
        }
        Some(out)
    }

    /// Message catch events right after a referral to `unit` (directly, or after an
    /// event-based gateway) that hear from the unit's pool: its answers, and the gateway.
    fn answer_catches(
        &self,
        cx: &Ctx,
        n: usize,
        unit: &str,
    ) -> Option<(Option<usize>, Vec<usize>)> {
        let [f] = self.nodes[n].outs.as_slice() else {
            return None;
        };
        let t = self.flows[*f].to;
        let hears = |c: usize| {
            let node = &self.nodes[c];
            node.tag == "intermediateCatchEvent"
                && node.ins.len() == 1
                && cx.mf_in.get(&node.id).is_some_and(|l| {
                    l.iter()
                        .any(|(from, _)| cx.black_boxes.get(from).is_some_and(|u| u == unit))
                })
        };
        if hears(t) {
            return Some((None, vec![t]));
        }
        if self.nodes[t].tag == "eventBasedGateway" && self.nodes[t].ins.len() == 1 {
            let cs: Vec<usize> = self.nodes[t]
                .outs
                .iter()
                .map(|&f| self.flows[f].to)
                .collect();
            if !cs.is_empty() && cs.iter().all(|&c| hears(c)) {
                return Some((Some(t), cs));
            }
        }
        None
    }

    fn answers(&mut self, cx: &mut Ctx, n: usize, unit: &str) -> Option<Vec<(String, String)>> {
        let (_, catches) = self.answer_catches(cx, n, unit)?;
        let mut out = Vec::new();
        for c in catches {
            let node = &self.nodes[c];
            let name = node.name.clone().unwrap_or_else(|| {
                cx.mf_in
                    .get(&node.id)
                    .and_then(|l| l.iter().find_map(|(_, m)| m.clone()))
                    .map(|m| m.rsplit('.').next().unwrap_or(&m).to_string())
                    .unwrap_or_else(|| node.id.clone())
            });
            if let Some(to) = self.continuation(cx, c) {
                out.push((slug(&name, "answer"), to));
            }
        }
        Some(out)
    }

    /// The workflow's start step.
    fn start(&mut self, cx: &mut Ctx, el: &El) -> Option<String> {
        let mut starts: Vec<usize> = (0..self.nodes.len())
            .filter(|&n| self.nodes[n].role == Role::Start)
            .collect();
        if starts.is_empty() {
            // No start event: every element no flow enters starts the workflow.
            starts = (0..self.nodes.len())
                .filter(|&n| {
                    let node = &self.nodes[n];
                    node.ins.is_empty() && matches!(node.role, Role::Step | Role::Pass | Role::Open)
                })
                .collect();
        }
        let out = match starts.as_slice() {
            [] => None,
            [s] if self.nodes[*s].role == Role::Start => self.continuation(cx, *s),
            [s] => self.entry(cx, *s),
            many => {
                let first = many[0];
                let st = self.synth(cx, first, "start", StepKind::Wait);
                let sid = self.steps[st].id.clone();
                self.steps[st].at = el.offset;
                for &n in many {
                    let to = if self.nodes[n].role == Role::Start {
                        self.continuation(cx, n)
                    } else {
                        self.entry(cx, n)
                    };
                    let Some(to) = to else { continue };
                    let node = &self.nodes[n];
                    let e = format!(
                        "{sid}_{}",
                        slug(node.name.as_deref().unwrap_or(&node.id), "start")
                    );
                    cx.model.events.entry(e.clone()).or_insert_with(|| {
                        format!(
                            "The case starts at bpmn:{} (one of {} starts of bpmn:{})",
                            node.id,
                            many.len(),
                            self.pid
                        )
                    });
                    self.steps[st].on.push(IOn {
                        trig: ITrig::Event(e),
                        to,
                        source: Some(format!("bpmn:{}", node.id)),
                    });
                }
                Some(sid)
            }
        };
        // Steps in the order of their elements in the file.
        self.steps.sort_by_key(|s| s.at);
        out
    }
}

/// An ISO 8601 duration (`P14D`, `P3M`) in days, weeks, months and years.
fn iso(text: &str) -> Option<Duration> {
    let t = text.trim();
    if !t.starts_with('P') {
        return None;
    }
    t.parse().ok()
}

/// A documentation text: steg's export writes `legal basis:`, `within:` and `source:` lines
/// after the description; read them back. Other tools' documentation is the description.
fn doc_into(s: &mut IStep, doc: &str, steg: bool) {
    if doc.is_empty() {
        return;
    }
    if !steg {
        s.description = Some(doc.to_string());
        return;
    }
    let mut desc: Vec<&str> = Vec::new();
    for line in doc.lines() {
        if let Some(l) = line.strip_prefix("legal basis: ") {
            s.legal_basis = Some(l.to_string());
        } else if let Some(w) = line.strip_prefix("within: ") {
            let (d, from) = match w.split_once(" from ") {
                Some((d, f)) => (d, Some(f.to_string())),
                None => (w, None),
            };
            match d.parse::<Duration>() {
                Ok(d) => s.within = Some((d, from)),
                Err(_) => desc.push(line),
            }
        } else if let Some(src) = line.strip_prefix("source: ") {
            let here = s.source.take().unwrap_or_default();
            s.source = Some(format!("{src}; {here}"));
        } else {
            desc.push(line);
        }
    }
    if !desc.is_empty() {
        s.description = Some(desc.join("\n"));
    }
}
