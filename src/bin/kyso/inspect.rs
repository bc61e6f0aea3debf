//! `kyso inspect`: the structure a verifier sees, without judging it.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;

use kyso::pdf::{self, Object, Password};
use kyso::report::text::safe;
use kyso::report::Lang;

use crate::output::{emit, Failure};
use crate::verify_args::LangArg;

/// Show a PDF's revisions, signature fields and signatures.
#[derive(clap::Args)]
pub struct InspectArgs {
    /// Print the structure as JSON.
    #[arg(long)]
    json: bool,
    /// Language of the text output and of messages.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
    #[command(flatten)]
    password: crate::password_args::PdfPasswordArgs,
    /// The PDF.
    file: PathBuf,
}

/// What `kyso inspect` shows (`--json`: this, as JSON).
#[derive(Serialize)]
pub(crate) struct Inspection {
    pub file: String,
    /// `major.minor` from the header, when it has one.
    pub pdf_version: Option<String>,
    pub size: u64,
    pub encrypted: bool,
    /// How an encrypted document is encrypted and was opened, with its permissions.
    pub encryption: Option<String>,
    pub revisions: Vec<RevisionInfo>,
    pub pages: usize,
    pub signature_fields: Vec<FieldInfo>,
    pub signature_dictionaries: Vec<DictionaryInfo>,
}

/// One revision: its cross-reference section.
#[derive(Serialize)]
pub(crate) struct RevisionInfo {
    /// Table, stream or hybrid.
    pub xref_kind: String,
    pub xref_offset: u64,
    /// Just past its `%%EOF`.
    pub end: u64,
}

/// One signature field of the last revision.
#[derive(Serialize)]
pub(crate) struct FieldInfo {
    pub name: String,
    /// `empty`, `signed` or `other` (a value that is not a signature dictionary).
    pub state: &'static str,
    /// The signature dictionary, as `num gen R`.
    pub dictionary: Option<String>,
    pub sub_filter: Option<String>,
    /// For `other`: the kind of object the value is.
    pub value_kind: Option<String>,
}

/// One signature dictionary of the last revision.
#[derive(Serialize)]
pub(crate) struct DictionaryInfo {
    pub object: String,
    pub byte_range: Vec<i64>,
}

pub fn run(a: InspectArgs) -> Result<ExitCode, Failure> {
    let lang: Lang = a.lang.into();
    let password = a.password.password()?;
    let found = inspect(&a.file, password.as_ref(), lang)
        .map_err(|e| Failure::about_in(&a.file, e, lang))?;
    if a.json {
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&found).unwrap_or_default()
        ));
    } else {
        emit(&render(&found, lang));
    }
    Ok(ExitCode::SUCCESS)
}

fn inspect(
    path: &Path,
    password: Option<&Password>,
    lang: Lang,
) -> Result<Inspection, kyso::Error> {
    let doc = crate::password_args::open_pdf(path, password)?;
    let revisions = doc
        .revisions()
        .iter()
        .map(|rev| RevisionInfo {
            xref_kind: format!("{:?}", rev.kind),
            xref_offset: rev.xref_offset,
            end: rev.end,
        })
        .collect();
    let last = doc.last_revision();
    let pages = pdf::pages(&doc, last).map(|p| p.len()).unwrap_or(0);
    let mut signature_fields = Vec::new();
    for f in &pdf::signature_fields(&doc, last)? {
        let mut info = FieldInfo {
            name: f.name.clone(),
            state: "empty",
            dictionary: None,
            sub_filter: None,
            value_kind: None,
        };
        match &f.value {
            None => {}
            Some(Object::Reference(r)) => {
                info.state = "signed";
                info.dictionary = Some(r.to_string());
                info.sub_filter = doc.get(last, *r).ok().flatten().and_then(|o| {
                    o.as_dict()
                        .and_then(|d| d.get_name(b"SubFilter"))
                        .map(|n| String::from_utf8_lossy(n).into_owned())
                });
            }
            Some(other) => {
                info.state = "other";
                info.value_kind = Some(other.kind().to_string());
            }
        }
        signature_fields.push(info);
    }
    let signature_dictionaries = pdf::signature_dictionaries(&doc, last)?
        .iter()
        .map(|(r, d)| DictionaryInfo {
            object: r.to_string(),
            byte_range: d
                .get(b"ByteRange")
                .and_then(Object::as_array)
                .map(|a| a.iter().filter_map(Object::as_int).collect())
                .unwrap_or_default(),
        })
        .collect();
    Ok(Inspection {
        file: path.display().to_string(),
        pdf_version: doc.header_version().map(|(a, b)| format!("{a}.{b}")),
        size: doc.len(),
        encrypted: doc.is_encrypted(),
        encryption: doc.encryption().map(|e| e.describe(lang)),
        revisions,
        pages,
        signature_fields,
        signature_dictionaries,
    })
}

/// The inspection as text in `lang`; names from the document are escaped ([`safe`]).
pub(crate) fn render(i: &Inspection, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: PDF {}, {} {}{}",
        safe(&i.file),
        safe(i.pdf_version.as_deref().unwrap_or("?")),
        i.size,
        lang.pick("bytes", "byte"),
        if i.encrypted {
            lang.pick(", encrypted", ", được mã hóa")
        } else {
            ""
        }
    );
    if let Some(e) = &i.encryption {
        let _ = writeln!(out, "{}: {}", lang.pick("encryption", "mã hóa"), safe(e));
    }
    let _ = writeln!(out, "{}", lang.pick("revisions:", "các phiên bản:"));
    for (n, rev) in i.revisions.iter().enumerate() {
        let kind = safe(&rev.xref_kind);
        let (offset, end) = (rev.xref_offset, rev.end);
        let _ = match lang {
            Lang::Vi => writeln!(
                out,
                "  {}: tham chiếu chéo kiểu {kind} tại {offset}, kết thúc tại {end}",
                n + 1
            ),
            _ => writeln!(
                out,
                "  {}: {kind} cross-reference at {offset}, ends at {end}",
                n + 1
            ),
        };
    }
    let _ = writeln!(out, "{} {}", lang.pick("pages:", "số trang:"), i.pages);
    let _ = writeln!(
        out,
        "{} {}",
        lang.pick("signature fields:", "trường chữ ký:"),
        i.signature_fields.len()
    );
    for f in &i.signature_fields {
        let state = match f.state {
            "signed" => format!(
                "{} ({}, {} {})",
                lang.pick("signed", "đã ký"),
                safe(f.sub_filter.as_deref().unwrap_or("?")),
                lang.pick("dictionary", "từ điển chữ ký"),
                safe(f.dictionary.as_deref().unwrap_or("?"))
            ),
            "other" => format!(
                "{} {}",
                lang.pick("value is a", "giá trị là"),
                safe(f.value_kind.as_deref().unwrap_or("?"))
            ),
            _ => lang.pick("empty", "còn trống").to_owned(),
        };
        let _ = writeln!(out, "  {}: {state}", safe(&f.name));
    }
    let _ = writeln!(
        out,
        "{} {}",
        lang.pick("signature dictionaries:", "từ điển chữ ký:"),
        i.signature_dictionaries.len()
    );
    for d in &i.signature_dictionaries {
        let _ = writeln!(out, "  {}: /ByteRange {:?}", safe(&d.object), d.byte_range);
    }
    out
}
