//! The decimal arithmetic behind Sprig's `addf`, `add1f`, `subf`, `mulf` and `divf`
//! (shopspring/decimal): each operand becomes the shortest decimal that reads back as the
//! same float64, sums and products are exact, a quotient is rounded half away from zero to
//! 16 places after the point, and the result is read back as the nearest float64. So
//! `addf 0.1 0.2` is 0.3, `divf 2 3` is 0.6666666666666667 and no result is ever `-0`.

use rsa::BigUint;
use std::cmp::Ordering;

/// Places after the point a quotient keeps (shopspring's `DivisionPrecision`).
const DIVISION_PRECISION: i64 = 16;

/// `(-1)^neg × mag × 10^exp`; zero is never negative.
#[derive(Clone, Debug)]
pub(crate) struct Decimal {
    neg: bool,
    mag: BigUint,
    exp: i64,
}

fn pow10(n: u64) -> BigUint {
    let mut r = BigUint::from(1u8);
    let mut left = n;
    while left > 0 {
        let step = left.min(19);
        r *= BigUint::from(10u64.pow(step as u32));
        left -= step;
    }
    r
}

fn is_zero(m: &BigUint) -> bool {
    *m == BigUint::from(0u8)
}

impl Decimal {
    /// What `decimal.NewFromFloat` makes of `f`; its panic text for NaN and the infinities.
    pub(crate) fn from_f64(f: f64) -> Result<Decimal, String> {
        if f.is_nan() {
            return Err("Cannot create a Decimal from NaN".into());
        }
        if f.is_infinite() {
            let sign = if f > 0.0 { "+" } else { "-" };
            return Err(format!("Cannot create a Decimal from {sign}Inf"));
        }
        if f == 0.0 {
            return Ok(Decimal::zero());
        }
        // Rust's `{:e}` prints the shortest digits that read back as `f`, as Go's does.
        let text = format!("{:e}", f.abs());
        let (mantissa, exp) = text.split_once('e').expect("`{:e}` always has an exponent");
        let exp: i64 = exp.parse().expect("`{:e}` exponent is an integer");
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = format!("{int}{frac}");
        let mag = digits
            .parse::<BigUint>()
            .expect("`{:e}` mantissa digits are decimal");
        Ok(Decimal {
            neg: f < 0.0,
            mag,
            exp: exp - frac.len() as i64,
        })
    }

    fn zero() -> Decimal {
        Decimal {
            neg: false,
            mag: BigUint::from(0u8),
            exp: 0,
        }
    }

    fn new(neg: bool, mag: BigUint, exp: i64) -> Decimal {
        let neg = neg && !is_zero(&mag);
        Decimal { neg, mag, exp }
    }

    /// Both magnitudes scaled to the smaller exponent.
    fn aligned(&self, other: &Decimal) -> (BigUint, BigUint, i64) {
        let exp = self.exp.min(other.exp);
        let a = &self.mag * pow10((self.exp - exp) as u64);
        let b = &other.mag * pow10((other.exp - exp) as u64);
        (a, b, exp)
    }

    pub(crate) fn add(&self, other: &Decimal) -> Decimal {
        let (a, b, exp) = self.aligned(other);
        if self.neg == other.neg {
            return Decimal::new(self.neg, a + b, exp);
        }
        match a.cmp(&b) {
            Ordering::Less => Decimal::new(other.neg, b - a, exp),
            _ => Decimal::new(self.neg, a - b, exp),
        }
    }

    pub(crate) fn sub(&self, other: &Decimal) -> Decimal {
        let negated = Decimal::new(!other.neg, other.mag.clone(), other.exp);
        self.add(&negated)
    }

    pub(crate) fn mul(&self, other: &Decimal) -> Decimal {
        Decimal::new(
            self.neg != other.neg,
            &self.mag * &other.mag,
            self.exp + other.exp,
        )
    }

    /// `DivRound(other, 16)`: the quotient to 16 places, half away from zero. The panic text
    /// for a zero divisor.
    pub(crate) fn div(&self, other: &Decimal) -> Result<Decimal, String> {
        if is_zero(&other.mag) {
            return Err("decimal division by 0".into());
        }
        // self / other × 10^16 = self.mag × 10^shift / other.mag
        let shift = self.exp - other.exp + DIVISION_PRECISION;
        let (num, den) = if shift >= 0 {
            (&self.mag * pow10(shift as u64), other.mag.clone())
        } else {
            (self.mag.clone(), &other.mag * pow10(shift.unsigned_abs()))
        };
        let mut q = &num / &den;
        let r = &num % &den;
        if r.clone() + r >= den {
            q += BigUint::from(1u8);
        }
        Ok(Decimal::new(self.neg != other.neg, q, -DIVISION_PRECISION))
    }

    /// The nearest float64 (`Float64()`; out of range gives an infinity or zero, as Go's
    /// `ParseFloat` result does when its error is ignored).
    pub(crate) fn to_f64(&self) -> f64 {
        if is_zero(&self.mag) {
            return 0.0;
        }
        let sign = if self.neg { "-" } else { "" };
        format!("{sign}{}e{}", self.mag, self.exp)
            .parse()
            .unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Decimal;

    fn d(f: f64) -> Decimal {
        Decimal::from_f64(f).expect("finite")
    }

    /// Expected values from Sprig 3.2.3 (the gotmpl oracle).
    #[test]
    fn operations_land_where_shopspring_does() {
        assert_eq!(d(0.1).add(&d(0.2)).to_f64(), 0.3);
        assert_eq!(d(0.3).sub(&d(0.1)).to_f64(), 0.2);
        assert_eq!(
            d(1234567890123456.0).add(&d(0.0)).to_f64(),
            1234567890123456.0
        );
        assert_eq!(d(2.0).div(&d(3.0)).unwrap().to_f64(), 0.6666666666666667);
        assert_eq!(d(-2.0).div(&d(3.0)).unwrap().to_f64(), -0.6666666666666667);
        assert_eq!(d(1.0).div(&d(3e17)).unwrap().to_f64(), 0.0);
        assert_eq!(d(5e-17).div(&d(1.0)).unwrap().to_f64(), 1e-16);
        assert_eq!(d(-15e-17).div(&d(1.0)).unwrap().to_f64(), -2e-16);
        assert_eq!(d(1e300).div(&d(1e-300)).unwrap().to_f64(), f64::INFINITY);
        assert_eq!(d(1e200).mul(&d(1e200)).to_f64(), f64::INFINITY);
        let zero = d(-1.0).mul(&d(0.0)).to_f64();
        assert!(zero == 0.0 && zero.is_sign_positive());
        assert_eq!(d(1.0).div(&d(0.0)).unwrap_err(), "decimal division by 0");
        assert_eq!(
            Decimal::from_f64(f64::INFINITY).unwrap_err(),
            "Cannot create a Decimal from +Inf"
        );
    }
}
