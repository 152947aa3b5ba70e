//! Parsing and executing arbitrary templates (with small data) must never panic.
#![no_main]

use ferroflux_gotemplate::{FuncMap, Options, Template, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Keep runaway loops (`until 1e9`) out of the fuzzer's way.
    if text.len() > 4096 || text.contains("until") || text.contains("repeat") {
        return;
    }
    let values =
        serde_json::json!({"a": 1, "s": "x", "l": [1, "b", null], "m": {"k": {"v": true}}});
    for helm in [false, true] {
        let (funcs, opts) = if helm {
            (FuncMap::helm(), Options::helm(false))
        } else {
            (FuncMap::sprig(), Options::default())
        };
        let mut t = Template::new("f", funcs, opts);
        if t.parse("f", text).is_ok() {
            let _ = t.execute("f", &Value::from_json(&values));
        }
    }
});
