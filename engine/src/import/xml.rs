//! The one place that knows the XML library (quick-xml): reads a BPMN or PNML file into a small
//! element tree, within limits, and refuses what an import never needs and an attacker would use.
//!
//! - The file is at most [`MAX_MODEL_BYTES`]; the tree at most [`MAX_ELEMENTS`] elements and
//!   [`MAX_DEPTH`] levels, so memory is bounded by a small multiple of the file.
//! - A `<!DOCTYPE>` that declares entities is refused, and no entity is ever expanded besides the
//!   five XML predefines and character references: an "entity bomb" (billion laughs) or an
//!   external entity (`SYSTEM "file:///etc/passwd"`) never gets read.
//! - Namespaces are resolved: every element carries its namespace URI.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// Largest model file read, in bytes (the same as a YAML file).
pub const MAX_MODEL_BYTES: u64 = 32 * 1024 * 1024;
/// Most elements in one file.
pub const MAX_ELEMENTS: usize = 2_000_000;
/// Deepest element nesting.
pub const MAX_DEPTH: usize = 128;

/// One element: namespace, local name, attributes (local names), children, text and where its
/// start tag begins in the file.
#[derive(Debug, Clone, Default)]
pub(crate) struct El {
    /// Namespace URI, empty when none.
    pub ns: String,
    /// Local name.
    pub name: String,
    /// Attributes by local name, unescaped.
    pub attrs: Vec<(String, String)>,
    /// Child elements in order.
    pub children: Vec<El>,
    /// Character data directly inside, concatenated.
    pub text: String,
    /// Byte offset of `<`.
    pub offset: usize,
}

impl El {
    /// An attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Child elements with this local name.
    pub fn kids<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child with this local name.
    pub fn kid(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// Why a file could not be read as XML: a message and the byte offset it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XmlError {
    pub message: String,
    pub offset: usize,
}

fn err(message: impl Into<String>, offset: usize) -> XmlError {
    XmlError {
        message: message.into(),
        offset,
    }
}

/// Read `text` into its root element.
pub(crate) fn parse(text: &str) -> Result<El, XmlError> {
    if text.len() as u64 > MAX_MODEL_BYTES {
        return Err(err(
            format!(
                "the file is larger than {} MiB; refusing to import it",
                MAX_MODEL_BYTES / (1024 * 1024)
            ),
            0,
        ));
    }
    let mut reader = NsReader::from_str(text);
    {
        let c = reader.config_mut();
        c.trim_text(false);
        c.check_end_names = true;
        c.expand_empty_elements = false;
    }
    let mut stack: Vec<El> = Vec::new();
    let mut root: Option<El> = None;
    let mut count = 0usize;
    loop {
        let before = reader.buffer_position() as usize;
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, ev)) => (namespace(&ns), ev),
            Err(e) => {
                let at = reader.error_position() as usize;
                return Err(err(format!("not well-formed XML: {e}"), at));
            }
        };
        // Whitespace before a tag is its own text event, so `before` is the tag's `<`.
        match event {
            Event::Start(ref s) | Event::Empty(ref s) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(err(
                        format!("more than {MAX_ELEMENTS} elements; refusing to import the file"),
                        before,
                    ));
                }
                if root.is_some() {
                    return Err(err(
                        "not well-formed XML: content after the root element",
                        before,
                    ));
                }
                let el = element(ns, s, before)?;
                if matches!(event, Event::Empty(_)) {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(el),
                        None => root = Some(el),
                    }
                } else {
                    if stack.len() >= MAX_DEPTH {
                        return Err(err(
                            format!("elements nested deeper than {MAX_DEPTH} levels"),
                            before,
                        ));
                    }
                    stack.push(el);
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(err(
                        "not well-formed XML: a closing tag without its opening tag",
                        before,
                    ));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                } else if !t.xml10_content().trim().is_empty() {
                    return Err(err(
                        "not well-formed XML: text outside the root element",
                        before,
                    ));
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => match predefined(&r.xml10_content()) {
                        Some(c) => c,
                        None => {
                            return Err(err(
                                format!(
                                    "the entity `&{};` is not defined (only XML's own five and \
                                     character references are read)",
                                    r.xml10_content()
                                ),
                                before,
                            ))
                        }
                    },
                    Err(e) => return Err(err(format!("bad character reference: {e}"), before)),
                };
                if let Some(el) = stack.last_mut() {
                    el.text.push(c);
                }
            }
            Event::DocType(d) => {
                let body = d.xml10_content();
                if body.contains("<!ENTITY") || body.contains("SYSTEM") || body.contains("PUBLIC") {
                    return Err(err(
                        "the file declares entities or an external DTD in <!DOCTYPE>; entity \
                         expansion is refused (an \"XML bomb\" or an external entity could exhaust \
                         memory or read other files)",
                        before,
                    ));
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(err(
            format!(
                "not well-formed XML: the file ends before `<{}>` is closed",
                open.name
            ),
            text.len(),
        ));
    }
    root.ok_or_else(|| err("the file holds no XML element", 0))
}

/// An element event of [`stream`].
pub(crate) enum Ev<'a> {
    /// An element opens at `depth` (1 for the root), with its attributes (no children, no
    /// text).
    Open {
        /// The element.
        el: &'a El,
        /// Its depth.
        depth: usize,
    },
    /// The element at `depth` closes (also sent after an empty one).
    Close {
        /// Its depth.
        depth: usize,
    },
}

/// Read `text` element by element without building a tree (for files too large for one, such
/// as event logs), with [`parse`]'s checks: well-formed, no entities or external DTD, elements
/// nested at most [`MAX_DEPTH`] deep, and at most `max_bytes`. Text content is not read. `f`
/// may stop the reading with an error.
pub(crate) fn stream(
    text: &str,
    max_bytes: u64,
    f: &mut dyn FnMut(Ev) -> Result<(), XmlError>,
) -> Result<(), XmlError> {
    if text.len() as u64 > max_bytes {
        return Err(err(
            format!("the file is larger than {} MiB", max_bytes / (1024 * 1024)),
            0,
        ));
    }
    let mut reader = NsReader::from_str(text);
    {
        let c = reader.config_mut();
        c.trim_text(true);
        c.check_end_names = true;
        c.expand_empty_elements = false;
    }
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        let before = reader.buffer_position() as usize;
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, ev)) => (namespace(&ns), ev),
            Err(e) => {
                let at = reader.error_position() as usize;
                return Err(err(format!("not well-formed XML: {e}"), at));
            }
        };
        match event {
            Event::Start(ref s) | Event::Empty(ref s) => {
                if depth == 0 {
                    roots += 1;
                    if roots > 1 {
                        return Err(err(
                            "not well-formed XML: content after the root element",
                            before,
                        ));
                    }
                }
                let el = element(ns, s, before)?;
                let empty = matches!(event, Event::Empty(_));
                if !empty && depth >= MAX_DEPTH {
                    return Err(err(
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                        before,
                    ));
                }
                f(Ev::Open {
                    el: &el,
                    depth: depth + 1,
                })?;
                if empty {
                    f(Ev::Close { depth: depth + 1 })?;
                } else {
                    depth += 1;
                }
            }
            Event::End(_) => {
                if depth == 0 {
                    return Err(err(
                        "not well-formed XML: a closing tag without its opening tag",
                        before,
                    ));
                }
                f(Ev::Close { depth })?;
                depth -= 1;
            }
            Event::Text(t) => {
                if depth == 0 && !t.xml10_content().trim().is_empty() {
                    return Err(err(
                        "not well-formed XML: text outside the root element",
                        before,
                    ));
                }
            }
            Event::GeneralRef(r) => {
                if !matches!(r.resolve_char_ref(), Ok(Some(_)))
                    && predefined(&r.xml10_content()).is_none()
                {
                    return Err(err(
                        format!(
                            "the entity `&{};` is not defined (only XML's own five and \
                             character references are read)",
                            r.xml10_content()
                        ),
                        before,
                    ));
                }
            }
            Event::DocType(d) => {
                let body = d.xml10_content();
                if body.contains("<!ENTITY") || body.contains("SYSTEM") || body.contains("PUBLIC") {
                    return Err(err(
                        "the file declares entities or an external DTD in <!DOCTYPE>; entity \
                         expansion is refused (an \"XML bomb\" or an external entity could exhaust \
                         memory or read other files)",
                        before,
                    ));
                }
            }
            Event::Eof => break,
            Event::CData(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if depth > 0 {
        return Err(err(
            "not well-formed XML: the file ends before every element is closed",
            text.len(),
        ));
    }
    if roots == 0 {
        return Err(err("the file holds no XML element", 0));
    }
    Ok(())
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

fn namespace(ns: &ResolveResult) -> Result<String, String> {
    match ns {
        ResolveResult::Bound(n) => Ok(n.as_ref().to_string()),
        ResolveResult::Unbound => Ok(String::new()),
        ResolveResult::Unknown(p) => Err(p.clone()),
    }
}

fn element(ns: Result<String, String>, s: &BytesStart, offset: usize) -> Result<El, XmlError> {
    let ns = ns.map_err(|p| {
        err(
            format!("the namespace prefix `{p}:` is not declared"),
            offset,
        )
    })?;
    let name = s.local_name().as_ref().to_string();
    let mut attrs = Vec::new();
    for a in s.attributes() {
        let a = a.map_err(|e| err(format!("bad attribute in <{name}>: {e}"), offset))?;
        let key = a.key.local_name().as_ref().to_string();
        if a.key.as_ref().starts_with("xmlns") {
            continue;
        }
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| err(format!("bad attribute value in <{name}>: {e}"), offset))?;
        attrs.push((key, value.into_owned()));
    }
    Ok(El {
        ns,
        name,
        attrs,
        children: Vec::new(),
        text: String::new(),
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_attributes_text_and_offsets() {
        let x = r#"<?xml version="1.0"?>
<a:root xmlns:a="urn:a" id="r"><a:kid name="x &amp; y">t&lt;1&#65;</a:kid><other/></a:root>"#;
        let root = parse(x).unwrap();
        assert_eq!((root.ns.as_str(), root.name.as_str()), ("urn:a", "root"));
        assert_eq!(root.attr("id"), Some("r"));
        let kid = root.kid("kid").unwrap();
        assert_eq!(kid.attr("name"), Some("x & y"));
        assert_eq!(kid.text, "t<1A");
        assert_eq!(&x[kid.offset..kid.offset + 8], "<a:kid n");
        assert_eq!(root.kid("other").unwrap().ns, "");
    }

    #[test]
    fn refuses_bombs_and_bad_xml() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><lolz>&lol2;</lolz>"#;
        assert!(parse(bomb).unwrap_err().message.contains("entit"));
        let external = r#"<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>"#;
        assert!(parse(external).is_err());
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<a>&nope;</a>").is_err());
        assert!(parse("<a>").is_err());
        assert!(parse("").is_err());
        assert!(parse("<p:a/>").is_err());
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 1),
            "</a>".repeat(MAX_DEPTH + 1)
        );
        assert!(parse(&deep).unwrap_err().message.contains("deeper"));
    }
}
