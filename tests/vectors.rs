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
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors/manifest.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 6, "bad manifest line: {line}");
        out.entry(cols[0].to_string()).or_default().push(Row {
            sig: cols[1].parse().ok(),
            indication: cols[2].to_string(),
            sub_indication: cols[3].to_string(),
            coverage: cols[4].to_string(),
            why: cols[5].to_string(),
        });
    }
    out
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

    let keep = std::env::var_os("KYSO_VECTORS_DIR").map(std::path::PathBuf::from);
    if let Some(dir) = &keep {
        std::fs::create_dir_all(dir).unwrap();
        pki.write_root(dir);
        for (name, bytes) in &vectors {
            std::fs::write(dir.join(format!("{name}.pdf")), bytes).unwrap();
        }
    }

    let generated: Vec<&str> = vectors.keys().copied().collect();
    let listed: Vec<&str> = manifest.keys().map(String::as_str).collect();
    assert_eq!(
        generated, listed,
        "the generator and the manifest must list the same vectors"
    );

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
                    s.findings
                        .iter()
                        .map(|f| format!("{}: {}", f.code.as_str(), f.message))
                        .collect::<Vec<_>>()
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
