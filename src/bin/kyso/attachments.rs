//! `kyso attachments list|extract`: the files embedded in a PDF.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kyso::asn1::hex::encode as hex;
use kyso::attachments::{
    embedded_contents, extract_to_file, list_embedded_files, portable_file_name, EmbeddedFile,
};
use kyso::pdf::{Document, FileSource, Password};
use kyso::report::text::safe;
use kyso::report::EmbeddedLocation;

use kyso::report::Lang;

use crate::output::{emit, Failure};
use crate::password_args::{open_pdf, PdfPasswordArgs};
use crate::verify_args::LangArg;
use crate::writes::{Out, FORCE_HELP};

/// List or extract the files embedded in a PDF.
#[derive(clap::Args)]
pub struct AttachmentsArgs {
    #[command(subcommand)]
    command: AttachmentsCommand,
}

#[derive(clap::Subcommand)]
enum AttachmentsCommand {
    /// List the embedded files with their size and SHA-256.
    List {
        /// The PDF.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Language of the text output.
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
        #[command(flatten)]
        password: PdfPasswordArgs,
    },
    /// Write embedded files into a directory.
    Extract {
        /// The PDF.
        file: PathBuf,
        /// Names of the files to extract (default: all).
        names: Vec<String>,
        /// Directory to write into (default: the current directory).
        #[arg(short, long, default_value = ".")]
        output: PathBuf,
        #[arg(long, help = FORCE_HELP)]
        force: bool,
        /// Print what was extracted as JSON (each attachment's name in the document and
        /// the file written).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        password: PdfPasswordArgs,
    },
}

pub fn run(a: AttachmentsArgs) -> Result<ExitCode, Failure> {
    match a.command {
        AttachmentsCommand::List {
            file,
            json,
            lang,
            password,
        } => list(&file, json, lang.into(), password.password()?.as_ref()),
        AttachmentsCommand::Extract {
            file,
            names,
            output,
            force,
            json,
            password,
        } => extract(
            &file,
            &names,
            &output,
            force,
            json,
            password.password()?.as_ref(),
        ),
    }
}

fn open(
    path: &Path,
    password: Option<&Password>,
) -> Result<(Document<FileSource>, Vec<EmbeddedFile>), Failure> {
    let doc = open_pdf(path, password).map_err(|e| Failure::about(path, e))?;
    let files = list_embedded_files(&doc, doc.last_revision()).map_err(|e| Failure::at(path, e))?;
    Ok((doc, files))
}

fn location(l: EmbeddedLocation, lang: Lang) -> String {
    match l {
        EmbeddedLocation::NameTree => lang.pick("embedded files", "tệp nhúng").to_owned(),
        EmbeddedLocation::AssociatedFile => lang
            .pick("associated file only", "chỉ là tệp liên kết (/AF)")
            .to_owned(),
        EmbeddedLocation::Annotation { page } => match lang {
            Lang::Vi => format!("chú thích trên trang {page}"),
            _ => format!("annotation on page {page}"),
        },
        _ => lang.pick("other", "khác").to_owned(),
    }
}

#[derive(serde::Serialize)]
pub(crate) struct Listed<'a> {
    pub(crate) name: &'a str,
    pub(crate) location: EmbeddedLocation,
    pub(crate) mime_type: Option<&'a str>,
    pub(crate) relationship: Option<&'a str>,
    pub(crate) description: Option<&'a str>,
    pub(crate) declared_size: Option<u64>,
    pub(crate) size: Option<u64>,
    pub(crate) sha256: Option<String>,
    pub(crate) error: Option<String>,
}

fn list(
    path: &Path,
    json: bool,
    lang: Lang,
    password: Option<&Password>,
) -> Result<ExitCode, Failure> {
    let (doc, files) = open(path, password)?;
    let rev = doc.last_revision();
    let mut listed = Vec::new();
    // Each distinct stream is decoded once, however many files share it.
    let contents = embedded_contents(&doc, rev, &files);
    for (f, facts) in files.iter().zip(contents) {
        let (size, sha256, error) = match facts {
            Ok(c) => (Some(c.size), Some(hex(&c.sha256)), None),
            Err(e) => (None, None, Some(e)),
        };
        listed.push(Listed {
            name: &f.name,
            location: f.location,
            mime_type: f.mime_type.as_deref(),
            relationship: f.relationship.as_deref(),
            description: f.description.as_deref(),
            declared_size: f.declared_size,
            size,
            sha256,
            error,
        });
    }
    if json {
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&listed).unwrap_or_default()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    emit(&render_list(path, &listed, lang));
    Ok(ExitCode::SUCCESS)
}

/// `attachments list` as text in `lang`; names, types and descriptions from the document
/// are escaped ([`safe`]).
pub(crate) fn render_list(path: &Path, listed: &[Listed<'_>], lang: Lang) -> String {
    let mut out = format!(
        "{}: {} {}\n",
        safe(&path.display().to_string()),
        listed.len(),
        lang.pick("embedded file(s)", "tệp đính kèm")
    );
    for l in listed {
        let _ = writeln!(out, "{}", safe(l.name));
        let _ = writeln!(
            out,
            "  {} {}, {}, {}{}",
            l.size.map_or_else(|| "?".to_owned(), |s| s.to_string()),
            lang.pick("bytes", "byte"),
            safe(
                l.mime_type
                    .unwrap_or(lang.pick("no MIME type", "không có kiểu MIME"))
            ),
            location(l.location, lang),
            l.relationship
                .map(|r| format!(", {} {}", lang.pick("relationship", "quan hệ"), safe(r)))
                .unwrap_or_default()
        );
        if let Some(s) = &l.sha256 {
            let _ = writeln!(out, "  SHA-256 {}", safe(s));
        }
        if let Some(d) = l.description {
            let _ = writeln!(out, "  {}", safe(d));
        }
        if let Some(e) = &l.error {
            let _ = writeln!(
                out,
                "  {} {}",
                lang.pick("cannot be read:", "không đọc được:"),
                safe(e)
            );
        }
    }
    out
}

/// A name in the output directory for attachment `index` named `name`: its portable form
/// ([`portable_file_name`]), `attachment-N` when nothing usable is left, and ` (2)`, ` (3)`,
/// … before the extension when an earlier attachment took it (compared without case, as
/// Windows and macOS do).
fn file_name_for(name: &str, index: usize, used: &mut Vec<String>) -> String {
    let base = portable_file_name(name).unwrap_or_else(|| format!("attachment-{}", index + 1));
    let (stem, ext) = match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_owned(), format!(".{ext}")),
        _ => (base.clone(), String::new()),
    };
    let mut candidate = base;
    let mut n = 2;
    while used.contains(&candidate.to_lowercase()) {
        candidate = format!("{stem} ({n}){ext}");
        n += 1;
    }
    used.push(candidate.to_lowercase());
    candidate
}

/// One extracted file: the name in the document (exact) and the file written.
#[derive(serde::Serialize)]
struct Extracted {
    name: String,
    file: PathBuf,
    size: u64,
    sha256: String,
}

fn extract(
    path: &Path,
    names: &[String],
    dir: &Path,
    force: bool,
    json: bool,
    password: Option<&Password>,
) -> Result<ExitCode, Failure> {
    let (doc, files) = open(path, password)?;
    for n in names {
        if !files.iter().any(|f| &f.name == n) {
            return Err(Failure::at(
                path,
                format_args!("no attachment named \"{n}\""),
            ));
        }
    }
    // Every output is checked before the first is written.
    let mut used = Vec::new();
    let mut plan = Vec::new();
    for (i, f) in files.iter().enumerate() {
        if !names.is_empty() && !names.contains(&f.name) {
            continue;
        }
        let out = Out::chosen(&dir.join(file_name_for(&f.name, i, &mut used)), force);
        out.check()?;
        plan.push((f, out));
    }
    let mut extracted = Vec::new();
    for (f, out) in plan {
        let facts = extract_to_file(&doc, doc.last_revision(), f, out.target())
            .map_err(|e| Failure::about(path, e))?;
        eprintln!(
            "\"{}\" -> {} ({} bytes)",
            safe(&f.name),
            safe(&out.path().display().to_string()),
            facts.size
        );
        extracted.push(Extracted {
            name: f.name.clone(),
            file: out.path().to_path_buf(),
            size: facts.size,
            sha256: hex(&facts.sha256),
        });
    }
    if json {
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&extracted).unwrap_or_default()
        ));
    }
    Ok(ExitCode::SUCCESS)
}
