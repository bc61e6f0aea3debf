//! `kyso dossier seal|verify`: a directory sealed by a signed manifest.

use std::path::PathBuf;
use std::process::ExitCode;

use time::OffsetDateTime;

use kyso::dossier::{
    render_dossier, seal_dossier, verify_dossier, Role, SealOptions, MANIFEST_FILE,
    MANIFEST_SIGNATURE_FILE,
};
use kyso::output::Overwrite;
use kyso::report::Lang;

use crate::keysource::KeySourceArgs;
use crate::output::{emit, parse_time, Failure};
use crate::verify_args::{LangArg, VerifyOptionArgs};
use crate::writes::{Out, FORCE_HELP};

/// Seal a dossier directory with a signed manifest, or verify one.
#[derive(clap::Args)]
pub struct DossierArgs {
    #[command(subcommand)]
    command: DossierCommand,
}

#[derive(clap::Subcommand)]
// Parsed once per run: the size of the variants does not matter.
#[allow(clippy::large_enum_variant)]
enum DossierCommand {
    /// Hash every file, write kyso-dossier.json and sign it (kyso-dossier.json.p7s).
    Seal(SealArgs),
    /// Check the manifest's signature, every file against it, and every signature.
    Verify(DossierVerifyArgs),
}

#[derive(clap::Args)]
struct SealArgs {
    #[command(flatten)]
    signer: KeySourceArgs,
    /// Files (relative to DIR) that are the application (repeatable).
    #[arg(long)]
    application: Vec<String>,
    /// Files (relative to DIR) that are decisions (repeatable).
    #[arg(long)]
    decision: Vec<String>,
    /// The dossier's identifier, written into the manifest.
    #[arg(long)]
    id: Option<String>,
    /// Signing time (RFC 3339) instead of now.
    #[arg(long, value_parser = parse_time)]
    time: Option<OffsetDateTime>,
    #[arg(long, help = FORCE_HELP)]
    force: bool,
    /// The dossier directory.
    dir: PathBuf,
}

#[derive(clap::Args)]
struct DossierVerifyArgs {
    #[command(flatten)]
    verify: VerifyOptionArgs,
    #[command(flatten)]
    password: crate::password_args::PdfPasswordArgs,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Language of the text report and of messages.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
    /// The dossier directory.
    dir: PathBuf,
}

pub fn run(a: DossierArgs) -> Result<ExitCode, Failure> {
    match a.command {
        DossierCommand::Seal(s) => seal(s),
        DossierCommand::Verify(v) => verify(v),
    }
}

fn seal(a: SealArgs) -> Result<ExitCode, Failure> {
    for name in [MANIFEST_FILE, MANIFEST_SIGNATURE_FILE] {
        Out::chosen(&a.dir.join(name), a.force).check()?;
    }
    let signer = a.signer.signer()?;
    let mut opts = SealOptions::new();
    for p in &a.application {
        opts = opts.role(p.clone(), Role::Application);
    }
    for p in &a.decision {
        opts = opts.role(p.clone(), Role::Decision);
    }
    opts.dossier_id = a.id;
    opts.overwrite = Overwrite::from_force(a.force);
    opts.signing_time = a.time;
    opts.allow_invalid_certificate = a.signer.allow_invalid_certificate();
    let sealed =
        seal_dossier(&a.dir, signer.as_ref(), &opts).map_err(|e| Failure::about(&a.dir, e))?;
    eprintln!(
        "sealed {} file(s): {} + {}",
        sealed.contents.files.len(),
        sealed.manifest.display(),
        sealed.signature.display()
    );
    a.signer
        .warn_after_signing(&kyso::signer::SignerIdentity::of(signer.as_ref()), a.time);
    Ok(ExitCode::SUCCESS)
}

fn verify(a: DossierVerifyArgs) -> Result<ExitCode, Failure> {
    let lang: Lang = a.lang.into();
    let mut opts = a.verify.options(lang)?;
    opts.password = a.password.password()?;
    let mut report =
        verify_dossier(&a.dir, &opts).map_err(|e| Failure::about_in(&a.dir, e, lang))?;
    // Under a policy that asks for it, each PDF's signed revisions are also compared as
    // rendered (required: a comparison that cannot be made does not pass).
    let mut visual_failed = false;
    if opts.policy.visual {
        let mut run =
            crate::verify_visual::VisualRun::new(None, false, lang, opts.password.clone(), true);
        for f in &mut report.files {
            let path = a.dir.join(&f.path);
            for sig in &mut f.signatures {
                if sig.format == kyso::report::DocumentFormat::Pdf {
                    visual_failed |= !run.run(&path, &mut sig.report);
                }
            }
        }
        report.signatures_changed();
    }
    if a.json {
        emit(&format!("{}\n", report.to_json()));
    } else {
        emit(&render_dossier(&report, lang));
    }
    Ok(if visual_failed {
        ExitCode::from(2)
    } else if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
