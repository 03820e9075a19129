//! Pictures of a municipality: Graphviz DOT, Mermaid flowcharts, BPMN 2.0 XML with its diagram
//! layout (BPMNDI), and SVG drawn from the same layout, for `steg graph` and `steg report`.
//!
//! All three formats are drawn from one [`View`]: the workflows with every name resolved to an
//! index, each step in a lane (its role; or its unit when no role does it), and every way a case
//! moves labelled as the YAML says it (the transition's `title`, else its condition). Output is
//! deterministic: everything follows file order or the order a case meets it, never hash order.
//!
//! Export a municipality that checks without errors: names that do not resolve are left out.

mod bpmn;
mod dot;
mod layout;
mod mermaid;
mod pnml;
mod svg;

pub use svg::{
    step_anchor, DrawOptions, Drawing, Mark, MarkSeverity, Part, COLUMNS_PER_PART, STYLE,
};

use crate::duration::Duration;
use crate::graph::Graph;
use crate::model::{Guard, Step, StepKind};
use crate::municipality::Municipality;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A picture format of `steg graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// Graphviz DOT: `dot -Tsvg`.
    Dot,
    /// A Mermaid flowchart, for Markdown pages.
    Mermaid,
    /// BPMN 2.0 XML with diagram layout, for bpmn.io and Camunda Modeler.
    Bpmn,
    /// An SVG drawing (pools, lanes, BPMN symbols), for browsers and documents.
    Svg,
    /// PNML place/transition nets: the compiled workflow net of each entry workflow, for
    /// process-mining tools.
    Pnml,
}

/// Draw the workflows of `m` in `format`.
pub fn export(m: &Municipality, format: ExportFormat) -> String {
    let graph = Graph::build(m);
    let view = View::new(m, &graph);
    match format {
        ExportFormat::Dot => dot::render(&view),
        ExportFormat::Mermaid => mermaid::render(&view),
        ExportFormat::Bpmn => bpmn::render(&view),
        ExportFormat::Svg => svg::draw(&view, &DrawOptions::default()).to_document(),
        ExportFormat::Pnml => pnml_of(m, None).unwrap_or_default(),
    }
}

/// BPMN 2.0 of `m` with every referral to a workflow inlined (no call activities), for tools
/// that cannot follow them (see `View::inlined`).
pub fn bpmn_inlined(m: &Municipality) -> String {
    let graph = Graph::build(m);
    bpmn::render(&View::new(m, &graph).inlined())
}

/// The PNML of `m`'s entry workflows as the semantics compiles them (one net each, in the
/// order of `entry:`), or of the one entry workflow named `entry`. `Err` names the entry
/// workflows when `entry` is not one.
pub fn pnml_of(m: &Municipality, entry: Option<&str>) -> Result<String, String> {
    let graph = Graph::build(m);
    let sem = crate::semantics::Semantics::new(m, &graph);
    let mut nets = Vec::new();
    let mut names = Vec::new();
    for &e in &sem.prog.entries {
        let name = &sem.prog.workflows[e as usize].name;
        names.push(name.clone());
        if entry.is_some_and(|x| x != name) {
            continue;
        }
        if let Some(wn) = &sem.nets[e as usize] {
            nets.push(crate::semantics::LabelledNet::of(&sem.prog, wn));
        }
    }
    if let (Some(x), true) = (entry, nets.is_empty()) {
        return Err(format!(
            "`{x}` is not an entry workflow of {}; the entry workflows are: {}",
            m.name,
            names.join(", ")
        ));
    }
    Ok(pnml::render(&nets))
}

/// Draw the workflows of `m` as SVG parts, with `opts`' marks and links (see [`Drawing`]).
pub fn draw(m: &Municipality, opts: &DrawOptions) -> Drawing {
    let graph = Graph::build(m);
    let view = View::new(m, &graph);
    svg::draw(&view, opts)
}

/// A municipality as the pictures show it.
pub(crate) struct View<'a> {
    /// The municipality's name (`municipality:`), or its folder's.
    pub name: String,
    /// The folder name, e.g. `lindesberg`.
    pub folder: &'a str,
    /// Workflows in drawing order: entries first, then the workflows they refer to.
    pub workflows: Vec<WView<'a>>,
    /// Units outside the model that referrals send cases to, in order of first referral.
    pub units: Vec<Named>,
}

/// An id with its display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Named {
    /// The id as written (role, unit or workflow id), or a key for a lane.
    pub id: String,
    /// Title, else the id.
    pub name: String,
}

/// One workflow.
pub(crate) struct WView<'a> {
    /// Workflow id.
    pub id: &'a str,
    /// Title, else the id.
    pub name: String,
    /// Lanes in the order a case meets them; `id` is `role-ID`, `unit-ID` or `default`.
    pub lanes: Vec<Named>,
    /// Steps in file order.
    pub steps: Vec<SView<'a>>,
    /// The start step.
    pub start: Option<usize>,
}

/// One step, with its ways out resolved to step indices of its workflow.
#[derive(Clone)]
pub(crate) struct SView<'a> {
    /// Step id (for a step of an inlined referral, `referral.step`).
    pub id: std::borrow::Cow<'a, str>,
    /// Title, else the id.
    pub name: String,
    /// Kind.
    pub kind: StepKind,
    /// Lane index in the workflow's `lanes`.
    pub lane: usize,
    /// The step as written.
    pub step: &'a Step,
    /// Transitions (`next`), in order.
    pub next: Vec<NextV>,
    /// Triggers of a wait (`on`), in order.
    pub on: Vec<OnV>,
    /// A referral's workflow (index in `View::workflows`).
    pub call: Option<usize>,
    /// A referral's unit outside the model (index in `View::units`).
    pub unit: Option<usize>,
    /// A referral's answers: outcome and target step.
    pub returns: Vec<(String, usize)>,
}

/// A resolved transition.
#[derive(Clone)]
pub(crate) struct NextV {
    /// Target step.
    pub to: usize,
    /// Its condition.
    pub cond: Cond,
    /// `title:` of the transition.
    pub title: Option<String>,
}

/// A transition's condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cond {
    /// Always taken (the only transition, or a fork branch).
    Always,
    /// `when:` as written (`rule.NAME` or an inline expression).
    When(String),
    /// `else:`.
    Else,
}

impl NextV {
    /// What a picture writes on the transition: its title, else its condition (a rule by its
    /// name, without `rule.`); `None` for an unconditional transition without title.
    pub fn label(&self) -> Option<String> {
        self.title.clone().or(match &self.cond {
            Cond::Always => None,
            Cond::When(c) => Some(crate::model::rule_name(c).unwrap_or(c).to_string()),
            Cond::Else => Some("else".to_string()),
        })
    }
}

/// A resolved trigger of a wait.
#[derive(Clone)]
pub(crate) struct OnV {
    /// Target step.
    pub to: usize,
    /// What fires it.
    pub trigger: Trig,
}

/// What moves a waiting case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Trig {
    /// A named event.
    Event(String),
    /// A one-shot timer.
    After(Duration),
    /// A recurring timer.
    Every(Duration),
}

impl Trig {
    /// `franvaro_noterad`, `after 14d`, `every 3mo`.
    pub fn label(&self) -> String {
        match self {
            Trig::Event(e) => e.clone(),
            Trig::After(d) => format!("after {d}"),
            Trig::Every(d) => format!("every {d}"),
        }
    }
}

/// A duration in ISO 8601, as BPMN timers want it: `P3M`, `P14D`, `P1M15D`.
pub(crate) fn iso8601(d: Duration) -> String {
    match (d.months, d.days) {
        (0, 0) => "P0D".to_string(),
        (0, days) => format!("P{days}D"),
        (months, 0) => format!("P{months}M"),
        (months, days) => format!("P{months}M{days}D"),
    }
}

impl<'a> View<'a> {
    /// The view with every referral to a workflow inlined, as the semantics compiles it, for
    /// tools without call activities: the referral becomes a task leading to a copy of the
    /// referred workflow's steps (ids `referral.step`, in the referrer's lanes), whose ends
    /// lead where the referral's `returns` sends their outcome (an outcome it does not map
    /// stays an end). Referrals nested deeper than the semantics compiles, or back into a
    /// workflow already on the way, stay call activities.
    pub fn inlined(mut self) -> View<'a> {
        let originals: Vec<(Vec<Named>, Vec<SView<'a>>, Option<usize>)> = self
            .workflows
            .iter()
            .map(|w| (w.lanes.clone(), w.steps.clone(), w.start))
            .collect();
        for w in &mut self.workflows {
            let mut path: Vec<Vec<usize>> = vec![Vec::new(); w.steps.len()];
            let mut si = 0;
            while si < w.steps.len() {
                let Some(c) = w.steps[si].call else {
                    si += 1;
                    continue;
                };
                if path[si].contains(&c) || path[si].len() >= crate::semantics::MAX_DEPTH {
                    si += 1;
                    continue;
                }
                let (lanes, steps, start) = &originals[c];
                let base = w.steps.len();
                let lane_map: Vec<usize> = lanes
                    .iter()
                    .map(|l| match w.lanes.iter().position(|x| x.id == l.id) {
                        Some(i) => i,
                        None => {
                            w.lanes.push(l.clone());
                            w.lanes.len() - 1
                        }
                    })
                    .collect();
                let prefix = w.steps[si].id.to_string();
                let returns = std::mem::take(&mut w.steps[si].returns);
                let mut inner = path[si].clone();
                inner.push(c);
                for s in steps {
                    let mut copy = s.clone();
                    copy.id = std::borrow::Cow::Owned(format!("{prefix}.{}", s.id));
                    copy.lane = lane_map[s.lane];
                    for n in &mut copy.next {
                        n.to += base;
                    }
                    for o in &mut copy.on {
                        o.to += base;
                    }
                    for r in &mut copy.returns {
                        r.1 += base;
                    }
                    if s.kind == StepKind::End {
                        let outcome = s.step.outcome.as_ref().map(|o| o.value.as_str());
                        if let Some((_, to)) =
                            returns.iter().find(|(o, _)| Some(o.as_str()) == outcome)
                        {
                            copy.kind = StepKind::Task;
                            copy.next = vec![NextV {
                                to: *to,
                                cond: Cond::Always,
                                title: None,
                            }];
                        }
                    }
                    w.steps.push(copy);
                    path.push(inner.clone());
                }
                let r = &mut w.steps[si];
                r.call = None;
                r.kind = StepKind::Task;
                r.next = start
                    .map(|st| NextV {
                        to: st + base,
                        cond: Cond::Always,
                        title: None,
                    })
                    .into_iter()
                    .collect();
                si += 1;
            }
        }
        self
    }

    /// Resolve `m` (built into `graph`) for drawing.
    pub fn new(m: &'a Municipality, graph: &Graph) -> View<'a> {
        let def = m.def.as_ref().map(|(_, d)| d);
        let name = def.map_or_else(|| m.name.clone(), |d| d.municipality.value.clone());
        let role_name = |id: &str| {
            def.and_then(|d| d.roles.get(id))
                .and_then(|r| r.title.clone())
                .unwrap_or_else(|| id.to_string())
        };
        let unit_name = |id: &str| {
            def.and_then(|d| d.units.get(id))
                .and_then(|u| u.title.clone())
                .unwrap_or_else(|| id.to_string())
        };

        // Drawing order: entries, then the workflows they refer to (breadth first), then the rest.
        let calls = |wi: usize| -> Vec<usize> {
            m.workflows[wi]
                .def
                .steps
                .iter()
                .filter_map(|(_, step)| {
                    let name = step.refer_to.as_ref()?.workflow.as_ref()?;
                    graph.workflow_index.get(&name.value).copied()
                })
                .collect()
        };
        let mut order: Vec<usize> = Vec::with_capacity(m.workflows.len());
        let mut placed = vec![false; m.workflows.len()];
        let mut next = 0;
        for &wi in &graph.entries {
            if !std::mem::replace(&mut placed[wi], true) {
                order.push(wi);
            }
        }
        for wi in 0..=m.workflows.len() {
            while next < order.len() {
                for tw in calls(order[next]) {
                    if !std::mem::replace(&mut placed[tw], true) {
                        order.push(tw);
                    }
                }
                next += 1;
            }
            if wi < m.workflows.len() && !std::mem::replace(&mut placed[wi], true) {
                order.push(wi);
            }
        }
        let position: BTreeMap<usize, usize> = order
            .iter()
            .enumerate()
            .map(|(pos, &wi)| (wi, pos))
            .collect();

        let mut units: Vec<Named> = Vec::new();
        let mut workflows = Vec::with_capacity(order.len());
        for &wi in &order {
            let w = &m.workflows[wi];
            let index = &graph.step_index[wi];
            let at = |name: &str| index.get(name).copied();
            let wunit = w.def.unit.as_ref().map(|u| u.value.as_str());
            let mut steps = Vec::with_capacity(w.def.steps.len());
            let mut lane_keys: Vec<Named> = Vec::new();
            let mut lane_of = Vec::with_capacity(w.def.steps.len());
            for (id, step) in w.def.steps.iter() {
                let lane = if let Some(a) = &step.actor {
                    Named {
                        id: format!("role-{}", a.value),
                        name: role_name(&a.value),
                    }
                } else if let Some(u) = step.unit.as_ref().map(|u| u.value.as_str()).or(wunit) {
                    Named {
                        id: format!("unit-{u}"),
                        name: unit_name(u),
                    }
                } else {
                    Named {
                        id: "default".to_string(),
                        name: w.def.title.clone().unwrap_or_else(|| w.name().to_string()),
                    }
                };
                let li = match lane_keys.iter().position(|l| l.id == lane.id) {
                    Some(li) => li,
                    None => {
                        lane_keys.push(lane);
                        lane_keys.len() - 1
                    }
                };
                lane_of.push(li);
                let next = step
                    .transitions()
                    .iter()
                    .filter_map(|t| {
                        Some(NextV {
                            to: at(&t.to.value)?,
                            cond: match &t.guard {
                                Guard::Always => Cond::Always,
                                Guard::When(c) => Cond::When(c.value.clone()),
                                Guard::Else => Cond::Else,
                            },
                            title: t.title.clone(),
                        })
                    })
                    .collect();
                let on = step
                    .on
                    .iter()
                    .filter_map(|t| {
                        let trigger = match (&t.event, &t.after, &t.every) {
                            (Some(e), _, _) => Trig::Event(e.value.clone()),
                            (_, Some(d), _) => Trig::After(m.period(&d.value).ok()?),
                            (_, _, Some(d)) => Trig::Every(m.period(&d.value).ok()?),
                            _ => return None,
                        };
                        Some(OnV {
                            to: at(&t.to.value)?,
                            trigger,
                        })
                    })
                    .collect();
                let refer = step.refer_to.as_ref();
                let call = refer
                    .and_then(|r| r.workflow.as_ref())
                    .and_then(|n| graph.workflow_index.get(&n.value))
                    .and_then(|tw| position.get(tw).copied());
                let unit = refer.and_then(|r| r.unit.as_ref()).map(|u| {
                    match units.iter().position(|n| n.id == u.value) {
                        Some(i) => i,
                        None => {
                            units.push(Named {
                                id: u.value.clone(),
                                name: unit_name(&u.value),
                            });
                            units.len() - 1
                        }
                    }
                });
                let returns = step
                    .returns
                    .iter()
                    .filter_map(|(o, to)| Some((o.value.clone(), at(&to.value)?)))
                    .collect();
                steps.push(SView {
                    id: std::borrow::Cow::Borrowed(id.value.as_str()),
                    name: step.title.clone().unwrap_or_else(|| id.value.clone()),
                    kind: step.kind(),
                    lane: li,
                    step,
                    next,
                    on,
                    call,
                    unit,
                    returns,
                });
            }
            let start = w.def.start.as_ref().and_then(|s| at(&s.value));
            // Lanes in the order a case meets them (breadth first from the start), then file order.
            let mut seen = vec![false; steps.len()];
            let mut visit: Vec<usize> = Vec::with_capacity(steps.len());
            let mut queue: VecDeque<usize> = start.into_iter().collect();
            while let Some(si) = queue.pop_front() {
                if std::mem::replace(&mut seen[si], true) {
                    continue;
                }
                visit.push(si);
                let s = &steps[si];
                queue.extend(s.next.iter().map(|n| n.to));
                queue.extend(s.on.iter().map(|o| o.to));
                queue.extend(s.returns.iter().map(|r| r.1));
            }
            visit.extend((0..steps.len()).filter(|&si| !seen[si]));
            let mut lane_order: Vec<usize> = Vec::with_capacity(lane_keys.len());
            for si in visit {
                if !lane_order.contains(&lane_of[si]) {
                    lane_order.push(lane_of[si]);
                }
            }
            let mut renumber = vec![0; lane_keys.len()];
            for (new, &old) in lane_order.iter().enumerate() {
                renumber[old] = new;
            }
            for s in &mut steps {
                s.lane = renumber[s.lane];
            }
            let lanes = lane_order
                .iter()
                .map(|&old| lane_keys[old].clone())
                .collect();
            workflows.push(WView {
                id: w.name(),
                name: w.def.title.clone().unwrap_or_else(|| w.name().to_string()),
                lanes,
                steps,
                start,
            });
        }
        View {
            name,
            folder: &m.name,
            workflows,
            units,
        }
    }

    /// Wait steps listening for `event`: (workflow, step) pairs in drawing order.
    pub fn listeners(&self, event: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (wi, w) in self.workflows.iter().enumerate() {
            for (si, s) in w.steps.iter().enumerate() {
                if s.on
                    .iter()
                    .any(|o| o.trigger == Trig::Event(event.to_string()))
                {
                    out.push((wi, si));
                }
            }
        }
        out
    }
}

/// Hands out ids that are unique within one document: a wanted id that is taken gets `_2`,
/// `_3`, ... appended. Deterministic, since ids are asked for in drawing order.
#[derive(Default)]
pub(crate) struct Ids {
    used: BTreeSet<String>,
}

impl Ids {
    /// A unique id close to `wanted`, after `clean` made it a valid id of the format.
    pub fn take(&mut self, wanted: String) -> String {
        if self.used.insert(wanted.clone()) {
            return wanted;
        }
        let mut n = 2;
        loop {
            let candidate = format!("{wanted}_{n}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

/// Break `text` into lines of about `width` characters at spaces (for node labels).
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_keeps_months_and_days_apart() {
        assert_eq!(iso8601(Duration::months(3)), "P3M");
        assert_eq!(iso8601(Duration::days(14)), "P14D");
        assert_eq!(
            iso8601(Duration {
                months: 1,
                days: 15
            }),
            "P1M15D"
        );
        assert_eq!(iso8601(Duration::default()), "P0D");
    }

    #[test]
    fn ids_stay_unique() {
        let mut ids = Ids::default();
        assert_eq!(ids.take("a".into()), "a");
        assert_eq!(ids.take("a".into()), "a_2");
        assert_eq!(ids.take("a".into()), "a_3");
        assert_eq!(ids.take("a_2".into()), "a_2_2");
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        assert_eq!(
            wrap("Beslut om ekonomiskt bistånd", 12),
            ["Beslut om", "ekonomiskt", "bistånd"]
        );
        assert_eq!(wrap("", 12), [""]);
        assert_eq!(
            wrap("ettmycketlångtord kort", 5),
            ["ettmycketlångtord", "kort"]
        );
    }
}
