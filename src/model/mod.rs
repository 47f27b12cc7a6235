//! Layer 3: what the files mean: the security descriptor, the deployment formats that declare
//! instances, and the effective configuration of each instance. No I/O.

pub mod deployment;
pub mod descriptor;
pub mod effective;
pub mod environment;
pub mod names;
pub mod platform;
