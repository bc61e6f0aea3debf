//! A dossier's path through the administration: empty signature fields for each official;
//! the commune office certifies the dossier (a certification signature with DocMDP P=2:
//! later, only form filling and signing are allowed), the commune chairman signs, then a
//! city department signs through a remote signing service (two-phase: prepare, wait for
//! approval, finish), and the final report shows every signature in order, each judged
//! against the office's certification.
//!
//! Run with `cargo run --example dossier_workflow`; the signed dossier is written to a new
//! temporary directory (`kyso-example-…`, printed at the end).
//!
//! The "remote service" below is a local stand-in, clearly not a real service: a thread that
//! holds the department director's key and approves a request after a few polls, as an
//! official approving on a phone would.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use kyso::crypto::PrivateKey;
use kyso::demo::{sample_dossier, DemoPki, SampleOptions};
use kyso::pki::{Origin, TrustStore};
use kyso::report::{render_text, Indication, SignatureKind};
use kyso::sign::fields::{add_fields_bytes, FieldSpec};
use kyso::sign::two_phase::{finish_bytes, prepare_bytes, PreparedSignature};
use kyso::sign::{sign_bytes, DocMdpPermission, SignOptions};
use kyso::signer::{Signer, SignerIdentity, SoftwareSigner};
use kyso::verify::{verify_bytes, VerifyOptions};
use time::OffsetDateTime;

/// STAND-IN for a remote signing service (not a real one): requests are approved after three
/// polls; the key never leaves the "service".
struct StandInRemoteService {
    signer: SoftwareSigner,
    requests: Mutex<HashMap<u32, (Vec<u8>, u32)>>,
}

enum Status {
    Pending,
    Approved(Vec<u8>),
}

impl StandInRemoteService {
    fn request(&self, bytes_to_sign: Vec<u8>) -> u32 {
        let mut requests = self.requests.lock().unwrap();
        let id = requests.len() as u32 + 1;
        requests.insert(id, (bytes_to_sign, 0));
        id
    }

    fn poll(&self, id: u32) -> Status {
        let mut requests = self.requests.lock().unwrap();
        let (bytes, polls) = requests.get_mut(&id).expect("known request");
        *polls += 1;
        if *polls < 3 {
            Status::Pending
        } else {
            Status::Approved(self.signer.sign(bytes).expect("the service signs"))
        }
    }
}

fn main() -> Result<(), kyso::Error> {
    let now = OffsetDateTime::now_utc();
    let pki = DemoPki::generate(now)?;
    let signer_for = |i: usize| -> Result<SoftwareSigner, kyso::Error> {
        let official = &pki.officials[i];
        Ok(SoftwareSigner::new(
            PrivateKey::from_der(&official.key_pkcs8)?,
            official.cert_der.clone(),
            pki.chain_der(),
        )?)
    };

    // 1. The commune office receives the dossier and adds one field per official.
    let dossier = sample_dossier(&SampleOptions::default())?;
    let dossier = add_fields_bytes(
        &dossier,
        &[
            FieldSpec::new("VanPhong_UBND", 1, [40.0, 40.0, 160.0, 50.0]),
            FieldSpec::new("ChuTich_UBND", 1, [220.0, 40.0, 160.0, 50.0]),
            FieldSpec::new("GiamDoc_So", 1, [400.0, 40.0, 160.0, 50.0]),
        ],
    )?;

    // 2. The commune office certifies the dossier as received (P=2: the officials' fields
    //    may still be signed, nothing else may change), then the commune chairman signs.
    //    The demo PKI has two officials; the chairman's certificate stands in for the
    //    office's too.
    let chairman = signer_for(0)?;
    let dossier = sign_bytes(
        &dossier,
        &chairman,
        &SignOptions::new()
            .field_name("VanPhong_UBND")
            .certify(DocMdpPermission::FormFilling)
            .reason("Tiếp nhận hồ sơ")
            .signing_time(now),
    )?;
    let dossier = sign_bytes(
        &dossier,
        &chairman,
        &SignOptions::new()
            .field_name("ChuTich_UBND")
            .reason("Phê duyệt")
            .signing_time(now),
    )?;

    // 3. The city department signs remotely: prepare with the director's certificate only,
    //    keep the state as JSON, poll the service, finish.
    let service = Arc::new(StandInRemoteService {
        signer: signer_for(1)?,
        requests: Mutex::new(HashMap::new()),
    });
    let identity =
        SignerIdentity::from_certificate(pki.officials[1].cert_der.clone(), pki.chain_der())?;
    let state = prepare_bytes(
        &dossier,
        &identity,
        &SignOptions::new()
            .field_name("GiamDoc_So")
            .reason("Chấp thuận")
            .signing_time(now),
    )?;
    let saved_state = state.to_json()?;
    let request = service.request(state.bytes_to_sign()?);
    println!("remote signature requested (#{request}); waiting for the director's approval");
    let signature = loop {
        match service.poll(request) {
            Status::Pending => {
                println!("  … pending");
                thread::sleep(Duration::from_millis(200));
            }
            Status::Approved(signature) => break signature,
        }
    };
    // A restart could happen here: only the JSON state and the input are needed.
    let state = PreparedSignature::from_json(&saved_state)?;
    let dossier = finish_bytes(&state, &signature, &dossier)?;

    // 4. Anyone verifies the final dossier against the root, with the CAs' current CRLs.
    let trust = TrustStore::from_der_certificates([&pki.root.cert_der])?;
    let mut opts = VerifyOptions::new(trust).validation_time(now);
    for crl in [&pki.root_crl_der, &pki.issuing_ca_crl_der] {
        opts.revocation
            .add_crl_der(crl, Origin::Caller)
            .map_err(|e| kyso::Error::Demo(format!("CRL: {e}")))?;
    }
    let report = verify_bytes(&dossier, &opts)?;
    print!("{}", render_text(&report));
    let fields: Vec<_> = report
        .signatures
        .iter()
        .map(|s| s.field_name.clone().unwrap_or_default())
        .collect();
    assert_eq!(fields, ["VanPhong_UBND", "ChuTich_UBND", "GiamDoc_So"]);
    assert_eq!(report.signatures[0].kind, SignatureKind::Certification);
    assert!(report
        .signatures
        .iter()
        .all(|s| s.modifications.policy.contains("DocMDP P2")));
    assert!(report
        .signatures
        .iter()
        .all(|s| s.indication == Indication::TotalPassed));
    // A fresh temporary directory of its own (kept, so that the file can be looked at).
    let tmp = std::env::temp_dir();
    let dir = tempfile::Builder::new()
        .prefix("kyso-example-")
        .tempdir()
        .map_err(|e| kyso::Error::io(&tmp, e))?
        .keep();
    let out = dir.join("ho-so-da-ky.pdf");
    std::fs::write(&out, &dossier).map_err(|e| kyso::Error::io(&out, e))?;
    println!("wrote {}", out.display());
    Ok(())
}
