//! XML escaping for everything steg writes (BPMN, PNML, SVG, XES): attribute values and
//! character data, with characters XML 1.0 cannot hold replaced by U+FFFD.

/// Escape for a double-quoted XML attribute. Characters XML 1.0 cannot hold become U+FFFD.
pub(crate) fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(xml_char(c)),
        }
    }
    out
}

/// Escape for XML character data.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' => out.push(c),
            c => out.push(xml_char(c)),
        }
    }
    out
}

fn xml_char(c: char) -> char {
    let ok =
        matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}');
    if ok {
        c
    } else {
        '\u{FFFD}'
    }
}
