//! `kyso attachments list|extract`: the files embedded in a PDF.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kyso::dossier::{
    embedded_contents, extract_to_file, is_safe_file_name, list_embedded_files, EmbeddedFile,
};
use kyso::pdf::{Document, FileSource};
use kyso::report::EmbeddedLocation;

use crate::output::{emit, Failure};

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
        /// Replace existing files.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(a: AttachmentsArgs) -> Result<ExitCode, Failure> {
    match a.command {
        AttachmentsCommand::List { file, json } => list(&file, json),
        AttachmentsCommand::Extract {
            file,
            names,
            output,
            force,
        } => extract(&file, &names, &output, force),
    }
}

fn open(path: &Path) -> Result<(Document<FileSource>, Vec<EmbeddedFile>), Failure> {
    let source = FileSource::open(path).map_err(|e| Failure::at(path, e))?;
    let doc = Document::open(source).map_err(|e| Failure::at(path, e))?;
    let files = list_embedded_files(&doc, doc.last_revision()).map_err(|e| Failure::at(path, e))?;
    Ok((doc, files))
}

fn location(l: EmbeddedLocation) -> String {
    match l {
        EmbeddedLocation::NameTree => "embedded files".to_owned(),
        EmbeddedLocation::AssociatedFile => "associated file only".to_owned(),
        EmbeddedLocation::Annotation { page } => format!("annotation on page {page}"),
        _ => "other".to_owned(),
    }
}

#[derive(serde::Serialize)]
struct Listed<'a> {
    name: &'a str,
    location: EmbeddedLocation,
    mime_type: Option<&'a str>,
    relationship: Option<&'a str>,
    description: Option<&'a str>,
    declared_size: Option<u64>,
    size: Option<u64>,
    sha256: Option<String>,
    error: Option<String>,
}

fn list(path: &Path, json: bool) -> Result<ExitCode, Failure> {
    let (doc, files) = open(path)?;
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
    let mut out = format!("{}: {} embedded file(s)\n", path.display(), listed.len());
    for l in &listed {
        let _ = writeln!(out, "{}", l.name);
        let _ = writeln!(
            out,
            "  {} bytes, {}, {}{}",
            l.size.map_or_else(|| "?".to_owned(), |s| s.to_string()),
            l.mime_type.unwrap_or("no MIME type"),
            location(l.location),
            l.relationship
                .map(|r| format!(", relationship {r}"))
                .unwrap_or_default()
        );
        if let Some(s) = &l.sha256 {
            let _ = writeln!(out, "  SHA-256 {s}");
        }
        if let Some(d) = l.description {
            let _ = writeln!(out, "  {d}");
        }
        if let Some(e) = &l.error {
            let _ = writeln!(out, "  cannot be read: {e}");
        }
    }
    emit(&out);
    Ok(ExitCode::SUCCESS)
}

/// A file name for `name` that stays inside the output directory.
fn safe_name(name: &str, index: usize) -> String {
    if is_safe_file_name(name) {
        return name.to_owned();
    }
    let cleaned: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect();
    if is_safe_file_name(&cleaned) {
        cleaned
    } else {
        format!("attachment-{}", index + 1)
    }
}

fn extract(path: &Path, names: &[String], dir: &Path, force: bool) -> Result<ExitCode, Failure> {
    let (doc, files) = open(path)?;
    for n in names {
        if !files.iter().any(|f| &f.name == n) {
            return Err(Failure::at(
                path,
                format_args!("no attachment named \"{n}\""),
            ));
        }
    }
    let mut used: Vec<String> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        if !names.is_empty() && !names.contains(&f.name) {
            continue;
        }
        let base = safe_name(&f.name, i);
        let mut name = base.clone();
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{base} ({n})");
            n += 1;
        }
        used.push(name.clone());
        let target = dir.join(&name);
        let facts = extract_to_file(&doc, doc.last_revision(), f, &target, force)
            .map_err(|e| Failure::at(path, e))?;
        eprintln!("{} -> {} ({} bytes)", f.name, target.display(), facts.size);
    }
    Ok(ExitCode::SUCCESS)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
