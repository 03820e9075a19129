//! The engine's modules form layers with no arrows running back up (ARCHITECTURE.md, "Layers").
//!
//! Reads `engine/src`, takes every `crate::MODULE` a module's code uses (comments and test
//! modules aside), and checks each use against the layer table below, which ARCHITECTURE.md
//! shows: a module may use only modules of lower layers. A new module must be placed in the
//! table; a use that runs upwards fails with the file that makes it.

use std::collections::BTreeMap;
use std::path::Path;

/// Each top-level module of `engine/src` with its layer, bottom first.
const LAYERS: &[(&str, u32)] = &[
    ("diagnostic", 0),
    ("duration", 0),
    ("validity", 0),
    ("xml", 0),
    ("codes", 1),
    ("model", 2),
    ("net", 2),
    ("eval", 3),
    ("municipality", 4),
    ("load", 5),
    ("graph", 5),
    ("ruletest", 5),
    ("causes", 6),
    ("ide", 6),
    ("semantics", 6),
    ("run", 7),
    ("soundness", 7),
    ("schema", 8),
    ("obligation", 8),
    ("sim", 9),
    ("check", 9),
    ("diff", 9),
    ("export", 9),
    ("import", 10),
    ("validate", 10),
    ("audit", 11),
    // Conformance of real logs reads XES with the import's XML reader.
    ("mining", 11),
    // The fuzz targets drive everything (tests and the `fuzz` feature only).
    ("fuzz", 12),
];

/// The `crate::NAME` modules the code of `path` (a file, or a folder of files) uses, with the
/// files that use each.
fn uses(path: &Path, module: &str, out: &mut BTreeMap<String, Vec<String>>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("a source folder") {
            uses(&entry.expect("an entry").path(), module, out);
        }
        return;
    }
    if path.extension().and_then(|e| e.to_str()) != Some("rs") {
        return;
    }
    let text = std::fs::read_to_string(path).expect("a source file");
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != module && name.chars().all(|c| !c.is_uppercase()) {
                out.entry(name)
                    .or_default()
                    .push(path.display().to_string());
            }
        }
    }
}

#[test]
fn no_module_uses_a_module_of_its_own_or_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let layer: BTreeMap<&str, u32> = LAYERS.iter().copied().collect();
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&src).expect("engine/src") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_stem()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if name == "lib" || name == "main" {
            continue;
        }
        let Some(&mine) = layer.get(name.as_str()) else {
            problems.push(format!("module `{name}` is not in the layer table"));
            continue;
        };
        let mut used = BTreeMap::new();
        uses(&path, &name, &mut used);
        for (other, files) in used {
            // A name that is not a module of `engine/src` is an item of the crate root
            // (`crate::check_models`, `crate::Duration`), not a layer of its own.
            let is_module = src.join(format!("{other}.rs")).is_file() || src.join(&other).is_dir();
            if !is_module {
                continue;
            }
            let Some(&theirs) = layer.get(other.as_str()) else {
                problems.push(format!(
                    "`{name}` uses `crate::{other}`, not in the layer table"
                ));
                continue;
            };
            if theirs >= mine {
                problems.push(format!(
                    "`{name}` (layer {mine}) uses `{other}` (layer {theirs}) in {}",
                    files.join(", ")
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
