//! Long-term validation (PAdES B-LT and B-LTA): the document security store (`/DSS`, ISO
//! 32000-2 §12.8.4.3, ETSI EN 319 142-1 §5.4) written by incremental update, and archive
//! document timestamps over it.
//!
//! ```text
//! collect: every signature and document timestamp of the last revision ──> the certificates
//!     to cover (the signer, each signature timestamp's authority, each document timestamp's
//!     authority), the certificates and revocation data the CMS and tokens carry
//! gather: per certificate ──> its path to a trust anchor (PathValidator, revocation off)
//!     ──> per non-anchor certificate of the path: an OCSP response (preferred) or a CRL,
//!     from the caller, the existing /DSS, the CMS, or fetched (Fetcher); the responder's or
//!     CRL issuer's certificates and, when they need one, their own revocation data
//!     ──> a check: the path validates offline with only that data, revocation required
//! dss: the existing /DSS read back ──> new items as streams (identical items reused)
//!     ──> /Certs /OCSPs /CRLs merged, /VRI entry per signature (uppercase hex SHA-1 of its
//!     /Contents) ──> one incremental update (same cross-reference kind as the input)
//! archive: DSS update, then a document timestamp (sign::timestamp_file); run again on a
//!     B-LTA file, it covers the last document timestamp's authority and renews the archive
//! sign_long_term: sign at B-T into a staging file, then reach B-LT or B-LTA from it
//! due: every PDF under a directory verified ──> those to renew within N days, and those
//!     that are no archive ([`renewals_due`], `kyso ltv due`)
//! ```
//!
//! The input is never modified; the output is written to a temporary file and renamed.

mod archival;
mod collect;
mod dss;
mod due;
mod gather;
mod long_term;

use std::path::Path;

use time::OffsetDateTime;

use crate::output::{Output, Overwrite, Staging, Target};
use crate::pdf::{Document, Source};
use crate::pki::{
    Certificate, FetchScope, MeteredFetcher, NetworkBudget, RevocationData, SharedFetcher,
    TrustStore,
};
use crate::sign::{DocTimestampOptions, Timestamping};
use crate::Error;

pub use archival::revocation_info_for_signer;
pub use collect::ItemKind;
pub use due::{renewals_due, DueBudget, DueItem, DueKind, DueOptions, DueReport, Skipped};
pub use long_term::{reach, sign_long_term, LongTermLevel};

/// What to embed and where the data comes from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LtvOptions {
    /// Trust anchors: paths end here (anchors are embedded too, but need no revocation data).
    pub trust: TrustStore,
    /// Extra certificates to build paths with (issuers, OCSP responders).
    pub certificates: Vec<Certificate>,
    /// CRLs and OCSP responses given by the caller.
    pub revocation: RevocationData,
    /// Fetches missing OCSP responses, CRLs and issuers over HTTP when set.
    pub fetcher: Option<SharedFetcher>,
    /// What one run may spend through `fetcher` (fetches, time, bytes), across every
    /// signature and document timestamp of the file.
    pub network_budget: NetworkBudget,
    /// What may be fetched: issuers and revocation data (default), or revocation data only.
    pub fetch_scope: FetchScope,
    /// The time the gathered data must speak for; `None` reads the clock once.
    pub time: Option<OffsetDateTime>,
    /// The password of an encrypted input (user or owner; then the empty user password is
    /// tried). The update (and a B-LTA document timestamp) is written encrypted with the
    /// document's own key.
    pub document_password: Option<crate::pdf::Password>,
}

impl LtvOptions {
    /// The fetcher, counted by a fresh meter with `network_budget` (one per run).
    pub(crate) fn metered_fetcher(&self) -> Option<MeteredFetcher> {
        self.fetcher
            .as_ref()
            .map(|f| MeteredFetcher::new(f.0.clone(), self.network_budget))
    }

    /// Options with these anchors, offline, nothing supplied.
    pub fn new(trust: TrustStore) -> Self {
        LtvOptions {
            trust,
            certificates: Vec::new(),
            revocation: RevocationData::new(),
            fetcher: None,
            network_budget: NetworkBudget::default(),
            fetch_scope: FetchScope::IssuersAndRevocation,
            time: None,
            document_password: None,
        }
    }
}

/// What was done for one signature or document timestamp.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct SignatureLtv {
    /// The field's name, when a field points to it.
    pub field_name: Option<String>,
    /// A signature or a document timestamp.
    pub kind: ItemKind,
    /// Its `/VRI` key: uppercase hex SHA-1 of the `/Contents` bytes.
    pub vri_key: String,
    /// The certificates whose paths were covered (the signer, the authorities), by label.
    pub covered: Vec<String>,
    /// Certificates written to the `/DSS` for it that were not there before (labels).
    pub certificates_added: Vec<String>,
    /// OCSP responses newly written for it.
    pub ocsp_added: usize,
    /// CRLs newly written for it.
    pub crls_added: usize,
    /// What could not be found, one line each (per certificate).
    pub missing: Vec<String>,
}

impl SignatureLtv {
    /// True when everything its paths need is in the store.
    pub fn complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// The result of [`add_validation_data`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct LtvOutcome {
    /// One entry per signature and document timestamp, in the file's order.
    pub signatures: Vec<SignatureLtv>,
    /// Whether an update was appended (false: the store already held everything).
    pub updated: bool,
}

impl LtvOutcome {
    /// True when every signature's data is complete.
    pub fn complete(&self) -> bool {
        self.signatures.iter().all(SignatureLtv::complete)
    }
}

/// Adds the validation data of every signature and document timestamp of `input` to its
/// `/DSS` in a new incremental update written to `output` by kyso's write rule
/// ([`crate::output`]; `input` is only read). When nothing is new, `output` is a copy of
/// `input`.
pub fn add_validation_data<'a>(
    input: &Path,
    output: impl Into<Target<'a>>,
    opts: &LtvOptions,
) -> Result<LtvOutcome, Error> {
    let opened = crate::pdf::update::open_with_password(
        input,
        output,
        &[],
        opts.document_password.as_ref(),
    )?;
    let (update, outcome) = plan(opened.doc(), opts).map_err(|e| e.with_path(input))?;
    opened.commit(&update)?;
    Ok(outcome)
}

/// [`add_validation_data`] on a PDF held in memory: the new file and what was done.
pub fn add_validation_data_bytes(
    input: &[u8],
    opts: &LtvOptions,
) -> Result<(Vec<u8>, LtvOutcome), Error> {
    let doc = crate::pdf::update::open_bytes(input, opts.document_password.as_ref())?;
    let (update, outcome) = plan(&doc, opts)?;
    Ok((crate::pdf::update::append(input, &update), outcome))
}

/// B-LTA (or its renewal): the validation data of every signature and document timestamp,
/// then a document timestamp over the result. Nothing is written to `output` when the
/// authority fails.
pub fn archive<'a>(
    input: &Path,
    output: impl Into<Target<'a>>,
    opts: &LtvOptions,
    timestamping: &Timestamping,
    ts_opts: &DocTimestampOptions,
) -> Result<LtvOutcome, Error> {
    let out = Output::check(output, &[input])?;
    let staging = Staging::beside(out.path())?;
    let staged = Target::new(staging.path()).overwrite(Overwrite::Replace);
    let outcome = add_validation_data(input, staged, opts)?;
    crate::sign::timestamp_file(staging.path(), out.target(), timestamping, ts_opts)?;
    drop(staging);
    Ok(outcome)
}

/// The update to append (empty when nothing is new) and the outcome.
fn plan<S: Source>(doc: &Document<S>, opts: &LtvOptions) -> Result<(Vec<u8>, LtvOutcome), Error> {
    let now = opts.time.unwrap_or_else(OffsetDateTime::now_utc);
    let items = collect::signatures(doc)?;
    let mut store = dss::Store::read(doc)?;
    let mut pool = opts.certificates.clone();
    pool.extend(store.certificates());
    let mut known = opts.revocation.clone();
    known.extend(&store.revocation_data());
    let metered = opts.metered_fetcher();
    let gatherer = gather::Gatherer {
        trust: &opts.trust,
        fetcher: metered.as_ref().map(|f| f as &dyn crate::pki::Fetcher),
        fetch_scope: opts.fetch_scope,
        now,
    };
    let mut results = Vec::new();
    for item in &items {
        let mut item_pool = pool.clone();
        item_pool.extend(item.certificates.iter().cloned());
        let mut item_data = known.clone();
        item_data.extend(&item.data);
        let mut found = gather::Found::default();
        let mut covered = Vec::new();
        let mut missing = item.problems.clone();
        for target in &item.targets {
            covered.push(format!(
                "{} ({})",
                target.cert.label(),
                target.role.as_str()
            ));
            let g = gatherer.gather(&target.cert, &mut item_pool, &mut item_data);
            missing.extend(
                g.missing
                    .iter()
                    .map(|m| format!("{}: {m}", target.role.as_str())),
            );
            found.merge(g);
        }
        // What was fetched is known to the next signatures too.
        for c in &found.certificates {
            if !pool.contains(c) {
                pool.push(c.clone());
            }
        }
        for r in &found.ocsp {
            known.add_ocsp(r.clone(), crate::pki::Origin::Fetched);
        }
        for c in &found.crls {
            known.add_crl(c.clone(), crate::pki::Origin::Fetched);
        }
        let added = store.add(&item.vri_key, &found);
        results.push(SignatureLtv {
            field_name: item.field_name.clone(),
            kind: item.kind,
            vri_key: item.vri_key.clone(),
            covered,
            certificates_added: added.certificates,
            ocsp_added: added.ocsp,
            crls_added: added.crls,
            missing,
        });
    }
    let update = store.write(doc)?;
    let outcome = LtvOutcome {
        updated: !update.is_empty(),
        signatures: results,
    };
    Ok((update, outcome))
}
