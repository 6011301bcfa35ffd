import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { UserWorkspaceConfig } from 'vitest/config';

const repoRoot = import.meta.dirname;

/** Maps every `@siphon/*` workspace package to its TypeScript sources, so tests need no build step. */
function workspaceAliases() {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(path.join(repoRoot, group))) {
      const dir = path.join(repoRoot, group, entry);
      const manifest = path.join(dir, 'package.json');
      if (!existsSync(manifest)) continue;
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string };
      const escaped = name.replace(/[/@-]/g, (c) => `\\${c}`);
      aliases.push({ find: new RegExp(`^${escaped}$`), replacement: path.join(dir, 'src/index.ts') });
      aliases.push({ find: new RegExp(`^${escaped}/(.+)$`), replacement: path.join(dir, 'src/$1.ts') });
    }
  }
  return aliases;
}

export interface ProjectOptions {
  /** Needs the real Kafka broker and Schema Registry: starts them once per run, or fails saying how. */
  kafka?: boolean;
}

export function siphonProject(dir: string, options: ProjectOptions = {}): UserWorkspaceConfig {
  const { name } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string };
  return {
    resolve: { alias: workspaceAliases() },
    test: {
      name: name.replace('@siphon/', ''),
      root: dir,
      include: ['test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 240_000,
      globalSetup: options.kafka ? [path.join(repoRoot, 'packages/testkit/src/global-setup.ts')] : [],
    },
  };
}
