//! Parses arbitrary bytes as a CMS SignedData and, when that works, runs every attribute
//! accessor and the SignerInfo checks (with a dummy digest and the input as content).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(sd) = kyso::cms::parse_signed_data(data) else {
        return;
    };
    for si in &sd.signer_infos {
        if let Some(attrs) = &si.signed_attrs {
            let _ = attrs.to_be_verified();
            let _ = attrs.duplicate_types();
            let _ = attrs.content_type();
            let _ = attrs.message_digest();
            let _ = attrs.signing_time();
            let _ = attrs.signing_certificate_v2();
            let _ = attrs.signing_certificate_v1();
        }
        let _ = si.digest();
        for digest_len in [20usize, 32, 48, 64] {
            let dummy = vec![0u8; digest_len];
            let _ = kyso::cms::check_signer(&sd, si, &dummy, Some(data));
        }
    }
});
