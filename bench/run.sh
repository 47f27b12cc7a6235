#!/usr/bin/env bash
# Benchmarks (run by hand, not in CI): `check` on synthetic trees from ../shared/bench/gen-tree.py
# beside `rg --files` (ripgrep 15 or later: `cargo install ripgrep`), under hyperfine.
# Usage: bench/run.sh [WORKDIR]   (default /tmp/xsuaa-lint-bench; trees are generated once)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/xsuaa-lint-bench}
gen="$root/../shared/bench/gen-tree.py"
mkdir -p "$work"
[ -d "$work/default" ] || python3 "$gen" --out "$work/default" --manifest "$work/default.manifest" >/dev/null
[ -d "$work/small" ] || python3 "$gen" --out "$work/small" --files 20000 --descriptors 500 --manifest "$work/small.manifest" >/dev/null
cargo build --release --manifest-path "$root/Cargo.toml" >/dev/null
bin="$root/target/release/xsuaa-lint"
one=$(find "$work/default" -name xs-security.json -not -path '*/node_modules/*' | head -n 1)

hyperfine --warmup 1 --runs 7 -i -N \
  "rg --files $work/default" \
  "$bin check $work/default --output-format concise" \
  "$bin check $work/default --output-format json"
hyperfine --warmup 3 --runs 30 -i -N "$bin check $one --output-format concise"
/usr/bin/time -v "$bin" check "$work/default" --output-format concise 2>&1 >/dev/null | grep 'Maximum resident'
