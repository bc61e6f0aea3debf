//! Counted budgets against pathological paths (issue 22, class 3): name-constraint checking
//! (RFC 5280 §6.1.3 (b)–(c), §4.2.1.10) costs one comparison per name and subtree, and a
//! path may spend a bounded number of them. A CA with 2,048 permitted subtrees over an end
//! entity with 2,048 names ends at once with `chain.budget_exhausted` instead of millions of
//! comparisons; a realistic constrained path still validates.

mod common;

use std::time::{Duration as StdDuration, Instant};

use common::x509;
use kyso::pki::{
    Certificate, PathOutcome, PathValidator, Purpose, RevocationData, RevocationMode,
    RevocationPolicy, TrustStore, ValidationPolicy, ValidationTime,
};
use kyso::report::Code;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, GeneralSubtree, IsCa, KeyPair,
    KeyUsagePurpose, NameConstraints, SanType, SerialNumber, PKCS_ECDSA_P256_SHA256,
};
use time::{Duration, OffsetDateTime};

/// Root → CA (with `constraints` permitted dNSName subtrees) → end entity with `names`
/// dNSNames, all inside the first subtree. Returns the outcome and how long validation took.
fn run(constraints: usize, names: usize) -> (PathOutcome, StdDuration) {
    let now = OffsetDateTime::now_utc();
    let ca_params = |cn: &str, nc: Option<NameConstraints>| {
        let mut p = CertificateParams::default();
        p.distinguished_name = x509::name("kyso budget test", cn);
        p.not_before = now - Duration::days(30);
        p.not_after = now + Duration::days(365);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.name_constraints = nc;
        p
    };
    let root = CertifiedIssuer::self_signed(
        ca_params("Budget Root", None),
        KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
    )
    .unwrap();
    let permitted = (0..constraints)
        .map(|i| GeneralSubtree::DnsName(format!("d{i}.example")))
        .collect();
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca = ca_params(
        "Budget CA",
        Some(NameConstraints {
            permitted_subtrees: permitted,
            excluded_subtrees: vec![],
        }),
    );
    ca.serial_number = Some(SerialNumber::from(vec![2]));
    ca.use_authority_key_identifier_extension = true;
    let ca = CertifiedIssuer::signed_by(ca, ca_key, &root).unwrap();

    let mut leaf = CertificateParams::default();
    leaf.distinguished_name = rcgen::DistinguishedName::new();
    leaf.not_before = now - Duration::days(1);
    leaf.not_after = now + Duration::days(30);
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.serial_number = Some(SerialNumber::from(vec![3]));
    leaf.subject_alt_names = (0..names)
        .map(|i| SanType::DnsName(format!("h{i}.d0.example").try_into().unwrap()))
        .collect();
    let leaf_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let leaf = leaf.signed_by(&leaf_key, &ca).unwrap();

    let trust = TrustStore::from_der_certificates([root.der()]).unwrap();
    let mut policy = ValidationPolicy::document_signing().with_purpose(Purpose::Any);
    policy.revocation = RevocationPolicy::all(RevocationMode::Off);
    let intermediates = [Certificate::from_der(ca.der()).unwrap()];
    let start = Instant::now();
    let out = PathValidator::new(&trust, &policy).validate(
        &Certificate::from_der(leaf.der()).unwrap(),
        &intermediates,
        &RevocationData::new(),
        ValidationTime::at(now),
    );
    (out, start.elapsed())
}

fn listing(outcome: &PathOutcome) -> String {
    outcome
        .findings
        .iter()
        .map(|f| format!("{:?} {}: {}", f.severity, f.code.as_str(), f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn rfc5280_6_1_3_b_a_realistic_constrained_path_validates() {
    let (out, _) = run(64, 16);
    assert!(out.is_trusted(), "{}", listing(&out));
    assert!(
        !out.findings
            .iter()
            .any(|f| f.code == Code::ChainBudgetExhausted),
        "{}",
        listing(&out)
    );
}

#[test]
fn rfc5280_6_1_3_b_2048_constraints_over_2048_names_end_with_a_budget_finding() {
    let (out, took) = run(2048, 2048);
    eprintln!("2048 subtrees x 2048 names: refused in {took:?}");
    assert!(!out.is_trusted(), "{}", listing(&out));
    let budget = out
        .findings
        .iter()
        .find(|f| f.code == Code::ChainBudgetExhausted)
        .unwrap_or_else(|| panic!("no budget finding:\n{}", listing(&out)));
    assert!(
        budget.message.contains("name constraints"),
        "{}",
        budget.message
    );
    // Bounded by the budget, not by 2048 × 2048 comparisons (generous for debug builds on a
    // shared machine).
    assert!(took < StdDuration::from_secs(5), "took {took:?}");
}
