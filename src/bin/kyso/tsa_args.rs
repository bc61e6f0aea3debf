//! Timestamp authority options shared by `kyso sign` and `kyso timestamp`: the authorities
//! (tried in order), HTTP basic credentials (the password from a file, an environment
//! variable or a prompt, never an argument), the timeout and the token reserve.

use std::path::PathBuf;
use std::sync::Arc;

use kyso::sign::{Timestamping, TokenReserve};
use kyso::tsp::{TimestampClient, TsaList};

use crate::keysource::read_secret;
use crate::output::Failure;

/// Timestamp authorities.
#[derive(clap::Args, Debug)]
pub struct TsaArgs {
    /// Timestamp authority (RFC 3161 over HTTP, an http: URL); repeat for fallbacks, tried
    /// in order. Needs kyso built with the `online` feature.
    #[arg(long = "tsa", value_name = "URL", help_heading = "Timestamps")]
    pub urls: Vec<String>,
    /// User name for HTTP basic authentication at the authorities.
    #[arg(long, help_heading = "Timestamps")]
    pub tsa_user: Option<String>,
    /// File whose first line is the authorities' password (with --tsa-user).
    #[arg(
        long,
        requires = "tsa_user",
        conflicts_with = "tsa_password_env",
        help_heading = "Timestamps"
    )]
    pub tsa_password_file: Option<PathBuf>,
    /// Environment variable holding the authorities' password (with --tsa-user).
    #[arg(long, requires = "tsa_user", help_heading = "Timestamps")]
    pub tsa_password_env: Option<String>,
    /// Seconds allowed for each authority's answer.
    #[arg(long, default_value_t = 30, help_heading = "Timestamps")]
    pub tsa_timeout: u64,
    /// Bytes kept for the token in the placeholder instead of asking the authority for a
    /// sample token first (two-phase signing without --tsa at prepare needs it).
    #[arg(long, value_name = "BYTES", help_heading = "Timestamps")]
    pub tsa_reserve: Option<usize>,
}

impl TsaArgs {
    /// Whether an authority was named.
    pub fn any(&self) -> bool {
        !self.urls.is_empty()
    }

    /// The authorities as one client (a list tried in order).
    pub fn client(&self) -> Result<Arc<dyn TimestampClient>, Failure> {
        if self.urls.is_empty() {
            return Err(Failure("no timestamp authority: give --tsa URL".into()));
        }
        let password = match &self.tsa_user {
            Some(user) => Some(read_secret(
                self.tsa_password_file.as_deref(),
                self.tsa_password_env.as_deref(),
                &format!("Password of {user} at the timestamp authority: "),
                "timestamp authority password",
                "--tsa-password-file or --tsa-password-env",
            )?),
            None => None,
        };
        let mut list = TsaList::new();
        for url in &self.urls {
            list.push(http_client(
                url,
                self.tsa_user.as_deref(),
                password.as_deref(),
                self.tsa_timeout,
            )?);
        }
        Ok(Arc::new(list))
    }

    /// Timestamping for signatures and document timestamps. With `require_url` false and
    /// only --tsa-reserve, a timestamping that reserves room but asks no authority (a
    /// two-phase prepare: the authority is asked at finish).
    pub fn timestamping(&self, require_url: bool) -> Result<Timestamping, Failure> {
        let client: Arc<dyn TimestampClient> = if !require_url && self.urls.is_empty() {
            if self.tsa_reserve.is_none() {
                return Err(Failure(
                    "a signature timestamp (--level b-t) needs --tsa URL, or --tsa-reserve \
                     BYTES with --prepare"
                        .into(),
                ));
            }
            Arc::new(TsaList::new())
        } else {
            self.client()?
        };
        let reserve = match self.tsa_reserve {
            Some(n) => TokenReserve::Bytes(n),
            None => TokenReserve::Probe,
        };
        Ok(Timestamping::new(client).reserve(reserve))
    }
}

#[cfg(feature = "online")]
fn http_client(
    url: &str,
    user: Option<&str>,
    password: Option<&str>,
    timeout: u64,
) -> Result<Arc<dyn TimestampClient>, Failure> {
    use kyso::tsp::http::HttpTransport;
    let mut transport = HttpTransport::new(url)
        .map_err(|e| Failure(format!("--tsa {url}: {e}")))?
        .timeout(std::time::Duration::from_secs(timeout.max(1)));
    if let (Some(u), Some(p)) = (user, password) {
        transport = transport.basic_auth(u, p);
    }
    Ok(Arc::new(transport.client()))
}

#[cfg(not(feature = "online"))]
fn http_client(
    url: &str,
    _user: Option<&str>,
    _password: Option<&str>,
    _timeout: u64,
) -> Result<Arc<dyn TimestampClient>, Failure> {
    Err(Failure(format!(
        "--tsa {url}: this kyso was built without the `online` feature, so it cannot reach \
         a timestamp authority (build with --features online)"
    )))
}
