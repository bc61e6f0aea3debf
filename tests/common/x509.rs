//! Pieces for the certificates tests make with rcgen: a DER element, the
//! authorityInfoAccess extension (RFC 5280 §4.2.2.1), OCSP no-check (RFC 6960 §4.2.2.2.1)
//! and distinguished names.

use asn1_rs::{Any, Class, Header, Length, Oid, Sequence, Tag, ToDer};
use rcgen::{CustomExtension, DistinguishedName, DnType};

/// One DER element with this class, form, tag number and content.
pub fn der(class: Class, constructed: bool, tag: u32, content: &[u8]) -> Vec<u8> {
    Any::new(
        Header::new(
            class,
            constructed,
            Tag(tag),
            Length::Definite(content.len()),
        ),
        content,
    )
    .to_der_vec()
    .unwrap()
}

/// authorityInfoAccess (RFC 5280 §4.2.2.1): OCSP responders (id-ad-ocsp) and caIssuers URLs
/// (id-ad-caIssuers), each a uniformResourceIdentifier, in that order.
pub fn aia(ocsp: &[&str], ca_issuers: &[&str]) -> CustomExtension {
    let mut descriptions = Vec::new();
    for (method, url) in ocsp
        .iter()
        .map(|u| (1u64, u))
        .chain(ca_issuers.iter().map(|u| (2u64, u)))
    {
        let oid = Oid::from(&[1, 3, 6, 1, 5, 5, 7, 48, method])
            .unwrap()
            .to_der_vec()
            .unwrap();
        let location = der(Class::ContextSpecific, false, 6, url.as_bytes());
        descriptions.extend(
            Sequence::new([oid, location].concat().into())
                .to_der_vec()
                .unwrap(),
        );
    }
    let aia = Sequence::new(descriptions.into()).to_der_vec().unwrap();
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], aia)
}

/// authorityInfoAccess with one OCSP URL.
pub fn aia_ocsp(url: &str) -> CustomExtension {
    aia(&[url], &[])
}

/// id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1), for a delegated OCSP responder.
pub fn ocsp_nocheck() -> CustomExtension {
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 48, 1, 5], vec![0x05, 0x00])
}

/// `O=organization, CN=cn`.
pub fn name(organization: &str, cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, organization);
    dn.push(DnType::CommonName, cn);
    dn
}
