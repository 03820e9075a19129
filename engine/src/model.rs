//! The workflow language as plain data: what `municipality.yaml` and workflow files contain.
//!
//! Every name a designer writes is a [`Node`], which remembers where in the file it stood, so a
//! check can point at the exact line and column. Maps keep the order and the duplicates of the
//! file ([`Map`]); the duplicate-id check reports the latter.

use crate::diagnostic::Loc;
use crate::duration::{Duration, DurationRange, Effort, Period};

use schemars::JsonSchema;
use serde::Deserialize;
use std::borrow::Cow;

/// A value with the place in the YAML file where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub loc: Loc,
}

impl<T> Node<T> {
    /// A value with an unknown location (used by generated models and tests).
    pub fn new(value: T) -> Self {
        Node {
            value,
            loc: Loc::default(),
        }
    }
}

impl Node<String> {
    /// The string.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl<T: JsonSchema> JsonSchema for Node<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// A YAML mapping whose keys are names: keeps file order, key locations and duplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Map<V>(pub Vec<(Node<String>, V)>);

impl<V> Default for Map<V> {
    fn default() -> Self {
        Map(Vec::new())
    }
}

impl<V> Map<V> {
    /// The first entry named `name`.
    pub fn get(&self, name: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k.value == name).map(|(_, v)| v)
    }
    /// Whether an entry named `name` exists.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
    /// Keys in file order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.value.as_str())
    }
    /// Entries in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&Node<String>, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
    /// Number of entries (duplicates included).
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V: JsonSchema> JsonSchema for Map<V> {
    fn schema_name() -> Cow<'static, str> {
        format!("Map_of_{}", V::schema_name()).into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let value = generator.subschema_for::<V>();
        schemars::json_schema!({
            "type": "object",
            "propertyNames": { "pattern": "^[a-z][a-z0-9_]*$" },
            "additionalProperties": value,
        })
    }
}

/// A YAML mapping whose keys are steps (`workflow.step`, or a bare step id): as [`Map`], with
/// keys checked as step references rather than as ids.
#[derive(Debug, Clone, PartialEq)]
pub struct StepMap<V>(pub Map<V>);

impl<V> Default for StepMap<V> {
    fn default() -> Self {
        StepMap(Map::default())
    }
}

impl<V> std::ops::Deref for StepMap<V> {
    type Target = Map<V>;
    fn deref(&self) -> &Map<V> {
        &self.0
    }
}

impl<V: JsonSchema> JsonSchema for StepMap<V> {
    fn schema_name() -> Cow<'static, str> {
        format!("StepMap_of_{}", V::schema_name()).into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let value = generator.subschema_for::<V>();
        schemars::json_schema!({
            "type": "object",
            "propertyNames": { "pattern": "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?$" },
            "additionalProperties": value,
        })
    }
}

/// A step reference: `workflow.step` or a bare step id, each part an id.
pub fn is_step_ref(s: &str) -> bool {
    match s.split_once('.') {
        Some((w, st)) => is_id(w) && is_id(st),
        None => is_id(s),
    }
}

/// `municipality.yaml`: the organisation, its parameters and where its rules are.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "steg municipality",
    description = "municipality.yaml of a steg configuration folder"
)]
pub struct MunicipalityFile {
    /// The municipality's name, e.g. `Lindesberg`.
    pub municipality: Node<String>,
    /// A base folder this configuration inherits and overrides, relative to this folder
    /// (`../common`): its units, roles, parameters, events, population, simulation, obligations
    /// and workflows, each replaced by an entry of the same id here (docs/language.md).
    #[serde(default)]
    pub extends: Option<Node<String>>,
    /// This folder is a base that others extend, not a municipality: `steg check` of a folder
    /// of folders skips it (naming it still checks it).
    #[serde(default)]
    pub base: bool,
    /// A sentence about this configuration.
    #[serde(default)]
    pub description: Option<String>,
    /// The documents this configuration is modelled from, by short name (cited in `source:` fields).
    #[serde(default)]
    pub sources: Map<String>,
    /// Workflows where a case starts. Default: every workflow no referral points to.
    #[serde(default)]
    pub entry: Vec<Node<String>>,
    /// Rule folders, relative to this file. Default: `../../rules/common` and `../../rules/<folder>`.
    #[serde(default)]
    pub rules: Option<Vec<Node<String>>>,
    /// Organisational units (nämnd, enhet, förvaltning).
    #[serde(default)]
    pub units: Map<Unit>,
    /// Roles that do the work, with their unit and staff count.
    #[serde(default)]
    pub roles: Map<Role>,
    /// Named parameters the rules read (thresholds, limits), each with its source.
    #[serde(default)]
    pub parameters: Map<Parameter>,
    /// Named events that move a case (absence reported, offer declined, ...).
    #[serde(default)]
    pub events: Map<EventDef>,
    /// Figures about the municipality's cases from its sources: volumes and shares.
    #[serde(default)]
    pub population: Map<Parameter>,
    /// How `steg simulate` draws cases: arrivals, attributes, event rates, the steps its KPIs
    /// measure. Every figure carries its source, or says it is an assumption.
    #[serde(default)]
    pub simulation: Option<Simulation>,
    /// Follow-up obligations every case must meet, by id, each with its source: checked on
    /// the graph by `steg check` and measured by `steg simulate`.
    #[serde(default)]
    pub obligations: Map<Obligation>,
    /// The figures the sources give about the municipality's cases, each with the tolerance
    /// within which a simulation must reproduce it (`steg validate`, docs/validation.md).
    #[serde(default)]
    pub validation: Option<Validation>,
    /// The audit's own questions (revisionsfrågor) with the auditors' assessment and the
    /// obligations and figures that answer each in the model (`steg check --audit`).
    #[serde(default)]
    pub audit: Option<Audit>,
}

/// Inputs of `steg simulate`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    /// Where the figures come from, or that they are assumptions.
    #[serde(default)]
    pub source: Option<String>,
    /// The first day of the simulated calendar, `YYYY-MM-DD`.
    pub start: Node<String>,
    /// New cases per month (applications that start the entry workflow).
    pub arrivals_per_month: Parameter,
    /// Case data every case gets.
    #[serde(default)]
    pub constants: serde_json::Map<String, serde_json::Value>,
    /// Case data drawn per case: a list of values with shares (summing to 1), or a range.
    #[serde(default)]
    pub attributes: Map<Attribute>,
    /// How often events happen to a case that waits for them.
    #[serde(default)]
    pub events: Map<EventRate>,
    /// The steps and outcomes the KPIs are measured on.
    #[serde(default)]
    pub kpi: Kpi,
    /// Dated changes of `arrivals_per_month` (a falling or rising number of applications).
    #[serde(default)]
    pub arrival_changes: Vec<ArrivalChange>,
    /// Cases that start in another entry workflow than the first (a labour-market unit's
    /// cases from other referrers), by workflow id: their own arrivals and case data.
    #[serde(default)]
    pub entries: Map<EntryArrivals>,
    /// How units outside the model answer the referrals sent to them, by unit id.
    #[serde(default)]
    pub answers: Map<UnitAnswers>,
    /// Case data drawn anew each time a case enters a step (`workflow.step`): a practice the
    /// step follows on some occasions and not on others (a plan made at this application or
    /// not), with its source.
    #[serde(default)]
    pub at_steps: StepMap<StepDraw>,
}

/// Case data drawn each time a case enters a step.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepDraw {
    /// The data, each a list of values with shares, or a range.
    pub draw: Map<Attribute>,
    /// Where the shares come from.
    #[serde(default)]
    pub source: Option<String>,
}

/// A dated change of an arrival rate: from this day, this many new cases a month.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArrivalChange {
    /// The first day of the new rate, `YYYY-MM-DD`.
    pub from: Node<String>,
    /// New cases per month from that day.
    pub per_month: Node<f64>,
    /// Where the rate comes from, or that it is an assumption.
    #[serde(default)]
    pub source: Option<String>,
}

/// Cases that start in an entry workflow other than the first.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryArrivals {
    /// New cases per month.
    pub arrivals_per_month: Parameter,
    /// Dated changes of the rate.
    #[serde(default)]
    pub arrival_changes: Vec<ArrivalChange>,
    /// Case data these cases get, over the simulation's `constants`.
    #[serde(default)]
    pub constants: serde_json::Map<String, serde_json::Value>,
    /// Case data drawn for these cases, over the simulation's `attributes` (by name).
    #[serde(default)]
    pub attributes: Map<Attribute>,
    /// Where the figures come from.
    #[serde(default)]
    pub source: Option<String>,
}

/// How a unit outside the model answers referrals (`simulation.answers.UNIT`): one answer per
/// referral, drawn by its share, a drawn time after the referral.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitAnswers {
    /// How long after the referral the answer comes: a duration, or a range drawn uniformly
    /// (`3mo..6mo`).
    pub after: Node<DurationRange>,
    /// Each answer (a `returns` key of the referrals to the unit) and its share of referrals;
    /// the shares sum to 1.
    pub shares: Map<f64>,
    /// Where the figures come from, or that they are assumptions.
    #[serde(default)]
    pub source: Option<String>,
}

/// How a case attribute is drawn.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    /// Values with their shares.
    #[serde(default)]
    pub values: Vec<Share>,
    /// A uniform range `[low, high]` (integers when both ends are).
    #[serde(default)]
    pub uniform: Option<(f64, f64)>,
    /// Where the distribution comes from.
    #[serde(default)]
    pub source: Option<String>,
}

/// One value of an attribute and its share of cases.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Share {
    /// The value.
    pub value: serde_json::Value,
    /// Share of cases, 0 to 1.
    pub share: Node<f64>,
    /// Where the share comes from.
    #[serde(default)]
    pub source: Option<String>,
}

/// How often an event happens to a case waiting for it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRate {
    /// Expected events per month while the case waits (exponential waiting time).
    #[serde(default)]
    pub per_month: Option<f64>,
    /// Or: the event comes this long after the case starts waiting.
    #[serde(default)]
    pub after: Option<Node<Duration>>,
    /// Or: the event comes on a calendar, every period from the day the case started (a monthly
    /// application on the same day each month), whether or not the case waits for it then: an
    /// occurrence while nothing waits is kept as the event's `keep` says.
    #[serde(default)]
    pub every: Option<Node<Duration>>,
    /// Case data set when the event happens.
    #[serde(default)]
    pub set: serde_json::Map<String, serde_json::Value>,
    /// Counters added to when the event happens (`ansokan_nr: 1`).
    #[serde(default)]
    pub increment: serde_json::Map<String, serde_json::Value>,
    /// Where the rate comes from.
    #[serde(default)]
    pub source: Option<String>,
    /// Case data drawn anew each time the event happens, with shares: a practice followed
    /// on some occasions and not on others (a plan made at this application or not).
    #[serde(default)]
    pub draw: Map<Attribute>,
}

/// Steps and outcomes KPIs are measured on (`workflow.step` or a step id).
#[derive(Debug, Clone, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Kpi {
    /// The application (default `ansokan`).
    #[serde(default)]
    pub ansokan: Option<String>,
    /// The decision on the application (default `beslut_4_4`).
    #[serde(default)]
    pub beslut: Option<String>,
    /// The start of an insats (default `insats`).
    #[serde(default)]
    pub insats: Option<String>,
    /// The plan (default `plan`).
    #[serde(default)]
    pub plan: Option<String>,
    /// Absence noticed by the unit that runs the insats.
    #[serde(default)]
    pub franvaro_fran: Option<String>,
    /// Absence reaching the caseworker who pays.
    #[serde(default)]
    pub franvaro_till: Option<String>,
    /// The referral answer that means "returned to the referrer" (default `aterremitterad`).
    #[serde(default)]
    pub aterremittering: Option<String>,
    /// The referral step whose repeats count as re-referrals (default: every referral).
    #[serde(default)]
    pub anvisning: Option<String>,
}

/// An organisational unit.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// Name as the municipality writes it.
    #[serde(default)]
    pub title: Option<String>,
    /// The unit this one belongs to (e.g. a nämnd).
    #[serde(default)]
    pub part_of: Option<Node<String>>,
    /// Where this comes from.
    #[serde(default)]
    pub source: Option<String>,
}

/// A role: who does a step.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Name as the municipality writes it.
    #[serde(default)]
    pub title: Option<String>,
    /// The unit the role works in.
    #[serde(default)]
    pub unit: Option<Node<String>>,
    /// Number of staff (full-time equivalents, above 0) in this role, or `unlimited` for work
    /// that never queues; left out for the person themselves.
    #[serde(default)]
    pub staff: Option<Node<Staff>>,
    /// Where this comes from.
    #[serde(default)]
    pub source: Option<String>,
}

/// A role's staff: a number of full-time equivalents, or `unlimited`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Staff {
    /// Full-time equivalents (above 0).
    Count(f64),
    /// Work of this role never waits for a person.
    Unlimited,
}

impl Staff {
    /// The count, `None` when unlimited.
    pub fn count(self) -> Option<f64> {
        match self {
            Staff::Count(n) => Some(n),
            Staff::Unlimited => None,
        }
    }
}

impl std::fmt::Display for Staff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Staff::Count(n) => write!(f, "{n}"),
            Staff::Unlimited => f.write_str("unlimited"),
        }
    }
}

impl<'de> Deserialize<'de> for Staff {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(f64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) if n.is_finite() && n > 0.0 => Ok(Staff::Count(n)),
            Raw::N(n) => Err(serde::de::Error::custom(format!(
                "staff must be above 0 (it is {n}); write `unlimited` for work that never queues"
            ))),
            Raw::S(s) if s == "unlimited" => Ok(Staff::Unlimited),
            Raw::S(s) => Err(serde::de::Error::custom(format!(
                "staff must be a number above 0 or `unlimited`, not `{s}`"
            ))),
        }
    }
}

impl JsonSchema for Staff {
    fn schema_name() -> Cow<'static, str> {
        "Staff".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Full-time equivalents (above 0), or `unlimited`.",
            "oneOf": [
                { "type": "number", "exclusiveMinimum": 0 },
                { "const": "unlimited" }
            ]
        })
    }
}

/// A named value with its source.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// The value: a number, a boolean, a duration such as `3mo`, or text.
    pub value: Node<Value>,
    /// What it means.
    #[serde(default)]
    pub description: Option<String>,
    /// Where the value comes from (seed passage, law, decision).
    #[serde(default)]
    pub source: Option<String>,
}

/// A parameter value.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Value {
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// Text, or a duration such as `3mo`.
    Text(String),
}

/// A named event.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventDef {
    /// What happens.
    #[serde(default)]
    pub description: Option<String>,
    /// Who reports it.
    #[serde(default)]
    pub reported_by: Option<Node<String>>,
    /// How long the event is kept when it arrives (or is raised) while no step of the case
    /// waits for it: it is delivered when a step that waits for it is entered within this time,
    /// else it lapses and is counted as undelivered. `0d`: dropped when nothing waits at once.
    /// Without `keep`, kept until the case closes.
    #[serde(default)]
    pub keep: Option<Node<Duration>>,
    /// Where this comes from.
    #[serde(default)]
    pub source: Option<String>,
}

/// A workflow file: one process with its steps.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "steg workflow",
    description = "A workflow file of a steg configuration folder"
)]
pub struct WorkflowFile {
    /// The workflow's id, used by referrals: `ekonomiskt_bistand`, `ame`.
    pub workflow: Node<String>,
    /// The workflow this one extends: a workflow id of the base folder, or a path to a workflow
    /// file (`../common/ame.yaml`). A workflow whose id the base also has extends it without
    /// saying so. Its steps are added to the base's, a step with a base step's id replaces it.
    #[serde(default)]
    pub extends: Option<Node<String>>,
    /// Steps of the extended workflow to leave out.
    #[serde(default)]
    pub remove: Vec<Node<String>>,
    /// Name as the municipality writes it.
    #[serde(default)]
    pub title: Option<String>,
    /// A sentence about the workflow.
    #[serde(default)]
    pub description: Option<String>,
    /// The unit that owns the workflow.
    #[serde(default)]
    pub unit: Option<Node<String>>,
    /// Where this comes from.
    #[serde(default)]
    pub source: Option<String>,
    /// The step where a case enters this workflow.
    #[serde(default)]
    pub start: Option<Node<String>>,
    /// The steps, by id.
    #[serde(default)]
    pub steps: Map<Step>,
    /// Follow-up obligations of this workflow (step names may be bare ids of its own steps).
    #[serde(default)]
    pub obligations: Map<Obligation>,
    /// First day the workflow is in force (`YYYY-MM-DD`): a referral to it before then cannot
    /// be made (docs/semantics.md, "Dated versions").
    #[serde(default)]
    pub valid_from: Option<Node<String>>,
    /// Last day the workflow is in force (inclusive).
    #[serde(default)]
    pub valid_to: Option<Node<String>>,
}

/// What kind of step this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// Work done by a role; goes on through `next`.
    #[default]
    Task,
    /// A decision by a role, on a legal basis; goes on through `next` with conditions.
    Decision,
    /// Starts every branch in `next` at once.
    Fork,
    /// Waits until every incoming branch has arrived.
    Join,
    /// Waits for a named event or a timer (`on`).
    Wait,
    /// Sends the case to another workflow or unit and continues on its answer (`returns`).
    Referral,
    /// Ends the workflow with an `outcome`.
    End,
}

impl StepKind {
    /// The keyword used in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Task => "task",
            StepKind::Decision => "decision",
            StepKind::Fork => "fork",
            StepKind::Join => "join",
            StepKind::Wait => "wait",
            StepKind::Referral => "referral",
            StepKind::End => "end",
        }
    }
}

/// One step of a workflow.
#[derive(Debug, Clone, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Kind of step; `task` when left out.
    #[serde(default)]
    pub kind: Option<Node<StepKind>>,
    /// Name as the municipality writes it.
    #[serde(default)]
    pub title: Option<String>,
    /// What happens here.
    #[serde(default)]
    pub description: Option<String>,
    /// Where this comes from (seed passage).
    #[serde(default)]
    pub source: Option<String>,
    /// Role that does the step.
    #[serde(default)]
    pub actor: Option<Node<String>>,
    /// Unit where the step happens, when not the actor's.
    #[serde(default)]
    pub unit: Option<Node<String>>,
    /// Time the work takes: `5d`, `1w..3w`, `P1M`.
    #[serde(default)]
    pub duration: Option<Node<DurationRange>>,
    /// Staff time the step takes of its `actor` (`45min`, `2h`): in simulation, roles have
    /// `staff` and queues form when work exceeds it.
    #[serde(default)]
    pub effort: Option<Node<Effort>>,
    /// Deadline for finishing this step.
    #[serde(default)]
    pub within: Option<Deadline>,
    /// Law or local decision a decision rests on, e.g. `SoL 4 kap. 4 §`; or a list of dated
    /// bases (`{ basis: ..., valid_from: ..., valid_to: ... }`), of which one must be in force
    /// on the day the decision is taken.
    #[serde(default)]
    pub legal_basis: Option<LegalBasis>,
    /// Where the case goes next: one step, or a list of conditional transitions.
    /// For a fork, every step in the list starts.
    #[serde(default)]
    pub next: Option<Next>,
    /// For `wait`: the events and timers that move the case on.
    #[serde(default)]
    pub on: Vec<Trigger>,
    /// For `referral`: where the case is sent.
    #[serde(default)]
    pub refer_to: Option<ReferTo>,
    /// For `referral`: the answers expected back, by outcome, and where each leads.
    #[serde(default)]
    pub returns: Map<Node<String>>,
    /// For `end`: the outcome, e.g. `egen_forsorjning`.
    #[serde(default)]
    pub outcome: Option<Node<String>>,
    /// A named event this step raises when a case enters it, delivered to the case's other
    /// branches that wait for it (AME reporting absence to the caseworker who pays).
    #[serde(default)]
    pub emits: Option<Node<String>>,
    /// Case data this step records when a case enters it (`har_handlingsplan: true`), for the
    /// rules of later steps.
    #[serde(default)]
    pub set: serde_json::Map<String, serde_json::Value>,
    /// First day the step is in force (`YYYY-MM-DD`): before it, a route into the step is not
    /// taken (the next route whose condition holds is), and a case with no other route stops.
    #[serde(default)]
    pub valid_from: Option<Node<String>>,
    /// Last day the step is in force (inclusive).
    #[serde(default)]
    pub valid_to: Option<Node<String>>,
}

/// The legal basis of a decision: one text in force on every day, or dated texts (a law or a
/// local guideline in force for a period). Written as a string or a list of
/// `{ basis, valid_from, valid_to, source }`.
#[derive(Debug, Clone, PartialEq)]
pub struct LegalBasis(pub Vec<BasisVersion>);

/// One legal basis and the days it is in force.
#[derive(Debug, Clone, PartialEq)]
pub struct BasisVersion {
    /// The provision or decision, e.g. `SoL 4 kap. 4 §`.
    pub basis: Node<String>,
    /// First day in force (`YYYY-MM-DD`), open when left out.
    pub valid_from: Option<Node<String>>,
    /// Last day in force (inclusive), open when left out.
    pub valid_to: Option<Node<String>>,
    /// Where the basis and its dates come from.
    pub source: Option<String>,
}

impl LegalBasis {
    /// Every basis, as written, joined by `; ` (for pictures, diffs and reports).
    pub fn text(&self) -> String {
        self.0
            .iter()
            .map(|b| match (&b.valid_from, &b.valid_to) {
                (None, None) => b.basis.value.clone(),
                (Some(f), None) => format!("{} (från {})", b.basis.value, f.value),
                (None, Some(t)) => format!("{} (till {})", b.basis.value, t.value),
                (Some(f), Some(t)) => format!("{} ({}–{})", b.basis.value, f.value, t.value),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Where the (first) basis is written.
    pub fn loc(&self) -> Loc {
        self.0.first().map(|b| b.basis.loc).unwrap_or_default()
    }

    /// Whether no basis has any text.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|b| b.basis.value.trim().is_empty())
    }
}

impl JsonSchema for LegalBasis {
    fn schema_name() -> Cow<'static, str> {
        "LegalBasis".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A provision (`SoL 4 kap. 4 §`), or dated provisions: `[{ basis, valid_from, valid_to, source }]`.",
            "oneOf": [
                { "type": "string" },
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "basis": { "type": "string" },
                            "valid_from": { "type": "string", "format": "date" },
                            "valid_to": { "type": "string", "format": "date" },
                            "source": { "type": "string" }
                        },
                        "required": ["basis"],
                        "additionalProperties": false
                    }
                }
            ]
        })
    }
}

impl Step {
    /// The step's kind (task when not written).
    pub fn kind(&self) -> StepKind {
        self.kind.as_ref().map_or(StepKind::Task, |k| k.value)
    }

    /// The transitions in `next`, if any.
    pub fn transitions(&self) -> &[Transition] {
        self.next.as_ref().map_or(&[], |n| &n.0)
    }
}

/// The transitions of a step, in order. Written as one step id or a list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Next(pub Vec<Transition>);

impl JsonSchema for Next {
    fn schema_name() -> Cow<'static, str> {
        "Next".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let t = generator.subschema_for::<Transition>();
        schemars::json_schema!({
            "description": "One step id, or a list of transitions tried in order (for a fork: all started).",
            "oneOf": [
                { "type": "string" },
                { "type": "array", "items": { "oneOf": [ { "type": "string" }, t ] } }
            ]
        })
    }
}

/// A transition to another step, possibly guarded.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// Target step id.
    pub to: Node<String>,
    /// When it is taken.
    pub guard: Guard,
    /// Its name as the municipality writes it (`title:`), shown on pictures of the workflow.
    pub title: Option<String>,
    /// Where the transition's entry starts in the file.
    pub loc: Loc,
}

/// The condition of a transition.
#[derive(Debug, Clone, PartialEq)]
pub enum Guard {
    /// Always (the only transition, or a fork branch).
    Always,
    /// When a condition holds: `rule.NAME` or an inline Rhai expression.
    When(Node<String>),
    /// When no earlier transition's condition held.
    Else,
}

impl JsonSchema for Transition {
    fn schema_name() -> Cow<'static, str> {
        "Transition".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "`{ to: STEP, when: CONDITION }` or `{ else: STEP }`. CONDITION is `rule.NAME` or a Rhai expression over `case` and `params`.",
            "oneOf": [
                {
                    "type": "object",
                    "properties": {
                        "to": { "type": "string", "description": "Target step id." },
                        "when": { "type": "string", "description": "`rule.NAME` or an inline Rhai expression." },
                        "title": { "type": "string" },
                        "source": { "type": "string" }
                    },
                    "required": ["to"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": {
                        "else": { "type": "string", "description": "Target step when no earlier condition held." },
                        "title": { "type": "string" },
                        "source": { "type": "string" }
                    },
                    "required": ["else"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// What moves a waiting case on: a named event, or a timer.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// A named event from `municipality.yaml`'s `events`.
    #[serde(default)]
    pub event: Option<Node<String>>,
    /// A one-shot timer: due this long after its anchor (`from`, by default the entry into
    /// the wait). A duration or `params.NAME`.
    #[serde(default)]
    pub after: Option<Node<Period>>,
    /// A recurring timer: due every period from its anchor (`from`, by default the first entry
    /// into the wait during the case's stay in the workflow). A due date that passes while the
    /// case is elsewhere is taken, late, when the case next waits here. A duration or
    /// `params.NAME`.
    #[serde(default)]
    pub every: Option<Node<Period>>,
    /// What a timer counts from: `entry` (each entry into the wait), `first_entry` (the first
    /// entry during the case's stay in this workflow), `case_start` (the day the case began),
    /// or a step id (its latest entry; `workflow.step` for another workflow's step).
    #[serde(default)]
    pub from: Option<Node<String>>,
    /// Where the case goes.
    pub to: Node<String>,
    /// Where this comes from.
    #[serde(default)]
    pub source: Option<String>,
}

/// A deadline: the step must be done within `duration`, counted from entering `from`
/// (default: this step). Written as a duration (`within: 90d`) or a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Deadline {
    /// The time allowed: a duration or `params.NAME`.
    pub duration: Node<Period>,
    /// The step the time is counted from (default: this step).
    pub from: Option<Node<String>>,
    /// Where the deadline comes from.
    pub source: Option<String>,
}

impl JsonSchema for Deadline {
    fn schema_name() -> Cow<'static, str> {
        "Deadline".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let d = generator.subschema_for::<Duration>();
        schemars::json_schema!({
            "description": "A deadline: `90d`, or `{ duration: 3mo, from: STEP, source: ... }` (counted from entering `from`, default this step).",
            "oneOf": [
                d.clone(),
                {
                    "type": "object",
                    "properties": {
                        "duration": d,
                        "from": { "type": "string", "description": "The step the time is counted from." },
                        "source": { "type": "string", "description": "Where the deadline comes from." }
                    },
                    "required": ["duration"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// The target of a referral: another workflow of the municipality, or a unit outside it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferTo {
    /// Workflow id (the case enters at its `start`).
    #[serde(default)]
    pub workflow: Option<Node<String>>,
    /// Unit id (outside the modelled workflows; its answers are the `returns` keys).
    #[serde(default)]
    pub unit: Option<Node<String>>,
}

/// A loaded workflow with the file it came from.
#[derive(Debug, Clone)]
pub struct Workflow {
    /// The file.
    pub file: crate::diagnostic::FileId,
    /// Its content.
    pub def: WorkflowFile,
}

impl Workflow {
    /// The workflow id.
    pub fn name(&self) -> &str {
        &self.def.workflow.value
    }
}

/// A `*.table.yaml` file in a rule folder: a named table with dated versions, read by rules
/// through `tabell("NAME")`, which gives the version in force on the evaluation date.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableFile {
    /// The table's name.
    pub table: Node<String>,
    /// What it holds.
    #[serde(default)]
    pub description: Option<String>,
    /// Where it comes from (law, regulation).
    #[serde(default)]
    pub source: Option<String>,
    /// The versions; their periods must neither overlap nor leave gaps.
    pub versions: Vec<TableVersion>,
}

/// One version of a table.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableVersion {
    /// First day in force, `YYYY-MM-DD`.
    pub valid_from: Node<String>,
    /// Last day in force, `YYYY-MM-DD`; open-ended when left out.
    #[serde(default)]
    pub valid_to: Option<Node<String>>,
    /// Where this version's figures come from.
    #[serde(default)]
    pub source: Option<String>,
    /// The figures: any YAML (numbers, lists, mappings).
    #[serde(default)]
    pub values: serde_json::Value,
    /// Instead of `values`: why the figures of this period are not in the configuration (no
    /// public source found). A rule that asks for the table on such a day fails with this
    /// reason, naming the period, rather than with a gap between versions.
    #[serde(default)]
    pub missing: Option<String>,
}

/// A `*.test.yaml` file in a rule folder: rule tests written as data.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    /// The tests.
    pub tests: Vec<RuleTest>,
}

/// One rule test: given a case and parameters, the rule returns `expect`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleTest {
    /// What the test shows, in words.
    #[serde(default)]
    pub name: Option<String>,
    /// The rule under test.
    pub rule: Node<String>,
    /// The date the rule is asked about (`YYYY-MM-DD`); picks dated versions and tables.
    #[serde(default)]
    pub date: Option<Node<String>>,
    /// The case's data.
    #[serde(default)]
    pub arende: serde_json::Map<String, serde_json::Value>,
    /// Parameters, over the municipality's own.
    #[serde(default)]
    pub params: serde_json::Map<String, serde_json::Value>,
    /// The expected result.
    pub expect: Node<serde_json::Value>,
    /// Where the expected value comes from.
    #[serde(default)]
    pub source: Option<String>,
}

/// A follow-up obligation, as written under `obligations:`.
///
/// Exactly one kind: `after` + `then`, `every` + `reviewed_by`, `referrals_return: true`, or
/// `event` + `reaches`. Steps are `workflow.step`, or a bare step id when unambiguous (in a
/// workflow file: a step of that workflow).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Obligation {
    /// The requirement in the words of its source, e.g. "Plan mot egen försörjning inom tre
    /// månader från ansökan".
    #[serde(default)]
    pub requirement: Option<String>,
    /// How an auditor says it is not met, e.g. "Samtliga individer har inte en plan inom tre
    /// månader" (shown by `steg check --audit`).
    #[serde(default)]
    pub shortfall: Option<String>,
    /// "after A, B within D": the step that starts the clock (its first entry).
    #[serde(default)]
    pub after: Option<Node<String>>,
    /// "after A, B within D": the step that must follow.
    #[serde(default)]
    pub then: Option<Node<String>>,
    /// "every B reviewed within D": the step whose result must be reviewed (a plan).
    #[serde(default)]
    pub every: Option<Node<String>>,
    /// "every B reviewed within D": the review step; each review restarts the clock.
    #[serde(default)]
    pub reviewed_by: Option<Node<String>>,
    /// Every referral to a workflow gets an answer it maps on every outcome that workflow can
    /// end with, and each answer reaches the role that referred.
    #[serde(default)]
    pub referrals_return: Option<Node<bool>>,
    /// "event E reaches role R within D": the event (from `events:`).
    #[serde(default)]
    pub event: Option<Node<String>>,
    /// "event E reaches role R within D": a role, or a step as `workflow.step`.
    #[serde(default)]
    pub reaches: Option<Node<String>>,
    /// The time allowed (for `then`, `reviewed_by` and `reaches`): a duration or `params.NAME`.
    #[serde(default)]
    pub within: Option<Node<Period>>,
    /// Steps that end the obligation for a case that enters them first (a refusal, the case
    /// no longer being current).
    #[serde(default)]
    pub unless: Vec<Node<String>>,
    /// Where the requirement comes from (seed passage, law, routine).
    #[serde(default)]
    pub source: Option<String>,
    /// `warning` (default) or `error`: the severity of the diagnostic when it is broken.
    #[serde(default)]
    pub severity: Option<Node<ObligationSeverity>>,
}

/// The severity of a broken obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ObligationSeverity {
    /// Reported, `steg check` still exits 0.
    Warning,
    /// `steg check` exits 1.
    Error,
}

/// `validation:` in municipality.yaml: the figures a simulation must reproduce.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Validation {
    /// Where the figures come from, in general.
    #[serde(default)]
    pub source: Option<String>,
    /// Independent replications `steg validate` runs (default 10).
    #[serde(default)]
    pub replications: Option<Node<u32>>,
    /// The seed of the first replication (default 1).
    #[serde(default)]
    pub seed: Option<Node<u64>>,
    /// The figures, by id.
    #[serde(default)]
    pub figures: Map<Figure>,
}

/// What a validation figure measures on the simulated cases (docs/validation.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Entries into `steps` during the period (returns per year, anvisningar per year).
    Entries,
    /// Cases that entered one of `steps` during the period (cases paid in a month).
    Cases,
    /// Cases "in" `steps` at the end of the period: their latest entry into `steps` or
    /// `until` was into `steps`.
    InStay,
    /// The largest `in_stay` count at a month's end within the period.
    MaxInStay,
    /// Of the cases that entered `steps` during the period, the share that had entered one of
    /// `had` by the period's end.
    ShareHad,
    /// Of the entries into `steps` during the period, the share followed by an entry into
    /// `then` (within `within`, before any `unless`).
    FollowedBy,
    /// The share of those entries *not* followed by `then` within `within`.
    NotFollowedBy,
    /// Entries into `steps` during the period as a share of entries into `of`.
    ShareOfEntries,
    /// Mean days from the first entry into `steps` (during the period) to the next entry into
    /// `then`.
    MeanDays,
}

/// One figure of the sources, how the simulation measures it, and the tolerance.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// What the figure is, in the source's words.
    #[serde(default)]
    pub description: Option<String>,
    /// How it is measured.
    pub measure: Node<Measure>,
    /// The steps it counts (`workflow.step`, or a bare id one workflow has).
    pub steps: Vec<Node<String>>,
    /// `followed_by`, `not_followed_by`, `mean_days`: the step that must follow.
    #[serde(default)]
    pub then: Vec<Node<String>>,
    /// `in_stay`, `max_in_stay`: the steps that end a stay.
    #[serde(default)]
    pub until: Vec<Node<String>>,
    /// `share_had`: the steps a case must have entered.
    #[serde(default)]
    pub had: Vec<Node<String>>,
    /// `share_of_entries`: the entries the share is of.
    #[serde(default)]
    pub of: Vec<Node<String>>,
    /// `followed_by`, `not_followed_by`: steps that end the wait for `then` (the entry is not
    /// counted).
    #[serde(default)]
    pub unless: Vec<Node<String>>,
    /// `followed_by`, `not_followed_by`: the time `then` must come within.
    #[serde(default)]
    pub within: Option<Node<Period>>,
    /// Only cases that started in this entry workflow.
    #[serde(default)]
    pub entry: Option<Node<String>>,
    /// Only cases whose data has these values (`orsak: arbetslos`).
    #[serde(default, rename = "where")]
    pub filter: serde_json::Map<String, serde_json::Value>,
    /// The period the figure describes: `2021`, `2021-09`, `2021-12-31`, or `FROM..TO`.
    pub period: Node<String>,
    /// The source's figure (a share as 0 to 1).
    pub value: Node<f64>,
    /// How far the simulated mean may lie from `value` (same unit).
    pub tolerance: Node<f64>,
    /// Where the figure comes from (`seed 000 l.169`), or `not in seed: assumption ...`.
    #[serde(default)]
    pub source: Option<String>,
}

/// `audit:` in municipality.yaml: the audit's questions and how the model answers them.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    /// The audit, as its title reads.
    #[serde(default)]
    pub title: Option<String>,
    /// Where the questions come from.
    #[serde(default)]
    pub source: Option<String>,
    /// The questions (revisionsfrågor, or the findings of an audit that states no questions),
    /// by id, in the audit's order.
    #[serde(default)]
    pub questions: Map<AuditQuestion>,
}

/// The auditors' assessment of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum AuditorAssessment {
    /// Met.
    Ja,
    /// Partly met.
    Delvis,
    /// Not met.
    Nej,
}

impl AuditorAssessment {
    /// The word the audit uses.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditorAssessment::Ja => "Ja",
            AuditorAssessment::Delvis => "Delvis",
            AuditorAssessment::Nej => "Nej",
        }
    }
}

/// One question of an audit.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditQuestion {
    /// The question (or finding) in the audit's words.
    pub question: String,
    /// The auditors' assessment, where the audit gives one.
    #[serde(default)]
    pub assessment: Option<Node<AuditorAssessment>>,
    /// What the auditors found, in their words.
    #[serde(default)]
    pub finding: Option<String>,
    /// The obligations (`obligations:` ids) whose verdicts answer the question in the model.
    #[serde(default)]
    pub obligations: Vec<Node<String>>,
    /// The validation figures (`validation.figures` ids) that bear on it, shown as evidence.
    #[serde(default)]
    pub figures: Vec<Node<String>>,
    /// Validation figures that measure how often the routine the question is about is
    /// followed (a share of occasions): when given, steg's assessment is read from their
    /// simulated values rather than from the obligations (docs/validation.md, "Audit").
    #[serde(default)]
    pub compliance: Vec<Node<String>>,
    /// Why the model cannot answer the question (it is about the nämnd's reporting, not about
    /// cases), when it cannot.
    #[serde(default)]
    pub not_modelled: Option<String>,
    /// Where the question, the assessment and the finding are in the source.
    #[serde(default)]
    pub source: Option<String>,
}

/// `rule.NAME` → `NAME`; anything else is an inline expression.
pub fn rule_name(condition: &str) -> Option<&str> {
    let name = condition.trim().strip_prefix("rule.")?;
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(name)
}

/// Whether `s` is an id as the language defines them: a lower-case ASCII letter, then
/// lower-case ASCII letters, digits and `_` (`beslut_4_4`). Keys of every mapping of names
/// (steps, roles, units, events, parameters, ...) and workflow ids must be ids.
pub fn is_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The id closest to `text`: lower case, `å`/`ä` → `a`, `ö` → `o`, other accents dropped,
/// anything else `_`; `None` when nothing of it is left.
pub fn id_like(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'a'..='z' | '0'..='9' | '_' => c,
            'å' | 'ä' | 'á' | 'à' | 'â' | 'æ' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' | 'ù' | 'û' => 'u',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            _ => '_',
        };
        if c == '_' && out.ends_with('_') {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_matches('_').to_string();
    is_id(&out).then_some(out)
}
