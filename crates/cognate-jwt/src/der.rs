//! A minimal, bounded DER reader and writer: exactly what converting RSA private keys between
//! PKCS#1 (RFC 8017 appendix A.1.2), PKCS#8 (RFC 5208) and JWK needs, and nothing more.
//!
//! The reader never panics and never allocates on input-derived lengths before checking them
//! against the bytes actually present; lengths must be minimal (DER), integers non-negative
//! and minimally encoded. Multi-prime keys (PKCS#1 version 1) are refused.

use zeroize::Zeroizing;

/// A DER structure could not be read. Carries no detail (the caller maps it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DerError;

const TAG_INTEGER: u8 = 0x02;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_NULL: u8 = 0x05;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;

/// OID 1.2.840.113549.1.1.1 (rsaEncryption), content bytes.
const RSA_ENCRYPTION_OID: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// Largest length accepted for any one element (keys up to 16384 bits fit easily).
const MAX_LEN: usize = 64 * 1024;

/// A cursor over DER bytes.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Reads one TLV and returns `(tag, contents)`.
    pub(crate) fn read_any(&mut self) -> Result<(u8, &'a [u8]), DerError> {
        let (&tag, rest) = self.rest.split_first().ok_or(DerError)?;
        if tag & 0x1f == 0x1f {
            return Err(DerError); // high tag numbers are never needed here
        }
        let (&first, mut rest) = rest.split_first().ok_or(DerError)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 3 {
                return Err(DerError); // indefinite length (BER) or absurdly long
            }
            let (len_bytes, after) = rest.split_at_checked(n).ok_or(DerError)?;
            rest = after;
            if len_bytes.first() == Some(&0) {
                return Err(DerError); // non-minimal length
            }
            let len = len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 {
                return Err(DerError); // should have used the short form
            }
            len
        };
        if len > MAX_LEN {
            return Err(DerError);
        }
        let (contents, after) = rest.split_at_checked(len).ok_or(DerError)?;
        self.rest = after;
        Ok((tag, contents))
    }

    /// Reads one TLV that must carry `tag`.
    pub(crate) fn read(&mut self, tag: u8) -> Result<&'a [u8], DerError> {
        match self.read_any()? {
            (t, c) if t == tag => Ok(c),
            _ => Err(DerError),
        }
    }

    /// Reads a non-negative INTEGER and returns its magnitude without the sign byte.
    pub(crate) fn read_uint(&mut self) -> Result<&'a [u8], DerError> {
        let c = self.read(TAG_INTEGER)?;
        match c {
            [] => Err(DerError),
            [first, ..] if first & 0x80 != 0 => Err(DerError), // negative
            [0, second, ..] if second & 0x80 == 0 => Err(DerError), // non-minimal
            [0, rest @ ..] if !rest.is_empty() => Ok(rest),
            _ => Ok(c),
        }
    }

    /// Reads a small non-negative INTEGER (a version number).
    pub(crate) fn read_small(&mut self) -> Result<u8, DerError> {
        match self.read_uint()? {
            [v] => Ok(*v),
            _ => Err(DerError),
        }
    }
}

/// The nine integers of an RSA private key (PKCS#1 `RSAPrivateKey`), big-endian magnitudes.
pub(crate) struct RsaComponents<'a> {
    pub(crate) n: &'a [u8],
    pub(crate) e: &'a [u8],
    pub(crate) d: &'a [u8],
    pub(crate) p: &'a [u8],
    pub(crate) q: &'a [u8],
    pub(crate) dp: &'a [u8],
    pub(crate) dq: &'a [u8],
    pub(crate) qi: &'a [u8],
}

/// Parses a PKCS#1 `RSAPrivateKey` (two-prime, version 0) exactly, with no trailing bytes.
pub(crate) fn parse_pkcs1(der: &[u8]) -> Result<RsaComponents<'_>, DerError> {
    let mut outer = Reader::new(der);
    let seq = outer.read(TAG_SEQUENCE)?;
    if !outer.is_empty() {
        return Err(DerError);
    }
    let mut r = Reader::new(seq);
    if r.read_small()? != 0 {
        return Err(DerError);
    }
    let comps = RsaComponents {
        n: r.read_uint()?,
        e: r.read_uint()?,
        d: r.read_uint()?,
        p: r.read_uint()?,
        q: r.read_uint()?,
        dp: r.read_uint()?,
        dq: r.read_uint()?,
        qi: r.read_uint()?,
    };
    if !r.is_empty() {
        return Err(DerError);
    }
    Ok(comps)
}

/// Parses a PKCS#8 `PrivateKeyInfo` holding an RSA key and returns the inner PKCS#1 bytes.
/// Version 0 or 1 (RFC 5958) is accepted; optional trailing attributes / public key are
/// ignored.
pub(crate) fn pkcs8_inner(der: &[u8]) -> Result<&[u8], DerError> {
    let mut outer = Reader::new(der);
    let seq = outer.read(TAG_SEQUENCE)?;
    if !outer.is_empty() {
        return Err(DerError);
    }
    let mut r = Reader::new(seq);
    if r.read_small()? > 1 {
        return Err(DerError);
    }
    let mut alg = Reader::new(r.read(TAG_SEQUENCE)?);
    if alg.read(TAG_OID)? != RSA_ENCRYPTION_OID {
        return Err(DerError);
    }
    // Parameters: NULL, or absent.
    if !alg.is_empty() && (!alg.read(TAG_NULL)?.is_empty() || !alg.is_empty()) {
        return Err(DerError);
    }
    let inner = r.read(TAG_OCTET_STRING)?;
    while !r.is_empty() {
        let (tag, _) = r.read_any()?;
        if tag != 0xa0 && tag != 0x81 && tag != 0xa1 {
            return Err(DerError);
        }
    }
    Ok(inner)
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0x81, len as u8]);
    } else if len <= 0xffff {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    } else {
        out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
    }
}

fn push_tlv(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    push_len(out, contents.len());
    out.extend_from_slice(contents);
}

fn push_uint(out: &mut Vec<u8>, magnitude: &[u8]) {
    let m = crate::jwk::strip_leading_zeros(magnitude);
    out.push(TAG_INTEGER);
    match m.first() {
        None => {
            push_len(out, 1);
            out.push(0);
        }
        Some(&b) if b & 0x80 != 0 => {
            push_len(out, m.len() + 1);
            out.push(0);
            out.extend_from_slice(m);
        }
        Some(_) => {
            push_len(out, m.len());
            out.extend_from_slice(m);
        }
    }
}

/// Encodes a two-prime PKCS#1 `RSAPrivateKey`.
pub(crate) fn write_pkcs1(c: &RsaComponents<'_>) -> Zeroizing<Vec<u8>> {
    let mut body = Zeroizing::new(Vec::with_capacity(c.n.len() * 5 / 2 + c.p.len() * 5 + 64));
    push_uint(&mut body, &[0]);
    for v in [c.n, c.e, c.d, c.p, c.q, c.dp, c.dq, c.qi] {
        push_uint(&mut body, v);
    }
    let mut out = Zeroizing::new(Vec::with_capacity(body.len() + 8));
    push_tlv(&mut out, TAG_SEQUENCE, &body);
    out
}

/// Wraps PKCS#1 `RSAPrivateKey` bytes into a version-0 PKCS#8 `PrivateKeyInfo`.
pub(crate) fn wrap_pkcs8(pkcs1: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut alg = Vec::with_capacity(16);
    push_tlv(&mut alg, TAG_OID, &RSA_ENCRYPTION_OID);
    push_tlv(&mut alg, TAG_NULL, &[]);
    let mut body = Zeroizing::new(Vec::with_capacity(pkcs1.len() + 32));
    push_uint(&mut body, &[0]);
    push_tlv(&mut body, TAG_SEQUENCE, &alg);
    push_tlv(&mut body, TAG_OCTET_STRING, pkcs1);
    let mut out = Zeroizing::new(Vec::with_capacity(body.len() + 8));
    push_tlv(&mut out, TAG_SEQUENCE, &body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_integers() {
        let mut v = Vec::new();
        push_uint(&mut v, &[0x80]);
        assert_eq!(v, [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(Reader::new(&v).read_uint().unwrap(), [0x80]);
        let mut v = Vec::new();
        push_uint(&mut v, &[]);
        assert_eq!(v, [0x02, 0x01, 0x00]);
        assert_eq!(Reader::new(&v).read_uint().unwrap(), [0x00]);
        let big = vec![0x11u8; 300];
        let mut v = Vec::new();
        push_tlv(&mut v, TAG_OCTET_STRING, &big);
        assert_eq!(&v[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(Reader::new(&v).read(TAG_OCTET_STRING).unwrap(), &big[..]);
    }

    #[test]
    fn rejects_malformed() {
        let bad: &[&[u8]] = &[
            &[],
            &[0x02],
            &[0x02, 0x05, 1],
            &[0x02, 0x80],
            &[0x02, 0x81, 0x01, 0x00],       // non-minimal long form
            &[0x02, 0x82, 0x00, 0x81],       // leading zero length byte
            &[0x02, 0x84, 0, 0, 0, 1, 0],    // too many length bytes
            &[0x02, 0x00],                   // empty integer
            &[0x02, 0x01, 0x80],             // negative
            &[0x02, 0x02, 0x00, 0x01],       // non-minimal integer
            &[0x1f, 0x01, 0x00],             // high tag
            &[0x02, 0x83, 0xff, 0xff, 0xff], // longer than MAX_LEN
        ];
        for b in bad {
            assert!(Reader::new(b).read_uint().is_err(), "{b:?}");
        }
        assert!(parse_pkcs1(&[0x30, 0x00]).is_err());
        assert!(pkcs8_inner(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
    }

    #[test]
    fn pkcs1_pkcs8_round_trip() {
        let c = RsaComponents {
            n: &[0xc5; 8],
            e: &[1, 0, 1],
            d: &[0x44; 8],
            p: &[0x91; 4],
            q: &[0x33; 4],
            dp: &[5],
            dq: &[6],
            qi: &[7],
        };
        let p1 = write_pkcs1(&c);
        let p8 = wrap_pkcs8(&p1);
        let inner = pkcs8_inner(&p8).unwrap();
        assert_eq!(inner, &p1[..]);
        let back = parse_pkcs1(inner).unwrap();
        assert_eq!(back.n, c.n);
        assert_eq!(back.e, c.e);
        assert_eq!(back.qi, c.qi);
        // Trailing garbage is refused.
        let mut extra = p1.to_vec();
        extra.push(0);
        assert!(parse_pkcs1(&extra).is_err());
    }

    #[test]
    fn truncations_never_panic() {
        let c = RsaComponents {
            n: &[0xc5; 200],
            e: &[1, 0, 1],
            d: &[0x44; 200],
            p: &[0x91; 100],
            q: &[0x33; 100],
            dp: &[5; 100],
            dq: &[6; 100],
            qi: &[7; 100],
        };
        let p8 = wrap_pkcs8(&write_pkcs1(&c));
        for i in 0..p8.len() {
            assert!(pkcs8_inner(&p8[..i]).and_then(parse_pkcs1).is_err());
            let mut m = p8.to_vec();
            m[i] ^= 0xff;
            let _ = pkcs8_inner(&m).and_then(parse_pkcs1);
        }
    }
}
