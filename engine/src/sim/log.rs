//! Event logs of simulated cases for process-mining tools: XES (IEEE 1849) and CSV, written
//! case by case as cases finish, into a temporary file that is renamed into place only when the
//! log is complete, so an interrupted run never leaves a half log under the asked-for name.

use crate::run::case::Case;
use crate::semantics::program::Program;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// IEEE 1849 XES.
    Xes,
    /// CSV: case_id, activity, timestamp, resource, lifecycle.
    Csv,
}

impl LogFormat {
    /// From the file name's extension.
    pub fn from_path(p: &Path) -> Option<LogFormat> {
        match p.extension()?.to_str()? {
            "xes" => Some(LogFormat::Xes),
            "csv" => Some(LogFormat::Csv),
            _ => None,
        }
    }
}

/// A log being written.
pub struct EventLog {
    format: LogFormat,
    out: BufWriter<File>,
    tmp: PathBuf,
    path: PathBuf,
    events: u64,
    traces: u64,
}

impl EventLog {
    /// Start a log at `path` (written to a temporary file beside it until [`EventLog::finish`]).
    pub fn create(path: &Path, format: LogFormat) -> io::Result<EventLog> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("log");
        let tmp = dir.join(format!(".{name}.partial-{}", std::process::id()));
        let mut out = BufWriter::new(File::create(&tmp)?);
        match format {
            LogFormat::Xes => out.write_all(XES_HEADER.as_bytes())?,
            LogFormat::Csv => out.write_all(b"case_id,activity,timestamp,resource,lifecycle\n")?,
        }
        Ok(EventLog {
            format,
            out,
            tmp,
            path: path.to_path_buf(),
            events: 0,
            traces: 0,
        })
    }

    /// Append one case.
    pub fn case(&mut self, prog: &Program, case: &Case) -> io::Result<()> {
        self.traces += 1;
        if self.format == LogFormat::Xes {
            writeln!(
                self.out,
                "  <trace>\n    <string key=\"concept:name\" value=\"{}\"/>",
                esc(&case.id)
            )?;
        }
        for (at, date) in &case.visits {
            let (w, s) = prog.name(*at);
            let activity = format!("{w}.{s}");
            let resource = prog.step(*at).actor.as_deref().unwrap_or("");
            self.events += 1;
            match self.format {
                LogFormat::Xes => writeln!(
                    self.out,
                    "    <event>\n      <string key=\"concept:name\" value=\"{}\"/>\n      <string key=\"org:resource\" value=\"{}\"/>\n      <string key=\"lifecycle:transition\" value=\"complete\"/>\n      <date key=\"time:timestamp\" value=\"{}T00:00:00.000+00:00\"/>\n    </event>",
                    esc(&activity),
                    esc(resource),
                    date
                )?,
                LogFormat::Csv => writeln!(self.out, "{},{},{}T00:00:00+00:00,{},complete", csv(&case.id), csv(&activity), date, csv(resource))?,
            }
        }
        if self.format == LogFormat::Xes {
            writeln!(self.out, "  </trace>")?;
        }
        Ok(())
    }

    /// Close the log and move it into place. Returns (traces, events).
    pub fn finish(mut self) -> io::Result<(u64, u64)> {
        if self.format == LogFormat::Xes {
            self.out.write_all(b"</log>\n")?;
        }
        self.out.flush()?;
        self.out.get_ref().sync_all()?;
        std::fs::rename(&self.tmp, &self.path)?;
        Ok((self.traces, self.events))
    }

    /// Give up: remove the temporary file.
    pub fn abandon(self) {
        let tmp = self.tmp.clone();
        drop(self);
        let _ = std::fs::remove_file(tmp);
    }
}

const XES_HEADER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value="steg simulation"/>
"#;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
