//! `kyso verify`: one file, many files or directories (verified on all cores).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use kyso::report::{render_text_in, Lang, VerificationReport};
use kyso::verify::batch::{batch_with_progress, pdf_files_in, BatchItem, BatchSummary};

use crate::output::{emit, report_failure, Failure};
use crate::verify_args::{LangArg, VerifyOptionArgs};

/// Verify every signature of one or more PDFs.
#[derive(clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    verify: VerifyOptionArgs,
    #[command(flatten)]
    password: crate::password_args::PdfPasswordArgs,
    /// Language of the text report and of messages.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
    /// Print the report as JSON (an array when several files are given).
    #[arg(long, conflicts_with = "jsonl")]
    json: bool,
    /// Print one JSON report per line, in input order (a file that could not be processed
    /// gets a line {"file": …, "error": …}).
    #[arg(long)]
    jsonl: bool,
    /// Worker threads for many files (default: one per core).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Also render each signed revision and the final document and compare them page by
    /// page: regions that look different are reported, attributed to the later signature,
    /// field or annotation that explains them, or marked unexplained (visual.* findings).
    #[arg(long)]
    visual: bool,
    /// Like --visual, and write into DIR one PNG per changed page and signature: the signed
    /// revision, the page now, and the differences outlined (legend in --lang).
    #[arg(long, value_name = "DIR")]
    visual_diff: Option<PathBuf>,
    /// With --visual-diff: replace existing pictures (never an input, never through a
    /// symbolic link).
    #[arg(long, requires = "visual_diff")]
    force: bool,
    /// PDFs to verify, or directories whose *.pdf files (recursively) are verified. A file
    /// that cannot be processed is reported on standard error and left out of the output;
    /// the others are still verified (exit code 2). With several files, a summary line
    /// (valid / invalid / indeterminate / errors) goes to standard error, except with --json.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(a: VerifyArgs) -> Result<ExitCode, Failure> {
    let lang: Lang = a.lang.into();
    let mut opts = a.verify.options(lang)?;
    opts.password = a.password.password()?;
    let mut files = Vec::new();
    let mut expanded = false;
    for f in &a.files {
        if f.is_dir() {
            files.extend(pdf_files_in(f).map_err(|e| Failure::about_in(f, e, lang))?);
            expanded = true;
        } else {
            files.push(f.clone());
        }
    }
    if files.is_empty() {
        return Err(Failure(format!(
            "{} {}",
            lang.pick("no PDF file under", "không có tệp PDF nào trong"),
            a.files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let pool = match a.jobs {
        Some(n) if files.len() > 1 => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build()
                .map_err(|e| Failure(format!("cannot start {n} worker threads: {e}")))?,
        ),
        _ => None,
    };
    let bar = progress_bar(files.len(), &a);
    let done = |_: &BatchItem| bar.inc(1);
    let mut summary = BatchSummary::default();
    // Kept only for --json, whose output is one document.
    let mut kept: Vec<VerificationReport> = Vec::new();
    let mut all_passed = true;
    // A picture that could not be written (exit code 2, as a file that could not be processed).
    let mut visual_failed = false;
    // Asked for, or under a policy that enables it (`etsi-visual`, required then).
    let mut visual = (a.visual || a.visual_diff.is_some() || opts.policy.visual).then(|| {
        crate::verify_visual::VisualRun::new(
            a.visual_diff.as_deref(),
            a.force,
            lang,
            opts.password.clone(),
            opts.policy.visual,
        )
    });
    // Files go through in slices, each verified in parallel and written out in input order
    // before the next starts: memory stays bounded however many files there are.
    for slice in files.chunks(SLICE) {
        let result = match &pool {
            Some(p) => p.install(|| batch_with_progress(slice, &opts, &done)),
            None => batch_with_progress(slice, &opts, &done),
        };
        let mut out = String::new();
        for item in result.items {
            summary.add(item.outcome());
            match item.result {
                Ok(mut r) => {
                    if let Some(v) = &mut visual {
                        visual_failed |= !bar.suspend(|| v.run(&item.path, &mut r));
                    }
                    all_passed &= r.all_passed();
                    if a.jsonl {
                        out.push_str(&serde_json::to_string(&r).unwrap_or_default());
                        out.push('\n');
                    } else if a.json {
                        kept.push(r);
                    } else {
                        out.push_str(&render_text_in(&r, lang));
                    }
                }
                Err(e) => {
                    let message = Failure::about_in(&item.path, e, lang).0;
                    bar.suspend(|| report_failure(&message));
                    if a.jsonl {
                        let line = serde_json::json!({
                            "file": item.path.display().to_string(),
                            "error": message,
                        });
                        out.push_str(&line.to_string());
                        out.push('\n');
                    }
                }
            }
        }
        bar.suspend(|| emit(&out));
    }
    bar.finish_and_clear();
    if a.json {
        // One file: its report as an object; several: an array of those processed.
        let out = match (files.len(), expanded, kept.first()) {
            (1, false, Some(r)) => Some(r.to_json()),
            (1, false, None) => None,
            _ => Some(serde_json::to_string_pretty(&kept).unwrap_or_default()),
        };
        if let Some(out) = out {
            emit(&format!("{out}\n"));
        }
    }
    if !a.json && (files.len() > 1 || expanded) {
        match lang {
            Lang::Vi => eprintln!(
                "kyso: {} tệp: {} hợp lệ, {} không hợp lệ, {} chưa xác định, {} lỗi",
                summary.files,
                summary.valid,
                summary.invalid,
                summary.indeterminate,
                summary.errors
            ),
            _ => eprintln!("kyso: {summary}"),
        }
    }
    if summary.errors > 0 || visual_failed {
        return Ok(ExitCode::from(2));
    }
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Files verified (in parallel) before their reports are written out.
const SLICE: usize = 256;

/// A bar on standard error when it is a terminal, there are several files and the output is
/// not one JSON document; hidden otherwise.
fn progress_bar(len: usize, a: &VerifyArgs) -> indicatif::ProgressBar {
    if len < 2 || a.json || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} files, {elapsed} elapsed, about {eta} left",
    ) {
        bar.set_style(style);
    }
    bar
}
