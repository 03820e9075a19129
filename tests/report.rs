//! `steg report`: the page is one self-contained file (no address outside it in any `src` or
//! `href`), with the drawing, the charts and an assessment for every obligation; it loads in
//! headless Chromium without console errors, its pictures have a size, and it prints on A4.
//!
//! Chromium (Debian's `chromium`, installed by `.ci/run`) is found as `STEG_CHROMIUM` or on the
//! PATH; under `CI=true` a missing Chromium fails the test, elsewhere the browser checks are
//! skipped with a note.

use crate::support::{root, steg};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn in_ci() -> bool {
    crate::support::in_ci()
}

/// Chromium, if installed.
fn chromium() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = match std::env::var_os("STEG_CHROMIUM") {
        Some(p) => vec![PathBuf::from(p)],
        None => ["chromium", "chromium-browser", "google-chrome"]
            .into_iter()
            .map(PathBuf::from)
            .collect(),
    };
    candidates.into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Write the report of `args` into a fresh folder; the page's text and its path.
fn report(args: &[&str]) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("r.html");
    let out_s = out.to_str().expect("a UTF-8 path").to_string();
    let mut all: Vec<&str> = vec!["report"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", &out_s]);
    let run = steg(&root(), &all);
    assert_eq!(run.code, 0, "steg {}:\n{}", all.join(" "), run.stderr);
    assert!(run.stdout.is_empty(), "the page goes to the file only");
    let text = std::fs::read_to_string(&out).expect("the page was written");
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("the folder")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(files.len(), 1, "one file, no temporary left behind");
    (dir, out, text)
}

/// Every value of `attr="..."` in `html`.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// What every page must be, whatever the municipality.
fn assert_self_contained(html: &str) {
    for attr in ["src", "href"] {
        for v in attribute_values(html, attr) {
            assert!(
                v.starts_with('#') || v.starts_with("data:"),
                "{attr}=\"{v}\" points outside the page"
            );
        }
    }
    assert!(!html.contains("<script"), "the page needs no script");
    assert!(!html.contains("<link"), "no style sheet outside the page");
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"sv\">"));
    // Every anchor a link points to exists.
    let ids: std::collections::BTreeSet<&str> = attribute_values(html, "id").into_iter().collect();
    for v in attribute_values(html, "href") {
        let target = &v[1..];
        assert!(
            ids.contains(target),
            "a link to #{target}, which is not on the page"
        );
    }
    // Every picture is an image with a title.
    for (i, _) in html.match_indices("<svg ") {
        let tag = &html[i..i + html[i..].find('>').expect("the tag ends")];
        if tag.contains("x=\"0\"") {
            continue;
        }
        assert!(tag.contains("role=\"img\""), "{tag}");
        assert!(tag.contains("aria-labelledby="), "{tag}");
    }
}

fn count(html: &str, s: &str) -> usize {
    html.matches(s).count()
}

/// The obligations `steg check --audit` judges for `municipality`.
fn obligations(municipality: &str) -> Vec<String> {
    let run = steg(
        &root(),
        &["check", "--audit", "--format", "json", municipality],
    );
    let items: Vec<serde_json::Value> =
        serde_json::from_str(&run.stdout).expect("the audit as JSON");
    let mut ids = Vec::new();
    for m in &items {
        let asked = m["questions"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|q| q["obligations"].as_array().into_iter().flatten());
        let other = m["other_obligations"].as_array().into_iter().flatten();
        for o in asked.chain(other) {
            let id = o["id"].as_str().expect("an id").to_string();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// Every obligation is a row with one of the four assessments.
fn assert_every_obligation_assessed(html: &str, municipality: &str) {
    let ids = obligations(municipality);
    assert!(!ids.is_empty(), "{municipality} has obligations");
    for id in &ids {
        let at = html
            .find(&format!("<tr id=\"krav-{id}\""))
            .unwrap_or_else(|| panic!("no row for obligation {id}"));
        let row = &html[at..at + html[at..].find("</tr>").expect("the row ends")];
        let marks = [
            "a-ja\">Ja<",
            "a-delvis\">Delvis<",
            "a-nej\">Nej<",
            "a-ejavgjort\">Ej avgjort<",
        ];
        assert!(
            marks.iter().any(|m| row.contains(m)),
            "obligation {id} has no assessment: {row}"
        );
    }
}

/// What Chromium saw of a page.
struct Seen {
    /// Errors: script errors, failed loads, refused fetches, console errors.
    errors: Vec<String>,
    /// Width and height of every drawing part and chart as laid out, and of what is drawn in
    /// it, by class.
    sizes: Vec<(String, f64, f64, f64, f64)>,
}

const FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
];

/// Run Chromium with `args` and a fresh profile; its stdout and stderr. Fails after two minutes.
fn run_chromium(chromium: &Path, args: &[String]) -> (String, String) {
    let profile = tempfile::tempdir().expect("a profile folder");
    let mut child = Command::new(chromium)
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let out = child.stdout.take().expect("stdout");
    let err = child.stderr.take().expect("stderr");
    let read = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let (out, err) = (read(Box::new(out)), read(Box::new(err)));
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().expect("waiting for chromium") {
            let (out, err) = (
                out.join().unwrap_or_default(),
                err.join().unwrap_or_default(),
            );
            assert!(status.success(), "chromium {args:?} failed: {err}");
            return (out, err);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {args:?} did not finish in two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Load `page` in Chromium: a copy with a probe script (the page itself has none) records
/// every error and the size of every picture into the DOM, which Chromium prints.
fn load(chromium: &Path, page: &Path) -> Seen {
    let html = std::fs::read_to_string(page).expect("the page");
    let probe = r#"<script>
(function () {
  var errors = [];
  window.addEventListener('error', function (e) {
    errors.push('error: ' + (e.message || (e.target && (e.target.src || e.target.href || e.target.tagName))));
  }, true);
  document.addEventListener('securitypolicyviolation', function (e) {
    errors.push('refused: ' + e.blockedURI + ' (' + e.violatedDirective + ')');
  });
  var log = console.error;
  console.error = function () { errors.push('console: ' + Array.prototype.join.call(arguments, ' ')); log.apply(console, arguments); };
  window.addEventListener('load', function () {
    var sizes = [];
    document.querySelectorAll('svg.sg, svg.chart').forEach(function (s) {
      var r = s.getBoundingClientRect();
      var b = s.getBBox();
      sizes.push([s.getAttribute('class'), r.width, r.height, b.width, b.height]);
    });
    var pre = document.createElement('pre');
    pre.id = 'steg-probe';
    pre.textContent = JSON.stringify({ errors: errors, sizes: sizes });
    document.body.appendChild(pre);
  });
})();
</script>"#;
    // The probe runs first; the page's policy is kept except that inline script may run.
    let probed = html
        .replacen("<head>", &format!("<head>{probe}"), 1)
        .replacen(
            "default-src 'none';",
            "default-src 'none'; script-src 'unsafe-inline';",
            1,
        );
    let copy = page.with_file_name("probe.html");
    std::fs::write(&copy, probed).expect("the probed copy");
    let (dom, stderr) = run_chromium(
        chromium,
        &[
            "--enable-logging=stderr".to_string(),
            "--v=0".to_string(),
            "--window-size=1200,900".to_string(),
            "--dump-dom".to_string(),
            format!("file://{}", copy.display()),
        ],
    );
    let start = dom
        .find("<pre id=\"steg-probe\">")
        .expect("the probe ran and wrote its findings")
        + "<pre id=\"steg-probe\">".len();
    let json = &dom[start..start + dom[start..].find("</pre>").expect("the probe's end")];
    let json = json
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let v: serde_json::Value = serde_json::from_str(&json).expect("the probe's JSON");
    let mut errors: Vec<String> = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e.as_str().unwrap_or_default().to_string())
        .collect();
    // Console messages Chromium logs itself (a page error the probe could not see).
    errors.extend(
        stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE(") || l.contains("Uncaught"))
            .map(str::to_string),
    );
    let sizes = v["sizes"]
        .as_array()
        .expect("sizes")
        .iter()
        .map(|s| {
            (
                s[0].as_str().unwrap_or_default().to_string(),
                s[1].as_f64().unwrap_or(0.0),
                s[2].as_f64().unwrap_or(0.0),
                s[3].as_f64().unwrap_or(0.0),
                s[4].as_f64().unwrap_or(0.0),
            )
        })
        .collect();
    Seen { errors, sizes }
}

/// Print `page` to PDF; the page sizes (points) of every page.
fn print(chromium: &Path, page: &Path) -> Vec<(f64, f64)> {
    let pdf = page.with_extension("pdf");
    run_chromium(
        chromium,
        &[
            "--no-pdf-header-footer".to_string(),
            format!("--print-to-pdf={}", pdf.display()),
            format!("file://{}", page.display()),
        ],
    );
    let bytes = std::fs::read(&pdf).expect("the PDF was written");
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    let text = String::from_utf8_lossy(&bytes);
    text.match_indices("/MediaBox [")
        .filter_map(|(i, m)| {
            let rest = &text[i + m.len()..];
            let nums: Vec<f64> = rest[..rest.find(']')?]
                .split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect();
            match nums.as_slice() {
                [x0, y0, x1, y1] => Some((x1 - x0, y1 - y0)),
                _ => None,
            }
        })
        .collect()
}

/// The browser checks of a page: loads clean, pictures have a size, prints on A4.
fn assert_renders(page: &Path, charts: usize) {
    let Some(chromium) = chromium() else {
        assert!(
            !in_ci(),
            "chromium is missing and CI=true: apt-get install chromium"
        );
        eprintln!("note: chromium is not installed, so the browser checks are skipped (apt-get install chromium)");
        return;
    };
    let seen = load(&chromium, page);
    assert!(
        seen.errors.is_empty(),
        "errors in the browser: {:?}",
        seen.errors
    );
    let drawings = seen.sizes.iter().filter(|s| s.0 == "sg").count();
    let shown = seen.sizes.iter().filter(|s| s.0 == "chart").count();
    assert!(
        drawings >= 2,
        "the drawing and its legend: {:?}",
        seen.sizes
    );
    assert_eq!(shown, charts, "{:?}", seen.sizes);
    for (class, w, h, bw, bh) in &seen.sizes {
        assert!(*w > 50.0 && *h > 50.0, "a {class} picture of {w} x {h}");
        assert!(
            *bw > 50.0 && *bh > 50.0,
            "a {class} picture drawing {bw} x {bh}"
        );
    }
    let pages = print(&chromium, page);
    assert!(pages.len() >= 3, "a report of several pages: {pages:?}");
    for (w, h) in &pages {
        // A4: 210 x 297 mm = 595.3 x 841.9 pt.
        assert!(
            (w - 595.3).abs() < 2.0 && (h - 841.9).abs() < 2.0,
            "a page of {w} x {h} pt, not A4"
        );
    }
}

#[test]
fn lindesberg_is_one_page_with_the_drawing_seven_charts_and_every_obligation_assessed() {
    let (_dir, page, html) = report(&["lindesberg", "--cases", "400", "--seed", "3"]);
    assert_self_contained(&html);
    assert!(
        count(&html, "class=\"sg\"") >= 4,
        "the drawing in parts, and its legend"
    );
    assert_eq!(count(&html, "class=\"chart\""), 7, "seven charts");
    assert_every_obligation_assessed(&html, "lindesberg");
    // Steps link to their sources, which quote the seed where it is found.
    assert!(html.contains("href=\"#steg-ekonomiskt_bistand-utredning\""));
    assert!(html.contains("<dt id=\"steg-ekonomiskt_bistand-utredning\">"));
    if Path::new("/work/shared/seeds").is_dir() || root().join("../shared/seeds").is_dir() {
        assert!(
            html.contains("<blockquote class=\"seed\">"),
            "seed lines are quoted"
        );
    }
    // The seed's figure of open cases is the reference line, and assumptions are listed.
    assert!(html.contains("källan: 354 (2021)"));
    assert!(html.contains("<code>simulation.arrivals_per_month</code>"));
    assert_renders(&page, 7);
}

#[test]
fn a_municipality_that_cannot_be_simulated_still_gets_its_drawing_and_audit() {
    // Hedemora without its `simulation:` block, in a copy laid out as the project is.
    let copy = tempfile::tempdir().expect("a temporary folder");
    for dir in ["workflows/hedemora", "workflows/common", "rules"] {
        crate::support::copy_dir(&root().join(dir), &copy.path().join(dir));
    }
    let file = copy.path().join("workflows/hedemora/municipality.yaml");
    let text = std::fs::read_to_string(&file).expect("municipality.yaml");
    let start = text.find("\nsimulation:").expect("a simulation block") + 1;
    let end = text[start + 1..]
        .match_indices('\n')
        .map(|(i, _)| start + 1 + i + 1)
        .find(|&i| {
            text[i..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase())
        })
        .unwrap_or(text.len());
    std::fs::write(&file, format!("{}{}", &text[..start], &text[end..])).expect("write");
    let hedemora = copy.path().join("workflows/hedemora");
    let hedemora = hedemora.to_str().expect("a UTF-8 path");
    let (_dir, page, html) = report(&[hedemora, "--cases", "50"]);
    assert_self_contained(&html);
    assert!(count(&html, "class=\"sg\"") >= 3);
    assert_eq!(count(&html, "class=\"chart\""), 0);
    assert!(html.contains("Ingen simulering: Konfigurationen har ingen `simulation:`-del"));
    assert_every_obligation_assessed(&html, hedemora);
    assert_renders(&page, 0);
}

#[test]
fn a_what_if_puts_the_variant_beside_the_base_in_the_same_charts() {
    let (_dir, page, html) = report(&[
        "lindesberg",
        "--cases",
        "300",
        "--set",
        "roles.socialsekreterare.staff=7",
    ]);
    assert_self_contained(&html);
    assert!(html.contains("<section id=\"vad-hander-om\""));
    assert!(html.contains("<code>roles.socialsekreterare.staff=7</code>"));
    assert_eq!(
        count(&html, "class=\"chart\""),
        14,
        "seven charts for the base, seven for both"
    );
    // The variant's charts carry both runs.
    let what_if = &html[html
        .find("<section id=\"vad-hander-om\"")
        .expect("the section")..];
    assert!(what_if.contains("Variant"));
    assert!(what_if.contains("Skillnad"));
    assert_renders(&page, 14);
}

#[test]
fn a_bad_set_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("a folder");
    let out = dir.path().join("r.html");
    let run = steg(
        &root(),
        &[
            "report",
            "lindesberg",
            "--cases",
            "20",
            "--set",
            "roles.ingen_sadan_roll.staff=3",
            "--out",
            out.to_str().expect("UTF-8"),
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--set"), "{}", run.stderr);
    assert!(!out.exists());
}

#[test]
fn graph_writes_the_same_drawing_as_an_svg_file() {
    let dir = tempfile::tempdir().expect("a folder");
    let out = dir.path().join("lindesberg.svg");
    let run = steg(
        &root(),
        &["graph", "lindesberg", "--out", out.to_str().expect("UTF-8")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let svg = std::fs::read_to_string(&out).expect("written");
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert!(
        svg.contains("<style>"),
        "the style sheet travels with the file"
    );
    for w in [
        "Ekonomiskt bistånd",
        "Coachingteamet",
        "Arbetsmarknadsenheten",
    ] {
        assert!(svg.contains(w), "{w}");
    }
    // The same as --format svg on standard output.
    let stdout = steg(&root(), &["graph", "lindesberg", "--format", "svg"]);
    assert_eq!(stdout.stdout, svg);
}

#[test]
fn the_browser_check_sees_a_page_that_reaches_outside_or_fails() {
    let Some(chromium) = chromium() else {
        assert!(
            !in_ci(),
            "chromium is missing and CI=true: apt-get install chromium"
        );
        eprintln!("note: chromium is not installed, so this check is skipped");
        return;
    };
    // A broken page: an image from outside (refused by the page's policy) and a failing script.
    let (_dir, page, html) = report(&["hedemora", "--cases", "10"]);
    let broken = html.replacen(
        "<main>",
        "<main><img src=\"https://example.invalid/x.png\" alt=\"\"><svg class=\"chart\"></svg>",
        1,
    );
    std::fs::write(&page, broken).expect("written");
    let seen = load(&chromium, &page);
    assert!(
        seen.errors.iter().any(|e| e.contains("example.invalid")),
        "the refused fetch is seen: {:?}",
        seen.errors
    );
    assert!(
        seen.sizes
            .iter()
            .any(|(c, _, _, bw, bh)| c == "chart" && (*bw <= 50.0 || *bh <= 50.0)),
        "an empty chart has no size: {:?}",
        seen.sizes
    );
}
