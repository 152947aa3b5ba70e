//! Parsing arbitrary text must never panic.
#![no_main]

use ferroflux_gotemplate::{FuncMap, Options, Template};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut t = Template::new("f", FuncMap::helm(), Options::helm(false));
        let _ = t.parse("f", text);
    }
});
