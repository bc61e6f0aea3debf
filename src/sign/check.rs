//! The signer's certificate, checked before anything is signed.
//!
//! A signature made with a certificate that is outside its validity period at the signing
//! time (RFC 5280 §4.1.2.5, §6.1.3 (a)(2)), or whose key usage extension allows neither
//! digitalSignature nor nonRepudiation (§4.2.1.3), fails every verifier's path validation:
//! the file could never verify. Every signing path ([`super::sign_file`],
//! [`super::sign_bytes`], two-phase [`super::two_phase::prepare_file`], batches, detached
//! `.p7s`/`.p7m` signatures and sealed dossiers) refuses such a certificate before any output
//! is written, unless the caller explicitly allows it (for tests that need such files:
//! [`super::SignOptions::allow_invalid_certificate`]). A private key that does not belong to
//! the certificate is always refused: a software key when it is loaded, any other signer
//! (a token, a remote service) when its first signature does not verify with the
//! certificate.
//!
//! [`check_signer`] also says what verifiers will lack: a certificate that is not
//! self-issued, sent without its issuer's certificate, leaves them without a path unless they
//! trust that issuer directly ([`SignerWarning`]).

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::pki::{Certificate, KeyUsageBits};
use crate::signer::{SignerError, SignerIdentity};
use crate::Error;

/// Why a certificate cannot make a signature that verifies. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnfitCertificate {
    /// The certificate expired before the signing time.
    #[error(
        "the signer's certificate \"{subject}\" expired on {} (signing time {}): a signature \
         made with it can never verify; sign with a certificate that is valid now (ask your CA \
         to renew it)",
        rfc3339(*not_after),
        rfc3339(*signing_time)
    )]
    Expired {
        /// The certificate's subject.
        subject: String,
        /// Its notAfter.
        not_after: OffsetDateTime,
        /// The signing time.
        signing_time: OffsetDateTime,
    },
    /// The certificate's validity starts after the signing time.
    #[error(
        "the signer's certificate \"{subject}\" is not valid before {} (signing time {}): a \
         signature dated before its certificate's validity does not verify at the time it \
         claims; check the signing time and the computer's clock",
        rfc3339(*not_before),
        rfc3339(*signing_time)
    )]
    NotYetValid {
        /// The certificate's subject.
        subject: String,
        /// Its notBefore.
        not_before: OffsetDateTime,
        /// The signing time.
        signing_time: OffsetDateTime,
    },
    /// The key usage extension allows neither digitalSignature nor nonRepudiation.
    #[error(
        "the signer's certificate \"{subject}\" is not a signing certificate: its key usage \
         ({usages}) allows neither digitalSignature nor nonRepudiation (RFC 5280 §4.2.1.3), so \
         no verifier accepts its signatures; use the official's signing certificate"
    )]
    KeyUsage {
        /// The certificate's subject.
        subject: String,
        /// The usages it allows, by name.
        usages: String,
    },
    /// The private key is not the certificate's key (its signature does not verify with the
    /// certificate).
    #[error(
        "the private key does not belong to the signer's certificate \"{subject}\" (its \
         signature does not verify with the certificate's public key): use the key and \
         certificate of the same official (on a token: the certificate stored with that key)"
    )]
    KeyMismatch {
        /// The certificate's subject.
        subject: String,
    },
    /// The certificate cannot be read as X.509 (no verifier could use it).
    #[error("the signer's certificate cannot be read ({detail}): no verifier could use it")]
    Unreadable {
        /// What is wrong.
        detail: String,
    },
}

impl UnfitCertificate {
    /// What a refusal adds: that nothing was written and, when an override exists, which.
    pub(crate) fn refusal_note(&self) -> &'static str {
        if self.can_be_overridden() {
            "; nothing was written (for test files only, --allow-invalid-certificate / \
             SignOptions::allow_invalid_certificate signs anyway)"
        } else {
            "; nothing was written"
        }
    }

    /// Whether an explicit override may sign anyway (validity and key usage: a test may need
    /// such a file). A key that does not match its certificate is never used.
    pub fn can_be_overridden(&self) -> bool {
        matches!(
            self,
            UnfitCertificate::Expired { .. }
                | UnfitCertificate::NotYetValid { .. }
                | UnfitCertificate::KeyUsage { .. }
        )
    }
}

/// What verifiers will lack (the signature itself is fine).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignerWarning {
    /// No chain is sent and the certificate is not self-issued.
    #[error(
        "no certificate chain is sent with the signature, and \"{subject}\" was issued by \
         \"{issuer}\": verifiers will need that CA's certificate (give the chain: kyso sign \
         --chain FILE), unless they trust \"{issuer}\" directly"
    )]
    NoChain {
        /// The signer's subject.
        subject: String,
        /// Its issuer.
        issuer: String,
    },
    /// A chain is sent, but without the certificate's issuer.
    #[error(
        "the certificate chain sent with the signature does not contain the issuer of \
         \"{subject}\", \"{issuer}\": verifiers will need that CA's certificate (check the \
         chain file), unless they trust \"{issuer}\" directly"
    )]
    IssuerNotInChain {
        /// The signer's subject.
        subject: String,
        /// Its issuer.
        issuer: String,
    },
}

/// What [`check_signer`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignerCheck {
    /// Reasons a signature by this certificate would never verify (empty: none).
    pub problems: Vec<UnfitCertificate>,
    /// Things verifiers will need that the signature does not carry.
    pub warnings: Vec<SignerWarning>,
}

impl SignerCheck {
    /// True when nothing stands in the way of a signature that verifies.
    pub fn is_fit(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the certificate of `identity` for a signature made at `signing_time`: its validity
/// period and key usage (problems), and whether its chain carries the issuer (warnings).
///
/// ```
/// # fn main() -> Result<(), kyso::Error> {
/// use kyso::sign::check_signer;
/// use kyso::signer::SignerIdentity;
/// use time::{Duration, OffsetDateTime};
///
/// let now = OffsetDateTime::now_utc();
/// let pki = kyso::demo::DemoPki::generate(now)?;
/// let official = &pki.officials[0];
/// let identity = SignerIdentity::from_certificate(official.cert_der.clone(), pki.chain_der())?;
/// assert!(check_signer(&identity, now).is_fit());
/// // Ten years on, the certificate has expired: signing then would be refused.
/// assert!(!check_signer(&identity, now + Duration::days(3650)).is_fit());
/// // Without the chain, verifiers would need the issuing CA: a warning.
/// let alone = SignerIdentity::from_certificate(official.cert_der.clone(), Vec::new())?;
/// assert_eq!(check_signer(&alone, now).warnings.len(), 1);
/// # Ok(())
/// # }
/// ```
pub fn check_signer(identity: &SignerIdentity, signing_time: OffsetDateTime) -> SignerCheck {
    let mut check = SignerCheck::default();
    let cert = match Certificate::from_der(identity.certificate()) {
        Ok(c) => c,
        Err(e) => {
            check.problems.push(UnfitCertificate::Unreadable {
                detail: e.to_string(),
            });
            return check;
        }
    };
    let subject = cert.label();
    if signing_time > cert.not_after() {
        check.problems.push(UnfitCertificate::Expired {
            subject: subject.clone(),
            not_after: cert.not_after(),
            signing_time,
        });
    }
    if signing_time < cert.not_before() {
        check.problems.push(UnfitCertificate::NotYetValid {
            subject: subject.clone(),
            not_before: cert.not_before(),
            signing_time,
        });
    }
    if let Some(ku) = cert.key_usage() {
        if !ku.digital_signature() && !ku.non_repudiation() {
            check.problems.push(UnfitCertificate::KeyUsage {
                subject: subject.clone(),
                usages: usage_names(ku),
            });
        }
    }
    if !cert.is_self_issued() {
        let issuer_in_chain = identity.chain().iter().any(|der| {
            Certificate::from_der(der).is_ok_and(|candidate| cert.issued_by_name(&candidate))
        });
        let issuer = cert.issuer().to_string();
        if identity.chain().is_empty() {
            check
                .warnings
                .push(SignerWarning::NoChain { subject, issuer });
        } else if !issuer_in_chain {
            check
                .warnings
                .push(SignerWarning::IssuerNotInChain { subject, issuer });
        }
    }
    check
}

/// Refuses, before anything is written, a certificate that cannot make a signature that
/// verifies, unless `allow` (validity and key usage only).
pub(crate) fn refuse_unfit(
    identity: &SignerIdentity,
    signing_time: OffsetDateTime,
    allow: bool,
) -> Result<(), Error> {
    let check = check_signer(identity, signing_time);
    match check
        .problems
        .into_iter()
        .find(|p| !(allow && p.can_be_overridden()))
    {
        Some(problem) => Err(problem.into()),
        None => Ok(()),
    }
}

/// Has the signature of the signer's own key checked against its certificate: the CMS form
/// of `signature` (raw ECDSA converted), or [`UnfitCertificate::KeyMismatch`] when it does not
/// verify (the key is not the certificate's).
pub(crate) fn own_signature(
    identity: &SignerIdentity,
    bytes_to_sign: &[u8],
    signature: Result<Vec<u8>, SignerError>,
) -> Result<Vec<u8>, Error> {
    let mismatch = || {
        let subject = Certificate::from_der(identity.certificate())
            .map(|c| c.label())
            .unwrap_or_else(|_| "(unreadable)".into());
        Error::from(UnfitCertificate::KeyMismatch { subject })
    };
    match signature {
        Err(SignerError::SignatureMismatch) => Err(mismatch()),
        Err(e) => Err(e.into()),
        Ok(sig) => match identity.check_signature(bytes_to_sign, &sig) {
            Ok(checked) => Ok(checked),
            Err(SignerError::SignatureMismatch) => Err(mismatch()),
            Err(e) => Err(e.into()),
        },
    }
}

/// The key usages a certificate allows, by their RFC 5280 names.
fn usage_names(ku: KeyUsageBits) -> String {
    const NAMES: [&str; 9] = [
        "digitalSignature",
        "nonRepudiation",
        "keyEncipherment",
        "dataEncipherment",
        "keyAgreement",
        "keyCertSign",
        "cRLSign",
        "encipherOnly",
        "decipherOnly",
    ];
    let names: Vec<&str> = NAMES
        .iter()
        .enumerate()
        .filter(|(bit, _)| ku.0 & (1 << bit) != 0)
        .map(|(_, name)| *name)
        .collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_names_follow_rfc_5280_bit_order() {
        // RFC 5280 §4.2.1.3: digitalSignature (0), …, keyEncipherment (2), keyCertSign (5).
        assert_eq!(usage_names(KeyUsageBits(0b100)), "keyEncipherment");
        assert_eq!(
            usage_names(KeyUsageBits(0b110_0000)),
            "keyCertSign, cRLSign"
        );
        assert_eq!(usage_names(KeyUsageBits(0)), "none");
    }

    #[test]
    fn a_garbage_certificate_is_a_problem_not_a_panic() {
        // Not reachable through SignerIdentity::from_certificate (it parses the
        // certificate); a Signer implementation can return any bytes.
        struct Junk;
        impl crate::signer::Signer for Junk {
            fn certificate(&self) -> &[u8] {
                b"not a certificate"
            }
            fn chain(&self) -> &[Vec<u8>] {
                &[]
            }
            fn algorithm(&self) -> crate::crypto::SignatureAlgorithm {
                crate::crypto::SignatureAlgorithm::EcdsaP256Sha256
            }
            fn max_signature_len(&self) -> usize {
                72
            }
            fn sign(&self, _: &[u8]) -> Result<Vec<u8>, SignerError> {
                Ok(vec![0; 8])
            }
        }
        let check = check_signer(&SignerIdentity::of(&Junk), OffsetDateTime::now_utc());
        assert!(matches!(
            check.problems.as_slice(),
            [UnfitCertificate::Unreadable { .. }]
        ));
        assert!(refuse_unfit(&SignerIdentity::of(&Junk), OffsetDateTime::now_utc(), true).is_err());
    }
}
