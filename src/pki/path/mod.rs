//! Path building and validation: from a target certificate through candidate intermediates to
//! a trust anchor, RFC 5280 §6.1 processing, purpose and algorithm checks, and revocation
//! (§6.3 for CRLs, RFC 6960 for OCSP) of every certificate of the path.
//!
//! [`PathValidator::validate`] searches depth-first. Issuer candidates are ranked (anchors
//! before intermediates, key-identifier matches first) and each edge's signature is checked
//! before the search goes deeper. A complete candidate path is judged as a whole; when it
//! fails, the reasons are kept and the search tries the next candidate (cross-certificates,
//! re-keyed CAs with the same name). A [`PathBudget`] bounds the work: when it runs out the
//! search stops at once ("stop now"), which is different from one candidate failing ("try the
//! next"). The outcome says why each candidate path failed.

mod build;
pub(crate) mod check;
mod name_constraints;
mod policy;
mod profile;

use std::cell::{Cell, RefCell};

use time::OffsetDateTime;

use super::cache::{VerificationCache, NO_CACHE};
use super::cert::Certificate;
use super::fetch::{FetchError, FetchFor, Fetcher};
use super::options::{PathBudget, PolicySettings, Purpose, RevocationMode, ValidationPolicy};
use super::revocation::RevocationData;
use super::trust::{TrustAnchor, TrustStore};
use crate::crypto::VerifiedWith;
use crate::report::DetailLabel as L;
use crate::report::{ChainStatus, Code, Finding, RevocationReport};

pub(crate) use build::working_spki;
pub use policy::ANY_POLICY;

/// The times a validation works with. The clock is never read here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationTime {
    /// When the path must be valid.
    pub at: OffsetDateTime,
    /// A signing time proven by a timestamp, if any (the best-signature-time): a certificate
    /// revoked after it still supports a signature made before (EN 319 102-1 §5.6.2.4; for
    /// key compromise, see [`crate::pki::KeyCompromiseRule`]).
    pub proven_signing_time: Option<OffsetDateTime>,
}

impl ValidationTime {
    /// Validation at `at`, no proven signing time.
    pub fn at(at: OffsetDateTime) -> Self {
        ValidationTime {
            at,
            proven_signing_time: None,
        }
    }

    /// With a proven signing time.
    pub fn with_proven_signing_time(mut self, t: OffsetDateTime) -> Self {
        self.proven_signing_time = Some(t);
        self
    }
}

/// One candidate path that was judged and failed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CandidateReport {
    /// The path's subjects, target first, anchor last.
    pub path: Vec<String>,
    /// Why it failed.
    pub problems: Vec<Finding>,
    /// The revocation checks made on it before it failed.
    pub revocation: Vec<RevocationReport>,
}

/// The result of path validation.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PathOutcome {
    /// Overall status.
    pub status: ChainStatus,
    /// The validated path (or the first failed one), target first, anchor last.
    pub path: Vec<Certificate>,
    /// Why, in detail: the success, or every failed candidate's problems.
    pub findings: Vec<Finding>,
    /// The revocation status of each certificate of [`PathOutcome::path`] that was checked.
    pub revocation: Vec<RevocationReport>,
    /// The certificate policies valid for the path (RFC 5280 §6.1.6), when any.
    pub policies: Vec<String>,
    /// Every candidate path judged and failed, in the order tried.
    pub candidates: Vec<CandidateReport>,
    /// Whether the search stopped at its budget.
    pub budget_exhausted: bool,
}

impl PathOutcome {
    /// True when a path validated.
    pub fn is_trusted(&self) -> bool {
        self.status == ChainStatus::Trusted
    }
}

/// Validates certificate paths against a trust store and a policy.
#[derive(Clone, Copy)]
pub struct PathValidator<'a> {
    trust: &'a TrustStore,
    policy: &'a ValidationPolicy,
    fetcher: Option<&'a dyn Fetcher>,
    cache: &'a VerificationCache,
}

impl std::fmt::Debug for PathValidator<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PathValidator")
            .field("anchors", &self.trust.anchors().len())
            .field("policy", self.policy)
            .field("fetcher", &self.fetcher.is_some())
            .field("cache", self.cache)
            .finish()
    }
}

impl<'a> PathValidator<'a> {
    /// A validator for these anchors and this policy, offline.
    pub fn new(trust: &'a TrustStore, policy: &'a ValidationPolicy) -> Self {
        PathValidator {
            trust,
            policy,
            fetcher: None,
            cache: &NO_CACHE,
        }
    }

    /// Remembers certificate and CRL signature checks in `cache` (and answers from it). The
    /// outcome is the same with or without it.
    pub fn with_cache(mut self, cache: &'a VerificationCache) -> Self {
        self.cache = cache;
        self
    }

    /// Lets the validator fetch CRLs, OCSP responses and issuer certificates through
    /// `fetcher` when the policy's `revocation.online` is set.
    pub fn with_fetcher(mut self, fetcher: &'a dyn Fetcher) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// Builds and validates a path from `target` through `intermediates` to an anchor.
    pub fn validate(
        &self,
        target: &Certificate,
        intermediates: &[Certificate],
        revocation: &RevocationData,
        time: ValidationTime,
    ) -> PathOutcome {
        if self.trust.is_empty() {
            return PathOutcome {
                status: ChainStatus::NoTrustAnchors,
                path: vec![target.clone()],
                findings: vec![Finding::new(
                    Code::ChainNoTrustAnchors,
                    "no trust anchors were configured, so the certificate cannot be trusted",
                )
                .plain()],
                revocation: Vec::new(),
                policies: Vec::new(),
                candidates: Vec::new(),
                budget_exhausted: false,
            };
        }
        let engine = Engine {
            trust: self.trust,
            policy: self.policy,
            fetcher: if self.policy.revocation.online {
                self.fetcher
            } else {
                None
            },
            time,
            pool: RefCell::new(intermediates.to_vec()),
            data: RefCell::new(revocation.clone()),
            signature_checks: Cell::new(0),
            candidates_judged: Cell::new(0),
            fetches: Cell::new(0),
            fetch_failures: RefCell::new(Vec::new()),
            budget_cut: Cell::new(false),
            exhausted: Cell::new(false),
            in_progress: RefCell::new(Vec::new()),
            cache: self.cache,
        };
        let goal = Goal {
            purpose: self.policy.purpose,
            settings: &self.policy.policies,
            anchor: None,
            end_entity_mode: self.policy.revocation.end_entity,
            ca_mode: self.policy.revocation.intermediates,
            depth: 0,
        };
        let result = engine.search(target, &goal);
        engine.outcome(target, result)
    }
}

/// What one search is for.
pub(crate) struct Goal<'g> {
    pub purpose: Purpose,
    pub settings: &'g PolicySettings,
    /// The anchor the path must end at (CRL and OCSP signer paths), if any.
    pub anchor: Option<&'g Certificate>,
    pub end_entity_mode: RevocationMode,
    pub ca_mode: RevocationMode,
    /// Revocation nesting depth.
    pub depth: usize,
}

/// A path that validated.
#[derive(Debug, Clone)]
pub(crate) struct Validated {
    pub path: Vec<Certificate>,
    pub findings: Vec<Finding>,
    pub revocation: Vec<RevocationReport>,
    pub policies: Vec<String>,
}

/// What a search found.
#[derive(Debug, Default)]
pub(crate) struct SearchResult {
    pub found: Option<Validated>,
    pub candidates: Vec<CandidateReport>,
    pub first_failed: Option<Vec<Certificate>>,
    /// Dead ends before an anchor was reached (no issuer, bad signatures, depth).
    pub dead_ends: Vec<Finding>,
}

impl SearchResult {
    /// One line about why nothing validated.
    pub fn summary(&self) -> String {
        let mut reasons: Vec<String> = self
            .candidates
            .iter()
            .flat_map(|c| c.problems.iter())
            .chain(self.dead_ends.iter())
            .filter(|f| f.severity == crate::report::Severity::Error)
            .map(|f| f.message.clone())
            .collect();
        reasons.dedup();
        if reasons.is_empty() {
            "no path to the trust anchor".into()
        } else {
            reasons.join("; ")
        }
    }
}

/// The state of one validation: budgets, the growing pool of certificates and revocation
/// data (fetched items join them), and the signer paths being validated (loop guard).
pub(crate) struct Engine<'a> {
    pub trust: &'a TrustStore,
    pub policy: &'a ValidationPolicy,
    pub fetcher: Option<&'a dyn Fetcher>,
    pub time: ValidationTime,
    pub pool: RefCell<Vec<Certificate>>,
    pub data: RefCell<RevocationData>,
    pub signature_checks: Cell<usize>,
    pub candidates_judged: Cell<usize>,
    pub fetches: Cell<usize>,
    /// Fetches that failed, with the certificate they were for.
    pub fetch_failures: RefCell<Vec<(Certificate, FetchFor, FetchError)>>,
    /// A fetch was refused because a network budget (this validation's or the
    /// verification's) was spent.
    pub budget_cut: Cell<bool>,
    pub exhausted: Cell<bool>,
    pub in_progress: RefCell<Vec<Vec<u8>>>,
    /// Remembered signature checks.
    pub cache: &'a VerificationCache,
}

impl Engine<'_> {
    pub fn budget(&self) -> &PathBudget {
        &self.policy.budget
    }

    /// Whether revocation data issued at `this_update` is recent enough for the status of
    /// `path[index]` at the validation time, under the policy's freshness for its role
    /// (EN 319 102-1 §5.2.5); with the reason when it is not.
    pub fn fresh_enough(&self, index: usize, this_update: OffsetDateTime) -> Result<(), String> {
        let f = &self.policy.revocation.freshness;
        let (limit, role) = match (index, self.policy.purpose) {
            (0, Purpose::Timestamping) => (f.timestamp_authority, "timestamp authority"),
            (0, _) => (f.signer, "signer"),
            _ => (f.ca, "CA"),
        };
        match limit {
            Some(max) if this_update + max < self.time.at => Err(format!(
                "issued {this_update}, more than {max} before the validation time {} (the \
                 policy's freshness for a {role})",
                self.time.at
            )),
            _ => Ok(()),
        }
    }

    /// Counts one signature check; false (and the search stops) when the budget is spent.
    pub fn spend_signature_check(&self) -> bool {
        let used = self.signature_checks.get();
        if used >= self.budget().max_signature_checks {
            self.exhausted.set(true);
            return false;
        }
        self.signature_checks.set(used + 1);
        true
    }

    /// Counts one fetch of `url` for `cert`; false when the budget is spent (fetching stops
    /// and the refusal is recorded, the search goes on).
    pub fn spend_fetch(&self, cert: &Certificate, what: FetchFor, url: &str) -> bool {
        let used = self.fetches.get();
        if used >= self.budget().max_fetches {
            self.record_failure(
                cert,
                what,
                FetchError::BudgetExhausted {
                    url: url.to_string(),
                    reason: format!(
                        "the path budget allows {} fetches per validation",
                        self.budget().max_fetches
                    ),
                },
            );
            return false;
        }
        self.fetches.set(used + 1);
        true
    }

    /// The anchor entry for a certificate that ends a path.
    pub fn anchor_for(&self, cert: &Certificate) -> Option<&TrustAnchor> {
        self.trust.find_exact(cert.der())
    }

    fn outcome(&self, target: &Certificate, result: SearchResult) -> PathOutcome {
        let exhausted = self.exhausted.get();
        if let Some(v) = result.found {
            let mut findings = vec![Finding::new(
                Code::ChainTrusted,
                format!(
                    "path of {} certificate(s) to trust anchor \"{}\"",
                    v.path.len(),
                    v.path.last().map(|c| c.label()).unwrap_or_default()
                ),
            )
            .detail(L::Count, v.path.len())
            .detail(
                L::Anchor,
                v.path.last().map(|c| c.label()).unwrap_or_default(),
            )];
            if !result.candidates.is_empty() {
                findings.push(
                    Finding::new(
                        Code::ChainCandidateFailed,
                        format!(
                            "{} other candidate path(s) failed before this one validated",
                            result.candidates.len()
                        ),
                    )
                    .remark("các chuỗi thử trước đó không hợp lệ, chuỗi này hợp lệ")
                    .detail(L::Count, result.candidates.len()),
                );
            }
            findings.extend(v.findings);
            return PathOutcome {
                status: ChainStatus::Trusted,
                path: v.path,
                findings,
                revocation: v.revocation,
                policies: v.policies,
                candidates: result.candidates,
                budget_exhausted: exhausted,
            };
        }
        let mut findings = Vec::new();
        for (k, c) in result.candidates.iter().enumerate() {
            findings.push(
                Finding::new(
                    Code::ChainCandidateFailed,
                    format!(
                        "candidate path {} ({}) failed",
                        k + 1,
                        c.path
                            .iter()
                            .map(|s| format!("\"{s}\""))
                            .collect::<Vec<_>>()
                            .join(" ← ")
                    ),
                )
                .detail(L::Certificate, c.path.join(" ← ")),
            );
            findings.extend(c.problems.iter().cloned());
        }
        findings.extend(result.dead_ends.iter().cloned());
        if exhausted {
            findings.push(
                Finding::new(
                    Code::ChainBudgetExhausted,
                    format!(
                        "path building stopped at its budget ({} signature checks, {} candidate \
                     paths)",
                        self.signature_checks.get(),
                        self.candidates_judged.get()
                    ),
                )
                .detail(
                    L::Limit,
                    format_args!(
                        "{} / {}",
                        self.signature_checks.get(),
                        self.candidates_judged.get()
                    ),
                ),
            );
        }
        let revocation = result
            .candidates
            .first()
            .map(|c| c.revocation.clone())
            .unwrap_or_default();
        match result.first_failed {
            Some(path) => PathOutcome {
                status: if findings
                    .iter()
                    .any(|f| matches!(f.code, Code::RevocationRevoked | Code::RevocationCaRevoked))
                {
                    ChainStatus::Revoked
                } else {
                    ChainStatus::Invalid
                },
                path,
                findings,
                revocation,
                policies: Vec::new(),
                candidates: result.candidates,
                budget_exhausted: exhausted,
            },
            None => {
                findings.push(
                    Finding::new(
                        Code::ChainUntrusted,
                        format!(
                            "no path from \"{}\" to a configured trust anchor",
                            target.label()
                        ),
                    )
                    .detail(L::Certificate, target.label()),
                );
                PathOutcome {
                    status: ChainStatus::Untrusted,
                    path: vec![target.clone()],
                    findings,
                    revocation,
                    policies: Vec::new(),
                    candidates: result.candidates,
                    budget_exhausted: exhausted,
                }
            }
        }
    }
}

/// One verified edge of a path under construction: `path[i]` verified with `path[i + 1]`'s
/// key.
pub(crate) type Edge = VerifiedWith;
