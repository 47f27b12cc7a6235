//! xsuaa-lint: a linter for SAP BTP XSUAA application security descriptors.
//!
//! The pipeline, one module per stage: [`discover`] -> [`load`] -> [`parse`] (spans) ->
//! [`descriptor`] (model) -> [`schema`] and [`rules`] -> [`diagnostic`] and [`fix`] ->
//! [`report`] or apply. [`lint`] is the pure core for one text; [`engine`] runs it over paths;
//! [`cli`] is the command line; [`server`] the language server.

pub mod audit;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod deployment;
pub mod descriptor;
pub mod diagnostic;
pub mod discover;
pub mod dotenv;
pub mod edit;
pub mod effective;
pub mod engine;
pub mod environment;
pub mod escape;
pub mod hcl;
pub mod history;
pub mod inventory;
pub mod lint;
pub mod live;
pub mod load;
pub mod names;
pub mod parse;
pub mod platform;
pub mod policy;
pub mod recommendations;
pub mod report;
pub mod rules;
pub mod runbook;
pub mod server;
pub mod source;
pub mod suggest;
pub mod write;
pub mod yaml;
