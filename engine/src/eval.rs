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

mod memo;
mod sandbox;

pub use memo::Memo;
use memo::{Found, Key, Root};
pub use sandbox::MAX_OPERATIONS;

thread_local! {
    static DATE: Cell<Option<NaiveDate>> = const { Cell::new(None) };
}

/// The engine every rule is compiled and run with: no modules, no `eval`, no clock, no output,
/// and counted limits on operations, call depth, expression depth and the size of what a rule
/// holds (see [`sandbox`](mod@sandbox)); the bridge types and functions of steg on top.
pub fn sandbox() -> Engine {
    let mut e = sandbox::sandbox();
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

#[derive(Debug, Default, Clone)]
struct Fields {
    what: &'static str,
    id: String,
    values: BTreeMap<String, Dynamic>,
    /// For parameters: a fingerprint of the values (memoised results are per parameters).
    fingerprint: u64,
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
            fingerprint: 0,
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

    /// Give fields values in place (the fields are copied only when another holder still
    /// shares them).
    pub fn set_fields(&mut self, set: &[(String, Dynamic)]) {
        for (k, v) in set {
            self.set_field(k, v.clone());
        }
    }

    /// Give one field a value in place.
    pub fn set_field(&mut self, k: &str, v: Dynamic) {
        let fields = Arc::make_mut(&mut self.0);
        match fields.values.get_mut(k) {
            Some(slot) => *slot = v,
            None => {
                fields.values.insert(k.to_string(), v);
            }
        }
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
            fingerprint: memo::fingerprint(&values),
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
            fingerprint: memo::fingerprint(&values),
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
        .register_indexer_get(|a: &mut Arende, k: ImmutableString| {
            memo::record(&k, || Key::of(a.0.values.get(k.as_str())));
            a.0.get(&k)
        });
    e.register_type_with_name::<Params>("Params")
        .register_indexer_get(|p: &mut Params, k: ImmutableString| p.0.get(&k));
    // The date the rule is asked about, as `YYYY-MM-DD`.
    e.register_fn(
        "datum",
        || -> Result<ImmutableString, Box<EvalAltResult>> {
            let d = current_date()?;
            memo::record(memo::DATE, || memo::date_key(Some(d)));
            Ok(d.to_string().into())
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

/// A table's versions: each period with its figures, or why it has none (`missing:`).
type TableVersions = Vec<(Validity, Result<Dynamic, String>)>;

/// Tables by name, each version with its period, for `tabell("NAME")`.
pub(crate) fn register_tables(e: &mut Engine, tables: &[Table]) {
    // Each version's figures, or why a period has none (`missing:`).
    let mut index: HashMap<String, TableVersions> = HashMap::new();
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
            let at = versions.iter().position(|(v, _)| v.contains(date));
            memo::record(&format!("{}{name}", memo::TABLE), || {
                Key::Int(at.map_or(-1, |i| i as i64))
            });
            match at.map(|i| &versions[i]) {
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
                m if m.contains("too many operations") || m.contains("does not finish") => {
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
    /// and table versions). Errors name the rule, the case and the place.
    pub fn call(
        &self,
        sources: &crate::SourceMap,
        name: &str,
        arende: &Arende,
        params: &Params,
        date: Option<NaiveDate>,
    ) -> RuleResult {
        self.call_memo(None, sources, name, arende, params, date)
    }

    /// [`RuleSet::call`], answered from `memo` when a case with the same values in the fields
    /// the rule reads was asked before (see [`Memo`]); the result is the same either way.
    pub fn call_memo(
        &self,
        memo: Option<&mut Memo>,
        sources: &crate::SourceMap,
        name: &str,
        arende: &Arende,
        params: &Params,
        date: Option<NaiveDate>,
    ) -> RuleResult {
        let index = self.select(name, arende, date)?;
        let Some(memo) = memo else {
            return self.invoke(index, sources, name, arende, params, date);
        };
        let root = (Root::Rule(index), params.0.fingerprint);
        match memo.find(&root, arende, &|f| self.pseudo_key(f, date)) {
            Found::Hit(r) => r.map_err(|(span, message)| RuleError {
                rule: name.to_string(),
                span,
                message,
                case: (!arende.id().is_empty()).then(|| arende.id().to_string()),
            }),
            Found::Miss => {
                let (r, reads) =
                    memo::recording(|| self.invoke(index, sources, name, arende, params, date));
                memo.insert(root, &reads, r.clone().map_err(|e| (e.span, e.message)));
                r
            }
        }
    }

    /// The value a memo's pseudo-field stands for in a call on `date`: the version of a table
    /// in force, or the date itself.
    fn pseudo_key(&self, field: &str, date: Option<NaiveDate>) -> Key {
        if let Some(table) = field.strip_prefix(memo::TABLE) {
            let at = date.and_then(|d| {
                self.tables
                    .iter()
                    .filter(|t| t.def.table.value == table)
                    .flat_map(|t| t.def.versions.iter())
                    .position(|v| {
                        let from = parse_date(&v.valid_from.value).ok();
                        let to = v.valid_to.as_ref().and_then(|x| parse_date(&x.value).ok());
                        Validity { from, to }.contains(d)
                    })
            });
            Key::Int(at.map_or(-1, |i| i as i64))
        } else {
            memo::date_key(date)
        }
    }

    /// The version of rule `name` in force on `date` (its index in `rules`).
    fn select(
        &self,
        name: &str,
        arende: &Arende,
        date: Option<NaiveDate>,
    ) -> Result<usize, RuleError> {
        let fail = |span: Option<Span>, message: String| RuleError {
            rule: name.to_string(),
            span,
            message,
            case: (!arende.id().is_empty()).then(|| arende.id().to_string()),
        };
        let indices = self
            .by_name
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let Some(&first) = indices.first() else {
            return Err(fail(None, "no such rule".to_string()));
        };
        let first_rule = &self.rules[first];
        match date {
            Some(d) => indices
                .iter()
                .copied()
                .find(|&i| self.rules[i].validity.contains(d))
                .ok_or_else(|| {
                    let periods: Vec<String> = self
                        .versions(name)
                        .map(|r| r.validity.to_string())
                        .collect();
                    fail(
                        Some(first_rule.span.clone()),
                        format!(
                            "no version is in force on {d} (versions: {})",
                            periods.join(", ")
                        ),
                    )
                }),
            None if indices
                .iter()
                .any(|&i| self.rules[i].validity != Validity::ALWAYS) =>
            {
                Err(fail(
                    Some(first_rule.span.clone()),
                    "the rule has dated versions; a date is needed to pick one".to_string(),
                ))
            }
            None => Ok(first),
        }
    }

    /// Evaluate version `index` of rule `name`.
    fn invoke(
        &self,
        index: usize,
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
        let rule = &self.rules[index];
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
        self.boolean(name, value, arende, self.get(name).map(|r| r.span.clone()))
    }

    /// [`RuleSet::rule_holds`], answered from `memo` where it can be (see [`Memo`]).
    #[allow(clippy::too_many_arguments)]
    pub fn rule_holds_memo(
        &self,
        memo: Option<&mut Memo>,
        sources: &crate::SourceMap,
        name: &str,
        arende: &Arende,
        params: &Params,
        date: Option<NaiveDate>,
    ) -> Result<bool, RuleError> {
        let value = self.call_memo(memo, sources, name, arende, params, date)?;
        self.boolean(name, value, arende, self.get(name).map(|r| r.span.clone()))
    }

    fn boolean(
        &self,
        what: &str,
        value: Dynamic,
        arende: &Arende,
        span: Option<Span>,
    ) -> Result<bool, RuleError> {
        value.as_bool().map_err(|t| RuleError {
            rule: what.to_string(),
            span,
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
        self.condition_memo(None, sources, inline, condition, arende, params, date)
    }

    /// [`RuleSet::condition`], answered from `memo` where it can be (see [`Memo`]).
    #[allow(clippy::too_many_arguments)]
    pub fn condition_memo(
        &self,
        memo: Option<&mut Memo>,
        sources: &crate::SourceMap,
        inline: &HashMap<String, AST>,
        condition: &str,
        arende: &Arende,
        params: &Params,
        date: Option<NaiveDate>,
    ) -> Result<bool, RuleError> {
        if let Some(name) = crate::model::rule_name(condition) {
            let value = self.call_memo(memo, sources, name, arende, params, date)?;
            return self.boolean(name, value, arende, self.get(name).map(|r| r.span.clone()));
        }
        let fail = |message: String| RuleError {
            rule: condition.to_string(),
            span: None,
            message,
            case: (!arende.id().is_empty()).then(|| arende.id().to_string()),
        };
        let (text, ast) = inline
            .get_key_value(condition)
            .ok_or_else(|| fail("the condition did not compile".to_string()))?;
        let eval = || {
            let mut scope = Scope::new();
            scope
                .push("arende", arende.clone())
                .push("params", params.clone());
            guarded(date, || {
                self.engine.eval_ast_with_scope::<Dynamic>(&mut scope, ast)
            })
            .map_err(|e| describe(&e))
        };
        let value = match memo {
            None => eval().map_err(fail)?,
            Some(memo) => {
                let root = (Root::Inline(text.as_ptr() as usize), params.0.fingerprint);
                match memo.find(&root, arende, &|f| self.pseudo_key(f, date)) {
                    Found::Hit(r) => r.map_err(|(_, m)| fail(m))?,
                    Found::Miss => {
                        let (r, reads) = memo::recording(eval);
                        memo.insert(root, &reads, r.clone().map_err(|m| (None, m)));
                        r.map_err(fail)?
                    }
                }
            }
        };
        self.boolean(condition, value, arende, None)
    }
}

/// Evaluate with `date` as the date asked about and fresh work counters; a value that is or
/// holds a float that is not finite (a literal such as `1e999`) is an error, like the
/// arithmetic that would make one.
fn guarded(
    date: Option<NaiveDate>,
    f: impl FnOnce() -> Result<Dynamic, Box<EvalAltResult>>,
) -> Result<Dynamic, Box<EvalAltResult>> {
    DATE.with(|d| d.set(date));
    sandbox::reset_work();
    let value = f()?;
    if holds_non_finite(&value) {
        return Err(EvalAltResult::ErrorArithmetic(
            format!("the rule gives `{value}`, which holds a number that is not finite"),
            Position::NONE,
        )
        .into());
    }
    Ok(value)
}

fn holds_non_finite(v: &Dynamic) -> bool {
    if let Ok(x) = v.as_float() {
        !x.is_finite()
    } else if let Ok(a) = v.as_array_ref() {
        a.iter().any(holds_non_finite)
    } else if let Ok(m) = v.as_map_ref() {
        m.values().any(holds_non_finite)
    } else {
        false
    }
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
        EvalAltResult::ErrorStackOverflow(_) => {
            "recursion too deep: the rule calls itself without end".to_string()
        }
        EvalAltResult::ErrorDataTooLarge(what, _) => {
            format!(
                "{what}: the rule builds a value larger than a rule may hold (strings of {} KiB, \
                 arrays and maps of {} entries, nested {} deep, counted over what one function \
                 holds at once)",
                sandbox::MAX_STRING_BYTES / 1024,
                sandbox::MAX_ENTRIES,
                sandbox::MAX_DATA_DEPTH
            )
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
    use super::sandbox::MAX_ENTRIES;
    use super::*;

    pub(super) fn set(src: &str) -> (RuleSet, crate::SourceMap) {
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

    /// Call every rule of `src` (each `fn NAME(arende, params)`) and expect an error whose
    /// message contains the given words.
    fn expect_errors(src: &str, cases: &[(&str, &str)]) {
        let (r, s) = set(src);
        for (name, words) in cases {
            let e = r
                .call(&s, name, &arende(), &Params::default(), None)
                .expect_err(name);
            assert!(
                e.message.to_lowercase().contains(words),
                "{name}: {}",
                e.message
            );
            assert_eq!(e.case.as_deref(), Some("p1"));
            assert_eq!(e.rule, *name);
        }
    }

    #[test]
    fn hostile_rules_stop_with_a_named_error() {
        let src = "fn l(arende, params) { loop {} }\n\
                   fn r(arende, params) { r(arende, params) }\n\
                   fn s(arende, params) { let s = \"x\"; loop { s += s; } }\n\
                   fn a(arende, params) { let a = [1, 2, 3]; loop { a += a; } }\n\
                   fn z(arende, params) { 1 / 0 }\n\
                   fn t(arende, params) { 1 + \"a\" * 2 }\n\
                   fn f(arende, params) { arende.arbetsformga }\n";
        expect_errors(
            src,
            &[
                ("l", "too many operations"),
                ("r", "recursion"),
                ("s", "larger"),
                ("a", "larger"),
                ("z", "division by zero"),
                ("t", "no function"),
                ("f", "did you mean `arbetsformaga`"),
            ],
        );
        let (r, _) = set("fn x(arende, params) { 1 }");
        let eval = r
            .engine
            .compile("fn e(arende, params) { eval(\"1\") }")
            .unwrap_err();
        assert!(eval.to_string().contains("disabled"), "{eval}");
    }

    /// `sleep(30)` slept for 30 s past every limit, and `sleep(1e300)` panicked ("cannot
    /// convert float seconds to Duration"): rules have no clock at all.
    #[test]
    fn clock_functions_are_refused() {
        let src = "fn big(arende, params) { sleep(1e300) }\n\
                   fn secs(arende, params) { sleep(30) }\n\
                   fn float(arende, params) { sleep(0.5) }\n\
                   fn ptr(arende, params) { call(Fn(\"sleep\"), 30) }\n\
                   fn method(arende, params) { 30.sleep() }\n\
                   fn clock(arende, params) { timestamp() }\n\
                   fn exit_(arende, params) { exit(1) }\n";
        expect_errors(
            src,
            &[
                ("big", "`sleep` is not available"),
                ("secs", "`sleep` is not available"),
                ("float", "`sleep` is not available"),
                ("ptr", "`sleep` is not available"),
                ("method", "`sleep` is not available"),
                ("clock", "`timestamp` is not available"),
                ("exit_", "no function"),
            ],
        );
    }

    /// `(x * 1.0) / 0.0 > 1.0` was silently false (infinity compared), so a case took
    /// `else`: every way a rule can make a float that is not finite is an error.
    #[test]
    fn float_arithmetic_that_leaves_the_numbers_is_an_error() {
        let src = "fn div(arende, params) { (arende.arbetsformaga * 1.0) / 0.0 > 1.0 }\n\
                   fn mixed(arende, params) { 1 / 0.0 }\n\
                   fn mixed2(arende, params) { 1.5 / 0 }\n\
                   fn rem(arende, params) { 1.5 % 0.0 }\n\
                   fn assign(arende, params) { let x = 1.0; x /= 0.0; x }\n\
                   fn assign_int(arende, params) { let x = 1; x /= 0.0; x }\n\
                   fn overflow(arende, params) { 1e300 * 1e300 }\n\
                   fn pow(arende, params) { 10.0 ** 400 }\n\
                   fn pow_neg(arende, params) { 0.0 ** -1.0 }\n\
                   fn sqrt_(arende, params) { sqrt(-1.0) }\n\
                   fn ln_(arende, params) { ln(0.0) }\n\
                   fn exp_(arende, params) { exp(1000.0) }\n\
                   fn log_(arende, params) { log(-1.0) }\n\
                   fn acos_(arende, params) { acos(2.0) }\n\
                   fn parse(arende, params) { parse_float(\"inf\") > 1.0 }\n\
                   fn nan(arende, params) { parse_float(\"NaN\") }\n\
                   fn literal(arende, params) { 1e999 > 1.0 }\n\
                   fn returned(arende, params) { [1e999] }\n";
        expect_errors(
            src,
            &[
                ("div", "division by zero"),
                ("mixed", "division by zero"),
                ("mixed2", "division by zero"),
                ("rem", "division by zero"),
                ("assign", "division by zero"),
                ("assign_int", "division by zero"),
                ("overflow", "not a finite number"),
                ("pow", "not a finite number"),
                ("pow_neg", "not a finite number"),
                ("sqrt_", "not a finite number"),
                ("ln_", "not a finite number"),
                ("exp_", "not a finite number"),
                ("log_", "not a finite number"),
                ("acos_", "not a finite number"),
                ("parse", "not a finite number"),
                ("nan", "not a finite number"),
                ("literal", "not a finite number"),
                ("returned", "not finite"),
            ],
        );
        // Ordinary float arithmetic is untouched.
        let (r, s) = set("fn ok(arende, params) { let x = 0.5; x *= 3; x / 2 + 1 - 0.25 }");
        let v = r
            .call(&s, "ok", &arende(), &Params::default(), None)
            .unwrap();
        assert_eq!(v.as_float().unwrap(), 1.5);
    }

    /// A map literal of `n` entries `k0: 0, ...`, an array literal of `n` zeros.
    fn literals(n: usize) -> (String, String) {
        let map: Vec<String> = (0..n).map(|i| format!("k{i}: {i}")).collect();
        (
            format!("#{{{}}}", map.join(", ")),
            format!("[{}]", vec!["0"; n].join(", ")),
        )
    }

    /// Assigning into a map (`m[k] = v`) skipped Rhai's size limits: one evaluation reached
    /// 2 GB. Every way of growing a value now stops at the limits, counted over everything a
    /// function holds.
    #[test]
    fn assigning_into_a_map_respects_the_size_limits() {
        let (map, array) = literals(MAX_ENTRIES - 1);
        let (small_map, small_array) = literals(100);
        let (half, _) = literals(MAX_ENTRIES / 2 + 1);
        let big = "let s = \"x\"; for i in 0..15 { s += s; }";
        let src = format!(
            "fn keys(arende, params) {{ let m = {map}; for i in 0..10 {{ m[`n${{i}}`] = i; }} m.len() }}\n\
             fn values(arende, params) {{ {big} let m = {small_map}; for i in 0..100 {{ m[`k${{i}}`] = s + i; }} 0 }}\n\
             fn copies(arende, params) {{ let inner = {half}; let m = #{{}}; for i in 0..10 {{ m[`k${{i}}`] = inner; }} 0 }}\n\
             fn elements(arende, params) {{ {big} let a = {small_array}; for i in 0..100 {{ a[i] = s + i; }} 0 }}\n\
             fn nested(arende, params) {{ let m = #{{ a: {map} }}; for i in 0..40 {{ m.a[`n${{i}}`] = i; }} 0 }}\n\
             fn in_array(arende, params) {{ let a = [{array}]; for i in 0..10 {{ a[0].push(i); }} 0 }}\n\
             fn variables(arende, params) {{ let m = {half}; let a = m; let b = m; let c = m; let d = m; let e = m; let f = m; let g = m; let h = m; let i = m; let j = m; let k = m; let l = m; let n = m; let o = m; let p = m; let q = m; 0 }}\n\
             fn deep(arende, params) {{ let a = []; for i in 0..100000 {{ a = [a]; }} 0 }}\n\
             fn curried(arende, params) {{ {big} let a = []; for i in 0..100 {{ a.push(Fn(\"x\").curry(s + i)); }} 0 }}\n"
        );
        expect_errors(
            &src,
            &[
                ("keys", "larger than a rule may hold"),
                ("values", "larger than a rule may hold"),
                ("copies", "larger than a rule may hold"),
                ("elements", "larger than a rule may hold"),
                ("nested", "larger than a rule may hold"),
                ("in_array", "larger than a rule may hold"),
                ("variables", "larger than a rule may hold"),
                ("deep", "nesting"),
                ("curried", "larger than a rule may hold"),
            ],
        );
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

#[cfg(test)]
mod memo_tests {
    use super::tests::set;
    use super::*;
    use proptest::prelude::*;

    /// Rules whose reads depend on what they read, with missing fields, errors, the date and
    /// a parameter: the memoised answer is the plain answer for every case, in any order.
    const RULES: &str = "\
        fn a(arende, params) { if arende.x > 2 { arende.y * 2 } else { arende.z } }\n\
        fn b(arende, params) { if arende.flagga { datum() } else { arende.x + params.k } }\n\
        fn c(arende, params) { if arende.x == 0 { 1 / arende.x } else { [arende.x, arende.y] } }\n\
        fn d(arende, params) { let s = 0; for i in 0..arende.x { s += i; } s > arende.y }\n";

    fn case(x: i64, y: Option<i64>, z: i64, flagga: bool) -> Arende {
        let mut v: std::collections::BTreeMap<String, Dynamic> = [
            ("x".to_string(), Dynamic::from(x)),
            ("z".to_string(), Dynamic::from(z)),
            ("flagga".to_string(), Dynamic::from(flagga)),
        ]
        .into_iter()
        .collect();
        if let Some(y) = y {
            v.insert("y".to_string(), Dynamic::from(y));
        }
        Arende::new("p1", v)
    }

    fn show(r: &RuleResult) -> String {
        match r {
            Ok(v) => format!("ok {v:?}"),
            Err(e) => format!("err {e}"),
        }
    }

    proptest! {
        #[test]
        fn memoised_calls_answer_what_plain_calls_answer(
            calls in proptest::collection::vec(
                (0usize..4, 0i64..5, proptest::option::of(0i64..3), 0i64..3, any::<bool>(),
                 0u32..3, 0i64..2),
                1..60,
            )
        ) {
            let (r, s) = set(RULES);
            let mut memo = Memo::new();
            for (rule, x, y, z, flagga, day, k) in calls {
                let name = ["a", "b", "c", "d"][rule];
                let params = Params::default().with(&serde_json::json!({ "k": k }).as_object().unwrap().clone());
                let date = NaiveDate::from_ymd_opt(2024, 1, 1 + day);
                let arende = case(x, y, z, flagga);
                let plain = r.call(&s, name, &arende, &params, date);
                let memoised = r.call_memo(Some(&mut memo), &s, name, &arende, &params, date);
                prop_assert_eq!(show(&plain), show(&memoised));
            }
        }
    }
}
