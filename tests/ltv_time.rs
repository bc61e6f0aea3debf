//! Long-term validation over time (ETSI EN 319 102-1 §5.6.3, §5.6.2.4, §5.2.5), with the
//! real OpenSSL timestamp authority (`openssl ts -reply`, in process) and OCSP responder
//! (`openssl ocsp` on 127.0.0.1) of `common::ltv_pki`, and `VerifyOptions::validation_time`
//! (`--at`) to travel: the signer's certificate lasts 100 days, the first authority's five
//! years, the second authority's eight, the root's ten; a third authority's certificate
//! expires seconds after the PKI is made. Verification is offline: only the file's data
//! and what the test gives count.
//!
//! pyHanko's AdES process (`simulate_future_ades_lta_validation`) is asked about the same
//! files when it is installed (`common::interop::Pyhanko`).

mod common;

use std::path::{Path, PathBuf};

use common::interop::Pyhanko;
use common::ltv_pki::{pyhanko_ades, LtvPki, SHORT_TSA_SECONDS};
use common::tsa::Behaviour;
use common::{sample_pdf, SampleXref};
use kyso::ltv::{add_validation_data, archive, LtvOptions};
use kyso::pki::{Origin, RevocationData, RevocationMode, RevocationPolicy};
use kyso::report::{Code, Indication, SignatureKind, SignatureReport, VerificationReport};
use kyso::sign::{sign_bytes, DocTimestampOptions, SignOptions, Timestamping};
use kyso::verify::{verify_file, Policy, VerifyOptions};
use time::{Duration, OffsetDateTime};

const YEAR: i64 = 365;

struct Setup {
    pki: LtvPki,
    responder: Option<common::ltv_pki::KillOnDrop>,
}

impl Setup {
    fn new() -> Option<Setup> {
        let pki = LtvPki::new()?;
        let responder = Some(pki.start_responder(pki.ocsp_port));
        Some(Setup { pki, responder })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.pki.path(name)
    }

    fn signed(&self, name: &str, with_timestamp: bool) -> PathBuf {
        let mut opts = SignOptions::new().field_name("Signature1");
        if with_timestamp {
            opts = opts.timestamp(self.pki.timestamping(Behaviour::Honest));
        }
        let bytes = sign_bytes(&sample_pdf(SampleXref::Table), &self.pki.signer(), &opts).unwrap();
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn ocsp(&self, which: &[&str]) -> RevocationData {
        // Gathered a little after the proof of existence, as in real life (freshness).
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let mut data = RevocationData::new();
        for w in which {
            data.add_ocsp_der(&self.pki.fetch_ocsp(w, self.pki.ocsp_port), Origin::Caller)
                .unwrap();
        }
        data
    }

    fn ltv_options(&self, which: &[&str]) -> LtvOptions {
        let mut o = LtvOptions::new(self.pki.trust());
        o.revocation = self.ocsp(which);
        o
    }

    /// B-LT: the signature timestamp's validation data in the /DSS, no document timestamp.
    fn b_lt(&self, name: &str) -> PathBuf {
        let bt = self.signed(&format!("{name}-bt.pdf"), true);
        let out = self.path(name);
        let o = add_validation_data(&bt, &out, &self.ltv_options(&["signer", "tsa"])).unwrap();
        assert!(o.complete(), "{o:#?}");
        out
    }

    /// B-LTA over `input` with `tsa`.
    fn archived(&self, input: &Path, name: &str, which: &[&str], tsa: &Timestamping) -> PathBuf {
        let out = self.path(name);
        archive(
            input,
            &out,
            &self.ltv_options(which),
            tsa,
            &DocTimestampOptions::new(),
        )
        .unwrap();
        out
    }
}

fn at(pki: &LtvPki, days: i64) -> OffsetDateTime {
    pki.now + Duration::days(days)
}

fn verify(path: &Path, pki: &LtvPki, t: OffsetDateTime) -> VerificationReport {
    verify_file(path, &VerifyOptions::new(pki.trust()).validation_time(t)).unwrap()
}

fn signature(r: &VerificationReport) -> &SignatureReport {
    r.signatures
        .iter()
        .find(|s| s.kind != SignatureKind::DocumentTimestamp)
        .expect("a signature")
}

fn document_timestamps(r: &VerificationReport) -> Vec<&SignatureReport> {
    r.signatures
        .iter()
        .filter(|s| s.kind == SignatureKind::DocumentTimestamp)
        .collect()
}

fn has(s: &SignatureReport, code: Code) -> bool {
    s.findings.iter().any(|f| f.code == code)
}

fn describe(r: &VerificationReport) -> String {
    kyso::report::render_text(r)
}

fn verdict(s: &SignatureReport) -> String {
    match s.sub_indication {
        Some(sub) => format!("{}/{}", s.indication.as_str(), sub.as_str()),
        None => s.indication.as_str().to_owned(),
    }
}

/// §5.6.3: a B-LT file (no document timestamp) is proven by its signature timestamp as long
/// as that authority's certificate is valid — after the signer expired too — and not after:
/// in six years the authority has expired, nothing later protects the token, and the
/// expired signer has no proof of existence (INDETERMINATE/OUT_OF_BOUNDS_NO_POE).
#[test]
fn en_319_102_1_5_6_3_a_b_lt_file_is_provable_until_its_authority_expires() {
    let Some(s) = Setup::new() else { return };
    let lt = s.b_lt("lt.pdf");
    let tsa_expiry = s.pki.now + Duration::days(5 * YEAR);

    for days in [0, 200, 4 * YEAR] {
        let r = verify(&lt, &s.pki, at(&s.pki, days));
        let sig = signature(&r);
        assert_eq!(
            sig.indication,
            Indication::TotalPassed,
            "{days}: {}",
            describe(&r)
        );
        let archive = sig.archive.as_ref().expect("archive status");
        assert!(archive.holds);
        let until = archive.provable_until.unwrap();
        assert!((until - tsa_expiry).abs() < Duration::days(1), "{until}");
        assert!(archive.next.contains("renew before"), "{}", archive.next);
        assert!(has(sig, Code::ArchiveProvableUntil));
    }
    let r = verify(&lt, &s.pki, at(&s.pki, 6 * YEAR));
    let sig = signature(&r);
    assert_eq!(
        verdict(sig),
        "INDETERMINATE/OUT_OF_BOUNDS_NO_POE",
        "{}",
        describe(&r)
    );
    assert!(has(sig, Code::TspAuthorityExpired), "{}", describe(&r));
    assert!(!sig.archive.as_ref().unwrap().holds);
    // Twenty-one years on (2047 from a 2026 signature): still no proof.
    let r = verify(&lt, &s.pki, at(&s.pki, 21 * YEAR));
    assert_eq!(signature(&r).indication, Indication::Indeterminate);
}

/// §5.6.3: a B-LTA file whose only document timestamp's authority has expired is
/// INDETERMINATE, the signature and the document timestamp alike.
#[test]
fn en_319_102_1_5_6_3_an_unrenewed_b_lta_file_expires_with_its_document_timestamp() {
    let Some(s) = Setup::new() else { return };
    let bb = s.signed("bb.pdf", false);
    let lta = s.archived(
        &bb,
        "lta.pdf",
        &["signer", "tsa"],
        &s.pki.timestamping(Behaviour::Honest),
    );
    let r = verify(&lta, &s.pki, at(&s.pki, 200));
    assert_eq!(
        signature(&r).indication,
        Indication::TotalPassed,
        "{}",
        describe(&r)
    );
    let archive = signature(&r).archive.clone().unwrap();
    assert_eq!(
        archive.newest_timestamp,
        kyso::report::TimestampKind::Document
    );
    for days in [6 * YEAR, 11 * YEAR] {
        let r = verify(&lta, &s.pki, at(&s.pki, days));
        let sig = signature(&r);
        assert_eq!(
            verdict(sig),
            "INDETERMINATE/OUT_OF_BOUNDS_NO_POE",
            "{days}: {}",
            describe(&r)
        );
        let dts = document_timestamps(&r);
        assert_eq!(dts.len(), 1);
        assert_eq!(verdict(dts[0]), "INDETERMINATE/OUT_OF_BOUNDS_NO_POE");
        assert!(has(dts[0], Code::TspAuthorityExpired), "{}", describe(&r));
    }
}

/// §5.6.3: renewal — a newer document timestamp from an authority that outlives the first,
/// added before the first one's authority expired — carries the proof forward: PASSED after
/// the first authority expired, and INDETERMINATE once the second one has expired too.
#[test]
fn en_319_102_1_5_6_3_renewal_before_the_authority_expires_keeps_the_archive_provable() {
    let Some(s) = Setup::new() else { return };
    let bb = s.signed("bb.pdf", false);
    let lta = s.archived(
        &bb,
        "lta.pdf",
        &["signer", "tsa"],
        &s.pki.timestamping(Behaviour::Honest),
    );
    let renewed = s.archived(
        &lta,
        "renewed.pdf",
        &["tsa", "tsa2"],
        &s.pki.timestamping_by(&s.pki.tsa2, Behaviour::Honest),
    );
    let r = verify(&renewed, &s.pki, at(&s.pki, 6 * YEAR));
    let sig = signature(&r);
    assert_eq!(sig.indication, Indication::TotalPassed, "{}", describe(&r));
    for d in document_timestamps(&r) {
        assert_eq!(d.indication, Indication::TotalPassed, "{}", describe(&r));
    }
    let archive = sig.archive.as_ref().unwrap();
    let tsa2_expiry = s.pki.now + Duration::days(8 * YEAR);
    assert!((archive.provable_until.unwrap() - tsa2_expiry).abs() < Duration::days(1));
    assert!(archive.authority.contains("LTV timestamp authority 2"));
    // The unrenewed copy is not provable at the same date.
    let r = verify(&lta, &s.pki, at(&s.pki, 6 * YEAR));
    assert_eq!(signature(&r).indication, Indication::Indeterminate);
    // Nine years on the second authority has expired as well; eleven, the root.
    for days in [9 * YEAR, 11 * YEAR] {
        let r = verify(&renewed, &s.pki, at(&s.pki, days));
        assert_eq!(
            verdict(signature(&r)),
            "INDETERMINATE/OUT_OF_BOUNDS_NO_POE",
            "{days}: {}",
            describe(&r)
        );
    }
}

/// §5.6.3: a document timestamp whose authority expired before the next timestamp was
/// added is not protected by it (renewed too late): INDETERMINATE/NO_POE for that
/// timestamp. The signature itself still passes, since the late timestamp was made while
/// its signer's certificate was valid (a fresh proof of existence of its own).
#[test]
fn en_319_102_1_5_6_3_a_renewal_after_the_authority_expired_does_not_protect_it() {
    let Some(s) = Setup::new() else { return };
    let bb = s.signed("bb.pdf", false);
    let short = s.archived(
        &bb,
        "short.pdf",
        &["signer", "short-tsa"],
        &s.pki.timestamping_by(&s.pki.short_tsa, Behaviour::Honest),
    );
    // Wait until the short-lived authority's certificate has expired.
    let expiry = s.pki.now + Duration::seconds(SHORT_TSA_SECONDS);
    while OffsetDateTime::now_utc() <= expiry + Duration::seconds(1) {
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    let out = s.path("late.pdf");
    // The first timestamp's authority can no longer be validated now; renewal goes on
    // with what can be gathered.
    let _ = archive(
        &short,
        &out,
        &s.ltv_options(&["tsa2"]),
        &s.pki.timestamping_by(&s.pki.tsa2, Behaviour::Honest),
        &DocTimestampOptions::new(),
    )
    .unwrap();
    let r = verify(&out, &s.pki, at(&s.pki, 1));
    let dts = document_timestamps(&r);
    assert_eq!(dts.len(), 2, "{}", describe(&r));
    assert_eq!(verdict(dts[0]), "INDETERMINATE/NO_POE", "{}", describe(&r));
    assert!(has(dts[0], Code::TspRenewedTooLate), "{}", describe(&r));
    assert_eq!(
        dts[1].indication,
        Indication::TotalPassed,
        "{}",
        describe(&r)
    );
    assert_eq!(
        signature(&r).indication,
        Indication::TotalPassed,
        "{}",
        describe(&r)
    );
}

/// §5.2.5 with §5.6.3: the newest authority's status at the validation time needs data
/// fresh then. Offline two hundred days on, the embedded OCSP response for the authority
/// (added by a /DSS update after the document timestamp) is stale: with revocation required, the standard's policy (`etsi`) leaves the document
/// timestamp INDETERMINATE/TRY_LATER (and the expired signer without proof); the shipped
/// `offline-archive` policy accepts the embedded status with a warning and names the
/// deviation.
#[test]
fn en_319_102_1_5_2_5_the_newest_authoritys_status_offline_under_each_policy() {
    let Some(s) = Setup::new() else { return };
    let bb = s.signed("bb.pdf", false);
    let stamped = s.archived(
        &bb,
        "stamped.pdf",
        &["signer", "tsa"],
        &s.pki.timestamping(Behaviour::Honest),
    );
    // The newest document timestamp's own validation data is only embedded by a later
    // update (here a /DSS update after it, as renewal also makes).
    let lta = s.path("lta.pdf");
    let o = add_validation_data(&stamped, &lta, &s.ltv_options(&["tsa"])).unwrap();
    assert!(o.complete() && o.updated, "{o:#?}");
    let options = |policy: Policy| {
        let mut o = VerifyOptions::new(s.pki.trust()).validation_time(at(&s.pki, 200));
        o.validation.revocation = RevocationPolicy::all(RevocationMode::Require);
        o.policy(policy)
    };
    let r = verify_file(&lta, &options(Policy::etsi())).unwrap();
    let dts = document_timestamps(&r);
    assert_eq!(
        verdict(dts[0]),
        "INDETERMINATE/TRY_LATER",
        "{}",
        describe(&r)
    );
    assert_eq!(
        verdict(signature(&r)),
        "INDETERMINATE/OUT_OF_BOUNDS_NO_POE",
        "{}",
        describe(&r)
    );

    let policy = Policy::offline_archive();
    assert_eq!(policy.deviations().len(), 2);
    let r = verify_file(&lta, &options(policy)).unwrap();
    let dts = document_timestamps(&r);
    assert_eq!(
        dts[0].indication,
        Indication::TotalPassed,
        "{}",
        describe(&r)
    );
    assert!(has(dts[0], Code::TspAuthorityStatusFromEmbeddedData));
    assert_eq!(
        signature(&r).indication,
        Indication::TotalPassed,
        "{}",
        describe(&r)
    );
}

/// §5.6.2.4 and Table 5: a signer revoked after the best-signature-time (a signature
/// timestamp proves the signature existed before) is not a failure, for any reason; under
/// the `offline-archive` policy's key-compromise rule (a deviation) a key-compromise
/// revocation is INDETERMINATE/REVOKED_NO_POE. A signer revoked before signing is
/// INDETERMINATE/REVOKED_NO_POE (§5.2.6: no proof of existence before the revocation), never
/// the TOTAL-FAILED/REVOKED pair (which needs proof the signature was made after it).
#[test]
fn en_319_102_1_5_6_2_4_revoked_before_and_after_the_best_signature_time() {
    let Some(mut s) = Setup::new() else { return };
    let bt = s.signed("bt.pdf", true);
    // Revoked two minutes after the signature timestamp, for each reason.
    for reason in [
        "keyCompromise",
        "CACompromise",
        "affiliationChanged",
        "superseded",
        "cessationOfOperation",
        "certificateHold",
    ] {
        drop(s.responder.take());
        s.pki.write_index(Some((
            OffsetDateTime::now_utc() + Duration::minutes(2),
            reason,
        )));
        let port = common::ltv_pki::free_port();
        let responder = s.pki.start_responder(port);
        let revoked = s.pki.fetch_ocsp("signer", port);
        drop(responder);
        let options = |policy: Policy| {
            let mut o = VerifyOptions::new(s.pki.trust())
                .validation_time(OffsetDateTime::now_utc() + Duration::minutes(10));
            o.revocation.add_ocsp_der(&revoked, Origin::Caller).unwrap();
            o.policy(policy)
        };
        let r = verify_file(&bt, &options(Policy::etsi())).unwrap();
        let sig = signature(&r);
        assert_eq!(
            sig.indication,
            Indication::TotalPassed,
            "{reason}: {}",
            describe(&r)
        );
        assert!(has(sig, Code::RevocationRevokedAfterSigning), "{reason}");
        let r = verify_file(&bt, &options(Policy::offline_archive())).unwrap();
        let compromise = reason == "keyCompromise" || reason == "CACompromise";
        let expected = match compromise {
            true => "INDETERMINATE/REVOKED_NO_POE",
            false => "TOTAL-PASSED",
        };
        assert_eq!(
            verdict(signature(&r)),
            expected,
            "{reason}: {}",
            describe(&r)
        );
    }
    // Revoked an hour before it signs: no proof of existence before the revocation.
    s.pki.write_index(Some((
        OffsetDateTime::now_utc() - Duration::hours(1),
        "superseded",
    )));
    let port = common::ltv_pki::free_port();
    let responder = s.pki.start_responder(port);
    let revoked = s.pki.fetch_ocsp("signer", port);
    drop(responder);
    let late = s.signed("late.pdf", true);
    let mut o = VerifyOptions::new(s.pki.trust());
    o.revocation.add_ocsp_der(&revoked, Origin::Caller).unwrap();
    let r = verify_file(&late, &o).unwrap();
    assert_eq!(
        verdict(signature(&r)),
        "INDETERMINATE/REVOKED_NO_POE",
        "{}",
        describe(&r)
    );
}

/// The main cases beside pyHanko's AdES process (`simulate_future_ades_lta_validation`,
/// offline, revocation data required; kyso with `--revocation require` as well), with
/// where they differ and why:
///
/// - B-LT, +200 days (signer expired): both INDETERMINATE — the newest (signature)
///   timestamp's authority has no revocation data fresh at that time (§5.2.5).
/// - B-LT, +6 years (its authority expired): kyso INDETERMINATE/OUT_OF_BOUNDS_NO_POE
///   (§5.6.3: the newest timestamp must validate at the validation time); pyHanko's
///   simulation passes it (it does not re-validate the newest timestamp's authority at the
///   simulated time).
/// - B-LTA over a B-B signature: pyHanko SIG_CONSTRAINTS_FAILURE at every date (its
///   validation with time demands a signature timestamp); kyso INDETERMINATE as well (the
///   newest authority's status is not fresh, then it has expired).
#[test]
fn en_319_102_1_5_6_3_time_travel_beside_pyhankos_ades_process() {
    let Some(pyhanko) = Pyhanko::find() else {
        eprintln!("skipped: pyHanko is not installed");
        return;
    };
    let Some(mut s) = Setup::new() else { return };
    let lt = s.b_lt("lt.pdf");
    let bb = s.signed("bb.pdf", false);
    let lta = s.archived(
        &bb,
        "lta.pdf",
        &["signer", "tsa"],
        &s.pki.timestamping(Behaviour::Honest),
    );
    let renewed = s.archived(
        &lta,
        "renewed.pdf",
        &["tsa", "tsa2"],
        &s.pki.timestamping_by(&s.pki.tsa2, Behaviour::Honest),
    );
    s.responder = None;
    let root = s.pki.root_pem();
    let oob = "INDETERMINATE/OUT_OF_BOUNDS_NO_POE";
    let mut table = Vec::new();
    let mut differ = Vec::new();
    for (file, days, kyso_expected, pyhanko_expected) in [
        (
            &lt,
            200,
            oob,
            "AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE",
        ),
        (&lt, 6 * YEAR, oob, "AdESPassed.OK"),
        (&lta, 200, oob, "AdESIndeterminate.SIG_CONSTRAINTS_FAILURE"),
        (
            &lta,
            6 * YEAR,
            oob,
            "AdESIndeterminate.SIG_CONSTRAINTS_FAILURE",
        ),
        (
            &renewed,
            6 * YEAR,
            oob,
            "AdESIndeterminate.SIG_CONSTRAINTS_FAILURE",
        ),
        (
            &renewed,
            9 * YEAR,
            oob,
            "AdESIndeterminate.SIG_CONSTRAINTS_FAILURE",
        ),
    ] {
        let mut o = VerifyOptions::new(s.pki.trust()).validation_time(at(&s.pki, days));
        o.validation.revocation = RevocationPolicy::all(RevocationMode::Require);
        let kyso = verdict(signature(&verify_file(file, &o).unwrap()));
        let theirs = pyhanko_ades(&pyhanko, file, &root, days as u32).unwrap();
        let py = theirs
            .iter()
            .find(|p| p.field == "Signature1")
            .map(|p| p.future.clone())
            .unwrap_or_default();
        let line = format!(
            "{} +{days}d\tkyso {kyso}\tpyHanko {py}",
            file.file_name().unwrap().to_string_lossy()
        );
        if kyso != kyso_expected || py != pyhanko_expected {
            differ.push(line.clone());
        }
        table.push(line);
    }
    eprintln!("{}", table.join("\n"));
    assert!(differ.is_empty(), "unexpected: {}", differ.join("\n"));
}

/// `kyso verify` on an archive: the text report says until when the signature stays provable
/// and what to do (§5.6.3); six years on, after the authority expired, the verdict is
/// INDETERMINATE with `timestamp.authority_expired`; `--validation-policy` takes a shipped name or a
/// JSON file and prints the deviations from the standard.
#[test]
fn en_319_102_1_5_6_3_kyso_verify_says_until_when_an_archive_is_provable() {
    use common::cli::{code, kyso, show, stderr, stdout};
    let Some(s) = Setup::new() else { return };
    let lt = s.b_lt("lt.pdf");
    let root = s.pki.root_pem();
    let date = |days: i64| {
        let t = at(&s.pki, days);
        format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
    };
    let run = |extra: &[&str]| {
        let mut args: Vec<std::ffi::OsString> = vec![
            "verify".into(),
            lt.clone().into(),
            "--trust".into(),
            root.clone().into(),
        ];
        args.extend(extra.iter().map(|a| std::ffi::OsString::from(*a)));
        kyso(args)
    };
    let o = run(&["--at", &date(200)]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert!(stdout(&o).contains("provable until:"), "{}", show(&o));
    assert!(
        stdout(&o).contains("kyso ltv --level b-lta"),
        "{}",
        show(&o)
    );
    let o = run(&["--at", &date(200), "--lang", "vi"]);
    assert!(stdout(&o).contains("chứng minh được đến:"), "{}", show(&o));
    let o = run(&["--at", &date(6 * YEAR), "--json"]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let sig = &json["signatures"][0];
    assert_eq!(
        sig["sub_indication"],
        "OUT_OF_BOUNDS_NO_POE",
        "{}",
        show(&o)
    );
    assert_eq!(sig["archive"]["holds"], false, "{}", show(&o));
    assert!(stdout(&o).contains("timestamp.authority_expired"));

    let o = run(&["--at", &date(200), "--validation-policy", "offline-archive"]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert!(
        stderr(&o).contains("departs from ETSI EN 319 102-1"),
        "{}",
        show(&o)
    );
    assert!(stderr(&o).contains("key compromise"), "{}", show(&o));
    let file = s.path("policy.json");
    std::fs::write(&file, r#"{"name": "so", "freshness_hours": {"signer": 1}}"#).unwrap();
    let o = run(&["--validation-policy", file.to_str().unwrap()]);
    assert!(stderr(&o).contains("policy \"so\""), "{}", show(&o));
    let o = run(&["--validation-policy", "strictest"]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(
        stderr(&o).contains("--validation-policy strictest"),
        "{}",
        show(&o)
    );
}

/// The due files of a `kyso ltv due` listing: (file name, kind), in listing order.
fn due_listing(out: &str) -> Vec<(String, String)> {
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let file = v["file"].as_str().unwrap_or_default();
            let name = Path::new(file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, v["kind"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

/// §5.6.3, the office's yearly task: `kyso ltv due DIR --within DAYS` (and
/// `kyso::ltv::renewals_due`) lists, over a directory, the archives whose proof ends within
/// the window and the signed files that are no archive, travelling with `--at`: an archive
/// whose document timestamp comes from a short-lived authority is due at once; the five-year
/// authority's archive is due only in a five-year window, and not provable once it has
/// expired; the archive renewed with the eight-year authority is not due then.
#[test]
fn en_319_102_1_5_6_3_kyso_ltv_due_lists_the_archives_to_renew_over_time() {
    use common::cli::{code, kyso, show, stderr, stdout};
    let Some(s) = Setup::new() else { return };
    let dir = s.path("archives");
    std::fs::create_dir_all(dir.join("2026/q4")).unwrap();
    let root = s.pki.root_pem();
    let run = |within: i64, extra: &[&str]| {
        let mut args: Vec<std::ffi::OsString> = vec![
            "ltv".into(),
            "due".into(),
            dir.clone().into(),
            "--within".into(),
            within.to_string().into(),
            "--trust".into(),
            root.clone().into(),
        ];
        args.extend(extra.iter().map(|a| std::ffi::OsString::from(*a)));
        kyso(args)
    };
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let date = |days: i64| {
        let t = at(&s.pki, days);
        format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
    };
    let bb = s.signed("bb.pdf", false);
    // First, while the short-lived authority is valid (it lives SHORT_TSA_SECONDS).
    let short = s.archived(
        &bb,
        "short.pdf",
        &["signer", "short-tsa"],
        &s.pki.timestamping_by(&s.pki.short_tsa, Behaviour::Honest),
    );
    // "Today": just before the short-lived authority expires, after its timestamp was made
    // (at the PKI's creation time the timestamp would lie in the future). Checked before the
    // other files are made, so that none of their timestamps is later than "today".
    let today = s.pki.now + Duration::seconds(SHORT_TSA_SECONDS - 1);
    assert!(
        OffsetDateTime::now_utc() < today,
        "the short-lived archive took more than {} s to make",
        SHORT_TSA_SECONDS - 1
    );
    std::fs::copy(&bb, dir.join("bb.pdf")).unwrap();
    std::fs::copy(&short, dir.join("2026/short.pdf")).unwrap();
    // Within a day: the short archive is due; B-B is no archive.
    let o = run(1, &["--at", &kyso::report::text::rfc3339(today), "--jsonl"]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    assert_eq!(
        due_listing(&stdout(&o)),
        pairs(&[("bb.pdf", "not_an_archive"), ("short.pdf", "renew_before")]),
        "{}",
        show(&o)
    );
    assert!(
        stdout(&o).contains("LTV short-lived authority"),
        "{}",
        show(&o)
    );
    assert!(stderr(&o).contains("2 PDF file(s)"), "{}", show(&o));
    let lt = s.b_lt("lt.pdf");
    let lta = s.archived(
        &bb,
        "lta.pdf",
        &["signer", "tsa"],
        &s.pki.timestamping(Behaviour::Honest),
    );
    let renewed = s.archived(
        &lta,
        "renewed.pdf",
        &["tsa", "tsa2"],
        &s.pki.timestamping_by(&s.pki.tsa2, Behaviour::Honest),
    );
    for (from, to) in [
        (&lt, "2026/lt.pdf"),
        (&lta, "2026/q4/lta.pdf"),
        (&renewed, "renewed.pdf"),
    ] {
        std::fs::copy(from, dir.join(to)).unwrap();
    }
    std::fs::write(dir.join("unsigned.pdf"), sample_pdf(SampleXref::Table)).unwrap();
    // 200 days on (the signer has expired), within a year: the short archive is no longer
    // provable; the five-year archive is due only within five years.
    let o = run(365, &["--at", &date(200), "--jsonl"]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    assert_eq!(
        due_listing(&stdout(&o)),
        pairs(&[
            ("short.pdf", "not_provable"),
            ("bb.pdf", "not_an_archive"),
            ("lt.pdf", "not_an_archive"),
        ]),
        "{}",
        show(&o)
    );
    let o = run(5 * YEAR, &["--at", &date(200), "--json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let items = json["items"].as_array().unwrap();
    let lta_item = items
        .iter()
        .find(|i| i["file"].as_str().unwrap().ends_with("lta.pdf"))
        .expect("the five-year archive is due within five years");
    assert_eq!(lta_item["kind"], "renew_before");
    assert!(lta_item["provable_until"].as_str().is_some());
    assert_eq!(json["not_due"], 1, "{}", show(&o)); // renewed.pdf
    assert_eq!(json["unsigned"], 1, "{}", show(&o));
    // Six years on, in Vietnamese: the unrenewed archive is not provable; the renewed one
    // is not listed.
    let o = run(30, &["--at", &date(6 * YEAR), "--lang", "vi"]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    let text = stdout(&o);
    let line = text
        .lines()
        .find(|l| l.contains("lta.pdf"))
        .unwrap_or_else(|| panic!("{}", show(&o)));
    assert!(line.contains("không còn chứng minh được"), "{}", show(&o));
    assert!(!text.contains("renewed.pdf"), "{}", show(&o));
    assert!(stderr(&o).contains("chưa đến hạn"), "{}", show(&o));
    // The library says the same.
    let mut opts = kyso::ltv::DueOptions::new(
        VerifyOptions::new(s.pki.trust()).validation_time(at(&s.pki, 6 * YEAR)),
        30,
    );
    let report = kyso::ltv::renewals_due(&dir, &opts).unwrap();
    assert_eq!(report.files, 6);
    assert_eq!(report.not_due, 1);
    assert!(report.complete() && report.any_due());
    // Nothing due: only the renewed archive, seven years' window from today.
    let only = s.path("only");
    std::fs::create_dir_all(&only).unwrap();
    std::fs::copy(&renewed, only.join("renewed.pdf")).unwrap();
    opts.verify = VerifyOptions::new(s.pki.trust()).validation_time(at(&s.pki, 200));
    opts.within = Duration::days(7 * YEAR);
    let report = kyso::ltv::renewals_due(&only, &opts).unwrap();
    assert!(!report.any_due(), "{report:#?}");
    // A damaged file and a symbolic link out of the tree: listed and named, exit code 2.
    std::fs::write(dir.join("broken.pdf"), b"%PDF-1.7\nnot a pdf").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(s.path("lt.pdf"), dir.join("elsewhere.pdf")).unwrap();
    let o = run(30, &["--at", &date(200)]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stdout(&o).contains("broken.pdf"), "{}", show(&o));
    #[cfg(unix)]
    assert!(stderr(&o).contains("symbolic link"), "{}", show(&o));
}

/// One row of the time-travel table: the case, kyso's indication with revocation data
/// required under `etsi` and under `offline-archive`, and pyHanko's AdES process
/// (`ades_lta_validation` now, or `simulate_future_ades_lta_validation` ahead), all offline.
struct Row {
    case: String,
    kyso: String,
    kyso_offline_archive: String,
    pyhanko: String,
}

/// kyso (revocation required, offline) and pyHanko on `file` at `days` ahead of now (0: now).
fn compare(s: &Setup, pyhanko: &Pyhanko, case: &str, file: &Path, days: f64) -> Row {
    let t = OffsetDateTime::now_utc() + Duration::seconds_f64(days * 86_400.0);
    let kyso = |policy: Policy| {
        let mut o = VerifyOptions::new(s.pki.trust())
            .validation_time(t)
            .policy(policy);
        // The modes only: the policy's key-compromise rule and freshness stay.
        o.validation.revocation.end_entity = RevocationMode::Require;
        o.validation.revocation.intermediates = RevocationMode::Require;
        verdict(signature(&verify_file(file, &o).unwrap()))
    };
    let theirs = common::ltv_pki::pyhanko_ades_at(pyhanko, file, &s.pki.root_pem(), days).unwrap();
    let p = theirs.iter().find(|p| p.field == "Signature1");
    let pyhanko = match (p, days > 0.0) {
        (Some(p), true) => p.future.clone(),
        (Some(p), false) => p.now.clone(),
        (None, _) => "(no result)".into(),
    };
    Row {
        case: case.to_owned(),
        kyso: kyso(Policy::etsi()),
        kyso_offline_archive: kyso(Policy::offline_archive()),
        pyhanko,
    }
}

/// B-LTA over `bt` with the given OCSP responses (and only them) as validation data.
fn lta_with(s: &Setup, bt: &Path, name: &str, ocsp: &[Vec<u8>]) -> PathBuf {
    let mut o = LtvOptions::new(s.pki.trust());
    for der in ocsp {
        o.revocation.add_ocsp_der(der, Origin::Caller).unwrap();
    }
    let out = s.path(name);
    archive(
        bt,
        &out,
        &o,
        &s.pki.timestamping(Behaviour::Honest),
        &DocTimestampOptions::new(),
    )
    .unwrap();
    out
}

/// The OCSP responses for the signer and the authority, from a responder started on a new
/// port over the current index.
fn fresh_ocsp(s: &Setup) -> Vec<Vec<u8>> {
    let port = common::ltv_pki::free_port();
    let responder = s.pki.start_responder(port);
    let out = vec![
        s.pki.fetch_ocsp("signer", port),
        s.pki.fetch_ocsp("tsa", port),
    ];
    drop(responder);
    out
}

/// The time-travel table (docs/ltv.md), kyso beside pyHanko's AdES process, offline with
/// revocation data required: validation now (§5.6.3), with embedded revocation data past
/// its nextUpdate (§5.2.5), after the signer expired (§5.6.2.1 past certificate validation),
/// after the authority expired without and with renewal and after the root expired
/// (§5.6.3), a signer revoked after the best-signature-time for each reason (§5.6.2.4) and
/// before signing (§5.2.6). Every row is asserted, kyso's and pyHanko's alike: a change on
/// either side shows here, and docs/ltv.md explains each difference.
#[test]
fn en_319_102_1_5_6_time_travel_table_beside_pyhankos_ades_process() {
    let Some(pyhanko) = Pyhanko::find() else {
        eprintln!("skipped: pyHanko is not installed");
        return;
    };
    let Some(mut s) = Setup::new() else { return };
    let mut rows = Vec::new();
    let lt = s.b_lt("lt.pdf");
    let bt = s.signed("bt.pdf", true);
    let lta = s.archived(
        &bt,
        "lta.pdf",
        &["signer", "tsa"],
        &s.pki.timestamping(Behaviour::Honest),
    );
    let renewed = s.archived(
        &lta,
        "renewed.pdf",
        &["tsa", "tsa2"],
        &s.pki.timestamping_by(&s.pki.tsa2, Behaviour::Honest),
    );
    for (case, file, days) in [
        ("B-LT, now", &lt, 0.0),
        ("B-LTA, now", &lta, 0.0),
        (
            "B-LT, +2 hours (embedded OCSP past nextUpdate)",
            &lt,
            2.0 / 24.0,
        ),
        (
            "B-LTA, +2 hours (embedded OCSP past nextUpdate)",
            &lta,
            2.0 / 24.0,
        ),
        ("B-LT, +200 days (signer expired)", &lt, 200.0),
        ("B-LTA, +200 days (signer expired)", &lta, 200.0),
        ("B-LT, +6 years (authority expired)", &lt, (6 * YEAR) as f64),
        (
            "B-LTA, +6 years (authority expired, not renewed)",
            &lta,
            (6 * YEAR) as f64,
        ),
        (
            "B-LTA renewed, +6 years (first authority expired)",
            &renewed,
            (6 * YEAR) as f64,
        ),
        (
            "B-LTA renewed, +9 years (second authority expired)",
            &renewed,
            (9 * YEAR) as f64,
        ),
        (
            "B-LTA renewed, +11 years (root expired)",
            &renewed,
            (11 * YEAR) as f64,
        ),
    ] {
        rows.push(compare(&s, &pyhanko, case, file, days));
    }
    // Revoked after the best-signature-time, for each reason: the revocation comes after
    // the signature timestamp's genTime plus its accuracy (OpenSSL's authority says 1.5 s).
    let bt = s.signed("bt-revoked.pdf", true);
    let revoked_at = OffsetDateTime::now_utc() + Duration::seconds(4);
    std::thread::sleep(std::time::Duration::from_millis(5500));
    drop(s.responder.take());
    for reason in [
        "keyCompromise",
        "CACompromise",
        "affiliationChanged",
        "superseded",
        "cessationOfOperation",
        "certificateHold",
    ] {
        s.pki.write_index(Some((revoked_at, reason)));
        let ocsp = fresh_ocsp(&s);
        let file = lta_with(&s, &bt, &format!("revoked-after-{reason}.pdf"), &ocsp);
        rows.push(compare(
            &s,
            &pyhanko,
            &format!("B-LTA, signer revoked after the signature timestamp ({reason})"),
            &file,
            0.0,
        ));
    }
    // Revoked an hour before it signed.
    s.pki.write_index(Some((
        OffsetDateTime::now_utc() - Duration::hours(1),
        "superseded",
    )));
    let late = s.signed("late.pdf", true);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let ocsp = fresh_ocsp(&s);
    let file = lta_with(&s, &late, "revoked-before.pdf", &ocsp);
    rows.push(compare(
        &s,
        &pyhanko,
        "B-LTA, signer revoked before signing (superseded)",
        &file,
        0.0,
    ));
    // (kyso under etsi, kyso under offline-archive, pyHanko) per row, in order; docs/ltv.md
    // explains every difference.
    let passed = "TOTAL-PASSED";
    let oob = "INDETERMINATE/OUT_OF_BOUNDS_NO_POE";
    let try_later = "INDETERMINATE/TRY_LATER";
    let revoked_no_poe = "INDETERMINATE/REVOKED_NO_POE";
    let ok = "AdESPassed.OK";
    let chain = "AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE";
    let py_revoked = "AdESIndeterminate.REVOKED_NO_POE";
    let mut expected = vec![
        (passed, passed, "AdESIndeterminate.NO_POE"),
        (passed, passed, ok),
        (try_later, try_later, chain),
        (try_later, try_later, chain),
        (oob, passed, chain),
        (oob, passed, ok),
        (oob, oob, ok),
        (oob, oob, ok),
        (oob, oob, ok),
        (oob, oob, ok),
        (oob, oob, ok),
        // keyCompromise, CACompromise: the offline-archive policy's key-compromise rule.
        (passed, revoked_no_poe, py_revoked),
        (passed, revoked_no_poe, py_revoked),
    ];
    expected.extend([(passed, passed, py_revoked); 4]);
    expected.push((revoked_no_poe, revoked_no_poe, py_revoked));
    let table: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "| {} | {} | {} | {} |",
                r.case, r.kyso, r.kyso_offline_archive, r.pyhanko
            )
        })
        .collect();
    eprintln!("{}", table.join("\n"));
    assert_eq!(rows.len(), expected.len());
    let differ: Vec<String> = rows
        .iter()
        .zip(&expected)
        .filter(|(r, (k, ko, p))| r.kyso != *k || r.kyso_offline_archive != *ko || r.pyhanko != *p)
        .map(|(r, e)| {
            format!(
                "{}: got {} / {} / {}, expected {e:?}",
                r.case, r.kyso, r.kyso_offline_archive, r.pyhanko
            )
        })
        .collect();
    assert!(differ.is_empty(), "unexpected:\n{}", differ.join("\n"));
}

/// EN 319 102-1 §5.2.8 (signature acceptance validation: cryptographic constraints, with the
/// dates of ETSI TS 119 312): the `algorithms` section of a `--validation-policy` file
/// reaches the validator. SHA-256 refused from 2000 makes today's signature fail its
/// constraints; the same file without that cut-off passes; stderr names the deviation.
#[test]
fn en_319_102_1_5_2_8_a_policy_files_algorithm_constraints_reach_the_validator() {
    use common::cli::{code, kyso, show, stderr, stdout};
    let Some(s) = Setup::new() else { return };
    let bt = s.signed("bt.pdf", true);
    let root = s.pki.root_pem();
    let run = |policy: &str| {
        let file = s.path("policy.json");
        std::fs::write(&file, policy).unwrap();
        kyso([
            "verify".as_ref(),
            bt.as_os_str(),
            "--trust".as_ref(),
            root.as_os_str(),
            "--json".as_ref(),
            "--validation-policy".as_ref(),
            file.as_os_str(),
        ])
    };
    let o = run(
        r#"{"name": "no-sha256", "algorithms": {"digest_cutoffs": {"SHA-256": "2000-01-01"}}}"#,
    );
    assert_eq!(code(&o), 1, "{}", show(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let sig = &json["signatures"][0];
    assert_ne!(sig["indication"], "TOTAL-PASSED", "{}", show(&o));
    assert!(
        sig["sub_indication"]
            .as_str()
            .unwrap_or_default()
            .starts_with("CRYPTO_CONSTRAINTS_FAILURE"),
        "{}",
        show(&o)
    );
    assert!(
        stderr(&o).contains("SHA-256 from 2000-01-01"),
        "{}",
        show(&o)
    );
    let o = run(r#"{"name": "ts-119-312", "algorithms": {"min_rsa_bits": 3072}}"#);
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert!(
        stderr(&o).contains("RSA keys from 3072 bits"),
        "{}",
        show(&o)
    );
    // Strict parsing: an unknown key refuses the whole file (exit code 2).
    let o = run(r#"{"algorithms": {"min_rsa_bitz": 3072}}"#);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stderr(&o).contains("min_rsa_bitz"), "{}", show(&o));
}

/// The signature of a pyHanko-signed file with content timestamps, verified now by kyso.
fn content_timestamped(s: &Setup, pyhanko: &Pyhanko, name: &str, offset: i64) -> PathBuf {
    let input = s.path(&format!("{name}-in.pdf"));
    std::fs::write(&input, sample_pdf(SampleXref::Table)).unwrap();
    let out = s.path(name);
    common::ltv_pki::pyhanko_sign_with_content_timestamp(pyhanko, &s.pki, &input, &out, offset)
        .unwrap();
    out
}

/// Content timestamps (a signed content-time-stamp attribute, RFC 5126 §5.11.4) in
/// EN 319 102-1's validation with time (§5.5): kyso
/// validates the token against the signed content and its authority's path, reports it
/// (`TimestampKind::Content`, `timestamp.content_valid`) and never takes it for a proof of
/// existence of the signature; one later than the signature timestamp contradicts it:
/// INDETERMINATE/TIMESTAMP_ORDER_FAILURE. Files signed by pyHanko (its in-process authority,
/// with an RSA authority certificate under the PKI's root).
#[test]
fn en_319_102_1_5_5_content_timestamps_are_validated_and_ordered() {
    let Some(pyhanko) = Pyhanko::find() else {
        eprintln!("skipped: pyHanko is not installed");
        return;
    };
    let Some(s) = Setup::new() else { return };
    let ordered = content_timestamped(&s, &pyhanko, "content.pdf", 0);
    let r = verify(&ordered, &s.pki, OffsetDateTime::now_utc());
    let sig = signature(&r);
    assert_eq!(sig.indication, Indication::TotalPassed, "{}", describe(&r));
    assert!(has(sig, Code::TspContentValid), "{}", describe(&r));
    let kinds: Vec<_> = sig.timestamps.iter().map(|t| t.kind).collect();
    assert!(
        kinds.contains(&kyso::report::TimestampKind::Content)
            && kinds.contains(&kyso::report::TimestampKind::Signature),
        "{kinds:?}"
    );
    // The proof of existence is the signature timestamp, not the content timestamp.
    assert_eq!(
        sig.time_source,
        Some(kyso::report::SigningTimeSource::SignatureTimestamp)
    );
    assert!(
        describe(&r).contains("content timestamp"),
        "{}",
        describe(&r)
    );
    // The content timestamp an hour after the signature timestamp: contradiction.
    let jumped = content_timestamped(&s, &pyhanko, "jumped.pdf", 3600);
    let r = verify(
        &jumped,
        &s.pki,
        OffsetDateTime::now_utc() + Duration::hours(2),
    );
    let sig = signature(&r);
    assert_eq!(
        verdict(sig),
        "INDETERMINATE/TIMESTAMP_ORDER_FAILURE",
        "{}",
        describe(&r)
    );
    assert!(has(sig, Code::TspContentAfterProof), "{}", describe(&r));
}

/// EN 319 102-1 §5.2.6 and Table 5: a signer revoked an hour before a valid content
/// timestamp was made: the signature was provably made after the revocation —
/// TOTAL-FAILED/REVOKED, the one case the standard fails a revoked signature outright. The
/// same revocation without a content timestamp is INDETERMINATE/REVOKED_NO_POE (no proof
/// either way).
#[test]
fn en_319_102_1_5_2_6_a_content_timestamp_after_the_revocation_is_total_failed_revoked() {
    let Some(pyhanko) = Pyhanko::find() else {
        eprintln!("skipped: pyHanko is not installed");
        return;
    };
    let Some(mut s) = Setup::new() else { return };
    drop(s.responder.take());
    s.pki.write_index(Some((
        OffsetDateTime::now_utc() - Duration::hours(1),
        "keyCompromise",
    )));
    let port = common::ltv_pki::free_port();
    let responder = s.pki.start_responder(port);
    let revoked = s.pki.fetch_ocsp("signer", port);
    drop(responder);
    let options = || {
        let mut o = VerifyOptions::new(s.pki.trust());
        o.revocation.add_ocsp_der(&revoked, Origin::Caller).unwrap();
        o
    };
    let with_content = content_timestamped(&s, &pyhanko, "revoked-content.pdf", 0);
    let r = verify_file(&with_content, &options()).unwrap();
    let sig = signature(&r);
    assert_eq!(verdict(sig), "TOTAL-FAILED/REVOKED", "{}", describe(&r));
    assert!(
        has(sig, Code::RevocationRevokedBeforeContentTimestamp),
        "{}",
        describe(&r)
    );
    let plain = s.signed("revoked-plain.pdf", true);
    let r = verify_file(&plain, &options()).unwrap();
    assert_eq!(
        verdict(signature(&r)),
        "INDETERMINATE/REVOKED_NO_POE",
        "{}",
        describe(&r)
    );
}
