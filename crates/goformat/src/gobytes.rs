//! Go strings are bytes; ours are UTF-8. So that a binary file read with `.Files.Get`, a
//! `b64dec` result or a `"\xff"` literal keeps its bytes through `b64enc` or `sha256sum`, a
//! byte that is not part of valid UTF-8 is held as one character of the end of Unicode's
//! Supplementary Private Use Area-B (U+10FF80 + byte − 0x80), which no chart text uses, and
//! turned back into that byte wherever bytes are read.

use std::borrow::Cow;

const RAW_BASE: u32 = 0x10FF00;

/// Whether `c` holds a byte that is not part of valid UTF-8.
pub fn is_raw_byte(c: char) -> bool {
    ('\u{10FF80}'..='\u{10FFFF}').contains(&c)
}

/// The byte `c` holds, if it holds one.
pub fn raw_byte(c: char) -> Option<u8> {
    is_raw_byte(c).then(|| (u32::from(c) - RAW_BASE) as u8)
}

/// The rune Go's decoding of a string gives for `c`: U+FFFD for a held byte, as `range`
/// over a string, `strings.Map` and `encoding/json` see it.
pub fn decoded_char(c: char) -> char {
    if is_raw_byte(c) {
        char::REPLACEMENT_CHARACTER
    } else {
        c
    }
}

/// Whether `s` holds a byte that is not part of valid UTF-8.
pub fn holds_raw_bytes(s: &str) -> bool {
    // Every held character is encoded starting with F4.
    s.as_bytes().contains(&0xF4) && s.chars().any(is_raw_byte)
}

/// `s` as Go decodes it rune by rune: each held byte becomes U+FFFD.
pub fn decoded(s: &str) -> Cow<'_, str> {
    if holds_raw_bytes(s) {
        Cow::Owned(s.chars().map(decoded_char).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// A Go string of `bytes`: valid UTF-8 as it is, every other byte held as its character.
pub fn string_from_go_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for &b in chunk.invalid() {
            out.push(raw_char(b));
        }
    }
    out
}

fn raw_char(b: u8) -> char {
    char::from_u32(RAW_BASE + u32::from(b)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The bytes of a Go string held by [`string_from_go_bytes`].
pub fn go_bytes(s: &str) -> Cow<'_, [u8]> {
    // Every held byte is encoded as F4 8F BE/BF xx.
    if !s.as_bytes().contains(&0xF4) {
        return Cow::Borrowed(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match raw_byte(c) {
            Some(b) => out.push(b),
            None => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    Cow::Owned(out)
}

/// Go's `len` of a string: its bytes.
pub fn go_len(s: &str) -> usize {
    go_bytes(s).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_survive_the_round_trip_and_text_is_untouched() {
        let cases: [&[u8]; 5] = [
            b"plain",
            "é and 日本".as_bytes(),
            &[0xCA, 0xFE, 0xBA, 0xBE, 0x00, 0x01],
            &[b'a', 0xFF, b'b', 0xC3],
            &[0xC3, 0xA9, 0xE2, 0x82],
        ];
        for bytes in cases {
            let s = string_from_go_bytes(bytes);
            assert_eq!(&*go_bytes(&s), bytes, "{s:?}");
            assert_eq!(go_len(&s), bytes.len());
        }
        assert!(matches!(go_bytes("é"), Cow::Borrowed(_)));
    }
}
