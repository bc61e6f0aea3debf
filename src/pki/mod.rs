//! Certificates, trust anchors and certificate paths.
//!
//! [`TrustStore`] holds the anchors a deployment accepts; [`validate_path`] builds and checks
//! a path from a signer's certificate to one of them at an explicit validation time.

mod cert;
mod path;
mod trust;

pub use cert::{format_name, CertError, Certificate, KeyUsageBits};
pub use path::{check_path, validate_path, PathBudget, PathOutcome};
pub use trust::{certificates_from_pem_or_der, TrustStore};
