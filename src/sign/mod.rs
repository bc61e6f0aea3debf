//! Signing: PAdES B-B and `adbe.pkcs7.detached` signatures by incremental update.
//!
//! The pipeline: read the last revision ([`crate::pdf::Document`]), place a signature field,
//! widget and signature dictionary with `/ByteRange` and `/Contents` placeholders in one
//! incremental update (sized once, from the signer's maximum signature length), hash the
//! file with the update minus the `/Contents` gap, build the CMS signed attributes, have the
//! [`Signer`] sign them, and write the CMS into the placeholder. The input's bytes are a
//! byte-identical prefix of the output; files are written to a temporary file and renamed.

pub mod appearance;
pub mod batch;
mod certify;
pub(crate) mod check;
mod cms_signature;
mod doc_timestamp;
pub mod fields;
mod options;
mod placement;
mod revocation;
mod timestamping;
pub mod two_phase;

pub use certify::{DocMdpPermission, FieldLockSpec};
pub use check::{check_signer, SignerCheck, SignerWarning, UnfitCertificate};
pub use doc_timestamp::{timestamp_bytes, timestamp_file, DocTimestampOptions};
pub use options::{SignOptions, SubFilter};
pub use revocation::RevocationCheck;
pub use timestamping::{Timestamping, TokenReserve, DEFAULT_TOKEN_RESERVE, PROBE_MARGIN};

use std::path::Path;

use time::OffsetDateTime;

use crate::crypto::{DigestAlgorithm, Hasher};
use crate::output::Target;
use crate::pdf::date::format_pdf_date;
use crate::pdf::update;
use crate::pdf::{Dict, Document, Name, Object, PdfString, Source};
use crate::refusal::Refusal;
use crate::signer::{Signer, SignerIdentity};
use crate::Error;

use placement::{byte_range_text, place_signature};

/// Room kept in `/Contents` beyond the CMS estimate, in bytes.
const CONTENTS_SLACK: usize = 64;

/// Signs the PDF at `input` and writes the signed file to `output` by kyso's write rule
/// ([`crate::output`]: atomic, never over the input, an existing file only with
/// [`Overwrite::Replace`](crate::output::Overwrite::Replace)). `input` is only read.
///
/// Refused before anything is written: a document that does not allow another signature
/// (encrypted, certified with no changes allowed, a locked or already signed field), and a
/// signer whose certificate cannot make a signature that verifies
/// ([`Error::UnfitCertificate`]: expired or not yet valid at the signing time, a key usage
/// that forbids signing, a key that is not the certificate's; see [`check_signer`]).
///
/// ```no_run
/// use std::path::Path;
/// use kyso::sign::{sign_file, SignOptions, SubFilter};
/// use kyso::signer::SoftwareSigner;
///
/// # fn main() -> Result<(), kyso::Error> {
/// // The official's key and certificate, and the issuing CA's certificate for verifiers.
/// let signer = SoftwareSigner::from_pem_files(
///     Path::new("can-bo.key.pem"),
///     Path::new("can-bo.pem"),
///     Some(Path::new("chain.pem")),
/// )?;
/// let opts = SignOptions::new()
///     .reason("Xác nhận hồ sơ hợp lệ")
///     .location("UBND Phường Bến Nghé")
///     .sub_filter(SubFilter::Pades);
/// sign_file(Path::new("ho-so.pdf"), Path::new("ho-so.da-ky.pdf"), &signer, &opts)?;
/// # Ok(())
/// # }
/// ```
pub fn sign_file<'a>(
    input: &Path,
    output: impl Into<Target<'a>>,
    signer: &dyn Signer,
    opts: &SignOptions,
) -> Result<(), Error> {
    let opened = update::open_with_password(input, output, &[], opts.document_password.as_ref())?;
    let identity = SignerIdentity::of(signer);
    let prepared = prepare(opened.doc(), &identity, opts).map_err(|e| e.with_path(input))?;
    // One pass over the input: copy it to the temporary output while hashing it.
    opened.commit_with(
        Hasher::new(prepared.digest_algorithm),
        |hasher, chunk| hasher.update(chunk),
        |hasher| {
            let digest = prepared.document_digest(hasher);
            let archival = archival_attribute(opts)?;
            prepared.sign_and_embed(&identity, signer, &digest, archival)
        },
    )
}

/// Signs a PDF held in memory and returns the signed file.
pub fn sign_bytes(input: &[u8], signer: &dyn Signer, opts: &SignOptions) -> Result<Vec<u8>, Error> {
    let identity = SignerIdentity::of(signer);
    let meter = crate::budget::DocumentMeter::start(
        crate::budget::DocumentBudget::default().deadline(None),
    );
    let doc = Document::open_with_password(
        input,
        crate::pdf::Budget::default(),
        meter,
        opts.document_password.as_ref(),
    )?;
    let prepared = prepare(&doc, &identity, opts)?;
    let mut hasher = Hasher::new(prepared.digest_algorithm);
    hasher.update(input);
    let digest = prepared.document_digest(hasher);
    let update = prepared.sign_and_embed(&identity, signer, &digest, archival_attribute(opts)?)?;
    Ok(update::append(input, &update))
}

/// The adbe-revocationInfoArchival attribute `opts` asks for (refused for PAdES, whose
/// validation data belongs in the `/DSS`).
fn archival_attribute(opts: &SignOptions) -> Result<Option<Vec<u8>>, Error> {
    match &opts.revocation_info_archival {
        None => Ok(None),
        Some(_) if opts.sub_filter != SubFilter::Pkcs7Detached => {
            Err(Error::from(Refusal::ArchivalAttributeNeedsPkcs7))
        }
        Some(a) => Ok(Some(a.attribute_der()?)),
    }
}

/// Room the adbe-revocationInfoArchival attribute needs in `/Contents` (its DER plus a few
/// bytes for longer lengths around it).
fn archival_room(opts: &SignOptions) -> Result<usize, Error> {
    Ok(archival_attribute(opts)?.map_or(0, |a| a.len().saturating_add(16)))
}

/// An update with its placeholders, ready to be hashed and signed.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    /// The bytes to append, `/ByteRange` already final, `/Contents` still zeros.
    pub(crate) update: Vec<u8>,
    /// `/Contents` hex string (with its delimiters) within `update`.
    pub(crate) contents: (usize, usize),
    /// The final `/ByteRange`.
    pub(crate) byte_range: [u64; 4],
    pub(crate) digest_algorithm: DigestAlgorithm,
    pub(crate) signing_time: OffsetDateTime,
    pub(crate) sub_filter: SubFilter,
    /// Bytes the CMS may take.
    pub(crate) capacity: usize,
    /// Where the signature timestamp (B-T) comes from, when one is added.
    pub(crate) timestamping: Option<Timestamping>,
}

pub(crate) fn prepare<S: Source>(
    doc: &Document<S>,
    identity: &SignerIdentity,
    opts: &SignOptions,
) -> Result<Prepared, Error> {
    let signing_time = opts.signing_time.unwrap_or_else(OffsetDateTime::now_utc);
    check::refuse_unfit(identity, signing_time, opts.allow_invalid_certificate)?;
    if let Some(rc) = &opts.revocation_check {
        revocation::refuse_revoked(
            identity,
            signing_time,
            rc,
            opts.revocation_info_archival.as_ref(),
        )?;
    }
    // The token's room is known before anything is placed (a probe asks the authority now).
    let token_reserve = match &opts.timestamping {
        Some(t) => t.token_reserve()?,
        None => 0,
    };
    let capacity = cms_signature::max_len(
        identity,
        opts.sub_filter == SubFilter::Pkcs7Detached,
        token_reserve,
    )? + CONTENTS_SLACK
        + archival_room(opts)?;

    let mut entries = Dict::new();
    entries.set("Type", Object::Name(Name::from("Sig")));
    entries.set("Filter", Object::Name(Name::from("Adobe.PPKLite")));
    entries.set(
        "SubFilter",
        Object::Name(Name::from(opts.sub_filter.name())),
    );
    entries.set(
        "M",
        Object::String(PdfString::literal(
            format_pdf_date(signing_time).into_bytes(),
        )),
    );
    for (key, value) in [
        ("Name", &opts.name),
        ("Reason", &opts.reason),
        ("Location", &opts.location),
        ("ContactInfo", &opts.contact_info),
    ] {
        if let Some(v) = value {
            entries.set(key, Object::String(PdfString::text(v)));
        }
    }

    if let Some(refs) = certify::signature_references(opts.certify, opts.lock_fields.as_ref()) {
        entries.set("Reference", refs);
    }
    let visible = opts
        .appearance
        .as_ref()
        .map(|a| appearance::prepare(a, opts, identity.certificate(), signing_time))
        .transpose()?;
    let placed = place_signature(doc, opts, &entries, capacity, visible)?;
    let (update, contents, br) = fix_byte_range(doc.len(), placed)?;
    Ok(Prepared {
        update,
        contents,
        byte_range: br,
        digest_algorithm: identity.algorithm().digest(),
        signing_time,
        sub_filter: opts.sub_filter,
        capacity,
        timestamping: opts.timestamping.clone(),
    })
}

/// A serialised update: its bytes, where `/Contents` is in it, and the final `/ByteRange`.
pub(crate) type FixedUpdate = (Vec<u8>, (usize, usize), [u64; 4]);

/// Serialises a placed update and writes its final `/ByteRange` (the update appended to a
/// file of `base_len` bytes).
pub(crate) fn fix_byte_range(
    base_len: u64,
    placed: placement::Placed,
) -> Result<FixedUpdate, Error> {
    let written = placed.update.finish()?;
    let placement = written
        .objects
        .get(&placed.sig_ref)
        .ok_or(Error::Internal {
            what: "the signature dictionary was not written",
        })?;
    let body_in_update = usize::try_from(placement.body_offset - base_len)
        .map_err(|_| Error::from(Refusal::UpdateTooLarge))?;
    let (c_off, c_len) = placed.sig_body.contents_at;
    let (b_off, b_len) = placed.sig_body.byte_range_at;
    let contents_start = body_in_update + c_off;
    let contents_end = contents_start + c_len;
    let total = base_len + written.bytes.len() as u64;
    let abs_start = base_len + contents_start as u64;
    let abs_end = base_len + contents_end as u64;
    let br = [0, abs_start, abs_end, total - abs_end];
    let mut update = written.bytes;
    let text = format!("[{}]", String::from_utf8_lossy(&byte_range_text(&br)));
    let slot = update
        .get_mut(body_in_update + b_off..body_in_update + b_off + b_len)
        .filter(|s| s.len() == text.len())
        .ok_or(Error::Internal {
            what: "the /ByteRange placeholder does not match",
        })?;
    slot.copy_from_slice(text.as_bytes());
    Ok((update, (contents_start, contents_end), br))
}

impl Prepared {
    /// Finishes the document digest: `hasher` has seen the input; the update around the
    /// `/Contents` gap is added here.
    pub(crate) fn document_digest(&self, mut hasher: Hasher) -> Vec<u8> {
        let (start, end) = self.contents;
        hasher.update(self.update.get(..start).unwrap_or_default());
        hasher.update(self.update.get(end..).unwrap_or_default());
        hasher.finish()
    }

    /// The signing time as a signed attribute, for the formats that carry one.
    pub(crate) fn signing_time_attribute(&self) -> Option<OffsetDateTime> {
        match self.sub_filter {
            SubFilter::Pkcs7Detached => Some(self.signing_time),
            SubFilter::Pades => None,
        }
    }

    /// Has `signer` sign the signed attributes for `digest` and writes the CMS into the
    /// update.
    fn sign_and_embed(
        self,
        identity: &SignerIdentity,
        signer: &dyn Signer,
        digest: &[u8],
        archival: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, Error> {
        let attributes = match archival {
            None => {
                cms_signature::signed_attributes(identity, digest, self.signing_time_attribute())?
            }
            Some(attribute) => {
                let mut spec =
                    crate::cms::SignedAttributesSpec::new(digest, identity.certificate())
                        .with_extra_attribute(attribute);
                if let Some(t) = self.signing_time_attribute() {
                    spec = spec.with_signing_time(t);
                }
                crate::cms::build_signed_attributes(&spec)?
            }
        };
        let signature = check::own_signature(identity, &attributes, signer.sign(&attributes))?;
        let unsigned = match &self.timestamping {
            Some(t) => vec![t.signature_timestamp_attribute(&signature)?],
            None => Vec::new(),
        };
        let cms = cms_signature::signed_data_with(identity, &attributes, &signature, unsigned)?;
        self.embed(&cms)
    }

    /// Writes `cms` into the `/Contents` placeholder and returns the update.
    pub(crate) fn embed(self, cms: &[u8]) -> Result<Vec<u8>, Error> {
        if cms.len() > self.capacity && self.timestamping.is_some() {
            return Err(crate::tsp::TspError::DoesNotFit {
                needed: cms.len(),
                reserved: self.capacity,
            }
            .into());
        }
        if cms.len() > self.capacity {
            return Err(Error::from(Refusal::PlaceholderTooSmall {
                needed: cms.len(),
                available: self.capacity,
            }));
        }
        let (start, _) = self.contents;
        let mut update = self.update;
        let hex = crate::util::hex(cms);
        let slot = update
            .get_mut(start + 1..start + 1 + hex.len())
            .ok_or(Error::Internal {
                what: "the /Contents placeholder is too small",
            })?;
        slot.copy_from_slice(hex.as_bytes());
        Ok(update)
    }
}
