//! What one verification may spend on the network: [`NetworkBudget`] (the limits),
//! [`NetworkMeter`] (what one verification has spent) and [`MeteredFetcher`] (a fetcher whose
//! every fetch is counted and bounded by a meter).
//!
//! Each fetch keeps its own limits (the fetcher's connect and overall timeouts, its size
//! cap). The budget bounds their sum for one document: the number of fetches, the time spent
//! fetching (wall clock, every fetch counted), and the bytes received. A fetch that starts is
//! given what is left (its deadline and size cap are cut to the remaining time and bytes), so
//! a verification never spends more than the budget, plus one name lookup's scheduling. Once
//! the budget is spent, every further fetch is refused at once with
//! [`FetchError::BudgetExhausted`]; path validation turns that into a
//! `network.budget_exhausted` finding, and a revocation status left unknown because of it is
//! never a pass.
//!
//! The meter also remembers the answers to GET requests (CRLs, issuer certificates) for the
//! rest of the verification, so the signatures of one document that share a CA fetch its CRL
//! once, and a URL that failed is not tried again. OCSP requests (POST, with a fresh nonce)
//! are never answered from memory.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::fetch::{FetchError, FetchLimits, Fetcher};

pub use crate::budget::NetworkBudget;

/// What a [`NetworkMeter`] has counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetworkUsage {
    /// Fetches made (answers given from memory are not counted).
    pub fetches: usize,
    /// Time spent fetching.
    pub time: Duration,
    /// Bytes received.
    pub bytes: u64,
    /// Fetches refused because the budget was spent.
    pub refused: usize,
}

/// Which limit ran out first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BudgetLimit {
    /// The number of fetches.
    Fetches,
    /// The time.
    Time,
    /// The bytes.
    Bytes,
}

impl BudgetLimit {
    fn describe(&self) -> &'static str {
        match self {
            BudgetLimit::Fetches => "its number of fetches",
            BudgetLimit::Time => "its time",
            BudgetLimit::Bytes => "its bytes",
        }
    }
}

/// Most GET answers remembered by one meter.
const MAX_REMEMBERED: usize = 64;

#[derive(Debug, Default)]
struct MeterState {
    usage: NetworkUsage,
    exhausted: Option<BudgetLimit>,
    remembered: Vec<(String, Result<Vec<u8>, FetchError>)>,
}

/// One verification's spending against a [`NetworkBudget`].
#[derive(Debug)]
pub struct NetworkMeter {
    budget: NetworkBudget,
    state: Mutex<MeterState>,
}

impl NetworkMeter {
    /// A meter with nothing spent.
    pub fn new(budget: NetworkBudget) -> Self {
        NetworkMeter {
            budget,
            state: Mutex::new(MeterState::default()),
        }
    }

    /// The budget.
    pub fn budget(&self) -> NetworkBudget {
        self.budget
    }

    /// What has been spent so far.
    pub fn usage(&self) -> NetworkUsage {
        self.lock().usage
    }

    /// The limit that ran out, if one did.
    pub fn exhausted(&self) -> Option<BudgetLimit> {
        self.lock().exhausted
    }

    /// One line for a report: which limit ran out and what was spent.
    pub fn summary(&self) -> String {
        let s = self.lock();
        let which = s
            .exhausted
            .map(|l| format!("ran out of {}", l.describe()))
            .unwrap_or_else(|| "was not exhausted".into());
        format!(
            "the network budget of this verification ({}) {which}: {} fetch(es) in {} s, {} \
             bytes received, {} fetch(es) refused",
            self.budget.describe(),
            s.usage.fetches,
            seconds(s.usage.time),
            s.usage.bytes,
            s.usage.refused
        )
    }

    fn lock(&self) -> MutexGuard<'_, MeterState> {
        // A panic elsewhere while counting leaves consistent numbers behind.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn refusal(&self, url: &str, s: &mut MeterState, limit: BudgetLimit) -> FetchError {
        s.exhausted.get_or_insert(limit);
        s.usage.refused += 1;
        FetchError::BudgetExhausted {
            url: url.to_string(),
            reason: format!(
                "the network budget of this verification ({}) ran out of {}",
                self.budget.describe(),
                s.exhausted.unwrap_or(limit).describe()
            ),
        }
    }

    /// Starts a fetch: the limits it gets, or the refusal when the budget is spent.
    fn begin(&self, url: &str) -> Result<FetchLimits, FetchError> {
        let mut s = self.lock();
        if let Some(limit) = s.exhausted {
            return Err(self.refusal(url, &mut s, limit));
        }
        if s.usage.fetches >= self.budget.max_fetches {
            return Err(self.refusal(url, &mut s, BudgetLimit::Fetches));
        }
        let time_left = self.budget.max_time.saturating_sub(s.usage.time);
        if time_left.is_zero() {
            return Err(self.refusal(url, &mut s, BudgetLimit::Time));
        }
        let bytes_left = self.budget.max_bytes.saturating_sub(s.usage.bytes);
        if bytes_left == 0 {
            return Err(self.refusal(url, &mut s, BudgetLimit::Bytes));
        }
        s.usage.fetches += 1;
        Ok(FetchLimits {
            deadline: Instant::now().checked_add(time_left),
            max_bytes: Some(bytes_left),
        })
    }

    /// Ends a fetch started at `started` with `limits`: counts it, and turns a failure that
    /// the budget caused into [`FetchError::BudgetExhausted`].
    fn end(
        &self,
        url: &str,
        started: Instant,
        limits: FetchLimits,
        result: Result<Vec<u8>, FetchError>,
    ) -> Result<Vec<u8>, FetchError> {
        let elapsed = started.elapsed();
        let mut s = self.lock();
        s.usage.time = s.usage.time.saturating_add(elapsed);
        let out_of_time = s.usage.time >= self.budget.max_time;
        let result = match result {
            Ok(body) => {
                s.usage.bytes = s.usage.bytes.saturating_add(body.len() as u64);
                Ok(body)
            }
            Err(FetchError::TooLarge { limit, .. })
                if limits.max_bytes.is_some_and(|m| limit as u64 >= m) =>
            {
                s.usage.bytes = self.budget.max_bytes;
                Err(self.refusal(url, &mut s, BudgetLimit::Bytes))
            }
            Err(_) if out_of_time => Err(self.refusal(url, &mut s, BudgetLimit::Time)),
            Err(e) => Err(e),
        };
        if out_of_time {
            s.exhausted.get_or_insert(BudgetLimit::Time);
        } else if s.usage.bytes >= self.budget.max_bytes {
            s.exhausted.get_or_insert(BudgetLimit::Bytes);
        }
        result
    }

    fn remembered(&self, url: &str) -> Option<Result<Vec<u8>, FetchError>> {
        self.lock()
            .remembered
            .iter()
            .find(|(u, _)| u == url)
            .map(|(_, r)| r.clone())
    }

    fn remember(&self, url: &str, result: &Result<Vec<u8>, FetchError>) {
        if matches!(result, Err(FetchError::BudgetExhausted { .. })) {
            return;
        }
        let mut s = self.lock();
        if s.remembered.len() < MAX_REMEMBERED {
            s.remembered.push((url.to_string(), result.clone()));
        }
    }
}

/// A fetcher whose fetches one [`NetworkMeter`] counts and bounds: what a verification
/// puts around the caller's fetcher, with the network part of
/// [`crate::verify::VerifyOptions::document_budget`]. Callers that drive [`super::PathValidator`] themselves can wrap their
/// fetcher the same way.
#[derive(Clone)]
pub struct MeteredFetcher {
    inner: Arc<dyn Fetcher>,
    meter: Arc<NetworkMeter>,
}

impl std::fmt::Debug for MeteredFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeteredFetcher")
            .field("meter", &self.meter)
            .finish_non_exhaustive()
    }
}

impl MeteredFetcher {
    /// `inner`, counted by a new meter with `budget`.
    pub fn new(inner: Arc<dyn Fetcher>, budget: NetworkBudget) -> Self {
        MeteredFetcher {
            inner,
            meter: Arc::new(NetworkMeter::new(budget)),
        }
    }

    /// The meter.
    pub fn meter(&self) -> &Arc<NetworkMeter> {
        &self.meter
    }
}

impl Fetcher for MeteredFetcher {
    fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        if let Some(r) = self.meter.remembered(url) {
            return r;
        }
        let limits = self.meter.begin(url)?;
        let started = Instant::now();
        let result = self.inner.get_within(url, limits);
        let result = self.meter.end(url, started, limits, result);
        self.meter.remember(url, &result);
        result
    }

    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, FetchError> {
        let limits = self.meter.begin(url)?;
        let started = Instant::now();
        let result = self.inner.post_within(url, content_type, body, limits);
        self.meter.end(url, started, limits, result)
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Answers every GET after `delay` with `size` bytes, or with an error for URLs that
    /// contain "fail"; counts the calls.
    struct Slow {
        delay: Duration,
        size: usize,
        calls: AtomicUsize,
    }

    impl Fetcher for Slow {
        fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
            self.get_within(url, FetchLimits::default())
        }
        fn post(&self, url: &str, _: &str, _: &[u8]) -> Result<Vec<u8>, FetchError> {
            self.get_within(url, FetchLimits::default())
        }
        fn get_within(&self, url: &str, limits: FetchLimits) -> Result<Vec<u8>, FetchError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            // Honour the deadline as a real fetcher does.
            let wait = match limits.deadline {
                Some(d) => self.delay.min(d.saturating_duration_since(Instant::now())),
                None => self.delay,
            };
            std::thread::sleep(wait);
            if wait < self.delay {
                return Err(FetchError::Transport {
                    url: url.into(),
                    reason: "timed out".into(),
                });
            }
            if url.contains("fail") {
                return Err(FetchError::Status {
                    url: url.into(),
                    status: 500,
                });
            }
            if limits.max_bytes.is_some_and(|m| self.size as u64 > m) {
                return Err(FetchError::TooLarge {
                    url: url.into(),
                    limit: limits.max_bytes.unwrap_or(0) as usize,
                });
            }
            Ok(vec![0; self.size])
        }
    }

    fn slow(delay_ms: u64, size: usize) -> Arc<Slow> {
        Arc::new(Slow {
            delay: Duration::from_millis(delay_ms),
            size,
            calls: AtomicUsize::new(0),
        })
    }

    #[test]
    fn the_number_of_fetches_is_bounded_and_gets_are_remembered() {
        let inner = slow(0, 10);
        let f = MeteredFetcher::new(
            inner.clone(),
            NetworkBudget::new(3, Duration::from_secs(10), 1 << 20),
        );
        assert!(f.get("http://a/1").is_ok());
        // The same GET again is answered from memory, failures included.
        assert!(f.get("http://a/1").is_ok());
        assert!(f.get("http://a/fail").is_err());
        assert!(f.get("http://a/fail").is_err());
        assert_eq!(inner.calls.load(Ordering::SeqCst), 2);
        assert!(f.post("http://a/ocsp", "x", b"").is_ok());
        let err = f.post("http://a/ocsp", "x", b"").unwrap_err();
        assert!(matches!(err, FetchError::BudgetExhausted { .. }), "{err}");
        assert!(err.to_string().contains("number of fetches"), "{err}");
        assert_eq!(inner.calls.load(Ordering::SeqCst), 3);
        assert_eq!(f.meter().exhausted(), Some(BudgetLimit::Fetches));
        assert_eq!(f.meter().usage().fetches, 3);
        assert_eq!(f.meter().usage().refused, 1);
        assert!(f
            .meter()
            .summary()
            .contains("ran out of its number of fetches"));
    }

    #[test]
    fn time_is_bounded_across_fetches_and_the_last_fetch_is_cut() {
        let inner = slow(400, 10);
        let f = MeteredFetcher::new(
            inner.clone(),
            NetworkBudget::new(100, Duration::from_millis(1000), 1 << 20),
        );
        let start = Instant::now();
        let mut results = Vec::new();
        for i in 0..10 {
            results.push(f.get(&format!("http://slow/{i}")));
        }
        let took = start.elapsed();
        // Two whole fetches (800 ms), the third cut at the budget's end, the rest refused.
        assert!(results[0].is_ok() && results[1].is_ok());
        assert!(matches!(
            results[2],
            Err(FetchError::BudgetExhausted { .. })
        ));
        assert!(results[3..]
            .iter()
            .all(|r| matches!(r, Err(FetchError::BudgetExhausted { .. }))));
        assert_eq!(inner.calls.load(Ordering::SeqCst), 3);
        assert!(took < Duration::from_millis(1300), "{took:?}");
        assert!(took >= Duration::from_millis(990), "{took:?}");
        assert_eq!(f.meter().exhausted(), Some(BudgetLimit::Time));
    }

    #[test]
    fn bytes_are_bounded_across_fetches() {
        let inner = slow(0, 600);
        let f = MeteredFetcher::new(
            inner.clone(),
            NetworkBudget::new(100, Duration::from_secs(10), 1000),
        );
        assert!(f.get("http://a/1").is_ok());
        // 400 bytes left: the second answer is too large for what is left.
        let err = f.get("http://a/2").unwrap_err();
        assert!(matches!(err, FetchError::BudgetExhausted { .. }), "{err}");
        assert!(err.to_string().contains("bytes"), "{err}");
        assert!(f.get("http://a/3").is_err());
        assert_eq!(inner.calls.load(Ordering::SeqCst), 2);
        assert_eq!(f.meter().exhausted(), Some(BudgetLimit::Bytes));
    }
}
