/**
 * What a source package's end-to-end test runs and compares: one run read back with the checks
 * every such run must pass, the sandbox's ground truth keyed as the sink keys records, and the
 * value schema the registry holds for a topic.
 */
import { type ResourceResult, runPipeline, type Sink, type Source } from '@siphon/core';
import { expect } from 'vitest';
import type { CompactedView, TopicReader } from './kafka-view.js';

/** What these helpers need of a sandbox (`@siphon/sandbox`'s `Sandbox`): testkit does not import it. */
export interface GroundTruthSource {
  groundTruth(api: string, resource: string): AsyncIterable<Record<string, unknown>>;
}

/**
 * The sandbox's records of a resource as the API serves them (JSON: `-0` is sent as `0`), keyed
 * as the sink keys them (the decoded key record's JSON, `{"id":"..."}`).
 */
export async function groundTruthByKey(
  sb: GroundTruthSource,
  api: string,
  resource: string,
  keyField: string,
): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for await (const record of sb.groundTruth(api, resource)) {
    out.set(JSON.stringify({ [keyField]: record[keyField] }), JSON.parse(JSON.stringify(record)));
  }
  return out;
}

export interface RegisteredRecordSchema {
  name: string;
  namespace?: string;
  fields: { name: string }[];
}

/** The latest value schema registered for `topic` (subject `<topic>-value`); throws when there is none. */
export async function latestValueSchema(registryUrl: string, topic: string): Promise<RegisteredRecordSchema> {
  const subject = `${topic}-value`;
  const response = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}/versions/latest`);
  if (response.status !== 200) {
    throw new Error(`registry subject ${subject}: HTTP ${response.status}, expected 200`);
  }
  return JSON.parse(((await response.json()) as { schema: string }).schema) as RegisteredRecordSchema;
}

/**
 * Runs `source` into `sink` once (both closed afterwards), then reads back each resource's topic
 * `<prefix>.<api>.<name>` as a compacted view. `topics` lists what the broker has under `prefix`.
 * Expects what every end-to-end run must show: each of `names` ran to completion into a topic of its
 * own, whose registered value schema is the declared one (`declared(name)`: same full name, same
 * fields in order), and nothing went to the dead-letter topic.
 */
export async function runAndReadBack<Name extends string>(options: {
  source: Source & { close(): Promise<void> };
  sink: Sink & { close(): Promise<void> };
  reader: TopicReader;
  prefix: string;
  api: string;
  names: readonly Name[];
  declared: (name: Name) => RegisteredRecordSchema;
  registryUrl: string;
}): Promise<{ results: ResourceResult[]; topics: string[]; views: Map<Name, CompactedView> }> {
  const { source, sink, reader, prefix, api, names, declared, registryUrl } = options;
  let results: ResourceResult[];
  try {
    results = await runPipeline({ source, sink, pipeline: 'e2e' });
  } finally {
    await sink.close();
    await source.close();
  }
  expect(results.map((r) => r.resource).sort()).toEqual([...names].sort());
  for (const result of results) expect(result.complete, result.resource).toBe(true);
  const topics = await reader.topics(prefix);
  for (const name of names) expect(topics, 'one topic per resource').toContain(`${prefix}.${api}.${name}`);
  for (const name of names) {
    const registered = await latestValueSchema(registryUrl, `${prefix}.${api}.${name}`);
    const schema = declared(name);
    expect(`${registered.namespace}.${registered.name}`, name).toBe(`${schema.namespace}.${schema.name}`);
    expect(
      registered.fields.map((f) => f.name),
      name,
    ).toEqual(schema.fields.map((f) => f.name));
  }
  const views = new Map<Name, CompactedView>();
  for (const name of names) {
    const topic = `${prefix}.${api}.${name}`;
    if (topics.includes(topic)) views.set(name, await reader.compacted(topic));
  }
  const deadLetters = topics.includes(`${prefix}._dlq`)
    ? await reader.compacted(`${prefix}._dlq`)
    : undefined;
  expect(deadLetters?.messages ?? 0, 'dead-letter messages').toBe(0);
  return { results, topics, views };
}

/** Expects every view to hold exactly the sandbox's records of its resource, keyed by `keyOf(name)`. */
export async function expectConverged<Name extends string>(
  sb: GroundTruthSource,
  api: string,
  views: Map<Name, CompactedView>,
  keyOf: (name: Name) => string,
): Promise<void> {
  for (const [name, view] of views) {
    const expected = await groundTruthByKey(sb, api, name, keyOf(name));
    expect([...view.values.keys()].sort(), `${name}: keys`).toEqual([...expected.keys()].sort());
    for (const [key, record] of expected) expect(view.values.get(key), `${name} ${key}`).toEqual(record);
  }
}

/** How many records the sandbox updates, deletes and inserts in a resource (`@siphon/sandbox`'s `Mutation`). */
export interface RecordChanges {
  update?: number;
  delete?: number;
  insert?: number;
}

/** What the seed-preset scenario needs of a sandbox: its ground truth, and changes to it. */
export interface ChangingGroundTruth extends GroundTruthSource {
  mutate(
    api: string,
    resource: string,
    changes: RecordChanges,
  ): Promise<{ updated: string[]; deleted: string[]; inserted: string[] }>;
}

/**
 * The seed preset's two runs into the same topics, every resource keyed by `id`. The first run
 * equals the sandbox's ground truth and `counted.name` holds `counted.size` records; the sandbox
 * then makes `changes` (in the order written), and the second run converges again: `counted.name`
 * without its deleted keys, with its inserted ones, and its count adjusted; `tombstoned` (a resource
 * with deletes) has a tombstone for each; the first updated record of `stamped.name` shows a new
 * `stamped.field`. Returns both runs' views and the ids each change touched.
 */
export async function expectSeedRunsConverge<Name extends string>(scenario: {
  sb: ChangingGroundTruth;
  api: string;
  prefix: string;
  run: (prefix: string) => Promise<Map<Name, CompactedView>>;
  counted: { name: Name; size: number };
  changes: Partial<Record<Name, RecordChanges>>;
  tombstoned: Name;
  stamped: { name: Name; field: string };
}): Promise<{
  first: Map<Name, CompactedView>;
  second: Map<Name, CompactedView>;
  changed: Map<Name, { updated: string[]; deleted: string[]; inserted: string[] }>;
}> {
  const { sb, api, prefix, run, counted } = scenario;
  const first = await run(prefix);
  await expectConverged(sb, api, first, () => 'id');
  expect(first.get(counted.name)?.values.size).toBe(counted.size);

  const changed = new Map<Name, { updated: string[]; deleted: string[]; inserted: string[] }>();
  for (const [name, changes] of Object.entries(scenario.changes) as Array<[Name, RecordChanges]>) {
    changed.set(name, await sb.mutate(api, name, changes));
  }
  const second = await run(prefix);
  await expectConverged(sb, api, second, () => 'id');

  const view = second.get(counted.name) as CompactedView;
  const { deleted = [], inserted = [] } = changed.get(counted.name) ?? {};
  for (const id of deleted) expect(view.values.has(JSON.stringify({ id })), `${id} deleted`).toBe(false);
  for (const id of inserted) expect(view.values.has(JSON.stringify({ id })), `${id} inserted`).toBe(true);
  const { delete: removed = 0, insert: added = 0 } = scenario.changes[counted.name] ?? {};
  expect(view.values.size).toBe(counted.size - removed + added);

  const tombstones = second.get(scenario.tombstoned)?.tombstones;
  expect(tombstones, `${scenario.tombstoned}: tombstones`).toBeGreaterThanOrEqual(
    changed.get(scenario.tombstoned)?.deleted.length || 1,
  );
  const { name, field } = scenario.stamped;
  const key = JSON.stringify({ id: changed.get(name)?.updated[0] });
  expect(second.get(name)?.values.get(key)?.[field], `${name} ${key}: ${field}`).not.toBe(
    first.get(name)?.values.get(key)?.[field],
  );
  return { first, second, changed };
}
