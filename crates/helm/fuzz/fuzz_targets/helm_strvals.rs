//! `--set` strings (strvals, `Mode::Typed`) must never panic. Each input line is one
//! `--set` flag, applied in order to the same values, as repeated flags are.
#![no_main]

use ferroflux_helm::strvals::{Mode, parse_into};
use libfuzzer_sys::fuzz_target;
use serde_json::Map;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut values = Map::new();
    for line in text.lines() {
        let _ = parse_into(line, &mut values, Mode::Typed);
    }
});
