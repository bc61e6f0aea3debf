//! Where PDF bytes come from: a random-access source read in windows.
//!
//! The reader never needs the whole file in memory. It asks for the bytes it needs (the tail
//! for `startxref`, a cross-reference section, one object) with [`Source::read_at`], and the
//! verifier hashes byte ranges in large sequential reads. A `&[u8]` or `Vec<u8>` is a source
//! (tests, in-memory callers); so is a [`FileSource`], which reads with positioned reads, or
//! holds a small file whole (up to [`WHOLE_FILE_LIMIT`]: one read instead of dozens of small
//! ones, and no more memory than the verifier's hashing buffer).

use std::fs::File;
use std::io;
use std::path::Path;

/// Random-access bytes of known length.
pub trait Source: Send + Sync {
    /// Total length in bytes.
    fn len(&self) -> u64;

    /// True when the source has no byte.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fills `buf` with bytes starting at `offset`, returning how many were read: fewer than
    /// `buf.len()` only at the end of the source.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;

    /// Reads `[offset, offset + len)`, clipped to the end of the source.
    fn read_vec(&self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let avail = self.len().saturating_sub(offset);
        let n = usize::try_from(avail).map_or(len, |a| a.min(len));
        let mut buf = vec![0u8; n];
        let mut filled = 0;
        while filled < n {
            let got = self.read_at(offset + filled as u64, &mut buf[filled..])?;
            if got == 0 {
                break;
            }
            filled += got;
        }
        buf.truncate(filled);
        Ok(buf)
    }

    /// The whole source in memory, when it already is (lets callers skip copies).
    fn as_slice(&self) -> Option<&[u8]> {
        None
    }
}

impl Source for [u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let Ok(start) = usize::try_from(offset) else {
            return Ok(0);
        };
        let Some(rest) = self.get(start..) else {
            return Ok(0);
        };
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        Ok(n)
    }

    fn as_slice(&self) -> Option<&[u8]> {
        Some(self)
    }
}

impl Source for Vec<u8> {
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        Source::read_at(self.as_slice(), offset, buf)
    }

    fn as_slice(&self) -> Option<&[u8]> {
        Some(self)
    }
}

impl<S: Source + ?Sized> Source for &S {
    fn len(&self) -> u64 {
        (**self).len()
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(offset, buf)
    }

    fn as_slice(&self) -> Option<&[u8]> {
        (**self).as_slice()
    }
}

/// Files up to this size are read whole when a [`FileSource`] opens them (1 MiB, the size of
/// the verifier's hashing buffer): reading the structure of a small file takes dozens of small
/// reads otherwise, and their system calls cost more than the bytes.
pub const WHOLE_FILE_LIMIT: u64 = 1 << 20;

/// A file read with positioned reads; its length is taken once, when it is opened, so a file
/// that grows while it is verified is verified as it was. A file of at most
/// [`WHOLE_FILE_LIMIT`] bytes is read whole when opened ([`FileSource::open`]) and served
/// from memory; [`FileSource::open_streaming`] never does that.
#[derive(Debug)]
pub struct FileSource {
    file: File,
    len: u64,
    whole: Option<Vec<u8>>,
}

impl FileSource {
    /// Opens `path` for reading; a file of at most [`WHOLE_FILE_LIMIT`] bytes is read whole.
    pub fn open(path: &Path) -> io::Result<Self> {
        let mut source = Self::open_streaming(path)?;
        if source.len <= WHOLE_FILE_LIMIT {
            let len = usize::try_from(source.len).map_err(io::Error::other)?;
            let mut bytes = Vec::with_capacity(len);
            // From the start (the file was just opened), never past the length taken: a file
            // that grew since is read as it was, one truncated since is what was read.
            io::Read::read_to_end(&mut io::Read::take(&source.file, source.len), &mut bytes)?;
            source.len = bytes.len() as u64;
            source.whole = Some(bytes);
        }
        Ok(source)
    }

    /// Opens `path` for positioned reads only, whatever its size.
    pub fn open_streaming(path: &Path) -> io::Result<Self> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(FileSource {
            file,
            len,
            whole: None,
        })
    }

    /// Whether the file is held in memory (it was small enough when opened).
    pub fn is_in_memory(&self) -> bool {
        self.whole.is_some()
    }
}

impl Source for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(whole) = &self.whole {
            return Source::read_at(whole.as_slice(), offset, buf);
        }
        if offset >= self.len {
            return Ok(0);
        }
        let max = usize::try_from(self.len - offset).map_or(buf.len(), |m| m.min(buf.len()));
        positioned_read(&self.file, offset, &mut buf[..max])
    }

    fn as_slice(&self) -> Option<&[u8]> {
        self.whole.as_deref()
    }
}

#[cfg(unix)]
fn positioned_read(file: &File, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
    use std::os::unix::fs::FileExt;
    loop {
        match file.read_at(buf, offset) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

#[cfg(windows)]
fn positioned_read(file: &File, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
    use std::os::windows::fs::FileExt;
    file.seek_read(buf, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_read_windows_and_clip_at_the_end() {
        let data = b"0123456789".to_vec();
        assert_eq!(data.read_vec(3, 4).unwrap(), b"3456");
        assert_eq!(data.read_vec(8, 10).unwrap(), b"89");
        assert!(data.read_vec(20, 4).unwrap().is_empty());
    }

    #[test]
    fn files_read_like_slices() {
        let mut tmp = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut tmp, b"%PDF-1.7\nhello").unwrap();
        let src = FileSource::open(tmp.path()).unwrap();
        assert!(src.is_in_memory());
        assert_eq!(src.len(), 14);
        assert_eq!(src.read_vec(9, 100).unwrap(), b"hello");
        assert_eq!(src.as_slice(), Some(&b"%PDF-1.7\nhello"[..]));
        let streaming = FileSource::open_streaming(tmp.path()).unwrap();
        assert!(!streaming.is_in_memory());
        assert!(streaming.as_slice().is_none());
        assert_eq!(streaming.len(), 14);
        assert_eq!(streaming.read_vec(9, 100).unwrap(), b"hello");
        assert!(streaming.read_vec(20, 4).unwrap().is_empty());
    }

    #[test]
    fn large_files_stream() {
        let mut tmp = tempfile::NamedTempFile::new().unwrap();
        let big = vec![7u8; WHOLE_FILE_LIMIT as usize + 1];
        std::io::Write::write_all(&mut tmp, &big).unwrap();
        let src = FileSource::open(tmp.path()).unwrap();
        assert!(!src.is_in_memory());
        assert_eq!(src.len(), WHOLE_FILE_LIMIT + 1);
        assert_eq!(src.read_vec(WHOLE_FILE_LIMIT, 10).unwrap(), [7u8]);
    }
}
