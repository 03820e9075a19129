//! `steg import`: BPMN 2.0 and PNML models into workflow folders; and `steg check` of model
//! files, which imports them in memory and checks them, one summary line per model.

use crate::{render, sarif, CliResult, Format};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use steg_engine as engine;

/// The first line of every file `steg import` writes; a folder whose `municipality.yaml`
/// starts otherwise is never overwritten.
const MARK: &str = "# Imported by `steg import`";

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

/// `steg check MODEL...`: import in memory, check, print the diagnostics and one line per model
/// (`sound`, `not sound: ...`, `not decided: ...`) and the counts. Exit 0 only when every model
/// is sound, 1 otherwise.
pub fn check(paths: &[PathBuf], format: Format) -> CliResult {
    let files = model_files(paths)?;
    let checked = engine::check_models(&files, false);
    let report = &checked.report;
    let mut out = std::io::stdout().lock();
    let count = |w: &str| {
        checked
            .summaries
            .iter()
            .filter(|s| s.verdict.word() == w)
            .count()
    };
    let (sound, unsound, undecided) = (count("sound"), count("not sound"), count("not decided"));
    match format {
        Format::Human => {
            render::diagnostics(&mut out, report, render::colors_wanted())?;
            for s in &checked.summaries {
                writeln!(out, "{s}")?;
            }
            writeln!(
                out,
                "checked {} model{}: {sound} sound, {unsound} not sound, {undecided} not decided",
                files.len(),
                if files.len() == 1 { "" } else { "s" },
            )?;
        }
        Format::Json => render::json(&mut out, report)?,
        Format::Sarif => sarif::write(&mut out, report)?,
    }
    out.flush()?;
    Ok(
        if unsound > 0 || undecided > 0 || report.count(engine::Severity::Error) > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

/// `steg import`: write a workflow folder per model, print what could not be expressed and
/// one summary line per model.
pub fn import(paths: &[PathBuf], out: Option<&Path>, strict: bool, format: Format) -> CliResult {
    if paths.is_empty() {
        return Err("name a .bpmn or .pnml file, or a folder of them".into());
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
        write_folder(&dir, &m.files())?;
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
                    Some(d) => writeln!(stdout, "{s} -> {}", d.display())?,
                    None => writeln!(stdout, "{}: not imported", s.path.display())?,
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

/// Write the files of one imported model into `dir`, replacing an earlier import there (its
/// YAML files go first, so no workflow of the earlier model stays behind).
fn write_folder(dir: &Path, files: &[(String, String)]) -> Result<(), Box<dyn std::error::Error>> {
    let municipality = dir.join(engine::MUNICIPALITY_FILE);
    if municipality.is_file() {
        let text = std::fs::read_to_string(&municipality).unwrap_or_default();
        if !text.starts_with(MARK) {
            return Err(format!(
                "{}: a municipality folder that `steg import` did not write; choose another --out",
                dir.display()
            )
            .into());
        }
        for entry in std::fs::read_dir(dir)?.flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|x| x == "yaml") {
                std::fs::remove_file(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            }
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (name, text) in files {
        let path = dir.join(name);
        render::write_atomically(&path, text.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
