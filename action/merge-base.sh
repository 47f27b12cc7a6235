#!/usr/bin/env bash
# Chooses the revision the history rules compare with, for the GitHub Action.
#
#   XSUAA_LINT_BASE   the `base` input: used as given when set
#   GITHUB_BASE_REF   set on pull_request events: the branch the pull request goes into
#
# For a pull request the base is the merge base of that branch and HEAD: the commit the pull
# request started from, so the checks judge the pull request's own changes (with the default
# checkout of the merge commit it is the tip of the base branch). A shallow clone (the
# actions/checkout default) is deepened until the merge base is there. Without a pull request
# and without the input, the base is HEAD, the tool's default.
# Prints the base and writes it as the step output `base`.
set -euo pipefail

say() { echo "xsuaa-lint: $*" >&2; }
emit() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "base=$1" >> "$GITHUB_OUTPUT"; fi
  echo "$1"
}

if [ -n "${XSUAA_LINT_BASE:-}" ]; then
  say "history rules compare with $XSUAA_LINT_BASE (the base input)"
  emit "$XSUAA_LINT_BASE"
  exit 0
fi
branch=${GITHUB_BASE_REF:-}
if [ -z "$branch" ]; then
  say "history rules compare with HEAD (no pull request, no base input)"
  emit HEAD
  exit 0
fi

remote_ref="refs/remotes/origin/$branch"
shallow=$(git rev-parse --is-shallow-repository)
depth=()
if [ "$shallow" = true ]; then depth=(--depth=64); fi
git fetch --no-tags --quiet ${depth[@]+"${depth[@]}"} origin "+refs/heads/$branch:$remote_ref"

base=""
for _ in 1 2 3 4 5 6; do
  if base=$(git merge-base "$remote_ref" HEAD 2>/dev/null); then break; fi
  base=""
  [ "$(git rev-parse --is-shallow-repository)" = true ] || break
  say "no merge base with $branch yet; fetching more history"
  git fetch --no-tags --quiet --deepen=256 origin "+refs/heads/$branch:$remote_ref" "$(git rev-parse HEAD)"
done
if [ -z "$base" ] && [ "$(git rev-parse --is-shallow-repository)" = true ]; then
  say "fetching the whole history"
  git fetch --no-tags --quiet --unshallow origin "+refs/heads/$branch:$remote_ref"
  base=$(git merge-base "$remote_ref" HEAD 2>/dev/null || true)
fi
if [ -z "$base" ]; then
  echo "::warning title=xsuaa-lint::no merge base of $branch and HEAD; the history rules compare with the tip of $branch"
  base=$(git rev-parse "$remote_ref")
fi
say "history rules compare with $base (merge base of $branch and HEAD)"
emit "$base"
