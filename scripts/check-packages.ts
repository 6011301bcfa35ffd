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
 *
 * It also checks that each tarball carries LICENSE and README.md, and runs `changeset status`, which fails on a changeset that names an unknown package or
 * mixes private and public ones, and then fails itself on any changeset that names a private
 * package (one naming only private packages passes `changeset status`, which ignores it silently).
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

/** The workspace's packages (pnpm-workspace.yaml: packages/*, apps/*, bench). */
function workspacePackages(): { dir: string; name: string; private: boolean }[] {
  const dirs = ['packages', 'apps'].flatMap((group) =>
    readdirSync(path.join(repoRoot, group))
      .sort()
      .map((entry) => path.join(repoRoot, group, entry)),
  );
  dirs.push(path.join(repoRoot, 'bench'));
  return dirs
    .filter((dir) => existsSync(path.join(dir, 'package.json')))
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
      return { dir, name: pkg.name, private: pkg.private === true };
    });
}

function publishablePackages(): { dir: string; name: string }[] {
  return workspacePackages().filter((pkg) => !pkg.private);
}

function hasRef(ref: string): boolean {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', ref], { cwd: repoRoot, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `changeset status`, then no private package named by a changeset in the plan it wrote. */
function checkChangesets(destination: string): string[] {
  const planFile = path.join(destination, 'release-plan.json');
  // `changeset status` compares with the base branch (`main`), which a clone of another branch
  // lacks: there the changesets themselves are still checked, against HEAD.
  const since = hasRef('main') ? [] : ['--since', 'HEAD'];
  try {
    execFileSync('pnpm', ['exec', 'changeset', 'status', ...since, '--output', planFile], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return [`changesets: \`changeset status\` failed:\n${stdout}${stderr}`];
  }
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as {
    changesets: { id: string; releases: { name: string }[] }[];
  };
  const privateNames = new Set(
    workspacePackages()
      .filter((pkg) => pkg.private)
      .map((pkg) => pkg.name),
  );
  return plan.changesets.flatMap(({ id, releases }) =>
    releases
      .filter((release) => privateNames.has(release.name))
      .map(
        (release) =>
          `changesets: .changeset/${id}.md names ${release.name}, which is private (never released)`,
      ),
  );
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

/** What every published package carries besides its code: the license and a README. */
const REQUIRED_FILES = ['package/LICENSE', 'package/README.md'];

function checkContents(name: string, tarball: string): string[] {
  const listed = new Set(execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n'));
  return REQUIRED_FILES.filter((file) => !listed.has(file)).map(
    (file) => `${name}: the packed tarball has no ${file.slice('package/'.length)}`,
  );
}

const workDir = mkdtempSync(path.join(tmpdir(), 'siphon-packages-'));
const problems: string[] = [];
try {
  const changesetProblems = checkChangesets(workDir);
  process.stdout.write(`${changesetProblems.length === 0 ? 'ok  ' : 'FAIL'} changesets\n`);
  problems.push(...changesetProblems);
  for (const { dir, name } of publishablePackages()) {
    const tarball = pack(dir, workDir);
    const found = [
      ...checkContents(name, tarball),
      ...(await checkPublint(name, tarball)),
      ...checkTypes(name, tarball),
    ];
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
