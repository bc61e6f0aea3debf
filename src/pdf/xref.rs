//! Cross-reference sections and the revision list (ISO 32000-2 §7.5.4–7.5.8).
//!
//! The reader starts at the last `startxref`, reads that section (a classic table, an
//! xref stream, or a table whose trailer names an `/XRefStm`: a hybrid file), and follows
//! `/Prev` to the first one. Each section becomes one [`Revision`], kept apart from the others
//! so that the verifier can see what each incremental update defined and where it ended.

use std::collections::HashSet;

use super::budget::Budget;
use super::error::PdfError;
use super::filter;
use super::lexer::{is_regular, is_whitespace, Lexer, Token};
use super::object::{Dict, ObjRef, Object, Span, StreamData};
use super::parser::{parse_indirect_at, with_window, Parser};
use super::source::Source;

/// How far from the end of the file `startxref` is looked for.
const STARTXREF_SEARCH: u64 = 4096;

/// One cross-reference entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum XrefEntry {
    /// A free (deleted or never used) object number.
    Free {
        /// Next free object number (the free list).
        next: u32,
        /// Generation to use if the number is reused.
        gen: u16,
    },
    /// An object stored in the file as `num gen obj … endobj`.
    InFile {
        /// Offset of its header.
        offset: u64,
        /// Its generation.
        gen: u16,
    },
    /// An object stored in an object stream (its generation is 0).
    InStream {
        /// The object stream's number.
        stream_num: u32,
        /// Its index within that stream.
        index: u32,
    },
}

impl XrefEntry {
    /// The generation this entry gives the object (0 for objects in object streams).
    pub fn gen(&self) -> u16 {
        match *self {
            XrefEntry::Free { gen, .. } | XrefEntry::InFile { gen, .. } => gen,
            XrefEntry::InStream { .. } => 0,
        }
    }

    /// True unless the entry is free.
    pub fn is_in_use(&self) -> bool {
        !matches!(self, XrefEntry::Free { .. })
    }
}

/// The kind of cross-reference section a revision has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum XrefKind {
    /// A classic `xref` table and `trailer`.
    Table,
    /// A cross-reference stream (`/Type /XRef`).
    Stream,
    /// A table whose trailer also names a cross-reference stream with `/XRefStm`.
    Hybrid,
}

/// One revision: one cross-reference section and the trailer that goes with it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Revision {
    /// The offset by which the section was reached: the file's `startxref` value for the last
    /// revision, the next revision's `/Prev` for the others. When that offset does not point
    /// at a section, the reader looks for one within 64 bytes; then this differs from
    /// `xref_offset`, which a verifier should treat as a structural anomaly.
    pub pointer: u64,
    /// Where the section starts: the `xref` keyword, or the header of the xref stream object.
    pub xref_offset: u64,
    /// The number written after the `startxref` keyword that closes this revision, if there
    /// is one (it should equal `xref_offset`).
    pub startxref_value: Option<u64>,
    /// The kind of section.
    pub kind: XrefKind,
    /// The trailer dictionary (for an xref stream, the stream's dictionary).
    pub trailer: Dict,
    /// The entries this section defines, sorted by object number, one per number. For a
    /// hybrid section this merges the table with its `/XRefStm` stream: an in-use table
    /// entry wins, then the stream's entry, then a free table entry.
    pub entries: Vec<(u32, XrefEntry)>,
    /// The xref stream object: the section itself (kind `Stream`) or the `/XRefStm` stream
    /// (kind `Hybrid`).
    pub xref_stream: Option<ObjRef>,
    /// For a hybrid section, the offset `/XRefStm` gives.
    pub xref_stream_offset: Option<u64>,
    /// Just past the section: past the trailer dictionary, or past the xref stream object.
    pub section_end: u64,
    /// Just past the `%%EOF` marker that closes this revision and one end-of-line after it
    /// (CR, LF or CRLF); `section_end` (or past the `startxref` value) when there is none.
    pub end: u64,
    /// True when a `%%EOF` marker closes the revision.
    pub has_eof_marker: bool,
    /// When the cross-reference data could not be read and this revision was reconstructed
    /// by scanning the file for objects: what was wrong and what was repaired. A verifier
    /// must not trust the object map of such a revision as the signer's viewer saw it.
    pub repaired: Option<String>,
    /// True when the whole object map of the file was reconstructed by scanning (no
    /// cross-reference section could be followed); false when the sections were read and
    /// only entries that point at the wrong object (or at none) were corrected from the
    /// object headers found by scanning ([`Revision::repaired`] says which).
    pub reconstructed: bool,
    /// The entries this section wrote that were corrected (see [`Revision::repaired`]), as the
    /// section wrote them, sorted by object number; `entries` holds the corrections.
    pub corrected: Vec<(u32, XrefEntry)>,
}

impl Revision {
    /// This section's entry for object number `num`.
    pub fn entry(&self, num: u32) -> Option<XrefEntry> {
        self.entries
            .binary_search_by_key(&num, |(n, _)| *n)
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|(_, e)| *e)
    }
}

/// Finds the last `startxref` near the end of the file; returns its value.
pub(crate) fn find_startxref<S: Source + ?Sized>(src: &S) -> Result<u64, PdfError> {
    let len = src.len();
    let from = len.saturating_sub(STARTXREF_SEARCH);
    let n = usize::try_from(len - from).map_err(|_| PdfError::NoStartXref)?;
    let tail = src.read_vec(from, n)?;
    let key = b"startxref";
    let pos = tail
        .windows(key.len())
        .rposition(|w| w == key)
        .ok_or(PdfError::NoStartXref)?;
    let rest = tail.get(pos + key.len()..).unwrap_or(&[]);
    let mut lx = Lexer::new(rest, from + (pos + key.len()) as u64, true);
    match lx.next_token() {
        Ok(Some((Token::Integer(v), _))) => u64::try_from(v).map_err(|_| PdfError::NoStartXref),
        _ => Err(PdfError::NoStartXref),
    }
}

/// Reads every revision, following `/Prev` from the last `startxref`; oldest first. When
/// the cross-reference data is broken (no `startxref`, a section that cannot be read, a
/// `/Prev` loop), the object map is reconstructed by scanning the file ([`reconstruct`]),
/// and every revision says so in [`Revision::repaired`]. I/O errors and exhausted budgets
/// are not repaired.
pub(crate) fn load_revisions<S: Source + ?Sized>(
    src: &S,
    budget: &Budget,
) -> Result<Vec<Revision>, PdfError> {
    match load_chain(src, budget) {
        Ok(mut chain) => {
            repair_entries(src, budget, &mut chain)?;
            Ok(chain)
        }
        Err(e @ (PdfError::Io(_) | PdfError::BudgetExceeded { .. } | PdfError::NotPdf)) => Err(e),
        Err(e) => match reconstruct(src, budget, &e) {
            Ok(Some(chain)) => Ok(chain),
            // Nothing to reconstruct from: the original error says why.
            Ok(None) => Err(e),
            Err(scan) => Err(scan),
        },
    }
}

/// [`load_revisions`] without the repair.
fn load_chain<S: Source + ?Sized>(src: &S, budget: &Budget) -> Result<Vec<Revision>, PdfError> {
    let start = find_startxref(src)?;
    let mut seen = HashSet::new();
    let mut chain = Vec::new();
    let mut total_entries = 0u64;
    let mut next = Some(start);
    while let Some(offset) = next {
        if !seen.insert(offset) {
            return Err(PdfError::PrevLoop { offset });
        }
        if chain.len() >= budget.max_revisions {
            return Err(PdfError::budget("revisions", budget.max_revisions as u64));
        }
        let rev = read_section(src, offset, budget, &mut total_entries)?;
        if rev.xref_offset != offset && !seen.insert(rev.xref_offset) {
            return Err(PdfError::PrevLoop {
                offset: rev.xref_offset,
            });
        }
        next = offset_entry(&rev.trailer, b"Prev", rev.xref_offset)?;
        chain.push(rev);
    }
    chain.reverse();
    Ok(chain)
}

/// A non-negative integer entry used as a file offset (`/Prev`, `/XRefStm`).
fn offset_entry(trailer: &Dict, key: &'static [u8], at: u64) -> Result<Option<u64>, PdfError> {
    match trailer.get(key) {
        None => Ok(None),
        Some(Object::Integer(v)) => u64::try_from(*v)
            .map(Some)
            .map_err(|_| PdfError::bad_xref(at, "negative /Prev or /XRefStm offset")),
        Some(_) => Err(PdfError::bad_xref(
            at,
            "/Prev or /XRefStm is not an integer",
        )),
    }
}

/// Reads the section at `offset` (white space before it is skipped).
fn read_section<S: Source + ?Sized>(
    src: &S,
    offset: u64,
    budget: &Budget,
    total: &mut u64,
) -> Result<Revision, PdfError> {
    let first_error = match read_section_at(src, offset, budget, total) {
        Ok(rev) => return Ok(rev),
        Err(e @ (PdfError::Io(_) | PdfError::BudgetExceeded { .. })) => return Err(e),
        Err(e) => e,
    };
    // The pointer may be a few bytes off (seen in the wild and in attack files): try the
    // section headers nearest to it. The revision keeps both offsets, so that the
    // discrepancy stays visible.
    for candidate in nearby_section_starts(src, offset)?
        .into_iter()
        .take(NEAR_TRIES)
    {
        let mut t = *total;
        if let Ok(mut rev) = read_section_at(src, candidate, budget, &mut t) {
            *total = t;
            rev.pointer = offset;
            return Ok(rev);
        }
    }
    Err(first_error)
}

/// How far from a wrong `startxref`/`/Prev` value a section header is looked for.
const NEAR: u64 = 64;

/// How many nearby candidates are tried (each attempt may read a whole section).
const NEAR_TRIES: usize = 4;

/// Offsets within [`NEAR`] bytes of `offset` where an `xref` keyword or an `n g obj` header
/// starts, nearest first (`offset` itself excluded).
fn nearby_section_starts<S: Source + ?Sized>(src: &S, offset: u64) -> Result<Vec<u64>, PdfError> {
    let from = offset.saturating_sub(NEAR);
    let buf = src.read_vec(from, (offset - from + NEAR + 32) as usize)?;
    let boundary = |i: usize| i == 0 || buf.get(i - 1).is_some_and(|&b| !is_regular(b));
    let mut found = Vec::new();
    for i in 0..buf.len() {
        let at = from + i as u64;
        if at == offset || at.abs_diff(offset) > NEAR || !boundary(i) {
            continue;
        }
        let rest = buf.get(i..).unwrap_or(&[]);
        let is_xref = rest.starts_with(b"xref") && rest.get(4).is_some_and(|&b| !is_regular(b));
        if is_xref || looks_like_object_header(rest) {
            found.push(at);
        }
    }
    found.sort_by_key(|&at| at.abs_diff(offset));
    Ok(found)
}

/// True when `b` starts with `digits white-space digits white-space obj`.
fn looks_like_object_header(b: &[u8]) -> bool {
    let mut i = 0;
    for _ in 0..2 {
        let d = b
            .get(i..)
            .unwrap_or(&[])
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if d == 0 {
            return false;
        }
        i += d;
        let w = b
            .get(i..)
            .unwrap_or(&[])
            .iter()
            .take_while(|&&c| is_whitespace(c))
            .count();
        if w == 0 {
            return false;
        }
        i += w;
    }
    b.get(i..)
        .is_some_and(|r| r.starts_with(b"obj") && r.get(3).is_none_or(|&c| !is_regular(c)))
}

/// Reads the section at exactly `offset` (white space before it is skipped).
fn read_section_at<S: Source + ?Sized>(
    src: &S,
    offset: u64,
    budget: &Budget,
    total: &mut u64,
) -> Result<Revision, PdfError> {
    if offset >= src.len() {
        return Err(PdfError::bad_xref(
            offset,
            "offset is past the end of the file",
        ));
    }
    let (start, is_table) = with_window(
        src,
        offset,
        64,
        1024,
        "white space before a cross-reference section",
        |buf, base, at_eof| {
            let ws = buf.iter().take_while(|&&b| is_whitespace(b)).count();
            let rest = buf.get(ws..).unwrap_or(&[]);
            if rest.len() < 5 && !at_eof {
                return Err(PdfError::UnexpectedEof {
                    offset: base + buf.len() as u64,
                });
            }
            let table = rest.starts_with(b"xref") && rest.get(4).is_none_or(|&b| !is_regular(b));
            Ok((base + ws as u64, table))
        },
    )
    .map_err(|e| match e {
        PdfError::BudgetExceeded { .. } => {
            PdfError::bad_xref(offset, "only white space where the section should be")
        }
        other => other,
    })?;
    let mut rev = if is_table {
        read_table(src, start, budget, total)?
    } else {
        read_xref_stream_section(src, start, budget, total)?
    };
    rev.pointer = offset;
    let (startxref_value, end, has_eof) = scan_revision_end(src, rev.section_end)?;
    rev.startxref_value = startxref_value;
    rev.end = end;
    rev.has_eof_marker = has_eof;
    Ok(rev)
}

enum TableStep {
    Subsection { first: u32, count: u32, after: u64 },
    Trailer { after: u64 },
}

fn read_table<S: Source + ?Sized>(
    src: &S,
    start: u64,
    budget: &Budget,
    total: &mut u64,
) -> Result<Revision, PdfError> {
    let mut pos = start + 4; // past "xref"
    let mut entries: Vec<(u32, XrefEntry)> = Vec::new();
    let trailer_at = loop {
        let step = with_window(
            src,
            pos,
            128,
            4096,
            "cross-reference subsection header",
            |buf, base, at_eof| {
                let mut lx = Lexer::new(buf, base, at_eof);
                let Some((t, sp)) = lx.next_token()? else {
                    return Err(PdfError::bad_xref(base, "table ends without a trailer"));
                };
                match t {
                    Token::Keyword(b"trailer") => Ok(TableStep::Trailer { after: lx.offset() }),
                    Token::Integer(first) => {
                        let second = lx.next_token()?;
                        let Some((Token::Integer(count), _)) = second else {
                            return Err(PdfError::bad_xref(
                                sp.start,
                                "subsection header without a count",
                            ));
                        };
                        let first = u32::try_from(first).map_err(|_| {
                            PdfError::bad_xref(sp.start, "subsection start out of range")
                        })?;
                        let count = u32::try_from(count).map_err(|_| {
                            PdfError::bad_xref(sp.start, "subsection count out of range")
                        })?;
                        Ok(TableStep::Subsection {
                            first,
                            count,
                            after: lx.offset(),
                        })
                    }
                    _ => Err(PdfError::bad_xref(
                        sp.start,
                        "expected a subsection header or 'trailer'",
                    )),
                }
            },
        )?;
        match step {
            TableStep::Trailer { after } => break after,
            TableStep::Subsection {
                first,
                count,
                after,
            } => {
                *total = total.saturating_add(u64::from(count));
                if *total > budget.max_objects {
                    return Err(PdfError::budget(
                        "cross-reference entries",
                        budget.max_objects,
                    ));
                }
                if first.checked_add(count).is_none() {
                    return Err(PdfError::bad_xref(
                        pos,
                        "subsection runs past the largest object number",
                    ));
                }
                let (sub, end) = read_subsection(src, after, first, count)?;
                entries.extend(sub);
                pos = end;
            }
        }
    };
    let (trailer, trailer_end) = with_window(
        src,
        trailer_at,
        1024,
        budget.max_object_bytes,
        "trailer size in bytes",
        |buf, base, at_eof| {
            let mut p = Parser::new(Lexer::new(buf, base, at_eof), budget.max_depth);
            let obj = p.parse_object()?;
            Ok((obj, p.lexer().offset()))
        },
    )?;
    let Object::Dict(trailer) = trailer else {
        return Err(PdfError::bad_xref(
            trailer_at,
            "trailer is not a dictionary",
        ));
    };
    let mut kind = XrefKind::Table;
    let mut xref_stream = None;
    let xref_stream_offset = offset_entry(&trailer, b"XRefStm", start)?;
    if let Some(stm_offset) = xref_stream_offset {
        let (stm_entries, _dict, id, _end) = read_xref_stream(src, stm_offset, budget, total)?;
        entries = merge_hybrid(sort_dedup(entries), sort_dedup(stm_entries));
        kind = XrefKind::Hybrid;
        xref_stream = Some(id);
    } else {
        entries = sort_dedup(entries);
    }
    Ok(Revision {
        pointer: start,
        xref_offset: start,
        startxref_value: None,
        kind,
        trailer,
        entries,
        xref_stream,
        xref_stream_offset,
        section_end: trailer_end,
        end: trailer_end,
        has_eof_marker: false,
        repaired: None,
        reconstructed: false,
        corrected: Vec::new(),
    })
}

/// Sorts entries by number; of repeated numbers the first one written is kept.
fn sort_dedup(mut v: Vec<(u32, XrefEntry)>) -> Vec<(u32, XrefEntry)> {
    v.sort_by_key(|(n, _)| *n);
    v.dedup_by_key(|(n, _)| *n);
    v
}

/// Merges a hybrid section's table and stream entries (both sorted and deduplicated).
fn merge_hybrid(
    table: Vec<(u32, XrefEntry)>,
    stream: Vec<(u32, XrefEntry)>,
) -> Vec<(u32, XrefEntry)> {
    let mut out = Vec::with_capacity(table.len() + stream.len());
    let mut t = table.into_iter().peekable();
    let mut s = stream.into_iter().peekable();
    loop {
        match (t.peek().copied(), s.peek().copied()) {
            (Some(a), Some(b)) if a.0 == b.0 => {
                out.push(if a.1.is_in_use() { a } else { b });
                t.next();
                s.next();
            }
            (Some(a), Some(b)) if a.0 < b.0 => {
                out.push(a);
                t.next();
            }
            (Some(_), Some(b)) => {
                out.push(b);
                s.next();
            }
            (Some(a), None) => {
                out.push(a);
                t.next();
            }
            (None, Some(b)) => {
                out.push(b);
                s.next();
            }
            (None, None) => break,
        }
    }
    out
}

/// Reads `count` table entries starting at `pos`, in one window and one pass. Entries are
/// `offset gen n|f` separated by any white space, so 19-, 20- and 21-byte entries all read.
fn read_subsection<S: Source + ?Sized>(
    src: &S,
    pos: u64,
    first: u32,
    count: u32,
) -> Result<(Vec<(u32, XrefEntry)>, u64), PdfError> {
    let count_usize = count as usize;
    let initial = count_usize.saturating_mul(20).saturating_add(64);
    // `count` is already bounded by `max_objects`; entries are at most a few bytes over 20.
    let max = u64::from(count).saturating_mul(24).saturating_add(4096);
    with_window(
        src,
        pos,
        initial,
        max,
        "cross-reference subsection size in bytes",
        |buf, base, at_eof| {
            let mut out = Vec::with_capacity(count_usize.min(1 << 20));
            let mut i = 0usize;
            let eof = |i: usize| PdfError::UnexpectedEof {
                offset: base + i as u64,
            };
            let bad = |i: usize, reason| PdfError::bad_xref(base + i as u64, reason);
            for k in 0..count {
                while buf.get(i).is_some_and(|&b| is_whitespace(b)) {
                    i += 1;
                }
                let (offset, ni) = digits(buf, i).ok_or_else(|| {
                    if i >= buf.len() {
                        eof(i)
                    } else {
                        bad(i, "entry offset is not a number")
                    }
                })?;
                i = ni;
                let spaces = buf
                    .get(i..)
                    .unwrap_or(&[])
                    .iter()
                    .take_while(|&&b| b == b' ')
                    .count();
                if spaces == 0 {
                    return Err(if i >= buf.len() {
                        eof(i)
                    } else {
                        bad(i, "entry without generation")
                    });
                }
                i += spaces;
                let (gen, ni) = digits(buf, i).ok_or_else(|| {
                    if i >= buf.len() {
                        eof(i)
                    } else {
                        bad(i, "entry generation is not a number")
                    }
                })?;
                i = ni;
                let spaces = buf
                    .get(i..)
                    .unwrap_or(&[])
                    .iter()
                    .take_while(|&&b| b == b' ')
                    .count();
                i += spaces;
                let kind = *buf.get(i).ok_or_else(|| eof(i))?;
                if spaces == 0 || !matches!(kind, b'n' | b'f') {
                    return Err(bad(i, "entry type is not 'n' or 'f'"));
                }
                i += 1;
                match buf.get(i) {
                    Some(&b) if is_whitespace(b) => {}
                    None if at_eof => {}
                    None => return Err(eof(i)),
                    Some(_) => return Err(bad(i, "garbage after entry type")),
                }
                let gen = u16::try_from(gen).map_err(|_| bad(i, "generation above 65535"))?;
                // `first + count` was checked not to overflow.
                let num = first + k;
                let entry = if kind == b'n' && offset != 0 {
                    XrefEntry::InFile { offset, gen }
                } else {
                    XrefEntry::Free {
                        next: u32::try_from(offset).unwrap_or(0),
                        gen,
                    }
                };
                out.push((num, entry));
            }
            Ok((out, base + i as u64))
        },
    )
}

/// Parses up to 20 ASCII digits at `i`; `None` when there is none (or too many).
fn digits(buf: &[u8], i: usize) -> Option<(u64, usize)> {
    let run = buf
        .get(i..)?
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if run == 0 || run > 19 {
        return None;
    }
    let v = buf
        .get(i..i + run)?
        .iter()
        .fold(0u64, |acc, &d| acc * 10 + u64::from(d - b'0'));
    Some((v, i + run))
}

fn read_xref_stream_section<S: Source + ?Sized>(
    src: &S,
    start: u64,
    budget: &Budget,
    total: &mut u64,
) -> Result<Revision, PdfError> {
    let (entries, dict, id, end) = read_xref_stream(src, start, budget, total)?;
    Ok(Revision {
        pointer: start,
        xref_offset: start,
        startxref_value: None,
        kind: XrefKind::Stream,
        trailer: dict,
        entries: sort_dedup(entries),
        xref_stream: Some(id),
        xref_stream_offset: None,
        section_end: end,
        end,
        has_eof_marker: false,
        repaired: None,
        reconstructed: false,
        corrected: Vec::new(),
    })
}

/// Reads the xref stream object at `offset`: its entries, dictionary, identity and end.
#[allow(clippy::type_complexity)]
fn read_xref_stream<S: Source + ?Sized>(
    src: &S,
    offset: u64,
    budget: &Budget,
    total: &mut u64,
) -> Result<(Vec<(u32, XrefEntry)>, Dict, ObjRef, u64), PdfError> {
    let obj = parse_indirect_at(src, offset, None, budget, &mut |_| {
        Err(PdfError::bad_xref(
            offset,
            "xref stream /Length must be a direct integer",
        ))
    })
    .map_err(|e| match e {
        PdfError::Syntax { .. } | PdfError::UnexpectedEof { .. } => {
            PdfError::bad_xref(offset, "neither an xref table nor an xref stream object")
        }
        other => other,
    })?;
    let Object::Stream(stream) = obj.object else {
        return Err(PdfError::bad_xref(offset, "object is not a stream"));
    };
    if !stream.dict.is_type(b"XRef") {
        return Err(PdfError::bad_xref(offset, "stream is not /Type /XRef"));
    }
    let StreamData::File(span) = stream.data else {
        return Err(PdfError::bad_xref(offset, "xref stream without data"));
    };
    let chain = filter::filter_chain(&stream.dict).map_err(|e| match e {
        PdfError::WrongType { .. } => {
            PdfError::bad_xref(offset, "xref stream /Filter or /DecodeParms is not direct")
        }
        other => other,
    })?;
    let dict = stream.dict;

    let w: Vec<usize> = match dict.get(b"W") {
        Some(Object::Array(a)) if a.len() == 3 => a
            .iter()
            .map(|o| {
                o.as_int()
                    .and_then(|v| usize::try_from(v).ok())
                    .filter(|&v| v <= 8)
            })
            .collect::<Option<_>>()
            .ok_or_else(|| PdfError::bad_xref(offset, "/W widths must be integers from 0 to 8"))?,
        _ => {
            return Err(PdfError::bad_xref(
                offset,
                "/W is not an array of three integers",
            ))
        }
    };
    let (w0, w1, w2) = match w.as_slice() {
        [a, b, c] => (*a, *b, *c),
        _ => {
            return Err(PdfError::bad_xref(
                offset,
                "/W is not an array of three integers",
            ))
        }
    };
    let row = w0 + w1 + w2;
    if row == 0 {
        return Err(PdfError::bad_xref(offset, "/W widths are all zero"));
    }
    let size = dict
        .get_int(b"Size")
        .and_then(|s| u64::try_from(s).ok())
        .ok_or_else(|| PdfError::bad_xref(offset, "/Size is missing or negative"))?;
    let index: Vec<(u64, u64)> = match dict.get(b"Index") {
        None => vec![(0, size)],
        Some(Object::Array(a)) if a.len().is_multiple_of(2) => a
            .chunks(2)
            .map(|p| match p {
                [Object::Integer(s), Object::Integer(c)] => {
                    Some((u64::try_from(*s).ok()?, u64::try_from(*c).ok()?))
                }
                _ => None,
            })
            .collect::<Option<_>>()
            .ok_or_else(|| {
                PdfError::bad_xref(
                    offset,
                    "/Index holds something other than non-negative integer pairs",
                )
            })?,
        Some(_) => {
            return Err(PdfError::bad_xref(
                offset,
                "/Index is not an array of pairs",
            ))
        }
    };
    let row_count = index
        .iter()
        .fold(0u64, |acc, (_, count)| acc.saturating_add(*count));
    *total = total.saturating_add(row_count);
    if *total > budget.max_objects {
        return Err(PdfError::budget(
            "cross-reference entries",
            budget.max_objects,
        ));
    }
    // Decode only what the rows need (one predictor byte per row, some slack): a stream
    // that inflates far beyond its table is refused without inflating it all.
    let needed = row_count
        .saturating_mul(row as u64 + 1)
        .saturating_add(4096)
        .min(budget.max_decoded_bytes);
    let data = read_span_decoded(src, span, &chain, needed, None)?;
    let mut entries = Vec::new();
    let mut rows = data.chunks_exact(row);
    for (first, count) in index {
        for k in 0..count {
            let Some(r) = rows.next() else {
                return Err(PdfError::bad_xref(
                    offset,
                    "xref stream data is shorter than /Index promises",
                ));
            };
            let num = first
                .checked_add(k)
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| PdfError::bad_xref(offset, "object number out of range"))?;
            let (f0, rest) = r.split_at(w0);
            let (f1, f2) = rest.split_at(w1);
            let ty = if w0 == 0 { 1 } else { be(f0) };
            let (a, b) = (be(f1), be(f2));
            let entry = match ty {
                0 => XrefEntry::Free {
                    next: u32::try_from(a).unwrap_or(0),
                    gen: u16::try_from(b).unwrap_or(u16::MAX),
                },
                1 => XrefEntry::InFile {
                    offset: a,
                    gen: u16::try_from(b)
                        .map_err(|_| PdfError::bad_xref(offset, "generation above 65535"))?,
                },
                2 => XrefEntry::InStream {
                    stream_num: u32::try_from(a).map_err(|_| {
                        PdfError::bad_xref(offset, "object stream number out of range")
                    })?,
                    index: u32::try_from(b).map_err(|_| {
                        PdfError::bad_xref(offset, "object stream index out of range")
                    })?,
                },
                // Other types are references to the null object (§7.5.8.3).
                _ => XrefEntry::Free { next: 0, gen: 0 },
            };
            entries.push((num, entry));
        }
    }
    let end = obj.span.map_or(span.end, |s| s.end);
    Ok((entries, dict, obj.id, end))
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b))
}

/// Reads the raw bytes of `span` from `src` and decodes them through `chain`.
pub(crate) fn read_span_decoded<S: Source + ?Sized>(
    src: &S,
    span: Span,
    chain: &[filter::FilterStep],
    max: u64,
    meter: Option<&crate::budget::DocumentMeter>,
) -> Result<Vec<u8>, PdfError> {
    let mut reader = SpanReader {
        src,
        pos: span.start,
        end: span.end,
    };
    if chain.is_empty() {
        if span.len() > max {
            return Err(PdfError::budget("decoded stream bytes", max));
        }
        return filter::read_limited(&mut reader, max);
    }
    let mut buffered = std::io::BufReader::with_capacity(64 * 1024, reader);
    filter::decode_metered(&mut buffered, chain, max, meter)
}

/// A byte span of a source as a reader.
pub(crate) struct SpanReader<'s, S: ?Sized> {
    pub(crate) src: &'s S,
    pub(crate) pos: u64,
    pub(crate) end: u64,
}

impl<S: Source + ?Sized> std::io::Read for SpanReader<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
        let n = usize::try_from(left).map_or(buf.len(), |l| l.min(buf.len()));
        if n == 0 {
            return Ok(0);
        }
        let Some(dst) = buf.get_mut(..n) else {
            return Ok(0);
        };
        let got = self.src.read_at(self.pos, dst)?;
        self.pos += got as u64;
        Ok(got)
    }
}

/// After a section: optional comments, `startxref N`, `%%EOF` and one end-of-line. Returns
/// the startxref value, the revision end and whether `%%EOF` was found.
fn scan_revision_end<S: Source + ?Sized>(
    src: &S,
    section_end: u64,
) -> Result<(Option<u64>, u64, bool), PdfError> {
    let buf = src.read_vec(section_end, 1024)?;
    let mut i = 0usize;
    let mut value = None;
    let mut end = section_end;
    let skip_ws = |i: &mut usize| {
        while buf.get(*i).is_some_and(|&b| is_whitespace(b)) {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        let rest = buf.get(i..).unwrap_or(&[]);
        if rest.starts_with(b"%%EOF") {
            i += 5;
            match (buf.get(i), buf.get(i + 1)) {
                (Some(b'\r'), Some(b'\n')) => i += 2,
                (Some(b'\r' | b'\n'), _) => i += 1,
                _ => {}
            }
            return Ok((value, section_end + i as u64, true));
        } else if rest.starts_with(b"%") {
            // Another comment line.
            let n = rest
                .iter()
                .take_while(|&&b| b != b'\r' && b != b'\n')
                .count();
            i += n;
        } else if value.is_none() && rest.starts_with(b"startxref") {
            i += b"startxref".len();
            skip_ws(&mut i);
            match digits(&buf, i) {
                Some((v, ni)) => {
                    value = Some(v);
                    i = ni;
                    end = section_end + i as u64;
                }
                None => return Ok((None, end, false)),
            }
        } else {
            return Ok((value, end, false));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Reconstruction by scanning (what qpdf, poppler and MuPDF do with a broken xref).

/// Most bytes of a file the reconstruction scans.
const MAX_SCAN_BYTES: u64 = 1 << 30;
/// Size of each read of the scan.
const SCAN_CHUNK: usize = 1 << 20;
/// Overlap between chunks, so that a keyword across a chunk boundary is seen.
const SCAN_OVERLAP: usize = 64;
/// Most `%%EOF` markers (revisions) and `trailer` keywords the scan records.
const MAX_SCAN_MARKERS: usize = 4096;
/// How many bytes after an object header are looked at for `/Catalog` and `/XRef`.
const SNIFF: usize = 512;
/// Most objects the reconstruction parses in all (catalog candidates, xref streams): a file
/// of a million objects that each name `/Catalog` costs that many parses at most.
const MAX_REPAIR_PARSES: usize = 256;

/// What the scan found.
#[derive(Default)]
struct Scan {
    /// `(offset, number, generation)` of each `n g obj` header, in file order.
    objects: Vec<(u64, u32, u16)>,
    /// Offsets of `trailer` keywords.
    trailers: Vec<u64>,
    /// Just past each `%%EOF` marker (and one end-of-line).
    eofs: Vec<u64>,
}

fn scan_file<S: Source + ?Sized>(src: &S, budget: &Budget) -> Result<Scan, PdfError> {
    let len = src.len().min(MAX_SCAN_BYTES);
    let mut scan = Scan::default();
    let mut base = 0u64;
    while base < len {
        let want = usize::try_from((len - base).min(SCAN_CHUNK as u64)).unwrap_or(SCAN_CHUNK);
        let buf = src.read_vec(base, want)?;
        if buf.is_empty() {
            break;
        }
        // Positions past `limit` are seen again by the next chunk (unless this is the last).
        let last = base + buf.len() as u64 >= len;
        let limit = if last {
            buf.len()
        } else {
            buf.len().saturating_sub(SCAN_OVERLAP)
        };
        for i in 0..limit {
            let Some(&b) = buf.get(i) else { break };
            if i > 0 && buf.get(i - 1).is_some_and(|&p| is_regular(p)) && b != b'%' {
                continue;
            }
            let rest = buf.get(i..).unwrap_or(&[]);
            let at = base + i as u64;
            if b.is_ascii_digit() && looks_like_object_header(rest) {
                if let Some((num, gen)) = header_numbers(rest) {
                    if scan.objects.len() as u64 >= budget.max_objects {
                        return Err(PdfError::budget(
                            "objects found by scanning",
                            budget.max_objects,
                        ));
                    }
                    scan.objects.push((at, num, gen));
                }
            } else if b == b't'
                && rest.starts_with(b"trailer")
                && rest.get(7).is_none_or(|&c| !is_regular(c))
                && scan.trailers.len() < MAX_SCAN_MARKERS
            {
                scan.trailers.push(at);
            } else if b == b'%' && rest.starts_with(b"%%EOF") && scan.eofs.len() < MAX_SCAN_MARKERS
            {
                let mut end = at + 5;
                match (rest.get(5), rest.get(6)) {
                    (Some(b'\r'), Some(b'\n')) => end += 2,
                    (Some(b'\r' | b'\n'), _) => end += 1,
                    _ => {}
                }
                scan.eofs.push(end);
            }
        }
        if last {
            break;
        }
        base += limit as u64;
    }
    Ok(scan)
}

/// The object number and generation of an `n g obj` header.
fn header_numbers(b: &[u8]) -> Option<(u32, u16)> {
    let (num, i) = digits(b, 0)?;
    let ws = b
        .get(i..)?
        .iter()
        .take_while(|&&c| is_whitespace(c))
        .count();
    let (gen, _) = digits(b, i + ws)?;
    Some((u32::try_from(num).ok()?, u16::try_from(gen).ok()?))
}

/// Rebuilds the revisions of a file whose cross-reference data cannot be read (`cause`):
/// every `n g obj` header is an object (the last definition before a revision's end wins),
/// every `%%EOF` ends a revision (objects after the last one form a final, incomplete
/// revision), a revision's trailer is the last `trailer` dictionary it holds (or its xref
/// stream's dictionary), else the previous revision's, else one naming the last catalog
/// found. Objects in object streams are found through the xref streams that can still be
/// read. `None` when the file holds no object or no `%%EOF` at all.
fn reconstruct<S: Source + ?Sized>(
    src: &S,
    budget: &Budget,
    cause: &PdfError,
) -> Result<Option<Vec<Revision>>, PdfError> {
    let scan = scan_file(src, budget)?;
    // No signed revision can be in a file without one complete revision (a signature's
    // byte range ends at a revision's %%EOF): a file cut inside its first revision keeps
    // its error.
    if scan.objects.is_empty() || scan.eofs.is_empty() {
        return Ok(None);
    }
    let file_end = src.len();
    // Revision ends: each %%EOF that follows at least one object, then the file's end if
    // objects follow the last one.
    // Object offsets are in file order (the scan goes forward), so one pass pairs them with
    // the %%EOF markers.
    let mut ends: Vec<u64> = Vec::new();
    let mut next_object = 0usize;
    for &e in &scan.eofs {
        let mut has_objects = false;
        while scan
            .objects
            .get(next_object)
            .is_some_and(|(at, _, _)| *at < e)
        {
            has_objects = true;
            next_object += 1;
        }
        if has_objects {
            ends.push(e);
        }
    }
    let last_object = scan.objects.iter().map(|(at, _, _)| *at).max().unwrap_or(0);
    if ends.last().is_none_or(|&e| e <= last_object) {
        ends.push(file_end);
    }
    if ends.len() > budget.max_revisions {
        return Err(PdfError::budget("revisions", budget.max_revisions as u64));
    }
    let what = format!(
        "the cross-reference data could not be read ({cause}); the object map was \
         reconstructed by scanning the file: {} object header(s), {} revision end(s)",
        scan.objects.len(),
        ends.len()
    );
    let mut revisions: Vec<Revision> = Vec::new();
    let mut start = 0u64;
    let mut catalog: Option<ObjRef> = None;
    let mut total = 0u64;
    // Parsing attempts (catalog candidates, xref streams) are bounded in all.
    let mut attempts = 0usize;
    // Object offsets are in file order: each revision takes the next run of them.
    let mut first_object = 0usize;
    for &end in &ends {
        let mut entries: std::collections::BTreeMap<u32, XrefEntry> = Default::default();
        let mut stream_entries: Vec<(u32, XrefEntry)> = Vec::new();
        let mut trailer: Option<Dict> = None;
        let mut xref_stream = None;
        let rest = scan.objects.get(first_object..).unwrap_or_default();
        let count = rest.iter().take_while(|(at, _, _)| *at < end).count();
        first_object += count;
        for &(at, num, gen) in rest.iter().take(count) {
            // A later definition of the same number replaces an earlier one.
            entries.insert(num, XrefEntry::InFile { offset: at, gen });
            if attempts >= MAX_REPAIR_PARSES {
                continue;
            }
            let head = src.read_vec(at, SNIFF)?;
            let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
            if has(b"/Catalog") {
                attempts += 1;
                if is_catalog(src, at, budget) {
                    catalog = Some(ObjRef { num, gen });
                }
            }
            if has(b"/XRef") {
                attempts += 1;
                if let Ok((e, dict, id, _)) = read_xref_stream(src, at, budget, &mut total) {
                    stream_entries.extend(
                        e.into_iter()
                            .filter(|(_, e)| matches!(e, XrefEntry::InStream { .. })),
                    );
                    trailer = Some(dict);
                    xref_stream = Some(id);
                }
            }
        }
        // Objects found in the file win over what a surviving xref stream says.
        for (num, e) in stream_entries {
            entries.entry(num).or_insert(e);
        }
        if let Some(&t) = scan.trailers.iter().rev().find(|&&t| t >= start && t < end) {
            if let Some(d) = trailer_at(src, t, budget) {
                trailer = Some(d);
            }
        }
        let mut trailer = trailer
            .or_else(|| revisions.last().map(|r| r.trailer.clone()))
            .unwrap_or_default();
        if !trailer.contains(b"Root") {
            if let Some(root) = catalog {
                trailer.set("Root", Object::Reference(root));
            }
        }
        trailer.remove(b"Prev");
        let entries: Vec<(u32, XrefEntry)> = entries.into_iter().collect();
        revisions.push(Revision {
            pointer: end,
            xref_offset: end,
            startxref_value: None,
            kind: XrefKind::Table,
            trailer,
            entries,
            xref_stream,
            xref_stream_offset: None,
            section_end: end,
            end,
            has_eof_marker: scan.eofs.contains(&end),
            repaired: Some(what.clone()),
            reconstructed: true,
            corrected: Vec::new(),
        });
        start = end;
    }
    // The value the file declares, kept for messages (no section was read with it).
    if let Some(last) = revisions.last_mut() {
        last.startxref_value = find_startxref(src).ok();
    }
    Ok(Some(revisions))
}

/// Most entries named in a revision's repair note.
const NAMED_REPAIRS: usize = 8;

/// Bytes looked at for a header without the parser.
const HEADER_PEEK: usize = 48;
/// Size of the chunks [`HeaderReader`] reads from a source that is not in memory.
const HEADER_CHUNK: usize = 64 * 1024;

/// Reads object headers at increasing offsets, a chunk at a time.
struct HeaderReader<'s, S: Source + ?Sized> {
    src: &'s S,
    chunk: Vec<u8>,
    chunk_at: u64,
}

impl<'s, S: Source + ?Sized> HeaderReader<'s, S> {
    fn new(src: &'s S) -> Self {
        HeaderReader {
            src,
            chunk: Vec::new(),
            chunk_at: 0,
        }
    }

    /// The object header at `offset` (see [`header_at`]).
    fn header(&mut self, offset: u64, budget: &Budget) -> Option<ObjRef> {
        if offset >= self.src.len() {
            return None;
        }
        let peek: Option<&[u8]> = match self.src.as_slice() {
            Some(all) => usize::try_from(offset).ok().and_then(|o| all.get(o..)),
            None => {
                let end = offset
                    .saturating_add(HEADER_PEEK as u64)
                    .min(self.src.len());
                let have = self.chunk_at + self.chunk.len() as u64;
                if offset < self.chunk_at || end > have {
                    self.chunk = self.src.read_vec(offset, HEADER_CHUNK).ok()?;
                    self.chunk_at = offset;
                }
                usize::try_from(offset - self.chunk_at)
                    .ok()
                    .and_then(|o| self.chunk.get(o..))
            }
        };
        if let Some(head) = peek {
            let head = head.get(..HEADER_PEEK).unwrap_or(head);
            let ws = head.iter().take_while(|&&b| is_whitespace(b)).count();
            let rest = head.get(ws..).unwrap_or(&[]);
            if looks_like_object_header(rest) {
                return header_numbers(rest).map(|(num, gen)| ObjRef { num, gen });
            }
        }
        header_at(self.src, offset, budget)
    }
}

/// The object header (`n g obj`) at `offset`, white space and comments before it skipped.
fn header_at<S: Source + ?Sized>(src: &S, offset: u64, budget: &Budget) -> Option<ObjRef> {
    if offset >= src.len() {
        return None;
    }
    with_window(
        src,
        offset,
        64,
        4096,
        "white space before an object header",
        |buf, base, at_eof| {
            let mut p = Parser::new(Lexer::new(buf, base, at_eof), budget.max_depth);
            p.parse_indirect_header().map(|(id, _)| id)
        },
    )
    .ok()
}

/// ISO 32000-2 §7.5.4: an in-use entry gives the offset of its object's `n g obj` header.
/// An entry whose offset holds another object (`5 0 obj` where the table says object 4),
/// or none (garbage, past the end of the file), is corrected as qpdf, poppler and MuPDF do:
/// from the object headers found by scanning the file — the last definition of the same
/// number and generation before the end of the entry's own revision (never one in a later
/// revision's bytes), or, when there is none, a free entry (the object reads as `null`).
/// The revision says so in [`Revision::repaired`]. Nothing is scanned when every entry
/// holds.
fn repair_entries<S: Source + ?Sized>(
    src: &S,
    budget: &Budget,
    chain: &mut [Revision],
) -> Result<(), PdfError> {
    // Every in-use entry, in file order, so that the headers are read in few chunks.
    let mut all: Vec<(u64, ObjRef, usize)> = Vec::new();
    for (i, rev) in chain.iter().enumerate() {
        for &(num, entry) in &rev.entries {
            if let (XrefEntry::InFile { offset, gen }, true) = (entry, num != 0) {
                all.push((offset, ObjRef { num, gen }, i));
            }
        }
    }
    all.sort_unstable_by_key(|&(offset, _, _)| offset);
    // Per revision: the wrong entries (number, generation, offset).
    let mut wrong: Vec<Vec<(u32, u16, u64)>> = vec![Vec::new(); chain.len()];
    let mut reader = HeaderReader::new(src);
    for (offset, id, i) in all {
        if reader.header(offset, budget) != Some(id) {
            if let Some(list) = wrong.get_mut(i) {
                list.push((id.num, id.gen, offset));
            }
        }
    }
    for list in &mut wrong {
        list.sort_unstable();
    }
    if wrong.iter().all(Vec::is_empty) {
        return Ok(());
    }
    let scan = scan_file(src, budget)?;
    let mut headers: std::collections::HashMap<(u32, u16), Vec<u64>> = Default::default();
    for &(at, num, gen) in &scan.objects {
        headers.entry((num, gen)).or_default().push(at);
    }
    for (rev, list) in chain.iter_mut().zip(wrong) {
        if list.is_empty() {
            continue;
        }
        let end = rev.end.max(rev.section_end);
        let mut named = Vec::new();
        let mut missing = 0usize;
        for &(num, gen, offset) in &list {
            // Offsets are in file order: the last one before the revision's end.
            let found = headers
                .get(&(num, gen))
                .and_then(|v| v.iter().rev().find(|&&at| at < end).copied());
            let fixed = match found {
                Some(at) => XrefEntry::InFile { offset: at, gen },
                None => {
                    missing += 1;
                    XrefEntry::Free { next: 0, gen }
                }
            };
            if let Ok(i) = rev.entries.binary_search_by_key(&num, |(n, _)| *n) {
                if let Some(slot) = rev.entries.get_mut(i) {
                    rev.corrected.push((num, slot.1));
                    slot.1 = fixed;
                }
            }
            if named.len() < NAMED_REPAIRS {
                named.push(match found {
                    Some(at) => format!("{num} {gen} R (offset {offset}, found at {at})"),
                    None => format!("{num} {gen} R (offset {offset}, not found: read as null)"),
                });
            }
        }
        let more = list.len().saturating_sub(named.len());
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        rev.repaired = Some(format!(
            "{} cross-reference entr{} of the section at offset {} point{} at another object \
             or at none: {}{more}; corrected from the object headers found by scanning the \
             file ({missing} object(s) not found)",
            list.len(),
            if list.len() == 1 { "y" } else { "ies" },
            rev.xref_offset,
            if list.len() == 1 { "s" } else { "" },
            named.join(", "),
        ));
    }
    Ok(())
}

/// Whether the object at `at` is a dictionary with `/Type /Catalog`.
fn is_catalog<S: Source + ?Sized>(src: &S, at: u64, budget: &Budget) -> bool {
    let parsed = parse_indirect_at(src, at, None, budget, &mut |_| {
        Err(PdfError::bad_xref(at, "not needed"))
    });
    matches!(parsed, Ok(o) if matches!(&o.object, Object::Dict(d)
        if matches!(d.get(b"Type"), Some(Object::Name(n)) if n.as_bytes() == b"Catalog")))
}

/// The dictionary after the `trailer` keyword at `at`, if it reads as one.
fn trailer_at<S: Source + ?Sized>(src: &S, at: u64, budget: &Budget) -> Option<Dict> {
    let from = at + b"trailer".len() as u64;
    let obj = with_window(
        src,
        from,
        1024,
        budget.max_object_bytes,
        "trailer size in bytes",
        |buf, base, at_eof| {
            let mut p = Parser::new(Lexer::new(buf, base, at_eof), budget.max_depth);
            p.parse_object()
        },
    )
    .ok()?;
    match obj {
        Object::Dict(d) => Some(d),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_entries_of_every_width_and_eol() {
        let mut src = b"xref\n0 4\n".to_vec();
        src.extend_from_slice(b"0000000000 65535 f\r\n"); // 20 bytes, CRLF
        src.extend_from_slice(b"0000000017 00000 n \n"); // 20 bytes, SP LF
        src.extend_from_slice(b"0000000081 00000 n\n"); // 19 bytes
        src.extend_from_slice(b"0000000123 00002 n \r\n"); // 21 bytes
        src.extend_from_slice(b"trailer\n<< /Size 4 >>\nstartxref\n0\n%%EOF\r\n");
        let mut total = 0;
        let rev = read_section(&src, 0, &Budget::default(), &mut total).unwrap();
        assert_eq!(rev.kind, XrefKind::Table);
        assert_eq!(
            rev.entries,
            vec![
                (
                    0,
                    XrefEntry::Free {
                        next: 0,
                        gen: 65535
                    }
                ),
                (1, XrefEntry::InFile { offset: 17, gen: 0 }),
                (2, XrefEntry::InFile { offset: 81, gen: 0 }),
                (
                    3,
                    XrefEntry::InFile {
                        offset: 123,
                        gen: 2
                    }
                ),
            ]
        );
        assert_eq!(rev.startxref_value, Some(0));
        assert!(rev.has_eof_marker);
        assert_eq!(rev.end, src.len() as u64);
        assert_eq!(total, 4);
    }

    #[test]
    fn several_subsections_and_a_table_entry_count_budget() {
        let src = b"xref\n0 1\n0000000000 65535 f \n5 2\n0000000010 00000 n \n0000000020 00000 n \ntrailer<</Size 7>>".to_vec();
        let mut total = 0;
        let rev = read_section(&src, 0, &Budget::default(), &mut total).unwrap();
        assert_eq!(rev.entries.len(), 3);
        assert_eq!(rev.entry(6), Some(XrefEntry::InFile { offset: 20, gen: 0 }));
        assert_eq!(rev.entry(4), None);
        assert!(!rev.has_eof_marker);
        let b = Budget {
            max_objects: 2,
            ..Budget::default()
        };
        let mut total = 0;
        assert!(matches!(
            read_section(&src, 0, &b, &mut total),
            Err(PdfError::BudgetExceeded { .. })
        ));
    }

    #[test]
    fn malformed_tables_are_errors() {
        for src in [
            &b"xref\n0 2\n0000000000 65535 f \ntrailer<<>>"[..],
            b"xref\n0 1\n0000000000 65535 x \ntrailer<<>>",
            b"xref\n0 1\n00000000a0 65535 f \ntrailer<<>>",
            b"xref\n0 1\n0000000000 99999 f \ntrailer<<>>",
            b"xref\n0 1\n0000000000 65535 f \ntrailer [1]",
            b"xref\n0 1\n0000000000 65535 f \n",
            b"xref\n-1 1\n0000000000 65535 f \ntrailer<<>>",
            b"xref\n4294967295 2\n0000000000 65535 f \n0000000000 65535 f \ntrailer<<>>",
            b"xref\nfoo",
        ] {
            let mut total = 0;
            assert!(
                read_section(&src.to_vec(), 0, &Budget::default(), &mut total).is_err(),
                "{:?}",
                String::from_utf8_lossy(src)
            );
        }
    }

    #[test]
    fn startxref_is_found_despite_trailing_garbage() {
        let mut src = b"%PDF-1.7\nstartxref\n1234\n%%EOF\n".to_vec();
        src.extend(std::iter::repeat_n(b'\n', 2000));
        assert_eq!(find_startxref(&src).unwrap(), 1234);
        src.extend(std::iter::repeat_n(b'x', 3000));
        assert!(matches!(find_startxref(&src), Err(PdfError::NoStartXref)));
        assert!(matches!(
            find_startxref(&b"startxref\n-5"[..].to_vec()),
            Err(PdfError::NoStartXref)
        ));
        assert!(matches!(
            find_startxref(&b"startxref"[..].to_vec()),
            Err(PdfError::NoStartXref)
        ));
    }

    #[test]
    fn hybrid_merge_prefers_in_use_table_entries_then_the_stream() {
        let table = vec![
            (1, XrefEntry::InFile { offset: 10, gen: 0 }),
            (2, XrefEntry::Free { next: 0, gen: 1 }),
            (4, XrefEntry::Free { next: 0, gen: 0 }),
        ];
        let stream = vec![
            (
                1,
                XrefEntry::InStream {
                    stream_num: 9,
                    index: 0,
                },
            ),
            (
                2,
                XrefEntry::InStream {
                    stream_num: 9,
                    index: 1,
                },
            ),
            (
                3,
                XrefEntry::InStream {
                    stream_num: 9,
                    index: 2,
                },
            ),
        ];
        let m = merge_hybrid(table, stream);
        assert_eq!(
            m,
            vec![
                (1, XrefEntry::InFile { offset: 10, gen: 0 }),
                (
                    2,
                    XrefEntry::InStream {
                        stream_num: 9,
                        index: 1
                    }
                ),
                (
                    3,
                    XrefEntry::InStream {
                        stream_num: 9,
                        index: 2
                    }
                ),
                (4, XrefEntry::Free { next: 0, gen: 0 }),
            ]
        );
    }

    #[test]
    fn revision_end_scan() {
        let src = b"\nstartxref\n99\n%comment\n%%EOF\r\nrest".to_vec();
        assert_eq!(scan_revision_end(&src, 0).unwrap(), (Some(99), 30, true));
        let src = b" %%EOF".to_vec();
        assert_eq!(scan_revision_end(&src, 0).unwrap(), (None, 6, true));
        let src = b"\nstartxref\n99\n1 0 obj".to_vec();
        assert_eq!(scan_revision_end(&src, 0).unwrap(), (Some(99), 13, false));
        let src = b"\r\r%%EOF\r\r".to_vec();
        assert_eq!(scan_revision_end(&src, 0).unwrap(), (None, 8, true));
    }
}
