//! Sprig's integer and float math.

use super::conv::{to_float64, to_int64};
use super::decimal::Decimal;
use super::{FuncMap, Ty};
use crate::value::Value;

/// Sprig's `execDecimalOp`: `first` then each of `rest` folded by `op` in decimal arithmetic.
fn decimal_op(
    first: &Value,
    rest: &[Value],
    op: impl Fn(&Decimal, &Decimal) -> Result<Decimal, String>,
) -> Result<Value, String> {
    let mut acc = Decimal::from_f64(to_float64(first))?;
    for x in rest {
        acc = op(&acc, &Decimal::from_f64(to_float64(x))?)?;
    }
    Ok(Value::Float(acc.to_f64()))
}

pub fn register(m: &mut FuncMap) {
    use Ty::*;
    m.pure("add1", &[Any], None, |a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_add(1)))
    });
    m.pure("add", &[], Some(Any), |a| {
        Ok(Value::Int64(
            a.iter().map(to_int64).fold(0i64, i64::wrapping_add),
        ))
    });
    m.pure("sub", &[Any, Any], None, |a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
    });
    m.pure("mul", &[Any], Some(Any), |a| {
        Ok(Value::Int64(
            a.iter().map(to_int64).fold(1i64, i64::wrapping_mul),
        ))
    });
    m.pure("div", &[Any, Any], None, |a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err("runtime error: integer divide by zero".into());
        }
        Ok(Value::Int64(to_int64(&a[0]).wrapping_div(d)))
    });
    m.pure("mod", &[Any, Any], None, |a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err("runtime error: integer divide by zero".into());
        }
        Ok(Value::Int64(to_int64(&a[0]).wrapping_rem(d)))
    });
    for name in ["max", "biggest"] {
        m.pure(name, &[Any], Some(Any), |a| {
            Ok(Value::Int64(a.iter().map(to_int64).max().unwrap_or(0)))
        });
    }
    m.pure("min", &[Any], Some(Any), |a| {
        Ok(Value::Int64(a.iter().map(to_int64).min().unwrap_or(0)))
    });
    m.pure("randInt", &[Int, Int], None, |a| {
        use rand::RngExt;
        let (lo, hi) = (to_int64(&a[0]), to_int64(&a[1]));
        if hi <= lo {
            return Err("invalid argument to Intn".into());
        }
        Ok(Value::Int(rand::rng().random_range(lo..hi)))
    });
    m.pure("add1f", &[Any], None, |a| {
        decimal_op(&a[0], &[Value::Int(1)], |x, y| Ok(x.add(y)))
    });
    m.pure("addf", &[], Some(Any), |a| {
        decimal_op(&Value::Float(0.0), &a, |x, y| Ok(x.add(y)))
    });
    m.pure("subf", &[Any], Some(Any), |a| {
        decimal_op(&a[0], &a[1..], |x, y| Ok(x.sub(y)))
    });
    m.pure("mulf", &[Any], Some(Any), |a| {
        decimal_op(&a[0], &a[1..], |x, y| Ok(x.mul(y)))
    });
    m.pure("divf", &[Any], Some(Any), |a| {
        decimal_op(&a[0], &a[1..], Decimal::div)
    });
    m.pure("maxf", &[Any], Some(Any), |a| {
        Ok(Value::Float(
            a.iter().map(to_float64).fold(f64::NEG_INFINITY, f64::max),
        ))
    });
    m.pure("minf", &[Any], Some(Any), |a| {
        Ok(Value::Float(
            a.iter().map(to_float64).fold(f64::INFINITY, f64::min),
        ))
    });
    m.pure("ceil", &[Any], None, |a| {
        Ok(Value::Float(to_float64(&a[0]).ceil()))
    });
    m.pure("floor", &[Any], None, |a| {
        Ok(Value::Float(to_float64(&a[0]).floor()))
    });
    m.pure("round", &[Any, Int], Some(Float), |a| {
        let on = a.get(2).map_or(0.5, to_float64);
        let val = to_float64(&a[0]);
        let pow = 10f64.powf(to_int64(&a[1]) as f64);
        let digit = pow * val;
        let frac = digit.fract();
        let r = if frac >= on {
            digit.ceil()
        } else {
            digit.floor()
        };
        Ok(Value::Float(r / pow))
    });
}
