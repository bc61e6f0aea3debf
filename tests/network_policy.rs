//! The network policy and budget (feature `online`): what a document can make a verification
//! service fetch. Every server here is a small HTTP server started by the test on 127.0.0.1
//! that records the requests it gets, so "not fetched" is checked where it matters: the
//! server saw nothing.
//!
//! - URLs of trusted certificates that point at loopback are not requested by default, and
//!   the report says why; an allow-list lets them through.
//! - A name that resolves to loopback (`localhost`), every numeric form of 127.0.0.1, user
//!   information and `https:` are refused before any connection.
//! - Redirects are judged hop by hop (other ports, other names, numeric forms), at most three
//!   are followed, and a POST answered with 301/302/303 is never repeated as a GET.
//! - A certificate that chains to no trust anchor makes kyso ask nothing but its caIssuers
//!   URL (and nothing at all with `FetchScope::RevocationOnly`).
//! - The per-document budget: a slow server behind many signatures costs at most the
//!   budget's time (measured with the defaults: about 30 s instead of eight minutes), and a
//!   revocation status the spent budget kept from being fetched is never a pass.
//!
//! Run with `cargo test --features online --test network_policy`.
#![cfg(feature = "online")]

mod common;

use common::cli::kyso;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CertifiedIssuer,
    CrlDistributionPoint, DistinguishedName, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose,
    SerialNumber, PKCS_ECDSA_P256_SHA256,
};
use time::{Duration as TimeDuration, OffsetDateTime};

use common::{sample_pdf, SampleXref};
use kyso::crypto::PrivateKey;
use kyso::net::{HttpFetcher, NetworkPolicy};
use kyso::pki::{
    Certificate, FetchError, FetchScope, Fetcher, NetworkBudget, PathValidator, Purpose,
    RevocationData, RevocationMode, RevocationPolicy, SharedFetcher, TrustStore, ValidationPolicy,
    ValidationTime,
};
use kyso::report::{
    Code, Indication, RevocationSourceKind, SignatureReport, SubIndication, VerificationReport,
};
use kyso::sign::{sign_bytes, SignOptions};
use kyso::signer::SoftwareSigner;
use kyso::verify::{verify_bytes, VerifyOptions};

// ---------------------------------------------------------------------------------------
// A recording HTTP server on 127.0.0.1.

/// One request a test server received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    host: String,
    body: Vec<u8>,
}

/// How a test server answers a request.
enum Reply {
    /// 200 with this body.
    Body(Vec<u8>),
    /// This status, no body.
    Status(u16),
    /// A redirect: status and location.
    Redirect(u16, String),
    /// Read the request, then say nothing for two minutes.
    Hang,
}

type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Handler = Arc::new(handler);
        let (seen2, stop2) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (handler, seen) = (handler.clone(), seen2.clone());
                std::thread::spawn(move || serve(stream, &handler, &seen));
            }
        });
        Server {
            port,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    /// Answers every request with 200 and `body`.
    fn always(body: &'static [u8]) -> Server {
        Server::start(move |_| Reply::Body(body.to_vec()))
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Seen>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return; // the wake-up connection of Drop
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or_default().to_string(),
        parts.next().unwrap_or_default().to_string(),
    );
    let (mut host, mut length) = (String::new(), 0usize);
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "host" => host = v.trim().to_string(),
                "content-length" => length = v.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    let request = Seen {
        method,
        path,
        host,
        body,
    };
    seen.lock().unwrap().push(request.clone());
    let mut stream = stream;
    let reply = match handler(&request) {
        Reply::Body(b) => {
            let mut r = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                b.len()
            )
            .into_bytes();
            r.extend_from_slice(&b);
            r
        }
        Reply::Status(code) => {
            format!("HTTP/1.1 {code} Status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .into_bytes()
        }
        Reply::Redirect(code, location) => format!(
            "HTTP/1.1 {code} Moved\r\nLocation: {location}\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n"
        )
        .into_bytes(),
        Reply::Hang => {
            std::thread::sleep(Duration::from_secs(120));
            return;
        }
    };
    let _ = stream.write_all(&reply);
}

// ---------------------------------------------------------------------------------------
// A PKI made for the test.

fn name(cn: &str) -> DistinguishedName {
    common::x509::name("kyso network policy test", cn)
}

struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    fn root(cn: &str) -> Ca {
        let now = OffsetDateTime::now_utc();
        let mut p = CertificateParams::default();
        p.distinguished_name = name(cn);
        p.not_before = now - TimeDuration::days(30);
        p.not_after = now + TimeDuration::days(365);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let issuer = CertifiedIssuer::self_signed(
            p,
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
        )
        .unwrap();
        Ca { issuer }
    }

    /// An intermediate CA under `self`.
    fn intermediate(&self, cn: &str) -> Ca {
        let now = OffsetDateTime::now_utc();
        let mut p = CertificateParams::default();
        p.distinguished_name = name(cn);
        p.not_before = now - TimeDuration::days(20);
        p.not_after = now + TimeDuration::days(300);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.use_authority_key_identifier_extension = true;
        let issuer = CertifiedIssuer::signed_by(
            p,
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
            &self.issuer,
        )
        .unwrap();
        Ca { issuer }
    }

    fn der(&self) -> Vec<u8> {
        self.issuer.der().to_vec()
    }

    fn trust(&self) -> TrustStore {
        TrustStore::from_der_certificates([self.issuer.der()]).unwrap()
    }

    /// An empty CRL of this CA, valid for a week.
    fn crl(&self) -> Vec<u8> {
        let now = OffsetDateTime::now_utc();
        CertificateRevocationListParams {
            this_update: now - TimeDuration::hours(1),
            next_update: now + TimeDuration::days(7),
            crl_number: SerialNumber::from(vec![1]),
            issuing_distribution_point: None,
            revoked_certs: Vec::new(),
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&self.issuer)
        .unwrap()
        .der()
        .to_vec()
    }

    /// A document signer's certificate with these URLs.
    fn leaf(&self, cn: &str, ocsp: &[String], crl: &[String], ca_issuers: &[String]) -> Leaf {
        let now = OffsetDateTime::now_utc();
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut p = CertificateParams::default();
        p.distinguished_name = name(cn);
        p.not_before = now - TimeDuration::days(10);
        p.not_after = now + TimeDuration::days(100);
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        p.use_authority_key_identifier_extension = true;
        if !ocsp.is_empty() || !ca_issuers.is_empty() {
            let ocsp: Vec<&str> = ocsp.iter().map(String::as_str).collect();
            let ca_issuers: Vec<&str> = ca_issuers.iter().map(String::as_str).collect();
            p.custom_extensions
                .push(common::x509::aia(&ocsp, &ca_issuers));
        }
        if !crl.is_empty() {
            p.crl_distribution_points = vec![CrlDistributionPoint { uris: crl.to_vec() }];
        }
        Leaf {
            der: p.signed_by(&key, &self.issuer).unwrap().der().to_vec(),
            key_pem: key.serialize_pem(),
        }
    }
}

struct Leaf {
    der: Vec<u8>,
    key_pem: String,
}

impl Leaf {
    fn cert(&self) -> Certificate {
        Certificate::from_der(&self.der).unwrap()
    }

    /// `pdf` with one more signature by this certificate, in field `field`.
    fn sign(&self, pdf: &[u8], chain: Vec<Vec<u8>>, field: &str) -> Vec<u8> {
        let key = PrivateKey::from_pem(self.key_pem.as_bytes()).unwrap();
        let signer = SoftwareSigner::new(key, self.der.clone(), chain).unwrap();
        sign_bytes(pdf, &signer, &SignOptions::new().field_name(field)).unwrap()
    }
}

// ---------------------------------------------------------------------------------------
// Helpers.

/// The policy a deployer whose responders are on 127.0.0.1 uses.
fn loopback_allowed() -> NetworkPolicy {
    NetworkPolicy::default().allow_net("127.0.0.1/32").unwrap()
}

fn online(trust: TrustStore, fetcher: HttpFetcher) -> VerifyOptions {
    let mut o = VerifyOptions::new(trust);
    o.validation.revocation.online = true;
    o.fetcher = Some(SharedFetcher(Arc::new(fetcher)));
    o
}

fn codes(s: &SignatureReport) -> Vec<&'static str> {
    s.findings.iter().map(|f| f.code.as_str()).collect()
}

fn finding(s: &SignatureReport, code: Code) -> Option<&str> {
    s.findings
        .iter()
        .find(|f| f.code == code)
        .map(|f| f.message.as_str())
}

fn validate(
    trust: &TrustStore,
    target: &Certificate,
    fetcher: &dyn Fetcher,
    scope: FetchScope,
) -> kyso::pki::PathOutcome {
    let mut policy = ValidationPolicy::document_signing().with_purpose(Purpose::Any);
    policy.revocation = RevocationPolicy::all(RevocationMode::IfAvailable);
    policy.revocation.online = true;
    policy.revocation.fetch_scope = scope;
    PathValidator::new(trust, &policy)
        .with_fetcher(fetcher)
        .validate(
            target,
            &[],
            &RevocationData::new(),
            ValidationTime::at(OffsetDateTime::now_utc()),
        )
}

fn refused(r: Result<Vec<u8>, FetchError>) -> String {
    match r {
        Err(e @ FetchError::Refused { .. }) => e.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Tests.

#[test]
fn loopback_urls_of_a_trusted_certificate_are_not_requested_by_default_and_the_report_says_why() {
    let root = Ca::root("Network Root");
    let crl = root.crl();
    let server = Server::start(move |r| match r.path.as_str() {
        "/root.crl" => Reply::Body(crl.clone()),
        _ => Reply::Status(404),
    });
    let leaf = root.leaf(
        "signer with loopback URLs",
        &[server.url("/ocsp")],
        &[server.url("/root.crl")],
        &[],
    );
    let pdf = leaf.sign(&sample_pdf(SampleXref::Table), vec![], "Signature1");

    // Default policy: nothing reaches the server, and the report says why.
    let report = verify_bytes(&pdf, &online(root.trust(), HttpFetcher::default())).unwrap();
    assert_eq!(server.count(), 0, "{:?}", server.seen());
    let sig = &report.signatures[0];
    let why = finding(sig, Code::NetworkRefused).unwrap_or_else(|| panic!("{:?}", codes(sig)));
    assert!(
        why.contains("127.0.0.1") && why.contains("loopback"),
        "{why}"
    );
    assert!(why.contains("--allow-net"), "{why}");
    let notes = sig.chain.revocation[0].notes.join("\n");
    assert!(notes.contains("loopback"), "{notes}");
    // Revocation is unknown: a warning by default, never a pass when it is required.
    assert!(
        codes(sig).contains(&"revocation.not_available"),
        "{:?}",
        codes(sig)
    );
    let mut strict = online(root.trust(), HttpFetcher::default());
    strict.validation.revocation = RevocationPolicy::all(RevocationMode::Require);
    strict.validation.revocation.online = true;
    let r = verify_bytes(&pdf, &strict).unwrap();
    assert_eq!(r.signatures[0].indication, Indication::Indeterminate);
    assert_eq!(server.count(), 0);

    // The deployer allows its responders: both URLs are asked, the CRL answers.
    let allowed = HttpFetcher::default().with_policy(loopback_allowed());
    let report = verify_bytes(&pdf, &online(root.trust(), allowed)).unwrap();
    let seen = server.seen();
    assert!(
        seen.iter().any(|s| s.method == "POST" && s.path == "/ocsp"),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|s| s.method == "GET" && s.path == "/root.crl"),
        "{seen:?}"
    );
    let sig = &report.signatures[0];
    assert_eq!(
        sig.indication,
        Indication::TotalPassed,
        "{}",
        report.to_json()
    );
    assert_eq!(
        sig.chain.revocation[0].source,
        Some(RevocationSourceKind::Crl)
    );
    assert_eq!(sig.chain.revocation[0].origin.as_deref(), Some("fetched"));
}

#[test]
fn a_host_name_that_resolves_to_loopback_is_refused() {
    let root = Ca::root("Name Root");
    let crl = root.crl();
    let server = Server::start(move |_| Reply::Body(crl.clone()));
    // `localhost` looks like any other name; what counts is where it resolves to.
    let url = format!("http://localhost:{}/root.crl", server.port);
    let leaf = root.leaf(
        "signer with a localhost URL",
        &[],
        std::slice::from_ref(&url),
        &[],
    );

    let default = HttpFetcher::default();
    let err = refused(default.get(&url));
    assert!(
        err.contains("localhost resolves to") && err.contains("loopback"),
        "{err}"
    );
    let outcome = validate(
        &root.trust(),
        &leaf.cert(),
        &default,
        FetchScope::IssuersAndRevocation,
    );
    let notes = outcome.revocation[0].notes.join("\n");
    assert!(notes.contains("localhost resolves to"), "{notes}");
    assert_eq!(server.count(), 0, "{:?}", server.seen());

    // Allowed by name, the same URL is fetched (from the address kyso resolved and checked).
    let by_name = HttpFetcher::default()
        .with_policy(NetworkPolicy::default().allow_host("localhost").unwrap());
    let outcome = validate(
        &root.trust(),
        &leaf.cert(),
        &by_name,
        FetchScope::IssuersAndRevocation,
    );
    assert_eq!(
        outcome.revocation[0].source,
        Some(RevocationSourceKind::Crl),
        "{:?}",
        outcome.findings
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].host, format!("localhost:{}", server.port));
}

#[test]
fn numeric_host_forms_user_info_and_https_are_refused_before_any_connection() {
    let server = Server::always(b"answer");
    let port = server.port;
    let default = HttpFetcher::default();
    // Every way of writing 127.0.0.1 (and other loopback or unspecified forms).
    let forms = [
        "127.0.0.1",
        "0x7f000001",
        "0X7F000001",
        "2130706433",
        "0177.0.0.1",
        "0177.0.0.01",
        "0x7f.0.0.1",
        "127.1",
        "127.0.1",
        "017700000001",
        "127.0.0.1.",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[0:0:0:0:0:ffff:127.0.0.1]",
        "[::127.0.0.1]",
        "[64:ff9b::7f00:1]",
        "[::1]",
        "0",
        "[::]",
    ];
    for form in forms {
        let url = format!("http://{form}:{port}/x");
        let err = refused(default.get(&url));
        assert!(
            err.contains("loopback") || err.contains("unspecified"),
            "{url}: {err}"
        );
        let err = refused(default.post(&url, "application/ocsp-request", b"q"));
        assert!(err.contains("not fetched"), "{url}: {err}");
    }
    assert_eq!(server.count(), 0, "{:?}", server.seen());

    // Allowed, the numeric forms of 127.0.0.1 reach it: they are the address, not text.
    let allowed = HttpFetcher::default().with_policy(loopback_allowed());
    for form in [
        "0x7f000001",
        "2130706433",
        "0177.0.0.1",
        "127.1",
        "[::ffff:127.0.0.1]",
    ] {
        let url = format!("http://{form}:{port}/x");
        assert_eq!(allowed.get(&url).unwrap(), b"answer", "{url}");
    }
    assert_eq!(server.count(), 5);

    // Whatever the allow-list: no user information, no https, no other scheme.
    let before = server.count();
    for (url, why) in [
        (format!("http://user:secret@127.0.0.1:{port}/"), "user"),
        (format!("http://user@127.0.0.1:{port}/"), "user"),
        (format!("http://evil.example@127.0.0.1:{port}/"), "user"),
        (format!("https://127.0.0.1:{port}/"), "TLS"),
        (format!("ftp://127.0.0.1:{port}/"), "only http"),
        (
            format!("http://127.0.0.1:{port}\\@evil.example/"),
            "backslash",
        ),
        (format!("http://%31%32%37.0.0.1:{port}/"), "percent"),
    ] {
        let err = refused(allowed.get(&url));
        assert!(err.contains(why), "{url}: {err}");
    }
    assert_eq!(server.count(), before);
}

#[test]
fn redirects_are_judged_hop_by_hop() {
    // B is an internal service; A is the deployer's responder, the only one allowed (by
    // address and port).
    let internal = Server::always(b"internal secret");
    let b = internal.port;
    let responder = Server::start(move |r| match r.path.as_str() {
        "/to-internal" => Reply::Redirect(302, format!("http://127.0.0.1:{b}/secret")),
        "/to-localhost" => Reply::Redirect(301, format!("http://localhost:{b}/secret")),
        "/to-hex" => Reply::Redirect(307, format!("http://0x7f000001:{b}/secret")),
        "/to-mapped" => Reply::Redirect(308, format!("http://[::ffff:7f00:1]:{b}/")),
        "/to-https" => Reply::Redirect(302, "https://ca.example/root.crl".into()),
        "/to-user" => Reply::Redirect(302, format!("http://u:p@127.0.0.1:{b}/")),
        "/loop" => Reply::Redirect(302, "/loop".into()),
        "/hop" => Reply::Redirect(303, "final".into()),
        "/final" => Reply::Body(b"final".to_vec()),
        _ => Reply::Status(404),
    });
    let policy = NetworkPolicy::default()
        .allow_host(&format!("127.0.0.1:{}", responder.port))
        .unwrap();
    let fetcher = HttpFetcher::default().with_policy(policy);
    for path in [
        "/to-internal",
        "/to-localhost",
        "/to-hex",
        "/to-mapped",
        "/to-https",
        "/to-user",
    ] {
        let err = refused(fetcher.get(&responder.url(path)));
        assert!(err.contains("redirect"), "{path}: {err}");
    }
    assert_eq!(internal.count(), 0, "{:?}", internal.seen());

    // At most three redirects.
    let before = responder.count();
    let err = fetcher.get(&responder.url("/loop")).unwrap_err();
    assert!(matches!(err, FetchError::Redirect { .. }), "{err}");
    assert!(err.to_string().contains("more than 3"), "{err}");
    assert_eq!(responder.count() - before, 4);

    // A redirect the policy allows is followed (a relative location, same server).
    assert_eq!(fetcher.get(&responder.url("/hop")).unwrap(), b"final");
}

#[test]
fn a_post_answered_with_302_is_not_repeated_as_a_get() {
    let server = Server::start(|r| match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/ocsp-301") => Reply::Redirect(301, "/elsewhere".into()),
        ("POST", "/ocsp-302") => Reply::Redirect(302, "/elsewhere".into()),
        ("POST", "/ocsp-303") => Reply::Redirect(303, "/elsewhere".into()),
        ("POST", "/ocsp-307") => Reply::Redirect(307, "/ocsp-final".into()),
        ("POST", "/ocsp-308") => Reply::Redirect(308, "/ocsp-final".into()),
        ("POST", "/ocsp-final") => Reply::Body(r.body.clone()),
        _ => Reply::Body(b"a GET".to_vec()),
    });
    let fetcher = HttpFetcher::default().with_policy(loopback_allowed());
    let request = b"an OCSP request".to_vec();
    for status in [301, 302, 303] {
        let before = server.count();
        let err = fetcher
            .post(
                &server.url(&format!("/ocsp-{status}")),
                "application/ocsp-request",
                &request,
            )
            .unwrap_err();
        assert!(matches!(err, FetchError::Redirect { .. }), "{err}");
        assert!(err.to_string().contains("not repeated as a GET"), "{err}");
        let seen = server.seen();
        assert_eq!(seen.len() - before, 1, "{seen:?}");
        assert_eq!(seen[before].method, "POST");
    }
    assert!(server.seen().iter().all(|s| s.method == "POST"));
    // 307 and 308 keep the method and the body.
    for status in [307, 308] {
        let before = server.count();
        let answer = fetcher
            .post(
                &server.url(&format!("/ocsp-{status}")),
                "application/ocsp-request",
                &request,
            )
            .unwrap();
        assert_eq!(answer, request);
        let seen = server.seen();
        assert_eq!(seen.len() - before, 2);
        assert_eq!(seen[before + 1].method, "POST");
        assert_eq!(seen[before + 1].path, "/ocsp-final");
        assert_eq!(seen[before + 1].body, request);
    }
}

#[test]
fn a_path_that_reaches_no_trust_anchor_fetches_nothing_but_its_missing_issuer() {
    let trusted = Ca::root("Trusted Root");
    let rogue = Ca::root("Rogue Root");
    let rogue_der = rogue.der();
    let server = Server::start(move |r| match r.path.as_str() {
        "/rogue.der" => Reply::Body(rogue_der.clone()),
        _ => Reply::Body(b"not a CRL".to_vec()),
    });
    let fetcher = HttpFetcher::default().with_policy(loopback_allowed());
    let urls = |p: &str| vec![server.url(p)];

    // A complete path to a root nobody trusts: its OCSP and CRL URLs are never asked.
    let leaf = rogue.leaf(
        "rogue signer",
        &urls("/ocsp"),
        &urls("/rogue.crl"),
        &urls("/rogue.der"),
    );
    let pdf = leaf.sign(
        &sample_pdf(SampleXref::Table),
        vec![rogue.der()],
        "Signature1",
    );
    let report = verify_bytes(&pdf, &online(trusted.trust(), fetcher.clone())).unwrap();
    let sig = &report.signatures[0];
    assert_eq!(sig.indication, Indication::Indeterminate);
    assert_eq!(
        sig.sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
    assert_eq!(server.count(), 0, "{:?}", server.seen());

    // Its issuer missing, the caIssuers URL is the one fetch made while building; the
    // fetched issuer leads to no anchor, so no revocation URL is asked.
    let outcome = validate(
        &trusted.trust(),
        &leaf.cert(),
        &fetcher,
        FetchScope::IssuersAndRevocation,
    );
    assert!(!outcome.is_trusted());
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", "/rogue.der")
    );

    // Revocation only: not even that.
    let before = server.count();
    let outcome = validate(
        &trusted.trust(),
        &leaf.cert(),
        &fetcher,
        FetchScope::RevocationOnly,
    );
    assert!(!outcome.is_trusted());
    assert_eq!(server.count(), before);
}

/// A document whose newest signature's certificate sends kyso to a slow server (its issuer is
/// missing; four caIssuers URLs that hang), and whose older signature has a trusted
/// certificate with a CRL on a good server.
fn slow_then_good(root: &Ca, slow: &Server, good: &Server) -> Vec<u8> {
    let honest = root.leaf("honest signer", &[], &[good.url("/root.crl")], &[]);
    let missing = root.intermediate("Missing CA");
    let urls: Vec<String> = (0..4).map(|i| slow.url(&format!("/ca-{i}.der"))).collect();
    let stalling = missing.leaf("stalling signer", &[], &[], &urls);
    let pdf = honest.sign(&sample_pdf(SampleXref::Table), vec![], "Honest");
    stalling.sign(&pdf, vec![], "Stalling")
}

#[test]
fn a_spent_budget_leaves_revocation_unknown_and_never_passes() {
    let root = Ca::root("Budget Root");
    let crl = root.crl();
    let slow = Server::start(|_| Reply::Hang);
    let good = Server::start(move |_| Reply::Body(crl.clone()));
    let pdf = slow_then_good(&root, &slow, &good);
    // One second per fetch; the budget is cut down so the test is quick.
    let fetcher = || {
        HttpFetcher::new(Duration::from_secs(1), Duration::from_secs(1), 16 << 20)
            .with_policy(loopback_allowed())
    };

    let mut opts = online(root.trust(), fetcher());
    opts.document_budget.network = NetworkBudget::new(16, Duration::from_millis(2500), 32 << 20);
    let started = Instant::now();
    let report = verify_bytes(&pdf, &opts).unwrap();
    let took = started.elapsed();
    let (honest, stalling) = (&report.signatures[0], &report.signatures[1]);
    // The stalling signature (verified first, newest first) spent the budget.
    assert_eq!(stalling.indication, Indication::Indeterminate);
    assert!(slow.count() >= 2 && slow.count() <= 3, "{:?}", slow.seen());
    // The honest signature's CRL was never fetched: its status is unknown because of the
    // budget, which is INDETERMINATE (TRY_LATER), not a pass with a warning.
    assert_eq!(good.count(), 0);
    let why = finding(honest, Code::NetworkBudgetExhausted)
        .unwrap_or_else(|| panic!("{}", report.to_json()));
    assert!(why.contains("budget"), "{why}");
    assert_eq!(honest.indication, Indication::Indeterminate);
    assert_eq!(honest.sub_indication, Some(SubIndication::TryLater));
    let doc = report
        .findings
        .iter()
        .find(|f| f.code == Code::NetworkBudgetExhausted)
        .unwrap_or_else(|| panic!("{}", report.to_json()));
    assert!(
        doc.message.contains("ran out of its time"),
        "{}",
        doc.message
    );
    assert!(took < Duration::from_millis(2500 + 1500), "{took:?}");

    // With enough budget both are judged on their merits: the honest one passes.
    let mut opts = online(root.trust(), fetcher());
    opts.document_budget.network = NetworkBudget::new(16, Duration::from_secs(10), 32 << 20);
    let report = verify_bytes(&pdf, &opts).unwrap();
    assert_eq!(
        report.signatures[0].indication,
        Indication::TotalPassed,
        "{}",
        report.to_json()
    );
    assert_eq!(good.count(), 1);
    assert!(!report
        .findings
        .iter()
        .any(|f| f.code == Code::NetworkBudgetExhausted));
}

#[test]
fn a_slow_server_behind_many_signatures_costs_at_most_the_default_budget() {
    // Eight signatures, each certificate's issuer missing with four caIssuers URLs on a
    // server that accepts and never answers. Without a per-document budget each fetch waits
    // its 15 s: 8 × 4 × 15 s = 8 minutes. With the default budget (30 s): two fetches, then
    // every other one is refused at once.
    let root = Ca::root("Slow Root");
    let slow = Server::start(|_| Reply::Hang);
    let mut pdf = sample_pdf(SampleXref::Table);
    for k in 0..8 {
        let missing = root.intermediate(&format!("Missing CA {k}"));
        let urls: Vec<String> = (0..4)
            .map(|i| slow.url(&format!("/sig-{k}/ca-{i}.der")))
            .collect();
        let leaf = missing.leaf(&format!("signer {k}"), &[], &[], &urls);
        pdf = leaf.sign(&pdf, vec![], &format!("Signature{k}"));
    }
    let opts = online(
        root.trust(),
        HttpFetcher::default().with_policy(loopback_allowed()),
    );
    assert_eq!(opts.document_budget.network, NetworkBudget::default());
    let started = Instant::now();
    let report: VerificationReport = verify_bytes(&pdf, &opts).unwrap();
    let took = started.elapsed();
    eprintln!(
        "slow server, 8 signatures x 4 URLs, default budget: {:.2} s, {} request(s)",
        took.as_secs_f64(),
        slow.count()
    );
    assert!(took >= Duration::from_secs(29), "{took:?}");
    assert!(took < Duration::from_secs(33), "{took:?}");
    assert_eq!(slow.count(), 2, "{:?}", slow.seen());
    assert_eq!(report.signatures.len(), 8);
    assert!(report
        .signatures
        .iter()
        .all(|s| s.indication != Indication::TotalPassed));
    assert!(report
        .findings
        .iter()
        .any(|f| f.code == Code::NetworkBudgetExhausted));
}

// ---------------------------------------------------------------------------------------
// The command line.

#[test]
fn kyso_verify_online_refuses_loopback_until_allowed() {
    let root = Ca::root("CLI Root");
    let crl = root.crl();
    let server = Server::start(move |r| match r.path.as_str() {
        "/root.crl" => Reply::Body(crl.clone()),
        _ => Reply::Status(404),
    });
    let leaf = root.leaf(
        "CLI signer",
        &[server.url("/ocsp")],
        &[server.url("/root.crl")],
        &[],
    );
    let dir = common::temp_dir();
    let file = dir.path().join("signed.pdf");
    std::fs::write(
        &file,
        leaf.sign(&sample_pdf(SampleXref::Table), vec![], "Signature1"),
    )
    .unwrap();
    let root_pem = dir.path().join("root.pem");
    std::fs::write(&root_pem, common::pki::pem("CERTIFICATE", &root.der())).unwrap();
    let os = |s: &str| std::ffi::OsString::from(s);
    let run = |extra: &[&str]| {
        let mut args = vec![
            os("verify"),
            os("--trust"),
            root_pem.clone().into_os_string(),
            os("--revocation"),
            os("require"),
        ];
        args.extend(extra.iter().map(|s| os(s)));
        args.push(file.clone().into_os_string());
        let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        kyso(&refs)
    };
    let text = |o: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };

    let out = run(&["--online"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("loopback"), "{}", text(&out));
    assert_eq!(server.count(), 0, "{:?}", server.seen());

    let out = run(&["--online", "--allow-net", "127.0.0.1/32"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(server.count() >= 1);

    let out = run(&[
        "--online",
        "--allow-host",
        &format!("127.0.0.1:{}", server.port),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // Network options without --online, or unreadable, are refused.
    let out = run(&["--allow-net", "127.0.0.1/32"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--online"), "{}", text(&out));
    let out = run(&["--online", "--allow-net", "localhost/8"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("CIDR"), "{}", text(&out));
}

#[test]
fn the_cli_budget_options_reach_the_verification() {
    let root = Ca::root("CLI Budget Root");
    let slow = Server::start(|_| Reply::Hang);
    let missing = root.intermediate("Missing CA");
    let urls: Vec<String> = (0..4).map(|i| slow.url(&format!("/ca-{i}.der"))).collect();
    let leaf = missing.leaf("CLI stalling signer", &[], &[], &urls);
    let dir = common::temp_dir();
    let file = dir.path().join("signed.pdf");
    std::fs::write(
        &file,
        leaf.sign(&sample_pdf(SampleXref::Table), vec![], "Signature1"),
    )
    .unwrap();
    let root_pem = dir.path().join("root.pem");
    std::fs::write(&root_pem, common::pki::pem("CERTIFICATE", &root.der())).unwrap();
    let started = Instant::now();
    let out = kyso([
        "verify".as_ref(),
        "--trust".as_ref(),
        root_pem.as_os_str(),
        "--online".as_ref(),
        "--allow-net".as_ref(),
        "127.0.0.1/32".as_ref(),
        "--max-network-seconds".as_ref(),
        "2".as_ref(),
        "--json".as_ref(),
        file.as_os_str(),
    ]);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "network.budget_exhausted"),
        "{json}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(slow.count(), 1);
}
