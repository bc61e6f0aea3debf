//! Why a service could not start, and the stable codes of its error answers.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Why a service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The listening address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The signing agent listens on the loopback interface only.
    #[error(
        "the signing agent listens on the loopback interface only (127.0.0.1 or ::1), not {addr}"
    )]
    NotLoopback {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The runtime could not be started.
    #[error("cannot start the HTTP runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The service thread ended abnormally.
    #[error("the HTTP service thread ended abnormally")]
    Thread,
    /// The pairing token file could not be read, written, or is not private.
    #[error("pairing token {}: {problem}", path.display())]
    Token {
        /// The token file.
        path: PathBuf,
        /// What was wrong.
        problem: String,
    },
    /// The configuration is not usable.
    #[error("{0}")]
    Config(String),
}

/// The stable code of an error answer (`{"error":{"code":…}}`), one per reason a client can
/// act on. The HTTP status goes with it ([`ErrorCode::status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The body is larger than the service accepts (413).
    TooLarge,
    /// The request took longer than the service allows (408).
    Timeout,
    /// Too many requests at once: try again later (503).
    Busy,
    /// The service is shutting down (503).
    ShuttingDown,
    /// A query parameter is missing, unknown or malformed (400).
    BadQuery,
    /// The body could not be read (400).
    BadBody,
    /// The multipart body is malformed (400).
    BadMultipart,
    /// The document could not be processed at all (422): not a PDF, damaged beyond reading.
    UnreadableDocument,
    /// kyso refused to sign this document (422): see the message.
    Refused,
    /// The signer (token, key) failed (503).
    SignerFailed,
    /// The timestamp authority did not give a usable timestamp (502): nothing was signed.
    TimestampFailed,
    /// The request's `Origin` is not in the agent's allow-list (403).
    OriginForbidden,
    /// The request's `Host` is not the agent's loopback address (403; DNS rebinding).
    HostForbidden,
    /// The pairing token header is missing (401).
    TokenMissing,
    /// The pairing token is wrong (401).
    TokenInvalid,
    /// No such route (404).
    NotFound,
    /// A bug in kyso (500).
    Internal,
}

impl ErrorCode {
    /// The code as it appears in the JSON answer.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::TooLarge => "too_large",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Busy => "busy",
            ErrorCode::ShuttingDown => "shutting_down",
            ErrorCode::BadQuery => "bad_query",
            ErrorCode::BadBody => "bad_body",
            ErrorCode::BadMultipart => "bad_multipart",
            ErrorCode::UnreadableDocument => "unreadable_document",
            ErrorCode::Refused => "refused",
            ErrorCode::SignerFailed => "signer_failed",
            ErrorCode::TimestampFailed => "timestamp_failed",
            ErrorCode::OriginForbidden => "origin_forbidden",
            ErrorCode::HostForbidden => "host_forbidden",
            ErrorCode::TokenMissing => "token_missing",
            ErrorCode::TokenInvalid => "token_invalid",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Internal => "internal",
        }
    }

    /// The HTTP status that goes with the code.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::TooLarge => 413,
            ErrorCode::Timeout => 408,
            ErrorCode::Busy | ErrorCode::ShuttingDown | ErrorCode::SignerFailed => 503,
            ErrorCode::BadQuery | ErrorCode::BadBody | ErrorCode::BadMultipart => 400,
            ErrorCode::UnreadableDocument | ErrorCode::Refused => 422,
            ErrorCode::OriginForbidden | ErrorCode::HostForbidden => 403,
            ErrorCode::TokenMissing | ErrorCode::TokenInvalid => 401,
            ErrorCode::NotFound => 404,
            ErrorCode::TimestampFailed => 502,
            ErrorCode::Internal => 500,
        }
    }
}

/// An error answer: code and a message a person can act on.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// The JSON body.
    pub fn json(&self) -> String {
        serde_json::json!({
            "error": { "code": self.code.as_str(), "message": self.message }
        })
        .to_string()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = (
            status,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            self.json(),
        )
            .into_response();
        if self.code == ErrorCode::Busy || self.code == ErrorCode::ShuttingDown {
            r.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        r
    }
}

/// The answer to a body that could not be read: too large (413), too slow (408), or broken.
pub(crate) fn body_error(e: axum::extract::rejection::BytesRejection) -> ApiError {
    body_status_error(e.status(), &e.body_text())
}

pub(crate) fn body_status_error(status: StatusCode, text: &str) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            ErrorCode::TooLarge,
            "the body is larger than this service accepts",
        )
    } else if text.contains("timed out") || status == StatusCode::REQUEST_TIMEOUT {
        ApiError::new(ErrorCode::Timeout, "the body arrived too slowly")
    } else {
        ApiError::new(
            ErrorCode::BadBody,
            format!("the body could not be read: {text}"),
        )
    }
}
