//! Path building with alternatives: cross-certificates, re-keyed roots with the same name,
//! distractors, loops and absurd path lengths; trust profiles and anchor purposes; the
//! document-signing purpose and the algorithm policy.

mod common;

use kyso::pki::{
    Certificate, PathBudget, PathOutcome, PathValidator, Purpose, RevocationData, RevocationMode,
    RevocationPolicy, TrustStore, ValidationPolicy, ValidationTime,
};
use kyso::report::{ChainStatus, Code, Severity};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
    PKCS_ECDSA_P256_SHA256,
};
use time::{Duration, OffsetDateTime};

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn dn(cn: &str) -> DistinguishedName {
    let mut d = DistinguishedName::new();
    d.push(DnType::OrganizationName, "kyso path test");
    d.push(DnType::CommonName, cn);
    d
}

fn key() -> KeyPair {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap()
}

fn ca_params(cn: &str, serial: u64) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn(cn);
    p.not_before = now() - Duration::days(30);
    p.not_after = now() + Duration::days(365);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.use_authority_key_identifier_extension = true;
    p.serial_number = Some(SerialNumber::from(serial));
    p
}

fn leaf_params(cn: &str, eku: Vec<ExtendedKeyUsagePurpose>) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn(cn);
    p.not_before = now() - Duration::days(1);
    p.not_after = now() + Duration::days(30);
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = eku;
    p.use_authority_key_identifier_extension = true;
    p
}

fn root(cn: &str, serial: u64) -> CertifiedIssuer<'static, KeyPair> {
    CertifiedIssuer::self_signed(ca_params(cn, serial), key()).unwrap()
}

fn sub(cn: &str, serial: u64, issuer: &Issuer<'_, KeyPair>) -> CertifiedIssuer<'static, KeyPair> {
    CertifiedIssuer::signed_by(ca_params(cn, serial), key(), issuer).unwrap()
}

fn leaf(cn: &str, issuer: &Issuer<'_, KeyPair>) -> Certificate {
    let c = leaf_params(cn, vec![]).signed_by(&key(), issuer).unwrap();
    Certificate::from_der(c.der()).unwrap()
}

fn cert(der: &[u8]) -> Certificate {
    Certificate::from_der(der).unwrap()
}

fn policy() -> ValidationPolicy {
    let mut p = ValidationPolicy::document_signing();
    p.revocation = RevocationPolicy::all(RevocationMode::Off);
    p
}

fn validate(
    target: &Certificate,
    intermediates: &[Certificate],
    anchors: &[&[u8]],
    policy: &ValidationPolicy,
) -> PathOutcome {
    let trust = TrustStore::from_der_certificates(anchors).unwrap();
    PathValidator::new(&trust, policy).validate(
        target,
        intermediates,
        &RevocationData::new(),
        ValidationTime::at(now()),
    )
}

fn subjects(o: &PathOutcome) -> Vec<String> {
    o.path.iter().map(|c| c.label()).collect()
}

fn errors(o: &PathOutcome) -> String {
    o.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.code.as_str(), f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn re_keyed_roots_with_the_same_name_resolve_to_the_right_key() {
    let old = root("National Root", 1);
    let new = root("National Root", 2);
    let int = sub("Issuing CA", 3, &new);
    let signer = leaf("signer", &int);
    let ints = [cert(int.der())];
    // Both roots trusted: the one whose key signed the intermediate is chosen.
    let o = validate(&signer, &ints, &[old.der(), new.der()], &policy());
    assert_eq!(o.status, ChainStatus::Trusted, "{}", errors(&o));
    assert_eq!(o.path.last().unwrap().der(), new.der().as_ref());
    // Only the old root trusted: no path, and the report says why.
    let o = validate(&signer, &ints, &[old.der()], &policy());
    assert_eq!(o.status, ChainStatus::Untrusted);
}

#[test]
fn a_cross_certificate_leads_to_the_old_root() {
    let old = root("Root G1", 1);
    let new_key = key();
    let new = CertifiedIssuer::self_signed(ca_params("Root G2", 2), new_key).unwrap();
    // Root G2's key certified by Root G1 (same subject and key as Root G2).
    let cross = ca_params("Root G2", 3).signed_by(new.key(), &old).unwrap();
    let int = sub("Issuing CA", 4, &new);
    let signer = leaf("signer", &int);
    let pool = [cert(int.der()), cert(new.der()), cert(cross.der())];
    let o = validate(&signer, &pool, &[old.der()], &policy());
    assert_eq!(o.status, ChainStatus::Trusted, "{}", errors(&o));
    assert_eq!(o.path.len(), 4, "{:?}", subjects(&o));
    assert_eq!(o.path[2].der(), cross.der().as_ref());
    let o = validate(&signer, &pool, &[new.der()], &policy());
    assert_eq!(o.status, ChainStatus::Trusted);
    assert_eq!(o.path.len(), 3, "{:?}", subjects(&o));
    // The cross-certificate expired: the search tries it, says why, and fails.
    let mut expired = ca_params("Root G2", 5);
    expired.not_before = now() - Duration::days(400);
    expired.not_after = now() - Duration::days(30);
    let expired = expired.signed_by(new.key(), &old).unwrap();
    let pool = [cert(int.der()), cert(expired.der())];
    let o = validate(&signer, &pool, &[old.der()], &policy());
    assert_eq!(o.status, ChainStatus::Invalid);
    assert!(o
        .findings
        .iter()
        .any(|f| f.code == Code::ChainCertificateExpired));
    assert_eq!(o.candidates.len(), 1);
}

#[test]
fn distractors_loops_and_absurd_lengths_end_in_findings() {
    let anchor = root("Root", 1);
    let int = sub("Issuing CA", 2, &anchor);
    let signer = leaf("signer", &int);
    // 50 distractors with the intermediate's name and other keys.
    let mut pool: Vec<Certificate> = (0..50)
        .map(|i| cert(sub("Issuing CA", 100 + i, &anchor).der()))
        .collect();
    pool.push(cert(int.der()));
    let o = validate(&signer, &pool, &[anchor.der()], &policy());
    assert_eq!(o.status, ChainStatus::Trusted, "{}", errors(&o));

    // Two CAs that certify each other, no anchor above them: a loop.
    let a_key = key();
    let b_key = key();
    let a_self = CertifiedIssuer::self_signed(ca_params("Loop A", 10), a_key).unwrap();
    let b_self = CertifiedIssuer::self_signed(ca_params("Loop B", 11), b_key).unwrap();
    let a_by_b = ca_params("Loop A", 12)
        .signed_by(a_self.key(), &b_self)
        .unwrap();
    let b_by_a = ca_params("Loop B", 13)
        .signed_by(b_self.key(), &a_self)
        .unwrap();
    let looped = leaf("looped", &a_self);
    let o = validate(
        &looped,
        &[cert(a_by_b.der()), cert(b_by_a.der())],
        &[anchor.der()],
        &policy(),
    );
    assert_eq!(o.status, ChainStatus::Untrusted);

    // A chain of 30 CAs: deeper than the budget allows.
    let mut chain = vec![sub("CA 0", 200, &anchor)];
    for i in 1..30u64 {
        let next = sub(&format!("CA {i}"), 200 + i, chain.last().unwrap());
        chain.push(next);
    }
    let deep = leaf("deep", chain.last().unwrap());
    let pool: Vec<Certificate> = chain.iter().map(|c| cert(c.der())).collect();
    let o = validate(&deep, &pool, &[anchor.der()], &policy());
    assert_ne!(o.status, ChainStatus::Trusted);
    assert!(o.findings.iter().any(|f| f.code == Code::ChainPathLength));

    // A tiny signature budget stops the search ("stop now"), and says so. The signer has
    // no authority key identifier, so every same-name candidate needs a signature check.
    let mut no_aki = leaf_params("no aki", vec![]);
    no_aki.use_authority_key_identifier_extension = false;
    let no_aki = cert(no_aki.signed_by(&key(), &int).unwrap().der());
    let mut pool: Vec<Certificate> = (0..10)
        .map(|i| cert(sub("Issuing CA", 300 + i, &anchor).der()))
        .collect();
    pool.push(cert(int.der()));
    let mut p = policy();
    let mut budget = PathBudget::default();
    budget.max_signature_checks = 3;
    p.budget = budget;
    let o = validate(&no_aki, &pool, &[anchor.der()], &p);
    assert_ne!(o.status, ChainStatus::Trusted);
    assert!(o.budget_exhausted);
    assert!(o
        .findings
        .iter()
        .any(|f| f.code == Code::ChainBudgetExhausted));
    // With the default budget the same search succeeds.
    let o = validate(&no_aki, &pool, &[anchor.der()], &policy());
    assert_eq!(o.status, ChainStatus::Trusted, "{}", errors(&o));
}

#[test]
fn purposes_profiles_and_algorithms() {
    let anchor = root("Root", 1);
    let int = sub("Issuing CA", 2, &anchor);
    let ints = [cert(int.der())];
    let doc = cert(
        leaf_params(
            "doc",
            vec![ExtendedKeyUsagePurpose::Other(vec![
                1, 3, 6, 1, 5, 5, 7, 3, 36,
            ])],
        )
        .signed_by(&key(), &int)
        .unwrap()
        .der(),
    );
    let tls = cert(
        leaf_params("tls", vec![ExtendedKeyUsagePurpose::ServerAuth])
            .signed_by(&key(), &int)
            .unwrap()
            .der(),
    );
    let o = validate(&doc, &ints, &[anchor.der()], &policy());
    assert_eq!(o.status, ChainStatus::Trusted, "{}", errors(&o));
    let o = validate(&tls, &ints, &[anchor.der()], &policy());
    assert!(o
        .findings
        .iter()
        .any(|f| f.code == Code::ChainExtendedKeyUsage));
    let o = validate(
        &tls,
        &ints,
        &[anchor.der()],
        &policy().with_purpose(Purpose::Any),
    );
    assert_eq!(o.status, ChainStatus::Trusted);
    let o = validate(
        &doc,
        &ints,
        &[anchor.der()],
        &policy().with_purpose(Purpose::Timestamping),
    );
    assert!(o
        .findings
        .iter()
        .any(|f| f.code == Code::ChainExtendedKeyUsage));

    // A trust profile that limits the root to timestamping.
    let dir = common::temp_dir();
    std::fs::write(
        dir.path().join("root.pem"),
        common::pki::pem("CERTIFICATE", anchor.der()),
    )
    .unwrap();
    let profile = dir.path().join("tsa-only.profile");
    std::fs::write(
        &profile,
        "# test\nname = tsa-only\nanchor = root.pem purposes=timestamping\n",
    )
    .unwrap();
    let mut trust = TrustStore::empty();
    trust.add_profile(&profile).unwrap();
    assert_eq!(trust.profiles(), ["tsa-only".to_string()]);
    let p = policy();
    let o = PathValidator::new(&trust, &p).validate(
        &doc,
        &ints,
        &RevocationData::new(),
        ValidationTime::at(now()),
    );
    assert!(o
        .findings
        .iter()
        .any(|f| f.code == Code::ChainAnchorPurpose));
    std::fs::write(&profile, "anchor = missing.pem\n").unwrap();
    assert!(TrustStore::empty().add_profile(&profile).is_err());
    std::fs::write(&profile, "bogus line\n").unwrap();
    assert!(TrustStore::empty().add_profile(&profile).is_err());
    let mut from_dir = TrustStore::empty();
    from_dir.add_dir(dir.path()).unwrap();
    assert_eq!(from_dir.anchors().len(), 1);

    // The algorithm policy: a path with a 2048-bit RSA key passes the default, fails when
    // 3072 bits are required.
    let rsa = KeyPair::from_pem(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("test-vectors/keys/rsa-2048.pkcs8.pem"),
        )
        .unwrap(),
    )
    .unwrap();
    let rsa_leaf = cert(
        leaf_params("rsa", vec![])
            .signed_by(&rsa, &int)
            .unwrap()
            .der(),
    );
    let o = validate(&rsa_leaf, &ints, &[anchor.der()], &policy());
    assert_eq!(o.status, ChainStatus::Trusted, "{}", errors(&o));
    let mut strict = policy();
    strict.algorithms.min_rsa_bits = 3072;
    let o = validate(&rsa_leaf, &ints, &[anchor.der()], &strict);
    assert!(o
        .findings
        .iter()
        .any(|f| f.code == Code::ChainAlgorithmRefused));
}
