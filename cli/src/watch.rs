//! `steg check --watch`: check, then check again whenever a file the check read (or could read)
//! changes, until interrupted.
//!
//! The watcher is `notify` (inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW on
//! Windows) delivering into a plain channel; the loop blocks on it, collects the burst of events
//! an editor's save makes until [`QUIET`] passes without one, and checks again. Every folder a
//! file was read from is watched (the municipality, the base it extends, its rule folders), so
//! an edit anywhere in what the municipality is built from shows. A check with errors does not
//! stop the loop; a path that disappears is reported and watched for its return.

use notify::{EventKind, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};
use steg_engine as engine;

/// How long the files must stay still after a change before checking again: an editor's save
/// is often several events (write a temporary file, rename it, change attributes).
const QUIET: Duration = Duration::from_millis(200);

/// The longest a stream of changes can delay a check.
const MOST: Duration = Duration::from_secs(2);

/// Whether an event is about configuration: a YAML or Rhai file written, created, renamed or
/// removed (not a swap file, not a mere read).
fn relevant(event: &notify::Event) -> bool {
    if matches!(event.kind, EventKind::Access(_)) {
        return false;
    }
    event.paths.iter().any(|p| {
        p.extension()
            .is_some_and(|x| x == "yaml" || x == "yml" || x == "rhai")
    })
}

/// The folders to watch for a run: the folders named on the command line (a new municipality
/// folder or file appears there), and every folder a file of the report was read from.
fn folders(paths: &[PathBuf], report: Option<&engine::Report>) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let args: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from("workflows")]
    } else {
        paths.to_vec()
    };
    for p in args {
        let p = if p.is_file() {
            p.parent().map(Path::to_path_buf).unwrap_or_default()
        } else if !p.exists() && p.components().count() == 1 {
            // A bare name is looked up under workflows/.
            Path::new("workflows").join(p)
        } else {
            p
        };
        if p.is_dir() {
            out.insert(p);
        }
    }
    if let Some(report) = report {
        for m in &report.municipalities {
            out.insert(m.dir.clone());
        }
        for (_, f) in report.sources.files() {
            if let Some(dir) = f.path.parent().filter(|d| d.is_dir()) {
                out.insert(dir.to_path_buf());
            }
        }
    }
    // One folder under two spellings (`workflows/x/../common`) is watched once.
    let mut seen = BTreeSet::new();
    out.into_iter()
        .filter(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())))
        .collect()
}

/// Block until a relevant change, then until the files are quiet. `Err` when the watcher is
/// gone.
fn wait_for_change(rx: &Receiver<notify::Result<notify::Event>>) -> Result<(), String> {
    loop {
        match rx.recv() {
            Ok(Ok(e)) if relevant(&e) => break,
            Ok(Ok(_)) => {}
            Ok(Err(e)) => eprintln!("watch: {e}"),
            Err(_) => return Err("the file watcher stopped".to_string()),
        }
    }
    let start = Instant::now();
    while start.elapsed() < MOST {
        match rx.recv_timeout(QUIET) {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => eprintln!("watch: {e}"),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => {
                return Err("the file watcher stopped".to_string())
            }
        }
    }
    Ok(())
}

/// Check `paths`, print the report as `steg check` would, and do it again after every change.
pub fn watch(
    paths: &[PathBuf],
    show: &dyn Fn(&engine::Report) -> crate::CliResult,
) -> crate::CliResult {
    // A path that cannot be used at all is an error before the first check, as without --watch.
    engine::discover(paths)?;
    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(tx)?;
    let mut watched: BTreeSet<PathBuf> = BTreeSet::new();
    let clear = std::io::stdout().is_terminal();
    for round in 1.. {
        let report = match engine::discover(paths) {
            Ok(dirs) => Some(engine::check_folders(&dirs)),
            Err(e) => {
                eprintln!("error: {e}");
                None
            }
        };
        // Watch before showing the report: a save made after the report appears is seen.
        let wanted = folders(paths, report.as_ref());
        let new: Vec<PathBuf> = wanted.difference(&watched).cloned().collect();
        for dir in new {
            match watcher.watch(&dir, RecursiveMode::NonRecursive) {
                Ok(()) => {
                    watched.insert(dir);
                }
                Err(e) => eprintln!("watch: {}: {e}", dir.display()),
            }
        }
        if clear {
            // Clear the screen and the scrollback, cursor home.
            print!("\x1b[2J\x1b[3J\x1b[H");
        }
        if let Some(report) = &report {
            show(report)?;
        }
        std::io::stdout().flush()?;
        eprintln!(
            "[check {round}] watching {} for changes to .yaml and .rhai files; Ctrl-C stops",
            match watched.len() {
                1 => "1 folder".to_string(),
                n => format!("{n} folders"),
            }
        );
        wait_for_change(&rx)?;
    }
    Ok(std::process::ExitCode::SUCCESS)
}
