//! A loaded municipality: the model read from its files together with its compiled rules. The
//! loader (`load`) produces it; everything above reads it.

use crate::diagnostic::FileId;
use crate::duration::{Duration, Period};
use crate::eval::{Params, RuleSet};
use crate::model::{MunicipalityFile, Value, Workflow};
use std::collections::HashMap;
use std::path::PathBuf;

/// A loaded municipality: its definition, workflows and rules.
#[derive(Debug)]
pub struct Municipality {
    /// Folder name, e.g. `lindesberg`.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
    /// `municipality.yaml`, when it could be read.
    pub def: Option<(FileId, MunicipalityFile)>,
    /// The workflows that could be read, in file-name order.
    pub workflows: Vec<Workflow>,
    /// The compiled rules.
    pub rules: RuleSet,
    /// Inline conditions, compiled, by their text.
    pub conditions: HashMap<String, rhai::AST>,
    /// The parameters of `municipality.yaml`, as rules see them.
    pub params: Params,
    /// Whether every file could be read. When not, reference checks are skipped: they would
    /// report names that are only missing because their file failed.
    pub complete: bool,
}

impl Municipality {
    /// The duration a period stands for: the one written, or the one the parameter it names
    /// holds (`params.plan_revidering` with `value: 3mo`). The error says why not, for a
    /// diagnostic at the period.
    pub fn period(&self, p: &Period) -> Result<Duration, String> {
        match p {
            Period::Fixed(d) => Ok(*d),
            Period::Param(name) => {
                let param = self
                    .def
                    .as_ref()
                    .and_then(|(_, d)| d.parameters.get(name))
                    .ok_or_else(|| format!("no parameter `{name}` in municipality.yaml"))?;
                match &param.value.value {
                    Value::Text(t) => t.parse::<Duration>().map_err(|e| {
                        format!("parameter `{name}` holds `{t}`, not a duration ({e})")
                    }),
                    other => Err(format!(
                        "parameter `{name}` holds {}, not a duration such as `3mo`",
                        match other {
                            Value::Bool(b) => format!("`{b}`"),
                            Value::Number(n) => format!("the number {n}"),
                            Value::Text(t) => format!("`{t}`"),
                        }
                    )),
                }
            }
        }
    }
}
