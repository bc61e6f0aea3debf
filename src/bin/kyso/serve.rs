//! `kyso serve verify` (the verification service a portal calls) and `kyso serve sign` (the
//! signing agent a clerk's browser calls, loopback only): thin wrappers over `kyso::serve`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use kyso::report::Lang;
use kyso::serve::{default_token_path, load_or_create_token, Limits, SignAgent, VerifyService};

use crate::keysource::KeySourceArgs;
use crate::output::Failure;
use crate::verify_args::VerifyOptionArgs;

/// Serve kyso over HTTP: a verification service, or a signing agent for a browser.
#[derive(Args)]
pub struct ServeArgs {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
// Parsed once per process.
#[allow(clippy::large_enum_variant)]
enum Mode {
    /// The verification service: POST /v1/verify (PDF, .p7m), /v1/verify/detached (.p7s +
    /// file), /v1/verify/batch, /healthz, /readyz,
    /// /metrics, /openapi.json. Trust options as for `kyso verify`; network fetching only
    /// with --online, under the same network policy.
    Verify(VerifyServeArgs),
    /// The signing agent on this computer's loopback interface: POST /v1/sign,
    /// GET /v1/certificates, for the pages of the --allow-origin origins holding the pairing
    /// token. The PIN or password is read here (terminal or file), never from a request.
    Sign(SignServeArgs),
}

/// Limits shared by both modes.
#[derive(Args)]
struct LimitArgs {
    /// Largest document accepted, MiB (413 beyond it).
    #[arg(long, value_name = "MIB", help_heading = "Limits")]
    max_body_mib: Option<usize>,
    /// Largest batch body (all parts), MiB.
    #[arg(long, value_name = "MIB", help_heading = "Limits")]
    max_batch_mib: Option<usize>,
    /// Time for a whole request, body included, seconds (408 beyond it).
    #[arg(long, value_name = "SECONDS", help_heading = "Limits")]
    request_timeout: Option<u64>,
    /// Time to receive a request's headers, seconds.
    #[arg(long, value_name = "SECONDS", help_heading = "Limits")]
    header_timeout: Option<u64>,
    /// Time to receive a whole request body, seconds (408 beyond it). Bodies are received
    /// before a request takes a place among those working or waiting.
    #[arg(long, value_name = "SECONDS", help_heading = "Limits")]
    body_timeout: Option<u64>,
    /// Request bodies held in memory at once while they arrive, MiB (503 beyond it).
    #[arg(long, value_name = "MIB", help_heading = "Limits")]
    max_buffered_mib: Option<usize>,
    /// A client that reads nothing of its answer for this long loses its connection, seconds.
    #[arg(long, value_name = "SECONDS", help_heading = "Limits")]
    write_timeout: Option<u64>,
    /// Requests working at once (default: the number of cores; the agent: 1).
    #[arg(long, value_name = "N", help_heading = "Limits")]
    concurrency: Option<usize>,
    /// Requests waiting for a turn; beyond it, 503.
    #[arg(long, value_name = "N", help_heading = "Limits")]
    queue: Option<usize>,
}

impl LimitArgs {
    fn apply(&self, mut l: Limits) -> Limits {
        if let Some(m) = self.max_body_mib {
            l.max_body = m.saturating_mul(1 << 20);
        }
        if let Some(m) = self.max_batch_mib {
            l.max_batch_body = m.saturating_mul(1 << 20);
        }
        if let Some(s) = self.request_timeout {
            l.request_timeout = Duration::from_secs(s.max(1));
        }
        if let Some(s) = self.header_timeout {
            l.header_timeout = Duration::from_secs(s.max(1));
        }
        if let Some(s) = self.body_timeout {
            l.body_timeout = Duration::from_secs(s.max(1));
        }
        if let Some(m) = self.max_buffered_mib {
            l.max_buffered = m.max(1).saturating_mul(1 << 20);
        }
        if let Some(s) = self.write_timeout {
            l.write_timeout = Duration::from_secs(s.max(1));
        }
        if let Some(n) = self.concurrency {
            l.concurrency = n.max(1);
            l.blocking_threads = n.max(1);
        }
        if let Some(n) = self.queue {
            l.queue = n;
        }
        l
    }
}

#[derive(Args)]
struct VerifyServeArgs {
    /// Address to listen on (0.0.0.0:8080 in a container).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    verify: VerifyOptionArgs,
    #[command(flatten)]
    limits: LimitArgs,
    /// Where uploaded dossiers are written while checked (a private folder per request,
    /// removed afterwards). Default: the system's temporary directory ($TMPDIR).
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// Offer the visual comparison on /v1/verify, /v1/verify/batch and /v1/verify/dossier:
    /// `on-request` (the request asks with visual=true) or `always` (every PDF; also what a
    /// policy with "visual": true sets). The renderer runs in a child process per document,
    /// bounded by --visual-memory-mib and --visual-seconds.
    #[arg(long, value_enum, value_name = "WHEN")]
    visual: Option<VisualWhen>,
    /// Address space of one renderer process, MiB (at most one per worker runs at once).
    #[arg(
        long,
        value_name = "MIB",
        default_value_t = 1024,
        help_heading = "Limits"
    )]
    visual_memory_mib: u64,
    /// Time for one document's visual comparison, seconds (never beyond the request's).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 20,
        help_heading = "Limits"
    )]
    visual_seconds: u64,
}

/// When the service compares visually.
#[derive(Clone, Copy, clap::ValueEnum)]
enum VisualWhen {
    /// When the request asks (visual=true).
    OnRequest,
    /// For every PDF.
    Always,
}

#[derive(Args)]
struct SignServeArgs {
    /// Loopback address to listen on (127.0.0.1:PORT or [::1]:PORT); any other is refused.
    #[arg(long)]
    listen: SocketAddr,
    #[command(flatten)]
    key: KeySourceArgs,
    /// An origin whose pages may call the agent (https://portal.example.gov.vn); repeat for
    /// several. Requests from any other origin are refused.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
    #[command(flatten)]
    tsa: crate::tsa_args::TsaArgs,
    /// The pairing token file (created with a new token, mode 0600, when missing). Default:
    /// kyso/agent-token in the user's configuration directory.
    #[arg(long, value_name = "FILE")]
    pairing_token_file: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
}

pub fn run(a: ServeArgs) -> Result<ExitCode, Failure> {
    match a.mode {
        Mode::Verify(v) => run_verify(v),
        Mode::Sign(s) => run_sign(s),
    }
}

fn run_verify(a: VerifyServeArgs) -> Result<ExitCode, Failure> {
    let options = a.verify.options(Lang::En)?;
    let limits = a.limits.apply(Limits::default());
    let policy_visual = options.policy.visual;
    let mut service = VerifyService::new(options).limits(limits);
    let when = match a.visual {
        Some(VisualWhen::OnRequest) => Some(kyso::serve::VisualMode::OnRequest),
        Some(VisualWhen::Always) => Some(kyso::serve::VisualMode::Always),
        None if policy_visual => Some(kyso::serve::VisualMode::Always),
        None => None,
    };
    if let Some(mode) = when {
        if a.visual_memory_mib < 64 || a.visual_seconds == 0 {
            return Err(Failure(
                "--visual-memory-mib is at least 64 and --visual-seconds at least 1".into(),
            ));
        }
        let mut v = kyso::visual::VisualOptions::default();
        v.isolation = crate::verify_visual::worker_isolation();
        v.max_memory = a.visual_memory_mib.saturating_mul(1 << 20);
        v.time_limit = std::time::Duration::from_secs(a.visual_seconds);
        service = service.visual(mode, v);
    }
    if let Some(dir) = a.work_dir {
        if !dir.is_dir() {
            return Err(Failure(format!(
                "--work-dir {}: not a directory",
                dir.display()
            )));
        }
        service = service.work_dir(dir);
    }
    let running = service
        .start(a.listen)
        .map_err(|e| Failure(e.to_string()))?;
    eprintln!(
        "kyso serve verify: listening on http://{} (SIGTERM or Ctrl-C stops after the requests in flight)",
        running.local_addr()
    );
    running
        .wait_for_signal()
        .map_err(|e| Failure(e.to_string()))?;
    Ok(ExitCode::SUCCESS)
}

fn run_sign(a: SignServeArgs) -> Result<ExitCode, Failure> {
    if !a.listen.ip().is_loopback() {
        return Err(Failure(format!(
            "--listen {}: the signing agent listens on the loopback interface only \
             (127.0.0.1:PORT or [::1]:PORT)",
            a.listen
        )));
    }
    if a.allow_origins.is_empty() {
        return Err(Failure(
            "give the web application's origin with --allow-origin (https://portal.example.gov.vn)"
                .into(),
        ));
    }
    for o in &a.allow_origins {
        if !(o.starts_with("https://") || o.starts_with("http://")) || o.contains('*') {
            return Err(Failure(format!(
                "--allow-origin {o}: an origin is scheme://host[:port], without wildcards"
            )));
        }
    }
    let path = match a.pairing_token_file.clone().or_else(default_token_path) {
        Some(p) => p,
        None => {
            return Err(Failure(
                "no configuration directory (HOME is not set): give --pairing-token-file".into(),
            ))
        }
    };
    let (token, created) = load_or_create_token(&path).map_err(|e| Failure(e.to_string()))?;
    if created {
        eprintln!(
            "kyso serve sign: a new pairing token was written to {} (readable by you only); \
             give its content to the web application once",
            path.display()
        );
    }
    let signer: Arc<dyn kyso::signer::Signer> = Arc::from(a.key.signer()?);
    let limits = a.limits.apply(Limits::agent());
    let mut agent = SignAgent::new(signer, token, a.allow_origins.clone()).limits(limits);
    if a.tsa.any() {
        agent = agent.timestamping(a.tsa.timestamping(true)?);
    }
    let running = agent.start(a.listen).map_err(|e| Failure(e.to_string()))?;
    eprintln!(
        "kyso serve sign: listening on http://{} for {} (SIGTERM or Ctrl-C stops)",
        running.local_addr(),
        a.allow_origins.join(", ")
    );
    running
        .wait_for_signal()
        .map_err(|e| Failure(e.to_string()))?;
    Ok(ExitCode::SUCCESS)
}
