//! Object streams (ISO 32000-2 §7.5.7): decoded once, kept in a small cache.
//!
//! An object stream's data starts with `/N` pairs `num offset` and holds the objects from
//! byte `/First` on. Objects read from it carry no file spans (their bytes are compressed).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use super::budget::Budget;
use super::error::PdfError;
use super::lexer::{Lexer, Token};
use super::object::{Dict, ObjRef, Object};
use super::parser::Parser;

/// A decoded object stream.
#[derive(Debug)]
pub(crate) struct ObjectStream {
    id: ObjRef,
    /// File offset of the stream object (for error messages).
    offset: u64,
    /// For each index: the object number and its byte range in `data` (`None` when the
    /// header places it outside the data).
    objects: Vec<(u32, Option<(usize, usize)>)>,
    data: Vec<u8>,
    /// What was wrong with the header (see [`ObjectStream::parse`]).
    damage: Option<String>,
}

impl ObjectStream {
    /// Parses the header of a decoded object stream. A header that cannot be read in full
    /// (fewer than `/N` pairs before `/First`, an offset outside the data, one offset shared
    /// by two objects) is read as far as it goes, as qpdf and MuPDF do:
    /// the objects whose place is known can be read, the others are errors, and
    /// [`ObjectStream::damage`] says what was wrong. Without a usable `/N` or `/First`
    /// nothing can be read (an error).
    pub(crate) fn parse(
        id: ObjRef,
        offset: u64,
        dict: &Dict,
        data: Vec<u8>,
        budget: &Budget,
    ) -> Result<Self, PdfError> {
        let bad = |reason| PdfError::BadObjectStream { stream: id, reason };
        let n = dict
            .get_int(b"N")
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| bad("/N is missing or negative"))?;
        if n > budget.max_objects {
            return Err(PdfError::budget(
                "objects in one object stream",
                budget.max_objects,
            ));
        }
        let first = dict
            .get_int(b"First")
            .and_then(|f| usize::try_from(f).ok())
            .filter(|&f| f <= data.len())
            .ok_or_else(|| bad("/First is missing or outside the data"))?;
        let header = data.get(..first).unwrap_or(&[]);
        let mut lx = Lexer::detached(header);
        let mut pairs: Vec<(u32, Option<usize>)> =
            Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(1 << 16));
        let mut damage: Vec<String> = Vec::new();
        for _ in 0..n {
            let pair = match (lx.next_token(), lx.next_token()) {
                (Ok(Some((Token::Integer(num), _))), Ok(Some((Token::Integer(off), _)))) => {
                    (num, off)
                }
                _ => {
                    damage.push(format!(
                        "its header lists {} of the {n} objects /N announces before /First",
                        pairs.len()
                    ));
                    break;
                }
            };
            let num = u32::try_from(pair.0).map_err(|_| bad("object number out of range"))?;
            let start = usize::try_from(pair.1)
                .ok()
                .and_then(|off| first.checked_add(off))
                .filter(|&s| s < data.len());
            if start.is_none() {
                damage.push(format!(
                    "object {num} is placed at offset {} outside the data",
                    pair.1
                ));
            }
            pairs.push((num, start));
        }
        // Offsets out of order (§7.5.7 wants them increasing) are read as every reader reads
        // them: each object ends where the next one in data order starts. Not damage.
        let mut starts: Vec<usize> = pairs.iter().filter_map(|&(_, s)| s).collect();
        starts.sort_unstable();
        let before = starts.len();
        starts.dedup();
        if starts.len() != before {
            damage.push("two of its objects start at the same offset".to_string());
        }
        let objects = pairs
            .into_iter()
            .map(|(num, start)| {
                let range = start.map(|start| {
                    let i = starts.partition_point(|&s| s <= start);
                    let end = starts.get(i).copied().unwrap_or(data.len());
                    (start, end)
                });
                (num, range)
            })
            .collect();
        Ok(ObjectStream {
            id,
            offset,
            objects,
            data,
            damage: (!damage.is_empty()).then(|| damage.join("; ")),
        })
    }

    /// What was wrong with the header, when it could not be read in full.
    pub(crate) fn damage(&self) -> Option<&str> {
        self.damage.as_deref()
    }

    /// The object at `index`, which must be object `expected`.
    pub(crate) fn object(
        &self,
        index: u32,
        expected: ObjRef,
        max_depth: usize,
    ) -> Result<Object, PdfError> {
        let bad = |reason| PdfError::BadObjectStream {
            stream: self.id,
            reason,
        };
        let &(num, range) = self
            .objects
            .get(index as usize)
            .ok_or_else(|| bad("index beyond the objects its header lists"))?;
        if num != expected.num {
            return Err(PdfError::ObjectMismatch {
                offset: self.offset,
                expected,
                found: ObjRef::new(num, 0),
            });
        }
        let (start, end) = range.ok_or_else(|| bad("places the object outside its data"))?;
        let bytes = self.data.get(start..end).unwrap_or(&[]);
        let mut p = Parser::new(Lexer::detached(bytes), max_depth);
        let obj = p.parse_object()?;
        if matches!(
            p.lexer().next_token(),
            Ok(Some((Token::Keyword(b"stream"), _)))
        ) {
            return Err(bad("holds a stream"));
        }
        Ok(obj)
    }

    fn weight(&self) -> usize {
        self.data.len() + self.objects.len() * 24
    }
}

/// Cache key: the file offset of the stream object, plus the revision it was read in when
/// its dictionary has references (an indirect `/Length` or `/Filter` can resolve differently
/// in different revisions, and so decode to different objects).
pub(crate) type CacheKey = (u64, Option<usize>);

/// A small cache of decoded object streams.
#[derive(Debug, Default)]
pub(crate) struct ObjStmCache {
    slots: Mutex<VecDeque<(CacheKey, Arc<ObjectStream>)>>,
}

const CACHE_SLOTS: usize = 8;
const CACHE_BYTES: usize = 64 * 1024 * 1024;

impl ObjStmCache {
    pub(crate) fn get(&self, key: CacheKey) -> Option<Arc<ObjectStream>> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let i = slots.iter().position(|(k, _)| *k == key)?;
        let item = slots.remove(i)?;
        let found = Arc::clone(&item.1);
        slots.push_back(item);
        Some(found)
    }

    pub(crate) fn insert(&self, key: CacheKey, stm: Arc<ObjectStream>) {
        if stm.weight() > CACHE_BYTES {
            return;
        }
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.iter().any(|(k, _)| *k == key) {
            return;
        }
        slots.push_back((key, stm));
        let mut total: usize = slots.iter().map(|(_, s)| s.weight()).sum();
        while slots.len() > CACHE_SLOTS || total > CACHE_BYTES {
            match slots.pop_front() {
                Some((_, s)) => total = total.saturating_sub(s.weight()),
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(n: i64, first: i64) -> Dict {
        let mut d = Dict::new();
        d.set("N", n);
        d.set("First", first);
        d
    }

    #[test]
    fn objects_are_found_by_index_and_checked_by_number() {
        let data = b"10 0 11 5 12 10 (abc)[1 2]<</A 1>>".to_vec();
        let s = ObjectStream::parse(ObjRef::new(5, 0), 0, &dict(3, 16), data, &Budget::default())
            .unwrap();
        let b = s.object(0, ObjRef::new(10, 0), 10).unwrap();
        assert_eq!(b.as_string().unwrap().bytes, b"abc");
        assert_eq!(b.as_string().unwrap().span, None);
        assert_eq!(
            s.object(1, ObjRef::new(11, 0), 10)
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert!(s
            .object(2, ObjRef::new(12, 0), 10)
            .unwrap()
            .as_dict()
            .is_some());
        assert!(matches!(
            s.object(1, ObjRef::new(12, 0), 10),
            Err(PdfError::ObjectMismatch { .. })
        ));
        assert!(s.object(3, ObjRef::new(13, 0), 10).is_err());
    }

    #[test]
    fn adjacent_integers_do_not_merge_into_a_reference() {
        // Objects 1 = 5, 2 = 0, 3 = an array; "5 0" must not read as part of "5 0 R".
        let data = b"1 0 2 2 3 4 5 0 [R]".to_vec();
        let s = ObjectStream::parse(ObjRef::new(9, 0), 0, &dict(3, 12), data, &Budget::default())
            .unwrap();
        assert_eq!(
            s.object(0, ObjRef::new(1, 0), 10).unwrap(),
            Object::Integer(5)
        );
    }

    #[test]
    fn malformed_headers_are_errors() {
        // ISO 32000-2 §7.5.7: without /N or /First nothing can be placed.
        let b = Budget::default();
        let id = ObjRef::new(1, 0);
        assert!(ObjectStream::parse(id, 0, &dict(1, 40), b"1 0 (x)".to_vec(), &b).is_err());
        assert!(ObjectStream::parse(id, 0, &dict(-1, 4), b"1 0 (x)".to_vec(), &b).is_err());
        let mut small = b;
        small.max_objects = 1;
        assert!(matches!(
            ObjectStream::parse(id, 0, &dict(2, 8), b"1 0 2 1 xy".to_vec(), &small),
            Err(PdfError::BudgetExceeded { .. })
        ));
    }

    #[test]
    fn a_damaged_header_is_read_as_far_as_it_goes_7_5_7() {
        // ISO 32000-2 §7.5.7: /N pairs of integers precede /First. A header shorter than
        // /N: the objects it lists are read, the others are errors, the damage is told.
        let b = Budget::default();
        let id = ObjRef::new(9, 0);
        let s = ObjectStream::parse(id, 0, &dict(3, 8), b"1 0 2 4 (x) (yz)".to_vec(), &b).unwrap();
        assert!(
            s.damage().unwrap().contains("lists 2 of the 3"),
            "{:?}",
            s.damage()
        );
        let x = s.object(0, ObjRef::new(1, 0), 10).unwrap();
        assert_eq!(x.as_string().unwrap().bytes, b"x");
        let yz = s.object(1, ObjRef::new(2, 0), 10).unwrap();
        assert_eq!(yz.as_string().unwrap().bytes, b"yz");
        assert!(s.object(2, ObjRef::new(3, 0), 10).is_err());
        // An offset past the data: that object is an error, the other one reads.
        let s = ObjectStream::parse(id, 0, &dict(2, 8), b"1 0 2 99 (x)".to_vec(), &b).unwrap();
        assert!(s.damage().unwrap().contains("outside the data"));
        assert!(s.object(0, ObjRef::new(1, 0), 10).is_ok());
        assert!(s.object(1, ObjRef::new(2, 0), 10).is_err());
        // Offsets out of order are read (each object ends at the next in data order), not
        // damage; two objects at one offset are.
        let s = ObjectStream::parse(id, 0, &dict(2, 8), b"1 4 2 0 (a) (b)".to_vec(), &b).unwrap();
        assert_eq!(s.damage(), None);
        let a = s.object(1, ObjRef::new(2, 0), 10).unwrap();
        assert_eq!(a.as_string().unwrap().bytes, b"a");
        let s =
            ObjectStream::parse(id, 0, &dict(3, 12), b"1 4 2 0 3 0 (a) (b)".to_vec(), &b).unwrap();
        let d = s.damage().unwrap();
        assert!(d.contains("same offset"), "{d}");
        assert_eq!(
            s.object(0, ObjRef::new(1, 0), 10)
                .unwrap()
                .as_string()
                .unwrap()
                .bytes,
            b"b"
        );
        // An honest header: no damage.
        let s = ObjectStream::parse(id, 0, &dict(2, 8), b"1 0 2 4 (x) (y)".to_vec(), &b).unwrap();
        assert_eq!(s.damage(), None);
    }

    #[test]
    fn cache_evicts_oldest() {
        let c = ObjStmCache::default();
        for k in 0..20u64 {
            let s = ObjectStream::parse(
                ObjRef::new(1, 0),
                0,
                &dict(0, 0),
                Vec::new(),
                &Budget::default(),
            )
            .unwrap();
            c.insert((k, None), Arc::new(s));
        }
        assert!(c.get((0, None)).is_none());
        assert!(c.get((19, None)).is_some());
    }
}
