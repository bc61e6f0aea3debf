//! PKCS#12 files built here, byte by byte (RFC 7292): a file of a thousand items that each
//! ask for the most key-derivation iterations kyso runs is refused before any runs, in
//! milliseconds, and a file within the per-item limit but past the total budget is refused
//! too (issue 16, item 7); a file without a MAC opens with a warning; `--cert` chooses the
//! key of a file holding several, a certificate that matches none is refused, and `--chain`
//! adds to the file's chain (item 8).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::keys::kyso_bin;
use common::pki::{pem, TestPki, TestSigner};
use kyso::signer::{
    Pkcs12Budget, Pkcs12Error, Pkcs12Identity, Pkcs12Options, Pkcs12Warning, Signer, SoftwareSigner,
};
use time::OffsetDateTime;

// --- A small DER writer -------------------------------------------------------------------

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn int(n: u64) -> Vec<u8> {
    let mut bytes: Vec<u8> = n
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    if bytes.first().is_none_or(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    tlv(0x02, &bytes)
}

fn octets(b: &[u8]) -> Vec<u8> {
    tlv(0x04, b)
}

fn explicit0(content: Vec<u8>) -> Vec<u8> {
    tlv(0xa0, &content)
}

fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &arc in &arcs[2..] {
        let mut chunk = vec![(arc & 0x7f) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            chunk.insert(0, 0x80 | (rest & 0x7f) as u8);
            rest >>= 7;
        }
        body.extend(chunk);
    }
    tlv(0x06, &body)
}

const ID_DATA: &str = "1.2.840.113549.1.7.1";
const ID_ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
const KEY_BAG: &str = "1.2.840.113549.1.12.10.1.1";
const SHROUDED_KEY_BAG: &str = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG: &str = "1.2.840.113549.1.12.10.1.3";
const X509_CERT: &str = "1.2.840.113549.1.9.22.1";
const PBE_SHA1_3DES: &str = "1.2.840.113549.1.12.1.3";

/// A PFX without a MAC over `safes` (each a DER ContentInfo).
fn pfx(safes: &[Vec<u8>]) -> Vec<u8> {
    let auth_safe = seq(safes);
    seq(&[int(3), seq(&[oid(ID_DATA), explicit0(octets(&auth_safe))])])
}

/// An `id-data` ContentInfo holding `bags`.
fn plain_safe(bags: &[Vec<u8>]) -> Vec<u8> {
    seq(&[oid(ID_DATA), explicit0(octets(&seq(bags)))])
}

fn pbe_3des(iterations: u64) -> Vec<u8> {
    seq(&[
        oid(PBE_SHA1_3DES),
        seq(&[octets(b"saltsalt"), int(iterations)]),
    ])
}

/// A shrouded key bag whose key derivation asks for `iterations` (the ciphertext is never
/// reached when the budget refuses first).
fn shrouded_key(iterations: u64) -> Vec<u8> {
    seq(&[
        oid(SHROUDED_KEY_BAG),
        explicit0(seq(&[pbe_3des(iterations), octets(&[0x5a; 16])])),
    ])
}

/// An `id-encryptedData` safe whose decryption asks for `iterations`.
fn encrypted_safe(iterations: u64) -> Vec<u8> {
    let encrypted_data = seq(&[
        int(0),
        seq(&[oid(ID_DATA), pbe_3des(iterations), tlv(0x80, &[0x5a; 16])]),
    ]);
    seq(&[oid(ID_ENCRYPTED_DATA), explicit0(encrypted_data)])
}

fn key_bag(pkcs8: &[u8]) -> Vec<u8> {
    seq(&[oid(KEY_BAG), explicit0(pkcs8.to_vec())])
}

fn cert_bag(der: &[u8]) -> Vec<u8> {
    seq(&[
        oid(CERT_BAG),
        explicit0(seq(&[oid(X509_CERT), explicit0(octets(der))])),
    ])
}

fn pem_body(text: &str) -> Vec<u8> {
    use base64::Engine;
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

/// Two test signers whose keys are PKCS#8 (what a key bag holds).
fn two_pkcs8_signers(pki: &TestPki) -> (&TestSigner, &TestSigner) {
    let mut it = pki
        .good_signers()
        .into_iter()
        .filter(|s| s.key_pem.contains("BEGIN PRIVATE KEY"));
    (it.next().unwrap(), it.next().unwrap())
}

/// A PKCS#12 file without a MAC holding both signers' keys (plain key bags), their
/// certificates and the first signer's chain.
fn two_key_file(a: &TestSigner, b: &TestSigner) -> Vec<u8> {
    let mut bags = vec![
        key_bag(&pem_body(&a.key_pem)),
        key_bag(&pem_body(&b.key_pem)),
        cert_bag(&a.cert_der),
        cert_bag(&b.cert_der),
    ];
    bags.extend(a.chain.iter().map(|c| cert_bag(c)));
    pfx(&[plain_safe(&bags)])
}

// --- Item 7: the total budget -------------------------------------------------------------

#[test]
fn a_thousand_items_at_the_iteration_limit_are_refused_before_any_derivation() {
    // RFC 7292 §B: each shrouded key asks for 10 000 000 iterations, the most kyso runs for
    // one derivation (about 3.5 s each); a thousand of them ran for an hour before.
    let in_one_safe = pfx(&[plain_safe(
        &(0..1000)
            .map(|_| shrouded_key(10_000_000))
            .collect::<Vec<_>>(),
    )]);
    let in_many_safes = pfx(&(0..1000)
        .map(|_| encrypted_safe(10_000_000))
        .collect::<Vec<_>>());
    for (name, file) in [("keys", in_one_safe), ("safes", in_many_safes)] {
        let started = Instant::now();
        let err = Pkcs12Identity::from_der(&file, "pw").unwrap_err();
        let took = started.elapsed();
        eprintln!(
            "1 000 {name} at 10 M iterations ({} bytes): refused in {took:?}",
            file.len()
        );
        assert!(
            matches!(err, Pkcs12Error::BudgetExceeded { .. }),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains("key-derivation"), "{err}");
        assert!(took < Duration::from_secs(2), "{name}: {took:?}");
    }
}

#[test]
fn derivations_past_the_total_are_refused_even_when_each_is_within_its_limit() {
    // Two safes whose 3DES key and IV derivations cost 3 × 300 iterations each: each fits a
    // budget of 1 000, both do not, and the file is refused before either runs. (Refusal
    // after some derivations ran, at a nested level, is the OpenSSL case below.)
    let mut budget = Pkcs12Budget::default();
    budget.max_kdf_iterations = 1000;
    let opts = Pkcs12Options::new().budget(budget);
    let file = pfx(&[encrypted_safe(300), encrypted_safe(300)]);
    let err = Pkcs12Identity::from_der_with(&file, "pw", &opts).unwrap_err();
    assert!(
        matches!(err, Pkcs12Error::BudgetExceeded { limit: 1000, .. }),
        "{err:?}"
    );
    // Within the budget, the same file gets as far as decryption (a wrong password: the
    // ciphertext is noise and the file has no MAC).
    let err = Pkcs12Identity::from_der(&file, "pw").unwrap_err();
    assert!(matches!(err, Pkcs12Error::WrongPassword { .. }), "{err:?}");

    // Too many derivations, however cheap.
    let mut budget = Pkcs12Budget::default();
    budget.max_derivations = 3;
    let file = pfx(&[plain_safe(&[shrouded_key(1), shrouded_key(1)])]);
    let err = Pkcs12Identity::from_der_with(&file, "pw", &Pkcs12Options::new().budget(budget))
        .unwrap_err();
    assert!(err.to_string().contains("key derivations"), "{err}");
}

#[test]
fn an_openssl_file_needs_a_few_thousand_iterations_and_a_small_budget_refuses_it() {
    let Some(openssl) = common::tool("openssl") else {
        return;
    };
    let dir = common::temp_dir();
    let pki = TestPki::generate(OffsetDateTime::now_utc());
    let (key, cert, chain) = pki.p256.write_pem(dir.path());
    let out = dir.path().join("modern.p12");
    common::keys::openssl_pkcs12(&openssl, &key, &cert, Some(&chain), &out, "pw", &[]);
    let der = std::fs::read(&out).unwrap();
    // MAC, certificates' safe and key: 2 048 iterations each (OpenSSL 3's default). With a
    // budget of 5 000 the MAC and the certificates' safe run (4 096) and the key's safe is
    // refused when its derivation is planned.
    let identity = Pkcs12Identity::from_der(&der, "pw").unwrap();
    assert!(identity.warnings.is_empty(), "{:?}", identity.warnings);
    let mut budget = Pkcs12Budget::default();
    budget.max_kdf_iterations = 5000;
    let err = Pkcs12Identity::from_der_with(&der, "pw", &Pkcs12Options::new().budget(budget))
        .unwrap_err();
    assert!(matches!(err, Pkcs12Error::BudgetExceeded { .. }), "{err:?}");
}

// --- Item 7: no MAC; item 8: choosing the key and adding to the chain ---------------------

#[test]
fn a_file_without_a_mac_opens_with_a_warning() {
    let pki = TestPki::generate(OffsetDateTime::now_utc());
    let (a, _) = two_pkcs8_signers(&pki);
    let mut bags = vec![key_bag(&pem_body(&a.key_pem)), cert_bag(&a.cert_der)];
    bags.extend(a.chain.iter().map(|c| cert_bag(c)));
    let file = pfx(&[plain_safe(&bags)]);
    let identity = Pkcs12Identity::from_der(&file, "").unwrap();
    assert_eq!(identity.certificate, a.cert_der);
    assert_eq!(identity.chain, a.chain);
    assert_eq!(identity.warnings, [Pkcs12Warning::NoIntegrityMac]);
    assert!(Pkcs12Warning::NoIntegrityMac
        .to_string()
        .contains("no integrity MAC"));
}

#[test]
fn the_certificate_chooses_the_key_and_the_chain_is_added_to() {
    let pki = TestPki::generate(OffsetDateTime::now_utc());
    let (a, b) = two_pkcs8_signers(&pki);
    let file = two_key_file(a, b);

    // Two keys and no certificate to choose: refused, saying how to choose.
    let err = Pkcs12Identity::from_der(&file, "pw").unwrap_err();
    assert_eq!(err, Pkcs12Error::SeveralKeys { count: 2 });
    assert!(err.to_string().contains("certificate"), "{err}");

    for signer in [a, b] {
        let opts = Pkcs12Options::new().certificate(signer.cert_der.clone());
        let id = Pkcs12Identity::from_der_with(&file, "pw", &opts).unwrap();
        assert_eq!(id.certificate, signer.cert_der, "{}", signer.id);
        assert!(id.key.check_matches_certificate(&signer.cert_der).is_ok());
        // The other signer's certificate stays in the chain, after the issuer path.
        assert!(!id.chain.contains(&signer.cert_der));
    }

    // A certificate of no key in the file: refused, never another key taken instead.
    let stranger = &pki.untrusted;
    let opts = Pkcs12Options::new().certificate(stranger.cert_der.clone());
    let err = Pkcs12Identity::from_der_with(&file, "pw", &opts).unwrap_err();
    assert!(
        matches!(err, Pkcs12Error::CertificateNotInFile { keys: 2, .. }),
        "{err:?}"
    );

    // The chain given is added to the file's (issuer path first), duplicates dropped.
    let opts = Pkcs12Options::new()
        .certificate(a.cert_der.clone())
        .extra_chain(vec![pki.root_der.clone(), a.chain[0].clone()]);
    let s = SoftwareSigner::from_pkcs12_with(&file, "pw", &opts).unwrap();
    assert_eq!(s.certificate(), a.cert_der);
    assert_eq!(s.chain().first(), a.chain.first());
    assert_eq!(s.chain().get(1), Some(&pki.root_der));
    assert_eq!(
        s.chain().iter().filter(|c| **c == a.chain[0]).count(),
        1,
        "duplicates dropped"
    );
    assert!(s.chain().contains(&b.cert_der));
}

fn sign_cli(dir: &Path, p12: &Path, extra: &[&std::ffi::OsStr]) -> std::process::Output {
    let input = dir.join("input.pdf");
    if !input.exists() {
        std::fs::write(&input, common::vectors::base(common::vectors::Base::Table)).unwrap();
    }
    let out = dir.join("signed.pdf");
    let _ = std::fs::remove_file(&out);
    Command::new(kyso_bin())
        .env("KYSO_TEST_P12_PASSWORD", "pw")
        .arg("sign")
        .arg("--p12")
        .arg(p12)
        .args(["--password-env", "KYSO_TEST_P12_PASSWORD"])
        .args(extra)
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap()
}

#[test]
fn cli_p12_with_cert_and_chain() {
    let dir = common::temp_dir();
    let d = dir.path();
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let (a, b) = two_pkcs8_signers(&pki);
    let p12 = d.join("two-keys.p12");
    std::fs::write(&p12, two_key_file(a, b)).unwrap();
    let cert_b = d.join("b.pem");
    std::fs::write(&cert_b, pem("CERTIFICATE", &b.cert_der)).unwrap();
    let stranger = d.join("stranger.pem");
    std::fs::write(&stranger, pem("CERTIFICATE", &pki.untrusted.cert_der)).unwrap();
    let root = pki.write_root(d);

    // Several keys, no --cert: refused, naming the option.
    let out = sign_cli(d, &p12, &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--cert"), "{stderr}");
    assert!(!d.join("signed.pdf").exists());

    // A certificate that matches no key: refused, nothing written.
    let out = sign_cli(d, &p12, &["--cert".as_ref(), stranger.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("belongs to none"), "{stderr}");
    assert!(stderr.contains("stranger.pem"), "{stderr}");
    assert!(!d.join("signed.pdf").exists());

    // --cert chooses b's key; --chain adds the root; the file has no MAC: a warning.
    let out = sign_cli(
        d,
        &p12,
        &[
            "--cert".as_ref(),
            cert_b.as_os_str(),
            "--chain".as_ref(),
            root.as_os_str(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning") && stderr.contains("no integrity MAC"),
        "{stderr}"
    );
    let signed = std::fs::read(d.join("signed.pdf")).unwrap();
    let opts = kyso::verify::VerifyOptions::new(pki.trust()).validation_time(now);
    let r = kyso::verify::verify_bytes(&signed, &opts).unwrap();
    let signer = r.signatures[0].signer.as_ref().unwrap();
    let b_sha256: String = kyso::crypto::digest(kyso::crypto::DigestAlgorithm::Sha256, &b.cert_der)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    assert_eq!(signer.sha256, b_sha256);
    // The root given with --chain is in the signature's certificates.
    let cms = cms_certificates(&signed);
    assert!(
        cms.contains(&pki.root_der),
        "the --chain certificate is embedded"
    );
    assert!(cms.contains(&b.cert_der));
}

/// The certificates of the first signature's CMS.
fn cms_certificates(pdf: &[u8]) -> Vec<Vec<u8>> {
    let doc = kyso::pdf::Document::open(pdf).unwrap();
    let last = doc.last_revision();
    let sigs = kyso::pdf::signature_dictionaries(&doc, last).unwrap();
    let dict = &sigs[0].1;
    let contents = dict.get(b"Contents").unwrap().as_string().unwrap();
    let sd = kyso::cms::parse_signed_data(&contents.bytes).unwrap();
    sd.certificates.iter().map(|c| c.to_vec()).collect()
}
