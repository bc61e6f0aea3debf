//! Keys on a PKCS#11 token: a SoftHSM2 token initialised in a temporary directory
//! (`SOFTHSM2_CONF`), RSA and EC keys and certificates imported with `pkcs11-tool` (OpenSC),
//! signatures made through kyso (library and CLI) and validated by kyso, pyHanko and
//! poppler's pdfsig. Also: a wrong PIN, a key marked always-authenticate, one login for many
//! signatures. Needs `--features pkcs11`, `softhsm2` and `opensc`.
#![cfg(feature = "pkcs11")]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use common::keys::{assert_kyso_valid, assert_pdfsig_valid, assert_pyhanko_valid, kyso_bin};
use common::pki::{TestPki, TestSigner};
use common::vectors::{base, Base};
use kyso::crypto::SignatureAlgorithm;
use kyso::sign::batch::{sign_batch, BatchItem};
use kyso::sign::{sign_file, SignOptions};
use kyso::signer::pkcs11::{KeySelector, Pkcs11Config, Pkcs11Error, Pkcs11Signer, TokenSelector};
use kyso::signer::{Signer, SignerError};
use time::OffsetDateTime;

const PIN: &str = "246810";
const SO_PIN: &str = "13579111";
const TOKEN: &str = "kyso test token";

/// The token, set up once per test process (SoftHSM reads its configuration when the module
/// is first initialised).
struct Hsm {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    conf: PathBuf,
    module: PathBuf,
    pki: TestPki,
    now: OffsetDateTime,
    root: PathBuf,
    /// What opening the token with a wrong PIN said, before anything in this process logged
    /// in (PKCS#11 login state is per application: once logged in, C_Login no longer checks).
    wrong_pin: String,
}

/// Key labels and ids on the token.
const KEYS: [(&str, &str); 6] = [
    ("rsa", "01"),
    ("p256", "02"),
    ("p384", "03"),
    ("rsa-pss", "04"),
    ("rsa-always", "05"),
    ("p256-always", "06"),
];

fn module_path() -> Option<PathBuf> {
    [
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/local/lib/softhsm/libsofthsm2.so",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// SoftHSM's file store is shared with the `kyso` processes the CLI test starts; tests take
/// turns so that no process reads a token file while another rewrites it.
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn hsm() -> Option<&'static Hsm> {
    static HSM: OnceLock<Option<Hsm>> = OnceLock::new();
    HSM.get_or_init(|| {
        let softhsm = common::tool("softhsm2-util")?;
        let pkcs11_tool = common::tool("pkcs11-tool")?;
        let openssl = common::tool("openssl")?;
        let module = match module_path() {
            Some(m) => m,
            None if common::interop_required() => panic!("libsofthsm2.so not found"),
            None => {
                eprintln!("SKIP: libsofthsm2.so not found");
                return None;
            }
        };
        let tmp = common::temp_dir();
        let dir = tmp.path().to_path_buf();
        std::fs::create_dir(dir.join("tokens")).unwrap();
        let conf = dir.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                dir.join("tokens").display()
            ),
        )
        .unwrap();
        // Set before the module is loaded by anything in this process.
        std::env::set_var("SOFTHSM2_CONF", &conf);
        run(Command::new(&softhsm).env("SOFTHSM2_CONF", &conf).args([
            "--init-token",
            "--free",
            "--label",
            TOKEN,
            "--pin",
            PIN,
            "--so-pin",
            SO_PIN,
        ]));

        let now = OffsetDateTime::now_utc();
        let pki = TestPki::generate(now);
        let root = pki.write_root(&dir);
        let signers: [&TestSigner; 6] = [
            &pki.rsa2048,
            &pki.p256,
            &pki.p384,
            &pki.rsa3072_pss,
            &pki.rsa2048, // the same keys again, marked always-authenticate
            &pki.p256,
        ];
        for ((label, id), signer) in KEYS.iter().zip(signers) {
            let (key_pem, _, _) = signer.write_pem(&dir);
            let key_der = dir.join(format!("{label}.key.der"));
            run(Command::new(&openssl)
                .args(["pkey", "-outform", "DER", "-in"])
                .arg(&key_pem)
                .arg("-out")
                .arg(&key_der));
            let cert_der = dir.join(format!("{label}.cert.der"));
            std::fs::write(&cert_der, &signer.cert_der).unwrap();
            let mut write_key = Command::new(&pkcs11_tool);
            write_key
                .env("SOFTHSM2_CONF", &conf)
                .arg("--module")
                .arg(&module)
                .args([
                    "--token-label",
                    TOKEN,
                    "--login",
                    "--pin",
                    PIN,
                    "--write-object",
                ])
                .arg(&key_der)
                .args([
                    "--type",
                    "privkey",
                    "--usage-sign",
                    "--id",
                    id,
                    "--label",
                    label,
                ]);
            if label.ends_with("-always") {
                write_key.arg("--always-auth");
            }
            run(&mut write_key);
            run(Command::new(&pkcs11_tool)
                .env("SOFTHSM2_CONF", &conf)
                .arg("--module")
                .arg(&module)
                .args([
                    "--token-label",
                    TOKEN,
                    "--login",
                    "--pin",
                    PIN,
                    "--write-object",
                ])
                .arg(&cert_der)
                .args(["--type", "cert", "--id", id, "--label", label]));
        }
        // The issuing CA's certificate on the token too, so the chain comes from the token.
        let issuing = dir.join("issuing.der");
        std::fs::write(&issuing, &pki.issuing_der).unwrap();
        run(Command::new(&pkcs11_tool)
            .env("SOFTHSM2_CONF", &conf)
            .arg("--module")
            .arg(&module)
            .args([
                "--token-label",
                TOKEN,
                "--login",
                "--pin",
                PIN,
                "--write-object",
            ])
            .arg(&issuing)
            .args(["--type", "cert", "--id", "ca", "--label", "issuing CA"]));
        let wrong_pin = match Pkcs11Signer::open(
            &Pkcs11Config::new(
                module.clone(),
                TokenSelector::Label(TOKEN.into()),
                KeySelector::Label("rsa".into()),
            ),
            "000000",
        ) {
            Err(SignerError::Pkcs11(Pkcs11Error::WrongPin)) => "PKCS#11: wrong PIN".to_owned(),
            other => format!("unexpected: {other:?}"),
        };
        Some(Hsm {
            wrong_pin,
            _dir: tmp,
            dir,
            conf,
            module,
            pki,
            now,
            root,
        })
    })
    .as_ref()
}

impl Hsm {
    fn config(&self, key: KeySelector) -> Pkcs11Config {
        Pkcs11Config::new(self.module.clone(), TokenSelector::Label(TOKEN.into()), key)
    }

    fn input(&self, name: &str) -> PathBuf {
        let p = self.dir.join(format!("{name}.in.pdf"));
        std::fs::write(&p, base(Base::Table)).unwrap();
        p
    }

    /// Signs a fresh input with `signer` and checks it with kyso, pyHanko and pdfsig.
    fn sign_and_check(&self, signer: &dyn Signer, name: &str) -> PathBuf {
        let input = self.input(name);
        let out = self.dir.join(format!("{name}.pdf"));
        sign_file(
            &input,
            &out,
            signer,
            &SignOptions::new().signing_time(self.now),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_kyso_valid(&out, &self.pki, self.now, 1);
        assert_pyhanko_valid(&out, &self.root, 1);
        assert_pdfsig_valid(&out, 1);
        out
    }
}

#[test]
fn rsa_and_ecdsa_keys_sign_and_validate() {
    let _turn = turn();
    let Some(h) = hsm() else { return };
    let cases: Vec<(
        &str,
        KeySelector,
        Option<SignatureAlgorithm>,
        bool,
        &TestSigner,
    )> = vec![
        (
            "rsa-label",
            KeySelector::Label("rsa".into()),
            None,
            false,
            &h.pki.rsa2048,
        ),
        (
            "rsa-hash-locally",
            KeySelector::Id(vec![1]),
            None,
            true,
            &h.pki.rsa2048,
        ),
        (
            "rsa-sha512",
            KeySelector::Label("rsa".into()),
            Some(SignatureAlgorithm::RsaPkcs1Sha512),
            true,
            &h.pki.rsa2048,
        ),
        (
            "rsa-pss",
            KeySelector::Label("rsa-pss".into()),
            Some(SignatureAlgorithm::RsaPssSha256),
            false,
            &h.pki.rsa3072_pss,
        ),
        (
            "rsa-pss-hash-locally",
            KeySelector::Label("rsa-pss".into()),
            Some(SignatureAlgorithm::RsaPssSha256),
            true,
            &h.pki.rsa3072_pss,
        ),
        (
            "p256-id",
            KeySelector::Id(vec![2]),
            None,
            false,
            &h.pki.p256,
        ),
        (
            "p384-label",
            KeySelector::Label("p384".into()),
            None,
            false,
            &h.pki.p384,
        ),
    ];
    for (name, key, algorithm, hash_locally, expected) in cases {
        let mut config = h.config(key).hash_locally(hash_locally);
        if let Some(a) = algorithm {
            config = config.algorithm(a);
        }
        let signer = Pkcs11Signer::open(&config, PIN).unwrap_or_else(|e| panic!("{name}: {e}"));
        // The certificate and the issuing CA come from the token.
        assert_eq!(signer.certificate(), expected.cert_der.as_slice(), "{name}");
        assert_eq!(
            signer.chain(),
            std::slice::from_ref(&h.pki.issuing_der),
            "{name}"
        );
        if let Some(a) = algorithm {
            assert_eq!(signer.algorithm(), a);
        }
        h.sign_and_check(&signer, name);
        assert_eq!(signer.user_logins(), 1);
        assert_eq!(signer.context_logins(), 0);
    }
}

#[test]
fn wrong_pin_and_missing_objects_are_clear() {
    let _turn = turn();
    let Some(h) = hsm() else { return };
    assert_eq!(h.wrong_pin, "PKCS#11: wrong PIN");

    let err = Pkcs11Signer::open(&h.config(KeySelector::Label("nope".into())), PIN).unwrap_err();
    assert!(
        err.to_string().contains("no private key labelled \"nope\""),
        "{err}"
    );

    let config = Pkcs11Config::new(
        h.module.clone(),
        TokenSelector::Label("no such token".into()),
        KeySelector::Label("rsa".into()),
    );
    let err = Pkcs11Signer::open(&config, PIN).unwrap_err();
    assert!(
        err.to_string().contains(TOKEN),
        "lists the tokens present: {err}"
    );

    let config = Pkcs11Config::new(
        h.dir.join("missing.so"),
        TokenSelector::Label(TOKEN.into()),
        KeySelector::Label("rsa".into()),
    );
    let err = Pkcs11Signer::open(&config, PIN).unwrap_err();
    assert!(
        err.to_string().contains("cannot load the PKCS#11 module"),
        "{err}"
    );

    // A certificate given by the caller that is not the key's: caught at the first signature.
    let config = h
        .config(KeySelector::Label("p256".into()))
        .certificate(h.pki.expired.cert_der.clone());
    let signer = Pkcs11Signer::open(&config, PIN).unwrap();
    let err = signer.sign(b"anything").unwrap_err();
    assert!(matches!(err, SignerError::SignatureMismatch), "{err:?}");

    // Signing a PDF with a valid certificate that is not the key's: refused as a key that
    // does not belong to the certificate, and no output file.
    let config = h
        .config(KeySelector::Label("p256".into()))
        .certificate(h.pki.untrusted.cert_der.clone());
    let signer = Pkcs11Signer::open(&config, PIN).unwrap();
    let input = h.dir.join("mismatch-in.pdf");
    std::fs::write(&input, base(Base::Table)).unwrap();
    let out = h.dir.join("mismatch-out.pdf");
    let err = sign_file(&input, &out, &signer, &SignOptions::new()).unwrap_err();
    assert!(
        matches!(
            err,
            kyso::Error::UnfitCertificate(kyso::sign::UnfitCertificate::KeyMismatch { .. })
        ),
        "{err:?}"
    );
    assert!(!out.exists());
}

#[test]
fn always_authenticate_key_logs_in_per_signature() {
    let _turn = turn();
    let Some(h) = hsm() else { return };
    let signer =
        Pkcs11Signer::open(&h.config(KeySelector::Label("rsa-always".into())), PIN).unwrap();
    assert!(signer.always_authenticate());
    for i in 0..3 {
        let sig = signer.sign(format!("document {i}").as_bytes()).unwrap();
        assert_eq!(sig.len(), 256);
    }
    assert_eq!(signer.user_logins(), 1);
    assert_eq!(signer.context_logins(), 3);
    // And whole PDFs, validated by kyso, pyHanko and pdfsig.
    h.sign_and_check(&signer, "always-1");
    h.sign_and_check(&signer, "always-2");
    assert_eq!(signer.user_logins(), 1);
    assert_eq!(signer.context_logins(), 5);

    // SoftHSM 2.6 has only single-part CKM_ECDSA: an always-authenticate EC key is refused
    // clearly instead of failing at the first signature.
    let err =
        Pkcs11Signer::open(&h.config(KeySelector::Label("p256-always".into())), PIN).unwrap_err();
    assert!(err.to_string().contains("always-authenticate"), "{err}");
}

#[test]
fn one_login_signs_a_batch() {
    let _turn = turn();
    let Some(h) = hsm() else { return };
    let signer = Pkcs11Signer::open(&h.config(KeySelector::Label("p256".into())), PIN).unwrap();
    let out_dir = h.dir.join("batch-out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let items: Vec<BatchItem> = (0..10)
        .map(|i| {
            let input = h.input(&format!("batch-{i}"));
            BatchItem::new(input, out_dir.join(format!("batch-{i}.pdf")))
        })
        .collect();
    let summary = sign_batch(
        &items,
        &signer,
        &SignOptions::new().signing_time(h.now),
        &mut |_, _, _| {},
    );
    assert_eq!(summary.signed(), 10);
    assert_eq!(signer.user_logins(), 1);
    for item in &items {
        assert_kyso_valid(&item.output, &h.pki, h.now, 1);
    }
    assert_pyhanko_valid(&items[9].output, &h.root, 1);
}

#[test]
fn cli_signs_with_the_token() {
    let _turn = turn();
    let Some(h) = hsm() else { return };
    let input = h.input("cli");
    let out = h.dir.join("cli.pdf");
    let result = Command::new(kyso_bin())
        .env("SOFTHSM2_CONF", &h.conf)
        .env("KYSO_TEST_PIN", PIN)
        .arg("sign")
        .arg("--pkcs11-module")
        .arg(&h.module)
        .args([
            "--token",
            TOKEN,
            "--key-label",
            "rsa",
            "--pin-env",
            "KYSO_TEST_PIN",
        ])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(result.status.success(), "{result:?}");
    assert_kyso_valid(&out, &h.pki, h.now, 1);
    assert_pyhanko_valid(&out, &h.root, 1);
    assert_pdfsig_valid(&out, 1);

    // PIN from a file, key by id, slot unknown: by label. Wrong PIN: exit 2, clear, nothing
    // written.
    let pin_file = h.dir.join("pin.txt");
    std::fs::write(&pin_file, "999999\n").unwrap();
    let out2 = h.dir.join("cli-wrong.pdf");
    let result = Command::new(kyso_bin())
        .env("SOFTHSM2_CONF", &h.conf)
        .arg("sign")
        .arg("--pkcs11-module")
        .arg(&h.module)
        .args(["--token", TOKEN, "--key-id", "02", "--pin-file"])
        .arg(&pin_file)
        .arg(&input)
        .arg("-o")
        .arg(&out2)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("wrong PIN"), "{stderr}");
    assert!(!out2.exists());
}

/// `kyso serve sign` with the token (issue 24): the agent signs through the token, the PIN
/// read from a file on the agent's side; then the token is deleted (`softhsm2-util
/// --delete-token`) while the agent runs, and the next request gets a clear JSON error
/// (503 `signer_failed`), not a signature and not a crash; the agent still answers after it.
#[cfg(feature = "serve")]
#[test]
fn serve_sign_agent_signs_with_the_token_and_fails_clearly_once_it_is_removed() {
    use std::io::{BufRead, BufReader};
    let _turn = turn();
    let Some(h) = hsm() else { return };
    let softhsm = common::tool("softhsm2-util").unwrap();
    // A copy of the token store: deleting the token must not disturb the other tests.
    let tmp = common::temp_dir();
    let tokens = tmp.path().join("tokens");
    run(Command::new("cp")
        .arg("-r")
        .arg(h.dir.join("tokens"))
        .arg(&tokens));
    let conf = tmp.path().join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    let pin_file = tmp.path().join("pin");
    std::fs::write(&pin_file, format!("{PIN}\n")).unwrap();
    let token_file = tmp.path().join("agent-token");
    let origin = "https://portal.example.gov.vn";
    let mut child = Command::new(kyso_bin())
        .env("SOFTHSM2_CONF", &conf)
        .args([
            "serve",
            "sign",
            "--listen",
            "127.0.0.1:0",
            "--pkcs11-module",
        ])
        .arg(&h.module)
        .args(["--token", TOKEN, "--key-label", "rsa", "--pin-file"])
        .arg(&pin_file)
        .args(["--allow-origin", origin, "--pairing-token-file"])
        .arg(&token_file)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut said = Vec::new();
    let addr = loop {
        let Some(Ok(line)) = lines.next() else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the agent stopped before listening: {said:?}");
        };
        said.push(line.clone());
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let token = std::fs::read_to_string(&token_file)
        .unwrap()
        .trim()
        .to_owned();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let pdf = base(Base::Table);
    let sign = |agent: &ureq::Agent| {
        let mut r = agent
            .post(format!("http://{addr}/v1/sign?field=Token"))
            .header("Origin", origin)
            .header("X-Kyso-Token", &token)
            .send(&pdf[..])
            .unwrap();
        let status = r.status().as_u16();
        (status, r.body_mut().read_to_vec().unwrap())
    };
    let (status, signed) = sign(&agent);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&signed));
    let out = tmp.path().join("agent-signed.pdf");
    std::fs::write(&out, &signed).unwrap();
    assert_kyso_valid(&out, &h.pki, h.now, 1);

    run(Command::new(&softhsm).env("SOFTHSM2_CONF", &conf).args([
        "--delete-token",
        "--token",
        TOKEN,
    ]));
    let (status, body) = sign(&agent);
    let body = String::from_utf8_lossy(&body).into_owned();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"signer_failed\""), "{body}");
    let mut r = agent.get(format!("http://{addr}/healthz")).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let _ = r.body_mut().read_to_string();
    run(Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string()));
    assert!(child.wait().unwrap().success());
}
