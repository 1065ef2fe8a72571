//! Strict base64url (RFC 4648 section 5) without padding, as JOSE requires (RFC 7515 section 2).
//!
//! Decoding rejects padding, `+`, `/`, whitespace and non-canonical trailing bits, so one
//! value has exactly one encoding.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

const URL_STRICT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Encodes bytes as unpadded base64url.
pub(crate) fn encode(data: &[u8]) -> String {
    URL_STRICT.encode(data)
}

/// Appends the unpadded base64url encoding of `data` to `out`.
pub(crate) fn encode_into(data: &[u8], out: &mut String) {
    URL_STRICT.encode_string(data, out);
}

/// Decodes unpadded, canonical base64url. `None` on any deviation.
///
/// base64-simd (SSSE3/AVX2 when the CPU has them, chosen at run time): about 8x fewer
/// instructions than the base64 crate on a token (docs/adr/0004-verify-hot-path.md). Its
/// `URL_SAFE_NO_PAD` decoder is strict: only `A-Z a-z 0-9 - _`, no padding, a length that is
/// not 1 mod 4, and zero trailing bits.
pub(crate) fn decode(s: &str) -> Option<Vec<u8>> {
    base64_simd::URL_SAFE_NO_PAD.decode_to_vec(s).ok()
}

/// [`decode`] into `buf` when the decoded bytes fit (no allocation); `Err(())` when they do
/// not fit, `Ok(None)` on any deviation from canonical unpadded base64url.
pub(crate) fn decode_into<'b>(s: &str, buf: &'b mut [u8]) -> Result<Option<&'b [u8]>, ()> {
    decode_into_mut(s, buf).map(|d| d.map(|d| &*d))
}

/// [`decode_into`], handing back the decoded bytes mutably.
pub(crate) fn decode_into_mut<'b>(s: &str, buf: &'b mut [u8]) -> Result<Option<&'b mut [u8]>, ()> {
    let codec = &base64_simd::URL_SAFE_NO_PAD;
    match codec.decoded_length(s.as_bytes()) {
        Err(_) => Ok(None),
        Ok(n) if n > buf.len() => Err(()),
        Ok(_) => Ok(codec
            .decode(s.as_bytes(), base64_simd::Out::from_slice(buf))
            .ok()),
    }
}

/// Standard base64 with padding (used for Cognito-style `kid`s).
pub(crate) fn encode_std(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictness() {
        assert_eq!(encode(b"\xfb\xff"), "-_8");
        assert_eq!(decode("-_8").unwrap(), b"\xfb\xff");
        for bad in ["-_8=", "+/8", "-_ 8", "-_8\n", "-_9", "a"] {
            assert!(decode(bad).is_none(), "{bad:?}");
        }
        assert_eq!(decode("").unwrap(), b"");
        let mut buf = [0u8; 2];
        assert_eq!(decode_into("-_8", &mut buf), Ok(Some(&b"\xfb\xff"[..])));
        assert_eq!(decode_into("-_8-", &mut buf), Err(()));
        assert_eq!(decode_into("", &mut buf), Ok(Some(&b""[..])));
        for bad in ["-_8=", "+/8", "-_ 8", "-_8\n", "-_9", "a"] {
            assert_eq!(decode_into(bad, &mut [0u8; 8]), Ok(None), "{bad:?}");
        }
    }
}
