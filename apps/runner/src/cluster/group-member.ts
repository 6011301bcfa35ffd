import { asError, SiphonError } from '@siphon/core';
import {
  type GroupJoin,
  isSettlingError,
  type KafkaAdmin,
  type KafkaPort,
  untilSettled,
} from '@siphon/sink-kafka';
import type { KafkaConfig } from '../config/schema.js';
import { RunnerError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { RunnerMetrics } from '../ops/metrics.js';
import { sleep } from '../ops/schedule.js';
import { kafkaPort } from './kafka-client.js';
import { type AssignmentPlan, type MemberInfo, unitAssigner } from './protocol.js';
import type { Unit, UnitWeights } from './units.js';
import { ensureUnitsTopic, writeSlots } from './units-topic.js';

export interface GroupMemberOptions {
  groupId: string;
  /** The units topic: partition i stands for `units[i]`. */
  topic: string;
  /** The cluster the group lives on. */
  kafka: KafkaConfig;
  replicationFactor: number;
  units: readonly Unit[];
  sessionTimeoutMs: number;
  /** Wait after an assignment before starting work, so replicas starting together share one. */
  settleMs: number;
  weights: UnitWeights;
  logger: Logger;
  metrics: RunnerMetrics;
  /** The control-plane address announced in the join metadata, so other replicas can forward to it. */
  advertise?: () => string | undefined;
  /** Runs the units of one assignment until the signal aborts; resolves once all have stopped. */
  work: (units: Unit[], signal: AbortSignal) => Promise<void>;
}

/** Heartbeat answers that mean "this generation is over": revoke everything, then rejoin. */
const GROUP_CHANGES = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'NOT_COORDINATOR_FOR_GROUP',
]);

interface Assignment {
  units: Unit[];
  partitions: number[];
  /** The heartbeat loop of this assignment is running. */
  hosting: boolean;
  /** Its generation ended; slot messages still queued for it are ignored. */
  over: boolean;
  /** Its revocation was logged. */
  released: boolean;
  watchdog?: NodeJS.Timeout;
}

/**
 * The abort reason of revoked units' runs: an AbortError, so the engine reports them stopped, not
 * failed; PipelineRunner tells it from a shutdown by the code.
 */
class UnitsRevoked extends SiphonError {
  declare readonly code: 'UNITS_REVOKED';
  override readonly name = 'AbortError';
  constructor(message: string) {
    super(message, { code: 'UNITS_REVOKED' });
  }
}

/**
 * One replica's membership in the group, on kafkajs's consumer: Kafka's group coordinator decides
 * who is in the group and runs the rebalances; `protocol.ts` decides who owns which unit.
 *
 * kafkajs rebalances eagerly and has no "partitions revoked" hook: it rejoins as soon as a
 * heartbeat answers REBALANCE_IN_PROGRESS. So the replica keeps that moment in its own hands: after
 * each assignment, the first slot message of the units topic arrives in `eachBatch`, and that call
 * does not return while the assignment lasts. It starts the units' work (which runs outside the
 * handler) and sends the heartbeats itself, on a timer, so long API calls never starve them. When a
 * heartbeat says the generation is over, it stops every unit and waits until each one committed or
 * aborted its open transaction, and only then throws kafkajs's error, which makes kafkajs rejoin:
 * no unit gets a new owner before its old owner let go. Nothing is committed on the units topic, so
 * after every rejoin the slot messages are read again.
 */
export class GroupMember {
  readonly #o: GroupMemberOptions;
  readonly #log: Logger;
  readonly #interval: number;
  readonly #rebalanceTimeout: number;
  readonly #kafka: KafkaPort;
  #shutdown: AbortSignal = new AbortController().signal;
  #current: Assignment | undefined;
  /** Unit ids of the latest assignment, announced at the next join so they can stay put. */
  #owned: string[] = [];
  #admin: KafkaAdmin | undefined;
  #fatal: ((error: Error) => void) | undefined;
  #joined = false;

  constructor(options: GroupMemberOptions) {
    this.#o = options;
    this.#log = options.logger.child({ group: options.groupId });
    // A tenth of the session timeout, as Kafka's own defaults (45 s / 3 s) roughly do.
    this.#interval = Math.min(3000, Math.max(300, Math.round(options.sessionTimeoutMs / 10)));
    this.#rebalanceTimeout = Math.max(60_000, options.sessionTimeoutMs);
    this.#kafka = kafkaPort(options.kafka, 'group', { logger: options.logger });
  }

  /** Joins the group and works on the units it is given until `shutdown` aborts; then leaves. */
  async run(shutdown: AbortSignal): Promise<void> {
    // A fatal consumer error stops the units too, as a shutdown would.
    const failed = new AbortController();
    this.#shutdown = AbortSignal.any([shutdown, failed.signal]);
    const { groupId, topic, units } = this.#o;
    const fatal = new Promise<never>((_, reject) => {
      this.#fatal = (error) => {
        failed.abort(error);
        reject(error);
      };
    });
    fatal.catch(() => {});
    const membership = this.#kafka.groupMembership({
      groupId,
      topic,
      sessionTimeoutMs: this.#o.sessionTimeoutMs,
      rebalanceTimeoutMs: this.#rebalanceTimeout,
      heartbeatIntervalMs: this.#interval,
      assignor: unitAssigner({
        topic,
        local: () => this.#memberInfo(),
        onPlan: (plan) => this.#logPlan(plan),
      }),
      onJoin: (join) => this.#onJoin(join),
      onBatch: (heartbeat) => this.#onBatch(heartbeat),
      onCrash: (error, restart) => {
        if (restart) {
          // A coordinator still loading on a fresh cluster, or one that moved, heals by itself.
          const level = isSettlingError(error) ? 'debug' : 'warn';
          this.#log[level]({ err: error }, 'group consumer failed; the client restarts it');
        } else {
          this.#fatal?.(
            new RunnerError(`consumer group ${groupId} failed: ${error.message}`, { cause: error }),
          );
        }
      },
    });
    try {
      try {
        const admin = await this.#kafka.admin();
        this.#admin = admin;
        await ensureUnitsTopic(admin, this.#kafka, {
          topic,
          partitions: units.length,
          replicationFactor: this.#o.replicationFactor,
          brokers: this.#o.kafka.brokers,
          logger: this.#log,
        });
        await untilSettled(`joining group ${groupId}`, () => membership.start(), { logger: this.#log });
      } catch (error) {
        if (error instanceof RunnerError) throw error;
        throw new RunnerError(
          `cannot join consumer group ${groupId} on ${this.#o.kafka.brokers.join(',')}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      this.#log.info(
        {
          topic,
          units: units.length,
          session_timeout_ms: this.#o.sessionTimeoutMs,
          heartbeat_ms: this.#interval,
        },
        `joining group ${groupId} with ${units.length} unit(s)`,
      );
      const stopped = new Promise<void>((resolve) => {
        if (shutdown.aborted) resolve();
        else shutdown.addEventListener('abort', () => resolve(), { once: true });
      });
      await Promise.race([stopped, fatal]);
    } finally {
      // Waits for the heartbeat loop, which stops the units first; then leaves the group at once,
      // so the others need not wait for the session timeout.
      await membership.stop();
      if (this.#current) this.#released(this.#current, 'left the group');
      this.#o.metrics.ownedUnits.reset();
      this.#admin = undefined;
      await this.#kafka.close();
      if (this.#joined) this.#log.info(`left group ${groupId}`);
    }
  }

  #memberInfo(): MemberInfo {
    const weights: Record<string, number> = {};
    for (const unit of this.#o.units) {
      const w = this.#o.weights.of(unit);
      if (w !== undefined) weights[unit.id] = w;
    }
    const api = this.#o.advertise?.();
    return { units: this.#o.units.map((u) => u.id), weights, owned: this.#owned, ...(api ? { api } : {}) };
  }

  #logPlan(plan: AssignmentPlan): void {
    const perMember = Object.fromEntries([...plan.members].map(([id, list]) => [id, list.length]));
    this.#log.info(
      {
        members: plan.members.size,
        units: plan.units,
        total_weight: plan.totalWeight,
        per_member: perMember,
      },
      'as group leader, assigned the units',
    );
    if (plan.outvoted.length > 0) {
      this.#log.warn(
        { outvoted: plan.outvoted },
        'some replicas list other units than the rest of the group (another pipelines file, --pipeline or --resources): they get no units until the group agrees',
      );
    }
  }

  #onJoin(payload: GroupJoin): void {
    const { topic, units: all, metrics, groupId } = this.#o;
    const previous = this.#current;
    if (previous) {
      previous.over = true;
      if (previous.watchdog) clearTimeout(previous.watchdog);
      this.#released(previous, 'rebalance before work started');
    }
    const partitions = payload.partitions;
    const units = partitions.map((p) => all[p]).filter((u): u is Unit => u !== undefined);
    const assignment: Assignment = { units, partitions, hosting: false, over: false, released: false };
    this.#joined = true;
    if (this.#shutdown.aborted) {
      // kafkajs may rejoin once more while leaving (the others left first); nothing starts now.
      assignment.over = true;
      assignment.released = true;
      this.#current = assignment;
      this.#log.debug({ units: units.length }, 'assignment received while leaving the group: ignored');
      return;
    }
    this.#current = assignment;
    this.#owned = units.map((u) => u.id);
    metrics.rebalances.inc({ group: groupId });
    metrics.ownedUnits.reset();
    for (const unit of units) metrics.ownedUnits.set({ pipeline: unit.pipeline, resource: unit.resource }, 1);
    const fields = {
      member_id: payload.memberId,
      leader: payload.isLeader,
      units: units.map((u) => u.id),
      count: units.length,
      of: all.length,
      rebalance_ms: payload.durationMs,
    };
    if (units.length > 0) this.#log.info(fields, `units assigned: ${units.length} of ${all.length}`);
    else this.#log.info(fields, 'no units assigned (more replicas than units, or this replica was outvoted)');
    if (units.length > 0) {
      // The slot messages start the work. Should they be missing (a units topic someone emptied),
      // they are written again rather than leaving the units idle.
      assignment.watchdog = setTimeout(
        () => {
          if (assignment.hosting || assignment.over || this.#shutdown.aborted || !this.#admin) return;
          this.#log.warn(
            { partitions },
            'no slot message arrived for the assigned units; writing them again',
          );
          writeSlots(this.#admin, this.#kafka, topic, all.length, {
            only: partitions,
            logger: this.#log,
          }).catch((error: unknown) => this.#log.error({ err: error }, 'writing slot messages failed'));
        },
        this.#o.settleMs + 4 * this.#interval + 10_000,
      );
      assignment.watchdog.unref();
    }
  }

  async #onBatch(heartbeat: () => Promise<void>): Promise<void> {
    const assignment = this.#current;
    if (!assignment || assignment.hosting || assignment.over || this.#shutdown.aborted) return;
    assignment.hosting = true;
    if (assignment.watchdog) clearTimeout(assignment.watchdog);
    try {
      await this.#host(assignment, heartbeat);
    } finally {
      assignment.hosting = false;
    }
  }

  /** Runs the assignment's units and heartbeats until the generation ends or the replica stops. */
  async #host(assignment: Assignment, heartbeat: () => Promise<void>): Promise<void> {
    const { units } = assignment;
    const shutdown = this.#shutdown;
    const sessionTimeout = this.#o.sessionTimeoutMs;
    const startAt = Date.now() + this.#o.settleMs;
    let work: { controller: AbortController; done: Promise<void> } | undefined;
    let lastContact = Date.now();
    let suspended = false;
    let failing = false;
    let pending: Promise<Error | undefined> | undefined;

    const stop = async (reason: string) => {
      const current = work;
      if (!current) {
        this.#released(assignment, reason);
        return;
      }
      work = undefined;
      const started = Date.now();
      current.controller.abort(new UnitsRevoked(`units revoked: ${reason}`));
      const limit = this.#rebalanceTimeout / 2;
      const timer = new AbortController();
      const finished = await Promise.race([
        current.done.then(() => true),
        sleep(limit, timer.signal).then(() => false),
      ]);
      timer.abort();
      this.#o.metrics.ownedUnits.reset();
      assignment.released = true;
      const fields = { units: units.map((u) => u.id), reason, duration_ms: Date.now() - started };
      if (finished) this.#log.info(fields, `units revoked: ${units.length} stopped`);
      else {
        this.#log.warn(
          fields,
          `units revoked: some did not stop within ${Math.round(limit / 1000)}s; giving them up anyway (their next owner fences them)`,
        );
      }
    };

    for (;;) {
      if (!work && !suspended && units.length > 0 && Date.now() >= startAt && !shutdown.aborted) {
        if (assignment.released) {
          // Restarting after a suspension that turned out to be survivable: the units are ours again.
          assignment.released = false;
          for (const u of units)
            this.#o.metrics.ownedUnits.set({ pipeline: u.pipeline, resource: u.resource }, 1);
        }
        const controller = new AbortController();
        const signal = AbortSignal.any([shutdown, controller.signal]);
        work = { controller, done: this.#o.work(units, signal).catch(() => undefined) };
      }
      await sleep(this.#interval, shutdown);
      if (shutdown.aborted) break;

      const silent = Date.now() - lastContact;
      if (silent > sessionTimeout && !suspended) {
        suspended = true;
        this.#log.warn(
          { silent_ms: silent, session_timeout_ms: sessionTimeout },
          'no heartbeat reached the group coordinator within the session timeout (the process was paused, or Kafka is unreachable): the group has handed these units to other replicas, so they stop now',
        );
        await stop('session timed out');
      }
      pending ??= heartbeat().then(
        () => undefined,
        (error: unknown) => asError(error),
      );
      const TIMED_OUT = Symbol('timed out');
      const result = await Promise.race([pending, sleep(this.#interval, shutdown).then(() => TIMED_OUT)]);
      if (result === TIMED_OUT) continue;
      pending = undefined;
      if (result === undefined) {
        lastContact = Date.now();
        if (failing || suspended) this.#log.info('heartbeats reach the group coordinator again');
        failing = false;
        suspended = false;
        continue;
      }
      const type = (result as { type?: string }).type ?? '';
      if (GROUP_CHANGES.has(type)) {
        assignment.over = true;
        await stop(type === 'REBALANCE_IN_PROGRESS' ? 'rebalance' : type.toLowerCase().replaceAll('_', ' '));
        // kafkajs rejoins on this error (and forgets its member id on UNKNOWN_MEMBER_ID).
        throw result;
      }
      if (!failing) this.#log.warn({ err: result }, 'heartbeat failed; retrying');
      failing = true;
    }
    await stop('shutdown');
  }

  /** Logs the revocation of an assignment whose units never started (settling, or no slot yet). */
  #released(assignment: Assignment, reason: string): void {
    if (assignment.released || assignment.units.length === 0) return;
    assignment.released = true;
    this.#o.metrics.ownedUnits.reset();
    this.#log.info(
      { units: assignment.units.map((u) => u.id), reason, started: false },
      `units revoked: ${assignment.units.length}, before they started`,
    );
  }
}
