#!/usr/bin/env bash
# Installs the xsuaa-lint binary for the GitHub Action: the archive of the release for this
# runner, verified against the release's SHA-256 checksum file, kept in the runner's tool cache.
#
# Environment (set by action.yml):
#   XSUAA_LINT_VERSION     "0.1.0", "v0.1.0", "latest", or empty for the action's own version
#   XSUAA_LINT_REPOSITORY  owner/name whose releases carry the binaries
#   XSUAA_LINT_RELEASES    base of the release URLs (default https://github.com/<repository>/releases;
#                          the packaging test points it at a folder with file://)
#   XSUAA_LINT_TARGET      Rust target to install (default: the one for RUNNER_OS/RUNNER_ARCH)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_ACTION_PATH, GITHUB_OUTPUT
# Prints the path of the binary and writes it as the step output `binary`.
set -euo pipefail

say() { echo "xsuaa-lint: $*" >&2; }
die() {
  echo "::error title=xsuaa-lint install::$*"
  exit 1
}

# Windows runners give Windows paths; Git Bash wants its own.
unix_path() {
  if command -v cygpath >/dev/null 2>&1; then cygpath -u "$1"; else printf '%s\n' "$1"; fi
}

target=${XSUAA_LINT_TARGET:-}
if [ -z "$target" ]; then
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    # Linux gets the static musl build: it runs on every distribution and in containers.
    Linux/X64) target=x86_64-unknown-linux-musl ;;
    Linux/ARM64) target=aarch64-unknown-linux-musl ;;
    macOS/X64) target=x86_64-apple-darwin ;;
    macOS/ARM64) target=aarch64-apple-darwin ;;
    # Windows on arm64 runs the x64 build.
    Windows/X64 | Windows/ARM64) target=x86_64-pc-windows-msvc ;;
    *) die "no prebuilt binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; set build-from-source: true" ;;
  esac
fi
exe=xsuaa-lint
case "$target" in *windows*) exe=xsuaa-lint.exe ;; esac

version=${XSUAA_LINT_VERSION:-}
if [ -z "$version" ]; then
  # The action's own version: the Cargo.toml next to this script, at the ref the workflow uses.
  version=$(sed -n '/^\[package\]/,/^\[/ s/^version = "\(.*\)"$/\1/p' "${GITHUB_ACTION_PATH:-$(dirname "$0")/..}/Cargo.toml")
  [ -n "$version" ] || die "could not read the action's version from Cargo.toml; set the version input"
fi
version=${version#v}

repository=${XSUAA_LINT_REPOSITORY:-xsuaa-lint/xsuaa-lint}
releases=${XSUAA_LINT_RELEASES:-https://github.com/$repository/releases}
if [ "$version" = latest ]; then
  base="$releases/latest/download"
  release="the latest release"
else
  base="$releases/download/v$version"
  release="release v$version"
fi
archive="xsuaa-lint-$target.tar.gz"
sums=sha256sums.txt

fetch() { # URL FILE
  curl --fail --silent --show-error --location --retry 3 --retry-delay 2 --output "$2" "$1"
}
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

tmp=$(mktemp -d "$(unix_path "${RUNNER_TEMP:-/tmp}")/xsuaa-lint.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The checksum file is fetched on every run, so a cached binary is checked too.
fetch "$base/$sums" "$tmp/$sums" || die "could not download $base/$sums (is there $release? set the version input, or build-from-source: true)"
expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmp/$sums")
[ -n "$expected" ] || die "$sums of $base names no $archive"

cache_root=$(unix_path "${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}")
dest="$cache_root/xsuaa-lint/$version/$target"
if [ -x "$dest/$exe" ] && [ "$(cat "$dest/archive.sha256" 2>/dev/null)" = "$expected" ]; then
  say "using $dest/$exe (tool cache; its archive matches $sums)"
else
  say "downloading $base/$archive"
  fetch "$base/$archive" "$tmp/$archive" || die "could not download $base/$archive"
  actual=$(sha256 "$tmp/$archive")
  if [ "$actual" != "$expected" ]; then
    die "checksum mismatch for $archive: expected $expected, got $actual"
  fi
  say "SHA-256 verified: $actual"
  mkdir -p "$tmp/x"
  tar -xzf "$tmp/$archive" -C "$tmp/x"
  [ -f "$tmp/x/xsuaa-lint-$target/$exe" ] || die "$archive holds no xsuaa-lint-$target/$exe"
  rm -rf "$dest"
  mkdir -p "$dest"
  cp "$tmp/x/xsuaa-lint-$target/$exe" "$dest/$exe"
  chmod +x "$dest/$exe"
  echo "$expected" > "$dest/archive.sha256"
fi

"$dest/$exe" --version >&2 || die "$dest/$exe does not run on this runner"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "binary=$dest/$exe" >> "$GITHUB_OUTPUT"
fi
echo "$dest/$exe"
