import type { ResourceState, StateKey, StateStore } from '../contracts.js';

const keyOf = (key: StateKey) => JSON.stringify([key.pipeline, key.source, key.resource]);

/** Keeps state in memory (copies in and out, so callers cannot change what is stored). */
export class MemoryStateStore implements StateStore {
  readonly #entries = new Map<string, { key: StateKey; state: ResourceState }>();

  async get(key: StateKey): Promise<ResourceState | undefined> {
    const entry = this.#entries.get(keyOf(key));
    return entry ? structuredClone(entry.state) : undefined;
  }

  async set(key: StateKey, state: ResourceState): Promise<void> {
    this.#entries.set(keyOf(key), { key: { ...key }, state: structuredClone(state) });
  }

  async delete(key: StateKey): Promise<void> {
    this.#entries.delete(keyOf(key));
  }

  async list(): Promise<Array<{ key: StateKey; state: ResourceState }>> {
    return [...this.#entries.values()].map((entry) => structuredClone(entry));
  }
}
