//! Root causes first: a diagnostic that is only a consequence of another is folded into it as a
//! follow-on, and the cause says what follows from it ("9 steps are unreachable because of
//! this"), instead of the designer reading ten errors for one typo.
//!
//! "Only a consequence" is tested, not guessed: a diagnostic with a fix (a "did you mean") is
//! fixed in memory, the municipality is loaded and checked again, and whatever disappeared with
//! it was caused by it. A dead end has no fix to try; what follows from it is read off the graph
//! (a step that cannot finish because every way on runs into the dead end, a referral to a
//! workflow that cannot end for that reason).

use crate::codes;
use crate::diagnostic::{Diagnostic, Fix, Severity, SourceMap};
use crate::graph::Graph;
use crate::municipality::Municipality;
use petgraph::graph::NodeIndex;
use std::collections::HashMap;

/// At most this many fixes are tried per municipality (each is one more load and check).
pub(crate) const MAX_FIXES_TRIED: usize = 16;

/// What identifies a diagnostic across two runs whose byte offsets may differ after a fix:
/// code, file, line, step and message (columns after the fix on its line may shift).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    code: &'static str,
    file: Option<std::path::PathBuf>,
    line: Option<u32>,
    step: Option<String>,
    message: String,
}

impl Key {
    fn of(d: &Diagnostic, sources: &SourceMap) -> Key {
        Key {
            code: d.check.code,
            file: d.span.as_ref().map(|s| sources.get(s.file).path.clone()),
            line: d.span.as_ref().map(|s| s.loc.line),
            step: d.step.clone(),
            message: d.message.clone(),
        }
    }

    /// The keys of `diags` and of their follow-ons, counted.
    pub(crate) fn count(diags: &[Diagnostic], sources: &SourceMap) -> HashMap<Key, usize> {
        let mut out = HashMap::new();
        fn walk(ds: &[Diagnostic], sources: &SourceMap, out: &mut HashMap<Key, usize>) {
            for d in ds {
                *out.entry(Key::of(d, sources)).or_default() += 1;
                walk(&d.follow_on, sources, out);
            }
        }
        walk(diags, sources, &mut out);
        out
    }
}

/// Errors first, then warnings; within a severity by file, line and column.
pub(crate) fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (
                std::cmp::Reverse(d.severity),
                d.span.as_ref().map(|s| (s.file, s.loc.line, s.loc.column)),
                d.check.code,
            )
        };
        key(a).cmp(&key(b))
    });
    for d in diags {
        sort(&mut d.follow_on);
    }
}

/// Fold the diagnostics that disappear when an error's fix is applied into that error.
/// `rerun(fix)` loads and checks the municipality again with the fix applied and returns the
/// keys of what it finds (`None` when the fix cannot be applied).
pub(crate) fn group(
    mut diags: Vec<Diagnostic>,
    sources: &SourceMap,
    rerun: &dyn Fn(&Fix) -> Option<HashMap<Key, usize>>,
) -> Vec<Diagnostic> {
    sort(&mut diags);
    let keys: Vec<Key> = diags.iter().map(|d| Key::of(d, sources)).collect();
    // `owner[j] = Some(i)`: diagnostic j is a follow-on of i.
    let mut owner: Vec<Option<usize>> = vec![None; diags.len()];
    let mut tried = 0;
    for i in 0..diags.len() {
        if owner[i].is_some() || diags[i].severity != Severity::Error {
            continue;
        }
        let Some(fix) = diags[i].fix.clone() else {
            continue;
        };
        if tried == MAX_FIXES_TRIED {
            break;
        }
        tried += 1;
        let Some(mut after) = rerun(&fix) else {
            continue;
        };
        let left = |after: &mut HashMap<Key, usize>, k: &Key| match after.get_mut(k) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        };
        // A fix that does not remove its own diagnostic says nothing about the others.
        if left(&mut after, &keys[i]) {
            continue;
        }
        for j in 0..diags.len() {
            if j != i && owner[j].is_none() && !left(&mut after, &keys[j]) {
                owner[j] = Some(i);
            }
        }
    }
    // Follow-ons of follow-ons belong to the first cause.
    let root = |mut j: usize| {
        while let Some(i) = owner[j] {
            j = i;
        }
        j
    };
    let mut follow: Vec<Vec<Diagnostic>> = vec![Vec::new(); diags.len()];
    let mut top = Vec::new();
    for (j, d) in diags.into_iter().enumerate() {
        if owner[j].is_some() {
            let r = root(j);
            let mut d = d;
            let mut nested = std::mem::take(&mut d.follow_on);
            d.notes.clear();
            follow[r].push(d);
            follow[r].append(&mut nested);
        } else {
            top.push((j, d));
        }
    }
    let mut out = Vec::with_capacity(top.len());
    for (j, mut d) in top {
        d.follow_on.append(&mut follow[j]);
        annotate(&mut d);
        out.push(d);
    }
    sort(&mut out);
    out
}

/// Fold what a dead end (G005) causes into it: a step that cannot reach an end (G006) because
/// it runs into the dead end, a referral to a workflow that can never end (G009) because that
/// workflow runs into it.
pub(crate) fn dead_ends(m: &Municipality, diags: &mut Vec<Diagnostic>) {
    if !diags.iter().any(|d| d.check == &codes::DEAD_END) {
        return;
    }
    let g = Graph::build(m);
    let dead: Vec<(usize, NodeIndex)> = diags
        .iter()
        .enumerate()
        .filter(|(_, d)| d.check == &codes::DEAD_END)
        .filter_map(|(i, d)| Some((i, node_of(m, &g, d.step.as_deref()?)?)))
        .collect();
    let mut moves: Vec<(usize, usize)> = Vec::new();
    for (j, d) in diags.iter().enumerate() {
        let from = match d.check.code {
            "G006" => d.step.as_deref().and_then(|s| node_of(m, &g, s)),
            // A referral waiting for a workflow that can never end: from that workflow's start.
            "G009" => d
                .step
                .as_deref()
                .and_then(|s| node_of(m, &g, s))
                .and_then(|n| {
                    let s = g.g[n];
                    let step = &m.workflows[s.workflow].def.steps.0[s.step].1;
                    let target = step.refer_to.as_ref()?.workflow.as_ref()?;
                    let &tw = g.workflow_index.get(&target.value)?;
                    g.outcomes[tw].is_empty().then_some(g.starts[tw]).flatten()
                }),
            _ => None,
        };
        let Some(from) = from else { continue };
        let reach = g.forward(&[from], false);
        if let Some(&(i, _)) = dead.iter().find(|(_, n)| reach[n.index()]) {
            moves.push((j, i));
        }
    }
    if moves.is_empty() {
        return;
    }
    let mut taken: Vec<Option<Diagnostic>> = std::mem::take(diags).into_iter().map(Some).collect();
    let mut follow: HashMap<usize, Vec<Diagnostic>> = HashMap::new();
    for &(j, i) in &moves {
        if let Some(d) = taken[j].take() {
            follow.entry(i).or_default().push(d);
        }
    }
    for (i, d) in taken.into_iter().enumerate() {
        if let Some(mut d) = d {
            if let Some(mut f) = follow.remove(&i) {
                d.follow_on.append(&mut f);
            }
            diags.push(d);
        }
    }
}

/// The graph node of `workflow.step`.
fn node_of(m: &Municipality, g: &Graph, step: &str) -> Option<NodeIndex> {
    let (w, s) = step.split_once('.')?;
    let wi = m.workflows.iter().position(|x| x.name() == w)?;
    let &si = g.step_index[wi].get(s)?;
    Some(g.nodes[wi][si])
}

/// Say what follows from `d`: one note per kind of follow-on.
pub(crate) fn annotate(d: &mut Diagnostic) {
    d.notes.clear();
    if d.follow_on.is_empty() {
        return;
    }
    let own_workflow = d
        .step
        .as_deref()
        .and_then(|s| s.split_once('.'))
        .map(|(w, _)| w.to_string());
    let mut by_code: Vec<(&'static crate::CheckInfo, Vec<&Diagnostic>)> = Vec::new();
    for f in &d.follow_on {
        match by_code.iter_mut().find(|(c, _)| std::ptr::eq(*c, f.check)) {
            Some((_, v)) => v.push(f),
            None => by_code.push((f.check, vec![f])),
        }
    }
    by_code.sort_by_key(|(c, _)| c.code);
    for (check, list) in by_code {
        let n = list.len();
        let steps: Vec<String> = list
            .iter()
            .filter_map(|f| f.step.as_deref())
            .map(|s| match (s.split_once('.'), &own_workflow) {
                (Some((w, step)), Some(own)) if w == own => format!("`{step}`"),
                _ => format!("`{s}`"),
            })
            .collect();
        let names = if steps.len() == n {
            const SHOWN: usize = 12;
            let mut s = steps
                .iter()
                .take(SHOWN)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if n > SHOWN {
                s.push_str(&format!(" and {} more", n - SHOWN));
            }
            format!(": {s}")
        } else {
            String::new()
        };
        let plural = |one: &str, many: &str| {
            if n == 1 {
                one.to_string()
            } else {
                many.to_string()
            }
        };
        let text = match check.code {
            "G004" => format!(
                "{n} {} because of this{names}",
                plural("step is unreachable", "steps are unreachable")
            ),
            "G005" => format!(
                "{n} {} because of this{names}",
                plural("step is a dead end", "steps are dead ends")
            ),
            "G006" => format!(
                "{n} {} because of this{names}",
                plural("step cannot reach an end", "steps cannot reach an end")
            ),
            "G009" => format!(
                "{n} {} because of this{names}",
                plural(
                    "referral never gets an answer",
                    "referrals never get an answer"
                )
            ),
            _ => format!(
                "{n} more {} because of this ({} {}){names}",
                plural("diagnostic", "diagnostics"),
                check.code,
                check.name
            ),
        };
        d.notes.push(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{loc_at, Span};

    fn sources() -> SourceMap {
        let mut s = SourceMap::default();
        s.add("w.yaml".into(), "a\nb\nc\nd\n".into());
        s
    }

    fn diag(code: &'static crate::CheckInfo, line: usize, step: &str) -> Diagnostic {
        let text = "a\nb\nc\nd\n";
        let loc = loc_at(text, (line - 1) * 2, 1);
        Diagnostic::new(
            code,
            Some(Span {
                file: crate::FileId(0),
                loc,
            }),
            format!("at {line}"),
        )
        .step("w", step)
    }

    /// An oracle rerun: the diagnostics that remain when `fix` is applied, listed by hand.
    fn rerun_leaving(keep: Vec<Diagnostic>) -> impl Fn(&Fix) -> Option<HashMap<Key, usize>> {
        move |_| Some(Key::count(&keep, &sources()))
    }

    #[test]
    fn what_disappears_with_the_fix_is_folded_into_the_cause() {
        let s = sources();
        let cause = diag(&codes::UNKNOWN_REFERENCE, 1, "a").fix(
            Span {
                file: crate::FileId(0),
                loc: loc_at("a", 0, 1),
            },
            "x",
        );
        let unreachable = [
            diag(&codes::UNREACHABLE_STEP, 2, "b"),
            diag(&codes::UNREACHABLE_STEP, 3, "c"),
        ];
        let independent = diag(&codes::DEAD_END, 4, "d");
        let all = vec![
            cause.clone(),
            unreachable[0].clone(),
            unreachable[1].clone(),
            independent.clone(),
        ];
        let out = group(all, &s, &rerun_leaving(vec![independent.clone()]));
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].code(), "G001");
        assert_eq!(out[0].follow_on.len(), 2);
        assert_eq!(
            out[0].notes,
            ["2 steps are unreachable because of this: `b`, `c`"]
        );
        assert_eq!(out[1].code(), "G005");
    }

    #[test]
    fn a_fix_that_does_not_remove_its_own_diagnostic_proves_nothing() {
        let s = sources();
        let cause = diag(&codes::UNKNOWN_REFERENCE, 1, "a").fix(
            Span {
                file: crate::FileId(0),
                loc: loc_at("a", 0, 1),
            },
            "x",
        );
        let other = diag(&codes::UNREACHABLE_STEP, 2, "b");
        let out = group(vec![cause.clone(), other], &s, &rerun_leaving(vec![cause]));
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|d| d.follow_on.is_empty()));
    }

    #[test]
    fn errors_come_before_warnings_then_by_line() {
        let mut ds = vec![
            diag(&codes::DECISION_WITHOUT_LEGAL_BASIS, 1, "a"),
            diag(&codes::DEAD_END, 3, "c"),
            diag(&codes::UNREACHABLE_STEP, 2, "b"),
        ];
        sort(&mut ds);
        let codes: Vec<&str> = ds.iter().map(|d| d.code()).collect();
        assert_eq!(codes, ["G004", "G005", "G008"]);
    }
}
