//! What a signature should look like: field, page, metadata, format.

use time::OffsetDateTime;

use super::certify::{DocMdpPermission, FieldLockSpec};

/// The signature format (`/SubFilter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SubFilter {
    /// `ETSI.CAdES.detached`: PAdES baseline. Signed attributes: content-type,
    /// message-digest, signing-certificate-v2; no signing-time attribute (the time is `/M`).
    #[default]
    Pades,
    /// `adbe.pkcs7.detached`: the older PKCS#7 form; the signing time is also a signed
    /// attribute.
    Pkcs7Detached,
}

impl SubFilter {
    /// The `/SubFilter` name.
    pub fn name(self) -> &'static str {
        match self {
            SubFilter::Pades => "ETSI.CAdES.detached",
            SubFilter::Pkcs7Detached => "adbe.pkcs7.detached",
        }
    }
}

/// Options for one signature. Start from [`SignOptions::new`] and chain the setters.
///
/// ```
/// use kyso::sign::{SignOptions, SubFilter};
/// let opts = SignOptions::new()
///     .field_name("ChuKy_TruongPhong")
///     .page(1)
///     .reason("Phê duyệt")
///     .location("Hà Nội")
///     .sub_filter(SubFilter::Pades);
/// assert_eq!(opts.field_name.as_deref(), Some("ChuKy_TruongPhong"));
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SignOptions {
    /// Name of the field to sign: an existing empty signature field of that name is signed;
    /// otherwise a new field of that name is made. `None`: a new field `SignatureN`.
    pub field_name: Option<String>,
    /// Page (1-based) that holds the new field's widget. Default 1.
    pub page: usize,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact_info: Option<String>,
    /// `/Name` (the signer's name as the signer states it).
    pub name: Option<String>,
    /// Signature format.
    pub sub_filter: SubFilter,
    /// Signing time written to `/M` (and, for `adbe.pkcs7.detached`, to the signing-time
    /// attribute). `None`: the clock, read once.
    pub signing_time: Option<OffsetDateTime>,
    /// A visible appearance; `None`: an invisible signature.
    pub appearance: Option<super::appearance::Appearance>,
    /// Make a certification signature with this DocMDP permission (the document's first
    /// signature only). `None`: an approval signature.
    pub certify: Option<DocMdpPermission>,
    /// Lock these form fields against later changes (FieldMDP).
    pub lock_fields: Option<FieldLockSpec>,
    /// A signature timestamp from this authority (PAdES B-T); `None`: no timestamp (B-B).
    pub timestamping: Option<super::Timestamping>,
    /// Revocation data signed into an adbe-revocationInfoArchival attribute
    /// (`adbe.pkcs7.detached` only; gather it with
    /// [`crate::ltv::revocation_info_for_signer`]). Honoured by [`super::sign_file`] and
    /// [`super::sign_bytes`].
    pub revocation_info_archival: Option<crate::cms::RevocationInfoArchival>,
    /// Sign even with a certificate that is expired or not yet valid at the signing time, or
    /// whose key usage forbids signing (see [`super::check_signer`]): the result will not
    /// verify. For making test files only; default `false` (such a certificate is refused
    /// before anything is written).
    pub allow_invalid_certificate: bool,
    /// The user or owner password of an encrypted input, tried before the empty user
    /// password (honoured by [`super::sign_file`] and [`super::sign_bytes`]). The update is
    /// written encrypted with the document's key; `/P` must allow signing unless this is
    /// the owner password.
    pub document_password: Option<crate::pdf::Password>,
    /// Checks the signer's certificate against this revocation data (and the
    /// adbe-revocationInfoArchival data, when given) before anything is written: a revoked
    /// certificate is refused ([`crate::Refusal::SignerRevoked`]). `None`: not checked.
    pub revocation_check: Option<super::RevocationCheck>,
}

impl SignOptions {
    /// Defaults: a new invisible field on page 1, PAdES, the current time.
    pub fn new() -> Self {
        SignOptions {
            page: 1,
            ..SignOptions::default()
        }
    }

    /// Signs the field of this name (existing and empty, or new).
    pub fn field_name(mut self, name: impl Into<String>) -> Self {
        self.field_name = Some(name.into());
        self
    }

    /// Puts a new field's widget on this page (1-based).
    pub fn page(mut self, page: usize) -> Self {
        self.page = page;
        self
    }

    /// Opens an encrypted input with `password` (user or owner) first.
    pub fn document_password(mut self, password: crate::pdf::Password) -> Self {
        self.document_password = Some(password);
        self
    }

    /// Sets `/Reason`.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Sets `/Location`.
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Sets `/ContactInfo`.
    pub fn contact_info(mut self, contact: impl Into<String>) -> Self {
        self.contact_info = Some(contact.into());
        self
    }

    /// Sets `/Name`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Chooses the signature format.
    pub fn sub_filter(mut self, sub_filter: SubFilter) -> Self {
        self.sub_filter = sub_filter;
        self
    }

    /// Makes the signature visible with this appearance.
    pub fn appearance(mut self, appearance: super::appearance::Appearance) -> Self {
        self.appearance = Some(appearance);
        self
    }

    /// Fixes the signing time.
    pub fn signing_time(mut self, t: OffsetDateTime) -> Self {
        self.signing_time = Some(t);
        self
    }

    /// Makes a certification signature with this permission.
    pub fn certify(mut self, permission: DocMdpPermission) -> Self {
        self.certify = Some(permission);
        self
    }

    /// Locks form fields against changes after this signature.
    pub fn lock_fields(mut self, lock: FieldLockSpec) -> Self {
        self.lock_fields = Some(lock);
        self
    }

    /// Adds a signature timestamp (PAdES B-T) from this authority, requested over the
    /// signature value right after signing; the placeholder keeps room for it.
    pub fn timestamp(mut self, timestamping: super::Timestamping) -> Self {
        self.timestamping = Some(timestamping);
        self
    }

    /// Signs even with an expired, not yet valid or non-signing certificate (see
    /// [`SignOptions::allow_invalid_certificate`]): for test files that must not verify.
    pub fn allow_invalid_certificate(mut self, allow: bool) -> Self {
        self.allow_invalid_certificate = allow;
        self
    }

    /// Signs `archival` into an adbe-revocationInfoArchival attribute (`adbe.pkcs7.detached`
    /// signatures only).
    pub fn revocation_info_archival(
        mut self,
        archival: crate::cms::RevocationInfoArchival,
    ) -> Self {
        self.revocation_info_archival = Some(archival);
        self
    }
}
