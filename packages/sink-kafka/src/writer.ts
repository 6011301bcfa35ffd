/**
 * Writes one resource's pages inside Kafka transactions. Records, dead letters, tombstones and the
 * resource's state travel in the same transaction, committed at the configured boundary, so what a
 * `read_committed` consumer sees always matches the committed state. Operations run one at a time.
 */
import { randomUUID } from 'node:crypto';
import {
  type Page,
  type ResourceDescriptor,
  type ResourceResult,
  type ResourceState,
  type ResourceWriter,
  type RetryClock,
  type RetryPolicy,
  retry,
  type StateKey,
  systemClock,
} from '@siphon/core';
import { isFencedError, isPermanentError, kafkaError } from './broker-errors.js';
import { MESSAGE_OVERHEAD, type ResourceEncoder, RUN_HEADER } from './encoder.js';
import { describeError, KafkaSinkError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { packedBytes, packedCount, splitPacked } from './packed.js';
import type { KafkaMessage, KafkaPort, KafkaTransaction, PackedMessages, TopicMessages } from './port.js';
import type { TransactionalUnit } from './producer.js';
import { scanTopics } from './reader.js';
import type { KafkaStateStore } from './state-store.js';
import type { ResourceTopicPlan } from './topics.js';
import { WrittenOffsets } from './written-offsets.js';

/** Snapshot scans read a whole topic; give them time, but not forever. */
const SCAN_TIMEOUT_MS = 10 * 60_000;
/**
 * Between recovery attempts while the brokers are away or failing: 1 s doubling to 15 s, for at
 * most `kafka.outageTimeout` in all (each attempt also runs the client's own retries).
 */
const OUTAGE_BACKOFF: RetryPolicy = { initialDelayMs: 1000, maxDelayMs: 15_000, jitter: 'none' };

export interface WriterDeps {
  unit: TransactionalUnit;
  encoder: ResourceEncoder;
  store: KafkaStateStore;
  stateKey: StateKey;
  resource: ResourceDescriptor;
  plan: ResourceTopicPlan;
  options: ResolvedOptions;
  port: KafkaPort;
  runId: string;
  /** Run id of the interrupted run this one resumes (from the committed checkpoint). */
  resumedRunId?: string;
  /**
   * The resource topic held nothing when the writer opened (after fencing earlier producers): no
   * key of an earlier run can be left, so the snapshot scan is skipped.
   */
  startedEmpty?: boolean;
  /** Called once the writer finished or aborted. */
  onClose: () => void;
  /** Injected for tests: the clock that a broker outage's waits and duration are measured on. */
  clock?: RetryClock;
}

export class KafkaResourceWriter implements ResourceWriter {
  private queue: Promise<unknown> = Promise.resolve();
  private failure: unknown;
  private closed = false;
  /** The producer was closed and the sink told (once). */
  private released = false;

  private txn: KafkaTransaction | undefined;
  /** When the first page of the current (uncommitted) batch arrived. */
  private openedAt = 0;
  private txnPages = 0;
  private txnRecords = 0;
  private txnTombstones = 0;
  /** Key + value bytes of the resource topic's messages in the open transaction. */
  private txnBytes = 0;
  /**
   * When the open transaction's first send was acknowledged (0: none yet). The broker started the
   * transaction no later than that, so its timeout runs at least since then.
   */
  private txnSentAt = 0;
  /** The state topic's commit token for this resource when this writer opened (null: not read yet). */
  private baselineCommit: string | undefined | null = null;
  /** Everything sent in the open transaction, kept to replay it after a producer failure. */
  private sent: Pending[] = [];
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private inflight: Promise<void> | undefined;
  private pendingSince = 0;
  private lastState: ResourceState | undefined;
  private seq = 0;
  private readonly writerId = randomUUID();
  /** Ids of the logical run this writer continues; messages carrying one of them were "seen". */
  private readonly runIds = new Set<string>();
  private currentRunId: string;
  /** Keys of records seen this run but not written (dead letters, discarded rows): never deleted. */
  private readonly keep = new Set<string>();
  /** What this writer's commits wrote: the snapshot scan reads at least that far. */
  private readonly written = new WrittenOffsets();
  private timer: NodeJS.Timeout | undefined;

  /** What a broker outage's waits and duration are measured on. */
  private readonly clock: RetryClock;

  constructor(private readonly deps: WriterDeps) {
    this.clock = deps.clock ?? systemClock;
    this.currentRunId = deps.resumedRunId ?? deps.runId;
    this.runIds.add(deps.runId);
    if (deps.resumedRunId) this.runIds.add(deps.resumedRunId);
  }

  private get isSnapshot(): boolean {
    const { resource } = this.deps;
    return resource.writeDisposition === 'replace' || resource.deleteDetection === 'snapshot';
  }

  write(page: Page): Promise<void> {
    return this.enqueue('write', async () => {
      const { encoder, options, plan, store, stateKey } = this.deps;
      // What was committed before this writer: tells our own expired transaction from a takeover.
      if (this.baselineCommit === null) this.baselineCommit = (await store.readCommitted(stateKey))?.commit;
      // Pages of a resumed run carry the interrupted run's id in their checkpoint.
      const runId = page.state.checkpoint?.run_id ?? this.currentRunId;
      this.runIds.add(runId);
      this.currentRunId = runId;
      const encoded = await encoder.encode(page.records, runId);
      if (this.txnPages === 0) this.openedAt = Date.now();
      this.addPacked(plan.topic, encoded.packed);
      this.add(options.topics.deadLetterTopic, encoded.deadLetters);
      if (this.isSnapshot) for (const key of encoded.unwrittenKeys) this.keep.add(key.toString('latin1'));
      this.txnPages++;
      this.txnRecords += encoded.records;
      this.txnTombstones += encoded.tombstones;
      this.lastState = page.state;
      const { batchBytes, lingerMs } = options.producer;
      if (this.pendingBytes >= batchBytes || Date.now() - this.pendingSince >= lingerMs) {
        await this.guarded(() => this.flush());
      }
      if (this.boundaryReached()) await this.commit(page.state);
      else this.armTimer();
    });
  }

  finish(result: ResourceResult, finalState: ResourceState): Promise<void> {
    return this.enqueue('finish', async () => {
      // Only a run that read every page in one pass is a snapshot (see ResourceResult.resumed).
      if (this.isSnapshot && result.complete && result.resumed) {
        this.deps.options.onEvent({
          type: 'snapshot_deletes',
          resource: this.deps.resource.name,
          tombstones: 0,
          scanned: 0,
          deferred: 'resumed run',
        });
      } else if (this.isSnapshot && result.complete) {
        // The scan reads committed data only: commit this run's records first.
        if (this.lastState && (this.txnPages > 0 || this.txn)) await this.commit(this.lastState);
        const tombstones = await this.scanForDeletes();
        if (tombstones.length > 0) {
          this.add(
            this.deps.plan.topic,
            tombstones.map((key) => ({ key, value: null, headers: { [RUN_HEADER]: this.currentRunId } })),
          );
          this.txnTombstones += tombstones.length;
        }
      }
      await this.commit(finalState);
      await this.close();
    });
  }

  async abort(reason: unknown): Promise<void> {
    this.closed = true;
    this.clearTimer();
    await this.queue.catch(() => {});
    await this.settleInflight().catch(() => {});
    try {
      if (this.txn?.isActive()) await this.txn.abort();
    } catch (error) {
      this.deps.options.logger?.warn(
        { resource: this.deps.resource.name, error: describeError(error), reason: describeError(reason) },
        'aborting the open transaction failed; the broker aborts it when the producer is fenced or times out',
      );
    }
    this.txn = undefined;
    await this.close();
  }

  private async close(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    if (this.released) return;
    this.released = true;
    await this.deps.unit.close();
    this.deps.onClose();
  }

  private enqueue(what: string, op: () => Promise<void>): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.failure) throw this.failure;
      if (this.closed) {
        throw new KafkaSinkError(
          'TRANSACTION',
          `writer of resource "${this.deps.resource.name}" is closed (${what})`,
        );
      }
      try {
        await op();
      } catch (error) {
        this.failure = error;
        this.clearTimer();
        throw error;
      }
    });
    this.queue = run.catch(() => {});
    return run;
  }

  private add(topic: string, messages: KafkaMessage[]): void {
    if (messages.length === 0) return;
    if (this.pending.length === 0) this.pendingSince = Date.now();
    const ofResource = topic === this.deps.plan.topic;
    for (const message of messages) {
      const bytes = sizeOf(message);
      this.pending.push({ topic, message, bytes });
      this.pendingBytes += bytes;
      if (ofResource) this.txnBytes += bytes - MESSAGE_OVERHEAD;
    }
  }

  /** A packed page, cut into parts of at most `batchBytes` so that `chunks` can keep batches under it. */
  private addPacked(topic: string, packed: PackedMessages): void {
    if (packed.offsets.length === 0) return;
    if (this.pending.length === 0) this.pendingSince = Date.now();
    const ofResource = topic === this.deps.plan.topic;
    for (const part of splitPacked(packed, this.deps.options.producer.batchBytes, MESSAGE_OVERHEAD)) {
      const payload = packedBytes(part);
      const bytes = payload + packedCount(part) * MESSAGE_OVERHEAD;
      this.pending.push({ topic, packed: part, bytes });
      this.pendingBytes += bytes;
      if (ofResource) this.txnBytes += payload;
    }
  }

  private boundaryReached(): boolean {
    const { boundary, timeoutMs } = this.deps.options.transactions;
    const age = Date.now() - this.openedAt;
    if (boundary.records !== undefined && this.txnRecords + this.txnTombstones >= boundary.records)
      return true;
    if (boundary.pages !== undefined && this.txnPages >= boundary.pages) return true;
    if (boundary.intervalMs !== undefined && age >= boundary.intervalMs) return true;
    // Never let the broker time the transaction out.
    return age >= timeoutMs / 2;
  }

  /** Commits on time even when pages stop arriving (slow API, long pauses). */
  private armTimer(): void {
    if (this.timer || this.txnPages === 0) return;
    const { boundary, timeoutMs } = this.deps.options.transactions;
    const limit = Math.min(boundary.intervalMs ?? Number.POSITIVE_INFINITY, timeoutMs / 2);
    const delay = Math.max(0, this.openedAt + limit - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed || this.failure || this.txnPages === 0) return;
      this.enqueue('timed commit', async () => {
        if (this.txnPages > 0 && this.lastState) await this.commit(this.lastState);
      }).catch(() => {
        // Kept in `failure`; the next write or finish reports it.
      });
    }, delay);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private takePending(): Pending[] {
    const taken = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return taken;
  }

  /** One `sendBatch` per `batchBytes`, so no record batch outgrows the broker's size limit. */
  private async send(items: Pending[]): Promise<void> {
    const { producer, transactions } = this.deps.options;
    for (const chunk of chunks(items, producer.batchBytes)) {
      if (!this.txn) this.txn = await this.deps.unit.begin();
      await this.txn.send(byTopic(chunk), {
        compression: producer.compression,
        timeoutMs: transactions.timeoutMs,
      });
      if (this.txnSentAt === 0) this.txnSentAt = Date.now();
    }
  }

  /**
   * Sends what is buffered. The send runs while the next page is fetched and encoded; at most one
   * is in flight, so memory stays bounded (backpressure), and its failure surfaces at the next
   * flush or commit.
   */
  private async flush(): Promise<void> {
    await this.settleInflight();
    if (this.pending.length === 0) return;
    const items = this.takePending();
    for (const item of items) this.sent.push(item);
    const inflight = this.send(items);
    inflight.catch(() => {});
    this.inflight = inflight;
  }

  private async settleInflight(): Promise<void> {
    const inflight = this.inflight;
    if (!inflight) return;
    try {
      await inflight;
    } finally {
      if (this.inflight === inflight) this.inflight = undefined;
    }
  }

  private async commit(state: ResourceState): Promise<void> {
    this.clearTimer();
    const started = Date.now();
    const { store, stateKey, options } = this.deps;
    const token = `${this.writerId}:${++this.seq}`;
    const { message, entry } = store.message(stateKey, state, token);
    this.add(options.topics.stateTopic, [message]);
    await this.guarded(async () => {
      await this.flush();
      await this.settleInflight();
      this.written.add(await (this.txn as KafkaTransaction).commit());
    }, token);
    store.noteCommitted(stateKey, entry);
    options.onEvent({
      type: 'transaction_committed',
      resource: this.deps.resource.name,
      records: this.txnRecords,
      tombstones: this.txnTombstones,
      bytes: this.txnBytes,
      durationMs: Date.now() - started,
    });
    this.txn = undefined;
    this.txnSentAt = 0;
    this.sent = [];
    this.txnPages = 0;
    this.txnRecords = 0;
    this.txnTombstones = 0;
    this.txnBytes = 0;
  }

  /**
   * Runs a transactional step; on failure recreates the producer (same transactional id) and
   * replays the open transaction. With `token` the step was a commit whose outcome may be unknown:
   * the state topic tells whether it landed before anything is replayed.
   */
  private async guarded(step: () => Promise<void>, token?: string): Promise<void> {
    try {
      await step();
      return;
    } catch (error) {
      if (isFencedError(error) && !(await this.expiredNotFenced())) throw this.fenced(error);
      if (isPermanentError(error)) throw this.refused(error);
      await this.recover(error, token);
    }
  }

  private refused(error: unknown): KafkaSinkError {
    return kafkaError(
      error,
      `resource "${this.deps.resource.name}": the broker refused the batch`,
      this.deps.options.kafka.brokers,
    );
  }

  /**
   * Whether a fencing answer (INVALID_PRODUCER_EPOCH / PRODUCER_FENCED) is the broker expiring this
   * writer's own transaction rather than another owner of the transactional id. The rule: the open
   * transaction had existed on the broker for at least the transaction timeout (so the broker
   * aborts it and bumps the epoch by itself, other owner or not), and no other writer committed
   * this resource's state since this writer opened. A takeover has fenced us when either fails: a
   * young transaction cannot have expired, and a foreign commit proves another owner. The case
   * left, a takeover during the outage that has not committed yet, ends with one owner too: our
   * re-initialisation fences it, and its young transaction makes it report the fencing and stop.
   */
  private async expiredNotFenced(): Promise<boolean> {
    const { store, stateKey, options } = this.deps;
    if (this.txnSentAt === 0 || Date.now() - this.txnSentAt < options.transactions.timeoutMs) return false;
    try {
      const commit = (await store.readCommitted(stateKey))?.commit;
      return commit === undefined || commit === this.baselineCommit || commit.startsWith(`${this.writerId}:`);
    } catch {
      // Unprovable: keep the safe answer.
      return false;
    }
  }

  /**
   * Recreates the producer (a fresh InitProducerId, which also makes the broker abort what is left
   * of the open transaction) and replays the open transaction from memory: everything since the
   * last committed page. While the brokers are unreachable or answer with retriable errors this is
   * retried with backoff for up to `kafka.outageTimeout`.
   */
  private async recover(cause: unknown, token: string | undefined): Promise<void> {
    const { unit, store, stateKey, options, resource } = this.deps;
    const { outageTimeout, brokers } = options.kafka;
    const timeoutMs = options.transactions.timeoutMs;
    const { clock } = this;
    const since = clock.now();
    // The transaction being recovered: when it started on the broker (0: it never reached it).
    const openedAt = this.txnSentAt;
    // The fencing or refusal that ends the recovery; anything else is retried.
    let verdict: KafkaSinkError | undefined;
    options.onEvent({ type: 'producer_recreated', resource: resource.name, reason: describeError(cause) });
    const recoverOnce = async (attempt: number) => {
      this.txn = undefined;
      this.txnSentAt = 0;
      this.inflight = undefined;
      try {
        await unit.recreate();
        if (token !== undefined && (await store.readCommitted(stateKey))?.commit === token) return;
        const replay = [...this.sent, ...this.takePending()];
        this.sent = replay;
        await this.send(replay);
        if (token !== undefined)
          this.written.add((await (this.txn as KafkaTransaction | undefined)?.commit()) ?? []);
        this.reportRecovered(since, openedAt, attempt);
      } catch (error) {
        if (isFencedError(error) && !(await this.expiredNotFenced())) verdict = this.fenced(error);
        else if (isPermanentError(error)) verdict = this.refused(error);
        throw verdict ?? error;
      }
    };
    try {
      await retry(recoverOnce, {
        ...OUTAGE_BACKOFF,
        deadlineMs: outageTimeout,
        clock,
        retriable: (error) => error !== verdict,
        onRetry: ({ error, attempt, delayMs }) =>
          options.logger?.warn(
            {
              resource: resource.name,
              transactionalId: unit.transactionalId,
              attempt,
              outage_s: seconds(clock.now() - since),
              retry_in_ms: delayMs,
              open_transaction_age_s: openedAt === 0 ? undefined : seconds(Date.now() - openedAt),
              transaction_timeout_s: seconds(timeoutMs),
              error: describeError(error),
            },
            `Kafka unavailable; retrying in ${seconds(delayMs)} s (for up to kafka.outageTimeout, ${seconds(outageTimeout)} s)`,
          ),
      });
    } catch (lastError) {
      if (lastError === verdict) throw lastError;
      const gaveUp = `resource "${resource.name}": Kafka kept failing for ${seconds(clock.now() - since)} s, giving up after kafka.outageTimeout (${seconds(outageTimeout)} s); nothing of the open transaction was committed, the next run resumes from the last committed page`;
      // kafkaError() returns a KafkaSinkError as it is (a failed re-initialisation is one), which
      // would drop the outage from the message.
      if (KafkaSinkError.isInstance(lastError)) {
        throw new KafkaSinkError(lastError.code, `${gaveUp}: ${lastError.message}`, {
          cause: lastError,
          retriable: lastError.retriable,
        });
      }
      throw kafkaError(lastError, gaveUp, brokers);
    }
  }

  /** Says what happened to the open transaction once the writer is going again. */
  private reportRecovered(since: number, openedAt: number, attempts: number): void {
    const { options, resource, unit } = this.deps;
    const timeoutMs = options.transactions.timeoutMs;
    const line = {
      resource: resource.name,
      transactionalId: unit.transactionalId,
      attempts,
      outage_s: seconds(this.clock.now() - since),
      pages: this.txnPages,
      records: this.txnRecords,
    };
    if (openedAt !== 0 && Date.now() - openedAt >= timeoutMs) {
      options.logger?.warn(
        {
          ...line,
          open_transaction_age_s: seconds(Date.now() - openedAt),
          transaction_timeout_s: seconds(timeoutMs),
        },
        `the broker expired the open transaction: it outlived the transaction timeout (${seconds(timeoutMs)} s) while Kafka was failing, so nothing of it was committed; the producer was re-initialised and its ${this.txnPages} page(s) since the last committed page were written again (not fenced: no other run took over)`,
      );
    } else {
      options.logger?.warn(
        line,
        'Kafka is available again; the producer was recreated and the open transaction written again from the last committed page',
      );
    }
  }

  private fenced(error: unknown): KafkaSinkError {
    const { unit, resource } = this.deps;
    return new KafkaSinkError(
      'FENCED',
      `resource "${resource.name}": producer "${unit.transactionalId}" was fenced by a newer one (another run of this resource took over); stopping this writer`,
      { cause: error },
    );
  }

  /** Keys whose latest committed message is a value from an earlier run. */
  private async scanForDeletes(): Promise<Buffer[]> {
    const { port, plan, options, resource } = this.deps;
    if (this.deps.startedEmpty) {
      // A first sync (the largest run) would otherwise read back everything it has just written.
      options.onEvent({ type: 'snapshot_deletes', resource: resource.name, tombstones: 0, scanned: 0 });
      return [];
    }
    const candidates = new Map<string, Buffer>();
    let scanned = 0;
    await scanTopics(
      port,
      plan.topic,
      (message) => {
        if (!message.key) return;
        scanned++;
        const id = message.key.toString('latin1');
        const run = message.headers[RUN_HEADER];
        const thisRun =
          run !== undefined && this.runIds.has(Buffer.isBuffer(run) ? run.toString('utf8') : String(run));
        if (message.value === null || thisRun || this.keep.has(id)) candidates.delete(id);
        else candidates.set(id, message.key);
      },
      {
        name: `${options.topics.prefix}-${resource.name}`,
        brokers: options.kafka.brokers,
        logger: options.logger,
        timeoutMs: SCAN_TIMEOUT_MS,
        // This run's last commits may not be readable yet (their markers follow the commit).
        written: this.written.list(plan.topic),
      },
    );
    options.onEvent({
      type: 'snapshot_deletes',
      resource: resource.name,
      tombstones: candidates.size,
      scanned,
    });
    return [...candidates.values()];
  }
}

/** What waits to be sent: one message, or a packed page (or a part of one). */
type Pending = { topic: string; bytes: number } & ({ message: KafkaMessage } | { packed: PackedMessages });

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function sizeOf(message: KafkaMessage): number {
  const key = message.key ? message.key.length : 0;
  const value = message.value ? message.value.length : 0;
  return key + value + MESSAGE_OVERHEAD;
}

function* chunks(items: Pending[], maxBytes: number): Generator<Pending[]> {
  let chunk: Pending[] = [];
  let bytes = 0;
  for (const item of items) {
    if (chunk.length > 0 && bytes + item.bytes > maxBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(item);
    bytes += item.bytes;
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Messages grouped per topic in send order: single messages of a topic share one list until a
 * packed page of that topic follows; adapters keep the order of the entries, so order within each
 * topic (and so within each partition) is kept.
 */
function byTopic(items: Pending[]): TopicMessages[] {
  const out: TopicMessages[] = [];
  const open = new Map<string, KafkaMessage[]>();
  for (const item of items) {
    if ('packed' in item) {
      out.push({ topic: item.topic, packed: item.packed });
      open.delete(item.topic);
      continue;
    }
    let list = open.get(item.topic);
    if (!list) {
      list = [];
      open.set(item.topic, list);
      out.push({ topic: item.topic, messages: list });
    }
    list.push(item.message);
  }
  return out;
}
