//! Hexadecimal text, the way kyso shows and reads binary values: digests, serial numbers,
//! key identifiers (`CKA_ID`), fingerprints. Lower-case digits out; either case in.

/// Lower-case hexadecimal: two digits per byte, no separators.
///
/// ```
/// assert_eq!(kyso::asn1::hex::encode(&[0x00, 0xab, 0x7f]), "00ab7f");
/// ```
pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// The bytes of a text of hexadecimal digit pairs (upper or lower case, nothing else);
/// `None` when a character is not a digit or the count is odd. The empty text is no bytes.
///
/// ```
/// assert_eq!(kyso::asn1::hex::decode("00AB7f"), Some(vec![0x00, 0xab, 0x7f]));
/// assert_eq!(kyso::asn1::hex::decode("abc"), None);
/// ```
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => Some((digit(*hi)? << 4) | digit(*lo)?),
            _ => None,
        })
        .collect()
}

const fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_over_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let text = encode(&all);
        assert_eq!(text.len(), 512);
        assert_eq!(decode(&text), Some(all.clone()));
        assert_eq!(decode(&text.to_ascii_uppercase()), Some(all));
    }

    #[test]
    fn odd_counts_and_non_digits_are_refused() {
        assert_eq!(decode(""), Some(Vec::new()));
        assert_eq!(decode("a"), None);
        assert_eq!(decode("0g"), None);
        assert_eq!(decode("0x00"), None);
        assert_eq!(decode("00:01"), None);
        assert_eq!(decode("é0"), None);
    }
}
