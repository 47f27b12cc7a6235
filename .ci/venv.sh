#!/usr/bin/env bash
# Creates (or reuses) the Python venv with the tools of .ci/run and the packaging test, in the
# cargo target folder, and prints its path. Reinstalls when a requirements file changed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target_dir=$(cd "$root" && cargo metadata --format-version 1 --no-deps --offline 2>/dev/null |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
venv="$target_dir/ci-venv"
stamp=$(cat "$root/.ci/requirements.txt" "$root/.ci/requirements-lint.txt" | (sha256sum 2>/dev/null || shasum -a 256) | cut -c1-32)
if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/.ci/requirements.txt" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r "$root/.ci/requirements-lint.txt" >&2
  echo "$stamp" > "$venv/.stamp"
fi
echo "$venv"
