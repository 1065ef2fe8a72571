//! Unit tests of the SRP internals: padHex, k, the fixed-base table, timestamps, and the
//! intermediate values (x, v, u, S, K) of the vectors amazon-cognito-identity-js and pycognito
//! generated (`tests/data/srp-vectors-*.json`, see `interop/srp/`).

use super::client::client_premaster;
use super::*;
use cognate_types::danger::InsecureDeterministicRandom;
use serde_json::Value;

const VECTOR_FILES: [(&str, &str); 2] = [
    (
        "amazon-cognito-identity-js",
        include_str!("../../tests/data/srp-vectors-acij.json"),
    ),
    (
        "pycognito",
        include_str!("../../tests/data/srp-vectors-pycognito.json"),
    ),
];

fn vectors() -> Vec<(&'static str, Value)> {
    VECTOR_FILES
        .iter()
        .map(|(source, text)| (*source, serde_json::from_str(text).unwrap()))
        .collect()
}

fn unhex(s: &str) -> Vec<u8> {
    let mut out = vec![0u8; s.len().div_ceil(2)];
    decode_hex_into(s.as_bytes(), &mut out).unwrap();
    out
}

fn u3072(hex: &str) -> U3072 {
    let mut bytes = [0u8; MODULUS_BYTES];
    decode_hex_into(hex.as_bytes(), &mut bytes).unwrap();
    U3072::from_be_slice(&bytes)
}

fn u256(hex: &str) -> U256 {
    let mut bytes = [0u8; 32];
    decode_hex_into(hex.as_bytes(), &mut bytes).unwrap();
    U256::from_be_slice(&bytes)
}

fn min_hex_3072(x: &U3072) -> String {
    minimal_hex(be_bytes(x).as_ref())
}

fn min_hex_256(x: &U256) -> String {
    minimal_hex(x.to_be_bytes().as_ref())
}

fn s(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing"))
        .to_owned()
}

#[test]
fn k_is_cognitos() {
    assert_eq!(
        min_hex_256(&compute_k()),
        "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
    );
    assert_eq!(tables().k.retrieve(), compute_k().resize());
}

#[test]
fn n_is_the_rfc3526_prime() {
    assert_eq!(N.bits_vartime(), 3072);
    assert_eq!(
        min_hex_3072(&N),
        N_HEX.to_ascii_lowercase(),
        "N parses to the constant"
    );
    // RFC 3526: N = 2^3072 - 2^3008 - 1 + 2^64 * (floor(2^2942 pi) + 1690314); spot-check the
    // ends, which every copy shares.
    assert!(N_HEX.starts_with("FFFFFFFFFFFFFFFFC90FDAA2"));
    assert!(N_HEX.ends_with("A93AD2CAFFFFFFFFFFFFFFFF"));
}

#[test]
fn pad_hex_cases() {
    // The documented examples of AuthenticationHelper.padHex for non-negative numbers.
    assert_eq!(pad_hex(&[20]), "14");
    assert_eq!(pad_hex(&[236]), "00ec");
    assert_eq!(pad_hex(&[56]), "38");
    assert_eq!(pad_hex(&[200]), "00c8");
    // Zero: "0" is padded to even length.
    assert_eq!(pad_hex(&[]), "00");
    assert_eq!(pad_hex(&[0]), "00");
    assert_eq!(pad_hex(&[0, 0, 0]), "00");
    // Odd-length hex gets a leading 0 (0x123 -> "0123"), and then no 00 since '0' < '8'.
    assert_eq!(pad_hex(&[0x01, 0x23]), "0123");
    assert_eq!(pad_hex(&[0x00, 0x01, 0x23]), "0123");
    // High bit set: 00 in front; leading zero bytes are dropped first.
    assert_eq!(pad_hex(&[0x80]), "0080");
    assert_eq!(pad_hex(&[0x00, 0x00, 0x80, 0x01]), "008001");
    assert_eq!(pad_hex(&[0xff, 0xff]), "00ffff");
    assert_eq!(pad_hex(&[0x7f, 0xff]), "7fff");
    // Odd-length hex whose first digit is 8 or more: "8ab" -> "08ab", no 00 (the helper pads
    // to even length before testing the first digit).
    assert_eq!(pad_hex(&[0x08, 0xab]), "08ab");
    // g and N as in k.
    assert_eq!(pad_hex(&[2]), "02");
    let n = pad_hex(be_bytes(&N).as_ref());
    assert_eq!(n.len(), 770);
    assert!(n.starts_with("00ffff"));
}

#[test]
fn minimal_hex_is_tostring16() {
    assert_eq!(minimal_hex(&[]), "0");
    assert_eq!(minimal_hex(&[0, 0]), "0");
    assert_eq!(minimal_hex(&[0x00, 0x0b, 0xcd]), "bcd");
    assert_eq!(minimal_hex(&[0xab]), "ab");
}

#[test]
fn public_value_parsing() {
    assert_eq!(parse_public_value("1").unwrap(), U3072::ONE);
    assert_eq!(
        parse_public_value("00000aBc").unwrap(),
        U3072::from_u16(0xabc)
    );
    assert_eq!(parse_public_value(""), Err(SrpError::MalformedPublicValue));
    for bad in ["xyz", "-1", "0x12", "12 ", " 12", "1_2", "é"] {
        assert_eq!(
            parse_public_value(bad),
            Err(SrpError::MalformedPublicValue),
            "{bad:?}"
        );
    }
    assert_eq!(
        parse_public_value(&"0".repeat(MAX_PUBLIC_HEX_LEN + 1)),
        Err(SrpError::MalformedPublicValue)
    );
    assert_eq!(parse_public_value("0"), Err(SrpError::IllegalPublicValue));
    assert_eq!(
        parse_public_value(&"0".repeat(MAX_PUBLIC_HEX_LEN)),
        Err(SrpError::IllegalPublicValue)
    );
    assert_eq!(parse_public_value(N_HEX), Err(SrpError::IllegalPublicValue));
    let n_minus_1 = N.wrapping_sub(&U3072::ONE);
    assert_eq!(
        parse_public_value(&min_hex_3072(&n_minus_1)).unwrap(),
        n_minus_1
    );
    let n_plus_1 = N.wrapping_add(&U3072::ONE);
    assert_eq!(
        parse_public_value(&min_hex_3072(&n_plus_1)),
        Err(SrpError::IllegalPublicValue)
    );
    // 2^3072 and above: 769 significant digits.
    assert_eq!(
        parse_public_value(&format!("1{}", "0".repeat(768))),
        Err(SrpError::IllegalPublicValue)
    );
}

#[test]
fn comb_matches_plain_exponentiation() {
    let g = Fe::new(&U3072::from_u8(2));
    let rng = InsecureDeterministicRandom::new(7);
    let mut exponents = vec![U256::ZERO, U256::ONE, U256::from_u8(16), U256::MAX];
    for _ in 0..6 {
        let mut bytes = [0u8; 32];
        rng.fill(&mut bytes).unwrap();
        exponents.push(U256::from_be_slice(&bytes));
    }
    for e in exponents {
        assert_eq!(
            pow_g(&e).retrieve(),
            g.pow_vartime(&e).retrieve(),
            "exponent {}",
            min_hex_256(&e)
        );
    }
}

#[test]
fn timestamps_single_digit_days_are_not_padded() {
    // 2024-03-05T07:04:09Z.
    assert_eq!(
        format_timestamp(UnixTime::from_secs(1_709_622_249)),
        "Tue Mar 5 07:04:09 UTC 2024"
    );
    assert_eq!(
        format_timestamp(UnixTime::EPOCH),
        "Thu Jan 1 00:00:00 UTC 1970"
    );
    // 2024-03-10 (two digits) and 2024-02-29 (leap day).
    assert_eq!(
        format_timestamp(UnixTime::from_secs(1_710_028_800)),
        "Sun Mar 10 00:00:00 UTC 2024"
    );
    assert_eq!(
        format_timestamp(UnixTime::from_secs(1_709_251_199)),
        "Thu Feb 29 23:59:59 UTC 2024"
    );
}

#[test]
fn timestamps_round_trip_for_every_day_of_a_century() {
    // One instant per day, at a time of day that walks through hours, minutes and seconds.
    let mut day = 0u64;
    while day < 365 * 130 {
        let t = UnixTime::from_secs(day * SECS_PER_DAY + (day * 7919) % SECS_PER_DAY);
        let text = format_timestamp(t);
        assert_eq!(parse_timestamp(&text), Ok(t), "{text}");
        day += 1;
    }
}

#[test]
fn timestamp_parsing_is_strict() {
    let ok = "Tue Mar 5 07:04:09 UTC 2024";
    let t = UnixTime::from_secs(1_709_622_249);
    assert_eq!(parse_timestamp(ok), Ok(t));
    // A zero-padded day is read too (Java's `d` reads it).
    assert_eq!(parse_timestamp("Tue Mar 05 07:04:09 UTC 2024"), Ok(t));
    for bad in [
        "",
        "Wed Mar 5 07:04:09 UTC 2024",   // wrong weekday
        "Tue Mar 005 07:04:09 UTC 2024", // three-digit day
        "Tue Mar  5 07:04:09 UTC 2024",  // two spaces
        "Tue mar 5 07:04:09 UTC 2024",   // lowercase month
        "tue Mar 5 07:04:09 UTC 2024",   // lowercase weekday
        "Tue Mar 5 07:04:09 GMT 2024",   // zone
        "Tue Mar 5 7:04:09 UTC 2024",    // one-digit hour
        "Tue Mar 5 07:04:09 UTC 24",     // two-digit year
        "Tue Mar 5 07:04:09 UTC 2024 ",  // trailing space
        " Tue Mar 5 07:04:09 UTC 2024",  // leading space
        "Tue Mar 5 07:04 UTC 2024",      // no seconds
        "Tue Mar 5 07:04:09:00 UTC 2024",
        "Tue Mar 5 24:00:00 UTC 2024",
        "Tue Mar 5 07:60:09 UTC 2024",
        "Tue Mar 5 07:04:60 UTC 2024",
        "Tue Mar 0 07:04:09 UTC 2024",
        "Fri Feb 30 07:04:09 UTC 2024",
        "Sun Feb 29 07:04:09 UTC 2023",
        "Wed Dec 31 23:59:59 UTC 1969",
        "Tue Mar +5 07:04:09 UTC 2024",
        "Tue Mar 5 07:04:09 UTC +024",
        "2024-03-05T07:04:09Z",
    ] {
        assert_eq!(
            parse_timestamp(bad),
            Err(SrpError::MalformedTimestamp),
            "{bad:?}"
        );
    }
}

#[test]
fn vectors_timestamps() {
    for (source, file) in vectors() {
        for entry in file["timestamps"].as_array().unwrap() {
            let secs = entry["secs"].as_u64().unwrap();
            let text = s(entry, "timestamp");
            assert_eq!(
                format_timestamp(UnixTime::from_secs(secs)),
                text,
                "{source}"
            );
            assert_eq!(
                parse_timestamp(&text),
                Ok(UnixTime::from_secs(secs)),
                "{source}"
            );
        }
    }
}

#[test]
fn vectors_intermediate_values() {
    let mut checked = 0;
    for (source, file) in vectors() {
        for case in file["cases"].as_array().unwrap() {
            let name = format!("{source} / {}", s(case, "name"));
            let salt = unhex(&s(case, "salt"));
            let pool_name = s(case, "pool_name");
            let user = s(case, "user_id_for_srp");
            let password = s(case, "password");

            assert_eq!(min_hex_256(&compute_k()), s(case, "k"), "{name}: k");
            let x = compute_x(&salt, &pool_name, &user, &password);
            assert_eq!(min_hex_256(&x), s(case, "x"), "{name}: x");
            let v = compute_verifier(&x);
            assert_eq!(min_hex_3072(&v), s(case, "v"), "{name}: v");
            assert_eq!(
                pad_hex(&salt),
                s(case, "pad_hex_salt"),
                "{name}: padHex(salt)"
            );

            let srp_a = u3072(&s(case, "srp_a"));
            let srp_b = u3072(&s(case, "srp_b"));
            assert_eq!(
                pad_hex(be_bytes(&srp_a).as_ref()),
                s(case, "pad_hex_a"),
                "{name}: padHex(A)"
            );
            assert_eq!(
                pad_hex(be_bytes(&srp_b).as_ref()),
                s(case, "pad_hex_b"),
                "{name}: padHex(B)"
            );
            let u_bytes = compute_u(&srp_a, &srp_b);
            let u = U256::from_be_slice(&u_bytes);
            assert_eq!(min_hex_256(&u), s(case, "u"), "{name}: u");
            assert_eq!(pad_hex(&u_bytes), s(case, "pad_hex_u"), "{name}: padHex(u)");

            // S from both sides.
            let b = u256(&s(case, "b"));
            let a_bytes = unhex(&s(case, "a"));
            let a = crypto_bigint::U1024::from_be_slice(&a_bytes);
            let server_s = server_premaster(&srp_a, &v, &u, &b);
            let client_s = client_premaster(&srp_b, &x, &u, &a);
            assert_eq!(min_hex_3072(&server_s), s(case, "s"), "{name}: server S");
            assert_eq!(min_hex_3072(&client_s), s(case, "s"), "{name}: client S");
            assert_eq!(
                pad_hex(be_bytes(&server_s).as_ref()),
                s(case, "pad_hex_s"),
                "{name}: padHex(S)"
            );

            let key = derive_key(&server_s, &u_bytes);
            assert_eq!(hex_lower(key.as_ref()), s(case, "key"), "{name}: K");

            let secs = case["time_ms"].as_u64().unwrap() / 1000;
            assert_eq!(
                format_timestamp(UnixTime::from_secs(secs)),
                s(case, "timestamp"),
                "{name}: TIMESTAMP"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 18, "nine cases from each library");
}

#[test]
fn handshake_debug_hides_b() {
    let verifier = SrpVerifier::compute_with_salt("pool", "user", "pw", &[1; 16]).unwrap();
    let rng = InsecureDeterministicRandom::new(3);
    let client = client::SrpClient::new(&rng).unwrap();
    let (handshake, _) = ServerHandshake::start(&verifier, &client.srp_a_hex(), &rng).unwrap();
    let b_hex = min_hex_256(handshake.b.expose());
    let shown = format!("{handshake:?} {client:?} {verifier:?}");
    assert!(!shown.contains(&b_hex), "{shown}");
    assert!(!shown.contains(&verifier.verifier_hex()), "{shown}");
    assert!(shown.contains("REDACTED"), "{shown}");
}
