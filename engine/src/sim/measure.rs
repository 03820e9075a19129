//! The figures of `validation:` measured on simulated cases: each finished case's step visits
//! (the dates it entered each step) are folded into a few counters per figure, so memory stays
//! flat in the number of cases. docs/validation.md defines every measure in words; this module
//! is that definition in code.
//!
//! A case counts for a figure only if it started in the figure's `entry` workflow (when one is
//! given) and its data has the figure's `where` values. A period is a day, a month, a year or a
//! range, both ends inclusive; "during the period" means an entry dated in it.

use crate::diagnostic::{did_you_mean, Diagnostic, Span};
use crate::duration::Duration;
use crate::eval::to_dynamic;
use crate::model::{Figure, Measure, Node};
use crate::municipality::Municipality;
use crate::run::case::Case;
use crate::semantics::program::{At, Program};
use crate::validity::parse_date;
use chrono::{Datelike, NaiveDate};
use rhai::Dynamic;

/// A period: first and last day, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl Period {
    /// `2021`, `2021-09`, `2021-12-31` or `2021-01-01..2021-06-30`.
    pub fn parse(s: &str) -> Result<Period, String> {
        let bad = || {
            format!("`{s}` is not a period; write a year (2021), a month (2021-09), a day (2021-12-31) or FROM..TO (2021-01-01..2021-06-30)")
        };
        let s = s.trim();
        if let Some((a, b)) = s.split_once("..") {
            let from = parse_date(a.trim()).map_err(|_| bad())?;
            let to = parse_date(b.trim()).map_err(|_| bad())?;
            if to < from {
                return Err(format!("the period `{s}` ends before it starts"));
            }
            return Ok(Period { from, to });
        }
        let parts: Vec<&str> = s.split('-').collect();
        let num = |p: &str| p.parse::<u32>().map_err(|_| bad());
        match parts.as_slice() {
            [y] if y.len() == 4 => {
                let y = num(y)? as i32;
                Ok(Period {
                    from: NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(bad)?,
                    to: NaiveDate::from_ymd_opt(y, 12, 31).ok_or_else(bad)?,
                })
            }
            [y, m] if y.len() == 4 && m.len() == 2 => {
                let (y, m) = (num(y)? as i32, num(m)?);
                let from = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
                let next = if m == 12 {
                    NaiveDate::from_ymd_opt(y + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(y, m + 1, 1)
                }
                .ok_or_else(bad)?;
                Ok(Period {
                    from,
                    to: next.pred_opt().ok_or_else(bad)?,
                })
            }
            [_, _, _] => {
                let d = parse_date(s).map_err(|_| bad())?;
                Ok(Period { from: d, to: d })
            }
            _ => Err(bad()),
        }
    }

    fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    /// The last day of every calendar month that ends inside the period (the period's own
    /// last day when none does).
    fn month_ends(&self) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut d = self.from;
        while d <= self.to {
            let next = if d.month() == 12 {
                NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
            };
            let Some(next) = next else { break };
            if let Some(end) = next.pred_opt() {
                if end <= self.to {
                    out.push(end);
                }
            }
            d = next;
        }
        if out.is_empty() {
            out.push(self.to);
        }
        out
    }
}

/// One figure, resolved, with its counters for one replication.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// The figure's id.
    pub id: String,
    kind: Measure,
    steps: Vec<At>,
    then: Vec<At>,
    until: Vec<At>,
    had: Vec<At>,
    of: Vec<At>,
    unless: Vec<At>,
    within: Option<Duration>,
    entry: Option<u32>,
    filter: Vec<(String, String)>,
    /// The period.
    pub period: Period,
    num: u64,
    den: u64,
    days: i64,
    ends: Vec<NaiveDate>,
    counts: Vec<u64>,
}

/// The figures of a municipality, fed finished cases.
#[derive(Debug, Clone, Default)]
pub(crate) struct Measures {
    pub items: Vec<Item>,
}

/// Resolve the figures of `m`'s `validation:` block: the items that resolve, and a diagnostic
/// for each name or period that does not.
pub(crate) fn resolve(m: &Municipality, prog: &Program) -> (Measures, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut items = Vec::new();
    let Some((file, def)) = &m.def else {
        return (Measures::default(), out);
    };
    let Some(v) = &def.validation else {
        return (Measures::default(), out);
    };
    let span = |loc| Span { file: *file, loc };
    for (key, f) in v.figures.iter() {
        let before = out.len();
        let steps = |list: &[Node<String>], field: &str, out: &mut Vec<Diagnostic>| {
            let mut ats = Vec::new();
            for n in list {
                match find(prog, &n.value) {
                    Ok(a) => ats.extend(a),
                    Err(msg) => out.push(
                        Diagnostic::new(
                            &crate::codes::UNKNOWN_REFERENCE,
                            Some(span(n.loc)),
                            format!("validation figure `{}`: {msg}", key.value),
                        )
                        .label(format!("not a step (in `{field}`)"))
                        .help("write `workflow.step`, or a step id only one workflow has"),
                    ),
                }
            }
            ats
        };
        let s = steps(&f.steps, "steps", &mut out);
        let then = steps(&f.then, "then", &mut out);
        let until = steps(&f.until, "until", &mut out);
        let had = steps(&f.had, "had", &mut out);
        let of = steps(&f.of, "of", &mut out);
        let unless = steps(&f.unless, "unless", &mut out);
        let kind = f.measure.value;
        if let Some(msg) = shape(f) {
            out.push(
                Diagnostic::new(
                    &crate::codes::INVALID_VALUE,
                    Some(span(f.measure.loc)),
                    format!("validation figure `{}`: {msg}", key.value),
                )
                .label("this measure")
                .help("docs/validation.md lists what each measure needs"),
            );
        }
        let period = match Period::parse(&f.period.value) {
            Ok(p) => Some(p),
            Err(msg) => {
                out.push(
                    Diagnostic::new(
                        &crate::codes::INVALID_VALUE,
                        Some(span(f.period.loc)),
                        format!("validation figure `{}`: {msg}", key.value),
                    )
                    .label("not a period"),
                );
                None
            }
        };
        let within = match &f.within {
            Some(d) => match m.period(&d.value) {
                Ok(d) => Some(d),
                Err(msg) => {
                    out.push(
                        Diagnostic::new(
                            &crate::codes::INVALID_VALUE,
                            Some(span(d.loc)),
                            format!("validation figure `{}`: {msg}", key.value),
                        )
                        .label("not a duration"),
                    );
                    None
                }
            },
            None => None,
        };
        let entry = match &f.entry {
            Some(e) => match prog.workflows.iter().position(|w| w.name == e.value) {
                Some(w) => Some(w as u32),
                None => {
                    out.push(
                        Diagnostic::new(
                            &crate::codes::UNKNOWN_REFERENCE,
                            Some(span(e.loc)),
                            format!(
                                "validation figure `{}`: unknown workflow `{}`",
                                key.value, e.value
                            ),
                        )
                        .label("no workflow of this name")
                        .help(
                            did_you_mean(&e.value, prog.workflows.iter().map(|w| w.name.as_str()))
                                .map_or_else(
                                    || "name an entry workflow".to_string(),
                                    |s| format!("did you mean `{s}`?"),
                                ),
                        ),
                    );
                    None
                }
            },
            None => None,
        };
        if f.tolerance.value < 0.0 || !f.tolerance.value.is_finite() {
            out.push(
                Diagnostic::new(
                    &crate::codes::INVALID_VALUE,
                    Some(span(f.tolerance.loc)),
                    format!(
                        "validation figure `{}`: the tolerance must be 0 or more",
                        key.value
                    ),
                )
                .label("here"),
            );
        }
        let Some(period) = period else { continue };
        if out.len() > before {
            continue;
        }
        let ends = match kind {
            Measure::InStay => vec![period.to],
            Measure::MaxInStay => period.month_ends(),
            _ => Vec::new(),
        };
        items.push(Item {
            id: key.value.clone(),
            kind,
            steps: s,
            then,
            until,
            had,
            of,
            unless,
            within,
            entry,
            filter: f
                .filter
                .iter()
                .map(|(k, v)| (k.clone(), to_dynamic(v).to_string()))
                .collect(),
            period,
            num: 0,
            den: 0,
            days: 0,
            counts: vec![0; ends.len()],
            ends,
        });
    }
    (Measures { items }, out)
}

/// What a figure of this measure is missing or has too much of, if anything.
fn shape(f: &Figure) -> Option<String> {
    let needs = |list: &[Node<String>], field: &str| {
        list.is_empty().then(|| {
            format!(
                "the measure `{}` needs `{field}`",
                measure_name(f.measure.value)
            )
        })
    };
    let none = |list: &[Node<String>], field: &str| {
        (!list.is_empty()).then(|| {
            format!(
                "the measure `{}` does not use `{field}`",
                measure_name(f.measure.value)
            )
        })
    };
    if f.steps.is_empty() {
        return Some("a figure needs `steps`".to_string());
    }
    match f.measure.value {
        Measure::Entries | Measure::Cases => none(&f.then, "then")
            .or_else(|| none(&f.until, "until"))
            .or_else(|| none(&f.had, "had"))
            .or_else(|| none(&f.of, "of")),
        Measure::InStay | Measure::MaxInStay => needs(&f.until, "until"),
        Measure::ShareHad => needs(&f.had, "had"),
        Measure::FollowedBy | Measure::NotFollowedBy | Measure::MeanDays => needs(&f.then, "then"),
        Measure::ShareOfEntries => needs(&f.of, "of"),
    }
}

/// The measure's name as written.
pub fn measure_name(m: Measure) -> &'static str {
    match m {
        Measure::Entries => "entries",
        Measure::Cases => "cases",
        Measure::InStay => "in_stay",
        Measure::MaxInStay => "max_in_stay",
        Measure::ShareHad => "share_had",
        Measure::FollowedBy => "followed_by",
        Measure::NotFollowedBy => "not_followed_by",
        Measure::ShareOfEntries => "share_of_entries",
        Measure::MeanDays => "mean_days",
    }
}

/// Whether a figure of this measure is a share (0 to 1).
pub fn is_share(m: Measure) -> bool {
    matches!(
        m,
        Measure::ShareHad | Measure::FollowedBy | Measure::NotFollowedBy | Measure::ShareOfEntries
    )
}

/// The steps `name` stands for: `workflow.step`, or a bare id exactly one workflow has.
fn find(prog: &Program, name: &str) -> Result<Vec<At>, String> {
    let found = prog.find(name);
    if found.is_empty() {
        let all: Vec<String> = prog.steps().map(|(a, _)| prog.qualified(a, None)).collect();
        return Err(match did_you_mean(name, all.iter().map(String::as_str)) {
            Some(s) => format!("unknown step `{name}`; did you mean `{s}`?"),
            None => format!("unknown step `{name}`"),
        });
    }
    if !name.contains('.') {
        let workflows: std::collections::BTreeSet<u32> = found.iter().map(|a| a.w).collect();
        if workflows.len() > 1 {
            let list: Vec<String> = found.iter().map(|a| prog.qualified(*a, None)).collect();
            return Err(format!(
                "step `{name}` is in several workflows: write one of {}",
                list.join(", ")
            ));
        }
    }
    Ok(found)
}

impl Measures {
    /// Fold one finished case (followed until `horizon`) into every figure.
    pub fn observe(&mut self, case: &Case, horizon: NaiveDate) {
        let Some(&(first, _)) = case.visits.first() else {
            return;
        };
        let end = case.closed.map_or(horizon, |c| c.min(horizon));
        for it in &mut self.items {
            if it.entry.is_some_and(|e| e != first.w) {
                continue;
            }
            if !it.filter.iter().all(|(k, v)| {
                case.arende
                    .get(k)
                    .is_some_and(|d: Dynamic| d.to_string() == *v)
            }) {
                continue;
            }
            it.observe(case, end, horizon);
        }
    }

    /// The value of each figure for the cases folded so far: `None` when nothing it measures
    /// happened (no case in its population).
    pub fn values(&self) -> Vec<(String, Option<f64>)> {
        self.items
            .iter()
            .map(|it| (it.id.clone(), it.value()))
            .collect()
    }
}

impl Item {
    fn observe(&mut self, case: &Case, end: NaiveDate, horizon: NaiveDate) {
        let v = &case.visits;
        let p = self.period;
        match self.kind {
            Measure::Entries => {
                self.num += v
                    .iter()
                    .filter(|(a, d)| self.steps.contains(a) && p.contains(*d))
                    .count() as u64;
            }
            Measure::Cases => {
                self.num += u64::from(
                    v.iter()
                        .any(|(a, d)| self.steps.contains(a) && p.contains(*d)),
                );
            }
            Measure::InStay | Measure::MaxInStay => {
                for (i, &e) in self.ends.iter().enumerate() {
                    // A case closed before the day, or no longer followed on it, is not in a
                    // stay (its state that day is not simulated).
                    if case.closed.is_some_and(|c| c <= e) || horizon < e {
                        continue;
                    }
                    let last = v
                        .iter()
                        .rev()
                        .filter(|(_, d)| *d <= e)
                        .find(|(a, _)| self.steps.contains(a) || self.until.contains(a));
                    if last.is_some_and(|(a, _)| self.steps.contains(a)) {
                        self.counts[i] += 1;
                    }
                }
            }
            Measure::ShareHad => {
                if v.iter()
                    .any(|(a, d)| self.steps.contains(a) && p.contains(*d))
                {
                    self.den += 1;
                    self.num +=
                        u64::from(v.iter().any(|(a, d)| self.had.contains(a) && *d <= p.to));
                }
            }
            Measure::FollowedBy | Measure::NotFollowedBy => {
                for (i, &(a, t0)) in v.iter().enumerate() {
                    if !self.steps.contains(&a) || !p.contains(t0) {
                        continue;
                    }
                    let due = self.within.and_then(|d| d.after(t0));
                    let rest = &v[i + 1..];
                    let hit = rest.iter().position(|(b, _)| self.then.contains(b));
                    let stop = rest.iter().position(|(b, _)| self.unless.contains(b));
                    let followed = match (hit, stop) {
                        (Some(j), s) if s.is_none_or(|s| j < s) => {
                            Some(due.is_none_or(|due| rest[j].1 <= due))
                        }
                        (_, Some(s)) => {
                            // Ended by an `unless` step: not counted if it came in time.
                            if due.is_none_or(|due| rest[s].1 <= due) {
                                None
                            } else {
                                Some(false)
                            }
                        }
                        _ => match due {
                            // The time ran out without `then` while the case was followed.
                            Some(due) if end >= due && horizon >= due => Some(false),
                            // Closed, or no longer followed, before the time ran out.
                            Some(_) => None,
                            // No time limit: not followed by the end of observation.
                            None => Some(false),
                        },
                    };
                    if let Some(ok) = followed {
                        self.den += 1;
                        let counted = if self.kind == Measure::FollowedBy {
                            ok
                        } else {
                            !ok
                        };
                        self.num += u64::from(counted);
                    }
                }
            }
            Measure::ShareOfEntries => {
                for (a, d) in v {
                    if !p.contains(*d) {
                        continue;
                    }
                    self.num += u64::from(self.steps.contains(a));
                    self.den += u64::from(self.of.contains(a));
                }
            }
            Measure::MeanDays => {
                for (i, &(a, t0)) in v.iter().enumerate() {
                    if !self.steps.contains(&a) || !p.contains(t0) {
                        continue;
                    }
                    if let Some(&(_, t1)) = v[i + 1..].iter().find(|(b, _)| self.then.contains(b)) {
                        self.den += 1;
                        self.days += (t1 - t0).num_days();
                    }
                }
            }
        }
    }

    fn value(&self) -> Option<f64> {
        match self.kind {
            Measure::Entries | Measure::Cases => Some(self.num as f64),
            Measure::InStay | Measure::MaxInStay => self.counts.iter().max().map(|&n| n as f64),
            Measure::ShareHad
            | Measure::FollowedBy
            | Measure::NotFollowedBy
            | Measure::ShareOfEntries => (self.den > 0).then(|| self.num as f64 / self.den as f64),
            Measure::MeanDays => (self.den > 0).then(|| self.days as f64 / self.den as f64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_read_as_years_months_days_and_ranges() {
        assert_eq!(
            Period::parse("2021").unwrap(),
            Period {
                from: d(2021, 1, 1),
                to: d(2021, 12, 31)
            }
        );
        assert_eq!(Period::parse("2024-02").unwrap().to, d(2024, 2, 29));
        assert_eq!(Period::parse("2021-12-31").unwrap().from, d(2021, 12, 31));
        assert_eq!(
            Period::parse("2021-01-01..2021-06-30").unwrap().to,
            d(2021, 6, 30)
        );
        assert!(Period::parse("2021-13").is_err());
        assert!(Period::parse("förra året").is_err());
        assert!(Period::parse("2021-06-30..2021-01-01").is_err());
    }

    #[test]
    fn month_ends_inside_a_period() {
        let ends = Period::parse("2021").unwrap().month_ends();
        assert_eq!(ends.len(), 12);
        assert_eq!(ends[1], d(2021, 2, 28));
        assert_eq!(
            Period::parse("2021-03-10").unwrap().month_ends(),
            [d(2021, 3, 10)]
        );
    }

    fn item(kind: Measure, within: Option<Duration>) -> Item {
        let a = At { w: 0, s: 0 };
        let b = At { w: 0, s: 1 };
        let u = At { w: 0, s: 2 };
        Item {
            id: "x".into(),
            kind,
            steps: vec![a],
            then: vec![b],
            until: vec![b],
            had: vec![b],
            of: vec![a, b],
            unless: vec![u],
            within,
            entry: None,
            filter: Vec::new(),
            period: Period::parse("2021").unwrap(),
            num: 0,
            den: 0,
            days: 0,
            ends: if kind == Measure::InStay {
                vec![d(2021, 12, 31)]
            } else {
                Period::parse("2021").unwrap().month_ends()
            },
            counts: vec![0; 12],
        }
    }

    fn case(visits: &[(u32, NaiveDate)], closed: Option<NaiveDate>) -> Case {
        let mut c = Case::new("c", crate::eval::Arende::default(), false);
        c.visits = visits.iter().map(|&(s, t)| (At { w: 0, s }, t)).collect();
        c.closed = closed;
        c
    }

    /// The oracle for `followed_by`: every entry into A in 2021 is judged by hand.
    #[test]
    fn followed_by_counts_in_time_late_exempt_and_censored_entries() {
        let within = Some(Duration::months(3));
        let h = d(2023, 1, 1);
        let mut it = item(Measure::FollowedBy, within);
        // On time.
        it.observe(
            &case(&[(0, d(2021, 1, 10)), (1, d(2021, 4, 10))], None),
            h,
            h,
        );
        // Late.
        it.observe(
            &case(&[(0, d(2021, 1, 10)), (1, d(2021, 4, 11))], None),
            h,
            h,
        );
        // Exempt: the `unless` step came first, in time.
        it.observe(
            &case(&[(0, d(2021, 1, 10)), (2, d(2021, 2, 1))], None),
            h,
            h,
        );
        // Closed before the time ran out: not counted.
        it.observe(
            &case(&[(0, d(2021, 11, 10))], Some(d(2021, 12, 1))),
            d(2021, 12, 1),
            h,
        );
        // The time ran out while the case went on: not followed.
        it.observe(&case(&[(0, d(2021, 3, 1))], None), h, h);
        // Outside the period: not counted.
        it.observe(&case(&[(0, d(2020, 3, 1))], None), h, h);
        assert_eq!((it.num, it.den), (1, 3));
        let mut not = item(Measure::NotFollowedBy, within);
        not.observe(
            &case(&[(0, d(2021, 1, 10)), (1, d(2021, 4, 11))], None),
            h,
            h,
        );
        assert_eq!(not.value(), Some(1.0));
    }

    #[test]
    fn stays_count_cases_whose_latest_entry_opens_one() {
        let h = d(2023, 1, 1);
        let mut it = item(Measure::InStay, None);
        // Entered A, not yet B: in a stay at the end of 2021.
        it.observe(&case(&[(0, d(2021, 5, 1))], None), h, h);
        // Left by B.
        it.observe(&case(&[(0, d(2021, 5, 1)), (1, d(2021, 6, 1))], None), h, h);
        // Back in A after B.
        it.observe(
            &case(
                &[(0, d(2021, 5, 1)), (1, d(2021, 6, 1)), (0, d(2021, 7, 1))],
                None,
            ),
            h,
            h,
        );
        // Closed before the day.
        it.observe(
            &case(&[(0, d(2021, 5, 1))], Some(d(2021, 8, 1))),
            d(2021, 8, 1),
            h,
        );
        assert_eq!(it.value(), Some(2.0));
        let mut max = item(Measure::MaxInStay, None);
        max.observe(
            &case(&[(0, d(2021, 2, 1)), (1, d(2021, 3, 15))], None),
            h,
            h,
        );
        max.observe(
            &case(&[(0, d(2021, 2, 10)), (1, d(2021, 2, 20))], None),
            h,
            h,
        );
        max.observe(&case(&[(0, d(2021, 3, 1))], None), h, h);
        // End of February: one (the other left on the 20th); end of March: one; end of
        // December: one. Never two at a month's end.
        assert_eq!(max.value(), Some(1.0));
    }

    #[test]
    fn entries_shares_and_mean_days() {
        let h = d(2023, 1, 1);
        let c = case(
            &[
                (0, d(2021, 1, 1)),
                (1, d(2021, 1, 8)),
                (0, d(2021, 2, 1)),
                (1, d(2021, 2, 3)),
                (0, d(2022, 1, 1)),
            ],
            None,
        );
        let mut e = item(Measure::Entries, None);
        e.observe(&c, h, h);
        assert_eq!(e.value(), Some(2.0));
        let mut m = item(Measure::MeanDays, None);
        m.observe(&c, h, h);
        assert_eq!(m.value(), Some(4.5));
        let mut s = item(Measure::ShareOfEntries, None);
        s.observe(&c, h, h);
        assert_eq!(s.value(), Some(0.5));
        let mut had = item(Measure::ShareHad, None);
        had.observe(&c, h, h);
        had.observe(&case(&[(0, d(2021, 5, 1))], None), h, h);
        assert_eq!(had.value(), Some(0.5));
    }
}
