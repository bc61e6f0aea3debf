//! Agreement with pyHanko on the signed-PDF corpus (`04-signed-pdfs/`).
//!
//! Every signature pyHanko 0.38 reported in `observed-pyhanko.tsv` is verified with kyso at
//! the corpus freeze time (pyHanko test files: 2020-11-01 unless their expectation names
//! another freeze time; other files: their claimed signing time, as nothing better is known),
//! with the corpus CA certificates as trust anchors. Signatures are matched by field name
//! (and order among equal names). Compared, for each signature:
//!
//! - intact and valid: pyHanko `intact` and `valid` both true ↔ kyso's digest and signature
//!   checks both passed ([`Integrity::intact`]); a pyHanko error counts as "not intact";
//! - coverage: `ENTIRE_FILE` / `ENTIRE_REVISION` / anything else ↔ kyso's coverage status
//!   (entire file / entire revision / partial or unknown);
//! - modifications: pyHanko `OTHER` ↔ kyso "not allowed" (or coverage that is not a whole
//!   revision); the exact levels are printed but only allowed/not allowed is compared.
//!
//! Files pyHanko could not read (no signature row) must have no intact kyso signature. The
//! expectations of pyHanko's own tests (`pyhanko/pyhanko-test-expectations.tsv`) add two
//! checks: signatures expected "trusted" must chain to the testing root, and the negative
//! cases (INVALID, INDETERMINATE) must not pass, and where an expectation names a
//! modification level (FORM_FILLING, LTA_UPDATES, OTHER/SUSPICIOUS) the first signature's
//! level must be it (and a change must name what "message mentions" names). Every difference
//! must be listed in
//! [`EXCEPTIONS`] with its reason; an exception that no longer applies fails the test too.
//!
//! `observed-pdfsig.tsv` (poppler) is compared for information only, and a second test runs
//! kyso over the shadow-attack corpus (`03-pdf-attacks/`), informationally, gating only on
//! the absence of panics.
//!
//! The corpus is read in place from `../shared/corpus/`; without it the tests are skipped with
//! one line (`tests/common/corpus.rs`; `KYSO_REQUIRE_CORPUS=1` makes that a failure).

#[path = "common/corpus.rs"]
mod corpus;

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use kyso::pki::TrustStore;
use kyso::report::{
    ChainStatus, CoverageStatus, Indication, SignatureKind, SignatureReport, SubIndication,
    VerificationReport,
};
use kyso::verify::{verify_file, VerifyOptions};
use time::macros::{datetime, format_description};
use time::{Date, OffsetDateTime};

const SIGNED: &str = "04-signed-pdfs";
const ATTACKS: &str = "03-pdf-attacks/rub-nds-pdf-attacker-shadow";

/// The freeze time of pyHanko's tests (SOURCES.md §4a).
const PYHANKO_FREEZE: OffsetDateTime = datetime!(2020-11-01 0:00 UTC);

/// What is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Aspect {
    /// pyHanko intact+valid ↔ kyso digest+signature passed.
    IntactValid,
    /// Coverage class.
    Coverage,
    /// Modifications allowed or not.
    Modification,
    /// pyHanko's test expectation (trusted, INVALID, INDETERMINATE).
    Expected,
    /// The modification level pyHanko's test expects for the first signature.
    ExpectedLevel,
}

/// A known, explained difference: (file under `04-signed-pdfs/`, field or `*` for the file,
/// aspect, reason).
const EXCEPTIONS: &[(&str, &str, Aspect, &str)] = &[
    (
        "pyhanko/coverage-anomalies/one-byterange.pdf",
        "Sig1",
        Aspect::IntactValid,
        "/ByteRange holds one pair ([0 690]); kyso rejects it as malformed before hashing \
         (byte_range.malformed, TOTAL-FAILED FORMAT_FAILURE), so it has no digest result. \
         pyHanko hashes the single range, finds it intact and the coverage UNCLEAR (its \
         bottom line is invalid too)",
    ),
    (
        "endesive/pdf-adobe-webcapture-x509.rsa_sha1.pdf",
        "*",
        Aspect::IntactValid,
        "adbe.x509.rsa_sha1 (ISO 32000-1 §12.8.3.2): pyHanko does not list this SubFilter \
         (no signature found); kyso verifies the PKCS#1 signature over the byte ranges with \
         the /Cert key (issue 19 §2; tests/legacy.rs), and its algorithm policy refuses the \
         RSA-1024 key and SHA-1 judged now",
    ),
    (
        "pyhanko/pdf-sig-with-econtent.pdf",
        "Sig1",
        Aspect::IntactValid,
        "pyHanko stops with an error (detached signature with encapsulated content) and \
         reports no integrity; kyso reports the digest of the byte ranges and the signature \
         as correct",
    ),
    (
        "pyhanko/pdf-sig-with-econtent.pdf",
        "Sig1",
        Aspect::Expected,
        "the encapsulated content is an OCTET STRING of length zero (openssl asn1parse: \
         `cont [0] { OCTET STRING l=0 }`), as a Vietnamese e-office system writes it; issue \
         19 §2 makes that a warning (cms.empty_encapsulated_content) with integrity checked \
         over the byte ranges, so kyso passes what pyHanko refuses; a non-empty content \
         stays TOTAL-FAILED (tests/legacy.rs)",
    ),
    (
        "pyhanko/form-update-no-override-appearance-stream-ap-indirect-sneaky.pdf",
        "Sig1",
        Aspect::Modification,
        "pyHanko refuses (OTHER) because the widget signed later had an appearance \
         dictionary shared with the catalog's /FooBar; but the later revision changes \
         neither that dictionary nor its stream (the widget gets a new appearance), so kyso \
         sees only the signing of Sig2: FORM_FILLING, allowed",
    ),
    (
        "pyhanko/form-update-no-override-appearance-stream-ap-indirect-sneaky.pdf",
        "Sig1",
        Aspect::ExpectedLevel,
        "the same difference against pyHanko's own test expectation (OTHER): nothing the \
         catalog's /FooBar shows is changed, so kyso finds FORM_FILLING",
    ),
    (
        "pyhanko/form-update-ap-indirect-sneaky-trailer.pdf",
        "Sig1",
        Aspect::ExpectedLevel,
        "the same difference against pyHanko's own test expectation (OTHER): nothing the \
         trailer's /FooBar shows is changed, so kyso finds FORM_FILLING",
    ),
    (
        "pyhanko/form-update-ap-indirect-sneaky-trailer.pdf",
        "Sig1",
        Aspect::Modification,
        "as form-update-no-override-appearance-stream-ap-indirect-sneaky.pdf, with the \
         shared appearance dictionary referenced from the trailer: nothing shared is changed, \
         kyso finds FORM_FILLING, pyHanko refuses on principle (OTHER)",
    ),
];

// ---------------------------------------------------------------------------------------
// Reading the corpus tables.

/// One line of a TSV with a header, as column name → value.
type Row = BTreeMap<String, String>;

fn read_tsv(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            header
                .iter()
                .zip(l.split('\t').chain(std::iter::repeat("")))
                .map(|(h, v)| ((*h).to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn col<'a>(row: &'a Row, name: &str) -> &'a str {
    row.get(name).map(String::as_str).unwrap_or("")
}

/// A date written after the word "freeze" in an expectation, e.g. "(freeze 2021-01-05)".
fn freeze_date(text: &str) -> Option<OffsetDateTime> {
    let at = text.find("freeze")?;
    let fmt = format_description!("[year]-[month]-[day]");
    text.get(at..)?
        .split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .find_map(|tok| Date::parse(tok, &fmt).ok())
        .map(|d| d.midnight().assume_utc())
}

// ---------------------------------------------------------------------------------------
// Running kyso.

fn trust_from(files: &[PathBuf]) -> TrustStore {
    let mut t = TrustStore::empty();
    for f in files {
        t.add_file(f)
            .unwrap_or_else(|e| panic!("trust anchor {}: {e}", f.display()));
    }
    t
}

fn pem_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    out.retain(|p| p.extension().is_some_and(|e| e == "pem"));
    out.sort();
    out
}

/// Verifies `rel` (under `04-signed-pdfs/`) with the trust anchors and time that suit it.
fn verify_signed(root: &Path, rel: &str, freeze: &BTreeMap<String, OffsetDateTime>) -> Report {
    let path = root.join(SIGNED).join(rel);
    let pyhanko_ca = root.join(SIGNED).join("pyhanko/_ca-certs");
    let (trust, time) = if let Some(name) = rel.strip_prefix("pyhanko/") {
        let t = trust_from(&[pyhanko_ca.join("testing-ca_root_root.cert.pem")]);
        (t, freeze.get(name).copied().unwrap_or(PYHANKO_FREEZE))
    } else {
        let t = if rel.starts_with("endesive/") {
            trust_from(&pem_files(&root.join(SIGNED).join("endesive/ca")))
        } else {
            TrustStore::empty()
        };
        // No freeze time is known: judge at the time the (first) signer claims.
        let first = verify_file(
            &path,
            &VerifyOptions::new(t.clone()).validation_time(PYHANKO_FREEZE),
        );
        let claimed = first
            .ok()
            .and_then(|r| r.signatures.iter().find_map(|s| s.claimed_signing_time));
        (t, claimed.unwrap_or(PYHANKO_FREEZE))
    };
    let opts = VerifyOptions::new(trust).validation_time(time);
    match verify_file(&path, &opts) {
        Ok(r) => Report::Ok(Box::new(r)),
        Err(e) => Report::Err(e.to_string()),
    }
}

enum Report {
    Ok(Box<VerificationReport>),
    Err(String),
}

impl Report {
    fn signatures(&self) -> &[SignatureReport] {
        match self {
            Report::Ok(r) => &r.signatures,
            Report::Err(_) => &[],
        }
    }
}

// ---------------------------------------------------------------------------------------
// Classes compared.

fn coverage_class_pyhanko(c: &str) -> Option<&'static str> {
    match c {
        "" => None,
        "ENTIRE_FILE" => Some("entire file"),
        "ENTIRE_REVISION" => Some("entire revision"),
        _ => Some("other"),
    }
}

fn coverage_class_kyso(s: &SignatureReport) -> &'static str {
    match s.coverage.status {
        CoverageStatus::EntireFile => "entire file",
        CoverageStatus::EntireRevision => "entire revision",
        _ => "other",
    }
}

fn modification_class_pyhanko(level: &str) -> Option<&'static str> {
    match level {
        "" => None,
        "OTHER" => Some("disallowed"),
        _ => Some("allowed"),
    }
}

fn modification_class_kyso(s: &SignatureReport) -> &'static str {
    match s.coverage.status {
        // A signature that stopped before the difference analysis has no later revision
        // recorded although the file goes on.
        CoverageStatus::EntireRevision if s.modifications.later_revisions == 0 => "not analysed",
        CoverageStatus::EntireFile | CoverageStatus::EntireRevision if s.modifications.allowed => {
            "allowed"
        }
        _ => "disallowed",
    }
}

fn kyso_level(s: &SignatureReport) -> String {
    let v = serde_json::to_value(s.modifications.level).unwrap_or_default();
    v.as_str().unwrap_or("?").to_uppercase()
}

fn chain_word(c: ChainStatus) -> &'static str {
    match c {
        ChainStatus::Trusted => "trusted",
        ChainStatus::Untrusted => "untrusted",
        ChainStatus::Invalid => "invalid",
        ChainStatus::NoTrustAnchors => "no anchors",
        ChainStatus::NotChecked => "not checked",
        _ => "?",
    }
}

fn pyhanko_intact(row: &Row) -> bool {
    col(row, "pyhanko_intact") == "True" && col(row, "pyhanko_valid") == "True"
}

fn yes(b: bool) -> &'static str {
    if b {
        "intact+valid"
    } else {
        "not intact"
    }
}

// ---------------------------------------------------------------------------------------

#[derive(Default)]
struct Tally {
    unread_files: usize,
    unread_agree: usize,
    signatures: usize,
    intact_agree: usize,
    coverage_compared: usize,
    coverage_agree: usize,
    modification_compared: usize,
    modification_agree: usize,
    level_same: usize,
}

struct Difference {
    file: String,
    field: String,
    aspect: Aspect,
    detail: String,
}

#[test]
fn verdicts_agree_with_pyhanko_on_the_signed_corpus() {
    let Some(root) = corpus::corpus("") else {
        return;
    };
    let root = root.as_path();
    let observed = read_tsv(&root.join(SIGNED).join("observed-pyhanko.tsv"));
    let expectations = read_tsv(
        &root
            .join(SIGNED)
            .join("pyhanko/pyhanko-test-expectations.tsv"),
    );
    let freeze: BTreeMap<String, OffsetDateTime> = expectations
        .iter()
        .filter_map(|e| {
            let t = freeze_date(col(e, "pyHanko test"))?;
            Some((col(e, "file").to_string(), t))
        })
        .collect();

    // Rows by file, in order.
    let mut by_file: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    for row in &observed {
        by_file
            .entry(col(row, "file").to_string())
            .or_default()
            .push(row);
    }
    assert!(
        by_file.len() >= 30,
        "observed-pyhanko.tsv lists only {} files",
        by_file.len()
    );

    let mut tally = Tally::default();
    let mut differences: Vec<Difference> = Vec::new();
    let mut reports: BTreeMap<String, Report> = BTreeMap::new();
    println!(
        "{:<72} {:<22} {:<44} {:<62} agree?",
        "file", "field", "pyHanko", "kyso"
    );
    for (file, rows) in &by_file {
        let report = verify_signed(root, file, &freeze);
        if let Report::Err(e) = &report {
            println!("{file:<72} kyso could not process the file: {e}");
        }
        if let Report::Ok(r) = &report {
            // Only real trailing bytes may be reported: none of these files has any.
            if let Some(f) = r
                .findings
                .iter()
                .find(|f| f.code == kyso::report::Code::DocTrailingData)
            {
                differences.push(Difference {
                    file: file.clone(),
                    field: "*".into(),
                    aspect: Aspect::Expected,
                    detail: format!("unexpected document.trailing_data: {}", f.message),
                });
            }
        }
        let sigs = report.signatures();
        let mut used: BTreeSet<usize> = BTreeSet::new();
        for row in rows {
            if col(row, "sig_index") == "-" {
                // pyHanko reported no signature: kyso must not call any signature intact.
                let intact: Vec<&SignatureReport> =
                    sigs.iter().filter(|s| s.integrity.intact()).collect();
                let agree = intact.is_empty();
                tally.unread_files += 1;
                tally.unread_agree += usize::from(agree);
                println!(
                    "{:<72} {:<22} {:<44} {:<62} {}",
                    file,
                    "*",
                    format!("no signature: {}", truncate(col(row, "pyhanko_error"), 30)),
                    format!("{} signature(s), {} intact", sigs.len(), intact.len()),
                    if agree { "yes" } else { "NO" }
                );
                if !agree {
                    differences.push(Difference {
                        file: file.clone(),
                        field: "*".into(),
                        aspect: Aspect::IntactValid,
                        detail: format!(
                            "pyHanko: no signature ({}); kyso: {} intact signature(s)",
                            col(row, "pyhanko_error"),
                            intact.len()
                        ),
                    });
                }
                continue;
            }
            tally.signatures += 1;
            let field = col(row, "field");
            let found = sigs
                .iter()
                .enumerate()
                .find(|(i, s)| !used.contains(i) && s.field_name.as_deref() == Some(field));
            let Some((i, sig)) = found else {
                println!("{file:<72} {field:<22} kyso has no signature in this field");
                differences.push(Difference {
                    file: file.clone(),
                    field: field.into(),
                    aspect: Aspect::IntactValid,
                    detail: "kyso found no signature in this field".into(),
                });
                continue;
            };
            used.insert(i);

            let p_intact = pyhanko_intact(row);
            let k_intact = sig.integrity.intact();
            let intact_agree = p_intact == k_intact;
            if intact_agree {
                tally.intact_agree += 1;
            } else {
                differences.push(Difference {
                    file: file.clone(),
                    field: field.into(),
                    aspect: Aspect::IntactValid,
                    detail: format!(
                        "pyHanko {} {}; kyso {} (digest {:?}, signature {:?}, {} {:?})",
                        yes(p_intact),
                        col(row, "pyhanko_error"),
                        yes(k_intact),
                        sig.integrity.digest,
                        sig.integrity.signature,
                        sig.indication.as_str(),
                        sig.sub_indication.map(|s| s.as_str()),
                    ),
                });
            }

            let p_cov = coverage_class_pyhanko(col(row, "pyhanko_coverage"));
            let k_cov = coverage_class_kyso(sig);
            let cov_agree = p_cov.is_none_or(|p| p == k_cov);
            if let Some(p) = p_cov {
                tally.coverage_compared += 1;
                if cov_agree {
                    tally.coverage_agree += 1;
                } else {
                    differences.push(Difference {
                        file: file.clone(),
                        field: field.into(),
                        aspect: Aspect::Coverage,
                        detail: format!("pyHanko {p}; kyso {k_cov}"),
                    });
                }
            }

            let p_level = col(row, "pyhanko_modification_level");
            let p_mod = modification_class_pyhanko(p_level);
            let k_mod = modification_class_kyso(sig);
            let k_level = kyso_level(sig);
            let mod_agree = p_mod.is_none_or(|p| p == k_mod);
            if let Some(p) = p_mod {
                tally.modification_compared += 1;
                if k_level == p_level || (k_level == "LTV_UPDATES" && p_level == "LTA_UPDATES") {
                    tally.level_same += 1;
                }
                if mod_agree {
                    tally.modification_agree += 1;
                } else {
                    differences.push(Difference {
                        file: file.clone(),
                        field: field.into(),
                        aspect: Aspect::Modification,
                        detail: format!(
                            "pyHanko {p_level} ({p}); kyso {k_level} ({k_mod}): {}",
                            sig.modifications
                                .changes
                                .iter()
                                .filter(|c| !matches!(
                                    c.level,
                                    kyso::report::ModificationLevel::None
                                ))
                                .map(|c| c.description.clone())
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                    });
                }
            }

            let all = intact_agree && cov_agree && mod_agree;
            println!(
                "{:<72} {:<22} {:<44} {:<62} {}",
                file,
                truncate(field, 22),
                format!(
                    "{}, {}, {}",
                    yes(p_intact),
                    p_cov.unwrap_or("-"),
                    if p_level.is_empty() { "-" } else { p_level }
                ),
                format!(
                    "{}, {}, {}, chain {}",
                    yes(k_intact),
                    k_cov,
                    k_level,
                    chain_word(sig.chain.status)
                ),
                if all { "yes" } else { "NO" }
            );
        }
        reports.insert(file.clone(), report);
    }

    check_expectations(&expectations, &reports, &mut differences);

    println!(
        "\n{} signatures, {} agree on intact/valid, {} of {} agree on coverage, {} of {} \
         agree on modifications allowed (same level: {}); {} files without a pyHanko \
         signature, {} agree (no intact kyso signature)",
        tally.signatures,
        tally.intact_agree,
        tally.coverage_agree,
        tally.coverage_compared,
        tally.modification_agree,
        tally.modification_compared,
        tally.level_same,
        tally.unread_files,
        tally.unread_agree,
    );

    cross_check_pdfsig(root, &reports);

    // Every difference must be explained; every explanation must still be needed.
    let mut unexplained = Vec::new();
    let mut used_exceptions = BTreeSet::new();
    println!("\ndifferences:");
    for d in &differences {
        let exc = EXCEPTIONS.iter().position(|(f, fld, a, _)| {
            *f == d.file && (*fld == d.field || *fld == "*") && *a == d.aspect
        });
        match exc {
            Some(i) => {
                used_exceptions.insert(i);
                let reason = EXCEPTIONS.get(i).map_or("", |e| e.3);
                println!(
                    "  {} / {} / {:?}: {}\n      known: {}",
                    d.file, d.field, d.aspect, d.detail, reason
                );
            }
            None => {
                println!(
                    "  {} / {} / {:?}: {}  <-- UNEXPLAINED",
                    d.file, d.field, d.aspect, d.detail
                );
                unexplained.push(format!(
                    "{} / {} / {:?}: {}",
                    d.file, d.field, d.aspect, d.detail
                ));
            }
        }
    }
    let stale: Vec<String> = EXCEPTIONS
        .iter()
        .enumerate()
        .filter(|(i, _)| !used_exceptions.contains(i))
        .map(|(_, (f, fld, a, _))| format!("{f} / {fld} / {a:?}"))
        .collect();
    assert!(
        unexplained.is_empty(),
        "differences from pyHanko without an exception:\n{}",
        unexplained.join("\n")
    );
    assert!(
        stale.is_empty(),
        "exceptions that no longer apply (remove them):\n{}",
        stale.join("\n")
    );
    assert!(
        tally.signatures >= 50,
        "only {} signatures compared",
        tally.signatures
    );
}

/// Expectations of pyHanko's own tests: "trusted" signatures chain to the testing root;
/// INVALID and INDETERMINATE cases do not pass.
fn check_expectations(
    expectations: &[Row],
    reports: &BTreeMap<String, Report>,
    differences: &mut Vec<Difference>,
) {
    for e in expectations {
        let name = col(e, "file");
        let file = format!("pyhanko/{name}");
        let outcome = col(e, "expected_outcome");
        let Some(report) = reports.get(&file) else {
            continue;
        };
        let sigs: Vec<&SignatureReport> = report
            .signatures()
            .iter()
            .filter(|s| s.kind != SignatureKind::DocumentTimestamp)
            .collect();
        let lower = outcome.to_lowercase();
        let expect_trusted = lower.contains("trusted")
            && !lower.contains("untrusted")
            && !lower.contains("not trusted");
        if expect_trusted {
            for s in &sigs {
                if s.chain.status != ChainStatus::Trusted {
                    differences.push(Difference {
                        file: file.clone(),
                        field: s.field_name.clone().unwrap_or_default(),
                        aspect: Aspect::Expected,
                        detail: format!(
                            "expected trusted ({outcome}); kyso chain {:?}",
                            s.chain.status
                        ),
                    });
                }
            }
        }
        let negative = if outcome.starts_with("INVALID") {
            Some(Indication::TotalFailed)
        } else if outcome.starts_with("INDETERMINATE") {
            Some(Indication::Indeterminate)
        } else {
            None
        };
        if let Some(want) = negative {
            for s in &sigs {
                if s.indication != want {
                    differences.push(Difference {
                        file: file.clone(),
                        field: s.field_name.clone().unwrap_or_default(),
                        aspect: Aspect::Expected,
                        detail: format!(
                            "expected {} ({outcome}); kyso {}",
                            want.as_str(),
                            s.indication.as_str()
                        ),
                    });
                }
            }
        }
        if let Some(want) = expected_level(outcome) {
            // The first signature in signing order (the report lists them so).
            if let Some(first) = sigs.first() {
                let got = kyso_level(first);
                let got = if got == "LTV_UPDATES" {
                    "LTA_UPDATES".to_string()
                } else {
                    got
                };
                if got != want {
                    differences.push(Difference {
                        file: file.clone(),
                        field: first.field_name.clone().unwrap_or_default(),
                        aspect: Aspect::ExpectedLevel,
                        detail: format!("expected level {want} ({outcome}); kyso {got}"),
                    });
                }
                // "message mentions X": some change must name X.
                if let Some(word) = outcome
                    .split("mentions ")
                    .nth(1)
                    .and_then(|t| t.split(|c: char| !(c.is_alphanumeric() || c == '.')).next())
                    .map(|w| w.trim_start_matches('.'))
                    .filter(|w| !w.is_empty())
                {
                    if !first
                        .modifications
                        .changes
                        .iter()
                        .any(|c| c.description.contains(word))
                    {
                        differences.push(Difference {
                            file: file.clone(),
                            field: first.field_name.clone().unwrap_or_default(),
                            aspect: Aspect::ExpectedLevel,
                            detail: format!("no change mentions {word} ({outcome})"),
                        });
                    }
                }
            }
        }
        if lower.starts_with("modification level other") || lower.starts_with("other (disallowed)")
        {
            let first = sigs.first();
            if first.is_some_and(|s| s.modifications.allowed) {
                differences.push(Difference {
                    file: file.clone(),
                    field: first.and_then(|s| s.field_name.clone()).unwrap_or_default(),
                    aspect: Aspect::Modification,
                    detail: format!("expected a disallowed change ({outcome}); kyso allows it"),
                });
            }
        }
    }
}

/// The modification level an expectation names (pyHanko's spelling; SUSPICIOUS is OTHER).
fn expected_level(outcome: &str) -> Option<&'static str> {
    if outcome.contains("FORM_FILLING") {
        Some("FORM_FILLING")
    } else if outcome.contains("LTA_UPDATES") {
        Some("LTA_UPDATES")
    } else if outcome.contains("OTHER") || outcome.contains("SUSPICIOUS") {
        Some("OTHER")
    } else {
        None
    }
}

/// Poppler's `pdfsig -nocert` view, matched by byte range: information only.
fn cross_check_pdfsig(root: &Path, reports: &BTreeMap<String, Report>) {
    let rows = read_tsv(&root.join(SIGNED).join("observed-pdfsig.tsv"));
    let (mut compared, mut agree) = (0usize, 0usize);
    println!("\npdfsig (information only):");
    for row in &rows {
        let file = col(row, "file");
        let ranges = parse_pdfsig_ranges(col(row, "signed_ranges"));
        let Some(report) = reports.get(file) else {
            continue;
        };
        let Some(ranges) = ranges else {
            continue;
        };
        let sig = report
            .signatures()
            .iter()
            .find(|s| matches!(s.coverage.byte_range.as_slice(), [0, b, c, d] if *b == ranges.0 && *c == ranges.1 && c + d == ranges.2));
        let Some(sig) = sig else {
            continue;
        };
        compared += 1;
        let p = col(row, "signature_validation") == "Signature is Valid.";
        let k = sig.integrity.intact();
        if p == k {
            agree += 1;
        } else {
            println!(
                "  {file} {}: pdfsig \"{}\", kyso {}",
                sig.field_name.as_deref().unwrap_or("?"),
                col(row, "signature_validation"),
                yes(k)
            );
        }
    }
    println!(
        "  {compared} signatures matched by byte range, {agree} agree with pdfsig on intact/valid"
    );
}

/// `[0 - 3485], [22223 - 26384]` → (3485, 22223, 26384).
fn parse_pdfsig_ranges(s: &str) -> Option<(i64, i64, i64)> {
    let nums: Vec<i64> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .filter_map(|t| t.parse().ok())
        .collect();
    match nums.as_slice() {
        [0, b, c, e] => Some((*b, *c, *e)),
        _ => None,
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

// ---------------------------------------------------------------------------------------
// The shadow-attack corpus, for information.

/// What the file is in the attack corpus, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum AttackRole {
    /// Unsigned original or shadow document (`1_*`, `2_*`, legacy without "signed").
    Unsigned,
    /// Signed by the victim: must pass (`3_*`, legacy `*-signed.pdf`).
    Signed,
    /// Manipulated after signing: must be flagged (`4_*`, legacy `*-signed-manipulated*`).
    Manipulated,
}

fn attack_role(name: &str) -> AttackRole {
    if name.starts_with("4_") || name.contains("signed-manipulated") {
        AttackRole::Manipulated
    } else if name.starts_with("3_") || name.ends_with("-signed.pdf") {
        AttackRole::Signed
    } else {
        AttackRole::Unsigned
    }
}

#[test]
fn attack_corpus_is_verified_without_panics() {
    let Some(dir) = corpus::corpus(ATTACKS) else {
        return;
    };
    let files = corpus::pdfs_under(&dir);
    assert!(!files.is_empty(), "no PDF under {}", dir.display());
    let trust = trust_from(&[dir.join("_signer/demo-rsa2048.selfsigned.cert.pem")]);
    let opts = VerifyOptions::new(trust).validation_time(datetime!(2021-01-01 0:00 UTC));

    // (role, legacy?) -> (files, expected outcome reached)
    let mut counts: BTreeMap<(AttackRole, bool), (usize, usize)> = BTreeMap::new();
    let mut panics = Vec::new();
    let mut misses = Vec::new();
    for path in &files {
        let rel = path
            .strip_prefix(&dir)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let role = attack_role(&name);
        let legacy = rel.starts_with("legacy");
        let outcome = catch_unwind(AssertUnwindSafe(|| verify_file(path, &opts)));
        let report = match outcome {
            Err(_) => {
                panics.push(rel.clone());
                continue;
            }
            Ok(Err(e)) => {
                println!("{rel}: could not process: {e}");
                Err(e.to_string())
            }
            Ok(Ok(r)) => Ok(r),
        };
        let entry = counts.entry((role, legacy)).or_default();
        entry.0 += 1;
        let sigs = report
            .as_ref()
            .map(|r| r.signatures.as_slice())
            .unwrap_or(&[]);
        let passed =
            !sigs.is_empty() && sigs.iter().all(|s| s.indication == Indication::TotalPassed);
        let flagged = report.is_err()
            || sigs.iter().any(|s| {
                !s.modifications.allowed
                    || s.indication == Indication::TotalFailed
                    || s.sub_indication == Some(SubIndication::DisallowedModification)
            });
        let reached = match role {
            AttackRole::Unsigned => sigs.is_empty(),
            AttackRole::Signed => passed,
            AttackRole::Manipulated => flagged,
        };
        if reached {
            entry.1 += 1;
        } else {
            misses.push(rel.clone());
        }
        let summary: Vec<String> = sigs
            .iter()
            .map(|s| {
                format!(
                    "{} {:?} {}{}",
                    s.indication.as_str(),
                    s.coverage.status,
                    kyso_level(s),
                    s.sub_indication
                        .map(|x| format!(" {}", x.as_str()))
                        .unwrap_or_default()
                )
            })
            .collect();
        println!(
            "{:<110} {:?} {}",
            rel,
            role,
            if summary.is_empty() {
                "no signature".to_string()
            } else {
                summary.join("; ")
            }
        );
    }
    println!("\nattack corpus (information only):");
    for ((role, legacy), (n, ok)) in &counts {
        let what = match role {
            AttackRole::Unsigned => "without signature",
            AttackRole::Signed => "pass",
            AttackRole::Manipulated => "flagged (disallowed modification or failed)",
        };
        println!(
            "  {:?}{}: {ok} of {n} {what}",
            role,
            if *legacy { " (legacy-2020-07)" } else { "" }
        );
    }
    if !misses.is_empty() {
        println!("  not as the corpus expects: {}", misses.join(", "));
    }
    assert!(panics.is_empty(), "kyso panicked on: {}", panics.join(", "));
}
