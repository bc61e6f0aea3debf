//! Streaming digests of files and readers: fixed-size reads, never the whole file in memory.

use std::io::Read;
use std::path::Path;

use crate::crypto::{DigestAlgorithm, Hasher};
use crate::Error;

/// Size of each read.
pub(crate) const CHUNK: usize = 1 << 20;

/// What one pass over some content produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContentDigests {
    /// Bytes read.
    pub size: u64,
    /// SHA-256, always computed (the report's identity of a file).
    pub sha256: Vec<u8>,
    /// The digest for each extra algorithm asked for, in the order asked.
    pub extra: Vec<(DigestAlgorithm, Vec<u8>)>,
}

impl ContentDigests {
    /// The digest with `alg`, if it was computed.
    pub fn get(&self, alg: DigestAlgorithm) -> Option<&[u8]> {
        if alg == DigestAlgorithm::Sha256 {
            return Some(&self.sha256);
        }
        self.extra
            .iter()
            .find(|(a, _)| *a == alg)
            .map(|(_, d)| d.as_slice())
    }
}

/// Why [`digest_reader`] stopped.
#[derive(Debug)]
pub(crate) enum DigestError {
    /// Reading (or the sink) failed.
    Io(std::io::Error),
    /// More than the limit was read.
    TooLarge {
        /// The limit.
        limit: u64,
    },
}

impl From<std::io::Error> for DigestError {
    fn from(e: std::io::Error) -> Self {
        DigestError::Io(e)
    }
}

impl From<DigestError> for std::io::Error {
    fn from(e: DigestError) -> Self {
        match e {
            DigestError::Io(e) => e,
            DigestError::TooLarge { limit } => std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("more than {limit} bytes"),
            ),
        }
    }
}

/// Hashes everything `reader` yields with SHA-256 and each of `extra`, also handing every
/// chunk to `sink`. Stops once more than `limit` bytes were read.
pub(crate) fn digest_reader(
    reader: &mut dyn Read,
    extra: &[DigestAlgorithm],
    limit: u64,
    sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> Result<ContentDigests, DigestError> {
    let mut sha256 = Hasher::new(DigestAlgorithm::Sha256);
    let mut others: Vec<Hasher> = Vec::new();
    for alg in extra {
        if *alg != DigestAlgorithm::Sha256 && !others.iter().any(|h| h.algorithm() == *alg) {
            others.push(Hasher::new(*alg));
        }
    }
    let mut buf = vec![0u8; CHUNK];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        size = size.saturating_add(n as u64);
        if size > limit {
            return Err(DigestError::TooLarge { limit });
        }
        sha256.update(chunk);
        for h in &mut others {
            h.update(chunk);
        }
        sink(chunk)?;
    }
    Ok(ContentDigests {
        size,
        sha256: sha256.finish(),
        extra: others
            .into_iter()
            .map(|h| (h.algorithm(), h.finish()))
            .collect(),
    })
}

/// Hashes the file at `path` (see [`digest_reader`]); no size limit.
pub(crate) fn digest_file(path: &Path, extra: &[DigestAlgorithm]) -> Result<ContentDigests, Error> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    digest_reader(&mut file, extra, u64::MAX, &mut |_| Ok(()))
        .map_err(|e| Error::io(path, e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::digest;

    #[test]
    fn several_algorithms_in_one_pass() {
        let data = vec![7u8; CHUNK + 5];
        let mut copy = Vec::new();
        let d = digest_reader(
            &mut data.as_slice(),
            &[DigestAlgorithm::Sha512, DigestAlgorithm::Sha256],
            u64::MAX,
            &mut |c| {
                copy.extend_from_slice(c);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(d.size, data.len() as u64);
        assert_eq!(d.sha256, digest(DigestAlgorithm::Sha256, &data));
        assert_eq!(
            d.get(DigestAlgorithm::Sha512).unwrap(),
            digest(DigestAlgorithm::Sha512, &data)
        );
        assert_eq!(d.extra.len(), 1);
        assert!(d.get(DigestAlgorithm::Sha384).is_none());
        assert_eq!(copy, data);
    }

    #[test]
    fn the_limit_is_enforced() {
        let data = vec![0u8; 100];
        let err = digest_reader(&mut data.as_slice(), &[], 99, &mut |_| Ok(())).unwrap_err();
        assert!(matches!(err, DigestError::TooLarge { limit: 99 }));
        assert!(digest_reader(&mut data.as_slice(), &[], 100, &mut |_| Ok(())).is_ok());
    }
}
