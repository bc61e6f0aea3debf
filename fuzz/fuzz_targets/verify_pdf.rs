//! Fuzzes end-to-end verification: any bytes go through discovery, coverage, digest, CMS
//! checks, path validation, modification analysis and the verdict. Errors and failed
//! verdicts are fine; panics, hangs and unbounded allocations are bugs. The seeds are signed
//! test vectors, so mutations reach the deep stages.
#![no_main]

use kyso::budget::DocumentBudget;
use kyso::pdf::Budget;
use kyso::pki::TrustStore;
use kyso::report::Indication;
use kyso::verify::{verify_bytes, VerifyOptions};
use libfuzzer_sys::fuzz_target;
use time::macros::datetime;

fuzz_target!(|data: &[u8]| {
    let mut budget = Budget::default();
    budget.max_decoded_bytes = 8 * 1024 * 1024;
    budget.max_object_bytes = 4 * 1024 * 1024;
    budget.max_objects = 100_000;
    // The per-document totals tighter than the defaults too; no deadline, so that a run is
    // reproducible (libFuzzer's own timeout catches hangs).
    let document = DocumentBudget::default()
        .max_decoded_bytes(64 * 1024 * 1024)
        .max_work_bytes(256 * 1024 * 1024)
        .deadline(None);
    let opts = VerifyOptions::new(TrustStore::empty())
        .validation_time(datetime!(2026-11-26 00:00 UTC))
        .budget(budget)
        .document_budget(document);
    if let Ok(report) = verify_bytes(data, &opts) {
        // Without trust anchors nothing may pass.
        assert!(report
            .signatures
            .iter()
            .all(|s| s.indication != Indication::TotalPassed));
        let _ = report.to_json();
        let _ = kyso::report::render_text(&report);
    }
});
