//! Fuzzes the decryption of encrypted PDFs (standard security handler, ISO 32000-2 §7.6):
//! the first byte gives a password length `n`, the next `n` bytes the password, the rest the
//! PDF. Opening reads `/Encrypt`, derives and checks keys (revisions 2 to 6); then every
//! object's strings and every stream are decrypted. Errors are fine; panics, hangs and
//! unbounded allocations are bugs.
#![no_main]

use kyso::budget::{DocumentBudget, DocumentMeter};
use kyso::pdf::{self, Budget, Document, Object, Password};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n % 64).min(rest.len());
    let (password, pdf_bytes) = rest.split_at(n);
    let password = (!password.is_empty()).then(|| Password::new(password));
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
    let Ok(doc) = Document::open_with_password(pdf_bytes, budget, meter, password.as_ref()) else {
        return;
    };
    if let Some(e) = doc.encryption() {
        let _ = e.describe(kyso::report::Lang::Vi);
        let _ = e.effective_permissions();
    }
    let rev = doc.last_revision();
    for r in doc.object_numbers(rev).take(2_000).collect::<Vec<_>>() {
        if let Ok(Some(Object::Stream(s))) = doc.get(rev, r) {
            let _ = doc.decode_stream(rev, &s);
            let _ = doc.raw_stream_data(&s);
        }
    }
    let _ = pdf::fields(&doc, rev);
    let _ = pdf::signature_dictionaries(&doc, rev);
});
