import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { findSpec, SPECS } from './catalog.js';
import { Dataset } from './dataset.js';
import { type Digest, DigestBuilder } from './digest.js';
import { hashString, Rng } from './rng.js';
import type { ApiName, JsonRecord, World } from './spec.js';

export type SizeOverrides = Partial<Record<ApiName, Record<string, number>>>;

export interface Mutation {
  update?: number;
  delete?: number;
  insert?: number;
}

export interface MutationResult {
  updated: string[];
  deleted: string[];
  inserted: string[];
}

/** How many records to generate between yields, so big walks never stall the servers. */
const YIELD_EVERY = 2000;

function checkCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`${what} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** All resources of both APIs for one seed: lazy datasets with mutation overlays. */
export class DataStore {
  private readonly datasets = new Map<string, Dataset>();
  private mutations = 0;

  constructor(
    readonly seed: number,
    defaultSize: number,
    sizes: SizeOverrides = {},
  ) {
    checkCount(seed, 'seed');
    checkCount(defaultSize, 'size');
    for (const api of Object.keys(sizes)) {
      if (api !== 'billing' && api !== 'analytics') {
        throw new Error(`sizes: unknown API '${api}': expected 'billing' or 'analytics'`);
      }
    }
    for (const api of ['billing', 'analytics'] as const) {
      const overrides = new Map<string, number>();
      for (const [resource, size] of Object.entries(sizes[api] ?? {})) {
        overrides.set(findSpec(api, resource).name, checkCount(size, `sizes.${api}.${resource}`));
      }
      // Plain maps resolved once: these lookups run several times per generated record.
      const byName = new Map<string, Dataset>();
      const specs = new Map(SPECS[api].map((spec) => [spec.name, spec]));
      // Referenced ids (a customer's id on each of its invoices) repeat: cache them, bounded.
      const idCaches = new Map<string, Map<number, string>>();
      const lookup = (resource: string): Dataset => {
        const dataset = byName.get(resource);
        if (!dataset) throw new Error(`no ${api} resource '${resource}'`);
        return dataset;
      };
      const world: World = {
        seed,
        sizeOf: (resource) => lookup(resource).baseSize,
        idOf: (resource, index) => {
          let cache = idCaches.get(resource);
          if (!cache) {
            cache = new Map();
            idCaches.set(resource, cache);
          }
          let id = cache.get(index);
          if (id === undefined) {
            id = (specs.get(resource) ?? findSpec(api, resource)).idOf(seed, index);
            if (cache.size >= 50_000) cache.clear();
            cache.set(index, id);
          }
          return id;
        },
        pickIndex: (resource, rng) => rng.int(0, Math.max(lookup(resource).baseSize, 1) - 1),
      };
      for (const spec of SPECS[api]) {
        const size = overrides.get(spec.name) ?? defaultSize;
        const dataset = new Dataset(spec, size, seed, world);
        byName.set(spec.name, dataset);
        this.datasets.set(`${api}:${spec.name}`, dataset);
      }
    }
  }

  dataset(api: ApiName, resource: string): Dataset {
    const direct = this.datasets.get(`${api}:${resource}`);
    if (direct) return direct;
    return this.datasets.get(`${api}:${findSpec(api, resource).name}`)!;
  }

  /** The dataset served at `path`, if any. */
  datasetAtPath(api: ApiName, path: string): Dataset | undefined {
    const spec = SPECS[api].find((s) => s.path === path);
    return spec ? this.datasets.get(`${api}:${spec.name}`) : undefined;
  }

  datasetsOf(api: ApiName): Dataset[] {
    return SPECS[api].map((spec) => this.datasets.get(`${api}:${spec.name}`)!);
  }

  /** Deletes, then updates (other records), then inserts; returns the ids affected. */
  mutate(api: ApiName, resource: string, mutation: Mutation): MutationResult {
    const dataset = this.dataset(api, resource);
    const where = `mutate(${api}, ${dataset.spec.name})`;
    const toDelete = checkCount(mutation.delete ?? 0, `${where}: delete`);
    const toUpdate = checkCount(mutation.update ?? 0, `${where}: update`);
    const toInsert = checkCount(mutation.insert ?? 0, `${where}: insert`);
    this.mutations++;
    const rng = new Rng(this.seed, hashString(`mutate.${api}.${dataset.spec.name}`), this.mutations);
    const deleted = dataset.pickLive(toDelete, rng);
    dataset.delete(deleted);
    const updated = dataset.pickLive(toUpdate, rng);
    dataset.update(updated, this.mutations);
    const inserted = dataset.insert(toInsert);
    const ids = (indices: number[]) => indices.map((index) => dataset.idOf(index));
    return { updated: ids(updated), deleted: ids(deleted), inserted: ids(inserted) };
  }

  /** Inserts at the head without counting as a user mutation (the shift_records fault). */
  insertAtHead(dataset: Dataset, count: number): string[] {
    return dataset.insert(count).map((index) => dataset.idOf(index));
  }

  async *groundTruth(api: ApiName, resource: string): AsyncGenerator<JsonRecord> {
    const dataset = this.dataset(api, resource);
    let n = 0;
    for (const index of dataset.indicesInApiOrder()) {
      yield dataset.record(index);
      if (++n % YIELD_EVERY === 0) await yieldToLoop();
    }
  }

  async digest(api: ApiName, resource: string): Promise<Digest> {
    const dataset = this.dataset(api, resource);
    const builder = new DigestBuilder();
    let n = 0;
    for (const index of dataset.indicesInIdOrder()) {
      builder.add(dataset.record(index));
      if (++n % YIELD_EVERY === 0) await yieldToLoop();
    }
    return builder.finish();
  }
}
