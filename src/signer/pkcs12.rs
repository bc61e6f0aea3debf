//! PKCS#12 (`.p12`, `.pfx`) files: the private key, its certificate and the chain, as CAs hand
//! them to officials (RFC 7292).
//!
//! ```text
//! PFX ::= SEQUENCE { version 3, authSafe ContentInfo (id-data), macData MacData OPTIONAL }
//! AuthenticatedSafe ::= SEQUENCE OF ContentInfo          -- id-data or id-encryptedData
//! SafeContents ::= SEQUENCE OF SafeBag
//! SafeBag ::= SEQUENCE { bagId, bagValue [0] EXPLICIT, bagAttributes SET OF OPTIONAL }
//! ```
//!
//! The MAC is checked first, so a wrong password is reported as such before any decryption.
//! Encryption and MAC algorithms are in the private `pbe` module. Public-key integrity and privacy modes
//! (signed or enveloped safes) are refused as unsupported; so are RC4 and PKCS#5 v1.5 PBES1.

use std::path::Path;

use asn1_rs::{oid, Oid, Tag};

use super::pbe::{self, Password};
use crate::cms::der::{Element, Reader};
use crate::cms::{oid as oids, CmsError};
use crate::crypto::{AlgorithmIdentifier, KeyError, PrivateKey};

const ID_ENCRYPTED_DATA: Oid<'static> = oid!(1.2.840 .113549 .1 .7 .6);
const ID_ENVELOPED_DATA: Oid<'static> = oid!(1.2.840 .113549 .1 .7 .3);
const KEY_BAG: Oid<'static> = oid!(1.2.840 .113549 .1 .12 .10 .1 .1);
const SHROUDED_KEY_BAG: Oid<'static> = oid!(1.2.840 .113549 .1 .12 .10 .1 .2);
const CERT_BAG: Oid<'static> = oid!(1.2.840 .113549 .1 .12 .10 .1 .3);
const SAFE_CONTENTS_BAG: Oid<'static> = oid!(1.2.840 .113549 .1 .12 .10 .1 .6);
const X509_CERTIFICATE: Oid<'static> = oid!(1.2.840 .113549 .1 .9 .22 .1);
const FRIENDLY_NAME: Oid<'static> = oid!(1.2.840 .113549 .1 .9 .20);
const LOCAL_KEY_ID: Oid<'static> = oid!(1.2.840 .113549 .1 .9 .21);

/// The most bags kyso reads from one file.
pub const MAX_BAGS: usize = 1024;
/// How deeply `safeContentsBag`s may nest.
const MAX_NESTING: usize = 4;

/// Why a PKCS#12 file could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs12Error {
    /// The structure is not valid DER/BER PKCS#12.
    #[error("malformed PKCS#12: {what}{}: {detail}", at(*offset))]
    Malformed {
        /// Which part.
        what: &'static str,
        /// Byte position in the part being decoded, when known.
        offset: Option<usize>,
        /// What is wrong.
        detail: String,
    },
    /// The file is not a PKCS#12 version 3 PFX.
    #[error("not a PKCS#12 file (version {version}, expected 3)")]
    Version {
        /// The version found.
        version: u32,
    },
    /// The password does not open the file (the MAC does not match, or, in a file without a
    /// MAC, the decrypted data has no valid padding).
    #[error("wrong password (or a damaged file): {detail}")]
    WrongPassword {
        /// What did not match.
        detail: &'static str,
    },
    /// The file is encrypted with an algorithm kyso does not implement.
    #[error("unsupported PKCS#12 encryption: {algorithm}")]
    UnsupportedEncryption {
        /// Name or dotted OID.
        algorithm: String,
    },
    /// The file's integrity MAC uses an algorithm kyso does not implement.
    #[error("unsupported PKCS#12 MAC algorithm: {algorithm}")]
    UnsupportedMac {
        /// Name or dotted OID.
        algorithm: String,
    },
    /// Public-key integrity or privacy mode (signed or enveloped contents).
    #[error("unsupported PKCS#12 mode: {mode}")]
    UnsupportedMode {
        /// What was found.
        mode: String,
    },
    /// A key derivation asks for more iterations than kyso runs.
    #[error("iteration count {iterations} exceeds kyso's limit of {limit}")]
    TooManyIterations {
        /// The count in the file.
        iterations: u32,
        /// kyso's limit.
        limit: u32,
    },
    /// More bags than [`MAX_BAGS`], or nesting deeper than kyso reads.
    #[error("the file holds too many bags or nests them too deeply (limit {limit})")]
    TooLarge {
        /// The limit that was reached.
        limit: usize,
    },
    /// The file holds no private key.
    #[error("the file holds no private key")]
    NoPrivateKey,
    /// The file holds several private keys.
    #[error("the file holds {count} private keys; kyso signs with files holding one")]
    SeveralKeys {
        /// How many.
        count: usize,
    },
    /// No certificate in the file matches the private key.
    #[error("no certificate in the file matches the private key")]
    NoMatchingCertificate,
    /// The private key inside could not be loaded.
    #[error("the private key inside: {0}")]
    Key(#[from] KeyError),
}

fn at(offset: Option<usize>) -> String {
    offset.map(|o| format!(" at byte {o}")).unwrap_or_default()
}

impl From<CmsError> for Pkcs12Error {
    fn from(e: CmsError) -> Self {
        let (what, offset) = match &e {
            CmsError::Truncated { what, offset }
            | CmsError::Malformed { what, offset, .. }
            | CmsError::UnexpectedTag { what, offset, .. }
            | CmsError::TooMany { what, offset, .. }
            | CmsError::TooDeep { what, offset }
            | CmsError::UnexpectedData { what, offset } => (*what, Some(*offset)),
            _ => ("structure", None),
        };
        let detail = e.to_string();
        Pkcs12Error::Malformed {
            what,
            offset,
            detail,
        }
    }
}

/// What a PKCS#12 file holds for signing.
#[non_exhaustive]
pub struct Pkcs12Identity {
    /// The private key.
    pub key: PrivateKey,
    /// The certificate of the key (DER).
    pub certificate: Vec<u8>,
    /// The other certificates (DER), ordered from the signer's issuer upwards where they
    /// chain, then the rest in file order.
    pub chain: Vec<Vec<u8>>,
    /// The key's `friendlyName` attribute, if any.
    pub friendly_name: Option<String>,
}

impl std::fmt::Debug for Pkcs12Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs12Identity")
            .field("key", &self.key.kind())
            .field("chain_len", &self.chain.len())
            .field("friendly_name", &self.friendly_name)
            .finish_non_exhaustive()
    }
}

impl Pkcs12Identity {
    /// Opens a PKCS#12 file's bytes with `password`.
    pub fn from_der(der: &[u8], password: &str) -> Result<Self, Pkcs12Error> {
        let password = Password::new(password);
        match open(der, &password) {
            Err(Pkcs12Error::WrongPassword { .. }) if password.alternative().is_some() => {
                // OpenSSL reads an empty password both as the BMPString terminator alone and
                // as no bytes at all; files exist with either.
                let alternative = password.alternative().ok_or(Pkcs12Error::NoPrivateKey)?;
                open(der, &alternative)
            }
            other => other,
        }
    }

    /// Reads and opens a PKCS#12 file.
    pub fn from_file(path: &Path, password: &str) -> Result<Self, super::SignerError> {
        let der = std::fs::read(path).map_err(|source| super::SignerError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self::from_der(&der, password)?)
    }
}

/// One bag's useful content.
enum Bag {
    Key {
        pkcs8: Vec<u8>,
        local_key_id: Option<Vec<u8>>,
        friendly_name: Option<String>,
    },
    Certificate {
        der: Vec<u8>,
        local_key_id: Option<Vec<u8>>,
    },
}

fn open(der: &[u8], password: &Password<'_>) -> Result<Pkcs12Identity, Pkcs12Error> {
    const WHAT: &str = "PFX";
    let mut reader = Reader::new(der, 0);
    let pfx = reader.read(WHAT)?;
    pfx.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    let mut fields = pfx.children();
    let version = fields.read(WHAT)?.small_uint("PFX version")?;
    if version != 3 {
        return Err(Pkcs12Error::Version { version });
    }
    let auth_safe = fields.read(WHAT)?;
    let (content_type, content) = content_info(&auth_safe, "authSafe")?;
    if content_type != oids::ID_DATA {
        return Err(Pkcs12Error::UnsupportedMode {
            mode: format!(
                "authSafe of type {} (public-key integrity mode)",
                oids::name(&content_type)
            ),
        });
    }
    let content = content.ok_or(Pkcs12Error::Malformed {
        what: "authSafe",
        offset: Some(auth_safe.offset),
        detail: "no content".into(),
    })?;
    let safe_bytes = content.octet_string("authSafe content")?;
    let has_mac = !fields.is_empty();
    if has_mac {
        let mac_data = fields.read("MacData")?;
        mac_data.expect_universal(Tag::Sequence, "MacData", "SEQUENCE")?;
        if !pbe::verify_mac(&mac_data, password, &safe_bytes)? {
            return Err(Pkcs12Error::WrongPassword {
                detail: "the integrity MAC does not match",
            });
        }
    }
    fields.finish(WHAT)?;

    let mut bags = Vec::new();
    let mut safes = Reader::new(&safe_bytes, 0);
    let safes_seq = safes.read("AuthenticatedSafe")?;
    safes_seq.expect_universal(Tag::Sequence, "AuthenticatedSafe", "SEQUENCE")?;
    safes.finish("AuthenticatedSafe")?;
    let mut items = safes_seq.children();
    while !items.is_empty() {
        let item = items.read("AuthenticatedSafe")?;
        let (content_type, content) = content_info(&item, "AuthenticatedSafe item")?;
        let content = content.ok_or(Pkcs12Error::Malformed {
            what: "AuthenticatedSafe item",
            offset: Some(item.offset),
            detail: "no content".into(),
        })?;
        if content_type == oids::ID_DATA {
            let bytes = content.octet_string("SafeContents")?;
            read_safe_contents(&bytes, password, has_mac, &mut bags, 0)?;
        } else if content_type == ID_ENCRYPTED_DATA {
            let bytes = decrypt_encrypted_data(&content, password, has_mac)?;
            read_safe_contents(&bytes, password, has_mac, &mut bags, 0)?;
        } else if content_type == ID_ENVELOPED_DATA {
            return Err(Pkcs12Error::UnsupportedMode {
                mode: "enveloped contents (public-key privacy mode)".into(),
            });
        } else {
            return Err(Pkcs12Error::UnsupportedMode {
                mode: format!("contents of type {}", oids::name(&content_type)),
            });
        }
    }
    assemble(bags)
}

/// `ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT ANY OPTIONAL }`.
fn content_info<'a>(
    element: &Element<'a>,
    what: &'static str,
) -> Result<(Oid<'a>, Option<Element<'a>>), Pkcs12Error> {
    element.expect_universal(Tag::Sequence, what, "SEQUENCE")?;
    let mut fields = element.children();
    let content_type = fields.read(what)?.oid(what)?;
    let content = match fields.read_optional_context(0, what)? {
        Some(wrapper) => {
            let mut inner = wrapper.children();
            let value = inner.read(what)?;
            inner.finish(what)?;
            Some(value)
        }
        None => None,
    };
    fields.finish(what)?;
    Ok((content_type, content))
}

/// `EncryptedData ::= SEQUENCE { version, EncryptedContentInfo }`, decrypted.
fn decrypt_encrypted_data(
    element: &Element<'_>,
    password: &Password<'_>,
    has_mac: bool,
) -> Result<Vec<u8>, Pkcs12Error> {
    const WHAT: &str = "EncryptedData";
    element.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    let mut fields = element.children();
    let _version = fields.read(WHAT)?.small_uint(WHAT)?;
    let info = fields.read(WHAT)?;
    info.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    let mut info_fields = info.children();
    let _content_type = info_fields.read(WHAT)?.oid(WHAT)?;
    let alg = AlgorithmIdentifier::from_element(&info_fields.read(WHAT)?)?;
    let encrypted = info_fields
        .read_optional_context(0, WHAT)?
        .ok_or(Pkcs12Error::Malformed {
            what: WHAT,
            offset: Some(info.offset),
            detail: "no encrypted content".into(),
        })?;
    let encrypted = encrypted.implicit_octet_string(WHAT)?;
    decrypted(pbe::decrypt(&alg, password, &encrypted)?, has_mac)
}

/// A failed unpadding after a matching MAC is damage; without a MAC, most likely a wrong
/// password.
fn decrypted(plain: Option<Vec<u8>>, has_mac: bool) -> Result<Vec<u8>, Pkcs12Error> {
    plain.ok_or(if has_mac {
        Pkcs12Error::Malformed {
            what: "encrypted content",
            offset: None,
            detail: "decryption produced invalid padding although the MAC matched".into(),
        }
    } else {
        Pkcs12Error::WrongPassword {
            detail: "decryption produced invalid padding (the file has no MAC)",
        }
    })
}

fn read_safe_contents(
    bytes: &[u8],
    password: &Password<'_>,
    has_mac: bool,
    bags: &mut Vec<Bag>,
    depth: usize,
) -> Result<(), Pkcs12Error> {
    const WHAT: &str = "SafeContents";
    if depth > MAX_NESTING {
        return Err(Pkcs12Error::TooLarge { limit: MAX_NESTING });
    }
    let mut reader = Reader::new(bytes, 0);
    let seq = reader.read(WHAT)?;
    seq.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    reader.finish(WHAT)?;
    let mut items = seq.children();
    let mut seen = 0usize;
    while !items.is_empty() {
        seen += 1;
        if seen.saturating_add(bags.len()) > MAX_BAGS {
            return Err(Pkcs12Error::TooLarge { limit: MAX_BAGS });
        }
        let bag = items.read("SafeBag")?;
        bag.expect_universal(Tag::Sequence, "SafeBag", "SEQUENCE")?;
        let mut fields = bag.children();
        let bag_id = fields.read("SafeBag")?.oid("bagId")?;
        let wrapper =
            fields
                .read_optional_context(0, "bagValue")?
                .ok_or(Pkcs12Error::Malformed {
                    what: "SafeBag",
                    offset: Some(bag.offset),
                    detail: "no bagValue".into(),
                })?;
        let mut inner = wrapper.children();
        let value = inner.read("bagValue")?;
        inner.finish("bagValue")?;
        let (local_key_id, friendly_name) = if fields.is_empty() {
            (None, None)
        } else {
            bag_attributes(&fields.read("bagAttributes")?)?
        };
        fields.finish("SafeBag")?;

        if bag_id == KEY_BAG {
            bags.push(Bag::Key {
                pkcs8: value.raw.to_vec(),
                local_key_id,
                friendly_name,
            });
        } else if bag_id == SHROUDED_KEY_BAG {
            // EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData }
            const EPKI: &str = "EncryptedPrivateKeyInfo";
            value.expect_universal(Tag::Sequence, EPKI, "SEQUENCE")?;
            let mut epki = value.children();
            let alg = AlgorithmIdentifier::from_element(&epki.read(EPKI)?)?;
            let data = epki.read(EPKI)?.octet_string(EPKI)?;
            epki.finish(EPKI)?;
            let pkcs8 = decrypted(pbe::decrypt(&alg, password, &data)?, has_mac)?;
            bags.push(Bag::Key {
                pkcs8,
                local_key_id,
                friendly_name,
            });
        } else if bag_id == CERT_BAG {
            // CertBag ::= SEQUENCE { certId, certValue [0] EXPLICIT OCTET STRING }
            const CB: &str = "CertBag";
            value.expect_universal(Tag::Sequence, CB, "SEQUENCE")?;
            let mut cb = value.children();
            let cert_type = cb.read(CB)?.oid(CB)?;
            let cert_wrapper = cb
                .read_optional_context(0, CB)?
                .ok_or(Pkcs12Error::Malformed {
                    what: CB,
                    offset: Some(value.offset),
                    detail: "no certValue".into(),
                })?;
            cb.finish(CB)?;
            if cert_type == X509_CERTIFICATE {
                let mut c = cert_wrapper.children();
                let der = c.read(CB)?.octet_string(CB)?.into_owned();
                c.finish(CB)?;
                bags.push(Bag::Certificate { der, local_key_id });
            }
            // SDSI certificates are ignored.
        } else if bag_id == SAFE_CONTENTS_BAG {
            read_safe_contents(value.raw, password, has_mac, bags, depth.saturating_add(1))?;
        }
        // CRL and secret bags are not needed for signing.
    }
    Ok(())
}

/// `localKeyId` and `friendlyName` from a bag's attributes.
#[allow(clippy::type_complexity)]
fn bag_attributes(set: &Element<'_>) -> Result<(Option<Vec<u8>>, Option<String>), Pkcs12Error> {
    const WHAT: &str = "bagAttributes";
    set.expect_universal(Tag::Set, WHAT, "SET")?;
    let mut attributes = set.children();
    let mut local_key_id = None;
    let mut friendly_name = None;
    let mut count = 0usize;
    while !attributes.is_empty() {
        count += 1;
        if count > 64 {
            return Err(Pkcs12Error::TooLarge { limit: 64 });
        }
        let attribute = attributes.read(WHAT)?;
        attribute.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
        let mut fields = attribute.children();
        let kind = fields.read(WHAT)?.oid(WHAT)?;
        let values = fields.read(WHAT)?;
        values.expect_universal(Tag::Set, WHAT, "SET")?;
        let mut values = values.children();
        if values.is_empty() {
            continue;
        }
        let first = values.read(WHAT)?;
        if kind == LOCAL_KEY_ID {
            local_key_id = Some(first.octet_string(WHAT)?.into_owned());
        } else if kind == FRIENDLY_NAME && first.is_universal(Tag::BmpString) {
            let units: Option<Vec<u16>> = first
                .content
                .chunks(2)
                .map(|pair| match pair {
                    [hi, lo] => Some(u16::from_be_bytes([*hi, *lo])),
                    _ => None,
                })
                .collect();
            friendly_name = units.and_then(|u| String::from_utf16(&u).ok());
        }
    }
    Ok((local_key_id, friendly_name))
}

/// Pairs the key with its certificate (by `localKeyId`, else by public key) and orders the
/// chain.
fn assemble(bags: Vec<Bag>) -> Result<Pkcs12Identity, Pkcs12Error> {
    let mut keys = Vec::new();
    let mut certs = Vec::new();
    for bag in bags {
        match bag {
            Bag::Key {
                pkcs8,
                local_key_id,
                friendly_name,
            } => keys.push((pkcs8, local_key_id, friendly_name)),
            Bag::Certificate { der, local_key_id } => certs.push((der, local_key_id)),
        }
    }
    let count = keys.len();
    let (pkcs8, key_id, friendly_name) = match keys.pop() {
        None => return Err(Pkcs12Error::NoPrivateKey),
        Some(k) if count == 1 => k,
        Some(_) => return Err(Pkcs12Error::SeveralKeys { count }),
    };
    let key = PrivateKey::from_pkcs8(&pkcs8)?;
    let by_id = key_id.as_ref().and_then(|id| {
        certs.iter().position(|(der, cid)| {
            cid.as_ref() == Some(id) && key.check_matches_certificate(der).is_ok()
        })
    });
    let index = by_id
        .or_else(|| {
            certs
                .iter()
                .position(|(der, _)| key.check_matches_certificate(der).is_ok())
        })
        .ok_or(Pkcs12Error::NoMatchingCertificate)?;
    let certificate = certs.remove(index).0;
    let chain = order_chain(&certificate, certs.into_iter().map(|(d, _)| d).collect());
    Ok(Pkcs12Identity {
        key,
        certificate,
        chain,
        friendly_name,
    })
}

/// The certificates in issuer order starting from `leaf`'s issuer, then the rest.
fn order_chain(leaf: &[u8], rest: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let (mut path, rest) = split_issuer_path(leaf, rest);
    path.extend(rest);
    path
}

/// Only the issuers of `leaf` among `candidates`, nearest first.
#[cfg_attr(not(feature = "pkcs11"), allow(dead_code))]
pub(crate) fn issuer_path(leaf: &[u8], candidates: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    split_issuer_path(leaf, candidates).0
}

/// (the issuer path of `leaf` found among `rest`, nearest first; the others).
fn split_issuer_path(leaf: &[u8], mut rest: Vec<Vec<u8>>) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    use x509_parser::prelude::FromDer;
    let names = |der: &[u8]| -> Option<(Vec<u8>, Vec<u8>)> {
        let (_, c) = x509_parser::certificate::X509Certificate::from_der(der).ok()?;
        Some((
            c.tbs_certificate.subject.as_raw().to_vec(),
            c.tbs_certificate.issuer.as_raw().to_vec(),
        ))
    };
    let mut ordered = Vec::new();
    let mut current = names(leaf);
    while let Some((subject, issuer)) = current {
        if subject == issuer {
            break;
        }
        let Some(pos) = rest
            .iter()
            .position(|c| names(c).is_some_and(|(s, _)| s == issuer))
        else {
            break;
        };
        let next = rest.remove(pos);
        current = names(&next);
        ordered.push(next);
    }
    (ordered, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for input in [&b""[..], b"\x30\x03\x02\x01\x03", b"\x30\x80", b"not der"] {
            let err = Pkcs12Identity::from_der(input, "x").unwrap_err();
            assert!(
                matches!(err, Pkcs12Error::Malformed { .. }),
                "{input:?}: {err}"
            );
        }
        let v2 = b"\x30\x03\x02\x01\x02";
        assert_eq!(
            Pkcs12Identity::from_der(v2, "x").unwrap_err(),
            Pkcs12Error::Version { version: 2 }
        );
    }
}
