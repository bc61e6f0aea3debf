//! The verifier: every signature of a PDF, checked step by step into a report.
//!
//! For each signature dictionary (reachable from a field or not): byte-range sanity and
//! coverage ([`coverage`]), the digest of the signed ranges ([`digest`]), the CMS structure
//! and its cryptographic integrity ([`crate::cms`]), the certificate path to the configured
//! anchors ([`crate::pki`]), and what later revisions changed ([`crate::diff`]). The steps record
//! findings; `verdict` turns them into an indication. `Err` is returned only when the file
//! could not be processed at all.

pub mod batch;
pub mod coverage;
pub mod digest;
mod discover;
pub mod hashing;
mod legacy;
mod modifications;
mod policy;
mod signature;
mod timestamps;
pub(crate) mod verdict;

pub use policy::{NewestAuthorityStatus, Policy, PolicyError};
pub(crate) use signature::{apply_signer_check, check_chain, ChainInputs};

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use time::OffsetDateTime;

use crate::budget::{DocumentBudget, DocumentMeter};
use crate::pdf::{Budget, Document, FileSource, Password, Source};
use crate::pki::{
    Certificate, MeteredFetcher, NetworkMeter, RevocationData, SharedFetcher, TrustStore,
    ValidationPolicy, VerificationCache,
};
use crate::report::DetailLabel as L;
use crate::report::{Code, Finding, TimeSource, VerificationReport};
use crate::Error;

/// How to verify.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Trust anchors.
    pub trust: TrustStore,
    /// Validation time; `None` reads the clock once when verification starts.
    pub validation_time: Option<OffsetDateTime>,
    /// Limits for reading the PDF: each object, each stream.
    pub budget: Budget,
    /// Limits for one document's verification in all: bytes decoded, stream data handled,
    /// a deadline, and what its fetches through `fetcher` may cost
    /// ([`DocumentBudget::network`]: fetches, time and bytes across every signature,
    /// timestamp and path; each verification — one document, one detached or enveloping
    /// signature file — gets a fresh [`NetworkMeter`]) ([`crate::budget`]). Exhausted, the
    /// report says so (`budget.document_exhausted`, `network.budget_exhausted`) and nothing
    /// that needed what was not done passes.
    pub document_budget: DocumentBudget,
    /// What certificate paths must satisfy: purpose (document signing), certificate
    /// policies, revocation (if available by default: a warning when nothing could be
    /// checked), algorithms, search budget.
    pub validation: ValidationPolicy,
    /// CRLs and OCSP responses given by the caller, used besides those in the file.
    pub revocation: RevocationData,
    /// Intermediate certificates given by the caller, used besides those in the file.
    pub intermediates: Vec<Certificate>,
    /// Fetches revocation data and issuers when `validation.revocation.online` is set.
    pub fetcher: Option<SharedFetcher>,
    /// Largest signed content kyso reads into memory for a signature without signed
    /// attributes (whose signature is over the content itself).
    pub max_unsigned_attrs_content: u64,
    /// Hash the ranges of several signatures in one pass over the file ([`hashing`]; on by
    /// default). Off, each signature is hashed on its own; the reports are the same.
    pub shared_hashing: bool,
    /// The password of encrypted documents (user or owner), tried before the empty user
    /// password ([`Document::open_with_password`]); `None`: only the empty one.
    pub password: Option<Password>,
    /// Parsed certificates and verified certificate and CRL signatures, remembered across the
    /// signatures of a file and across files verified with these options (clones of the
    /// options share it). The reports are the same with or without it;
    /// [`VerificationCache::disabled`] turns it off.
    pub cache: VerificationCache,
    /// The signature validation policy ([`Policy::etsi`] by default). Set it with
    /// [`VerifyOptions::policy`], which also puts its path settings into `validation`.
    pub policy: Policy,
}

impl VerifyOptions {
    /// Options with these trust anchors and defaults for everything else.
    pub fn new(trust: TrustStore) -> Self {
        VerifyOptions {
            trust,
            validation_time: None,
            budget: Budget::default(),
            document_budget: DocumentBudget::default(),
            validation: ValidationPolicy::document_signing(),
            revocation: RevocationData::new(),
            intermediates: Vec::new(),
            fetcher: None,
            max_unsigned_attrs_content: 256 << 20,
            shared_hashing: true,
            password: None,
            cache: VerificationCache::new(),
            policy: Policy::etsi(),
        }
    }

    /// Opens encrypted documents with `password` (user or owner) first, then with the empty
    /// user password.
    pub fn password(mut self, password: Password) -> Self {
        self.password = Some(password);
        self
    }

    /// Validates under `policy`: its key-compromise rule, revocation freshness and
    /// algorithm constraints go into [`VerifyOptions::validation`]. Set the revocation
    /// modes afterwards field by field (`validation.revocation.end_entity = …`): assigning a
    /// whole new `validation.revocation` after this call replaces the policy's freshness
    /// and key-compromise settings too.
    pub fn policy(mut self, policy: Policy) -> Self {
        policy.apply(&mut self.validation);
        self.policy = policy;
        self
    }

    /// Judges certificates at `t` instead of now.
    pub fn validation_time(mut self, t: OffsetDateTime) -> Self {
        self.validation_time = Some(t);
        self
    }

    /// Sets the PDF reading budget.
    pub fn budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// Sets the per-document budget.
    pub fn document_budget(mut self, budget: DocumentBudget) -> Self {
        self.document_budget = budget;
        self
    }

    /// For one verification: these options with the fetcher counted and bounded by a fresh
    /// meter with the document budget's network part (within its deadline), and that
    /// meter. Without fetching, the
    /// options themselves.
    pub(crate) fn for_one_verification(
        &self,
    ) -> (Cow<'_, VerifyOptions>, Option<Arc<NetworkMeter>>) {
        match &self.fetcher {
            Some(f) if self.validation.revocation.online => {
                let metered = MeteredFetcher::new(
                    f.0.clone(),
                    self.document_budget.network_within_deadline(),
                );
                let meter = metered.meter().clone();
                let mut opts = self.clone();
                opts.fetcher = Some(SharedFetcher(Arc::new(metered)));
                (Cow::Owned(opts), Some(meter))
            }
            _ => (Cow::Borrowed(self), None),
        }
    }
}

/// The document's finding when its verification ran out of network budget.
pub(crate) fn network_budget_finding(meter: Option<&Arc<NetworkMeter>>) -> Option<Finding> {
    let meter = meter?;
    meter.exhausted()?;
    Some(Finding::new(
        Code::NetworkBudgetExhausted,
        format!(
            "{}; the checks that needed what was not fetched are not passed",
            meter.summary()
        ),
    ))
}

/// Bytes after the end of the last revision that are not white space: no reader interprets
/// them, and no signature covers them.
///
/// The end is the furthest any cross-reference section reaches, not the end of the newest
/// one: a linearized file's first-page section sits near the start of the file and is
/// reached first, so it counts as the newest revision although the file goes on.
fn trailing_data<S: Source>(doc: &Document<S>) -> Option<Finding> {
    let end = doc.revisions().iter().map(|r| r.end).max()?;
    let extra = doc.len().checked_sub(end).filter(|&n| n > 0)?;
    let sample = doc.source().read_vec(end, 4096).ok()?;
    if extra <= sample.len() as u64 && sample.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
        return None;
    }
    if looks_like_an_update(&sample) {
        return Some(
            Finding::new(
                Code::DocTruncated,
                format!(
                    "the file is damaged or truncated: the {extra} byte(s) after the last \
                     complete revision (offset {end}) hold an incomplete update, objects \
                     without the cross-reference section and %%EOF that end a revision; what \
                     they held (a later signature, perhaps) cannot be verified"
                ),
            )
            .detail(L::Size, extra)
            .detail(L::Bytes, end),
        );
    }
    Some(
        Finding::new(
            Code::DocTrailingData,
            format!(
                "{extra} byte(s) follow the end of the last revision at offset {end}; they are \
                 not part of the document and no signature covers them"
            ),
        )
        .detail(L::Size, extra)
        .detail(L::Bytes, end),
    )
}

/// Whether `bytes` hold PDF object syntax (`12 0 obj`, `endobj`, `xref`, `trailer`): the
/// start of an incremental update that was cut before its end.
fn looks_like_an_update(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    if has(b"endobj") || has(b"trailer") || has(b"startxref") {
        return true;
    }
    // "N G obj": digits, white space, digits, white space, "obj".
    bytes.windows(3).enumerate().any(|(i, w)| {
        if w != b"obj" || i == 0 {
            return false;
        }
        let before = bytes.get(..i).unwrap_or_default();
        let mut parts = before
            .rsplit(|b| b.is_ascii_whitespace())
            .filter(|p| !p.is_empty());
        let is_number =
            |p: Option<&[u8]>| p.is_some_and(|p| p.len() <= 10 && p.iter().all(u8::is_ascii_digit));
        before.last().is_some_and(u8::is_ascii_whitespace)
            && is_number(parts.next())
            && is_number(parts.next())
    })
}

/// Verifies the PDF at `path`. The file is never modified; it is read through positioned
/// reads, or whole when it is small ([`crate::pdf::WHOLE_FILE_LIMIT`]).
///
/// An `Err` means the file could not be processed at all (unreadable, not a PDF); every
/// verdict about a signature, good or bad, is in the report.
///
/// ```no_run
/// use std::path::Path;
/// use kyso::pki::TrustStore;
/// use kyso::verify::{verify_file, VerifyOptions};
///
/// # fn main() -> Result<(), kyso::Error> {
/// let mut trust = TrustStore::empty();
/// trust.add_file(Path::new("roots.pem"))?;
/// let report = verify_file(Path::new("ho-so.pdf"), &VerifyOptions::new(trust))?;
/// println!("{}", kyso::report::render_text(&report));
/// std::process::exit(if report.all_passed() { 0 } else { 1 });
/// # }
/// ```
pub fn verify_file(path: &Path, opts: &VerifyOptions) -> Result<VerificationReport, Error> {
    let source = FileSource::open(path).map_err(|e| Error::io(path, e))?;
    verify_source(source, Some(path.display().to_string()), opts).map_err(|e| e.with_path(path))
}

/// Verifies a PDF held in memory (see [`verify_file`]).
///
/// ```
/// use kyso::pki::TrustStore;
/// use kyso::report::{Indication, SubIndication};
/// use kyso::verify::{verify_bytes, VerifyOptions};
///
/// # fn main() -> Result<(), kyso::Error> {
/// # let now = time::OffsetDateTime::now_utc();
/// # let pki = kyso::demo::DemoPki::generate(now)?;
/// # let o = &pki.officials[0];
/// # let signer = kyso::signer::SoftwareSigner::new(
/// #     kyso::crypto::PrivateKey::from_der(&o.key_pkcs8)?, o.cert_der.clone(), pki.chain_der())?;
/// # let pdf = kyso::sign::sign_bytes(
/// #     &kyso::demo::sample_dossier(&Default::default())?, &signer, &kyso::sign::SignOptions::new())?;
/// // `pdf`: a signed PDF received over HTTP; no anchors configured yet.
/// let report = verify_bytes(&pdf, &VerifyOptions::new(TrustStore::empty()))?;
/// let sig = &report.signatures[0];
/// assert_eq!(sig.indication, Indication::Indeterminate);
/// assert_eq!(sig.sub_indication, Some(SubIndication::NoCertificateChainFound));
///
/// // With the CA's root as anchor, the same bytes pass.
/// let trust = TrustStore::from_pem_or_der(pki.root.cert_pem().as_bytes())?;
/// let report = verify_bytes(&pdf, &VerifyOptions::new(trust))?;
/// assert!(report.all_passed());
/// # Ok(())
/// # }
/// ```
pub fn verify_bytes(bytes: &[u8], opts: &VerifyOptions) -> Result<VerificationReport, Error> {
    verify_source(bytes, None, opts)
}

/// Verifies a PDF from any [`Source`]; `name` is what the report calls the file.
pub fn verify_source<S: Source>(
    source: S,
    name: Option<String>,
    opts: &VerifyOptions,
) -> Result<VerificationReport, Error> {
    let (opts, network) = opts.for_one_verification();
    let opts = opts.as_ref();
    let (time, time_source) = match opts.validation_time {
        Some(t) => (t, TimeSource::Caller),
        None => (OffsetDateTime::now_utc(), TimeSource::CurrentTime),
    };
    // One meter for the whole verification: its clock starts here.
    let meter = DocumentMeter::start(opts.document_budget);
    let doc =
        Document::open_with_password(source, opts.budget, meter.clone(), opts.password.as_ref())?;
    let mut report = VerificationReport::new(name, doc.len(), time, time_source);
    report.revisions = doc.revisions().len();
    if let Some(enc) = doc.encryption() {
        report.findings.push(
            Finding::new(
                Code::DocEncrypted,
                format!(
                    "the document is encrypted and was decrypted: {}",
                    enc.describe(crate::report::Lang::En)
                ),
            )
            .detail(L::Declared, enc.describe(crate::report::Lang::Vi)),
        );
    }
    if let Some(f) = trailing_data(&doc) {
        report.findings.push(f);
    }
    // Cross-reference data reconstructed or corrected by scanning (issue 19 §4).
    let mut repaired: Vec<String> = Vec::new();
    for what in doc.revisions().iter().filter_map(|r| r.repaired.as_ref()) {
        if !repaired.contains(what) {
            repaired.push(what.clone());
        }
    }
    let reconstructed = doc.revisions().iter().any(|r| r.reconstructed);
    for what in &repaired {
        report.findings.push(
            Finding::new(Code::DocDamaged, format!("the file is damaged: {what}"))
                .detail(L::Technical, what),
        );
    }
    let found = discover::signatures(&doc)?;
    report.findings.extend(found.findings.iter().cloned());
    for field in &found.unsigned_fields {
        report.findings.push(
            Finding::new(
                Code::DocUnsignedField,
                format!("signature field \"{field}\" is empty"),
            )
            .detail(L::Field, field),
        );
    }
    let revisions = crate::diff::RevisionCache::new();
    let digests = match opts.shared_hashing {
        true => hashing::SharedDigests::compute(&doc, &found.signatures),
        false => hashing::SharedDigests::none(),
    };
    let ctx = signature::Context {
        doc: &doc,
        opts,
        time,
        revisions: &revisions,
        digests: &digests,
    };
    // Newest first: a document timestamp that validates proves the existence of everything
    // signed before it, which the older signatures (and timestamps) use.
    let mut poe = timestamps::DocumentPoe::default();
    let mut reports = Vec::with_capacity(found.signatures.len());
    for (index, candidate) in found.signatures.iter().enumerate().rev() {
        let one = signature::verify_one(&ctx, index, candidate, &poe);
        poe.record(&one);
        reports.push(one);
    }
    reports.reverse();
    // Damage found while the signatures were examined (object stream headers).
    let found_later = doc.damage_found();
    for what in &found_later {
        report.findings.push(
            Finding::new(Code::DocDamaged, format!("the file is damaged: {what}"))
                .detail(L::Technical, what),
        );
    }
    if !repaired.is_empty() || !found_later.is_empty() {
        for s in &mut reports {
            damaged_analysis(s, reconstructed);
        }
    }
    timestamps::archive_status(&mut reports);
    report.signatures = reports;
    let (embedded, findings) = crate::attachments::embedded_file_reports(&doc, &report.signatures);
    report.embedded_files = embedded;
    report.findings.extend(findings);
    report
        .findings
        .extend(network_budget_finding(network.as_ref()));
    // A cut file says so rather than "no signature": its signature may be what was cut.
    let truncated = report
        .findings
        .iter()
        .any(|f| matches!(f.code, Code::DocTruncated | Code::DocDamaged));
    if report.signatures.is_empty() && !truncated {
        report
            .findings
            .push(Finding::new(Code::DocNoSignatures, "the document holds no signature").plain());
    }
    if let Some(why) = meter.exhausted() {
        budget_exhausted(&mut report, why);
    }
    report.update_summary();
    Ok(report)
}

/// In a damaged document (an object map reconstructed or corrected by scanning, an object
/// stream read in part), what later revisions changed was judged on a repaired structure
/// that no viewer is bound to share: the difference analysis cannot conclude "allowed"
/// (INDETERMINATE at best) for a signature that does not cover the whole file. Findings
/// of a forbidden change stay (the verdict stays FAILED).
fn damaged_analysis(s: &mut crate::report::SignatureReport, reconstructed: bool) {
    if s.coverage.status == crate::report::CoverageStatus::EntireFile {
        return;
    }
    s.modifications.allowed = false;
    // When the whole map was reconstructed, the structure checks compare the file with
    // cross-reference sections that were not read: their findings describe the damage
    // (reported once, as `document.damaged`), not a change. When the sections were read
    // (only some entries corrected), their findings stand. The object rules' findings stay.
    if reconstructed {
        s.findings.retain(|f| f.code != Code::ModificationStructure);
    }
    s.findings.push(Finding::new(
        Code::ModificationUnanalysed,
        "the file is damaged and was read as repaired (see document.damaged): what was \
         written after this signature cannot be shown to be an allowed change",
    ));
    verdict::decide(s);
}

/// A document whose verification ran out of its budget was not fully examined: the report
/// says which limit, and no signature of it passes.
fn budget_exhausted(report: &mut VerificationReport, why: crate::budget::BudgetExhausted) {
    let text = format!(
        "the document was not fully examined: {why}; what was not examined is not trusted. \
         If the document comes from a trusted source, verify it again with a larger budget \
         (kyso verify --max-decoded, --max-stream-work, --deadline)"
    );
    report
        .findings
        .push(Finding::new(Code::BudgetDocumentExhausted, text.clone()));
    for s in &mut report.signatures {
        s.findings
            .push(Finding::new(Code::BudgetDocumentExhausted, text.clone()));
        verdict::decide(s);
    }
}
