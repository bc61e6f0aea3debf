//! One call from an unsigned (or already signed) PDF to a new signature at PAdES B-LT or
//! B-LTA: sign at B-T into a staging file beside the output, then the validation data (and
//! for B-LTA the document timestamp) into the output. Nothing is left at the output when a
//! step fails.

use std::path::Path;

use crate::output::{Output, Overwrite, Staging, Target};
use crate::sign::{sign_file, DocTimestampOptions, RevocationCheck, SignOptions, Timestamping};
use crate::signer::Signer;
use crate::tsp::TspError;
use crate::Error;

use super::{add_validation_data, archive, LtvOptions, LtvOutcome};

/// A PAdES baseline level above B-T (ETSI EN 319 142-1 §6): what [`reach`] and
/// [`sign_long_term`] bring a document to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum LongTermLevel {
    /// B-LT: the validation data of every signature in the document security store.
    #[serde(rename = "B-LT")]
    BLt,
    /// B-LTA: B-LT, then a document timestamp over it.
    #[serde(rename = "B-LTA")]
    BLta,
}

/// Brings the signatures of `input` to `level`: [`add_validation_data`] for B-LT,
/// [`archive`] (with default [`DocTimestampOptions`]) for B-LTA, whose document timestamp
/// comes from `timestamping` — without one, B-LTA fails with [`TspError::NoAuthority`] and
/// nothing is written.
pub fn reach<'a>(
    input: &Path,
    output: impl Into<Target<'a>>,
    level: LongTermLevel,
    opts: &LtvOptions,
    timestamping: Option<&Timestamping>,
) -> Result<LtvOutcome, Error> {
    match level {
        LongTermLevel::BLt => add_validation_data(input, output, opts),
        LongTermLevel::BLta => {
            let timestamping = timestamping.ok_or(Error::Timestamp(TspError::NoAuthority))?;
            // The document timestamp opens the document with the same password.
            let ts_opts = DocTimestampOptions {
                document_password: opts.document_password.clone(),
                ..DocTimestampOptions::new()
            };
            archive(input, output, opts, timestamping, &ts_opts)
        }
    }
}

/// Signs `input` with `signer` and brings the new signature to `level` in one call:
/// [`sign_file`] at B-T into a staging file beside `output` (removed at the end, on error
/// and on interrupt), then [`reach`] from it into `output` by kyso's write rule.
///
/// B-LT builds on B-T (ETSI EN 319 142-1 §6.3), so `sign_opts.timestamping` must be set:
/// its authority makes the signature timestamp and, for B-LTA, the document timestamp.
/// Without it the call fails with [`TspError::NoAuthority`] before anything is signed.
/// What the validation data covers and where it comes from is `ltv_opts`; unless
/// `sign_opts.revocation_check` is set, the signer is first checked against that data (and
/// its fetcher): a revoked certificate is refused before anything is signed.
pub fn sign_long_term<'a>(
    input: &Path,
    output: impl Into<Target<'a>>,
    signer: &dyn Signer,
    sign_opts: &SignOptions,
    level: LongTermLevel,
    ltv_opts: &LtvOptions,
) -> Result<LtvOutcome, Error> {
    let timestamping = sign_opts
        .timestamping
        .as_ref()
        .ok_or(Error::Timestamp(TspError::NoAuthority))?;
    let out = Output::check(output, &[input])?;
    // The validation data at hand (given, fetched) is checked before signing: a revoked
    // signer is refused before anything is written.
    let mut sign_opts = sign_opts.clone();
    if sign_opts.revocation_check.is_none() {
        let mut check = RevocationCheck::new(ltv_opts.trust.clone());
        check.intermediates = ltv_opts.certificates.clone();
        check.data = ltv_opts.revocation.clone();
        check.fetcher = ltv_opts.fetcher.clone();
        sign_opts.revocation_check = Some(check);
    }
    // The validation data (and a B-LTA document timestamp) is added to the signed file
    // with the password it was signed with.
    let mut ltv_opts = ltv_opts.clone();
    if ltv_opts.document_password.is_none() {
        ltv_opts.document_password = sign_opts.document_password.clone();
    }
    let ltv_opts = &ltv_opts;
    let staging = Staging::beside(out.path())?;
    sign_file(
        input,
        Target::new(staging.path()).overwrite(Overwrite::Replace),
        signer,
        &sign_opts,
    )?;
    let outcome = reach(
        staging.path(),
        out.target(),
        level,
        ltv_opts,
        Some(timestamping),
    )?;
    drop(staging);
    Ok(outcome)
}
