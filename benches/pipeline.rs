//! The per-file pipeline under criterion: one descriptor through parse, schema and rules
//! (`lint`), and one MTA file with its descriptor through the deployment model and the
//! effective configuration. Run with `cargo bench --bench pipeline`; figures in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;
use xsuaa_lint::text::source::SourceFile;

const DESCRIPTOR: &str = include_str!("../examples/bookshop/xs-security.json");

fn lint_descriptor(c: &mut Criterion) {
    let source = SourceFile::new("xs-security.json", DESCRIPTOR.to_string());
    c.bench_function("lint one descriptor", |b| b.iter(|| xsuaa_lint::lint::lint(black_box(&source))));
    c.bench_function("parse one descriptor", |b| {
        b.iter(|| xsuaa_lint::syntax::json::parse(black_box(&source.text), 0).is_ok())
    });
}

fn evaluate_mta(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/bookshop");
    let mta = dir.join("mta.yaml");
    let text = std::fs::read_to_string(&mta).unwrap();
    c.bench_function("mta.yaml with its descriptor: load and evaluate", |b| {
        b.iter(|| {
            let source = SourceFile::new("mta.yaml", text.clone());
            let set = xsuaa_lint::model::deployment::load(
                &mta,
                source,
                xsuaa_lint::model::deployment::FileFormat::Mta,
                &dir,
                &[],
                &xsuaa_lint::io::load::Disk,
            );
            set.instances
                .iter()
                .map(|i| xsuaa_lint::lint::instance::evaluate(&set, i, &Default::default()).findings.len())
                .sum::<usize>()
        })
    });
}

criterion_group!(benches, lint_descriptor, evaluate_mta);
criterion_main!(benches);
