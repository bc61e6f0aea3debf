//! Structural checks of the bytes an incremental update appended.
//!
//! The object rules judge what the reader sees through the cross-reference sections. A
//! viewer may see something else when the sections do not describe the bytes: it repairs a
//! wrong offset by scanning the file, takes the first of two definitions where kyso takes the
//! last, or reads an object that no section lists. Each check here names one such
//! inconsistency in the part of the file a later revision added; any one of them makes the
//! revision's changes disallowed, whatever the object rules say:
//!
//! - the offset that reaches the section (`startxref`, `/Prev`) is not the section's offset;
//! - an entry points before the revision's bytes (into signed bytes) other than restating the
//!   previous entry, or past them, or at bytes that do not define that object;
//! - an entry puts an object into an object stream of an earlier revision;
//! - an object stream of the update holds objects its section does not list;
//! - an object is defined in the update's bytes but no entry points at it (a second
//!   definition of a listed object, or an object outside any section), or a second
//!   `xref`/`trailer`/`startxref` stands outside the section;
//! - a table lists an object twice, or an xref stream's `/Index` ranges overlap;
//! - an entry's object number is not below the trailer's `/Size`;
//! - a dictionary of the update (or its trailer) repeats a key;
//! - the update defines a second document catalog, or changes `/Encrypt`, or a hybrid
//!   section's stream names another `/Root`.
//!
//! Each check reads only the update's bytes and the objects its section lists: the cost is
//! linear in the size of the update.

use std::collections::BTreeSet;

use crate::pdf::lexer::{is_regular, Lexer, Token};
use crate::pdf::parser::parse_indirect_at;
use crate::pdf::{Document, ObjRef, Object, PdfError, Source, Span, StreamData, XrefEntry};
use crate::pdf::{Revision, XrefKind};

/// One structural inconsistency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// The object concerned, if one is.
    pub object: Option<ObjRef>,
    /// What is wrong, for the report.
    pub description: String,
}

impl Anomaly {
    fn new(object: Option<ObjRef>, description: impl Into<String>) -> Self {
        Anomaly {
            object,
            description: description.into(),
        }
    }
}

/// More anomalies than this in one revision are summarised.
const MAX_ANOMALIES: usize = 24;

/// Bytes scanned at once for object headers and keywords.
const SCAN_CHUNK: u64 = 1 << 20;

/// How far back a header may start before the `obj` keyword (two numbers and white space).
const LOOKBEHIND: u64 = 64;

/// Deepest nesting followed when looking for repeated keys.
const MAX_KEY_CHECK_DEPTH: usize = 256;

/// Largest dictionary part of one object that is checked for repeated keys.
const MAX_KEY_CHECK_BYTES: u64 = 1 << 20;

/// Where the bytes of revision `rev` start: just past every earlier revision (a linearized
/// file's first-page section sits near the start of the file, so the furthest end counts).
pub fn region_start<S: Source>(doc: &Document<S>, rev: usize) -> u64 {
    doc.revisions()
        .get(..rev)
        .unwrap_or_default()
        .iter()
        .map(|r| r.end)
        .max()
        .unwrap_or(0)
}

/// Collects anomalies, up to [`MAX_ANOMALIES`].
struct Found {
    list: Vec<Anomaly>,
    dropped: usize,
}

impl Found {
    fn push(&mut self, a: Anomaly) {
        if self.list.len() < MAX_ANOMALIES {
            self.list.push(a);
        } else {
            self.dropped += 1;
        }
    }

    fn finish(mut self) -> Vec<Anomaly> {
        if self.dropped > 0 {
            self.list.push(Anomaly::new(
                None,
                format!("and {} more structural anomalies", self.dropped),
            ));
        }
        self.list
    }
}

/// The structural anomalies of revision `rev` (an update after the signed revision).
/// Budget and I/O errors are returned; everything else the bytes do wrong is an anomaly.
pub fn check_revision<S: Source>(doc: &Document<S>, rev: usize) -> Result<Vec<Anomaly>, PdfError> {
    let mut found = Found {
        list: Vec::new(),
        dropped: 0,
    };
    let Some(r) = doc.revisions().get(rev) else {
        return Ok(Vec::new());
    };
    let prev = rev.saturating_sub(1);
    let start = region_start(doc, rev);
    let end = r.end;
    if r.xref_offset < start || end <= start {
        found.push(Anomaly::new(
            None,
            format!(
                "the cross-reference section (offset {}) is not appended after the earlier \
                 revisions (which end at {start})",
                r.xref_offset
            ),
        ));
    }
    let misses = |p: u64| misses_section(doc, p, r.xref_offset);
    let wrong = [Some(r.pointer), r.startxref_value]
        .into_iter()
        .flatten()
        .find(|&p| misses(p));
    if let Some(p) = wrong {
        found.push(Anomaly::new(
            None,
            format!(
                "the offset that leads to the cross-reference section ({p}) is not where the \
                 section is ({}); a viewer has to repair the file and may read other objects",
                r.xref_offset
            ),
        ));
    }
    trailer_checks(doc, rev, prev, &mut found)?;

    // The parts of the region that the section accounts for: listed objects and the section.
    let mut extents: Vec<Span> = Vec::new();
    let mut listed: BTreeSet<u32> = BTreeSet::new();
    let root = doc
        .trailer(rev)
        .and_then(|t| t.get(b"Root"))
        .and_then(Object::as_ref);
    let own_streams: BTreeSet<u32> = r
        .entries
        .iter()
        .filter(|(_, e)| matches!(e, XrefEntry::InFile { offset, .. } if *offset >= start && *offset < end))
        .map(|(n, _)| *n)
        .collect();
    for &(num, entry) in &r.entries {
        if num == 0 {
            continue;
        }
        match entry {
            XrefEntry::Free { .. } => {}
            XrefEntry::InFile { offset, gen } => {
                let id = ObjRef::new(num, gen);
                if offset < start {
                    if doc.lookup(prev, id) != Some(entry) {
                        found.push(Anomaly::new(
                            Some(id),
                            format!(
                                "the entry for {id} points at offset {offset}, inside the bytes \
                                 of an earlier revision, instead of at a definition this update \
                                 adds: the update redefines the object with bytes that were \
                                 signed as something else"
                            ),
                        ));
                    }
                    continue;
                }
                if offset >= end {
                    found.push(Anomaly::new(
                        Some(id),
                        format!(
                            "the entry for {id} points at offset {offset}, past the end of its \
                             revision ({end})"
                        ),
                    ));
                    continue;
                }
                listed.insert(num);
                match doc.get_indirect(rev, id) {
                    Ok(Some(obj)) => {
                        if let Some(span) = obj.span {
                            extents.push(span);
                            repeated_keys(doc, id, &obj.object, span, &mut found)?;
                        }
                        second_catalog(id, &obj.object, root, &mut found);
                        if let Object::Stream(s) = &obj.object {
                            if s.dict.is_type(b"ObjStm") {
                                object_stream_listing(doc, rev, r, id, s, &mut found)?;
                            }
                        }
                    }
                    Ok(None) => found.push(Anomaly::new(
                        Some(id),
                        format!("the entry for {id} leads to no object"),
                    )),
                    Err(e @ (PdfError::BudgetExceeded { .. } | PdfError::Io(_))) => return Err(e),
                    Err(PdfError::ObjectMismatch { found: other, .. }) => found.push(Anomaly::new(
                        Some(id),
                        format!(
                            "the entry for {id} points at offset {offset}, where object \
                                 {other} is defined"
                        ),
                    )),
                    Err(e) => found.push(Anomaly::new(
                        Some(id),
                        format!(
                            "the entry for {id} points at offset {offset}, where no object can \
                             be read: {e}"
                        ),
                    )),
                }
            }
            XrefEntry::InStream { stream_num, .. } => {
                let id = ObjRef::new(num, 0);
                if !own_streams.contains(&stream_num) {
                    if doc.lookup(prev, id) != Some(entry) {
                        found.push(Anomaly::new(
                            Some(id),
                            format!(
                                "the entry for {id} takes the object from object stream \
                                 {stream_num}, which this update does not define"
                            ),
                        ));
                    }
                    continue;
                }
                match doc.get(rev, id) {
                    Ok(Some(o)) => second_catalog(id, &o, root, &mut found),
                    Ok(None) => {}
                    Err(e @ (PdfError::BudgetExceeded { .. } | PdfError::Io(_))) => return Err(e),
                    Err(e) => found.push(Anomaly::new(
                        Some(id),
                        format!("object {id} cannot be read from its object stream: {e}"),
                    )),
                }
            }
        }
    }
    // Entries the reader corrected by scanning (issue 19 §4): in an update after the
    // signature, an entry that misses its object is how a shadow attack shows one reader one
    // object and another reader another (a viewer that rebuilds the table takes the
    // definition the scan found; one that trusts the entry does not).
    for &(num, original) in &r.corrected {
        if let XrefEntry::InFile { offset, gen } = original {
            let id = ObjRef::new(num, gen);
            let now = match r.entry(num) {
                Some(XrefEntry::InFile { offset: at, .. }) => {
                    format!("a viewer that rebuilds the table takes the definition at {at}")
                }
                _ => "no definition of it exists in the revision's bytes".to_string(),
            };
            found.push(Anomaly::new(
                Some(id),
                format!(
                    "the entry for {id} points at offset {offset}, where another object or \
                     none is defined; {now}"
                ),
            ));
        }
    }
    let section = section_extents(doc, r, &mut found)?;
    extents.extend(section.iter().copied());
    extents.sort_by_key(|s| s.start);
    duplicate_entries(doc, r, &mut found)?;
    if start < end {
        let known = |num: u32| {
            listed.contains(&num)
                || doc
                    .lookup(prev, ObjRef::new(num, 0))
                    .is_some_and(|e| e.is_in_use())
        };
        scan_region(
            doc,
            start,
            end,
            &extents,
            &known,
            section.first(),
            &mut found,
        )?;
    }
    Ok(found.finish())
}

/// The bytes after the last revision: nothing there may look like PDF structure.
pub fn check_trailing<S: Source>(doc: &Document<S>) -> Result<Vec<Anomaly>, PdfError> {
    let start = region_start(doc, doc.revisions().len());
    let end = doc.len();
    let mut found = Found {
        list: Vec::new(),
        dropped: 0,
    };
    if start < end {
        let last = doc.last_revision();
        let known = |num: u32| {
            doc.lookup(last, ObjRef::new(num, 0))
                .is_some_and(|e| e.is_in_use())
        };
        scan_region(doc, start, end, &[], &known, None, &mut found)?;
    }
    for a in &mut found.list {
        a.description = format!("after the end of the last revision: {}", a.description);
    }
    Ok(found.finish())
}

/// For revisions up to and including the signed one: entries that point at or past
/// `signed_end` define objects with bytes the signature does not cover.
pub fn check_signed_entries<S: Source>(doc: &Document<S>, signed: usize) -> Vec<Anomaly> {
    let signed_end = region_start(doc, signed.saturating_add(1));
    let mut found = Found {
        list: Vec::new(),
        dropped: 0,
    };
    for (i, r) in doc.revisions().iter().enumerate().take(signed + 1) {
        for &(num, entry) in &r.entries {
            if let XrefEntry::InFile { offset, gen } = entry {
                if num != 0 && offset >= signed_end {
                    let id = ObjRef::new(num, gen);
                    found.push(Anomaly::new(
                        Some(id),
                        format!(
                            "revision {}, which the signature covers, places {id} at offset \
                             {offset}, past the signed bytes (which end at {signed_end}): \
                             whatever is appended there becomes that object",
                            i + 1
                        ),
                    ));
                }
            }
        }
    }
    found.finish()
}

/// True when `pointer` does not lead to the section at `section`: it is neither its offset
/// nor a run of white space just before it (which every reader skips).
fn misses_section<S: Source>(doc: &Document<S>, pointer: u64, section: u64) -> bool {
    if pointer == section {
        return false;
    }
    let gap = match section.checked_sub(pointer) {
        Some(g) if g <= LOOKBEHIND => g,
        _ => return true,
    };
    match doc.source().read_vec(pointer, gap as usize) {
        Ok(b) => b.len() as u64 != gap || !b.iter().all(|&c| crate::pdf::lexer::is_whitespace(c)),
        Err(_) => true,
    }
}

/// `/Root` and `/Encrypt` must stay; `/Size` must cover the entries; a hybrid section's
/// stream must agree with its table trailer.
fn trailer_checks<S: Source>(
    doc: &Document<S>,
    rev: usize,
    prev: usize,
    found: &mut Found,
) -> Result<(), PdfError> {
    let (Some(t), Some(old)) = (doc.trailer(rev), doc.trailer(prev)) else {
        return Ok(());
    };
    if t.get(b"Encrypt") != old.get(b"Encrypt") {
        found.push(Anomaly::new(
            None,
            "the trailer's /Encrypt differs from the previous revision's",
        ));
    }
    let Some(r) = doc.revisions().get(rev) else {
        return Ok(());
    };
    match t.get_int(b"Size") {
        Some(size) => {
            if let Some(&(num, _)) = r
                .entries
                .iter()
                .rev()
                .find(|(n, e)| e.is_in_use() && i64::from(*n) >= size)
            {
                found.push(Anomaly::new(
                    Some(ObjRef::new(num, 0)),
                    format!(
                        "object {num} is defined, but the trailer's /Size is {size}: readers \
                         that honour /Size ignore it, others read it"
                    ),
                ));
            }
        }
        None => found.push(Anomaly::new(None, "the trailer has no integer /Size")),
    }
    if r.kind == XrefKind::Hybrid {
        if let Some(offset) = r.xref_stream_offset {
            let stm = parse_indirect_at(doc.source(), offset, None, doc.budget(), &mut |_| {
                Err(PdfError::Missing("a direct /Length"))
            });
            match stm {
                Ok(obj) => {
                    if let Object::Stream(s) = &obj.object {
                        for key in [&b"Root"[..], b"Encrypt", b"Info"] {
                            if let Some(v) = s.dict.get(key) {
                                if t.get(key) != Some(v) {
                                    found.push(Anomaly::new(
                                        Some(obj.id),
                                        format!(
                                            "the /XRefStm stream names a /{} that differs from \
                                             the table trailer's",
                                            String::from_utf8_lossy(key)
                                        ),
                                    ));
                                }
                            }
                        }
                    }
                }
                Err(e @ (PdfError::BudgetExceeded { .. } | PdfError::Io(_))) => return Err(e),
                Err(_) => {}
            }
        }
    }
    Ok(())
}

/// The spans of the section itself: a table with its trailer, an xref stream object, and a
/// hybrid section's `/XRefStm` stream.
fn section_extents<S: Source>(
    doc: &Document<S>,
    r: &Revision,
    found: &mut Found,
) -> Result<Vec<Span>, PdfError> {
    let mut out = vec![Span {
        start: r.xref_offset,
        end: r.section_end,
    }];
    if let (XrefKind::Hybrid, Some(offset)) = (r.kind, r.xref_stream_offset) {
        match parse_indirect_at(doc.source(), offset, None, doc.budget(), &mut |_| {
            Err(PdfError::Missing("a direct /Length"))
        }) {
            Ok(obj) => {
                if let Some(span) = obj.span {
                    out.push(span);
                }
            }
            Err(e @ (PdfError::BudgetExceeded { .. } | PdfError::Io(_))) => return Err(e),
            Err(e) => found.push(Anomaly::new(
                None,
                format!("the /XRefStm stream at offset {offset} cannot be read: {e}"),
            )),
        }
    }
    // The trailer dictionary of a table: repeated keys there change what a viewer uses.
    if r.kind != XrefKind::Stream {
        let len = r.section_end.saturating_sub(r.xref_offset);
        if len <= MAX_KEY_CHECK_BYTES {
            let bytes = doc.source().read_vec(r.xref_offset, len as usize)?;
            if let Some(at) = find_keyword(&bytes, b"trailer") {
                if let Some(key) = bytes.get(at..).and_then(repeated_key_in) {
                    found.push(Anomaly::new(
                        None,
                        format!(
                            "the trailer repeats the key /{}; readers disagree on which value \
                             counts",
                            String::from_utf8_lossy(&key)
                        ),
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// Repeated object numbers within one table, or overlapping `/Index` ranges of an xref
/// stream: the reader keeps one entry, another reader may keep the other.
fn duplicate_entries<S: Source>(
    doc: &Document<S>,
    r: &Revision,
    found: &mut Found,
) -> Result<(), PdfError> {
    if r.kind == XrefKind::Stream {
        if let Some(Object::Array(index)) = r.trailer.get(b"Index") {
            let mut ranges: Vec<(i64, i64)> = index
                .chunks(2)
                .filter_map(|p| match p {
                    [a, b] => Some((a.as_int()?, b.as_int()?)),
                    _ => None,
                })
                .collect();
            ranges.sort_unstable();
            if ranges
                .windows(2)
                .any(|w| matches!(w, [(a, n), (b, _)] if a.saturating_add(*n) > *b))
            {
                found.push(Anomaly::new(
                    None,
                    "the cross-reference stream's /Index ranges overlap: an object is listed \
                     twice",
                ));
            }
        }
        return Ok(());
    }
    let len = r.section_end.saturating_sub(r.xref_offset);
    if len > doc.budget().max_object_bytes {
        return Ok(());
    }
    let bytes = doc.source().read_vec(r.xref_offset, len as usize)?;
    let Some(numbers) = table_numbers(&bytes, doc.budget().max_objects) else {
        return Ok(());
    };
    let mut seen = BTreeSet::new();
    for n in numbers {
        if !seen.insert(n) {
            found.push(Anomaly::new(
                Some(ObjRef::new(n, 0)),
                format!(
                    "the cross-reference table lists object {n} twice; readers disagree on \
                     which entry counts"
                ),
            ));
            break;
        }
    }
    Ok(())
}

/// The object numbers a classic table lists, in order (`None` if it does not read as one).
fn table_numbers(bytes: &[u8], max: u64) -> Option<Vec<u32>> {
    let mut lx = Lexer::detached(bytes);
    match lx.next_token().ok()?? {
        (Token::Keyword(b"xref"), _) => {}
        _ => return None,
    }
    let mut out = Vec::new();
    loop {
        match lx.next_token().ok()?? {
            (Token::Keyword(b"trailer"), _) => return Some(out),
            (Token::Integer(first), _) => {
                let (Token::Integer(count), _) = lx.next_token().ok()?? else {
                    return None;
                };
                let first = u32::try_from(first).ok()?;
                let count = u32::try_from(count).ok()?;
                if out.len() as u64 + u64::from(count) > max {
                    return None;
                }
                for k in 0..count {
                    // offset, generation, n|f
                    for _ in 0..3 {
                        lx.next_token().ok()??;
                    }
                    out.push(first.checked_add(k)?);
                }
            }
            _ => return None,
        }
    }
}

/// An object stream of the update must hold only objects its section places there.
fn object_stream_listing<S: Source>(
    doc: &Document<S>,
    rev: usize,
    r: &Revision,
    id: ObjRef,
    s: &crate::pdf::Stream,
    found: &mut Found,
) -> Result<(), PdfError> {
    let n = s.dict.get_int(b"N").unwrap_or(0);
    let first = s.dict.get_int(b"First").unwrap_or(0);
    let (Ok(n), Ok(first)) = (u64::try_from(n), usize::try_from(first)) else {
        return Ok(());
    };
    if n > doc.budget().max_objects {
        return Ok(());
    }
    let data = match doc.decode_stream(rev, s) {
        Ok(d) => d,
        Err(e @ (PdfError::BudgetExceeded { .. } | PdfError::Io(_))) => return Err(e),
        // The objects in it cannot be read either; the rules report what that breaks.
        Err(_) => return Ok(()),
    };
    let mut lx = Lexer::detached(data.get(..first).unwrap_or(&data));
    let mut seen = BTreeSet::new();
    for index in 0..n {
        let Ok(Some((Token::Integer(num), _))) = lx.next_token() else {
            break;
        };
        let Ok(Some((Token::Integer(_), _))) = lx.next_token() else {
            break;
        };
        let Ok(num) = u32::try_from(num) else {
            continue;
        };
        let listed = r.entry(num)
            == Some(XrefEntry::InStream {
                stream_num: id.num,
                index: u32::try_from(index).unwrap_or(u32::MAX),
            });
        if !seen.insert(num) {
            found.push(Anomaly::new(
                Some(ObjRef::new(num, 0)),
                format!("object stream {id} holds object {num} twice"),
            ));
        } else if !listed {
            found.push(Anomaly::new(
                Some(ObjRef::new(num, 0)),
                format!(
                    "object stream {id} holds object {num}, which the cross-reference section \
                     does not place there"
                ),
            ));
        }
    }
    Ok(())
}

/// A dictionary with `/Type /Catalog` that is not the trailer's `/Root`.
fn second_catalog(id: ObjRef, o: &Object, root: Option<ObjRef>, found: &mut Found) {
    let is_catalog = match o {
        Object::Dict(d) => d.is_type(b"Catalog"),
        _ => false,
    };
    if is_catalog && root != Some(id) {
        found.push(Anomaly::new(
            Some(id),
            format!(
                "{id} is a second document catalog (/Type /Catalog) beside the trailer's /Root"
            ),
        ));
    }
}

/// Reports a key repeated in any dictionary of the object at `span`.
fn repeated_keys<S: Source>(
    doc: &Document<S>,
    id: ObjRef,
    o: &Object,
    span: Span,
    found: &mut Found,
) -> Result<(), PdfError> {
    let end = match o {
        Object::Stream(s) => match s.data {
            StreamData::File(d) => d.start,
            StreamData::Memory(_) => span.end,
        },
        Object::Dict(_) | Object::Array(_) => span.end,
        _ => return Ok(()),
    };
    let len = end.saturating_sub(span.start);
    if len > MAX_KEY_CHECK_BYTES {
        return Ok(());
    }
    let bytes = doc.source().read_vec(span.start, len as usize)?;
    if let Some(key) = repeated_key_in(&bytes) {
        found.push(Anomaly::new(
            Some(id),
            format!(
                "a dictionary of {id} repeats the key /{}; readers disagree on which value counts",
                String::from_utf8_lossy(&key)
            ),
        ));
    }
    Ok(())
}

enum Frame {
    Dict {
        keys: BTreeSet<Vec<u8>>,
        want_key: bool,
    },
    Array,
}

/// The first key repeated within one dictionary in `bytes` (an object from its header, or a
/// trailer from its keyword), read until `stream`, `endobj` or the end.
pub fn repeated_key_in(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut lx = Lexer::detached(bytes);
    let mut stack: Vec<Frame> = Vec::new();
    // Tokens are taken one at a time; a reference `n g R` is recognised by looking ahead.
    let mut lookahead: std::collections::VecDeque<Token<'_>> = std::collections::VecDeque::new();
    loop {
        let tok = match lookahead.pop_front() {
            Some(t) => t,
            None => next_token(&mut lx)?,
        };
        if let Token::Keyword(k) = tok {
            if matches!(k, b"stream" | b"endobj" | b"startxref") {
                return None;
            }
        }
        let wants_key = matches!(stack.last(), Some(Frame::Dict { want_key: true, .. }));
        if wants_key {
            match tok {
                Token::Name(n) => {
                    if let Some(Frame::Dict { keys, want_key }) = stack.last_mut() {
                        if !keys.insert(n.as_bytes().to_vec()) {
                            return Some(n.as_bytes().to_vec());
                        }
                        *want_key = false;
                    }
                }
                Token::DictEnd => {
                    stack.pop();
                    value_done(&mut stack);
                }
                _ => return None,
            }
            continue;
        }
        // Objects checked here parsed within the nesting budget; anything deeper is not
        // worth reading again.
        if stack.len() > MAX_KEY_CHECK_DEPTH {
            return None;
        }
        match tok {
            Token::DictStart => stack.push(Frame::Dict {
                keys: BTreeSet::new(),
                want_key: true,
            }),
            Token::ArrayStart => stack.push(Frame::Array),
            Token::ArrayEnd => {
                if !matches!(stack.pop(), Some(Frame::Array)) {
                    return None;
                }
                value_done(&mut stack);
            }
            Token::DictEnd => return None,
            Token::Integer(_) => {
                // `n g R` is one value.
                while lookahead.len() < 2 {
                    match next_token(&mut lx) {
                        Some(t) => lookahead.push_back(t),
                        None => break,
                    }
                }
                if matches!(
                    (lookahead.front(), lookahead.get(1)),
                    (Some(Token::Integer(_)), Some(Token::Keyword(b"R")))
                ) {
                    lookahead.pop_front();
                    lookahead.pop_front();
                }
                value_done(&mut stack);
            }
            _ => value_done(&mut stack),
        }
    }
}

fn next_token<'a>(lx: &mut Lexer<'a>) -> Option<Token<'a>> {
    lx.next_token().ok().flatten().map(|(t, _)| t)
}

/// A value of the innermost container is complete: a dictionary then wants a key.
fn value_done(stack: &mut [Frame]) {
    if let Some(Frame::Dict { want_key, .. }) = stack.last_mut() {
        *want_key = true;
    }
}

/// The first offset of `kw` in `bytes` at token boundaries.
fn find_keyword(bytes: &[u8], kw: &[u8]) -> Option<usize> {
    bytes
        .windows(kw.len())
        .enumerate()
        .find(|(i, w)| {
            *w == kw && boundary_before(bytes, *i) && boundary_after(bytes, i + kw.len())
        })
        .map(|(i, _)| i)
}

fn boundary_before(bytes: &[u8], i: usize) -> bool {
    i == 0 || bytes.get(i - 1).is_some_and(|&b| !is_regular(b))
}

fn boundary_after(bytes: &[u8], i: usize) -> bool {
    bytes.get(i).is_none_or(|&b| !is_regular(b))
}

/// Scans `[start, end)` for object headers and section keywords that no extent accounts for.
/// `known` tells which object numbers are defined elsewhere (to name second definitions);
/// `section` is the section's own extent (its `startxref` follows it).
fn scan_region<S: Source>(
    doc: &Document<S>,
    start: u64,
    end: u64,
    extents: &[Span],
    known: &dyn Fn(u32) -> bool,
    section: Option<&Span>,
    found: &mut Found,
) -> Result<(), PdfError> {
    let inside = |at: u64| {
        let i = extents.partition_point(|s| s.start <= at);
        i.checked_sub(1)
            .and_then(|i| extents.get(i))
            .is_some_and(|s| at < s.end)
    };
    let after_section = section.map(|s| s.end);
    let mut startxrefs_after_section = 0usize;
    let mut pos = start;
    while pos < end {
        let step_end = pos.saturating_add(SCAN_CHUNK).min(end);
        let window_start = pos.saturating_sub(LOOKBEHIND).max(start);
        let window_end = step_end.saturating_add(16).min(end);
        let len = usize::try_from(window_end - window_start).unwrap_or(0);
        let buf = doc.source().read_vec(window_start, len)?;
        let at_end = window_end == end;
        for i in memchr_all(&buf) {
            let abs = window_start + i as u64;
            if abs < pos || abs >= step_end {
                continue;
            }
            let Some(&first) = buf.get(i) else { continue };
            let (kw, is_obj): (&[u8], bool) = match first {
                b'o' => (b"obj", true),
                b'x' => (b"xref", false),
                b't' => (b"trailer", false),
                b's' => (b"startxref", false),
                _ => continue,
            };
            let Some(rest) = buf.get(i..) else { continue };
            if !rest.starts_with(kw) || !boundary_before(&buf, i) {
                continue;
            }
            let after = i + kw.len();
            if !(boundary_after(&buf, after) || (after == buf.len() && at_end)) {
                continue;
            }
            if is_obj {
                let Some((header_at, num, gen)) = header_before(&buf, i) else {
                    // Fail closed: an `obj` keyword outside every object kyso read whose
                    // header is not plain `num gen` (a comment or padding in it) is still
                    // an object some lexer reads (a viewer that rebuilds the table would).
                    if !inside(abs) {
                        found.push(Anomaly::new(
                            None,
                            format!(
                                "an 'obj' keyword at offset {abs} stands outside every object \
                                 the cross-reference data reaches, after a header kyso does \
                                 not read as plain 'number generation' (a comment or padding \
                                 in it?); a viewer that rebuilds the table could read an \
                                 object there"
                            ),
                        ));
                    }
                    continue;
                };
                let header_abs = window_start + header_at as u64;
                if inside(header_abs) {
                    continue;
                }
                let id = ObjRef::new(num, gen);
                let what = if known(num) {
                    format!(
                        "a second definition of {id} at offset {header_abs}, which no \
                         cross-reference entry points at; a viewer that rebuilds the table \
                         would take it"
                    )
                } else {
                    format!(
                        "{id} is defined at offset {header_abs} but no cross-reference \
                         section lists it; a viewer that rebuilds the table would read it"
                    )
                };
                found.push(Anomaly::new(Some(id), what));
            } else {
                if inside(abs) {
                    continue;
                }
                if kw == b"startxref" {
                    // A `startxref` that leads to a section of the chain adds nothing a viewer
                    // could read differently (some writers repeat the last one).
                    let value = buf.get(after..).and_then(leading_integer);
                    let known_section = value.is_some_and(|v| {
                        doc.revisions()
                            .iter()
                            .any(|r| r.xref_offset == v || r.pointer == v)
                    });
                    if known_section {
                        continue;
                    }
                    if after_section.is_some_and(|e| abs >= e) {
                        startxrefs_after_section += 1;
                        if startxrefs_after_section == 1 {
                            continue;
                        }
                    }
                }
                found.push(Anomaly::new(
                    None,
                    format!(
                        "'{}' at offset {abs} stands outside the cross-reference section that \
                         the /Prev chain uses: a second section or trailer that some viewers \
                         would read",
                        String::from_utf8_lossy(kw)
                    ),
                ));
            }
        }
        pos = step_end;
    }
    Ok(())
}

/// The integer after optional white space at the start of `b`.
fn leading_integer(b: &[u8]) -> Option<u64> {
    let ws = b
        .iter()
        .take(32)
        .take_while(|&&c| crate::pdf::lexer::is_whitespace(c))
        .count();
    let digits: Vec<u8> = b
        .get(ws..)?
        .iter()
        .take(20)
        .take_while(|c| c.is_ascii_digit())
        .copied()
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

/// Positions of bytes that may start a keyword of interest.
fn memchr_all(buf: &[u8]) -> impl Iterator<Item = usize> + '_ {
    buf.iter()
        .enumerate()
        .filter(|(_, &b)| matches!(b, b'o' | b'x' | b't' | b's'))
        .map(|(i, _)| i)
}

/// For `obj` at `i`: the header `num gen obj` it ends, as (start, num, gen).
fn header_before(buf: &[u8], i: usize) -> Option<(usize, u32, u16)> {
    let mut j = i;
    let ws = |b: u8| crate::pdf::lexer::is_whitespace(b);
    let skip_ws = |j: &mut usize| -> bool {
        let before = *j;
        while *j > 0 && buf.get(*j - 1).is_some_and(|&b| ws(b)) {
            *j -= 1;
        }
        *j < before
    };
    let digits = |j: &mut usize| -> Option<u64> {
        let end = *j;
        // Leading zeros are legal: up to 20 digits, the value must still fit.
        while *j > 0 && buf.get(*j - 1).is_some_and(u8::is_ascii_digit) && end - *j < 20 {
            *j -= 1;
        }
        if *j == end {
            return None;
        }
        std::str::from_utf8(buf.get(*j..end)?).ok()?.parse().ok()
    };
    if !skip_ws(&mut j) {
        return None;
    }
    let gen = digits(&mut j)?;
    if !skip_ws(&mut j) {
        return None;
    }
    let num = digits(&mut j)?;
    if !boundary_before(buf, j) {
        return None;
    }
    Some((j, u32::try_from(num).ok()?, u16::try_from(gen).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_found_at_any_depth_but_not_across_dictionaries() {
        assert_eq!(repeated_key_in(b"1 0 obj << /A 1 /B 2 >> endobj"), None);
        assert_eq!(
            repeated_key_in(b"1 0 obj << /A 1 0 R /A 2 >> endobj"),
            Some(b"A".to_vec())
        );
        assert_eq!(
            repeated_key_in(b"<< /K [ << /A 1 >> << /A 2 >> ] /S << /X /Y /X /Z >> >>"),
            Some(b"X".to_vec())
        );
        assert_eq!(repeated_key_in(b"<< /A << /A 1 >> /B [1 2 R] >>"), None);
        assert_eq!(
            repeated_key_in(b"trailer\n<< /Root 1 0 R /Size 5 /Root 9 0 R >>"),
            Some(b"Root".to_vec())
        );
        assert_eq!(
            repeated_key_in(b"<< /Length 3 >>\nstream\n/A /A\nendstream"),
            None
        );
    }

    #[test]
    fn headers_are_recognised_only_whole() {
        let b = b"x 12 0 obj";
        assert_eq!(header_before(b, 7), Some((2, 12, 0)));
        assert_eq!(header_before(b"a12 0 obj", 6), None);
        assert_eq!(header_before(b"12 obj", 3), None);
    }

    #[test]
    fn tables_list_their_numbers() {
        let t = b"xref\n0 2\n0000000000 65535 f \n0000000010 00000 n \n5 1\n0000000020 00000 n \ntrailer";
        assert_eq!(table_numbers(t, 100), Some(vec![0, 1, 5]));
        assert_eq!(table_numbers(b"xref\n0 5\ntrailer", 3), None);
    }
}
