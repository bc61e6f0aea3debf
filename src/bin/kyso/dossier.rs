//! `kyso dossier seal|verify`: a directory sealed by a signed manifest.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use time::OffsetDateTime;

use kyso::dossier::{render_dossier, seal_dossier, verify_dossier, Lang, Role, SealOptions};
use kyso::pki::TrustStore;
use kyso::verify::VerifyOptions;

use crate::keysource::KeySourceArgs;
use crate::output::{emit, parse_time, Failure};

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
    /// Replace an existing manifest and signature.
    #[arg(long)]
    force: bool,
    /// The dossier directory.
    dir: PathBuf,
}

#[derive(clap::Args)]
struct DossierVerifyArgs {
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
    #[command(flatten)]
    budget: crate::budget_args::BudgetArgs,
    /// The dossier directory.
    dir: PathBuf,
}

/// `--lang`.
#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// Tiếng Việt.
    Vi,
    /// English.
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::Vi => Lang::Vi,
            LangArg::En => Lang::En,
        }
    }
}

pub fn run(a: DossierArgs) -> Result<ExitCode, Failure> {
    match a.command {
        DossierCommand::Seal(s) => seal(s),
        DossierCommand::Verify(v) => verify(v),
    }
}

fn seal(a: SealArgs) -> Result<ExitCode, Failure> {
    let signer = a.signer.signer()?;
    let mut opts = SealOptions::new();
    for p in &a.application {
        opts = opts.role(p.clone(), Role::Application);
    }
    for p in &a.decision {
        opts = opts.role(p.clone(), Role::Decision);
    }
    opts.dossier_id = a.id;
    opts.overwrite = a.force;
    opts.signing_time = a.time;
    let sealed =
        seal_dossier(&a.dir, signer.as_ref(), &opts).map_err(|e| Failure::about(&a.dir, e))?;
    eprintln!(
        "sealed {} file(s): {} + {}",
        sealed.contents.files.len(),
        sealed.manifest.display(),
        sealed.signature.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn verify(a: DossierVerifyArgs) -> Result<ExitCode, Failure> {
    let mut trust = TrustStore::empty();
    for t in &a.trust {
        trust.add_file(t)?;
    }
    let mut opts = VerifyOptions::new(trust);
    a.budget.apply(&mut opts);
    if let Some(t) = a.at {
        opts = opts.validation_time(t);
    }
    let report = verify_dossier(&a.dir, &opts).map_err(|e| Failure::about(&a.dir, e))?;
    if a.json {
        emit(&format!("{}\n", report.to_json()));
    } else {
        emit(&render_dossier(&report, a.lang.into()));
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
