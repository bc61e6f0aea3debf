//! Line breaking: greedy, at spaces, breaking inside a word only when the word alone is wider
//! than the line.

use super::font::Font;
use super::DrawError;

/// Most lines one text row may break into.
pub const MAX_LINES: usize = 200;

/// Breaks `text` into lines no wider than `max_width` points at `size` points. `\n` forces a
/// break; runs of spaces collapse to one. `Ok(None)` when more than [`MAX_LINES`] lines would
/// be needed.
pub(crate) fn wrap(
    font: &Font,
    text: &str,
    size: f64,
    max_width: f64,
) -> Result<Option<Vec<String>>, DrawError> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if font.width(&candidate, size)? <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone: break it by characters if it is too wide.
            for ch in word.chars() {
                let mut next = line.clone();
                next.push(ch);
                if !line.is_empty() && font.width(&next, size)? > max_width {
                    lines.push(std::mem::take(&mut line));
                    line.push(ch);
                } else {
                    line = next;
                }
                if lines.len() > MAX_LINES {
                    return Ok(None);
                }
            }
        }
        lines.push(line);
        if lines.len() > MAX_LINES {
            return Ok(None);
        }
    }
    Ok(Some(lines))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::font::FontSource;

    #[test]
    fn breaks_at_spaces_and_inside_long_words() {
        let f = Font::load(&FontSource::DejaVuSerif).unwrap();
        let text = "Ủy ban nhân dân tỉnh Thừa Thiên Huế";
        let one = wrap(&f, text, 10.0, 1000.0).unwrap().unwrap();
        assert_eq!(one, vec![text.to_string()]);
        let w = f.width("Ủy ban nhân dân", 10.0).unwrap();
        let lines = wrap(&f, text, 10.0, w + 1.0).unwrap().unwrap();
        assert_eq!(lines[0], "Ủy ban nhân dân");
        assert_eq!(lines.join(" "), text);
        for l in &lines {
            assert!(f.width(l, 10.0).unwrap() <= w + 1.0);
        }
        let narrow = wrap(&f, "Nguyễn", 10.0, 12.0).unwrap().unwrap();
        assert!(narrow.len() >= 3);
        assert_eq!(narrow.concat(), "Nguyễn");
        assert_eq!(
            wrap(&f, "a\nb", 10.0, 100.0).unwrap().unwrap(),
            vec!["a".to_string(), "b".to_string()]
        );
    }
}
