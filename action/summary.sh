#!/usr/bin/env bash
# Counts the findings of a json-lines report for the GitHub Action: writes the counts as step
# outputs and a table to the job summary.
#
#   $1                  the json-lines report (`--output-format json-lines`)
#   XSUAA_LINT_EXIT     the check's exit status
#   XSUAA_LINT_BASE     the revision the history rules compared with
#   XSUAA_LINT_VERSION  the version that ran (the first line of `xsuaa-lint --version`)
#   GITHUB_STEP_SUMMARY, GITHUB_OUTPUT (written when set)
set -euo pipefail
report=$1

# Each line starts {"code":"XS…","name":"…","severity":"…" (the JSON contract's key order).
fields=$(sed -n 's/^{"code":"\([^"]*\)","name":"\([^"]*\)","severity":"\([^"]*\)".*"path":"\([^"]*\)".*/\1 \2 \3 \4/p' "$report")
count() { if [ -z "$fields" ]; then echo 0; else printf '%s\n' "$fields" | awk -v s="$1" '$3 == s' | wc -l | tr -d ' '; fi; }
errors=$(count error)
warnings=$(count warning)
infos=$(count info)
total=$((errors + warnings + infos))
files=0
if [ -n "$fields" ]; then files=$(printf '%s\n' "$fields" | awk '{ print $4 }' | sort -u | wc -l | tr -d ' '); fi
lines=$(grep -c . "$report" || true)
if [ "$lines" != "$total" ]; then
  echo "::warning title=xsuaa-lint::could not read $((lines - total)) of $lines report lines for the summary"
fi

case "${XSUAA_LINT_EXIT:-}" in
  0) verdict="passed" ;;
  1) verdict="failed: findings at or above the --fail-on severity" ;;
  *) verdict="error (exit ${XSUAA_LINT_EXIT:-?}): see the step's log" ;;
esac

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "errors=$errors"
    echo "warnings=$warnings"
    echo "infos=$infos"
    echo "findings=$total"
  } >> "$GITHUB_OUTPUT"
fi

summary() {
  echo "### xsuaa-lint: $verdict"
  echo
  echo "$total findings in $files files: $errors errors, $warnings warnings, $infos infos."
  echo "History rules compared with \`${XSUAA_LINT_BASE:-HEAD}\`; ${XSUAA_LINT_VERSION:-xsuaa-lint}."
  if [ "$total" -gt 0 ]; then
    echo
    echo "| rule | name | severity | findings |"
    echo "|---|---|---|---:|"
    printf '%s\n' "$fields" | awk '{ print $1 " " $2 " " $3 }' | sort | uniq -c | sort -k1,1nr -k2,2 |
      awk '{ printf "| %s | %s | %s | %d |\n", $2, $3, $4, $1 }'
    echo
    echo "\`xsuaa-lint rule CODE\` explains a rule; \`xsuaa-lint check --fix\` applies the safe fixes."
  fi
}
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  summary >> "$GITHUB_STEP_SUMMARY"
else
  summary
fi
