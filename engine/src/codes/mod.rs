//! The registry: every diagnostic's stable code, name, severity and documentation, one file per
//! code, in one table. Codes are never reused.
//!
//! `S`: reading files (syntax, fields, values, limits); `R`: rules; `G`: the workflow graph;
//! `N`: the soundness of an imported model's net.
//!
//! This module sits at the bottom of the engine: the loader, the rules layer and the checks all
//! emit these codes, and nothing here depends on them. The logic of a check is in `check/`.

macro_rules! declare_check {
    ($(#[doc = $doc:literal])+ $vis:vis static $id:ident = ($code:literal, $name:ident, $sev:ident);) => {
        $(#[doc = $doc])+
        $vis static $id: $crate::diagnostic::CheckInfo = $crate::diagnostic::CheckInfo {
            code: $code,
            name: stringify!($name),
            severity: $crate::diagnostic::Severity::$sev,
            doc: concat!($($doc, "\n"),+),
        };
    };
}

mod dead_end;
mod dead_transition;
mod decision_without_legal_basis;
mod duplicate_id;
mod duplicate_key;
mod end_has_transitions;
mod extends_cycle;
mod improper_completion;
mod improper_termination;
mod input_too_large;
mod invalid_model_file;
mod invalid_start;
mod invalid_value;
mod join_deadlock;
mod lost_event;
mod missing_else;
mod missing_follow_up;
mod missing_return_to_referrer;
mod missing_review;
mod net_cannot_complete;
mod no_path_to_end;
mod referral_never_returns;
mod removed_step_still_used;
mod rule_failed;
mod rule_syntax;
mod rule_test_failed;
mod soundness_not_decided;
mod state_space_too_large;
mod step_kind_mismatch;
mod step_never_executed;
mod timer_restarted;
mod undelivered_event;
mod unknown_field;
mod unknown_reference;
mod unreachable_step;
mod unsupported_element;
mod unsynchronised_branches;
mod untested_rule;
mod unused_parameter;
mod unused_rule;
mod version_conflict;
mod yaml_syntax;

use crate::diagnostic::CheckInfo;

pub use dead_end::DEAD_END;
pub use dead_transition::DEAD_TRANSITION;
pub use decision_without_legal_basis::DECISION_WITHOUT_LEGAL_BASIS;
pub use duplicate_id::DUPLICATE_ID;
pub use duplicate_key::DUPLICATE_KEY;
pub use end_has_transitions::END_HAS_TRANSITIONS;
pub use extends_cycle::EXTENDS_CYCLE;
pub use improper_completion::IMPROPER_COMPLETION;
pub use improper_termination::IMPROPER_TERMINATION;
pub use input_too_large::INPUT_TOO_LARGE;
pub use invalid_model_file::INVALID_MODEL_FILE;
pub use invalid_start::INVALID_START;
pub use invalid_value::INVALID_VALUE;
pub use join_deadlock::JOIN_DEADLOCK;
pub use lost_event::LOST_EVENT;
pub use missing_else::MISSING_ELSE;
pub use missing_follow_up::MISSING_FOLLOW_UP;
pub use missing_return_to_referrer::MISSING_RETURN_TO_REFERRER;
pub use missing_review::MISSING_REVIEW;
pub use net_cannot_complete::NET_CANNOT_COMPLETE;
pub use no_path_to_end::NO_PATH_TO_END;
pub use referral_never_returns::REFERRAL_NEVER_RETURNS;
pub use removed_step_still_used::REMOVED_STEP_STILL_USED;
pub use rule_failed::RULE_FAILED;
pub use rule_syntax::RULE_SYNTAX;
pub use rule_test_failed::RULE_TEST_FAILED;
pub use soundness_not_decided::SOUNDNESS_NOT_DECIDED;
pub use state_space_too_large::STATE_SPACE_TOO_LARGE;
pub use step_kind_mismatch::STEP_KIND_MISMATCH;
pub use step_never_executed::STEP_NEVER_EXECUTED;
pub use timer_restarted::TIMER_RESTARTED;
pub use undelivered_event::UNDELIVERED_EVENT;
pub use unknown_field::UNKNOWN_FIELD;
pub use unknown_reference::UNKNOWN_REFERENCE;
pub use unreachable_step::UNREACHABLE_STEP;
pub use unsupported_element::UNSUPPORTED_ELEMENT;
pub use unsynchronised_branches::UNSYNCHRONISED_BRANCHES;
pub use untested_rule::UNTESTED_RULE;
pub use unused_parameter::UNUSED_PARAMETER;
pub use unused_rule::UNUSED_RULE;
pub use version_conflict::VERSION_CONFLICT;
pub use yaml_syntax::YAML_SYNTAX;

/// Every check, ordered by code.
pub static ALL: &[&CheckInfo] = &[
    &YAML_SYNTAX,
    &UNKNOWN_FIELD,
    &INVALID_VALUE,
    &INPUT_TOO_LARGE,
    &UNSUPPORTED_ELEMENT,
    &INVALID_MODEL_FILE,
    &DUPLICATE_KEY,
    &RULE_SYNTAX,
    &UNUSED_RULE,
    &RULE_FAILED,
    &RULE_TEST_FAILED,
    &VERSION_CONFLICT,
    &UNTESTED_RULE,
    &UNUSED_PARAMETER,
    &UNKNOWN_REFERENCE,
    &DUPLICATE_ID,
    &INVALID_START,
    &UNREACHABLE_STEP,
    &DEAD_END,
    &NO_PATH_TO_END,
    &END_HAS_TRANSITIONS,
    &DECISION_WITHOUT_LEGAL_BASIS,
    &REFERRAL_NEVER_RETURNS,
    &STEP_KIND_MISMATCH,
    &MISSING_ELSE,
    &MISSING_FOLLOW_UP,
    &MISSING_REVIEW,
    &MISSING_RETURN_TO_REFERRER,
    &UNDELIVERED_EVENT,
    &JOIN_DEADLOCK,
    &IMPROPER_COMPLETION,
    &STEP_NEVER_EXECUTED,
    &STATE_SPACE_TOO_LARGE,
    &REMOVED_STEP_STILL_USED,
    &EXTENDS_CYCLE,
    &LOST_EVENT,
    &UNSYNCHRONISED_BRANCHES,
    &TIMER_RESTARTED,
    &NET_CANNOT_COMPLETE,
    &IMPROPER_TERMINATION,
    &DEAD_TRANSITION,
    &SOUNDNESS_NOT_DECIDED,
];

/// The check with this code (`G005`) or name (`DeadEnd`, `dead-end`), case-insensitive.
pub fn find(code_or_name: &str) -> Option<&'static CheckInfo> {
    let wanted: String = code_or_name
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .collect::<String>()
        .to_lowercase();
    ALL.iter()
        .copied()
        .find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name.to_lowercase() == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_sorted_within_their_letter() {
        let mut seen = std::collections::HashSet::new();
        for c in ALL {
            assert!(seen.insert(c.code), "{} used twice", c.code);
        }
    }

    #[test]
    fn every_check_is_documented_under_the_fixed_headings() {
        for c in ALL {
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
            ] {
                assert!(
                    c.doc.contains(heading),
                    "{} ({}) lacks {heading}",
                    c.code,
                    c.name
                );
            }
        }
    }

    #[test]
    fn names_describe_the_bad_pattern_not_a_prohibition() {
        for c in ALL {
            assert!(
                !c.name.starts_with("Disallow") && !c.name.starts_with("No")
                    || c.name == "NoPathToEnd",
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn find_accepts_codes_and_names() {
        assert_eq!(find("g005").map(|c| c.name), Some("DeadEnd"));
        assert_eq!(find("dead-end").map(|c| c.code), Some("G005"));
        assert_eq!(find("DeadEnd").map(|c| c.code), Some("G005"));
        assert!(find("X999").is_none());
    }
}
