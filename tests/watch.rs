//! `steg check --watch`: the running checker picks up a saved edit and reports the dead end it
//! made, keeps running on the error, and reports the fix. Every wait is bounded.

use crate::support::{copy_dir, fixtures};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// The child killed and reaped however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Read lines (stdout and stderr, in whatever order they come) into `seen` until it contains
/// every one of `needles`, for at most `limit`.
fn wait_for(rx: &Receiver<String>, needles: &[&str], limit: Duration, seen: &mut String) -> bool {
    let start = Instant::now();
    while !needles.iter().all(|n| seen.contains(n)) {
        let Some(left) = limit.checked_sub(start.elapsed()) else {
            return false;
        };
        match rx.recv_timeout(left) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
            }
            Err(_) => return false,
        }
    }
    true
}

#[test]
fn watch_reports_a_new_dead_end_after_a_save_and_keeps_running() {
    let tmp = tempfile::Builder::new()
        .prefix("steg-watch-")
        .tempdir()
        .expect("create a temporary folder");
    let dir = tmp.path().join("kommun");
    copy_dir(&fixtures().join("dead_end").join("valid"), &dir);
    let file = dir.join("ekonomiskt_bistand.yaml");
    let original = std::fs::read_to_string(&file).expect("read the fixture");
    let step = "  kartlaggning: { actor: socialsekreterare, next: avslut }";
    assert!(original.contains(step), "the fixture changed:\n{original}");

    let mut child = Command::new(env!("CARGO_BIN_EXE_steg"))
        .args(["check", "--watch", "kommun"])
        .current_dir(tmp.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start steg check --watch");
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let _running = Running(child);
    let (tx, rx) = channel();
    let err_tx = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // The status line (`[check N] watching ...`) is on stderr.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if err_tx.send(line).is_err() {
                break;
            }
        }
    });

    let mut seen = String::new();
    // The report is printed once the folders are watched, then the status line.
    assert!(
        wait_for(
            &rx,
            &["0 errors, 0 warnings", "[check 1] watching"],
            Duration::from_secs(60),
            &mut seen
        ),
        "no first report within a minute:\n{seen}"
    );

    // Save the file with the step's way out removed: a dead end.
    std::fs::write(
        &file,
        original.replace(step, "  kartlaggning: { actor: socialsekreterare }"),
    )
    .expect("write the edit");
    let mut after = String::new();
    assert!(
        wait_for(
            &rx,
            &["G005", "1 error, 0 warnings"],
            Duration::from_secs(20),
            &mut after
        ),
        "the dead end was not reported within 20 s of the save:\n{seen}{after}"
    );
    assert!(
        after.contains("kommun/ekonomiskt_bistand.yaml:22:3"),
        "{after}"
    );

    // Still running: the fix is reported too.
    std::fs::write(&file, &original).expect("write the fix");
    let mut fixed = String::new();
    assert!(
        wait_for(
            &rx,
            &["0 errors, 0 warnings"],
            Duration::from_secs(20),
            &mut fixed
        ),
        "the fix was not reported within 20 s:\n{after}{fixed}"
    );
}
