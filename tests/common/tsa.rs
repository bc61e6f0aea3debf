//! A real timestamp authority for tests: OpenSSL's own RFC 3161 server (`openssl ts -reply`)
//! with a TSA certificate made here (critical extended key usage id-kp-timeStamping, under
//! its own root), reachable either in-process (a `TsaTransport` that runs openssl) or over
//! HTTP on 127.0.0.1 (a small server thread, stopped when dropped). Both can misbehave on
//! purpose: a token over another imprint, another nonce, a rejection, an HTTP error, or no
//! answer at all.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, CustomExtension, DnType, IsCa, KeyPair,
    KeyUsagePurpose, SerialNumber, PKCS_ECDSA_P256_SHA256,
};
use time::{Duration as TimeDuration, OffsetDateTime};

use kyso::tsp::{TsaTransport, TspError};

use super::pki::pem;

/// DER of `SEQUENCE { id-kp-timeStamping }`, the extended key usage RFC 3161 requires.
const EKU_TIME_STAMPING: [u8; 12] = [
    0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
];

/// How the authority behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers correctly.
    Honest,
    /// Timestamps another imprint (the request's digest with one byte changed).
    WrongImprint,
    /// Echoes another nonce (the request's nonce with one byte changed).
    WrongNonce,
    /// Refuses: the authority only accepts SHA-512 imprints (openssl answers `rejection`,
    /// `badAlg`).
    Reject,
    /// HTTP 500 (HTTP only).
    ServerError,
    /// Accepts the connection and never answers (HTTP only).
    Hang,
}

/// The TSA's files and OpenSSL configuration in a directory.
#[derive(Debug)]
pub struct TestTsa {
    /// The directory (owned by the caller's temporary directory).
    pub dir: PathBuf,
    /// The TSA's root certificate (PEM), a trust anchor for verifiers.
    pub root_pem: PathBuf,
    /// The TSA's root, DER.
    pub root_der: Vec<u8>,
    /// The TSA certificate (PEM).
    pub cert_pem: PathBuf,
    /// The TSA's key (PEM).
    pub key_pem: PathBuf,
    /// `openssl`.
    pub openssl: PathBuf,
    counter: AtomicUsize,
}

impl TestTsa {
    /// Makes a TSA in `dir` (root valid 10 years, TSA certificate 5 years, both from a
    /// month ago). `None` when openssl is missing (skipped, see `common::tool`).
    pub fn create(dir: &Path) -> Option<TestTsa> {
        let openssl = super::tool("openssl")?;
        let now = OffsetDateTime::now_utc();
        let mut root_params = CertificateParams::default();
        root_params
            .distinguished_name
            .push(DnType::CommonName, "kyso test TSA root");
        root_params.not_before = now - TimeDuration::days(30);
        root_params.not_after = now + TimeDuration::days(3650);
        root_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        root_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        root_params.serial_number = Some(SerialNumber::from(vec![0x51]));
        let root = CertifiedIssuer::self_signed(
            root_params,
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
        )
        .unwrap();

        let tsa_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = CertificateParams::default();
        params
            .distinguished_name
            .push(DnType::CommonName, "kyso test timestamp authority");
        params
            .distinguished_name
            .push(DnType::OrganizationName, "Cơ quan cấp dấu thời gian");
        params.not_before = now - TimeDuration::days(30);
        params.not_after = now + TimeDuration::days(5 * 365);
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.serial_number = Some(SerialNumber::from(vec![0x52, 0x01]));
        let mut eku =
            CustomExtension::from_oid_content(&[2, 5, 29, 37], EKU_TIME_STAMPING.to_vec());
        eku.set_criticality(true);
        params.custom_extensions = vec![eku];
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&tsa_key, &root).unwrap();

        let tsa = TestTsa {
            dir: dir.to_path_buf(),
            root_pem: dir.join("tsa-root.pem"),
            root_der: root.der().to_vec(),
            cert_pem: dir.join("tsa.pem"),
            key_pem: dir.join("tsa.key"),
            openssl,
            counter: AtomicUsize::new(0),
        };
        std::fs::write(&tsa.root_pem, pem("CERTIFICATE", root.der())).unwrap();
        std::fs::write(&tsa.cert_pem, cert.pem()).unwrap();
        std::fs::write(&tsa.key_pem, tsa_key.serialize_pem()).unwrap();
        std::fs::write(dir.join("tsaserial"), "1000\n").unwrap();
        for (name, digests) in [
            ("tsa.cnf", "sha256, sha384, sha512"),
            ("tsa-sha512-only.cnf", "sha512"),
        ] {
            std::fs::write(
                dir.join(name),
                format!(
                    "[ tsa ]\ndefault_tsa = tsa_config\n[ tsa_config ]\n\
                     serial = {}\ncrypto_device = builtin\nsigner_digest = sha256\n\
                     default_policy = 1.3.6.1.4.1.99999.1.1\ndigests = {digests}\n\
                     accuracy = secs:1, millisecs:500\nclock_precision_digits = 3\n\
                     ordering = no\ntsa_name = yes\ness_cert_id_chain = no\n\
                     ess_cert_id_alg = sha256\n",
                    dir.join("tsaserial").display()
                ),
            )
            .unwrap();
        }
        Some(tsa)
    }

    /// A trust store with the TSA's root.
    pub fn trust(&self) -> kyso::pki::TrustStore {
        kyso::pki::TrustStore::from_der_certificates([&self.root_der]).unwrap()
    }

    /// Answers one DER request as `behaviour` says (honest openssl unless told otherwise).
    pub fn reply(&self, request: &[u8], behaviour: Behaviour) -> Result<Vec<u8>, String> {
        let mut request = request.to_vec();
        match behaviour {
            Behaviour::WrongImprint => flip_last_byte_of(&mut request, Field::Imprint)?,
            Behaviour::WrongNonce => flip_last_byte_of(&mut request, Field::Nonce)?,
            _ => {}
        }
        let config = if behaviour == Behaviour::Reject {
            "tsa-sha512-only.cnf"
        } else {
            "tsa.cnf"
        };
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let req_path = self.dir.join(format!("req-{n}.der"));
        let resp_path = self.dir.join(format!("resp-{n}.der"));
        std::fs::write(&req_path, &request).map_err(|e| e.to_string())?;
        let os = |s: &Path| s.as_os_str().to_owned();
        let args = [
            "ts".into(),
            "-reply".into(),
            "-config".into(),
            os(&self.dir.join(config)),
            "-queryfile".into(),
            os(&req_path),
            "-signer".into(),
            os(&self.cert_pem),
            "-inkey".into(),
            os(&self.key_pem),
            "-out".into(),
            os(&resp_path),
        ];
        let refs: Vec<&std::ffi::OsStr> = args
            .iter()
            .map(|a: &std::ffi::OsString| a.as_os_str())
            .collect();
        let out = super::interop::run(&self.openssl, &refs)?;
        if !out.status.success() {
            return Err(format!("openssl ts -reply failed: {}", out.describe()));
        }
        std::fs::read(&resp_path).map_err(|e| e.to_string())
    }
}

/// A `TsaTransport` that runs openssl directly (no network), for builds without `online`.
pub struct OpensslTransport {
    /// The authority.
    pub tsa: Arc<TestTsa>,
    /// How it behaves.
    pub behaviour: Behaviour,
    /// How many requests it answered.
    pub requests: AtomicUsize,
}

impl OpensslTransport {
    /// An honest or misbehaving transport.
    pub fn new(tsa: Arc<TestTsa>, behaviour: Behaviour) -> Self {
        OpensslTransport {
            tsa,
            behaviour,
            requests: AtomicUsize::new(0),
        }
    }
}

impl TsaTransport for OpensslTransport {
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, TspError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.tsa
            .reply(request, self.behaviour)
            .map_err(|reason| TspError::Transport {
                authority: self.name(),
                reason,
            })
    }

    fn name(&self) -> String {
        format!("openssl ts -reply ({:?})", self.behaviour)
    }
}

#[derive(Clone, Copy)]
enum Field {
    Imprint,
    Nonce,
}

/// Changes the last byte of the request's digest or nonce (kyso's requests: version,
/// messageImprint, nonce, certReq, all with short lengths).
fn flip_last_byte_of(request: &mut [u8], field: Field) -> Result<(), String> {
    let (body, _) = tlv(request, 0).ok_or("request is not DER")?;
    let (_, version_end) = tlv(request, body).ok_or("no version")?;
    let (_, imprint_end) = tlv(request, version_end).ok_or("no imprint")?;
    let at = match field {
        Field::Imprint => imprint_end - 1,
        Field::Nonce => {
            let (content, end) = tlv(request, imprint_end).ok_or("no nonce")?;
            if request.get(imprint_end) != Some(&0x02) || content >= end {
                return Err("the request has no nonce".into());
            }
            end - 1
        }
    };
    let b = request.get_mut(at).ok_or("short request")?;
    *b ^= 0x01;
    Ok(())
}

/// (start of content, end of element) of the element at `at`.
fn tlv(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let len_byte = *bytes.get(at + 1)?;
    let (len, header) = if len_byte < 0x80 {
        (usize::from(len_byte), 2)
    } else {
        let n = usize::from(len_byte & 0x7f);
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*bytes.get(at + 2 + i)?);
        }
        (len, 2 + n)
    };
    Some((at + header, at + header + len))
}

/// One document timestamp as pyHanko's library judges it (`validate_pdf_timestamp`; the
/// command line does not report document timestamps).
#[derive(Debug, Clone)]
pub struct PyhankoDocTimestamp {
    /// The field name.
    pub field: String,
    /// Digest and signature correct.
    pub intact: bool,
    /// Cryptographically valid.
    pub valid: bool,
    /// The authority's certificate chains to a given root.
    pub trusted: bool,
    /// genTime (ISO 8601).
    pub time: String,
    /// The whole line.
    pub raw: String,
}

const PYHANKO_DOC_TS_SCRIPT: &str = r#"
import sys
from datetime import datetime
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext
from pyhanko.keys import load_cert_from_pemder
roots = [load_cert_from_pemder(p) for p in sys.argv[3:]]
kw = dict(trust_roots=roots, allow_fetching=False, revocation_mode='soft-fail')
if sys.argv[2] != 'now':
    kw['moment'] = datetime.fromisoformat(sys.argv[2])
vc = ValidationContext(**kw)
with open(sys.argv[1], 'rb') as f:
    r = PdfFileReader(f)
    for s in r.embedded_timestamp_signatures:
        st = validate_pdf_timestamp(s, validation_context=vc)
        print('	'.join([s.field_name, str(st.intact), str(st.valid), str(st.trusted),
                         st.timestamp.isoformat(), st.summary()]))
"#;

/// Validates the document timestamps of `pdf` with pyHanko's library, offline, trusting `roots`, at `at`
/// (ISO 8601) or now.
pub fn pyhanko_document_timestamps(
    pyhanko: &super::interop::Pyhanko,
    pdf: &Path,
    at: Option<&str>,
    roots: &[&Path],
) -> Result<Vec<PyhankoDocTimestamp>, String> {
    let dir = pdf.parent().unwrap_or(Path::new("."));
    let mut args = vec![pdf.as_os_str(), std::ffi::OsStr::new(at.unwrap_or("now"))];
    args.extend(roots.iter().map(|r| r.as_os_str()));
    let lines = pyhanko.run_script(
        PYHANKO_DOC_TS_SCRIPT,
        &dir.join("pyhanko-doc-timestamps.py"),
        &args,
        "pyHanko timestamp validation",
    )?;
    Ok(lines
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let get = |i: usize| f.get(i).copied().unwrap_or_default();
            PyhankoDocTimestamp {
                field: get(0).to_owned(),
                intact: get(1) == "True",
                valid: get(2) == "True",
                trusted: get(3) == "True",
                time: get(4).to_owned(),
                raw: l.to_owned(),
            }
        })
        .collect())
}

/// What the HTTP server saw of one request.
#[derive(Debug, Clone, Default)]
pub struct SeenRequest {
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The body's length.
    pub body_len: usize,
}

/// The TSA behind HTTP on 127.0.0.1; stopped when dropped.
pub struct HttpTsa {
    /// `http://127.0.0.1:PORT/tsa`.
    pub url: String,
    /// The requests seen, in order.
    pub seen: Arc<Mutex<Vec<SeenRequest>>>,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl HttpTsa {
    /// Starts the server. With `credentials`, requests without the matching basic
    /// authorization get 401.
    pub fn start(tsa: Arc<TestTsa>, behaviour: Behaviour, credentials: Option<&str>) -> HttpTsa {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let expected_auth = credentials.map(|c| {
            use base64::Engine;
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(c)
            )
        });
        let handle = {
            let stop = stop.clone();
            let seen = seen.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    if behaviour == Behaviour::Hang {
                        // Keep the connection open, say nothing, let go later.
                        std::thread::spawn(move || {
                            std::thread::sleep(Duration::from_secs(6));
                            drop(stream);
                        });
                        continue;
                    }
                    let _ = serve(stream, &tsa, behaviour, expected_auth.as_deref(), &seen);
                }
            })
        };
        HttpTsa {
            url: format!("http://{addr}/tsa"),
            seen,
            addr,
            stop,
            handle: Some(handle),
        }
    }
}

impl Drop for HttpTsa {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn serve(
    stream: TcpStream,
    tsa: &TestTsa,
    behaviour: Behaviour,
    expected_auth: Option<&str>,
    seen: &Mutex<Vec<SeenRequest>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = SeenRequest::default();
    let mut length = 0usize;
    let mut line = String::new();
    reader.read_line(&mut line)?; // request line
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            let value = value.trim().to_owned();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse().unwrap_or(0),
                "content-type" => request.content_type = Some(value),
                "authorization" => request.authorization = Some(value),
                _ => {}
            }
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    request.body_len = body.len();
    let authorized = expected_auth.is_none_or(|a| request.authorization.as_deref() == Some(a));
    seen.lock().unwrap().push(request);
    let (status, answer) = if !authorized {
        ("401 Unauthorized", b"authorization required".to_vec())
    } else if behaviour == Behaviour::ServerError {
        ("500 Internal Server Error", b"broken".to_vec())
    } else {
        match tsa.reply(&body, behaviour) {
            Ok(resp) => ("200 OK", resp),
            Err(e) => ("500 Internal Server Error", e.into_bytes()),
        }
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.len()
    )?;
    stream.write_all(&answer)?;
    stream.flush()
}
