//! A PDF document read lazily from a [`Source`], revision by revision.
//!
//! [`Document::open`] reads only the header, the tail and the cross-reference sections; each
//! object is parsed when asked for, from a window of the source. Every lookup names the
//! revision it looks from: revision `rev` sees the sections of revisions `0..=rev` and
//! nothing written later, which is what the verifier needs to judge each signature against
//! the document as it was signed.
//!
//! Encrypted documents (standard security handler, [`super::crypt`]) are decrypted as they
//! are read: opening finds the file key with the password given or the empty user password
//! (or fails with [`PdfError::Encryption`]), and every object and stream comes back in the
//! clear. The bytes of the file are never changed: signed byte ranges hash the stored bytes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use super::budget::Budget;
use super::crypt::{is_crypt_filter, Crypt, CryptMethod, Encryption, EncryptionError, Password};
use super::decoded::DecodedStreams;
use super::error::PdfError;
use super::filter;
use super::object::{Dict, Name, ObjRef, Object, Span, Stream, StreamData};
use super::objstm::{ObjStmCache, ObjectStream};
use super::parsed::ParsedObjects;
use super::parser::{parse_indirect_sized, IndirectObject, FIRST_WINDOW};
use super::source::Source;
use super::xref::{load_revisions, read_span_decoded, Revision, XrefEntry};
use crate::budget::{DocumentBudget, DocumentMeter};

/// How deeply reading one object may nest reads of others (see `get_at_depth`).
const MAX_NESTED_READS: u8 = 6;

/// How far into the file the `%PDF-` header may start.
const HEADER_SEARCH: usize = 1024;

/// A PDF document: its revisions, read lazily from a source.
#[derive(Debug)]
pub struct Document<S: Source> {
    source: S,
    len: u64,
    budget: Budget,
    version: Option<(u8, u8)>,
    header_offset: u64,
    revisions: Vec<Revision>,
    encrypted: bool,
    /// The key and rules that decrypt the document, when it is encrypted.
    crypt: Option<Crypt>,
    /// For an encrypted document: the object each stream read so far belongs to, by the
    /// offset of its data (a stream's data is decrypted with its object's key).
    stream_objects: Mutex<HashMap<u64, ObjRef>>,
    object_streams: ObjStmCache,
    /// Sorted start offsets of everything the cross-reference sections place in the file,
    /// built on first use: the distance to the next one is a good first window size.
    boundaries: OnceLock<Vec<u64>>,
    /// Bytes decoded for object streams so far (against `max_total_decoded_bytes`).
    decoded_total: AtomicU64,
    /// Objects parsed before that cannot depend on the revision (not streams).
    parsed: ParsedObjects,
    /// What decoding and reading stream data has cost in all (see [`crate::budget`]).
    meter: DocumentMeter,
    /// Streams decoded before (small results, and bombs).
    decoded: DecodedStreams,
    /// Damage found while reading objects (object stream headers that could not be read in
    /// full), in the order found.
    damage: Mutex<Vec<String>>,
}

/// Most damage notes a document keeps.
const MAX_DAMAGE_NOTES: usize = 64;

impl<S: Source> Document<S> {
    /// Opens a document with the default [`Budget`].
    pub fn open(source: S) -> Result<Self, PdfError> {
        Self::open_with(source, Budget::default())
    }

    /// Opens a document: checks the header, reads every cross-reference section along the
    /// `/Prev` chain. Its stream decoding spends from a meter of its own with the default
    /// [`DocumentBudget`] totals and no deadline (see [`Document::open_metered`]).
    pub fn open_with(source: S, budget: Budget) -> Result<Self, PdfError> {
        let meter = DocumentMeter::start(DocumentBudget::default().deadline(None));
        Self::open_metered(source, budget, meter)
    }

    /// Opens a document whose stream decoding and reading (object streams, [`Document::decode_stream`],
    /// [`Document::raw_stream_data`], embedded files) spends from `meter`, shared with the
    /// rest of a verification.
    pub fn open_metered(source: S, budget: Budget, meter: DocumentMeter) -> Result<Self, PdfError> {
        Self::open_with_password(source, budget, meter, None)
    }

    /// [`Document::open_metered`] for a document that may be encrypted: `password` (the user
    /// or the owner password) is tried first, then the empty user password. A document that
    /// neither opens is [`EncryptionError::PasswordRequired`] (no password given) or
    /// [`EncryptionError::WrongPassword`]; an encryption kyso cannot decrypt in full is
    /// [`EncryptionError::Unsupported`] or [`EncryptionError::Malformed`].
    pub fn open_with_password(
        source: S,
        budget: Budget,
        meter: DocumentMeter,
        password: Option<&Password>,
    ) -> Result<Self, PdfError> {
        let len = source.len();
        let head = source.read_vec(0, HEADER_SEARCH)?;
        let header_at = head
            .windows(5)
            .position(|w| w == b"%PDF-")
            .ok_or(PdfError::NotPdf)?;
        let version = parse_version(head.get(header_at + 5..).unwrap_or(&[]));
        let revisions = load_revisions(&source, &budget)?;
        let encrypted = revisions.iter().any(|r| r.trailer.contains(b"Encrypt"));
        let mut doc = Document {
            source,
            len,
            budget,
            version,
            header_offset: header_at as u64,
            revisions,
            encrypted,
            crypt: None,
            stream_objects: Mutex::new(HashMap::new()),
            object_streams: ObjStmCache::default(),
            boundaries: OnceLock::new(),
            decoded_total: AtomicU64::new(0),
            parsed: ParsedObjects::default(),
            meter,
            decoded: DecodedStreams::default(),
            damage: Mutex::new(Vec::new()),
        };
        if encrypted {
            doc.crypt = Some(doc.open_crypt(password)?);
        }
        Ok(doc)
    }

    /// Reads the newest `/Encrypt` (as the last revision sees it, never decrypted) and the
    /// first `/ID` string of the same trailer, and finds the file key.
    fn open_crypt(&self, password: Option<&Password>) -> Result<Crypt, PdfError> {
        let malformed = |what| PdfError::Encryption(EncryptionError::Malformed { what });
        let last = self.last_revision();
        let trailer = self
            .revisions
            .iter()
            .rev()
            .map(|r| &r.trailer)
            .find(|t| t.contains(b"Encrypt"))
            .ok_or(PdfError::Missing("/Encrypt"))?;
        let (dict, encrypt_ref) = match trailer.get(b"Encrypt") {
            Some(Object::Reference(r)) => {
                if matches!(self.lookup(last, *r), Some(XrefEntry::InStream { .. })) {
                    return Err(malformed(
                        "the encryption dictionary is inside an object stream",
                    ));
                }
                match self.get(last, *r)? {
                    Some(Object::Dict(d)) => (d, Some(*r)),
                    _ => return Err(malformed("/Encrypt does not lead to a dictionary")),
                }
            }
            Some(Object::Dict(d)) => (d.clone(), None),
            _ => {
                return Err(malformed(
                    "/Encrypt is neither a dictionary nor a reference",
                ))
            }
        };
        let id0 = match trailer.get(b"ID") {
            Some(Object::Array(items)) => match items.first() {
                Some(Object::String(s)) => s.bytes.clone(),
                _ => return Err(malformed("the trailer's /ID does not start with a string")),
            },
            None => Vec::new(),
            Some(_) => return Err(malformed("the trailer's /ID is not an array")),
        };
        Ok(Crypt::open(&dict, encrypt_ref, &id0, password)?)
    }

    /// The meter the document's decoding spends from.
    pub fn meter(&self) -> &DocumentMeter {
        &self.meter
    }

    /// The source the document reads from.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// The length of the source in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when the source is empty (never for an opened document).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The budget the document was opened with.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// The version in the `%PDF-M.m` header, if it reads as one.
    pub fn header_version(&self) -> Option<(u8, u8)> {
        self.version
    }

    /// Where the `%PDF-` header starts (0 unless bytes precede it).
    pub fn header_offset(&self) -> u64 {
        self.header_offset
    }

    /// The revisions, oldest first.
    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }

    /// The index of the last (newest) revision.
    pub fn last_revision(&self) -> usize {
        self.revisions.len().saturating_sub(1)
    }

    /// True when a trailer has `/Encrypt`. Such a document opened only when kyso could
    /// decrypt it: its strings and streams are returned decrypted ([`Document::encryption`]).
    pub fn is_encrypted(&self) -> bool {
        self.encrypted
    }

    /// How the document is encrypted and how it was opened; `None` when it is not.
    pub fn encryption(&self) -> Option<&Encryption> {
        self.crypt.as_ref().map(|c| &c.info)
    }

    /// The key and rules of an encrypted document (for writers, which must encrypt).
    pub(crate) fn crypt(&self) -> Option<&Crypt> {
        self.crypt.as_ref()
    }

    /// The trailer dictionary of revision `rev`.
    pub fn trailer(&self, rev: usize) -> Option<&Dict> {
        self.revisions.get(rev).map(|r| &r.trailer)
    }

    fn check_rev(&self, rev: usize) -> Result<(), PdfError> {
        if rev < self.revisions.len() {
            Ok(())
        } else {
            Err(PdfError::NoSuchRevision(rev))
        }
    }

    /// The entry for object number `r.num` as revision `rev` sees it: from the newest
    /// section among revisions `0..=rev` that has one. The generation in the entry may differ
    /// from `r.gen` (then [`Document::get`] finds no object).
    pub fn lookup(&self, rev: usize, r: ObjRef) -> Option<XrefEntry> {
        self.defining_revision(rev, r)
            .and_then(|i| self.revisions.get(i))
            .and_then(|rv| rv.entry(r.num))
    }

    /// The revision whose section supplied the entry for `r.num` as revision `rev` sees it.
    pub fn defining_revision(&self, rev: usize, r: ObjRef) -> Option<usize> {
        self.revisions
            .get(..rev.checked_add(1)?)?
            .iter()
            .rposition(|rv| rv.entry(r.num).is_some())
    }

    /// Damage found so far while reading objects, beyond what the cross-reference data
    /// showed ([`Revision::repaired`]): object streams whose header could not be read in
    /// full (their other objects were read). Objects are read on demand, so this grows as
    /// the document is examined.
    pub fn damage_found(&self) -> Vec<String> {
        self.damage.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// The object `r` as revision `rev` sees it; `None` when it is free, absent, or has
    /// another generation (a reference to it means `null`).
    pub fn get(&self, rev: usize, r: ObjRef) -> Result<Option<Object>, PdfError> {
        Ok(self.get_indirect(rev, r)?.map(|o| o.object))
    }

    /// Like [`Document::get`], also telling where the object lies (its span in the file, or
    /// the object stream holding it).
    pub fn get_indirect(&self, rev: usize, r: ObjRef) -> Result<Option<IndirectObject>, PdfError> {
        self.check_rev(rev)?;
        self.get_at_depth(rev, r, 0)
    }

    /// `depth` counts nested reads: reading one object may need another (a stream's
    /// `/Length`, the object stream holding it, that stream's `/Filter`), which may need
    /// another; a file could make that circular, so the nesting is bounded.
    fn get_at_depth(
        &self,
        rev: usize,
        r: ObjRef,
        depth: u8,
    ) -> Result<Option<IndirectObject>, PdfError> {
        if depth > MAX_NESTED_READS {
            return Err(PdfError::budget(
                "nested object reads (/Length, object streams, filters)",
                u64::from(MAX_NESTED_READS),
            ));
        }
        match self.lookup(rev, r) {
            None | Some(XrefEntry::Free { .. }) => Ok(None),
            Some(XrefEntry::InFile { offset, gen }) => {
                if gen != r.gen {
                    return Ok(None);
                }
                self.read_in_file(rev, r, offset, depth).map(Some)
            }
            Some(XrefEntry::InStream { stream_num, index }) => {
                if r.gen != 0 {
                    return Ok(None);
                }
                let stm = self.object_stream(rev, stream_num, r, depth)?;
                let object = stm.object(index, r, self.budget.max_depth)?;
                Ok(Some(IndirectObject {
                    id: r,
                    object,
                    span: None,
                    in_object_stream: Some(ObjRef::new(stream_num, 0)),
                }))
            }
        }
    }

    fn read_in_file(
        &self,
        rev: usize,
        r: ObjRef,
        offset: u64,
        depth: u8,
    ) -> Result<IndirectObject, PdfError> {
        if let Some(hit) = self.parsed.get(offset, r) {
            return Ok(hit);
        }
        let parsed = parse_indirect_sized(
            &self.source,
            offset,
            self.window_hint(offset),
            Some(r),
            &self.budget,
            &mut |len_ref| match self
                .get_at_depth(rev, len_ref, depth + 1)?
                .map(|o| o.object)
            {
                Some(Object::Integer(n)) => Ok(n),
                Some(other) => Err(PdfError::WrongType {
                    what: "stream /Length",
                    expected: "integer",
                    found: other.kind(),
                }),
                None => Err(PdfError::Missing("object that stream /Length refers to")),
            },
        )?;
        let parsed = self.decrypted(parsed)?;
        self.parsed.put(offset, r, &parsed);
        Ok(parsed)
    }

    /// For an encrypted document: the object's strings decrypted, and its stream (if it is
    /// one) remembered as belonging to it.
    fn decrypted(&self, mut parsed: IndirectObject) -> Result<IndirectObject, PdfError> {
        let Some(crypt) = &self.crypt else {
            return Ok(parsed);
        };
        crypt.decrypt_object(parsed.id, &mut parsed.object)?;
        if let Object::Stream(Stream {
            data: StreamData::File(span),
            ..
        }) = &parsed.object
        {
            if let Ok(mut known) = self.stream_objects.lock() {
                known.insert(span.start, parsed.id);
            }
        }
        Ok(parsed)
    }

    /// The cipher of a stream and its filter chain without a leading `/Crypt` filter; `None`
    /// for a document that is not encrypted.
    fn stream_crypt(
        &self,
        s: &Stream,
        chain: Vec<filter::FilterStep>,
    ) -> Result<(Option<CryptMethod>, Vec<filter::FilterStep>), PdfError> {
        let Some(crypt) = &self.crypt else {
            return Ok((None, chain));
        };
        let first = chain.first().filter(|f| is_crypt_filter(&f.name));
        let method = crypt.stream_method(&s.dict, first.map(|f| f.params.as_ref()))?;
        let skip = usize::from(first.is_some());
        let rest: Vec<_> = chain.into_iter().skip(skip).collect();
        if rest.iter().any(|f| is_crypt_filter(&f.name)) {
            return Err(EncryptionError::Malformed {
                what: "a /Crypt filter that is not the first of its stream",
            }
            .into());
        }
        Ok((Some(method), rest))
    }

    /// The stored bytes of `span` (a stream's data), decrypted with `method` and the key of
    /// the object the stream belongs to. At most `max` bytes are read.
    fn decrypt_span(&self, span: Span, method: CryptMethod, max: u64) -> Result<Vec<u8>, PdfError> {
        let Some(crypt) = &self.crypt else {
            return Err(PdfError::Missing("the document's encryption"));
        };
        let id = self
            .stream_objects
            .lock()
            .ok()
            .and_then(|known| known.get(&span.start).copied())
            .ok_or(EncryptionError::Malformed {
                what: "a stream whose object is unknown",
            })?;
        if span.len() > max {
            return Err(PdfError::budget("decoded stream bytes", max));
        }
        self.meter.spend_work(span.len())?;
        let raw = read_span_decoded(&self.source, span, &[], max, None)?;
        Ok(crypt.decrypt(method, id, &raw)?)
    }

    /// A first window for the object at `offset`: up to the next thing the xref sections
    /// place in the file, within [256 B, 64 KiB]. In-memory sources ignore it.
    fn window_hint(&self, offset: u64) -> usize {
        if self.source.as_slice().is_some() {
            return FIRST_WINDOW;
        }
        let b = self.boundaries.get_or_init(|| {
            let mut v: Vec<u64> = self
                .revisions
                .iter()
                .flat_map(|r| {
                    let offs = r.entries.iter().filter_map(|(_, e)| match e {
                        XrefEntry::InFile { offset, .. } => Some(*offset),
                        _ => None,
                    });
                    offs.chain([r.xref_offset])
                        .chain(r.xref_stream_offset)
                        .collect::<Vec<_>>()
                })
                .chain([self.len])
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        });
        let i = b.partition_point(|&o| o <= offset);
        let next = b.get(i).copied().unwrap_or(self.len);
        let guess = next.saturating_sub(offset).saturating_add(32);
        // A stream object's distance to the next object includes its data; its dictionary
        // is near the start, and a window that turns out too small grows on demand.
        usize::try_from(guess.clamp(256, FIRST_WINDOW as u64)).unwrap_or(FIRST_WINDOW)
    }

    /// The decoded object stream `stream_num` as revision `rev` sees it (cached).
    fn object_stream(
        &self,
        rev: usize,
        stream_num: u32,
        wanted: ObjRef,
        depth: u8,
    ) -> Result<Arc<ObjectStream>, PdfError> {
        let id = ObjRef::new(stream_num, 0);
        let bad = |reason| PdfError::BadObjectStream { stream: id, reason };
        if stream_num == wanted.num {
            return Err(bad("refers to itself"));
        }
        let (offset, gen) = match self.lookup(rev, id) {
            Some(XrefEntry::InFile { offset, gen }) => (offset, gen),
            Some(XrefEntry::InStream { .. }) => {
                return Err(bad("is itself inside an object stream"))
            }
            None | Some(XrefEntry::Free { .. }) => return Err(bad("is missing")),
        };
        // A stream whose dictionary has no references decodes the same in every revision
        // and is cached once; otherwise per revision.
        for key in [(offset, None), (offset, Some(rev))] {
            if let Some(hit) = self.object_streams.get(key) {
                return Ok(hit);
            }
        }
        let id = ObjRef::new(stream_num, gen);
        let obj = self.read_in_file(rev, id, offset, depth + 1)?;
        let Object::Stream(stream) = obj.object else {
            return Err(bad("is not a stream"));
        };
        let has_refs = [&b"Length"[..], b"Filter", b"DecodeParms"]
            .iter()
            .any(|k| stream.dict.get(k).is_some_and(contains_reference));
        let key = (offset, has_refs.then_some(rev));
        let spent = self.decoded_total.load(Ordering::Relaxed);
        let total_limit = self.budget.max_total_decoded_bytes;
        let left = total_limit.saturating_sub(spent);
        if left == 0 {
            return Err(PdfError::budget(
                "bytes decoded from object streams in all",
                total_limit,
            ));
        }
        let limit = left.min(self.budget.max_decoded_bytes);
        let data = self.decode_limited(rev, &stream, depth + 1, limit)?;
        self.decoded_total
            .fetch_add(data.len() as u64, Ordering::Relaxed);
        let parsed = Arc::new(ObjectStream::parse(
            id,
            offset,
            &stream.dict,
            data,
            &self.budget,
        )?);
        if let Some(what) = parsed.damage() {
            let note = format!("object stream {id} (offset {offset}) is damaged: {what}");
            if let Ok(mut list) = self.damage.lock() {
                if !list.contains(&note) && list.len() < MAX_DAMAGE_NOTES {
                    list.push(note);
                }
            }
        }
        self.object_streams.insert(key, Arc::clone(&parsed));
        Ok(parsed)
    }

    /// Follows references from `obj` (as revision `rev` sees them) to a direct object; a
    /// missing object is `null`. At most `max_resolve_chain` references are followed.
    pub fn resolve(&self, rev: usize, obj: &Object) -> Result<Object, PdfError> {
        self.resolve_at_depth(rev, obj, 0)
    }

    fn resolve_at_depth(&self, rev: usize, obj: &Object, depth: u8) -> Result<Object, PdfError> {
        let mut current = obj.clone();
        let mut steps = 0usize;
        while let Object::Reference(r) = current {
            if steps >= self.budget.max_resolve_chain {
                return Err(PdfError::budget(
                    "reference chain length",
                    self.budget.max_resolve_chain as u64,
                ));
            }
            steps += 1;
            self.check_rev(rev)?;
            current = self
                .get_at_depth(rev, r, depth)?
                .map_or(Object::Null, |o| o.object);
        }
        Ok(current)
    }

    /// [`Document::resolve`], then the dictionary if it is one; `None` for anything else
    /// (null, a missing object, another type, a stream).
    pub fn resolve_dict(&self, rev: usize, obj: &Object) -> Result<Option<Dict>, PdfError> {
        Ok(match self.resolve(rev, obj)? {
            Object::Dict(d) => Some(d),
            _ => None,
        })
    }

    /// The document catalog (`/Root`) of revision `rev`.
    pub fn catalog(&self, rev: usize) -> Result<Dict, PdfError> {
        self.check_rev(rev)?;
        let root = self
            .trailer(rev)
            .and_then(|t| t.get(b"Root"))
            .ok_or(PdfError::Missing("/Root in the trailer"))?
            .clone();
        match self.resolve(rev, &root)? {
            Object::Dict(d) => Ok(d),
            Object::Null => Err(PdfError::Missing("document catalog")),
            other => Err(PdfError::WrongType {
                what: "document catalog",
                expected: "dictionary",
                found: other.kind(),
            }),
        }
    }

    /// The decoded data of a stream, with references in its filter entries resolved in the
    /// last revision. See [`Document::decode_stream`].
    pub fn stream_data(&self, s: &Stream) -> Result<Vec<u8>, PdfError> {
        self.decode_stream(self.last_revision(), s)
    }

    /// The decoded data of a stream (at most `max_decoded_bytes`), references in `/Filter`
    /// and `/DecodeParms` resolved as revision `rev` sees them.
    pub fn decode_stream(&self, rev: usize, s: &Stream) -> Result<Vec<u8>, PdfError> {
        self.decode_at_depth(rev, s, 0)
    }

    fn decode_at_depth(&self, rev: usize, s: &Stream, depth: u8) -> Result<Vec<u8>, PdfError> {
        self.decode_limited(rev, s, depth, self.budget.max_decoded_bytes)
    }

    fn decode_limited(
        &self,
        rev: usize,
        s: &Stream,
        depth: u8,
        max: u64,
    ) -> Result<Vec<u8>, PdfError> {
        let mut dict = Dict::new();
        for key in [&b"Filter"[..], b"DecodeParms"] {
            if let Some(v) = s.dict.get(key) {
                let v = self.resolve_at_depth(rev, v, depth + 1)?;
                let v = match v {
                    Object::Array(items) => Object::Array(
                        items
                            .iter()
                            .map(|i| self.resolve_at_depth(rev, i, depth + 1))
                            .collect::<Result<_, _>>()?,
                    ),
                    other => other,
                };
                dict.set(Name::new(key), v);
            }
        }
        let chain = filter::filter_chain(&dict)?;
        let (method, chain) = self.stream_crypt(s, chain)?;
        let meter = Some(&self.meter);
        match &s.data {
            StreamData::File(span) if method.is_some_and(|m| m != CryptMethod::None) => {
                let key = (span.start, span.end, format!("{chain:?}"));
                if let Some(known) = self.decoded.get(&key, max) {
                    return known;
                }
                let result = self
                    .decrypt_span(*span, method.unwrap_or(CryptMethod::None), max)
                    .and_then(|plain| {
                        filter::decode_metered(&mut plain.as_slice(), &chain, max, meter)
                    });
                if self.meter.exhausted().is_none() {
                    self.decoded.put(key, &result, max);
                }
                result
            }
            StreamData::File(span) => {
                let key = (span.start, span.end, format!("{chain:?}"));
                if let Some(known) = self.decoded.get(&key, max) {
                    return known;
                }
                if chain.is_empty() {
                    self.meter.spend_work(span.len().min(max))?;
                }
                let result = read_span_decoded(&self.source, *span, &chain, max, meter);
                // A failure because the document's budget ran out is not the stream's.
                if self.meter.exhausted().is_none() {
                    self.decoded.put(key, &result, max);
                }
                result
            }
            StreamData::Memory(bytes) => {
                filter::decode_metered(&mut bytes.as_slice(), &chain, max, meter)
            }
        }
    }

    /// The stream's data as stored (still encoded; decrypted in an encrypted document), at
    /// most `max_decoded_bytes`. Reading it spends from the document's meter.
    pub fn raw_stream_data(&self, s: &Stream) -> Result<Vec<u8>, PdfError> {
        let max = self.budget.max_decoded_bytes;
        match &s.data {
            StreamData::File(span) if self.crypt.is_some() => {
                let last = self.last_revision();
                let mut dict = Dict::new();
                for key in [&b"Filter"[..], b"DecodeParms"] {
                    if let Some(v) = s.dict.get(key) {
                        dict.set(Name::new(key), self.resolve(last, v)?);
                    }
                }
                let (method, _) = self.stream_crypt(s, filter::filter_chain(&dict)?)?;
                self.decrypt_span(*span, method.unwrap_or(CryptMethod::None), max)
            }
            StreamData::File(span) => {
                self.meter.spend_work(span.len().min(max))?;
                read_span_decoded(&self.source, *span, &[], max, None)
            }
            StreamData::Memory(bytes) => {
                if bytes.len() as u64 > max {
                    return Err(PdfError::budget("decoded stream bytes", max));
                }
                self.meter.spend_work(bytes.len() as u64)?;
                Ok(bytes.clone())
            }
        }
    }

    /// The objects in use as revision `rev` sees them, in object-number order (object 0
    /// excluded); nothing for a revision the document does not have.
    pub fn object_numbers(&self, rev: usize) -> impl Iterator<Item = ObjRef> {
        let upto = if rev < self.revisions.len() {
            rev + 1
        } else {
            0
        };
        let mut all: Vec<(u32, usize, XrefEntry)> = Vec::new();
        for (i, rv) in self.revisions.iter().enumerate().take(upto) {
            all.extend(rv.entries.iter().map(|&(n, e)| (n, i, e)));
        }
        // Newest revision first for each number, then keep the first.
        all.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        all.dedup_by_key(|e| e.0);
        all.into_iter().filter_map(|(n, _, e)| match e {
            _ if n == 0 => None,
            XrefEntry::InFile { gen, .. } => Some(ObjRef::new(n, gen)),
            XrefEntry::InStream { .. } => Some(ObjRef::new(n, 0)),
            XrefEntry::Free { .. } => None,
        })
    }
}

fn contains_reference(o: &Object) -> bool {
    match o {
        Object::Reference(_) => true,
        Object::Array(items) => items.iter().any(contains_reference),
        Object::Dict(d) => d.iter().any(|(_, v)| contains_reference(v)),
        _ => false,
    }
}

fn parse_version(b: &[u8]) -> Option<(u8, u8)> {
    match b {
        [maj @ b'0'..=b'9', b'.', min @ b'0'..=b'9', ..] => Some((maj - b'0', min - b'0')),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::object::Span;
    use crate::pdf::testing::classic;

    #[test]
    fn opens_a_classic_file_and_reads_objects() {
        let pdf = classic(
            &[
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [] /Count 0 >>",
                "(hello)",
            ],
            "",
        );
        let doc = Document::open(pdf.clone()).unwrap();
        assert_eq!(doc.header_version(), Some((1, 7)));
        assert_eq!(doc.revisions().len(), 1);
        assert_eq!(doc.last_revision(), 0);
        assert!(doc.catalog(0).unwrap().is_type(b"Catalog"));
        let s = doc.get(0, ObjRef::new(3, 0)).unwrap().unwrap();
        let s = s.as_string().unwrap();
        assert_eq!(s.bytes, b"hello");
        let span = s.span.unwrap();
        assert_eq!(&pdf[span.start as usize..span.end as usize], b"(hello)");
        assert_eq!(doc.get(0, ObjRef::new(3, 1)).unwrap(), None);
        assert_eq!(doc.get(0, ObjRef::new(30, 0)).unwrap(), None);
        assert!(doc.get(1, ObjRef::new(3, 0)).is_err());
        assert_eq!(doc.lookup(1, ObjRef::new(3, 0)), None);
        assert_eq!(doc.object_numbers(1).count(), 0);
        assert_eq!(doc.trailer(1), None);
        assert_eq!(doc.object_numbers(0).count(), 3);
        assert!(!doc.is_encrypted());
        let rev = &doc.revisions()[0];
        assert!(rev.has_eof_marker);
        assert_eq!(rev.end, pdf.len() as u64);
        assert_eq!(rev.startxref_value, Some(rev.xref_offset));
    }

    #[test]
    fn resolve_follows_chains_and_stops_at_the_budget() {
        let pdf = classic(
            &[
                "<< /Type /Catalog >>",
                "3 0 R",
                "4 0 R",
                "42",
                "6 0 R",
                "5 0 R",
            ],
            "",
        );
        let doc = Document::open(pdf).unwrap();
        assert_eq!(
            doc.resolve(0, &Object::Reference(ObjRef::new(2, 0)))
                .unwrap(),
            Object::Integer(42)
        );
        assert!(matches!(
            doc.resolve(0, &Object::Reference(ObjRef::new(5, 0))),
            Err(PdfError::BudgetExceeded { .. })
        ));
        assert_eq!(
            doc.resolve(0, &Object::Reference(ObjRef::new(99, 0)))
                .unwrap(),
            Object::Null
        );
        assert_eq!(
            doc.resolve_dict(0, &Object::Reference(ObjRef::new(4, 0)))
                .unwrap(),
            None
        );
    }

    #[test]
    fn stream_length_may_be_indirect_but_not_recursive() {
        let pdf = classic(
            &[
                "<< /Type /Catalog >>",
                "<< /Length 3 0 R >>\nstream\nabcde\nendstream",
                "5",
                "<< /Length 4 0 R >>\nstream\nabcde\nendstream",
                "<< /Length 6 0 R >>\nstream\nabcde\nendstream",
                "<< /Length 5 0 R >>\nstream\nabcde\nendstream",
            ],
            "",
        );
        let doc = Document::open(pdf).unwrap();
        let s = doc.get(0, ObjRef::new(2, 0)).unwrap().unwrap();
        let s = s.as_stream().unwrap();
        assert_eq!(doc.stream_data(s).unwrap(), b"abcde");
        assert_eq!(doc.raw_stream_data(s).unwrap(), b"abcde");
        assert!(doc.get(0, ObjRef::new(4, 0)).is_err());
        assert!(doc.get(0, ObjRef::new(5, 0)).is_err());
    }

    #[test]
    fn memory_streams_decode_too() {
        let pdf = classic(&["<< /Type /Catalog >>"], "");
        let doc = Document::open(pdf).unwrap();
        let mut d = Dict::new();
        d.set("Filter", Object::Name("ASCIIHexDecode".into()));
        let s = Stream {
            dict: d,
            data: StreamData::Memory(b"414243>".to_vec()),
        };
        assert_eq!(doc.stream_data(&s).unwrap(), b"ABC");
        let s = Stream {
            dict: Dict::new(),
            data: StreamData::File(Span { start: 0, end: 4 }),
        };
        assert_eq!(doc.raw_stream_data(&s).unwrap(), b"%PDF");
    }

    #[test]
    fn decoding_spends_from_the_meter_once_per_stream() {
        let small = "41".repeat(300);
        let big = "42".repeat(1200);
        let pdf = classic(
            &[
                "<< /Type /Catalog >>",
                &format!(
                    "<< /Filter /ASCIIHexDecode /Length {} >>\nstream\n{small}>\nendstream",
                    small.len() + 1
                ),
                &format!(
                    "<< /Filter /ASCIIHexDecode /Length {} >>\nstream\n{big}>\nendstream",
                    big.len() + 1
                ),
            ],
            "",
        );
        let meter = DocumentMeter::start(DocumentBudget::default().max_decoded_bytes(1000));
        let doc = Document::open_metered(pdf, Budget::default(), meter.clone()).unwrap();
        let stream = |n| match doc.get(0, ObjRef::new(n, 0)).unwrap() {
            Some(Object::Stream(s)) => s,
            other => panic!("{other:?}"),
        };
        let (s, b) = (stream(2), stream(3));
        assert_eq!(doc.stream_data(&s).unwrap().len(), 300);
        assert_eq!(meter.decoded(), 300);
        // Decoded once: the second request costs nothing.
        assert_eq!(doc.stream_data(&s).unwrap().len(), 300);
        assert_eq!(meter.decoded(), 300);
        // Raw reads are work.
        let work = meter.work();
        assert_eq!(doc.raw_stream_data(&s).unwrap().len(), 601);
        assert_eq!(meter.work(), work + 601);
        // 1 200 more bytes pass the document's total: the meter stays exhausted.
        assert!(matches!(
            doc.stream_data(&b),
            Err(PdfError::BudgetExceeded { .. })
        ));
        assert!(meter.exhausted().is_some());
        assert!(doc.raw_stream_data(&s).is_err());
    }

    #[test]
    fn not_a_pdf() {
        assert!(matches!(
            Document::open(b"hello".to_vec()),
            Err(PdfError::NotPdf)
        ));
        assert!(matches!(Document::open(Vec::new()), Err(PdfError::NotPdf)));
        assert!(matches!(
            Document::open(b"%PDF-1.4\n".to_vec()),
            Err(PdfError::NoStartXref)
        ));
    }

    #[test]
    fn documents_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Document<Vec<u8>>>();
        assert_send_sync::<Document<crate::pdf::FileSource>>();
    }

    #[test]
    fn version_parsing() {
        assert_eq!(parse_version(b"2.0\n"), Some((2, 0)));
        assert_eq!(parse_version(b"x"), None);
    }
}
