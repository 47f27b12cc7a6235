#!/bin/sh
# Smoke test of the release artifacts of one target, on a machine of that target:
#
#   sh tests/packaging/smoke.sh TARGET DIST [PARTS]
#
# DIST holds what scripts/dist.sh and maturin wrote: xsuaa-lint-TARGET.tar.gz, the wheel, the
# npm package of the platform and the launcher's (xsuaa-lint-VERSION.tgz). PARTS is a subset of
# "binary wheel npm" (default: all). Each part installs its artifact into a scratch folder, with
# no network, and runs `xsuaa-lint check` on a descriptor that must fail (exit 1: only
# instance-secret) and one that must pass (exit 0). POSIX sh, for Alpine containers too.
# Used by the release workflow on each target and by tests/packaging/run.sh.
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 TARGET DIST [PARTS]" >&2
  exit 2
fi
target=$1
dist=$(cd "$2" && pwd)
parts=${3:-binary wheel npm}
root=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n '/^\[package\]/,/^\[/ s/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml")
case "$target" in *windows*) exe=xsuaa-lint.exe ;; *) exe=xsuaa-lint ;; esac

# Windows programs (node, npm, python) want Windows paths; Git Bash's own tools take both.
native() {
  if command -v cygpath > /dev/null 2>&1; then cygpath -w "$1"; else printf '%s\n' "$1"; fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/fixtures/corpus/instance-secret-only.json" "$work/flagged.json"
cp "$root/fixtures/rules/XS102/ok/binding-only/xs-security.json" "$work/clean.json"

passed=0
failed=0
# expect STATUS DESCRIPTION COMMAND...: runs COMMAND in the scratch folder.
expect() {
  want=$1
  what=$2
  shift 2
  set +e
  (cd "$work" && "$@") > "$work/out" 2>&1
  got=$?
  set -e
  if [ "$got" = "$want" ]; then
    passed=$((passed + 1))
    echo "ok: $what"
  else
    failed=$((failed + 1))
    echo "FAIL: $what: exit $got, expected $want"
    sed 's/^/    /' "$work/out"
  fi
}
# expect_output TEXT DESCRIPTION COMMAND...: COMMAND exits 0 and prints TEXT.
expect_output() {
  text=$1
  what=$2
  shift 2
  expect 0 "$what" "$@"
  if ! grep -qF -- "$text" "$work/out"; then
    passed=$((passed - 1))
    failed=$((failed + 1))
    echo "FAIL: $what: no \"$text\" in the output"
    sed 's/^/    /' "$work/out"
  fi
}
checks() { # LABEL COMMAND...
  label=$1
  shift
  expect_output "xsuaa-lint $version" "$label: --version" "$@" --version
  expect 1 "$label: a descriptor with only instance-secret fails" "$@" check flagged.json
  expect 0 "$label: a clean descriptor passes" "$@" check clean.json
}

for part in $parts; do
  case "$part" in
    binary)
      mkdir -p "$work/archive"
      tar -xzf "$dist/xsuaa-lint-$target.tar.gz" -C "$work/archive"
      checks "archive $target" "$work/archive/xsuaa-lint-$target/$exe"
      ;;
    wheel)
      # On Windows `python3` may be the Microsoft Store stub: prefer `python` there.
      case "$target" in
        *windows*) python=$(command -v python || command -v python3) ;;
        *) python=$(command -v python3 || command -v python) ;;
      esac
      "$python" -m venv "$(native "$work/venv")"
      bin="$work/venv/bin"
      [ -d "$bin" ] || bin="$work/venv/Scripts"
      "$bin/python" -m pip install --quiet --no-index --find-links "$(native "$dist")" "xsuaa-lint==$version"
      checks "wheel" "$bin/$exe"
      ;;
    npm)
      package=$(node "$(native "$root/npm/build.mjs")" package "$target")
      tarball="$dist/$(echo "$package" | sed 's|^@||; s|/|-|')-$version.tgz"
      mkdir -p "$work/npm"
      echo '{"name": "smoke", "private": true}' > "$work/npm/package.json"
      (cd "$work/npm" && npm install --offline --no-audit --no-fund --loglevel=error "$(native "$dist/xsuaa-lint-$version.tgz")" "$(native "$tarball")")
      cp "$work/flagged.json" "$work/clean.json" "$work/npm/"
      checks "npm $package" sh -c 'cd npm && npx xsuaa-lint "$@"' sh
      ;;
    *)
      echo "$0: unknown part $part" >&2
      exit 2
      ;;
  esac
done

echo "smoke $target: $passed of $((passed + failed)) checks passed"
[ "$failed" -eq 0 ]
