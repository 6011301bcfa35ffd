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
  /** JSON-serialisable position, so an interrupted run can resume after the last committed page. */
  checkpoint(): unknown;
  restore(checkpoint: unknown): void;
}
