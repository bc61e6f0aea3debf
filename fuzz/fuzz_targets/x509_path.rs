//! Path validation over arbitrary certificates, CRLs and OCSP responses.
//!
//! The input is a list of records, each a 2-byte big-endian length and that many bytes. Each
//! record is read as a certificate, else a CRL, else an OCSP response. The first certificate
//! is the target, the last one the trust anchor, those between are intermediates; validation
//! requires revocation and runs at a fixed time, so every check and the CRL/OCSP paths run.
#![no_main]

use kyso::pki::{
    Certificate, Crl, OcspResponse, Origin, PathValidator, RevocationData, RevocationMode,
    RevocationPolicy, TrustStore, ValidationPolicy, ValidationTime,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut certs = Vec::new();
    let mut revocation = RevocationData::new();
    let mut rest = data;
    while let [hi, lo, tail @ ..] = rest {
        let len = usize::from(*hi) << 8 | usize::from(*lo);
        let Some(record) = tail.get(..len) else { break };
        rest = tail.get(len..).unwrap_or_default();
        if let Ok(c) = Certificate::from_der(record) {
            certs.push(c);
        } else if let Ok(crl) = Crl::from_der(record) {
            revocation.add_crl(crl, Origin::Caller);
        } else if let Ok(r) = OcspResponse::from_der(record) {
            revocation.add_ocsp(r, Origin::Caller);
        }
    }
    let (Some(target), Some(anchor)) = (certs.first(), certs.last()) else {
        return;
    };
    let Ok(trust) = TrustStore::from_der_certificates([anchor.der()]) else {
        return;
    };
    let intermediates = certs.get(1..certs.len().saturating_sub(1)).unwrap_or_default();
    let mut policy = ValidationPolicy::document_signing();
    policy.revocation = RevocationPolicy::all(RevocationMode::Require);
    let time = ValidationTime::at(time::macros::datetime!(2026-01-01 0:00 UTC));
    let _ = PathValidator::new(&trust, &policy).validate(target, intermediates, &revocation, time);
});
