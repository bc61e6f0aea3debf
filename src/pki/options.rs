//! What a path must satisfy: purpose, certificate policies, revocation and algorithms, as
//! named settings (no bare booleans where a mode has more than two meanings).

use time::Duration;

use super::algorithm_policy::AlgorithmPolicy;

/// What the target certificate is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Purpose {
    /// No purpose check on the target (NIST PKITS, chain inspection).
    Any,
    /// Signing documents: keyUsage digitalSignature or nonRepudiation, an accepted extended
    /// key usage ([`EkuPolicy`]).
    DocumentSigning,
    /// A timestamping authority (RFC 3161 §2.3): extendedKeyUsage id-kp-timeStamping, alone
    /// and critical.
    Timestamping,
    /// A CRL issuer (RFC 5280 §6.3.3 (f)): keyUsage, when present, includes cRLSign.
    CrlSigning,
}

impl Purpose {
    /// The spelling used on the command line and in trust profiles.
    pub fn as_str(&self) -> &'static str {
        match self {
            Purpose::Any => "any",
            Purpose::DocumentSigning => "document-signing",
            Purpose::Timestamping => "timestamping",
            Purpose::CrlSigning => "crl-signing",
        }
    }

    /// Parses [`Purpose::as_str`]'s spelling.
    pub fn parse(s: &str) -> Option<Purpose> {
        [
            Purpose::Any,
            Purpose::DocumentSigning,
            Purpose::Timestamping,
            Purpose::CrlSigning,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// id-kp-documentSigning (RFC 9336).
pub const EKU_DOCUMENT_SIGNING: &str = "1.3.6.1.5.5.7.3.36";
/// id-kp-emailProtection (RFC 5280 §4.2.1.12).
pub const EKU_EMAIL_PROTECTION: &str = "1.3.6.1.5.5.7.3.4";
/// Adobe Authentic Documents Trust (Adobe's PDF signing OID).
pub const EKU_ADOBE_AUTHENTIC_DOCUMENTS: &str = "1.2.840.113583.1.1.5";
/// Microsoft document signing (szOID_KP_DOCUMENT_SIGNING), common in Windows-issued
/// certificates.
pub const EKU_MICROSOFT_DOCUMENT_SIGNING: &str = "1.3.6.1.4.1.311.10.3.12";
/// anyExtendedKeyUsage.
pub const EKU_ANY: &str = "2.5.29.37.0";
/// id-kp-timeStamping.
pub const EKU_TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";
/// id-kp-OCSPSigning.
pub const EKU_OCSP_SIGNING: &str = "1.3.6.1.5.5.7.3.9";

/// Which extended key usages a document signer's certificate may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EkuPolicy {
    /// Accepted OIDs: the certificate needs at least one of them when it has the extension.
    pub accepted: Vec<String>,
    /// Whether a certificate without the extension is accepted (RFC 5280: no restriction).
    pub allow_absent: bool,
}

impl Default for EkuPolicy {
    /// document-signing (RFC 9336), emailProtection, Adobe's and Microsoft's document signing
    /// OIDs, anyExtendedKeyUsage, or no extension at all.
    ///
    /// Why these: RFC 9336 defines the document-signing purpose; emailProtection is the
    /// signing purpose most personal certificates carry (S/MIME-style profiles, including the
    /// public CAs' certificates used for PDF signing); Adobe's and Microsoft's OIDs are put on
    /// certificates issued for PDF and Office signing; anyExtendedKeyUsage allows every
    /// purpose (RFC 5280 §4.2.1.12). A certificate whose extension lists only other purposes
    /// (serverAuth, clientAuth, codeSigning, …) is refused, since §4.2.1.12 says it "MUST only
    /// be used for one of the purposes indicated".
    fn default() -> Self {
        EkuPolicy {
            accepted: [
                EKU_DOCUMENT_SIGNING,
                EKU_EMAIL_PROTECTION,
                EKU_ADOBE_AUTHENTIC_DOCUMENTS,
                EKU_MICROSOFT_DOCUMENT_SIGNING,
                EKU_ANY,
            ]
            .iter()
            .map(|s| (*s).to_string())
            .collect(),
            allow_absent: true,
        }
    }
}

/// The RFC 5280 §6.1.1 inputs about certificate policies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PolicySettings {
    /// user-initial-policy-set; `None` is any-policy.
    pub initial_policy_set: Option<Vec<String>>,
    /// initial-explicit-policy.
    pub initial_explicit_policy: bool,
    /// initial-policy-mapping-inhibit.
    pub initial_policy_mapping_inhibit: bool,
    /// initial-any-policy-inhibit.
    pub initial_any_policy_inhibit: bool,
}

/// How much revocation checking a certificate role gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RevocationMode {
    /// Status must be established (good) from a CRL or OCSP response; otherwise the path is
    /// not valid (INDETERMINATE).
    Require,
    /// Use whatever revocation data is available; "revoked" fails the path, a status that
    /// cannot be established is a warning.
    IfAvailable,
    /// Do not check.
    Off,
}

impl RevocationMode {
    /// The command-line spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            RevocationMode::Require => "require",
            RevocationMode::IfAvailable => "if-available",
            RevocationMode::Off => "off",
        }
    }

    /// Parses [`RevocationMode::as_str`]'s spelling.
    pub fn parse(s: &str) -> Option<RevocationMode> {
        [
            RevocationMode::Require,
            RevocationMode::IfAvailable,
            RevocationMode::Off,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

/// Whether delta CRLs are consulted (RFC 5280 §6.3: use-deltas).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeltaCrls {
    /// Use a delta CRL that matches a complete CRL.
    Use,
    /// Complete CRLs only.
    Ignore,
}

/// Whether an OCSP nonce is demanded from responders kyso asks online.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoncePolicy {
    /// Send a nonce; a response that does not echo it is refused.
    Require,
    /// Send a nonce; accept a response without one (many responders pre-produce responses).
    Send,
    /// Do not send one.
    Off,
}

/// What path validation may fetch when fetching is on (`RevocationPolicy::online`).
///
/// In both scopes CRLs and OCSP responses are fetched only for the certificates of a
/// candidate path that reached a trust anchor and passed the RFC 5280 §6.1 checks: a
/// certificate that chains to no anchor never makes kyso ask its CRL or OCSP URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FetchScope {
    /// Also the issuer certificates named by caIssuers URLs (RFC 5280 §4.2.2.1) while a path
    /// is being built, when a certificate's issuer is in neither the document, the caller's
    /// certificates nor the anchors. Those URLs come from certificates that are not trusted
    /// yet, so the network policy decides where they may lead.
    IssuersAndRevocation,
    /// Revocation data only: no caIssuers URL is ever fetched, so every URL kyso asks comes
    /// from a certificate on a path to a trust anchor (issued by a CA the deployer trusts).
    /// Intermediates must be in the document or given by the caller.
    RevocationOnly,
}

/// What a revocation for key compromise (keyCompromise, cACompromise) after the time a
/// signature is proven to have existed does to that signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum KeyCompromiseRule {
    /// EN 319 102-1 (§5.5.4, §5.6.2.4): like any other reason. A certificate revoked after
    /// the best-signature-time still supports the signature (`revocation.revoked_after_signing`,
    /// a warning); revoked before it, the signature is INDETERMINATE/REVOKED_NO_POE.
    Standard,
    /// A deviation from EN 319 102-1: a revocation for key compromise invalidates every
    /// signature made with the key, even one proven to exist before the revocation (the
    /// compromise may predate its report). Such a signature is INDETERMINATE/REVOKED_NO_POE
    /// (REVOKED_CA_NO_POE for a CA).
    InvalidatesEarlierSignatures,
}

impl KeyCompromiseRule {
    /// The spelling of policy files.
    pub fn as_str(&self) -> &'static str {
        match self {
            KeyCompromiseRule::Standard => "standard",
            KeyCompromiseRule::InvalidatesEarlierSignatures => "invalidates-earlier-signatures",
        }
    }
}

/// How recent revocation data must be relative to the time it is used for (EN 319 102-1
/// §5.2.5, "maximum accepted revocation freshness"), per certificate role: data whose
/// thisUpdate is further than this before the time the status is needed for is not used.
/// `None`: no limit besides the data's own nextUpdate (and `max_ocsp_age` without one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Freshness {
    /// The target certificate of a document signer's path.
    pub signer: Option<Duration>,
    /// The target certificate of a timestamp authority's path.
    pub timestamp_authority: Option<Duration>,
    /// CA certificates (every path).
    pub ca: Option<Duration>,
}

/// Revocation checking, per certificate role.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevocationPolicy {
    /// The target certificate (the signer).
    pub end_entity: RevocationMode,
    /// Intermediate CA certificates (trust anchors are never checked).
    pub intermediates: RevocationMode,
    /// Delta CRLs.
    pub delta_crls: DeltaCrls,
    /// How old an OCSP response without nextUpdate may be, relative to the validation time.
    pub max_ocsp_age: Duration,
    /// Tolerance for clocks: thisUpdate may be this far after the validation time... and
    /// nextUpdate this far before it.
    pub clock_skew: Duration,
    /// OCSP nonce, for online requests.
    pub nonce: NoncePolicy,
    /// Fetch CRLs, OCSP responses and issuer certificates over the network (needs a
    /// fetcher: the `online` feature's `HttpFetcher` or the caller's own).
    pub online: bool,
    /// What may be fetched when `online` is set.
    pub fetch_scope: FetchScope,
    /// What a revocation for key compromise after the best-signature-time means.
    pub key_compromise: KeyCompromiseRule,
    /// How recent revocation data must be, per role.
    pub freshness: Freshness,
}

impl RevocationPolicy {
    /// Every role in `mode`, the other settings default.
    pub fn all(mode: RevocationMode) -> Self {
        RevocationPolicy {
            end_entity: mode,
            intermediates: mode,
            ..RevocationPolicy::default()
        }
    }
}

impl Default for RevocationPolicy {
    /// If available for every role (a warning when nothing could be checked), delta CRLs used,
    /// OCSP responses without nextUpdate accepted for 7 days, 5 minutes of clock skew, nonce
    /// sent but not required, offline (when online: issuers and revocation data,
    /// [`FetchScope::IssuersAndRevocation`]), key compromise as EN 319 102-1 treats it
    /// ([`KeyCompromiseRule::Standard`]), no freshness limit besides the data's own.
    fn default() -> Self {
        RevocationPolicy {
            end_entity: RevocationMode::IfAvailable,
            intermediates: RevocationMode::IfAvailable,
            delta_crls: DeltaCrls::Use,
            max_ocsp_age: Duration::days(7),
            clock_skew: Duration::minutes(5),
            nonce: NoncePolicy::Send,
            online: false,
            fetch_scope: FetchScope::IssuersAndRevocation,
            key_compromise: KeyCompromiseRule::Standard,
            freshness: Freshness::default(),
        }
    }
}

/// Limits on path building.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PathBudget {
    /// Longest path, anchor included.
    pub max_depth: usize,
    /// Most certificate-signature checks in one validation (CRL signer paths included).
    pub max_signature_checks: usize,
    /// Most complete candidate paths judged in one validation.
    pub max_candidates: usize,
    /// How deeply revocation checks may nest (a CRL signer's own path and revocation).
    pub max_revocation_depth: usize,
    /// Most network fetches in one validation.
    pub max_fetches: usize,
}

impl Default for PathBudget {
    fn default() -> Self {
        PathBudget {
            max_depth: 10,
            max_signature_checks: 200,
            max_candidates: 32,
            max_revocation_depth: 3,
            max_fetches: 16,
        }
    }
}

/// Everything a path must satisfy, besides the trust anchors and the time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationPolicy {
    /// The target's purpose.
    pub purpose: Purpose,
    /// Accepted extended key usages for [`Purpose::DocumentSigning`].
    pub eku: EkuPolicy,
    /// Certificate policy inputs.
    pub policies: PolicySettings,
    /// Revocation.
    pub revocation: RevocationPolicy,
    /// Algorithms and key sizes.
    pub algorithms: AlgorithmPolicy,
    /// Search limits.
    pub budget: PathBudget,
    /// Whether a trust anchor outside its own validity period may end a path.
    pub anchor_validity: AnchorValidity,
    /// How RFC 5280's certificate profile rules weigh (see [`CertificateProfile`]).
    pub certificate_profile: CertificateProfile,
}

/// How the certificate profile checks of RFC 5280 weigh: the rules a conforming CA follows
/// that path processing does not need (keyCertSign only in CA certificates, key identifiers,
/// serial numbers, SAN syntax, ...; the table is in `kyso::pki` docs and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CertificateProfile {
    /// Each broken rule is a warning (`chain.profile_*`): field certificates are often sloppy
    /// and still honest.
    #[default]
    Default,
    /// Each broken rule is an error that fails the path, as `openssl verify -x509_strict`
    /// does for most of them.
    Strict,
}

impl CertificateProfile {
    /// `strict` or `default`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "strict" => Some(CertificateProfile::Strict),
            "default" => Some(CertificateProfile::Default),
            _ => None,
        }
    }
}

/// What a trust anchor's own validity period means for the paths it ends (RFC 5937 §2: a
/// certificate anchor's contents may constrain the path; RFC 5280 §6.1.1 (d) leaves its
/// validity to the relying party).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AnchorValidity {
    /// An anchor not yet valid, or expired, at the time the path is validated fails the path
    /// (`chain.certificate_expired` / `chain.certificate_not_yet_valid`), unless it is kept
    /// for archival validation ([`crate::pki::TrustAnchor::archival_until`]). The default,
    /// as OpenSSL, Go and rustls-webpki apply it.
    #[default]
    Enforce,
    /// The anchor's validity is reported (`chain.anchor_expired`, a warning) and the path goes
    /// on: for deployments that trust a root beyond its dates on purpose.
    Report,
}

impl ValidationPolicy {
    /// Document signing with the defaults of every setting.
    pub fn document_signing() -> Self {
        ValidationPolicy {
            purpose: Purpose::DocumentSigning,
            eku: EkuPolicy::default(),
            policies: PolicySettings::default(),
            revocation: RevocationPolicy::default(),
            algorithms: AlgorithmPolicy::default(),
            budget: PathBudget::default(),
            anchor_validity: AnchorValidity::default(),
            certificate_profile: CertificateProfile::default(),
        }
    }

    /// The same policy for another purpose.
    pub fn with_purpose(mut self, purpose: Purpose) -> Self {
        self.purpose = purpose;
        self
    }
}

impl Default for ValidationPolicy {
    fn default() -> Self {
        Self::document_signing()
    }
}
