//! xsuaa-lint: a linter for SAP BTP XSUAA application security descriptors and the files that
//! deploy them.
//!
//! The modules are layers; each imports only the layers above it in this list (the test
//! `layers_import_only_downward` in this file fails on an import that runs upward):
//!
//! 1. [`text`]: source files, spans, positions; escaping text for where it is printed.
//! 2. [`syntax`]: JSON, YAML, HCL and dotenv read into span trees.
//! 3. [`model`]: the descriptor, one reader per deployment format, the effective configuration
//!    of an instance. No I/O: files come through [`model::deployment::Files`].
//! 4. [`diagnostic`]: findings (a rule's code, a span, a message) and the edits of their fixes.
//! 5. [`rules`]: one file per rule and the registry.
//! 6. [`lint`]: pure: texts in, findings and fixes out; the one fix loop.
//! 7. [`io`]: discovering files, reading them inside the repository, git history, atomic
//!    writes, the configuration file.
//! 8. [`engine`]: runs the lint over paths, in path order.
//! 9. [`report`], [`runbook`], [`audit`], [`server`], [`live`]: outputs and front ends over the
//!    engine (`live` reads the platform through its command-line clients).
//! 10. [`cli`]: the command line.

pub mod audit;
pub mod cli;
pub mod diagnostic;
pub mod engine;
pub mod io;
pub mod lint;
pub mod live;
pub mod model;
pub mod report;
pub mod rules;
pub mod runbook;
pub mod server;
pub mod syntax;
pub mod text;
