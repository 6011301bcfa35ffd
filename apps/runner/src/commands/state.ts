import path from 'node:path';
import type { ResourceState, StateKey, StateStore } from '@siphon/core';
import { loadContext } from '../context.js';
import { EXIT_OK, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { TOKEN_RESOURCE } from '../ops/token-vault.js';
import { sourceNameOf } from '../pipeline/build-source.js';
import { standaloneStateStore } from '../pipeline/state-store.js';
import type { StateOptions } from '../program.js';

/**
 * `siphon state`: the stored state of every resource of the selected pipelines, or, with
 * `--reset`, deletes it so that the next run starts over (a full read, a fresh cursor).
 */
export async function stateCommand(options: StateOptions, io: Io): Promise<number> {
  const ctx = await loadContext(options, io);
  const baseDir = path.dirname(ctx.file.file);
  // Pipelines that share a store are read through one instance.
  const stores = new Map<string, { store: StateStore; pipelines: Set<string>; sources: Set<string> }>();
  for (const pipeline of ctx.pipelines) {
    const id = storeId(pipeline.state, pipeline.kafka.brokers, pipeline.topics.stateTopic);
    const entry = stores.get(id) ?? {
      store: standaloneStateStore(pipeline, baseDir),
      pipelines: new Set(),
      sources: new Set(),
    };
    entry.pipelines.add(pipeline.name);
    entry.sources.add(sourceNameOf(pipeline));
    stores.set(id, entry);
  }
  try {
    const entries: Array<{ key: StateKey; state: ResourceState; store: StateStore }> = [];
    for (const { store, pipelines } of stores.values()) {
      for (const { key, state } of await store.list()) {
        if (pipelines.has(key.pipeline)) entries.push({ key, state, store });
      }
    }
    if (options.reset) return await reset(options.reset, entries, io);
    const shown = entries.map(({ key, state }) => ({
      ...key,
      state:
        key.resource === TOKEN_RESOURCE
          ? { refresh_token: '[encrypted]', rotated_at: state.rotated_at }
          : state,
    }));
    if (options.json) io.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    else if (shown.length === 0) io.stdout.write('no stored state for the selected pipelines\n');
    else for (const entry of shown) io.stdout.write(`${describe(entry)}\n`);
    return EXIT_OK;
  } finally {
    await Promise.allSettled([...stores.values()].map(({ store }) => store.close?.()));
  }
}

async function reset(
  names: string[],
  entries: Array<{ key: StateKey; state: ResourceState; store: StateStore }>,
  io: Io,
): Promise<number> {
  const all = names.includes('*');
  const known = [...new Set(entries.map((e) => e.key.resource).filter((r) => r !== TOKEN_RESOURCE))].sort();
  const unknown = all ? [] : names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `--reset: no stored state for ${unknown.join(', ')}${known.length ? ` (state exists for ${known.join(', ')})` : ' (nothing is stored)'}`,
    );
  }
  const targets = entries.filter(
    (e) => e.key.resource !== TOKEN_RESOURCE && (all || names.includes(e.key.resource)),
  );
  for (const { key, store } of targets) {
    await store.delete(key);
    io.stdout.write(`reset ${key.pipeline}/${key.source}/${key.resource}\n`);
  }
  if (targets.length === 0) io.stdout.write('nothing to reset\n');
  return EXIT_OK;
}

function describe(entry: StateKey & { state: ResourceState }): string {
  const { state } = entry;
  const parts: string[] = [];
  if (state.last_run)
    parts.push(`last run ${state.last_run.completed_at} (${state.last_run.records} records)`);
  if (state.checkpoint)
    parts.push(`interrupted run ${state.checkpoint.run_id} after ${state.checkpoint.pages} page(s)`);
  if (state.incremental) parts.push(`cursor ${JSON.stringify(state.incremental)}`);
  if (entry.resource === TOKEN_RESOURCE) parts.push('rotated OAuth refresh token (encrypted)');
  return `${entry.pipeline}/${entry.source}/${entry.resource}: ${parts.join('; ') || JSON.stringify(state)}`;
}

function storeId(state: { store: string; path?: string }, brokers: string[], topic: string): string {
  if (state.store === 'file') return `file:${state.path}`;
  if (state.store === 'memory') return `memory:${Math.random()}`;
  return `kafka:${brokers.join(',')}:${topic}`;
}
