#!/usr/bin/env bash
# A newcomer's first ten minutes, checked: clone the repository into an empty temporary folder (nothing
# beside it, so a path like ../shared fails here as it would for them), run the README's two commands
# (`npm install && npm start`) non-interactively, and require that
#   - the install prints no `Unknown … config` warning and never tries onnxruntime-node's CUDA download,
#   - the API and the web app answer,
#   - a demo thumbnail comes back 200 image/png, straight from the API and through the web's /api proxy,
#     signed in as the demo owner with the password `npm start` prints;
# then stop it. With --test it then runs `npm test` in that clone (CI runs its PGlite pass here).
#
# Usage: scripts/fresh-clone-check.sh [--test] [--keep] [<git source>=this repository]
# Env: FRESH_API_PORT (4000), FRESH_WEB_PORT (3000), FRESH_START_TIMEOUT_S (600: a first build is slow).
set -euo pipefail

run_tests=0 keep=0
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --test) run_tests=1 ;;
    --keep) keep=1 ;;
    *) echo "unknown flag $1" >&2; exit 2 ;;
  esac
  shift
done
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
api_port=${FRESH_API_PORT:-4000}
web_port=${FRESH_WEB_PORT:-3000}
start_timeout=${FRESH_START_TIMEOUT_S:-600}

base=$(mktemp -d /tmp/stratum-fresh-XXXXXX)
clone="$base/stratum"
start_pid=""
cleanup() {
  if [[ -n $start_pid ]] && kill -0 "$start_pid" 2>/dev/null; then
    kill -TERM -- "-$start_pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$start_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$start_pid" 2>/dev/null || true
  fi
  if [[ $keep == 1 ]]; then echo "fresh-clone: kept $base"; else rm -rf "$base"; fi
}
trap cleanup EXIT
fail() { echo "fresh-clone: FAIL: $*" >&2; exit 1; }

echo "fresh-clone: git clone $src $clone"
git clone -q "$src" "$clone"
cd "$clone"
[[ $(ls -A "$base") == stratum ]] || fail "the temporary folder holds more than the clone"

# A new user's shell: none of CI's install workarounds.
unset ONNXRUNTIME_NODE_INSTALL npm_config_onnxruntime_node_install DATABASE_URL STRATUM_DATA_DIR

echo "fresh-clone: npm install"
npm install --no-audit --no-fund >"$base/install.log" 2>&1 || { tail -50 "$base/install.log"; fail "npm install"; }
if grep -E "Unknown (env|project|user|builtin) config" "$base/install.log"; then fail "npm warns about an unknown config key"; fi
if grep -Ei "nuget|cuda" "$base/install.log"; then fail "onnxruntime-node tried its CUDA download"; fi
grep -c "EBADENGINE   package" "$base/install.log" | sed 's/^/fresh-clone: EBADENGINE warnings (see README): /' || true

echo "fresh-clone: npm start (API :$api_port, web :$web_port)"
# Its own process group (setsid), so stopping it stops npm, the API and next together.
API_PORT=$api_port WEB_PORT=$web_port setsid npm start >"$base/start.log" 2>&1 &
start_pid=$!
api="http://localhost:$api_port" web="http://localhost:$web_port"
deadline=$((SECONDS + start_timeout))
until curl -sf -o /dev/null -X POST -H 'content-type: application/json' -d '{"query":"{ __typename }"}' "$api/graphql" &&
  curl -sf -o /dev/null "$web/" && grep -q "Sign in at" "$base/start.log"; do
  kill -0 "$start_pid" 2>/dev/null || { tail -50 "$base/start.log"; fail "npm start exited"; }
  ((SECONDS < deadline)) || { tail -50 "$base/start.log"; fail "API/web not up after ${start_timeout}s"; }
  sleep 3
done
echo "fresh-clone: API and web answer"

# The printed accounts: "  <email>  <password>  (OWNER)".
read -r email password < <(grep -E '^\s+\S+@\S+\s+\S+\s+\(OWNER' "$base/start.log" | head -1 | awk '{print $1, $2}') ||
  fail "no OWNER account printed by npm start"
jar="$base/cookies"
# JSON with node, not jq: a fresh machine has Node, not necessarily jq.
login=$(node -e 'console.log(JSON.stringify({ query: "mutation ($input: SessionLoginInput!) { sessionLogin(input: $input) { user { id } errors { code message } } }", variables: { input: { email: process.argv[1], password: process.argv[2] } } }))' "$email" "$password")
curl -sf -c "$jar" -H 'content-type: application/json' -d "$login" "$web/api/graphql" |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => process.exit(JSON.parse(s).data?.sessionLogin?.user?.id ? 0 : 1))' ||
  fail "sign-in as $email through the web proxy"

# Pages of one: the API limits query cost and depth (apps/server/src/graphql/limits.ts).
query='{"query":"{ consortia(first: 1) { nodes { projects(first: 1) { nodes { datasets(first: 1) { nodes { latestVersion { samples(first: 1) { nodes { imageUrl } } } } } } } } } }"}'
image="" answer=""
for _ in $(seq 60); do # the demo seed may still be writing its PNGs
  answer=$(curl -s -b "$jar" -H 'content-type: application/json' -d "$query" "$web/api/graphql" || true)
  image=$(printf '%s' "$answer" |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { const m = s.match(/"imageUrl":"([^"]+)"/); console.log(m ? m[1] : ""); })' || true)
  [[ -n $image ]] && break
  sleep 2
done
[[ -n $image ]] || fail "no demo sample with an imageUrl; the API answered: ${answer:0:500}"

check_png() { # <url> <label>
  local out
  out=$(curl -s -b "$jar" -o "$base/thumb.png" -w '%{http_code} %{content_type}' "$1")
  [[ $out == "200 image/png"* ]] || fail "$2 $1 answered '$out'"
  [[ $(head -c 8 "$base/thumb.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "$2 is not a PNG"
  echo "fresh-clone: $2 $1 → $out, $(stat -c %s "$base/thumb.png") bytes"
}
check_png "$api$image" "thumbnail from the API"
check_png "$web/api$image" "thumbnail through the web proxy"

kill -TERM -- "-$start_pid"
for _ in $(seq 30); do kill -0 "$start_pid" 2>/dev/null || break; sleep 0.5; done
start_pid=""
echo "fresh-clone: npm start stopped; install and start OK"

if [[ $run_tests == 1 ]]; then
  echo "fresh-clone: npm test (embedded PGlite)"
  npm test
fi
echo "fresh-clone: OK"
