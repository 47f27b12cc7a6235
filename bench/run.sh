#!/usr/bin/env bash
# Benchmarks, run by hand (not in CI): the targets of BENCHMARKS.md on trees made by
# ../shared/bench/gen-tree.py, timed with hyperfine (medians), page cache warm.
# Needs: hyperfine, ripgrep 15+ (`cargo install --locked ripgrep`), GNU time; for the check-jsonschema
# comparison, CHECK_JSONSCHEMA=/path/to/check-jsonschema (pip install check-jsonschema).
# Usage: bench/run.sh [WORKDIR] [--big]   (default /tmp/xsuaa-lint-bench; trees are made once;
#        --big also makes and measures a 1,000,000-file tree for the memory figure)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/xsuaa-lint-bench}
gen="$root/../shared/bench/gen-tree.py"
mkdir -p "$work"
make_tree() { [ -d "$work/$1" ] || python3 "$gen" --out "$work/$1" "${@:2}" >/dev/null; }
make_tree default
make_tree small --files 20000 --descriptors 500
cargo build --release --manifest-path "$root/Cargo.toml" >/dev/null
bin="$root/target/release/xsuaa-lint"
run() { hyperfine --style basic -i -N --export-json "$work/$1.json" "${@:2}" | grep -E 'Time|±|faster' ; }

echo "== the targets: from inside the default tree, configuration lookup on (and --isolated), vs rg --files"
uptime
ratio="$root/../shared/bench/ratio.py"
(cd "$work/default" && python3 "$ratio" -- "$bin check --output-format json ." "rg --files .")
(cd "$work/default" && python3 "$ratio" -- "$bin check --isolated --output-format json ." "rg --files .")
(cd "$work/default" && python3 "$ratio" -- "$bin audit --isolated --quiet --repos-at 2 . --format json" "$bin check --isolated --output-format json .")
make_tree all --formats all
(cd "$work/all" && python3 "$ratio" -- "$bin check --output-format json ." "rg --files .")

echo "== check on the whole default tree vs rg --files"
run default --warmup 1 --runs 7 "rg --files $work/default" "$bin check --isolated $work/default --output-format concise"

echo "== 500 descriptors of the small tree as explicit paths"
find "$work/small" -name 'xs-security*.json' -not -path '*/node_modules/*' | sort | head -n 500 > "$work/small-500.txt"
run explicit --warmup 1 --runs 10 "$bin check --isolated --output-format concise $(tr '\n' ' ' < "$work/small-500.txt")"
if [ -n "${CHECK_JSONSCHEMA:-}" ]; then
  run cjs --warmup 1 --runs 3 "$CHECK_JSONSCHEMA --schemafile $root/schemas/xs-security.schema.json $(tr '\n' ' ' < "$work/small-500.txt")"
fi

echo "== one descriptor (the pre-commit case)"
one=$(head -n 1 "$work/small-500.txt")
run one --warmup 3 --runs 50 "$bin check --isolated --output-format concise $one"

echo "== peak memory (GNU time, maximum resident set size in KB)"
for tree in small default; do
  printf '%s: ' "$tree"; /usr/bin/time -f '%M KB' "$bin" check --isolated "$work/$tree" --output-format concise 2>&1 >/dev/null | tail -n 1 || true
done
if [ "${2:-}" = "--big" ]; then
  make_tree big --files 1000000 --descriptors 25000
  printf 'big: '; /usr/bin/time -f '%M KB' "$bin" check --isolated "$work/big" --output-format concise 2>&1 >/dev/null | tail -n 1 || true
  run big --warmup 1 --runs 3 "rg --files $work/big" "$bin check --isolated $work/big --output-format concise"
fi

echo "== audit over 300 repositories vs check on the same files"
if [ ! -d "$work/repos" ]; then
  cp -r "$work/default" "$work/repos"
  # Every project folder (a folder two levels down holding package.json) becomes a repository.
  find "$work/repos" -mindepth 2 -maxdepth 3 -name package.json -not -path '*/node_modules/*' -printf '%h\n' \
    | sort | head -n 300 | while read -r d; do mkdir -p "$d/.git"; done || true
fi
echo "repositories: $(find "$work/repos" -name .git -type d | wc -l)"
run audit --warmup 1 --runs 5 "$bin check --isolated $work/repos --output-format concise" "$bin audit --isolated --quiet $work/repos --format json"

echo "== audit --repos-at 2 (each project folder a repository) beside check on the same tree"
run audit-repos-at --warmup 1 --runs 10 "$bin check --isolated $work/default --output-format concise" "$bin audit --isolated --quiet --repos-at 2 $work/default --format json"
printf 'check: '; /usr/bin/time -f '%M KB' "$bin" check --isolated "$work/default" --output-format concise 2>&1 >/dev/null | tail -n 1 || true
printf 'audit: '; /usr/bin/time -f '%M KB' "$bin" audit --isolated --quiet --repos-at 2 "$work/default" --format json 2>&1 >/dev/null | tail -n 1 || true
if [ "${2:-}" = "--big" ]; then
  run audit-repos-at-big --warmup 1 --runs 3 "$bin check --isolated $work/big --output-format concise" "$bin audit --isolated --quiet --repos-at 2 $work/big --format json"
  printf 'big audit: '; /usr/bin/time -f '%M KB' "$bin" audit --isolated --quiet --repos-at 2 "$work/big" --format json 2>&1 >/dev/null | tail -n 1 || true
fi
