//! The `kyso` command-line tool: a thin layer over the library, one module per command.
//!
//! Exit codes: 0 when every signature is valid (or the command succeeded), 1 when some
//! signature is not valid, 2 when kyso could not process the input. Errors are one line on
//! standard error, `kyso: FILE: problem`.

mod appearance_args;
mod attach;
mod attachments;
mod budget_args;
mod cert;
mod demo;
mod dossier;
mod fields;
mod form;
mod inspect;
mod keysource;
mod ltv;
mod net_args;
mod output;
mod password_args;
mod serve;
mod sign;
mod sign_file;
#[cfg(test)]
mod text_safety;
mod timestamp;
mod trust;
mod tsa_args;
mod verify;
mod verify_args;
mod verify_file;
mod verify_visual;
mod writes;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use output::{report_failure, Failure};

#[derive(Parser)]
#[command(
    name = "kyso",
    version,
    about = "Sign and verify PDF dossiers with X.509 certificates"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Command {
    Sign(Box<sign::SignArgs>),
    Verify(verify::VerifyArgs),
    Inspect(inspect::InspectArgs),
    Demo(demo::DemoArgs),
    Fields(fields::FieldsArgs),
    Attach(attach::AttachArgs),
    Attachments(attachments::AttachmentsArgs),
    SignFile(sign_file::SignFileArgs),
    VerifyFile(verify_file::VerifyFileArgs),
    Dossier(dossier::DossierArgs),
    /// Certificate paths without a PDF.
    Cert(cert::CertArgs),
    Timestamp(timestamp::TimestampArgs),
    Form(form::FormArgs),
    Ltv(ltv::LtvArgs),
    /// Built-in national trust profiles: install and list their anchors.
    Trust(trust::TrustArgs),
    Serve(serve::ServeArgs),
}

fn main() -> ExitCode {
    // The visual comparison's renderer runs in a child process of kyso itself (kyso::visual,
    // process isolation): not a command for people, so not in the help.
    if std::env::args_os().nth(1).as_deref()
        == Some(std::ffi::OsStr::new(kyso::visual::CLI_WORKER_ARG))
    {
        return ExitCode::from(kyso::visual::worker_main().clamp(0, 255) as u8);
    }
    let cli = Cli::parse();
    // `kyso serve` handles SIGTERM and Ctrl-C itself (graceful shutdown) and writes no file.
    if !matches!(cli.command, Command::Serve(_)) {
        writes::remove_temporaries_on_interrupt();
    }
    let result = match cli.command {
        Command::Sign(a) => sign::run(*a),
        Command::Verify(a) => verify::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Fields(a) => fields::run(a),
        Command::Attach(a) => attach::run(a),
        Command::Attachments(a) => attachments::run(a),
        Command::SignFile(a) => sign_file::run(a),
        Command::VerifyFile(a) => verify_file::run(a),
        Command::Dossier(a) => dossier::run(a),
        Command::Cert(a) => cert::run(a),
        Command::Timestamp(a) => timestamp::run(a),
        Command::Form(a) => form::run(a),
        Command::Ltv(a) => ltv::run(a),
        Command::Trust(a) => trust::run(a),
        Command::Serve(a) => serve::run(a),
    };
    match result {
        Ok(code) => code,
        Err(Failure(message)) => {
            report_failure(&message);
            ExitCode::from(2)
        }
    }
}
