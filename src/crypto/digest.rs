//! Message digests: ring for SHA-1 and SHA-2 (the hot path), the RustCrypto `sha2`, `sha3`
//! and `shake` crates for SHA-224, SHA-3 and SHAKE256 (which ring does not have).

use sha2::Digest as _;
use shake::{ExtendableOutput as _, Update as _};

use super::algorithm::DigestAlgorithm;

/// An incremental digest computation.
///
/// ```
/// use kyso::crypto::{digest, DigestAlgorithm, Hasher};
/// let mut hasher = Hasher::new(DigestAlgorithm::Sha256);
/// hasher.update(b"hello ");
/// hasher.update(b"world");
/// assert_eq!(hasher.finish(), digest(DigestAlgorithm::Sha256, b"hello world"));
/// ```
#[derive(Clone)]
pub struct Hasher {
    algorithm: DigestAlgorithm,
    state: State,
}

/// The running state: ring's context for the algorithms ring has, a RustCrypto one otherwise.
#[derive(Clone)]
enum State {
    Ring(ring::digest::Context),
    Sha224(sha2::Sha224),
    Sha3_224(sha3::Sha3_224),
    Sha3_256(sha3::Sha3_256),
    Sha3_384(sha3::Sha3_384),
    Sha3_512(sha3::Sha3_512),
    Shake256(shake::Shake256),
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl Hasher {
    /// Starts a digest with `algorithm`.
    pub fn new(algorithm: DigestAlgorithm) -> Self {
        let state = match (algorithm.ring(), algorithm) {
            (Some(ring_alg), _) => State::Ring(ring::digest::Context::new(ring_alg)),
            (None, DigestAlgorithm::Sha3_224) => State::Sha3_224(sha3::Sha3_224::new()),
            (None, DigestAlgorithm::Sha3_256) => State::Sha3_256(sha3::Sha3_256::new()),
            (None, DigestAlgorithm::Sha3_384) => State::Sha3_384(sha3::Sha3_384::new()),
            (None, DigestAlgorithm::Sha3_512) => State::Sha3_512(sha3::Sha3_512::new()),
            (None, DigestAlgorithm::Shake256) => State::Shake256(shake::Shake256::default()),
            // SHA-224, and (unreachable: ring has them) SHA-1 and SHA-2.
            (None, _) => State::Sha224(sha2::Sha224::new()),
        };
        Hasher { algorithm, state }
    }

    /// The algorithm in use.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// Feeds more bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        match &mut self.state {
            State::Ring(context) => context.update(bytes),
            State::Sha224(h) => sha2::Digest::update(h, bytes),
            State::Sha3_224(h) => sha3::Digest::update(h, bytes),
            State::Sha3_256(h) => sha3::Digest::update(h, bytes),
            State::Sha3_384(h) => sha3::Digest::update(h, bytes),
            State::Sha3_512(h) => sha3::Digest::update(h, bytes),
            State::Shake256(h) => h.update(bytes),
        }
    }

    /// The digest of everything fed so far.
    pub fn finish(self) -> Vec<u8> {
        match self.state {
            State::Ring(context) => context.finish().as_ref().to_vec(),
            State::Sha224(h) => h.finalize().to_vec(),
            State::Sha3_224(h) => h.finalize().to_vec(),
            State::Sha3_256(h) => h.finalize().to_vec(),
            State::Sha3_384(h) => h.finalize().to_vec(),
            State::Sha3_512(h) => h.finalize().to_vec(),
            State::Shake256(h) => {
                let mut out = vec![0u8; DigestAlgorithm::Shake256.output_len()];
                h.finalize_xof_into(&mut out);
                out
            }
        }
    }
}

/// The digest of `bytes`.
pub fn digest(algorithm: DigestAlgorithm, bytes: &[u8]) -> Vec<u8> {
    match algorithm.ring() {
        Some(ring_alg) => ring::digest::digest(ring_alg, bytes).as_ref().to_vec(),
        None => {
            let mut hasher = Hasher::new(algorithm);
            hasher.update(bytes);
            hasher.finish()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        let empty_sha256 = digest(DigestAlgorithm::Sha256, b"");
        assert_eq!(empty_sha256.first(), Some(&0xe3));
        assert_eq!(empty_sha256.len(), 32);
        let abc_sha1 = digest(DigestAlgorithm::Sha1, b"abc");
        assert_eq!(&abc_sha1[..4], &[0xa9, 0x99, 0x3e, 0x36]);
        for alg in DigestAlgorithm::ALL {
            assert_eq!(digest(alg, b"x").len(), alg.output_len());
            let mut h = Hasher::new(alg);
            h.update(b"a");
            h.update(b"bc");
            assert_eq!(h.finish(), digest(alg, b"abc"), "{alg}");
        }
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// FIPS 180-4 / FIPS 202 example values for "abc" (NIST CSRC examples), and the first bytes
    /// of SHAKE256("", 512 bits).
    #[test]
    fn sha224_sha3_and_shake256_known_answers() {
        let cases = [
            (
                DigestAlgorithm::Sha224,
                "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
            ),
            (
                DigestAlgorithm::Sha3_224,
                "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf",
            ),
            (
                DigestAlgorithm::Sha3_256,
                "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
            ),
        ];
        for (alg, want) in cases {
            assert_eq!(hex(&digest(alg, b"abc")), want, "{alg}");
        }
        let shake = hex(&digest(DigestAlgorithm::Shake256, b""));
        assert!(
            shake.starts_with("46b9dd2b0ba88d13233b3feb743eeb24"),
            "{shake}"
        );
    }
}
