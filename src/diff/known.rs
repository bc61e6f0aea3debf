//! What the analysis learns about a document once and reuses for every revision it judges.
//!
//! Every revision of a document with N signatures holds up to N signature dictionaries,
//! each with a large `/Contents`. Judging a revision scans all its objects for referrers
//! and looks at every signature field's value; done afresh for each of the N revisions,
//! that is N² object reads (and copies of `/Contents`). Two memos make it linear in reads:
//!
//! - **Objects by place.** An object written in the file (not in an object stream; a stream
//!   only with a direct `/Length`) parses the same whichever revision reads it — the
//!   parser's cache relies on this too. What the rules need from it is kept under its place
//!   in the file (offset and object id): the references it holds, and whether it is null, a
//!   signature dictionary or something else. A revision that sees the object at the same
//!   place gets the same answer without reading it; a revision that redefines it sees
//!   another place. Where an object lies in a revision is looked up in an index of all
//!   cross-reference entries by number (built once), not by searching the revisions
//!   newest first, which would cost a pass over the revisions per object.
//! - **Fields by revision.** The form fields of a revision, read once for the last few
//!   revisions asked: judging revision k reads the fields of k−1 and k, and the next
//!   revision judged (k−1 or k+1) needs one of them again.
//!
//! Both are bounded; past the bounds, the analysis reads objects as before.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use crate::pdf::xref::XrefEntry;
use crate::pdf::{acroform, Dict, Document, Field, ObjRef, Object, PdfError, Source};

use super::context::SigKind;

/// Most objects remembered by place.
const MAX_OBJECTS: usize = 1 << 16;
/// Most references remembered in all (each with its key path).
const MAX_REFERENCES: usize = 1 << 18;
/// Revisions whose fields are kept.
const FIELD_REVISIONS: usize = 4;

/// What a value resolves to, as far as signature fields care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// `null` (or a missing object).
    Null,
    /// A signature dictionary (see [`acroform::is_signature_dictionary`]).
    Signature(SigKind),
    /// Anything else, including a value that cannot be read.
    Other,
}

impl ValueKind {
    /// The kind of a direct object.
    pub fn of(o: &Object) -> Self {
        match o {
            Object::Null => ValueKind::Null,
            Object::Dict(d) => Self::of_dict(d),
            _ => ValueKind::Other,
        }
    }

    fn of_dict(d: &Dict) -> Self {
        if acroform::is_signature_dictionary(d) {
            ValueKind::Signature(SigKind::of(d))
        } else {
            ValueKind::Other
        }
    }
}

/// What is kept about one object read from the file.
#[derive(Debug)]
pub struct ObjectFacts {
    /// Every reference the object holds, in the order a walk of the object meets them:
    /// the referenced object number and the dictionary keys leading to it.
    pub refs: Vec<(u32, Vec<Vec<u8>>)>,
    /// What the object is; `None` when it is itself a reference (resolving goes on).
    pub kind: Option<ValueKind>,
}

/// The memos of one document (see the module documentation).
#[derive(Debug, Default)]
pub struct Known {
    placement: OnceCell<Placement>,
    objects: RefCell<HashMap<(u64, ObjRef), Rc<ObjectFacts>>>,
    references: Cell<usize>,
    fields: RefCell<VecDeque<(usize, Rc<Vec<Field>>)>>,
}

impl Known {
    /// Empty memos.
    #[cfg(test)]
    pub fn new() -> Self {
        Known::default()
    }

    /// The cross-reference entries of `doc` by number.
    pub fn placement<S: Source>(&self, doc: &Document<S>) -> &Placement {
        self.placement.get_or_init(|| Placement::of(doc))
    }

    /// Where object `r` lies in the file as revision `rev` sees it, when it is written
    /// directly in the file under that generation.
    fn place<S: Source>(&self, doc: &Document<S>, rev: usize, r: ObjRef) -> Option<u64> {
        match self.placement(doc).entry(rev, r.num) {
            Some(XrefEntry::InFile { offset, gen }) if gen == r.gen => Some(offset),
            _ => None,
        }
    }

    /// The facts kept about the object `r` at `offset`.
    pub fn at(&self, offset: u64, r: ObjRef) -> Option<Rc<ObjectFacts>> {
        self.objects.borrow().get(&(offset, r)).cloned()
    }

    /// The facts about object `r` of revision `rev`, when they were kept.
    pub fn remembered<S: Source>(
        &self,
        doc: &Document<S>,
        rev: usize,
        r: ObjRef,
    ) -> Option<Rc<ObjectFacts>> {
        let offset = self.place(doc, rev, r)?;
        self.at(offset, r)
    }

    /// Keeps the facts about `o`, just read as object `r` of revision `rev`, when it
    /// qualifies (written directly in the file; a stream only with a direct `/Length`) and
    /// the bounds allow. The references of a cross-reference or object stream are not kept:
    /// those streams are structure, not users of objects.
    pub fn remember<S: Source>(
        &self,
        doc: &Document<S>,
        rev: usize,
        r: ObjRef,
        o: &Object,
    ) -> Option<Rc<ObjectFacts>> {
        let mut refs = Vec::new();
        match o {
            Object::Stream(s) => {
                if matches!(s.dict.get(b"Length"), Some(Object::Reference(_))) {
                    return None;
                }
                if !(s.dict.is_type(b"XRef") || s.dict.is_type(b"ObjStm")) {
                    collect_references(o, &mut Vec::new(), &mut refs);
                }
            }
            other => collect_references(other, &mut Vec::new(), &mut refs),
        }
        let offset = self.place(doc, rev, r)?;
        if self.objects.borrow().len() >= MAX_OBJECTS {
            return None;
        }
        let total = self.references.get().saturating_add(refs.len());
        if total > MAX_REFERENCES {
            return None;
        }
        self.references.set(total);
        let kind = match o {
            Object::Reference(_) => None,
            other => Some(ValueKind::of(other)),
        };
        let facts = Rc::new(ObjectFacts { refs, kind });
        self.objects
            .borrow_mut()
            .insert((offset, r), Rc::clone(&facts));
        Some(facts)
    }

    /// What `v` resolves to in revision `rev` (an error counts as [`ValueKind::Other`]).
    /// The same as classifying `doc.resolve(rev, v)`, without copying the object when its
    /// facts are kept.
    pub fn value_kind<S: Source>(&self, doc: &Document<S>, rev: usize, v: &Object) -> ValueKind {
        let Object::Reference(r) = v else {
            return ValueKind::of(v);
        };
        // One step of resolution is what `resolve` does first, when its budget allows one.
        if doc.budget().max_resolve_chain >= 1 {
            let facts = match self.remembered(doc, rev, *r) {
                Some(f) => Some(f),
                None => match doc.get(rev, *r) {
                    Ok(Some(o)) => match self.remember(doc, rev, *r, &o) {
                        Some(f) => Some(f),
                        // Not kept: classify what was read, unless resolving goes on.
                        None if !matches!(o, Object::Reference(_)) => return ValueKind::of(&o),
                        None => None,
                    },
                    _ => None,
                },
            };
            if let Some(kind) = facts.and_then(|f| f.kind) {
                return kind;
            }
        }
        match doc.resolve(rev, v) {
            Ok(o) => ValueKind::of(&o),
            Err(_) => ValueKind::Other,
        }
    }

    /// True when resolving `v` in revision `rev` is known to succeed without reading
    /// anything: a direct object, or a reference to a kept object that is not itself a
    /// reference.
    pub fn resolves<S: Source>(&self, doc: &Document<S>, rev: usize, v: &Object) -> bool {
        match v {
            Object::Reference(r) => {
                doc.budget().max_resolve_chain >= 1
                    && self
                        .remembered(doc, rev, *r)
                        .is_some_and(|f| f.kind.is_some())
            }
            _ => true,
        }
    }

    /// The terminal form fields of revision `rev` ([`acroform::fields`]), kept for the last
    /// few revisions asked. Errors are not kept (asking again reads again).
    pub fn fields<S: Source>(
        &self,
        doc: &Document<S>,
        rev: usize,
    ) -> Result<Rc<Vec<Field>>, PdfError> {
        if let Some((_, hit)) = self.fields.borrow().iter().find(|(r, _)| *r == rev) {
            return Ok(Rc::clone(hit));
        }
        let fields = Rc::new(acroform::fields(doc, rev)?);
        let mut kept = self.fields.borrow_mut();
        if kept.len() >= FIELD_REVISIONS {
            kept.pop_front();
        }
        kept.push_back((rev, Rc::clone(&fields)));
        Ok(fields)
    }
}

/// The cross-reference entries of a document by object number, each number with the
/// revisions whose section has an entry for it: what [`Document::lookup`] and
/// [`Document::object_numbers`] answer, found by binary search.
#[derive(Debug, Default)]
pub struct Placement {
    revisions: usize,
    numbers: Vec<(u32, Vec<(usize, XrefEntry)>)>,
}

impl Placement {
    /// The index of `doc`'s entries.
    pub fn of<S: Source>(doc: &Document<S>) -> Self {
        let mut all: Vec<(u32, usize, XrefEntry)> = doc
            .revisions()
            .iter()
            .enumerate()
            .flat_map(|(i, rv)| rv.entries.iter().map(move |&(n, e)| (n, i, e)))
            .collect();
        all.sort_unstable_by_key(|&(n, i, _)| (n, i));
        let mut numbers: Vec<(u32, Vec<(usize, XrefEntry)>)> = Vec::new();
        for (n, i, e) in all {
            match numbers.last_mut() {
                Some((last, list)) if *last == n => list.push((i, e)),
                _ => numbers.push((n, vec![(i, e)])),
            }
        }
        Placement {
            revisions: doc.revisions().len(),
            numbers,
        }
    }

    /// The entry for object number `num` as revision `rev` sees it (see
    /// [`Document::lookup`]).
    pub fn entry(&self, rev: usize, num: u32) -> Option<XrefEntry> {
        if rev >= self.revisions {
            return None;
        }
        let i = self.numbers.binary_search_by_key(&num, |(n, _)| *n).ok()?;
        Self::newest(&self.numbers.get(i)?.1, rev)
    }

    fn newest(list: &[(usize, XrefEntry)], rev: usize) -> Option<XrefEntry> {
        let k = list.partition_point(|&(i, _)| i <= rev);
        list.get(k.checked_sub(1)?).map(|&(_, e)| e)
    }

    /// The objects in use in revision `rev`, in number order, with their entries (see
    /// [`Document::object_numbers`]).
    pub fn objects(&self, rev: usize) -> impl Iterator<Item = (ObjRef, XrefEntry)> + '_ {
        let numbers = match rev < self.revisions {
            true => self.numbers.as_slice(),
            false => &[],
        };
        numbers.iter().filter_map(move |(n, list)| {
            let e = Self::newest(list, rev)?;
            match e {
                _ if *n == 0 => None,
                XrefEntry::InFile { gen, .. } => Some((ObjRef::new(*n, gen), e)),
                XrefEntry::InStream { .. } => Some((ObjRef::new(*n, 0), e)),
                XrefEntry::Free { .. } => None,
            }
        })
    }
}

/// Every reference in `o`, in walk order, with the dictionary keys leading to it (array
/// positions are not recorded). Recursion depth is bounded by the parser's nesting budget:
/// every object walked here came out of the parser.
pub fn collect_references(o: &Object, path: &mut Vec<Vec<u8>>, out: &mut Vec<(u32, Vec<Vec<u8>>)>) {
    match o {
        Object::Reference(r) => out.push((r.num, path.clone())),
        Object::Array(items) => {
            for item in items {
                collect_references(item, path, out);
            }
        }
        Object::Dict(d) => collect_dict_references(d, path, out),
        Object::Stream(s) => collect_dict_references(&s.dict, path, out),
        _ => {}
    }
}

fn collect_dict_references(d: &Dict, path: &mut Vec<Vec<u8>>, out: &mut Vec<(u32, Vec<Vec<u8>>)>) {
    for (k, v) in d.iter() {
        path.push(k.as_bytes().to_vec());
        collect_references(v, path, out);
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::refs::{Referrer, Referrers, Uses};
    use crate::pdf::testing::build;

    /// Revision 0: a catalog with a form of one signed field; revision 1 redefines the field
    /// to point elsewhere, signs a second field and adds a stream that refers to object 3.
    fn document() -> Vec<u8> {
        let sig = "<< /Type /Sig /Filter /Adobe.PPKLite /ByteRange [0 1 2 3] /Contents <00> >>";
        build(&[
            (
                &[
                    (1, "<< /Type /Catalog /AcroForm << /Fields [2 0 R] >> >>"),
                    (2, "<< /FT /Sig /T (a) /V 3 0 R /P 9 0 R >>"),
                    (3, sig),
                    (4, "5 0 R"),
                    (5, "null"),
                ],
                "",
            ),
            (
                &[
                    (
                        1,
                        "<< /Type /Catalog /AcroForm << /Fields [2 0 R 6 0 R] >> /X 8 0 R >>",
                    ),
                    (2, "<< /FT /Sig /T (a) /V 3 0 R /Kids [] /Q 5 0 R >>"),
                    (
                        6,
                        "<< /FT /Sig /T (b) /V 7 0 R /AP << /N 8 0 R >> /Lock 3 0 R >>",
                    ),
                    (
                        7,
                        "<< /Type /DocTimeStamp /SubFilter /ETSI.RFC3161 /Contents <00> >>",
                    ),
                    (8, "<< /Length 0 /Ref 3 0 R >>\nstream\n\nendstream"),
                    (
                        10,
                        "<< /Type /XRef /Length 0 /Ref 3 0 R >>\nstream\n\nendstream",
                    ),
                ],
                "/Info 3 0 R",
            ),
        ])
    }

    fn uses(r: &Referrers, num: u32) -> Vec<Referrer> {
        match r.of(ObjRef::new(num, 0)) {
            Some(Uses::Known(list)) => list,
            other => panic!("object {num}: {other:?}"),
        }
    }

    #[test]
    fn a_scan_with_kept_objects_finds_what_a_fresh_scan_finds() {
        let bytes = document();
        let doc = Document::open(bytes.as_slice()).unwrap();
        let known = Known::new();
        let targets = || [3u32, 5, 8, 9].into_iter().collect();
        // Newest revision first, as the verifier asks; then again, all from the memo.
        for rev in [1, 0, 1, 0] {
            let fresh = Referrers::scan(&doc, rev, targets()).unwrap();
            let kept = Referrers::scan_with(&doc, &known, rev, targets()).unwrap();
            for num in [3, 5, 8, 9] {
                assert_eq!(uses(&fresh, num), uses(&kept, num), "revision {rev}, {num}");
            }
        }
        // Revision 1 redefines object 2: its reference to 9 is gone, one to 5 is new.
        let kept = Referrers::scan_with(&doc, &known, 1, targets()).unwrap();
        let described =
            |num| -> Vec<String> { uses(&kept, num).iter().map(Referrer::describe).collect() };
        assert_eq!(described(9), Vec::<String>::new());
        assert_eq!(described(5), vec!["2 0 R /Q", "4 0 R"]);
        assert_eq!(
            described(3),
            vec!["the trailer /Info", "2 0 R /V", "6 0 R /Lock", "8 0 R /Ref"]
        );
        let old = Referrers::scan_with(&doc, &known, 0, targets()).unwrap();
        assert_eq!(uses(&old, 9).len(), 1);
        assert_eq!(uses(&old, 5).len(), 1);
    }

    #[test]
    fn placement_answers_what_the_document_answers() {
        let mut files = vec![document()];
        let mut dirs = vec![std::path::PathBuf::from("../shared/corpus")];
        while let Some(dir) = dirs.pop() {
            let Ok(list) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in list.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "pdf") {
                    files.push(std::fs::read(&path).unwrap());
                }
            }
        }
        let mut checked = 0;
        for bytes in &files {
            let Ok(doc) = Document::open(bytes.as_slice()) else {
                continue;
            };
            let placement = Placement::of(&doc);
            let revisions = doc.revisions().len();
            let top = doc
                .revisions()
                .iter()
                .flat_map(|r| r.entries.iter().map(|(n, _)| *n))
                .max()
                .unwrap_or(0);
            for rev in 0..=revisions {
                let ours: Vec<ObjRef> = placement.objects(rev).map(|(r, _)| r).collect();
                assert_eq!(ours, doc.object_numbers(rev).collect::<Vec<_>>());
                for num in 0..=top.saturating_add(1) {
                    let r = ObjRef::new(num, 0);
                    assert_eq!(placement.entry(rev, num), doc.lookup(rev, r), "{rev} {num}");
                }
                checked += 1;
            }
        }
        assert!(checked > 1);
    }

    #[test]
    fn value_kinds_match_resolving() {
        let bytes = document();
        let doc = Document::open(bytes.as_slice()).unwrap();
        let known = Known::new();
        let r = |n| Object::Reference(ObjRef::new(n, 0));
        let cases = [
            (r(3), ValueKind::Signature(SigKind::Signature)),
            (r(7), ValueKind::Signature(SigKind::Timestamp)),
            // Through a chain of references, and to a missing object.
            (r(4), ValueKind::Null),
            (r(5), ValueKind::Null),
            (r(42), ValueKind::Null),
            (r(2), ValueKind::Other),
            (r(8), ValueKind::Other),
            (Object::Integer(1), ValueKind::Other),
            (Object::Null, ValueKind::Null),
        ];
        for _ in 0..2 {
            for (v, want) in &cases {
                let rev = 1;
                assert_eq!(known.value_kind(&doc, rev, v), *want, "{v:?}");
                let resolved = doc.resolve(rev, v).map(|o| ValueKind::of(&o)).unwrap();
                assert_eq!(resolved, *want, "{v:?}");
            }
        }
        // Object 7 does not exist in revision 0.
        assert_eq!(known.value_kind(&doc, 0, &r(7)), ValueKind::Null);
        // Kept: direct objects and references to objects that are not references.
        assert!(known.resolves(&doc, 1, &r(3)));
        assert!(known.resolves(&doc, 1, &Object::Integer(1)));
        assert!(!known.resolves(&doc, 1, &r(4)));
        assert!(!known.resolves(&doc, 1, &r(42)));
    }

    #[test]
    fn fields_are_kept_for_the_last_revisions_asked() {
        let bytes = document();
        let doc = Document::open(bytes.as_slice()).unwrap();
        let known = Known::new();
        let a = known.fields(&doc, 1).unwrap();
        let b = known.fields(&doc, 1).unwrap();
        assert!(Rc::ptr_eq(&a, &b));
        assert_eq!(*a, acroform::fields(&doc, 1).unwrap());
        assert_eq!(a.len(), 2);
        assert_eq!(known.fields(&doc, 0).unwrap().len(), 1);
        assert!(known.fields(&doc, 5).is_err());
    }
}
