//! One budget per document: how much decoding, reading and time one verification may cost in
//! all, whatever the document asks for.
//!
//! [`pdf::Budget`](crate::pdf::Budget) bounds each object and each stream; this bounds their
//! sum. A document that points a thousand file specifications at one stream that inflates to
//! 4 GiB passes every per-stream limit and still costs hours without it. Every part of a
//! verification that decodes or re-reads stream data spends from one [`DocumentMeter`]:
//! object streams, content and validation-data streams, embedded files, the stream
//! comparisons of the difference analysis. The first limit reached stops the rest (the meter
//! stays exhausted), and the verification reports
//! [`Code::BudgetDocumentExhausted`](crate::report::Code::BudgetDocumentExhausted): no
//! signature of a document that was not fully examined passes.
//!
//! The network side of a verification is one more part: [`DocumentBudget::network`] limits
//! the fetches one document may cause (their number, time and bytes; see
//! [`crate::pki::NetworkMeter`]), and the document's deadline bounds their time too.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Limits on what one document's verification may cost in all. Start from
/// [`DocumentBudget::default`] and change what you need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DocumentBudget {
    /// Most bytes all stream filters together may produce for one document (default 8 GiB:
    /// twice the largest embedded file kyso streams, 4 GiB). Each distinct stream is decoded
    /// at most once per verification, so this is the document's real decoding cost.
    pub max_decoded_bytes: u64,
    /// Most bytes of stream data handled in all: what filters read and produce, unfiltered
    /// stream data read, and stream data re-read to compare revisions (default 16 GiB). The
    /// signed byte ranges are not counted: hashing them costs one pass over the file.
    pub max_work_bytes: u64,
    /// Wall-clock time one document's verification may take, from when it starts (default
    /// 300 s; `None`: no deadline). Checked while decoding and between signatures, and the
    /// network time is never more than it.
    pub deadline: Option<Duration>,
    /// What the document's fetches may cost in all (only with online fetching).
    pub network: NetworkBudget,
}

impl Default for DocumentBudget {
    fn default() -> Self {
        DocumentBudget {
            max_decoded_bytes: 8 << 30,
            max_work_bytes: 16 << 30,
            deadline: Some(Duration::from_secs(300)),
            network: NetworkBudget::default(),
        }
    }
}

impl DocumentBudget {
    /// No limit at all (for callers that bound the work otherwise).
    pub fn unlimited() -> Self {
        DocumentBudget {
            max_decoded_bytes: u64::MAX,
            max_work_bytes: u64::MAX,
            deadline: None,
            network: NetworkBudget::new(usize::MAX, Duration::MAX, u64::MAX),
        }
    }

    /// Sets [`DocumentBudget::max_decoded_bytes`].
    pub fn max_decoded_bytes(mut self, bytes: u64) -> Self {
        self.max_decoded_bytes = bytes;
        self
    }

    /// Sets [`DocumentBudget::max_work_bytes`].
    pub fn max_work_bytes(mut self, bytes: u64) -> Self {
        self.max_work_bytes = bytes;
        self
    }

    /// Sets [`DocumentBudget::deadline`].
    pub fn deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// Sets [`DocumentBudget::network`].
    pub fn network(mut self, network: NetworkBudget) -> Self {
        self.network = network;
        self
    }

    /// The network budget as one verification may spend it: its time no longer than the
    /// deadline.
    pub fn network_within_deadline(&self) -> NetworkBudget {
        let mut n = self.network;
        if let Some(d) = self.deadline {
            n.max_time = n.max_time.min(d);
        }
        n
    }
}

/// Limits on what one verification may spend on the network, across every fetch of its
/// signatures, timestamps, certificate paths and revocation checks.
///
/// Defaults: 16 fetches, 30 seconds, 32 MiB. A signature usually needs two to four fetches
/// (the signer's OCSP response, a CA's CRL, sometimes a missing issuer, the timestamp
/// authority's status), and a CA's CRL is fetched once per document (answers to GET
/// requests are remembered), so 16 covers documents with several signatures from the usual
/// authorities. 30 seconds is two slow fetches at the default per-fetch timeout (15 s), and
/// bounds what a document full of slow URLs can cost a verification service. 32 MiB holds
/// two of the largest national CRLs seen (over 10 MB each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetworkBudget {
    /// Most fetches (each URL asked, redirects included in one fetch).
    pub max_fetches: usize,
    /// Most time spent fetching, all fetches together.
    pub max_time: Duration,
    /// Most bytes received, all answers together.
    pub max_bytes: u64,
}

impl Default for NetworkBudget {
    fn default() -> Self {
        NetworkBudget {
            max_fetches: 16,
            max_time: Duration::from_secs(30),
            max_bytes: 32 << 20,
        }
    }
}

impl NetworkBudget {
    /// A budget with these limits.
    pub fn new(max_fetches: usize, max_time: Duration, max_bytes: u64) -> Self {
        NetworkBudget {
            max_fetches,
            max_time,
            max_bytes,
        }
    }

    pub(crate) fn describe(&self) -> String {
        format!(
            "{} fetches, {} s, {} bytes",
            self.max_fetches,
            self.max_time.as_secs_f64(),
            self.max_bytes
        )
    }
}

/// Which part of a [`DocumentBudget`] ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BudgetExhausted {
    /// [`DocumentBudget::max_decoded_bytes`].
    #[error("more than {limit} bytes decoded from the document's streams in all")]
    DecodedBytes {
        /// The limit.
        limit: u64,
    },
    /// [`DocumentBudget::max_work_bytes`].
    #[error("more than {limit} bytes of stream data read and decoded in all")]
    Work {
        /// The limit.
        limit: u64,
    },
    /// [`DocumentBudget::deadline`].
    #[error("the verification took longer than its deadline of {} s", limit.as_secs())]
    Deadline {
        /// The deadline.
        limit: Duration,
    },
}

impl BudgetExhausted {
    /// A short name of the limit (as in [`crate::pdf::PdfError::BudgetExceeded`]).
    pub fn what(&self) -> &'static str {
        match self {
            BudgetExhausted::DecodedBytes { .. } => "bytes decoded in the whole document",
            BudgetExhausted::Work { .. } => "bytes of stream data handled in the whole document",
            BudgetExhausted::Deadline { .. } => "seconds of verification time for the document",
        }
    }

    /// The limit as a number: bytes, or whole seconds for the deadline.
    pub fn limit(&self) -> u64 {
        match self {
            BudgetExhausted::DecodedBytes { limit } | BudgetExhausted::Work { limit } => *limit,
            BudgetExhausted::Deadline { limit } => limit.as_secs(),
        }
    }
}

#[derive(Debug)]
struct Inner {
    budget: DocumentBudget,
    started: Instant,
    decoded: AtomicU64,
    work: AtomicU64,
    exhausted: OnceLock<BudgetExhausted>,
}

/// What one document's verification has spent of its [`DocumentBudget`]. Clones share the
/// counters (a document and the parts that read it hold the same meter); it is safe to use
/// from several threads. Once a limit is reached the meter stays exhausted: every later
/// spending fails at once, so the rest of the work stops instead of retrying.
#[derive(Debug, Clone)]
pub struct DocumentMeter {
    inner: Arc<Inner>,
}

impl DocumentMeter {
    /// A meter for `budget`; the deadline's clock starts now.
    pub fn start(budget: DocumentBudget) -> Self {
        DocumentMeter {
            inner: Arc::new(Inner {
                budget,
                started: Instant::now(),
                decoded: AtomicU64::new(0),
                work: AtomicU64::new(0),
                exhausted: OnceLock::new(),
            }),
        }
    }

    /// A meter that never runs out (it still counts).
    pub fn unlimited() -> Self {
        Self::start(DocumentBudget::unlimited())
    }

    /// The budget this meter spends from.
    pub fn budget(&self) -> &DocumentBudget {
        &self.inner.budget
    }

    /// Bytes decoded so far.
    pub fn decoded(&self) -> u64 {
        self.inner.decoded.load(Ordering::Relaxed)
    }

    /// Bytes of stream data handled so far.
    pub fn work(&self) -> u64 {
        self.inner.work.load(Ordering::Relaxed)
    }

    /// Time since the meter started.
    pub fn elapsed(&self) -> Duration {
        self.inner.started.elapsed()
    }

    /// The limit that ran out first, if one did.
    pub fn exhausted(&self) -> Option<BudgetExhausted> {
        self.inner.exhausted.get().copied()
    }

    /// Bytes that may still be decoded.
    pub fn decoded_left(&self) -> u64 {
        let b = &self.inner.budget;
        b.max_decoded_bytes
            .saturating_sub(self.decoded())
            .min(b.max_work_bytes.saturating_sub(self.work()))
    }

    fn fail(&self, why: BudgetExhausted) -> BudgetExhausted {
        // The first limit reached is the one reported.
        *self.inner.exhausted.get_or_init(|| why)
    }

    /// Fails when a limit was reached before or the deadline has passed.
    pub fn check(&self) -> Result<(), BudgetExhausted> {
        if let Some(e) = self.exhausted() {
            return Err(e);
        }
        if let Some(limit) = self.inner.budget.deadline {
            if self.elapsed() > limit {
                return Err(self.fail(BudgetExhausted::Deadline { limit }));
            }
        }
        Ok(())
    }

    /// Records `n` bytes produced by a filter (they count as work too).
    pub fn spend_decoded(&self, n: u64) -> Result<(), BudgetExhausted> {
        self.check()?;
        let limit = self.inner.budget.max_decoded_bytes;
        let total = self
            .inner
            .decoded
            .fetch_add(n, Ordering::Relaxed)
            .saturating_add(n);
        if total > limit {
            return Err(self.fail(BudgetExhausted::DecodedBytes { limit }));
        }
        self.add_work(n)
    }

    /// Records `n` bytes of stream data read or compared.
    pub fn spend_work(&self, n: u64) -> Result<(), BudgetExhausted> {
        self.check()?;
        self.add_work(n)
    }

    fn add_work(&self, n: u64) -> Result<(), BudgetExhausted> {
        let limit = self.inner.budget.max_work_bytes;
        let total = self
            .inner
            .work
            .fetch_add(n, Ordering::Relaxed)
            .saturating_add(n);
        if total > limit {
            return Err(self.fail(BudgetExhausted::Work { limit }));
        }
        Ok(())
    }
}

/// A reader that spends what passes through it from a meter: as decoded bytes (the output
/// of a decoder) or as work (stream data read). When the meter runs out, reading fails with
/// an [`std::io::Error`] whose source is the [`BudgetExhausted`].
pub(crate) struct MeteredReader<'m, R> {
    inner: R,
    meter: &'m DocumentMeter,
    decoded: bool,
}

impl<'m, R> MeteredReader<'m, R> {
    /// Counts what `inner` yields as decoded bytes.
    pub(crate) fn decoded(inner: R, meter: &'m DocumentMeter) -> Self {
        MeteredReader {
            inner,
            meter,
            decoded: true,
        }
    }

    /// Counts what `inner` yields as work.
    pub(crate) fn work(inner: R, meter: &'m DocumentMeter) -> Self {
        MeteredReader {
            inner,
            meter,
            decoded: false,
        }
    }
}

impl<R: std::io::Read> std::io::Read for MeteredReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let spent = if self.decoded {
            self.meter.spend_decoded(n as u64)
        } else {
            self.meter.spend_work(n as u64)
        };
        spent.map_err(std::io::Error::other)?;
        Ok(n)
    }
}

impl<R: std::io::BufRead> std::io::BufRead for MeteredReader<'_, R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.meter.check().map_err(std::io::Error::other)?;
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        let spent = if self.decoded {
            self.meter.spend_decoded(amt as u64)
        } else {
            self.meter.spend_work(amt as u64)
        };
        // The next fill_buf reports an exhausted meter.
        let _ = spent;
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn limits_are_sticky_and_the_first_one_is_reported() {
        let m = DocumentMeter::start(
            DocumentBudget::default()
                .max_decoded_bytes(100)
                .max_work_bytes(150),
        );
        assert!(m.spend_decoded(60).is_ok());
        assert!(m.spend_work(50).is_ok());
        assert_eq!(m.decoded_left(), 40);
        assert_eq!(
            m.spend_decoded(41),
            Err(BudgetExhausted::DecodedBytes { limit: 100 })
        );
        // Everything fails from now on, with the first reason.
        assert_eq!(
            m.spend_work(1),
            Err(BudgetExhausted::DecodedBytes { limit: 100 })
        );
        assert_eq!(m.check(), Err(BudgetExhausted::DecodedBytes { limit: 100 }));
        assert_eq!(
            m.exhausted(),
            Some(BudgetExhausted::DecodedBytes { limit: 100 })
        );
        // Clones share the state.
        assert!(m.clone().check().is_err());
    }

    #[test]
    fn work_counts_decoded_bytes_too() {
        let m = DocumentMeter::start(DocumentBudget::default().max_work_bytes(10));
        assert!(m.spend_decoded(6).is_ok());
        assert_eq!(m.decoded_left(), 4);
        assert_eq!(m.spend_work(5), Err(BudgetExhausted::Work { limit: 10 }));
    }

    #[test]
    fn the_deadline_stops_spending() {
        let m = DocumentMeter::start(DocumentBudget::default().deadline(Some(Duration::ZERO)));
        std::thread::sleep(Duration::from_millis(2));
        assert!(matches!(
            m.spend_work(1),
            Err(BudgetExhausted::Deadline { .. })
        ));
        let e: crate::pdf::PdfError = m.exhausted().unwrap().into();
        assert!(e.to_string().contains("verification time"), "{e}");
        assert!(DocumentMeter::unlimited()
            .spend_decoded(u64::MAX / 2)
            .is_ok());
    }

    #[test]
    fn a_metered_reader_stops_at_the_limit() {
        let m = DocumentMeter::start(DocumentBudget::default().max_decoded_bytes(1000));
        let data = vec![7u8; 5000];
        let mut r = MeteredReader::decoded(&data[..], &m);
        let mut out = Vec::new();
        let err = r.read_to_end(&mut out).unwrap_err();
        assert!(err.to_string().contains("1000"), "{err}");
        assert!(out.len() <= 1000);
        assert!(m.exhausted().is_some());
    }
}
