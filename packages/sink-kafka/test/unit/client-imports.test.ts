/**
 * The Kafka port's rule, checked over the whole repository: only the port's adapters
 * (`packages/sink-kafka/src/kafkajs/`, `src/confluent/`) and their own tests (a `kafkajs/` or
 * `confluent/` folder under `packages/sink-kafka/test/`) import a Kafka client library, and only the
 * sink declares one as a dependency. Everything else goes through the port.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const CLIENTS = ['kafkajs', '@confluentinc/kafka-javascript'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.cache', '.turbo', 'coverage']);
const SOURCE = /\.(c|m)?(t|j)sx?$/;

/** `from 'x'`, `import 'x'`, `import('x')`, `require('x')`, subpaths included. */
const IMPORT = new RegExp(
  String.raw`(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](${CLIENTS.map((c) => c.replace(/[/.]/g, '\\$&')).join('|')})(?:/[^'"]*)?['"]`,
);

const ALLOWED = [
  /^packages\/sink-kafka\/src\/(kafkajs|confluent)\//,
  /^packages\/sink-kafka\/test\/(.+\/)?(kafkajs|confluent)\//,
];

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) yield* sourceFiles(path.join(dir, entry.name));
    } else if (SOURCE.test(entry.name)) {
      yield path.join(dir, entry.name);
    }
  }
}

function relative(file: string): string {
  return path.relative(repoRoot, file).split(path.sep).join('/');
}

function workspaceManifests(): string[] {
  const out = [path.join(repoRoot, 'bench/package.json')];
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(path.join(repoRoot, group), { withFileTypes: true })) {
      if (entry.isDirectory()) out.push(path.join(repoRoot, group, entry.name, 'package.json'));
    }
  }
  return out;
}

describe('Kafka client libraries are used only behind the port', () => {
  it('the pattern recognises every way of importing a client', () => {
    // `#` stands for a quote, so that these samples are not imports of this file.
    const sample = (line: string) => line.replaceAll('#', "'");
    for (const line of [
      'import kafkajs from #kafkajs#;',
      'import type { Admin } from #kafkajs#;',
      'const k = await import(#kafkajs#);',
      'const rd = require(#@confluentinc/kafka-javascript#);',
      'import { KafkaJS } from #@confluentinc/kafka-javascript/lib/kafkajs#;',
    ]) {
      expect(IMPORT.test(sample(line)), line).toBe(true);
    }
    for (const line of [
      'import { SchemaRegistry } from #@kafkajs/confluent-schema-registry#;',
      '// the kafkajs adapter',
    ]) {
      expect(IMPORT.test(sample(line)), line).toBe(false);
    }
  });

  it('no source, test, script or benchmark outside the adapters imports one', () => {
    const offenders: string[] = [];
    for (const top of ['packages', 'apps', 'bench', 'scripts', 'examples', 'infra']) {
      let files: string[];
      try {
        files = [...sourceFiles(path.join(repoRoot, top))];
      } catch {
        continue; // a folder this checkout does not have
      }
      for (const file of files) {
        const rel = relative(file);
        if (ALLOWED.some((a) => a.test(rel))) continue;
        const lines = readFileSync(file, 'utf8').split('\n');
        lines.forEach((line, i) => {
          if (IMPORT.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(offenders, 'go through the Kafka port of @siphon/sink-kafka instead').toEqual([]);
  });

  it('only @siphon/sink-kafka declares a Kafka client as a dependency', () => {
    const declaring: string[] = [];
    for (const manifest of workspaceManifests()) {
      let pkg: Record<string, unknown>;
      try {
        pkg = JSON.parse(readFileSync(manifest, 'utf8'));
      } catch {
        continue;
      }
      const rel = relative(manifest);
      if (rel === 'packages/sink-kafka/package.json') continue;
      for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
        const deps = (pkg[field] ?? {}) as Record<string, string>;
        for (const client of CLIENTS) if (client in deps) declaring.push(`${rel}: ${field}.${client}`);
      }
    }
    expect(declaring).toEqual([]);
  });
});
