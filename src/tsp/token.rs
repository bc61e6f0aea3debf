//! A `TimeStampToken` (RFC 3161 §2.4.2): a CMS SignedData whose encapsulated content is a
//! DER `TSTInfo`, signed by the authority; and the checks that make it a proof of time.
//!
//! ```text
//! TimestampToken::parse ──> TstInfo (what is asserted) + the SignedData
//! TimestampToken::check(digest of the data) ──> TokenCheck:
//!     imprint      messageImprint == digest of the timestamped data
//!     signer       cms::check_signer over the TSTInfo: content-type id-ct-TSTInfo,
//!                  message-digest, signature, ESS signing-certificate(-v2) binding
//!     tsa_usage    the authority's certificate has extendedKeyUsage id-kp-timeStamping,
//!                  alone and critical (RFC 3161 §2.3)
//! ```
//!
//! The authority's certificate path is validated separately (by the verifier, at a time it
//! chooses).

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::oid_registry::OID_X509_EXT_EXTENDED_KEY_USAGE;
use x509_parser::prelude::FromDer;

use super::error::TspError;
use super::request::same_integer;
use super::tst_info::TstInfo;
use crate::asn1::oid;
use crate::cms::{self, CheckOutcome, SignedData, SignerCheck, SignerInfo, Trailing};
use crate::crypto::{digest, DigestAlgorithm};
use crate::pki::Certificate;
use crate::util::hex;

/// A decoded timestamp token.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TimestampToken<'a> {
    /// The CMS SignedData (its one SignerInfo is the authority's).
    pub signed_data: SignedData<'a>,
    /// The decoded TSTInfo.
    pub info: TstInfo,
}

/// The results of checking a token against the data it should timestamp.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TokenCheck {
    /// The message imprint against the digest of the data.
    pub imprint: CheckOutcome,
    /// The CMS checks of the authority's SignerInfo over the TSTInfo.
    pub signer: SignerCheck,
    /// Whether the ESS signing-certificate attribute RFC 3161 requires is present.
    pub signing_certificate_present: bool,
    /// The authority's certificate, when found in the token.
    pub tsa_certificate: Option<Certificate>,
    /// The token's other certificates (intermediates for the authority's path).
    pub other_certificates: Vec<Certificate>,
    /// The authority certificate's extended key usage (critical, id-kp-timeStamping only).
    pub tsa_usage: CheckOutcome,
}

impl TokenCheck {
    /// Every failed or impossible check, as (which, why), in the order they were made.
    /// Empty when the token is sound (its path is judged elsewhere).
    pub fn problems(&self) -> Vec<(TokenProblem, String)> {
        let mut out = Vec::new();
        let why = |o: &CheckOutcome| match o {
            CheckOutcome::Failed { reason }
            | CheckOutcome::Unsupported { reason }
            | CheckOutcome::Skipped { reason } => reason.clone(),
            CheckOutcome::NotPresent => "absent".to_owned(),
            _ => String::new(),
        };
        let unsupported = |o: &CheckOutcome| matches!(o, CheckOutcome::Unsupported { .. });
        if !self.imprint.is_ok() {
            let kind = if unsupported(&self.imprint) {
                TokenProblem::Unsupported
            } else {
                TokenProblem::Imprint
            };
            out.push((kind, format!("message imprint: {}", why(&self.imprint))));
        }
        if !self.signer.certificate_lookup.is_ok() {
            out.push((
                TokenProblem::TsaCertificate,
                format!(
                    "the authority's certificate is not in the token: {}",
                    why(&self.signer.certificate_lookup)
                ),
            ));
        }
        for (name, outcome) in [
            ("signed attributes", &self.signer.signed_attributes),
            ("content-type", &self.signer.content_type),
            ("message-digest of the TSTInfo", &self.signer.message_digest),
            ("signature", &self.signer.signature),
            ("signing-certificate", &self.signer.signing_certificate),
        ] {
            let ok = outcome.is_ok()
                || (name == "signing-certificate" && *outcome == CheckOutcome::NotPresent);
            if !ok {
                let kind = if unsupported(outcome) {
                    TokenProblem::Unsupported
                } else {
                    TokenProblem::Signature
                };
                out.push((kind, format!("{name}: {}", why(outcome))));
            }
        }
        if !self.signing_certificate_present {
            out.push((
                TokenProblem::Signature,
                "the ESS signing-certificate attribute RFC 3161 §2.4.1 requires is missing"
                    .to_owned(),
            ));
        }
        if self.tsa_certificate.is_some() && !self.tsa_usage.is_ok() {
            out.push((TokenProblem::TsaCertificate, why(&self.tsa_usage)));
        }
        out
    }
}

/// The kind of a problem [`TokenCheck::problems`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenProblem {
    /// The token timestamps other data.
    Imprint,
    /// The authority's signature (or the attributes it signs) does not verify.
    Signature,
    /// The authority's certificate is missing or not for timestamping.
    TsaCertificate,
    /// An algorithm kyso does not support.
    Unsupported,
}

impl<'a> TimestampToken<'a> {
    /// Decodes a token (a CMS ContentInfo). Zero padding after it is accepted (a PDF
    /// `/Contents` string is padded); other trailing bytes are not.
    pub fn parse(der: &'a [u8]) -> Result<Self, TspError> {
        let sd = cms::parse_signed_data(der)?;
        let bad = |detail: String| TspError::Malformed {
            what: "TimeStampToken",
            detail,
        };
        if let Trailing::Garbage { offset, len } = sd.trailing {
            return Err(bad(format!(
                "{len} bytes follow the token at byte {offset}"
            )));
        }
        if sd.encap_content_type != oid::ID_CT_TST_INFO {
            return Err(bad(format!(
                "the content type is {}, not id-ct-TSTInfo",
                oid::name(&sd.encap_content_type)
            )));
        }
        if sd.signer_infos.len() != 1 {
            return Err(bad(format!(
                "{} signer infos; a token has exactly one",
                sd.signer_infos.len()
            )));
        }
        let content = sd
            .econtent
            .as_deref()
            .ok_or_else(|| bad("no encapsulated TSTInfo".to_owned()))?;
        let info = TstInfo::parse(content)?;
        Ok(TimestampToken {
            signed_data: sd,
            info,
        })
    }

    /// The authority's SignerInfo.
    pub fn signer_info(&self) -> Option<&SignerInfo<'a>> {
        self.signed_data.signer_infos.first()
    }

    /// Checks the token against `data_digest`, the digest of the timestamped data made with
    /// the token's imprint algorithm ([`TstInfo::imprint_algorithm`]); `None` when that
    /// algorithm is not supported.
    pub fn check(&self, data_digest: Option<&[u8]>) -> TokenCheck {
        let info = &self.info;
        let imprint = match (info.imprint_algorithm, data_digest) {
            (None, _) | (_, None) => CheckOutcome::Unsupported {
                reason: format!("imprint algorithm {}", info.imprint_algorithm_name),
            },
            (Some(_), Some(d)) if d == info.imprint.as_slice() => CheckOutcome::Ok,
            (Some(_), Some(_)) => CheckOutcome::Failed {
                reason: "the token's message imprint is not the digest of the timestamped data"
                    .to_owned(),
            },
        };
        let sd = &self.signed_data;
        let content = sd.econtent.as_deref().unwrap_or_default();
        let (signer, signing_certificate_present) = match self.signer_info() {
            Some(si) => {
                let content_digest = si.digest().map(|alg| digest(alg, content));
                let check = cms::check_signer(
                    sd,
                    si,
                    content_digest.as_deref().unwrap_or_default(),
                    Some(content),
                );
                let present = si.signed_attrs.as_ref().is_some_and(|a| {
                    a.get(&oid::ID_AA_SIGNING_CERTIFICATE_V2).is_some()
                        || a.get(&oid::ID_AA_SIGNING_CERTIFICATE).is_some()
                });
                (check, present)
            }
            // parse() guarantees one SignerInfo; a hand-made value without is unsound.
            None => (empty_signer_check(), false),
        };
        let tsa_der = signer
            .signer_certificate
            .and_then(|i| sd.certificates.get(i).copied());
        let tsa_certificate = tsa_der.and_then(|der| Certificate::from_der(der).ok());
        let other_certificates = sd
            .certificates
            .iter()
            .filter(|der| Some(**der) != tsa_der)
            .filter_map(|der| Certificate::from_der(der).ok())
            .collect();
        let tsa_usage = match tsa_der {
            Some(der) => timestamping_usage(der),
            None => CheckOutcome::Skipped {
                reason: "the authority's certificate was not found".to_owned(),
            },
        };
        TokenCheck {
            imprint,
            signer,
            signing_certificate_present,
            tsa_certificate,
            other_certificates,
            tsa_usage,
        }
    }

    /// Checks a token just received for `requested` (algorithm and digest) and, when one was
    /// sent, the request's `nonce`: the imprint, the nonce echo, the authority's signature
    /// and certificate usage must all pass. The authority's path is not judged here (the
    /// signer may not have its trust anchor).
    pub fn check_as_requested(
        &self,
        algorithm: DigestAlgorithm,
        requested: &[u8],
        nonce: Option<&[u8]>,
    ) -> Result<(), TspError> {
        let info = &self.info;
        if info.imprint_algorithm != Some(algorithm) || info.imprint != requested {
            return Err(TspError::ImprintMismatch {
                expected: format!("{} {}", algorithm.name(), hex(requested)),
                found: format!("{} {}", info.imprint_algorithm_name, hex(&info.imprint)),
            });
        }
        if let Some(sent) = nonce {
            let echoed = info.nonce.as_deref();
            if !echoed.is_some_and(|got| same_integer(got, sent)) {
                return Err(TspError::NonceMismatch {
                    expected: hex(sent),
                    found: echoed.map_or_else(|| "none".to_owned(), hex),
                });
            }
        }
        let check = self.check(Some(requested));
        if let Some((kind, reason)) = check.problems().into_iter().next() {
            return Err(match kind {
                TokenProblem::Imprint => TspError::TokenInvalid { reason },
                TokenProblem::Signature => TspError::TokenInvalid { reason },
                TokenProblem::TsaCertificate => TspError::TsaCertificate { reason },
                TokenProblem::Unsupported => TspError::UnsupportedAlgorithm(reason),
            });
        }
        Ok(())
    }
}

fn empty_signer_check() -> SignerCheck {
    let skipped = || CheckOutcome::Skipped {
        reason: "no SignerInfo".to_owned(),
    };
    SignerCheck {
        signer_certificate: None,
        certificate_lookup: skipped(),
        digest_algorithm: String::new(),
        signature_algorithm: String::new(),
        signed_attributes: skipped(),
        content_type: skipped(),
        message_digest: skipped(),
        signature: skipped(),
        verified_with: None,
        signing_certificate: skipped(),
        signing_certificate_version: None,
    }
}

/// RFC 3161 §2.3: the authority's certificate has exactly one extended key usage extension,
/// critical, whose only purpose is id-kp-timeStamping.
pub fn timestamping_usage(cert_der: &[u8]) -> CheckOutcome {
    let failed = |reason: &str| CheckOutcome::Failed {
        reason: reason.to_owned(),
    };
    let Ok((_, cert)) = X509Certificate::from_der(cert_der) else {
        return failed("the authority's certificate cannot be decoded");
    };
    let ekus: Vec<_> = cert
        .extensions()
        .iter()
        .filter(|e| e.oid == OID_X509_EXT_EXTENDED_KEY_USAGE)
        .collect();
    let [ext] = ekus.as_slice() else {
        return if ekus.is_empty() {
            failed(
                "the authority's certificate has no extended key usage; RFC 3161 §2.3 requires \
                 id-kp-timeStamping, alone and critical",
            )
        } else {
            failed("the authority's certificate has several extended key usage extensions")
        };
    };
    if !ext.critical {
        return failed(
            "the authority's extended key usage is not critical (RFC 3161 §2.3 requires it)",
        );
    }
    match ext.parsed_extension() {
        ParsedExtension::ExtendedKeyUsage(eku) => {
            let others = eku.any
                || eku.server_auth
                || eku.client_auth
                || eku.code_signing
                || eku.email_protection
                || eku.ocsp_signing
                || !eku.other.is_empty();
            if !eku.time_stamping {
                failed("the authority's extended key usage lacks id-kp-timeStamping")
            } else if others {
                failed(
                    "the authority's extended key usage lists other purposes besides \
                     id-kp-timeStamping (RFC 3161 §2.3 allows it alone)",
                )
            } else {
                CheckOutcome::Ok
            }
        }
        _ => failed("the authority's extended key usage cannot be decoded"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, CustomExtension, ExtendedKeyUsagePurpose, KeyPair};

    fn cert_with(eku: Option<(bool, Vec<u8>)>, rcgen_eku: Vec<ExtendedKeyUsagePurpose>) -> Vec<u8> {
        let mut p = CertificateParams::new(vec!["tsa".to_owned()]).unwrap();
        p.extended_key_usages = rcgen_eku;
        if let Some((critical, content)) = eku {
            let mut ext = CustomExtension::from_oid_content(&[2, 5, 29, 37], content);
            ext.set_criticality(critical);
            p.custom_extensions = vec![ext];
        }
        p.self_signed(&KeyPair::generate().unwrap())
            .unwrap()
            .der()
            .to_vec()
    }

    /// `SEQUENCE { OID… }` of extended key purposes (last arc of 1.3.6.1.5.5.7.3.x).
    fn purposes(last_arcs: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        for arc in last_arcs {
            body.extend_from_slice(&[0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, *arc]);
        }
        let mut out = vec![0x30, u8::try_from(body.len()).unwrap()];
        out.extend(body);
        out
    }

    #[test]
    fn timestamping_usage_must_be_critical_and_alone() {
        assert!(timestamping_usage(&cert_with(Some((true, purposes(&[8]))), vec![])).is_ok());
        let not_critical = timestamping_usage(&cert_with(Some((false, purposes(&[8]))), vec![]));
        assert!(
            matches!(&not_critical, CheckOutcome::Failed { reason } if reason.contains("not critical")),
            "{not_critical:?}"
        );
        let with_other = timestamping_usage(&cert_with(Some((true, purposes(&[8, 4]))), vec![]));
        assert!(
            matches!(&with_other, CheckOutcome::Failed { reason } if reason.contains("other purposes")),
            "{with_other:?}"
        );
        let wrong = timestamping_usage(&cert_with(Some((true, purposes(&[9]))), vec![]));
        assert!(
            matches!(&wrong, CheckOutcome::Failed { reason } if reason.contains("lacks")),
            "{wrong:?}"
        );
        let none = timestamping_usage(&cert_with(None, vec![]));
        assert!(
            matches!(&none, CheckOutcome::Failed { reason } if reason.contains("no extended key usage")),
            "{none:?}"
        );
        // rcgen's own (non-critical) extension.
        let rcgen_default = timestamping_usage(&cert_with(
            None,
            vec![ExtendedKeyUsagePurpose::TimeStamping],
        ));
        assert!(!rcgen_default.is_ok());
        assert!(!timestamping_usage(b"not a certificate").is_ok());
    }

    #[test]
    fn tokens_must_be_tst_info_signed_data() {
        // A CMS that is not a SignedData, and garbage.
        assert!(TimestampToken::parse(&[0x30, 0x03, 0x02, 0x01, 0x01]).is_err());
        assert!(TimestampToken::parse(b"").is_err());
    }
}
