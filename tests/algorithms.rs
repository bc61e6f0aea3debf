//! End to end: PDFs signed by pyHanko with keys and certificates made by OpenSSL, on the
//! algorithms ring does not have, verified by kyso (integrity, signature and the chain, whose
//! certificates are signed with the same algorithm). Each case also checks that a tampered copy
//! fails and that a key of another algorithm is not taken for the signer's.
//!
//! - ECDSA on P-521 with SHA-512 (FIPS 186-4 §6.4, D.1.2.5; RFC 5480 §2.1.1.1, RFC 5758 §3.2)
//! - ECDSA on brainpoolP256r1 with SHA-256 (RFC 5639 §3.4; OID RFC 5639 appendix A)
//! - Ed448 (RFC 8032 §5.2; RFC 8410 §3 in certificates; RFC 8419 §3 in CMS, the message digest
//!   being SHAKE256 with 512 bits, written by pyHanko as `id-shake256-len` 512 of RFC 8702 §2)
//! - RSASSA-PSS with SHA-512, MGF1-SHA-512 and a 32-byte salt (RFC 4055 §3.1, RFC 8017 §8.1):
//!   a salt shorter than the hash, which ring cannot check.
//!
//! Needs `openssl` and `pyhanko` (skipped with one line when missing, unless
//! KYSO_REQUIRE_INTEROP=1).

mod common;

use std::path::Path;

use common::interop::{run, Pyhanko};
use common::SampleXref;
use kyso::pki::{RevocationMode, TrustStore};
use kyso::report::{ChainStatus, CheckStatus, Code, VerificationReport};
use kyso::verify::{verify_bytes, VerifyOptions};

/// OpenSSL extensions: a CA and a document-signing end entity.
const EXTENSIONS: &str = "\
[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[leaf]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,nonRepudiation
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
";

/// Signs `src` into `dst` with pyHanko's library: `md` the message digest, `mech` either
/// `default` (the key's usual mechanism) or `pssN` (RSASSA-PSS, MGF1 with `md`, salt N).
const SIGN_PY: &str = r#"
import sys
from asn1crypto import algos
from pyhanko.sign import signers
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
key, cert, root, src, dst, md, mech = sys.argv[1:8]
mechanism = None
if mech.startswith("pss"):
    mechanism = algos.SignedDigestAlgorithm({
        "algorithm": "rsassa_pss",
        "parameters": algos.RSASSAPSSParams({
            "hash_algorithm": {"algorithm": md},
            "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": md}},
            "salt_length": int(mech[3:]),
        }),
    })
signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(root,), signature_mechanism=mechanism)
with open(src, "rb") as inf:
    w = IncrementalPdfFileWriter(inf)
    meta = signers.PdfSignatureMetadata(field_name="Sig1", md_algorithm=md)
    with open(dst, "wb") as outf:
        signers.sign_pdf(w, meta, signer=signer, output=outf)
print("signed")
"#;

struct Case {
    name: &'static str,
    /// `openssl genpkey` arguments.
    genpkey: &'static [&'static str],
    /// Digest option for `openssl req` / `x509` (none for Ed448).
    md: Option<&'static str>,
    /// `-sigopt` values for the certificates.
    sigopts: &'static [&'static str],
    /// pyHanko's digest and mechanism.
    py_md: &'static str,
    py_mech: &'static str,
    /// What kyso must report.
    digest_name: &'static str,
    signature_name: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "p521",
        genpkey: &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
        md: Some("-sha512"),
        sigopts: &[],
        py_md: "sha512",
        py_mech: "default",
        digest_name: "SHA-512",
        signature_name: "ECDSA",
    },
    Case {
        name: "brainpoolP256r1",
        genpkey: &[
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:brainpoolP256r1",
        ],
        md: Some("-sha256"),
        sigopts: &[],
        py_md: "sha256",
        py_mech: "default",
        digest_name: "SHA-256",
        signature_name: "ECDSA",
    },
    Case {
        name: "ed448",
        genpkey: &["-algorithm", "ED448"],
        md: None,
        sigopts: &[],
        py_md: "shake256",
        py_mech: "default",
        digest_name: "SHAKE256",
        signature_name: "Ed448",
    },
    Case {
        name: "rsa-pss-sha512-salt32",
        genpkey: &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        md: Some("-sha512"),
        sigopts: &[
            "rsa_padding_mode:pss",
            "rsa_pss_saltlen:32",
            "rsa_mgf1_md:sha512",
        ],
        py_md: "sha512",
        py_mech: "pss32",
        digest_name: "SHA-512",
        signature_name: "PSS",
    },
];

fn openssl(openssl: &Path, args: &[&str]) {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    let out = run(openssl, &args).unwrap();
    assert!(out.status.success(), "openssl {args:?}: {}", out.describe());
}

/// Root and signer keys and certificates for `case` under `dir`; returns (root, key, cert).
fn make_pki(tool: &Path, dir: &Path, case: &Case) -> [String; 3] {
    let p = |s: &str| dir.join(format!("{}-{s}", case.name)).display().to_string();
    let cnf = dir.join("ext.cnf").display().to_string();
    std::fs::write(&cnf, EXTENSIONS).unwrap();
    for who in ["root", "leaf"] {
        let mut args = vec!["genpkey"];
        args.extend_from_slice(case.genpkey);
        let out = p(&format!("{who}.key"));
        args.extend(["-out", &out]);
        openssl(tool, &args);
    }
    let sigopts: Vec<&str> = case.sigopts.iter().flat_map(|o| ["-sigopt", *o]).collect();
    let (root_key, root, csr) = (p("root.key"), p("root.pem"), p("leaf.csr"));
    let (leaf_key, leaf) = (p("leaf.key"), p("leaf.pem"));
    let subj_root = format!("/CN=kyso root {}", case.name);
    let subj_leaf = format!("/CN=kyso signer {}", case.name);
    let mut args = vec![
        "req",
        "-x509",
        "-new",
        "-key",
        &root_key,
        "-subj",
        &subj_root,
        "-days",
        "3650",
        "-config",
        &cnf,
        "-extensions",
        "ca",
        "-out",
        &root,
    ];
    args.extend(case.md);
    args.extend(&sigopts);
    openssl(tool, &args);
    let mut args = vec![
        "req", "-new", "-key", &leaf_key, "-subj", &subj_leaf, "-out", &csr,
    ];
    args.extend(case.md);
    openssl(tool, &args);
    let mut args = vec![
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &root,
        "-CAkey",
        &root_key,
        "-CAcreateserial",
        "-days",
        "3650",
        "-extfile",
        &cnf,
        "-extensions",
        "leaf",
        "-out",
        &leaf,
    ];
    args.extend(case.md);
    args.extend(&sigopts);
    openssl(tool, &args);
    [root, leaf_key, leaf]
}

fn verify(bytes: &[u8], root_pem: &str) -> VerificationReport {
    let pem = std::fs::read(root_pem).unwrap();
    let trust = TrustStore::from_pem_or_der(&pem).unwrap();
    let mut opts = VerifyOptions::new(trust);
    opts.validation.revocation.end_entity = RevocationMode::Off;
    opts.validation.revocation.intermediates = RevocationMode::Off;
    verify_bytes(bytes, &opts).unwrap()
}

#[test]
fn pyhanko_signatures_on_algorithms_ring_lacks_verify() {
    let Some(tool) = common::tool("openssl") else {
        return;
    };
    let Some(pyhanko) = Pyhanko::find() else {
        return;
    };
    let dir = common::temp_dir();
    let d = dir.path();
    let input = d.join("in.pdf");
    std::fs::write(&input, common::sample_pdf(SampleXref::Table)).unwrap();
    let script = d.join("sign.py");
    let mut failures = Vec::new();
    let mut roots = Vec::new();
    for case in CASES {
        let [root, key, cert] = make_pki(&tool, d, case);
        let out = d.join(format!("{}.pdf", case.name));
        let strs = [
            key.as_str(),
            cert.as_str(),
            root.as_str(),
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            case.py_md,
            case.py_mech,
        ];
        let args: Vec<&std::ffi::OsStr> = strs.iter().map(std::ffi::OsStr::new).collect();
        pyhanko
            .run_script(SIGN_PY, &script, &args, "pyHanko signing")
            .unwrap();
        let bytes = std::fs::read(&out).unwrap();
        let report = verify(&bytes, &root);
        let s = &report.signatures[0];
        let ok = s.integrity.digest == CheckStatus::Passed
            && s.integrity.signature == CheckStatus::Passed
            && s.integrity.signing_certificate == CheckStatus::Passed
            && s.chain.status == ChainStatus::Trusted
            && s.digest_algorithm.as_deref() == Some(case.digest_name)
            && s.signature_algorithm.as_deref().is_some_and(|a| {
                a.to_ascii_lowercase()
                    .contains(&case.signature_name.to_ascii_lowercase())
            })
            && !s
                .findings
                .iter()
                .any(|f| f.code == Code::IntegrityAlgorithmUnsupported);
        if !ok {
            failures.push(format!(
                "{}: digest {:?} {:?}, signature {:?} {:?}, chain {:?}; findings {:?}",
                case.name,
                s.integrity.digest,
                s.digest_algorithm,
                s.integrity.signature,
                s.signature_algorithm,
                s.chain.status,
                s.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
            ));
        }
        // A changed byte in the signed range: the digest no longer matches.
        let mut tampered = bytes.clone();
        let at = common::find(&tampered, b"Base revision");
        tampered[at] = b'X';
        let report = verify(&tampered, &root);
        if report.signatures[0].integrity.digest != CheckStatus::Failed {
            failures.push(format!("{}: a tampered copy was not refused", case.name));
        }
        roots.push((case.name, root, bytes));
    }
    // Each file against another case's root: never trusted.
    for (i, (name, _, bytes)) in roots.iter().enumerate() {
        let (_, other_root, _) = &roots[(i + 1) % roots.len()];
        let report = verify(bytes, other_root);
        if report.signatures[0].chain.status == ChainStatus::Trusted {
            failures.push(format!("{name}: trusted under another algorithm's root"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
