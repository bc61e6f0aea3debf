//! The document security store: the existing `/DSS` read back, new items added without
//! duplicates, and the merged store written as one incremental update.
//!
//! ```text
//! << /Type /DSS /Certs [s s …] /OCSPs [s …] /CRLs [s …]
//!    /VRI << /<SHA-1 of /Contents, uppercase hex> << /Cert [s …] /OCSP [s …] /CRL [s …] >> >> >>
//! ```
//!
//! Every item is a stream holding one DER certificate, OCSPResponse or CertificateList. An
//! item already in the store (same bytes) is referenced again, never written twice. The
//! existing `/VRI` entries are kept; an entry for a key being written is merged.

use crate::pdf::update::{self, Begun};
use crate::pdf::{Dict, Document, Name, ObjRef, Object, Source, Stream, StreamData};
use crate::pki::{Certificate, Origin, RevocationData};
use crate::refusal::Operation;
use crate::Error;

use super::gather::Found;

/// Most items of one kind read from an existing store.
const MAX_ITEMS: usize = 4096;

/// The three item kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Cert,
    Ocsp,
    Crl,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Cert, Kind::Ocsp, Kind::Crl];

    /// The key in `/DSS`.
    fn dss_key(self) -> &'static str {
        match self {
            Kind::Cert => "Certs",
            Kind::Ocsp => "OCSPs",
            Kind::Crl => "CRLs",
        }
    }

    /// The key in a `/VRI` entry.
    fn vri_key(self) -> &'static str {
        match self {
            Kind::Cert => "Cert",
            Kind::Ocsp => "OCSP",
            Kind::Crl => "CRL",
        }
    }

    fn index(self) -> usize {
        match self {
            Kind::Cert => 0,
            Kind::Ocsp => 1,
            Kind::Crl => 2,
        }
    }
}

/// One item of the store: where it is (existing) or will be (new), and its bytes.
#[derive(Debug, Clone)]
struct Entry {
    /// `None` until a new item gets its object number at writing time.
    object: Option<ObjRef>,
    /// The original array element of an existing item (kept as is).
    original: Option<Object>,
    bytes: Vec<u8>,
}

/// What [`Store::add`] added that was not there before.
#[derive(Debug, Default)]
pub(crate) struct Added {
    pub certificates: Vec<String>,
    pub ocsp: usize,
    pub crls: usize,
}

/// The store being built.
#[derive(Debug, Default)]
pub(crate) struct Store {
    /// Where the existing `/DSS` dictionary lives, when it is an indirect object.
    dss_ref: Option<ObjRef>,
    /// The existing dictionary's other entries (kept).
    other_entries: Dict,
    /// Per kind: the items, existing first.
    items: [Vec<Entry>; 3],
    /// How many items existed per kind.
    existing: [usize; 3],
    /// Existing `/VRI` entries: key, value as written, value resolved (kept as written
    /// unless merged).
    vri: Vec<(Vec<u8>, Object, Option<Dict>)>,
    /// New or merged VRI entries: key, per kind the item indexes.
    new_vri: Vec<(String, [Vec<usize>; 3])>,
}

impl Store {
    /// Reads the `/DSS` of the last revision (an empty store when there is none).
    pub(crate) fn read<S: Source>(doc: &Document<S>) -> Result<Store, Error> {
        let rev = doc.last_revision();
        let mut store = Store::default();
        let catalog = doc.catalog(rev)?;
        let Some(entry) = catalog.get(b"DSS") else {
            return Ok(store);
        };
        store.dss_ref = entry.as_ref();
        let Some(dss) = doc.resolve_dict(rev, entry)? else {
            return Ok(store);
        };
        for (key, value) in dss.iter() {
            let k = key.as_bytes();
            let known = Kind::ALL.iter().any(|kind| kind.dss_key().as_bytes() == k)
                || k == b"VRI"
                || k == b"Type";
            if !known {
                store.other_entries.set(key.clone(), value.clone());
            }
        }
        for kind in Kind::ALL {
            let Some(list) = dss.get(kind.dss_key().as_bytes()) else {
                continue;
            };
            let list = doc.resolve(rev, list)?;
            for element in list.as_array().unwrap_or_default().iter().take(MAX_ITEMS) {
                let bytes = match doc.resolve(rev, element) {
                    Ok(Object::Stream(s)) => doc.decode_stream(rev, &s).unwrap_or_default(),
                    _ => Vec::new(),
                };
                store.items[kind.index()].push(Entry {
                    object: element.as_ref(),
                    original: Some(element.clone()),
                    bytes,
                });
            }
            store.existing[kind.index()] = store.items[kind.index()].len();
        }
        if let Some(vri) = dss.get(b"VRI") {
            if let Some(vri) = doc.resolve_dict(rev, vri)? {
                for (key, value) in vri.iter().take(MAX_ITEMS) {
                    let resolved = doc.resolve_dict(rev, value).ok().flatten();
                    store
                        .vri
                        .push((key.as_bytes().to_vec(), value.clone(), resolved));
                }
            }
        }
        Ok(store)
    }

    /// The certificates already in the store.
    pub(crate) fn certificates(&self) -> Vec<Certificate> {
        self.items[Kind::Cert.index()]
            .iter()
            .filter_map(|e| Certificate::from_der(&e.bytes).ok())
            .collect()
    }

    /// The OCSP responses and CRLs already in the store.
    pub(crate) fn revocation_data(&self) -> RevocationData {
        let mut d = RevocationData::new();
        for e in &self.items[Kind::Ocsp.index()] {
            let _ = d.add_ocsp_der(&e.bytes, Origin::Dss);
        }
        for e in &self.items[Kind::Crl.index()] {
            let _ = d.add_crl_der(&e.bytes, Origin::Dss);
        }
        d
    }

    /// The index of `bytes` among the items of `kind`, adding it when new (true).
    fn intern(&mut self, kind: Kind, bytes: &[u8]) -> (usize, bool) {
        let list = &mut self.items[kind.index()];
        if let Some(i) = list.iter().position(|e| e.bytes == bytes) {
            return (i, false);
        }
        let index = list.len();
        list.push(Entry {
            object: None,
            original: None,
            bytes: bytes.to_vec(),
        });
        (index, true)
    }

    /// Adds `found` for the signature whose `/VRI` key is `key`.
    pub(crate) fn add(&mut self, key: &str, found: &Found) -> Added {
        let mut added = Added::default();
        let mut refs: [Vec<usize>; 3] = Default::default();
        for c in &found.certificates {
            let (i, new) = self.intern(Kind::Cert, c.der());
            if new {
                added.certificates.push(c.label());
            }
            refs[0].push(i);
        }
        for r in &found.ocsp {
            let (i, new) = self.intern(Kind::Ocsp, r.der());
            added.ocsp += usize::from(new);
            refs[1].push(i);
        }
        for c in &found.crls {
            let (i, new) = self.intern(Kind::Crl, c.der());
            added.crls += usize::from(new);
            refs[2].push(i);
        }
        match self.new_vri.iter_mut().find(|(k, _)| k == key) {
            Some((_, existing)) => {
                for (slot, more) in existing.iter_mut().zip(refs) {
                    for i in more {
                        if !slot.contains(&i) {
                            slot.push(i);
                        }
                    }
                }
            }
            None => self.new_vri.push((key.to_owned(), refs)),
        }
        added
    }

    /// True when the store would change: a new item, or a VRI entry not already there with
    /// the same items.
    fn changed(&self) -> bool {
        let new_items = Kind::ALL
            .iter()
            .any(|k| self.items[k.index()].len() > self.existing[k.index()]);
        new_items
            || self.new_vri.iter().any(|(key, refs)| {
                let old = self
                    .vri
                    .iter()
                    .find(|(k, _, _)| k.as_slice() == key.as_bytes())
                    .and_then(|(_, _, v)| v.clone());
                match old {
                    None => true,
                    Some(old) => Kind::ALL.iter().any(|kind| {
                        let have = old
                            .get(kind.vri_key().as_bytes())
                            .and_then(Object::as_array)
                            .map(|a| a.iter().filter_map(Object::as_ref).collect::<Vec<_>>())
                            .unwrap_or_default();
                        refs[kind.index()].iter().any(|&i| {
                            self.items[kind.index()]
                                .get(i)
                                .and_then(|e| e.object)
                                .is_none_or(|r| !have.contains(&r))
                        })
                    }),
                }
            })
    }

    /// The update that writes the merged store (empty when nothing changes).
    pub(crate) fn write<S: Source>(mut self, doc: &Document<S>) -> Result<Vec<u8>, Error> {
        if !self.changed() {
            return Ok(Vec::new());
        }
        let Begun {
            mut update,
            catalog_ref,
            mut catalog,
            ..
        } = update::begin(doc, Operation::AddValidationData)?;

        // New items become streams.
        for kind in Kind::ALL {
            let start = self.existing[kind.index()];
            let list = &mut self.items[kind.index()];
            for entry in list.iter_mut().skip(start) {
                let r = update.allocate()?;
                let stream = Stream {
                    dict: Dict::new(),
                    data: StreamData::Memory(entry.bytes.clone()),
                };
                update.put(r, &Object::Stream(stream))?;
                entry.object = Some(r);
            }
        }
        let element = |e: &Entry| -> Object {
            match (&e.original, e.object) {
                (Some(o), _) => o.clone(),
                (None, Some(r)) => Object::Reference(r),
                (None, None) => Object::Null,
            }
        };
        let mut dss = self.other_entries.clone();
        dss.set("Type", Object::Name(Name::from("DSS")));
        for kind in Kind::ALL {
            let list = &self.items[kind.index()];
            if !list.is_empty() {
                dss.set(
                    kind.dss_key(),
                    Object::Array(list.iter().map(element).collect()),
                );
            }
        }
        let mut vri = Dict::new();
        for (key, value, _) in &self.vri {
            vri.set(Name::new(key.clone()), value.clone());
        }
        for (key, refs) in &self.new_vri {
            let mut entry = self
                .vri
                .iter()
                .find(|(k, _, _)| k.as_slice() == key.as_bytes())
                .and_then(|(_, _, d)| d.clone())
                .unwrap_or_default();
            for kind in Kind::ALL {
                let mut list: Vec<Object> = entry
                    .get(kind.vri_key().as_bytes())
                    .and_then(Object::as_array)
                    .map(<[Object]>::to_vec)
                    .unwrap_or_default();
                for &i in &refs[kind.index()] {
                    if let Some(e) = self.items[kind.index()].get(i) {
                        let o = element(e);
                        if !list.contains(&o) {
                            list.push(o);
                        }
                    }
                }
                if !list.is_empty() {
                    entry.set(kind.vri_key(), Object::Array(list));
                }
            }
            vri.set(key.as_str(), Object::Dict(entry));
        }
        if !vri.is_empty() {
            dss.set("VRI", Object::Dict(vri));
        }
        match self.dss_ref {
            Some(r) => update.put(r, &Object::Dict(dss))?,
            None => {
                let r = update.allocate()?;
                update.put(r, &Object::Dict(dss))?;
                catalog.set("DSS", Object::Reference(r));
                update.put(catalog_ref, &Object::Dict(catalog))?;
            }
        }
        Ok(update.finish()?.bytes)
    }
}
