//! Sealing a dossier: hash every file (streamed), write the manifest, sign it.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use super::build_cades_detached;
use crate::crypto::digest;
use crate::output::{Output, Overwrite, Target};
use crate::signer::Signer;
use crate::util::hex;
use crate::Error;

use super::error::DossierError;
use super::manifest::{
    check_relative_path, nfc, Manifest, ManifestEntry, Role, MANIFEST_FILE, MANIFEST_SIGNATURE_FILE,
};
use super::walk::{complete, list, DossierBudget};
use crate::attachments::hash::digest_file;

/// How to seal.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SealOptions {
    /// Roles for given relative paths. Other files are attachments, except `.p7s` and
    /// `.p7m` files, which are signatures.
    pub roles: BTreeMap<String, Role>,
    /// The dossier's identifier, written into the manifest.
    pub dossier_id: Option<String>,
    /// Whether an existing manifest and signature may be replaced (default: refused).
    pub overwrite: Overwrite,
    /// The manifest's creation time and the signing time (default: now).
    pub signing_time: Option<OffsetDateTime>,
    /// Limits on the directory walk.
    pub budget: DossierBudget,
    /// Sign even with a certificate that is expired or not yet valid at the signing time,
    /// or whose key usage forbids signing: the seal will not verify (for test files only;
    /// see [`crate::sign::check_signer`]). Default `false`: refused before anything is
    /// written.
    pub allow_invalid_certificate: bool,
}

impl SealOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Gives the file at relative path `path` the role `role`.
    pub fn role(mut self, path: impl Into<String>, role: Role) -> Self {
        self.roles.insert(path.into(), role);
        self
    }
}

/// What sealing wrote.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Sealed {
    /// The manifest file.
    pub manifest: PathBuf,
    /// Its signature.
    pub signature: PathBuf,
    /// The manifest written.
    pub contents: Manifest,
}

/// Seals the dossier in `dir`: lists every file (symbolic links and other special files are
/// refused), hashes each in one streamed pass, writes [`MANIFEST_FILE`] and its detached
/// CAdES signature [`MANIFEST_SIGNATURE_FILE`]. Both are computed before either is written;
/// each is written by kyso's write rule ([`crate::output`]): existing ones are replaced only
/// with [`SealOptions::overwrite`], and a symbolic link in their place is refused.
pub fn seal_dossier(dir: &Path, signer: &dyn Signer, opts: &SealOptions) -> Result<Sealed, Error> {
    let manifest_path = dir.join(MANIFEST_FILE);
    let signature_path = dir.join(MANIFEST_SIGNATURE_FILE);
    // Both checked before anything is hashed or written.
    let manifest_out = Output::check(Target::new(&manifest_path).overwrite(opts.overwrite), &[])?;
    let signature_out = Output::check(Target::new(&signature_path).overwrite(opts.overwrite), &[])?;
    let time = opts.signing_time.unwrap_or_else(OffsetDateTime::now_utc);
    crate::sign::check::refuse_unfit(
        &crate::signer::SignerIdentity::of(signer),
        time,
        opts.allow_invalid_certificate,
    )?;
    let listing = list(dir, &opts.budget)?;
    complete(&listing)?;

    // Names are written, and compared, in Unicode NFC.
    let roles: BTreeMap<String, Role> = opts
        .roles
        .iter()
        .map(|(p, r)| (nfc(p).into_owned(), *r))
        .collect();
    let mut entries = Vec::new();
    let mut names = HashSet::new();
    for found in &listing.entries {
        let rel = found.rel.clone().map_err(|_| DossierError::BadPath {
            path: found.path.clone(),
            reason: "the file name is not valid UTF-8",
        })?;
        let rel = nfc(&rel).into_owned();
        if !names.insert(rel.clone()) {
            return Err(DossierError::BadPath {
                path: found.path.clone(),
                reason: "another file of the dossier has the same name once normalised \
                         (Unicode NFC); rename one of them",
            }
            .into());
        }
        if rel == MANIFEST_FILE || rel == MANIFEST_SIGNATURE_FILE {
            continue;
        }
        if !found.regular {
            return Err(DossierError::BadPath {
                path: found.path.clone(),
                reason: "not a regular file (symbolic links and special files are not sealed)",
            }
            .into());
        }
        check_relative_path(&rel).map_err(|reason| DossierError::BadPath {
            path: found.path.clone(),
            reason,
        })?;
        let digests = digest_file(&found.path, &[])?;
        let role = roles.get(&rel).copied().unwrap_or_else(|| {
            let lower = rel.to_ascii_lowercase();
            if lower.ends_with(".p7s") || lower.ends_with(".p7m") {
                Role::Signature
            } else {
                Role::Attachment
            }
        });
        entries.push(ManifestEntry {
            path: rel,
            role,
            size: digests.size,
            sha256: hex(&digests.sha256),
        });
    }
    for path in roles.keys() {
        if !names.contains(path) {
            return Err(DossierError::BadPath {
                path: dir.join(path),
                reason: "given a role, but not a file of the dossier",
            }
            .into());
        }
    }

    let manifest = Manifest::new(time, opts.dossier_id.clone(), entries);
    let bytes = manifest.to_json_bytes().map_err(DossierError::from)?;
    let cms = build_cades_detached(signer, &digest(signer.algorithm().digest(), &bytes), time)?;
    manifest_out.write_bytes(&bytes)?;
    signature_out.write_bytes(&cms)?;
    Ok(Sealed {
        manifest: manifest_path,
        signature: signature_path,
        contents: manifest,
    })
}
