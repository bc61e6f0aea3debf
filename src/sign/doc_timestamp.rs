//! Document timestamps (ISO 32000-2 §12.8.5, ETSI EN 319 142-1 §5.4): a signature field
//! whose dictionary is `/Type /DocTimeStamp`, `/SubFilter /ETSI.RFC3161`, and whose
//! `/Contents` is an RFC 3161 token over the byte ranges — added by incremental update like
//! a signature, so every earlier signature stays valid.
//!
//! ```text
//! token reserve (probe or fixed) ──> sign::placement (field, widget, /DocTimeStamp
//! dictionary, placeholder) ──> hash(input ‖ update without the /Contents gap)
//! ──> TimestampClient::timestamp(that digest) ──> token checked ──> hex into /Contents
//! ```

use std::path::Path;

use time::OffsetDateTime;

use super::placement::place_signature;
use super::timestamping::{obtain_token, Timestamping};
use super::{fix_byte_range, Prepared, SignOptions, SubFilter};
use crate::crypto::Hasher;
use crate::output::Target;
use crate::pdf::date::format_pdf_date;
use crate::pdf::update;
use crate::pdf::{acroform, Dict, Document, Name, Object, PdfString, Source};
use crate::refusal::Refusal;
use crate::Error;

/// Room kept in `/Contents` beyond the token reserve, in bytes.
const CONTENTS_SLACK: usize = 64;

/// Where a document timestamp goes.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DocTimestampOptions {
    /// The new field's name; `None`: `Timestamp1`, `Timestamp2`, … (the first unused).
    pub field_name: Option<String>,
    /// The password of an encrypted input (user or owner; then the empty user password is
    /// tried). The update is written encrypted with the document's own key.
    pub document_password: Option<crate::pdf::Password>,
}

impl DocTimestampOptions {
    /// Defaults: a new invisible field `TimestampN` on page 1.
    pub fn new() -> Self {
        DocTimestampOptions::default()
    }

    /// Names the new field.
    pub fn field_name(mut self, name: impl Into<String>) -> Self {
        self.field_name = Some(name.into());
        self
    }

    /// The password of an encrypted input.
    pub fn document_password(mut self, password: crate::pdf::Password) -> Self {
        self.document_password = Some(password);
        self
    }
}

/// Adds a document timestamp to the PDF at `input` and writes the result to `output` by
/// kyso's write rule ([`crate::output`]); nothing is written when the authority fails or
/// its token is refused.
pub fn timestamp_file<'a>(
    input: &Path,
    output: impl Into<Target<'a>>,
    timestamping: &Timestamping,
    opts: &DocTimestampOptions,
) -> Result<(), Error> {
    let opened = update::open_with_password(input, output, &[], opts.document_password.as_ref())?;
    let prepared = prepare(opened.doc(), timestamping, opts).map_err(|e| e.with_path(input))?;
    opened.commit_with(
        Hasher::new(prepared.digest_algorithm),
        |hasher, chunk| hasher.update(chunk),
        |hasher| {
            let digest = prepared.document_digest(hasher);
            finish(prepared, timestamping, &digest)
        },
    )
}

/// Adds a document timestamp to a PDF held in memory and returns the new file.
pub fn timestamp_bytes(
    input: &[u8],
    timestamping: &Timestamping,
    opts: &DocTimestampOptions,
) -> Result<Vec<u8>, Error> {
    let doc = update::open_bytes(input, opts.document_password.as_ref())?;
    let prepared = prepare(&doc, timestamping, opts)?;
    let mut hasher = Hasher::new(prepared.digest_algorithm);
    hasher.update(input);
    let digest = prepared.document_digest(hasher);
    let update = finish(prepared, timestamping, &digest)?;
    Ok(update::append(input, &update))
}

fn prepare<S: Source>(
    doc: &Document<S>,
    timestamping: &Timestamping,
    opts: &DocTimestampOptions,
) -> Result<Prepared, Error> {
    let capacity = timestamping
        .token_reserve()?
        .checked_add(CONTENTS_SLACK)
        .ok_or_else(|| Error::from(Refusal::TokenReserveTooLarge))?;
    let field_name = match &opts.field_name {
        Some(n) => n.clone(),
        None => {
            let fields = acroform::fields(doc, doc.last_revision())?;
            (1..)
                .map(|i| format!("Timestamp{i}"))
                .find(|n| !fields.iter().any(|f| &f.name == n))
                .unwrap_or_else(|| "Timestamp".to_owned())
        }
    };
    let mut entries = Dict::new();
    entries.set("Type", Object::Name(Name::from("DocTimeStamp")));
    entries.set("Filter", Object::Name(Name::from("Adobe.PPKLite")));
    entries.set("SubFilter", Object::Name(Name::from("ETSI.RFC3161")));
    // The token holds the proven time; /M is the local time, for viewers that show one.
    entries.set(
        "M",
        Object::String(PdfString::literal(
            format_pdf_date(OffsetDateTime::now_utc()).into_bytes(),
        )),
    );
    let sign_opts = SignOptions::new().field_name(field_name);
    let placed = place_signature(doc, &sign_opts, &entries, capacity, None)?;
    let (update, contents, byte_range) = fix_byte_range(doc.len(), placed)?;
    Ok(Prepared {
        update,
        contents,
        byte_range,
        digest_algorithm: timestamping.digest_algorithm(),
        signing_time: OffsetDateTime::UNIX_EPOCH,
        sub_filter: SubFilter::Pades,
        capacity,
        timestamping: None,
    })
}

/// Asks for the token over `digest` (the byte ranges' digest) and writes it into the
/// placeholder.
fn finish(
    prepared: Prepared,
    timestamping: &Timestamping,
    digest: &[u8],
) -> Result<Vec<u8>, Error> {
    let token = obtain_token(
        timestamping.client().as_ref(),
        timestamping.digest_algorithm(),
        digest,
    )?;
    if token.len() > prepared.capacity {
        return Err(crate::tsp::TspError::DoesNotFit {
            needed: token.len(),
            reserved: prepared.capacity,
        }
        .into());
    }
    prepared.embed(&token)
}
