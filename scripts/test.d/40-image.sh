#!/usr/bin/env bash
# Stage: the container image builds offline and its own binary serves all four products.
# Containers cannot run here, so the image's filesystem is exported and its binary run with
# chroot, with the image's environment, on ephemeral ports; then `standin healthcheck` (the
# image's HEALTHCHECK) must pass, every product must answer, and SIGTERM must stop it cleanly.
# Skipped when neither podman nor a working docker is installed (scripts/apt.d/image.txt
# makes scripts/setup install podman).
set -euo pipefail
cd "$(dirname "$0")/../.."
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  tool=docker
elif command -v podman >/dev/null 2>&1; then
  tool=podman
else
  echo "image: skipped (neither podman nor docker)"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
scripts/build-image

root=$(mktemp -d)
cid=""
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  [ -n "$cid" ] && $tool rm "$cid" >/dev/null 2>&1 || true
  $sudo rm -rf "$root"
}
trap cleanup EXIT

# The image's declared configuration.
config=$($tool image inspect standin:latest | tr -d ' \n')
for want in '"8060/tcp"' '"8090/tcp"' '"7272/tcp"' '"8080/tcp"' '"/usr/local/bin/standin","healthcheck"' \
  'STANDIN_BIND=0.0.0.0' 'STANDIN_CONTROL_ALLOW='; do
  grep -qF -- "$want" <<<"$config" || { echo "image: config lacks $want: $config" >&2; exit 1; }
done

cid=$($tool create standin:latest)
$tool export "$cid" | $sudo tar -x -C "$root"
[ -x "$root/usr/local/bin/standin" ] || { echo "image: no /usr/local/bin/standin" >&2; exit 1; }
[ -z "$(ls "$root/lib" "$root/lib64" "$root/usr/lib" 2>/dev/null)" ] || {
  echo "image: holds libraries, expected the binary alone" >&2; exit 1; }

# What a container runtime provides and a scratch image lacks: /dev's random and null devices.
$sudo mkdir -p "$root/dev"
$sudo mknod -m 666 "$root/dev/urandom" c 1 9
$sudo mknod -m 666 "$root/dev/random" c 1 8
$sudo mknod -m 666 "$root/dev/null" c 1 3
# The runtime also creates the WORKDIR (/run/standin, where the ready file goes) when missing.
$sudo mkdir -p "$root/run/standin"

mapfile -t envs < <($tool image inspect standin:latest --format '{{range .Config.Env}}{{println .}}{{end}}' | sed '/^$/d')
log=$(mktemp)
$sudo env -i "${envs[@]}" chroot "$root" /usr/local/bin/standin \
  --port-opmanager 0 --port-serviceops 0 --port-pmp 0 --port-opsmgr 0 >"$log" 2>&1 &
pid=$!
ready="$root/run/standin/ready.json"
for _ in $(seq 1 300); do
  [ -s "$ready" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "image: standin exited" >&2; exit 1; }
  sleep 0.1
done
[ -s "$ready" ] || { cat "$log"; echo "image: no ready file" >&2; exit 1; }
grep -q '^standin: ready' "$log" || { cat "$log"; echo "image: no ready line" >&2; exit 1; }
grep -q 'answers loopback callers and 10.0.0.0/8' "$log" || { cat "$log"; echo "image: no control line" >&2; exit 1; }

$sudo env -i "${envs[@]}" chroot "$root" /usr/local/bin/standin healthcheck

urls=$(cat "$ready")
url() { sed -E "s/.*\"$1\":\"([^\"]+)\".*/\1/" <<<"$urls"; }
curl -sf -H 'apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b' "$(url opmanager)/api/json/device/listDevices" | grep -q '"rows"'
curl -sf -X POST "$(url serviceops)/api/oauth/token" \
  -H 'Authorization: Basic bWFpbi13ZWItYXBwLWNsaWVudDptYWluLXdlYi1hcHAtc2VjcmV0' \
  -F username=tim@acme.com -F password=123 -F grant_type=password | grep -q access_token
curl -skf "$(url pmp)/restapi/json/v1/resources?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902" | grep -q Success
curl -sf --digest --user qzvhwmtx:9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3 \
  "$(url opsmgr)/api/public/v1.0/groups/5953c5f380eef53887615f9a/apiKeys" | grep -q qzvhwmtx

$sudo kill -TERM "$pid"
wait "$pid"
pid=""
[ ! -e "$ready" ] || { echo "image: ready file left after SIGTERM" >&2; exit 1; }
echo "image: standin:latest serves all four products from its own filesystem; healthcheck ok"
