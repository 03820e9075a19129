//! Durations as designers write them: `14d`, `3w`, `3mo` (calendar months), `1y`, ISO 8601 `P3M`,
//! and ranges `5d..14d`.

use chrono::{Days, Months, NaiveDate};
use schemars::JsonSchema;
use std::borrow::Cow;
use std::fmt;

/// A calendar duration: months and days are kept apart, since a month is not a fixed number of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration {
    /// Whole calendar months (years are 12 months).
    pub months: u32,
    /// Days (weeks are 7 days).
    pub days: u32,
}

impl Duration {
    /// A duration of `days` days.
    pub const fn days(days: u32) -> Self {
        Duration { months: 0, days }
    }

    /// A duration of `months` calendar months.
    pub const fn months(months: u32) -> Self {
        Duration { months, days: 0 }
    }

    /// The date this long after `date` (months first, then days; the 31st clamps to month end).
    pub fn after(self, date: NaiveDate) -> Option<NaiveDate> {
        date.checked_add_months(Months::new(self.months))?
            .checked_add_days(Days::new(u64::from(self.days)))
    }

    /// The date this long after `date` when `date` belongs to a chain of due dates that began
    /// on day `day` of a month: where `date` is the last day of its month and `day` is later
    /// (the chain was clamped, 31 January → 28 February), months are counted from `day` again
    /// (28 February + 1 month = 31 March). So a deadline counted from each review agrees with a
    /// [`Schedule`] from the chain's start whenever the reviews come on its due dates.
    pub fn after_keeping_day(self, date: NaiveDate, day: u32) -> Option<NaiveDate> {
        use chrono::Datelike;
        let last = |d: NaiveDate| {
            d.checked_add_days(Days::new(1))
                .is_none_or(|n| n.month() != d.month())
        };
        if self.months == 0 || day <= date.day() || !last(date) {
            return self.after(date);
        }
        let first = date.with_day(1)?;
        let month = first.checked_add_months(Months::new(self.months))?;
        // Day `day` of the target month, clamped to its end.
        let target = (0..4)
            .find_map(|back| month.with_day(day.saturating_sub(back)))
            .unwrap_or(month);
        target.checked_add_days(Days::new(u64::from(self.days)))
    }

    /// An upper bound in days, for comparing durations without a calendar (a month counts 31 days).
    pub fn max_days(self) -> u64 {
        u64::from(self.months) * 31 + u64::from(self.days)
    }

    /// Whether it is no time at all.
    pub fn is_zero(self) -> bool {
        self.months == 0 && self.days == 0
    }

    /// A lower bound in days (a month counts 28 days).
    pub fn min_days(self) -> u64 {
        u64::from(self.months) * 28 + u64::from(self.days)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.months, self.days) {
            (0, d) if d % 7 == 0 && d > 0 => write!(f, "{}w", d / 7),
            (0, d) => write!(f, "{d}d"),
            (m, 0) => write!(f, "{m}mo"),
            (m, d) => write!(f, "{m}mo{d}d"),
        }
    }
}

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError(pub String);

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const HELP: &str = "write a number and a unit: `14d`, `3w`, `3mo`, `1y`, or ISO 8601 such as `P3M`, `P2W`, `P1Y6M`";

impl std::str::FromStr for Duration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.is_empty() {
            return Err(DurationError(format!("empty duration: {HELP}")));
        }
        if let Some(iso) = t.strip_prefix('P') {
            return parse_iso(iso).ok_or_else(|| {
                DurationError(format!(
                    "`{t}` is not an ISO 8601 duration of years, months, weeks and days: {HELP}"
                ))
            });
        }
        // One or more number+unit parts: `3mo`, `1mo15d`.
        let mut rest = t;
        let mut out = Duration::default();
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(DurationError(format!("`{t}` is not a duration: {HELP}")));
            }
            let n: u32 = rest[..digits]
                .parse()
                .map_err(|_| DurationError(format!("`{t}`: number too large")))?;
            rest = &rest[digits..];
            let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            let unit = &rest[..unit_len];
            rest = &rest[unit_len..];
            add(&mut out, n, unit).ok_or_else(|| {
                DurationError(if unit.is_empty() {
                    format!("`{t}` has no unit: {HELP}")
                } else {
                    format!("`{t}`: unknown unit `{unit}`: {HELP}")
                })
            })?;
        }
        Ok(out)
    }
}

fn add(out: &mut Duration, n: u32, unit: &str) -> Option<()> {
    let (months, days) = match unit {
        "d" => (0, n),
        "w" => (0, n.checked_mul(7)?),
        "mo" | "m" => (n, 0),
        "y" => (n.checked_mul(12)?, 0),
        _ => return None,
    };
    out.months = out.months.checked_add(months)?;
    out.days = out.days.checked_add(days)?;
    Some(())
}

fn parse_iso(s: &str) -> Option<Duration> {
    if s.is_empty() || s.contains('T') {
        return None;
    }
    let mut out = Duration::default();
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits == rest.len() {
            return None;
        }
        let n: u32 = rest[..digits].parse().ok()?;
        let unit = match &rest[digits..digits + 1] {
            "Y" => "y",
            "M" => "mo",
            "W" => "w",
            "D" => "d",
            _ => return None,
        };
        add(&mut out, n, unit)?;
        rest = &rest[digits + 1..];
    }
    Some(out)
}

/// A duration that may vary between a lower and an upper bound: `5d..14d`, or one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DurationRange {
    /// Shortest.
    pub min: Duration,
    /// Longest.
    pub max: Duration,
}

impl std::str::FromStr for DurationRange {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once("..") {
            Some((a, b)) => {
                let (min, max): (Duration, Duration) = (a.parse()?, b.parse()?);
                if min.min_days() > max.max_days() {
                    return Err(DurationError(format!(
                        "`{s}`: the range starts after it ends"
                    )));
                }
                Ok(DurationRange { min, max })
            }
            None => {
                let d: Duration = s.parse()?;
                Ok(DurationRange { min: d, max: d })
            }
        }
    }
}

impl fmt::Display for DurationRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}..{}", self.min, self.max)
        }
    }
}

impl<'de> serde::Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e| serde::de::Error::custom(with_suggestion(e, suggest(&s, DURATION_UNITS))))
    }
}

impl<'de> serde::Deserialize<'de> for DurationRange {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|e| {
            let suggestion = match s.split_once("..") {
                Some((a, b)) => suggest(a, DURATION_UNITS)
                    .or_else(|| a.parse::<Duration>().ok().map(|d| d.to_string()))
                    .zip(
                        suggest(b, DURATION_UNITS)
                            .or_else(|| b.parse::<Duration>().ok().map(|d| d.to_string())),
                    )
                    .map(|(a, b)| format!("{a}..{b}")),
                None => suggest(&s, DURATION_UNITS),
            };
            serde::de::Error::custom(with_suggestion(e, suggestion))
        })
    }
}

/// Unit words designers write, in English and Swedish, and the unit steg writes for them.
const DURATION_UNITS: &[(&[&str], &str)] = &[
    (&["d", "day", "days", "dag", "dagar", "dygn"], "d"),
    (&["w", "wk", "week", "weeks", "v", "vecka", "veckor"], "w"),
    (
        &[
            "mo", "m", "mon", "month", "months", "mån", "månad", "månader", "manad", "manader",
        ],
        "mo",
    ),
    (&["y", "yr", "year", "years", "år", "ar"], "y"),
];

const EFFORT_UNITS: &[(&[&str], &str)] = &[
    (
        &["h", "hr", "hour", "hours", "t", "tim", "timme", "timmar"],
        "h",
    ),
    (
        &["min", "m", "minute", "minutes", "minut", "minuter"],
        "min",
    ),
];

/// What `text` means in steg's notation, when it is a number and a unit word per part (`3
/// months` → `3mo`, `2 veckor` → `2w`, `1 hour 30 minutes` → `1h30min`).
pub fn suggest(text: &str, units: &[(&[&str], &str)]) -> Option<String> {
    let lower = text.trim().to_lowercase();
    let mut out = String::new();
    let mut rest = lower.as_str();
    while !rest.trim_start().is_empty() {
        rest = rest
            .trim_start()
            .trim_start_matches([',', '+'])
            .trim_start();
        rest = rest
            .strip_prefix("and ")
            .or_else(|| rest.strip_prefix("och "))
            .unwrap_or(rest);
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if n == 0 {
            return None;
        }
        let number = &rest[..n];
        rest = rest[n..].trim_start();
        let w = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        let word = rest[..w].trim_end_matches('.');
        rest = &rest[w..];
        let (_, unit) = units.iter().find(|(words, _)| words.contains(&word))?;
        out.push_str(number);
        out.push_str(unit);
    }
    (!out.is_empty() && out != text.trim()).then_some(out)
}

fn with_suggestion(e: DurationError, suggestion: Option<String>) -> String {
    match suggestion {
        // The suggestion must itself be valid; a wrong hint is worse than none.
        Some(s) if s.parse::<DurationRange>().is_ok() || s.parse::<Effort>().is_ok() => {
            format!("{e}; did you mean `{s}`?")
        }
        _ => e.to_string(),
    }
}

const PATTERN: &str = r"^(P(\d+[YMWD])+|(\d+(d|w|mo|m|y))+)$";

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A duration: `14d`, `3w`, `3mo` (calendar months), `1y`, or ISO 8601 `P3M`.",
            "pattern": PATTERN,
        })
    }
}

impl JsonSchema for DurationRange {
    fn schema_name() -> Cow<'static, str> {
        "DurationRange".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let inner = &PATTERN[1..PATTERN.len() - 1];
        schemars::json_schema!({
            "type": "string",
            "description": "A duration or a range of durations: `5d`, `5d..14d`, `P1M`.",
            "pattern": format!("^{inner}(\\.\\.{inner})?$"),
        })
    }
}

/// A period as a configuration writes it: a duration (`3mo`), or the name of a parameter that
/// holds one (`params.plan_revidering`), so an interval is written once and read everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Period {
    /// A duration written out.
    Fixed(Duration),
    /// `params.NAME`: the duration the parameter `NAME` holds.
    Param(String),
}

impl Period {
    /// The duration, when written out.
    pub fn fixed(&self) -> Option<Duration> {
        match self {
            Period::Fixed(d) => Some(*d),
            Period::Param(_) => None,
        }
    }
}

impl From<Duration> for Period {
    fn from(d: Duration) -> Self {
        Period::Fixed(d)
    }
}

impl std::str::FromStr for Period {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().strip_prefix("params.") {
            Some(name)
                if !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
            {
                Ok(Period::Param(name.to_string()))
            }
            Some(_) => Err(DurationError(format!(
                "`{s}` is not a parameter reference: write `params.NAME` with the parameter's id"
            ))),
            None => s.parse().map(Period::Fixed),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Fixed(d) => write!(f, "{d}"),
            Period::Param(p) => write!(f, "params.{p}"),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e| serde::de::Error::custom(with_suggestion(e, suggest(&s, DURATION_UNITS))))
    }
}

impl JsonSchema for Period {
    fn schema_name() -> Cow<'static, str> {
        "Period".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let inner = &PATTERN[1..PATTERN.len() - 1];
        schemars::json_schema!({
            "type": "string",
            "description": "A duration (`3mo`, `14d`, `P3M`) or a parameter holding one (`params.plan_revidering`).",
            "pattern": format!("^({inner}|params\\.[a-z][a-z0-9_]*)$"),
        })
    }
}

/// The calendar all of steg counts with: due dates `anchor + k · period` for k = 1, 2, ..., each
/// counted from the anchor (months first, then days; a day past a month's end clamps to its
/// last day). So `every: 1mo` from 31 January is due 28 (or 29) February, 31 March, 30 April:
/// timers, deadlines and obligations all use this one arithmetic and agree on every due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// The date counted from.
    pub anchor: NaiveDate,
    /// The period.
    pub period: Duration,
}

impl Schedule {
    /// The `k`-th due date (`k = 0` is the anchor itself); `None` past the calendar's end or
    /// for a zero period with `k > 0`.
    pub fn due(&self, k: u32) -> Option<NaiveDate> {
        if k > 0 && self.period.is_zero() {
            return None;
        }
        Duration {
            months: self.period.months.checked_mul(k)?,
            days: self.period.days.checked_mul(k)?,
        }
        .after(self.anchor)
    }

    /// The first due date strictly after `date`, with its number; `None` when there is none
    /// within the calendar (or the period is zero).
    pub fn next_after(&self, date: NaiveDate) -> Option<(u32, NaiveDate)> {
        if self.period.is_zero() {
            return None;
        }
        // A lower bound on k from whole days, then step: months are 28..31 days.
        let days = (date - self.anchor).num_days().max(0) as u64;
        let per = self.period.max_days().max(1);
        let mut k = (days / per) as u32;
        loop {
            let d = self.due(k)?;
            if d > date {
                return Some((k, d));
            }
            k = k.checked_add(1)?;
        }
    }
}

/// Staff time a step takes: `45min`, `2h`, `1h30min`, `1.5h`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Effort {
    /// Minutes of work.
    pub minutes: f64,
}

impl Effort {
    /// In hours.
    pub fn hours(self) -> f64 {
        self.minutes / 60.0
    }
}

impl std::str::FromStr for Effort {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let bad = || {
            DurationError(format!("`{t}` is not an effort: write hours and minutes, e.g. `45min`, `2h`, `1h30min`, `1.5h`"))
        };
        let mut rest = t;
        let mut minutes = 0.0;
        if rest.is_empty() {
            return Err(bad());
        }
        while !rest.is_empty() {
            let n = rest
                .bytes()
                .take_while(|b| b.is_ascii_digit() || *b == b'.')
                .count();
            let value: f64 = rest[..n].parse().map_err(|_| bad())?;
            rest = &rest[n..];
            let u = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            minutes += match &rest[..u] {
                "h" => value * 60.0,
                "min" | "m" => value,
                _ => return Err(bad()),
            };
            rest = &rest[u..];
        }
        if !minutes.is_finite() || minutes > 10_000.0 * 60.0 {
            return Err(bad());
        }
        Ok(Effort { minutes })
    }
}

impl<'de> serde::Deserialize<'de> for Effort {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e| serde::de::Error::custom(with_suggestion(e, suggest(&s, EFFORT_UNITS))))
    }
}

impl JsonSchema for Effort {
    fn schema_name() -> Cow<'static, str> {
        "Effort".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Staff time: `45min`, `2h`, `1h30min`, `1.5h`.",
            "pattern": r"^(\d+(\.\d+)?(h|min|m))+$",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_notation_for_words() {
        assert_eq!(suggest("3 months", DURATION_UNITS).as_deref(), Some("3mo"));
        assert_eq!(suggest("2 veckor", DURATION_UNITS).as_deref(), Some("2w"));
        assert_eq!(
            suggest("1 year 6 months", DURATION_UNITS).as_deref(),
            Some("1y6mo")
        );
        assert_eq!(suggest("14 dagar", DURATION_UNITS).as_deref(), Some("14d"));
        assert_eq!(suggest("3mo", DURATION_UNITS), None, "already right");
        assert_eq!(suggest("soon", DURATION_UNITS), None);
        assert_eq!(
            suggest("1 hour 30 minutes", EFFORT_UNITS).as_deref(),
            Some("1h30min")
        );
    }

    #[test]
    fn parses_short_forms() {
        assert_eq!("14d".parse(), Ok(Duration::days(14)));
        assert_eq!("3w".parse(), Ok(Duration::days(21)));
        assert_eq!("3mo".parse(), Ok(Duration::months(3)));
        assert_eq!("1y".parse(), Ok(Duration::months(12)));
        assert_eq!(
            "1mo15d".parse(),
            Ok(Duration {
                months: 1,
                days: 15
            })
        );
    }

    #[test]
    fn parses_iso_8601() {
        assert_eq!("P3M".parse(), Ok(Duration::months(3)));
        assert_eq!("P2W".parse(), Ok(Duration::days(14)));
        assert_eq!(
            "P1Y6M10D".parse(),
            Ok(Duration {
                months: 18,
                days: 10
            })
        );
    }

    #[test]
    fn rejects_nonsense_with_a_reason() {
        for bad in [
            "",
            "14",
            "d14",
            "3 months",
            "P",
            "PT3H",
            "3x",
            "99999999999d",
        ] {
            let e = bad.parse::<Duration>().unwrap_err();
            assert!(e.0.contains('`') || e.0.contains("empty"), "{bad}: {e}");
        }
    }

    #[test]
    fn efforts() {
        assert_eq!("1h30min".parse::<Effort>().unwrap().minutes, 90.0);
        assert_eq!("1.5h".parse::<Effort>().unwrap().hours(), 1.5);
        assert!("2 hours".parse::<Effort>().is_err());
        assert!("".parse::<Effort>().is_err());
    }

    #[test]
    fn ranges() {
        let r: DurationRange = "5d..14d".parse().unwrap();
        assert_eq!((r.min, r.max), (Duration::days(5), Duration::days(14)));
        assert!("14d..5d".parse::<DurationRange>().is_err());
        assert_eq!(r.to_string(), "5d..2w");
    }

    #[test]
    fn schedules_count_every_due_date_from_the_anchor() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let monthly = Schedule {
            anchor: d(2024, 1, 31),
            period: Duration::months(1),
        };
        // 2024 is a leap year: 29 February; then back to the 31st where the month has one.
        let dues: Vec<NaiveDate> = (1..=4).filter_map(|k| monthly.due(k)).collect();
        assert_eq!(
            dues,
            [
                d(2024, 2, 29),
                d(2024, 3, 31),
                d(2024, 4, 30),
                d(2024, 5, 31)
            ]
        );
        let plain = Schedule {
            anchor: d(2023, 1, 31),
            ..monthly
        };
        assert_eq!(plain.due(1), Some(d(2023, 2, 28)));
        assert_eq!(plain.due(2), Some(d(2023, 3, 31)), "not 28 Feb + 1 month");
        assert_eq!(plain.next_after(d(2023, 2, 28)), Some((2, d(2023, 3, 31))));
        // A deadline counted from each review on the schedule's due dates keeps the 31st.
        let month = Duration::months(1);
        let mut chained = vec![];
        let mut at = d(2024, 1, 31);
        for _ in 0..4 {
            at = month.after_keeping_day(at, 31).unwrap();
            chained.push(at);
        }
        assert_eq!(chained, dues);
        // Off the schedule, it is the plain calendar month.
        assert_eq!(
            month.after_keeping_day(d(2023, 2, 15), 31),
            Some(d(2023, 3, 15))
        );
        assert_eq!(
            month.after_keeping_day(d(2023, 4, 30), 30),
            Some(d(2023, 5, 30))
        );
        assert_eq!(plain.next_after(d(2023, 1, 30)), Some((0, d(2023, 1, 31))));
        let zero = Schedule {
            anchor: d(2023, 1, 1),
            period: Duration::default(),
        };
        assert_eq!(zero.next_after(d(2023, 1, 1)), None);
        let weekly = Schedule {
            anchor: d(2023, 1, 1),
            period: Duration::days(7),
        };
        assert_eq!(weekly.next_after(d(2023, 1, 8)), Some((2, d(2023, 1, 15))));
    }

    #[test]
    fn periods_name_a_parameter_or_a_duration() {
        assert_eq!("3mo".parse(), Ok(Period::Fixed(Duration::months(3))));
        assert_eq!(
            "params.plan_revidering".parse(),
            Ok(Period::Param("plan_revidering".into()))
        );
        assert!("params.".parse::<Period>().is_err());
        assert!("params.Plan-X".parse::<Period>().is_err());
        assert_eq!(Period::Param("x".into()).to_string(), "params.x");
    }

    #[test]
    fn calendar_months_clamp_to_month_end() {
        let jan31 = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        assert_eq!(
            Duration::months(1).after(jan31),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
    }
}
