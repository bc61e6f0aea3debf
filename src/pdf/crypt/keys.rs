//! The standard security handler's key derivation and password checks (ISO 32000-2 §7.6.4.3
//! and §7.6.4.4): algorithms 2, 3, 4, 5, 6 and 7 for revisions 2 to 4 (MD5 and RC4),
//! algorithm 2.A with 2.B (revision 6) or a single SHA-256 (revision 5, Adobe's deprecated
//! extension level 3) for AES-256.

use super::cipher::{aes256_ecb_decrypt_block, aes_cbc_raw, md5, rc4};

/// The padding string of algorithm 2, step (a).
const PAD: [u8; 32] = [
    0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
    0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
];

/// What the key derivation needs from the encryption dictionary and the trailer.
#[derive(Debug, Clone)]
pub(crate) struct StandardParams {
    /// `/R`: 2 to 6.
    pub(crate) revision: u8,
    /// `/O`: 32 bytes (R2–4) or 48 (R5–6).
    pub(crate) o: Vec<u8>,
    /// `/U`: 32 bytes (R2–4) or 48 (R5–6).
    pub(crate) u: Vec<u8>,
    /// `/OE` (R5–6): 32 bytes.
    pub(crate) oe: Vec<u8>,
    /// `/UE` (R5–6): 32 bytes.
    pub(crate) ue: Vec<u8>,
    /// `/Perms` (R5–6): 16 bytes, when present.
    pub(crate) perms: Option<Vec<u8>>,
    /// `/P` as its 32 bits.
    pub(crate) p: u32,
    /// The first element of the trailer's `/ID` (R2–4).
    pub(crate) id0: Vec<u8>,
    /// The file encryption key's length in bytes (R2–4: 5 to 16; R5–6: 32).
    pub(crate) key_len: usize,
    /// `/EncryptMetadata` (R4 and up).
    pub(crate) encrypt_metadata: bool,
}

/// Which password opened the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    User,
    Owner,
}

impl StandardParams {
    /// The file encryption key when `password` is the owner or the user password (owner
    /// tried first: it grants every permission).
    pub(crate) fn authenticate(&self, password: &[u8]) -> Option<(Vec<u8>, Role)> {
        if self.revision >= 5 {
            let pw = password.get(..127).unwrap_or(password);
            if let Some(k) = self.owner_r56(pw) {
                return Some((k, Role::Owner));
            }
            return self.user_r56(pw).map(|k| (k, Role::User));
        }
        if let Some(k) = self.owner_r24(password) {
            return Some((k, Role::Owner));
        }
        self.user_r24(password).map(|k| (k, Role::User))
    }

    /// Algorithm 2: the file encryption key from a user password (R2–4).
    fn key_r24(&self, password: &[u8]) -> Vec<u8> {
        let padded = pad(password);
        let o = self.o.get(..32).unwrap_or(&self.o);
        let p = self.p.to_le_bytes();
        let meta: &[u8] = if self.revision >= 4 && !self.encrypt_metadata {
            &[0xFF; 4]
        } else {
            &[]
        };
        let mut h = md5(&[&padded, o, &p, &self.id0, meta]);
        let n = self.key_len.min(16);
        if self.revision >= 3 {
            for _ in 0..50 {
                h = md5(&[h.get(..n).unwrap_or(&h)]);
            }
        }
        h.get(..n).unwrap_or(&h).to_vec()
    }

    /// Algorithms 4 and 5 (and 6, the check): the key when `password` is the user password.
    fn user_r24(&self, password: &[u8]) -> Option<Vec<u8>> {
        let key = self.key_r24(password);
        let u = self.u.get(..32)?;
        if self.revision == 2 {
            let computed = rc4(&key, &PAD).ok()?;
            return (computed.as_slice() == u).then_some(key);
        }
        let mut x = rc4(&key, &md5(&[&PAD, &self.id0])).ok()?;
        for i in 1..=19u8 {
            let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
            x = rc4(&k, &x).ok()?;
        }
        (x.get(..16)? == u.get(..16)?).then_some(key)
    }

    /// Algorithm 7: the user password recovered from `/O` with the owner password, then
    /// checked as a user password.
    fn owner_r24(&self, password: &[u8]) -> Option<Vec<u8>> {
        let mut h = md5(&[&pad(password)]);
        if self.revision >= 3 {
            for _ in 0..50 {
                h = md5(&[&h]);
            }
        }
        let n = if self.revision == 2 {
            5
        } else {
            self.key_len.min(16)
        };
        let rc4_key = h.get(..n)?;
        let o = self.o.get(..32)?;
        let user = if self.revision == 2 {
            rc4(rc4_key, o).ok()?
        } else {
            let mut x = o.to_vec();
            for i in (0..=19u8).rev() {
                let k: Vec<u8> = rc4_key.iter().map(|b| b ^ i).collect();
                x = rc4(&k, &x).ok()?;
            }
            x
        };
        self.user_r24(&user)
    }

    /// Algorithm 2.A for the user password (R5–6): the hash over the validation salt, then
    /// `/UE` decrypted with the hash over the key salt.
    fn user_r56(&self, pw: &[u8]) -> Option<Vec<u8>> {
        let hash = self.u.get(..32)?;
        let validation_salt = self.u.get(32..40)?;
        let key_salt = self.u.get(40..48)?;
        if self.hash(pw, validation_salt, &[])?.as_slice() != hash {
            return None;
        }
        let k = self.hash(pw, key_salt, &[])?;
        aes_cbc_raw(&k, &[0; 16], self.ue.get(..32)?, false).ok()
    }

    /// Algorithm 2.A for the owner password (R5–6): as for the user, salted with `/U`.
    fn owner_r56(&self, pw: &[u8]) -> Option<Vec<u8>> {
        let hash = self.o.get(..32)?;
        let validation_salt = self.o.get(32..40)?;
        let key_salt = self.o.get(40..48)?;
        let u = self.u.get(..48)?;
        if self.hash(pw, validation_salt, u)?.as_slice() != hash {
            return None;
        }
        let k = self.hash(pw, key_salt, u)?;
        aes_cbc_raw(&k, &[0; 16], self.oe.get(..32)?, false).ok()
    }

    /// Revision 5: SHA-256 of password, salt and user data; revision 6: algorithm 2.B.
    fn hash(&self, pw: &[u8], salt: &[u8], udata: &[u8]) -> Option<[u8; 32]> {
        let first = sha(Sha::S256, &[pw, salt, udata]);
        let mut k: [u8; 32] = first.get(..32)?.try_into().ok()?;
        if self.revision == 5 {
            return Some(k);
        }
        hash_2b(pw, &mut k, udata)?;
        Some(k)
    }

    /// Algorithm 13's check of `/Perms` with the file key (R6; R5 when present): the block
    /// decrypts to `/P` in its first four bytes and "adb" in bytes 9 to 11. Without it
    /// nothing binds `/P` to the key, so a revision 6 file must have it.
    pub(crate) fn check_perms(&self, key: &[u8]) -> bool {
        let Some(perms) = &self.perms else {
            return self.revision == 5;
        };
        let Some(block) = perms.get(..16) else {
            return false;
        };
        let Ok(plain) = aes256_ecb_decrypt_block(key, block) else {
            return false;
        };
        plain.get(9..12) == Some(b"adb") && plain.get(..4) == Some(&self.p.to_le_bytes()[..])
    }
}

/// Algorithm 2.B: at least 64 rounds of AES-128-CBC over 64 copies of password ‖ K ‖ user
/// data, each followed by SHA-256, -384 or -512 chosen by the result, until the last byte of
/// the round's output is at most the round number minus 32. `k` holds the SHA-256 of step
/// (a) on entry and the first 32 bytes of the final hash on return. Bounded: a round whose
/// number exceeds 64 + 256 ends the loop whatever the byte (the condition always holds by
/// then: a byte is at most 255).
fn hash_2b(pw: &[u8], k: &mut [u8; 32], udata: &[u8]) -> Option<()> {
    let mut kk: Vec<u8> = k.to_vec();
    let mut round: u32 = 0;
    loop {
        let mut k1 = Vec::with_capacity(64 * (pw.len() + kk.len() + udata.len()));
        for _ in 0..64 {
            k1.extend_from_slice(pw);
            k1.extend_from_slice(&kk);
            k1.extend_from_slice(udata);
        }
        let key = kk.get(..16)?;
        let iv: [u8; 16] = kk.get(16..32)?.try_into().ok()?;
        let e = aes_cbc_raw(key, &iv, &k1, true).ok()?;
        let sum: u32 = e.get(..16)?.iter().map(|&b| u32::from(b)).sum();
        kk = match sum % 3 {
            0 => sha(Sha::S256, &[&e]),
            1 => sha(Sha::S384, &[&e]),
            _ => sha(Sha::S512, &[&e]),
        };
        round += 1;
        let last = u32::from(*e.last()?);
        if round >= 64 && last <= round - 32 {
            break;
        }
        if round > 64 + 256 {
            return None;
        }
    }
    k.copy_from_slice(kk.get(..32)?);
    Some(())
}

#[derive(Clone, Copy)]
enum Sha {
    S256,
    S384,
    S512,
}

fn sha(which: Sha, parts: &[&[u8]]) -> Vec<u8> {
    let alg = match which {
        Sha::S256 => &ring::digest::SHA256,
        Sha::S384 => &ring::digest::SHA384,
        Sha::S512 => &ring::digest::SHA512,
    };
    let mut c = ring::digest::Context::new(alg);
    for p in parts {
        c.update(p);
    }
    c.finish().as_ref().to_vec()
}

/// Algorithm 2, step (a): the password cut or padded to 32 bytes.
fn pad(password: &[u8]) -> [u8; 32] {
    let mut out = PAD;
    let n = password.len().min(32);
    if let (Some(dst), Some(src)) = (out.get_mut(..n), password.get(..n)) {
        dst.copy_from_slice(src);
    }
    if let (Some(dst), Some(src)) = (out.get_mut(n..), PAD.get(..32 - n)) {
        dst.copy_from_slice(src);
    }
    out
}

/// The object key of algorithm 1 (R2–4): MD5 of the file key, the low three bytes of the
/// object number and two of the generation (and "sAlT" for AES), cut to key length + 5 and
/// at most 16 bytes.
pub(crate) fn object_key(file_key: &[u8], num: u32, gen: u16, aes: bool) -> Vec<u8> {
    let n = num.to_le_bytes();
    let g = gen.to_le_bytes();
    let salt: &[u8] = if aes { b"sAlT" } else { &[] };
    let h = md5(&[file_key, n.get(..3).unwrap_or(&n), &g, salt]);
    let len = (file_key.len() + 5).min(16);
    h.get(..len).unwrap_or(&h).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_cuts_and_fills_to_32_bytes() {
        assert_eq!(pad(b""), PAD);
        let p = pad(b"abc");
        assert_eq!(&p[..3], b"abc");
        assert_eq!(&p[3..], &PAD[..29]);
        assert_eq!(pad(&[1; 40]), [1; 32]);
    }

    #[test]
    fn object_keys_grow_with_the_file_key_up_to_16_bytes() {
        assert_eq!(object_key(&[0; 5], 1, 0, false).len(), 10);
        assert_eq!(object_key(&[0; 16], 1, 0, false).len(), 16);
        assert_ne!(
            object_key(&[0; 16], 1, 0, false),
            object_key(&[0; 16], 1, 0, true)
        );
        assert_ne!(
            object_key(&[0; 16], 1, 0, false),
            object_key(&[0; 16], 2, 0, false)
        );
    }
}
