//! `steg import`: BPMN 2.0 and PNML models into workflow folders; and `steg check` of model
//! files, which imports them in memory and checks them, one summary line per model.

use crate::{output, render, sarif, CliResult, Format};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use steg_engine as engine;

/// The file in an imported folder that lists the files `steg import` wrote there, one name a
/// line: a later import with `--force` replaces those and no others.
const MANIFEST: &str = ".steg-import";

/// Model files named by `paths`: files as given, folders by their model files.
pub fn model_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    for p in paths {
        if !p.exists() {
            return Err(format!("{}: no such file or folder", p.display()).into());
        }
        if p.is_dir() {
            let found = engine::model_files(p);
            if found.is_empty() {
                return Err(
                    format!("{}: no .bpmn or .pnml files in this folder", p.display()).into(),
                );
            }
            files.extend(found);
        } else if engine::ModelFormat::of_path(p).is_some() {
            files.push(p.clone());
        } else {
            return Err(format!(
                "{}: not a model file; steg imports BPMN 2.0 (.bpmn) and PNML (.pnml)",
                p.display()
            )
            .into());
        }
    }
    Ok(files)
}

/// Whether `steg check PATHS` is about model files rather than municipality folders.
pub fn all_models(paths: &[PathBuf]) -> Result<bool, Box<dyn std::error::Error>> {
    let models = paths.iter().filter(|p| engine::is_model_path(p)).count();
    match models {
        0 => Ok(false),
        n if n == paths.len() => Ok(true),
        _ => Err("name either model files (.bpmn, .pnml) or municipality folders, not both".into()),
    }
}

/// `steg check MODEL...`: import in memory, check, print the diagnostics and one line per model.
pub fn check(paths: &[PathBuf], format: Format) -> CliResult {
    let files = model_files(paths)?;
    let checked = engine::check_models(&files, false);
    let report = &checked.report;
    let mut out = std::io::stdout().lock();
    match format {
        Format::Human => {
            render::diagnostics(&mut out, report, render::colors_wanted())?;
            for s in &checked.summaries {
                writeln!(out, "{}", crate::excerpt::term(&s.to_string()))?;
            }
            let sound = checked.summaries.iter().filter(|s| s.errors == 0).count();
            writeln!(
                out,
                "checked {} model{}: {sound} sound, {} not sound",
                files.len(),
                if files.len() == 1 { "" } else { "s" },
                files.len() - sound
            )?;
        }
        Format::Json => render::json(&mut out, report)?,
        Format::Sarif => sarif::write(&mut out, report)?,
    }
    out.flush()?;
    Ok(if report.count(engine::Severity::Error) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `steg import`: write a workflow folder per model, print what could not be expressed and
/// one summary line per model.
pub fn import(
    paths: &[PathBuf],
    out: Option<&Path>,
    strict: bool,
    force: bool,
    format: Format,
) -> CliResult {
    if paths.is_empty() {
        return Err("name a .bpmn or .pnml file, or a folder of them".into());
    }
    if let Some(o) = out.filter(|o| o.file_name().is_none()) {
        return Err(format!("--out {}: name a folder to write", o.display()).into());
    }
    let files = model_files(paths)?;
    let checked = engine::check_models(&files, strict);
    // One model: --out is its folder (default: its name here). Several: --out holds a folder
    // per model (default: here).
    let single = files.len() == 1 && paths.len() == 1 && paths[0].is_file();
    let mut taken = std::collections::HashSet::new();
    let mut written: Vec<Option<PathBuf>> = Vec::new();
    for m in &checked.models {
        if m.failed() {
            written.push(None);
            continue;
        }
        let dir = match (single, out) {
            (true, Some(o)) => o.to_path_buf(),
            (true, None) => PathBuf::from(&m.name),
            (false, o) => {
                let base = o.unwrap_or(Path::new("."));
                let mut name = m.name.clone();
                let mut n = 2;
                while !taken.insert(name.clone()) {
                    name = format!("{}_{n}", m.name);
                    n += 1;
                }
                base.join(name)
            }
        };
        write_folder(&dir, &m.files(), force)?;
        written.push(Some(dir));
    }
    // What the import could not express; the checks' own findings are `steg check`'s.
    let mut report = checked.report;
    report
        .diagnostics
        .retain(|d| matches!(d.check.code, "S005" | "S006"));
    let failed = report.count(engine::Severity::Error) > 0;
    let mut stdout = std::io::stdout().lock();
    match format {
        Format::Human => {
            render::diagnostics(&mut stdout, &report, render::colors_wanted())?;
            for (s, dir) in checked.summaries.iter().zip(&written) {
                match dir {
                    Some(d) => writeln!(
                        stdout,
                        "{}",
                        crate::excerpt::term(&format!("{s} -> {}", d.display()))
                    )?,
                    None => writeln!(
                        stdout,
                        "{}",
                        crate::excerpt::term(&format!("{}: not imported", s.path.display()))
                    )?,
                }
            }
        }
        Format::Json => render::json(&mut stdout, &report)?,
        Format::Sarif => sarif::write(&mut stdout, &report)?,
    }
    stdout.flush()?;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Write the files of one imported model as the folder `dir`, whole or not at all: built in a
/// folder beside it, then swapped in. A folder that is not empty is written only with `force`,
/// and then the files an earlier import wrote (its manifest) are replaced or removed while
/// every other file is kept; an import that would overwrite one of those is refused.
fn write_folder(
    dir: &Path,
    files: &[(String, String)],
    force: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let at = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    if dir.exists() && !dir.is_dir() {
        return Err(format!("{}: exists and is not a folder", dir.display()).into());
    }
    let existing: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    if !existing.is_empty() && !force {
        return Err(format!(
            "{}: the folder is not empty; `steg import` writes a new folder (with --force it \
             replaces only what an earlier import wrote there, listed in {MANIFEST})",
            dir.display()
        )
        .into());
    }
    let ours: Vec<String> = std::fs::read_to_string(dir.join(MANIFEST))
        .map(|t| {
            t.lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let kept: Vec<&String> = existing
        .iter()
        .filter(|n| *n != MANIFEST && !ours.contains(n))
        .collect();
    for (name, _) in files {
        if kept.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            return Err(format!(
                "{}: a file `steg import` did not write; it is kept, so this import cannot be \
                 written here (move the file, or choose another --out)",
                dir.join(name).display()
            )
            .into());
        }
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| at(parent, e))?;
    }
    let scratch = output::Scratch::beside(dir).map_err(|e| at(dir, e))?;
    for name in &kept {
        keep(&dir.join(name), &scratch.path().join(name)).map_err(|e| at(&dir.join(name), e))?;
    }
    let mut manifest = String::from(
        "# Written by `steg import`: the files it replaces on the next import with --force.\n",
    );
    for (name, text) in files {
        let path = scratch.path().join(name);
        std::fs::write(&path, text).map_err(|e| at(&dir.join(name), e))?;
        manifest.push_str(name);
        manifest.push('\n');
    }
    std::fs::write(scratch.path().join(MANIFEST), manifest).map_err(|e| at(dir, e))?;
    scratch.replace(dir).map_err(|e| at(dir, e))?;
    Ok(())
}

/// Carry a file or folder written by hand into the new folder: hard-linked where the file
/// system allows (the same file, untouched), else copied; symbolic links as links.
fn keep(from: &Path, to: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(from)?;
    if meta.file_type().is_symlink() {
        #[cfg(unix)]
        return std::os::unix::fs::symlink(std::fs::read_link(from)?, to);
        #[cfg(not(unix))]
        return std::fs::copy(from, to).map(|_| ());
    }
    if meta.is_dir() {
        std::fs::create_dir(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            keep(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(|_| ()))
}
