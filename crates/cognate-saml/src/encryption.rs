//! Encrypted assertions (XML Encryption): RSA-OAEP key transport, AES-GCM or AES-CBC
//! content. `rsa-1_5` is refused (Bleichenbacher); every decryption failure is one error.

use openssl::md::Md;
use openssl::symm::{Cipher, Crypter, Mode};

use crate::dsig::{NS_DS, NS_XENC, NS_XENC11};
use crate::encode::b64_decode;
use crate::keys::SpKey;
use crate::xml::Element;
use crate::SamlError;

const RSA_1_5: &str = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
const RSA_OAEP_MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
const RSA_OAEP: &str = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
const TYPE_ELEMENT: &str = "http://www.w3.org/2001/04/xmlenc#Element";

/// The largest ciphertext accepted (the whole message is already bounded; this bounds the
/// work on a single value).
const MAX_CIPHER_CHARS: usize = 200_000;

#[derive(Clone, Copy)]
enum Content {
    Gcm(usize),
    Cbc(usize),
}

fn content_algorithm(uri: &str) -> Result<Content, SamlError> {
    Ok(match uri {
        "http://www.w3.org/2009/xmlenc11#aes128-gcm" => Content::Gcm(16),
        "http://www.w3.org/2009/xmlenc11#aes192-gcm" => Content::Gcm(24),
        "http://www.w3.org/2009/xmlenc11#aes256-gcm" => Content::Gcm(32),
        "http://www.w3.org/2001/04/xmlenc#aes128-cbc" => Content::Cbc(16),
        "http://www.w3.org/2001/04/xmlenc#aes192-cbc" => Content::Cbc(24),
        "http://www.w3.org/2001/04/xmlenc#aes256-cbc" => Content::Cbc(32),
        other => return Err(SamlError::EncryptionAlgorithmNotAllowed(other.to_owned())),
    })
}

fn method(e: &Element) -> Result<&Element, SamlError> {
    match e.only_child(NS_XENC, "EncryptionMethod") {
        Ok(Some(m)) => Ok(m),
        _ => Err(SamlError::Missing("EncryptionMethod")),
    }
}

fn cipher_value(e: &Element) -> Result<Vec<u8>, SamlError> {
    let data = match e.only_child(NS_XENC, "CipherData") {
        Ok(Some(d)) => d,
        _ => return Err(SamlError::Missing("CipherData")),
    };
    let value = match data.only_child(NS_XENC, "CipherValue") {
        Ok(Some(v)) => v,
        _ => return Err(SamlError::Missing("CipherValue")),
    };
    let text = value
        .text_only()
        .ok_or(SamlError::MixedContent("CipherValue"))?;
    b64_decode(&text, MAX_CIPHER_CHARS).map_err(|_| SamlError::Decryption)
}

/// The OAEP digest and MGF1 digest of an `EncryptedKey`'s method.
fn oaep_params(
    m: &Element,
) -> Result<(&'static openssl::md::MdRef, &'static openssl::md::MdRef), SamlError> {
    let alg = m.attr("Algorithm").unwrap_or_default();
    let digest = match m.only_child(NS_DS, "DigestMethod") {
        Ok(Some(d)) => match d.attr("Algorithm") {
            Some("http://www.w3.org/2000/09/xmldsig#sha1") => Md::sha1(),
            Some("http://www.w3.org/2001/04/xmlenc#sha256") => Md::sha256(),
            Some("http://www.w3.org/2001/04/xmldsig-more#sha384") => Md::sha384(),
            Some("http://www.w3.org/2001/04/xmlenc#sha512") => Md::sha512(),
            other => {
                return Err(SamlError::KeyTransportNotAllowed(
                    other.unwrap_or_default().to_owned(),
                ))
            }
        },
        Ok(None) => Md::sha1(),
        Err(()) => return Err(SamlError::Missing("DigestMethod")),
    };
    match alg {
        RSA_OAEP_MGF1P => Ok((digest, Md::sha1())),
        RSA_OAEP => {
            let mgf = match m.only_child(NS_XENC11, "MGF") {
                Ok(Some(g)) => match g.attr("Algorithm") {
                    Some("http://www.w3.org/2009/xmlenc11#mgf1sha1") => Md::sha1(),
                    Some("http://www.w3.org/2009/xmlenc11#mgf1sha256") => Md::sha256(),
                    Some("http://www.w3.org/2009/xmlenc11#mgf1sha384") => Md::sha384(),
                    Some("http://www.w3.org/2009/xmlenc11#mgf1sha512") => Md::sha512(),
                    other => {
                        return Err(SamlError::KeyTransportNotAllowed(
                            other.unwrap_or_default().to_owned(),
                        ))
                    }
                },
                Ok(None) => Md::sha1(),
                Err(()) => return Err(SamlError::Missing("MGF")),
            };
            Ok((digest, mgf))
        }
        RSA_1_5 => Err(SamlError::KeyTransportNotAllowed(RSA_1_5.to_owned())),
        other => Err(SamlError::KeyTransportNotAllowed(other.to_owned())),
    }
}

/// Decrypts an `EncryptedAssertion` with any of `keys` and returns the plaintext XML.
pub(crate) fn decrypt_assertion(enc: &Element, keys: &[SpKey]) -> Result<String, SamlError> {
    let data = match enc.only_child(NS_XENC, "EncryptedData") {
        Ok(Some(d)) => d,
        _ => return Err(SamlError::Missing("EncryptedData")),
    };
    if let Some(t) = data.attr("Type") {
        if t != TYPE_ELEMENT {
            return Err(SamlError::EncryptionAlgorithmNotAllowed(t.to_owned()));
        }
    }
    let content_alg = content_algorithm(method(data)?.attr("Algorithm").unwrap_or_default())?;
    // The EncryptedKey: inside EncryptedData/KeyInfo, or a sibling of EncryptedData.
    let mut encrypted_keys: Vec<&Element> = Vec::new();
    if let Ok(Some(ki)) = data.only_child(NS_DS, "KeyInfo") {
        encrypted_keys.extend(ki.children_named(NS_XENC, "EncryptedKey"));
    }
    encrypted_keys.extend(enc.children_named(NS_XENC, "EncryptedKey"));
    let [ek] = encrypted_keys.as_slice() else {
        return Err(if encrypted_keys.is_empty() {
            SamlError::Missing("EncryptedKey")
        } else {
            SamlError::UnexpectedElement("more than one EncryptedKey")
        });
    };
    let (digest, mgf) = oaep_params(method(ek)?)?;
    let wrapped = cipher_value(ek)?;
    let ciphertext = cipher_value(data)?;
    if keys.is_empty() {
        return Err(SamlError::Decryption);
    }
    for key in keys {
        let Ok(cek) = key.decrypt_oaep(&wrapped, digest, mgf) else {
            continue;
        };
        if let Ok(plain) = decrypt_content(content_alg, &cek, &ciphertext) {
            return String::from_utf8(plain).map_err(|_| SamlError::Decryption);
        }
    }
    Err(SamlError::Decryption)
}

fn decrypt_content(alg: Content, key: &[u8], data: &[u8]) -> Result<Vec<u8>, SamlError> {
    match alg {
        Content::Gcm(len) => {
            let cipher = match len {
                16 => Cipher::aes_128_gcm(),
                24 => Cipher::aes_192_gcm(),
                _ => Cipher::aes_256_gcm(),
            };
            if key.len() != len || data.len() < 12 + 16 {
                return Err(SamlError::Decryption);
            }
            let (iv, rest) = data.split_at(12);
            let (ct, tag) = rest.split_at(rest.len() - 16);
            openssl::symm::decrypt_aead(cipher, key, Some(iv), &[], ct, tag)
                .map_err(|_| SamlError::Decryption)
        }
        Content::Cbc(len) => {
            let cipher = match len {
                16 => Cipher::aes_128_cbc(),
                24 => Cipher::aes_192_cbc(),
                _ => Cipher::aes_256_cbc(),
            };
            if key.len() != len || data.len() < 32 || !data.len().is_multiple_of(16) {
                return Err(SamlError::Decryption);
            }
            let (iv, ct) = data.split_at(16);
            let mut c = Crypter::new(cipher, Mode::Decrypt, key, Some(iv))
                .map_err(|_| SamlError::Decryption)?;
            c.pad(false);
            let mut out = vec![0u8; ct.len() + 16];
            let mut n = c.update(ct, &mut out).map_err(|_| SamlError::Decryption)?;
            n += c
                .finalize(out.get_mut(n..).ok_or(SamlError::Decryption)?)
                .map_err(|_| SamlError::Decryption)?;
            out.truncate(n);
            // XML Encryption padding (ISO 10126): the last byte is the pad length, 1..=16;
            // the other pad bytes are arbitrary.
            let pad = usize::from(*out.last().ok_or(SamlError::Decryption)?);
            if pad == 0 || pad > 16 || pad > out.len() {
                return Err(SamlError::Decryption);
            }
            out.truncate(out.len() - pad);
            Ok(out)
        }
    }
}
