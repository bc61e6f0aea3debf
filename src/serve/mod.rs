//! kyso over HTTP (feature `serve`): the verification service a portal calls
//! ([`VerifyService`]) and the signing agent a clerk's browser calls ([`SignAgent`]).
//!
//! Both run on one engine ([`VerifyService::start`], [`SignAgent::start`]): HTTP/1.1 on tokio (hyper's connection handling with a
//! header-read timeout, axum's router), no TLS (a load balancer, or the loopback interface,
//! stands in front). What every route shares:
//!
//! - a maximum body size (413 beyond it) and a time limit for the whole request, body
//!   included (408); a body that stops arriving for [`Limits::body_idle_timeout`], or is not
//!   complete after [`Limits::body_timeout`], ends the request;
//! - for the routes that do work, the body is received in full (within a memory budget for
//!   bodies in transit, [`Limits::max_buffered`], 503 beyond it) *before* the request is
//!   admitted, so a slow client holds only its connection and the bytes it sent, never a
//!   worker or a place in the queue;
//! - for the routes that do work, a concurrency limit with a bounded queue: at most
//!   [`Limits::concurrency`] requests work at once, [`Limits::queue`] more wait, beyond that
//!   503 at once; the work itself runs on tokio's blocking pool (sized by
//!   [`Limits::blocking_threads`], the number of cores by default);
//! - errors as JSON with a stable code (`{"error":{"code":"too_large","message":"…"}}`,
//!   [`ErrorCode`]);
//! - one log line per request on standard error (JSON: route, status, bytes in and out,
//!   verdict, milliseconds — never document contents or names taken from a document);
//! - graceful shutdown: [`Running::shutdown`] (or SIGTERM / Ctrl-C with
//!   [`Running::wait_for_signal`]) stops accepting, lets requests in flight finish (within
//!   [`Limits::shutdown_grace`]) and returns.
//!
//! The services are stateless: instances share nothing but their configuration.

mod dossier;
mod engine;
mod errors;
mod metrics;
pub mod openapi;
mod sign;
mod token;
mod verify;

pub use engine::Running;
pub use errors::{ErrorCode, ServeError};
pub use sign::{SignAgent, TOKEN_HEADER};
pub use token::{default_token_path, load_or_create_token, PairingToken};
pub use verify::VerifyService;
#[cfg(feature = "visual")]
pub use verify::{ServeVisual, VisualMode};

use std::time::Duration;

/// Limits every service applies. [`Limits::default`] suits a verification service on a
/// small machine; the signing agent starts from [`Limits::agent`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Limits {
    /// Largest request body (one document), bytes; 413 beyond it.
    pub max_body: usize,
    /// Largest body of `POST /v1/verify/batch` (all parts together), bytes.
    pub max_batch_body: usize,
    /// The whole request, from its headers to the handler's answer (408 beyond it). For the
    /// batch route, the time to read every part and verify it.
    pub request_timeout: Duration,
    /// Time to receive a request's headers (hyper closes the connection beyond it).
    pub header_timeout: Duration,
    /// A request body that sends nothing for this long ends the request.
    pub body_idle_timeout: Duration,
    /// Time to receive a whole request body (408 beyond it). The body is received before the
    /// request takes a place among those that work or wait, so a slow client holds only its
    /// connection and the bytes it sent, for at most this long.
    pub body_timeout: Duration,
    /// Bytes of memory for request bodies at once while they arrive, wait or are worked on
    /// (503 for a body that would go beyond it). What is allocated counts (a body of unknown
    /// length grows by doubling), and the multipart routes count their bodies twice (they
    /// copy each part once).
    pub max_buffered: usize,
    /// A client that reads nothing of its answer for this long loses its connection.
    pub write_timeout: Duration,
    /// Requests that work at once (verification or signing).
    pub concurrency: usize,
    /// Requests that may wait for a turn; beyond it, 503.
    pub queue: usize,
    /// Threads of the blocking pool the work runs on.
    pub blocking_threads: usize,
    /// Connections accepted at once; beyond it new connections wait in the kernel's backlog.
    pub max_connections: usize,
    /// How long a shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Limits {
            max_body: 64 << 20,
            max_batch_body: 512 << 20,
            request_timeout: Duration::from_secs(120),
            header_timeout: Duration::from_secs(10),
            body_idle_timeout: Duration::from_secs(15),
            body_timeout: Duration::from_secs(60),
            max_buffered: 1 << 30,
            write_timeout: Duration::from_secs(30),
            concurrency: cores,
            queue: 4 * cores,
            blocking_threads: cores,
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

impl Limits {
    /// The signing agent's limits: one signature at a time (a token signs one thing at a
    /// time), a few waiting, 32 MiB documents, and time for the clerk to type a PIN on the
    /// token's own keypad when it has one.
    pub fn agent() -> Self {
        Limits {
            max_body: 32 << 20,
            max_batch_body: 32 << 20,
            max_buffered: 256 << 20,
            concurrency: 1,
            queue: 4,
            blocking_threads: 1,
            max_connections: 64,
            ..Limits::default()
        }
    }
}
