//! The certificate extension policy, as a table.
//!
//! Each extension kyso recognises has a row: its OID, its name, the RFC clause that defines
//! it, and what that clause says about its criticality. An extension is *recognised* when
//! kyso processes it somewhere (path validation, revocation, purpose checks); a critical
//! extension that is not recognised makes the certificate unusable (RFC 5280 §6.1.4 (o),
//! §6.1.5 (f)). Each certificate's extensions are checked against the table by
//! [`check_extensions`].

use super::cert::{Certificate, ExtensionState};
use crate::report::DetailLabel as L;
use crate::report::{Code, Finding};

/// What the defining clause says about the critical flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Criticality {
    /// The extension MUST NOT be marked critical; a critical one is refused.
    MustNotBeCritical,
    /// Either is accepted (including "SHOULD"/"MUST" be critical, which kyso processes
    /// whatever the flag says, as PKITS 4.6.4 expects for basicConstraints).
    Either,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ExtensionRule {
    /// Dotted OID.
    pub oid: &'static str,
    /// Name.
    pub name: &'static str,
    /// The clause that defines it.
    pub clause: &'static str,
    /// Criticality rule.
    pub criticality: Criticality,
}

const fn rule(
    oid: &'static str,
    name: &'static str,
    clause: &'static str,
    criticality: Criticality,
) -> ExtensionRule {
    ExtensionRule {
        oid,
        name,
        clause,
        criticality,
    }
}

use Criticality::{Either, MustNotBeCritical};

/// Every extension kyso recognises in certificates.
pub const CERTIFICATE_EXTENSIONS: &[ExtensionRule] = &[
    rule(
        "2.5.29.35",
        "authorityKeyIdentifier",
        "RFC 5280 §4.2.1.1 (MUST NOT be critical)",
        MustNotBeCritical,
    ),
    rule(
        "2.5.29.14",
        "subjectKeyIdentifier",
        "RFC 5280 §4.2.1.2 (MUST NOT be critical)",
        MustNotBeCritical,
    ),
    rule(
        "2.5.29.15",
        "keyUsage",
        "RFC 5280 §4.2.1.3; checked in §6.1.4 (n) and for the signer's purpose",
        Either,
    ),
    rule(
        "2.5.29.32",
        "certificatePolicies",
        "RFC 5280 §4.2.1.4; processed in §6.1.3 (d)",
        Either,
    ),
    rule(
        "2.5.29.33",
        "policyMappings",
        "RFC 5280 §4.2.1.5; processed in §6.1.4 (a), (b)",
        Either,
    ),
    rule(
        "2.5.29.17",
        "subjectAltName",
        "RFC 5280 §4.2.1.6; checked against name constraints in §6.1.3 (b), (c)",
        Either,
    ),
    rule(
        "2.5.29.18",
        "issuerAltName",
        "RFC 5280 §4.2.1.7 (informational)",
        Either,
    ),
    rule(
        "2.5.29.19",
        "basicConstraints",
        "RFC 5280 §4.2.1.9; checked in §6.1.4 (k), (l), (m)",
        Either,
    ),
    rule(
        "2.5.29.30",
        "nameConstraints",
        "RFC 5280 §4.2.1.10; processed in §6.1.4 (g)",
        Either,
    ),
    rule(
        "2.5.29.36",
        "policyConstraints",
        "RFC 5280 §4.2.1.11; processed in §6.1.4 (i)",
        Either,
    ),
    rule(
        "2.5.29.37",
        "extendedKeyUsage",
        "RFC 5280 §4.2.1.12; checked for the signer's purpose",
        Either,
    ),
    rule(
        "2.5.29.31",
        "cRLDistributionPoints",
        "RFC 5280 §4.2.1.13; used in §6.3",
        Either,
    ),
    rule(
        "2.5.29.54",
        "inhibitAnyPolicy",
        "RFC 5280 §4.2.1.14; processed in §6.1.4 (j)",
        Either,
    ),
    rule(
        "2.5.29.46",
        "freshestCRL",
        "RFC 5280 §4.2.1.15 (MUST NOT be critical); used in §6.3 for delta CRLs",
        MustNotBeCritical,
    ),
    rule(
        "1.3.6.1.5.5.7.1.1",
        "authorityInfoAccess",
        "RFC 5280 §4.2.2.1 (MUST NOT be critical); OCSP and caIssuers locations",
        MustNotBeCritical,
    ),
    rule(
        "1.3.6.1.5.5.7.48.1.5",
        "id-pkix-ocsp-nocheck",
        "RFC 6960 §4.2.2.2.1; for delegated OCSP responders",
        Either,
    ),
];

/// The table row for `oid`.
pub fn rule_for(oid: &str) -> Option<&'static ExtensionRule> {
    CERTIFICATE_EXTENSIONS.iter().find(|r| r.oid == oid)
}

/// Checks `cert`'s extensions against the table: duplicates (RFC 5280 §4.2), unknown
/// critical extensions (§6.1.4 (o)), criticality the defining clause forbids, and known
/// extensions whose value cannot be decoded. `who` names the certificate in messages.
pub fn check_extensions(cert: &Certificate, who: &str) -> Vec<Finding> {
    let mut problems = Vec::new();
    let exts = cert.extensions();
    for (i, ext) in exts.iter().enumerate() {
        if exts
            .get(..i)
            .unwrap_or_default()
            .iter()
            .any(|e| e.oid == ext.oid)
        {
            problems.push(
                Finding::new(
                    Code::ChainExtensionMalformed,
                    format!(
                        "{who} has extension {} more than once (RFC 5280 §4.2)",
                        ext.oid
                    ),
                )
                .remark("phần mở rộng bị lặp (RFC 5280 §4.2)")
                .detail(L::Certificate, cert.label())
                .detail(L::Extension, &ext.oid),
            );
            continue;
        }
        match (&ext.state, rule_for(&ext.oid)) {
            (ExtensionState::Malformed(why), _) => problems.push(
                Finding::new(
                    Code::ChainExtensionMalformed,
                    format!("{who} has a malformed extension {}: {why}", ext.oid),
                )
                .detail(L::Certificate, cert.label())
                .detail(L::Extension, &ext.oid)
                .detail(L::Technical, why),
            ),
            (ExtensionState::Unknown, None) | (ExtensionState::Decoded, None) if ext.critical => {
                problems.push(
                    Finding::new(
                        Code::ChainUnknownCriticalExtension,
                        format!(
                            "{who} has a critical extension kyso does not process: {}",
                            ext.oid
                        ),
                    )
                    .detail(L::Certificate, cert.label())
                    .detail(L::Extension, &ext.oid),
                )
            }
            (_, Some(r)) if ext.critical && r.criticality == MustNotBeCritical => problems.push(
                Finding::new(
                    Code::ChainExtensionMalformed,
                    format!("{who} marks {} critical; {}", r.name, r.clause),
                )
                .remark("phần mở rộng bị đánh dấu bắt buộc (critical) trái quy định")
                .detail(L::Certificate, cert.label())
                .detail(L::Extension, r.name)
                .detail(L::Technical, r.clause),
            ),
            _ => {}
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_cites_a_clause_and_oids_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for r in CERTIFICATE_EXTENSIONS {
            assert!(r.clause.starts_with("RFC "), "{}", r.name);
            assert!(seen.insert(r.oid), "{}", r.oid);
        }
    }
}
