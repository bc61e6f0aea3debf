//! Small helpers shared by several modules: the demo's file output, hex and PEM text
//! (reading PEM and hex is public in [`crate::asn1::pem`] and [`crate::asn1::hex`]).

#[cfg(feature = "demo")]
use std::path::Path;

#[cfg(feature = "demo")]
use crate::Error;

/// Writes `bytes` to `path` by kyso's write rule ([`crate::output`]), replacing an
/// existing file (the demo rewrites its own directory).
#[cfg(feature = "demo")]
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use crate::output::{write_bytes, Overwrite, Target};
    write_bytes(Target::new(path).overwrite(Overwrite::Replace), &[], bytes)
}

/// Lower-case hexadecimal (kept here under its short name for the modules that use it).
pub use crate::asn1::hex::encode as hex;

/// PEM armour (RFC 7468): base64 in 64-column lines between BEGIN/END lines.
#[cfg(feature = "demo")]
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "demo")]
    fn atomic_write_replaces_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.bin");
        write_atomically(&p, b"one").unwrap();
        write_atomically(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    #[cfg(feature = "demo")]
    fn pem_armour() {
        let p = pem_encode("CERTIFICATE", &[0u8; 60]);
        assert!(p.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(p.ends_with("-----END CERTIFICATE-----\n"));
        assert_eq!(p.lines().count(), 4);
    }
}
