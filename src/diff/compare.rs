//! Comparing values between two revisions: what changed, not what it means.
//!
//! [`same`] compares values as written (a reference equals the same reference), which is
//! what the rules need for "did this key change in this object": an object that a reference
//! points to is judged on its own where it is redefined. [`deep_same`] follows references
//! on each side in its own revision, for questions about what a viewer will draw (is this
//! widget's appearance the one it had?).

use crate::pdf::{Dict, Document, Object, Source, StreamData};

/// Keys whose values differ between `old` and `new` (added, removed or changed).
pub(super) fn changed_keys<S: Source>(doc: &Document<S>, old: &Dict, new: &Dict) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (k, v) in old.iter() {
        if !new.get(k.as_bytes()).is_some_and(|n| same(doc, v, n)) {
            out.push(k.as_bytes().to_vec());
        }
    }
    for (k, _) in new.iter() {
        if !old.contains(k.as_bytes()) {
            out.push(k.as_bytes().to_vec());
        }
    }
    out
}

/// True when `/key` is written the same in `old` and `new` (both absent counts as the same).
pub(super) fn same_entry<S: Source>(doc: &Document<S>, old: &Dict, new: &Dict, key: &[u8]) -> bool {
    match (old.get(key), new.get(key)) {
        (None, None) => true,
        (Some(a), Some(b)) => same(doc, a, b),
        _ => false,
    }
}

/// Equality of content, ignoring where strings stood in the file; stream data is compared
/// byte for byte.
///
/// Numbers: an integer and a real are different values when they stand alone as a
/// dictionary entry — viewers honour some entries only as integers (poppler ignores
/// `/F 6.0` and `/Rotate 90.0`), so rewriting one as the other can change what is shown.
/// Inside arrays (rectangles, matrices, colours, dash patterns) they are compared by value:
/// writers rewrite `318.0` as `318` there, and viewers read both as the same coordinate.
pub(super) fn same<S: Source>(doc: &Document<S>, a: &Object, b: &Object) -> bool {
    same_in(doc, a, b, false)
}

fn same_in<S: Source>(doc: &Document<S>, a: &Object, b: &Object, in_array: bool) -> bool {
    match (a, b) {
        (Object::String(x), Object::String(y)) => x.bytes == y.bytes,
        (Object::Array(x), Object::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_in(doc, p, q, true))
        }
        (Object::Dict(x), Object::Dict(y)) => same_dict(doc, x, y),
        (Object::Stream(x), Object::Stream(y)) => {
            if !same_dict(doc, &x.dict, &y.dict) {
                return false;
            }
            match (&x.data, &y.data) {
                (StreamData::File(p), StreamData::File(q)) if p == q => true,
                _ => match (doc.raw_stream_data(x), doc.raw_stream_data(y)) {
                    (Ok(p), Ok(q)) => p == q,
                    _ => false,
                },
            }
        }
        (Object::Real(_) | Object::Integer(_), Object::Real(_) | Object::Integer(_))
            if in_array =>
        {
            a.as_number() == b.as_number()
        }
        _ => a == b,
    }
}

fn same_dict<S: Source>(doc: &Document<S>, x: &Dict, y: &Dict) -> bool {
    x.len() == y.len()
        && x.iter()
            .all(|(k, v)| y.get(k.as_bytes()).is_some_and(|w| same(doc, v, w)))
}

/// How many values [`deep_same`] looks at before it gives up.
const DEEP_NODES: usize = 4096;

/// How deep [`deep_same`] follows nested values and references.
const DEEP_DEPTH: usize = 32;

/// Whether `a` as revision `ra` sees it and `b` as revision `rb` sees it are the same,
/// following references on each side: `Some(true)` the same, `Some(false)` different,
/// `None` when it could not be decided (a budget, an unreadable object). References that
/// are equal and lead to an object neither revision redefined are taken as the same
/// without being read.
pub(super) fn deep_same<S: Source>(
    doc: &Document<S>,
    ra: usize,
    a: &Object,
    rb: usize,
    b: &Object,
) -> Option<bool> {
    let mut nodes = 0usize;
    deep(doc, ra, a, rb, b, 0, false, &mut nodes)
}

#[allow(clippy::too_many_arguments)]
fn deep<S: Source>(
    doc: &Document<S>,
    ra: usize,
    a: &Object,
    rb: usize,
    b: &Object,
    depth: usize,
    in_array: bool,
    nodes: &mut usize,
) -> Option<bool> {
    *nodes += 1;
    if *nodes > DEEP_NODES || depth > DEEP_DEPTH {
        return None;
    }
    if let (Object::Reference(x), Object::Reference(y)) = (a, b) {
        if x == y && doc.lookup(ra, *x) == doc.lookup(rb, *y) {
            return Some(true);
        }
    }
    let a = match a {
        Object::Reference(_) => doc.resolve(ra, a).ok()?,
        direct => direct.clone(),
    };
    let b = match b {
        Object::Reference(_) => doc.resolve(rb, b).ok()?,
        direct => direct.clone(),
    };
    match (&a, &b) {
        (Object::Array(x), Object::Array(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (p, q) in x.iter().zip(y) {
                if !deep(doc, ra, p, rb, q, depth + 1, true, nodes)? {
                    return Some(false);
                }
            }
            Some(true)
        }
        (Object::Dict(x), Object::Dict(y)) => deep_dict(doc, ra, x, rb, y, depth, nodes),
        (Object::Stream(x), Object::Stream(y)) => {
            if !deep_dict(doc, ra, &x.dict, rb, &y.dict, depth, nodes)? {
                return Some(false);
            }
            match (&x.data, &y.data) {
                (StreamData::File(p), StreamData::File(q)) if p == q => Some(true),
                _ => Some(doc.raw_stream_data(x).ok()? == doc.raw_stream_data(y).ok()?),
            }
        }
        _ => Some(same_in(doc, &a, &b, in_array)),
    }
}

fn deep_dict<S: Source>(
    doc: &Document<S>,
    ra: usize,
    x: &Dict,
    rb: usize,
    y: &Dict,
    depth: usize,
    nodes: &mut usize,
) -> Option<bool> {
    if x.len() != y.len() {
        return Some(false);
    }
    for (k, v) in x.iter() {
        let Some(w) = y.get(k.as_bytes()) else {
            return Some(false);
        };
        if !deep(doc, ra, v, rb, w, depth + 1, false, nodes)? {
            return Some(false);
        }
    }
    Some(true)
}
