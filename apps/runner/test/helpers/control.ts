import type { Sandbox } from '@siphon/sandbox';
import { sandboxEnv } from './pipelines.js';
import { type Spawned, spawnCli } from './runner.js';

export const API_TOKEN = 'test-token-0123456789abcdef';

/** The environment of a runner against `sandbox` whose control API takes `API_TOKEN`, plus `more`. */
export function controlEnv(sandbox: Sandbox, more: Record<string, string> = {}): Record<string, string> {
  return { ...sandboxEnv(sandbox), SIPHON_API_TOKEN: API_TOKEN, ...more };
}

/** Polls `read` until `until` holds for its value (or throws after `timeoutMs` with the last value). */
export async function waitFor<T>(
  read: () => Promise<T>,
  until: (value: T) => boolean,
  what: string,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (until(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `timed out waiting for ${what}; last value: ${JSON.stringify(last)?.slice(0, 2000)} ${lastError ? String(lastError) : ''}`,
  );
}

export interface ApiRunner {
  spawned: Spawned;
  base: string;
  /** Parsed JSON body with the status. */
  call(
    method: string,
    path: string,
    options?: { token?: string | null; base?: string },
  ): Promise<{ status: number; body: Record<string, unknown>; text: string; headers: Headers }>;
  /** `GET /pipelines`: every pipeline's view. */
  pipelines(): Promise<PipelineView[]>;
  /** `GET /pipelines/{name}`. */
  pipeline(name: string): Promise<PipelineView>;
  /** `GET /pipelines/{name}/runs`: its runs, latest first. */
  runs(name: string): Promise<RunView[]>;
}

/** `siphon run` on a pipelines file with its HTTP server (and so the control plane) on `port`. */
export async function startApiRunner(
  file: string,
  port: number,
  env: Record<string, string | undefined>,
  extraArgs: string[] = [],
): Promise<ApiRunner> {
  const spawned = spawnCli(
    ['run', '-c', file, '--http-port', String(port), '--no-progress', ...extraArgs],
    env,
  );
  const base = `http://127.0.0.1:${port}`;
  await spawned.waitForLog((l) => String(l.msg).includes('control API and status page'), 120_000);
  const runner: ApiRunner = {
    spawned,
    base,
    pipelines: async () => (await runner.call('GET', '/pipelines')).body.pipelines as PipelineView[],
    pipeline: async (name) =>
      (await runner.call('GET', `/pipelines/${name}`)).body as unknown as PipelineView,
    runs: async (name) => (await runner.call('GET', `/pipelines/${name}/runs`)).body.runs as RunView[],
    async call(method, path, options = {}) {
      const token = options.token === undefined ? env.SIPHON_API_TOKEN : options.token;
      const response = await fetch(`${options.base ?? base}${path}`, {
        method,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      const text = await response.text();
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // not JSON (the page)
      }
      return { status: response.status, body, text, headers: response.headers };
    },
  };
  return runner;
}

export interface PipelineView {
  name: string;
  paused: boolean;
  running: boolean;
  next_run_at: string | null;
  schedule: { description: string } | null;
  current_run: RunView | null;
  last_run: RunView | null;
  recent_runs: Array<{ run_id: string; status: string; records: number }>;
  resources: Array<{
    name: string;
    topic: string;
    status: string;
    progress: { records: number; pages: number | null; status: string } | null;
    last_run: { records: number; status: string } | null;
    owner?: { local: boolean; api: string | null; member_id: string } | null;
    state: {
      last_run: { run_id: string; records: number } | null;
      checkpoint: { run_id: string; pages: number } | null;
    };
  }>;
}

export interface RunView {
  run_id: string;
  status: string;
  trigger: string;
  records: number;
  resources: Array<{ resource: string; records: number; status: string }>;
}
