#!/usr/bin/env bash
# Runs the check for the GitHub Action: annotations on the pull request (the exit status that
# gates the job), then a json-lines report for the job summary and, when asked, a SARIF report.
#
#   XSUAA_LINT          the binary
#   XSUAA_LINT_BASE     the revision for the history rules (HEAD: the tool's default)
#   XSUAA_LINT_ARGS     paths and options, split on spaces (and globbed) like a shell would
#   XSUAA_LINT_SUMMARY  "true": write the job summary
#   XSUAA_LINT_SARIF    a path: write a SARIF report there
#   RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY
# Writes the step outputs exit-code, errors, warnings, infos, findings and sarif-file; exits 0
# (the action fails in its last step, after the reports are uploaded).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${GITHUB_OUTPUT:-/dev/null}
base=()
if [ -n "${XSUAA_LINT_BASE:-}" ] && [ "$XSUAA_LINT_BASE" != HEAD ]; then
  base=(--base "$XSUAA_LINT_BASE")
fi
# shellcheck disable=SC2206 # split on purpose, as the input documents
args=(${XSUAA_LINT_ARGS:-.})

"$XSUAA_LINT" check --output-format github ${base[@]+"${base[@]}"} "${args[@]}"
code=$?
echo "exit-code=$code" >> "$out"

report="${RUNNER_TEMP:-/tmp}/xsuaa-lint.jsonl"
: > "$report"
"$XSUAA_LINT" check --output-format json-lines --output-file "$report" --exit-zero ${base[@]+"${base[@]}"} "${args[@]}" || true
version=$("$XSUAA_LINT" --version)
summary_file=${GITHUB_STEP_SUMMARY:-}
if [ "${XSUAA_LINT_SUMMARY:-true}" != true ]; then summary_file=""; fi
GITHUB_STEP_SUMMARY=$summary_file XSUAA_LINT_EXIT=$code XSUAA_LINT_BASE=${XSUAA_LINT_BASE:-HEAD} XSUAA_LINT_VERSION=$version \
  bash "$here/summary.sh" "$report" > /dev/null

if [ -n "${XSUAA_LINT_SARIF:-}" ]; then
  if "$XSUAA_LINT" check --output-format sarif --output-file "$XSUAA_LINT_SARIF" --exit-zero ${base[@]+"${base[@]}"} "${args[@]}"; then
    echo "sarif-file=$XSUAA_LINT_SARIF" >> "$out"
  fi
fi
exit 0
