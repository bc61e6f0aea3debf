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

/// Longest file name kyso creates when extracting (bytes of UTF-8; most file systems allow
/// 255).
const MAX_NAME_BYTES: usize = 255;

/// Names Windows reserves for devices, whatever the extension (`NUL.txt` is the device
/// too), compared without case. `COM0`, `LPT0` and the superscript digits are included:
/// some Windows versions reserve them as well.
const RESERVED_DEVICE_NAMES: [&str; 32] = [
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "COM0", "COM1", "COM2", "COM3", "COM4",
    "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³", "LPT0", "LPT1", "LPT2", "LPT3",
    "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
];

/// Whether `c` may not appear in a file name kyso creates: control characters (C0, DEL,
/// C1), the characters Windows forbids (`< > : " / \ | ? *`: `:` also makes drive prefixes
/// such as `C:evil.txt` and NTFS alternate streams), bidirectional controls (which make
/// `invoice\u{202e}fdp.exe` display as `invoiceexe.pdf`), and the line and paragraph
/// separators.
fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*')
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Whether `name` is a Windows device name, with or without an extension (`CON`,
/// `nul.txt`, `COM1.tar.gz`, `AUX .txt`).
fn is_reserved_device_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    RESERVED_DEVICE_NAMES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(stem))
}

/// A file name for `name` (taken from a document or a manifest, so untrusted) that is safe
/// to create inside a chosen directory on every platform kyso runs on, or `None` when
/// nothing usable is left (the caller then picks a neutral name such as `attachment-1`).
///
/// - only the last component is kept, after any `/` or `\` (path separators of every
///   platform): `../../etc/passwd` → `passwd`;
/// - control characters, bidirectional controls, line and paragraph separators and the
///   characters Windows forbids (`< > : " | ? *`) become `_`: `C:evil.txt` → `C_evil.txt`;
/// - trailing dots and spaces go (Windows drops them, so `a.txt.` would be `a.txt`);
/// - a Windows device name (`CON`, `PRN`, `AUX`, `NUL`, `COM0`–`COM9`, `LPT0`–`LPT9`,
///   `CONIN$`, `CONOUT$`, with any extension) gets a leading `_`: `NUL.txt` → `_NUL.txt`;
/// - empty, `.` and `..` give `None`;
/// - a name longer than 255 bytes is shortened, keeping its extension.
///
/// The original name stays in what kyso reports (the extract command prints both).
pub fn portable_file_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| if is_unsafe_char(c) { '_' } else { c })
        .collect();
    let mut cleaned = cleaned.trim_end_matches(['.', ' ']).to_owned();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        return None;
    }
    if is_reserved_device_name(&cleaned) {
        cleaned.insert(0, '_');
    }
    Some(shorten(&cleaned))
}

/// `name` cut to [`MAX_NAME_BYTES`] on a character boundary, keeping a short extension.
fn shorten(name: &str) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name.to_owned();
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if ext.len() < 16 => (stem, Some(ext)),
        _ => (name, None),
    };
    let room = MAX_NAME_BYTES - ext.map_or(0, |e| e.len() + 1);
    let mut out = String::new();
    for c in stem.chars() {
        if out.len() + c.len_utf8() > room {
            break;
        }
        out.push(c);
    }
    let mut out = out.trim_end_matches(['.', ' ']).to_owned();
    if let Some(ext) = ext {
        out.push('.');
        out.push_str(ext);
    }
    out
}

/// Whether `name` can be used as it is for a file created in a chosen directory on every
/// platform: [`portable_file_name`] leaves it unchanged.
pub fn is_safe_file_name(name: &str) -> bool {
    portable_file_name(name).as_deref() == Some(name)
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
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "..\\x",
            "a\nb",
            "/etc/passwd",
            "C:x",
            "CON",
        ] {
            assert!(!is_safe_file_name(bad), "{bad:?}");
        }
        assert!(is_safe_file_name("Giấy khai sinh.jpg"));
        assert!(!is_safe_file_name(&"x".repeat(256)));
    }

    /// Every case of the extraction rule, with what it becomes.
    #[test]
    fn portable_names_every_case() {
        let cases: &[(&str, Option<&str>)] = &[
            // Kept as they are.
            ("Giấy khai sinh.jpg", Some("Giấy khai sinh.jpg")),
            ("Đơn đề nghị (bản 2).pdf", Some("Đơn đề nghị (bản 2).pdf")),
            (".hidden", Some(".hidden")),
            ("CONTRACT.pdf", Some("CONTRACT.pdf")),
            ("console.log", Some("console.log")),
            ("COM10.txt", Some("COM10.txt")),
            ("a..b", Some("a..b")),
            // Path separators of every platform: the last component only.
            ("../../etc/passwd", Some("passwd")),
            ("/etc/passwd", Some("passwd")),
            ("..\\..\\Windows\\win.ini", Some("win.ini")),
            ("dir/sub\\x.txt", Some("x.txt")),
            ("\\\\server\\share\\x.txt", Some("x.txt")),
            // Drive prefixes and alternate data streams.
            ("C:evil.txt", Some("C_evil.txt")),
            ("C:\\evil.txt", Some("evil.txt")),
            ("c:", Some("c_")),
            ("file.txt:stream", Some("file.txt_stream")),
            // Characters Windows forbids.
            ("a<b>c\"d|e?f*g.txt", Some("a_b_c_d_e_f_g.txt")),
            // Reserved device names, any case, with or without extensions.
            ("CON", Some("_CON")),
            ("con", Some("_con")),
            ("NUL.txt", Some("_NUL.txt")),
            ("nul.tar.gz", Some("_nul.tar.gz")),
            ("PRN.pdf", Some("_PRN.pdf")),
            ("AUX", Some("_AUX")),
            ("COM1", Some("_COM1")),
            ("com9.pdf", Some("_com9.pdf")),
            ("LPT1.txt", Some("_LPT1.txt")),
            ("lpt9", Some("_lpt9")),
            ("COM0", Some("_COM0")),
            ("COM¹.txt", Some("_COM¹.txt")),
            ("LPT³", Some("_LPT³")),
            ("CONIN$", Some("_CONIN$")),
            ("AUX .txt", Some("_AUX .txt")),
            ("CON.", Some("_CON")),
            // Trailing dots and spaces.
            ("report.pdf.", Some("report.pdf")),
            ("report.pdf   ", Some("report.pdf")),
            ("report. . .", Some("report")),
            // Control and bidirectional-control characters.
            ("a\nb.txt", Some("a_b.txt")),
            ("a\rb\tc\0d.txt", Some("a_b_c_d.txt")),
            ("bell\u{7}\u{7f}\u{85}.txt", Some("bell___.txt")),
            ("\u{1b}[31mred.txt", Some("_[31mred.txt")),
            ("invoice\u{202e}fdp.exe", Some("invoice_fdp.exe")),
            ("x\u{202a}\u{202b}\u{202c}\u{202d}.txt", Some("x____.txt")),
            ("x\u{2066}\u{2067}\u{2068}\u{2069}.txt", Some("x____.txt")),
            ("x\u{200e}\u{200f}\u{061c}.txt", Some("x___.txt")),
            ("line\u{2028}para\u{2029}.txt", Some("line_para_.txt")),
            // Nothing usable left.
            ("", None),
            (".", None),
            ("..", None),
            ("...", None),
            ("   ", None),
            ("a/", None),
            ("a/..", None),
            ("a\\.", None),
            (". .", None),
        ];
        for (name, expected) in cases {
            let got = portable_file_name(name);
            assert_eq!(got.as_deref(), *expected, "{name:?}");
            if let Some(g) = &got {
                assert!(is_safe_file_name(g), "{g:?} is not stable");
            }
        }
    }

    #[test]
    fn long_names_are_shortened_keeping_the_extension() {
        let long = format!("{}.pdf", "ệ".repeat(200));
        let short = portable_file_name(&long).unwrap();
        assert!(short.len() <= MAX_NAME_BYTES, "{}", short.len());
        assert!(short.ends_with("ệ.pdf"), "{short}");
        let no_ext = "x".repeat(300);
        assert_eq!(portable_file_name(&no_ext).unwrap().len(), MAX_NAME_BYTES);
    }
}
