"""Data builders shared by the tests and the benchmarks (bench/ never imports tests/)."""
