//! Evaluating rules: the Rhai sandbox, the typed bridge that hands a case and the
//! municipality's parameters to Rhai, dated versions, and errors that name the rule.
//!
//! Rules are compiled once per load (see `load::rules`); evaluation only looks up the version in
//! force, and passes two cheap handles (`Arende`, `Params`: reference-counted) to the function.

use crate::codes;
use crate::diagnostic::{did_you_mean, loc_at, offset_of, Diagnostic, FileId, Span};
use crate::model::{Map, Parameter, TableFile, TestFile, Value};
use crate::validity::{parse_date, Validity};
use chrono::{Datelike, NaiveDate};
use rhai::{CallFnOptions, Dynamic, Engine, EvalAltResult, ImmutableString, Position, Scope, AST};
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most Rhai operations one evaluation may take: far more than any real rule needs (the
/// riksnorm computation takes a few hundred), few enough to stop `loop {}` in milliseconds.
pub const MAX_OPERATIONS: u64 = 1_000_000;
/// Wall-clock limit of one evaluation, a second line of defence behind the operation count.
pub const MAX_TIME: Duration = Duration::from_secs(1);

thread_local! {
    static DATE: Cell<Option<NaiveDate>> = const { Cell::new(None) };
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The engine every rule is compiled and run with: no modules, no `eval`, no clock, no output,
/// and limits on operations, call depth, expression depth and the size of strings, arrays and
/// maps.
pub fn sandbox() -> Engine {
    use rhai::packages::{
        ArithmeticPackage, BasicArrayPackage, BasicIteratorPackage, BasicMapPackage,
        BasicMathPackage, BasicStringPackage, LanguageCorePackage, LogicPackage, MoreStringPackage,
        Package,
    };
    let mut e = Engine::new_raw();
    for lib in [
        LanguageCorePackage::new().as_shared_module(),
        ArithmeticPackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicStringPackage::new().as_shared_module(),
        MoreStringPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicMapPackage::new().as_shared_module(),
        BasicMathPackage::new().as_shared_module(),
        BasicIteratorPackage::new().as_shared_module(),
    ] {
        e.register_global_module(lib);
    }
    e.set_max_operations(MAX_OPERATIONS)
        .set_max_call_levels(32)
        .set_max_expr_depths(64, 32)
        .set_max_string_size(64 * 1024)
        .set_max_array_size(10_000)
        .set_max_map_size(10_000);
    e.disable_symbol("eval");
    e.on_print(|_| {});
    e.on_debug(|_, _, _| {});
    e.on_progress(|ops| {
        if ops % 65_536 == 0 {
            let late = DEADLINE
                .with(|d| d.get())
                .is_some_and(|d| Instant::now() > d);
            if late {
                return Some(Dynamic::from("time limit"));
            }
        }
        None
    });
    register_bridge(&mut e);
    e
}

/// A case's data as rules see it: `arende.NAME`. Reading a field the case does not have is an
/// error naming the field (with "did you mean"), never a silent `()`.
#[derive(Clone, Debug, Default)]
pub struct Arende(Arc<Fields>);

/// The municipality's parameters as rules see them: `params.NAME`.
#[derive(Clone, Debug, Default)]
pub struct Params(Arc<Fields>);

#[derive(Debug, Default)]
struct Fields {
    what: &'static str,
    id: String,
    values: BTreeMap<String, Dynamic>,
}

impl Fields {
    fn get(&self, key: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        self.values.get(key).cloned().ok_or_else(|| {
            let hint = did_you_mean(key, self.values.keys().map(String::as_str))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            let whose = if self.id.is_empty() {
                String::new()
            } else {
                format!(" of `{}`", self.id)
            };
            format!("{}{whose} has no field `{key}`{hint}", self.what).into()
        })
    }
}

impl Arende {
    /// A case with an id (for messages) and its data.
    pub fn new(id: impl Into<String>, values: BTreeMap<String, Dynamic>) -> Self {
        Arende(Arc::new(Fields {
            what: "arende",
            id: id.into(),
            values,
        }))
    }

    /// A case from JSON-like data (scenario and test files).
    pub fn from_json(
        id: impl Into<String>,
        map: &serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        Arende::new(
            id,
            map.iter()
                .map(|(k, v)| (k.clone(), to_dynamic(v)))
                .collect(),
        )
    }

    /// A copy of this case's data with some fields set.
    pub fn with_fields(&self, set: &[(String, Dynamic)]) -> Arende {
        let mut values = self.0.values.clone();
        for (k, v) in set {
            values.insert(k.clone(), v.clone());
        }
        Arende(Arc::new(Fields {
            what: "arende",
            id: self.0.id.clone(),
            values,
        }))
    }

    /// A field's value, if the case has it.
    pub fn get(&self, key: &str) -> Option<Dynamic> {
        self.0.values.get(key).cloned()
    }

    /// The case's id.
    pub fn id(&self) -> &str {
        &self.0.id
    }
}

impl Params {
    /// Parameters from `municipality.yaml`.
    pub fn from_parameters(map: &Map<Parameter>) -> Self {
        let values = map
            .iter()
            .map(|(k, p)| {
                let v = match &p.value.value {
                    Value::Bool(b) => Dynamic::from(*b),
                    Value::Number(n) => number(*n),
                    Value::Text(s) => Dynamic::from(s.clone()),
                };
                (k.value.clone(), v)
            })
            .collect();
        Params(Arc::new(Fields {
            what: "params",
            id: String::new(),
            values,
        }))
    }

    /// These parameters with some replaced or added (rule tests, what-if runs).
    pub fn with(&self, over: &serde_json::Map<String, serde_json::Value>) -> Self {
        let mut values = self.0.values.clone();
        for (k, v) in over {
            values.insert(k.clone(), to_dynamic(v));
        }
        Params(Arc::new(Fields {
            what: "params",
            id: String::new(),
            values,
        }))
    }
}

fn number(n: f64) -> Dynamic {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Dynamic::from(n as i64)
    } else {
        Dynamic::from(n)
    }
}

/// JSON-like data to a Rhai value (integers stay integers).
pub fn to_dynamic(v: &serde_json::Value) -> Dynamic {
    use serde_json::Value as J;
    match v {
        J::Null => Dynamic::UNIT,
        J::Bool(b) => Dynamic::from(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Dynamic::from(i),
            None => number(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => Dynamic::from(s.clone()),
        J::Array(a) => Dynamic::from_array(a.iter().map(to_dynamic).collect()),
        J::Object(o) => Dynamic::from_map(
            o.iter()
                .map(|(k, v)| (k.as_str().into(), to_dynamic(v)))
                .collect(),
        ),
    }
}

/// A Rhai value as JSON-like data, for comparing with expectations and for output.
pub fn from_dynamic(d: &Dynamic) -> serde_json::Value {
    use serde_json::Value as J;
    if d.is_unit() {
        J::Null
    } else if let Ok(b) = d.as_bool() {
        J::Bool(b)
    } else if let Ok(i) = d.as_int() {
        J::from(i)
    } else if let Ok(f) = d.as_float() {
        serde_json::Number::from_f64(f).map_or(J::Null, J::Number)
    } else if d.is_string() {
        J::String(d.clone().into_string().unwrap_or_default())
    } else if d.is_array() {
        J::Array(
            d.clone()
                .into_array()
                .unwrap_or_default()
                .iter()
                .map(from_dynamic)
                .collect(),
        )
    } else if d.is_map() {
        let m = d.clone().cast::<rhai::Map>();
        J::Object(
            m.iter()
                .map(|(k, v)| (k.to_string(), from_dynamic(v)))
                .collect(),
        )
    } else {
        J::String(d.to_string())
    }
}

fn register_bridge(e: &mut Engine) {
    e.register_type_with_name::<Arende>("Arende")
        .register_indexer_get(|a: &mut Arende, k: ImmutableString| a.0.get(&k));
    e.register_type_with_name::<Params>("Params")
        .register_indexer_get(|p: &mut Params, k: ImmutableString| p.0.get(&k));
    // The date the rule is asked about, as `YYYY-MM-DD`.
    e.register_fn(
        "datum",
        || -> Result<ImmutableString, Box<EvalAltResult>> {
            current_date().map(|d| d.to_string().into())
        },
    );
    // Whole calendar months from date `a` to date `b` (`YYYY-MM-DD`), negative when b < a.
    e.register_fn(
        "manader_mellan",
        |a: ImmutableString, b: ImmutableString| -> Result<i64, Box<EvalAltResult>> {
            let a = parse_date(&a).map_err(|m| -> Box<EvalAltResult> { m.into() })?;
            let b = parse_date(&b).map_err(|m| -> Box<EvalAltResult> { m.into() })?;
            let mut months =
                i64::from(b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month());
            if months > 0 && b.day() < a.day() {
                months -= 1;
            } else if months < 0 && b.day() > a.day() {
                months += 1;
            }
            Ok(months)
        },
    );
}

fn current_date() -> Result<NaiveDate, Box<EvalAltResult>> {
    DATE.with(|d| d.get()).ok_or_else(|| {
        "no date given: this rule depends on the date (give the test or case a `date`)".into()
    })
}

/// Tables by name, each version with its period, for `tabell("NAME")`.
pub(crate) fn register_tables(e: &mut Engine, tables: &[Table]) {
    // Each version's figures, or why a period has none (`missing:`).
    let mut index: HashMap<String, Vec<(Validity, Result<Dynamic, String>)>> = HashMap::new();
    for t in tables {
        for v in &t.def.versions {
            let from = parse_date(&v.valid_from.value).ok();
            let to = v.valid_to.as_ref().and_then(|d| parse_date(&d.value).ok());
            let figures = match &v.missing {
                Some(why) => Err(why.clone()),
                None => Ok(to_dynamic(&v.values)),
            };
            index
                .entry(t.def.table.value.clone())
                .or_default()
                .push((Validity { from, to }, figures));
        }
    }
    let index = Arc::new(index);
    e.register_fn(
        "tabell",
        move |name: ImmutableString| -> Result<Dynamic, Box<EvalAltResult>> {
            let Some(versions) = index.get(name.as_str()) else {
                let hint = did_you_mean(&name, index.keys().map(String::as_str))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(format!("no table `{name}`{hint}").into());
            };
            let date = current_date()?;
            match versions.iter().find(|(v, _)| v.contains(date)) {
                Some((_, Ok(d))) => Ok(d.clone()),
                Some((v, Err(why))) => Err(format!(
                    "table `{name}` has no figures for {date} (its version {v} says: {why})"
                )
                .into()),
                None => {
                    let periods: Vec<String> =
                        versions.iter().map(|(v, _)| v.to_string()).collect();
                    Err(format!(
                        "no version of table `{name}` is in force on {date} (versions: {})",
                        periods.join(", ")
                    )
                    .into())
                }
            }
        },
    );
}

/// A rule that could not be evaluated: which rule, where, why, and for which case.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError {
    /// The rule (or inline condition) that failed.
    pub rule: String,
    /// Where: the failing expression when Rhai knows it, else the rule's definition.
    pub span: Option<Span>,
    /// What went wrong, in words.
    pub message: String,
    /// The case's id, when there was one.
    pub case: Option<String>,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule `{}` failed", self.rule)?;
        if let Some(c) = &self.case {
            write!(f, " for case `{c}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl RuleError {
    /// As a diagnostic (R003).
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::new(&codes::RULE_FAILED, self.span.clone(), self.to_string())
            .label("fails here")
            .help(match self.message.as_str() {
                m if m.contains("too many operations") || m.contains("time limit") => {
                    "a rule must finish quickly: look for a loop whose condition never turns false"
                        .to_string()
                }
                m if m.contains("recursion") => {
                    "a rule that calls itself needs a case where it stops".to_string()
                }
                m if m.contains("has no field") => {
                    "give the case this field, or check the spelling".to_string()
                }
                _ => "fix the rule; a rule test (`*.test.yaml`) pins the fix down".to_string(),
            })
    }
}

/// What a rule returned, or why it failed.
pub type RuleResult = Result<Dynamic, RuleError>;

impl RuleSet {
    /// Evaluate rule `name` for a case, with parameters, on `date` (which picks dated versions
    /// and tables).
    pub fn call(
        &self,
        sources: &crate::SourceMap,
        name: &str,
        arende: &Arende,
        params: &Params,
        date: Option<NaiveDate>,
    ) -> RuleResult {
        let fail = |span: Option<Span>, message: String| RuleError {
            rule: name.to_string(),
            span,
            message,
            case: (!arende.id().is_empty()).then(|| arende.id().to_string()),
        };
        let Some(first) = self.get(name) else {
            return Err(fail(None, "no such rule".to_string()));
        };
        let rule = match date {
            Some(d) => self
                .versions(name)
                .find(|r| r.validity.contains(d))
                .ok_or_else(|| {
                    let periods: Vec<String> = self
                        .versions(name)
                        .map(|r| r.validity.to_string())
                        .collect();
                    fail(
                        Some(first.span.clone()),
                        format!(
                            "no version is in force on {d} (versions: {})",
                            periods.join(", ")
                        ),
                    )
                })?,
            None if first.validity != Validity::ALWAYS
                || self
                    .versions(name)
                    .nth(1)
                    .is_some_and(|r| r.validity != Validity::ALWAYS) =>
            {
                return Err(fail(
                    Some(first.span.clone()),
                    "the rule has dated versions; a date is needed to pick one".to_string(),
                ))
            }
            None => first,
        };
        if rule.params.len() != 2 {
            return Err(fail(
                Some(rule.span.clone()),
                format!(
                    "a rule takes two parameters (arende, params), this one takes {}",
                    rule.params.len()
                ),
            ));
        }
        let file = &self.files[rule.ast].0;
        let ast = &self.linked[rule.ast];
        let result = guarded(date, || {
            self.engine.call_fn_with_options::<Dynamic>(
                CallFnOptions::new().eval_ast(false).rewind_scope(true),
                &mut Scope::new(),
                ast,
                name,
                (arende.clone(), params.clone()),
            )
        });
        result.map_err(|e| {
            let span = match innermost(&e, None) {
                (src, Some(p)) => {
                    let file = src
                        .and_then(|s| {
                            self.files
                                .iter()
                                .map(|(f, _)| *f)
                                .find(|f| file_source(*f) == s)
                        })
                        .unwrap_or(*file);
                    let text = &sources.get(file).text;
                    let (l, c) = (
                        p.line().unwrap_or(1) as u32,
                        p.position().unwrap_or(1) as u32,
                    );
                    Span {
                        file,
                        loc: loc_at(text, offset_of(text, l, c), 1),
                    }
                }
                (_, None) => rule.span.clone(),
            };
            fail(Some(span), describe(&e))
        })
    }

    /// Evaluate rule `name` as a condition: it must return a boolean.
    pub fn rule_holds(
        &self,
        sources: &crate::SourceMap,
        name: &str,
        arende: &Arende,
        params: &Params,
        date: Option<NaiveDate>,
    ) -> Result<bool, RuleError> {
        let value = self.call(sources, name, arende, params, date)?;
        value.as_bool().map_err(|t| RuleError {
            rule: name.to_string(),
            span: self.get(name).map(|r| r.span.clone()),
            message: format!("a condition must be true or false, this one gave {t} `{value}`"),
            case: (!arende.id().is_empty()).then(|| arende.id().to_string()),
        })
    }

    /// Evaluate a transition's condition: `rule.NAME`, or an inline expression compiled at load.
    /// The result must be a boolean.
    pub fn condition(
        &self,
        sources: &crate::SourceMap,
        inline: &HashMap<String, AST>,
        condition: &str,
        arende: &Arende,
        params: &Params,
        date: Option<NaiveDate>,
    ) -> Result<bool, RuleError> {
        let value = match crate::model::rule_name(condition) {
            Some(name) => self.call(sources, name, arende, params, date)?,
            None => {
                let fail = |message: String| RuleError {
                    rule: condition.to_string(),
                    span: None,
                    message,
                    case: (!arende.id().is_empty()).then(|| arende.id().to_string()),
                };
                let ast = inline
                    .get(condition)
                    .ok_or_else(|| fail("the condition did not compile".to_string()))?;
                let mut scope = Scope::new();
                scope
                    .push("arende", arende.clone())
                    .push("params", params.clone());
                guarded(date, || {
                    self.engine.eval_ast_with_scope::<Dynamic>(&mut scope, ast)
                })
                .map_err(|e| fail(describe(&e)))?
            }
        };
        value.as_bool().map_err(|t| RuleError {
            rule: condition.to_string(),
            span: None,
            message: format!("a condition must be true or false, this one gave {t} `{value}`"),
            case: (!arende.id().is_empty()).then(|| arende.id().to_string()),
        })
    }
}

fn guarded<T>(
    date: Option<NaiveDate>,
    f: impl FnOnce() -> Result<T, Box<EvalAltResult>>,
) -> Result<T, Box<EvalAltResult>> {
    DATE.with(|d| d.set(date));
    DEADLINE.with(|d| d.set(Some(Instant::now() + MAX_TIME)));
    let r = f();
    DEADLINE.with(|d| d.set(None));
    r
}

/// The innermost error's position and the source of the function it happened in.
fn innermost<'a>(
    e: &'a EvalAltResult,
    src: Option<&'a str>,
) -> (Option<&'a str>, Option<Position>) {
    match e {
        EvalAltResult::ErrorInFunctionCall(_, fn_src, inner, pos) => {
            let fn_src = (!fn_src.is_empty()).then_some(fn_src.as_str()).or(src);
            match innermost(inner, fn_src) {
                (s, Some(p)) => (s, Some(p)),
                _ => (src, (!pos.is_none()).then_some(*pos)),
            }
        }
        other => {
            let p = other.position();
            (src, (!p.is_none()).then_some(p))
        }
    }
}

fn describe(e: &EvalAltResult) -> String {
    match e {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => describe(inner),
        EvalAltResult::ErrorTooManyOperations(_) => {
            format!("too many operations (more than {MAX_OPERATIONS}): the rule does not finish")
        }
        EvalAltResult::ErrorTerminated(..) => format!(
            "time limit of {} s reached: the rule does not finish",
            MAX_TIME.as_secs()
        ),
        EvalAltResult::ErrorStackOverflow(_) => {
            "recursion too deep: the rule calls itself without end".to_string()
        }
        EvalAltResult::ErrorDataTooLarge(what, _) => {
            format!("{what}: the rule builds a value larger than a rule may hold")
        }
        EvalAltResult::ErrorArithmetic(msg, _) => format!("arithmetic error: {msg}"),
        EvalAltResult::ErrorFunctionNotFound(sig, _) => {
            format!("type error or unknown function: no function `{sig}`")
        }
        EvalAltResult::ErrorRuntime(v, _) => v.to_string(),
        other => {
            let s = other.to_string();
            match s.find(" (line ") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(src: &str) -> (RuleSet, crate::SourceMap) {
        let mut sources = crate::SourceMap::default();
        let file = sources.add("t.rhai".into(), src.to_string());
        let mut rules = RuleSet::default();
        let ast = rules.engine.compile(src).unwrap();
        for f in ast.iter_functions() {
            rules.rules.push(Rule {
                name: f.name.to_string(),
                params: f.params.iter().map(|p| p.to_string()).collect(),
                span: Span {
                    file,
                    loc: loc_at(src, 0, 1),
                },
                local: true,
                ast: 0,
                validity: Validity::ALWAYS,
                source: None,
            });
        }
        rules.linked.push(ast.clone());
        rules.files.push((file, ast));
        for (i, r) in rules.rules.iter().enumerate() {
            rules.by_name.entry(r.name.clone()).or_default().push(i);
        }
        (rules, sources)
    }

    fn arende() -> Arende {
        Arende::new(
            "p1",
            [("arbetsformaga".to_string(), Dynamic::from(0.3))]
                .into_iter()
                .collect(),
        )
    }

    #[test]
    fn evaluates_a_threshold() {
        let (r, s) = set("fn ok(arende, params) { arende.arbetsformaga >= 0.25 }");
        let v = r
            .call(&s, "ok", &arende(), &Params::default(), None)
            .unwrap();
        assert!(v.as_bool().unwrap());
    }

    #[test]
    fn hostile_rules_stop_with_a_named_error() {
        let src = "fn l(arende, params) { loop {} }\n\
                   fn r(arende, params) { r(arende, params) }\n\
                   fn s(arende, params) { let s = \"x\"; loop { s += s; } }\n\
                   fn a(arende, params) { let a = []; loop { a.push(1); } }\n\
                   fn z(arende, params) { 1 / 0 }\n\
                   fn t(arende, params) { 1 + \"a\" * 2 }\n\
                   fn f(arende, params) { arende.arbetsformga }\n";
        let (r, s) = set(src);
        for (name, words) in [
            ("l", "too many operations"),
            ("r", "recursion"),
            ("s", "larger"),
            ("a", "larger"),
            ("z", "division by zero"),
            ("t", "no function"),
            ("f", "did you mean `arbetsformaga`"),
        ] {
            let start = Instant::now();
            let e = r
                .call(&s, name, &arende(), &Params::default(), None)
                .unwrap_err();
            assert!(
                start.elapsed() < Duration::from_secs(2),
                "{name} took {:?}",
                start.elapsed()
            );
            assert!(
                e.message.to_lowercase().contains(words),
                "{name}: {}",
                e.message
            );
            assert_eq!(e.case.as_deref(), Some("p1"));
            assert_eq!(e.rule, name);
        }
        let eval = r
            .engine
            .compile("fn e(arende, params) { eval(\"1\") }")
            .unwrap_err();
        assert!(eval.to_string().contains("disabled"), "{eval}");
    }

    #[test]
    fn missing_field_points_at_its_line() {
        let (r, s) = set("fn a(arende, params) {\n  arende.saknas\n}");
        let e = r
            .call(&s, "a", &arende(), &Params::default(), None)
            .unwrap_err();
        assert_eq!(e.span.unwrap().loc.line, 2);
    }

    #[test]
    fn conditions_must_be_boolean() {
        let (r, s) = set("fn n(arende, params) { 42 }");
        let e = r
            .condition(
                &s,
                &HashMap::new(),
                "rule.n",
                &arende(),
                &Params::default(),
                None,
            )
            .unwrap_err();
        assert!(e.message.contains("true or false"), "{}", e.message);
    }

    #[test]
    fn months_between_counts_whole_calendar_months() {
        let (r, s) = set("fn m(arende, params) { manader_mellan(arende.a, arende.b) }");
        let case = |a: &str, b: &str| {
            Arende::new(
                "",
                [
                    ("a".to_string(), Dynamic::from(a.to_string())),
                    ("b".to_string(), Dynamic::from(b.to_string())),
                ]
                .into_iter()
                .collect(),
            )
        };
        let m = |a, b| {
            r.call(&s, "m", &case(a, b), &Params::default(), None)
                .unwrap()
                .as_int()
                .unwrap()
        };
        assert_eq!(m("2021-01-15", "2021-07-15"), 6);
        assert_eq!(m("2021-01-15", "2021-07-14"), 5);
        assert_eq!(m("2021-07-15", "2021-01-15"), -6);
    }
}

/// A rule: a public function in a rule file (one version of it, when it has several).
#[derive(Debug, Clone)]
pub struct Rule {
    /// Function name, used as `rule.NAME`.
    pub name: String,
    /// Parameter names.
    pub params: Vec<String>,
    /// Where it is defined.
    pub span: Span,
    /// Whether the rule comes from the municipality's own folder (not a shared one).
    pub local: bool,
    /// Index of its file in [`RuleSet::files`].
    pub ast: usize,
    /// When this version is in force (always, when the doc comment says nothing).
    pub validity: Validity,
    /// `source:` from the doc comment.
    pub source: Option<String>,
}

/// A dated table read by rules through `tabell("NAME")`.
#[derive(Debug, Clone)]
pub struct Table {
    /// Where it is defined.
    pub file: FileId,
    /// The table as written.
    pub def: TableFile,
}

/// A file of rule tests.
#[derive(Debug, Clone)]
pub struct Tests {
    /// Where it is defined.
    pub file: FileId,
    /// The tests as written.
    pub def: TestFile,
}

/// The compiled rule files, tables and tests of one municipality.
pub struct RuleSet {
    /// The sandboxed engine every rule of this set is compiled and evaluated with.
    pub engine: rhai::Engine,
    /// Compiled files, each with its source id.
    pub files: Vec<(FileId, rhai::AST)>,
    /// For each file, every rule file's functions merged with that file's own on top, so a rule
    /// can call the rules and helpers of other files (shared rules from `rules/common`) while
    /// its own file's versions win.
    pub linked: Vec<rhai::AST>,
    /// Every public function, in file order.
    pub rules: Vec<Rule>,
    /// Indices into `rules` by name (all versions of a rule).
    pub by_name: std::collections::HashMap<String, Vec<usize>>,
    /// Dated tables.
    pub tables: Vec<Table>,
    /// Rule tests.
    pub tests: Vec<Tests>,
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet {
            engine: crate::eval::sandbox(),
            files: Vec::new(),
            linked: Vec::new(),
            rules: Vec::new(),
            by_name: std::collections::HashMap::new(),
            tables: Vec::new(),
            tests: Vec::new(),
        }
    }
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleSet")
            .field("files", &self.files.len())
            .field("rules", &self.rules)
            .field("tables", &self.tables.len())
            .field("tests", &self.tests.len())
            .finish()
    }
}

impl RuleSet {
    /// The first version of the rule named `name`.
    pub fn get(&self, name: &str) -> Option<&Rule> {
        self.versions(name).next()
    }

    /// Every version of the rule named `name`.
    pub fn versions<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Rule> + 'a {
        self.by_name
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&i| &self.rules[i])
    }
}

/// The name a rule file's AST carries, so an error inside a function of a linked AST can be
/// traced to its file.
pub(crate) fn file_source(file: FileId) -> String {
    format!("#{}", file.0)
}
