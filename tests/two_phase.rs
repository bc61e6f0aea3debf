//! Two-phase (remote) signing: prepare in one process, sign elsewhere, finish in another
//! process; the finish step refuses a signature from the wrong key, a changed input and a
//! tampered state, writing nothing.

mod common;

use common::cli::{kyso, os};

use std::path::Path;
use std::process::Command;

use common::keys::{assert_kyso_valid, assert_pyhanko_valid};
use common::pki::TestPki;
use common::vectors::{base, Base};
use kyso::cms::{build_signed_attributes, build_signed_data, SignedAttributesSpec, SignedDataSpec};
use kyso::sign::two_phase::{embed_cms_bytes, finish_bytes, prepare_bytes, PreparedSignature};
use kyso::sign::{SignOptions, SubFilter};
use kyso::signer::{Signer, SignerIdentity};
use time::OffsetDateTime;

/// DER `ECDSA-Sig-Value` → raw `r ‖ s` with `n`-byte halves, as PKCS#11 and many services
/// return it.
fn der_to_raw(der: &[u8], n: usize) -> Vec<u8> {
    assert_eq!(der[0], 0x30);
    let mut pos = 2;
    let mut out = Vec::new();
    for _ in 0..2 {
        assert_eq!(der[pos], 0x02);
        let len = der[pos + 1] as usize;
        let value = &der[pos + 2..pos + 2 + len];
        let value = &value[value.len().saturating_sub(n)..];
        out.extend(std::iter::repeat_n(0u8, n - value.len()));
        out.extend_from_slice(value);
        pos += 2 + len;
    }
    out
}

#[test]
fn library_round_trip_through_json_with_every_signature_form() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let root = pki.write_root(dir.path());
    let input = base(Base::Stream);

    for (case, signer, pkcs7, raw) in [
        ("p256-der", &pki.p256, false, false),
        ("p256-raw", &pki.p256, true, true),
        ("p384-raw", &pki.p384, false, true),
        ("rsa-pss", &pki.rsa3072_pss, false, false),
        ("rsa", &pki.rsa2048, true, false),
    ] {
        let remote = signer.signer();
        let identity =
            SignerIdentity::from_certificate(signer.cert_der.clone(), signer.chain.clone())
                .unwrap()
                .with_algorithm(signer.algorithm)
                .unwrap();
        let format = if pkcs7 {
            SubFilter::Pkcs7Detached
        } else {
            SubFilter::Pades
        };
        let opts = SignOptions::new().signing_time(now).sub_filter(format);
        let state = prepare_bytes(&input, &identity, &opts).unwrap();
        let json = state.to_json().unwrap();
        // ... the process ends; another one picks the state up.
        let state = PreparedSignature::from_json(&json).unwrap();
        let to_sign = state.bytes_to_sign().unwrap();
        assert_eq!(
            state.digest_to_sign().unwrap(),
            kyso::crypto::digest(signer.algorithm.digest(), &to_sign)
        );
        let mut signature = remote.sign(&to_sign).unwrap();
        if raw {
            let n = if signer.id == "p384" { 48 } else { 32 };
            signature = der_to_raw(&signature, n);
        }
        let signed = finish_bytes(&state, &signature, &input).unwrap();
        assert!(signed.starts_with(&input));
        let out = dir.path().join(format!("{case}.pdf"));
        std::fs::write(&out, &signed).unwrap();
        assert_kyso_valid(&out, &pki, now, 1);
        assert_pyhanko_valid(&out, &root, 1);
    }
}

#[test]
fn library_refusals() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let input = base(Base::Table);
    let identity = SignerIdentity::of(&pki.p256.signer());
    let state = prepare_bytes(&input, &identity, &SignOptions::new().signing_time(now)).unwrap();
    let to_sign = state.bytes_to_sign().unwrap();

    // Another key (same algorithm).
    let other = pki.expired.signer().sign(&to_sign).unwrap();
    let err = finish_bytes(&state, &other, &input).unwrap_err();
    assert!(err.to_string().contains("does not verify"), "{err}");

    // The right signature over other bytes.
    let wrong_bytes = pki.p256.signer().sign(b"something else").unwrap();
    assert!(finish_bytes(&state, &wrong_bytes, &input).is_err());

    // A changed input.
    let good = pki.p256.signer().sign(&to_sign).unwrap();
    let mut changed = input.clone();
    let last = changed.len() - 1;
    changed[last] ^= 0x20;
    let err = finish_bytes(&state, &good, &changed).unwrap_err();
    assert_eq!(err.refusal(), Some(&kyso::Refusal::InputChanged), "{err}");
    assert!(
        err.to_string().contains("not the file that was prepared"),
        "{err}"
    );

    // A tampered state: another document digest (the attributes no longer match it), or
    // another update.
    let json = state.to_json().unwrap();
    let digest_hex = kyso::crypto::digest(kyso::crypto::DigestAlgorithm::Sha256, &input);
    let tampered = json.replacen(
        "\"document_digest\": \"",
        &format!(
            "\"document_digest\": \"{}",
            digest_hex
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ),
        1,
    );
    assert!(PreparedSignature::from_json(&tampered)
        .map(|s| finish_bytes(&s, &good, &input))
        .map_or(true, |r| r.is_err()));
    let tampered = json.replacen("/SigFlags", "/SigFlagz", 1);
    if tampered != json {
        let s = PreparedSignature::from_json(&tampered).unwrap();
        assert!(finish_bytes(&s, &good, &input).is_err());
    }
    // Still fine with the right everything.
    assert!(finish_bytes(&state, &good, &input).is_ok());
}

#[test]
fn embed_a_cms_built_elsewhere() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let root = pki.write_root(dir.path());
    let input = base(Base::Table);
    // The service signs with its own RSA key and SHA-512; the placeholder was sized for the
    // P-256 identity, plus a reserve.
    let identity = SignerIdentity::of(&pki.p256.signer()).with_cms_reserve(2048);
    let state = prepare_bytes(&input, &identity, &SignOptions::new().signing_time(now)).unwrap();
    let service = &pki.rsa2048_sha512;
    let build = |digest: &[u8]| {
        let attrs =
            build_signed_attributes(&SignedAttributesSpec::new(digest, &service.cert_der)).unwrap();
        let sig = service.signer().sign(&attrs).unwrap();
        build_signed_data(&SignedDataSpec::new(
            service.algorithm,
            &attrs,
            &sig,
            &service.cert_der,
            &service.chain,
        ))
        .unwrap()
    };
    // The service hashes the byte ranges itself with SHA-512: reconstruct them from a
    // document finished with the P-256 key (same update, same ranges).
    let p256_sig = pki
        .p256
        .signer()
        .sign(&state.bytes_to_sign().unwrap())
        .unwrap();
    let reference = finish_bytes(&state, &p256_sig, &input).unwrap();
    let report = kyso::verify::verify_bytes(
        &reference,
        &kyso::verify::VerifyOptions::new(pki.trust()).validation_time(now),
    )
    .unwrap();
    assert_eq!(report.signatures.len(), 1);
    let br = byte_range(&reference);
    let mut covered = reference[br[0]..br[0] + br[1]].to_vec();
    covered.extend_from_slice(&reference[br[2]..br[2] + br[3]]);
    let sha512 = kyso::crypto::digest(kyso::crypto::DigestAlgorithm::Sha512, &covered);

    let cms = build(&sha512);
    let signed = embed_cms_bytes(&state, &cms, &input).unwrap();
    let out = dir.path().join("embedded.pdf");
    std::fs::write(&out, &signed).unwrap();
    assert_kyso_valid(&out, &pki, now, 1);
    assert_pyhanko_valid(&out, &root, 1);

    // A CMS over another digest is refused.
    let wrong = build(&kyso::crypto::digest(
        kyso::crypto::DigestAlgorithm::Sha512,
        b"another document",
    ));
    let err = embed_cms_bytes(&state, &wrong, &input).unwrap_err();
    assert!(err.to_string().contains("message digest"), "{err}");
    // Not a CMS.
    assert!(embed_cms_bytes(&state, b"\x30\x03\x02\x01\x00", &input).is_err());
}

/// The four `/ByteRange` numbers of the last signature.
fn byte_range(pdf: &[u8]) -> [usize; 4] {
    let text = String::from_utf8_lossy(pdf);
    let at = text.rfind("/ByteRange [").unwrap() + "/ByteRange [".len();
    let end = at + text[at..].find(']').unwrap();
    let v: Vec<usize> = text[at..end]
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    [v[0], v[1], v[2], v[3]]
}

#[test]
fn cli_prepare_then_finish_in_another_process_with_openssl_as_the_remote_signer() {
    let Some(openssl) = common::tool("openssl") else {
        return;
    };
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let d = dir.path();
    let root = pki.write_root(d);
    let (key, cert, chain) = pki.rsa2048.write_pem(d);
    let input = d.join("decision.pdf");
    std::fs::write(&input, base(Base::Stream)).unwrap();
    let out = d.join("decision-signed.pdf");
    let state = d.join("state.json");
    let tbs = d.join("to-sign.der");

    let prep = kyso([
        os("sign"),
        os("--prepare"),
        os("--cert"),
        cert.as_os_str(),
        os("--chain"),
        chain.as_os_str(),
        os("--reason"),
        os("Phê duyệt"),
        input.as_os_str(),
        os("-o"),
        out.as_os_str(),
        os("--state"),
        state.as_os_str(),
        os("--to-sign"),
        tbs.as_os_str(),
    ]);
    assert!(prep.status.success(), "{prep:?}");
    let summary: serde_json::Value = serde_json::from_slice(&prep.stdout).unwrap();
    assert_eq!(summary["digest_algorithm"], "Sha256");
    let digest_hex = summary["digest_to_sign"].as_str().unwrap().to_owned();
    assert_eq!(digest_hex.len(), 64);
    assert!(!out.exists(), "prepare writes no PDF");

    // The remote service: OpenSSL signs the bytes (SHA-256, PKCS#1 v1.5), once with the
    // wrong key first.
    let sign_with = |key: &Path, sig: &Path| {
        let r = Command::new(&openssl)
            .args(["dgst", "-sha256", "-sign"])
            .arg(key)
            .arg("-out")
            .arg(sig)
            .arg(&tbs)
            .output()
            .unwrap();
        assert!(r.status.success(), "{r:?}");
    };
    let wrong_sig = d.join("wrong.sig");
    let (p256_key, _, _) = pki.p256.write_pem(d);
    sign_with(&p256_key, &wrong_sig);
    let fin = kyso([
        os("sign"),
        os("--finish"),
        state.as_os_str(),
        os("--signature"),
        wrong_sig.as_os_str(),
    ]);
    assert_eq!(fin.status.code(), Some(2), "{fin:?}");
    let stderr = String::from_utf8_lossy(&fin.stderr);
    assert!(stderr.contains("does not verify"), "{stderr}");
    assert!(!out.exists(), "nothing written after a refused signature");
    assert_no_temporaries(d);

    let sig = d.join("good.sig");
    sign_with(&key, &sig);
    let fin = kyso([
        os("sign"),
        os("--finish"),
        state.as_os_str(),
        os("--signature"),
        sig.as_os_str(),
    ]);
    assert!(fin.status.success(), "{fin:?}");
    assert_kyso_valid(&out, &pki, now, 1);
    assert_pyhanko_valid(&out, &root, 1);

    // The input changed between prepare and finish: refused, nothing written.
    let out2 = d.join("changed-signed.pdf");
    let mut changed = std::fs::read(&input).unwrap();
    changed.extend_from_slice(b"\n% appended\n");
    let changed_input = d.join("changed.pdf");
    std::fs::write(&changed_input, changed).unwrap();
    let fin = kyso([
        os("sign"),
        os("--finish"),
        state.as_os_str(),
        os("--signature"),
        sig.as_os_str(),
        changed_input.as_os_str(),
        os("-o"),
        out2.as_os_str(),
    ]);
    assert_eq!(fin.status.code(), Some(2), "{fin:?}");
    assert!(String::from_utf8_lossy(&fin.stderr).contains("not the file that was prepared"));
    assert!(!out2.exists());
    assert_no_temporaries(d);
}

fn assert_no_temporaries(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(
            !name.to_string_lossy().starts_with(".kyso-"),
            "temporary file left: {name:?}"
        );
    }
}
