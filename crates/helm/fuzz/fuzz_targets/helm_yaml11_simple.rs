//! The simple block-YAML reader must read whatever it takes exactly as the full reader does
//! (`check_simple_reader` panics when they differ).
#![no_main]

use ferroflux_helm::yaml11;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    yaml11::check_simple_reader(text);
});
