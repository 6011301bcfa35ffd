/** What every scenario gets: options, infra, a Kafka port, a unique tag and the result shape. */
import type { KafkaPort } from '@siphon/sink-kafka';
import type { BenchOptions, ScenarioId } from './args.ts';
import type { Infra } from './infra.ts';
import { deleteSubjectsWithPrefix, deleteTopicsWithPrefix } from './kafka.ts';
import type { Summary } from './stats.ts';

export interface BenchContext {
  options: BenchOptions;
  infra: Infra;
  /** The harness's own port (admin calls): Kafka only through the sink's port. */
  kafka: KafkaPort;
  /** Unique to this harness run; every topic and subject it creates starts with it. */
  tag: string;
  log(line: string): void;
}

export interface Headline {
  /** What the ratio is, e.g. "records/s, Siphon ÷ best floor". */
  label: string;
  /** The Kafka adapter of the Siphon runs behind it; undefined when it is not per adapter. */
  client?: string;
  ratio: Summary;
  /** Human text of the target, e.g. "≥ 0.8"; undefined when the issue sets none. */
  target?: string;
  met?: boolean;
  /** How far from the target the median is, e.g. "44% short" or "12% to spare". */
  margin?: string;
}

export interface ScenarioReport {
  id: ScenarioId;
  title: string;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  /** One per target (and Kafka adapter); the first is the scenario's headline. */
  headlines: Headline[];
  /**
   * Absolute figures: name (with unit) → median and spread over the measured runs. A name ending
   * in ` [<client>]` belongs to that Kafka adapter's rows.
   */
  figures: Record<string, Summary>;
  /** Per-run raw data, warm-ups excluded. */
  runs: unknown[];
  notes: string[];
}

export function skipped(id: ScenarioId, title: string, reason: string): ScenarioReport {
  return { id, title, status: 'skipped', reason, headlines: [], figures: {}, runs: [], notes: [] };
}

export function failed(id: ScenarioId, title: string, error: unknown): ScenarioReport {
  const reason = error instanceof Error ? error.message : String(error);
  return { id, title, status: 'failed', reason, headlines: [], figures: {}, runs: [], notes: [] };
}

/** Deletes a run's topics (their data is large) unless the user keeps them. */
export async function dropTopics(ctx: BenchContext, prefix: string): Promise<void> {
  if (ctx.options.keepTopics) return;
  try {
    await deleteTopicsWithPrefix(ctx.kafka, [prefix]);
  } catch (error) {
    ctx.log(`warning: could not delete the topics of ${prefix}: ${(error as Error).message}`);
  }
}

/** At the end (or on an interrupt): whatever topics and subjects of this harness run are left. */
export async function dropEverything(ctx: BenchContext): Promise<void> {
  if (ctx.options.keepTopics) return;
  await dropTopics(ctx, ctx.tag);
  try {
    await deleteSubjectsWithPrefix(ctx.infra.registryUrl, [ctx.tag]);
  } catch (error) {
    ctx.log(`warning: could not delete the subjects of ${ctx.tag}: ${(error as Error).message}`);
  }
}

/** Order of the two contenders in iteration `i`: alternated so neither always runs on a warmer machine. */
export function alternate<T>(i: number, a: T, b: T): [T, T] {
  return i % 2 === 0 ? [a, b] : [b, a];
}

/** The contenders of iteration `i`, rotated so that each goes first in turn (iteration 0: as given). */
export function rotate<T>(i: number, items: readonly T[]): T[] {
  if (items.length === 0) return [];
  const k = i % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
