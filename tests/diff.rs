//! `steg diff`: Lindesberg and Hedemora side by side after `extends`, as a reader of seeds 000
//! and 001 would check it, and the JSON form.

use crate::support::{root, snapshot, steg};

#[test]
fn lindesberg_and_hedemora() {
    let run = steg(&root(), &["diff", "lindesberg", "hedemora"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    for (what, line) in [
        // Hedemora's monthly follow-up of the insats (seed 001 l.378) against Lindesberg's
        // follow-up of progression (seed 000 l.295), each a parameter of its own.
        (
            "follow-up interval",
            "+     on: every params.manadsprovning_intervall → uppfoljning",
        ),
        (
            "follow-up interval",
            "-     on: every params.progression_uppfoljning → uppfoljning",
        ),
        // Lindesberg's absence reporting from AME (seed 000 l.287); Hedemora has none.
        (
            "absence report",
            "- step franvaro  \"AME kontaktar försörjningsstödsenheten om frånvaron\"",
        ),
        // Nine socialsekreterare in Lindesberg (l.167), seven in Hedemora of whom one in
        // mottagningen (l.272-282).
        ("staff", "-   staff: 9"),
        ("staff", "+   staff: 6"),
        // Mottagningen handles nyansökningar in Hedemora.
        ("actor", "+     actor: socialsekreterare_mottagning"),
        // The coaching team exists only in Lindesberg (seed 000 l.199).
        ("workflow", "- workflow coachingteam"),
        // Hedemora's AME verksamheter (seed 001 l.286-290).
        (
            "insatser",
            "+ step handkraften  \"Handkraften\": task by arbetscoach",
        ),
        // The 25 % threshold (seed 000 l.199).
        ("parameter", "- min_arbetsformaga: 0.25"),
        // The audit finding about goal assessment (seed 001 l.378).
        ("obligation", "+ maluppfyllelse_bedoms:"),
        // AME is under tillväxtnämnden in Lindesberg, under IFO in Hedemora.
        ("organisation", "-   part_of: tillvaxtnamnden"),
        ("organisation", "+   part_of: ifo"),
    ] {
        assert!(out.contains(line), "{what}: no line `{line}` in:\n{out}");
    }
    // Inherited the same from the base, so not a difference.
    assert!(!out.contains("enskild:"), "{out}");
    assert!(!out.contains("step utbetalning"), "{out}");
    snapshot("diff", "lindesberg_hedemora", &run);
}

#[test]
fn json_lists_the_same_differences() {
    let run = steg(
        &root(),
        &["diff", "lindesberg", "hedemora", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(v["a"]["municipality"], "Lindesberg");
    assert_eq!(v["b"]["extends"], "../common");
    let eb = v["workflows"]
        .as_array()
        .expect("workflows")
        .iter()
        .find(|w| w["id"] == "ekonomiskt_bistand")
        .expect("ekonomiskt_bistand");
    let step = |id: &str| {
        eb["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .find(|s| s["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no step {id}"))
    };
    assert_eq!(step("manadsansokan")["change"], "only_in_a");
    assert_eq!(step("bestallning_ame")["change"], "only_in_b");
    let beslut = step("beslut_bistand");
    assert_eq!(beslut["change"], "changed");
    let next = beslut["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .find(|d| d["field"] == "next")
        .expect("next differs");
    assert_eq!(
        next["a"][0],
        "when rule.ratt_till_bistand → parallella_spar"
    );
    assert_eq!(
        next["b"][0],
        "when rule.ratt_till_forsorjningsstod → parallella_spar"
    );
    let roles = v["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["name"] == "roles")
        .expect("roles differ");
    assert!(roles["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|i| i["id"] == "arbetsmarknadshandlaggare" && i["change"] == "only_in_a"));
}

#[test]
fn a_municipality_against_itself_has_no_differences() {
    let run = steg(&root(), &["diff", "hedemora", "workflows/hedemora"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.ends_with("\nno differences\n"), "{}", run.stdout);
}

#[test]
fn a_folder_that_does_not_load_is_refused() {
    let run = steg(&root(), &["diff", "lindesberg", "no_such_kommun"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no_such_kommun"), "{}", run.stderr);
}
