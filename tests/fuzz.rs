//! The fuzz harness (`tests/fuzz/harness.rs`) as a test: a fixed number of inputs from a fixed
//! seed, so that CI stays fast and deterministic, and every input under
//! `fixtures/fuzz-regressions/` (each once made the harness fail). Long runs:
//! `cargo run --release --example fuzz -- --iterations 10000000` (see `examples/fuzz.rs`);
//! here, `XSUAA_LINT_FUZZ_ITERATIONS` and `XSUAA_LINT_FUZZ_SEED` change the count and seed.

#[path = "fuzz/harness.rs"]
mod harness;

use harness::{Config, Format};
use std::time::{Duration, Instant};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn fuzz_parse_lint_fix_without_failures() {
    let corpus = harness::default_corpus();
    for format in Format::ALL {
        let seeds = format.seed_format();
        assert!(corpus.iter().any(|s| s.format == seeds), "no seed of format {seeds:?} (for {format:?})");
    }
    let out_dir = tempfile::TempDir::new().unwrap();
    let config = Config {
        seed: env_number("XSUAA_LINT_FUZZ_SEED", 1),
        iterations: env_number("XSUAA_LINT_FUZZ_ITERATIONS", 2_000),
        threads: 2,
        // Debug builds are slow; a hang is far slower still.
        timeout: Duration::from_secs(20),
        out_dir: out_dir.path().to_path_buf(),
        ..Config::default()
    };
    let summary = harness::run(&config, &corpus);
    assert_eq!(summary.executions, config.iterations);
    let report: Vec<String> = summary
        .failures
        .iter()
        .map(|f| {
            let bytes = f.saved.as_ref().and_then(|p| std::fs::read(p).ok()).unwrap_or_default();
            format!("input {} ({:?}): {}\n{}", f.index, f.kind, f.message, String::from_utf8_lossy(&bytes))
        })
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n\n"));
}

#[test]
fn fuzz_regressions_run_clean() {
    let corpus = harness::default_corpus();
    let regressions = harness::regressions();
    assert!(!regressions.is_empty(), "fixtures/fuzz-regressions/ holds no input");
    let mut ws = harness::Workspace::new();
    ws.render_always = true;
    let mut failed = Vec::new();
    for seed in &regressions {
        // Each through every format's path, with a few choices of plan, base and fixes.
        for format in Format::ALL {
            for choice in 0..4 {
                let input = harness::Input { format, bytes: seed.bytes.clone(), recipe: seed.name.clone() };
                let started = Instant::now();
                let result = harness::execute(&input, &corpus, &ws, choice);
                if let Err((kind, message)) = result {
                    failed.push(format!("{} as {format:?} ({choice}): {kind:?} {message}", seed.name));
                } else if started.elapsed() > Duration::from_secs(10) {
                    failed.push(format!("{} as {format:?}: took {:?}", seed.name, started.elapsed()));
                }
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn the_diff_applier_of_the_harness_agrees_with_patch() {
    // The harness checks `--diff` with its own applier; it must read what `patch` reads.
    let old = "a\nb\r\nc\rd\ne";
    let new = "a\nB\r\nc\rD\ne\n";
    let patch = xsuaa_lint::report::diff::unified("x.json", old, new);
    assert_eq!(harness::apply_unified(old, &patch).unwrap(), new);
    assert!(harness::apply_unified("z\n", &patch).is_err());
}

#[test]
fn the_harness_workspace_gives_mta_inputs_descriptors_and_extensions() {
    // MTA inputs name `path: ./xs-security.json` and extend `bookshop`: the workspace must hold
    // both, or the harness would never reach the merge of layers.
    use xsuaa_lint::lint::set::{judge_set, Declaration, SetOptions};
    use xsuaa_lint::model::deployment::FileFormat;
    let ws = harness::Workspace::new();
    let path = ws.root.join("mta.yaml");
    let declaration = Declaration { path: &path, kind: FileFormat::Mta, root: &ws.root, extensions: &ws.extensions };
    let options = SetOptions {
        policies: &[],
        base_of: &|_, _| None,
        filter: &|_, _| {},
        fix: None,
        recommendations: None,
        live: None,
    };
    let files = harness::Overlay { workspace: &ws, extra: None };
    let source = xsuaa_lint::text::source::SourceFile::new("mta.yaml", ws.mta.clone());
    let outcome = judge_set(&declaration, source, &files, &options);
    assert_eq!(outcome.set.instances.len(), 2);
    assert!(outcome.set.problems.is_empty(), "{:?}", outcome.set.problems);
    // The MTA, both descriptors, the extension that extends it and the `manifest.yml` that
    // binds an app to it.
    assert_eq!(outcome.set.files.len(), 5, "{:?}", outcome.set.paths);
}
