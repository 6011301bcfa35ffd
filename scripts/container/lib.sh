# Shared by the container test scripts (sourced): engine choice, free ports, topic counts.
ENGINE="$(bash "$SIPHON_ROOT/scripts/container-engine.sh" which)" || {
  echo "no container engine answers: run bash scripts/container-engine.sh first" >&2; exit 1; }
BUILD_FLAGS=() RUN_FLAGS=()
if [[ "$ENGINE" == podman ]]; then
  BUILD_FLAGS+=(--format docker)      # the OCI format drops HEALTHCHECK
  RUN_FLAGS+=(--health-interval disable) # no systemd to time healthchecks: `healthy` runs them by hand
fi
export BUILDAH_FORMAT=docker

# podman without systemd complains on every run of an image with a HEALTHCHECK that it cannot time
# the checks; they run by hand (`healthy`), so that line is noise.
engine() { "$ENGINE" "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }

# On failure: what each container was doing.
show_containers() { # <container...>
  local c
  for c in "$@"; do
    echo "---- $c: $("$ENGINE" inspect --format '{{.State.Status}} exit {{.State.ExitCode}}' "$c" 2>/dev/null) ----" >&2
    "$ENGINE" logs --tail 15 "$c" 2>&1 | cut -c1-400 >&2 || true
  done
}

log() { printf '[%s] %s\n' "${TEST_NAME:-container-test}" "$*"; }
fail() { printf '[%s] FAIL: %s\n' "${TEST_NAME:-container-test}" "$*" >&2; exit 1; }

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# Records per topic ("topic count" lines) for topics starting with <prefix>. on <bootstrap>
topic_counts() { # <bootstrap> <prefix>
  bash "$SIPHON_ROOT/infra/infra.sh" kafka-run-class org.apache.kafka.tools.GetOffsetShell \
    --bootstrap-server "$1" --topic "$2\\..*" 2>/dev/null \
    | awk -F: '{ n[$1] += $3 } END { for (t in n) print t, n[t] }' | sort
}

# Every data topic the pipelines file plans (the runner's own `topics --json`), one per line.
planned_topics() { # <pipelines file>
  node "$SIPHON_ROOT/apps/runner/dist/cli.js" topics -c "$1" --json --log-level silent \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const list=Array.isArray(j)?j:(j.topics??[]);for(const t of list)if(t.resource)console.log(t.topic)})'
}

# Healthy by the image's own HEALTHCHECK: podman runs it by hand (no systemd timers here).
healthy() { # <container>
  if [[ "$ENGINE" == podman ]]; then podman healthcheck run "$1" >/dev/null 2>&1
  else [[ "$(docker inspect --format '{{.State.Health.Status}}' "$1" 2>/dev/null)" == healthy ]]; fi
}

wait_until() { # <seconds> <what> <command...>
  local limit="$1" deadline=$((SECONDS + $1)) what="$2"; shift 2
  until "$@"; do
    ((SECONDS < deadline)) || fail "timed out after ${limit}s waiting for $what"
    sleep 2
  done
}
