//! `kyso form`: list a PDF form's fields, fill them from JSON data, flatten an unsigned form.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use kyso::draw::FontSource;
use kyso::form::{
    fill_file, flatten_file_with_password, list_fields, FieldKind, FieldValue, FillOptions,
    FormField, FormValues, MAX_DATA_BYTES,
};
use kyso::report::text::{quoted, safe};
use kyso::report::Lang;

use crate::output::{emit, Failure};
use crate::writes::{Out, FORCE_HELP};

/// Electronic forms: list fields, fill them from data, flatten.
#[derive(clap::Args)]
pub struct FormArgs {
    #[command(subcommand)]
    command: FormCommand,
}

#[derive(clap::Subcommand)]
enum FormCommand {
    /// List the form's fields: full name, kind, value, options, flags.
    List(ListArgs),
    /// Fill the form from a JSON object of field names to values (by incremental update).
    Fill(FillArgs),
    /// Draw the fields into the pages and remove them (unsigned documents only).
    Flatten(FlattenArgs),
}

#[derive(clap::Args)]
struct ListArgs {
    /// The PDF.
    input: PathBuf,
    /// Print JSON (an array of fields).
    #[arg(long)]
    json: bool,
    /// Language of the text output.
    #[arg(long, value_enum, default_value_t = crate::verify_args::LangArg::En)]
    lang: crate::verify_args::LangArg,
    #[command(flatten)]
    password: crate::password_args::PdfPasswordArgs,
}

#[derive(clap::Args)]
struct FillArgs {
    /// The PDF form (never modified).
    input: PathBuf,
    /// JSON data: {"field.name": "text", "check_box": true, "list": ["a", "b"]}; `-` reads
    /// standard input.
    data: PathBuf,
    /// Where to write the filled PDF.
    #[arg(short, long)]
    output: PathBuf,
    /// TrueType/OpenType font to draw the values with (default: DejaVu Serif, built in).
    #[arg(long)]
    font: Option<PathBuf>,
    #[arg(long, help = FORCE_HELP)]
    force: bool,
    #[command(flatten)]
    password: crate::password_args::PdfPasswordArgs,
}

#[derive(clap::Args)]
struct FlattenArgs {
    /// The PDF (never modified; refused when signed).
    input: PathBuf,
    /// Where to write the flattened PDF.
    #[arg(short, long)]
    output: PathBuf,
    #[arg(long, help = FORCE_HELP)]
    force: bool,
    #[command(flatten)]
    password: crate::password_args::PdfPasswordArgs,
}

pub fn run(a: FormArgs) -> Result<ExitCode, Failure> {
    match a.command {
        FormCommand::List(l) => list(l),
        FormCommand::Fill(f) => fill(f),
        FormCommand::Flatten(f) => flatten(f),
    }
}

fn list(a: ListArgs) -> Result<ExitCode, Failure> {
    let lang: Lang = a.lang.into();
    let doc = crate::password_args::open_pdf(&a.input, a.password.password()?.as_ref())
        .map_err(|e| Failure::about_in(&a.input, e, lang))?;
    let fields = list_fields(&doc).map_err(|e| Failure::about_in(&a.input, e, lang))?;
    if a.json {
        let text = serde_json::to_string_pretty(&fields).map_err(|e| Failure::at(&a.input, e))?;
        emit(&format!("{text}\n"));
    } else if fields.is_empty() {
        emit(lang.pick("no form fields\n", "không có trường biểu mẫu\n"));
    } else {
        let mut out = String::new();
        for f in &fields {
            out.push_str(&describe(f, lang));
            out.push('\n');
        }
        emit(&out);
    }
    Ok(ExitCode::SUCCESS)
}

/// The kind of field in `lang`.
fn kind_in(kind: FieldKind, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => match kind {
            FieldKind::Text => "văn bản",
            FieldKind::CheckBox => "ô đánh dấu",
            FieldKind::RadioGroup => "nhóm lựa chọn",
            FieldKind::ComboBox => "danh sách thả xuống",
            FieldKind::ListBox => "danh sách",
            FieldKind::Signature => "chữ ký",
            _ => "trường",
        },
        _ => kind.describe(),
    }
}

/// One line in `lang`: `name (kind; flags; options): value`.
pub(crate) fn describe(f: &FormField, lang: Lang) -> String {
    let mut facts = vec![kind_in(f.kind, lang).to_string()];
    let flags = &f.flags;
    for (on, en, vi) in [
        (flags.read_only, "read-only", "chỉ đọc"),
        (flags.required, "required", "bắt buộc"),
        (flags.multiline, "multi-line", "nhiều dòng"),
        (flags.comb, "comb", "ô chia ký tự"),
        (flags.password, "password", "mật khẩu"),
        (flags.rich_text, "rich text", "văn bản định dạng"),
        (flags.editable, "editable", "cho phép nhập"),
        (flags.multi_select, "multi-select", "chọn nhiều"),
        (
            flags.no_toggle_to_off,
            "one always on",
            "luôn có một lựa chọn",
        ),
    ] {
        if on {
            facts.push(lang.pick(en, vi).to_string());
        }
    }
    if let Some(m) = f.max_len {
        facts.push(match lang {
            Lang::Vi => format!("tối đa {m} ký tự"),
            _ => format!("max {m} characters"),
        });
    }
    if !f.options.is_empty() {
        let opts: Vec<String> = f
            .options
            .iter()
            .map(|o| {
                if o.export == o.display {
                    quoted(&o.export)
                } else {
                    format!("{} ({})", quoted(&o.export), safe(&o.display))
                }
            })
            .collect();
        let label = match f.kind {
            FieldKind::CheckBox | FieldKind::RadioGroup => {
                lang.pick("export values", "giá trị xuất")
            }
            _ => lang.pick("options", "các lựa chọn"),
        };
        facts.push(format!("{label} {}", opts.join(", ")));
    }
    if let Some(by) = &f.locked_by {
        facts.push(format!(
            "{} {}",
            lang.pick("locked by", "bị khóa bởi"),
            quoted(by)
        ));
    }
    let value = match (&f.kind, &f.value) {
        (FieldKind::Signature, _) => {
            if f.signed {
                lang.pick("signed", "đã ký").to_string()
            } else {
                lang.pick("not signed", "chưa ký").to_string()
            }
        }
        (_, None) => lang.pick("(empty)", "(trống)").to_string(),
        (_, Some(FieldValue::Text(t))) => quoted(t),
        (_, Some(FieldValue::Bool(b))) => if *b {
            lang.pick("on", "bật")
        } else {
            lang.pick("off", "tắt")
        }
        .to_string(),
        (_, Some(FieldValue::List(l))) => {
            let items: Vec<String> = l.iter().map(|i| quoted(i)).collect();
            format!("[{}]", items.join(", "))
        }
        (_, Some(_)) => lang.pick("(a value)", "(có giá trị)").to_string(),
    };
    format!("{} ({}): {value}", safe(&f.name), facts.join("; "))
}

fn fill(a: FillArgs) -> Result<ExitCode, Failure> {
    let out = Out::named(&a.output, a.force);
    out.check()?;
    let data = if a.data.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(MAX_DATA_BYTES as u64 + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Failure(format!("standard input: {e}")))?;
        buf
    } else {
        let meta = std::fs::metadata(&a.data).map_err(|e| Failure::at(&a.data, e))?;
        if meta.len() > MAX_DATA_BYTES as u64 {
            return Err(Failure::at(
                &a.data,
                format!(
                    "{} bytes is more than the limit of {MAX_DATA_BYTES}",
                    meta.len()
                ),
            ));
        }
        std::fs::read(&a.data).map_err(|e| Failure::at(&a.data, e))?
    };
    let values = FormValues::from_json(&data).map_err(|e| Failure::at(&a.data, e))?;
    let mut opts = FillOptions::new();
    opts.document_password = a.password.password()?;
    if let Some(font) = a.font {
        opts = opts.font(FontSource::file(font));
    }
    let summary = match fill_file(&a.input, out.target(), &values, &opts) {
        Ok(s) => s,
        // Problems with the data are about the data file.
        Err(e @ kyso::Error::Form(kyso::form::FormError::Rejected { .. })) => {
            return Err(Failure::at(&a.data, e))
        }
        Err(e) => return Err(Failure::about(&a.input, e)),
    };
    eprintln!(
        "filled {} field(s), {} appearance stream(s) -> {}",
        summary.fields.len(),
        summary.appearances,
        a.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn flatten(a: FlattenArgs) -> Result<ExitCode, Failure> {
    let out = Out::named(&a.output, a.force);
    let password = a.password.password()?;
    let summary = flatten_file_with_password(&a.input, out.target(), password.as_ref())
        .map_err(|e| Failure::about(&a.input, e))?;
    eprintln!(
        "flattened {} field(s): {} appearance(s) drawn into the pages ({} drawn from values), \
         {} widget(s) removed without drawing -> {}",
        summary.fields,
        summary.drawn,
        summary.generated,
        summary.not_drawn,
        a.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
