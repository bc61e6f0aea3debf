//! The counters behind `GET /metrics` (Prometheus text exposition format 0.0.4).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

/// Upper bounds of the latency histogram, seconds.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Counters of one service instance.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    /// (route, status) → requests.
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    /// verdict → documents.
    verdicts: Mutex<BTreeMap<&'static str, u64>>,
    /// Cumulative counts per bucket, plus +Inf last.
    latency: [AtomicU64; BUCKETS.len() + 1],
    latency_sum_micros: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    in_flight: AtomicI64,
    receiving: AtomicI64,
    rejected_busy: AtomicU64,
}

impl Metrics {
    /// Records one finished request.
    pub fn request(&self, route: &str, status: u16, seconds: f64, bytes_in: u64, bytes_out: u64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((route.to_owned(), status)).or_default() += 1;
        }
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                if let Some(b) = self.latency.get(i) {
                    b.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        if let Some(inf) = self.latency.last() {
            inf.fetch_add(1, Ordering::Relaxed);
        }
        self.latency_sum_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        self.bytes_in.fetch_add(bytes_in, Ordering::Relaxed);
        self.bytes_out.fetch_add(bytes_out, Ordering::Relaxed);
    }

    /// Records one document's verdict.
    pub fn verdict(&self, verdict: &'static str) {
        if let Ok(mut m) = self.verdicts.lock() {
            *m.entry(verdict).or_default() += 1;
        }
    }

    /// A request started (+1) or ended (-1) work.
    pub fn in_flight(&self, delta: i64) {
        self.in_flight.fetch_add(delta, Ordering::Relaxed);
    }

    /// A request body started (+1) or stopped (-1) arriving.
    pub fn receiving(&self, delta: i64) {
        self.receiving.fetch_add(delta, Ordering::Relaxed);
    }

    /// A request was turned away with 503.
    pub fn busy(&self) {
        self.rejected_busy.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP kyso_http_requests_total Requests answered, by route and status.\n");
        out.push_str("# TYPE kyso_http_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((route, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "kyso_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                    label(route)
                );
            }
        }
        out.push_str("# HELP kyso_verdicts_total Documents verified, by verdict.\n");
        out.push_str("# TYPE kyso_verdicts_total counter\n");
        if let Ok(m) = self.verdicts.lock() {
            for (verdict, n) in m.iter() {
                let _ = writeln!(out, "kyso_verdicts_total{{verdict=\"{verdict}\"}} {n}");
            }
        }
        out.push_str(
            "# HELP kyso_http_request_duration_seconds Time from the request's headers to the \
             answer's headers.\n",
        );
        out.push_str("# TYPE kyso_http_request_duration_seconds histogram\n");
        for (i, bound) in BUCKETS.iter().enumerate() {
            let n = self.latency.get(i).map_or(0, |b| b.load(Ordering::Relaxed));
            let _ = writeln!(
                out,
                "kyso_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {n}"
            );
        }
        let count = self.latency.last().map_or(0, |b| b.load(Ordering::Relaxed));
        let _ = writeln!(
            out,
            "kyso_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "kyso_http_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "kyso_http_request_duration_seconds_count {count}");
        out.push_str("# HELP kyso_http_request_bytes_total Request body bytes received.\n");
        out.push_str("# TYPE kyso_http_request_bytes_total counter\n");
        let _ = writeln!(
            out,
            "kyso_http_request_bytes_total {}",
            self.bytes_in.load(Ordering::Relaxed)
        );
        out.push_str("# HELP kyso_http_response_bytes_total Response body bytes sent.\n");
        out.push_str("# TYPE kyso_http_response_bytes_total counter\n");
        let _ = writeln!(
            out,
            "kyso_http_response_bytes_total {}",
            self.bytes_out.load(Ordering::Relaxed)
        );
        out.push_str("# HELP kyso_in_flight Requests working or waiting for a turn.\n");
        out.push_str("# TYPE kyso_in_flight gauge\n");
        let _ = writeln!(
            out,
            "kyso_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        out.push_str("# HELP kyso_receiving Request bodies arriving (not yet admitted to work).\n");
        out.push_str("# TYPE kyso_receiving gauge\n");
        let _ = writeln!(
            out,
            "kyso_receiving {}",
            self.receiving.load(Ordering::Relaxed)
        );
        out.push_str(
            "# HELP kyso_rejected_busy_total Requests turned away with 503 (queue full).\n",
        );
        out.push_str("# TYPE kyso_rejected_busy_total counter\n");
        let _ = writeln!(
            out,
            "kyso_rejected_busy_total {}",
            self.rejected_busy.load(Ordering::Relaxed)
        );
        out
    }
}

/// A label value escaped per the exposition format (backslash, quote, newline).
fn label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_counts_match() {
        let m = Metrics::default();
        m.request("/v1/verify", 200, 0.003, 10, 5);
        m.request("/v1/verify", 200, 0.2, 10, 5);
        m.request("/healthz", 200, 100.0, 0, 2);
        m.verdict("passed");
        let t = m.render();
        assert!(t.contains("kyso_http_requests_total{route=\"/v1/verify\",status=\"200\"} 2"));
        assert!(t.contains("kyso_http_request_duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(t.contains("kyso_http_request_duration_seconds_bucket{le=\"0.25\"} 2"));
        assert!(t.contains("kyso_http_request_duration_seconds_bucket{le=\"30\"} 2"));
        assert!(t.contains("kyso_http_request_duration_seconds_bucket{le=\"+Inf\"} 3"));
        assert!(t.contains("kyso_http_request_duration_seconds_count 3"));
        assert!(t.contains("kyso_http_request_bytes_total 20"));
        assert!(t.contains("kyso_verdicts_total{verdict=\"passed\"} 1"));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
