//! A YAML writer that reproduces what kustomize prints: Go's `sigs.k8s.io/yaml`
//! (JSON → yaml.v2) emitter. Map keys are sorted the way yaml.v2 sorts them,
//! sequences sit at their key's indentation, scalars are quoted only when a
//! YAML 1.1 reader would misread them, long lines fold at column 80.

use serde_json::Value;

const BEST_WIDTH: usize = 80;
const BEST_INDENT: usize = 2;

/// Writes one document (no `---` separator) the way yaml.v2 marshals it.
pub fn to_yaml_document(value: &Value) -> String {
    document(value, true)
}

/// [`to_yaml_document`] keeping each map's key order (kyaml writes a parsed document
/// back in its own order).
pub fn to_yaml_document_in_order(value: &Value) -> String {
    document(value, false)
}

fn document(value: &Value, sort_keys: bool) -> String {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        indent: -1,
        whitespace: true,
        indention: true,
        open_ended: false,
        sort_keys,
    };
    e.node(value, Ctx::Root);
    if !e.out.ends_with('\n') {
        e.out.push('\n');
    }
    e.out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Root,
    MappingValue,
    SequenceItem,
}

struct Emitter {
    /// Sort map keys as yaml.v2 does (else keep their order).
    sort_keys: bool,
    out: String,
    column: usize,
    indent: isize,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        ind: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in ind.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    fn increase_indent(&mut self, indentless: bool) -> isize {
        let saved = self.indent;
        if self.indent < 0 {
            self.indent = 0;
        } else if !indentless {
            self.indent += BEST_INDENT as isize;
        }
        saved
    }

    fn node(&mut self, value: &Value, ctx: Ctx) {
        match value {
            Value::Object(map) if !map.is_empty() => self.mapping(map, ctx),
            Value::Array(items) if !items.is_empty() => self.sequence(items, ctx),
            Value::Object(_) => self.write_indicator("{}", true, false, false),
            Value::Array(_) => self.write_indicator("[]", true, false, false),
            Value::Null => self.scalar("null", Style::Plain, false),
            Value::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain, false),
            Value::Number(n) => {
                let text = format_number(n);
                self.scalar(&text, Style::Plain, false)
            }
            Value::String(s) => {
                let style = requested_style(s);
                self.scalar(s, style, false)
            }
        }
    }

    fn mapping(&mut self, map: &serde_json::Map<String, Value>, _ctx: Ctx) {
        let saved = self.increase_indent(false);
        let mut entries: Vec<(&String, &Value)> = map.iter().collect();
        // yaml.v2's key order is not transitive for some key sets, so use an
        // insertion sort (Go sorts small maps the same way) instead of a sort that
        // requires a total order.
        if self.sort_keys {
            insertion_sort(&mut entries);
        }
        for (key, value) in entries {
            self.write_indent();
            let style = requested_style(key);
            if key.len() > 128 {
                // Too long for a simple key: libyaml writes `? key` then `: value`.
                self.write_indicator("?", true, false, true);
                self.scalar(key, style, false);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            } else {
                self.scalar(key, style, true);
                self.write_indicator(":", false, false, false);
            }
            self.node(value, Ctx::MappingValue);
        }
        self.indent = saved;
    }

    fn sequence(&mut self, items: &[Value], ctx: Ctx) {
        let indentless = ctx == Ctx::MappingValue && !self.indention;
        let saved = self.increase_indent(indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Ctx::SequenceItem);
        }
        self.indent = saved;
    }

    fn scalar(&mut self, value: &str, requested: Style, simple_key: bool) {
        let a = analyze(value);
        let style = select_style(requested, &a, value, simple_key);
        let saved = self.increase_indent(false);
        match style {
            Style::Plain => self.write_plain(value, !simple_key),
            Style::Single => self.write_single(value, !simple_key),
            Style::Double => self.write_double(value, !simple_key),
            Style::Literal => self.write_literal(value),
        }
        self.indent = saved;
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let chars = Chars::of(value);
        let mut spaces = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars.at(i);
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !next_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                self.indention = false;
                spaces = false;
            }
            i += 1;
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars = Chars::of(value);
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars.at(i);
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(' ');
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < chars.len() - 1
                    && !next_space
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
            i += 1;
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_double(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars = Chars::of(value);
        let mut spaces = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars.at(i);
            if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    _ => {
                        let v = c as u32;
                        let text = if v <= 0xff {
                            format!("x{v:02X}")
                        } else if v <= 0xffff {
                            format!("u{v:04X}")
                        } else {
                            format!("U{v:08X}")
                        };
                        for t in text.chars() {
                            self.put(t);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i != 0
                    && i != chars.len() - 1
                {
                    self.write_indent();
                    if chars.get(i + 1) == Some(' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
            i += 1;
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        let chars = Chars::of(value);
        if chars.get(0).is_some_and(|c| c == ' ' || is_break(c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        self.open_ended = false;
        let chomp = match chars.len() {
            0 => Some('-'),
            n if !is_break(chars.at(n - 1)) => Some('-'),
            1 => Some('+'),
            n if is_break(chars.at(n - 2)) => Some('+'),
            _ => None,
        };
        if let Some(ch) = chomp {
            self.write_indicator(&ch.to_string(), false, false, false);
            if ch == '+' {
                self.open_ended = true;
            }
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for i in 0..chars.len() {
            let c = chars.at(i);
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// A string's characters by position: its bytes when it is ASCII (the usual case), else a
/// decoded copy.
enum Chars<'a> {
    Ascii(&'a [u8]),
    Wide(Vec<char>),
}

impl<'a> Chars<'a> {
    fn of(s: &'a str) -> Chars<'a> {
        if s.is_ascii() {
            Chars::Ascii(s.as_bytes())
        } else {
            Chars::Wide(s.chars().collect())
        }
    }

    fn len(&self) -> usize {
        match self {
            Chars::Ascii(b) => b.len(),
            Chars::Wide(c) => c.len(),
        }
    }

    fn at(&self, i: usize) -> char {
        match self {
            Chars::Ascii(b) => b[i] as char,
            Chars::Wide(c) => c[i],
        }
    }

    fn get(&self, i: usize) -> Option<char> {
        (i < self.len()).then(|| self.at(i))
    }
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_printable(c: char) -> bool {
    let v = c as u32;
    v == 0x0a
        || (0x20..=0x7e).contains(&v)
        || (0xa0..=0xd7ff).contains(&v)
        || ((0xe000..=0xfffd).contains(&v) && v != 0xfeff)
}

struct Analysis {
    multiline: bool,
    flow_plain: bool,
    block_plain: bool,
    single: bool,
    block: bool,
}

fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain: false,
            block_plain: true,
            single: true,
            block: false,
        };
    }
    let chars = Chars::of(value);
    let mut block_ind = false;
    let mut flow_ind = false;
    let mut line_breaks = false;
    let mut special = false;
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    if value.starts_with("---") || value.starts_with("...") {
        block_ind = true;
        flow_ind = true;
    }
    let mut preceded_by_ws = true;
    let n = chars.len();
    for i in 0..n {
        let c = chars.at(i);
        let followed_by_ws =
            i + 1 >= n || matches!(chars.at(i + 1), ' ' | '\t') || is_break(chars.at(i + 1));
        let (flow, block) =
            ferroflux_goformat::scalar_char_indicators(c, i == 0, followed_by_ws, preceded_by_ws);
        flow_ind |= flow;
        block_ind |= block;
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == n {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == n {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_by_ws = matches!(c, ' ' | '\t' | '\0') || is_break(c);
    }
    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain: true,
        block_plain: true,
        single: true,
        block: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain = false;
        a.block_plain = false;
    }
    if trailing_space {
        a.block = false;
    }
    if break_space {
        a.flow_plain = false;
        a.block_plain = false;
        a.single = false;
    }
    if space_break || special {
        a.flow_plain = false;
        a.block_plain = false;
        a.single = false;
        a.block = false;
    }
    if line_breaks {
        a.flow_plain = false;
        a.block_plain = false;
    }
    if flow_ind {
        a.flow_plain = false;
    }
    if block_ind {
        a.block_plain = false;
    }
    a
}

fn select_style(requested: Style, a: &Analysis, value: &str, simple_key: bool) -> Style {
    let mut style = requested;
    if simple_key && a.multiline {
        style = Style::Double;
    }
    if style == Style::Plain {
        if !a.block_plain {
            style = Style::Single;
        }
        if value.is_empty() && simple_key {
            style = Style::Single;
        }
    }
    if style == Style::Single && !a.single {
        style = Style::Double;
    }
    if style == Style::Literal && (!a.block || simple_key) {
        style = Style::Double;
    }
    style
}

/// The style yaml.v2 asks for when marshalling a Go string.
fn requested_style(s: &str) -> Style {
    if resolves_to_non_string(s) || ferroflux_goformat::is_base60_float(s) {
        Style::Double
    } else if s.contains('\n') {
        Style::Literal
    } else {
        Style::Plain
    }
}

/// Would kyaml's resolver (yaml.v3) read this plain scalar as something other than a string?
pub(crate) fn resolves_to_non_string_v3(s: &str) -> bool {
    super::resolve::resolve(s, true) != super::resolve::Plain::Str
}

/// Would yaml.v2's resolver read this plain scalar as something other than a string? As
/// yaml.v3's, plus YAML 1.1's booleans.
fn resolves_to_non_string(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    ) || resolves_to_non_string_v3(s)
}

/// Formats a number the way JSON → yaml.v2 does: integral values print as integers when
/// they fit 64 bits, everything else like Go's `strconv.FormatFloat(f, 'g', -1, 64)`.
pub fn format_number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        if f.abs() < 9.2e18 {
            return format!("{}", f as i64);
        }
        if (0.0..1.8e19).contains(&f) {
            return format!("{}", f as u64);
        }
    }
    go_format_g(f)
}

fn go_format_g(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits: d.ddddde±x
    let e = format!("{:e}", f);
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if neg { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let m = if rest.is_empty() {
            first.to_string()
        } else {
            format!("{first}.{rest}")
        };
        let es = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{m}e{es}{:02}", exp.abs());
    }
    // fixed notation
    if exp < 0 {
        let zeros = "0".repeat((-exp - 1) as usize);
        format!("{sign}0.{zeros}{digits}")
    } else {
        let point = (exp + 1) as usize;
        if digits.len() <= point {
            format!("{sign}{digits}{}", "0".repeat(point - digits.len()))
        } else {
            format!("{sign}{}.{}", &digits[..point], &digits[point..])
        }
    }
}

fn insertion_sort(keys: &mut [(&String, &Value)]) {
    for i in 1..keys.len() {
        let mut j = i;
        while j > 0 && key_less(keys[j].0, keys[j - 1].0) {
            keys.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// [`ferroflux_goformat::key_less`], without decoding ASCII keys (nearly all of them).
fn key_less(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        ascii_key_less(a.as_bytes(), b.as_bytes())
    } else {
        ferroflux_goformat::key_less(a, b)
    }
}

/// go-yaml v2's key order on ASCII keys (the same steps as the general version, on bytes).
fn ascii_key_less(a: &[u8], b: &[u8]) -> bool {
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] == b[i] {
            i += 1;
            continue;
        }
        let al = a[i].is_ascii_alphabetic();
        let bl = b[i].is_ascii_alphabetic();
        if al && bl {
            return a[i] < b[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if a[i] == b'0' || b[i] == b'0' {
            let mut j = i;
            while j > 0 && a[j - 1].is_ascii_digit() {
                j -= 1;
                if a[j] != b'0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < a.len() && a[ai].is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add((a[ai] - b'0') as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < b.len() && b[bi].is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add((b[bi] - b'0') as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return a[i] < b[i];
    }
    a.len() < b.len()
}

#[cfg(test)]
mod tests {

    #[test]
    fn in_order_keeps_map_key_order() {
        let v: Value = serde_json::from_str(r#"{"b": 1, "a": {"z": [1], "y": "x"}}"#).unwrap();
        assert_eq!(
            to_yaml_document_in_order(&v),
            "b: 1\na:\n  z:\n  - 1\n  \"y\": x\n"
        );
        assert_eq!(to_yaml_document(&v), "a:\n  \"y\": x\n  z:\n  - 1\nb: 1\n");
    }

    use super::*;

    #[test]
    fn ascii_key_order_is_goformat_key_order() {
        let keys = [
            "",
            "a",
            "b",
            "A",
            "Z",
            "a1",
            "a2",
            "a10",
            "a01",
            "a001",
            "a0",
            "a00",
            "1",
            "2",
            "10",
            "01",
            "001",
            "0",
            "-",
            "_",
            ".",
            "/",
            "a-b",
            "a_b",
            "a.b",
            "a/b",
            "aB",
            "ab",
            "abc",
            "ab1",
            "ab-1",
            "x9y",
            "x10y",
            "x09y",
            "x9",
            "x009",
            "k8s.io/a",
            "k8s.io/b",
            "example.com/x",
            "app.kubernetes.io/name",
            "~",
            "9a",
            "10a",
            "a 1",
            "a 01",
            "99999999999999999999",
            "100000000000000000000",
        ];
        for a in keys {
            for b in keys {
                assert_eq!(
                    key_less(a, b),
                    ferroflux_goformat::key_less(a, b),
                    "{a:?} < {b:?}"
                );
            }
        }
    }
}
