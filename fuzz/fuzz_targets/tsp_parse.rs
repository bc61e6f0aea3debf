//! Parses arbitrary bytes as an RFC 3161 TimeStampResp, as a TimeStampToken and as a bare
//! TSTInfo and, when a token parses, runs its checks (with a dummy digest) and the
//! certificate usage check on every certificate it carries.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kyso::tsp::TstInfo::parse(data);
    let token = match kyso::tsp::token_from_response(data) {
        Ok(token) => token,
        Err(_) => data.to_vec(),
    };
    let Ok(parsed) = kyso::tsp::TimestampToken::parse(&token) else {
        return;
    };
    let _ = parsed.info.latest_time();
    for digest_len in [20usize, 32, 64] {
        let dummy = vec![0u8; digest_len];
        let check = parsed.check(Some(&dummy));
        let _ = check.problems();
    }
    let _ = parsed.check(None).problems();
    for cert in &parsed.signed_data.certificates {
        let _ = kyso::tsp::timestamping_usage(cert);
    }
    let _ = parsed.check_as_requested(
        kyso::crypto::DigestAlgorithm::Sha256,
        &[0u8; 32],
        Some(&[1, 2, 3]),
    );
});
