//! From findings to an indication.
//!
//! Every error-severity finding code maps to an (indication, sub-indication) pair; the most
//! serious pair wins, in this order: format, hash, signature, modification, revocation,
//! signing certificate, algorithm, validity, chain constraints, no chain, revocation status
//! unknown (try later), other. With no error finding, a signature passes only if every check
//! positively passed: coverage sound, digest and signature verified, signing certificate bound
//! (or legitimately absent), a trusted chain, and allowed modifications. Any gap in that list
//! is INDETERMINATE: doubt is never "passed".
//!
//! Every pair produced is one of ETSI EN 319 102-1 §5.1.3 Table 5 ([`TABLE_5`], checked by
//! the tests below). A revoked certificate is INDETERMINATE/REVOKED_NO_POE (the signer,
//! §5.2.6) or REVOKED_CA_NO_POE (a CA, §5.6.2.4) unless a proof of existence of the signature
//! before the revocation exists, in which case the path validator reports the revocation as
//! a warning (`revocation.revoked_after_signing`) and the signature is not failed by it.
//! TOTAL-FAILED/REVOKED needs a proof that the signature was made *after* the revocation: a
//! valid content timestamp later than the signer's revocation (§5.2.6,
//! `revocation.revoked_before_content_timestamp`); it is produced only then.

#[cfg(test)]
use crate::report::TABLE_5;
use crate::report::{
    ChainStatus, CheckStatus, Code, CoverageStatus, Indication, Severity, SignatureReport,
    SubIndication,
};

/// Sub-indications from most to least serious.
const RANK: [SubIndication; 16] = [
    SubIndication::FormatFailure,
    SubIndication::HashFailure,
    SubIndication::SigCryptoFailure,
    SubIndication::DisallowedModification,
    SubIndication::Revoked,
    SubIndication::RevokedNoPoe,
    SubIndication::RevokedCaNoPoe,
    SubIndication::NoSigningCertificateFound,
    SubIndication::CryptoConstraintsFailure,
    SubIndication::OutOfBoundsNoPoe,
    SubIndication::NoPoe,
    SubIndication::TimestampOrderFailure,
    SubIndication::ChainConstraintsFailure,
    SubIndication::NoCertificateChainFound,
    SubIndication::TryLater,
    SubIndication::Generic,
];

/// The verdict an error finding with this code leads to.
pub fn consequence(code: Code) -> (Indication, SubIndication) {
    use Indication::{Indeterminate as I, TotalFailed as F};
    use SubIndication as S;
    match code {
        Code::ByteRangeMalformed
        | Code::ByteRangeNotFromStart
        | Code::ByteRangeOutsideFile
        | Code::ByteRangeOverlap
        | Code::ByteRangeGapMismatch
        | Code::CoveragePartial
        | Code::SigContentsMissing
        | Code::SigContentsNotHex
        | Code::SigDictMalformed
        | Code::SigSharedByFields
        | Code::CmsMalformed
        | Code::CmsSignerCount
        | Code::CmsEncapsulatedContent
        | Code::IntegrityDigestMissing
        | Code::IntegrityContentTypeMismatch
        | Code::DetachedNoContent => (F, S::FormatFailure),
        Code::IntegrityDigestMismatch | Code::DetachedContentMismatch => (F, S::HashFailure),
        Code::IntegritySignatureInvalid => (F, S::SigCryptoFailure),
        Code::ModificationDisallowed
        | Code::ModificationStructure
        | Code::ModificationDocMdpViolation
        | Code::ModificationFieldLocked
        | Code::ModificationNewVisibleSignatureField => (F, S::DisallowedModification),
        // A pixel comparison is evidence, not proof (renderers differ): doubt, never a pass.
        Code::ModificationUnanalysed | Code::VisualContentChanged | Code::VisualNotComparable => {
            (I, S::DisallowedModification)
        }
        Code::IntegritySignerCertMissing
        | Code::IntegritySigningCertMismatch
        | Code::IntegritySigningCertMissing => (I, S::NoSigningCertificateFound),
        Code::IntegrityAlgorithmUnsupported | Code::SigSubFilterUnsupported => {
            (I, S::CryptoConstraintsFailure)
        }
        Code::ChainCertificateExpired | Code::ChainCertificateNotYetValid => {
            (I, S::OutOfBoundsNoPoe)
        }
        Code::ChainSignatureInvalid
        | Code::ChainIssuerNotCa
        | Code::ChainSignerKeyUsage
        | Code::ChainCertificateMalformed
        | Code::ChainPathLength
        | Code::ChainUnknownCriticalExtension
        | Code::ChainBudgetExhausted
        | Code::ChainNameConstraints
        | Code::ChainPolicy
        | Code::ChainExtensionMalformed
        | Code::ChainExtendedKeyUsage
        | Code::ChainAnchorPurpose
        | Code::ChainAnchorArchival
        | Code::ChainProfileKeyCertSignNotCa
        | Code::ChainProfileCaWithoutSki
        | Code::ChainProfileMissingAki
        | Code::ChainProfileEmptySubject
        | Code::ChainProfileSanSyntax
        | Code::ChainProfileSerialNumber
        | Code::ChainProfilePathLenNotCa
        | Code::ChainProfilePolicyConstraintsNotCritical
        | Code::RevocationSignerNotAuthorized => (I, S::ChainConstraintsFailure),
        Code::ChainAlgorithmRefused | Code::IntegrityAlgorithmRefused => {
            (I, S::CryptoConstraintsFailure)
        }
        // EN 319 102-1 §5.2.6 / §5.6.2.4: revoked with no proof of existence before the
        // revocation (a revocation after the best-signature-time is a warning, not this code).
        Code::RevocationRevoked => (I, S::RevokedNoPoe),
        Code::RevocationCaRevoked => (I, S::RevokedCaNoPoe),
        Code::RevocationUnknown | Code::NetworkBudgetExhausted => (I, S::TryLater),
        Code::ChainNoTrustAnchors | Code::ChainUntrusted => (I, S::NoCertificateChainFound),
        // A timestamp that proves nothing leaves the signature's time unproven: the
        // signature cannot pass, but it is not shown to be forged either.
        Code::TspCertificateUnusable => (I, S::ChainConstraintsFailure),
        Code::TspAlgorithmUnsupported => (I, S::CryptoConstraintsFailure),
        // EN 319 102-1 §5.6.3: the newest timestamp no longer validates at the validation
        // time (its authority is out of bounds, no later proof), or an older one was not
        // protected before its authority expired.
        Code::TspAuthorityExpired => (I, S::OutOfBoundsNoPoe),
        Code::TspRenewedTooLate => (I, S::NoPoe),
        Code::TspContentAfterProof => (I, S::TimestampOrderFailure),
        Code::RevocationRevokedBeforeContentTimestamp => (F, S::Revoked),
        _ => (I, S::Generic),
    }
}

/// Sets `r.indication` and `r.sub_indication` from what the checks recorded.
pub fn decide(r: &mut SignatureReport) {
    let mut worst: Option<(Indication, SubIndication)> = None;
    for f in r.findings.iter().filter(|f| f.severity == Severity::Error) {
        let (ind, sub) = consequence(f.code);
        let rank = |s: SubIndication| RANK.iter().position(|x| *x == s).unwrap_or(RANK.len());
        let better = match worst {
            None => true,
            Some((_, w)) => rank(sub) < rank(w),
        };
        if better {
            worst = Some((ind, sub));
        }
    }
    if let Some((ind, sub)) = worst {
        r.indication = ind;
        r.sub_indication = Some(sub);
        return;
    }
    let signing_cert_ok = matches!(
        r.integrity.signing_certificate,
        CheckStatus::Passed | CheckStatus::NotPresent
    );
    let all_passed = matches!(
        r.coverage.status,
        CoverageStatus::EntireFile | CoverageStatus::EntireRevision
    ) && r.integrity.digest == CheckStatus::Passed
        && r.integrity.signature == CheckStatus::Passed
        && signing_cert_ok
        && r.chain.status == ChainStatus::Trusted
        && r.modifications.allowed;
    if all_passed {
        r.indication = Indication::TotalPassed;
        r.sub_indication = None;
    } else {
        r.indication = Indication::Indeterminate;
        r.sub_indication = Some(SubIndication::Generic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ETSI EN 319 102-1 §5.1.3, Table 5: every (indication, sub-indication) pair the
    /// verdict can produce — the consequence of each error code and the fallback of
    /// `decide` — is a pair of the table (or kyso's one named PDF refinement,
    /// DISALLOWED_MODIFICATION, §5.2.2).
    #[test]
    fn en_319_102_1_table_5_every_produced_pair_is_in_the_table() {
        let mut produced: Vec<(Indication, SubIndication)> = Code::ALL
            .iter()
            .filter(|c| c.severity() == Severity::Error)
            .map(|c| consequence(*c))
            .collect();
        produced.push((Indication::Indeterminate, SubIndication::Generic));
        for pair in &produced {
            assert!(TABLE_5.contains(pair), "{pair:?} is not a pair of Table 5");
        }
        // The revocation cases of §5.2.6 / §5.6.2.4.
        assert_eq!(
            consequence(Code::RevocationRevoked),
            (Indication::Indeterminate, SubIndication::RevokedNoPoe)
        );
        assert_eq!(
            consequence(Code::RevocationCaRevoked),
            (Indication::Indeterminate, SubIndication::RevokedCaNoPoe)
        );
        // A warning never decides.
        assert_eq!(
            Code::RevocationRevokedAfterSigning.severity(),
            Severity::Warning
        );
    }

    /// Table 5 pairs REVOKED with TOTAL-FAILED only and the *_NO_POE forms with
    /// INDETERMINATE only; every sub-indication kyso can spell has its pair in the table
    /// and a rank in the verdict.
    #[test]
    fn en_319_102_1_table_5_pairs_each_sub_indication_with_its_indication() {
        use SubIndication as S;
        let every = [
            S::FormatFailure,
            S::HashFailure,
            S::SigCryptoFailure,
            S::Revoked,
            S::RevokedNoPoe,
            S::RevokedCaNoPoe,
            S::NoSigningCertificateFound,
            S::NoCertificateChainFound,
            S::ChainConstraintsFailure,
            S::CryptoConstraintsFailure,
            S::OutOfBoundsNoPoe,
            S::DisallowedModification,
            S::NoPoe,
            S::TryLater,
            S::TimestampOrderFailure,
            S::Generic,
        ];
        for s in every {
            // Exhaustive: a new sub-indication must be listed above.
            match s {
                S::FormatFailure
                | S::HashFailure
                | S::SigCryptoFailure
                | S::Revoked
                | S::RevokedNoPoe
                | S::RevokedCaNoPoe
                | S::NoSigningCertificateFound
                | S::NoCertificateChainFound
                | S::ChainConstraintsFailure
                | S::CryptoConstraintsFailure
                | S::OutOfBoundsNoPoe
                | S::DisallowedModification
                | S::NoPoe
                | S::TryLater
                | S::TimestampOrderFailure
                | S::Generic => {}
            }
            assert!(TABLE_5.iter().any(|(_, t)| *t == s), "{s:?}");
            assert!(RANK.contains(&s), "{s:?}");
        }
        for (ind, sub) in TABLE_5 {
            assert_ne!(*ind, Indication::TotalPassed);
            match sub {
                S::Revoked | S::HashFailure | S::SigCryptoFailure | S::FormatFailure => {
                    assert_eq!(*ind, Indication::TotalFailed, "{sub:?}")
                }
                S::RevokedNoPoe
                | S::RevokedCaNoPoe
                | S::OutOfBoundsNoPoe
                | S::NoPoe
                | S::TryLater
                | S::TimestampOrderFailure
                | S::Generic => assert_eq!(*ind, Indication::Indeterminate, "{sub:?}"),
                _ => {}
            }
        }
    }

    #[test]
    fn every_error_code_has_a_non_passing_consequence() {
        for code in Code::ALL {
            if code.severity() == Severity::Error {
                let (ind, _) = consequence(*code);
                assert_ne!(ind, Indication::TotalPassed, "{code:?}");
            }
        }
    }
}
