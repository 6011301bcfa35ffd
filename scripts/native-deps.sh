#!/usr/bin/env bash
# Debian packages that the native Kafka client (@confluentinc/kafka-javascript, the sink's
# `kafka.client: confluent` adapter) links against when pnpm builds it from source, as it must
# where its prebuilt binaries cannot be downloaded (env.sh sets CKJS_LINKING=dynamic). Run before
# `pnpm install`. Idempotent: does nothing when they are installed; without root or sudo it says
# what to install and leaves the build to fail (kafkajs, the default adapter, keeps working).
set -euo pipefail
PACKAGES=(libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev libssl-dev)
command -v dpkg-query >/dev/null 2>&1 || exit 0 # not Debian: the build finds the libraries or fails saying which
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "native-deps: the confluent Kafka adapter's build needs: apt-get install ${missing[*]}" >&2
    exit 0
  fi
  SUDO="sudo"
fi
echo "native-deps: installing ${missing[*]} (for the confluent Kafka adapter's native build)" >&2
export DEBIAN_FRONTEND=noninteractive
# Waits for another apt run instead of failing on its lock.
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
