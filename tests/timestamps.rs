//! Timestamps against a real authority: OpenSSL's RFC 3161 server (`openssl ts -reply`),
//! reached in-process here (no network needed) and over HTTP in `tests/timestamps_online.rs`
//! (feature `online`).
//!
//! - B-T: a signature timestamp added at signing time, the placeholder sized by a probe;
//!   kyso, pyHanko (both roots trusted) and pdfsig accept the file and recognise the token.
//! - Document timestamps (`kyso::sign::timestamp_file`): listed as a signature by pdfsig,
//!   valid in pyHanko, verified by kyso (imprint over the byte ranges, authority's signature
//!   and path), and they prove the existence of the signatures before them.
//! - Misbehaving authorities (wrong imprint, wrong nonce, rejection) and a client that does
//!   not check its tokens: a clear error and no output file.
//! - A signer certificate that expired after signing: the B-T file validates at the proven
//!   time; the same signature without a timestamp is OUT_OF_BOUNDS_NO_POE.
//! - Two-phase signing with the timestamp requested at finish.
//! - Broken tokens inside files: wrong imprint, tampered signature.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use common::interop::{Poppler, Pyhanko};
use common::pki::{pem, TestPki};
use common::tsa::{pyhanko_document_timestamps, Behaviour, OpensslTransport, TestTsa};
use common::{sample_pdf, SampleXref};
use kyso::crypto::{digest, DigestAlgorithm, PrivateKey, SignatureAlgorithm};
use kyso::pki::TrustStore;
use kyso::report::{
    Code, Indication, PadesLevel, SignatureKind, SignatureReport, SigningTimeSource, SubIndication,
    TimestampKind, TimestampStatus, VerificationReport,
};
use kyso::sign::two_phase::{
    embed_cms_bytes, finish_bytes, finish_bytes_timestamped, prepare_bytes, PreparedSignature,
};
use kyso::sign::{
    sign_bytes, sign_file, timestamp_bytes, timestamp_file, DocTimestampOptions, SignOptions,
    SubFilter, Timestamping, TokenReserve,
};
use kyso::signer::{Signer, SignerIdentity, SoftwareSigner};
use kyso::tsp::{Rfc3161Client, TimestampClient, TspError};
use kyso::verify::{verify_bytes, verify_file, VerifyOptions};
use time::{Duration, OffsetDateTime};

/// The authority and the signer's PKI, in one temporary directory.
struct Setup {
    dir: tempfile::TempDir,
    tsa: Arc<TestTsa>,
    pki: TestPki,
}

impl Setup {
    fn new() -> Option<Setup> {
        let dir = common::temp_dir();
        let tsa = Arc::new(TestTsa::create(dir.path())?);
        let pki = TestPki::generate(OffsetDateTime::now_utc());
        Some(Setup { dir, tsa, pki })
    }

    fn transport(&self, behaviour: Behaviour) -> Arc<OpensslTransport> {
        Arc::new(OpensslTransport::new(self.tsa.clone(), behaviour))
    }

    fn timestamping(&self, behaviour: Behaviour) -> Timestamping {
        Timestamping::new(Arc::new(Rfc3161Client::new(OpensslTransportRef(
            self.transport(behaviour),
        ))))
    }

    /// Both roots.
    fn trust(&self) -> TrustStore {
        TrustStore::from_der_certificates([&self.pki.root_der, &self.tsa.root_der]).unwrap()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

/// An `Arc<OpensslTransport>` as a transport (to count requests from the test).
struct OpensslTransportRef(Arc<OpensslTransport>);

impl kyso::tsp::TsaTransport for OpensslTransportRef {
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, TspError> {
        self.0.exchange(request)
    }
    fn name(&self) -> String {
        self.0.name()
    }
}

fn verify(bytes: &[u8], trust: TrustStore, at: Option<OffsetDateTime>) -> VerificationReport {
    let mut opts = VerifyOptions::new(trust);
    if let Some(t) = at {
        opts = opts.validation_time(t);
    }
    verify_bytes(bytes, &opts).unwrap()
}

fn codes(s: &SignatureReport) -> Vec<Code> {
    s.findings.iter().map(|f| f.code).collect()
}

fn explain(r: &VerificationReport) -> String {
    r.to_json()
}

#[test]
fn b_t_signature_verifies_in_kyso_pyhanko_and_pdfsig() {
    let Some(setup) = Setup::new() else { return };
    let transport = setup.transport(Behaviour::Honest);
    let timestamping = Timestamping::new(Arc::new(Rfc3161Client::new(OpensslTransportRef(
        transport.clone(),
    ))));
    let signer = setup.pki.p256.signer();
    let input = sample_pdf(SampleXref::Table);
    let opts = SignOptions::new().timestamp(timestamping.clone());
    let before = OffsetDateTime::now_utc();
    let signed = sign_bytes(&input, &signer, &opts).unwrap();
    let after = OffsetDateTime::now_utc();
    // One probe (to size the placeholder) and one real request.
    assert_eq!(
        transport.requests.load(std::sync::atomic::Ordering::SeqCst),
        2
    );
    // The probe is kept: a second signature with the same options asks once more only.
    sign_bytes(&input, &signer, &opts).unwrap();
    assert_eq!(
        transport.requests.load(std::sync::atomic::Ordering::SeqCst),
        3
    );

    let report = verify(&signed, setup.trust(), None);
    let sig = &report.signatures[0];
    assert_eq!(
        sig.indication,
        Indication::TotalPassed,
        "{}",
        explain(&report)
    );
    assert_eq!(sig.pades_level, Some(PadesLevel::BT));
    assert_eq!(sig.time_source, Some(SigningTimeSource::SignatureTimestamp));
    let ts = &sig.timestamps[0];
    assert_eq!(ts.kind, TimestampKind::Signature);
    assert_eq!(ts.status, TimestampStatus::Valid);
    let gen = ts.gen_time.unwrap();
    assert!(
        gen >= before - Duration::seconds(2) && gen <= after + Duration::seconds(2),
        "genTime {gen} outside [{before}, {after}]"
    );
    assert!(ts.accuracy.is_some());
    assert_eq!(ts.policy.as_deref(), Some("1.3.6.1.4.1.99999.1.1"));
    assert!(sig.proven_time.is_some());
    assert!(codes(sig).contains(&Code::TspValid));
    assert!(!codes(sig).contains(&Code::TimeClaimedOnly));
    assert!(sig.missing_for_next_level[0].starts_with("B-LT"));

    // Without the authority's root the timestamp proves nothing: not passed, level B-B.
    let report = verify(&signed, setup.pki.trust(), None);
    let sig = &report.signatures[0];
    assert_eq!(sig.indication, Indication::Indeterminate);
    assert!(
        codes(sig).contains(&Code::TspUntrusted),
        "{}",
        explain(&report)
    );
    assert_eq!(sig.pades_level, Some(PadesLevel::BB));
    assert_eq!(sig.timestamps[0].status, TimestampStatus::Indeterminate);

    // The peers, on three keys and both formats.
    let root = setup.pki.write_root(setup.dir.path());
    let tsa_root = setup.tsa.root_pem.to_string_lossy().into_owned();
    let cases = [
        ("p256-pades", &setup.pki.p256, SubFilter::Pades),
        (
            "rsa2048-pkcs7",
            &setup.pki.rsa2048,
            SubFilter::Pkcs7Detached,
        ),
        (
            "rsa3072-pss-pades",
            &setup.pki.rsa3072_pss,
            SubFilter::Pades,
        ),
    ];
    for (name, test_signer, format) in cases {
        let signed = sign_bytes(
            &input,
            &test_signer.signer(),
            &SignOptions::new()
                .sub_filter(format)
                .timestamp(timestamping.clone()),
        )
        .unwrap();
        let report = verify(&signed, setup.trust(), None);
        assert!(report.all_passed(), "{name}: {}", explain(&report));
        assert_eq!(
            report.signatures[0].time_source,
            Some(SigningTimeSource::SignatureTimestamp)
        );
        let file = setup.write(&format!("b-t-{name}.pdf"), &signed);
        if let Some(pyhanko) = Pyhanko::find() {
            let sigs = pyhanko
                .validate(&file, &root, &["--trust", &tsa_root])
                .unwrap();
            assert_eq!(sigs.len(), 1);
            let s = &sigs[0];
            assert!(s.valid && s.intact, "{name}: {}", s.raw);
            assert!(
                s.flags
                    .iter()
                    .any(|f| f == "TIMESTAMP_TOKEN<INTACT:TRUSTED>"),
                "{name}: pyHanko did not accept the timestamp: {}",
                s.raw
            );
            assert!(s.raw.contains("kyso test timestamp authority"), "{}", s.raw);
        }
        if let Some(poppler) = Poppler::find() {
            let sigs = poppler.pdfsig(&file, true).unwrap();
            assert_eq!(sigs.len(), 1);
            assert!(sigs[0].valid, "{name}: {}", sigs[0].raw);
            assert!(sigs[0].total_document_signed);
        }
    }
}

#[test]
fn document_timestamp_over_a_signed_pdf() {
    let Some(setup) = Setup::new() else { return };
    let signer = setup.pki.rsa2048.signer();
    let input = setup.write("in.pdf", &sample_pdf(SampleXref::StreamWithObjectStreams));
    let signed = setup.path("signed.pdf");
    sign_file(&input, &signed, &signer, &SignOptions::new()).unwrap();
    let stamped = setup.path("stamped.pdf");
    timestamp_file(
        &signed,
        &stamped,
        &setup.timestamping(Behaviour::Honest),
        &DocTimestampOptions::new(),
    )
    .unwrap();
    // Earlier bytes untouched.
    let before = std::fs::read(&signed).unwrap();
    let after = std::fs::read(&stamped).unwrap();
    assert_eq!(&after[..before.len()], &before[..]);

    let report = verify_file(&stamped, &VerifyOptions::new(setup.trust())).unwrap();
    assert_eq!(report.signatures.len(), 2, "{}", explain(&report));
    let (sig, ts) = (&report.signatures[0], &report.signatures[1]);
    assert_eq!(ts.kind, SignatureKind::DocumentTimestamp);
    assert_eq!(ts.field_name.as_deref(), Some("Timestamp1"));
    assert_eq!(ts.sub_filter.as_deref(), Some("ETSI.RFC3161"));
    assert_eq!(
        ts.indication,
        Indication::TotalPassed,
        "{}",
        explain(&report)
    );
    assert_eq!(ts.timestamps[0].kind, TimestampKind::Document);
    assert_eq!(ts.timestamps[0].status, TimestampStatus::Valid);
    assert!(ts
        .signer
        .as_ref()
        .unwrap()
        .subject
        .contains("timestamp authority"));
    assert_eq!(
        sig.indication,
        Indication::TotalPassed,
        "{}",
        explain(&report)
    );
    assert_eq!(sig.time_source, Some(SigningTimeSource::DocumentTimestamp));
    assert_eq!(sig.pades_level, Some(PadesLevel::BT));
    assert!(codes(sig).contains(&Code::TimeProvenByDocumentTimestamp));
    assert_eq!(
        sig.modifications.level,
        kyso::report::ModificationLevel::LtvUpdates,
        "{}",
        explain(&report)
    );

    // A second document timestamp (renewal) keeps everything valid.
    let restamped = setup.path("restamped.pdf");
    timestamp_file(
        &stamped,
        &restamped,
        &setup.timestamping(Behaviour::Honest),
        &DocTimestampOptions::new(),
    )
    .unwrap();
    let report = verify_file(&restamped, &VerifyOptions::new(setup.trust())).unwrap();
    assert_eq!(report.signatures.len(), 3);
    assert!(report.all_passed(), "{}", explain(&report));
    assert_eq!(
        report.signatures[2].field_name.as_deref(),
        Some("Timestamp2")
    );

    // A changed byte inside the timestamped range: HASH_FAILURE for the timestamp.
    let mut bad = after.clone();
    let at = before.len() + 20;
    bad[at] = if bad[at] == b' ' { b'\n' } else { b' ' };
    let report = verify(&bad, setup.trust(), None);
    let ts = &report.signatures[1];
    assert_eq!(
        ts.indication,
        Indication::TotalFailed,
        "{}",
        explain(&report)
    );
    assert_eq!(ts.sub_indication, Some(SubIndication::HashFailure));

    if let Some(pyhanko) = Pyhanko::find() {
        // The command line validates the signature (and calls the timestamp an LTA update);
        // the document timestamp itself is judged through pyHanko's library.
        let root = setup.pki.write_root(setup.dir.path());
        let tsa_root = setup.tsa.root_pem.to_string_lossy().into_owned();
        let sigs = pyhanko
            .validate(&stamped, &root, &["--trust", &tsa_root])
            .unwrap();
        assert_eq!(sigs.len(), 1, "{sigs:?}");
        assert!(sigs[0].valid && sigs[0].intact, "{}", sigs[0].raw);
        assert_eq!(
            sigs[0].modification_level.as_deref(),
            Some("LTA_UPDATES"),
            "{}",
            sigs[0].raw
        );
        let stamps =
            pyhanko_document_timestamps(&pyhanko, &restamped, None, &[&setup.tsa.root_pem])
                .unwrap();
        assert_eq!(stamps.len(), 2, "{stamps:?}");
        for (s, name) in stamps.iter().zip(["Timestamp1", "Timestamp2"]) {
            assert_eq!(s.field, name);
            assert!(s.intact && s.valid && s.trusted, "{}", s.raw);
        }
        // Without the authority's root, pyHanko does not trust it either.
        let root_only = pyhanko_document_timestamps(&pyhanko, &stamped, None, &[&root]).unwrap();
        assert!(
            root_only.iter().all(|s| s.intact && !s.trusted),
            "{root_only:?}"
        );
    }
    if let Some(poppler) = Poppler::find() {
        let sigs = poppler.pdfsig(&stamped, true).unwrap();
        assert_eq!(sigs.len(), 2, "{sigs:?}");
        assert!(sigs[0].valid, "{}", sigs[0].raw);
        // poppler 22.12 lists the document timestamp as a signature over the whole file
        // but does not verify it: "Signature Type: unknown", "not yet verified" (as for
        // pyHanko's own document timestamps in the corpus).
        assert_eq!(sigs[1].field.as_deref(), Some("Timestamp1"));
        assert_eq!(
            sigs[1].signer_common_name.as_deref(),
            Some("kyso test timestamp authority")
        );
        assert!(sigs[1].total_document_signed, "{}", sigs[1].raw);
        assert!(!sigs[1].raw.contains("1970"), "{}", sigs[1].raw);
    }
}

#[test]
fn misbehaving_authorities_give_clear_errors_and_no_output() {
    let Some(setup) = Setup::new() else { return };
    let signer = setup.pki.p256.signer();
    let input = setup.write("in.pdf", &sample_pdf(SampleXref::Table));
    for behaviour in [
        Behaviour::WrongImprint,
        Behaviour::WrongNonce,
        Behaviour::Reject,
    ] {
        for reserve in [TokenReserve::Probe, TokenReserve::Bytes(8192)] {
            let ts = setup.timestamping(behaviour).reserve(reserve);
            let out = setup.path(&format!("{behaviour:?}-{reserve:?}.pdf"));
            let err = sign_file(
                &input,
                &out,
                &signer,
                &SignOptions::new().timestamp(ts.clone()),
            )
            .unwrap_err();
            check_error(behaviour, &err);
            assert!(!out.exists(), "{behaviour:?}: output written");
            let out = setup.path(&format!("{behaviour:?}-{reserve:?}-doc.pdf"));
            let err = timestamp_file(&input, &out, &ts, &DocTimestampOptions::new()).unwrap_err();
            check_error(behaviour, &err);
            assert!(!out.exists(), "{behaviour:?}: output written");
        }
    }
    // No temporary file was left behind either.
    let leftovers: Vec<_> = std::fs::read_dir(setup.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".kyso-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn check_error(behaviour: Behaviour, err: &kyso::Error) {
    let text = err.to_string();
    let kyso::Error::Timestamp(e) = err else {
        panic!("{behaviour:?}: not a timestamp error: {err}");
    };
    match behaviour {
        Behaviour::WrongImprint => {
            assert!(matches!(e, TspError::ImprintMismatch { .. }), "{text}");
            assert!(text.contains("message imprint"), "{text}");
        }
        Behaviour::WrongNonce => {
            assert!(matches!(e, TspError::NonceMismatch { .. }), "{text}");
            assert!(text.contains("nonce"), "{text}");
        }
        Behaviour::Reject => {
            assert!(matches!(e, TspError::Rejected { .. }), "{text}");
            assert!(
                text.contains("rejection") && text.contains("badAlg"),
                "{text}"
            );
        }
        other => panic!("unexpected behaviour {other:?}"),
    }
}

/// Returns a token over other data: the pipeline must refuse it whatever the client says.
struct CarelessClient(Arc<dyn TimestampClient>);

impl TimestampClient for CarelessClient {
    fn timestamp(&self, _imprint: &[u8], alg: DigestAlgorithm) -> Result<Vec<u8>, TspError> {
        self.0.timestamp(&digest(alg, b"something else"), alg)
    }
}

#[test]
fn a_client_that_does_not_check_is_caught_by_the_pipeline() {
    let Some(setup) = Setup::new() else { return };
    let honest: Arc<dyn TimestampClient> = Arc::new(Rfc3161Client::new(OpensslTransportRef(
        setup.transport(Behaviour::Honest),
    )));
    let ts = Timestamping::new(Arc::new(CarelessClient(honest))).reserve(TokenReserve::Bytes(8192));
    let input = sample_pdf(SampleXref::Table);
    let err = sign_bytes(
        &input,
        &setup.pki.p256.signer(),
        &SignOptions::new().timestamp(ts.clone()),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            kyso::Error::Timestamp(TspError::ImprintMismatch { .. })
        ),
        "{err}"
    );
    let err = timestamp_bytes(&input, &ts, &DocTimestampOptions::new()).unwrap_err();
    assert!(
        matches!(
            err,
            kyso::Error::Timestamp(TspError::ImprintMismatch { .. })
        ),
        "{err}"
    );
    // A reserve too small for the token is refused before anything is written.
    let small = setup
        .timestamping(Behaviour::Honest)
        .reserve(TokenReserve::Bytes(100));
    let err = sign_bytes(
        &input,
        &setup.pki.p256.signer(),
        &SignOptions::new().timestamp(small.clone()),
    )
    .unwrap_err();
    assert!(
        matches!(err, kyso::Error::Timestamp(TspError::DoesNotFit { .. })),
        "{err}"
    );
    let err = timestamp_bytes(&input, &small, &DocTimestampOptions::new()).unwrap_err();
    assert!(
        matches!(err, kyso::Error::Timestamp(TspError::DoesNotFit { .. })),
        "{err}"
    );
}

/// A P-256 signer whose certificate is valid from 10 days ago until tomorrow, under its own
/// root: (signer, root DER).
fn short_lived_signer() -> (SoftwareSigner, Vec<u8>) {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair,
        KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
    };
    let now = OffsetDateTime::now_utc();
    let mut root = CertificateParams::default();
    root.distinguished_name
        .push(DnType::CommonName, "kyso short-lived root");
    root.not_before = now - Duration::days(100);
    root.not_after = now + Duration::days(3650);
    root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let root = CertifiedIssuer::self_signed(
        root,
        KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
    )
    .unwrap();
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mut p = CertificateParams::default();
    p.distinguished_name
        .push(DnType::CommonName, "Đặng Văn Sắp Hết Hạn");
    p.not_before = now - Duration::days(10);
    p.not_after = now + Duration::days(1);
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    let cert = p.signed_by(&key, &root).unwrap();
    let pk = PrivateKey::from_pem(key.serialize_pem().as_bytes()).unwrap();
    let signer = SoftwareSigner::new(pk, cert.der().to_vec(), Vec::new()).unwrap();
    (signer, root.der().to_vec())
}

#[test]
fn expired_signer_validates_at_the_proven_time_only_with_a_timestamp() {
    let Some(setup) = Setup::new() else { return };
    let (signer, root) = short_lived_signer();
    let trust = TrustStore::from_der_certificates([&root, &setup.tsa.root_der]).unwrap();
    let input = sample_pdf(SampleXref::Table);
    let b_t = sign_bytes(
        &input,
        &signer,
        &SignOptions::new().timestamp(setup.timestamping(Behaviour::Honest)),
    )
    .unwrap();
    let b_b = sign_bytes(&input, &signer, &SignOptions::new()).unwrap();
    let later = OffsetDateTime::now_utc() + Duration::days(30);

    let report = verify(&b_t, trust.clone(), Some(later));
    let sig = &report.signatures[0];
    assert_eq!(
        sig.indication,
        Indication::TotalPassed,
        "{}",
        explain(&report)
    );
    let proven = sig.proven_time.unwrap();
    assert_eq!(sig.path_validation_time, Some(proven));
    assert!(proven < signer.certificate_not_after_for_test());
    assert!(codes(sig).contains(&Code::TimePathAtProvenTime));
    assert_eq!(sig.pades_level, Some(PadesLevel::BT));

    // The report says until when the proof holds: the authority's certificate's expiry.
    let archive = sig.archive.as_ref().expect("an archive status");
    assert!(archive.holds);
    assert_eq!(
        archive.provable_until,
        sig.timestamps[0].tsa.as_ref().map(|c| c.not_after)
    );

    // EN 319 102-1 §5.6.3: six years on, the authority's certificate (five years) has
    // expired too, and nothing later protects the signature timestamp, the newest (and only)
    // proof of existence: it is validated at the validation time, fails, and the expired
    // signer has no proof of existence any more.
    let much_later = OffsetDateTime::now_utc() + Duration::days(6 * 365);
    let report = verify(&b_t, trust.clone(), Some(much_later));
    let sig = &report.signatures[0];
    assert_eq!(
        sig.indication,
        Indication::Indeterminate,
        "{}",
        explain(&report)
    );
    assert_eq!(sig.sub_indication, Some(SubIndication::OutOfBoundsNoPoe));
    assert!(codes(sig).contains(&Code::TspAuthorityExpired));
    let ts = &sig.timestamps[0];
    assert_eq!(ts.path_validation_time, Some(much_later));
    assert!(ts.tsa.as_ref().unwrap().not_after < much_later);
    assert!(!sig.archive.as_ref().unwrap().holds);

    let report = verify(&b_b, trust.clone(), Some(later));
    let sig = &report.signatures[0];
    assert_eq!(sig.indication, Indication::Indeterminate);
    assert_eq!(
        sig.sub_indication,
        Some(SubIndication::OutOfBoundsNoPoe),
        "{}",
        explain(&report)
    );
    assert!(sig.path_validation_time.is_none());
    assert_eq!(sig.pades_level, Some(PadesLevel::BB));

    // A document timestamp added before the certificate expired proves the B-B signature's
    // existence as well.
    let stamped = timestamp_bytes(
        &b_b,
        &setup.timestamping(Behaviour::Honest),
        &DocTimestampOptions::new(),
    )
    .unwrap();
    let report = verify(&stamped, trust, Some(later));
    let sig = &report.signatures[0];
    assert_eq!(
        sig.indication,
        Indication::TotalPassed,
        "{}",
        explain(&report)
    );
    assert_eq!(sig.time_source, Some(SigningTimeSource::DocumentTimestamp));
    assert!(sig.path_validation_time.is_some());
}

/// The not-after of a signer's certificate, for assertions.
trait NotAfter {
    fn certificate_not_after_for_test(&self) -> OffsetDateTime;
}

impl NotAfter for SoftwareSigner {
    fn certificate_not_after_for_test(&self) -> OffsetDateTime {
        kyso::pki::Certificate::from_der(self.certificate())
            .unwrap()
            .not_after()
    }
}

#[test]
fn two_phase_signing_requests_the_timestamp_at_finish() {
    let Some(setup) = Setup::new() else { return };
    let signer = setup.pki.p384.signer();
    let identity = SignerIdentity::of(&signer);
    let input = sample_pdf(SampleXref::Table);
    let transport = setup.transport(Behaviour::Honest);
    let opts = SignOptions::new().timestamp(
        Timestamping::new(Arc::new(Rfc3161Client::new(OpensslTransportRef(
            transport.clone(),
        ))))
        .reserve(TokenReserve::Bytes(8192)),
    );
    let state = prepare_bytes(&input, &identity, &opts).unwrap();
    // A fixed reserve: the authority is not asked at prepare.
    assert_eq!(
        transport.requests.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    let state = PreparedSignature::from_json(&state.to_json().unwrap()).unwrap();
    assert_eq!(state.timestamp_plan().unwrap().reserve, 8192);
    let signature = signer.sign(&state.bytes_to_sign().unwrap()).unwrap();

    let err = finish_bytes(&state, &signature, &input).unwrap_err();
    assert!(err.to_string().contains("signature timestamp"), "{err}");
    let client = Rfc3161Client::new(OpensslTransportRef(transport.clone()));
    let signed = finish_bytes_timestamped(&state, &signature, &client, &input).unwrap();
    assert_eq!(
        transport.requests.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    let report = verify(&signed, setup.trust(), None);
    let sig = &report.signatures[0];
    assert_eq!(
        sig.indication,
        Indication::TotalPassed,
        "{}",
        explain(&report)
    );
    assert_eq!(sig.pades_level, Some(PadesLevel::BT));

    // A state without a reserve refuses a timestamp at finish.
    let plain = prepare_bytes(&input, &identity, &SignOptions::new()).unwrap();
    let signature = signer.sign(&plain.bytes_to_sign().unwrap()).unwrap();
    let err = finish_bytes_timestamped(&plain, &signature, &client, &input).unwrap_err();
    assert!(err.to_string().contains("no room"), "{err}");
}

/// A CMS over the prepared document with `token` as its signature-time-stamp attribute,
/// embedded through the foreign-CMS path (which checks the CMS signature, not the token).
fn with_foreign_token(setup: &Setup, token: &[u8]) -> Vec<u8> {
    let signer = setup.pki.p256.signer();
    let identity = SignerIdentity::of(&signer);
    let input = sample_pdf(SampleXref::Table);
    let opts = SignOptions::new().timestamp(
        setup
            .timestamping(Behaviour::Honest)
            .reserve(TokenReserve::Bytes(8192)),
    );
    let state = prepare_bytes(&input, &identity, &opts).unwrap();
    let attrs = state.bytes_to_sign().unwrap();
    let signature = signer.sign(&attrs).unwrap();
    let attribute =
        kyso::cms::encode_attribute(&kyso::asn1::oid::ID_AA_SIGNATURE_TIME_STAMP_TOKEN, &[token])
            .unwrap();
    let cms = kyso::cms::build_signed_data(
        &kyso::cms::SignedDataSpec::new(
            SignatureAlgorithm::EcdsaP256Sha256,
            &attrs,
            &signature,
            signer.certificate(),
            &[],
        )
        .with_unsigned_attribute(attribute),
    )
    .unwrap();
    embed_cms_bytes(&state, &cms, &input).unwrap()
}

#[test]
fn broken_signature_timestamps_in_files_prove_nothing() {
    let Some(setup) = Setup::new() else { return };
    let client = Rfc3161Client::new(OpensslTransportRef(setup.transport(Behaviour::Honest)));
    // A genuine token, but over other data.
    let other = client
        .timestamp(
            &digest(DigestAlgorithm::Sha256, b"other"),
            DigestAlgorithm::Sha256,
        )
        .unwrap();
    let report = verify(&with_foreign_token(&setup, &other), setup.trust(), None);
    let sig = &report.signatures[0];
    assert!(
        codes(sig).contains(&Code::TspImprintMismatch),
        "{}",
        explain(&report)
    );
    assert_eq!(sig.indication, Indication::Indeterminate);
    assert_eq!(sig.pades_level, Some(PadesLevel::BB));
    assert_eq!(sig.timestamps[0].status, TimestampStatus::Invalid);
    assert_eq!(sig.time_source, Some(SigningTimeSource::Claimed));

    // The authority's signature altered: its last byte (the end of the ECDSA value).
    let mut tampered = other.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    let report = verify(&with_foreign_token(&setup, &tampered), setup.trust(), None);
    let sig = &report.signatures[0];
    assert!(
        codes(sig).contains(&Code::TspSignatureInvalid),
        "{}",
        explain(&report)
    );
    assert_eq!(sig.indication, Indication::Indeterminate);

    // Not a token at all.
    let report = verify(
        &with_foreign_token(&setup, &[0x30, 0x03, 0x02, 0x01, 0x01]),
        setup.trust(),
        None,
    );
    let sig = &report.signatures[0];
    assert!(
        codes(sig).contains(&Code::TspMalformed),
        "{}",
        explain(&report)
    );
    assert_eq!(sig.indication, Indication::Indeterminate);
}

#[test]
fn pyhanko_b_t_signatures_verify_in_kyso() {
    // pyHanko's own PAdES-LTA test files carry signature timestamps and document
    // timestamps from its testing TSA, and their validation data in the /DSS; at the corpus
    // freeze time their first signature is B-LTA in kyso (tests/ltv.rs goes further).
    let Some(dir) = common::corpus("04-signed-pdfs/pyhanko") else {
        return;
    };
    let mut trust = TrustStore::empty();
    trust
        .add_file(&dir.join("_ca-certs/testing-ca_root_root.cert.pem"))
        .unwrap();
    let at = time::macros::datetime!(2020-11-01 0:00 UTC);
    for name in [
        "pades-lta-dss-indirect-arrs-test.pdf",
        "pades-lta-dss-indirect-arrs-test-2.pdf",
    ] {
        let report = verify_file(
            &dir.join(name),
            &VerifyOptions::new(trust.clone()).validation_time(at),
        )
        .unwrap();
        assert!(report.all_passed(), "{name}: {}", explain(&report));
        let doc_ts: Vec<&SignatureReport> = report
            .signatures
            .iter()
            .filter(|s| s.kind == SignatureKind::DocumentTimestamp)
            .collect();
        assert_eq!(doc_ts.len(), 1, "{name}");
        assert_eq!(doc_ts[0].timestamps[0].status, TimestampStatus::Valid);
        assert_eq!(doc_ts[0].chain.status, kyso::report::ChainStatus::Trusted);
        let first = &report.signatures[0];
        assert_eq!(first.pades_level, Some(PadesLevel::BLta), "{name}");
        assert_eq!(
            first.time_source,
            Some(SigningTimeSource::SignatureTimestamp),
            "{name}"
        );
    }
}

#[test]
fn token_parsing_of_openssl_output_and_pem_roots() {
    // The TSA certificate openssl signs with must pass kyso's usage check, and its root
    // written as PEM must load as a trust anchor (what the CLI tests pass with --trust).
    let Some(setup) = Setup::new() else { return };
    let mut trust = TrustStore::empty();
    trust.add_file(&setup.tsa.root_pem).unwrap();
    let pem_text = std::fs::read_to_string(&setup.tsa.cert_pem).unwrap();
    let der = kyso::pki::certificates_from_pem_or_der(pem_text.as_bytes()).unwrap();
    assert!(kyso::tsp::timestamping_usage(&der[0]).is_ok());
    assert!(pem("CERTIFICATE", &der[0]).contains("BEGIN CERTIFICATE"));
}
