//! Go's `sort.Sort` (pattern-defeating quicksort, Go 1.19 and later), ported step for step.
//!
//! `sort.Sort` is not stable: chart versions that compare equal (`1.0.0+a` and `1.0.0+b`,
//! `v1.2` and `1.2.0`) end up in whatever order this exact sequence of comparisons and swaps
//! leaves them, so the artifact only matches Flux's byte for byte with the same algorithm.
//! Its pattern breaker is a deterministic xorshift seeded with the length: no randomness.

/// `sort.Sort(data)` where `less(x, y)` is `data.Less` on the elements.
pub(in crate::helmrepo) fn sort<T>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    let n = v.len();
    if n <= 1 {
        return;
    }
    let limit = bits_len(n);
    let mut s = Sorter { v, less };
    s.pdqsort(0, n as isize, limit);
}

/// Go's `bits.Len`: the number of bits needed to represent `x`.
fn bits_len(x: usize) -> isize {
    (usize::BITS - x.leading_zeros()) as isize
}

#[derive(PartialEq, Clone, Copy)]
enum Hint {
    Unknown,
    Increasing,
    Decreasing,
}

struct Sorter<'a, T, F> {
    v: &'a mut [T],
    less: &'a F,
}

impl<T, F: Fn(&T, &T) -> bool> Sorter<'_, T, F> {
    fn less(&self, i: isize, j: isize) -> bool {
        (self.less)(&self.v[i as usize], &self.v[j as usize])
    }

    fn swap(&mut self, i: isize, j: isize) {
        self.v.swap(i as usize, j as usize);
    }

    fn insertion_sort(&mut self, a: isize, b: isize) {
        let mut i = a + 1;
        while i < b {
            let mut j = i;
            while j > a && self.less(j, j - 1) {
                self.swap(j, j - 1);
                j -= 1;
            }
            i += 1;
        }
    }

    fn sift_down(&mut self, lo: isize, hi: isize, first: isize) {
        let mut root = lo;
        loop {
            let mut child = 2 * root + 1;
            if child >= hi {
                break;
            }
            if child + 1 < hi && self.less(first + child, first + child + 1) {
                child += 1;
            }
            if !self.less(first + root, first + child) {
                return;
            }
            self.swap(first + root, first + child);
            root = child;
        }
    }

    fn heap_sort(&mut self, a: isize, b: isize) {
        let first = a;
        let lo = 0;
        let hi = b - a;
        let mut i = (hi - 1) / 2;
        while i >= 0 {
            self.sift_down(i, hi, first);
            i -= 1;
        }
        let mut i = hi - 1;
        while i >= 0 {
            self.swap(first, first + i);
            self.sift_down(lo, i, first);
            i -= 1;
        }
    }

    fn pdqsort(&mut self, mut a: isize, mut b: isize, mut limit: isize) {
        const MAX_INSERTION: isize = 12;
        let mut was_balanced = true;
        let mut was_partitioned = true;
        loop {
            let length = b - a;
            if length <= MAX_INSERTION {
                self.insertion_sort(a, b);
                return;
            }
            if limit == 0 {
                self.heap_sort(a, b);
                return;
            }
            if !was_balanced {
                self.break_patterns(a, b);
                limit -= 1;
            }
            let (mut pivot, mut hint) = self.choose_pivot(a, b);
            if hint == Hint::Decreasing {
                self.reverse_range(a, b);
                pivot = (b - 1) - (pivot - a);
                hint = Hint::Increasing;
            }
            if was_balanced
                && was_partitioned
                && hint == Hint::Increasing
                && self.partial_insertion_sort(a, b)
            {
                return;
            }
            if a > 0 && !self.less(a - 1, pivot) {
                let mid = self.partition_equal(a, b, pivot);
                a = mid;
                continue;
            }
            let (mid, already_partitioned) = self.partition(a, b, pivot);
            was_partitioned = already_partitioned;
            let (left_len, right_len) = (mid - a, b - mid);
            let balance_threshold = length / 8;
            if left_len < right_len {
                was_balanced = left_len >= balance_threshold;
                self.pdqsort(a, mid, limit);
                a = mid + 1;
            } else {
                was_balanced = right_len >= balance_threshold;
                self.pdqsort(mid + 1, b, limit);
                b = mid;
            }
        }
    }

    fn partition(&mut self, a: isize, b: isize, pivot: isize) -> (isize, bool) {
        self.swap(a, pivot);
        let (mut i, mut j) = (a + 1, b - 1);
        while i <= j && self.less(i, a) {
            i += 1;
        }
        while i <= j && !self.less(j, a) {
            j -= 1;
        }
        if i > j {
            self.swap(j, a);
            return (j, true);
        }
        self.swap(i, j);
        i += 1;
        j -= 1;
        loop {
            while i <= j && self.less(i, a) {
                i += 1;
            }
            while i <= j && !self.less(j, a) {
                j -= 1;
            }
            if i > j {
                break;
            }
            self.swap(i, j);
            i += 1;
            j -= 1;
        }
        self.swap(j, a);
        (j, false)
    }

    fn partition_equal(&mut self, a: isize, b: isize, pivot: isize) -> isize {
        self.swap(a, pivot);
        let (mut i, mut j) = (a + 1, b - 1);
        loop {
            while i <= j && !self.less(a, i) {
                i += 1;
            }
            while i <= j && self.less(a, j) {
                j -= 1;
            }
            if i > j {
                break;
            }
            self.swap(i, j);
            i += 1;
            j -= 1;
        }
        i
    }

    fn partial_insertion_sort(&mut self, a: isize, b: isize) -> bool {
        const MAX_STEPS: usize = 5;
        const SHORTEST_SHIFTING: isize = 50;
        let mut i = a + 1;
        for _ in 0..MAX_STEPS {
            while i < b && !self.less(i, i - 1) {
                i += 1;
            }
            if i == b {
                return true;
            }
            if b - a < SHORTEST_SHIFTING {
                return false;
            }
            self.swap(i, i - 1);
            if i - a >= 2 {
                let mut j = i - 1;
                while j >= 1 {
                    if !self.less(j, j - 1) {
                        break;
                    }
                    self.swap(j, j - 1);
                    j -= 1;
                }
            }
            if b - i >= 2 {
                let mut j = i + 1;
                while j < b {
                    if !self.less(j, j - 1) {
                        break;
                    }
                    self.swap(j, j - 1);
                    j += 1;
                }
            }
        }
        false
    }

    fn break_patterns(&mut self, a: isize, b: isize) {
        let length = b - a;
        if length >= 8 {
            let mut random = length as u64;
            let modulus = 1u64 << bits_len(length as usize);
            let mut idx = a + (length / 4) * 2 - 1;
            while idx <= a + (length / 4) * 2 + 1 {
                random ^= random << 13;
                random ^= random >> 17;
                random ^= random << 5;
                let mut other = (random & (modulus - 1)) as isize;
                if other >= length {
                    other -= length;
                }
                self.swap(idx, a + other);
                idx += 1;
            }
        }
    }

    fn choose_pivot(&mut self, a: isize, b: isize) -> (isize, Hint) {
        const SHORTEST_NINTHER: isize = 50;
        const MAX_SWAPS: usize = 4 * 3;
        let l = b - a;
        let mut swaps = 0usize;
        let mut i = a + l / 4;
        let mut j = a + l / 4 * 2;
        let mut k = a + l / 4 * 3;
        if l >= 8 {
            if l >= SHORTEST_NINTHER {
                i = self.median(i - 1, i, i + 1, &mut swaps);
                j = self.median(j - 1, j, j + 1, &mut swaps);
                k = self.median(k - 1, k, k + 1, &mut swaps);
            }
            j = self.median(i, j, k, &mut swaps);
        }
        match swaps {
            0 => (j, Hint::Increasing),
            MAX_SWAPS => (j, Hint::Decreasing),
            _ => (j, Hint::Unknown),
        }
    }

    fn order2(&self, a: isize, b: isize, swaps: &mut usize) -> (isize, isize) {
        if self.less(b, a) {
            *swaps += 1;
            return (b, a);
        }
        (a, b)
    }

    fn median(&self, a: isize, b: isize, c: isize, swaps: &mut usize) -> isize {
        let (a, b) = self.order2(a, b, swaps);
        let (b, c) = self.order2(b, c, swaps);
        let _ = c;
        let (_a, b) = self.order2(a, b, swaps);
        b
    }

    fn reverse_range(&mut self, a: isize, b: isize) {
        let (mut i, mut j) = (a, b - 1);
        while i < j {
            self.swap(i, j);
            i += 1;
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_an_ordinary_sort() {
        for n in [0usize, 1, 2, 5, 12, 13, 49, 50, 51, 200, 1000] {
            let mut v: Vec<u64> = (0..n as u64).map(|i| (i * 7919 + 13) % 101).collect();
            let mut want = v.clone();
            want.sort();
            sort(&mut v, &|a: &u64, b: &u64| a < b);
            assert_eq!(v, want, "n={n}");
            // Reversed input (the decreasing hint) and sorted input (partial insertion sort).
            let mut r: Vec<u64> = (0..n as u64).rev().collect();
            sort(&mut r, &|a: &u64, b: &u64| a < b);
            assert!(r.windows(2).all(|w| w[0] <= w[1]));
        }
    }

    #[test]
    fn equal_elements_move_as_in_go() {
        // Pairs (key, original index) sorted by key only; the order of equal keys is what Go's
        // sort.Sort leaves (checked against Go 1.19's sort.Sort on the same input).
        let keys: Vec<u32> = (0..40).map(|i| (i * 13 % 7) as u32).collect();
        let mut v: Vec<(u32, usize)> = keys.iter().copied().zip(0..).collect();
        sort(&mut v, &|a: &(u32, usize), b: &(u32, usize)| a.0 < b.0);
        let order: Vec<usize> = v.iter().map(|p| p.1).collect();
        assert!(v.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(order, GO_ORDER_40, "Go's sort.Sort order of equal keys");
    }

    /// A fingerprint of where each original index ends up, as the Go program computes it.
    fn fingerprint(n: usize, m: usize, reverse: bool) -> u64 {
        let mut v: Vec<(usize, usize)> = (0..n).map(|i| ((i * i + 3 * i) % m, i)).collect();
        if reverse {
            sort(&mut v, &|a: &(usize, usize), b: &(usize, usize)| b.0 < a.0);
        } else {
            sort(&mut v, &|a: &(usize, usize), b: &(usize, usize)| a.0 < b.0);
        }
        v.iter().enumerate().fold(0u64, |h, (pos, p)| {
            (h * 31 + (p.1 * (pos + 1)) as u64) % 1_000_000_007
        })
    }

    #[test]
    fn long_inputs_with_duplicates_match_go() {
        // sort.Sort (and sort.Sort(sort.Reverse(..))) in Go 1.19 on the same keys: these
        // exercise partitionEqual, breakPatterns and the ninther pivot.
        assert_eq!(fingerprint(500, 11, false), 810_619_138);
        assert_eq!(fingerprint(500, 11, true), 803_611_293);
        assert_eq!(fingerprint(3000, 97, false), 454_232_876);
        assert_eq!(fingerprint(3000, 2, true), 34_738_654);
        assert_eq!(fingerprint(100, 100_000, false), 562_086_150);
    }

    /// Go 1.19: `sort.Sort` of 40 elements with keys `i*13%7`, printing the original indexes.
    const GO_ORDER_40: [usize; 40] = [
        28, 7, 0, 14, 35, 21, 6, 27, 20, 34, 13, 33, 5, 26, 19, 12, 4, 32, 25, 39, 18, 11, 10, 31,
        24, 38, 17, 3, 16, 30, 9, 23, 2, 37, 29, 15, 8, 36, 22, 1,
    ];
}
