//! One budget per document (issue 16, item 1): a thousand file specifications pointing at one
//! Flate bomb cost one decoding, not a thousand; a verification that runs out of its
//! per-document budget (decoded bytes, deadline) ends quickly with
//! `budget.document_exhausted` and no signature passes; `kyso verify` does the same in
//! bounded time and memory.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use flate2::{Compress, Compression, FlushCompress};
use kyso::budget::DocumentBudget;
use kyso::report::{Code, Indication, VerificationReport};
use kyso::sign::{sign_bytes, SignOptions};
use kyso::verify::{verify_bytes, VerifyOptions};
use time::OffsetDateTime;

use common::pki::TestPki;

const MIB: usize = 1 << 20;
/// What the bomb inflates to: small enough for a debug-build test, far above the budgets the
/// tests set.
const BOMB: usize = 64 * MIB;
const SPECS: usize = 1000;

/// Raw deflate data that inflates to `len` zero bytes (a whole number of MiB): one MiB
/// compressed with a full flush (which resets the history, so every MiB compresses to the
/// same bytes), repeated, then an empty final stored block.
fn zeros_deflated(len: usize) -> Vec<u8> {
    let zeros = vec![0u8; MIB];
    let mut c = Compress::new(Compression::best(), false);
    let mut segment = Vec::with_capacity(MIB);
    c.compress_vec(&zeros, &mut segment, FlushCompress::Full)
        .unwrap();
    let mut out = Vec::new();
    for _ in 0..len / MIB {
        out.extend_from_slice(&segment);
    }
    // BFINAL=1, BTYPE=00 (stored), LEN=0, NLEN=0xFFFF.
    out.extend_from_slice(&[0x01, 0x00, 0x00, 0xff, 0xff]);
    out
}

/// A PDF whose `/EmbeddedFiles` name tree lists `specs` file specifications, all pointing at
/// one embedded file stream that inflates to `bomb` bytes.
fn shared_bomb_pdf(specs: usize, bomb: usize) -> Vec<u8> {
    let data = zeros_deflated(bomb);
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let first_spec = 5;
    objects.push(b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>".to_vec());
    let page = first_spec + specs;
    objects.push(format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>").into_bytes());
    let mut names = String::from("<< /Names [");
    for i in 0..specs {
        names.push_str(&format!(" (f{i:04}) {} 0 R", first_spec + i));
    }
    names.push_str(" ] >>");
    objects.push(names.into_bytes());
    let mut stream = format!(
        "<< /Type /EmbeddedFile /Filter /FlateDecode /Length {} >>\nstream\n",
        data.len()
    )
    .into_bytes();
    stream.extend_from_slice(&data);
    stream.extend_from_slice(b"\nendstream");
    objects.push(stream);
    for i in 0..specs {
        objects.push(
            format!("<< /Type /Filespec /F (f{i:04}.bin) /UF (f{i:04}.bin) /EF << /F 4 0 R >> >>")
                .into_bytes(),
        );
    }
    objects.push(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec());
    let mut pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn codes(r: &VerificationReport) -> Vec<Code> {
    r.findings.iter().map(|f| f.code).collect()
}

/// The bomb document, signed by a trusted test signer (the signature covers the files).
fn signed_bomb(pki: &TestPki) -> Vec<u8> {
    let pdf = shared_bomb_pdf(SPECS, BOMB);
    sign_bytes(
        &pdf,
        &pki.p256.signer(),
        &SignOptions::new().signing_time(now()),
    )
    .unwrap()
}

#[test]
fn a_stream_shared_by_a_thousand_file_specifications_is_decoded_once() {
    let pki = TestPki::generate(now());
    let pdf = signed_bomb(&pki);
    assert!(pdf.len() < 2 * MIB, "{} bytes", pdf.len());
    // Room for one decoding of the bomb, not two: decoding it once per specification would
    // run out after the first.
    let budget = DocumentBudget::default().max_decoded_bytes((BOMB + BOMB / 2) as u64);
    let opts = VerifyOptions::new(pki.trust())
        .validation_time(now())
        .document_budget(budget);
    let started = Instant::now();
    let r = verify_bytes(&pdf, &opts).unwrap();
    let took = started.elapsed();
    assert!(
        !codes(&r).contains(&Code::BudgetDocumentExhausted),
        "{codes:?}",
        codes = codes(&r)
    );
    // Every specification is still listed, with the content's size and digest.
    assert_eq!(r.embedded_files.len(), SPECS);
    let first = &r.embedded_files[0];
    assert_eq!(first.size, Some(BOMB as u64));
    assert!(r
        .embedded_files
        .iter()
        .all(|f| f.size == first.size && f.sha256 == first.sha256 && f.covered_by == [0]));
    assert_eq!(r.signatures.len(), 1);
    assert_eq!(
        r.signatures[0].indication,
        Indication::TotalPassed,
        "{}",
        r.to_json()
    );
    assert!(took < Duration::from_secs(120), "{took:?}");
}

#[test]
fn a_bomb_past_the_document_budget_ends_quickly_and_nothing_passes() {
    let pki = TestPki::generate(now());
    let pdf = signed_bomb(&pki);
    let budget = DocumentBudget::default().max_decoded_bytes((BOMB / 4) as u64);
    let opts = VerifyOptions::new(pki.trust())
        .validation_time(now())
        .document_budget(budget);
    let started = Instant::now();
    let r = verify_bytes(&pdf, &opts).unwrap();
    let took = started.elapsed();
    let c = codes(&r);
    assert!(c.contains(&Code::BudgetDocumentExhausted), "{c:?}");
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::BudgetDocumentExhausted)
        .unwrap();
    assert!(f.message.contains(&(BOMB / 4).to_string()), "{}", f.message);
    // The files are listed, none with a digest: each says why.
    assert_eq!(r.embedded_files.len(), SPECS);
    assert!(r.embedded_files.iter().all(|f| f.sha256.is_none()));
    assert_eq!(
        c.iter().filter(|c| **c == Code::EmbeddedUnreadable).count(),
        SPECS
    );
    // The signature was fine, but the document was not fully examined: never a pass.
    let s = &r.signatures[0];
    assert_eq!(s.indication, Indication::Indeterminate);
    assert!(s
        .findings
        .iter()
        .any(|f| f.code == Code::BudgetDocumentExhausted));
    assert!(!r.all_passed());
    assert!(took < Duration::from_secs(60), "{took:?}");
}

#[test]
fn past_the_deadline_no_signature_is_checked_or_passes() {
    let pki = TestPki::generate(now());
    let pdf = sign_bytes(
        &shared_bomb_pdf(3, MIB),
        &pki.p256.signer(),
        &SignOptions::new().signing_time(now()),
    )
    .unwrap();
    let opts = VerifyOptions::new(pki.trust()).validation_time(now());
    assert!(verify_bytes(&pdf, &opts).unwrap().all_passed());
    let opts = opts.document_budget(DocumentBudget::default().deadline(Some(Duration::ZERO)));
    let r = verify_bytes(&pdf, &opts).unwrap();
    assert!(codes(&r).contains(&Code::BudgetDocumentExhausted));
    let s = &r.signatures[0];
    assert_eq!(s.indication, Indication::Indeterminate);
    assert!(s.findings.iter().any(|f| f.message.contains("deadline")));
}

#[test]
fn kyso_verify_and_attachments_list_stop_at_the_budget_in_bounded_time_and_memory() {
    let dir = common::temp_dir();
    let path = dir.path().join("shared-bomb.pdf");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(&shared_bomb_pdf(SPECS, BOMB))
        .unwrap();
    let time = common::find_on_path("time").filter(|p| p.starts_with("/usr/bin"));
    let run = |args: &[&str]| {
        let mut cmd = match &time {
            Some(t) => {
                let mut c = std::process::Command::new(t);
                c.args(["-f", "%M KiB"]).arg(common::keys::kyso_bin());
                c
            }
            None => std::process::Command::new(common::keys::kyso_bin()),
        };
        let started = Instant::now();
        let out = cmd.args(args).arg(&path).output().unwrap();
        (out, started.elapsed())
    };
    let (out, took) = run(&["verify", "--json", "--max-decoded", "16M"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stdout.contains("budget.document_exhausted"), "{stdout}");
    assert!(took < Duration::from_secs(60), "{took:?}");
    if time.is_some() {
        let kib: u64 = stderr
            .lines()
            .rev()
            .find_map(|l| l.strip_suffix(" KiB")?.trim().parse().ok())
            .unwrap();
        // The bomb never sits in memory: a 64 MiB stream, 16 MiB budget, 1 000 files.
        assert!(kib < 200 * 1024, "{kib} KiB");
    }
    let (out, took) = run(&["attachments", "list", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), SPECS);
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["size"] == serde_json::json!(BOMB)));
    assert!(took < Duration::from_secs(120), "{took:?}");
}
