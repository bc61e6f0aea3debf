//! Wycheproof signature vectors through `kyso::crypto::verify_signature`.
//!
//! valid → must verify (when kyso claims support for the group's parameters; otherwise it must
//! say Unsupported); invalid → must never verify; acceptable → either.

#[path = "common/corpus.rs"]
mod corpus;

use asn1_rs::{oid, Any, Class, Header, Length, Oid, Tag, ToDer};
use kyso::crypto::{verify_signature, AlgorithmIdentifier, SignatureCheckError};
use serde_json::Value;

/// Where the vectors are in the shared corpus.
const DIR: &str = "05-wycheproof/testvectors_v1";

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
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

fn hash_oid(name: &str) -> Oid<'static> {
    match name {
        "SHA-1" => oid!(1.3.14 .3 .2 .26),
        "SHA-224" => oid!(2.16.840 .1 .101 .3 .4 .2 .4),
        "SHA-256" => oid!(2.16.840 .1 .101 .3 .4 .2 .1),
        "SHA-384" => oid!(2.16.840 .1 .101 .3 .4 .2 .2),
        "SHA-512" => oid!(2.16.840 .1 .101 .3 .4 .2 .3),
        other => panic!("unexpected hash {other}"),
    }
}

fn hash_len(name: &str) -> u64 {
    match name {
        "SHA-1" => 20,
        "SHA-224" => 28,
        "SHA-256" => 32,
        "SHA-384" => 48,
        "SHA-512" => 64,
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

fn run_file(
    dir: &std::path::Path,
    file: &str,
    sig_alg_for_group: &dyn Fn(&Value) -> (Vec<u8>, bool),
) -> Counts {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).unwrap();
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

fn report(results: Vec<(&str, Counts)>) {
    let mut wrong = Vec::new();
    for (file, counts) in &results {
        println!(
            "{file:<55} {:>4} tests: {:>4} verified, {:>4} rejected, {:>4} unsupported",
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

#[test]
fn rsa_pkcs1_v15() {
    let Some(dir) = corpus::corpus(DIR) else {
        return;
    };
    let mut results = Vec::new();
    for bits in ["2048", "3072", "4096"] {
        for sha in ["256", "384", "512"] {
            let file: &'static str =
                Box::leak(format!("rsa_signature_{bits}_sha{sha}_test.json").into_boxed_str());
            let counts = run_file(&dir, file, &|group| {
                let oid = match group["sha"].as_str().unwrap() {
                    "SHA-256" => oid!(1.2.840 .113549 .1 .1 .11),
                    "SHA-384" => oid!(1.2.840 .113549 .1 .1 .12),
                    "SHA-512" => oid!(1.2.840 .113549 .1 .1 .13),
                    other => panic!("{other}"),
                };
                let null = asn1_rs::Null::new().to_der_vec().unwrap();
                (seq(&[&oid.to_der_vec().unwrap(), &null]), true)
            });
            results.push((file, counts));
        }
    }
    report(results);
}

#[test]
fn rsa_pss() {
    let Some(dir) = corpus::corpus(DIR) else {
        return;
    };
    let files = [
        "rsa_pss_2048_sha256_mgf1_0_params_test.json",
        "rsa_pss_2048_sha256_mgf1_0_test.json",
        "rsa_pss_2048_sha256_mgf1_32_params_test.json",
        "rsa_pss_2048_sha256_mgf1_32_test.json",
        "rsa_pss_2048_sha384_mgf1_48_test.json",
        "rsa_pss_2048_sha512_mgf1sha256_32_params_test.json",
        "rsa_pss_3072_sha256_mgf1_32_params_test.json",
        "rsa_pss_3072_sha256_mgf1_32_test.json",
        "rsa_pss_4096_sha256_mgf1_32_test.json",
        "rsa_pss_4096_sha384_mgf1_48_test.json",
        "rsa_pss_4096_sha512_mgf1_32_params_test.json",
        "rsa_pss_4096_sha512_mgf1_32_test.json",
        "rsa_pss_4096_sha512_mgf1_64_params_test.json",
        "rsa_pss_4096_sha512_mgf1_64_test.json",
        "rsa_pss_misc_params_test.json",
        "rsa_pss_misc_test.json",
    ];
    let mut results = Vec::new();
    for file in files {
        let counts = run_file(&dir, file, &|group| {
            let sha = group["sha"].as_str().unwrap();
            let mgf_sha = group["mgfSha"].as_str().unwrap();
            let salt = group["sLen"].as_u64().unwrap();
            assert_eq!(group["mgf"].as_str(), Some("MGF1"));
            // ring: MGF1 with the message hash, salt = hash length, SHA-256/384/512.
            let supported = sha == mgf_sha
                && salt == hash_len(sha)
                && matches!(sha, "SHA-256" | "SHA-384" | "SHA-512");
            let alg = seq(&[
                &oid!(1.2.840 .113549 .1 .1 .10).to_der_vec().unwrap(),
                &pss_params(sha, mgf_sha, salt),
            ]);
            (alg, supported)
        });
        results.push((file, counts));
    }
    report(results);
}

#[test]
fn ecdsa_der() {
    let Some(dir) = corpus::corpus(DIR) else {
        return;
    };
    let files = [
        ("ecdsa_secp256r1_sha256_test.json", true),
        ("ecdsa_secp384r1_sha384_test.json", true),
        ("ecdsa_secp384r1_sha256_test.json", true),
        ("ecdsa_secp256r1_sha512_test.json", false),
        ("ecdsa_secp384r1_sha512_test.json", false),
    ];
    let mut results = Vec::new();
    for (file, supported) in files {
        let counts = run_file(&dir, file, &|group| {
            let oid = match group["sha"].as_str().unwrap() {
                "SHA-256" => oid!(1.2.840 .10045 .4 .3 .2),
                "SHA-384" => oid!(1.2.840 .10045 .4 .3 .3),
                "SHA-512" => oid!(1.2.840 .10045 .4 .3 .4),
                other => panic!("{other}"),
            };
            (seq(&[&oid.to_der_vec().unwrap()]), supported)
        });
        if !supported {
            assert_eq!(counts.verified, 0, "{file}: unsupported hash verified");
        }
        results.push((file, counts));
    }
    report(results);
}
