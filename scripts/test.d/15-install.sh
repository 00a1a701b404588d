#!/usr/bin/env bash
# Stage: `cargo install --path crates/standin --locked` (how the README tells Rust users to keep
# the binary on PATH) installs a binary that answers --version and serves. Cheap: --debug and
# --target-dir target reuse what `cargo test --workspace` already built; the root is temporary.
set -euo pipefail
cd "$(dirname "$0")/../.."

root=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT

cargo install --path crates/standin --locked --debug --root "$root" --target-dir target --quiet
bin="$root/bin/standin"
[ -x "$bin" ] || { echo "15-install: $bin was not installed" >&2; exit 1; }

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
got=$("$bin" --version)
if [ "$got" != "standin $version" ]; then
  echo "15-install: --version printed '$got', expected 'standin $version'" >&2
  exit 1
fi

"$bin" --only opsmgr --port-opsmgr 0 --ready-file "$root/ready.json" > "$root/out.txt" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  [ -s "$root/ready.json" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$root/out.txt" >&2; echo "15-install: it exited" >&2; exit 1; }
  sleep 0.05
done
[ -s "$root/ready.json" ] || { echo "15-install: no ready file after 10 s" >&2; exit 1; }
grep -q '^standin: ready' "$root/out.txt" || { cat "$root/out.txt" >&2; exit 1; }
"$bin" healthcheck --ready-file "$root/ready.json"
url=$(sed 's/.*"opsmgr":"\([^"]*\)".*/\1/' "$root/ready.json")
status=$(curl -s -o /dev/null -w '%{http_code}' --digest --user qzvhwmtx:9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3 \
  "$url/api/public/v1.0/groups/5953c5f380eef53887615f9a/apiKeys")
[ "$status" = 200 ] || { echo "15-install: the installed binary answered $status" >&2; exit 1; }
kill -TERM "$pid"
wait "$pid"
pid=""
[ ! -e "$root/ready.json" ] || { echo "15-install: the ready file outlived a clean stop" >&2; exit 1; }
echo "15-install: cargo install --path crates/standin --locked: $got serves"
