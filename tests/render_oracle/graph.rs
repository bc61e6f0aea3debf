//! The object graph of a document's last revision, as the mutations see it, and the writer
//! of one appended incremental update (classic cross-reference table with `/Prev`).
//!
//! Objects are read with kyso's reader (that is not what is under test here: the renderers
//! are the oracle, and a misread object would only make a mutation miss, never hide a
//! verdict). Streams are held with their still-encoded data in memory so that a mutated
//! stream dictionary can be written with the very same bytes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Write as _;

use kyso::pdf::serialize::to_bytes;
use kyso::pdf::{Dict, Document, ObjRef, Object, StreamData};

/// Most objects walked in one document.
const MAX_OBJECTS: usize = 2000;

/// The last revision of a document: its reachable objects and what an update needs.
pub struct Snapshot {
    /// The whole file.
    pub bytes: Vec<u8>,
    /// `/Size` of the last trailer.
    pub size: u32,
    /// Offset of the last cross-reference section (the update's `/Prev`).
    pub prev: u64,
    /// `/Root`.
    pub root: ObjRef,
    /// `/Info`, if any.
    pub info: Option<ObjRef>,
    /// `/ID`, as written.
    pub id: Option<Object>,
    /// Objects reachable from the catalog (and `/Info`), streams with their data in memory.
    pub objects: BTreeMap<u32, Object>,
    /// The order the walk met them in (catalog first).
    pub order: Vec<u32>,
    /// Objects the last revision itself defines.
    pub last_defined: BTreeSet<u32>,
    /// Every object the last revision defines (reachable or not, signature dictionaries
    /// included), streams with their data in memory: the update as written.
    pub update_objects: BTreeMap<u32, Object>,
}

impl Snapshot {
    /// Reads the last revision of `bytes`.
    pub fn read(bytes: &[u8]) -> Snapshot {
        let doc = Document::open(bytes).expect("the document opens");
        let rev = doc.last_revision();
        let trailer = doc.trailer(rev).expect("a trailer").clone();
        let size = trailer.get_int(b"Size").expect("/Size") as u32;
        let prev = doc.revisions()[rev].xref_offset;
        let root = trailer
            .get(b"Root")
            .and_then(Object::as_ref)
            .expect("/Root");
        let info = trailer.get(b"Info").and_then(Object::as_ref);
        let id = trailer.get(b"ID").cloned();
        let mut objects = BTreeMap::new();
        let mut order = Vec::new();
        let mut queue: VecDeque<ObjRef> = VecDeque::new();
        let mut seen: BTreeSet<u32> = BTreeSet::new();
        queue.push_back(root);
        seen.insert(root.num);
        if let Some(i) = info {
            queue.push_back(i);
            seen.insert(i.num);
        }
        while let Some(r) = queue.pop_front() {
            if objects.len() >= MAX_OBJECTS {
                break;
            }
            let Ok(Some(mut obj)) = doc.get(rev, r) else {
                continue;
            };
            if let Object::Stream(s) = &mut obj {
                if let StreamData::File(_) = s.data {
                    let raw = doc.raw_stream_data(s).expect("stream data");
                    s.data = StreamData::Memory(raw);
                }
            }
            // Signature dictionaries are neither walked into nor mutated.
            if is_signature_dict(&obj) {
                continue;
            }
            let mut refs = Vec::new();
            collect_refs(&obj, &mut refs);
            for child in refs {
                if seen.insert(child.num) {
                    queue.push_back(child);
                }
            }
            order.push(r.num);
            objects.insert(r.num, obj);
        }
        let last_refs: Vec<ObjRef> = doc
            .object_numbers(rev)
            .filter(|r| doc.defining_revision(rev, *r) == Some(rev))
            .collect();
        let last_defined = last_refs.iter().map(|r| r.num).collect();
        let mut update_objects = BTreeMap::new();
        for r in last_refs {
            let Ok(Some(mut obj)) = doc.get(rev, r) else {
                continue;
            };
            if let Object::Stream(s) = &mut obj {
                if let StreamData::File(_) = s.data {
                    let raw = doc.raw_stream_data(s).expect("stream data");
                    s.data = StreamData::Memory(raw);
                }
            }
            update_objects.insert(r.num, obj);
        }
        Snapshot {
            bytes: bytes.to_vec(),
            size,
            prev,
            root,
            info,
            id,
            objects,
            order,
            last_defined,
            update_objects,
        }
    }

    /// The object `r` points at, if the walk reached it.
    pub fn deref<'a>(&'a self, o: &'a Object) -> &'a Object {
        match o {
            Object::Reference(r) => self.objects.get(&r.num).unwrap_or(&Object::Null),
            other => other,
        }
    }

    /// The dictionary `o` is or points at.
    pub fn dict<'a>(&'a self, o: &'a Object) -> Option<&'a Dict> {
        self.deref(o).as_dict()
    }

    /// The catalog.
    pub fn catalog(&self) -> &Dict {
        self.objects[&self.root.num]
            .as_dict()
            .expect("catalog dictionary")
    }

    /// The first page's reference (the bases have a flat page tree).
    pub fn first_page(&self) -> ObjRef {
        let pages = self.dict(self.catalog().get(b"Pages").unwrap()).unwrap();
        pages.get(b"Kids").unwrap().as_array().unwrap()[0]
            .as_ref()
            .unwrap()
    }

    /// The sample PDF signed by the test PKI's RSA signer, read.
    #[allow(dead_code)] // used by the visual tests, not by render_oracle itself
    pub fn signed_sample(pki: &crate::common::pki::TestPki, now: time::OffsetDateTime) -> Self {
        let pdf = crate::common::attacks::sign(
            &crate::common::sample_pdf(crate::common::SampleXref::Table),
            &pki.rsa2048.signer(),
            now,
            |o| o,
        );
        Snapshot::read(&pdf)
    }

    /// The first page and its single `/Contents` stream (the bases and the sample PDF have
    /// one content stream per page).
    #[allow(dead_code)] // used by the visual tests, not by render_oracle itself
    pub fn first_page_contents(&self) -> (ObjRef, ObjRef) {
        let page = self.first_page();
        match self
            .dict(&self.objects[&page.num])
            .unwrap()
            .get(b"Contents")
        {
            Some(Object::Reference(r)) => (page, *r),
            other => panic!("/Contents is not one reference: {other:?}"),
        }
    }

    /// Appends one update redefining or adding `objects` (number, value); `info` replaces the
    /// trailer's `/Info` when given.
    pub fn append(&self, objects: &[(u32, Object)], info: Option<ObjRef>) -> Vec<u8> {
        let mut out = self.bytes.clone();
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        let mut entries = Vec::new();
        for (num, value) in objects {
            entries.push((*num, out.len()));
            writeln!(out, "{num} 0 obj").unwrap();
            out.extend_from_slice(&body(value));
            out.extend_from_slice(b"\nendobj\n");
        }
        let size = entries
            .iter()
            .map(|(n, _)| n + 1)
            .max()
            .unwrap_or(0)
            .max(self.size);
        let xref = out.len();
        out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f\r\n");
        let mut sorted = entries.clone();
        sorted.sort();
        for (num, off) in sorted {
            write!(out, "{num} 1\n{off:010} 00000 n\r\n").unwrap();
        }
        let mut trailer = format!(
            "/Size {size} /Root {} {} R /Prev {}",
            self.root.num, self.root.gen, self.prev
        );
        if let Some(i) = info.or(self.info) {
            trailer.push_str(&format!(" /Info {} {} R", i.num, i.gen));
        }
        if let Some(id) = &self.id {
            trailer.push_str(" /ID ");
            trailer.push_str(&String::from_utf8_lossy(&to_bytes(id).unwrap()));
        }
        write!(out, "trailer\n<< {trailer} >>\nstartxref\n{xref}\n%%EOF\n").unwrap();
        out
    }
}

/// A signature or document timestamp dictionary (a `/ByteRange` and `/Contents`).
fn is_signature_dict(o: &Object) -> bool {
    o.as_dict().is_some_and(|d| {
        d.contains(b"ByteRange")
            || matches!(d.get_name(b"Type"), Some(b"Sig") | Some(b"DocTimeStamp"))
    })
}

/// Every reference inside `o`, in order.
pub fn collect_refs(o: &Object, out: &mut Vec<ObjRef>) {
    match o {
        Object::Reference(r) => out.push(*r),
        Object::Array(items) => items.iter().for_each(|i| collect_refs(i, out)),
        Object::Dict(d) => d.iter().for_each(|(_, v)| collect_refs(v, out)),
        Object::Stream(s) => s.dict.iter().for_each(|(_, v)| collect_refs(v, out)),
        _ => {}
    }
}

/// The body of an indirect object: a stream is written with its dictionary as it is (its
/// `/Length` untouched, so that a mutated `/Length` stays mutated) and its data.
pub fn body(o: &Object) -> Vec<u8> {
    match o {
        Object::Stream(s) => {
            let mut out = to_bytes(&Object::Dict(s.dict.clone())).expect("serializable");
            out.extend_from_slice(b"\nstream\n");
            match &s.data {
                StreamData::Memory(data) => out.extend_from_slice(data),
                StreamData::File(_) => panic!("stream data not in memory"),
            }
            out.extend_from_slice(b"\nendstream");
            out
        }
        other => to_bytes(other).expect("serializable"),
    }
}

/// A stream held in memory with `/Length` set.
pub fn new_stream(mut dict: Dict, data: &[u8]) -> Object {
    dict.set("Length", data.len() as i64);
    Object::Stream(kyso::pdf::Stream {
        dict,
        data: StreamData::Memory(data.to_vec()),
    })
}

/// Four numbers of a direct rectangle (references resolved in `snap`).
pub fn rect_of(snap: &Snapshot, o: &Object) -> Option<[f64; 4]> {
    let a = snap.deref(o).as_array()?;
    if a.len() != 4 {
        return None;
    }
    let mut r = [0.0; 4];
    for (i, v) in a.iter().enumerate() {
        r[i] = snap.deref(v).as_number()?;
    }
    Some([
        r[0].min(r[2]),
        r[1].min(r[3]),
        r[0].max(r[2]),
        r[1].max(r[3]),
    ])
}
