//! Encrypted documents: the standard security handler (ISO 32000-2 §7.6.4), revisions 2 to 6
//! — RC4 with 40 to 128-bit keys, AES-128 (`/AESV2`) and AES-256 (`/AESV3`, revisions 5 and
//! 6) — with crypt filters (`/CF`, `/StmF`, `/StrF`, `/EFF`, `/Identity`, a stream's own
//! `/Crypt` filter) and `/EncryptMetadata false`.
//!
//! The document reader decrypts as it reads (§7.6.2): every string of an object in the file
//! with that object's key, every stream's data before its filters. Not decrypted: the
//! encryption dictionary, cross-reference streams, strings inside object streams (the
//! stream as a whole is), the trailer's `/ID`, and the `/Contents` of signature dictionaries
//! (§7.6.2: it is written in the clear, and the signed byte ranges are raw file bytes,
//! hashed as they are). An encryption dictionary kyso cannot use in full (another security
//! handler, an unknown version or method, an indirect or mistyped entry) is an error: kyso
//! never reads ciphertext as if it were plaintext.

mod cipher;
mod keys;

use std::fmt;

use super::object::{Dict, Name, ObjRef, Object};
use crate::report::Lang;

pub use cipher::CryptMethod;
use cipher::{aes_cbc_decrypt, aes_cbc_encrypt, rc4};
use keys::{object_key, Role, StandardParams};

/// A password given to open an encrypted document: the user or the owner password.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Password(Vec<u8>);

impl Password {
    /// A password from its bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Password(bytes.into())
    }

    /// The bytes of the password.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The forms of the password kyso tries: as given (UTF-8 for text), and for revisions
    /// 2–4 the Latin-1 bytes of a text password (PDFDocEncoding agrees for letters), for
    /// revisions 5–6 its SASLprep form (RFC 4013, as ISO 32000-2 §7.6.4.3.3 asks: non-ASCII
    /// spaces mapped to U+0020, characters "commonly mapped to nothing" such as the soft
    /// hyphen and zero-width joiners removed, NFKC; with feature `saslprep`) and its NFKC form
    /// (for a password SASLprep prohibits, and without the feature).
    fn forms(&self, revision: u8) -> Vec<Vec<u8>> {
        let mut out = vec![self.0.clone()];
        if let Ok(text) = std::str::from_utf8(&self.0) {
            let mut others: Vec<Vec<u8>> = Vec::new();
            if revision >= 5 {
                #[cfg(feature = "saslprep")]
                if let Ok(prepared) = stringprep::saslprep(text) {
                    others.push(prepared.as_bytes().to_vec());
                }
                use unicode_normalization::UnicodeNormalization;
                others.push(text.nfkc().collect::<String>().into_bytes());
            } else if let Some(latin1) = text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).ok())
                .collect::<Option<Vec<u8>>>()
            {
                others.push(latin1);
            }
            for o in others {
                if !out.contains(&o) {
                    out.push(o);
                }
            }
        }
        out
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Password(s.as_bytes().to_vec())
    }
}

/// Why an encrypted document could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncryptionError {
    /// The document has a user password and none was given.
    #[error(
        "the document is encrypted with a password; give its user or owner password \
         (--password-file or --password-env; --pdf-password-file or --pdf-password-env \
         for kyso sign)"
    )]
    PasswordRequired,
    /// The password given is neither the user nor the owner password (and the document does
    /// not open with an empty user password).
    #[error(
        "the password given does not open the document (neither its user nor its owner password)"
    )]
    WrongPassword,
    /// The encryption is of a kind kyso does not decrypt.
    #[error("the document's encryption is not supported: {what}")]
    Unsupported {
        /// What (for example "security handler /Adobe.PubSec").
        what: String,
    },
    /// The encryption dictionary is malformed.
    #[error("the document's encryption dictionary is malformed: {what}")]
    Malformed {
        /// What is wrong.
        what: &'static str,
    },
    /// An object's encrypted data cannot be decrypted.
    #[error("object {object}: cannot decrypt: {reason}")]
    Decrypt {
        /// The object.
        object: ObjRef,
        /// Why.
        reason: &'static str,
    },
}

impl EncryptionError {
    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Vi => match self {
                EncryptionError::PasswordRequired => {
                    "tài liệu được mã hóa bằng mật khẩu; hãy cung cấp mật khẩu người dùng \
                     hoặc chủ sở hữu (--password-file hoặc --password-env; với kyso sign: \
                     --pdf-password-file hoặc --pdf-password-env)"
                        .into()
                }
                EncryptionError::WrongPassword => "mật khẩu đã cung cấp không mở được tài liệu \
                    (không phải mật khẩu người dùng cũng không phải mật khẩu chủ sở hữu)"
                    .into(),
                EncryptionError::Unsupported { what } => {
                    format!("kyso không hỗ trợ kiểu mã hóa của tài liệu: {what}")
                }
                EncryptionError::Malformed { what } => {
                    format!("từ điển mã hóa (/Encrypt) của tài liệu bị sai cấu trúc: {what}")
                }
                EncryptionError::Decrypt { object, reason } => {
                    format!("không giải mã được đối tượng {object}: {reason}")
                }
            },
        }
    }
}

/// Which password opened the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Access {
    /// The owner password: every permission.
    Owner,
    /// The user password: the permissions of `/P`.
    User,
}

/// The user access permissions of `/P` (ISO 32000-2 §7.6.4.2, Table 22). They bind
/// conforming writers that opened the document with the user password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permissions(u32);

impl Permissions {
    /// Every permission (what the owner password grants).
    pub const ALL: Permissions = Permissions(u32::MAX);

    /// The permissions of a `/P` value.
    pub fn from_bits(p: u32) -> Self {
        Permissions(p)
    }

    /// The 32 bits of `/P`.
    pub fn bits(self) -> u32 {
        self.0
    }

    fn bit(self, n: u32) -> bool {
        self.0 & (1 << (n - 1)) != 0
    }

    /// Bit 3: print.
    pub fn print(self) -> bool {
        self.bit(3)
    }

    /// Bit 4: modify the contents other than by bits 6, 9 and 11.
    pub fn modify(self) -> bool {
        self.bit(4)
    }

    /// Bit 5: copy or extract text and graphics.
    pub fn copy(self) -> bool {
        self.bit(5)
    }

    /// Bit 6: add or modify annotations, fill in form fields (including signature fields).
    pub fn annotate(self) -> bool {
        self.bit(6)
    }

    /// Bit 9: fill in existing form fields, including signature fields, even without bit 6.
    pub fn fill_forms(self) -> bool {
        self.bit(9)
    }

    /// Bit 11: assemble (insert, rotate, delete pages, bookmarks, thumbnails).
    pub fn assemble(self) -> bool {
        self.bit(11)
    }

    /// What is allowed and what is not, as a short list ("print: yes, modify: no, …").
    pub fn summary(self, lang: Lang) -> String {
        let yes = lang.pick("yes", "có");
        let no = lang.pick("no", "không");
        [
            (lang.pick("print", "in"), self.print()),
            (lang.pick("modify", "sửa nội dung"), self.modify()),
            (lang.pick("copy", "sao chép"), self.copy()),
            (lang.pick("annotate", "chú thích"), self.annotate()),
            (lang.pick("fill forms", "điền biểu mẫu"), self.fill_forms()),
            (lang.pick("assemble", "sắp xếp trang"), self.assemble()),
        ]
        .iter()
        .map(|(what, ok)| format!("{what}: {}", if *ok { yes } else { no }))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// How a document is encrypted and how kyso opened it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Encryption {
    /// `/V`: 1, 2, 4 or 5.
    pub version: u8,
    /// `/R`: 2 to 6.
    pub revision: u8,
    /// The file encryption key's length in bits.
    pub key_bits: u16,
    /// The cipher of strings (`/StrF`).
    pub strings: CryptMethod,
    /// The cipher of streams (`/StmF`).
    pub streams: CryptMethod,
    /// `/EncryptMetadata`: false when the metadata streams are in the clear.
    pub encrypt_metadata: bool,
    /// `/P` as written.
    pub permissions: Permissions,
    /// Which password opened it.
    pub access: Access,
    /// Opened with the empty password (nobody had to give one).
    pub empty_password: bool,
    /// A password was given that did not open it (the empty user password did).
    pub given_password_rejected: bool,
}

impl Encryption {
    /// The permissions in force for kyso: all with the owner password, `/P` otherwise.
    pub fn effective_permissions(&self) -> Permissions {
        match self.access {
            Access::Owner => Permissions::ALL,
            Access::User => self.permissions,
        }
    }

    /// One line for reports: handler, cipher, how it was opened, permissions.
    pub fn describe(&self, lang: Lang) -> String {
        let method = if self.strings == self.streams {
            self.streams.label().to_string()
        } else {
            format!(
                "{} {}, {} {}",
                lang.pick("strings", "chuỗi"),
                self.strings.label(),
                lang.pick("streams", "luồng"),
                self.streams.label()
            )
        };
        let opened = match (self.access, self.empty_password) {
            (Access::Owner, true) => lang.pick(
                "opened without a password (the owner password is empty)",
                "mở không cần mật khẩu (mật khẩu chủ sở hữu để trống)",
            ),
            (Access::User, true) => lang.pick(
                "opened with the empty user password",
                "mở bằng mật khẩu người dùng trống",
            ),
            (Access::Owner, false) => lang.pick(
                "opened with the owner password given",
                "mở bằng mật khẩu chủ sở hữu đã cung cấp",
            ),
            (Access::User, false) => lang.pick(
                "opened with the user password given",
                "mở bằng mật khẩu người dùng đã cung cấp",
            ),
        };
        let rejected = if self.given_password_rejected {
            lang.pick(
                " (the password given did not open it)",
                " (mật khẩu đã cung cấp không mở được)",
            )
        } else {
            ""
        };
        let meta = if self.encrypt_metadata {
            ""
        } else {
            lang.pick(", metadata in the clear", ", siêu dữ liệu không mã hóa")
        };
        format!(
            "{} R{} {method} {}-bit{meta}; {opened}{rejected}; {}: {}",
            lang.pick("standard security handler", "bộ xử lý bảo mật chuẩn"),
            self.revision,
            self.key_bits,
            lang.pick("permissions", "quyền"),
            self.permissions.summary(lang)
        )
    }
}

/// The key and rules that decrypt (and encrypt) the strings and streams of one document.
#[derive(Clone)]
pub(crate) struct Crypt {
    key: Vec<u8>,
    strings: CryptMethod,
    streams: CryptMethod,
    embedded: CryptMethod,
    named: Vec<(Vec<u8>, CryptMethod)>,
    encrypt_metadata: bool,
    /// The encryption dictionary's object, never decrypted.
    pub(crate) encrypt_ref: Option<ObjRef>,
    pub(crate) info: Encryption,
}

impl fmt::Debug for Crypt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crypt").field("info", &self.info).finish()
    }
}

/// What is done to each string of an object (decrypt or encrypt it).
type StringFn<'a> = dyn FnMut(&Crypt, ObjRef, &[u8]) -> Result<Vec<u8>, EncryptionError> + 'a;

fn malformed(what: &'static str) -> EncryptionError {
    EncryptionError::Malformed { what }
}

fn has_reference(o: &Object) -> bool {
    match o {
        Object::Reference(_) => true,
        Object::Array(a) => a.iter().any(has_reference),
        Object::Dict(d) => d.iter().any(|(_, v)| has_reference(v)),
        Object::Stream(_) => true,
        _ => false,
    }
}

fn string<'a>(d: &'a Dict, key: &[u8], what: &'static str) -> Result<&'a [u8], EncryptionError> {
    match d.get(key) {
        Some(Object::String(s)) => Ok(&s.bytes),
        _ => Err(malformed(what)),
    }
}

impl Crypt {
    /// Reads the encryption dictionary `encrypt` (object `encrypt_ref` when indirect) with the
    /// trailer's first `/ID` string, and finds the file key: with `password` first when one
    /// is given, then with the empty password.
    pub(crate) fn open(
        encrypt: &Dict,
        encrypt_ref: Option<ObjRef>,
        id0: &[u8],
        password: Option<&Password>,
    ) -> Result<Crypt, EncryptionError> {
        if encrypt.iter().any(|(_, v)| has_reference(v)) {
            return Err(malformed("an entry is an indirect reference or a stream"));
        }
        match encrypt.get(b"Filter") {
            Some(Object::Name(n)) if n.as_bytes() == b"Standard" => {}
            Some(Object::Name(n)) => {
                return Err(EncryptionError::Unsupported {
                    what: format!(
                        "security handler /{} (only the standard password handler is)",
                        String::from_utf8_lossy(n.as_bytes())
                    ),
                })
            }
            _ => return Err(malformed("/Filter is missing or not a name")),
        }
        let int = |key: &[u8], what| encrypt.get_int(key).ok_or_else(|| malformed(what));
        let v = int(b"V", "/V is missing or not an integer")?;
        let r = int(b"R", "/R is missing or not an integer")?;
        let (v, r) = match (u8::try_from(v), u8::try_from(r)) {
            (Ok(v @ (1 | 2 | 4 | 5)), Ok(r @ 2..=6)) => (v, r),
            _ => {
                return Err(EncryptionError::Unsupported {
                    what: format!("/V {v} /R {r}"),
                })
            }
        };
        let agree = match v {
            1 | 2 => r <= 3,
            4 => r == 4,
            _ => r >= 5,
        };
        if !agree {
            return Err(malformed("/V and /R do not agree"));
        }
        let p = match encrypt.get(b"P") {
            Some(Object::Integer(p)) => i32::try_from(*p)
                .map(|p| p as u32)
                .or_else(|_| u32::try_from(*p))
                .map_err(|_| malformed("/P is outside 32 bits"))?,
            _ => return Err(malformed("/P is missing or not an integer")),
        };
        let encrypt_metadata = match encrypt.get(b"EncryptMetadata") {
            None => true,
            Some(Object::Bool(b)) => *b || v < 4,
            Some(_) => return Err(malformed("/EncryptMetadata is not a boolean")),
        };
        let key_len = match v {
            1 => 5,
            2 | 4 => match encrypt.get(b"Length") {
                None if v == 2 => 5,
                None => 16,
                Some(Object::Integer(bits)) if (40..=128).contains(bits) && bits % 8 == 0 => {
                    usize::try_from(bits / 8).unwrap_or(16)
                }
                Some(_) => return Err(malformed("/Length is not 40 to 128 bits in steps of 8")),
            },
            _ => 32,
        };
        let (strings, streams, embedded, named) = if v < 4 {
            (
                CryptMethod::Rc4,
                CryptMethod::Rc4,
                CryptMethod::Rc4,
                Vec::new(),
            )
        } else {
            let named = crypt_filters(encrypt, v)?;
            let pick = |key: &[u8],
                        default: Option<CryptMethod>|
             -> Result<CryptMethod, EncryptionError> {
                match encrypt.get(key) {
                    None => default.ok_or_else(|| malformed("a crypt filter name is missing")),
                    Some(Object::Name(n)) => lookup(&named, n.as_bytes()),
                    Some(_) => Err(malformed("/StmF, /StrF or /EFF is not a name")),
                }
            };
            let stm = pick(b"StmF", Some(CryptMethod::None))?;
            let str_ = pick(b"StrF", Some(CryptMethod::None))?;
            let eff = pick(b"EFF", Some(stm))?;
            (str_, stm, eff, named)
        };
        if v == 4 && key_len != 16 && [strings, streams, embedded].contains(&CryptMethod::AesV2) {
            return Err(malformed("AES-128 with a key that is not 128 bits"));
        }
        let (o, u, oe, ue, perms) = if r >= 5 {
            let o = string(encrypt, b"O", "/O is missing")?;
            let u = string(encrypt, b"U", "/U is missing")?;
            let oe = string(encrypt, b"OE", "/OE is missing")?;
            let ue = string(encrypt, b"UE", "/UE is missing")?;
            if o.len() < 48 || u.len() < 48 || oe.len() < 32 || ue.len() < 32 {
                return Err(malformed("/O, /U, /OE or /UE is too short"));
            }
            let perms = match encrypt.get(b"Perms") {
                None if r == 5 => None,
                Some(Object::String(s)) if s.bytes.len() >= 16 => Some(s.bytes.clone()),
                _ => return Err(malformed("/Perms is missing or shorter than 16 bytes")),
            };
            (o.to_vec(), u.to_vec(), oe.to_vec(), ue.to_vec(), perms)
        } else {
            let o = string(encrypt, b"O", "/O is missing")?;
            let u = string(encrypt, b"U", "/U is missing")?;
            if o.len() < 32 || u.len() < 32 {
                return Err(malformed("/O or /U is shorter than 32 bytes"));
            }
            (o.to_vec(), u.to_vec(), Vec::new(), Vec::new(), None)
        };
        let params = StandardParams {
            revision: r,
            o,
            u,
            oe,
            ue,
            perms,
            p,
            id0: id0.to_vec(),
            key_len,
            encrypt_metadata,
        };
        let attempt = |pw: &Password| {
            pw.forms(r)
                .iter()
                .find_map(|form| params.authenticate(form))
        };
        let given = password.and_then(|pw| attempt(pw).map(|k| (k, false)));
        let (found, rejected) = match given {
            Some(found) => (Some(found), false),
            None => (
                attempt(&Password::default()).map(|k| (k, true)),
                password.is_some(),
            ),
        };
        let Some(((key, role), empty)) = found else {
            return Err(if password.is_some() {
                EncryptionError::WrongPassword
            } else {
                EncryptionError::PasswordRequired
            });
        };
        if r == 6 && !params.check_perms(&key) {
            return Err(malformed("/Perms does not match /P under the file key"));
        }
        let info = Encryption {
            version: v,
            revision: r,
            key_bits: u16::try_from(key_len * 8).unwrap_or(256),
            strings,
            streams,
            encrypt_metadata,
            permissions: Permissions(p),
            access: match role {
                Role::Owner => Access::Owner,
                Role::User => Access::User,
            },
            empty_password: empty || password.is_some_and(|pw| pw.as_bytes().is_empty()),
            given_password_rejected: rejected,
        };
        Ok(Crypt {
            key,
            strings,
            streams,
            embedded,
            named,
            encrypt_metadata,
            encrypt_ref,
            info,
        })
    }

    /// Decrypts `data` of object `id` with `method`.
    pub(crate) fn decrypt(
        &self,
        method: CryptMethod,
        id: ObjRef,
        data: &[u8],
    ) -> Result<Vec<u8>, EncryptionError> {
        let fail = |e: cipher::CipherError| EncryptionError::Decrypt {
            object: id,
            reason: e.reason(),
        };
        match method {
            CryptMethod::None => Ok(data.to_vec()),
            CryptMethod::Rc4 => {
                rc4(&object_key(&self.key, id.num, id.gen, false), data).map_err(fail)
            }
            CryptMethod::AesV2 => {
                aes_cbc_decrypt(&object_key(&self.key, id.num, id.gen, true), data).map_err(fail)
            }
            CryptMethod::AesV3 => aes_cbc_decrypt(&self.key, data).map_err(fail),
        }
    }

    /// Encrypts `data` of object `id` with `method`; `iv` is the initialisation vector for
    /// AES (16 fresh random bytes per string or stream).
    #[cfg_attr(not(test), allow(dead_code))] // for writers of encrypted updates
    pub(crate) fn encrypt(
        &self,
        method: CryptMethod,
        id: ObjRef,
        data: &[u8],
        iv: &[u8; 16],
    ) -> Result<Vec<u8>, EncryptionError> {
        let fail = |e: cipher::CipherError| EncryptionError::Decrypt {
            object: id,
            reason: e.reason(),
        };
        match method {
            CryptMethod::None => Ok(data.to_vec()),
            CryptMethod::Rc4 => {
                rc4(&object_key(&self.key, id.num, id.gen, false), data).map_err(fail)
            }
            CryptMethod::AesV2 => {
                aes_cbc_encrypt(&object_key(&self.key, id.num, id.gen, true), iv, data)
                    .map_err(fail)
            }
            CryptMethod::AesV3 => aes_cbc_encrypt(&self.key, iv, data).map_err(fail),
        }
    }

    /// Decrypts, in place, every string of object `id` (§7.6.2), except the `/Contents` of a
    /// signature dictionary and the strings of a cross-reference stream's dictionary.
    pub(crate) fn decrypt_object(
        &self,
        id: ObjRef,
        obj: &mut Object,
    ) -> Result<(), EncryptionError> {
        if Some(id) == self.encrypt_ref {
            return Ok(());
        }
        self.strings_in(id, obj, &mut |c, id, bytes| c.decrypt(c.strings, id, bytes))
    }

    /// Encrypts, in place, every string of object `id` as [`Crypt::decrypt_object`] would
    /// expect them; `iv` gives a fresh initialisation vector for each string.
    #[cfg_attr(not(test), allow(dead_code))] // for writers of encrypted updates
    pub(crate) fn encrypt_object(
        &self,
        id: ObjRef,
        obj: &mut Object,
        iv: &mut dyn FnMut() -> [u8; 16],
    ) -> Result<(), EncryptionError> {
        self.strings_in(id, obj, &mut |c, id, bytes| {
            c.encrypt(c.strings, id, bytes, &iv())
        })
    }

    fn strings_in(
        &self,
        id: ObjRef,
        obj: &mut Object,
        f: &mut StringFn<'_>,
    ) -> Result<(), EncryptionError> {
        match obj {
            Object::String(s) => {
                s.bytes = f(self, id, &s.bytes)?;
                Ok(())
            }
            Object::Array(items) => items.iter_mut().try_for_each(|o| self.strings_in(id, o, f)),
            Object::Dict(d) => self.strings_in_dict(id, d, f),
            Object::Stream(s) if s.dict.is_type(b"XRef") => Ok(()),
            Object::Stream(s) => self.strings_in_dict(id, &mut s.dict, f),
            _ => Ok(()),
        }
    }

    fn strings_in_dict(
        &self,
        id: ObjRef,
        d: &mut Dict,
        f: &mut StringFn<'_>,
    ) -> Result<(), EncryptionError> {
        let signature = is_signature_dictionary(d);
        for (k, v) in d.iter_mut() {
            if signature && k.as_bytes() == b"Contents" && matches!(v, Object::String(_)) {
                continue;
            }
            self.strings_in(id, v, f)?;
        }
        Ok(())
    }

    /// The cipher of a stream with dictionary `dict` whose first filter (resolved) is
    /// `crypt_filter` when that is `/Crypt` (its `/DecodeParms` `/Name`, §7.4.10).
    pub(crate) fn stream_method(
        &self,
        dict: &Dict,
        crypt_filter: Option<Option<&Dict>>,
    ) -> Result<CryptMethod, EncryptionError> {
        if dict.is_type(b"XRef") {
            return Ok(CryptMethod::None);
        }
        if let Some(params) = crypt_filter {
            return match params.and_then(|p| p.get(b"Name")) {
                None => Ok(CryptMethod::None),
                Some(Object::Name(n)) => lookup(&self.named, n.as_bytes()),
                Some(_) => Err(malformed("a /Crypt filter's /Name is not a name")),
            };
        }
        if !self.encrypt_metadata && dict.is_type(b"Metadata") {
            return Ok(CryptMethod::None);
        }
        if dict.is_type(b"EmbeddedFile") {
            return Ok(self.embedded);
        }
        Ok(self.streams)
    }
}

/// A signature dictionary (ISO 32000-2 §12.8.1): `/Type /Sig` or `/DocTimeStamp`, or no
/// `/Type` and a `/ByteRange`.
fn is_signature_dictionary(d: &Dict) -> bool {
    match d.get_name(b"Type") {
        Some(t) => t == b"Sig" || t == b"DocTimeStamp",
        None => d.contains(b"ByteRange"),
    }
}

/// The crypt filters of `/CF` (§7.6.6): name → cipher.
fn crypt_filters(encrypt: &Dict, v: u8) -> Result<Vec<(Vec<u8>, CryptMethod)>, EncryptionError> {
    let cf = match encrypt.get(b"CF") {
        None => return Ok(Vec::new()),
        Some(Object::Dict(d)) => d,
        Some(_) => return Err(malformed("/CF is not a dictionary")),
    };
    let mut out = Vec::new();
    for (name, value) in cf.iter() {
        let Object::Dict(f) = value else {
            return Err(malformed("a crypt filter is not a dictionary"));
        };
        let method = match f.get(b"CFM") {
            None => CryptMethod::None,
            Some(Object::Name(m)) => match m.as_bytes() {
                b"None" => CryptMethod::None,
                b"V2" => CryptMethod::Rc4,
                b"AESV2" => CryptMethod::AesV2,
                b"AESV3" => CryptMethod::AesV3,
                other => {
                    return Err(EncryptionError::Unsupported {
                        what: format!("crypt filter method /{}", String::from_utf8_lossy(other)),
                    })
                }
            },
            Some(_) => return Err(malformed("a crypt filter's /CFM is not a name")),
        };
        let fits = match method {
            CryptMethod::None => true,
            CryptMethod::Rc4 | CryptMethod::AesV2 => v == 4,
            CryptMethod::AesV3 => v == 5,
        };
        if !fits {
            return Err(malformed("a crypt filter's method does not fit /V"));
        }
        out.push((name.as_bytes().to_vec(), method));
    }
    Ok(out)
}

fn lookup(named: &[(Vec<u8>, CryptMethod)], name: &[u8]) -> Result<CryptMethod, EncryptionError> {
    if name == b"Identity" {
        return Ok(CryptMethod::None);
    }
    named
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, m)| *m)
        .ok_or_else(|| {
            malformed("a crypt filter named in /StmF, /StrF, /EFF or /Crypt is not in /CF")
        })
}

/// The name of a crypt filter step.
pub(crate) fn is_crypt_filter(name: &Name) -> bool {
    name.as_bytes() == b"Crypt"
}

#[cfg(test)]
mod tests;
