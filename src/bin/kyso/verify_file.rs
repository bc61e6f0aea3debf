//! `kyso verify-file`: a detached (`.p7s`) or enveloping (`.p7m`) CMS signature.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kyso::dossier::{
    detached_signature_path, render_file_report, verify_detached_file, verify_enveloping_file,
};
use kyso::report::Lang;

use crate::output::{emit, exit_for, Failure};
use crate::verify_args::{LangArg, VerifyOptionArgs};

/// Verify a signature over any file: FILE with FILE.p7s (or the signature given), or a .p7m.
#[derive(clap::Args)]
pub struct VerifyFileArgs {
    #[command(flatten)]
    verify: VerifyOptionArgs,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Language of the text report and of messages.
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
    let lang: Lang = a.lang.into();
    let opts = a.verify.options(lang)?;
    let report = if a.signature.is_none() && has_suffix(&a.file, "p7m") {
        let enveloped = verify_enveloping_file(&a.file, &opts)
            .map_err(|e| Failure::about_in(&a.file, e, lang))?;
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
            .map_err(|e| Failure::about_in(&content, e, lang))?
    };
    if a.json {
        emit(&format!("{}\n", report.to_json()));
    } else {
        emit(&render_file_report(&report, lang));
    }
    Ok(exit_for(std::slice::from_ref(&report)))
}
