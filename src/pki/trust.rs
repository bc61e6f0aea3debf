//! Trust anchors: the certificates a verifier accepts as the end of a path.
//!
//! Anchors come from PEM bundles, DER files, directories of those, and trust profiles. A
//! trust profile is a small text file naming a PKI and its anchors, so that a deployment can
//! pick which PKIs it accepts (say, one profile per national PKI):
//!
//! ```text
//! # Government-service PKI
//! name = vn-gov
//! anchor = roots/gov-root-2019.pem
//! anchor = roots/gov-root-2024.pem  purposes=document-signing,timestamping
//! ```
//!
//! Paths are relative to the profile file. An anchor without `purposes=` serves every
//! purpose. A [`TrustStore`] is immutable once handed to a verifier (it is cloned into the
//! options, never shared mutably).

use std::path::Path;

use time::OffsetDateTime;

use super::cert::{CertError, Certificate};
use super::options::Purpose;
use crate::asn1::name::NormalizedName;
use crate::Error;

/// Most certificates one store accepts (a directory of bundles could hold many).
pub const MAX_ANCHORS: usize = 10_000;
/// Most files read from one trust directory.
const MAX_DIR_FILES: usize = 10_000;
/// Largest anchor file read.
const MAX_FILE_BYTES: u64 = 16 << 20;

/// One trust anchor and the purposes it may serve.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TrustAnchor {
    /// The certificate (its name and key are the anchor; its extensions are not enforced).
    pub certificate: Certificate,
    /// The purposes it is trusted for; `None` = every purpose.
    pub purposes: Option<Vec<Purpose>>,
    /// The profile it came from, if any.
    pub profile: Option<String>,
    /// For an anchor kept for archival validation only: it may end a path only for a
    /// signature whose existence is proven (by a timestamp) before this instant. `None`: no
    /// such limit.
    pub archival_until: Option<OffsetDateTime>,
}

impl TrustAnchor {
    /// An anchor trusted for every purpose, from no profile, without an archival limit.
    pub fn new(certificate: Certificate) -> Self {
        TrustAnchor {
            certificate,
            purposes: None,
            profile: None,
            archival_until: None,
        }
    }

    /// The anchor limited to `purposes`.
    pub fn with_purposes(mut self, purposes: Vec<Purpose>) -> Self {
        self.purposes = Some(purposes);
        self
    }

    /// The anchor tagged with the trust profile it came from.
    pub fn with_profile(mut self, profile: &str) -> Self {
        self.profile = Some(profile.to_string());
        self
    }

    /// The anchor limited to signatures proven to exist before `until`.
    pub fn with_archival_until(mut self, until: OffsetDateTime) -> Self {
        self.archival_until = Some(until);
        self
    }

    /// The role under which the anchor ends a path, in words the report carries:
    /// `archival`, `timestamping-only` or `signer`.
    pub fn role(&self) -> &'static str {
        if self.archival_until.is_some() {
            "archival"
        } else if matches!(&self.purposes, Some(list) if !list.contains(&Purpose::DocumentSigning))
        {
            "timestamping-only"
        } else {
            "signer"
        }
    }

    /// Whether the anchor may end a path for `purpose`.
    pub fn allows(&self, purpose: Purpose) -> bool {
        match (&self.purposes, purpose) {
            (None, _) => true,
            // A CRL signer's path serves the purpose of the path it supports.
            (Some(_), Purpose::Any | Purpose::CrlSigning) => true,
            (Some(list), p) => list.contains(&p),
        }
    }
}

/// An immutable set of trust anchors. Build it once, share it between verifications.
///
/// Anchors come from files ([`TrustStore::add_file`]: PEM bundles or DER), directories
/// ([`TrustStore::add_dir`]), trust profiles ([`TrustStore::add_profile`]) or memory
/// ([`TrustStore::from_pem_or_der`], [`TrustStore::from_der_certificates`]).
///
/// ```no_run
/// use std::path::Path;
/// use kyso::pki::TrustStore;
///
/// # fn main() -> Result<(), kyso::Error> {
/// let mut trust = TrustStore::empty();
/// trust.add_file(Path::new("/etc/kyso/roots/neac-root.pem"))?;
/// trust.add_dir(Path::new("/etc/kyso/roots/extra"))?;
/// // An anchor kept in the service's configuration as PEM text.
/// let pem_text = std::env::var("KYSO_EXTRA_ROOT").unwrap_or_default();
/// if !pem_text.is_empty() {
///     trust.add_pem_or_der(pem_text.as_bytes())?;
/// }
/// println!("{} anchor(s)", trust.anchors().len());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<TrustAnchor>,
    certificates: Vec<Certificate>,
    profiles: Vec<String>,
}

impl TrustStore {
    /// A store with no anchor: every chain comes out as "no trust anchors configured".
    pub fn empty() -> Self {
        TrustStore::default()
    }

    /// Anchors from DER certificates.
    pub fn from_der_certificates<I, B>(certs: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = B>,
        B: AsRef<[u8]>,
    {
        let mut store = TrustStore::empty();
        for der in certs {
            store.add_der(der.as_ref())?;
        }
        Ok(store)
    }

    /// Adds one DER certificate, trusted for every purpose.
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), Error> {
        let cert = Certificate::from_der(der).map_err(|e| Error::Certificate {
            what: "trust anchor".into(),
            source: e,
        })?;
        self.add_anchor(TrustAnchor::new(cert))
    }

    /// Adds an anchor (a certificate already present keeps its first purposes).
    pub fn add_anchor(&mut self, anchor: TrustAnchor) -> Result<(), Error> {
        if self.certificates.contains(&anchor.certificate) {
            return Ok(());
        }
        if self.anchors.len() >= MAX_ANCHORS {
            return Err(Error::Certificate {
                what: "trust store".into(),
                source: CertError::Malformed(format!("more than {MAX_ANCHORS} anchors")),
            });
        }
        self.certificates.push(anchor.certificate.clone());
        self.anchors.push(anchor);
        Ok(())
    }

    /// Adds every certificate of a file: PEM (one or more `CERTIFICATE` blocks) or DER.
    pub fn add_file(&mut self, path: &Path) -> Result<(), Error> {
        self.add_file_for(path, None, None)
    }

    /// Anchors from certificates held in memory: PEM text (one or more `CERTIFICATE` blocks,
    /// such as a CA bundle embedded in a program or read from a database) or one DER
    /// certificate; each is trusted for every purpose.
    ///
    /// ```
    /// # fn main() -> Result<(), kyso::Error> {
    /// use kyso::pki::TrustStore;
    /// # let now = time::OffsetDateTime::now_utc();
    /// # let pki = kyso::demo::DemoPki::generate(now)?;
    /// # let pem_text = pki.root.cert_pem();
    /// // `pem_text`: "-----BEGIN CERTIFICATE-----\n…", from anywhere but a file.
    /// let trust = TrustStore::from_pem_or_der(pem_text.as_bytes())?;
    /// assert_eq!(trust.anchors().len(), 1);
    /// // DER works the same way.
    /// let trust = TrustStore::from_pem_or_der(&pki.root.cert_der)?;
    /// assert_eq!(trust.anchors().len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, Error> {
        let mut store = TrustStore::empty();
        store.add_pem_or_der(bytes)?;
        Ok(store)
    }

    /// Adds every certificate of PEM text or of one DER certificate held in memory (see
    /// [`TrustStore::from_pem_or_der`]).
    pub fn add_pem_or_der(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.add_bytes_for(bytes, "trust anchor", None, None)
    }

    fn add_file_for(
        &mut self,
        path: &Path,
        purposes: Option<Vec<Purpose>>,
        profile: Option<&str>,
    ) -> Result<(), Error> {
        let bytes = read_limited(path, MAX_FILE_BYTES)?;
        self.add_bytes_for(&bytes, &path.display().to_string(), purposes, profile)
    }

    /// Adds the certificates of PEM or DER `bytes`; `what` names them in errors.
    fn add_bytes_for(
        &mut self,
        bytes: &[u8],
        what: &str,
        purposes: Option<Vec<Purpose>>,
        profile: Option<&str>,
    ) -> Result<(), Error> {
        let ders = certificates_from_pem_or_der(bytes).map_err(|e| Error::Certificate {
            what: what.to_string(),
            source: e,
        })?;
        for der in ders {
            let certificate = Certificate::from_der(&der).map_err(|e| Error::Certificate {
                what: what.to_string(),
                source: e,
            })?;
            self.add_anchor(TrustAnchor {
                certificate,
                purposes: purposes.clone(),
                profile: profile.map(str::to_string),
                archival_until: None,
            })?;
        }
        Ok(())
    }

    /// Adds every certificate file (`.pem`, `.crt`, `.cer`, `.der`) of a directory, in name
    /// order; other files and subdirectories are ignored.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Error> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let path = entry.path();
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            if path.is_file() && matches!(ext.as_deref(), Some("pem" | "crt" | "cer" | "der")) {
                files.push(path);
            }
            if files.len() > MAX_DIR_FILES {
                break;
            }
        }
        files.sort();
        for f in files {
            self.add_file(&f)?;
        }
        Ok(())
    }

    /// Adds the anchors of a trust profile file (see the module documentation).
    pub fn add_profile(&mut self, path: &Path) -> Result<(), Error> {
        let bytes = read_limited(path, MAX_FILE_BYTES)?;
        let text = String::from_utf8_lossy(&bytes);
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        let bad = |line: usize, why: String| Error::Certificate {
            what: format!("{}:{line}", path.display()),
            source: CertError::Malformed(why),
        };
        let mut name: Option<String> = None;
        let mut anchors: Vec<(std::path::PathBuf, Option<Vec<Purpose>>)> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(bad(i + 1, format!("expected KEY = VALUE, found {line:?}")));
            };
            match key.trim() {
                "name" => name = Some(value.trim().to_string()),
                "anchor" => {
                    let mut parts = value.split_whitespace();
                    let file = parts
                        .next()
                        .ok_or_else(|| bad(i + 1, "anchor without a file".into()))?;
                    let mut purposes = None;
                    for opt in parts {
                        let Some(list) = opt.strip_prefix("purposes=") else {
                            return Err(bad(i + 1, format!("unknown anchor option {opt:?}")));
                        };
                        let parsed = list
                            .split(',')
                            .map(|p| {
                                Purpose::parse(p)
                                    .ok_or_else(|| bad(i + 1, format!("unknown purpose {p:?}")))
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        purposes = Some(parsed);
                    }
                    anchors.push((base.join(file), purposes));
                }
                other => return Err(bad(i + 1, format!("unknown key {other:?}"))),
            }
        }
        let name = name.unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        if anchors.is_empty() {
            return Err(bad(0, "the profile names no anchor".into()));
        }
        for (file, purposes) in anchors {
            self.add_file_for(&file, purposes, Some(&name))?;
        }
        self.profiles.push(name);
        Ok(())
    }

    /// Records that a profile's anchors were added.
    pub(crate) fn note_profile(&mut self, name: &str) {
        if !self.profiles.iter().any(|p| p == name) {
            self.profiles.push(name.to_string());
        }
    }

    /// The anchors.
    pub fn anchors(&self) -> &[TrustAnchor] {
        &self.anchors
    }

    /// The names of the profiles loaded.
    pub fn profiles(&self) -> &[String] {
        &self.profiles
    }

    /// True when there is no anchor.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// The anchor with exactly this DER encoding, if any.
    pub fn find_exact(&self, der: &[u8]) -> Option<&TrustAnchor> {
        self.anchors.iter().find(|a| a.certificate.der() == der)
    }

    /// Anchors whose subject is `name` (RFC 5280 §7.1 comparison).
    pub fn by_subject<'a>(
        &'a self,
        name: &'a NormalizedName,
    ) -> impl Iterator<Item = &'a TrustAnchor> + 'a {
        self.anchors
            .iter()
            .filter(move |a| a.certificate.subject_name() == name)
    }

    /// Anchors whose subject key identifier is `ski`.
    pub fn by_key_id<'a>(&'a self, ski: &'a [u8]) -> impl Iterator<Item = &'a TrustAnchor> + 'a {
        self.anchors
            .iter()
            .filter(move |a| a.certificate.ski() == Some(ski))
    }
}

/// Reads a certificate file of at most `limit` bytes; a larger file is an error (never read
/// in part: a cut PEM bundle would silently lose its last anchors).
pub(super) fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        let e = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {limit} bytes: not a certificate file"),
        );
        return Err(Error::io(path, e));
    }
    Ok(bytes)
}

/// Reads certificates from PEM text (every `CERTIFICATE` block) or from one DER certificate.
pub fn certificates_from_pem_or_der(bytes: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    if !crate::asn1::pem::looks_like_pem(bytes) {
        return Ok(vec![bytes.to_vec()]);
    }
    let mut out = Vec::new();
    for pem in x509_parser::pem::Pem::iter_from_buffer(bytes) {
        let pem = pem.map_err(|e| CertError::Malformed(format!("PEM: {e}")))?;
        if pem.label == "CERTIFICATE" || pem.label == "X509 CERTIFICATE" {
            out.push(pem.contents);
        }
    }
    if out.is_empty() {
        return Err(CertError::Malformed("no CERTIFICATE block in PEM".into()));
    }
    Ok(out)
}
