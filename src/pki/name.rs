//! General names (RFC 5280 §4.2.1.6) and the distribution-point structures of CRLs, as path
//! validation reads them. Distinguished names are compared in [`crate::asn1::name`].

use std::net::IpAddr;

use x509_parser::extensions::GeneralName as X509GeneralName;
use x509_parser::prelude::FromDer;

use crate::asn1::name::NormalizedName;

/// Reads cRLDistributionPoints (or freshestCRL) itself: x509-parser drops
/// `nameRelativeToCRLIssuer` names and then misreads the fields that follow.
pub(crate) fn read_distribution_points(value: &[u8]) -> Vec<crate::pki::cert::DistributionPoint> {
    use crate::asn1::der::Reader;
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
    let mut top = crate::asn1::der::Reader::new(value, 0);
    let outer = top.read("issuingDistributionPoint").ok()?;
    let mut fields = outer.children();
    let wrapper = fields
        .read_optional_context(0, "distributionPoint")
        .ok()??;
    read_dp_name(&wrapper)
}

/// `[0] DistributionPointName` (the wrapper element).
fn read_dp_name(
    wrapper: &crate::asn1::der::Element<'_>,
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
    let set = crate::asn1::der::tlv(asn1_rs::Class::Universal, true, 17, name.content).ok()?;
    let der = crate::asn1::der::sequence(&[&set]).ok()?;
    NormalizedName::from_der(&der).map(DistributionPointName::RelativeToIssuer)
}

/// The GeneralName elements inside a constructed element.
fn general_names(el: &crate::asn1::der::Element<'_>) -> Vec<GeneralName> {
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
    use crate::asn1::der::Reader;
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
