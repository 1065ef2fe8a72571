//! FZ-08: a differential between two readings of the same signed document. The input is a
//! response (seeds: the xmlsec1-signed fixtures). cognate-saml reads the identity from
//! xmlsec's pre-digest bytes with its own quick-xml reader; samael's default mode has libxml2
//! prune the document to what was verified and then reads it with serde. When both accept,
//! they must agree on the NameID and the assertion issuer; a disagreement is a parser
//! differential (ruby-saml CVE-2025-25291/25292 class).
#![no_main]

use std::sync::OnceLock;

use base64::Engine;
use cognate_saml::{
    IdpMetadata, IdpOptions, PendingSignIn, ReplayCache, ServiceProvider, SpEndpoints, SpKeys,
};
use cognate_types::{ManualClock, UnixTime};
use libfuzzer_sys::fuzz_target;
use samael::crypto::{CertificateDer, CryptoProvider, ReduceMode, XmlSec};

const T0: u64 = 1_767_225_600;

// samael's default reduce mode (the reference side of this differential, not the path
// cognate-saml uses) leaks libxml2 memory on every call (an `xmlGetNsList` result and the
// pruned nodes). Leak detection is therefore off for this target only; `saml_response`,
// which runs cognate-saml's own path, keeps it on.
#[no_mangle]
pub extern "C" fn __asan_default_options() -> *const std::os::raw::c_char {
    c"detect_leaks=0".as_ptr()
}

#[no_mangle]
pub extern "C" fn __lsan_default_options() -> *const std::os::raw::c_char {
    c"detect_leaks=0".as_ptr()
}

struct NoReplay;
impl ReplayCache for NoReplay {
    fn insert_once(&self, _: &str, _: UnixTime, _: UnixTime) -> Result<bool, String> {
        Ok(true)
    }
}

static SETUP: OnceLock<(ServiceProvider, Vec<CertificateDer>)> = OnceLock::new();

fn setup() -> (ServiceProvider, Vec<CertificateDer>) {
    let metadata = IdpMetadata::parse(include_str!(
        "../../crates/cognate-saml/tests/fixtures/out/idp_metadata.xml"
    ))
    .expect("metadata");
    let certs = metadata
        .signing_certificates
        .iter()
        .map(|c| CertificateDer::from(c.der().to_vec()))
        .collect();
    let pool = "us-east-1_Example1".parse().expect("pool");
    let domain = url::Url::parse("https://example.auth.us-east-1.amazoncognito.com").expect("url");
    let sp = ServiceProvider::new(
        SpEndpoints::cognito(&pool, &domain).expect("endpoints"),
        metadata,
        IdpOptions::default(),
        SpKeys::default(),
    )
    .expect("sp");
    (sp, certs)
}

/// samael's view: (NameID, assertion Issuer), if its default reduce mode and serde accept.
fn samael_view(xml: &str, certs: &[CertificateDer]) -> Option<(String, Option<String>)> {
    let reduced = XmlSec::reduce_xml_to_signed(xml, certs, ReduceMode::default()).ok()?;
    let assertion = match reduced.parse::<samael::schema::Assertion>() {
        Ok(a) => a,
        Err(_) => {
            reduced
                .parse::<samael::schema::Response>()
                .ok()?
                .assertion?
        }
    };
    let name_id = assertion.subject?.name_id?.value;
    Some((name_id, assertion.issuer.value))
}

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    let (sp, certs) = SETUP.get_or_init(setup);
    let pending = PendingSignIn {
        request_id: "_req0123456789abcdef0123456789abcdef01".into(),
        relay_state: "r".into(),
        issued_at: UnixTime::from_secs(T0),
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(xml);
    let clock = ManualClock::new(UnixTime::from_secs(T0 + 10));
    let Ok(ours) = sp.finish_sign_in(&encoded, Some("r"), Some(&pending), &NoReplay, &clock) else {
        return;
    };
    if let Some((name_id, issuer)) = samael_view(xml, certs) {
        assert_eq!(ours.name_id.value, name_id, "NameID differs");
        if let Some(issuer) = issuer {
            assert_eq!(ours.issuer.as_str(), issuer.trim(), "issuer differs");
        }
    }
});
