//! Helpers shared by the integration tests: finding interop tools, temporary directories, the
//! shared corpus. Each test crate declares `mod common;` and uses a subset.
#![allow(dead_code)]

pub mod attacks;
pub mod cli;
pub mod corpus;
pub mod drawing;
pub mod forms;
pub mod interop;
pub mod keys;
pub mod lopdf_glue;
pub mod ltv_pki;
pub mod manifest;
pub mod ocsp;
pub mod pki;
pub mod tsa;
pub mod vectors;
pub mod vn_document;
pub mod x509;

#[allow(unused_imports)]
pub use corpus::corpus;

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Name of the environment variable that turns a missing interop tool into a failure.
pub const REQUIRE_INTEROP_ENV: &str = "KYSO_REQUIRE_INTEROP";

/// True when `KYSO_REQUIRE_INTEROP=1`: missing interop tools fail the tests instead of
/// skipping them (CI sets it).
pub fn interop_required() -> bool {
    std::env::var(REQUIRE_INTEROP_ENV).is_ok_and(|v| v == "1")
}

/// Finds the executable `name` on `PATH`.
///
/// If it is missing: panics when [`interop_required`], otherwise prints `SKIP: NAME not
/// installed` to stderr and returns `None` so that the caller can return early.
pub fn tool(name: &str) -> Option<PathBuf> {
    if let Some(path) = find_on_path(name) {
        return Some(path);
    }
    if interop_required() {
        panic!("interop tool {name} is required ({REQUIRE_INTEROP_ENV}=1) but missing from PATH");
    }
    // Written to the process's stderr directly, not through `eprintln!`, so that the notice
    // shows in test logs even though libtest captures the output of passing tests.
    let _ = writeln!(std::io::stderr(), "SKIP: {name} not installed");
    None
}

/// The executable `name` on `PATH`, without any skip/require policy.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

/// Makes `pages_id` the page tree node (`/Type /Pages`) whose kids are `pages`.
pub fn lopdf_pages(
    doc: &mut lopdf::Document,
    pages_id: lopdf::ObjectId,
    pages: &[lopdf::ObjectId],
) {
    let kids: Vec<lopdf::Object> = pages.iter().map(|&p| p.into()).collect();
    let count = kids.len() as i64;
    let mut tree = lopdf::Dictionary::new();
    tree.set("Type", "Pages");
    tree.set("Kids", kids);
    tree.set("Count", count);
    doc.objects
        .insert(pages_id, lopdf::Object::Dictionary(tree));
}

/// Sets the trailer's `/ID` to `[<id> <id>]` (both halves the same, written in hex).
pub fn lopdf_id(doc: &mut lopdf::Document, id: &[u8]) {
    let half = || lopdf::Object::String(id.to_vec(), lopdf::StringFormat::Hexadecimal);
    doc.trailer.set("ID", vec![half(), half()]);
}

/// The position of the first `needle` in `hay`; panics when there is none.
pub fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{:?} not found", String::from_utf8_lossy(needle)))
}

/// The position of the last `needle` in `hay`; panics when there is none.
pub fn rfind(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .rposition(|w| w == needle)
        .unwrap_or_else(|| panic!("{:?} not found", String::from_utf8_lossy(needle)))
}

/// Pseudo-random bytes (xorshift from `seed`): incompressible, so stored without Flate.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A fresh temporary directory, removed when dropped: under cargo's per-target temporary
/// directory (inside the target directory) when cargo provides one, else the system's.
pub fn temp_dir() -> tempfile::TempDir {
    let mut builder = tempfile::Builder::new();
    builder.prefix("kyso-test-");
    let result = match option_env!("CARGO_TARGET_TMPDIR") {
        Some(dir) if Path::new(dir).is_dir() => builder.tempdir_in(dir),
        _ => builder.tempdir(),
    };
    result.unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"))
}

/// A throw-away PKI written as PEM files: a root CA and a signer certificate issued by it.
#[derive(Debug)]
pub struct TestPki {
    /// The root certificate (PEM).
    pub root_cert: PathBuf,
    /// The signer's certificate (PEM).
    pub signer_cert: PathBuf,
    /// The signer's private key (PKCS#8 PEM, unencrypted).
    pub signer_key: PathBuf,
}

impl TestPki {
    /// The signer's key and certificate for pyHanko, with `chain` embedded.
    pub fn pem_signer<'a>(&'a self, chain: &'a [&'a Path]) -> interop::PemSigner<'a> {
        interop::PemSigner {
            key: &self.signer_key,
            cert: &self.signer_cert,
            chain,
        }
    }
}

/// Generates a fresh ECDSA P-256 root and signer with rcgen and writes them into `dir`.
pub fn write_test_pki(dir: &Path, label: &str) -> TestPki {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair,
        KeyUsagePurpose,
    };
    let mut root_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    root_params
        .distinguished_name
        .push(DnType::CommonName, format!("kyso test root {label}"));
    root_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let root = CertifiedIssuer::self_signed(root_params, KeyPair::generate().unwrap()).unwrap();

    let signer_key = KeyPair::generate().unwrap();
    let mut signer_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    signer_params
        .distinguished_name
        .push(DnType::CommonName, format!("kyso test signer {label}"));
    signer_params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    let signer = signer_params.signed_by(&signer_key, &root).unwrap();

    let pki = TestPki {
        root_cert: dir.join(format!("{label}-root.pem")),
        signer_cert: dir.join(format!("{label}-signer.pem")),
        signer_key: dir.join(format!("{label}-signer.key")),
    };
    std::fs::write(&pki.root_cert, root.pem()).unwrap();
    std::fs::write(&pki.signer_cert, signer.pem()).unwrap();
    std::fs::write(&pki.signer_key, signer_key.serialize_pem()).unwrap();
    pki
}

/// How [`sample_pdf`] saves the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleXref {
    /// A classic cross-reference table.
    Table,
    /// A cross-reference stream, with the other objects in object streams.
    StreamWithObjectStreams,
}

/// A one-page PDF built with lopdf: catalog, page tree, page with a content stream and a
/// font, an `/Info` dictionary and an `/ID`.
pub fn sample_pdf(xref: SampleXref) -> Vec<u8> {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
    });
    let content = Stream::new(
        dictionary! {},
        b"BT /F1 24 Tf 72 700 Td (Base revision) Tj ET".to_vec(),
    );
    let content_id = doc.add_object(content);
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        "Contents" => content_id,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
    });
    lopdf_pages(&mut doc, pages_id, &[page_id]);
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let info_id = doc.add_object(dictionary! {
        "Title" => Object::string_literal("kyso sample"),
        "Producer" => Object::string_literal("lopdf"),
    });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    lopdf_id(&mut doc, b"kyso-sample-id-1");
    let mut out = Vec::new();
    match xref {
        SampleXref::Table => {
            doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
            doc.save_to(&mut out).unwrap()
        }
        SampleXref::StreamWithObjectStreams => doc.save_modern(&mut out).unwrap(),
    }
    out
}
