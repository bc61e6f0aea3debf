//! Distinguished names as RFC 5280 §7.1 compares them.
//!
//! Two names match when they have the same RDNs in the same order, each RDN the same set of
//! attributes, and each value equal after string preparation. kyso prepares DirectoryString
//! values (UTF8String, PrintableString, BMPString, TeletexString, IA5String, VisibleString)
//! the way RFC 4518 does for the cases that occur in practice: leading and trailing white
//! space removed, inner runs of white space collapsed to one space, case folded. Values of
//! other types compare by tag and bytes. This is the one place kyso compares names: path
//! validation and the CMS signer lookup both use it.

use asn1_rs::Tag;
use x509_parser::prelude::FromDer;
use x509_parser::x509::{RelativeDistinguishedName, X509Name};

/// One attribute value, prepared for comparison.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Value {
    /// A directory string after preparation.
    Text(String),
    /// Any other value: its tag and content octets.
    Raw(u32, Vec<u8>),
}

/// A distinguished name prepared for RFC 5280 §7.1 comparison: RDNs in encoded order, the
/// attributes of each RDN sorted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct NormalizedName {
    rdns: Vec<Vec<(Vec<u8>, Value)>>,
}

impl NormalizedName {
    /// Prepares an encoded `Name`. `None` when the bytes are not a Name.
    pub fn from_der(der: &[u8]) -> Option<Self> {
        let (rest, name) = X509Name::from_der(der).ok()?;
        if !rest.is_empty() {
            return None;
        }
        Some(Self::from_x509(&name))
    }

    pub(crate) fn from_x509(name: &X509Name<'_>) -> Self {
        NormalizedName {
            rdns: name.iter_rdn().map(rdn_attributes).collect(),
        }
    }

    /// True for the empty name (no RDN).
    pub fn is_empty(&self) -> bool {
        self.rdns.is_empty()
    }

    /// True when `prefix`'s RDNs are the first RDNs of this name (a directoryName subtree,
    /// RFC 5280 §4.2.1.10).
    pub fn is_within(&self, prefix: &NormalizedName) -> bool {
        prefix.rdns.len() <= self.rdns.len()
            && prefix
                .rdns
                .iter()
                .zip(self.rdns.iter())
                .all(|(a, b)| a == b)
    }

    /// A one-RDN name (a distribution point name relative to its CRL issuer).
    pub(crate) fn from_rdn(rdn: &RelativeDistinguishedName<'_>) -> Self {
        NormalizedName {
            rdns: vec![rdn_attributes(rdn)],
        }
    }

    /// This name followed by the RDNs of `suffix` (RFC 5280 §4.2.1.13: a name relative to
    /// the CRL issuer is the issuer's name with the RDN appended).
    pub(crate) fn joined(&self, suffix: &NormalizedName) -> Self {
        let mut rdns = self.rdns.clone();
        rdns.extend(suffix.rdns.iter().cloned());
        NormalizedName { rdns }
    }
}

/// Whether two encoded Names are the same name (RFC 5280 §7.1): identical encodings, or the
/// same RDNs with values equal after preparation.
pub fn names_match(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    match (NormalizedName::from_der(a), NormalizedName::from_der(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn rdn_attributes(rdn: &RelativeDistinguishedName<'_>) -> Vec<(Vec<u8>, Value)> {
    let mut attrs: Vec<(Vec<u8>, Value)> = rdn
        .iter()
        .map(|atv| {
            (
                atv.attr_type().as_bytes().to_vec(),
                prepare(atv.attr_value()),
            )
        })
        .collect();
    attrs.sort();
    attrs
}

fn prepare(value: &asn1_rs::Any<'_>) -> Value {
    match directory_string(value) {
        Some(text) => Value::Text(
            text.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase(),
        ),
        None => Value::Raw(value.header.tag().0, value.data.to_vec()),
    }
}

/// The text of a directory string value, if it is one.
fn directory_string(value: &asn1_rs::Any<'_>) -> Option<String> {
    match value.header.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::VisibleString
        | Tag::NumericString => Some(std::str::from_utf8(value.data).ok()?.to_owned()),
        Tag::BmpString => {
            let units = value
                .data
                .chunks(2)
                .map(|pair| match pair {
                    [hi, lo] => Some(u16::from_be_bytes([*hi, *lo])),
                    _ => None,
                })
                .collect::<Option<Vec<u16>>>()?;
            String::from_utf16(&units).ok()
        }
        Tag::UniversalString => value
            .data
            .chunks(4)
            .map(|quad| match quad {
                [a, b, c, d] => char::from_u32(u32::from_be_bytes([*a, *b, *c, *d])),
                _ => None,
            })
            .collect(),
        // T.61 in practice holds Latin-1 text.
        Tag::T61String => Some(value.data.iter().map(|b| char::from(*b)).collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::der;
    use asn1_rs::{oid, Class};

    fn name(tag: Tag, cn: &str) -> Vec<u8> {
        let value = der::tlv(Class::Universal, false, tag.0, cn.as_bytes()).unwrap();
        let atv = der::sequence(&[&der::oid(&oid!(2.5.4 .3)).unwrap(), &value]).unwrap();
        let rdn = der::set_of(vec![atv]).unwrap();
        der::sequence(&[&rdn]).unwrap()
    }

    #[test]
    fn names_compare_per_rfc5280() {
        let a = name(Tag::Utf8String, "Kyso  Test CA");
        assert!(names_match(&a, &a));
        assert!(names_match(
            &a,
            &name(Tag::PrintableString, " kyso test ca ")
        ));
        assert!(!names_match(&a, &name(Tag::Utf8String, "Kyso Test CA 2")));
        assert!(!names_match(&a, &[0x30, 0x00]));
        assert!(!names_match(&a, b"garbage"));
    }

    #[test]
    fn subtree_prefix() {
        let a = NormalizedName::from_der(&name(Tag::Utf8String, "A")).unwrap();
        let empty = NormalizedName::default();
        assert!(a.is_within(&empty));
        assert!(a.is_within(&a));
        assert!(!empty.is_within(&a));
    }
}
