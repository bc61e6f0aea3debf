//! Batch verification and shared hashing: `verify::batch` gives, in input order, exactly what
//! `verify_file` gives for each file; hashing several signatures in one pass gives the same
//! reports as hashing each on its own (mixed digest algorithms, odd byte ranges, every test
//! vector and attack vector); the CLI over a directory with `--jsonl` and its summary line.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::pki::TestPki;
use common::vectors::{base, sign_with, Base};
use kyso::pki::VerificationCache;
use kyso::report::VerificationReport;
use kyso::verify::batch::{batch, batch_with_progress, pdf_files_in, BatchSummary, FileOutcome};
use kyso::verify::{verify_bytes, verify_file, verify_source, VerifyOptions};
use time::OffsetDateTime;

fn options(pki: &TestPki, now: OffsetDateTime) -> VerifyOptions {
    VerifyOptions::new(pki.trust()).validation_time(now)
}

/// `input` signed by each of `who` (indices into the good signers) in turn, into new fields
/// SigN (N counting the signatures already there).
fn signed_by(input: &[u8], pki: &TestPki, who: &[usize], now: OffsetDateTime) -> Vec<u8> {
    let signers = pki.good_signers();
    let before = input.windows(11).filter(|w| w == b"/ByteRange ").count();
    let mut pdf = input.to_vec();
    for (k, &i) in who.iter().enumerate() {
        let field = format!("Sig{}", before + k + 1);
        pdf = sign_with(&pdf, &signers[i].signer(), false, Some(&field), now);
    }
    pdf
}

/// Changes one letter of the page text, inside every signature's signed bytes.
fn tamper(pdf: &[u8]) -> Vec<u8> {
    let at = pdf
        .windows(13)
        .position(|w| w == b"Base revision")
        .expect("page text");
    let mut out = pdf.to_vec();
    out[at] = b'b';
    out
}

/// Rewrites the numbers of the last `/ByteRange` in place with `f` (same width).
fn rewrite_last_byte_range(pdf: &[u8], f: impl FnOnce([u64; 4]) -> [u64; 4]) -> Vec<u8> {
    let key = b"/ByteRange [";
    let at = pdf.windows(key.len()).rposition(|w| w == key).unwrap() + key.len();
    let end = at + pdf[at..].iter().position(|&b| b == b']').unwrap();
    let nums: Vec<u64> = std::str::from_utf8(&pdf[at..end])
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let new = f([nums[0], nums[1], nums[2], nums[3]]);
    let mut text = format!("{} {} {} {}", new[0], new[1], new[2], new[3]);
    assert!(text.len() <= end - at);
    while text.len() < end - at {
        text.push(' ');
    }
    let mut out = pdf.to_vec();
    out[at..end].copy_from_slice(text.as_bytes());
    out
}

/// Two verifications of the same file as text to compare: the JSON reports, or the error
/// messages when both failed; one failing alone is a test failure.
fn as_texts(
    a: Result<VerificationReport, kyso::Error>,
    b: Result<VerificationReport, kyso::Error>,
) -> (String, String) {
    match (a, b) {
        (Ok(a), Ok(b)) => (a.to_json(), b.to_json()),
        (Err(a), Err(b)) => (a.to_string(), b.to_string()),
        (a, b) => panic!("one way failed: {a:?} / {b:?}"),
    }
}

/// The reports with and without shared hashing, as JSON.
fn both_ways(pdf: &[u8], opts: &VerifyOptions) -> (String, String) {
    let mut separate = opts.clone();
    separate.shared_hashing = false;
    as_texts(verify_bytes(pdf, opts), verify_bytes(pdf, &separate))
}

#[test]
fn shared_hashing_gives_the_same_reports() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let opts = options(&pki, now);

    // Six signers: SHA-256, SHA-384 and SHA-512 digests mixed in one file.
    let six = signed_by(&base(Base::Table), &pki, &[0, 1, 2, 3, 4, 5], now);
    let (a, b) = both_ways(&six, &opts);
    assert_eq!(a, b);
    let report = verify_bytes(&six, &opts).unwrap();
    assert_eq!(report.signatures.len(), 6);
    assert!(report.all_passed(), "{}", report.to_json());
    let algorithms: std::collections::BTreeSet<_> = report
        .signatures
        .iter()
        .filter_map(|s| s.digest_algorithm.clone())
        .collect();
    assert!(algorithms.len() >= 2, "{algorithms:?}");

    // The same, tampered: every signature fails the same way both ways.
    let (a, b) = both_ways(&tamper(&six), &opts);
    assert_eq!(a, b);
    assert!(a.contains("TOTAL-FAILED"));

    // One signature in the middle with an odd range (its second range stops short of the
    // end of its revision, or its gap is shifted), then signed over twice more.
    let two = signed_by(&base(Base::Stream), &pki, &[0, 0], now);
    for odd in [
        rewrite_last_byte_range(&two, |b| [b[0], b[1], b[2], b[3] - 10]),
        rewrite_last_byte_range(&two, |b| [b[0], b[1] + 1, b[2] + 1, b[3] - 1]),
        rewrite_last_byte_range(&two, |b| [b[0], b[2], b[2], b[3]]),
    ] {
        let more = signed_by(&odd, &pki, &[3, 0], now);
        let (a, b) = both_ways(&more, &opts);
        assert_eq!(a, b);
        let report = verify_bytes(&more, &opts).unwrap();
        assert_eq!(report.signatures.len(), 4);
        assert_ne!(
            report.signatures[1].indication,
            kyso::report::Indication::TotalPassed,
            "{}",
            report.to_json()
        );
    }

    // Every test vector and attack vector.
    let mut multi = 0;
    let vectors = common::vectors::generate(&pki, now);
    let attacks = common::attacks::generate(&pki, now);
    for (name, pdf) in vectors.iter().chain(attacks.iter()) {
        let (a, b) = both_ways(pdf, &opts);
        assert_eq!(a, b, "{name}");
        if verify_bytes(pdf, &opts).is_ok_and(|r| r.signatures.len() > 1) {
            multi += 1;
        }
    }
    assert!(multi >= 5, "only {multi} multi-signature vectors");
}

/// The verification cache (`VerifyOptions::cache`): the same reports with a cache shared by
/// every verification, a fresh one, and none; and a dossier signed twice under the same CA
/// asks the CA's certificate signature only once.
#[test]
fn verification_cache_gives_the_same_reports() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let shared = options(&pki, now);
    let mut off = options(&pki, now);
    off.cache = VerificationCache::disabled();

    let two = signed_by(&base(Base::Table), &pki, &[0, 1], now);
    let first = verify_bytes(&two, &shared).unwrap();
    assert!(first.all_passed(), "{}", first.to_json());
    let after_one = shared.cache.stats();
    // Each path has at least two certificate signatures below the anchor; the second
    // signature's path ends in the same CA, whose signature was remembered.
    assert!(after_one.signature_hits >= 1, "{after_one:?}");
    assert!(after_one.certificate_hits >= 1, "{after_one:?}");
    let again = verify_bytes(&two, &shared).unwrap();
    let after_two = shared.cache.stats();
    assert_eq!(
        after_two.signature_misses, after_one.signature_misses,
        "a second verification of the same file checks no certificate signature again"
    );
    assert_eq!(first.to_json(), again.to_json());
    assert_eq!(first.to_json(), verify_bytes(&two, &off).unwrap().to_json());

    // Every test vector and attack vector (bad chains, foreign certificates, tampering),
    // with a cache that has seen all the others before, against no cache at all.
    let vectors = common::vectors::generate(&pki, now);
    let attacks = common::attacks::generate(&pki, now);
    for round in 0..2 {
        for (name, pdf) in vectors.iter().chain(attacks.iter()) {
            let (warm, none) = as_texts(verify_bytes(pdf, &shared), verify_bytes(pdf, &off));
            assert_eq!(warm, none, "round {round}: {name}");
        }
    }
    assert_eq!(off.cache.stats(), kyso::pki::CacheStats::default());
}

/// Small files are read whole by `verify_file`; the same files read through positioned reads
/// (as large files are) give the same reports, for every test and attack vector.
#[test]
fn streaming_reads_give_the_same_reports() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let opts = options(&pki, now);
    let dir = tempfile::tempdir().unwrap();
    let vectors = common::vectors::generate(&pki, now);
    let attacks = common::attacks::generate(&pki, now);
    let mut checked = 0;
    for (i, (name, pdf)) in vectors.iter().chain(attacks.iter()).enumerate() {
        let path = dir.path().join(format!("{i}.pdf"));
        std::fs::write(&path, pdf).unwrap();
        let source = kyso::pdf::FileSource::open_streaming(&path).unwrap();
        assert!(!source.is_in_memory());
        let (streamed, in_memory) =
            as_texts(verify_source(source, None, &opts), verify_bytes(pdf, &opts));
        assert_eq!(streamed, in_memory, "{name}");
        checked += 1;
    }
    assert!(checked > 20, "{checked}");
}

#[test]
fn batch_equals_verify_file_in_input_order() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let opts = options(&pki, now);
    let dir = common::temp_dir();
    let d = dir.path();
    let write = |name: &str, bytes: &[u8]| {
        let p = d.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let one = signed_by(&base(Base::Table), &pki, &[3], now);
    let three = signed_by(&base(Base::Stream), &pki, &[0, 3, 5], now);
    let mut paths: Vec<PathBuf> = Vec::new();
    for i in 0..4 {
        paths.push(write(&format!("valid-{i}.pdf"), &one));
        paths.push(write(&format!("three-{i}.pdf"), &three));
        paths.push(write(&format!("tampered-{i}.pdf"), &tamper(&three)));
        paths.push(write(&format!("unsigned-{i}.pdf"), &base(Base::Table)));
        paths.push(write(&format!("page-{i}.pdf"), b"<html>not a PDF</html>"));
        paths.push(d.join(format!("missing-{i}.pdf")));
    }

    let calls = std::sync::atomic::AtomicUsize::new(0);
    let result = batch_with_progress(&paths, &opts, &|_| {
        calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    assert_eq!(calls.into_inner(), paths.len());
    assert_eq!(result.items.len(), paths.len());
    let mut expected = BatchSummary::default();
    for (item, path) in result.items.iter().zip(&paths) {
        assert_eq!(&item.path, path);
        let alone = verify_file(path, &opts);
        expected.add(FileOutcome::of(&alone));
        match (&item.result, alone) {
            (Ok(a), Ok(b)) => assert_eq!(a.to_json(), b.to_json(), "{}", path.display()),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("{}: {a:?} / {b:?}", path.display()),
        }
    }
    assert_eq!(result.summary, expected);
    assert_eq!(
        (
            result.summary.files,
            result.summary.valid,
            result.summary.invalid,
            result.summary.indeterminate,
            result.summary.errors
        ),
        (24, 8, 4, 4, 8)
    );
    let outcomes: Vec<FileOutcome> = result.items.iter().map(|i| i.outcome()).collect();
    assert_eq!(
        &outcomes[..6],
        [
            FileOutcome::Valid,
            FileOutcome::Valid,
            FileOutcome::Invalid,
            FileOutcome::Indeterminate,
            FileOutcome::Error,
            FileOutcome::Error
        ]
    );
    assert!(!result.summary.all_valid());
    assert!(batch(&paths[..2], &opts).summary.all_valid());
    assert_eq!(batch(&[], &opts).summary, BatchSummary::default());
}

#[test]
fn pdf_files_in_walks_subdirectories_sorted() {
    let dir = common::temp_dir();
    let d = dir.path();
    std::fs::create_dir_all(d.join("b/c")).unwrap();
    for name in [
        "z.pdf",
        "a.PDF",
        "notes.txt",
        "b/y.pdf",
        "b/c/x.pdf",
        "b/c/readme",
    ] {
        std::fs::write(d.join(name), b"").unwrap();
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink(d, d.join("b/loop")).unwrap();
    let found: Vec<String> = pdf_files_in(d)
        .unwrap()
        .iter()
        .map(|p| p.strip_prefix(d).unwrap().display().to_string())
        .collect();
    assert_eq!(found, ["a.PDF", "b/c/x.pdf", "b/y.pdf", "z.pdf"]);
    assert!(pdf_files_in(&d.join("nowhere")).is_err());
}

fn kyso_verify(root: &Path, args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(common::keys::kyso_bin())
        .arg("verify")
        .arg("--trust")
        .arg(root)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_directory_jsonl_and_summary() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let d = dir.path();
    let root = pki.write_root(d);
    let docs = d.join("docs");
    std::fs::create_dir_all(docs.join("sub")).unwrap();
    let good = signed_by(&base(Base::Table), &pki, &[3, 0], now);
    std::fs::write(docs.join("1-good.pdf"), &good).unwrap();
    std::fs::write(docs.join("2-tampered.pdf"), tamper(&good)).unwrap();
    std::fs::write(docs.join("3-unsigned.pdf"), base(Base::Table)).unwrap();
    std::fs::write(docs.join("4-html.pdf"), b"<html>no</html>").unwrap();
    std::fs::write(docs.join("sub/5-good.pdf"), &good).unwrap();
    std::fs::write(docs.join("notes.txt"), b"skip me").unwrap();

    let o = kyso_verify(&root, &["--jsonl".as_ref(), docs.as_os_str()]);
    let stdout = String::from_utf8(o.stdout).unwrap();
    let stderr = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    let files: Vec<String> = lines
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["file"].as_str().unwrap().to_string()
        })
        .collect();
    for (f, want) in files.iter().zip([
        "1-good.pdf",
        "2-tampered.pdf",
        "3-unsigned.pdf",
        "4-html.pdf",
        "sub/5-good.pdf",
    ]) {
        assert!(f.ends_with(want), "{files:?}");
    }
    let first: VerificationReport = serde_json::from_str(lines[0]).unwrap();
    assert!(first.all_passed(), "{}", lines[0]);
    let error: serde_json::Value = serde_json::from_str(lines[3]).unwrap();
    assert!(error["error"].as_str().unwrap().contains("4-html.pdf"));
    // No progress bar (not a terminal): the error line and the summary only.
    let err_lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(err_lines.len(), 2, "{stderr}");
    assert!(err_lines[0].contains("4-html.pdf"), "{stderr}");
    assert_eq!(
        err_lines[1],
        "kyso: 5 file(s): 2 valid, 1 invalid, 1 indeterminate, 1 error(s)"
    );

    // Text reports for two files, one worker: the summary, exit 1 for the tampered file.
    let o = kyso_verify(
        &root,
        &[
            "--jobs".as_ref(),
            "1".as_ref(),
            docs.join("1-good.pdf").as_os_str(),
            docs.join("2-tampered.pdf").as_os_str(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(o.stderr).unwrap().trim_end(),
        "kyso: 2 file(s): 1 valid, 1 invalid, 0 indeterminate, 0 error(s)"
    );
    // --json keeps one JSON document and no summary line.
    let o = kyso_verify(&root, &["--json".as_ref(), docs.join("sub").as_os_str()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stderr.is_empty());
    let all: Vec<VerificationReport> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(all.len(), 1);
    // A directory without PDFs is an error.
    let empty = d.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = kyso_verify(&root, &[empty.as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn cli_keeps_input_order_across_output_slices() {
    // More files than the CLI verifies before writing out (256): order and counts hold.
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let d = dir.path();
    let root = pki.write_root(d);
    let docs = d.join("many");
    std::fs::create_dir_all(&docs).unwrap();
    let good = signed_by(&base(Base::Table), &pki, &[3], now);
    let unsigned = base(Base::Table);
    for i in 0..300 {
        let bytes = match i {
            0 | 299 => good.clone(),
            270 => tamper(&good),
            _ => unsigned.clone(),
        };
        std::fs::write(docs.join(format!("{i:03}.pdf")), bytes).unwrap();
    }
    let o = kyso_verify(&root, &["--jsonl".as_ref(), docs.as_os_str()]);
    assert_eq!(o.status.code(), Some(1));
    let stdout = String::from_utf8(o.stdout).unwrap();
    let reports: Vec<VerificationReport> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 300);
    for (i, r) in reports.iter().enumerate() {
        assert!(
            r.file.as_deref().unwrap().ends_with(&format!("{i:03}.pdf")),
            "{i}: {:?}",
            r.file
        );
    }
    assert!(reports[299].all_passed());
    assert_eq!(reports[270].summary.failed, 1);
    assert_eq!(
        String::from_utf8(o.stderr).unwrap().trim_end(),
        "kyso: 300 file(s): 2 valid, 1 invalid, 297 indeterminate, 0 error(s)"
    );
}
