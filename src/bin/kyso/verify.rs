//! `kyso verify`.

use std::path::PathBuf;
use std::process::ExitCode;

use time::OffsetDateTime;

use kyso::report::render_text;
use kyso::verify::{verify_file, VerifyOptions};

use crate::cert::PkiArgs;
use crate::output::{emit, exit_for, parse_time, report_failure, Failure};

/// Verify every signature of one or more PDFs.
#[derive(clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pki: PkiArgs,
    /// Validation time (RFC 3339), e.g. 2026-11-26T10:00:00+07:00. Default: now.
    #[arg(long, value_parser = parse_time)]
    at: Option<OffsetDateTime>,
    /// Print the report as JSON (an array when several files are given).
    #[arg(long)]
    json: bool,
    /// PDFs to verify. A file that cannot be processed is reported on standard error and
    /// left out of the output; the others are still verified (exit code 2).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(a: VerifyArgs) -> Result<ExitCode, Failure> {
    let mut opts = VerifyOptions::new(a.pki.trust_store()?);
    opts.intermediates = a.pki.intermediates()?;
    opts.revocation = a.pki.revocation_data()?;
    a.pki.apply(&mut opts.validation)?;
    opts.fetcher = a.pki.fetcher();
    if let Some(t) = a.at {
        opts = opts.validation_time(t);
    }
    let mut reports = Vec::new();
    let mut unprocessed = false;
    for f in &a.files {
        match verify_file(f, &opts) {
            Ok(r) => reports.push(r),
            Err(e) => {
                report_failure(&Failure::about(f, e).0);
                unprocessed = true;
            }
        }
    }
    if a.json {
        // One file: its report as an object; several: an array of those processed.
        let out = match (a.files.len(), reports.first()) {
            (1, Some(r)) => Some(r.to_json()),
            (1, None) => None,
            _ => Some(serde_json::to_string_pretty(&reports).unwrap_or_default()),
        };
        if let Some(out) = out {
            emit(&format!("{out}\n"));
        }
    } else {
        let text: String = reports.iter().map(render_text).collect();
        emit(&text);
    }
    if unprocessed {
        return Ok(ExitCode::from(2));
    }
    Ok(exit_for(&reports))
}
