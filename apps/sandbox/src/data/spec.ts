import type { Rng } from './rng.js';

export type ApiName = 'billing' | 'analytics';
export type JsonRecord = Record<string, unknown>;

/** What a record builder knows about the record it builds. */
export interface BuildContext {
  readonly seed: number;
  readonly index: number;
  /** The record's own generator: draw from it in a fixed order so the record is deterministic. */
  readonly rng: Rng;
  /** Epoch seconds. */
  readonly created: number;
  /** Epoch seconds: moves forward each time a mutation updates the record. */
  readonly updated: number;
  /** 0 for an untouched record, n after its n-th update. */
  readonly version: number;
  readonly id: string;
  readonly world: World;
}

/** Cross-resource lookups inside one API, so references point at records that exist. */
export interface World {
  readonly seed: number;
  /** Base size (before inserts) of a resource of the same API. */
  sizeOf(resource: string): number;
  /** The id of record `index` of a resource of the same API. */
  idOf(resource: string, index: number): string;
  /** A random existing index of `resource` (0 when the resource is empty). */
  pickIndex(resource: string, rng: Rng): number;
}

export interface ResourceSpec {
  readonly api: ApiName;
  /** The seed's resource name (`quotes`, `taxes`, `customer_usage_past`, ...). */
  readonly name: string;
  /** The seed's endpoint path. */
  readonly path: string;
  /** The seed's data selector: the envelope key holding the records. */
  readonly dataKey: string;
  /** The real API's own id field, carried beside `id`. */
  readonly idField: string;
  readonly createdField: string;
  /** `updated_time`, `last_modified_time` or `updated_at`: what an update moves. */
  readonly updatedField: string;
  /** True when ids sort (as strings) in index order, so digests need no sort. */
  readonly idsFollowIndex: boolean;
  idOf(seed: number, index: number): string;
  /** For ids that do not follow the index: a numeric key in id order, and its inverse. */
  idSortKey?(seed: number, index: number): number;
  indexOfIdSortKey?(seed: number, key: number): number;
  build(context: BuildContext): JsonRecord;
}

/** Two decimals, and never -0 (JSON would print it as 0, so ground truth would disagree with the API). */
export function round2(value: number): number {
  const rounded = Math.round(value * 100) / 100;
  return rounded === 0 ? 0 : rounded;
}
