//! Refusals a caller can match on (`kyso::Refusal` in `kyso::Error::Refused`), through the
//! public API: each case below used to be one free-text message.

mod common;

use common::attacks::{form_doc, hand_pdf, sign};
use common::pki::TestPki;
use kyso::report::Lang;
use kyso::sign::{sign_bytes, DocMdpPermission, FieldLockSpec, SignOptions};
use kyso::{Error, Refusal};
use time::OffsetDateTime;

fn refusal(result: Result<Vec<u8>, Error>) -> Refusal {
    match result {
        Err(Error::Refused { refusal, .. }) => refusal,
        Err(e) => panic!("not a refusal: {e}"),
        Ok(_) => panic!("not refused"),
    }
}

#[test]
fn refusals_are_variants_with_their_message_in_both_languages() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let a = pki.rsa2048.signer();
    let b = pki.p256.signer();
    let opts = || SignOptions::new().signing_time(now);

    // ISO 32000-2 §7.6: an encrypted document (RC4 40-bit with an empty user password,
    // qpdf's values, every permission) is not refused for its encryption: the update is
    // written encrypted with the document's key (tests/encrypted.rs: peers, /P refusals).
    let encrypted = hand_pdf(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec()),
            (
                3,
                b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <c92422687facee686e373f10b5c7d04738053152f7e2ee30e11c69ec442576ab> /U <c96896754370fe2b9ae9ca422630c265ccf2cc99671f1fdfc6f9f81cdc9e2f26> >>".to_vec(),
            ),
        ],
        "/Encrypt 3 0 R /ID [(kyso-demo-dossier) (kyso-demo-dossier)]",
    );
    // This one has no page: refused for that, past the encryption.
    let why = refusal(sign_bytes(&encrypted, &b, &opts()));
    assert_eq!(why, Refusal::NoSuchPage { page: 1, pages: 0 });

    // §12.8.2.2: DocMDP P=1 forbids every change, a signature too.
    let p1 = sign(&form_doc(), &a, now, |o| {
        o.certify(DocMdpPermission::NoChanges)
    });
    let why = refusal(sign_bytes(&p1, &b, &opts()));
    assert_eq!(why, Refusal::DocMdpForbids { level: 1 });
    assert!(why.to_string().contains("P=1"), "{why}");

    // §12.8.2.4: a field locked by an earlier signature's FieldMDP.
    let locked = sign(&form_doc(), &a, now, |o| {
        o.lock_fields(FieldLockSpec::Include(vec!["PheDuyet".into()]))
    });
    match refusal(sign_bytes(&locked, &b, &opts().field_name("PheDuyet"))) {
        Refusal::FieldLocked { field, holder, .. } => {
            assert_eq!(field, "PheDuyet");
            assert!(!holder.is_empty() && holder != "PheDuyet", "{holder}");
        }
        other => panic!("{other:?}"),
    }

    // A signature field that already holds a signature.
    let signed = sign(&form_doc(), &a, now, |o| o.field_name("PheDuyet"));
    let why = refusal(sign_bytes(&signed, &b, &opts().field_name("PheDuyet")));
    assert_eq!(
        why,
        Refusal::AlreadySigned {
            field: "PheDuyet".into()
        }
    );
    assert_eq!(why.text(Lang::Vi), "ô \"PheDuyet\" đã được ký");

    // A field that is not a signature field, and a page that does not exist.
    let why = refusal(sign_bytes(&form_doc(), &b, &opts().field_name("SoHoSo")));
    assert_eq!(
        why,
        Refusal::NotASignatureField {
            name: "SoHoSo".into()
        }
    );
    let why = refusal(sign_bytes(&form_doc(), &b, &opts().page(9)));
    assert_eq!(why, Refusal::NoSuchPage { page: 9, pages: 1 });

    // The error names the refusal the same way it is matched.
    let e = sign_bytes(&p1, &b, &opts()).unwrap_err();
    assert_eq!(e.refusal(), Some(&Refusal::DocMdpForbids { level: 1 }));
}
