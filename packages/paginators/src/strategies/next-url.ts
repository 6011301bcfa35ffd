import { CheckpointError } from '../errors/checkpoint-error.js';
import type { RequestSpec } from '../types.js';

/**
 * Shared by the strategies that follow a next-page URL. The URL carries its own query, so the
 * next request drops the previous params (they would be appended twice); the JSON body is kept.
 */
export class NextUrlState {
  readonly #type: string;
  #url: string | undefined;

  constructor(type: string) {
    this.#type = type;
  }

  /** The request for `url`, which becomes the position. */
  follow(request: RequestSpec, url: string): RequestSpec {
    this.#url = url;
    return this.#requestFor(request, url);
  }

  /** After `restore`, the first request goes to the saved URL. */
  initRequest(request: RequestSpec): RequestSpec {
    return this.#url === undefined ? request : this.#requestFor(request, this.#url);
  }

  checkpoint(): { next_url: string | null } {
    return { next_url: this.#url ?? null };
  }

  restore(checkpoint: unknown): void {
    const url = (checkpoint as { next_url?: unknown } | null)?.next_url;
    if (url !== null && (typeof url !== 'string' || !URL.canParse(url))) {
      throw new CheckpointError(this.#type, checkpoint, '{ "next_url": <absolute URL or null> }');
    }
    this.#url = url ?? undefined;
  }

  #requestFor(request: RequestSpec, url: string): RequestSpec {
    const next: RequestSpec = { url, params: {} };
    if (request.json !== undefined) next.json = request.json;
    return next;
  }
}
