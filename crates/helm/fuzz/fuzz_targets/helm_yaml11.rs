//! Reading arbitrary text as Helm reads YAML (go-yaml v2 semantics) must never panic.
#![no_main]

use ferroflux_helm::yaml11;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = yaml11::parse(text);
    let _ = yaml11::parse_typed(text);
});
