//! Stable finding codes. A code, once published, keeps its spelling and meaning; new codes
//! are added at the end of their group.

use serde::{Deserialize, Serialize};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Severity {
    /// Information; the verdict does not depend on it.
    Info,
    /// Worth a human's attention; does not by itself stop a signature from passing.
    Warning,
    /// The signature cannot pass.
    Error,
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal, $sev:ident; )*) => {
        /// A stable, machine-readable finding code (`group.name`).
        #[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* #[serde(rename = $text)] $variant, )*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code's stable spelling, e.g. `coverage.partial`.
            pub fn as_str(&self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// The severity this code has unless a check says otherwise.
            pub fn severity(&self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }
        }
    };
}

codes! {
    // Document level.
    /// The document is encrypted; structure was read, string values were not decrypted.
    DocEncrypted = "document.encrypted", Warning;
    /// The document holds no signature.
    DocNoSignatures = "document.no_signatures", Info;
    /// A signature field exists but holds no signature.
    DocUnsignedField = "document.unsigned_field", Info;
    /// Data follows the last `%%EOF` of the file.
    DocTrailingData = "document.trailing_data", Warning;

    // The signature dictionary.
    /// A signature dictionary is not reachable from any signature field.
    SigUnreachable = "signature.unreachable", Error;
    /// The same signature dictionary is the value of more than one field.
    SigSharedByFields = "signature.shared_by_fields", Error;
    /// The signature dictionary could not be read.
    SigDictMalformed = "signature.dictionary_malformed", Error;
    /// The `/SubFilter` is one kyso does not verify.
    SigSubFilterUnsupported = "signature.subfilter_unsupported", Error;
    /// `/Contents` is missing or not a string.
    SigContentsMissing = "signature.contents_missing", Error;
    /// `/Contents` is a literal string, not a hexadecimal one.
    SigContentsNotHex = "signature.contents_not_hex", Error;

    // The byte range.
    /// `/ByteRange` is missing or not an array of four non-negative integers.
    ByteRangeMalformed = "byte_range.malformed", Error;
    /// The first range does not start at offset 0.
    ByteRangeNotFromStart = "byte_range.not_from_start", Error;
    /// A range reaches outside the file.
    ByteRangeOutsideFile = "byte_range.outside_file", Error;
    /// The ranges overlap or are out of order.
    ByteRangeOverlap = "byte_range.overlap", Error;
    /// The gap between the ranges is not exactly the `/Contents` hexadecimal string.
    ByteRangeGapMismatch = "byte_range.gap_mismatch", Error;

    // Coverage.
    /// The signature covers the whole file.
    CoverageEntireFile = "coverage.entire_file", Info;
    /// The signature covers a whole revision; later updates follow.
    CoverageEntireRevision = "coverage.entire_revision", Info;
    /// The signature covers less than a whole revision.
    CoveragePartial = "coverage.partial", Error;

    // CMS structure.
    /// `/Contents` is not a parsable CMS SignedData.
    CmsMalformed = "cms.malformed", Error;
    /// Non-zero bytes follow the CMS structure inside `/Contents`.
    CmsTrailingData = "cms.trailing_data", Warning;
    /// The SignedData has no or several signer infos.
    CmsSignerCount = "cms.signer_count", Error;
    /// The SignedData encapsulates content, which a detached PDF signature must not.
    CmsEncapsulatedContent = "cms.encapsulated_content", Error;
    /// The CMS was encoded with BER constructs (indefinite lengths), accepted.
    CmsBerEncoding = "cms.ber_encoding", Info;

    // Integrity.
    /// The digest of the byte ranges matches the signed message-digest.
    IntegrityDigestOk = "integrity.digest_ok", Info;
    /// The digest of the byte ranges does not match the signed message-digest.
    IntegrityDigestMismatch = "integrity.digest_mismatch", Error;
    /// The signed attributes lack a message-digest.
    IntegrityDigestMissing = "integrity.message_digest_missing", Error;
    /// The signature value does not verify.
    IntegritySignatureInvalid = "integrity.signature_invalid", Error;
    /// The signature value verifies.
    IntegritySignatureOk = "integrity.signature_ok", Info;
    /// An algorithm is not supported by kyso; the signature could not be checked.
    IntegrityAlgorithmUnsupported = "integrity.algorithm_unsupported", Error;
    /// The signer's certificate is not in the CMS.
    IntegritySignerCertMissing = "integrity.signer_certificate_missing", Error;
    /// The signing-certificate(-v2) attribute does not match the signer's certificate.
    IntegritySigningCertMismatch = "integrity.signing_certificate_mismatch", Error;
    /// A PAdES signature lacks the signing-certificate-v2 attribute.
    IntegritySigningCertMissing = "integrity.signing_certificate_missing", Error;
    /// The content-type attribute is missing or differs from the encapsulated content type.
    IntegrityContentTypeMismatch = "integrity.content_type_mismatch", Error;
    /// The signature has no signed attributes (allowed for adbe.pkcs7.detached, legacy).
    IntegrityNoSignedAttributes = "integrity.no_signed_attributes", Warning;
    /// A PAdES signature carries a signing-time attribute, which ETSI EN 319 142-1 forbids.
    PadesSigningTimeAttribute = "pades.signing_time_attribute", Warning;

    // Certificate path.
    /// A path to a trust anchor validated.
    ChainTrusted = "chain.trusted", Info;
    /// No trust anchors were configured.
    ChainNoTrustAnchors = "chain.no_trust_anchors", Error;
    /// No path leads to a configured trust anchor.
    ChainUntrusted = "chain.untrusted", Error;
    /// A certificate of the path is outside its validity period at the validation time.
    ChainCertificateExpired = "chain.certificate_expired", Error;
    /// A certificate of the path is not yet valid at the validation time.
    ChainCertificateNotYetValid = "chain.certificate_not_yet_valid", Error;
    /// A certificate's signature does not verify with its issuer's key.
    ChainSignatureInvalid = "chain.signature_invalid", Error;
    /// An issuer is not a CA (basicConstraints) or may not sign certificates (keyUsage).
    ChainIssuerNotCa = "chain.issuer_not_ca", Error;
    /// The signer's key usage does not allow signatures.
    ChainSignerKeyUsage = "chain.signer_key_usage", Error;
    /// A certificate could not be parsed.
    ChainCertificateMalformed = "chain.certificate_malformed", Error;
    /// A path-length constraint is exceeded.
    ChainPathLength = "chain.path_length", Error;
    /// A critical extension is not understood.
    ChainUnknownCriticalExtension = "chain.unknown_critical_extension", Error;
    /// Path building stopped at its budget.
    ChainBudgetExhausted = "chain.budget_exhausted", Error;
    /// Revocation was not checked (comes with the certificate-path issue).
    ChainRevocationNotChecked = "chain.revocation_not_checked", Warning;

    // Changes after signing.
    /// No revision follows the signed one.
    ModificationNone = "modification.none", Info;
    /// A later revision only adds signatures (fields, widgets, signature dictionaries).
    ModificationSignatureAdded = "modification.signature_added", Info;
    /// A later revision changes something that is not allowed.
    ModificationDisallowed = "modification.disallowed", Error;
    /// Later revisions could not be read or analysed.
    ModificationUnanalysed = "modification.unanalysed", Error;

    // Signing time.
    /// The signing time is the signer's claim, not proven by a timestamp.
    TimeClaimedOnly = "time.claimed_only", Info;

    // Difference analysis: structure, certification, locks, budgets.
    /// A later revision's structure is inconsistent (cross-reference entries that do not
    /// point at their objects, objects outside any cross-reference section, duplicate
    /// definitions, a second catalog or trailer, repeated dictionary keys): a viewer may
    /// show something other than what the analysis judged.
    ModificationStructure = "modification.structure", Error;
    /// A later change goes beyond what the certification signature's DocMDP permissions
    /// allow.
    ModificationDocMdpViolation = "modification.docmdp_violation", Error;
    /// A later change touches a form field locked by this signature (FieldMDP).
    ModificationFieldLocked = "modification.field_locked", Error;
    /// A signature field with a visible widget was added after a certification signature
    /// (the "Sneaky Signature" attack: its appearance can draw over certified content).
    ModificationNewVisibleSignatureField = "modification.new_visible_signature_field", Error;
    /// The permissions the later changes were judged against (default or DocMDP).
    ModificationPolicy = "modification.policy", Info;
    /// Later revisions made only changes the permissions allow (form filling, signatures,
    /// validation data, annotations where permitted).
    ModificationAllowed = "modification.allowed", Info;
    /// Markup annotations were added, changed or removed after signing, as DocMDP P3 permits;
    /// what they show is not signed content.
    ModificationAnnotations = "modification.annotations", Warning;
    /// A safety budget (objects, nesting, revisions, decompressed bytes) was exhausted; the
    /// check it guarded could not be completed.
    BudgetExceeded = "budget.exceeded", Error;
    /// The certification signature is not the first signature of the document (ISO 32000
    /// requires it to be).
    SigCertificationNotFirst = "signature.certification_not_first", Warning;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_serialise_as_their_spelling() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {}", c.as_str());
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            let back: Code = serde_json::from_str(&json).unwrap();
            assert_eq!(back, *c);
        }
    }
}
