//! The PDF object model (ISO 32000-2 §7.3), as read from a file and as written back.
//!
//! Objects are owned values. Strings remember where they stood in the file ([`Span`]) so that
//! the verifier can compare a signature's `/ByteRange` gap with the exact bytes of its
//! `/Contents` string; streams keep the position of their data instead of the data itself, so
//! that reading a dictionary never reads a 100 MB image.

use std::fmt;

/// A byte range `[start, end)` of the file (absolute offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
}

impl Span {
    /// Number of bytes covered.
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// True when the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// A reference to an indirect object: `num gen R`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjRef {
    /// Object number (1 and up; 0 is the head of the free list).
    pub num: u32,
    /// Generation number.
    pub gen: u16,
}

impl ObjRef {
    /// A reference `num gen R`.
    pub const fn new(num: u32, gen: u16) -> Self {
        ObjRef { num, gen }
    }
}

impl fmt::Display for ObjRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} R", self.num, self.gen)
    }
}

/// A name object, without the leading slash and with `#xx` escapes decoded.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(pub Vec<u8>);

impl Name {
    /// A name from its decoded bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Name(bytes.into())
    }

    /// The decoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", String::from_utf8_lossy(&self.0))
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Name(s.as_bytes().to_vec())
    }
}

/// A string object: literal `( … )` or hexadecimal `< … >`.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfString {
    /// Decoded bytes (escapes resolved, hex digits converted).
    pub bytes: Vec<u8>,
    /// Written in hexadecimal form.
    pub hex: bool,
    /// Where the string, delimiters included, stood in the file; `None` for strings that came
    /// from an object stream or were made in memory.
    pub span: Option<Span>,
}

impl PdfString {
    /// A literal string made in memory.
    pub fn literal(bytes: impl Into<Vec<u8>>) -> Self {
        PdfString {
            bytes: bytes.into(),
            hex: false,
            span: None,
        }
    }

    /// A hexadecimal string made in memory.
    pub fn hex(bytes: impl Into<Vec<u8>>) -> Self {
        PdfString {
            bytes: bytes.into(),
            hex: true,
            span: None,
        }
    }

    /// A text string (§7.9.2.2) made in memory: ASCII as is, anything else UTF-16BE with a
    /// byte-order mark (the serializer writes whichever string form is shorter).
    pub fn text(s: &str) -> Self {
        PdfString::literal(encode_text_string(s))
    }

    /// Decodes a PDF text string (§7.9.2.2): UTF-16BE with a byte-order mark, UTF-8 with a
    /// byte-order mark, or PDFDocEncoding (treated as Latin-1 for the printable range).
    pub fn to_text(&self) -> String {
        decode_text_string(&self.bytes)
    }
}

/// Decodes the bytes of a PDF text string to Rust text (lossy on malformed input).
pub fn decode_text_string(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = b.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        b.iter().map(|&c| pdfdoc_char(c)).collect()
    }
}

/// Encodes text as a PDF text string: PDFDocEncoding-compatible ASCII stays as is, anything
/// else becomes UTF-16BE with a byte-order mark.
pub fn encode_text_string(s: &str) -> Vec<u8> {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        s.as_bytes().to_vec()
    } else {
        let mut out = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            out.extend_from_slice(&u.to_be_bytes());
        }
        out
    }
}

fn pdfdoc_char(c: u8) -> char {
    // PDFDocEncoding agrees with Latin-1 outside 0x18..0x1F and 0x80..0xA0; the few typographic
    // characters there are mapped, the rest kept as their Latin-1 code point.
    match c {
        0x80 => '\u{2022}',
        0x81 => '\u{2020}',
        0x82 => '\u{2021}',
        0x83 => '\u{2026}',
        0x84 => '\u{2014}',
        0x85 => '\u{2013}',
        0x86 => '\u{0192}',
        0x87 => '\u{2044}',
        0x88 => '\u{2039}',
        0x89 => '\u{203A}',
        0x8A => '\u{2212}',
        0x8B => '\u{2030}',
        0x8C => '\u{201E}',
        0x8D => '\u{201C}',
        0x8E => '\u{201D}',
        0x8F => '\u{2018}',
        0x90 => '\u{2019}',
        0x91 => '\u{201A}',
        0x92 => '\u{2122}',
        0x93 => '\u{FB01}',
        0x94 => '\u{FB02}',
        0xA0 => '\u{20AC}',
        other => char::from(other),
    }
}

/// A dictionary. Keys keep the order in which they were read or inserted; lookups are linear,
/// which is fastest for the small dictionaries PDF files hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dict {
    entries: Vec<(Name, Object)>,
}

impl Dict {
    /// An empty dictionary.
    pub fn new() -> Self {
        Dict::default()
    }

    /// The value for `key` (without the slash), if present.
    pub fn get(&self, key: &[u8]) -> Option<&Object> {
        self.entries
            .iter()
            .find(|(k, _)| k.0 == key)
            .map(|(_, v)| v)
    }

    /// Mutable access to the value for `key`.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Object> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k.0 == key)
            .map(|(_, v)| v)
    }

    /// Sets `key` to `value`, replacing an earlier value in place (order kept).
    pub fn set(&mut self, key: impl Into<Name>, value: impl Into<Object>) {
        let key = key.into();
        let value = value.into();
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Adds an entry as read from a file. A repeated key takes the later value, as pyHanko
    /// and pdfium read it; returns true when the key was repeated (a finding for the caller).
    pub fn push_parsed(&mut self, key: Name, value: Object) -> bool {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => {
                slot.1 = value;
                true
            }
            None => {
                self.entries.push((key, value));
                false
            }
        }
    }

    /// A dictionary from entries in the order they were read. A repeated key takes the later
    /// value at the place of its first occurrence, as with [`Dict::push_parsed`], but without
    /// a quadratic cost on dictionaries with many keys. Also returns whether a key repeated.
    pub fn from_parsed(entries: Vec<(Name, Object)>) -> (Self, bool) {
        let mut repeated = false;
        if entries.len() <= 32 {
            let mut d = Dict::new();
            for (k, v) in entries {
                repeated |= d.push_parsed(k, v);
            }
            return (d, repeated);
        }
        let mut index: std::collections::HashMap<Name, usize> =
            std::collections::HashMap::with_capacity(entries.len());
        let mut out: Vec<(Name, Object)> = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            match index.get(&k) {
                Some(&i) => {
                    repeated = true;
                    if let Some(slot) = out.get_mut(i) {
                        slot.1 = v;
                    }
                }
                None => {
                    index.insert(k.clone(), out.len());
                    out.push((k, v));
                }
            }
        }
        (Dict { entries: out }, repeated)
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &[u8]) -> Option<Object> {
        let i = self.entries.iter().position(|(k, _)| k.0 == key)?;
        Some(self.entries.remove(i).1)
    }

    /// True when `key` is present.
    pub fn contains(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Name, &Object)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The entries in order, values mutable.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&Name, &mut Object)> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value for `key` as a name, if it is one.
    pub fn get_name(&self, key: &[u8]) -> Option<&[u8]> {
        self.get(key).and_then(Object::as_name)
    }

    /// The value for `key` as an integer, if it is one.
    pub fn get_int(&self, key: &[u8]) -> Option<i64> {
        self.get(key).and_then(Object::as_int)
    }

    /// True when `/Type` names `ty`.
    pub fn is_type(&self, ty: &[u8]) -> bool {
        self.get_name(b"Type") == Some(ty)
    }
}

/// A stream: its dictionary and where its (still encoded) data lies.
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    /// The stream dictionary.
    pub dict: Dict,
    /// Where the data is.
    pub data: StreamData,
}

/// Where a stream's encoded bytes are.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamData {
    /// In the file, at this span (after `stream` and its end-of-line, `/Length` bytes).
    File(Span),
    /// In memory: a stream made by the writer.
    Memory(Vec<u8>),
}

/// Any PDF object.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Integer(i64),
    /// A real number.
    Real(f64),
    /// A name.
    Name(Name),
    /// A string.
    String(PdfString),
    /// An array.
    Array(Vec<Object>),
    /// A dictionary.
    Dict(Dict),
    /// A stream (only as a direct value of an indirect object).
    Stream(Stream),
    /// A reference to an indirect object.
    Reference(ObjRef),
}

impl Object {
    /// The name's bytes, if this is a name.
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Object::Name(n) => Some(&n.0),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Object::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The number as a float, if this is an integer or a real.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Object::Integer(i) => Some(*i as f64),
            Object::Real(r) => Some(*r),
            _ => None,
        }
    }

    /// The dictionary, if this is one (or a stream's dictionary).
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Object::Dict(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Object::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_string(&self) -> Option<&PdfString> {
        match self {
            Object::String(s) => Some(s),
            _ => None,
        }
    }

    /// The stream, if this is one.
    pub fn as_stream(&self) -> Option<&Stream> {
        match self {
            Object::Stream(s) => Some(s),
            _ => None,
        }
    }

    /// The reference, if this is one.
    pub fn as_ref(&self) -> Option<ObjRef> {
        match self {
            Object::Reference(r) => Some(*r),
            _ => None,
        }
    }

    /// A short name of the object's kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Object::Null => "null",
            Object::Bool(_) => "boolean",
            Object::Integer(_) => "integer",
            Object::Real(_) => "real",
            Object::Name(_) => "name",
            Object::String(_) => "string",
            Object::Array(_) => "array",
            Object::Dict(_) => "dictionary",
            Object::Stream(_) => "stream",
            Object::Reference(_) => "reference",
        }
    }
}

impl From<bool> for Object {
    fn from(v: bool) -> Self {
        Object::Bool(v)
    }
}
impl From<i64> for Object {
    fn from(v: i64) -> Self {
        Object::Integer(v)
    }
}
impl From<u32> for Object {
    fn from(v: u32) -> Self {
        Object::Integer(i64::from(v))
    }
}
impl From<Name> for Object {
    fn from(v: Name) -> Self {
        Object::Name(v)
    }
}
impl From<PdfString> for Object {
    fn from(v: PdfString) -> Self {
        Object::String(v)
    }
}
impl From<Dict> for Object {
    fn from(v: Dict) -> Self {
        Object::Dict(v)
    }
}
impl From<Vec<Object>> for Object {
    fn from(v: Vec<Object>) -> Self {
        Object::Array(v)
    }
}
impl From<ObjRef> for Object {
    fn from(v: ObjRef) -> Self {
        Object::Reference(v)
    }
}
impl From<Stream> for Object {
    fn from(v: Stream) -> Self {
        Object::Stream(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_round_trip_vietnamese() {
        let s = "Nguyễn Thị Hương";
        let enc = encode_text_string(s);
        assert_eq!(&enc[..2], &[0xFE, 0xFF]);
        assert_eq!(decode_text_string(&enc), s);
        assert_eq!(encode_text_string("Hanoi"), b"Hanoi");
    }

    #[test]
    fn dict_set_replaces_in_place_and_parsed_duplicates_take_the_later_value() {
        let mut d = Dict::new();
        d.set("A", 1i64);
        d.set("B", 2i64);
        d.set("A", 3i64);
        assert_eq!(d.get_int(b"A"), Some(3));
        assert_eq!(d.iter().next().map(|(k, _)| k.as_bytes()), Some(&b"A"[..]));
        assert!(d.push_parsed(Name::from("B"), Object::Integer(9)));
        assert_eq!(d.get_int(b"B"), Some(9));
    }
}
