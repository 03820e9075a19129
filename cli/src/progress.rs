//! A one-line progress indicator on standard error, shown only on a terminal.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Progress of a long run.
pub struct Bar {
    total: u64,
    shown: bool,
    last: Instant,
    start: Instant,
    enabled: bool,
}

impl Bar {
    /// A bar for `total` items; silent unless standard error is a terminal.
    pub fn new(total: u64) -> Bar {
        let now = Instant::now();
        Bar {
            total,
            shown: false,
            last: now,
            start: now,
            enabled: std::io::stderr().is_terminal(),
        }
    }

    /// `done` items are finished; redrawn at most ten times a second.
    pub fn update(&mut self, done: u64) {
        if !self.enabled || self.last.elapsed() < Duration::from_millis(100) {
            return;
        }
        self.last = Instant::now();
        let width = 30;
        let filled = (done.min(self.total) * width / self.total.max(1)) as usize;
        eprint!(
            "\r  [{}{}] {done}/{} cases  {:.0} s",
            "#".repeat(filled),
            " ".repeat(width as usize - filled),
            self.total,
            self.start.elapsed().as_secs_f64()
        );
        let _ = std::io::stderr().flush();
        self.shown = true;
    }

    /// Clear the line.
    pub fn finish(&mut self) {
        if self.shown {
            eprint!("\r{}\r", " ".repeat(70));
        }
    }
}
