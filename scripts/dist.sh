#!/usr/bin/env bash
# Turns the wheel of one target into the other release artifacts, so that the GitHub release,
# npm and PyPI all carry the same binary:
#
#   scripts/dist.sh TARGET WHEEL OUT
#
#   OUT/xsuaa-lint-TARGET.tar.gz   xsuaa-lint-TARGET/{xsuaa-lint[.exe],README.md,CHANGELOG.md,LICENSE}
#   OUT/xsuaa-lint-TARGET.zip      the same, for Windows targets
#   OUT/xsuaa-lint-cli-*.tgz       the npm package of the platform (npm/build.mjs, npm pack)
#
# Used by the release workflow and by tests/packaging/run.sh.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 TARGET WHEEL OUT" >&2
  exit 2
fi
target=$1
wheel=$2
out=$3
root=$(cd "$(dirname "$0")/.." && pwd)
# On Windows `python3` may be the Microsoft Store stub: prefer `python` there.
case "$target" in
  *windows*) python=$(command -v python || command -v python3) ;;
  *) python=$(command -v python3 || command -v python) ;;
esac
exe=xsuaa-lint
case "$target" in *windows*) exe=xsuaa-lint.exe ;; esac

# Windows programs (node, python) want Windows paths; Git Bash's own tools take both.
native() {
  if command -v cygpath >/dev/null 2>&1; then cygpath -w "$1"; else printf '%s\n' "$1"; fi
}

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The binary is the wheel's script (maturin's `bin` bindings put it in the .data folder).
"$python" -m zipfile -e "$(native "$wheel")" "$(native "$work/wheel")"
binary=$(find "$work/wheel" -path '*.data/scripts/*' -name "$exe" | head -n 1)
if [ -z "$binary" ]; then
  echo "$0: $wheel has no $exe script" >&2
  exit 1
fi
chmod +x "$binary"

name="xsuaa-lint-$target"
mkdir -p "$work/archive/$name"
cp "$binary" "$work/archive/$name/$exe"
cp "$root/README.md" "$root/CHANGELOG.md" "$root/LICENSE" "$work/archive/$name/"
tar -czf "$out/$name.tar.gz" -C "$work/archive" "$name"
case "$target" in
  *windows*) (cd "$work/archive" && "$python" -m zipfile -c "$(native "$out/$name.zip")" "$name") ;;
esac

staged=$(node "$(native "$root/npm/build.mjs")" platform "$target" "$(native "$binary")" "$(native "$work/npm")")
(cd "$staged" && npm pack --silent --pack-destination "$(native "$out")" > /dev/null)
ls "$out"
