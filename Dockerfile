# syntax=docker/dockerfile:1
# The Siphon runner image. Build from the repository root:
#   docker build -t siphon .                    # the runner (default target)
#   docker build --target sandbox -t siphon-sandbox .   # the API sandbox, for docker-compose.yml
# The runner reads /etc/siphon/pipelines.yaml unless told otherwise:
#   docker run --rm -v $PWD/pipelines.yaml:/etc/siphon/pipelines.yaml:ro -p 9464:9464 siphon
# NODE_IMAGE builds; RUNTIME_IMAGE runs (plus the build stage's `node` binary: no npm, no headers).
# Where no image registry answers, scripts/container-engine.sh builds both images locally.
ARG NODE_IMAGE=node:24-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim
ARG PNPM_VERSION=12.21.0

# ---- build: the whole workspace, compiled ------------------------------------------------------
FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION
ENV CI=true PNPM_HOME=/pnpm PATH=/pnpm:$PATH TURBO_TELEMETRY_DISABLED=1
RUN npm install --global --no-fund --no-audit --loglevel=error "pnpm@${PNPM_VERSION}"
WORKDIR /src
# The lockfile alone is enough to download every dependency: this layer survives source edits.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch --store-dir /pnpm/store
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --offline --frozen-lockfile --store-dir /pnpm/store \
 && pnpm turbo run build --filter @siphon/runner... --filter @siphon/sandbox... --output-logs=errors-only

# ---- deploy: minimal production trees (no dev dependencies, no sources, no tests) ---------------
FROM build AS deploy
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm --filter @siphon/runner deploy --prod --store-dir /pnpm/store /out/runner \
 && pnpm --filter @siphon/sandbox deploy --prod --store-dir /pnpm/store /out/sandbox

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
