/**
 * A source package's seed, kept once as the seed's own dlt Python text (a file shipped with the
 * package) and read with core's config parser, so the typed config cannot drift from it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfigText } from '../config/text.js';
import type { RestApiConfig } from '../config/types.js';

/** The `rest_api_source({...})` config of a seed file (dlt Python, Markdown around it, JSON or YAML). */
export function readSeedConfig(file: URL | string): RestApiConfig {
  const path = file instanceof URL ? fileURLToPath(file) : file;
  return parseConfigText(readFileSync(path, 'utf8'), { source: path }).value as RestApiConfig;
}
