//! Generates every test vector and checks kyso's verdicts against
//! `test-vectors/manifest.tsv`.

mod common;

use std::collections::BTreeMap;

use common::pki::TestPki;
use kyso::report::{CoverageStatus, Indication};
use kyso::verify::{verify_bytes, VerifyOptions};
use time::OffsetDateTime;

struct Row {
    sig: Option<usize>,
    indication: String,
    sub_indication: String,
    coverage: String,
    why: String,
}

fn manifest() -> BTreeMap<String, Vec<Row>> {
    common::manifest::read("test-vectors/manifest.tsv", 6)
        .into_iter()
        .map(|(name, rows)| {
            let rows = rows
                .into_iter()
                .map(|c| Row {
                    sig: c[1].parse().ok(),
                    indication: c[2].clone(),
                    sub_indication: c[3].clone(),
                    coverage: c[4].clone(),
                    why: c[5].clone(),
                })
                .collect();
            (name, rows)
        })
        .collect()
}

fn coverage_name(c: CoverageStatus) -> &'static str {
    match c {
        CoverageStatus::EntireFile => "entire_file",
        CoverageStatus::EntireRevision => "entire_revision",
        CoverageStatus::Partial => "partial",
        _ => "unknown",
    }
}

#[test]
fn every_vector_gets_the_verdict_the_manifest_gives() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let vectors = common::vectors::generate(&pki, now);
    let manifest = manifest();

    common::manifest::keep_if_asked("KYSO_VECTORS_DIR", &pki, &vectors);
    common::manifest::assert_same_names(&vectors, &manifest);

    let opts = VerifyOptions::new(pki.trust()).validation_time(now);
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, bytes) in &vectors {
        let rows = &manifest[*name];
        let result = verify_bytes(bytes, &opts);
        match (rows.first().map(|r| r.indication.as_str()), &result) {
            (Some("ERROR"), Err(_)) => {
                checked += 1;
                continue;
            }
            (Some("ERROR"), Ok(r)) => {
                failures.push(format!(
                    "{name}: expected an error, got a report with {} signature(s)",
                    r.signatures.len()
                ));
                continue;
            }
            (_, Err(e)) => {
                failures.push(format!("{name}: could not verify: {e}"));
                continue;
            }
            _ => {}
        }
        let report = result.unwrap();
        if rows.first().map(|r| r.indication.as_str()) == Some("NONE") {
            if !report.signatures.is_empty() {
                failures.push(format!("{name}: expected no signature"));
            }
            checked += 1;
            continue;
        }
        if report.signatures.len() != rows.len() {
            failures.push(format!(
                "{name}: {} signature(s) found, manifest lists {}",
                report.signatures.len(),
                rows.len()
            ));
            continue;
        }
        for row in rows {
            let i = row.sig.expect("signature index");
            let s = &report.signatures[i];
            let got_ind = s.indication.as_str();
            let got_sub = s.sub_indication.map_or("-", |x| x.as_str());
            let got_cov = coverage_name(s.coverage.status);
            if got_ind != row.indication || got_sub != row.sub_indication || got_cov != row.coverage
            {
                failures.push(format!(
                    "{name} #{i} ({}): expected {} {} {}, got {got_ind} {got_sub} {got_cov}; findings: {:?}",
                    row.why,
                    row.indication,
                    row.sub_indication,
                    row.coverage,
                    common::manifest::findings(s)
                ));
            }
            if row.indication == "TOTAL-PASSED" {
                assert_eq!(s.indication, Indication::TotalPassed);
            }
            checked += 1;
        }
    }
    println!("{checked} expectations checked, {} failed", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Writes a few signed vectors as seeds for the `verify_pdf` fuzz target:
/// `cargo test --test vectors write_fuzz_seeds -- --ignored`.
#[test]
#[ignore = "writes fuzz/seeds/verify_pdf; run by hand when the vectors change"]
fn write_fuzz_seeds() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let vectors = common::vectors::generate(&pki, now);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/verify_pdf");
    std::fs::create_dir_all(&dir).unwrap();
    for name in [
        "pades-rsa2048-table",
        "pades-p256-stream",
        "pkcs7-p256-stream",
        "two-signatures-table",
        "three-signatures-hybrid",
        "existing-empty-field",
        "appended-page-content-change",
        "orphan-signature-dictionary",
    ] {
        std::fs::write(dir.join(format!("{name}.pdf")), &vectors[name]).unwrap();
    }
}
