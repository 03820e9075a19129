//! From a verdict to an assessment on the auditors' scale: Ja, Delvis, Nej, or Ej avgjort.
//!
//! | in the model (static) | in the simulation | assessment |
//! |---|---|---|
//! | holds | not measured, or no case broke it | Ja |
//! | holds | some cases broke it | Delvis |
//! | broken (a path breaks it) | not measured | Nej |
//! | broken | broken in half of the cases or more | Nej |
//! | broken | broken in fewer than half (or none) | Delvis |
//! | cannot be shown | not measured | Ej avgjort |
//! | cannot be shown | no case broke it | Ja |
//! | cannot be shown | broken in half of the cases or more / fewer | Nej / Delvis |
//!
//! Half is this report's line between "not met" and "partly met"; the auditors draw theirs in
//! words, not figures. When the configuration states the audit's own questions, their
//! assessment is shown beside steg's.

use steg_engine::obligation::Status;

/// An assessment on the auditors' scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assessment {
    /// Met.
    Ja,
    /// Partly met.
    Delvis,
    /// Not met.
    Nej,
    /// steg cannot tell.
    EjAvgjort,
}

impl Assessment {
    /// The word on the page.
    pub fn label(self) -> &'static str {
        match self {
            Assessment::Ja => "Ja",
            Assessment::Delvis => "Delvis",
            Assessment::Nej => "Nej",
            Assessment::EjAvgjort => "Ej avgjort",
        }
    }

    /// The CSS class of its mark.
    pub fn class(self) -> &'static str {
        match self {
            Assessment::Ja => "a-ja",
            Assessment::Delvis => "a-delvis",
            Assessment::Nej => "a-nej",
            Assessment::EjAvgjort => "a-ejavgjort",
        }
    }
}

/// The assessment of an obligation with `status` in the model and `broken`, the share of
/// simulated cases that broke it (if measured).
pub fn assess(status: &Status, broken: Option<f64>) -> Assessment {
    let by_share = |s: f64| {
        if s >= 0.5 {
            Assessment::Nej
        } else if s > 0.0 {
            Assessment::Delvis
        } else {
            Assessment::Ja
        }
    };
    match (status, broken) {
        (Status::Holds, None) => Assessment::Ja,
        (Status::Holds, Some(s)) => {
            if s > 0.0 {
                Assessment::Delvis
            } else {
                Assessment::Ja
            }
        }
        (Status::Broken, None) => Assessment::Nej,
        (Status::Broken, Some(s)) => match by_share(s) {
            Assessment::Ja => Assessment::Delvis,
            a => a,
        },
        (Status::NotShown(_), None) => Assessment::EjAvgjort,
        (Status::NotShown(_), Some(s)) => by_share(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Assessment::*;

    #[test]
    fn every_row_of_the_table() {
        let not_shown = Status::NotShown("ingen timer".into());
        let table = [
            (Status::Holds, None, Ja),
            (Status::Holds, Some(0.0), Ja),
            (Status::Holds, Some(0.087), Delvis),
            (Status::Broken, None, Nej),
            (Status::Broken, Some(0.5), Nej),
            (Status::Broken, Some(0.2), Delvis),
            (Status::Broken, Some(0.0), Delvis),
            (not_shown.clone(), None, EjAvgjort),
            (not_shown.clone(), Some(0.0), Ja),
            (not_shown.clone(), Some(0.825), Nej),
            (not_shown, Some(0.1), Delvis),
        ];
        for (status, share, want) in table {
            assert_eq!(assess(&status, share), want, "{status:?} {share:?}");
        }
    }
}
