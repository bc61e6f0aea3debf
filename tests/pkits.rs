//! NIST PKITS (2011 re-issue) through kyso's path validation.
//!
//! Every case of `../shared/corpus/01-pkits/pkits.json` (246 cases, sections 4.1–4.16) is run
//! the way pyHanko's certvalidator runs them (SOURCES.md §1): trust anchor
//! `TrustAnchorRootCertificate.crt`, `TrustAnchorRootCRL.crl` added to every case's CRLs,
//! validation time 2022-05-01, the case's initial policy settings, revocation required unless
//! the case says `"revocation": false` (then: used if available), an algorithm policy that
//! allows what PKITS uses. A case passes when the verdict matches *and* the reason does: a
//! valid case needs a trusted path of the expected length; an invalid one needs the finding
//! code its error message names (a revoked certificate at the right position, with the right
//! date and reason, for revocation errors). Mismatches are allowed only for the cases listed,
//! with a reason each, in `tests/pkits-exceptions.tsv`; an exception that no longer applies
//! fails the test too. The test prints `N passed, M failed`.
//!
//! The same cases also run through `kyso cert verify` (see `pkits_through_the_cli`).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kyso::pki::{
    AlgorithmPolicy, Certificate, PathOutcome, PathValidator, PolicySettings, Purpose,
    RevocationData, RevocationMode, RevocationPolicy, TrustStore, ValidationPolicy, ValidationTime,
    VerificationCache,
};
use kyso::report::{ChainStatus, Code, RevocationReason, RevocationStatus, Severity};
use serde_json::Value;
use time::macros::datetime;
use time::OffsetDateTime;

const VALIDATION_TIME: OffsetDateTime = datetime!(2022-05-01 0:00 UTC);

/// The PKITS directory of the shared corpus, or `None` (the test skips) without the corpus.
fn pkits() -> Option<PathBuf> {
    common::corpus("01-pkits")
}

/// The PKITS directory, once a test has checked with [`pkits`] that the corpus is there.
fn pkits_dir() -> PathBuf {
    pkits().expect("each test returns early without the corpus")
}

/// One case of pkits.json.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub name: String,
    pub cert: String,
    pub other_certs: Vec<String>,
    pub crls: Vec<String>,
    pub path_len: usize,
    pub revocation_required: bool,
    pub settings: PolicySettings,
    pub params: BTreeMap<String, Value>,
    pub error: Option<(String, String)>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn load_cases() -> Vec<Case> {
    let text = std::fs::read_to_string(pkits_dir().join("pkits.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    let mut cases = Vec::new();
    for c in json.as_array().unwrap() {
        let params: BTreeMap<String, Value> = c
            .get("params")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let flag = |k: &str| params.get(k).and_then(Value::as_bool).unwrap_or(false);
        let mut settings = PolicySettings::default();
        if params.contains_key("user_initial_policy_set") {
            settings.initial_policy_set = Some(strings(params.get("user_initial_policy_set")));
        }
        settings.initial_explicit_policy = flag("initial_explicit_policy");
        settings.initial_policy_mapping_inhibit = flag("initial_policy_mapping_inhibit");
        settings.initial_any_policy_inhibit = flag("initial_any_policy_inhibit");
        cases.push(Case {
            id: c["id"].as_str().unwrap().to_string(),
            name: c["name"].as_str().unwrap().to_string(),
            cert: c["cert"].as_str().unwrap().to_string(),
            other_certs: strings(c.get("other_certs")),
            crls: strings(c.get("crls")),
            path_len: c["path_len"].as_u64().unwrap() as usize,
            revocation_required: c.get("revocation").and_then(Value::as_bool).unwrap_or(true),
            settings,
            params,
            error: c.get("error").map(|e| {
                (
                    e["class"].as_str().unwrap().to_string(),
                    e["msg_regex"].as_str().unwrap().to_string(),
                )
            }),
        });
    }
    cases
}

fn cert(name: &str) -> Certificate {
    let der = std::fs::read(pkits_dir().join("certs").join(name)).unwrap();
    Certificate::from_der(&der).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The policy a case runs under.
pub fn policy_for(case: &Case) -> ValidationPolicy {
    let mut p = ValidationPolicy::document_signing().with_purpose(Purpose::Any);
    p.algorithms = AlgorithmPolicy::permissive();
    p.policies = case.settings.clone();
    p.revocation = RevocationPolicy::all(if case.revocation_required {
        RevocationMode::Require
    } else {
        RevocationMode::IfAvailable
    });
    p
}

/// Runs one case through the library.
fn run(case: &Case) -> PathOutcome {
    run_with_cache(case, &VerificationCache::disabled())
}

/// Runs one case through the library, remembering signature checks in `cache`.
fn run_with_cache(case: &Case, cache: &VerificationCache) -> PathOutcome {
    let trust = TrustStore::from_der_certificates([std::fs::read(
        pkits_dir().join("certs/TrustAnchorRootCertificate.crt"),
    )
    .unwrap()])
    .unwrap();
    let mut data = RevocationData::new();
    let mut crls = vec!["TrustAnchorRootCRL.crl".to_string()];
    crls.extend(case.crls.iter().cloned());
    for c in &crls {
        let der = std::fs::read(pkits_dir().join("crls").join(c)).unwrap();
        data.add_crl_der(&der, kyso::pki::Origin::Caller)
            .unwrap_or_else(|e| panic!("{c}: {e}"));
    }
    let intermediates: Vec<Certificate> = case.other_certs.iter().map(|c| cert(c)).collect();
    let policy = policy_for(case);
    PathValidator::new(&trust, &policy)
        .with_cache(cache)
        .validate(
            &cert(&case.cert),
            &intermediates,
            &data,
            ValidationTime::at(VALIDATION_TIME),
        )
}

/// What a case expects, from its error class and message.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// A trusted path of this length (anchor included).
    Valid(usize),
    /// An error finding with one of these codes.
    Invalid(Vec<Code>),
    /// Revoked: which certificate (index from the target), when, why.
    Revoked {
        /// 0 = end entity; otherwise the intermediate's number from the anchor side.
        intermediate: Option<usize>,
        at: String,
        reason: RevocationReason,
    },
}

pub fn expectation(case: &Case) -> Expect {
    let Some((class, msg)) = &case.error else {
        return Expect::Valid(case.path_len);
    };
    match class.as_str() {
        "RevokedError" => {
            let intermediate = msg
                .split("intermediate certificate ")
                .nth(1)
                .and_then(|s| s.split(' ').next())
                .and_then(|n| n.parse().ok());
            let at = msg
                .split("revoked at ")
                .nth(1)
                .map(|s| {
                    let (time, rest) = s.split_once(" on ").unwrap();
                    let date = rest.split(',').next().unwrap();
                    format!("{date} {time}")
                })
                .unwrap();
            let reason = if msg.contains("compromised key") {
                RevocationReason::KeyCompromise
            } else if msg.contains("certificate hold") {
                RevocationReason::CertificateHold
            } else if msg.contains("affiliation change") {
                RevocationReason::AffiliationChanged
            } else {
                panic!("unknown reason in {msg}")
            };
            Expect::Revoked {
                intermediate,
                at,
                reason,
            }
        }
        "InsufficientRevinfoError" | "StaleRevinfoError" => {
            Expect::Invalid(vec![Code::RevocationUnknown])
        }
        "PathValidationError" => {
            let codes = if msg.contains("signature of") {
                vec![Code::ChainSignatureInvalid]
            } else if msg.contains(" expired ") {
                vec![Code::ChainCertificateExpired]
            } else if msg.contains("is not valid until") {
                vec![Code::ChainCertificateNotYetValid]
            } else if msg.contains("is not a CA") || msg.contains("not allowed to sign") {
                vec![Code::ChainIssuerNotCa]
            } else if msg.contains("maximum path length") {
                vec![Code::ChainPathLength]
            } else if msg.contains("namespace") {
                vec![Code::ChainNameConstraints]
            } else if msg.contains("unsupported critical extension") {
                vec![Code::ChainUnknownCriticalExtension]
            } else if msg.contains("issuer name could not be matched") {
                vec![Code::ChainUntrusted]
            } else if msg.contains("policies") || msg.contains("policy mapping") {
                vec![Code::ChainPolicy]
            } else {
                panic!("unmapped PKITS message: {msg}")
            };
            Expect::Invalid(codes)
        }
        other => panic!("unknown error class {other}"),
    }
}

/// Whether `outcome` meets `expect`; `Err` says how it differs.
pub fn judge(expect: &Expect, outcome: &PathOutcome) -> Result<(), String> {
    let errors: Vec<String> = outcome
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.code.as_str(), f.message))
        .collect();
    match expect {
        Expect::Valid(len) => {
            if outcome.status != ChainStatus::Trusted {
                return Err(format!(
                    "expected VALID, got {:?}: {}",
                    outcome.status,
                    errors.join(" | ")
                ));
            }
            if outcome.path.len() != *len {
                return Err(format!(
                    "expected a path of {len}, got {}",
                    outcome.path.len()
                ));
            }
            Ok(())
        }
        Expect::Invalid(codes) => {
            if outcome.status == ChainStatus::Trusted {
                return Err(format!("expected INVALID ({codes:?}), got a trusted path"));
            }
            let has = outcome
                .findings
                .iter()
                .any(|f| f.severity == Severity::Error && codes.contains(&f.code));
            if !has {
                return Err(format!("expected {codes:?}, got: {}", errors.join(" | ")));
            }
            Ok(())
        }
        Expect::Revoked {
            intermediate,
            at,
            reason,
        } => {
            if outcome.status != ChainStatus::Revoked {
                return Err(format!(
                    "expected REVOKED, got {:?}: {}",
                    outcome.status,
                    errors.join(" | ")
                ));
            }
            let n = outcome.path.len() - 1;
            let index = match intermediate {
                None => 0,
                Some(k) => n - k,
            };
            let r = outcome
                .revocation
                .iter()
                .find(|r| r.status == RevocationStatus::Revoked)
                .ok_or("no revoked entry in the revocation report")?;
            if r.certificate != index {
                return Err(format!(
                    "expected certificate {index} revoked, got {}",
                    r.certificate
                ));
            }
            let got_at = r
                .revoked_at
                .map(|t| {
                    format!(
                        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                        t.year(),
                        t.month() as u8,
                        t.day(),
                        t.hour(),
                        t.minute(),
                        t.second()
                    )
                })
                .unwrap_or_default();
            if &got_at != at || r.reason != Some(*reason) {
                return Err(format!(
                    "expected revoked at {at} ({reason:?}), got {got_at} ({:?})",
                    r.reason
                ));
            }
            Ok(())
        }
    }
}

/// `id<TAB>reason` lines of tests/pkits-exceptions.tsv.
pub fn exceptions() -> BTreeMap<String, String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pkits-exceptions.tsv");
    let text = std::fs::read_to_string(p).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (id, why) = l.split_once('\t').expect("id<TAB>reason");
            assert!(!why.trim().is_empty(), "exception {id} has no reason");
            (id.to_string(), why.to_string())
        })
        .collect()
}

#[test]
fn pkits_through_the_library() {
    if pkits().is_none() {
        return;
    }
    let cases = load_cases();
    assert_eq!(cases.len(), 246, "pkits.json should hold 246 cases");
    let exceptions = exceptions();
    let (mut passed, mut failed) = (0, 0);
    let mut unexpected = Vec::new();
    let mut stale = Vec::new();
    for case in &cases {
        let expect = expectation(case);
        let outcome = std::panic::catch_unwind(|| run(case));
        let verdict = match &outcome {
            Ok(o) => judge(&expect, o),
            Err(_) => Err("panicked".to_string()),
        };
        match (&verdict, exceptions.get(&case.id)) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => {
                passed += 1;
                stale.push(format!("{} {}", case.id, case.name));
            }
            (Err(why), Some(_)) => {
                failed += 1;
                eprintln!("excepted {} {}: {why}", case.id, case.name);
            }
            (Err(why), None) => {
                failed += 1;
                unexpected.push(format!("{} {}: {why}", case.id, case.name));
            }
        }
    }
    println!("PKITS (library): {passed} passed, {failed} failed");
    eprintln!("PKITS (library): {passed} passed, {failed} failed");
    for u in &unexpected {
        eprintln!("FAIL {u}");
    }
    assert!(
        unexpected.is_empty(),
        "{} unexpected PKITS failures",
        unexpected.len()
    );
    assert!(stale.is_empty(), "exceptions that pass now: {stale:?}");
}

/// The statuses and error codes of an outcome, as the CLI's JSON spells them.
fn summary_of(outcome: &PathOutcome) -> (String, Vec<String>, Option<(usize, String)>) {
    let status = serde_json::to_value(outcome.status).unwrap();
    let mut codes: Vec<String> = outcome
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.code.as_str().to_string())
        .collect();
    codes.sort();
    codes.dedup();
    let revoked = outcome
        .revocation
        .iter()
        .find(|r| r.status == RevocationStatus::Revoked)
        .map(|r| {
            (
                r.certificate,
                r.revoked_at
                    .map(|t| t.unix_timestamp().to_string())
                    .unwrap_or_default(),
            )
        });
    (status.as_str().unwrap().to_string(), codes, revoked)
}

/// Everything of an outcome that a verdict or a report could show.
fn outcome_text(o: &PathOutcome) -> String {
    let path: Vec<&[u8]> = o.path.iter().map(|c| c.der()).collect();
    format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        o.status, path, o.findings, o.revocation, o.policies, o.candidates, o.budget_exhausted
    )
}

/// One cache shared by all 246 cases (the suite reuses its CAs and CRLs, with and without
/// bad signatures): every outcome is the same as without a cache, and the cache did answer.
#[test]
fn pkits_outcomes_do_not_depend_on_the_cache() {
    if pkits().is_none() {
        return;
    }
    let cases = load_cases();
    let cache = VerificationCache::new();
    for round in 0..2 {
        for case in &cases {
            let plain = outcome_text(&run(case));
            let cached = outcome_text(&run_with_cache(case, &cache));
            assert_eq!(plain, cached, "round {round}: {} {}", case.id, case.name);
        }
    }
    let stats = cache.stats();
    assert!(stats.signature_hits > stats.signature_misses, "{stats:?}");
    assert!(stats.signatures > 100, "{stats:?}");
}

#[test]
fn pkits_through_the_cli() {
    let exe = env!("CARGO_BIN_EXE_kyso");
    let Some(dir) = pkits() else {
        return;
    };
    let cases = load_cases();
    let (mut same, mut different) = (0, 0);
    let mut diffs = Vec::new();
    for case in &cases {
        let mut args: Vec<String> = vec![
            "cert".into(),
            "verify".into(),
            dir.join("certs").join(&case.cert).display().to_string(),
            "--trust".into(),
            dir.join("certs/TrustAnchorRootCertificate.crt")
                .display()
                .to_string(),
            "--at".into(),
            "2022-05-01T00:00:00Z".into(),
            "--purpose".into(),
            "any".into(),
            "--revocation".into(),
            if case.revocation_required {
                "require".into()
            } else {
                "if-available".into()
            },
            "--json".into(),
        ];
        for c in &case.other_certs {
            args.push("--intermediate".into());
            args.push(dir.join("certs").join(c).display().to_string());
        }
        for c in std::iter::once(&"TrustAnchorRootCRL.crl".to_string()).chain(&case.crls) {
            args.push("--crl".into());
            args.push(dir.join("crls").join(c).display().to_string());
        }
        if let Some(set) = &case.settings.initial_policy_set {
            for p in set {
                args.push("--policy".into());
                args.push(p.clone());
            }
        }
        if case.settings.initial_explicit_policy {
            args.push("--require-explicit-policy".into());
        }
        if case.settings.initial_policy_mapping_inhibit {
            args.push("--inhibit-policy-mapping".into());
        }
        if case.settings.initial_any_policy_inhibit {
            args.push("--inhibit-any-policy".into());
        }
        let out = std::process::Command::new(exe)
            .args(&args)
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{}: {e}: {}", case.id, String::from_utf8_lossy(&out.stderr))
        });
        let mut codes: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect();
        codes.sort();
        codes.dedup();
        let revoked = json["revocation"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["status"] == "revoked")
            .map(|r| {
                let at = r["revoked_at"].as_str().unwrap();
                let t = OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                    .unwrap();
                (
                    r["certificate"].as_u64().unwrap() as usize,
                    t.unix_timestamp().to_string(),
                )
            });
        let cli = (json["status"].as_str().unwrap().to_string(), codes, revoked);
        let lib = summary_of(&run(case));
        let exit_ok = (out.status.code() == Some(0)) == (lib.0 == "trusted");
        if cli == lib && exit_ok {
            same += 1;
        } else {
            different += 1;
            diffs.push(format!(
                "{} {}: CLI {cli:?} (exit {:?}), library {lib:?}",
                case.id,
                case.name,
                out.status.code()
            ));
        }
    }
    println!("PKITS (kyso cert verify vs library): {same} passed, {different} failed");
    for d in &diffs {
        eprintln!("DIFF {d}");
    }
    assert!(diffs.is_empty());
}
