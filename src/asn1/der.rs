//! A thin layer over `asn1-rs`: a BER element reader that keeps every element's original bytes
//! and position, and DER encoding helpers.
//!
//! Decoding accepts BER (indefinite lengths, constructed strings) because real signatures use
//! it; `asn1-rs` bounds the nesting of indefinite-length elements (50 levels). Encoding always
//! produces DER through `asn1-rs`'s encoders: no length or tag is written by hand here.

use std::borrow::Cow;

use asn1_rs::{Any, Class, FromBer, Header, Length, Oid, Tag, ToDer};

use super::error::DerError;

/// How many segments a constructed (BER) string may have in total.
const MAX_STRING_SEGMENTS: usize = 65_536;
/// How deeply constructed (BER) strings may nest.
const MAX_STRING_DEPTH: usize = 8;

/// One BER element, borrowed from the input.
#[derive(Clone, Debug)]
pub(crate) struct Element<'a> {
    /// Tag class.
    pub class: Class,
    /// Constructed (true) or primitive.
    pub constructed: bool,
    /// Tag number.
    pub tag: u32,
    /// Whether the element used the indefinite length form.
    pub indefinite: bool,
    /// The content octets (without the end-of-contents marker).
    pub content: &'a [u8],
    /// The whole element as it appears in the input (identifier, length, content, EOC).
    pub raw: &'a [u8],
    /// Position of `raw` in the document.
    pub offset: usize,
    /// Length of the identifier and length octets.
    header_len: usize,
}

impl<'a> Element<'a> {
    /// A reader over the children of a constructed element.
    pub fn children(&self) -> Reader<'a> {
        Reader::new(self.content, self.offset.saturating_add(self.header_len))
    }

    /// Whether this is the universal element `tag`.
    pub fn is_universal(&self, tag: Tag) -> bool {
        self.class == Class::Universal && self.tag == tag.0
    }

    /// Whether this is the context-specific element `[tag]`.
    pub fn is_context(&self, tag: u32) -> bool {
        self.class == Class::ContextSpecific && self.tag == tag
    }

    /// Error helper: this element is malformed.
    pub fn malformed(&self, what: &'static str, detail: impl Into<String>) -> DerError {
        DerError::Malformed {
            what,
            offset: self.offset,
            detail: detail.into(),
        }
    }

    /// Fails unless this element is the universal type `tag`.
    pub fn expect_universal(
        &self,
        tag: Tag,
        what: &'static str,
        expected: &'static str,
    ) -> Result<(), DerError> {
        if self.is_universal(tag) {
            Ok(())
        } else {
            Err(self.unexpected(what, expected))
        }
    }

    /// Error helper: this element has an unexpected tag.
    pub fn unexpected(&self, what: &'static str, expected: &'static str) -> DerError {
        DerError::UnexpectedTag {
            what,
            offset: self.offset,
            expected,
            found: describe_tag(self.class, self.constructed, self.tag),
        }
    }

    /// The value of an OBJECT IDENTIFIER element.
    pub fn oid(&self, what: &'static str) -> Result<Oid<'a>, DerError> {
        self.expect_universal(Tag::Oid, what, "OBJECT IDENTIFIER")?;
        if self.constructed {
            return Err(self.malformed(what, "constructed OBJECT IDENTIFIER"));
        }
        match self.content.last() {
            Some(last) if last & 0x80 == 0 => Ok(Oid::new(Cow::Borrowed(self.content))),
            _ => Err(self.malformed(what, "invalid OBJECT IDENTIFIER encoding")),
        }
    }

    /// The value of a small non-negative INTEGER (versions, counts).
    pub fn small_uint(&self, what: &'static str) -> Result<u32, DerError> {
        self.expect_universal(Tag::Integer, what, "INTEGER")?;
        let bytes = self.integer_bytes(what)?;
        if bytes.first().is_some_and(|b| b & 0x80 != 0) {
            return Err(self.malformed(what, "negative integer"));
        }
        let significant: &[u8] = match bytes.iter().position(|b| *b != 0) {
            Some(first) => bytes.get(first..).unwrap_or_default(),
            None => &[],
        };
        if significant.len() > 4 {
            return Err(self.malformed(what, "integer too large"));
        }
        Ok(significant
            .iter()
            .fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
    }

    /// The content octets of an INTEGER (two's complement, as encoded).
    pub fn integer_bytes(&self, what: &'static str) -> Result<&'a [u8], DerError> {
        self.expect_universal(Tag::Integer, what, "INTEGER")?;
        if self.constructed || self.content.is_empty() {
            return Err(self.malformed(what, "invalid INTEGER encoding"));
        }
        Ok(self.content)
    }

    /// The value of an OCTET STRING element, primitive (borrowed) or constructed (BER,
    /// concatenated).
    pub fn octet_string(&self, what: &'static str) -> Result<Cow<'a, [u8]>, DerError> {
        self.expect_universal(Tag::OctetString, what, "OCTET STRING")?;
        self.implicit_octet_string(what)
    }

    /// The value of an element that is an OCTET STRING under an IMPLICIT tag (its own tag is
    /// not checked).
    pub fn implicit_octet_string(&self, what: &'static str) -> Result<Cow<'a, [u8]>, DerError> {
        if !self.constructed {
            return Ok(Cow::Borrowed(self.content));
        }
        let mut out = Vec::new();
        let mut segments = 0usize;
        self.collect_segments(what, &mut out, &mut segments, 0)?;
        Ok(Cow::Owned(out))
    }

    fn collect_segments(
        &self,
        what: &'static str,
        out: &mut Vec<u8>,
        segments: &mut usize,
        depth: usize,
    ) -> Result<(), DerError> {
        if depth > MAX_STRING_DEPTH {
            return Err(DerError::TooDeep {
                what,
                offset: self.offset,
            });
        }
        let mut children = self.children();
        while !children.is_empty() {
            let child = children.read(what)?;
            *segments = segments.saturating_add(1);
            if *segments > MAX_STRING_SEGMENTS {
                return Err(DerError::TooMany {
                    what,
                    offset: self.offset,
                    limit: MAX_STRING_SEGMENTS,
                });
            }
            child.expect_universal(Tag::OctetString, what, "OCTET STRING segment")?;
            if child.constructed {
                child.collect_segments(what, out, segments, depth.saturating_add(1))?;
            } else {
                out.extend_from_slice(child.content);
            }
        }
        Ok(())
    }
}

/// A forward reader over consecutive BER elements.
#[derive(Clone, Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    /// Reads `input`, whose first byte is at `offset` in the document.
    pub fn new(input: &'a [u8], offset: usize) -> Self {
        Reader {
            rest: input,
            offset,
        }
    }

    /// Whether every element has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    /// Reads the next element.
    pub fn read(&mut self, what: &'static str) -> Result<Element<'a>, DerError> {
        let offset = self.offset;
        let (rem, any) = Any::from_ber(self.rest).map_err(|e| map_ber_error(e, what, offset))?;
        let consumed = self.rest.len().saturating_sub(rem.len());
        let raw = self
            .rest
            .get(..consumed)
            .ok_or(DerError::Truncated { what, offset })?;
        let indefinite = matches!(any.header.length(), Length::Indefinite);
        let eoc = if indefinite { 2 } else { 0 };
        let header_len = consumed
            .checked_sub(any.data.len().saturating_add(eoc))
            .ok_or_else(|| DerError::Malformed {
                what,
                offset,
                detail: "inconsistent element length".into(),
            })?;
        self.rest = rem;
        self.offset = offset.saturating_add(consumed);
        Ok(Element {
            class: any.header.class(),
            constructed: any.header.constructed(),
            tag: any.header.tag().0,
            indefinite,
            content: any.data,
            raw,
            offset,
            header_len,
        })
    }

    /// The class and number of the next element's tag, if there is one and it can be read.
    pub fn peek_tag(&self) -> Option<(Class, u32)> {
        let (_, header) = Header::from_ber(self.rest).ok()?;
        Some((header.class(), header.tag().0))
    }

    /// Reads the next element if it is `[tag]` (context-specific).
    pub fn read_optional_context(
        &mut self,
        tag: u32,
        what: &'static str,
    ) -> Result<Option<Element<'a>>, DerError> {
        if self.peek_tag() == Some((Class::ContextSpecific, tag)) {
            self.read(what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails if elements are left.
    pub fn finish(&self, what: &'static str) -> Result<(), DerError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DerError::UnexpectedData {
                what,
                offset: self.offset,
            })
        }
    }
}

fn map_ber_error(e: asn1_rs::Err<asn1_rs::Error>, what: &'static str, offset: usize) -> DerError {
    match e {
        asn1_rs::Err::Incomplete(_) => DerError::Truncated { what, offset },
        asn1_rs::Err::Error(asn1_rs::Error::BerMaxDepth)
        | asn1_rs::Err::Failure(asn1_rs::Error::BerMaxDepth) => DerError::TooDeep { what, offset },
        asn1_rs::Err::Error(e) | asn1_rs::Err::Failure(e) => DerError::Malformed {
            what,
            offset,
            detail: e.to_string(),
        },
    }
}

/// A human description of a tag, for error messages.
pub(crate) fn describe_tag(class: Class, constructed: bool, tag: u32) -> String {
    let form = if constructed {
        "constructed"
    } else {
        "primitive"
    };
    match class {
        Class::Universal => format!("universal {tag} ({form})"),
        Class::ContextSpecific => format!("[{tag}] ({form})"),
        Class::Application => format!("[APPLICATION {tag}] ({form})"),
        Class::Private => format!("[PRIVATE {tag}] ({form})"),
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding (DER), always through asn1-rs.

fn encode_error(what: &'static str) -> impl Fn(asn1_rs::SerializeError) -> DerError {
    move |e| DerError::Encode {
        what,
        detail: e.to_string(),
    }
}

/// Encodes one element with the given identifier and content.
pub(crate) fn tlv(
    class: Class,
    constructed: bool,
    tag: u32,
    content: &[u8],
) -> Result<Vec<u8>, DerError> {
    let header = Header::new(
        class,
        constructed,
        Tag(tag),
        Length::Definite(content.len()),
    );
    Any::new(header, content)
        .to_der_vec()
        .map_err(encode_error("element"))
}

/// `SEQUENCE { parts }` where each part is already DER.
pub(crate) fn sequence(parts: &[&[u8]]) -> Result<Vec<u8>, DerError> {
    tlv(Class::Universal, true, Tag::Sequence.0, &parts.concat())
}

/// `SET OF` with its elements sorted by their encodings (X.690 §11.6).
pub(crate) fn set_of(mut elements: Vec<Vec<u8>>) -> Result<Vec<u8>, DerError> {
    elements.sort();
    tlv(Class::Universal, true, Tag::Set.0, &elements.concat())
}

/// `[tag] EXPLICIT inner` (context-specific, constructed).
pub(crate) fn explicit(tag: u32, inner: &[u8]) -> Result<Vec<u8>, DerError> {
    tlv(Class::ContextSpecific, true, tag, inner)
}

/// An OCTET STRING.
pub(crate) fn octet_string(bytes: &[u8]) -> Result<Vec<u8>, DerError> {
    asn1_rs::OctetString::new(bytes)
        .to_der_vec()
        .map_err(encode_error("OCTET STRING"))
}

/// An OBJECT IDENTIFIER.
pub(crate) fn oid(oid: &Oid<'_>) -> Result<Vec<u8>, DerError> {
    oid.to_der_vec().map_err(encode_error("OBJECT IDENTIFIER"))
}

/// A NULL.
pub(crate) fn null() -> Result<Vec<u8>, DerError> {
    asn1_rs::Null::new()
        .to_der_vec()
        .map_err(encode_error("NULL"))
}

/// An INTEGER with a small non-negative value.
pub(crate) fn small_integer(value: u32) -> Result<Vec<u8>, DerError> {
    asn1_rs::Integer::from_u32(value)
        .to_der_vec()
        .map_err(encode_error("INTEGER"))
}

/// An INTEGER from its content octets (two's complement, as found in a certificate).
pub(crate) fn integer_from_content(content: &[u8]) -> Result<Vec<u8>, DerError> {
    tlv(Class::Universal, false, Tag::Integer.0, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_definite_and_indefinite_elements_with_offsets() {
        // SEQUENCE (indefinite) { INTEGER 5, OCTET STRING (constructed, indefinite) { "ab", "c" } }
        let input = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c',
            0x00, 0x00, 0x00, 0x00, 0xff,
        ];
        let mut r = Reader::new(&input, 10);
        let seq = r.read("seq").unwrap();
        assert!(seq.indefinite);
        assert_eq!(seq.raw.len(), 18);
        assert_eq!(r.remaining(), &[0xff]);
        let mut c = seq.children();
        let int = c.read("int").unwrap();
        assert_eq!(int.small_uint("int").unwrap(), 5);
        assert_eq!(int.offset, 12);
        let os = c.read("os").unwrap();
        assert_eq!(os.offset, 15);
        assert_eq!(&*os.octet_string("os").unwrap(), b"abc");
        assert!(c.is_empty());
    }

    #[test]
    fn truncated_and_garbage_inputs_are_errors() {
        let mut r = Reader::new(&[0x30, 0x05, 0x02], 0);
        assert!(matches!(r.read("x"), Err(DerError::Truncated { .. })));
        let mut r = Reader::new(&[0x04, 0x80, 0x00, 0x00], 0);
        assert!(r.read("x").is_err());
    }

    #[test]
    fn set_of_is_sorted() {
        let set = set_of(vec![vec![0x02, 0x01, 0x09], vec![0x02, 0x01, 0x01]]).unwrap();
        assert_eq!(set, vec![0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x09]);
        let long = octet_string(&[0u8; 300]).unwrap();
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
    }
}
