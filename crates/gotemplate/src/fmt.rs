//! Go's `fmt` for template values: `%v` of every kind, `Sprint`/`Sprintln`, `Sprintf` with
//! flags, width, precision and Go's error annotations (`%!d(float64=1)`, `%!d(MISSING)`, …),
//! and `strconv.Quote`.

use crate::value::{Value, read};

/// `strconv.Quote`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    quote_into(&mut out, s, '"', false);
    out.push('"');
    out
}

/// `strconv.QuoteToASCII`.
pub fn go_quote_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    quote_into(&mut out, s, '"', true);
    out.push('"');
    out
}

/// Go's `unicode.IsPrint` / `strconv.IsPrint`: letters, marks, numbers, punctuation and
/// symbols, plus the ASCII space. Unassigned code points, format characters (U+00AD, U+E0001),
/// private use and other spaces are not printable. The tables are Unicode 16 (Helm's Go has 15,
/// Go 1.19 has 13, so characters assigned since then print raw here and in Helm).
pub(crate) fn is_print(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    c == ' '
        || !matches!(
            get_general_category(c),
            G::Control
                | G::Format
                | G::Surrogate
                | G::PrivateUse
                | G::Unassigned
                | G::SpaceSeparator
                | G::LineSeparator
                | G::ParagraphSeparator
        )
}

fn quote_into(out: &mut String, s: &str, q: char, ascii: bool) {
    for c in s.chars() {
        match c {
            c if c == q || c == '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if let Some(b) = ferroflux_goformat::gobytes::raw_byte(c) => {
                out.push_str(&format!("\\x{b:02x}"))
            }
            c if (c as u32) < 0x80 && is_print(c) => out.push(c),
            c if !ascii && is_print(c) => out.push(c),
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
}

/// Decimal digits and decimal-point position of `f` (|f|), shortest or with `prec` significant digits.
fn digits(f: f64, prec: Option<usize>) -> (String, i32) {
    let f = f.abs();
    if f == 0.0 {
        return (String::from("0"), 1);
    }
    let s = match prec {
        None => format!("{f:e}"),
        Some(p) => format!("{:.*e}", p.saturating_sub(1), f),
    };
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let d: String = m.chars().filter(|c| *c != '.').collect();
    (d, e + 1)
}

fn fmt_e(d: &str, dp: i32, prec: usize, upper: bool) -> String {
    // d is already rounded to prec+1 digits (or shorter: pad with zeros).
    let mut s = String::new();
    let first = d.chars().next().unwrap_or('0');
    s.push(first);
    if prec > 0 {
        s.push('.');
        let rest: String = d.chars().skip(1).collect();
        s.push_str(&rest);
        for _ in rest.len()..prec {
            s.push('0');
        }
    }
    let exp = if d == "0" { 0 } else { dp - 1 };
    s.push(if upper { 'E' } else { 'e' });
    s.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        s.push('0');
    }
    s.push_str(&a.to_string());
    s
}

fn fmt_f_digits(d: &str, dp: i32, frac: usize) -> String {
    let mut s = String::new();
    if dp <= 0 {
        s.push('0');
    } else {
        for i in 0..dp as usize {
            s.push(d.as_bytes().get(i).map_or('0', |b| *b as char));
        }
    }
    if frac > 0 {
        s.push('.');
        for i in 0..frac as i32 {
            let idx = dp + i;
            let c = if idx < 0 {
                '0'
            } else {
                d.as_bytes().get(idx as usize).map_or('0', |b| *b as char)
            };
            s.push(c);
        }
    }
    s
}

/// `strconv.FormatFloat(f, fmt, prec, 64)` for fmt in e, E, f, g, G (prec < 0 = shortest).
pub fn format_float(f: f64, verb: char, prec: i32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let neg = f.is_sign_negative() && f != 0.0 || (f == 0.0 && f.is_sign_negative());
    let body = match verb {
        'e' | 'E' => {
            let (d, dp) = if prec < 0 {
                digits(f, None)
            } else {
                digits(f, Some(prec as usize + 1))
            };
            let p = if prec < 0 { d.len() - 1 } else { prec as usize };
            fmt_e(&d, dp, p, verb == 'E')
        }
        'f' | 'F' => {
            if prec < 0 {
                let (d, dp) = digits(f, None);
                fmt_f_digits(&d, dp, (d.len() as i32 - dp).max(0) as usize)
            } else {
                format!("{:.*}", prec as usize, f.abs())
            }
        }
        _ => {
            let shortest = prec < 0;
            let (mut d, dp) = if shortest {
                digits(f, None)
            } else {
                digits(f, Some(if prec == 0 { 1 } else { prec as usize }))
            };
            if !shortest {
                while d.len() > 1 && d.ends_with('0') {
                    d.pop();
                }
            }
            let nd = d.len() as i32;
            let mut eprec = if shortest {
                nd
            } else if prec == 0 {
                1
            } else {
                prec
            };
            if eprec > nd && nd >= dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = dp - 1;
            if exp < -4 || exp >= eprec {
                let p = (if shortest { nd } else { nd.min(eprec.max(1)) }) - 1;
                fmt_e(&d, dp, p.max(0) as usize, verb == 'G')
            } else {
                fmt_f_digits(&d, dp, (nd - dp).max(0) as usize)
            }
        }
    };
    if neg { format!("-{body}") } else { body }
}

/// `strconv.FormatFloat(f, 'x', -1, 64)`.
fn hex_float(f: f64, upper: bool) -> String {
    if !f.is_finite() {
        return format_float(f, 'g', -1);
    }
    let neg = f.is_sign_negative();
    let a = f.abs();
    let s = if a == 0.0 {
        "0x0p+00".to_string()
    } else {
        let bits = a.to_bits();
        let mut exp = ((bits >> 52) & 0x7ff) as i64;
        let mut mant = bits & ((1u64 << 52) - 1);
        if exp == 0 {
            // Subnormal: normalise.
            exp = -1022;
            while mant & (1u64 << 52) == 0 {
                mant <<= 1;
                exp -= 1;
            }
            mant &= (1u64 << 52) - 1;
        } else {
            exp -= 1023;
        }
        let mut digits = format!("{mant:013x}");
        while digits.ends_with('0') {
            digits.pop();
        }
        let sign = if exp < 0 { '-' } else { '+' };
        let e = exp.unsigned_abs();
        if digits.is_empty() {
            format!("0x1p{sign}{e:02}")
        } else {
            format!("0x1.{digits}p{sign}{e:02}")
        }
    };
    let s = if neg { format!("-{s}") } else { s };
    if upper { s.to_uppercase() } else { s }
}

/// `%v` of a value (Go's `fmt.Sprint` of one operand).
pub fn sprint_value(v: &Value) -> String {
    let mut s = String::new();
    write_v(&mut s, v, 0);
    s
}

fn write_v(out: &mut String, v: &Value, depth: usize) {
    crate::stack::deep(|| write_v_here(out, v, depth))
}

fn write_v_here(out: &mut String, v: &Value, depth: usize) {
    if depth > crate::value::MAX_DEPTH {
        out.push_str("...");
        return;
    }
    match v {
        Value::Missing | Value::Nil => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&format_float(*f, 'g', -1)),
        Value::String(s) => out.push_str(s),
        Value::List(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(out, x, depth + 1);
            }
            out.push(']');
        }
        Value::StrList(l) => {
            out.push('[');
            out.push_str(&l.join(" "));
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            for (i, (k, x)) in read(m).iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(out, x, depth + 1);
            }
            out.push(']');
        }
        Value::Object(o) => match o.fmt_value().map(Value::str).or_else(|| o.field("String")) {
            // Go's fmt uses a Stringer's String method.
            Some(Value::String(s)) => out.push_str(&s),
            _ => out.push_str(&format!("{o:?}")),
        },
    }
}

fn is_string(v: &Value) -> bool {
    matches!(v, Value::String(_))
}

/// `fmt.Sprint`.
pub fn sprint(args: &[Value]) -> String {
    let mut s = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && !is_string(a) && !is_string(&args[i - 1]) {
            s.push(' ');
        }
        write_v(&mut s, a, 0);
    }
    s
}

/// `fmt.Sprintln`.
pub fn sprintln(args: &[Value]) -> String {
    let mut s = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        write_v(&mut s, a, 0);
    }
    s.push('\n');
    s
}

#[derive(Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn pad(out: &mut String, s: &str, sp: &Spec, numeric: bool) {
    let w = sp.width.unwrap_or(0);
    let n = s.chars().count();
    if n >= w {
        out.push_str(s);
        return;
    }
    let fill = w - n;
    if sp.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if sp.zero && numeric {
        let (sign, rest) = match s.chars().next() {
            Some(c @ ('+' | '-' | ' ')) => (Some(c), &s[1..]),
            _ => (None, s),
        };
        if let Some(c) = sign {
            out.push(c);
        }
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(rest);
    } else if sp.zero {
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(s);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(s);
    }
}

/// `%!verb(TYPE=VALUE)`: Go prints the value with `%v` and the verb's width and flags.
fn bad_verb(out: &mut String, verb: char, v: &Value, sp: &Spec) {
    match v {
        Value::Missing | Value::Nil => out.push_str(&format!("%!{verb}(<nil>)")),
        _ => {
            out.push_str(&format!("%!{verb}({}=", v.type_name()));
            fmt_value(
                out,
                v,
                'v',
                &Spec {
                    sharp: false,
                    ..*sp
                },
                0,
            );
            out.push(')');
        }
    }
}

fn fmt_int(out: &mut String, i: i64, verb: char, sp: &Spec) {
    let neg = i < 0;
    let u = i.unsigned_abs();
    let mut body = match verb {
        'd' | 'v' => u.to_string(),
        'b' => format!("{u:b}"),
        'o' | 'O' => format!("{u:o}"),
        'x' => format!("{u:x}"),
        'X' => format!("{u:X}"),
        'c' => {
            let c = char::from_u32(i as u32).unwrap_or('\u{fffd}');
            pad(out, &c.to_string(), sp, false);
            return;
        }
        'q' => {
            let c = char::from_u32(i as u32).unwrap_or('\u{fffd}');
            let mut s = String::from("'");
            quote_into(&mut s, &c.to_string(), '\'', false);
            s.push('\'');
            pad(out, &s, sp, false);
            return;
        }
        'U' => {
            let mut s = format!("U+{u:04X}");
            if sp.sharp
                && let Some(c) = char::from_u32(i as u32)
                && is_print(c)
            {
                s.push_str(&format!(" '{c}'"));
            }
            pad(out, &s, sp, false);
            return;
        }
        _ => unreachable_verb(),
    };
    if let Some(p) = sp.prec {
        if p == 0 && u == 0 {
            body.clear();
        }
        while body.len() < p {
            body.insert(0, '0');
        }
    }
    let prefix = match verb {
        'b' if sp.sharp => "0b",
        'o' if sp.sharp => "0",
        'O' => "0o",
        'x' if sp.sharp => "0x",
        'X' if sp.sharp => "0X",
        _ => "",
    };
    let sign = if neg {
        "-"
    } else if sp.plus {
        "+"
    } else if sp.space {
        " "
    } else {
        ""
    };
    let s = format!("{sign}{prefix}{body}");
    let sp2 = Spec {
        zero: sp.zero && sp.prec.is_none(),
        ..*sp
    };
    pad(out, &s, &sp2, true);
}

fn unreachable_verb() -> String {
    String::new()
}

fn fmt_float(out: &mut String, f: f64, verb: char, sp: &Spec) {
    if !f.is_finite() {
        // Go's fmt: an infinity always shows its sign (a space with the space flag), NaN
        // only with `+` or space, and neither is padded with zeros.
        let s = match (f.is_nan(), f > 0.0) {
            (true, _) if sp.plus => "+NaN",
            (true, _) if sp.space => " NaN",
            (true, _) => "NaN",
            (false, true) if sp.space && !sp.plus => " Inf",
            (false, true) => "+Inf",
            (false, false) => "-Inf",
        };
        pad(out, s, &Spec { zero: false, ..*sp }, false);
        return;
    }
    let prec = sp.prec.map_or(-1, |p| p as i32);
    let mut s = match verb {
        'v' => format_float(f, 'g', prec),
        'e' | 'E' => format_float(f, verb, if prec < 0 { 6 } else { prec }),
        'f' | 'F' => format_float(f, 'f', if prec < 0 { 6 } else { prec }),
        'g' | 'G' => format_float(f, verb, prec),
        _ => String::new(),
    };
    if sp.plus && !s.starts_with('-') && !s.starts_with('+') {
        s.insert(0, '+');
    } else if sp.space && !s.starts_with('-') && !s.starts_with('+') {
        s.insert(0, ' ');
    } else if s.starts_with('+') && !sp.plus {
        s.remove(0);
    }
    let numeric = f.is_finite();
    pad(out, &s, sp, numeric);
}

fn fmt_str(out: &mut String, s: &str, verb: char, sp: &Spec) {
    let s: String = match sp.prec {
        Some(p) if verb != 'x' && verb != 'X' => s.chars().take(p).collect(),
        _ => s.to_string(),
    };
    let r = match verb {
        's' | 'v' => s,
        'q' => {
            if sp.sharp && !s.contains('`') {
                format!("`{s}`")
            } else if sp.plus {
                go_quote_ascii(&s)
            } else {
                go_quote(&s)
            }
        }
        'x' | 'X' => {
            let bytes = s.as_bytes();
            let bytes = match sp.prec {
                Some(p) => &bytes[..p.min(bytes.len())],
                None => bytes,
            };
            let mut r = String::new();
            for (i, b) in bytes.iter().enumerate() {
                if sp.space && i > 0 {
                    r.push(' ');
                }
                if sp.sharp && (sp.space || i == 0) {
                    r.push_str(if verb == 'x' { "0x" } else { "0X" });
                }
                if verb == 'x' {
                    r.push_str(&format!("{b:02x}"));
                } else {
                    r.push_str(&format!("{b:02X}"));
                }
            }
            r
        }
        _ => s,
    };
    pad(out, &r, sp, false);
}

fn fmt_elem(out: &mut String, v: &Value, verb: char, sp: &Spec, depth: usize) {
    if v.is_nil() && verb != 'T' {
        pad(out, "<nil>", sp, false);
    } else {
        fmt_value(out, v, verb, sp, depth);
    }
}

/// `%#v`: Go syntax.
fn go_syntax(out: &mut String, v: &Value, depth: usize) {
    crate::stack::deep(|| go_syntax_here(out, v, depth))
}

fn go_syntax_here(out: &mut String, v: &Value, depth: usize) {
    if depth > crate::value::MAX_DEPTH {
        return;
    }
    match v {
        Value::Missing | Value::Nil => out.push_str("<nil>"),
        Value::String(s) => out.push_str(&go_quote(s)),
        Value::Float(f) => out.push_str(&format_float(*f, 'g', -1)),
        Value::List(l) => {
            out.push_str("[]interface {}{");
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                go_syntax_elem(out, x, depth + 1);
            }
            out.push('}');
        }
        Value::StrList(l) => {
            out.push_str("[]string{");
            let q: Vec<String> = l.iter().map(|s| go_quote(s)).collect();
            out.push_str(&q.join(", "));
            out.push('}');
        }
        Value::Map(m) => {
            out.push_str("map[string]interface {}{");
            for (i, (k, x)) in read(m).iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&go_quote(k));
                out.push(':');
                go_syntax_elem(out, x, depth + 1);
            }
            out.push('}');
        }
        v => write_v(out, v, depth),
    }
}

/// `%#v` of an `interface {}` element: a nil one is written with its type.
fn go_syntax_elem(out: &mut String, v: &Value, depth: usize) {
    match v {
        Value::Missing | Value::Nil => out.push_str("interface {}(nil)"),
        v => go_syntax(out, v, depth),
    }
}

fn fmt_value(out: &mut String, v: &Value, verb: char, sp: &Spec, depth: usize) {
    crate::stack::deep(|| fmt_value_here(out, v, verb, sp, depth))
}

fn fmt_value_here(out: &mut String, v: &Value, verb: char, sp: &Spec, depth: usize) {
    if depth > crate::value::MAX_DEPTH {
        return;
    }
    if verb == 'T' {
        pad(out, &v.type_name(), sp, false);
        return;
    }
    if verb == 'v' && sp.sharp {
        let mut s = String::new();
        go_syntax(&mut s, v, depth);
        pad(out, &s, sp, false);
        return;
    }
    if let Value::Object(o) = v
        && let Some(b) = o.as_bytes()
    {
        // Go formats a `[]byte` as text for the string verbs, else as a slice of numbers.
        let as_seen = match verb {
            's' | 'q' | 'x' | 'X' => Value::str(crate::gobytes::string_from_go_bytes(b)),
            _ => o.as_value().unwrap_or_default(),
        };
        return fmt_value_here(out, &as_seen, verb, sp, depth);
    }
    if let Value::Object(o) = v
        && let Some((re, im)) = o.as_complex()
    {
        // Go formats each part as a float (same width and precision), the imaginary part
        // always with a sign.
        if matches!(verb, 'x' | 'X') {
            let im = hex_float(im, verb == 'X');
            let sign = if im.starts_with(['+', '-']) { "" } else { "+" };
            let re = hex_float(re, verb == 'X');
            return pad(out, &format!("({re}{sign}{im}i)"), sp, false);
        }
        if !matches!(verb, 'v' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G') {
            return bad_verb(out, verb, v, sp);
        }
        out.push('(');
        fmt_float(out, re, verb, sp);
        fmt_float(out, im, verb, &Spec { plus: true, ..*sp });
        out.push_str("i)");
        return;
    }
    match v {
        Value::Missing | Value::Nil => {
            if verb == 'v' {
                pad(out, "<nil>", sp, false);
            } else {
                bad_verb(out, verb, v, sp);
            }
        }
        Value::Bool(b) => match verb {
            't' | 'v' => pad(out, if *b { "true" } else { "false" }, sp, false),
            _ => bad_verb(out, verb, v, sp),
        },
        Value::Int(i) | Value::Int64(i) => match verb {
            'v' | 'd' | 'b' | 'o' | 'O' | 'x' | 'X' | 'c' | 'q' | 'U' => fmt_int(out, *i, verb, sp),
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => bad_verb(out, verb, v, sp),
            _ => bad_verb(out, verb, v, sp),
        },
        Value::Float(f) => match verb {
            'v' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' => fmt_float(out, *f, verb, sp),
            'x' | 'X' => pad(out, &hex_float(*f, verb == 'X'), sp, true),
            _ => bad_verb(out, verb, v, sp),
        },
        Value::String(s) => match verb {
            'v' | 's' | 'q' | 'x' | 'X' => fmt_str(out, s, verb, sp),
            _ => bad_verb(out, verb, v, sp),
        },
        Value::List(_) | Value::StrList(_) => {
            let items = v.list_items().unwrap_or_default();
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_elem(out, x, verb, sp, depth + 1);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            for (i, (k, x)) in read(m).iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_value(out, &Value::str(k.as_str()), verb, sp, depth + 1);
                out.push(':');
                fmt_elem(out, x, verb, sp, depth + 1);
            }
            out.push(']');
        }
        Value::Object(_) => pad(out, &sprint_value(v), sp, false),
    }
}

/// `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let b = format.as_bytes();
    let mut i = 0;
    let mut argi = 0;
    // Whether an argument index was used: then unused arguments are not reported as EXTRA.
    let mut reordered = false;
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i] != b'%' {
            i += 1;
        }
        out.push_str(&format[start..i]);
        if i >= b.len() {
            break;
        }
        i += 1; // '%'
        let mut sp = Spec::default();
        while i < b.len() {
            match b[i] {
                b'-' => {
                    sp.minus = true;
                    sp.zero = false;
                }
                b'+' => sp.plus = true,
                b'#' => sp.sharp = true,
                b' ' => sp.space = true,
                b'0' => sp.zero = !sp.minus,
                _ => break,
            }
            i += 1;
        }
        // Explicit argument indexes (`%[2]d`, `%[1]*d`) as Go's doPrintf reads them.
        let mut good_arg = true;
        reordered |= b.get(i) == Some(&b'[');
        let mut after_index = arg_index(format, &mut i, &mut argi, args.len(), &mut good_arg);
        // width
        if i < b.len() && b[i] == b'*' {
            i += 1;
            match int_arg(args, &mut argi) {
                Some(w) => {
                    if w < 0 {
                        sp.minus = true;
                        sp.zero = false;
                    }
                    sp.width = Some(w.unsigned_abs() as usize);
                }
                None => out.push_str("%!(BADWIDTH)"),
            }
            after_index = false;
        } else {
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i > s {
                sp.width = format[s..i].parse().ok();
                if after_index {
                    good_arg = false;
                }
            }
        }
        if i + 1 < b.len() && b[i] == b'.' {
            i += 1;
            if after_index {
                good_arg = false;
            }
            reordered |= b.get(i) == Some(&b'[');
            after_index = arg_index(format, &mut i, &mut argi, args.len(), &mut good_arg);
            if i < b.len() && b[i] == b'*' {
                i += 1;
                match int_arg(args, &mut argi) {
                    Some(p) if p >= 0 => sp.prec = Some(p as usize),
                    _ => out.push_str("%!(BADPREC)"),
                }
                after_index = false;
            } else {
                let s = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                sp.prec = Some(format[s..i].parse().unwrap_or(0));
            }
        }
        if !after_index {
            reordered |= b.get(i) == Some(&b'[');
            arg_index(format, &mut i, &mut argi, args.len(), &mut good_arg);
        }
        let Some(verb) = format[i..].chars().next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == 'v' && sp.plus {
            // %+v: Go's plusV flag (field names), not a sign.
            sp.plus = false;
        }
        i += verb.len_utf8();
        if verb == '%' {
            out.push('%');
            continue;
        }
        if !good_arg {
            out.push_str(&format!("%!{verb}(BADINDEX)"));
            continue;
        }
        let Some(arg) = args.get(argi) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        argi += 1;
        if !matches!(
            verb,
            'v' | 'd'
                | 'b'
                | 'o'
                | 'O'
                | 'x'
                | 'X'
                | 'c'
                | 'q'
                | 'U'
                | 'e'
                | 'E'
                | 'f'
                | 'F'
                | 'g'
                | 'G'
                | 's'
                | 't'
                | 'T'
        ) {
            bad_verb(&mut out, verb, arg, &sp);
            continue;
        }
        fmt_value(&mut out, arg, verb, &sp, 0);
    }
    if !reordered && argi < args.len() {
        out.push_str("%!(EXTRA ");
        for (k, a) in args[argi..].iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            if a.is_nil() {
                out.push_str("<nil>");
            } else {
                out.push_str(&format!("{}={}", a.type_name(), sprint_value(a)));
            }
        }
        out.push(')');
    }
    out
}

/// Go's `argNumber`: at `[n]`, moves to argument n (1-based) and returns true; a malformed or
/// out-of-range index clears `good`.
fn arg_index(format: &str, i: &mut usize, argi: &mut usize, n: usize, good: &mut bool) -> bool {
    let rest = &format.as_bytes()[*i..];
    if rest.first() != Some(&b'[') {
        return false;
    }
    // Go needs at least `[n]`; without a closing bracket only the `[` is skipped.
    let close = if rest.len() < 3 {
        None
    } else {
        rest.iter().position(|&c| c == b']')
    };
    let Some(close) = close else {
        *i += 1;
        *good = false;
        return false;
    };
    *i += close + 1;
    let digits = &format[*i - close..*i - 1];
    let index = (!digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()))
        .then(|| digits.parse::<usize>().ok())
        .flatten();
    match index {
        Some(k) if k >= 1 && k <= n => {
            *argi = k - 1;
            true
        }
        Some(_) => {
            *good = false;
            true
        }
        None => {
            *good = false;
            false
        }
    }
}

/// Go's `intFromArg`: an integer argument for `*` (advancing past it when there is one).
fn int_arg(args: &[Value], argi: &mut usize) -> Option<i64> {
    let a = args.get(*argi)?;
    *argi += 1;
    match a {
        Value::Int(w) | Value::Int64(w) if w.unsigned_abs() <= 1_000_000 => Some(*w),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{go_quote, is_print, sprintf};

    #[test]
    fn is_print_follows_unicode_categories() {
        for c in ['a', 'é', '漢', '😀', '∑', '¿', ' ', '\u{301}'] {
            assert!(is_print(c), "{c:?}");
        }
        // Unassigned, format, private use, non-ASCII spaces, separators, controls.
        for c in [
            '\u{378}',
            '\u{ad}',
            '\u{200e}',
            '\u{e0001}',
            '\u{e000}',
            '\u{a0}',
            '\u{3000}',
            '\u{2028}',
            '\u{85}',
            '\u{fffe}',
        ] {
            assert!(!is_print(c), "{c:?}");
        }
        assert_eq!(go_quote("a\u{378}\u{ad}é"), "\"a\\u0378\\u00adé\"");
    }

    fn ints(v: &[i64]) -> Vec<crate::Value> {
        v.iter().map(|i| crate::Value::Int(*i)).collect()
    }

    #[test]
    fn explicit_argument_indexes() {
        assert_eq!(sprintf("%[2]d-%[1]d", &ints(&[1, 2])), "2-1");
        assert_eq!(sprintf("%[2]d %d", &ints(&[1, 2, 3])), "2 3");
        // Reordered formats do not report unused arguments.
        assert_eq!(sprintf("%[1]d", &ints(&[1, 2])), "1");
        assert_eq!(sprintf("%[3]*.[2]*[1]d", &ints(&[7, 2, 5])), "   07");
        assert_eq!(
            sprintf("%[4]d|%[0]d|%[x]d", &ints(&[1])),
            "%!d(BADINDEX)|%!d(BADINDEX)|%!d(BADINDEX)"
        );
        assert_eq!(sprintf("%[2]3d", &ints(&[1, 2])), "%!d(BADINDEX)");
    }

    #[test]
    fn bad_verbs_keep_width_and_flags() {
        assert_eq!(
            sprintf("%5z|%+t", &ints(&[1, 2])),
            "%!z(int=    1)|%!t(int=+2)"
        );
    }

    #[test]
    fn sharp_v_writes_nil_elements_with_their_type() {
        let l = crate::Value::list(vec![crate::Value::Nil, crate::Value::Int(1)]);
        assert_eq!(sprintf("%#v", &[l]), "[]interface {}{interface {}(nil), 1}");
        assert_eq!(sprintf("%#v", &[crate::Value::Nil]), "<nil>");
    }
}
