//! The engine both services run on: the accept loop (hyper HTTP/1.1 with a header-read
//! timeout), the shared middleware (time limit, logging and metrics, admission with a bounded
//! queue), the blocking pool, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::StreamExt;
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
    /// Bytes of request bodies held in memory before admission ([`Limits::max_buffered`]).
    buffered: Arc<Semaphore>,
    pub shutting_down: AtomicBool,
    /// Directories removed when the service stops, whatever work is still running.
    remove_at_stop: std::sync::Mutex<Vec<std::path::PathBuf>>,
}

impl Shared {
    pub fn new(limits: Limits) -> Arc<Shared> {
        let concurrency = limits.concurrency.max(1);
        Arc::new(Shared {
            admission: Arc::new(Semaphore::new(concurrency + limits.queue)),
            work: Arc::new(Semaphore::new(concurrency)),
            buffered: Arc::new(Semaphore::new(
                limits.max_buffered.min(Semaphore::MAX_PERMITS),
            )),
            limits,
            metrics: Metrics::default(),
            shutting_down: AtomicBool::new(false),
            remove_at_stop: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Removes `dir` with everything in it when the service stops.
    pub fn remove_at_stop(&self, dir: std::path::PathBuf) {
        if let Ok(mut dirs) = self.remove_at_stop.lock() {
            dirs.push(dir);
        }
    }

    fn remove_directories(&self) {
        let dirs = match self.remove_at_stop.lock() {
            Ok(mut dirs) => std::mem::take(&mut *dirs),
            Err(_) => return,
        };
        for dir in dirs {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }

    /// Runs `f` on the blocking pool when a work permit is free. The work permit and the
    /// request's admission (`held`) go with the work: when the request ends first (its time
    /// limit, or the client left), the work that cannot be interrupted still counts against
    /// the concurrency limit and the queue until it really ends, so abandoned work cannot
    /// pile up beyond them.
    pub async fn run_blocking<T, F>(&self, held: &Admission, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = self
            .work
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::new(ErrorCode::ShuttingDown, "the service is stopping"))?;
        let held = held.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let _held = held;
            f()
        })
        .await
        .map_err(|_| ApiError::new(ErrorCode::Internal, "the work ended abnormally"))
    }
}

/// A request's admission: held while the request works or waits, and, for a streamed answer,
/// until the stream ends. It also holds the request body's share of the memory budget.
#[derive(Debug, Clone)]
pub(crate) struct Admission(#[allow(dead_code)] pub Arc<Held>);

/// The permits an admitted request holds.
#[derive(Debug)]
pub(crate) struct Held {
    _admission: OwnedSemaphorePermit,
    _buffered: Option<OwnedSemaphorePermit>,
}

/// What a handler tells the log line and the metrics about its request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// The verdict (verification) or `signed`.
    pub verdict: Option<&'static str>,
    /// Body bytes received.
    pub bytes_in: u64,
}

/// The state of [`admit`] on one route: the service and the largest body the route takes.
#[derive(Debug, Clone)]
pub(crate) struct Gate {
    shared: Arc<Shared>,
    max_body: usize,
    copies: bool,
}

impl Gate {
    /// The gate of a route whose bodies may be up to `max_body` bytes.
    pub fn new(shared: &Arc<Shared>, max_body: usize) -> Gate {
        Gate {
            shared: shared.clone(),
            max_body,
            copies: false,
        }
    }

    /// The route copies its body's parts (multipart): the memory budget is charged twice.
    pub fn copying(mut self) -> Gate {
        self.copies = true;
        self
    }
}

/// Middleware of the routes that do work. First the whole body is received — within
/// [`Limits::max_body`] (413), [`Limits::body_timeout`] (408) and the service's memory budget
/// for bodies in transit ([`Limits::max_buffered`], 503 beyond it) — and only then is the
/// request admitted: a permit at once, or 503. A slow client therefore holds its connection
/// and the bytes it has sent, for at most `body_timeout`, never a place among the requests
/// that work or wait.
pub(crate) async fn admit(State(gate): State<Gate>, req: Request, next: Next) -> Response {
    let shared = &gate.shared;
    if shared.shutting_down.load(Ordering::Relaxed) {
        return ApiError::new(ErrorCode::ShuttingDown, "the service is stopping").into_response();
    }
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let (bytes, buffered) = match receive(body, declared, &gate).await {
        Ok(r) => r,
        Err(e) => {
            if e.code == ErrorCode::Busy {
                shared.metrics.busy();
            }
            return e.into_response();
        }
    };
    let Ok(permit) = shared.admission.clone().try_acquire_owned() else {
        shared.metrics.busy();
        return ApiError::new(
            ErrorCode::Busy,
            "too many requests at once; try again in a moment",
        )
        .into_response();
    };
    let mut req = Request::from_parts(parts, axum::body::Body::from(bytes));
    req.extensions_mut().insert(Admission(Arc::new(Held {
        _admission: permit,
        _buffered: buffered,
    })));
    let _in_flight = InFlight::new(shared);
    next.run(req).await
}

/// Counts a request as working or waiting while it lives (also when its future is dropped:
/// a time limit, or a client that left).
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn new(shared: &'a Shared) -> Self {
        shared.metrics.in_flight(1);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.metrics.in_flight(-1);
    }
}

/// Receives a request body into memory under the gate's limits; returns it with its share of
/// the memory budget.
async fn receive(
    body: axum::body::Body,
    declared: Option<u64>,
    gate: &Gate,
) -> Result<(Bytes, Option<OwnedSemaphorePermit>), ApiError> {
    let too_large = || {
        ApiError::new(
            ErrorCode::TooLarge,
            "the body is larger than this service accepts",
        )
    };
    let max = gate.max_body;
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let limits = &gate.shared.limits;
    let _receiving = Receiving::new(&gate.shared);
    let deadline = tokio::time::Instant::now() + limits.body_timeout;
    let mut buf: Vec<u8> = Vec::new();
    let mut held: Option<OwnedSemaphorePermit> = None;
    let busy = || {
        ApiError::new(
            ErrorCode::Busy,
            "too many documents arriving at once; try again in a moment",
        )
    };
    let mut stream = body.into_data_stream();
    loop {
        let chunk = match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => {
                return Err(ApiError::new(
                    ErrorCode::Timeout,
                    "the body arrived too slowly",
                ))
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(stream_error(&e)),
            Ok(Some(Ok(chunk))) => chunk,
        };
        if buf.len().saturating_add(chunk.len()) > max {
            return Err(too_large());
        }
        let needed = buf.len() + chunk.len();
        if needed > buf.capacity() {
            // The budget counts what is allocated, not only what arrived: the buffer grows
            // by doubling (never past the declared length or the limit), and each growth is
            // paid for before it is made.
            let cap = declared.map_or(max, |d| (d as usize).min(max));
            let grown = needed.max(buf.capacity().saturating_mul(2)).max(64 << 10);
            let new_capacity = grown.min(cap).max(needed);
            let extra = u32::try_from(new_capacity - buf.capacity()).map_err(|_| too_large())?;
            let Ok(permit) = gate.shared.buffered.clone().try_acquire_many_owned(extra) else {
                return Err(busy());
            };
            match held.as_mut() {
                Some(h) => h.merge(permit),
                None => held = Some(permit),
            }
            buf.reserve_exact(new_capacity - buf.len());
        }
        buf.extend_from_slice(&chunk);
    }
    if gate.copies && !buf.is_empty() {
        // The route copies the parts of its body once more while it reads them.
        let n = u32::try_from(buf.len()).map_err(|_| too_large())?;
        let Ok(permit) = gate.shared.buffered.clone().try_acquire_many_owned(n) else {
            return Err(busy());
        };
        match held.as_mut() {
            Some(h) => h.merge(permit),
            None => held = Some(permit),
        }
    }
    Ok((Bytes::from(buf), held))
}

/// Counts a body as arriving while it lives (a client that leaves drops it).
struct Receiving<'a>(&'a Shared);

impl<'a> Receiving<'a> {
    fn new(shared: &'a Shared) -> Self {
        shared.metrics.receiving(1);
        Receiving(shared)
    }
}

impl Drop for Receiving<'_> {
    fn drop(&mut self) {
        self.0.metrics.receiving(-1);
    }
}

/// The answer to a body stream that broke: too slow between two chunks (408), or cut off.
fn stream_error(e: &axum::Error) -> ApiError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<tower_http::timeout::TimeoutError>() {
            return ApiError::new(ErrorCode::Timeout, "the body arrived too slowly");
        }
        source = s.source();
    }
    ApiError::new(
        ErrorCode::BadBody,
        format!("the body could not be read: {e}"),
    )
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

/// A connection whose writes may not stall: a client that reads nothing of its answer for
/// [`Limits::write_timeout`] loses the connection (hyper's own timeouts cover reading only).
struct WriteStall<S> {
    inner: S,
    limit: Duration,
    stalled: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl<S> WriteStall<S> {
    fn new(inner: S, limit: Duration) -> Self {
        WriteStall {
            inner,
            limit,
            stalled: None,
        }
    }

    /// After a write that could not proceed: an error once it has not for `limit`.
    fn pending<T>(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<T>> {
        let limit = self.limit;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match sleep.as_mut().poll(cx) {
            std::task::Poll::Ready(()) => std::task::Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client stopped reading its answer",
            ))),
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }
}

impl<S: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for WriteStall<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for WriteStall<S> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        match std::pin::Pin::new(&mut self.inner).poll_write(cx, buf) {
            std::task::Poll::Pending => self.pending(cx),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match std::pin::Pin::new(&mut self.inner).poll_flush(cx) {
            std::task::Poll::Pending => self.pending(cx),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
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
            runtime.block_on(accept_loop(listener, router, shared.clone(), stop_rx));
            // Blocking work still running (a verification whose client left) is not waited
            // for beyond the grace period; what it wrote goes with the service's directories.
            runtime.shutdown_timeout(Duration::from_secs(1));
            shared.remove_directories();
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
        let stream = WriteStall::new(stream, limits.write_timeout);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn answer(addr: SocketAddr, request: &[u8]) -> String {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(request).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The queue is full: a complete request is turned away at once with 503 and
    /// `Retry-After`, and admitted again once a place is free.
    #[test]
    fn admission_beyond_the_queue_is_503() {
        let limits = Limits {
            concurrency: 1,
            queue: 1,
            shutdown_grace: Duration::from_secs(2),
            ..Limits::default()
        };
        let shared = Shared::new(limits);
        let held = shared.admission.clone().try_acquire_many_owned(2).unwrap();
        let gate = Gate::new(&shared, 1 << 10);
        let running = spawn(
            "127.0.0.1:0".parse().unwrap(),
            move |_| {
                Router::new().route(
                    "/work",
                    axum::routing::post(|| async { "done" })
                        .layer(axum::middleware::from_fn_with_state(gate, admit)),
                )
            },
            shared.clone(),
        )
        .unwrap();
        let addr = running.local_addr();
        let request =
            b"POST /work HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 2\r\n\r\nab";
        let busy = answer(addr, request);
        assert!(busy.starts_with("HTTP/1.1 503"), "{busy}");
        assert!(
            busy.to_ascii_lowercase().contains("retry-after: 1"),
            "{busy}"
        );
        assert!(busy.contains("\"busy\""), "{busy}");
        // A body over the route's limit is 413 before any admission.
        let big =
            b"POST /work HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 4096\r\n\r\n";
        let too_large = answer(addr, big);
        assert!(too_large.starts_with("HTTP/1.1 413"), "{too_large}");
        drop(held);
        let ok = answer(addr, request);
        assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
        assert!(ok.ends_with("done"), "{ok}");
        running.shutdown().unwrap();
    }

    /// Work that outlives its request (the time limit fired) keeps its place until it ends:
    /// abandoned work cannot pile up beyond the concurrency limit and the queue.
    #[test]
    fn abandoned_work_keeps_its_place_until_it_ends() {
        let limits = Limits {
            concurrency: 1,
            queue: 0,
            request_timeout: Duration::from_millis(300),
            shutdown_grace: Duration::from_secs(2),
            ..Limits::default()
        };
        let shared = Shared::new(limits);
        let gate = Gate::new(&shared, 1 << 10);
        let for_route = shared.clone();
        let for_observe = shared.clone();
        let running = spawn(
            "127.0.0.1:0".parse().unwrap(),
            move |_| {
                Router::new()
                    .route(
                        "/work",
                        axum::routing::post(
                            move |axum::Extension(held): axum::Extension<Admission>| async move {
                                let _ = for_route
                                    .run_blocking(&held, || {
                                        std::thread::sleep(Duration::from_millis(1500))
                                    })
                                    .await;
                                "done"
                            },
                        )
                        .layer(axum::middleware::from_fn_with_state(gate, admit)),
                    )
                    .layer(axum::middleware::from_fn_with_state(for_observe, observe))
            },
            shared.clone(),
        )
        .unwrap();
        let addr = running.local_addr();
        let request =
            b"POST /work HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 2\r\n\r\nab";
        let started = Instant::now();
        let first = answer(addr, request);
        assert!(first.starts_with("HTTP/1.1 408"), "{first}");
        // The request is over, its work is not: no place for another.
        let second = answer(addr, request);
        assert!(second.starts_with("HTTP/1.1 503"), "{second}");
        assert!(started.elapsed() < Duration::from_millis(1400));
        std::thread::sleep(Duration::from_millis(1600));
        // The work ended: the place is free again (and this one times out in its turn).
        let third = answer(addr, request);
        assert!(third.starts_with("HTTP/1.1 408"), "{third}");
        running.shutdown().unwrap();
    }
}
