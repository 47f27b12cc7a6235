//! Long fuzzing runs of the harness in `tests/fuzz/harness.rs` (parse -> lint -> fix over JSON,
//! YAML and HCL), in release mode:
//!
//! ```sh
//! cargo run --release --example fuzz -- --iterations 10000000 --seed 1 --threads 2
//! cargo run --release --example fuzz -- --seed 1 --start 4711 --iterations 1   # replay one input
//! ```
//!
//! Options: `--seed N` (default 1), `--start I` (first input index, default 0), `--iterations N`
//! (default 1,000,000), `--threads N` (default: the machine's), `--timeout SECS` (an input that
//! runs longer is a failure, default 2; at ten times that, a hang that ends the process),
//! `--seconds SECS` (stop after this long), `--out DIR` (failing inputs, default `fuzz-out`),
//! `--keep-going` (save each distinct failure and go on), `--known TEXT` (a failure whose
//! location contains TEXT is counted but does not fail the run; repeatable), `--trace` (print
//! every index first: finds an input that aborts the process), `--dump N` (print N inputs from
//! `--start` instead of running them), `--extract` (write input `--start` to `--out`, for
//! `fixtures/fuzz-regressions/`), `--quiet` (no progress lines).
//! Exit status: 0 without failures, 1 with failures, 3 on a hang, 2 on a usage error.

#[path = "../tests/fuzz/harness.rs"]
mod harness;

use std::time::Duration;

fn main() {
    let mut config = harness::Config {
        iterations: 1_000_000,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        out_dir: "fuzz-out".into(),
        progress: Some(Duration::from_secs(30)),
        ..harness::Config::default()
    };
    let mut args = std::env::args().skip(1);
    let usage = |message: &str| -> ! {
        eprintln!("fuzz: {message}\nsee the comment at the top of examples/fuzz.rs for the options");
        std::process::exit(2)
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().unwrap_or_else(|| usage(&format!("{name} needs a value")));
        let mut number =
            |name: &str| value(name).parse::<u64>().unwrap_or_else(|_| usage(&format!("{name} needs a number")));
        match arg.as_str() {
            "--seed" => config.seed = number("--seed"),
            "--start" => config.start = number("--start"),
            "--iterations" => config.iterations = number("--iterations"),
            "--threads" => config.threads = number("--threads") as usize,
            "--timeout" => config.timeout = Duration::from_secs(number("--timeout")),
            "--seconds" => config.time_limit = Some(Duration::from_secs(number("--seconds"))),
            "--out" => config.out_dir = value("--out").into(),
            "--known" => config.known.push(value("--known")),
            "--keep-going" => config.keep_going = true,
            "--trace" => config.trace = true,
            "--quiet" => config.progress = None,
            "--dump" => {
                // Print the inputs instead of running them (to see what the generator makes).
                let corpus = harness::default_corpus();
                for index in config.start..config.start + number("--dump") {
                    let input = harness::generate(&corpus, config.seed, index);
                    println!(
                        "=== {index} {:?}: {}\n{}",
                        input.format,
                        input.recipe,
                        String::from_utf8_lossy(&input.bytes)
                    );
                }
                return;
            }
            "--extract" => {
                // Write input `--start` as a file under `--out` (for fixtures/fuzz-regressions/).
                let corpus = harness::default_corpus();
                let input = harness::generate(&corpus, config.seed, config.start);
                let saved = harness::save(&config.out_dir, "input", &input, config.seed, config.start, "extracted");
                println!("{}", saved.map_or("not saved".into(), |p| p.display().to_string()));
                return;
            }
            other => usage(&format!("unknown option {other}")),
        }
    }
    let corpus = harness::default_corpus();
    eprintln!(
        "fuzz: {} seeds, seed {}, inputs {}..{}, {} threads, timeout {:?}",
        corpus.len(),
        config.seed,
        config.start,
        config.start.saturating_add(config.iterations),
        config.threads,
        config.timeout
    );
    let summary = harness::run(&config, &corpus);
    println!(
        "executions: {} in {:.1?} ({:.0}/s); next index: {}; slowest: input {} in {:?}",
        summary.executions,
        summary.elapsed,
        summary.per_second(),
        config.start + summary.executions,
        summary.slowest.0,
        summary.slowest.1
    );
    for (index, took) in &summary.slow {
        println!("slow: input {index} took {took:?} (replay alone: --start {index} --iterations 1)");
    }
    for (signature, count, saved) in &summary.known {
        println!("known: {count} x {signature} (first saved to {saved:?})");
    }
    for f in &summary.failures {
        println!(
            "failure: input {} {:?} {} (saved to {:?})",
            f.index,
            f.kind,
            f.message.lines().next().unwrap_or(""),
            f.saved
        );
    }
    std::process::exit(if summary.failures.is_empty() { 0 } else { 1 });
}
