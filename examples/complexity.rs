//! The complexity harness (`tests/complexity/harness.rs`) at full size, in release mode:
//!
//! ```sh
//! cargo run --release --example complexity                 # n = 100 KB, every reader
//! cargo run --release --example complexity -- --bytes 50000 --only shell
//! ```
//!
//! Each reader gets inputs of `n` and `8n` bytes; it fails when the time ratio is over 12
//! (linear: about 8) or when the large input takes a second or more.
//! Exit status: 0 when every reader passes, 1 otherwise, 2 on a usage error.

#[path = "../tests/complexity/harness.rs"]
mod harness;

use std::time::Duration;

fn main() {
    let mut n = 100_000;
    let mut only = String::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--bytes", Some(v)) => n = v.parse().unwrap_or_else(|_| usage()),
            ("--only", Some(v)) => only = v,
            _ => usage(),
        }
    }
    let mut failed = 0;
    for reader in harness::READERS.iter().filter(|r| r.name.contains(only.as_str())) {
        let m = harness::measure_twice_if_needed(reader, n, 3, Duration::from_millis(500));
        let verdict = if m.ratio() > harness::MAX_RATIO && harness::known(m.name).is_some() {
            "NOT LINEAR (known)"
        } else if m.ratio() > harness::MAX_RATIO {
            "NOT LINEAR"
        } else if m.large >= Duration::from_secs(1) {
            "OVER 1 s"
        } else {
            "ok"
        };
        if verdict != "ok" {
            failed += 1;
        }
        println!(
            "{:<60} {:>8} B {:>10.2?} -> {:>10.2?} at {:>8} B  x{:<5.1} {verdict}",
            m.name,
            m.small_bytes,
            m.small,
            m.large,
            8 * n,
            m.ratio()
        );
    }
    std::process::exit(i32::from(failed > 0));
}

fn usage() -> ! {
    eprintln!("complexity: usage: [--bytes N] [--only TEXT]");
    std::process::exit(2)
}
