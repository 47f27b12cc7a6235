#!/usr/bin/env bash
# Lints what runs on GitHub and the shell scripts: actionlint on .github/workflows (it checks the
# inputs given to this repository's action against action.yml, and runs shellcheck on every
# `run:`), shellcheck on the `run:` steps of action.yml (no `${{ }}` inside them: inputs go
# through env, never into the script text) and on the shell scripts.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
venv=$(bash .ci/venv.sh)
export PATH="$venv/bin:$PATH"

actionlint

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" - "$work" <<'PY'
import pathlib, sys, yaml
out = pathlib.Path(sys.argv[1])
steps = yaml.safe_load(open("action.yml"))["runs"]["steps"]
bad = []
for i, step in enumerate(steps):
    if "run" not in step:
        continue
    if "${{" in step["run"]:
        bad.append(step.get("name", i))
    # GitHub runs `shell: bash` steps with bash -e -o pipefail.
    (out / f"step-{i:02}.sh").write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + step["run"])
if bad:
    sys.exit(f"action.yml: expressions inside run: of {bad}; pass them through env")
PY
shellcheck "$work"/step-*.sh
shellcheck .ci/run .ci/*.sh action/*.sh scripts/*.sh tests/packaging/*.sh
echo "actionlint and shellcheck: clean"
