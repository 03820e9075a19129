//! A loaded municipality: the model read from its files together with its compiled rules. The
//! loader (`load`) produces it; everything above reads it.

use crate::diagnostic::FileId;
use crate::eval::{Params, RuleSet};
use crate::model::{MunicipalityFile, Workflow};
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
