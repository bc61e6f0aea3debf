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
    /// The document is encrypted (ISO 32000-2 §7.6); it was decrypted: how, and its
    /// permissions, are in the message.
    DocEncrypted = "document.encrypted", Info;
    /// The document holds no signature.
    DocNoSignatures = "document.no_signatures", Info;
    /// A signature field exists but holds no signature.
    DocUnsignedField = "document.unsigned_field", Info;
    /// Data follows the last `%%EOF` of the file.
    DocTrailingData = "document.trailing_data", Warning;
    /// The file ends in an incomplete incremental update: it was cut or damaged, and what
    /// the update held cannot be verified.
    DocTruncated = "document.damaged_or_truncated", Error;

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
    /// The signing time the signature claims is later than the validation time (by more
    /// than the allowed clock skew): the signature was judged at a time before it says it
    /// was made.
    TimeClaimedAfterValidation = "time.claimed_after_validation", Warning;

    // Embedded files (attachments inside a PDF).
    /// An embedded file is not covered by any signature of the document: it was added or
    /// changed after the last signature that could cover it.
    EmbeddedNotCovered = "embedded.not_covered", Warning;
    /// An embedded file's content does not match its declared `/Params /CheckSum` (MD5).
    EmbeddedChecksumMismatch = "embedded.checksum_mismatch", Warning;
    /// An embedded file's content length differs from its declared `/Params /Size`.
    EmbeddedSizeMismatch = "embedded.size_mismatch", Warning;
    /// An embedded file could not be read or decoded (missing stream, unsupported filter,
    /// budget).
    EmbeddedUnreadable = "embedded.unreadable", Warning;

    // Detached and enveloping CMS signatures over files (.p7s, .p7m).
    /// The CMS holds no content and no separate content file was given.
    DetachedNoContent = "detached.no_content", Error;
    /// The CMS encapsulates content that differs from the separate file it was given with.
    DetachedContentMismatch = "detached.content_mismatch", Error;

    // Dossiers (a directory sealed by a signed manifest).
    /// The dossier has no manifest.
    DossierManifestMissing = "dossier.manifest_missing", Error;
    /// The manifest is not valid JSON of a known schema version, or lists a file twice.
    DossierManifestMalformed = "dossier.manifest_malformed", Error;
    /// The manifest has no signature file beside it.
    DossierManifestUnsigned = "dossier.manifest_unsigned", Error;
    /// The manifest's signature did not pass (its own report says why).
    DossierManifestSignatureNotPassed = "dossier.manifest_signature_not_passed", Error;
    /// A file listed in the manifest is not in the dossier.
    DossierFileMissing = "dossier.file_missing", Error;
    /// A file's size or SHA-256 differs from the manifest.
    DossierFileAltered = "dossier.file_altered", Error;
    /// A file in the dossier is not listed in the manifest.
    DossierFileExtra = "dossier.file_extra", Error;
    /// A file could not be read, or is not a regular file.
    DossierFileUnreadable = "dossier.file_unreadable", Error;
    /// A file is exactly as the manifest lists it.
    DossierFileIntact = "dossier.file_intact", Info;
    /// A signature inside or beside a file (PDF signature, `.p7s`) did not pass.
    DossierFileSignatureNotPassed = "dossier.file_signature_not_passed", Error;
    /// A signature file (`.p7s`) has no content file beside it.
    DossierOrphanSignature = "dossier.orphan_signature", Error;
    /// The manifest lists a path that is not a safe relative path.
    DossierPathInvalid = "dossier.path_invalid", Error;
    /// The dossier is larger than the verification budget allows (files, depth, manifest
    /// size).
    DossierBudgetExhausted = "dossier.budget_exhausted", Error;
    /// Two files of the dossier have names that are equal once normalised (Unicode NFC):
    /// which one the manifest means cannot be told.
    DossierNameConflict = "dossier.name_conflict", Error;
    /// The manifest's signature does not verify over its bytes, so its entries were neither
    /// trusted nor compared with the files.
    DossierManifestNotCompared = "dossier.manifest_not_compared", Info;

    // Certificate paths (RFC 5280 §6.1) and revocation (§6.3, RFC 6960).
    /// A candidate path failed; the findings that follow say why.
    ChainCandidateFailed = "chain.candidate_failed", Info;
    /// A name of a certificate violates the name constraints of an issuing CA.
    ChainNameConstraints = "chain.name_constraints", Error;
    /// No valid set of certificate policies (or a mapping to or from anyPolicy).
    ChainPolicy = "chain.policy", Error;
    /// An extension is malformed, duplicated, or critical where its RFC forbids it.
    ChainExtensionMalformed = "chain.extension_malformed", Error;
    /// The signer's extended key usage does not allow the purpose.
    ChainExtendedKeyUsage = "chain.extended_key_usage", Error;
    /// The trust anchor reached is not trusted for the purpose.
    ChainAnchorPurpose = "chain.anchor_purpose", Error;
    /// The trust anchor is kept for archival validation and the signature is not proven to
    /// exist before its cut-off.
    ChainAnchorArchival = "chain.anchor_archival", Error;
    /// The trust anchor is outside its validity period and the policy lets it end the path.
    ChainAnchorExpired = "chain.anchor_expired", Warning;
    /// keyCertSign is asserted in a certificate that is not a CA (RFC 5280 §4.2.1.3). A warning under the default certificate profile, an error under `strict`.
    ChainProfileKeyCertSignNotCa = "chain.profile_key_cert_sign_not_ca", Warning;
    /// A CA certificate has no subjectKeyIdentifier (RFC 5280 §4.2.1.2). A warning under the default certificate profile, an error under `strict`.
    ChainProfileCaWithoutSki = "chain.profile_ca_without_ski", Warning;
    /// A certificate that is not self-signed has no authorityKeyIdentifier (RFC 5280 §4.2.1.1). A warning under the default certificate profile, an error under `strict`.
    ChainProfileMissingAki = "chain.profile_missing_aki", Warning;
    /// An empty subject without a critical subjectAltName (RFC 5280 §4.2.1.6). A warning under the default certificate profile, an error under `strict`.
    ChainProfileEmptySubject = "chain.profile_empty_subject", Warning;
    /// A subjectAltName dNSName is not preferred name syntax (RFC 5280 §4.2.1.6). A warning under the default certificate profile, an error under `strict`.
    ChainProfileSanSyntax = "chain.profile_san_syntax", Warning;
    /// A serial number is longer than 20 octets, zero or negative (RFC 5280 §4.1.2.2). A warning under the default certificate profile, an error under `strict`.
    ChainProfileSerialNumber = "chain.profile_serial_number", Warning;
    /// pathLenConstraint in a certificate that is not a CA (RFC 5280 §4.2.1.9). A warning under the default certificate profile, an error under `strict`.
    ChainProfilePathLenNotCa = "chain.profile_path_len_not_ca", Warning;
    /// policyConstraints is not marked critical (RFC 5280 §4.2.1.11). A warning under the default certificate profile, an error under `strict`.
    ChainProfilePolicyConstraintsNotCritical = "chain.profile_policy_constraints_not_critical", Warning;
    /// An algorithm or key size the algorithm policy refuses.
    ChainAlgorithmRefused = "chain.algorithm_refused", Error;
    /// A legacy algorithm accepted because it was used before its cut-off date.
    ChainAlgorithmLegacy = "chain.algorithm_legacy", Warning;
    /// A certificate is not revoked, according to a CRL or OCSP response.
    RevocationGood = "revocation.good", Info;
    /// The target certificate of the path is revoked, and no proof of existence of the
    /// signature before the revocation exists (EN 319 102-1 §5.2.6: REVOKED_NO_POE).
    RevocationRevoked = "revocation.revoked", Error;
    /// The signer's certificate was revoked before the time of a valid content timestamp:
    /// the signature was provably made after the revocation (EN 319 102-1 §5.2.6, Table 5:
    /// TOTAL-FAILED/REVOKED).
    RevocationRevokedBeforeContentTimestamp = "revocation.revoked_before_content_timestamp", Error;
    /// A certificate of the path was revoked after the time the signature is proven to have
    /// existed (the best-signature-time): the signature stands (EN 319 102-1 §5.6.2.4),
    /// unless the policy's key-compromise rule says otherwise.
    RevocationRevokedAfterSigning = "revocation.revoked_after_signing", Warning;
    /// Revocation status was required and could not be established.
    RevocationUnknown = "revocation.unknown", Error;
    /// Revocation status could not be established; the policy does not require it.
    RevocationNotAvailable = "revocation.not_available", Warning;
    /// A CRL or OCSP signer is not authorised (no cRLSign, no id-kp-OCSPSigning, not the CA).
    RevocationSignerNotAuthorized = "revocation.signer_not_authorized", Error;
    /// Revocation data found in the file or given could not be read.
    RevocationDataUnusable = "revocation.data_unusable", Warning;
    /// Fetching revocation data or an issuer certificate failed.
    RevocationFetchFailed = "revocation.fetch_failed", Warning;
    /// A CRL that would have served was not used: no cRLNumber or a critical one (RFC 5280
    /// §5.2.3), an unknown critical or malformed extension (§5.2), or a signer whose keyUsage
    /// lacks cRLSign (§6.3.3 (f)). Reported in every revocation mode when the status stays
    /// unknown; under `require` the unknown status itself is the error.
    RevocationCrlUnusable = "revocation.crl_unusable", Warning;
    /// A CA certificate of the path is revoked, and no proof of existence of the signature
    /// before the revocation exists (EN 319 102-1 §5.6.2.4: REVOKED_CA_NO_POE).
    RevocationCaRevoked = "revocation.ca_revoked", Error;

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
    /// A signature field with a visible widget and no signature was added after an approval
    /// signature: the page shows its appearance, which nobody signed (allowed, but the page
    /// differs from what the signer saw).
    ModificationUnsignedVisibleSignatureField =
        "modification.unsigned_visible_signature_field", Warning;
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
    /// The document's verification ran out of its per-document budget (bytes decoded,
    /// stream data handled, deadline: [`crate::budget::DocumentBudget`]); it was not fully
    /// examined, and none of its signatures passes.
    BudgetDocumentExhausted = "budget.document_exhausted", Error;

    // Timestamps (RFC 3161 tokens), proven times and PAdES levels.
    /// A signature timestamp verified: imprint over the signature value, the authority's
    /// signature and certificate, its path.
    TspValid = "timestamp.valid", Info;
    /// A timestamp token is not a well-formed RFC 3161 token.
    TspMalformed = "timestamp.malformed", Error;
    /// A signature timestamp's message imprint is not the digest of the signature value.
    TspImprintMismatch = "timestamp.imprint_mismatch", Error;
    /// The authority's signature over a signature timestamp's TSTInfo does not verify, or
    /// its signed attributes are wrong (message digest, content type, signing certificate).
    TspSignatureInvalid = "timestamp.signature_invalid", Error;
    /// The authority's certificate is missing from a token, or is not a timestamping
    /// certificate (extended key usage id-kp-timeStamping, alone and critical).
    TspCertificateUnusable = "timestamp.tsa_certificate_unusable", Error;
    /// No path from a signature timestamp's authority to a trust anchor validated.
    TspUntrusted = "timestamp.tsa_untrusted", Error;
    /// A timestamp uses an algorithm kyso does not support.
    TspAlgorithmUnsupported = "timestamp.algorithm_unsupported", Error;
    /// The signer claims a signing time after the time the signature timestamp proves.
    TspBeforeClaimedTime = "timestamp.before_claimed_time", Warning;
    /// The signature existed at a time proven by its signature timestamp.
    TimeProvenBySignatureTimestamp = "time.proven_by_signature_timestamp", Info;
    /// The signature existed at a time proven by a later document timestamp.
    TimeProvenByDocumentTimestamp = "time.proven_by_document_timestamp", Info;
    /// A certificate path was validated at a proven time, because a certificate had expired
    /// by the validation time.
    TimePathAtProvenTime = "time.path_validated_at_proven_time", Info;
    /// The PAdES baseline level the signature reaches, and what a higher one needs.
    PadesLevel = "pades.level", Info;
    /// The newest timestamp's authority certificate (or its path) has expired by the
    /// validation time and no later timestamp protects it: the proof of existence is gone
    /// (EN 319 102-1 §5.6.3; INDETERMINATE/OUT_OF_BOUNDS_NO_POE).
    TspAuthorityExpired = "timestamp.authority_expired", Error;
    /// A timestamp's authority certificate expired before a later timestamp proved the
    /// token's existence: the archive was renewed too late (EN 319 102-1 §5.6.3;
    /// INDETERMINATE/NO_POE).
    TspRenewedTooLate = "timestamp.renewed_too_late", Error;
    /// The newest authority's status at the validation time was taken from the embedded
    /// revocation data of its own time, as the policy allows offline (a deviation from
    /// EN 319 102-1 §5.2.5, which wants data fresh at the validation time).
    TspAuthorityStatusFromEmbeddedData = "timestamp.authority_status_from_embedded_data", Warning;
    /// Until when the signature stays provable and what the archive needs next.
    ArchiveProvableUntil = "archive.provable_until", Info;
    /// A valid content timestamp: the signature was made after its time.
    TspContentValid = "timestamp.content_valid", Info;
    /// A content timestamp that does not validate: it proves nothing, and the signature's
    /// verdict does not rest on it.
    TspContentNotValid = "timestamp.content_not_valid", Warning;
    /// A valid content timestamp later than a proof of existence of the signature (its
    /// signature timestamp or a later document timestamp): the timestamps contradict each
    /// other (INDETERMINATE/TIMESTAMP_ORDER_FAILURE).
    TspContentAfterProof = "timestamp.content_after_proof", Error;

    // The network (feature `online` or a caller's fetcher).
    /// A URL from a certificate was not fetched because the network policy refuses it: a
    /// loopback, private, link-local or other non-public address (after resolution, or
    /// after a redirect), user information in the URL, `https:` (kyso carries no TLS).
    NetworkRefused = "network.refused", Warning;
    /// The network budget of the verification (fetches, time, bytes) ran out; a status
    /// that needed the network could not be established, so the signature cannot pass.
    NetworkBudgetExhausted = "network.budget_exhausted", Error;

    // Legacy signature formats and the algorithm policy (issue 19 §2).
    /// A detached signature's SignedData carries an encapsulated content of length zero
    /// (some e-office systems write it): the signature was checked over the byte ranges as a
    /// detached one; a conforming signer leaves the content out (ISO 32000-2 §12.8.3.3.1).
    CmsEmptyEncapsulatedContent = "cms.empty_encapsulated_content", Warning;
    /// The algorithm policy refuses an algorithm or key size of the signature at the time
    /// it is judged (the proven time of the signature, else the validation time).
    IntegrityAlgorithmRefused = "integrity.algorithm_refused", Error;
    /// A legacy algorithm or key size accepted because the signature is judged at a time
    /// before the policy's cut-off for it.
    IntegrityAlgorithmLegacy = "integrity.algorithm_legacy", Warning;

    // Damaged files (issue 19 §4).
    /// The file is damaged and was read as repaired: cross-reference data that could not be
    /// read (the object map reconstructed by scanning), entries that point at the wrong
    /// object (corrected by scanning), or an object stream whose header could not be read
    /// in full (read as far as it goes); each finding says what was repaired. Signatures whose dictionary,
    /// byte range and CMS were found are verified; the difference analysis over the repaired
    /// document never concludes "allowed".
    DocDamaged = "document.damaged", Warning;

    // The visual comparison (issue 23; `kyso verify --visual`, feature `visual`): the signed
    // revision and the final document rendered and compared pixel by pixel. Evidence beside
    // the structural rules, which decide the verdict; one error case, below.
    /// The pages look the same as when signed, or differ only where a change the difference
    /// analysis found (a signature, a filled field, an annotation) draws.
    VisualExplained = "visual.explained", Info;
    /// A region of a page differs from the signed revision and no change the difference
    /// analysis found explains it (drawn on blank space), or a page was added.
    VisualUnexplained = "visual.unexplained", Warning;
    /// A region that held signed page content looks different and no change the difference
    /// analysis found explains it, or a signed page is gone: what the signer saw is not what
    /// is shown now. Never TOTAL-PASSED.
    VisualContentChanged = "visual.content_changed", Error;
    /// The appearance of a later signature, field or annotation covers page content of the
    /// signed revision (as EU DSS reports): the change is allowed, but it hides or overlays
    /// what was signed.
    VisualOverlap = "visual.overlap", Warning;
    /// The visual comparison was asked for and did not run or did not finish (budget,
    /// encryption, a page that could not be rendered): the report says why.
    VisualSkipped = "visual.skipped", Warning;
    /// Part of a page cannot be compared: something that appeared after the signature
    /// cannot be drawn by the renderer (a font, an image, an appearance), or a field changed
    /// after signing has no appearance of its own. What a viewer shows there is unknown.
    VisualNotComparable = "visual.not_comparable", Error;
    /// A field changed after signing is drawn by each viewer from its value (no appearance
    /// of its own, or `/NeedAppearances`): the picture cannot say what a viewer shows; the
    /// value is in the report's field list.
    VisualViewerRebuilds = "visual.viewer_rebuilds", Warning;
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
