//! Shared fixtures for Cognate's Criterion benchmarks (the benchmarks are in `benches/benches/`).
