import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../src/contracts.js';
import { FileStateStore } from '../../src/state/file-state-store.js';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'siphon-state-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const key = (resource: string) => ({ pipeline: 'p', source: 's', resource });

describe.each([
  ['MemoryStateStore', () => new MemoryStateStore()],
  ['FileStateStore', () => new FileStateStore(path.join(dir, `${Math.random()}.json`))],
])('%s', (_name, make: () => StateStore) => {
  it('stores, lists and deletes state per key, as copies', async () => {
    const store = make();
    const state = { incremental: { default: { last_value: 5 } }, checkpoint: null };
    await store.set(key('a'), state);
    await store.set(key('b'), { checkpoint: { run_id: 'r', paginator: { page: 3 }, pages: 2 } });
    state.incremental.default.last_value = 99;
    expect(await store.get(key('a'))).toEqual({
      incremental: { default: { last_value: 5 } },
      checkpoint: null,
    });
    expect((await store.list()).map((e) => e.key.resource).sort()).toEqual(['a', 'b']);
    await store.delete(key('a'));
    expect(await store.get(key('a'))).toBeUndefined();
  });
});

describe('FileStateStore', () => {
  it('survives a reopen and leaves no temporary files', async () => {
    const file = path.join(dir, 'nested', 'state.json');
    const store = new FileStateStore(file);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(key(`r${i}`), { n: i })));
    const reopened = new FileStateStore(file);
    expect(await reopened.get(key('r7'))).toEqual({ n: 7 });
    expect((await reopened.list()).length).toBe(20);
    expect(await readdir(path.dirname(file))).toEqual(['state.json']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1 });
  });

  it('refuses a corrupt file with a clear error instead of starting over', async () => {
    const file = path.join(dir, 'corrupt.json');
    await writeFile(file, '{"version":1,"entries":[');
    await expect(new FileStateStore(file).get(key('a'))).rejects.toThrow(
      `state file ${file} is not valid JSON`,
    );
  });
});
