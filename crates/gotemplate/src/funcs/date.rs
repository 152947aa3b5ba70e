//! Sprig's date functions with Go's reference-time layouts. Go's `time.Local` is taken to be
//! UTC. Named zones (`dateInZone`, `htmlDateInZone`) are loaded the way Go's `time.LoadLocation`
//! does, from the system's tz database (`$ZONEINFO`, `/usr/share/zoneinfo`, …); a zone that
//! cannot be loaded falls back to UTC, as Sprig does.

use super::{FuncMap, Ty, arg_str, s};
use crate::value::{Object, Value};
use chrono::{DateTime, Datelike, Timelike};
use std::sync::Arc;

/// A Go `time.Time` (instant plus a fixed zone).
#[derive(Clone)]
pub struct GoTime {
    pub secs: i64,
    pub nanos: u32,
    /// Zone offset east of UTC, in seconds.
    pub offset: i32,
    pub zone: String,
    /// The monotonic clock reading `time.Now` attaches (nanoseconds since the process's
    /// clock started), which `String` prints as ` m=+S.NNNNNNNNN`.
    pub mono: Option<i128>,
}

impl GoTime {
    pub fn utc(secs: i64, nanos: u32) -> Self {
        GoTime {
            secs,
            nanos,
            offset: 0,
            zone: "UTC".into(),
            mono: None,
        }
    }
    pub fn now() -> Self {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        let start = *START.get_or_init(std::time::Instant::now);
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        GoTime {
            mono: Some(start.elapsed().as_nanos() as i128),
            ..GoTime::utc(d.as_secs() as i64, d.subsec_nanos())
        }
    }
    /// `Time.Add(d)`: the monotonic reading moves too.
    pub fn add(&self, d: i64) -> GoTime {
        let total = i128::from(self.secs) * 1_000_000_000 + i128::from(self.nanos) + i128::from(d);
        GoTime {
            secs: total.div_euclid(1_000_000_000) as i64,
            nanos: total.rem_euclid(1_000_000_000) as u32,
            mono: self.mono.map(|m| m + i128::from(d)),
            ..self.clone()
        }
    }
    fn civil(&self) -> chrono::NaiveDateTime {
        DateTime::from_timestamp(self.secs + i64::from(self.offset), self.nanos)
            .map(|d| d.naive_utc())
            .unwrap_or_default()
    }
    /// `Time.Format(layout)`.
    pub fn format(&self, layout: &str) -> String {
        let c = self.civil();
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            let (tok, n) = next_token(rest);
            let mon = c.month() as usize;
            let hour12 = match c.hour() % 12 {
                0 => 12,
                h => h,
            };
            match tok {
                Tok::Lit => {
                    out.push_str(&rest[..n]);
                }
                Tok::LongMonth => out.push_str(MONTHS[mon - 1]),
                Tok::Month => out.push_str(&MONTHS[mon - 1][..3]),
                Tok::NumMonth => out.push_str(&mon.to_string()),
                Tok::ZeroMonth => out.push_str(&format!("{mon:02}")),
                Tok::LongWeekday => out.push_str(DAYS[c.weekday().num_days_from_sunday() as usize]),
                Tok::Weekday => {
                    out.push_str(&DAYS[c.weekday().num_days_from_sunday() as usize][..3])
                }
                Tok::Day => out.push_str(&c.day().to_string()),
                Tok::UnderDay => out.push_str(&format!("{:>2}", c.day())),
                Tok::ZeroDay => out.push_str(&format!("{:02}", c.day())),
                Tok::ZeroYearDay => out.push_str(&format!("{:03}", c.ordinal())),
                Tok::Hour => out.push_str(&format!("{:02}", c.hour())),
                Tok::Hour12 => out.push_str(&hour12.to_string()),
                Tok::ZeroHour12 => out.push_str(&format!("{hour12:02}")),
                Tok::Minute => out.push_str(&c.minute().to_string()),
                Tok::ZeroMinute => out.push_str(&format!("{:02}", c.minute())),
                Tok::Second => out.push_str(&c.second().to_string()),
                Tok::ZeroSecond => out.push_str(&format!("{:02}", c.second())),
                Tok::LongYear => out.push_str(&format!("{:04}", c.year())),
                Tok::Year => out.push_str(&format!("{:02}", c.year().rem_euclid(100))),
                Tok::PM => out.push_str(if c.hour() >= 12 { "PM" } else { "AM" }),
                Tok::Pm => out.push_str(if c.hour() >= 12 { "pm" } else { "am" }),
                Tok::TZ => {
                    if self.zone.is_empty() {
                        out.push_str(&fmt_offset(self.offset, false, false, true));
                    } else {
                        out.push_str(&self.zone);
                    }
                }
                Tok::Offset {
                    z,
                    colon,
                    secs,
                    short,
                } => {
                    if z && self.offset == 0 {
                        out.push('Z');
                    } else {
                        let mut o = fmt_offset(self.offset, colon, secs, false);
                        if short {
                            o.truncate(3);
                        }
                        out.push_str(&o);
                    }
                }
                Tok::Frac { digits, trim, sep } => {
                    let f = format!("{:09}", self.nanos);
                    let mut d = f[..digits].to_string();
                    if trim {
                        while d.ends_with('0') {
                            d.pop();
                        }
                        if !d.is_empty() {
                            out.push(sep);
                            out.push_str(&d);
                        }
                    } else {
                        out.push(sep);
                        out.push_str(&d);
                    }
                }
            }
            rest = &rest[n..];
        }
        out
    }
}

fn fmt_offset(off: i32, colon: bool, secs: bool, tz: bool) -> String {
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.unsigned_abs();
    let (h, m, sec) = (a / 3600, a / 60 % 60, a % 60);
    if tz {
        // Go's stdTZ for an unnamed zone: always -0700 (seconds dropped).
        return format!("{sign}{h:02}{m:02}");
    }
    let sep = if colon { ":" } else { "" };
    let mut s = format!("{sign}{h:02}{sep}{m:02}");
    if secs {
        s.push_str(&format!("{sep}{sec:02}"));
    }
    s
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Lit,
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekday,
    Weekday,
    Day,
    UnderDay,
    ZeroDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TZ,
    Offset {
        z: bool,
        colon: bool,
        secs: bool,
        short: bool,
    },
    Frac {
        digits: usize,
        trim: bool,
        sep: char,
    },
}

/// Go's `nextStdChunk`: the token at the start of `s` and its length (Lit = 1 char).
fn next_token(s: &str) -> (Tok, usize) {
    const TABLE: &[(&str, Tok)] = &[
        ("January", Tok::LongMonth),
        ("Jan", Tok::Month),
        ("Monday", Tok::LongWeekday),
        ("Mon", Tok::Weekday),
        ("MST", Tok::TZ),
        ("2006", Tok::LongYear),
        (
            "-07:00:00",
            Tok::Offset {
                z: false,
                colon: true,
                secs: true,
                short: false,
            },
        ),
        (
            "-070000",
            Tok::Offset {
                z: false,
                colon: false,
                secs: true,
                short: false,
            },
        ),
        (
            "-07:00",
            Tok::Offset {
                z: false,
                colon: true,
                secs: false,
                short: false,
            },
        ),
        (
            "-0700",
            Tok::Offset {
                z: false,
                colon: false,
                secs: false,
                short: false,
            },
        ),
        (
            "-07",
            Tok::Offset {
                z: false,
                colon: false,
                secs: false,
                short: true,
            },
        ),
        (
            "Z07:00:00",
            Tok::Offset {
                z: true,
                colon: true,
                secs: true,
                short: false,
            },
        ),
        (
            "Z070000",
            Tok::Offset {
                z: true,
                colon: false,
                secs: true,
                short: false,
            },
        ),
        (
            "Z07:00",
            Tok::Offset {
                z: true,
                colon: true,
                secs: false,
                short: false,
            },
        ),
        (
            "Z0700",
            Tok::Offset {
                z: true,
                colon: false,
                secs: false,
                short: false,
            },
        ),
        (
            "Z07",
            Tok::Offset {
                z: true,
                colon: false,
                secs: false,
                short: true,
            },
        ),
        ("002", Tok::ZeroYearDay),
        ("01", Tok::ZeroMonth),
        ("02", Tok::ZeroDay),
        ("03", Tok::ZeroHour12),
        ("04", Tok::ZeroMinute),
        ("05", Tok::ZeroSecond),
        ("06", Tok::Year),
        ("15", Tok::Hour),
        ("_2", Tok::UnderDay),
        ("PM", Tok::PM),
        ("pm", Tok::Pm),
        ("1", Tok::NumMonth),
        ("2", Tok::Day),
        ("3", Tok::Hour12),
        ("4", Tok::Minute),
        ("5", Tok::Second),
    ];
    let b = s.as_bytes();
    if (b[0] == b'.' || b[0] == b',') && b.len() > 1 && (b[1] == b'0' || b[1] == b'9') {
        let d = b[1];
        let n = b[1..].iter().take_while(|c| **c == d).count();
        let next_digit = b.get(1 + n).is_some_and(u8::is_ascii_digit);
        if !next_digit {
            return (
                Tok::Frac {
                    digits: n.min(9),
                    trim: d == b'9',
                    sep: b[0] as char,
                },
                1 + n,
            );
        }
    }
    for (pat, tok) in TABLE {
        if s.starts_with(pat) {
            // "Jan"/"Mon" must not be followed by a lowercase letter (Go's startsWithLowerCase).
            if matches!(
                tok,
                Tok::Month | Tok::Weekday | Tok::LongMonth | Tok::LongWeekday
            ) && s
                .strip_prefix(pat)
                .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_lowercase()))
            {
                continue;
            }
            return (*tok, pat.len());
        }
    }
    (Tok::Lit, s.chars().next().map_or(1, char::len_utf8))
}

/// `time.Parse(layout, value)` in UTC.
pub fn parse(layout: &str, value: &str) -> Result<GoTime, String> {
    let err = |elem: &str, v: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            crate::fmt::go_quote(value),
            crate::fmt::go_quote(layout),
            crate::fmt::go_quote(v),
            crate::fmt::go_quote(elem)
        )
    };
    let (mut year, mut month, mut day, mut hour, mut min, mut sec, mut nanos) =
        (1i32, 1u32, 1u32, 0u32, 0u32, 0u32, 0u32);
    let mut yday: Option<u32> = None;
    let mut pm: Option<bool> = None;
    let mut offset: Option<i32> = None;
    // Go's `z`: the value said UTC ("UTC" for MST, "Z" for Z07:00).
    let mut utc = false;
    let mut zone_name = String::new();
    let mut l = layout;
    let mut v = value;
    let num = |v: &str, max: usize, fixed: bool| -> Option<(u32, usize)> {
        let n = v.bytes().take(max).take_while(u8::is_ascii_digit).count();
        if n == 0 || (fixed && n != max) {
            return None;
        }
        Some((v[..n].parse().ok()?, n))
    };
    while !l.is_empty() {
        let (tok, n) = next_token(l);
        let elem = &l[..n];
        if tok == Tok::Lit {
            if !v.starts_with(elem) {
                return Err(err(l, v));
            }
            v = &v[n..];
            l = &l[n..];
            continue;
        }
        let bad = || err(elem, v);
        let used = match tok {
            Tok::LongYear => {
                let (y, k) = num(v, 4, true).ok_or_else(bad)?;
                year = y as i32;
                k
            }
            Tok::Year => {
                let (y, k) = num(v, 2, true).ok_or_else(bad)?;
                year = if y >= 69 {
                    1900 + y as i32
                } else {
                    2000 + y as i32
                };
                k
            }
            Tok::LongMonth | Tok::Month => {
                let idx = MONTHS
                    .iter()
                    .position(|m| {
                        let m = if tok == Tok::Month { &m[..3] } else { m };
                        v.get(..m.len()).is_some_and(|x| x.eq_ignore_ascii_case(m))
                    })
                    .ok_or_else(bad)?;
                month = idx as u32 + 1;
                if tok == Tok::Month {
                    3
                } else {
                    MONTHS[idx].len()
                }
            }
            Tok::LongWeekday | Tok::Weekday => {
                let idx = DAYS
                    .iter()
                    .position(|d| {
                        let d = if tok == Tok::Weekday { &d[..3] } else { d };
                        v.get(..d.len()).is_some_and(|x| x.eq_ignore_ascii_case(d))
                    })
                    .ok_or_else(bad)?;
                if tok == Tok::Weekday {
                    3
                } else {
                    DAYS[idx].len()
                }
            }
            Tok::NumMonth | Tok::ZeroMonth => {
                let (m, k) = num(v, 2, tok == Tok::ZeroMonth).ok_or_else(bad)?;
                if !(1..=12).contains(&m) {
                    return Err(format!(
                        "parsing time {}: month out of range",
                        crate::fmt::go_quote(value)
                    ));
                }
                month = m;
                k
            }
            Tok::Day | Tok::ZeroDay | Tok::UnderDay => {
                let vv = if tok == Tok::UnderDay {
                    v.strip_prefix(' ').unwrap_or(v)
                } else {
                    v
                };
                let skip = v.len() - vv.len();
                let (d, k) = num(vv, 2, tok == Tok::ZeroDay).ok_or_else(bad)?;
                day = d;
                k + skip
            }
            Tok::ZeroYearDay => {
                let (d, k) = num(v, 3, true).ok_or_else(bad)?;
                yday = Some(d);
                k
            }
            Tok::Hour => {
                let (h, k) = num(v, 2, false).ok_or_else(bad)?;
                hour = h;
                k
            }
            Tok::Hour12 | Tok::ZeroHour12 => {
                let (h, k) = num(v, 2, tok == Tok::ZeroHour12).ok_or_else(bad)?;
                hour = h;
                k
            }
            Tok::Minute | Tok::ZeroMinute => {
                let (m, k) = num(v, 2, tok == Tok::ZeroMinute).ok_or_else(bad)?;
                min = m;
                k
            }
            Tok::Second | Tok::ZeroSecond => {
                let (s2, mut k) = num(v, 2, tok == Tok::ZeroSecond).ok_or_else(bad)?;
                sec = s2;
                // A fractional second may follow even if the layout has none.
                let rest = &v[k..];
                if rest.starts_with('.') && !l[n..].starts_with('.') {
                    let d = rest[1..].bytes().take_while(u8::is_ascii_digit).count();
                    if d > 0 {
                        let frac = format!("{:0<9}", &rest[1..1 + d.min(9)]);
                        nanos = frac.parse().unwrap_or(0);
                        k += 1 + d;
                    }
                }
                k
            }
            Tok::PM | Tok::Pm => {
                let p = v.get(..2).ok_or_else(bad)?;
                pm = Some(match p.to_ascii_uppercase().as_str() {
                    "PM" => true,
                    "AM" => false,
                    _ => return Err(bad()),
                });
                2
            }
            Tok::TZ => {
                if v.starts_with("UTC") {
                    utc = true;
                    3
                } else {
                    let k = parse_time_zone(v).ok_or_else(bad)?;
                    zone_name = v[..k].to_string();
                    k
                }
            }
            Tok::Offset {
                z,
                colon,
                secs,
                short,
            } => {
                if z && v.starts_with('Z') {
                    utc = true;
                    1
                } else {
                    let sign = match v.as_bytes().first() {
                        Some(b'+') => 1,
                        Some(b'-') => -1,
                        _ => return Err(bad()),
                    };
                    let b = &v[1..];
                    let (h, m, s2, k) = if short {
                        let (h, _) = num(b, 2, true).ok_or_else(bad)?;
                        (h, 0, 0, 3)
                    } else if colon {
                        let (h, _) = num(b, 2, true).ok_or_else(bad)?;
                        if b.as_bytes().get(2) != Some(&b':') {
                            return Err(bad());
                        }
                        let (m, _) = num(&b[3..], 2, true).ok_or_else(bad)?;
                        if secs {
                            let (s2, _) = num(b.get(6..).unwrap_or(""), 2, true).ok_or_else(bad)?;
                            (h, m, s2, 9)
                        } else {
                            (h, m, 0, 6)
                        }
                    } else {
                        let (h, _) = num(b, 2, true).ok_or_else(bad)?;
                        let (m, _) = num(b.get(2..).unwrap_or(""), 2, true).ok_or_else(bad)?;
                        if secs {
                            let (s2, _) = num(b.get(4..).unwrap_or(""), 2, true).ok_or_else(bad)?;
                            (h, m, s2, 7)
                        } else {
                            (h, m, 0, 5)
                        }
                    };
                    offset = Some(sign * (h as i32 * 3600 + m as i32 * 60 + s2 as i32));
                    k
                }
            }
            Tok::Frac { digits, trim, .. } => {
                if !v.starts_with(['.', ',']) {
                    if trim {
                        0
                    } else {
                        return Err(bad());
                    }
                } else {
                    let d = v[1..].bytes().take_while(u8::is_ascii_digit).count();
                    if !trim && d != digits {
                        return Err(bad());
                    }
                    let frac = format!("{:0<9}", &v[1..1 + d.min(9)]);
                    nanos = frac.parse().unwrap_or(0);
                    1 + d
                }
            }
            Tok::Lit => 0,
        };
        v = &v[used..];
        l = &l[n..];
    }
    if !v.is_empty() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            crate::fmt::go_quote(value),
            crate::fmt::go_quote(v)
        ));
    }
    if let Some(p) = pm {
        if p && hour < 12 {
            hour += 12;
        } else if !p && hour == 12 {
            hour = 0;
        }
    }
    let date = match yday {
        Some(d) => chrono::NaiveDate::from_yo_opt(year, d),
        None => chrono::NaiveDate::from_ymd_opt(year, month, day),
    }
    .ok_or_else(|| {
        format!(
            "parsing time {}: day out of range",
            crate::fmt::go_quote(value)
        )
    })?;
    let t = date.and_hms_opt(hour, min, sec).ok_or_else(|| {
        format!(
            "parsing time {}: hour out of range",
            crate::fmt::go_quote(value)
        )
    })?;
    let civil = t.and_utc().timestamp();
    // Go's Parse: an explicit UTC wins; a numeric offset is Local (UTC here) when it is 0 and
    // the name (if any) is Local's, else a fixed zone with that name; a name alone is a fixed
    // zone with offset 0 (or GMT±hh's hours), since Local (UTC) knows no other names; Go
    // then keeps the clock reading as UTC's (so "10:00 GMT+3" is 13:00 at +03:00).
    let (secs, off, zone) = if utc {
        (civil, 0, "UTC".to_string())
    } else if let Some(off) = offset {
        let secs = civil - i64::from(off);
        if off == 0 && (zone_name.is_empty() || zone_name == "UTC") {
            (secs, 0, "UTC".to_string())
        } else {
            (secs, off, zone_name)
        }
    } else if !zone_name.is_empty() {
        let off = match zone_name.strip_prefix("GMT") {
            Some(h) if !h.is_empty() => h.parse::<i32>().unwrap_or(0) * 3600,
            _ => 0,
        };
        (civil, off, zone_name)
    } else {
        (civil, 0, "UTC".to_string())
    };
    Ok(GoTime {
        secs,
        nanos,
        offset: off,
        zone,
        mono: None,
    })
}

/// Go's `parseTimeZone`: the length of a zone abbreviation at the start of `v`.
fn parse_time_zone(v: &str) -> Option<usize> {
    let b = v.as_bytes();
    if b.len() < 3 {
        return None;
    }
    if v.starts_with("ChST") || v.starts_with("MeST") {
        return Some(4);
    }
    if let Some(rest) = v.strip_prefix("GMT") {
        return Some(3 + parse_signed_offset(rest).unwrap_or(0));
    }
    if b[0] == b'+' || b[0] == b'-' {
        return parse_signed_offset(v);
    }
    let upper = b
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    match upper {
        5 if b[4] == b'T' => Some(5),
        4 if b[3] == b'T' || v.starts_with("WITA") => Some(4),
        3 => Some(3),
        _ => None,
    }
}

/// Go's `parseSignedOffset`: `+hh`/`-hh` with 0 < hh <= 23 (Go 1.19 also accepts 0).
fn parse_signed_offset(v: &str) -> Option<usize> {
    let b = v.as_bytes();
    if !matches!(b.first(), Some(b'+' | b'-')) {
        return None;
    }
    let n = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return None;
    }
    let x: u64 = v[1..1 + n].parse().ok()?;
    if x > 23 {
        return None;
    }
    Some(1 + n)
}

impl std::fmt::Debug for GoTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format("2006-01-02 15:04:05.999999999 -0700 MST"))?;
        match self.mono {
            Some(n) => {
                let sign = if n < 0 { '-' } else { '+' };
                let n = n.unsigned_abs();
                write!(f, " m={sign}{}.{:09}", n / 1_000_000_000, n % 1_000_000_000)
            }
            None => Ok(()),
        }
    }
}

impl Object for GoTime {
    fn type_name(&self) -> &str {
        "time.Time"
    }
    fn kind(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let c = self.civil();
        Some(match name {
            "Year" => Value::Int(i64::from(c.year())),
            "Month" => Value::str(MONTHS[c.month0() as usize]),
            "Day" => Value::Int(i64::from(c.day())),
            "Hour" => Value::Int(i64::from(c.hour())),
            "Minute" => Value::Int(i64::from(c.minute())),
            "Second" => Value::Int(i64::from(c.second())),
            "Nanosecond" => Value::Int(i64::from(self.nanos)),
            "YearDay" => Value::Int(i64::from(c.ordinal())),
            "Weekday" => Value::str(DAYS[c.weekday().num_days_from_sunday() as usize]),
            "Unix" => Value::Int64(self.secs),
            "UnixNano" => Value::Int64(
                self.secs
                    .saturating_mul(1_000_000_000)
                    .saturating_add(i64::from(self.nanos)),
            ),
            "UTC" | "Local" => Value::Object(Arc::new(GoTime::utc(self.secs, self.nanos))),
            "String" => Value::str(format!("{self:?}")),
            "IsZero" => Value::Bool(self.secs == -62135596800 && self.nanos == 0),
            "UnixMilli" => Value::Int64(
                self.secs
                    .saturating_mul(1_000)
                    .saturating_add(i64::from(self.nanos / 1_000_000)),
            ),
            "UnixMicro" => Value::Int64(
                self.secs
                    .saturating_mul(1_000_000)
                    .saturating_add(i64::from(self.nanos / 1_000)),
            ),
            // Not a Go field (no template can name it): the monotonic reading, for copies.
            MONO_FIELD => Value::Int64(self.mono? as i64),
            _ => return None,
        })
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let instant = |t: &GoTime| (t.secs, t.nanos);
        let int = |v: &Value| match v {
            Value::Int(i) | Value::Int64(i) => Some(*i),
            _ => None,
        };
        Some(Ok(match (name, args) {
            ("Format", [Value::String(l)]) => Value::str(self.format(l)),
            ("Before" | "After" | "Equal" | "Compare", [u]) => {
                let u = as_time(u)?;
                let ord = instant(self).cmp(&instant(&u));
                match name {
                    "Before" => Value::Bool(ord.is_lt()),
                    "After" => Value::Bool(ord.is_gt()),
                    "Equal" => Value::Bool(ord.is_eq()),
                    _ => Value::Int(ord as i64),
                }
            }
            ("Add", [d]) => time_value(self.add(int(d)?)),
            ("AddDate", [y, m, d]) => {
                let (y, m, d) = (int(y)?, int(m)?, int(d)?);
                let c = self.civil();
                // Go's Date normalizes: months roll into years, days into months.
                let months = i64::from(c.year()) * 12 + i64::from(c.month0()) + y * 12 + m;
                let first = chrono::NaiveDate::from_ymd_opt(
                    i32::try_from(months.div_euclid(12)).ok()?,
                    months.rem_euclid(12) as u32 + 1,
                    1,
                )?;
                let date = first
                    .checked_add_signed(chrono::TimeDelta::days(i64::from(c.day()) - 1 + d))?;
                let local = date.and_time(c.time()).and_utc().timestamp();
                let mut t = self.clone();
                t.secs = local - i64::from(self.offset);
                t.mono = None;
                time_value(t)
            }
            _ => return None,
        }))
    }
    fn marshal_json(&self) -> Option<String> {
        Some(format!(
            "\"{}\"",
            self.format("2006-01-02T15:04:05.999999999Z07:00")
        ))
    }
}

const MONO_FIELD: &str = "\u{1}mono";

pub(crate) fn as_time(v: &Value) -> Option<GoTime> {
    match v {
        Value::Object(o) if o.type_name() == "time.Time" => {
            // Re-read through the Object interface.
            let secs = match o.field("Unix")? {
                Value::Int64(s) => s,
                _ => return None,
            };
            let nanos = match o.field("Nanosecond")? {
                Value::Int(n) => n as u32,
                _ => 0,
            };
            let off = match o.call_method("Format", &[Value::str("-07:00:00")]) {
                Some(Ok(Value::String(s))) => parse_offset(&s),
                _ => 0,
            };
            // The zone's name, or "" when Format prints the offset in its place.
            let zone = match o.call_method("Format", &[Value::str("MST")]) {
                Some(Ok(Value::String(z))) if *z != *fmt_offset(off, false, false, true) => {
                    z.to_string()
                }
                _ => String::new(),
            };
            Some(GoTime {
                secs,
                nanos,
                offset: off,
                zone,
                mono: match o.field(MONO_FIELD) {
                    Some(Value::Int64(m)) => Some(i128::from(m)),
                    _ => None,
                },
            })
        }
        _ => None,
    }
}

fn parse_offset(s: &str) -> i32 {
    let sign = if s.starts_with('-') { -1 } else { 1 };
    let p: Vec<i32> = s[1..].split(':').filter_map(|x| x.parse().ok()).collect();
    sign * (p.first().copied().unwrap_or(0) * 3600
        + p.get(1).copied().unwrap_or(0) * 60
        + p.get(2).copied().unwrap_or(0))
}

fn to_time(v: &Value) -> GoTime {
    match v {
        Value::Int(i) | Value::Int64(i) => GoTime::utc(*i, 0),
        v => as_time(v).unwrap_or_else(GoTime::now),
    }
}

fn time_value(t: GoTime) -> Value {
    Value::Object(Arc::new(t))
}

/// Go's `time.ParseDuration`, its error texts included: integer nanoseconds, fractions
/// scaled as Go scales them, and overflow refused rather than saturated.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    const LIMIT: u64 = 1 << 63;
    let invalid = || format!("time: invalid duration {}", time_quote(s));
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut d: u64 = 0;
    while !rest.is_empty() {
        if !rest.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let mut v: u64 = 0;
        for c in rest[..int_len].bytes() {
            if v > LIMIT / 10 {
                return Err(invalid());
            }
            v = v * 10 + u64::from(c - b'0');
            if v > LIMIT {
                return Err(invalid());
            }
        }
        rest = &rest[int_len..];
        let (mut f, mut scale, mut frac_len) = (0u64, 1f64, None);
        if let Some(after) = rest.strip_prefix('.') {
            let n = after.bytes().take_while(u8::is_ascii_digit).count();
            let mut overflow = false;
            for c in after[..n].bytes() {
                if overflow || f > (LIMIT - 1) / 10 {
                    overflow = true;
                    continue;
                }
                f = f * 10 + u64::from(c - b'0');
                scale *= 10.0;
            }
            frac_len = Some(n);
            rest = &after[n..];
        }
        if int_len == 0 && frac_len.unwrap_or(0) == 0 {
            return Err(invalid());
        }
        let unit_len = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", time_quote(s)));
        }
        let unit: u64 = match &rest[..unit_len] {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            u => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    time_quote(u),
                    time_quote(s)
                ));
            }
        };
        rest = &rest[unit_len..];
        if v > LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        d += v;
        if d > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok(d.wrapping_neg() as i64);
    }
    i64::try_from(d).map_err(|_| invalid())
}

/// The quoting of the `time` package's messages: `"` and `\\` escaped, control and non-ASCII
/// bytes as `\\xNN`.
fn time_quote(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        if (c as u32) < 0x20 || !c.is_ascii() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// Go's `Duration.String`.
pub fn duration_string(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut s = if u < 1_000_000_000 {
        let (unit, div) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        format!("{}{unit}", frac_str(u, div))
    } else {
        let h = u / 3_600_000_000_000;
        let m = u / 60_000_000_000 % 60;
        let secs = frac_str(u % 60_000_000_000, 1_000_000_000);
        if h > 0 {
            format!("{h}h{m}m{secs}s")
        } else if m > 0 {
            format!("{m}m{secs}s")
        } else {
            format!("{secs}s")
        }
    };
    if neg {
        s.insert(0, '-');
    }
    s
}

fn frac_str(v: u64, div: u64) -> String {
    let whole = v / div;
    let frac = v % div;
    if frac == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let f = format!("{frac:0width$}");
    format!("{whole}.{}", f.trim_end_matches('0'))
}

/// A zone as Go's `time.LoadLocation` finds it: `None` is UTC (also for "", "UTC" and
/// "Local"), `Err` a zone Go cannot load.
fn load_location(name: &str) -> Result<Option<jiff::tz::TimeZone>, ()> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    type Cache = Mutex<Option<HashMap<String, Result<Option<jiff::tz::TimeZone>, ()>>>>;
    static CACHE: Cache = Mutex::new(None);
    if name.is_empty() || name == "UTC" || name == "Local" {
        return Ok(None);
    }
    if name.contains("..") || name.starts_with(['/', '\\']) {
        return Err(());
    }
    if let Ok(c) = CACHE.lock()
        && let Some(hit) = c.as_ref().and_then(|m| m.get(name))
    {
        return hit.clone();
    }
    let mut dirs: Vec<std::path::PathBuf> = Vec::new();
    if let Some(z) = std::env::var_os("ZONEINFO").filter(|z| !z.is_empty()) {
        dirs.push(z.into());
    }
    for d in [
        "/usr/share/zoneinfo/",
        "/usr/share/lib/zoneinfo/",
        "/usr/lib/locale/TZ/",
    ] {
        dirs.push(d.into());
    }
    let found = dirs
        .iter()
        .filter_map(|d| std::fs::read(d.join(name)).ok())
        .find_map(|data| jiff::tz::TimeZone::tzif(name, &data).ok())
        .map(Some)
        .ok_or(());
    if let Ok(mut c) = CACHE.lock() {
        let m = c.get_or_insert_with(HashMap::new);
        if m.len() < 1024 {
            m.insert(name.to_string(), found.clone());
        }
    }
    found
}

/// `t.In(LoadLocation(zone))`, with Sprig's fallback to UTC for zones that cannot be loaded.
fn zone_time(t: GoTime, zone: &str) -> GoTime {
    let Ok(Some(tz)) = load_location(zone) else {
        return GoTime::utc(t.secs, t.nanos);
    };
    let Ok(ts) = jiff::Timestamp::new(t.secs, t.nanos as i32) else {
        return GoTime::utc(t.secs, t.nanos);
    };
    let info = tz.to_offset_info(ts);
    GoTime {
        secs: t.secs,
        nanos: t.nanos,
        offset: info.offset().seconds(),
        zone: info.abbreviation().to_string(),
        mono: None,
    }
}

pub fn register(m: &mut FuncMap) {
    use Ty::*;
    m.pure("now", &[], None, |_| Ok(time_value(GoTime::now())));
    m.pure("date", &[Str, Any], None, |a| {
        Ok(s(zone_time(to_time(&a[1]), "Local").format(arg_str(&a[0]))))
    });
    for name in ["dateInZone", "date_in_zone"] {
        m.pure(name, &[Str, Any, Str], None, |a| {
            Ok(s(
                zone_time(to_time(&a[1]), arg_str(&a[2])).format(arg_str(&a[0]))
            ))
        });
    }
    m.pure("htmlDate", &[Any], None, |a| {
        Ok(s(zone_time(to_time(&a[0]), "Local").format("2006-01-02")))
    });
    m.pure("htmlDateInZone", &[Any, Str], None, |a| {
        Ok(s(
            zone_time(to_time(&a[0]), arg_str(&a[1])).format("2006-01-02")
        ))
    });
    m.pure("toDate", &[Str, Str], None, |a| {
        Ok(time_value(
            parse(arg_str(&a[0]), arg_str(&a[1])).unwrap_or_else(|_| GoTime::utc(-62135596800, 0)),
        ))
    });
    m.pure("mustToDate", &[Str, Str], None, |a| {
        parse(arg_str(&a[0]), arg_str(&a[1])).map(time_value)
    });
    m.pure("unixEpoch", &[Time], None, |a| match as_time(&a[0]) {
        Some(t) => Ok(s(t.secs.to_string())),
        None => Err("expected a time value".into()),
    });
    for (name, must) in [
        ("dateModify", false),
        ("date_modify", false),
        ("mustDateModify", true),
        ("must_date_modify", true),
    ] {
        m.pure(name, &[Str, Time], None, move |a| {
            let t = as_time(&a[1]).unwrap_or_else(|| GoTime::utc(-62135596800, 0));
            match parse_duration(arg_str(&a[0])) {
                Ok(d) => Ok(time_value(t.add(d))),
                Err(e) if must => Err(e),
                Err(_) => Ok(time_value(t)),
            }
        });
    }
    m.pure("duration", &[Any], None, |a| {
        let n = match &a[0] {
            Value::String(x) => x.parse::<i64>().unwrap_or(0),
            Value::Int64(i) => *i,
            _ => 0,
        };
        Ok(s(duration_string(n.saturating_mul(1_000_000_000))))
    });
    m.pure("durationRound", &[Any], None, |a| {
        let d: i64 = match &a[0] {
            Value::String(x) => parse_duration(x).unwrap_or(0),
            Value::Int64(i) => *i,
            v => match as_time(v) {
                Some(t) => (GoTime::now().secs - t.secs).saturating_mul(1_000_000_000),
                None => 0,
            },
        };
        let u = d.unsigned_abs();
        let hour = 3_600_000_000_000u64;
        let units = [
            (hour * 24 * 365, "y"),
            (hour * 24 * 30, "mo"),
            (hour * 24, "d"),
            (hour, "h"),
            (60_000_000_000, "m"),
            (1_000_000_000, "s"),
        ];
        for (size, suffix) in units {
            if u > size {
                return Ok(s(format!("{}{suffix}", u / size)));
            }
        }
        Ok(s("0s"))
    });
    m.pure("ago", &[Any], None, |a| {
        let t = to_time(&a[0]);
        let d = (GoTime::now().secs - t.secs).saturating_mul(1_000_000_000);
        Ok(s(duration_string(d)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_prints_its_monotonic_reading_and_utc_drops_it() {
        let mut t = GoTime::utc(1_700_000_000, 5);
        assert_eq!(format!("{t:?}"), "2023-11-14 22:13:20.000000005 +0000 UTC");
        t.mono = Some(1_234_567_890);
        assert_eq!(
            format!("{t:?}"),
            "2023-11-14 22:13:20.000000005 +0000 UTC m=+1.234567890"
        );
        t.mono = Some(-3_599_000_000_001);
        assert!(format!("{t:?}").ends_with(" m=-3599.000000001"));
        let copy = as_time(&time_value(t.clone())).unwrap();
        assert_eq!(copy.mono, t.mono);
        let Some(Value::Object(utc)) = t.field("UTC") else {
            panic!("UTC is a time")
        };
        assert!(!format!("{:?}", as_time(&Value::Object(utc)).unwrap()).contains("m="));
        assert!(GoTime::now().mono.is_some());
    }
}
