//! One PKI for long-term validation tests: a root (rcgen) that issues the signer, the
//! timestamp authority (critical id-kp-timeStamping; OpenSSL's `openssl ts -reply` answers
//! with it, see `tsa.rs`) and a delegated OCSP responder (id-kp-OCSPSigning, ocsp-nocheck).
//! The signer's and the authority's certificates name an OCSP URL on 127.0.0.1, where
//! `openssl ocsp` answers from an index of the CA (started by the test, killed when the
//! guard drops). pyHanko's AdES process judges the files offline (a small script over its
//! library with `RevinfoOnlineFetchingRule.LOCAL_ONLY` and revocation data required:
//! `ades_lta_validation`, and `simulate_future_ades_lta_validation`, which tells whether a
//! file stays verifiable once its certificates have expired).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, CustomExtension, DistinguishedName,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SerialNumber, PKCS_ECDSA_P256_SHA256,
};
use time::{Duration as TimeDuration, OffsetDateTime};

use kyso::crypto::{PrivateKey, SignatureAlgorithm};
use kyso::pki::TrustStore;
use kyso::sign::Timestamping;
use kyso::signer::SoftwareSigner;
use kyso::tsp::{Rfc3161Client, TspError};

pub use super::ocsp::{free_port, KillOnDrop};
use super::pki::pem;
use super::tsa::{Behaviour, OpensslTransport, TestTsa};
use super::x509::{aia_ocsp, ocsp_nocheck};

/// How long the short-lived authority's certificate lasts after the PKI is made.
pub const SHORT_TSA_SECONDS: i64 = 6;

fn name(cn: &str) -> DistinguishedName {
    super::x509::name("kyso LTV test", cn)
}

/// One issued certificate and its key.
pub struct Issued {
    pub der: Vec<u8>,
    pub key_pem: String,
    pub serial: u8,
}

/// The PKI, its files and services.
pub struct LtvPki {
    pub dir: tempfile::TempDir,
    pub now: OffsetDateTime,
    pub root_der: Vec<u8>,
    /// The root with its key (CRLs in tests).
    pub root: CertifiedIssuer<'static, KeyPair>,
    pub signer: Issued,
    pub responder: Issued,
    pub tsa_cert: Issued,
    pub tsa: Arc<TestTsa>,
    /// A second authority whose certificate lasts eight years (renewals).
    pub tsa2_cert: Issued,
    pub tsa2: Arc<TestTsa>,
    /// An authority whose certificate expires `SHORT_TSA_SECONDS` after the PKI is made.
    pub short_tsa_cert: Issued,
    pub short_tsa: Arc<TestTsa>,
    pub ocsp_port: u16,
    pub openssl: PathBuf,
}

impl LtvPki {
    /// `None` when openssl is missing (skipped, see `common::tool`).
    pub fn new() -> Option<LtvPki> {
        let dir = super::temp_dir();
        let mut tsa = TestTsa::create(dir.path())?;
        let openssl = tsa.openssl.clone();
        let now = OffsetDateTime::now_utc();
        let mut p = CertificateParams::default();
        p.distinguished_name = name("LTV Test Root");
        p.not_before = now - TimeDuration::days(30);
        p.not_after = now + TimeDuration::days(3650);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.serial_number = Some(SerialNumber::from(vec![1]));
        let root = CertifiedIssuer::self_signed(
            p,
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
        )
        .unwrap();
        let ocsp_port = free_port();
        let url = format!("http://127.0.0.1:{ocsp_port}/");
        let issue = |cn: &str, serial: u8, customize: &dyn Fn(&mut CertificateParams)| {
            let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
            let mut p = CertificateParams::default();
            p.distinguished_name = name(cn);
            p.not_before = now - TimeDuration::days(10);
            p.not_after = now + TimeDuration::days(100);
            p.serial_number = Some(SerialNumber::from(vec![serial]));
            p.is_ca = IsCa::ExplicitNoCa;
            p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
            p.use_authority_key_identifier_extension = true;
            customize(&mut p);
            let cert = p.signed_by(&key, &root).unwrap();
            Issued {
                der: cert.der().to_vec(),
                key_pem: key.serialize_pem(),
                serial,
            }
        };
        let signer = issue("LTV signer", 0x10, &|p| {
            p.key_usages = vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ];
            p.custom_extensions.push(aia_ocsp(&url));
        });
        let tsa_cert = issue("LTV timestamp authority", 0x11, &|p| {
            p.not_before = now - TimeDuration::days(30);
            p.not_after = now + TimeDuration::days(5 * 365);
            let mut eku = CustomExtension::from_oid_content(
                &[2, 5, 29, 37],
                vec![
                    0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
                ],
            );
            eku.set_criticality(true);
            p.custom_extensions.push(eku);
            p.custom_extensions.push(aia_ocsp(&url));
        });
        let tsa_eku = || {
            let mut eku = CustomExtension::from_oid_content(
                &[2, 5, 29, 37],
                vec![
                    0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
                ],
            );
            eku.set_criticality(true);
            eku
        };
        let tsa2_cert = issue("LTV timestamp authority 2", 0x12, &|p| {
            p.not_before = now - TimeDuration::days(30);
            p.not_after = now + TimeDuration::days(8 * 365);
            p.custom_extensions.push(tsa_eku());
            p.custom_extensions.push(aia_ocsp(&url));
        });
        let short_tsa_cert = issue("LTV short-lived authority", 0x13, &|p| {
            p.not_before = now - TimeDuration::days(1);
            p.not_after = now + TimeDuration::seconds(SHORT_TSA_SECONDS);
            p.custom_extensions.push(tsa_eku());
            p.custom_extensions.push(aia_ocsp(&url));
        });
        let other_tsa = |sub: &str, cert: &Issued| {
            let d = dir.path().join(sub);
            std::fs::create_dir_all(&d).unwrap();
            let mut t = TestTsa::create(&d).unwrap();
            std::fs::write(&t.cert_pem, pem("CERTIFICATE", &cert.der)).unwrap();
            std::fs::write(&t.key_pem, &cert.key_pem).unwrap();
            std::fs::write(&t.root_pem, pem("CERTIFICATE", root.der())).unwrap();
            t.root_der = root.der().to_vec();
            Arc::new(t)
        };
        let tsa2 = other_tsa("tsa2", &tsa2_cert);
        let short_tsa = other_tsa("short-tsa", &short_tsa_cert);
        let responder = issue("LTV OCSP responder", 0x20, &|p| {
            p.not_after = now + TimeDuration::days(365);
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::OcspSigning];
            p.custom_extensions.push(ocsp_nocheck());
        });
        // The authority answers with the certificate made here, under the same root.
        std::fs::write(&tsa.cert_pem, pem("CERTIFICATE", &tsa_cert.der)).unwrap();
        std::fs::write(&tsa.key_pem, &tsa_cert.key_pem).unwrap();
        std::fs::write(&tsa.root_pem, pem("CERTIFICATE", root.der())).unwrap();
        tsa.root_der = root.der().to_vec();
        let root_der = root.der().to_vec();
        let pki = LtvPki {
            dir,
            now,
            root_der,
            root,
            signer,
            responder,
            tsa_cert,
            tsa: Arc::new(tsa),
            tsa2_cert,
            tsa2,
            short_tsa_cert,
            short_tsa,
            ocsp_port,
            openssl,
        };
        std::fs::write(pki.path("ca.pem"), pem("CERTIFICATE", &pki.root_der)).unwrap();
        for (n, i) in [
            ("signer", &pki.signer),
            ("tsa", &pki.tsa_cert),
            ("responder", &pki.responder),
            ("tsa2", &pki.tsa2_cert),
            ("short-tsa", &pki.short_tsa_cert),
        ] {
            std::fs::write(pki.path(&format!("{n}.pem")), pem("CERTIFICATE", &i.der)).unwrap();
            std::fs::write(pki.path(&format!("{n}.key")), &i.key_pem).unwrap();
        }
        pki.write_index(None);
        Some(pki)
    }

    pub fn path(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }

    /// The root's PEM file.
    pub fn root_pem(&self) -> PathBuf {
        self.path("ca.pem")
    }

    pub fn trust(&self) -> TrustStore {
        TrustStore::from_der_certificates([&self.root_der]).unwrap()
    }

    /// A kyso signer with the signer's key (ECDSA P-256).
    pub fn signer(&self) -> SoftwareSigner {
        let key = PrivateKey::from_pem(self.signer.key_pem.as_bytes()).unwrap();
        let mut s = SoftwareSigner::new(key, self.signer.der.clone(), Vec::new()).unwrap();
        s.set_algorithm(SignatureAlgorithm::EcdsaP256Sha256)
            .unwrap();
        s
    }

    /// The authority, in process (openssl ts -reply).
    pub fn timestamping(&self, behaviour: Behaviour) -> Timestamping {
        let transport = Arc::new(OpensslTransport::new(self.tsa.clone(), behaviour));
        Timestamping::new(Arc::new(Rfc3161Client::new(TransportRef(transport))))
    }

    /// Another authority, in process: `tsa2` or `short_tsa`.
    pub fn timestamping_by(&self, tsa: &Arc<TestTsa>, behaviour: Behaviour) -> Timestamping {
        let transport = Arc::new(OpensslTransport::new(tsa.clone(), behaviour));
        Timestamping::new(Arc::new(Rfc3161Client::new(TransportRef(transport))))
    }

    /// The CA database `openssl ocsp` answers from: the signer and the authority are
    /// valid, or the signer is revoked at `revoked` (time, reason).
    pub fn write_index(&self, revoked: Option<(OffsetDateTime, &str)>) {
        let fmt = time::macros::format_description!(
            "[year repr:last_two][month][day][hour][minute][second]Z"
        );
        let expiry = (self.now + TimeDuration::days(3000)).format(&fmt).unwrap();
        let signer_line = match revoked {
            None => format!(
                "V\t{expiry}\t\t{:02X}\tunknown\t/O=kyso LTV test/CN=LTV signer\n",
                self.signer.serial
            ),
            Some((at, reason)) => format!(
                "R\t{expiry}\t{},{reason}\t{:02X}\tunknown\t/O=kyso LTV test/CN=LTV signer\n",
                at.format(&fmt).unwrap(),
                self.signer.serial
            ),
        };
        let mut index = format!(
            "{signer_line}V\t{expiry}\t\t{:02X}\tunknown\t/O=kyso LTV test/CN=LTV timestamp authority\n",
            self.tsa_cert.serial
        );
        for (serial, cn) in [
            (self.tsa2_cert.serial, "LTV timestamp authority 2"),
            (self.short_tsa_cert.serial, "LTV short-lived authority"),
        ] {
            index.push_str(&format!(
                "V\t{expiry}\t\t{serial:02X}\tunknown\t/O=kyso LTV test/CN={cn}\n"
            ));
        }
        std::fs::write(self.path("index.txt"), index).unwrap();
        std::fs::write(self.path("index.txt.attr"), "unique_subject = no\n").unwrap();
    }

    /// Starts `openssl ocsp` on `port` (the certificates' URL uses `self.ocsp_port`).
    pub fn start_responder(&self, port: u16) -> KillOnDrop {
        super::ocsp::start_responder(&self.openssl, self.dir.path(), "responder", port)
    }

    /// Asks the responder on `port` about `which` ("signer" or "tsa") with openssl's client.
    pub fn fetch_ocsp(&self, which: &str, port: u16) -> Vec<u8> {
        let out = self.path(&format!("{which}-{port}-{}.ocsp", free_port()));
        super::ocsp::fetch_response(&self.openssl, self.dir.path(), which, port, &out)
    }
}

/// An `Arc<OpensslTransport>` as a transport.
struct TransportRef(Arc<OpensslTransport>);

impl kyso::tsp::TsaTransport for TransportRef {
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, TspError> {
        self.0.exchange(request)
    }
    fn name(&self) -> String {
        self.0.name()
    }
}

/// One signature as pyHanko's AdES process judges it.
#[derive(Debug, Clone)]
pub struct PyhankoAdes {
    pub field: String,
    /// `ades_lta_validation` now: the AdES sub-indication (`AdESPassed.OK` when passed).
    pub now: String,
    /// pyHanko's own bottom line for it.
    pub bottom_line: bool,
    /// The oldest document timestamp of the evidence record, if any.
    pub evidence_record: String,
    /// `simulate_future_ades_lta_validation` at the future time, when asked.
    pub future: String,
    pub raw: String,
}

const PYHANKO_ADES_SCRIPT: &str = r#"
import sys, asyncio
from datetime import datetime, timedelta, timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.keys import load_cert_from_pemder
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY
from pyhanko.sign.validation.ades import ades_lta_validation, simulate_future_ades_lta_validation
from pyhanko.sign.validation.policy_decl import (PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule, RevocationInfoGatheringSpec, SignatureValidationSpec)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy, FreshnessReqType
from pyhanko_certvalidator.registry import SimpleTrustManager
roots = [load_cert_from_pemder(p) for p in sys.argv[3:]]
tm = SimpleTrustManager.build(trust_roots=roots)
rev = CertRevTrustPolicy(REQUIRE_REVINFO, freshness=None,
                         freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION)
spec = PdfSignatureValidationSpec(
    signature_validation_spec=SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(trust_manager=tm, revinfo_policy=rev),
        # Offline: only the file's own validation data counts.
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY)),
    diff_policy=DEFAULT_DIFF_POLICY)
future_days = float(sys.argv[2])
with open(sys.argv[1], 'rb') as f:
    r = PdfFileReader(f)
    for s in r.embedded_regular_signatures:
        res = asyncio.run(ades_lta_validation(s, spec))
        bottom = bool(res.api_status is not None and res.api_status.bottom_line)
        future = '-'
        if future_days > 0:
            t = datetime.now(tz=timezone.utc) + timedelta(days=future_days)
            fut = asyncio.run(simulate_future_ades_lta_validation(s, spec, t))
            future = str(fut.ades_subindic)
        print('\t'.join([s.field_name, str(res.ades_subindic), str(bottom),
                         str(res.oldest_evidence_record_timestamp), future,
                         (res.failure_msg or '').replace('\n', ' ')]))
"#;

/// pyHanko's AdES process over every signature of `pdf`, trusting `root`, with revocation
/// data required; `future_days` > 0 also simulates a validation that far ahead.
pub fn pyhanko_ades(
    pyhanko: &super::interop::Pyhanko,
    pdf: &Path,
    root: &Path,
    future_days: u32,
) -> Result<Vec<PyhankoAdes>, String> {
    pyhanko_ades_at(pyhanko, pdf, root, f64::from(future_days))
}

/// [`pyhanko_ades`] with the simulated validation `future_days` (a fraction of a day too)
/// ahead of now.
pub fn pyhanko_ades_at(
    pyhanko: &super::interop::Pyhanko,
    pdf: &Path,
    root: &Path,
    future_days: f64,
) -> Result<Vec<PyhankoAdes>, String> {
    let days = format!("{future_days:.6}");
    let args = [
        pdf.as_os_str(),
        std::ffi::OsStr::new(&days),
        root.as_os_str(),
    ];
    let lines = pyhanko.run_script(
        PYHANKO_ADES_SCRIPT,
        &pdf.with_extension("ades.py"),
        &args,
        "pyHanko AdES validation",
    )?;
    Ok(lines
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let get = |i: usize| f.get(i).copied().unwrap_or_default().to_owned();
            PyhankoAdes {
                field: get(0),
                now: get(1),
                bottom_line: get(2) == "True",
                evidence_record: get(3),
                future: get(4),
                raw: l.to_owned(),
            }
        })
        .collect())
}

/// Signs `input` into `output` with pyHanko (PAdES, SHA-256) as the PKI's signer, with a
/// content timestamp (a signed content-time-stamp attribute, `CAdESSignedAttrSpec(
/// timestamp_content=True)`) and a signature timestamp, both from pyHanko's in-process
/// authority (RSA only: a certificate of its own under the PKI's root); the content
/// timestamp's time is
/// `content_offset_secs` away from the real time (a clock that jumps), the signature
/// timestamp's is the real time.
pub fn pyhanko_sign_with_content_timestamp(
    pyhanko: &super::interop::Pyhanko,
    pki: &LtvPki,
    input: &Path,
    output: &Path,
    content_offset_secs: i64,
) -> Result<(), String> {
    const SCRIPT: &str = r#"
import sys, hashlib
from datetime import datetime, timedelta, timezone
from pyhanko.sign import signers, fields
from pyhanko.sign.ades.api import CAdESSignedAttrSpec
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
inp, out, key, cert, root, tsa_key, tsa_cert, offset = sys.argv[1:9]
empty = hashlib.sha256(b'').digest()
class Jumping(DummyTimeStamper):
    real = 0
    def request_tsa_response(self, req):
        hashed = req['message_imprint']['hashed_message'].native
        if hashed != empty:
            # The first real request is the content timestamp (a signed attribute).
            self.fixed_dt = (datetime.now(timezone.utc) + timedelta(seconds=int(offset))
                             if self.real == 0 else None)
            self.real += 1
        return super().request_tsa_response(req)
tsa = Jumping(tsa_cert=load_cert_from_pemder(tsa_cert),
              tsa_key=load_private_key_from_pemder(tsa_key, None))
signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(root,))
meta = signers.PdfSignatureMetadata(
    field_name='Signature1', md_algorithm='sha256',
    subfilter=fields.SigSeedSubFilter.PADES,
    cades_signed_attr_spec=CAdESSignedAttrSpec(timestamp_content=True))
with open(inp, 'rb') as f:
    w = IncrementalPdfFileWriter(f)
    with open(out, 'wb') as o:
        signers.PdfSigner(meta, signer=signer, timestamper=tsa).sign_pdf(w, output=o)
print('ok', tsa.real)
"#;
    let offset = content_offset_secs.to_string();
    let (key, cert, root) = (
        pki.path("signer.key"),
        pki.path("signer.pem"),
        pki.root_pem(),
    );
    let (tsa_key, tsa_cert) = rsa_authority(pki)?;
    let args = [
        input.as_os_str(),
        output.as_os_str(),
        key.as_os_str(),
        cert.as_os_str(),
        root.as_os_str(),
        tsa_key.as_os_str(),
        tsa_cert.as_os_str(),
        std::ffi::OsStr::new(&offset),
    ];
    let lines = pyhanko.run_script(
        SCRIPT,
        &output.with_extension("sign.py"),
        &args,
        "pyHanko signing with a content timestamp",
    )?;
    match lines.last().map(String::as_str) {
        Some("ok 2") => Ok(()),
        other => Err(format!("pyHanko signed with {other:?} timestamp requests")),
    }
}

/// An RSA timestamp authority under the PKI's root (pyHanko's in-process authority signs
/// with RSA only): its key from `openssl genpkey`, its certificate from rcgen. Made once.
fn rsa_authority(pki: &LtvPki) -> Result<(PathBuf, PathBuf), String> {
    let (key, cert) = (pki.path("tsa-rsa.key"), pki.path("tsa-rsa.pem"));
    if cert.exists() {
        return Ok((key, cert));
    }
    let status = std::process::Command::new(&pki.openssl)
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&key)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("openssl genpkey failed".into());
    }
    let pem_text = std::fs::read_to_string(&key).map_err(|e| e.to_string())?;
    let kp = KeyPair::from_pem(&pem_text).map_err(|e| e.to_string())?;
    let mut p = CertificateParams::default();
    p.distinguished_name = name("LTV RSA timestamp authority");
    p.not_before = pki.now - TimeDuration::days(1);
    p.not_after = pki.now + TimeDuration::days(365);
    p.serial_number = Some(SerialNumber::from(vec![0x14]));
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.use_authority_key_identifier_extension = true;
    let mut eku = CustomExtension::from_oid_content(
        &[2, 5, 29, 37],
        vec![
            0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
        ],
    );
    eku.set_criticality(true);
    p.custom_extensions.push(eku);
    let issued = p.signed_by(&kp, &pki.root).map_err(|e| e.to_string())?;
    std::fs::write(&cert, pem("CERTIFICATE", issued.der())).map_err(|e| e.to_string())?;
    Ok((key, cert))
}
