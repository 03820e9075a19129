//! Terminal and JSON rendering of diagnostics (miette for the human form).

use crate::excerpt::{term, term_line, Excerpt, Mark, MAX_SPREAD};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use serde::Serialize;
use std::fmt;
use std::io::{self, Write};
use steg_engine::{CheckInfo, Diagnostic, Report, Severity, SourceMap};

/// Whether to colour output: on a terminal, unless NO_COLOR is set.
pub fn colors_wanted() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none() && io::stdout().is_terminal()
}

/// A diagnostic with its source, in the form miette renders: the lines it marks (cut and with
/// control characters escaped, see [`crate::excerpt`]), and its texts made safe for a terminal.
struct Shown<'a> {
    d: &'a Diagnostic,
    message: String,
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{}({})",
            self.d.check.code, self.d.check.name
        )))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

fn shown<'a>(d: &'a Diagnostic, sources: &SourceMap) -> Shown<'a> {
    let mut help = d.help.as_deref().map(|h| term(h).into_owned());
    let mut labels = Vec::new();
    let source = d.span.as_ref().map(|span| {
        let file = sources.get(span.file);
        let mark = |s: &steg_engine::Span| Mark {
            offset: s.loc.offset,
            len: s.loc.len,
            line: s.loc.line as usize,
        };
        let mut marks = vec![mark(span)];
        let mut texts = vec![Some(term(&d.label).into_owned()).filter(|l| !l.is_empty())];
        for r in &d.related {
            let near = r.span.loc.line.abs_diff(span.loc.line) as usize <= MAX_SPREAD;
            if r.span.file == span.file && near {
                marks.push(mark(&r.span));
                texts.push(Some(term(&r.message).into_owned()));
            } else {
                let other = sources.get(r.span.file);
                let note = format!(
                    "{}: {}:{}:{}",
                    term(&r.message),
                    term(&other.path.display().to_string()),
                    r.span.loc.line,
                    r.span.loc.column
                );
                help = Some(match help.take() {
                    Some(h) => format!("{h}\n{note}"),
                    None => note,
                });
            }
        }
        let (excerpt, spans) = Excerpt::new(&file.path.display().to_string(), &file.text, &marks);
        for (i, (span, text)) in spans.into_iter().zip(texts).enumerate() {
            labels.push(if i == 0 {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            });
        }
        excerpt
    });
    Shown {
        d,
        message: term(&d.message).into_owned(),
        source,
        labels,
        help,
    }
}

/// Render every diagnostic for people.
pub fn diagnostics(out: &mut impl Write, report: &Report, color: bool) -> io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_context_lines(1);
    for d in &report.diagnostics {
        let mut s = String::new();
        handler
            .render_report(&mut s, &shown(d, &report.sources))
            .map_err(io::Error::other)?;
        writeln!(out, "{}", s.trim_end_matches('\n'))?;
        for n in &d.notes {
            writeln!(out, "{}", wrap(n, "  note: ", 100))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// `text` after `first` (e.g. `  note: `), wrapped at `width` columns, later lines indented to
/// line up with the first.
fn wrap(text: &str, first: &str, width: usize) -> String {
    let indent = " ".repeat(first.chars().count());
    let mut out = String::from(first);
    let mut line_len = first.chars().count();
    let mut fresh = true;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if !fresh && line_len + 1 + n > width {
            out.push('\n');
            out.push_str(&indent);
            line_len = indent.len();
            fresh = true;
        }
        if !fresh {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += n;
        fresh = false;
    }
    out
}

/// Render every diagnostic for people, then a summary line.
pub fn human(out: &mut impl Write, report: &Report, color: bool) -> io::Result<()> {
    diagnostics(out, report, color)?;
    let (e, w) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
    );
    let names: Vec<String> = report
        .municipalities
        .iter()
        .map(|m| term_line(&m.dir.display().to_string()).into_owned())
        .collect();
    writeln!(
        out,
        "checked {} ({}): {} error{}, {} warning{}",
        plural(names.len(), "municipality", "municipalities"),
        names.join(", "),
        e,
        if e == 1 { "" } else { "s" },
        w,
        if w == 1 { "" } else { "s" },
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    step: Option<&'a str>,
    related: Vec<JsonRelated>,
    notes: &'a [String],
    follow_on: Vec<JsonFollowOn<'a>>,
}

/// A diagnostic that only follows from the one it is listed under.
#[derive(Serialize)]
struct JsonFollowOn<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    step: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonRelated {
    message: String,
    file: String,
    line: u32,
    column: u32,
}

/// Render every diagnostic as a JSON array, one object per diagnostic; what only follows from a
/// diagnostic is in its `follow_on` (and summarised in its `notes`).
pub fn json(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let items: Vec<JsonDiagnostic> = report
        .diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            code: d.check.code,
            name: d.check.name,
            severity: d.severity,
            message: &d.message,
            help: d.help.as_deref(),
            file: d
                .span
                .as_ref()
                .map(|s| report.sources.get(s.file).path.display().to_string()),
            line: d.span.as_ref().map(|s| s.loc.line),
            column: d.span.as_ref().map(|s| s.loc.column),
            step: d.step.as_deref(),
            related: d
                .related
                .iter()
                .map(|r| JsonRelated {
                    message: r.message.clone(),
                    file: report.sources.get(r.span.file).path.display().to_string(),
                    line: r.span.loc.line,
                    column: r.span.loc.column,
                })
                .collect(),
            notes: &d.notes,
            follow_on: d
                .follow_on
                .iter()
                .map(|f| JsonFollowOn {
                    code: f.check.code,
                    name: f.check.name,
                    severity: f.severity,
                    message: &f.message,
                    file: f
                        .span
                        .as_ref()
                        .map(|s| report.sources.get(s.file).path.display().to_string()),
                    line: f.span.as_ref().map(|s| s.loc.line),
                    column: f.span.as_ref().map(|s| s.loc.column),
                    step: f.step.as_deref(),
                })
                .collect(),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}

/// One failed rule test: where, which rule, the input, what was expected and what came.
pub fn test_failure(
    out: &mut impl Write,
    sources: &SourceMap,
    t: &steg_engine::TestOutcome,
) -> io::Result<()> {
    let file = &sources.get(t.file).path;
    let line = |v: &dyn fmt::Display| term_line(&v.to_string()).into_owned();
    writeln!(
        out,
        "FAIL {}:{}:{}  rule `{}`: {}",
        line(&file.display()),
        t.expect_loc.line,
        t.expect_loc.column,
        line(&t.rule),
        line(&t.name)
    )?;
    if let Some(d) = &t.date {
        writeln!(out, "     date:     {}", line(d))?;
    }
    writeln!(out, "     arende:   {}", line(&t.arende))?;
    if t.params.as_object().is_some_and(|p| !p.is_empty()) {
        writeln!(out, "     params:   {}", line(&t.params))?;
    }
    writeln!(out, "     expected: {}", line(&t.expected))?;
    match &t.actual {
        Ok(v) => writeln!(out, "     actual:   {}", line(v))?,
        Err(e) => {
            let at = e.span.as_ref().map(|s| {
                format!(
                    " (at {}:{}:{})",
                    line(&sources.get(s.file).path.display()),
                    s.loc.line,
                    s.loc.column
                )
            });
            writeln!(
                out,
                "     error:    {}{}",
                line(&e.message),
                at.unwrap_or_default()
            )?
        }
    }
    writeln!(out)
}

/// A case's trace as JSON.
#[derive(Serialize)]
pub struct TraceJson<'a> {
    case: &'a str,
    closed: Option<String>,
    outcome: Option<&'a str>,
    stuck: Option<&'a steg_engine::Stuck>,
    trace: &'a [steg_engine::TraceEntry],
}

impl<'a> TraceJson<'a> {
    /// The JSON form of `case`.
    pub fn new(case: &'a steg_engine::Case) -> Self {
        TraceJson {
            case: &case.id,
            closed: case.closed.map(|d| d.to_string()),
            outcome: case.outcome.as_deref(),
            stuck: case.stuck.as_ref(),
            trace: case.trace.as_deref().unwrap_or_default(),
        }
    }
}

/// A case's trace for people: one line per event, with dates.
pub fn trace(
    out: &mut impl Write,
    m: &steg_engine::Municipality,
    case: &steg_engine::Case,
) -> io::Result<()> {
    use steg_engine::What;
    let name = m
        .def
        .as_ref()
        .map_or(m.name.as_str(), |(_, d)| d.municipality.value.as_str());
    writeln!(
        out,
        "case `{}` in {}\n",
        term_line(&case.id),
        term_line(name)
    )?;
    let mut last_date = None;
    for e in case.trace.as_deref().unwrap_or_default() {
        let date = if last_date == Some(e.date) {
            "          ".to_string()
        } else {
            e.date.to_string()
        };
        last_date = Some(e.date);
        let place = if e.workflow.is_empty() {
            String::new()
        } else {
            format!("{}.{}", e.workflow, e.step)
        };
        let what = match &e.what {
            What::Entered { kind, actor } => match actor {
                Some(a) => format!("{kind} by {a}"),
                None => kind.to_string(),
            },
            What::Moved { to, because } => format!("→ {to}  ({because})"),
            What::Forked { branches } => format!("⑂ in parallel: {}", branches.join(", ")),
            What::Waiting { listening } => format!("waits for: {}", listening.join(", ")),
            What::Event { name, to } => format!("event {name} → {to}"),
            What::Emitted { name } => format!("raises event {name}"),
            What::Timer {
                timer,
                to,
                due,
                late_days,
            } => match late_days {
                Some(l) => format!("timer {timer} (due {due}, {l} days late) → {to}"),
                None => format!("timer {timer} → {to}"),
            },
            What::EventKept { name } => format!("event {name}: no step waits for it now; kept"),
            What::EventLost { name, reason } => format!("EVENT LOST: {name} ({reason})"),
            What::Joined => "join: every input has arrived".to_string(),
            What::DataSet { fields } => format!("data: {}", fields.join(", ")),
            What::Referred { to_workflow } => format!("referred to workflow {to_workflow}"),
            What::Returned { outcome, to } => format!("answer {outcome} → {to}"),
            What::JoinWaiting { arrived, needed } => {
                format!("join: {arrived} of {needed} branches arrived")
            }
            What::Ended { outcome } => format!("end: {outcome}"),
            What::Closed { outcome } => format!("case closed: {outcome}"),
            What::Stuck { reason } => format!("STUCK: {reason}"),
            What::RuleFailed { message } => format!("RULE FAILED: {message}"),
            What::DeadlineMissed { within } => format!("deadline missed: within {within}"),
            What::NotInForce { to, reason } => format!("not → {to}: {reason}"),
        };
        let (place, what) = (term_line(&place), term_line(&what));
        writeln!(out, "{date}  {place:<44} {what}")?;
    }
    writeln!(out)?;
    match (&case.closed, &case.stuck) {
        (Some(d), _) => writeln!(
            out,
            "closed {d} with outcome {}",
            term_line(case.outcome.as_deref().unwrap_or("?"))
        ),
        (None, Some(s)) => writeln!(
            out,
            "STUCK {} at `{}`: {}",
            s.date,
            term_line(&s.step),
            term_line(&s.reason)
        ),
        (None, None) => writeln!(out, "still open at the end of the scenario"),
    }
}

/// A simulation report for people.
pub fn sim_report(
    out: &mut impl Write,
    m: &steg_engine::Municipality,
    r: &steg_engine::SimReport,
) -> io::Result<()> {
    let name = m
        .def
        .as_ref()
        .map_or(m.name.as_str(), |(_, d)| d.municipality.value.as_str());
    if r.replications > 1 {
        writeln!(
            out,
            "{}: {} replications of {} cases, seed {}, each case followed {} months",
            term_line(name),
            r.replications,
            r.cases,
            r.seed,
            r.months
        )?;
    } else {
        writeln!(
            out,
            "{}: {} cases, seed {}, each followed {} months",
            term_line(name),
            r.cases,
            r.seed,
            r.months
        )?;
    }
    if let (Some(a), Some(b)) = r.arrivals {
        writeln!(out, "arrivals {a} .. {b}, {} moves", r.moves)?;
    }
    if !r.overrides.is_empty() {
        writeln!(out, "what-if: {}", term_line(&r.overrides.join(", ")))?;
    }
    let dist = |d: &steg_engine::Dist| match (d.median, d.p90) {
        (Some(m), Some(p)) => format!("median {m:>4} d   p90 {p:>4} d   ({} cases)", d.count),
        _ => "no cases".to_string(),
    };
    let part = |count: u64, of: u64, share: Option<f64>| match share {
        Some(s) => format!("{:5.1} %   ({count} of {of})", s * 100.0),
        None => "no cases".to_string(),
    };
    writeln!(out)?;
    writeln!(
        out,
        "  {:<40} {}",
        "ansökan → beslut",
        dist(&r.ansokan_till_beslut)
    )?;
    writeln!(
        out,
        "  {:<40} {}",
        "ansökan → insats",
        dist(&r.ansokan_till_insats)
    )?;
    writeln!(
        out,
        "  {:<40} {}",
        "plan inom 90 dagar",
        part(
            r.plan_inom_90_dagar.count,
            r.plan_inom_90_dagar.of,
            r.plan_inom_90_dagar.share
        )
    )?;
    writeln!(
        out,
        "  {:<40} {}",
        "frånvaro → handläggare",
        dist(&r.franvaro_till_handlaggare)
    )?;
    for (event, n) in &r.lost_events {
        writeln!(
            out,
            "  {:<40} {}",
            format!("förlorade händelser: {event}"),
            n
        )?;
    }
    for (event, n) in &r.unused_outside_events {
        writeln!(
            out,
            "  {:<40} {}",
            format!("ej mottagna utifrån: {event}"),
            n
        )?;
    }
    for t in &r.late_timers {
        writeln!(
            out,
            "  {:<40} {} gånger, i snitt {} dagar sent",
            format!("timer sen: {}", t.step),
            t.times,
            t.mean_days
        )?;
    }
    for d in &r.deadlines {
        writeln!(
            out,
            "  {:<40} {}",
            term_line(&format!("i tid: {} (inom {})", d.step, d.within)),
            part(d.on_time.count, d.on_time.of, d.on_time.share)
        )?;
    }
    writeln!(out, "  {:<40} {}", "återremitteringar", r.aterremitteringar)?;
    writeln!(
        out,
        "  {:<40} {}",
        "återremitterade ärenden",
        part(
            r.aterremitterade_arenden.count,
            r.aterremitterade_arenden.of,
            r.aterremitterade_arenden.share
        )
    )?;
    writeln!(out, "  {:<40} {}", "återanvisningar", r.ateranvisningar)?;
    sim_obligations(out, r)?;
    writeln!(out)?;
    writeln!(out, "  outcomes")?;
    for (o, n) in &r.outcomes {
        let o = term_line(o);
        writeln!(
            out,
            "    {o:<38} {n:>8}  {:5.1} %",
            *n as f64 * 100.0 / (r.cases.max(1) * u64::from(r.replications.max(1))) as f64
        )?;
    }
    writeln!(
        out,
        "    {:<38} {:>8}  {:5.1} %",
        "(open at end of follow-up)",
        r.open,
        r.open as f64 * 100.0 / (r.cases.max(1) * u64::from(r.replications.max(1))) as f64
    )?;
    let total = r.cases.max(1) * u64::from(r.replications.max(1));
    for w in &r.waiting {
        writeln!(
            out,
            "    {:<38} {:>8}  {:5.1} %",
            format!("(waiting at {})", w.step),
            w.cases,
            w.cases as f64 * 100.0 / total as f64
        )?;
    }
    for st in &r.stuck {
        writeln!(
            out,
            "    {:<38} {:>8}  {:5.1} %   {}",
            format!("(STUCK at {})", st.step),
            st.cases,
            st.cases as f64 * 100.0 / total as f64,
            st.reason
        )?;
    }
    if !r.roles.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "  {:<30} {:>6} {:>12} {:>11} {:>10} {:>16}",
            "role", "staff", "utilisation", "mean queue", "max queue", "wait median/p90"
        )?;
        for role in r.roles.iter().filter(|r| r.staff > 0.0) {
            let util = role
                .utilisation
                .map_or("-".to_string(), |u| format!("{:.1} %", u * 100.0));
            let mq = role
                .mean_queue
                .map_or("-".to_string(), |q| format!("{q:.1}"));
            let wait = match (role.wait_days.median, role.wait_days.p90) {
                (Some(a), Some(b)) => format!("{a} d / {b} d"),
                _ => "-".to_string(),
            };
            writeln!(
                out,
                "  {:<30} {:>6} {:>12} {:>11} {:>10} {:>16}",
                term_line(&role.role),
                role.staff,
                util,
                mq,
                role.max_queue,
                wait
            )?;
        }
    }
    if !r.estimates.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "  {:<52} {:>10}   {:>23}",
            "over the replications", "mean", "95 % confidence interval"
        )?;
        for e in &r.estimates {
            let ci = match (e.low, e.high) {
                (Some(l), Some(h)) => format!("{l:.3} .. {h:.3}"),
                _ => "-".to_string(),
            };
            writeln!(out, "  {:<52} {:>10.3}   {:>23}", e.kpi, e.mean, ci)?;
        }
    }
    if r.rule_errors > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "  {} rule evaluations failed; the first:",
            r.rule_errors
        )?;
        for e in &r.first_rule_errors {
            writeln!(out, "    {}", term_line(&e.to_string()))?;
        }
    }
    Ok(())
}

/// The share of simulated cases that broke each obligation (`obligations:`).
fn sim_obligations(out: &mut impl Write, r: &steg_engine::SimReport) -> io::Result<()> {
    if r.obligations.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "  obligations (cases that broke it)")?;
    for o in &r.obligations {
        let share = match o.share {
            Some(s) => format!("{:5.1} %   ({} of {})", s * 100.0, o.broken, o.of),
            None => "no cases".to_string(),
        };
        writeln!(out, "    {:<38} {share}", term_line(&o.id))?;
    }
    Ok(())
}

/// The documentation of a check, as `steg explain` prints it.
pub fn explain(c: &CheckInfo) -> String {
    let mut s = format!("{} {} ({})\n\n", c.code, c.name, c.severity);
    for line in c.doc.lines() {
        s.push_str(line.strip_prefix(' ').unwrap_or(line));
        s.push('\n');
    }
    s
}
