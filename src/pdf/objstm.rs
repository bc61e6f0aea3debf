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
    /// For each index: the object number and its byte range in `data`.
    objects: Vec<(u32, usize, usize)>,
    data: Vec<u8>,
}

impl ObjectStream {
    /// Parses the header of a decoded object stream.
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
        let mut pairs = Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(1 << 16));
        for _ in 0..n {
            let num = match lx.next_token() {
                Ok(Some((Token::Integer(v), _))) => {
                    u32::try_from(v).map_err(|_| bad("object number out of range"))?
                }
                _ => return Err(bad("header holds fewer than /N number pairs")),
            };
            let off = match lx.next_token() {
                Ok(Some((Token::Integer(v), _))) => {
                    usize::try_from(v).map_err(|_| bad("negative object offset"))?
                }
                _ => return Err(bad("header holds fewer than /N number pairs")),
            };
            let start = first
                .checked_add(off)
                .filter(|&s| s <= data.len())
                .ok_or_else(|| bad("object offset outside the data"))?;
            pairs.push((num, start));
        }
        // Each object ends where the next one (in data order) starts.
        let mut starts: Vec<usize> = pairs.iter().map(|&(_, s)| s).collect();
        starts.sort_unstable();
        let objects = pairs
            .into_iter()
            .map(|(num, start)| {
                let i = starts.partition_point(|&s| s <= start);
                let end = starts.get(i).copied().unwrap_or(data.len());
                (num, start, end)
            })
            .collect();
        Ok(ObjectStream {
            id,
            offset,
            objects,
            data,
        })
    }

    /// The object at `index`, which must be object `expected`.
    pub(crate) fn object(
        &self,
        index: u32,
        expected: ObjRef,
        max_depth: usize,
    ) -> Result<Object, PdfError> {
        let &(num, start, end) =
            self.objects
                .get(index as usize)
                .ok_or(PdfError::BadObjectStream {
                    stream: self.id,
                    reason: "index beyond /N",
                })?;
        if num != expected.num {
            return Err(PdfError::ObjectMismatch {
                offset: self.offset,
                expected,
                found: ObjRef::new(num, 0),
            });
        }
        let bytes = self.data.get(start..end).unwrap_or(&[]);
        let mut p = Parser::new(Lexer::detached(bytes), max_depth);
        let obj = p.parse_object()?;
        if matches!(
            p.lexer().next_token(),
            Ok(Some((Token::Keyword(b"stream"), _)))
        ) {
            return Err(PdfError::BadObjectStream {
                stream: self.id,
                reason: "holds a stream",
            });
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
        let b = Budget::default();
        let id = ObjRef::new(1, 0);
        assert!(ObjectStream::parse(id, 0, &dict(2, 4), b"1 0 (x)".to_vec(), &b).is_err());
        assert!(ObjectStream::parse(id, 0, &dict(1, 40), b"1 0 (x)".to_vec(), &b).is_err());
        assert!(ObjectStream::parse(id, 0, &dict(1, 4), b"1 99 (x)".to_vec(), &b).is_err());
        assert!(ObjectStream::parse(id, 0, &dict(-1, 4), b"1 0 (x)".to_vec(), &b).is_err());
        let mut small = b;
        small.max_objects = 1;
        assert!(matches!(
            ObjectStream::parse(id, 0, &dict(2, 8), b"1 0 2 1 xy".to_vec(), &small),
            Err(PdfError::BudgetExceeded { .. })
        ));
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
