//! The signing agent's pairing token: a secret shared between the agent and the web
//! application it serves, sent in the `X-Kyso-Token` header of every request. Generated on
//! first run (32 random bytes, hex) into a file only its owner may read, or given as a file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::errors::ServeError;

/// Shortest token accepted from a file (characters).
const MIN_LEN: usize = 32;
/// Largest token file read.
const MAX_FILE: u64 = 4096;

/// A pairing token. Its `Debug` does not show it.
#[derive(Clone)]
pub struct PairingToken(String);

impl std::fmt::Debug for PairingToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PairingToken(…)")
    }
}

impl PairingToken {
    /// A token from its text (at least 32 characters of printable ASCII).
    pub fn new(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if t.len() < MIN_LEN {
            return Err(format!("a pairing token has at least {MIN_LEN} characters"));
        }
        if !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("a pairing token is printable ASCII without spaces".into());
        }
        Ok(PairingToken(t.to_owned()))
    }

    /// The token's text, to give to the web application once.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// Compares in time independent of where `candidate` first differs.
    pub(crate) fn matches(&self, candidate: &[u8]) -> bool {
        let mine = self.0.as_bytes();
        if mine.len() != candidate.len() {
            return false;
        }
        mine.iter()
            .zip(candidate)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

/// Where the token lives by default: `$XDG_CONFIG_HOME/kyso/agent-token`, else
/// `$HOME/.config/kyso/agent-token` (`%APPDATA%\kyso\agent-token` on Windows).
pub fn default_token_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .or_else(|| std::env::var_os("APPDATA").map(PathBuf::from))?;
    Some(base.join("kyso").join("agent-token"))
}

fn token_error(path: &Path, problem: impl Into<String>) -> ServeError {
    ServeError::Token {
        path: path.to_owned(),
        problem: problem.into(),
    }
}

/// Reads the token at `path`, or, when there is no file, generates one and writes it there
/// (directory 0700, file 0600 on Unix). Returns the token and whether it was just made. A
/// file that others may read (group or world permission bits on Unix) is refused.
pub fn load_or_create_token(path: &Path) -> Result<(PairingToken, bool), ServeError> {
    match std::fs::metadata(path) {
        Ok(meta) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                let mode = meta.permissions().mode();
                if mode & 0o077 != 0 {
                    return Err(token_error(
                        path,
                        format!(
                            "others may read it (mode {:o}); run chmod 600 on it",
                            mode & 0o777
                        ),
                    ));
                }
            }
            if meta.len() > MAX_FILE {
                return Err(token_error(path, "larger than a token file can be"));
            }
            let text =
                std::fs::read_to_string(path).map_err(|e| token_error(path, e.to_string()))?;
            let token = PairingToken::new(&text).map_err(|e| token_error(path, e))?;
            Ok((token, false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let token = generate().map_err(|e| token_error(path, e))?;
            if let Some(dir) = path.parent() {
                create_private_dir(dir).map_err(|e| token_error(path, e.to_string()))?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt as _;
                options.mode(0o600);
            }
            let mut f = options
                .open(path)
                .map_err(|e| token_error(path, e.to_string()))?;
            f.write_all(format!("{}\n", token.0).as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(|e| token_error(path, e.to_string()))?;
            Ok((token, true))
        }
        Err(e) => Err(token_error(path, e.to_string())),
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        b.mode(0o700);
    }
    b.create(dir)
}

fn generate() -> Result<PairingToken, String> {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| "the system's random generator failed".to_owned())?;
    PairingToken::new(&crate::asn1::hex::encode(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_private_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cfg").join("agent-token");
        let (a, created) = load_or_create_token(&path).unwrap();
        assert!(created);
        assert_eq!(a.reveal().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (b, created) = load_or_create_token(&path).unwrap();
        assert!(!created);
        assert!(b.matches(a.reveal().as_bytes()));
        assert!(!b.matches(b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
        assert!(!format!("{b:?}").contains(a.reveal()));
    }

    #[cfg(unix)]
    #[test]
    fn a_token_file_others_may_read_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        std::fs::write(&path, "x".repeat(40)).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = load_or_create_token(&path).unwrap_err();
        assert!(e.to_string().contains("chmod 600"), "{e}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(load_or_create_token(&path).is_ok());
        std::fs::write(&path, "short").unwrap();
        assert!(load_or_create_token(&path).is_err());
    }
}
