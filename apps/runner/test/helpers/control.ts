import { type Spawned, spawnCli } from './runner.js';

export const API_TOKEN = 'test-token-0123456789abcdef';

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
  return {
    spawned,
    base,
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
