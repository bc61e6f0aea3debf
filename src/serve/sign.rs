//! The signing agent: `POST /v1/sign`, `GET /v1/certificates`, on the loopback interface
//! only, for the web pages of an allow-list of origins that hold the pairing token
//! (SECURITY.md, "The signing agent").

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use tower_http::timeout::RequestBodyTimeoutLayer;

use super::engine::{self, Admission, Outcome, Running, Shared};
use super::errors::{body_error, ApiError, ErrorCode, ServeError};
use super::token::PairingToken;
use super::{openapi, Limits};
use crate::crypto::{digest, DigestAlgorithm};
use crate::pki::Certificate;
use crate::report::Lang;
use crate::sign::appearance::{Anchor, Appearance, Layout, Rect};
use crate::sign::{sign_bytes, SignOptions, Timestamping};
use crate::signer::Signer;
use crate::Error;

/// The header that carries the pairing token.
pub const TOKEN_HEADER: &str = "x-kyso-token";

/// The signing agent: one signer (a PKCS#12 file or a PKCS#11 token, unlocked on the agent's
/// side), the pairing token, the origins whose pages may call it, and limits.
#[derive(Clone)]
#[non_exhaustive]
pub struct SignAgent {
    /// The signer every signature is made with.
    pub signer: Arc<dyn Signer>,
    /// The pairing token every request must carry (`X-Kyso-Token`).
    pub token: PairingToken,
    /// Origins (`https://dichvucong.example.gov.vn`, scheme, host and port as a browser sends
    /// them) whose pages may call the agent. Requests with any other `Origin` are refused.
    pub allowed_origins: Vec<String>,
    /// Limits ([`Limits::agent`] by default).
    pub limits: Limits,
    /// The timestamp authority of signatures at level B-T (`level=b-t`, the default when it
    /// is set); `None`: the agent signs at B-B only.
    pub timestamping: Option<Timestamping>,
}

impl std::fmt::Debug for SignAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignAgent")
            .field("allowed_origins", &self.allowed_origins)
            .field("limits", &self.limits)
            .field("timestamping", &self.timestamping.is_some())
            .finish_non_exhaustive()
    }
}

impl SignAgent {
    /// An agent signing with `signer`, for requests carrying `token` from `allowed_origins`.
    pub fn new(signer: Arc<dyn Signer>, token: PairingToken, allowed_origins: Vec<String>) -> Self {
        SignAgent {
            signer,
            token,
            allowed_origins: allowed_origins
                .into_iter()
                .map(|o| o.trim_end_matches('/').to_owned())
                .collect(),
            limits: Limits::agent(),
            timestamping: None,
        }
    }

    /// Signs at level B-T with a signature timestamp from `timestamping` (the default level
    /// of `POST /v1/sign` once set; `level=b-b` still signs without).
    pub fn timestamping(mut self, timestamping: Timestamping) -> Self {
        self.timestamping = Some(timestamping);
        self
    }

    /// Sets the limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Listens on `listen`, which must be a loopback address, and serves on a thread of its
    /// own until [`Running::shutdown`] (or a signal, with [`Running::wait_for_signal`]).
    pub fn start(self, listen: SocketAddr) -> Result<Running, ServeError> {
        if !listen.ip().is_loopback() {
            return Err(ServeError::NotLoopback { addr: listen });
        }
        let shared = Shared::new(self.limits.clone());
        let certificates = certificate_list(self.signer.as_ref());
        let subject = Certificate::from_der(self.signer.certificate())
            .map(|c| c.subject().to_owned())
            .unwrap_or_else(|_| "(unreadable certificate)".to_owned());
        let for_router = shared.clone();
        engine::spawn(
            listen,
            move |addr| {
                let state = AgentState {
                    shared: for_router,
                    signer: self.signer,
                    subject: Arc::new(subject),
                    token: Arc::new(self.token),
                    origins: Arc::new(self.allowed_origins),
                    hosts: Arc::new(allowed_hosts(addr)),
                    certificates: Arc::new(certificates),
                    timestamping: self.timestamping.map(Arc::new),
                };
                router(state)
            },
            shared,
        )
    }
}

#[derive(Clone)]
struct AgentState {
    shared: Arc<Shared>,
    signer: Arc<dyn Signer>,
    subject: Arc<String>,
    token: Arc<PairingToken>,
    origins: Arc<Vec<String>>,
    hosts: Arc<Vec<String>>,
    certificates: Arc<String>,
    timestamping: Option<Arc<Timestamping>>,
}

/// The `Host` values a browser sends to this agent: anything else is a DNS-rebinding attempt
/// (a hostile name resolving to 127.0.0.1).
fn allowed_hosts(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![format!("localhost:{port}")];
    match addr {
        SocketAddr::V4(a) => hosts.push(format!("{}:{port}", a.ip())),
        SocketAddr::V6(a) => hosts.push(format!("[{}]:{port}", a.ip())),
    }
    hosts
}

fn router(state: AgentState) -> Router {
    let limits = &state.shared.limits;
    let work = Router::new().route(
        "/v1/sign",
        post(sign)
            .layer(DefaultBodyLimit::max(limits.max_body))
            .layer(axum::middleware::from_fn_with_state(
                engine::Gate::new(&state.shared, limits.max_body),
                engine::admit,
            )),
    );
    Router::new()
        .merge(work)
        .route("/v1/certificates", get(certificates))
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi_document))
        .fallback(engine::not_found)
        .layer(RequestBodyTimeoutLayer::new(limits.body_idle_timeout))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .layer(axum::middleware::from_fn_with_state(
            state.shared.clone(),
            engine::observe,
        ))
        .with_state(state)
}

/// Host, Origin (and the CORS preflight), then the pairing token.
async fn guard(State(state): State<AgentState>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !state.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return ApiError::new(
            ErrorCode::HostForbidden,
            "this agent answers only requests addressed to its loopback address",
        )
        .into_response();
    }
    let origin = match headers.get(header::ORIGIN) {
        None => None,
        Some(o) => {
            let o = o.to_str().unwrap_or("");
            if !state.origins.iter().any(|a| a == o) {
                return ApiError::new(
                    ErrorCode::OriginForbidden,
                    "this web page's origin is not in the agent's allow-list (--allow-origin)",
                )
                .into_response();
            }
            HeaderValue::from_str(o).ok()
        }
    };
    if req.method() == Method::OPTIONS {
        // A CORS preflight: answered only for an allowed origin (checked above).
        let Some(origin) = origin else {
            return ApiError::new(
                ErrorCode::OriginForbidden,
                "a preflight without an allowed Origin",
            )
            .into_response();
        };
        let private_network = headers
            .get("access-control-request-private-network")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"));
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type, x-kyso-token"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        if private_network {
            h.insert(
                "access-control-allow-private-network",
                HeaderValue::from_static("true"),
            );
        }
        return r;
    }
    let path = req.uri().path();
    let open = path == "/healthz" || path == "/openapi.json";
    if !open {
        match req.headers().get(TOKEN_HEADER) {
            None => {
                return with_cors(
                    ApiError::new(
                        ErrorCode::TokenMissing,
                        "the pairing token (X-Kyso-Token header) is missing",
                    )
                    .into_response(),
                    origin,
                )
            }
            Some(t) if !state.token.matches(t.as_bytes()) => {
                return with_cors(
                    ApiError::new(ErrorCode::TokenInvalid, "the pairing token is wrong")
                        .into_response(),
                    origin,
                )
            }
            Some(_) => {}
        }
    }
    with_cors(next.run(req).await, origin)
}

fn with_cors(mut r: Response, origin: Option<HeaderValue>) -> Response {
    if let Some(origin) = origin {
        let h = r.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    r
}

/// Query options of `POST /v1/sign`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignQuery {
    field: Option<String>,
    reason: Option<String>,
    location: Option<String>,
    level: Option<String>,
    appearance: Option<String>,
    page: Option<usize>,
    rect: Option<String>,
    position: Option<String>,
    lang: Option<String>,
}

fn bad(message: String) -> ApiError {
    ApiError::new(ErrorCode::BadQuery, message)
}

fn sign_options(
    q: &SignQuery,
    timestamping: Option<&Timestamping>,
) -> Result<SignOptions, ApiError> {
    let mut opts = SignOptions::new();
    if let Some(f) = &q.field {
        opts = opts.field_name(f.clone());
    }
    if let Some(r) = &q.reason {
        opts = opts.reason(r.clone());
    }
    if let Some(l) = &q.location {
        opts = opts.location(l.clone());
    }
    match (q.level.as_deref(), timestamping) {
        (Some("b-b"), _) | (None, None) => {}
        (None | Some("b-t"), Some(t)) => opts = opts.timestamp(t.clone()),
        (Some("b-t"), None) => {
            return Err(bad(
                "level=\"b-t\": this agent has no timestamp authority (start it with --tsa \
                 URL); it signs at b-b"
                    .into(),
            ))
        }
        (Some(other), _) => {
            return Err(bad(format!(
                "level={other:?}: this agent signs at b-b, or b-t when started with --tsa \
                 (validation data is added afterwards: kyso ltv)"
            )))
        }
    }
    if let Some(page) = q.page {
        if page == 0 {
            return Err(bad("page=0: pages are counted from 1".into()));
        }
        opts = opts.page(page);
    }
    match &q.appearance {
        None => {
            if q.rect.is_some() || q.position.is_some() {
                return Err(bad(
                    "rect and position need appearance=portal or copy-stamp".into(),
                ));
            }
        }
        Some(name) => {
            let layout: Layout = name.parse().map_err(bad)?;
            if !matches!(layout, Layout::Portal | Layout::CopyStamp) {
                return Err(bad(format!(
                    "appearance={name:?}: the agent draws portal or copy-stamp (the official and \
                     seal layouts need images the agent is not given)"
                )));
            }
            let mut a = Appearance::new(layout);
            if let Some(r) = &q.rect {
                a = a.rect(r.parse::<Rect>().map_err(bad)?);
            }
            if let Some(p) = &q.position {
                a = a.position(p.parse::<Anchor>().map_err(bad)?);
            }
            opts = opts.appearance(a);
        }
    }
    Ok(opts)
}

fn sign_error(e: &Error, lang: Lang) -> ApiError {
    match e {
        Error::Refused { refusal, .. } => ApiError::new(ErrorCode::Refused, refusal.text(lang)),
        Error::Signer(_) | Error::Key(_) => ApiError::new(
            ErrorCode::SignerFailed,
            format!(
                "{}: {e}",
                lang.pick("the signer failed", "thiết bị ký không ký được")
            ),
        ),
        Error::Internal { .. } => ApiError::new(ErrorCode::Internal, e.to_string()),
        Error::Timestamp(_) => ApiError::new(
            ErrorCode::TimestampFailed,
            format!(
                "{}: {e}",
                lang.pick(
                    "the timestamp authority did not give a timestamp; nothing was signed",
                    "không lấy được dấu thời gian từ đơn vị cấp dấu thời gian; tài liệu chưa được ký"
                )
            ),
        ),
        _ => ApiError::new(
            ErrorCode::UnreadableDocument,
            format!(
                "{}: {e}",
                lang.pick("the document could not be signed", "không ký được tài liệu")
            ),
        ),
    }
}

async fn sign(
    State(state): State<AgentState>,
    Extension(admission): Extension<Admission>,
    query: Result<Query<SignQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let q = match query {
        Ok(Query(q)) => q,
        Err(e) => return bad(e.body_text()).into_response(),
    };
    let lang = match q.lang.as_deref() {
        None | Some("en") => Lang::En,
        Some("vi") => Lang::Vi,
        Some(other) => return bad(format!("lang={other:?}: expected en or vi")).into_response(),
    };
    let opts = match sign_options(&q, state.timestamping.as_deref()) {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => return body_error(e).into_response(),
    };
    let bytes_in = body.len() as u64;
    let level = if opts.timestamping.is_some() {
        "b-t"
    } else {
        "b-b"
    };
    let signer = state.signer.clone();
    let input_digest = digest(DigestAlgorithm::Sha256, &body);
    let result = state
        .shared
        .run_blocking(&admission, move || {
            sign_bytes(&body, signer.as_ref(), &opts)
        })
        .await;
    let mut r = match result {
        Ok(Ok(signed)) => {
            let line = serde_json::json!({
                "event": "signature",
                "time": crate::report::text::rfc3339(time::OffsetDateTime::now_utc()),
                "document_sha256": crate::asn1::hex::encode(&input_digest),
                "signed_sha256": crate::asn1::hex::encode(&digest(DigestAlgorithm::Sha256, &signed)),
                "signer": state.subject.as_str(),
                "field": q.field,
                "level": level,
            });
            eprintln!("{line}");
            let mut r = ([(header::CONTENT_TYPE, "application/pdf")], signed).into_response();
            r.extensions_mut().insert(Outcome {
                verdict: Some("signed"),
                bytes_in,
            });
            return r;
        }
        Ok(Err(e)) => sign_error(&e, lang).into_response(),
        Err(e) => e.into_response(),
    };
    r.extensions_mut().insert(Outcome {
        verdict: Some("not_signed"),
        bytes_in,
    });
    r
}

/// The JSON of `GET /v1/certificates`, made once.
fn certificate_list(signer: &dyn Signer) -> String {
    let mut list = Vec::new();
    let ders =
        std::iter::once(signer.certificate()).chain(signer.chain().iter().map(Vec::as_slice));
    for (i, der) in ders.enumerate() {
        let role = if i == 0 { "signer" } else { "chain" };
        let sha256 = crate::asn1::hex::encode(&digest(DigestAlgorithm::Sha256, der));
        let entry = match Certificate::from_der(der) {
            Ok(c) => serde_json::json!({
                "role": role,
                "subject": c.subject(),
                "issuer": c.issuer(),
                "serial": crate::asn1::hex::encode(c.serial()),
                "not_before": crate::report::text::rfc3339(c.not_before()),
                "not_after": crate::report::text::rfc3339(c.not_after()),
                "sha256": sha256,
                "der_hex": crate::asn1::hex::encode(der),
            }),
            Err(e) => serde_json::json!({"role": role, "sha256": sha256, "error": e.to_string()}),
        };
        list.push(entry);
    }
    serde_json::json!({ "certificates": list }).to_string()
}

async fn certificates(State(state): State<AgentState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.certificates.as_str().to_owned(),
    )
}

async fn healthz() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"ok"}"#,
    )
}

async fn openapi_document() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi::SIGN_AGENT,
    )
}
