//! Reading event logs from case systems: XES (IEEE 1849-2016) and CSV, into traces of
//! activities with dates. Hostile files never panic: XES is streamed through
//! `crate::import::xml::stream` (well-formedness, depth limit, no DTD entities, the same size
//! limit as CSV: [`MAX_CSV_BYTES`]), CSV has a field-count check.
//!
//! Only completed events are kept (`lifecycle:transition` `complete`, or no lifecycle), in time
//! order where every event has a time (a stable sort: events of the same instant keep the file's
//! order), else in the file's order. Attribute values other than the case id, the activity, the
//! lifecycle, the time and the trace's `status` are not read.

use crate::import::xml;
use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// The largest log read, XES or CSV, in bytes.
pub const MAX_CSV_BYTES: u64 = 256 * 1024 * 1024;

/// One case's completed events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trace {
    /// The case id (pseudonymised in the case system's export).
    pub id: String,
    /// The activities, as the case system names them, with their times.
    pub events: Vec<(String, Option<NaiveDateTime>)>,
    /// The trace says it was still open when the log was taken (`status` = `censored`, as
    /// `steg simulate --log` writes it).
    pub open: bool,
}

impl Trace {
    /// The date of event `i`, or of the nearest earlier event with one.
    pub fn date(&self, i: usize) -> Option<NaiveDate> {
        self.events[..=i.min(self.events.len().saturating_sub(1))]
            .iter()
            .rev()
            .find_map(|(_, t)| t.map(|t| t.date()))
    }
}

/// Why a log could not be read: a message and, when known, the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// What is wrong.
    pub message: String,
    /// The line (1-based), when known.
    pub line: Option<usize>,
}

/// Read a log from its text; `csv` picks the format.
pub fn read_log(text: &str, csv: bool) -> Result<Vec<Trace>, ReadError> {
    if csv {
        read_csv(text)
    } else {
        read_xes(text)
    }
}

fn time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.naive_local());
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t);
        }
    }
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

fn finish(mut t: Trace) -> Trace {
    if t.events.iter().all(|(_, d)| d.is_some()) {
        t.events.sort_by_key(|(_, d)| *d);
    }
    t
}

/// An XES event being read.
struct OpenEvent {
    activity: Option<String>,
    lifecycle: Option<String>,
    time: Option<String>,
    /// Where the `<event>` starts (bytes).
    offset: usize,
}

fn read_xes(text: &str) -> Result<Vec<Trace>, ReadError> {
    let line = |offset: usize| Some(text[..offset.min(text.len())].matches('\n').count() + 1);
    let mut out: Vec<Trace> = Vec::new();
    let mut trace: Option<Trace> = None;
    let mut event: Option<OpenEvent> = None;
    let mut problem: Option<ReadError> = None;
    let result = xml::stream(text, MAX_CSV_BYTES, &mut |ev| {
        match ev {
            xml::Ev::Open { el, depth, .. } => {
                let name = el.name.as_str();
                match (depth, name) {
                    (1, "log") => {}
                    (1, other) => {
                        problem = Some(ReadError {
                            message: format!("the root element is `{other}`, not an XES `log`"),
                            line: Some(1),
                        });
                        return Err(xml::XmlError {
                            message: String::new(),
                            offset: 0,
                        });
                    }
                    (2, "trace") => {
                        trace = Some(Trace {
                            id: format!("trace {}", out.len() + 1),
                            ..Trace::default()
                        })
                    }
                    (3, "event") if trace.is_some() => {
                        event = Some(OpenEvent {
                            activity: None,
                            lifecycle: None,
                            time: None,
                            offset: el.offset,
                        })
                    }
                    (3, _) => {
                        if let (Some(t), Some(k), Some(v)) =
                            (&mut trace, el.attr("key"), el.attr("value"))
                        {
                            match k {
                                "concept:name" => t.id = v.to_string(),
                                "status" => t.open = v == "censored",
                                _ => {}
                            }
                        }
                    }
                    (4, _) => {
                        if let (Some(e), Some(k), Some(v)) =
                            (&mut event, el.attr("key"), el.attr("value"))
                        {
                            match k {
                                "concept:name" => e.activity = Some(v.to_string()),
                                "lifecycle:transition" => e.lifecycle = Some(v.to_string()),
                                "time:timestamp" => e.time = Some(v.to_string()),
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            xml::Ev::Close { depth } => match depth {
                2 => {
                    if let Some(t) = trace.take() {
                        out.push(finish(t));
                    }
                }
                3 => {
                    if let (
                        Some(t),
                        Some(OpenEvent {
                            activity,
                            lifecycle,
                            time: time_text,
                            offset,
                        }),
                    ) = (&mut trace, event.take())
                    {
                        let Some(activity) = activity else {
                            problem = Some(ReadError {
                                message: format!("an event of case `{}` has no concept:name", t.id),
                                line: line(offset),
                            });
                            return Err(xml::XmlError {
                                message: String::new(),
                                offset,
                            });
                        };
                        if lifecycle.is_none_or(|l| l.eq_ignore_ascii_case("complete")) {
                            t.events.push((activity, time_text.and_then(|s| time(&s))));
                        }
                    }
                }
                _ => {}
            },
        }
        Ok(())
    });
    if let Some(p) = problem {
        return Err(p);
    }
    result.map_err(|e| ReadError {
        message: e.message,
        line: line(e.offset),
    })?;
    Ok(out)
}

/// Split one CSV line (RFC 4180 quoting; no line breaks inside fields).
fn fields(line: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if cur.is_empty() => quoted = true,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    if quoted {
        return None;
    }
    out.push(cur);
    Some(out)
}

fn read_csv(text: &str) -> Result<Vec<Trace>, ReadError> {
    if text.len() as u64 > MAX_CSV_BYTES {
        return Err(ReadError {
            message: format!("larger than {} MiB", MAX_CSV_BYTES / (1024 * 1024)),
            line: None,
        });
    }
    let mut lines = text.lines().enumerate();
    let header = lines
        .next()
        .and_then(|(_, l)| fields(l.trim_start_matches('\u{feff}')))
        .ok_or_else(|| ReadError {
            message: "empty file: a header `case_id,activity,timestamp,lifecycle` is needed".into(),
            line: Some(1),
        })?;
    let col = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let (Some(case), Some(activity)) = (
        col(&["case_id", "case:concept:name", "case"]),
        col(&["activity", "concept:name"]),
    ) else {
        return Err(ReadError {
            message: format!(
                "the header must name the columns `case_id` and `activity` (it has: {})",
                header.join(", ")
            ),
            line: Some(1),
        });
    };
    let stamp = col(&["timestamp", "time:timestamp"]);
    let lifecycle = col(&["lifecycle", "lifecycle:transition"]);
    let mut order: Vec<String> = Vec::new();
    let mut traces: std::collections::HashMap<String, Trace> = Default::default();
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let f = fields(line).ok_or_else(|| ReadError {
            message: "a quoted field is not closed".into(),
            line: Some(n + 1),
        })?;
        if f.len() != header.len() {
            return Err(ReadError {
                message: format!("{} fields where the header has {}", f.len(), header.len()),
                line: Some(n + 1),
            });
        }
        if lifecycle.is_some_and(|l| {
            !f[l].trim().is_empty() && !f[l].trim().eq_ignore_ascii_case("complete")
        }) {
            continue;
        }
        let id = f[case].trim().to_string();
        let t = traces.entry(id.clone()).or_insert_with(|| {
            order.push(id.clone());
            Trace {
                id,
                ..Trace::default()
            }
        });
        t.events.push((
            f[activity].trim().to_string(),
            stamp.and_then(|s| time(&f[s])),
        ));
    }
    Ok(order
        .into_iter()
        .filter_map(|id| traces.remove(&id))
        .map(finish)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any text, as CSV or as XES, is read or refused: never a panic.
        #[test]
        fn any_text_is_read_or_refused(text in ".{0,400}") {
            let _ = read_log(&text, true);
            let _ = read_log(&text, false);
        }

        /// Logs built from fragments of real ones (tags, quotes, attributes cut anywhere).
        #[test]
        fn fragments_of_logs_are_read_or_refused(parts in prop::collection::vec(prop::sample::select(vec![
            "<log>", "</log>", "<trace>", "</trace>", "<event>", "</event>",
            "<string key=\"concept:name\" value=\"a\"/>", "<date key=\"time:timestamp\" value=\"2022-13-45T99:00\"/>",
            "<string key=\"lifecycle:transition\" value=\"start\"/>", "\"", ",", "\n", "case_id,activity\n", "x,y", "&amp;", "&#0;", "<![CDATA[", "]]>",
        ]), 0..60)) {
            let text: String = parts.concat();
            let _ = read_log(&text, true);
            let _ = read_log(&text, false);
        }
    }

    #[test]
    fn csv_with_quotes_lifecycles_and_times() {
        let text = "case_id,activity,timestamp,lifecycle\n\
                    a,\"x, y\",2022-01-02T08:00:00+01:00,complete\n\
                    a,z,2022-01-01T08:00:00+01:00,complete\n\
                    a,z,2022-01-01T07:00:00+01:00,start\n\
                    b,z,2022-01-03,\n";
        let t = read_log(text, true).expect("reads");
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].events.len(), 2);
        assert_eq!(t[0].events[0].0, "z", "sorted by time");
        assert_eq!(t[0].events[1].0, "x, y");
        assert_eq!(t[1].events.len(), 1);
    }

    #[test]
    fn hostile_logs_are_errors_not_panics() {
        for (text, csv) in [
            ("", true),
            ("case_id,activity\n\"a,b\n", true),
            ("x,y\n1,2\n", true),
            ("case_id,activity\na\n", true),
            ("", false),
            ("<log><trace><event>", false),
            ("<!DOCTYPE log [<!ENTITY a \"aaaa\">]><log>&a;</log>", false),
            ("<notalog/>", false),
            (
                "<log><trace><event><string key=\"x\" value=\"y\"/></event></trace></log>",
                false,
            ),
        ] {
            assert!(read_log(text, csv).is_err(), "{text:?}");
        }
        let deep = format!(
            "<log>{}{}</log>",
            "<a>".repeat(10_000),
            "</a>".repeat(10_000)
        );
        assert!(read_log(&deep, false).is_err());
    }
}
