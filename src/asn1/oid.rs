//! Object identifiers used by kyso's CMS and cryptography code, with their names.
//!
//! One table for the whole crate: content types and attributes (RFC 5652, RFC 5035, RFC 3161),
//! digest and signature algorithms (RFC 3279, RFC 4055, RFC 5480, RFC 5754, RFC 5758, RFC 8410).

use asn1_rs::{oid, Oid};

// Content types (RFC 5652 §4, §5; RFC 3161).
/// id-data.
pub const ID_DATA: Oid<'static> = oid!(1.2.840 .113549 .1 .7 .1);
/// id-signedData.
pub const ID_SIGNED_DATA: Oid<'static> = oid!(1.2.840 .113549 .1 .7 .2);
/// id-ct-TSTInfo (RFC 3161).
pub const ID_CT_TST_INFO: Oid<'static> = oid!(1.2.840 .113549 .1 .9 .16 .1 .4);

// Attributes (RFC 5652 §11, RFC 5035, RFC 3161).
/// id-contentType.
pub const ID_CONTENT_TYPE: Oid<'static> = oid!(1.2.840 .113549 .1 .9 .3);
/// id-messageDigest.
pub const ID_MESSAGE_DIGEST: Oid<'static> = oid!(1.2.840 .113549 .1 .9 .4);
/// id-signingTime.
pub const ID_SIGNING_TIME: Oid<'static> = oid!(1.2.840 .113549 .1 .9 .5);
/// id-countersignature.
pub const ID_COUNTERSIGNATURE: Oid<'static> = oid!(1.2.840 .113549 .1 .9 .6);
/// id-aa-signingCertificate (ESS, RFC 2634).
pub const ID_AA_SIGNING_CERTIFICATE: Oid<'static> = oid!(1.2.840 .113549 .1 .9 .16 .2 .12);
/// id-aa-signingCertificateV2 (RFC 5035).
pub const ID_AA_SIGNING_CERTIFICATE_V2: Oid<'static> = oid!(1.2.840 .113549 .1 .9 .16 .2 .47);
/// id-aa-signatureTimeStampToken (RFC 3161 appendix A).
pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: Oid<'static> = oid!(1.2.840 .113549 .1 .9 .16 .2 .14);
/// id-aa-ets-contentTimestamp (RFC 5126 §5.11.4): a timestamp over the signed content, as
/// a signed attribute.
pub const ID_AA_ETS_CONTENT_TIMESTAMP: Oid<'static> = oid!(1.2.840 .113549 .1 .9 .16 .2 .20);
/// CMSAlgorithmProtection (RFC 6211).
pub const ID_AA_CMS_ALGORITHM_PROTECTION: Oid<'static> = oid!(1.2.840 .113549 .1 .9 .52);
/// Adobe's revocation information archival attribute.
pub const ADBE_REVOCATION_INFO_ARCHIVAL: Oid<'static> = oid!(1.2.840 .113583 .1 .1 .8);

// Digest algorithms.
/// SHA-1.
pub const SHA1: Oid<'static> = oid!(1.3.14 .3 .2 .26);
/// SHA-224.
pub const SHA224: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .2 .4);
/// SHA-256.
pub const SHA256: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .2 .1);
/// SHA-384.
pub const SHA384: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .2 .2);
/// SHA-512.
pub const SHA512: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .2 .3);
/// SHA3-224 (FIPS 202; RFC 8702 §2 lists the hash OIDs).
pub const SHA3_224: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .2 .7);
/// SHA3-256.
pub const SHA3_256: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .2 .8);
/// SHA3-384.
pub const SHA3_384: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .2 .9);
/// SHA3-512.
pub const SHA3_512: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .2 .10);
/// id-shake256: SHAKE256 with a 512-bit output, the message digest of Ed448 in CMS (RFC 8419 §2.3).
pub const SHAKE256: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .2 .12);
/// id-shake256-len: SHAKE256 with the output length in its parameters (RFC 8702 §2; pyHanko
/// and others use it with 512 bits for Ed448 in CMS).
pub const SHAKE256_LEN: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .2 .18);
/// MD5.
pub const MD5: Oid<'static> = oid!(1.2.840 .113549 .2 .5);

// RSA (RFC 8017, RFC 4055).
/// rsaEncryption.
pub const RSA_ENCRYPTION: Oid<'static> = oid!(1.2.840 .113549 .1 .1 .1);
/// md5WithRSAEncryption.
pub const MD5_WITH_RSA: Oid<'static> = oid!(1.2.840 .113549 .1 .1 .4);
/// sha1WithRSAEncryption.
pub const SHA1_WITH_RSA: Oid<'static> = oid!(1.2.840 .113549 .1 .1 .5);
/// id-mgf1.
pub const MGF1: Oid<'static> = oid!(1.2.840 .113549 .1 .1 .8);
/// id-RSASSA-PSS.
pub const RSASSA_PSS: Oid<'static> = oid!(1.2.840 .113549 .1 .1 .10);
/// sha256WithRSAEncryption.
pub const SHA256_WITH_RSA: Oid<'static> = oid!(1.2.840 .113549 .1 .1 .11);
/// sha384WithRSAEncryption.
pub const SHA384_WITH_RSA: Oid<'static> = oid!(1.2.840 .113549 .1 .1 .12);
/// sha512WithRSAEncryption.
pub const SHA512_WITH_RSA: Oid<'static> = oid!(1.2.840 .113549 .1 .1 .13);
/// sha224WithRSAEncryption.
pub const SHA224_WITH_RSA: Oid<'static> = oid!(1.2.840 .113549 .1 .1 .14);
/// id-rsassa-pkcs1-v1_5-with-sha3-224 (NIST CSOR sigAlgs).
pub const SHA3_224_WITH_RSA: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .3 .13);
/// id-rsassa-pkcs1-v1_5-with-sha3-256.
pub const SHA3_256_WITH_RSA: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .3 .14);
/// id-rsassa-pkcs1-v1_5-with-sha3-384.
pub const SHA3_384_WITH_RSA: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .3 .15);
/// id-rsassa-pkcs1-v1_5-with-sha3-512.
pub const SHA3_512_WITH_RSA: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .3 .16);

// Elliptic curves (RFC 5480, RFC 5758, RFC 8410).
/// id-ecPublicKey.
pub const EC_PUBLIC_KEY: Oid<'static> = oid!(1.2.840 .10045 .2 .1);
/// secp256r1 (P-256).
pub const SECP256R1: Oid<'static> = oid!(1.2.840 .10045 .3 .1 .7);
/// secp384r1 (P-384).
pub const SECP384R1: Oid<'static> = oid!(1.3.132 .0 .34);
/// secp521r1 (P-521).
pub const SECP521R1: Oid<'static> = oid!(1.3.132 .0 .35);
/// brainpoolP256r1 (RFC 5639 §4.1, OID from RFC 5639 appendix A / RFC 7027).
pub const BRAINPOOL_P256R1: Oid<'static> = oid!(1.3.36 .3 .3 .2 .8 .1 .1 .7);
/// brainpoolP384r1.
pub const BRAINPOOL_P384R1: Oid<'static> = oid!(1.3.36 .3 .3 .2 .8 .1 .1 .11);
/// brainpoolP512r1.
pub const BRAINPOOL_P512R1: Oid<'static> = oid!(1.3.36 .3 .3 .2 .8 .1 .1 .13);
/// ecdsa-with-SHA1.
pub const ECDSA_WITH_SHA1: Oid<'static> = oid!(1.2.840 .10045 .4 .1);
/// ecdsa-with-SHA224.
pub const ECDSA_WITH_SHA224: Oid<'static> = oid!(1.2.840 .10045 .4 .3 .1);
/// ecdsa-with-SHA256.
pub const ECDSA_WITH_SHA256: Oid<'static> = oid!(1.2.840 .10045 .4 .3 .2);
/// ecdsa-with-SHA384.
pub const ECDSA_WITH_SHA384: Oid<'static> = oid!(1.2.840 .10045 .4 .3 .3);
/// ecdsa-with-SHA512.
pub const ECDSA_WITH_SHA512: Oid<'static> = oid!(1.2.840 .10045 .4 .3 .4);
/// id-ecdsa-with-sha3-224 (NIST CSOR sigAlgs).
pub const ECDSA_WITH_SHA3_224: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .3 .9);
/// id-ecdsa-with-sha3-256.
pub const ECDSA_WITH_SHA3_256: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .3 .10);
/// id-ecdsa-with-sha3-384.
pub const ECDSA_WITH_SHA3_384: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .3 .11);
/// id-ecdsa-with-sha3-512.
pub const ECDSA_WITH_SHA3_512: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .3 .12);
/// id-Ed25519.
pub const ED25519: Oid<'static> = oid!(1.3.101 .112);
/// id-Ed448.
pub const ED448: Oid<'static> = oid!(1.3.101 .113);

// DSA (RFC 3279, RFC 5758).
/// id-dsa.
pub const DSA: Oid<'static> = oid!(1.2.840 .10040 .4 .1);
/// id-dsa-with-sha1.
pub const DSA_WITH_SHA1: Oid<'static> = oid!(1.2.840 .10040 .4 .3);
/// id-dsa-with-sha224 (RFC 5758 §3.1).
pub const DSA_WITH_SHA224: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .3 .1);
/// id-dsa-with-sha256 (RFC 5758 §3.1).
pub const DSA_WITH_SHA256: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .3 .2);
/// id-dsa-with-sha384 (NIST CSOR sigAlgs).
pub const DSA_WITH_SHA384: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .3 .3);
/// id-dsa-with-sha512 (NIST CSOR sigAlgs).
pub const DSA_WITH_SHA512: Oid<'static> = oid!(2.16.840 .1 .101 .3 .4 .3 .4);

/// A readable name for well-known OIDs, or the dotted form.
pub fn name(oid: &Oid<'_>) -> String {
    const NAMES: &[(Oid<'static>, &str)] = &[
        (ID_DATA, "id-data"),
        (ID_SIGNED_DATA, "id-signedData"),
        (ID_CT_TST_INFO, "id-ct-TSTInfo"),
        (ID_CONTENT_TYPE, "content-type"),
        (ID_MESSAGE_DIGEST, "message-digest"),
        (ID_SIGNING_TIME, "signing-time"),
        (ID_COUNTERSIGNATURE, "countersignature"),
        (ID_AA_SIGNING_CERTIFICATE, "signing-certificate"),
        (ID_AA_SIGNING_CERTIFICATE_V2, "signing-certificate-v2"),
        (
            ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
            "signature-time-stamp-token",
        ),
        (ID_AA_ETS_CONTENT_TIMESTAMP, "content-time-stamp"),
        (ID_AA_CMS_ALGORITHM_PROTECTION, "cms-algorithm-protection"),
        (
            ADBE_REVOCATION_INFO_ARCHIVAL,
            "adbe-revocation-info-archival",
        ),
        (SHA1, "SHA-1"),
        (SHA224, "SHA-224"),
        (SHA256, "SHA-256"),
        (SHA384, "SHA-384"),
        (SHA512, "SHA-512"),
        (SHA3_224, "SHA3-224"),
        (SHA3_256, "SHA3-256"),
        (SHA3_384, "SHA3-384"),
        (SHA3_512, "SHA3-512"),
        (SHAKE256, "SHAKE256"),
        (SHAKE256_LEN, "id-shake256-len"),
        (MD5, "MD5"),
        (RSA_ENCRYPTION, "rsaEncryption"),
        (MD5_WITH_RSA, "md5WithRSAEncryption"),
        (SHA1_WITH_RSA, "sha1WithRSAEncryption"),
        (MGF1, "id-mgf1"),
        (RSASSA_PSS, "id-RSASSA-PSS"),
        (SHA256_WITH_RSA, "sha256WithRSAEncryption"),
        (SHA384_WITH_RSA, "sha384WithRSAEncryption"),
        (SHA512_WITH_RSA, "sha512WithRSAEncryption"),
        (SHA224_WITH_RSA, "sha224WithRSAEncryption"),
        (SHA3_224_WITH_RSA, "id-rsassa-pkcs1-v1_5-with-sha3-224"),
        (SHA3_256_WITH_RSA, "id-rsassa-pkcs1-v1_5-with-sha3-256"),
        (SHA3_384_WITH_RSA, "id-rsassa-pkcs1-v1_5-with-sha3-384"),
        (SHA3_512_WITH_RSA, "id-rsassa-pkcs1-v1_5-with-sha3-512"),
        (EC_PUBLIC_KEY, "id-ecPublicKey"),
        (SECP256R1, "P-256"),
        (SECP384R1, "P-384"),
        (SECP521R1, "P-521"),
        (BRAINPOOL_P256R1, "brainpoolP256r1"),
        (BRAINPOOL_P384R1, "brainpoolP384r1"),
        (BRAINPOOL_P512R1, "brainpoolP512r1"),
        (ECDSA_WITH_SHA3_224, "id-ecdsa-with-sha3-224"),
        (ECDSA_WITH_SHA3_256, "id-ecdsa-with-sha3-256"),
        (ECDSA_WITH_SHA3_384, "id-ecdsa-with-sha3-384"),
        (ECDSA_WITH_SHA3_512, "id-ecdsa-with-sha3-512"),
        (ECDSA_WITH_SHA1, "ecdsa-with-SHA1"),
        (ECDSA_WITH_SHA224, "ecdsa-with-SHA224"),
        (ECDSA_WITH_SHA256, "ecdsa-with-SHA256"),
        (ECDSA_WITH_SHA384, "ecdsa-with-SHA384"),
        (ECDSA_WITH_SHA512, "ecdsa-with-SHA512"),
        (ED25519, "Ed25519"),
        (ED448, "Ed448"),
        (DSA, "id-dsa"),
        (DSA_WITH_SHA1, "id-dsa-with-sha1"),
        (DSA_WITH_SHA224, "id-dsa-with-sha224"),
        (DSA_WITH_SHA256, "id-dsa-with-sha256"),
        (DSA_WITH_SHA384, "id-dsa-with-sha384"),
        (DSA_WITH_SHA512, "id-dsa-with-sha512"),
    ];
    NAMES
        .iter()
        .find(|(known, _)| known == oid)
        .map_or_else(|| oid.to_id_string(), |(_, name)| (*name).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_have_expected_dotted_forms() {
        assert_eq!(ID_SIGNED_DATA.to_id_string(), "1.2.840.113549.1.7.2");
        assert_eq!(SHA256.to_id_string(), "2.16.840.1.101.3.4.2.1");
        assert_eq!(SECP384R1.to_id_string(), "1.3.132.0.34");
        assert_eq!(
            name(&ID_AA_SIGNING_CERTIFICATE_V2),
            "signing-certificate-v2"
        );
        assert_eq!(name(&oid!(1.2.3)), "1.2.3");
        assert_eq!(SHA3_256.to_id_string(), "2.16.840.1.101.3.4.2.8");
        assert_eq!(BRAINPOOL_P384R1.to_id_string(), "1.3.36.3.3.2.8.1.1.11");
        assert_eq!(
            ECDSA_WITH_SHA3_512.to_id_string(),
            "2.16.840.1.101.3.4.3.12"
        );
        assert_eq!(SHA3_512_WITH_RSA.to_id_string(), "2.16.840.1.101.3.4.3.16");
    }
}
