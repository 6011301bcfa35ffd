#!/usr/bin/env bash
# Creates .cache/venv with Confluent's Python client, the independent reader the interop test
# uses to decode our topics (apps/runner/test/interop/read_topics.py), plus the container tooling:
# podman-compose (scripts/test-compose.sh on podman) and kubernetes-validate (scripts/validate-k8s.sh).
# Idempotent: a venv that already has the pinned versions is left alone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CONFLUENT_KAFKA_VERSION="2.16.0"
PODMAN_COMPOSE_VERSION="1.6.0"
KUBERNETES_VALIDATE_VERSION="1.37.0"
VENV=".cache/venv"
PYTHON="${PYTHON:-python3}"

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - "$CONFLUENT_KAFKA_VERSION" "$PODMAN_COMPOSE_VERSION" "$KUBERNETES_VALIDATE_VERSION" <<'PY' 2>/dev/null; then
import sys, confluent_kafka, fastavro, httpx  # noqa: F401  (the avro and schemaregistry extras)
from importlib.metadata import version
ok = confluent_kafka.__version__ == sys.argv[1]
ok = ok and version("podman-compose") == sys.argv[2] and version("kubernetes-validate") == sys.argv[3]
sys.exit(0 if ok else 1)
PY
  exit 0
fi

command -v "$PYTHON" >/dev/null 2>&1 || { echo "python-venv: need python3 >= 3.9 on PATH (or set PYTHON)" >&2; exit 1; }
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  "confluent-kafka[avro,schemaregistry]==${CONFLUENT_KAFKA_VERSION}" \
  "podman-compose==${PODMAN_COMPOSE_VERSION}" "kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}"
"$VENV/bin/python" -c 'import confluent_kafka; print("python-venv: confluent-kafka", confluent_kafka.__version__, "in .cache/venv")'
