//! End to end through hierarchies shaped like Vietnam's real ones (issue 21): a test root and
//! issuing CA with our own keys but the real certificates' extensions copied byte for byte —
//! NEAC's 2026 "VIETNAM NATIONAL ROOT CA - EMA" and its intermediate (certificatePolicies and
//! cRLDistributionPoints marked critical, a CRL issuer name), and the Government Cipher
//! Committee's "RootCA chuyên dùng Chính phủ G2" → "CA phục vụ các cơ quan Nhà nước G2"
//! (policy 2.16.704.1.1.1.1.1, OCSP in authorityInfoAccess). A clerk's certificate under each
//! signs a PDF with kyso, and kyso verifies it with a trust profile naming the look-alike
//! root: the critical extensions are processed (RFC 5280 §4.2.1.4, §4.2.1.13), not rejected.
//! The real certificates are read in place from `../shared/trust/vn` (skipped when absent
//! unless `KYSO_REQUIRE_CORPUS=1`).

mod common;

use std::path::Path;

use common::corpus;
use kyso::crypto::PrivateKey;
use kyso::pki::{certificates_from_pem_or_der, TrustStore};
use kyso::report::{Code, Indication};
use kyso::sign::{sign_bytes, SignOptions};
use kyso::signer::SoftwareSigner;
use kyso::verify::{verify_bytes, VerifyOptions};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, CustomExtension, DistinguishedName,
    DnType, IsCa, KeyPair, KeyUsagePurpose, SerialNumber, PKCS_ECDSA_P256_SHA256,
};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer, X509Certificate};

/// Extensions rcgen writes itself (basicConstraints, keyUsage, the key identifiers).
const WRITTEN_BY_RCGEN: &[&str] = &["2.5.29.19", "2.5.29.15", "2.5.29.14", "2.5.29.35"];

fn der_of(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    certificates_from_pem_or_der(&bytes).unwrap().remove(0)
}

/// The real certificate's other extensions, as they are (value and criticality), and its
/// subject with " (kyso test)" added to the common name.
fn shape_of(der: &[u8]) -> (Vec<CustomExtension>, DistinguishedName, Vec<String>) {
    let (_, cert) = X509Certificate::from_der(der).unwrap();
    let mut copied = Vec::new();
    let mut names = Vec::new();
    for ext in cert.extensions() {
        let oid = ext.oid.to_id_string();
        if WRITTEN_BY_RCGEN.contains(&oid.as_str()) {
            continue;
        }
        let arcs: Vec<u64> = ext.oid.iter().unwrap().collect();
        let mut custom = CustomExtension::from_oid_content(&arcs, ext.value.to_vec());
        custom.set_criticality(ext.critical);
        names.push(format!(
            "{oid}{}",
            if ext.critical { " (critical)" } else { "" }
        ));
        copied.push(custom);
    }
    let mut dn = DistinguishedName::new();
    for rdn in cert.subject().iter() {
        for attr in rdn.iter() {
            let value = attr.as_str().unwrap_or("?").to_string();
            let oid = attr.attr_type().to_id_string();
            let kind = match oid.as_str() {
                "2.5.4.3" => {
                    dn.push(DnType::CommonName, format!("{value} (kyso test)"));
                    continue;
                }
                "2.5.4.6" => DnType::CountryName,
                "2.5.4.7" => DnType::LocalityName,
                "2.5.4.8" => DnType::StateOrProvinceName,
                "2.5.4.10" => DnType::OrganizationName,
                "2.5.4.11" => DnType::OrganizationalUnitName,
                _ => continue,
            };
            dn.push(kind, value);
        }
    }
    (copied, dn, names)
}

fn ca_params(real: &[u8], path_len: Option<u8>) -> (CertificateParams, Vec<String>) {
    let (extensions, dn, names) = shape_of(real);
    let mut p = CertificateParams::default();
    p.distinguished_name = dn;
    p.not_before = OffsetDateTime::now_utc() - Duration::days(30);
    p.not_after = OffsetDateTime::now_utc() + Duration::days(3650);
    p.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
    ];
    p.custom_extensions = extensions;
    (p, names)
}

/// Signs a sample PDF under a look-alike of (`root`, `issuing`) and verifies it with a trust
/// profile file naming the look-alike root. Returns the copied extensions, for the message.
fn sign_and_verify(root: &Path, issuing: &Path, profile_name: &str) -> Vec<String> {
    let (root_params, mut shown) = ca_params(&der_of(root), None);
    let root = CertifiedIssuer::self_signed(
        root_params,
        KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
    )
    .unwrap();
    let (mut ca_params, names) = ca_params(&der_of(issuing), Some(0));
    shown.extend(names);
    ca_params.serial_number = Some(SerialNumber::from(vec![2]));
    ca_params.use_authority_key_identifier_extension = true;
    let ca = CertifiedIssuer::signed_by(
        ca_params,
        KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
        &root,
    )
    .unwrap();

    let mut clerk = CertificateParams::default();
    clerk.distinguished_name =
        common::x509::name("UBND Phường Ba Đình (kyso test)", "Nguyễn Văn A");
    clerk.not_before = OffsetDateTime::now_utc() - Duration::days(1);
    clerk.not_after = OffsetDateTime::now_utc() + Duration::days(365);
    clerk.is_ca = IsCa::ExplicitNoCa;
    clerk.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    clerk.serial_number = Some(SerialNumber::from(vec![3]));
    clerk.use_authority_key_identifier_extension = true;
    let clerk_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let clerk = clerk.signed_by(&clerk_key, &ca).unwrap();

    let signer = SoftwareSigner::new(
        PrivateKey::from_pem(clerk_key.serialize_pem().as_bytes()).unwrap(),
        clerk.der().to_vec(),
        vec![ca.der().to_vec()],
    )
    .unwrap();
    let pdf = common::sample_pdf(common::SampleXref::Table);
    let signed = sign_bytes(&pdf, &signer, &SignOptions::new()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("root.pem"), root.pem()).unwrap();
    let profile = dir.path().join("profile.txt");
    std::fs::write(
        &profile,
        format!(
            "name = {profile_name}\nanchor = root.pem  purposes=document-signing,timestamping\n"
        ),
    )
    .unwrap();
    let mut trust = TrustStore::empty();
    trust.add_profile(&profile).unwrap();
    let report = verify_bytes(&signed, &VerifyOptions::new(trust)).unwrap();
    let sig = &report.signatures[0];
    let findings: Vec<String> = sig
        .findings
        .iter()
        .map(|f| format!("{:?} {}: {}", f.severity, f.code.as_str(), f.message))
        .collect();
    assert_eq!(
        sig.indication,
        Indication::TotalPassed,
        "{profile_name}: {}\ncopied extensions: {shown:?}",
        findings.join("\n")
    );
    assert_eq!(sig.chain.anchor_profile.as_deref(), Some(profile_name));
    assert_eq!(sig.chain.anchor_role.as_deref(), Some("signer"));
    // Nothing about the copied extensions was refused or noted as malformed.
    assert!(
        !sig.findings.iter().any(|f| matches!(
            f.code,
            Code::ChainUnknownCriticalExtension | Code::ChainExtensionMalformed
        )),
        "{}",
        findings.join("\n")
    );
    shown
}

#[test]
fn rfc5280_4_2_1_4_a_hierarchy_shaped_like_neac_ema_signs_and_verifies() {
    let Some(vn) = corpus::trust_vn() else {
        return;
    };
    let copied = sign_and_verify(
        &vn.join("neac/vnrca-ema.pem"),
        &vn.join("neac/vnca-erd.pem"),
        "vn-ema-lookalike",
    );
    // The point of the exercise: the critical ones were there.
    assert!(
        copied.contains(&"2.5.29.32 (critical)".to_string()),
        "{copied:?}"
    );
    assert!(
        copied.contains(&"2.5.29.31 (critical)".to_string()),
        "{copied:?}"
    );
}

#[test]
fn a_hierarchy_shaped_like_the_government_pki_signs_and_verifies() {
    let Some(vn) = corpus::trust_vn() else {
        return;
    };
    let copied = sign_and_verify(
        &vn.join("vgca/rootcag2.pem"),
        &vn.join("vgca/cpcag2.pem"),
        "vn-gov-lookalike",
    );
    assert!(
        copied.iter().any(|c| c.starts_with("2.5.29.32")),
        "{copied:?}"
    );
}
