//! Writing objects as PDF syntax (ISO 32000-2 §7.3).
//!
//! The writer only ever produces new objects for an incremental update, so this module works on
//! objects held in memory: a stream whose data still lies in the input file
//! ([`StreamData::File`]) is refused rather than copied.
//!
//! Choices made here:
//! - Names escape every byte outside the regular printable range, the delimiters and `#` as
//!   `#XX`; a NUL byte cannot be written (§7.3.5 forbids it even escaped).
//! - Strings are written in hexadecimal when [`PdfString::hex`] asks for it or when that is
//!   shorter than the escaped literal form (binary content, UTF-16 text); literal strings
//!   escape `(`, `)` and `\` always and other non-printable bytes as `\n`, `\r`, `\t`, `\b`,
//!   `\f` or three-digit octal.
//! - Reals are written in plain decimal notation (PDF has no exponent syntax) with at most
//!   [`REAL_FRACTION_DIGITS`] digits after the point and no trailing zeros; NaN and infinities
//!   are an error ([`SerializeError::NonFiniteReal`]), never silently replaced.
//! - Streams get `/Length` set to the length of their data; the data is written as is (the
//!   caller encodes it and sets `/Filter`).
//! - Nesting deeper than [`MAX_DEPTH`] is an error.

use super::object::{Dict, Name, Object, PdfString, Span, Stream, StreamData};

/// Deepest nesting of arrays and dictionaries written (the top-level object is depth 1).
pub const MAX_DEPTH: usize = 64;

/// Digits kept after the decimal point when writing a real number.
pub const REAL_FRACTION_DIGITS: usize = 10;

/// Why an object could not be written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SerializeError {
    /// A real number is NaN or infinite; PDF has no syntax for it.
    #[error("real number {value} has no PDF representation")]
    NonFiniteReal {
        /// The offending value.
        value: f64,
    },
    /// A name contains a NUL byte, which PDF names cannot hold.
    #[error("name contains a NUL byte at position {position}")]
    NulInName {
        /// Index of the NUL byte in the name's decoded bytes.
        position: usize,
    },
    /// A stream's data lies in the input file; the writer only writes streams held in memory.
    #[error("stream data at file bytes {}..{} is not in memory and cannot be written", span.start, span.end)]
    StreamDataInFile {
        /// Where the data lies in the input file.
        span: Span,
    },
    /// A stream appears inside an array or dictionary; streams can only be indirect objects.
    #[error("a stream can only be written as an indirect object, not nested at depth {depth}")]
    NestedStream {
        /// Nesting depth at which the stream was found (1 = top level).
        depth: usize,
    },
    /// Arrays and dictionaries nest deeper than [`MAX_DEPTH`].
    #[error("objects nested deeper than {limit} levels")]
    TooDeep {
        /// The limit that was exceeded.
        limit: usize,
    },
}

/// Appends `obj` as PDF syntax to `out`. A stream is accepted only at the top level.
///
/// On error, `out` may hold a partial object; callers discard it.
pub fn write_object(out: &mut Vec<u8>, obj: &Object) -> Result<(), SerializeError> {
    write_at_depth(out, obj, 1)
}

/// `obj` as PDF syntax in a new buffer.
pub fn to_bytes(obj: &Object) -> Result<Vec<u8>, SerializeError> {
    let mut out = Vec::new();
    write_object(&mut out, obj)?;
    Ok(out)
}

/// An indirect object: `num gen obj\n` + body + `\nendobj\n`.
pub fn write_indirect(num: u32, gen: u16, obj: &Object) -> Result<Vec<u8>, SerializeError> {
    let body = to_bytes(obj)?;
    Ok(wrap_indirect(num, gen, &body))
}

/// Wraps an already serialized body as an indirect object, like [`write_indirect`].
pub fn wrap_indirect(num: u32, gen: u16, body: &[u8]) -> Vec<u8> {
    let mut out = indirect_header(num, gen);
    out.extend_from_slice(body);
    out.extend_from_slice(INDIRECT_FOOTER);
    out
}

/// The line that opens an indirect object: `num gen obj\n`.
pub fn indirect_header(num: u32, gen: u16) -> Vec<u8> {
    format!("{num} {gen} obj\n").into_bytes()
}

/// The bytes that close an indirect object after its body.
pub const INDIRECT_FOOTER: &[u8] = b"\nendobj\n";

fn write_at_depth(out: &mut Vec<u8>, obj: &Object, depth: usize) -> Result<(), SerializeError> {
    if depth > MAX_DEPTH {
        return Err(SerializeError::TooDeep { limit: MAX_DEPTH });
    }
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Bool(true) => out.extend_from_slice(b"true"),
        Object::Bool(false) => out.extend_from_slice(b"false"),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => write_real(out, *r)?,
        Object::Name(n) => write_name(out, n)?,
        Object::String(s) => write_string(out, s),
        Object::Reference(r) => out.extend_from_slice(format!("{} {} R", r.num, r.gen).as_bytes()),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_at_depth(out, item, depth + 1)?;
            }
            out.push(b']');
        }
        Object::Dict(d) => write_dict(out, d, depth, None)?,
        Object::Stream(s) => {
            if depth > 1 {
                return Err(SerializeError::NestedStream { depth });
            }
            write_stream(out, s, depth)?;
        }
    }
    Ok(())
}

/// Writes `<< /K v ... >>`. `length` replaces any `/Length` entry (streams).
fn write_dict(
    out: &mut Vec<u8>,
    d: &Dict,
    depth: usize,
    length: Option<usize>,
) -> Result<(), SerializeError> {
    out.extend_from_slice(b"<<");
    let mut length_written = false;
    for (k, v) in d.iter() {
        out.push(b' ');
        write_name(out, k)?;
        out.push(b' ');
        match length {
            Some(len) if k.as_bytes() == b"Length" => {
                out.extend_from_slice(len.to_string().as_bytes());
                length_written = true;
            }
            _ => write_at_depth(out, v, depth + 1)?,
        }
    }
    if let (Some(len), false) = (length, length_written) {
        out.extend_from_slice(format!(" /Length {len}").as_bytes());
    }
    out.extend_from_slice(b" >>");
    Ok(())
}

fn write_stream(out: &mut Vec<u8>, s: &Stream, depth: usize) -> Result<(), SerializeError> {
    let data = match &s.data {
        StreamData::Memory(data) => data,
        StreamData::File(span) => return Err(SerializeError::StreamDataInFile { span: *span }),
    };
    write_dict(out, &s.dict, depth, Some(data.len()))?;
    out.extend_from_slice(b"\nstream\n");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    Ok(())
}

/// True for the bytes that may stand unescaped in a name (§7.3.5): printable ASCII other than
/// delimiters and `#`.
fn is_regular_name_byte(b: u8) -> bool {
    (0x21..=0x7e).contains(&b) && !b"()<>[]{}/%#".contains(&b)
}

const HEX_DIGITS: &[u8; 16] = b"0123456789ABCDEF";

fn push_hex_byte(out: &mut Vec<u8>, b: u8) {
    out.push(HEX_DIGITS[usize::from(b >> 4)]);
    out.push(HEX_DIGITS[usize::from(b & 0x0f)]);
}

/// Writes `/name` with `#XX` escapes.
pub fn write_name(out: &mut Vec<u8>, name: &Name) -> Result<(), SerializeError> {
    if let Some(position) = name.as_bytes().iter().position(|&b| b == 0) {
        return Err(SerializeError::NulInName { position });
    }
    out.push(b'/');
    for &b in name.as_bytes() {
        if is_regular_name_byte(b) {
            out.push(b);
        } else {
            out.push(b'#');
            push_hex_byte(out, b);
        }
    }
    Ok(())
}

/// Writes a string, in hexadecimal if [`PdfString::hex`] is set or if that is shorter than the
/// escaped literal form.
pub fn write_string(out: &mut Vec<u8>, s: &PdfString) {
    if s.hex || literal_len(&s.bytes) > 2 * s.bytes.len() + 2 {
        write_hex_string(out, &s.bytes);
    } else {
        write_literal_string(out, &s.bytes);
    }
}

/// Writes `<…>` with two uppercase hexadecimal digits per byte.
pub fn write_hex_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() * 2 + 2);
    out.push(b'<');
    for &b in bytes {
        push_hex_byte(out, b);
    }
    out.push(b'>');
}

/// How a byte is written inside a literal string.
enum LiteralByte {
    Plain(u8),
    Escaped(u8),
    Octal(u8),
}

fn classify_literal_byte(b: u8) -> LiteralByte {
    match b {
        b'(' | b')' | b'\\' => LiteralByte::Escaped(b),
        b'\n' => LiteralByte::Escaped(b'n'),
        b'\r' => LiteralByte::Escaped(b'r'),
        b'\t' => LiteralByte::Escaped(b't'),
        0x08 => LiteralByte::Escaped(b'b'),
        0x0c => LiteralByte::Escaped(b'f'),
        0x20..=0x7e => LiteralByte::Plain(b),
        _ => LiteralByte::Octal(b),
    }
}

/// Length of the literal form of `bytes`, delimiters included.
fn literal_len(bytes: &[u8]) -> usize {
    2 + bytes
        .iter()
        .map(|&b| match classify_literal_byte(b) {
            LiteralByte::Plain(_) => 1,
            LiteralByte::Escaped(_) => 2,
            LiteralByte::Octal(_) => 4,
        })
        .sum::<usize>()
}

/// Writes `(…)` escaping `(`, `)`, `\` and every byte outside printable ASCII.
pub fn write_literal_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'(');
    for &b in bytes {
        match classify_literal_byte(b) {
            LiteralByte::Plain(c) => out.push(c),
            LiteralByte::Escaped(c) => {
                out.push(b'\\');
                out.push(c);
            }
            LiteralByte::Octal(c) => {
                // Always three digits, so that a following digit is never read as part of it.
                out.push(b'\\');
                out.push(b'0' + (c >> 6));
                out.push(b'0' + ((c >> 3) & 7));
                out.push(b'0' + (c & 7));
            }
        }
    }
    out.push(b')');
}

/// Writes a real number in plain decimal notation (see the module documentation).
pub fn write_real(out: &mut Vec<u8>, value: f64) -> Result<(), SerializeError> {
    if !value.is_finite() {
        return Err(SerializeError::NonFiniteReal { value });
    }
    let mut text = format!("{value:.prec$}", prec = REAL_FRACTION_DIGITS);
    if text.contains('.') {
        let kept = text.trim_end_matches('0').trim_end_matches('.').len();
        text.truncate(kept);
    }
    if text == "-0" {
        text = "0".to_owned();
    }
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::object::ObjRef;

    fn ser(obj: &Object) -> String {
        String::from_utf8(to_bytes(obj).unwrap()).unwrap()
    }

    #[test]
    fn scalars() {
        assert_eq!(ser(&Object::Null), "null");
        assert_eq!(ser(&Object::Bool(true)), "true");
        assert_eq!(ser(&Object::Bool(false)), "false");
        assert_eq!(ser(&Object::Integer(-42)), "-42");
        assert_eq!(ser(&Object::Integer(i64::MIN)), "-9223372036854775808");
        assert_eq!(ser(&Object::Reference(ObjRef::new(12, 3))), "12 3 R");
    }

    #[test]
    fn reals_have_no_exponent_and_no_trailing_zeros() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (0.5, "0.5"),
            (-12.25, "-12.25"),
            (612.0, "612"),
            (0.1, "0.1"),
            (1e-7, "0.0000001"),
            (1e-12, "0"),
            (-1e-12, "0"),
            (1e20, "100000000000000000000"),
            (2.0 / 3.0, "0.6666666667"),
        ];
        for &(v, want) in cases {
            assert_eq!(ser(&Object::Real(v)), want, "{v:e}");
        }
    }

    #[test]
    fn non_finite_reals_are_errors() {
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(matches!(
                to_bytes(&Object::Real(v)),
                Err(SerializeError::NonFiniteReal { .. })
            ));
        }
        // Also when nested.
        let arr = Object::Array(vec![Object::Integer(1), Object::Real(f64::NAN)]);
        assert!(to_bytes(&arr).is_err());
    }

    #[test]
    fn names_escape_delimiters_whitespace_hash_and_non_ascii() {
        let n = |b: &[u8]| ser(&Object::Name(Name::new(b.to_vec())));
        assert_eq!(n(b"Type"), "/Type");
        assert_eq!(n(b""), "/");
        assert_eq!(n(b"A B"), "/A#20B");
        assert_eq!(n(b"a#b"), "/a#23b");
        assert_eq!(n(b"()<>[]{}/%"), "/#28#29#3C#3E#5B#5D#7B#7D#2F#25");
        assert_eq!(n(b"\t\n\r\x7f\x80\xff"), "/#09#0A#0D#7F#80#FF");
        assert_eq!(n("Nguyễn".as_bytes()), "/Nguy#E1#BB#85n");
        assert_eq!(
            to_bytes(&Object::Name(Name::new(b"a\0b".to_vec()))),
            Err(SerializeError::NulInName { position: 1 })
        );
    }

    #[test]
    fn literal_strings_escape_what_must_be_escaped() {
        let s = |b: &[u8]| ser(&Object::String(PdfString::literal(b.to_vec())));
        assert_eq!(s(b""), "()");
        assert_eq!(s(b"Hello"), "(Hello)");
        assert_eq!(s(b"a(b)c\\d"), "(a\\(b\\)c\\\\d)");
        assert_eq!(s(b"unbalanced )("), "(unbalanced \\)\\()");
        assert_eq!(s(b"l1\nl2\rx\ty\x08\x0c"), "(l1\\nl2\\rx\\ty\\b\\f)");
        // A single control byte followed by digits: three-digit octal keeps them apart.
        assert_eq!(s(b"D:\x0112"), "(D:\\00112)");
        assert_eq!(s(b"caf\xe9 ok"), "(caf\\351 ok)");
    }

    #[test]
    fn binary_and_utf16_strings_go_hex_and_hex_flag_forces_hex() {
        let s = |p: PdfString| ser(&Object::String(p));
        assert_eq!(s(PdfString::literal(vec![0, 1, 2, 0xff])), "<000102FF>");
        let utf16 = crate::pdf::object::encode_text_string("Hà Nội");
        assert!(s(PdfString::literal(utf16)).starts_with("<FEFF"));
        assert_eq!(s(PdfString::hex(b"AB".to_vec())), "<4142>");
        assert_eq!(s(PdfString::hex(Vec::new())), "<>");
        // Mostly text with one odd byte stays literal.
        assert_eq!(
            s(PdfString::literal(b"abc\x01def".to_vec())),
            "(abc\\001def)"
        );
    }

    #[test]
    fn arrays_and_dicts() {
        let mut d = Dict::new();
        d.set("Type", Object::Name(Name::from("Catalog")));
        d.set("Pages", Object::Reference(ObjRef::new(2, 0)));
        d.set(
            "Box",
            Object::Array(vec![
                Object::Integer(0),
                Object::Real(0.5),
                Object::Array(vec![]),
                Object::Dict(Dict::new()),
            ]),
        );
        assert_eq!(
            ser(&Object::Dict(d)),
            "<< /Type /Catalog /Pages 2 0 R /Box [0 0.5 [] << >>] >>"
        );
    }

    #[test]
    fn streams_get_their_length_and_file_streams_are_refused() {
        let mut dict = Dict::new();
        dict.set("Length", Object::Reference(ObjRef::new(9, 0)));
        dict.set("Filter", Object::Name(Name::from("FlateDecode")));
        let s = Stream {
            dict: dict.clone(),
            data: StreamData::Memory(b"abc\nendstream".to_vec()),
        };
        assert_eq!(
            ser(&Object::Stream(s)),
            "<< /Length 13 /Filter /FlateDecode >>\nstream\nabc\nendstream\nendstream"
        );
        let no_len = Stream {
            dict: Dict::new(),
            data: StreamData::Memory(Vec::new()),
        };
        assert_eq!(
            ser(&Object::Stream(no_len)),
            "<< /Length 0 >>\nstream\n\nendstream"
        );
        let span = Span { start: 10, end: 20 };
        let in_file = Stream {
            dict,
            data: StreamData::File(span),
        };
        assert_eq!(
            to_bytes(&Object::Stream(in_file)),
            Err(SerializeError::StreamDataInFile { span })
        );
    }

    #[test]
    fn nested_streams_are_refused() {
        let s = Object::Stream(Stream {
            dict: Dict::new(),
            data: StreamData::Memory(Vec::new()),
        });
        assert_eq!(
            to_bytes(&Object::Array(vec![s])),
            Err(SerializeError::NestedStream { depth: 2 })
        );
    }

    #[test]
    fn depth_limit() {
        let mut obj = Object::Null;
        for _ in 0..MAX_DEPTH - 1 {
            obj = Object::Array(vec![obj]);
        }
        assert!(to_bytes(&obj).is_ok());
        let too_deep = Object::Array(vec![obj]);
        assert_eq!(
            to_bytes(&too_deep),
            Err(SerializeError::TooDeep { limit: MAX_DEPTH })
        );
    }

    #[test]
    fn indirect_objects() {
        let bytes = write_indirect(7, 0, &Object::Integer(5)).unwrap();
        assert_eq!(bytes, b"7 0 obj\n5\nendobj\n");
    }
}
