//! `kyso inspect`: the structure a verifier sees, without judging it.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kyso::pdf::{acroform, pages, Document, FileSource, Object};

use crate::output::{emit, Failure};

/// Show a PDF's revisions, signature fields and signatures.
#[derive(clap::Args)]
pub struct InspectArgs {
    /// The PDF.
    file: PathBuf,
}

pub fn run(a: InspectArgs) -> Result<ExitCode, Failure> {
    emit(&inspect(&a.file).map_err(|e| Failure::about(&a.file, e))?);
    Ok(ExitCode::SUCCESS)
}

fn inspect(path: &Path) -> Result<String, kyso::Error> {
    let source = FileSource::open(path).map_err(|e| kyso::Error::io(path, e))?;
    let doc = Document::open(source).map_err(|e| kyso::Error::from(e).with_path(path))?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: PDF {}, {} bytes{}",
        path.display(),
        doc.header_version()
            .map(|(a, b)| format!("{a}.{b}"))
            .unwrap_or_else(|| "?".into()),
        doc.len(),
        if doc.is_encrypted() {
            ", encrypted"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "revisions:");
    for (i, rev) in doc.revisions().iter().enumerate() {
        let _ = writeln!(
            out,
            "  {}: {:?} cross-reference at {}, ends at {}",
            i + 1,
            rev.kind,
            rev.xref_offset,
            rev.end
        );
    }
    let last = doc.last_revision();
    let pages = pages::pages(&doc, last).map(|p| p.len()).unwrap_or(0);
    let _ = writeln!(out, "pages: {pages}");
    let fields = acroform::signature_fields(&doc, last)?;
    let _ = writeln!(out, "signature fields: {}", fields.len());
    for f in &fields {
        let state = match &f.value {
            None => "empty".to_string(),
            Some(Object::Reference(r)) => {
                let sub = doc
                    .get(last, *r)
                    .ok()
                    .flatten()
                    .and_then(|o| {
                        o.as_dict()
                            .and_then(|d| d.get_name(b"SubFilter"))
                            .map(|n| String::from_utf8_lossy(n).into_owned())
                    })
                    .unwrap_or_else(|| "?".into());
                format!("signed ({sub}, dictionary {r})")
            }
            Some(other) => format!("value is a {}", other.kind()),
        };
        let _ = writeln!(out, "  {}: {state}", f.name);
    }
    let dicts = acroform::signature_dictionaries(&doc, last)?;
    let _ = writeln!(out, "signature dictionaries: {}", dicts.len());
    for (r, d) in &dicts {
        let br: Vec<i64> = d
            .get(b"ByteRange")
            .and_then(Object::as_array)
            .map(|a| a.iter().filter_map(Object::as_int).collect())
            .unwrap_or_default();
        let _ = writeln!(out, "  {r}: /ByteRange {br:?}");
    }
    Ok(out)
}
