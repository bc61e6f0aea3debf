//! File names: MIME types by extension, the ASCII fallback name for `/F`, and checks that a
//! name taken from a PDF or a manifest is safe to create on disk.

/// The MIME type usually meant by a file name's extension (case-insensitive); `None` for an
/// extension not in the table.
pub fn mime_type_for(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "pdf" => "application/pdf",
        "xml" => "application/xml",
        "json" => "application/json",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "tif" | "tiff" => "image/tiff",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "p7s" => "application/pkcs7-signature",
        "p7m" => "application/pkcs7-mime",
        _ => return None,
    })
}

/// Vietnamese letters with diacritics, grouped by the ASCII letter they fold to.
const VIETNAMESE_FOLDS: [(char, &str); 14] = [
    ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
    ('A', "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"),
    ('e', "èéẻẽẹêềếểễệ"),
    ('E', "ÈÉẺẼẸÊỀẾỂỄỆ"),
    ('i', "ìíỉĩị"),
    ('I', "ÌÍỈĨỊ"),
    ('o', "òóỏõọôồốổỗộơờớởỡợ"),
    ('O', "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"),
    ('u', "ùúủũụưừứửữự"),
    ('U', "ÙÚỦŨỤƯỪỨỬỮỰ"),
    ('y', "ỳýỷỹỵ"),
    ('Y', "ỲÝỶỸỴ"),
    ('d', "đ"),
    ('D', "Đ"),
];

/// An ASCII rendering of `name` for the `/F` entry of a file specification, which older
/// readers use when they do not know `/UF`: Vietnamese letters lose their diacritics, other
/// characters outside printable ASCII become `_`.
pub fn ascii_fallback(name: &str) -> String {
    name.chars()
        .map(|c| {
            if (' '..='~').contains(&c) {
                return c;
            }
            VIETNAMESE_FOLDS
                .iter()
                .find(|(_, variants)| variants.contains(c))
                .map_or('_', |(base, _)| *base)
        })
        .collect()
}

/// Longest file name kyso creates when extracting (bytes of UTF-8).
const MAX_NAME_BYTES: usize = 255;

/// Whether `name` can be used as the name of a file created in a chosen directory: one path
/// component, not `.` or `..`, no separators (`/`, `\`), no control characters, at most 255
/// bytes.
pub fn is_safe_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && name != "."
        && name != ".."
        && !name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_types() {
        assert_eq!(mime_type_for("Đơn.PDF"), Some("application/pdf"));
        assert_eq!(mime_type_for("scan.jpeg"), Some("image/jpeg"));
        assert_eq!(mime_type_for("noext"), None);
        assert_eq!(mime_type_for("x.unknown"), None);
    }

    #[test]
    fn vietnamese_names_fold_to_ascii() {
        assert_eq!(
            ascii_fallback("Đơn đề nghị cấp giấy phép.pdf"),
            "Don de nghi cap giay phep.pdf"
        );
        assert_eq!(
            ascii_fallback("Quyết định số 12.pdf"),
            "Quyet dinh so 12.pdf"
        );
        assert_eq!(ascii_fallback("名前.txt"), "__.txt");
    }

    #[test]
    fn unsafe_names_are_refused() {
        for bad in ["", ".", "..", "a/b", "..\\x", "a\nb", "/etc/passwd"] {
            assert!(!is_safe_file_name(bad), "{bad:?}");
        }
        assert!(is_safe_file_name("Giấy khai sinh.jpg"));
        assert!(!is_safe_file_name(&"x".repeat(256)));
    }
}
