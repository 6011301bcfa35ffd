/**
 * Reads the dict literal of a seed's `rest_api_source({...})` block. The seeds write it as JSON
 * apart from `dlt.secrets["key"]`, which becomes `{ "$secret": "key" }` (how a SecretRef serialises).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { parseConfigText } from '@siphon/core';

/** The seed documents as delivered, kept in the repository beside the examples that run them. */
const SEEDS_DIR = new URL('../../../examples/seeds/', import.meta.url);

/** The path of a seed document: `examples/seeds/<api>-source.md` (Markdown around the dlt Python). */
export function seedDocumentFile(api: 'billing' | 'analytics'): string {
  return fileURLToPath(new URL(`${api}-source.md`, SEEDS_DIR));
}

/** The Python block of a seed document, byte for byte. */
export function seedDocumentBlock(api: 'billing' | 'analytics'): string {
  const file = seedDocumentFile(api);
  const block = /```python\n(.*?)```/s.exec(readFileSync(file, 'utf8'))?.[1];
  if (block === undefined) throw new Error(`${file}: no \`\`\`python block`);
  return block;
}

/** A value as JSON sees it (a secret reference becomes `{ "$secret": name }`), to compare key order too. */
export const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** A source package's config without Siphon's additions (declared schema, delete detection), to compare with the seed. */
export function withoutSiphonExtensions(config: unknown): unknown {
  const copy = asJson(config) as { resources: Record<string, unknown>[] };
  for (const resource of copy.resources) {
    delete resource.schema;
    delete resource.delete_detection;
  }
  return copy;
}

export function readSeedDict(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('rest_api_source(');
  const end = text.lastIndexOf(')');
  if (start < 0 || end < start) throw new Error(`${file}: no rest_api_source({...}) call`);
  const dict = text
    .slice(start + 'rest_api_source('.length, end)
    .replace(/dlt\.secrets\["([^"\]]+)"\]/g, (_m, key: string) => JSON.stringify({ $secret: key }));
  return JSON.parse(dict);
}

/** Paths where two JSON values differ, including key order within objects. */
export function differences(actual: unknown, expected: unknown, path = '$'): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array`];
    const out =
      actual.length === expected.length
        ? []
        : [`${path}: ${actual.length} items, expected ${expected.length}`];
    for (const [i, item] of expected.entries()) out.push(...differences(actual[i], item, `${path}[${i}]`));
    return out;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual))
      return [`${path}: expected an object`];
    const a = Object.keys(actual);
    const e = Object.keys(expected);
    const out =
      a.join(',') === e.join(',') ? [] : [`${path}: keys [${a.join(', ')}], expected [${e.join(', ')}]`];
    for (const key of e) {
      out.push(
        ...differences(
          (actual as Record<string, unknown>)[key],
          (expected as Record<string, unknown>)[key],
          `${path}.${key}`,
        ),
      );
    }
    return out;
  }
  return Object.is(actual, expected)
    ? []
    : [`${path}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`];
}

/**
 * Why a source package's typed seed config is not the seed verbatim (empty when it is): its
 * shipped seed file must be the seed document's Python block byte for byte; the config must match
 * that block key by key, value by value and in order (read apart from core, above), and be exactly
 * what core's dlt-Python reader makes of the seed document, secret references included.
 */
export function packagedSeedProblems(
  api: 'billing' | 'analytics',
  seedFile: URL,
  seedConfig: unknown,
): string[] {
  const file = fileURLToPath(seedFile);
  const problems: string[] = [];
  if (readFileSync(file, 'utf8') !== seedDocumentBlock(api)) {
    problems.push(`${file} is not the Python block of ${seedDocumentFile(api)}, byte for byte`);
  }
  problems.push(...differences(asJson(seedConfig), readSeedDict(file)).map((d) => `against ${file}: ${d}`));
  const document = seedDocumentFile(api);
  const parsed = parseConfigText(readFileSync(document, 'utf8'), { source: document }).value;
  if (!isDeepStrictEqual(parsed, seedConfig)) problems.push(`core's reading of ${document} differs`);
  problems.push(...differences(asJson(parsed), asJson(seedConfig)).map((d) => `against core: ${d}`));
  return problems;
}

/**
 * Why a package's config built with the seed's URLs is not the seed plus Siphon's extensions
 * (empty when it is): the same keys and values as the seed block, and on every resource a
 * declared schema and snapshot delete detection.
 */
export function seedSourceProblems(seedFile: URL, config: unknown): string[] {
  const problems = differences(withoutSiphonExtensions(config), readSeedDict(fileURLToPath(seedFile)));
  for (const resource of (config as { resources: Record<string, unknown>[] }).resources) {
    if (resource.schema === undefined) problems.push(`${String(resource.name)}: no declared schema`);
    if (resource.delete_detection !== 'snapshot') {
      problems.push(
        `${String(resource.name)}: delete_detection ${String(resource.delete_detection)}, expected snapshot`,
      );
    }
  }
  return problems;
}
