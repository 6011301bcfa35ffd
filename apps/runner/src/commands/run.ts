import { hostname } from 'node:os';
import path from 'node:path';
import { checkGroupRun, runGroup } from '../cluster/run-group.js';
import { loadContext } from '../context.js';
import { accessFromEnv } from '../control/access.js';
import { controlApi } from '../control/api.js';
import { ControlPlane } from '../control/control-plane.js';
import { SchedulingGate } from '../control/gate.js';
import { type GroupDirectory, groupDirectoryFor } from '../control/group-directory.js';
import { pipelineLoop } from '../control/pipeline-loop.js';
import { EXIT_FAILURE, EXIT_OK, oneLineReason, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { startOpsServer } from '../ops/http-server.js';
import { RunnerMetrics } from '../ops/metrics.js';
import { checkRegistry, KafkaReadinessProbe } from '../ops/probes.js';
import { ProgressBoard } from '../ops/progress.js';
import { Readiness } from '../ops/readiness.js';
import { describeSchedule } from '../ops/schedule.js';
import { handleShutdown } from '../ops/shutdown.js';
import { stateKeyFromEnv } from '../ops/token-vault.js';
import { ensureRunTopics } from '../pipeline/ensure-topics.js';
import { PipelineRunner, type RunOutcome } from '../pipeline/pipeline-runner.js';
import type { RunOptions } from '../program.js';

/**
 * `siphon run`: every selected pipeline once (`--once`, or when none has a schedule), or each on
 * its schedule until SIGTERM/SIGINT. Serves /healthz, /readyz and /metrics meanwhile.
 */
export async function runCommand(options: RunOptions, io: Io): Promise<number> {
  const board = options.progress && io.stderr.isTTY ? new ProgressBoard(io.stderr) : undefined;
  const ctx = await loadContext(options, io, board ? { write: (line) => board.writeAbove(line) } : io.stderr);
  const { logger } = ctx;
  let stateKey: Buffer | undefined;
  const access = accessFromEnv(io.env);
  if (access.token) ctx.secrets.add(access.token);
  try {
    stateKey = stateKeyFromEnv(io.env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!stateKey)
    logger.debug('SIPHON_STATE_KEY not set: rotated OAuth refresh tokens are kept in memory only');

  const metrics = new RunnerMetrics();
  const readiness = new Readiness();
  const baseDir = path.dirname(ctx.file.file);
  const runners = ctx.pipelines.map(
    (pipeline) =>
      new PipelineRunner(pipeline, {
        logger,
        secrets: ctx.secrets,
        metrics,
        ...(board ? { board } : {}),
        baseDir,
        stateKey,
        ...(options.resources ? { resources: options.resources } : {}),
      }),
  );
  const gate = new SchedulingGate();
  const control = new ControlPlane(runners, gate, logger);
  let advertise = io.env.SIPHON_API_ADVERTISE_URL || undefined;
  let directory: GroupDirectory | undefined;
  const kafkaProbes = new Map<string, KafkaReadinessProbe>();
  let server: Awaited<ReturnType<typeof startOpsServer>> | undefined;
  const shutdown = handleShutdown({
    deadlineMs: options.shutdownTimeout,
    onSignal: (signal) =>
      logger.info(
        { signal, deadline_ms: options.shutdownTimeout },
        `${signal} received: stopping after the open transactions`,
      ),
    onForce: (reason) => {
      logger.error(`forced exit: ${reason}`);
      io.stderr.write(`siphon: forced exit: ${reason}\n`);
      process.exit(EXIT_FAILURE);
    },
  });

  try {
    // Every config problem surfaces before anything runs or listens.
    for (const runner of runners) await runner.prepare();
    if (options.resources) {
      const known = new Set(runners.flatMap((r) => r.source.resources.map((x) => x.name)));
      const unknown = options.resources.filter((name) => !known.has(name));
      if (unknown.length > 0) {
        throw new UsageError(
          `--resources: no selected pipeline has ${unknown.join(', ')} (they have ${[...known].join(', ')})`,
        );
      }
    }
    const once = options.once || runners.every((r) => !r.config.schedule);
    if (options.group) checkGroupRun(runners, options.once);
    for (const runner of runners) {
      const { kafka, registry } = runner.config;
      const brokers = kafka.brokers.join(',');
      if (!kafkaProbes.has(brokers)) {
        const probe = new KafkaReadinessProbe(kafka);
        kafkaProbes.set(brokers, probe);
        readiness.addProbe(`kafka ${brokers}`, probe.probe);
      }
      readiness.addProbe(`registry ${registry.url}`, () => checkRegistry(registry, 5000));
    }
    await ensureRunTopics(runners, logger, shutdown.signal);
    if (options.group) {
      directory = groupDirectoryFor(
        runners,
        { groupId: options.group, ...(options.groupTopic ? { topic: options.groupTopic } : {}) },
        () => advertise,
        logger,
      );
    }
    if (options.httpPort > 0) {
      server = await startOpsServer({
        port: options.httpPort,
        host: options.httpHost,
        metrics,
        readiness,
        logger,
        readyzDetails: options.readyzDetails,
        redaction: ctx.secrets,
        routes: controlApi({
          control,
          access,
          secrets: ctx.secrets,
          logger,
          ...(directory ? { group: directory } : {}),
        }),
      });
      advertise ??= `http://${hostname()}:${server.port}`;
      // The run history after a restart, read in the background.
      void control.rebuildHistory();
    }
    board?.start();

    if (options.group) {
      await runGroup(
        runners,
        {
          groupId: options.group,
          ...(options.groupTopic ? { topic: options.groupTopic } : {}),
          sessionTimeoutMs: options.sessionTimeout,
          settleMs: options.rebalanceDelay,
        },
        { logger, metrics, readiness, signal: shutdown.signal, gate, advertise: () => advertise },
      );
      board?.stop();
      logger.info(`stopped on ${shutdown.received ?? 'request'}`);
      return EXIT_OK;
    }
    const outcomes = new Map<string, RunOutcome>();
    const runOne = async (runner: PipelineRunner, resources?: string[]) => {
      const outcome = await runner.run(shutdown.signal, resources ? { resources } : {});
      outcomes.set(runner.config.name, outcome);
      if (outcome.status === 'failure') readiness.runFailed(runner.config.name, oneLineReason(outcome.error));
      else if (outcome.status === 'success') readiness.runSucceeded(runner.config.name);
    };
    await Promise.all(
      runners.map((runner) => {
        const schedule = runner.config.schedule;
        if (once) return runOne(runner);
        if (schedule)
          logger.info({ pipeline: runner.config.name }, `scheduled ${describeSchedule(schedule)}`);
        // Without a schedule: one run now, then runs on request through the control API.
        return pipelineLoop({
          pipeline: runner.config.name,
          schedule,
          gate,
          signal: shutdown.signal,
          run: (resources) => runOne(runner, resources),
          onNext: (at) =>
            logger.info(
              { pipeline: runner.config.name, next_run: new Date(at).toISOString() },
              'next run scheduled',
            ),
        });
      }),
    );
    board?.stop();

    if (shutdown.received) {
      logger.info(`stopped on ${shutdown.received}`);
      return EXIT_OK;
    }
    const failed = [...outcomes].filter(([, o]) => o.status === 'failure');
    if (failed.length > 0 && once) {
      const reasons = failed.map(
        ([name, o]) => `pipeline ${name}: ${o.status === 'failure' ? oneLineReason(o.error) : ''}`,
      );
      io.stderr.write(`siphon: run failed: ${reasons.join('; ')}\n`);
      return EXIT_FAILURE;
    }
    return EXIT_OK;
  } finally {
    board?.stop();
    await Promise.allSettled(runners.map((r) => r.close()));
    await Promise.allSettled([...kafkaProbes.values()].map((p) => p.close()));
    await server?.close();
    await directory?.close();
    shutdown.dispose();
  }
}
