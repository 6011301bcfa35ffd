import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ResourceState, StateKey, StateStore } from '../contracts.js';
import { SiphonError } from '../errors/siphon-error.js';

interface StateFile {
  version: 1;
  entries: Array<{ key: StateKey; state: ResourceState }>;
}

const keyOf = (key: StateKey) => JSON.stringify([key.pipeline, key.source, key.resource]);

/**
 * All state in one JSON file. Every write goes to a temporary file that is synced and renamed over
 * the old one, so a crash leaves either the old or the new file, never half of one. Writes from
 * one process are serialised; the file is not meant to be shared by processes at once.
 */
export class FileStateStore implements StateStore {
  readonly file: string;
  #entries: Map<string, { key: StateKey; state: ResourceState }> | undefined;
  #loading: Promise<Map<string, { key: StateKey; state: ResourceState }>> | undefined;
  #writes: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.file = path.resolve(file);
  }

  async get(key: StateKey): Promise<ResourceState | undefined> {
    const entry = (await this.#load()).get(keyOf(key));
    return entry ? structuredClone(entry.state) : undefined;
  }

  async set(key: StateKey, state: ResourceState): Promise<void> {
    const entries = await this.#load();
    entries.set(keyOf(key), { key: { ...key }, state: JSON.parse(JSON.stringify(state)) as ResourceState });
    await this.#persist();
  }

  async delete(key: StateKey): Promise<void> {
    const entries = await this.#load();
    if (entries.delete(keyOf(key))) await this.#persist();
  }

  async list(): Promise<Array<{ key: StateKey; state: ResourceState }>> {
    return [...(await this.#load()).values()].map((entry) => structuredClone(entry));
  }

  #load(): Promise<Map<string, { key: StateKey; state: ResourceState }>> {
    // One read shared by concurrent callers, so they all update the same map.
    this.#loading ??= this.#read();
    this.#loading.catch(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #read(): Promise<Map<string, { key: StateKey; state: ResourceState }>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.#entries = new Map();
      return this.#entries;
    }
    let parsed: StateFile;
    try {
      parsed = JSON.parse(text) as StateFile;
    } catch (error) {
      throw new SiphonError(`state file ${this.file} is not valid JSON: ${(error as Error).message}`, {
        code: 'STATE_FILE_INVALID',
        cause: error,
      });
    }
    if (parsed?.version !== 1 || !Array.isArray(parsed.entries)) {
      throw new SiphonError(
        `state file ${this.file} has an unknown layout (expected {"version": 1, "entries": [...]})`,
        { code: 'STATE_FILE_INVALID' },
      );
    }
    this.#entries = new Map(parsed.entries.map((entry) => [keyOf(entry.key), entry]));
    return this.#entries;
  }

  #persist(): Promise<void> {
    const write = this.#writes.then(() => this.#writeFile());
    this.#writes = write.catch(() => undefined);
    return write;
  }

  async #writeFile(): Promise<void> {
    const body: StateFile = { version: 1, entries: [...(this.#entries ?? new Map()).values()] };
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(`${JSON.stringify(body, null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}
