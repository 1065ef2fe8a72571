//! A strict, bounded XML reader over quick-xml: the only way untrusted XML becomes a tree here.
//!
//! It refuses what SAML never needs and attacks rely on: any `<!DOCTYPE>` (so no DTD, no
//! external entity, no entity expansion), entity references other than the five predefined
//! ones and character references, encodings other than UTF-8, `xml:id`, duplicate attributes,
//! undeclared prefixes, and documents past fixed depth, node and attribute limits. Namespaces
//! are resolved here, by hand, so every element and attribute is compared by (namespace URI,
//! local name), never by prefix.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// The XML namespace (`xml:` prefix).
pub(crate) const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";
/// The `xmlns` namespace.
const NS_XMLNS: &str = "http://www.w3.org/2000/xmlns/";

/// Limits on a document's shape.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Deepest element nesting.
    pub depth: usize,
    /// Most nodes (elements, text runs, comments, processing instructions).
    pub nodes: usize,
    /// Most attributes (namespace declarations included) on one element.
    pub attributes: usize,
}

impl Limits {
    /// For protocol messages (responses, logout messages).
    pub(crate) const MESSAGE: Limits = Limits {
        depth: 48,
        nodes: 20_000,
        attributes: 64,
    };
    /// For metadata documents.
    pub(crate) const METADATA: Limits = Limits {
        depth: 48,
        nodes: 200_000,
        attributes: 64,
    };
}

/// Why a document was refused. The messages are for logs; callers map them to one error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum XmlError {
    /// A `<!DOCTYPE>` was present.
    Doctype,
    /// An entity reference other than the predefined ones.
    Entity,
    /// Past one of the [`Limits`].
    TooLarge,
    /// Not well-formed, or something this reader refuses (the reason).
    Malformed(&'static str),
}

/// A namespace-resolved attribute (namespace declarations are kept apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attr {
    pub ns: Option<String>,
    pub local: String,
    pub value: String,
}

/// A child node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    Element(Element),
    /// Character data (text and CDATA sections, references resolved).
    Text(String),
    /// A comment (its text is dropped).
    Comment,
    /// A processing instruction.
    Pi,
}

/// An element with its namespace resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub ns: Option<String>,
    pub local: String,
    pub attrs: Vec<Attr>,
    /// Namespace declarations made on this element: (prefix, URI); the default namespace has
    /// the prefix "".
    pub ns_decls: Vec<(String, String)>,
    pub children: Vec<Node>,
}

impl Element {
    /// True if this element is `{ns}local`.
    pub(crate) fn is(&self, ns: &str, local: &str) -> bool {
        self.local == local && self.ns.as_deref() == Some(ns)
    }

    /// The value of the un-namespaced attribute `name`.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.local == name)
            .map(|a| a.value.as_str())
    }

    /// Child elements.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    /// Child elements named `{ns}local`.
    pub(crate) fn children_named<'a>(
        &'a self,
        ns: &'a str,
        local: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.is(ns, local))
    }

    /// The only child element named `{ns}local`: `Ok(None)` if there is none, `Err(())` if
    /// there are several.
    pub(crate) fn only_child(&self, ns: &str, local: &str) -> Result<Option<&Element>, ()> {
        let mut found: Option<&Element> = None;
        for e in self.elements() {
            if e.is(ns, local) {
                if found.is_some() {
                    return Err(());
                }
                found = Some(e);
            }
        }
        Ok(found)
    }

    /// The element's character data when it holds nothing else (no child element, comment or
    /// processing instruction): `None` for mixed content.
    pub(crate) fn text_only(&self) -> Option<String> {
        let mut out = String::new();
        for n in &self.children {
            match n {
                Node::Text(t) => out.push_str(t),
                _ => return None,
            }
        }
        Some(out)
    }

    /// True if the element has only whitespace text besides its child elements.
    pub(crate) fn no_text(&self) -> bool {
        self.children.iter().all(|n| match n {
            Node::Text(t) => t.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')),
            Node::Element(_) => true,
            Node::Comment | Node::Pi => false,
        })
    }

    /// True if any comment or processing instruction appears at or below this element.
    pub(crate) fn has_comment_or_pi(&self) -> bool {
        self.children.iter().any(|n| match n {
            Node::Comment | Node::Pi => true,
            Node::Element(e) => e.has_comment_or_pi(),
            Node::Text(_) => false,
        })
    }
}

/// One open element during parsing.
struct Open {
    element: Element,
    /// The raw qualified name, to check the end tag.
    qname: Vec<u8>,
}

/// Parses `input` into its root element. `initial_ns` are namespace bindings in scope before
/// the document starts (used for decrypted fragments; empty otherwise).
pub(crate) fn parse(
    input: &str,
    limits: Limits,
    initial_ns: &[(String, String)],
) -> Result<Element, XmlError> {
    let mut reader = Reader::from_str(input);
    {
        let c = reader.config_mut();
        c.check_end_names = true;
        c.check_comments = true;
        c.trim_text(false);
        c.expand_empty_elements = false;
    }
    // Namespace scopes: each entry is the list of bindings made by one open element.
    let mut scopes: Vec<Vec<(String, String)>> = vec![initial_ns.to_vec()];
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Element> = None;
    let mut nodes = 0usize;
    let mut seen_decl = false;
    let mut seen_anything = false;

    loop {
        let ev = reader
            .read_event()
            .map_err(|_| XmlError::Malformed("not well-formed"))?;
        match ev {
            Event::Eof => break,
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Decl(d) => {
                if seen_decl || seen_anything {
                    return Err(XmlError::Malformed("misplaced XML declaration"));
                }
                seen_decl = true;
                match d.version() {
                    Ok(v) if v.as_ref() == b"1.0" => {}
                    _ => return Err(XmlError::Malformed("only XML 1.0")),
                }
                if let Some(enc) = d.encoding() {
                    let enc = enc.map_err(|_| XmlError::Malformed("bad encoding declaration"))?;
                    if !enc.eq_ignore_ascii_case(b"utf-8") {
                        return Err(XmlError::Malformed("only UTF-8"));
                    }
                }
            }
            Event::Start(s) | Event::Empty(s) if root.is_some() => {
                let _ = s;
                return Err(XmlError::Malformed("content after the root element"));
            }
            Event::Start(s) => {
                seen_anything = true;
                nodes = bump(nodes, limits)?;
                if stack.len() >= limits.depth {
                    return Err(XmlError::TooLarge);
                }
                let (element, decls) = start_element(&s, &mut scopes, limits)?;
                let _ = decls;
                stack.push(Open {
                    element,
                    qname: s.name().as_ref().to_vec(),
                });
            }
            Event::Empty(s) => {
                seen_anything = true;
                nodes = bump(nodes, limits)?;
                if stack.len() >= limits.depth {
                    return Err(XmlError::TooLarge);
                }
                let (element, _) = start_element(&s, &mut scopes, limits)?;
                scopes.pop();
                attach(&mut stack, &mut root, Node::Element(element))?;
            }
            Event::End(e) => {
                let open = stack
                    .pop()
                    .ok_or(XmlError::Malformed("unbalanced end tag"))?;
                if open.qname.as_slice() != e.name().as_ref() {
                    return Err(XmlError::Malformed("mismatched end tag"));
                }
                scopes.pop();
                attach(&mut stack, &mut root, Node::Element(open.element))?;
            }
            Event::Text(t) => {
                let text = t
                    .xml10_content()
                    .map_err(|_| XmlError::Malformed("bad text encoding"))?;
                push_text(&mut stack, &text, &mut nodes, limits, root.is_some())?;
            }
            Event::GeneralRef(r) => {
                let resolved: String = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) if is_xml_char(c) => c.to_string(),
                        _ => return Err(XmlError::Malformed("bad character reference")),
                    }
                } else {
                    let name = r
                        .decode()
                        .map_err(|_| XmlError::Malformed("bad reference"))?;
                    match name.as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        _ => return Err(XmlError::Entity),
                    }
                };
                if stack.is_empty() {
                    return Err(XmlError::Malformed("text outside the root element"));
                }
                push_text(&mut stack, &resolved, &mut nodes, limits, false)?;
            }
            Event::CData(c) => {
                let text = c
                    .xml10_content()
                    .map_err(|_| XmlError::Malformed("bad CDATA encoding"))?;
                if stack.is_empty() {
                    return Err(XmlError::Malformed("CDATA outside the root element"));
                }
                push_text(&mut stack, &text, &mut nodes, limits, false)?;
            }
            Event::Comment(_) => {
                seen_anything = true;
                nodes = bump(nodes, limits)?;
                if let Some(top) = stack.last_mut() {
                    top.element.children.push(Node::Comment);
                }
            }
            Event::PI(p) => {
                seen_anything = true;
                nodes = bump(nodes, limits)?;
                if p.target().eq_ignore_ascii_case(b"xml") {
                    return Err(XmlError::Malformed("misplaced XML declaration"));
                }
                if let Some(top) = stack.last_mut() {
                    top.element.children.push(Node::Pi);
                }
            }
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed("unclosed element"));
    }
    root.ok_or(XmlError::Malformed("no root element"))
}

fn bump(nodes: usize, limits: Limits) -> Result<usize, XmlError> {
    let n = nodes.saturating_add(1);
    if n > limits.nodes {
        return Err(XmlError::TooLarge);
    }
    Ok(n)
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

fn push_text(
    stack: &mut [Open],
    text: &str,
    nodes: &mut usize,
    limits: Limits,
    after_root: bool,
) -> Result<(), XmlError> {
    if text.is_empty() {
        return Ok(());
    }
    let Some(top) = stack.last_mut() else {
        // Outside the root only whitespace is allowed.
        if text.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) {
            let _ = after_root;
            return Ok(());
        }
        return Err(XmlError::Malformed("text outside the root element"));
    };
    if !text.chars().all(is_xml_char) {
        return Err(XmlError::Malformed("character not allowed in XML"));
    }
    if let Some(Node::Text(prev)) = top.element.children.last_mut() {
        prev.push_str(text);
    } else {
        *nodes = bump(*nodes, limits)?;
        top.element.children.push(Node::Text(text.to_owned()));
    }
    Ok(())
}

fn attach(stack: &mut [Open], root: &mut Option<Element>, node: Node) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(parent) => {
            parent.element.children.push(node);
            Ok(())
        }
        None => match node {
            Node::Element(e) => {
                *root = Some(e);
                Ok(())
            }
            _ => Err(XmlError::Malformed("content outside the root element")),
        },
    }
}

/// Splits a qualified name into (prefix, local).
fn split_qname(q: &[u8]) -> Result<(Option<&str>, &str), XmlError> {
    let s = std::str::from_utf8(q).map_err(|_| XmlError::Malformed("bad name"))?;
    let mut parts = s.splitn(2, ':');
    let first = parts.next().unwrap_or_default();
    match parts.next() {
        None => {
            check_ncname(first)?;
            Ok((None, first))
        }
        Some(local) => {
            check_ncname(first)?;
            check_ncname(local)?;
            Ok((Some(first), local))
        }
    }
}

fn check_ncname(s: &str) -> Result<(), XmlError> {
    if is_ncname(s) {
        Ok(())
    } else {
        Err(XmlError::Malformed("bad name"))
    }
}

/// True if `s` is an XML NCName (an approximation on the ASCII range that accepts every
/// non-ASCII name character; colons are never allowed).
pub(crate) fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let start_ok =
        first.is_ascii_alphabetic() || first == '_' || (!first.is_ascii() && first.is_alphabetic());
    start_ok
        && chars.all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '-' | '.')
                || (!c.is_ascii() && (c.is_alphanumeric() || c == '\u{B7}'))
        })
}

fn resolve_prefix<'a>(scopes: &'a [Vec<(String, String)>], prefix: &str) -> Option<&'a str> {
    if prefix == "xml" {
        return Some(NS_XML);
    }
    for scope in scopes.iter().rev() {
        for (p, uri) in scope.iter().rev() {
            if p == prefix {
                return if uri.is_empty() { None } else { Some(uri) };
            }
        }
    }
    None
}

/// Reads a start tag: its namespace declarations (pushed as a new scope), then its name and
/// attributes resolved against the scopes.
fn start_element(
    s: &BytesStart<'_>,
    scopes: &mut Vec<Vec<(String, String)>>,
    limits: Limits,
) -> Result<(Element, usize), XmlError> {
    let mut raw: Vec<(Vec<u8>, String)> = Vec::new();
    for a in s.attributes().with_checks(true) {
        let a = a.map_err(|_| XmlError::Malformed("bad attribute"))?;
        if raw.len() >= limits.attributes {
            return Err(XmlError::TooLarge);
        }
        let key = a.key.as_ref().to_vec();
        if raw.iter().any(|(k, _)| *k == key) {
            return Err(XmlError::Malformed("duplicate attribute"));
        }
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| match e {
                quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(
                    ..,
                )) => XmlError::Entity,
                _ => XmlError::Malformed("bad attribute value"),
            })?;
        if !value.chars().all(is_xml_char) {
            return Err(XmlError::Malformed("character not allowed in XML"));
        }
        raw.push((key, value.into_owned()));
    }
    let mut decls: Vec<(String, String)> = Vec::new();
    let mut plain: Vec<(&[u8], &str)> = Vec::new();
    for (k, v) in &raw {
        if k.as_slice() == b"xmlns" {
            if v == NS_XML || v == NS_XMLNS {
                return Err(XmlError::Malformed("reserved namespace"));
            }
            decls.push((String::new(), v.clone()));
        } else if let Some(p) = k.strip_prefix(b"xmlns:") {
            let p = std::str::from_utf8(p).map_err(|_| XmlError::Malformed("bad name"))?;
            check_ncname(p)?;
            if p == "xml" || p == "xmlns" || v.is_empty() || v == NS_XML || v == NS_XMLNS {
                return Err(XmlError::Malformed("reserved or empty namespace binding"));
            }
            decls.push((p.to_owned(), v.clone()));
        } else {
            plain.push((k.as_slice(), v.as_str()));
        }
    }
    let n_decls = decls.len();
    scopes.push(decls.clone());

    let qname = s.name();
    let (prefix, local) = split_qname(qname.as_ref())?;
    let ns = match prefix {
        Some(p) => Some(
            resolve_prefix(scopes, p)
                .ok_or(XmlError::Malformed("undeclared prefix"))?
                .to_owned(),
        ),
        None => resolve_prefix(scopes, "").map(str::to_owned),
    };
    let mut attrs: Vec<Attr> = Vec::with_capacity(plain.len());
    for (k, v) in plain {
        let (prefix, alocal) = split_qname(k)?;
        let ans = match prefix {
            Some(p) => Some(
                resolve_prefix(scopes, p)
                    .ok_or(XmlError::Malformed("undeclared prefix"))?
                    .to_owned(),
            ),
            None => None,
        };
        if ans.as_deref() == Some(NS_XML) && alocal == "id" {
            return Err(XmlError::Malformed("xml:id is not accepted"));
        }
        if attrs.iter().any(|a| a.local == alocal && a.ns == ans) {
            return Err(XmlError::Malformed("duplicate attribute"));
        }
        attrs.push(Attr {
            ns: ans,
            local: alocal.to_owned(),
            value: v.to_owned(),
        });
    }
    Ok((
        Element {
            ns,
            local: local.to_owned(),
            attrs,
            ns_decls: decls,
            children: Vec::new(),
        },
        n_decls,
    ))
}

/// The namespace bindings in scope at the element reached by following `path` (child element
/// indexes) from `root`, innermost last.
pub(crate) fn in_scope_namespaces(chain: &[&Element]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for e in chain {
        for (p, u) in &e.ns_decls {
            out.retain(|(q, _)| q != p);
            out.push((p.clone(), u.clone()));
        }
    }
    out
}

/// Escapes text for an attribute value or character data.
pub(crate) fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Element, XmlError> {
        parse(s, Limits::MESSAGE, &[])
    }

    #[test]
    fn resolves_namespaces() {
        let e = p(r#"<a:x xmlns:a="urn:a" xmlns="urn:d"><y a:k="1" k="2"/></a:x>"#).unwrap();
        assert!(e.is("urn:a", "x"));
        let y = e.elements().next().unwrap();
        assert!(y.is("urn:d", "y"));
        assert_eq!(y.attr("k"), Some("2"));
        assert_eq!(y.attrs[0].ns.as_deref(), Some("urn:a"));
    }

    #[test]
    fn refuses_doctype_and_entities() {
        assert_eq!(
            p("<!DOCTYPE x [<!ENTITY e \"v\">]><x>&e;</x>"),
            Err(XmlError::Doctype)
        );
        assert_eq!(p("<x>&e;</x>"), Err(XmlError::Entity));
        assert_eq!(p("<x a=\"&e;\"/>"), Err(XmlError::Entity));
        assert_eq!(
            p("<x>&amp;&#65;&lt;</x>").unwrap().text_only().as_deref(),
            Some("&A<")
        );
    }

    #[test]
    fn refuses_oddities() {
        assert!(p("<x xml:id=\"a\"/>").is_err());
        assert!(p("<x a=\"1\" a=\"2\"/>").is_err());
        assert!(p("<x xmlns:p=\"urn:a\" xmlns:q=\"urn:a\" p:a=\"1\" q:a=\"2\"/>").is_err());
        assert!(p("<p:x/>").is_err());
        assert!(p("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><x/>").is_err());
        assert!(p("<x/><y/>").is_err());
        assert!(p("<x>&#0;</x>").is_err());
        assert!(p("<x>").is_err());
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert_eq!(p(&deep), Err(XmlError::TooLarge));
    }

    #[test]
    fn keeps_comments_and_pis_as_nodes() {
        let e = p("<x>a<!--c-->b<?pi x?><![CDATA[c]]></x>").unwrap();
        assert!(e.text_only().is_none());
        assert!(e.has_comment_or_pi());
        let e = p("<x>a<![CDATA[<b>]]></x>").unwrap();
        assert_eq!(e.text_only().as_deref(), Some("a<b>"));
    }

    #[test]
    fn normalises_attribute_whitespace() {
        let e = p("<x a=\"1\n2\t3\"/>").unwrap();
        assert_eq!(e.attr("a"), Some("1 2 3"));
    }
}
