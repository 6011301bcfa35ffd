/** The request a paginator shapes: it may change the query, the URL (next links) or the JSON body. */
export interface RequestSpec {
  /** Absolute URL, without the paginator's own query params. */
  url: string;
  /** Query parameters; the paginator adds or replaces its own. */
  params: Record<string, string>;
  /** JSON body, for APIs that take the cursor in the body. */
  json?: Record<string, unknown>;
}

/** What the paginator may look at in a response. Parsed once by the caller. */
export interface PageResponse {
  url: string;
  status: number;
  headers: { get(name: string): string | null };
  /** The parsed JSON body. */
  body: unknown;
  /** The records found by the resource's `data_selector`. */
  records: readonly unknown[];
}

/**
 * A pagination strategy. Stateful for one walk over one resource; create one per run.
 * Implement it to plug in a custom strategy.
 */
export interface Paginator {
  readonly type: string;
  /** Shapes the first request, e.g. adds `page=1&per_page=200`. */
  initRequest(request: RequestSpec): RequestSpec;
  /** Given the request just made and its response: the next request, or `undefined` when done. */
  nextRequest(request: RequestSpec, response: PageResponse): RequestSpec | undefined;
  /**
   * Optional: the requests that will follow `next`, in order, at most `count` of them, so a reader
   * can send them before `next`'s response is in (pages ahead). Called right after `nextRequest`
   * returned `next` for `response`; must not change the paginator's state. Return only requests
   * whose answer is harmless past the end (an empty page, say), fewer near a known last page, and
   * none where the next position comes from the response (cursors, links). A prediction is a hint:
   * the reader still calls `nextRequest` for every page and uses a response sent ahead only when
   * its request is the one `nextRequest` returns.
   */
  requestsAfter?(next: RequestSpec, response: PageResponse, count: number): RequestSpec[];
  /** JSON-serialisable position, so an interrupted run can resume after the last committed page. */
  checkpoint(): unknown;
  restore(checkpoint: unknown): void;
}
