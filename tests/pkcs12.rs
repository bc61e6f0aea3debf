//! PKCS#12 files made by OpenSSL 3 (the modern default, `-legacy`, RC2-40 keys, no MAC, an
//! empty password), RSA and ECDSA: kyso opens them, signs, and kyso and pyHanko validate the
//! result; wrong passwords and unsupported encryption give clear errors.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::keys::{assert_kyso_valid, assert_pyhanko_valid, kyso_bin, openssl_pkcs12};
use common::pki::{TestPki, TestSigner};
use common::vectors::{base, Base};
use kyso::sign::{sign_file, SignOptions};
use kyso::signer::{Pkcs12Error, Pkcs12Identity, Signer, SignerError, SoftwareSigner};
use time::OffsetDateTime;

struct Fixture {
    dir: tempfile::TempDir,
    pki: TestPki,
    now: OffsetDateTime,
    root: PathBuf,
    input: PathBuf,
    openssl: PathBuf,
}

fn fixture() -> Option<Fixture> {
    let openssl = common::tool("openssl")?;
    let dir = common::temp_dir();
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let root = pki.write_root(dir.path());
    let input = dir.path().join("input.pdf");
    std::fs::write(&input, base(Base::Table)).unwrap();
    Some(Fixture {
        dir,
        pki,
        now,
        root,
        input,
        openssl,
    })
}

impl Fixture {
    /// Writes `NAME.p12` for `signer` with `password` and OpenSSL's `extra` arguments.
    fn p12(&self, signer: &TestSigner, name: &str, password: &str, extra: &[&str]) -> PathBuf {
        let (key, cert, chain) = signer.write_pem(self.dir.path());
        let out = self.dir.path().join(format!("{name}.p12"));
        openssl_pkcs12(
            &self.openssl,
            &key,
            &cert,
            Some(&chain),
            &out,
            password,
            extra,
        );
        out
    }

    /// What `openssl pkcs12 -info` says about the file's algorithms.
    fn info(&self, p12: &Path, password: &str) -> String {
        let out = Command::new(&self.openssl)
            .args(["pkcs12", "-info", "-noout", "-legacy", "-passin"])
            .arg(format!("pass:{password}"))
            .arg("-in")
            .arg(p12)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    /// Signs the input with `signer`, checks it with kyso and pyHanko.
    fn sign_and_check(&self, signer: &SoftwareSigner, name: &str) {
        let out = self.dir.path().join(format!("{name}.pdf"));
        let opts = SignOptions::new().signing_time(self.now);
        sign_file(&self.input, &out, signer, &opts).unwrap();
        assert_kyso_valid(&out, &self.pki, self.now, 1);
        assert_pyhanko_valid(&out, &self.root, 1);
    }
}

/// Each case: signer, OpenSSL arguments, algorithms `openssl pkcs12 -info` must report.
fn cases(pki: &TestPki) -> Vec<(&TestSigner, &'static str, Vec<&'static str>, Vec<&str>)> {
    vec![
        (
            &pki.rsa2048,
            "modern-rsa",
            vec![],
            vec!["MAC: sha256", "PBES2, PBKDF2, AES-256-CBC"],
        ),
        (
            &pki.p256,
            "modern-p256",
            vec![],
            vec!["MAC: sha256", "PBES2, PBKDF2, AES-256-CBC"],
        ),
        (
            &pki.rsa2048,
            "legacy-rsa",
            vec!["-legacy"],
            vec![
                "MAC: sha1",
                "pbeWithSHA1And40BitRC2-CBC",
                "pbeWithSHA1And3-KeyTripleDES-CBC",
            ],
        ),
        (
            &pki.p384,
            "legacy-p384-rc2-key",
            vec!["-legacy", "-keypbe", "PBE-SHA1-RC2-40"],
            vec!["MAC: sha1", "Shrouded Keybag: pbeWithSHA1And40BitRC2-CBC"],
        ),
        (
            &pki.p256,
            "legacy-p256-2des-rc2-128",
            vec![
                "-legacy",
                "-keypbe",
                "PBE-SHA1-2DES",
                "-certpbe",
                "PBE-SHA1-RC2-128",
            ],
            vec![
                "pbeWithSHA1And2-KeyTripleDES-CBC",
                "pbeWithSHA1And128BitRC2-CBC",
            ],
        ),
        (
            &pki.rsa2048,
            "modern-aes128-sha512-mac",
            vec![
                "-keypbe",
                "AES-128-CBC",
                "-certpbe",
                "AES-128-CBC",
                "-macalg",
                "sha512",
            ],
            vec!["MAC: sha512", "AES-128-CBC"],
        ),
    ]
}

#[test]
fn openssl_files_open_sign_and_validate() {
    let Some(f) = fixture() else { return };
    let password = "Mật khẩu 2024!";
    for (signer, name, extra, expected_info) in cases(&f.pki) {
        let p12 = f.p12(signer, name, password, &extra);
        let info = f.info(&p12, password);
        for want in expected_info {
            assert!(info.contains(want), "{name}: expected {want:?} in:\n{info}");
        }
        let identity = Pkcs12Identity::from_der(&std::fs::read(&p12).unwrap(), password)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(identity.certificate, signer.cert_der, "{name}");
        assert_eq!(identity.chain, signer.chain, "{name}: chain");
        let s = SoftwareSigner::from_pkcs12_file(&p12, password)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(s.algorithm(), signer.algorithm, "{name}");
        f.sign_and_check(&s, name);
    }
}

#[test]
fn no_mac_and_empty_password() {
    let Some(f) = fixture() else { return };
    let p12 = f.p12(&f.pki.p256, "nomac", "pw", &["-nomac"]);
    assert!(f.info(&p12, "pw").contains("MAC is absent"));
    let s = SoftwareSigner::from_pkcs12_file(&p12, "pw").unwrap();
    f.sign_and_check(&s, "nomac");

    let p12 = f.p12(&f.pki.rsa2048, "empty", "", &[]);
    let s = SoftwareSigner::from_pkcs12_file(&p12, "").unwrap();
    f.sign_and_check(&s, "empty");
    let p12 = f.p12(&f.pki.rsa2048, "empty-legacy", "", &["-legacy"]);
    let s = SoftwareSigner::from_pkcs12_file(&p12, "").unwrap();
    f.sign_and_check(&s, "empty-legacy");
}

#[test]
fn wrong_password_and_unsupported_encryption_are_clear() {
    let Some(f) = fixture() else { return };
    for (name, extra) in [("modern", vec![]), ("legacy", vec!["-legacy"])] {
        let p12 = f.p12(&f.pki.p256, name, "right", &extra);
        let err = Pkcs12Identity::from_der(&std::fs::read(&p12).unwrap(), "wrong").unwrap_err();
        assert!(
            matches!(err, Pkcs12Error::WrongPassword { .. }),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains("wrong password"), "{err}");
    }

    let p12 = f.p12(
        &f.pki.p256,
        "rc4",
        "pw",
        &["-legacy", "-keypbe", "PBE-SHA1-RC4-128"],
    );
    let err = match SoftwareSigner::from_pkcs12_file(&p12, "pw") {
        Err(SignerError::Pkcs12(e)) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        err,
        Pkcs12Error::UnsupportedEncryption {
            algorithm: "pbeWithSHAAnd128BitRC4".into()
        }
    );
    assert!(err.to_string().contains("unsupported PKCS#12 encryption"));

    // A PEM key is not a PKCS#12 file.
    let (key, _, _) = f.pki.p256.write_pem(f.dir.path());
    let err = SoftwareSigner::from_pkcs12_file(&key, "pw").unwrap_err();
    assert!(err.to_string().contains("malformed PKCS#12"), "{err}");
}

#[test]
fn cli_password_from_file_and_environment() {
    let Some(f) = fixture() else { return };
    let p12 = f.p12(&f.pki.rsa2048, "cli", "s3cret", &["-legacy"]);
    let pw_file = f.dir.path().join("password.txt");
    std::fs::write(&pw_file, "s3cret\n").unwrap();

    let out1 = f.dir.path().join("cli-file.pdf");
    let status = Command::new(kyso_bin())
        .arg("sign")
        .arg("--p12")
        .arg(&p12)
        .arg("--password-file")
        .arg(&pw_file)
        .arg(&f.input)
        .arg("-o")
        .arg(&out1)
        .status()
        .unwrap();
    assert!(status.success());
    assert_kyso_valid(&out1, &f.pki, f.now, 1);
    assert_pyhanko_valid(&out1, &f.root, 1);

    let out2 = f.dir.path().join("cli-env.pdf");
    let status = Command::new(kyso_bin())
        .env("KYSO_TEST_P12_PASSWORD", "s3cret")
        .arg("sign")
        .arg("--p12")
        .arg(&p12)
        .arg("--password-env")
        .arg("KYSO_TEST_P12_PASSWORD")
        .arg(&f.input)
        .arg("-o")
        .arg(&out2)
        .status()
        .unwrap();
    assert!(status.success());
    assert_kyso_valid(&out2, &f.pki, f.now, 1);

    // A wrong password: exit 2, one clear line, nothing written.
    let out3 = f.dir.path().join("cli-wrong.pdf");
    let result = Command::new(kyso_bin())
        .env("KYSO_TEST_P12_PASSWORD", "nope")
        .arg("sign")
        .arg("--p12")
        .arg(&p12)
        .arg("--password-env")
        .arg("KYSO_TEST_P12_PASSWORD")
        .arg(&f.input)
        .arg("-o")
        .arg(&out3)
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("wrong password"), "{stderr}");
    assert!(stderr.contains("cli.p12"), "{stderr}");
    assert!(!out3.exists());

    // No password source and no terminal: refused, not an empty password guessed.
    let result = Command::new(kyso_bin())
        .arg("sign")
        .arg("--p12")
        .arg(&p12)
        .arg(&f.input)
        .arg("-o")
        .arg(&out3)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("--password-file"), "{stderr}");
}
