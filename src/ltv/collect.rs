//! The signatures and document timestamps of a document, and for each the certificates whose
//! paths need validation data: the signer, each signature timestamp's authority, or a
//! document timestamp's authority; with the certificates and revocation data they carry.

use crate::asn1::oid;
use crate::cms;
use crate::crypto::{digest, DigestAlgorithm};
use crate::pdf::{acroform, Document, Object, Source};
use crate::pki::{
    add_other_revocation_info, add_revocation_info_archival, Certificate, Origin, RevocationData,
};
use crate::tsp::TimestampToken;
use crate::Error;

/// Most signature timestamps read from one signature.
const MAX_TOKENS: usize = 8;
/// Most signature dictionaries handled.
const MAX_SIGNATURES: usize = 512;

/// A signature or a document timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ItemKind {
    /// A CMS signature (`adbe.pkcs7.detached`, `ETSI.CAdES.detached`).
    Signature,
    /// A document timestamp (`ETSI.RFC3161`).
    DocumentTimestamp,
}

/// Whose certificate a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Signer,
    SignatureTimestamp,
    DocumentTimestamp,
}

impl Role {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Signer => "signer",
            Role::SignatureTimestamp => "signature timestamp authority",
            Role::DocumentTimestamp => "document timestamp authority",
        }
    }
}

/// A certificate whose path must be covered.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub cert: Certificate,
    pub role: Role,
}

/// One signature dictionary.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub field_name: Option<String>,
    pub kind: ItemKind,
    pub vri_key: String,
    pub targets: Vec<Target>,
    /// Certificates of the CMS and of the tokens.
    pub certificates: Vec<Certificate>,
    /// Revocation data of the CMS (crls, adbe-revocationInfoArchival).
    pub data: RevocationData,
    /// What could not be read.
    pub problems: Vec<String>,
}

/// The `/VRI` key of a signature: uppercase hex SHA-1 of its `/Contents` bytes.
pub(crate) fn vri_key(contents: &[u8]) -> String {
    crate::util::hex(&digest(DigestAlgorithm::Sha1, contents)).to_ascii_uppercase()
}

/// Every signed signature field's dictionary in the last revision, in field order.
pub(crate) fn signatures<S: Source>(doc: &Document<S>) -> Result<Vec<Item>, Error> {
    let rev = doc.last_revision();
    let mut items = Vec::new();
    let mut seen = Vec::new();
    for field in acroform::signature_fields(doc, rev)? {
        if items.len() >= MAX_SIGNATURES {
            break;
        }
        let Some(value) = field.value.as_ref() else {
            continue;
        };
        if let Object::Reference(r) = value {
            if seen.contains(r) {
                continue;
            }
            seen.push(*r);
        }
        let Some(dict) = doc.resolve_dict(rev, value)? else {
            continue;
        };
        let contents = match dict.get(b"Contents").map(|o| doc.resolve(rev, o)) {
            Some(Ok(Object::String(s))) => s.bytes,
            _ => continue,
        };
        let sub_filter = dict.get_name(b"SubFilter").unwrap_or_default();
        let is_doc_ts =
            dict.get_name(b"Type") == Some(b"DocTimeStamp") || sub_filter == b"ETSI.RFC3161";
        let mut item = Item {
            field_name: Some(field.name.clone()),
            kind: if is_doc_ts {
                ItemKind::DocumentTimestamp
            } else {
                ItemKind::Signature
            },
            vri_key: vri_key(&contents),
            targets: Vec::new(),
            certificates: Vec::new(),
            data: RevocationData::new(),
            problems: Vec::new(),
        };
        if is_doc_ts {
            add_token(&contents, Role::DocumentTimestamp, &mut item);
        } else {
            add_signature(&contents, &mut item);
        }
        items.push(item);
    }
    Ok(items)
}

/// The signer, the CMS's certificates and revocation data, and the signature timestamps.
fn add_signature(contents: &[u8], item: &mut Item) {
    let sd = match cms::parse_signed_data(contents) {
        Ok(sd) => sd,
        Err(e) => {
            item.problems
                .push(format!("/Contents is not a CMS SignedData: {e}"));
            return;
        }
    };
    let Some(si) = sd.signer_infos.first() else {
        item.problems.push("the CMS has no signer".into());
        return;
    };
    for der in &sd.certificates {
        if let Ok(c) = Certificate::from_der(der) {
            item.certificates.push(c);
        }
    }
    for der in &sd.crls {
        let _ = item.data.add_crl_der(der, Origin::Cms);
    }
    for raw in &sd.other_revocation_info {
        let _ = add_other_revocation_info(raw, Origin::Cms, &mut item.data);
    }
    if let Some(attr) = si
        .signed_attrs
        .as_ref()
        .and_then(|a| a.get(&oid::ADBE_REVOCATION_INFO_ARCHIVAL))
    {
        for value in &attr.values {
            let _ = add_revocation_info_archival(value, Origin::SignedAttribute, &mut item.data);
        }
    }
    // Only the lookup matters here; the signature itself is the verifier's business.
    let check = cms::check_signer(&sd, si, &[], None);
    match check
        .signer_certificate
        .and_then(|i| sd.certificates.get(i))
        .and_then(|der| Certificate::from_der(der).ok())
    {
        Some(cert) => item.targets.push(Target {
            cert,
            role: Role::Signer,
        }),
        None => item
            .problems
            .push("signer: the signer's certificate is not in the CMS".into()),
    }
    let tokens = si
        .unsigned_attrs
        .iter()
        .filter(|a| a.oid == oid::ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
        .flat_map(|a| a.values.iter().copied())
        .take(MAX_TOKENS);
    for der in tokens {
        add_token(der, Role::SignatureTimestamp, item);
    }
}

/// A timestamp token's authority and certificates.
fn add_token(der: &[u8], role: Role, item: &mut Item) {
    let token = match TimestampToken::parse(der) {
        Ok(t) => t,
        Err(e) => {
            item.problems.push(format!(
                "{}: not an RFC 3161 timestamp token: {e}",
                role.as_str()
            ));
            return;
        }
    };
    let check = token.check(None);
    item.certificates
        .extend(check.other_certificates.iter().cloned());
    match check.tsa_certificate {
        Some(cert) => item.targets.push(Target { cert, role }),
        None => item.problems.push(format!(
            "{}: the authority's certificate is not in the token",
            role.as_str()
        )),
    }
}
