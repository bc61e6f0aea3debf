//! What a dossier verifier reads from untrusted files besides PDFs: the manifest JSON, and
//! CMS signature files (`.p7s` over some content, `.p7m` with the content inside, DER or
//! PEM). With no trust anchors nothing may pass.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kyso::dossier::Manifest::parse(data);
    let opts = kyso::verify::VerifyOptions::new(kyso::pki::TrustStore::empty())
        .validation_time(time::macros::datetime!(2026-11-26 00:00 UTC));
    if let Ok(env) = kyso::dossier::verify_enveloping_bytes(data, &opts) {
        assert!(!env.report.all_passed());
    }
    if let Ok(report) = kyso::dossier::verify_detached_bytes(b"content", data, &opts) {
        assert!(!report.all_passed());
    }
});
