#!/bin/bash
# Entry point of the locally built Kafka image (scripts/container-engine.sh): like the official
# apache/kafka image, every KAFKA_* variable becomes a broker property (KAFKA_NODE_ID -> node.id;
# "___" -> "-", "__" -> "_", "_" -> "."), then the storage is formatted once and the broker runs
# in the foreground as PID 1's child-free replacement (exec), so SIGTERM stops it cleanly.
set -euo pipefail
props=/opt/kafka/config/server.properties
: >"$props"
# JVM and script settings of the official image are not broker properties.
skip='^KAFKA_(HEAP_OPTS|OPTS|LOG4J_OPTS|JVM_PERFORMANCE_OPTS|GC_LOG_OPTS|JMX_OPTS|DEBUG|VERSION)='
while IFS='=' read -r name value; do
  key="$(printf '%s' "${name#KAFKA_}" | tr '[:upper:]' '[:lower:]' | sed -e 's/___/-/g' -e 's/__/@/g' -e 's/_/./g' -e 's/@/_/g')"
  printf '%s=%s\n' "$key" "$value" >>"$props"
done < <(env | grep '^KAFKA_' | grep -Ev "$skip" || true)
# Defaults for a single node when the environment says nothing (the official image's defaults).
default() { grep -q "^$1=" "$props" || printf '%s=%s\n' "$1" "$2" >>"$props"; }
default process.roles broker,controller
default node.id 1
default listeners PLAINTEXT://:9092,CONTROLLER://:9093
default advertised.listeners PLAINTEXT://localhost:9092
default controller.listener.names CONTROLLER
default listener.security.protocol.map CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
default controller.quorum.voters 1@localhost:9093
default log.dirs /var/lib/kafka/data
default offsets.topic.replication.factor 1
default transaction.state.log.replication.factor 1
default transaction.state.log.min.isr 1
default share.coordinator.state.topic.replication.factor 1
default share.coordinator.state.topic.min.isr 1
default group.initial.rebalance.delay.ms 0

java_tool() { java -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.xml -Dsiphon.log.target=SYSTEM_ERR \
  -Dsiphon.log.level=WARN -cp "/opt/kafka/libs/*" "$@"; }
log_dir="$(sed -n 's/^log\.dirs=//p' "$props" | cut -d, -f1)"
if [[ ! -f "$log_dir/meta.properties" ]]; then
  cluster_id="${CLUSTER_ID:-$(java_tool kafka.tools.StorageTool random-uuid | tail -n1)}"
  java_tool kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" -c "$props" >/dev/null
fi
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m} -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
  -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.xml ${KAFKA_OPTS:-} -cp "/opt/kafka/libs/*" kafka.Kafka "$props"
