//! Revocation against real services on loopback.
//!
//! A CA made for the test (rcgen) issues a good, a revoked and an unknown end-entity
//! certificate, an authorised OCSP responder (id-kp-OCSPSigning, ocsp-nocheck) and an
//! unauthorised one (no id-kp-OCSPSigning). `openssl ocsp` serves the CA's index on a free
//! port (OpenSSL 3.0's responder takes a port number only and listens on every interface; the
//! clients always connect to 127.0.0.1); it is killed when the test ends (a guard kills it on
//! drop). The offline
//! tests fetch responses with `openssl ocsp` and hand them to kyso; the `online` tests let
//! kyso's own HTTP fetcher ask the responder (with a nonce), fetch CRLs from a small HTTP
//! server thread (and a missing issuer from a caIssuers URL), and meet a responder that is
//! down.

mod common;

use std::path::{Path, PathBuf};

use common::ocsp::{self, free_port, KillOnDrop};
use common::x509::{self, aia_ocsp};
use kyso::pki::{
    Certificate, Crl, Origin, PathOutcome, PathValidator, Purpose, RevocationData, RevocationMode,
    RevocationPolicy, TrustStore, ValidationPolicy, ValidationTime,
};
use kyso::report::{
    ChainStatus, Code, RevocationReason, RevocationSourceKind, RevocationStatus, Severity,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CertifiedIssuer,
    CrlDistributionPoint, DistinguishedName, ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair,
    KeyUsagePurpose, RevokedCertParams, SerialNumber, PKCS_ECDSA_P256_SHA256,
};
use time::{Duration as TimeDuration, OffsetDateTime};

fn name(cn: &str) -> DistinguishedName {
    x509::name("kyso revocation test", cn)
}

/// One issued certificate and its key.
struct Issued {
    der: Vec<u8>,
    key_pem: String,
    serial: u8,
}

impl Issued {
    fn cert(&self) -> Certificate {
        Certificate::from_der(&self.der).unwrap()
    }
}

#[cfg_attr(not(feature = "online"), allow(dead_code))]
struct TestCa {
    dir: tempfile::TempDir,
    ca: CertifiedIssuer<'static, KeyPair>,
    now: OffsetDateTime,
    ocsp_port: u16,
    crl_port: u16,
    good: Issued,
    revoked: Issued,
    unknown: Issued,
    crl_good: Issued,
    crl_revoked: Issued,
    responder: Issued,
    rogue: Issued,
}

impl TestCa {
    fn new() -> TestCa {
        let now = OffsetDateTime::now_utc();
        let mut p = CertificateParams::default();
        p.distinguished_name = name("Revocation Test CA");
        p.not_before = now - TimeDuration::days(30);
        p.not_after = now + TimeDuration::days(365);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.serial_number = Some(SerialNumber::from(vec![1]));
        let ca = CertifiedIssuer::self_signed(
            p,
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
        )
        .unwrap();
        let ocsp_port = free_port();
        let crl_port = free_port();
        let issue = |cn: &str,
                     serial: u8,
                     ocsp: Option<u16>,
                     crl: Option<u16>,
                     eku: Vec<ExtendedKeyUsagePurpose>,
                     nocheck: bool| {
            let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
            let mut p = CertificateParams::default();
            p.distinguished_name = name(cn);
            p.not_before = now - TimeDuration::days(10);
            p.not_after = now + TimeDuration::days(100);
            p.serial_number = Some(SerialNumber::from(vec![serial]));
            p.is_ca = IsCa::ExplicitNoCa;
            p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
            p.extended_key_usages = eku;
            p.use_authority_key_identifier_extension = true;
            if let Some(port) = ocsp {
                p.custom_extensions
                    .push(aia_ocsp(&format!("http://127.0.0.1:{port}/")));
            }
            if let Some(port) = crl {
                p.crl_distribution_points = vec![CrlDistributionPoint {
                    uris: vec![format!("http://127.0.0.1:{port}/ca.crl")],
                }];
            }
            if nocheck {
                p.custom_extensions.push(x509::ocsp_nocheck());
            }
            let cert = p.signed_by(&key, &ca).unwrap();
            Issued {
                der: cert.der().to_vec(),
                key_pem: key.serialize_pem(),
                serial,
            }
        };
        let good = issue("good", 0x10, Some(ocsp_port), None, vec![], false);
        let revoked = issue("revoked", 0x11, Some(ocsp_port), None, vec![], false);
        let unknown = issue("unknown", 0x12, Some(ocsp_port), None, vec![], false);
        let crl_good = issue("crl good", 0x13, None, Some(crl_port), vec![], false);
        let crl_revoked = issue("crl revoked", 0x14, None, Some(crl_port), vec![], false);
        let responder = issue(
            "OCSP responder",
            0x20,
            None,
            None,
            vec![ExtendedKeyUsagePurpose::OcspSigning],
            true,
        );
        let rogue = issue("rogue responder", 0x21, None, None, vec![], false);
        let dir = common::temp_dir();
        let t = TestCa {
            dir,
            ca,
            now,
            ocsp_port,
            crl_port,
            good,
            revoked,
            unknown,
            crl_good,
            crl_revoked,
            responder,
            rogue,
        };
        t.write_files();
        t
    }

    fn path(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }

    fn write_files(&self) {
        let pem = |der: &[u8]| common::pki::pem("CERTIFICATE", der);
        std::fs::write(self.path("ca.pem"), pem(self.ca.der())).unwrap();
        for (n, i) in [
            ("good", &self.good),
            ("revoked", &self.revoked),
            ("unknown", &self.unknown),
            ("responder", &self.responder),
            ("rogue", &self.rogue),
        ] {
            std::fs::write(self.path(&format!("{n}.pem")), pem(&i.der)).unwrap();
            std::fs::write(self.path(&format!("{n}.key")), &i.key_pem).unwrap();
        }
        // The CA database openssl ocsp answers from: good and revoked are listed, unknown
        // is not.
        let fmt = time::macros::format_description!(
            "[year repr:last_two][month][day][hour][minute][second]Z"
        );
        let expiry = (self.now + TimeDuration::days(100)).format(&fmt).unwrap();
        let revoked_at = (self.now - TimeDuration::days(1)).format(&fmt).unwrap();
        let index = format!(
            "V\t{expiry}\t\t{:02X}\tunknown\t/O=kyso revocation test/CN=good\n\
             R\t{expiry}\t{revoked_at},keyCompromise\t{:02X}\tunknown\t/O=kyso revocation test/CN=revoked\n",
            self.good.serial, self.revoked.serial
        );
        std::fs::write(self.path("index.txt"), index).unwrap();
        std::fs::write(self.path("index.txt.attr"), "unique_subject = no\n").unwrap();
    }

    /// Starts `openssl ocsp` on `port`, signing with `signer` ("responder" or "rogue").
    fn start_responder(&self, openssl: &Path, signer: &str, port: u16) -> KillOnDrop {
        ocsp::start_responder(openssl, self.dir.path(), signer, port)
    }

    /// Asks the responder on `port` about `which` with the openssl client; the DER response.
    fn fetch_response(&self, openssl: &Path, which: &str, port: u16) -> Vec<u8> {
        let out = self.path(&format!("{which}-{port}.ocsp"));
        ocsp::fetch_response(openssl, self.dir.path(), which, port, &out)
    }

    /// A CRL listing `crl_revoked` (key compromise, a day ago).
    fn crl(&self, this_update: OffsetDateTime, next_update: OffsetDateTime) -> Vec<u8> {
        self.crl_with(
            this_update,
            next_update,
            rcgen::RevocationReason::KeyCompromise,
        )
    }

    /// A CRL listing `crl_revoked` a day ago for `reason`.
    fn crl_with(
        &self,
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
        reason: rcgen::RevocationReason,
    ) -> Vec<u8> {
        CertificateRevocationListParams {
            this_update,
            next_update,
            crl_number: SerialNumber::from(vec![7]),
            issuing_distribution_point: None,
            revoked_certs: vec![RevokedCertParams {
                serial_number: SerialNumber::from(vec![self.crl_revoked.serial]),
                revocation_time: self.now - TimeDuration::days(1),
                reason_code: Some(reason),
                invalidity_date: None,
            }],
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&self.ca)
        .unwrap()
        .der()
        .to_vec()
    }

    fn trust(&self) -> TrustStore {
        TrustStore::from_der_certificates([self.ca.der()]).unwrap()
    }

    fn validate(
        &self,
        target: &Issued,
        data: &RevocationData,
        mode: RevocationMode,
        fetcher: Option<&dyn kyso::pki::Fetcher>,
    ) -> PathOutcome {
        let trust = self.trust();
        let mut policy = ValidationPolicy::document_signing().with_purpose(Purpose::Any);
        policy.revocation = RevocationPolicy::all(mode);
        policy.revocation.online = fetcher.is_some();
        let mut v = PathValidator::new(&trust, &policy);
        if let Some(f) = fetcher {
            v = v.with_fetcher(f);
        }
        v.validate(&target.cert(), &[], data, ValidationTime::at(self.now))
    }
}

fn has(outcome: &PathOutcome, code: Code) -> bool {
    outcome.findings.iter().any(|f| f.code == code)
}

fn errors(outcome: &PathOutcome) -> String {
    outcome
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.code.as_str(), f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ocsp_data(der: Vec<u8>) -> RevocationData {
    let mut d = RevocationData::new();
    d.add_ocsp_der(&der, Origin::Caller).unwrap();
    d
}

#[test]
fn ocsp_good_revoked_unknown_and_unauthorised_from_a_real_responder() {
    let Some(openssl) = common::tool("openssl") else {
        return;
    };
    let ca = TestCa::new();
    let _responder = ca.start_responder(&openssl, "responder", ca.ocsp_port);

    let good = ca.validate(
        &ca.good,
        &ocsp_data(ca.fetch_response(&openssl, "good", ca.ocsp_port)),
        RevocationMode::Require,
        None,
    );
    assert_eq!(good.status, ChainStatus::Trusted, "{}", errors(&good));
    let r = &good.revocation[0];
    assert_eq!(r.status, RevocationStatus::Good);
    assert_eq!(r.source, Some(RevocationSourceKind::Ocsp));
    assert!(r.issuer.as_deref().unwrap().contains("OCSP responder"));

    let revoked = ca.validate(
        &ca.revoked,
        &ocsp_data(ca.fetch_response(&openssl, "revoked", ca.ocsp_port)),
        RevocationMode::Require,
        None,
    );
    assert_eq!(revoked.status, ChainStatus::Revoked, "{}", errors(&revoked));
    assert!(has(&revoked, Code::RevocationRevoked));
    let r = revoked
        .revocation
        .iter()
        .find(|r| r.status == RevocationStatus::Revoked)
        .unwrap();
    assert_eq!(r.reason, Some(RevocationReason::KeyCompromise));

    let unknown = ca.validate(
        &ca.unknown,
        &ocsp_data(ca.fetch_response(&openssl, "unknown", ca.ocsp_port)),
        RevocationMode::Require,
        None,
    );
    assert_ne!(unknown.status, ChainStatus::Trusted);
    assert!(
        has(&unknown, Code::RevocationUnknown),
        "{}",
        errors(&unknown)
    );
    // If available: the path stands, with a warning.
    let unknown_soft = ca.validate(
        &ca.unknown,
        &ocsp_data(ca.fetch_response(&openssl, "unknown", ca.ocsp_port)),
        RevocationMode::IfAvailable,
        None,
    );
    assert_eq!(unknown_soft.status, ChainStatus::Trusted);
    assert!(has(&unknown_soft, Code::RevocationNotAvailable));

    // A response signed by a certificate the CA issued without id-kp-OCSPSigning.
    let rogue_port = free_port();
    let _rogue = ca.start_responder(&openssl, "rogue", rogue_port);
    let forged = ca.validate(
        &ca.revoked,
        &ocsp_data(ca.fetch_response(&openssl, "revoked", rogue_port)),
        RevocationMode::Require,
        None,
    );
    assert_ne!(forged.status, ChainStatus::Trusted);
    assert!(has(&forged, Code::RevocationUnknown), "{}", errors(&forged));
    assert!(
        forged
            .findings
            .iter()
            .any(|f| f.message.contains("lacks id-kp-OCSPSigning")),
        "{}",
        errors(&forged)
    );
    // ...and a "good" answer from it does not make a revoked certificate good either.
    let forged_good = ca.validate(
        &ca.good,
        &ocsp_data(ca.fetch_response(&openssl, "good", rogue_port)),
        RevocationMode::Require,
        None,
    );
    assert_ne!(forged_good.status, ChainStatus::Trusted);
}

#[test]
fn crls_given_by_the_caller() {
    let ca = TestCa::new();
    let mut data = RevocationData::new();
    data.add_crl_der(
        &ca.crl(
            ca.now - TimeDuration::hours(1),
            ca.now + TimeDuration::days(7),
        ),
        Origin::Caller,
    )
    .unwrap();
    let good = ca.validate(&ca.crl_good, &data, RevocationMode::Require, None);
    assert_eq!(good.status, ChainStatus::Trusted, "{}", errors(&good));
    assert_eq!(good.revocation[0].source, Some(RevocationSourceKind::Crl));
    let revoked = ca.validate(&ca.crl_revoked, &data, RevocationMode::Require, None);
    assert_eq!(revoked.status, ChainStatus::Revoked);
    assert!(has(&revoked, Code::RevocationRevoked));
    // Revoked after the validation time: not revoked then.
    let trust = ca.trust();
    let mut policy = ValidationPolicy::document_signing().with_purpose(Purpose::Any);
    policy.revocation = RevocationPolicy::all(RevocationMode::Require);
    let earlier = PathValidator::new(&trust, &policy).validate(
        &ca.crl_revoked.cert(),
        &[],
        &data,
        ValidationTime::at(ca.now - TimeDuration::days(2)),
    );
    assert_eq!(earlier.status, ChainStatus::Trusted, "{}", errors(&earlier));

    // A stale CRL establishes nothing.
    let mut stale = RevocationData::new();
    stale
        .add_crl_der(
            &ca.crl(
                ca.now - TimeDuration::days(20),
                ca.now - TimeDuration::days(10),
            ),
            Origin::Caller,
        )
        .unwrap();
    let s = ca.validate(&ca.crl_revoked, &stale, RevocationMode::Require, None);
    assert!(has(&s, Code::RevocationUnknown), "{}", errors(&s));
    assert!(s
        .findings
        .iter()
        .any(|f| f.message.contains("not recent enough")));

    // A CRL signed by another key with the CA's name is not used.
    let other = CertifiedIssuer::self_signed(
        {
            let mut p = CertificateParams::default();
            p.distinguished_name = name("Revocation Test CA");
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            p
        },
        KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
    )
    .unwrap();
    let forged = CertificateRevocationListParams {
        this_update: ca.now - TimeDuration::hours(1),
        next_update: ca.now + TimeDuration::days(1),
        crl_number: SerialNumber::from(vec![9]),
        issuing_distribution_point: None,
        revoked_certs: vec![],
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&other)
    .unwrap();
    let mut forged_data = RevocationData::new();
    forged_data
        .add_crl_der(forged.der(), Origin::Caller)
        .unwrap();
    let f = ca.validate(&ca.crl_revoked, &forged_data, RevocationMode::Require, None);
    assert!(has(&f, Code::RevocationUnknown), "{}", errors(&f));
}

/// ETSI EN 319 102-1 §5.6.2.4: a certificate revoked after the best-signature-time (here a
/// proven signing time three days back) still supports the signature, whatever the reason;
/// the house rule `KeyCompromiseRule::InvalidatesEarlierSignatures` (a deviation, off by
/// default) makes a key-compromise revocation count against earlier signatures.
#[test]
fn en_319_102_1_5_6_2_4_revoked_after_a_proven_signing_time() {
    use kyso::pki::KeyCompromiseRule;
    let ca = TestCa::new();
    let trust = ca.trust();
    let mut policy = ValidationPolicy::document_signing().with_purpose(Purpose::Any);
    policy.revocation = RevocationPolicy::all(RevocationMode::Require);
    let signed = ca.now - TimeDuration::days(3);
    let run = |reason, policy: &ValidationPolicy| {
        let mut data = RevocationData::new();
        data.add_crl_der(
            &ca.crl_with(
                ca.now - TimeDuration::hours(1),
                ca.now + TimeDuration::days(7),
                reason,
            ),
            Origin::Caller,
        )
        .unwrap();
        PathValidator::new(&trust, policy).validate(
            &ca.crl_revoked.cert(),
            &[],
            &data,
            ValidationTime::at(ca.now).with_proven_signing_time(signed),
        )
    };
    // After the proven signing time, for any reason: the signature stands, with a warning.
    for reason in [
        rcgen::RevocationReason::Superseded,
        rcgen::RevocationReason::KeyCompromise,
        rcgen::RevocationReason::CaCompromise,
        rcgen::RevocationReason::CessationOfOperation,
    ] {
        let o = run(reason, &policy);
        assert_eq!(o.status, ChainStatus::Trusted, "{reason:?}: {}", errors(&o));
        assert!(has(&o, Code::RevocationRevokedAfterSigning), "{reason:?}");
    }
    // The house rule: key compromise counts against earlier signatures too.
    let mut strict = policy.clone();
    strict.revocation.key_compromise = KeyCompromiseRule::InvalidatesEarlierSignatures;
    let o = run(rcgen::RevocationReason::KeyCompromise, &strict);
    assert_eq!(o.status, ChainStatus::Revoked);
    assert!(has(&o, Code::RevocationRevoked));
    let o = run(rcgen::RevocationReason::Superseded, &strict);
    assert_eq!(o.status, ChainStatus::Trusted, "{}", errors(&o));
    // Without a proven signing time a revocation before the validation time is revoked.
    let mut data = RevocationData::new();
    data.add_crl_der(
        &ca.crl_with(
            ca.now - TimeDuration::hours(1),
            ca.now + TimeDuration::days(7),
            rcgen::RevocationReason::Superseded,
        ),
        Origin::Caller,
    )
    .unwrap();
    let o = PathValidator::new(&trust, &policy).validate(
        &ca.crl_revoked.cert(),
        &[],
        &data,
        ValidationTime::at(ca.now),
    );
    assert_eq!(o.status, ChainStatus::Revoked);
}

/// A PAdES-LTA file made by pyHanko keeps a CRL (for the intermediate) and an OCSP response
/// from a delegated responder (for the signer) in its `/DSS`: with revocation required, the
/// signature passes on that data alone.
#[test]
fn revocation_data_from_the_dss_of_a_pyhanko_file() {
    use kyso::report::Indication;
    use kyso::verify::{verify_file, VerifyOptions};
    let Some(dir) = common::corpus("04-signed-pdfs/pyhanko") else {
        return;
    };
    let trust = TrustStore::from_der_certificates(
        kyso::pki::certificates_from_pem_or_der(
            &std::fs::read(dir.join("_ca-certs/testing-ca_root_root.cert.pem")).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let mut opts =
        VerifyOptions::new(trust).validation_time(time::macros::datetime!(2020-11-01 0:00 UTC));
    opts.validation.revocation = RevocationPolicy::all(RevocationMode::Require);
    let report = verify_file(&dir.join("pades-lta-dss-indirect-arrs-test.pdf"), &opts).unwrap();
    let sig = &report.signatures[0];
    assert_eq!(
        sig.indication,
        Indication::TotalPassed,
        "{:#?}",
        sig.findings
    );
    let revocation = &sig.chain.revocation;
    assert_eq!(revocation.len(), 2);
    for r in revocation {
        assert_eq!(r.status, RevocationStatus::Good);
        assert_eq!(r.origin.as_deref(), Some("dss"));
    }
    assert!(revocation
        .iter()
        .any(|r| r.certificate == 0 && r.source == Some(RevocationSourceKind::Ocsp)));
    assert!(revocation
        .iter()
        .any(|r| r.certificate == 1 && r.source == Some(RevocationSourceKind::Crl)));
}

#[test]
fn malformed_revocation_data_is_an_error_not_a_panic() {
    let ca = TestCa::new();
    let crl = ca.crl(
        ca.now - TimeDuration::hours(1),
        ca.now + TimeDuration::days(7),
    );
    for cut in [0, 1, 5, crl.len() / 2, crl.len() - 1] {
        assert!(Crl::from_der(&crl[..cut]).is_err());
    }
    let mut flipped = crl.clone();
    for i in (0..flipped.len()).step_by(7) {
        flipped[i] ^= 0x5a;
        let _ = Crl::from_der(&flipped);
        let _ = kyso::pki::OcspResponse::from_der(&flipped);
        flipped[i] ^= 0x5a;
    }
    assert!(kyso::pki::OcspResponse::from_der(b"\x30\x80\x00\x00").is_err());
    assert!(Certificate::from_der(&ca.good.der[..ca.good.der.len() - 3]).is_err());
}

#[cfg(feature = "online")]
mod online {
    use super::*;
    use kyso::net::{HttpFetcher, NetworkPolicy};
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    /// The responders of these tests listen on 127.0.0.1, which the default network policy
    /// refuses: they are allowed the way a deployer allows its own responders.
    fn loopback_allowed() -> NetworkPolicy {
        NetworkPolicy::default().allow_net("127.0.0.1/32").unwrap()
    }

    fn fetcher() -> HttpFetcher {
        HttpFetcher::default().with_policy(loopback_allowed())
    }

    /// A one-file HTTP server on loopback, stopped on drop.
    struct CrlServer {
        stop: Arc<AtomicBool>,
        port: u16,
        thread: Option<std::thread::JoinHandle<()>>,
    }

    impl CrlServer {
        fn start(port: u16, body: Vec<u8>) -> CrlServer {
            Self::serve(port, "/ca.crl", body)
        }

        fn serve(port: u16, path: &'static str, body: Vec<u8>) -> CrlServer {
            let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
            let stop = Arc::new(AtomicBool::new(false));
            let flag = stop.clone();
            let thread = std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if flag.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(mut s) = stream else { continue };
                    let mut buf = [0u8; 4096];
                    let n = s.read(&mut buf).unwrap_or(0);
                    let request = String::from_utf8_lossy(&buf[..n]).to_string();
                    let reply = if request.starts_with(&format!("GET {path} ")) {
                        let mut r = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        r.extend_from_slice(&body);
                        r
                    } else {
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_vec()
                    };
                    let _ = s.write_all(&reply);
                }
            });
            CrlServer {
                stop,
                port,
                thread: Some(thread),
            }
        }
    }

    impl Drop for CrlServer {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::SeqCst);
            let _ = TcpStream::connect(("127.0.0.1", self.port));
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }

    #[test]
    fn kyso_asks_the_responder_itself_with_a_nonce() {
        let Some(openssl) = common::tool("openssl") else {
            return;
        };
        let ca = TestCa::new();
        let _responder = ca.start_responder(&openssl, "responder", ca.ocsp_port);
        let fetcher = fetcher();
        let empty = RevocationData::new();
        let good = ca.validate(&ca.good, &empty, RevocationMode::Require, Some(&fetcher));
        assert_eq!(good.status, ChainStatus::Trusted, "{}", errors(&good));
        assert_eq!(good.revocation[0].origin.as_deref(), Some("fetched"));
        let revoked = ca.validate(&ca.revoked, &empty, RevocationMode::Require, Some(&fetcher));
        assert_eq!(revoked.status, ChainStatus::Revoked, "{}", errors(&revoked));
        let unknown = ca.validate(&ca.unknown, &empty, RevocationMode::Require, Some(&fetcher));
        assert!(has(&unknown, Code::RevocationUnknown));
    }

    #[test]
    fn a_responder_that_is_down() {
        let ca = TestCa::new();
        // Nothing listens on the responder's port.
        let fetcher = HttpFetcher::new(Duration::from_secs(2), Duration::from_secs(4), 1 << 20)
            .with_policy(loopback_allowed());
        let empty = RevocationData::new();
        let hard = ca.validate(&ca.good, &empty, RevocationMode::Require, Some(&fetcher));
        assert_ne!(hard.status, ChainStatus::Trusted);
        assert!(has(&hard, Code::RevocationUnknown));
        let soft = ca.validate(
            &ca.good,
            &empty,
            RevocationMode::IfAvailable,
            Some(&fetcher),
        );
        assert_eq!(soft.status, ChainStatus::Trusted);
        assert!(has(&soft, Code::RevocationNotAvailable));
    }

    #[test]
    fn crls_fetched_from_the_distribution_point() {
        let ca = TestCa::new();
        let crl = ca.crl(
            ca.now - TimeDuration::hours(1),
            ca.now + TimeDuration::days(7),
        );
        let _server = CrlServer::start(ca.crl_port, crl);
        let fetcher = fetcher();
        let empty = RevocationData::new();
        let good = ca.validate(
            &ca.crl_good,
            &empty,
            RevocationMode::Require,
            Some(&fetcher),
        );
        assert_eq!(good.status, ChainStatus::Trusted, "{}", errors(&good));
        assert_eq!(good.revocation[0].source, Some(RevocationSourceKind::Crl));
        assert_eq!(good.revocation[0].origin.as_deref(), Some("fetched"));
        let revoked = ca.validate(
            &ca.crl_revoked,
            &empty,
            RevocationMode::Require,
            Some(&fetcher),
        );
        assert_eq!(revoked.status, ChainStatus::Revoked, "{}", errors(&revoked));
    }

    #[test]
    fn a_missing_issuer_fetched_from_ca_issuers() {
        let ca = TestCa::new();
        let port = free_port();
        let int_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut p = CertificateParams::default();
        p.distinguished_name = name("Issuing CA (fetched)");
        p.not_before = ca.now - TimeDuration::days(10);
        p.not_after = ca.now + TimeDuration::days(100);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.use_authority_key_identifier_extension = true;
        let int = CertifiedIssuer::signed_by(p, int_key, &ca.ca).unwrap();
        let mut l = CertificateParams::default();
        l.distinguished_name = name("signer under a fetched CA");
        l.not_before = ca.now - TimeDuration::days(1);
        l.not_after = ca.now + TimeDuration::days(30);
        l.is_ca = IsCa::ExplicitNoCa;
        l.use_authority_key_identifier_extension = true;
        l.custom_extensions.push(x509::aia(
            &[],
            &[&format!("http://127.0.0.1:{port}/issuer.der")],
        ));
        let leaf = Issued {
            der: l
                .signed_by(
                    &KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
                    &int,
                )
                .unwrap()
                .der()
                .to_vec(),
            key_pem: String::new(),
            serial: 0,
        };
        let fetcher = fetcher();
        let empty = RevocationData::new();
        // Offline the issuer is missing; online it comes from the caIssuers URL.
        let offline = ca.validate(&leaf, &empty, RevocationMode::Off, None);
        assert_eq!(offline.status, ChainStatus::Untrusted);
        let _server = CrlServer::serve(port, "/issuer.der", int.der().to_vec());
        let online = ca.validate(&leaf, &empty, RevocationMode::Off, Some(&fetcher));
        assert_eq!(online.status, ChainStatus::Trusted, "{}", errors(&online));
        assert_eq!(online.path.len(), 3);
    }
}
