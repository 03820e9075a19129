//! Event logs of simulated cases for process-mining tools: XES (IEEE 1849-2016) and CSV,
//! written case by case as cases finish, into a temporary file that is renamed into place only
//! when the log is complete, so an interrupted run never leaves a half log under the asked-for
//! name.
//!
//! ## The log is the moves
//!
//! A case's events are the transitions it fired in the compiled net of its entry workflow
//! (`Case::fired`), each visible one (`crate::semantics::activity`: every move but a wait's
//! trigger) written as its step, `workflow.step`, twice: `lifecycle:transition` `start` when
//! the work began (after any queue for staff) and `complete` when the step was left. So a join
//! is written once, when it fires; a decision once, whichever route it took.
//!
//! Times: work done by staff starts and ends where the simulator's day put it (the members of
//! a role work their 8 hours from 08:00 one after another, so the hours already worked that day
//! say who did it and when); a move without staff work starts when its step was entered and
//! completes on its day, at 08:00 or, on a day the case already did something later, at that
//! time. Times never go back within a case (in the order the moves fired) and are written in
//! Swedish local time with its offset (CET, or CEST from the last Sunday of March to the last
//! Sunday of October).
//!
//! `org:role` is the step's actor; `org:resource` is a staff member of it, `ROLE_N`: the one who
//! did the work, or for a step of a staffed role without queued work the member who last worked
//! on the case in that role (else one drawn from the case's id). Steps of roles without staff
//! (the applicant, `enskild`) and steps without an actor have no resource.
//!
//! Each trace carries `concept:name` (the case id), `arrival` (the day the case started),
//! `status` (`completed`: closed; `stuck`: a branch could not go on; `censored`: still open at
//! the end of its follow-up), `outcome` (the last end reached, when one was) and the case's
//! simulated attributes (`simulation.attributes`) with their types.

use crate::run::case::{Case, Ctx};
use crate::semantics::activity;
use chrono::{Datelike, Duration as Days, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rhai::Dynamic;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// IEEE 1849-2016 XES.
    Xes,
    /// CSV: `case_id,activity,timestamp,lifecycle,resource,role`.
    Csv,
}

impl LogFormat {
    /// From the file name's extension.
    pub fn from_path(p: &Path) -> Option<LogFormat> {
        match p.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "xes" => Some(LogFormat::Xes),
            "csv" => Some(LogFormat::Csv),
            _ => None,
        }
    }
}

/// What the log needs to know of the simulation besides the cases.
#[derive(Debug, Clone, Default)]
pub struct LogSetup {
    /// Staff per role (indexed like `Program::roles`): `None` for roles whose work never waits.
    pub staff: Vec<Option<f64>>,
    /// The simulated case attributes written on each trace (`simulation.attributes`).
    pub attributes: Vec<String>,
    /// Those of them written as floats (some value has a fraction).
    pub floats: Vec<String>,
    /// The log's name (`concept:name` of the log).
    pub name: String,
}

/// One event of a case (a step's start or completion).
#[derive(Debug, Clone, PartialEq)]
pub struct LogEvent {
    /// `workflow.step`.
    pub activity: String,
    /// Local time.
    pub time: NaiveDateTime,
    /// `start` or `complete`.
    pub lifecycle: &'static str,
    /// The staff member, `ROLE_N`.
    pub resource: Option<String>,
    /// The step's actor.
    pub role: Option<String>,
}

/// The events of a case, in time order (moves in the order fired where times are equal).
pub fn case_events(cx: &Ctx, setup: &LogSetup, case: &Case) -> Vec<LogEvent> {
    let (Some(fired), Some(details)) = (&case.fired, &case.details) else {
        return Vec::new();
    };
    let prog = cx.prog;
    let day_start = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default();
    let at = |d: NaiveDate, minute: u16| {
        d.and_time(day_start) + Days::minutes(i64::from(minute) - 8 * 60)
    };
    let mut completes: Vec<NaiveDateTime> = Vec::with_capacity(fired.len());
    let mut last = NaiveDateTime::MIN;
    let mut members: Vec<Option<u32>> = vec![None; prog.roles.len()];
    let mut out: Vec<(NaiveDateTime, usize, u8, LogEvent)> = Vec::new();
    for (k, (&(t, date), d)) in fired.iter().zip(details).enumerate() {
        let (start, complete) = match d.work {
            Some(w) => (at(w.start, w.start_minute), at(date, w.end_minute)),
            None => (d.entered.and_time(day_start), date.and_time(day_start)),
        };
        let complete = complete.max(last);
        last = complete;
        completes.push(complete);
        let entered = d
            .entered_by
            .and_then(|i| completes.get(i as usize).copied())
            .unwrap_or(NaiveDateTime::MIN);
        let start = start.max(entered).min(complete);
        let Some(name) = activity(prog, cx.net, t) else {
            continue;
        };
        let step = prog.step(cx.net.labels[t as usize].step);
        let role = step.role;
        let resource = role.and_then(|r| {
            let staff = setup.staff.get(r as usize).copied().flatten()?;
            let member = match d.work {
                Some(w) => w.member,
                None => members[r as usize].unwrap_or_else(|| {
                    (fnv(&case.id, &prog.roles[r as usize]) % (staff.ceil().max(1.0) as u64)) as u32
                }),
            };
            members[r as usize] = Some(member);
            Some(format!("{}_{}", prog.roles[r as usize], member + 1))
        });
        let role_name = role.map(|r| prog.roles[r as usize].clone());
        for (order, lifecycle, time) in [(0u8, "start", start), (1, "complete", complete)] {
            out.push((
                time,
                k,
                order,
                LogEvent {
                    activity: name.clone(),
                    time,
                    lifecycle,
                    resource: resource.clone(),
                    role: role_name.clone(),
                },
            ));
        }
    }
    out.sort_by_key(|e| (e.0, e.1, e.2));
    out.into_iter().map(|(_, _, _, e)| e).collect()
}

/// FNV-1a of two strings: a stable choice of staff member for a case.
fn fnv(a: &str, b: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in a.bytes().chain([0]).chain(b.bytes()) {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Whether a case closed, got stuck, or was still open at the end of its follow-up.
pub fn status(case: &Case) -> &'static str {
    if case.closed.is_some() {
        "completed"
    } else if case.stuck.is_some() {
        "stuck"
    } else {
        "censored"
    }
}

/// The UTC offset of Swedish local time on `d`, as `+01:00` or `+02:00` (summer time from the
/// last Sunday of March to the last Sunday of October; times of day in the log are 08:00 or
/// later, after the change).
pub fn swedish_offset(d: NaiveDate) -> &'static str {
    let last_sunday = |month: u32| {
        let mut x = NaiveDate::from_ymd_opt(d.year(), month, 31).unwrap_or(d);
        while x.weekday() != Weekday::Sun {
            x = x.pred_opt().unwrap_or(x);
        }
        x
    };
    if d >= last_sunday(3) && d < last_sunday(10) {
        "+02:00"
    } else {
        "+01:00"
    }
}

/// `2022-03-01T08:00:00.000+01:00`.
pub fn xes_time(t: NaiveDateTime) -> String {
    format!(
        "{}{}",
        t.format("%Y-%m-%dT%H:%M:%S%.3f"),
        swedish_offset(t.date())
    )
}

/// A log being written.
pub struct EventLog {
    format: LogFormat,
    out: BufWriter<File>,
    tmp: PathBuf,
    path: PathBuf,
    setup: LogSetup,
    events: u64,
    traces: u64,
}

impl EventLog {
    /// Start a log at `path` (written to a temporary file beside it until [`EventLog::finish`]).
    pub fn create(path: &Path, format: LogFormat, setup: LogSetup) -> io::Result<EventLog> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("log");
        let tmp = dir.join(format!(".{name}.partial-{}", std::process::id()));
        let mut out = BufWriter::new(File::create(&tmp)?);
        match format {
            LogFormat::Xes => {
                out.write_all(XES_HEADER.as_bytes())?;
                writeln!(
                    out,
                    "  <string key=\"concept:name\" value=\"{}\"/>",
                    crate::xml::attr(&setup.name)
                )?;
            }
            LogFormat::Csv => out.write_all(CSV_HEADER.as_bytes())?,
        }
        Ok(EventLog {
            format,
            out,
            tmp,
            path: path.to_path_buf(),
            setup,
            events: 0,
            traces: 0,
        })
    }

    /// Append one case.
    pub fn case(&mut self, cx: &Ctx, case: &Case) -> io::Result<()> {
        self.traces += 1;
        let events = case_events(cx, &self.setup, case);
        match self.format {
            LogFormat::Xes => self.xes_trace(case, &events)?,
            LogFormat::Csv => {
                for e in &events {
                    writeln!(
                        self.out,
                        "{},{},{},{},{},{}",
                        csv(&case.id),
                        csv(&e.activity),
                        xes_time(e.time),
                        e.lifecycle,
                        csv(e.resource.as_deref().unwrap_or("")),
                        csv(e.role.as_deref().unwrap_or(""))
                    )?;
                }
            }
        }
        self.events += events.len() as u64;
        Ok(())
    }

    fn xes_trace(&mut self, case: &Case, events: &[LogEvent]) -> io::Result<()> {
        let o = &mut self.out;
        writeln!(o, "  <trace>")?;
        writeln!(
            o,
            "    <string key=\"concept:name\" value=\"{}\"/>",
            crate::xml::attr(&case.id)
        )?;
        if let Some(d) = case.started {
            writeln!(
                o,
                "    <date key=\"arrival\" value=\"{}\"/>",
                xes_time(d.and_time(NaiveTime::MIN))
            )?;
        }
        writeln!(o, "    <string key=\"status\" value=\"{}\"/>", status(case))?;
        if let Some(outcome) = &case.outcome {
            writeln!(
                o,
                "    <string key=\"outcome\" value=\"{}\"/>",
                crate::xml::attr(outcome)
            )?;
        }
        for key in &self.setup.attributes {
            if let Some(mut v) = case.arende.get(key) {
                if self.setup.floats.contains(key) {
                    if let Ok(i) = v.as_int() {
                        v = Dynamic::from(i as f64);
                    }
                }
                writeln!(o, "    {}", typed(key, &v))?;
            }
        }
        for e in events {
            writeln!(o, "    <event>")?;
            writeln!(
                o,
                "      <string key=\"concept:name\" value=\"{}\"/>",
                crate::xml::attr(&e.activity)
            )?;
            writeln!(
                o,
                "      <string key=\"lifecycle:transition\" value=\"{}\"/>",
                e.lifecycle
            )?;
            writeln!(
                o,
                "      <date key=\"time:timestamp\" value=\"{}\"/>",
                xes_time(e.time)
            )?;
            if let Some(r) = &e.resource {
                writeln!(
                    o,
                    "      <string key=\"org:resource\" value=\"{}\"/>",
                    crate::xml::attr(r)
                )?;
            }
            if let Some(r) = &e.role {
                writeln!(
                    o,
                    "      <string key=\"org:role\" value=\"{}\"/>",
                    crate::xml::attr(r)
                )?;
            }
            writeln!(o, "    </event>")?;
        }
        writeln!(o, "  </trace>")
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

/// The CSV header: the columns process-mining tools map by name.
pub const CSV_HEADER: &str = "case_id,activity,timestamp,lifecycle,resource,role\n";

/// Extensions, then globals, then classifiers (whose keys are declared global), as IEEE
/// 1849-2016's schema orders them; the namespace as OpenXES writes it.
const XES_HEADER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <string key="lifecycle:transition" value="complete"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <classifier name="Activity_and_lifecycle" keys="concept:name lifecycle:transition"/>
  <string key="lifecycle:model" value="standard"/>
"#;

/// A case attribute as a typed XES attribute.
fn typed(key: &str, v: &Dynamic) -> String {
    let key = crate::xml::attr(key);
    if let Ok(b) = v.as_bool() {
        format!("<boolean key=\"{key}\" value=\"{b}\"/>")
    } else if let Ok(i) = v.as_int() {
        format!("<int key=\"{key}\" value=\"{i}\"/>")
    } else if let Ok(f) = v.as_float() {
        if f.is_finite() {
            format!("<float key=\"{key}\" value=\"{f:?}\"/>")
        } else {
            format!("<string key=\"{key}\" value=\"{f}\"/>")
        }
    } else {
        format!(
            "<string key=\"{key}\" value=\"{}\"/>",
            crate::xml::attr(&v.to_string())
        )
    }
}

fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_summer_time_runs_from_the_last_sunday_of_march_to_that_of_october() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap_or_default();
        assert_eq!(swedish_offset(d(2022, 3, 26)), "+01:00");
        assert_eq!(swedish_offset(d(2022, 3, 27)), "+02:00");
        assert_eq!(swedish_offset(d(2022, 10, 29)), "+02:00");
        assert_eq!(swedish_offset(d(2022, 10, 30)), "+01:00");
        assert_eq!(swedish_offset(d(2023, 1, 2)), "+01:00");
    }

    #[test]
    fn text_is_escaped_for_attributes_and_csv_fields() {
        assert_eq!(
            crate::xml::attr("a<b&\"c\"\n"),
            "a&lt;b&amp;&quot;c&quot;&#10;"
        );
        assert_eq!(csv("a,b"), "\"a,b\"");
        assert_eq!(csv("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
