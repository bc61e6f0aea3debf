//! The ciphers of the standard security handler, from RustCrypto crates (`rc4`, `aes`, `cbc`)
//! and `md-5`; SHA-2 from ring. No cipher is written here: only how PDF uses them
//! (ISO 32000-2 §7.6.3): RC4 over the whole string or stream, AES in CBC mode with the
//! 16-byte initialisation vector in front of the data and PKCS#7 padding.

use aes::{Aes128, Aes256};
use cbc::cipher::block_padding::{NoPadding, Pkcs7};
use cbc::cipher::{BlockCipherDecrypt, BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit};
use md5::{Digest as _, Md5};
use rc4::{Rc4, StreamCipher};

/// A cipher of the standard security handler (a crypt filter's `/CFM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CryptMethod {
    /// `/None` (the `/Identity` filter): the data is not encrypted.
    None,
    /// `/V2`: RC4 with a per-object key (40 to 128 bits).
    Rc4,
    /// `/AESV2`: AES-128 in CBC mode with a per-object key.
    AesV2,
    /// `/AESV3`: AES-256 in CBC mode with the file encryption key itself.
    AesV3,
}

impl CryptMethod {
    /// The name a report shows ("RC4", "AES-128", "AES-256", "none").
    pub fn label(self) -> &'static str {
        match self {
            CryptMethod::None => "none",
            CryptMethod::Rc4 => "RC4",
            CryptMethod::AesV2 => "AES-128",
            CryptMethod::AesV3 => "AES-256",
        }
    }
}

/// Why encrypted data could not be decrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CipherError {
    /// AES data shorter than the initialisation vector plus one block, or not whole blocks.
    Length,
    /// The PKCS#7 padding of the last block is wrong.
    Padding,
    /// The key has a length the cipher does not take.
    Key,
}

impl CipherError {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            CipherError::Length => "AES data is not an initialisation vector and whole blocks",
            CipherError::Padding => "the AES padding is wrong",
            CipherError::Key => "the key length does not suit the cipher",
        }
    }
}

/// MD5 of the concatenation of `parts`.
pub(crate) fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = Md5::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// RC4 over `data` (encrypting and decrypting are the same operation).
pub(crate) fn rc4(key: &[u8], data: &[u8]) -> Result<Vec<u8>, CipherError> {
    let mut c = <Rc4 as KeyInit>::new_from_slice(key).map_err(|_| CipherError::Key)?;
    let mut out = data.to_vec();
    c.apply_keystream(&mut out);
    Ok(out)
}

/// AES-CBC decryption of `data` = IV ‖ ciphertext, with PKCS#7 padding removed.
/// An empty `data` is an empty plaintext (writers store empty strings unencrypted).
pub(crate) fn aes_cbc_decrypt(key: &[u8], data: &[u8]) -> Result<Vec<u8>, CipherError> {
    if data.is_empty() {
        return Ok(Vec::new());
    }
    let (iv, body) = data.split_at_checked(16).ok_or(CipherError::Length)?;
    if body.is_empty() || !body.len().is_multiple_of(16) {
        return Err(CipherError::Length);
    }
    let mut buf = body.to_vec();
    let len = match key.len() {
        16 => cbc::Decryptor::<Aes128>::new_from_slices(key, iv)
            .map_err(|_| CipherError::Key)?
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map_err(|_| CipherError::Padding)?
            .len(),
        32 => cbc::Decryptor::<Aes256>::new_from_slices(key, iv)
            .map_err(|_| CipherError::Key)?
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map_err(|_| CipherError::Padding)?
            .len(),
        _ => return Err(CipherError::Key),
    };
    buf.truncate(len);
    Ok(buf)
}

/// AES-CBC encryption of `data` with PKCS#7 padding: IV ‖ ciphertext.
#[cfg_attr(not(test), allow(dead_code))] // used by writers of encrypted updates
pub(crate) fn aes_cbc_encrypt(
    key: &[u8],
    iv: &[u8; 16],
    data: &[u8],
) -> Result<Vec<u8>, CipherError> {
    let pad = 16 - data.len() % 16;
    let mut buf = Vec::with_capacity(16 + data.len() + pad);
    buf.extend_from_slice(data);
    buf.resize(data.len() + pad, 0);
    let len = match key.len() {
        16 => cbc::Encryptor::<Aes128>::new_from_slices(key, iv)
            .map_err(|_| CipherError::Key)?
            .encrypt_padded::<Pkcs7>(&mut buf, data.len())
            .map_err(|_| CipherError::Length)?
            .len(),
        32 => cbc::Encryptor::<Aes256>::new_from_slices(key, iv)
            .map_err(|_| CipherError::Key)?
            .encrypt_padded::<Pkcs7>(&mut buf, data.len())
            .map_err(|_| CipherError::Length)?
            .len(),
        _ => return Err(CipherError::Key),
    };
    buf.truncate(len);
    let mut out = iv.to_vec();
    out.extend_from_slice(&buf);
    Ok(out)
}

/// AES-CBC without padding, for the key derivation of revisions 5 and 6 (`key` of 16 or 32
/// bytes; `data` whole blocks).
pub(crate) fn aes_cbc_raw(
    key: &[u8],
    iv: &[u8; 16],
    data: &[u8],
    encrypt: bool,
) -> Result<Vec<u8>, CipherError> {
    if !data.len().is_multiple_of(16) {
        return Err(CipherError::Length);
    }
    let mut buf = data.to_vec();
    let n = data.len();
    match (key.len(), encrypt) {
        (16, true) => {
            cbc::Encryptor::<Aes128>::new_from_slices(key, iv)
                .map_err(|_| CipherError::Key)?
                .encrypt_padded::<NoPadding>(&mut buf, n)
                .map_err(|_| CipherError::Length)?;
        }
        (32, false) => {
            cbc::Decryptor::<Aes256>::new_from_slices(key, iv)
                .map_err(|_| CipherError::Key)?
                .decrypt_padded::<NoPadding>(&mut buf)
                .map_err(|_| CipherError::Length)?;
        }
        (16, false) => {
            cbc::Decryptor::<Aes128>::new_from_slices(key, iv)
                .map_err(|_| CipherError::Key)?
                .decrypt_padded::<NoPadding>(&mut buf)
                .map_err(|_| CipherError::Length)?;
        }
        (32, true) => {
            cbc::Encryptor::<Aes256>::new_from_slices(key, iv)
                .map_err(|_| CipherError::Key)?
                .encrypt_padded::<NoPadding>(&mut buf, n)
                .map_err(|_| CipherError::Length)?;
        }
        _ => return Err(CipherError::Key),
    }
    Ok(buf)
}

/// One AES-256 block decrypted in ECB mode (the `/Perms` entry of revision 6).
pub(crate) fn aes256_ecb_decrypt_block(key: &[u8], block: &[u8]) -> Result<[u8; 16], CipherError> {
    let cipher = Aes256::new_from_slice(key).map_err(|_| CipherError::Key)?;
    let mut b: aes::Block = aes::Block::try_from(block).map_err(|_| CipherError::Length)?;
    cipher.decrypt_block(&mut b);
    Ok(b.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rc4_matches_the_rfc_6229_vector() {
        // RFC 6229, key 0x0102030405 (40 bits), keystream offset 0.
        let ks = rc4(&[1, 2, 3, 4, 5], &[0u8; 16]).unwrap();
        assert_eq!(
            ks,
            [
                0xb2, 0x39, 0x63, 0x05, 0xf0, 0x3d, 0xc0, 0x27, 0xcc, 0xc3, 0x52, 0x4a, 0x0a, 0x11,
                0x18, 0xa8
            ]
        );
        assert_eq!(rc4(&[], b"x"), Err(CipherError::Key));
    }

    #[test]
    fn aes_round_trips_and_rejects_bad_lengths_and_padding() {
        for key in [[7u8; 16].to_vec(), [9u8; 32].to_vec()] {
            for len in [0usize, 1, 15, 16, 17, 100] {
                let plain: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let enc = aes_cbc_encrypt(&key, &[3; 16], &plain).unwrap();
                assert_eq!(enc.len(), 16 + (len / 16 + 1) * 16);
                assert_eq!(aes_cbc_decrypt(&key, &enc).unwrap(), plain);
            }
            assert_eq!(aes_cbc_decrypt(&key, &[0; 16]), Err(CipherError::Length));
            assert_eq!(aes_cbc_decrypt(&key, &[0; 40]), Err(CipherError::Length));
            assert_eq!(aes_cbc_decrypt(&key, &[]), Ok(Vec::new()));
            // A last block whose padding byte is 0 is wrong.
            let raw = aes_cbc_raw(&key, &[0; 16], &[0; 16], true).unwrap();
            let mut data = vec![0; 16];
            data.extend_from_slice(&raw);
            assert_eq!(aes_cbc_decrypt(&key, &data), Err(CipherError::Padding));
        }
        assert_eq!(aes_cbc_decrypt(&[0; 5], &[0; 32]), Err(CipherError::Key));
    }
}
