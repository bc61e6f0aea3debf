//! Constraints on a path that the anchor or a CA states, and the certificate profile (issue
//! 22, classes 1, 2 and 5).
//!
//! Trust anchors that are certificates carry constraints (class 1; RFC 5937 §2, as
//! OpenSSL, Go, BoringSSL and rustls-webpki apply them): the anchor's name constraints and
//! pathLenConstraint constrain the whole path, its basicConstraints and keyUsage must allow it
//! to issue, an unknown critical extension in it fails the path, and it must be within its
//! validity period at the path's time unless the policy says otherwise or it is kept for
//! archival validation.

mod common;

use common::x509;
use kyso::pki::{
    AnchorValidity, Certificate, CertificateProfile, PathOutcome, PathValidator, Purpose,
    RevocationData, RevocationMode, RevocationPolicy, TrustAnchor, TrustStore, ValidationPolicy,
    ValidationTime,
};
use kyso::report::{Code, Severity};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, CustomExtension, DistinguishedName,
    GeneralSubtree, IsCa, KeyPair, KeyUsagePurpose, NameConstraints, SanType, SerialNumber,
    PKCS_ECDSA_P256_SHA256,
};
use time::{Duration, OffsetDateTime};

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn key() -> KeyPair {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap()
}

/// A root CA's parameters, valid from 30 days ago for a year.
fn root_params() -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = x509::name("Ward 1", "Anchor Root");
    p.not_before = now() - Duration::days(30);
    p.not_after = now() + Duration::days(365);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p
}

/// The end entity to validate.
struct Leaf {
    dn: DistinguishedName,
    sans: Vec<SanType>,
    /// A last change to its parameters.
    edit: fn(&mut CertificateParams),
}

fn leaf(org: &str) -> Leaf {
    Leaf {
        dn: x509::name(org, "Official"),
        sans: Vec::new(),
        edit: |_| {},
    }
}

/// A path: anchor certificate, intermediates, target.
struct Path {
    root: Vec<u8>,
    intermediates: Vec<Certificate>,
    target: Certificate,
}

/// Root (from `root`) → [CA "Ward 1"] → `target`.
fn path(root: CertificateParams, with_intermediate: bool, target: Leaf) -> Path {
    path_through(root, with_intermediate.then(intermediate_params), target)
}

/// The issuing CA's parameters ("Ward 1" / "Issuing CA").
fn intermediate_params() -> CertificateParams {
    let mut ca = root_params();
    ca.distinguished_name = x509::name("Ward 1", "Issuing CA");
    ca
}

/// Root (from `root`) → [a CA from `intermediate`] → `target`.
fn path_through(
    root: CertificateParams,
    intermediate: Option<CertificateParams>,
    target: Leaf,
) -> Path {
    let root = CertifiedIssuer::self_signed(root, key()).unwrap();
    let mut intermediates = Vec::new();
    let mut params = CertificateParams::default();
    params.distinguished_name = target.dn;
    params.subject_alt_names = target.sans;
    params.not_before = now() - Duration::days(1);
    params.not_after = now() + Duration::days(30);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.serial_number = Some(SerialNumber::from(vec![3]));
    params.use_authority_key_identifier_extension = true;
    (target.edit)(&mut params);
    let target = if let Some(mut ca) = intermediate {
        ca.serial_number = Some(SerialNumber::from(vec![2]));
        ca.use_authority_key_identifier_extension = true;
        let ca = CertifiedIssuer::signed_by(ca, key(), &root).unwrap();
        intermediates.push(Certificate::from_der(ca.der()).unwrap());
        params.signed_by(&key(), &ca).unwrap()
    } else {
        params.signed_by(&key(), &root).unwrap()
    };
    Path {
        root: root.der().to_vec(),
        intermediates,
        target: Certificate::from_der(target.der()).unwrap(),
    }
}

fn policy() -> ValidationPolicy {
    let mut policy = ValidationPolicy::document_signing().with_purpose(Purpose::Any);
    policy.revocation = RevocationPolicy::all(RevocationMode::Off);
    policy
}

fn validate_with(
    p: &Path,
    trust: &TrustStore,
    policy: &ValidationPolicy,
    at: ValidationTime,
) -> PathOutcome {
    PathValidator::new(trust, policy).validate(
        &p.target,
        &p.intermediates,
        &RevocationData::new(),
        at,
    )
}

fn validate(p: &Path) -> PathOutcome {
    let trust = TrustStore::from_der_certificates([&p.root]).unwrap();
    validate_with(p, &trust, &policy(), ValidationTime::at(now()))
}

fn validate_strict(p: &Path) -> PathOutcome {
    let trust = TrustStore::from_der_certificates([&p.root]).unwrap();
    let mut policy = policy();
    policy.certificate_profile = CertificateProfile::Strict;
    validate_with(p, &trust, &policy, ValidationTime::at(now()))
}

fn listing(outcome: &PathOutcome) -> String {
    outcome
        .findings
        .iter()
        .map(|f| format!("{:?} {}: {}", f.severity, f.code.as_str(), f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

fn refused_with(outcome: &PathOutcome, code: Code) {
    assert!(!outcome.is_trusted(), "{}", listing(outcome));
    assert!(
        outcome
            .findings
            .iter()
            .any(|f| f.code == code && f.severity == Severity::Error),
        "expected {}:\n{}",
        code.as_str(),
        listing(outcome)
    );
}

fn constrained(permitted: Vec<GeneralSubtree>, excluded: Vec<GeneralSubtree>) -> CertificateParams {
    let mut root = root_params();
    root.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted,
        excluded_subtrees: excluded,
    });
    root
}

#[test]
fn rfc5937_2_anchor_directory_name_constraints_constrain_the_whole_path() {
    // Permitted: subjects under O=Ward 1 (RFC 5280 §4.2.1.10, directoryName subtrees).
    let permitted = || {
        let mut ward = DistinguishedName::new();
        ward.push(rcgen::DnType::OrganizationName, "Ward 1");
        vec![GeneralSubtree::DirectoryName(ward)]
    };
    let inside = path(constrained(permitted(), vec![]), true, leaf("Ward 1"));
    let out = validate(&inside);
    assert!(out.is_trusted(), "{}", listing(&out));
    let outside = path(constrained(permitted(), vec![]), true, leaf("Ward 2"));
    refused_with(&validate(&outside), Code::ChainNameConstraints);
}

#[test]
fn rfc5937_2_anchor_excluded_dns_and_email_subtrees_apply_to_the_end_entity() {
    let excluded = || {
        vec![
            GeneralSubtree::DnsName("evil.example".into()),
            GeneralSubtree::Rfc822Name("evil.example".into()),
        ]
    };
    let mut good = leaf("Ward 1");
    good.sans = vec![
        SanType::DnsName("portal.good.example".try_into().unwrap()),
        SanType::Rfc822Name("clerk@good.example".try_into().unwrap()),
    ];
    let out = validate(&path(constrained(vec![], excluded()), true, good));
    assert!(out.is_trusted(), "{}", listing(&out));

    let mut dns = leaf("Ward 1");
    dns.sans = vec![SanType::DnsName("portal.evil.example".try_into().unwrap())];
    refused_with(
        &validate(&path(constrained(vec![], excluded()), true, dns)),
        Code::ChainNameConstraints,
    );
    let mut email = leaf("Ward 1");
    email.sans = vec![SanType::Rfc822Name(
        "clerk@evil.example".try_into().unwrap(),
    )];
    refused_with(
        &validate(&path(constrained(vec![], excluded()), false, email)),
        Code::ChainNameConstraints,
    );
}

#[test]
fn rfc5937_2_anchor_path_length_constraint_limits_the_intermediates() {
    let mut root = root_params();
    root.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    // pathLenConstraint 0: the anchor may issue end entities only.
    let direct = validate(&path(root.clone(), false, leaf("Ward 1")));
    assert!(direct.is_trusted(), "{}", listing(&direct));
    refused_with(
        &validate(&path(root, true, leaf("Ward 1"))),
        Code::ChainPathLength,
    );
}

#[test]
fn rfc5937_2_an_anchor_that_is_not_a_ca_cannot_issue() {
    // basicConstraints present with cA false.
    let mut root = root_params();
    root.is_ca = IsCa::ExplicitNoCa;
    refused_with(
        &validate(&path(root, false, leaf("Ward 1"))),
        Code::ChainIssuerNotCa,
    );
    // A version 3 certificate with no basicConstraints at all.
    let mut root = root_params();
    root.is_ca = IsCa::NoCa;
    refused_with(
        &validate(&path(root, false, leaf("Ward 1"))),
        Code::ChainIssuerNotCa,
    );
}

#[test]
fn rfc5280_4_2_1_3_an_anchor_whose_key_usage_lacks_key_cert_sign_cannot_issue() {
    let mut root = root_params();
    root.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::CrlSign];
    refused_with(
        &validate(&path(root, true, leaf("Ward 1"))),
        Code::ChainIssuerNotCa,
    );
}

#[test]
fn rfc5280_4_2_an_unknown_critical_extension_in_the_anchor_fails_the_path() {
    let mut root = root_params();
    let mut ext =
        CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 99999, 1], vec![0x05, 0x00]);
    ext.set_criticality(true);
    root.custom_extensions = vec![ext];
    refused_with(
        &validate(&path(root, false, leaf("Ward 1"))),
        Code::ChainUnknownCriticalExtension,
    );
    // The same extension, not critical, is ignored.
    let mut root = root_params();
    root.custom_extensions = vec![CustomExtension::from_oid_content(
        &[1, 3, 6, 1, 4, 1, 99999, 1],
        vec![0x05, 0x00],
    )];
    let out = validate(&path(root, false, leaf("Ward 1")));
    assert!(out.is_trusted(), "{}", listing(&out));
}

#[test]
fn a_trusted_self_signed_end_entity_is_not_held_to_the_ca_checks() {
    // The anchor is the target itself: nothing is issued under it.
    let mut params = root_params();
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let cert = params.self_signed(&key()).unwrap();
    let target = Certificate::from_der(cert.der()).unwrap();
    let trust = TrustStore::from_der_certificates([cert.der()]).unwrap();
    let out = PathValidator::new(&trust, &policy()).validate(
        &target,
        &[],
        &RevocationData::new(),
        ValidationTime::at(now()),
    );
    assert!(out.is_trusted(), "{}", listing(&out));
}

/// An anchor that expired yesterday; the path below it is otherwise valid today.
fn expired_anchor_path() -> Path {
    let mut root = root_params();
    root.not_before = now() - Duration::days(400);
    root.not_after = now() - Duration::days(1);
    path(root, false, leaf("Ward 1"))
}

#[test]
fn rfc5937_2_an_expired_anchor_fails_the_path_by_default() {
    let p = expired_anchor_path();
    refused_with(&validate(&p), Code::ChainCertificateExpired);
}

#[test]
fn an_expired_anchor_is_reported_when_the_policy_trusts_it_beyond_its_dates() {
    let p = expired_anchor_path();
    let trust = TrustStore::from_der_certificates([&p.root]).unwrap();
    let mut policy = policy();
    policy.anchor_validity = AnchorValidity::Report;
    let out = validate_with(&p, &trust, &policy, ValidationTime::at(now()));
    assert!(out.is_trusted(), "{}", listing(&out));
    assert!(
        out.findings
            .iter()
            .any(|f| f.code == Code::ChainAnchorExpired && f.severity == Severity::Warning),
        "{}",
        listing(&out)
    );
}

#[test]
fn an_archival_anchor_is_not_held_to_its_validity_period() {
    let p = expired_anchor_path();
    let mut trust = TrustStore::empty();
    trust
        .add_anchor(
            TrustAnchor::new(Certificate::from_der(&p.root).unwrap())
                .with_archival_until(now() + Duration::days(1)),
        )
        .unwrap();
    let proven = ValidationTime::at(now()).with_proven_signing_time(now());
    let out = validate_with(&p, &trust, &policy(), proven);
    assert!(out.is_trusted(), "{}", listing(&out));
}

// Class 2: name constraints on every name form of the end entity, and names or constraints
// of invalid syntax failing the path (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c)).

/// Root → CA with `constraints` (permitted, excluded) → `target`.
fn under_ca(
    permitted: Vec<GeneralSubtree>,
    excluded: Vec<GeneralSubtree>,
    target: Leaf,
) -> PathOutcome {
    let mut ca = intermediate_params();
    ca.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted,
        excluded_subtrees: excluded,
    });
    validate(&path_through(root_params(), Some(ca), target))
}

fn with_sans(sans: Vec<SanType>) -> Leaf {
    let mut l = leaf("Ward 1");
    l.sans = sans;
    l
}

fn dns(name: &str) -> SanType {
    SanType::DnsName(name.try_into().unwrap())
}

#[test]
fn rfc5280_4_2_1_10_permitted_dns_names_apply_to_san_dns_names() {
    let permitted = || vec![GeneralSubtree::DnsName("example.com".into())];
    let ok = under_ca(
        permitted(),
        vec![],
        with_sans(vec![dns("portal.example.com")]),
    );
    assert!(ok.is_trusted(), "{}", listing(&ok));
    refused_with(
        &under_ca(
            permitted(),
            vec![],
            with_sans(vec![dns("portal.badexample.com")]),
        ),
        Code::ChainNameConstraints,
    );
}

#[test]
fn rfc5280_4_2_1_10_ip_address_constraints_apply_to_san_ip_addresses() {
    let ten = || {
        vec![GeneralSubtree::IpAddress(rcgen::CidrSubnet::V4(
            [10, 0, 0, 0],
            [255, 0, 0, 0],
        ))]
    };
    let inside = with_sans(vec![SanType::IpAddress("10.1.2.3".parse().unwrap())]);
    let ok = under_ca(ten(), vec![], inside);
    assert!(ok.is_trusted(), "{}", listing(&ok));
    let outside = with_sans(vec![SanType::IpAddress("11.1.2.3".parse().unwrap())]);
    refused_with(
        &under_ca(ten(), vec![], outside),
        Code::ChainNameConstraints,
    );
    let excluded = with_sans(vec![SanType::IpAddress("10.9.9.9".parse().unwrap())]);
    refused_with(
        &under_ca(vec![], ten(), excluded),
        Code::ChainNameConstraints,
    );
}

#[test]
fn rfc5280_4_2_1_10_the_subject_email_address_is_checked_even_beside_a_san() {
    let mut target = with_sans(vec![dns("portal.example.com")]);
    target.dn.push(
        rcgen::DnType::CustomDnType(vec![1, 2, 840, 113549, 1, 9, 1]),
        rcgen::DnValue::Ia5String("clerk@evil.example".try_into().unwrap()),
    );
    refused_with(
        &under_ca(
            vec![],
            vec![GeneralSubtree::Rfc822Name("evil.example".into())],
            target,
        ),
        Code::ChainNameConstraints,
    );
}

#[test]
fn rfc5280_4_2_1_10_a_wildcard_or_leading_period_dns_constraint_fails_the_path() {
    for bad in ["*.example.com", ".example.com"] {
        let out = under_ca(
            vec![GeneralSubtree::DnsName(bad.into())],
            vec![],
            with_sans(vec![dns("portal.example.com")]),
        );
        refused_with(&out, Code::ChainNameConstraints);
        assert!(
            out.findings
                .iter()
                .any(|f| f.message.contains("not valid syntax")),
            "{bad}: {}",
            listing(&out)
        );
    }
}

/// nameConstraints with one permitted iPAddress subtree of the given raw octets, built by
/// hand (rcgen only writes well-formed subnets).
fn raw_ip_constraint(octets: &[u8]) -> CustomExtension {
    use asn1_rs::Class;
    let base = x509::der(Class::ContextSpecific, false, 7, octets);
    let subtree = x509::der(Class::Universal, true, 16, &base);
    let permitted = x509::der(Class::ContextSpecific, true, 0, &subtree);
    let nc = x509::der(Class::Universal, true, 16, &permitted);
    let mut ext = CustomExtension::from_oid_content(&[2, 5, 29, 30], nc);
    ext.set_criticality(true);
    ext
}

#[test]
fn rfc5280_4_2_1_10_a_five_octet_ipv4_constraint_fails_the_path() {
    let target = || with_sans(vec![SanType::IpAddress("10.1.2.3".parse().unwrap())]);
    let mut good = intermediate_params();
    good.custom_extensions = vec![raw_ip_constraint(&[10, 0, 0, 0, 255, 0, 0, 0])];
    let ok = validate(&path_through(root_params(), Some(good), target()));
    assert!(ok.is_trusted(), "{}", listing(&ok));
    let mut bad = intermediate_params();
    bad.custom_extensions = vec![raw_ip_constraint(&[10, 0, 0, 0, 255])];
    refused_with(
        &validate(&path_through(root_params(), Some(bad), target())),
        Code::ChainNameConstraints,
    );
}

#[test]
fn rfc5280_4_2_1_6_an_invalid_email_in_the_san_fails_a_constrained_path() {
    let target = with_sans(vec![SanType::Rfc822Name(
        "clerk.example.com".try_into().unwrap(),
    )]);
    refused_with(
        &under_ca(
            vec![GeneralSubtree::Rfc822Name("example.com".into())],
            vec![],
            target,
        ),
        Code::ChainNameConstraints,
    );
}

// The same generated cases through `openssl verify -x509_strict`, kyso with the strict
// certificate profile: kyso and OpenSSL agree on
// each, except where a difference is a documented decision (DIFFERENCES).

/// Every generated case of this file whose policy is the default one: name and path.
fn generated_cases() -> Vec<(&'static str, Path)> {
    let ward1 = || {
        let mut ward = DistinguishedName::new();
        ward.push(rcgen::DnType::OrganizationName, "Ward 1");
        vec![GeneralSubtree::DirectoryName(ward)]
    };
    let with_root = |f: &dyn Fn(&mut CertificateParams)| {
        let mut r = root_params();
        f(&mut r);
        r
    };
    let ca_with = |permitted: Vec<GeneralSubtree>, excluded: Vec<GeneralSubtree>| {
        let mut ca = intermediate_params();
        ca.name_constraints = Some(NameConstraints {
            permitted_subtrees: permitted,
            excluded_subtrees: excluded,
        });
        Some(ca)
    };
    let ip = |s: &str| with_sans(vec![SanType::IpAddress(s.parse().unwrap())]);
    let ten = || {
        vec![GeneralSubtree::IpAddress(rcgen::CidrSubnet::V4(
            [10, 0, 0, 0],
            [255, 0, 0, 0],
        ))]
    };
    let raw_ca = |octets: &[u8]| {
        let mut ca = intermediate_params();
        ca.custom_extensions = vec![raw_ip_constraint(octets)];
        Some(ca)
    };
    let critical = || {
        let mut ext =
            CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 99999, 1], vec![0x05, 0x00]);
        ext.set_criticality(true);
        ext
    };
    vec![
        (
            "baseline, with an intermediate",
            path(root_params(), true, leaf("Ward 1")),
        ),
        (
            "anchor dirName permitted, inside",
            path(constrained(ward1(), vec![]), true, leaf("Ward 1")),
        ),
        (
            "anchor dirName permitted, outside",
            path(constrained(ward1(), vec![]), true, leaf("Ward 2")),
        ),
        (
            "anchor excluded DNS",
            path(
                constrained(vec![], vec![GeneralSubtree::DnsName("evil.example".into())]),
                true,
                with_sans(vec![dns("portal.evil.example")]),
            ),
        ),
        (
            "anchor pathLen 0 over an intermediate",
            path(
                with_root(&|r| r.is_ca = IsCa::Ca(BasicConstraints::Constrained(0))),
                true,
                leaf("Ward 1"),
            ),
        ),
        (
            "anchor cA false",
            path(
                with_root(&|r| r.is_ca = IsCa::ExplicitNoCa),
                false,
                leaf("Ward 1"),
            ),
        ),
        (
            "anchor keyUsage without keyCertSign",
            path(
                with_root(&|r| {
                    r.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::CrlSign]
                }),
                true,
                leaf("Ward 1"),
            ),
        ),
        (
            "anchor unknown critical extension",
            path(
                with_root(&|r| r.custom_extensions = vec![critical()]),
                false,
                leaf("Ward 1"),
            ),
        ),
        ("anchor expired", expired_anchor_path()),
        (
            "CA permitted DNS, inside",
            path_through(
                root_params(),
                ca_with(vec![GeneralSubtree::DnsName("example.com".into())], vec![]),
                with_sans(vec![dns("portal.example.com")]),
            ),
        ),
        (
            "CA permitted DNS, outside",
            path_through(
                root_params(),
                ca_with(vec![GeneralSubtree::DnsName("example.com".into())], vec![]),
                with_sans(vec![dns("portal.badexample.com")]),
            ),
        ),
        (
            "CA permitted IP, inside",
            path_through(root_params(), ca_with(ten(), vec![]), ip("10.1.2.3")),
        ),
        (
            "CA permitted IP, outside",
            path_through(root_params(), ca_with(ten(), vec![]), ip("11.1.2.3")),
        ),
        (
            "CA excluded IP",
            path_through(root_params(), ca_with(vec![], ten()), ip("10.9.9.9")),
        ),
        (
            "CA wildcard DNS constraint",
            path_through(
                root_params(),
                ca_with(
                    vec![GeneralSubtree::DnsName("*.example.com".into())],
                    vec![],
                ),
                with_sans(vec![dns("portal.example.com")]),
            ),
        ),
        (
            "CA leading-period DNS constraint",
            path_through(
                root_params(),
                ca_with(vec![GeneralSubtree::DnsName(".example.com".into())], vec![]),
                with_sans(vec![dns("portal.example.com")]),
            ),
        ),
        (
            "CA 8-octet IP constraint",
            path_through(
                root_params(),
                raw_ca(&[10, 0, 0, 0, 255, 0, 0, 0]),
                ip("10.1.2.3"),
            ),
        ),
        (
            "CA 5-octet IP constraint",
            path_through(root_params(), raw_ca(&[10, 0, 0, 0, 255]), ip("10.1.2.3")),
        ),
        (
            "end entity with keyCertSign",
            path(
                root_params(),
                true,
                edited(|p| p.key_usages.push(KeyUsagePurpose::KeyCertSign)),
            ),
        ),
        (
            "CA without subjectKeyIdentifier",
            path_through(root_params(), Some(ca_without_ski()), leaf("Ward 1")),
        ),
        (
            "end entity without authorityKeyIdentifier",
            path(
                root_params(),
                true,
                edited(|p| p.use_authority_key_identifier_extension = false),
            ),
        ),
        (
            "empty subject, no subjectAltName",
            path(
                root_params(),
                true,
                edited(|p| p.distinguished_name = DistinguishedName::new()),
            ),
        ),
        (
            "SAN dNSName with an underscore",
            path(
                root_params(),
                true,
                with_sans(vec![dns("my_host.example.vn")]),
            ),
        ),
        (
            "SAN dNSName that is an IP address",
            path(root_params(), true, with_sans(vec![dns("10.0.0.1")])),
        ),
        (
            "serial number zero",
            path(
                root_params(),
                true,
                edited(|p| p.serial_number = Some(SerialNumber::from(vec![0]))),
            ),
        ),
        (
            "serial number of 21 octets",
            path(
                root_params(),
                true,
                edited(|p| p.serial_number = Some(SerialNumber::from(vec![1; 21]))),
            ),
        ),
        (
            "end entity with pathLenConstraint",
            path(root_params(), true, edited(path_len_on_end_entity)),
        ),
        (
            "policyConstraints not critical",
            path_through(
                root_params(),
                Some(ca_with_soft_policy_constraints()),
                leaf("Ward 1"),
            ),
        ),
        (
            "CA permitted email host, SAN email without @",
            path_through(
                root_params(),
                ca_with(
                    vec![GeneralSubtree::Rfc822Name("example.com".into())],
                    vec![],
                ),
                with_sans(vec![SanType::Rfc822Name(
                    "clerk.example.com".try_into().unwrap(),
                )]),
            ),
        ),
    ]
}

/// Cases where kyso deliberately differs from `openssl verify -x509_strict`, with why.
const DIFFERENCES: &[(&str, &str)] = &[
    (
        "CA leading-period DNS constraint",
        "RFC 5280 §4.2.1.10 defines a dNSName constraint as a name to which labels are added \
         on the left; OpenSSL reads a leading period as 'subdomains only', kyso fails the path \
         (issue 22: invalid constraint syntax must not match by accident)",
    ),
    (
        "SAN dNSName with an underscore",
        "RFC 5280 §4.2.1.6 requires the preferred name syntax; OpenSSL does not check SAN \
         syntax, kyso's strict profile does (a warning by default)",
    ),
    (
        "SAN dNSName that is an IP address",
        "RFC 5280 §4.2.1.6: an IP address belongs in iPAddress; not checked by OpenSSL",
    ),
    (
        "serial number zero",
        "RFC 5280 §4.1.2.2: the serial number MUST be positive; not checked by OpenSSL",
    ),
    (
        "serial number of 21 octets",
        "RFC 5280 §4.1.2.2: at most 20 octets; not checked by OpenSSL",
    ),
    (
        "policyConstraints not critical",
        "RFC 5280 §4.2.1.11: conforming CAs MUST mark it critical; not checked by OpenSSL",
    ),
];

fn pem(der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

#[test]
fn generated_cases_agree_with_openssl_verify_x509_strict() {
    let Some(openssl) = common::tool("openssl") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut table = String::from("| case | kyso | openssl -x509_strict |\n|---|---|---|\n");
    let mut disagreements = Vec::new();
    for (name, p) in generated_cases() {
        let kyso = validate_strict(&p).is_trusted();
        let root = dir.path().join("root.pem");
        let chain = dir.path().join("chain.pem");
        let leaf = dir.path().join("leaf.pem");
        std::fs::write(&root, pem(&p.root)).unwrap();
        let untrusted: String = p.intermediates.iter().map(|c| pem(c.der())).collect();
        std::fs::write(&chain, &untrusted).unwrap();
        std::fs::write(&leaf, pem(p.target.der())).unwrap();
        let mut cmd = std::process::Command::new(&openssl);
        cmd.args(["verify", "-x509_strict", "-CAfile"]).arg(&root);
        if !untrusted.is_empty() {
            cmd.arg("-untrusted").arg(&chain);
        }
        let out = cmd.arg(&leaf).output().unwrap();
        let ossl = out.status.success();
        let word = |ok: bool| if ok { "accept" } else { "reject" };
        table.push_str(&format!("| {name} | {} | {} |\n", word(kyso), word(ossl)));
        if kyso != ossl && !DIFFERENCES.iter().any(|(n, _)| *n == name) {
            disagreements.push(format!(
                "{name}: kyso {}, openssl {} ({})",
                word(kyso),
                word(ossl),
                String::from_utf8_lossy(&out.stdout).trim()
            ));
        }
    }
    eprintln!("{table}");
    assert!(
        disagreements.is_empty(),
        "{}\n{table}",
        disagreements.join("\n")
    );
}

// Class 5: certificate profile checks, warnings by default, errors under `strict`.

fn edited(edit: fn(&mut CertificateParams)) -> Leaf {
    let mut l = leaf("Ward 1");
    l.edit = edit;
    l
}

/// A CA (basicConstraints cA, written by hand) without subjectKeyIdentifier: rcgen writes
/// the identifier with every basicConstraints it writes itself.
fn ca_without_ski() -> CertificateParams {
    let mut ca = intermediate_params();
    ca.is_ca = IsCa::NoCa;
    let mut bc =
        CustomExtension::from_oid_content(&[2, 5, 29, 19], vec![0x30, 0x03, 0x01, 0x01, 0xff]);
    bc.set_criticality(true);
    ca.custom_extensions = vec![bc];
    ca
}

/// basicConstraints { cA FALSE, pathLenConstraint 0 } on the end entity.
fn path_len_on_end_entity(p: &mut CertificateParams) {
    p.is_ca = IsCa::NoCa;
    let mut bc =
        CustomExtension::from_oid_content(&[2, 5, 29, 19], vec![0x30, 0x03, 0x02, 0x01, 0x00]);
    bc.set_criticality(true);
    p.custom_extensions = vec![bc];
}

/// policyConstraints { requireExplicitPolicy 0 }, not critical, on the issuing CA.
fn ca_with_soft_policy_constraints() -> CertificateParams {
    let mut ca = intermediate_params();
    ca.custom_extensions = vec![CustomExtension::from_oid_content(
        &[2, 5, 29, 36],
        vec![0x30, 0x03, 0x80, 0x01, 0x05],
    )];
    ca
}

fn profile_findings(out: &PathOutcome) -> Vec<&kyso::report::Finding> {
    out.findings
        .iter()
        .filter(|f| f.code.as_str().starts_with("chain.profile_"))
        .collect()
}

/// Under the default profile the path is trusted with a `code` warning; under `strict` it
/// fails with a `code` error.
fn weighs(p: &Path, code: Code) {
    let default = validate(p);
    assert!(default.is_trusted(), "{}", listing(&default));
    assert!(
        default
            .findings
            .iter()
            .any(|f| f.code == code && f.severity == Severity::Warning),
        "expected a {} warning:\n{}",
        code.as_str(),
        listing(&default)
    );
    refused_with(&validate_strict(p), code);
}

#[test]
fn a_conforming_path_has_no_profile_findings_in_either_profile() {
    let p = path(root_params(), true, leaf("Ward 1"));
    assert!(profile_findings(&validate(&p)).is_empty());
    let strict = validate_strict(&p);
    assert!(strict.is_trusted(), "{}", listing(&strict));
    assert!(profile_findings(&strict).is_empty(), "{}", listing(&strict));
}

#[test]
fn rfc5280_4_2_1_3_key_cert_sign_in_an_end_entity() {
    weighs(
        &path(
            root_params(),
            true,
            edited(|p| p.key_usages.push(KeyUsagePurpose::KeyCertSign)),
        ),
        Code::ChainProfileKeyCertSignNotCa,
    );
}

#[test]
fn rfc5280_4_2_1_2_a_ca_without_subject_key_identifier() {
    weighs(
        &path_through(root_params(), Some(ca_without_ski()), leaf("Ward 1")),
        Code::ChainProfileCaWithoutSki,
    );
}

#[test]
fn rfc5280_4_2_1_1_a_certificate_without_authority_key_identifier() {
    weighs(
        &path(
            root_params(),
            true,
            edited(|p| p.use_authority_key_identifier_extension = false),
        ),
        Code::ChainProfileMissingAki,
    );
}

#[test]
fn rfc5280_4_2_1_6_an_empty_subject_without_a_critical_san() {
    weighs(
        &path(
            root_params(),
            true,
            edited(|p| p.distinguished_name = DistinguishedName::new()),
        ),
        Code::ChainProfileEmptySubject,
    );
}

#[test]
fn rfc5280_4_2_1_6_san_dns_name_syntax() {
    for bad in ["my_host.example.vn", "10.0.0.1"] {
        weighs(
            &path(root_params(), true, with_sans(vec![dns(bad)])),
            Code::ChainProfileSanSyntax,
        );
    }
}

#[test]
fn rfc5280_4_1_2_2_serial_numbers_zero_or_longer_than_20_octets() {
    weighs(
        &path(
            root_params(),
            true,
            edited(|p| p.serial_number = Some(SerialNumber::from(vec![0]))),
        ),
        Code::ChainProfileSerialNumber,
    );
    weighs(
        &path(
            root_params(),
            true,
            edited(|p| p.serial_number = Some(SerialNumber::from(vec![1; 21]))),
        ),
        Code::ChainProfileSerialNumber,
    );
}

#[test]
fn rfc5280_4_2_1_9_path_length_constraint_in_an_end_entity() {
    weighs(
        &path(root_params(), true, edited(path_len_on_end_entity)),
        Code::ChainProfilePathLenNotCa,
    );
}

#[test]
fn rfc5280_4_2_1_11_policy_constraints_not_critical() {
    weighs(
        &path_through(
            root_params(),
            Some(ca_with_soft_policy_constraints()),
            leaf("Ward 1"),
        ),
        Code::ChainProfilePolicyConstraintsNotCritical,
    );
}

/// `kyso cert verify --profile strict|default`: the same path passes with a warning by
/// default and fails under strict; an unknown profile is a usage error.
#[test]
fn cert_verify_takes_the_certificate_profile() {
    let p = path(
        root_params(),
        true,
        edited(|p| p.use_authority_key_identifier_extension = false),
    );
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.pem");
    let ca = dir.path().join("ca.pem");
    let leaf = dir.path().join("leaf.pem");
    std::fs::write(&root, pem(&p.root)).unwrap();
    std::fs::write(&ca, pem(p.intermediates[0].der())).unwrap();
    std::fs::write(&leaf, pem(p.target.der())).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            common::cli::os("cert"),
            common::cli::os("verify"),
            leaf.as_os_str(),
            common::cli::os("--trust"),
            root.as_os_str(),
            common::cli::os("--intermediate"),
            ca.as_os_str(),
            common::cli::os("--revocation"),
            common::cli::os("off"),
            common::cli::os("--purpose"),
            common::cli::os("any"),
        ];
        args.extend(extra.iter().map(common::cli::os));
        common::cli::kyso(args)
    };
    let default = run(&[]);
    assert_eq!(
        common::cli::code(&default),
        0,
        "{}",
        common::cli::show(&default)
    );
    assert!(
        common::cli::stdout(&default).contains("chain.profile_missing_aki"),
        "{}",
        common::cli::show(&default)
    );
    let strict = run(&["--profile", "strict"]);
    assert_eq!(
        common::cli::code(&strict),
        1,
        "{}",
        common::cli::show(&strict)
    );
    let bogus = run(&["--profile", "lenient"]);
    assert_eq!(
        common::cli::code(&bogus),
        2,
        "{}",
        common::cli::show(&bogus)
    );
    assert!(common::cli::stderr(&bogus).contains("strict or default"));
}
