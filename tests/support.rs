//! Helpers shared by the test modules: run the `steg` binary, read its JSON output, find the
//! fixtures, and make throw-away municipalities.

use serde::Deserialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root, where `workflows/`, `rules/` and `tests/` are.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the cli package sits inside the workspace")
        .to_path_buf()
}

/// `tests/fixtures`: one folder per check.
pub fn fixtures() -> PathBuf {
    root().join("tests").join("fixtures")
}

/// What one run of `steg` did.
#[derive(Debug)]
pub struct Run {
    /// Where it ran: relative to the workspace root, or `<temporary folder>`.
    pub cwd: String,
    /// The arguments, for messages and snapshot descriptions.
    pub args: Vec<String>,
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Run `steg ARGS` in `dir`, without colours and without the terminal's width leaking in.
pub fn steg(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_steg"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("the steg binary starts");
    let cwd = match dir.strip_prefix(root()) {
        Ok(p) if p.as_os_str().is_empty() => ".".to_string(),
        Ok(p) => p.display().to_string(),
        Err(_) => "<temporary folder>".to_string(),
    };
    let run = Run {
        cwd,
        args: args.iter().map(|a| a.to_string()).collect(),
        code: out
            .status
            .code()
            .expect("steg exits by itself, not by a signal"),
        stdout: String::from_utf8(out.stdout).expect("steg prints UTF-8 on stdout"),
        stderr: String::from_utf8(out.stderr).expect("steg prints UTF-8 on stderr"),
    };
    run.assert_no_panic();
    run
}

impl Run {
    /// A panic exits with 101 and says "panicked" on stderr; neither may ever happen.
    pub fn assert_no_panic(&self) {
        assert!(
            self.code != 101 && !self.stderr.contains("panicked"),
            "`steg {}` panicked:\n{}",
            self.args.join(" "),
            self.stderr
        );
    }

    /// The diagnostics of a `--format json` run.
    pub fn json(&self) -> Vec<Diag> {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`steg {}` did not print a JSON array of diagnostics ({e}):\n{}",
                self.args.join(" "),
                self.stdout
            )
        })
    }

    /// Everything the run showed, for a snapshot: exit code, stdout, stderr.
    pub fn snapshot(&self) -> String {
        let mut s = String::new();
        writeln!(s, "exit code: {}", self.code).expect("writing to a String");
        writeln!(s, "----- stdout -----\n{}", self.stdout).expect("writing to a String");
        write!(s, "----- stderr -----\n{}", self.stderr).expect("writing to a String");
        s
    }
}

/// One diagnostic of `steg check --format json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // every field is read by some test, not all by each
pub struct Diag {
    pub code: String,
    pub name: String,
    pub severity: String,
    pub message: String,
    pub help: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub step: Option<String>,
    pub related: Vec<Related>,
    pub notes: Vec<String>,
    pub follow_on: Vec<FollowOn>,
}

/// A diagnostic that only follows from the one it is listed under.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct FollowOn {
    pub code: String,
    pub name: String,
    pub severity: String,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub step: Option<String>,
}

/// A secondary location of a diagnostic.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct Related {
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl Diag {
    /// `file:line:column`, or `-` where the diagnostic has no location.
    pub fn at(&self) -> String {
        match (&self.file, self.line, self.column) {
            (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}"),
            _ => "-".to_string(),
        }
    }
}

/// A short listing of diagnostics for assertion messages.
pub fn listing(diags: &[Diag]) -> String {
    diags
        .iter()
        .map(|d| {
            format!(
                "  {} {} {} [{}]",
                d.code,
                d.at(),
                d.message,
                d.step.as_deref().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Snapshot `value` as `tests/snapshots/<group>/<name>.snap`, described by the command.
pub fn snapshot(group: &str, name: &str, run: &Run) {
    insta::with_settings!({
        snapshot_path => root().join("tests").join("snapshots").join(group),
        prepend_module_to_snapshot => false,
        description => format!("in {}: steg {}", run.cwd, run.args.join(" ")),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name.to_string(), run.snapshot());
    });
}

/// Copy a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy's folder");
    for entry in std::fs::read_dir(from).expect("read the folder to copy") {
        let entry = entry.expect("read a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// A temporary folder holding one municipality folder `kommun/` with a small valid
/// `municipality.yaml`, for inputs generated at test time.
pub fn temp_municipality() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::Builder::new()
        .prefix("steg-test-")
        .tempdir()
        .expect("create a temporary folder");
    let dir = tmp.path().join("kommun");
    std::fs::create_dir_all(&dir).expect("create the municipality folder");
    std::fs::write(
        dir.join("municipality.yaml"),
        "municipality: Exempelkommun\nrules: []\nroles:\n  socialsekreterare: { title: Socialsekreterare }\n",
    )
    .expect("write municipality.yaml");
    (tmp, dir)
}

/// `CI` set to anything but empty, `0` or `false` (as CI services set it): a missing tool fails
/// the test instead of skipping it. Every test that needs an outside tool asks this.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}

/// Whether `program args` runs (a tool a test needs: pm4py, xmllint, ...); under CI a missing
/// tool fails the test, elsewhere it is skipped with a note.
pub fn tool(program: &str, args: &[&str], install: &str) -> bool {
    let ok = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !in_ci(),
            "{program} is missing under CI: .ci/run must install it ({install})"
        );
        eprintln!("note: {program} not available; skipping ({install})");
    }
    ok
}
