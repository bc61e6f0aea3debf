//! `kyso verify-file`: a detached (`.p7s`) or enveloping (`.p7m`) CMS signature.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use time::OffsetDateTime;

use kyso::dossier::{
    detached_signature_path, render_file_report, verify_detached_file, verify_enveloping_file,
};
use kyso::pki::TrustStore;
use kyso::verify::VerifyOptions;

use crate::dossier::LangArg;
use crate::output::{emit, exit_for, parse_time, Failure};

/// Verify a signature over any file: FILE with FILE.p7s (or the signature given), or a .p7m.
#[derive(clap::Args)]
pub struct VerifyFileArgs {
    /// Trust anchors: PEM bundle or DER certificate (repeatable).
    #[arg(long)]
    trust: Vec<PathBuf>,
    /// Validation time (RFC 3339). Default: now.
    #[arg(long, value_parser = parse_time)]
    at: Option<OffsetDateTime>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Language of the text report.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
    /// For a .p7m: write the signed content to this file.
    #[arg(long)]
    extract: Option<PathBuf>,
    /// The signed file (or a .p7m, or a .p7s whose content is beside it without the suffix).
    file: PathBuf,
    /// The detached signature (default FILE.p7s).
    signature: Option<PathBuf>,
}

fn has_suffix(p: &Path, suffix: &str) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(suffix))
}

pub fn run(a: VerifyFileArgs) -> Result<ExitCode, Failure> {
    let mut trust = TrustStore::empty();
    for t in &a.trust {
        trust.add_file(t)?;
    }
    let mut opts = VerifyOptions::new(trust);
    if let Some(t) = a.at {
        opts = opts.validation_time(t);
    }
    let report = if a.signature.is_none() && has_suffix(&a.file, "p7m") {
        let enveloped =
            verify_enveloping_file(&a.file, &opts).map_err(|e| Failure::about(&a.file, e))?;
        if let Some(out) = &a.extract {
            let content = enveloped
                .content
                .as_deref()
                .ok_or_else(|| Failure::at(&a.file, "the signature holds no content"))?;
            std::fs::write(out, content).map_err(|e| Failure::at(out, e))?;
        }
        enveloped.report
    } else {
        if a.extract.is_some() {
            return Err(Failure::at(&a.file, "--extract applies to .p7m files only"));
        }
        let (content, signature) = match &a.signature {
            Some(s) => (a.file.clone(), s.clone()),
            None if has_suffix(&a.file, "p7s") => (a.file.with_extension(""), a.file.clone()),
            None => (a.file.clone(), detached_signature_path(&a.file)),
        };
        verify_detached_file(&content, &signature, &opts)
            .map_err(|e| Failure::about(&content, e))?
    };
    if a.json {
        emit(&format!("{}\n", report.to_json()));
    } else {
        emit(&render_file_report(&report, a.lang.into()));
    }
    Ok(exit_for(std::slice::from_ref(&report)))
}
