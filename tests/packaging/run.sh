#!/usr/bin/env bash
# Packaging test: builds the host's wheel, release archive and npm packages from the working
# tree, installs each into a scratch project without the network, and checks what a user
# would run:
#
#   - the archive, the wheel in a venv and `npx xsuaa-lint` (tests/packaging/smoke.sh);
#   - the npm launcher: XSUAA_LINT_BINARY, the error that names a missing platform package,
#     exit statuses, standard input and signals passed through;
#   - the pre-commit mirror (scripts/pre-commit-mirror.sh) installed from the local wheel with a
#     fresh PRE_COMMIT_HOME: it blocks a commit that removes instance-secret too early (XS109)
#     and lets the last migration step through; the first run is timed;
#   - husky + lint-staged (tests/packaging/husky, from the npm registry at the locked versions)
#     in a scratch repository: the same two commits;
#   - the GitHub Action's scripts (action/): download with checksum verification from a
#     file:// "release", the tool cache, a tampered archive, the merge base of a shallow clone,
#     the check with its outputs, job summary and SARIF.
#
# XSUAA_LINT_PACKAGE_PROFILE: the cargo profile of the packaged binary, `release` by default
# (as the release workflow builds it); .ci/run uses `dev`, which reuses the test build.
# Exits 1 when a check fails; the last line is `packaging: N passed, M failed`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
started=$(date +%s)

profile=${XSUAA_LINT_PACKAGE_PROFILE:-release}
host=$(rustc -vV | sed -n 's/^host: //p')
version=$(node npm/build.mjs version)
venv=$(bash .ci/venv.sh)

work=$(mktemp -d)
cleanup() {
  # Scratch repositories hold read-only git objects and npm caches: make them removable.
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Scratch repositories: their own identity and branch name, no global or system configuration
# (hooks paths, templates or signing of the machine would change what is tested).
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$work/gitconfig"
git config --global user.name "xsuaa-lint packaging test"
git config --global user.email "packaging-test@xsuaa-lint.invalid"
git config --global init.defaultBranch main
git config --global advice.detachedHead false
# The launcher and the hooks must not find a linter of this machine by accident.
unset XSUAA_LINT_BINARY

passed=0
failed=0
out="$work/out"
pass() {
  passed=$((passed + 1))
  echo "ok: $1"
}
fail() {
  failed=$((failed + 1))
  echo "FAIL: $1"
  if [ -s "$out" ]; then sed 's/^/    /' "$out" | tail -n 40; fi
}
# expect STATUS DESCRIPTION COMMAND...: COMMAND's output goes to $out.
expect() {
  local want=$1 what=$2 got
  shift 2
  set +e
  "$@" > "$out" 2>&1
  got=$?
  set -e
  if [ "$got" = "$want" ]; then pass "$what"; else fail "$what: exit $got, expected $want"; fi
}
# expect_fail DESCRIPTION COMMAND...: COMMAND exits with anything but 0.
expect_fail() {
  local what=$1 got
  shift
  set +e
  "$@" > "$out" 2>&1
  got=$?
  set -e
  if [ "$got" != 0 ]; then pass "$what"; else fail "$what: exit 0, expected a failure"; fi
}
# contains TEXT DESCRIPTION: the last command's output holds TEXT.
contains() {
  if grep -qF -- "$1" "$out"; then pass "$2"; else fail "$2: no \"$1\" in the output"; fi
}
elapsed() { echo $(($(date +%s) - $1)); }

flagged='{
  "xsappname": "bookshop",
  "tenant-mode": "dedicated",
  "oauth2-configuration": {
    "credential-types": ["instance-secret"]
  }
}'
dual=${flagged/\[\"instance-secret\"\]/[\"binding-secret\", \"instance-secret\"]}
binding=${flagged/\[\"instance-secret\"\]/[\"binding-secret\"]}

echo "== build ($profile profile, $host)"
t=$(date +%s)
dist="$work/dist"
profile_args=(--profile "$profile")
if [ "$profile" = release ]; then profile_args=(--release); fi
if ! "$venv/bin/maturin" build --locked "${profile_args[@]}" --out "$dist" > "$work/maturin.log" 2>&1; then
  cat "$work/maturin.log"
  exit 1
fi
grep -E 'Finished|Built wheel' "$work/maturin.log" || true
wheel=$(ls "$dist"/*.whl)
bash scripts/dist.sh "$host" "$wheel" "$dist" > /dev/null
launcher=$(node npm/build.mjs launcher "$work/npm-stage")
(cd "$launcher" && npm pack --silent --pack-destination "$dist" > /dev/null)
(cd "$dist" && sha256sum -- *.tar.gz > sha256sums.txt)
echo "built in $(elapsed "$t") s:"
for f in "$dist"/*; do printf '  %-60s %9d bytes\n' "$(basename "$f")" "$(wc -c < "$f")"; done
platform_package=$(node npm/build.mjs package "$host")
platform_tgz="$dist/$(echo "$platform_package" | sed 's|^@||; s|/|-|')-$version.tgz"
launcher_tgz="$dist/xsuaa-lint-$version.tgz"

echo "== install and run: archive, wheel, npm"
t=$(date +%s)
set +e
sh tests/packaging/smoke.sh "$host" "$dist" > "$out" 2>&1
status=$?
set -e
grep -v '^ok: ' "$out" || true
smoke_ok=$(grep -c '^ok: ' "$out" || true)
passed=$((passed + smoke_ok))
echo "($smoke_ok smoke checks passed)"
if [ "$status" != 0 ]; then fail "smoke test of the host's artifacts"; fi

echo "== npm launcher"
proj="$work/npm-project"
mkdir -p "$proj"
echo '{"name": "scratch", "private": true}' > "$proj/package.json"
(cd "$proj" && npm install --offline --no-audit --no-fund --loglevel=error "$launcher_tgz" "$platform_tgz" > /dev/null)
printf '%s\n' "$flagged" > "$proj/flagged.json"
run_npx() { (cd "$proj" && npx xsuaa-lint "$@"); }
expect 2 "npx: exit 2 is passed through (a missing file)" run_npx check missing.json
expect 1 "npx: standard input is passed through" sh -c "cd '$proj' && npx xsuaa-lint check - --stdin-filename app/xs-security.json < flagged.json"
contains "app/xs-security.json" "npx: --stdin-filename reaches the binary"
expect 0 "XSUAA_LINT_BINARY runs another binary" env XSUAA_LINT_BINARY="$(type -P true)" sh -c "cd '$proj' && npx xsuaa-lint check flagged.json"
expect 2 "XSUAA_LINT_BINARY naming no file is an error" env XSUAA_LINT_BINARY="$work/nothing" sh -c "cd '$proj' && npx xsuaa-lint --version"
contains "XSUAA_LINT_BINARY is set to $work/nothing" "the error names XSUAA_LINT_BINARY"
# Signals: SIGTERM to the launcher ends the linter (waiting on standard input) and the launcher
# ends by the same signal.
mkfifo "$work/stdin"
node "$proj/node_modules/xsuaa-lint/bin/xsuaa-lint.js" check - < "$work/stdin" > /dev/null 2>&1 &
launcher_pid=$!
exec 3> "$work/stdin"
child=""
for _ in $(seq 1 50); do
  child=$(pgrep -P "$launcher_pid" || true)
  if [ -n "$child" ]; then break; fi
  sleep 0.1
done
if [ -n "$child" ]; then
  kill -TERM "$launcher_pid"
  set +e
  wait "$launcher_pid"
  status=$?
  set -e
  if [ "$status" = 143 ]; then pass "SIGTERM: the launcher ends by the signal (143)"; else fail "SIGTERM: launcher exit $status, expected 143"; fi
  # Ended means gone or a zombie (an orphan waits for whoever reaps it, which may be slow in a
  # container); give a loaded machine two seconds.
  running() { local state; state=$(ps -o stat= -p "$1" 2>/dev/null | tr -d ' '); [ -n "$state" ] && [ "${state#Z}" = "$state" ]; }
  for _ in $(seq 1 20); do running "$child" || break; sleep 0.1; done
  if running "$child"; then
    fail "SIGTERM reaches the linter (pid $child still runs)"
    kill -KILL "$child" 2>/dev/null || true
  else
    pass "SIGTERM reaches the linter"
  fi
else
  fail "the launcher started no linter process"
  kill "$launcher_pid" 2>/dev/null || true
fi
exec 3>&-
# Without the platform package (npm --omit=optional), the launcher says which one to install.
bare="$work/npm-bare"
mkdir -p "$bare"
echo '{"name": "bare", "private": true}' > "$bare/package.json"
(cd "$bare" && npm install --offline --omit=optional --no-audit --no-fund --loglevel=error "$launcher_tgz" > /dev/null)
expect 2 "without its platform package the launcher exits 2" sh -c "cd '$bare' && npx xsuaa-lint --version"
contains "The package $platform_package" "the error names the missing package $platform_package"
contains "--omit=optional" "the error says how it went missing"

# The platform table: which packages the launcher tries where, and the packages npm/build.mjs
# writes for every target (a stand-in binary: only the manifests are checked here).
expect 0 "launcher: packages tried per platform" node -e '
  const assert = require("node:assert");
  const { candidates } = require(process.argv[1]);
  const names = (...a) => candidates(...a).map((p) => p.pkg);
  assert.deepStrictEqual(names("linux", "x64", "glibc"), ["@xsuaa-lint/cli-linux-x64", "@xsuaa-lint/cli-linux-x64-musl"]);
  assert.deepStrictEqual(names("linux", "arm64", "musl"), ["@xsuaa-lint/cli-linux-arm64-musl"]);
  assert.deepStrictEqual(names("darwin", "arm64", null), ["@xsuaa-lint/cli-darwin-arm64"]);
  assert.deepStrictEqual(names("darwin", "x64", null), ["@xsuaa-lint/cli-darwin-x64"]);
  assert.deepStrictEqual(names("win32", "x64", null), ["@xsuaa-lint/cli-win32-x64"]);
  assert.deepStrictEqual(names("win32", "arm64", null), ["@xsuaa-lint/cli-win32-x64"]);
  assert.deepStrictEqual(names("freebsd", "x64", null), []);
' "$root/npm/xsuaa-lint/bin/xsuaa-lint.js"
echo stand-in > "$work/stand-in"
manifests_ok=true
for target in x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc; do
  staged=$(node npm/build.mjs platform "$target" "$work/stand-in" "$work/all-platforms")
  if ! node -e '
    const fs = require("node:fs");
    const [dir, target, version] = process.argv.slice(1);
    const m = JSON.parse(fs.readFileSync(dir + "/package.json", "utf8"));
    const [os, cpu, libc] = {
      "x86_64-unknown-linux-gnu": ["linux", "x64", ["glibc"]],
      "aarch64-unknown-linux-gnu": ["linux", "arm64", ["glibc"]],
      "x86_64-unknown-linux-musl": ["linux", "x64", ["musl"]],
      "aarch64-unknown-linux-musl": ["linux", "arm64", ["musl"]],
      "x86_64-apple-darwin": ["darwin", "x64", undefined],
      "aarch64-apple-darwin": ["darwin", "arm64", undefined],
      "x86_64-pc-windows-msvc": ["win32", "x64", undefined],
    }[target];
    const exe = os === "win32" ? "xsuaa-lint.exe" : "xsuaa-lint";
    const ok = m.version === version && m.os[0] === os && m.cpu[0] === cpu &&
      JSON.stringify(m.libc) === JSON.stringify(libc) && !m.bin && fs.existsSync(dir + "/bin/" + exe);
    if (!ok) { console.error(target, JSON.stringify(m)); process.exit(1); }
  ' "$staged" "$target" "$version"; then
    manifests_ok=false
  fi
done
if $manifests_ok; then pass "npm/build.mjs: os, cpu, libc, version and binary of all seven platform packages"; else fail "npm/build.mjs: a platform manifest is wrong"; fi
if node -e '
  const m = require(process.argv[1]);
  const deps = Object.keys(m.optionalDependencies);
  process.exit(deps.length === 7 && Object.values(m.optionalDependencies).every((v) => v === process.argv[2]) && m.version === process.argv[2] ? 0 : 1);
' "$launcher/package.json" "$version"; then
  pass "the launcher depends on the seven platform packages at its own version ($version)"
else
  fail "the launcher's optionalDependencies or version are wrong"
fi

echo "== pre-commit mirror, installed from the local wheel"
mirror="$work/xsuaa-lint-pre-commit"
bash scripts/pre-commit-mirror.sh "$mirror" > /dev/null
git -C "$mirror" init --quiet
git -C "$mirror" add -A
git -C "$mirror" commit --quiet -m "xsuaa-lint-pre-commit $version"
git -C "$mirror" tag "v$version"
# The mirror's build backend (setuptools) and the local wheel, so that pip needs no index.
wheelhouse="$work/wheelhouse"
mkdir -p "$wheelhouse"
cp "$wheel" "$wheelhouse/"
setuptools_cache="$(dirname "$venv")/wheelhouse"
if ! ls "$setuptools_cache"/setuptools-*.whl > /dev/null 2>&1; then
  "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --only-binary=:all: -d "$setuptools_cache" "setuptools>=61"
fi
cp "$setuptools_cache"/setuptools-*.whl "$wheelhouse/"

repo="$work/pre-commit-project"
git init --quiet "$repo"
mkdir -p "$repo/app"
printf 'repos:\n  - repo: %s\n    rev: v%s\n    hooks:\n      - id: xsuaa-lint\n' "$mirror" "$version" > "$repo/.pre-commit-config.yaml"
printf '%s\n' "$flagged" > "$repo/app/xs-security.json"
git -C "$repo" add -A
git -C "$repo" commit --quiet -m "instance secret only"
export PRE_COMMIT_HOME="$work/pre-commit-home"
(cd "$repo" && "$venv/bin/pre-commit" install > /dev/null)
printf '%s\n' "$binding" > "$repo/app/xs-security.json"
git -C "$repo" add app/xs-security.json
head_before=$(git -C "$repo" rev-parse HEAD)
t=$(date +%s)
expect_fail "pre-commit (mirror): a commit that skips the dual state is blocked" \
  env PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheelhouse" PATH="$venv/bin:$PATH" git -C "$repo" commit -m "binding secret only"
first_run=$(elapsed "$t")
contains "XS109" "pre-commit (mirror): the hook reports XS109"
if [ "$(git -C "$repo" rev-parse HEAD)" = "$head_before" ]; then pass "pre-commit (mirror): no commit was made"; else fail "pre-commit (mirror): the commit went through"; fi
hook_size=$(du -sk "$PRE_COMMIT_HOME" | cut -f1)
printf '%s\n' "$dual" > "$repo/app/xs-security.json"
git -C "$repo" commit --quiet --no-verify -am "dual state, deployed"
printf '%s\n' "$binding" > "$repo/app/xs-security.json"
git -C "$repo" add app/xs-security.json
t=$(date +%s)
expect 0 "pre-commit (mirror): removing instance-secret after the dual state commits" \
  env PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheelhouse" PATH="$venv/bin:$PATH" git -C "$repo" commit -m "binding secret only"
second_run=$(elapsed "$t")
echo "pre-commit: first run ${first_run} s (hook environment installed from the wheel), next run ${second_run} s; PRE_COMMIT_HOME $((hook_size / 1024)) MiB"
unset PRE_COMMIT_HOME

echo "== husky + lint-staged"
repo="$work/husky-project"
git init --quiet "$repo"
cp tests/packaging/husky/package.json tests/packaging/husky/package-lock.json "$repo/"
t=$(date +%s)
(cd "$repo" && npm ci --no-audit --no-fund --loglevel=error > /dev/null)
(cd "$repo" && npm install --offline --no-audit --no-fund --loglevel=error "$launcher_tgz" "$platform_tgz" > /dev/null)
echo "installed husky, lint-staged and xsuaa-lint in $(elapsed "$t") s"
echo "npx lint-staged" > "$repo/.husky/pre-commit"
printf 'node_modules/\n' > "$repo/.gitignore"
mkdir -p "$repo/app"
printf '%s\n' "$flagged" > "$repo/app/xs-security.json"
git -C "$repo" add -A
git -C "$repo" commit --quiet --no-verify -m "instance secret only"
if [ "$(git -C "$repo" config core.hooksPath)" = ".husky/_" ]; then pass "husky: installed as the repository's hooks"; else fail "husky: core.hooksPath is not .husky/_"; fi
printf '%s\n' "$binding" > "$repo/app/xs-security.json"
git -C "$repo" add app/xs-security.json
head_before=$(git -C "$repo" rev-parse HEAD)
expect_fail "husky: a commit that skips the dual state is blocked" git -C "$repo" commit -m "binding secret only"
contains "XS109" "husky: lint-staged reports XS109"
if [ "$(git -C "$repo" rev-parse HEAD)" = "$head_before" ]; then pass "husky: no commit was made"; else fail "husky: the commit went through"; fi
if git -C "$repo" diff --cached --quiet -- app/xs-security.json; then fail "husky: the staged change was lost"; else pass "husky: the staged change is kept for the next try"; fi
printf '%s\n' "$dual" > "$repo/app/xs-security.json"
git -C "$repo" commit --quiet --no-verify -am "dual state, deployed"
printf '%s\n' "$binding" > "$repo/app/xs-security.json"
git -C "$repo" add app/xs-security.json
expect 0 "husky: removing instance-secret after the dual state commits" git -C "$repo" commit -m "binding secret only"

echo "== GitHub Action scripts"
releases="$work/releases"
mkdir -p "$releases/download/v$version"
cp "$dist"/*.tar.gz "$dist/sha256sums.txt" "$releases/download/v$version/"
action_env=(env RUNNER_OS=Linux RUNNER_ARCH=X64 RUNNER_TEMP="$work" RUNNER_TOOL_CACHE="$work/toolcache"
  GITHUB_ACTION_PATH="$root" XSUAA_LINT_RELEASES="file://$releases" XSUAA_LINT_TARGET="$host")
: > "$work/github_output"
expect 0 "install.sh: downloads the release archive and verifies it" \
  "${action_env[@]}" XSUAA_LINT_VERSION="" GITHUB_OUTPUT="$work/github_output" bash action/install.sh
contains "SHA-256 verified" "install.sh: says the checksum was verified"
installed=$(sed -n 's/^binary=//p' "$work/github_output")
if [ -x "$installed" ] && "$installed" --version | grep -qF "$version"; then pass "install.sh: the binary output runs"; else fail "install.sh: no runnable binary output ($installed)"; fi
cp "$installed" "$work/xsuaa-lint-installed"
installed="$work/xsuaa-lint-installed"
expect 0 "install.sh: a second run takes the tool cache" "${action_env[@]}" XSUAA_LINT_VERSION="v$version" bash action/install.sh
contains "tool cache" "install.sh: says it used the tool cache"
# A tampered archive: the checksum file no longer matches.
archive="$releases/download/v$version/xsuaa-lint-$host.tar.gz"
cp "$archive" "$work/archive.orig"
printf 'x' >> "$archive"
rm -rf "$work/toolcache"
expect 1 "install.sh: a tampered archive is refused" "${action_env[@]}" XSUAA_LINT_VERSION="$version" bash action/install.sh
contains "checksum mismatch" "install.sh: names the checksum mismatch"
mv "$work/archive.orig" "$archive"
expect 1 "install.sh: a version without a release is an error" "${action_env[@]}" XSUAA_LINT_VERSION="9.9.9" bash action/install.sh
contains "v9.9.9" "install.sh: names the missing release"
expect 1 "install.sh: Linux runners get the musl build" "${action_env[@]}" XSUAA_LINT_TARGET= XSUAA_LINT_VERSION="$version" bash action/install.sh
contains "xsuaa-lint-x86_64-unknown-linux-musl.tar.gz" "install.sh: asks for xsuaa-lint-x86_64-unknown-linux-musl.tar.gz"

# Merge base: main has the descriptor in the dual state; a pull request branched from main 30
# commits ago finishes the migration and adds a legacy descriptor; the clone is shallow, as
# actions/checkout makes it.
origin="$work/origin"
git init --quiet "$origin"
mkdir -p "$origin/app"
printf '%s\n' "$dual" > "$origin/app/xs-security.json"
git -C "$origin" add app
git -C "$origin" commit --quiet -m "dual state"
for i in $(seq 1 40); do
  echo "$i" > "$origin/main.txt"
  git -C "$origin" add main.txt
  git -C "$origin" commit --quiet -m "main $i"
done
git -C "$origin" checkout --quiet -b feature HEAD~30
for i in $(seq 1 70); do
  echo "$i" > "$origin/feature.txt"
  git -C "$origin" add feature.txt
  git -C "$origin" commit --quiet -m "feature $i"
done
printf '%s\n' "$binding" > "$origin/app/xs-security.json"
printf '%s\n' "$flagged" > "$origin/app/xs-security-legacy.json"
git -C "$origin" add app
git -C "$origin" commit --quiet -m "finish the migration, add a legacy descriptor"
true_base=$(git -C "$origin" merge-base main feature)
clone="$work/clone"
git clone --quiet --depth 1 --branch feature "file://$origin" "$clone"
: > "$work/github_output"
expect 0 "merge-base.sh: runs in a shallow clone" sh -c "cd '$clone' && GITHUB_BASE_REF=main GITHUB_OUTPUT='$work/github_output' bash '$root/action/merge-base.sh'"
if grep -qx "base=$true_base" "$work/github_output"; then pass "merge-base.sh: the base is the merge base"; else fail "merge-base.sh: base $(cat "$work/github_output"), expected $true_base"; fi
expect 0 "merge-base.sh: HEAD outside a pull request" sh -c "cd '$clone' && env -u GITHUB_BASE_REF bash '$root/action/merge-base.sh'"
if [ "$(tail -n 1 "$out")" = HEAD ]; then pass "merge-base.sh: prints HEAD"; else fail "merge-base.sh: printed $(tail -n 1 "$out")"; fi
expect 0 "merge-base.sh: the base input wins" sh -c "cd '$clone' && XSUAA_LINT_BASE=origin/release GITHUB_BASE_REF=main bash '$root/action/merge-base.sh'"
if [ "$(tail -n 1 "$out")" = origin/release ]; then pass "merge-base.sh: prints the input"; else fail "merge-base.sh: printed $(tail -n 1 "$out")"; fi

# The check against that base: XS102 on the legacy descriptor, XS214 (info) on the finished one.
: > "$work/github_output"
: > "$work/summary.md"
expect 0 "check.sh: always exits 0 (the action fails in its last step)" sh -c "cd '$clone' && XSUAA_LINT='$installed' XSUAA_LINT_BASE='$true_base' XSUAA_LINT_ARGS='.' XSUAA_LINT_SARIF='$work/report.sarif' RUNNER_TEMP='$work' GITHUB_OUTPUT='$work/github_output' GITHUB_STEP_SUMMARY='$work/summary.md' bash '$root/action/check.sh'"
contains "::error file=app/xs-security-legacy.json" "check.sh: annotations on the pull request"
for line in exit-code=1 errors=1 warnings=0 findings=2 "sarif-file=$work/report.sarif"; do
  if grep -qxF "$line" "$work/github_output"; then pass "check.sh: output $line"; else fail "check.sh: no output $line in: $(tr '\n' ' ' < "$work/github_output")"; fi
done
if grep -qF "| XS102 | instance-secret-only | error | 1 |" "$work/summary.md" && grep -qF "| XS214 | migration-finished | info | 1 |" "$work/summary.md"; then
  pass "check.sh: the job summary counts the findings per rule"
else
  fail "check.sh: job summary: $(cat "$work/summary.md")"
fi
if grep -qF '"version": "2.1.0"' "$work/report.sarif"; then pass "check.sh: writes SARIF when asked"; else fail "check.sh: no SARIF report"; fi
: > "$work/github_output"
expect 0 "check.sh: on HEAD the finished migration is not judged" sh -c "cd '$clone' && XSUAA_LINT='$installed' XSUAA_LINT_BASE=HEAD XSUAA_LINT_ARGS='app/xs-security.json' XSUAA_LINT_SUMMARY=false RUNNER_TEMP='$work' GITHUB_OUTPUT='$work/github_output' bash '$root/action/check.sh'"
if grep -qx "exit-code=0" "$work/github_output" && ! grep -q '^sarif-file=' "$work/github_output"; then pass "check.sh: exit-code=0, no SARIF unless asked"; else fail "check.sh: outputs $(tr '\n' ' ' < "$work/github_output")"; fi

echo "packaging test took $(elapsed "$started") s"
echo "packaging: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
