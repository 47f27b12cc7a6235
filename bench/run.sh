#!/usr/bin/env bash
# Benchmarks, run by hand on an idle machine (not in CI): the performance targets of issue 23 and
# BENCHMARKS.md, each measured beside its peer with ../shared/bench/ratio.py (interleaved pairs,
# median ratio, load average printed), on trees made by ../shared/bench/gen-tree.py, page cache warm.
# Needs: ripgrep (`rg`), GNU time (/usr/bin/time), python3; hyperfine for --more.
# Usage: bench/run.sh [WORKDIR] [--more]
#   WORKDIR (default /tmp/xsuaa-lint-bench): the trees are made there once (default 200,000 files,
#   all formats, and the 1,000,000-file tree: about 7 GB and a few minutes).
#   --more: also the older comparisons (500 explicit paths, check-jsonschema with
#   CHECK_JSONSCHEMA=/path/to/check-jsonschema, audit of 300 repositories).
#   XSUAA_LINT=/path/to/xsuaa-lint: measure that binary instead of building the release one.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/xsuaa-lint-bench}
more=${2:-}
gen="$root/../shared/bench/gen-tree.py"
ratio="$root/../shared/bench/ratio.py"
mkdir -p "$work"
make_tree() { [ -d "$work/$1" ] || python3 "$gen" --out "$work/$1" "${@:2}" >/dev/null; }
make_tree default
make_tree all --formats all
make_tree big --files 1000000 --descriptors 25000
if [ -n "${XSUAA_LINT:-}" ]; then
  bin=$XSUAA_LINT
else
  cargo build --release --locked --manifest-path "$root/Cargo.toml" >/dev/null
  bin="$root/target/release/xsuaa-lint"
fi
# ratio.py from inside a tree (configuration lookup runs as a user's would): its last line.
pair() { (cd "$work/$1" && python3 "$ratio" -- "$2" "$3") | tail -n 1; }
# Peak memory (maximum resident set size) of a command run from inside a tree.
# (Exit status 1, findings, is the usual one.)
peak() { (cd "$work/$1" && { /usr/bin/time -f '%M' "${@:2}" 2>&1 >/dev/null || true; } | tail -n 1); }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f MB", kb / 1000 }'; }

echo "== xsuaa-lint $("$bin" --version | awk '{print $2}') ($bin), $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
check="$bin check --output-format json ."
isolated="$bin check --isolated --output-format json ."
audit="$bin audit --quiet --repos-at 2 --format json ."
for tree in default all; do
  echo "== $tree tree: check within 1.25x of rg --files (configuration lookup on), 1.15x with --isolated"
  echo "check / rg:              $(pair "$tree" "$check" "rg --files .")"
  echo "check --isolated / rg:   $(pair "$tree" "$isolated" "rg --files .")"
  echo "== $tree tree: audit --repos-at 2 within 1.15x of check"
  echo "audit / check:           $(pair "$tree" "$audit" "$check")"
done

echo "== peak memory: the 1,000,000-file tree under 40 MB and within 1.2x of the default tree's"
for tree in default big; do
  c=$(peak "$tree" $check)
  a=$(peak "$tree" $audit)
  r=$(peak "$tree" rg --files .)
  echo "$tree: check $(mb "$c"), audit --repos-at 2 $(mb "$a"), rg --files $(mb "$r")"
  if [ "$tree" = default ]; then check_default=$c; else check_big=$c; fi
done
awk -v a="$check_big" -v b="$check_default" 'BEGIN { printf "check, 1M tree / default tree: %.2fx\n", a / b }'

echo "== one descriptor, process start to exit: under 5 ms"
one=$(find "$work/default" -name xs-security.json -not -path '*/node_modules/*' | sort | head -n 1)
# Median and spread of 100 runs after 5 warm-ups, output thrown away (as ratio.py runs commands).
python3 - "$bin" "$one" <<'PY'
import statistics, subprocess, sys, time
cmd = [sys.argv[1], 'check', '--output-format', 'json', sys.argv[2]]
def once():
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000
for _ in range(5):
    once()
runs = sorted(once() for _ in range(100))
print(f'check of one descriptor: median {statistics.median(runs):.2f} ms (min {runs[0]:.2f}, 90th percentile {runs[89]:.2f}; 100 runs)')
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

[ "$more" = "--more" ] || exit 0
run() { hyperfine --style basic -i -N --export-json "$work/$1.json" "${@:2}" | grep -E 'Time|±|faster' ; }
make_tree small --files 20000 --descriptors 500
echo "== 500 descriptors of the small tree as explicit paths"
find "$work/small" -name 'xs-security*.json' -not -path '*/node_modules/*' | sort | head -n 500 > "$work/small-500.txt"
run explicit --warmup 1 --runs 10 "$bin check --isolated --output-format concise $(tr '\n' ' ' < "$work/small-500.txt")"
if [ -n "${CHECK_JSONSCHEMA:-}" ]; then
  run cjs --warmup 1 --runs 3 "$CHECK_JSONSCHEMA --schemafile $root/schemas/xs-security.schema.json $(tr '\n' ' ' < "$work/small-500.txt")"
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
