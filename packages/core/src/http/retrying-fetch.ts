import { type BufferedResponse, HttpTransport, type TransportOptions } from './transport.js';

export interface RetryingFetchOptions extends TransportOptions {
  /** Share a transport (and so its connection pool, limits and events) with other callers. */
  transport?: HttpTransport;
  /** Resource name to put on retry events, if the calls belong to one. */
  resource?: string;
}

type FetchInput = Parameters<typeof globalThis.fetch>[0];
type FetchBody = NonNullable<RequestInit['body']>;

// Statuses whose Response must not carry a body.
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch`-compatible function with Siphon's retry rules (429/5xx and network errors, with
 * backoff or the server's `Retry-After`), keep-alive and per-host limits. Bodies are read
 * completely before returning, so a connection cut mid-body is retried too. When retries on a
 * status run out, the last response is returned as fetch would; network failures throw.
 * Built for token calls and other small requests (OAuth2 `customFetch`).
 */
export function createRetryingFetch(options: RetryingFetchOptions = {}): typeof globalThis.fetch {
  const transport = options.transport ?? new HttpTransport(options);
  const retryingFetch = async (input: FetchInput, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : undefined;
    const url = request ? request.url : input instanceof URL ? input.href : String(input);
    const headers = new Headers(request?.headers);
    for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
    const body = await bufferBody(
      init?.body ?? (request?.body ? await request.arrayBuffer() : undefined),
      headers,
    );
    const redirect = init?.redirect ?? request?.redirect;
    const signal = init?.signal ?? request?.signal;
    const response = await transport.send({
      method: (init?.method ?? request?.method ?? 'GET').toUpperCase(),
      url,
      headers: [...headers],
      ...(body === undefined ? {} : { body }),
      ...(signal ? { signal } : {}),
      ...(redirect ? { redirect } : {}),
      ...(options.resource ? { resource: options.resource } : {}),
      returnFinalResponse: true,
    });
    return toResponse(response);
  };
  return retryingFetch as typeof globalThis.fetch;
}

/** Turns any fetch body into something that can be sent again on retry. */
async function bufferBody(
  body: FetchBody | ArrayBuffer | null | undefined,
  headers: Headers,
): Promise<string | Uint8Array | undefined> {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') return body;
  // Response serialises every BodyInit kind (form data, URLSearchParams, blobs, streams) for us.
  const serialised = new Response(body as FetchBody);
  const contentType = serialised.headers.get('content-type');
  if (contentType && !headers.has('content-type')) headers.set('content-type', contentType);
  return new Uint8Array(await serialised.arrayBuffer());
}

function toResponse(buffered: BufferedResponse): Response {
  const hasBody = !nullBodyStatuses.has(buffered.status) && buffered.body.byteLength > 0;
  const response = new Response(hasBody ? buffered.body : null, {
    status: buffered.status,
    statusText: buffered.statusText,
    headers: buffered.headers,
  });
  Object.defineProperty(response, 'url', { value: buffered.url });
  return response;
}
