//! `kyso verify-file`: a detached (`.p7s`) or enveloping (`.p7m`) CMS signature.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kyso::dossier::{
    detached_signature_path, render_file_report, verify_detached_file, verify_enveloping_file,
    Enveloped,
};
use kyso::report::Lang;

use crate::output::{emit, exit_for, Failure};
use crate::verify_args::{LangArg, VerifyOptionArgs};
use crate::writes::Out;

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
    /// For a .p7m: write the signed content to this file, once the signature passed.
    #[arg(long)]
    extract: Option<PathBuf>,
    /// With --extract: write the content even when the signature did not pass (the
    /// output says so).
    #[arg(long, requires = "extract")]
    extract_anyway: bool,
    /// With --extract: replace an existing file (never the .p7m, never through a
    /// symbolic link).
    #[arg(long, requires = "extract")]
    force: bool,
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
        let out = a.extract.as_deref().map(|p| Out::named(p, a.force));
        if let Some(out) = &out {
            out.check()?;
        }
        let enveloped = verify_enveloping_file(&a.file, &opts)
            .map_err(|e| Failure::about_in(&a.file, e, lang))?;
        if let Some(out) = &out {
            extract(&a.file, out, &enveloped, a.extract_anyway)?;
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

/// `--extract`: the content of a .p7m is written (by kyso's write rule, never onto the .p7m)
/// only when every signature passed, or with `--extract-anyway`, which says so.
fn extract(p7m: &Path, out: &Out, enveloped: &Enveloped, anyway: bool) -> Result<(), Failure> {
    let content = enveloped
        .content
        .as_deref()
        .ok_or_else(|| Failure::at(p7m, "the signature holds no content"))?;
    let passed = enveloped.report.all_passed();
    if !passed && !anyway {
        eprintln!(
            "kyso: {}: the content was not written: the signature did not pass \
             verification (--extract-anyway writes it all the same)",
            out.path().display()
        );
        return Ok(());
    }
    kyso::output::write_bytes(out.target(), &[p7m], content)?;
    if passed {
        eprintln!("extracted {} -> {}", p7m.display(), out.path().display());
    } else {
        eprintln!(
            "kyso: WARNING: extracted {} -> {} although the signature did NOT pass \
             verification (--extract-anyway): do not rely on this content",
            p7m.display(),
            out.path().display()
        );
    }
    Ok(())
}
