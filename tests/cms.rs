//! CMS round trips (build → parse → check), OpenSSL interoperability, tampering, BER input,
//! robustness against garbage, and the CMS blobs of real signed PDFs (from the shared corpus,
//! skipped without it).

#[path = "common/corpus.rs"]
mod corpus;

use std::path::{Path, PathBuf};
use std::process::Command;

use asn1_rs::{Any, FromBer, ToDer};
use kyso::cms::{
    build_signed_attributes, build_signed_data, check_signer, encode_attribute,
    max_signed_data_len, parse_signed_data, CheckOutcome, SignedAttributesSpec, SignedDataSpec,
    SignerCheck, SigningCertificateVersion, SizeEstimate, Trailing,
};
use kyso::crypto::{digest, KeyError, PrivateKey, PublicKeyKind, SignatureAlgorithm};
use kyso::signer::{Signer, SignerError, SoftwareSigner};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SerialNumber,
};

// ---------------------------------------------------------------------------------------------
// Test PKI

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// An RSA key (PKCS#8 PEM) of `test-vectors/keys/` (ring cannot generate RSA keys).
fn rsa_key(bits: u32) -> KeyPair {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors/keys")
        .join(format!("rsa-{bits}.pkcs8.pem"));
    let pem = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    KeyPair::from_pem(&pem).unwrap()
}

struct Ca {
    params: CertificateParams,
    key: KeyPair,
    cert_der: Vec<u8>,
    cert_pem: String,
}

fn name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::OrganizationName, "Kyso Test");
    dn.push(DnType::CommonName, cn);
    dn
}

fn make_root() -> Ca {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name = name("Kyso Test Root");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.serial_number = Some(SerialNumber::from(1u64));
    let cert = params.self_signed(&key).unwrap();
    Ca {
        cert_der: cert.der().to_vec(),
        cert_pem: cert.pem(),
        params,
        key,
    }
}

/// Issues a signer certificate for `key`; returns DER.
fn issue(ca: &Ca, key: &KeyPair, cn: &str, serial: u64) -> Vec<u8> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name = name(cn);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    params.serial_number = Some(SerialNumber::from(serial));
    let issuer = Issuer::from_params(&ca.params, &ca.key);
    params.signed_by(key, &issuer).unwrap().der().to_vec()
}

struct Party {
    signer: SoftwareSigner,
    key_pkcs8: Vec<u8>,
    cert: Vec<u8>,
}

fn party(ca: &Ca, kind: &str, serial: u64) -> Party {
    let key = match kind {
        "rsa" | "rsa-pss" | "rsa-sha512" => rsa_key(2048),
        "rsa3072" => rsa_key(3072),
        "p256" => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
        "p384" => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap(),
        "ed25519" => KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap(),
        other => panic!("{other}"),
    };
    let cert = issue(ca, &key, &format!("Signer {kind} {serial}"), serial);
    let key_pkcs8 = key.serialize_der();
    let private = PrivateKey::from_der(&key_pkcs8).unwrap();
    let mut signer = SoftwareSigner::new(private, cert.clone(), vec![ca.cert_der.clone()]).unwrap();
    match kind {
        "rsa-pss" => signer
            .set_algorithm(SignatureAlgorithm::RsaPssSha256)
            .unwrap(),
        "rsa-sha512" => signer
            .set_algorithm(SignatureAlgorithm::RsaPkcs1Sha512)
            .unwrap(),
        _ => {}
    }
    Party {
        signer,
        key_pkcs8,
        cert,
    }
}

const CONTENT: &[u8] = b"%PDF-1.7\nKyso test content: h\xe1\xbb\x93 s\xc6\xa1 (dossier)\n%%EOF\n";

/// Builds a detached CMS over `content` the way the signing pipeline will.
fn sign_detached(signer: &dyn Signer, content: &[u8], extra: Option<Vec<u8>>) -> Vec<u8> {
    let alg = signer.algorithm();
    let md = digest(alg.digest(), content);
    let time = time::macros::datetime!(2026-11-26 10:30:00 UTC);
    let mut spec = SignedAttributesSpec::new(&md, signer.certificate()).with_signing_time(time);
    let extras: Vec<Vec<u8>> = extra.into_iter().collect();
    for e in &extras {
        spec = spec.with_extra_attribute(e.clone());
    }
    let attrs = build_signed_attributes(&spec).unwrap();
    assert_eq!(attrs[0], 0x31);
    let sig = signer.sign(&attrs).unwrap();
    assert!(sig.len() <= signer.max_signature_len());
    let cms = build_signed_data(&SignedDataSpec::new(
        alg,
        &attrs,
        &sig,
        signer.certificate(),
        signer.chain(),
    ))
    .unwrap();
    let bound = max_signed_data_len(
        &SizeEstimate::new(
            alg,
            signer.max_signature_len(),
            signer.certificate(),
            signer.chain(),
        )
        .with_signing_time(true)
        .with_extra_signed_attributes(&extras),
    )
    .unwrap();
    assert!(bound >= cms.len(), "bound {bound} < {}", cms.len());
    assert!(
        bound - cms.len() < 64,
        "bound {bound} too loose for {}",
        cms.len()
    );
    cms
}

fn check_first(cms: &[u8], content: &[u8]) -> SignerCheck {
    let sd = parse_signed_data(cms).unwrap();
    assert_eq!(sd.signer_infos.len(), 1);
    let si = &sd.signer_infos[0];
    let md = digest(si.digest().unwrap(), content);
    check_signer(&sd, si, &md, None)
}

fn assert_all_ok(check: &SignerCheck) {
    for (step, outcome) in check.steps() {
        assert_eq!(outcome, &CheckOutcome::Ok, "step {step}: {check:#?}");
    }
    assert!(check.verified_with.is_some());
}

fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kyso-cms-{label}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether the OpenSSL tool can be used; fails if it cannot but KYSO_REQUIRE_INTEROP=1.
fn openssl_available() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("KYSO_REQUIRE_INTEROP").as_deref() != Ok("1"),
            "openssl is required (KYSO_REQUIRE_INTEROP=1) but missing"
        );
        println!("NOTICE: openssl not found; interoperability checks skipped");
    }
    ok
}

fn openssl_verify(dir: &Path, cms: &[u8], content: &[u8], root_pem: &str) -> (bool, String) {
    std::fs::write(dir.join("sig.p7s"), cms).unwrap();
    std::fs::write(dir.join("content.bin"), content).unwrap();
    std::fs::write(dir.join("root.pem"), root_pem).unwrap();
    let out = Command::new("openssl")
        .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
        .arg(dir.join("sig.p7s"))
        .arg("-content")
        .arg(dir.join("content.bin"))
        .arg("-CAfile")
        .arg(dir.join("root.pem"))
        .args(["-purpose", "any", "-out"])
        .arg(dir.join("out.bin"))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// ---------------------------------------------------------------------------------------------
// Round trips

#[test]
fn round_trip_every_algorithm_and_openssl_agrees() {
    let ca = make_root();
    let dir = temp_dir("roundtrip");
    let interop = openssl_available();
    let cases = [
        ("rsa", SignatureAlgorithm::RsaPkcs1Sha256),
        ("rsa-sha512", SignatureAlgorithm::RsaPkcs1Sha512),
        ("rsa-pss", SignatureAlgorithm::RsaPssSha256),
        ("rsa3072", SignatureAlgorithm::RsaPkcs1Sha256),
        ("p256", SignatureAlgorithm::EcdsaP256Sha256),
        ("p384", SignatureAlgorithm::EcdsaP384Sha384),
        ("ed25519", SignatureAlgorithm::Ed25519),
    ];
    for (serial, (kind, alg)) in (10u64..).zip(cases) {
        let p = party(&ca, kind, serial);
        assert_eq!(p.signer.algorithm(), alg, "{kind}");
        let cms = sign_detached(&p.signer, CONTENT, None);
        let check = check_first(&cms, CONTENT);
        assert_all_ok(&check);
        assert_eq!(
            check.signing_certificate_version,
            Some(SigningCertificateVersion::V2)
        );
        let sd = parse_signed_data(&cms).unwrap();
        // Certificates are in DER SET OF order; find the signer's independently.
        let index = sd.certificates.iter().position(|c| *c == p.cert.as_slice());
        assert!(index.is_some());
        assert_eq!(check.signer_certificate, index);
        assert_eq!(sd.trailing, Trailing::None);
        assert_eq!(sd.certificates.len(), 2);
        let attrs = sd.signer_infos[0].signed_attrs.as_ref().unwrap();
        assert_eq!(
            attrs.signing_time().unwrap(),
            Some(time::macros::datetime!(2026-11-26 10:30:00 UTC))
        );
        let v2 = attrs.signing_certificate_v2().unwrap().unwrap();
        assert!(
            v2.certs[0].hash_algorithm_implied,
            "SHA-256 default must be omitted"
        );
        assert!(v2.certs[0].issuer_serial.is_some());
        // OpenSSL 3.0 has no Ed25519 in CMS at all (it cannot sign or verify one).
        if interop && kind != "ed25519" {
            let (ok, stderr) = openssl_verify(&dir, &cms, CONTENT, &ca.cert_pem);
            assert!(ok, "openssl rejected the {kind} CMS: {stderr}");
        }
        println!(
            "{kind}: {} bytes, {}",
            cms.len(),
            check.verified_with.unwrap()
        );
    }
}

#[test]
fn zero_padding_is_accepted_and_garbage_after_is_reported() {
    let ca = make_root();
    let p = party(&ca, "p256", 7);
    let mut cms = sign_detached(&p.signer, CONTENT, None);
    let len = cms.len();
    cms.extend_from_slice(&[0u8; 300]);
    let sd = parse_signed_data(&cms).unwrap();
    assert_eq!(sd.trailing, Trailing::ZeroPadding { len: 300 });
    assert_eq!(sd.raw.len(), len);
    cms[len + 10] = 1;
    let sd = parse_signed_data(&cms).unwrap();
    assert_eq!(
        sd.trailing,
        Trailing::Garbage {
            offset: len,
            len: 300
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Tampering

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle present")
}

#[test]
fn tampering_fails_the_specific_step() {
    let ca = make_root();
    let p = party(&ca, "rsa", 21);
    let marker = b"kyso-opaque-marker".to_vec();
    let extra = encode_attribute(
        &asn1_rs::oid!(1.3.6 .1 .4 .1 .99999 .1),
        &[&asn1_rs::OctetString::new(&marker).to_der_vec().unwrap()],
    )
    .unwrap();
    let cms = sign_detached(&p.signer, CONTENT, Some(extra));
    assert_all_ok(&check_first(&cms, CONTENT));

    // 1. Other content: only the message digest fails.
    let check = check_first(&cms, b"other content");
    assert!(matches!(check.message_digest, CheckOutcome::Failed { .. }));
    assert_eq!(check.signature, CheckOutcome::Ok);
    assert_eq!(check.signing_certificate, CheckOutcome::Ok);

    // 2. A byte of the signed attributes: the signature fails, nothing else.
    let mut tampered = cms.clone();
    let at = find(&tampered, &marker);
    tampered[at] ^= 0x01;
    let check = check_first(&tampered, CONTENT);
    assert!(
        matches!(check.signature, CheckOutcome::Failed { .. }),
        "{check:?}"
    );
    assert_eq!(check.message_digest, CheckOutcome::Ok);
    assert_eq!(check.content_type, CheckOutcome::Ok);

    // 3. A byte of the signature value (its last byte is the last byte of the SignerInfo).
    let mut tampered = cms.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x80;
    let check = check_first(&tampered, CONTENT);
    assert!(matches!(check.signature, CheckOutcome::Failed { .. }));
    assert_eq!(check.message_digest, CheckOutcome::Ok);

    // 4. Wrong certificate: attributes bind A's certificate, the SignedData carries B's.
    let other = party(&ca, "rsa3072", 22);
    let md = digest(p.signer.algorithm().digest(), CONTENT);
    let attrs =
        build_signed_attributes(&SignedAttributesSpec::new(&md, p.signer.certificate())).unwrap();
    let sig = p.signer.sign(&attrs).unwrap();
    let swapped = build_signed_data(&SignedDataSpec::new(
        p.signer.algorithm(),
        &attrs,
        &sig,
        &other.cert,
        &[],
    ))
    .unwrap();
    let check = check_first(&swapped, CONTENT);
    assert_eq!(check.certificate_lookup, CheckOutcome::Ok);
    assert!(matches!(check.signature, CheckOutcome::Failed { .. }));
    assert!(matches!(
        check.signing_certificate,
        CheckOutcome::Failed { .. }
    ));

    // 5. Signer certificate missing from the CMS.
    let sd = parse_signed_data(&cms).unwrap();
    let mut without = sd.clone();
    without.certificates.retain(|c| *c != p.cert.as_slice());
    let si = &sd.signer_infos[0];
    let check = check_signer(&without, si, &md, None);
    assert!(matches!(
        check.certificate_lookup,
        CheckOutcome::Failed { .. }
    ));
    assert!(matches!(check.signature, CheckOutcome::Skipped { .. }));
    assert_eq!(check.message_digest, CheckOutcome::Ok);
}

#[test]
fn duplicate_message_digest_is_detected() {
    let ca = make_root();
    let p = party(&ca, "p256", 31);
    let md = digest(p.signer.algorithm().digest(), CONTENT);
    let dup = encode_attribute(
        &kyso::asn1::oid::ID_MESSAGE_DIGEST,
        &[&asn1_rs::OctetString::new(&md).to_der_vec().unwrap()],
    )
    .unwrap();
    let cms = sign_detached(&p.signer, CONTENT, Some(dup));
    let check = check_first(&cms, CONTENT);
    assert!(matches!(
        check.signed_attributes,
        CheckOutcome::Failed { .. }
    ));
    assert!(matches!(check.message_digest, CheckOutcome::Failed { .. }));
    assert_eq!(check.signature, CheckOutcome::Ok);
}

// ---------------------------------------------------------------------------------------------
// Keys and signers

#[test]
fn key_loading_and_matching() {
    let ca = make_root();
    let rsa = party(&ca, "rsa", 41);
    let ec = party(&ca, "p256", 42);
    let ed = party(&ca, "ed25519", 43);

    // The key must match the certificate.
    let key = PrivateKey::from_der(&rsa.key_pkcs8).unwrap();
    assert_eq!(key.kind(), PublicKeyKind::Rsa { bits: 2048 });
    assert_eq!(
        key.check_matches_certificate(&ec.cert),
        Err(KeyError::KeyMismatch)
    );
    let err = SoftwareSigner::new(key, ec.cert.clone(), vec![]).unwrap_err();
    assert!(
        matches!(err, SignerError::Key(KeyError::KeyMismatch)),
        "{err}"
    );

    // Incompatible algorithms are refused.
    let mut signer = SoftwareSigner::new(
        PrivateKey::from_der(&ec.key_pkcs8).unwrap(),
        ec.cert.clone(),
        vec![],
    )
    .unwrap();
    assert!(signer
        .set_algorithm(SignatureAlgorithm::RsaPssSha256)
        .is_err());
    assert!(signer
        .set_algorithm(SignatureAlgorithm::EcdsaP384Sha384)
        .is_err());
    assert!(signer
        .set_algorithm(SignatureAlgorithm::EcdsaP256Sha256)
        .is_ok());

    // PKCS#1 RSAPrivateKey: the PKCS#8 privateKey OCTET STRING content.
    let pkcs1 = pkcs8_inner_key(&rsa.key_pkcs8);
    let key = PrivateKey::from_der(&pkcs1).unwrap();
    key.check_matches_certificate(&rsa.cert).unwrap();

    // Ed25519 PKCS#8 v2 (ring) and v1 (rebuilt without the public key).
    PrivateKey::from_der(&ed.key_pkcs8)
        .unwrap()
        .check_matches_certificate(&ed.cert)
        .unwrap();
    let v1 = ed25519_v1(&ed.key_pkcs8);
    let key = PrivateKey::from_der(&v1).unwrap();
    key.check_matches_certificate(&ed.cert).unwrap();

    // PEM files, with the chain in the certificate file.
    let dir = temp_dir("keys");
    let key_pem = pem("PRIVATE KEY", &ec.key_pkcs8);
    std::fs::write(dir.join("key.pem"), key_pem).unwrap();
    std::fs::write(
        dir.join("cert.pem"),
        format!("{}{}", pem("CERTIFICATE", &ec.cert), ca.cert_pem),
    )
    .unwrap();
    let signer =
        SoftwareSigner::from_pem_files(&dir.join("key.pem"), &dir.join("cert.pem"), None).unwrap();
    assert_eq!(signer.chain().len(), 1);
    assert_all_ok(&check_first(
        &sign_detached(&signer, CONTENT, None),
        CONTENT,
    ));

    // Encrypted and missing keys: clear errors.
    std::fs::write(
        dir.join("enc.pem"),
        pem("ENCRYPTED PRIVATE KEY", &[0x30, 0x00]),
    )
    .unwrap();
    let err = SoftwareSigner::from_pem_files(&dir.join("enc.pem"), &dir.join("cert.pem"), None)
        .unwrap_err();
    assert!(err
        .to_string()
        .contains("encrypted keys are not supported yet"));
    let err = SoftwareSigner::from_pem_files(&dir.join("missing.pem"), &dir.join("cert.pem"), None)
        .unwrap_err();
    assert!(matches!(err, SignerError::Io { .. }));
}

#[test]
fn openssl_key_formats() {
    if !openssl_available() {
        return;
    }
    let ca = make_root();
    let dir = temp_dir("openssl-keys");
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    for (kind, curve) in [("p256", "P-256"), ("p384", "P-384")] {
        let p = party(&ca, kind, 50);
        std::fs::write(dir.join("k8.pem"), pem("PRIVATE KEY", &p.key_pkcs8)).unwrap();
        // SEC1 with parameters and public key.
        run(&["ec", "-in", "k8.pem", "-out", "sec1.pem"]);
        let sec1 = std::fs::read(dir.join("sec1.pem")).unwrap();
        assert!(
            String::from_utf8_lossy(&sec1).contains("EC PRIVATE KEY"),
            "{curve}"
        );
        let key = PrivateKey::from_pem(&sec1).unwrap();
        key.check_matches_certificate(&p.cert).unwrap();
        // SEC1 without the public key: completed from the certificate.
        run(&[
            "ec",
            "-in",
            "k8.pem",
            "-no_public",
            "-out",
            "sec1-nopub.pem",
        ]);
        let key =
            PrivateKey::from_pem(&std::fs::read(dir.join("sec1-nopub.pem")).unwrap()).unwrap();
        let signer = SoftwareSigner::new(key, p.cert.clone(), vec![]).unwrap();
        assert_all_ok(&check_first(
            &sign_detached(&signer, CONTENT, None),
            CONTENT,
        ));
    }
    // PKCS#1 PEM and encrypted PKCS#8.
    let rsa = party(&ca, "rsa", 51);
    std::fs::write(dir.join("rsa8.pem"), pem("PRIVATE KEY", &rsa.key_pkcs8)).unwrap();
    run(&["rsa", "-in", "rsa8.pem", "-traditional", "-out", "rsa1.pem"]);
    let pkcs1 = std::fs::read(dir.join("rsa1.pem")).unwrap();
    assert!(String::from_utf8_lossy(&pkcs1).contains("RSA PRIVATE KEY"));
    PrivateKey::from_pem(&pkcs1)
        .unwrap()
        .check_matches_certificate(&rsa.cert)
        .unwrap();
    run(&[
        "pkcs8",
        "-topk8",
        "-in",
        "rsa8.pem",
        "-v2",
        "aes-256-cbc",
        "-passout",
        "pass:x",
        "-out",
        "enc.pem",
    ]);
    assert_eq!(
        PrivateKey::from_pem(&std::fs::read(dir.join("enc.pem")).unwrap()).unwrap_err(),
        KeyError::Encrypted
    );
    run(&[
        "pkcs8",
        "-topk8",
        "-in",
        "rsa8.pem",
        "-v2",
        "aes-256-cbc",
        "-passout",
        "pass:x",
        "-outform",
        "DER",
        "-out",
        "enc.der",
    ]);
    assert_eq!(
        PrivateKey::from_der(&std::fs::read(dir.join("enc.der")).unwrap()).unwrap_err(),
        KeyError::Encrypted
    );
    // An RSASSA-PSS-only key (PKCS#8 id-RSASSA-PSS) and its self-signed certificate.
    run(&[
        "genpkey",
        "-algorithm",
        "RSA-PSS",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        "pss.pem",
    ]);
    run(&[
        "req",
        "-new",
        "-x509",
        "-key",
        "pss.pem",
        "-subj",
        "/CN=PSS signer",
        "-days",
        "2",
        "-sigopt",
        "rsa_padding_mode:pss",
        "-out",
        "pss-cert.pem",
    ]);
    let mut signer =
        SoftwareSigner::from_pem_files(&dir.join("pss.pem"), &dir.join("pss-cert.pem"), None)
            .unwrap();
    assert_eq!(signer.algorithm(), SignatureAlgorithm::RsaPssSha256);
    assert!(signer
        .set_algorithm(SignatureAlgorithm::RsaPkcs1Sha256)
        .is_err());
    let cms = sign_detached(&signer, CONTENT, None);
    assert_all_ok(&check_first(&cms, CONTENT));
    let pss_root = std::fs::read_to_string(dir.join("pss-cert.pem")).unwrap();
    let (ok, stderr) = openssl_verify(&dir, &cms, CONTENT, &pss_root);
    assert!(ok, "openssl rejected the PSS-key CMS: {stderr}");
    // Ed25519 from openssl (PKCS#8 v1) signs with a matching certificate made by rcgen.
    run(&["genpkey", "-algorithm", "ed25519", "-out", "ed.pem"]);
    let ed_pem = std::fs::read_to_string(dir.join("ed.pem")).unwrap();
    PrivateKey::from_pem(ed_pem.as_bytes()).unwrap();
}

fn pem(label: &str, der: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// Children of a DER element, as raw slices.
fn children(der: &[u8]) -> (u8, Vec<Vec<u8>>) {
    let (_, any) = Any::from_ber(der).unwrap();
    let mut rest = any.data;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (next, _) = Any::from_ber(rest).unwrap();
        out.push(rest[..rest.len() - next.len()].to_vec());
        rest = next;
    }
    (der[0], out)
}

fn pkcs8_inner_key(pkcs8: &[u8]) -> Vec<u8> {
    let (_, fields) = children(pkcs8);
    let (_, octets) = Any::from_ber(&fields[2]).unwrap();
    octets.data.to_vec()
}

fn ed25519_v1(v2: &[u8]) -> Vec<u8> {
    let (_, fields) = children(v2);
    let version0 = asn1_rs::Integer::from_u32(0).to_der_vec().unwrap();
    let body = [version0.as_slice(), &fields[1], &fields[2]].concat();
    definite(0x30, &body)
}

fn definite(tag: u8, content: &[u8]) -> Vec<u8> {
    let header = asn1_rs::Header::new(
        asn1_rs::Class::Universal,
        tag & 0x20 != 0,
        asn1_rs::Tag(u32::from(tag & 0x1f)),
        asn1_rs::Length::Definite(content.len()),
    );
    Any::new(header, content).to_der_vec().unwrap()
}

// ---------------------------------------------------------------------------------------------
// BER

/// `tag 0x80 children... 00 00`
fn indefinite(tag: u8, parts: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![tag, 0x80];
    for p in parts {
        out.extend_from_slice(p);
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// Re-encodes a DER ContentInfo with indefinite lengths on the outer structures and the
/// signature as a constructed OCTET STRING, keeping signed attributes and certificates DER.
fn to_ber(der: &[u8]) -> Vec<u8> {
    let (_, ci) = children(der);
    let (_, explicit) = children(&ci[1]);
    let (_, sd) = children(&explicit[0]);
    let mut sd_parts = Vec::new();
    for field in &sd {
        match field[0] {
            0x31 if field == sd.last().unwrap() => {
                let (_, sis) = children(field);
                let mut new_sis = Vec::new();
                for si in sis {
                    let (_, si_fields) = children(&si);
                    let mut parts = Vec::new();
                    for f in si_fields {
                        if f[0] == 0x04 {
                            let (_, value) = Any::from_ber(&f).unwrap();
                            let chunks: Vec<Vec<u8>> =
                                value.data.chunks(50).map(|c| definite(0x04, c)).collect();
                            parts.push(indefinite(0x24, &chunks));
                        } else {
                            parts.push(f);
                        }
                    }
                    new_sis.push(indefinite(0x30, &parts));
                }
                sd_parts.push(indefinite(0x31, &new_sis));
            }
            0x30 | 0xa0 | 0x31 => {
                let (tag, inner) = children(field);
                sd_parts.push(indefinite(tag, &inner));
            }
            _ => sd_parts.push(field.clone()),
        }
    }
    let sd_ber = indefinite(0x30, &sd_parts);
    indefinite(0x30, &[ci[0].clone(), indefinite(0xa0, &[sd_ber])])
}

#[test]
fn ber_indefinite_signed_data_parses_and_checks() {
    let ca = make_root();
    let p = party(&ca, "p384", 61);
    let der = sign_detached(&p.signer, CONTENT, None);
    let ber = to_ber(&der);
    assert_ne!(ber, der);
    assert!(ber.windows(2).any(|w| w == [0x24, 0x80]));
    let check = check_first(&ber, CONTENT);
    assert_all_ok(&check);
    // Same signature value after concatenating the segments.
    let a = parse_signed_data(&der).unwrap();
    let b = parse_signed_data(&ber).unwrap();
    assert_eq!(a.signer_infos[0].signature, b.signer_infos[0].signature);
    assert_eq!(a.certificates, b.certificates);
}

#[test]
fn openssl_streamed_ber_signature_parses_and_checks() {
    if !openssl_available() {
        return;
    }
    let ca = make_root();
    let p = party(&ca, "p256", 62);
    let dir = temp_dir("stream");
    std::fs::write(dir.join("key.pem"), pem("PRIVATE KEY", &p.key_pkcs8)).unwrap();
    std::fs::write(dir.join("cert.pem"), pem("CERTIFICATE", &p.cert)).unwrap();
    std::fs::write(dir.join("content.bin"), CONTENT).unwrap();
    let out = Command::new("openssl")
        .args([
            "cms",
            "-sign",
            "-binary",
            "-stream",
            "-outform",
            "DER",
            "-in",
            "content.bin",
            "-signer",
            "cert.pem",
            "-inkey",
            "key.pem",
            "-out",
            "sig.p7s",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cms = std::fs::read(dir.join("sig.p7s")).unwrap();
    assert_eq!(
        &cms[..2],
        &[0x30, 0x80],
        "expected indefinite-length BER from -stream"
    );
    let check = check_first(&cms, CONTENT);
    // OpenSSL adds no signing-certificate attribute by default.
    assert_eq!(check.signing_certificate, CheckOutcome::NotPresent);
    for (step, outcome) in check.steps() {
        if step != "signing_certificate" {
            assert_eq!(outcome, &CheckOutcome::Ok, "step {step}: {check:#?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Robustness

#[test]
fn truncations_and_garbage_never_panic() {
    let ca = make_root();
    let p = party(&ca, "p256", 71);
    let cms = sign_detached(&p.signer, CONTENT, None);
    let md = digest(p.signer.algorithm().digest(), CONTENT);
    for len in 0..cms.len() {
        assert!(
            parse_signed_data(&cms[..len]).is_err(),
            "prefix {len} parsed"
        );
    }
    // Single-byte corruptions anywhere: parse may succeed or fail, checks must not panic,
    // and the signature must never be reported intact with a changed signed part.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for position in 0..cms.len() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut corrupted = cms.clone();
        corrupted[position] ^= (state as u8) | 1;
        if let Ok(sd) = parse_signed_data(&corrupted) {
            for si in &sd.signer_infos {
                let _ = check_signer(&sd, si, &md, Some(CONTENT));
                if let Some(attrs) = &si.signed_attrs {
                    let _ = attrs.signing_time();
                    let _ = attrs.signing_certificate_v1();
                }
            }
        }
    }
    for seed in 0..2000u64 {
        let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let len = (seed % 300) as usize;
        let mut bytes = Vec::with_capacity(len);
        for _ in 0..len {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            bytes.push(s as u8);
        }
        if let Some(first) = bytes.first_mut() {
            *first = 0x30;
        }
        let _ = parse_signed_data(&bytes);
    }
    assert!(parse_signed_data(b"").is_err());
    assert!(parse_signed_data(b"not a cms at all").is_err());
}

#[test]
fn deep_nesting_is_refused() {
    let mut nested = Vec::new();
    for _ in 0..10_000 {
        nested.extend_from_slice(&[0x30, 0x80]);
    }
    assert!(parse_signed_data(&nested).is_err());
}

// ---------------------------------------------------------------------------------------------
// Real signatures from other tools

/// Every `/ByteRange [a b c d]` in the file.
fn byte_ranges(pdf: &[u8]) -> Vec<[usize; 4]> {
    let mut out = Vec::new();
    let key = b"/ByteRange";
    let mut i = 0;
    while let Some(pos) = pdf[i..].windows(key.len()).position(|w| w == key) {
        let start = i + pos + key.len();
        let end = pdf[start..]
            .iter()
            .position(|b| *b == b']')
            .map(|e| start + e);
        if let Some(end) = end {
            let text = String::from_utf8_lossy(&pdf[start..end]);
            let nums: Vec<usize> = text
                .trim()
                .trim_start_matches('[')
                .split_whitespace()
                .filter_map(|t| t.parse().ok())
                .collect();
            if let [a, b, c, d] = nums[..] {
                out.push([a, b, c, d]);
            }
        }
        i = start;
    }
    out
}

/// Every hex string after `/Contents`, with the offset of its `<`.
fn contents_strings(pdf: &[u8]) -> Vec<(usize, Vec<u8>)> {
    let mut out = Vec::new();
    let key = b"/Contents";
    let mut i = 0;
    while let Some(pos) = pdf[i..].windows(key.len()).position(|w| w == key) {
        let mut j = i + pos + key.len();
        while j < pdf.len() && pdf[j].is_ascii_whitespace() {
            j += 1;
        }
        if j < pdf.len() && pdf[j] == b'<' && pdf.get(j + 1) != Some(&b'<') {
            if let Some(end) = pdf[j..].iter().position(|b| *b == b'>') {
                let digits: Vec<u8> = pdf[j + 1..j + end]
                    .iter()
                    .copied()
                    .filter(|b| !b.is_ascii_whitespace())
                    .collect();
                if digits.len() > 200 && digits.iter().all(u8::is_ascii_hexdigit) {
                    let s = String::from_utf8(digits).unwrap();
                    let s = if s.len() % 2 == 1 { format!("{s}0") } else { s };
                    out.push((j, hex(&s)));
                }
            }
        }
        i = j.max(i + pos + 1);
    }
    out
}

/// pyHanko's verdicts: file → (intact count, not-intact count).
fn pyhanko_intact(root: &Path) -> std::collections::HashMap<String, (usize, usize)> {
    let text = std::fs::read_to_string(root.join("observed-pyhanko.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = header.iter().position(|h| *h == "pyhanko_intact").unwrap();
    let mut map = std::collections::HashMap::new();
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        let entry = map.entry(fields[0].to_owned()).or_insert((0, 0));
        match fields.get(col).copied() {
            Some("True") => entry.0 += 1,
            Some("False") => entry.1 += 1,
            _ => {}
        }
    }
    map
}

#[test]
fn cms_of_real_signed_pdfs_parse_and_check() {
    let Some(root) = corpus::corpus("04-signed-pdfs") else {
        return;
    };
    let root = root.as_path();
    let mut files = corpus::pdfs_under(root);
    files.sort();
    assert!(files.len() > 20);
    let expectations = pyhanko_intact(root);
    let (mut blobs, mut intact, mut problems) = (0, 0, Vec::new());
    for path in &files {
        let pdf = std::fs::read(path).unwrap();
        let ranges = byte_ranges(&pdf);
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let (mut ok_here, mut failed_here) = (0usize, 0usize);
        for (offset, blob) in contents_strings(&pdf) {
            blobs += 1;
            // Not CMS: an unfilled placeholder, or an adbe.x509.rsa_sha1 PKCS#1 signature
            // (an OCTET STRING). Those must be refused.
            let placeholder = blob.iter().all(|b| *b == 0);
            let x509_rsa_sha1 =
                blob.first() == Some(&0x04) && pdf.windows(18).any(|w| w == b"adbe.x509.rsa_sha1");
            let sd = match (parse_signed_data(&blob), placeholder || x509_rsa_sha1) {
                (Ok(sd), false) => sd,
                (Err(e), true) => {
                    println!("{rel} @{offset}: not CMS, refused: {e}");
                    continue;
                }
                (Ok(_), true) => {
                    problems.push(format!("{rel} @{offset}: non-CMS blob parsed"));
                    continue;
                }
                (Err(e), false) => {
                    problems.push(format!("{rel} @{offset}: {e}"));
                    continue;
                }
            };
            assert!(!matches!(sd.trailing, Trailing::Garbage { .. }), "{rel}");
            let Some(range) = ranges.iter().find(|r| r[1] == offset) else {
                println!("{rel} @{offset}: no matching /ByteRange, parse only");
                continue;
            };
            let [a, b, c, d] = *range;
            let (Some(first), Some(second)) = (pdf.get(a..a + b), pdf.get(c..c + d)) else {
                println!("{rel} @{offset}: /ByteRange outside the file");
                continue;
            };
            // A document timestamp signs its eContent (TSTInfo); the link
            // between a TSTInfo and the PDF bytes is the timestamp module's business.
            let content = match &sd.econtent {
                Some(econtent) if sd.encap_content_type == kyso::asn1::oid::ID_CT_TST_INFO => {
                    econtent.clone()
                }
                _ => [first, second].concat(),
            };
            for si in &sd.signer_infos {
                let md = si
                    .digest()
                    .map(|alg| digest(alg, &content))
                    .unwrap_or_default();
                let check = check_signer(&sd, si, &md, Some(&content));
                let summary: Vec<String> = check
                    .steps()
                    .iter()
                    .map(|(name, o)| format!("{name}={}", short(o)))
                    .collect();
                println!(
                    "{rel} @{offset}: {} / {}: {}",
                    check.digest_algorithm,
                    check.signature_algorithm,
                    summary.join(" ")
                );
                let digest_and_signature_ok = check.signature.is_ok()
                    && (check.message_digest.is_ok() || si.signed_attrs.is_none());
                let any_failed = [&check.signature, &check.message_digest]
                    .iter()
                    .any(|o| matches!(o, CheckOutcome::Failed { .. }));
                if digest_and_signature_ok {
                    ok_here += 1;
                    intact += 1;
                } else if any_failed {
                    failed_here += 1;
                }
            }
        }
        if let Some((py_intact, py_broken)) = expectations
            .get(&rel)
            .filter(|(intact, broken)| intact + broken > 0)
        {
            // Never intact where pyHanko says broken, never broken where pyHanko says intact
            // (kyso may be Unsupported where pyHanko knows more, e.g. Ed448).
            if ok_here > *py_intact || failed_here > *py_broken {
                problems.push(format!(
                    "{rel}: kyso intact {ok_here} / failed {failed_here}, pyHanko intact {py_intact} / not intact {py_broken}"
                ));
            }
        }
    }
    println!(
        "{blobs} CMS blobs in {} files, {intact} intact",
        files.len()
    );
    for p in &problems {
        println!("PROBLEM: {p}");
    }
    assert!(problems.is_empty(), "{} problems", problems.len());
    assert!(intact > 30, "too few intact signatures: {intact}");
}

fn short(o: &CheckOutcome) -> String {
    match o {
        CheckOutcome::Ok => "ok".into(),
        CheckOutcome::Failed { reason } => format!("FAILED({reason})"),
        CheckOutcome::NotPresent => "absent".into(),
        CheckOutcome::Unsupported { reason } => format!("unsupported({reason})"),
        CheckOutcome::Skipped { reason } => format!("skipped({reason})"),
        _ => format!("{o:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Fuzz seeds

/// Writes the seed corpus of the `cms_parse` fuzz target (run with `--ignored` to refresh).
#[test]
#[ignore]
fn write_fuzz_seeds() {
    let dir = Path::new("fuzz/seeds/cms_parse");
    std::fs::create_dir_all(dir).unwrap();
    let ca = make_root();
    for (serial, kind) in (80u64..).zip(["rsa", "p256", "p384", "ed25519", "rsa-pss"]) {
        let p = party(&ca, kind, serial);
        let cms = sign_detached(&p.signer, CONTENT, None);
        std::fs::write(dir.join(format!("{kind}.der")), &cms).unwrap();
        if kind == "p256" {
            std::fs::write(dir.join("p256-ber.ber"), to_ber(&cms)).unwrap();
            let mut padded = cms.clone();
            padded.extend_from_slice(&[0u8; 64]);
            std::fs::write(dir.join("p256-padded.der"), padded).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Certificate signatures

/// Verifies every PKITS certificate against every certificate whose subject is its issuer.
#[test]
fn pkits_certificate_signatures() {
    use kyso::crypto::{verify_certificate_signature, SignatureCheckError};
    use x509_parser::prelude::FromDer;
    let Some(dir) = corpus::corpus("01-pkits/certs") else {
        return;
    };
    let mut certs = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        certs.push((name, std::fs::read(&path).unwrap()));
    }
    certs.sort();
    assert!(certs.len() > 400);
    let parsed: Vec<_> = certs
        .iter()
        .map(|(_, der)| {
            x509_parser::certificate::X509Certificate::from_der(der)
                .unwrap()
                .1
        })
        .collect();
    let (mut ok, mut invalid, mut unsupported) = (Vec::new(), Vec::new(), Vec::new());
    for (i, cert) in parsed.iter().enumerate() {
        let issuers: Vec<usize> = parsed
            .iter()
            .enumerate()
            .filter(|(_, c)| c.subject().as_raw() == cert.issuer().as_raw())
            .map(|(j, _)| j)
            .collect();
        let mut verdict = None;
        for j in issuers {
            let spki = parsed[j].public_key().raw;
            match verify_certificate_signature(spki, &certs[i].1) {
                Ok(_) => {
                    verdict = Some("ok");
                    break;
                }
                Err(SignatureCheckError::Unsupported { .. }) => verdict = Some("unsupported"),
                Err(_) => {
                    verdict = verdict.or(Some("invalid"));
                }
            }
        }
        match verdict {
            Some("ok") => ok.push(certs[i].0.clone()),
            Some("unsupported") => unsupported.push(certs[i].0.clone()),
            Some(_) => invalid.push(certs[i].0.clone()),
            None => {}
        }
    }
    println!(
        "PKITS: {} verified, {} invalid {:?}, {} unsupported {:?}",
        ok.len(),
        invalid.len(),
        invalid,
        unsupported.len(),
        unsupported
    );
    // Tampered signatures (PKITS 4.1.2, 4.1.3, 4.1.6).
    for name in [
        "InvalidEESignatureTest3EE.crt",
        "BadSignedCACert.crt",
        "InvalidDSASignatureTest6EE.crt",
    ] {
        assert!(invalid.contains(&name.to_owned()), "{name} must be invalid");
    }
    // DSA (PKITS 4.1.4): verified (RustCrypto `dsa`, feature extra-algorithms).
    assert!(ok.contains(&"ValidDSASignaturesTest4EE.crt".to_owned()));
    // PKITS 4.1.5: the issuer's DSA key has no parameters (RFC 3279 §2.3.2); on its own the
    // check is unsupported, with the parameters of the issuer's issuer it verifies.
    let inheriting = "ValidDSAParameterInheritanceTest5EE.crt".to_owned();
    assert!(unsupported.contains(&inheriting), "{inheriting}");
    let der = |name: &str| &certs.iter().find(|(n, _)| n == name).unwrap().1;
    let spki = |name: &str| {
        x509_parser::certificate::X509Certificate::from_der(der(name))
            .unwrap()
            .1
            .public_key()
            .raw
            .to_vec()
    };
    let ca = spki("DSAParametersInheritedCACert.crt");
    assert!(kyso::crypto::needs_inherited_parameters(&ca));
    let working = kyso::crypto::inherit_dsa_parameters(&ca, &spki("DSACACert.crt")).unwrap();
    assert!(!kyso::crypto::needs_inherited_parameters(&working));
    verify_certificate_signature(&working, der(&inheriting)).unwrap();
    // Another algorithm's key gives no parameters.
    let rsa_root = spki("TrustAnchorRootCertificate.crt");
    assert_eq!(kyso::crypto::inherit_dsa_parameters(&ca, &rsa_root), None);
    assert!(ok.contains(&"ValidCertificatePathTest1EE.crt".to_owned()));
    assert!(ok.len() > 380, "only {} verified", ok.len());
}

#[test]
fn rcgen_certificate_signatures() {
    use kyso::crypto::verify_certificate_signature;
    use x509_parser::prelude::FromDer;
    let ca = make_root();
    let root_spki = x509_parser::certificate::X509Certificate::from_der(&ca.cert_der)
        .unwrap()
        .1
        .public_key()
        .raw
        .to_vec();
    verify_certificate_signature(&root_spki, &ca.cert_der).unwrap();
    let p = party(&ca, "ed25519", 90);
    let with = verify_certificate_signature(&root_spki, &p.cert).unwrap();
    assert_eq!(with.key, PublicKeyKind::EcP256);
    let other = make_root();
    let other_spki = x509_parser::certificate::X509Certificate::from_der(&other.cert_der)
        .unwrap()
        .1
        .public_key()
        .raw
        .to_vec();
    assert!(verify_certificate_signature(&other_spki, &p.cert).is_err());
}
