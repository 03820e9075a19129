//! `steg graph --format pnml`: the workflow net of each entry workflow as the semantics
//! compiles it (referrals inlined with their returns), as PNML 2009 place/transition nets for
//! process-mining tools (pm4py, ProM).
//!
//! Each net is the [`LabelledNet`] of its entry workflow: visible transitions are named by
//! the activity the event log of `steg simulate --log` writes (`workflow.step`); silent ones
//! (a wait's triggers, the routes after a step left by one of several, the bookkeeping of
//! pending events) carry ProM's `toolspecific` mark `activity="$invisible$"`, which pm4py and
//! ProM read as silent. The final marking is written in ProM's `finalmarkings` element. Ids
//! are `nN.pM`, `nN.tM` and `nN.aM` (net, place, transition, arc), unique in the document;
//! names are the semantics' own place and transition names.

use super::bpmn::{attr, text};
use crate::semantics::LabelledNet;
use std::fmt::Write;

/// PNML of `nets`, one `<net>` each, in the order given.
pub fn render(nets: &[LabelledNet]) -> String {
    let mut o = String::new();
    let _ = write_nets(&mut o, nets);
    o
}

fn write_nets(o: &mut String, nets: &[LabelledNet]) -> std::fmt::Result {
    writeln!(o, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        o,
        r#"<pnml xmlns="http://www.pnml.org/version-2009/grammar/pnml">"#
    )?;
    for (n, ln) in nets.iter().enumerate() {
        let net = &ln.net;
        writeln!(
            o,
            r#"  <net id="n{n}" type="http://www.pnml.org/version-2009/grammar/ptnet">"#
        )?;
        writeln!(o, "    <name><text>{}</text></name>", text(&ln.name))?;
        writeln!(o, r#"    <page id="n{n}.page">"#)?;
        for (p, place) in net.places.iter().enumerate() {
            write!(
                o,
                r#"      <place id="n{n}.p{p}"><name><text>{}</text></name>"#,
                text(&place.name)
            )?;
            let tokens = net.initial.get(p as u32);
            if tokens > 0 {
                write!(o, "<initialMarking><text>{tokens}</text></initialMarking>")?;
            }
            writeln!(o, "</place>")?;
        }
        for (t, tr) in net.transitions.iter().enumerate() {
            match &ln.labels[t] {
                Some(activity) => writeln!(
                    o,
                    r#"      <transition id="n{n}.t{t}"><name><text>{}</text></name></transition>"#,
                    text(activity)
                )?,
                None => writeln!(
                    o,
                    r#"      <transition id="n{n}.t{t}"><name><text>{}</text></name><toolspecific tool="ProM" version="6.4" activity="$invisible$" localNodeID="n{n}.t{t}"/></transition>"#,
                    text(&tr.name)
                )?,
            }
        }
        let mut a = 0;
        for (t, tr) in net.transitions.iter().enumerate() {
            for (from, to, w) in tr
                .pre
                .iter()
                .map(|&(p, w)| (format!("n{n}.p{p}"), format!("n{n}.t{t}"), w))
                .chain(
                    tr.post
                        .iter()
                        .map(|&(p, w)| (format!("n{n}.t{t}"), format!("n{n}.p{p}"), w)),
                )
            {
                write!(
                    o,
                    r#"      <arc id="n{n}.a{a}" source="{}" target="{}">"#,
                    attr(&from),
                    attr(&to)
                )?;
                if w > 1 {
                    write!(o, "<inscription><text>{w}</text></inscription>")?;
                }
                writeln!(o, "</arc>")?;
                a += 1;
            }
        }
        writeln!(o, "    </page>")?;
        writeln!(o, "    <finalmarkings>")?;
        writeln!(o, "      <marking>")?;
        for &(p, k) in &ln.final_marking.0 {
            writeln!(
                o,
                r#"        <place idref="n{n}.p{p}"><text>{k}</text></place>"#
            )?;
        }
        writeln!(o, "      </marking>")?;
        writeln!(o, "    </finalmarkings>")?;
        writeln!(o, "  </net>")?;
    }
    writeln!(o, "</pnml>")
}
