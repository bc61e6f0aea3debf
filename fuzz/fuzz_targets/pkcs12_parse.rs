//! Opens arbitrary bytes as a PKCS#12 file with the empty password and with a short one,
//! under a small key-derivation budget (so that one input costs milliseconds, as the
//! default budget bounds a real load to seconds): every outcome must be a key or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut opts = kyso::signer::Pkcs12Options::default();
    opts.budget.max_kdf_iterations = 200_000;
    opts.budget.max_derivations = 16;
    opts.budget.max_bags = 64;
    for password in ["", "x"] {
        if let Ok(id) = kyso::signer::Pkcs12Identity::from_der_with(data, password, &opts) {
            let _ = id.warnings.len();
        }
    }
});
