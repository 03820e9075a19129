//! Memoised rule results: a rule is a pure function of the case fields it reads (and the
//! parameters, the date's table versions and dated rule versions, all fixed for a call), so the
//! result of a call can be reused for any later case that has the same values in the fields the
//! call read.
//!
//! The bridge records every field a call reads, in order (`arende.x` through the indexer, and
//! the table version `tabell` picks). Which field a rule reads next depends only on the values
//! it has read so far, so the calls of one rule form a decision tree: a node asks one field,
//! its children are the values seen, a leaf holds the result. A lookup walks the tree reading
//! the case's fields; a miss evaluates the rule (recording its reads) and grows the tree along
//! that path. A lookup costs one field read and one hash probe per field the rule reads, not an
//! interpretation; a rule that reads only a case's fixed attributes is evaluated once per
//! distinct combination of them.
//!
//! A memo belongs to one rule set and one set of parameters (their fingerprint is part of every
//! root); it holds at most [`Memo::CAPACITY`] nodes, after which it answers what it has and
//! evaluates the rest.

use super::Arende;
use chrono::NaiveDate;
use rhai::{Dynamic, ImmutableString};
use std::cell::RefCell;
/// Hash maps with a fixed, fast hasher: keys are the memo's own (no untrusted adversary can
/// choose them to collide beyond what a rule's inputs allow), and lookups are the hot path.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
use std::hash::{Hash, Hasher};

/// What a call read from one field: a value as a hashable key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    /// The field is missing (reading it is an error).
    Missing,
    Unit,
    Bool(bool),
    Int(i64),
    /// A float by its bits.
    Float(u64),
    Str(ImmutableString),
    /// An array or map, by a structural hash.
    Other(u64),
}

impl Key {
    pub(crate) fn of(v: Option<&Dynamic>) -> Key {
        let Some(v) = v else { return Key::Missing };
        if v.is_unit() {
            Key::Unit
        } else if let Ok(b) = v.as_bool() {
            Key::Bool(b)
        } else if let Ok(i) = v.as_int() {
            Key::Int(i)
        } else if let Ok(f) = v.as_float() {
            Key::Float(f.to_bits())
        } else if let Ok(s) = v.as_immutable_string_ref() {
            Key::Str(s.clone())
        } else {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            hash_dynamic(v, &mut h);
            Key::Other(h.finish())
        }
    }
}

/// A structural hash of a Rhai value (arrays and maps by their contents, in order).
fn hash_dynamic(v: &Dynamic, h: &mut impl Hasher) {
    if let Ok(a) = v.as_array_ref() {
        1u8.hash(h);
        a.len().hash(h);
        for x in a.iter() {
            hash_dynamic(x, h);
        }
    } else if let Ok(m) = v.as_map_ref() {
        2u8.hash(h);
        m.len().hash(h);
        for (k, x) in m.iter() {
            k.as_str().hash(h);
            hash_dynamic(x, h);
        }
    } else {
        3u8.hash(h);
        Key::of(Some(v)).hash(h);
    }
}

/// A pseudo-field: the version of a table a call used (`tabell("NAME")`), as
/// `TABLE` + the table's name.
pub(crate) const TABLE: &str = "\u{0}tabell:";

/// A pseudo-field: the date a call read (`datum()`).
pub(crate) const DATE: &str = "\u{0}datum";

thread_local! {
    /// The reads of the call being recorded, if one is.
    static READS: RefCell<Option<Vec<(ImmutableString, Key)>>> = const { RefCell::new(None) };
}

/// Record a read (from the bridge), when a call is being recorded.
pub(crate) fn record(field: &str, key: impl FnOnce() -> Key) {
    READS.with(|r| {
        if let Some(reads) = r.borrow_mut().as_mut() {
            reads.push((field.into(), key()));
        }
    });
}

/// Run `f` recording the reads it makes.
pub(crate) fn recording<T>(f: impl FnOnce() -> T) -> (T, Vec<(ImmutableString, Key)>) {
    let outer = READS.with(|r| r.borrow_mut().replace(Vec::new()));
    let value = f();
    let reads = READS
        .with(|r| std::mem::replace(&mut *r.borrow_mut(), outer))
        .unwrap_or_default();
    (value, reads)
}

/// Which call a tree is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Root {
    /// A version of a rule (index into the rule set's rules).
    Rule(usize),
    /// An inline condition, by the address of its text in the load's compiled conditions (a
    /// memo serves one load).
    Inline(usize),
}

#[derive(Debug)]
enum Node {
    /// Not known yet.
    Empty,
    /// Asks one field; a child per value seen.
    Read {
        field: ImmutableString,
        children: HashMap<Key, u32>,
    },
    /// The result: the value, or the error (its place and message; the case is filled in by the
    /// caller).
    Done(Result<Dynamic, (Option<crate::diagnostic::Span>, String)>),
}

/// A memo of rule results for one rule set and one set of parameters.
#[derive(Debug, Default)]
pub struct Memo {
    roots: HashMap<(Root, u64), u32>,
    nodes: Vec<Node>,
    /// Lookups answered from the memo.
    pub hits: u64,
    /// Lookups that evaluated the rule.
    pub misses: u64,
}

/// What a lookup found.
pub(crate) enum Found {
    /// The result.
    Hit(Result<Dynamic, (Option<crate::diagnostic::Span>, String)>),
    /// Not known: evaluate, then [`Memo::insert`].
    Miss,
}

impl Memo {
    /// The most nodes a memo keeps.
    pub const CAPACITY: usize = 1 << 20;

    /// A new, empty memo.
    pub fn new() -> Memo {
        Memo::default()
    }

    /// Look the call up: walk its tree reading `arende`'s fields (and `pseudo` for what is not
    /// a field: the table versions and the date a call reads, [`TABLE`], [`DATE`]).
    pub(crate) fn find(
        &mut self,
        root: &(Root, u64),
        arende: &Arende,
        pseudo: &dyn Fn(&str) -> Key,
    ) -> Found {
        let Some(&start) = self.roots.get(root) else {
            self.misses += 1;
            return Found::Miss;
        };
        let mut n = start;
        loop {
            match &self.nodes[n as usize] {
                Node::Empty => break,
                Node::Done(r) => {
                    self.hits += 1;
                    return Found::Hit(r.clone());
                }
                Node::Read { field, children } => {
                    let key = if field.starts_with('\u{0}') {
                        pseudo(field)
                    } else {
                        Key::of(arende.0.values.get(field.as_str()))
                    };
                    match children.get(&key) {
                        Some(&c) => n = c,
                        None => break,
                    }
                }
            }
        }
        self.misses += 1;
        Found::Miss
    }

    /// Remember the result of a call that read `reads`, in order.
    pub(crate) fn insert(
        &mut self,
        root: (Root, u64),
        reads: &[(ImmutableString, Key)],
        result: Result<Dynamic, (Option<crate::diagnostic::Span>, String)>,
    ) {
        if self.nodes.len() + reads.len() + 1 > Self::CAPACITY {
            return;
        }
        let mut n = match self.roots.get(&root) {
            Some(&n) => n,
            None => {
                self.nodes.push(Node::Empty);
                let n = (self.nodes.len() - 1) as u32;
                self.roots.insert(root, n);
                n
            }
        };
        let mut asked: Vec<&str> = Vec::new();
        for (field, key) in reads {
            // A field read again has the value it had: the tree asks it once.
            if asked.contains(&field.as_str()) {
                continue;
            }
            asked.push(field.as_str());
            let next = self.nodes.len() as u32;
            match &mut self.nodes[n as usize] {
                node @ Node::Empty => {
                    *node = Node::Read {
                        field: field.clone(),
                        children: {
                            let mut c = HashMap::default();
                            c.insert(key.clone(), next);
                            c
                        },
                    };
                    self.nodes.push(Node::Empty);
                    n = next;
                }
                Node::Read {
                    field: asks,
                    children,
                } if asks == field => match children.get(key) {
                    Some(&c) => n = c,
                    None => {
                        children.insert(key.clone(), next);
                        self.nodes.push(Node::Empty);
                        n = next;
                    }
                },
                // The call read something else where an earlier one read this field: the
                // rule is not a function of what it reads (it cannot be, in the sandbox), so
                // nothing is remembered rather than something wrong.
                _ => return,
            }
        }
        if let node @ Node::Empty = &mut self.nodes[n as usize] {
            *node = Node::Done(result);
        }
    }

    /// Nodes held.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// A fingerprint of parameters, for the memo's roots.
pub(crate) fn fingerprint(values: &std::collections::BTreeMap<String, Dynamic>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (k, v) in values {
        k.hash(&mut h);
        hash_dynamic(v, &mut h);
    }
    h.finish()
}

/// The date a call is asked about, as a key part (for rules that read `datum()`).
pub(crate) fn date_key(d: Option<NaiveDate>) -> Key {
    Key::Int(d.map_or(i64::MIN, |d| i64::from(d.num_days_from_ce())))
}

use chrono::Datelike;
