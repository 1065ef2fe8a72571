//! Bindings: base64, bounded inflate, deflate, and the HTTP-Redirect query with its signature.

use std::io::Read;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;

use crate::keys::SpKey;
use crate::SamlError;

/// Standard base64 (`+/`), padding required when encoding and accepted either way when
/// decoding (IdPs differ), trailing bits must be zero.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(false),
);

/// The SignatureMethod / SigAlg URI of RSA-SHA256.
pub(crate) const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

/// Base64-encodes.
pub(crate) fn b64_encode(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

/// Base64-decodes `s` after dropping ASCII whitespace (IdPs wrap lines), refusing input
/// longer than `max_chars` before doing any work.
pub(crate) fn b64_decode(s: &str, max_chars: usize) -> Result<Vec<u8>, SamlError> {
    if s.len() > max_chars {
        return Err(SamlError::TooLarge);
    }
    let compact: Vec<u8> = s
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .collect();
    B64.decode(compact).map_err(|_| SamlError::Base64)
}

/// Inflates raw DEFLATE data, refusing output past `max_out` bytes (a deflate bomb stops
/// at the limit, it is never inflated whole).
pub(crate) fn inflate_bounded(data: &[u8], max_out: usize) -> Result<Vec<u8>, SamlError> {
    let mut out = Vec::new();
    let limit = u64::try_from(max_out).unwrap_or(u64::MAX).saturating_add(1);
    DeflateDecoder::new(data)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|_| SamlError::Inflate)?;
    if out.len() > max_out {
        return Err(SamlError::Inflate);
    }
    Ok(out)
}

/// Raw DEFLATE (no zlib header), as the HTTP-Redirect binding wants.
pub(crate) fn deflate(data: &[u8]) -> Result<Vec<u8>, SamlError> {
    use std::io::Write;
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
    enc.write_all(data).map_err(|_| SamlError::Signing)?;
    enc.finish().map_err(|_| SamlError::Signing)
}

/// Which parameter carries the message.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param {
    Request,
    Response,
}

impl Param {
    fn name(self) -> &'static str {
        match self {
            Param::Request => "SAMLRequest",
            Param::Response => "SAMLResponse",
        }
    }
}

fn form(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Builds `endpoint?SAMLRequest=..&RelayState=..[&SigAlg=..&Signature=..]` for the
/// HTTP-Redirect binding (SAML bindings §3.4.4.1): the message deflated, base64-encoded and
/// URL-encoded; when `key` is given, an RSA-SHA256 signature over the exact octets
/// `SAMLRequest=value&RelayState=value&SigAlg=value`.
pub(crate) fn redirect_url(
    endpoint: &url::Url,
    param: Param,
    xml: &str,
    relay_state: Option<&str>,
    key: Option<&SpKey>,
) -> Result<url::Url, SamlError> {
    let encoded = b64_encode(&deflate(xml.as_bytes())?);
    let mut signed = format!("{}={}", param.name(), form(&encoded));
    if let Some(rs) = relay_state {
        signed.push_str("&RelayState=");
        signed.push_str(&form(rs));
    }
    if let Some(key) = key {
        signed.push_str("&SigAlg=");
        signed.push_str(&form(RSA_SHA256));
        let sig = key.sign_rsa_sha256(signed.as_bytes())?;
        signed.push_str("&Signature=");
        signed.push_str(&form(&b64_encode(&sig)));
    }
    let mut url = endpoint.clone();
    let query = match endpoint.query() {
        Some(q) if !q.is_empty() => format!("{q}&{signed}"),
        _ => signed,
    };
    url.set_query(Some(&query));
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_tolerates_line_breaks_and_refuses_junk() {
        assert_eq!(b64_decode("aGVs\r\nbG8=", 100).unwrap(), b"hello");
        assert_eq!(b64_decode("aGVsbG8", 100).unwrap(), b"hello");
        assert_eq!(b64_decode("aGVsbG8*", 100), Err(SamlError::Base64));
        assert_eq!(b64_decode("aGVsbG8=", 4), Err(SamlError::TooLarge));
    }

    #[test]
    fn inflate_round_trips_and_stops_bombs() {
        let data = b"<x>hello</x>".repeat(10);
        let z = deflate(&data).unwrap();
        assert_eq!(inflate_bounded(&z, 1000).unwrap(), data);
        let bomb = deflate(&vec![b'a'; 10_000_000]).unwrap();
        assert!(bomb.len() < 20_000);
        assert_eq!(inflate_bounded(&bomb, 100_000), Err(SamlError::Inflate));
        assert_eq!(
            inflate_bounded(b"\xff\xff\xff", 100),
            Err(SamlError::Inflate)
        );
    }
}
