//! Distinguished names and general names as path validation compares them.
//!
//! RFC 5280 §7.1: two names match when they have the same RDNs in the same order, each RDN
//! the same set of attributes, and each value equal after string preparation. kyso prepares
//! DirectoryString values (UTF8String, PrintableString, BMPString, TeletexString, IA5String,
//! VisibleString) the way RFC 4518 does for the cases that occur in practice: leading and
//! trailing white space removed, inner runs of white space collapsed to one space, case folded.
//! Values of other types compare by tag and bytes. This is the one place kyso compares names;
//! the CMS signer lookup uses it too.

use std::net::IpAddr;

use asn1_rs::Tag;
use x509_parser::extensions::GeneralName as X509GeneralName;
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

/// Reads cRLDistributionPoints (or freshestCRL) itself: x509-parser drops
/// `nameRelativeToCRLIssuer` names and then misreads the fields that follow.
pub(crate) fn read_distribution_points(value: &[u8]) -> Vec<crate::pki::cert::DistributionPoint> {
    use crate::cms::der::Reader;
    use crate::pki::cert::DistributionPoint;
    let mut out = Vec::new();
    let mut top = Reader::new(value, 0);
    let Ok(outer) = top.read("cRLDistributionPoints") else {
        return out;
    };
    let mut points = outer.children();
    while !points.is_empty() && out.len() < 256 {
        let Ok(point) = points.read("DistributionPoint") else {
            break;
        };
        let mut dp = DistributionPoint {
            name: None,
            reasons: None,
            crl_issuer: None,
        };
        let mut fields = point.children();
        while !fields.is_empty() {
            let Ok(f) = fields.read("DistributionPoint") else {
                break;
            };
            match f.tag {
                0 => dp.name = read_dp_name(&f),
                1 => dp.reasons = Some(reason_bits(f.content)),
                2 => dp.crl_issuer = Some(general_names(&f)),
                _ => {}
            }
        }
        out.push(dp);
    }
    out
}

/// The distribution point name of an issuingDistributionPoint.
pub(crate) fn read_idp_name(value: &[u8]) -> Option<crate::pki::cert::DistributionPointName> {
    let mut top = crate::cms::der::Reader::new(value, 0);
    let outer = top.read("issuingDistributionPoint").ok()?;
    let mut fields = outer.children();
    let wrapper = fields
        .read_optional_context(0, "distributionPoint")
        .ok()??;
    read_dp_name(&wrapper)
}

/// `[0] DistributionPointName` (the wrapper element).
fn read_dp_name(
    wrapper: &crate::cms::der::Element<'_>,
) -> Option<crate::pki::cert::DistributionPointName> {
    use crate::pki::cert::DistributionPointName;
    let mut inner = wrapper.children();
    let name = inner.read("DistributionPointName").ok()?;
    if name.is_context(0) {
        return Some(DistributionPointName::Full(general_names(&name)));
    }
    if !name.is_context(1) {
        return None;
    }
    let set = crate::cms::der::tlv(asn1_rs::Class::Universal, true, 17, name.content).ok()?;
    let der = crate::cms::der::sequence(&[&set]).ok()?;
    NormalizedName::from_der(&der).map(DistributionPointName::RelativeToIssuer)
}

/// The GeneralName elements inside a constructed element.
fn general_names(el: &crate::cms::der::Element<'_>) -> Vec<GeneralName> {
    let mut names = Vec::new();
    let mut items = el.children();
    while !items.is_empty() && names.len() < 64 {
        let Ok(item) = items.read("GeneralName") else {
            break;
        };
        match X509GeneralName::from_der(item.raw) {
            Ok((_, gn)) => names.push(GeneralName::from_x509(&gn)),
            Err(_) => names.push(GeneralName::Other(item.tag)),
        }
    }
    names
}

/// ReasonFlags BIT STRING content (unused-bits octet first) as a mask, bit i = named bit i.
fn reason_bits(content: &[u8]) -> u16 {
    let bits = content.get(1..).unwrap_or_default();
    let mut mask = 0u16;
    for i in 0..16u16 {
        let byte = bits.get(usize::from(i / 8)).copied().unwrap_or(0);
        if byte & (0x80 >> (i % 8)) != 0 {
            mask |= 1 << i;
        }
    }
    mask
}

/// The flags of an issuingDistributionPoint that x509-parser may misread after a relative
/// name: (onlyContainsUserCerts, onlyContainsCACerts, onlySomeReasons, indirectCRL,
/// onlyContainsAttributeCerts).
pub(crate) fn read_idp_flags(value: &[u8]) -> Option<(bool, bool, Option<u16>, bool, bool)> {
    use crate::cms::der::Reader;
    let mut top = Reader::new(value, 0);
    let outer = top.read("issuingDistributionPoint").ok()?;
    let mut fields = outer.children();
    let mut flags = (false, false, None, false, false);
    while !fields.is_empty() {
        let f = fields.read("issuingDistributionPoint").ok()?;
        let truth = f.content.first().is_some_and(|b| *b != 0);
        match f.tag {
            0 => {}
            1 => flags.0 = truth,
            2 => flags.1 = truth,
            3 => flags.2 = Some(reason_bits(f.content)),
            4 => flags.3 = truth,
            5 => flags.4 = truth,
            _ => return None,
        }
    }
    Some(flags)
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

/// A general name (RFC 5280 §4.2.1.6), owned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GeneralName {
    /// rfc822Name (an e-mail address).
    Email(String),
    /// dNSName.
    Dns(String),
    /// directoryName: the encoded Name and its prepared form.
    Directory(NormalizedName, String),
    /// uniformResourceIdentifier.
    Uri(String),
    /// iPAddress: 4 or 16 octets in a certificate, 8 or 32 (address and mask) in a name
    /// constraint.
    Ip(Vec<u8>),
    /// otherName, x400Address, ediPartyName, registeredID or an undecodable name: kyso does not
    /// compare these; the number is the GeneralName CHOICE tag.
    Other(u32),
}

impl GeneralName {
    pub(crate) fn from_x509(name: &X509GeneralName<'_>) -> Self {
        match name {
            X509GeneralName::RFC822Name(s) => GeneralName::Email((*s).to_string()),
            X509GeneralName::DNSName(s) => GeneralName::Dns((*s).to_string()),
            X509GeneralName::DirectoryName(n) => GeneralName::Directory(
                NormalizedName::from_x509(n),
                crate::pki::cert::format_name(n),
            ),
            X509GeneralName::URI(s) => GeneralName::Uri((*s).to_string()),
            X509GeneralName::IPAddress(b) => GeneralName::Ip(b.to_vec()),
            X509GeneralName::OtherName(..) => GeneralName::Other(0),
            X509GeneralName::X400Address(_) => GeneralName::Other(3),
            X509GeneralName::EDIPartyName(_) => GeneralName::Other(5),
            X509GeneralName::RegisteredID(_) => GeneralName::Other(8),
            X509GeneralName::Invalid(tag, _) => GeneralName::Other(tag.0),
        }
    }

    /// The name as text, for messages.
    pub fn describe(&self) -> String {
        match self {
            GeneralName::Email(s) => format!("email:{s}"),
            GeneralName::Dns(s) => format!("DNS:{s}"),
            GeneralName::Directory(_, text) => format!("DirName:{text}"),
            GeneralName::Uri(s) => format!("URI:{s}"),
            GeneralName::Ip(b) => match ip_text(b) {
                Some(t) => format!("IP:{t}"),
                None => format!("IP:{}", crate::util::hex(b)),
            },
            GeneralName::Other(tag) => format!("[{tag}] name"),
        }
    }

    /// The same name, for matching (directoryName by prepared RDNs, the others by text with
    /// case folded where RFC 5280 says case does not matter).
    pub fn same_as(&self, other: &GeneralName) -> bool {
        match (self, other) {
            (GeneralName::Directory(a, _), GeneralName::Directory(b, _)) => a == b,
            (GeneralName::Uri(a), GeneralName::Uri(b)) => a == b,
            (GeneralName::Dns(a), GeneralName::Dns(b)) => a.eq_ignore_ascii_case(b),
            (GeneralName::Email(a), GeneralName::Email(b)) => a == b,
            (GeneralName::Ip(a), GeneralName::Ip(b)) => a == b,
            _ => false,
        }
    }

    /// The URI, if this is an `http:` URI (what kyso can fetch).
    pub fn http_uri(&self) -> Option<&str> {
        match self {
            GeneralName::Uri(u)
                if u.get(..7)
                    .is_some_and(|s| s.eq_ignore_ascii_case("http://")) =>
            {
                Some(u)
            }
            _ => None,
        }
    }
}

fn ip_text(b: &[u8]) -> Option<String> {
    match b.len() {
        4 => {
            let a: [u8; 4] = b.try_into().ok()?;
            Some(IpAddr::from(a).to_string())
        }
        16 => {
            let a: [u8; 16] = b.try_into().ok()?;
            Some(IpAddr::from(a).to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cms::der;
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
