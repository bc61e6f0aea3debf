//! The engine both services run on: the accept loop (hyper HTTP/1.1 with a header-read
//! timeout), the shared middleware (time limit, logging and metrics, admission with a bounded
//! queue), the blocking pool, graceful shutdown.

use std::net::SocketAddr;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use super::errors::{ApiError, ErrorCode, ServeError};
use super::metrics::Metrics;
use super::Limits;

/// What every handler and middleware of one service shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub limits: Limits,
    pub metrics: Metrics,
    /// Work plus queue: a request that cannot get a permit at once is turned away (503).
    admission: Arc<Semaphore>,
    /// Work: at most `limits.concurrency` at once.
    work: Arc<Semaphore>,
    pub shutting_down: AtomicBool,
}

impl Shared {
    pub fn new(limits: Limits) -> Arc<Shared> {
        let concurrency = limits.concurrency.max(1);
        Arc::new(Shared {
            admission: Arc::new(Semaphore::new(concurrency + limits.queue)),
            work: Arc::new(Semaphore::new(concurrency)),
            limits,
            metrics: Metrics::default(),
            shutting_down: AtomicBool::new(false),
        })
    }

    /// Runs `f` on the blocking pool when a work permit is free.
    pub async fn run_blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self
            .work
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::new(ErrorCode::ShuttingDown, "the service is stopping"))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|_| ApiError::new(ErrorCode::Internal, "the work ended abnormally"))
    }
}

/// A request's admission: held while the request works or waits, and, for a streamed answer,
/// until the stream ends.
#[derive(Debug, Clone)]
pub(crate) struct Admission(#[allow(dead_code)] pub Arc<OwnedSemaphorePermit>);

/// What a handler tells the log line and the metrics about its request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// The verdict (verification) or `signed`.
    pub verdict: Option<&'static str>,
    /// Body bytes received.
    pub bytes_in: u64,
}

/// Middleware of the routes that do work: a permit at once, or 503.
pub(crate) async fn admit(
    State(shared): State<Arc<Shared>>,
    mut req: Request,
    next: Next,
) -> Response {
    if shared.shutting_down.load(Ordering::Relaxed) {
        return ApiError::new(ErrorCode::ShuttingDown, "the service is stopping").into_response();
    }
    let Ok(permit) = shared.admission.clone().try_acquire_owned() else {
        shared.metrics.busy();
        return ApiError::new(
            ErrorCode::Busy,
            "too many requests at once; try again in a moment",
        )
        .into_response();
    };
    req.extensions_mut().insert(Admission(Arc::new(permit)));
    shared.metrics.in_flight(1);
    let r = next.run(req).await;
    shared.metrics.in_flight(-1);
    r
}

/// Outermost middleware: the time limit, one log line, the metrics.
pub(crate) async fn observe(
    State(shared): State<Arc<Shared>>,
    req: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let declared_in = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let response = match tokio::time::timeout(shared.limits.request_timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            ErrorCode::Timeout,
            "the request took longer than this service allows",
        )
        .into_response(),
    };
    let outcome = response
        .extensions()
        .get::<Outcome>()
        .cloned()
        .unwrap_or_default();
    let status = response.status().as_u16();
    let bytes_in = if outcome.bytes_in > 0 {
        outcome.bytes_in
    } else {
        declared_in
    };
    let bytes_out = axum::body::HttpBody::size_hint(response.body())
        .exact()
        .unwrap_or(0);
    let seconds = start.elapsed().as_secs_f64();
    shared
        .metrics
        .request(&route, status, seconds, bytes_in, bytes_out);
    let line = serde_json::json!({
        "time": crate::report::text::rfc3339(time::OffsetDateTime::now_utc()),
        "method": method,
        "route": route,
        "status": status,
        "bytes_in": bytes_in,
        "bytes_out": bytes_out,
        "verdict": outcome.verdict,
        "ms": (seconds * 1000.0 * 10.0).round() / 10.0,
    });
    eprintln!("{line}");
    response
}

/// The answer for routes that do not exist.
pub(crate) async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such route (see GET /openapi.json)")
}

/// A service that runs on its own thread; dropped, it keeps running until the process ends.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    handle: tokio::runtime::Handle,
    thread: Option<std::thread::JoinHandle<Result<(), ServeError>>>,
}

impl Running {
    /// The address the service listens on (the port chosen when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections, lets requests in flight finish (within the shutdown
    /// grace period), and returns when the service has stopped.
    pub fn shutdown(mut self) -> Result<(), ServeError> {
        let _ = self.stop.send(true);
        self.join()
    }

    /// Waits for SIGTERM or Ctrl-C (SIGINT), then shuts down gracefully
    /// ([`Running::shutdown`]).
    pub fn wait_for_signal(self) -> Result<(), ServeError> {
        self.handle.block_on(async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{signal, SignalKind};
                match signal(SignalKind::terminate()) {
                    Ok(mut term) => {
                        tokio::select! {
                            _ = term.recv() => {}
                            _ = tokio::signal::ctrl_c() => {}
                        }
                    }
                    Err(_) => {
                        let _ = tokio::signal::ctrl_c().await;
                    }
                }
            }
            #[cfg(not(unix))]
            {
                let _ = tokio::signal::ctrl_c().await;
            }
        });
        eprintln!("kyso serve: stopping; finishing the requests in flight");
        self.shutdown()
    }

    fn join(&mut self) -> Result<(), ServeError> {
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| ServeError::Thread)?,
            None => Ok(()),
        }
    }
}

/// Binds `listen`, starts a runtime on its own thread and serves the router `router` makes
/// for the bound address on it.
pub(crate) fn spawn(
    listen: SocketAddr,
    router: impl FnOnce(SocketAddr) -> Router,
    shared: Arc<Shared>,
) -> Result<Running, ServeError> {
    let limits = shared.limits.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(limits.blocking_threads.clamp(1, 4))
        .max_blocking_threads(limits.blocking_threads.max(1))
        .enable_all()
        .thread_name("kyso-serve")
        .build()
        .map_err(ServeError::Runtime)?;
    let std_listener = std::net::TcpListener::bind(listen).map_err(|source| ServeError::Bind {
        addr: listen,
        source,
    })?;
    let addr = std_listener
        .local_addr()
        .map_err(|source| ServeError::Bind {
            addr: listen,
            source,
        })?;
    std_listener
        .set_nonblocking(true)
        .map_err(|source| ServeError::Bind {
            addr: listen,
            source,
        })?;
    let listener = {
        let _guard = runtime.enter();
        TcpListener::from_std(std_listener).map_err(|source| ServeError::Bind {
            addr: listen,
            source,
        })?
    };
    let router = router(addr);
    let (stop, stop_rx) = watch::channel(false);
    let handle = runtime.handle().clone();
    let thread = std::thread::Builder::new()
        .name("kyso-serve".into())
        .spawn(move || {
            runtime.block_on(accept_loop(listener, router, shared, stop_rx));
            // Blocking work still running (a verification whose client left) is not waited
            // for beyond the grace period.
            runtime.shutdown_timeout(Duration::from_secs(1));
            Ok(())
        })
        .map_err(ServeError::Runtime)?;
    Ok(Running {
        addr,
        stop,
        handle,
        thread: Some(thread),
    })
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let limits = shared.limits.clone();
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut tasks = JoinSet::new();
    loop {
        while tasks.try_join_next().is_some() {}
        let permit = tokio::select! {
            p = connections.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stop.changed() => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, go on.
                    eprintln!("kyso serve: accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let mut conn_stop = stop.clone();
        let header_timeout = limits.header_timeout;
        tasks.spawn(async move {
            let _permit = permit;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .keep_alive(true);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            let mut conn = pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stopped(&mut conn_stop) => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    shared.shutting_down.store(true, Ordering::Relaxed);
    drop(listener);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        eprintln!("kyso serve: requests still running after the grace period were cut off");
        tasks.abort_all();
    }
}

/// Completes when the stop flag is set (or its sender is gone).
async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}
