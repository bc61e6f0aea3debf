//! The `kyso` command-line tool: a thin layer over the library, one module per command.
//!
//! Exit codes: 0 when every signature is valid (or the command succeeded), 1 when some
//! signature is not valid, 2 when kyso could not process the input. Errors are one line on
//! standard error, `kyso: FILE: problem`.

mod demo;
mod inspect;
mod output;
mod sign;
mod verify;

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
enum Command {
    Sign(Box<sign::SignArgs>),
    Verify(verify::VerifyArgs),
    Inspect(inspect::InspectArgs),
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sign(a) => sign::run(*a),
        Command::Verify(a) => verify::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Demo(a) => demo::run(a),
    };
    match result {
        Ok(code) => code,
        Err(Failure(message)) => {
            report_failure(&message);
            ExitCode::from(2)
        }
    }
}
