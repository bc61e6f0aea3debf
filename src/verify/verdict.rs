//! From findings to an indication.
//!
//! Every error-severity finding code maps to an (indication, sub-indication) pair; the most
//! serious pair wins, in this order: format, hash, signature, modification, revocation,
//! signing certificate, algorithm, validity, chain constraints, no chain, revocation status
//! unknown (try later), other. With no error finding, a signature passes only if every check
//! positively passed: coverage sound, digest and signature verified, signing certificate bound
//! (or legitimately absent), a trusted chain, and allowed modifications. Any gap in that list
//! is INDETERMINATE: doubt is never "passed".

use crate::report::{
    ChainStatus, CheckStatus, Code, CoverageStatus, Indication, Severity, SignatureReport,
    SubIndication,
};

/// Sub-indications from most to least serious.
const RANK: [SubIndication; 12] = [
    SubIndication::FormatFailure,
    SubIndication::HashFailure,
    SubIndication::SigCryptoFailure,
    SubIndication::DisallowedModification,
    SubIndication::Revoked,
    SubIndication::NoSigningCertificateFound,
    SubIndication::CryptoConstraintsFailure,
    SubIndication::OutOfBoundsNoPoe,
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
        Code::ModificationUnanalysed => (I, S::DisallowedModification),
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
        Code::RevocationRevoked => (I, S::Revoked),
        Code::RevocationUnknown | Code::NetworkBudgetExhausted => (I, S::TryLater),
        Code::ChainNoTrustAnchors | Code::ChainUntrusted => (I, S::NoCertificateChainFound),
        // A timestamp that proves nothing leaves the signature's time unproven: the
        // signature cannot pass, but it is not shown to be forged either.
        Code::TspCertificateUnusable => (I, S::ChainConstraintsFailure),
        Code::TspAlgorithmUnsupported => (I, S::CryptoConstraintsFailure),
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
