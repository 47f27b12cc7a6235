//! `xsuaa-lint server`: the language server, on standard input and output.

use super::exit::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::server::Ending;

#[derive(clap::Args, Debug)]
pub struct ServerArgs {
    /// Talk over standard input and output (the only transport; accepted because clients such
    /// as VS Code's pass it).
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_args: ServerArgs) -> i32 {
    match crate::server::run() {
        Ok(Ending::Orderly) => EXIT_CLEAN,
        // The protocol's status for `exit` without `shutdown` (the value of EXIT_FINDINGS).
        Ok(Ending::WithoutShutdown) => EXIT_FINDINGS,
        Err(e) => {
            eprintln!("error: {}", crate::text::escape::terminal(&e.to_string()));
            EXIT_ERROR
        }
    }
}
