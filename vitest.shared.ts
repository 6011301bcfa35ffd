import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { configDefaults, type UserWorkspaceConfig } from 'vitest/config';

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

/**
 * Which of a package's tests need the real Kafka broker and Schema Registry (or spawn the runner
 * against them). Those form the package's `integration` project, which starts the infra once per
 * run or fails saying how; every other test forms its `unit` project, which needs no broker.
 * Globs and paths are relative to the package. Without either list, all tests are unit tests
 * (the package has no integration project).
 */
export type ProjectOptions = {
  /** Every test file of the package. Default: `test/**\/*.test.ts`. */
  include?: string[];
  /**
   * Runs the integration tests on each of these Kafka clients (`SIPHON_KAFKA_CLIENT`, which the
   * tests' helpers honour): the first as `<package> (integration)`, each other one as
   * `<package> (integration-<client>)` (a `SIPHON_KAFKA_CLIENT` set by the caller wins for the
   * first). `everyClient` lists tests that cover every client themselves, run in the first project
   * only; `others`, when set, limits the other clients' projects to these tests (a named subset,
   * where the whole suite twice would cost too much CI time).
   */
  kafkaClients?: { clients: [string, ...string[]]; everyClient?: string[]; others?: string[] };
} & (
  | {
      /** The integration tests; every other test is a unit test (packages with a few Kafka tests). */
      integration?: string[];
      unit?: never;
    }
  | {
      /** The unit tests; every other test is an integration test, new files included (the runner). */
      unit: string[];
      integration?: never;
    }
);

/** Unit test workers: the CI machine has two cores (integration projects keep vitest's default). */
const UNIT_WORKERS = 2;

const kafkaGlobalSetup = path.join(repoRoot, 'packages/testkit/src/global-setup.ts');

/** A listed path that does not exist would silently move its test to the other project. */
function assertListedFilesExist(dir: string, entries: string[]) {
  for (const entry of entries) {
    if (/[*?{[]/.test(entry)) continue;
    if (!existsSync(path.join(dir, entry)))
      throw new Error(`${path.join(dir, 'vitest.config.ts')}: lists ${entry}, which does not exist`);
  }
}

/**
 * A package's test config: a container of the vitest projects `<package> (unit)` and, when the
 * package has Kafka tests, `<package> (integration)`. `pnpm test:unit` runs the unit projects only.
 */
export function siphonProject(dir: string, options: ProjectOptions = {}): UserWorkspaceConfig {
  const { name } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string };
  const all = options.include ?? ['test/**/*.test.ts'];
  const listed = options.unit ?? options.integration ?? [];
  const { everyClient = [], others: othersOnly } = options.kafkaClients ?? {};
  assertListedFilesExist(dir, [...listed, ...everyClient, ...(othersOnly ?? [])]);
  const exclude = (patterns: string[]) => [...configDefaults.exclude, ...patterns];
  const unit = options.unit
    ? { include: options.unit }
    : { include: all, exclude: exclude(options.integration ?? []) };
  const integration = options.unit
    ? { include: all, exclude: exclude(options.unit) }
    : { include: options.integration ?? [] };
  const projects: NonNullable<UserWorkspaceConfig['test']>['projects'] = [
    // Unit test files share their worker's modules (isolate: false): each worker evaluates core,
    // zod, undici and the rest once instead of once per file, which was over half the unit run's
    // CPU time. A unit test that changes process-wide state must undo it (see source-registry.test.ts).
    // Two of them at once: a project does not inherit the root config's `maxWorkers`, and vitest's
    // own default (cores - 1) is a single worker on two cores, which ran every unit file of every
    // package one after another while most of them wait on sockets and child processes.
    { test: { name: 'unit', ...unit, isolate: false, maxWorkers: UNIT_WORKERS } },
  ];
  if (options.unit || options.integration) {
    const [first, ...others] = options.kafkaClients?.clients ?? [undefined];
    const chosen = process.env.SIPHON_KAFKA_CLIENT ?? first;
    projects.push({
      test: {
        name: 'integration',
        ...integration,
        globalSetup: [kafkaGlobalSetup],
        ...(chosen ? { env: { SIPHON_KAFKA_CLIENT: chosen } } : {}),
      },
    });
    for (const client of others) {
      const tests = othersOnly
        ? { include: othersOnly }
        : { ...integration, exclude: [...(integration.exclude ?? configDefaults.exclude), ...everyClient] };
      projects.push({
        test: {
          name: `integration-${client}`,
          ...tests,
          globalSetup: [kafkaGlobalSetup],
          env: { SIPHON_KAFKA_CLIENT: client },
        },
      });
    }
  }
  return {
    resolve: { alias: workspaceAliases() },
    test: {
      name: name.replace('@siphon/', ''),
      root: dir,
      testTimeout: 60_000,
      hookTimeout: 240_000,
      projects,
    },
  };
}

/** The directories (relative to the repo) whose vitest.config.ts defines a package's projects. */
export function packageDirs(): string[] {
  const dirs = ['bench'];
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(path.join(repoRoot, group))) dirs.push(`${group}/${entry}`);
  }
  return dirs.filter((dir) => existsSync(path.join(repoRoot, dir, 'vitest.config.ts'))).sort();
}

/**
 * Every package's unit tests as one project, `unit` (what `pnpm test:unit` runs): the same files
 * as the `<package> (unit)` projects, chosen by the same options, but one Vite server and one pair
 * of workers for all of them. As twelve projects, each started its own workers and transformed
 * and evaluated core, zod and the rest again: about half of a cold run's time.
 * `packages` maps each directory of {@link packageDirs} to its vitest.config.ts's export.
 */
export function unitTestsOfAll(packages: Record<string, UserWorkspaceConfig>): UserWorkspaceConfig {
  const expected = packageDirs();
  const given = Object.keys(packages).sort();
  if (expected.join() !== given.join())
    throw new Error(
      `vitest.unit.config.ts: lists the packages ${given.join(', ')}, but these have a vitest.config.ts: ${expected.join(', ')}`,
    );
  const include: string[] = [];
  const exclude: string[] = [...configDefaults.exclude];
  for (const [dir, config] of Object.entries(packages)) {
    const unit = config.test?.projects?.find(
      (project): project is UserWorkspaceConfig =>
        typeof project === 'object' && 'test' in project && project.test?.name === 'unit',
    )?.test;
    if (!unit?.include) throw new Error(`${dir}/vitest.config.ts: no unit project`);
    const inPackage = (glob: string) => path.posix.join(dir, glob);
    include.push(...unit.include.map(inPackage));
    exclude.push(
      ...(unit.exclude ?? []).filter((glob) => !configDefaults.exclude.includes(glob)).map(inPackage),
    );
  }
  return {
    resolve: { alias: workspaceAliases() },
    test: {
      name: 'unit',
      root: repoRoot,
      include,
      exclude,
      // As in each package's unit project (see siphonProject), now shared by every package's files.
      isolate: false,
      maxWorkers: UNIT_WORKERS,
      testTimeout: 60_000,
      hookTimeout: 240_000,
    },
  };
}
