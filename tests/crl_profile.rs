//! The CRL profile (RFC 5280 §5.2.3, §6.3.3 (f)) and the extended key usage of a document
//! signer (§4.2.1.12), with certificates and CRLs made in the test.
//!
//! rcgen always writes a non-critical cRLNumber and refuses to sign a CRL for an issuer
//! without cRLSign, so the CRLs here are assembled by hand (TBSCertList, RFC 5280 §5.1) and
//! signed with the CA's key: one with a correct cRLNumber (the control), one without, one
//! with a critical cRLNumber, and one signed by a CA whose keyUsage lacks cRLSign. Each is
//! tried under `require` and `if-available`: a refused CRL is named with
//! `revocation.crl_unusable` in both, and leaves the status unknown (an error under
//! `require`, a warning under `if-available`).

mod common;

use asn1_rs::{Class, Oid, Sequence, ToDer};
use common::x509::{self, der};
use kyso::pki::{
    Certificate, Origin, PathOutcome, PathValidator, Purpose, RevocationData, RevocationMode,
    RevocationPolicy, TrustStore, ValidationPolicy, ValidationTime,
};
use kyso::report::{Code, Severity};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, CustomExtension, DistinguishedName,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SerialNumber, SigningKey,
    PKCS_ECDSA_P256_SHA256,
};
use time::{Duration, OffsetDateTime};

fn name(cn: &str) -> DistinguishedName {
    x509::name("kyso CRL profile test", cn)
}

struct Pki {
    now: OffsetDateTime,
    ca: CertifiedIssuer<'static, KeyPair>,
    leaf: Vec<u8>,
}

impl Pki {
    /// A CA with keyUsage `ca_usages` and an end entity with `eku` (and `extra` extensions).
    fn new(
        ca_usages: Vec<KeyUsagePurpose>,
        eku: Vec<ExtendedKeyUsagePurpose>,
        extra: Vec<CustomExtension>,
    ) -> Pki {
        let now = OffsetDateTime::now_utc();
        let mut p = CertificateParams::default();
        p.distinguished_name = name("CRL Profile CA");
        p.not_before = now - Duration::days(30);
        p.not_after = now + Duration::days(365);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = ca_usages;
        p.serial_number = Some(SerialNumber::from(vec![1]));
        let ca = CertifiedIssuer::self_signed(
            p,
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
        )
        .unwrap();
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut p = CertificateParams::default();
        p.distinguished_name = name("Signer");
        p.not_before = now - Duration::days(10);
        p.not_after = now + Duration::days(100);
        p.serial_number = Some(SerialNumber::from(vec![0x10]));
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        p.extended_key_usages = eku;
        p.custom_extensions = extra;
        p.use_authority_key_identifier_extension = true;
        let leaf = p.signed_by(&key, &ca).unwrap().der().to_vec();
        Pki { now, ca, leaf }
    }

    fn crl_signing_ca() -> Pki {
        Pki::new(
            vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
            vec![],
            vec![],
        )
    }

    /// A v2 CRL of the CA listing nobody, with `number` (value, critical) as its cRLNumber
    /// or none (RFC 5280 §5.1.2, §5.2.3).
    fn crl(&self, number: Option<(u8, bool)>) -> Vec<u8> {
        let ca_cert = Certificate::from_der(self.ca.der()).unwrap();
        let seq = |parts: &[&[u8]]| Sequence::new(parts.concat().into()).to_der_vec().unwrap();
        let time = |t: OffsetDateTime| {
            let f = time::macros::format_description!(
                "[year repr:last_two][month][day][hour][minute][second]Z"
            );
            der(
                Class::Universal,
                false,
                23,
                t.format(&f).unwrap().as_bytes(),
            )
        };
        // ecdsa-with-SHA256 (RFC 5758 §3.2): no parameters.
        let alg = seq(&[&Oid::from(&[1, 2, 840, 10045, 4, 3, 2])
            .unwrap()
            .to_der_vec()
            .unwrap()]);
        let version = der(Class::Universal, false, 2, &[1]);
        let mut tbs_parts: Vec<Vec<u8>> = vec![
            version,
            alg.clone(),
            ca_cert.subject_raw().to_vec(),
            time(self.now - Duration::hours(1)),
            time(self.now + Duration::days(1)),
        ];
        if let Some((n, critical)) = number {
            let oid = Oid::from(&[2, 5, 29, 20]).unwrap().to_der_vec().unwrap();
            let value = der(
                Class::Universal,
                false,
                4,
                &der(Class::Universal, false, 2, &[n]),
            );
            let ext = if critical {
                seq(&[&oid, &der(Class::Universal, false, 1, &[0xff]), &value])
            } else {
                seq(&[&oid, &value])
            };
            let exts = seq(&[&ext]);
            tbs_parts.push(der(Class::ContextSpecific, true, 0, &exts));
        }
        let refs: Vec<&[u8]> = tbs_parts.iter().map(Vec::as_slice).collect();
        let tbs = seq(&refs);
        let sig = self.ca.key().sign(&tbs).unwrap();
        let mut bits = vec![0u8];
        bits.extend(sig);
        seq(&[&tbs, &alg, &der(Class::Universal, false, 3, &bits)])
    }

    fn validate(
        &self,
        crl: Option<Vec<u8>>,
        mode: RevocationMode,
        purpose: Purpose,
    ) -> PathOutcome {
        let trust = TrustStore::from_der_certificates([self.ca.der()]).unwrap();
        let mut policy = ValidationPolicy::document_signing().with_purpose(purpose);
        policy.revocation = RevocationPolicy::all(mode);
        policy.revocation.online = false;
        let mut data = RevocationData::new();
        if let Some(crl) = crl {
            data.add_crl_der(&crl, Origin::Caller).unwrap();
        }
        PathValidator::new(&trust, &policy).validate(
            &Certificate::from_der(&self.leaf).unwrap(),
            &[],
            &data,
            ValidationTime::at(self.now),
        )
    }
}

fn has(outcome: &PathOutcome, code: Code) -> bool {
    outcome.findings.iter().any(|f| f.code == code)
}

fn listing(outcome: &PathOutcome) -> String {
    outcome
        .findings
        .iter()
        .map(|f| format!("{:?} {}: {}", f.severity, f.code.as_str(), f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A refused CRL: named with its code in both modes; INDETERMINATE under `require`, a
/// warning under `if-available`.
fn assert_refused(pki: &Pki, crl: Vec<u8>, why: &str) {
    let strict = pki.validate(Some(crl.clone()), RevocationMode::Require, Purpose::Any);
    assert!(!strict.is_trusted(), "require:\n{}", listing(&strict));
    assert!(
        has(&strict, Code::RevocationUnknown),
        "{}",
        listing(&strict)
    );
    assert!(
        has(&strict, Code::RevocationCrlUnusable),
        "{}",
        listing(&strict)
    );
    assert!(!has(&strict, Code::RevocationGood), "{}", listing(&strict));
    assert!(
        strict
            .findings
            .iter()
            .any(|f| f.code == Code::RevocationCrlUnusable && f.message.contains(why)),
        "{}",
        listing(&strict)
    );

    let lenient = pki.validate(Some(crl), RevocationMode::IfAvailable, Purpose::Any);
    assert!(lenient.is_trusted(), "if-available:\n{}", listing(&lenient));
    assert!(
        has(&lenient, Code::RevocationNotAvailable),
        "{}",
        listing(&lenient)
    );
    assert!(
        !has(&lenient, Code::RevocationGood),
        "{}",
        listing(&lenient)
    );
    let unusable = lenient
        .findings
        .iter()
        .find(|f| f.code == Code::RevocationCrlUnusable)
        .unwrap_or_else(|| panic!("no crl_unusable finding:\n{}", listing(&lenient)));
    assert_eq!(unusable.severity, Severity::Warning);
    assert!(unusable.message.contains(why), "{}", unusable.message);
}

#[test]
fn rfc5280_5_2_3_a_crl_with_a_non_critical_crl_number_is_used() {
    let pki = Pki::crl_signing_ca();
    for mode in [RevocationMode::Require, RevocationMode::IfAvailable] {
        let out = pki.validate(Some(pki.crl(Some((5, false)))), mode, Purpose::Any);
        assert!(out.is_trusted(), "{}", listing(&out));
        assert!(has(&out, Code::RevocationGood), "{}", listing(&out));
        assert!(!has(&out, Code::RevocationCrlUnusable), "{}", listing(&out));
    }
}

#[test]
fn rfc5280_5_2_3_a_crl_without_crl_number_is_not_used() {
    let pki = Pki::crl_signing_ca();
    assert_refused(&pki, pki.crl(None), "no cRLNumber");
}

#[test]
fn rfc5280_5_2_3_a_crl_with_a_critical_crl_number_is_not_used() {
    let pki = Pki::crl_signing_ca();
    assert_refused(&pki, pki.crl(Some((5, true))), "marked critical");
}

#[test]
fn rfc5280_6_3_3_f_a_crl_signed_by_a_key_without_crl_sign_is_not_used() {
    let pki = Pki::new(
        vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ],
        vec![],
        vec![],
    );
    assert_refused(&pki, pki.crl(Some((5, false))), "lacks cRLSign");
}

#[test]
fn without_any_crl_there_is_no_crl_unusable_finding() {
    let pki = Pki::crl_signing_ca();
    let out = pki.validate(None, RevocationMode::IfAvailable, Purpose::Any);
    assert!(has(&out, Code::RevocationNotAvailable), "{}", listing(&out));
    assert!(!has(&out, Code::RevocationCrlUnusable), "{}", listing(&out));
}

/// RFC 5280 §4.2.1.12: "If the extension is present, then the certificate MUST only be used
/// for one of the purposes indicated."
#[test]
fn rfc5280_4_2_1_12_document_signing_fails_a_server_auth_only_signer() {
    let pki = Pki::new(
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
        vec![ExtendedKeyUsagePurpose::ServerAuth],
        vec![],
    );
    let out = pki.validate(None, RevocationMode::Off, Purpose::DocumentSigning);
    assert!(!out.is_trusted(), "{}", listing(&out));
    assert!(has(&out, Code::ChainExtendedKeyUsage), "{}", listing(&out));
    // The same certificate without a purpose check (chain inspection) is fine.
    let any = pki.validate(None, RevocationMode::Off, Purpose::Any);
    assert!(any.is_trusted(), "{}", listing(&any));
}

#[test]
fn rfc5280_4_2_1_12_document_signing_accepts_the_document_signing_purposes() {
    for eku in [
        ExtendedKeyUsagePurpose::EmailProtection,
        ExtendedKeyUsagePurpose::Any,
        // id-kp-documentSigning (RFC 9336).
        ExtendedKeyUsagePurpose::Other(vec![1, 3, 6, 1, 5, 5, 7, 3, 36]),
        // Adobe Authentic Documents Trust.
        ExtendedKeyUsagePurpose::Other(vec![1, 2, 840, 113583, 1, 1, 5]),
        // Microsoft document signing.
        ExtendedKeyUsagePurpose::Other(vec![1, 3, 6, 1, 4, 1, 311, 10, 3, 12]),
    ] {
        let pki = Pki::new(
            vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
            vec![ExtendedKeyUsagePurpose::ServerAuth, eku.clone()],
            vec![],
        );
        let out = pki.validate(None, RevocationMode::Off, Purpose::DocumentSigning);
        assert!(out.is_trusted(), "{eku:?}:\n{}", listing(&out));
    }
}

/// RFC 5280 §4.2.1.12: `ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId`: an
/// empty extension is malformed, and the certificate is not usable for any purpose.
#[test]
fn rfc5280_4_2_1_12_an_empty_extended_key_usage_is_malformed() {
    let empty = CustomExtension::from_oid_content(&[2, 5, 29, 37], vec![0x30, 0x00]);
    let pki = Pki::new(
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
        vec![],
        vec![empty],
    );
    for purpose in [Purpose::Any, Purpose::DocumentSigning] {
        let out = pki.validate(None, RevocationMode::Off, purpose);
        assert!(!out.is_trusted(), "{purpose:?}:\n{}", listing(&out));
        assert!(
            has(&out, Code::ChainExtensionMalformed),
            "{purpose:?}:\n{}",
            listing(&out)
        );
    }
}

/// What `openssl verify -x509_strict -crl_check` says of the same generated cases, next to
/// kyso's `require` verdict (printed for the comparison table). Asserted: both accept
/// the control CRL and refuse the CRL with a critical cRLNumber (OpenSSL: "unhandled critical
/// CRL extension") and the one whose signer lacks cRLSign (RFC 5280 §6.3.3 (f)). The CRL
/// without cRLNumber kyso refuses (§5.2.3); OpenSSL 3.0 uses it (printed, not asserted: that
/// is OpenSSL's choice, not kyso's).
#[test]
fn openssl_on_the_same_crl_cases() {
    let Some(openssl) = common::tool("openssl") else {
        return;
    };
    let dir = common::temp_dir();
    let run = |pki: &Pki, crl: Vec<u8>, tag: &str| -> (bool, bool, String) {
        let ca = dir.path().join(format!("{tag}-ca.pem"));
        let leaf = dir.path().join(format!("{tag}-leaf.pem"));
        let crl_path = dir.path().join(format!("{tag}-crl.pem"));
        std::fs::write(&ca, common::pki::pem("CERTIFICATE", pki.ca.der())).unwrap();
        std::fs::write(&leaf, common::pki::pem("CERTIFICATE", &pki.leaf)).unwrap();
        std::fs::write(&crl_path, common::pki::pem("X509 CRL", &crl)).unwrap();
        let out = std::process::Command::new(&openssl)
            .args(["verify", "-x509_strict", "-crl_check", "-CAfile"])
            .arg(&ca)
            .arg("-CRLfile")
            .arg(&crl_path)
            .arg(&leaf)
            .output()
            .unwrap();
        let kyso = pki
            .validate(Some(crl), RevocationMode::Require, Purpose::Any)
            .is_trusted();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), kyso, text.replace('\n', " "))
    };
    let good = Pki::crl_signing_ca();
    let no_sign = Pki::new(
        vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ],
        vec![],
        vec![],
    );
    let cases = [
        ("control", run(&good, good.crl(Some((5, false))), "control")),
        ("no-crl-number", run(&good, good.crl(None), "none")),
        (
            "critical-crl-number",
            run(&good, good.crl(Some((5, true))), "critical"),
        ),
        (
            "signer-without-crl-sign",
            run(&no_sign, no_sign.crl(Some((5, false))), "nosign"),
        ),
    ];
    for (name, (openssl_ok, kyso_ok, text)) in &cases {
        eprintln!("{name:26} openssl {openssl_ok:5} kyso(require) {kyso_ok:5}  {text}");
    }
    let verdicts: Vec<(bool, bool)> = cases.iter().map(|(_, (o, k, _))| (*o, *k)).collect();
    assert_eq!(verdicts[0], (true, true), "control");
    assert_eq!(verdicts[2], (false, false), "critical cRLNumber");
    assert_eq!(verdicts[3], (false, false), "signer without cRLSign");
    assert!(!verdicts[1].1, "kyso refuses a CRL without cRLNumber");
}
