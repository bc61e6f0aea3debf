//! `kyso demo`.

use std::path::PathBuf;
use std::process::ExitCode;

use kyso::report::render_text;

use crate::output::{emit, exit_for, Failure};

/// Make a demo PKI and a sample dossier, sign it by two officials, verify it.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// Directory for the demo files (created; default ./kyso-demo).
    dir: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(a: DemoArgs) -> Result<ExitCode, Failure> {
    let dir = a.dir.unwrap_or_else(|| PathBuf::from("kyso-demo"));
    let outcome = kyso::demo::run(&dir)?;
    let mut text = format!("demo files in {}:\n", outcome.dir.display());
    for p in [
        &outcome.unsigned,
        &outcome.signed_once,
        &outcome.signed_twice,
    ] {
        text.push_str(&format!("  {}\n", p.display()));
    }
    text.push('\n');
    if a.json {
        text.push_str(&outcome.report.to_json());
        text.push('\n');
    } else {
        text.push_str(&render_text(&outcome.report));
    }
    emit(&text);
    Ok(exit_for(std::slice::from_ref(&outcome.report)))
}
