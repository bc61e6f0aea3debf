//! The signature validation policy: the constraints of ETSI EN 319 102-1 (§5.1.4) that kyso
//! lets a deployment choose, as one object the library takes ([`Policy`]) and a JSON file
//! the command line reads (`kyso verify --validation-policy FILE|NAME`).
//!
//! Shipped policies: [`Policy::etsi`] (the standard's behaviour, the default),
//! [`Policy::offline_archive`] (the office's house policy for offline archive checks; each
//! of its deviations is named by [`Policy::deviations`]) and [`Policy::etsi_visual`] (the
//! standard plus the visual comparison, [`Policy::visual`]). A file starts from one of them
//! (`"base"`, `etsi` when absent) and overrides settings:
//!
//! ```json
//! {
//!   "name": "so-noi-vu",
//!   "base": "etsi",
//!   "key_compromise": "invalidates-earlier-signatures",
//!   "newest_authority_status": "embedded-allowed",
//!   "freshness_hours": { "signer": 168, "timestamp_authority": 168, "ca": 720 },
//!   "algorithms": {
//!     "min_rsa_bits": 3072,
//!     "digest_cutoffs": { "SHA-1": "2016-01-01", "SHA-224": "2029-12-31" },
//!     "rsa_legacy": [ { "min_bits": 2048, "before": "2031-01-01" } ]
//!   },
//!   "visual": true
//! }
//! ```
//!
//! `algorithms` sets the dated algorithm constraints ([`AlgorithmPolicy`], in the spirit of
//! ETSI TS 119 312 and the EU DSS cryptographic constraints), starting from its own `"base"`
//! (`"default"`, the dates of [`AlgorithmPolicy::default`], or `"permissive"`); each key
//! given replaces the base's value whole. A date is `YYYY-MM-DD` (the start of that day in
//! UTC) or RFC 3339. A file is at most 64 KiB; unknown keys, names and values are refused,
//! never ignored (the whole file is refused).
//!
//! Revocation *modes* (`require`, `if-available`, `off` per role) stay where they are
//! ([`crate::pki::RevocationPolicy`], `--revocation`): the policy holds what the long-term
//! validation process decides.

use std::path::Path;

use serde::Deserialize;
use time::Duration;

use crate::crypto::DigestAlgorithm;
use crate::pki::{AlgorithmPolicy, Freshness, KeyCompromiseRule, ValidationPolicy};

/// Largest policy file read.
const MAX_POLICY_FILE: u64 = 64 * 1024;

/// Whether the newest timestamp authority's status at the validation time may come from the
/// revocation data embedded at its own time (EN 319 102-1 §5.2.5, §5.6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum NewestAuthorityStatus {
    /// The standard: the newest authority's path is validated at the validation time, with
    /// revocation data that is fresh then (fetched with `--online`, given by the caller, or
    /// embedded and not yet past its nextUpdate). Without it, the revocation mode decides
    /// (`require`: INDETERMINATE/TRY_LATER; `if-available`: a warning).
    FreshOnly,
    /// A deviation: when no fresh data establishes the newest authority's status, the
    /// status its embedded data gave at the timestamp's own time is accepted, with the
    /// warning `timestamp.authority_status_from_embedded_data` (offline archive checks).
    EmbeddedAllowed,
}

impl NewestAuthorityStatus {
    /// The spelling of policy files.
    pub fn as_str(&self) -> &'static str {
        match self {
            NewestAuthorityStatus::FreshOnly => "fresh-only",
            NewestAuthorityStatus::EmbeddedAllowed => "embedded-allowed",
        }
    }
}

/// A signature validation policy (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy {
    /// Its name, shown in the report's findings and by `kyso verify --validation-policy`.
    pub name: String,
    /// What a key-compromise revocation after the best-signature-time means.
    pub key_compromise: KeyCompromiseRule,
    /// How recent revocation data must be, per role (§5.2.5).
    pub freshness: Freshness,
    /// Where the newest authority's current status may come from.
    pub newest_authority_status: NewestAuthorityStatus,
    /// Algorithm constraints with dates, when the policy sets them (the path validator's
    /// [`AlgorithmPolicy`]); `None` leaves the validator's own.
    pub algorithms: Option<AlgorithmPolicy>,
    /// Whether the tools verifying under this policy also compare each signed revision with
    /// the final document as rendered (`kyso::visual`, feature `visual`: `kyso verify`, the
    /// service's `/v1/verify`): a house rule beyond EN 319 102-1, under which a visible change
    /// of signed page content that no permitted change explains is
    /// INDETERMINATE/DISALLOWED_MODIFICATION. [`crate::verify::verify_bytes`] itself never
    /// renders: a library caller runs `kyso::visual::examine` when this is set.
    pub visual: bool,
}

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The file could not be read.
    #[error("cannot read the policy file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is larger than a policy can be.
    #[error("the policy file {path} is larger than {MAX_POLICY_FILE} bytes")]
    TooLarge {
        /// The file.
        path: String,
    },
    /// The file is not a policy (JSON syntax, an unknown key, a wrong value).
    #[error("not a valid policy: {0}")]
    Invalid(String),
    /// No shipped policy has this name.
    #[error("no shipped policy is named \"{0}\" (shipped: etsi, offline-archive, etsi-visual)")]
    UnknownName(String),
    /// A setting kyso does not support yet.
    #[error("the policy sets {0}, which kyso does not support in policy files yet")]
    Unsupported(&'static str),
}

/// The policy file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    name: Option<String>,
    base: Option<String>,
    key_compromise: Option<KeyCompromiseRule>,
    newest_authority_status: Option<NewestAuthorityStatus>,
    freshness_hours: Option<FreshnessHours>,
    algorithms: Option<AlgorithmsFile>,
    visual: Option<bool>,
}

/// The `algorithms` section as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlgorithmsFile {
    base: Option<String>,
    min_rsa_bits: Option<usize>,
    digest_cutoffs: Option<std::collections::BTreeMap<String, String>>,
    rsa_legacy: Option<Vec<RsaLegacyFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RsaLegacyFile {
    min_bits: usize,
    before: String,
}

/// Smallest and largest RSA modulus a policy may name, in bits.
const RSA_BITS: std::ops::RangeInclusive<usize> = 512..=16384;

/// Most dated entries (digests, RSA tiers) in one policy.
const MAX_DATED_ENTRIES: usize = 32;

/// A policy date: `YYYY-MM-DD` (midnight UTC) or RFC 3339.
fn policy_date(what: &str, text: &str) -> Result<time::OffsetDateTime, PolicyError> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(t);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &fmt)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| {
            PolicyError::Invalid(format!(
                "{what}: \"{text}\" is not a date (YYYY-MM-DD or RFC 3339)"
            ))
        })
}

impl AlgorithmsFile {
    fn policy(self) -> Result<AlgorithmPolicy, PolicyError> {
        let mut a = match self.base.as_deref().unwrap_or("default") {
            "default" => AlgorithmPolicy::default(),
            "permissive" => AlgorithmPolicy::permissive(),
            other => {
                return Err(PolicyError::Invalid(format!(
                    "algorithms.base: \"{other}\" is not \"default\" or \"permissive\""
                )))
            }
        };
        if let Some(bits) = self.min_rsa_bits {
            if !RSA_BITS.contains(&bits) {
                return Err(PolicyError::Invalid(format!(
                    "algorithms.min_rsa_bits: {bits} is outside {}..={}",
                    RSA_BITS.start(),
                    RSA_BITS.end()
                )));
            }
            a.min_rsa_bits = bits;
        }
        if let Some(cutoffs) = self.digest_cutoffs {
            if cutoffs.len() > MAX_DATED_ENTRIES {
                return Err(PolicyError::Invalid(format!(
                    "algorithms.digest_cutoffs: more than {MAX_DATED_ENTRIES} entries"
                )));
            }
            a.digest_cutoffs = Vec::new();
            for (name, date) in cutoffs {
                let digest = DigestAlgorithm::ALL
                    .into_iter()
                    .find(|d| d.name().eq_ignore_ascii_case(&name))
                    .ok_or_else(|| {
                        PolicyError::Invalid(format!(
                            "algorithms.digest_cutoffs: unknown digest \"{name}\" (known: {})",
                            DigestAlgorithm::ALL.map(|d| d.name()).join(", ")
                        ))
                    })?;
                let what = format!("algorithms.digest_cutoffs.{name}");
                if a.digest_cutoffs.iter().any(|(d, _)| *d == digest) {
                    return Err(PolicyError::Invalid(format!(
                        "algorithms.digest_cutoffs: {} is named twice",
                        digest.name()
                    )));
                }
                a.digest_cutoffs.push((digest, policy_date(&what, &date)?));
            }
            // In date order, as the default lists them.
            a.digest_cutoffs.sort_by_key(|(_, t)| *t);
        }
        if let Some(tiers) = self.rsa_legacy {
            if tiers.len() > MAX_DATED_ENTRIES {
                return Err(PolicyError::Invalid(format!(
                    "algorithms.rsa_legacy: more than {MAX_DATED_ENTRIES} entries"
                )));
            }
            a.rsa_legacy = Vec::new();
            for t in tiers {
                if !RSA_BITS.contains(&t.min_bits) {
                    return Err(PolicyError::Invalid(format!(
                        "algorithms.rsa_legacy: min_bits {} is outside {}..={}",
                        t.min_bits,
                        RSA_BITS.start(),
                        RSA_BITS.end()
                    )));
                }
                a.rsa_legacy
                    .push((t.min_bits, policy_date("algorithms.rsa_legacy", &t.before)?));
            }
        }
        Ok(a)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FreshnessHours {
    signer: Option<u32>,
    timestamp_authority: Option<u32>,
    ca: Option<u32>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::etsi()
    }
}

impl Policy {
    /// The names of the shipped policies.
    pub const SHIPPED: &'static [&'static str] = &["etsi", "offline-archive", "etsi-visual"];

    /// ETSI EN 319 102-1's behaviour: a key-compromise revocation is like any other
    /// (§5.6.2.4), no freshness limit beyond the data's own nextUpdate, the newest
    /// authority's current status only from fresh data (§5.2.5, §5.6.3).
    pub fn etsi() -> Self {
        Policy {
            name: "etsi".into(),
            key_compromise: KeyCompromiseRule::Standard,
            freshness: Freshness::default(),
            newest_authority_status: NewestAuthorityStatus::FreshOnly,
            algorithms: None,
            visual: false,
        }
    }

    /// The office's policy for checking archives offline, with two deviations from
    /// [`Policy::etsi`]: the newest authority's status may come from embedded data (with a
    /// warning), and a key-compromise revocation invalidates earlier signatures too.
    pub fn offline_archive() -> Self {
        Policy {
            name: "offline-archive".into(),
            key_compromise: KeyCompromiseRule::InvalidatesEarlierSignatures,
            newest_authority_status: NewestAuthorityStatus::EmbeddedAllowed,
            ..Policy::etsi()
        }
    }

    /// [`Policy::etsi`] with the visual comparison ([`Policy::visual`]): for offices that
    /// receive documents signed elsewhere and want the pages' pixels checked too.
    pub fn etsi_visual() -> Self {
        Policy {
            name: "etsi-visual".into(),
            visual: true,
            ..Policy::etsi()
        }
    }

    /// A shipped policy by name.
    pub fn named(name: &str) -> Result<Self, PolicyError> {
        match name {
            "etsi" => Ok(Policy::etsi()),
            "offline-archive" => Ok(Policy::offline_archive()),
            "etsi-visual" => Ok(Policy::etsi_visual()),
            other => Err(PolicyError::UnknownName(other.to_owned())),
        }
    }

    /// A policy from its JSON form (see the module documentation).
    pub fn from_json(bytes: &[u8]) -> Result<Self, PolicyError> {
        let f: PolicyFile =
            serde_json::from_slice(bytes).map_err(|e| PolicyError::Invalid(e.to_string()))?;
        let mut p = Policy::named(f.base.as_deref().unwrap_or("etsi"))?;
        if let Some(a) = f.algorithms {
            p.algorithms = Some(a.policy()?);
        }
        if let Some(name) = f.name {
            p.name = name;
        }
        if let Some(k) = f.key_compromise {
            p.key_compromise = k;
        }
        if let Some(n) = f.newest_authority_status {
            p.newest_authority_status = n;
        }
        if let Some(v) = f.visual {
            p.visual = v;
        }
        if let Some(h) = f.freshness_hours {
            let hours = |x: Option<u32>| x.map(|h| Duration::hours(i64::from(h)));
            p.freshness.signer = hours(h.signer);
            p.freshness.timestamp_authority = hours(h.timestamp_authority);
            p.freshness.ca = hours(h.ca);
        }
        Ok(p)
    }

    /// A shipped policy's name, or a JSON policy file.
    pub fn load(name_or_path: &str) -> Result<Self, PolicyError> {
        if Policy::SHIPPED.contains(&name_or_path) {
            return Policy::named(name_or_path);
        }
        let path = Path::new(name_or_path);
        let read = |e| PolicyError::Read {
            path: path.display().to_string(),
            source: e,
        };
        let len = std::fs::metadata(path).map_err(read)?.len();
        if len > MAX_POLICY_FILE {
            return Err(PolicyError::TooLarge {
                path: path.display().to_string(),
            });
        }
        let bytes = std::fs::read(path).map_err(read)?;
        Policy::from_json(&bytes)
    }

    /// Every setting in which this policy departs from EN 319 102-1 ([`Policy::etsi`]), in
    /// words; empty for the standard's behaviour.
    pub fn deviations(&self) -> Vec<String> {
        let etsi = Policy::etsi();
        let mut out = Vec::new();
        if self.key_compromise != etsi.key_compromise {
            out.push(format!(
                "key compromise: {} (EN 319 102-1 §5.6.2.4 treats a revocation after the \
                 best-signature-time alike for every reason)",
                self.key_compromise.as_str()
            ));
        }
        if self.newest_authority_status != etsi.newest_authority_status {
            out.push(format!(
                "newest authority status: {} (EN 319 102-1 §5.2.5 wants revocation data fresh \
                 at the validation time)",
                self.newest_authority_status.as_str()
            ));
        }
        let f = &self.freshness;
        for (role, limit) in [
            ("signer", f.signer),
            ("timestamp authority", f.timestamp_authority),
            ("CA", f.ca),
        ] {
            if let Some(d) = limit {
                out.push(format!(
                    "revocation freshness for a {role}: {} hours (a constraint the standard \
                     leaves to the policy, §5.2.5)",
                    d.whole_hours()
                ));
            }
        }
        if let Some(a) = &self.algorithms {
            out.extend(algorithm_deviations(a));
        }
        if self.visual {
            out.push(
                "visual comparison: on (a house rule beyond EN 319 102-1: a visible change of \
                 signed page content that no permitted change explains is \
                 INDETERMINATE/DISALLOWED_MODIFICATION; skipped comparisons are warnings)"
                    .into(),
            );
        }
        out
    }

    /// Puts the settings the path validator reads into `v`.
    pub fn apply(&self, v: &mut ValidationPolicy) {
        v.revocation.key_compromise = self.key_compromise;
        v.revocation.freshness = self.freshness;
        if let Some(a) = &self.algorithms {
            v.algorithms = a.clone();
        }
    }
}

/// How `a` departs from the default algorithm constraints, one line each.
fn algorithm_deviations(a: &AlgorithmPolicy) -> Vec<String> {
    let d = AlgorithmPolicy::default();
    let date = |t: time::OffsetDateTime| crate::report::text::rfc3339(t);
    let mut out = Vec::new();
    if a.min_rsa_bits != d.min_rsa_bits {
        out.push(format!(
            "algorithms: RSA keys from {} bits (the default, after ETSI TS 119 312: {})",
            a.min_rsa_bits, d.min_rsa_bits
        ));
    }
    if a.digest_cutoffs != d.digest_cutoffs {
        let list = |c: &[(DigestAlgorithm, time::OffsetDateTime)]| {
            if c.is_empty() {
                return "none".to_owned();
            }
            c.iter()
                .map(|(g, t)| format!("{} from {}", g.name(), date(*t)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(format!(
            "algorithms: digests refused {} (the default: {})",
            list(&a.digest_cutoffs),
            list(&d.digest_cutoffs)
        ));
    }
    if a.rsa_legacy != d.rsa_legacy {
        let list = |c: &[(usize, time::OffsetDateTime)]| {
            if c.is_empty() {
                return "none".to_owned();
            }
            c.iter()
                .map(|(b, t)| format!("{b} bits before {}", date(*t)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(format!(
            "algorithms: smaller RSA keys accepted as legacy for {} (the default: {})",
            list(&a.rsa_legacy),
            list(&d.rsa_legacy)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped `etsi` policy has no deviation; `offline-archive` names both of its.
    #[test]
    fn shipped_policies_name_their_deviations() {
        assert!(Policy::etsi().deviations().is_empty());
        assert_eq!(Policy::default(), Policy::etsi());
        let d = Policy::offline_archive().deviations();
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].starts_with("key compromise"), "{d:?}");
        assert!(d[1].starts_with("newest authority status"), "{d:?}");
        // The visual comparison is a house rule beyond the standard: named, and set by the
        // shipped `etsi-visual` or a file's "visual": true; anything but a boolean refused.
        let v = Policy::named("etsi-visual").unwrap();
        assert!(v.visual && !Policy::etsi().visual && !Policy::offline_archive().visual);
        let d = v.deviations();
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].starts_with("visual comparison: on"), "{d:?}");
        assert!(Policy::from_json(br#"{"visual": true}"#).unwrap().visual);
        assert!(
            !Policy::from_json(br#"{"base": "etsi-visual", "visual": false}"#)
                .unwrap()
                .visual
        );
        assert!(matches!(
            Policy::from_json(br#"{"visual": "yes"}"#),
            Err(PolicyError::Invalid(_))
        ));
    }

    #[test]
    fn a_policy_file_overrides_its_base() {
        let p = Policy::from_json(
            br#"{"name": "so", "base": "etsi", "newest_authority_status": "embedded-allowed",
                 "freshness_hours": {"signer": 24}}"#,
        )
        .unwrap();
        assert_eq!(p.name, "so");
        assert_eq!(p.key_compromise, KeyCompromiseRule::Standard);
        assert_eq!(
            p.newest_authority_status,
            NewestAuthorityStatus::EmbeddedAllowed
        );
        assert_eq!(p.freshness.signer, Some(Duration::hours(24)));
        assert_eq!(p.deviations().len(), 2);
        let mut v = ValidationPolicy::document_signing();
        p.apply(&mut v);
        assert_eq!(v.revocation.freshness.signer, Some(Duration::hours(24)));
        // Unknown keys, names and the algorithm slot are refused, not ignored.
        assert!(matches!(
            Policy::from_json(br#"{"key_compromize": "standard"}"#),
            Err(PolicyError::Invalid(_))
        ));
        assert!(matches!(
            Policy::from_json(br#"{"base": "strict"}"#),
            Err(PolicyError::UnknownName(_))
        ));
        // An empty algorithms section is the default constraints: no deviation.
        let p = Policy::from_json(br#"{"algorithms": {}}"#).unwrap();
        assert_eq!(p.algorithms, Some(AlgorithmPolicy::default()));
        assert!(p.deviations().is_empty());
    }

    /// ETSI TS 119 312 style dated constraints from a file: each key replaces the base's
    /// value, every departure from the default is named, and nonsense is refused.
    #[test]
    fn a_policy_file_sets_dated_algorithm_constraints() {
        let p = Policy::from_json(
            br#"{"algorithms": {"min_rsa_bits": 3072,
                 "digest_cutoffs": {"sha-1": "2016-01-01", "SHA-224": "2029-12-31T00:00:00Z"},
                 "rsa_legacy": [{"min_bits": 2048, "before": "2031-01-01"}]}}"#,
        )
        .unwrap();
        let a = p.algorithms.clone().unwrap();
        assert_eq!(a.min_rsa_bits, 3072);
        assert_eq!(
            a.digest_cutoffs,
            vec![
                (
                    DigestAlgorithm::Sha1,
                    time::macros::datetime!(2016-01-01 0:00 UTC)
                ),
                (
                    DigestAlgorithm::Sha224,
                    time::macros::datetime!(2029-12-31 0:00 UTC)
                ),
            ]
        );
        assert_eq!(
            a.rsa_legacy,
            vec![(2048, time::macros::datetime!(2031-01-01 0:00 UTC))]
        );
        let d = p.deviations();
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d[0].contains("3072"), "{d:?}");
        assert!(d[1].contains("SHA-224 from 2029-12-31"), "{d:?}");
        let mut v = ValidationPolicy::document_signing();
        p.apply(&mut v);
        assert_eq!(v.algorithms, a);
        let permissive = Policy::from_json(br#"{"algorithms": {"base": "permissive"}}"#).unwrap();
        assert_eq!(permissive.algorithms, Some(AlgorithmPolicy::permissive()));
        assert_eq!(permissive.deviations().len(), 3);
        for bad in [
            &br#"{"algorithms": {"min_rsa_bit": 2048}}"#[..],
            br#"{"algorithms": {"min_rsa_bits": 100000}}"#,
            br#"{"algorithms": {"digest_cutoffs": {"MD5": "2000-01-01"}}}"#,
            br#"{"algorithms": {"digest_cutoffs": {"SHA-1": "soon"}}}"#,
            br#"{"algorithms": {"rsa_legacy": [{"min_bits": 1024}]}}"#,
            br#"{"algorithms": {"base": "lax"}}"#,
            br#"{"algorithms": {"digest_cutoffs": {"SHA-1": "2016-01-01", "sha-1": "2017-01-01"}}}"#,
        ] {
            assert!(
                matches!(Policy::from_json(bad), Err(PolicyError::Invalid(_))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
