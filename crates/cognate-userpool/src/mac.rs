//! HMAC with an infallible constructor, shared by [`crate::srp`], [`crate::totp`] and
//! [`crate::secret_hash`].
//!
//! The `hmac` crate's `new_from_slice` returns a `Result` although HMAC accepts keys of any length
//! (RFC 2104: a key longer than the hash's block is hashed first, a shorter one is padded with
//! zeros). Doing that key preparation here gives a constructor with no error path, so no caller
//! needs an unreachable branch or a panic.

use hmac::digest::core_api::BlockSizeUser;
use hmac::digest::{Digest, Key, KeyInit, Mac, Output};
use hmac::SimpleHmac;
use zeroize::Zeroize;

/// An HMAC instance keyed with `key` (any length).
pub(crate) fn keyed<D: Digest + BlockSizeUser>(key: &[u8]) -> SimpleHmac<D> {
    let mut block = Key::<SimpleHmac<D>>::default();
    if key.len() > block.len() {
        let mut digest = D::digest(key);
        for (dst, src) in block.iter_mut().zip(digest.iter()) {
            *dst = *src;
        }
        digest.as_mut_slice().zeroize();
    } else {
        for (dst, src) in block.iter_mut().zip(key) {
            *dst = *src;
        }
    }
    // A key exactly one block long is used as it is, so this equals HMAC over `key` itself.
    let mac = <SimpleHmac<D> as KeyInit>::new(&block);
    block.as_mut_slice().zeroize();
    mac
}

/// HMAC-`D`(`key`, the concatenation of `parts`).
pub(crate) fn hmac<D: Digest + BlockSizeUser>(key: &[u8], parts: &[&[u8]]) -> Output<D> {
    let mut mac = keyed::<D>(key);
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes()
}

/// Whether `tag` is HMAC-`D`(`key`, the concatenation of `parts`), compared in constant time.
pub(crate) fn verify<D: Digest + BlockSizeUser>(key: &[u8], parts: &[&[u8]], tag: &[u8]) -> bool {
    let mut mac = keyed::<D>(key);
    for part in parts {
        mac.update(part);
    }
    mac.verify_slice(tag).is_ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use hmac::Hmac;
    use sha1::Sha1;
    use sha2::{Sha256, Sha512};

    fn reference<M: Mac + KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut m = <M as Mac>::new_from_slice(key).unwrap();
        m.update(msg);
        m.finalize().into_bytes().to_vec()
    }

    #[test]
    fn equals_the_hmac_crate_for_every_key_length() {
        let msg = b"The quick brown fox jumps over the lazy dog";
        for len in [0usize, 1, 20, 32, 63, 64, 65, 127, 128, 129, 200] {
            let key: Vec<u8> = (0..len).map(|i| (i * 7 + 1) as u8).collect();
            assert_eq!(
                hmac::<Sha256>(&key, &[&msg[..10], &msg[10..]]).to_vec(),
                reference::<Hmac<Sha256>>(&key, msg),
                "sha256 key len {len}"
            );
            assert_eq!(
                hmac::<Sha1>(&key, &[msg]).to_vec(),
                reference::<Hmac<Sha1>>(&key, msg),
                "sha1 key len {len}"
            );
            assert_eq!(
                hmac::<Sha512>(&key, &[msg]).to_vec(),
                reference::<Hmac<Sha512>>(&key, msg),
                "sha512 key len {len}"
            );
        }
    }

    #[test]
    fn rfc4231_case_2() {
        // RFC 4231 4.3: key "Jefe", data "what do ya want for nothing?".
        let tag = hmac::<Sha256>(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let msg: &[&[u8]] = &[b"what do ya want for nothing?"];
        assert!(verify::<Sha256>(b"Jefe", msg, &tag));
        let mut bad = tag.to_vec();
        bad[31] ^= 1;
        assert!(!verify::<Sha256>(b"Jefe", msg, &bad));
        assert!(!verify::<Sha256>(b"Jefe", msg, &tag[..31]));
        assert!(!verify::<Sha256>(b"Jefi", msg, &tag));
    }
}
