/**
 * The two seed documents as delivered (examples/seeds, Markdown around the dlt Python block):
 * the one copy of each seed that core's tests read, in every form they need.
 */
import { readFileSync } from 'node:fs';
import { parseConfigText } from '../../src/config/text.js';
import type { RestApiConfig } from '../../src/config/types.js';

export type SeedApi = 'billing' | 'analytics';

const seedsDir = new URL('../../../../examples/seeds/', import.meta.url);

/** The seed document's file name, for messages and format detection. */
export const seedDocumentName = (api: SeedApi) => `${api}-source.md`;

export function seedDocument(api: SeedApi): string {
  return readFileSync(new URL(seedDocumentName(api), seedsDir), 'utf8');
}

/** The Python block alone, as a user would save it in a `.py` file. */
export function seedPython(api: SeedApi): string {
  const block = /```python\n(.*?)```/s.exec(seedDocument(api))?.[1];
  if (block === undefined) throw new Error(`${seedDocumentName(api)}: no python block`);
  return block;
}

/** The seed's config as data (secret references included), read by core's own parser. */
export function seedConfig(api: SeedApi): RestApiConfig {
  return parseConfigText(seedDocument(api), { source: seedDocumentName(api) }).value as RestApiConfig;
}
