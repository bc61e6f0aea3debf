//! Password-based decryption and integrity for PKCS#12 files.
//!
//! - PKCS#12 PBE (RFC 7292 Appendix B and C): key, IV and MAC key derived with the PKCS#12
//!   KDF from the password as a BMPString; `pbeWithSHAAnd3-KeyTripleDES-CBC`,
//!   `…2-KeyTripleDES-CBC`, `…128BitRC2-CBC` and `…40BitRC2-CBC` (what older CA software and
//!   `openssl pkcs12 -legacy` write). RC4 variants are refused as unsupported.
//! - PBES2 (RFC 8018 §6.2): PBKDF2 with HMAC-SHA-1/256/384/512 and AES-128/192/256-CBC or
//!   DES-EDE3-CBC (OpenSSL 3's default is AES-256-CBC with HMAC-SHA-256).
//! - The MAC over the authenticated safe: HMAC with SHA-1/256/384/512 keyed by the PKCS#12
//!   KDF (RFC 7292 §5), and PBMAC1 (RFC 9579) with PBKDF2.
//!
//! Digests, HMAC and PBKDF2 come from ring; the block ciphers and CBC from RustCrypto.

use std::cell::Cell;
use std::num::NonZeroU32;

use asn1_rs::{oid, Oid, Tag};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, KeyInit};

use super::pkcs12::{Pkcs12Budget, Pkcs12Error};
use crate::asn1::der::{Element, Reader};
use crate::asn1::oid as oids;
use crate::crypto::AlgorithmIdentifier;

/// The largest iteration count kyso runs (OpenSSL writes 2048; some CA software 100 000+).
pub(crate) const MAX_ITERATIONS: u32 = 10_000_000;

const PBE_SHA1_RC4_128: Oid<'static> = oid!(1.2.840 .113549 .1 .12 .1 .1);
const PBE_SHA1_RC4_40: Oid<'static> = oid!(1.2.840 .113549 .1 .12 .1 .2);
const PBE_SHA1_3DES: Oid<'static> = oid!(1.2.840 .113549 .1 .12 .1 .3);
const PBE_SHA1_2DES: Oid<'static> = oid!(1.2.840 .113549 .1 .12 .1 .4);
const PBE_SHA1_RC2_128: Oid<'static> = oid!(1.2.840 .113549 .1 .12 .1 .5);
const PBE_SHA1_RC2_40: Oid<'static> = oid!(1.2.840 .113549 .1 .12 .1 .6);
const PBES2: Oid<'static> = oid!(1.2.840 .113549 .1 .5 .13);
const PBKDF2: Oid<'static> = oid!(1.2.840 .113549 .1 .5 .12);
const PBMAC1: Oid<'static> = oid!(1.2.840 .113549 .1 .5 .14);
const HMAC_SHA1: Oid<'static> = oid!(1.2.840 .113549 .2 .7);
const HMAC_SHA256: Oid<'static> = oid!(1.2.840 .113549 .2 .9);
const HMAC_SHA384: Oid<'static> = oid!(1.2.840 .113549 .2 .10);
const HMAC_SHA512: Oid<'static> = oid!(1.2.840 .113549 .2 .11);
const AES128_CBC: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .1 .2);
const AES192_CBC: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .1 .22);
const AES256_CBC: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .1 .42);
const DES_EDE3_CBC: Oid<'static> = oid!(1.2.840 .113549 .3 .7);

/// The hashes the KDFs and MACs use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self) -> &'static ring::digest::Algorithm {
        match self {
            Hash::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => &ring::digest::SHA256,
            Hash::Sha384 => &ring::digest::SHA384,
            Hash::Sha512 => &ring::digest::SHA512,
        }
    }

    fn hmac(self) -> ring::hmac::Algorithm {
        match self {
            Hash::Sha1 => ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => ring::hmac::HMAC_SHA256,
            Hash::Sha384 => ring::hmac::HMAC_SHA384,
            Hash::Sha512 => ring::hmac::HMAC_SHA512,
        }
    }

    fn pbkdf2(self) -> ring::pbkdf2::Algorithm {
        match self {
            Hash::Sha1 => ring::pbkdf2::PBKDF2_HMAC_SHA1,
            Hash::Sha256 => ring::pbkdf2::PBKDF2_HMAC_SHA256,
            Hash::Sha384 => ring::pbkdf2::PBKDF2_HMAC_SHA384,
            Hash::Sha512 => ring::pbkdf2::PBKDF2_HMAC_SHA512,
        }
    }

    fn from_digest_oid(oid: &Oid<'_>) -> Option<Self> {
        [
            (oids::SHA1, Hash::Sha1),
            (oids::SHA256, Hash::Sha256),
            (oids::SHA384, Hash::Sha384),
            (oids::SHA512, Hash::Sha512),
        ]
        .into_iter()
        .find_map(|(o, h)| (o == *oid).then_some(h))
    }

    fn from_hmac_oid(oid: &Oid<'_>) -> Option<Self> {
        [
            (HMAC_SHA1, Hash::Sha1),
            (HMAC_SHA256, Hash::Sha256),
            (HMAC_SHA384, Hash::Sha384),
            (HMAC_SHA512, Hash::Sha512),
        ]
        .into_iter()
        .find_map(|(o, h)| (o == *oid).then_some(h))
    }
}

/// A readable name for an encryption or MAC algorithm OID.
fn algorithm_name(oid: &Oid<'_>) -> String {
    let known: [(Oid<'static>, &str); 9] = [
        (PBE_SHA1_RC4_128, "pbeWithSHAAnd128BitRC4"),
        (PBE_SHA1_RC4_40, "pbeWithSHAAnd40BitRC4"),
        (PBE_SHA1_3DES, "pbeWithSHAAnd3-KeyTripleDES-CBC"),
        (PBE_SHA1_2DES, "pbeWithSHAAnd2-KeyTripleDES-CBC"),
        (PBE_SHA1_RC2_128, "pbeWithSHAAnd128BitRC2-CBC"),
        (PBE_SHA1_RC2_40, "pbeWithSHAAnd40BitRC2-CBC"),
        (PBES2, "PBES2"),
        (PBKDF2, "PBKDF2"),
        (PBMAC1, "PBMAC1"),
    ];
    known
        .iter()
        .find_map(|(o, n)| (o == oid).then(|| (*n).to_owned()))
        .unwrap_or_else(|| oids::name(oid))
}

/// What one PKCS#12 load has spent of its [`Pkcs12Budget`]: key-derivation work (hash
/// iterations: each derivation's iteration count times the hash blocks it derives) and
/// derivations. Shared by both readings of an empty password.
pub(crate) struct KdfMeter {
    budget: Pkcs12Budget,
    spent: Cell<u64>,
    derivations: Cell<usize>,
}

impl KdfMeter {
    pub(crate) fn new(budget: Pkcs12Budget) -> Self {
        KdfMeter {
            budget,
            spent: Cell::new(0),
            derivations: Cell::new(0),
        }
    }

    pub(crate) fn budget(&self) -> &Pkcs12Budget {
        &self.budget
    }

    /// Fails when `cost` more hash iterations in `derivations` more derivations would pass
    /// the budget; spends nothing. Called before a set of derivations whose parameters are
    /// known, so that a file asking for too much is refused before any of it runs.
    pub(crate) fn plan(&self, cost: u64, derivations: usize) -> Result<(), Pkcs12Error> {
        let b = &self.budget;
        if self.derivations.get().saturating_add(derivations) > b.max_derivations {
            return Err(Pkcs12Error::BudgetExceeded {
                what: "key derivations",
                limit: b.max_derivations as u64,
            });
        }
        if self.spent.get().saturating_add(cost) > b.max_kdf_iterations {
            return Err(Pkcs12Error::BudgetExceeded {
                what: "key-derivation iterations",
                limit: b.max_kdf_iterations,
            });
        }
        Ok(())
    }

    /// Spends one derivation of `cost` hash iterations, or fails without running it.
    fn charge(&self, cost: u64) -> Result<(), Pkcs12Error> {
        self.plan(cost, 1)?;
        self.spent.set(self.spent.get().saturating_add(cost));
        self.derivations
            .set(self.derivations.get().saturating_add(1));
        Ok(())
    }
}

/// A password, with the two encodings PKCS#12 uses, and the meter its derivations spend
/// from.
pub(crate) struct Password<'a> {
    utf8: &'a str,
    /// Whether an empty password is taken as "no password" (zero bytes) instead of the
    /// BMPString terminator alone: OpenSSL accepts both for files with an empty password.
    absent: bool,
    meter: &'a KdfMeter,
}

impl<'a> Password<'a> {
    pub(crate) fn new(utf8: &'a str, meter: &'a KdfMeter) -> Self {
        Password {
            utf8,
            absent: false,
            meter,
        }
    }

    /// The meter this password's derivations spend from.
    pub(crate) fn meter(&self) -> &'a KdfMeter {
        self.meter
    }

    /// The other reading of an empty password, if there is one.
    pub(crate) fn alternative(&self) -> Option<Password<'a>> {
        (self.utf8.is_empty() && !self.absent).then_some(Password {
            utf8: self.utf8,
            absent: true,
            meter: self.meter,
        })
    }

    /// The BMPString form with its two-byte terminator (RFC 7292 Appendix B.1).
    fn bmp(&self) -> Vec<u8> {
        if self.absent {
            return Vec::new();
        }
        let mut out: Vec<u8> = self
            .utf8
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        out.extend_from_slice(&[0, 0]);
        out
    }
}

/// Purposes of the PKCS#12 KDF (the diversifier ID).
#[derive(Clone, Copy)]
enum KdfPurpose {
    Key = 1,
    Iv = 2,
    Mac = 3,
}

/// The PKCS#12 key derivation (RFC 7292 Appendix B.2), spending from the password's meter
/// before it runs.
fn pkcs12_kdf(
    hash: Hash,
    password: &Password<'_>,
    salt: &[u8],
    iterations: u32,
    purpose: KdfPurpose,
    len: usize,
) -> Result<Vec<u8>, Pkcs12Error> {
    let algorithm = hash.digest();
    let u = algorithm.output_len();
    let v = algorithm.block_len();
    password.meter.charge(kdf_cost(iterations, len, u))?;
    let stretch = |input: &[u8]| -> Vec<u8> {
        if input.is_empty() {
            return Vec::new();
        }
        let target = input.len().div_ceil(v) * v;
        input.iter().copied().cycle().take(target).collect()
    };
    let diversifier = vec![purpose as u8; v];
    let mut i_block = stretch(salt);
    i_block.extend(stretch(&password.bmp()));
    let mut out = Vec::with_capacity(len.div_ceil(u) * u);
    while out.len() < len {
        let mut ctx = ring::digest::Context::new(algorithm);
        ctx.update(&diversifier);
        ctx.update(&i_block);
        let mut a = ctx.finish().as_ref().to_vec();
        for _ in 1..iterations {
            a = ring::digest::digest(algorithm, &a).as_ref().to_vec();
        }
        out.extend_from_slice(&a);
        if out.len() >= len {
            break;
        }
        // B = A repeated to v bytes; each v-byte block of I becomes (I_j + B + 1) mod 2^(8v).
        let b: Vec<u8> = a.iter().copied().cycle().take(v).collect();
        for chunk in i_block.chunks_mut(v) {
            let mut carry = 1u16;
            for (x, y) in chunk.iter_mut().zip(b.iter()).rev() {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = (sum & 0xff) as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(len);
    Ok(out)
}

/// Hash iterations a derivation of `len` bytes with `iterations` costs, for a hash of
/// `output_len` bytes: one run of the iterations per output block.
fn kdf_cost(iterations: u32, len: usize, output_len: usize) -> u64 {
    let blocks = len.div_ceil(output_len.max(1)).max(1) as u64;
    u64::from(iterations).saturating_mul(blocks)
}

fn check_iterations(iterations: u32) -> Result<NonZeroU32, Pkcs12Error> {
    if iterations > MAX_ITERATIONS {
        return Err(Pkcs12Error::TooManyIterations {
            iterations,
            limit: MAX_ITERATIONS,
        });
    }
    NonZeroU32::new(iterations).ok_or(Pkcs12Error::Malformed {
        what: "iteration count",
        offset: None,
        detail: "zero iterations".into(),
    })
}

/// Verifies the MAC of a password-integrity PFX (`MacData`) over `data`.
///
/// `Ok(false)` means the MAC does not match: a wrong password or a damaged file.
pub(crate) fn verify_mac(
    mac_data: &Element<'_>,
    password: &Password<'_>,
    data: &[u8],
) -> Result<bool, Pkcs12Error> {
    const WHAT: &str = "MacData";
    let mut fields = mac_data.children();
    let digest_info = fields.read(WHAT)?;
    digest_info.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    let mut di = digest_info.children();
    let alg = AlgorithmIdentifier::from_element(&di.read(WHAT)?)?;
    let expected = di.read(WHAT)?.octet_string(WHAT)?;
    di.finish(WHAT)?;
    let salt = fields.read(WHAT)?.octet_string(WHAT)?;
    let iterations = if fields.is_empty() {
        1
    } else {
        fields.read(WHAT)?.small_uint(WHAT)?
    };
    fields.finish(WHAT)?;

    let (hash, key) = if alg.oid == PBMAC1 {
        // RFC 9579: the MacData salt and iterations are ignored; PBMAC1's own parameters
        // give the key.
        pbmac1_key(alg.params, password)?
    } else {
        let hash = Hash::from_digest_oid(&alg.oid).ok_or_else(|| Pkcs12Error::UnsupportedMac {
            algorithm: algorithm_name(&alg.oid),
        })?;
        let iterations = check_iterations(iterations)?;
        let len = hash.digest().output_len();
        let key = pkcs12_kdf(
            hash,
            password,
            &salt,
            iterations.get(),
            KdfPurpose::Mac,
            len,
        )?;
        (hash, key)
    };
    let key = ring::hmac::Key::new(hash.hmac(), &key);
    Ok(ring::hmac::verify(&key, data, &expected).is_ok())
}

/// PBMAC1-params (RFC 8018 §7.1): PBKDF2 parameters and the HMAC to key.
fn pbmac1_key(
    params: Option<&[u8]>,
    password: &Password<'_>,
) -> Result<(Hash, Vec<u8>), Pkcs12Error> {
    const WHAT: &str = "PBMAC1 parameters";
    let params = params.ok_or(Pkcs12Error::Malformed {
        what: WHAT,
        offset: None,
        detail: "absent".into(),
    })?;
    let mut reader = Reader::new(params, 0);
    let seq = reader.read(WHAT)?;
    seq.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    let mut fields = seq.children();
    let kdf = AlgorithmIdentifier::from_element(&fields.read(WHAT)?)?;
    let mac = AlgorithmIdentifier::from_element(&fields.read(WHAT)?)?;
    let hash = Hash::from_hmac_oid(&mac.oid).ok_or_else(|| Pkcs12Error::UnsupportedMac {
        algorithm: format!("PBMAC1 with {}", algorithm_name(&mac.oid)),
    })?;
    if kdf.oid != PBKDF2 {
        return Err(Pkcs12Error::UnsupportedMac {
            algorithm: format!("PBMAC1 with {}", algorithm_name(&kdf.oid)),
        });
    }
    let pbkdf2 = Pbkdf2Params::parse(kdf.params)?;
    let len = pbkdf2.key_length.ok_or(Pkcs12Error::Malformed {
        what: WHAT,
        offset: None,
        detail: "PBKDF2 key length absent".into(),
    })?;
    Ok((hash, pbkdf2.derive(password, len)?))
}

/// `PBKDF2-params` (RFC 8018 Appendix A.2).
struct Pbkdf2Params<'a> {
    salt: std::borrow::Cow<'a, [u8]>,
    iterations: u32,
    key_length: Option<usize>,
    prf: Hash,
}

impl<'a> Pbkdf2Params<'a> {
    fn parse(params: Option<&'a [u8]>) -> Result<Self, Pkcs12Error> {
        const WHAT: &str = "PBKDF2 parameters";
        let params = params.ok_or(Pkcs12Error::Malformed {
            what: WHAT,
            offset: None,
            detail: "absent".into(),
        })?;
        let mut reader = Reader::new(params, 0);
        let seq = reader.read(WHAT)?;
        seq.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
        let mut fields = seq.children();
        let salt_element = fields.read(WHAT)?;
        if !salt_element.is_universal(Tag::OctetString) {
            return Err(Pkcs12Error::UnsupportedEncryption {
                algorithm: "PBKDF2 with a salt given as an algorithm".into(),
            });
        }
        let salt = salt_element.octet_string(WHAT)?;
        let iterations = fields.read(WHAT)?.small_uint(WHAT)?;
        let mut key_length = None;
        let mut prf = Hash::Sha1;
        while !fields.is_empty() {
            let element = fields.read(WHAT)?;
            if element.is_universal(Tag::Integer) && key_length.is_none() {
                key_length = Some(usize::try_from(element.small_uint(WHAT)?).unwrap_or(0));
            } else {
                let alg = AlgorithmIdentifier::from_element(&element)?;
                prf = Hash::from_hmac_oid(&alg.oid).ok_or_else(|| {
                    Pkcs12Error::UnsupportedEncryption {
                        algorithm: format!("PBKDF2 with {}", algorithm_name(&alg.oid)),
                    }
                })?;
            }
        }
        Ok(Pbkdf2Params {
            salt,
            iterations,
            key_length,
            prf,
        })
    }

    fn derive(&self, password: &Password<'_>, len: usize) -> Result<Vec<u8>, Pkcs12Error> {
        if self.key_length.is_some_and(|k| k != len) || len == 0 || len > 64 {
            return Err(Pkcs12Error::Malformed {
                what: "PBKDF2 parameters",
                offset: None,
                detail: format!("key length {:?} does not fit", self.key_length),
            });
        }
        let iterations = check_iterations(self.iterations)?;
        password.meter.charge(kdf_cost(
            iterations.get(),
            len,
            self.prf.digest().output_len(),
        ))?;
        let mut out = vec![0u8; len];
        ring::pbkdf2::derive(
            self.prf.pbkdf2(),
            iterations,
            &self.salt,
            password.utf8.as_bytes(),
            &mut out,
        );
        Ok(out)
    }
}

/// The ciphers kyso decrypts with.
#[derive(Clone, Copy, Debug)]
enum Cipher {
    Aes128,
    Aes192,
    Aes256,
    TdesEde3,
    TdesEde2,
    /// RC2 with this key length in bytes (effective key bits = 8 × length).
    Rc2(usize),
}

impl Cipher {
    fn key_len(self) -> usize {
        match self {
            Cipher::Aes128 => 16,
            Cipher::Aes192 => 24,
            Cipher::Aes256 => 32,
            Cipher::TdesEde3 => 24,
            Cipher::TdesEde2 => 16,
            Cipher::Rc2(n) => n,
        }
    }

    fn iv_len(self) -> usize {
        match self {
            Cipher::Aes128 | Cipher::Aes192 | Cipher::Aes256 => 16,
            Cipher::TdesEde3 | Cipher::TdesEde2 | Cipher::Rc2(_) => 8,
        }
    }

    /// CBC decryption with PKCS#7 padding; `None` when the padding is wrong (a wrong
    /// password, in practice).
    fn decrypt(self, key: &[u8], iv: &[u8], data: &[u8]) -> Option<Vec<u8>> {
        fn run<C>(cipher: C, iv: &[u8], data: &[u8]) -> Option<Vec<u8>>
        where
            C: cbc::cipher::BlockCipherDecrypt,
        {
            let mut buf = data.to_vec();
            let decryptor = cbc::Decryptor::<C>::inner_iv_slice_init(cipher, iv).ok()?;
            let len = decryptor.decrypt_padded::<Pkcs7>(&mut buf).ok()?.len();
            buf.truncate(len);
            Some(buf)
        }
        use cbc::cipher::InnerIvInit;
        match self {
            Cipher::Aes128 => run(aes::Aes128::new_from_slice(key).ok()?, iv, data),
            Cipher::Aes192 => run(aes::Aes192::new_from_slice(key).ok()?, iv, data),
            Cipher::Aes256 => run(aes::Aes256::new_from_slice(key).ok()?, iv, data),
            Cipher::TdesEde3 => run(des::TdesEde3::new_from_slice(key).ok()?, iv, data),
            Cipher::TdesEde2 => run(des::TdesEde2::new_from_slice(key).ok()?, iv, data),
            Cipher::Rc2(_) => run(
                rc2::Rc2::new_with_eff_key_len(key, key.len().saturating_mul(8)),
                iv,
                data,
            ),
        }
    }
}

/// Decrypts `data` encrypted with the algorithm `alg` under `password`.
///
/// `Ok(None)` means the decryption produced no valid padding: a wrong password (when the
/// file has no MAC to tell) or damaged data.
pub(crate) fn decrypt(
    alg: &AlgorithmIdentifier<'_>,
    password: &Password<'_>,
    data: &[u8],
) -> Result<Option<Vec<u8>>, Pkcs12Error> {
    let pkcs12_cipher = [
        (PBE_SHA1_3DES, Cipher::TdesEde3),
        (PBE_SHA1_2DES, Cipher::TdesEde2),
        (PBE_SHA1_RC2_128, Cipher::Rc2(16)),
        (PBE_SHA1_RC2_40, Cipher::Rc2(5)),
    ]
    .into_iter()
    .find_map(|(o, c)| (o == alg.oid).then_some(c));
    if let Some(cipher) = pkcs12_cipher {
        const WHAT: &str = "PKCS#12 PBE parameters";
        let params = alg.params.ok_or(Pkcs12Error::Malformed {
            what: WHAT,
            offset: None,
            detail: "absent".into(),
        })?;
        let mut reader = Reader::new(params, 0);
        let seq = reader.read(WHAT)?;
        seq.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
        let mut fields = seq.children();
        let salt = fields.read(WHAT)?.octet_string(WHAT)?;
        let iterations = check_iterations(fields.read(WHAT)?.small_uint(WHAT)?)?.get();
        fields.finish(WHAT)?;
        // Both derivations are known: refuse before running either if they do not fit.
        let u = Hash::Sha1.digest().output_len();
        password.meter.plan(
            kdf_cost(iterations, cipher.key_len(), u).saturating_add(kdf_cost(
                iterations,
                cipher.iv_len(),
                u,
            )),
            2,
        )?;
        let key = pkcs12_kdf(
            Hash::Sha1,
            password,
            &salt,
            iterations,
            KdfPurpose::Key,
            cipher.key_len(),
        )?;
        let iv = pkcs12_kdf(
            Hash::Sha1,
            password,
            &salt,
            iterations,
            KdfPurpose::Iv,
            cipher.iv_len(),
        )?;
        return Ok(cipher.decrypt(&key, &iv, data));
    }
    if alg.oid == PBES2 {
        return pbes2_decrypt(alg.params, password, data);
    }
    Err(Pkcs12Error::UnsupportedEncryption {
        algorithm: algorithm_name(&alg.oid),
    })
}

/// PBES2 (RFC 8018 §6.2.2) with PBKDF2; the password is used as UTF-8 bytes (as OpenSSL
/// does).
fn pbes2_decrypt(
    params: Option<&[u8]>,
    password: &Password<'_>,
    data: &[u8],
) -> Result<Option<Vec<u8>>, Pkcs12Error> {
    const WHAT: &str = "PBES2 parameters";
    let params = params.ok_or(Pkcs12Error::Malformed {
        what: WHAT,
        offset: None,
        detail: "absent".into(),
    })?;
    let mut reader = Reader::new(params, 0);
    let seq = reader.read(WHAT)?;
    seq.expect_universal(Tag::Sequence, WHAT, "SEQUENCE")?;
    let mut fields = seq.children();
    let kdf = AlgorithmIdentifier::from_element(&fields.read(WHAT)?)?;
    let scheme = AlgorithmIdentifier::from_element(&fields.read(WHAT)?)?;
    fields.finish(WHAT)?;
    if kdf.oid != PBKDF2 {
        return Err(Pkcs12Error::UnsupportedEncryption {
            algorithm: format!("PBES2 with {}", algorithm_name(&kdf.oid)),
        });
    }
    let cipher = [
        (AES128_CBC, Cipher::Aes128),
        (AES192_CBC, Cipher::Aes192),
        (AES256_CBC, Cipher::Aes256),
        (DES_EDE3_CBC, Cipher::TdesEde3),
    ]
    .into_iter()
    .find_map(|(o, c)| (o == scheme.oid).then_some(c))
    .ok_or_else(|| Pkcs12Error::UnsupportedEncryption {
        algorithm: format!("PBES2 with {}", algorithm_name(&scheme.oid)),
    })?;
    let iv = {
        let bytes = scheme.params.ok_or(Pkcs12Error::Malformed {
            what: "PBES2 IV",
            offset: None,
            detail: "absent".into(),
        })?;
        let mut r = Reader::new(bytes, 0);
        let element = r.read("PBES2 IV")?;
        r.finish("PBES2 IV")?;
        element.octet_string("PBES2 IV")?.into_owned()
    };
    if iv.len() != cipher.iv_len() {
        return Err(Pkcs12Error::Malformed {
            what: "PBES2 IV",
            offset: None,
            detail: format!("{} bytes, the cipher needs {}", iv.len(), cipher.iv_len()),
        });
    }
    let pbkdf2 = Pbkdf2Params::parse(kdf.params)?;
    let key = pbkdf2.derive(password, cipher.key_len())?;
    Ok(cipher.decrypt(&key, &iv, data))
}

/// What decrypting with `alg` will cost: (hash iterations, derivations), read from its
/// parameters without running anything. Unknown or unreadable parameters cost nothing here:
/// decrypting reports them.
pub(crate) fn planned_cost(alg: &AlgorithmIdentifier<'_>) -> (u64, usize) {
    let legacy = [
        (PBE_SHA1_3DES, Cipher::TdesEde3),
        (PBE_SHA1_2DES, Cipher::TdesEde2),
        (PBE_SHA1_RC2_128, Cipher::Rc2(16)),
        (PBE_SHA1_RC2_40, Cipher::Rc2(5)),
    ]
    .into_iter()
    .find_map(|(o, c)| (o == alg.oid).then_some(c));
    if let Some(cipher) = legacy {
        let iterations = (|| {
            let mut reader = Reader::new(alg.params?, 0);
            let seq = reader.read("").ok()?;
            let mut fields = seq.children();
            let _salt = fields.read("").ok()?;
            fields.read("").ok()?.small_uint("").ok()
        })();
        let Some(iterations) = iterations else {
            return (0, 0);
        };
        let u = Hash::Sha1.digest().output_len();
        let cost = kdf_cost(iterations, cipher.key_len(), u).saturating_add(kdf_cost(
            iterations,
            cipher.iv_len(),
            u,
        ));
        return (cost, 2);
    }
    if alg.oid == PBES2 {
        let cost = (|| {
            let mut reader = Reader::new(alg.params?, 0);
            let seq = reader.read("").ok()?;
            let mut fields = seq.children();
            let kdf = AlgorithmIdentifier::from_element(&fields.read("").ok()?).ok()?;
            let scheme = AlgorithmIdentifier::from_element(&fields.read("").ok()?).ok()?;
            let key_len = [
                (AES128_CBC, 16),
                (AES192_CBC, 24),
                (AES256_CBC, 32),
                (DES_EDE3_CBC, 24),
            ]
            .into_iter()
            .find_map(|(o, n)| (o == scheme.oid).then_some(n))?;
            let p = Pbkdf2Params::parse(kdf.params).ok()?;
            Some(kdf_cost(p.iterations, key_len, p.prf.digest().output_len()))
        })();
        return cost.map_or((0, 0), |c| (c, 1));
    }
    (0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7292 has no test vectors; these values come from OpenSSL's `PKCS12_key_gen_uni`
    /// for the password "smeg" (BMPString) and salt 0A58CF64530D823F, 1 iteration, used by
    /// many PKCS#12 implementations' tests.
    #[test]
    fn pkcs12_kdf_known_answers() {
        let salt = [0x0a, 0x58, 0xcf, 0x64, 0x53, 0x0d, 0x82, 0x3f];
        let meter = KdfMeter::new(Pkcs12Budget::default());
        let password = Password::new("smeg", &meter);
        let key = pkcs12_kdf(Hash::Sha1, &password, &salt, 1, KdfPurpose::Key, 24).unwrap();
        assert_eq!(
            crate::util::hex(&key),
            "8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3"
        );
        let iv = pkcs12_kdf(Hash::Sha1, &password, &salt, 1, KdfPurpose::Iv, 8).unwrap();
        assert_eq!(crate::util::hex(&iv), "79993dfe048d3b76");
    }

    #[test]
    fn empty_password_has_two_readings() {
        let meter = KdfMeter::new(Pkcs12Budget::default());
        let p = Password::new("", &meter);
        assert_eq!(p.bmp(), vec![0, 0]);
        let alt = p.alternative().unwrap();
        assert!(alt.bmp().is_empty());
        assert!(alt.alternative().is_none());
        assert!(Password::new("x", &meter).alternative().is_none());
    }

    #[test]
    fn iteration_budget() {
        assert!(check_iterations(MAX_ITERATIONS + 1).is_err());
        assert!(check_iterations(0).is_err());
        assert!(check_iterations(2048).is_ok());
    }

    #[test]
    fn the_total_budget_counts_iterations_times_blocks_and_refuses_before_running() {
        let budget = Pkcs12Budget {
            max_kdf_iterations: 10_000,
            max_derivations: 3,
            ..Pkcs12Budget::default()
        };
        let meter = KdfMeter::new(budget);
        let password = Password::new("pw", &meter);
        // 24 bytes of SHA-1 output: two blocks, 2 × 4000 iterations.
        assert!(pkcs12_kdf(Hash::Sha1, &password, b"salt", 4000, KdfPurpose::Key, 24).is_ok());
        assert_eq!(meter.spent.get(), 8000);
        // 2000 more fit; 2001 do not, and nothing is spent by the refusal.
        let err = pkcs12_kdf(Hash::Sha1, &password, b"salt", 2001, KdfPurpose::Iv, 8).unwrap_err();
        assert!(
            matches!(err, Pkcs12Error::BudgetExceeded { limit: 10_000, .. }),
            "{err:?}"
        );
        assert_eq!(meter.spent.get(), 8000);
        assert!(pkcs12_kdf(Hash::Sha1, &password, b"salt", 1000, KdfPurpose::Iv, 8).is_ok());
        assert!(pkcs12_kdf(Hash::Sha1, &password, b"salt", 1, KdfPurpose::Iv, 8).is_ok());
        // A fourth derivation passes the count.
        let err = pkcs12_kdf(Hash::Sha1, &password, b"salt", 1, KdfPurpose::Iv, 8).unwrap_err();
        assert!(err.to_string().contains("key derivations"), "{err}");
    }
}
