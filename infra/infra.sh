#!/usr/bin/env bash
# Local infrastructure for Siphon without Docker: a single-node KRaft Kafka broker and an
# Apicurio Registry (Confluent-compatible API), both as plain background JVM processes.
#
#   bash infra/infra.sh up                 download what is missing, start, wait until usable
#   bash infra/infra.sh down [--keep-data] stop what this script started; wipe Kafka data unless --keep-data
#   bash infra/infra.sh status             one line per service; exit 0 only if both are up
#   bash infra/infra.sh logs [kafka|registry] [-f]
#   bash infra/infra.sh kafka-topics|kafka-console-producer|kafka-console-consumer ARGS...
#   bash infra/infra.sh kafka-run-class <main.Class> ARGS...
#   bash infra/infra.sh fetch              only download Kafka's jars and Apicurio (e.g. for container images)
#
# Env: SIPHON_CACHE (default <repo>/.cache, as scripts/env.sh and ./dev use), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
#      REGISTRY_PORT (8081), INFRA_TIMEOUT (120 s), APICURIO_VERSION (3.0.9), REGISTRY_COMPATIBILITY
#      (BACKWARD), KAFKA_HEAP, REGISTRY_HEAP.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
# The same default as scripts/env.sh: `pnpm infra:down` (no env.sh) stops what `./dev demo` started.
CACHE="${SIPHON_CACHE:-$REPO_ROOT/.cache}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
REGISTRY_PORT="${REGISTRY_PORT:-8081}"
INFRA_TIMEOUT="${INFRA_TIMEOUT:-120}"
# 3.1.x is not resolvable from our Maven Central; 3.0.9 is (and runs on Java 17). 3.2+ needs Java 21.
APICURIO_VERSION="${APICURIO_VERSION:-3.0.9}"
KAFKA_HEAP="${KAFKA_HEAP:--Xms128m -Xmx512m}"
REGISTRY_HEAP="${REGISTRY_HEAP:--Xms64m -Xmx512m}"
# Global compatibility default of the registry; Confluent's default is BACKWARD. Empty = Apicurio's NONE.
REGISTRY_COMPATIBILITY="${REGISTRY_COMPATIBILITY-BACKWARD}"

LOG_DIR="$CACHE/logs"
KAFKA_LOG="$LOG_DIR/kafka.log"
REGISTRY_LOG="$LOG_DIR/registry.log"
TOOLS_LOG="$LOG_DIR/tools.log"
MVN_LOG="$LOG_DIR/mvn.log"
KAFKA_LIBS="$CACHE/kafka-libs"
KAFKA_HOME="$CACHE/kafka"
KAFKA_DATA="$KAFKA_HOME/data"
KAFKA_PROPS="$KAFKA_HOME/server.properties"
KAFKA_PID="$CACHE/kafka.pid"
REGISTRY_PID="$CACHE/registry.pid"
APICURIO_DIR="$CACHE/apicurio-$APICURIO_VERSION"
POM="$SCRIPT_DIR/pom.xml"
LOG4J_CONF="$SCRIPT_DIR/log4j2.xml"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
REGISTRY_URL="http://127.0.0.1:$REGISTRY_PORT"
CCOMPAT_PROBE="$REGISTRY_URL/apis/ccompat/v7/subjects"

say() { printf '[infra] %s\n' "$*"; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }

# die, after showing where the logs are and the tail of the relevant one
die_with_log() { # <log file> <message>
  local log="$1"; shift
  printf '[infra] error: %s\n' "$*" >&2
  printf '[infra] logs: %s\n' "$LOG_DIR" >&2
  if [[ -s "$log" ]]; then
    printf '[infra] last 40 lines of %s:\n' "$log" >&2
    tail -n 40 "$log" | sed 's/^/    /' >&2
    # the tail is often a stack trace: repeat the error lines of the latest start
    local errs
    errs="$(awk '/^===== .* starting: /{buf=""} /(ERROR|FATAL|Exception: |Caused by: )/{buf=buf "    " $0 "\n"} END{printf "%s", buf}' "$log" | tail -n 6)"
    [[ -z "$errs" ]] || printf '[infra] error lines since the last start:\n%s\n' "$errs" >&2
  fi
  printf "[infra] to clean up: bash %s down\n" "$SCRIPT_DIR/infra.sh" >&2
  exit 1
}

need_java() {
  command -v java >/dev/null 2>&1 || die "java not found: install Java 17+ or use docker compose"
  local v
  v="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
  [[ -n "$v" && "$v" -ge 17 ]] || die "java 17+ required (found: ${v:-unknown}): install Java 17+ or use docker compose"
}
need_curl() { command -v curl >/dev/null 2>&1 || die "curl not found: install curl (used to probe the registry)"; }
need_mvn() { command -v mvn >/dev/null 2>&1 || die "mvn not found: install Maven 3.8+ (needed once to download Kafka and Apicurio)"; }

port_open() { # <port>
  timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" >/dev/null 2>&1
}

# pid from a pid file if that process is alive and is the JVM we started (guards against pid reuse)
live_pid() { # <pid file> <cmdline marker>
  local f="$1" marker="$2" pid
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$marker" || return 1
  echo "$pid"
}
kafka_pid() { live_pid "$KAFKA_PID" "kafka.Kafka"; }
registry_pid() { live_pid "$REGISTRY_PID" "$APICURIO_DIR"; }

# pid of the process listening on a local TCP port, when this user can see it
port_owner_pid() { # <port>
  local port="$1" pid hex inode fd
  if command -v ss >/dev/null 2>&1; then
    pid="$(ss -Hltnp "sport = :$port" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1)"
    if [[ -n "$pid" ]]; then echo "$pid"; return 0; fi
  fi
  # without ss: the inode of the listening socket (state 0A), then the process holding it
  hex="$(printf ':%04X' "$port")"
  inode="$(awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { print $10; exit }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null)"
  [[ -n "$inode" ]] || return 1
  for fd in /proc/[0-9]*/fd/*; do
    if [[ "$(readlink "$fd" 2>/dev/null)" == "socket:[$inode]" ]]; then
      pid="${fd#/proc/}"; echo "${pid%%/*}"; return 0
    fi
  done
  return 1
}

cmdline_of() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null; }

# A broker this script started, from this cache or another clone's (the pid file is in that cache):
# a kafka.Kafka JVM whose server.properties was rendered by infra.sh for this port.
is_infra_kafka() { # <pid>
  local cmd props
  cmd="$(cmdline_of "$1")"
  [[ "$cmd" == *" kafka.Kafka "* ]] || return 1
  props="${cmd##* kafka.Kafka }"; props="${props%% *}"
  grep -q '^# Rendered by infra/infra.sh' "$props" 2>/dev/null || return 1
  grep -Eq "^listeners=.*:$KAFKA_PORT(,|\$)" "$props" 2>/dev/null
}

# An Apicurio Registry this script started (the flags below are infra.sh's own) on this port.
is_infra_registry() { # <pid>
  local cmd
  cmd="$(cmdline_of "$1")"
  [[ "$cmd" == *"-Dquarkus.http.port=$REGISTRY_PORT "* && "$cmd" == *"-Dapicurio.ccompat.use-canonical-hash=true"* ]]
}

# The port answers, but not with a process of ours: say whose it is and how to pick other ports.
die_port_taken() { # <service> <port> <pid or empty>
  local service="$1" port="$2" pid="$3" who="a process this user cannot see"
  [[ -z "$pid" ]] || who="pid $pid: $(cmdline_of "$pid" | cut -c1-160 | sed 's/ *$//')"
  printf '[infra] error: %s: port %s is in use by a process infra.sh did not start (%s); not reusing it.\n' \
    "$service" "$port" "$who" >&2
  printf '[infra] stop that process, or choose free ports, e.g.\n' >&2
  printf '[infra]   KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 REGISTRY_PORT=18081 bash infra/infra.sh up\n' >&2
  printf '[infra] and point Siphon and the tests at them:\n' >&2
  printf '[infra]   KAFKA_BROKERS=127.0.0.1:19092 SCHEMA_REGISTRY_URL=http://127.0.0.1:18081/apis/ccompat/v7\n' >&2
  exit 1
}

run_mvn() { # <args...>; quiet, but show the errors if it fails
  need_mvn
  mkdir -p "$LOG_DIR"
  if ! mvn -B -q -f "$POM" "$@" >"$MVN_LOG" 2>&1; then
    grep -E '^\[(ERROR|FATAL)\]' "$MVN_LOG" | head -n 20 | sed 's/^/    /' >&2 || true
    die "maven failed (full output: $MVN_LOG)"
  fi
}

ensure_kafka_libs() {
  local stamp="$KAFKA_LIBS/.complete" want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
  say "downloading Kafka (Maven: $POM) into $KAFKA_LIBS ..."
  rm -rf "$KAFKA_LIBS"
  run_mvn dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS"
  echo "$want" >"$stamp"
}

apicurio_jar() { # prints the runnable jar of the unpacked registry (fast-jar or legacy-jar layout)
  local j
  j="$(find "$APICURIO_DIR" -maxdepth 3 -path '*/quarkus-app/quarkus-run.jar' | head -n1)"
  [[ -n "$j" ]] || j="$(find "$APICURIO_DIR" -maxdepth 2 -name '*-runner.jar' | head -n1)"
  [[ -n "$j" ]] || return 1
  echo "$j"
}

ensure_apicurio() {
  if [[ -f "$APICURIO_DIR/.complete" ]] && apicurio_jar >/dev/null; then return 0; fi
  local gav="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all"
  local dl="$CACHE/downloads" tgz="$CACHE/downloads/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz"
  say "downloading Apicurio Registry ($gav) ..."
  mkdir -p "$dl"
  # dependency:get of plugin 2.8 fetches the file without reading its POM: the parent POM
  # io.apicurio:apicurio-registry is missing from our Maven Central, which breaks dependency:copy (3.x).
  run_mvn org.apache.maven.plugins:maven-dependency-plugin:2.8:get -Dartifact="$gav" -Dtransitive=false -Ddest="$tgz"
  [[ -f "$tgz" ]] || die "expected $tgz after download"
  rm -rf "$APICURIO_DIR" "$APICURIO_DIR.tmp"
  mkdir -p "$APICURIO_DIR.tmp"
  tar -xzf "$tgz" -C "$APICURIO_DIR.tmp"
  mv "$APICURIO_DIR.tmp" "$APICURIO_DIR"
  apicurio_jar >/dev/null || die "no quarkus-run.jar or *-runner.jar found in $APICURIO_DIR"
  touch "$APICURIO_DIR/.complete"
}

kafka_java() { # run a Kafka CLI main class on the broker classpath; its logging goes to stderr at WARN
  java -Dlog4j2.configurationFile="$LOG4J_CONF" -Dsiphon.log.target=SYSTEM_ERR \
    -Dsiphon.log.level="${KAFKA_TOOLS_LOG_LEVEL:-WARN}" -cp "$KAFKA_LIBS/*" "$@"
}

render_server_properties() {
  mkdir -p "$KAFKA_HOME"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@KAFKA_DATA_DIR@|$KAFKA_DATA|g" \
      "$SCRIPT_DIR/server.properties.tmpl" >"$KAFKA_PROPS"
}

format_kafka_storage() {
  local ports="$KAFKA_PORT/$KAFKA_CONTROLLER_PORT"
  if [[ -f "$KAFKA_DATA/meta.properties" ]]; then
    # --standalone stores the controller endpoint in the bootstrap metadata: reformat if ports changed
    if [[ "$(cat "$KAFKA_DATA/.siphon-ports" 2>/dev/null || true)" == "$ports" ]]; then return 0; fi
    say "Kafka ports changed; wiping $KAFKA_DATA and reformatting"
    rm -rf "$KAFKA_DATA"
  fi
  local id
  id="$(kafka_java kafka.tools.StorageTool random-uuid 2>>"$TOOLS_LOG" | tail -n1)" \
    || die_with_log "$TOOLS_LOG" "kafka StorageTool random-uuid failed"
  say "formatting Kafka storage (cluster id $id) in $KAFKA_DATA"
  kafka_java kafka.tools.StorageTool format --standalone -t "$id" -c "$KAFKA_PROPS" >>"$TOOLS_LOG" 2>&1 \
    || die_with_log "$TOOLS_LOG" "kafka StorageTool format failed"
  echo "$ports" >"$KAFKA_DATA/.siphon-ports"
}

start_detached() { # <pid file> <log file> <cmd...>; the JVM gets its own session and survives this shell
  local pidf="$1" log="$2"; shift 2
  printf '\n===== %s starting: %s\n' "$(date '+%F %T')" "$*" >>"$log"
  nohup setsid "$@" >>"$log" 2>&1 </dev/null 9>&- & # 9>&-: do not inherit the lock (lock_cache)
  echo $! >"$pidf"
}

start_kafka() {
  local pid
  if pid="$(kafka_pid)"; then say "kafka: already running (pid $pid, $BOOTSTRAP)"; return 0; fi
  if port_open "$KAFKA_PORT"; then
    pid="$(port_owner_pid "$KAFKA_PORT" || true)"
    [[ -n "$pid" ]] && is_infra_kafka "$pid" || die_port_taken kafka "$KAFKA_PORT" "$pid"
    say "kafka: already running (pid $pid, $BOOTSTRAP), started by infra.sh ($(cmdline_of "$pid" | sed 's/.* kafka.Kafka //; s/ *$//'))"
    rm -f "$KAFKA_PID"; return 0
  fi
  if port_open "$KAFKA_CONTROLLER_PORT"; then
    die_port_taken "kafka controller" "$KAFKA_CONTROLLER_PORT" "$(port_owner_pid "$KAFKA_CONTROLLER_PORT" || true)"
  fi
  ensure_kafka_libs
  render_server_properties
  format_kafka_storage
  say "kafka: starting on $BOOTSTRAP (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT), log $KAFKA_LOG"
  # shellcheck disable=SC2086
  start_detached "$KAFKA_PID" "$KAFKA_LOG" java $KAFKA_HEAP -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$LOG4J_CONF" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS"
}

start_registry() {
  local pid jar
  if pid="$(registry_pid)"; then say "registry: already running (pid $pid, $REGISTRY_URL)"; return 0; fi
  if port_open "$REGISTRY_PORT"; then
    pid="$(port_owner_pid "$REGISTRY_PORT" || true)"
    [[ -n "$pid" ]] && is_infra_registry "$pid" || die_port_taken registry "$REGISTRY_PORT" "$pid"
    say "registry: already running (pid $pid, $REGISTRY_URL), started by infra.sh"
    rm -f "$REGISTRY_PID"; return 0
  fi
  ensure_apicurio
  jar="$(apicurio_jar)"
  STARTED_REGISTRY=1
  say "registry: starting Apicurio $APICURIO_VERSION on $REGISTRY_URL, log $REGISTRY_LOG"
  # In-memory H2 storage (the default). Ids returned by the ccompat API are content ids (Confluent-like);
  # apicurio.ccompat.legacy-id-mode.enabled stays false on purpose (see infra/README.md).
  # use-canonical-hash: re-registering the same schema with other whitespace/formatting returns the
  # existing id and version, as Confluent does. The global compatibility level is set once the registry
  # answers (see set_registry_compatibility).
  # shellcheck disable=SC2086
  (cd "$APICURIO_DIR" && start_detached "$REGISTRY_PID" "$REGISTRY_LOG" java $REGISTRY_HEAP \
    -XX:+ExitOnOutOfMemoryError \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.log.console.format='%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{2.}] (%t) %s%e%n' \
    -Dapicurio.ccompat.use-canonical-hash=true \
    -jar "$jar")
}

# Apicurio's global default is NONE, Confluent's is BACKWARD. Store it through the ccompat API (only on a
# registry this invocation started: its storage is in-memory and fresh). The -Dapicurio.rules.global.*
# property would be enforced too, but ccompat GET /config would still report NONE.
set_registry_compatibility() {
  [[ "${STARTED_REGISTRY:-0}" == 1 && -n "$REGISTRY_COMPATIBILITY" ]] || return 0
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X PUT \
    -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
    -d "{\"compatibility\":\"$REGISTRY_COMPATIBILITY\"}" "$REGISTRY_URL/apis/ccompat/v7/config" || true)"
  [[ "$code" == 200 ]] || die_with_log "$REGISTRY_LOG" "could not set global compatibility $REGISTRY_COMPATIBILITY (HTTP $code)"
  say "registry: global compatibility set to $REGISTRY_COMPATIBILITY"
}

wait_ready() {
  local deadline=$(( $(date +%s) + INFRA_TIMEOUT )) kafka_ok=0 reg_ok=0 code next_msg=0 now pid
  # registry + kafka port, polled together
  while :; do
    now=$(date +%s)
    if (( !reg_ok )); then
      code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$CCOMPAT_PROBE" || true)"
      if [[ "$code" == 200 ]]; then reg_ok=1; say "registry: ready ($CCOMPAT_PROBE -> 200)"; set_registry_compatibility; fi
    fi
    if (( !kafka_ok )) && port_open "$KAFKA_PORT"; then kafka_ok=1; fi
    (( reg_ok && kafka_ok )) && break
    if (( !kafka_ok )) && [[ -f "$KAFKA_PID" ]] && ! kafka_pid >/dev/null; then
      rm -f "$KAFKA_PID"; die_with_log "$KAFKA_LOG" "kafka exited during startup"
    fi
    if (( !reg_ok )) && [[ -f "$REGISTRY_PID" ]] && ! registry_pid >/dev/null; then
      rm -f "$REGISTRY_PID"; die_with_log "$REGISTRY_LOG" "registry exited during startup"
    fi
    if (( now >= deadline )); then
      (( kafka_ok )) || die_with_log "$KAFKA_LOG" "kafka did not open port $KAFKA_PORT within ${INFRA_TIMEOUT}s"
      die_with_log "$REGISTRY_LOG" "registry did not answer 200 on $CCOMPAT_PROBE within ${INFRA_TIMEOUT}s (last HTTP ${code:-none})"
    fi
    if (( now >= next_msg )); then
      say "waiting: kafka port $( ((kafka_ok)) && echo open || echo closed ), registry $( ((reg_ok)) && echo ready || echo "not ready (HTTP ${code:-none})" ) ... $(( deadline - now ))s left"
      next_msg=$(( now + 5 ))
    fi
    sleep 1
  done
  # kafka: really create a topic and produce to it
  local left=$(( deadline - $(date +%s) )); (( left < 10 )) && left=10
  ensure_kafka_libs # the probe runs on the Kafka classpath, also when reusing a broker we did not start
  say "kafka: port open; checking that a topic can be created and produced to ..."
  kafka_java "$SCRIPT_DIR/KafkaReadyCheck.java" "$BOOTSTRAP" "$left" 2>>"$TOOLS_LOG" | sed 's/^/[infra] /' \
    || die_with_log "$KAFKA_LOG" "kafka is not usable at $BOOTSTRAP (probe output above; probe stderr in $TOOLS_LOG)"
}

cmd_up() {
  local t0; t0=$(date +%s)
  need_java; need_curl
  mkdir -p "$LOG_DIR"
  start_kafka
  start_registry
  wait_ready
  say "up in $(( $(date +%s) - t0 ))s: kafka $BOOTSTRAP, registry $REGISTRY_URL/apis/ccompat/v7 (logs: $LOG_DIR)"
}

stop_one() { # <name> <pid file> <pid-getter> <port>
  local name="$1" pidf="$2" getter="$3" port="$4" pid i
  if ! pid="$($getter)"; then
    rm -f "$pidf"
    if port_open "$port"; then say "$name: port $port answers but was not started by infra.sh; leaving it alone"
    else say "$name: not running"; fi
    return 0
  fi
  say "$name: stopping pid $pid ..."
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name: still alive after 30s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -f "$pidf"
  say "$name: stopped"
}

cmd_down() {
  local keep=0 a
  for a in "$@"; do
    case "$a" in --keep-data) keep=1 ;; *) die "unknown option for down: $a (allowed: --keep-data)" ;; esac
  done
  stop_one registry "$REGISTRY_PID" registry_pid "$REGISTRY_PORT"
  stop_one kafka "$KAFKA_PID" kafka_pid "$KAFKA_PORT"
  if (( keep )); then
    say "kept Kafka data in $KAFKA_DATA"
  elif kafka_pid >/dev/null; then
    say "kafka still running; not wiping $KAFKA_DATA"
  elif [[ -d "$KAFKA_DATA" ]]; then
    rm -rf "$KAFKA_DATA"; say "wiped Kafka data ($KAFKA_DATA); use --keep-data to keep it"
  fi
}

cmd_status() {
  local ok=0 pid code
  if pid="$(kafka_pid)"; then
    if port_open "$KAFKA_PORT"; then say "kafka:    running  pid $pid  $BOOTSTRAP"; ok=$((ok + 1))
    else say "kafka:    starting pid $pid  $BOOTSTRAP (port not open yet)"; fi
  elif port_open "$KAFKA_PORT"; then
    pid="$(port_owner_pid "$KAFKA_PORT" || true)"
    if [[ -n "$pid" ]] && is_infra_kafka "$pid"; then say "kafka:    running  pid $pid  $BOOTSTRAP (started by infra.sh from another cache)"
    else say "kafka:    running  (external, not started by infra.sh: \`up\` will refuse this port)  $BOOTSTRAP"; fi
    ok=$((ok + 1))
  else say "kafka:    stopped  $BOOTSTRAP"; fi
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$CCOMPAT_PROBE" 2>/dev/null || true)"
  if pid="$(registry_pid)"; then
    if [[ "$code" == 200 ]]; then say "registry: running  pid $pid  $REGISTRY_URL/apis/ccompat/v7"; ok=$((ok + 1))
    else say "registry: starting pid $pid  $REGISTRY_URL (HTTP ${code:-none})"; fi
  elif [[ "$code" == 200 ]]; then
    pid="$(port_owner_pid "$REGISTRY_PORT" || true)"
    if [[ -n "$pid" ]] && is_infra_registry "$pid"; then say "registry: running  pid $pid  $REGISTRY_URL/apis/ccompat/v7 (started by infra.sh from another cache)"
    else say "registry: running  (external, not started by infra.sh: \`up\` will refuse this port)  $REGISTRY_URL/apis/ccompat/v7"; fi
    ok=$((ok + 1))
  else say "registry: stopped  $REGISTRY_URL"; fi
  (( ok == 2 ))
}

cmd_logs() {
  local which="all" follow=0 a
  for a in "$@"; do
    case "$a" in kafka | registry) which="$a" ;; -f | --follow) follow=1 ;; *) die "usage: infra.sh logs [kafka|registry] [-f]" ;; esac
  done
  local files=()
  [[ "$which" == registry ]] || files+=("$KAFKA_LOG")
  [[ "$which" == kafka ]] || files+=("$REGISTRY_LOG")
  say "logs: $LOG_DIR"
  if (( follow )); then exec tail -n 40 -F "${files[@]}"; fi
  for a in "${files[@]}"; do
    printf '==> %s <==\n' "$a"
    if [[ -f "$a" ]]; then tail -n 40 "$a"; else echo "(no log yet)"; fi
  done
}

cmd_kafka_tool() { # <main class> <args...>
  need_java
  ensure_kafka_libs >&2 # keep stdout for the tool (console consumer output)
  kafka_java "$@"
}

usage() {
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
}

# serialize up/down of the same cache (e.g. two test runs calling `up` at once)
lock_cache() {
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"$CACHE/.lock"
  flock -n 9 || { say "another infra.sh up/down is running on $CACHE; waiting ..."; flock 9; }
}

main() {
  local cmd="${1:-}"; shift || true
  case "$cmd" in up | down) lock_cache ;; esac
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    logs) cmd_logs "$@" ;;
    kafka-topics) cmd_kafka_tool org.apache.kafka.tools.TopicCommand "$@" ;;
    kafka-console-producer) cmd_kafka_tool org.apache.kafka.tools.ConsoleProducer "$@" ;;
    kafka-console-consumer) cmd_kafka_tool org.apache.kafka.tools.consumer.ConsoleConsumer "$@" ;;
    kafka-run-class) cmd_kafka_tool "$@" ;;
    fetch) ensure_kafka_libs; ensure_apicurio; say "artifacts ready: $KAFKA_LIBS, $APICURIO_DIR" ;;
    -h | --help | help) usage ;;
    "") usage; exit 2 ;;
    *) usage >&2; die "unknown command: $cmd" ;;
  esac
}

main "$@"
