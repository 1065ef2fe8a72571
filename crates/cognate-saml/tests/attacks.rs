//! Security catalogue part C (SAML SP) as tests. Every fixture was signed by the xmlsec1 CLI
//! and the attacks were made by mutating signed output with lxml, signatures untouched
//! (`tests/fixtures/make.py`; `docs/saml.md` says how each was made). Each test names the
//! catalogue case and checks the exact refusal, so a test cannot pass for the wrong reason.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use cognate_saml::{IdpOptions, SamlError};
use common::{accept, accept_xml, fixture, refused, sp, sp_with};

fn algorithm(uri: &str) -> SamlError {
    SamlError::AlgorithmNotAllowed(uri.into())
}

// --- C1. Signature presence, key trust, algorithms ----------------------------------------

#[test]
fn saml_01_unsigned_response_and_assertion() {
    refused("unsigned", SamlError::Unsigned);
}

#[test]
fn saml_02_signature_exclusion_variants() {
    refused(
        "empty_signature_value",
        SamlError::SignatureStructure("SignatureValue is not base64 text"),
    );
    refused(
        "no_signed_info",
        SamlError::SignatureStructure("no SignedInfo"),
    );
    refused(
        "two_signed_info",
        SamlError::SignatureStructure("more than one SignedInfo"),
    );
}

#[test]
fn saml_03_wrong_key_with_attacker_certificate_in_keyinfo() {
    refused("wrong_cert", SamlError::InvalidSignature);
}

#[test]
fn saml_04_signed_response_with_changed_assertion() {
    // The response signature covers the assertion; changing it breaks the digest.
    refused(
        "signed_response_tampered_assertion",
        SamlError::InvalidSignature,
    );
}

#[test]
fn saml_05_hmac_signature_method() {
    refused(
        "hmac",
        algorithm("http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"),
    );
}

#[test]
fn saml_06_sha1_refused_by_default() {
    refused(
        "sha1",
        algorithm("http://www.w3.org/2000/09/xmldsig#rsa-sha1"),
    );
    refused(
        "sha256_sig_sha1_digest",
        algorithm("http://www.w3.org/2000/09/xmldsig#sha1"),
    );
}

#[test]
fn saml_06_sha1_only_behind_the_insecure_switch() {
    let sp = sp_with(IdpOptions {
        insecure_allow_sha1: true,
        ..IdpOptions::default()
    });
    assert_eq!(
        accept(&sp, "sha1").unwrap().name_id.value,
        "alice@example.test"
    );
    assert!(accept(&sp, "sha256_sig_sha1_digest").is_ok());
}

#[test]
fn saml_07_either_certificate_of_the_metadata_verifies() {
    let sp = sp();
    assert_eq!(
        accept(&sp, "ok_assertion_signed").unwrap().name_id.value,
        "alice@example.test"
    );
    assert_eq!(
        accept(&sp, "ok_idp2").unwrap().name_id.value,
        "alice@example.test"
    );
}

// --- C2. XML signature wrapping -------------------------------------------------------------

#[test]
fn saml_08_xsw1_evil_response_with_orig_inside_signature() {
    refused(
        "xsw1",
        SamlError::UnexpectedElement("nested protocol message"),
    );
}

#[test]
fn saml_09_xsw2_evil_response_with_orig_as_sibling() {
    refused(
        "xsw2",
        SamlError::UnexpectedElement("nested protocol message"),
    );
}

#[test]
fn saml_10_xsw3_evil_assertion_before_the_signed_one() {
    refused("xsw3", SamlError::MultipleAssertions);
}

#[test]
fn saml_11_xsw4_signed_assertion_inside_evil_assertion() {
    refused(
        "xsw4",
        SamlError::UnexpectedElement("assertion outside its place"),
    );
}

#[test]
fn saml_12_xsw5_modified_assertion_with_clean_copy_appended() {
    refused("xsw5", SamlError::MultipleAssertions);
}

#[test]
fn saml_13_xsw6_clean_copy_inside_the_signature() {
    refused(
        "xsw6",
        SamlError::UnexpectedElement("assertion outside its place"),
    );
}

#[test]
fn saml_14_xsw7_evil_copy_in_extensions() {
    refused(
        "xsw7",
        SamlError::UnexpectedElement("assertion outside its place"),
    );
}

#[test]
fn saml_15_xsw8_orig_in_ds_object() {
    // The copy in ds:Object keeps the signed ID: caught as a duplicate ID before anything
    // else (and ds:Object is refused by the signature shape check as well).
    refused("xsw8", SamlError::DuplicateId);
}

#[test]
fn saml_16_cve_2022_41912_second_unsigned_assertion() {
    refused("two_assertions", SamlError::MultipleAssertions);
}

#[test]
fn saml_17_decoy_signature_on_signed_error_response() {
    refused(
        "decoy_signature_error_status",
        SamlError::UnexpectedElement("assertion outside its place"),
    );
    // And the genuine signed error response is refused for its status.
    refused(
        "signed_error_status",
        SamlError::Status("urn:oasis:names:tc:SAML:2.0:status:Responder".into()),
    );
}

#[test]
fn saml_18_duplicate_ids_and_reference_uris() {
    refused("duplicate_id", SamlError::DuplicateId);
    refused("reference_empty_uri", SamlError::ReferenceMismatch);
    refused("reference_xpointer", SamlError::ReferenceMismatch);
    refused("reference_foreign", SamlError::ReferenceMismatch);
    // A non-NCName ID.
    let xml = fixture("ok_assertion_signed").replace("ID=\"_resp1\"", "ID=\"1bad\"");
    assert_eq!(
        accept_xml(&sp(), &xml).unwrap_err(),
        SamlError::BadAttribute("ID")
    );
}

#[test]
fn saml_19_only_enveloped_and_exclusive_c14n_transforms() {
    refused(
        "transform_xslt",
        SamlError::TransformNotAllowed("http://www.w3.org/TR/1999/REC-xslt-19991116".into()),
    );
    refused(
        "transform_xpath",
        SamlError::TransformNotAllowed("http://www.w3.org/TR/1999/REC-xpath-19991116".into()),
    );
}

#[test]
fn saml_20_cve_2024_45409_forged_reference_elsewhere() {
    // Verification uses only the Signature's own SignedInfo: the forged Reference in
    // Extensions is ignored and the changed assertion fails its digest.
    refused("cve_2024_45409_extensions", SamlError::InvalidSignature);
    refused("cve_2024_45409_status_detail", SamlError::InvalidSignature);
}

#[test]
fn saml_21_cve_2025_29775_digest_value_comment() {
    refused(
        "cve_2025_29775_digest_comment",
        SamlError::SignatureStructure("comment or processing instruction inside"),
    );
}

#[test]
fn saml_21_cve_2025_29774_wrapped_signed_info() {
    refused(
        "cve_2025_29774_wrapped_signed_info",
        SamlError::SignatureStructure("unexpected element in Signature"),
    );
}

#[test]
fn saml_22_cve_2025_25291_doctype_parser_differential() {
    refused("cve_2025_25291_doctype_comment", SamlError::Doctype);
}

#[test]
fn saml_22_cve_2025_25292_attlist_and_moved_signature() {
    refused("cve_2025_25292_attlist", SamlError::Doctype);
}

#[test]
fn saml_23_cve_2025_23369_entity_defined_id() {
    refused("cve_2025_23369_entity_id", SamlError::Doctype);
}

#[test]
fn saml_24_namespace_confusion() {
    refused(
        "namespace_confusion",
        SamlError::UnexpectedElement("assertion in a foreign namespace"),
    );
    // A Response in the wrong namespace is not a Response.
    let xml = fixture("ok_assertion_signed").replace(
        "xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"",
        "xmlns:samlp=\"urn:evil\"",
    );
    assert_eq!(
        accept_xml(&sp(), &xml).unwrap_err(),
        SamlError::WrongMessage("Response")
    );
}

#[test]
fn signature_over_a_different_element_than_the_one_used() {
    refused("signature_over_other_element", SamlError::ReferenceMismatch);
}

// --- C3. Content injection in signed data ---------------------------------------------------

#[test]
fn saml_25_comment_in_name_id_reads_the_whole_value() {
    let id = accept(&sp(), "ok_comment_in_nameid").unwrap();
    assert_eq!(id.name_id.value, "admin@corp.example.evil.test");
}

#[test]
fn saml_25_cdata_in_name_id_reads_the_whole_value() {
    let id = accept(&sp(), "ok_cdata_in_nameid").unwrap();
    assert_eq!(id.name_id.value, "admin@corp.example.evil.test");
}

#[test]
fn saml_25_processing_instruction_in_name_id_is_refused() {
    refused("pi_in_nameid", SamlError::MixedContent("Assertion"));
}

// --- C4. Parser attacks ----------------------------------------------------------------------

#[test]
fn saml_27_xxe() {
    refused("xxe", SamlError::Doctype);
}

#[test]
fn saml_28_billion_laughs_within_a_time_bound() {
    let t = std::time::Instant::now();
    refused("billion_laughs", SamlError::Doctype);
    assert!(t.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn undeclared_entity_reference() {
    refused("undeclared_entity", SamlError::EntityReference);
}

#[test]
fn saml_29_size_limit_and_deflate_bomb() {
    // Over 100,000 characters: refused before decoding.
    let big = "A".repeat(100_004);
    let err = sp()
        .finish_sign_in(
            &big,
            Some(common::RELAY),
            Some(&common::pending()),
            &cognate_saml::MemoryReplayCache::default(),
            &common::clock(),
        )
        .unwrap_err();
    assert_eq!(err, SamlError::TooLarge);
    // A deflate bomb on the HTTP-Redirect decoding path stops at the limit.
    use std::io::Write;
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![b'<'; 50_000_000]).unwrap();
    let bomb = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        z.finish().unwrap(),
    );
    assert!(bomb.len() < 100_000);
    let t = std::time::Instant::now();
    assert_eq!(
        cognate_saml::__private::decode_and_parse(&bomb, true),
        Err(SamlError::Inflate)
    );
    assert!(t.elapsed() < std::time::Duration::from_secs(2));
    // One tag with many attributes, and many namespace declarations.
    let attrs: String = (0..1000).map(|i| format!(" a{i}=\"x\"")).collect();
    let xml =
        format!("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"{attrs}/>");
    assert_eq!(accept_xml(&sp(), &xml).unwrap_err(), SamlError::XmlTooLarge);
    let decls: String = (0..1000)
        .map(|i| format!(" xmlns:p{i}=\"urn:{i}\""))
        .collect();
    let xml =
        format!("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"{decls}/>");
    assert_eq!(accept_xml(&sp(), &xml).unwrap_err(), SamlError::XmlTooLarge);
}

// --- C5. Protocol binding checks -------------------------------------------------------------

#[test]
fn saml_30_replay_is_refused() {
    let sp = sp();
    let cache = cognate_saml::MemoryReplayCache::default();
    let encoded = common::b64(&fixture("ok_assertion_signed"));
    let go = || {
        sp.finish_sign_in(
            &encoded,
            Some(common::RELAY),
            Some(&common::pending()),
            &cache,
            &common::clock(),
        )
    };
    assert!(go().is_ok());
    assert_eq!(go().unwrap_err(), SamlError::Replayed);
}

#[test]
fn saml_31_in_response_to() {
    refused(
        "signed_wrong_in_response_to",
        SamlError::InResponseToMismatch,
    );
    refused(
        "wrong_response_in_response_to",
        SamlError::InResponseToMismatch,
    );
    refused(
        "wrong_assertion_in_response_to",
        SamlError::InResponseToMismatch,
    );
    // An unsolicited response answering nothing, with IdP-initiated sign-in off.
    let err = sp()
        .finish_sign_in(
            &common::b64(&fixture("ok_idp_initiated")),
            Some("response_type=code"),
            None,
            &cognate_saml::MemoryReplayCache::default(),
            &common::clock(),
        )
        .unwrap_err();
    assert_eq!(err, SamlError::UnsolicitedNotAllowed);
    // The unsolicited response offered as the answer to a request: no InResponseTo.
    refused("ok_idp_initiated", SamlError::InResponseToMismatch);
    // A solicited response offered as unsolicited (IdP-initiated on).
    let sp = sp_with(IdpOptions {
        idp_initiated: true,
        ..IdpOptions::default()
    });
    let err = sp
        .finish_sign_in(
            &common::b64(&fixture("ok_assertion_signed")),
            None,
            None,
            &cognate_saml::MemoryReplayCache::default(),
            &common::clock(),
        )
        .unwrap_err();
    assert_eq!(err, SamlError::InResponseToMismatch);
}

#[test]
fn saml_32_destination() {
    refused("signed_wrong_destination", SamlError::DestinationMismatch);
    refused("wrong_destination", SamlError::DestinationMismatch);
}

#[test]
fn saml_33_bearer_subject_confirmation() {
    refused("wrong_recipient", SamlError::RecipientMismatch);
    let xml = fixture("ok_response_signed").replace(
        "urn:oasis:names:tc:SAML:2.0:cm:bearer",
        "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key",
    );
    // Changing the signed method breaks the response signature first.
    assert_eq!(
        accept_xml(&sp(), &xml).unwrap_err(),
        SamlError::InvalidSignature
    );
}

#[test]
fn saml_34_time_bounds_with_skew() {
    use cognate_types::{ManualClock, UnixTime};
    let sp = sp();
    let at = |secs: u64| {
        sp.finish_sign_in(
            &common::b64(&fixture("ok_assertion_signed")),
            Some(common::RELAY),
            Some(&cognate_saml::PendingSignIn {
                issued_at: UnixTime::from_secs(secs - 30),
                ..common::pending()
            }),
            &cognate_saml::MemoryReplayCache::default(),
            &ManualClock::new(UnixTime::from_secs(secs)),
        )
    };
    let t0 = common::T0;
    // NotOnOrAfter = T0 + 300, default skew 60 s: valid until T0 + 359.
    assert!(at(t0 + 359).is_ok());
    assert_eq!(at(t0 + 360).unwrap_err(), SamlError::Expired);
    // NotBefore = T0 - 60, IssueInstant = T0: valid from T0 - 60 (skew).
    assert!(at(t0 - 60).is_ok());
    assert_eq!(at(t0 - 61).unwrap_err(), SamlError::NotYetValid);
    // No Conditions at all.
    refused("no_conditions", SamlError::Missing("Conditions"));
}

#[test]
fn saml_35_audience() {
    refused("wrong_audience", SamlError::AudienceMismatch);
}

#[test]
fn saml_36_issuer() {
    refused("wrong_issuer", SamlError::IssuerMismatch);
}

#[test]
fn saml_37_encrypted_assertions() {
    let sp = sp();
    assert_eq!(
        accept(&sp, "enc_gcm").unwrap().name_id.value,
        "alice@example.test"
    );
    assert_eq!(
        accept(&sp, "enc_cbc").unwrap().name_id.value,
        "alice@example.test"
    );
    assert_eq!(
        accept(&sp, "enc_in_signed_response").unwrap().name_id.value,
        "alice@example.test"
    );
    refused(
        "enc_rsa15",
        SamlError::KeyTransportNotAllowed("http://www.w3.org/2001/04/xmlenc#rsa-1_5".into()),
    );
    refused("enc_cbc_tampered", SamlError::Decryption);
    // Encrypted but signed by nobody.
    refused("enc_unsigned", SamlError::Unsigned);
    // Encryption required, plain assertion.
    let strict = sp_with(IdpOptions {
        encrypted_responses: true,
        ..IdpOptions::default()
    });
    assert_eq!(
        accept(&strict, "ok_assertion_signed").unwrap_err(),
        SamlError::EncryptionRequired
    );
    assert!(accept(&strict, "enc_gcm").is_ok());
}

#[test]
fn saml_37_wrong_decryption_key_is_the_same_error() {
    let pool: cognate_types::UserPoolId = "us-east-1_Example1".parse().unwrap();
    let domain = url::Url::parse("https://example.auth.us-east-1.amazoncognito.com").unwrap();
    let d = common::fixture_dir().join("keys");
    let other = cognate_saml::SpKey::from_pem(
        &std::fs::read(d.join("attacker.key")).unwrap(),
        &std::fs::read_to_string(d.join("attacker.crt")).unwrap(),
    )
    .unwrap();
    let sp = cognate_saml::ServiceProvider::new(
        cognate_saml::SpEndpoints::cognito(&pool, &domain).unwrap(),
        common::metadata(),
        IdpOptions::default(),
        cognate_saml::SpKeys {
            signing: None,
            decryption: vec![other],
        },
    )
    .unwrap();
    assert_eq!(accept(&sp, "enc_gcm").unwrap_err(), SamlError::Decryption);
    assert_eq!(accept(&sp, "enc_cbc").unwrap_err(), SamlError::Decryption);
}

#[test]
fn saml_40_errors_map_to_cognitos_description() {
    assert_eq!(
        SamlError::InvalidSignature.error_description(),
        "Invalid SAML response received: SAML Assertion signature is invalid."
    );
    // No message reflects input.
    let e = accept(&sp(), "xsw3").unwrap_err();
    assert!(!e.error_description().contains("admin"));
}

#[test]
fn unsigned_assertion_in_a_signed_response() {
    // The response signature covers the assertion it was made over; an assertion put there
    // afterwards, or changed, or stripped of its own signature, breaks the response digest.
    refused(
        "signed_response_tampered_assertion",
        SamlError::InvalidSignature,
    );
    let both = fixture("ok_both_signed");
    let open = "<ds:Signature xmlns";
    let start = both.find(open).unwrap();
    let inner = both[start + 1..].find(open).unwrap() + start + 1;
    let end = both[inner..].find("</ds:Signature>").unwrap() + inner + "</ds:Signature>".len();
    let stripped = format!("{}{}", &both[..inner], &both[end..]);
    assert_eq!(
        accept_xml(&sp(), &stripped).unwrap_err(),
        SamlError::InvalidSignature
    );
    // An error response signed without an assertion, one inserted afterwards.
    let signed_error = fixture("signed_error_status");
    let a_start = signed_error.find("<saml:Assertion").unwrap();
    let a_end = signed_error.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let assertion = &signed_error[a_start..a_end];
    let evil = fixture("ok_response_signed").replace(
        "</samlp:Response>",
        &format!(
            "{}</samlp:Response>",
            assertion.replace("_assert1", "_assert2")
        ),
    );
    assert_eq!(
        accept_xml(&sp(), &evil).unwrap_err(),
        SamlError::MultipleAssertions
    );
}
