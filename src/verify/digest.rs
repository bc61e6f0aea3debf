//! Hashing the signed byte ranges in large sequential reads.

use crate::crypto::{DigestAlgorithm, Hasher};
use crate::pdf::Source;

use super::coverage::Ranges;

/// Size of each read when the source is not in memory.
const CHUNK: usize = 1 << 20;

/// Digest of the two ranges of `source` with `alg`.
pub fn digest_ranges<S: Source + ?Sized>(
    source: &S,
    ranges: &Ranges,
    alg: DigestAlgorithm,
) -> std::io::Result<Vec<u8>> {
    let mut hasher = Hasher::new(alg);
    for (start, len) in [ranges.first, ranges.second] {
        feed(source, start, len, &mut |chunk| hasher.update(chunk))?;
    }
    Ok(hasher.finish())
}

/// The bytes of the two ranges, concatenated (for signatures without signed attributes,
/// whose signature is over the content itself). Refuses more than `limit` bytes.
pub fn read_ranges<S: Source + ?Sized>(
    source: &S,
    ranges: &Ranges,
    limit: u64,
) -> std::io::Result<Option<Vec<u8>>> {
    if ranges.covered() > limit {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(usize::try_from(ranges.covered()).unwrap_or(0));
    for (start, len) in [ranges.first, ranges.second] {
        feed(source, start, len, &mut |chunk| {
            out.extend_from_slice(chunk)
        })?;
    }
    Ok(Some(out))
}

pub(crate) fn feed<S: Source + ?Sized>(
    source: &S,
    start: u64,
    len: u64,
    sink: &mut dyn FnMut(&[u8]),
) -> std::io::Result<()> {
    if let Some(all) = source.as_slice() {
        let range = usize::try_from(start)
            .ok()
            .zip(usize::try_from(start.saturating_add(len)).ok())
            .and_then(|(s, e)| all.get(s..e));
        return match range {
            Some(bytes) => {
                sink(bytes);
                Ok(())
            }
            None => Err(short_read()),
        };
    }
    let mut buf = vec![0u8; CHUNK.min(usize::try_from(len).unwrap_or(CHUNK)).max(1)];
    let mut pos = start;
    let end = start.saturating_add(len);
    while pos < end {
        let want = usize::try_from(end - pos).map_or(buf.len(), |r| r.min(buf.len()));
        let got = source.read_at(pos, &mut buf[..want])?;
        if got == 0 {
            return Err(short_read());
        }
        sink(&buf[..got]);
        pos += got as u64;
    }
    Ok(())
}

fn short_read() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::UnexpectedEof,
        "the file is shorter than the signed byte range",
    )
}
