//! Starting an incremental update of a document's last revision, and writing the result
//! beside the output file.

use std::io::{Read, Write};
use std::path::Path;

use crate::output::{Output, Target};
use crate::pdf::incremental::{IncrementalUpdate, XrefStyle};
use crate::pdf::{Dict, Document, FileSource, ObjRef, Object, Source, XrefKind};
use crate::Error;

/// An update begun on the last revision, with the catalog as that revision has it.
pub(crate) struct Begun {
    pub update: IncrementalUpdate,
    pub rev: usize,
    pub catalog_ref: ObjRef,
    pub catalog: Dict,
}

/// Starts an update of `doc`'s last revision; `action` (e.g. "filling a form") names the
/// operation in refusals.
pub(crate) fn begin<S: Source>(doc: &Document<S>, action: &str) -> Result<Begun, Error> {
    let rev = doc.last_revision();
    let last = doc
        .revisions()
        .get(rev)
        .ok_or_else(|| Error::refused("the file has no cross-reference section"))?;
    let trailer = doc
        .trailer(rev)
        .ok_or_else(|| Error::refused("the file has no trailer"))?
        .clone();
    if doc.is_encrypted() || trailer.contains(b"Encrypt") {
        return Err(Error::refused(format!(
            "the document is encrypted; {action} in encrypted documents is not supported"
        )));
    }
    let catalog_ref = trailer
        .get(b"Root")
        .and_then(Object::as_ref)
        .ok_or_else(|| Error::refused("the trailer has no /Root reference"))?;
    let catalog = match doc.get(rev, catalog_ref)? {
        Some(Object::Dict(d)) => d,
        _ => return Err(Error::refused("the /Root object is not a dictionary")),
    };
    if last.pointer != last.xref_offset || last.startxref_value != Some(last.xref_offset) {
        return Err(Error::refused(format!(
            "the cross-reference offset is wrong; repair the file (for example with qpdf) \
             before {action}"
        )));
    }
    let style = match last.kind {
        XrefKind::Stream => XrefStyle::Stream,
        _ => XrefStyle::Table,
    };
    let ends_with_eol = matches!(
        doc.source()
            .read_vec(doc.len().saturating_sub(1), 1)?
            .first(),
        Some(b'\n' | b'\r')
    );
    let update =
        IncrementalUpdate::new(doc.len(), last.xref_offset, style, &trailer, ends_with_eol)?;
    Ok(Begun {
        update,
        rev,
        catalog_ref,
        catalog,
    })
}

/// Opens `input`, has `make` compute the update, and writes input + update to `output` by
/// kyso's write rule ([`crate::output`]; never over `input`).
pub(crate) fn rewrite_file<'a, T>(
    input: &Path,
    output: impl Into<Target<'a>>,
    make: impl FnOnce(&Document<FileSource>) -> Result<(Vec<u8>, T), Error>,
) -> Result<T, Error> {
    let out = Output::check(output, &[input])?;
    let path = out.path();
    let source = FileSource::open(input).map_err(|e| Error::io(input, e))?;
    let doc = Document::open(source).map_err(|e| Error::from(e).with_path(input))?;
    let (update, result) = make(&doc).map_err(|e| e.with_path(input))?;
    out.write(|tmp| {
        let file = std::fs::File::open(input).map_err(|e| Error::io(input, e))?;
        let copied =
            std::io::copy(&mut file.take(doc.len()), tmp).map_err(|e| Error::io(path, e))?;
        if copied != doc.len() {
            return Err(Error::io(
                input,
                std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "file shrank while read"),
            ));
        }
        tmp.write_all(&update).map_err(|e| Error::io(path, e))
    })?;
    Ok(result)
}
