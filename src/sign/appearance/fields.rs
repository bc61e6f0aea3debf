//! The values an appearance shows: from the signer's certificate (common name, organisation,
//! title), from the signing options (reason, location, time) and from the appearance options
//! (title, document number, copy form), with the time in Vietnam's `dd/MM/yyyy HH:mm:ss
//! +07:00` form or ISO 8601.

use std::collections::BTreeMap;

use time::{OffsetDateTime, UtcOffset};
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

use super::error::AppearanceError;
use super::{Appearance, TimeStyle};
use crate::sign::SignOptions;

/// The placeholders a template may use, with what each holds.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    (
        "signer",
        "the signer's name: the appearance option, else /Name, else the certificate's CN",
    ),
    (
        "organization",
        "the organisation: the appearance option, else the certificate's O",
    ),
    (
        "title",
        "the signer's title (chức vụ): the appearance option, else the certificate's title",
    ),
    (
        "time",
        "signing time in the chosen style (default dd/MM/yyyy HH:mm:ss +07:00)",
    ),
    (
        "time_iso",
        "signing time in ISO 8601 with offset (yyyy-MM-ddTHH:mm:ss+07:00)",
    ),
    ("date", "signing date, dd/MM/yyyy"),
    ("reason", "/Reason"),
    ("location", "/Location"),
    ("contact", "/ContactInfo"),
    (
        "document_number",
        "the document's number and symbol (số và ký hiệu)",
    ),
    (
        "copy_form",
        "the copy form (hình thức sao: SAO Y, SAO LỤC, TRÍCH SAO)",
    ),
    ("issuer", "the certificate issuer's CN"),
];

/// Placeholder values; absent ones are empty.
#[derive(Debug, Clone, Default)]
pub(crate) struct Values(BTreeMap<&'static str, String>);

impl Values {
    /// Gathers the values for one signature.
    pub fn gather(
        ap: &Appearance,
        opts: &SignOptions,
        certificate_der: &[u8],
        signing_time: OffsetDateTime,
    ) -> Result<Values, AppearanceError> {
        let subject = CertNames::read(certificate_der);
        let mut v = BTreeMap::new();
        let mut set = |k: &'static str, val: Option<String>| {
            if let Some(s) = val.filter(|s| !s.trim().is_empty()) {
                v.insert(k, s);
            }
        };
        set(
            "signer",
            ap.signer_name
                .clone()
                .or_else(|| opts.name.clone())
                .or(subject.common_name),
        );
        set(
            "organization",
            ap.organization.clone().or(subject.organization),
        );
        set("title", ap.title.clone().or(subject.title));
        set("issuer", subject.issuer_common_name);
        set("reason", opts.reason.clone());
        set("location", opts.location.clone());
        set("contact", opts.contact_info.clone());
        set("document_number", ap.document_number.clone());
        set("copy_form", ap.copy_form.clone());
        let local = signing_time.to_offset(ap.time_offset);
        set(
            "time",
            Some(match ap.time_style {
                TimeStyle::Vietnamese => format_vietnamese(local),
                TimeStyle::Iso8601 => format_iso(local),
            }),
        );
        set("time_iso", Some(format_iso(local)));
        set(
            "date",
            Some(format!(
                "{:02}/{:02}/{:04}",
                local.day(),
                u8::from(local.month()),
                local.year()
            )),
        );
        Ok(Values(v))
    }

    /// The value of `name`, if it is known and set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A value for tests.
    #[cfg(test)]
    pub fn with(mut self, k: &'static str, v: &str) -> Self {
        self.0.insert(k, v.to_string());
        self
    }
}

/// `{name}` placeholders replaced; `{{` and `}}` stand for braces. `Ok(None)` when the text
/// has placeholders and all of them are empty: the row has nothing to say.
pub(crate) fn substitute(text: &str, values: &Values) -> Result<Option<String>, AppearanceError> {
    let mut out = String::with_capacity(text.len());
    let mut placeholders = 0usize;
    let mut filled = 0usize;
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(rest.get(..i).unwrap_or_default());
        let tail = rest.get(i..).unwrap_or_default();
        if let Some(r) = tail.strip_prefix("{{") {
            out.push('{');
            rest = r;
        } else if let Some(r) = tail.strip_prefix("}}") {
            out.push('}');
            rest = r;
        } else if let Some(r) = tail.strip_prefix('{') {
            let end = r.find('}').ok_or_else(|| AppearanceError::Template {
                origin: crate::draw::Origin::Bytes,
                reason: format!("unclosed {{ in \"{text}\""),
            })?;
            let name = r.get(..end).unwrap_or_default();
            if !PLACEHOLDERS.iter().any(|(p, _)| *p == name) {
                return Err(AppearanceError::UnknownPlaceholder {
                    name: name.to_string(),
                    text: text.to_string(),
                    known: PLACEHOLDERS
                        .iter()
                        .map(|(p, _)| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                });
            }
            placeholders += 1;
            if let Some(v) = values.get(name) {
                filled += 1;
                out.push_str(v);
            }
            rest = r.get(end + 1..).unwrap_or_default();
        } else {
            // A lone `}`.
            out.push('}');
            rest = tail.get(1..).unwrap_or_default();
        }
    }
    out.push_str(rest);
    if placeholders > 0 && filled == 0 {
        return Ok(None);
    }
    Ok(Some(out))
}

/// `dd/MM/yyyy HH:mm:ss +07:00`.
pub fn format_vietnamese(t: OffsetDateTime) -> String {
    format!(
        "{:02}/{:02}/{:04} {:02}:{:02}:{:02} {}",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute(),
        t.second(),
        offset_text(t.offset())
    )
}

/// `yyyy-MM-ddTHH:mm:ss+07:00`.
pub fn format_iso(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        offset_text(t.offset())
    )
}

fn offset_text(o: UtcOffset) -> String {
    let (h, m, _) = o.as_hms();
    let sign = if o.is_negative() { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
}

/// The subject and issuer names an appearance may show.
#[derive(Debug, Default)]
struct CertNames {
    common_name: Option<String>,
    organization: Option<String>,
    title: Option<String>,
    issuer_common_name: Option<String>,
}

impl CertNames {
    /// Reads the names; a certificate that does not parse gives none (the signer checked it
    /// already).
    fn read(der: &[u8]) -> CertNames {
        let Ok((_, cert)) = X509Certificate::from_der(der) else {
            return CertNames::default();
        };
        let subject = cert.subject();
        CertNames {
            common_name: attribute(subject, "2.5.4.3"),
            organization: attribute(subject, "2.5.4.10"),
            title: attribute(subject, "2.5.4.12"),
            issuer_common_name: attribute(cert.issuer(), "2.5.4.3"),
        }
    }
}

/// The first value of the attribute `oid` in `name`, decoded from any directory string type.
fn attribute(name: &X509Name<'_>, oid: &str) -> Option<String> {
    name.iter_attributes()
        .find(|a| a.attr_type().to_id_string() == oid)
        .and_then(|a| directory_string(a.attr_value()))
}

fn directory_string(any: &asn1_rs::Any<'_>) -> Option<String> {
    use asn1_rs::Tag;
    let data = any.data;
    let text = match any.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            String::from_utf8_lossy(data).into_owned()
        }
        // T.61: in practice Latin-1.
        Tag::TeletexString => data.iter().map(|&b| char::from(b)).collect(),
        Tag::BmpString => {
            let units: Vec<u16> = data
                .chunks(2)
                .map(|c| u16::from_be_bytes([c.first().copied()?, c.get(1).copied()?]).into())
                .collect::<Option<Vec<u16>>>()?;
            String::from_utf16_lossy(&units)
        }
        Tag::UniversalString => data
            .chunks(4)
            .map(|c| {
                let b: [u8; 4] = c.try_into().ok()?;
                Some(char::from_u32(u32::from_be_bytes(b)).unwrap_or('\u{fffd}'))
            })
            .collect::<Option<String>>()?,
        _ => return None,
    };
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn vietnamese_and_iso_times() {
        let t = datetime!(2024-03-15 02:30:05 UTC).to_offset(time::macros::offset!(+7));
        assert_eq!(format_vietnamese(t), "15/03/2024 09:30:05 +07:00");
        assert_eq!(format_iso(t), "2024-03-15T09:30:05+07:00");
        let w = datetime!(2024-03-15 02:30:05 UTC).to_offset(time::macros::offset!(-3:30));
        assert_eq!(format_iso(w), "2024-03-14T23:00:05-03:30");
    }

    #[test]
    fn placeholders() {
        let v = Values::default()
            .with("signer", "Nguyễn Văn An")
            .with("organization", "UBND tỉnh Thừa Thiên Huế");
        assert_eq!(
            substitute("Người ký: {signer}", &v).unwrap().as_deref(),
            Some("Người ký: Nguyễn Văn An")
        );
        assert_eq!(substitute("Cơ quan: {title}", &v).unwrap(), None);
        assert_eq!(
            substitute("{{literal}} }", &v).unwrap().as_deref(),
            Some("{literal} }")
        );
        assert!(matches!(
            substitute("{nope}", &v),
            Err(AppearanceError::UnknownPlaceholder { .. })
        ));
        assert!(substitute("{signer", &v).is_err());
    }
}
