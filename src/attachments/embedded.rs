//! Reading the files embedded in a PDF: where the document refers to them from, what their
//! file specifications declare, and their content, decoded as a stream of chunks.
//!
//! Three places are searched, in this order, and a file specification met twice is listed
//! once: the `/Names /EmbeddedFiles` name tree (what viewers show as attachments), the
//! catalog's `/AF` array (associated files, ISO 32000-2 §14.13), and file attachment
//! annotations on pages. A verifier that looked only at the name tree would miss a file
//! hidden in an annotation.

use std::collections::{HashMap, HashSet};
use std::io::{BufReader, Read};

use md5::{Digest as _, Md5};
use time::OffsetDateTime;

use crate::budget::MeteredReader;
use crate::output::{Output, Target};
use crate::pdf::date::parse_pdf_date;
use crate::pdf::names::name_tree_entries;
use crate::pdf::object::decode_text_string;
use crate::pdf::xref::SpanReader;
use crate::pdf::{Dict, Document, ObjRef, Object, PdfError, Source, Stream, StreamData};
use crate::report::EmbeddedLocation;

use super::hash::{digest_reader, ContentDigests, DigestError};

/// Most bytes one embedded file may decode to when its content is streamed (4 GiB). A
/// Flate bomb stops here; content that needs other filters is decoded in memory within the
/// document's [`Budget`](crate::pdf::Budget).
pub const MAX_EMBEDDED_FILE_BYTES: u64 = 4 << 30;

/// One embedded file as the document declares it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EmbeddedFile {
    /// The name to show: `/UF`, else `/F` (or `/Unix`, `/DOS`, `/Mac`), else the name-tree
    /// key.
    pub name: String,
    /// The name-tree key, as stored (for files found in the name tree).
    pub key: Option<Vec<u8>>,
    /// Where the document refers to it from.
    pub location: EmbeddedLocation,
    /// The file specification, when it is an indirect object.
    pub filespec: Option<ObjRef>,
    /// The indirect object holding the file specification when it is a direct dictionary
    /// (a name-tree node, the catalog, an annotation).
    pub holder: Option<ObjRef>,
    /// The embedded file stream (`/EF /F`, else `/EF /UF`).
    pub stream: Option<ObjRef>,
    /// `/Subtype` of the stream: the MIME type.
    pub mime_type: Option<String>,
    /// `/Desc` of the file specification.
    pub description: Option<String>,
    /// `/AFRelationship` of the file specification.
    pub relationship: Option<String>,
    /// `/Params /Size`.
    pub declared_size: Option<u64>,
    /// `/Params /CheckSum` (MD5 of the content).
    pub declared_checksum: Option<Vec<u8>>,
    /// `/Params /ModDate`.
    pub modified: Option<OffsetDateTime>,
}

/// Facts about an embedded file's decoded content.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ContentFacts {
    /// Decoded length.
    pub size: u64,
    /// SHA-256 of the decoded content.
    pub sha256: Vec<u8>,
    /// MD5 of the decoded content, when asked for (to compare with `/CheckSum`; not a
    /// security check).
    pub md5: Option<Vec<u8>>,
}

/// The embedded files of revision `rev`: those of the `/Names /EmbeddedFiles` name tree,
/// then those only in the catalog's `/AF`, then those of file attachment annotations, page by
/// page; a file specification met twice is listed once.
pub fn list_embedded_files<S: Source>(
    doc: &Document<S>,
    rev: usize,
) -> Result<Vec<EmbeddedFile>, PdfError> {
    let catalog = doc.catalog(rev)?;
    let catalog_ref = doc
        .trailer(rev)
        .and_then(|t| t.get(b"Root"))
        .and_then(Object::as_ref);
    let mut out = Vec::new();
    let mut seen: HashSet<ObjRef> = HashSet::new();

    if let Some(names) = catalog.get(b"Names") {
        let names_holder = names.as_ref().or(catalog_ref);
        if let Some(names) = doc.resolve_dict(rev, names)? {
            if let Some(tree) = names.get(b"EmbeddedFiles") {
                for entry in name_tree_entries(doc, rev, tree)? {
                    let holder = entry.node.or(names_holder);
                    let key_text = decode_text_string(&entry.key);
                    if let Some(mut file) = read_filespec(
                        doc,
                        rev,
                        &entry.value,
                        holder,
                        EmbeddedLocation::NameTree,
                        &key_text,
                    )? {
                        file.key = Some(entry.key);
                        remember(&mut out, &mut seen, file);
                    }
                }
            }
        }
    }

    if let Some(af) = catalog.get(b"AF") {
        let holder = af.as_ref().or(catalog_ref);
        if let Object::Array(items) = doc.resolve(rev, af)? {
            for item in &items {
                if let Some(file) =
                    read_filespec(doc, rev, item, holder, EmbeddedLocation::AssociatedFile, "")?
                {
                    remember(&mut out, &mut seen, file);
                }
            }
        }
    }

    let limit = doc.budget().max_tree_nodes;
    let mut annotations = 0usize;
    // A document without a page tree has no annotations to look at.
    let pages = match crate::pdf::pages(doc, rev) {
        Err(PdfError::Missing(_)) => Vec::new(),
        other => other?,
    };
    for (index, page_ref) in pages.into_iter().enumerate() {
        let Some(page) = doc.resolve_dict(rev, &Object::Reference(page_ref))? else {
            continue;
        };
        let Some(annots) = page.get(b"Annots") else {
            continue;
        };
        let Object::Array(items) = doc.resolve(rev, annots)? else {
            continue;
        };
        for item in &items {
            annotations += 1;
            if annotations > limit {
                return Err(PdfError::budget("annotations", limit as u64));
            }
            let Some(annot) = doc.resolve_dict(rev, item)? else {
                continue;
            };
            if annot.get_name(b"Subtype") != Some(b"FileAttachment") {
                continue;
            }
            let Some(fs) = annot.get(b"FS") else {
                continue;
            };
            let holder = item.as_ref().or(Some(page_ref));
            let location = EmbeddedLocation::Annotation { page: index + 1 };
            if let Some(file) = read_filespec(doc, rev, fs, holder, location, "")? {
                remember(&mut out, &mut seen, file);
            }
        }
    }
    Ok(out)
}

/// Adds `file` unless its indirect file specification was already listed.
fn remember(out: &mut Vec<EmbeddedFile>, seen: &mut HashSet<ObjRef>, file: EmbeddedFile) {
    if let Some(r) = file.filespec {
        if !seen.insert(r) {
            return;
        }
    }
    out.push(file);
}

/// Reads a file specification; `None` when it is not a dictionary (a plain file
/// specification string names an external file, nothing embedded).
fn read_filespec<S: Source>(
    doc: &Document<S>,
    rev: usize,
    value: &Object,
    holder: Option<ObjRef>,
    location: EmbeddedLocation,
    fallback_name: &str,
) -> Result<Option<EmbeddedFile>, PdfError> {
    let filespec = value.as_ref();
    let Some(spec) = doc.resolve_dict(rev, value)? else {
        return Ok(None);
    };
    let text = |key: &[u8]| -> Result<Option<String>, PdfError> {
        Ok(
            match spec.get(key).map(|v| doc.resolve(rev, v)).transpose()? {
                Some(Object::String(s)) => Some(s.to_text()),
                _ => None,
            },
        )
    };
    let mut name = None;
    for key in [&b"UF"[..], b"F", b"Unix", b"DOS", b"Mac"] {
        if let Some(n) = text(key)?.filter(|n| !n.is_empty()) {
            name = Some(n);
            break;
        }
    }
    let name = name
        .or_else(|| (!fallback_name.is_empty()).then(|| fallback_name.to_owned()))
        .unwrap_or_else(|| "(unnamed)".to_owned());
    let description = text(b"Desc")?;
    let relationship = match spec.get(b"AFRelationship") {
        Some(Object::Name(n)) => Some(String::from_utf8_lossy(n.as_bytes()).into_owned()),
        _ => None,
    };

    let ef = match spec.get(b"EF") {
        Some(ef) => doc.resolve_dict(rev, ef)?,
        None => None,
    };
    let stream = ef.as_ref().and_then(|ef| {
        ef.get(b"F")
            .and_then(Object::as_ref)
            .or_else(|| ef.get(b"UF").and_then(Object::as_ref))
    });
    let mut file = EmbeddedFile {
        name,
        key: None,
        location,
        filespec,
        holder: if filespec.is_some() { None } else { holder },
        stream,
        mime_type: None,
        description,
        relationship,
        declared_size: None,
        declared_checksum: None,
        modified: None,
    };
    if let Some(Object::Stream(s)) = stream.map(|r| doc.get(rev, r)).transpose()?.flatten() {
        file.mime_type = s
            .dict
            .get_name(b"Subtype")
            .map(|n| String::from_utf8_lossy(n).into_owned());
        if let Some(params) = s.dict.get(b"Params") {
            if let Some(params) = doc.resolve_dict(rev, params)? {
                read_params(&mut file, &params);
            }
        }
    }
    Ok(Some(file))
}

fn read_params(file: &mut EmbeddedFile, params: &Dict) {
    file.declared_size = params.get_int(b"Size").and_then(|s| u64::try_from(s).ok());
    file.declared_checksum = params
        .get(b"CheckSum")
        .and_then(Object::as_string)
        .map(|s| s.bytes.clone());
    file.modified = params
        .get(b"ModDate")
        .and_then(Object::as_string)
        .and_then(|s| parse_pdf_date(&s.bytes));
}

/// The embedded file stream of `file`.
pub fn embedded_stream<S: Source>(
    doc: &Document<S>,
    rev: usize,
    file: &EmbeddedFile,
) -> Result<Stream, String> {
    let r = file
        .stream
        .ok_or_else(|| "the file specification has no embedded file stream (/EF)".to_owned())?;
    match doc.get(rev, r) {
        Ok(Some(Object::Stream(s))) => Ok(s),
        Ok(Some(other)) => Err(format!("{r} is a {}, not a stream", other.kind())),
        Ok(None) => Err(format!("{r} does not exist")),
        Err(e) => Err(format!("{r}: {e}")),
    }
}

/// The content facts of each of `files` (size, SHA-256, and MD5 for those that declare a
/// `/CheckSum`), in order. Each distinct embedded file stream is decoded once, however many
/// file specifications point at it: a stream shared by a thousand specifications costs one
/// decoding, and one failure (a budget, a bad filter) is reported for each of them.
pub fn embedded_contents<S: Source>(
    doc: &Document<S>,
    rev: usize,
    files: &[EmbeddedFile],
) -> Vec<Result<ContentFacts, String>> {
    // MD5 is computed when any specification of the stream declares a checksum.
    let mut needs_md5: HashMap<ObjRef, bool> = HashMap::new();
    for f in files {
        if let Some(r) = f.stream {
            *needs_md5.entry(r).or_default() |= f.declared_checksum.is_some();
        }
    }
    let mut done: HashMap<ObjRef, Result<ContentFacts, String>> = HashMap::new();
    let facts = |file: &EmbeddedFile, with_md5: bool| {
        embedded_stream(doc, rev, file).and_then(|stream| {
            read_embedded_content(doc, rev, &stream, with_md5, &mut |_| Ok(()))
                .map_err(|e| e.to_string())
        })
    };
    files
        .iter()
        .map(|file| match file.stream {
            // No stream to decode: the error says so.
            None => facts(file, false),
            Some(r) => done
                .entry(r)
                .or_insert_with(|| facts(file, needs_md5.get(&r).copied().unwrap_or(false)))
                .clone(),
        })
        .collect()
}

/// Decodes the content of `stream` chunk by chunk into `sink`, computing its length,
/// SHA-256 and, when `with_md5`, MD5.
///
/// Unfiltered and plain `FlateDecode` data lying in the file (what kyso and most tools
/// write) is streamed, at most [`MAX_EMBEDDED_FILE_BYTES`]; anything else is decoded in
/// memory by the document, within its budget. Both spend from the document's
/// [`meter`](Document::meter).
pub fn read_embedded_content<S: Source>(
    doc: &Document<S>,
    rev: usize,
    stream: &Stream,
    with_md5: bool,
    sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> Result<ContentFacts, PdfError> {
    let mut md5 = with_md5.then(Md5::new);
    let mut both = |chunk: &[u8]| -> std::io::Result<()> {
        if let Some(m) = md5.as_mut() {
            m.update(chunk);
        }
        sink(chunk)
    };
    // An encrypted document's streams are decrypted by the document, in memory.
    let plain = doc.encryption().is_none();
    let digests: ContentDigests = match (&stream.data, streamable(&stream.dict).filter(|_| plain)) {
        (StreamData::File(span), Some(flate)) => {
            let meter = doc.meter();
            meter.check()?;
            let reader = SpanReader {
                src: doc.source(),
                pos: span.start,
                end: span.end,
            };
            let mut buffered =
                BufReader::with_capacity(64 * 1024, MeteredReader::work(reader, meter));
            let mut decoder: Box<dyn Read + '_> = if !flate {
                Box::new(buffered)
            } else {
                let zlib = matches!(
                    std::io::BufRead::fill_buf(&mut buffered)?,
                    [cmf, flg, ..] if is_zlib_header(*cmf, *flg)
                );
                if zlib {
                    let inflate = flate2::bufread::ZlibDecoder::new(buffered);
                    Box::new(MeteredReader::decoded(inflate, meter))
                } else {
                    let inflate = flate2::bufread::DeflateDecoder::new(buffered);
                    Box::new(MeteredReader::decoded(inflate, meter))
                }
            };
            digest_reader(&mut decoder, &[], MAX_EMBEDDED_FILE_BYTES, &mut both).map_err(|e| {
                if let Some(why) = meter.exhausted() {
                    return why.into();
                }
                match e {
                    DigestError::TooLarge { limit } => {
                        PdfError::budget("embedded file bytes", limit)
                    }
                    DigestError::Io(e) => PdfError::Io(e),
                }
            })?
        }
        _ => {
            let data = doc.decode_stream(rev, stream)?;
            digest_reader(&mut data.as_slice(), &[], u64::MAX, &mut both)
                .map_err(|e| PdfError::Io(e.into()))?
        }
    };
    Ok(ContentFacts {
        size: digests.size,
        sha256: digests.sha256,
        md5: md5.map(|m| m.finalize().to_vec()),
    })
}

/// Writes the decoded content of `file` (from revision `rev`) to `output`, streamed, by
/// kyso's write rule ([`crate::output`]: atomic; an existing file only when replacing is
/// asked for; never a file in [`Target::also_inputs`], such as the document itself). The
/// caller chooses the name: see [`super::portable_file_name`] for names taken from the
/// document.
pub fn extract_to_file<'a, S: Source>(
    doc: &Document<S>,
    rev: usize,
    file: &EmbeddedFile,
    output: impl Into<Target<'a>>,
) -> Result<ContentFacts, crate::Error> {
    use super::error::AttachmentError;
    use std::io::Write as _;
    let out = Output::check(output, &[])?;
    let stream = embedded_stream(doc, rev, file).map_err(|reason| {
        AttachmentError::UnreadableAttachment {
            name: file.name.clone(),
            reason,
        }
    })?;
    let path = out.path();
    out.write(|tmp| {
        // A failure to write is about the output file, not the document.
        let mut write_error = None;
        let facts = read_embedded_content(doc, rev, &stream, false, &mut |chunk| {
            tmp.write_all(chunk).inspect_err(|e| {
                write_error = Some(std::io::Error::new(e.kind(), e.to_string()));
            })
        });
        match (facts, write_error) {
            (Err(_), Some(e)) => Err(crate::Error::io(path, e)),
            (facts, _) => facts.map_err(crate::Error::from),
        }
    })
}

/// `Some(false)` for unfiltered data, `Some(true)` for a single `FlateDecode` without a
/// predictor, `None` for anything else.
fn streamable(dict: &Dict) -> Option<bool> {
    let filter = match dict.get(b"Filter") {
        None | Some(Object::Null) => return Some(false),
        Some(Object::Name(n)) => n.as_bytes().to_vec(),
        Some(Object::Array(a)) => match a.as_slice() {
            [] => return Some(false),
            [Object::Name(n)] => n.as_bytes().to_vec(),
            _ => return None,
        },
        Some(_) => return None,
    };
    if filter != b"FlateDecode" && filter != b"Fl" {
        return None;
    }
    let params = match dict.get(b"DecodeParms") {
        None | Some(Object::Null) => None,
        Some(Object::Dict(d)) => Some(d),
        Some(Object::Array(a)) => match a.as_slice() {
            [Object::Dict(d)] => Some(d),
            [Object::Null] | [] => None,
            _ => return None,
        },
        Some(_) => return None,
    };
    match params.and_then(|p| p.get(b"Predictor")) {
        None => Some(true),
        Some(Object::Integer(1)) => Some(true),
        Some(_) => None,
    }
}

/// Whether two bytes start a zlib stream (RFC 1950 §2.2): deflate, window ≤ 32 KiB, check
/// bits.
fn is_zlib_header(cmf: u8, flg: u8) -> bool {
    cmf & 0x0f == 8 && cmf >> 4 <= 7 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamable_filters() {
        let mut d = Dict::new();
        assert_eq!(streamable(&d), Some(false));
        d.set("Filter", Object::Name("FlateDecode".into()));
        assert_eq!(streamable(&d), Some(true));
        let mut p = Dict::new();
        p.set("Predictor", 12i64);
        d.set("DecodeParms", Object::Dict(p));
        assert_eq!(streamable(&d), None);
        d.remove(b"DecodeParms");
        d.set("Filter", Object::Name("ASCIIHexDecode".into()));
        assert_eq!(streamable(&d), None);
    }

    #[test]
    fn zlib_headers() {
        assert!(is_zlib_header(0x78, 0x9c));
        assert!(is_zlib_header(0x78, 0x01));
        assert!(!is_zlib_header(0x78, 0x00));
        assert!(!is_zlib_header(0x1f, 0x8b));
    }
}
