//! Limits on the work and memory that one untrusted PDF may cost.
//!
//! Every loop, recursion and decompression driven by the file is bounded by one of these
//! numbers; exceeding one is a [`PdfError::BudgetExceeded`](super::PdfError::BudgetExceeded)
//! naming it, never a hang, a crash or an unbounded allocation.

/// Limits on the work and memory one document may cost. Start from [`Budget::default`] and
/// change the fields you need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Budget {
    /// Most cross-reference sections followed through `/Prev` (default 1 000; documents that
    /// have been saved a few hundred times exist, thousands do not).
    pub max_revisions: usize,
    /// Most cross-reference entries over all revisions, and most objects in one object stream
    /// (default 4 194 304; about 100 MiB of entry tables at worst).
    pub max_objects: u64,
    /// Deepest nesting of arrays and dictionaries in one object (default 100; real files stay
    /// below 20).
    pub max_depth: usize,
    /// Largest object (its dictionary, never its stream data) and largest cross-reference
    /// subsection, in bytes (default 64 MiB).
    pub max_object_bytes: u64,
    /// Most bytes one stream may decode to, and most raw stream bytes read into memory at once
    /// (default 256 MiB). A Flate bomb stops here.
    pub max_decoded_bytes: u64,
    /// Most bytes the document decodes on its own (object streams) over its lifetime
    /// (default 2 GiB). Many object streams that each inflate to just under
    /// `max_decoded_bytes` stop here instead of costing hours.
    pub max_total_decoded_bytes: u64,
    /// Longest chain of references followed to reach a direct object (default 32).
    pub max_resolve_chain: usize,
    /// Most nodes visited in one tree walk: page tree, form fields (default 100 000).
    pub max_tree_nodes: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_revisions: 1_000,
            max_objects: 4 * 1024 * 1024,
            max_depth: 100,
            max_object_bytes: 64 * 1024 * 1024,
            max_decoded_bytes: 256 * 1024 * 1024,
            max_total_decoded_bytes: 2 * 1024 * 1024 * 1024,
            max_resolve_chain: 32,
            max_tree_nodes: 100_000,
        }
    }
}
