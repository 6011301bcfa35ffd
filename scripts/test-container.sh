#!/usr/bin/env bash
# The runner image, for real: builds it with the unchanged Dockerfile, checks --help, --version, the
# non-root user and the HEALTHCHECK, runs both seed pipelines once against the local Kafka, registry
# and a sandbox container (--network host), checks their topics, then checks a graceful SIGTERM stop
# (exit 0). The image must ship the native Kafka client: it is loaded in the image, and the pipelines
# run with `kafka.client: confluent` (librdkafka). Every container it starts is removed on exit, also
# on failure.
#   bash scripts/test-container.sh        (needs: bash scripts/container-engine.sh; Kafka + registry up)
# Env: KAFKA_BROKERS, SCHEMA_REGISTRY_URL (default: the local infra), SIPHON_IMAGE (default localhost/siphon:test),
#      IMAGE_TEST_CLIENT (kafka.client of the runs: confluent (default) or kafkajs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
TEST_NAME=image
source scripts/container/lib.sh
IMAGE="${SIPHON_IMAGE:-localhost/siphon:test}"
SANDBOX_IMAGE="${IMAGE%:*}-sandbox:test"
BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
REGISTRY="${SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081/apis/ccompat/v7}"
RUN_ID="ctest$(date +%s)$$"
CLIENT="${IMAGE_TEST_CLIENT:-confluent}"
TMP="$(mktemp -d)"
containers=()
cleanup() {
  local code=$?
  ((code != 0 && ${#containers[@]})) && show_containers "${containers[@]}"
  ((${#containers[@]})) && engine rm -f -t 0 "${containers[@]}" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT

t0=$SECONDS
log "building $IMAGE and $SANDBOX_IMAGE with $ENGINE ..."
engine build "${BUILD_FLAGS[@]}" -q -t "$IMAGE" . >/dev/null
engine build "${BUILD_FLAGS[@]}" -q --target sandbox -t "$SANDBOX_IMAGE" . >/dev/null
size_mb="$("$ENGINE" image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%d", $1/1e6}')"
log "built in $((SECONDS - t0))s; $IMAGE is ${size_mb} MB"
((size_mb < 250)) || fail "image is ${size_mb} MB, over the 250 MB budget"

engine run "${RUN_FLAGS[@]}" --rm "$IMAGE" --help | grep -q 'Usage: siphon' || fail "--help did not print the usage"
want="$(node -p 'require("./apps/runner/package.json").version')"
got="$(engine run "${RUN_FLAGS[@]}" --rm "$IMAGE" --version)"
[[ "$got" == "siphon $want" ]] || fail "--version printed '$got', expected 'siphon $want'"
[[ "$(engine run "${RUN_FLAGS[@]}" --rm --entrypoint id "$IMAGE" -u)" == 1000 ]] || fail "the image does not run as uid 1000"
"$ENGINE" image inspect --format '{{json .Config.Healthcheck}}' "$IMAGE" | grep -q healthz || fail "no HEALTHCHECK in the image"
log "--help, --version ($got), uid 1000 and HEALTHCHECK: ok"

# The native Kafka client (an optional dependency: a failed build would leave it out silently) loads,
# resolved from the sink's own package as the runner resolves it, with the image's shared libraries.
native="$(engine run "${RUN_FLAGS[@]}" --rm --entrypoint node "$IMAGE" -e '
  const { createRequire } = require("node:module");
  const sink = require("node:fs").realpathSync("/app/node_modules/@siphon/sink-kafka/package.json");
  console.log(createRequire(sink)("@confluentinc/kafka-javascript").librdkafkaVersion);')" \
  || fail "the image cannot load @confluentinc/kafka-javascript (kafka.client: confluent)"
log "native Kafka client loads: librdkafka $native"

# Both seed pipelines, under a prefix of their own, against a sandbox container on free ports.
p_billing="$(free_port)"; p_analytics="$(free_port)"; p_accounts="$(free_port)"; p_http="$(free_port)"
sed -e "s/prefix: siphon/prefix: $RUN_ID/" -e "s/^    client_id: siphon\$/&\n    client: $CLIENT/" \
  examples/docker-compose.pipelines.yaml >"$TMP/pipelines.yaml"
grep -q "^    client: $CLIENT\$" "$TMP/pipelines.yaml" || fail "could not set kafka.client: $CLIENT in the pipelines file"
cp -r examples/seeds "$TMP/seeds"
chmod -R a+rX "$TMP"
runenv=("KAFKA_BROKERS=$BROKERS" "SCHEMA_REGISTRY_URL=$REGISTRY"
  "BILLING_BASE_URL=http://127.0.0.1:$p_billing" "BILLING_TOKEN_URL=http://127.0.0.1:$p_accounts/oauth/v2/token"
  "ANALYTICS_BASE_URL=http://127.0.0.1:$p_analytics"
  # The sandbox's fixed test credentials for --seed 42 (as in docker-compose.yml; not real secrets).
  BILLING_CLIENT_ID=1000.B64E5576E34B8A9EE941634D301D02 BILLING_CLIENT_SECRET=f215052324ba1c87c49ed49944b6b36f2ea13a051a
  BILLING_REFRESH_TOKEN=1000.3b68c625d42cb2df797db63f7e5f2b1e.82d2b1783a42cb56495f55249f91bd19
  ANALYTICS_API_KEY=ca75a2e0-305c-4615-af95-efafdeafb5c6)
envs=()
for kv in "${runenv[@]}"; do envs+=(-e "$kv"); done
mounts=(-v "$TMP/pipelines.yaml:/etc/siphon/pipelines.yaml:ro" -v "$TMP/seeds:/etc/siphon/seeds:ro")

sandbox="siphon-sandbox-$RUN_ID"
containers+=("$sandbox")
engine run "${RUN_FLAGS[@]}" -d --name "$sandbox" --label siphon.test=true --network host "$SANDBOX_IMAGE" --host 127.0.0.1 \
  --port "$p_billing" --analytics-port "$p_analytics" --accounts-port "$p_accounts" --seed 42 --size 60 >/dev/null
wait_until 60 "the sandbox" bash -c "exec 3<>/dev/tcp/127.0.0.1/$p_billing" 2>/dev/null

log "run --once of both seed pipelines (prefix $RUN_ID, kafka.client: $CLIENT) ..."
once="siphon-once-$RUN_ID"
containers+=("$once")
engine run "${RUN_FLAGS[@]}" --name "$once" --label siphon.test=true --network host "${envs[@]}" "${mounts[@]}" "$IMAGE" \
  run --once -c /etc/siphon/pipelines.yaml --http-port 0 --log-level warn \
  || fail "run --once exited $? (logs above)"

# Each planned topic holds records; the runner's own plan names them.
planned="$(for kv in "${runenv[@]}"; do export "${kv?}"; done; planned_topics "$TMP/pipelines.yaml")"
[[ -n "$planned" ]] || fail "the runner planned no topics"
counts="$(topic_counts "$BROKERS" "$RUN_ID")"
while read -r topic; do
  n="$(awk -v t="$topic" '$1 == t { print $2 }' <<<"$counts")"
  [[ "${n:-0}" -gt 0 ]] || fail "topic $topic holds no records (counts: $(tr '\n' ' ' <<<"$counts"))"
done <<<"$planned"
log "records in all $(wc -l <<<"$planned") planned topics: $(tr '\n' ' ' <<<"$counts")"

# Scheduled mode: healthy by its HEALTHCHECK, then SIGTERM stops it gracefully with exit code 0.
svc="siphon-run-$RUN_ID"
containers+=("$svc")
engine run "${RUN_FLAGS[@]}" -d --name "$svc" --label siphon.test=true --network host -e "SIPHON_HTTP_PORT=$p_http" \
  "${envs[@]}" "${mounts[@]}" "$IMAGE" >/dev/null
wait_until 120 "the HEALTHCHECK of $svc" healthy "$svc"
wait_until 120 "/readyz of $svc" curl -sf -o /dev/null "http://127.0.0.1:$p_http/readyz"
engine stop -t 45 "$svc" >/dev/null
code="$("$ENGINE" inspect --format '{{.State.ExitCode}}' "$svc")"
[[ "$code" == 0 ]] || { "$ENGINE" logs --tail 20 "$svc" >&2; fail "SIGTERM stop exited $code, expected 0"; }
log "healthy, ready, and SIGTERM stop exited 0 (kafka.client: $CLIENT)"
log "PASS in $((SECONDS - t0))s (image ${size_mb} MB)"
