//! Keys on PKCS#11 tokens and HSMs (feature `pkcs11`, through the `cryptoki` crate).
//!
//! [`Pkcs11Signer::open`] loads the module, finds the token (by label or slot) and the
//! private key (by label or id), logs the user in once and keeps the session: every
//! signature made through the signer reuses that login, so a clerk signing fifty documents
//! enters the PIN once. The session sits behind a mutex (a PKCS#11 session is not meant to be
//! used from two threads at once), which makes the signer `Send + Sync`.
//!
//! Keys marked `CKA_ALWAYS_AUTHENTICATE` need a context-specific login before each signature
//! (PKCS#11 v2.40 §5.2); the signer does it with the PIN it was opened with, between
//! `C_SignInit` and a multi-part `C_SignUpdate`/`C_SignFinal` (the only order `cryptoki`'s
//! safe API allows), so such keys need a mechanism that hashes on the token; a token that
//! offers only single-part `CKM_ECDSA` is refused for them with a clear message.
//!
//! PKCS#11 login state belongs to the application and the token, not to a session: if this
//! process already has a session logged in to the token, `C_Login` answers
//! `CKR_USER_ALREADY_LOGGED_IN` and the PIN given to a second [`Pkcs11Signer::open`] is not
//! checked again.
//!
//! Mechanisms: RSA PKCS#1 v1.5 as `CKM_SHAx_RSA_PKCS` when the token lists it, else
//! `CKM_RSA_PKCS` over a DigestInfo that kyso hashes and encodes; RSA-PSS as
//! `CKM_SHA256_RSA_PKCS_PSS` or `CKM_RSA_PKCS_PSS` over the digest; ECDSA as `CKM_ECDSA` over
//! the digest, the raw `r ‖ s` result converted to DER. Every signature is checked against
//! the certificate before it is returned, so a certificate that does not belong to the key is
//! caught at the first signature.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;

use super::identity::{certificate_key_kind, family_fits, max_signature_len};
use super::{Signer, SignerError, SignerIdentity};
use crate::crypto::{digest, DigestAlgorithm, PublicKeyKind, SignatureAlgorithm};

/// How many objects a search on the token may return before kyso stops reading.
const MAX_OBJECTS: usize = 256;

/// Which token to use.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenSelector {
    /// The token with this label (trailing blanks ignored).
    Label(String),
    /// The token in the slot with this id.
    Slot(u64),
}

/// Which private key to use.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeySelector {
    /// The private key with this `CKA_LABEL`.
    Label(String),
    /// The private key with this `CKA_ID`.
    Id(Vec<u8>),
}

/// Where the key is and what to send with signatures.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Pkcs11Config {
    /// The PKCS#11 module (shared library).
    pub module: PathBuf,
    /// The token.
    pub token: TokenSelector,
    /// The key.
    pub key: KeySelector,
    /// The signer's certificate (DER); `None`: read from the token (the certificate object
    /// with the key's `CKA_ID`, else its label).
    pub certificate: Option<Vec<u8>>,
    /// The chain (DER, nearest first); empty: the issuers found among the token's
    /// certificates.
    pub chain: Vec<Vec<u8>>,
    /// The signature algorithm; `None`: by key (RSA → PKCS#1 v1.5 SHA-256, P-256 → ECDSA
    /// SHA-256, P-384 → ECDSA SHA-384).
    pub algorithm: Option<SignatureAlgorithm>,
    /// Hash in kyso and have the token sign the digest (`CKM_RSA_PKCS`, `CKM_RSA_PKCS_PSS`)
    /// even when it offers hash-and-sign mechanisms. Some tokens only do that.
    pub hash_locally: bool,
}

impl Pkcs11Config {
    /// A configuration with the certificate read from the token.
    pub fn new(module: PathBuf, token: TokenSelector, key: KeySelector) -> Self {
        Pkcs11Config {
            module,
            token,
            key,
            certificate: None,
            chain: Vec::new(),
            algorithm: None,
            hash_locally: false,
        }
    }

    /// Uses this certificate instead of the token's.
    pub fn certificate(mut self, der: Vec<u8>) -> Self {
        self.certificate = Some(der);
        self
    }

    /// Sends this chain with signatures.
    pub fn chain(mut self, chain: Vec<Vec<u8>>) -> Self {
        self.chain = chain;
        self
    }

    /// Chooses the signature algorithm.
    pub fn algorithm(mut self, algorithm: SignatureAlgorithm) -> Self {
        self.algorithm = Some(algorithm);
        self
    }

    /// Hashes in kyso and signs digests on the token (see [`Pkcs11Config::hash_locally`]).
    pub fn hash_locally(mut self, yes: bool) -> Self {
        self.hash_locally = yes;
        self
    }
}

/// Why a token could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs11Error {
    /// The module could not be loaded or initialised.
    #[error("cannot load the PKCS#11 module {}: {detail}", module.display())]
    Module {
        /// The module path.
        module: PathBuf,
        /// What failed.
        detail: String,
    },
    /// No token matches.
    #[error("no token {wanted} (tokens present: {})", if present.is_empty() { "none".to_owned() } else { present.join(", ") })]
    TokenNotFound {
        /// What was asked for.
        wanted: String,
        /// The labels (and slots) of the tokens present.
        present: Vec<String>,
    },
    /// No private key matches.
    #[error("no private key {wanted} on the token")]
    KeyNotFound {
        /// What was asked for.
        wanted: String,
    },
    /// Several private keys match.
    #[error("{count} private keys match {wanted}; select the key by id")]
    SeveralKeys {
        /// What was asked for.
        wanted: String,
        /// How many matched.
        count: usize,
    },
    /// The PIN was refused.
    #[error("wrong PIN")]
    WrongPin,
    /// The PIN is locked after too many wrong attempts.
    #[error("the PIN is locked (too many wrong attempts)")]
    PinLocked,
    /// The token holds no certificate for the key, and none was given.
    #[error("the token holds no certificate for the key; give the certificate")]
    NoCertificate,
    /// The key type or the algorithm is not supported.
    #[error("unsupported: {detail}")]
    Unsupported {
        /// What.
        detail: String,
    },
    /// A PKCS#11 call failed.
    #[error("{function} failed: {detail}")]
    Call {
        /// The PKCS#11 function.
        function: &'static str,
        /// The error.
        detail: String,
    },
}

impl From<Pkcs11Error> for SignerError {
    fn from(e: Pkcs11Error) -> Self {
        SignerError::Pkcs11(e)
    }
}

fn call(function: &'static str) -> impl Fn(CkError) -> Pkcs11Error {
    move |e| match e {
        CkError::Pkcs11(RvError::PinIncorrect, _) => Pkcs11Error::WrongPin,
        CkError::Pkcs11(RvError::PinLocked, _) => Pkcs11Error::PinLocked,
        other => Pkcs11Error::Call {
            function,
            detail: other.to_string(),
        },
    }
}

/// How the token is asked to sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// The token hashes (`CKM_SHAx_RSA_PKCS`, `CKM_SHA256_RSA_PKCS_PSS`).
    HashOnToken,
    /// kyso hashes; the token signs the digest (or DigestInfo).
    HashLocally,
}

/// A signer whose key stays on a PKCS#11 token.
pub struct Pkcs11Signer {
    session: Mutex<Session>,
    key: ObjectHandle,
    always_authenticate: bool,
    pin: AuthPin,
    identity: SignerIdentity,
    mode: Mode,
    user_logins: AtomicUsize,
    context_logins: AtomicUsize,
}

impl std::fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("algorithm", &self.identity.algorithm())
            .field("always_authenticate", &self.always_authenticate)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl Pkcs11Signer {
    /// Loads the module, finds the token and key, logs in with `pin` (once) and reads the
    /// certificate.
    pub fn open(config: &Pkcs11Config, pin: &str) -> Result<Self, SignerError> {
        let module_error = |detail: String| Pkcs11Error::Module {
            module: config.module.clone(),
            detail,
        };
        let context = Pkcs11::new(&config.module).map_err(|e| module_error(e.to_string()))?;
        match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(module_error(e.to_string()).into()),
        }
        let slot = find_slot(&context, &config.token)?;
        let session = context
            .open_ro_session(slot)
            .map_err(call("C_OpenSession"))?;
        let pin = AuthPin::from(pin.to_owned());
        match session.login(UserType::User, Some(&pin)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(e) => return Err(call("C_Login")(e).into()),
        }
        let key = find_key(&session, &config.key)?;
        let attributes = session
            .get_attributes(
                key,
                &[
                    AttributeType::Id,
                    AttributeType::Label,
                    AttributeType::AlwaysAuthenticate,
                ],
            )
            .map_err(call("C_GetAttributeValue"))?;
        let mut key_id = None;
        let mut key_label = None;
        let mut always_authenticate = false;
        for a in attributes {
            match a {
                Attribute::Id(id) => key_id = Some(id),
                Attribute::Label(l) => key_label = Some(l),
                Attribute::AlwaysAuthenticate(b) => always_authenticate = b,
                _ => {}
            }
        }
        let certificate = match &config.certificate {
            Some(c) => c.clone(),
            None => find_certificate(&session, key_id.as_deref(), key_label.as_deref())?
                .ok_or(Pkcs11Error::NoCertificate)?,
        };
        let chain = if config.chain.is_empty() {
            issuers_on_token(&session, &certificate)?
        } else {
            config.chain.clone()
        };
        let kind = certificate_key_kind(&certificate)?;
        let algorithm = match config.algorithm {
            Some(a) => a,
            None => match kind {
                PublicKeyKind::Rsa { .. } => SignatureAlgorithm::RsaPkcs1Sha256,
                PublicKeyKind::EcP256 => SignatureAlgorithm::EcdsaP256Sha256,
                PublicKeyKind::EcP384 => SignatureAlgorithm::EcdsaP384Sha384,
                PublicKeyKind::Ed25519 => {
                    return Err(Pkcs11Error::Unsupported {
                        detail: "Ed25519 keys on tokens".into(),
                    }
                    .into())
                }
                // Verified, never signed with (P-521, brainpool, Ed448, DSA).
                other => {
                    return Err(Pkcs11Error::Unsupported {
                        detail: format!("signing with {other:?} keys"),
                    }
                    .into())
                }
            },
        };
        if !family_fits(algorithm.key_family(), kind) || algorithm == SignatureAlgorithm::Ed25519 {
            return Err(SignerError::IncompatibleAlgorithm {
                algorithm,
                key: kind,
            });
        }
        let mechanisms = context.get_mechanism_list(slot).unwrap_or_default();
        let on_token = hash_on_token_mechanism(algorithm).filter(|m| mechanisms.contains(m));
        let mode = if always_authenticate {
            // The context-specific login must come between C_SignInit and the signing call;
            // cryptoki offers that order only for multi-part signing, which needs a
            // mechanism that hashes on the token.
            if on_token.is_none() {
                return Err(Pkcs11Error::Unsupported {
                    detail: format!(
                        "the key is marked always-authenticate and the token offers no \
                         multi-part mechanism for {algorithm} (kyso needs {} for that)",
                        hash_on_token_name(algorithm)
                    ),
                }
                .into());
            }
            Mode::HashOnToken
        } else if on_token.is_some() && !config.hash_locally && !is_ecdsa(algorithm) {
            Mode::HashOnToken
        } else {
            Mode::HashLocally
        };
        let identity =
            SignerIdentity::from_certificate(certificate, chain)?.with_algorithm(algorithm)?;
        debug_assert_eq!(identity.max_signature_len(), max_signature_len(kind));
        Ok(Pkcs11Signer {
            session: Mutex::new(session),
            key,
            always_authenticate,
            pin,
            identity,
            mode,
            user_logins: AtomicUsize::new(1),
            context_logins: AtomicUsize::new(0),
        })
    }

    /// How many times the user logged in (1: at [`Pkcs11Signer::open`]).
    pub fn user_logins(&self) -> usize {
        self.user_logins.load(Ordering::Relaxed)
    }

    /// How many context-specific logins were made (one per signature for keys marked
    /// `CKA_ALWAYS_AUTHENTICATE`, none otherwise).
    pub fn context_logins(&self) -> usize {
        self.context_logins.load(Ordering::Relaxed)
    }

    /// Whether the key is marked `CKA_ALWAYS_AUTHENTICATE`.
    pub fn always_authenticate(&self) -> bool {
        self.always_authenticate
    }

    fn mechanism_and_data(
        &self,
        bytes: &[u8],
    ) -> Result<(Mechanism<'static>, Vec<u8>), SignerError> {
        let algorithm = self.identity.algorithm();
        let digest_alg = algorithm.digest();
        let pss = |hash: MechanismType| PkcsPssParams {
            hash_alg: hash,
            mgf: PkcsMgfType::MGF1_SHA256,
            s_len: 32u64.into(),
        };
        Ok(match (algorithm, self.mode) {
            (SignatureAlgorithm::RsaPkcs1Sha256, Mode::HashOnToken) => {
                (Mechanism::Sha256RsaPkcs, bytes.to_vec())
            }
            (SignatureAlgorithm::RsaPkcs1Sha384, Mode::HashOnToken) => {
                (Mechanism::Sha384RsaPkcs, bytes.to_vec())
            }
            (SignatureAlgorithm::RsaPkcs1Sha512, Mode::HashOnToken) => {
                (Mechanism::Sha512RsaPkcs, bytes.to_vec())
            }
            (
                SignatureAlgorithm::RsaPkcs1Sha256
                | SignatureAlgorithm::RsaPkcs1Sha384
                | SignatureAlgorithm::RsaPkcs1Sha512,
                Mode::HashLocally,
            ) => (Mechanism::RsaPkcs, digest_info(digest_alg, bytes)?),
            (SignatureAlgorithm::RsaPssSha256, Mode::HashOnToken) => (
                Mechanism::Sha256RsaPkcsPss(pss(MechanismType::SHA256)),
                bytes.to_vec(),
            ),
            (SignatureAlgorithm::RsaPssSha256, Mode::HashLocally) => (
                Mechanism::RsaPkcsPss(pss(MechanismType::SHA256)),
                digest(digest_alg, bytes),
            ),
            (SignatureAlgorithm::EcdsaP256Sha256, Mode::HashOnToken) => {
                (Mechanism::EcdsaSha256, bytes.to_vec())
            }
            (SignatureAlgorithm::EcdsaP384Sha384, Mode::HashOnToken) => {
                (Mechanism::EcdsaSha384, bytes.to_vec())
            }
            (SignatureAlgorithm::EcdsaP256Sha256 | SignatureAlgorithm::EcdsaP384Sha384, _) => {
                (Mechanism::Ecdsa, digest(digest_alg, bytes))
            }
            (other, _) => {
                return Err(Pkcs11Error::Unsupported {
                    detail: format!("{other} on a token"),
                }
                .into())
            }
        })
    }
}

/// The hash-and-sign mechanism for an algorithm, if there is one kyso uses.
fn hash_on_token_mechanism(algorithm: SignatureAlgorithm) -> Option<MechanismType> {
    match algorithm {
        SignatureAlgorithm::RsaPkcs1Sha256 => Some(MechanismType::SHA256_RSA_PKCS),
        SignatureAlgorithm::RsaPkcs1Sha384 => Some(MechanismType::SHA384_RSA_PKCS),
        SignatureAlgorithm::RsaPkcs1Sha512 => Some(MechanismType::SHA512_RSA_PKCS),
        SignatureAlgorithm::RsaPssSha256 => Some(MechanismType::SHA256_RSA_PKCS_PSS),
        SignatureAlgorithm::EcdsaP256Sha256 => Some(MechanismType::ECDSA_SHA256),
        SignatureAlgorithm::EcdsaP384Sha384 => Some(MechanismType::ECDSA_SHA384),
        _ => None,
    }
}

fn hash_on_token_name(algorithm: SignatureAlgorithm) -> &'static str {
    match algorithm {
        SignatureAlgorithm::RsaPkcs1Sha256 => "CKM_SHA256_RSA_PKCS",
        SignatureAlgorithm::RsaPkcs1Sha384 => "CKM_SHA384_RSA_PKCS",
        SignatureAlgorithm::RsaPkcs1Sha512 => "CKM_SHA512_RSA_PKCS",
        SignatureAlgorithm::RsaPssSha256 => "CKM_SHA256_RSA_PKCS_PSS",
        SignatureAlgorithm::EcdsaP256Sha256 => "CKM_ECDSA_SHA256",
        SignatureAlgorithm::EcdsaP384Sha384 => "CKM_ECDSA_SHA384",
        _ => "a hash-and-sign mechanism",
    }
}

fn is_ecdsa(algorithm: SignatureAlgorithm) -> bool {
    matches!(
        algorithm,
        SignatureAlgorithm::EcdsaP256Sha256 | SignatureAlgorithm::EcdsaP384Sha384
    )
}

/// `DigestInfo ::= SEQUENCE { AlgorithmIdentifier (NULL parameters), OCTET STRING digest }`
/// for `CKM_RSA_PKCS` (RFC 8017 §9.2 note 1: the fixed prefixes).
fn digest_info(algorithm: DigestAlgorithm, bytes: &[u8]) -> Result<Vec<u8>, SignerError> {
    let prefix: &[u8] = match algorithm {
        DigestAlgorithm::Sha1 => &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ],
        DigestAlgorithm::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        DigestAlgorithm::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        DigestAlgorithm::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
        // kyso signs PKCS#1 v1.5 with SHA-256/384/512 only; the other digests are verified,
        // never signed with.
        other => {
            return Err(Pkcs11Error::Unsupported {
                detail: format!("RSA PKCS#1 v1.5 signing with {}", other.name()),
            }
            .into())
        }
    };
    let mut out = prefix.to_vec();
    out.extend(digest(algorithm, bytes));
    Ok(out)
}

impl Signer for Pkcs11Signer {
    fn certificate(&self) -> &[u8] {
        self.identity.certificate()
    }

    fn chain(&self) -> &[Vec<u8>] {
        self.identity.chain()
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.identity.algorithm()
    }

    fn max_signature_len(&self) -> usize {
        self.identity.max_signature_len()
    }

    fn sign(&self, bytes_to_sign: &[u8]) -> Result<Vec<u8>, SignerError> {
        let (mechanism, data) = self.mechanism_and_data(bytes_to_sign)?;
        let session = self
            .session
            .lock()
            .map_err(|_| SignerError::SigningFailed {
                reason: "the token session was poisoned by an earlier failure",
            })?;
        let signature = if self.always_authenticate {
            // C_SignInit, then C_Login(CKU_CONTEXT_SPECIFIC), then C_Sign (PKCS#11 §5.2).
            session
                .sign_init(&mechanism, self.key)
                .map_err(call("C_SignInit"))?;
            session
                .login(UserType::ContextSpecific, Some(&self.pin))
                .map_err(call("C_Login (context-specific)"))?;
            self.context_logins.fetch_add(1, Ordering::Relaxed);
            session.sign_update(&data).map_err(call("C_SignUpdate"))?;
            session.sign_final().map_err(call("C_SignFinal"))?
        } else {
            session
                .sign(&mechanism, self.key, &data)
                .map_err(call("C_Sign"))?
        };
        drop(session);
        self.identity.check_signature(bytes_to_sign, &signature)
    }
}

fn find_slot(context: &Pkcs11, wanted: &TokenSelector) -> Result<Slot, Pkcs11Error> {
    let slots = context
        .get_slots_with_token()
        .map_err(call("C_GetSlotList"))?;
    let mut present = Vec::new();
    for slot in slots {
        let label = match context.get_token_info(slot) {
            Ok(info) => info.label().trim_end().to_owned(),
            Err(e) => {
                present.push(format!("unreadable token in slot {} ({e})", slot.id()));
                continue;
            }
        };
        let hit = match wanted {
            TokenSelector::Label(l) => l.trim_end() == label,
            TokenSelector::Slot(id) => slot.id() == *id,
        };
        if hit {
            return Ok(slot);
        }
        present.push(format!("\"{label}\" (slot {})", slot.id()));
    }
    Err(Pkcs11Error::TokenNotFound {
        wanted: match wanted {
            TokenSelector::Label(l) => format!("labelled \"{l}\""),
            TokenSelector::Slot(id) => format!("in slot {id}"),
        },
        present,
    })
}

fn find_key(session: &Session, wanted: &KeySelector) -> Result<ObjectHandle, Pkcs11Error> {
    let (selector, description) = match wanted {
        KeySelector::Label(l) => (
            Attribute::Label(l.as_bytes().to_vec()),
            format!("labelled \"{l}\""),
        ),
        KeySelector::Id(id) => (
            Attribute::Id(id.clone()),
            format!("with id {}", crate::util::hex(id)),
        ),
    };
    let found = find(
        session,
        &[Attribute::Class(ObjectClass::PRIVATE_KEY), selector],
    )?;
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(Pkcs11Error::KeyNotFound {
            wanted: description,
        }),
        more => Err(Pkcs11Error::SeveralKeys {
            wanted: description,
            count: more.len(),
        }),
    }
}

fn find(session: &Session, template: &[Attribute]) -> Result<Vec<ObjectHandle>, Pkcs11Error> {
    let iter = session
        .iter_objects(template)
        .map_err(call("C_FindObjects"))?;
    let mut out = Vec::new();
    for handle in iter.take(MAX_OBJECTS) {
        out.push(handle.map_err(call("C_FindObjects"))?);
    }
    Ok(out)
}

fn certificate_value(
    session: &Session,
    handle: ObjectHandle,
) -> Result<Option<Vec<u8>>, Pkcs11Error> {
    let attributes = session
        .get_attributes(handle, &[AttributeType::Value])
        .map_err(call("C_GetAttributeValue"))?;
    Ok(attributes.into_iter().find_map(|a| match a {
        Attribute::Value(v) => Some(v),
        _ => None,
    }))
}

/// The certificate object with the key's id, else with its label.
fn find_certificate(
    session: &Session,
    id: Option<&[u8]>,
    label: Option<&[u8]>,
) -> Result<Option<Vec<u8>>, Pkcs11Error> {
    let class = Attribute::Class(ObjectClass::CERTIFICATE);
    let mut selectors = Vec::new();
    if let Some(id) = id.filter(|i| !i.is_empty()) {
        selectors.push(Attribute::Id(id.to_vec()));
    }
    if let Some(label) = label.filter(|l| !l.is_empty()) {
        selectors.push(Attribute::Label(label.to_vec()));
    }
    for selector in selectors {
        if let Some(handle) = find(session, &[class.clone(), selector])?.first() {
            if let Some(value) = certificate_value(session, *handle)? {
                return Ok(Some(value));
            }
        }
    }
    Ok(None)
}

/// The issuers of `leaf` found among the token's certificates, nearest first.
fn issuers_on_token(session: &Session, leaf: &[u8]) -> Result<Vec<Vec<u8>>, Pkcs11Error> {
    let mut all = Vec::new();
    for handle in find(session, &[Attribute::Class(ObjectClass::CERTIFICATE)])? {
        if let Some(v) = certificate_value(session, handle)? {
            if v != leaf {
                all.push(v);
            }
        }
    }
    Ok(super::pkcs12::issuer_path(leaf, all))
}
