//! Path validation: a 4-certificate chain (root, two intermediate CAs, signer) with 50
//! distractor intermediates that carry the intermediates' names but other keys.
//!
//! Three cases: the certificates carry authority key identifiers (distractors are ranked out
//! before any signature check); the signer and intermediates carry none (every same-name
//! distractor costs a signature check before the right issuer is found); and the first case
//! with revocation required, from one CRL per CA. A fourth case is the name-constraint worst
//! case of issue 22: a CA with 2,048 permitted dNSName subtrees over a certificate with 2,048
//! dNSNames, which the counted budget refuses (`chain.budget_exhausted`) before comparing. The
//! PKI is generated at start-up (ECDSA P-256, rcgen); see `benches/README.md` for results.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CertifiedIssuer,
    DistinguishedName, DnType, GeneralSubtree, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose,
    NameConstraints, SanType, SerialNumber, PKCS_ECDSA_P256_SHA256,
};
use time::{Duration, OffsetDateTime};

use kyso::pki::{
    Certificate, Origin, PathBudget, PathValidator, RevocationData, RevocationMode,
    RevocationPolicy, TrustStore, ValidationPolicy, ValidationTime,
};

const DISTRACTORS: u64 = 50;

fn params(cn: &str, serial: u64, aki: bool) -> CertificateParams {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "kyso bench");
    dn.push(DnType::CommonName, cn);
    let mut p = CertificateParams::default();
    p.distinguished_name = dn;
    p.not_before = OffsetDateTime::now_utc() - Duration::days(1);
    p.not_after = OffsetDateTime::now_utc() + Duration::days(30);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.use_authority_key_identifier_extension = aki;
    p.serial_number = Some(SerialNumber::from(serial));
    p
}

fn key() -> KeyPair {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("key")
}

struct Setup {
    trust: TrustStore,
    signer: Certificate,
    pool: Vec<Certificate>,
    crls: RevocationData,
}

fn crl(issuer: &Issuer<'_, KeyPair>) -> Vec<u8> {
    CertificateRevocationListParams {
        this_update: OffsetDateTime::now_utc() - Duration::hours(1),
        next_update: OffsetDateTime::now_utc() + Duration::days(7),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![],
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(issuer)
    .expect("crl")
    .der()
    .to_vec()
}

fn setup(aki: bool) -> Setup {
    let root = CertifiedIssuer::self_signed(params("Bench Root", 1, aki), key()).expect("root");
    let int1 =
        CertifiedIssuer::signed_by(params("Bench CA 1", 2, aki), key(), &root).expect("int1");
    let int2 =
        CertifiedIssuer::signed_by(params("Bench CA 2", 3, aki), key(), &int1).expect("int2");
    let mut leaf = params("Bench Signer", 4, aki);
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let signer = leaf.signed_by(&key(), &int2).expect("signer");
    let mut pool = Vec::new();
    for i in 0..DISTRACTORS {
        // Half impersonate each intermediate: same name, another key.
        let name = if i % 2 == 0 {
            "Bench CA 1"
        } else {
            "Bench CA 2"
        };
        let d = CertifiedIssuer::signed_by(params(name, 100 + i, aki), key(), &root)
            .expect("distractor");
        pool.push(Certificate::from_der(d.der()).expect("parse"));
    }
    pool.push(Certificate::from_der(int1.der()).expect("parse"));
    pool.push(Certificate::from_der(int2.der()).expect("parse"));
    let mut crls = RevocationData::new();
    for issuer in [&*root, &*int1, &*int2] {
        crls.add_crl_der(&crl(issuer), Origin::Caller).expect("crl");
    }
    Setup {
        trust: TrustStore::from_der_certificates([root.der()]).expect("trust"),
        signer: Certificate::from_der(signer.der()).expect("parse"),
        pool,
        crls,
    }
}

/// Root → CA with `n` permitted dNSName subtrees → end entity with `n` dNSNames.
fn name_constraint_setup(n: usize) -> Setup {
    let root = CertifiedIssuer::self_signed(params("NC Root", 1, true), key()).expect("root");
    let mut ca = params("NC CA", 2, true);
    ca.name_constraints = Some(NameConstraints {
        permitted_subtrees: (0..n)
            .map(|i| GeneralSubtree::DnsName(format!("d{i}.example")))
            .collect(),
        excluded_subtrees: vec![],
    });
    let ca = CertifiedIssuer::signed_by(ca, key(), &root).expect("ca");
    let mut leaf = params("NC Signer", 3, true);
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.subject_alt_names = (0..n)
        .map(|i| SanType::DnsName(format!("h{i}.d0.example").try_into().expect("name")))
        .collect();
    let signer = leaf.signed_by(&key(), &ca).expect("signer");
    Setup {
        trust: TrustStore::from_der_certificates([root.der()]).expect("trust"),
        signer: Certificate::from_der(signer.der()).expect("parse"),
        pool: vec![Certificate::from_der(ca.der()).expect("parse")],
        crls: RevocationData::new(),
    }
}

fn bench(c: &mut Criterion) {
    let now = ValidationTime::at(OffsetDateTime::now_utc());
    let mut off = ValidationPolicy::document_signing();
    off.revocation = RevocationPolicy::all(RevocationMode::Off);
    let mut budget = PathBudget::default();
    budget.max_signature_checks = 500;
    off.budget = budget;
    let mut required = off.clone();
    required.revocation = RevocationPolicy::all(RevocationMode::Require);
    let empty = RevocationData::new();

    let with_aki = setup(true);
    let without_aki = setup(false);
    for (s, policy, data) in [
        (&with_aki, &off, &empty),
        (&without_aki, &off, &empty),
        (&with_aki, &required, &with_aki.crls),
    ] {
        let o = PathValidator::new(&s.trust, policy).validate(&s.signer, &s.pool, data, now);
        assert!(o.is_trusted(), "{:?}", o.findings);
    }

    let mut g = c.benchmark_group("path");
    g.bench_function("4cert+50distractors/aki", |b| {
        b.iter(|| {
            PathValidator::new(&with_aki.trust, &off).validate(
                black_box(&with_aki.signer),
                &with_aki.pool,
                &empty,
                now,
            )
        })
    });
    g.bench_function("4cert+50distractors/no_aki", |b| {
        b.iter(|| {
            PathValidator::new(&without_aki.trust, &off).validate(
                black_box(&without_aki.signer),
                &without_aki.pool,
                &empty,
                now,
            )
        })
    });
    g.bench_function("4cert+50distractors/aki+crls_required", |b| {
        b.iter(|| {
            PathValidator::new(&with_aki.trust, &required).validate(
                black_box(&with_aki.signer),
                &with_aki.pool,
                &with_aki.crls,
                now,
            )
        })
    });
    let nc = name_constraint_setup(2048);
    let o = PathValidator::new(&nc.trust, &off).validate(&nc.signer, &nc.pool, &empty, now);
    assert!(
        !o.is_trusted(),
        "the name-constraint budget should refuse the path"
    );
    g.bench_function("name_constraints/2048subtrees_x_2048names", |b| {
        b.iter(|| {
            PathValidator::new(&nc.trust, &off).validate(
                black_box(&nc.signer),
                &nc.pool,
                &empty,
                now,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
