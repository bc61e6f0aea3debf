//! Legacy signature forms still found in archives, and the algorithm policy applied to the
//! signature itself.
//!
//! - `adbe.pkcs7.sha1` (ISO 32000-1 §12.8.3.3.1, deprecated in ISO 32000-2): the SignedData
//!   encapsulates the SHA-1 digest of the byte ranges as its content; its signature covers
//!   that content (or signed attributes whose message digest is over it). The encapsulated
//!   digest is compared with the SHA-1 of the byte ranges; the CMS is then checked as usual.
//! - `adbe.x509.rsa_sha1` (ISO 32000-1 §12.8.3.2): `/Contents` is a DER OCTET STRING
//!   holding a PKCS#1 v1.5 RSA signature over the byte ranges (SHA-1, or the digest its
//!   DigestInfo names); the certificates are in `/Cert`, a string or an array of strings,
//!   the first being the signer's.
//!
//! Both use SHA-1, so the [`crate::pki::AlgorithmPolicy`] decides their verdict: every
//! verified signature is judged at its proven time (a signature or later document
//! timestamp) or else at the validation time.

use asn1_rs::Tag;
use time::OffsetDateTime;

use crate::asn1::der::Reader;
use crate::asn1::oid;
use crate::crypto::{verify_signature, AlgorithmIdentifier, DigestAlgorithm, SignatureCheckError};
use crate::crypto::{SignatureScheme, VerifiedWith};
use crate::pdf::{ObjRef, Object, Source};
use crate::pki::{AlgorithmVerdict, ValidationTime};
use crate::report::DetailLabel as L;
use crate::report::{noted, CheckStatus, Code, Finding, SignatureReport};

use super::coverage::CoverageCheck;
use super::signature::{check_chain_of_certificates, dss_material, ChainInputs, Context};
use super::timestamps::{self, DocumentPoe};

/// The SubFilter whose SignedData encapsulates the SHA-1 digest of the byte ranges.
pub(super) const PKCS7_SHA1: &str = "adbe.pkcs7.sha1";
/// The SubFilter whose `/Contents` is a bare PKCS#1 RSA signature.
pub(super) const X509_RSA_SHA1: &str = "adbe.x509.rsa_sha1";

/// Most certificates read from `/Cert`.
const MAX_CERTS: usize = 32;

/// Judges the algorithms of a verified signature with the validation policy's
/// [`crate::pki::AlgorithmPolicy`] at `made` (the proven time, else the validation time):
/// the signature scheme and key, and each further digest the signature relies on (the CMS
/// message digest, the digest an `adbe.pkcs7.sha1` signature encapsulates).
pub(super) fn judge_algorithms<S: Source>(
    ctx: &Context<'_, S>,
    with: Option<&VerifiedWith>,
    digests: &[DigestAlgorithm],
    made: OffsetDateTime,
    proven: bool,
    r: &mut SignatureReport,
) {
    let policy = &ctx.opts.validation.algorithms;
    let mut verdicts = Vec::new();
    if let Some(with) = with {
        verdicts.push(policy.judge_signature(with, made));
    }
    let scheme_digest = with.and_then(|w| match w.scheme {
        SignatureScheme::RsaPkcs1v15 { digest }
        | SignatureScheme::RsaPss { digest, .. }
        | SignatureScheme::Ecdsa { digest } => Some(digest),
        _ => None,
    });
    let mut judged: Vec<DigestAlgorithm> = scheme_digest.into_iter().collect();
    for d in digests {
        if !judged.contains(d) {
            judged.push(*d);
            verdicts.push(policy.judge_digest(*d, made));
        }
    }
    let when = if proven {
        "the proven signing time"
    } else {
        "the validation time (no timestamp proves when the signature was made)"
    };
    let refused: Vec<String> = verdicts
        .iter()
        .filter_map(|v| match v {
            AlgorithmVerdict::Refused(why) => Some(why.clone()),
            _ => None,
        })
        .collect();
    if !refused.is_empty() {
        let why = refused.join("; ");
        r.findings.push(
            Finding::new(
                Code::IntegrityAlgorithmRefused,
                format!("judged at {when}: {why}"),
            )
            .remark("thuật toán của chữ ký không còn được chấp nhận tại thời điểm đánh giá")
            .detail(L::Time, rfc3339(made))
            .detail(L::Technical, why),
        );
        return;
    }
    let legacy: Vec<String> = verdicts
        .iter()
        .filter_map(|v| match v {
            AlgorithmVerdict::Legacy(why) => Some(why.clone()),
            _ => None,
        })
        .collect();
    if !legacy.is_empty() {
        let why = legacy.join("; ");
        r.findings.push(
            Finding::new(
                Code::IntegrityAlgorithmLegacy,
                format!("judged at {when}: {why}"),
            )
            .remark("thuật toán cũ, được chấp nhận vì chữ ký được lập trước thời hạn")
            .detail(L::Time, rfc3339(made))
            .detail(L::Technical, why),
        );
    }
}

/// The signature value of an `adbe.x509.rsa_sha1` `/Contents`: a DER OCTET STRING, padded
/// with zeros to the placeholder's size.
fn pkcs1_signature(contents: &[u8]) -> Result<&[u8], String> {
    let mut reader = Reader::new(contents, 0);
    let element = reader
        .read("adbe.x509.rsa_sha1 signature")
        .map_err(|e| e.to_string())?;
    element
        .expect_universal(
            Tag::OctetString,
            "adbe.x509.rsa_sha1 signature",
            "OCTET STRING",
        )
        .map_err(|e| e.to_string())?;
    if element.constructed || element.indefinite {
        return Err("the OCTET STRING is not in DER (constructed or indefinite)".into());
    }
    if reader.remaining().iter().any(|b| *b != 0) {
        return Err("non-zero bytes follow the OCTET STRING".into());
    }
    Ok(element.content)
}

/// The DER certificates of `/Cert` (a string or an array of strings), signer first, as
/// the signature's own revision has them: the revision the byte ranges sign (else the one
/// that defines the signature dictionary). A later update that redefines the `/Cert` object
/// (or the dictionary) changes neither the key the signature is checked with nor the signer
/// the report names; the difference analysis judges that update.
fn cert_strings<S: Source>(
    ctx: &Context<'_, S>,
    sig: Option<ObjRef>,
    last_dict: &crate::pdf::Dict,
    signed_revision: Option<usize>,
) -> Vec<Vec<u8>> {
    let doc = ctx.doc;
    let last = doc.last_revision();
    let rev = signed_revision
        .or_else(|| sig.and_then(|o| doc.defining_revision(last, o)))
        .unwrap_or(last)
        .min(last);
    let own = sig.and_then(|o| match doc.get(rev, o) {
        Ok(Some(Object::Dict(d))) => Some(d),
        _ => None,
    });
    let dict = match (&own, sig) {
        (Some(d), _) => d,
        // A direct dictionary is part of the field that holds it, read in the last revision.
        (None, None) => last_dict,
        // The signature object does not exist in its own revision: no certificate.
        (None, Some(_)) => return Vec::new(),
    };
    let Some(value) = dict.get(b"Cert").and_then(|o| doc.resolve(rev, o).ok()) else {
        return Vec::new();
    };
    match value {
        Object::String(s) => vec![s.bytes],
        Object::Array(items) => items
            .iter()
            .take(MAX_CERTS)
            .filter_map(|item| match doc.resolve(rev, item).ok()? {
                Object::String(s) => Some(s.bytes),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Verifies an `adbe.x509.rsa_sha1` signature: the PKCS#1 signature over the byte ranges
/// with the key of the first `/Cert` certificate, then that certificate's path.
pub(super) fn check_x509_rsa_sha1<S: Source>(
    ctx: &Context<'_, S>,
    sig: Option<ObjRef>,
    dict: &crate::pdf::Dict,
    contents: &[u8],
    cov: &CoverageCheck,
    poe: &DocumentPoe,
    r: &mut SignatureReport,
) {
    let signature = match pkcs1_signature(contents) {
        Ok(s) => s,
        Err(e) => {
            r.findings.push(
                Finding::new(
                    Code::SigDictMalformed,
                    format!(
                        "the /Contents of an adbe.x509.rsa_sha1 signature is not a DER OCTET \
                         STRING holding the signature: {e}"
                    ),
                )
                .remark("giá trị chữ ký adbe.x509.rsa_sha1 bị lỗi")
                .detail(L::Technical, e),
            );
            return;
        }
    };
    if let Some(m) = dict.get(b"M").and_then(Object::as_string) {
        r.claimed_signing_time = crate::pdf::date::parse_pdf_date(&m.bytes);
    }
    if r.claimed_signing_time.is_some() {
        r.time_source = Some(crate::report::SigningTimeSource::Claimed);
        r.findings.push(
            Finding::new(
                Code::TimeClaimedOnly,
                "the signing time is the signer's claim (/M); no timestamp proves it",
            )
            .plain(),
        );
    }
    let certs = cert_strings(ctx, sig, dict, cov.signed_revision);
    let Some(first) = certs.first() else {
        r.findings.push(
            Finding::new(
                Code::IntegritySignerCertMissing,
                "an adbe.x509.rsa_sha1 signature needs the signer's certificate in /Cert, and \
                 there is none",
            )
            .remark("chữ ký adbe.x509.rsa_sha1 không kèm chứng thư số của người ký (/Cert)"),
        );
        return;
    };
    let signer = match ctx.opts.cache.certificate(first) {
        Ok(c) => c,
        Err(e) => {
            r.findings.push(
                Finding::new(
                    Code::ChainCertificateMalformed,
                    format!("the signer's certificate in /Cert could not be read: {e}"),
                )
                .detail(L::Technical, e),
            );
            return;
        }
    };
    r.signer = Some(signer.info());
    r.signature_algorithm = Some("rsaEncryption (PKCS#1 v1.5)".to_string());
    let Some(ranges) = cov.ranges else {
        return;
    };
    let content = match super::digest::read_ranges(
        ctx.doc.source(),
        &ranges,
        ctx.opts.max_unsigned_attrs_content,
    ) {
        Ok(Some(content)) => content,
        Ok(None) => {
            r.findings.push(
                Finding::new(
                    Code::IntegrityAlgorithmUnsupported,
                    format!(
                        "the signed bytes ({} bytes) exceed the {} bytes kyso reads into memory \
                         for a signature over the content itself",
                        ranges.covered(),
                        ctx.opts.max_unsigned_attrs_content
                    ),
                )
                .remark("dữ liệu được ký quá lớn để kiểm tra loại chữ ký này")
                .detail(L::Size, ranges.covered())
                .detail(L::Limit, ctx.opts.max_unsigned_attrs_content),
            );
            r.integrity.digest = CheckStatus::Unsupported;
            r.integrity.signature = CheckStatus::Unsupported;
            return;
        }
        Err(e) => {
            r.findings.push(
                Finding::new(
                    Code::ByteRangeOutsideFile,
                    format!("could not read the signed bytes: {e}"),
                )
                .remark("không đọc được dữ liệu được ký")
                .detail(L::Technical, e),
            );
            return;
        }
    };
    let (outcome, with) = verify_pkcs1(signer.spki(), &content, signature);
    drop(content);
    match outcome {
        Ok(digest) => {
            r.digest_algorithm = Some(digest.name().to_string());
            r.integrity.signature = noted(
                &mut r.findings,
                CheckStatus::Passed,
                Finding::new(
                    Code::IntegritySignatureOk,
                    format!(
                        "the PKCS#1 signature verifies over the signed bytes with the key of the \
                         first /Cert certificate ({digest})"
                    ),
                )
                .plain(),
            );
            // The signature is over the content itself: it also proves the digest.
            r.integrity.digest = CheckStatus::Passed;
            r.integrity.signing_certificate = CheckStatus::NotPresent;
        }
        Err(PkcsFailure::Invalid) => {
            r.integrity.signature = noted(
                &mut r.findings,
                CheckStatus::Failed,
                Finding::new(
                    Code::IntegritySignatureInvalid,
                    "the PKCS#1 signature does not verify over the signed bytes with the key of \
                     the first /Cert certificate (with SHA-1 or any digest kyso supports)",
                )
                .remark("chữ ký không khớp với dữ liệu được ký"),
            );
            r.integrity.digest = CheckStatus::Failed;
            return;
        }
        Err(PkcsFailure::Unsupported(why)) => {
            r.integrity.signature = noted(
                &mut r.findings,
                CheckStatus::Unsupported,
                Finding::new(
                    Code::IntegrityAlgorithmUnsupported,
                    format!("the signature cannot be checked: {why}"),
                )
                .detail(L::Technical, why),
            );
            r.integrity.digest = CheckStatus::Unsupported;
            return;
        }
    }

    let proof = timestamps::document_proof(poe, r);
    let made = proof.as_ref().map_or(ctx.time, |p| p.time);
    judge_algorithms(ctx, with.as_ref(), &[], made, proof.is_some(), r);
    let path_time = timestamps::path_time(ctx.time, &signer, proof.as_ref(), r);
    let mut at = ValidationTime::at(path_time);
    if let Some(p) = &proof {
        at = at.with_proven_signing_time(p.time);
    }
    let mut inputs = ChainInputs::from_options(ctx.opts);
    dss_material(ctx, &mut inputs);
    let others: Vec<&[u8]> = certs.iter().skip(1).map(Vec::as_slice).collect();
    check_chain_of_certificates(&others, &signer, ctx.opts, at, inputs, r);
    timestamps::conclude(r, proof);
}

/// Why a PKCS#1 signature did not verify.
enum PkcsFailure {
    /// No supported digest makes it verify.
    Invalid,
    /// The key cannot be used (not RSA, malformed, unsupported size).
    Unsupported(String),
}

/// Verifies a PKCS#1 v1.5 signature over `content`: with SHA-1 first (the SubFilter's
/// digest), then with the other digests kyso computes, since the DigestInfo inside the
/// signature may name another one (ring verifies against a chosen digest and does not hand
/// out the DigestInfo). Returns the digest that verified.
fn verify_pkcs1(
    spki: &[u8],
    content: &[u8],
    signature: &[u8],
) -> (Result<DigestAlgorithm, PkcsFailure>, Option<VerifiedWith>) {
    let rsa = AlgorithmIdentifier::new(oid::RSA_ENCRYPTION, None);
    let mut order = vec![DigestAlgorithm::Sha1];
    order.extend(
        DigestAlgorithm::ALL
            .into_iter()
            .filter(|d| *d != DigestAlgorithm::Sha1),
    );
    // Some digests have no PKCS#1 form kyso verifies (SHAKE256): those answers say nothing
    // about the signature. It is invalid when any digest could be tried and none verified;
    // unsupported only when none could be tried (the key itself is unusable).
    let mut unsupported = None;
    let mut tried = false;
    for digest in order {
        match verify_signature(spki, &rsa, Some(digest), content, signature) {
            Ok(with) => return (Ok(digest), Some(with)),
            Err(SignatureCheckError::Invalid) => tried = true,
            Err(e) => {
                unsupported.get_or_insert(e.to_string());
            }
        }
    }
    match unsupported {
        Some(why) if !tried => (Err(PkcsFailure::Unsupported(why)), None),
        _ => (Err(PkcsFailure::Invalid), None),
    }
}

/// Checks that an `adbe.pkcs7.sha1` SignedData encapsulates the SHA-1 digest of the signed
/// bytes. Returns the encapsulated content (what the CMS signature covers) when it is there.
pub(super) fn encapsulated_sha1<'c>(
    econtent: Option<&'c [u8]>,
    ranges_sha1: &[u8],
    r: &mut SignatureReport,
) -> Option<&'c [u8]> {
    let Some(econtent) = econtent else {
        r.findings.push(
            Finding::new(
                Code::CmsMalformed,
                "an adbe.pkcs7.sha1 signature must encapsulate the SHA-1 digest of the signed \
                 bytes, and this SignedData encapsulates nothing",
            )
            .remark("chữ ký adbe.pkcs7.sha1 không chứa giá trị băm SHA-1 của dữ liệu được ký"),
        );
        return None;
    };
    if econtent != ranges_sha1 {
        r.findings.push(
            Finding::new(
                Code::IntegrityDigestMismatch,
                "the signed bytes were changed: their SHA-1 digest differs from the one the \
                 adbe.pkcs7.sha1 signature encapsulates",
            )
            .remark("dữ liệu được ký đã bị thay đổi (giá trị băm SHA-1 không khớp)")
            .detail(L::Algorithm, "SHA-1"),
        );
    }
    Some(econtent)
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}
