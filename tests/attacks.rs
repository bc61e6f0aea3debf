//! Resistance to known PDF signature attacks.
//!
//! - The shadow-attack corpus (`../shared/corpus/03-pdf-attacks/`, RUB's pdf-attacker):
//!   every victim-signed file (`3_*`, legacy `*-signed.pdf`) must pass with its signature
//!   intact and no disallowed change; every manipulated file (`4_*`, legacy
//!   `*-signed-manipulated*`) must be reported with a disallowed modification or a failed
//!   signature. The counts are printed; any miss fails the test.
//! - Crafted vectors (`tests/common/attacks.rs`), one per attack class and structural trick,
//!   and the allowed changes that must stay valid, checked against
//!   `test-vectors/attacks/manifest.tsv` both ways. `KYSO_ATTACKS_DIR=DIR` keeps a copy.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::pki::TestPki;
use kyso::pki::TrustStore;
use kyso::report::{Indication, ModificationLevel, SignatureReport, SubIndication};
use kyso::verify::{verify_bytes, verify_file, VerifyOptions};
use time::macros::datetime;
use time::OffsetDateTime;

const ATTACKS: &str = "03-pdf-attacks/rub-nds-pdf-attacker-shadow";

/// Manipulated files that are not flagged, with the reason: each must still be what the
/// reason says (the test fails if such a file is flagged after all).
const NOT_FLAGGED: &[(&str, &str)] = &[(
    "legacy-2020-07/hide/form_and_form/shadowed_form_over_form-signed-manipulated_v2.pdf",
    "an early exploit version whose update rewrites eight objects with byte-identical \
     bodies at correct offsets: nothing a viewer shows differs from the signed revision \
     (pyHanko also accepts it)",
)];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Signed,
    Manipulated,
}

fn role(name: &str) -> Option<Role> {
    if name.starts_with("4_") || name.contains("signed-manipulated") {
        Some(Role::Manipulated)
    } else if name.starts_with("3_") || name.ends_with("-signed.pdf") {
        Some(Role::Signed)
    } else {
        None
    }
}

/// Why a signature counts as flagged, in a few words.
fn flag_reason(s: &SignatureReport) -> Option<String> {
    let flagged = !s.modifications.allowed
        || s.indication == Indication::TotalFailed
        || s.sub_indication == Some(SubIndication::DisallowedModification);
    if !flagged {
        return None;
    }
    let mut codes: Vec<&str> = s
        .findings
        .iter()
        .filter(|f| f.severity == kyso::report::Severity::Error)
        .map(|f| f.code.as_str())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    Some(format!(
        "{}{} [{}]",
        s.indication.as_str(),
        s.sub_indication
            .map(|x| format!(" / {}", x.as_str()))
            .unwrap_or_default(),
        codes.join(", ")
    ))
}

#[test]
fn shadow_attacks_are_flagged_and_their_signed_originals_pass() {
    let Some(dir) = common::corpus(ATTACKS) else {
        return;
    };
    let files = common::corpus::pdfs_under(&dir);
    assert!(!files.is_empty(), "no PDF under {}", dir.display());
    let mut trust = TrustStore::empty();
    trust
        .add_file(&dir.join("_signer/demo-rsa2048.selfsigned.cert.pem"))
        .unwrap();
    let opts = VerifyOptions::new(trust).validation_time(datetime!(2021-01-01 0:00 UTC));

    // (role, legacy) -> (files, as expected)
    let mut counts: BTreeMap<(Role, bool), (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for path in &files {
        let rel = path
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(role) = role(&name) else {
            continue;
        };
        let legacy = rel.starts_with("legacy");
        let report = verify_file(path, &opts).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let sigs = &report.signatures;
        let (ok, what) = match role {
            Role::Signed => {
                let ok = !sigs.is_empty()
                    && sigs.iter().all(|s| {
                        s.indication == Indication::TotalPassed
                            && s.integrity.intact()
                            && s.modifications.allowed
                    });
                (
                    ok,
                    sigs.iter()
                        .map(|s| format!("{} {:?}", s.indication.as_str(), s.coverage.status))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            }
            Role::Manipulated => {
                let reasons: Vec<String> = sigs.iter().filter_map(flag_reason).collect();
                let exempt = NOT_FLAGGED.iter().find(|(f, _)| *f == rel);
                match exempt {
                    Some((_, why)) => (
                        reasons.is_empty(),
                        format!("not flagged, as expected: {why}"),
                    ),
                    None => (
                        !reasons.is_empty(),
                        if reasons.is_empty() {
                            "NOT FLAGGED".to_string()
                        } else {
                            reasons.join("; ")
                        },
                    ),
                }
            }
        };
        let entry = counts.entry((role, legacy)).or_default();
        entry.0 += 1;
        if ok {
            entry.1 += 1;
        } else {
            misses.push(format!("{rel}: {what}"));
        }
        println!("{} {:<104} {}", if ok { "ok  " } else { "MISS" }, rel, what);
    }
    println!();
    for ((role, legacy), (n, ok)) in &counts {
        println!(
            "{:<12} {:<20} {ok} of {n} {}",
            format!("{role:?}"),
            if *legacy { "(legacy-2020-07)" } else { "" },
            match role {
                Role::Signed => "pass, intact, no disallowed change",
                Role::Manipulated => "flagged (disallowed modification or failed signature)",
            }
        );
    }
    let (signed, flagged) = (
        counts
            .get(&(Role::Signed, false))
            .copied()
            .unwrap_or_default(),
        counts
            .get(&(Role::Manipulated, false))
            .copied()
            .unwrap_or_default(),
    );
    assert_eq!(signed.0, 7, "expected the 7 signed 3_* files");
    assert_eq!(flagged.0, 8, "expected the 8 manipulated 4_* files");
    assert!(misses.is_empty(), "misses:\n{}", misses.join("\n"));
}

// ---------------------------------------------------------------------------------------
// Crafted vectors.

struct Row {
    sig: usize,
    indication: String,
    sub_indication: String,
    level: String,
    code: String,
    why: String,
}

fn manifest() -> BTreeMap<String, Vec<Row>> {
    common::manifest::read("test-vectors/attacks/manifest.tsv", 7)
        .into_iter()
        .map(|(name, rows)| {
            let rows = rows
                .into_iter()
                .map(|c| Row {
                    sig: c[1].parse().unwrap(),
                    indication: c[2].clone(),
                    sub_indication: c[3].clone(),
                    level: c[4].clone(),
                    code: c[5].clone(),
                    why: c[6].clone(),
                })
                .collect();
            (name, rows)
        })
        .collect()
}

fn level_name(l: ModificationLevel) -> &'static str {
    match l {
        ModificationLevel::None => "none",
        ModificationLevel::LtvUpdates => "ltv_updates",
        ModificationLevel::FormFilling => "form_filling",
        ModificationLevel::Annotations => "annotations",
        _ => "other",
    }
}

#[test]
fn crafted_attack_vectors_get_the_verdicts_the_manifest_gives() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let vectors = common::attacks::generate(&pki, now);
    let manifest = manifest();
    common::manifest::keep_if_asked("KYSO_ATTACKS_DIR", &pki, &vectors);
    common::manifest::assert_same_names(&vectors, &manifest);

    let opts = VerifyOptions::new(pki.trust()).validation_time(now);
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, bytes) in &vectors {
        let rows = &manifest[*name];
        let report = match verify_bytes(bytes, &opts) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{name}: could not verify: {e}"));
                continue;
            }
        };
        if report.signatures.len() != rows.len() {
            failures.push(format!(
                "{name}: {} signature(s), the manifest lists {}",
                report.signatures.len(),
                rows.len()
            ));
            continue;
        }
        for row in rows {
            let s = &report.signatures[row.sig];
            let got_sub = s.sub_indication.map_or("-", |x| x.as_str());
            let got_level = level_name(s.modifications.level);
            let has_code =
                row.code == "-" || s.findings.iter().any(|f| f.code.as_str() == row.code);
            let level_ok = row.level == "-" || row.level == got_level;
            if s.indication.as_str() != row.indication
                || got_sub != row.sub_indication
                || !level_ok
                || !has_code
            {
                failures.push(format!(
                    "{name} #{} ({}): expected {} {} {} {}, got {} {got_sub} {got_level}; findings: {:?}",
                    row.sig,
                    row.why,
                    row.indication,
                    row.sub_indication,
                    row.level,
                    row.code,
                    s.indication.as_str(),
                    common::manifest::findings(s)
                ));
            }
            checked += 1;
        }
    }
    println!(
        "{} vectors, {checked} signatures checked, {} failed",
        vectors.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A Flate bomb in an update after the signature stops at the configured budget: the file
/// is still verified, the signature's report names the budget, and nothing passes.
#[test]
fn a_flate_bomb_after_signing_stops_at_the_budget_with_a_finding() {
    use common::attacks::{flate_bomb_update, form_doc, sign};
    use kyso::report::Code;
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let signed = sign(&form_doc(), &pki.rsa2048.signer(), now, |o| o);
    let bomb = flate_bomb_update(&signed, 16 << 20);
    assert!(bomb.len() < signed.len() + 64 * 1024, "the bomb is small");

    let mut budget = kyso::pdf::Budget::default();
    budget.max_decoded_bytes = 1 << 20;
    let opts = VerifyOptions::new(pki.trust())
        .validation_time(now)
        .budget(budget);
    let report = verify_bytes(&bomb, &opts).expect("a verdict, not an error");
    let s = &report.signatures[0];
    assert!(s.integrity.intact());
    assert_ne!(s.indication, Indication::TotalPassed);
    let f = s
        .findings
        .iter()
        .find(|f| f.code == Code::BudgetExceeded)
        .unwrap_or_else(|| panic!("no budget finding: {:?}", s.findings));
    assert!(f.message.contains("decoded"), "{}", f.message);

    // With the default budget the same update decodes, and is an allowed /Info change.
    let report =
        verify_bytes(&bomb, &VerifyOptions::new(pki.trust()).validation_time(now)).unwrap();
    assert!(report.all_passed(), "{:?}", report.signatures[0].findings);
}

/// A Flate bomb inside the signed revision, away from the form: the signature found through
/// its field is still judged; the scan for unreferenced signature dictionaries reports the
/// budget at the document level.
#[test]
fn a_flate_bomb_before_signing_limits_only_the_orphan_scan() {
    use common::attacks::{flate_bomb_update, form_doc, sign};
    use kyso::report::Code;
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let with_bomb = flate_bomb_update(&form_doc(), 16 << 20);
    let signed = sign(&with_bomb, &pki.rsa2048.signer(), now, |o| o);
    let mut budget = kyso::pdf::Budget::default();
    budget.max_decoded_bytes = 1 << 20;
    let opts = VerifyOptions::new(pki.trust())
        .validation_time(now)
        .budget(budget);
    let report = verify_bytes(&signed, &opts).expect("a verdict, not an error");
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.code == Code::BudgetExceeded),
        "{:?}",
        report.findings
    );
    assert!(report.all_passed(), "{:?}", report.signatures[0].findings);
}

/// Writes a few crafted vectors as seeds for the `verify_pdf` fuzz target, so that mutations
/// reach the structural checks and the certification rules:
/// `cargo test --test attacks write_fuzz_seeds -- --ignored`.
#[test]
#[ignore = "writes fuzz/seeds/verify_pdf; run by hand when the vectors change"]
fn write_fuzz_seeds() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let vectors = common::attacks::generate(&pki, now);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/verify_pdf");
    std::fs::create_dir_all(&dir).unwrap();
    for name in [
        "allowed-form-fill-after-p2",
        "allowed-sticky-note-after-p3",
        "sneaky-signature-after-p2",
        "locked-field-filled-after-approval",
        "object-defined-twice-in-update",
        "object-stream-holds-unlisted-object",
        "orphan-xref-section-in-update",
        "xref-entry-points-into-signed-bytes",
        "swa-signed-bytes-moved-to-the-end",
    ] {
        std::fs::write(dir.join(format!("attack-{name}.pdf")), &vectors[name]).unwrap();
    }
}

/// No false alarm on an honest later signer with its own writer: MuPDF (`mutool sign`)
/// signs the field the dossier prepared after kyso's approval; kyso's signature must stay
/// valid with only signing in the later revision.
#[test]
fn a_mupdf_signature_after_kyso_is_allowed() {
    let (Some(mutool), Some(openssl)) = (common::tool("mutool"), common::tool("openssl")) else {
        return;
    };
    use common::attacks::{form_doc, sign};
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let d = dir.path();
    let (key, cert, chain) = pki.p256.write_pem(d);
    let p12 = d.join("p256.p12");
    common::keys::openssl_pkcs12(&openssl, &key, &cert, Some(&chain), &p12, "kyso", &[]);
    let input = d.join("approved.pdf");
    std::fs::write(&input, sign(&form_doc(), &pki.rsa2048.signer(), now, |o| o)).unwrap();
    let output = d.join("approved-then-mupdf.pdf");
    let field = common::attacks::obj::SIG_FIELD.to_string();
    let out = common::interop::run(
        &mutool,
        &[
            "sign".as_ref(),
            "-s".as_ref(),
            p12.as_os_str(),
            "-P".as_ref(),
            "kyso".as_ref(),
            "-o".as_ref(),
            output.as_os_str(),
            input.as_os_str(),
            field.as_ref(),
        ],
    )
    .unwrap();
    assert!(out.status.success(), "{}", out.describe());
    let bytes = std::fs::read(&output).unwrap();
    let report = verify_bytes(
        &bytes,
        &VerifyOptions::new(pki.trust()).validation_time(now),
    )
    .unwrap();
    let first = &report.signatures[0];
    assert_eq!(
        first.indication,
        Indication::TotalPassed,
        "{:?}",
        first.findings
    );
    assert!(first.modifications.later_revisions >= 1);
    assert_eq!(first.modifications.level, ModificationLevel::FormFilling);
}
