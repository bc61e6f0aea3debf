//! Certificate profile checks (issue 22, class 5): what RFC 5280 says a conforming CA MUST or
//! MUST NOT put in a certificate, beyond what path processing (§6.1) needs. A validator that
//! ignores them accepts certificates no conforming CA issues; one that refuses them breaks on
//! the sloppy but honest certificates found in the field. So each is a finding with a stable
//! code, a warning under [`CertificateProfile::Default`] and an error under
//! [`CertificateProfile::Strict`]:
//!
//! | code | check | clause |
//! |---|---|---|
//! | `chain.profile_key_cert_sign_not_ca` | keyCertSign asserted without basicConstraints cA | §4.2.1.3 |
//! | `chain.profile_ca_without_ski` | a CA certificate without subjectKeyIdentifier | §4.2.1.2 |
//! | `chain.profile_missing_aki` | a certificate that is not self-signed without authorityKeyIdentifier | §4.2.1.1 |
//! | `chain.profile_empty_subject` | an empty subject without a critical subjectAltName | §4.1.2.6, §4.2.1.6 |
//! | `chain.profile_san_syntax` | a dNSName with characters outside letters, digits and hyphens, or an IP address written as a dNSName | §4.2.1.6 |
//! | `chain.profile_serial_number` | a serial number longer than 20 octets, zero or negative | §4.1.2.2 |
//! | `chain.profile_path_len_not_ca` | pathLenConstraint without basicConstraints cA | §4.2.1.9 |
//! | `chain.profile_policy_constraints_not_critical` | policyConstraints not marked critical | §4.2.1.11 |
//!
//! A critical authorityKeyIdentifier (§4.2.1.1 MUST NOT) and every other criticality rule are
//! not profile checks: they fail the path in both profiles (`chain.extension_malformed`,
//! see [`crate::pki::CERTIFICATE_EXTENSIONS`]), as they did before profiles existed.

use super::super::cert::Certificate;
use super::super::name::GeneralName;
use super::super::options::CertificateProfile;
use crate::report::DetailLabel as L;
use crate::report::{Code, Finding, Severity};

/// policyConstraints.
const POLICY_CONSTRAINTS: &str = "2.5.29.36";
/// subjectAltName.
const SUBJECT_ALT_NAME: &str = "2.5.29.17";

/// The profile findings of every certificate of `path` (target first, anchor last). The
/// anchor is checked as a CA only when it issued something (a path of two or more).
pub(crate) fn check_path(path: &[Certificate], profile: CertificateProfile) -> Vec<Finding> {
    let n = path.len();
    let mut findings = Vec::new();
    for (i, cert) in path.iter().enumerate() {
        let who = match (i, n) {
            (0, _) => format!("the end-entity certificate (\"{}\")", cert.label()),
            (i, n) if i + 1 == n => format!("the trust anchor (\"{}\")", cert.label()),
            _ => format!("intermediate certificate \"{}\"", cert.label()),
        };
        findings.extend(check(cert, &who, profile));
    }
    findings
}

/// The profile findings of one certificate; `who` names it in messages.
pub(crate) fn check(cert: &Certificate, who: &str, profile: CertificateProfile) -> Vec<Finding> {
    let severity = match profile {
        CertificateProfile::Strict => Severity::Error,
        _ => Severity::Warning,
    };
    let mut out = Vec::new();
    let mut push = |code: Code, what: String| {
        let mut f = Finding::new(code, format!("{who} {what}"))
            .remark("chứng thư số không tuân thủ RFC 5280")
            .detail(L::Certificate, cert.label());
        f.severity = severity;
        out.push(f);
    };
    let ca = matches!(cert.basic_constraints(), Some((true, _)));
    if cert.key_usage().is_some_and(|ku| ku.key_cert_sign()) && !ca {
        push(
            Code::ChainProfileKeyCertSignNotCa,
            "asserts keyCertSign but is not a CA (RFC 5280 §4.2.1.3)".into(),
        );
    }
    if ca && cert.ski().is_none() {
        push(
            Code::ChainProfileCaWithoutSki,
            "is a CA certificate without a subjectKeyIdentifier (RFC 5280 §4.2.1.2)".into(),
        );
    }
    if cert.aki().is_none() && !self_signed(cert) {
        push(
            Code::ChainProfileMissingAki,
            "is not self-signed and has no authorityKeyIdentifier (RFC 5280 §4.2.1.1)".into(),
        );
    }
    if cert.subject_name().is_empty() {
        let san_critical = cert
            .extensions()
            .iter()
            .any(|e| e.oid == SUBJECT_ALT_NAME && e.critical);
        if !san_critical {
            push(
                Code::ChainProfileEmptySubject,
                "has an empty subject and no critical subjectAltName (RFC 5280 §4.2.1.6)".into(),
            );
        }
    }
    for name in cert.subject_alt_names().unwrap_or_default() {
        if let GeneralName::Dns(dns) = name {
            if let Some(why) = dns_name_problem(dns) {
                push(
                    Code::ChainProfileSanSyntax,
                    format!("has the subjectAltName dNSName \"{dns}\", {why} (RFC 5280 §4.2.1.6)"),
                );
            }
        }
    }
    if let Some(why) = serial_problem(cert.serial()) {
        push(
            Code::ChainProfileSerialNumber,
            format!("has a serial number that is {why} (RFC 5280 §4.1.2.2)"),
        );
    }
    if matches!(cert.basic_constraints(), Some((false, Some(_)))) {
        push(
            Code::ChainProfilePathLenNotCa,
            "sets pathLenConstraint without being a CA (RFC 5280 §4.2.1.9)".into(),
        );
    }
    if cert
        .extensions()
        .iter()
        .any(|e| e.oid == POLICY_CONSTRAINTS && !e.critical)
    {
        push(
            Code::ChainProfilePolicyConstraintsNotCritical,
            "has a policyConstraints extension not marked critical (RFC 5280 §4.2.1.11)".into(),
        );
    }
    out
}

/// Self-issued with the same key identifiers, or no identifiers to tell: a self-signed
/// certificate may omit the authorityKeyIdentifier (§4.2.1.1).
fn self_signed(cert: &Certificate) -> bool {
    cert.is_self_issued() && (cert.aki().is_none() || cert.aki() == cert.ski())
}

/// Why a SAN dNSName is not preferred name syntax (RFC 1034 §3.5 as §4.2.1.6 requires), if
/// it is not. A leading `*.` wildcard label is accepted.
fn dns_name_problem(name: &str) -> Option<&'static str> {
    let bare = name.strip_prefix("*.").unwrap_or(name);
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return Some("an IP address written as a DNS name (use iPAddress)");
    }
    let labels_ok = !bare.is_empty()
        && bare.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    (!labels_ok).then_some("which is not letters, digits and hyphens in dot-separated labels")
}

/// Why a serial number's content octets break §4.1.2.2, if they do.
fn serial_problem(serial: &[u8]) -> Option<&'static str> {
    if serial.len() > 20 {
        return Some("longer than 20 octets");
    }
    match serial.first() {
        None => Some("empty"),
        Some(b) if b & 0x80 != 0 => Some("negative"),
        _ if serial.iter().all(|b| *b == 0) => Some("zero"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5280 §4.1.2.2: positive, at most 20 octets.
    #[test]
    fn rfc5280_4_1_2_2_serial_numbers() {
        assert_eq!(serial_problem(&[1]), None);
        assert_eq!(serial_problem(&[0, 0x80]), None);
        assert_eq!(serial_problem(&[0]), Some("zero"));
        assert_eq!(serial_problem(&[0xff]), Some("negative"));
        assert_eq!(serial_problem(&[1; 20]), None);
        assert_eq!(serial_problem(&[1; 21]), Some("longer than 20 octets"));
    }

    /// RFC 5280 §4.2.1.6: dNSName in preferred name syntax; no IP addresses.
    #[test]
    fn rfc5280_4_2_1_6_dns_name_syntax() {
        assert_eq!(dns_name_problem("portal.example.vn"), None);
        assert_eq!(dns_name_problem("*.example.vn"), None);
        assert!(dns_name_problem("my_host.example.vn").is_some());
        assert!(dns_name_problem("10.0.0.1").is_some());
        assert!(dns_name_problem("a..b").is_some());
    }
}
