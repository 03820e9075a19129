//! `steg diff A B`: two municipalities side by side, as `-`/`+` lines grouped by workflow and
//! then by organisation (roles and staff, units, parameters, events, obligations), or as JSON.

use std::io::{self, Write};
use std::path::Path;
use steg_engine as engine;
use steg_engine::{Change, Diff, Field, FieldDiff, Item};

/// Load one municipality for comparing: every file must be readable (a model with errors can
/// still be compared; `steg check` shows them).
fn load(
    arg: &Path,
    sources: &mut engine::SourceMap,
) -> Result<engine::Municipality, Box<dyn std::error::Error>> {
    let dirs = engine::discover(&[arg.to_path_buf()])?;
    let [dir] = dirs.as_slice() else {
        return Err(format!(
            "{} holds {} municipalities; name one",
            arg.display(),
            dirs.len()
        )
        .into());
    };
    let mut diags = Vec::new();
    let m = engine::load_municipality(dir, sources, &mut diags);
    if !m.complete {
        let report = engine::Report {
            sources: sources.clone(),
            municipalities: vec![],
            diagnostics: diags,
        };
        crate::render::diagnostics(&mut io::stderr().lock(), &report, false)?;
        return Err(format!(
            "{} does not load; `steg check {}` shows why",
            dir.display(),
            dir.display()
        )
        .into());
    }
    Ok(m)
}

/// Compare `a` and `b` and print the differences.
pub fn diff(a: &Path, b: &Path, json: bool) -> crate::CliResult {
    let mut sources = engine::SourceMap::default();
    let ma = load(a, &mut sources)?;
    let mb = load(b, &mut sources)?;
    let d = engine::diff(&ma, &mb);
    let mut out = io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &d)?;
        writeln!(out)?;
    } else {
        // Ids and titles come from the configuration: escape what could act on the terminal.
        let mut out = crate::excerpt::Escaping::new(&mut out);
        human(&mut out, &d)?;
        out.flush()?;
    }
    out.flush()?;
    Ok(std::process::ExitCode::SUCCESS)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `title` in quotes after an id, when there is one.
fn titled(id: &str, title: &Option<String>) -> String {
    match title {
        Some(t) => format!(
            "{id}  \"{}\"",
            t.split_whitespace().collect::<Vec<_>>().join(" ")
        ),
        None => id.to_string(),
    }
}

/// The human form.
pub fn human(out: &mut impl Write, d: &Diff) -> io::Result<()> {
    // Two versions of one municipality are told apart by their folders.
    let (na, nb) = if d.a.municipality == d.b.municipality {
        (&d.a.dir, &d.b.dir)
    } else {
        (&d.a.municipality, &d.b.municipality)
    };
    for (mark, s) in [("---", &d.a), ("+++", &d.b)] {
        let ext = s
            .extends
            .as_ref()
            .map_or(String::new(), |e| format!(", extends {e}"));
        writeln!(
            out,
            "{mark} {}: {} ({}{ext})",
            s.folder, s.municipality, s.dir
        )?;
    }
    writeln!(
        out,
        "`-`: only in {na}, or as {na} has it; `+`: as {nb} has it. Compared after `extends`:\n\
         steps, transitions and conditions, deadlines and timers, staff, parameters, events and\n\
         obligations (not titles or sources)."
    )?;
    if d.is_empty() {
        writeln!(out, "\nno differences")?;
        return Ok(());
    }
    for w in &d.workflows {
        writeln!(out)?;
        match w.change {
            Change::OnlyInA => {
                writeln!(
                    out,
                    "- workflow {}: {}, only in {na}",
                    titled(&w.id, &w.title),
                    plural(w.counts.0, "step", "steps")
                )?;
                continue;
            }
            Change::OnlyInB => {
                writeln!(
                    out,
                    "+ workflow {}: {}, only in {nb}",
                    titled(&w.id, &w.title),
                    plural(w.counts.1, "step", "steps")
                )?;
                continue;
            }
            Change::Changed => {}
        }
        let count = |c: Change| w.steps.iter().filter(|s| s.change == c).count();
        if w.steps.is_empty() && w.differences.is_empty() {
            writeln!(
                out,
                "  workflow {}: the same {}",
                titled(&w.id, &w.title),
                plural(w.same, "step", "steps")
            )?;
            continue;
        }
        writeln!(out, "  workflow {}", titled(&w.id, &w.title))?;
        writeln!(
            out,
            "  {} in {na}, {} in {nb}: {} the same, {} changed, {} only in {na}, {} only in {nb}",
            plural(w.counts.0, "step", "steps"),
            w.counts.1,
            w.same,
            count(Change::Changed),
            count(Change::OnlyInA),
            count(Change::OnlyInB),
        )?;
        for f in &w.differences {
            field_diff(out, "  ", f)?;
        }
        for s in &w.steps {
            step(out, s)?;
        }
    }
    for section in &d.sections {
        writeln!(out)?;
        let heading = match section.name {
            "roles" => "roles and staff",
            other => other,
        };
        writeln!(out, "  {heading}")?;
        for item in &section.items {
            entry(out, item)?;
        }
    }
    Ok(())
}

/// A step: only in one (its header line and where it leads), or the fields that differ.
fn step(out: &mut impl Write, s: &Item) -> io::Result<()> {
    let mark = match s.change {
        Change::OnlyInA => '-',
        Change::OnlyInB => '+',
        Change::Changed => ' ',
    };
    if s.change == Change::Changed {
        writeln!(out, "  step {}", titled(&s.id, &s.title))?;
        for f in &s.differences {
            field_diff(out, "      ", f)?;
        }
        return Ok(());
    }
    let get = |name: &str| s.fields.iter().find(|f| f.field == name).map(|f| &f.value);
    let kind = get("kind").map_or("task", |k| k.as_str());
    let by = get("actor").map_or(String::new(), |a| format!(" by {a}"));
    writeln!(out, "{mark} step {}: {kind}{by}", titled(&s.id, &s.title))?;
    for Field { field, value } in &s.fields {
        if *field == "kind" || *field == "actor" {
            continue;
        }
        writeln!(out, "{mark}     {field}: {value}")?;
    }
    Ok(())
}

/// A unit, role, parameter, event or obligation: one line when only one side has it.
fn entry(out: &mut impl Write, item: &Item) -> io::Result<()> {
    match item.change {
        Change::OnlyInA | Change::OnlyInB => {
            let mark = if item.change == Change::OnlyInA {
                '-'
            } else {
                '+'
            };
            let fields = item
                .fields
                .iter()
                .map(|f| match f.field {
                    "value" => f.value.clone(),
                    _ => format!("{} {}", f.field, f.value),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sep = if fields.is_empty() { "" } else { ": " };
            let title = item.title.as_ref().map_or(String::new(), |t| {
                format!(
                    "  \"{}\"",
                    t.split_whitespace().collect::<Vec<_>>().join(" ")
                )
            });
            writeln!(out, "{mark} {}{sep}{fields}{title}", item.id)
        }
        Change::Changed => {
            writeln!(out, "  {}", titled(&item.id, &item.title))?;
            for f in &item.differences {
                field_diff(out, "    ", f)?;
            }
            Ok(())
        }
    }
}

/// The lines of a field in both: a single value as `-`/`+`; a list (transitions, triggers,
/// answers) aligned, with the lines both have as context.
fn field_diff(out: &mut impl Write, indent: &str, f: &FieldDiff) -> io::Result<()> {
    let name = f.field;
    if f.a.len() <= 1 && f.b.len() <= 1 {
        for v in &f.a {
            writeln!(out, "-{}{name}: {v}", &indent[1..])?;
        }
        for v in &f.b {
            writeln!(out, "+{}{name}: {v}", &indent[1..])?;
        }
        return Ok(());
    }
    for (mark, v) in aligned(&f.a, &f.b) {
        writeln!(out, "{mark}{}{name}: {v}", &indent[1..])?;
    }
    Ok(())
}

/// The two lists merged in order: `' '` for a line both have, `-` and `+` for the others.
fn aligned<'a>(a: &'a [String], b: &'a [String]) -> Vec<(char, &'a str)> {
    steg_engine::align(a, b)
        .into_iter()
        .filter_map(|pair| match pair {
            (Some(i), Some(_)) => Some((' ', a[i].as_str())),
            (Some(i), None) => Some(('-', a[i].as_str())),
            (None, Some(j)) => Some(('+', b[j].as_str())),
            (None, None) => None,
        })
        .collect()
}
