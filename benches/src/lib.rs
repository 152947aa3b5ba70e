//! Criterion benchmarks for ferroflux; see benches/README.md.
