//! Appending one incremental update to an existing PDF (ISO 32000-2 §7.5.6).
//!
//! An update never touches the bytes before it: it appends new and replaced objects, a
//! cross-reference section of the same kind as the file's last one (a classic table, or a
//! cross-reference stream), and a trailer whose `/Prev` points at the previous section.
//!
//! See [`IncrementalUpdate`] for how it is used.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;

use super::crypt::Crypt;
use super::object::{Dict, Name, ObjRef, Object, PdfString, StreamData};
use super::serialize::{self, SerializeError};

/// The kind of cross-reference section an update ends with.
///
/// A hybrid-reference file (a table whose trailer has `/XRefStm`) is updated with a
/// [`XrefStyle::Table`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrefStyle {
    /// A classic `xref` table followed by `trailer << … >>`.
    Table,
    /// A cross-reference stream (`/Type /XRef`), compressed with Flate.
    Stream,
}

/// Largest offset a classic cross-reference table entry can hold (ten decimal digits).
pub const MAX_TABLE_OFFSET: u64 = 9_999_999_999;

/// Trailer keys that the update computes itself and that callers cannot set.
const COMPUTED_TRAILER_KEYS: &[&[u8]] = &[
    b"Size",
    b"Prev",
    b"ID",
    b"XRefStm",
    b"Encrypt",
    // Cross-reference stream dictionary entries.
    b"Type",
    b"W",
    b"Index",
    b"Length",
    b"Filter",
    b"DecodeParms",
    b"F",
    b"FFilter",
    b"FDecodeParms",
    b"DL",
];

/// Why an update could not be prepared or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The previous trailer has no `/Size`, or it is not an integer from 1 to 2^32 - 1.
    #[error("previous trailer /Size is missing or invalid")]
    InvalidSize,
    /// The previous trailer has `/Encrypt`: updating encrypted files is not supported.
    #[error("the document is encrypted; incremental updates of encrypted files are not supported")]
    Encrypted,
    /// The given `startxref` does not lie inside the existing file.
    #[error("startxref {startxref} is not inside the existing file of {base_len} bytes")]
    StartxrefOutOfRange {
        /// The offset given.
        startxref: u64,
        /// Length of the existing file.
        base_len: u64,
    },
    /// The trailer would have no `/Root` reference (none in the previous trailer, none set).
    #[error("the trailer has no /Root reference")]
    MissingRoot,
    /// Object number 0 is the head of the free list and cannot hold an object.
    #[error("object number 0 cannot be written")]
    ReservedObjectNumber,
    /// A number handed out by [`IncrementalUpdate::allocate`] was never given an object; a
    /// reference to it would dangle.
    #[error("object {obj} was allocated but never written")]
    AllocatedButNotWritten {
        /// The allocated reference.
        obj: ObjRef,
    },
    /// No object number is left below 2^32.
    #[error("object numbers exhausted")]
    ObjectNumberOverflow,
    /// The caller tried to set a trailer entry that the update computes itself.
    #[error(
        "trailer entry /{} is computed by the writer and cannot be set",
        String::from_utf8_lossy(key)
    )]
    ComputedTrailerKey {
        /// The key, without the slash.
        key: Vec<u8>,
    },
    /// An object could not be serialized.
    #[error("object {obj}: {source}")]
    Serialize {
        /// The object being written.
        obj: ObjRef,
        /// What was wrong with it.
        #[source]
        source: SerializeError,
    },
    /// The trailer dictionary could not be serialized (a bad value set by the caller).
    #[error("trailer: {0}")]
    Trailer(#[source] SerializeError),
    /// An offset does not fit the ten digits of a cross-reference table entry, or overflows.
    #[error("offset {offset} does not fit a cross-reference entry")]
    OffsetTooLarge {
        /// The offending offset (saturated on overflow).
        offset: u64,
    },
    /// An object could not be encrypted for an encrypted document.
    #[error("encrypting the update: {0}")]
    Encryption(#[source] super::crypt::EncryptionError),
    /// The system's random number generator failed (AES initialisation vectors).
    #[error("the system's random number generator failed")]
    Random,
    /// Compressing the cross-reference stream failed.
    #[error("compressing the cross-reference stream: {0}")]
    Compress(#[source] std::io::Error),
}

/// Where an object of the update landed in the output file (absolute offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectPlacement {
    /// Offset of `num gen obj`: the value of its cross-reference entry.
    pub header_offset: u64,
    /// Offset of the body's first byte, just after `obj\n`.
    pub body_offset: u64,
    /// Length of the body (up to, not including, `\nendobj`).
    pub body_len: u64,
}

/// The result of [`IncrementalUpdate::finish`]: the bytes to append and what they hold.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WrittenUpdate {
    /// The bytes to append to the existing file.
    pub bytes: Vec<u8>,
    /// Where each object written by the caller landed.
    pub objects: BTreeMap<ObjRef, ObjectPlacement>,
    /// Offset of the new cross-reference section (the value after `startxref`).
    pub startxref: u64,
    /// The cross-reference stream object, for [`XrefStyle::Stream`].
    pub xref_stream: Option<ObjRef>,
    /// The logical trailer written (`/Size`, `/Root`, `/Info`, `/ID`, `/Prev`, and entries set
    /// by the caller), without cross-reference stream entries. It can serve as the previous
    /// trailer of a following update.
    pub trailer: Dict,
}

/// An object waiting to be written: its generation and its serialized body.
#[derive(Debug, Clone)]
struct PendingObject {
    gen: u16,
    body: Vec<u8>,
}

/// One incremental update being assembled (ISO 32000-2 §7.5.6): new and replaced objects,
/// then a cross-reference section of the file's kind and a trailer whose `/Prev` points at the
/// previous section; the bytes before it are never touched.
///
/// It knows nothing of the reader: the caller tells it the length of the
/// file, where its last cross-reference section starts and of which kind it is, and hands over
/// that section's trailer dictionary. [`IncrementalUpdate::finish`] returns the bytes to append
/// and where each object landed, so that a signer can find its `/Contents` placeholder.
///
/// ```
/// use kyso::pdf::{IncrementalUpdate, XrefStyle};
/// use kyso::pdf::{Dict, Object, ObjRef, PdfString};
///
/// # fn main() -> Result<(), kyso::pdf::WriteError> {
/// // The trailer of an existing 1000-byte file whose cross-reference table starts at 900.
/// let mut trailer = Dict::new();
/// trailer.set("Size", 5i64);
/// trailer.set("Root", ObjRef::new(1, 0));
/// let mut update = IncrementalUpdate::new(1000, 900, XrefStyle::Table, &trailer, true)?;
/// let note = update.allocate()?;
/// update.put(note, &Object::String(PdfString::literal("hello")))?;
/// let written = update.finish()?;
/// assert_eq!(note, ObjRef::new(5, 0));
/// assert_eq!(written.objects[&note].header_offset, 1000);
/// assert!(written.bytes.ends_with(b"%%EOF\n"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct IncrementalUpdate {
    base_len: u64,
    prev_startxref: u64,
    style: XrefStyle,
    base_ends_with_eol: bool,
    prev_size: u32,
    /// The first element of the previous `/ID`, kept as the permanent identifier.
    permanent_id: Option<PdfString>,
    /// `/Root`, `/Info` and entries set by the caller, in writing order.
    trailer_entries: Dict,
    next_num: u32,
    /// Numbers handed out by `allocate`, to check that each receives an object.
    allocated: BTreeSet<u32>,
    objects: BTreeMap<u32, PendingObject>,
    /// For an encrypted document: its key and rules; every string and stream put is
    /// encrypted with them (ISO 32000-2 §7.6.2).
    crypt: Option<Crypt>,
}

impl IncrementalUpdate {
    /// Starts an update of a file of `base_len` bytes whose last cross-reference section, of
    /// kind `style`, starts at `prev_startxref` and has the trailer `prev_trailer` (for a
    /// cross-reference stream, its dictionary). `base_ends_with_eol` tells whether the last
    /// byte of the file is CR or LF; if not, the update starts with an end-of-line.
    ///
    /// `/Root` and `/Info` are carried over, and the first element of `/ID`; nothing else.
    /// Files with `/Encrypt` are refused.
    pub fn new(
        base_len: u64,
        prev_startxref: u64,
        style: XrefStyle,
        prev_trailer: &Dict,
        base_ends_with_eol: bool,
    ) -> Result<Self, WriteError> {
        if prev_startxref >= base_len {
            return Err(WriteError::StartxrefOutOfRange {
                startxref: prev_startxref,
                base_len,
            });
        }
        if prev_trailer.contains(b"Encrypt") {
            return Err(WriteError::Encrypted);
        }
        let prev_size = prev_trailer
            .get_int(b"Size")
            .and_then(|s| u32::try_from(s).ok())
            .filter(|&s| s > 0)
            .ok_or(WriteError::InvalidSize)?;
        let mut trailer_entries = Dict::new();
        for key in ["Root", "Info"] {
            if let Some(v) = prev_trailer.get(key.as_bytes()) {
                trailer_entries.set(key, v.clone());
            }
        }
        // A malformed /ID (not an array starting with a string) is replaced by a new one.
        let permanent_id = prev_trailer
            .get(b"ID")
            .and_then(Object::as_array)
            .and_then(|a| a.first())
            .and_then(Object::as_string)
            .map(|s| PdfString::hex(s.bytes.clone()));
        Ok(IncrementalUpdate {
            base_len,
            prev_startxref,
            style,
            base_ends_with_eol,
            prev_size,
            permanent_id,
            trailer_entries,
            next_num: prev_size,
            allocated: BTreeSet::new(),
            objects: BTreeMap::new(),
            crypt: None,
        })
    }

    /// [`IncrementalUpdate::new`] for an encrypted document whose key `crypt` holds: the
    /// trailer keeps `/Encrypt` (and the first `/ID` string, which the key depends on), and
    /// every object put is encrypted with its own key, the signature's `/Contents` excepted.
    pub(crate) fn new_encrypted(
        base_len: u64,
        prev_startxref: u64,
        style: XrefStyle,
        prev_trailer: &Dict,
        base_ends_with_eol: bool,
        crypt: Crypt,
    ) -> Result<Self, WriteError> {
        let encrypt = prev_trailer.get(b"Encrypt").cloned();
        let mut plain = prev_trailer.clone();
        plain.remove(b"Encrypt");
        let mut update = Self::new(base_len, prev_startxref, style, &plain, base_ends_with_eol)?;
        let (Some(encrypt), Some(_)) = (encrypt, update.permanent_id.as_ref()) else {
            return Err(WriteError::Encrypted);
        };
        update.trailer_entries.set("Encrypt", encrypt);
        update.crypt = Some(crypt);
        Ok(update)
    }

    /// Encrypts, for object `r`, every string of `obj` and a stream's data held in memory
    /// (nothing when the document is not encrypted).
    pub(crate) fn encrypt(&self, r: ObjRef, obj: &mut Object) -> Result<(), WriteError> {
        let Some(crypt) = &self.crypt else {
            return Ok(());
        };
        let rng = ring::rand::SystemRandom::new();
        let mut failed = false;
        let mut iv = || {
            let mut iv = [0u8; 16];
            failed |= ring::rand::SecureRandom::fill(&rng, &mut iv).is_err();
            iv
        };
        crypt
            .encrypt_object(r, obj, &mut iv)
            .map_err(WriteError::Encryption)?;
        if let Object::Stream(s) = obj {
            if let StreamData::Memory(data) = &s.data {
                let method = crypt
                    .stream_method(&s.dict, None)
                    .map_err(WriteError::Encryption)?;
                let encrypted = crypt
                    .encrypt(method, r, data, &iv())
                    .map_err(WriteError::Encryption)?;
                s.data = StreamData::Memory(encrypted);
            }
        }
        if failed {
            return Err(WriteError::Random);
        }
        Ok(())
    }

    /// A new object number (generation 0) above every number in use: the previous `/Size`
    /// and every number already allocated or put. Each allocated number must receive an
    /// object before [`finish`](Self::finish).
    pub fn allocate(&mut self) -> Result<ObjRef, WriteError> {
        let num = self.next_num;
        self.next_num = num.checked_add(1).ok_or(WriteError::ObjectNumberOverflow)?;
        self.allocated.insert(num);
        Ok(ObjRef::new(num, 0))
    }

    /// Adds a new object, or replaces an existing one (same number and generation as in the
    /// file). Putting the same number twice keeps the later object.
    pub fn put(&mut self, r: ObjRef, obj: &Object) -> Result<(), WriteError> {
        let encrypted;
        let obj = if self.crypt.is_some() {
            let mut o = obj.clone();
            self.encrypt(r, &mut o)?;
            encrypted = o;
            &encrypted
        } else {
            obj
        };
        let body =
            serialize::to_bytes(obj).map_err(|source| WriteError::Serialize { obj: r, source })?;
        self.put_raw(r, body)
    }

    /// Like [`put`](Self::put) with an already serialized body: the bytes between `obj\n` and
    /// `\nendobj`. The caller is responsible for their syntax.
    pub fn put_raw(&mut self, r: ObjRef, body: Vec<u8>) -> Result<(), WriteError> {
        if r.num == 0 {
            return Err(WriteError::ReservedObjectNumber);
        }
        let after = r
            .num
            .checked_add(1)
            .ok_or(WriteError::ObjectNumberOverflow)?;
        self.next_num = self.next_num.max(after);
        self.objects
            .insert(r.num, PendingObject { gen: r.gen, body });
        Ok(())
    }

    /// Sets a trailer entry, such as `/Root` when the catalog is replaced by a new object.
    /// Entries the update computes (`/Size`, `/Prev`, `/ID`, `/XRefStm`, `/Encrypt` and the
    /// cross-reference stream's own entries) are refused.
    pub fn set_trailer_entry(
        &mut self,
        key: impl Into<Name>,
        value: Object,
    ) -> Result<(), WriteError> {
        let key = key.into();
        if COMPUTED_TRAILER_KEYS.contains(&key.as_bytes()) {
            return Err(WriteError::ComputedTrailerKey {
                key: key.as_bytes().to_vec(),
            });
        }
        self.trailer_entries.set(key, value);
        Ok(())
    }

    /// The kind of cross-reference section this update will end with.
    pub fn style(&self) -> XrefStyle {
        self.style
    }

    /// Writes the update: objects in ascending number order, the cross-reference section,
    /// `startxref` and `%%EOF`.
    pub fn finish(self) -> Result<WrittenUpdate, WriteError> {
        if !matches!(
            self.trailer_entries.get(b"Root"),
            Some(Object::Reference(_))
        ) {
            return Err(WriteError::MissingRoot);
        }
        if let Some(&num) = self
            .allocated
            .iter()
            .find(|n| !self.objects.contains_key(n))
        {
            return Err(WriteError::AllocatedButNotWritten {
                obj: ObjRef::new(num, 0),
            });
        }
        let mut out = Vec::new();
        if !self.base_ends_with_eol {
            out.push(b'\n');
        }
        let mut objects = BTreeMap::new();
        for (&num, pending) in &self.objects {
            let header = serialize::indirect_header(num, pending.gen);
            let header_offset = self.offset_of(out.len())?;
            let body_offset = self.offset_of(out.len().saturating_add(header.len()))?;
            out.extend_from_slice(&header);
            out.extend_from_slice(&pending.body);
            out.extend_from_slice(serialize::INDIRECT_FOOTER);
            objects.insert(
                ObjRef::new(num, pending.gen),
                ObjectPlacement {
                    header_offset,
                    body_offset,
                    body_len: pending.body.len() as u64,
                },
            );
        }

        let xref_offset = self.offset_of(out.len())?;
        let xref_stream = match self.style {
            XrefStyle::Table => None,
            XrefStyle::Stream => Some(ObjRef::new(self.next_num, 0)),
        };
        let size = match xref_stream {
            Some(r) => r
                .num
                .checked_add(1)
                .ok_or(WriteError::ObjectNumberOverflow)?,
            None => self.next_num,
        }
        .max(self.prev_size);

        let trailer = self.trailer(size, &out);
        match xref_stream {
            None => self.write_table(&mut out, &objects, &trailer, xref_offset)?,
            Some(r) => write_xref_stream(&mut out, &objects, &trailer, r, xref_offset)?,
        }
        out.extend_from_slice(format!("startxref\n{xref_offset}\n%%EOF\n").as_bytes());
        Ok(WrittenUpdate {
            bytes: out,
            objects,
            startxref: xref_offset,
            xref_stream,
            trailer,
        })
    }

    /// Absolute offset of position `pos` of the appended bytes.
    fn offset_of(&self, pos: usize) -> Result<u64, WriteError> {
        let offset = u64::try_from(pos)
            .ok()
            .and_then(|p| self.base_len.checked_add(p))
            .ok_or(WriteError::OffsetTooLarge { offset: u64::MAX })?;
        if self.style == XrefStyle::Table && offset > MAX_TABLE_OFFSET {
            return Err(WriteError::OffsetTooLarge { offset });
        }
        Ok(offset)
    }

    /// The logical trailer: `/Size`, `/Root`, `/Info`, other entries set by the caller, `/ID`,
    /// `/Prev`. `objects_bytes` (the update so far) feeds the new half of `/ID`.
    fn trailer(&self, size: u32, objects_bytes: &[u8]) -> Dict {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(b"kyso incremental update ID\0");
        ctx.update(&self.base_len.to_be_bytes());
        ctx.update(&self.prev_startxref.to_be_bytes());
        if let Some(first) = &self.permanent_id {
            ctx.update(&first.bytes);
        }
        ctx.update(objects_bytes);
        let digest = ctx.finish();
        let new_id = digest
            .as_ref()
            .get(..16)
            .unwrap_or(digest.as_ref())
            .to_vec();
        let first = self
            .permanent_id
            .clone()
            .unwrap_or_else(|| PdfString::hex(new_id.clone()));

        let mut trailer = Dict::new();
        trailer.set("Size", size);
        for (k, v) in self.trailer_entries.iter() {
            trailer.set(k.clone(), v.clone());
        }
        trailer.set(
            "ID",
            Object::Array(vec![
                Object::String(first),
                Object::String(PdfString::hex(new_id)),
            ]),
        );
        trailer.set("Prev", Object::Integer(offset_to_int(self.prev_startxref)));
        trailer
    }

    fn write_table(
        &self,
        out: &mut Vec<u8>,
        objects: &BTreeMap<ObjRef, ObjectPlacement>,
        trailer: &Dict,
        xref_offset: u64,
    ) -> Result<(), WriteError> {
        // No entry for object 0: this section frees nothing, so the free list of the earlier
        // sections stays as it is (§7.5.6: an update section lists only changed objects).
        if xref_offset > MAX_TABLE_OFFSET {
            return Err(WriteError::OffsetTooLarge {
                offset: xref_offset,
            });
        }
        out.extend_from_slice(b"xref\n");
        let entries: Vec<(u32, u16, u64)> = objects
            .iter()
            .map(|(r, p)| (r.num, r.gen, p.header_offset))
            .collect();
        for run in consecutive_runs(&entries) {
            let (Some(&(start, _, _)), count) = (run.first(), run.len()) else {
                continue;
            };
            out.extend_from_slice(format!("{start} {count}\n").as_bytes());
            for &(_, gen, offset) in run {
                // 20 bytes: 10-digit offset, space, 5-digit generation, space, n, CR LF.
                out.extend_from_slice(format!("{offset:010} {gen:05} n\r\n").as_bytes());
            }
        }
        out.extend_from_slice(b"trailer\n");
        serialize::write_object(out, &Object::Dict(trailer.clone()))
            .map_err(WriteError::Trailer)?;
        out.push(b'\n');
        Ok(())
    }
}

/// Writes the cross-reference stream object `r` at `xref_offset` (the current end of `out`).
fn write_xref_stream(
    out: &mut Vec<u8>,
    objects: &BTreeMap<ObjRef, ObjectPlacement>,
    trailer: &Dict,
    r: ObjRef,
    xref_offset: u64,
) -> Result<(), WriteError> {
    let mut entries: Vec<(u32, u16, u64)> = objects
        .iter()
        .map(|(o, p)| (o.num, o.gen, p.header_offset))
        .collect();
    // The stream has the highest number, so the entries stay sorted.
    entries.push((r.num, r.gen, xref_offset));

    let max_offset = entries.iter().map(|e| e.2).max().unwrap_or(0);
    let max_gen = entries.iter().map(|e| e.1).max().unwrap_or(0);
    // Field widths: type 1 byte; offset as few bytes as it needs; generation at least one
    // byte, so that every record has three fields (some readers mishandle zero widths).
    let w_offset = bytes_needed(max_offset).max(1);
    let w_gen = bytes_needed(u64::from(max_gen)).max(1);

    let mut rows = Vec::with_capacity(entries.len() * (1 + w_offset + w_gen));
    for &(_, gen, offset) in &entries {
        rows.push(1u8);
        rows.extend_from_slice(tail(&offset.to_be_bytes(), w_offset));
        rows.extend_from_slice(tail(&gen.to_be_bytes(), w_gen));
    }
    let data = deflate(&rows, flate2::Compression::default())?;

    let mut index = Vec::new();
    for run in consecutive_runs(&entries) {
        if let Some(&(start, _, _)) = run.first() {
            index.push(Object::from(start));
            index.push(Object::Integer(run.len() as i64));
        }
    }
    let mut dict = Dict::new();
    dict.set("Type", Object::Name(Name::from("XRef")));
    for (k, v) in trailer.iter() {
        dict.set(k.clone(), v.clone());
    }
    dict.set("Index", Object::Array(index));
    dict.set(
        "W",
        Object::Array(vec![
            Object::Integer(1),
            Object::Integer(w_offset as i64),
            Object::Integer(w_gen as i64),
        ]),
    );
    dict.set("Filter", Object::Name(Name::from("FlateDecode")));
    let stream = Object::Stream(super::object::Stream {
        dict,
        data: super::object::StreamData::Memory(data),
    });
    let bytes = serialize::write_indirect(r.num, r.gen, &stream).map_err(WriteError::Trailer)?;
    out.extend_from_slice(&bytes);
    Ok(())
}

/// Splits entries sorted by object number into runs of consecutive numbers.
fn consecutive_runs(entries: &[(u32, u16, u64)]) -> impl Iterator<Item = &[(u32, u16, u64)]> {
    entries.chunk_by(|a, b| a.0.checked_add(1) == Some(b.0))
}

/// Number of big-endian bytes needed to write `v` (0 for 0).
fn bytes_needed(v: u64) -> usize {
    (64 - v.leading_zeros() as usize).div_ceil(8)
}

/// The last `n` bytes of `b` (all of it if shorter).
fn tail(b: &[u8], n: usize) -> &[u8] {
    b.get(b.len().saturating_sub(n)..).unwrap_or(b)
}

/// An offset as a PDF integer (offsets of real files are far below `i64::MAX`; larger ones
/// saturate, which no reader would accept either).
fn offset_to_int(offset: u64) -> i64 {
    i64::try_from(offset).unwrap_or(i64::MAX)
}

/// zlib/deflate for a `/FlateDecode` stream written by an update (the one encoder every
/// writer uses: cross-reference streams, fonts, images, appearances, embedded files).
pub(crate) fn deflate(data: &[u8], level: flate2::Compression) -> Result<Vec<u8>, WriteError> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), level);
    z.write_all(data).map_err(WriteError::Compress)?;
    z.finish().map_err(WriteError::Compress)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trailer(size: i64) -> Dict {
        let mut t = Dict::new();
        t.set("Size", size);
        t.set("Root", ObjRef::new(1, 0));
        t.set("Info", ObjRef::new(3, 0));
        t.set(
            "ID",
            Object::Array(vec![
                Object::String(PdfString::hex(b"permanent-id-123".to_vec())),
                Object::String(PdfString::hex(b"changing-id-4567".to_vec())),
            ]),
        );
        t.set("XRefStm", 1234i64);
        t.set("Custom", 1i64);
        t
    }

    fn text(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }

    #[test]
    fn table_update_layout() {
        let mut u =
            IncrementalUpdate::new(1000, 900, XrefStyle::Table, &trailer(6), false).unwrap();
        let a = u.allocate().unwrap();
        let b = u.allocate().unwrap();
        assert_eq!((a, b), (ObjRef::new(6, 0), ObjRef::new(7, 0)));
        u.put(b, &Object::Integer(2)).unwrap();
        u.put(a, &Object::Integer(1)).unwrap();
        u.put(ObjRef::new(1, 0), &Object::Null).unwrap();
        let w = u.finish().unwrap();
        let s = text(&w.bytes);
        // Leading EOL because the base does not end with one.
        let expected_objects = "\n1 0 obj\nnull\nendobj\n6 0 obj\n1\nendobj\n7 0 obj\n2\nendobj\n";
        assert!(s.starts_with(expected_objects), "{s}");
        assert_eq!(w.startxref, 1000 + expected_objects.len() as u64);
        let p1 = w.objects[&ObjRef::new(1, 0)];
        assert_eq!(
            (p1.header_offset, p1.body_offset, p1.body_len),
            (1001, 1009, 4)
        );
        let p6 = w.objects[&ObjRef::new(6, 0)];
        assert_eq!(
            p6.header_offset,
            1001 + "1 0 obj\nnull\nendobj\n".len() as u64
        );
        let rest = &s[expected_objects.len()..];
        let want_xref = format!(
            "xref\n1 1\n0000001001 00000 n\r\n6 2\n{:010} 00000 n\r\n{:010} 00000 n\r\ntrailer\n",
            p6.header_offset,
            w.objects[&ObjRef::new(7, 0)].header_offset
        );
        assert!(rest.starts_with(&want_xref), "{rest}");
        assert!(rest.ends_with(&format!("\nstartxref\n{}\n%%EOF\n", w.startxref)));
        // Trailer: /Size from the highest number, /Prev, carried /Root /Info, not /XRefStm.
        assert_eq!(w.trailer.get_int(b"Size"), Some(8));
        assert_eq!(w.trailer.get_int(b"Prev"), Some(900));
        assert_eq!(
            w.trailer.get(b"Root"),
            Some(&Object::Reference(ObjRef::new(1, 0)))
        );
        assert_eq!(
            w.trailer.get(b"Info"),
            Some(&Object::Reference(ObjRef::new(3, 0)))
        );
        assert!(!w.trailer.contains(b"XRefStm"));
        assert!(!w.trailer.contains(b"Custom"));
        assert!(!s.contains("XRefStm"));
        let id = w.trailer.get(b"ID").and_then(Object::as_array).unwrap();
        assert_eq!(id[0].as_string().unwrap().bytes, b"permanent-id-123");
        assert_eq!(id[1].as_string().unwrap().bytes.len(), 16);
        assert_ne!(id[1].as_string().unwrap().bytes, b"changing-id-4567");
    }

    #[test]
    fn size_never_shrinks_and_put_beyond_size_bumps_allocation() {
        let mut u = IncrementalUpdate::new(100, 10, XrefStyle::Table, &trailer(50), true).unwrap();
        u.put(ObjRef::new(2, 0), &Object::Null).unwrap();
        let w = u.clone().finish().unwrap();
        assert_eq!(w.trailer.get_int(b"Size"), Some(50));
        assert_eq!(w.bytes.first(), Some(&b'2'));
        u.put(ObjRef::new(60, 0), &Object::Null).unwrap();
        let r = u.allocate().unwrap();
        assert_eq!(r, ObjRef::new(61, 0));
        assert!(matches!(
            u.clone().finish(),
            Err(WriteError::AllocatedButNotWritten { obj }) if obj == r
        ));
        u.put(r, &Object::Null).unwrap();
        let w = u.finish().unwrap();
        assert_eq!(w.trailer.get_int(b"Size"), Some(62));
    }

    #[test]
    fn id_depends_on_content() {
        let make = |v: i64| {
            let mut u =
                IncrementalUpdate::new(100, 10, XrefStyle::Table, &trailer(5), true).unwrap();
            u.put(ObjRef::new(5, 0), &Object::Integer(v)).unwrap();
            u.finish().unwrap().trailer.get(b"ID").cloned().unwrap()
        };
        assert_eq!(make(1), make(1));
        assert_ne!(make(1), make(2));
    }

    #[test]
    fn missing_id_gets_a_fresh_pair() {
        let mut t = trailer(5);
        t.remove(b"ID");
        let u = IncrementalUpdate::new(100, 10, XrefStyle::Table, &t, true).unwrap();
        let w = u.finish().unwrap();
        let id = w.trailer.get(b"ID").and_then(Object::as_array).unwrap();
        assert_eq!(id.len(), 2);
        assert_eq!(id[0].as_string().unwrap().bytes.len(), 16);
    }

    #[test]
    fn refusals() {
        let mut enc = trailer(5);
        enc.set("Encrypt", ObjRef::new(9, 0));
        assert!(matches!(
            IncrementalUpdate::new(100, 10, XrefStyle::Table, &enc, true),
            Err(WriteError::Encrypted)
        ));
        for size in [
            Object::Integer(0),
            Object::Integer(-1),
            Object::Integer(1 << 40),
            Object::Null,
        ] {
            let mut t = trailer(5);
            t.set("Size", size);
            assert!(matches!(
                IncrementalUpdate::new(100, 10, XrefStyle::Table, &t, true),
                Err(WriteError::InvalidSize)
            ));
        }
        assert!(matches!(
            IncrementalUpdate::new(100, 100, XrefStyle::Table, &trailer(5), true),
            Err(WriteError::StartxrefOutOfRange { .. })
        ));
        let mut u = IncrementalUpdate::new(100, 10, XrefStyle::Table, &trailer(5), true).unwrap();
        assert!(matches!(
            u.put(ObjRef::new(0, 0), &Object::Null),
            Err(WriteError::ReservedObjectNumber)
        ));
        assert!(matches!(
            u.put(ObjRef::new(4, 0), &Object::Real(f64::NAN)),
            Err(WriteError::Serialize { obj, .. }) if obj == ObjRef::new(4, 0)
        ));
        for key in ["Size", "Prev", "XRefStm", "Encrypt", "W", "ID"] {
            assert!(matches!(
                u.set_trailer_entry(key, Object::Null),
                Err(WriteError::ComputedTrailerKey { .. })
            ));
        }
        assert!(matches!(
            u.put(ObjRef::new(u32::MAX, 0), &Object::Null),
            Err(WriteError::ObjectNumberOverflow)
        ));
        let mut no_root = trailer(5);
        no_root.remove(b"Root");
        let u = IncrementalUpdate::new(100, 10, XrefStyle::Table, &no_root, true).unwrap();
        assert!(matches!(u.finish(), Err(WriteError::MissingRoot)));
        let mut u = IncrementalUpdate::new(100, 10, XrefStyle::Table, &no_root, true).unwrap();
        u.set_trailer_entry("Root", Object::Reference(ObjRef::new(7, 0)))
            .unwrap();
        assert!(u.finish().is_ok());
    }

    #[test]
    fn table_offsets_limited_to_ten_digits() {
        let mut u = IncrementalUpdate::new(
            MAX_TABLE_OFFSET - 5,
            10,
            XrefStyle::Table,
            &trailer(5),
            true,
        )
        .unwrap();
        u.put(ObjRef::new(5, 0), &Object::Null).unwrap();
        assert!(matches!(u.finish(), Err(WriteError::OffsetTooLarge { .. })));
        // Streams have no such limit.
        let mut u = IncrementalUpdate::new(
            MAX_TABLE_OFFSET + 5,
            10,
            XrefStyle::Stream,
            &trailer(5),
            true,
        )
        .unwrap();
        u.put(ObjRef::new(5, 0), &Object::Null).unwrap();
        let w = u.finish().unwrap();
        assert!(text(&w.bytes).contains("/W [1 5 1]"));
    }

    #[test]
    fn xref_stream_layout() {
        use std::io::Read as _;
        let mut u =
            IncrementalUpdate::new(70_000, 500, XrefStyle::Stream, &trailer(9), true).unwrap();
        u.put(ObjRef::new(2, 1), &Object::Integer(7)).unwrap();
        u.put(ObjRef::new(3, 0), &Object::Integer(8)).unwrap();
        let w = u.finish().unwrap();
        let xs = w.xref_stream.unwrap();
        assert_eq!(xs, ObjRef::new(9, 0));
        assert_eq!(w.trailer.get_int(b"Size"), Some(10));
        let s = text(&w.bytes);
        let header = "9 0 obj\n<< /Type /XRef /Size 10 /Root 1 0 R /Info 3 0 R /ID [<";
        let at = s.find(header).unwrap();
        assert_eq!(w.startxref, 70_000 + at as u64);
        assert!(s.contains("/Prev 500 /Index [2 2 9 1] /W [1 3 1] /Filter /FlateDecode /Length "));
        // Decode the stream data and check every row.
        let start = s.find("stream\n").unwrap() + "stream\n".len();
        let end = s.rfind("\nendstream").unwrap();
        let mut rows = Vec::new();
        flate2::read::ZlibDecoder::new(&w.bytes[start..end])
            .read_to_end(&mut rows)
            .unwrap();
        let row = |off: u64, gen: u8| {
            let b = off.to_be_bytes();
            vec![1, b[5], b[6], b[7], gen]
        };
        let mut want = row(w.objects[&ObjRef::new(2, 1)].header_offset, 1);
        want.extend(row(w.objects[&ObjRef::new(3, 0)].header_offset, 0));
        want.extend(row(w.startxref, 0));
        assert_eq!(rows, want);
        assert!(s.ends_with(&format!("endobj\nstartxref\n{}\n%%EOF\n", w.startxref)));
    }

    #[test]
    fn helpers() {
        assert_eq!(bytes_needed(0), 0);
        assert_eq!(bytes_needed(255), 1);
        assert_eq!(bytes_needed(256), 2);
        assert_eq!(bytes_needed(u64::MAX), 8);
        assert_eq!(tail(&[1, 2, 3, 4], 2), &[3, 4]);
        assert_eq!(tail(&[1, 2], 5), &[1, 2]);
        let e = [(1, 0, 0), (2, 0, 0), (4, 0, 0), (u32::MAX, 0, 0)];
        let runs: Vec<usize> = consecutive_runs(&e).map(<[_]>::len).collect();
        assert_eq!(runs, vec![2, 1, 1]);
    }
}
