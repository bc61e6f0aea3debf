//! Signing with a revoked certificate is refused before anything is written, whenever
//! revocation data is at hand (EN 319 102-1 §5.2.6: every verifier with the same data would
//! find the signature INDETERMINATE/REVOKED_NO_POE): an OCSP response from the real OpenSSL
//! responder on 127.0.0.1 (`common::ltv_pki`), a CRL given by the caller, the data of
//! `sign_long_term` (B-LT/B-LTA), and the command line's `--trust` with `--ocsp`/`--crl`.

mod common;

use common::cli::{code, kyso, show, stderr};
use common::ltv_pki::LtvPki;
use common::tsa::Behaviour;
use common::{sample_pdf, SampleXref};
use kyso::ltv::{sign_long_term, LongTermLevel, LtvOptions};
use kyso::pki::{Origin, RevocationData};
use kyso::report::Lang;
use kyso::sign::{sign_bytes, sign_file, RevocationCheck, SignOptions};
use kyso::Refusal;
use rcgen::{
    CertificateRevocationListParams, KeyIdMethod, RevocationReason, RevokedCertParams, SerialNumber,
};
use time::{Duration, OffsetDateTime};

/// The PKI with the signer revoked an hour ago for `reason`, and the responder's answer.
fn revoked_pki(reason: &str) -> Option<(LtvPki, Vec<u8>)> {
    let pki = LtvPki::new()?;
    pki.write_index(Some((
        OffsetDateTime::now_utc() - Duration::hours(1),
        reason,
    )));
    let responder = pki.start_responder(pki.ocsp_port);
    let der = pki.fetch_ocsp("signer", pki.ocsp_port);
    drop(responder);
    Some((pki, der))
}

fn check_with(pki: &LtvPki, data: RevocationData) -> RevocationCheck {
    let mut check = RevocationCheck::new(pki.trust());
    check.data = data;
    check
}

fn assert_refused_as_revoked(e: &kyso::Error) {
    match e.refusal() {
        Some(Refusal::SignerRevoked {
            subject, reason, ..
        }) => {
            assert!(subject.contains("LTV signer"), "{subject}");
            assert!(!reason.is_empty());
        }
        other => panic!("expected SignerRevoked, got {other:?}: {e}"),
    }
    let vi = e.refusal().unwrap().text(Lang::Vi);
    assert!(vi.contains("đã bị thu hồi"), "{vi}");
}

/// An OCSP response saying "revoked" (from `openssl ocsp`): refused, nothing written; a
/// "good" one from the same responder: signed.
#[test]
fn en_319_102_1_5_2_6_signing_with_a_revoked_certificate_is_refused_given_ocsp() {
    let Some((pki, revoked)) = revoked_pki("keyCompromise") else {
        return;
    };
    let mut data = RevocationData::new();
    data.add_ocsp_der(&revoked, Origin::Caller).unwrap();
    let mut opts = SignOptions::new();
    opts.revocation_check = Some(check_with(&pki, data));
    let input = pki.path("in.pdf");
    std::fs::write(&input, sample_pdf(SampleXref::Table)).unwrap();
    let out = pki.path("out.pdf");
    let e = sign_file(&input, &out, &pki.signer(), &opts).unwrap_err();
    assert_refused_as_revoked(&e);
    assert!(!out.exists());

    pki.write_index(None);
    let responder = pki.start_responder(pki.ocsp_port);
    let good = pki.fetch_ocsp("signer", pki.ocsp_port);
    drop(responder);
    let mut data = RevocationData::new();
    data.add_ocsp_der(&good, Origin::Caller).unwrap();
    opts.revocation_check = Some(check_with(&pki, data));
    sign_file(&input, &out, &pki.signer(), &opts).unwrap();
    assert!(out.exists());
}

/// A CRL given by the caller that lists the signer: refused.
#[test]
fn en_319_102_1_5_2_6_signing_with_a_revoked_certificate_is_refused_given_a_crl() {
    let Some(pki) = LtvPki::new() else { return };
    let crl = CertificateRevocationListParams {
        this_update: pki.now - Duration::hours(1),
        next_update: pki.now + Duration::days(7),
        crl_number: SerialNumber::from(vec![3]),
        issuing_distribution_point: None,
        revoked_certs: vec![RevokedCertParams {
            serial_number: SerialNumber::from(vec![pki.signer.serial]),
            revocation_time: pki.now - Duration::minutes(30),
            reason_code: Some(RevocationReason::Superseded),
            invalidity_date: None,
        }],
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&pki.root)
    .unwrap();
    let mut data = RevocationData::new();
    data.add_crl_der(crl.der(), Origin::Caller).unwrap();
    let mut opts = SignOptions::new();
    opts.revocation_check = Some(check_with(&pki, data));
    let e = sign_bytes(&sample_pdf(SampleXref::Table), &pki.signer(), &opts).unwrap_err();
    assert_refused_as_revoked(&e);
    // The same CRL as a file on the command line.
    std::fs::write(pki.path("root.crl"), crl.der()).unwrap();
    let input = pki.path("in.pdf");
    std::fs::write(&input, sample_pdf(SampleXref::Table)).unwrap();
    let out = pki.path("out.pdf");
    let o = kyso([
        "sign".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--key".as_ref(),
        pki.path("signer.key").as_os_str(),
        "--cert".as_ref(),
        pki.path("signer.pem").as_os_str(),
        "--trust".as_ref(),
        pki.root_pem().as_os_str(),
        "--crl".as_ref(),
        pki.path("root.crl").as_os_str(),
    ]);
    assert_ne!(code(&o), 0, "{}", show(&o));
    assert!(stderr(&o).contains("revoked"), "{}", show(&o));
    assert!(!out.exists());
}

/// `sign_long_term` (kyso sign --level b-lt|b-lta) checks the signer against the
/// validation data it was given before signing: refused, nothing written (it used to write
/// the file and report exit 1).
#[test]
fn en_319_102_1_5_2_6_sign_long_term_refuses_a_revoked_signer_before_signing() {
    let Some((pki, revoked)) = revoked_pki("superseded") else {
        return;
    };
    let input = pki.path("in.pdf");
    std::fs::write(&input, sample_pdf(SampleXref::Table)).unwrap();
    let out = pki.path("out.pdf");
    let mut ltv = LtvOptions::new(pki.trust());
    ltv.revocation
        .add_ocsp_der(&revoked, Origin::Caller)
        .unwrap();
    let opts = SignOptions::new().timestamp(pki.timestamping(Behaviour::Honest));
    let e =
        sign_long_term(&input, &out, &pki.signer(), &opts, LongTermLevel::BLt, &ltv).unwrap_err();
    assert_refused_as_revoked(&e);
    assert!(!out.exists());
    let leftovers = std::fs::read_dir(pki.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".kyso-"))
        .count();
    assert_eq!(leftovers, 0);
}

fn assert_refused_as_unknown(e: &kyso::Error, subject_part: &str, why_part: &str) {
    match e.refusal() {
        Some(Refusal::SignerStatusUnknown { subject, why }) => {
            assert!(subject.contains(subject_part), "{subject}");
            assert!(why.contains(why_part), "{why}");
        }
        other => panic!("expected SignerStatusUnknown, got {other:?}: {e}"),
    }
    let vi = e.refusal().unwrap().text(Lang::Vi);
    assert!(
        vi.contains("không xác định được tình trạng thu hồi"),
        "{vi}"
    );
    assert!(vi.contains("chưa ký gì cả"), "{vi}");
}

/// RFC 6960 §2.2 with EN 319 102-1 §5.2.6: the CA's own responder (`openssl ocsp`, whose
/// index does not list the signer) answers `unknown`: the certificate's status is unknown
/// with data at hand, so signing is refused and nothing is written.
#[test]
fn en_319_102_1_5_2_6_signing_with_an_unknown_status_certificate_is_refused_given_ocsp() {
    let Some(pki) = LtvPki::new() else { return };
    let index = std::fs::read_to_string(pki.path("index.txt")).unwrap();
    let without_signer: String = index
        .lines()
        .filter(|l| !l.ends_with("CN=LTV signer"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(index, without_signer);
    std::fs::write(pki.path("index.txt"), without_signer).unwrap();
    let responder = pki.start_responder(pki.ocsp_port);
    let der = pki.fetch_ocsp("signer", pki.ocsp_port);
    drop(responder);
    let parsed = kyso::pki::OcspResponse::from_der(&der).unwrap();
    assert!(
        parsed
            .responses()
            .iter()
            .all(|s| matches!(s.status, kyso::pki::OcspStatus::Unknown)),
        "the responder was expected to answer unknown"
    );
    let mut data = RevocationData::new();
    data.add_ocsp_der(&der, Origin::Caller).unwrap();
    let mut opts = SignOptions::new();
    opts.revocation_check = Some(check_with(&pki, data));
    let input = pki.path("in.pdf");
    std::fs::write(&input, sample_pdf(SampleXref::Table)).unwrap();
    let out = pki.path("out.pdf");
    let e = sign_file(&input, &out, &pki.signer(), &opts).unwrap_err();
    assert_refused_as_unknown(&e, "LTV signer", "does not know the certificate");
    assert!(!out.exists());

    // The command line: the same response as a file, in Vietnamese.
    std::fs::write(pki.path("signer.ocsp"), &der).unwrap();
    let o = kyso([
        "sign".as_ref(),
        "--lang".as_ref(),
        "vi".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--key".as_ref(),
        pki.path("signer.key").as_os_str(),
        "--cert".as_ref(),
        pki.path("signer.pem").as_os_str(),
        "--trust".as_ref(),
        pki.root_pem().as_os_str(),
        "--ocsp".as_ref(),
        pki.path("signer.ocsp").as_os_str(),
    ]);
    assert_ne!(code(&o), 0, "{}", show(&o));
    assert!(
        stderr(&o).contains("không xác định được tình trạng thu hồi"),
        "{}",
        show(&o)
    );
    assert!(!out.exists());
}

/// EN 319 102-1 §5.2.6 with RFC 5280 §6.3.3: the only revocation data given is a CRL of
/// another CA, which says nothing about the signer: its status is unknown with data at
/// hand, refused. With no data at all (nothing given, no fetcher) signing goes on: no data
/// is neither revoked nor unknown.
#[test]
fn en_319_102_1_5_2_6_a_crl_of_another_issuer_leaves_the_status_unknown_refused() {
    let Some(pki) = LtvPki::new() else { return };
    let mut p = rcgen::CertificateParams::default();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name
        .push(rcgen::DnType::CommonName, "Another CA");
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    p.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let other =
        rcgen::CertifiedIssuer::self_signed(p, rcgen::KeyPair::generate().unwrap()).unwrap();
    let crl = CertificateRevocationListParams {
        this_update: pki.now - Duration::hours(1),
        next_update: pki.now + Duration::days(7),
        crl_number: SerialNumber::from(vec![1]),
        issuing_distribution_point: None,
        revoked_certs: Vec::new(),
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&other)
    .unwrap();
    let mut data = RevocationData::new();
    data.add_crl_der(crl.der(), Origin::Caller).unwrap();
    let mut opts = SignOptions::new();
    opts.revocation_check = Some(check_with(&pki, data));
    let e = sign_bytes(&sample_pdf(SampleXref::Table), &pki.signer(), &opts).unwrap_err();
    assert_refused_as_unknown(&e, "LTV signer", "1 CRL(s), 0 OCSP response(s)");

    opts.revocation_check = Some(check_with(&pki, RevocationData::new()));
    sign_bytes(&sample_pdf(SampleXref::Table), &pki.signer(), &opts).unwrap();
}
