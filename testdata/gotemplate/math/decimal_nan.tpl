{{ addf 1 (float64 "NaN") }}
