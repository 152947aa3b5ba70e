//! Random primes for RSA keys (`genPrivateKey`, `genCA`, `genSelfSignedCert`, …).
//!
//! The `rsa` crate's key generation spends nearly all its time in `num-bigint-dig`'s modular
//! exponentiation, 3–4x slower than Go's assembly: a chart calling `genCA` a few times rendered
//! slower than Helm. Here candidates are sieved by every odd prime below 2^16 (a fifth of them
//! survive to a Miller–Rabin test where `num-bigint-dig`'s sieve by primes up to 53 lets through
//! over a half), and the tests run on Montgomery arithmetic over 64-bit limbs with a dedicated
//! squaring and, for the base-2 round that rejects most composites, doublings in place of
//! multiplications.
//! Like Go before 1.24, the search starts at a random odd number with its top two bits set (so the
//! product of two such primes has exactly twice their length) and walks up to the next prime.

use rand_core::RngCore;
use rsa::BigUint;

/// Odd primes below this are sieved out before any Miller–Rabin test.
const SIEVE_LIMIT: u32 = 1 << 16;
/// Odd offsets from the random start examined at once.
const WINDOW: usize = 4096;

/// A random prime of exactly `bits` bits (at least 16), its two top bits set.
pub(crate) fn random_prime(bits: usize, rng: &mut impl RngCore) -> BigUint {
    assert!(bits >= 16, "prime size must be at least 16 bits");
    // Only primes below every candidate (the top two bits are set): a sieve prime must never
    // strike a candidate equal to itself.
    let small: Vec<u32> = small_primes()
        .into_iter()
        .filter(|&p| bits > 64 || u64::from(p) < 1u64 << (bits - 2))
        .collect();
    // Random rounds after the base-2 one; for random candidates of these sizes a handful already
    // puts the chance of a composite far below 2^-100 (Damgård, Landrock and Pomerance).
    let rounds = match bits {
        1024.. => 5,
        512.. => 10,
        _ => 20,
    };
    loop {
        let start = random_start(bits, rng);
        let residues: Vec<u32> = small.iter().map(|&p| rem_small(&start, p)).collect();
        // composite[k]: start + 2k has a small prime factor.
        let mut composite = vec![false; WINDOW];
        for (&p, &r) in small.iter().zip(&residues) {
            // First k with r + 2k ≡ 0 (mod p): k ≡ -r · 2⁻¹ (mod p), and 2⁻¹ = (p + 1) / 2.
            let half = u64::from(p.div_ceil(2));
            let mut k = ((u64::from(p - r) % u64::from(p)) * half % u64::from(p)) as usize;
            while k < WINDOW {
                composite[k] = true;
                k += p as usize;
            }
        }
        for (k, _) in composite.iter().enumerate().filter(|(_, c)| !**c) {
            let candidate = add_small(&start, 2 * k as u64);
            if bit_len(&candidate) != bits {
                break;
            }
            if is_probable_prime(&candidate, rounds, rng) {
                return to_biguint(&candidate);
            }
        }
    }
}

/// Odd primes below [`SIEVE_LIMIT`] (Eratosthenes).
fn small_primes() -> Vec<u32> {
    let n = SIEVE_LIMIT as usize;
    let mut sieve = vec![true; n];
    let mut out = Vec::new();
    for i in 3..n {
        if sieve[i] && i % 2 == 1 {
            out.push(i as u32);
            (i * i..n).step_by(i).for_each(|j| sieve[j] = false);
        }
    }
    out
}

/// A random odd number of `bits` bits with its two top bits set, as little-endian limbs.
fn random_start(bits: usize, rng: &mut impl RngCore) -> Vec<u64> {
    let mut limbs = vec![0u64; bits.div_ceil(64)];
    for l in &mut limbs {
        *l = rng.next_u64();
    }
    let top = bits - 1 - (limbs.len() - 1) * 64;
    let last = limbs.len() - 1;
    if top < 63 {
        limbs[last] &= (1u64 << (top + 1)) - 1;
    }
    limbs[last] |= 1 << top;
    // The bit below the top one may sit in the limb before.
    if top == 0 {
        limbs[last - 1] |= 1 << 63;
    } else {
        limbs[last] |= 1 << (top - 1);
    }
    limbs[0] |= 1;
    limbs
}

fn rem_small(x: &[u64], p: u32) -> u32 {
    let p = u64::from(p);
    let mut r = 0u64;
    for &l in x.iter().rev() {
        r = ((r << 32) | (l >> 32)) % p;
        r = ((r << 32) | (l & 0xffff_ffff)) % p;
    }
    r as u32
}

fn add_small(x: &[u64], v: u64) -> Vec<u64> {
    let mut out = x.to_vec();
    let mut carry = v;
    for l in &mut out {
        let (s, c) = l.overflowing_add(carry);
        *l = s;
        carry = u64::from(c);
        if carry == 0 {
            break;
        }
    }
    if carry != 0 {
        out.push(carry);
    }
    out
}

fn bit_len(x: &[u64]) -> usize {
    let top = x.iter().rposition(|&l| l != 0).unwrap_or(0);
    top * 64 + (64 - x[top].leading_zeros() as usize)
}

fn to_biguint(x: &[u64]) -> BigUint {
    let bytes: Vec<u8> = x.iter().flat_map(|l| l.to_le_bytes()).collect();
    BigUint::from_bytes_le(&bytes)
}

fn from_biguint(x: &BigUint, limbs: usize) -> Vec<u64> {
    let mut bytes = x.to_bytes_le();
    bytes.resize(limbs * 8, 0);
    bytes
        .chunks(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

/// Miller–Rabin with base 2 first (most composites fail it), then `rounds` random bases.
fn is_probable_prime(n: &[u64], rounds: usize, rng: &mut impl RngCore) -> bool {
    let m = Montgomery::new(n);
    // n - 1 = d · 2^s
    let mut n_minus_1 = n.to_vec();
    n_minus_1[0] -= 1; // n is odd
    let s = trailing_zeros(&n_minus_1);
    let d = shift_right(&n_minus_1, s);
    let one = m.one.clone();
    let minus_one = sub(n, &m.one);
    let witness = |base: Option<&[u64]>| -> bool {
        let mut x = match base {
            Some(b) => m.pow(&m.to_mont(b), &d),
            None => m.pow2(&d),
        };
        if x == one || x == minus_one {
            return false;
        }
        for _ in 1..s {
            x = m.sqr(&x);
            if x == minus_one {
                return false;
            }
            if x == one {
                return true;
            }
        }
        true
    };
    if witness(None) {
        return false;
    }
    let bits = bit_len(n);
    for _ in 0..rounds {
        // A base in [2, n - 2]: random bits below n's top bit, at least 2.
        let mut base = random_below_top(bits, n.len(), rng);
        if base.iter().skip(1).all(|&l| l == 0) && base[0] < 2 {
            base[0] = 2;
        }
        if witness(Some(&base)) {
            return false;
        }
    }
    true
}

fn random_below_top(bits: usize, limbs: usize, rng: &mut impl RngCore) -> Vec<u64> {
    let mut x: Vec<u64> = (0..limbs).map(|_| rng.next_u64()).collect();
    let keep = bits - 1 - (limbs - 1) * 64; // bits kept in the top limb
    x[limbs - 1] &= if keep == 0 { 0 } else { (1u64 << keep) - 1 };
    x
}

fn trailing_zeros(x: &[u64]) -> usize {
    let i = x.iter().position(|&l| l != 0).expect("nonzero");
    i * 64 + x[i].trailing_zeros() as usize
}

fn shift_right(x: &[u64], s: usize) -> Vec<u64> {
    let (limbs, bits) = (s / 64, s % 64);
    let mut out = vec![0u64; x.len()];
    for i in 0..x.len() - limbs {
        let lo = x[i + limbs] >> bits;
        let hi = match (bits, x.get(i + limbs + 1)) {
            (0, _) | (_, None) => 0,
            (b, Some(&h)) => h << (64 - b),
        };
        out[i] = lo | hi;
    }
    out
}

/// `a - b` for `a >= b`, same length.
fn sub(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = vec![0u64; a.len()];
    let mut borrow = false;
    for i in 0..a.len() {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        out[i] = d2;
        borrow = b1 || b2;
    }
    out
}

/// Arithmetic modulo an odd `n` in Montgomery form (R = 2^(64·limbs)).
struct Montgomery {
    n: Vec<u64>,
    /// -n⁻¹ mod 2^64
    n_inv: u64,
    /// R² mod n, to bring numbers in.
    r2: Vec<u64>,
    /// R mod n: one, in Montgomery form.
    one: Vec<u64>,
}

impl Montgomery {
    fn new(n: &[u64]) -> Self {
        let mut inv = 1u64;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(n[0].wrapping_mul(inv)));
        }
        let big_n = to_biguint(n);
        let r = (BigUint::from(1u8) << (64 * n.len())) % &big_n;
        let r2 = (&r * &r) % &big_n;
        Montgomery {
            n: n.to_vec(),
            n_inv: inv.wrapping_neg(),
            r2: from_biguint(&r2, n.len()),
            one: from_biguint(&r, n.len()),
        }
    }

    fn to_mont(&self, x: &[u64]) -> Vec<u64> {
        self.mul(x, &self.r2)
    }

    /// a · b · R⁻¹ mod n: the full product, then reduced.
    fn mul(&self, a: &[u64], b: &[u64]) -> Vec<u64> {
        let len = self.n.len();
        let mut t = vec![0u64; 2 * len + 1];
        for (i, &bi) in b.iter().enumerate() {
            t[i + len] = mac_row(&mut t[i..i + len], a, bi);
        }
        self.reduce(t)
    }

    /// a² · R⁻¹ mod n: each cross term computed once and doubled; about a quarter fewer limb
    /// products than [`Self::mul`].
    fn sqr(&self, a: &[u64]) -> Vec<u64> {
        let len = self.n.len();
        let mut t = vec![0u64; 2 * len + 1];
        for i in 0..len {
            t[i + len] = mac_row(&mut t[2 * i + 1..i + len], &a[i + 1..], a[i]);
        }
        let mut top = 0u64;
        for l in &mut t[..2 * len] {
            let next = *l >> 63;
            *l = (*l << 1) | top;
            top = next;
        }
        let mut carry = 0u64;
        for (pair, &ai) in t.chunks_exact_mut(2).zip(a) {
            let sq = u128::from(ai) * u128::from(ai);
            let s = u128::from(pair[0]) + u128::from(sq as u64) + u128::from(carry);
            pair[0] = s as u64;
            let s = u128::from(pair[1]) + (sq >> 64) + (s >> 64);
            pair[1] = s as u64;
            carry = (s >> 64) as u64;
        }
        self.reduce(t)
    }

    /// t · R⁻¹ mod n for t < n·R held in 2·len + 1 limbs (separated operand scanning).
    fn reduce(&self, mut t: Vec<u64>) -> Vec<u64> {
        let n = &self.n;
        let len = n.len();
        let mut high = 0u64;
        for i in 0..len {
            let u = t[i].wrapping_mul(self.n_inv);
            let carry = mac_row(&mut t[i..i + len], n, u);
            let s = u128::from(t[i + len]) + u128::from(carry) + u128::from(high);
            t[i + len] = s as u64;
            high = (s >> 64) as u64;
        }
        let mut out = t[len..2 * len].to_vec();
        if high != 0 || !less(&out, n) {
            out = sub(&out, n);
        }
        out
    }

    /// 2^exp in Montgomery form, left to right: a doubling (shift, subtract) stands for each
    /// multiplication by the base.
    fn pow2(&self, exp: &[u64]) -> Vec<u64> {
        let mut acc = self.one.clone();
        let mut started = false;
        for &limb in exp.iter().rev() {
            for bit in (0..64).rev() {
                if started {
                    acc = self.sqr(&acc);
                }
                if (limb >> bit) & 1 == 1 {
                    let top = acc[acc.len() - 1] >> 63;
                    let mut carry = 0u64;
                    for l in &mut acc {
                        let next = *l >> 63;
                        *l = (*l << 1) | carry;
                        carry = next;
                    }
                    if top != 0 || !less(&acc, &self.n) {
                        acc = sub(&acc, &self.n);
                    }
                    started = true;
                }
            }
        }
        acc
    }

    /// base^exp, base and result in Montgomery form; 4-bit fixed windows.
    fn pow(&self, base: &[u64], exp: &[u64]) -> Vec<u64> {
        let mut table = vec![self.one.clone(), base.to_vec()];
        for i in 2..16 {
            table.push(self.mul(&table[i - 1], base));
        }
        let mut acc = self.one.clone();
        let mut started = false;
        for &limb in exp.iter().rev() {
            for shift in (0..16).rev() {
                let digit = ((limb >> (shift * 4)) & 0xf) as usize;
                if started {
                    for _ in 0..4 {
                        acc = self.sqr(&acc);
                    }
                }
                if digit != 0 {
                    acc = self.mul(&acc, &table[digit]);
                    started = true;
                }
            }
        }
        acc
    }
}

/// acc += x · y over the shorter of the two; returns the carry out (Go's `addMulVVW`).
#[inline]
fn mac_row(acc: &mut [u64], x: &[u64], y: u64) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("adx") && std::is_x86_feature_detected!("bmi2") {
        // SAFETY: the CPU has the instructions the function is compiled for.
        return unsafe { mac_row_adx(acc, x, y) };
    }
    mac_row_portable(acc, x, y)
}

/// [`mac_row`] with two carry chains (ADX's `adox` adds the low halves, `adcx` the high half of
/// the previous limb), so a limb costs about two cycles where the portable loop's single chain
/// costs four to six: this is most of a prime search's time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "adx,bmi2")]
unsafe fn mac_row_adx(acc: &mut [u64], x: &[u64], y: u64) -> u64 {
    let n = acc.len().min(x.len());
    if n == 0 {
        return 0;
    }
    let carry: u64;
    // SAFETY: reads x[..n] and reads/writes acc[..n], both in bounds; no stack use.
    unsafe {
        std::arch::asm!(
            "xor {prev:e}, {prev:e}", // also clears CF and OF
            "2:",
            "mulx {hi}, {lo}, qword ptr [{x}]",
            "adox {lo}, qword ptr [{acc}]",
            "adcx {lo}, {prev}",
            "mov qword ptr [{acc}], {lo}",
            "mov {prev}, {hi}",
            "lea {x}, [{x} + 8]",
            "lea {acc}, [{acc} + 8]",
            "lea rcx, [rcx - 1]", // lea and jrcxz leave the flags alone
            "jrcxz 3f",
            "jmp 2b",
            "3:",
            "mov {lo:e}, 0",
            "adcx {prev}, {lo}",
            "adox {prev}, {lo}",
            prev = out(reg) carry,
            hi = out(reg) _,
            lo = out(reg) _,
            x = inout(reg) x.as_ptr() => _,
            acc = inout(reg) acc.as_mut_ptr() => _,
            inout("rcx") n => _,
            in("rdx") y,
            options(nostack),
        );
    }
    carry
}

fn mac_row_portable(acc: &mut [u64], x: &[u64], y: u64) -> u64 {
    let mut carry = 0u64;
    for (a, &xi) in acc.iter_mut().zip(x) {
        let s = u128::from(*a) + u128::from(xi) * u128::from(y) + u128::from(carry);
        *a = s as u64;
        carry = (s >> 64) as u64;
    }
    carry
}

fn less(a: &[u64], b: &[u64]) -> bool {
    for i in (0..a.len()).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::BigUint;

    fn limbs(v: u128) -> Vec<u64> {
        vec![v as u64, (v >> 64) as u64]
    }

    #[test]
    fn montgomery_power_matches_biguint() {
        let n = (1u128 << 127) - 1; // a Mersenne prime, odd
        let m = Montgomery::new(&limbs(n));
        let (b, e) = (0x1234_5678_9abc_def0_u128, 0xfedc_ba98_7654_3210_0f0f_u128);
        let got = m.mul(&m.pow(&m.to_mont(&limbs(b)), &limbs(e)), &limbs(1));
        let want = BigUint::from(b).modpow(&BigUint::from(e), &BigUint::from(n));
        assert_eq!(to_biguint(&got), want);
    }

    #[test]
    fn both_multiply_accumulate_rows_agree() {
        let mut rng = rand_core::OsRng;
        for len in [1usize, 2, 3, 16, 31] {
            for y in [0u64, 1, u64::MAX, rng.next_u64()] {
                let x: Vec<u64> = (0..len)
                    .map(|i| if i % 3 == 0 { u64::MAX } else { rng.next_u64() })
                    .collect();
                let acc: Vec<u64> = (0..len)
                    .map(|i| if i % 2 == 0 { u64::MAX } else { rng.next_u64() })
                    .collect();
                let (mut a, mut b) = (acc.clone(), acc.clone());
                let (ca, cb) = (mac_row(&mut a, &x, y), mac_row_portable(&mut b, &x, y));
                assert_eq!((a, ca), (b, cb), "len {len}, y {y:#x}");
            }
        }
    }

    #[test]
    fn squaring_and_powers_of_two_match_multiplication() {
        for n in [
            (1u128 << 127) - 1,
            (1u128 << 89) - 1,
            0xffff_ffff_ffff_ffc5_u128,
        ] {
            let m = Montgomery::new(&limbs(n));
            for x in [0u128, 1, 2, 0xdead_beef, n - 1, n / 3] {
                let xm = m.to_mont(&limbs(x));
                assert_eq!(m.sqr(&xm), m.mul(&xm, &xm), "{x}² mod {n}");
            }
            for e in [0u128, 1, 2, 63, 64, 0xfedc_ba98_7654_3210_0f0f] {
                let two = m.to_mont(&limbs(2));
                assert_eq!(m.pow2(&limbs(e)), m.pow(&two, &limbs(e)), "2^{e} mod {n}");
            }
        }
    }

    #[test]
    fn miller_rabin_tells_primes_from_composites() {
        let mut rng = rand_core::OsRng;
        let prime = (1u128 << 127) - 1;
        assert!(is_probable_prime(&limbs(prime), 20, &mut rng));
        // 2^67 - 1 = 193707721 × 761838257287 (Cole).
        assert!(!is_probable_prime(&limbs((1u128 << 67) - 1), 20, &mut rng));
        // A Carmichael number, which fools Fermat's test: 41041 = 7·11·13·41, padded to a limb.
        assert!(!is_probable_prime(&[41041], 20, &mut rng));
    }

    #[test]
    fn random_primes_have_the_asked_length_and_top_bits() {
        let mut rng = rand_core::OsRng;
        for bits in [16, 64, 65, 127, 512] {
            let p = random_prime(bits, &mut rng);
            assert_eq!(p.bits(), bits);
            let second = BigUint::from(1u8) << (bits - 2);
            assert_eq!(&p & &second, second, "second bit of a {bits}-bit prime");
            let two = BigUint::from(2u8);
            // Fermat check with a base the search did not choose.
            let three = BigUint::from(3u8);
            let pm1 = &p - BigUint::from(1u8);
            assert_eq!(three.modpow(&pm1, &p), BigUint::from(1u8));
            assert_ne!(&p % &two, BigUint::from(0u8));
        }
    }
}
