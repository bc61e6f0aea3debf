//! `kyso fields`: prepare a dossier with empty signature fields for later signers.

use std::path::PathBuf;
use std::process::ExitCode;

use kyso::sign::fields::{add_fields_file_with_password, FieldSpec};

use crate::output::Failure;
use crate::writes::{Out, FORCE_HELP};

/// Manage signature fields.
#[derive(clap::Args)]
pub struct FieldsArgs {
    #[command(subcommand)]
    command: FieldsCommand,
}

#[derive(clap::Subcommand)]
enum FieldsCommand {
    /// Add an empty signature field (by incremental update) for an official to sign later.
    Add(AddArgs),
}

#[derive(clap::Args)]
struct AddArgs {
    /// The field's name (unique, no period), e.g. ChuTich_UBND.
    #[arg(long)]
    name: String,
    /// Page (1-based).
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// The widget's rectangle in points: x,y,width,height (lower-left corner first).
    #[arg(long, value_parser = parse_rect)]
    rect: [f64; 4],
    /// The PDF (never modified).
    input: PathBuf,
    /// Where to write the PDF with the new field.
    #[arg(short, long)]
    output: PathBuf,
    #[arg(long, help = FORCE_HELP)]
    force: bool,
    #[command(flatten)]
    password: crate::password_args::PdfPasswordArgs,
}

fn parse_rect(s: &str) -> Result<[f64; 4], String> {
    let parts: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("not a number list x,y,width,height ({e})"))?;
    <[f64; 4]>::try_from(parts).map_err(|_| "expected four numbers: x,y,width,height".into())
}

pub fn run(a: FieldsArgs) -> Result<ExitCode, Failure> {
    match a.command {
        FieldsCommand::Add(add) => {
            let spec = FieldSpec::new(add.name.clone(), add.page, add.rect);
            let out = Out::named(&add.output, add.force);
            let password = add.password.password()?;
            add_fields_file_with_password(&add.input, out.target(), &[spec], password.as_ref())
                .map_err(|e| Failure::about(&add.input, e))?;
            eprintln!(
                "added field {} on page {} -> {}",
                add.name,
                add.page,
                add.output.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
