//! Empty signature fields for later signers: a dossier gets one field per official, each
//! official signs their own field, and kyso and pyHanko validate every signature.

mod common;

use std::process::Command;

use common::keys::{assert_kyso_valid, assert_pyhanko_valid, kyso_bin};
use common::pki::TestPki;
use common::vectors::{base, Base};
use kyso::sign::fields::{add_fields_bytes, FieldSpec};
use kyso::sign::{sign_file, SignOptions};
use time::OffsetDateTime;

#[test]
fn fields_are_added_then_signed_in_turn() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let d = dir.path();
    let root = pki.write_root(d);

    // Two fields in one update (library), a third with the CLI.
    let with_two = add_fields_bytes(
        &base(Base::Stream),
        &[
            FieldSpec::new("CanBo_TiepNhan", 1, [72.0, 72.0, 160.0, 50.0]),
            FieldSpec::new("ChuTich_UBND", 1, [250.0, 72.0, 160.0, 50.0]),
        ],
    )
    .unwrap();
    let two = d.join("two.pdf");
    std::fs::write(&two, &with_two).unwrap();
    let three = d.join("three.pdf");
    let out = Command::new(kyso_bin())
        .args([
            "fields",
            "add",
            "--name",
            "GiamDoc_So",
            "--page",
            "1",
            "--rect",
            "400,72,150,50",
        ])
        .arg(&two)
        .arg("-o")
        .arg(&three)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(std::fs::read(&three).unwrap().starts_with(&with_two));

    // Refusals: a duplicate name, a bad rectangle, a missing page.
    for (spec, why) in [
        (
            FieldSpec::new("ChuTich_UBND", 1, [0.0, 0.0, 10.0, 10.0]),
            "already exists",
        ),
        (
            FieldSpec::new("X", 1, [0.0, 0.0, -1.0, 10.0]),
            "positive width",
        ),
        (FieldSpec::new("Y", 9, [0.0, 0.0, 10.0, 10.0]), "page 9"),
    ] {
        let err = add_fields_bytes(&with_two, &[spec]).unwrap_err();
        assert!(err.to_string().contains(why), "{err}");
    }

    if let Some(pyhanko) = common::interop::Pyhanko::find() {
        let fields = pyhanko.list_fields(&three).unwrap();
        assert_eq!(
            fields,
            vec![
                ("CanBo_TiepNhan".to_owned(), "EMPTY".to_owned()),
                ("ChuTich_UBND".to_owned(), "EMPTY".to_owned()),
                ("GiamDoc_So".to_owned(), "EMPTY".to_owned()),
            ]
        );
    }

    // Each official signs their own field.
    let mut current = three;
    for (i, (field, signer)) in [
        ("CanBo_TiepNhan", &pki.p256),
        ("ChuTich_UBND", &pki.rsa2048),
        ("GiamDoc_So", &pki.p384),
    ]
    .into_iter()
    .enumerate()
    {
        let next = d.join(format!("signed-{i}.pdf"));
        sign_file(
            &current,
            &next,
            &signer.signer(),
            &SignOptions::new().field_name(field).signing_time(now),
        )
        .unwrap();
        assert_kyso_valid(&next, &pki, now, i + 1);
        current = next;
    }
    assert_pyhanko_valid(&current, &root, 3);
}
