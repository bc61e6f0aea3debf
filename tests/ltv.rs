//! PAdES B-LT and B-LTA against real services: OpenSSL's timestamp authority (`openssl ts
//! -reply`, in process) and OCSP responder (`openssl ocsp` on 127.0.0.1, started and killed
//! by each test), one root for the signer, the authority and the responder
//! (`common::ltv_pki`). The OCSP responses are fetched with openssl's client and handed to
//! kyso (the `online` tests in `ltv_online.rs` let kyso fetch them itself).
//!
//! Peers: pyHanko's AdES process (offline once the responder is stopped: the revocation
//! data must come from the file), poppler's pdfsig and `qpdf --check`.

mod common;

use std::path::{Path, PathBuf};

use common::interop::{Poppler, Pyhanko, Qpdf};
use common::ltv_pki::{pyhanko_ades, LtvPki};
use common::tsa::Behaviour;
use common::{sample_pdf, SampleXref};
use kyso::ltv::{add_validation_data, archive, ItemKind, LtvOptions};
use kyso::pki::{Origin, RevocationData};
use kyso::report::{
    ChainStatus, Code, Indication, ModificationLevel, PadesLevel, SignatureKind, SignatureReport,
    SubIndication, VerificationReport,
};
use kyso::sign::{sign_bytes, DocTimestampOptions, SignOptions};
use kyso::verify::{verify_file, VerifyOptions};
use time::{Duration, OffsetDateTime};

/// The PKI with its responder running.
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

    /// Signs the sample (table or stream cross-reference) at B-B or B-T.
    fn signed(&self, name: &str, xref: SampleXref, with_timestamp: bool) -> PathBuf {
        let mut opts = SignOptions::new().field_name("Signature1");
        if with_timestamp {
            opts = opts.timestamp(self.pki.timestamping(Behaviour::Honest));
        }
        let bytes = sign_bytes(&sample_pdf(xref), &self.pki.signer(), &opts).unwrap();
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// OCSP responses about `which` ("signer", "tsa") from the running responder.
    fn ocsp(&self, which: &[&str]) -> RevocationData {
        // Revocation data must be issued after the time the signature is proven to exist
        // (ETSI EN 319 102-1 freshness; pyHanko checks it to the second, OpenSSL's
        // thisUpdate has whole seconds): as in real life, it is gathered a little later.
        std::thread::sleep(std::time::Duration::from_millis(2100));
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

    /// Stops the responder: from now on only the file's data can tell a status.
    fn offline(&mut self) {
        self.responder = None;
    }
}

fn verify_at(
    path: &Path,
    trust: kyso::pki::TrustStore,
    at: Option<OffsetDateTime>,
) -> VerificationReport {
    let mut opts = VerifyOptions::new(trust);
    if let Some(t) = at {
        opts = opts.validation_time(t);
    }
    verify_file(path, &opts).unwrap()
}

fn signature(r: &VerificationReport) -> &SignatureReport {
    r.signatures
        .iter()
        .find(|s| s.kind != SignatureKind::DocumentTimestamp)
        .expect("a signature")
}

fn describe(r: &VerificationReport) -> String {
    serde_json::to_string_pretty(r).unwrap()
}

fn has(s: &SignatureReport, code: Code) -> bool {
    s.findings.iter().any(|f| f.code == code)
}

/// pdfsig (every signature valid, the document timestamp listed) and qpdf --check.
fn peers_accept(file: &Path, signatures: usize) {
    if let Some(q) = Qpdf::find() {
        q.check(file).unwrap();
    }
    if let Some(p) = Poppler::find() {
        let sigs = p.pdfsig(file, true).unwrap();
        assert_eq!(sigs.len(), signatures, "{sigs:#?}");
        for s in &sigs {
            // poppler 22.12 lists a document timestamp as a signature ("Signature Type:
            // unknown", not verified); every CMS signature must be valid.
            if s.field
                .as_deref()
                .is_some_and(|f| f.starts_with("Timestamp"))
            {
                assert_eq!(
                    s.signer_common_name.as_deref(),
                    Some("LTV timestamp authority"),
                    "{}",
                    s.raw
                );
            } else {
                assert!(s.valid, "pdfsig: {}", s.raw);
            }
        }
        if let Some(last) = sigs.last().filter(|s| {
            s.field
                .as_deref()
                .is_some_and(|f| f.starts_with("Timestamp"))
        }) {
            assert!(last.total_document_signed, "{}", last.raw);
        }
    }
}

/// The number of appended revisions (`%%EOF` markers) of a file.
fn eof_count(bytes: &[u8]) -> usize {
    bytes.windows(5).filter(|w| w == b"%%EOF").count()
}

#[test]
fn b_t_becomes_b_lt_then_b_lta_and_the_peers_agree() {
    let Some(mut s) = Setup::new() else { return };
    let signed = s.signed("bt.pdf", SampleXref::Table, true);
    let before = std::fs::read(&signed).unwrap();

    // B-T: the report says what B-LT needs.
    let r = verify_at(&signed, s.pki.trust(), None);
    let sig = signature(&r);
    assert_eq!(sig.pades_level, Some(PadesLevel::BT), "{}", describe(&r));
    assert!(
        sig.missing_for_next_level
            .iter()
            .any(|m| m.contains("LTV signer")),
        "{:?}",
        sig.missing_for_next_level
    );

    // B-LT with the caller's OCSP responses for the signer and the authority.
    let lt = s.path("lt.pdf");
    let outcome = add_validation_data(&signed, &lt, &s.ltv_options(&["signer", "tsa"])).unwrap();
    assert!(outcome.updated);
    assert!(outcome.complete(), "{outcome:#?}");
    let one = &outcome.signatures[0];
    assert_eq!(one.kind, ItemKind::Signature);
    assert_eq!(one.ocsp_added, 2, "{one:#?}");
    assert_eq!(one.vri_key.len(), 40);
    assert!(one
        .vri_key
        .chars()
        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
    // The input is a byte-identical prefix and was not touched.
    let lt_bytes = std::fs::read(&lt).unwrap();
    assert_eq!(std::fs::read(&signed).unwrap(), before);
    assert!(lt_bytes.starts_with(&before));
    let update = String::from_utf8_lossy(&lt_bytes[before.len()..]).into_owned();
    assert!(update.contains("/DSS"), "{update}");
    assert!(update.contains(&format!("/{}", one.vri_key)), "{update}");
    assert!(update.contains("\nxref\n"), "same xref kind as the input");

    s.offline();
    let r = verify_at(&lt, s.pki.trust(), None);
    let sig = signature(&r);
    assert_eq!(sig.pades_level, Some(PadesLevel::BLt), "{}", describe(&r));
    assert_eq!(sig.indication, Indication::TotalPassed, "{}", describe(&r));
    // kyso's own difference analysis: the DSS update is an allowed LTV update.
    assert!(sig.modifications.allowed, "{:#?}", sig.modifications);
    assert_eq!(sig.modifications.level, ModificationLevel::LtvUpdates);
    assert_eq!(sig.modifications.later_revisions, 1);
    assert!(sig
        .chain
        .revocation
        .iter()
        .any(|rv| rv.origin.as_deref() == Some("dss")));
    assert!(sig.timestamps.iter().all(|t| t
        .chain
        .revocation
        .iter()
        .any(|rv| rv.origin.as_deref() == Some("dss"))));
    assert!(
        sig.missing_for_next_level
            .iter()
            .any(|m| m.contains("document timestamp")),
        "{:?}",
        sig.missing_for_next_level
    );
    peers_accept(&lt, 1);
    // Days later the embedded OCSP responses (valid for an hour) are stale at the validation
    // time, but they established the status when the signature was proven to exist: B-LT.
    let later = verify_at(&lt, s.pki.trust(), Some(s.pki.now + Duration::days(3)));
    assert_eq!(
        signature(&later).pades_level,
        Some(PadesLevel::BLt),
        "{}",
        describe(&later)
    );

    // B-LTA: a document timestamp over the DSS. The responder is back (the document
    // timestamp's authority is the same; its data is in the DSS already).
    let lta = s.path("lta.pdf");
    let outcome = archive(
        &lt,
        &lta,
        &LtvOptions::new(s.pki.trust()),
        &s.pki.timestamping(Behaviour::Honest),
        &DocTimestampOptions::new(),
    )
    .unwrap();
    assert!(outcome.complete(), "{outcome:#?}");
    assert!(!outcome.updated, "nothing new: no duplicate DSS update");
    let r = verify_at(&lta, s.pki.trust(), None);
    let sig = signature(&r);
    assert_eq!(sig.pades_level, Some(PadesLevel::BLta), "{}", describe(&r));
    assert!(sig.missing_for_next_level.is_empty());
    assert_eq!(sig.indication, Indication::TotalPassed, "{}", describe(&r));
    assert!(sig.modifications.allowed, "{:#?}", sig.modifications);
    assert_eq!(sig.modifications.level, ModificationLevel::LtvUpdates);
    let dts = r
        .signatures
        .iter()
        .find(|x| x.kind == SignatureKind::DocumentTimestamp)
        .unwrap();
    assert_eq!(dts.indication, Indication::TotalPassed, "{}", describe(&r));
    peers_accept(&lta, 2);

    // pyHanko, offline (LOCAL_ONLY, the responder is stopped), revocation data required.
    if let Some(py) = Pyhanko::find() {
        // pyHanko's difference analysis: the store and the timestamp are LTA updates.
        for file in [&lt, &lta] {
            let v = py.validate(file, &s.pki.root_pem(), &[]).unwrap();
            assert_eq!(
                v[0].modification_level.as_deref(),
                Some("LTA_UPDATES"),
                "{}",
                v[0].raw
            );
            assert_eq!(v[0].modifications_acceptable, Some(true), "{}", v[0].raw);
            assert!(v[0].intact, "{}", v[0].raw);
        }
        // B-LT: the signature validates now with the file's own revocation data (pyHanko's
        // status bottom line), but pyHanko's LTA process wants proofs of existence for the
        // validation data, which only a document timestamp gives (NO_POE).
        let lt_res = pyhanko_ades(&py, &lt, &s.pki.root_pem(), 400).unwrap();
        assert_eq!(lt_res.len(), 1, "{lt_res:#?}");
        assert!(lt_res[0].bottom_line, "{:#?}", lt_res[0]);
        assert!(lt_res[0].now.contains("NO_POE"), "{:#?}", lt_res[0]);
        assert!(!lt_res[0].future.contains("OK"), "{:#?}", lt_res[0]);
        // B-LTA: the AdES process passes, the document timestamp is the evidence record,
        // and the file stays verifiable 400 days ahead (the signer's certificate expired).
        let lta_res = pyhanko_ades(&py, &lta, &s.pki.root_pem(), 400).unwrap();
        assert_eq!(lta_res.len(), 1, "{lta_res:#?}");
        let a = &lta_res[0];
        assert!(a.now.contains("AdESPassed.OK"), "{a:#?}");
        assert!(a.bottom_line, "{a:#?}");
        assert_ne!(a.evidence_record, "None", "{a:#?}");
        assert!(a.future.contains("AdESPassed.OK"), "{a:#?}");
        // The B-T file alone has no revocation data: pyHanko cannot pass it offline.
        let bt_res = pyhanko_ades(&py, &signed, &s.pki.root_pem(), 0).unwrap();
        assert!(!bt_res[0].bottom_line, "{:#?}", bt_res[0]);
        assert!(!bt_res[0].now.contains("OK"), "{:#?}", bt_res[0]);
    }
}

#[test]
fn a_missing_ocsp_response_is_reported_per_certificate() {
    let Some(mut s) = Setup::new() else { return };
    let signed = s.signed("bt.pdf", SampleXref::Table, true);
    let out = s.path("partial.pdf");
    // Only the signer's response; offline (no fetcher), so the authority's is missing.
    let outcome = add_validation_data(&signed, &out, &s.ltv_options(&["signer"])).unwrap();
    assert!(!outcome.complete());
    let one = &outcome.signatures[0];
    assert_eq!(one.ocsp_added, 1);
    assert!(
        one.missing
            .iter()
            .any(|m| m.contains("LTV timestamp authority")
                && m.contains(&format!("127.0.0.1:{}", s.pki.ocsp_port))),
        "{:#?}",
        one.missing
    );
    assert!(
        !one.missing.iter().any(|m| m.contains("\"LTV signer\"")),
        "{:#?}",
        one.missing
    );
    s.offline();
    let r = verify_at(&out, s.pki.trust(), None);
    let sig = signature(&r);
    assert_eq!(sig.pades_level, Some(PadesLevel::BT), "{}", describe(&r));
    assert!(
        sig.missing_for_next_level
            .iter()
            .any(|m| m.contains("LTV timestamp authority")),
        "{:?}",
        sig.missing_for_next_level
    );
}

#[test]
fn an_existing_store_is_merged_without_duplicates_and_the_xref_kind_is_kept() {
    let Some(s) = Setup::new() else { return };
    let signed = s.signed("bt-stream.pdf", SampleXref::StreamWithObjectStreams, true);
    let first = s.path("first.pdf");
    let o = add_validation_data(&signed, &first, &s.ltv_options(&["signer"])).unwrap();
    assert_eq!(o.signatures[0].ocsp_added, 1);
    let second = s.path("second.pdf");
    // The authority's response; the signer's comes from the store (not written twice).
    let o = add_validation_data(&first, &second, &s.ltv_options(&["tsa"])).unwrap();
    assert!(o.complete(), "{o:#?}");
    assert_eq!(o.signatures[0].ocsp_added, 1, "{o:#?}");
    assert!(o.signatures[0].certificates_added.is_empty(), "{o:#?}");
    let bytes = std::fs::read(&second).unwrap();
    let base = std::fs::read(&first).unwrap();
    let update = String::from_utf8_lossy(&bytes[base.len()..]).into_owned();
    assert!(update.contains("/Type /XRef"), "xref stream kept: {update}");
    // Once more with nothing new: no update at all.
    let third = s.path("third.pdf");
    let o = add_validation_data(&second, &third, &LtvOptions::new(s.pki.trust())).unwrap();
    assert!(!o.updated, "{o:#?}");
    assert_eq!(std::fs::read(&third).unwrap(), bytes);
    assert_eq!(eof_count(&bytes), eof_count(&base) + 1);
    let r = verify_at(&second, s.pki.trust(), None);
    let sig = signature(&r);
    assert_eq!(sig.pades_level, Some(PadesLevel::BLt), "{}", describe(&r));
    assert!(sig.modifications.allowed, "{:#?}", sig.modifications);
    peers_accept(&second, 1);
}

#[test]
fn renewal_covers_the_last_document_timestamp_and_adds_another() {
    let Some(s) = Setup::new() else { return };
    let signed = s.signed("bb.pdf", SampleXref::Table, false);
    let lta = s.path("lta.pdf");
    let o = archive(
        &signed,
        &lta,
        &s.ltv_options(&["signer", "tsa"]),
        &s.pki.timestamping(Behaviour::Honest),
        &DocTimestampOptions::new(),
    )
    .unwrap();
    assert!(o.complete(), "{o:#?}");
    // Renewal: the first document timestamp gets its VRI entry, then a second timestamp.
    let renewed = s.path("renewed.pdf");
    let o = archive(
        &lta,
        &renewed,
        &s.ltv_options(&["tsa"]),
        &s.pki.timestamping(Behaviour::Honest),
        &DocTimestampOptions::new(),
    )
    .unwrap();
    assert!(o.complete(), "{o:#?}");
    assert!(o.updated, "a VRI entry for the document timestamp: {o:#?}");
    let dts: Vec<_> = o
        .signatures
        .iter()
        .filter(|x| x.kind == ItemKind::DocumentTimestamp)
        .collect();
    assert_eq!(dts.len(), 1, "{o:#?}");
    assert!(dts[0]
        .covered
        .iter()
        .any(|c| c.contains("LTV timestamp authority")));
    let r = verify_at(&renewed, s.pki.trust(), None);
    let sig = signature(&r);
    // A B-B signature whose time a document timestamp proves, with its data: B-LTA.
    assert_eq!(sig.pades_level, Some(PadesLevel::BLta), "{}", describe(&r));
    assert_eq!(
        r.signatures
            .iter()
            .filter(|x| x.kind == SignatureKind::DocumentTimestamp
                && x.indication == Indication::TotalPassed)
            .count(),
        2,
        "{}",
        describe(&r)
    );
    for x in &r.signatures {
        assert!(x.modifications.allowed, "{:#?}", x.modifications);
    }
    peers_accept(&renewed, 3);
}

#[test]
fn an_expired_signer_revoked_after_signing_validates_with_b_lta_but_not_with_b_b() {
    let Some(mut s) = Setup::new() else { return };
    let bb = s.signed("bb.pdf", SampleXref::Table, false);
    let lta = s.path("lta.pdf");
    archive(
        &bb,
        &lta,
        &s.ltv_options(&["signer", "tsa"]),
        &s.pki.timestamping(Behaviour::Honest),
        &DocTimestampOptions::new(),
    )
    .unwrap();
    // Later the signer's certificate is revoked (superseded, two minutes after the
    // timestamps) and, later still, expires: validate 200 days ahead.
    drop(s.responder.take());
    s.pki.write_index(Some((
        OffsetDateTime::now_utc() + Duration::minutes(2),
        "superseded",
    )));
    let port = common::ltv_pki::free_port();
    let responder = s.pki.start_responder(port);
    let revoked = s.pki.fetch_ocsp("signer", port);
    drop(responder);
    s.offline();
    let later = s.pki.now + Duration::days(200);
    let mut opts = VerifyOptions::new(s.pki.trust()).validation_time(later);
    opts.revocation
        .add_ocsp_der(&revoked, Origin::Caller)
        .unwrap();

    let r = verify_file(&lta, &opts).unwrap();
    let sig = signature(&r);
    assert_eq!(sig.indication, Indication::TotalPassed, "{}", describe(&r));
    assert_eq!(sig.pades_level, Some(PadesLevel::BLta), "{}", describe(&r));
    assert!(has(sig, Code::TimePathAtProvenTime));
    assert!(sig.path_validation_time.is_some_and(|t| t < later));
    assert_eq!(sig.chain.status, ChainStatus::Trusted);

    let r = verify_file(&bb, &opts).unwrap();
    let sig = signature(&r);
    assert_eq!(
        sig.indication,
        Indication::Indeterminate,
        "{}",
        describe(&r)
    );
    assert_eq!(
        sig.sub_indication,
        Some(SubIndication::OutOfBoundsNoPoe),
        "{}",
        describe(&r)
    );
    assert_eq!(sig.pades_level, Some(PadesLevel::BB));
}

#[test]
fn a_failing_authority_leaves_no_output_file() {
    let Some(s) = Setup::new() else { return };
    let signed = s.signed("bt.pdf", SampleXref::Table, true);
    for behaviour in [
        Behaviour::Reject,
        Behaviour::WrongImprint,
        Behaviour::WrongNonce,
    ] {
        let out = s.path(&format!("lta-{behaviour:?}.pdf"));
        let err = archive(
            &signed,
            &out,
            &s.ltv_options(&["signer", "tsa"]),
            &s.pki.timestamping(behaviour),
            &DocTimestampOptions::new(),
        )
        .unwrap_err();
        assert!(!out.exists(), "{behaviour:?}: {err}");
        let leftovers: Vec<_> = std::fs::read_dir(s.pki.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".kyso-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

#[test]
fn the_input_is_never_the_output() {
    let Some(s) = Setup::new() else { return };
    let signed = s.signed("bt.pdf", SampleXref::Table, true);
    let before = std::fs::read(&signed).unwrap();
    assert!(add_validation_data(&signed, &signed, &s.ltv_options(&["signer"])).is_err());
    assert_eq!(std::fs::read(&signed).unwrap(), before);
}

/// pyHanko's own PAdES-LTA files (its test suite, frozen at 2020-11-01): the signature
/// before the document timestamp is B-LTA (pyHanko writes the store and the timestamp in
/// one update: only the part of the store the timestamp covers counts), a signature after
/// it is B-LT; both still validate in 2029, after their signers expired (2022), at the proven
/// time. Twenty years on (2040), the authority of their newest timestamps has expired
/// (2030-01-01) and they were never renewed: EN 319 102-1 §5.6.3, no proof of existence,
/// INDETERMINATE/OUT_OF_BOUNDS_NO_POE.
#[test]
fn pyhankos_pades_lta_files_reach_b_lta_at_their_freeze_time_and_later() {
    let Some(dir) = common::corpus("04-signed-pdfs/pyhanko") else {
        return;
    };
    let root = dir.join("_ca-certs/testing-ca_root_root.cert.pem");
    let mut trust = kyso::pki::TrustStore::empty();
    trust.add_file(&root).unwrap();
    let freeze = OffsetDateTime::from_unix_timestamp(1_604_188_800).unwrap(); // 2020-11-01
    for (file, expected) in [
        (
            "pades-lta-dss-indirect-arrs-test.pdf",
            &[("Sig1", PadesLevel::BLta)][..],
        ),
        (
            "pades-lta-dss-indirect-arrs-test-2.pdf",
            &[("Sig1", PadesLevel::BLta), ("Sig2", PadesLevel::BLt)][..],
        ),
    ] {
        let path = dir.join(file);
        let expired = freeze + Duration::days(20 * 365);
        for (field, _) in expected {
            let r = verify_at(&path, trust.clone(), Some(expired));
            let sig = r
                .signatures
                .iter()
                .find(|s| s.field_name.as_deref() == Some(*field))
                .unwrap();
            assert_eq!(sig.indication, Indication::Indeterminate, "{file} {field}");
            assert_eq!(
                sig.sub_indication,
                Some(SubIndication::OutOfBoundsNoPoe),
                "{file} {field}"
            );
            let archive = sig.archive.as_ref().unwrap();
            assert!(!archive.holds, "{file} {field}: {archive:?}");
        }
        let before_expiry = OffsetDateTime::from_unix_timestamp(1_861_920_000).unwrap(); // 2029-01-01
        for at in [freeze, before_expiry] {
            let r = verify_at(&path, trust.clone(), Some(at));
            for (field, level) in expected {
                let sig = r
                    .signatures
                    .iter()
                    .find(|s| s.field_name.as_deref() == Some(*field))
                    .unwrap();
                assert_eq!(sig.pades_level, Some(*level), "{file} {field} at {at}");
                assert_eq!(
                    sig.indication,
                    Indication::TotalPassed,
                    "{file} {field} at {at}"
                );
                assert!(
                    sig.chain
                        .revocation
                        .iter()
                        .all(|rv| rv.origin.as_deref() == Some("dss")),
                    "{file} {field}: {:#?}",
                    sig.chain.revocation
                );
            }
            let dts = r
                .signatures
                .iter()
                .find(|s| s.kind == SignatureKind::DocumentTimestamp)
                .unwrap();
            assert_eq!(dts.indication, Indication::TotalPassed, "{file} at {at}");
        }
    }
}

#[test]
fn adbe_revocation_info_archival_is_signed_into_pkcs7_signatures() {
    let Some(mut s) = Setup::new() else { return };
    let opts = s.ltv_options(&["signer"]);
    let signer_cert = kyso::pki::Certificate::from_der(&s.pki.signer.der).unwrap();
    let (archival, missing) = kyso::ltv::revocation_info_for_signer(&signer_cert, &[], &opts);
    assert!(missing.is_empty(), "{missing:?}");
    assert_eq!((archival.ocsp.len(), archival.crls.len()), (1, 0));
    // PAdES keeps its validation data in the /DSS: refused.
    let refused = sign_bytes(
        &sample_pdf(SampleXref::Table),
        &s.pki.signer(),
        &SignOptions::new().revocation_info_archival(archival.clone()),
    );
    assert!(refused.is_err());
    let bytes = sign_bytes(
        &sample_pdf(SampleXref::Table),
        &s.pki.signer(),
        &SignOptions::new()
            .sub_filter(kyso::sign::SubFilter::Pkcs7Detached)
            .revocation_info_archival(archival),
    )
    .unwrap();
    let file = s.path("archival.pdf");
    std::fs::write(&file, &bytes).unwrap();
    s.offline();
    // Offline, revocation required: the signed attribute alone establishes the status.
    let mut vopts = VerifyOptions::new(s.pki.trust());
    vopts.validation.revocation =
        kyso::pki::RevocationPolicy::all(kyso::pki::RevocationMode::Require);
    let r = verify_file(&file, &vopts).unwrap();
    let sig = signature(&r);
    assert_eq!(sig.indication, Indication::TotalPassed, "{}", describe(&r));
    assert!(
        sig.chain
            .revocation
            .iter()
            .any(|rv| rv.origin.as_deref() == Some("signed_attribute")),
        "{:#?}",
        sig.chain.revocation
    );
    peers_accept(&file, 1);
    if let Some(py) = Pyhanko::find() {
        // pyHanko reads the attribute too: valid offline with revocation data required.
        let res = pyhanko_ades(&py, &file, &s.pki.root_pem(), 0).unwrap();
        assert!(res[0].bottom_line, "{:#?}", res[0]);
    }
}

/// Merging into another tool's store: pyHanko's file keeps its `/DSS` in indirect arrays;
/// kyso adds what its VRI entries lack without dropping anything, and every signature stays
/// valid (and B-LTA where it was).
#[test]
fn pyhankos_store_is_merged_not_replaced() {
    let Some(pyhanko) = common::corpus("04-signed-pdfs/pyhanko") else {
        return;
    };
    let root = pyhanko.join("_ca-certs/testing-ca_root_root.cert.pem");
    let mut trust = kyso::pki::TrustStore::empty();
    trust.add_file(&root).unwrap();
    let freeze = OffsetDateTime::from_unix_timestamp(1_604_188_800).unwrap(); // 2020-11-01
    let input = pyhanko.join("pades-lta-dss-indirect-arrs-test-2.pdf");
    let dir = common::temp_dir();
    let out = dir.path().join("merged.pdf");
    let mut opts = LtvOptions::new(trust.clone());
    opts.time = Some(freeze);
    let outcome = add_validation_data(&input, &out, &opts).unwrap();
    assert!(outcome.complete(), "{outcome:#?}");
    assert_eq!(outcome.signatures.len(), 3, "{outcome:#?}");
    // pyHanko's store holds every OCSP response and CRL already: none is written twice.
    // It leaves out the anchor, which kyso adds once (to the first signature's entry).
    for s in &outcome.signatures {
        assert_eq!((s.ocsp_added, s.crls_added), (0, 0), "{s:#?}");
    }
    let added: Vec<&String> = outcome
        .signatures
        .iter()
        .flat_map(|s| &s.certificates_added)
        .collect();
    assert_eq!(added.len(), 1, "{outcome:#?}");
    assert!(added[0].contains("CN=Root CA"), "{added:?}");
    assert!(outcome.updated);
    let before = verify_at(&input, trust.clone(), Some(freeze));
    let after = verify_at(&out, trust, Some(freeze));
    for (b, a) in before.signatures.iter().zip(&after.signatures) {
        assert_eq!(
            a.indication,
            Indication::TotalPassed,
            "{}",
            describe(&after)
        );
        assert_eq!(a.pades_level, b.pades_level, "{}", describe(&after));
        assert!(a.modifications.allowed, "{:#?}", a.modifications);
    }
    if let Some(q) = Qpdf::find() {
        q.check(&out).unwrap();
    }
}

/// `sign_long_term`: one library call signs at B-T and brings the new signature to B-LT
/// (ETSI EN 319 142-1 §6.3: validation data in the /DSS) or B-LTA (a document timestamp
/// over it), with nothing left beside the output; without a signature timestamp it refuses
/// before signing (B-LT builds on B-T).
#[test]
fn sign_long_term_signs_straight_to_b_lt_and_b_lta() {
    use kyso::ltv::{sign_long_term, LongTermLevel};
    let Some(mut s) = Setup::new() else { return };
    let input = s.path("unsigned.pdf");
    std::fs::write(&input, sample_pdf(SampleXref::Table)).unwrap();
    let ltv = s.ltv_options(&["signer", "tsa"]);
    let sign_opts = SignOptions::new()
        .field_name("Signature1")
        .timestamp(s.pki.timestamping(Behaviour::Honest));

    let no_tsa = s.path("no-tsa.pdf");
    let err = sign_long_term(
        &input,
        &no_tsa,
        &s.pki.signer(),
        &SignOptions::new(),
        LongTermLevel::BLt,
        &ltv,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            kyso::Error::Timestamp(kyso::tsp::TspError::NoAuthority)
        ),
        "{err}"
    );
    assert!(!no_tsa.exists());

    let mut outputs = Vec::new();
    for (level, name, expected, eofs) in [
        (LongTermLevel::BLt, "lt.pdf", PadesLevel::BLt, 3),
        (LongTermLevel::BLta, "lta.pdf", PadesLevel::BLta, 4),
    ] {
        let out = s.path(name);
        let outcome =
            sign_long_term(&input, &out, &s.pki.signer(), &sign_opts, level, &ltv).unwrap();
        assert!(outcome.updated, "{outcome:#?}");
        assert!(outcome.complete(), "{outcome:#?}");
        assert_eq!(outcome.signatures[0].kind, ItemKind::Signature);
        // The sample, the signature, the store (and the document timestamp).
        assert_eq!(eof_count(&std::fs::read(&out).unwrap()), eofs, "{name}");
        outputs.push((out, expected));
    }
    let leftovers: Vec<_> = std::fs::read_dir(s.pki.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".kyso-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    s.offline();
    for (out, expected) in &outputs {
        let r = verify_at(out, s.pki.trust(), None);
        let sig = signature(&r);
        assert_eq!(sig.pades_level, Some(*expected), "{}", describe(&r));
        assert_eq!(sig.indication, Indication::TotalPassed, "{}", describe(&r));
        assert!(sig.modifications.allowed, "{:#?}", sig.modifications);
    }
}
