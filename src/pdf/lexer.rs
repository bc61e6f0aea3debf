//! Tokens of PDF syntax (ISO 32000-2 §7.2–7.3), with absolute byte positions.
//!
//! A [`Lexer`] reads a window of the file: a byte slice plus the file offset of its first byte,
//! so every position it reports is an offset in the file. The window may end before the file
//! does; a token that runs into the end of such a window is reported as
//! [`PdfError::UnexpectedEof`] so that the caller can retry with a larger window. When the
//! window ends where the file ends (`at_eof`), the last token simply ends there.

use super::error::PdfError;
use super::object::{Name, PdfString, Span};

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub enum Token<'a> {
    /// An integer.
    Integer(i64),
    /// A real number.
    Real(f64),
    /// A name (`#xx` escapes decoded).
    Name(Name),
    /// A literal or hexadecimal string (span set when the lexer records spans).
    String(PdfString),
    /// `[`
    ArrayStart,
    /// `]`
    ArrayEnd,
    /// `<<`
    DictStart,
    /// `>>`
    DictEnd,
    /// Any other run of regular characters: `true`, `null`, `R`, `obj`, `stream`, `xref`, …;
    /// also a lone `{` or `}`.
    Keyword(&'a [u8]),
}

/// True for the six PDF white-space characters (§7.2.3).
pub fn is_whitespace(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// True for the ten PDF delimiter characters (§7.2.3).
pub fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// True for characters that are neither white space nor delimiters.
pub fn is_regular(b: u8) -> bool {
    !is_whitespace(b) && !is_delimiter(b)
}

const fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// [`hex_value`] of every byte, 0xFF for those that are not hexadecimal digits.
const HEX_VALUES: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut b = 0;
    while b < 256 {
        if let Some(v) = hex_value(b as u8) {
            t[b] = v;
        }
        b += 1;
    }
    t
};

/// Decodes the longest run of digit pairs at the start of `digits` into `out`; returns how
/// many bytes of `digits` it used. (The fast path of hex strings: signature values are
/// kilobytes of digits without white space.)
fn hex_pairs(digits: &[u8], out: &mut Vec<u8>) -> usize {
    let mut used = 0;
    for pair in digits.chunks_exact(2) {
        let (Some(&a), Some(&b)) = (pair.first(), pair.get(1)) else {
            break;
        };
        let (h, l) = (HEX_VALUES[usize::from(a)], HEX_VALUES[usize::from(b)]);
        if (h | l) & 0xF0 != 0 {
            break;
        }
        out.push(h << 4 | l);
        used += 2;
    }
    used
}

/// A tokenizer over a window of the file.
#[derive(Debug, Clone)]
pub struct Lexer<'a> {
    buf: &'a [u8],
    pos: usize,
    base: u64,
    at_eof: bool,
    record_spans: bool,
}

impl<'a> Lexer<'a> {
    /// A lexer over `buf`, whose first byte is at file offset `base`. `at_eof` says whether
    /// the file ends where `buf` ends. Strings get spans.
    pub fn new(buf: &'a [u8], base: u64, at_eof: bool) -> Self {
        Lexer {
            buf,
            pos: 0,
            base,
            at_eof,
            record_spans: true,
        }
    }

    /// A lexer over bytes that are not at a known place in the file (decoded object streams):
    /// strings get no span, and the end of `buf` is the end of the data.
    pub fn detached(buf: &'a [u8]) -> Self {
        Lexer {
            buf,
            pos: 0,
            base: 0,
            at_eof: true,
            record_spans: false,
        }
    }

    /// The absolute offset of the next byte to read.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// The position inside the window.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Moves to a position inside the window (clamped to its end).
    pub fn set_pos(&mut self, pos: usize) {
        self.pos = pos.min(self.buf.len());
    }

    /// The whole window.
    pub fn buffer(&self) -> &'a [u8] {
        self.buf
    }

    /// True when the window ends where the file ends.
    pub fn at_eof(&self) -> bool {
        self.at_eof
    }

    /// The error for running out of window at `pos`.
    fn eof_at(&self, pos: usize) -> PdfError {
        PdfError::UnexpectedEof {
            offset: self.base + pos as u64,
        }
    }

    fn abs(&self, pos: usize) -> u64 {
        self.base + pos as u64
    }

    /// Skips white space and comments.
    pub fn skip_whitespace(&mut self) {
        while let Some(&b) = self.buf.get(self.pos) {
            if is_whitespace(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(&c) = self.buf.get(self.pos) {
                    if c == b'\r' || c == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next token and its span; `Ok(None)` at the end of the data (only when the window
    /// ends at the end of the file; otherwise running out is [`PdfError::UnexpectedEof`]).
    pub fn next_token(&mut self) -> Result<Option<(Token<'a>, Span)>, PdfError> {
        self.skip_whitespace();
        let start = self.pos;
        let Some(&b) = self.buf.get(start) else {
            return if self.at_eof {
                Ok(None)
            } else {
                Err(self.eof_at(start))
            };
        };
        let token = match b {
            b'[' => {
                self.pos += 1;
                Token::ArrayStart
            }
            b']' => {
                self.pos += 1;
                Token::ArrayEnd
            }
            b'{' | b'}' => {
                self.pos += 1;
                Token::Keyword(self.buf.get(start..start + 1).unwrap_or(&[]))
            }
            b'<' => match self.buf.get(start + 1) {
                Some(b'<') => {
                    self.pos += 2;
                    Token::DictStart
                }
                Some(_) => Token::String(self.hex_string()?),
                None if self.at_eof => {
                    return Err(PdfError::syntax(self.abs(start), "'<<' or a hex string"))
                }
                None => return Err(self.eof_at(start + 1)),
            },
            b'>' => match self.buf.get(start + 1) {
                Some(b'>') => {
                    self.pos += 2;
                    Token::DictEnd
                }
                Some(_) => return Err(PdfError::syntax(self.abs(start), "'>>', not a lone '>'")),
                None if self.at_eof => {
                    return Err(PdfError::syntax(self.abs(start), "'>>', not a lone '>'"))
                }
                None => return Err(self.eof_at(start + 1)),
            },
            b'(' => Token::String(self.literal_string()?),
            b')' => {
                return Err(PdfError::syntax(
                    self.abs(start),
                    "a token, not an unbalanced ')'",
                ))
            }
            b'/' => Token::Name(self.name()?),
            b'+' | b'-' | b'.' | b'0'..=b'9' => self.number()?,
            _ => {
                let end = self.regular_run_end(start)?;
                self.pos = end;
                Token::Keyword(self.buf.get(start..end).unwrap_or(&[]))
            }
        };
        Ok(Some((
            token,
            Span {
                start: self.abs(start),
                end: self.abs(self.pos),
            },
        )))
    }

    /// The end of a run of regular characters starting at `from`; running into the end of a
    /// window that is not the end of the file is an error (the run may continue).
    fn regular_run_end(&self, from: usize) -> Result<usize, PdfError> {
        let rest = self.buf.get(from..).unwrap_or(&[]);
        match rest.iter().position(|&c| !is_regular(c)) {
            Some(n) => Ok(from + n),
            None if self.at_eof => Ok(self.buf.len()),
            None => Err(self.eof_at(self.buf.len())),
        }
    }

    fn number(&mut self) -> Result<Token<'a>, PdfError> {
        let start = self.pos;
        let mut i = start;
        if matches!(self.buf.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let mut seen_dot = false;
        let mut digits = 0usize;
        loop {
            match self.buf.get(i) {
                Some(b'0'..=b'9') => {
                    digits += 1;
                    i += 1;
                }
                Some(b'.') if !seen_dot => {
                    seen_dot = true;
                    i += 1;
                }
                Some(_) => break,
                None if self.at_eof => break,
                None => return Err(self.eof_at(i)),
            }
        }
        self.pos = i;
        if digits == 0 {
            return Err(PdfError::syntax(
                self.abs(start),
                "a number with at least one digit",
            ));
        }
        let text = self.buf.get(start..i).unwrap_or(&[]);
        // The scan above admits only ASCII signs, digits and one dot.
        let text = std::str::from_utf8(text)
            .map_err(|_| PdfError::syntax(self.abs(start), "an ASCII number"))?;
        if seen_dot {
            let v: f64 = text
                .parse()
                .map_err(|_| PdfError::syntax(self.abs(start), "a real number"))?;
            if !v.is_finite() {
                return Err(PdfError::syntax(self.abs(start), "a finite real number"));
            }
            Ok(Token::Real(v))
        } else {
            let v: i64 = text
                .parse()
                .map_err(|_| PdfError::syntax(self.abs(start), "an integer within 64 bits"))?;
            Ok(Token::Integer(v))
        }
    }

    fn name(&mut self) -> Result<Name, PdfError> {
        let start = self.pos + 1; // after '/'
        let end = self.regular_run_end(start)?;
        let raw = self.buf.get(start..end).unwrap_or(&[]);
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while let Some(&c) = raw.get(i) {
            if c == b'#' {
                if let (Some(h), Some(l)) = (
                    raw.get(i + 1).copied().and_then(hex_value),
                    raw.get(i + 2).copied().and_then(hex_value),
                ) {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
            }
            out.push(c);
            i += 1;
        }
        self.pos = end;
        Ok(Name(out))
    }

    fn span_from(&self, start: usize) -> Option<Span> {
        self.record_spans.then(|| Span {
            start: self.abs(start),
            end: self.abs(self.pos),
        })
    }

    fn hex_string(&mut self) -> Result<PdfString, PdfError> {
        let start = self.pos;
        let mut i = start + 1;
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            if high.is_none() {
                i += hex_pairs(self.buf.get(i..).unwrap_or_default(), &mut out);
            }
            let Some(&c) = self.buf.get(i) else {
                return Err(self.eof_at(i));
            };
            i += 1;
            if c == b'>' {
                break;
            }
            if is_whitespace(c) {
                continue;
            }
            let Some(v) = hex_value(c) else {
                return Err(PdfError::syntax(
                    self.abs(i - 1),
                    "a hexadecimal digit in a hex string",
                ));
            };
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        self.pos = i;
        Ok(PdfString {
            bytes: out,
            hex: true,
            span: self.span_from(start),
        })
    }

    fn literal_string(&mut self) -> Result<PdfString, PdfError> {
        let start = self.pos;
        let mut i = start + 1;
        let mut depth = 1usize;
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.buf.get(i) else {
                return Err(self.eof_at(i));
            };
            i += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(c);
                }
                b'\r' => {
                    // An end-of-line marker in a string reads as a single line feed.
                    match self.buf.get(i) {
                        Some(b'\n') => i += 1,
                        Some(_) => {}
                        None => return Err(self.eof_at(i)),
                    }
                    out.push(b'\n');
                }
                b'\\' => {
                    let Some(&e) = self.buf.get(i) else {
                        return Err(self.eof_at(i));
                    };
                    i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0C),
                        b'(' | b')' | b'\\' => out.push(e),
                        b'\r' => {
                            // Line continuation: backslash + EOL produces nothing.
                            match self.buf.get(i) {
                                Some(b'\n') => i += 1,
                                Some(_) => {}
                                None => return Err(self.eof_at(i)),
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.buf.get(i) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        i += 1;
                                    }
                                    Some(_) => break,
                                    None => return Err(self.eof_at(i)),
                                }
                            }
                            // High-order overflow is ignored (§7.3.4.2): keep the low byte.
                            out.push((v & 0xFF) as u8);
                        }
                        // An unknown escape: the backslash is ignored.
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
        self.pos = i;
        Ok(PdfString {
            bytes: out,
            hex: false,
            span: self.span_from(start),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &[u8]) -> Vec<Token<'_>> {
        let mut lx = Lexer::new(src, 0, true);
        let mut out = Vec::new();
        while let Some((t, _)) = lx.next_token().unwrap() {
            out.push(t);
        }
        out
    }

    fn one(src: &[u8]) -> Token<'_> {
        let mut t = tokens(src);
        assert_eq!(t.len(), 1, "{t:?}");
        t.remove(0)
    }

    fn string_bytes(src: &[u8]) -> Vec<u8> {
        match one(src) {
            Token::String(s) => s.bytes,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(one(b"123"), Token::Integer(123));
        assert_eq!(one(b"-17"), Token::Integer(-17));
        assert_eq!(one(b"+17"), Token::Integer(17));
        assert_eq!(one(b"-.002"), Token::Real(-0.002));
        assert_eq!(one(b"34.5"), Token::Real(34.5));
        assert_eq!(one(b"4."), Token::Real(4.0));
        assert_eq!(one(b"0"), Token::Integer(0));
        assert_eq!(tokens(b"1.2.3"), vec![Token::Real(1.2), Token::Real(0.3)]);
    }

    #[test]
    fn number_overflow_is_an_error_not_a_panic() {
        let mut lx = Lexer::new(b"99999999999999999999999 ", 10, true);
        assert!(matches!(
            lx.next_token(),
            Err(PdfError::Syntax { offset: 10, .. })
        ));
        let mut lx = Lexer::new(b"- ", 0, true);
        assert!(lx.next_token().is_err());
        let mut lx = Lexer::new(b". ", 0, true);
        assert!(lx.next_token().is_err());
        let huge = format!("1{}.0", "0".repeat(400));
        let mut lx = Lexer::new(huge.as_bytes(), 0, true);
        assert!(lx.next_token().is_err());
    }

    #[test]
    fn names_decode_hex_escapes() {
        assert_eq!(one(b"/Name1"), Token::Name(Name::from("Name1")));
        assert_eq!(one(b"/A#42C"), Token::Name(Name::from("ABC")));
        assert_eq!(one(b"/Lime#20Green"), Token::Name(Name::from("Lime Green")));
        assert_eq!(one(b"/bad#4"), Token::Name(Name::from("bad#4")));
        assert_eq!(one(b"/"), Token::Name(Name::from("")));
        assert_eq!(
            tokens(b"/A/B"),
            vec![Token::Name(Name::from("A")), Token::Name(Name::from("B"))]
        );
    }

    #[test]
    fn literal_strings() {
        assert_eq!(string_bytes(b"(abc)"), b"abc");
        assert_eq!(string_bytes(b"(a(b)c)"), b"a(b)c");
        assert_eq!(string_bytes(b"(a\\)b)"), b"a)b");
        assert_eq!(string_bytes(b"(\\n\\r\\t\\b\\f\\\\)"), b"\n\r\t\x08\x0C\\");
        assert_eq!(string_bytes(b"(\\053\\53\\0053)"), b"++\x053");
        assert_eq!(string_bytes(b"(\\777)"), b"\xFF");
        assert_eq!(string_bytes(b"(a\\\r\nb)"), b"ab");
        assert_eq!(string_bytes(b"(a\\\nb)"), b"ab");
        assert_eq!(string_bytes(b"(a\r\nb\rc)"), b"a\nb\nc");
        assert_eq!(string_bytes(b"(\\q)"), b"q");
        assert_eq!(string_bytes(b"()"), b"");
    }

    #[test]
    fn hex_strings() {
        assert_eq!(string_bytes(b"<4E6F76>"), b"Nov");
        assert_eq!(string_bytes(b"<4e 6f\n76>"), b"Nov");
        assert_eq!(string_bytes(b"<901FA>"), b"\x90\x1F\xA0");
        assert_eq!(string_bytes(b"<>"), b"");
        let mut lx = Lexer::new(b"<12G4>", 0, true);
        assert!(matches!(
            lx.next_token(),
            Err(PdfError::Syntax { offset: 3, .. })
        ));
    }

    #[test]
    fn strings_carry_absolute_spans_including_delimiters() {
        let src = b"  (ab)  <0102> ";
        let mut lx = Lexer::new(src, 1000, true);
        let (t, span) = lx.next_token().unwrap().unwrap();
        let Token::String(s) = t else { panic!() };
        assert_eq!(
            s.span,
            Some(Span {
                start: 1002,
                end: 1006
            })
        );
        assert_eq!(
            span,
            Span {
                start: 1002,
                end: 1006
            }
        );
        let (t, _) = lx.next_token().unwrap().unwrap();
        let Token::String(s) = t else { panic!() };
        assert_eq!(
            s.span,
            Some(Span {
                start: 1008,
                end: 1014
            })
        );
        assert!(s.hex);
        let mut lx = Lexer::detached(b"(x)");
        let (Token::String(s), _) = lx.next_token().unwrap().unwrap() else {
            panic!()
        };
        assert_eq!(s.span, None);
    }

    #[test]
    fn delimiters_keywords_and_comments() {
        assert_eq!(
            tokens(b"<< /A [1 2 R] >> % comment\n true null obj endobj{}"),
            vec![
                Token::DictStart,
                Token::Name(Name::from("A")),
                Token::ArrayStart,
                Token::Integer(1),
                Token::Integer(2),
                Token::Keyword(b"R"),
                Token::ArrayEnd,
                Token::DictEnd,
                Token::Keyword(b"true"),
                Token::Keyword(b"null"),
                Token::Keyword(b"obj"),
                Token::Keyword(b"endobj"),
                Token::Keyword(b"{"),
                Token::Keyword(b"}"),
            ]
        );
        assert_eq!(tokens(b"%only a comment"), vec![]);
    }

    #[test]
    fn stray_closers_are_errors() {
        assert!(Lexer::new(b")", 0, true).next_token().is_err());
        assert!(Lexer::new(b"> ", 0, true).next_token().is_err());
        assert!(Lexer::new(b">", 0, true).next_token().is_err());
        assert!(Lexer::new(b"<", 0, true).next_token().is_err());
    }

    #[test]
    fn running_out_of_a_window_asks_for_more() {
        for src in [
            &b"123"[..],
            b"/Nam",
            b"(abc",
            b"<0102",
            b"endob",
            b"<",
            b"(a\\",
            b"(a\r",
            b"(\\12",
        ] {
            let mut lx = Lexer::new(src, 50, false);
            assert!(
                matches!(lx.next_token(), Err(PdfError::UnexpectedEof { .. })),
                "{:?}",
                String::from_utf8_lossy(src)
            );
        }
        let mut lx = Lexer::new(b"   ", 0, false);
        assert!(matches!(
            lx.next_token(),
            Err(PdfError::UnexpectedEof { offset: 3 })
        ));
        // At the end of the file, a token may end with the data.
        let mut lx = Lexer::new(b"123", 0, true);
        assert_eq!(lx.next_token().unwrap().unwrap().0, Token::Integer(123));
        assert!(lx.next_token().unwrap().is_none());
        // Unterminated strings are errors even at the end of the file.
        assert!(Lexer::new(b"(abc", 0, true).next_token().is_err());
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut seed = 0x1234_5678u32;
        for _ in 0..2000 {
            let mut v = Vec::new();
            for _ in 0..(seed % 40) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let pick = b"()<>[]{}/%\\#0123456789.+-abcRobj \n\r\tE";
                v.push(pick[(seed >> 16) as usize % pick.len()]);
            }
            for at_eof in [true, false] {
                let mut lx = Lexer::new(&v, 0, at_eof);
                for _ in 0..100 {
                    match lx.next_token() {
                        Ok(Some(_)) => {}
                        _ => break,
                    }
                }
            }
        }
    }
}
