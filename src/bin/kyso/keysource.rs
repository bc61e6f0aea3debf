//! Where the signing key comes from: PEM/DER files, a PKCS#12 file, or a PKCS#11 token; and
//! how passwords and PINs are read (a file, an environment variable, or a prompt on a
//! terminal — never a command-line argument).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use kyso::crypto::{load_certificates, PrivateKey};
use kyso::sign::{check_signer, UnfitCertificate};
use kyso::signer::{
    Pkcs12Error, Pkcs12Identity, Pkcs12Options, Signer, SignerError, SignerIdentity, SoftwareSigner,
};
use time::OffsetDateTime;

use crate::output::Failure;

/// The key source options shared by the signing modes.
#[derive(clap::Args, Debug)]
pub struct KeySourceArgs {
    /// Private key: PKCS#8, PKCS#1 RSA or SEC1 EC, PEM or DER (with --cert).
    #[arg(long, help_heading = "Key in files")]
    key: Option<PathBuf>,
    /// Signer's certificate, PEM or DER (with --key; with --prepare alone; with --p12 to
    /// choose that certificate's key, refused when the file has none that matches it; or to
    /// override a token's certificate).
    #[arg(long, help_heading = "Key in files")]
    cert: Option<PathBuf>,
    /// Intermediate certificates to embed (PEM, several allowed in one file); with --p12 or a
    /// token, added to their chain.
    #[arg(long, help_heading = "Key in files")]
    chain: Option<PathBuf>,
    /// PKCS#12 file (.p12/.pfx) holding the key, certificate and chain.
    #[arg(long, help_heading = "PKCS#12")]
    p12: Option<PathBuf>,
    /// File whose first line is the PKCS#12 password.
    #[arg(long, help_heading = "PKCS#12", conflicts_with = "password_env")]
    password_file: Option<PathBuf>,
    /// Environment variable holding the PKCS#12 password.
    #[arg(long, help_heading = "PKCS#12")]
    password_env: Option<String>,
    /// PKCS#11 module (the token driver's shared library, e.g. libsofthsm2.so).
    #[arg(long, help_heading = "PKCS#11 token")]
    pkcs11_module: Option<PathBuf>,
    /// Token label.
    #[arg(long, help_heading = "PKCS#11 token", conflicts_with = "slot")]
    token: Option<String>,
    /// Slot id (instead of --token).
    #[arg(long, help_heading = "PKCS#11 token")]
    slot: Option<u64>,
    /// Private key label (CKA_LABEL).
    #[arg(long, help_heading = "PKCS#11 token", conflicts_with = "key_id")]
    key_label: Option<String>,
    /// Private key id (CKA_ID), hex.
    #[arg(long, help_heading = "PKCS#11 token")]
    key_id: Option<String>,
    /// File whose first line is the user PIN.
    #[arg(long, help_heading = "PKCS#11 token", conflicts_with = "pin_env")]
    pin_file: Option<PathBuf>,
    /// Environment variable holding the user PIN.
    #[arg(long, help_heading = "PKCS#11 token")]
    pin_env: Option<String>,
    /// Sign even with a certificate that is expired or not yet valid at the signing time, or
    /// whose key usage forbids signing. The result will NOT verify: for test files only.
    #[arg(long)]
    allow_invalid_certificate: bool,
}

impl KeySourceArgs {
    /// Whether --allow-invalid-certificate was given.
    pub fn allow_invalid_certificate(&self) -> bool {
        self.allow_invalid_certificate
    }

    /// After signing: warns on stderr about what verifiers will lack (the issuer's
    /// certificate), and, when --allow-invalid-certificate let an unfit certificate sign,
    /// that the result will not verify.
    pub fn warn_after_signing(
        &self,
        signer: &SignerIdentity,
        signing_time: Option<OffsetDateTime>,
    ) {
        let check = check_signer(signer, signing_time.unwrap_or_else(OffsetDateTime::now_utc));
        for problem in &check.problems {
            let when = match problem {
                UnfitCertificate::NotYetValid { .. } => " at the time it claims",
                _ => "",
            };
            eprintln!(
                "kyso: warning: {problem}; signed anyway (--allow-invalid-certificate): the \
                 result will NOT verify{when}"
            );
        }
        for warning in &check.warnings {
            eprintln!("kyso: warning: {warning}");
        }
    }

    /// Whether any key source was given.
    pub fn any(&self) -> bool {
        self.key.is_some() || self.p12.is_some() || self.pkcs11_module.is_some()
    }

    /// The signer, from exactly one key source.
    pub fn signer(&self) -> Result<Box<dyn Signer>, Failure> {
        let sources = [
            self.key.is_some(),
            self.p12.is_some(),
            self.pkcs11_module.is_some(),
        ]
        .iter()
        .filter(|x| **x)
        .count();
        if sources != 1 {
            return Err(Failure(
                "give exactly one key source: --key with --cert, --p12, or --pkcs11-module".into(),
            ));
        }
        if let Some(key) = &self.key {
            return Ok(Box::new(self.pem_signer(key)?));
        }
        if let Some(p12) = &self.p12 {
            let password = read_secret(
                self.password_file.as_deref(),
                self.password_env.as_deref(),
                &format!("Password for {}: ", p12.display()),
                "password",
                "--password-file FILE or --password-env VAR",
            )?;
            return Ok(Box::new(self.p12_signer(p12, &password)?));
        }
        self.token_signer()
    }

    /// The public side only (for --prepare): from --cert/--chain, or from a key source.
    pub fn identity(&self) -> Result<SignerIdentity, Failure> {
        if !self.any() {
            let cert = self
                .cert
                .as_ref()
                .ok_or_else(|| Failure("--prepare needs --cert (or a key source)".into()))?;
            let (certificate, chain) = self.certificates(cert)?;
            return SignerIdentity::from_certificate(certificate, chain)
                .map_err(|e| Failure::at(cert, e));
        }
        Ok(SignerIdentity::of(self.signer()?.as_ref()))
    }

    /// The certificate file's first certificate, and the rest plus --chain as the chain.
    fn certificates(&self, cert: &Path) -> Result<(Vec<u8>, Vec<Vec<u8>>), Failure> {
        let read = |p: &Path| std::fs::read(p).map_err(|e| Failure::at(p, e));
        let mut certs = load_certificates(&read(cert)?)
            .map_err(|e| Failure::at(cert, e))?
            .into_iter();
        let certificate = certs
            .next()
            .ok_or_else(|| Failure::at(cert, "no certificate found"))?;
        let mut chain: Vec<Vec<u8>> = certs.collect();
        if let Some(path) = &self.chain {
            chain.extend(load_certificates(&read(path)?).map_err(|e| Failure::at(path, e))?);
        }
        Ok((certificate, chain))
    }

    /// A PKCS#12 file: --cert chooses the key (the file's own certificate otherwise),
    /// --chain adds to the file's chain. Warnings about the file go to standard error.
    fn p12_signer(&self, p12: &Path, password: &str) -> Result<SoftwareSigner, Failure> {
        let mut opts = Pkcs12Options::new();
        if let Some(cert) = &self.cert {
            let (certificate, chain) = self.certificates(cert)?;
            opts = opts.certificate(certificate).extra_chain(chain);
        } else if let Some(path) = &self.chain {
            let bytes = std::fs::read(path).map_err(|e| Failure::at(path, e))?;
            opts = opts.extra_chain(load_certificates(&bytes).map_err(|e| Failure::at(path, e))?);
        }
        let identity = match Pkcs12Identity::from_file_with(p12, password, &opts) {
            Ok(identity) => identity,
            Err(SignerError::Pkcs12(Pkcs12Error::CertificateNotInFile { subject, keys })) => {
                let cert = self.cert.as_deref().unwrap_or(p12);
                return Err(Failure(format!(
                    "{}: this certificate ({subject}) belongs to none of the {keys} private \
                     key(s) in {}; give the certificate of a key in the file, or leave out \
                     --cert",
                    cert.display(),
                    p12.display()
                )));
            }
            Err(SignerError::Pkcs12(Pkcs12Error::SeveralKeys { count })) => {
                return Err(Failure(format!(
                    "{}: the file holds {count} private keys; choose one with --cert \
                     (the signer's certificate)",
                    p12.display()
                )));
            }
            Err(e) => return Err(Failure::at(p12, e)),
        };
        for w in &identity.warnings {
            eprintln!("kyso: warning: {}: {w}", p12.display());
        }
        SoftwareSigner::from_pkcs12_identity(identity).map_err(|e| Failure::at(p12, e))
    }

    /// Key and certificate files.
    fn pem_signer(&self, key: &Path) -> Result<SoftwareSigner, Failure> {
        let cert = self
            .cert
            .as_ref()
            .ok_or_else(|| Failure("--key needs --cert".into()))?;
        let bytes = std::fs::read(key).map_err(|e| Failure::at(key, e))?;
        let private_key = PrivateKey::from_pem_or_der(&bytes).map_err(|e| Failure::at(key, e))?;
        let (certificate, chain) = self.certificates(cert)?;
        SoftwareSigner::new(private_key, certificate, chain)
            .map_err(|e| Failure::at(key, format_args!("{e} (certificate {})", cert.display())))
    }

    #[cfg(feature = "pkcs11")]
    fn token_signer(&self) -> Result<Box<dyn Signer>, Failure> {
        use kyso::signer::pkcs11::{KeySelector, Pkcs11Config, Pkcs11Signer, TokenSelector};
        let module = self
            .pkcs11_module
            .as_ref()
            .ok_or_else(|| Failure("no key source".into()))?;
        let token = match (&self.token, self.slot) {
            (Some(label), None) => TokenSelector::Label(label.clone()),
            (None, Some(slot)) => TokenSelector::Slot(slot),
            _ => {
                return Err(Failure(
                    "--pkcs11-module needs --token LABEL or --slot N".into(),
                ))
            }
        };
        let key = match (&self.key_label, &self.key_id) {
            (Some(label), None) => KeySelector::Label(label.clone()),
            (None, Some(hex)) => KeySelector::Id(
                parse_hex(hex).ok_or_else(|| Failure(format!("--key-id {hex}: not hex")))?,
            ),
            _ => {
                return Err(Failure(
                    "--pkcs11-module needs --key-label LABEL or --key-id HEX".into(),
                ))
            }
        };
        let mut config = Pkcs11Config::new(module.clone(), token, key);
        if let Some(cert) = &self.cert {
            let (certificate, chain) = self.certificates(cert)?;
            config = config.certificate(certificate).chain(chain);
        } else if let Some(path) = &self.chain {
            let bytes = std::fs::read(path).map_err(|e| Failure::at(path, e))?;
            config = config.chain(load_certificates(&bytes).map_err(|e| Failure::at(path, e))?);
        }
        let pin = read_secret(
            self.pin_file.as_deref(),
            self.pin_env.as_deref(),
            "Token PIN: ",
            "PIN",
            "--pin-file FILE or --pin-env VAR",
        )?;
        let signer = Pkcs11Signer::open(&config, &pin).map_err(|e| Failure::at(module, e))?;
        Ok(Box::new(signer))
    }

    #[cfg(not(feature = "pkcs11"))]
    fn token_signer(&self) -> Result<Box<dyn Signer>, Failure> {
        Err(Failure(
            "this kyso was built without PKCS#11 support (cargo feature `pkcs11`)".into(),
        ))
    }
}

/// Reads a secret from a file (first line), an environment variable, or a prompt when
/// standard input is a terminal.
pub(crate) fn read_secret(
    file: Option<&Path>,
    env: Option<&str>,
    prompt: &str,
    what: &str,
    options: &str,
) -> Result<String, Failure> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| Failure::at(path, e))?;
        return Ok(text.lines().next().unwrap_or_default().to_owned());
    }
    if let Some(var) = env {
        return std::env::var(var).map_err(|_| {
            Failure(format!(
                "environment variable {var} (the {what}) is not set"
            ))
        });
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt)
            .map_err(|e| Failure(format!("cannot read the {what} from the terminal: {e}")));
    }
    Err(Failure(format!(
        "no {what}: give {options} (standard input is not a terminal, so kyso cannot prompt)"
    )))
}

/// Decodes a key id: hex digits, with an optional `0x` prefix and `:` separators.
#[cfg_attr(not(feature = "pkcs11"), allow(dead_code))]
fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text.trim_start_matches("0x").replace(':', "");
    kyso::asn1::hex::decode(&digits).filter(|id| !id.is_empty())
}
