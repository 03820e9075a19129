//! Rule tests: the `*.test.yaml` files beside the rules, run against the compiled rules.

use crate::diagnostic::{FileId, Loc};
use crate::eval::{from_dynamic, Arende, RuleError};
use crate::municipality::Municipality;
use crate::validity::parse_date;
use crate::SourceMap;

/// The result of one rule test.
#[derive(Debug, Clone)]
pub struct TestOutcome {
    /// The test file.
    pub file: FileId,
    /// Where the test's `rule:` is written.
    pub loc: Loc,
    /// Where its `expect:` is written.
    pub expect_loc: Loc,
    /// The rule under test.
    pub rule: String,
    /// The test's name, or a description from the rule and the input.
    pub name: String,
    /// The case's data, as written.
    pub arende: serde_json::Value,
    /// The parameters the test set (over the municipality's).
    pub params: serde_json::Value,
    /// The date asked about.
    pub date: Option<String>,
    /// The expected result.
    pub expected: serde_json::Value,
    /// What the rule returned, or why it failed.
    pub actual: Result<serde_json::Value, RuleError>,
}

impl TestOutcome {
    /// Whether the rule returned what was expected.
    pub fn passed(&self) -> bool {
        matches!(&self.actual, Ok(v) if same(v, &self.expected))
    }
}

/// Numbers compare by value (an integer equals the same float), within a rounding margin.
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (a, b) {
        (J::Number(x), J::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
        }
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Run every rule test of a municipality's rule folders, in file order.
pub fn run_tests(m: &Municipality, sources: &SourceMap) -> Vec<TestOutcome> {
    let mut out = Vec::new();
    for tests in &m.rules.tests {
        for (i, t) in tests.def.tests.iter().enumerate() {
            let name = t
                .name
                .clone()
                .unwrap_or_else(|| format!("{} #{}", t.rule.value, i + 1));
            let date = t.date.as_ref().map(|d| d.value.clone());
            let arende = Arende::from_json(name.clone(), &t.arende);
            let params = m.params.with(&t.params);
            let actual = match date.as_deref().map(parse_date).transpose() {
                Err(msg) => Err(RuleError {
                    rule: t.rule.value.clone(),
                    span: t.date.as_ref().map(|d| crate::Span {
                        file: tests.file,
                        loc: d.loc,
                    }),
                    message: msg,
                    case: Some(name.clone()),
                }),
                Ok(d) => m
                    .rules
                    .call(sources, &t.rule.value, &arende, &params, d)
                    .map(|v| from_dynamic(&v)),
            };
            out.push(TestOutcome {
                file: tests.file,
                loc: t.rule.loc,
                expect_loc: t.expect.loc,
                rule: t.rule.value.clone(),
                name,
                arende: serde_json::Value::Object(t.arende.clone()),
                params: serde_json::Value::Object(t.params.clone()),
                date,
                expected: t.expect.value.clone(),
                actual,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::same;
    use serde_json::json;

    #[test]
    fn integers_equal_floats_of_the_same_value() {
        assert!(same(&json!(13270), &json!(13270.0)));
        assert!(!same(&json!(13270), &json!(13271)));
        assert!(same(&json!({"a": [1, 2.0]}), &json!({"a": [1.0, 2]})));
        assert!(!same(&json!(true), &json!(1)));
    }
}
