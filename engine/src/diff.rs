//! `steg diff`: two municipalities side by side, after `extends` is resolved.
//!
//! Each thing both configurations name (a workflow, a step, a unit, a role, a parameter, an
//! event, an obligation) is described as a list of `field: value` lines in the configuration's
//! own words (step ids, rule names, role ids); two descriptions are compared line by line.
//! Names, titles and `source:` citations are not compared (they are how each municipality
//! writes, not what its process does), but titles are shown beside what only one side has.

use crate::model::{Deadline, Guard, Map, Step, Value, Workflow};
use crate::municipality::Municipality;
use serde::Serialize;

/// The differences between two municipalities: `a` (shown with `-`) and `b` (with `+`).
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// The first municipality.
    pub a: Side,
    /// The second municipality.
    pub b: Side,
    /// The workflows, in `a`'s order with `b`'s own merged in.
    pub workflows: Vec<WorkflowDiff>,
    /// The organisation and the figures: units, roles (staff), parameters, events,
    /// obligations. Sections without differences are left out.
    pub sections: Vec<Section>,
}

/// One of the two municipalities.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// Folder name, e.g. `lindesberg`.
    pub folder: String,
    /// The name in `municipality.yaml`, e.g. `Lindesberg`.
    pub municipality: String,
    /// The folder as given.
    pub dir: String,
    /// Its `extends:`, as written.
    pub extends: Option<String>,
}

/// How an entry differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Only the first municipality has it.
    OnlyInA,
    /// Only the second municipality has it.
    OnlyInB,
    /// Both have it, described differently.
    Changed,
}

/// One `field: value` line of an entry's description. List-valued fields (`next`, `on`,
/// `returns`, ...) give one line per element, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// The field, as written in YAML.
    pub field: &'static str,
    /// Its value, in the configuration's words.
    pub value: String,
}

/// A field whose lines differ, with both sides' lines.
#[derive(Debug, Clone, Serialize)]
pub struct FieldDiff {
    /// The field.
    pub field: &'static str,
    /// Its lines in `a` (empty when `a` does not write it).
    pub a: Vec<String>,
    /// Its lines in `b`.
    pub b: Vec<String>,
}

/// An entry (step, unit, role, ...) that differs.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Its id.
    pub id: String,
    /// Its title, from the side that has it (`a`'s when both do).
    pub title: Option<String>,
    /// How it differs.
    pub change: Change,
    /// The entry's whole description, for an entry only one side has.
    pub fields: Vec<Field>,
    /// The fields that differ, for an entry both have.
    pub differences: Vec<FieldDiff>,
}

/// A named group of entries: `units`, `roles`, `parameters`, `events`, `obligations`.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// The section's key in `municipality.yaml`.
    pub name: &'static str,
    /// The entries that differ.
    pub items: Vec<Item>,
}

/// A workflow's differences.
#[derive(Debug, Clone, Serialize)]
pub struct WorkflowDiff {
    /// The workflow id.
    pub id: String,
    /// Its title (`a`'s when both have one).
    pub title: Option<String>,
    /// Only in one, or in both (then `changed` even when every step is the same).
    pub change: Change,
    /// Workflow-level fields that differ (`start`, `unit`, being an entry workflow).
    pub differences: Vec<FieldDiff>,
    /// Steps only in one, or described differently, in process order.
    pub steps: Vec<Item>,
    /// Steps both have, described the same.
    pub same: usize,
    /// Number of steps in `a` and in `b`.
    pub counts: (usize, usize),
}

/// Compare two loaded municipalities.
pub fn diff(a: &Municipality, b: &Municipality) -> Diff {
    let side = |m: &Municipality| Side {
        folder: m.name.clone(),
        municipality: m
            .def
            .as_ref()
            .map_or(m.name.clone(), |(_, d)| d.municipality.value.clone()),
        dir: m.dir.display().to_string(),
        extends: m
            .def
            .as_ref()
            .and_then(|(_, d)| d.extends.as_ref().map(|e| e.value.clone())),
    };
    Diff {
        a: side(a),
        b: side(b),
        workflows: workflows(a, b),
        sections: sections(a, b),
    }
}

impl Diff {
    /// Whether the two municipalities are described the same.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
            && self.workflows.iter().all(|w| {
                w.change == Change::Changed && w.differences.is_empty() && w.steps.is_empty()
            })
    }
}

/// Edit script between two sequences: `Some((i, j))` for an element both have, `(Some(i),
/// None)` only in `a`, `(None, Some(j))` only in `b`. Longest common subsequence; the lists
/// compared here have tens of elements.
pub fn align<T: PartialEq>(a: &[T], b: &[T]) -> Vec<(Option<usize>, Option<usize>)> {
    let (n, m) = (a.len(), b.len());
    let mut len = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            len[i][j] = if a[i] == b[j] {
                len[i + 1][j + 1] + 1
            } else {
                len[i + 1][j].max(len[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push((Some(i), Some(j)));
            i += 1;
            j += 1;
        } else if j == m || (i < n && len[i + 1][j] >= len[i][j + 1]) {
            out.push((Some(i), None));
            i += 1;
        } else {
            out.push((None, Some(j)));
            j += 1;
        }
    }
    out
}

/// The order fields are described and shown in; others come after, as they first appear.
const FIELD_ORDER: &[&str] = &[
    "kind",
    "actor",
    "unit",
    "part_of",
    "staff",
    "value",
    "reported_by",
    "start",
    "entry",
    "legal_basis",
    "duration",
    "effort",
    "within",
    "next",
    "on",
    "refer_to",
    "returns",
    "outcome",
    "emits",
    "set",
];

/// The fields whose lines differ, in [`FIELD_ORDER`].
fn differences(a: &[Field], b: &[Field]) -> Vec<FieldDiff> {
    let mut names: Vec<&'static str> = Vec::new();
    for f in a.iter().chain(b) {
        if !names.contains(&f.field) {
            names.push(f.field);
        }
    }
    let rank = |n: &str| {
        FIELD_ORDER
            .iter()
            .position(|f| *f == n)
            .unwrap_or(FIELD_ORDER.len())
    };
    names.sort_by_key(|n| rank(n));
    names
        .into_iter()
        .filter_map(|name| {
            let pick = |fs: &[Field]| -> Vec<String> {
                fs.iter()
                    .filter(|f| f.field == name)
                    .map(|f| f.value.clone())
                    .collect()
            };
            let (va, vb) = (pick(a), pick(b));
            (va != vb).then_some(FieldDiff {
                field: name,
                a: va,
                b: vb,
            })
        })
        .collect()
}

fn field(field: &'static str, value: impl Into<String>) -> Field {
    Field {
        field,
        value: value.into(),
    }
}

/// Compare two maps of named entries, each described by `describe`, in `a`'s order with
/// `b`'s own entries where `b` has them.
fn compare<V>(
    a: &Map<V>,
    b: &Map<V>,
    title: impl Fn(&V) -> Option<String>,
    describe: impl Fn(&V) -> Vec<Field>,
) -> (Vec<Item>, usize) {
    let ka: Vec<&str> = a.keys().collect();
    let kb: Vec<&str> = b.keys().collect();
    let mut items = Vec::new();
    let mut same = 0;
    let mut done_b = vec![false; kb.len()];
    // Entries both have are matched by id wherever they stand; the order of the output
    // follows an alignment of the two id lists so that `b`'s own entries appear near their
    // neighbours.
    let order = align(&ka, &kb);
    for (i, j) in order {
        let (id, va, vb) = match (i, j) {
            (Some(i), _) => {
                let j = kb.iter().position(|k| *k == ka[i]);
                if let Some(j) = j {
                    done_b[j] = true;
                }
                (ka[i], a.get(ka[i]), j.and_then(|_| b.get(ka[i])))
            }
            (None, Some(j)) => {
                if done_b[j] || ka.contains(&kb[j]) {
                    continue;
                }
                done_b[j] = true;
                (kb[j], None, b.get(kb[j]))
            }
            (None, None) => continue,
        };
        match (va, vb) {
            (Some(x), Some(y)) => {
                let (fa, fb) = (describe(x), describe(y));
                let diffs = differences(&fa, &fb);
                if diffs.is_empty() {
                    same += 1;
                } else {
                    items.push(Item {
                        id: id.to_string(),
                        title: title(x).or_else(|| title(y)),
                        change: Change::Changed,
                        fields: Vec::new(),
                        differences: diffs,
                    });
                }
            }
            (Some(x), None) => items.push(Item {
                id: id.to_string(),
                title: title(x),
                change: Change::OnlyInA,
                fields: describe(x),
                differences: Vec::new(),
            }),
            (None, Some(y)) => items.push(Item {
                id: id.to_string(),
                title: title(y),
                change: Change::OnlyInB,
                fields: describe(y),
                differences: Vec::new(),
            }),
            (None, None) => {}
        }
    }
    (items, same)
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn value(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(*n),
        Value::Text(s) => s.clone(),
    }
}

fn deadline(d: &Deadline) -> String {
    match &d.from {
        Some(from) => format!("{} from {}", d.duration.value, from.value),
        None => d.duration.value.to_string(),
    }
}

/// A step as `field: value` lines: what it does and where it leads.
pub(crate) fn describe_step(s: &Step) -> Vec<Field> {
    let mut out = vec![field("kind", s.kind().as_str())];
    if let Some(a) = &s.actor {
        out.push(field("actor", a.value.clone()));
    }
    if let Some(u) = &s.unit {
        out.push(field("unit", u.value.clone()));
    }
    if let Some(l) = &s.legal_basis {
        out.push(field("legal_basis", l.text()));
    }
    if let Some(d) = &s.duration {
        out.push(field("duration", d.value.to_string()));
    }
    if let Some(e) = &s.effort {
        let m = e.value.minutes;
        let text = if m >= 60.0 && (m / 60.0).fract() == 0.0 {
            format!("{}h", number(m / 60.0))
        } else {
            format!("{}min", number(m))
        };
        out.push(field("effort", text));
    }
    if let Some(w) = &s.within {
        out.push(field("within", deadline(w)));
    }
    for t in s.transitions() {
        let text = match &t.guard {
            Guard::Always => format!("→ {}", t.to.value),
            Guard::When(c) => format!("when {} → {}", c.value, t.to.value),
            Guard::Else => format!("else → {}", t.to.value),
        };
        out.push(field("next", text));
    }
    for t in &s.on {
        let what = match (&t.event, &t.after, &t.every) {
            (Some(e), _, _) => format!("event {}", e.value),
            (_, Some(d), _) => format!("after {}", d.value),
            (_, _, Some(d)) => format!("every {}", d.value),
            _ => "?".to_string(),
        };
        out.push(field("on", format!("{what} → {}", t.to.value)));
    }
    if let Some(r) = &s.refer_to {
        if let Some(w) = &r.workflow {
            out.push(field("refer_to", format!("workflow {}", w.value)));
        }
        if let Some(u) = &r.unit {
            out.push(field("refer_to", format!("unit {}", u.value)));
        }
    }
    for (answer, to) in s.returns.iter() {
        out.push(field("returns", format!("{} → {}", answer.value, to.value)));
    }
    if let Some(o) = &s.outcome {
        out.push(field("outcome", o.value.clone()));
    }
    if let Some(e) = &s.emits {
        out.push(field("emits", e.value.clone()));
    }
    for (k, v) in &s.set {
        out.push(field("set", format!("{k} = {v}")));
    }
    out
}

fn entries(m: &Municipality) -> Vec<String> {
    m.def
        .as_ref()
        .map(|(_, d)| d.entry.iter().map(|e| e.value.clone()).collect())
        .unwrap_or_default()
}

fn workflows(a: &Municipality, b: &Municipality) -> Vec<WorkflowDiff> {
    let ids = |m: &Municipality| -> Vec<String> {
        m.workflows.iter().map(|w| w.name().to_string()).collect()
    };
    let (ia, ib) = (ids(a), ids(b));
    let find = |m: &'_ Municipality, id: &str| -> Option<usize> {
        m.workflows.iter().position(|w| w.name() == id)
    };
    let (ea, eb) = (entries(a), entries(b));
    let mut out = Vec::new();
    let mut order: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    // Where cases start first (the process in reading order), then the rest in `a`'s order.
    let mut ia_order: Vec<usize> = (0..ia.len()).collect();
    ia_order.sort_by_key(|&i| ea.iter().position(|e| *e == ia[i]).unwrap_or(ea.len()));
    for i in ia_order {
        order.push((Some(i), find(b, &ia[i])));
    }
    for (j, id) in ib.iter().enumerate() {
        if find(a, id).is_none() {
            order.push((None, Some(j)));
        }
    }
    for (i, j) in order {
        let wa = i.map(|i| &a.workflows[i]);
        let wb = j.map(|j| &b.workflows[j]);
        out.push(workflow(wa, wb, &ea, &eb));
    }
    out
}

fn workflow_fields(w: &Workflow, entry: &[String]) -> Vec<Field> {
    let mut out = Vec::new();
    if let Some(s) = &w.def.start {
        out.push(field("start", s.value.clone()));
    }
    if let Some(u) = &w.def.unit {
        out.push(field("unit", u.value.clone()));
    }
    if entry.iter().any(|e| e == w.name()) {
        out.push(field("entry", "cases start here"));
    }
    out
}

fn workflow(
    wa: Option<&Workflow>,
    wb: Option<&Workflow>,
    ea: &[String],
    eb: &[String],
) -> WorkflowDiff {
    let title = |w: Option<&Workflow>| w.and_then(|w| w.def.title.clone());
    let steps = |w: Option<&Workflow>| w.map_or(0, |w| w.def.steps.len());
    let (change, differences) = match (wa, wb) {
        (Some(x), Some(y)) => (
            Change::Changed,
            differences(&workflow_fields(x, ea), &workflow_fields(y, eb)),
        ),
        (Some(_), None) => (Change::OnlyInA, Vec::new()),
        _ => (Change::OnlyInB, Vec::new()),
    };
    let empty = Map::default();
    let (items, same) = match change {
        Change::Changed => compare(
            wa.map_or(&empty, |w| &w.def.steps),
            wb.map_or(&empty, |w| &w.def.steps),
            |s: &Step| s.title.clone(),
            describe_step,
        ),
        // A workflow only one side has is summarised by its step count, not listed.
        _ => (Vec::new(), 0),
    };
    let id = wa.or(wb).map_or(String::new(), |w| w.name().to_string());
    WorkflowDiff {
        id,
        title: title(wa).or_else(|| title(wb)),
        change,
        differences,
        steps: items,
        same,
        counts: (steps(wa), steps(wb)),
    }
}

fn sections(a: &Municipality, b: &Municipality) -> Vec<Section> {
    let (Some((_, da)), Some((_, db))) = (a.def.as_ref(), b.def.as_ref()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut push = |name: &'static str, (items, _): (Vec<Item>, usize)| {
        if !items.is_empty() {
            out.push(Section { name, items });
        }
    };
    push(
        "roles",
        compare(
            &da.roles,
            &db.roles,
            |r| r.title.clone(),
            |r| {
                let mut f = Vec::new();
                if let Some(u) = &r.unit {
                    f.push(field("unit", u.value.clone()));
                }
                if let Some(s) = &r.staff {
                    f.push(field(
                        "staff",
                        s.value.count().map_or("unlimited".to_string(), number),
                    ));
                }
                f
            },
        ),
    );
    push(
        "units",
        compare(
            &da.units,
            &db.units,
            |u| u.title.clone(),
            |u| {
                u.part_of
                    .iter()
                    .map(|p| field("part_of", p.value.clone()))
                    .collect()
            },
        ),
    );
    push(
        "parameters",
        compare(
            &da.parameters,
            &db.parameters,
            |p| p.description.clone(),
            |p| vec![field("value", value(&p.value.value))],
        ),
    );
    push(
        "events",
        compare(
            &da.events,
            &db.events,
            |e| e.description.clone(),
            |e| {
                e.reported_by
                    .iter()
                    .map(|r| field("reported_by", r.value.clone()))
                    .collect()
            },
        ),
    );
    push(
        "obligations",
        compare(
            &da.obligations,
            &db.obligations,
            |o| o.requirement.clone(),
            |o| {
                let mut f = Vec::new();
                let mut name = |k: &'static str, v: &Option<crate::model::Node<String>>| {
                    if let Some(v) = v {
                        f.push(field(k, v.value.clone()));
                    }
                };
                name("after", &o.after);
                name("then", &o.then);
                name("every", &o.every);
                name("reviewed_by", &o.reviewed_by);
                name("event", &o.event);
                name("reaches", &o.reaches);
                if let Some(d) = &o.within {
                    f.push(field("within", d.value.to_string()));
                }
                if o.referrals_return.as_ref().is_some_and(|r| r.value) {
                    f.push(field("referrals_return", "true"));
                }
                for u in &o.unless {
                    f.push(field("unless", u.value.clone()));
                }
                f
            },
        ),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn align_keeps_common_elements_in_order() {
        let a = ["ansokan", "utredning", "beslut", "avslut"];
        let b = ["ansokan", "mottagning", "utredning", "avslut"];
        let ops = align(&a, &b);
        assert_eq!(
            ops,
            vec![
                (Some(0), Some(0)),
                (None, Some(1)),
                (Some(1), Some(2)),
                (Some(2), None),
                (Some(3), Some(3)),
            ]
        );
    }

    #[test]
    fn differences_name_only_the_fields_that_differ() {
        let a = vec![field("kind", "task"), field("actor", "socialsekreterare")];
        let b = vec![
            field("kind", "task"),
            field("actor", "socialsekreterare_mottagning"),
        ];
        let d = differences(&a, &b);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].field, "actor");
        assert_eq!(d[0].a, vec!["socialsekreterare".to_string()]);
    }
}
