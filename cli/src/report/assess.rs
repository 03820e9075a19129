//! The auditors' scale on the page: steg's assessments are the engine's (`steg_engine::assess`,
//! the same as `steg check --audit`); here only how each is marked.

pub use steg_engine::Assessment;

/// The CSS class of an assessment's mark.
pub fn class(a: Assessment) -> &'static str {
    match a {
        Assessment::Ja => "a-ja",
        Assessment::Delvis => "a-delvis",
        Assessment::Nej => "a-nej",
        Assessment::EjAvgjort => "a-ejavgjort",
    }
}

/// The auditors' word (`Ja`, `Delvis`, `Nej`) as an assessment.
pub fn from_word(word: &str) -> Option<Assessment> {
    match word {
        "Ja" => Some(Assessment::Ja),
        "Delvis" => Some(Assessment::Delvis),
        "Nej" => Some(Assessment::Nej),
        _ => None,
    }
}
