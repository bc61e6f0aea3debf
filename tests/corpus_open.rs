//! Opens every PDF of the shared corpus with the revision-aware reader, and compares the
//! signature fields it finds with what pyHanko reported for the signed-PDF part of the corpus
//! (`04-signed-pdfs/observed-pyhanko.tsv`).
//!
//! The corpus is read in place from `../shared/corpus/`; without it the test is skipped with
//! one line (`tests/common/corpus.rs`; `KYSO_REQUIRE_CORPUS=1` makes that a failure).

#[path = "common/corpus.rs"]
mod corpus;

use std::collections::BTreeMap;
use std::path::Path;

use kyso::pdf::{self, Document, FileSource, Object};

/// Files where our list of signed signature fields is expected to differ from pyHanko's,
/// with the reason.
/// Files kyso refuses to open, with the text the error must carry and why that is right.
const REFUSED: &[(&str, &str, &str)] = &[(
    "04-signed-pdfs/pyhanko/signed-encrypted-pubkey-with-catalog-ref.pdf",
    "/Adobe.PubSec",
    "encrypted with the public-key security handler: its strings and streams cannot be read \
     without the recipient's key (pyHanko lists nothing without it either); kyso says which \
     handler instead of comparing ciphertext (issue 19 §1)",
)];

const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "04-signed-pdfs/pyhanko/coverage-anomalies/base.pdf",
        "pyHanko found the field but failed to parse its CMS blob, so it reported no signature",
    ),
    (
        "04-signed-pdfs/endesive/pdf-adobe-webcapture-x509.rsa_sha1.pdf",
        "adbe.x509.rsa_sha1 signature: pyHanko does not list this subfilter",
    ),
];

/// Names of the signature fields that carry a value, in the last revision.
fn signed_field_names(doc: &Document<FileSource>) -> Result<Vec<String>, pdf::PdfError> {
    let rev = doc.last_revision();
    let mut names = Vec::new();
    for f in pdf::signature_fields(doc, rev)? {
        let has_value = match &f.value {
            Some(v) => !matches!(doc.resolve(rev, v)?, Object::Null),
            None => false,
        };
        if has_value {
            names.push(f.name);
        }
    }
    names.sort();
    Ok(names)
}

#[test]
fn every_corpus_pdf_opens_and_signature_fields_match_pyhanko() {
    let Some(root) = corpus::corpus("") else {
        return;
    };
    let root = root.as_path();
    let files = corpus::pdfs_under(root);
    assert!(!files.is_empty(), "no PDF found under {}", root.display());

    // pyHanko's observations, keyed by path under the corpus root: file -> sorted field
    // names (empty when it found none), and (file, field) -> coverage.
    let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut coverage: BTreeMap<(String, String), String> = BTreeMap::new();
    for part in ["03-pdf-attacks", "04-signed-pdfs"] {
        let tsv_path = root.join(part).join("observed-pyhanko.tsv");
        let tsv = std::fs::read_to_string(&tsv_path).expect("observed-pyhanko.tsv");
        for line in tsv.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(file), Some(idx), Some(field)) = (cols.first(), cols.get(1), cols.get(2))
            else {
                continue;
            };
            let key = format!("{part}/{file}");
            let names = expected.entry(key.clone()).or_default();
            if *idx != "-" {
                names.push((*field).to_string());
                if let Some(c) = cols.get(10) {
                    coverage.insert((key, (*field).to_string()), (*c).to_string());
                }
            }
        }
    }
    for v in expected.values_mut() {
        v.sort();
    }

    let mut opened = 0usize;
    let mut failures = Vec::new();
    let mut total_revisions = 0usize;
    let mut mismatches = Vec::new();
    let mut used_exceptions = Vec::new();
    let mut checked_ranges = 0usize;
    println!(
        "{:<90} {:>4} {:>6}  signature fields",
        "file", "revs", "kind"
    );
    for path in &files {
        let rel = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        let src = FileSource::open(path).expect("readable corpus file");
        let doc = match Document::open(src) {
            Ok(d) => d,
            Err(e) => {
                println!("{rel:<90} open failed: {e}");
                let refused = REFUSED
                    .iter()
                    .find(|(f, _, _)| *f == rel.as_str())
                    .filter(|(_, text, _)| e.to_string().contains(text));
                match refused {
                    Some((_, _, why)) => println!("    refused as expected: {why}"),
                    None => failures.push(format!("{rel}: {e}")),
                }
                continue;
            }
        };
        opened += 1;
        total_revisions += doc.revisions().len();
        let kinds: String = doc
            .revisions()
            .iter()
            .map(|r| match r.kind {
                pdf::XrefKind::Table => 'T',
                pdf::XrefKind::Stream => 'S',
                pdf::XrefKind::Hybrid => 'H',
                _ => '?',
            })
            .collect();
        // Walk everything the fuzz target walks, to catch errors on real files.
        let last = doc.last_revision();
        let names = signed_field_names(&doc);
        let shown = match &names {
            Ok(n) => n.join(","),
            Err(e) => format!("error: {e}"),
        };
        println!("{rel:<90} {:>4} {kinds:>6}  {shown}", doc.revisions().len());
        if let Err(e) = pdf::pages(&doc, last) {
            failures.push(format!("{rel}: pages: {e}"));
        }
        if let Err(e) = pdf::signature_dictionaries(&doc, last) {
            failures.push(format!("{rel}: signature dictionaries: {e}"));
        }
        let key = rel.as_str();
        if let Some(want) = expected.get(key) {
            let got = names.unwrap_or_default();
            if &got != want {
                let excused = EXCEPTIONS.iter().find(|(f, _)| *f == key);
                match excused {
                    Some((_, why)) => {
                        used_exceptions.push(key.to_string());
                        println!("    differs from pyHanko {want:?} (known: {why})");
                    }
                    None => mismatches.push(format!("{key}: we found {got:?}, pyHanko {want:?}")),
                }
            }
        }
        // Where pyHanko saw a signature covering a whole revision (or the file), its
        // /ByteRange must end at one of our revision ends, and its gap must be exactly the
        // /Contents string.
        for f in pdf::signature_fields(&doc, last).unwrap_or_default() {
            let Some(cov) = coverage.get(&(key.to_string(), f.name.clone())) else {
                continue;
            };
            if cov != "ENTIRE_FILE" && cov != "ENTIRE_REVISION" {
                continue;
            }
            checked_ranges += 1;
            match byte_range_check(&doc, last, &f) {
                Ok(()) => {}
                Err(why) => mismatches.push(format!("{key} {}: {why}", f.name)),
            }
        }
    }
    let listed_missing: Vec<_> = expected
        .keys()
        .filter(|k| {
            !files.iter().any(|p| {
                p.strip_prefix(root)
                    .is_ok_and(|r| r == Path::new(k.as_str()))
            })
        })
        .collect();
    let stale: Vec<_> = EXCEPTIONS
        .iter()
        .filter(|(f, _)| !used_exceptions.iter().any(|u| u == f))
        .collect();
    println!(
        "\n{} PDFs, {opened} opened, {total_revisions} revisions in all; {} files compared with \
         pyHanko, {checked_ranges} byte ranges matched to revision ends",
        files.len(),
        expected.len()
    );
    assert!(
        stale.is_empty(),
        "exceptions that no longer differ: {stale:?}"
    );
    assert!(
        listed_missing.is_empty(),
        "files in observed-pyhanko.tsv not found: {listed_missing:?}"
    );
    assert!(failures.is_empty(), "failures:\n{}", failures.join("\n"));
    assert!(
        mismatches.is_empty(),
        "signature field mismatches:\n{}",
        mismatches.join("\n")
    );
}

/// The signature's /ByteRange `[a b c d]` must end (`c + d`) at the end of one of the
/// document's revisions, and the gap `[a + b, c)` must be exactly the /Contents string.
fn byte_range_check(doc: &Document<FileSource>, rev: usize, f: &pdf::Field) -> Result<(), String> {
    let v = f.value.as_ref().ok_or("no /V")?;
    let sig = doc
        .resolve_dict(rev, v)
        .map_err(|e| e.to_string())?
        .ok_or("/V is not a dictionary")?;
    let br = doc
        .resolve(rev, sig.get(b"ByteRange").ok_or("no /ByteRange")?)
        .map_err(|e| e.to_string())?;
    let br: Vec<u64> = br
        .as_array()
        .ok_or("/ByteRange is not an array")?
        .iter()
        .filter_map(|o| o.as_int().and_then(|i| u64::try_from(i).ok()))
        .collect();
    let [a, b, c, d] = br.as_slice() else {
        return Err(format!("/ByteRange {br:?} is not four integers"));
    };
    let end = c + d;
    let ends: Vec<u64> = doc.revisions().iter().map(|r| r.end).collect();
    if !ends.contains(&end) {
        return Err(format!(
            "/ByteRange ends at {end}, revision ends are {ends:?}"
        ));
    }
    let contents = sig
        .get(b"Contents")
        .and_then(|o| o.as_string())
        .ok_or("/Contents is not a direct string")?;
    let span = contents.span.ok_or("/Contents has no span")?;
    if span.start != a + b || span.end != *c {
        return Err(format!(
            "/Contents spans {span:?}, the gap is {}..{c}",
            a + b
        ));
    }
    Ok(())
}

/// The corpus helper itself: without the corpus a test is skipped (`None`), unless the
/// corpus is required; a corpus that lacks a file the test needs is a failure, not a skip.
#[test]
fn a_missing_corpus_skips_unless_required() {
    let dir = tempfile::tempdir().unwrap();
    let absent = dir.path().join("no-corpus-here");
    assert_eq!(corpus::corpus_at(&absent, "01-pkits", false), None);
    let required = std::panic::catch_unwind(|| corpus::corpus_at(&absent, "01-pkits", true));
    assert!(
        required.is_err(),
        "KYSO_REQUIRE_CORPUS=1 must fail the test"
    );
    std::fs::create_dir(dir.path().join("01-pkits")).unwrap();
    assert_eq!(
        corpus::corpus_at(dir.path(), "01-pkits", false),
        Some(dir.path().join("01-pkits"))
    );
    let incomplete = std::panic::catch_unwind(|| corpus::corpus_at(dir.path(), "05-x", false));
    assert!(
        incomplete.is_err(),
        "a file missing from the corpus is a failure"
    );
}
