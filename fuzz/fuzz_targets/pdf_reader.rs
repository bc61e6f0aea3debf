//! Fuzzes the revision-aware PDF reader: open, walk every revision and object, decode every
//! stream, list pages, form fields and signature dictionaries. Errors are fine; panics,
//! hangs and unbounded allocations are bugs.
#![no_main]

use kyso::budget::{DocumentBudget, DocumentMeter};
use kyso::pdf::{self, Budget, Document, Object};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Smaller budgets than the defaults keep each run fast; the limits are what is tested.
    let mut budget = Budget::default();
    budget.max_decoded_bytes = 8 * 1024 * 1024;
    budget.max_object_bytes = 4 * 1024 * 1024;
    budget.max_objects = 100_000;
    let meter = DocumentMeter::start(
        DocumentBudget::default()
            .max_decoded_bytes(64 * 1024 * 1024)
            .max_work_bytes(256 * 1024 * 1024)
            .deadline(None),
    );
    let Ok(doc) = Document::open_metered(data, budget, meter) else {
        return;
    };
    let _ = doc.header_version();
    let _ = doc.is_encrypted();
    for rev in 0..doc.revisions().len() {
        let _ = doc.trailer(rev);
        let _ = doc.catalog(rev);
        for r in doc.object_numbers(rev).take(2_000).collect::<Vec<_>>() {
            let _ = doc.lookup(rev, r);
            let _ = doc.defining_revision(rev, r);
            if let Ok(Some(o)) = doc.get(rev, r) {
                if let Object::Stream(s) = &o {
                    let _ = doc.decode_stream(rev, s);
                    let _ = doc.raw_stream_data(s);
                }
                let _ = doc.resolve(rev, &o);
            }
        }
        let _ = pdf::pages(&doc, rev);
        let _ = pdf::fields(&doc, rev);
        let _ = pdf::signature_dictionaries(&doc, rev);
    }
});
