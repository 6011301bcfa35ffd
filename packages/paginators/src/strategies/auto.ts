import { type Detection, detectPaginator } from '../detect.js';
import { CheckpointError } from '../errors/checkpoint-error.js';
import type { PageResponse, Paginator, RequestSpec } from '../types.js';
import { buildStrategy, type StaticPaginatorConfig } from './build.js';

export interface AutoOptions {
  /** Told which strategy was chosen and why. */
  log?: (message: string) => void;
  /** Replaces the built-in detection (see `detectPaginator`). */
  detect?: (response: PageResponse) => Detection;
}

/**
 * Sends the first request as is, picks a strategy from its response (see `detectPaginator`), logs
 * the choice, and lets that strategy handle this response and every later one.
 */
export class AutoPaginator implements Paginator {
  readonly type = 'auto';
  readonly #log: ((message: string) => void) | undefined;
  readonly #detect: (response: PageResponse) => Detection;
  #chosen: { config: StaticPaginatorConfig; paginator: Paginator } | undefined;

  constructor(options: AutoOptions = {}) {
    this.#log = options.log;
    this.#detect = options.detect ?? detectPaginator;
  }

  /** The detected strategy's config, once the first response is in. */
  get detected(): StaticPaginatorConfig | undefined {
    return this.#chosen?.config;
  }

  initRequest(request: RequestSpec): RequestSpec {
    return this.#chosen === undefined ? request : this.#chosen.paginator.initRequest(request);
  }

  nextRequest(request: RequestSpec, response: PageResponse): RequestSpec | undefined {
    if (this.#chosen === undefined) {
      const detection = this.#detect(response);
      this.#chosen = { config: detection.config, paginator: buildStrategy(detection.config) };
      this.#log?.(`paginator "auto" chose ${JSON.stringify(detection.config)}: ${detection.reason}`);
    }
    return this.#chosen.paginator.nextRequest(request, response);
  }

  /** What the detected strategy predicts (page number and offset do; links and cursors do not). */
  requestsAfter(next: RequestSpec, response: PageResponse, count: number): RequestSpec[] {
    return this.#chosen?.paginator.requestsAfter?.(next, response, count) ?? [];
  }

  checkpoint(): { detected: StaticPaginatorConfig | null; state: unknown } {
    return this.#chosen === undefined
      ? { detected: null, state: null }
      : { detected: this.#chosen.config, state: this.#chosen.paginator.checkpoint() };
  }

  restore(checkpoint: unknown): void {
    const saved = checkpoint as { detected?: unknown; state?: unknown } | null;
    if (saved === null || typeof saved !== 'object' || !('detected' in saved)) {
      throw new CheckpointError(
        this.type,
        checkpoint,
        '{ "detected": <paginator config or null>, "state": ... }',
      );
    }
    if (saved.detected === null) {
      this.#chosen = undefined;
      return;
    }
    const config = saved.detected as StaticPaginatorConfig;
    const paginator = buildStrategy(config);
    paginator.restore(saved.state);
    this.#chosen = { config, paginator };
  }
}
