//! Every check against its fixtures: `tests/fixtures/<check_name>/valid/` must be clean and each
//! `invalid_<what>/` must give the check's diagnostic at the bad node, as the table below says.
//!
//! A fixture folder is a small municipality. The table is the single list of expectations; the
//! tests also walk the folders, so a fixture without a row, a row without a fixture, or a
//! registered check without fixtures fails.

use crate::support::{fixtures, listing, snapshot, steg, Diag};
use std::collections::BTreeSet;
use std::path::Path;
use steg_engine::{codes, Severity};

/// What one `invalid_*` fixture must produce.
struct Case {
    /// `<check folder>/<invalid_* folder>` under `tests/fixtures`.
    fixture: &'static str,
    /// The code the fixture is about.
    code: &'static str,
    /// Where its diagnostic must be: `file:line:column`, the file relative to the fixture.
    at: &'static str,
    /// The step it must name (`workflow.step`), for checks about a step.
    step: Option<&'static str>,
    /// The exact help text, where it carries a suggestion.
    help: Option<&'static str>,
    /// Other codes this fixture cannot avoid producing (consequences of the same mistake).
    also: &'static [&'static str],
    /// A known engine bug makes this row fail today; the test fails once it passes, so the
    /// marker is removed together with the fix.
    bug: Option<&'static str>,
    /// The exit code, when not 1 for an error and 0 otherwise (1: a model not decided).
    exit: Option<i32>,
}

const fn case(fixture: &'static str, code: &'static str, at: &'static str) -> Case {
    Case {
        fixture,
        code,
        at,
        step: None,
        help: None,
        also: &[],
        bug: None,
        exit: None,
    }
}

impl Case {
    const fn step(mut self, step: &'static str) -> Self {
        self.step = Some(step);
        self
    }
    const fn help(mut self, help: &'static str) -> Self {
        self.help = Some(help);
        self
    }
    const fn also(mut self, codes: &'static [&'static str]) -> Self {
        self.also = codes;
        self
    }
    #[allow(dead_code)] // no known bug today; the marker is kept for the next one
    const fn bug(mut self, why: &'static str) -> Self {
        self.bug = Some(why);
        self
    }
    const fn exit(mut self, code: i32) -> Self {
        self.exit = Some(code);
        self
    }
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    // S001 YamlSyntax
    case("yaml_syntax/invalid_stray_colon", "S001", "ekonomiskt_bistand.yaml:5:57"),
    case("yaml_syntax/invalid_indentation", "S001", "ekonomiskt_bistand.yaml:5:5"),
    case("yaml_syntax/invalid_municipality_file", "S001", "municipality.yaml:5:4"),
    case("yaml_syntax/invalid_unclosed_bracket", "S001", "ekonomiskt_bistand.yaml:4:36"),
    case("yaml_syntax/invalid_truncated", "S001", "ekonomiskt_bistand.yaml:5:14"),
    case("yaml_syntax/invalid_tab_indent", "S001", "ekonomiskt_bistand.yaml:5:2"),
    case("yaml_syntax/invalid_unknown_alias", "S001", "ekonomiskt_bistand.yaml:5:64"),
    // S002 UnknownField
    case("unknown_field/invalid_step_field", "S002", "ekonomiskt_bistand.yaml:5:42").help("did you mean `next`?"),
    case("unknown_field/invalid_transition_field", "S002", "ekonomiskt_bistand.yaml:11:11").help("did you mean `when`?"),
    case("unknown_field/invalid_municipality_field", "S002", "municipality.yaml:5:1").help("did you mean `roles`?"),
    // Regression: the last allowed field once kept the error's location suffix in the
    // suggestion (`did you mean `outcome at line 5`?`).
    case("unknown_field/invalid_last_field_typo", "S002", "ekonomiskt_bistand.yaml:5:24").help("did you mean `outcome`?"),
    // S003 InvalidValue
    case("invalid_value/invalid_duration", "S003", "ekonomiskt_bistand.yaml:5:50").help("did you mean `3mo`?"),
    case("invalid_value/invalid_kind", "S003", "ekonomiskt_bistand.yaml:5:23").help("did you mean `decision`?"),
    case("invalid_value/invalid_list_for_name", "S003", "ekonomiskt_bistand.yaml:5:23"),
    case("invalid_value/invalid_trigger", "S003", "ekonomiskt_bistand.yaml:8:58").step("ekonomiskt_bistand.komplettering"),
    case("invalid_value/invalid_missing_workflow_id", "S003", "ekonomiskt_bistand.yaml:1:1"),
    // S004 InputTooLarge
    case("input_too_large/invalid_alias_bomb", "S004", "ekonomiskt_bistand.yaml:15:45"),
    case("input_too_large/invalid_deep_nesting", "S004", "ekonomiskt_bistand.yaml:9:43"),
    // S005 UnsupportedElement: model files (`steg check` imports them in memory)
    // An approximation leaves the model's verdict open: `not decided`, exit 1.
    case("unsupported_element/invalid_inclusive_gateway", "S005", "model.bpmn:9:5").exit(1),
    // S006 InvalidModelFile
    case("invalid_model_file/invalid_entity_bomb", "S006", "model.bpmn:3:1"),
    case("invalid_model_file/invalid_unknown_namespace", "S006", "model.bpmn:3:1"),
    case("invalid_model_file/invalid_dangling_flow", "S006", "model.bpmn:9:5"),
    case("invalid_model_file/invalid_malformed", "S006", "model.pnml:8:5"),
    // S007 DuplicateKey: at the repeated key. A second `steps:` block is not read, so what its
    // steps were for is also missing (its steps are unknown).
    case("duplicate_key/invalid_step_key", "S007", "ekonomiskt_bistand.yaml:5:60").step("ekonomiskt_bistand.utredning"),
    case("duplicate_key/invalid_top_level_key", "S007", "ekonomiskt_bistand.yaml:13:1").also(&["G001", "G006"]),
    // R001 RuleSyntax
    case("rule_syntax/invalid_rule_file", "R001", "rules/narvaro.rhai:4:1"),
    case("rule_syntax/invalid_inline_condition", "R001", "ekonomiskt_bistand.yaml:8:34"),
    // R002 UnusedRule
    case("unused_rule/invalid_unused", "R002", "rules/invalid_unused/ame.rhai:6:4"),
    // R003 RuleFailed: found by running the rule tests, once per failing test
    case("rule_failed/invalid_misspelt_field", "R003", "rules/ame.rhai:3:11"),
    case("rule_failed/invalid_endless_loop", "R003", "rules/ame.rhai:2:4"),
    case("rule_failed/invalid_endless_recursion", "R003", "rules/ame.rhai:2:4"),
    case("rule_failed/invalid_huge_string", "R003", "rules/ame.rhai:2:4"),
    case("rule_failed/invalid_type_error", "R003", "rules/ame.rhai:3:41"),
    // R004 RuleTestFailed
    case("rule_test_failed/invalid_wrong_expectation", "R004", "rules/ame.test.yaml:9:13"),
    // R005 VersionConflict
    case("version_conflict/invalid_rule_overlap", "R005", "rules/norm_2022.rhai:3:4"),
    case("version_conflict/invalid_table_gap", "R005", "rules/riksnorm.table.yaml:6:19"),
    case("version_conflict/invalid_date", "R005", "rules/riksnorm.table.yaml:6:19"),
    // R006 UntestedRule
    case("untested_rule/invalid_no_test", "R006", "rules/ame.rhai:2:4"),
    case("untested_rule/invalid_test_of_another_rule", "R006", "rules/ame.rhai:2:4").also(&["R002"]),
    // R007 UnusedParameter: a deadline written with the number, the parameter named only in a
    // comment.
    case("unused_parameter/invalid_unused", "R007", "municipality.yaml:7:3"),
    // G001 UnknownReference: every kind of name
    case("unknown_reference/invalid_step", "G001", "ekonomiskt_bistand.yaml:16:17")
        .step("ekonomiskt_bistand.beslut_4_4").help("did you mean `avslut`?"),
    case("unknown_reference/invalid_rule", "G001", "ekonomiskt_bistand.yaml:15:17")
        .step("ekonomiskt_bistand.beslut_4_4").help("did you mean `arbetsformaga_minst_25`?"),
    case("unknown_reference/invalid_role", "G001", "ekonomiskt_bistand.yaml:7:12")
        .step("ekonomiskt_bistand.utredning").help("did you mean `socialsekreterare`?"),
    case("unknown_reference/invalid_unit", "G001", "municipality.yaml:9:72").help("did you mean `arbetsmarknadsenheten`?"),
    case("unknown_reference/invalid_workflow", "G001", "ekonomiskt_bistand.yaml:20:27")
        .step("ekonomiskt_bistand.anvisning_ame")
        .help("the workflows defined in this folder are: `ame`, `ekonomiskt_bistand`"),
    case("unknown_reference/invalid_event", "G001", "ame.yaml:9:18").step("ame.insats").help("did you mean `franvaro_rapporterad`?"),
    case("unknown_reference/invalid_outcome", "G001", "ekonomiskt_bistand.yaml:22:7")
        .step("ekonomiskt_bistand.anvisning_ame").help("did you mean `aterremitterad`?"),
    case("unknown_reference/invalid_deadline_from", "G001", "ekonomiskt_bistand.yaml:8:36")
        .step("ekonomiskt_bistand.utredning").help("did you mean `ansokan`?"),
    case("unknown_reference/invalid_rule_folder", "G001", "municipality.yaml:2:16"),
    case("unknown_reference/invalid_obligation_step", "G001", "municipality.yaml:17:12").help("did you mean `ekonomiskt_bistand.anvisning_ame`?"),
    // G002 DuplicateId
    case("duplicate_id/invalid_step", "G002", "ekonomiskt_bistand.yaml:6:3"),
    case("duplicate_id/invalid_role", "G002", "municipality.yaml:9:3"),
    case("duplicate_id/invalid_workflow", "G002", "ekonomiskt_bistand_kopia.yaml:1:11"),
    // Two undated versions of a rule are also reported as overlapping versions.
    case("duplicate_id/invalid_rule", "G002", "rules/coaching.rhai:1:4"),
    // G003 InvalidStart
    case("invalid_start/invalid_missing", "G003", "ame.yaml:1:11").help("add `start: inskrivning` (or whichever step cases enter at)"),
    case("invalid_start/invalid_unknown_step", "G003", "ame.yaml:2:8").help("did you mean `inskrivning`?"),
    case("invalid_start/invalid_no_steps", "G003", "ame.yaml:1:11"),
    // G004 UnreachableStep
    case("unreachable_step/invalid_orphan_step", "G004", "ekonomiskt_bistand.yaml:6:3").step("ekonomiskt_bistand.handlingsplan"),
    case("unreachable_step/invalid_workflow_never_entered", "G004", "ame.yaml:4:3").step("ame.inskrivning"),
    // G005 DeadEnd
    case("dead_end/invalid_task", "G005", "ekonomiskt_bistand.yaml:22:3").step("ekonomiskt_bistand.kartlaggning"),
    case("dead_end/invalid_wait", "G005", "ekonomiskt_bistand.yaml:11:3").step("ekonomiskt_bistand.komplettering"),
    case("dead_end/invalid_referral", "G005", "ekonomiskt_bistand.yaml:16:3").step("ekonomiskt_bistand.anmalan_af"),
    // G006 NoPathToEnd
    case("no_path_to_end/invalid_loop", "G006", "ame.yaml:10:3").step("ame.insats"),
    case("no_path_to_end/invalid_no_end_step", "G006", "ame.yaml:4:3").step("ame.inskrivning")
        .help("workflow `ame` has no `kind: end` step; add one and a transition to it"),
    // G007 EndHasTransitions
    case("end_has_transitions/invalid_next", "G007", "ame.yaml:5:57").step("ame.avslut").also(&["G004"]),
    // G008 DecisionWithoutLegalBasis
    case("decision_without_legal_basis/invalid_missing", "G008", "ekonomiskt_bistand.yaml:5:3").step("ekonomiskt_bistand.beslut_4_4"),
    case("decision_without_legal_basis/invalid_empty", "G008", "ekonomiskt_bistand.yaml:5:3").step("ekonomiskt_bistand.beslut_4_4"),
    // G009 ReferralNeverReturns: a referral that never gets an answer also traps the referring
    // workflow (G006) and cuts off what its answers lead to (G004), so it never comes alone.
    case("referral_never_returns/invalid_unexpected_outcome", "G009", "ekonomiskt_bistand.yaml:8:27")
        .step("ekonomiskt_bistand.anvisning_ame").also(&["G001", "G004", "G006"]),
    case("referral_never_returns/invalid_never_ends", "G009", "ekonomiskt_bistand.yaml:8:27")
        .step("ekonomiskt_bistand.anvisning_ame").also(&["G004", "G006"]),
    // G010 StepKindMismatch
    case("step_kind_mismatch/invalid_else_not_last", "G010", "ekonomiskt_bistand.yaml:7:9").step("ekonomiskt_bistand.utredning"),
    case("step_kind_mismatch/invalid_on_without_wait", "G010", "ekonomiskt_bistand.yaml:13:44").step("ekonomiskt_bistand.ame_spar"),
    case("step_kind_mismatch/invalid_end_without_outcome", "G010", "ekonomiskt_bistand.yaml:18:3").step("ekonomiskt_bistand.avslag"),
    case("step_kind_mismatch/invalid_fork_one_branch", "G010", "ekonomiskt_bistand.yaml:9:3").step("ekonomiskt_bistand.beslut"),
    case("step_kind_mismatch/invalid_conditional_fork_branch", "G010", "ekonomiskt_bistand.yaml:9:45").step("ekonomiskt_bistand.beslut"),
    case("step_kind_mismatch/invalid_outcome_on_task", "G010", "ekonomiskt_bistand.yaml:10:53").step("ekonomiskt_bistand.manadscykel"),
    case("step_kind_mismatch/invalid_referral_without_refer_to", "G010", "ekonomiskt_bistand.yaml:10:3").step("ekonomiskt_bistand.manadscykel"),
    // G011 MissingElse
    case("missing_else/invalid_only_conditions", "G011", "ekonomiskt_bistand.yaml:4:3").step("ekonomiskt_bistand.bedomning"),
    // G012 MissingFollowUp: obligations `{ after: A, then: B, within: D }`, at the obligation
    case("missing_follow_up/invalid_ends_without", "G012", "municipality.yaml:14:3").step("ekonomiskt_bistand.plan"),
    case("missing_follow_up/invalid_too_late", "G012", "municipality.yaml:14:3").step("ekonomiskt_bistand.plan"),
    case("missing_follow_up/invalid_no_such_step", "G012", "municipality.yaml:14:3").step("ekonomiskt_bistand.ansokan"),
    // G013 MissingReview
    case("missing_review/invalid_no_route", "G013", "municipality.yaml:15:3").step("ekonomiskt_bistand.uppfoljning"),
    case("missing_review/invalid_too_rare", "G013", "municipality.yaml:14:3").step("ekonomiskt_bistand.uppfoljning"),
    // G014 MissingReturnToReferrer
    case("missing_return_to_referrer/invalid_unmapped_answer", "G014", "municipality.yaml:16:3").step("ekonomiskt_bistand.anvisning"),
    case("missing_return_to_referrer/invalid_answer_ends_case", "G014", "municipality.yaml:16:3").step("ekonomiskt_bistand.avbrutet"),
    // G015 UndeliveredEvent
    case("undelivered_event/invalid_no_receiver", "G015", "municipality.yaml:17:3").step("ekonomiskt_bistand.rapport"),
    case("undelivered_event/invalid_not_handed_over", "G015", "municipality.yaml:17:3").step("ekonomiskt_bistand.insats").also(&["G022"]),
    // G016 JoinDeadlock: a branch that ends instead of reaching the join also ends the case early
    case("join_deadlock/invalid_branch_skips_join", "G016", "ekonomiskt_bistand.yaml:14:3").step("ekonomiskt_bistand.avslut").also(&["G017"]),
    // Two branches from one input of a join never count as the branch of another input.
    case("join_deadlock/invalid_two_from_one_input", "G016", "ekonomiskt_bistand.yaml:16:3").step("ekonomiskt_bistand.samman").also(&["G018", "G023"]),
    case("lost_event/invalid_after_cycle_ended", "G022", "ekonomiskt_bistand.yaml:22:3").step("ekonomiskt_bistand.franvaro"),
    case("timer_restarted/invalid_every_restarts_after", "G024", "ame.yaml:10:18").step("ame.insats"),
    case("unsynchronised_branches/invalid_branches_meet_in_task", "G023", "ekonomiskt_bistand.yaml:9:3").step("ekonomiskt_bistand.beslut").also(&["G017"]),
    // G017 ImproperCompletion
    case("improper_completion/invalid_end_without_join", "G017", "ekonomiskt_bistand.yaml:7:3").step("ekonomiskt_bistand.manad_slut"),
    // G018 StepNeverExecuted: the join a choice leads into waits for ever, so what follows never runs
    case("step_never_executed/invalid_choice_into_join", "G018", "ekonomiskt_bistand.yaml:12:3").step("ekonomiskt_bistand.klar").also(&["G016"]),
    // G019 StateSpaceTooLarge: six parallel branches of seven steps, 8^6 markings
    case("state_space_too_large/invalid_many_branches", "G019", "ekonomiskt_bistand.yaml:5:11"),
    // G020 RemovedStepStillUsed: at the `remove:` entry of the override, the use in the base
    case("removed_step_still_used/invalid_removed_target", "G020", "ekonomiskt_bistand.yaml:3:10").step("ekonomiskt_bistand.utredning"),
    case("removed_step_still_used/invalid_removed_start", "G020", "ekonomiskt_bistand.yaml:3:10"),
    // G021 ExtendsCycle: at the `extends:` that closes the circle
    case("extends_cycle/invalid_cycle", "G021", "base/municipality.yaml:3:10"),
    // N001 NetCannotComplete: PNML nets, decided as written
    case("net_cannot_complete/invalid_deadlock", "N001", "model.pnml:18:7").step("ansokan.j"),
    case("net_cannot_complete/invalid_livelock", "N001", "model.pnml:9:7").step("ansokan.r"),
    // N002 ImproperTermination
    case("improper_termination/invalid_tokens_left_behind", "N002", "model.pnml:9:7").step("insats.o"),
    case("improper_termination/invalid_lack_of_synchronisation", "N002", "model.pnml:10:9").step("insats.m").also(&["S005"]),
    case("improper_termination/invalid_unbounded", "N002", "model.pnml:8:7").step("insats.uppfoljning"),
    // N003 DeadTransition
    case("dead_transition/invalid_unmarked_input", "N003", "model.pnml:13:7").step("arende.arkivera").also(&["S005"]),
    // N004 SoundnessNotDecided
    case("soundness_not_decided/invalid_inhibitor_arc", "N004", "model.pnml:16:7").also(&["S005"]),
    case("soundness_not_decided/invalid_no_final_marking", "N004", "model.pnml:4:3").also(&["S005"]),
    case("soundness_not_decided/invalid_state_space", "N004", "model.pnml:4:3").also(&["S005"]),
];

/// `DeadEnd` → `dead_end`: the fixture folder of a check.
fn folder_of(name: &str) -> String {
    let mut s = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                s.push('_');
            }
            s.push(c.to_ascii_lowercase());
        } else {
            s.push(c);
        }
    }
    s
}

fn severity(code: &str) -> Severity {
    codes::find(code)
        .unwrap_or_else(|| panic!("`{code}` is not a registered check"))
        .severity
}

/// `(check folder, fixture folder)` of every fixture on disk, sorted.
fn fixture_dirs() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for check in std::fs::read_dir(fixtures()).expect("tests/fixtures exists") {
        let check = check.expect("read tests/fixtures");
        if !check.path().is_dir() {
            continue;
        }
        for f in std::fs::read_dir(check.path()).expect("read a check folder") {
            let f = f.expect("read a check folder");
            if f.path().is_dir() {
                out.push((
                    check.file_name().to_string_lossy().into_owned(),
                    f.file_name().to_string_lossy().into_owned(),
                ));
            }
        }
    }
    out.sort();
    out
}

/// Run `steg check --format json` on a fixture, from its check folder so paths are short.
fn check_json(check: &str, name: &str) -> (i32, Vec<Diag>) {
    let run = steg(
        &fixtures().join(check),
        &["check", "--format", "json", name],
    );
    assert_eq!(
        run.stderr, "",
        "`steg check {check}/{name}` wrote to stderr"
    );
    (run.code, run.json())
}

/// Everything wrong with one row, or nothing.
fn problems(case: &Case) -> Vec<String> {
    let (check, name) = case.fixture.split_once('/').expect("fixture is CHECK/NAME");
    let (exit, diags) = check_json(check, name);
    let mut problems = Vec::new();

    let errors = std::iter::once(case.code)
        .chain(case.also.iter().copied())
        .any(|c| severity(c) == Severity::Error);
    let want_exit = case.exit.unwrap_or(i32::from(errors));
    if exit != want_exit {
        problems.push(format!("exit code {exit}, expected {want_exit}"));
    }

    let want_at = format!("{name}/{}", case.at);
    let primary = diags
        .iter()
        .find(|d| d.code == case.code && d.at() == want_at);
    match primary {
        None => problems.push(format!("no {} at {want_at}", case.code)),
        Some(d) => {
            let info = codes::find(case.code).expect("registered");
            if d.name != info.name || d.severity != info.severity.to_string() {
                problems.push(format!(
                    "{} named `{}` ({}), expected `{}` ({})",
                    d.code, d.name, d.severity, info.name, info.severity
                ));
            }
            if case.step.is_some() && d.step.as_deref() != case.step {
                problems.push(format!("step {:?}, expected {:?}", d.step, case.step));
            }
            if case.help.is_some() && d.help.as_deref() != case.help {
                problems.push(format!("help {:?}, expected {:?}", d.help, case.help));
            }
        }
    }

    let allowed: BTreeSet<&str> = std::iter::once(case.code)
        .chain(case.also.iter().copied())
        .collect();
    let found: BTreeSet<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    let stray: Vec<&&str> = found.difference(&allowed).collect();
    if !stray.is_empty() {
        problems.push(format!("unexpected codes {stray:?}"));
    }
    let missing: Vec<&&str> = allowed.difference(&found).collect();
    if !missing.is_empty() {
        problems.push(format!("codes listed in `also` but not found: {missing:?}"));
    }

    if !problems.is_empty() {
        problems.push(format!("diagnostics:\n{}", listing(&diags)));
    }
    problems
}

#[test]
fn every_invalid_fixture_gives_its_diagnostic_at_the_bad_node() {
    let mut failures = Vec::new();
    for case in CASES {
        let problems = problems(case);
        match (case.bug, problems.is_empty()) {
            (None, false) => {
                failures.push(format!("{}:\n  {}", case.fixture, problems.join("\n  ")))
            }
            (Some(bug), true) => failures.push(format!(
                "{}: passes now; remove its `.bug(\"{bug}\")` marker",
                case.fixture
            )),
            (Some(bug), false) => eprintln!("known bug, still failing: {}: {bug}", case.fixture),
            (None, true) => {}
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn every_valid_fixture_is_clean() {
    let mut failures = Vec::new();
    for (check, name) in fixture_dirs().iter().filter(|(_, n)| n == "valid") {
        let (exit, diags) = check_json(check, name);
        if exit != 0 || !diags.is_empty() {
            failures.push(format!("{check}/valid: exit {exit}\n{}", listing(&diags)));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn human_rendering_of_every_invalid_fixture() {
    for case in CASES {
        let (check, name) = case.fixture.split_once('/').expect("fixture is CHECK/NAME");
        let run = steg(&fixtures().join(check), &["check", name]);
        assert!(
            case.bug.is_some() || run.stdout.contains(&format!("{}(", case.code)),
            "{}: the human output lacks {}:\n{}",
            case.fixture,
            case.code,
            run.stdout
        );
        snapshot("checks", &case.fixture.replace('/', "__"), &run);
    }
}

#[test]
fn every_registered_check_has_a_valid_and_an_invalid_fixture() {
    let dirs = fixture_dirs();
    let mut failures = Vec::new();
    for c in codes::ALL {
        let folder = folder_of(c.name);
        if !dirs.iter().any(|(ch, n)| *ch == folder && n == "valid") {
            failures.push(format!(
                "{} {}: no tests/fixtures/{folder}/valid/",
                c.code, c.name
            ));
        }
        let rows = CASES
            .iter()
            .filter(|k| k.code == c.code && k.fixture.starts_with(&format!("{folder}/")))
            .count();
        if rows == 0 {
            failures.push(format!(
                "{} {}: no tests/fixtures/{folder}/invalid_*/ in the table",
                c.code, c.name
            ));
        }
    }
    for (check, _) in &dirs {
        if !codes::ALL.iter().any(|c| folder_of(c.name) == *check) {
            failures.push(format!(
                "tests/fixtures/{check}/ is not the folder of any registered check"
            ));
        }
    }
    failures.dedup();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_table_and_the_fixture_folders_agree() {
    let on_disk: BTreeSet<String> = fixture_dirs()
        .into_iter()
        .filter(|(_, n)| n != "valid")
        .map(|(c, n)| format!("{c}/{n}"))
        .collect();
    for f in &on_disk {
        assert!(
            f.split_once('/')
                .is_some_and(|(_, n)| n.starts_with("invalid_")),
            "tests/fixtures/{f}: fixture folders are `valid` or `invalid_<what>`"
        );
    }
    let in_table: BTreeSet<String> = CASES.iter().map(|c| c.fixture.to_string()).collect();
    assert_eq!(
        in_table.len(),
        CASES.len(),
        "a fixture is listed twice in CASES"
    );
    let unlisted: Vec<_> = on_disk.difference(&in_table).collect();
    let missing: Vec<_> = in_table.difference(&on_disk).collect();
    assert!(
        unlisted.is_empty(),
        "fixtures without a row in CASES: {unlisted:?}"
    );
    assert!(
        missing.is_empty(),
        "rows in CASES without a fixture folder: {missing:?}"
    );
    for case in CASES {
        let file = case.at.split(':').next().expect("at is FILE:LINE:COLUMN");
        let path = fixtures().join(case.fixture).join(file);
        assert!(
            Path::new(&path).is_file(),
            "{}: `{file}` does not exist",
            case.fixture
        );
    }
}

#[test]
fn folder_names_follow_the_check_names() {
    assert_eq!(folder_of("DeadEnd"), "dead_end");
    assert_eq!(
        folder_of("DecisionWithoutLegalBasis"),
        "decision_without_legal_basis"
    );
    assert_eq!(folder_of("YamlSyntax"), "yaml_syntax");
}
