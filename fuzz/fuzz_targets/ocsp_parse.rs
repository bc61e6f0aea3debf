//! Parses arbitrary bytes as an OCSP response (and as an adbe-revocationInfoArchival value)
//! and reads every fact of it.
#![no_main]

use kyso::pki::{add_revocation_info_archival, OcspResponse, Origin, RevocationData};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut d = RevocationData::new();
    let _ = add_revocation_info_archival(data, Origin::SignedAttribute, &mut d);
    let Ok(r) = OcspResponse::from_der(data) else {
        return;
    };
    let _ = (r.tbs(), r.signature(), r.responder(), r.produced_at(), r.nonce());
    let _ = (r.responses().len(), r.certificates().len(), r.responder_text());
    let _ = r.unknown_critical_extensions();
});
