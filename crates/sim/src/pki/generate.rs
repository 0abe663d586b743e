//! Test PKI generation.

/// Placeholder.
#[derive(Debug)]
pub struct TestPki;
/// Placeholder.
#[derive(Debug)]
pub struct TestPkiConfig;
