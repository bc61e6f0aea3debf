//! Text for people: the language of a rendering, and the one escaping function every text
//! renderer passes document-derived strings through.
//!
//! A report quotes text that an untrusted document, certificate or file name chose:
//! `/Reason`, `/Name`, `/Location`, `/ContactInfo`, field and attachment names, subject
//! names, file names, error messages that quote document bytes. Printed raw, such text can
//! drive the terminal (an escape sequence that moves the cursor and redraws an
//! INDETERMINATE verdict as TOTAL-PASSED), forge report lines (a newline), or reorder what
//! is shown (a right-to-left override turning `invoice\u{202E}fdp.exe` into
//! `invoiceexe.pdf`). [`safe`] shows every such character visibly; JSON output is never
//! escaped this way (serde escapes what JSON needs, and the data stays exact).

use std::borrow::Cow;
use std::fmt::Write;

/// Whether [`safe`] escapes `c`.
///
/// Escaped:
/// - C0 controls (U+0000–U+001F: newline, carriage return, tab, escape, …), DEL (U+007F) and
///   C1 controls (U+0080–U+009F, among them NEL and the 8-bit CSI);
/// - bidirectional formatting characters: U+061C, U+200E, U+200F, U+202A–U+202E,
///   U+2066–U+2069 (they reorder what a terminal shows);
/// - the line and paragraph separators U+2028, U+2029 (some terminals and log viewers break
///   lines at them);
/// - invisible characters that can hide or disguise part of a name: the soft hyphen U+00AD,
///   U+180E, the zero-width space, non-joiner and joiner U+200B–U+200D, the word joiner and
///   invisible operators U+2060–U+2064, the deprecated format characters U+206A–U+206F, the
///   byte order mark U+FEFF, the interlinear annotation characters U+FFF9–U+FFFB, the Hangul
///   fillers U+115F, U+1160, U+3164, U+FFA0, and the tag characters U+E0000–U+E007F.
///
/// Not escaped: every other character, in particular letters with combining diacritics
/// (Vietnamese written in decomposed form stays readable), variation selectors, and
/// ordinary right-to-left letters (their order is the terminal's business; only the
/// override characters are a disguise).
pub fn is_escaped(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{ad}'
            | '\u{61c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{3164}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// `s` as it may be printed on a terminal or written to a log: every character
/// [`is_escaped`] names is replaced by a visible escape — `\n`, `\r`, `\t` for those three,
/// `\xHH` for the other ASCII controls (`\x1b` for escape, `\x7f` for DEL), `\u{HHHH}` for
/// the rest (`\u{9b}`, `\u{202e}`). Everything else is kept, so normal text (Vietnamese
/// included) comes back unchanged and borrowed.
///
/// Backslashes are kept as they are: a name that spells `\x1b` with four printable
/// characters prints the same as an escaped escape character, which is harmless — nothing
/// it contains acts on the terminal.
///
/// ```
/// use kyso::report::text::safe;
/// assert_eq!(safe("Nguyễn Văn An"), "Nguyễn Văn An");
/// assert_eq!(safe("OK\u{1b}[2K\nTOTAL-PASSED"), "OK\\x1b[2K\\nTOTAL-PASSED");
/// assert_eq!(safe("invoice\u{202e}fdp.exe"), "invoice\\u{202e}fdp.exe");
/// ```
pub fn safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_escaped) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// `c` as [`safe`] prints it.
fn push_escaped(out: &mut String, c: char) {
    if !is_escaped(c) {
        out.push(c);
        return;
    }
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if u32::from(c) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `s` in double quotes, escaped as [`safe`] does, with the quotes and backslashes inside
/// it escaped too, so that the quoted text is unambiguous (for values whose exact spelling
/// matters, such as form field values).
pub fn quoted(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c => push_escaped(&mut q, c),
        }
    }
    q.push('"');
    q
}

/// An optional string through [`safe`], `default` when absent.
pub(crate) fn safe_or<'a>(s: Option<&'a str>, default: &'a str) -> Cow<'a, str> {
    safe(s.unwrap_or(default))
}

/// An RFC 3339 time (`2026-11-26T03:00:00Z`), the one spelling of times in text output.
pub fn rfc3339(t: time::OffsetDateTime) -> String {
    use time::format_description::well_known::Rfc3339;
    // An offset with seconds has no RFC 3339 spelling: say the time in UTC instead.
    t.format(&Rfc3339)
        .or_else(|_| t.to_offset(time::UtcOffset::UTC).format(&Rfc3339))
        .unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_text_is_borrowed_unchanged() {
        for s in [
            "",
            "Nguyễn Văn An",
            "Chủ tịch UBND phường Bến Nghé",
            // Decomposed (NFD) Vietnamese: combining marks are not escaped.
            "Hu\u{0065}\u{0302}\u{0301}",
            "C:\\hồ sơ\\đơn.pdf",
            "שלום مرحبا",
            "emoji \u{2764}\u{fe0f}",
        ] {
            assert!(matches!(safe(s), Cow::Borrowed(b) if b == s), "{s:?}");
        }
    }

    #[test]
    fn controls_bidi_and_invisible_characters_are_shown() {
        assert_eq!(safe("a\nb\rc\td"), "a\\nb\\rc\\td");
        assert_eq!(safe("\u{1b}[1A\u{1b}[2K"), "\\x1b[1A\\x1b[2K");
        assert_eq!(safe("\u{0}\u{7f}"), "\\x00\\x7f");
        assert_eq!(safe("\u{85}\u{9b}31m"), "\\u{85}\\u{9b}31m");
        assert_eq!(safe("invoice\u{202e}fdp.exe"), "invoice\\u{202e}fdp.exe");
        assert_eq!(
            safe("\u{61c}\u{200e}\u{200f}\u{2066}\u{2069}"),
            "\\u{61c}\\u{200e}\\u{200f}\\u{2066}\\u{2069}"
        );
        assert_eq!(safe("a\u{200b}b\u{feff}"), "a\\u{200b}b\\u{feff}");
        assert_eq!(safe("x\u{2028}y"), "x\\u{2028}y");
        assert_eq!(safe("\u{e0041}"), "\\u{e0041}");
    }

    #[test]
    fn nothing_escaped_survives() {
        // Every character of the escaped ranges, and its neighbours.
        let all: String = (0u32..0x3000)
            .chain(0xfe00..0x10000)
            .chain(0xe0000..0xe0100)
            .filter_map(char::from_u32)
            .collect();
        let out = safe(&all);
        assert!(!out.chars().any(is_escaped));
        // Only the escaped characters changed.
        let kept: String = all.chars().filter(|c| !is_escaped(*c)).collect();
        let out_kept: String = out.chars().collect();
        assert!(out_kept.len() > kept.len());
    }

    #[test]
    fn quoted_escapes_quotes_too() {
        assert_eq!(quoted("Dòng một\nDòng hai"), "\"Dòng một\\nDòng hai\"");
        assert_eq!(quoted("a\u{202e}b\u{1b}[2J"), "\"a\\u{202e}b\\x1b[2J\"");
        assert_eq!(quoted("say \"hi\" \\"), "\"say \\\"hi\\\" \\\\\"");
    }

    #[test]
    fn times_are_rfc3339() {
        let t = time::macros::datetime!(2021-01-01 0:00 UTC);
        assert_eq!(rfc3339(t), "2021-01-01T00:00:00Z");
        let t = time::macros::datetime!(2026-11-26 10:00 +7);
        assert_eq!(rfc3339(t), "2026-11-26T10:00:00+07:00");
    }
}
