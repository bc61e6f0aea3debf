//! Stream data decoded before, kept per document so that a stream is decoded once however
//! often it is asked for (validation data read once per signature, the same stream reached
//! from several places).
//!
//! The key is where the data lies in the file and the filter chain as resolved: the same
//! bytes through the same filters decode to the same data in every revision. Small results
//! are kept (bounded in count and bytes); a stream that passed its per-stream limit is
//! remembered as such, so a decompression bomb is inflated once, not once per request.

use std::collections::HashMap;
use std::sync::Mutex;

use super::error::PdfError;

/// Largest decoded result kept.
const MAX_KEPT: usize = 1 << 20;
/// Most decoded bytes kept in all.
const MAX_BYTES: usize = 32 << 20;
/// Most entries.
const MAX_ENTRIES: usize = 4096;

/// What decoding a stream gave.
#[derive(Debug, Clone)]
enum Outcome {
    Data(Vec<u8>),
    /// More than `limit` bytes: the per-stream limit was passed.
    TooLarge {
        what: &'static str,
        limit: u64,
    },
}

/// The cache key: the data's span and the resolved filter chain, written out.
pub(crate) type Key = (u64, u64, String);

#[derive(Debug, Default)]
pub(crate) struct DecodedStreams {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<Key, Outcome>,
    bytes: usize,
}

impl DecodedStreams {
    /// What decoding `key` with at most `max` bytes gave before, if it is known.
    pub(crate) fn get(&self, key: &Key, max: u64) -> Option<Result<Vec<u8>, PdfError>> {
        let inner = self.inner.lock().ok()?;
        match inner.entries.get(key)? {
            Outcome::Data(d) if d.len() as u64 <= max => Some(Ok(d.clone())),
            Outcome::Data(_) => Some(Err(PdfError::budget("decoded stream bytes", max))),
            Outcome::TooLarge { what, limit } if max <= *limit => {
                Some(Err(PdfError::budget(what, max)))
            }
            Outcome::TooLarge { .. } => None,
        }
    }

    /// Remembers a result: data when it is small enough, a per-stream budget failure always
    /// (until the entry count is reached).
    pub(crate) fn put(&self, key: Key, result: &Result<Vec<u8>, PdfError>, max: u64) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.entries.len() >= MAX_ENTRIES {
            return;
        }
        let outcome = match result {
            Ok(d) if d.len() <= MAX_KEPT && inner.bytes + d.len() <= MAX_BYTES => {
                inner.bytes += d.len();
                Outcome::Data(d.clone())
            }
            Err(PdfError::BudgetExceeded { what, .. }) => Outcome::TooLarge { what, limit: max },
            _ => return,
        };
        inner.entries.insert(key, outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_and_budget_failures_are_remembered() {
        let c = DecodedStreams::default();
        let k = (1, 2, "Flate".to_owned());
        assert!(c.get(&k, 10).is_none());
        c.put(k.clone(), &Ok(b"abc".to_vec()), 10);
        assert_eq!(c.get(&k, 10).unwrap().unwrap(), b"abc");
        assert!(c.get(&k, 2).unwrap().is_err());
        let bomb = (5, 6, String::new());
        c.put(
            bomb.clone(),
            &Err(PdfError::budget("decoded stream bytes", 100)),
            100,
        );
        assert!(matches!(
            c.get(&bomb, 50),
            Some(Err(PdfError::BudgetExceeded { limit: 50, .. }))
        ));
        // A larger limit may succeed: decode again.
        assert!(c.get(&bomb, 200).is_none());
        // Other failures are not kept.
        let other = (7, 8, String::new());
        c.put(other.clone(), &Err(PdfError::NotPdf), 100);
        assert!(c.get(&other, 100).is_none());
    }
}
