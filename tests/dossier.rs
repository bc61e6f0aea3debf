//! Dossiers sealed by a signed manifest: a clean dossier passes; an altered attachment, a
//! removed one, an extra one, a manifest edited or re-signed by an untrusted key, a missing
//! manifest or signature and an orphan `.p7s` are each reported precisely; the CLI; and a
//! 2 GiB dossier verified with bounded memory (`#[ignore]`: run it by hand with
//! `cargo test --release --test dossier -- --ignored`).

mod common;

use common::noise;

use common::cli::kyso;

use std::io::Write as _;
use std::path::Path;

use kyso::attachments::{attach_bytes, AttachOptions, Attachment};
use kyso::dossier::{
    render_dossier, seal_dossier, verify_dossier, write_detached_signature, DossierReport,
    FileStatus, Lang, Role, SealOptions, MANIFEST_FILE, MANIFEST_SIGNATURE_FILE,
};
use kyso::output::{OutputError, Overwrite};
use kyso::report::{Code, DocumentFormat, Indication, SubIndication, TimeSource};
use kyso::signer::Signer;
use kyso::verify::VerifyOptions;
use time::OffsetDateTime;

use common::pki::TestPki;
use common::vectors::{base, sign, Base};

const APPLICATION: &str = "đơn đề nghị.pdf";
const SCAN: &str = "scans/giấy khai sinh.jpg";
const SCAN_SIG: &str = "scans/giấy khai sinh.jpg.p7s";
const DECISION: &str = "quyết định.txt";

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn seal_opts() -> SealOptions {
    SealOptions::new()
        .role(APPLICATION, Role::Application)
        .role(DECISION, Role::Decision)
}

/// A dossier: a signed application PDF with an embedded file, a scan with its `.p7s`, an
/// unsigned decision; sealed by `sealer`.
fn make_dossier(pki: &TestPki, sealer: &dyn Signer) -> tempfile::TempDir {
    let dir = common::temp_dir();
    let d = dir.path();
    let pdf = attach_bytes(
        &base(Base::Table),
        &[Attachment::from_bytes("bản sao CCCD.png", noise(2000, 1))],
        &AttachOptions::new(),
    )
    .unwrap();
    std::fs::write(d.join(APPLICATION), sign(&pdf, &pki.p256, false, now())).unwrap();
    std::fs::create_dir(d.join("scans")).unwrap();
    std::fs::write(d.join(SCAN), noise(40_000, 2)).unwrap();
    write_detached_signature(
        &d.join(SCAN),
        &d.join(SCAN_SIG),
        &pki.rsa2048.signer(),
        None,
    )
    .unwrap();
    std::fs::write(d.join(DECISION), "Quyết định cấp giấy phép\n").unwrap();
    seal_dossier(d, sealer, &seal_opts()).unwrap();
    dir
}

fn verify(dir: &Path, pki: &TestPki) -> DossierReport {
    verify_dossier(dir, &VerifyOptions::new(pki.trust())).unwrap()
}

fn file<'a>(r: &'a DossierReport, path: &str) -> &'a kyso::dossier::DossierFileReport {
    r.files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} not in the report: {}", r.to_json()))
}

fn codes(findings: &[kyso::report::Finding]) -> Vec<Code> {
    findings.iter().map(|f| f.code).collect()
}

/// Every file but `except` is intact.
fn others_intact(r: &DossierReport, except: &[&str]) {
    for f in &r.files {
        if !except.contains(&f.path.as_str()) {
            assert_eq!(f.status, FileStatus::Intact, "{}: {:?}", f.path, f.findings);
        }
    }
}

#[test]
fn a_sealed_dossier_passes_with_every_signature_checked() {
    let pki = TestPki::generate(now());
    let dir = make_dossier(&pki, &pki.p256.signer());
    let r = verify(dir.path(), &pki);
    assert_eq!(r.indication, Indication::TotalPassed, "{}", r.to_json());
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.summary.listed, 4);
    assert_eq!(r.summary.intact, 4);
    assert_eq!(r.summary.signatures_passed, 2);
    let manifest_sig = r.manifest.signature.as_ref().unwrap();
    assert_eq!(manifest_sig.summary.passed, 1);
    // One validation time, read once, for every signature of the dossier.
    assert_eq!(r.validation_time_source, TimeSource::CurrentTime);
    assert_eq!(manifest_sig.validation_time_source, TimeSource::CurrentTime);
    for f in &r.files {
        for s in &f.signatures {
            assert_eq!(s.report.validation_time, r.validation_time);
            assert_eq!(s.report.validation_time_source, TimeSource::CurrentTime);
        }
    }
    assert_eq!(file(&r, APPLICATION).role, Some(Role::Application));
    assert_eq!(file(&r, DECISION).role, Some(Role::Decision));
    assert_eq!(file(&r, SCAN).role, Some(Role::Attachment));
    assert_eq!(file(&r, SCAN_SIG).role, Some(Role::Signature));
    // The PDF's own signature and embedded file, the scan's detached signature.
    let app = file(&r, APPLICATION);
    assert_eq!(app.signatures[0].format, DocumentFormat::Pdf);
    assert_eq!(
        app.signatures[0].report.embedded_files[0].name,
        "bản sao CCCD.png"
    );
    assert_eq!(app.signatures[0].report.embedded_files[0].covered_by, [0]);
    let scan = file(&r, SCAN);
    assert_eq!(scan.signatures[0].format, DocumentFormat::CmsDetached);
    assert_eq!(scan.signatures[0].source, SCAN_SIG);
    assert_eq!(scan.signature_indication, Some(Indication::TotalPassed));
    assert_eq!(file(&r, DECISION).signature_indication, None);

    // JSON round trip, and both languages.
    let back: DossierReport = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(back, r);
    let vi = render_dossier(&r, Lang::Vi);
    assert!(vi.contains("kết luận: HỢP LỆ (TOTAL-PASSED)"), "{vi}");
    assert!(
        vi.contains("[nguyên vẹn] quyết định.txt (quyết định)"),
        "{vi}"
    );
    let en = render_dossier(&r, Lang::En);
    assert!(en.contains("verdict: TOTAL-PASSED"), "{en}");
    assert!(
        en.contains("[intact] đơn đề nghị.pdf (application)"),
        "{en}"
    );
}

#[test]
fn an_altered_attachment_is_reported_with_its_digests() {
    let pki = TestPki::generate(now());
    let dir = make_dossier(&pki, &pki.p256.signer());
    let scan = dir.path().join(SCAN);
    let mut data = std::fs::read(&scan).unwrap();
    data[100] ^= 0x01; // same size, other content
    std::fs::write(&scan, &data).unwrap();
    let r = verify(dir.path(), &pki);
    assert_eq!(r.indication, Indication::TotalFailed);
    let f = file(&r, SCAN);
    assert_eq!(f.status, FileStatus::Altered);
    assert_eq!(f.size, f.expected_size);
    assert_ne!(f.sha256, f.expected_sha256);
    let c = codes(&f.findings);
    assert!(c.contains(&Code::DossierFileAltered), "{c:?}");
    // Its own detached signature catches it too.
    assert!(c.contains(&Code::DossierFileSignatureNotPassed), "{c:?}");
    assert_eq!(
        f.signatures[0].report.signatures[0].sub_indication,
        Some(SubIndication::HashFailure)
    );
    assert_eq!(r.summary.altered, 1);
    others_intact(&r, &[SCAN]);
    let vi = render_dossier(&r, Lang::Vi);
    assert!(
        vi.contains("[BỊ THAY ĐỔI] scans/giấy khai sinh.jpg"),
        "{vi}"
    );
}

#[test]
fn a_removed_file_is_missing() {
    let pki = TestPki::generate(now());
    let dir = make_dossier(&pki, &pki.p256.signer());
    std::fs::remove_file(dir.path().join(DECISION)).unwrap();
    let r = verify(dir.path(), &pki);
    assert_eq!(r.indication, Indication::TotalFailed);
    let f = file(&r, DECISION);
    assert_eq!(f.status, FileStatus::Missing);
    assert_eq!(codes(&f.findings), [Code::DossierFileMissing]);
    assert_eq!(r.summary.missing, 1);
    others_intact(&r, &[DECISION]);
}

#[test]
fn an_extra_file_is_reported() {
    let pki = TestPki::generate(now());
    let dir = make_dossier(&pki, &pki.p256.signer());
    std::fs::write(dir.path().join("scans/ghi chú thêm.txt"), "thêm").unwrap();
    let r = verify(dir.path(), &pki);
    assert_eq!(r.indication, Indication::TotalFailed);
    let f = file(&r, "scans/ghi chú thêm.txt");
    assert_eq!(f.status, FileStatus::Extra);
    assert_eq!(f.role, None);
    assert_eq!(f.size, Some("thêm".len() as u64));
    assert_eq!(codes(&f.findings), [Code::DossierFileExtra]);
    assert_eq!(r.summary.extra, 1);
    others_intact(&r, &["scans/ghi chú thêm.txt"]);
}

#[test]
fn a_manifest_re_signed_by_an_untrusted_key_is_not_trusted() {
    let pki = TestPki::generate(now());
    let dir = make_dossier(&pki, &pki.p256.signer());
    // The attack: change a file, then reseal the dossier with one's own key.
    std::fs::write(dir.path().join(DECISION), "Quyết định đã bị sửa\n").unwrap();
    let mut opts = seal_opts();
    opts.overwrite = Overwrite::Replace;
    seal_dossier(dir.path(), &pki.untrusted.signer(), &opts).unwrap();
    let r = verify(dir.path(), &pki);
    assert_eq!(r.indication, Indication::Indeterminate, "{}", r.to_json());
    assert_eq!(
        codes(&r.findings),
        [Code::DossierManifestSignatureNotPassed]
    );
    let sig = &r.manifest.signature.as_ref().unwrap().signatures[0];
    assert_eq!(sig.indication, Indication::Indeterminate);
    assert_eq!(
        sig.sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
    assert!(sig.signer.as_ref().unwrap().subject.contains("CN="));
    // The files match the (untrusted) manifest.
    others_intact(&r, &[]);
    let en = render_dossier(&r, Lang::En);
    assert!(en.contains("NO_CERTIFICATE_CHAIN_FOUND"), "{en}");
}

#[test]
fn a_manifest_edited_after_signing_fails() {
    let pki = TestPki::generate(now());
    let dir = make_dossier(&pki, &pki.p256.signer());
    let path = dir.path().join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    // Give the decision another role: an edit the signature over the manifest catches.
    let edited = text.replacen("\"role\": \"decision\"", "\"role\": \"signature\"", 1);
    assert_ne!(edited, text);
    std::fs::write(&path, edited).unwrap();
    let r = verify(dir.path(), &pki);
    assert_eq!(r.indication, Indication::TotalFailed);
    assert_eq!(
        codes(&r.findings),
        [
            Code::DossierManifestSignatureNotPassed,
            Code::DossierManifestNotCompared
        ]
    );
    let sig = &r.manifest.signature.as_ref().unwrap().signatures[0];
    assert_eq!(sig.sub_indication, Some(SubIndication::HashFailure));
    // The edited entries are not trusted: nothing is compared with them, nothing parsed.
    assert!(r
        .files
        .iter()
        .all(|f| f.status == FileStatus::Unverified && f.role.is_none() && f.sha256.is_some()));
    assert_eq!(r.manifest.schema_version, None);
}

#[test]
fn a_missing_manifest_or_signature_and_an_orphan_signature_are_reported() {
    let pki = TestPki::generate(now());
    let dir = make_dossier(&pki, &pki.p256.signer());
    std::fs::remove_file(dir.path().join(MANIFEST_SIGNATURE_FILE)).unwrap();
    let r = verify(dir.path(), &pki);
    assert_eq!(r.indication, Indication::TotalFailed);
    assert_eq!(
        codes(&r.findings),
        [
            Code::DossierManifestUnsigned,
            Code::DossierManifestNotCompared
        ]
    );
    assert!(r.manifest.signature.is_none());
    assert_eq!(r.summary.unverified, r.files.len());

    std::fs::remove_file(dir.path().join(MANIFEST_FILE)).unwrap();
    let r = verify(dir.path(), &pki);
    assert_eq!(r.indication, Indication::TotalFailed);
    assert_eq!(codes(&r.findings), [Code::DossierManifestMissing]);
    assert!(r.files.iter().all(|f| f.status == FileStatus::Extra));

    let dir = make_dossier(&pki, &pki.p256.signer());
    std::fs::remove_file(dir.path().join(SCAN)).unwrap();
    let r = verify(dir.path(), &pki);
    assert_eq!(file(&r, SCAN).status, FileStatus::Missing);
    assert!(codes(&file(&r, SCAN_SIG).findings).contains(&Code::DossierOrphanSignature));

    // A malformed manifest is judged as such once its signature verifies over it; with the
    // old signature it is not parsed at all.
    std::fs::write(dir.path().join(MANIFEST_FILE), "{\"format\": 1}").unwrap();
    let r = verify(dir.path(), &pki);
    assert!(codes(&r.findings).contains(&Code::DossierManifestNotCompared));
    assert_eq!(r.indication, Indication::TotalFailed);
    write_detached_signature(
        &dir.path().join(MANIFEST_FILE),
        kyso::output::Target::new(&dir.path().join(MANIFEST_SIGNATURE_FILE))
            .overwrite(kyso::output::Overwrite::Replace),
        &pki.p256.signer(),
        None,
    )
    .unwrap();
    let r = verify(dir.path(), &pki);
    assert!(codes(&r.findings).contains(&Code::DossierManifestMalformed));
    assert_eq!(r.indication, Indication::TotalFailed);
}

#[test]
fn sealing_refuses_to_overwrite_links_and_unknown_role_paths() {
    let pki = TestPki::generate(now());
    let dir = make_dossier(&pki, &pki.p256.signer());
    let err = seal_dossier(dir.path(), &pki.p256.signer(), &seal_opts()).unwrap_err();
    assert!(
        matches!(err, kyso::Error::Output(OutputError::Exists { .. })),
        "{err}"
    );
    let mut force = seal_opts().role("nope.pdf", Role::Decision);
    force.overwrite = Overwrite::Replace;
    let err = seal_dossier(dir.path(), &pki.p256.signer(), &force).unwrap_err();
    assert!(err.to_string().contains("nope.pdf"), "{err}");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/hostname", dir.path().join("link")).unwrap();
        let mut opts = seal_opts();
        opts.overwrite = Overwrite::Replace;
        let err = seal_dossier(dir.path(), &pki.p256.signer(), &opts).unwrap_err();
        assert!(err.to_string().contains("regular file"), "{err}");
        // Verification reports the link without following it.
        let r = verify(dir.path(), &pki);
        assert_eq!(file(&r, "link").status, FileStatus::Extra);
        std::fs::remove_file(dir.path().join("link")).unwrap();
        // A manifest that is a symbolic link is neither written through nor replaced,
        // even when replacing is asked for.
        let elsewhere = dir.path().join("elsewhere.json");
        std::fs::write(&elsewhere, b"keep").unwrap();
        let manifest = dir.path().join(kyso::dossier::MANIFEST_FILE);
        std::fs::remove_file(&manifest).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &manifest).unwrap();
        let err = seal_dossier(dir.path(), &pki.p256.signer(), &opts).unwrap_err();
        assert!(
            matches!(err, kyso::Error::Output(OutputError::Symlink { .. })),
            "{err}"
        );
        assert_eq!(std::fs::read(&elsewhere).unwrap(), b"keep");
    }
}

#[test]
fn cli_seal_and_verify() {
    let pki = TestPki::generate(now());
    let dir = make_dossier(&pki, &pki.p256.signer());
    let keys = common::temp_dir();
    let root = pki.write_root(keys.path());
    let (key, cert, chain) = pki.p384.write_pem(keys.path());
    let os = std::ffi::OsStr::new;
    let o = kyso([
        os("dossier"),
        os("seal"),
        os("--key"),
        key.as_os_str(),
        os("--cert"),
        cert.as_os_str(),
        os("--chain"),
        chain.as_os_str(),
        os("--application"),
        os(APPLICATION),
        os("--id"),
        os("HS-2026-000123"),
        os("--force"),
        dir.path().as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let verify_args = |extra: &[&str]| {
        let mut args = vec![os("dossier"), os("verify"), os("--trust"), root.as_os_str()];
        args.extend(extra.iter().map(|s| os(s)));
        args.push(dir.path().as_os_str());
        kyso(&args)
    };
    let o = verify_args(&["--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let r: DossierReport = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r.manifest.dossier_id.as_deref(), Some("HS-2026-000123"));
    assert_eq!(r.indication, Indication::TotalPassed);

    std::fs::write(dir.path().join(DECISION), "sửa").unwrap();
    let o = verify_args(&["--lang", "vi"]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("[BỊ THAY ĐỔI] quyết định.txt"), "{text}");
    assert!(
        text.contains("kết luận: KHÔNG HỢP LỆ (TOTAL-FAILED)"),
        "{text}"
    );
    let o = verify_args(&["--lang", "en"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("[ALTERED] quyết định.txt"), "{text}");

    let o = kyso([os("dossier"), os("verify"), os("/nonexistent/dossier")]);
    assert_eq!(o.status.code(), Some(2));
}

// ---------------------------------------------------------------------------------------------
// A 2 GiB dossier, generated on disk in 1 MiB chunks, verified with bounded memory.

const MIB: u64 = 1 << 20;

/// Writes `len` bytes of a cheap pseudo-random pattern in 1 MiB chunks.
fn write_pattern(out: &mut impl std::io::Write, len: u64, seed: u64) {
    let mut chunk = noise(MIB as usize, seed);
    let mut written = 0u64;
    let mut counter = 0u64;
    while written < len {
        chunk[..8].copy_from_slice(&counter.to_le_bytes());
        let n = (len - written).min(MIB) as usize;
        out.write_all(&chunk[..n]).unwrap();
        written += n as u64;
        counter += 1;
    }
}

/// A PDF with one page and one uncompressed embedded file of `len` bytes, streamed.
fn write_big_pdf(path: &Path, len: u64) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut pos = 0u64;
    let mut offsets = Vec::new();
    let put = |f: &mut std::io::BufWriter<std::fs::File>, pos: &mut u64, s: &[u8]| {
        f.write_all(s).unwrap();
        *pos += s.len() as u64;
    };
    put(&mut f, &mut pos, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
    let objects: [&str; 4] = [
        "<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(scan-lon.tif) 4 0 R] >> >> >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        "<< /Type /Filespec /F (scan-lon.tif) /UF (scan-lon.tif) /EF << /F 5 0 R >> >>",
    ];
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pos);
        put(
            &mut f,
            &mut pos,
            format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes(),
        );
    }
    offsets.push(pos);
    put(
        &mut f,
        &mut pos,
        format!(
            "5 0 obj\n<< /Type /EmbeddedFile /Subtype /image#2Ftiff /Length {len} >>\nstream\n"
        )
        .as_bytes(),
    );
    write_pattern(&mut f, len, 99);
    pos += len;
    put(&mut f, &mut pos, b"\nendstream\nendobj\n");
    let xref = pos;
    let mut table = String::from("xref\n0 6\n0000000000 65535 f \n");
    for o in &offsets {
        table.push_str(&format!("{o:010} 00000 n \n"));
    }
    table.push_str(&format!(
        "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ));
    put(&mut f, &mut pos, table.as_bytes());
    f.flush().unwrap();
}

/// Peak resident memory of this process, from `/proc/self/status` (KiB).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
#[ignore = "writes 2.5 GiB to disk; 18 s to 70 s depending on load; run by hand"]
fn a_two_gigabyte_dossier_verifies_in_bounded_memory() {
    let started = std::time::Instant::now();
    let pki = TestPki::generate(now());
    let dir = common::temp_dir();
    let d = dir.path();
    // 512 MiB signed PDF whose embedded file is the whole 512 MiB.
    let unsigned = d.join("unsigned.tmp");
    write_big_pdf(&unsigned, 512 * MIB - 4096);
    let signer = pki.p256.signer();
    kyso::sign::sign_file(
        &unsigned,
        &d.join("hồ sơ lớn.pdf"),
        &signer,
        &kyso::sign::SignOptions::new(),
    )
    .unwrap();
    std::fs::remove_file(&unsigned).unwrap();
    // 1 GiB scan with a detached signature, 512 MiB other file.
    let scan = d.join("bản quét 1.bin");
    write_pattern(
        &mut std::io::BufWriter::new(std::fs::File::create(&scan).unwrap()),
        1024 * MIB,
        5,
    );
    write_detached_signature(&scan, &d.join("bản quét 1.bin.p7s"), &signer, None).unwrap();
    write_pattern(
        &mut std::io::BufWriter::new(std::fs::File::create(d.join("bản quét 2.bin")).unwrap()),
        512 * MIB,
        6,
    );
    let generated = started.elapsed();
    seal_dossier(d, &signer, &SealOptions::new()).unwrap();
    let sealed = started.elapsed();

    let r = verify(d, &pki);
    let verified = started.elapsed();
    let total: u64 = r.files.iter().filter_map(|f| f.size).sum();
    assert!(total >= 2048 * MIB - 8192, "{total} bytes");
    assert_eq!(r.indication, Indication::TotalPassed, "{}", r.to_json());
    assert_eq!(r.summary.signatures_passed, 2);
    let pdf = file(&r, "hồ sơ lớn.pdf");
    assert_eq!(
        pdf.signatures[0].report.embedded_files[0].size,
        Some(512 * MIB - 4096)
    );

    let peak = peak_rss_kib();
    eprintln!(
        "2 GiB dossier: generated in {:.1?}, sealed in {:.1?}, verified in {:.1?}; peak RSS of \
         the test process {} KiB",
        generated,
        sealed - generated,
        verified - sealed,
        peak.map_or_else(|| "?".to_owned(), |p| p.to_string())
    );
    if let Some(peak) = peak {
        assert!(peak < 64 * 1024, "peak RSS {peak} KiB is not under 64 MiB");
    }

    // The same through the command line, measured by /usr/bin/time.
    if let Some(time) = common::tool("time") {
        let keys = common::temp_dir();
        let root = pki.write_root(keys.path());
        let out = std::process::Command::new(&time)
            .args(["-f", "%M"])
            .arg(env!("CARGO_BIN_EXE_kyso"))
            .args(["dossier", "verify", "--trust"])
            .arg(&root)
            .arg(d)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let stderr = String::from_utf8_lossy(&out.stderr);
        let kib: u64 = stderr
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("no %M in {stderr}"));
        eprintln!("kyso dossier verify: max RSS {kib} KiB");
        assert!(kib < 64 * 1024, "CLI peak RSS {kib} KiB");
    }
}

/// `name` with its precomposed Vietnamese letters decomposed (NFD), as macOS stores names.
fn nfd(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfd().collect()
}

#[test]
fn names_are_compared_in_nfc_and_equal_names_are_a_conflict() {
    let pki = TestPki::generate(now());
    let dir = make_dossier(&pki, &pki.p256.signer());
    let d = dir.path();
    // The decision renamed to its decomposed form (a copy from a Mac): the same name.
    assert_ne!(nfd(DECISION), DECISION);
    std::fs::rename(d.join(DECISION), d.join(nfd(DECISION))).unwrap();
    let r = verify(d, &pki);
    assert_eq!(r.indication, Indication::TotalPassed, "{}", r.to_json());
    assert_eq!(file(&r, DECISION).status, FileStatus::Intact);
    others_intact(&r, &[]);

    // Both forms on disk: which one the manifest means cannot be told.
    std::fs::write(d.join(DECISION), "Quyết định khác\n").unwrap();
    let r = verify(d, &pki);
    assert_eq!(r.indication, Indication::TotalFailed);
    let conflicting: Vec<_> = r
        .files
        .iter()
        .filter(|f| f.status == FileStatus::Conflict)
        .collect();
    assert_eq!(conflicting.len(), 2, "{}", r.to_json());
    for f in conflicting {
        assert!(codes(&f.findings).contains(&Code::DossierNameConflict));
        assert_eq!(f.role, Some(Role::Decision));
    }
    assert!(r.files.iter().all(|f| f.status != FileStatus::Missing));

    // Sealing refuses two such names, and writes NFC names.
    let mut opts = seal_opts();
    opts.overwrite = kyso::output::Overwrite::Replace;
    let err = seal_dossier(d, &pki.p256.signer(), &opts).unwrap_err();
    assert!(err.to_string().contains("NFC"), "{err}");
    std::fs::remove_file(d.join(DECISION)).unwrap();
    let sealed = seal_dossier(d, &pki.p256.signer(), &opts).unwrap();
    assert!(sealed.contents.files.iter().any(|f| f.path == DECISION));
}

/// A manifest listing `entries` files, of which the first `present` exist in `d`
/// (`f/NNNNNN.txt`, each holding its number).
fn large_dossier(d: &Path, present: usize, entries: usize) -> Vec<u8> {
    std::fs::create_dir(d.join("f")).unwrap();
    let mut json = String::from(
        "{\n  \"format\": \"kyso-dossier-manifest\",\n  \"schema_version\": 1,\n  \
         \"created\": \"2026-11-26T03:00:00Z\",\n  \"files\": [\n",
    );
    for i in 0..entries {
        let content = i.to_string();
        if i < present {
            std::fs::write(d.join(format!("f/{i:06}.txt")), &content).unwrap();
        }
        let sha: String =
            kyso::crypto::digest(kyso::crypto::DigestAlgorithm::Sha256, content.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
        json.push_str(&format!(
            "    {{\"path\": \"f/{i:06}.txt\", \"role\": \"attachment\", \"size\": {}, \"sha256\": \"{sha}\"}}{}\n",
            content.len(),
            if i + 1 < entries { "," } else { "" }
        ));
    }
    json.push_str("  ]\n}\n");
    json.into_bytes()
}

#[test]
fn verification_is_linear_in_files_and_entries() {
    // 20 000 files and a 300 000-entry manifest took 30 s when each file was looked up in
    // the list of entries. Generous bounds for debug builds; release is far below.
    let (files, entries) = (20_000, 300_000);
    let bound = std::time::Duration::from_secs(if cfg!(debug_assertions) { 120 } else { 10 });
    let pki = TestPki::generate(now());
    let dir = common::temp_dir();
    let d = dir.path();
    let manifest = large_dossier(d, files, entries);
    std::fs::write(d.join(MANIFEST_FILE), &manifest).unwrap();

    // Unsigned: not parsed, not compared.
    let started = std::time::Instant::now();
    let r = verify(d, &pki);
    let unsigned = started.elapsed();
    assert_eq!(r.indication, Indication::TotalFailed);
    assert_eq!(r.files.len(), files);
    assert_eq!(r.summary.unverified, files);
    assert!(unsigned < bound, "{unsigned:?}");

    // Signed: every entry compared, through one map.
    write_detached_signature(
        &d.join(MANIFEST_FILE),
        &d.join(MANIFEST_SIGNATURE_FILE),
        &pki.p256.signer(),
        None,
    )
    .unwrap();
    let started = std::time::Instant::now();
    let r = verify(d, &pki);
    let signed = started.elapsed();
    eprintln!("{files} files, {entries} entries: unsigned {unsigned:?}, signed {signed:?}");
    assert_eq!(r.summary.intact, files, "{:?}", r.findings);
    assert_eq!(r.summary.missing, entries - files);
    assert_eq!(r.files.len(), entries);
    assert!(signed < bound, "{signed:?}");
}
