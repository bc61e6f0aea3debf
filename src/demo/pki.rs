//! A demo PKI made with rcgen: root CA → issuing CA → officials.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose,
    SerialNumber, PKCS_ECDSA_P256_SHA256,
};
use time::{Duration, OffsetDateTime};

use crate::Error;

/// id-kp-documentSigning (RFC 9336).
const DOCUMENT_SIGNING_EKU: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 36];

/// One certificate of the demo PKI with its private key.
#[derive(Clone)]
#[non_exhaustive]
pub struct DemoCertificate {
    /// Short name used for file names (`root`, `issuing-ca`, `official-1`, …).
    pub id: String,
    /// Display name (the subject's common name).
    pub common_name: String,
    /// Certificate, DER.
    pub cert_der: Vec<u8>,
    /// Private key, PKCS#8 DER.
    pub key_pkcs8: Vec<u8>,
}

impl DemoCertificate {
    /// The certificate as PEM text.
    pub fn cert_pem(&self) -> String {
        pem("CERTIFICATE", &self.cert_der)
    }
}

impl std::fmt::Debug for DemoCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoCertificate")
            .field("id", &self.id)
            .field("common_name", &self.common_name)
            .finish_non_exhaustive()
    }
}

/// The demo PKI: a root, an issuing CA and two officials (a ward chairman and a city
/// department director), all ECDSA P-256.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DemoPki {
    /// Self-signed root CA (the trust anchor).
    pub root: DemoCertificate,
    /// Issuing CA, signed by the root.
    pub issuing_ca: DemoCertificate,
    /// The officials' signing certificates, signed by the issuing CA.
    pub officials: Vec<DemoCertificate>,
    /// The root's CRL (covering the issuing CA), DER; nothing revoked.
    pub root_crl_der: Vec<u8>,
    /// The issuing CA's CRL (covering the officials), DER; nothing revoked.
    pub issuing_ca_crl_der: Vec<u8>,
}

struct Official {
    id: &'static str,
    name: &'static str,
    title: &'static str,
    org: &'static str,
    locality: &'static str,
}

const OFFICIALS: [Official; 2] = [
    Official {
        id: "official-1",
        name: "Nguyễn Văn An",
        title: "Chủ tịch UBND phường",
        org: "UBND Phường Bến Nghé",
        locality: "Thành phố Hồ Chí Minh",
    },
    Official {
        id: "official-2",
        name: "Trần Thị Bình",
        title: "Giám đốc Sở Tư pháp",
        org: "Sở Tư pháp Thành phố Hồ Chí Minh",
        locality: "Thành phố Hồ Chí Minh",
    },
];

impl DemoPki {
    /// Makes fresh keys and certificates valid from a day before `now` (root: ten years,
    /// issuing CA: five, officials: two).
    pub fn generate(now: OffsetDateTime) -> Result<Self, Error> {
        Self::build(now, |_| new_key())
    }

    /// Like [`DemoPki::generate`], with given keys instead of fresh P-256 keys: PKCS#8 PEM
    /// (RSA, P-256 or P-384) for the root, the issuing CA and the two officials, in that
    /// order. Each certificate is signed with its issuer's key (RSA: PKCS#1 v1.5 with
    /// SHA-256).
    pub fn generate_with_keys(now: OffsetDateTime, keys: [&str; 4]) -> Result<Self, Error> {
        Self::build(now, |i| {
            let pem = keys.get(i).copied().unwrap_or_default();
            KeyPair::from_pem(pem).map_err(demo_err)
        })
    }

    /// The PKI with key number `i` (root 0, issuing CA 1, officials 2 and 3) from `key`.
    fn build(
        now: OffsetDateTime,
        mut key: impl FnMut(usize) -> Result<KeyPair, Error>,
    ) -> Result<Self, Error> {
        let start = now - Duration::days(1);

        let root_key = key(0)?;
        let mut root_params = ca_params("Kyso Demo Root CA", start, now + Duration::days(3650), 1);
        root_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let root_cert = root_params.self_signed(&root_key).map_err(demo_err)?;
        let root_issuer = Issuer::new(root_params, &root_key);

        let ca_key = key(1)?;
        let mut ca_params = ca_params("Kyso Demo Issuing CA", start, now + Duration::days(1825), 2);
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        let ca_cert = ca_params
            .signed_by(&ca_key, &root_issuer)
            .map_err(demo_err)?;
        let ca_issuer = Issuer::new(ca_params, &ca_key);

        let mut officials = Vec::new();
        for (i, o) in OFFICIALS.iter().enumerate() {
            let official_key = key(2 + i)?;
            let mut params = CertificateParams::default();
            let mut dn = DistinguishedName::new();
            dn.push(DnType::CountryName, "VN");
            dn.push(DnType::LocalityName, o.locality);
            dn.push(DnType::OrganizationName, o.org);
            dn.push(DnType::CustomDnType(vec![2, 5, 4, 12]), o.title);
            dn.push(DnType::CommonName, o.name);
            params.distinguished_name = dn;
            params.not_before = start;
            params.not_after = now + Duration::days(730);
            params.serial_number = Some(SerialNumber::from(vec![0x10, (i + 1) as u8]));
            params.is_ca = IsCa::ExplicitNoCa;
            params.key_usages = vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ];
            params.extended_key_usages = vec![
                ExtendedKeyUsagePurpose::Other(DOCUMENT_SIGNING_EKU.to_vec()),
                ExtendedKeyUsagePurpose::EmailProtection,
            ];
            params.use_authority_key_identifier_extension = true;
            let cert = params
                .signed_by(&official_key, &ca_issuer)
                .map_err(demo_err)?;
            officials.push(DemoCertificate {
                id: o.id.to_string(),
                common_name: o.name.to_string(),
                cert_der: cert.der().to_vec(),
                key_pkcs8: official_key.serialize_der(),
            });
        }

        // Each CA's CRL: issued an hour before `now`, next one due in a week.
        let crl = |issuer: &Issuer<'_, &KeyPair>, number: u8| {
            CertificateRevocationListParams {
                this_update: now - Duration::hours(1),
                next_update: now + Duration::days(7),
                crl_number: SerialNumber::from(vec![number]),
                issuing_distribution_point: None,
                revoked_certs: Vec::new(),
                key_identifier_method: KeyIdMethod::Sha256,
            }
            .signed_by(issuer)
            .map(|c| c.der().to_vec())
            .map_err(demo_err)
        };
        let root_crl_der = crl(&root_issuer, 1)?;
        let issuing_ca_crl_der = crl(&ca_issuer, 1)?;

        Ok(DemoPki {
            root: DemoCertificate {
                id: "root".into(),
                common_name: "Kyso Demo Root CA".into(),
                cert_der: root_cert.der().to_vec(),
                key_pkcs8: root_key.serialize_der(),
            },
            issuing_ca: DemoCertificate {
                id: "issuing-ca".into(),
                common_name: "Kyso Demo Issuing CA".into(),
                cert_der: ca_cert.der().to_vec(),
                key_pkcs8: ca_key.serialize_der(),
            },
            officials,
            root_crl_der,
            issuing_ca_crl_der,
        })
    }

    /// The chain an official sends with a signature: the issuing CA (the root is the
    /// verifier's trust anchor and is not sent).
    pub fn chain_der(&self) -> Vec<Vec<u8>> {
        vec![self.issuing_ca.cert_der.clone()]
    }

    /// Writes `root.pem`, `issuing-ca.pem`, and for each official `official-N.pem` (the
    /// certificate) and `official-N.key.pem` (its PKCS#8 key), plus `chain.pem`, and the CAs'
    /// CRLs `root.crl` and `issuing-ca.crl` (DER, for `kyso verify --crl`). Existing files of
    /// these names are replaced. Returns the paths written.
    pub fn write_pem_files(&self, dir: &Path) -> Result<DemoFiles, Error> {
        let files = DemoFiles::in_dir(dir, self.officials.iter().map(|o| o.id.as_str()));
        let write =
            |path: &Path, body: String| crate::util::write_atomically(path, body.as_bytes());
        write(&files.root, pem("CERTIFICATE", &self.root.cert_der))?;
        write(
            &files.issuing_ca,
            pem("CERTIFICATE", &self.issuing_ca.cert_der),
        )?;
        write(&files.chain, pem("CERTIFICATE", &self.issuing_ca.cert_der))?;
        crate::util::write_atomically(&files.root_crl, &self.root_crl_der)?;
        crate::util::write_atomically(&files.issuing_ca_crl, &self.issuing_ca_crl_der)?;
        for (o, paths) in self.officials.iter().zip(&files.officials) {
            write(&paths.certificate, pem("CERTIFICATE", &o.cert_der))?;
            write(&paths.key, pem("PRIVATE KEY", &o.key_pkcs8))?;
        }
        Ok(files)
    }
}

/// Where [`DemoPki::write_pem_files`] puts the PKI.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DemoFiles {
    /// The root CA's certificate (PEM): the verifier's trust anchor.
    pub root: PathBuf,
    /// The issuing CA's certificate (PEM).
    pub issuing_ca: PathBuf,
    /// The chain an official sends with a signature (PEM: the issuing CA).
    pub chain: PathBuf,
    /// The root's CRL (DER).
    pub root_crl: PathBuf,
    /// The issuing CA's CRL (DER).
    pub issuing_ca_crl: PathBuf,
    /// Each official's certificate and private key.
    pub officials: Vec<OfficialFiles>,
}

/// One official's files.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OfficialFiles {
    /// The official's id (`official-1`, …).
    pub id: String,
    /// The certificate (PEM).
    pub certificate: PathBuf,
    /// The private key (PKCS#8 PEM, unencrypted: a demo key that protects nothing).
    pub key: PathBuf,
}

impl DemoFiles {
    /// The paths in `dir` for officials with these ids.
    fn in_dir<'a>(dir: &Path, officials: impl Iterator<Item = &'a str>) -> Self {
        DemoFiles {
            root: dir.join("root.pem"),
            issuing_ca: dir.join("issuing-ca.pem"),
            chain: dir.join("chain.pem"),
            root_crl: dir.join("root.crl"),
            issuing_ca_crl: dir.join("issuing-ca.crl"),
            officials: officials
                .map(|id| OfficialFiles {
                    id: id.to_string(),
                    certificate: dir.join(format!("{id}.pem")),
                    key: dir.join(format!("{id}.key.pem")),
                })
                .collect(),
        }
    }

    /// The paths the demo PKI of `dir` has (its two officials included).
    pub(crate) fn expected_in(dir: &Path) -> Self {
        Self::in_dir(dir, OFFICIALS.iter().map(|o| o.id))
    }

    /// Every path, certificates and keys first.
    pub fn all(&self) -> Vec<&Path> {
        let mut out: Vec<&Path> = vec![&self.root, &self.issuing_ca, &self.chain];
        for o in &self.officials {
            out.push(&o.certificate);
            out.push(&o.key);
        }
        out.push(&self.root_crl);
        out.push(&self.issuing_ca_crl);
        out
    }
}

fn new_key() -> Result<KeyPair, Error> {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(demo_err)
}

fn ca_params(
    cn: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    serial: u8,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::OrganizationName, "Kyso Demo PKI");
    dn.push(DnType::CommonName, cn);
    params.distinguished_name = dn;
    params.not_before = not_before;
    params.not_after = not_after;
    params.serial_number = Some(SerialNumber::from(vec![serial]));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.use_authority_key_identifier_extension = true;
    params
}

fn demo_err(e: rcgen::Error) -> Error {
    Error::Demo(format!("demo PKI: {e}"))
}

/// PEM armour (RFC 7468) around DER bytes.
pub(crate) fn pem(label: &str, der: &[u8]) -> String {
    crate::util::pem_encode(label, der)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{public_key_kind, PublicKeyKind};
    use crate::pki::{
        Certificate, PathValidator, RevocationData, TrustStore, ValidationPolicy, ValidationTime,
    };

    #[test]
    fn given_rsa_keys_make_an_rsa_pki_that_validates() {
        let now = OffsetDateTime::now_utc();
        let keys = [
            include_str!("../../test-vectors/keys/rsa-3072.pkcs8.pem"),
            include_str!("../../test-vectors/keys/rsa-2048.pkcs8.pem"),
            include_str!("../../test-vectors/keys/rsa-2048-b.pkcs8.pem"),
            include_str!("../../test-vectors/keys/rsa-2048-c.pkcs8.pem"),
        ];
        let pki = DemoPki::generate_with_keys(now, keys).unwrap();
        let root = Certificate::from_der(&pki.root.cert_der).unwrap();
        assert_eq!(
            public_key_kind(root.spki()).unwrap(),
            PublicKeyKind::Rsa { bits: 3072 }
        );
        let trust = TrustStore::from_der_certificates([pki.root.cert_der.clone()]).unwrap();
        let policy = ValidationPolicy::document_signing();
        let ca = Certificate::from_der(&pki.issuing_ca.cert_der).unwrap();
        for o in &pki.officials {
            let cert = Certificate::from_der(&o.cert_der).unwrap();
            assert_eq!(
                public_key_kind(cert.spki()).unwrap(),
                PublicKeyKind::Rsa { bits: 2048 }
            );
            let outcome = PathValidator::new(&trust, &policy).validate(
                &cert,
                std::slice::from_ref(&ca),
                &RevocationData::new(),
                ValidationTime::at(now),
            );
            assert!(outcome.is_trusted(), "{:?}", outcome.findings);
        }
        // A key that is not PEM is an error, not a panic.
        assert!(DemoPki::generate_with_keys(now, ["x", "y", "z", "w"]).is_err());
    }
}
