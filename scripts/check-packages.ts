/**
 * `pnpm check:packages`: lints every publishable workspace package as it would be published.
 * Each package is packed once with `pnpm pack` (so `files`, `workspace:` ranges and the LICENSE are
 * as a consumer gets them), then checked by publint (manifest, exports map, files present) and by
 * Are the Types Wrong (types resolve for each entry point). Private packages are skipped.
 *
 * attw runs with the `esm-only` profile: the packages are ESM only (`"type": "module"`, Node >= 22.12,
 * where `require()` of ESM works through the `default` export condition). The profile ignores the
 * legacy `node10` resolution and TypeScript's `node16` CommonJS view, which cannot express
 * `require(esm)`; every other problem, types included, fails the check.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const repoRoot = path.resolve(import.meta.dirname, '..');
const attw = path.join(repoRoot, 'node_modules/.bin/attw');

interface Manifest {
  name: string;
  private?: boolean;
}

function publishablePackages(): { dir: string; name: string }[] {
  const found: { dir: string; name: string }[] = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(path.join(repoRoot, group)).sort()) {
      const dir = path.join(repoRoot, group, entry);
      const manifest = path.join(dir, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Manifest;
      if (!pkg.private) found.push({ dir, name: pkg.name });
    }
  }
  return found;
}

function pack(dir: string, destination: string): string {
  const out = execFileSync('pnpm', ['pack', '--pack-destination', destination, '--json'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return (JSON.parse(out) as { filename: string }).filename;
}

async function checkPublint(name: string, tarball: string): Promise<string[]> {
  const bytes = readFileSync(tarball);
  const { messages, pkg } = await publint({
    pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
    strict: true,
  });
  const text = (m: (typeof messages)[number]) =>
    `${name}: publint ${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`;
  // Suggestions are shown; with `strict`, warnings count as errors and fail the check.
  for (const m of messages.filter((m) => m.type === 'suggestion')) process.stdout.write(`${text(m)}\n`);
  return messages.filter((m) => m.type !== 'suggestion').map(text);
}

function checkTypes(name: string, tarball: string): string[] {
  try {
    execFileSync(attw, ['--profile', 'esm-only', '--no-emoji', '--no-color', tarball], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return [];
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return [`${name}: attw (profile esm-only) found problems:\n${stdout}${stderr}`];
  }
}

const workDir = mkdtempSync(path.join(tmpdir(), 'siphon-packages-'));
const problems: string[] = [];
try {
  for (const { dir, name } of publishablePackages()) {
    const tarball = pack(dir, workDir);
    const found = [...(await checkPublint(name, tarball)), ...checkTypes(name, tarball)];
    process.stdout.write(`${found.length === 0 ? 'ok  ' : 'FAIL'} ${name}\n`);
    problems.push(...found);
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
if (problems.length > 0) {
  process.stderr.write(`\n${problems.join('\n')}\n`);
  process.exitCode = 1;
}
