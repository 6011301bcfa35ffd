#!/usr/bin/env bash
# docker-compose.yml end to end: Kafka, the registry, the sandbox and the runner come up together
# (all at once: the runner must wait for Kafka and the registry itself), the infrastructure's
# healthchecks pass, the runner writes every topic of both seed pipelines and answers /readyz 200.
# The stack is taken down on exit, also on failure. Ports: free ones, on 127.0.0.1 only.
#   bash scripts/test-compose.sh     (needs: bash scripts/container-engine.sh; docker compose or podman-compose)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
TEST_NAME=compose
source scripts/container/lib.sh
t0=$SECONDS
PROJECT="siphon-ctest-$$"
if [[ "$ENGINE" == docker ]] && docker compose version >/dev/null 2>&1; then
  compose=(docker compose -p "$PROJECT" -f docker-compose.yml)
else
  bash scripts/python-venv.sh >/dev/null
  compose=("$SIPHON_CACHE/venv/bin/podman-compose" -p "$PROJECT" -f docker-compose.yml)
fi
SIPHON_KAFKA_PORT="$(free_port)"; SIPHON_REGISTRY_PORT="$(free_port)"; SIPHON_HTTP_PORT="$(free_port)"
export SIPHON_KAFKA_PORT SIPHON_REGISTRY_PORT SIPHON_HTTP_PORT
down() {
  "${compose[@]}" down -t 45 >/dev/null 2>&1 || true
  # the images compose built under this run's project name (their layers stay cached)
  local images; images="$("$ENGINE" images --format '{{.Repository}}:{{.Tag}}' | grep -F "${PROJECT}_" || true)"
  [[ -z "$images" ]] || "$ENGINE" rmi $images >/dev/null 2>&1 || true
}
trap down EXIT

log "building and starting the stack ($PROJECT: kafka 127.0.0.1:$SIPHON_KAFKA_PORT, registry :$SIPHON_REGISTRY_PORT, runner http :$SIPHON_HTTP_PORT) ..."
"${compose[@]}" build > >(grep -v '^STEP\|^-->' || true) 2> >(grep -v 'unable to get systemd connection\|^failed to connect to syslog' >&2)
"${compose[@]}" up -d >/dev/null 2> >(grep -v 'unable to get systemd connection\|^failed to connect to syslog' >&2)
log "up in $((SECONDS - t0))s"

ctr() { "$ENGINE" ps -q --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1" | head -n1; }
for svc in kafka registry sandbox; do
  id="$(ctr "$svc")"; [[ -n "$id" ]] || fail "no container for service $svc"
  wait_until 180 "the healthcheck of $svc" healthy "$id"
done
log "kafka, registry and sandbox healthy after $((SECONDS - t0))s"

BOOTSTRAP="127.0.0.1:$SIPHON_KAFKA_PORT"
planned="$(export KAFKA_BROKERS="127.0.0.1:$SIPHON_KAFKA_PORT" BILLING_CLIENT_ID=x BILLING_CLIENT_SECRET=x BILLING_REFRESH_TOKEN=x ANALYTICS_API_KEY=x
  planned_topics examples/docker-compose.pipelines.yaml)"
[[ -n "$planned" ]] || fail "the runner planned no topics"
all_written() {
  local counts topic n
  counts="$(topic_counts "$BOOTSTRAP" siphon)"
  while read -r topic; do
    n="$(awk -v t="$topic" '$1 == t { print $2 }' <<<"$counts")"
    [[ "${n:-0}" -gt 0 ]] || return 1
  done <<<"$planned"
  log "records in all $(wc -l <<<"$planned") topics: $(tr '\n' ' ' <<<"$counts")"
}
wait_until 300 "records in every topic of both seeds (runner logs: ${compose[*]} logs runner)" all_written
wait_until 60 "the runner's /readyz" curl -sf -o /dev/null "http://127.0.0.1:$SIPHON_HTTP_PORT/readyz"
log "runner ready; PASS in $((SECONDS - t0))s"
