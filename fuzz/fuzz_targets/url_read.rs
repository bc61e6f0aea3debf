//! Reads arbitrary text as a URL the way kyso reads the URLs of certificates before it
//! fetches them: a normalised URL or a refusal, never a panic; and what it accepts reads
//! back to itself (the written-back URL is read the same way again).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(url) = kyso::net::read_url(text) {
        assert_eq!(kyso::net::read_url(&url).as_deref(), Ok(url.as_str()));
    }
});
