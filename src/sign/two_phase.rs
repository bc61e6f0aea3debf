//! Two-phase (remote) signing: prepare the update and the bytes to sign now, finish the PDF
//! later — in another process, after a restart — when the signature comes back.
//!
//! ```text
//! prepare_file(input, identity, opts) ──> PreparedSignature (serde JSON)
//!     .bytes_to_sign()   the CMS signed attributes (DER SET), for signers that hash
//!     .digest_to_sign()  their digest, for services that sign a hash
//!     .document_digest() the digest of the byte ranges, for services that build the CMS
//! ... the official approves on a phone ...
//! finish_file(state, signature, input, output)   a raw signature value
//! finish_file_timestamped(…, tsa, …)              the same, plus the signature timestamp
//!                                                 (B-T) requested now, at finish
//! embed_cms_file(state, cms, input, output)      a complete CMS built elsewhere
//! ```
//!
//! A signature timestamp is requested at finish (the signature value exists only then), so
//! its room is reserved at prepare: [`SignOptions::timestamp`] with a fixed
//! [`TokenReserve::Bytes`](super::TokenReserve) (or a probe, which asks the authority at
//! prepare time). The state records that a timestamp is expected; finishing without one,
//! or with one when none was reserved, is refused.
//!
//! The state holds the update bytes (with `/ByteRange` final and `/Contents` zeros), where
//! the placeholder is, the signed attributes, the certificate and chain, and the input's
//! length and SHA-256. Nothing in it is trusted at finish: the state is checked for
//! consistency, the signature against the certificate over the signed attributes, the input
//! against its length and SHA-256, and the document digest is recomputed from the input and
//! the update. Any mismatch refuses before the output file exists.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{cms_signature, prepare, Prepared, SignOptions, SubFilter};
use crate::asn1::oid;
use crate::cms::{check_signer, encode_attribute, parse_signed_data};
use crate::crypto::{digest, DigestAlgorithm, Hasher, SignatureAlgorithm};
use crate::output::{Output, Target};
use crate::pdf::update;
use crate::pdf::{Document, FileSource};
use crate::refusal::{CmsCheck, Refusal};
use crate::signer::SignerIdentity;
use crate::tsp::TimestampClient;
use crate::Error;

/// The `format` value of a serialised state.
pub const STATE_FORMAT: &str = "kyso-prepared-signature";
/// The state version this build reads and writes.
pub const STATE_VERSION: u32 = 1;

/// The length and SHA-256 of the file being signed, so that finishing refuses a changed input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InputFingerprint {
    /// Length in bytes.
    pub len: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// A prepared signature: everything needed to finish it, serialisable as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PreparedSignature {
    /// Always [`STATE_FORMAT`].
    pub format: String,
    /// [`STATE_VERSION`].
    pub version: u32,
    /// The input's length and SHA-256.
    pub input: InputFingerprint,
    /// Where the input was when prepared (a hint for tools; finishing checks the content,
    /// not the path).
    #[serde(default)]
    pub input_path: Option<PathBuf>,
    /// Where a tool means to write the signed file (a hint, set by the caller).
    #[serde(default)]
    pub output_path: Option<PathBuf>,
    /// The incremental update (hex), `/ByteRange` final, `/Contents` zeros.
    update: String,
    /// `/Contents` (with its `<` `>`) within the update: start and end offsets.
    contents: (usize, usize),
    /// The final `/ByteRange`.
    byte_range: [u64; 4],
    /// Bytes the CMS may take.
    capacity: usize,
    /// `/SubFilter`.
    sub_filter: String,
    /// The signing time (`/M`; also a signed attribute for `adbe.pkcs7.detached`), Unix
    /// seconds.
    signing_time: i64,
    /// The digest of the byte ranges.
    digest_algorithm: DigestAlgorithm,
    /// The digest of the byte ranges, hex.
    document_digest: String,
    /// The signature algorithm.
    signature_algorithm: SignatureAlgorithm,
    /// The signed attributes (DER SET, hex): the bytes to sign.
    signed_attributes: String,
    /// The signer's certificate (DER, hex).
    certificate: String,
    /// The chain (DER, hex).
    chain: Vec<String>,
    /// The signature timestamp (B-T) to add at finish, when one was asked for.
    #[serde(default)]
    timestamp: Option<TimestampPlan>,
}

/// A signature timestamp expected at finish.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimestampPlan {
    /// The imprint's digest algorithm.
    pub digest_algorithm: DigestAlgorithm,
    /// Bytes reserved for the token in the placeholder.
    pub reserve: usize,
}

/// Prepares a signature of the PDF at `input` by `identity` (see the module documentation).
pub fn prepare_file(
    input: &Path,
    identity: &SignerIdentity,
    opts: &SignOptions,
) -> Result<PreparedSignature, Error> {
    let source = FileSource::open(input).map_err(|e| Error::io(input, e))?;
    let doc = Document::open(source).map_err(|e| Error::from(e).with_path(input))?;
    let prepared = prepare(&doc, identity, opts).map_err(|e| e.with_path(input))?;
    let mut sha = Hasher::new(DigestAlgorithm::Sha256);
    let mut hasher = Hasher::new(prepared.digest_algorithm);
    update::copy_prefix(input, doc.len(), &mut std::io::sink(), input, |chunk| {
        sha.update(chunk);
        hasher.update(chunk);
    })?;
    let fingerprint = InputFingerprint {
        len: doc.len(),
        sha256: crate::util::hex(&sha.finish()),
    };
    let mut state = PreparedSignature::new(prepared, hasher, fingerprint, identity)
        .map_err(|e| e.with_path(input))?;
    state.input_path = Some(std::fs::canonicalize(input).unwrap_or_else(|_| input.to_path_buf()));
    Ok(state)
}

/// Prepares a signature of a PDF held in memory.
pub fn prepare_bytes(
    input: &[u8],
    identity: &SignerIdentity,
    opts: &SignOptions,
) -> Result<PreparedSignature, Error> {
    let doc = Document::open(input)?;
    let prepared = prepare(&doc, identity, opts)?;
    let mut hasher = Hasher::new(prepared.digest_algorithm);
    hasher.update(input);
    let fingerprint = InputFingerprint {
        len: input.len() as u64,
        sha256: crate::util::hex(&digest(DigestAlgorithm::Sha256, input)),
    };
    PreparedSignature::new(prepared, hasher, fingerprint, identity)
}

/// Completes the PDF at `input` with `signature` (the signature value over
/// [`PreparedSignature::bytes_to_sign`]; raw `r ‖ s` is accepted for ECDSA) and writes it to
/// `output` atomically. Refuses, writing nothing, if the signature does not verify with the
/// certificate or the input is not the file that was prepared.
pub fn finish_file<'a>(
    state: &PreparedSignature,
    signature: &[u8],
    input: &Path,
    output: impl Into<Target<'a>>,
) -> Result<(), Error> {
    finish_file_inner(state, signature, None, input, output.into())
}

/// [`finish_file`] for a state prepared with a signature timestamp: the token is requested
/// from `tsa` over the signature value and added as the signature-time-stamp attribute
/// (PAdES B-T). Refuses, writing nothing, when the authority fails, its token is refused,
/// or it does not fit the room reserved at prepare.
pub fn finish_file_timestamped<'a>(
    state: &PreparedSignature,
    signature: &[u8],
    tsa: &dyn TimestampClient,
    input: &Path,
    output: impl Into<Target<'a>>,
) -> Result<(), Error> {
    finish_file_inner(state, signature, Some(tsa), input, output.into())
}

fn finish_file_inner(
    state: &PreparedSignature,
    signature: &[u8],
    tsa: Option<&dyn TimestampClient>,
    input: &Path,
    output: Target<'_>,
) -> Result<(), Error> {
    let out = Output::check(output, &[input])?;
    let (prepared, identity, attributes) = state.restore()?;
    let signature = identity.check_signature(&attributes, signature)?;
    let unsigned = state.timestamp_attributes(&signature, tsa)?;
    let cms = cms_signature::signed_data_with(&identity, &attributes, &signature, unsigned)?;
    state.check_fits(&cms)?;
    write_file(
        state,
        prepared,
        &cms,
        state.digest_algorithm,
        input,
        out,
        |digest| state.check_document_digest(digest),
    )
}

/// [`finish_file`] for a PDF held in memory; returns the signed file.
pub fn finish_bytes(
    state: &PreparedSignature,
    signature: &[u8],
    input: &[u8],
) -> Result<Vec<u8>, Error> {
    finish_bytes_inner(state, signature, None, input)
}

/// [`finish_file_timestamped`] for a PDF held in memory; returns the signed file.
pub fn finish_bytes_timestamped(
    state: &PreparedSignature,
    signature: &[u8],
    tsa: &dyn TimestampClient,
    input: &[u8],
) -> Result<Vec<u8>, Error> {
    finish_bytes_inner(state, signature, Some(tsa), input)
}

fn finish_bytes_inner(
    state: &PreparedSignature,
    signature: &[u8],
    tsa: Option<&dyn TimestampClient>,
    input: &[u8],
) -> Result<Vec<u8>, Error> {
    let (prepared, identity, attributes) = state.restore()?;
    let signature = identity.check_signature(&attributes, signature)?;
    let unsigned = state.timestamp_attributes(&signature, tsa)?;
    let cms = cms_signature::signed_data_with(&identity, &attributes, &signature, unsigned)?;
    state.check_fits(&cms)?;
    state.check_input_bytes(input)?;
    let digest = prepared.document_digest(hasher_over(state.digest_algorithm, input));
    state.check_document_digest(&digest)?;
    join(input, prepared.embed(&cms)?)
}

/// Embeds a complete detached CMS SignedData produced elsewhere over
/// [`PreparedSignature::document_digest`] (any digest algorithm kyso supports), after
/// checking its message digest against the document and its signature. Writes `output`
/// atomically; refuses, writing nothing, on any mismatch or if it does not fit the
/// placeholder (see [`SignerIdentity::with_cms_reserve`]).
pub fn embed_cms_file<'a>(
    state: &PreparedSignature,
    cms: &[u8],
    input: &Path,
    output: impl Into<Target<'a>>,
) -> Result<(), Error> {
    let out = Output::check(output, &[input])?;
    let (prepared, _, _) = state.restore()?;
    let algorithm = foreign_cms_digest(cms)?;
    state.check_foreign_timestamp(cms)?;
    write_file(state, prepared, cms, algorithm, input, out, |digest| {
        check_foreign_cms(cms, digest)
    })
}

/// [`embed_cms_file`] for a PDF held in memory; returns the signed file.
pub fn embed_cms_bytes(
    state: &PreparedSignature,
    cms: &[u8],
    input: &[u8],
) -> Result<Vec<u8>, Error> {
    let (prepared, _, _) = state.restore()?;
    let algorithm = foreign_cms_digest(cms)?;
    state.check_foreign_timestamp(cms)?;
    state.check_input_bytes(input)?;
    let digest = prepared.document_digest(hasher_over(algorithm, input));
    check_foreign_cms(cms, &digest)?;
    join(input, prepared.embed(cms)?)
}

fn hasher_over(algorithm: DigestAlgorithm, input: &[u8]) -> Hasher {
    let mut h = Hasher::new(algorithm);
    h.update(input);
    h
}

fn join(input: &[u8], update: Vec<u8>) -> Result<Vec<u8>, Error> {
    Ok(update::append(input, &update))
}

/// Copies the input to a temporary file beside `output` while hashing it, checks it is the
/// prepared input and that `check` accepts the document digest (computed with `algorithm`),
/// then appends the update with `cms` and renames. On any failure the temporary file is
/// removed and `output` never appears.
fn write_file(
    state: &PreparedSignature,
    prepared: Prepared,
    cms: &[u8],
    algorithm: DigestAlgorithm,
    input: &Path,
    out: Output<'_>,
    check: impl FnOnce(&[u8]) -> Result<(), Error>,
) -> Result<(), Error> {
    let len = std::fs::metadata(input)
        .map_err(|e| Error::io(input, e))?
        .len();
    if len != state.input.len {
        return Err(changed(input));
    }
    let update = prepared.clone().embed(cms)?;
    let hashers = (Hasher::new(DigestAlgorithm::Sha256), Hasher::new(algorithm));
    update::commit(
        out,
        input,
        len,
        hashers,
        |(sha, hasher), chunk| {
            sha.update(chunk);
            hasher.update(chunk);
        },
        |(sha, hasher)| {
            if crate::util::hex(&sha.finish()) != state.input.sha256 {
                return Err(changed(input));
            }
            check(&prepared.document_digest(hasher))?;
            Ok(update)
        },
    )
}

fn changed(input: &Path) -> Error {
    Error::from(Refusal::InputChanged).with_path(input)
}

/// The digest algorithm of the one SignerInfo of a foreign CMS.
fn foreign_cms_digest(cms: &[u8]) -> Result<DigestAlgorithm, Error> {
    let sd = parse_signed_data(cms)?;
    let [si] = sd.signer_infos.as_slice() else {
        return Err(Error::from(Refusal::CmsSignerCount {
            count: sd.signer_infos.len(),
        }));
    };
    if sd.econtent.is_some() {
        return Err(Error::from(Refusal::CmsNotDetached));
    }
    si.digest().ok_or_else(|| {
        Error::from(Refusal::CmsDigestUnsupported {
            algorithm: si.digest_algorithm.name(),
        })
    })
}

/// Checks a foreign CMS against the document digest: signer certificate present, message
/// digest, signature over the signed attributes.
fn check_foreign_cms(cms: &[u8], document_digest: &[u8]) -> Result<(), Error> {
    let sd = parse_signed_data(cms)?;
    let si = sd
        .signer_infos
        .first()
        .ok_or_else(|| Error::from(Refusal::CmsSignerCount { count: 0 }))?;
    if si.signed_attrs.is_none() {
        return Err(Error::from(Refusal::CmsWithoutSignedAttributes));
    }
    let check = check_signer(&sd, si, document_digest, None);
    for (step, outcome) in [
        (CmsCheck::SignerCertificate, &check.certificate_lookup),
        (CmsCheck::MessageDigest, &check.message_digest),
        (CmsCheck::Signature, &check.signature),
    ] {
        if !outcome.is_ok() {
            return Err(Error::from(Refusal::CmsCheckFailed {
                check: step,
                outcome: format!("{outcome:?}"),
            }));
        }
    }
    Ok(())
}

impl PreparedSignature {
    fn new(
        prepared: Prepared,
        hasher: Hasher,
        input: InputFingerprint,
        identity: &SignerIdentity,
    ) -> Result<Self, Error> {
        let document_digest = prepared.document_digest(hasher);
        let attributes = cms_signature::signed_attributes(
            identity,
            &document_digest,
            prepared.signing_time_attribute(),
        )?;
        let timestamp = match &prepared.timestamping {
            Some(t) => Some(TimestampPlan {
                digest_algorithm: t.digest_algorithm(),
                reserve: t.token_reserve()?,
            }),
            None => None,
        };
        Ok(PreparedSignature {
            format: STATE_FORMAT.to_owned(),
            version: STATE_VERSION,
            input,
            input_path: None,
            output_path: None,
            update: crate::util::hex(&prepared.update),
            contents: prepared.contents,
            byte_range: prepared.byte_range,
            capacity: prepared.capacity,
            sub_filter: prepared.sub_filter.name().to_owned(),
            signing_time: prepared.signing_time.unix_timestamp(),
            digest_algorithm: prepared.digest_algorithm,
            document_digest: crate::util::hex(&document_digest),
            signature_algorithm: identity.algorithm(),
            signed_attributes: crate::util::hex(&attributes),
            certificate: crate::util::hex(identity.certificate()),
            chain: identity
                .chain()
                .iter()
                .map(|c| crate::util::hex(c))
                .collect(),
            timestamp,
        })
    }

    /// The signature timestamp the state expects at finish, if any.
    pub fn timestamp_plan(&self) -> Option<&TimestampPlan> {
        self.timestamp.as_ref()
    }

    /// The unsigned attributes to add at finish: the signature timestamp from `tsa` when the
    /// state expects one. A missing or unexpected authority is refused.
    fn timestamp_attributes(
        &self,
        signature: &[u8],
        tsa: Option<&dyn TimestampClient>,
    ) -> Result<Vec<Vec<u8>>, Error> {
        match (&self.timestamp, tsa) {
            (None, None) => Ok(Vec::new()),
            (Some(_), None) => Err(Error::from(Refusal::TimestampExpected)),
            (None, Some(_)) => Err(Error::from(Refusal::NoTimestampRoom)),
            (Some(plan), Some(client)) => {
                let imprint = digest(plan.digest_algorithm, signature);
                let token =
                    super::timestamping::obtain_token(client, plan.digest_algorithm, &imprint)?;
                Ok(vec![encode_attribute(
                    &oid::ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
                    &[&token],
                )?])
            }
        }
    }

    /// Refuses a CMS larger than the placeholder, naming the timestamp when there is one.
    fn check_fits(&self, cms: &[u8]) -> Result<(), Error> {
        if cms.len() > self.capacity && self.timestamp.is_some() {
            return Err(crate::tsp::TspError::DoesNotFit {
                needed: cms.len(),
                reserved: self.capacity,
            }
            .into());
        }
        Ok(())
    }

    /// A foreign CMS embedded into a state that expects a signature timestamp must carry
    /// one.
    fn check_foreign_timestamp(&self, cms: &[u8]) -> Result<(), Error> {
        if self.timestamp.is_none() {
            return Ok(());
        }
        let sd = parse_signed_data(cms)?;
        let has = sd.signer_infos.first().is_some_and(|si| {
            si.unsigned_attribute(&oid::ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
                .is_some()
        });
        if has {
            Ok(())
        } else {
            Err(Error::from(Refusal::CmsLacksTimestamp))
        }
    }

    /// The bytes the signer must sign: the DER signed attributes. A signer that hashes
    /// (PKCS#11 `CKM_SHA256_RSA_PKCS`, a software key) signs these.
    pub fn bytes_to_sign(&self) -> Result<Vec<u8>, Error> {
        unhex(&self.signed_attributes, "signed attributes")
    }

    /// The digest of [`PreparedSignature::bytes_to_sign`] with the signature algorithm's
    /// digest: what a service that signs a hash receives.
    pub fn digest_to_sign(&self) -> Result<Vec<u8>, Error> {
        Ok(digest(
            self.signature_algorithm.digest(),
            &self.bytes_to_sign()?,
        ))
    }

    /// The digest of the document's byte ranges (for a service that builds the whole CMS).
    pub fn document_digest(&self) -> Result<Vec<u8>, Error> {
        unhex(&self.document_digest, "document digest")
    }

    /// The digest algorithm of [`PreparedSignature::document_digest`].
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.digest_algorithm
    }

    /// The signature algorithm the signature must use.
    pub fn signature_algorithm(&self) -> SignatureAlgorithm {
        self.signature_algorithm
    }

    /// The state as pretty JSON.
    pub fn to_json(&self) -> Result<String, Error> {
        serde_json::to_string_pretty(self).map_err(|_| Error::Internal {
            what: "the prepared state could not be serialised",
        })
    }

    /// Reads a state written by [`PreparedSignature::to_json`].
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let state: PreparedSignature = serde_json::from_str(json).map_err(|e| {
            Error::from(Refusal::StateUnreadable {
                reason: e.to_string(),
            })
        })?;
        if state.format != STATE_FORMAT || state.version != STATE_VERSION {
            return Err(Error::from(Refusal::StateVersion {
                format: state.format.clone(),
                version: state.version,
                expected_format: STATE_FORMAT,
                expected_version: STATE_VERSION,
            }));
        }
        Ok(state)
    }

    /// Rebuilds the prepared update, the identity and the signed attributes, and checks that
    /// they agree with each other (a tampered or damaged state is refused).
    fn restore(&self) -> Result<(Prepared, SignerIdentity, Vec<u8>), Error> {
        let bad = |what: &'static str| Error::from(Refusal::StateInconsistent { what });
        let update = unhex(&self.update, "update")?;
        let (start, end) = self.contents;
        let placeholder = update
            .get(start..end)
            .ok_or_else(|| bad("the /Contents range lies outside the update"))?;
        let zeros_ok = placeholder.first() == Some(&b'<')
            && placeholder.last() == Some(&b'>')
            && placeholder
                .get(1..placeholder.len().saturating_sub(1))
                .is_some_and(|z| z.iter().all(|b| *b == b'0'));
        if !zeros_ok || placeholder.len() != self.capacity.saturating_mul(2).saturating_add(2) {
            return Err(bad("the /Contents placeholder is not where the state says"));
        }
        let base = self.input.len;
        let total = base.saturating_add(update.len() as u64);
        let expected = [
            0,
            base.saturating_add(start as u64),
            base.saturating_add(end as u64),
            total.saturating_sub(base.saturating_add(end as u64)),
        ];
        if self.byte_range != expected {
            return Err(bad("the /ByteRange does not match the update"));
        }
        let text = format!(
            "[{}]",
            String::from_utf8_lossy(&super::byte_range_text(&expected))
        );
        if !update.windows(text.len()).any(|w| w == text.as_bytes()) {
            return Err(bad("the update does not carry the /ByteRange"));
        }
        let sub_filter = match self.sub_filter.as_str() {
            "ETSI.CAdES.detached" => SubFilter::Pades,
            "adbe.pkcs7.detached" => SubFilter::Pkcs7Detached,
            _ => return Err(bad("unknown /SubFilter")),
        };
        let signing_time = OffsetDateTime::from_unix_timestamp(self.signing_time)
            .map_err(|_| bad("signing time out of range"))?;
        if self.digest_algorithm != self.signature_algorithm.digest() {
            return Err(bad("the digest does not fit the signature algorithm"));
        }
        let chain = self
            .chain
            .iter()
            .map(|c| unhex(c, "chain certificate"))
            .collect::<Result<Vec<_>, _>>()?;
        let identity =
            SignerIdentity::from_certificate(unhex(&self.certificate, "certificate")?, chain)?
                .with_algorithm(self.signature_algorithm)?;
        let prepared = Prepared {
            update,
            contents: self.contents,
            byte_range: self.byte_range,
            digest_algorithm: self.digest_algorithm,
            signing_time,
            sub_filter,
            capacity: self.capacity,
            timestamping: None,
        };
        // The signed attributes must be exactly kyso's for the recorded document digest.
        let attributes = cms_signature::signed_attributes(
            &identity,
            &self.document_digest()?,
            prepared.signing_time_attribute(),
        )?;
        if attributes != self.bytes_to_sign()? {
            return Err(bad(
                "the signed attributes do not match the document digest",
            ));
        }
        Ok((prepared, identity, attributes))
    }

    fn check_input_bytes(&self, input: &[u8]) -> Result<(), Error> {
        if input.len() as u64 != self.input.len
            || crate::util::hex(&digest(DigestAlgorithm::Sha256, input)) != self.input.sha256
        {
            return Err(Error::from(Refusal::InputChanged));
        }
        Ok(())
    }

    fn check_document_digest(&self, computed: &[u8]) -> Result<(), Error> {
        if crate::util::hex(computed) != self.document_digest {
            return Err(Error::from(Refusal::DocumentDigestMismatch));
        }
        Ok(())
    }
}

/// Decodes lower- or upper-case hex.
fn unhex(text: &str, what: &'static str) -> Result<Vec<u8>, Error> {
    crate::asn1::hex::decode(text).ok_or_else(|| Error::from(Refusal::StateBadHex { field: what }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(unhex(&crate::util::hex(&bytes), "x").unwrap(), bytes);
        assert_eq!(unhex("ABcd", "x").unwrap(), vec![0xab, 0xcd]);
        assert!(unhex("abc", "x").is_err());
        assert!(unhex("zz", "x").is_err());
    }
}
