import { FILE_REPLICATION_FACTOR } from '../config/schema.js';
import type { SchedulingGate } from '../control/gate.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { RunnerMetrics } from '../ops/metrics.js';
import type { Readiness } from '../ops/readiness.js';
import type { PipelineRunner } from '../pipeline/pipeline-runner.js';
import { UnitFencer } from './fence.js';
import { GroupMember } from './group-member.js';
import { runOwnedUnits } from './unit-runner.js';
import { listUnits, UnitWeights } from './units.js';

export interface GroupOptions {
  /** The Kafka consumer group id every replica of the deployment shares. */
  groupId: string;
  /** Default `{prefix}._units`, the prefix being the first selected pipeline's topic prefix. */
  topic?: string;
  sessionTimeoutMs: number;
  settleMs: number;
}

/**
 * Problems that make a group run pointless, found before anything connects: a group shares
 * scheduled work between long-running replicas, and a unit's next owner must read the state its
 * previous owner committed.
 */
export function checkGroupRun(runners: readonly PipelineRunner[], once: boolean): void {
  if (once) {
    throw new UsageError(
      '--group shares scheduled pipelines between long-running replicas; it does not go with --once',
    );
  }
  for (const runner of runners) {
    const { name, schedule, state } = runner.config;
    if (!schedule) {
      throw new UsageError(
        `pipeline ${name} has no schedule: with --group every selected pipeline needs one (e.g. schedule: { every: 15m })`,
      );
    }
    if (state.store !== 'kafka') {
      throw new UsageError(
        `pipeline ${name}: --group needs state: { store: kafka } (the default), so that the next owner of a resource reads the state its previous owner committed`,
      );
    }
  }
  weightsOf(runners);
}

/** Validates each pipeline's `weights` against its resources. */
function weightsOf(runners: readonly PipelineRunner[]): UnitWeights {
  return new UnitWeights(
    runners.map((r) => ({ config: r.config, allResources: r.source.resources.map((x) => x.name) })),
  );
}

/** The units topic of a group: `--group-topic`, else `{prefix}._units` of the first pipeline. */
export function unitsTopicOf(runners: readonly PipelineRunner[], topic: string | undefined): string {
  if (topic) return topic;
  const prefix = runners[0]?.config.topics.prefix || 'siphon';
  return `${prefix}._units`;
}

/**
 * `siphon run --group <id>`: joins the group on the first selected pipeline's Kafka cluster and
 * runs, on their schedules, the units the group assigns to this replica, until `signal` aborts.
 */
export async function runGroup(
  runners: readonly PipelineRunner[],
  options: GroupOptions,
  deps: {
    logger: Logger;
    metrics: RunnerMetrics;
    readiness: Readiness;
    signal: AbortSignal;
    /** The control plane's: pause/resume and run now (see src/control/). */
    gate?: SchedulingGate;
    /** The control-plane address this replica announces to the group. */
    advertise?: () => string | undefined;
  },
): Promise<void> {
  const first = runners[0];
  if (!first) return;
  const units = listUnits(runners.map((r) => ({ name: r.config.name, resources: r.resourceNames })));
  if (units.length === 0) throw new UsageError('--group: the selected pipelines have no resources to share');
  const weights = weightsOf(runners);
  const fencer = new UnitFencer(deps.logger);
  const byName = new Map(runners.map((r) => [r.config.name, r]));
  const member = new GroupMember({
    groupId: options.groupId,
    topic: unitsTopicOf(runners, options.topic),
    kafka: first.config.kafka,
    replicationFactor: first.config.topics.replicationFactor ?? FILE_REPLICATION_FACTOR,
    units,
    sessionTimeoutMs: options.sessionTimeoutMs,
    settleMs: options.settleMs,
    weights,
    logger: deps.logger,
    metrics: deps.metrics,
    ...(deps.advertise ? { advertise: deps.advertise } : {}),
    work: (owned, signal) =>
      runOwnedUnits(owned, signal, {
        runners: byName,
        fencer,
        weights,
        logger: deps.logger,
        metrics: deps.metrics,
        readiness: deps.readiness,
        ...(deps.gate ? { gate: deps.gate } : {}),
      }),
  });
  try {
    await member.run(deps.signal);
  } finally {
    await fencer.close();
  }
}
