//! The page tree (ISO 32000-2 §7.7.3): the pages of a revision, in order.

use std::collections::HashSet;

use super::document::Document;
use super::error::PdfError;
use super::object::{ObjRef, Object};
use super::source::Source;

/// The page objects of revision `rev`, in document order.
///
/// Walks `/Root /Pages` depth first. A node with `/Type /Pages` (or, without `/Type`, with
/// `/Kids`) is an inner node; anything else is a page. Kids that are not references, that
/// do not resolve to dictionaries, or that were already visited (a cycle) are skipped. At most
/// `max_tree_nodes` nodes are visited.
pub fn pages<S: Source>(doc: &Document<S>, rev: usize) -> Result<Vec<ObjRef>, PdfError> {
    let catalog = doc.catalog(rev)?;
    let Some(Object::Reference(root)) = catalog.get(b"Pages").cloned() else {
        return Err(PdfError::Missing("/Pages reference in the catalog"));
    };
    let limit = doc.budget().max_tree_nodes;
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack = vec![root];
    let mut visited = 0usize;
    while let Some(r) = stack.pop() {
        if !seen.insert(r) {
            continue;
        }
        visited += 1;
        if visited > limit {
            return Err(PdfError::budget("page tree nodes", limit as u64));
        }
        let Some(node) = doc.resolve_dict(rev, &Object::Reference(r))? else {
            continue;
        };
        let kids = node.get(b"Kids");
        let is_inner = match node.get_name(b"Type") {
            Some(b"Pages") => true,
            Some(b"Page") => false,
            _ => kids.is_some(),
        };
        if !is_inner {
            out.push(r);
            continue;
        }
        let kids = match kids {
            Some(k) => doc.resolve(rev, k)?,
            None => continue,
        };
        if let Object::Array(items) = kids {
            for kid in items.iter().rev() {
                if let Object::Reference(k) = kid {
                    stack.push(*k);
                }
            }
        }
    }
    Ok(out)
}
