import type {
  JsonRecord,
  Page,
  ResourceDescriptor,
  ResourceResult,
  ResourceState,
  ResourceWriter,
  Sink,
  SinkOpenContext,
  StateStore,
} from '../contracts.js';
import { MemoryStateStore } from '../state/memory-state-store.js';

/**
 * Collects records per resource in memory: for tests and for library users who want the data as
 * arrays. Each page is "committed" when written, with its state, like an exactly-once sink.
 */
export class MemorySink implements Sink {
  readonly records = new Map<string, JsonRecord[]>();
  readonly pages = new Map<string, Page[]>();
  readonly descriptors = new Map<string, ResourceDescriptor>();
  readonly results = new Map<string, ResourceResult>();
  readonly aborted = new Map<string, unknown>();
  readonly #store: StateStore;
  readonly #keepPages: boolean;

  constructor(options: { stateStore?: StateStore; keepPages?: boolean } = {}) {
    this.#store = options.stateStore ?? new MemoryStateStore();
    this.#keepPages = options.keepPages ?? false;
  }

  recordsOf(resource: string): JsonRecord[] {
    return this.records.get(resource) ?? [];
  }

  async open(resource: ResourceDescriptor, context: SinkOpenContext): Promise<ResourceWriter> {
    const key = { pipeline: context.pipeline, source: context.source, resource: resource.name };
    this.descriptors.set(resource.name, resource);
    const records = this.records.get(resource.name) ?? [];
    this.records.set(resource.name, records);
    return {
      write: async (page: Page) => {
        for (const record of page.records) records.push(record);
        if (this.#keepPages) this.pages.set(resource.name, [...(this.pages.get(resource.name) ?? []), page]);
        await this.#store.set(key, page.state);
      },
      finish: async (result: ResourceResult, finalState: ResourceState) => {
        this.results.set(resource.name, result);
        await this.#store.set(key, finalState);
      },
      abort: async (reason: unknown) => {
        this.aborted.set(resource.name, reason);
      },
    };
  }

  stateStore(): StateStore {
    return this.#store;
  }

  async close(): Promise<void> {}
}
