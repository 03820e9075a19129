//! The process drawn as SVG, for `steg graph --format svg` and `steg report`: the elements of the
//! BPMN export (`bpmn.rs`: start and end events, tasks, call activities, gateways, catch events
//! for events and timers) placed by the same layered layout (`layout.rs`) on a compact grid, in
//! pools (one per workflow) with a lane per role.
//!
//! A workflow is cut into parts of at most [`COLUMNS_PER_PART`] columns, every part as wide as the
//! others, so each is readable at A4 width (about 700 CSS px, text at 10 px); a part shows only
//! the lanes and rows that hold its steps. A flow between parts ends in
//! a lettered connector (BPMN's link event) and starts again from the same letter in the part
//! that holds its target. Steps can link to an anchor of the page they sit in (their `source:`
//! passage), and checker findings are numbered badges on the step they concern.
//!
//! Text is in Swedish (timers read `efter 14 dagar`, `var 3:e månad`). Output is deterministic.

use super::bpmn::{self, Kind};
use super::layout::{self, Grid, Rect};
use super::{Trig, View};
use crate::duration::Duration;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The compact grid: tasks 100 x 54, two lines of a gateway's name under it.
const GRID: Grid = Grid {
    col_w: 150,
    cell_w: 100,
    row_h: 92,
    track: 8,
};
/// Columns of the layout in one part of a drawing.
pub const COLUMNS_PER_PART: usize = 4;
/// Width of the lanes' name band (names set across it, wrapped).
const HEAD: i64 = 86;
/// Space around the content.
const PAD: i64 = 10;
/// Radius of a connector between parts.
const LINK_R: i64 = 9;

/// The style sheet every part's classes refer to (`sg-*`). A page that inlines several parts
/// includes it once; [`Drawing::to_document`] puts it in the SVG file.
pub const STYLE: &str = r#".sg text { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; fill: #1b1b1b; }
.sg-pool { fill: #ffffff; stroke: #3d3d3d; stroke-width: 1.2; }
.sg-lane { fill: #ffffff; stroke: #9a9a9a; stroke-width: 0.8; }
.sg-lane-odd { fill: #f4f6f8; }
.sg-headband { fill: #e8ecf0; stroke: #9a9a9a; stroke-width: 0.8; }
.sg-head { font-size: 10.5px; font-weight: bold; }
.sg-lane-name { font-size: 9.5px; font-weight: bold; fill: #333333; }
.sg-node rect { fill: #ffffff; stroke: #1f4e79; stroke-width: 1.4; }
.sg-call rect { stroke-width: 3.2; }
.sg-send rect { stroke-dasharray: none; }
.sg-gw path { fill: #fff6d6; stroke: #7a5c00; stroke-width: 1.4; }
.sg-gw .sg-sym { fill: none; stroke: #7a5c00; stroke-width: 2.4; }
.sg-ev circle { fill: #ffffff; stroke: #2e6b30; stroke-width: 1.4; }
.sg-end circle { stroke: #8e1c1c; stroke-width: 3.4; }
.sg-sym { fill: none; stroke: #3d3d3d; stroke-width: 1.1; }
.sg-sym-filled { fill: #3d3d3d; stroke: #ffffff; stroke-width: 0.8; }
.sg-name { font-size: 10.5px; }
.sg-outside { font-size: 9.5px; }
.sg-flow { fill: none; stroke: #474747; stroke-width: 1.2; }
.sg-arrow { fill: #474747; }
.sg-cond { font-size: 9px; font-style: italic; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }
.sg-link circle { fill: #ffffff; stroke: #474747; stroke-width: 1.6; }
.sg-link text { font-size: 9.5px; font-weight: bold; }
.sg-mark circle { stroke: #ffffff; stroke-width: 1.5; }
.sg-mark-error circle { fill: #b3261e; }
.sg-mark-warning circle { fill: #b35c00; }
.sg-mark-note circle { fill: #1f5f9e; }
.sg-mark text { fill: #ffffff; font-size: 9.5px; font-weight: bold; }
.sg a:focus rect, .sg a:focus path, .sg a:focus circle { stroke: #0b57d0; stroke-width: 3; }
.sg a:hover rect, .sg a:hover path, .sg a:hover circle { stroke: #0b57d0; }
"#;

/// How serious a mark on the drawing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MarkSeverity {
    /// An error of the checker, or an obligation the model breaks.
    Error,
    /// A warning of the checker.
    Warning,
    /// Something to look at (an obligation that cannot be shown to hold).
    Note,
}

/// A finding shown on the drawing: a numbered badge on a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// The step, as `workflow.step`.
    pub step: String,
    /// What the badge shows: a short number or letter (`1`, `2`).
    pub label: String,
    /// Its colour.
    pub severity: MarkSeverity,
    /// The finding in a sentence (the badge's tooltip).
    pub text: String,
}

/// What to draw besides the process.
#[derive(Debug, Clone, Default)]
pub struct DrawOptions {
    /// Findings to mark on their steps.
    pub marks: Vec<Mark>,
    /// Prefix of the anchors steps link to: a step links to `#{prefix}steg-{workflow}-{step}`
    /// (see [`step_anchor`]), and every id in the drawing starts with it. `None`: no links.
    pub anchors: Option<String>,
}

/// The anchor a step of the drawing links to, without `#`: `{prefix}steg-{workflow}-{step}`.
pub fn step_anchor(prefix: &str, workflow: &str, step: &str) -> String {
    format!("{prefix}steg-{}-{}", clean(workflow), clean(step))
}

/// A municipality's process drawn: parts of pools, in drawing order.
#[derive(Debug, Clone)]
pub struct Drawing {
    /// The municipality's name.
    pub name: String,
    /// Every part of every workflow, workflow by workflow.
    pub parts: Vec<Part>,
}

/// One part of one workflow's pool: an `<svg>` element.
#[derive(Debug, Clone)]
pub struct Part {
    /// The workflow's id.
    pub workflow: String,
    /// The workflow's title.
    pub title: String,
    /// This part's number, from 1.
    pub part: usize,
    /// How many parts the workflow has.
    pub of: usize,
    /// Width in CSS pixels (the same for every part).
    pub width: i64,
    /// Height in CSS pixels.
    pub height: i64,
    /// The titles of the steps drawn in this part, in column order (for text alternatives).
    pub steps: Vec<String>,
    /// The `<svg>` element, with `role="img"` and a `<title>`; its classes are in [`STYLE`].
    pub svg: String,
}

impl Drawing {
    /// One standalone SVG document: the parts one under the other, each under a heading, with
    /// the style sheet.
    pub fn to_document(&self) -> String {
        let width = self.parts.iter().map(|p| p.width).max().unwrap_or(400);
        let mut body = String::new();
        let mut y = 0;
        let _ = writeln!(
            body,
            r#"<text x="{PAD}" y="{}" class="sg-head" style="font-size:16px">{}</text>"#,
            y + 22,
            bpmn::text(&self.name)
        );
        y += 34;
        for p in &self.parts {
            let heading = if p.of > 1 {
                format!("{} (del {} av {})", p.title, p.part, p.of)
            } else {
                p.title.clone()
            };
            let _ = writeln!(
                body,
                r#"<text x="{PAD}" y="{}" class="sg-head" style="font-size:13px">{}</text>"#,
                y + 16,
                bpmn::text(&heading)
            );
            y += 24;
            // A nested <svg> keeps the part's own coordinates.
            let inner = p
                .svg
                .replacen("<svg ", &format!(r#"<svg x="0" y="{y}" "#), 1);
            body.push_str(&inner);
            body.push('\n');
            y += p.height + 16;
        }
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sg\" width=\"{width}\" height=\"{y}\" viewBox=\"0 0 {width} {y}\">\n<style>\n{STYLE}</style>\n{body}</svg>\n"
        )
    }
}

/// Draw the workflows of `view`.
pub(crate) fn draw(view: &View, opts: &DrawOptions) -> Drawing {
    let diagram = bpmn::diagram(view);
    let mut parts = Vec::new();
    for (wi, p) in diagram.procs.iter().enumerate() {
        let nodes: Vec<layout::Node> = p
            .els
            .iter()
            .map(|e| {
                let (w, h) = size(&e.kind);
                layout::Node {
                    lane: e.lane,
                    w,
                    h,
                    gateway: e.kind.is_gateway(),
                }
            })
            .collect();
        let edges: Vec<(usize, usize)> = p.flows.iter().map(|f| (f.from, f.to)).collect();
        let l = layout::layout(&nodes, &edges, p.lanes.len(), &GRID);
        let cuts = Cuts::new(p, &l);
        let of = cuts.starts.len();
        let cx = PartContext {
            view,
            wi,
            proc: p,
            layout: &l,
            opts,
            of,
            links: links(p, &l, &cuts),
            cuts,
        };
        for part in 0..of {
            parts.push(cx.part(part));
        }
    }
    Drawing {
        name: view.name.clone(),
        parts,
    }
}

/// Element sizes on the compact grid.
fn size(kind: &Kind) -> (i64, i64) {
    match kind {
        Kind::Task | Kind::UserTask | Kind::SendTask { .. } | Kind::Call { .. } => (100, 54),
        Kind::Exclusive | Kind::Parallel | Kind::EventBased => (40, 40),
        _ => (30, 30),
    }
}

/// Where a workflow's columns are cut into parts.
struct Cuts {
    /// The first column of each part.
    starts: Vec<usize>,
}

impl Cuts {
    /// Parts of [`COLUMNS_PER_PART`] columns; fewer (at least two) where a choice in the last
    /// column would send named flows into the next part (the choice starts the next part
    /// instead, so its conditions are drawn on whole flows).
    fn new(p: &bpmn::Proc, l: &layout::Layout) -> Cuts {
        let columns = l.columns.iter().copied().max().map_or(1, |c| c + 1);
        let mut starts = Vec::new();
        let mut c0 = 0;
        while c0 < columns {
            starts.push(c0);
            let mut end = (c0 + COLUMNS_PER_PART).min(columns);
            let full = end;
            while full < columns && end > c0 + 2 {
                let last = end - 1;
                let named_exit = p.flows.iter().any(|f| {
                    l.columns[f.from] == last && l.columns[f.to] >= end && f.name.is_some()
                });
                if !named_exit {
                    break;
                }
                end -= 1;
            }
            c0 = end;
        }
        Cuts { starts }
    }

    /// The part (0-based) a column is drawn in.
    fn part_of(&self, column: usize) -> usize {
        self.starts
            .partition_point(|&c| c <= column)
            .saturating_sub(1)
    }
}

/// Letters of the connectors: one per element that a flow from another part enters.
fn links(p: &bpmn::Proc, l: &layout::Layout, cuts: &Cuts) -> BTreeMap<usize, String> {
    let mut out = BTreeMap::new();
    for f in &p.flows {
        if cuts.part_of(l.columns[f.from]) != cuts.part_of(l.columns[f.to])
            && !out.contains_key(&f.to)
        {
            let n = out.len();
            out.insert(f.to, letters(n));
        }
    }
    out
}

/// `A`, `B`, ..., `Z`, `AA`, `AB`, ...
fn letters(mut n: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// An id or anchor part made of ASCII letters, digits, `-` and `_`.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

struct PartContext<'a> {
    view: &'a View<'a>,
    wi: usize,
    proc: &'a bpmn::Proc,
    layout: &'a layout::Layout,
    opts: &'a DrawOptions,
    of: usize,
    links: BTreeMap<usize, String>,
    cuts: Cuts,
}

impl PartContext<'_> {
    fn part(&self, part: usize) -> Part {
        let w = &self.view.workflows[self.wi];
        let l = self.layout;
        let gap = GRID.col_w - GRID.cell_w;
        let part_of = |column: usize| self.cuts.part_of(column);
        let in_part = |el: usize| part_of(l.columns[el]) == part;
        // Content x of the part's left edge: the gap before its first column.
        let x0 = self.cuts.starts[part] as i64 * GRID.col_w - gap;
        let left = HEAD + PAD;
        let width = left + COLUMNS_PER_PART as i64 * GRID.col_w + gap + PAD;
        let rows = Rows::new(l, in_part);
        let lanes_h = rows.height.max(GRID.row_h / 2);
        let height = lanes_h + 2 * PAD;
        let at = |x: i64, y: i64| (x - x0 + left, rows.y(y) + PAD);
        let move_rect = |r: Rect| {
            let (x, y) = at(r.x, r.y);
            Rect { x, y, ..r }
        };
        let prefix = self.opts.anchors.as_deref().unwrap_or("sg-");
        let id = format!("{prefix}svg-{}-{}", clean(w.id), part + 1);

        let mut steps: Vec<(usize, usize, String)> = Vec::new();
        for (ei, e) in self.proc.els.iter().enumerate() {
            if let (true, Some(si)) = (in_part(ei), e.step) {
                steps.push((l.columns[ei], ei, w.steps[si].name.clone()));
            }
        }
        steps.sort();
        let step_names: Vec<String> = steps.into_iter().map(|(_, _, n)| n).collect();
        let title = if self.of > 1 {
            format!("Flödet {}, del {} av {}", w.name, part + 1, self.of)
        } else {
            format!("Flödet {}", w.name)
        };
        let alt = if step_names.is_empty() {
            title.clone()
        } else {
            format!("{title}: {}", step_names.join(", "))
        };

        let mut o = String::new();
        let _ = writeln!(
            o,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="sg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-t"><title id="{id}-t">{}</title>"#,
            bpmn::text(&alt)
        );
        // Pool and the lanes that have steps in this part.
        let _ = writeln!(
            o,
            r#"<rect class="sg-pool" x="{PAD}" y="{PAD}" width="{}" height="{lanes_h}"/>"#,
            width - 2 * PAD
        );
        for (shown, (li, (top, h))) in rows
            .lanes
            .iter()
            .enumerate()
            .filter_map(|(li, b)| b.map(|b| (li, b)))
            .enumerate()
        {
            let y = PAD + top;
            let class = if shown % 2 == 1 {
                "sg-lane sg-lane-odd"
            } else {
                "sg-lane"
            };
            let _ = writeln!(
                o,
                r#"<rect class="{class}" x="{PAD}" y="{y}" width="{}" height="{h}"/>"#,
                width - 2 * PAD
            );
            let _ = writeln!(
                o,
                r#"<rect class="sg-headband" x="{PAD}" y="{y}" width="{HEAD}" height="{h}"/>"#
            );
            if let Some((_, name)) = self.proc.lanes.get(li) {
                lane_name(&mut o, PAD + 5, y, h, name);
            }
        }

        // Flows: whole when both ends are in this part, else up to or from a connector.
        let mut ends: Vec<(i64, i64)> = Vec::new();
        let mut flows = String::new();
        let mut entered: Vec<usize> = Vec::new();
        // Flows that leave each element for another part, for stacking their connectors.
        let mut leaving: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (fi, f) in self.proc.flows.iter().enumerate() {
            if in_part(f.from) && !in_part(f.to) {
                leaving.entry(f.from).or_default().push(fi);
            }
        }
        for (fi, f) in self.proc.flows.iter().enumerate() {
            let label = f.name.as_deref().map(flow_name);
            match (in_part(f.from), in_part(f.to)) {
                (true, true) => {
                    let pts: Vec<(i64, i64)> = l.edges[fi].iter().map(|&(x, y)| at(x, y)).collect();
                    ends.extend(pts.first().copied());
                    ends.extend(pts.last().copied());
                    polyline(&mut flows, &pts, true);
                    if let Some(label) = &label {
                        flow_label(&mut flows, label, &pts);
                    }
                }
                (true, false) => {
                    let s = move_rect(l.nodes[f.from]);
                    let siblings = &leaving[&f.from];
                    let k = siblings.iter().position(|&g| g == fi).unwrap_or(0) as i64;
                    let y = s.cy() + 26 * k - 13 * (siblings.len() as i64 - 1);
                    let letter = self.links.get(&f.to).cloned().unwrap_or_default();
                    let target_part = part_of(l.columns[f.to]) + 1;
                    let cx = s.right() + gap / 2 + 4;
                    let bend = s.right() + 8;
                    let mut pts = vec![(s.right(), s.cy())];
                    if y != s.cy() {
                        pts.extend([(bend, s.cy()), (bend, y)]);
                    }
                    pts.push((cx - LINK_R, y));
                    ends.push((s.right(), s.cy()));
                    polyline(&mut flows, &pts, true);
                    let name = self.el_name(f.to);
                    link(
                        &mut flows,
                        cx,
                        y,
                        &letter,
                        &format!("Fortsätter i del {target_part} vid {letter}: {name}"),
                    );
                    if let Some(label) = &label {
                        let lines = fit(label, 14, 1);
                        let _ = writeln!(
                            flows,
                            r#"<text class="sg-cond" x="{}" y="{}" text-anchor="end">{}</text>"#,
                            cx + LINK_R,
                            y - LINK_R - 3,
                            bpmn::text(lines.first().map_or("", |s| s.as_str()))
                        );
                    }
                }
                (false, true) => {
                    if entered.contains(&f.to) {
                        continue;
                    }
                    entered.push(f.to);
                    let t = move_rect(l.nodes[f.to]);
                    let letter = self.links.get(&f.to).cloned().unwrap_or_default();
                    let cx = t.x - gap / 2 - 2;
                    let pts = [(cx + LINK_R, t.cy()), (t.x, t.cy())];
                    ends.push((t.x, t.cy()));
                    polyline(&mut flows, &pts, true);
                    let from_parts: Vec<String> = self
                        .proc
                        .flows
                        .iter()
                        .filter(|g| g.to == f.to && !in_part(g.from))
                        .map(|g| part_of(l.columns[g.from]) + 1)
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .map(|p| p.to_string())
                        .collect();
                    link(
                        &mut flows,
                        cx,
                        t.cy(),
                        &letter,
                        &format!("Kommer från del {} ({letter})", from_parts.join(", ")),
                    );
                }
                (false, false) => {}
            }
        }
        o.push_str(&flows);

        // Elements.
        for (ei, e) in self.proc.els.iter().enumerate() {
            if !in_part(ei) {
                continue;
            }
            let r = move_rect(l.nodes[ei]);
            self.element(&mut o, ei, e, r, &ends);
        }
        o.push_str("</svg>\n");
        Part {
            workflow: w.id.to_string(),
            title: w.name.clone(),
            part: part + 1,
            of: self.of,
            width,
            height,
            steps: step_names,
            svg: o,
        }
    }

    /// What an element is called in the drawing.
    fn el_name(&self, ei: usize) -> String {
        let e = &self.proc.els[ei];
        let w = &self.view.workflows[self.wi];
        match (&e.trigger, e.step) {
            (Some(t), Some(si)) => match &w.steps[si].step.title {
                Some(title) => format!("{title}: {}", trigger_sv(t)),
                None => trigger_sv(t),
            },
            (Some(t), None) => trigger_sv(t),
            (None, Some(si)) if matches!(e.kind, Kind::End { .. }) => w.steps[si]
                .step
                .outcome
                .as_ref()
                .map_or_else(|| w.steps[si].name.clone(), |o| words(&o.value)),
            (None, Some(si)) => w.steps[si].name.clone(),
            (None, None) => match e.name.as_deref() {
                Some("outcome?") => "Utfall?".to_string(),
                Some(n) => words(n),
                None => String::new(),
            },
        }
    }

    fn element(&self, o: &mut String, ei: usize, e: &bpmn::El, r: Rect, ends: &[(i64, i64)]) {
        let w = &self.view.workflows[self.wi];
        let name = self.el_name(ei);
        let step = e.step.map(|si| &w.steps[si]);
        let href = match (&self.opts.anchors, step) {
            (Some(prefix), Some(s)) => Some(step_anchor(prefix, w.id, &s.id)),
            _ => None,
        };
        let kind_class = match &e.kind {
            Kind::Task | Kind::UserTask => "sg-node sg-task",
            Kind::SendTask { .. } => "sg-node sg-task sg-send",
            Kind::Call { .. } => "sg-node sg-task sg-call",
            Kind::Exclusive | Kind::Parallel | Kind::EventBased => "sg-gw",
            Kind::End { .. } => "sg-ev sg-end",
            _ => "sg-ev",
        };
        let data = step
            .map(|s| format!(r#" data-step="{}.{}""#, bpmn::attr(w.id), bpmn::attr(&s.id)))
            .unwrap_or_default();
        let _ = write!(o, r#"<g class="{kind_class}"{data}>"#);
        if let Some(h) = &href {
            let _ = write!(o, r##"<a href="#{}">"##, bpmn::attr(h));
        }
        // The tooltip: name, kind, lane, source.
        let mut tip = name.clone();
        if let Some(s) = step {
            let _ = write!(tip, " ({})", kind_sv(s.kind));
            if let Some((_, lane)) = self.proc.lanes.get(e.lane) {
                let _ = write!(tip, "; {lane}");
            }
            if let Some(src) = &s.step.source {
                let _ = write!(tip, "; källa: {src}");
            }
        }
        let _ = write!(o, "<title>{}</title>", bpmn::text(&tip));
        match &e.kind {
            Kind::Task | Kind::UserTask | Kind::SendTask { .. } | Kind::Call { .. } => {
                let _ = write!(
                    o,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" rx="8"/>"#,
                    r.x, r.y, r.w, r.h
                );
                if let Kind::SendTask { message: Some(_) } = e.kind {
                    envelope(o, r.x + 6, r.y + 5, true);
                }
                if let Kind::Call { .. } = e.kind {
                    // BPMN's marker of a call activity: a small square with a plus.
                    let (mx, my) = (r.cx() - 6, r.bottom() - 14);
                    let _ = write!(
                        o,
                        r#"<path class="sg-sym" d="M{mx} {my}h12v12h-12zM{} {}v8M{} {}h8"/>"#,
                        mx + 6,
                        my + 2,
                        mx + 2,
                        my + 6
                    );
                }
                let lines = fit(&name, 16, 3);
                let top = r.cy() - (lines.len() as i64 * 12) / 2 + 9
                    - if matches!(e.kind, Kind::Call { .. }) {
                        5
                    } else {
                        0
                    };
                let _ = write!(
                    o,
                    r#"<text class="sg-name" x="{}" y="{top}" text-anchor="middle">"#,
                    r.cx()
                );
                for (i, line) in lines.iter().enumerate() {
                    let dy = if i == 0 { 0 } else { 12 };
                    let _ = write!(
                        o,
                        r#"<tspan x="{}" dy="{dy}">{}</tspan>"#,
                        r.cx(),
                        bpmn::text(line)
                    );
                }
                o.push_str("</text>");
            }
            Kind::Exclusive | Kind::Parallel | Kind::EventBased => {
                let (cx, cy, h) = (r.cx(), r.cy(), r.w / 2);
                let _ = write!(
                    o,
                    r#"<path d="M{cx} {}L{} {cy}L{cx} {}L{} {cy}Z"/>"#,
                    cy - h,
                    cx + h,
                    cy + h,
                    cx - h
                );
                match e.kind {
                    Kind::Exclusive if e.step.is_some() || e.name.is_some() => {
                        let _ = write!(
                            o,
                            r#"<path class="sg-sym" d="M{} {}L{} {}M{} {}L{} {}"/>"#,
                            cx - 6,
                            cy - 6,
                            cx + 6,
                            cy + 6,
                            cx + 6,
                            cy - 6,
                            cx - 6,
                            cy + 6
                        );
                    }
                    Kind::Exclusive => {}
                    Kind::Parallel => {
                        let _ = write!(
                            o,
                            r#"<path class="sg-sym" d="M{cx} {}V{}M{} {cy}H{}"/>"#,
                            cy - 9,
                            cy + 9,
                            cx - 9,
                            cx + 9
                        );
                    }
                    _ => {
                        let _ = write!(
                            o,
                            r#"<circle class="sg-sym" cx="{cx}" cy="{cy}" r="10"/><circle class="sg-sym" cx="{cx}" cy="{cy}" r="7.5"/><path class="sg-sym" d="M{cx} {}L{} {}L{} {}L{} {}L{} {}Z"/>"#,
                            cy - 5,
                            cx + 5,
                            cy - 1,
                            cx + 3,
                            cy + 5,
                            cx - 3,
                            cy + 5,
                            cx - 5,
                            cy - 1
                        );
                    }
                }
                outside_label(o, &name, r, ends);
            }
            Kind::Start
            | Kind::End { .. }
            | Kind::CatchMessage { .. }
            | Kind::CatchTimer { .. } => {
                let (cx, cy, rad) = (r.cx(), r.cy(), r.w / 2);
                let _ = write!(o, r#"<circle cx="{cx}" cy="{cy}" r="{rad}"/>"#);
                match &e.kind {
                    Kind::CatchMessage { .. } => {
                        let _ = write!(o, r#"<circle cx="{cx}" cy="{cy}" r="{}"/>"#, rad - 3);
                        envelope(o, cx - 7, cy - 5, false);
                    }
                    Kind::CatchTimer { .. } => {
                        let _ = write!(
                            o,
                            r#"<circle cx="{cx}" cy="{cy}" r="{}"/><circle class="sg-sym" cx="{cx}" cy="{cy}" r="8"/><path class="sg-sym" d="M{cx} {}V{cy}H{}"/>"#,
                            rad - 3,
                            cy - 6,
                            cx + 4
                        );
                    }
                    Kind::End { message: Some(_) } => envelope(o, cx - 7, cy - 5, true),
                    _ => {}
                }
                outside_label(o, &name, r, ends);
            }
        }
        if href.is_some() {
            o.push_str("</a>");
        }
        o.push_str("</g>\n");
        // Marks: numbered badges along the top edge, right to left.
        if let Some(s) = step {
            let key = format!("{}.{}", w.id, s.id);
            let marks: Vec<&Mark> = self.opts.marks.iter().filter(|m| m.step == key).collect();
            for (i, m) in marks.iter().enumerate() {
                let (bx, by) = (r.right() - 2 - 17 * i as i64, r.y + 1);
                let class = match m.severity {
                    MarkSeverity::Error => "sg-mark sg-mark-error",
                    MarkSeverity::Warning => "sg-mark sg-mark-warning",
                    MarkSeverity::Note => "sg-mark sg-mark-note",
                };
                let _ = writeln!(
                    o,
                    r#"<g class="{class}"><title>{}</title><circle cx="{bx}" cy="{by}" r="8"/><text x="{bx}" y="{}" text-anchor="middle">{}</text></g>"#,
                    bpmn::text(&format!("{}: {}", m.label, m.text)),
                    by + 3,
                    bpmn::text(&m.label)
                );
            }
        }
    }
}

/// The rows of a layout that one part shows: those holding its elements (with each shown lane's
/// channel of back edges). Rows in between collapse, so a part is only as tall as its content.
struct Rows {
    /// Spans of the layout's y axis: (start, end, start in the part, shown).
    spans: Vec<(i64, i64, i64, bool)>,
    /// Each lane's top and height in the part, `None` when it has nothing in the part.
    lanes: Vec<Option<(i64, i64)>>,
    /// Height of the shown lanes.
    height: i64,
}

impl Rows {
    fn new(l: &layout::Layout, shown: impl Fn(usize) -> bool) -> Rows {
        let mut used: Vec<std::collections::BTreeSet<i64>> =
            vec![Default::default(); l.lanes.len()];
        for (ei, r) in l.nodes.iter().enumerate() {
            if !shown(ei) {
                continue;
            }
            if let Some(li) = l
                .lanes
                .iter()
                .position(|&(top, h)| r.cy() >= top && r.cy() < top + h)
            {
                used[li].insert((r.y - l.lanes[li].0).div_euclid(GRID.row_h));
            }
        }
        let mut spans = Vec::new();
        let mut lanes = Vec::new();
        let mut y = 0;
        for (li, &(top, h)) in l.lanes.iter().enumerate() {
            let rows = l.rows.get(li).copied().unwrap_or(1) as i64;
            if used[li].is_empty() {
                spans.push((top, top + h, y, false));
                lanes.push(None);
                continue;
            }
            let lane_top = y;
            for r in 0..rows {
                let start = top + r * GRID.row_h;
                let keep = used[li].contains(&r);
                spans.push((start, start + GRID.row_h, y, keep));
                if keep {
                    y += GRID.row_h;
                }
            }
            let channel = top + rows * GRID.row_h;
            if channel < top + h {
                spans.push((channel, top + h, y, true));
                y += top + h - channel;
            }
            lanes.push(Some((lane_top, y - lane_top)));
        }
        Rows {
            spans,
            lanes,
            height: y,
        }
    }

    /// Where the layout's `y` is in the part.
    fn y(&self, y: i64) -> i64 {
        for &(start, end, to, keep) in &self.spans {
            if y >= start && y < end {
                return if keep { to + (y - start) } else { to };
            }
        }
        match self.spans.first() {
            Some(&(start, _, to, _)) if y < start => to,
            _ => self.height,
        }
    }
}

/// A lane's name across its name band at `x`, wrapped, centred in the lane's height `h`.
fn lane_name(o: &mut String, x: i64, top: i64, h: i64, name: &str) {
    // A word longer than the band is hyphenated: Försörjningsstöds-enheten.
    let words: Vec<String> = name
        .split_whitespace()
        .flat_map(|w| {
            let chars: Vec<char> = w.chars().collect();
            if chars.len() <= 18 {
                return vec![w.to_string()];
            }
            let pieces: Vec<String> = chars.chunks(14).map(|c| c.iter().collect()).collect();
            let last = pieces.len() - 1;
            pieces
                .into_iter()
                .enumerate()
                .map(|(i, p)| if i < last { format!("{p}-") } else { p })
                .collect()
        })
        .collect();
    let lines = fit(&words.join(" "), 16, ((h - 6) / 11).max(1) as usize);
    let first = top + h / 2 - 11 * (lines.len() as i64 - 1) / 2 + 3;
    let _ = write!(o, r#"<text class="sg-lane-name" x="{x}" y="{first}">"#);
    for (i, line) in lines.iter().enumerate() {
        let dy = if i == 0 { 0 } else { 11 };
        let _ = write!(
            o,
            r#"<tspan x="{x}" dy="{dy}">{}</tspan>"#,
            bpmn::text(line)
        );
    }
    o.push_str("</text>\n");
}

/// `text` broken into at most `lines` lines of about `width` characters; the last one ends in
/// `…` when the text does not fit.
fn fit(text: &str, width: usize, lines: usize) -> Vec<String> {
    let mut all = super::wrap(text, width);
    // A single word longer than the line is cut.
    for l in &mut all {
        if l.chars().count() > width + 2 {
            *l = l.chars().take(width).collect::<String>() + "…";
        }
    }
    if all.len() > lines {
        all.truncate(lines);
        if let Some(last) = all.last_mut() {
            let kept: String = last.chars().take(width.saturating_sub(1)).collect();
            *last = format!("{}…", kept.trim_end());
        }
    }
    all
}

/// The name of an event or gateway, under it, or above it when a flow leaves from its bottom.
fn outside_label(o: &mut String, name: &str, r: Rect, ends: &[(i64, i64)]) {
    if name.is_empty() {
        return;
    }
    let lines = fit(name, 20, 2);
    let below = !ends.contains(&(r.cx(), r.bottom()));
    let first = if below {
        r.bottom() + 11
    } else {
        r.y - 4 - 11 * (lines.len() as i64 - 1)
    };
    let _ = write!(
        o,
        r#"<text class="sg-outside sg-cond" x="{}" y="{first}" text-anchor="middle" style="font-style:normal">"#,
        r.cx()
    );
    for (i, line) in lines.iter().enumerate() {
        let dy = if i == 0 { 0 } else { 11 };
        let _ = write!(
            o,
            r#"<tspan x="{}" dy="{dy}">{}</tspan>"#,
            r.cx(),
            bpmn::text(line)
        );
    }
    o.push_str("</text>");
}

/// A flow's name above the middle of its longest horizontal segment.
fn flow_label(o: &mut String, name: &str, pts: &[(i64, i64)]) {
    let Some((a, b)) = pts
        .windows(2)
        .map(|w| (w[0], w[1]))
        .filter(|(a, b)| a.1 == b.1)
        .max_by_key(|(a, b)| (a.0 - b.0).abs())
    else {
        return;
    };
    let lines = fit(name, 18, 2);
    let x = (a.0 + b.0) / 2;
    let y = a.1 - 4 - 10 * (lines.len() as i64 - 1);
    let _ = write!(
        o,
        r#"<text class="sg-cond" x="{x}" y="{y}" text-anchor="middle">"#
    );
    for (i, line) in lines.iter().enumerate() {
        let dy = if i == 0 { 0 } else { 10 };
        let _ = write!(
            o,
            r#"<tspan x="{x}" dy="{dy}">{}</tspan>"#,
            bpmn::text(line)
        );
    }
    o.push_str("</text>\n");
}

/// An orthogonal line through `pts`, with an arrowhead at its end when `arrow`.
fn polyline(o: &mut String, pts: &[(i64, i64)], arrow: bool) {
    let Some(&(x, y)) = pts.first() else { return };
    let mut d = format!("M{x} {y}");
    for &(x, y) in &pts[1..] {
        let _ = write!(d, "L{x} {y}");
    }
    let _ = write!(o, r#"<path class="sg-flow" d="{d}"/>"#);
    if let (true, [.., a, b]) = (arrow, pts) {
        let (dx, dy) = ((b.0 - a.0).signum(), (b.1 - a.1).signum());
        let (bx, by) = (b.0 - 8 * dx, b.1 - 8 * dy);
        let _ = write!(
            o,
            r#"<path class="sg-arrow" d="M{} {}L{} {}L{} {}Z"/>"#,
            b.0,
            b.1,
            bx + 4 * dy,
            by + 4 * dx,
            bx - 4 * dy,
            by - 4 * dx
        );
    }
    o.push('\n');
}

/// A lettered connector between parts (BPMN's link event).
fn link(o: &mut String, cx: i64, cy: i64, letter: &str, tip: &str) {
    let _ = writeln!(
        o,
        r#"<g class="sg-link"><title>{}</title><circle cx="{cx}" cy="{cy}" r="{LINK_R}"/><text x="{cx}" y="{}" text-anchor="middle">{}</text></g>"#,
        bpmn::text(tip),
        cy + 3,
        bpmn::text(letter)
    );
}

/// A letter (message) symbol 14 x 10 at (x, y); `filled` for one that is sent.
fn envelope(o: &mut String, x: i64, y: i64, filled: bool) {
    let class = if filled { "sg-sym-filled" } else { "sg-sym" };
    let _ = write!(
        o,
        r#"<path class="{class}" d="M{x} {y}h14v10h-14zM{x} {y}l7 5l7 -5"/>"#
    );
}

/// What a trigger says in Swedish: `efter 14 dagar`, `var 3:e månad`, or the event's name.
fn trigger_sv(t: &Trig) -> String {
    match t {
        Trig::Event(e) => words(e),
        Trig::After(d) => format!("efter {}", duration_sv(*d)),
        Trig::Every(d) => every_sv(*d),
    }
}

/// `14 dagar`, `3 mån`, `1 mån 15 dagar`.
fn duration_sv(d: Duration) -> String {
    let days = |n: u32| {
        if n == 1 {
            "1 dag".to_string()
        } else {
            format!("{n} dagar")
        }
    };
    match (d.months, d.days) {
        (0, n) => days(n),
        (m, 0) => format!("{m} mån"),
        (m, n) => format!("{m} mån {}", days(n)),
    }
}

/// `varje månad`, `var 3:e månad`, `var 14:e dag`.
fn every_sv(d: Duration) -> String {
    let ordinal = |n: u32| {
        let suffix = if matches!(n % 10, 1 | 2) && !matches!(n % 100, 11 | 12) {
            "a"
        } else {
            "e"
        };
        format!("{n}:{suffix}")
    };
    match (d.months, d.days) {
        (1, 0) => "varje månad".to_string(),
        (m, 0) => format!("var {} månad", ordinal(m)),
        (0, 1) => "varje dag".to_string(),
        (0, n) => format!("var {} dag", ordinal(n)),
        _ => format!("var {}", duration_sv(d)),
    }
}

/// A flow's name as the drawing shows it (`else` is `annars`).
fn flow_name(n: &str) -> String {
    match n {
        "else" => "annars".to_string(),
        "always" => "alltid".to_string(),
        n => words(n),
    }
}

/// An id read as words: `franvaro_rapporterad` becomes `franvaro rapporterad`.
fn words(id: &str) -> String {
    if id.contains(' ') {
        id.to_string()
    } else {
        id.replace('_', " ")
    }
}

/// A step kind in Swedish.
fn kind_sv(k: crate::model::StepKind) -> &'static str {
    use crate::model::StepKind::*;
    match k {
        Task => "uppgift",
        Decision => "beslut",
        Fork => "delning",
        Join => "samman\u{AD}föring",
        Wait => "väntan",
        Referral => "remiss",
        End => "slut",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_count_like_spreadsheet_columns() {
        assert_eq!(letters(0), "A");
        assert_eq!(letters(25), "Z");
        assert_eq!(letters(26), "AA");
        assert_eq!(letters(27), "AB");
        assert_eq!(letters(26 + 26 * 26), "AAA");
    }

    #[test]
    fn timers_read_in_swedish() {
        assert_eq!(
            trigger_sv(&Trig::After(Duration::days(14))),
            "efter 14 dagar"
        );
        assert_eq!(trigger_sv(&Trig::After(Duration::months(1))), "efter 1 mån");
        assert_eq!(
            trigger_sv(&Trig::Every(Duration::months(3))),
            "var 3:e månad"
        );
        assert_eq!(trigger_sv(&Trig::Every(Duration::months(1))), "varje månad");
        assert_eq!(
            trigger_sv(&Trig::Every(Duration::months(2))),
            "var 2:a månad"
        );
        assert_eq!(trigger_sv(&Trig::Every(Duration::days(11))), "var 11:e dag");
        assert_eq!(
            trigger_sv(&Trig::Event("franvaro_rapporterad".into())),
            "franvaro rapporterad"
        );
    }

    #[test]
    fn long_names_are_cut_with_an_ellipsis() {
        assert_eq!(
            fit("Beslut om ekonomiskt bistånd", 16, 3),
            ["Beslut om", "ekonomiskt", "bistånd"]
        );
        let cut = fit("ett två tre fyra fem sex sju åtta nio tio elva tolv", 8, 2);
        assert_eq!(cut.len(), 2);
        assert!(cut[1].ends_with('…'), "{cut:?}");
    }
}
