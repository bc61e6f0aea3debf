//! What every command shares: one-line failures, standard output that survives a closed
//! pipe, exit codes from reports, RFC 3339 times.

use std::path::Path;
use std::process::ExitCode;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use kyso::pdf::PdfError;
use kyso::report::text::safe;
use kyso::report::{Lang, VerificationReport};

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
        Failure(describe(file, &e, Lang::En))
    }

    /// [`Failure::about`] in `lang`.
    pub fn about_in(file: &Path, e: kyso::Error, lang: Lang) -> Self {
        Failure(describe(file, &e, lang))
    }
}

/// `FILE: problem` for a library error about `file`, naming the file once; a PDF whose
/// structure is broken (a cut or damaged file) is called damaged or truncated, with the
/// reader's reason after it.
pub fn describe(file: &Path, e: &kyso::Error, lang: Lang) -> String {
    match e {
        kyso::Error::Pdf { path, source } => {
            let shown = path.as_deref().unwrap_or(file).display();
            if is_damage(source) {
                format!(
                    "{shown}: {} ({source})",
                    lang.pick(
                        "the PDF is damaged or truncated",
                        "tệp PDF bị hỏng hoặc bị cắt cụt"
                    )
                )
            } else if let PdfError::Encryption(e) = source {
                format!("{shown}: {}", e.text(lang))
            } else if matches!(source, PdfError::NotPdf) && lang == Lang::Vi {
                format!("{shown}: không phải tệp PDF ({source})")
            } else {
                format!("{shown}: {source}")
            }
        }
        // Every refusal has its sentence in both languages (kyso::Refusal::text).
        kyso::Error::Refused { path, refusal } => {
            let shown = path.as_deref().unwrap_or(file).display();
            format!("{shown}: {}", refusal.text(lang))
        }
        kyso::Error::Io { .. } | kyso::Error::Output(_) => e.to_string(),
        other => format!("{}: {other}", file.display()),
    }
}

/// Reader errors that mean the file's structure is broken: what a cut download, a
/// truncated copy or a damaged disk leaves.
fn is_damage(e: &PdfError) -> bool {
    matches!(
        e,
        PdfError::NoStartXref
            | PdfError::BadXref { .. }
            | PdfError::Syntax { .. }
            | PdfError::UnexpectedEof { .. }
            | PdfError::ObjectMismatch { .. }
            | PdfError::BadStreamLength { .. }
            | PdfError::PrevLoop { .. }
            | PdfError::BadObjectStream { .. }
            | PdfError::Missing(_)
            | PdfError::WrongType { .. }
    )
}

/// Prints `kyso: MESSAGE` as one line on standard error; the message's control,
/// bidirectional and invisible characters (from a file name or the document) are shown
/// escaped ([`safe`]).
pub fn report_failure(message: &str) {
    eprintln!("{}", failure_line(message));
}

/// `kyso: MESSAGE`, escaped as [`report_failure`] prints it.
pub fn failure_line(message: &str) -> String {
    format!("kyso: {}", safe(message))
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

/// Parses an RFC 3339 time for clap (signing times; validation times take a date too, see
/// `verify_args::parse_at`).
pub fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| format!("not an RFC 3339 time ({e})"))
}
