#!/usr/bin/env bash
# Remote audit figures for BENCHMARKS.md: N repositories served by a local `git daemon`
# (the corpus's folders, each made a repository, and generated trees of 2,000 files), audited
# twice from an empty cache; objects and bytes in each remote's cache against a full clone.
#
#   bench/remotes.sh CORPUS_REPOS_DIR GEN_TREE_PY [N_GENERATED] [WORK_DIR]
set -euo pipefail
corpus=$1 gen=$2 generated=${3:-40} work=${4:-$(mktemp -d)}
bin=${XSUAA_LINT:-target/release/xsuaa-lint}
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
served=$work/served; mkdir -p "$served"
make_repo() { # NAME FOLDER
  local tmp; tmp=$(mktemp -d)
  cp -r "$2"/. "$tmp"/ && rm -rf "$tmp/.git"
  git -C "$tmp" init -q -b main && git -C "$tmp" add -A
  git -C "$tmp" -c user.name=b -c user.email=b@b commit -qm tree
  git clone -q --bare "$tmp" "$served/$1.git" && rm -rf "$tmp"
}
if [ ! -e "$served/.made" ]; then
  for d in "$corpus"/*/; do make_repo "$(basename "$d" | tr '@' '-')" "$d"; done
  for i in $(seq 1 "$generated"); do
    python3 "$gen" --out "$work/gen$i" --files 2000 --descriptors 20 --formats all --seed "$i" >/dev/null
    make_repo "generated-$i" "$work/gen$i"; rm -rf "$work/gen$i"
  done
  touch "$served/.made"
fi
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=uploadpack.allowFilter GIT_CONFIG_VALUE_0=true \
  setsid "$(git --exec-path)/git-daemon" --export-all --reuseaddr --listen=127.0.0.1 --port="$port" \
  --base-path="$served" "$served" & daemon=$!
trap 'kill -- -$daemon 2>/dev/null || kill $daemon' EXIT
sleep 1
ls "$served" | grep '\.git$' | sed "s|^|git://127.0.0.1:$port/|" > "$work/remotes.txt"
echo "repositories: $(wc -l < "$work/remotes.txt")"; uptime
rm -rf "$work/cache"
for run in first second; do
  start=$(date +%s.%N)
  "$bin" audit --remotes-from "$work/remotes.txt" --cache-dir "$work/cache" --format json -o "$work/$run.json" -q --exit-zero
  echo "$run run: $(echo "$(date +%s.%N) - $start" | bc) s"
done
# Objects and bytes: the cache's clone of each remote against the full repository (what a
# full clone holds: the bare repository served, one pack).
total() { # FOLDER -> objects bytes
  git -C "$1" count-objects -v | awk '/^count:|^in-pack:/{o+=$2} /^size:|^size-pack:/{k+=$2} END{print o, k*1024}'
}
for r in "$served"/*.git; do git -C "$r" gc -q --aggressive 2>/dev/null || true; done
python3 - "$work" <<'PY'
import subprocess, sys, os, glob, statistics
work = sys.argv[1]
def count(d):
    out = subprocess.run(["git", "-C", d, "count-objects", "-v"], capture_output=True, text=True).stdout
    f = dict(l.split(": ") for l in out.splitlines())
    return int(f["count"]) + int(f["in-pack"]), (int(f["size"]) + int(f["size-pack"])) * 1024
cached = [count(d) for d in glob.glob(f"{work}/cache/*/") if os.path.isdir(d + ".git")]
full = [count(d) for d in glob.glob(f"{work}/served/*.git")]
for name, rows in (("cache (fetched)", cached), ("full clone", full)):
    objs = [o for o, _ in rows]; size = [b for _, b in rows]
    print(f"{name}: {len(rows)} repos, objects per repo median {statistics.median(objs):.0f} mean {statistics.mean(objs):.0f}, "
          f"KiB per repo median {statistics.median(size)/1024:.0f} mean {statistics.mean(size)/1024:.0f}, total {sum(size)/1048576:.1f} MiB")
PY
