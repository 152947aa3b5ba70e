//! Behaviour cases written from reading Masterminds semver v3's documented rules.

use ferroflux_versions::{ConstraintError, Constraints, Version, latest_matching};

fn check(c: &str, v: &str) -> bool {
    let cs = Constraints::parse(c).unwrap_or_else(|e| panic!("{c:?}: {e}"));
    cs.check(&Version::parse(v).unwrap_or_else(|e| panic!("{v:?}: {e}")))
}

#[test]
fn comparator_table() {
    let cases: &[(&str, &str, bool)] = &[
        // plain equality and its spellings
        ("1.2.3", "1.2.3", true),
        ("=1.2.3", "1.2.3", true),
        ("= 1.2.3", "1.2.4", false),
        ("v1.2.3", "1.2.3", true),
        ("1.2.3", "1.2.3+build", true),
        // != with and without wildcards
        ("!=1.2.3", "1.2.4", true),
        ("!=1.2.3", "1.2.3", false),
        ("!=4.x", "5.0.0", true),
        ("!=4.x", "4.3.0", false),
        ("!=4.1.x", "4.1.9", false),
        ("!=4.1.x", "4.2.0", true),
        // greater / less
        (">1.2.3", "1.2.4", true),
        (">1.2.3", "1.2.3", false),
        (">11", "11.1.0", false),
        (">11", "12.0.0", true),
        (">11.1", "11.1.5", false),
        (">11.1", "11.2.0", true),
        (">=1.2", "1.2.0", true),
        ("=>1.2", "1.1.9", false),
        ("<1.2", "1.1.99", true),
        ("<1.2", "1.2.0", false),
        ("<=1.2.3", "1.2.3", true),
        ("=<1.2.3", "1.2.4", false),
        ("<=1.2", "1.2.9", true),
        ("<=1.2", "1.3.0", false),
        ("<=1", "1.9.9", true),
        ("<=1.x", "2.0.0", false),
        // tilde
        ("~1.2.3", "1.2.9", true),
        ("~1.2.3", "1.3.0", false),
        ("~1.2.3", "1.2.2", false),
        ("~>1.2", "1.2.7", true),
        ("~1.2", "1.3.0", false),
        ("~1", "1.9.0", true),
        ("~1", "2.0.0", false),
        ("~1.x", "1.5.0", true),
        ("~0", "0.9.0", true),
        ("~0.0.0", "3.0.0", true),
        ("~*", "7.1.0", true),
        // caret
        ("^1.2.3", "1.9.9", true),
        ("^1.2.3", "2.0.0", false),
        ("^1.2.3", "1.2.2", false),
        ("^1.2", "1.2.0", true),
        ("^1", "1.99.0", true),
        ("^0.2.3", "0.2.9", true),
        ("^0.2.3", "0.3.0", false),
        ("^0.2", "0.2.0", true),
        ("^0.0.3", "0.0.3", true),
        ("^0.0.3", "0.0.4", false),
        ("^0.0", "0.0.9", true),
        ("^0.0", "0.1.0", false),
        ("^0", "0.9.9", true),
        ("^0", "1.0.0", false),
        ("^0.x", "0.5.0", true),
        // Masterminds' code (not its doc comment, which says "any") reads `^*` as `^0.0.0`
        // with no dirty minor, so only 0.0.0 matches. We keep the code's behaviour.
        ("^*", "0.0.0", true),
        ("^*", "0.4.5", false),
        ("^*", "3.4.5", false),
        // wildcards on their own mean a tilde range
        ("1.2.x", "1.2.9", true),
        ("1.2.x", "1.3.0", false),
        ("1.x", "1.8.0", true),
        ("1.X", "2.0.0", false),
        ("*", "4.5.6", true),
        ("x", "0.0.1", true),
        ("1.2", "1.2.5", true),
        ("1", "1.4.0", true),
        ("1", "2.0.0", false),
        // AND groups, commas and spaces
        (">=1.2, <2", "1.5.0", true),
        (">=1.2 <2", "2.0.0", false),
        (">= 1.2 , < 3.0.0", "2.9.9", true),
        (">1.0 <=1.5 !=1.3.0", "1.3.0", false),
        // OR groups
        ("<1.0 || >=3.0", "0.9.0", true),
        ("<1.0 || >=3.0", "2.0.0", false),
        ("^1.2 || ^2.5", "2.6.0", true),
        ("~1.2.3||~2.0", "2.0.4", true),
        // hyphen ranges
        ("1.2 - 1.4.5", "1.4.5", true),
        ("1.2 - 1.4.5", "1.4.6", false),
        ("1.2 - 1.4.5", "1.1.9", false),
        ("1.2.3 - 2", "2.0.0", true),
        ("1.2.3 - 2", "2.1.0", true),
        ("1.2.3 - 2", "3.0.0", false),
        ("1 - 2 || 4 - 5", "4.5.0", true),
        // pre-releases: only when a comparator of the same group names one
        (">=1.0.0", "1.2.0-beta.1", false),
        ("^1.2", "1.3.0-rc.1", false),
        ("*", "1.0.0-alpha", false),
        (">=1.2.0-0", "1.3.0-rc.1", true),
        (">=1.2.0-alpha", "1.2.0-beta", true),
        (">=1.2.0-beta", "1.2.0-alpha", false),
        (">=1.2.0-alpha <2", "1.9.0-rc.1", true),
        (">=1.2.0-alpha || <3", "2.5.0-rc.1", true),
        ("<3 || >=1.2.0-alpha", "2.5.0-rc.1", true),
        ("<3 || >9", "2.5.0-rc.1", false),
        ("~1.2.3-beta.2", "1.2.3-beta.4", true),
        ("~1.2.3-beta.2", "1.2.4-beta.2", true),
        ("^1.2.3-beta.2", "1.2.3-beta.1", false),
        ("1.2.3-beta", "1.2.3-beta", true),
        ("!=1.2.3-beta", "1.2.3-beta", false),
        ("<1.2.3", "1.2.3-beta", false),
        ("<1.2.3-rc", "1.2.3-beta", true),
    ];
    let mut failures = Vec::new();
    for (c, v, want) in cases {
        if check(c, v) != *want {
            failures.push(format!("{c:?} vs {v:?}: want {want}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn include_prerelease_option() {
    let mut c = Constraints::parse(">=1.0").unwrap();
    let v = Version::parse("1.5.0-rc.1").unwrap();
    assert!(!c.check(&v));
    c.include_prerelease = true;
    assert!(c.check(&v));
}

#[test]
fn bad_constraints_name_themselves() {
    for bad in [
        "",
        "foo",
        ">=1.2.3.4",
        "1.2 -",
        "~~1",
        ">= a",
        "1.2.3 ||",
        "|| 1",
        ">=1,,<2",
        // Go's `\s` is ASCII: a no-break or em space is no separator.
        "\u{a0}>=1.0",
        ">=1.0\u{2003}<2",
    ] {
        let err = Constraints::parse(bad).expect_err(bad);
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("{bad:?}")),
            "{msg} should name {bad:?}"
        );
    }
    assert!(matches!(
        Constraints::parse(">=1.2.3-01"),
        Err(ConstraintError::BadVersion { .. })
    ));
    // Go's other white space around and between comparators.
    let c = Constraints::parse("\t>=1.0\x0c<2\r\n").unwrap();
    assert!(c.check(&Version::parse("1.5.0").unwrap()));
    // Leading zeros in the numbers are read away (Masterminds v3.4's coercion).
    let c = Constraints::parse(">=01.2").unwrap();
    assert!(c.check(&Version::parse("1.02.0").unwrap()));
}

#[test]
fn display_normalizes() {
    let c = Constraints::parse(">= 1.2,  <2 ||  ^3").unwrap();
    assert_eq!(c.to_string(), ">=1.2 <2 || ^3");
    assert_eq!(c.original(), ">= 1.2,  <2 ||  ^3");
    let r = Constraints::parse("1.2 - 1.4.5").unwrap();
    assert_eq!(r.to_string(), ">=1.2 <=1.4.5");
}

#[test]
fn latest_matching_picks_highest() {
    let tags = [
        "v1.0.0",
        "1.2.0",
        "1.10.1",
        "2.0.0-rc.1",
        "2.0.0",
        "not-a-version",
        "1.10.1-beta",
    ];
    let got = latest_matching("~1", tags.iter().copied())
        .unwrap()
        .unwrap();
    assert_eq!(got.to_string(), "1.10.1");
    assert_eq!(got.original(), "1.10.1");
    let got = latest_matching("*", tags.iter().copied()).unwrap().unwrap();
    assert_eq!(got.to_string(), "2.0.0");
    let got = latest_matching(">=2.0.0-0 <2.0.0", tags.iter().copied())
        .unwrap()
        .unwrap();
    assert_eq!(got.to_string(), "2.0.0-rc.1");
    assert!(
        latest_matching(">5", tags.iter().copied())
            .unwrap()
            .is_none()
    );
    assert!(latest_matching("nope", tags.iter().copied()).is_err());
}

#[test]
fn sort_orders_by_precedence() {
    let mut v: Vec<Version> = ["1.0.0", "v0.1", "1.0.0-rc.1", "10.0.0", "2"]
        .iter()
        .map(|s| Version::parse(s).unwrap())
        .collect();
    ferroflux_versions::sort(&mut v);
    let got: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    assert_eq!(got, ["0.1.0", "1.0.0-rc.1", "1.0.0", "2.0.0", "10.0.0"]);
}
