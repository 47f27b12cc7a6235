#!/usr/bin/env bash
# Writes the content of the pre-commit mirror repository (xsuaa-lint-pre-commit) into OUT: the
# hooks of .pre-commit-hooks.yaml with `language: python` instead of `language: rust`, and a
# pyproject.toml that pins the xsuaa-lint wheel of Cargo.toml's version. The release workflow
# commits OUT to the mirror repository and tags it; .ci/run's packaging test installs it.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 OUT" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
out=$1
version=$(sed -n '/^\[package\]/,/^\[/ s/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml")
if [ -z "$version" ]; then
  echo "$0: no [package] version in Cargo.toml" >&2
  exit 2
fi
mkdir -p "$out"
for template in "$root"/pre-commit-mirror/*.in; do
  sed "s/@VERSION@/$version/g" "$template" > "$out/$(basename "$template" .in)"
done
{
  echo "# Generated from xsuaa-lint's .pre-commit-hooks.yaml by scripts/pre-commit-mirror.sh:"
  echo "# the same hooks, installed from the xsuaa-lint wheel on PyPI (language: python)."
  grep -v '^#' "$root/.pre-commit-hooks.yaml" | sed 's/^\(  language:\) rust$/\1 python/'
} > "$out/.pre-commit-hooks.yaml"
if grep -q 'language: rust' "$out/.pre-commit-hooks.yaml" || ! grep -q 'language: python' "$out/.pre-commit-hooks.yaml"; then
  echo "$0: could not turn every hook into language: python" >&2
  exit 1
fi
echo "$out"
