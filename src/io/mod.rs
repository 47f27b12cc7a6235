//! Layer 7: the file system and git: which files a run reads, reading them inside the
//! repository, git history, atomic writes, the configuration file, remote repositories fetched
//! for an audit.

pub mod config;
pub mod discover;
pub mod history;
pub mod load;
pub mod remote;
pub mod write;
