//! Certificates, trust anchors, certificate paths and revocation.
//!
//! [`TrustStore`] holds the anchors a deployment accepts (from files, directories and trust
//! profiles, each anchor optionally limited to purposes). [`PathValidator`] builds and
//! validates a path from a target certificate to one of them at an explicit
//! [`ValidationTime`]: RFC 5280 §6.1 (signatures, validity, name chaining per §7.1, basic
//! constraints, key usage, name constraints, certificate policies with mappings and the
//! initial policy inputs, unknown critical extensions), the purpose of the target, an
//! [`AlgorithmPolicy`], and revocation from CRLs (§6.3: distribution points, indirect and
//! delta CRLs, reason partitions, CRL signer paths) and OCSP responses (RFC 6960, delegated
//! responders), as a [`RevocationPolicy`] requires per certificate role.

mod algorithm_policy;
mod cache;
mod cert;
mod extensions;
mod fetch;
mod name;
mod network_budget;
mod options;
mod path;
pub mod profiles;
mod revocation;
mod trust;

pub use algorithm_policy::{AlgorithmPolicy, AlgorithmVerdict};
pub use cache::{
    CacheStats, VerificationCache, DEFAULT_CERTIFICATE_CAPACITY, DEFAULT_SIGNATURE_CAPACITY,
};
pub use cert::{
    format_name, CertError, Certificate, DistributionPoint, DistributionPointName, ExtensionEntry,
    ExtensionState, KeyUsageBits, NameConstraints,
};
pub use extensions::{
    check_extensions, rule_for, Criticality, ExtensionRule, CERTIFICATE_EXTENSIONS,
};
pub use fetch::{FetchError, FetchLimits, Fetcher, SharedFetcher};
pub use name::GeneralName;
pub use network_budget::{BudgetLimit, MeteredFetcher, NetworkBudget, NetworkMeter, NetworkUsage};
pub use options::{
    AnchorValidity, CertificateProfile, DeltaCrls, EkuPolicy, FetchScope, Freshness,
    KeyCompromiseRule, NoncePolicy, PathBudget, PolicySettings, Purpose, RevocationMode,
    RevocationPolicy, ValidationPolicy, EKU_ADOBE_AUTHENTIC_DOCUMENTS, EKU_ANY,
    EKU_DOCUMENT_SIGNING, EKU_EMAIL_PROTECTION, EKU_MICROSOFT_DOCUMENT_SIGNING, EKU_OCSP_SIGNING,
    EKU_TIME_STAMPING,
};
pub use path::{CandidateReport, PathOutcome, PathValidator, ValidationTime, ANY_POLICY};
pub use profiles::TrustProfileError;
pub(crate) use revocation::OCSP_UNKNOWN;
pub use revocation::{
    add_other_revocation_info, add_revocation_info_archival, build_request, CertId, Crl, CrlEntry,
    CrlError, IssuingDistributionPoint, OcspError, OcspResponse, OcspStatus, Origin, ResponderId,
    RevocationData, SingleResponse, ALL_REASONS, MAX_CRL_BYTES, MAX_OCSP_BYTES,
    MAX_REVOCATION_ITEMS,
};
pub use trust::{certificates_from_pem_or_der, TrustAnchor, TrustStore, MAX_ANCHORS};
