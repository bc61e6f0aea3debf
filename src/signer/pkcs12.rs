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

use super::pbe::{self, KdfMeter, Password};
use crate::asn1::der::{Element, Reader};
use crate::asn1::{oid as oids, DerError};
use crate::cms::CmsError;
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

/// The most bags kyso reads from one file by default ([`Pkcs12Budget::max_bags`]).
pub const MAX_BAGS: usize = 1024;
/// How deeply `safeContentsBag`s may nest.
const MAX_NESTING: usize = 4;

/// Limits on the work one PKCS#12 load may cost, whatever the file asks for.
///
/// Each key derivation is capped at 10 000 000 iterations (about 3.5 s here); these bound the
/// sum, so that a file of a thousand such items is refused instead of running for an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pkcs12Budget {
    /// Most key-derivation work for one load, in hash iterations: each derivation's
    /// iteration count times the hash blocks it derives (default 20 000 000, about 5 s:
    /// twice what the largest single derivation may cost). Files from OpenSSL (2 048
    /// iterations), Windows and CA software (up to a few hundred thousand) need a few
    /// million at most: the MAC, the certificates' safe and the key, 2 or 3 blocks each.
    pub max_kdf_iterations: u64,
    /// Most key derivations (default 64: a file holds a MAC, one or two encrypted safes and
    /// a shrouded key per private key).
    pub max_derivations: usize,
    /// Most bags read (default 1 024).
    pub max_bags: usize,
}

impl Default for Pkcs12Budget {
    fn default() -> Self {
        Pkcs12Budget {
            max_kdf_iterations: 20_000_000,
            max_derivations: 64,
            max_bags: MAX_BAGS,
        }
    }
}

/// How to open a PKCS#12 file: limits, which key to take, certificates to add to its chain.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Pkcs12Options {
    /// Limits on the work of the load.
    pub budget: Pkcs12Budget,
    /// The signer's certificate (DER): the key that matches it is taken, whether the file
    /// holds one key or several; the load fails when no key of the file matches it. The
    /// certificate need not be in the file. `None`: the file must hold exactly one key.
    pub certificate: Option<Vec<u8>>,
    /// Certificates (DER) added to the file's chain (the issuer path is ordered across
    /// both; duplicates are dropped).
    pub extra_chain: Vec<Vec<u8>>,
}

impl Pkcs12Options {
    /// Default options: default budget, the file's only key, the file's chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the key that matches `certificate` (DER).
    pub fn certificate(mut self, certificate: Vec<u8>) -> Self {
        self.certificate = Some(certificate);
        self
    }

    /// Adds `chain` (DER certificates) to the file's chain.
    pub fn extra_chain(mut self, chain: Vec<Vec<u8>>) -> Self {
        self.extra_chain.extend(chain);
        self
    }

    /// Sets the limits.
    pub fn budget(mut self, budget: Pkcs12Budget) -> Self {
        self.budget = budget;
        self
    }
}

/// Something about a PKCS#12 file that does not stop kyso from using it, but that its
/// owner should know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs12Warning {
    /// The file has no integrity MAC (`openssl pkcs12 -nomac`): a change to it, such as a
    /// replaced chain certificate, cannot be detected, and a damaged file looks like a wrong
    /// password.
    #[error(
        "the PKCS#12 file has no integrity MAC: changes to it (a replaced certificate, for \
         instance) cannot be detected; export it again with a MAC"
    )]
    NoIntegrityMac,
}

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
    /// More bags than [`Pkcs12Budget::max_bags`], or nesting deeper than kyso reads.
    #[error("the file holds too many bags or nests them too deeply (limit {limit})")]
    TooLarge {
        /// The limit that was reached.
        limit: usize,
    },
    /// The file asks for more key-derivation work in all than [`Pkcs12Budget`] allows
    /// (checked before the derivations run, where their parameters are known).
    #[error(
        "the file asks for more key-derivation work than kyso allows for one file: {what} \
         (limit {limit})"
    )]
    BudgetExceeded {
        /// Which limit.
        what: &'static str,
        /// Its value.
        limit: u64,
    },
    /// The file holds no private key.
    #[error("the file holds no private key")]
    NoPrivateKey,
    /// The file holds several private keys and no certificate was given to choose one.
    #[error(
        "the file holds {count} private keys; give the signer's certificate to choose one \
         (kyso: --cert)"
    )]
    SeveralKeys {
        /// How many.
        count: usize,
    },
    /// The certificate given to choose the key matches no private key of the file.
    #[error("the certificate given ({subject}) matches none of the file's {keys} private key(s)")]
    CertificateNotInFile {
        /// The certificate's subject.
        subject: String,
        /// How many keys the file holds.
        keys: usize,
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
        match e {
            CmsError::Der(d) => d.into(),
            other => Pkcs12Error::Malformed {
                what: "structure",
                offset: None,
                detail: other.to_string(),
            },
        }
    }
}

impl From<DerError> for Pkcs12Error {
    fn from(e: DerError) -> Self {
        let (what, offset) = match &e {
            DerError::Truncated { what, offset }
            | DerError::Malformed { what, offset, .. }
            | DerError::UnexpectedTag { what, offset, .. }
            | DerError::TooMany { what, offset, .. }
            | DerError::TooDeep { what, offset }
            | DerError::UnexpectedData { what, offset } => (*what, Some(*offset)),
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
    /// What the owner should know about the file (no integrity MAC, …).
    pub warnings: Vec<Pkcs12Warning>,
}

impl std::fmt::Debug for Pkcs12Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs12Identity")
            .field("key", &self.key.kind())
            .field("chain_len", &self.chain.len())
            .field("friendly_name", &self.friendly_name)
            .field("warnings", &self.warnings)
            .finish_non_exhaustive()
    }
}

impl Pkcs12Identity {
    /// Opens a PKCS#12 file's bytes with `password` and the default [`Pkcs12Options`]: the
    /// file must hold one key.
    pub fn from_der(der: &[u8], password: &str) -> Result<Self, Pkcs12Error> {
        Self::from_der_with(der, password, &Pkcs12Options::default())
    }

    /// Opens a PKCS#12 file's bytes with `password`: the key chosen by `opts.certificate`
    /// (or the only one), its chain with `opts.extra_chain` added, within `opts.budget`.
    pub fn from_der_with(
        der: &[u8],
        password: &str,
        opts: &Pkcs12Options,
    ) -> Result<Self, Pkcs12Error> {
        // One budget for both readings of an empty password.
        let meter = KdfMeter::new(opts.budget);
        let password = Password::new(password, &meter);
        let (bags, has_mac) = match open(der, &password) {
            Err(Pkcs12Error::WrongPassword { .. }) if password.alternative().is_some() => {
                // OpenSSL reads an empty password both as the BMPString terminator alone and
                // as no bytes at all; files exist with either.
                let alternative = password.alternative().ok_or(Pkcs12Error::NoPrivateKey)?;
                open(der, &alternative)
            }
            other => other,
        }?;
        let mut identity = assemble(bags, opts)?;
        if !has_mac {
            identity.warnings.push(Pkcs12Warning::NoIntegrityMac);
        }
        Ok(identity)
    }

    /// Reads and opens a PKCS#12 file.
    pub fn from_file(path: &Path, password: &str) -> Result<Self, super::SignerError> {
        Self::from_file_with(path, password, &Pkcs12Options::default())
    }

    /// Reads and opens a PKCS#12 file with `opts` (see [`Pkcs12Identity::from_der_with`]).
    pub fn from_file_with(
        path: &Path,
        password: &str,
        opts: &Pkcs12Options,
    ) -> Result<Self, super::SignerError> {
        let der = std::fs::read(path).map_err(|source| super::SignerError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self::from_der_with(&der, password, opts)?)
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

/// The bags of the file, and whether it has a MAC.
fn open(der: &[u8], password: &Password<'_>) -> Result<(Vec<Bag>, bool), Pkcs12Error> {
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
    // Every item first, so that the derivations the encrypted ones need are known (and
    // refused when they do not fit) before any runs.
    let mut list = Vec::new();
    let mut items = safes_seq.children();
    while !items.is_empty() {
        if list.len() >= password.meter().budget().max_bags {
            return Err(Pkcs12Error::TooLarge {
                limit: password.meter().budget().max_bags,
            });
        }
        list.push(items.read("AuthenticatedSafe")?);
    }
    let (mut cost, mut derivations) = (0u64, 0usize);
    for item in &list {
        if let Ok((content_type, Some(content))) = content_info(item, "AuthenticatedSafe item") {
            if content_type == ID_ENCRYPTED_DATA {
                if let Some(alg) = encrypted_data_algorithm(&content) {
                    let (c, d) = pbe::planned_cost(&alg);
                    cost = cost.saturating_add(c);
                    derivations = derivations.saturating_add(d);
                }
            }
        }
    }
    password.meter().plan(cost, derivations)?;
    for item in list {
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
    Ok((bags, has_mac))
}

/// The encryption algorithm of an `EncryptedData`, if it reads as one.
fn encrypted_data_algorithm<'a>(element: &Element<'a>) -> Option<AlgorithmIdentifier<'a>> {
    let mut fields = element.children();
    let _version = fields.read("").ok()?;
    let info = fields.read("").ok()?;
    let mut info_fields = info.children();
    let _content_type = info_fields.read("").ok()?;
    AlgorithmIdentifier::from_element(&info_fields.read("").ok()?).ok()
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
    let max_bags = password.meter().budget().max_bags;
    // Every bag first: the shrouded keys' derivations are planned before any runs.
    let mut list = Vec::new();
    let mut items = seq.children();
    while !items.is_empty() {
        if list.len().saturating_add(bags.len()) >= max_bags {
            return Err(Pkcs12Error::TooLarge { limit: max_bags });
        }
        list.push(items.read("SafeBag")?);
    }
    let (mut cost, mut derivations) = (0u64, 0usize);
    for bag in &list {
        if let Some(alg) = shrouded_key_algorithm(bag) {
            let (c, d) = pbe::planned_cost(&alg);
            cost = cost.saturating_add(c);
            derivations = derivations.saturating_add(d);
        }
    }
    password.meter().plan(cost, derivations)?;
    for bag in list {
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

/// The encryption algorithm of a shrouded key bag, if `bag` reads as one.
fn shrouded_key_algorithm<'a>(bag: &Element<'a>) -> Option<AlgorithmIdentifier<'a>> {
    let mut fields = bag.children();
    if fields.read("").ok()?.oid("").ok()? != SHROUDED_KEY_BAG {
        return None;
    }
    let wrapper = fields.read_optional_context(0, "").ok()??;
    let mut inner = wrapper.children();
    let value = inner.read("").ok()?;
    let mut epki = value.children();
    AlgorithmIdentifier::from_element(&epki.read("").ok()?).ok()
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
/// chain. With `opts.certificate`, the key is the one that matches that certificate, and
/// the certificate is the one given.
fn assemble(bags: Vec<Bag>, opts: &Pkcs12Options) -> Result<Pkcs12Identity, Pkcs12Error> {
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
    if count == 0 {
        return Err(Pkcs12Error::NoPrivateKey);
    }
    let (key, certificate, friendly_name) = match &opts.certificate {
        Some(wanted) => {
            let mut chosen = None;
            for (pkcs8, _, friendly_name) in keys {
                let key = PrivateKey::from_pkcs8(&pkcs8)?;
                if key.check_matches_certificate(wanted).is_ok() {
                    chosen = Some((key, friendly_name));
                    break;
                }
            }
            let (key, friendly_name) = chosen.ok_or_else(|| Pkcs12Error::CertificateNotInFile {
                subject: subject_of(wanted),
                keys: count,
            })?;
            certs.retain(|(der, _)| der != wanted);
            (key, wanted.clone(), friendly_name)
        }
        None => {
            let (pkcs8, key_id, friendly_name) = match keys.pop() {
                Some(k) if count == 1 => k,
                _ => return Err(Pkcs12Error::SeveralKeys { count }),
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
            (key, certificate, friendly_name)
        }
    };
    let mut rest: Vec<Vec<u8>> = certs.into_iter().map(|(d, _)| d).collect();
    for extra in &opts.extra_chain {
        if *extra != certificate && !rest.contains(extra) {
            rest.push(extra.clone());
        }
    }
    let chain = order_chain(&certificate, rest);
    Ok(Pkcs12Identity {
        key,
        certificate,
        chain,
        friendly_name,
        warnings: Vec::new(),
    })
}

/// The subject of a certificate, for messages.
fn subject_of(der: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    x509_parser::certificate::X509Certificate::from_der(der)
        .map(|(_, c)| c.subject().to_string())
        .unwrap_or_else(|_| "not a readable certificate".to_owned())
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
