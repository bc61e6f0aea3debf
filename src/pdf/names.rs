//! Name trees (ISO 32000-2 §7.9.6): the sorted string-keyed maps behind `/Names`
//! (`/EmbeddedFiles`, `/Dests`, `/JavaScript`, …).
//!
//! [`name_tree_entries`] walks a tree depth first from its root and returns every leaf entry in
//! tree order. The walk is bounded: at most `max_tree_nodes` nodes, at most `max_depth` levels,
//! at most `max_objects` entries. Kids that are already visited (a cycle or a shared node) are
//! skipped; `/Names` pairs whose key is not a string are skipped. The keys are returned as
//! stored; the tree's `/Limits` are not trusted for anything.

use std::collections::HashSet;

use super::document::Document;
use super::error::PdfError;
use super::object::{ObjRef, Object};
use super::source::Source;

/// One leaf entry of a name tree.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NameTreeEntry {
    /// The key's bytes as stored (often a PDF text string; see
    /// [`decode_text_string`](super::object::decode_text_string)).
    pub key: Vec<u8>,
    /// The value as stored: usually a reference, sometimes a direct object.
    pub value: Object,
    /// The indirect object holding the `/Names` array this entry was read from (`None` when
    /// the root itself is a direct dictionary).
    pub node: Option<ObjRef>,
}

/// Every entry of the name tree whose root is `root` (a reference or a direct dictionary), as
/// revision `rev` sees it, in tree order.
///
/// A root that is `null` or not a dictionary is an empty tree.
pub fn name_tree_entries<S: Source>(
    doc: &Document<S>,
    rev: usize,
    root: &Object,
) -> Result<Vec<NameTreeEntry>, PdfError> {
    let budget = doc.budget();
    let node_limit = budget.max_tree_nodes;
    let depth_limit = budget.max_depth;
    let entry_limit = usize::try_from(budget.max_objects).unwrap_or(usize::MAX);

    let mut out = Vec::new();
    let mut seen: HashSet<ObjRef> = HashSet::new();
    let mut visited = 0usize;
    // (the node as stored, the indirect object it is, depth)
    let mut stack: Vec<(Object, Option<ObjRef>, usize)> = vec![(root.clone(), root.as_ref(), 1)];
    while let Some((node, node_ref, depth)) = stack.pop() {
        if let Some(r) = node_ref {
            if !seen.insert(r) {
                continue;
            }
        }
        visited += 1;
        if visited > node_limit {
            return Err(PdfError::budget("name tree nodes", node_limit as u64));
        }
        if depth > depth_limit {
            return Err(PdfError::budget("name tree depth", depth_limit as u64));
        }
        let Some(dict) = doc.resolve_dict(rev, &node)? else {
            continue;
        };
        if let Some(names) = dict.get(b"Names") {
            if let Object::Array(items) = doc.resolve(rev, names)? {
                let mut pairs = items.chunks_exact(2);
                for pair in pairs.by_ref() {
                    let (Some(key), Some(value)) = (pair.first(), pair.get(1)) else {
                        continue;
                    };
                    let key = match doc.resolve(rev, key)? {
                        Object::String(s) => s.bytes,
                        _ => continue,
                    };
                    if out.len() >= entry_limit {
                        return Err(PdfError::budget("name tree entries", entry_limit as u64));
                    }
                    out.push(NameTreeEntry {
                        key,
                        value: value.clone(),
                        node: node_ref,
                    });
                }
            }
        }
        if let Some(kids) = dict.get(b"Kids") {
            if let Object::Array(items) = doc.resolve(rev, kids)? {
                // Popping from the end must yield tree order, so kids are pushed in reverse.
                for kid in items.iter().rev() {
                    if let Object::Reference(k) = kid {
                        stack.push((kid.clone(), Some(*k), depth + 1));
                    }
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::testing::classic;
    use crate::pdf::Budget;

    fn keys(entries: &[NameTreeEntry]) -> Vec<String> {
        entries
            .iter()
            .map(|e| String::from_utf8_lossy(&e.key).into_owned())
            .collect()
    }

    #[test]
    fn walks_kids_in_order_and_keeps_direct_and_indirect_values() {
        let pdf = classic(
            &[
                "<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>",
                "<< /Kids [3 0 R 4 0 R] >>",
                "<< /Limits [(a) (b)] /Names [(a) 5 0 R (b) << /X 1 >>] >>",
                "<< /Limits [(c) (c)] /Names [(c) 5 0 R] >>",
                "<< /Type /Filespec >>",
            ],
            "",
        );
        let doc = Document::open(pdf.as_slice()).unwrap();
        let root = Object::Reference(ObjRef::new(2, 0));
        let entries = name_tree_entries(&doc, 0, &root).unwrap();
        assert_eq!(keys(&entries), ["a", "b", "c"]);
        assert_eq!(entries[0].value, Object::Reference(ObjRef::new(5, 0)));
        assert!(entries[1].value.as_dict().is_some());
        assert_eq!(entries[2].node, Some(ObjRef::new(4, 0)));
    }

    #[test]
    fn cycles_and_junk_are_skipped() {
        let pdf = classic(
            &[
                "<< /Type /Catalog >>",
                "<< /Kids [2 0 R 3 0 R 7] /Names [(x) 1 0 R 42 (y)] >>",
                "<< /Names [(z) null (odd)] /Kids 4 0 R >>",
                "[2 0 R]",
            ],
            "",
        );
        let doc = Document::open(pdf.as_slice()).unwrap();
        let entries = name_tree_entries(&doc, 0, &Object::Reference(ObjRef::new(2, 0))).unwrap();
        assert_eq!(keys(&entries), ["x", "z"]);
        assert!(name_tree_entries(&doc, 0, &Object::Null)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn the_node_budget_stops_a_wide_tree() {
        let pdf = classic(
            &[
                "<< /Type /Catalog >>",
                "<< /Kids [3 0 R 4 0 R 5 0 R] >>",
                "<< /Names [(a) 1] >>",
                "<< /Names [(b) 2] >>",
                "<< /Names [(c) 3] >>",
            ],
            "",
        );
        let budget = Budget {
            max_tree_nodes: 3,
            ..Budget::default()
        };
        let doc = Document::open_with(pdf.as_slice(), budget).unwrap();
        let err = name_tree_entries(&doc, 0, &Object::Reference(ObjRef::new(2, 0))).unwrap_err();
        assert!(matches!(err, PdfError::BudgetExceeded { .. }), "{err}");
    }
}
