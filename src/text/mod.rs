//! Layer 1: source files with their line index and spans, and escaping of text for where it
//! is printed.

pub mod escape;
pub mod source;
