//! PEM armour (RFC 7468): DER between `-----BEGIN LABEL-----` and `-----END LABEL-----`
//! lines, base64 in between. kyso takes certificates, CRLs, keys and CMS files either as
//! PEM or as DER; these functions tell the two apart and take the DER out.

/// True when `bytes` look like PEM text: a `-----BEGIN ` line within the first 4 KiB (a
/// DER file never starts with text, and comments before the first block are short).
pub fn looks_like_pem(bytes: &[u8]) -> bool {
    const MARK: &[u8] = b"-----BEGIN ";
    bytes.windows(MARK.len()).take(4096).any(|w| w == MARK)
}

/// The DER contents of every block of PEM text whose label is `label` (RFC 7468 §2), in
/// order; blocks with another label, and blocks whose base64 does not decode, are passed
/// over. Reading stops at a block that is never closed.
pub fn blocks(bytes: &[u8], label: &str) -> Vec<Vec<u8>> {
    x509_parser::pem::Pem::iter_from_buffer(bytes)
        .filter_map(Result::ok)
        .filter(|p| p.label == label)
        .map(|p| p.contents)
        .collect()
}

/// [`blocks`] with this label when `bytes` are PEM text ([`looks_like_pem`]), else `bytes`
/// themselves, taken as one DER object.
pub fn blocks_or_der(bytes: &[u8], label: &str) -> Vec<Vec<u8>> {
    if looks_like_pem(bytes) {
        blocks(bytes, label)
    } else {
        vec![bytes.to_vec()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_CRLS: &[u8] = b"comment\n-----BEGIN X509 CRL-----\nAQID\n-----END X509 CRL-----\n\
        -----BEGIN CERTIFICATE-----\nBAU=\n-----END CERTIFICATE-----\n\
        -----BEGIN X509 CRL-----\nBg==\n-----END X509 CRL-----\n";

    #[test]
    fn blocks_of_one_label_in_order() {
        assert!(looks_like_pem(TWO_CRLS));
        assert_eq!(blocks(TWO_CRLS, "X509 CRL"), vec![vec![1, 2, 3], vec![6]]);
        assert_eq!(blocks(TWO_CRLS, "CERTIFICATE"), vec![vec![4, 5]]);
        assert!(blocks(TWO_CRLS, "PKCS7").is_empty());
    }

    #[test]
    fn der_is_taken_whole() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        assert!(!looks_like_pem(&der));
        assert_eq!(blocks_or_der(&der, "X509 CRL"), vec![der.to_vec()]);
        assert_eq!(blocks_or_der(TWO_CRLS, "X509 CRL").len(), 2);
    }

    #[test]
    fn bad_base64_and_unclosed_blocks_give_nothing() {
        let bad = b"-----BEGIN X509 CRL-----\n!!!!\n-----END X509 CRL-----\n";
        assert!(blocks(bad, "X509 CRL").is_empty());
        let open = b"-----BEGIN X509 CRL-----\nAQID\n";
        assert!(blocks(open, "X509 CRL").is_empty());
    }
}
