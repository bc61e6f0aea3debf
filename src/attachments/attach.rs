//! Attaching files to a PDF before it is signed, by one incremental update.
//!
//! Each file becomes an embedded file stream (`/Type /EmbeddedFile`, `/Subtype` MIME type,
//! `/Params` with `/Size`, `/ModDate` and `/CheckSum`, Flate-compressed when that is smaller)
//! and a file specification (`/F` ASCII fallback, `/UF` the real name as a text string,
//! `/EF`, `/Desc`, `/AFRelationship`). The specifications are added to the document's
//! `/Names /EmbeddedFiles` name tree, which is rewritten as one flat node holding the old
//! entries (values unchanged) and the new ones in key order, and to the catalog's `/AF`
//! array (associated files, ISO 32000-2 §14.13; PDF/A-3 requires it). Nothing before the
//! update changes; the output is written to a temporary file and renamed.
//!
//! `/CheckSum` is MD5 as ISO 32000 defines it (`md-5`, already in the tree through lopdf):
//! it detects accidental corruption only. kyso's own integrity checks use SHA-256.

use std::path::{Path, PathBuf};

use md5::{Digest as _, Md5};
use time::OffsetDateTime;

use crate::output::Target;
use crate::pdf::date::format_pdf_date;
use crate::pdf::incremental::IncrementalUpdate;
use crate::pdf::names::name_tree_entries;
use crate::pdf::object::decode_text_string;
use crate::pdf::update::{self, Begun};
use crate::pdf::{
    acroform, Dict, Document, Name, ObjRef, Object, PdfString, Source, Stream, StreamData,
};
use crate::refusal::{Expected, Operation, Refusal};
use crate::Error;

use super::error::AttachmentError;
use super::names::{ascii_fallback, mime_type_for};

/// How an attached file relates to the document (`/AFRelationship`, ISO 32000-2 Table 43).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AfRelationship {
    /// The original source the document was created from.
    Source,
    /// Data the document represents (tables, forms).
    Data,
    /// An alternative representation of the content.
    Alternative,
    /// A supplement to the document (scans, annexes).
    Supplement,
    /// An encrypted payload document.
    EncryptedPayload,
    /// Data of a form.
    FormData,
    /// A schema definition.
    Schema,
    /// Not said.
    #[default]
    Unspecified,
}

impl AfRelationship {
    /// The PDF name, e.g. `Supplement`.
    pub fn name(self) -> &'static str {
        match self {
            AfRelationship::Source => "Source",
            AfRelationship::Data => "Data",
            AfRelationship::Alternative => "Alternative",
            AfRelationship::Supplement => "Supplement",
            AfRelationship::EncryptedPayload => "EncryptedPayload",
            AfRelationship::FormData => "FormData",
            AfRelationship::Schema => "Schema",
            AfRelationship::Unspecified => "Unspecified",
        }
    }
}

/// Where an attachment's content comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttachmentContent {
    /// A file, read when the update is built.
    File(PathBuf),
    /// Bytes in memory.
    Bytes(Vec<u8>),
}

/// One file to attach.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attachment {
    /// The name the document shows (any Unicode; it must not be empty).
    pub name: String,
    /// The content.
    pub content: AttachmentContent,
    /// MIME type for `/Subtype`; `None` guesses from the name's extension
    /// (`application/octet-stream` when unknown).
    pub mime_type: Option<String>,
    /// `/Desc`.
    pub description: Option<String>,
    /// `/AFRelationship`.
    pub relationship: AfRelationship,
    /// `/ModDate`; `None` takes the file's modification time (nothing for bytes).
    pub modified: Option<OffsetDateTime>,
}

impl Attachment {
    /// The file at `path`, named after its last path component.
    pub fn from_path(path: &Path) -> Result<Self, Error> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| AttachmentError::BadPath {
                path: path.to_path_buf(),
                reason: "the file name is not valid UTF-8",
            })?
            .to_owned();
        Ok(Attachment {
            name,
            content: AttachmentContent::File(path.to_path_buf()),
            mime_type: None,
            description: None,
            relationship: AfRelationship::default(),
            modified: None,
        })
    }

    /// Bytes held in memory, under `name`.
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Attachment {
            name: name.into(),
            content: AttachmentContent::Bytes(bytes),
            mime_type: None,
            description: None,
            relationship: AfRelationship::default(),
            modified: None,
        }
    }

    /// Sets the MIME type.
    pub fn mime_type(mut self, mime: impl Into<String>) -> Self {
        self.mime_type = Some(mime.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Sets the relationship.
    pub fn relationship(mut self, relationship: AfRelationship) -> Self {
        self.relationship = relationship;
        self
    }

    /// Sets the modification date.
    pub fn modified(mut self, t: OffsetDateTime) -> Self {
        self.modified = Some(t);
        self
    }
}

/// How to attach.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttachOptions {
    /// Attach even when the document is already signed (the attachment is then a change
    /// after signing, which verifiers report). Default: refuse.
    pub allow_signed: bool,
    /// Largest file attached; the update is built in memory (default 512 MiB).
    pub max_file_bytes: u64,
    /// The password of an encrypted input (user or owner; then the empty user password is
    /// tried). The update is written encrypted with the document's own key.
    pub document_password: Option<crate::pdf::Password>,
}

impl Default for AttachOptions {
    fn default() -> Self {
        AttachOptions {
            allow_signed: false,
            max_file_bytes: 512 << 20,
            document_password: None,
        }
    }
}

impl AttachOptions {
    /// Default options: refuse signed documents, files up to 512 MiB.
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows attaching to a signed document.
    pub fn allow_signed(mut self, allow: bool) -> Self {
        self.allow_signed = allow;
        self
    }

    /// The password of an encrypted input.
    pub fn document_password(mut self, password: crate::pdf::Password) -> Self {
        self.document_password = Some(password);
        self
    }
}

/// Attaches `attachments` to the PDF at `input` and writes the result to `output` by kyso's
/// write rule ([`crate::output`]: atomic; never over `input` or a file being attached).
pub fn attach_files<'a>(
    input: &Path,
    output: impl Into<Target<'a>>,
    attachments: &[Attachment],
    opts: &AttachOptions,
) -> Result<(), Error> {
    let reads: Vec<&Path> = attachments
        .iter()
        .filter_map(|a| match &a.content {
            AttachmentContent::File(p) => Some(p.as_path()),
            _ => None,
        })
        .collect();
    let opened =
        update::open_with_password(input, output, &reads, opts.document_password.as_ref())?;
    let bytes = build_update(opened.doc(), attachments, opts).map_err(|e| e.with_path(input))?;
    opened.commit(&bytes)
}

/// Attaches `attachments` to a PDF held in memory and returns the new file.
pub fn attach_bytes(
    input: &[u8],
    attachments: &[Attachment],
    opts: &AttachOptions,
) -> Result<Vec<u8>, Error> {
    let doc = update::open_bytes(input, opts.document_password.as_ref())?;
    let bytes = build_update(&doc, attachments, opts)?;
    Ok(update::append(input, &bytes))
}

/// The bytes of the incremental update that attaches `attachments` to `doc`.
fn build_update<S: Source>(
    doc: &Document<S>,
    attachments: &[Attachment],
    opts: &AttachOptions,
) -> Result<Vec<u8>, Error> {
    let Begun {
        mut update,
        rev,
        catalog_ref,
        mut catalog,
    } = update::begin(doc, Operation::Attach)?;
    if !opts.allow_signed {
        let signatures = acroform::signature_dictionaries(doc, rev)?.len();
        if signatures > 0 {
            return Err(AttachmentError::AlreadySigned { signatures }.into());
        }
    }

    // The name tree as it is, and the names it already uses.
    let names_entry = catalog.get(b"Names").cloned();
    let mut names_dict = match &names_entry {
        Some(n) => doc.resolve_dict(rev, n)?.ok_or_else(|| {
            Error::from(Refusal::Malformed {
                entry: "the catalog's /Names",
                expected: Expected::Dictionary,
            })
        })?,
        None => Dict::new(),
    };
    let mut entries: Vec<(Vec<u8>, Object)> = match names_dict.get(b"EmbeddedFiles") {
        Some(tree) => name_tree_entries(doc, rev, tree)?
            .into_iter()
            .map(|e| (e.key, e.value))
            .collect(),
        None => Vec::new(),
    };
    let mut taken: Vec<String> = entries.iter().map(|(k, _)| decode_text_string(k)).collect();
    for a in attachments {
        if a.name.is_empty() || a.name.chars().any(char::is_control) {
            return Err(AttachmentError::BadAttachmentName {
                name: a.name.clone(),
            }
            .into());
        }
        if taken.contains(&a.name) {
            return Err(AttachmentError::DuplicateAttachment {
                name: a.name.clone(),
            }
            .into());
        }
        taken.push(a.name.clone());
    }

    let mut new_specs = Vec::new();
    for a in attachments {
        let spec = add_attachment(&mut update, a, opts)?;
        entries.push((PdfString::text(&a.name).bytes, Object::Reference(spec)));
        new_specs.push(spec);
    }

    // The name tree: one flat root, keys in byte order (§7.9.6).
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut flat = Vec::with_capacity(entries.len() * 2);
    for (key, value) in entries {
        flat.push(Object::String(PdfString::literal(key)));
        flat.push(value);
    }
    let mut root = Dict::new();
    root.set("Names", Object::Array(flat));
    let root_ref = update.allocate()?;
    update.put(root_ref, &Object::Dict(root))?;
    names_dict.set("EmbeddedFiles", root_ref);
    let mut catalog_changed = false;
    match names_entry {
        Some(Object::Reference(r)) => update.put(r, &Object::Dict(names_dict))?,
        _ => {
            catalog.set("Names", Object::Dict(names_dict));
            catalog_changed = true;
        }
    }

    // Associated files.
    let new_af = new_specs.iter().map(|r| Object::Reference(*r));
    match catalog.get(b"AF").cloned() {
        Some(Object::Reference(r)) => {
            let mut arr = match doc.get(rev, r)? {
                Some(Object::Array(a)) => a,
                _ => {
                    return Err(Error::from(Refusal::Malformed {
                        entry: "the catalog's /AF",
                        expected: Expected::Array,
                    }))
                }
            };
            arr.extend(new_af);
            update.put(r, &Object::Array(arr))?;
        }
        Some(Object::Array(mut arr)) => {
            arr.extend(new_af);
            catalog.set("AF", Object::Array(arr));
            catalog_changed = true;
        }
        None => {
            catalog.set("AF", Object::Array(new_af.collect()));
            catalog_changed = true;
        }
        Some(_) => {
            return Err(Error::from(Refusal::Malformed {
                entry: "the catalog's /AF",
                expected: Expected::Array,
            }))
        }
    }
    if catalog_changed {
        update.put(catalog_ref, &Object::Dict(catalog))?;
    }
    Ok(update.finish()?.bytes)
}

/// Adds the embedded file stream and the file specification of `a`; returns the latter.
fn add_attachment(
    update: &mut IncrementalUpdate,
    a: &Attachment,
    opts: &AttachOptions,
) -> Result<ObjRef, Error> {
    let (data, file_time) = match &a.content {
        AttachmentContent::Bytes(b) => (b.clone(), None),
        AttachmentContent::File(path) => {
            let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
            if meta.len() > opts.max_file_bytes {
                return Err(AttachmentError::TooLarge {
                    path: path.clone(),
                    size: meta.len(),
                    limit: opts.max_file_bytes,
                }
                .into());
            }
            let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            (data, meta.modified().ok().map(OffsetDateTime::from))
        }
    };
    if data.len() as u64 > opts.max_file_bytes {
        return Err(AttachmentError::TooLarge {
            path: PathBuf::from(&a.name),
            size: data.len() as u64,
            limit: opts.max_file_bytes,
        }
        .into());
    }
    let mime = a
        .mime_type
        .clone()
        .or_else(|| mime_type_for(&a.name).map(str::to_owned))
        .unwrap_or_else(|| "application/octet-stream".to_owned());

    let mut params = Dict::new();
    params.set("Size", Object::Integer(data.len() as i64));
    if let Some(t) = a.modified.or(file_time) {
        params.set(
            "ModDate",
            Object::String(PdfString::literal(format_pdf_date(t).into_bytes())),
        );
    }
    params.set(
        "CheckSum",
        Object::String(PdfString::hex(Md5::digest(&data).to_vec())),
    );

    let mut dict = Dict::new();
    dict.set("Type", Object::Name(Name::from("EmbeddedFile")));
    dict.set("Subtype", Object::Name(Name::new(mime.into_bytes())));
    dict.set("Params", Object::Dict(params));
    let compressed = crate::pdf::incremental::deflate(&data, flate2::Compression::default())?;
    let body = if compressed.len() < data.len() {
        dict.set("Filter", Object::Name(Name::from("FlateDecode")));
        compressed
    } else {
        data
    };
    let stream_ref = update.allocate()?;
    update.put(
        stream_ref,
        &Object::Stream(Stream {
            dict,
            data: StreamData::Memory(body),
        }),
    )?;

    let mut ef = Dict::new();
    ef.set("F", stream_ref);
    ef.set("UF", stream_ref);
    let mut spec = Dict::new();
    spec.set("Type", Object::Name(Name::from("Filespec")));
    spec.set(
        "F",
        Object::String(PdfString::literal(ascii_fallback(&a.name).into_bytes())),
    );
    spec.set("UF", Object::String(PdfString::text(&a.name)));
    spec.set("EF", Object::Dict(ef));
    if let Some(d) = &a.description {
        spec.set("Desc", Object::String(PdfString::text(d)));
    }
    spec.set(
        "AFRelationship",
        Object::Name(Name::from(a.relationship.name())),
    );
    let spec_ref = update.allocate()?;
    update.put(spec_ref, &Object::Dict(spec))?;
    Ok(spec_ref)
}
