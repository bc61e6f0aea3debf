//! The verification service: `POST /v1/verify` (PDF or `.p7m`), `POST /v1/verify/detached`
//! (`.p7s` + file), `POST /v1/verify/batch`, health, readiness,
//! metrics and the OpenAPI document.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::multipart::{Field, Multipart, MultipartError, MultipartRejection};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use tower_http::timeout::RequestBodyTimeoutLayer;

use super::engine::{self, Admission, Outcome, Running, Shared};
use super::errors::{body_error, body_status_error, ApiError, ErrorCode, ServeError};
use super::{openapi, Limits};
use crate::dossier::{verify_detached_bytes, verify_enveloping_bytes};
use crate::pki::RevocationMode;
use crate::report::{render_text_in, Indication, Lang, VerificationReport};
use crate::verify::{verify_bytes, VerifyOptions};

/// The verification service: the options every request starts from (trust anchors,
/// intermediates, revocation data and policy, network fetching and its policy, budgets) and
/// the limits. Each request may change the validation time, the revocation mode and the
/// language of messages; nothing else about trust comes from a request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifyService {
    /// Options every request starts from.
    pub options: VerifyOptions,
    /// Limits.
    pub limits: Limits,
    /// Where an uploaded dossier is written while it is checked (a private directory per
    /// request, removed afterwards); `None`: the system's temporary directory.
    pub work_dir: Option<std::path::PathBuf>,
    /// The visual comparison on `POST /v1/verify` (feature `visual`); `None`: not offered.
    #[cfg(feature = "visual")]
    pub visual: Option<ServeVisual>,
}

/// When `POST /v1/verify` compares the signed revisions visually (feature `visual`).
#[cfg(feature = "visual")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VisualMode {
    /// When the request asks (`visual=true`).
    OnRequest,
    /// For every PDF; a request cannot turn it off (`visual=false` is refused), as under a
    /// policy that enables it ([`crate::verify::Policy::visual`]).
    Always,
}

/// The service's visual comparison: when, and with which budgets and renderer process.
#[cfg(feature = "visual")]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServeVisual {
    /// When.
    pub mode: VisualMode,
    /// Budgets and the renderer's process; the service sets the language per request, makes
    /// no pictures, and shortens the time budget to what is left of the request's.
    pub options: crate::visual::VisualOptions,
}

impl VerifyService {
    /// A service verifying with `options`, with [`Limits::default`].
    pub fn new(options: VerifyOptions) -> Self {
        VerifyService {
            options,
            limits: Limits::default(),
            work_dir: None,
            #[cfg(feature = "visual")]
            visual: None,
        }
    }

    /// Offers the visual comparison on `POST /v1/verify` ([`VisualMode`]). The renderer must
    /// run in a child process ([`crate::visual::Isolation::Process`]): a service refuses to
    /// start with it on a thread, where a hostile page could keep a core busy and take the
    /// service's memory.
    #[cfg(feature = "visual")]
    pub fn visual(mut self, mode: VisualMode, options: crate::visual::VisualOptions) -> Self {
        self.visual = Some(ServeVisual { mode, options });
        self
    }

    /// Writes uploaded dossiers under `dir` while they are checked (see
    /// [`VerifyService::work_dir`]).
    pub fn work_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.work_dir = Some(dir.into());
        self
    }

    /// Sets the limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Listens on `listen` and serves on a thread of its own until
    /// [`Running::shutdown`] (or a signal, with [`Running::wait_for_signal`]).
    pub fn start(self, listen: SocketAddr) -> Result<Running, ServeError> {
        let visual = self.checked_visual()?;
        let shared = Shared::new(self.limits.clone());
        let options = Arc::new(self.options);
        // The service's own private directory under the work directory: dossiers are checked
        // in folders inside it, and it goes when the service stops, with whatever a request
        // cut off at the stop left there.
        let base = self.work_dir.unwrap_or_else(std::env::temp_dir);
        let work_dir = super::dossier::Scratch::new(&base, "kyso-serve")
            .map_err(|e| {
                ServeError::Config(format!(
                    "cannot create a private working directory in {}: {e}",
                    base.display()
                ))
            })?
            .keep();
        shared.remove_at_stop(work_dir.clone());
        let work_dir = Arc::new(work_dir);
        let for_router = shared.clone();
        let created = work_dir.to_path_buf();
        engine::spawn(
            listen,
            move |_| router(options, work_dir, visual, for_router),
            shared,
        )
        .inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&created);
        })
    }
}

impl VerifyService {
    /// The visual comparison as configured, refused when it could not be honoured safely or
    /// when the policy asks for it and it is not configured (fail closed).
    fn checked_visual(&self) -> Result<Option<Arc<VisualSetting>>, ServeError> {
        #[cfg(feature = "visual")]
        {
            match &self.visual {
                Some(v) => {
                    if matches!(v.options.isolation, crate::visual::Isolation::Thread) {
                        return Err(ServeError::Config(
                            "the visual comparison needs the renderer in a child process \
                             (kyso::visual::Isolation::Process) in a service"
                                .into(),
                        ));
                    }
                    let mut v = v.clone();
                    if self.options.policy.visual {
                        v.mode = VisualMode::Always;
                    }
                    Ok(Some(Arc::new(v)))
                }
                None if self.options.policy.visual => Err(ServeError::Config(format!(
                    "the policy \"{}\" asks for the visual comparison: configure it with \
                     VerifyService::visual (kyso serve verify --visual)",
                    self.options.policy.name
                ))),
                None => Ok(None),
            }
        }
        #[cfg(not(feature = "visual"))]
        {
            if self.options.policy.visual {
                return Err(ServeError::Config(format!(
                    "the policy \"{}\" asks for the visual comparison, which this build of \
                     kyso does not have (feature visual)",
                    self.options.policy.name
                )));
            }
            Ok(None)
        }
    }
}

/// The visual comparison's setting as the routes read it.
#[cfg(feature = "visual")]
pub(super) type VisualSetting = ServeVisual;
/// Without the feature there is none.
#[cfg(not(feature = "visual"))]
pub(super) type VisualSetting = ();

#[derive(Clone)]
pub(super) struct AppState {
    pub(super) shared: Arc<Shared>,
    pub(super) options: Arc<VerifyOptions>,
    pub(super) work_dir: Arc<std::path::PathBuf>,
    pub(super) visual: Option<Arc<VisualSetting>>,
}

fn router(
    options: Arc<VerifyOptions>,
    work_dir: Arc<std::path::PathBuf>,
    visual: Option<Arc<VisualSetting>>,
    shared: Arc<Shared>,
) -> Router {
    let state = AppState {
        shared: shared.clone(),
        options,
        work_dir,
        visual,
    };
    let limits = &shared.limits;
    let work = Router::new()
        .route(
            "/v1/verify",
            post(verify_one)
                .layer(DefaultBodyLimit::max(limits.max_body))
                .layer(axum::middleware::from_fn_with_state(
                    engine::Gate::new(&shared, limits.max_body),
                    engine::admit,
                )),
        )
        .route(
            "/v1/verify/detached",
            post(verify_detached)
                .layer(DefaultBodyLimit::max(limits.max_body.saturating_mul(2)))
                .layer(axum::middleware::from_fn_with_state(
                    engine::Gate::new(&shared, limits.max_body.saturating_mul(2)).copying(),
                    engine::admit,
                )),
        )
        .route(
            "/v1/verify/dossier",
            post(super::dossier::verify_dossier_upload)
                .layer(DefaultBodyLimit::max(limits.max_batch_body))
                .layer(axum::middleware::from_fn_with_state(
                    engine::Gate::new(&shared, limits.max_batch_body).copying(),
                    engine::admit,
                )),
        )
        .route(
            "/v1/verify/batch",
            post(verify_batch)
                .layer(DefaultBodyLimit::max(limits.max_batch_body))
                .layer(axum::middleware::from_fn_with_state(
                    engine::Gate::new(&shared, limits.max_batch_body).copying(),
                    engine::admit,
                )),
        );
    Router::new()
        .merge(work)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi_document))
        .fallback(engine::not_found)
        .layer(RequestBodyTimeoutLayer::new(limits.body_idle_timeout))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            engine::observe,
        ))
        .with_state(state)
}

/// Query options of the verifying routes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VerifyQuery {
    /// Validation time: RFC 3339, or a date (the start of that day in UTC).
    at: Option<String>,
    /// `require`, `if-available` or `off`.
    revocation: Option<String>,
    /// `en` or `vi`: the language of messages and of the text rendering.
    lang: Option<String>,
    /// `json` (default) or `text`.
    format: Option<String>,
    /// `true` or `false`: the visual comparison (`POST /v1/verify`, when the service offers
    /// it).
    visual: Option<String>,
}

pub(super) struct Parsed {
    pub(super) options: VerifyOptions,
    pub(super) lang: Lang,
    pub(super) text: bool,
    /// What the request said about the visual comparison.
    pub(super) visual: Option<bool>,
}

fn parse_lang(s: Option<&str>) -> Result<Lang, ApiError> {
    match s {
        None | Some("en") => Ok(Lang::En),
        Some("vi") => Ok(Lang::Vi),
        Some(other) => Err(ApiError::new(
            ErrorCode::BadQuery,
            format!("lang={other:?}: expected en or vi"),
        )),
    }
}

/// `at`: RFC 3339, or `YYYY-MM-DD` meaning 00:00:00 UTC that day.
fn parse_at(s: &str) -> Result<OffsetDateTime, ApiError> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &format)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| {
            ApiError::new(
                ErrorCode::BadQuery,
                format!(
                    "at={s:?}: expected an RFC 3339 time (2026-11-26T10:00:00+07:00) or a date \
                     (2026-11-26)"
                ),
            )
        })
}

pub(super) fn parse_query(
    base: &VerifyOptions,
    q: Result<Query<VerifyQuery>, QueryRejection>,
    request_timeout: std::time::Duration,
) -> Result<Parsed, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::new(ErrorCode::BadQuery, e.body_text()))?;
    let lang = parse_lang(q.lang.as_deref())?;
    let mut options = base.clone();
    // No document's verification outlives its request: work that cannot be interrupted from
    // outside stops at its own deadline (and holds its place until then).
    let deadline = &mut options.document_budget.deadline;
    *deadline = Some(deadline.map_or(request_timeout, |d| d.min(request_timeout)));
    if let Some(at) = &q.at {
        options.validation_time = Some(parse_at(at)?);
    }
    if let Some(r) = &q.revocation {
        let mode = RevocationMode::parse(r).ok_or_else(|| {
            ApiError::new(
                ErrorCode::BadQuery,
                format!("revocation={r:?}: expected require, if-available or off"),
            )
        })?;
        // A request may make revocation checking stricter than the service's setting,
        // never weaker: a submitter whose query string a portal forwards must not turn
        // `--revocation require` off.
        let strength = |m: RevocationMode| match m {
            RevocationMode::Require => 2,
            RevocationMode::IfAvailable => 1,
            _ => 0,
        };
        let service = &base.validation.revocation;
        for (role, current) in [
            ("signers", service.end_entity),
            ("intermediates", service.intermediates),
        ] {
            if strength(mode) < strength(current) {
                return Err(ApiError::new(
                    ErrorCode::BadQuery,
                    format!(
                        "revocation={r:?} is weaker than the service's setting for {role} \
                         ({}); a request may only make revocation checking stricter",
                        current.as_str()
                    ),
                ));
            }
        }
        options.validation.revocation.end_entity = mode;
        options.validation.revocation.intermediates = mode;
    }
    let text = match q.format.as_deref() {
        None | Some("json") => false,
        Some("text") => true,
        Some(other) => {
            return Err(ApiError::new(
                ErrorCode::BadQuery,
                format!("format={other:?}: expected json or text"),
            ))
        }
    };
    let visual = match q.visual.as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(ApiError::new(
                ErrorCode::BadQuery,
                format!("visual={other:?}: expected true or false"),
            ))
        }
    };
    Ok(Parsed {
        options,
        lang,
        text,
        visual,
    })
}

/// The service's visual setting when the request gets the comparison ([`wants_visual`]).
pub(super) fn visual_for(
    state: &AppState,
    asked: Option<bool>,
) -> Result<Option<Arc<VisualSetting>>, ApiError> {
    Ok(wants_visual(state.visual.as_deref(), asked)?
        .then(|| state.visual.clone())
        .flatten())
}

/// Whether a request on `POST /v1/verify` gets the visual comparison: what it asks within
/// what the service offers; a request may not turn off a comparison the service always
/// makes, nor ask for one it does not offer.
fn wants_visual(service: Option<&VisualSetting>, asked: Option<bool>) -> Result<bool, ApiError> {
    #[cfg(feature = "visual")]
    let always = service.map(|v| v.mode == VisualMode::Always);
    #[cfg(not(feature = "visual"))]
    let always = service.map(|_| false);
    match (always, asked) {
        (None, Some(true)) => Err(ApiError::new(
            ErrorCode::BadQuery,
            "visual=true: this service does not offer the visual comparison \
             (kyso serve verify --visual)",
        )),
        (Some(true), Some(false)) => Err(ApiError::new(
            ErrorCode::BadQuery,
            "visual=false: this service compares every document visually; a request may not \
             turn it off",
        )),
        (Some(true), _) => Ok(true),
        (_, asked) => Ok(asked == Some(true)),
    }
}

/// The verdict of a report, as counted in the metrics and logged.
fn verdict(r: &VerificationReport) -> &'static str {
    if r.signatures.is_empty() {
        "no_signatures"
    } else if r.all_passed() {
        "passed"
    } else if r
        .signatures
        .iter()
        .any(|s| s.indication == Indication::TotalFailed)
    {
        "failed"
    } else {
        "indeterminate"
    }
}

fn unreadable(e: &crate::Error, lang: Lang) -> ApiError {
    ApiError::new(
        ErrorCode::UnreadableDocument,
        format!(
            "{}: {e}",
            lang.pick(
                "the document could not be processed",
                "không xử lý được tài liệu"
            )
        ),
    )
}

/// What a verification gave, as the answer: the report (JSON or text) or an error.
fn answer(
    shared: &Shared,
    result: Result<Result<VerificationReport, crate::Error>, ApiError>,
    lang: Lang,
    text: bool,
    bytes_in: u64,
) -> Response {
    let mut response = match result {
        Ok(Ok(report)) => {
            let v = verdict(&report);
            shared.metrics.verdict(v);
            let mut r = if text {
                (
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    render_text_in(&report, lang),
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
            return r;
        }
        Ok(Err(e)) => {
            shared.metrics.verdict("unreadable");
            unreadable(&e, lang).into_response()
        }
        Err(e) => e.into_response(),
    };
    response.extensions_mut().insert(Outcome {
        verdict: Some("unreadable"),
        bytes_in,
    });
    response
}

/// `POST /v1/verify`: a PDF, or (`Content-Type: application/pkcs7-mime`) an enveloping CMS
/// (`.p7m`).
async fn verify_one(
    State(state): State<AppState>,
    Extension(admission): Extension<Admission>,
    headers: HeaderMap,
    query: Result<Query<VerifyQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let parsed = match parse_query(&state.options, query, state.shared.limits.request_timeout) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => return body_error(e).into_response(),
    };
    let bytes_in = body.len() as u64;
    let Parsed {
        options,
        lang,
        text,
        visual,
    } = parsed;
    let visual = match visual_for(&state, visual) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let enveloping = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/pkcs7-mime"));
    let deadline = std::time::Instant::now() + state.shared.limits.request_timeout;
    let result = state
        .shared
        .run_blocking(&admission, move || {
            if enveloping {
                verify_enveloping_bytes(&body, &options).map(|e| e.report)
            } else {
                let mut report = verify_bytes(&body, &options)?;
                if let Some(v) = visual {
                    compare_visually(&body, &mut report, &v, lang, deadline);
                }
                Ok(report)
            }
        })
        .await;
    answer(&state.shared, result, lang, text, bytes_in)
}

/// The visual comparison of a verified PDF within what is left of the request's time (a
/// second kept for the answer).
#[cfg(feature = "visual")]
pub(super) fn compare_visually(
    bytes: &[u8],
    report: &mut VerificationReport,
    v: &VisualSetting,
    lang: Lang,
    deadline: std::time::Instant,
) {
    let mut opts = v.options.clone();
    opts.lang = lang;
    opts.pictures = false;
    // A service that compares every PDF requires the comparison (fail closed on a skip).
    opts.required = v.mode == VisualMode::Always;
    let left = deadline
        .saturating_duration_since(std::time::Instant::now())
        .saturating_sub(std::time::Duration::from_secs(1));
    opts.time_limit = opts.time_limit.min(left);
    crate::visual::examine(bytes, report, &opts);
}

#[cfg(not(feature = "visual"))]
pub(super) fn compare_visually(
    _: &[u8],
    _: &mut VerificationReport,
    _: &VisualSetting,
    _: Lang,
    _: std::time::Instant,
) {
}

/// `POST /v1/verify/detached`: `multipart/form-data` with a part `file` (the signed content,
/// any kind of file) and a part `signature` (the detached CMS, `.p7s`, DER or PEM).
async fn verify_detached(
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
    if visual == Some(true) {
        // A detached signature covers a file, not revisions of a PDF: nothing to compare.
        return ApiError::new(
            ErrorCode::BadQuery,
            "visual=true: a detached signature has no signed revision to compare; the visual \
             comparison is made on POST /v1/verify and /v1/verify/batch",
        )
        .into_response();
    }
    let mut multipart = match multipart_body(multipart) {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let max = state.shared.limits.max_body;
    let mut file = None;
    let mut signature = None;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return multipart_error(&e).into_response(),
        };
        let slot = match field.name() {
            Some("file") => &mut file,
            Some("signature") => &mut signature,
            other => {
                return ApiError::new(
                    ErrorCode::BadMultipart,
                    format!(
                        "unexpected part {:?}: the parts are file and signature",
                        other.unwrap_or("")
                    ),
                )
                .into_response()
            }
        };
        if slot.is_some() {
            return ApiError::new(ErrorCode::BadMultipart, "a part is given twice").into_response();
        }
        match read_part(&mut field, max).await {
            Ok(d) => *slot = Some(d),
            Err(e) => return e.into_response(),
        }
    }
    let (Some(file), Some(signature)) = (file, signature) else {
        return ApiError::new(
            ErrorCode::BadMultipart,
            "both parts are needed: file (the signed content) and signature (the .p7s)",
        )
        .into_response();
    };
    let bytes_in = (file.len() + signature.len()) as u64;
    let result = state
        .shared
        .run_blocking(&admission, move || {
            verify_detached_bytes(&file, &signature, &options)
        })
        .await;
    answer(&state.shared, result, lang, text, bytes_in)
}

/// The multipart reader of a body, or the answer to a body that is not multipart.
pub(super) fn multipart_body(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Multipart, ApiError> {
    multipart.map_err(|e| {
        ApiError::new(
            ErrorCode::BadMultipart,
            format!("expected a multipart/form-data body: {}", e.body_text()),
        )
    })
}

pub(super) fn multipart_error(e: &MultipartError) -> ApiError {
    let status = e.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return body_status_error(status, &e.body_text());
    }
    let text = e.body_text();
    if text.contains("timed out") {
        return body_status_error(StatusCode::REQUEST_TIMEOUT, &text);
    }
    ApiError::new(
        ErrorCode::BadMultipart,
        format!("malformed multipart body: {text}"),
    )
}

/// Reads one part, at most `max` bytes.
pub(super) async fn read_part(field: &mut Field<'_>, max: usize) -> Result<Vec<u8>, ApiError> {
    let mut data = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(&e))? {
        if data.len() + chunk.len() > max {
            return Err(ApiError::new(
                ErrorCode::TooLarge,
                "this part is larger than this service accepts for one document",
            ));
        }
        data.extend_from_slice(&chunk);
    }
    Ok(data)
}

fn line(value: serde_json::Value) -> Bytes {
    let mut s = value.to_string();
    s.push('\n');
    Bytes::from(s)
}

#[derive(Default)]
struct Tally {
    documents: u64,
    passed: u64,
    failed: u64,
    indeterminate: u64,
    no_signatures: u64,
    errors: u64,
}

/// `POST /v1/verify/batch`: a `multipart/form-data` body, one document per part; the answer
/// streams one JSON line per part as it is verified, then a summary line.
async fn verify_batch(
    State(state): State<AppState>,
    Extension(admission): Extension<Admission>,
    query: Result<Query<VerifyQuery>, QueryRejection>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let parsed = match parse_query(&state.options, query, state.shared.limits.request_timeout) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let visual = match visual_for(&state, parsed.visual) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let mut multipart = match multipart_body(multipart) {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    // A body that is not multipart at all is answered with one error, not a stream.
    let first = match multipart.next_field().await {
        Ok(Some(field)) => field,
        Ok(None) => {
            return ApiError::new(ErrorCode::BadMultipart, "the multipart body has no part")
                .into_response()
        }
        Err(e) => return multipart_error(&e).into_response(),
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(4);
    let shared = state.shared.clone();
    let timeout = shared.limits.request_timeout;
    let max = shared.limits.max_body;
    let Parsed { options, lang, .. } = parsed;
    let deadline = std::time::Instant::now() + timeout;
    let options = Arc::new(options);
    // The first field borrows the multipart reader: read it here, before the task.
    let mut first = first;
    let first_name = first.file_name().or(first.name()).map(str::to_owned);
    let first_data = read_part(&mut first, max).await;
    drop(first);
    tokio::spawn(async move {
        let admission = admission;
        let work = async {
            let mut tally = Tally::default();
            let mut part = 0u64;
            let mut pending = Some((first_name, first_data));
            loop {
                let (name, data) = match pending.take() {
                    Some(p) => p,
                    None => match multipart.next_field().await {
                        Ok(Some(mut field)) => {
                            let name = field.file_name().or(field.name()).map(str::to_owned);
                            let data = read_part(&mut field, max).await;
                            (name, data)
                        }
                        Ok(None) => break,
                        Err(e) => {
                            tally.errors += 1;
                            let e = multipart_error(&e);
                            let _ = tx
                                .send(line(serde_json::json!({
                                    "part": part,
                                    "error": {"code": e.code.as_str(), "message": e.message},
                                })))
                                .await;
                            break;
                        }
                    },
                };
                tally.documents += 1;
                let result = match data {
                    Ok(bytes) => {
                        let opts = options.clone();
                        let visual = visual.clone();
                        shared
                            .run_blocking(&admission, move || {
                                let mut report = verify_bytes(&bytes, &opts)?;
                                if let Some(v) = visual {
                                    compare_visually(&bytes, &mut report, &v, lang, deadline);
                                }
                                Ok(report)
                            })
                            .await
                            .and_then(|r| r.map_err(|e| unreadable(&e, lang)))
                    }
                    Err(e) => Err(e),
                };
                let value = match result {
                    Ok(report) => {
                        let v = verdict(&report);
                        shared.metrics.verdict(v);
                        match v {
                            "passed" => tally.passed += 1,
                            "failed" => tally.failed += 1,
                            "indeterminate" => tally.indeterminate += 1,
                            _ => tally.no_signatures += 1,
                        }
                        serde_json::json!({"part": part, "name": name, "verdict": v, "report": report})
                    }
                    Err(e) => {
                        tally.errors += 1;
                        shared.metrics.verdict("unreadable");
                        serde_json::json!({
                            "part": part,
                            "name": name,
                            "error": {"code": e.code.as_str(), "message": e.message},
                        })
                    }
                };
                if tx.send(line(value)).await.is_err() {
                    // The client left.
                    return;
                }
                part += 1;
            }
            let _ = tx
                .send(line(serde_json::json!({"summary": {
                    "documents": tally.documents,
                    "passed": tally.passed,
                    "failed": tally.failed,
                    "indeterminate": tally.indeterminate,
                    "no_signatures": tally.no_signatures,
                    "errors": tally.errors,
                }})))
                .await;
        };
        // The time limit covers the sending too: a client that does not read its answer
        // cannot keep this task, and the request's place, beyond it.
        if tokio::time::timeout(timeout, work).await.is_err() {
            let e = ApiError::new(
                ErrorCode::Timeout,
                "the batch took longer than this service allows",
            );
            let _ = tx.try_send(line(serde_json::json!({
                "error": {"code": e.code.as_str(), "message": e.message},
            })));
        }
        drop(admission);
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<Bytes, Infallible>(b), rx))
    });
    let mut r = (
        [(header::CONTENT_TYPE, "application/jsonl")],
        Body::from_stream(stream),
    )
        .into_response();
    r.extensions_mut().insert(Outcome {
        verdict: Some("batch"),
        bytes_in: 0,
    });
    r
}

async fn healthz() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"ok"}"#,
    )
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.shared.shutting_down.load(Ordering::Relaxed) {
        return ApiError::new(ErrorCode::ShuttingDown, "the service is stopping").into_response();
    }
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"ready"}"#,
    )
        .into_response()
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.shared.metrics.render(),
    )
}

async fn openapi_document() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi::VERIFY_SERVICE,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_takes_rfc3339_or_a_date() {
        assert_eq!(
            parse_at("2026-11-26").unwrap(),
            time::macros::datetime!(2026-11-26 0:00 UTC)
        );
        assert_eq!(
            parse_at("2026-11-26T10:00:00+07:00").unwrap(),
            time::macros::datetime!(2026-11-26 3:00 UTC)
        );
        assert_eq!(parse_at("yesterday").unwrap_err().code, ErrorCode::BadQuery);
    }
}
