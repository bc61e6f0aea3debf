//! Gathering the revocation data of the signer's path before signing, for Adobe's
//! adbe-revocationInfoArchival signed attribute ([`RevocationInfoArchival`], in `cms`).

use crate::cms::RevocationInfoArchival;
use crate::pki::Certificate;

use super::gather::{Found, Gatherer};
use super::LtvOptions;

/// Gathers the revocation data of `signer`'s path (through `chain` and `opts`'s
/// certificates to `opts`'s anchors; OCSP preferred, CRL otherwise; fetched when `opts` has
/// a fetcher) for an adbe-revocationInfoArchival attribute. Returns the data and what could
/// not be found, one line per certificate.
pub fn revocation_info_for_signer(
    signer: &Certificate,
    chain: &[Certificate],
    opts: &LtvOptions,
) -> (RevocationInfoArchival, Vec<String>) {
    let metered = opts.metered_fetcher();
    let gatherer = Gatherer {
        trust: &opts.trust,
        fetcher: metered.as_ref().map(|f| f as &dyn crate::pki::Fetcher),
        fetch_scope: opts.fetch_scope,
        now: opts.time.unwrap_or_else(time::OffsetDateTime::now_utc),
    };
    let mut pool = opts.certificates.clone();
    pool.extend(chain.iter().cloned());
    let mut data = opts.revocation.clone();
    let found: Found = gatherer.gather(signer, &mut pool, &mut data);
    let archival = RevocationInfoArchival {
        crls: found.crls.iter().map(|c| c.der().to_vec()).collect(),
        ocsp: found.ocsp.iter().map(|r| r.der().to_vec()).collect(),
    };
    (archival, found.missing)
}
