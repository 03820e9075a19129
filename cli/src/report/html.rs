//! The page of `steg report`: one HTML file with its style sheet and every picture inline, no
//! script and no address outside it (a Content-Security-Policy forbids fetching anything), in
//! Swedish; printable on A4 with each section on a new page.

use super::assess::Assessment;
use super::charts::{self, pct, sv};
use super::figures::{Figures, LeadTime};
use super::{Page, Sim};
use std::fmt::Write as _;
use steg_engine as engine;

/// Escape text for HTML (element content and double-quoted attributes).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink: #1b1b1b; --muted: #555; --line: #d0d4d9; --band: #f4f6f8; --link: #0b57d0; }
* { box-sizing: border-box; }
html { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: var(--ink); font-size: 15px; line-height: 1.45; }
body { margin: 0; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.9rem; margin: 0 0 .2rem; }
h2 { font-size: 1.45rem; margin: 2.2rem 0 .6rem; padding-top: .4rem; border-top: 3px solid var(--ink); }
h3 { font-size: 1.12rem; margin: 1.6rem 0 .4rem; }
p, li { max-width: 75ch; }
a { color: var(--link); }
a:focus { outline: 3px solid #f0b400; outline-offset: 2px; }
.lead { font-size: 1.08rem; }
.meta, .note, .reading-note { color: var(--muted); font-size: .9rem; }
nav ol { columns: 2; padding-left: 1.4rem; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-size: .88rem; }
caption { text-align: left; font-weight: bold; padding: .2rem 0 .4rem; }
th, td { border: 1px solid var(--line); padding: .28rem .5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
thead th { background: var(--band); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.wide { width: 100%; }
.mark { display: inline-block; min-width: 5.2em; padding: .05rem .45rem; border-radius: 3px; font-weight: bold; text-align: center; border: 1px solid; }
.a-ja { background: #e3f1e5; border-color: #2e6b30; color: #1d4a1f; }
.a-delvis { background: #fff1d0; border-color: #8a6400; color: #5c4300; }
.a-nej { background: #fbe1df; border-color: #b3261e; color: #7d1a15; }
.a-ejavgjort { background: #eceff1; border-color: #6b7278; color: #3b4146; }
.sev { display: inline-block; width: 1.5em; height: 1.5em; border-radius: 50%; color: #fff; text-align: center; font-weight: bold; font-size: .85rem; line-height: 1.5em; }
.sev-error { background: #b3261e; } .sev-warning { background: #b35c00; } .sev-note { background: #1f5f9e; }
figure { margin: 1rem 0 1.4rem; }
figcaption { font-weight: bold; margin-bottom: .3rem; }
figure.process svg.sg { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); }
.chart-row { display: grid; grid-template-columns: minmax(0, 640px) minmax(0, 1fr); gap: 1.2rem; align-items: start; }
svg.chart { display: block; width: 100%; max-width: 640px; height: auto; border: 1px solid var(--line); }
.reading { margin: .2rem 0 .5rem; font-style: italic; }
blockquote.seed { margin: .3rem 0 .6rem; padding: .35rem .7rem; border-left: 4px solid #9aa5b1; background: var(--band); font-size: .9rem; }
blockquote.seed p { margin: 0; }
blockquote.seed footer { color: var(--muted); font-size: .8rem; margin-top: .2rem; }
mark { background: #fff0a8; padding: 0 .1em; }
dl.steps dt { font-weight: bold; margin-top: .8rem; }
dl.steps dd { margin-left: 1.2rem; }
dl.steps dt:target, dl.steps dt:target + dd { background: #fff7d6; }
.legend svg { max-width: 100%; height: auto; }
code { font-size: .88em; background: var(--band); padding: 0 .2em; word-break: break-word; }
.question { border-top: 1px solid var(--line); padding-top: .4rem; }
.problem { border-left: 4px solid #b3261e; padding: .3rem .8rem; background: #fbe1df33; }
@media (max-width: 900px) { .chart-row { grid-template-columns: 1fr; } nav ol { columns: 1; } }
@page { size: A4; margin: 14mm 13mm 15mm; }
@media print {
  html { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-before: page; border-top: none; margin-top: 0; }
  section.first h2 { break-before: auto; }
  h2, h3, figcaption, caption { break-after: avoid; }
  figure, tr, blockquote { break-inside: avoid; }
  figure.process svg.sg { max-height: 245mm; width: auto; max-width: 100%; }
  .chart-row { grid-template-columns: 1fr; gap: .3rem; }
  svg.chart { max-width: 150mm; }
  a { color: inherit; text-decoration: none; }
  nav { display: none; }
}
"#;

/// The whole page.
pub fn page(p: &mut Page) -> String {
    let mut o = String::new();
    let title = format!(
        "{}: processen, granskningens frågor och simuleringen",
        p.name
    );
    let _ = write!(
        o,
        r#"<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="steg {}">
<title>{}</title>
<style>{CSS}{}</style>
</head>
<body>
<main>
<header>
<h1>{}</h1>
<p class="meta">Gjord {} med <code>{}</code> (steg {}). Sidan behöver inget nätverk och inga skript.</p>
</header>
"#,
        p.version,
        esc(&title),
        engine::DRAWING_STYLE,
        esc(&title),
        p.date,
        esc(&p.command),
        p.version
    );
    let mut sections: Vec<(&str, &str)> = vec![
        ("sammanfattning", "Sammanfattning"),
        ("processen", "Processen"),
        ("granskningen", "Granskningens frågor"),
        ("simuleringen", "Simuleringen"),
    ];
    if p.variant.is_some() {
        sections.push(("vad-hander-om", "Vad händer om"));
    }
    if p.conformance.is_some() {
        sections.push(("loggen", "Ärendesystemets logg"));
    }
    sections.extend([
        ("jamforelse", "Källans siffror och simuleringens"),
        ("antaganden", "Antaganden och indata"),
        ("kallor", "Källor"),
    ]);
    o.push_str("<nav aria-label=\"Innehåll\"><h2 class=\"toc\" style=\"border:none;margin-top:1rem;break-before:auto\">Innehåll</h2><ol>");
    for (id, name) in &sections {
        let _ = write!(o, "<li><a href=\"#{id}\">{}</a></li>", esc(name));
    }
    o.push_str("</ol></nav>\n");

    summary(&mut o, p);
    process(&mut o, p);
    audit(&mut o, p);
    o.push_str("<section id=\"simuleringen\" aria-labelledby=\"simuleringen-h\">\n<h2 id=\"simuleringen-h\">Simuleringen</h2>\n");
    match &p.sim {
        Ok(f) => {
            settings(&mut o, f);
            key_figures(&mut o, &[("Simulerat", f)]);
            charts_for(&mut o, p, &[("Bas", f)], "s");
        }
        Err(why) => {
            let _ = writeln!(o, "<p class=\"problem\">Ingen simulering: {}</p>", esc(why));
        }
    }
    o.push_str("</section>\n");
    if let Some(v) = &p.variant {
        what_if(&mut o, p, v);
    }
    if let Some(c) = &p.conformance {
        conformance(&mut o, c);
    }
    comparison(&mut o, p);
    assumptions(&mut o, p);
    sources(&mut o, p);
    o.push_str("</main>\n</body>\n</html>\n");
    o
}

/// A share as Swedish percent text.
fn procent(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

/// What `steg conform` found in a case system's log: the traces that fit, the steps skipped or
/// inserted, the obligations broken, each with some case ids (never other data of the log).
fn conformance(o: &mut String, c: &Result<(String, engine::mining::Conformance), String>) {
    o.push_str("<section id=\"loggen\" aria-labelledby=\"loggen-h\">\n<h2 id=\"loggen-h\">Ärendesystemets logg</h2>\n");
    let (name, c) = match c {
        Ok(x) => x,
        Err(why) => {
            let _ = writeln!(
                o,
                "<p class=\"problem\">Loggen kunde inte läsas: {}</p>\n</section>",
                esc(why)
            );
            return;
        }
    };
    let _ = writeln!(
        o,
        "<p>Loggen <code>{}</code> har {} ärenden. Varje ärende jämförs med modellen (arbetsflödet <code>{}</code>) genom en optimal anpassning: ett steg som modellen kräver men loggen saknar är <em>hoppat över</em>, en händelse som modellen inte tillåter där den står är <em>tillagd</em>. {} ärenden ({}) följer modellen; {} kunde inte avgöras inom {} tillstånd. Steg som loggen aldrig nämner räknas som ej registrerade. Bara ärendenas id visas.</p>",
        esc(name),
        c.traces,
        esc(&c.entry),
        c.fitting,
        procent(c.fitting as f64 / c.traces.max(1) as f64),
        c.not_decided,
        c.budget
    );
    o.push_str("<table><caption>Avvikelser per steg</caption><thead><tr><th scope=\"col\">Steg</th><th scope=\"col\">Avvikelse</th><th scope=\"col\" class=\"num\">Ärenden</th><th scope=\"col\" class=\"num\">Andel</th><th scope=\"col\">Exempel</th></tr></thead><tbody>\n");
    if c.deviations.is_empty() {
        o.push_str("<tr><td colspan=\"5\">Inga steg hoppas över eller läggs till.</td></tr>\n");
    }
    for d in &c.deviations {
        let kind = if d.kind == "skipped" {
            "hoppas över"
        } else {
            "läggs till"
        };
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td>{kind}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&d.step),
            d.traces,
            procent(d.share),
            esc(&d.examples.join(", "))
        );
    }
    o.push_str("</tbody></table>\n");
    o.push_str("<table><caption>Åtaganden i loggen</caption><thead><tr><th scope=\"col\">Åtagande</th><th scope=\"col\" class=\"num\">Brutet i</th><th scope=\"col\" class=\"num\">Av</th><th scope=\"col\" class=\"num\">Andel</th><th scope=\"col\">Exempel</th></tr></thead><tbody>\n");
    for ob in &c.obligations {
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&ob.id),
            ob.broken,
            ob.of,
            ob.share.map_or_else(|| "–".to_string(), procent),
            esc(&ob.examples.join(", "))
        );
    }
    o.push_str("</tbody></table>\n</section>\n");
}

fn summary(o: &mut String, p: &Page) {
    o.push_str("<section id=\"sammanfattning\" class=\"first\" aria-labelledby=\"sammanfattning-h\">\n<h2 id=\"sammanfattning-h\">Sammanfattning</h2>\n");
    if let Some(d) = &p.description {
        let _ = writeln!(o, "<p class=\"lead\">{}</p>", esc(d));
    }
    o.push_str("<ul>\n");
    let workflows = {
        let mut w: Vec<&str> = p
            .drawing
            .parts
            .iter()
            .map(|x| x.workflow.as_str())
            .collect();
        w.dedup();
        w.len()
    };
    let _ = writeln!(
        o,
        "<li><strong>Processen</strong>: {workflows} flöden med {} steg. Kontrollen (<code>steg check</code>) fann {} fel och {} {}; {} {} markerade på ritningen.</li>",
        p.steps.len(),
        p.errors,
        p.warnings,
        if p.warnings == 1 { "varning" } else { "varningar" },
        p.findings.len(),
        if p.findings.len() == 1 { "iakttagelse är" } else { "iakttagelser är" }
    );
    let count = |a: Assessment| p.questions.iter().filter(|q| q.steg == a).count();
    if p.questions.is_empty() {
        o.push_str("<li><strong>Granskningen</strong>: konfigurationen anger inga krav (<code>obligations:</code>).</li>\n");
    } else {
        let _ = writeln!(
            o,
            "<li><strong>Granskningen</strong>: {} krav bedömda: {} Ja, {} Delvis, {} Nej, {} Ej avgjort.</li>",
            p.questions.len(),
            count(Assessment::Ja),
            count(Assessment::Delvis),
            count(Assessment::Nej),
            count(Assessment::EjAvgjort)
        );
    }
    match &p.sim {
        Ok(f) => {
            let mut s = format!(
                "<li><strong>Simuleringen</strong>: {} ärenden. Ansökan → beslut: median {}; ansökan → insats: median {}.",
                sv(f.cases as f64, 0),
                days(f.beslut.median),
                days(f.insats.median)
            );
            if let Some(open) = f.steady_open() {
                let _ = write!(
                    s,
                    " I jämvikt är i medel {} ärenden öppna",
                    sv(open.value, 0)
                );
                if let Some((v, _)) = &p.open_reference {
                    let _ = write!(s, " (källan: {})", sv(*v, 0));
                }
                s.push('.');
            }
            s.push_str("</li>\n");
            o.push_str(&s);
        }
        Err(why) => {
            let _ = writeln!(
                o,
                "<li><strong>Simuleringen</strong>: ingen ({})</li>",
                esc(why)
            );
        }
    }
    if let Some(Ok(v)) = &p.variant {
        let _ = writeln!(
            o,
            "<li><strong>Vad händer om</strong> {}: se <a href=\"#vad-hander-om\">jämförelsen</a>.</li>",
            esc(&v.overrides.join(", "))
        );
    }
    let assumed = p.inputs.iter().filter(|i| i.assumption).count();
    let _ = writeln!(
        o,
        "<li><strong>Vad som är känt och vad som är antaget</strong>: {} av konfigurationens {} uppgifter med källa är antaganden (se <a href=\"#antaganden\">Antaganden</a>).</li>",
        assumed,
        p.inputs.len()
    );
    o.push_str("</ul>\n</section>\n");
}

fn days(d: Option<u64>) -> String {
    d.map_or("–".to_string(), |d| {
        if d == 1 {
            "1 dag".to_string()
        } else {
            format!("{} dagar", sv(d as f64, 0))
        }
    })
}

fn process(o: &mut String, p: &Page) {
    o.push_str("<section id=\"processen\" aria-labelledby=\"processen-h\">\n<h2 id=\"processen-h\">Processen</h2>\n");
    o.push_str("<p>Varje flöde är en bana (pool) med ett fält per roll. Ett brett flöde är delat i delar; en bokstav i en ring visar var ett flöde fortsätter i nästa del. Varje steg länkar till sin källa under <a href=\"#kallor\">Källor</a>. Numrerade markeringar är iakttagelser, listade under ritningen.</p>\n");
    legend(o);
    let mut last = String::new();
    for part in &p.drawing.parts {
        if part.workflow != last {
            let _ = writeln!(
                o,
                "<h3 id=\"flode-{}\">{}</h3>",
                esc(&part.workflow),
                esc(&part.title)
            );
            last = part.workflow.clone();
        }
        let caption = if part.of > 1 {
            format!("{}, del {} av {}", part.title, part.part, part.of)
        } else {
            part.title.clone()
        };
        let _ = writeln!(
            o,
            "<figure class=\"process\"><figcaption>{}</figcaption>\n{}</figure>",
            esc(&caption),
            part.svg
        );
    }
    o.push_str("<h3 id=\"iakttagelser\">Iakttagelser på ritningen</h3>\n");
    if p.findings.is_empty() {
        o.push_str("<p>Inga: kontrollen fann inget fel eller någon varning på ett steg, inget krav bryts på ett visst steg och simuleringen tappade inga händelser.</p>\n");
    } else {
        o.push_str("<table class=\"wide\"><caption>Iakttagelser, numrerade som på ritningen</caption><thead><tr><th scope=\"col\">Nr</th><th scope=\"col\">Steg</th><th scope=\"col\">Funnen av</th><th scope=\"col\">Iakttagelse</th></tr></thead><tbody>\n");
        for f in &p.findings {
            let (class, word) = match f.severity {
                engine::MarkSeverity::Error => ("sev-error", "fel"),
                engine::MarkSeverity::Warning => ("sev-warning", "varning"),
                engine::MarkSeverity::Note => ("sev-note", "observation"),
            };
            let anchor = p
                .steps
                .iter()
                .find(|s| s.key == f.step)
                .map(|s| s.anchor.clone());
            let step = match anchor {
                Some(a) => format!("<a href=\"#{}\">{}</a>", esc(&a), esc(&f.step)),
                None => esc(&f.step),
            };
            let _ = writeln!(
                o,
                "<tr><td><span class=\"sev {class}\" title=\"{word}\">{}</span><span class=\"note\"> {word}</span></td><td>{step}</td><td>{}</td><td>{}</td></tr>",
                f.number,
                esc(&f.by),
                esc(&f.text)
            );
        }
        o.push_str("</tbody></table>\n");
    }
    o.push_str("</section>\n");
}

/// The symbols of the drawing, drawn with its own style.
fn legend(o: &mut String) {
    let items: [(&str, &str); 10] = [
        (
            r#"<circle cx="15" cy="15" r="13" class="sg-evs"/>"#,
            "start",
        ),
        (
            r#"<rect x="2" y="4" width="40" height="22" rx="6" class="sg-tk"/>"#,
            "uppgift",
        ),
        (
            r#"<rect x="2" y="4" width="40" height="22" rx="6" class="sg-tk" style="stroke-width:3"/>"#,
            "remiss till ett annat flöde",
        ),
        (
            r#"<path d="M15 1L29 15L15 29L1 15Z" class="sg-gwx"/><path d="M10 10L20 20M20 10L10 20" class="sg-sym"/>"#,
            "val (villkor på pilarna)",
        ),
        (
            r#"<path d="M15 1L29 15L15 29L1 15Z" class="sg-gwx"/><path d="M15 7V23M7 15H23" class="sg-sym"/>"#,
            "delning / sammanföring",
        ),
        (
            r#"<path d="M15 1L29 15L15 29L1 15Z" class="sg-gwx"/><circle cx="15" cy="15" r="7" class="sg-sym"/>"#,
            "väntar på det som händer först",
        ),
        (
            r#"<circle cx="15" cy="15" r="13" class="sg-evs"/><circle cx="15" cy="15" r="7" class="sg-sym"/><path d="M15 10V15H19" class="sg-sym"/>"#,
            "tidpunkt (timer)",
        ),
        (
            r#"<circle cx="15" cy="15" r="13" class="sg-evs"/><path d="M8 10h14v10h-14zM8 10l7 5l7 -5" class="sg-sym"/>"#,
            "händelse eller meddelande",
        ),
        (
            r#"<circle cx="15" cy="15" r="12" class="sg-evs" style="stroke-width:3.4;stroke:#8e1c1c"/>"#,
            "slut, med utfall",
        ),
        (
            r#"<circle cx="15" cy="15" r="9" class="sg-evs"/><text x="15" y="19" text-anchor="middle" style="font-size:10px;font-weight:bold">A</text>"#,
            "fortsätter i nästa del",
        ),
    ];
    o.push_str("<figure class=\"legend\"><figcaption>Teckenförklaring</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sg\" viewBox=\"0 0 756 152\" width=\"756\" height=\"152\" role=\"img\" aria-labelledby=\"legend-t\"><title id=\"legend-t\">Teckenförklaring: ");
    let names: Vec<&str> = items.iter().map(|(_, n)| *n).collect();
    o.push_str(&esc(&names.join(", ")));
    o.push_str("</title><style>.sg-evs{fill:#fff;stroke:#2e6b30;stroke-width:1.4}.sg-tk{fill:#fff;stroke:#1f4e79;stroke-width:1.4}.sg-gwx{fill:#fff6d6;stroke:#7a5c00;stroke-width:1.4}</style>");
    for (i, (shape, name)) in items.iter().enumerate() {
        let (x, y) = ((i % 3) as i64 * 250 + 4, (i / 3) as i64 * 37 + 4);
        let _ = write!(
            o,
            "<g transform=\"translate({x} {y})\">{shape}<text x=\"48\" y=\"19\" style=\"font-size:10.5px\">{}</text></g>",
            esc(name)
        );
    }
    o.push_str("</svg></figure>\n");
}

fn audit(o: &mut String, p: &mut Page) {
    o.push_str("<section id=\"granskningen\" aria-labelledby=\"granskningen-h\">\n<h2 id=\"granskningen-h\">Granskningens frågor</h2>\n");
    o.push_str("<p>Kraven är granskningens, med revisorernas ord och källa. steg bedömer varje krav i modellen (finns det en väg genom processen som bryter det?) och i simuleringen (hur stor andel av ärendena bröt det?). Bedömningen följer revisorernas skala: <span class=\"mark a-ja\">Ja</span> uppfyllt, <span class=\"mark a-delvis\">Delvis</span> uppfyllt i en del av ärendena, <span class=\"mark a-nej\">Nej</span> inte uppfyllt (i modellen, eller i minst hälften av ärendena), <span class=\"mark a-ejavgjort\">Ej avgjort</span> när varken modellen eller en simulering visar det. Revisorernas egen bedömning visas när konfigurationen anger den per fråga.</p>\n");
    if p.questions.is_empty() {
        o.push_str("<p class=\"note\">Konfigurationen anger inga krav (<code>obligations:</code> i municipality.yaml).</p>\n</section>\n");
        return;
    }
    o.push_str("<table class=\"wide\"><caption>Krav och bedömningar</caption><thead><tr><th scope=\"col\">Nr</th><th scope=\"col\">Fråga (krav)</th><th scope=\"col\">Revisorernas bedömning</th><th scope=\"col\">steg:s bedömning</th><th scope=\"col\">Belägg</th><th scope=\"col\">Källa</th></tr></thead><tbody>\n");
    let questions = std::mem::take(&mut p.questions);
    for (i, q) in questions.iter().enumerate() {
        let auditors = match q.auditors {
            Some(a) => format!(
                "<span class=\"mark {}\">{}</span>",
                super::assess::class(a),
                a.label()
            ),
            None => "<span class=\"note\">anges inte</span>".to_string(),
        };
        let mut question = format!("<strong>{}</strong>", esc(&q.question));
        if let Some(s) = &q.shortfall {
            let _ = write!(
                question,
                "<br><span class=\"note\">Brist enligt revisorerna: {}</span>",
                esc(s)
            );
        }
        let _ = write!(
            question,
            "<br><span class=\"note\"><code>{}</code></span>",
            esc(&q.id)
        );
        let evidence: String = q
            .evidence
            .iter()
            .map(|e| format!("<li>{}</li>", esc(e)))
            .collect();
        let source = match &q.source {
            Some(s) => source_html(&mut p.seeds, s),
            None => "<span class=\"note\">ingen angiven</span>".to_string(),
        };
        let _ = writeln!(
            o,
            "<tr id=\"{}\"><th scope=\"row\" class=\"num\">{}</th><td>{question}</td><td>{auditors}</td><td><span class=\"mark {}\">{}</span></td><td><ul>{evidence}</ul></td><td>{source}</td></tr>",
            esc(&q.anchor),
            i + 1,
            super::assess::class(q.steg),
            q.steg.label()
        );
    }
    p.questions = questions;
    o.push_str("</tbody></table>\n</section>\n");
}

/// A `source:` text with the passages it cites quoted from the seeds.
fn source_html(seeds: &mut super::seeds::Seeds, text: &str) -> String {
    let mut o = format!("<p>{}</p>", esc(text));
    for c in super::seeds::citations(text) {
        let Some(e) = seeds.excerpt(&c) else { continue };
        let lines = if c.last > c.line {
            format!("rad {}–{}", c.line, c.last)
        } else {
            format!("rad {}", c.line)
        };
        let miss = if e.quote_found == Some(false) {
            " (de citerade orden står inte på raden)"
        } else {
            ""
        };
        let _ = write!(
            o,
            "<blockquote class=\"seed\"><p>{}{}{}</p><footer>Seed {}, {lines}{miss}</footer></blockquote>",
            esc(&e.before),
            if e.marked.is_empty() {
                String::new()
            } else {
                format!("<mark>{}</mark>", esc(&e.marked))
            },
            esc(&e.after),
            esc(&c.seed)
        );
    }
    o
}

fn settings(o: &mut String, f: &Figures) {
    let _ = writeln!(
        o,
        "<p>{} ärenden, slumpfrö {}, varje ärende följt i {} månader{}. Ärendena kommer i den takt konfigurationens <code>simulation:</code> anger; samma slumpfrö ger samma resultat. Siffrorna är en enda körning: de visar storleksordning och riktning, inte en prognos.</p>",
        sv(f.cases as f64, 0),
        f.seed,
        f.months,
        match &f.arrivals {
            (Some(a), Some(b)) => format!(", ankomster {a} – {b}"),
            _ => String::new(),
        }
    );
}

/// The key figures of one or two runs (with the difference).
fn key_figures(o: &mut String, runs: &[(&str, &Figures)]) {
    type Measure = Box<dyn Fn(&Figures) -> Option<f64>>;
    let rows: Vec<(&str, Measure, bool)> = vec![
        (
            "Ansökan → beslut, median (dagar)",
            Box::new(|f| f.beslut.median.map(|d| d as f64)),
            false,
        ),
        (
            "Ansökan → beslut, 90:e percentil (dagar)",
            Box::new(|f| f.beslut.p90.map(|d| d as f64)),
            false,
        ),
        (
            "Ansökan → insats, median (dagar)",
            Box::new(|f| f.insats.median.map(|d| d as f64)),
            false,
        ),
        (
            "Ansökan → insats, 90:e percentil (dagar)",
            Box::new(|f| f.insats.p90.map(|d| d as f64)),
            false,
        ),
        (
            "Plan inom 90 dagar",
            Box::new(|f| (f.plan_90.1 > 0).then(|| f.plan_90.0 as f64 / f.plan_90.1 as f64)),
            true,
        ),
        (
            "Öppna ärenden i jämvikt (medel)",
            Box::new(|f| f.steady_open().map(|e| e.value)),
            false,
        ),
        (
            "Återremitteringar",
            Box::new(|f| Some(f.aterremitteringar as f64)),
            false,
        ),
        (
            "Händelser i ärendet som gick förlorade",
            Box::new(|f| Some(f.lost_events as f64)),
            false,
        ),
        (
            "Öppna när uppföljningen slutade",
            Box::new(|f| Some(f.open_at_end as f64)),
            false,
        ),
        (
            "Fastnade (ingen väg vidare)",
            Box::new(|f| Some(f.stuck as f64)),
            false,
        ),
    ];
    o.push_str("<table><caption>Nyckeltal</caption><thead><tr><th scope=\"col\">Mått</th>");
    for (label, _) in runs {
        let _ = write!(o, "<th scope=\"col\" class=\"num\">{}</th>", esc(label));
    }
    if runs.len() == 2 {
        o.push_str("<th scope=\"col\" class=\"num\">Skillnad</th>");
    }
    o.push_str("</tr></thead><tbody>\n");
    let fmt = |v: Option<f64>, share: bool| match v {
        Some(v) if share => pct(v),
        Some(v) => sv(v, if v.fract() == 0.0 { 0 } else { 1 }),
        None => "–".to_string(),
    };
    for (name, get, share) in &rows {
        let _ = write!(o, "<tr><th scope=\"row\">{}</th>", esc(name));
        let values: Vec<Option<f64>> = runs.iter().map(|(_, f)| get(f)).collect();
        for v in &values {
            let _ = write!(o, "<td class=\"num\">{}</td>", fmt(*v, *share));
        }
        if let [Some(a), Some(b)] = values.as_slice() {
            let d = b - a;
            let text = if *share {
                format!(
                    "{}{} procentenheter",
                    if d > 0.0 { "+" } else { "" },
                    sv(d * 100.0, 1)
                )
            } else {
                format!(
                    "{}{}",
                    if d > 0.0 { "+" } else { "" },
                    sv(d, if d.fract() == 0.0 { 0 } else { 1 })
                )
            };
            let _ = write!(o, "<td class=\"num\">{text}</td>");
        } else if runs.len() == 2 {
            o.push_str("<td class=\"num\">–</td>");
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody></table>\n");
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];

/// One chart with its reading and its table beside it.
fn chart_block(o: &mut String, id: &str, title: &str, reading: &str, svg: &str, table: &str) {
    let _ = writeln!(
        o,
        "<figure id=\"{id}\" aria-labelledby=\"{id}-c\"><figcaption id=\"{id}-c\">{}</figcaption><p class=\"reading\">{}</p><div class=\"chart-row\"><div>{svg}</div><div>{table}</div></div></figure>",
        esc(title),
        esc(reading)
    );
}

/// The charts of one or more runs (`prefix` keeps their ids apart on the page).
fn charts_for(o: &mut String, p: &Page, runs: &[(&str, &Figures)], prefix: &str) {
    let two = runs.len() > 1;
    let name = |label: &str| {
        if two {
            format!(" ({label})")
        } else {
            String::new()
        }
    };

    // Lead times.
    for (key, title, get) in [
        (
            "beslut",
            "Ledtid ansökan → beslut",
            (|f: &Figures| &f.beslut) as fn(&Figures) -> &LeadTime,
        ),
        (
            "insats",
            "Ledtid ansökan → första insats",
            |f: &Figures| &f.insats,
        ),
    ] {
        let id = format!("{prefix}-ledtid-{key}");
        let leads: Vec<(&str, &LeadTime)> = runs.iter().map(|(l, f)| (*l, get(f))).collect();
        let reading = leads
            .iter()
            .map(|(label, l)| match (l.median, l.p90) {
                (Some(m), Some(q)) => format!(
                    "Hälften av ärendena{} når dit inom {}, nio av tio inom {} ({} ärenden).",
                    name(label),
                    days(Some(m)),
                    days(Some(q)),
                    sv(l.count as f64, 0)
                ),
                _ => format!("Inget ärende{} nådde dit.", name(label)),
            })
            .collect::<Vec<_>>()
            .join(" ");
        let svg = charts::histogram(&id, title, &reading, &leads);
        let mut t = format!(
            "<table><caption>{}: andel klara inom</caption><thead><tr><th scope=\"col\">Inom</th>",
            esc(title)
        );
        for (label, _) in &leads {
            let _ = write!(t, "<th scope=\"col\" class=\"num\">{}</th>", esc(label));
        }
        t.push_str("</tr></thead><tbody>");
        for d in [0usize, 1, 2, 7, 14, 30, 60, 90, 180] {
            let _ = write!(t, "<tr><th scope=\"row\">{}</th>", days(Some(d as u64)));
            for (_, l) in &leads {
                let _ = write!(
                    t,
                    "<td class=\"num\">{}</td>",
                    l.within(d).map_or("–".to_string(), pct)
                );
            }
            t.push_str("</tr>");
        }
        for (row, get) in [
            (
                "Median",
                (|l: &LeadTime| l.median.map(|d| d as f64)) as fn(&LeadTime) -> Option<f64>,
            ),
            ("90:e percentil", |l: &LeadTime| l.p90.map(|d| d as f64)),
            ("Medel", |l: &LeadTime| l.mean),
            ("Antal ärenden", |l: &LeadTime| Some(l.count as f64)),
        ] {
            let _ = write!(t, "<tr><th scope=\"row\">{row}</th>");
            for (_, l) in &leads {
                let _ = write!(
                    t,
                    "<td class=\"num\">{}</td>",
                    get(l).map_or("–".to_string(), |v| sv(
                        v,
                        if v.fract() == 0.0 { 0 } else { 1 }
                    ))
                );
            }
            t.push_str("</tr>");
        }
        t.push_str("</tbody></table>");
        chart_block(o, &id, title, &reading, &svg, &t);
    }

    // Open cases over time.
    {
        let id = format!("{prefix}-oppna");
        let title = "Öppna ärenden över tid";
        let longest = runs
            .iter()
            .map(|(_, f)| f.by_month.len())
            .max()
            .unwrap_or(0);
        let base = runs[0].1;
        let labels: Vec<String> = (0..longest)
            .map(|i| {
                base.by_month
                    .get(i)
                    .map(|m| {
                        format!(
                            "{} {}",
                            MONTHS[(m.month as usize).saturating_sub(1) % 12],
                            m.year
                        )
                    })
                    .unwrap_or_default()
            })
            .collect();
        let series: Vec<(String, Vec<f64>)> = runs
            .iter()
            .map(|(l, f)| {
                (
                    l.to_string(),
                    f.by_month.iter().map(|m| m.open as f64).collect(),
                )
            })
            .collect();
        let mut reading = String::new();
        for (label, f) in runs {
            let steady = f.steady();
            if let Some(e) = f.steady_open() {
                let _ = write!(
                    reading,
                    "Från {} till {}, när modellen har fyllts och ärenden ännu kommer, är i medel {} ärenden öppna vid månadens slut{}. ",
                    labels.get(steady.start).cloned().unwrap_or_default(),
                    labels.get(steady.end.saturating_sub(1)).cloned().unwrap_or_default(),
                    sv(e.value, 0),
                    name(label)
                );
            }
        }
        if let Some((v, text)) = &p.open_reference {
            let _ = write!(
                reading,
                "Den streckade linjen är källans siffra: {} ({}).",
                sv(*v, 0),
                text.trim_start_matches("källan: ")
            );
        } else {
            reading
                .push_str("Konfigurationen anger ingen siffra för öppna ärenden att jämföra med.");
        }
        let svg = charts::lines(
            &id,
            title,
            &reading,
            &labels,
            &series,
            p.open_reference.clone(),
            false,
        );
        let mut t = String::from("<table><caption>Öppna ärenden vid årets sista månad, och ankomna under året</caption><thead><tr><th scope=\"col\">År</th>");
        for (l, _) in runs {
            let _ = write!(t, "<th scope=\"col\" class=\"num\">Öppna{}</th><th scope=\"col\" class=\"num\">Ankomna{}</th>", esc(&name(l)), esc(&name(l)));
        }
        t.push_str("</tr></thead><tbody>");
        let mut years: Vec<i32> = base.by_month.iter().map(|m| m.year).collect();
        years.dedup();
        for y in years {
            let _ = write!(t, "<tr><th scope=\"row\">{y}</th>");
            for (_, f) in runs {
                let months: Vec<_> = f.by_month.iter().filter(|m| m.year == y).collect();
                let open = months
                    .last()
                    .map_or("–".to_string(), |m| sv(m.open as f64, 0));
                let arrived: u64 = months.iter().map(|m| m.arrived).sum();
                let _ = write!(
                    t,
                    "<td class=\"num\">{open}</td><td class=\"num\">{}</td>",
                    sv(arrived as f64, 0)
                );
            }
            t.push_str("</tr>");
        }
        t.push_str("</tbody></table>");
        chart_block(o, &id, title, &reading, &svg, &t);
    }

    // Utilisation and queues per role: the roles that work in the simulation.
    let roles: Vec<String> = base_roles(runs);
    let title_of = |id: &str| {
        p.role_titles
            .iter()
            .find(|(r, _)| r == id)
            .map_or(id.to_string(), |(_, t)| t.clone())
    };
    let categories: Vec<String> = roles.iter().map(|r| title_of(r)).collect();
    let role_values = |get: &dyn Fn(&super::figures::RoleFig) -> f64| -> Vec<(String, Vec<f64>)> {
        runs.iter()
            .map(|(l, f)| {
                (
                    l.to_string(),
                    roles
                        .iter()
                        .map(|r| f.roles.iter().find(|x| &x.id == r).map_or(0.0, get))
                        .collect(),
                )
            })
            .collect()
    };
    for (key, title, share) in [
        ("belaggning", "Beläggning per roll", true),
        ("ko", "Kö per roll (medel på vardagar)", false),
    ] {
        let id = format!("{prefix}-{key}");
        let series = if share {
            role_values(&|x| x.utilisation.unwrap_or(0.0))
        } else {
            role_values(&|x| x.mean_queue.unwrap_or(0.0))
        };
        let mut reading = String::new();
        for (label, values) in &series {
            if let Some((i, v)) = values.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)) {
                let what = if share {
                    format!(
                        "Högst beläggning{}: {} med {} av tillgänglig tid. ",
                        name(label),
                        categories[i],
                        pct(*v)
                    )
                } else {
                    format!(
                        "Längst kö i medel{}: {} med {} ärenden. ",
                        name(label),
                        categories[i],
                        sv(*v, 1)
                    )
                };
                reading.push_str(&what);
            }
        }
        if roles.is_empty() {
            reading =
                "Inget steg tar någon rolls tid (ingen effort), så inga köer bildas.".to_string();
        }
        let svg = charts::bars(&id, title, &reading, &categories, &series, share);
        let mut t = format!(
            "<table><caption>{}</caption><thead><tr><th scope=\"col\">Roll</th>",
            esc(title)
        );
        for (l, f) in runs {
            let _ = f;
            if share {
                let _ = write!(t, "<th scope=\"col\" class=\"num\">Personal{}</th><th scope=\"col\" class=\"num\">Beläggning{}</th>", esc(&name(l)), esc(&name(l)));
            } else {
                let _ = write!(t, "<th scope=\"col\" class=\"num\">Medelkö{}</th><th scope=\"col\" class=\"num\">Längsta kö{}</th><th scope=\"col\" class=\"num\">Väntan median / p90{}</th>", esc(&name(l)), esc(&name(l)), esc(&name(l)));
            }
        }
        t.push_str("</tr></thead><tbody>");
        for (r, cat) in roles.iter().zip(&categories) {
            let _ = write!(t, "<tr><th scope=\"row\">{}</th>", esc(cat));
            for (_, f) in runs {
                let x = f.roles.iter().find(|x| &x.id == r);
                if share {
                    let _ = write!(
                        t,
                        "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                        x.map_or("–".to_string(), |x| sv(x.staff, 1)
                            .trim_end_matches(",0")
                            .to_string()),
                        x.and_then(|x| x.utilisation).map_or("–".to_string(), pct)
                    );
                } else {
                    let _ = write!(
                        t,
                        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                        x.and_then(|x| x.mean_queue).map_or("–".to_string(), |v| sv(v, 1)),
                        x.map_or("–".to_string(), |x| sv(x.max_queue as f64, 0)),
                        x.map_or("–".to_string(), |x| format!("{} / {}", days(x.wait.0), days(x.wait.1)))
                    );
                }
            }
            t.push_str("</tr>");
        }
        t.push_str("</tbody></table>");
        chart_block(o, &id, title, &reading, &svg, &t);
    }

    // Obligations: per month of arrival (one run), or per obligation (base and variant).
    let obligations: Vec<String> = runs[0].1.obligations.iter().map(|x| x.id.clone()).collect();
    if !obligations.is_empty() {
        let id = format!("{prefix}-krav");
        let title = if two {
            "Brutna krav: andel av ärendena"
        } else {
            "Brutna krav per ankomstmånad: andel av ärendena"
        };
        let mut reading = String::new();
        for (label, f) in runs {
            if let Some(worst) = f.obligations.iter().filter(|x| x.of > 0).max_by(|a, b| {
                a.share
                    .map_or(0.0, |s| s.value)
                    .total_cmp(&b.share.map_or(0.0, |s| s.value))
            }) {
                let _ = write!(
                    reading,
                    "Oftast brutet{}: {} i {} av ärendena. ",
                    name(label),
                    worst.id,
                    pct(worst.share.map_or(0.0, |s| s.value))
                );
            }
        }
        let svg = if two {
            let series: Vec<(String, Vec<f64>)> = runs
                .iter()
                .map(|(l, f)| {
                    (
                        l.to_string(),
                        obligations
                            .iter()
                            .map(|id| {
                                f.obligations
                                    .iter()
                                    .find(|x| &x.id == id)
                                    .and_then(|x| x.share)
                                    .map_or(0.0, |s| s.value)
                            })
                            .collect(),
                    )
                })
                .collect();
            charts::bars(&id, title, &reading, &obligations, &series, true)
        } else {
            let f = runs[0].1;
            let range = f.steady();
            let months: Vec<&super::figures::Month> = f.by_month
                [..range.end.max(1).min(f.by_month.len())]
                .iter()
                .collect();
            let labels: Vec<String> = months
                .iter()
                .map(|m| {
                    format!(
                        "{} {}",
                        MONTHS[(m.month as usize).saturating_sub(1) % 12],
                        m.year
                    )
                })
                .collect();
            let series: Vec<(String, Vec<f64>)> = obligations
                .iter()
                .enumerate()
                .map(|(oi, id)| {
                    (
                        id.clone(),
                        months
                            .iter()
                            .map(|m| {
                                let (b, of) = m.obligations.get(oi).copied().unwrap_or((0, 0));
                                if of > 0 {
                                    b as f64 / of as f64
                                } else {
                                    0.0
                                }
                            })
                            .collect(),
                    )
                })
                .collect();
            charts::lines(&id, title, &reading, &labels, &series, None, true)
        };
        let mut t = String::from(
            "<table><caption>Brutna krav</caption><thead><tr><th scope=\"col\">Krav</th>",
        );
        for (l, _) in runs {
            let _ = write!(t, "<th scope=\"col\" class=\"num\">Bröts{}</th><th scope=\"col\" class=\"num\">Andel{}</th>", esc(&name(l)), esc(&name(l)));
        }
        t.push_str("</tr></thead><tbody>");
        for id in &obligations {
            let _ = write!(
                t,
                "<tr><th scope=\"row\"><a href=\"#krav-{}\">{}</a></th>",
                esc(id),
                esc(id)
            );
            for (_, f) in runs {
                let x = f.obligations.iter().find(|x| &x.id == id);
                let _ = write!(
                    t,
                    "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                    x.map_or("–".to_string(), |x| format!(
                        "{} av {}",
                        sv(x.broken as f64, 0),
                        sv(x.of as f64, 0)
                    )),
                    x.and_then(|x| x.share)
                        .map_or("–".to_string(), |s| pct(s.value))
                );
            }
            t.push_str("</tr>");
        }
        t.push_str("</tbody></table>");
        chart_block(o, &id, title, &reading, &svg, &t);
    }

    // Outcomes.
    {
        let id = format!("{prefix}-utfall");
        let title = "Utfall";
        let mut categories: Vec<String> = Vec::new();
        for (_, f) in runs {
            for (k, _) in &f.outcomes {
                if !categories.contains(k) {
                    categories.push(k.clone());
                }
            }
        }
        let words: Vec<String> = categories
            .iter()
            .map(|k| {
                if k.is_empty() {
                    "(inget utfall)".to_string()
                } else {
                    k.replace('_', " ")
                }
            })
            .chain([
                "öppna när uppföljningen slutade".to_string(),
                "fastnade".to_string(),
            ])
            .collect();
        let series: Vec<(String, Vec<f64>)> = runs
            .iter()
            .map(|(l, f)| {
                let total = f.cases.max(1) as f64;
                let mut v: Vec<f64> = categories
                    .iter()
                    .map(|k| {
                        f.outcomes.iter().find(|(x, _)| x == k).map_or(0, |x| x.1) as f64 / total
                    })
                    .collect();
                v.push(f.open_at_end as f64 / total);
                v.push(f.stuck as f64 / total);
                (l.to_string(), v)
            })
            .collect();
        let mut reading = String::new();
        for (label, values) in &series {
            if let Some((i, v)) = values.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)) {
                let _ = write!(
                    reading,
                    "Vanligast{}: {} ({} av ärendena). ",
                    name(label),
                    words[i],
                    pct(*v)
                );
            }
        }
        let svg = charts::bars(&id, title, &reading, &words, &series, true);
        let mut t = String::from("<table><caption>Utfall, av alla simulerade ärenden</caption><thead><tr><th scope=\"col\">Utfall</th>");
        for (l, _) in runs {
            let _ = write!(t, "<th scope=\"col\" class=\"num\">Ärenden{}</th><th scope=\"col\" class=\"num\">Andel{}</th>", esc(&name(l)), esc(&name(l)));
        }
        t.push_str("</tr></thead><tbody>");
        for (i, w) in words.iter().enumerate() {
            let _ = write!(t, "<tr><th scope=\"row\">{}</th>", esc(w));
            for ((_, f), (_, v)) in runs.iter().zip(&series) {
                let n = (v[i] * f.cases as f64).round();
                let _ = write!(
                    t,
                    "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                    sv(n, 0),
                    pct(v[i])
                );
            }
            t.push_str("</tr>");
        }
        t.push_str("</tbody></table>");
        chart_block(o, &id, title, &reading, &svg, &t);
    }
}

/// The roles that have work in any run (utilisation or a queue), in the base's order.
fn base_roles(runs: &[(&str, &Figures)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, f) in runs {
        for r in &f.roles {
            let busy = r.utilisation.is_some_and(|u| u > 0.0) || r.max_queue > 0;
            if busy && !out.contains(&r.id) {
                out.push(r.id.clone());
            }
        }
    }
    out
}

fn what_if(o: &mut String, p: &Page, v: &Sim) {
    o.push_str("<section id=\"vad-hander-om\" aria-labelledby=\"vad-hander-om-h\">\n<h2 id=\"vad-hander-om-h\">Vad händer om</h2>\n");
    match (&p.sim, v) {
        (Ok(base), Ok(variant)) => {
            let _ = writeln!(
                o,
                "<p>Varianten är konfigurationen med <code>{}</code>, simulerad med samma ärenden (samma slumpfrö) som basen. Skillnaderna nedan kommer alltså av ändringen, inom en körnings slumpvariation.</p>",
                esc(&variant.overrides.join(", "))
            );
            key_figures(o, &[("Bas", base), ("Variant", variant)]);
            charts_for(o, p, &[("Bas", base), ("Variant", variant)], "v");
        }
        (Err(why), _) | (_, Err(why)) => {
            let _ = writeln!(o, "<p class=\"problem\">Ingen jämförelse: {}</p>", esc(why));
        }
    }
    o.push_str("</section>\n");
}

fn comparison(o: &mut String, p: &mut Page) {
    o.push_str("<section id=\"jamforelse\" aria-labelledby=\"jamforelse-h\">\n<h2 id=\"jamforelse-h\">Källans siffror och simuleringens</h2>\n");
    o.push_str("<p><strong>Preliminär jämförelse.</strong> Konfigurationen anger ännu inte vilka av källans siffror simuleringen ska återge (ett <code>validation:</code>-avsnitt). Tabellen jämför därför de uppgifter under <code>population:</code> som har en simulerad motsvarighet; måttet står i tabellen. Gränsen ±20 % är vald för den här sidan, inte hämtad ur källan.</p>\n");
    if p.checks.is_empty() {
        o.push_str("<p class=\"note\">Ingen uppgift under <code>population:</code> har en simulerad motsvarighet.</p>\n");
    } else {
        o.push_str("<table class=\"wide\"><caption>Källans siffra, den simulerade och bedömningen</caption><thead><tr><th scope=\"col\">Uppgift</th><th scope=\"col\" class=\"num\">Källan</th><th scope=\"col\" class=\"num\">Simulerat</th><th scope=\"col\">Bedömning</th><th scope=\"col\">Simulerat mått</th><th scope=\"col\">Källa</th></tr></thead><tbody>\n");
        let checks = std::mem::take(&mut p.checks);
        for c in &checks {
            let fmt = |v: f64| {
                if c.share {
                    pct(v)
                } else {
                    sv(v, if v.fract() == 0.0 { 0 } else { 1 })
                }
            };
            let (mark, sim) = match c.simulated {
                Some(s) => {
                    let off = if c.seed != 0.0 {
                        (s.value - c.seed).abs() / c.seed.abs()
                    } else {
                        s.value.abs()
                    };
                    let ci =
                        s.ci.map(|(lo, hi)| format!(" ({}–{})", fmt(lo), fmt(hi)))
                            .unwrap_or_default();
                    let mark = if off <= 0.2 {
                        "<span class=\"mark a-ja\">Inom ±20 %</span>".to_string()
                    } else {
                        format!("<span class=\"mark a-nej\">Avviker</span> <span class=\"note\">{} %</span>", sv((s.value - c.seed) / c.seed.abs().max(1e-9) * 100.0, 0))
                    };
                    (mark, format!("{}{ci}", fmt(s.value)))
                }
                None => (
                    "<span class=\"mark a-ejavgjort\">Ej simulerat</span>".to_string(),
                    "–".to_string(),
                ),
            };
            let source = c
                .source
                .as_deref()
                .map_or(String::new(), |s| source_html(&mut p.seeds, s));
            let _ = writeln!(
                o,
                "<tr><th scope=\"row\">{}<br><span class=\"note\"><code>population.{}</code></span></th><td class=\"num\">{}</td><td class=\"num\">{sim}</td><td>{mark}</td><td>{}</td><td>{source}</td></tr>",
                esc(&c.what),
                esc(&c.id),
                fmt(c.seed),
                esc(c.measure)
            );
        }
        p.checks = checks;
        o.push_str("</tbody></table>\n");
    }
    if !p.unchecked.is_empty() {
        o.push_str("<table class=\"wide\"><caption>Uppgifter i källan som simuleringen ännu inte mäter</caption><thead><tr><th scope=\"col\">Uppgift</th><th scope=\"col\" class=\"num\">Värde</th><th scope=\"col\">Källa</th></tr></thead><tbody>\n");
        let unchecked = std::mem::take(&mut p.unchecked);
        for u in &unchecked {
            let source = source_html(&mut p.seeds, &u.source);
            let _ = writeln!(
                o,
                "<tr><th scope=\"row\"><code>{}</code></th><td class=\"num\">{}</td><td>{source}</td></tr>",
                esc(&u.path),
                esc(&u.value)
            );
        }
        p.unchecked = unchecked;
        o.push_str("</tbody></table>\n");
    }
    o.push_str("</section>\n");
}

fn assumptions(o: &mut String, p: &mut Page) {
    o.push_str("<section id=\"antaganden\" aria-labelledby=\"antaganden-h\">\n<h2 id=\"antaganden-h\">Antaganden och indata</h2>\n");
    o.push_str("<p>Varje siffra i konfigurationen har en källa (<code>source:</code>). Där källan inte ger siffran är den ett antagande, markerat <em>not in seed</em> eller <em>assumption</em> i konfigurationen; de står först. Arbetstider per steg (<code>effort</code>) har inget eget källfält och är antaganden där steget inte säger annat.</p>\n");
    let inputs = std::mem::take(&mut p.inputs);
    for (assumed, caption) in [
        (true, "Antaganden (inte i källan)"),
        (false, "Indata ur källan"),
    ] {
        let rows: Vec<&super::Input> = inputs.iter().filter(|i| i.assumption == assumed).collect();
        if rows.is_empty() {
            let _ = writeln!(o, "<p class=\"note\">{}: inga.</p>", esc(caption));
            continue;
        }
        let _ = writeln!(o, "<table class=\"wide\"><caption>{} ({})</caption><thead><tr><th scope=\"col\">Uppgift</th><th scope=\"col\">Värde</th><th scope=\"col\">Källa</th></tr></thead><tbody>", esc(caption), rows.len());
        for i in rows {
            let source = source_html(&mut p.seeds, &i.source);
            let _ = writeln!(
                o,
                "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{source}</td></tr>",
                esc(&i.path),
                esc(&i.value)
            );
        }
        o.push_str("</tbody></table>\n");
    }
    p.inputs = inputs;
    o.push_str("</section>\n");
}

fn sources(o: &mut String, p: &mut Page) {
    o.push_str(
        "<section id=\"kallor\" aria-labelledby=\"kallor-h\">\n<h2 id=\"kallor-h\">Källor</h2>\n",
    );
    match p.seeds.dir() {
        Some(_) => o.push_str("<p>Varje steg med sin källa. Där källan hänvisar till en rad i en granskningsrapport (<em>seed NNN l.RAD</em>) citeras raden, kortad, med de åberopade orden markerade.</p>\n"),
        None => o.push_str("<p>Varje steg med sin källa. Granskningsrapporterna som källorna hänvisar till fanns inte där steg letade (en mapp <code>seeds/</code>; ange den med <code>--seeds</code>), så raderna citeras inte.</p>\n"),
    }
    let steps = std::mem::take(&mut p.steps);
    let mut workflow = String::new();
    for s in &steps {
        if s.workflow != workflow {
            if !workflow.is_empty() {
                o.push_str("</dl>\n");
            }
            let _ = writeln!(o, "<h3>{}</h3>\n<dl class=\"steps\">", esc(&s.workflow));
            workflow = s.workflow.clone();
        }
        let _ = write!(
            o,
            "<dt id=\"{}\">{} <span class=\"note\">({}{}; <code>{}</code>)</span></dt><dd>",
            esc(&s.anchor),
            esc(&s.name),
            s.kind,
            s.lane
                .as_deref()
                .map(|l| format!(", {}", esc(l)))
                .unwrap_or_default(),
            esc(&s.key)
        );
        if let Some(l) = &s.legal_basis {
            let _ = write!(o, "<p>Rättslig grund: {}</p>", esc(l));
        }
        match &s.source {
            Some(src) => o.push_str(&source_html(&mut p.seeds, src)),
            None => o.push_str("<p class=\"note\">Ingen källa angiven för steget.</p>"),
        }
        o.push_str("</dd>\n");
    }
    if !workflow.is_empty() {
        o.push_str("</dl>\n");
    }
    p.steps = steps;
    o.push_str("</section>\n");
}
