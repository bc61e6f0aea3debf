//! Byte-range sanity and coverage (kept apart from the cryptographic checks).
//!
//! A PDF signature signs the file minus one gap, and the gap must be exactly the
//! `/Contents` hexadecimal string of the same signature dictionary: otherwise bytes that the
//! signature does not cover could be read as part of the document.

use crate::pdf::{Object, Span};
use crate::report::DetailLabel as L;
use crate::report::{Code, Coverage, CoverageStatus, Finding};

/// The two ranges a well-formed `/ByteRange` describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranges {
    /// First range: `[0, gap_start)`.
    pub first: (u64, u64),
    /// Second range: `[gap_end, gap_end + len)`.
    pub second: (u64, u64),
}

impl Ranges {
    /// Bytes covered.
    pub fn covered(&self) -> u64 {
        self.first.1.saturating_add(self.second.1)
    }

    /// One past the last covered byte.
    pub fn end(&self) -> u64 {
        self.second.0.saturating_add(self.second.1)
    }
}

/// Outcome of the byte-range checks.
#[derive(Debug, Clone)]
pub struct CoverageCheck {
    /// The ranges, when the array was well-formed enough to hash.
    pub ranges: Option<Ranges>,
    /// The report's view.
    pub coverage: Coverage,
    /// The revision (0-based) whose end the ranges reach.
    pub signed_revision: Option<usize>,
    /// Problems and observations.
    pub findings: Vec<Finding>,
}

impl CoverageCheck {
    /// True when the ranges are sound and cover a whole revision or the whole file.
    pub fn is_sound(&self) -> bool {
        self.ranges.is_some()
            && matches!(
                self.coverage.status,
                CoverageStatus::EntireFile | CoverageStatus::EntireRevision
            )
    }
}

/// Checks `/ByteRange` against the file length, the `/Contents` string's span and the ends
/// of the file's revisions (`revision_ends`, oldest first).
pub fn check_coverage(
    byte_range: Option<&Object>,
    contents_span: Option<Span>,
    file_len: u64,
    revision_ends: &[u64],
) -> CoverageCheck {
    let mut findings = Vec::new();
    let raw: Vec<i64> = byte_range
        .and_then(Object::as_array)
        .map(|a| a.iter().filter_map(Object::as_int).collect())
        .unwrap_or_default();
    let mut coverage = Coverage {
        byte_range: raw.clone(),
        status: CoverageStatus::Unknown,
        covered_bytes: 0,
        file_size: file_len,
    };
    let well_formed = byte_range
        .and_then(Object::as_array)
        .is_some_and(|a| a.len() == 4 && a.iter().all(|o| o.as_int().is_some_and(|i| i >= 0)));
    if !well_formed {
        findings.push(
            Finding::new(
                Code::ByteRangeMalformed,
                format!("/ByteRange must be four non-negative integers, found {raw:?}"),
            )
            .detail(L::Found, format_args!("{raw:?}")),
        );
        return CoverageCheck {
            ranges: None,
            coverage,
            signed_revision: None,
            findings,
        };
    }
    // Four non-negative integers, checked above.
    let v: Vec<u64> = raw.iter().map(|&i| i as u64).collect();
    let (a, b, c, d) = (v[0], v[1], v[2], v[3]);
    let mut fatal = false;
    if a != 0 {
        findings.push(
            Finding::new(
                Code::ByteRangeNotFromStart,
                format!("the first range starts at {a}, not at 0"),
            )
            .detail(L::Bytes, a),
        );
        fatal = true;
    }
    let first_end = a.checked_add(b);
    let second_end = c.checked_add(d);
    match (first_end, second_end) {
        (Some(fe), Some(se)) if fe <= c && se <= file_len => {}
        (Some(fe), Some(se)) if fe > c => {
            findings.push(
                Finding::new(
                    Code::ByteRangeOverlap,
                    format!("the first range ends at {fe}, after the second starts at {c}"),
                )
                .detail(L::Bytes, format_args!("{a}+{b}, {c}+{d}")),
            );
            if se > file_len {
                findings.push(
                    Finding::new(
                        Code::ByteRangeOutsideFile,
                        format!("the second range ends at {se}, the file has {file_len} bytes"),
                    )
                    .detail(L::Bytes, se)
                    .detail(L::Size, file_len),
                );
            }
            fatal = true;
        }
        _ => {
            findings.push(
                Finding::new(
                    Code::ByteRangeOutsideFile,
                    format!("the ranges reach past the end of the file ({file_len} bytes)"),
                )
                .detail(L::Bytes, format_args!("{a}+{b}, {c}+{d}"))
                .detail(L::Size, file_len),
            );
            fatal = true;
        }
    }
    if fatal {
        return CoverageCheck {
            ranges: None,
            coverage,
            signed_revision: None,
            findings,
        };
    }
    let ranges = Ranges {
        first: (a, b),
        second: (c, d),
    };
    coverage.covered_bytes = ranges.covered();

    // The gap must be exactly the /Contents hex string, delimiters included.
    match contents_span {
        Some(span) if span.start == b && span.end == c => {}
        Some(span) => {
            findings.push(
                Finding::new(
                    Code::ByteRangeGapMismatch,
                    format!(
                        "the uncovered gap is [{b}, {c}) but /Contents is at [{}, {})",
                        span.start, span.end
                    ),
                )
                .detail(L::Bytes, format_args!("[{b}, {c})"))
                .detail(
                    L::Key,
                    format_args!("/Contents [{}, {})", span.start, span.end),
                ),
            );
        }
        None => {
            findings.push(Finding::new(
                Code::ByteRangeGapMismatch,
                "the position of /Contents in the file is unknown (it is not a direct string \
                 of a signature dictionary stored outside object streams)",
            )
            .remark("không xác định được vị trí của /Contents trong tệp (không phải chuỗi trực tiếp của từ điển chữ ký nằm ngoài luồng đối tượng)"));
        }
    }

    let end = ranges.end();
    let signed_revision = revision_ends.iter().position(|&e| e == end);
    let gap_ok = findings.is_empty();
    coverage.status = if !gap_ok {
        CoverageStatus::Partial
    } else if end == file_len {
        findings.push(
            Finding::new(
                Code::CoverageEntireFile,
                "the signature covers the whole file",
            )
            .plain(),
        );
        CoverageStatus::EntireFile
    } else if let Some(rev) = signed_revision {
        findings.push(
            Finding::new(
                Code::CoverageEntireRevision,
                format!(
                    "the signature covers revision {} entirely; {} byte(s) were appended later",
                    rev + 1,
                    file_len - end
                ),
            )
            .detail(L::Revision, rev + 1)
            .detail(L::Appended, file_len - end),
        );
        CoverageStatus::EntireRevision
    } else {
        findings.push(
            Finding::new(
                Code::CoveragePartial,
                format!(
                    "the signed bytes end at {end}, which is neither the end of the file \
                 ({file_len}) nor the end of a revision"
                ),
            )
            .detail(L::Bytes, end)
            .detail(L::Size, file_len),
        );
        CoverageStatus::Partial
    };
    CoverageCheck {
        ranges: Some(ranges),
        coverage,
        signed_revision: signed_revision.or(if end == file_len {
            revision_ends.len().checked_sub(1)
        } else {
            None
        }),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn br(v: &[i64]) -> Object {
        Object::Array(v.iter().map(|&i| Object::Integer(i)).collect())
    }

    fn span(s: u64, e: u64) -> Option<Span> {
        Some(Span { start: s, end: e })
    }

    #[test]
    fn whole_file_and_whole_revision() {
        let c = check_coverage(Some(&br(&[0, 100, 200, 50])), span(100, 200), 250, &[250]);
        assert_eq!(c.coverage.status, CoverageStatus::EntireFile);
        assert!(c.is_sound());
        assert_eq!(c.signed_revision, Some(0));
        assert_eq!(c.coverage.covered_bytes, 150);

        let c = check_coverage(
            Some(&br(&[0, 100, 200, 50])),
            span(100, 200),
            400,
            &[250, 400],
        );
        assert_eq!(c.coverage.status, CoverageStatus::EntireRevision);
        assert_eq!(c.signed_revision, Some(0));
    }

    #[test]
    fn every_malformation_is_caught() {
        let cases: Vec<(Option<Object>, Option<Span>, Code)> = vec![
            (None, span(1, 2), Code::ByteRangeMalformed),
            (
                Some(br(&[0, 100, 200])),
                span(100, 200),
                Code::ByteRangeMalformed,
            ),
            (
                Some(br(&[0, 100, 200, 50, 1])),
                span(100, 200),
                Code::ByteRangeMalformed,
            ),
            (
                Some(br(&[0, -1, 200, 50])),
                span(100, 200),
                Code::ByteRangeMalformed,
            ),
            (
                Some(Object::Array(vec![
                    Object::Integer(0),
                    Object::Real(100.0),
                    Object::Integer(200),
                    Object::Integer(50),
                ])),
                span(100, 200),
                Code::ByteRangeMalformed,
            ),
            (
                Some(br(&[5, 95, 200, 50])),
                span(100, 200),
                Code::ByteRangeNotFromStart,
            ),
            (
                Some(br(&[0, 210, 200, 50])),
                span(100, 200),
                Code::ByteRangeOverlap,
            ),
            (
                Some(br(&[0, 100, 200, 51])),
                span(100, 200),
                Code::ByteRangeOutsideFile,
            ),
            (
                Some(br(&[0, 100, i64::MAX, i64::MAX])),
                span(100, 200),
                Code::ByteRangeOutsideFile,
            ),
            (
                Some(br(&[0, 100, 200, 50])),
                span(101, 200),
                Code::ByteRangeGapMismatch,
            ),
            (
                Some(br(&[0, 100, 200, 50])),
                None,
                Code::ByteRangeGapMismatch,
            ),
            (
                Some(br(&[0, 100, 200, 40])),
                span(100, 200),
                Code::CoveragePartial,
            ),
        ];
        for (obj, sp, code) in cases {
            let c = check_coverage(obj.as_ref(), sp, 250, &[250]);
            assert!(!c.is_sound(), "{code:?} should not be sound");
            assert!(
                c.findings.iter().any(|f| f.code == code),
                "expected {code:?}, got {:?}",
                c.findings
            );
        }
    }
}
