//! The dossier manifest: which files a dossier holds, what each one is, and its SHA-256 and
//! size, as JSON (schema version [`MANIFEST_SCHEMA_VERSION`]), signed by a detached CAdES
//! signature over the manifest's exact bytes.
//!
//! ```json
//! {
//!   "format": "kyso-dossier-manifest",
//!   "schema_version": 1,
//!   "created": "2026-11-26T03:00:00Z",
//!   "dossier_id": "HS-2026-000123",
//!   "files": [
//!     { "path": "đơn đề nghị.pdf", "role": "application", "size": 48213,
//!       "sha256": "9f86d0…" },
//!     { "path": "scans/giấy khai sinh.jpg", "role": "attachment", "size": 912004,
//!       "sha256": "…" }
//!   ]
//! }
//! ```
//!
//! Paths are relative to the dossier directory, `/`-separated, UTF-8, and compared in
//! Unicode normalisation form C ([`nfc`]): a file whose name is stored decomposed (NFD, as
//! macOS writes names) matches the manifest entry of the same name composed, and two names
//! that are equal once normalised are one name (a manifest listing both is malformed; a
//! dossier holding both is a conflict). Sealing writes NFC paths. Files are sorted by path.
//! Unknown fields are refused: everything a signer signed is understood, and a new field
//! means a new schema version.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// `name` in Unicode normalisation form C (composed), the form dossier names are compared
/// in; borrowed when it already is.
pub fn nfc(name: &str) -> Cow<'_, str> {
    match is_nfc_quick(name.chars()) {
        IsNormalized::Yes => Cow::Borrowed(name),
        _ => Cow::Owned(name.nfc().collect()),
    }
}

/// The manifest's file name, at the top of the dossier directory.
pub const MANIFEST_FILE: &str = "kyso-dossier.json";
/// The manifest's detached signature, beside it.
pub const MANIFEST_SIGNATURE_FILE: &str = "kyso-dossier.json.p7s";
/// The value of the manifest's `format` field.
pub const MANIFEST_FORMAT: &str = "kyso-dossier-manifest";
/// The manifest schema version this kyso writes and reads.
pub const MANIFEST_SCHEMA_VERSION: u32 = 1;

/// What a file is in the dossier.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Role {
    /// The citizen's application (đơn).
    Application,
    /// An attachment: scans, forms, certificates from other offices.
    Attachment,
    /// A decision or reply by an office.
    Decision,
    /// A detached signature (`.p7s`) or enveloping signature (`.p7m`) of another file.
    Signature,
}

impl Role {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Application => "application",
            Role::Attachment => "attachment",
            Role::Decision => "decision",
            Role::Signature => "signature",
        }
    }
}

/// A dossier manifest (schema version 1).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Manifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: String,
    /// [`MANIFEST_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// When the dossier was sealed (the sealer's clock; the signature's claim).
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// The dossier's identifier in the administration's system, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dossier_id: Option<String>,
    /// The files, sorted by path.
    pub files: Vec<ManifestEntry>,
}

/// One file of the manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ManifestEntry {
    /// Path relative to the dossier directory, `/`-separated.
    pub path: String,
    /// What the file is.
    pub role: Role,
    /// Length in bytes.
    pub size: u64,
    /// SHA-256 of the content, 64 lower-case hexadecimal digits.
    pub sha256: String,
}

impl Manifest {
    /// A manifest of `files` (sorted here) created at `created`.
    pub fn new(
        created: OffsetDateTime,
        dossier_id: Option<String>,
        mut files: Vec<ManifestEntry>,
    ) -> Self {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Manifest {
            format: MANIFEST_FORMAT.to_owned(),
            schema_version: MANIFEST_SCHEMA_VERSION,
            created,
            dossier_id,
            files,
        }
    }

    /// The JSON bytes that get signed (pretty-printed, with a final newline).
    pub fn to_json_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut out = serde_json::to_vec_pretty(self)?;
        out.push(b'\n');
        Ok(out)
    }

    /// Parses and checks manifest bytes: the format and schema version first (so that a
    /// newer manifest is named as such), then the whole structure, then every path (safe and
    /// relative, not the manifest's own files), every digest (64 hex digits) and uniqueness.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, String> {
        #[derive(Deserialize)]
        struct Head {
            format: Option<String>,
            schema_version: Option<u32>,
        }
        let head: Head =
            serde_json::from_slice(bytes).map_err(|e| format!("not a JSON manifest: {e}"))?;
        if head.format.as_deref() != Some(MANIFEST_FORMAT) {
            return Err(format!(
                "\"format\" is {:?}, expected \"{MANIFEST_FORMAT}\"",
                head.format
            ));
        }
        match head.schema_version {
            Some(MANIFEST_SCHEMA_VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "schema version {v} is not supported (this kyso reads version \
                     {MANIFEST_SCHEMA_VERSION})"
                ))
            }
            None => return Err("\"schema_version\" is missing".to_owned()),
        }
        let manifest: Manifest =
            serde_json::from_slice(bytes).map_err(|e| format!("malformed manifest: {e}"))?;
        let mut paths: std::collections::HashMap<Cow<'_, str>, &str> =
            std::collections::HashMap::new();
        for entry in &manifest.files {
            if let Err(reason) = check_relative_path(&entry.path) {
                return Err(format!("path {:?}: {reason}", entry.path));
            }
            if entry.path == MANIFEST_FILE || entry.path == MANIFEST_SIGNATURE_FILE {
                return Err(format!("path {:?} is the manifest's own file", entry.path));
            }
            if entry.sha256.len() != 64
                || !entry
                    .sha256
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(format!(
                    "path {:?}: sha256 is not 64 lower-case hexadecimal digits",
                    entry.path
                ));
            }
            match paths.insert(nfc(&entry.path), &entry.path) {
                Some(other) if other == entry.path => {
                    return Err(format!("path {:?} is listed twice", entry.path))
                }
                Some(other) => {
                    return Err(format!(
                        "paths {other:?} and {:?} are the same name once normalised (Unicode \
                         NFC): a name conflict",
                        entry.path
                    ))
                }
                None => {}
            }
        }
        Ok(manifest)
    }
}

/// Checks a manifest path: not empty, relative, `/`-separated components that are neither
/// empty, `.` nor `..`, no backslash, no control character, at most 4096 bytes.
pub fn check_relative_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("empty path");
    }
    if path.len() > 4096 {
        return Err("longer than 4096 bytes");
    }
    if path.starts_with('/') {
        return Err("absolute path");
    }
    if path.contains('\\') {
        return Err("contains a backslash");
    }
    if path.chars().any(char::is_control) {
        return Err("contains a control character");
    }
    for part in path.split('/') {
        match part {
            "" => return Err("empty path component"),
            "." | ".." => return Err("contains . or .."),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> ManifestEntry {
        ManifestEntry {
            path: path.to_owned(),
            role: Role::Attachment,
            size: 3,
            sha256: "ab".repeat(32),
        }
    }

    #[test]
    fn round_trip_and_order() {
        let m = Manifest::new(
            OffsetDateTime::UNIX_EPOCH,
            Some("HS-1".into()),
            vec![entry("z.pdf"), entry("giấy tờ/a.jpg")],
        );
        let bytes = m.to_json_bytes().unwrap();
        let back = Manifest::parse(&bytes).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.files[0].path, "giấy tờ/a.jpg");
        assert!(String::from_utf8(bytes)
            .unwrap()
            .contains("\"role\": \"attachment\""));
    }

    #[test]
    fn refusals_are_precise() {
        let base = Manifest::new(OffsetDateTime::UNIX_EPOCH, None, vec![entry("a")]);
        let json = |m: &Manifest| m.to_json_bytes().unwrap();
        let mut v2 = base.clone();
        v2.schema_version = 2;
        assert!(Manifest::parse(&json(&v2))
            .unwrap_err()
            .contains("version 2"));
        let mut other = base.clone();
        other.format = "x".into();
        assert!(Manifest::parse(&json(&other))
            .unwrap_err()
            .contains("format"));
        for bad in [
            "../x",
            "/etc/passwd",
            "a//b",
            "a/./b",
            "a\\b",
            MANIFEST_FILE,
        ] {
            let m = Manifest::new(OffsetDateTime::UNIX_EPOCH, None, vec![entry(bad)]);
            assert!(Manifest::parse(&json(&m)).is_err(), "{bad}");
        }
        let twice = Manifest::new(
            OffsetDateTime::UNIX_EPOCH,
            None,
            vec![entry("a"), entry("a")],
        );
        assert!(Manifest::parse(&json(&twice))
            .unwrap_err()
            .contains("twice"));
        let mut bad_hash = base.clone();
        bad_hash.files[0].sha256 = "AB".repeat(32);
        assert!(Manifest::parse(&json(&bad_hash)).is_err());
        // "é" composed and decomposed: one name.
        let nfd = Manifest::new(
            OffsetDateTime::UNIX_EPOCH,
            None,
            vec![entry("caf\u{e9}.pdf"), entry("cafe\u{301}.pdf")],
        );
        assert!(Manifest::parse(&json(&nfd)).unwrap_err().contains("NFC"));
        assert_eq!(nfc("cafe\u{301}"), "caf\u{e9}");
        assert!(matches!(nfc("Đơn.pdf"), Cow::Borrowed(_)));
        let unknown = String::from_utf8(json(&base))
            .unwrap()
            .replacen("{", "{\"extra\": 1,", 1);
        assert!(Manifest::parse(unknown.as_bytes()).is_err());
        assert!(Manifest::parse(b"not json").is_err());
    }
}
