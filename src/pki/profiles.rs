//! Built-in trust profiles: Vietnam's national trust anchors, pinned by SHA-256 fingerprint.
//!
//! kyso ships no certificate. It ships *pins*: for each national root, the SHA-256 of its DER
//! encoding, its subject, the use it may be put to ([`AnchorRole`]) and how the pin was
//! confirmed ([`Pin::confirmation`]). The clerk installs the certificates once from files
//! obtained from the official publication sites ([`install`], `kyso trust install vn-gov
//! --from DIR`): exactly the files whose fingerprint matches a pin are copied into a store
//! directory ([`default_store_dir`] or one the caller names), everything else is reported
//! and left out. Verification then loads only installed files that still match a pin
//! ([`add_installed`], `--trust-profile vn-gov`).
//!
//! | profile | for | anchors |
//! |---|---|---|
//! | `vn-gov` | officials' signatures: the Government Cipher Committee's specialised PKI (Ban Cơ yếu Chính phủ) | RootCA chuyên dùng Chính phủ G2 |
//! | `vn-public` | citizens' and businesses' signatures: licensed public CAs under the NEAC national roots | Vietnam National Root CA (2014), G3 (2024), the 2025–2026 RS / USBTOKEN / MOBILEPKI / EMA roots; the 2008 SHA-1 MIC root as an archival anchor |
//! | `vn-tsa` | timestamp tokens only | VIETNAM NATIONAL ROOT CA - TSA |
//! | `vn-all` | any of the above | all of them |
//!
//! **Confirmation status.** The pins were taken from public copies of the certificates found
//! in independent public repositories (see [`Pin::copies`]); four of the nine pinned anchors were
//! found in two or more. **None has yet been compared with the official sites**
//! (rootca.gov.vn for NEAC, ca.gov.vn for the Government Cipher Committee). A deployer should
//! compare the fingerprints [`profile`] lists with the official publication before relying on
//! them.
//!
//! **The archival cut-off.** The 2008 "MIC National Root CA" signs with SHA-1. It is pinned as
//! [`AnchorRole::Archival`] with cut-off 2014-04-15T16:29:20Z, the start of validity of the
//! SHA-256 "Vietnam National Root CA" that took over from it: it may prove only signatures
//! whose existence is proven before that instant, never a new signature.

use std::path::{Path, PathBuf};

use time::macros::datetime;
use time::OffsetDateTime;

use super::cert::Certificate;
use super::options::Purpose;
use super::trust::{certificates_from_pem_or_der, read_limited, TrustAnchor, TrustStore};
use crate::output::{Overwrite, Target};
use crate::Error;

/// Most files read from one directory by [`install`].
const MAX_DIR_FILES: usize = 10_000;
/// Largest certificate file read by [`install`] and [`add_installed`].
const MAX_FILE_BYTES: u64 = 1 << 20;

/// What an anchor may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnchorRole {
    /// Ends paths of document signers and of timestamping authorities.
    Signer,
    /// Ends timestamping-authority paths only (RFC 3161), never a document signer's path.
    TimestampOnly,
    /// A retired root kept for old signatures: it may end a path only for a signature whose
    /// existence is proven before `until`.
    Archival {
        /// The cut-off: signatures proven to exist before this instant only.
        until: OffsetDateTime,
    },
}

impl AnchorRole {
    /// The purposes an installed anchor of this role is trusted for (see
    /// [`TrustAnchor::purposes`]).
    pub fn purposes(&self) -> Vec<Purpose> {
        match self {
            AnchorRole::Signer | AnchorRole::Archival { .. } => {
                vec![Purpose::DocumentSigning, Purpose::Timestamping]
            }
            AnchorRole::TimestampOnly => vec![Purpose::Timestamping],
        }
    }

    /// A short description, as `kyso trust list` shows it.
    pub fn describe(&self) -> String {
        match self {
            AnchorRole::Signer => "signer anchor".into(),
            AnchorRole::TimestampOnly => "timestamping only".into(),
            AnchorRole::Archival { until } => {
                format!("archival: signatures proven before {}", until.date())
            }
        }
    }
}

/// One pinned anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pin {
    /// SHA-256 of the certificate's DER encoding, lower-case hexadecimal.
    pub sha256: &'static str,
    /// The subject's common name.
    pub subject: &'static str,
    /// Who operates it.
    pub operator: &'static str,
    /// What it may anchor.
    pub role: AnchorRole,
    /// How many independent public repositories held the byte-identical certificate when the
    /// pin was taken.
    pub copies: u8,
    /// How the pin was confirmed, in words.
    pub confirmation: &'static str,
    /// Where the operator publishes the certificate, for [`fetch`]. Empty for every pin so
    /// far: no file URL on the official sites has been confirmed (see the module docs).
    pub urls: &'static [&'static str],
}

/// A built-in trust profile: a name and its pins.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Profile {
    /// The name `--trust-profile` takes (`vn-gov`, ...).
    pub name: &'static str,
    /// Which signatures it is for.
    pub description: &'static str,
    /// The anchors.
    pub pins: &'static [Pin],
}

const NEAC: &str = "NEAC (National Electronic Authentication Centre, rootca.gov.vn)";
const VGCA: &str = "Government Cipher Committee (Ban Cơ yếu Chính phủ, ca.gov.vn)";

const VGCA_ROOT_G2: Pin = Pin {
    sha256: "f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8",
    subject: "RootCA chuyên dùng Chính phủ G2",
    operator: VGCA,
    role: AnchorRole::Signer,
    copies: 1,
    confirmation: "1 public copy (single source); self-signature verified; not yet compared with the official site",
    urls: &[],
};

const NEAC_G2: Pin = Pin {
    sha256: "bac8bf609ab420a8ee1780d74f4de5c7f7184959d2a7375b0a75e4c29f0908e7",
    subject: "Vietnam National Root CA",
    operator: NEAC,
    role: AnchorRole::Signer,
    copies: 3,
    confirmation: "3 independent public copies agree; self-signature verified; not yet compared with the official site",
    urls: &[],
};

const NEAC_G3: Pin = Pin {
    sha256: "7b3269e7d79aebbfae5095f45bbb7074771e690cb7df02b441062b12f7690ece",
    subject: "Vietnam National Root CA G3",
    operator: NEAC,
    role: AnchorRole::Signer,
    copies: 2,
    confirmation: "2 independent public copies agree; self-signature verified; not yet compared with the official site",
    urls: &[],
};

const NEAC_RS: Pin = Pin {
    sha256: "12afeba2545f6fc0f31ec130f31bf2d16184a2b5b7cebcb43cfd1ba35dd4ea46",
    subject: "VIETNAM NATIONAL ROOT CA - RS",
    operator: NEAC,
    role: AnchorRole::Signer,
    copies: 1,
    confirmation: "1 public copy (single source); self-signature verified; not yet compared with the official site",
    urls: &[],
};

const NEAC_USBTOKEN: Pin = Pin {
    sha256: "41803135f13a6359866e7e6f76dafd598d496836944a52dd1fad66b3bf2ee63b",
    subject: "VIETNAM NATIONAL ROOT CA - USBTOKEN",
    operator: NEAC,
    role: AnchorRole::Signer,
    copies: 1,
    confirmation: "1 public copy (single source); self-signature verified; not yet compared with the official site",
    urls: &[],
};

const NEAC_MOBILEPKI: Pin = Pin {
    sha256: "c75535d65c0ff7480a3d6f393d56da5f7c92ddcc071f4e9166c3f8d660ef836c",
    subject: "VIETNAM NATIONAL ROOT CA - MOBILEPKI",
    operator: NEAC,
    role: AnchorRole::Signer,
    copies: 1,
    confirmation: "1 public copy (single source); self-signature verified; not yet compared with the official site",
    urls: &[],
};

const NEAC_EMA: Pin = Pin {
    sha256: "0d765aedfe7b12c7d11c7b5737507f24db22f8afe24be140eb5801cb0853a8f9",
    subject: "VIETNAM NATIONAL ROOT CA - EMA",
    operator: NEAC,
    role: AnchorRole::Signer,
    copies: 1,
    confirmation: "1 public copy (single source); self-signature verified; its use is not documented in the material; not yet compared with the official site",
    urls: &[],
};

const NEAC_MIC_2008: Pin = Pin {
    sha256: "ca918d635bb130bec97639e6aabf7edbc4eb1310f8058b9419f467ae0230ad8c",
    subject: "MIC National Root CA",
    operator: NEAC,
    role: AnchorRole::Archival {
        until: datetime!(2014-04-15 16:29:20 UTC),
    },
    copies: 2,
    confirmation: "2 independent public copies agree; self-signature verified (SHA-1, RSA-2048); not yet compared with the official site",
    urls: &[],
};

const NEAC_TSA: Pin = Pin {
    sha256: "d343b3c5132f7d1676c3560025aefef036fceec073c33f18e075b3a21c8f8552",
    subject: "VIETNAM NATIONAL ROOT CA - TSA",
    operator: NEAC,
    role: AnchorRole::TimestampOnly,
    copies: 2,
    confirmation: "2 independent public copies agree; self-signature verified; not yet compared with the official site",
    urls: &[],
};

const PROFILES: &[Profile] = &[
    Profile {
        name: "vn-gov",
        description: "officials' signatures: the Government Cipher Committee's specialised PKI",
        pins: &[VGCA_ROOT_G2],
    },
    Profile {
        name: "vn-public",
        description: "citizens' and businesses' signatures: licensed public CAs under the NEAC national roots",
        pins: &[
            NEAC_G2,
            NEAC_G3,
            NEAC_RS,
            NEAC_USBTOKEN,
            NEAC_MOBILEPKI,
            NEAC_EMA,
            NEAC_MIC_2008,
        ],
    },
    Profile {
        name: "vn-tsa",
        description: "timestamp tokens only: the NEAC timestamping root",
        pins: &[NEAC_TSA],
    },
    Profile {
        name: "vn-all",
        description: "every Vietnamese national anchor: vn-gov, vn-public and vn-tsa",
        pins: &[
            VGCA_ROOT_G2,
            NEAC_G2,
            NEAC_G3,
            NEAC_RS,
            NEAC_USBTOKEN,
            NEAC_MOBILEPKI,
            NEAC_EMA,
            NEAC_MIC_2008,
            NEAC_TSA,
        ],
    },
];

/// Every built-in profile.
pub fn profiles() -> &'static [Profile] {
    PROFILES
}

/// The built-in profile with this exact name.
pub fn profile(name: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.name == name)
}

impl Profile {
    /// The pin with this fingerprint (hexadecimal, either case).
    pub fn pin(&self, sha256_hex: &str) -> Option<&'static Pin> {
        self.pins
            .iter()
            .find(|p| p.sha256.eq_ignore_ascii_case(sha256_hex))
    }
}

/// The SHA-256 fingerprint of a DER certificate, lower-case hexadecimal.
pub fn fingerprint(der: &[u8]) -> String {
    crate::asn1::hex::encode(ring::digest::digest(&ring::digest::SHA256, der).as_ref())
}

/// Why a profile could not be installed or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustProfileError {
    /// No built-in profile has this name.
    #[error("unknown trust profile {0:?} (built-in: vn-gov, vn-public, vn-tsa, vn-all)")]
    Unknown(String),
    /// Nothing of the profile is installed in the store.
    #[error(
        "trust profile {profile}: no anchor installed in {} — run `kyso trust install {profile} \
         --from DIR` with the certificates downloaded from the official site (chưa cài chứng \
         thư gốc nào của {profile}: hãy chạy `kyso trust install {profile} --from THƯ_MỤC`)",
        store.display()
    )]
    NotInstalled {
        /// The profile.
        profile: String,
        /// The store directory read.
        store: PathBuf,
    },
    /// There is no default store directory (no home or configuration directory is known).
    #[error("no configuration directory is known (set HOME or XDG_CONFIG_HOME, or name a store)")]
    NoStore,
    /// `fetch` was given no URL and the profile records none.
    #[error(
        "profile {profile} records no publication URL yet; download the certificates from the \
         official site (rootca.gov.vn, ca.gov.vn) and name them with --url, or use \
         `kyso trust install {profile} --from DIR` (hồ sơ {profile} chưa có địa chỉ công bố: \
         hãy chỉ rõ địa chỉ tệp bằng --url hoặc dùng `kyso trust install`)"
    )]
    NoPublicationUrl {
        /// The profile.
        profile: String,
    },
}

/// The default store directory, by platform convention: `$XDG_CONFIG_HOME/kyso/trust` or
/// `~/.config/kyso/trust` (Linux and other Unix), `~/Library/Application Support/kyso/trust`
/// (macOS), `%APPDATA%\kyso\trust` (Windows). `None` when the environment names no home.
pub fn default_store_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        env("APPDATA")?
    } else if cfg!(target_os = "macos") {
        env("HOME")?.join("Library").join("Application Support")
    } else {
        match env("XDG_CONFIG_HOME").filter(|p| p.is_absolute()) {
            Some(p) => p,
            None => env("HOME")?.join(".config"),
        }
    };
    Some(base.join("kyso").join("trust"))
}

/// The store file of a pin: `<fingerprint>.der` in the store directory.
fn store_file(store_dir: &Path, pin: &Pin) -> PathBuf {
    store_dir.join(format!("{}.der", pin.sha256))
}

/// A pinned certificate found by [`install`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Found {
    /// The pin it matches.
    pub pin: &'static Pin,
    /// The file it was read from.
    pub from: PathBuf,
    /// False when the store already held it.
    pub newly_installed: bool,
}

/// A certificate file [`install`] did not accept.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rejected {
    /// The file.
    pub file: PathBuf,
    /// Why, for the clerk.
    pub reason: String,
}

/// What [`install`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstallReport {
    /// The profile.
    pub profile: &'static str,
    /// The store directory written.
    pub store: PathBuf,
    /// The pinned certificates found (each pin at most once).
    pub found: Vec<Found>,
    /// The pins no file matched (and not already in the store).
    pub missing: Vec<&'static Pin>,
    /// The files not accepted, with the reason.
    pub rejected: Vec<Rejected>,
}

/// Reads every certificate file (`.pem`, `.crt`, `.cer`, `.der`, in name order) of `from_dir`
/// and copies into `store_dir` exactly the certificates whose SHA-256 matches a pin of
/// `profile`, as `<fingerprint>.der`, by the crate's write rule ([`crate::output`]). Files
/// holding no pinned certificate are reported as rejected with the reason; pins no file
/// matched are reported missing (unless the store already holds them). The store directory
/// is created when missing.
pub fn install(
    profile: &'static Profile,
    from_dir: &Path,
    store_dir: &Path,
) -> Result<InstallReport, Error> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(from_dir).map_err(|e| Error::io(from_dir, e))? {
        let path = entry.map_err(|e| Error::io(from_dir, e))?.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if path.is_file() && matches!(ext.as_deref(), Some("pem" | "crt" | "cer" | "der")) {
            files.push(path);
        }
        if files.len() >= MAX_DIR_FILES {
            break;
        }
    }
    files.sort();
    let items = files
        .into_iter()
        .map(|file| {
            let bytes = read_limited(&file, MAX_FILE_BYTES).map_err(|e| format!("not read: {e}"));
            (file, bytes)
        })
        .collect();
    install_items(profile, items, store_dir)
}

/// Most URLs one [`fetch`] asks.
const MAX_URLS: usize = 64;
/// Most seconds one download of [`fetch`] may take.
const FETCH_SECONDS: u64 = 30;

/// Downloads each of `urls` with `fetcher` (which applies its own network policy) and
/// installs, as [`install`] does, exactly the certificates whose SHA-256 matches a pin of
/// `profile`. A URL that cannot be fetched, or whose answer holds no pinned certificate, is
/// reported as rejected with the reason (the URL stands in [`Rejected::file`] and
/// [`Found::from`]); each answer is limited to 1 MiB and 30 seconds. `urls` empty means the
/// publication URLs recorded in the profile's pins ([`Pin::urls`]; none is recorded yet, see
/// the module docs), and with none either, [`TrustProfileError::NoPublicationUrl`].
pub fn fetch(
    profile: &'static Profile,
    urls: &[String],
    fetcher: &dyn crate::pki::Fetcher,
    store_dir: &Path,
) -> Result<InstallReport, Error> {
    let mut list: Vec<String> = urls.to_vec();
    if list.is_empty() {
        for pin in profile.pins {
            list.extend(pin.urls.iter().map(|u| u.to_string()));
        }
    }
    if list.is_empty() {
        return Err(TrustProfileError::NoPublicationUrl {
            profile: profile.name.to_string(),
        }
        .into());
    }
    list.truncate(MAX_URLS);
    let items = list
        .into_iter()
        .map(|url| {
            let limits = crate::pki::FetchLimits::new(
                Some(std::time::Instant::now() + std::time::Duration::from_secs(FETCH_SECONDS)),
                Some(MAX_FILE_BYTES),
            );
            let bytes = fetcher
                .get_within(&url, limits)
                .map_err(|e| format!("not fetched: {e}"));
            (PathBuf::from(url), bytes)
        })
        .collect();
    install_items(profile, items, store_dir)
}

/// Installs the pinned certificates among `items` (a file name or URL, and its bytes or why
/// they could not be read) into `store_dir`.
fn install_items(
    profile: &'static Profile,
    items: Vec<(PathBuf, Result<Vec<u8>, String>)>,
    store_dir: &Path,
) -> Result<InstallReport, Error> {
    std::fs::create_dir_all(store_dir).map_err(|e| Error::io(store_dir, e))?;
    let mut report = InstallReport {
        profile: profile.name,
        store: store_dir.to_path_buf(),
        found: Vec::new(),
        missing: Vec::new(),
        rejected: Vec::new(),
    };
    for (file, bytes) in items {
        let bytes = match bytes {
            Ok(b) => b,
            Err(reason) => {
                report.rejected.push(Rejected { file, reason });
                continue;
            }
        };
        let ders = match certificates_from_pem_or_der(&bytes) {
            Ok(d) => d,
            Err(e) => {
                report.rejected.push(Rejected {
                    file,
                    reason: format!("not a certificate file: {e}"),
                });
                continue;
            }
        };
        let mut matched = false;
        let mut unmatched = Vec::new();
        for der in ders {
            if let Err(e) = Certificate::from_der(&der) {
                unmatched.push(format!("not a certificate: {e}"));
                continue;
            }
            let fp = fingerprint(&der);
            let Some(pin) = profile.pin(&fp) else {
                unmatched.push(format!(
                    "SHA-256 {fp} matches no pin of profile {}",
                    profile.name
                ));
                continue;
            };
            matched = true;
            if report.found.iter().any(|f| f.pin.sha256 == pin.sha256) {
                continue;
            }
            let target = store_file(store_dir, pin);
            let already =
                read_limited(&target, MAX_FILE_BYTES).is_ok_and(|b| fingerprint(&b) == pin.sha256);
            if !already {
                crate::output::write_bytes(
                    Target::new(&target).overwrite(Overwrite::Replace),
                    &[file.as_path()],
                    &der,
                )?;
            }
            report.found.push(Found {
                pin,
                from: file.clone(),
                newly_installed: !already,
            });
        }
        if !matched {
            report.rejected.push(Rejected {
                file,
                reason: unmatched.join("; "),
            });
        }
    }
    for pin in profile.pins {
        let found = report.found.iter().any(|f| f.pin.sha256 == pin.sha256);
        if !found && installed_der(store_dir, pin).is_none() {
            report.missing.push(pin);
        }
    }
    Ok(report)
}

/// The DER of a pin's store file, when present and still matching the pin.
fn installed_der(store_dir: &Path, pin: &Pin) -> Option<Vec<u8>> {
    let bytes = read_limited(&store_file(store_dir, pin), MAX_FILE_BYTES).ok()?;
    (fingerprint(&bytes) == pin.sha256).then_some(bytes)
}

/// The pins of `profile` installed in `store_dir` (present and matching their pin), and
/// those it lacks.
pub fn installed(
    profile: &'static Profile,
    store_dir: &Path,
) -> (Vec<&'static Pin>, Vec<&'static Pin>) {
    profile
        .pins
        .iter()
        .partition(|pin| installed_der(store_dir, pin).is_some())
}

/// Adds to `trust` the anchors of `profile` installed in `store_dir`: only store files that
/// still match their pin, each limited to the purposes of its [`AnchorRole`] and tagged with
/// the profile's name. Returns how many were added; a profile with nothing installed is
/// [`TrustProfileError::NotInstalled`].
///
/// An [`AnchorRole::Archival`] anchor is loaded with its cut-off
/// ([`TrustAnchor::archival_until`]): the path validator lets it end a path only for a
/// signature whose existence a timestamp proves before the cut-off (`chain.anchor_archival`
/// otherwise).
pub fn add_installed(
    trust: &mut TrustStore,
    profile: &'static Profile,
    store_dir: &Path,
) -> Result<usize, Error> {
    let mut added = 0;
    for pin in profile.pins {
        let Some(der) = installed_der(store_dir, pin) else {
            continue;
        };
        let certificate = Certificate::from_der(&der).map_err(|e| Error::Certificate {
            what: store_file(store_dir, pin).display().to_string(),
            source: e,
        })?;
        let mut anchor = TrustAnchor::new(certificate)
            .with_purposes(pin.role.purposes())
            .with_profile(profile.name);
        if let AnchorRole::Archival { until } = pin.role {
            anchor = anchor.with_archival_until(until);
        }
        trust.add_anchor(anchor)?;
        added += 1;
    }
    if added == 0 {
        return Err(TrustProfileError::NotInstalled {
            profile: profile.name.to_string(),
            store: store_dir.to_path_buf(),
        }
        .into());
    }
    trust.note_profile(profile.name);
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOT_OFFICIAL: &str = "not yet compared with the official site";

    #[test]
    fn every_pin_is_a_sha256_and_every_profile_is_in_vn_all() {
        let all = profile("vn-all").unwrap();
        for p in profiles() {
            for pin in p.pins {
                assert_eq!(pin.sha256.len(), 64, "{}", pin.subject);
                assert!(crate::asn1::hex::decode(pin.sha256).is_some());
                assert!(pin.confirmation.contains(NOT_OFFICIAL), "{}", pin.subject);
                assert!(
                    all.pin(pin.sha256).is_some(),
                    "{} not in vn-all",
                    pin.subject
                );
            }
        }
        // The TSA root anchors timestamps only; vn-public's signer roots do not include it.
        let tsa = profile("vn-tsa").unwrap();
        assert_eq!(tsa.pins[0].role.purposes(), vec![Purpose::Timestamping]);
        assert!(profile("vn-public")
            .unwrap()
            .pin(tsa.pins[0].sha256)
            .is_none());
        assert!(profile("nope").is_none());
    }

    /// A profile's TSA-only anchor ends timestamp paths only: a document signer's path to it
    /// is refused with `chain.anchor_purpose` (the anchor's purposes, enforced by the path
    /// validator's purpose check); the same root as a signer anchor accepts the path.
    #[cfg(feature = "demo")]
    #[test]
    fn a_timestamp_only_anchor_refuses_a_document_signers_path() {
        use crate::pki::{
            PathValidator, RevocationData, RevocationMode, RevocationPolicy, ValidationPolicy,
            ValidationTime,
        };
        use crate::report::Code;
        let now = OffsetDateTime::now_utc();
        let pki = crate::demo::DemoPki::generate(now).unwrap();
        let target = Certificate::from_der(&pki.officials[0].cert_der).unwrap();
        let ca = Certificate::from_der(&pki.issuing_ca.cert_der).unwrap();
        let mut policy = ValidationPolicy::document_signing();
        policy.revocation = RevocationPolicy::all(RevocationMode::Off);
        let outcome = |role: AnchorRole| {
            let mut trust = TrustStore::empty();
            trust
                .add_anchor(
                    TrustAnchor::new(Certificate::from_der(&pki.root.cert_der).unwrap())
                        .with_purposes(role.purposes())
                        .with_profile("vn-tsa"),
                )
                .unwrap();
            PathValidator::new(&trust, &policy).validate(
                &target,
                std::slice::from_ref(&ca),
                &RevocationData::new(),
                ValidationTime::at(now),
            )
        };
        let refused = outcome(AnchorRole::TimestampOnly);
        assert!(
            refused
                .findings
                .iter()
                .any(|f| f.code == Code::ChainAnchorPurpose),
            "{:?}",
            refused.findings
        );
        assert_ne!(refused.status, crate::report::ChainStatus::Trusted);
        let accepted = outcome(AnchorRole::Signer);
        assert_eq!(
            accepted.status,
            crate::report::ChainStatus::Trusted,
            "{:?}",
            accepted.findings
        );
    }

    /// An archival anchor (the 2008 SHA-1 root's role) proves only signatures whose existence
    /// a timestamp proves before its cut-off: a new signature (no proven time, the validation
    /// time alone being a claim) and one proven after the cut-off are refused with
    /// `chain.anchor_archival`; one proven before it is trusted, and the report names the role.
    #[cfg(feature = "demo")]
    #[test]
    fn an_archival_anchor_proves_only_signatures_proven_before_its_cut_off() {
        use crate::pki::{
            PathValidator, RevocationData, RevocationMode, RevocationPolicy, ValidationPolicy,
            ValidationTime,
        };
        use crate::report::{ChainStatus, Code};
        let now = OffsetDateTime::now_utc();
        let pki = crate::demo::DemoPki::generate(now).unwrap();
        let target = Certificate::from_der(&pki.officials[0].cert_der).unwrap();
        let ca = Certificate::from_der(&pki.issuing_ca.cert_der).unwrap();
        let mut policy = ValidationPolicy::document_signing();
        policy.revocation = RevocationPolicy::all(RevocationMode::Off);
        let until = now + time::Duration::days(1);
        let role = AnchorRole::Archival { until };
        let mut trust = TrustStore::empty();
        trust
            .add_anchor(
                TrustAnchor::new(Certificate::from_der(&pki.root.cert_der).unwrap())
                    .with_purposes(role.purposes())
                    .with_profile("vn-public")
                    .with_archival_until(until),
            )
            .unwrap();
        let validate = |time: ValidationTime| {
            PathValidator::new(&trust, &policy).validate(
                &target,
                std::slice::from_ref(&ca),
                &RevocationData::new(),
                time,
            )
        };
        let refused_codes = |o: &crate::pki::PathOutcome| {
            o.findings
                .iter()
                .any(|f| f.code == Code::ChainAnchorArchival)
        };
        // No proof of existence: a validation time before the cut-off is not enough.
        let unproven = validate(ValidationTime::at(now));
        assert!(refused_codes(&unproven), "{:?}", unproven.findings);
        assert_ne!(unproven.status, ChainStatus::Trusted);
        // Proven before the cut-off.
        let proven = validate(ValidationTime::at(now).with_proven_signing_time(now));
        assert_eq!(proven.status, ChainStatus::Trusted, "{:?}", proven.findings);
        let anchor = proven.path.last().and_then(|c| trust.find_exact(c.der()));
        assert_eq!(anchor.map(TrustAnchor::role), Some("archival"));
        // Proven, but after the cut-off.
        let late = until + time::Duration::minutes(1);
        let after = validate(ValidationTime::at(now).with_proven_signing_time(late));
        assert!(refused_codes(&after), "{:?}", after.findings);
        assert_ne!(after.status, ChainStatus::Trusted);
    }
}
