//! The cryptographic integrity of one SignerInfo: which certificate signed, whether the
//! message digest matches the content, whether the signature verifies over the signed
//! attributes' original bytes, and whether the signing-certificate attribute binds the
//! certificate. Each step has its own outcome; the verifier maps them to report findings.

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;

use super::attributes::{SigningCertificate, SigningCertificateVersion};
use super::parse::{SignedData, SignerIdentifier, SignerInfo};
use crate::asn1::name::names_match;
use crate::crypto::{digest, verify_signature, DigestAlgorithm, SignatureCheckError, VerifiedWith};

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CheckOutcome {
    /// The check passed.
    Ok,
    /// The check failed: the signature is not intact.
    Failed {
        /// Why.
        reason: String,
    },
    /// What the check looks at is absent (an optional attribute, for example).
    NotPresent,
    /// kyso cannot perform the check (unknown algorithm): the verdict is unknown.
    Unsupported {
        /// What is not supported.
        reason: String,
    },
    /// The check could not run because something it needs is missing or failed earlier.
    Skipped {
        /// Why.
        reason: String,
    },
}

impl CheckOutcome {
    fn failed(reason: impl Into<String>) -> Self {
        Self::Failed {
            reason: reason.into(),
        }
    }

    fn skipped(reason: impl Into<String>) -> Self {
        Self::Skipped {
            reason: reason.into(),
        }
    }

    /// Whether the check passed.
    pub fn is_ok(&self) -> bool {
        matches!(self, Self::Ok)
    }
}

/// The per-step results of checking one SignerInfo.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct SignerCheck {
    /// Index in [`SignedData::certificates`] of the signer's certificate, if found.
    pub signer_certificate: Option<usize>,
    /// Finding the signer's certificate from the SignerIdentifier.
    pub certificate_lookup: CheckOutcome,
    /// The SignerInfo's digest algorithm (name or dotted OID).
    pub digest_algorithm: String,
    /// The SignerInfo's signature algorithm (name or dotted OID).
    pub signature_algorithm: String,
    /// Structure of the signed attributes (no duplicates, DER length form).
    pub signed_attributes: CheckOutcome,
    /// content-type attribute = eContentType.
    pub content_type: CheckOutcome,
    /// message-digest attribute = digest of the content.
    pub message_digest: CheckOutcome,
    /// The signature value over the signed attributes (or the content).
    pub signature: CheckOutcome,
    /// How the signature was verified, when it was.
    pub verified_with: Option<VerifiedWith>,
    /// signing-certificate(-v2) attribute binds the signer's certificate.
    pub signing_certificate: CheckOutcome,
    /// Which signing-certificate attribute was checked.
    pub signing_certificate_version: Option<SigningCertificateVersion>,
}

impl SignerCheck {
    /// Every step with a stable name, in the order they were run.
    pub fn steps(&self) -> [(&'static str, &CheckOutcome); 6] {
        [
            ("certificate_lookup", &self.certificate_lookup),
            ("signed_attributes", &self.signed_attributes),
            ("content_type", &self.content_type),
            ("message_digest", &self.message_digest),
            ("signature", &self.signature),
            ("signing_certificate", &self.signing_certificate),
        ]
    }
}

/// Checks one SignerInfo of `sd`.
///
/// `content_digest` is the digest of the signed content (for a PDF, of the byte ranges)
/// computed by the caller with `si`'s digest algorithm. `full_content` is only needed when
/// the SignerInfo has no signed attributes: the signature is then over the content itself,
/// and ring cannot verify a signature from a precomputed digest.
pub fn check_signer(
    sd: &SignedData<'_>,
    si: &SignerInfo<'_>,
    content_digest: &[u8],
    full_content: Option<&[u8]>,
) -> SignerCheck {
    let digest_algorithm = si.digest();
    // The signer's certificate, decoded once for the lookup, the key and the binding.
    let (found, certificate_lookup) = find_signer_certificate(sd, &si.sid);
    let signer_certificate = found.as_ref().map(|(index, _, _)| *index);
    let signer = found.as_ref().map(|(_, der, cert)| (*der, cert));

    let mut check = SignerCheck {
        signer_certificate,
        certificate_lookup,
        digest_algorithm: si.digest_algorithm.name(),
        signature_algorithm: si.signature_algorithm.name(),
        signed_attributes: CheckOutcome::NotPresent,
        content_type: CheckOutcome::NotPresent,
        message_digest: CheckOutcome::NotPresent,
        signature: CheckOutcome::skipped("not checked"),
        verified_with: None,
        signing_certificate: CheckOutcome::NotPresent,
        signing_certificate_version: None,
    };

    let message: Option<Vec<u8>> = match &si.signed_attrs {
        Some(attrs) => {
            check.signed_attributes = {
                let duplicates = attrs.duplicate_types();
                if !duplicates.is_empty() {
                    let names: Vec<String> =
                        duplicates.iter().map(crate::asn1::oid::name).collect();
                    CheckOutcome::failed(format!(
                        "attribute types occur more than once: {}",
                        names.join(", ")
                    ))
                } else if attrs.indefinite_length {
                    CheckOutcome::failed("signed attributes use an indefinite length (not DER)")
                } else {
                    CheckOutcome::Ok
                }
            };
            check.content_type = match attrs.content_type() {
                Ok(Some(oid)) if oid == sd.encap_content_type => CheckOutcome::Ok,
                Ok(Some(oid)) => CheckOutcome::failed(format!(
                    "content-type attribute is {} but the encapsulated content is {}",
                    crate::asn1::oid::name(&oid),
                    crate::asn1::oid::name(&sd.encap_content_type)
                )),
                Ok(None) => CheckOutcome::failed(
                    "content-type attribute missing (required with signed attributes)",
                ),
                Err(e) => CheckOutcome::failed(e.to_string()),
            };
            check.message_digest = match (attrs.message_digest(), digest_algorithm) {
                (Err(e), _) => CheckOutcome::failed(e.to_string()),
                (Ok(None), _) => CheckOutcome::failed(
                    "message-digest attribute missing (required with signed attributes)",
                ),
                (Ok(Some(_)), None) => CheckOutcome::Unsupported {
                    reason: format!("digest algorithm {}", si.digest_algorithm.name()),
                },
                (Ok(Some(found)), Some(alg)) => {
                    if content_digest.len() != alg.output_len() {
                        CheckOutcome::failed(format!(
                            "the content digest given is {} bytes, {alg} needs {}",
                            content_digest.len(),
                            alg.output_len()
                        ))
                    } else if *found == *content_digest {
                        CheckOutcome::Ok
                    } else {
                        CheckOutcome::failed("message-digest does not match the content")
                    }
                }
            };
            Some(attrs.to_be_verified())
        }
        None => full_content.map(<[u8]>::to_vec),
    };

    check.signature = match (signer, message) {
        (None, _) => CheckOutcome::skipped("the signer's certificate was not found"),
        (Some(_), None) => {
            CheckOutcome::skipped("no signed attributes, and the signed content was not supplied")
        }
        (Some((_, cert)), Some(message)) => match verify_signature(
            cert.tbs_certificate.subject_pki.raw,
            &si.signature_algorithm,
            digest_algorithm,
            &message,
            &si.signature,
        ) {
            Ok(with) => {
                check.verified_with = Some(with);
                CheckOutcome::Ok
            }
            Err(SignatureCheckError::Unsupported { reason }) => {
                CheckOutcome::Unsupported { reason }
            }
            Err(e) => CheckOutcome::failed(e.to_string()),
        },
    };

    if let Some(attrs) = &si.signed_attrs {
        let v2 = attrs.signing_certificate_v2();
        let v1 = attrs.signing_certificate_v1();
        let mut outcomes = Vec::new();
        for (version, result) in [
            (SigningCertificateVersion::V2, v2),
            (SigningCertificateVersion::V1, v1),
        ] {
            match result {
                Ok(None) => {}
                Ok(Some(value)) => {
                    check.signing_certificate_version =
                        check.signing_certificate_version.or(Some(version));
                    outcomes.push(match signer {
                        Some((der, cert)) => check_binding(&value, der, cert),
                        None => CheckOutcome::skipped("the signer's certificate was not found"),
                    });
                }
                Err(e) => {
                    check.signing_certificate_version =
                        check.signing_certificate_version.or(Some(version));
                    outcomes.push(CheckOutcome::failed(e.to_string()));
                }
            }
        }
        // The worst outcome wins: Failed, then Unsupported, then Skipped, then Ok.
        check.signing_certificate = outcomes
            .iter()
            .find(|o| matches!(o, CheckOutcome::Failed { .. }))
            .or_else(|| {
                outcomes
                    .iter()
                    .find(|o| matches!(o, CheckOutcome::Unsupported { .. }))
            })
            .or_else(|| {
                outcomes
                    .iter()
                    .find(|o| matches!(o, CheckOutcome::Skipped { .. }))
            })
            .or_else(|| outcomes.first())
            .cloned()
            .unwrap_or(CheckOutcome::NotPresent);
    }
    check
}

/// The signer's certificate as found in the CMS: its index, its DER and its decoding.
type FoundCertificate<'a> = (usize, &'a [u8], X509Certificate<'a>);

/// Finds the certificate named by a SignerIdentifier. Certificates that cannot be decoded
/// are passed over.
fn find_signer_certificate<'a>(
    sd: &SignedData<'a>,
    sid: &SignerIdentifier<'_>,
) -> (Option<FoundCertificate<'a>>, CheckOutcome) {
    for (index, der) in sd.certificates.iter().enumerate() {
        let Ok((_, cert)) = X509Certificate::from_der(der) else {
            continue;
        };
        let matches = match sid {
            SignerIdentifier::IssuerAndSerial { issuer_raw, serial } => {
                same_serial(cert.raw_serial(), serial)
                    && names_match(cert.tbs_certificate.issuer.as_raw(), issuer_raw)
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                cert.extensions()
                    .iter()
                    .any(|ext| match ext.parsed_extension() {
                        ParsedExtension::SubjectKeyIdentifier(id) => id.0 == ski.as_slice(),
                        _ => false,
                    })
            }
        };
        if matches {
            return (Some((index, der, cert)), CheckOutcome::Ok);
        }
    }
    let reason = match sid {
        SignerIdentifier::IssuerAndSerial { .. } => {
            "no certificate in the CMS has the signer's issuer and serial number"
        }
        SignerIdentifier::SubjectKeyIdentifier(_) => {
            "no certificate in the CMS has the signer's subject key identifier"
        }
    };
    (None, CheckOutcome::failed(reason))
}

/// Checks the first ESSCertID(v2) against the signer's certificate (RFC 5035 §4).
fn check_binding(
    value: &SigningCertificate<'_>,
    cert_der: &[u8],
    cert: &X509Certificate<'_>,
) -> CheckOutcome {
    let Some(first) = value.certs.first() else {
        return CheckOutcome::failed("signing-certificate attribute lists no certificate");
    };
    let Some(alg) = DigestAlgorithm::from_oid(&first.hash_algorithm.oid) else {
        return CheckOutcome::Unsupported {
            reason: format!(
                "signing-certificate hash algorithm {}",
                first.hash_algorithm.name()
            ),
        };
    };
    if digest(alg, cert_der) != first.cert_hash {
        return CheckOutcome::failed(
            "signing-certificate hash does not match the signer's certificate",
        );
    }
    if let Some(issuer_serial) = &first.issuer_serial {
        if !same_serial(cert.raw_serial(), issuer_serial.serial) {
            return CheckOutcome::failed(
                "signing-certificate issuerSerial has another serial number",
            );
        }
        let issuer = cert.tbs_certificate.issuer.as_raw();
        if !issuer_serial
            .directory_names
            .iter()
            .any(|name| names_match(issuer, name))
        {
            return CheckOutcome::failed("signing-certificate issuerSerial names another issuer");
        }
    }
    CheckOutcome::Ok
}

/// Whether two INTEGER contents denote the same serial number (redundant leading zero
/// octets, which BER producers sometimes leave, are ignored).
fn same_serial(a: &[u8], b: &[u8]) -> bool {
    fn strip(x: &[u8]) -> &[u8] {
        let first = x.iter().position(|b| *b != 0).unwrap_or(x.len());
        x.get(first..).unwrap_or_default()
    }
    strip(a) == strip(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_ignore_redundant_leading_zeros() {
        assert!(same_serial(&[0x00, 0x80], &[0x80]));
        assert!(!same_serial(&[0x01, 0x80], &[0x80]));
    }
}
