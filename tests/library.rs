//! The library's front door, as a Rust developer meets it: every public error converts into
//! `kyso::Error` with `?`, and trust anchors load from memory (PEM text or DER) as well as
//! from files.

mod common;

use std::path::Path;

use common::pki::{pem, TestPki};
use common::vectors::{base, sign, Base};
use kyso::pki::TrustStore;
use kyso::report::Indication;
use kyso::verify::{verify_bytes, VerifyOptions};
use time::OffsetDateTime;

/// Passes any error through `?` into `kyso::Error` (compiles only when the conversion
/// exists).
fn through_question_mark<T, E>(r: Result<T, E>) -> Result<T, kyso::Error>
where
    kyso::Error: From<E>,
{
    Ok(r?)
}

/// Asserts that `r` is an error whose `kyso::Error` says `what`.
fn converts<T: std::fmt::Debug, E>(r: Result<T, E>, what: &str)
where
    kyso::Error: From<E>,
{
    match through_question_mark(r) {
        Err(e) => assert!(
            e.to_string().to_lowercase().contains(&what.to_lowercase()),
            "{what}: {e}"
        ),
        Ok(v) => panic!("{what}: no error ({v:?})"),
    }
}

#[test]
fn every_public_error_converts_into_kyso_error() {
    use kyso::crypto::{
        verify_signature, AlgorithmIdentifier, PrivateKey, PssParamsError, RsaPssParams,
        SignatureCheckError,
    };
    use kyso::pki::{Certificate, Crl, FetchError, OcspResponse};
    use kyso::signer::{Pkcs12Identity, SignerError, SignerIdentity};

    converts(Certificate::from_der(b"junk"), "");
    converts(Crl::from_der(b"junk"), "CRL");
    converts(OcspResponse::from_der(b"junk"), "OCSP");
    converts(
        Err::<(), _>(FetchError::UnsupportedUrl("ftp://ca.example/crl".into())),
        "ftp://ca.example/crl",
    );
    converts(PrivateKey::from_der(b"junk"), "key");
    converts(Pkcs12Identity::from_der(b"junk", "mat-khau"), "PKCS#12");
    converts(
        Err::<(), _>(SignerError::SignatureMismatch),
        "does not verify",
    );
    converts(
        SignerIdentity::from_certificate(b"junk".to_vec(), Vec::new()),
        "",
    );
    let alg = AlgorithmIdentifier::from_der(&[
        0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
    ])
    .unwrap();
    let check: Result<_, SignatureCheckError> = verify_signature(b"junk", &alg, None, b"m", b"s");
    converts(check, "");
    let pss: Result<RsaPssParams, PssParamsError> = RsaPssParams::from_der(Some(b"junk"));
    converts(pss, "PSS");
    converts(kyso::cms::parse_signed_data(b"junk"), "");
    converts(kyso::pdf::Document::open(&b"junk"[..]), "");
    converts(kyso::tsp::TimestampResponse::parse(b"junk"), "");
    converts(Err::<(), _>(kyso::pdf::WriteError::Encrypted), "encrypted");
    converts(kyso::form::FormValues::from_json(b"junk"), "");
    converts(
        Err::<(), _>(kyso::attachments::AttachmentError::NoSuchAttachment {
            name: "to-khai.pdf".into(),
        }),
        "to-khai.pdf",
    );
    converts(
        Err::<(), _>(kyso::sign::UnfitCertificate::KeyMismatch {
            subject: "CN=Nguyễn Văn An".into(),
        }),
        "Nguyễn Văn An",
    );
    converts(
        kyso::sign::appearance::Template::from_json(b"junk", kyso::draw::Origin::Bytes),
        "",
    );
    converts(
        Err::<(), _>(kyso::draw::DrawError::UnknownImageFormat {
            origin: kyso::draw::Origin::Bytes,
        }),
        "not a PNG or JPEG",
    );
    converts(
        Err::<(), _>(kyso::Refusal::DocMdpForbids { level: 1 }),
        "P=1",
    );
    // An I/O error is not a kyso error by itself: it carries the path it is about (it is
    // not "the PDF could not be read").
    let missing = Path::new("/nonexistent/kyso/file");
    let e = kyso::Error::io(missing, std::fs::read(missing).unwrap_err());
    assert!(matches!(e, kyso::Error::Io { .. }));
    let text = e.to_string().to_lowercase();
    assert!(
        text.contains("/nonexistent/kyso/file") && text.contains("no such file"),
        "{text}"
    );
    // Errors of optional features convert too.
    #[cfg(feature = "pkcs11")]
    converts(
        Err::<(), _>(kyso::signer::pkcs11::Pkcs11Error::NoCertificate),
        "PKCS#11",
    );
}

#[test]
fn trust_anchors_load_from_pem_text_and_der_in_memory() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let signed = sign(&base(Base::Table), &pki.p256, false, now);

    // A bundle of two certificates as PEM text (the second one unrelated).
    let bundle = format!(
        "{}{}",
        pem("CERTIFICATE", &pki.root_der),
        pem("CERTIFICATE", &pki.other_root_der)
    );
    let trust = TrustStore::from_pem_or_der(bundle.as_bytes()).unwrap();
    assert_eq!(trust.anchors().len(), 2);
    let report = verify_bytes(&signed, &VerifyOptions::new(trust).validation_time(now)).unwrap();
    assert_eq!(report.signatures[0].indication, Indication::TotalPassed);

    // One DER certificate; added to a store that has other anchors.
    let mut trust = TrustStore::from_pem_or_der(&pki.other_root_der).unwrap();
    trust.add_pem_or_der(&pki.root_der).unwrap();
    assert_eq!(trust.anchors().len(), 2);
    let report = verify_bytes(&signed, &VerifyOptions::new(trust).validation_time(now)).unwrap();
    assert_eq!(report.signatures[0].indication, Indication::TotalPassed);

    // Not a certificate: a clear error, not an empty store.
    let e = TrustStore::from_pem_or_der(
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("trust anchor"), "{e}");
    assert!(TrustStore::from_pem_or_der(b"junk").is_err());
}
