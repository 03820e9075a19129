//! R004: a rule test whose rule returns something else than expected.

use crate::codes::RULE_TEST_FAILED;

use super::Cx;
use crate::diagnostic::{Diagnostic, Span};
use crate::ruletest::run_tests;

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    for t in run_tests(cx.m, cx.sources) {
        match &t.actual {
            Err(e) => out.push(e.to_diagnostic().related(
                Span {
                    file: t.file,
                    loc: t.loc,
                },
                format!("in test \"{}\"", t.name),
            )),
            Ok(v) if !t.passed() => out.push(
                Diagnostic::new(
                    &RULE_TEST_FAILED,
                    Some(Span {
                        file: t.file,
                        loc: t.expect_loc,
                    }),
                    format!(
                        "rule test \"{}\" fails: `{}` returned {v}, expected {}",
                        t.name, t.rule, t.expected
                    ),
                )
                .label(format!("expected {}, got {v}", t.expected))
                .help(format!(
                    "run `steg test` to see the input; arende: {}",
                    t.arende
                )),
            ),
            Ok(_) => {}
        }
    }
}
