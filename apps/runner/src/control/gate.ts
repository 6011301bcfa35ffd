/** What woke a waiting loop: its schedule, or an operator's "run now" (possibly for some resources). */
export interface Turn {
  manual: boolean;
  resources?: string[];
}

interface Waiter {
  pipeline: string;
  /** Set for a scale-out unit's loop; unset for a whole pipeline's loop. */
  resource: string | undefined;
  at: number;
  request: Turn | undefined;
  poke: () => void;
}

/**
 * Where the scheduling loops wait between runs, so the control plane can pause and resume a
 * pipeline's schedule and start a run now. Pausing never stops a run that is going; an explicit
 * "run now" still runs while paused.
 */
export class SchedulingGate {
  readonly #paused = new Set<string>();
  readonly #waiters = new Set<Waiter>();

  isPaused(pipeline: string): boolean {
    return this.#paused.has(pipeline);
  }

  pause(pipeline: string): void {
    this.#paused.add(pipeline);
    this.#pokeAll(pipeline);
  }

  resume(pipeline: string): void {
    this.#paused.delete(pipeline);
    this.#pokeAll(pipeline);
  }

  /** When the pipeline's (or unit's) loop will next run on its own; undefined if not waiting or paused. */
  nextRunAt(pipeline: string, resource?: string): number | undefined {
    if (this.isPaused(pipeline)) return undefined;
    const ats = [...this.#waiters]
      .filter((w) => w.pipeline === pipeline && (resource === undefined || w.resource === resource))
      .map((w) => w.at)
      .filter(Number.isFinite);
    return ats.length > 0 ? Math.min(...ats) : undefined;
  }

  /** Resources (or the pipeline, as `*`) whose loops are waiting here, i.e. not running. */
  waiting(pipeline: string): Array<string | undefined> {
    return [...this.#waiters].filter((w) => w.pipeline === pipeline).map((w) => w.resource);
  }

  /**
   * Wakes the waiting loops of `pipeline` for a run now: a pipeline loop with `resources`, or the
   * unit loops of those resources (all when none given). Returns the resources (or `*`) woken.
   */
  request(pipeline: string, resources: string[] | undefined): string[] {
    const woken: string[] = [];
    for (const w of this.#waiters) {
      if (w.pipeline !== pipeline || w.request) continue;
      if (w.resource === undefined) {
        w.request = { manual: true, ...(resources ? { resources } : {}) };
        woken.push('*');
      } else if (!resources || resources.includes(w.resource)) {
        w.request = { manual: true };
        woken.push(w.resource);
      } else continue;
      w.poke();
    }
    return woken;
  }

  /** Resolves when the loop should run: at `at` unless paused, or at once on a request. */
  async wait(pipeline: string, resource: string | undefined, at: number, signal: AbortSignal): Promise<Turn> {
    const waiter: Waiter = { pipeline, resource, at, request: undefined, poke: () => {} };
    this.#waiters.add(waiter);
    try {
      while (!signal.aborted) {
        if (waiter.request) return waiter.request;
        const paused = this.isPaused(pipeline);
        const wait = paused ? Number.POSITIVE_INFINITY : at - Date.now();
        if (wait <= 0) return { manual: false };
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          };
          // Long waits are cut into slices (setTimeout's limit is ~24.8 days).
          const timer = setTimeout(done, Math.min(wait, 2 ** 31 - 1));
          waiter.poke = done;
          signal.addEventListener('abort', done, { once: true });
        });
      }
      return { manual: false };
    } finally {
      this.#waiters.delete(waiter);
    }
  }

  #pokeAll(pipeline: string): void {
    for (const w of this.#waiters) if (w.pipeline === pipeline) w.poke();
  }
}
