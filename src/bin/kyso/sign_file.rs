//! `kyso sign-file`: a CAdES B-B signature over any file.

use std::path::PathBuf;
use std::process::ExitCode;

use time::OffsetDateTime;

use kyso::dossier::{
    detached_signature_path, write_detached_signature_with, write_enveloping_signature_with,
    FileSignOptions,
};
use kyso::signer::SignerIdentity;

use crate::keysource::KeySourceArgs;
use crate::output::{parse_time, Failure};
use crate::writes::{Out, FORCE_HELP};

/// Sign any file: a detached CAdES B-B signature written beside it (FILE.p7s).
#[derive(clap::Args)]
pub struct SignFileArgs {
    #[command(flatten)]
    signer: KeySourceArgs,
    /// Write an enveloping signature (FILE.p7m, the content inside) instead.
    #[arg(long)]
    enveloping: bool,
    /// Signing time (RFC 3339) instead of now.
    #[arg(long, value_parser = parse_time)]
    time: Option<OffsetDateTime>,
    /// Where to write the signature (default FILE.p7s, or FILE.p7m with --enveloping).
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[arg(long, help = FORCE_HELP)]
    force: bool,
    /// The file to sign (never modified).
    file: PathBuf,
}

pub fn run(a: SignFileArgs) -> Result<ExitCode, Failure> {
    let out = match (&a.output, a.enveloping) {
        (Some(o), _) => Out::named(o, a.force),
        (None, false) => Out::chosen(&detached_signature_path(&a.file), a.force),
        (None, true) => {
            let mut name = a.file.as_os_str().to_owned();
            name.push(".p7m");
            Out::chosen(&PathBuf::from(name), a.force)
        }
    };
    out.check()?;
    let signer = a.signer.signer()?;
    let mut opts =
        FileSignOptions::new().allow_invalid_certificate(a.signer.allow_invalid_certificate());
    opts.signing_time = a.time;
    let result = if a.enveloping {
        write_enveloping_signature_with(&a.file, out.target(), signer.as_ref(), &opts)
    } else {
        write_detached_signature_with(&a.file, out.target(), signer.as_ref(), &opts)
    };
    result.map_err(|e| Failure::about(&a.file, e))?;
    eprintln!("signed {} -> {}", a.file.display(), out.path().display());
    a.signer
        .warn_after_signing(&SignerIdentity::of(signer.as_ref()), a.time);
    Ok(ExitCode::SUCCESS)
}
