//! The one lifecycle of an incremental update (ISO 32000-2 §7.5.6). Every writer that appends
//! to a PDF — signatures and document timestamps, empty signature fields, attachments,
//! validation data, form filling and flattening — goes through it:
//!
//! 1. [`open`]: the output is checked by kyso's write rule ([`crate::output`]: never one of
//!    the inputs, never an existing file unless asked) before the input is read; then the
//!    input is opened.
//! 2. [`begin`]: the [`preflight`] refuses, before anything is planned, what cannot be
//!    updated safely — no cross-reference section (§7.5.4, §7.5.5), an encrypted document
//!    (§7.6: kyso does not decrypt, and an update would have to be encrypted), a `startxref`
//!    that does not point at the last section (§7.5.5: the `/Prev` of the update would be
//!    wrong), a trailer without `/Root` or a `/Root` that is not a dictionary (§7.5.5,
//!    §7.7.2) — and then starts an [`IncrementalUpdate`] whose cross-reference section is of
//!    the last section's kind (a stream after a stream, §7.5.8; a table after a table or a
//!    hybrid file).
//! 3. The caller puts its objects and finishes the update.
//! 4. [`Opened::commit`] (or [`commit`]): input ‖ update is written to a temporary file
//!    beside the output, fsynced and renamed; the input's bytes are copied as read, and a
//!    file that shrank meanwhile is an error. In memory, [`append`].

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::output::{Output, Target};
use crate::refusal::{Expected, Operation, Refusal};
use crate::Error;

use super::incremental::{IncrementalUpdate, XrefStyle};
use super::{Dict, Document, FileSource, ObjRef, Object, PdfError, Permissions, Source, XrefKind};

/// What the preflight found in the last revision.
#[derive(Debug, Clone)]
pub struct Preflight {
    /// The last revision.
    pub rev: usize,
    /// Its trailer.
    pub trailer: Dict,
    /// Where the catalog is.
    pub catalog_ref: ObjRef,
    /// The catalog, as the last revision has it.
    pub catalog: Dict,
    /// The kind of cross-reference section the update ends with.
    pub style: XrefStyle,
    /// Where the last cross-reference section starts (the update's `/Prev`).
    pub xref_offset: u64,
}

/// An update begun on the last revision, with the catalog as that revision has it.
pub struct Begun {
    /// The update.
    pub update: IncrementalUpdate,
    /// The last revision.
    pub rev: usize,
    /// Where the catalog is.
    pub catalog_ref: ObjRef,
    /// The catalog, to change and [`IncrementalUpdate::put`] back when needed.
    pub catalog: Dict,
}

/// Checks that the last revision of `doc` can be updated for `operation` (see the module
/// documentation); nothing is planned or written when it cannot.
pub fn preflight<S: Source>(doc: &Document<S>, operation: Operation) -> Result<Preflight, Error> {
    let rev = doc.last_revision();
    let last = doc
        .revisions()
        .get(rev)
        .ok_or_else(|| Error::from(Refusal::NoCrossReference))?;
    let trailer = &last.trailer;
    if doc.is_encrypted() || trailer.contains(b"Encrypt") {
        let Some(enc) = doc.encryption() else {
            return Err(Error::from(Refusal::Encrypted { operation }));
        };
        if let Some(permission) = missing_permission(enc.effective_permissions(), operation) {
            return Err(Error::from(Refusal::PermissionDenied {
                operation,
                permission,
            }));
        }
    }
    if last.reconstructed {
        // No section could be read: the value the file declares, and no section.
        return Err(Error::from(Refusal::BrokenCrossReference {
            operation,
            startxref: last.startxref_value,
            section_at: None,
        }));
    }
    if last.pointer != last.xref_offset || last.startxref_value != Some(last.xref_offset) {
        // The value the file declares: the one that led to the section (when it missed),
        // else the one written after it.
        let startxref = if last.pointer != last.xref_offset {
            Some(last.pointer)
        } else {
            last.startxref_value
        };
        return Err(Error::from(Refusal::BrokenCrossReference {
            operation,
            startxref,
            section_at: Some(last.xref_offset),
        }));
    }
    if doc.revisions().iter().any(|r| r.repaired.is_some()) {
        return Err(Error::from(Refusal::DamagedFile { operation }));
    }
    let catalog_ref = trailer
        .get(b"Root")
        .and_then(Object::as_ref)
        .ok_or_else(|| Error::from(Refusal::NoCatalog))?;
    let catalog = match doc.get(rev, catalog_ref)? {
        Some(Object::Dict(d)) => d,
        _ => {
            return Err(Error::from(Refusal::Malformed {
                entry: "the /Root object",
                expected: Expected::Dictionary,
            }))
        }
    };
    let style = match last.kind {
        XrefKind::Stream => XrefStyle::Stream,
        XrefKind::Table | XrefKind::Hybrid => XrefStyle::Table,
    };
    Ok(Preflight {
        rev,
        trailer: trailer.clone(),
        catalog_ref,
        catalog,
        style,
        xref_offset: last.xref_offset,
    })
}

/// The permission of `/P` (ISO 32000-2 Table 22) that `operation` needs and `p` lacks:
/// signing, filling and validation data need bit 6 (annotations and form fields) or bit 9
/// (fill in existing fields, signature fields included); new fields need bit 6; attaching
/// files and flattening need bit 4 (modify).
fn missing_permission(p: Permissions, operation: Operation) -> Option<&'static str> {
    let ok = match operation {
        Operation::Sign | Operation::FillForm | Operation::AddValidationData => {
            p.annotate() || p.fill_forms()
        }
        Operation::AddFields => p.annotate(),
        Operation::Attach | Operation::FlattenForm => p.modify(),
    };
    (!ok).then_some(match operation {
        Operation::Sign | Operation::FillForm | Operation::AddValidationData => {
            "annotate or fill forms"
        }
        Operation::AddFields => "annotate",
        _ => "modify",
    })
}

/// Runs the [`preflight`] and starts the update of `doc`'s last revision.
pub fn begin<S: Source>(doc: &Document<S>, operation: Operation) -> Result<Begun, Error> {
    let checked = preflight(doc, operation)?;
    let last_byte = doc
        .source()
        .read_vec(doc.len().saturating_sub(1), 1)
        .map_err(PdfError::from)?;
    let ends_with_eol = matches!(last_byte.first(), Some(b'\n' | b'\r'));
    let update = match doc.crypt() {
        Some(crypt) => IncrementalUpdate::new_encrypted(
            doc.len(),
            checked.xref_offset,
            checked.style,
            &checked.trailer,
            ends_with_eol,
            crypt.clone(),
        )?,
        None => IncrementalUpdate::new(
            doc.len(),
            checked.xref_offset,
            checked.style,
            &checked.trailer,
            ends_with_eol,
        )?,
    };
    Ok(Begun {
        update,
        rev: checked.rev,
        catalog_ref: checked.catalog_ref,
        catalog: checked.catalog,
    })
}

/// A PDF opened for an update, its output already checked by the write rule.
pub struct Opened<'a> {
    out: Output<'a>,
    input: PathBuf,
    doc: Document<FileSource>,
}

/// Checks `output` against `input` and `also_read` (files the update reads too, such as files
/// to attach), then opens `input`, which may be encrypted: `password` (user or owner) first,
/// then the empty user password.
pub fn open_with_password<'a>(
    input: &Path,
    output: impl Into<Target<'a>>,
    also_read: &[&Path],
    password: Option<&super::Password>,
) -> Result<Opened<'a>, Error> {
    let mut inputs = vec![input];
    inputs.extend_from_slice(also_read);
    let out = Output::check(output, &inputs)?;
    let source = FileSource::open(input).map_err(|e| Error::io(input, e))?;
    let meter = crate::budget::DocumentMeter::start(
        crate::budget::DocumentBudget::default().deadline(None),
    );
    let doc = Document::open_with_password(source, super::Budget::default(), meter, password)
        .map_err(|e| Error::from(e).with_path(input))?;
    Ok(Opened {
        out,
        input: input.to_path_buf(),
        doc,
    })
}

/// Opens a PDF held in memory for an update: `password` (user or owner) first, then the
/// empty user password.
pub fn open_bytes<'b>(
    input: &'b [u8],
    password: Option<&super::Password>,
) -> Result<Document<&'b [u8]>, Error> {
    let meter = crate::budget::DocumentMeter::start(
        crate::budget::DocumentBudget::default().deadline(None),
    );
    Ok(Document::open_with_password(
        input,
        super::Budget::default(),
        meter,
        password,
    )?)
}

impl<'a> Opened<'a> {
    /// The input document.
    pub fn doc(&self) -> &Document<FileSource> {
        &self.doc
    }

    /// Writes input ‖ `update` to the output.
    pub fn commit(self, update: &[u8]) -> Result<(), Error> {
        self.commit_with((), |(), _| {}, |()| Ok(update.to_vec()))
    }

    /// Writes input ‖ the update `finish` makes once the input has been copied; `observe`
    /// sees every byte of the input as it is copied, into `seen` (a digest for a signature).
    pub fn commit_with<H>(
        self,
        seen: H,
        observe: impl FnMut(&mut H, &[u8]),
        finish: impl FnOnce(H) -> Result<Vec<u8>, Error>,
    ) -> Result<(), Error> {
        let len = self.doc.len();
        commit(self.out, &self.input, len, seen, observe, finish)
    }
}

/// Writes the first `len` bytes of `input` followed by the update `finish` makes to `out`
/// (atomically, see [`Output::write`]); `observe` sees the input's bytes as they are copied.
/// Errors of `finish` are about `input`.
pub fn commit<H>(
    out: Output<'_>,
    input: &Path,
    len: u64,
    mut seen: H,
    mut observe: impl FnMut(&mut H, &[u8]),
    finish: impl FnOnce(H) -> Result<Vec<u8>, Error>,
) -> Result<(), Error> {
    let path = out.path();
    out.write(|tmp| {
        copy_prefix(input, len, tmp, path, |chunk| observe(&mut seen, chunk))?;
        let update = finish(seen).map_err(|e| e.with_path(input))?;
        tmp.write_all(&update).map_err(|e| Error::io(path, e))
    })
}

/// Copies the first `len` bytes of `input` to `out` (the file `output`, for errors), showing
/// each chunk to `observe`. A file shorter than `len` (it shrank since it was opened) is an
/// error.
pub fn copy_prefix(
    input: &Path,
    len: u64,
    out: &mut impl Write,
    output: &Path,
    mut observe: impl FnMut(&[u8]),
) -> Result<(), Error> {
    let mut file = std::fs::File::open(input).map_err(|e| Error::io(input, e))?;
    let mut remaining = len;
    let mut buf = vec![0u8; 1 << 20];
    while remaining > 0 {
        let want = usize::try_from(remaining).map_or(buf.len(), |r| r.min(buf.len()));
        let chunk = buf.get_mut(..want).unwrap_or_default();
        let n = file.read(chunk).map_err(|e| Error::io(input, e))?;
        if n == 0 {
            return Err(Error::io(
                input,
                std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "file shrank while read"),
            ));
        }
        let data = chunk.get(..n).unwrap_or_default();
        observe(data);
        out.write_all(data).map_err(|e| Error::io(output, e))?;
        remaining -= n as u64;
    }
    Ok(())
}

/// Input ‖ update, for documents held in memory.
pub fn append(input: &[u8], update: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len().saturating_add(update.len()));
    out.extend_from_slice(input);
    out.extend_from_slice(update);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::testing::classic;

    const CATALOG: &str = "<< /Type /Catalog /Pages 2 0 R >>";
    const PAGES: &str = "<< /Type /Pages /Kids [] /Count 0 >>";
    /// qpdf's RC4 40-bit encryption dictionary for the first /ID string
    /// "kyso-demo-dossier", empty user password.
    const ENCRYPT_R2: &str = "<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <c92422687facee686e373f10b5c7d04738053152f7e2ee30e11c69ec442576ab> /U <c96896754370fe2b9ae9ca422630c265ccf2cc99671f1fdfc6f9f81cdc9e2f26> >>";

    fn refusal(bytes: &[u8]) -> Refusal {
        let doc = Document::open(bytes).unwrap();
        match begin(&doc, Operation::Sign) {
            Err(Error::Refused { refusal, .. }) => refusal,
            Err(e) => panic!("not a refusal: {e}"),
            Ok(_) => panic!("not refused"),
        }
    }

    #[test]
    fn a_sound_file_begins_an_update_of_its_kind() {
        let bytes = classic(&[CATALOG, PAGES], "");
        let doc = Document::open(bytes.as_slice()).unwrap();
        let mut begun = begin(&doc, Operation::Sign).unwrap();
        assert_eq!(begun.rev, 0);
        assert_eq!(begun.catalog_ref, ObjRef::new(1, 0));
        assert_eq!(begun.catalog.get_name(b"Type"), Some(&b"Catalog"[..]));
        assert_eq!(begun.update.style(), XrefStyle::Table);
        let r = begun.update.allocate().unwrap();
        begun.update.put(r, &Object::Integer(1)).unwrap();
        let written = begun.update.finish().unwrap();
        let joined = append(&bytes, &written.bytes);
        // §7.5.6: the earlier bytes are a prefix; the update reads back as a new revision.
        assert!(joined.starts_with(&bytes));
        let after = Document::open(joined.as_slice()).unwrap();
        assert_eq!(after.revisions().len(), 2);
    }

    #[test]
    fn encrypted_documents_begin_an_encrypted_update_7_6() {
        // §7.6.1: a document with /Encrypt in its trailer is encrypted (RC4 40-bit, empty
        // user password: qpdf's values); its update keeps /Encrypt and the first /ID string
        // (the key depends on it) and encrypts what it writes.
        let bytes = classic(
            &[CATALOG, PAGES, ENCRYPT_R2],
            "/Encrypt 3 0 R /ID [(kyso-demo-dossier) (kyso-demo-dossier)]",
        );
        let doc = Document::open(bytes.as_slice()).unwrap();
        let mut begun = begin(&doc, Operation::Sign).unwrap();
        let r = begun.update.allocate().unwrap();
        let text = Object::String(crate::pdf::PdfString::literal("ghi chu"));
        begun.update.put(r, &text).unwrap();
        let written = begun.update.finish().unwrap();
        assert_eq!(
            written.trailer.get(b"Encrypt"),
            Some(&Object::Reference(ObjRef::new(3, 0)))
        );
        let id = written
            .trailer
            .get(b"ID")
            .and_then(Object::as_array)
            .unwrap();
        assert_eq!(id[0].as_string().unwrap().bytes, b"kyso-demo-dossier");
        assert!(!written.bytes.windows(7).any(|w| w == b"ghi chu"));
        // Read back, the string is in the clear again.
        let all = append(&bytes, &written.bytes);
        let doc = Document::open(all.as_slice()).unwrap();
        let back = doc.get(doc.last_revision(), r).unwrap().unwrap();
        assert_eq!(back.as_string().unwrap().bytes, b"ghi chu");
    }

    #[test]
    fn a_wrong_startxref_is_refused_7_5_5() {
        // §7.5.5: startxref gives the offset of the last cross-reference section; the reader
        // finds the section a few bytes away, but an update's /Prev must not build on that.
        let bytes = classic(&[CATALOG, PAGES], "");
        let text = String::from_utf8(bytes).unwrap();
        let at = text.rfind("startxref\n").unwrap() + "startxref\n".len();
        let end = at + text[at..].find('\n').unwrap();
        let offset: u64 = text[at..end].parse().unwrap();
        let broken = format!("{}{}{}", &text[..at], offset - 3, &text[end..]);
        let why = refusal(broken.as_bytes());
        assert_eq!(
            why,
            Refusal::BrokenCrossReference {
                operation: Operation::Sign,
                startxref: Some(offset - 3),
                section_at: Some(offset),
            }
        );
        assert!(why.to_string().contains("repair the file"), "{why}");
        // A startxref far from every section: the object map is reconstructed by scanning;
        // the message gives the value the file declares, once, and says no section was read.
        let broken = format!("{}{}{}", &text[..at], offset + 100_000, &text[end..]);
        let why = refusal(broken.as_bytes());
        assert_eq!(
            why,
            Refusal::BrokenCrossReference {
                operation: Operation::Sign,
                startxref: Some(offset + 100_000),
                section_at: None,
            }
        );
        let msg = why.to_string();
        assert!(
            msg.contains(&format!(
                "startxref points to {}, where no",
                offset + 100_000
            )),
            "{msg}"
        );
        let declared = (offset + 100_000).to_string();
        assert_eq!(msg.matches(declared.as_str()).count(), 1, "{msg}");
        assert!(!msg.contains("section is at"), "{msg}");
    }

    #[test]
    fn an_entry_that_points_at_another_object_is_refused_7_5_4() {
        // §7.5.4: an entry gives the offset of its own object's header. The reader corrects
        // it by scanning; an update must not build on it.
        let bytes = classic(&[CATALOG, PAGES], "");
        let text = String::from_utf8(bytes).unwrap();
        let one = text.find("1 0 obj").unwrap();
        let two = text.find("2 0 obj").unwrap();
        let entry = format!("{one:010} 00000 n");
        let broken = text.replacen(&entry, &format!("{two:010} 00000 n"), 1);
        assert_ne!(broken, text);
        let why = refusal(broken.as_bytes());
        assert_eq!(
            why,
            Refusal::DamagedFile {
                operation: Operation::Sign
            }
        );
        assert!(why.to_string().contains("repair the file"), "{why}");
    }

    #[test]
    fn a_trailer_without_root_is_refused_7_5_5() {
        // §7.5.5, Table 15: /Root is required in the trailer.
        let bytes = classic(&[CATALOG, PAGES], "");
        let text = String::from_utf8(bytes)
            .unwrap()
            .replace("/Root 1 0 R", "/Info 1 0 R");
        assert_eq!(refusal(text.as_bytes()), Refusal::NoCatalog);
    }

    #[test]
    fn a_root_that_is_not_a_dictionary_is_refused_7_7_2() {
        // §7.7.2: the catalog is a dictionary.
        let bytes = classic(&["[ /NotACatalog ]", PAGES], "");
        assert_eq!(
            refusal(&bytes),
            Refusal::Malformed {
                entry: "the /Root object",
                expected: Expected::Dictionary
            }
        );
    }

    #[test]
    fn a_stream_section_is_continued_by_a_stream_7_5_8() {
        // §7.5.8: a file whose last section is a cross-reference stream is updated with one.
        let base = classic(&[CATALOG, PAGES], "");
        let doc = Document::open(base.as_slice()).unwrap();
        let last = &doc.revisions()[0];
        let mut to_stream = IncrementalUpdate::new(
            doc.len(),
            last.xref_offset,
            XrefStyle::Stream,
            &last.trailer,
            true,
        )
        .unwrap();
        let r = to_stream.allocate().unwrap();
        to_stream.put(r, &Object::Integer(1)).unwrap();
        let streamed = append(&base, &to_stream.finish().unwrap().bytes);
        let doc = Document::open(streamed.as_slice()).unwrap();
        assert_eq!(doc.revisions()[1].kind, XrefKind::Stream);
        let begun = begin(&doc, Operation::Sign).unwrap();
        assert_eq!(begun.update.style(), XrefStyle::Stream);
        assert_eq!(begun.rev, 1);
    }

    #[test]
    fn commit_writes_input_then_update_and_refuses_the_input_as_output() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.pdf");
        let bytes = classic(&[CATALOG, PAGES], "");
        std::fs::write(&input, &bytes).unwrap();
        assert!(matches!(
            open_with_password(&input, input.as_path(), &[], None),
            Err(Error::Output(_))
        ));
        let output = dir.path().join("out.pdf");
        let opened = open_with_password(&input, output.as_path(), &[], None).unwrap();
        let mut begun = begin(opened.doc(), Operation::Attach).unwrap();
        let r = begun.update.allocate().unwrap();
        begun.update.put(r, &Object::Integer(7)).unwrap();
        let update = begun.update.finish().unwrap().bytes;
        let mut seen = 0u64;
        opened
            .commit_with(
                &mut seen,
                |n, chunk| **n += chunk.len() as u64,
                |_| Ok(update.clone()),
            )
            .unwrap();
        assert_eq!(seen, bytes.len() as u64);
        assert_eq!(std::fs::read(&output).unwrap(), append(&bytes, &update));
    }
}
