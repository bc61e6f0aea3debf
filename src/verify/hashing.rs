//! One forward pass that hashes the byte ranges of several signatures at once.
//!
//! The signatures of a dossier signed several times cover growing prefixes of the file, each
//! minus its own `/Contents` gap: signature *k* hashes `[0, a_k)` then `[b_k, e_k)`. Hashing
//! each on its own reads and hashes the file once per signature. Here one running digest
//! ("the trunk") goes forward from byte 0; when it reaches a gap start `a_k`, its state is
//! copied into a branch for signature *k*, which from then on takes only the bytes of
//! `[b_k, e_k)`, while the trunk goes on through the gap towards the next `a`. Every byte is
//! read once, and N signatures cost one pass over the file plus the short tails
//! `[b_k, e_k)` (the rest of each incremental update after its signature value).
//!
//! The plan is made before the signatures are checked, from their `/ByteRange` (through the
//! same coverage check the verifier uses) and their CMS digest algorithm; one pass is made
//! per digest algorithm that at least two signatures use. Anything the plan cannot serve
//! (one signature, a lone algorithm, a read error) is hashed by [`digest::digest_ranges`]
//! exactly as before, so the reports do not depend on whether the work was shared.

use crate::cms;
use crate::crypto::{DigestAlgorithm, Hasher};
use crate::pdf::{Document, Object, Source};

use super::coverage::{check_coverage, Ranges};
use super::digest;
use super::discover::Candidate;

/// Digests computed ahead for the signatures of one document.
#[derive(Debug, Default)]
pub struct SharedDigests {
    done: Vec<(Ranges, DigestAlgorithm, Vec<u8>)>,
}

impl SharedDigests {
    /// Nothing computed ahead: every request hashes on its own.
    pub fn none() -> Self {
        SharedDigests::default()
    }

    /// Plans and computes the shared passes for `candidates` (nothing for fewer than two).
    pub(crate) fn compute<S: Source>(doc: &Document<S>, candidates: &[Candidate]) -> Self {
        if candidates.len() < 2 {
            return SharedDigests::none();
        }
        let requests: Vec<(Ranges, DigestAlgorithm)> =
            candidates.iter().filter_map(|c| request(doc, c)).collect();
        SharedDigests::for_requests(doc.source(), &requests)
    }

    /// Computes the digests of `requests` in one pass per algorithm that at least two
    /// distinct ranges use. A pass that fails leaves its requests to be hashed on their own.
    pub fn for_requests<S: Source + ?Sized>(
        source: &S,
        requests: &[(Ranges, DigestAlgorithm)],
    ) -> Self {
        let mut done = Vec::new();
        let mut seen = Vec::new();
        for alg in requests.iter().map(|r| r.1) {
            if seen.contains(&alg) {
                continue;
            }
            seen.push(alg);
            let mut ranges: Vec<Ranges> = requests
                .iter()
                .filter(|r| r.1 == alg && shareable(&r.0, source.len()))
                .map(|r| r.0)
                .collect();
            ranges.sort_by_key(|r| (r.first.1, r.second.0, r.second.1));
            ranges.dedup();
            if ranges.len() < 2 {
                continue;
            }
            if let Ok(digests) = one_pass(source, &ranges, alg) {
                done.extend(ranges.into_iter().zip(digests).map(|(r, d)| (r, alg, d)));
            }
        }
        SharedDigests { done }
    }

    /// The digest of `ranges` with `alg`: from the shared pass when it made it, otherwise
    /// hashed now.
    pub fn digest<S: Source + ?Sized>(
        &self,
        source: &S,
        ranges: &Ranges,
        alg: DigestAlgorithm,
    ) -> std::io::Result<Vec<u8>> {
        match self.done.iter().find(|(r, a, _)| r == ranges && *a == alg) {
            Some((_, _, d)) => Ok(d.clone()),
            None => digest::digest_ranges(source, ranges, alg),
        }
    }

    /// How many digests the shared passes made.
    pub fn len(&self) -> usize {
        self.done.len()
    }

    /// True when no digest was made ahead.
    pub fn is_empty(&self) -> bool {
        self.done.is_empty()
    }
}

/// The ranges and digest algorithm the verifier will hash for `c`, when it will hash at all.
fn request<S: Source>(doc: &Document<S>, c: &Candidate) -> Option<(Ranges, DigestAlgorithm)> {
    let rev = doc.last_revision();
    let contents = match c.dict.get(b"Contents").map(|o| doc.resolve(rev, o)) {
        Some(Ok(Object::String(s))) => s,
        _ => return None,
    };
    let byte_range = c
        .dict
        .get(b"ByteRange")
        .and_then(|o| doc.resolve(rev, o).ok());
    let ends: Vec<u64> = doc.revisions().iter().map(|rv| rv.end).collect();
    let ranges = check_coverage(byte_range.as_ref(), contents.span, doc.len(), &ends).ranges?;
    let sd = cms::parse_signed_data(&contents.bytes).ok()?;
    let [si] = sd.signer_infos.as_slice() else {
        return None;
    };
    // adbe.pkcs7.sha1 encapsulates the SHA-1 digest of the ranges, whatever the signer's
    // own digest algorithm.
    if c.dict.get_name(b"SubFilter") == Some(b"adbe.pkcs7.sha1") {
        return Some((ranges, DigestAlgorithm::Sha1));
    }
    Some((ranges, si.digest()?))
}

/// Ranges the pass can serve: from byte 0, the second range after the first, inside the file.
fn shareable(r: &Ranges, len: u64) -> bool {
    r.first.0 == 0
        && r.second.0 >= r.first.1
        && r.second.0.checked_add(r.second.1).is_some_and(|e| e <= len)
}

/// Hashes every range of `ranges` (shareable, sorted by gap start) in one forward read of the
/// file; the digests come back in the order of `ranges`.
fn one_pass<S: Source + ?Sized>(
    source: &S,
    ranges: &[Ranges],
    alg: DigestAlgorithm,
) -> std::io::Result<Vec<Vec<u8>>> {
    let read_end = ranges
        .iter()
        .map(|r| r.first.1.max(r.second.0.saturating_add(r.second.1)))
        .max()
        .unwrap_or(0);
    let mut pass = Pass {
        ranges,
        trunk: Hasher::new(alg),
        trunk_pos: 0,
        next_branch: 0,
        branches: vec![None; ranges.len()],
    };
    let mut pos = 0u64;
    digest::feed(source, 0, read_end, &mut |bytes| {
        pass.segment(pos, bytes);
        pos = pos.saturating_add(bytes.len() as u64);
    })?;
    pass.branches
        .into_iter()
        .map(|b| b.map(Hasher::finish))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| std::io::Error::other("a range was not reached"))
}

/// The state of one pass: the trunk digest and the branches split off it.
struct Pass<'r> {
    ranges: &'r [Ranges],
    trunk: Hasher,
    /// Bytes the trunk has taken: `[0, trunk_pos)`.
    trunk_pos: u64,
    /// The range whose branch is split off next (they are sorted by gap start).
    next_branch: usize,
    branches: Vec<Option<Hasher>>,
}

impl Pass<'_> {
    /// Takes the file's bytes `[start, start + bytes.len())`; segments come in file order,
    /// without gaps.
    fn segment(&mut self, start: u64, bytes: &[u8]) {
        let end = start.saturating_add(bytes.len() as u64);
        let slice = |from: u64, to: u64| {
            let from = usize::try_from(from.saturating_sub(start)).ok()?;
            let to = usize::try_from(to.saturating_sub(start)).ok()?;
            bytes.get(from..to)
        };
        // The trunk, splitting off a branch at each gap start on the way.
        loop {
            while let Some(r) = self.ranges.get(self.next_branch) {
                if r.first.1 != self.trunk_pos {
                    break;
                }
                if let Some(b) = self.branches.get_mut(self.next_branch) {
                    *b = Some(self.trunk.clone());
                }
                self.next_branch += 1;
            }
            let Some(r) = self.ranges.get(self.next_branch) else {
                break;
            };
            if self.trunk_pos >= end {
                break;
            }
            let stop = r.first.1.min(end);
            if let Some(b) = slice(self.trunk_pos, stop) {
                self.trunk.update(b);
            }
            self.trunk_pos = stop;
        }
        // Each branch takes its second range.
        for (r, branch) in self.ranges.iter().zip(self.branches.iter_mut()) {
            let Some(h) = branch else { continue };
            let (from, to) = (
                r.second.0.max(start),
                r.second.0.saturating_add(r.second.1).min(end),
            );
            if from < to {
                if let Some(b) = slice(from, to) {
                    h.update(b);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::digest as hash;

    fn ranges(a: u64, b: u64, len: u64) -> Ranges {
        Ranges {
            first: (0, a),
            second: (b, len),
        }
    }

    fn expected(data: &[u8], r: &Ranges, alg: DigestAlgorithm) -> Vec<u8> {
        digest::digest_ranges(data, r, alg).unwrap()
    }

    #[test]
    fn one_pass_equals_separate_hashing() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        let reqs = vec![
            (ranges(100, 200, 1_000), DigestAlgorithm::Sha256),
            (ranges(5_000, 9_000, 11_000), DigestAlgorithm::Sha256),
            (ranges(20_000, 20_000, 30_000), DigestAlgorithm::Sha256),
            // Nested the other way: the gap covers later signatures' gaps.
            (ranges(150, 49_000, 1_000), DigestAlgorithm::Sha256),
            (ranges(0, 10, 100), DigestAlgorithm::Sha256),
            (ranges(30_000, 40_000, 10_000), DigestAlgorithm::Sha512),
            (ranges(40_000, 45_000, 5_000), DigestAlgorithm::Sha512),
            // A lone algorithm and a range past the end are left to the fallback.
            (ranges(10, 20, 30), DigestAlgorithm::Sha384),
            (ranges(10, 20, 60_000), DigestAlgorithm::Sha256),
        ];
        let shared = SharedDigests::for_requests(&data[..], &reqs);
        assert_eq!(shared.len(), 7);
        for (r, alg) in &reqs[..8] {
            assert_eq!(
                shared.digest(&data[..], r, *alg).unwrap(),
                expected(&data, r, *alg)
            );
        }
        assert!(shared.digest(&data[..], &reqs[8].0, reqs[8].1).is_err());
        // Nothing at all is the plain hash.
        let r = ranges(10, 10, 0);
        assert_eq!(
            shared
                .digest(&data[..], &r, DigestAlgorithm::Sha256)
                .unwrap(),
            hash(DigestAlgorithm::Sha256, &data[..10])
        );
    }

    #[test]
    fn small_reads_split_segments_anywhere() {
        struct Dribble<'a>(&'a [u8]);
        impl Source for Dribble<'_> {
            fn len(&self) -> u64 {
                self.0.len() as u64
            }
            fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
                let rest = self.0.get(offset as usize..).unwrap_or_default();
                let n = rest.len().min(buf.len()).min(7);
                buf[..n].copy_from_slice(&rest[..n]);
                Ok(n)
            }
        }
        let data: Vec<u8> = (0..3_000u32).map(|i| (i % 251) as u8).collect();
        let reqs: Vec<_> = (1..20u64)
            .map(|k| {
                (
                    ranges(k * 100, k * 100 + 13, 50 + k),
                    DigestAlgorithm::Sha256,
                )
            })
            .collect();
        let shared = SharedDigests::for_requests(&Dribble(&data), &reqs);
        assert_eq!(shared.len(), reqs.len());
        for (r, alg) in &reqs {
            assert_eq!(
                shared.digest(&data[..], r, *alg).unwrap(),
                expected(&data, r, *alg)
            );
        }
    }
}
