//! `TSTInfo` (RFC 3161 §2.4.2, RFC 5816): what the authority asserts.
//!
//! ```text
//! TSTInfo ::= SEQUENCE {
//!     version        INTEGER { v1(1) },
//!     policy         TSAPolicyId,
//!     messageImprint MessageImprint,
//!     serialNumber   INTEGER,
//!     genTime        GeneralizedTime,
//!     accuracy       Accuracy OPTIONAL,
//!     ordering       BOOLEAN DEFAULT FALSE,
//!     nonce          INTEGER OPTIONAL,
//!     tsa            [0] GeneralName OPTIONAL,
//!     extensions     [1] IMPLICIT Extensions OPTIONAL }
//! Accuracy ::= SEQUENCE {
//!     seconds INTEGER OPTIONAL,
//!     millis  [0] INTEGER (1..999) OPTIONAL,
//!     micros  [1] INTEGER (1..999) OPTIONAL }
//! ```
//!
//! The module is written with IMPLICIT TAGS, so `millis` and `micros` are primitive
//! context-specific integers; `tsa` is a CHOICE and therefore explicitly tagged.

use crate::report::Accuracy;
use asn1_rs::{Class, Tag};
use time::{Date, Month, OffsetDateTime, Time};
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

use super::error::TspError;
use crate::asn1::der::{Element, Reader};
use crate::crypto::{AlgorithmIdentifier, DigestAlgorithm};
use crate::util::hex;

/// Most extensions read from a TSTInfo.
const MAX_EXTENSIONS: usize = 32;

/// A decoded TSTInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TstInfo {
    /// The version (1).
    pub version: u32,
    /// The policy under which the token was issued (dotted OID).
    pub policy: String,
    /// The message imprint's algorithm, if kyso supports it.
    pub imprint_algorithm: Option<DigestAlgorithm>,
    /// The message imprint's algorithm as named in the token (name or dotted OID).
    pub imprint_algorithm_name: String,
    /// The message imprint: the digest of the timestamped data.
    pub imprint: Vec<u8>,
    /// The serial number (INTEGER content octets).
    pub serial: Vec<u8>,
    /// The time of the timestamp, with its fraction of a second (to the nanosecond).
    pub gen_time: OffsetDateTime,
    /// `genTime` as encoded (e.g. `20240315093000.25Z`).
    pub gen_time_text: String,
    /// The accuracy, when given.
    pub accuracy: Option<Accuracy>,
    /// Whether tokens of this authority are ordered by `genTime` alone.
    pub ordering: bool,
    /// The nonce (INTEGER content octets), when the request had one.
    pub nonce: Option<Vec<u8>>,
    /// The authority's name, when given (a directory name as text, else a description).
    pub tsa: Option<String>,
    /// Extensions: (dotted OID, critical).
    pub extensions: Vec<(String, bool)>,
}

impl TstInfo {
    /// Decodes a DER (or BER) TSTInfo. Nothing may follow it.
    pub fn parse(input: &[u8]) -> Result<TstInfo, TspError> {
        let mut top = Reader::new(input, 0);
        let seq = top.read("TSTInfo")?;
        top.finish("TSTInfo")?;
        seq.expect_universal(Tag::Sequence, "TSTInfo", "SEQUENCE")?;
        let mut f = seq.children();
        let version = f.read("TSTInfo version")?.small_uint("TSTInfo version")?;
        if version != 1 {
            return Err(malformed(format!("version {version}, expected 1")));
        }
        let policy = f
            .read("TSTInfo policy")?
            .oid("TSTInfo policy")?
            .to_id_string();

        let imprint = f.read("messageImprint")?;
        imprint.expect_universal(Tag::Sequence, "messageImprint", "SEQUENCE")?;
        let mut ip = imprint.children();
        let alg = AlgorithmIdentifier::from_element(&ip.read("hashAlgorithm")?)?;
        let digest = ip.read("hashedMessage")?.octet_string("hashedMessage")?;
        ip.finish("messageImprint")?;
        let imprint_algorithm = alg.digest_algorithm();

        let serial = f
            .read("serialNumber")?
            .integer_bytes("serialNumber")?
            .to_vec();
        let gen = f.read("genTime")?;
        if !gen.is_universal(Tag::GeneralizedTime) || gen.constructed {
            return Err(gen.unexpected("genTime", "GeneralizedTime").into());
        }
        let gen_time_text = String::from_utf8_lossy(gen.content).into_owned();
        let gen_time = parse_generalized_time(gen.content)
            .ok_or_else(|| malformed(format!("genTime {gen_time_text:?} is not a valid time")))?;

        let mut accuracy = None;
        let mut ordering = false;
        let mut nonce = None;
        let mut tsa = None;
        let mut extensions = Vec::new();
        // The optional fields, in their order; each may appear once.
        let mut stage = 0u8;
        while !f.is_empty() {
            let e = f.read("TSTInfo field")?;
            let next_stage = if e.is_universal(Tag::Sequence) {
                accuracy = Some(parse_accuracy(&e)?);
                1
            } else if e.is_universal(Tag::Boolean) {
                ordering = e.content.first().is_some_and(|b| *b != 0) && e.content.len() == 1;
                2
            } else if e.is_universal(Tag::Integer) {
                nonce = Some(e.integer_bytes("nonce")?.to_vec());
                3
            } else if e.is_context(0) && e.constructed {
                tsa = Some(general_name(&e)?);
                4
            } else if e.is_context(1) && e.constructed {
                extensions = parse_extensions(&e)?;
                5
            } else {
                return Err(e
                    .unexpected(
                        "TSTInfo",
                        "accuracy, ordering, nonce, tsa [0] or extensions [1]",
                    )
                    .into());
            };
            if next_stage <= stage {
                return Err(malformed("optional fields out of order or repeated".into()));
            }
            stage = next_stage;
        }
        Ok(TstInfo {
            version,
            policy,
            imprint_algorithm,
            imprint_algorithm_name: alg.name(),
            imprint: digest.into_owned(),
            serial,
            gen_time,
            gen_time_text,
            accuracy,
            ordering,
            nonce,
            tsa,
            extensions,
        })
    }

    /// The serial number in hexadecimal.
    pub fn serial_hex(&self) -> String {
        hex(&self.serial)
    }

    /// The latest time the timestamped data is proven to have existed: `genTime` plus the
    /// accuracy (RFC 3161 §2.4.2).
    pub fn latest_time(&self) -> OffsetDateTime {
        match &self.accuracy {
            Some(a) => self.gen_time.saturating_add(a.duration()),
            None => self.gen_time,
        }
    }
}

fn malformed(detail: String) -> TspError {
    TspError::Malformed {
        what: "TSTInfo",
        detail,
    }
}

fn parse_accuracy(e: &Element<'_>) -> Result<Accuracy, TspError> {
    let mut a = Accuracy::default();
    let mut r = e.children();
    let mut stage = 0u8;
    while !r.is_empty() {
        let part = r.read("accuracy")?;
        let next = if part.is_universal(Tag::Integer) {
            a.seconds = u64::from(part.small_uint("accuracy seconds")?);
            1
        } else if part.is_context(0) && !part.constructed {
            a.millis = implicit_sub_second(&part, "accuracy millis")?;
            2
        } else if part.is_context(1) && !part.constructed {
            a.micros = implicit_sub_second(&part, "accuracy micros")?;
            3
        } else {
            return Err(part
                .unexpected("accuracy", "seconds, millis [0] or micros [1]")
                .into());
        };
        if next <= stage {
            return Err(malformed("accuracy fields out of order or repeated".into()));
        }
        stage = next;
    }
    Ok(a)
}

/// A `[n] IMPLICIT INTEGER (1..999)`.
fn implicit_sub_second(e: &Element<'_>, what: &'static str) -> Result<u16, TspError> {
    let bytes = e.content;
    if bytes.is_empty() || bytes.len() > 2 || bytes.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(malformed(format!("{what} is not an integer in 1..999")));
    }
    let v = bytes.iter().fold(0u16, |acc, b| (acc << 8) | u16::from(*b));
    if !(1..=999).contains(&v) {
        return Err(malformed(format!("{what} is {v}, outside 1..999")));
    }
    Ok(v)
}

/// `[0] EXPLICIT GeneralName`, rendered: a directory name as text, other forms described.
fn general_name(e: &Element<'_>) -> Result<String, TspError> {
    let mut inner = e.children();
    let name = inner.read("tsa")?;
    inner.finish("tsa")?;
    if name.class != Class::ContextSpecific {
        return Err(name.unexpected("tsa", "GeneralName").into());
    }
    Ok(match name.tag {
        // directoryName [4] Name (explicit: Name is a CHOICE).
        4 => {
            let mut n = name.children();
            let dn = n.read("tsa directoryName")?;
            match X509Name::from_der(dn.raw) {
                Ok((_, parsed)) => crate::pki::format_name(&parsed),
                Err(_) => format!("directoryName #{}", hex(dn.raw)),
            }
        }
        1 => format!("rfc822Name {}", String::from_utf8_lossy(name.content)),
        2 => format!("dNSName {}", String::from_utf8_lossy(name.content)),
        6 => format!("URI {}", String::from_utf8_lossy(name.content)),
        other => format!("GeneralName [{other}]"),
    })
}

fn parse_extensions(e: &Element<'_>) -> Result<Vec<(String, bool)>, TspError> {
    let mut out = Vec::new();
    let mut r = e.children();
    while !r.is_empty() {
        if out.len() >= MAX_EXTENSIONS {
            return Err(malformed(format!("more than {MAX_EXTENSIONS} extensions")));
        }
        let ext = r.read("Extension")?;
        ext.expect_universal(Tag::Sequence, "Extension", "SEQUENCE")?;
        let mut parts = ext.children();
        let oid = parts.read("extnID")?.oid("extnID")?.to_id_string();
        let mut critical = false;
        let next = parts.read("Extension field")?;
        if next.is_universal(Tag::Boolean) {
            critical = next.content.first().is_some_and(|b| *b != 0);
            parts.read("extnValue")?.octet_string("extnValue")?;
        } else {
            next.octet_string("extnValue")?;
        }
        parts.finish("Extension")?;
        out.push((oid, critical));
    }
    Ok(out)
}

/// `YYYYMMDDhhmmss[.f…]Z` (RFC 3161 §2.4.2: UTC, seconds always present, a fraction without
/// trailing zeros). Digits beyond the nanosecond are dropped.
pub(crate) fn parse_generalized_time(text: &[u8]) -> Option<OffsetDateTime> {
    let (body, rest) = (text.get(..14)?, text.get(14..)?);
    if !body.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        body.get(range)?.iter().try_fold(0u32, |acc, d| {
            acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(num(4..6)?).ok()?).ok()?;
    let day = u8::try_from(num(6..8)?).ok()?;
    let hour = u8::try_from(num(8..10)?).ok()?;
    let minute = u8::try_from(num(10..12)?).ok()?;
    let second = u8::try_from(num(12..14)?).ok()?;
    let (fraction, zone) = match rest.split_first()? {
        (b'.', after) => {
            let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
            let (f, z) = after.split_at(digits);
            if f.is_empty() || f.last() == Some(&b'0') {
                return None;
            }
            (f, z)
        }
        _ => (&[][..], rest),
    };
    if zone != b"Z" {
        return None;
    }
    let mut nanos = 0u32;
    for i in 0..9 {
        let d = fraction.get(i).map_or(0, |d| u32::from(d - b'0'));
        nanos = nanos.checked_mul(10)?.checked_add(d)?;
    }
    let date = Date::from_calendar_date(year, month, day).ok()?;
    // A leap second (60) is not representable: it is read as the last instant of minute.
    let (second, nanos) = if second == 60 {
        (59, 999_999_999)
    } else {
        (second, nanos)
    };
    let time = Time::from_hms_nano(hour, minute, second, nanos).ok()?;
    Some(date.with_time(time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn generalized_time_with_fractions() {
        assert_eq!(
            parse_generalized_time(b"20201101000000Z"),
            Some(datetime!(2020-11-01 0:00 UTC))
        );
        assert_eq!(
            parse_generalized_time(b"20240315093000.25Z"),
            Some(datetime!(2024-03-15 9:30:00.25 UTC))
        );
        assert_eq!(
            parse_generalized_time(b"20240315093000.123456789123Z"),
            Some(datetime!(2024-03-15 9:30:00.123456789 UTC))
        );
        for bad in [
            &b"20240315093000.250Z"[..],
            b"20240315093000.Z",
            b"20240315093000",
            b"202403150930Z",
            b"20240315093000+0700",
            b"20241315093000Z",
            b"2024031509300aZ",
        ] {
            assert_eq!(parse_generalized_time(bad), None, "{bad:?}");
        }
    }

    fn tst_info(optional: &[u8]) -> Vec<u8> {
        use crate::asn1::der;
        let imprint = der::sequence(&[
            &DigestAlgorithm::Sha256.algorithm_identifier_der().unwrap(),
            &der::octet_string(&[7u8; 32]).unwrap(),
        ])
        .unwrap();
        let gen = der::tlv(Class::Universal, false, 24, b"20240315093000.5Z").unwrap();
        der::sequence(&[
            &der::small_integer(1).unwrap(),
            &der::oid(&asn1_rs::oid!(1.2.3 .4)).unwrap(),
            &imprint,
            &der::small_integer(42).unwrap(),
            &gen,
            optional,
        ])
        .unwrap()
    }

    #[test]
    fn parses_every_field() {
        use crate::asn1::der;
        let accuracy = der::sequence(&[
            &der::small_integer(1).unwrap(),
            &der::tlv(Class::ContextSpecific, false, 0, &[0x01, 0xf4]).unwrap(),
        ])
        .unwrap();
        let ordering = [0x01, 0x01, 0xff];
        let nonce = der::integer_from_content(&[0x00, 0x99]).unwrap();
        let cn = der::tlv(Class::Universal, false, 12, b"TSA").unwrap();
        let atv = der::sequence(&[&der::oid(&asn1_rs::oid!(2.5.4 .3)).unwrap(), &cn]).unwrap();
        let name = der::sequence(&[&der::set_of(vec![atv]).unwrap()]).unwrap();
        let tsa = der::explicit(0, &der::explicit(4, &name).unwrap()).unwrap();
        let optional = [accuracy, ordering.to_vec(), nonce, tsa].concat();
        let info = TstInfo::parse(&tst_info(&optional)).unwrap();
        assert_eq!(info.policy, "1.2.3.4");
        assert_eq!(info.imprint_algorithm, Some(DigestAlgorithm::Sha256));
        assert_eq!(info.imprint, vec![7u8; 32]);
        assert_eq!(info.serial_hex(), "2a");
        assert_eq!(info.gen_time, datetime!(2024-03-15 9:30:00.5 UTC));
        assert_eq!(
            info.accuracy,
            Some(Accuracy {
                seconds: 1,
                millis: 500,
                micros: 0
            })
        );
        assert_eq!(info.latest_time(), datetime!(2024-03-15 9:30:02 UTC));
        assert!(info.ordering);
        assert_eq!(info.nonce, Some(vec![0x00, 0x99]));
        assert_eq!(info.tsa.as_deref(), Some("CN=TSA"));
    }

    #[test]
    fn refuses_disorder_and_bad_values() {
        let nonce = crate::asn1::der::integer_from_content(&[1]).unwrap();
        let ordering = [0x01u8, 0x01, 0xff];
        assert!(TstInfo::parse(&tst_info(&[nonce.clone(), ordering.to_vec()].concat())).is_err());
        assert!(TstInfo::parse(&tst_info(&[nonce.clone(), nonce].concat())).is_err());
        let bad_millis = crate::asn1::der::sequence(&[&crate::asn1::der::tlv(
            Class::ContextSpecific,
            false,
            0,
            &[0x03, 0xe8],
        )
        .unwrap()])
        .unwrap();
        assert!(TstInfo::parse(&tst_info(&bad_millis)).is_err());
        assert!(TstInfo::parse(&[0x30, 0x00]).is_err());
        let mut trailing = tst_info(&[]);
        trailing.push(0);
        assert!(TstInfo::parse(&trailing).is_err());
    }
}
