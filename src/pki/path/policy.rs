//! The valid_policy_tree of RFC 5280 §6.1: certificate policies, policy mappings and the
//! user-initial-policy-set.
//!
//! The tree is stored level by level (depth 0 holds the root anyPolicy node); a node points to
//! its parent by index in the level above. Deleted nodes are marked dead rather than removed so
//! that indices stay valid. The number of nodes is bounded ([`MAX_NODES`]): a path crafted to
//! make the tree grow exponentially (many policies and mappings per certificate) fails with
//! [`PolicyError::TooLarge`] instead of exhausting memory.

use std::collections::BTreeSet;

/// anyPolicy (RFC 5280 §4.2.1.4).
pub const ANY_POLICY: &str = "2.5.29.32.0";

/// Most nodes the tree may hold over the whole path.
pub const MAX_NODES: usize = 4096;

#[derive(Debug, Clone)]
struct Node {
    valid_policy: String,
    expected: BTreeSet<String>,
    parent: usize,
    alive: bool,
}

/// Why policy processing failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// The tree grew past [`MAX_NODES`].
    TooLarge,
}

/// The valid_policy_tree; `None` in [`PolicyTree::levels`] terms is the NULL tree.
#[derive(Debug, Clone)]
pub struct PolicyTree {
    levels: Vec<Vec<Node>>,
    null: bool,
    nodes: usize,
}

impl PolicyTree {
    /// The initial tree: one anyPolicy node at depth 0 (§6.1.2 (a)).
    pub fn new() -> Self {
        PolicyTree {
            levels: vec![vec![Node {
                valid_policy: ANY_POLICY.to_string(),
                expected: BTreeSet::from([ANY_POLICY.to_string()]),
                parent: 0,
                alive: true,
            }]],
            null: false,
            nodes: 1,
        }
    }

    /// True for the NULL tree.
    pub fn is_null(&self) -> bool {
        self.null
    }

    /// Sets the tree to NULL (§6.1.3 (e)).
    pub fn set_null(&mut self) {
        self.null = true;
    }

    fn depth(&self) -> usize {
        self.levels.len().saturating_sub(1)
    }

    fn push(&mut self, level: &mut Vec<Node>, node: Node) -> Result<(), PolicyError> {
        self.nodes = self.nodes.saturating_add(1);
        if self.nodes > MAX_NODES {
            return Err(PolicyError::TooLarge);
        }
        level.push(node);
        Ok(())
    }

    /// §6.1.3 (d): processes the certificatePolicies of certificate `i` (1-based).
    /// `any_allowed` is "inhibit_anyPolicy > 0, or i < n and the certificate is self-issued".
    pub fn process_certificate(
        &mut self,
        policies: &[String],
        any_allowed: bool,
    ) -> Result<(), PolicyError> {
        if self.null {
            return Ok(());
        }
        let parent_level = self.levels.last().cloned().unwrap_or_default();
        let mut level: Vec<Node> = Vec::new();
        // (1) each policy other than anyPolicy.
        for p in policies.iter().filter(|p| p.as_str() != ANY_POLICY) {
            let mut matched = false;
            for (idx, parent) in parent_level.iter().enumerate() {
                if parent.alive && parent.expected.contains(p) {
                    matched = true;
                    self.push(&mut level, child(p, idx))?;
                }
            }
            if !matched {
                for (idx, parent) in parent_level.iter().enumerate() {
                    if parent.alive && parent.valid_policy == ANY_POLICY {
                        self.push(&mut level, child(p, idx))?;
                    }
                }
            }
        }
        // (2) anyPolicy, when allowed.
        if any_allowed && policies.iter().any(|p| p == ANY_POLICY) {
            for (idx, parent) in parent_level.iter().enumerate() {
                if !parent.alive {
                    continue;
                }
                for e in &parent.expected {
                    let exists = level
                        .iter()
                        .any(|n| n.parent == idx && &n.valid_policy == e);
                    if !exists {
                        self.push(&mut level, child(e, idx))?;
                    }
                }
            }
        }
        self.levels.push(level);
        // (3) prune.
        self.prune();
        Ok(())
    }

    /// §6.1.4 (b): applies certificate `i`'s policy mappings to the nodes at its depth.
    /// With `mapping_allowed` (policy_mapping > 0) expected sets are rewritten; otherwise the
    /// mapped nodes are deleted.
    pub fn apply_mappings(
        &mut self,
        mappings: &[(String, String)],
        mapping_allowed: bool,
    ) -> Result<(), PolicyError> {
        if self.null || mappings.is_empty() {
            return Ok(());
        }
        let issuer_policies: BTreeSet<&String> = mappings.iter().map(|(i, _)| i).collect();
        let depth = self.depth();
        if mapping_allowed {
            for id_p in issuer_policies {
                let mapped: BTreeSet<String> = mappings
                    .iter()
                    .filter(|(i, _)| i == id_p)
                    .map(|(_, s)| s.clone())
                    .collect();
                let Some(level) = self.levels.get_mut(depth) else {
                    return Ok(());
                };
                let mut found = false;
                for n in level
                    .iter_mut()
                    .filter(|n| n.alive && &n.valid_policy == id_p)
                {
                    n.expected = mapped.clone();
                    found = true;
                }
                if !found {
                    let any_parent = level
                        .iter()
                        .find(|n| n.alive && n.valid_policy == ANY_POLICY)
                        .map(|n| n.parent);
                    if let Some(parent) = any_parent {
                        let mut new_level = std::mem::take(level);
                        let node = Node {
                            valid_policy: id_p.clone(),
                            expected: mapped,
                            parent,
                            alive: true,
                        };
                        let pushed = self.push(&mut new_level, node);
                        if let Some(level) = self.levels.get_mut(depth) {
                            *level = new_level;
                        }
                        pushed?;
                    }
                }
            }
        } else {
            if let Some(level) = self.levels.get_mut(depth) {
                for n in level
                    .iter_mut()
                    .filter(|n| issuer_policies.contains(&n.valid_policy))
                {
                    n.alive = false;
                }
            }
            self.prune();
        }
        Ok(())
    }

    /// Deletes nodes (above the deepest level) without live children; the tree becomes NULL
    /// when the root dies.
    fn prune(&mut self) {
        let depth = self.depth();
        for d in (0..depth).rev() {
            let alive_parents: BTreeSet<usize> = self
                .levels
                .get(d + 1)
                .map(|l| l.iter().filter(|n| n.alive).map(|n| n.parent).collect())
                .unwrap_or_default();
            if let Some(level) = self.levels.get_mut(d) {
                for (idx, n) in level.iter_mut().enumerate() {
                    if n.alive && !alive_parents.contains(&idx) {
                        n.alive = false;
                    }
                }
            }
        }
        // Children of dead parents die too (deletion of a subtree).
        for d in 1..=depth {
            let dead: BTreeSet<usize> = self
                .levels
                .get(d - 1)
                .map(|l| {
                    l.iter()
                        .enumerate()
                        .filter(|(_, n)| !n.alive)
                        .map(|(i, _)| i)
                        .collect()
                })
                .unwrap_or_default();
            if let Some(level) = self.levels.get_mut(d) {
                for n in level.iter_mut() {
                    if dead.contains(&n.parent) {
                        n.alive = false;
                    }
                }
            }
        }
        let root_alive = self
            .levels
            .first()
            .and_then(|l| l.first())
            .is_some_and(|n| n.alive);
        let any_at_depth = self
            .levels
            .get(depth)
            .is_some_and(|l| l.iter().any(|n| n.alive));
        if !root_alive || !any_at_depth {
            self.null = true;
        }
    }

    /// §6.1.5 (g): intersects the tree with the user-initial-policy-set (`None` = any-policy)
    /// and returns the authorities' policies that remain valid for the user: `None` when the
    /// intersection is NULL.
    pub fn intersect(&mut self, user_set: Option<&[String]>) -> Option<BTreeSet<String>> {
        if self.null {
            return None;
        }
        let n = self.depth();
        if let Some(user) = user_set {
            // (iii) 1-2: nodes whose parent is anyPolicy, not in the user set, are deleted.
            for d in 1..=n {
                let any_parents: BTreeSet<usize> = self
                    .levels
                    .get(d - 1)
                    .map(|l| {
                        l.iter()
                            .enumerate()
                            .filter(|(_, p)| p.alive && p.valid_policy == ANY_POLICY)
                            .map(|(i, _)| i)
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(level) = self.levels.get_mut(d) {
                    for node in level.iter_mut().filter(|x| x.alive) {
                        if any_parents.contains(&node.parent)
                            && node.valid_policy != ANY_POLICY
                            && !user.contains(&node.valid_policy)
                        {
                            node.alive = false;
                        }
                    }
                }
                self.kill_orphans();
            }
            // (iii) 3: anyPolicy at depth n is replaced by the user's policies.
            let any_leaf = self.levels.get(n).and_then(|l| {
                l.iter()
                    .position(|x| x.alive && x.valid_policy == ANY_POLICY)
                    .map(|i| (i, l.get(i).map(|x| x.parent).unwrap_or(0)))
            });
            if let Some((leaf_idx, parent)) = any_leaf {
                let present = self.valid_policy_node_set();
                let mut added = Vec::new();
                for p in user {
                    if !present.contains(p) {
                        added.push(Node {
                            valid_policy: p.clone(),
                            expected: BTreeSet::from([p.clone()]),
                            parent,
                            alive: true,
                        });
                    }
                }
                if let Some(level) = self.levels.get_mut(n) {
                    if let Some(leaf) = level.get_mut(leaf_idx) {
                        leaf.alive = false;
                    }
                    level.extend(added);
                }
            }
            // (iii) 4: prune.
            self.prune();
            if self.null {
                return None;
            }
        }
        let leaves: BTreeSet<String> = self
            .levels
            .get(n)
            .map(|l| {
                l.iter()
                    .filter(|x| x.alive)
                    .map(|x| x.valid_policy.clone())
                    .collect()
            })
            .unwrap_or_default();
        if leaves.is_empty() {
            None
        } else {
            Some(leaves)
        }
    }

    /// The valid policies of the nodes whose parent is an anyPolicy node (§6.1.5 (g)(iii)1).
    fn valid_policy_node_set(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for d in 1..self.levels.len() {
            let (Some(up), Some(level)) = (self.levels.get(d - 1), self.levels.get(d)) else {
                continue;
            };
            for node in level.iter().filter(|x| x.alive) {
                if up
                    .get(node.parent)
                    .is_some_and(|p| p.alive && p.valid_policy == ANY_POLICY)
                {
                    out.insert(node.valid_policy.clone());
                }
            }
        }
        out
    }

    fn kill_orphans(&mut self) {
        for d in 1..self.levels.len() {
            let dead: BTreeSet<usize> = self
                .levels
                .get(d - 1)
                .map(|l| {
                    l.iter()
                        .enumerate()
                        .filter(|(_, n)| !n.alive)
                        .map(|(i, _)| i)
                        .collect()
                })
                .unwrap_or_default();
            if let Some(level) = self.levels.get_mut(d) {
                for n in level.iter_mut() {
                    if dead.contains(&n.parent) {
                        n.alive = false;
                    }
                }
            }
        }
    }
}

impl Default for PolicyTree {
    fn default() -> Self {
        Self::new()
    }
}

fn child(policy: &str, parent: usize) -> Node {
    Node {
        valid_policy: policy.to_string(),
        expected: BTreeSet::from([policy.to_string()]),
        parent,
        alive: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn same_policy_survives_different_policy_dies() {
        let mut t = PolicyTree::new();
        t.process_certificate(&s(&["1.1"]), true).unwrap();
        t.process_certificate(&s(&["1.1"]), true).unwrap();
        assert!(!t.is_null());
        assert_eq!(t.clone().intersect(None).unwrap().len(), 1);
        t.process_certificate(&s(&["1.2"]), true).unwrap();
        assert!(t.is_null());
    }

    #[test]
    fn mapping_rewrites_expected_set() {
        let mut t = PolicyTree::new();
        t.process_certificate(&s(&["1.1"]), true).unwrap();
        t.apply_mappings(&[("1.1".into(), "1.2".into())], true)
            .unwrap();
        t.process_certificate(&s(&["1.2"]), true).unwrap();
        assert!(!t.is_null());
        // The user's domain policy is the issuer-side one.
        assert!(t.clone().intersect(Some(&s(&["1.1"]))).is_some());
        assert!(t.intersect(Some(&s(&["1.3"]))).is_none());
    }
}
