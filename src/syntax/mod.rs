//! Layer 2: JSON (with comments), YAML, HCL and dotenv files read into trees or entries that
//! carry their spans.

pub mod dotenv;
pub mod hcl;
pub mod json;
pub mod yaml;
