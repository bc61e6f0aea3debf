//! `kyso demo`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kyso::demo::{DemoOptions, DemoOutcome};
use kyso::report::render_text;

use crate::output::{emit, exit_for, Failure};

/// Make a demo PKI and a sample dossier, sign it by two officials, verify it.
///
/// An existing demo directory is not replaced (its keys stay): give --force to make a new
/// demo PKI there, or another directory.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// Directory for the demo files (created; default ./kyso-demo).
    dir: Option<PathBuf>,
    /// Print the report as JSON (the list of files and the next steps go to stderr).
    #[arg(long)]
    json: bool,
    /// Replace an earlier demo in the directory, its private keys included.
    #[arg(long)]
    force: bool,
}

pub fn run(a: DemoArgs) -> Result<ExitCode, Failure> {
    let dir = a.dir.unwrap_or_else(|| PathBuf::from("kyso-demo"));
    let outcome = kyso::demo::run_with(&dir, &DemoOptions::new().overwrite(a.force))?;
    let written = written(&outcome);
    let next = next_steps(&outcome);
    if a.json {
        eprint!("{written}");
        emit(&format!("{}\n", outcome.report.to_json()));
        eprint!("{next}");
    } else {
        emit(&format!(
            "{written}\n{}\n{next}",
            render_text(&outcome.report)
        ));
    }
    Ok(exit_for(std::slice::from_ref(&outcome.report)))
}

/// What the demo wrote, one line per file or pair.
fn written(o: &DemoOutcome) -> String {
    let mut rows: Vec<(String, String)> = vec![
        ("root CA (trust anchor)".into(), show(&o.pki.root)),
        ("issuing CA".into(), show(&o.pki.issuing_ca)),
        ("chain to send with signatures".into(), show(&o.pki.chain)),
    ];
    for (i, official) in o.pki.officials.iter().enumerate() {
        rows.push((
            format!("official {} certificate, key", i + 1),
            format!("{}, {}", show(&official.certificate), show(&official.key)),
        ));
    }
    rows.push((
        "CRLs (root, issuing CA)".into(),
        format!("{}, {}", show(&o.pki.root_crl), show(&o.pki.issuing_ca_crl)),
    ));
    rows.push(("unsigned dossier".into(), show(&o.unsigned)));
    rows.push(("signed by official 1".into(), show(&o.signed_once)));
    rows.push(("signed by officials 1 and 2".into(), show(&o.signed_twice)));
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut text = format!(
        "demo files in {} (the keys are demo keys: they protect nothing):\n",
        o.dir.display()
    );
    for (what, path) in rows {
        let pad = width - what.chars().count();
        text.push_str(&format!("  {what}:{:pad$} {path}\n", ""));
    }
    text
}

/// The commands to try next, each runnable as printed (from the directory `kyso demo` ran in).
fn next_steps(o: &DemoOutcome) -> String {
    let official = o.pki.officials.first();
    let mut text = String::from("next, verify the signed dossier yourself:\n");
    text.push_str(&format!("  {}\n", verify_command(o)));
    if let Some(official) = official {
        let output = o.dir.join("ho-so-mau.my-signature.pdf");
        text.push_str("or sign the unsigned dossier as official 1:\n");
        text.push_str(&format!(
            "  kyso sign --key {} --cert {} --chain {} {} -o {}\n",
            quote(&official.key),
            quote(&official.certificate),
            quote(&o.pki.chain),
            quote(&o.unsigned),
            quote(&output)
        ));
    }
    text.push_str(
        "(in a source checkout without kyso installed, type `cargo run --release --` for \
         `kyso`)\n",
    );
    text
}

/// `kyso verify` of the twice-signed file against the demo root, with the CAs' CRLs.
fn verify_command(o: &DemoOutcome) -> String {
    format!(
        "kyso verify --trust {} --crl {} --crl {} {}",
        quote(&o.pki.root),
        quote(&o.pki.root_crl),
        quote(&o.pki.issuing_ca_crl),
        quote(&o.signed_twice)
    )
}

fn show(p: &Path) -> String {
    p.display().to_string()
}

/// A path as a POSIX shell word: as is when it is plain, else in single quotes.
fn quote(p: &Path) -> String {
    let text = p.display().to_string();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@".contains(c));
    if plain {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
