//! The standard security handler against values qpdf 11.3 wrote (`qpdf --encrypt kyso chu
//! 40|128|256`, user password "kyso", owner password "chu", over the demo dossier whose
//! first `/ID` string is "kyso-demo-dossier"): the encryption dictionaries and the encrypted
//! `/Producer` string "kyso demo" of object 2. Whole files from every handler are tested
//! against qpdf and pyHanko in tests/encrypted.rs.

use super::*;
use crate::pdf::object::PdfString;

const ID0: &[u8] = b"kyso-demo-dossier";

fn hex(s: &str) -> Vec<u8> {
    crate::asn1::hex::decode(s).unwrap()
}

fn string(s: &str) -> Object {
    Object::String(PdfString::hex(hex(s)))
}

fn name(s: &str) -> Object {
    Object::Name(Name::from(s))
}

fn std_cf(cfm: &str) -> Object {
    let mut f = Dict::new();
    f.set("CFM", name(cfm));
    f.set("AuthEvent", name("DocOpen"));
    let mut cf = Dict::new();
    cf.set("StdCF", f);
    Object::Dict(cf)
}

/// RC4 40-bit, revision 2.
fn r2() -> Dict {
    let mut d = Dict::new();
    d.set("Filter", name("Standard"));
    d.set("V", 1i64);
    d.set("R", 2i64);
    d.set("Length", 40i64);
    d.set("P", -4i64);
    d.set(
        "O",
        string("dcaa0e71f081f4eb72080e906eb73382e89273388ceb87a87d8f34232f6e7192"),
    );
    d.set(
        "U",
        string("b13e07c9db593d758dbb032f493e011b474bc7157d4f3ac32c21ced15d4724c4"),
    );
    d
}

/// RC4 128-bit, revision 3 (`aes` false) or AES-128, revision 4.
fn r34(aes: bool) -> Dict {
    let mut d = Dict::new();
    d.set("Filter", name("Standard"));
    d.set("V", if aes { 4i64 } else { 2 });
    d.set("R", if aes { 4i64 } else { 3 });
    d.set("Length", 128i64);
    d.set("P", -4i64);
    d.set(
        "O",
        string("97d1a22320a2d15e854a73d717f8d96322ddb9a48b6d7db439d4af45d0e0c6bd"),
    );
    d.set(
        "U",
        string("83e4edd72453e611617ffcc9f621babe0122456a91bae5134273a6db134c87c4"),
    );
    if aes {
        d.set("CF", std_cf("AESV2"));
        d.set("StmF", name("StdCF"));
        d.set("StrF", name("StdCF"));
    }
    d
}

/// AES-256, revision 6.
fn r6() -> Dict {
    let mut d = Dict::new();
    d.set("Filter", name("Standard"));
    d.set("V", 5i64);
    d.set("R", 6i64);
    d.set("Length", 256i64);
    d.set("P", -4i64);
    d.set("CF", std_cf("AESV3"));
    d.set("StmF", name("StdCF"));
    d.set("StrF", name("StdCF"));
    d.set("O", string("e31a53106174fcc3da9e254d9741a3b4df40f2479af9104673404131981233eff6bdc3e807a9030be8c6d514de75ee2a"));
    d.set(
        "OE",
        string("84595c7d5af4c30174aee899a0364a4d3e6f59b90d6e512852abfc1975cadb05"),
    );
    d.set("U", string("6d087af3d4ce2367b92a7075165ca3dbe3e7a317a5a3f4cb84b70cfefc5a0620c25774af3b23f545d4eaec706924bc09"));
    d.set(
        "UE",
        string("744fa15fea5d1173e94442d2907c4792709014dc782bd346e30360c3bcf306b7"),
    );
    d.set("Perms", string("f640c9a2c6852cebf52dfdb267466b72"));
    d
}

fn producer(c: &Crypt, encrypted: &str) -> Vec<u8> {
    let mut obj = string(encrypted);
    c.decrypt_object(ObjRef::new(2, 0), &mut obj).unwrap();
    obj.as_string().unwrap().bytes.clone()
}

#[test]
fn qpdf_keys_open_with_the_user_and_the_owner_password_section_7_6_4() {
    let cases: [(Dict, &str, u16, CryptMethod); 4] = [
        (r2(), "081453859d4fb87dc3", 40, CryptMethod::Rc4),
        (r34(false), "", 128, CryptMethod::Rc4),
        (
            r34(true),
            "6d9d84b632ee931b8fb6b66e3f456a83f1dac0286da4dc4e2ed5690498629bb1",
            128,
            CryptMethod::AesV2,
        ),
        (
            r6(),
            "b6f4087827975f8667d2b09532c66a61b80b71313210995ad524d12332a51509",
            256,
            CryptMethod::AesV3,
        ),
    ];
    for (dict, encrypted_producer, bits, method) in cases {
        let user = Crypt::open(&dict, None, ID0, Some(&Password::from("kyso"))).unwrap();
        assert_eq!(user.info.access, Access::User);
        assert_eq!(user.info.key_bits, bits);
        assert_eq!(user.info.streams, method);
        assert!(!user.info.empty_password);
        let owner = Crypt::open(&dict, None, ID0, Some(&Password::from("chu"))).unwrap();
        assert_eq!(owner.info.access, Access::Owner);
        assert_eq!(owner.info.effective_permissions(), Permissions::ALL);
        // Algorithm 7 recovers the user password: the same file key.
        assert_eq!(user.key, owner.key);
        if !encrypted_producer.is_empty() {
            assert_eq!(producer(&user, encrypted_producer), b"kyso demo");
        }
        assert_eq!(
            Crypt::open(&dict, None, ID0, None).unwrap_err(),
            EncryptionError::PasswordRequired
        );
        assert_eq!(
            Crypt::open(&dict, None, ID0, Some(&Password::from("sai"))).unwrap_err(),
            EncryptionError::WrongPassword
        );
        // Another first /ID string is another key (revisions 2–4 bind it).
        let other_id = Crypt::open(&dict, None, b"other", Some(&Password::from("kyso")));
        assert_eq!(other_id.is_ok(), method == CryptMethod::AesV3);
    }
}

#[test]
fn revision_6_perms_must_match_p() {
    let mut d = r6();
    d.set("P", -8i64);
    assert_eq!(
        Crypt::open(&d, None, ID0, Some(&Password::from("kyso"))).unwrap_err(),
        EncryptionError::Malformed {
            what: "/Perms does not match /P under the file key"
        }
    );
    let mut d = r6();
    d.remove(b"Perms");
    assert!(matches!(
        Crypt::open(&d, None, ID0, Some(&Password::from("kyso"))),
        Err(EncryptionError::Malformed { .. })
    ));
}

#[test]
fn malformed_or_unknown_encryption_fails_closed() {
    let open = |d: &Dict| Crypt::open(d, None, ID0, Some(&Password::from("kyso")));
    let unsupported = |d: &Dict| matches!(open(d), Err(EncryptionError::Unsupported { .. }));
    let malformed = |d: &Dict| matches!(open(d), Err(EncryptionError::Malformed { .. }));

    let mut d = r2();
    d.set("Filter", name("Adobe.PubSec"));
    assert!(unsupported(&d));
    let mut d = r2();
    d.remove(b"Filter");
    assert!(malformed(&d));
    for (v, r) in [(3i64, 3i64), (0, 2), (1, 7), (6, 6)] {
        let mut d = r2();
        d.set("V", v);
        d.set("R", r);
        assert!(unsupported(&d), "/V {v} /R {r}");
    }
    let mut d = r2();
    d.set("R", 4i64);
    assert!(malformed(&d), "/V 1 with /R 4");
    // An indirect value anywhere in the dictionary.
    let mut d = r2();
    d.set("O", ObjRef::new(9, 0));
    assert!(malformed(&d));
    let mut d = r34(true);
    let mut cf = Dict::new();
    cf.set("StdCF", ObjRef::new(9, 0));
    d.set("CF", cf);
    assert!(malformed(&d));
    // Wrong types and sizes.
    let mut d = r2();
    d.set("P", name("x"));
    assert!(malformed(&d));
    let mut d = r2();
    d.set("P", 1i64 << 40);
    assert!(malformed(&d));
    let mut d = r2();
    d.set("U", string("00"));
    assert!(malformed(&d));
    let mut d = r34(false);
    d.set("Length", 41i64);
    assert!(malformed(&d));
    let mut d = r6();
    d.set("UE", string("00"));
    assert!(malformed(&d));
    // Crypt filters: an unknown method, a missing filter, a method that does not fit /V.
    let mut d = r34(true);
    d.set("CF", std_cf("ROT13"));
    assert!(unsupported(&d));
    let mut d = r34(true);
    d.set("StmF", name("Missing"));
    assert!(malformed(&d));
    let mut d = r34(true);
    d.set("CF", std_cf("AESV3"));
    assert!(malformed(&d));
    let mut d = r34(true);
    d.set("EncryptMetadata", 1i64);
    assert!(malformed(&d));
}

#[test]
fn identity_filters_and_encrypt_metadata_false_leave_data_in_the_clear_section_7_6_6() {
    // /EncryptMetadata false changes the key (algorithm 2, step f): qpdf's values no
    // longer open. Check the rules without the password, on a key made here.
    let c = Crypt {
        key: vec![1; 16],
        strings: CryptMethod::None,
        streams: CryptMethod::AesV2,
        embedded: CryptMethod::Rc4,
        named: vec![(b"StdCF".to_vec(), CryptMethod::AesV2)],
        encrypt_metadata: false,
        encrypt_ref: None,
        info: Crypt::open(&r34(true), None, ID0, Some(&Password::from("kyso")))
            .unwrap()
            .info,
    };
    let typed = |t: &str| {
        let mut s = Dict::new();
        s.set("Type", name(t));
        s
    };
    assert_eq!(
        c.stream_method(&typed("Metadata"), None),
        Ok(CryptMethod::None)
    );
    assert_eq!(c.stream_method(&typed("XRef"), None), Ok(CryptMethod::None));
    assert_eq!(
        c.stream_method(&typed("EmbeddedFile"), None),
        Ok(CryptMethod::Rc4)
    );
    assert_eq!(c.stream_method(&Dict::new(), None), Ok(CryptMethod::AesV2));
    // A stream's own /Crypt filter: /Identity by default, or a named filter.
    assert_eq!(
        c.stream_method(&Dict::new(), Some(None)),
        Ok(CryptMethod::None)
    );
    let mut params = Dict::new();
    params.set("Name", name("StdCF"));
    assert_eq!(
        c.stream_method(&Dict::new(), Some(Some(&params))),
        Ok(CryptMethod::AesV2)
    );
    params.set("Name", name("Nope"));
    assert!(c.stream_method(&Dict::new(), Some(Some(&params))).is_err());
    // Strings with the /Identity string filter stay as they are.
    let mut s = string("0102");
    c.decrypt_object(ObjRef::new(5, 0), &mut s).unwrap();
    assert_eq!(s.as_string().unwrap().bytes, [1, 2]);
}

#[test]
fn signature_contents_are_never_decrypted_section_7_6_2() {
    let c = Crypt::open(
        &r34(true),
        Some(ObjRef::new(8, 0)),
        ID0,
        Some(&Password::from("kyso")),
    )
    .unwrap();
    let mut iv = 0u8;
    let mut next_iv = || {
        iv += 1;
        [iv; 16]
    };
    let id = ObjRef::new(12, 0);
    let sig = |ty: Option<&str>| {
        let mut d = Dict::new();
        if let Some(t) = ty {
            d.set("Type", name(t));
        }
        d.set("ByteRange", vec![Object::Integer(0)]);
        d.set("Contents", Object::String(PdfString::hex(vec![0x30, 0x80])));
        d.set("Reason", Object::String(PdfString::text("Phê duyệt")));
        Object::Dict(d)
    };
    for ty in [Some("Sig"), Some("DocTimeStamp"), None] {
        // As a writer would store it: every string encrypted but /Contents.
        let mut stored = sig(ty);
        c.encrypt_object(id, &mut stored, &mut next_iv).unwrap();
        let d = stored.as_dict().unwrap();
        assert_eq!(
            d.get(b"Contents"),
            sig(ty).as_dict().unwrap().get(b"Contents")
        );
        assert_ne!(d.get(b"Reason"), sig(ty).as_dict().unwrap().get(b"Reason"));
        c.decrypt_object(id, &mut stored).unwrap();
        assert_eq!(stored, sig(ty));
    }
    // Any other dictionary's /Contents is an ordinary string (an annotation's text).
    let mut annot = Dict::new();
    annot.set("Type", name("Annot"));
    annot.set("Contents", Object::String(PdfString::literal("ghi chú")));
    let mut stored = Object::Dict(annot.clone());
    c.encrypt_object(id, &mut stored, &mut next_iv).unwrap();
    assert_ne!(stored, Object::Dict(annot.clone()));
    c.decrypt_object(id, &mut stored).unwrap();
    assert_eq!(stored, Object::Dict(annot));
    // The encryption dictionary's own object is never decrypted.
    let mut e = string("00112233");
    c.decrypt_object(ObjRef::new(8, 0), &mut e).unwrap();
    assert_eq!(e, string("00112233"));
    // Ciphertext that is not an IV and whole blocks is an error, not plaintext.
    let mut bad = string("0011");
    assert!(matches!(
        c.decrypt_object(id, &mut bad),
        Err(EncryptionError::Decrypt { .. })
    ));
}

#[test]
fn permissions_read_the_bits_of_p_table_22() {
    let p = Permissions::from_bits((-3904i32) as u32); // bits 3–6 and 9–12 cleared
    assert!(!p.print() && !p.modify() && !p.copy() && !p.annotate());
    assert!(!p.fill_forms() && !p.assemble());
    let all = Permissions::from_bits((-4i32) as u32);
    assert!(all.print() && all.modify() && all.annotate() && all.fill_forms());
    assert!(all.summary(Lang::Vi).contains("in: có"));
    assert_eq!(format!("{:?}", Password::from("bí mật")), "Password(…)");
}

#[test]
#[cfg(feature = "saslprep")]
fn aes256_passwords_are_prepared_with_saslprep_7_6_4_3_3() {
    // ISO 32000-2 §7.6.4.3.3 and RFC 4013: a soft hyphen and a zero-width joiner map to
    // nothing, a no-break space to a space, then NFKC (a decomposed "ư" composes).
    let forms = |s: &str| super::Password::from(s).forms(6);
    assert!(forms("mat\u{AD}khau\u{200D}").contains(&b"matkhau".to_vec()));
    assert!(forms("mat\u{A0}khau").contains(&b"mat khau".to_vec()));
    assert!(forms("u\u{31B}").contains(&"\u{1B0}".as_bytes().to_vec()));
    // Revisions 2-4 are not prepared (their passwords are bytes).
    assert!(!forms("x").is_empty());
    assert!(!super::Password::from("mat\u{AD}khau")
        .forms(4)
        .contains(&b"matkhau".to_vec()));
    // A password SASLprep prohibits (a control character) is still tried as given and NFKC.
    assert_eq!(forms("a\u{7}b"), vec![b"a\x07b".to_vec()]);
}
