//! Batch signing: fifty documents with one signer opened once, one corrupt input reported
//! and the other forty-nine signed and valid; a failing signer stops the batch; the CLI
//! prints JSON lines when its output is not a terminal.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::keys::{assert_kyso_valid, assert_pyhanko_valid, kyso_bin, openssl_pkcs12};
use common::pki::TestPki;
use common::vectors::{base, Base};
use kyso::crypto::SignatureAlgorithm;
use kyso::sign::batch::{plan, sign_batch, BatchItem, BatchStatus};
use kyso::sign::SignOptions;
use kyso::signer::{Signer, SignerError, SoftwareSigner};
use time::OffsetDateTime;

/// Stands in for a token: counts how often it was opened ("logins") and how many
/// signatures it made; optionally fails from the `fail_from`-th signature on.
struct CountingSigner {
    inner: SoftwareSigner,
    signatures: AtomicUsize,
    fail_from: Option<usize>,
}

static OPENS: AtomicUsize = AtomicUsize::new(0);

impl CountingSigner {
    fn open(inner: SoftwareSigner, fail_from: Option<usize>) -> Self {
        OPENS.fetch_add(1, Ordering::SeqCst);
        CountingSigner {
            inner,
            signatures: AtomicUsize::new(0),
            fail_from,
        }
    }
}

impl Signer for CountingSigner {
    fn certificate(&self) -> &[u8] {
        self.inner.certificate()
    }
    fn chain(&self) -> &[Vec<u8>] {
        self.inner.chain()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        self.inner.algorithm()
    }
    fn max_signature_len(&self) -> usize {
        self.inner.max_signature_len()
    }
    fn sign(&self, bytes: &[u8]) -> Result<Vec<u8>, SignerError> {
        let n = self.signatures.fetch_add(1, Ordering::SeqCst) + 1;
        if self.fail_from.is_some_and(|f| n >= f) {
            return Err(SignerError::SigningFailed {
                reason: "token removed",
            });
        }
        self.inner.sign(bytes)
    }
}

fn inputs(dir: &std::path::Path, count: usize, corrupt: usize) -> Vec<PathBuf> {
    (0..count)
        .map(|i| {
            let p = dir.join(format!("quyet-dinh-{i:02}.pdf"));
            let bytes = if i == corrupt {
                b"%PDF-1.7\nthis is not really a PDF\n%%EOF\n".to_vec()
            } else if i % 2 == 0 {
                base(Base::Table)
            } else {
                base(Base::Stream)
            };
            std::fs::write(&p, bytes).unwrap();
            p
        })
        .collect()
}

#[test]
fn fifty_documents_one_login_one_corrupt() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let in_dir = dir.path().join("in");
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&in_dir).unwrap();
    std::fs::create_dir_all(&out_dir).unwrap();
    let root = pki.write_root(dir.path());
    inputs(&in_dir, 50, 17);

    let items = plan(std::slice::from_ref(&in_dir), &out_dir).unwrap();
    assert_eq!(items.len(), 50);
    let opens_before = OPENS.load(Ordering::SeqCst);
    let signer = CountingSigner::open(pki.p256.signer(), None);
    let mut seen = Vec::new();
    let summary = sign_batch(
        &items,
        &signer,
        &SignOptions::new()
            .signing_time(now)
            .reason("Phê duyệt hàng loạt"),
        &mut |index, total, outcome| {
            assert_eq!(total, 50);
            seen.push((index, matches!(outcome.status, BatchStatus::Signed)));
        },
    );
    assert_eq!(OPENS.load(Ordering::SeqCst) - opens_before, 1, "one login");
    assert_eq!(signer.signatures.load(Ordering::SeqCst), 49);
    assert_eq!(seen.len(), 50);
    assert_eq!(summary.signed(), 49);
    let failed: Vec<_> = summary.not_signed().collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].item.input.ends_with("quyet-dinh-17.pdf"));
    let BatchStatus::Failed(e) = &failed[0].status else {
        panic!("{:?}", failed[0].status)
    };
    assert!(e.to_string().contains("quyet-dinh-17.pdf"), "{e}");
    assert!(!failed[0].item.output.exists());

    for (i, item) in items.iter().enumerate() {
        if i == 17 {
            continue;
        }
        assert_kyso_valid(&item.output, &pki, now, 1);
        assert!(std::fs::read(&item.output)
            .unwrap()
            .starts_with(&std::fs::read(&item.input).unwrap()));
    }
    for i in [0, 25, 49] {
        assert_pyhanko_valid(&items[i].output, &root, 1);
    }
}

#[test]
fn a_failing_signer_stops_the_batch() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let files = inputs(dir.path(), 6, usize::MAX);
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let items: Vec<BatchItem> = files
        .iter()
        .map(|f| BatchItem::new(f.clone(), out.join(f.file_name().unwrap())))
        .collect();
    let signer = CountingSigner::open(pki.rsa2048.signer(), Some(3));
    let summary = sign_batch(&items, &signer, &SignOptions::new(), &mut |_, _, _| {});
    let kinds: Vec<&str> = summary
        .outcomes
        .iter()
        .map(|o| match o.status {
            BatchStatus::Signed => "signed",
            BatchStatus::Failed(_) => "failed",
            BatchStatus::NotAttempted => "not attempted",
            _ => "?",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "signed",
            "signed",
            "failed",
            "not attempted",
            "not attempted",
            "not attempted"
        ]
    );
    assert_eq!(signer.signatures.load(Ordering::SeqCst), 3);
}

#[test]
fn plan_refuses_colliding_names() {
    let dir = common::temp_dir();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(a.join("x.pdf"), b"").unwrap();
    std::fs::write(b.join("x.pdf"), b"").unwrap();
    let err = plan(&[a.join("x.pdf"), b.join("x.pdf")], dir.path()).unwrap_err();
    assert!(err.to_string().contains("overwrite"), "{err}");
}

#[test]
fn cli_batch_prints_json_lines_and_a_summary() {
    let Some(openssl) = common::tool("openssl") else {
        return;
    };
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let d = dir.path();
    let in_dir = d.join("in");
    std::fs::create_dir_all(&in_dir).unwrap();
    inputs(&in_dir, 6, 2);
    let (key, cert, chain) = pki.rsa2048.write_pem(d);
    let p12 = d.join("official.p12");
    openssl_pkcs12(
        &openssl,
        &key,
        &cert,
        Some(&chain),
        &p12,
        "pw",
        &["-legacy"],
    );
    let out_dir = d.join("out");
    let result = Command::new(kyso_bin())
        .env("KYSO_TEST_PW", "pw")
        .args(["sign", "--p12"])
        .arg(&p12)
        .args(["--password-env", "KYSO_TEST_PW", "--output-dir"])
        .arg(&out_dir)
        .arg(&in_dir)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2), "{result:?}");
    let stdout = String::from_utf8(result.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 7, "{stdout}");
    for (i, line) in lines.iter().take(6).enumerate() {
        let want = if i == 2 { "failed" } else { "signed" };
        assert_eq!(line["status"], want, "{line}");
    }
    assert!(lines[2]["error"]
        .as_str()
        .unwrap()
        .contains("quyet-dinh-02.pdf"));
    assert_eq!(lines[6]["signed"], 5);
    assert_eq!(lines[6]["not_signed"], 1);
    for i in [0, 1, 3, 4, 5] {
        assert_kyso_valid(
            &out_dir.join(format!("quyet-dinh-{i:02}.pdf")),
            &pki,
            now,
            1,
        );
    }
    assert!(!out_dir.join("quyet-dinh-02.pdf").exists());
}
