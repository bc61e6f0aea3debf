//! `kyso serve` (issue 24): the real services on 127.0.0.1, spoken to with a real HTTP client
//! (ureq) and, for the faults a client library will not produce (trickled headers, a body
//! cut off, a Host header of another name), with raw TCP.
//!
//! Verification service: the report equals the library's (`kyso verify --json`) for
//! generated signed files and the shared corpus; batch streaming; metrics; the OpenAPI
//! document against the routes; limits (413, 408, 503 for the memory budget; the queue's 503
//! is a unit test of the engine), a client leaving mid-upload, slow bodies (slowloris), slow
//! headers, malformed input, graceful shutdown (in process and the binary on SIGTERM).
//! Signing agent: signs with a PKCS#12 file through the binary (the PIN/password from a
//! file), refuses non-loopback binds, other origins and hosts (DNS rebinding), missing or
//! wrong pairing tokens; CORS preflight answered only for allowed origins.
#![cfg(feature = "serve")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::pki::TestPki;
use kyso::serve::{Limits, PairingToken, SignAgent, VerifyService};
use kyso::sign::{sign_bytes, SignOptions};
use kyso::verify::{verify_bytes, VerifyOptions};
use serde_json::Value;
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-06-01 10:00 UTC);
const AT: &str = "2026-06-01T10:00:00Z";
const ORIGIN: &str = "https://dichvucong.example.gov.vn";

fn pki() -> TestPki {
    TestPki::generate(NOW)
}

/// A PDF with two signatures by two signers of the test PKI.
fn two_signatures(pki: &TestPki) -> Vec<u8> {
    let pdf = common::attacks::form_doc();
    let t = |h| NOW - time::Duration::hours(h);
    let once = sign_bytes(
        &pdf,
        &pki.rsa2048.signer(),
        &SignOptions::new().field_name("A").signing_time(t(2)),
    )
    .unwrap();
    sign_bytes(
        &once,
        &pki.p256.signer(),
        &SignOptions::new().field_name("B").signing_time(t(1)),
    )
    .unwrap()
}

fn options(pki: &TestPki) -> VerifyOptions {
    VerifyOptions::new(pki.trust()).validation_time(NOW)
}

fn client() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn url(addr: SocketAddr, path: &str) -> String {
    format!("http://{addr}{path}")
}

/// POST `body`; (status, body as text).
fn post(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> (u16, String) {
    let mut r = client()
        .post(url(addr, path))
        .header("Content-Type", content_type)
        .send(body)
        .unwrap();
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap())
}

fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut r = client().get(url(addr, path)).call().unwrap();
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap())
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

fn error_code(body: &str) -> String {
    json(body)["error"]["code"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

fn start(pki: &TestPki, limits: Limits) -> kyso::serve::Running {
    VerifyService::new(options(pki))
        .limits(limits)
        .start("127.0.0.1:0".parse().unwrap())
        .unwrap()
}

/// Sends raw bytes on a fresh connection and reads the whole answer (the server closes:
/// `Connection: close`). Status 0 when the server closed without answering.
fn raw(addr: SocketAddr, request: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let _ = s.write_all(request);
    read_answer(&mut s)
}

fn read_answer(s: &mut TcpStream) -> (u16, String) {
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn small_limits() -> Limits {
    let mut l = Limits::default();
    l.max_body = 256 << 10;
    l.request_timeout = Duration::from_secs(3);
    l.header_timeout = Duration::from_secs(1);
    l.body_idle_timeout = Duration::from_secs(2);
    l.shutdown_grace = Duration::from_secs(10);
    l
}

#[test]
fn verify_answers_the_same_report_as_the_library() {
    let pki = pki();
    let pdf = two_signatures(&pki);
    let server = start(&pki, Limits::default());
    let addr = server.local_addr();
    let (status, body) = post(
        addr,
        &format!("/v1/verify?at={AT}"),
        "application/pdf",
        &pdf,
    );
    assert_eq!(status, 200, "{body}");
    let expected = verify_bytes(&pdf, &options(&pki)).unwrap();
    assert!(expected.all_passed());
    assert_eq!(expected.signatures.len(), 2);
    assert_eq!(json(&body), json(&expected.to_json()));

    // The text rendering, in Vietnamese.
    let (status, text) = post(
        addr,
        &format!("/v1/verify?at={AT}&format=text&lang=vi"),
        "application/pdf",
        &pdf,
    );
    assert_eq!(status, 200);
    assert_eq!(
        text,
        kyso::report::render_text_in(&expected, kyso::report::Lang::Vi)
    );

    // A validation time after the signers' certificates expired (and revocation required)
    // gives another report; the query options reach the verifier.
    let (status, later) = post(
        addr,
        "/v1/verify?at=2040-01-01&revocation=require",
        "application/pdf",
        &pdf,
    );
    assert_eq!(status, 200);
    let later = json(&later);
    assert_eq!(later["validation_time"], "2040-01-01T00:00:00Z");
    assert_ne!(later["summary"]["passed"], 2, "{later}");

    // Metrics count routes, statuses, verdicts, bytes and latency.
    let (status, metrics) = get(addr, "/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("kyso_http_requests_total{route=\"/v1/verify\",status=\"200\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("kyso_verdicts_total{verdict=\"passed\"} 2"),
        "{metrics}"
    );
    assert!(metrics.contains(&format!("kyso_http_request_bytes_total {}", 3 * pdf.len())));
    assert!(metrics.contains("kyso_http_request_duration_seconds_count 3"));

    // A request may make revocation checking stricter, never weaker than the service's
    // setting (red-team finding: a forwarded query string must not switch it off).
    let (status, body) = post(addr, "/v1/verify?revocation=off", "application/pdf", &pdf);
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), "bad_query");
    assert!(body.contains("stricter"), "{body}");
    assert_eq!(get(addr, "/healthz").0, 200);
    assert_eq!(get(addr, "/readyz").0, 200);
    server.shutdown().unwrap();
}

/// The shared corpus (`04-signed-pdfs/`): the service's report for each file equals the
/// library's at the same validation time.
#[test]
fn verify_corpus_files_as_the_library_does() {
    let Some(dir) = common::corpus("04-signed-pdfs") else {
        return;
    };
    let files = common::corpus::pdfs_under(&dir);
    assert!(!files.is_empty());
    let opts = VerifyOptions::new(kyso::pki::TrustStore::empty()).validation_time(NOW);
    let server = VerifyService::new(opts.clone())
        .start("127.0.0.1:0".parse().unwrap())
        .unwrap();
    let addr = server.local_addr();
    let mut compared = 0;
    for f in files.iter().take(25) {
        let bytes = std::fs::read(f).unwrap();
        let (status, body) = post(
            addr,
            &format!("/v1/verify?at={AT}"),
            "application/pdf",
            &bytes,
        );
        match verify_bytes(&bytes, &opts) {
            Ok(expected) => {
                assert_eq!(status, 200, "{}: {body}", f.display());
                assert_eq!(json(&body), json(&expected.to_json()), "{}", f.display());
                compared += 1;
            }
            Err(_) => {
                assert_eq!(status, 422, "{}: {body}", f.display());
                assert_eq!(error_code(&body), "unreadable_document");
            }
        }
    }
    assert!(compared > 0);
    server.shutdown().unwrap();
}

fn multipart(parts: &[(&str, &[u8])], boundary: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, data) in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

#[test]
fn batch_streams_one_line_per_part_then_a_summary() {
    let pki = pki();
    let pdf = two_signatures(&pki);
    let unsigned = common::attacks::form_doc();
    let server = start(&pki, Limits::default());
    let addr = server.local_addr();
    let b = "kyso-test-boundary";
    let body = multipart(
        &[
            ("a.pdf", &pdf),
            ("junk.pdf", b"not a pdf"),
            ("plain.pdf", &unsigned),
        ],
        b,
    );
    let (status, text) = post(
        addr,
        &format!("/v1/verify/batch?at={AT}"),
        &format!("multipart/form-data; boundary={b}"),
        &body,
    );
    assert_eq!(status, 200, "{text}");
    let lines: Vec<Value> = text.lines().map(json).collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(lines[0]["name"], "a.pdf");
    assert_eq!(lines[0]["verdict"], "passed");
    assert_eq!(lines[0]["report"]["summary"]["passed"], 2);
    assert_eq!(lines[1]["error"]["code"], "unreadable_document");
    assert_eq!(lines[2]["verdict"], "no_signatures");
    let s = &lines[3]["summary"];
    assert_eq!(
        (
            s["documents"].as_u64(),
            s["passed"].as_u64(),
            s["errors"].as_u64()
        ),
        (Some(3), Some(1), Some(1))
    );

    // Malformed multipart: not multipart at all, a boundary that never comes, no part.
    let (status, text) = post(addr, "/v1/verify/batch", "application/pdf", &pdf);
    assert_eq!(
        (status, error_code(&text).as_str()),
        (400, "bad_multipart"),
        "{text}"
    );
    let (status, text) = post(
        addr,
        "/v1/verify/batch",
        "multipart/form-data; boundary=zzz",
        b"garbage without any boundary",
    );
    assert_eq!(
        (status, error_code(&text).as_str()),
        (400, "bad_multipart"),
        "{text}"
    );
    let (status, text) = post(
        addr,
        "/v1/verify/batch",
        "multipart/form-data; boundary=zzz",
        b"--zzz--\r\n",
    );
    assert_eq!(
        (status, error_code(&text).as_str()),
        (400, "bad_multipart"),
        "{text}"
    );
    server.shutdown().unwrap();
}

/// A detached `.p7s` with its file (multipart), and an enveloping `.p7m` (pkcs7-mime body):
/// the same reports as the library's `dossier` functions.
/// What is left in a service's working directory.
fn leftovers(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect()
}

/// `POST /v1/verify/dossier`: a sealed dossier uploaded file by file gets the report
/// `kyso dossier verify` gives for its folder; a file changed on the way is found; hostile
/// file names are refused; the working directory is gone after each request.
#[test]
fn a_dossier_uploaded_part_by_part_verifies_as_the_library_does() {
    use kyso::dossier::{seal_dossier, verify_dossier, FileStatus, SealOptions};
    let pki = pki();
    let dir = common::temp_dir();
    let d = dir.path();
    std::fs::create_dir(d.join("quyet-dinh")).unwrap();
    std::fs::write(d.join("quyet-dinh/qd-12.pdf"), two_signatures(&pki)).unwrap();
    std::fs::write(d.join("don-de-nghi.txt"), "Đơn đề nghị cấp phép\n").unwrap();
    let mut seal = SealOptions::new();
    seal.signing_time = Some(NOW - time::Duration::hours(1));
    seal_dossier(d, &pki.rsa2048.signer(), &seal).unwrap();
    let mut expected = verify_dossier(d, &options(&pki)).unwrap();
    assert!(expected.passed(), "{}", expected.to_json());
    expected.directory = "(uploaded)".into();
    let names = [
        "kyso-dossier.json",
        "kyso-dossier.json.p7s",
        "quyet-dinh/qd-12.pdf",
        "don-de-nghi.txt",
    ];
    let contents: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(d.join(n)).unwrap())
        .collect();
    let parts: Vec<(&str, &[u8])> = names
        .iter()
        .zip(&contents)
        .map(|(n, c)| (*n, c.as_slice()))
        .collect();
    let work = common::temp_dir();
    let server = VerifyService::new(options(&pki))
        .work_dir(work.path())
        .start("127.0.0.1:0".parse().unwrap())
        .unwrap();
    let addr = server.local_addr();
    let ct = "multipart/form-data; boundary=XyZ";
    let (status, body) = post(
        addr,
        &format!("/v1/verify/dossier?at={AT}"),
        ct,
        &multipart(&parts, "XyZ"),
    );
    assert_eq!(status, 200, "{body}");
    let got = json(&body);
    assert_eq!(got, json(&expected.to_json()));
    assert_eq!(got["indication"], "TOTAL-PASSED");

    // A file changed on the way: the dossier no longer passes, and the report says which.
    let mut changed = contents.clone();
    changed[3] = "Đơn đề nghị cấp phép (sửa)\n".as_bytes().to_vec();
    let parts: Vec<(&str, &[u8])> = names
        .iter()
        .zip(&changed)
        .map(|(n, c)| (*n, c.as_slice()))
        .collect();
    let (status, body) = post(
        addr,
        &format!("/v1/verify/dossier?at={AT}"),
        ct,
        &multipart(&parts, "XyZ"),
    );
    assert_eq!(status, 200, "{body}");
    let got: kyso::dossier::DossierReport = serde_json::from_str(&body).unwrap();
    assert_eq!(got.indication, kyso::report::Indication::TotalFailed);
    let f = got
        .files
        .iter()
        .find(|f| f.path == "don-de-nghi.txt")
        .unwrap();
    assert_eq!(f.status, FileStatus::Altered, "{body}");

    // Hostile or broken file names (a dossier path, as in a manifest).
    for (names, why) in [
        (vec!["../escape.pdf"], "contains . or .."),
        (vec!["/etc/passwd"], "absolute path"),
        (vec!["a\\b.pdf"], "backslash"),
        (vec!["a.pdf", "a.pdf"], "given twice"),
        (vec!["a", "a/b.pdf"], "both a file and a folder"),
    ] {
        let parts: Vec<(&str, &[u8])> = names.iter().map(|n| (*n, b"x".as_slice())).collect();
        let (status, body) = post(addr, "/v1/verify/dossier", ct, &multipart(&parts, "XyZ"));
        assert_eq!(
            (status, error_code(&body).as_str()),
            (400, "bad_multipart"),
            "{names:?}: {body}"
        );
        assert!(body.contains(why), "{names:?}: {body}");
    }
    assert!(!work.path().join("escape.pdf").exists());
    assert!(leftovers(work.path())
        .iter()
        .all(|d| !d.join("escape.pdf").exists()));
    let (status, body) = post(addr, "/v1/verify/dossier", ct, b"--XyZ--\r\n");
    assert_eq!(
        (status, error_code(&body).as_str()),
        (400, "bad_multipart"),
        "{body}"
    );
    // A dossier that would need more than 1 000 folders is refused before anything is
    // written.
    let names: Vec<String> = (0..1001).map(|i| format!("d{i}/x.pdf")).collect();
    let parts: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), b"x".as_slice()))
        .collect();
    let (status, body) = post(addr, "/v1/verify/dossier", ct, &multipart(&parts, "XyZ"));
    assert_eq!(
        (status, error_code(&body).as_str()),
        (413, "too_large"),
        "{body}"
    );
    // While the service runs, its own folder is all there is, and it is empty.
    let mine = leftovers(work.path());
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(leftovers(&mine[0]), Vec::<std::path::PathBuf>::new());
    server.shutdown().unwrap();
    // Once it stops, its folder is gone too.
    assert_eq!(leftovers(work.path()), Vec::<std::path::PathBuf>::new());
}

#[test]
fn detached_and_enveloping_signatures_verify_as_the_library_does() {
    let pki = pki();
    let server = start(&pki, Limits::default());
    let addr = server.local_addr();
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("to-khai.xml");
    std::fs::write(&content, "<toKhai>Nguyễn Văn An</toKhai>").unwrap();
    let signer = pki.rsa2048.signer();
    let t = Some(NOW - time::Duration::hours(1));
    let sig = kyso::dossier::sign_file_detached(&content, &signer, t).unwrap();
    let file = std::fs::read(&content).unwrap();
    let b = "kyso-detached";
    let mut body = Vec::new();
    for (name, data) in [("file", &file), ("signature", &sig)] {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    let (status, text) = post(
        addr,
        &format!("/v1/verify/detached?at={AT}"),
        &format!("multipart/form-data; boundary={b}"),
        &body,
    );
    assert_eq!(status, 200, "{text}");
    let expected = kyso::dossier::verify_detached_bytes(&file, &sig, &options(&pki)).unwrap();
    assert!(expected.all_passed());
    assert_eq!(json(&text), json(&expected.to_json()));
    // The signature part alone.
    let only = multipart(&[("x.p7s", &sig)], b);
    let (status, text) = post(
        addr,
        "/v1/verify/detached",
        &format!("multipart/form-data; boundary={b}"),
        &only,
    );
    assert_eq!(
        (status, error_code(&text).as_str()),
        (400, "bad_multipart"),
        "{text}"
    );
    // Another file under the same signature does not pass.
    let mut tampered = body.clone();
    let at = tampered.windows(5).position(|w| w == b"toKha").unwrap();
    tampered[at] = b'T';
    let (status, text) = post(
        addr,
        &format!("/v1/verify/detached?at={AT}"),
        &format!("multipart/form-data; boundary={b}"),
        &tampered,
    );
    assert_eq!(status, 200);
    assert_eq!(json(&text)["summary"]["passed"], 0, "{text}");

    let p7m = dir.path().join("to-khai.xml.p7m");
    kyso::dossier::write_enveloping_signature(&content, p7m.as_path(), &signer, t).unwrap();
    let env = std::fs::read(&p7m).unwrap();
    let (status, text) = post(
        addr,
        &format!("/v1/verify?at={AT}"),
        "application/pkcs7-mime",
        &env,
    );
    assert_eq!(status, 200, "{text}");
    let expected = kyso::dossier::verify_enveloping_bytes(&env, &options(&pki)).unwrap();
    assert!(expected.report.all_passed());
    assert_eq!(json(&text), json(&expected.report.to_json()));
    server.shutdown().unwrap();
}

#[test]
fn malformed_input_gets_a_json_error_with_a_stable_code() {
    let pki = pki();
    let server = start(&pki, Limits::default());
    let addr = server.local_addr();
    for (path, body, status, code) in [
        (
            "/v1/verify",
            &b"%PDF-1.7\n garbage"[..],
            422,
            "unreadable_document",
        ),
        ("/v1/verify", b"", 422, "unreadable_document"),
        ("/v1/verify?at=yesterday", b"x", 400, "bad_query"),
        ("/v1/verify?revocation=sometimes", b"x", 400, "bad_query"),
        ("/v1/verify?lang=fr", b"x", 400, "bad_query"),
        ("/v1/verify?unknown=1", b"x", 400, "bad_query"),
        ("/v2/verify", b"x", 404, "not_found"),
    ] {
        let (s, text) = post(addr, path, "application/pdf", body);
        assert_eq!(
            (s, error_code(&text).as_str()),
            (status, code),
            "{path}: {text}"
        );
    }
    let (_, text) = post(addr, "/v1/verify?lang=vi", "application/pdf", b"nope");
    assert!(json(&text)["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("không xử lý được tài liệu"));
    server.shutdown().unwrap();
}

#[test]
fn a_body_over_the_limit_is_413() {
    let pki = pki();
    let server = start(&pki, small_limits());
    let addr = server.local_addr();
    // A declared length over the limit is refused before the body is read (a client that
    // sends `Expect: 100-continue`, as curl does for large bodies, sends nothing; one that
    // writes the body at once may see the connection closed under it).
    let req = format!(
        "POST /v1/verify HTTP/1.1\r\nHost: t\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        300 << 10
    );
    let (status, text) = raw(addr, req.as_bytes());
    assert_eq!(
        (status, error_code(&text).as_str()),
        (413, "too_large"),
        "{text}"
    );
    // Without a Content-Length (chunked), the limit holds as the body arrives.
    let mut req = b"POST /v1/verify HTTP/1.1\r\nHost: t\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..10 {
        req.extend_from_slice(format!("{:x}\r\n", 64 << 10).as_bytes());
        req.extend_from_slice(&vec![b'a'; 64 << 10]);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    let (status, text) = raw(addr, &req);
    assert_eq!(
        (status, error_code(&text).as_str()),
        (413, "too_large"),
        "{text}"
    );
    assert_eq!(get(addr, "/healthz").0, 200);
    server.shutdown().unwrap();
}

/// Reads the `kyso_in_flight` gauge.
fn in_flight(addr: SocketAddr) -> i64 {
    let (_, m) = get(addr, "/metrics");
    m.lines()
        .find_map(|l| l.strip_prefix("kyso_in_flight "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap()
}

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "timed out waiting: {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads the `kyso_receiving` gauge (bodies arriving, not yet admitted).
fn receiving(addr: SocketAddr) -> i64 {
    let (_, m) = get(addr, "/metrics");
    m.lines()
        .find_map(|l| l.strip_prefix("kyso_receiving "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap()
}

#[test]
fn a_client_leaving_mid_upload_frees_what_it_held() {
    let pki = pki();
    let mut limits = small_limits();
    limits.concurrency = 1;
    limits.queue = 0;
    // Room for about one upload in transit.
    limits.max_buffered = 64 << 10;
    let server = start(&pki, limits);
    let addr = server.local_addr();
    for _ in 0..3 {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"POST /v1/verify HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n")
            .unwrap();
        s.write_all(&[b'%'; 60 << 10]).unwrap();
        wait_until("the upload is arriving", || receiving(addr) == 1);
        // An upload arriving holds no place among those that work or wait.
        assert_eq!(in_flight(addr), 0);
        drop(s);
        wait_until("the upload is gone", || receiving(addr) == 0);
    }
    // The single place and the memory budget are usable again.
    let pdf = two_signatures(&pki);
    let (status, _) = post(
        addr,
        &format!("/v1/verify?at={AT}"),
        "application/pdf",
        &pdf,
    );
    assert_eq!(status, 200);
    server.shutdown().unwrap();
}

/// A client that pipelines requests and never reads the answers loses its connection after
/// `write_timeout` instead of holding it for ever.
#[test]
fn a_client_that_reads_nothing_loses_its_connection() {
    let pki = pki();
    let mut limits = small_limits();
    limits.write_timeout = Duration::from_secs(2);
    let server = start(&pki, limits);
    let addr = server.local_addr();
    let mut s = TcpStream::connect(addr).unwrap();
    let one = b"GET /openapi.json HTTP/1.1\r\nHost: t\r\n\r\n";
    let requests = 3000;
    let writer = {
        let mut w = s.try_clone().unwrap();
        std::thread::spawn(move || {
            for _ in 0..requests {
                if w.write_all(one).is_err() {
                    break;
                }
            }
        })
    };
    std::thread::sleep(Duration::from_secs(6));
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut answers = Vec::new();
    let _ = s.read_to_end(&mut answers);
    let served = answers.windows(12).filter(|w| w == b"HTTP/1.1 200").count();
    assert!(
        served < requests,
        "the connection was kept until all {requests} answers were read ({served})"
    );
    drop(s);
    writer.join().unwrap();
    assert_eq!(get(addr, "/healthz").0, 200);
    server.shutdown().unwrap();
}

/// Slowloris on the body (issue 24: "slow clients cannot hold workers"): many more clients
/// than places trickle their bodies; an honest client is still served at once, and each
/// trickler is cut off by `body_timeout` with 408.
#[test]
fn slow_bodies_hold_no_place_among_the_working_requests() {
    let pki = pki();
    let mut limits = small_limits();
    limits.concurrency = 1;
    limits.queue = 1;
    limits.request_timeout = Duration::from_secs(30);
    limits.body_idle_timeout = Duration::from_secs(30);
    limits.body_timeout = Duration::from_secs(4);
    let server = start(&pki, limits);
    let addr = server.local_addr();
    let start_time = Instant::now();
    let tricklers: Vec<_> = (0..8)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"POST /v1/verify HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 100000\r\n\r\n%PDF")
                .unwrap();
            let mut w = s.try_clone().unwrap();
            let writer = std::thread::spawn(move || {
                for _ in 0..100 {
                    if w.write_all(b"a").is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
            (s, writer)
        })
        .collect();
    wait_until("the tricklers are arriving", || receiving(addr) == 8);
    assert_eq!(in_flight(addr), 0);
    let pdf = two_signatures(&pki);
    for _ in 0..3 {
        let (status, text) = post(
            addr,
            &format!("/v1/verify?at={AT}"),
            "application/pdf",
            &pdf,
        );
        assert_eq!(status, 200, "{text}");
    }
    assert!(
        start_time.elapsed() < Duration::from_secs(4),
        "the honest client waited {:?}",
        start_time.elapsed()
    );
    for (mut s, writer) in tricklers {
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        let (status, body) = read_answer(&mut s);
        assert_eq!(
            (status, error_code(&body).as_str()),
            (408, "timeout"),
            "{body}"
        );
        drop(s);
        writer.join().unwrap();
    }
    let t = start_time.elapsed();
    assert!(
        t >= Duration::from_secs(4) && t < Duration::from_secs(15),
        "{t:?}"
    );
    server.shutdown().unwrap();
}

/// The memory budget for bodies in transit: a body that would go beyond it is 503 at once.
#[test]
fn bodies_beyond_the_memory_budget_are_503() {
    let pki = pki();
    let mut limits = small_limits();
    limits.max_buffered = 64 << 10;
    limits.body_idle_timeout = Duration::from_secs(20);
    limits.request_timeout = Duration::from_secs(20);
    limits.body_timeout = Duration::from_secs(20);
    let server = start(&pki, limits);
    let addr = server.local_addr();
    let mut held = TcpStream::connect(addr).unwrap();
    held.write_all(b"POST /v1/verify HTTP/1.1\r\nHost: t\r\nContent-Length: 200000\r\n\r\n")
        .unwrap();
    held.write_all(&[b'%'; 60 << 10]).unwrap();
    wait_until("the first upload is arriving", || receiving(addr) == 1);
    // Give the server time to take in the 60 KiB sent.
    std::thread::sleep(Duration::from_millis(300));
    let (status, text) = post(addr, "/v1/verify", "application/pdf", &[b'%'; 32 << 10]);
    assert_eq!(
        (status, error_code(&text).as_str()),
        (503, "busy"),
        "{text}"
    );
    let (_, m) = get(addr, "/metrics");
    assert!(m.contains("kyso_rejected_busy_total 1"), "{m}");
    drop(held);
    wait_until("the budget is free", || receiving(addr) == 0);
    let (status, text) = post(addr, "/v1/verify", "application/pdf", &[b'%'; 32 << 10]);
    assert_eq!(status, 422, "{text}");
    server.shutdown().unwrap();
}

#[test]
fn slow_headers_are_cut_off() {
    let pki = pki();
    let server = start(&pki, small_limits());
    let addr = server.local_addr();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let start = Instant::now();
    s.write_all(b"POST /v1/verify HTTP/1.1\r\n").unwrap();
    // One header byte every 200 ms: the headers never end.
    let mut closed = false;
    while start.elapsed() < Duration::from_secs(12) {
        if s.write_all(b"X").is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 512];
        match s.read(&mut buf) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(_) => {
                closed = true; // an answer (408) and then the close
                break;
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => {
                closed = true;
                break;
            }
        }
    }
    assert!(closed, "a client trickling its headers kept the connection");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    server.shutdown().unwrap();
}

#[test]
fn a_trickled_body_is_cut_off_by_the_request_timeout() {
    let pki = pki();
    let server = start(&pki, small_limits());
    let addr = server.local_addr();
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"POST /v1/verify HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 100000\r\n\r\n")
        .unwrap();
    let start = Instant::now();
    // A byte every 100 ms: never idle for long, never done.
    let writer = {
        let mut w = s.try_clone().unwrap();
        std::thread::spawn(move || {
            for _ in 0..100 {
                if w.write_all(b"a").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let (status, body) = read_answer(&mut s);
    assert_eq!(
        (status, error_code(&body).as_str()),
        (408, "timeout"),
        "{body}"
    );
    let t = start.elapsed();
    assert!(
        t >= Duration::from_secs(2) && t < Duration::from_secs(15),
        "{t:?}"
    );
    drop(s);
    writer.join().unwrap();
    server.shutdown().unwrap();
}

#[test]
fn shutdown_finishes_the_requests_in_flight() {
    let pki = pki();
    let pdf = two_signatures(&pki);
    let server = start(&pki, small_limits());
    let addr = server.local_addr();
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /v1/verify?at={AT} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        pdf.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&pdf[..1000]).unwrap();
    wait_until("the request is arriving", || receiving(addr) == 1);
    let stopper = std::thread::spawn(move || server.shutdown());
    std::thread::sleep(Duration::from_millis(300));
    // No new connection is served while stopping...
    let refused = TcpStream::connect(addr).map_or(true, |mut c| {
        c.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let _ = c.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        let mut buf = [0u8; 16];
        !matches!(c.read(&mut buf), Ok(n) if n > 0)
    });
    assert!(refused, "a new connection was served during shutdown");
    // ...but the one in flight gets its answer.
    s.write_all(&pdf[1000..]).unwrap();
    let (status, body) = read_answer(&mut s);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["summary"]["passed"], 2);
    stopper.join().unwrap().unwrap();
}

/// Every path and method of the OpenAPI document is a route the server answers; another
/// method on those paths is 405, another path 404.
fn check_openapi(addr: SocketAddr, document: &str, extra_headers: &[(&str, &str)]) {
    let (status, text) = get(addr, "/openapi.json");
    assert_eq!(status, 200);
    assert_eq!(json(&text), json(document));
    let doc = json(document);
    let paths = doc["paths"].as_object().unwrap();
    assert!(!paths.is_empty());
    for (path, item) in paths {
        for method in ["get", "post", "put", "delete"] {
            let mut req = format!(
                "{} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 0\r\n",
                method.to_uppercase()
            );
            for (k, v) in extra_headers {
                req.push_str(&format!("{k}: {v}\r\n"));
            }
            req.push_str("\r\n");
            let (status, body) = raw(addr, req.as_bytes());
            if item.get(method).is_some() {
                assert!(
                    status != 404 && status != 405 && status != 0,
                    "{method} {path}: {status} {body}"
                );
            } else {
                assert_eq!(
                    status, 405,
                    "{method} {path} is not in the document: {body}"
                );
            }
        }
    }
    let mut req = format!("GET /v1/undocumented HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in extra_headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    assert_eq!(raw(addr, req.as_bytes()).0, 404);
}

#[test]
fn openapi_documents_match_the_routes() {
    let pki = pki();
    let server = start(&pki, Limits::default());
    check_openapi(
        server.local_addr(),
        kyso::serve::openapi::VERIFY_SERVICE,
        &[],
    );
    server.shutdown().unwrap();

    let token = PairingToken::new(&"t".repeat(40)).unwrap();
    let agent = SignAgent::new(Arc::new(pki.rsa2048.signer()), token, vec![ORIGIN.into()])
        .start("127.0.0.1:0".parse().unwrap())
        .unwrap();
    let t = "t".repeat(40);
    check_openapi(
        agent.local_addr(),
        kyso::serve::openapi::SIGN_AGENT,
        &[("X-Kyso-Token", &t)],
    );
    agent.shutdown().unwrap();
}

// ---------------------------------------------------------------------------------------
// The signing agent.

fn agent(pki: &TestPki) -> (kyso::serve::Running, String) {
    let t = "0123456789abcdef".repeat(4);
    let running = SignAgent::new(
        Arc::new(pki.rsa2048.signer()),
        PairingToken::new(&t).unwrap(),
        vec![ORIGIN.into()],
    )
    .start("127.0.0.1:0".parse().unwrap())
    .unwrap();
    (running, t)
}

fn agent_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> ureq::http::Response<ureq::Body> {
    let mut req = ureq::http::Request::builder()
        .method(method)
        .uri(url(addr, path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(body.to_vec()).unwrap();
    client().run(req).unwrap()
}

#[test]
fn the_agent_refuses_what_a_hostile_page_could_send() {
    let pki = pki();
    // Non-loopback binds are refused before anything listens.
    let e = SignAgent::new(
        Arc::new(pki.rsa2048.signer()),
        PairingToken::new(&"x".repeat(40)).unwrap(),
        vec![ORIGIN.into()],
    )
    .start("0.0.0.0:0".parse().unwrap())
    .unwrap_err();
    assert!(
        matches!(e, kyso::serve::ServeError::NotLoopback { .. }),
        "{e}"
    );

    let (server, token) = agent(&pki);
    let addr = server.local_addr();
    let pdf = common::attacks::form_doc();
    let code = |mut r: ureq::http::Response<ureq::Body>| {
        let status = r.status().as_u16();
        (status, error_code(&r.body_mut().read_to_string().unwrap()))
    };
    // No token, a wrong token.
    let r = agent_request(addr, "POST", "/v1/sign", &[("Origin", ORIGIN)], &pdf);
    assert_eq!(code(r), (401, "token_missing".into()));
    let r = agent_request(
        addr,
        "POST",
        "/v1/sign",
        &[("Origin", ORIGIN), ("X-Kyso-Token", &"f".repeat(64))],
        &pdf,
    );
    assert_eq!(code(r), (401, "token_invalid".into()));
    // Another origin, even with the token (a page that stole nothing cannot have it, but
    // the origin check does not depend on that).
    let r = agent_request(
        addr,
        "POST",
        "/v1/sign",
        &[("Origin", "https://evil.example"), ("X-Kyso-Token", &token)],
        &pdf,
    );
    assert_eq!(code(r), (403, "origin_forbidden".into()));
    let r = agent_request(
        addr,
        "GET",
        "/v1/certificates",
        &[("Origin", "null"), ("X-Kyso-Token", &token)],
        b"",
    );
    assert_eq!(code(r), (403, "origin_forbidden".into()));
    // CORS preflight: answered for the allowed origin only.
    let r = agent_request(
        addr,
        "OPTIONS",
        "/v1/sign",
        &[
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "x-kyso-token, content-type",
            ),
            ("Access-Control-Request-Private-Network", "true"),
        ],
        b"",
    );
    assert_eq!(r.status().as_u16(), 204);
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    assert!(h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("x-kyso-token"));
    assert_eq!(h["access-control-allow-private-network"], "true");
    let r = agent_request(
        addr,
        "OPTIONS",
        "/v1/sign",
        &[
            ("Origin", "https://evil.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    );
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    // DNS rebinding: a hostile name resolving to 127.0.0.1 sends its own Host.
    let req = format!(
        "GET /v1/certificates HTTP/1.1\r\nHost: evil.example:{}\r\nX-Kyso-Token: {token}\r\nConnection: close\r\n\r\n",
        addr.port()
    );
    let (status, body) = raw(addr, req.as_bytes());
    assert_eq!(
        (status, error_code(&body).as_str()),
        (403, "host_forbidden")
    );
    // The PIN is never taken from a request: there is no such parameter.
    let r = agent_request(
        addr,
        "POST",
        "/v1/sign?pin=1234",
        &[("Origin", ORIGIN), ("X-Kyso-Token", &token)],
        &pdf,
    );
    assert_eq!(code(r), (400, "bad_query".into()));
    // A body over the agent's limit is refused from its declared length, before it is sent
    // (the client asked with `Expect: 100-continue`, as curl does for large bodies).
    let req = format!(
        "POST /v1/sign HTTP/1.1\r\nHost: {addr}\r\nOrigin: {ORIGIN}\r\nX-Kyso-Token: {token}\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        (32 << 20) + 1
    );
    let (status, body) = raw(addr, req.as_bytes());
    assert_eq!(
        (status, error_code(&body).as_str()),
        (413, "too_large"),
        "{body}"
    );
    // Without a declared length (chunked), the same limit cuts it off once crossed.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST /v1/sign HTTP/1.1\r\nHost: {addr}\r\nOrigin: {ORIGIN}\r\nX-Kyso-Token: {token}\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    s.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b'%'; 1 << 20];
    for _ in 0..40 {
        let mut piece = format!("{:x}\r\n", chunk.len()).into_bytes();
        piece.extend_from_slice(&chunk);
        piece.extend_from_slice(b"\r\n");
        if s.write_all(&piece).is_err() {
            break;
        }
    }
    let (status, body) = read_answer(&mut s);
    assert_eq!(
        (status, error_code(&body).as_str()),
        (413, "too_large"),
        "{body}"
    );
    server.shutdown().unwrap();
}

/// The agent with a timestamp authority (`kyso serve sign --tsa URL`; here OpenSSL's TSA in
/// process): B-T by default (ETSI EN 319 142-1 §6.3, a signature-time-stamp attribute),
/// `level=b-b` without; an agent without an authority refuses `level=b-t`; an authority that
/// answers wrongly leaves nothing signed (502 `timestamp_failed`).
#[test]
fn the_agent_signs_at_b_t_with_its_timestamp_authority() {
    use common::ltv_pki::LtvPki;
    use common::tsa::Behaviour;
    use kyso::report::PadesLevel;
    let Some(ltv) = LtvPki::new() else { return };
    let token = "d".repeat(64);
    let start_agent = |behaviour: Behaviour| {
        SignAgent::new(
            Arc::new(ltv.signer()),
            PairingToken::new(&token).unwrap(),
            vec![ORIGIN.into()],
        )
        .timestamping(ltv.timestamping(behaviour))
        .start("127.0.0.1:0".parse().unwrap())
        .unwrap()
    };
    let server = start_agent(Behaviour::Honest);
    let addr = server.local_addr();
    let headers = [("Origin", ORIGIN), ("X-Kyso-Token", token.as_str())];
    let pdf = common::attacks::form_doc();
    let sign = |query: &str| {
        let mut r = agent_request(addr, "POST", &format!("/v1/sign{query}"), &headers, &pdf);
        let status = r.status().as_u16();
        let body = r
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .unwrap();
        (status, body)
    };
    let level = |signed: &[u8]| {
        let r = verify_bytes(signed, &VerifyOptions::new(ltv.trust())).unwrap();
        assert!(r.all_passed(), "{}", r.to_json());
        r.signatures[0].pades_level
    };
    let (status, signed) = sign("?field=A");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&signed));
    assert_eq!(level(&signed), Some(PadesLevel::BT));
    let (status, signed) = sign("?field=A&level=b-t");
    assert_eq!(status, 200);
    assert_eq!(level(&signed), Some(PadesLevel::BT));
    let (status, signed) = sign("?field=A&level=b-b");
    assert_eq!(status, 200);
    assert_eq!(level(&signed), Some(PadesLevel::BB));
    server.shutdown().unwrap();

    // An authority that timestamps another imprint: refused, nothing signed.
    let server = start_agent(Behaviour::WrongImprint);
    let addr = server.local_addr();
    let mut r = agent_request(addr, "POST", "/v1/sign?lang=vi", &headers, &pdf);
    assert_eq!(r.status().as_u16(), 502);
    let body = r.body_mut().read_to_string().unwrap();
    assert_eq!(error_code(&body), "timestamp_failed", "{body}");
    assert!(body.contains("dấu thời gian"), "{body}");
    server.shutdown().unwrap();

    // Without an authority, b-t is refused by name.
    let server = SignAgent::new(
        Arc::new(ltv.signer()),
        PairingToken::new(&token).unwrap(),
        vec![ORIGIN.into()],
    )
    .start("127.0.0.1:0".parse().unwrap())
    .unwrap();
    let mut r = agent_request(
        server.local_addr(),
        "POST",
        "/v1/sign?level=b-t",
        &headers,
        &pdf,
    );
    assert_eq!(r.status().as_u16(), 400);
    let body = r.body_mut().read_to_string().unwrap();
    assert!(body.contains("--tsa"), "{body}");
    server.shutdown().unwrap();
}

#[test]
fn the_agent_signs_in_process_and_lists_its_certificate() {
    let pki = pki();
    let (server, token) = agent(&pki);
    let addr = server.local_addr();
    let mut r = agent_request(
        addr,
        "GET",
        "/v1/certificates",
        &[("Origin", ORIGIN), ("X-Kyso-Token", &token)],
        b"",
    );
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);
    let list = json(&r.body_mut().read_to_string().unwrap());
    let first = &list["certificates"][0];
    assert_eq!(first["role"], "signer");
    assert_eq!(
        first["der_hex"].as_str().unwrap(),
        kyso::asn1::hex::encode(&pki.rsa2048.cert_der)
    );

    let pdf = common::attacks::form_doc();
    let mut r = agent_request(
        addr,
        "POST",
        "/v1/sign?field=ChuKy1&reason=Ph%C3%AA%20duy%E1%BB%87t&appearance=portal&page=1",
        &[
            ("Origin", ORIGIN),
            ("X-Kyso-Token", &token),
            ("Content-Type", "application/pdf"),
        ],
        &pdf,
    );
    assert_eq!(r.status().as_u16(), 200);
    let signed = r
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .unwrap();
    assert!(signed.starts_with(&pdf), "an incremental update");
    let report = verify_bytes(&signed, &VerifyOptions::new(pki.trust())).unwrap();
    assert!(report.all_passed(), "{}", report.to_json());
    let sig = &report.signatures[0];
    assert_eq!(sig.field_name.as_deref(), Some("ChuKy1"));
    assert_eq!(sig.reason.as_deref(), Some("Phê duyệt"));

    // A refusal names the reason: signing the same field again.
    let mut r = agent_request(
        addr,
        "POST",
        "/v1/sign?field=ChuKy1&lang=vi",
        &[("Origin", ORIGIN), ("X-Kyso-Token", &token)],
        &signed,
    );
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(
        error_code(&r.body_mut().read_to_string().unwrap()),
        "refused"
    );
    // Only B-B here.
    let r = agent_request(
        addr,
        "POST",
        "/v1/sign?level=b-lt",
        &[("Origin", ORIGIN), ("X-Kyso-Token", &token)],
        &pdf,
    );
    assert_eq!(r.status().as_u16(), 400);
    server.shutdown().unwrap();
}

// ---------------------------------------------------------------------------------------
// The binary.

/// Starts `kyso ARGS` (waited for by the caller, through [`terminate`]), waits for its "listening on http://ADDR" line; the rest of its
/// standard error arrives on the receiver.
#[allow(clippy::zombie_processes)]
fn spawn_kyso(args: &[&std::ffi::OsStr]) -> (Child, SocketAddr, mpsc::Receiver<String>) {
    let mut child = Command::new(common::keys::kyso_bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| {
                let _ = child.kill();
                let _ = child.wait();
                panic!("kyso did not say where it listens")
            });
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr = rest.split_whitespace().next().unwrap().parse().unwrap();
            return (child, addr, rx);
        }
    }
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("kyso serve did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_binary_serves_verification_and_stops_on_sigterm() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let root = pki.write_root(dir.path());
    let pdf = two_signatures(&pki);
    let (mut child, addr, rx) = spawn_kyso(&[
        "serve".as_ref(),
        "verify".as_ref(),
        "--listen".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--trust".as_ref(),
        root.as_os_str(),
    ]);
    let (status, body) = post(
        addr,
        &format!("/v1/verify?at={AT}"),
        "application/pdf",
        &pdf,
    );
    assert_eq!(status, 200, "{body}");
    let expected = verify_bytes(&pdf, &options(&pki)).unwrap();
    assert_eq!(json(&body), json(&expected.to_json()));
    let status = terminate(&mut child);
    assert!(status.success(), "{status:?}");
    let log: Vec<String> = rx.try_iter().collect();
    // One log line for the request: route, status, bytes, verdict, time; no contents.
    let line = log
        .iter()
        .find(|l| l.contains("\"/v1/verify\""))
        .unwrap_or_else(|| panic!("{log:?}"));
    let v = json(line);
    assert_eq!(v["status"], 200);
    assert_eq!(v["verdict"], "passed");
    assert_eq!(v["bytes_in"].as_u64(), Some(pdf.len() as u64));
    assert!(v["ms"].is_number());
    assert!(!line.contains("ChuKy") && !line.contains("CN="), "{line}");
}

fn write_p12(pki: &TestPki, dir: &Path) -> Option<std::path::PathBuf> {
    let openssl = common::tool("openssl")?;
    let (key, cert, chain) = pki.rsa2048.write_pem(dir);
    let p12 = dir.join("clerk.p12");
    common::keys::openssl_pkcs12(&openssl, &key, &cert, Some(&chain), &p12, "mật khẩu", &[]);
    Some(p12)
}

#[test]
fn the_binary_agent_signs_with_a_pkcs12_file() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let Some(p12) = write_p12(&pki, dir.path()) else {
        return;
    };
    let password = dir.path().join("password");
    std::fs::write(&password, "mật khẩu\n").unwrap();
    let token_file = dir.path().join("config").join("kyso").join("agent-token");

    // Refused: a non-loopback address, no origin.
    let out = common::cli::kyso([
        "serve".as_ref(),
        "sign".as_ref(),
        "--listen".as_ref(),
        "0.0.0.0:0".as_ref(),
        "--p12".as_ref(),
        p12.as_os_str(),
        "--password-file".as_ref(),
        password.as_os_str(),
        "--allow-origin".as_ref(),
        ORIGIN.as_ref(),
    ]);
    assert_eq!(common::cli::code(&out), 2);
    assert!(
        common::cli::stderr(&out).contains("loopback"),
        "{}",
        common::cli::show(&out)
    );

    let (mut child, addr, rx) = spawn_kyso(&[
        "serve".as_ref(),
        "sign".as_ref(),
        "--listen".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--p12".as_ref(),
        p12.as_os_str(),
        "--password-file".as_ref(),
        password.as_os_str(),
        "--allow-origin".as_ref(),
        ORIGIN.as_ref(),
        "--pairing-token-file".as_ref(),
        token_file.as_os_str(),
    ]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&token_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let token = std::fs::read_to_string(&token_file)
        .unwrap()
        .trim()
        .to_owned();
    let pdf = two_signatures(&pki);
    let mut r = agent_request(
        addr,
        "POST",
        "/v1/sign?field=C&reason=ok",
        &[("Origin", ORIGIN), ("X-Kyso-Token", &token)],
        &pdf,
    );
    assert_eq!(r.status().as_u16(), 200);
    let signed = r.body_mut().read_to_vec().unwrap();
    let report = verify_bytes(&signed, &VerifyOptions::new(pki.trust())).unwrap();
    assert_eq!(report.signatures.len(), 3);
    assert!(report.all_passed(), "{}", report.to_json());
    assert!(terminate(&mut child).success());
    let log: Vec<String> = rx.try_iter().collect();
    // One line per signature: the document's SHA-256, the signer, the time.
    let digest = kyso::asn1::hex::encode(&kyso::crypto::digest(
        kyso::crypto::DigestAlgorithm::Sha256,
        &pdf,
    ));
    let line = log
        .iter()
        .find(|l| l.contains("\"signature\""))
        .unwrap_or_else(|| panic!("{log:?}"));
    let v = json(line);
    assert_eq!(v["document_sha256"], digest.as_str());
    assert!(v["signer"].as_str().unwrap().contains("CN="), "{line}");
    assert!(v["time"].is_string());
}
