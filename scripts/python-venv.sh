#!/usr/bin/env bash
# Creates .cache/venv with Confluent's Python client, the independent reader the interop test
# uses to decode our topics (apps/runner/test/interop/read_topics.py). Idempotent: a venv that
# already has the pinned version is left alone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CONFLUENT_KAFKA_VERSION="2.16.0"
VENV=".cache/venv"
PYTHON="${PYTHON:-python3}"

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - "$CONFLUENT_KAFKA_VERSION" <<'PY' 2>/dev/null; then
import sys, confluent_kafka, fastavro, httpx  # noqa: F401  (the avro and schemaregistry extras)
sys.exit(0 if confluent_kafka.__version__ == sys.argv[1] else 1)
PY
  exit 0
fi

command -v "$PYTHON" >/dev/null 2>&1 || { echo "python-venv: need python3 >= 3.9 on PATH (or set PYTHON)" >&2; exit 1; }
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  "confluent-kafka[avro,schemaregistry]==${CONFLUENT_KAFKA_VERSION}"
"$VENV/bin/python" -c 'import confluent_kafka; print("python-venv: confluent-kafka", confluent_kafka.__version__, "in .cache/venv")'
