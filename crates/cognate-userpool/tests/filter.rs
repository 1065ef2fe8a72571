#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The ListUsers `Filter` parser and matcher.

use std::collections::HashMap;

use cognate_userpool::filter::{
    FilterAttribute, FilterError, FilterOp, UserFilter, MAX_FILTER_LEN,
};
use http::StatusCode;

fn parse(s: &str) -> UserFilter {
    UserFilter::parse(s)
        .unwrap_or_else(|e| panic!("{s:?}: {e}"))
        .unwrap_or_else(|| panic!("{s:?}: parsed as empty"))
}

fn filter(attribute: FilterAttribute, op: FilterOp, value: &str) -> UserFilter {
    UserFilter {
        attribute,
        op,
        value: value.to_owned(),
    }
}

#[test]
fn documented_examples() {
    // Developer guide and API reference examples.
    assert_eq!(
        parse(r#"family_name = "Reddy""#),
        filter(FilterAttribute::FamilyName, FilterOp::Equals, "Reddy")
    );
    assert_eq!(
        parse(r#"given_name ^= "Jon""#),
        filter(FilterAttribute::GivenName, FilterOp::StartsWith, "Jon")
    );
    assert_eq!(
        parse(r#"phone_number ^= "+1312""#),
        filter(FilterAttribute::PhoneNumber, FilterOp::StartsWith, "+1312")
    );
}

#[test]
fn every_attribute_and_operator() {
    for attribute in FilterAttribute::ALL {
        for (op, text) in [(FilterOp::Equals, "="), (FilterOp::StartsWith, "^=")] {
            let s = format!("{} {text} \"v\"", attribute.name());
            assert_eq!(parse(&s), filter(attribute, op, "v"), "{s}");
            assert_eq!(op.as_str(), text);
        }
    }
    let names: Vec<&str> = FilterAttribute::ALL.iter().map(|a| a.name()).collect();
    assert_eq!(
        names,
        [
            "username",
            "email",
            "phone_number",
            "name",
            "given_name",
            "family_name",
            "preferred_username",
            "cognito:user_status",
            "status",
            "sub"
        ]
    );
}

#[test]
fn optional_spaces() {
    let expected = filter(FilterAttribute::Email, FilterOp::Equals, "a@example.com");
    for s in [
        r#"email="a@example.com""#,
        r#"email = "a@example.com""#,
        r#"email   =   "a@example.com""#,
        "\temail\t=\t\"a@example.com\"\t",
        r#"  email= "a@example.com"  "#,
        r#""email" = "a@example.com""#,
        r#""email"="a@example.com""#,
    ] {
        assert_eq!(parse(s), expected, "{s:?}");
    }
    let prefix = filter(FilterAttribute::Email, FilterOp::StartsWith, "a");
    for s in [r#"email^="a""#, r#"email ^= "a""#, r#"email ^="a""#] {
        assert_eq!(parse(s), prefix, "{s:?}");
    }
}

#[test]
fn values_keep_their_spaces_and_escapes() {
    assert_eq!(parse(r#"name = "  Jon  Doe ""#).value, "  Jon  Doe ");
    assert_eq!(parse(r#"name = "Re\"ddy""#).value, "Re\"ddy");
    assert_eq!(parse(r#"name = "\"""#).value, "\"");
    assert_eq!(parse(r#"name = "back\\slash""#).value, "back\\slash");
    assert_eq!(parse(r#"name = "dom\user""#).value, "dom\\user");
    assert_eq!(parse(r#"name = "a=b ^= c""#).value, "a=b ^= c");
    assert_eq!(parse(r#"name = "zoë 名前""#).value, "zoë 名前");
    assert_eq!(parse(r#"family_name = """#).value, "");
    assert_eq!(parse(r#"family_name ^= """#).value, "");
}

#[test]
fn empty_filter_lists_everyone() {
    assert_eq!(UserFilter::parse(""), Ok(None));
    assert_eq!(UserFilter::parse("   "), Ok(None));
    assert_eq!(UserFilter::parse("\t"), Ok(None));
}

#[test]
fn malformed_filters() {
    for s in [
        "foo",
        "username",
        "username =",
        "username=",
        "username = foo",
        r#"username = "foo"#,
        r#"username = foo""#,
        r#"username "foo""#,
        r#"= "foo""#,
        r#""" = "foo""#,
        r#"username == "foo""#,
        r#"username != "foo""#,
        r#"username ^ "foo""#,
        r#"username =^ "foo""#,
        r#"username = "foo" x"#,
        r#"username = "foo" and email = "x""#,
        r#"username = "a" "b""#,
        r#"username = 'foo'"#,
        r#"username = "foo\""#,
        r#""username = "foo""#,
        "username\n= \"foo\"",
    ] {
        let err = UserFilter::parse(s).unwrap_err();
        assert_eq!(err, FilterError::Malformed, "{s:?}");
        assert_eq!(err.to_string(), "Error while parsing filter.");
        assert_eq!(err.exception_name(), "InvalidParameterException");
        assert_eq!(err.http_status(), StatusCode::BAD_REQUEST);
    }
}

#[test]
fn unsearchable_attributes() {
    for (s, name) in [
        (r#"custom:foo = "bar""#, "custom:foo"),
        (r#"address = "x""#, "address"),
        (r#"email_verified = "true""#, "email_verified"),
        (r#"Email = "x""#, "Email"),
        (r#"user_status = "CONFIRMED""#, "user_status"),
        (r#"enabled = "true""#, "enabled"),
        (r#""custom:x y" = "z""#, "custom:x y"),
    ] {
        let err = UserFilter::parse(s).unwrap_err();
        assert_eq!(
            err,
            FilterError::UnsearchableAttribute {
                name: name.to_owned()
            },
            "{s}"
        );
        assert_eq!(err.to_string(), format!("Invalid search attribute: {name}"));
        assert_eq!(err.exception_name(), "InvalidParameterException");
    }
}

#[test]
fn length_limit() {
    let at_limit = format!("name = \"{}\"", "x".repeat(MAX_FILTER_LEN - 9));
    assert_eq!(at_limit.chars().count(), MAX_FILTER_LEN);
    assert!(UserFilter::parse(&at_limit).is_ok());

    let over = format!("name = \"{}\"", "x".repeat(MAX_FILTER_LEN - 8));
    let err = UserFilter::parse(&over).unwrap_err();
    assert_eq!(err, FilterError::TooLong { length: 257 });
    assert_eq!(err.exception_name(), "InvalidParameterException");

    // Characters, not bytes.
    let wide = format!("name = \"{}\"", "é".repeat(MAX_FILTER_LEN - 9));
    assert!(UserFilter::parse(&wide).is_ok());
}

/// A user as a map from attribute to value.
fn user(pairs: &[(FilterAttribute, &str)]) -> HashMap<FilterAttribute, String> {
    pairs.iter().map(|(a, v)| (*a, (*v).to_owned())).collect()
}

fn matches(f: &str, u: &HashMap<FilterAttribute, String>) -> bool {
    parse(f).matches(|a| u.get(&a).map(String::as_str))
}

#[test]
fn exact_and_prefix_matching() {
    let alice = user(&[
        (FilterAttribute::Username, "Alice"),
        (FilterAttribute::Email, "Alice@Example.com"),
        (FilterAttribute::PhoneNumber, "+13125550100"),
        (FilterAttribute::Name, "Alice Liddell"),
        (FilterAttribute::GivenName, "Alice"),
        (FilterAttribute::FamilyName, "Liddell"),
        (FilterAttribute::PreferredUsername, "alice_l"),
        (FilterAttribute::UserStatus, "CONFIRMED"),
        (FilterAttribute::Status, "Enabled"),
        (FilterAttribute::Sub, "8f1e2d3c-0000-4000-8000-000000000001"),
    ]);

    assert!(matches(r#"phone_number = "+13125550100""#, &alice));
    assert!(matches(r#"phone_number ^= "+1312""#, &alice));
    assert!(!matches(r#"phone_number = "+1312""#, &alice));
    assert!(!matches(r#"phone_number ^= "+1313""#, &alice));
    assert!(matches(r#"family_name = "Liddell""#, &alice));
    assert!(matches(r#"name ^= "Alice L""#, &alice));
    assert!(!matches(r#"name ^= "Alice  L""#, &alice));
    assert!(matches(
        r#"sub = "8f1e2d3c-0000-4000-8000-000000000001""#,
        &alice
    ));
    assert!(matches(r#"sub ^= "8f1e""#, &alice));
    assert!(matches(r#"preferred_username = "alice_l""#, &alice));
    // An empty prefix matches whoever has the attribute.
    assert!(matches(r#"given_name ^= """#, &alice));
    assert!(!matches(r#"given_name = """#, &alice));
}

#[test]
fn case_rules_per_attribute() {
    let alice = user(&[
        (FilterAttribute::Username, "Alice"),
        (FilterAttribute::Email, "Alice@Example.com"),
        (FilterAttribute::GivenName, "Ålice"),
        (FilterAttribute::UserStatus, "FORCE_CHANGE_PASSWORD"),
        (FilterAttribute::Status, "Enabled"),
    ]);

    // username: case-sensitive by default.
    assert!(matches(r#"username = "Alice""#, &alice));
    assert!(!matches(r#"username = "alice""#, &alice));
    assert!(!matches(r#"username ^= "al""#, &alice));
    // ... unless the pool's usernames are case-insensitive.
    let f = parse(r#"username = "ALICE""#);
    let lookup = |a: FilterAttribute| alice.get(&a).map(String::as_str);
    assert!(!f.matches_with(true, lookup));
    assert!(f.matches_with(false, lookup));

    // status: case-sensitive.
    assert!(matches(r#"status = "Enabled""#, &alice));
    assert!(!matches(r#"status = "enabled""#, &alice));
    assert!(!matches(r#"status = "Disabled""#, &alice));

    // cognito:user_status: case-insensitive.
    assert!(matches(
        r#"cognito:user_status = "force_change_password""#,
        &alice
    ));
    assert!(matches(r#"cognito:user_status ^= "Force""#, &alice));
    assert!(!matches(r#"cognito:user_status = "CONFIRMED""#, &alice));

    // Other attributes: case-insensitive, including non-ASCII letters.
    assert!(matches(r#"email = "alice@example.com""#, &alice));
    assert!(matches(r#"email ^= "ALICE@""#, &alice));
    assert!(matches(r#"given_name = "åLICE""#, &alice));

    assert!(FilterAttribute::Username.is_case_sensitive());
    assert!(FilterAttribute::Status.is_case_sensitive());
    for a in FilterAttribute::ALL {
        if !matches!(a, FilterAttribute::Username | FilterAttribute::Status) {
            assert!(!a.is_case_sensitive(), "{a:?}");
        }
    }
}

#[test]
fn missing_attributes_never_match() {
    let bare = user(&[(FilterAttribute::Username, "bob")]);
    for s in [
        r#"email = """#,
        r#"email ^= """#,
        r#"family_name = "x""#,
        r#"status = "Enabled""#,
    ] {
        assert!(!matches(s, &bare), "{s}");
    }
}

#[test]
fn the_lookup_is_asked_for_the_filtered_attribute_only() {
    let f = parse(r#"given_name = "Jon""#);
    let asked = std::cell::RefCell::new(Vec::new());
    let result = f.matches(|a| {
        asked.borrow_mut().push(a);
        Some("Jon")
    });
    assert!(result);
    assert_eq!(asked.into_inner(), [FilterAttribute::GivenName]);
}
