//! Work that depends only on its input bytes, done once and remembered across signatures and
//! files: parsed certificates (by their DER) and verified signatures of certificates and CRLs
//! (by the issuer's key and the signed DER).
//!
//! A dossier's signatures usually share their CA certificates, and a service that verifies
//! many files sees the same officials and CAs again and again. Each entry is keyed by the
//! SHA-256 of everything its result depends on, so a hit gives exactly the result the work
//! would have given: verdicts are the same with the cache, without it, and whatever it holds.
//! Only successes are kept (a failed check is done again; failures are rare and cheap to
//! report). Path budgets count a remembered check like a performed one, so a search stops at
//! the same point either way.
//!
//! Memory is bounded: each map holds at most its capacity and is emptied when full.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::cert::{CertError, Certificate};
use crate::crypto::{verify_certificate_signature, verify_signed_der};
use crate::crypto::{SignatureCheckError, VerifiedWith};

/// Default number of parsed certificates kept.
pub const DEFAULT_CERTIFICATE_CAPACITY: usize = 1024;
/// Default number of verified signatures kept.
pub const DEFAULT_SIGNATURE_CAPACITY: usize = 4096;

type Key = [u8; 32];

/// The cache that remembers nothing, for validators not given one.
pub(crate) static NO_CACHE: VerificationCache = VerificationCache::disabled();

/// A shared, bounded memory of certificate parses and certificate or CRL signature checks.
///
/// Cloning is cheap and shares the memory (it is an [`Arc`]); it is safe to use from several
/// threads at once. [`crate::verify::VerifyOptions`] carries one, so every verification made
/// with the same options (and batch verification) shares it.
///
/// ```
/// use kyso::pki::VerificationCache;
///
/// let cache = VerificationCache::new();
/// assert_eq!(cache.stats().certificates, 0);
/// let off = VerificationCache::disabled();
/// assert!(!off.is_enabled());
/// ```
#[derive(Clone, Default)]
pub struct VerificationCache {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    certificates: Mutex<HashMap<Key, Certificate>>,
    signatures: Mutex<HashMap<Key, VerifiedWith>>,
    certificate_capacity: usize,
    signature_capacity: usize,
    certificate_hits: AtomicU64,
    signature_hits: AtomicU64,
    signature_misses: AtomicU64,
}

/// What a cache holds and how often it answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Parsed certificates held.
    pub certificates: usize,
    /// Verified signatures held.
    pub signatures: usize,
    /// Certificate parses answered from memory.
    pub certificate_hits: u64,
    /// Signature checks answered from memory.
    pub signature_hits: u64,
    /// Signature checks performed (and remembered when they succeeded).
    pub signature_misses: u64,
}

impl std::fmt::Debug for VerificationCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationCache")
            .field("enabled", &self.is_enabled())
            .field("stats", &self.stats())
            .finish()
    }
}

impl VerificationCache {
    /// A cache with the default capacities.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CERTIFICATE_CAPACITY, DEFAULT_SIGNATURE_CAPACITY)
    }

    /// A cache holding at most `certificates` parsed certificates and `signatures` verified
    /// signatures.
    pub fn with_capacity(certificates: usize, signatures: usize) -> Self {
        VerificationCache {
            inner: Some(Arc::new(Inner {
                certificates: Mutex::new(HashMap::new()),
                signatures: Mutex::new(HashMap::new()),
                certificate_capacity: certificates,
                signature_capacity: signatures,
                certificate_hits: AtomicU64::new(0),
                signature_hits: AtomicU64::new(0),
                signature_misses: AtomicU64::new(0),
            })),
        }
    }

    /// No memory: every parse and check is done each time.
    pub const fn disabled() -> Self {
        VerificationCache { inner: None }
    }

    /// Whether this cache remembers anything.
    pub fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// Forgets everything (the counters too).
    pub fn clear(&self) {
        if let Some(inner) = &self.inner {
            lock(&inner.certificates).clear();
            lock(&inner.signatures).clear();
            for c in [
                &inner.certificate_hits,
                &inner.signature_hits,
                &inner.signature_misses,
            ] {
                c.store(0, Ordering::Relaxed);
            }
        }
    }

    /// What the cache holds and how often it answered.
    pub fn stats(&self) -> CacheStats {
        let Some(inner) = &self.inner else {
            return CacheStats::default();
        };
        CacheStats {
            certificates: lock(&inner.certificates).len(),
            signatures: lock(&inner.signatures).len(),
            certificate_hits: inner.certificate_hits.load(Ordering::Relaxed),
            signature_hits: inner.signature_hits.load(Ordering::Relaxed),
            signature_misses: inner.signature_misses.load(Ordering::Relaxed),
        }
    }

    /// [`Certificate::from_der`], remembered.
    pub fn certificate(&self, der: &[u8]) -> Result<Certificate, CertError> {
        let Some(inner) = &self.inner else {
            return Certificate::from_der(der);
        };
        let key = key(b"certificate", &[der]);
        if let Some(c) = lock(&inner.certificates).get(&key) {
            let c = c.clone();
            inner.certificate_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(c);
        }
        let cert = Certificate::from_der(der)?;
        insert(
            &inner.certificates,
            inner.certificate_capacity,
            key,
            cert.clone(),
        );
        Ok(cert)
    }

    /// [`verify_certificate_signature`], successes remembered.
    pub fn verify_certificate_signature(
        &self,
        issuer_spki: &[u8],
        cert_der: &[u8],
    ) -> Result<VerifiedWith, SignatureCheckError> {
        self.signature(b"certificate signature", issuer_spki, cert_der, || {
            verify_certificate_signature(issuer_spki, cert_der)
        })
    }

    /// [`verify_signed_der`] (a CRL, or any `SIGNED{}` structure), successes remembered.
    pub fn verify_signed_der(
        &self,
        issuer_spki: &[u8],
        signed_der: &[u8],
    ) -> Result<VerifiedWith, SignatureCheckError> {
        self.signature(b"signed structure", issuer_spki, signed_der, || {
            verify_signed_der(issuer_spki, signed_der)
        })
    }

    fn signature(
        &self,
        domain: &[u8],
        spki: &[u8],
        der: &[u8],
        check: impl FnOnce() -> Result<VerifiedWith, SignatureCheckError>,
    ) -> Result<VerifiedWith, SignatureCheckError> {
        let Some(inner) = &self.inner else {
            return check();
        };
        let key = key(domain, &[spki, der]);
        if let Some(with) = lock(&inner.signatures).get(&key).copied() {
            inner.signature_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(with);
        }
        inner.signature_misses.fetch_add(1, Ordering::Relaxed);
        let with = check()?;
        insert(&inner.signatures, inner.signature_capacity, key, with);
        Ok(with)
    }
}

/// SHA-256 over a domain label and length-prefixed parts: no two different inputs share an
/// encoding.
fn key(domain: &[u8], parts: &[&[u8]]) -> Key {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(&(domain.len() as u64).to_be_bytes());
    ctx.update(domain);
    for p in parts {
        ctx.update(&(p.len() as u64).to_be_bytes());
        ctx.update(p);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

fn insert<V>(map: &Mutex<HashMap<Key, V>>, capacity: usize, key: Key, value: V) {
    if capacity == 0 {
        return;
    }
    let mut map = lock(map);
    if map.len() >= capacity && !map.contains_key(&key) {
        map.clear();
    }
    map.insert(key, value);
}

/// The maps hold plain values that are never left half-written, so a panic elsewhere while
/// a lock was held does not make them wrong: a poisoned lock is used as it is.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_separate_parts_and_domains() {
        assert_ne!(key(b"a", &[b"xy", b"z"]), key(b"a", &[b"x", b"yz"]));
        assert_ne!(key(b"a", &[b"xy"]), key(b"b", &[b"xy"]));
        assert_eq!(key(b"a", &[b"xy"]), key(b"a", &[b"xy"]));
    }

    #[test]
    fn capacity_bounds_the_map() {
        let map = Mutex::new(HashMap::new());
        for i in 0..10u8 {
            insert(&map, 4, key(b"t", &[&[i]]), i);
            assert!(lock(&map).len() <= 4);
        }
        insert(&map, 0, key(b"t", &[b"never"]), 0);
        assert!(!lock(&map).contains_key(&key(b"t", &[b"never"])));
    }

    #[test]
    fn malformed_input_is_not_remembered() {
        let cache = VerificationCache::new();
        assert!(cache.certificate(b"not a certificate").is_err());
        assert!(cache
            .verify_certificate_signature(b"no key", b"no cert")
            .is_err());
        let s = cache.stats();
        assert_eq!((s.certificates, s.signatures), (0, 0));
        assert_eq!(s.signature_misses, 1);
    }
}
