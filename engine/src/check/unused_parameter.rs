//! R007: a parameter of municipality.yaml that nothing reads.

use crate::codes::UNUSED_PARAMETER;

use super::Cx;
use crate::diagnostic::{Diagnostic, FileId, Span};
use std::collections::BTreeSet;

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    let Some((def_file, def)) = &cx.m.def else {
        return;
    };
    // Every file the municipality is read from: its own and its bases' (through the locations
    // of what they define), its workflows, its rules.
    let mut files: BTreeSet<FileId> = BTreeSet::new();
    files.insert(*def_file);
    for (k, _) in def.parameters.iter() {
        files.extend(k.loc.file);
    }
    for w in &cx.m.workflows {
        files.insert(w.file);
        for (k, _) in w.def.steps.iter() {
            files.extend(k.loc.file);
        }
    }
    files.extend(cx.m.rules.files.iter().map(|(f, _)| *f));
    let texts: Vec<(bool, &str)> = files
        .iter()
        .map(|f| {
            let s = cx.sources.get(*f);
            let rhai = s.path.extension().is_some_and(|e| e == "rhai");
            (rhai, s.text.as_str())
        })
        .collect();
    for (k, _) in def.parameters.iter() {
        let name = k.value.as_str();
        // A base's parameters are a library for the folders that extend it (as shared rules
        // are, R002): reported in none of them, nor in the base.
        if def.base || k.loc.file.is_some_and(|f| f != *def_file) {
            continue;
        }
        if texts.iter().any(|(rhai, t)| reads(t, name, *rhai)) {
            continue;
        }
        let Some(file) = k.loc.file.or(Some(*def_file)) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &UNUSED_PARAMETER,
                Some(Span { file, loc: k.loc }),
                format!("parameter `{name}` is read by nothing"),
            )
            .label("defined here, never read")
            .help(format!(
                "read it where the figure applies (`params.{name}` in a rule, or as a duration: `within: {{ duration: params.{name} }}`), or remove it"
            )),
        );
    }
}

/// Whether `text` reads `params.NAME` (or `params["NAME"]`) outside comments.
fn reads(text: &str, name: &str, rhai: bool) -> bool {
    let dotted = format!("params.{name}");
    let indexed = format!("params[\"{name}\"]");
    text.lines().any(|line| {
        let code = if rhai {
            line.split("//").next().unwrap_or("")
        } else if line.trim_start().starts_with('#') {
            ""
        } else {
            line.split(" #").next().unwrap_or("")
        };
        code.contains(&indexed)
            || code.match_indices(&dotted).any(|(i, _)| {
                !code[i + dotted.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
    })
}
