//! Writing output files safely: every file `steg` writes is first a temporary file beside its
//! target (tempfile: an unpredictable name, created exclusively, never through a symbolic
//! link), moved into place only when complete; a folder (`steg import --out`) is built beside
//! its target and swapped in whole. On SIGINT, SIGTERM or SIGHUP every temporary file and folder
//! still being written is removed before the process ends (signal-hook), so an interrupted run
//! leaves nothing half-written. Output paths are checked before the work that fills them.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files and folders being written, removed if a signal ends the process.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

fn track(path: &Path) {
    pending().push(path.to_path_buf());
}

fn untrack(path: &Path) {
    pending().retain(|p| p != path);
}

/// Remove every temporary file and folder still being written.
fn remove_pending() {
    for p in pending().drain(..) {
        let _ = if p.is_dir() {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
    }
}

/// On SIGINT, SIGTERM and SIGHUP: remove what is being written, then end the process as the
/// signal would have (the exit status still says which signal). Call once, first thing.
pub fn remove_on_signal() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        use signal_hook::iterator::Signals;
        let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                remove_pending();
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        });
    }
}

/// The folder a file at `path` lives in (`.` for a bare name).
fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Whether a file can be written at `path`: not a folder, in a folder that exists. Checked
/// before the work that fills it, so that a run does not end by failing to write.
pub fn check_file_path(path: &Path) -> Result<(), String> {
    if path.as_os_str().is_empty() {
        return Err("the output file name is empty".to_string());
    }
    if path.is_dir() {
        return Err(format!(
            "{}: cannot write: is a folder; name the file to write",
            path.display()
        ));
    }
    let dir = parent(path);
    if !dir.is_dir() {
        return Err(format!(
            "{}: cannot write: the folder {} does not exist",
            path.display(),
            dir.display()
        ));
    }
    Ok(())
}

/// A file being written: a temporary file beside `target` until [`Output::commit`].
pub struct Output {
    file: Option<tempfile::NamedTempFile>,
    target: PathBuf,
}

impl Output {
    /// Start writing `target`.
    pub fn create(target: &Path) -> io::Result<Output> {
        check_file_path(target).map_err(io::Error::other)?;
        let name = target
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // As an ordinary new file: read-write for all, less the umask.
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let file = builder.tempfile_in(parent(target))?;
        track(file.path());
        Ok(Output {
            file: Some(file),
            target: target.to_path_buf(),
        })
    }

    /// The temporary file.
    pub fn file(&mut self) -> &mut File {
        self.file
            .as_mut()
            .map(|f| f.as_file_mut())
            .expect("an output is written until it is committed")
    }

    /// Complete: flush to disk and move into place (replacing what was there, never following
    /// a symbolic link at the target).
    pub fn commit(mut self) -> io::Result<()> {
        let file = self.file.take().expect("committed once");
        file.as_file().sync_all()?;
        let tmp = file.path().to_path_buf();
        let result = file.persist(&self.target).map(|_| ()).map_err(|e| e.error);
        untrack(&tmp);
        result
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Some(f) = &self.file {
            untrack(f.path());
        }
        // The NamedTempFile removes itself.
    }
}

/// Write a file so that it is either complete or absent.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut out = Output::create(path)?;
    out.file().write_all(bytes)?;
    out.commit()
}

/// A temporary folder beside `target` (for a file written by code that names its own files,
/// or for a folder built whole), removed if not kept.
pub struct Scratch {
    dir: Option<tempfile::TempDir>,
}

impl Scratch {
    /// A new, empty, private folder beside `target`.
    pub fn beside(target: &Path) -> io::Result<Scratch> {
        let name = target
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempdir_in(parent(target))?;
        track(dir.path());
        Ok(Scratch { dir: Some(dir) })
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        self.dir
            .as_ref()
            .map(|d| d.path())
            .expect("a scratch folder is used until it is kept")
    }

    /// Move `inside` (a file in this folder) to `target`, replacing what was there.
    pub fn move_out(&self, inside: &Path, target: &Path) -> io::Result<()> {
        std::fs::rename(inside, target)
    }

    /// Make this folder `target`: renamed into place when `target` does not exist, else swapped
    /// with it (the old folder is renamed aside, this one into place, the old one removed), so
    /// that `target` is at every moment either the old folder or the new one, complete.
    pub fn replace(mut self, target: &Path) -> io::Result<()> {
        let dir = self.dir.take().expect("kept once");
        let new = dir.keep();
        untrack(&new);
        if !target.exists() {
            return std::fs::rename(&new, target).inspect_err(|_| {
                let _ = std::fs::remove_dir_all(&new);
            });
        }
        let old = tempfile::Builder::new()
            .prefix(&format!(
                ".{}.",
                target
                    .file_name()
                    .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned())
            ))
            .suffix(".old")
            .tempdir_in(parent(target))?
            .keep();
        // `old` is an empty folder of ours: rename replaces it.
        if let Err(e) = std::fs::rename(target, &old) {
            let _ = std::fs::remove_dir_all(&new);
            let _ = std::fs::remove_dir(&old);
            return Err(e);
        }
        if let Err(e) = std::fs::rename(&new, target) {
            // Put the old folder back.
            let _ = std::fs::rename(&old, target);
            let _ = std::fs::remove_dir_all(&new);
            return Err(e);
        }
        std::fs::remove_dir_all(&old)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            untrack(d.path());
        }
        // The TempDir removes itself.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A symbolic link planted where the temporary file would go is never followed: creation
    /// is exclusive (with the random part of the name removed, so the name is known).
    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_at_the_temporary_name_is_not_followed() {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, "keep").expect("write");
        std::os::unix::fs::symlink(&victim, tmp.path().join(".out.tmp")).expect("symlink");
        let made = tempfile::Builder::new()
            .prefix(".out")
            .suffix(".tmp")
            .rand_bytes(0)
            .tempfile_in(tmp.path());
        assert!(made.is_err(), "an existing name is never opened");
        // With the random part, writing goes to a fresh file and the victim stays.
        write_atomically(&tmp.path().join("out"), b"new").expect("write");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep");
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("out")).expect("read"),
            "new"
        );
    }

    #[test]
    fn an_output_path_that_is_a_folder_is_refused_before_work() {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let e = check_file_path(tmp.path()).expect_err("a folder");
        assert!(e.contains("is a folder"), "{e}");
        let e = check_file_path(&tmp.path().join("nope/out.xes")).expect_err("no folder");
        assert!(e.contains("does not exist"), "{e}");
    }

    #[test]
    fn a_folder_is_replaced_whole_and_nothing_is_left_beside_it() {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let target = tmp.path().join("ut");
        std::fs::create_dir(&target).expect("mkdir");
        std::fs::write(target.join("gammal"), "old").expect("write");
        let s = Scratch::beside(&target).expect("scratch");
        std::fs::write(s.path().join("ny"), "new").expect("write");
        s.replace(&target).expect("replace");
        let names: Vec<String> = std::fs::read_dir(tmp.path())
            .expect("list")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["ut"]);
        assert!(target.join("ny").is_file() && !target.join("gammal").exists());
    }
}
