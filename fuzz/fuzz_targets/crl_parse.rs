//! Parses arbitrary bytes as a CRL and reads every fact of it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(crl) = kyso::pki::Crl::from_der(data) else {
        return;
    };
    let _ = (crl.issuer(), crl.aki(), crl.this_update(), crl.next_update());
    let _ = (crl.number(), crl.delta_base(), crl.issuing_distribution_point());
    let _ = (crl.freshest(), crl.unknown_critical_extensions(), crl.describe());
    for e in crl.entries().iter().take(64) {
        let _ = crl.entries_for(&e.serial).count();
    }
    let _ = crl.entries_for(data.get(..4).unwrap_or_default()).count();
});
