//! `POST /v1/verify/dossier`: a whole dossier in one `multipart/form-data` body, one part per
//! file, each part's file name its path inside the dossier (`kyso-dossier.json`,
//! `kyso-dossier.json.p7s`, `decisions/qd-12.pdf`, …). The files are written to a fresh
//! private directory, verified as `kyso dossier verify` does, and removed, whatever happens.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::engine::{Admission, Outcome};
use super::errors::{ApiError, ErrorCode};
use super::verify::{
    multipart_body, multipart_error, parse_query, read_part, AppState, Parsed, VerifyQuery,
};
use crate::dossier::{
    check_relative_path, nfc, render_dossier, verify_dossier_with, DossierBudget, DossierReport,
};
use crate::report::Indication;

/// Most files in one uploaded dossier.
pub(super) const MAX_DOSSIER_FILES: usize = 10_000;

/// Deepest folder nesting of an uploaded file's path.
const MAX_DOSSIER_DEPTH: usize = 16;

/// Most folders the files of one uploaded dossier may need.
pub(super) const MAX_DOSSIER_FOLDERS: usize = 1_000;

/// A private directory that is removed with everything in it when dropped.
pub(super) struct Scratch(PathBuf);

impl Scratch {
    /// A new private directory under `base`, named `PREFIX-` and random hex.
    pub(super) fn new(base: &Path, prefix: &str) -> std::io::Result<Scratch> {
        let rng = ring::rand::SystemRandom::new();
        for _ in 0..16 {
            let mut bytes = [0u8; 12];
            ring::rand::SecureRandom::fill(&rng, &mut bytes)
                .map_err(|_| std::io::Error::other("no randomness for a directory name"))?;
            let dir = base.join(format!("{prefix}-{}", crate::asn1::hex::encode(&bytes)));
            let mut builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            match builder.create(&dir) {
                Ok(()) => return Ok(Scratch(dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other(
            "could not create a private working directory",
        ))
    }
}

impl Scratch {
    /// The directory, kept on disk (the caller removes it).
    pub(super) fn keep(self) -> PathBuf {
        let mut me = std::mem::ManuallyDrop::new(self);
        std::mem::take(&mut me.0)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The dossier path of one part: its file name, in NFC, checked like a manifest entry.
fn part_path(file_name: Option<&str>) -> Result<String, ApiError> {
    let bad = |m: String| ApiError::new(ErrorCode::BadMultipart, m);
    let Some(name) = file_name else {
        return Err(bad(
            "every part needs a file name: its path inside the dossier (filename=\"decisions/qd-12.pdf\")"
                .into(),
        ));
    };
    let path = nfc(name).into_owned();
    check_relative_path(&path).map_err(|why| bad(format!("file name {name:?}: {why}")))?;
    if path.split('/').count() > MAX_DOSSIER_DEPTH {
        return Err(bad(format!(
            "file name {name:?}: more than {MAX_DOSSIER_DEPTH} folders deep"
        )));
    }
    Ok(path)
}

/// Writes the uploaded files under `root`; refuses a path that is both a file and a folder.
fn write_files(root: &Path, files: &[(String, Vec<u8>)]) -> Result<(), ApiError> {
    for (path, data) in files {
        let target = root.join(path);
        let failed = |e: std::io::Error| {
            let why = match e.kind() {
                std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::NotADirectory => {
                    "is both a file and a folder of the dossier".to_owned()
                }
                std::io::ErrorKind::InvalidFilename => {
                    "cannot be a file name here (a part of it is too long)".to_owned()
                }
                kind => format!("could not be stored for checking ({kind})"),
            };
            ApiError::new(ErrorCode::BadMultipart, format!("file name {path:?} {why}"))
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(failed)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
            .map_err(failed)?;
        f.write_all(data).map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("the dossier could not be stored for checking: {e}"),
            )
        })?;
    }
    Ok(())
}

fn dossier_verdict(r: &DossierReport) -> &'static str {
    match r.indication {
        Indication::TotalPassed => "passed",
        Indication::TotalFailed => "failed",
        _ => "indeterminate",
    }
}

/// `POST /v1/verify/dossier`.
pub(super) async fn verify_dossier_upload(
    State(state): State<AppState>,
    Extension(admission): Extension<Admission>,
    query: Result<Query<VerifyQuery>, QueryRejection>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Parsed {
        options,
        lang,
        text,
        visual,
    } = match parse_query(&state.options, query, state.shared.limits.request_timeout) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let visual = match super::verify::visual_for(&state, visual) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let deadline = std::time::Instant::now() + state.shared.limits.request_timeout;
    let mut multipart = match multipart_body(multipart) {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let max = state.shared.limits.max_body;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut folders = BTreeSet::new();
    let mut bytes_in = 0u64;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return multipart_error(&e).into_response(),
        };
        if files.len() >= MAX_DOSSIER_FILES {
            return ApiError::new(
                ErrorCode::TooLarge,
                format!("a dossier of more than {MAX_DOSSIER_FILES} files"),
            )
            .into_response();
        }
        let path = match part_path(field.file_name()) {
            Ok(p) => p,
            Err(e) => return e.into_response(),
        };
        let mut parent = path.as_str();
        while let Some((up, _)) = parent.rsplit_once('/') {
            if !folders.insert(up.to_owned()) {
                break;
            }
            parent = up;
        }
        if folders.len() > MAX_DOSSIER_FOLDERS {
            return ApiError::new(
                ErrorCode::TooLarge,
                format!("a dossier of more than {MAX_DOSSIER_FOLDERS} folders"),
            )
            .into_response();
        }
        if !seen.insert(path.clone()) {
            return ApiError::new(
                ErrorCode::BadMultipart,
                format!("file name {path:?} is given twice"),
            )
            .into_response();
        }
        let data = match read_part(&mut field, max).await {
            Ok(d) => d,
            Err(e) => return e.into_response(),
        };
        bytes_in += data.len() as u64;
        files.push((path, data));
    }
    if files.is_empty() {
        return ApiError::new(ErrorCode::BadMultipart, "the dossier has no file").into_response();
    }
    let work_dir = state.work_dir.clone();
    let request_timeout = state.shared.limits.request_timeout;
    let result = state
        .shared
        .run_blocking(&admission, move || {
            let scratch = Scratch::new(&work_dir, "dossier").map_err(|e| {
                ApiError::new(
                    ErrorCode::Internal,
                    format!("the dossier could not be stored for checking: {e}"),
                )
            })?;
            write_files(&scratch.0, &files)?;
            drop(files);
            let budget = DossierBudget {
                deadline: Some(request_timeout),
                ..DossierBudget::default()
            };
            // The error names the working directory: not for the caller.
            let mut report = verify_dossier_with(&scratch.0, &options, &budget).map_err(|_| {
                ApiError::new(
                    ErrorCode::UnreadableDocument,
                    "the uploaded dossier could not be listed",
                )
            })?;
            // Each PDF compared as rendered when the request gets the comparison, while its
            // file is still in the working directory.
            if let Some(v) = visual {
                for f in &mut report.files {
                    let Ok(bytes) = std::fs::read(scratch.0.join(&f.path)) else {
                        continue;
                    };
                    for sig in &mut f.signatures {
                        if sig.format == crate::report::DocumentFormat::Pdf {
                            super::verify::compare_visually(
                                &bytes,
                                &mut sig.report,
                                &v,
                                lang,
                                deadline,
                            );
                        }
                    }
                }
                report.signatures_changed();
            }
            // The working directory is the service's business, not the caller's.
            report.directory = "(uploaded)".into();
            Ok::<_, ApiError>(report)
        })
        .await
        .and_then(|r| r);
    match result {
        Ok(report) => {
            let v = dossier_verdict(&report);
            state.shared.metrics.verdict(v);
            let mut r = if text {
                (
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    render_dossier(&report, lang),
                )
                    .into_response()
            } else {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    report.to_json(),
                )
                    .into_response()
            };
            r.extensions_mut().insert(Outcome {
                verdict: Some(v),
                bytes_in,
            });
            r
        }
        Err(e) => {
            if e.code == ErrorCode::UnreadableDocument {
                state.shared.metrics.verdict("unreadable");
            }
            e.into_response()
        }
    }
}
