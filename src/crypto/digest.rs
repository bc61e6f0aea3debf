//! Message digests (ring).

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
    context: ring::digest::Context,
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
        Hasher {
            algorithm,
            context: ring::digest::Context::new(algorithm.ring()),
        }
    }

    /// The algorithm in use.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// Feeds more bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.context.update(bytes);
    }

    /// The digest of everything fed so far.
    pub fn finish(self) -> Vec<u8> {
        self.context.finish().as_ref().to_vec()
    }
}

/// The digest of `bytes`.
pub fn digest(algorithm: DigestAlgorithm, bytes: &[u8]) -> Vec<u8> {
    ring::digest::digest(algorithm.ring(), bytes)
        .as_ref()
        .to_vec()
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
        }
    }
}
