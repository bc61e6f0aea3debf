//! Forms from untrusted PDFs: list the fields, fill each with a value of its kind (text in
//! Vietnamese, on, the first option, every option), flatten. Refusals are fine; panics are
//! not, and a fill that succeeds must read back.
#![no_main]

use kyso::form::{
    fill_bytes, flatten_bytes, list_fields, FieldKind, FieldValue, FillOptions, FormValues,
};
use kyso::pdf::Document;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = Document::open(data) else {
        return;
    };
    let Ok(fields) = list_fields(&doc) else {
        return;
    };
    let mut values = FormValues::new();
    for f in fields.iter().take(64) {
        let value: FieldValue = match f.kind {
            FieldKind::Text => "Nguyễn Thị Hương\nHuế".into(),
            FieldKind::CheckBox => true.into(),
            FieldKind::RadioGroup | FieldKind::ComboBox => match f.options.first() {
                Some(o) => o.export.clone().into(),
                None => "x".into(),
            },
            FieldKind::ListBox => f
                .options
                .iter()
                .map(|o| o.export.clone())
                .collect::<Vec<_>>()
                .into(),
            _ => continue,
        };
        values.set(f.name.clone(), value);
    }
    if !values.is_empty() {
        if let Ok(filled) = fill_bytes(data, &values, &FillOptions::new()) {
            let doc = Document::open(filled.as_slice()).expect("a filled file opens");
            list_fields(&doc).expect("a filled form lists");
        }
    }
    let _ = flatten_bytes(data);
});
