//! Objects already parsed, kept per document so that reading the same object again (once
//! per revision by the difference analysis, twice by signature discovery) does not parse it
//! again.
//!
//! The key is the object's offset in the file and its number: the same bytes parse to the
//! same object whichever revision asks. Only objects whose value cannot depend on the revision
//! are kept: not streams with an indirect `/Length` (resolved in the asking revision), and
//! not objects in object streams (their stream has its own cache). A stream with a direct
//! `/Length` is kept as parsed: its dictionary and where its data lies (the data is not
//! read). The cache is bounded in objects and in bytes of the file (for a stream, the bytes
//! of its dictionary); past the bounds nothing more is kept.

use std::collections::HashMap;
use std::sync::Mutex;

use super::object::{ObjRef, Object, StreamData};
use super::parser::IndirectObject;

/// Most objects kept.
const MAX_OBJECTS: usize = 4096;
/// Most bytes of the file (object spans) kept in all.
const MAX_BYTES: u64 = 2 << 20;
/// Largest object kept.
const MAX_OBJECT_BYTES: u64 = 256 << 10;

#[derive(Debug, Default)]
pub(crate) struct ParsedObjects {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    objects: HashMap<(u64, ObjRef), IndirectObject>,
    bytes: u64,
}

impl ParsedObjects {
    /// The object `r` parsed at `offset` before, if it was kept.
    pub(crate) fn get(&self, offset: u64, r: ObjRef) -> Option<IndirectObject> {
        let inner = self.inner.lock().ok()?;
        inner.objects.get(&(offset, r)).cloned()
    }

    /// Keeps `obj` (parsed at `offset` as `r`) when it qualifies and fits.
    pub(crate) fn put(&self, offset: u64, r: ObjRef, obj: &IndirectObject) {
        if obj.in_object_stream.is_some() {
            return;
        }
        let Some(mut size) = obj.span.map(|s| s.end.saturating_sub(s.start)) else {
            return;
        };
        if let Object::Stream(s) = &obj.object {
            if matches!(s.dict.get(b"Length"), Some(Object::Reference(_))) {
                return;
            }
            // What is kept is the dictionary, not the data.
            if let StreamData::File(data) = &s.data {
                size = size.saturating_sub(data.end.saturating_sub(data.start));
            }
        }
        if size > MAX_OBJECT_BYTES {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.objects.len() >= MAX_OBJECTS || inner.bytes.saturating_add(size) > MAX_BYTES {
            return;
        }
        if inner.objects.insert((offset, r), obj.clone()).is_none() {
            inner.bytes = inner.bytes.saturating_add(size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::object::{Dict, Span, Stream, StreamData};

    fn object(value: Object, start: u64, len: u64) -> IndirectObject {
        IndirectObject {
            id: ObjRef::new(7, 0),
            object: value,
            span: Some(Span {
                start,
                end: start + len,
            }),
            in_object_stream: None,
        }
    }

    #[test]
    fn keeps_plain_objects_not_streams_and_stays_bounded() {
        let cache = ParsedObjects::default();
        let r = ObjRef::new(7, 0);
        let plain = object(Object::Integer(42), 100, 20);
        cache.put(100, r, &plain);
        assert_eq!(cache.get(100, r), Some(plain));
        // Another offset or another number is another object.
        assert_eq!(cache.get(101, r), None);
        assert_eq!(cache.get(100, ObjRef::new(8, 0)), None);

        // A stream whose /Length is a reference may parse differently in another
        // revision: not kept. With a direct /Length it is, whatever the size of its data.
        let stream = |length: Object| {
            let mut dict = Dict::new();
            dict.set("Length", length);
            Object::Stream(Stream {
                dict,
                data: StreamData::File(Span {
                    start: 230,
                    end: 230 + (1 << 20),
                }),
            })
        };
        let indirect = object(
            stream(Object::Reference(ObjRef::new(9, 0))),
            200,
            50 + (1 << 20),
        );
        cache.put(200, r, &indirect);
        assert_eq!(cache.get(200, r), None);
        let direct = object(stream(Object::Integer(1 << 20)), 200, 50 + (1 << 20));
        cache.put(200, r, &direct);
        assert_eq!(cache.get(200, r), Some(direct));

        let huge = object(Object::Integer(1), 300, MAX_OBJECT_BYTES + 1);
        cache.put(300, r, &huge);
        assert_eq!(cache.get(300, r), None);

        // The byte bound: objects of 200 KiB fit ten times into 2 MiB, not more.
        let mut kept = 0;
        for i in 0..20u64 {
            let at = 1_000_000 + i * (200 << 10);
            cache.put(at, r, &object(Object::Integer(1), at, 200 << 10));
            kept += usize::from(cache.get(at, r).is_some());
        }
        assert_eq!(kept, 10);
    }
}
