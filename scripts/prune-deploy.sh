#!/usr/bin/env bash
# Run by the Dockerfile on the runner's `pnpm deploy` tree, to keep the image small:
# - the native Kafka client (@confluentinc/kafka-javascript) keeps only what it loads at run time: its
#   JavaScript, the add-on and librdkafka's two shared libraries (stripped); its librdkafka sources,
#   objects and static archives (about 130 MB) go. Fails when the add-on was not built, so an image
#   never ships without it.
# - dependencies' type declarations (*.d.ts), never read at run time, go (about 5 MB).
set -euo pipefail
root="${1:?usage: prune-deploy.sh <deploy dir>}"
found=0
for pkg in "$root"/node_modules/.pnpm/@confluentinc+kafka-javascript@*/node_modules/@confluentinc/kafka-javascript; do
  [[ -d "$pkg" ]] || continue
  found=1
  addon="$pkg/build/Release/confluent-kafka-javascript.node"
  [[ -f "$addon" ]] || { echo "prune-deploy: $addon is missing: the native Kafka client was not built" >&2; exit 1; }
  keep="$(mktemp -d)"
  cp -L "$addon" "$pkg"/build/deps/librdkafka.so.1 "$pkg"/build/deps/librdkafka++.so.1 "$keep/"
  rm -rf "$pkg/build" "$pkg/deps" "$pkg/src" "$pkg/util" "$pkg/ci" "$pkg/types" "$pkg/examples"
  mkdir -p "$pkg/build/Release" "$pkg/build/deps"
  strip --strip-unneeded "$keep"/*
  mv "$keep/confluent-kafka-javascript.node" "$pkg/build/Release/"
  mv "$keep"/librdkafka*.so.1 "$pkg/build/deps/"
  rmdir "$keep"
  echo "prune-deploy: kept $(du -sh "$pkg" | cut -f1) of $pkg" >&2
done
((found)) || { echo "prune-deploy: no @confluentinc/kafka-javascript under $root/node_modules/.pnpm" >&2; exit 1; }
find "$root/node_modules" \( -name "*.d.ts" -o -name "*.d.mts" -o -name "*.d.cts" \) -type f -delete
