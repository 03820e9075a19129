//! R005: dated versions of a rule or table that overlap or leave a gap.

use crate::codes::VERSION_CONFLICT;

use super::Cx;
use crate::diagnostic::{Diagnostic, Span};
use crate::validity::{conflicts, parse_date, Validity};

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    // Rules with more than one version.
    let mut names: Vec<&str> = cx.m.rules.rules.iter().map(|r| r.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let versions: Vec<_> = cx.m.rules.versions(name).collect();
        // Undated duplicates are DuplicateId's.
        if versions.len() < 2 || versions.iter().all(|v| v.validity == Validity::ALWAYS) {
            continue;
        }
        let periods: Vec<Validity> = versions.iter().map(|r| r.validity).collect();
        for (a, b, what) in conflicts(&periods) {
            out.push(
                Diagnostic::new(
                    &VERSION_CONFLICT,
                    Some(versions[b].span.clone()),
                    format!(
                        "versions of rule `{name}` {}: {} and {}",
                        verb(what),
                        periods[a],
                        periods[b]
                    ),
                )
                .label(format!("this version ({})", periods[b]))
                .related(
                    versions[a].span.clone(),
                    format!("the other version ({})", periods[a]),
                )
                .help(help(what)),
            );
        }
    }
    for t in &cx.m.rules.tables {
        let mut periods = Vec::new();
        let mut spans = Vec::new();
        for v in &t.def.versions {
            // A version has its figures, or says why they are missing: not both, not neither.
            if v.missing.is_some() != v.values.is_null() {
                out.push(
                    Diagnostic::new(
                        &crate::codes::INVALID_VALUE,
                        Some(Span {
                            file: t.file,
                            loc: v.valid_from.loc,
                        }),
                        format!(
                            "version of table `{}` from {}: give either `values` or `missing` (why there are no figures for the period)",
                            t.def.table.value, v.valid_from.value
                        ),
                    )
                    .label("this version")
                    .help("`values:` holds the figures; `missing: \"no public source found\"` marks a period without them"),
                );
            }
            let from = parse_date(&v.valid_from.value);
            let to = v.valid_to.as_ref().map(|d| (d, parse_date(&d.value)));
            for (node, r) in
                std::iter::once((&v.valid_from, &from)).chain(to.as_ref().map(|(n, r)| (*n, r)))
            {
                if let Err(msg) = r {
                    out.push(
                        Diagnostic::new(
                            &VERSION_CONFLICT,
                            Some(Span {
                                file: t.file,
                                loc: node.loc,
                            }),
                            msg.clone(),
                        )
                        .label("not a date"),
                    );
                }
            }
            periods.push(Validity {
                from: from.ok(),
                to: to.and_then(|(_, r)| r.ok()),
            });
            spans.push(Span {
                file: t.file,
                loc: v.valid_from.loc,
            });
        }
        if t.def.versions.iter().any(|v| {
            parse_date(&v.valid_from.value).is_err()
                || v.valid_to
                    .as_ref()
                    .is_some_and(|d| parse_date(&d.value).is_err())
        }) {
            continue; // the bad date is reported above; periods built from it would mislead
        }
        for (a, b, what) in conflicts(&periods) {
            out.push(
                Diagnostic::new(
                    &VERSION_CONFLICT,
                    Some(spans[b].clone()),
                    format!(
                        "versions of table `{}` {}: {} and {}",
                        t.def.table.value,
                        verb(what),
                        periods[a],
                        periods[b]
                    ),
                )
                .label(format!("this version ({})", periods[b]))
                .related(
                    spans[a].clone(),
                    format!("the other version ({})", periods[a]),
                )
                .help(help(what)),
            );
        }
    }
}

fn verb(what: &str) -> &'static str {
    if what == "overlap" {
        "overlap"
    } else {
        "leave a gap"
    }
}

fn help(what: &str) -> &'static str {
    if what == "overlap" {
        "end the earlier version the day before the later one starts"
    } else {
        "start the later version the day after the earlier one ends, or add a version for the days between"
    }
}
