//! What every command shares: one-line failures, standard output that survives a closed
//! pipe, exit codes from reports, RFC 3339 times.

use std::path::Path;
use std::process::ExitCode;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use kyso::report::VerificationReport;

/// Why a command could not be carried out: one line that names the file.
pub struct Failure(pub String);

impl From<kyso::Error> for Failure {
    fn from(e: kyso::Error) -> Self {
        Failure(e.to_string())
    }
}

impl Failure {
    /// A problem with `path`.
    pub fn at(path: &Path, e: impl std::fmt::Display) -> Self {
        Failure(format!("{}: {e}", path.display()))
    }

    /// A library error about `file`, prefixed with the file's name unless it names one.
    pub fn about(file: &Path, e: kyso::Error) -> Self {
        match e {
            kyso::Error::Io { .. }
            | kyso::Error::Output(_)
            | kyso::Error::Pdf { path: Some(_), .. }
            | kyso::Error::Refused { path: Some(_), .. } => Failure::from(e),
            other => Failure::at(file, other),
        }
    }
}

/// Prints `kyso: MESSAGE` as one line on standard error.
pub fn report_failure(message: &str) {
    let one_line: String = message
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    eprintln!("kyso: {one_line}");
}

/// Writes to standard output; a closed pipe (`kyso verify … | head`) ends the output quietly
/// instead of failing.
pub fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// 0 when every report passed, 1 otherwise.
pub fn exit_for(reports: &[VerificationReport]) -> ExitCode {
    if reports.iter().all(VerificationReport::all_passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Parses an RFC 3339 time for clap.
pub fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| format!("not an RFC 3339 time ({e})"))
}
