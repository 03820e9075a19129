//! The documentation matches the tool: the language reference covers every field the JSON
//! Schemas accept, its examples are read and run by steg, every README command runs as written
//! and exits as documented, and the README's sample output is what steg prints.

use crate::support::{copy_dir, root, steg, Run};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// The text of the section of `doc` under the heading that starts with `heading`, up to the
/// next heading of the same or a higher level.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc
        .find(&format!("\n{heading}"))
        .unwrap_or_else(|| panic!("docs have no section `{heading}`"))
        + 1;
    let level = heading.chars().take_while(|c| *c == '#').count();
    let rest = &doc[start + heading.len()..];
    let end = rest
        .match_indices("\n#")
        .find(|(i, _)| {
            let hashes = rest[i + 1..].chars().take_while(|c| *c == '#').count();
            hashes <= level && rest[i + 1 + hashes..].starts_with(' ')
        })
        .map_or(rest.len(), |(i, _)| i);
    &doc[start..start + heading.len() + end]
}

/// Whether `text` names the field `name`: as `` `name` `` or as a key `name:`.
fn names(text: &str, name: &str) -> bool {
    text.contains(&format!("`{name}`"))
        || text.match_indices(&format!("{name}:")).any(|(i, _)| {
            !text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// Every property a schema accepts, with the section of the docs it belongs in: `simulation`
/// for what is under `simulation:`, otherwise `default`.
fn fields(schema: &Value, default: &'static str, out: &mut BTreeSet<(String, &'static str)>) {
    fn walk(
        v: &Value,
        root: &Value,
        section: &'static str,
        seen: &mut BTreeSet<(String, &'static str)>,
        out: &mut BTreeSet<(String, &'static str)>,
    ) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    let name = r.trim_start_matches("#/$defs/").to_string();
                    if seen.insert((name.clone(), section)) {
                        walk(&root["$defs"][&name], root, section, seen, out);
                    }
                }
                if let Some(Value::Object(props)) = map.get("properties") {
                    for (name, sub) in props {
                        out.insert((name.clone(), section));
                        let inner = if name == "simulation" {
                            "simulation"
                        } else {
                            section
                        };
                        walk(sub, root, inner, seen, out);
                    }
                }
                for (k, sub) in map {
                    if k != "properties" && k != "$defs" {
                        walk(sub, root, section, seen, out);
                    }
                }
            }
            Value::Array(items) => {
                for i in items {
                    walk(i, root, section, seen, out);
                }
            }
            _ => {}
        }
    }
    walk(schema, schema, default, &mut BTreeSet::new(), out);
}

/// Every field of municipality.yaml, workflow files and scenarios is in docs/language.md; what
/// belongs to `simulation:` is in its section, and the scenario's fields in theirs. A field
/// added to the language without its documentation fails here.
#[test]
fn the_language_reference_covers_every_field_the_schemas_accept() {
    let doc = read("docs/language.md");
    let mut all = BTreeSet::new();
    fields(&steg_engine::municipality_schema(), "language", &mut all);
    fields(&steg_engine::workflow_schema(), "language", &mut all);
    fields(&steg_engine::scenario_schema(), "scenario", &mut all);
    assert!(all.len() > 60, "the schemas have {} fields?", all.len());
    let text = |section: &str| match section {
        "simulation" => section_of(&doc, "## Simulation inputs"),
        "scenario" => section_of(&doc, "## Scenarios"),
        _ => doc.clone(),
    };
    let missing: Vec<String> = all
        .iter()
        .filter(|(name, section)| !names(&text(section), name))
        .map(|(name, section)| format!("{name} ({section})"))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/language.md does not describe: {missing:?}"
    );
}

fn section_of(doc: &str, heading: &str) -> String {
    section(doc, heading).to_string()
}

/// The ```yaml block of `doc` whose first line starts with `first`.
fn yaml_block(doc: &str, first: &str) -> String {
    doc.split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split_once("\n```").map(|(body, _)| body))
        .find(|b| b.starts_with(first))
        .unwrap_or_else(|| panic!("no ```yaml block starting with {first:?}"))
        .to_string()
        + "\n"
}

/// A copy of Lindesberg (with its base and the rules) in a temporary folder.
fn lindesberg() -> tempfile::TempDir {
    let tmp = tempfile::Builder::new()
        .prefix("steg-docs-")
        .tempdir()
        .expect("create a temporary folder");
    for d in ["workflows/lindesberg", "workflows/common", "rules"] {
        copy_dir(&root().join(d), &tmp.path().join(d));
    }
    tmp
}

/// The complete `simulation:` example of the reference is read without a mistake and drives
/// `steg simulate`; the scenario example is run by `steg run`.
#[test]
fn the_simulation_and_scenario_examples_of_the_reference_run() {
    let doc = read("docs/language.md");
    let tmp = lindesberg();
    let file = tmp.path().join("workflows/lindesberg/municipality.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    // Replace Lindesberg's own block by the example.
    let start = text
        .find("\nsimulation:\n")
        .expect("Lindesberg has a simulation block")
        + 1;
    let end = text[start..]
        .match_indices('\n')
        .map(|(i, _)| start + i + 1)
        .find(|&i| {
            text[i..]
                .chars()
                .next()
                .is_some_and(|c| !c.is_whitespace() && c != '#')
        })
        .unwrap_or(text.len());
    let example = yaml_block(&doc, "simulation:");
    std::fs::write(
        &file,
        format!("{}{example}{}", &text[..start], &text[end..]),
    )
    .expect("write");
    let check = steg(
        tmp.path(),
        &["check", "--format", "json", "workflows/lindesberg"],
    );
    let load = check
        .json()
        .into_iter()
        .filter(|d| d.code.starts_with('S'))
        .count();
    assert_eq!(
        load, 0,
        "the example is not read cleanly:\n{}",
        check.stdout
    );
    // The example draws only a few of the fields Lindesberg's rules read, so its cases get
    // stuck at the first rule that reads another: that is the example driving the simulation
    // (and the simulation saying so), not a mistake in the example's shape.
    let sim = steg(
        tmp.path(),
        &[
            "simulate",
            "workflows/lindesberg",
            "--cases",
            "50",
            "--seed",
            "1",
            "--allow-stuck",
        ],
    );
    assert_eq!(sim.code, 0, "{}", sim.stderr);
    assert!(sim.stdout.contains("50 cases"), "{}", sim.stdout);

    let scenario = tmp.path().join("scenario.yaml");
    std::fs::write(&scenario, yaml_block(&doc, "scenario:")).expect("write");
    let run = steg(
        tmp.path(),
        &[
            "run",
            "workflows/lindesberg",
            "--scenario",
            scenario.to_str().expect("UTF-8"),
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.starts_with("case `franvaro_tre_dagar_i_rad`"),
        "{}",
        run.stdout
    );
}

/// `steg simulate` of a municipality without `simulation:` said "has no simulation:" and
/// nothing more; it points at the docs.
#[test]
fn a_municipality_without_simulation_inputs_is_pointed_at_the_docs() {
    let (tmp, dir) = crate::support::temp_municipality();
    std::fs::write(
        dir.join("a.yaml"),
        "workflow: a\nstart: s\nsteps:\n  s: { actor: socialsekreterare, next: klar }\n  klar: { kind: end, outcome: klar }\n",
    )
    .expect("write a workflow");
    let run = steg(tmp.path(), &["simulate", "kommun", "--cases", "1"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("has no `simulation:`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("docs/language.md") && run.stderr.contains("Simulation inputs"),
        "{}",
        run.stderr
    );
    assert!(
        section(&read("docs/language.md"), "## Simulation inputs").contains("```yaml"),
        "the section it points at has an example"
    );
}

/// A scratch copy of the repository's data, where README commands may write.
fn scratch() -> tempfile::TempDir {
    let tmp = tempfile::Builder::new()
        .prefix("steg-readme-")
        .tempdir()
        .expect("create a temporary folder");
    for d in ["workflows", "rules", "examples", "tests/fixtures"] {
        copy_dir(&root().join(d), &tmp.path().join(d));
    }
    tmp
}

/// The commands of the README's ```sh blocks, in order, without their comments.
fn readme_commands(readme: &str) -> Vec<String> {
    readme
        .split("```sh\n")
        .skip(1)
        .filter_map(|b| b.split_once("```").map(|(body, _)| body))
        .flat_map(str::lines)
        .map(|l| match l.find(" #") {
            Some(i) => l[..i].trim(),
            None => l.trim(),
        })
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Every command of the README runs as written and exits 0, as the README says of a clean
/// check, a run, a simulation, a picture or an import. `cargo run [--release] -- ARGS` runs
/// this build's `steg ARGS` in a scratch copy of the repository; `cargo test --workspace` is
/// the command running this test, and `cargo bench -p P --bench B` must name a benchmark that
/// exists (running them takes minutes). Nothing else may appear: no pipe into a tool the README
/// does not ask for, no file that does not exist.
#[test]
fn every_readme_command_runs_as_written() {
    let readme = read("README.md");
    let commands = readme_commands(&readme);
    assert!(commands.len() >= 10, "{commands:?}");
    let benches = read("engine/Cargo.toml");
    let tmp = scratch();
    let mut failures = Vec::new();
    for c in &commands {
        assert!(
            !c.contains('|') && !c.contains('>') && !c.contains('<'),
            "`{c}`: a README command may not pipe or redirect into other programs"
        );
        let words: Vec<&str> = c.split_whitespace().collect();
        match words.as_slice() {
            ["cargo", "test", "--workspace"] => {}
            ["cargo", "bench", "-p", "steg-engine", "--bench", name] => {
                assert!(
                    benches.contains(&format!("name = \"{name}\"")),
                    "`{c}`: no benchmark `{name}` in engine/Cargo.toml"
                );
            }
            ["cargo", "run", rest @ ..] => {
                let args: Vec<&str> = match rest {
                    ["--release", "--", args @ ..] | ["--", args @ ..] => args.to_vec(),
                    _ => panic!("`{c}`: write `cargo run [--release] -- ARGS`"),
                };
                let run: Run = steg(tmp.path(), &args);
                if run.code != 0 {
                    failures.push(format!(
                        "`{c}` exited {}:\n{}\n{}",
                        run.code, run.stdout, run.stderr
                    ));
                }
            }
            _ => panic!("`{c}`: not a command this test knows how to run"),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// The README's "What it looks like" is what `steg check` prints for that fixture, line for
/// line, with the exit code the README gives for an error.
#[test]
fn the_readme_sample_output_is_what_steg_prints() {
    let readme = read("README.md");
    let block = readme
        .split("```text\n")
        .nth(1)
        .and_then(|b| b.split_once("```").map(|(body, _)| body))
        .expect("a ```text block");
    let (command, shown) = block
        .split_once('\n')
        .expect("a command line, then its output");
    let args: Vec<&str> = command
        .strip_prefix("$ steg ")
        .expect("the block starts with `$ steg ...`")
        .split_whitespace()
        .collect();
    let run = steg(Path::new(&root()), &args);
    assert_eq!(run.stdout.trim_end(), shown.trim_end());
    assert_eq!(run.code, 1, "an error: exit code 1, as the README says");
    assert!(readme.contains("`1` the configuration has an error"));
}
