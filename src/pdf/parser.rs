//! Objects from tokens: direct objects, indirect objects at an offset, stream extents.
//!
//! [`Parser`] turns the tokens of one window into objects, with a nesting-depth limit.
//! [`parse_indirect_at`] reads `num gen obj … endobj` at a file offset from a [`Source`],
//! starting with a small window and doubling it while the object is incomplete, up to the
//! object-size budget; for a stream it records where the data lies and checks that
//! `endstream` follows `/Length` bytes, without reading the data.

use super::budget::Budget;
use super::error::PdfError;
use super::lexer::{is_whitespace, Lexer, Token};
use super::object::{Dict, ObjRef, Object, Span, Stream, StreamData};
use super::source::Source;

/// The size of the first window read for an object.
pub(crate) const FIRST_WINDOW: usize = 4096;

/// Turns the tokens of one window into objects.
#[derive(Debug)]
pub struct Parser<'a> {
    lex: Lexer<'a>,
    max_depth: usize,
}

/// What followed an indirect object's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AfterObject {
    /// `endobj`; the offset just past it.
    EndObj(u64),
    /// `stream` and its end-of-line; the offset of the first data byte.
    Stream(u64),
    /// Neither (tolerated): the offset just past the value.
    Nothing(u64),
}

impl<'a> Parser<'a> {
    /// A parser reading from `lex`, refusing arrays and dictionaries nested deeper than
    /// `max_depth`.
    pub fn new(lex: Lexer<'a>, max_depth: usize) -> Self {
        Parser { lex, max_depth }
    }

    /// The underlying lexer (for callers that mix tokens and objects).
    pub fn lexer(&mut self) -> &mut Lexer<'a> {
        &mut self.lex
    }

    fn expect_token(&mut self) -> Result<(Token<'a>, Span), PdfError> {
        match self.lex.next_token()? {
            Some(t) => Ok(t),
            None => Err(PdfError::UnexpectedEof {
                offset: self.lex.offset(),
            }),
        }
    }

    /// Parses one direct object (references `n g R` included).
    pub fn parse_object(&mut self) -> Result<Object, PdfError> {
        let (tok, span) = self.expect_token()?;
        self.object_from(tok, span, 0)
    }

    fn object_from(
        &mut self,
        tok: Token<'a>,
        span: Span,
        depth: usize,
    ) -> Result<Object, PdfError> {
        match tok {
            Token::Integer(n) => self.maybe_reference(n),
            Token::Real(r) => Ok(Object::Real(r)),
            Token::Name(n) => Ok(Object::Name(n)),
            Token::String(s) => Ok(Object::String(s)),
            Token::ArrayStart => {
                let depth = self.deeper(depth)?;
                let mut items = Vec::new();
                loop {
                    let (t, sp) = self.expect_token()?;
                    if t == Token::ArrayEnd {
                        return Ok(Object::Array(items));
                    }
                    items.push(self.object_from(t, sp, depth)?);
                }
            }
            Token::DictStart => {
                let depth = self.deeper(depth)?;
                let mut entries = Vec::new();
                loop {
                    let (t, sp) = self.expect_token()?;
                    let key = match t {
                        Token::DictEnd => return Ok(Object::Dict(Dict::from_parsed(entries).0)),
                        Token::Name(n) => n,
                        _ => return Err(PdfError::syntax(sp.start, "a name as dictionary key")),
                    };
                    let (t, sp) = self.expect_token()?;
                    if t == Token::DictEnd {
                        return Err(PdfError::syntax(sp.start, "a value after a dictionary key"));
                    }
                    let value = self.object_from(t, sp, depth)?;
                    entries.push((key, value));
                }
            }
            Token::Keyword(b"true") => Ok(Object::Bool(true)),
            Token::Keyword(b"false") => Ok(Object::Bool(false)),
            Token::Keyword(b"null") => Ok(Object::Null),
            Token::ArrayEnd | Token::DictEnd | Token::Keyword(_) => {
                Err(PdfError::syntax(span.start, "an object"))
            }
        }
    }

    fn deeper(&self, depth: usize) -> Result<usize, PdfError> {
        let d = depth + 1;
        if d > self.max_depth {
            return Err(PdfError::budget(
                "nesting depth of arrays and dictionaries",
                self.max_depth as u64,
            ));
        }
        Ok(d)
    }

    /// After an integer `n`: `n g R` is a reference, anything else leaves `n` an integer.
    fn maybe_reference(&mut self, n: i64) -> Result<Object, PdfError> {
        let save = self.lex.pos();
        let at_eof = self.lex.at_eof();
        match self.lex.next_token() {
            Ok(Some((Token::Integer(g), _))) => match self.lex.next_token() {
                Ok(Some((Token::Keyword(b"R"), _))) => {
                    if let (Ok(num), Ok(gen)) = (u32::try_from(n), u16::try_from(g)) {
                        return Ok(Object::Reference(ObjRef::new(num, gen)));
                    }
                }
                Err(e @ PdfError::UnexpectedEof { .. }) if !at_eof => return Err(e),
                _ => {}
            },
            Err(e @ PdfError::UnexpectedEof { .. }) if !at_eof => return Err(e),
            _ => {}
        }
        self.lex.set_pos(save);
        Ok(Object::Integer(n))
    }

    /// Parses `num gen obj`, returning the object's identity and where the header started.
    pub fn parse_indirect_header(&mut self) -> Result<(ObjRef, u64), PdfError> {
        let (t1, s1) = self.expect_token()?;
        let (t2, s2) = self.expect_token()?;
        let (t3, s3) = self.expect_token()?;
        let num = match t1 {
            Token::Integer(n) => {
                u32::try_from(n).map_err(|_| PdfError::syntax(s1.start, "an object number"))?
            }
            _ => return Err(PdfError::syntax(s1.start, "an object number ('n g obj')")),
        };
        let gen = match t2 {
            Token::Integer(g) => {
                u16::try_from(g).map_err(|_| PdfError::syntax(s2.start, "a generation number"))?
            }
            _ => {
                return Err(PdfError::syntax(
                    s2.start,
                    "a generation number ('n g obj')",
                ))
            }
        };
        if t3 != Token::Keyword(b"obj") {
            return Err(PdfError::syntax(s3.start, "the keyword 'obj'"));
        }
        Ok((ObjRef::new(num, gen), s1.start))
    }

    /// Parses an indirect object's value and what follows it (`endobj` or `stream`).
    pub fn parse_indirect_body(&mut self) -> Result<(Object, AfterObject), PdfError> {
        let object = self.parse_object()?;
        let value_end = self.lex.offset();
        let at_eof = self.lex.at_eof();
        let after = match self.lex.next_token() {
            Ok(Some((Token::Keyword(b"endobj"), sp))) => AfterObject::EndObj(sp.end),
            Ok(Some((Token::Keyword(b"stream"), sp))) => {
                if !matches!(object, Object::Dict(_)) {
                    return Err(PdfError::syntax(sp.start, "a dictionary before 'stream'"));
                }
                AfterObject::Stream(self.stream_data_start()?)
            }
            Err(e @ PdfError::UnexpectedEof { .. }) if !at_eof => return Err(e),
            _ => AfterObject::Nothing(value_end),
        };
        Ok((object, after))
    }

    /// After the `stream` keyword: the end-of-line (CRLF or LF; a lone CR and spaces before
    /// the end of line are tolerated), returning the offset of the first data byte.
    fn stream_data_start(&mut self) -> Result<u64, PdfError> {
        let buf = self.lex.buffer();
        let mut i = self.lex.pos();
        while matches!(buf.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        let eof = |i: usize| {
            if self.lex.at_eof() {
                PdfError::syntax(self.lex.offset(), "an end-of-line after 'stream'")
            } else {
                PdfError::UnexpectedEof {
                    offset: self.lex.offset() + (i - self.lex.pos()) as u64,
                }
            }
        };
        match buf.get(i) {
            Some(b'\n') => i += 1,
            Some(b'\r') => match buf.get(i + 1) {
                Some(b'\n') => i += 2,
                Some(_) => i += 1,
                None => return Err(eof(i + 1)),
            },
            Some(_) => {
                return Err(PdfError::syntax(
                    self.lex.offset(),
                    "an end-of-line after 'stream'",
                ))
            }
            None => return Err(eof(i)),
        }
        self.lex.set_pos(i);
        Ok(self.lex.offset())
    }
}

/// Runs `f` over a window of `src` starting at `offset`: first `initial` bytes, doubled while
/// `f` reports [`PdfError::UnexpectedEof`] before the end of the file, up to `max` bytes
/// (beyond that: [`PdfError::BudgetExceeded`]). `f` gets the window, its file offset and
/// whether it reaches the end of the file. In-memory sources are not copied.
pub(crate) fn with_window<S, T, F>(
    src: &S,
    offset: u64,
    initial: usize,
    max: u64,
    what: &'static str,
    mut f: F,
) -> Result<T, PdfError>
where
    S: Source + ?Sized,
    F: FnMut(&[u8], u64, bool) -> Result<T, PdfError>,
{
    let len = src.len();
    if offset > len {
        return Err(PdfError::UnexpectedEof { offset });
    }
    let avail = len - offset;
    if let Some(all) = src.as_slice() {
        let take = avail.min(max);
        let at_eof = take == avail;
        let start = usize::try_from(offset).map_err(|_| PdfError::UnexpectedEof { offset })?;
        let end = usize::try_from(offset + take).map_err(|_| PdfError::UnexpectedEof { offset })?;
        let window = all
            .get(start..end)
            .ok_or(PdfError::UnexpectedEof { offset })?;
        return match f(window, offset, at_eof) {
            Err(PdfError::UnexpectedEof { .. }) if !at_eof => Err(PdfError::budget(what, max)),
            other => other,
        };
    }
    let mut size = (initial.max(16) as u64).min(max);
    loop {
        let want = size.min(max).min(avail);
        let want_usize = usize::try_from(want).map_err(|_| PdfError::budget(what, max))?;
        let buf = src.read_vec(offset, want_usize)?;
        let at_eof = buf.len() as u64 >= avail;
        match f(&buf, offset, at_eof) {
            Err(PdfError::UnexpectedEof { .. }) if !at_eof => {
                if want >= max {
                    return Err(PdfError::budget(what, max));
                }
                if (buf.len() as u64) < want {
                    // The source returned fewer bytes than it has: it shrank under us.
                    return Err(PdfError::UnexpectedEof {
                        offset: offset + buf.len() as u64,
                    });
                }
                size = size.saturating_mul(2);
            }
            other => return other,
        }
    }
}

/// An indirect object as read from the file.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IndirectObject {
    /// Its number and generation, as written in its header (or as the cross-reference
    /// section named it, for objects in object streams).
    pub id: ObjRef,
    /// The value (a stream keeps only the position of its data).
    pub object: Object,
    /// Where the object lies in the file, from its header to just past `endobj` (or past
    /// `endstream`/the value when `endobj` is missing); `None` for objects in object streams.
    pub span: Option<Span>,
    /// The object stream holding it, if any.
    pub in_object_stream: Option<ObjRef>,
}

/// Reads the indirect object whose header is at `offset`.
///
/// When `expected` is given, the header must name that object (else
/// [`PdfError::ObjectMismatch`]). A stream's `/Length` that is a reference is passed to
/// `resolve_length`. The stream data is not read: only the bytes just past it, to check that
/// `endstream` is there (else [`PdfError::BadStreamLength`]).
pub fn parse_indirect_at<S: Source + ?Sized>(
    src: &S,
    offset: u64,
    expected: Option<ObjRef>,
    budget: &Budget,
    resolve_length: &mut dyn FnMut(ObjRef) -> Result<i64, PdfError>,
) -> Result<IndirectObject, PdfError> {
    parse_indirect_sized(src, offset, FIRST_WINDOW, expected, budget, resolve_length)
}

/// [`parse_indirect_at`] with a first window of `window` bytes (a guess of the object's size).
pub(crate) fn parse_indirect_sized<S: Source + ?Sized>(
    src: &S,
    offset: u64,
    window: usize,
    expected: Option<ObjRef>,
    budget: &Budget,
    resolve_length: &mut dyn FnMut(ObjRef) -> Result<i64, PdfError>,
) -> Result<IndirectObject, PdfError> {
    let (id, start, object, after) = with_window(
        src,
        offset,
        window,
        budget.max_object_bytes,
        "object size in bytes",
        |buf, base, at_eof| {
            let mut p = Parser::new(Lexer::new(buf, base, at_eof), budget.max_depth);
            let (id, start) = p.parse_indirect_header()?;
            if let Some(exp) = expected {
                if exp != id {
                    return Err(PdfError::ObjectMismatch {
                        offset: start,
                        expected: exp,
                        found: id,
                    });
                }
            }
            let (object, after) = p.parse_indirect_body()?;
            Ok((id, start, object, after))
        },
    )?;
    match (object, after) {
        (Object::Dict(dict), AfterObject::Stream(data_start)) => {
            let length = match dict.get(b"Length") {
                Some(Object::Integer(n)) => *n,
                Some(Object::Reference(r)) => resolve_length(*r)?,
                Some(other) => {
                    return Err(PdfError::WrongType {
                        what: "stream /Length",
                        expected: "integer",
                        found: other.kind(),
                    })
                }
                None => return Err(PdfError::Missing("stream /Length")),
            };
            let bad = || PdfError::BadStreamLength {
                offset: data_start,
                length: u64::try_from(length).unwrap_or(0),
            };
            let length = u64::try_from(length).map_err(|_| bad())?;
            let data_end = data_start.checked_add(length).ok_or_else(bad)?;
            if data_end > src.len() {
                return Err(bad());
            }
            let end = find_endstream(src, data_end)?.ok_or_else(bad)?;
            Ok(IndirectObject {
                id,
                object: Object::Stream(Stream {
                    dict,
                    data: StreamData::File(Span {
                        start: data_start,
                        end: data_end,
                    }),
                }),
                span: Some(Span { start, end }),
                in_object_stream: None,
            })
        }
        (object, AfterObject::EndObj(end) | AfterObject::Nothing(end)) => Ok(IndirectObject {
            id,
            object,
            span: Some(Span { start, end }),
            in_object_stream: None,
        }),
        // `parse_indirect_body` only reports a stream after a dictionary.
        (_, AfterObject::Stream(at)) => Err(PdfError::syntax(at, "a dictionary before 'stream'")),
    }
}

/// Checks that `endstream` follows `data_end` (after optional white space); returns the
/// offset just past `endobj` (or past `endstream` when `endobj` is missing).
fn find_endstream<S: Source + ?Sized>(src: &S, data_end: u64) -> Result<Option<u64>, PdfError> {
    const SLACK: usize = 64;
    let buf = src.read_vec(data_end, SLACK + 32)?;
    let ws = buf
        .iter()
        .take(SLACK)
        .take_while(|&&b| is_whitespace(b))
        .count();
    let Some(rest) = buf.get(ws..) else {
        return Ok(None);
    };
    if !rest.starts_with(b"endstream") {
        return Ok(None);
    }
    let after = ws + b"endstream".len();
    let mut end = data_end + after as u64;
    let tail = buf.get(after..).unwrap_or(&[]);
    let ws2 = tail.iter().take_while(|&&b| is_whitespace(b)).count();
    if tail.get(ws2..).is_some_and(|t| t.starts_with(b"endobj")) {
        end += (ws2 + b"endobj".len()) as u64;
    }
    Ok(Some(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &[u8]) -> Result<Object, PdfError> {
        Parser::new(Lexer::new(src, 0, true), 100).parse_object()
    }

    fn no_length(_: ObjRef) -> Result<i64, PdfError> {
        Err(PdfError::Missing("length"))
    }

    #[test]
    fn direct_objects() {
        assert_eq!(parse(b"null").unwrap(), Object::Null);
        assert_eq!(parse(b"true").unwrap(), Object::Bool(true));
        assert_eq!(
            parse(b"12 0 R").unwrap(),
            Object::Reference(ObjRef::new(12, 0))
        );
        let arr = parse(b"[1 2 3 0 R 4]").unwrap();
        assert_eq!(
            arr,
            Object::Array(vec![
                Object::Integer(1),
                Object::Integer(2),
                Object::Reference(ObjRef::new(3, 0)),
                Object::Integer(4),
            ])
        );
        let d = parse(b"<< /Type /Sig /Contents <00ff> /V 5 0 R /A [] /B << >> >>").unwrap();
        let d = d.as_dict().unwrap();
        assert!(d.is_type(b"Sig"));
        assert_eq!(d.get(b"V"), Some(&Object::Reference(ObjRef::new(5, 0))));
        assert_eq!(
            d.get(b"Contents")
                .and_then(Object::as_string)
                .map(|s| s.bytes.clone()),
            Some(vec![0, 255])
        );
        assert_eq!(
            d.get(b"Contents")
                .and_then(Object::as_string)
                .and_then(|s| s.span),
            Some(Span { start: 24, end: 30 })
        );
        // A reference with an out-of-range generation stays two integers.
        assert!(parse(b"[1 70000 R]").is_err());
        assert_eq!(
            parse(b"[1 70000]").unwrap(),
            Object::Array(vec![Object::Integer(1), Object::Integer(70000)])
        );
    }

    #[test]
    fn malformed_objects_are_errors() {
        for src in [
            &b"<< /A >>"[..],
            b"<< 1 2 >>",
            b"[1 2",
            b"]",
            b"endobj",
            b"<< /A 1",
            b"(abc",
        ] {
            assert!(parse(src).is_err(), "{:?}", String::from_utf8_lossy(src));
        }
    }

    #[test]
    fn nesting_depth_is_budgeted() {
        let deep = "[".repeat(150) + &"]".repeat(150);
        assert!(matches!(
            parse(deep.as_bytes()),
            Err(PdfError::BudgetExceeded { .. })
        ));
        let ok = "[".repeat(50) + &"]".repeat(50);
        assert!(parse(ok.as_bytes()).is_ok());
        let deep = "<</A ".repeat(150);
        assert!(matches!(
            parse(deep.as_bytes()),
            Err(PdfError::BudgetExceeded { .. })
        ));
    }

    #[test]
    fn dictionaries_with_many_keys_parse_in_linear_time_and_later_duplicates_win() {
        let mut src = String::from("<<");
        for i in 0..200_000 {
            src.push_str(&format!("/K{i} {i} "));
        }
        src.push_str("/K7 (dup) >>");
        let start = std::time::Instant::now();
        let d = parse(src.as_bytes()).unwrap();
        assert!(start.elapsed().as_secs() < 10);
        let d = d.as_dict().unwrap();
        assert_eq!(d.len(), 200_000);
        assert!(d.get(b"K7").unwrap().as_string().is_some());
        assert_eq!(d.iter().nth(7).map(|(k, _)| k.as_bytes()), Some(&b"K7"[..]));
        let small = parse(b"<< /A 1 /B 2 /A 3 >>").unwrap();
        assert_eq!(small.as_dict().unwrap().get_int(b"A"), Some(3));
        assert_eq!(small.as_dict().unwrap().len(), 2);
    }

    #[test]
    fn a_reference_split_by_the_window_asks_for_more() {
        let mut p = Parser::new(Lexer::new(b"[12 0", 0, false), 10);
        assert!(matches!(
            p.parse_object(),
            Err(PdfError::UnexpectedEof { .. })
        ));
        let mut p = Parser::new(Lexer::new(b"12 0", 0, true), 10);
        assert_eq!(p.parse_object().unwrap(), Object::Integer(12));
    }

    #[test]
    fn indirect_object_header_must_match() {
        let src = b"%PDF-1.7\n4 0 obj\n<< /A 1 >>\nendobj\n".to_vec();
        let b = Budget::default();
        let o = parse_indirect_at(&src, 9, Some(ObjRef::new(4, 0)), &b, &mut no_length).unwrap();
        assert_eq!(o.id, ObjRef::new(4, 0));
        assert_eq!(o.span, Some(Span { start: 9, end: 34 }));
        let e =
            parse_indirect_at(&src, 9, Some(ObjRef::new(5, 0)), &b, &mut no_length).unwrap_err();
        assert!(
            matches!(e, PdfError::ObjectMismatch { offset: 9, .. }),
            "{e}"
        );
    }

    #[test]
    fn streams_record_their_data_span_and_check_endstream() {
        let src = b"1 0 obj\n<< /Length 5 >>\nstream\r\nHELLO\nendstream\nendobj\n".to_vec();
        let b = Budget::default();
        let o = parse_indirect_at(&src, 0, None, &b, &mut no_length).unwrap();
        let s = o.object.as_stream().unwrap();
        assert_eq!(s.data, StreamData::File(Span { start: 32, end: 37 }));
        assert_eq!(o.span.map(|s| s.end), Some(src.len() as u64 - 1));

        let wrong = b"1 0 obj\n<< /Length 4 >>\nstream\nHELLO\nendstream\nendobj\n".to_vec();
        assert!(matches!(
            parse_indirect_at(&wrong, 0, None, &b, &mut no_length),
            Err(PdfError::BadStreamLength {
                offset: 31,
                length: 4
            })
        ));
        let past_end = b"1 0 obj\n<< /Length 400 >>\nstream\nHELLO\nendstream\nendobj\n".to_vec();
        assert!(matches!(
            parse_indirect_at(&past_end, 0, None, &b, &mut no_length),
            Err(PdfError::BadStreamLength { .. })
        ));
        let indirect = b"1 0 obj\n<< /Length 2 0 R >>\nstream\nHELLO\nendstream\nendobj\n".to_vec();
        let o = parse_indirect_at(&indirect, 0, None, &b, &mut |r| {
            assert_eq!(r, ObjRef::new(2, 0));
            Ok(5)
        })
        .unwrap();
        assert!(o.object.as_stream().is_some());
        let negative = b"1 0 obj\n<< /Length -1 >>\nstream\nHELLO\nendstream\nendobj\n".to_vec();
        assert!(parse_indirect_at(&negative, 0, None, &b, &mut no_length).is_err());
        let not_dict = b"1 0 obj\n[1] stream\nendstream\nendobj".to_vec();
        assert!(parse_indirect_at(&not_dict, 0, None, &b, &mut no_length).is_err());
    }

    /// A source that is not in memory, to exercise the windowed path.
    struct Windowed(Vec<u8>);
    impl Source for Windowed {
        fn len(&self) -> u64 {
            self.0.len() as u64
        }
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
            Source::read_at(self.0.as_slice(), offset, buf)
        }
    }

    #[test]
    fn large_objects_grow_the_window_up_to_the_budget() {
        let big = format!(
            "7 0 obj\n<< /Contents <{}> >>\nendobj\n",
            "ab".repeat(20_000)
        );
        let src = Windowed(big.into_bytes());
        let mut b = Budget::default();
        let o = parse_indirect_at(&src, 0, Some(ObjRef::new(7, 0)), &b, &mut no_length).unwrap();
        let c = o
            .object
            .as_dict()
            .unwrap()
            .get(b"Contents")
            .unwrap()
            .as_string()
            .unwrap();
        assert_eq!(c.bytes.len(), 20_000);
        assert_eq!(
            c.span,
            Some(Span {
                start: 21,
                end: 21 + 40_002
            })
        );
        b.max_object_bytes = 10_000;
        assert!(matches!(
            parse_indirect_at(&src, 0, None, &b, &mut no_length),
            Err(PdfError::BudgetExceeded { .. })
        ));
        let mem = src.0.clone();
        assert!(matches!(
            parse_indirect_at(&mem, 0, None, &b, &mut no_length),
            Err(PdfError::BudgetExceeded { .. })
        ));
    }
}
