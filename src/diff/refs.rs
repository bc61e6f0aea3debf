//! Who uses an object: one scan of every object of a revision (and its trailer), recording
//! where each object of interest is referenced.
//!
//! Some changes are harmless only when the changed object serves a single purpose: an
//! appearance stream may be redrawn when only the widget being signed shows it, the document
//! information dictionary may be rewritten when only the trailer points to it. A rule asks
//! [`Referrers::of`] for the places that refer to the object in the revision before the
//! change, and allows the change only when every one of them is a place it expects.

use std::collections::{BTreeMap, BTreeSet};

use crate::pdf::{Dict, Document, ObjRef, Object, PdfError, Source, XrefEntry};

use super::known::{Known, ObjectFacts};

/// One place that refers to an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    /// The object holding the reference; `None` for the trailer dictionary.
    pub holder: Option<ObjRef>,
    /// The dictionary keys from the holder down to the reference (array positions are not
    /// recorded): `[AP, N]` for `/AP << /N 9 0 R >>`.
    pub path: Vec<Vec<u8>>,
}

impl Referrer {
    /// True when the path is exactly `keys`.
    pub fn path_is(&self, keys: &[&[u8]]) -> bool {
        self.path.len() == keys.len() && self.path.iter().zip(keys).all(|(a, b)| a == b)
    }

    /// The first key of the path, if any.
    pub fn first_key(&self) -> Option<&[u8]> {
        self.path.first().map(Vec::as_slice)
    }

    /// Human form: `9 0 R /AP /N` or `trailer /Info`.
    pub fn describe(&self) -> String {
        let mut s = match self.holder {
            Some(r) => r.to_string(),
            None => "the trailer".to_string(),
        };
        for k in &self.path {
            s.push_str(" /");
            s.push_str(&String::from_utf8_lossy(k));
        }
        s
    }
}

/// What a scan found about a set of target objects.
#[derive(Debug, Default)]
pub struct Referrers {
    /// Object numbers scanned for.
    targets: BTreeSet<u32>,
    found: BTreeMap<u32, Vec<Referrer>>,
    /// Objects that could not be read: they may refer to anything.
    unreadable: Vec<ObjRef>,
}

/// Where a question about referrers stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uses {
    /// The object is referred to from exactly these places (possibly none).
    Known(Vec<Referrer>),
    /// Some object could not be read, so other uses cannot be excluded.
    Unknown(ObjRef),
}

impl Referrers {
    /// Scans revision `rev` for references to the object numbers in `targets`. Objects that
    /// cannot be parsed are remembered as unreadable; exhausted budgets and I/O errors are
    /// returned. Cross-reference and object streams are structure, not users.
    #[cfg(test)]
    pub fn scan<S: Source>(
        doc: &Document<S>,
        rev: usize,
        targets: BTreeSet<u32>,
    ) -> Result<Self, PdfError> {
        Self::scan_with(doc, &Known::new(), rev, targets)
    }

    /// [`Referrers::scan`], taking the references of objects read from the file from
    /// `known` (and leaving there those it reads): the same result, without reading again
    /// an object that an earlier scan of another revision saw at the same place.
    pub(super) fn scan_with<S: Source>(
        doc: &Document<S>,
        known: &Known,
        rev: usize,
        targets: BTreeSet<u32>,
    ) -> Result<Self, PdfError> {
        let mut out = Referrers {
            targets,
            ..Referrers::default()
        };
        if out.targets.is_empty() {
            return Ok(out);
        }
        if let Some(trailer) = doc.trailer(rev) {
            out.walk_dict(None, trailer, &mut Vec::new());
        }
        for (r, entry) in known.placement(doc).objects(rev) {
            let kept = match entry {
                XrefEntry::InFile { offset, .. } => known.at(offset, r),
                _ => None,
            };
            if let Some(facts) = kept {
                out.replay(r, &facts);
                continue;
            }
            match doc.get(rev, r) {
                Ok(Some(o)) => match known.remember(doc, rev, r, &o) {
                    Some(facts) => out.replay(r, &facts),
                    None => match &o {
                        Object::Stream(s) => {
                            if !(s.dict.is_type(b"XRef") || s.dict.is_type(b"ObjStm")) {
                                out.walk_dict(Some(r), &s.dict, &mut Vec::new());
                            }
                        }
                        other => out.walk(Some(r), other, &mut Vec::new()),
                    },
                },
                Ok(None) => {}
                Err(e @ (PdfError::BudgetExceeded { .. } | PdfError::Io(_))) => return Err(e),
                Err(_) => out.unreadable.push(r),
            }
        }
        Ok(out)
    }

    /// The places referring to object `target` (matched by number). `None` when `target`
    /// was not among the scanned targets.
    pub fn of(&self, target: ObjRef) -> Option<Uses> {
        if !self.targets.contains(&target.num) {
            return None;
        }
        if let Some(&r) = self.unreadable.iter().find(|r| r.num != target.num) {
            return Some(Uses::Unknown(r));
        }
        Some(Uses::Known(
            self.found.get(&target.num).cloned().unwrap_or_default(),
        ))
    }

    /// Records the references to targets that the object `holder` holds, as kept in
    /// `facts`: the same as walking the object.
    fn replay(&mut self, holder: ObjRef, facts: &ObjectFacts) {
        for (num, path) in &facts.refs {
            if self.targets.contains(num) && holder.num != *num {
                self.found.entry(*num).or_default().push(Referrer {
                    holder: Some(holder),
                    path: path.clone(),
                });
            }
        }
    }

    // Recursion depth is bounded by the parser's nesting budget: every object walked here
    // came out of the parser.
    fn walk(&mut self, holder: Option<ObjRef>, o: &Object, path: &mut Vec<Vec<u8>>) {
        match o {
            Object::Reference(r)
                if self.targets.contains(&r.num) && holder.is_none_or(|h| h.num != r.num) =>
            {
                self.found.entry(r.num).or_default().push(Referrer {
                    holder,
                    path: path.clone(),
                });
            }
            Object::Array(items) => {
                for item in items {
                    self.walk(holder, item, path);
                }
            }
            Object::Dict(d) => self.walk_dict(holder, d, path),
            Object::Stream(s) => self.walk_dict(holder, &s.dict, path),
            _ => {}
        }
    }

    fn walk_dict(&mut self, holder: Option<ObjRef>, d: &Dict, path: &mut Vec<Vec<u8>>) {
        for (k, v) in d.iter() {
            path.push(k.as_bytes().to_vec());
            self.walk(holder, v, path);
            path.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::testing::classic as doc;

    #[test]
    fn finds_every_place_including_the_trailer() {
        let bytes = doc(
            &[
                "<< /Type /Catalog /Pages 2 0 R /Foo [ 3 0 R ] >>",
                "<< /Type /Pages /Kids [] /Count 0 /AP << /N 3 0 R >> >>",
                "<< >>",
            ],
            "/Bar 3 0 R",
        );
        let d = Document::open(bytes.as_slice()).unwrap();
        let refs = Referrers::scan(&d, 0, [3u32].into_iter().collect()).unwrap();
        let Some(Uses::Known(found)) = refs.of(ObjRef::new(3, 0)) else {
            panic!("expected known uses");
        };
        let described: Vec<String> = found.iter().map(Referrer::describe).collect();
        assert_eq!(
            described,
            vec!["the trailer /Bar", "1 0 R /Foo", "2 0 R /AP /N"]
        );
        assert!(found[2].path_is(&[b"AP", b"N"]));
        assert!(refs.of(ObjRef::new(2, 0)).is_none());
    }

    #[test]
    fn an_unreadable_object_makes_uses_unknown() {
        let bytes = doc(&["<< /Type /Catalog >>", "<< /A 3 0 R", "<< >>"], "");
        let d = Document::open(bytes.as_slice()).unwrap();
        let refs = Referrers::scan(&d, 0, [3u32].into_iter().collect()).unwrap();
        assert_eq!(
            refs.of(ObjRef::new(3, 0)),
            Some(Uses::Unknown(ObjRef::new(2, 0)))
        );
    }
}
