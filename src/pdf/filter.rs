//! Stream filters (ISO 32000-2 §7.4): decoding with a hard limit on the output size.
//!
//! Supported: `FlateDecode` (zlib, or raw deflate when the zlib header is missing), with PNG
//! predictors 10–15 and the TIFF predictor 2; `LZWDecode` (same predictors);
//! `ASCIIHexDecode`; `ASCII85Decode`; `RunLengthDecode`; and the `Crypt` filter with the
//! `Identity` crypt filter. Image codecs (`DCTDecode`, `JPXDecode`, `CCITTFaxDecode`,
//! `JBIG2Decode`) and other crypt filters are reported as [`PdfError::UnsupportedFilter`].
//!
//! Every decoder stops with [`PdfError::BudgetExceeded`] as soon as its output would pass
//! `max_decoded` bytes, so a decompression bomb costs at most that much memory.

use std::io::Read;

use flate2::{Decompress, FlushDecompress, Status};

use super::error::PdfError;
use super::object::{Dict, Name, Object};
use crate::budget::{DocumentMeter, MeteredReader};

const WHAT: &str = "decoded stream bytes";

/// One filter of a stream's chain, with its decode parameters.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FilterStep {
    /// The filter name (`FlateDecode`, …).
    pub name: Name,
    /// Its `/DecodeParms` dictionary, if any.
    pub params: Option<Dict>,
}

/// The filter chain of a stream dictionary (`/Filter` and `/DecodeParms`). The entries must
/// already be direct objects (the document resolves references before calling this).
pub fn filter_chain(dict: &Dict) -> Result<Vec<FilterStep>, PdfError> {
    let names: Vec<Name> = match dict.get(b"Filter") {
        None | Some(Object::Null) => return Ok(Vec::new()),
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(items)) => items
            .iter()
            .map(|o| match o {
                Object::Name(n) => Ok(n.clone()),
                other => Err(PdfError::WrongType {
                    what: "an element of /Filter",
                    expected: "name",
                    found: other.kind(),
                }),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(PdfError::WrongType {
                what: "/Filter",
                expected: "name or array",
                found: other.kind(),
            })
        }
    };
    let params: Vec<Option<Dict>> = match dict.get(b"DecodeParms") {
        None | Some(Object::Null) => Vec::new(),
        Some(Object::Dict(d)) => vec![Some(d.clone())],
        Some(Object::Array(items)) => items.iter().map(|o| o.as_dict().cloned()).collect(),
        Some(other) => {
            return Err(PdfError::WrongType {
                what: "/DecodeParms",
                expected: "dictionary or array",
                found: other.kind(),
            })
        }
    };
    Ok(names
        .into_iter()
        .enumerate()
        .map(|(i, name)| FilterStep {
            name,
            params: params.get(i).cloned().flatten(),
        })
        .collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Flate,
    Lzw,
    AsciiHex,
    Ascii85,
    RunLength,
    Identity,
}

fn kind_of(step: &FilterStep) -> Result<Kind, PdfError> {
    Ok(match step.name.as_bytes() {
        b"FlateDecode" | b"Fl" => Kind::Flate,
        b"LZWDecode" | b"LZW" => Kind::Lzw,
        b"ASCIIHexDecode" | b"AHx" => Kind::AsciiHex,
        b"ASCII85Decode" | b"A85" => Kind::Ascii85,
        b"RunLengthDecode" | b"RL" => Kind::RunLength,
        b"Crypt" => {
            let crypt_name = step.params.as_ref().and_then(|p| p.get_name(b"Name"));
            match crypt_name {
                None | Some(b"Identity") => Kind::Identity,
                Some(other) => {
                    return Err(PdfError::UnsupportedFilter(format!(
                        "Crypt ({})",
                        String::from_utf8_lossy(other)
                    )))
                }
            }
        }
        other => {
            return Err(PdfError::UnsupportedFilter(
                String::from_utf8_lossy(other).into_owned(),
            ))
        }
    })
}

/// Decodes `input` through `chain`, producing at most `max_decoded` bytes, spending from
/// `meter` (when given) what is read and what each filter produces: the input as work, each step's output as decoded bytes. A meter that runs out
/// stops the decoding and is the error returned.
pub(crate) fn decode_metered(
    input: &mut dyn Read,
    chain: &[FilterStep],
    max_decoded: u64,
    meter: Option<&DocumentMeter>,
) -> Result<Vec<u8>, PdfError> {
    let result = match meter {
        Some(m) => {
            m.check()?;
            decode_steps(
                &mut MeteredReader::work(input, m),
                chain,
                max_decoded,
                meter,
            )
        }
        None => decode_steps(input, chain, max_decoded, None),
    };
    // Whatever failed once the meter ran out (a read, a step), the meter is the reason.
    result.map_err(|e| match meter.and_then(DocumentMeter::exhausted) {
        Some(why) => why.into(),
        None => e,
    })
}

fn decode_steps(
    input: &mut dyn Read,
    chain: &[FilterStep],
    max_decoded: u64,
    meter: Option<&DocumentMeter>,
) -> Result<Vec<u8>, PdfError> {
    let kinds: Vec<Kind> = chain.iter().map(kind_of).collect::<Result<_, _>>()?;
    let mut data = match kinds.first() {
        Some(Kind::Flate) => flate(input, max_decoded, meter)?,
        _ => read_limited(input, max_decoded)?,
    };
    for (i, (step, kind)) in chain.iter().zip(&kinds).enumerate() {
        // Filters that decode in memory stop at what the meter has left, then spend it.
        let left = meter.map_or(u64::MAX, DocumentMeter::decoded_left);
        let step_max = max_decoded.min(left);
        let decoded = match kind {
            Kind::Flate if i == 0 => Ok(data),
            Kind::Flate => flate(&mut data.as_slice(), max_decoded, meter),
            Kind::Lzw => lzw(&data, early_change(step.params.as_ref()), step_max),
            Kind::AsciiHex => ascii_hex(&data, step_max),
            Kind::Ascii85 => ascii85(&data, step_max),
            Kind::RunLength => run_length(&data, step_max),
            Kind::Identity => Ok(data),
        };
        data = match (decoded, meter) {
            (Err(PdfError::BudgetExceeded { .. }), Some(m)) if step_max < max_decoded => {
                // The document's budget, not the stream's, was the limit.
                m.spend_decoded(left.saturating_add(1))?;
                return Err(PdfError::budget(WHAT, step_max));
            }
            (other, _) => other?,
        };
        if let Some(m) = meter {
            if !matches!(kind, Kind::Flate | Kind::Identity) {
                m.spend_decoded(data.len() as u64)?;
            }
        }
        if matches!(kind, Kind::Flate | Kind::Lzw) {
            if let Some(p) = &step.params {
                data = apply_predictor(data, &Predictor::from_params(p)?)?;
            }
        }
    }
    Ok(data)
}

/// Reads all of `input`, failing beyond `max` bytes.
pub(crate) fn read_limited(input: &mut dyn Read, max: u64) -> Result<Vec<u8>, PdfError> {
    let mut out = Vec::new();
    input.take(max.saturating_add(1)).read_to_end(&mut out)?;
    if out.len() as u64 > max {
        return Err(PdfError::budget(WHAT, max));
    }
    Ok(out)
}

fn push_limited(out: &mut Vec<u8>, bytes: &[u8], max: u64) -> Result<(), PdfError> {
    if (out.len() + bytes.len()) as u64 > max {
        return Err(PdfError::budget(WHAT, max));
    }
    out.extend_from_slice(bytes);
    Ok(())
}

fn has_zlib_header(b: &[u8]) -> bool {
    match b {
        [cmf, flg, ..] => {
            cmf & 0x0F == 8 && cmf >> 4 <= 7 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0
        }
        _ => false,
    }
}

/// Inflates zlib (or raw deflate) data. Like other readers, a stream that stops early or
/// has a bad checksum keeps the bytes decoded so far; data that is corrupt from the start is
/// an error.
fn flate(
    input: &mut dyn Read,
    max: u64,
    meter: Option<&DocumentMeter>,
) -> Result<Vec<u8>, PdfError> {
    // Most streams a verifier inflates (cross-reference and object streams) are small: the
    // buffers start small and grow with the data, instead of zeroing 64 KiB for 200 bytes.
    const FIRST: usize = 4 * 1024;
    const CHUNK: usize = 64 * 1024;
    let mut inbuf = vec![0u8; FIRST];
    let mut in_len = read_some(input, &mut inbuf)?;
    let mut in_pos = 0usize;
    let zlib = has_zlib_header(inbuf.get(..in_len).unwrap_or(&[]));
    let mut dec = Decompress::new(zlib);
    let mut out = Vec::new();
    // One byte past the limit shows that the limit was passed.
    let limit = usize::try_from(max).map_or(usize::MAX, |m| m.saturating_add(1));
    let mut eof = in_len == 0;
    loop {
        if in_pos >= in_len && !eof {
            if in_len == inbuf.len() && inbuf.len() < CHUNK {
                inbuf = vec![0u8; CHUNK];
            }
            in_len = read_some(input, &mut inbuf)?;
            in_pos = 0;
            eof = in_len == 0;
        }
        // Room for the next output, growing with what came so far, never past the limit.
        let room = out
            .len()
            .clamp(FIRST, CHUNK)
            .min(limit.saturating_sub(out.len()));
        out.reserve(room);
        let before_in = dec.total_in();
        let before_out = out.len();
        let input_now = inbuf.get(in_pos..in_len).unwrap_or(&[]);
        let status = dec.decompress_vec(input_now, &mut out, FlushDecompress::None);
        let used = usize::try_from(dec.total_in() - before_in).unwrap_or(usize::MAX);
        let produced = out.len().saturating_sub(before_out);
        in_pos = in_pos.saturating_add(used);
        if out.len() as u64 > max {
            return Err(PdfError::budget(WHAT, max));
        }
        if let Some(m) = meter {
            m.spend_decoded(produced as u64)?;
        }
        match status {
            Ok(Status::StreamEnd) => break,
            Ok(Status::Ok | Status::BufError) => {
                // No progress: stuck on bad input, or the input ended before the stream did
                // (a truncated stream keeps what was decoded).
                if used == 0 && produced == 0 && (in_pos < in_len || eof) {
                    break;
                }
            }
            Err(e) => {
                if out.is_empty() {
                    return Err(PdfError::Decode {
                        filter: "FlateDecode",
                        reason: e.to_string(),
                    });
                }
                break;
            }
        }
    }
    Ok(out)
}

fn read_some(input: &mut dyn Read, buf: &mut [u8]) -> Result<usize, PdfError> {
    loop {
        match input.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(PdfError::Io(e)),
        }
    }
}

fn early_change(params: Option<&Dict>) -> bool {
    params.and_then(|p| p.get_int(b"EarlyChange")).unwrap_or(1) != 0
}

/// LZW decoding (§7.4.4) with 9–12-bit codes.
fn lzw(data: &[u8], early: bool, max: u64) -> Result<Vec<u8>, PdfError> {
    const CLEAR: usize = 256;
    const EOD: usize = 257;
    // Each table entry: (prefix code or usize::MAX for none, last byte).
    let mut table: Vec<(usize, u8)> = (0..=255u8).map(|b| (usize::MAX, b)).collect();
    table.push((usize::MAX, 0));
    table.push((usize::MAX, 0));
    let mut out = Vec::new();
    let mut code_len = 9u32;
    let mut bitbuf = 0u32;
    let mut nbits = 0u32;
    let mut prev: Option<usize> = None;
    let mut scratch = Vec::new();
    let mut bytes = data.iter();
    loop {
        while nbits < code_len {
            match bytes.next() {
                Some(&b) => {
                    bitbuf = (bitbuf << 8) | u32::from(b);
                    nbits += 8;
                }
                None => return Ok(out),
            }
        }
        let code = ((bitbuf >> (nbits - code_len)) & ((1 << code_len) - 1)) as usize;
        nbits -= code_len;
        bitbuf &= (1u32 << nbits).wrapping_sub(1);
        if code == CLEAR {
            table.truncate(258);
            code_len = 9;
            prev = None;
            continue;
        }
        if code == EOD {
            return Ok(out);
        }
        // The string for `code` (or, for the not-yet-defined next code, prev + first(prev)).
        let first_of = |table: &[(usize, u8)], mut c: usize| -> Option<u8> {
            let mut guard = 0;
            while let Some(&(p, b)) = table.get(c) {
                if p == usize::MAX {
                    return Some(b);
                }
                c = p;
                guard += 1;
                if guard > 5000 {
                    return None;
                }
            }
            None
        };
        let (emit_code, extra) = if code < table.len() {
            (code, None)
        } else if code == table.len() {
            let p = prev.ok_or(PdfError::Decode {
                filter: "LZWDecode",
                reason: "code refers to an undefined entry".into(),
            })?;
            (p, first_of(&table, p))
        } else {
            return Err(PdfError::Decode {
                filter: "LZWDecode",
                reason: "code beyond the table".into(),
            });
        };
        scratch.clear();
        let mut c = emit_code;
        while let Some(&(p, b)) = table.get(c) {
            scratch.push(b);
            if p == usize::MAX {
                break;
            }
            c = p;
            if scratch.len() > 5000 {
                return Err(PdfError::Decode {
                    filter: "LZWDecode",
                    reason: "string too long".into(),
                });
            }
        }
        scratch.reverse();
        if let Some(b) = extra {
            scratch.push(b);
        }
        push_limited(&mut out, &scratch, max)?;
        if let (Some(p), Some(&first)) = (prev, scratch.first()) {
            if table.len() < 4096 {
                table.push((p, first));
            }
        }
        prev = Some(code);
        let next = table.len() + usize::from(early);
        code_len = if next >= 2048 {
            12
        } else if next >= 1024 {
            11
        } else if next >= 512 {
            10
        } else {
            9
        };
    }
}

fn ascii_hex(data: &[u8], max: u64) -> Result<Vec<u8>, PdfError> {
    let mut out = Vec::with_capacity(data.len() / 2);
    let mut high: Option<u8> = None;
    for &c in data {
        if c == b'>' {
            break;
        }
        if super::lexer::is_whitespace(c) {
            continue;
        }
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => {
                return Err(PdfError::Decode {
                    filter: "ASCIIHexDecode",
                    reason: format!("invalid character 0x{c:02x}"),
                })
            }
        };
        match high.take() {
            Some(h) => push_limited(&mut out, &[h << 4 | v], max)?,
            None => high = Some(v),
        }
    }
    if let Some(h) = high {
        push_limited(&mut out, &[h << 4], max)?;
    }
    Ok(out)
}

fn ascii85(data: &[u8], max: u64) -> Result<Vec<u8>, PdfError> {
    let err = |reason: &str| PdfError::Decode {
        filter: "ASCII85Decode",
        reason: reason.into(),
    };
    let data = data.strip_prefix(b"<~").unwrap_or(data);
    let mut out = Vec::with_capacity(data.len() / 5 * 4);
    let mut group = [0u8; 5];
    let mut n = 0usize;
    for &c in data {
        match c {
            b'~' => break,
            b'z' if n == 0 => push_limited(&mut out, &[0; 4], max)?,
            b'!'..=b'u' => {
                if let Some(slot) = group.get_mut(n) {
                    *slot = c - b'!';
                }
                n += 1;
                if n == 5 {
                    let v = group.iter().try_fold(0u32, |acc, &d| {
                        acc.checked_mul(85)?.checked_add(u32::from(d))
                    });
                    let v = v.ok_or_else(|| err("group out of range"))?;
                    push_limited(&mut out, &v.to_be_bytes(), max)?;
                    n = 0;
                }
            }
            c if super::lexer::is_whitespace(c) => {}
            _ => return Err(err("invalid character")),
        }
    }
    if n == 1 {
        return Err(err("final group of a single character"));
    }
    if n > 1 {
        for slot in group.iter_mut().skip(n) {
            *slot = 84;
        }
        let v = group.iter().try_fold(0u32, |acc, &d| {
            acc.checked_mul(85)?.checked_add(u32::from(d))
        });
        let v = v.ok_or_else(|| err("group out of range"))?;
        push_limited(&mut out, v.to_be_bytes().get(..n - 1).unwrap_or(&[]), max)?;
    }
    Ok(out)
}

fn run_length(data: &[u8], max: u64) -> Result<Vec<u8>, PdfError> {
    let mut out = Vec::new();
    let mut i = 0usize;
    while let Some(&len) = data.get(i) {
        i += 1;
        match len {
            128 => break,
            0..=127 => {
                let n = usize::from(len) + 1;
                let end = (i + n).min(data.len());
                push_limited(&mut out, data.get(i..end).unwrap_or(&[]), max)?;
                i = end;
            }
            _ => {
                let Some(&b) = data.get(i) else { break };
                i += 1;
                let n = 257 - usize::from(len);
                if (out.len() + n) as u64 > max {
                    return Err(PdfError::budget(WHAT, max));
                }
                out.resize(out.len() + n, b);
            }
        }
    }
    Ok(out)
}

/// Predictor parameters of a Flate or LZW filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Predictor {
    predictor: i64,
    colors: usize,
    bits: usize,
    columns: usize,
}

impl Predictor {
    fn from_params(p: &Dict) -> Result<Self, PdfError> {
        let bad = |reason: &str| PdfError::Decode {
            filter: "predictor",
            reason: reason.into(),
        };
        let predictor = p.get_int(b"Predictor").unwrap_or(1);
        let colors = p.get_int(b"Colors").unwrap_or(1);
        let bits = p.get_int(b"BitsPerComponent").unwrap_or(8);
        let columns = p.get_int(b"Columns").unwrap_or(1);
        if !(1..=256).contains(&colors) {
            return Err(bad("/Colors out of range"));
        }
        if ![1, 2, 4, 8, 16].contains(&bits) {
            return Err(bad("/BitsPerComponent must be 1, 2, 4, 8 or 16"));
        }
        if !(1..=(1 << 24)).contains(&columns) {
            return Err(bad("/Columns out of range"));
        }
        // The ranges above make these conversions lossless.
        Ok(Predictor {
            predictor,
            colors: usize::try_from(colors).map_err(|_| bad("/Colors"))?,
            bits: usize::try_from(bits).map_err(|_| bad("/BitsPerComponent"))?,
            columns: usize::try_from(columns).map_err(|_| bad("/Columns"))?,
        })
    }

    /// Bytes per row (without the PNG tag byte) and bytes per pixel (at least 1).
    fn geometry(&self) -> (usize, usize) {
        // colors ≤ 256, bits ≤ 16, columns ≤ 2^24: the product stays below 2^36.
        let row_bits = self.colors * self.bits * self.columns;
        let row = row_bits.div_ceil(8);
        let bpp = (self.colors * self.bits).div_ceil(8).max(1);
        (row, bpp)
    }
}

fn apply_predictor(data: Vec<u8>, p: &Predictor) -> Result<Vec<u8>, PdfError> {
    match p.predictor {
        1 => Ok(data),
        2 => Ok(tiff_predictor(data, p)),
        10..=15 => png_predictor(&data, p),
        _ => Err(PdfError::Decode {
            filter: "predictor",
            reason: format!("unknown /Predictor {}", p.predictor),
        }),
    }
}

fn png_predictor(data: &[u8], p: &Predictor) -> Result<Vec<u8>, PdfError> {
    let (row_len, bpp) = p.geometry();
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row_len];
    let mut cur = vec![0u8; row_len];
    for chunk in data.chunks(row_len + 1) {
        let Some((&tag, row)) = chunk.split_first() else {
            break;
        };
        let n = row.len();
        for i in 0..n {
            let x = row.get(i).copied().unwrap_or(0);
            let left = if i >= bpp {
                cur.get(i - bpp).copied().unwrap_or(0)
            } else {
                0
            };
            let up = prev.get(i).copied().unwrap_or(0);
            let up_left = if i >= bpp {
                prev.get(i - bpp).copied().unwrap_or(0)
            } else {
                0
            };
            let v = match tag {
                0 => x,
                1 => x.wrapping_add(left),
                2 => x.wrapping_add(up),
                3 => x.wrapping_add(((u16::from(left) + u16::from(up)) / 2) as u8),
                4 => x.wrapping_add(paeth(left, up, up_left)),
                _ => {
                    return Err(PdfError::Decode {
                        filter: "PNG predictor",
                        reason: format!("unknown row filter type {tag}"),
                    })
                }
            };
            if let Some(slot) = cur.get_mut(i) {
                *slot = v;
            }
        }
        out.extend_from_slice(cur.get(..n).unwrap_or(&[]));
        std::mem::swap(&mut prev, &mut cur);
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let pa = (p - i16::from(a)).abs();
    let pb = (p - i16::from(b)).abs();
    let pc = (p - i16::from(c)).abs();
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

fn tiff_predictor(mut data: Vec<u8>, p: &Predictor) -> Vec<u8> {
    let (row_len, _) = p.geometry();
    let colors = p.colors;
    for row in data.chunks_mut(row_len) {
        match p.bits {
            8 => {
                for i in colors..row.len() {
                    let left = row.get(i - colors).copied().unwrap_or(0);
                    if let Some(x) = row.get_mut(i) {
                        *x = x.wrapping_add(left);
                    }
                }
            }
            16 => {
                let samples = row.len() / 2;
                for s in colors..samples {
                    let get = |row: &[u8], s: usize| {
                        u16::from_be_bytes([
                            row.get(2 * s).copied().unwrap_or(0),
                            row.get(2 * s + 1).copied().unwrap_or(0),
                        ])
                    };
                    let v = get(row, s).wrapping_add(get(row, s - colors)).to_be_bytes();
                    if let Some(dst) = row.get_mut(2 * s..2 * s + 2) {
                        dst.copy_from_slice(&v);
                    }
                }
            }
            bits => {
                // 1, 2 or 4 bits per component: unpack, accumulate per component, repack.
                let per_byte = 8 / bits;
                let mask = (1u16 << bits) - 1;
                let samples = (row.len() * per_byte).min(colors * p.columns);
                let mut vals: Vec<u16> = (0..samples)
                    .map(|s| {
                        let byte = row.get(s / per_byte).copied().unwrap_or(0);
                        let shift = 8 - bits * (s % per_byte + 1);
                        (u16::from(byte) >> shift) & mask
                    })
                    .collect();
                for s in colors..vals.len() {
                    let left = vals.get(s - colors).copied().unwrap_or(0);
                    if let Some(v) = vals.get_mut(s) {
                        *v = (*v + left) & mask;
                    }
                }
                for (s, v) in vals.iter().enumerate() {
                    let shift = 8 - bits * (s % per_byte + 1);
                    if let Some(byte) = row.get_mut(s / per_byte) {
                        let m = (mask as u8) << shift;
                        *byte = (*byte & !m) | (((*v as u8) << shift) & m);
                    }
                }
            }
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::ZlibEncoder;
    use flate2::Compression;
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn decode(
        input: &mut dyn std::io::Read,
        chain: &[FilterStep],
        max_decoded: u64,
    ) -> Result<Vec<u8>, PdfError> {
        decode_metered(input, chain, max_decoded, None)
    }

    fn step(name: &str, params: Option<Dict>) -> FilterStep {
        FilterStep {
            name: Name::from(name),
            params,
        }
    }

    fn params(pairs: &[(&str, i64)]) -> Dict {
        let mut d = Dict::new();
        for (k, v) in pairs {
            d.set(*k, *v);
        }
        d
    }

    #[test]
    fn flate_round_trips_and_tolerates_truncation() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let z = zlib(&data);
        let out = decode(&mut z.as_slice(), &[step("FlateDecode", None)], 1 << 20).unwrap();
        assert_eq!(out, data);
        // Missing checksum / truncated tail: the decoded prefix is kept.
        let out = decode(
            &mut &z[..z.len() - 4],
            &[step("FlateDecode", None)],
            1 << 20,
        )
        .unwrap();
        assert_eq!(out, data);
        // Raw deflate without zlib header.
        let out = decode(&mut &z[2..], &[step("FlateDecode", None)], 1 << 20).unwrap();
        assert_eq!(out, data);
        // Small input, large output: the whole input is read at once and most output is
        // still inside the decompressor when it is.
        let zeros = vec![0u8; 3 << 20];
        let z = zlib(&zeros);
        assert!(z.len() < 4096, "{}", z.len());
        let out = decode(&mut z.as_slice(), &[step("FlateDecode", None)], 4 << 20).unwrap();
        assert_eq!(out, zeros);
        // Exactly at the limit passes; one byte below it is the budget.
        let out = decode(&mut z.as_slice(), &[step("FlateDecode", None)], 3 << 20).unwrap();
        assert_eq!(out.len(), 3 << 20);
        assert!(matches!(
            decode(
                &mut z.as_slice(),
                &[step("FlateDecode", None)],
                (3 << 20) - 1
            ),
            Err(PdfError::BudgetExceeded { .. })
        ));
        // Garbage from the start is an error.
        assert!(matches!(
            decode(
                &mut &[0xFFu8; 50][..],
                &[step("FlateDecode", None)],
                1 << 20
            ),
            Err(PdfError::Decode { .. })
        ));
    }

    #[test]
    fn a_flate_bomb_stops_at_the_budget() {
        let zeros = vec![0u8; 50 * 1024 * 1024];
        let z = zlib(&zeros);
        assert!(z.len() < 100_000);
        let e = decode(&mut z.as_slice(), &[step("FlateDecode", None)], 1024 * 1024).unwrap_err();
        assert!(
            matches!(
                e,
                PdfError::BudgetExceeded {
                    limit: 1_048_576,
                    ..
                }
            ),
            "{e}"
        );
        // Nested bombs stop too.
        let z2 = zlib(&z);
        let e = decode(
            &mut z2.as_slice(),
            &[step("FlateDecode", None), step("FlateDecode", None)],
            1024 * 1024,
        )
        .unwrap_err();
        assert!(matches!(e, PdfError::BudgetExceeded { .. }));
    }

    #[test]
    fn png_predictors_up_sub_avg_paeth() {
        // 2 columns, 1 colour, 8 bits: rows of 2 bytes.
        let p = params(&[("Predictor", 12), ("Columns", 2)]);
        let encoded = [2u8, 1, 2, 2, 1, 1, 1, 5, 5, 3, 1, 1, 4, 0, 0, 0, 7, 7];
        let z = zlib(&encoded);
        let out = decode(&mut z.as_slice(), &[step("FlateDecode", Some(p))], 1000).unwrap();
        // up: [1,2]; up: [2,3]; sub: [5,10]; avg: prev [5,10] -> [1+2, 1+(3+10)/2]=[3,7]; paeth: [3,7]; none: [7,7]
        assert_eq!(out, vec![1, 2, 2, 3, 5, 10, 3, 7, 3, 7, 7, 7]);
        let bad = zlib(&[9u8, 1, 2]);
        let p = params(&[("Predictor", 12), ("Columns", 2)]);
        assert!(decode(&mut bad.as_slice(), &[step("FlateDecode", Some(p))], 1000).is_err());
    }

    #[test]
    fn png_predictor_with_several_colors_and_a_partial_last_row() {
        let p = params(&[("Predictor", 11), ("Columns", 2), ("Colors", 3)]);
        let encoded = [1u8, 10, 20, 30, 1, 1, 1, 1u8, 5, 5];
        let z = zlib(&encoded);
        let out = decode(&mut z.as_slice(), &[step("FlateDecode", Some(p))], 1000).unwrap();
        assert_eq!(out, vec![10, 20, 30, 11, 21, 31, 5, 5]);
    }

    #[test]
    fn tiff_predictor_8_16_and_1_bit() {
        let p = params(&[("Predictor", 2), ("Columns", 3), ("Colors", 1)]);
        let z = zlib(&[1, 1, 1, 5, 0, 255]);
        let out = decode(&mut z.as_slice(), &[step("FlateDecode", Some(p))], 1000).unwrap();
        assert_eq!(out, vec![1, 2, 3, 5, 5, 4]);
        let p = params(&[("Predictor", 2), ("Columns", 2), ("BitsPerComponent", 16)]);
        let z = zlib(&[0x01, 0x00, 0x00, 0x01]);
        let out = decode(&mut z.as_slice(), &[step("FlateDecode", Some(p))], 1000).unwrap();
        assert_eq!(out, vec![0x01, 0x00, 0x01, 0x01]);
        let p = params(&[("Predictor", 2), ("Columns", 8), ("BitsPerComponent", 1)]);
        let z = zlib(&[0b1000_0000]);
        let out = decode(&mut z.as_slice(), &[step("FlateDecode", Some(p))], 1000).unwrap();
        assert_eq!(out, vec![0b1111_1111]);
    }

    #[test]
    fn bad_predictor_parameters_are_errors() {
        for p in [
            params(&[("Predictor", 12), ("Colors", 0)]),
            params(&[("Predictor", 12), ("BitsPerComponent", 3)]),
            params(&[("Predictor", 12), ("Columns", -1)]),
            params(&[("Predictor", 7)]),
        ] {
            let z = zlib(&[0, 1, 2]);
            assert!(decode(&mut z.as_slice(), &[step("FlateDecode", Some(p))], 1000).is_err());
        }
    }

    #[test]
    fn ascii_filters_and_run_length() {
        let out = decode(
            &mut &b"48 65 6c6C6f 7>"[..],
            &[step("ASCIIHexDecode", None)],
            100,
        )
        .unwrap();
        assert_eq!(out, b"Hello\x70");
        assert!(decode(&mut &b"4G"[..], &[step("AHx", None)], 100).is_err());
        let out = decode(
            &mut &b"87cURD]i,\"Ebo80~>"[..],
            &[step("ASCII85Decode", None)],
            100,
        )
        .unwrap();
        assert_eq!(out, b"Hello World!");
        let out = decode(&mut &b"z!!~>"[..], &[step("A85", None)], 100).unwrap();
        assert_eq!(out, vec![0, 0, 0, 0, 0]);
        assert!(decode(&mut &b"!~>"[..], &[step("A85", None)], 100).is_err());
        assert!(decode(&mut &b"uuuuu~>"[..], &[step("A85", None)], 100).is_err());
        let out = decode(
            &mut &[2u8, b'a', b'b', b'c', 254, b'x', 128, 9][..],
            &[step("RunLengthDecode", None)],
            100,
        )
        .unwrap();
        assert_eq!(out, b"abcxxx");
        assert!(matches!(
            decode(
                &mut &[129u8, b'x'][..],
                &[step("RunLengthDecode", None)],
                100
            ),
            Err(PdfError::BudgetExceeded { .. })
        ));
    }

    #[test]
    fn lzw_decodes_the_standard_example() {
        // ISO 32000 §7.4.4.2 example: "-----A---B" encoded as 80 0B 60 50 22 0C 0C 85 01.
        let data = [0x80, 0x0B, 0x60, 0x50, 0x22, 0x0C, 0x0C, 0x85, 0x01];
        let out = decode(&mut &data[..], &[step("LZWDecode", None)], 100).unwrap();
        assert_eq!(out, b"-----A---B");
    }

    #[test]
    fn filter_chains_and_unsupported_filters() {
        let mut d = Dict::new();
        d.set(
            "Filter",
            Object::Array(vec![
                Object::Name(Name::from("ASCIIHexDecode")),
                Object::Name(Name::from("FlateDecode")),
            ]),
        );
        d.set(
            "DecodeParms",
            Object::Array(vec![
                Object::Null,
                Object::Dict(params(&[("Predictor", 1)])),
            ]),
        );
        let chain = filter_chain(&d).unwrap();
        assert_eq!(chain.len(), 2);
        assert!(chain[0].params.is_none());
        assert!(chain[1].params.is_some());
        let z = zlib(b"abc");
        let hex: String = z.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(decode(&mut hex.as_bytes(), &chain, 100).unwrap(), b"abc");

        let e = decode(&mut &b""[..], &[step("DCTDecode", None)], 100).unwrap_err();
        assert!(matches!(&e, PdfError::UnsupportedFilter(n) if n == "DCTDecode"));
        assert!(e.to_string().contains("DCTDecode"));
        let mut crypt = Dict::new();
        crypt.set("Name", Object::Name(Name::from("StdCF")));
        assert!(matches!(
            decode(&mut &b""[..], &[step("Crypt", Some(crypt))], 100),
            Err(PdfError::UnsupportedFilter(_))
        ));
        assert_eq!(
            decode(&mut &b"raw"[..], &[step("Crypt", None)], 100).unwrap(),
            b"raw"
        );
        assert!(matches!(
            decode(&mut &b"raw"[..], &[], 2),
            Err(PdfError::BudgetExceeded { .. })
        ));
    }

    #[test]
    fn random_input_to_every_filter_never_panics() {
        let mut seed = 7u32;
        for round in 0..300 {
            let mut v = Vec::new();
            for _ in 0..(round % 97) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                v.push((seed >> 16) as u8);
            }
            for name in [
                "FlateDecode",
                "LZWDecode",
                "ASCIIHexDecode",
                "ASCII85Decode",
                "RunLengthDecode",
            ] {
                for pred in [
                    None,
                    Some(params(&[("Predictor", 15), ("Columns", 3), ("Colors", 2)])),
                    Some(params(&[
                        ("Predictor", 2),
                        ("BitsPerComponent", 4),
                        ("Columns", 5),
                    ])),
                ] {
                    let _ = decode(&mut v.as_slice(), &[step(name, pred)], 10_000);
                }
            }
        }
    }
}
