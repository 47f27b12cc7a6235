//! Every reader is linear in its input: the complexity harness (`tests/complexity/harness.rs`)
//! at a small size, so that a debug build runs it in seconds. A ratio over the bound is
//! measured once more with more runs before it fails (a busy machine spoils one measurement).
//! Full size, release: `cargo run --release --example complexity`.
//! `XSUAA_LINT_COMPLEXITY_BYTES` changes `n`; `XSUAA_LINT_COMPLEXITY_ONLY` keeps the readers
//! whose name contains it.

#[path = "complexity/harness.rs"]
mod harness;

use std::time::Duration;

#[test]
fn every_reader_is_linear_in_its_input() {
    let n: usize = std::env::var("XSUAA_LINT_COMPLEXITY_BYTES").ok().and_then(|v| v.parse().ok()).unwrap_or(8 * 1024);
    let only = std::env::var("XSUAA_LINT_COMPLEXITY_ONLY").unwrap_or_default();
    let mut failed = Vec::new();
    for reader in harness::READERS.iter().filter(|r| r.name.contains(only.as_str())) {
        let m = harness::measure_twice_if_needed(reader, n, 3, Duration::from_millis(150));
        println!("{:<60} {:>7} B {:>10.2?} -> {:>10.2?}  x{:.1}", m.name, m.small_bytes, m.small, m.large, m.ratio());
        if let Some(why) = harness::known(m.name) {
            println!("  KNOWN, not failed: {why}");
        } else if m.ratio() > harness::MAX_RATIO {
            failed.push(format!("{}: {:?} at {} B, {:?} at 8x: x{:.1}", m.name, m.small, n, m.large, m.ratio()));
        }
    }
    assert!(failed.is_empty(), "not linear (bound x{}):\n{}", harness::MAX_RATIO, failed.join("\n"));
}

#[test]
fn the_harness_tells_a_quadratic_reader_from_a_linear_one() {
    // The measurement itself: a quadratic loop is caught, a linear one passes.
    fn quadratic(bytes: usize) -> harness::Work {
        let text = "a".repeat(bytes / 16);
        Box::new(move || {
            let mut count = 0usize;
            for i in 0..text.len() {
                count += text[i..].bytes().filter(|b| *b == b'a').count();
            }
            std::hint::black_box(count);
        })
    }
    fn linear(bytes: usize) -> harness::Work {
        let text = "a".repeat(bytes);
        Box::new(move || {
            std::hint::black_box(text.bytes().filter(|b| *b == b'a').count());
        })
    }
    let budget = Duration::from_millis(100);
    let q = harness::measure(&harness::Reader { name: "quadratic", build: quadratic }, 16 * 1024, 3, budget);
    assert!(q.ratio() > harness::MAX_RATIO, "{q:?}");
    let l = harness::measure_twice_if_needed(&harness::Reader { name: "linear", build: linear }, 512 * 1024, 5, budget);
    assert!(l.ratio() < harness::MAX_RATIO, "{l:?}");
}
