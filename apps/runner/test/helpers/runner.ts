import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const runnerDir = path.resolve(import.meta.dirname, '../..');
export const repoRoot = path.resolve(runnerDir, '../..');
export const cliPath = path.join(runnerDir, 'dist/cli.js');
export const demoPath = path.join(runnerDir, 'dist/demo.js');
export const analyticsSeed = path.join(repoRoot, 'examples/seeds/analytics-source.md');

/** The tests spawn the built CLI, as users run it; say how to build when it is missing. */
export function assertBuilt(): void {
  if (!existsSync(cliPath)) {
    throw new Error(
      `${cliPath} is missing: build first with \`pnpm turbo run build --filter @siphon/runner...\``,
    );
  }
}

export interface Spawned {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Parsed JSON log lines from stderr. */
  logs(): Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  /** Resolves once a log line matches (or rejects after `timeoutMs`). */
  waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

export function spawnCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  script = cliPath,
): Spawned {
  assertBuilt();
  const started = Date.now();
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, SIPHON_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set<{
    match: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }>();
  const parse = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    err += text;
    for (const line of parse(text)) {
      for (const waiter of waiters) {
        if (waiter.match(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>(
    (resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - started }));
    },
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs: () => parse(err),
    exited,
    waitForLog(match, timeoutMs = 60_000) {
      const found = parse(err).find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve };
        waiters.add(waiter);
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching log line after ${timeoutMs} ms; stderr:\n${err.slice(-3000)}`));
        }, timeoutMs);
        void exited.then(() => {
          if (!waiters.has(waiter)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          reject(new Error(`the runner exited before a matching log line; stderr:\n${err.slice(-3000)}`));
        });
        waiter.resolve = (line) => {
          clearTimeout(timer);
          resolve(line);
        };
      });
    },
  };
}

/** The arguments of a `run --once` of `file` with the HTTP server on a free port, then `more`. */
export function runOnceArgs(file: string, ...more: string[]): string[] {
  return ['run', '--once', '-c', file, '--http-port', '0', ...more];
}

/** Runs the CLI to completion. */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}) {
  const spawned = spawnCli(args, env);
  const { code, ms } = await spawned.exited;
  return { code, ms, stdout: spawned.stdout(), stderr: spawned.stderr() };
}

export async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'siphon-runner-'));
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}
