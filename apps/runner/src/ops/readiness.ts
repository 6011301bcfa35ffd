import { SiphonError } from '@siphon/core';
/** One dependency check: resolves with a short detail, or rejects with the reason it failed. */
export type Probe = (signal: AbortSignal) => Promise<string>;

export interface CheckResult {
  ok: boolean;
  detail: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

/**
 * Answers /readyz: every dependency probe passes (results cached for `ttlMs`, so a scraping
 * kubelet does not hammer Kafka) and no pipeline's last run failed.
 */
export class Readiness {
  readonly #probes = new Map<string, Probe>();
  readonly #failedRuns = new Map<string, string>();
  readonly #ttlMs: number;
  readonly #timeoutMs: number;
  #cached: { at: number; report: Promise<Record<string, CheckResult>> } | undefined;

  constructor(options: { ttlMs?: number; timeoutMs?: number } = {}) {
    this.#ttlMs = options.ttlMs ?? 5000;
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  addProbe(name: string, probe: Probe): void {
    this.#probes.set(name, probe);
    this.#cached = undefined;
  }

  runSucceeded(pipeline: string): void {
    this.#failedRuns.delete(pipeline);
  }

  runFailed(pipeline: string, reason: string): void {
    this.#failedRuns.set(pipeline, reason);
  }

  async report(): Promise<ReadinessReport> {
    const now = Date.now();
    if (!this.#cached || now - this.#cached.at > this.#ttlMs) {
      this.#cached = { at: now, report: this.#runProbes() };
    }
    const checks = { ...(await this.#cached.report) };
    for (const [pipeline, reason] of this.#failedRuns) {
      checks[`pipeline ${pipeline}`] = { ok: false, detail: `last run failed: ${reason}` };
    }
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }

  async #runProbes(): Promise<Record<string, CheckResult>> {
    const entries = await Promise.all(
      [...this.#probes].map(async ([name, probe]): Promise<[string, CheckResult]> => {
        const signal = AbortSignal.timeout(this.#timeoutMs);
        try {
          return [name, { ok: true, detail: await withSignal(probe(signal), signal) }];
        } catch (error) {
          return [name, { ok: false, detail: error instanceof Error ? error.message : String(error) }];
        }
      }),
    );
    return Object.fromEntries(entries);
  }
}

function withSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new SiphonError('timed out', { code: 'PROBE_TIMEOUT', retriable: true }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
