//! `steg graph`: draw a municipality as Graphviz DOT, a Mermaid flowchart, BPMN 2.0 XML or SVG.

use crate::{output, render, CliResult};
use clap::ValueEnum;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use steg_engine as engine;

/// A picture format.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum GraphFormat {
    /// Graphviz DOT, for `dot -Tsvg`.
    Dot,
    /// A Mermaid flowchart, for a ```mermaid block in Markdown.
    Mermaid,
    /// BPMN 2.0 XML with its layout, for bpmn.io and Camunda Modeler.
    Bpmn,
    /// An SVG drawing (pools, lanes, BPMN symbols) to open in a browser or put in a document.
    Svg,
    /// PNML Petri nets as the semantics compiles each entry workflow, for pm4py and ProM.
    Pnml,
}

impl GraphFormat {
    /// Its name on the command line.
    fn name(self) -> &'static str {
        match self {
            GraphFormat::Dot => "dot",
            GraphFormat::Mermaid => "mermaid",
            GraphFormat::Bpmn => "bpmn",
            GraphFormat::Svg => "svg",
            GraphFormat::Pnml => "pnml",
        }
    }

    /// The format a file name asks for: `.dot`/`.gv`, `.mmd`/`.mermaid`, `.bpmn`, `.svg`.
    fn from_extension(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "dot" | "gv" => Some(GraphFormat::Dot),
            "mmd" | "mermaid" => Some(GraphFormat::Mermaid),
            "bpmn" => Some(GraphFormat::Bpmn),
            "svg" => Some(GraphFormat::Svg),
            "pnml" => Some(GraphFormat::Pnml),
            _ => None,
        }
    }
}

/// The format to write: `--format`, else the one the `--out` file's extension names, else DOT.
/// An extension that names no format steg writes (`tk.png`), or another format than
/// `--format`, is refused rather than written with the wrong content.
fn chosen(format: Option<GraphFormat>, out: Option<&Path>) -> Result<GraphFormat, String> {
    let known = ".dot or .gv (Graphviz), .mmd or .mermaid (Mermaid), .bpmn (BPMN 2.0), .svg (SVG), .pnml (PNML)";
    let Some(path) = out.filter(|p| p.extension().is_some()) else {
        return Ok(format.unwrap_or(GraphFormat::Dot));
    };
    match (format, GraphFormat::from_extension(path)) {
        (None, Some(f)) => Ok(f),
        (None, None) => Err(format!(
            "{}: `steg graph` writes {known}; give the file one of these extensions, or name the format with --format (for an image, write .dot and run Graphviz: `dot -Tsvg FILE.dot > FILE.svg`)",
            path.display()
        )),
        (Some(f), Some(g)) if f != g => Err(format!(
            "{}: the extension says `{}` but --format says `{}`; make them agree",
            path.display(),
            g.name(),
            f.name()
        )),
        (Some(f), _) => Ok(f),
    }
}

/// Draw `municipality`; refuse (exit 1, diagnostics on stderr) when it has errors.
pub fn graph(
    municipality: &Path,
    format: Option<GraphFormat>,
    entry: Option<&str>,
    inline: bool,
    out: Option<&Path>,
) -> CliResult {
    let format = chosen(format, out)?;
    if let Some(path) = out {
        output::check_file_path(path)?;
    }
    let dirs = engine::discover(&[municipality.to_path_buf()])?;
    let [dir] = dirs.as_slice() else {
        return Err(format!(
            "{} holds {} municipalities; name one, e.g. `steg graph {}`",
            municipality.display(),
            dirs.len(),
            dirs.first()
                .map_or_else(|| "lindesberg".into(), |d| d.display().to_string())
        )
        .into());
    };
    let report = engine::check_folders(std::slice::from_ref(dir));
    if report.count(engine::Severity::Error) > 0 {
        let mut err = std::io::stderr().lock();
        render::diagnostics(&mut err, &report, false)?;
        writeln!(
            err,
            "error: {} has errors, so it is not drawn; fix them first (`steg check {}`)",
            dir.display(),
            dir.display()
        )?;
        return Ok(ExitCode::from(1));
    }
    let Some(m) = report.municipalities.first() else {
        return Err(format!("{}: no municipality loaded", dir.display()).into());
    };
    if entry.is_some() && format != GraphFormat::Pnml {
        return Err("--entry is for --format pnml".into());
    }
    if inline && format != GraphFormat::Bpmn {
        return Err("--inline is for --format bpmn".into());
    }
    let text = match format {
        GraphFormat::Pnml => engine::pnml_of(m, entry)?,
        GraphFormat::Bpmn if inline => engine::bpmn_inlined(m),
        _ => engine::export(
            m,
            match format {
                GraphFormat::Dot => engine::ExportFormat::Dot,
                GraphFormat::Mermaid => engine::ExportFormat::Mermaid,
                GraphFormat::Bpmn => engine::ExportFormat::Bpmn,
                GraphFormat::Svg | GraphFormat::Pnml => engine::ExportFormat::Svg,
            },
        ),
    };
    match out {
        Some(path) => {
            output::write_atomically(path, text.as_bytes())
                .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
