//! File safety: every file `steg` writes goes through a temporary file with an unpredictable
//! name and is moved into place only when complete; an interrupted run leaves nothing behind;
//! output paths are checked before the work; `steg import --out` writes a folder whole and
//! never deletes or overwrites a file it did not write.

use crate::support::{root, steg};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A BPMN model of the given processes, each start → task → end.
fn model(processes: &[&str]) -> String {
    let body: String = processes
        .iter()
        .map(|p| {
            format!(
                "<process id=\"{p}\"><startEvent id=\"{p}_s\"/><sequenceFlow id=\"{p}_f1\" sourceRef=\"{p}_s\" targetRef=\"{p}_t\"/><task id=\"{p}_t\" name=\"Gör\"/><sequenceFlow id=\"{p}_f2\" sourceRef=\"{p}_t\" targetRef=\"{p}_e\"/><endEvent id=\"{p}_e\"/></process>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?>\n<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\">{body}</definitions>\n"
    )
}

/// Every entry of a folder, hidden ones included, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list the folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The predictable temporary names the writers used (`.NAME.tmpPID`, `.NAME.partial-PID`):
/// a symbolic link planted at one made `steg graph --out` overwrite the link's target. Links
/// are planted for the next few thousand process ids, and at the output's own name.
#[cfg(unix)]
#[test]
fn graph_out_never_writes_through_a_planted_symlink() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "precious").expect("write the victim");
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let last = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or(1);
    for pid in last..last + 3_000 {
        for name in [
            format!(".lindesberg.dot.tmp{pid}"),
            format!(".lindesberg.dot.partial-{pid}"),
        ] {
            std::os::unix::fs::symlink(&victim, out.join(name)).expect("plant a link");
        }
    }
    let target = out.join("lindesberg.dot");
    std::os::unix::fs::symlink(&victim, &target).expect("plant a link at the target");
    let before = entries(&out).len();
    let run = steg(
        &root(),
        &[
            "graph",
            "lindesberg",
            "--out",
            target.to_str().expect("UTF-8"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
    let meta = std::fs::symlink_metadata(&target).expect("the output");
    assert!(
        meta.is_file(),
        "the link at the target is replaced by the file"
    );
    assert!(std::fs::read_to_string(&target)
        .expect("read")
        .starts_with("digraph"));
    assert_eq!(entries(&out).len(), before, "no temporary file is left");
}

/// SIGTERM or Ctrl-C during `simulate --log` left a 60 MB partial file. The temporary folder
/// the log is written in is removed, and the process still ends by the signal.
#[cfg(unix)]
#[test]
fn simulate_log_interrupted_by_a_signal_leaves_no_partial_file() {
    use std::os::unix::process::ExitStatusExt;
    for (signal, number) in [("TERM", 15), ("INT", 2)] {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let log = tmp.path().join("cases.xes");
        let mut child = Command::new(env!("CARGO_BIN_EXE_steg"))
            .args([
                "simulate",
                "lindesberg",
                "--cases",
                "1000000",
                "--seed",
                "1",
                "--log",
            ])
            .arg(&log)
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start steg");
        // Wait until the log is being written: a temporary folder with a file of some size.
        let started = std::time::Instant::now();
        let writing = loop {
            let size: u64 = walk(tmp.path())
                .iter()
                .filter_map(|p| std::fs::metadata(p).ok())
                .map(|m| m.len())
                .sum();
            if size > 100_000 {
                break true;
            }
            if started.elapsed() > std::time::Duration::from_secs(120) {
                break false;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        let killed = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .expect("run kill");
        assert!(killed.success());
        let status = child.wait().expect("steg ends");
        assert!(writing, "the log was never written");
        assert_eq!(status.signal(), Some(number), "{status:?}");
        assert_eq!(
            walk(tmp.path()),
            Vec::<PathBuf>::new(),
            "SIG{signal} left files behind"
        );
    }
}

/// Every file under `dir`, recursively, hidden ones included.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        out.push(p.clone());
        if p.is_dir() {
            out.extend(walk(&p));
        }
    }
    out
}

/// `--log` naming a folder ran the whole simulation, then failed without naming the path.
#[test]
fn simulate_log_naming_a_folder_fails_before_simulating() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path().join("logg.xes");
    std::fs::create_dir(&dir).expect("mkdir");
    let run = steg(
        &root(),
        &[
            "simulate",
            "lindesberg",
            "--cases",
            "1000000",
            "--log",
            dir.to_str().expect("UTF-8"),
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("logg.xes: cannot write: is a folder"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.is_empty(),
        "nothing was simulated: {}",
        run.stdout
    );
    let missing = tmp.path().join("saknas/logg.xes");
    let run = steg(
        &root(),
        &[
            "simulate",
            "lindesberg",
            "--log",
            missing.to_str().expect("UTF-8"),
        ],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
}

/// `steg import --out DIR` overwrote a user's file of the same name, and a re-import deleted
/// every `*.yaml` in the folder, hand-written ones included.
#[test]
fn import_never_deletes_or_overwrites_a_hand_written_file() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    std::fs::write(tmp.path().join("m.bpmn"), model(&["p_a", "p_b"])).expect("write");
    let out = tmp.path().join("ut");
    std::fs::create_dir(&out).expect("mkdir");
    std::fs::write(out.join("egen.yaml"), "# written by hand\n").expect("write");
    // Not empty: refused without --force, and nothing changed.
    let run = steg(tmp.path(), &["import", "m.bpmn", "--out", "ut"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    assert_eq!(entries(&out), ["egen.yaml"]);
    // With --force: the import's files beside the hand-written one, and a manifest.
    let run = steg(tmp.path(), &["import", "m.bpmn", "--out", "ut", "--force"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        entries(&out),
        [
            ".steg-import",
            "egen.yaml",
            "municipality.yaml",
            "p_a.yaml",
            "p_b.yaml"
        ]
    );
    // A re-import of a model with one process less removes only its own file.
    std::fs::write(tmp.path().join("m.bpmn"), model(&["p_a"])).expect("write");
    let run = steg(tmp.path(), &["import", "m.bpmn", "--out", "ut", "--force"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        entries(&out),
        [".steg-import", "egen.yaml", "municipality.yaml", "p_a.yaml"]
    );
    assert_eq!(
        std::fs::read_to_string(out.join("egen.yaml")).expect("read"),
        "# written by hand\n"
    );
    // A hand-written file where the import would write: refused, even with --force.
    std::fs::remove_file(out.join(".steg-import")).expect("forget the manifest");
    let run = steg(tmp.path(), &["import", "m.bpmn", "--out", "ut", "--force"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("did not write"), "{}", run.stderr);
    assert!(
        entries(tmp.path()).iter().all(|n| !n.starts_with(".ut")),
        "no temporary folder left"
    );
}

/// A re-import on a full disk left a half-written folder that checked clean. The folder is
/// built beside its place and swapped in whole: a write that fails leaves the old one.
#[cfg(unix)]
#[test]
fn import_on_a_full_disk_leaves_the_old_folder_whole() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    std::fs::write(tmp.path().join("m.bpmn"), model(&["p_a"])).expect("write");
    let run = steg(tmp.path(), &["import", "m.bpmn", "--out", "ut"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let before: Vec<(String, String)> = entries(&tmp.path().join("ut"))
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(tmp.path().join("ut").join(&n)).expect("read");
            (n, text)
        })
        .collect();
    // The same process, now with a hundred tasks: its workflow file is larger than 4 KiB.
    let tasks: String = (0..100)
        .map(|i| format!("<task id=\"t{i}\" name=\"Steg {i}\"/><sequenceFlow id=\"f{i}\" sourceRef=\"t{i}\" targetRef=\"t{}\"/>", i + 1))
        .collect();
    let long = format!(
        "<?xml version=\"1.0\"?>\n<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\"><process id=\"p_a\"><startEvent id=\"s\"/><sequenceFlow id=\"f\" sourceRef=\"s\" targetRef=\"t0\"/>{tasks}<endEvent id=\"t100\"/></process></definitions>\n"
    );
    std::fs::write(tmp.path().join("m.bpmn"), long).expect("write");
    // Files may not grow past a few KiB (as if the disk were full): the write fails (EFBIG).
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 4; exec '{}' import m.bpmn --out ut --force",
            env!("CARGO_BIN_EXE_steg")
        ))
        .current_dir(tmp.path())
        .output()
        .expect("run steg");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let after: Vec<(String, String)> = entries(&tmp.path().join("ut"))
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(tmp.path().join("ut").join(&n)).expect("read");
            (n, text)
        })
        .collect();
    assert_eq!(before, after, "the old folder is untouched");
    assert_eq!(
        entries(tmp.path()),
        ["m.bpmn", "ut"],
        "no temporary folder left"
    );
}

/// A process with `id="municipality"` replaced `municipality.yaml`; ids become safe file
/// names of their own.
#[test]
fn a_process_named_municipality_does_not_replace_municipality_yaml() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    std::fs::write(tmp.path().join("m.bpmn"), model(&["municipality"])).expect("write");
    let run = steg(tmp.path(), &["import", "m.bpmn", "--out", "ut"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let names = entries(&tmp.path().join("ut"));
    assert_eq!(
        names,
        [".steg-import", "municipality.yaml", "municipality_2.yaml"]
    );
    let check = steg(tmp.path(), &["check", "ut"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

/// A model file name with a newline broke out of the generated YAML comment.
#[cfg(unix)]
#[test]
fn a_model_file_name_with_a_newline_stays_in_the_comment() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let name = "m\nsteps: { x: 1 }\n.bpmn";
    std::fs::write(tmp.path().join(name), model(&["p_a"])).expect("write");
    let run = steg(tmp.path(), &["import", name, "--out", "ut"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let text = std::fs::read_to_string(tmp.path().join("ut/p_a.yaml")).expect("read");
    let first = text.lines().next().expect("a first line");
    assert!(
        first.starts_with("# Imported by") && first.contains("m\\u{a}steps"),
        "{text}"
    );
    let check = steg(tmp.path(), &["check", "ut"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}
