# syntax=docker/dockerfile:1
# The Siphon runner image. Build from the repository root:
#   docker build -t siphon .                    # the runner (default target)
#   docker build --target sandbox -t siphon-sandbox .   # the API sandbox, for docker-compose.yml
# The runner reads /etc/siphon/pipelines.yaml unless told otherwise:
#   docker run --rm -v $PWD/pipelines.yaml:/etc/siphon/pipelines.yaml:ro -p 9464:9464 siphon
# NODE_IMAGE builds; RUNTIME_IMAGE runs (plus the build stage's `node` binary: no npm, no headers).
# Where no image registry answers, scripts/container-engine.sh builds both images locally.
# Both on Debian bookworm: the native Kafka client built in NODE_IMAGE links the glibc and libraries
# that RUNTIME_IMAGE's packages provide (node:24-slim may follow a newer Debian).
ARG NODE_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim
ARG PNPM_VERSION=12.21.0

# ---- build: the whole workspace, compiled ------------------------------------------------------
FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION
# kafka.client: confluent needs @confluentinc/kafka-javascript, a native add-on whose prebuilt binaries
# come from GitHub; without them pnpm builds librdkafka from source. Its toolchain and the libraries it
# links (CKJS_LINKING=dynamic: Debian's, as scripts/native-deps.sh installs on a host) come first, in a
# layer of their own that source edits never invalidate. node-gyp takes Node's headers from the image.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      python3 make g++ libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev libssl-dev >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
ENV CI=true PNPM_HOME=/pnpm PATH=/pnpm:$PATH TURBO_TELEMETRY_DISABLED=1 \
    CKJS_LINKING=dynamic npm_config_nodedir=/usr/local
RUN npm install --global --no-fund --no-audit --loglevel=error "pnpm@${PNPM_VERSION}"
WORKDIR /src
# The lockfile alone is enough to download every dependency: this layer survives source edits.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch --store-dir /pnpm/store
COPY . .
# The native build (minutes) runs once per lockfile: pnpm keeps the built package in the store's
# side-effects cache, so later installs and the deploy below reuse it.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --offline --frozen-lockfile --store-dir /pnpm/store \
 && pnpm turbo run build --filter @siphon/runner... --filter @siphon/sandbox... --output-logs=errors-only

# ---- deploy: minimal production trees (no dev dependencies, no sources, no tests) ---------------
FROM build AS deploy
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm --filter @siphon/runner deploy --prod --store-dir /pnpm/store /out/runner \
 && pnpm --filter @siphon/sandbox deploy --prod --store-dir /pnpm/store /out/sandbox \
 && bash scripts/prune-deploy.sh /out/runner

# ---- base: the runtime image with Node and an unprivileged `node` user (uid 1000) ----------------
FROM ${RUNTIME_IMAGE} AS base
COPY --from=build /usr/local/bin/node /usr/local/bin/node
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --no-create-home --shell /usr/sbin/nologin node
ENV NODE_ENV=production

# ---- sandbox: the emulated billing and analytics APIs ------------------------------------------
FROM base AS sandbox
WORKDIR /app
COPY --from=deploy --chown=node:node /out/sandbox /app
USER node
EXPOSE 4010 4020 4030
ENTRYPOINT ["node", "/app/dist/cli.js"]

# ---- runner (default target) -------------------------------------------------------------------
FROM base AS runner
# The shared libraries the native Kafka client links (kafka.client: confluent; runtime packages only, no headers or compiler).
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libzstd1 liblz4-1 libsasl2-2 libcurl4 libssl3 >/dev/null \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log
# --max-semi-space-size=4: V8's default young generation on a large host costs ~90 MiB of peak RSS
# per extraction and buys no speed (see apps/runner/src/cli.ts); override NODE_OPTIONS to change it.
ENV SIPHON_HTTP_PORT=9464 NODE_OPTIONS=--max-semi-space-size=4
WORKDIR /app
COPY --from=deploy --chown=node:node /out/runner /app
# The `node` user (uid 1000): nothing here runs as root.
USER node
EXPOSE 9464
# No curl in the image: Node's own fetch checks liveness (build with --format docker under podman:
# the OCI format drops HEALTHCHECK).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SIPHON_HTTP_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself (graceful shutdown within --shutdown-timeout).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["run", "-c", "/etc/siphon/pipelines.yaml"]
