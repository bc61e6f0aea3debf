//! Sign a PDF in memory with a software key and verify it, as a dossier service would.
//!
//! Run with `cargo run --example sign_and_verify`. The demo PKI stands in for the keys and
//! certificates a real deployment loads from files (`SoftwareSigner::from_pem_files`) and
//! for the trust anchors it configures (`TrustStore::add_file`).

use kyso::crypto::PrivateKey;
use kyso::demo::{sample_dossier, DemoPki, SampleOptions};
use kyso::pki::TrustStore;
use kyso::report::{render_text, Indication};
use kyso::sign::{sign_bytes, SignOptions};
use kyso::signer::SoftwareSigner;
use kyso::verify::{verify_bytes, VerifyOptions};
use time::OffsetDateTime;

fn main() -> Result<(), kyso::Error> {
    let now = OffsetDateTime::now_utc();
    let pki = DemoPki::generate(now)?;
    let official = &pki.officials[0];

    // A signer: the official's key, certificate, and the chain sent with each signature.
    let signer = SoftwareSigner::new(
        PrivateKey::from_der(&official.key_pkcs8)?,
        official.cert_der.clone(),
        pki.chain_der(),
    )?;

    let unsigned = sample_dossier(&SampleOptions::default())?;
    let options = SignOptions::new()
        .field_name("ChuKy_1")
        .reason("Phê duyệt hồ sơ")
        .location("Thành phố Hồ Chí Minh");
    let signed = sign_bytes(&unsigned, &signer, &options)?;

    // The verifier trusts the demo root only, and judges certificates at `now`.
    let trust = TrustStore::from_der_certificates([&pki.root.cert_der])?;
    let report = verify_bytes(&signed, &VerifyOptions::new(trust).validation_time(now))?;
    print!("{}", render_text(&report));
    assert!(report
        .signatures
        .iter()
        .all(|s| s.indication == Indication::TotalPassed));
    Ok(())
}
