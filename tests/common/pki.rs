//! The test PKI of the test-vector generator: a root and an issuing CA (ECDSA P-256), signers
//! of every key type kyso signs with, and the odd certificates bad-input tests need.
//!
//! RSA and P-384 keys are the committed test keys under `test-vectors/keys/` (ring cannot
//! generate RSA keys); P-256 and Ed25519 keys are generated for each run. Certificates are
//! always fresh.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
    PKCS_ECDSA_P256_SHA256, PKCS_ED25519,
};
use time::{Duration, OffsetDateTime};

use kyso::crypto::{PrivateKey, SignatureAlgorithm};
use kyso::signer::SoftwareSigner;

/// One signer: key, certificate and the chain to send with signatures.
pub struct TestSigner {
    /// Short name (`rsa2048`, `p256`, …), used in file names.
    pub id: &'static str,
    /// PKCS#8 (or PKCS#1/SEC1) PEM of the key.
    pub key_pem: String,
    /// Certificate, DER.
    pub cert_der: Vec<u8>,
    /// Intermediates, DER.
    pub chain: Vec<Vec<u8>>,
    /// Algorithm to sign with.
    pub algorithm: SignatureAlgorithm,
}

impl TestSigner {
    /// A kyso signer for this key and certificate.
    pub fn signer(&self) -> SoftwareSigner {
        let key = PrivateKey::from_pem(self.key_pem.as_bytes()).expect("test key loads");
        let mut s = SoftwareSigner::new(key, self.cert_der.clone(), self.chain.clone())
            .expect("test key matches its certificate");
        s.set_algorithm(self.algorithm).expect("algorithm fits key");
        s
    }

    /// Writes `ID.key.pem`, `ID.pem` and `ID.chain.pem` into `dir`; returns (key, cert,
    /// chain) paths.
    pub fn write_pem(&self, dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
        let key = dir.join(format!("{}.key.pem", self.id));
        let cert = dir.join(format!("{}.pem", self.id));
        let chain = dir.join(format!("{}.chain.pem", self.id));
        std::fs::write(&key, &self.key_pem).unwrap();
        std::fs::write(&cert, pem("CERTIFICATE", &self.cert_der)).unwrap();
        let chain_pem: String = self.chain.iter().map(|c| pem("CERTIFICATE", c)).collect();
        std::fs::write(&chain, chain_pem).unwrap();
        (key, cert, chain)
    }
}

/// The whole test PKI.
pub struct TestPki {
    /// Root certificate, DER (the trust anchor).
    pub root_der: Vec<u8>,
    /// Issuing CA certificate, DER.
    pub issuing_der: Vec<u8>,
    /// RSA-2048, PKCS#1 v1.5 with SHA-256 (key given in PKCS#1 form).
    pub rsa2048: TestSigner,
    /// RSA-3072, RSA-PSS with SHA-256.
    pub rsa3072_pss: TestSigner,
    /// RSA-2048, PKCS#1 v1.5 with SHA-512.
    pub rsa2048_sha512: TestSigner,
    /// ECDSA P-256.
    pub p256: TestSigner,
    /// ECDSA P-384 (key given in SEC1 form).
    pub p384: TestSigner,
    /// Ed25519.
    pub ed25519: TestSigner,
    /// A P-256 signer whose certificate expired a year before `now`.
    pub expired: TestSigner,
    /// A P-256 signer whose key usage is keyEncipherment only.
    pub wrong_key_usage: TestSigner,
    /// A P-256 signer under another root, not trusted.
    pub untrusted: TestSigner,
    /// The other root, DER.
    pub other_root_der: Vec<u8>,
}

fn key_file(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors/keys")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn dn(cn: &str, org: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::OrganizationName, org);
    dn.push(DnType::CommonName, cn);
    dn
}

fn ca(cn: &str, now: OffsetDateTime, serial: u8, path_len: Option<u8>) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn(cn, "kyso test PKI");
    p.not_before = now - Duration::days(30);
    p.not_after = now + Duration::days(3650);
    p.serial_number = Some(SerialNumber::from(vec![serial]));
    p.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.use_authority_key_identifier_extension = true;
    p
}

struct LeafSpec<'a> {
    id: &'static str,
    cn: &'a str,
    key_pem: String,
    algorithm: SignatureAlgorithm,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    key_usages: Vec<KeyUsagePurpose>,
    serial: u8,
}

fn leaf<S: rcgen::SigningKey>(
    spec: LeafSpec<'_>,
    issuer: &Issuer<'_, S>,
    chain: Vec<Vec<u8>>,
) -> TestSigner {
    let key = KeyPair::from_pem(&pkcs8_pem(&spec.key_pem)).expect("rcgen loads the test key");
    let mut p = CertificateParams::default();
    p.distinguished_name = dn(spec.cn, "Ủy ban nhân dân kiểm thử");
    p.not_before = spec.not_before;
    p.not_after = spec.not_after;
    p.serial_number = Some(SerialNumber::from(vec![0x20, spec.serial]));
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = spec.key_usages;
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::Other(vec![
        1, 3, 6, 1, 5, 5, 7, 3, 36,
    ])];
    p.use_authority_key_identifier_extension = true;
    let cert = p.signed_by(&key, issuer).expect("leaf certificate");
    TestSigner {
        id: spec.id,
        key_pem: spec.key_pem,
        cert_der: cert.der().to_vec(),
        chain,
        algorithm: spec.algorithm,
    }
}

/// rcgen reads only PKCS#8 PEM; convert the PKCS#1 and SEC1 test keys through kyso's loader
/// is not possible (it does not export), so the PKCS#8 twin of each traditional key is used
/// for the certificate and the traditional form for signing.
fn pkcs8_pem(key_pem: &str) -> String {
    if key_pem.contains("BEGIN RSA PRIVATE KEY") {
        key_file("rsa-2048.pkcs8.pem")
    } else if key_pem.contains("BEGIN EC PRIVATE KEY") {
        key_file("p384.pkcs8.pem")
    } else {
        key_pem.to_string()
    }
}

impl TestPki {
    /// A fresh PKI valid around `now`.
    pub fn generate(now: OffsetDateTime) -> TestPki {
        let root = CertifiedIssuer::self_signed(
            ca("kyso test root CA", now, 1, None),
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
        )
        .unwrap();
        let issuing = CertifiedIssuer::signed_by(
            ca("kyso test issuing CA", now, 2, Some(0)),
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
            &root,
        )
        .unwrap();
        let chain = vec![issuing.der().to_vec()];
        let sign_ku = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        let valid_from = now - Duration::days(10);
        let valid_to = now + Duration::days(700);
        let spec = |id, cn, key_pem: String, algorithm, serial| LeafSpec {
            id,
            cn,
            key_pem,
            algorithm,
            not_before: valid_from,
            not_after: valid_to,
            key_usages: sign_ku.clone(),
            serial,
        };
        let gen_p256 = || {
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
                .unwrap()
                .serialize_pem()
        };

        let rsa2048 = leaf(
            spec(
                "rsa2048",
                "Nguyễn Thị Hương (RSA-2048)",
                key_file("rsa-2048.pkcs1.pem"),
                SignatureAlgorithm::RsaPkcs1Sha256,
                1,
            ),
            &issuing,
            chain.clone(),
        );
        let rsa3072_pss = leaf(
            spec(
                "rsa3072-pss",
                "Lê Văn Minh (RSA-PSS)",
                key_file("rsa-3072.pkcs8.pem"),
                SignatureAlgorithm::RsaPssSha256,
                2,
            ),
            &issuing,
            chain.clone(),
        );
        let rsa2048_sha512 = leaf(
            spec(
                "rsa2048-sha512",
                "Phạm Quốc Bảo (RSA SHA-512)",
                key_file("rsa-2048.pkcs8.pem"),
                SignatureAlgorithm::RsaPkcs1Sha512,
                3,
            ),
            &issuing,
            chain.clone(),
        );
        let p256 = leaf(
            spec(
                "p256",
                "Trần Văn Đức (P-256)",
                gen_p256(),
                SignatureAlgorithm::EcdsaP256Sha256,
                4,
            ),
            &issuing,
            chain.clone(),
        );
        let p384 = leaf(
            spec(
                "p384",
                "Hoàng Thị Lan (P-384)",
                key_file("p384.sec1.pem"),
                SignatureAlgorithm::EcdsaP384Sha384,
                5,
            ),
            &issuing,
            chain.clone(),
        );
        let ed25519 = leaf(
            spec(
                "ed25519",
                "Vũ Minh Châu (Ed25519)",
                KeyPair::generate_for(&PKCS_ED25519)
                    .unwrap()
                    .serialize_pem(),
                SignatureAlgorithm::Ed25519,
                6,
            ),
            &issuing,
            chain.clone(),
        );
        let mut expired_spec = spec(
            "expired",
            "Đặng Văn Hết Hạn (expired)",
            gen_p256(),
            SignatureAlgorithm::EcdsaP256Sha256,
            7,
        );
        expired_spec.not_before = now - Duration::days(800);
        expired_spec.not_after = now - Duration::days(365);
        let expired = leaf(expired_spec, &issuing, chain.clone());
        let mut ku_spec = spec(
            "wrong-ku",
            "Bùi Thị Mã Hóa (keyEncipherment only)",
            gen_p256(),
            SignatureAlgorithm::EcdsaP256Sha256,
            8,
        );
        ku_spec.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
        let wrong_key_usage = leaf(ku_spec, &issuing, chain.clone());

        let other_root = CertifiedIssuer::self_signed(
            ca("kyso other root CA (not trusted)", now, 9, None),
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
        )
        .unwrap();
        let untrusted = leaf(
            spec(
                "untrusted",
                "Người Lạ (untrusted PKI)",
                gen_p256(),
                SignatureAlgorithm::EcdsaP256Sha256,
                10,
            ),
            &other_root,
            vec![],
        );

        TestPki {
            root_der: root.der().to_vec(),
            issuing_der: issuing.der().to_vec(),
            rsa2048,
            rsa3072_pss,
            rsa2048_sha512,
            p256,
            p384,
            ed25519,
            expired,
            wrong_key_usage,
            untrusted,
            other_root_der: other_root.der().to_vec(),
        }
    }

    /// Every signer that should produce a valid signature.
    pub fn good_signers(&self) -> [&TestSigner; 6] {
        [
            &self.rsa2048,
            &self.rsa3072_pss,
            &self.rsa2048_sha512,
            &self.p256,
            &self.p384,
            &self.ed25519,
        ]
    }

    /// Writes `root.pem` into `dir` and returns its path.
    pub fn write_root(&self, dir: &Path) -> PathBuf {
        let p = dir.join("root.pem");
        std::fs::write(&p, pem("CERTIFICATE", &self.root_der)).unwrap();
        p
    }

    /// A trust store holding the root.
    pub fn trust(&self) -> kyso::pki::TrustStore {
        kyso::pki::TrustStore::from_der_certificates([&self.root_der]).unwrap()
    }
}

/// PEM armour.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
