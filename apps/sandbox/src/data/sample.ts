import { findSpec } from './catalog.js';
import type { ApiName, JsonRecord } from './spec.js';
import { DataStore } from './store.js';

/**
 * The first `count` records (index order) of a resource, as a sandbox with this seed and
 * default size would serve them — handy for deriving schemas without starting servers.
 */
export function sampleRecords(api: ApiName, resource: string, count = 10, seed = 42): JsonRecord[] {
  const name = findSpec(api, resource).name;
  const store = new DataStore(seed, Math.max(count, 250));
  const dataset = store.dataset(api, name);
  const records: JsonRecord[] = [];
  for (let index = 0; index < count; index++) records.push(dataset.record(index));
  return records;
}
