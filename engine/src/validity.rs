//! Validity periods of dated rule and table versions: `valid_from` / `valid_to`, inclusive.

use chrono::NaiveDate;
use std::fmt;

/// The dates a version is in force, both ends inclusive; `None` is open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Validity {
    /// First day in force.
    pub from: Option<NaiveDate>,
    /// Last day in force.
    pub to: Option<NaiveDate>,
}

impl Validity {
    /// In force on every date.
    pub const ALWAYS: Validity = Validity {
        from: None,
        to: None,
    };

    /// Whether `date` is in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= date) && self.to.is_none_or(|t| date <= t)
    }

    /// Whether two periods share a day.
    pub fn overlaps(&self, other: &Validity) -> bool {
        let starts_before_other_ends = match (self.from, other.to) {
            (Some(f), Some(t)) => f <= t,
            _ => true,
        };
        let other_starts_before_end = match (other.from, self.to) {
            (Some(f), Some(t)) => f <= t,
            _ => true,
        };
        starts_before_other_ends && other_starts_before_end
    }

    /// The period in words after "in force": `only until 2023-12-31`, `only from 2020-01-01`,
    /// `only 2020-01-01..2023-12-31`, `on every day`.
    pub fn describe(&self) -> String {
        match (self.from, self.to) {
            (None, None) => "on every day".to_string(),
            (Some(a), None) => format!("only from {a}"),
            (None, Some(b)) => format!("only until {b}"),
            (Some(a), Some(b)) => format!("only {a}..{b}"),
        }
    }

    /// Read `valid_from:`, `valid_to:` and `source:` lines from a rule's doc comment.
    pub fn from_doc(doc: &str) -> Result<(Validity, Option<String>), String> {
        let mut v = Validity::ALWAYS;
        let mut source = None;
        for line in doc.lines() {
            let line = line
                .trim()
                .trim_start_matches('/')
                .trim_start_matches('*')
                .trim();
            if let Some(d) = line.strip_prefix("valid_from:") {
                v.from = Some(parse_date(d.trim())?);
            } else if let Some(d) = line.strip_prefix("valid_to:") {
                v.to = Some(parse_date(d.trim())?);
            } else if let Some(s) = line.strip_prefix("source:") {
                source = Some(s.trim().to_string());
            }
        }
        if let (Some(f), Some(t)) = (v.from, v.to) {
            if f > t {
                return Err(format!("valid_from {f} is after valid_to {t}"));
            }
        }
        Ok((v, source))
    }
}

/// Parse an ISO date `YYYY-MM-DD`, with a message that says what was expected.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date; write YYYY-MM-DD, e.g. 2021-01-01"))
}

impl fmt::Display for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.from, self.to) {
            (None, None) => f.write_str("always"),
            (Some(a), None) => write!(f, "from {a}"),
            (None, Some(b)) => write!(f, "until {b}"),
            (Some(a), Some(b)) => write!(f, "{a}..{b}"),
        }
    }
}

/// Problems in a set of versions of one rule or table: overlaps and gaps between consecutive
/// periods. Returns `(i, j, what)` pairs of indices into `versions`.
pub fn conflicts(versions: &[Validity]) -> Vec<(usize, usize, &'static str)> {
    let mut order: Vec<usize> = (0..versions.len()).collect();
    order.sort_by_key(|&i| versions[i].from);
    let mut out = Vec::new();
    for w in order.windows(2) {
        let (a, b) = (versions[w[0]], versions[w[1]]);
        if a.overlaps(&b) {
            out.push((w[0], w[1], "overlap"));
        } else if let (Some(end), Some(start)) = (a.to, b.from) {
            if end.succ_opt() != Some(start) {
                out.push((w[0], w[1], "gap"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn v(a: &str, b: &str) -> Validity {
        Validity {
            from: Some(d(a)),
            to: Some(d(b)),
        }
    }

    #[test]
    fn bounds_are_inclusive() {
        let y = v("2021-01-01", "2021-12-31");
        assert!(y.contains(d("2021-01-01")) && y.contains(d("2021-12-31")));
        assert!(!y.contains(d("2022-01-01")) && !y.contains(d("2020-12-31")));
    }

    #[test]
    fn consecutive_years_neither_overlap_nor_gap() {
        assert!(
            conflicts(&[v("2022-01-01", "2022-12-31"), v("2021-01-01", "2021-12-31")]).is_empty()
        );
    }

    #[test]
    fn overlap_and_gap_are_found() {
        let o = conflicts(&[v("2021-01-01", "2021-12-31"), v("2021-12-31", "2022-12-31")]);
        assert_eq!(o[0].2, "overlap");
        let g = conflicts(&[v("2021-01-01", "2021-12-30"), v("2022-01-01", "2022-12-31")]);
        assert_eq!(g[0].2, "gap");
        let open = Validity {
            from: Some(d("2021-01-01")),
            to: None,
        };
        assert_eq!(
            conflicts(&[open, v("2022-01-01", "2022-12-31")])[0].2,
            "overlap"
        );
    }

    #[test]
    fn doc_comments_give_validity_and_source() {
        let (val, src) = Validity::from_doc("/// Riksnorm\n/// source: seed 001 l.221\n/// valid_from: 2021-01-01\n/// valid_to: 2021-12-31").unwrap();
        assert_eq!(val, v("2021-01-01", "2021-12-31"));
        assert_eq!(src.as_deref(), Some("seed 001 l.221"));
        assert!(Validity::from_doc("/// valid_from: 2021-13-01").is_err());
    }
}
