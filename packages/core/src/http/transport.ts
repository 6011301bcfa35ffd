import { Agent, type Dispatcher, fetch as undiciFetch } from 'undici';
import { HttpError } from '../errors/http-error.js';
import { SiphonError } from '../errors/siphon-error.js';
import type { EventBus } from '../events.js';
import { Redaction } from '../redaction.js';
import { type RetryClock, retry, systemClock } from '../retry/retry.js';
import { setLongTimeout } from '../timers.js';
import { HostLimiter, type HostLimits } from './host-limiter.js';
import { describeNetworkError, transientNetworkReason } from './network-errors.js';
import { excerpt } from './redact.js';
import {
  budgetExhausted,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
  serverRequestedDelay,
} from './retry-policy.js';
import { TransientResponseError } from './transient-response-error.js';

/** The subset of `fetch` the transport uses; undici's by default. */
export type FetchLike = (
  url: string,
  init: {
    method: string;
    headers: [string, string][];
    body?: string | Uint8Array;
    signal: AbortSignal;
    redirect?: 'follow' | 'manual' | 'error';
    dispatcher?: Dispatcher;
  },
) => Promise<{
  status: number;
  statusText: string;
  url: string;
  headers: Headers;
  /** Read chunk by chunk when present, so an oversized body is refused without being held whole. */
  body?: ReadableStream<Uint8Array> | null;
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

/**
 * 16 MiB. The seeds' largest pages are a few hundred KB (200 billing invoices), so this leaves
 * room for APIs with far bigger pages, while bounding what one response can cost: a body is held
 * whole and then parsed, which takes several times its size in heap, for each request in flight.
 * A larger page needs `client.max_response_bytes`.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface TransportOptions {
  /** Per attempt, covering headers and body. Default 60 s (dlt's default). */
  timeoutMs?: number;
  retry?: RetryOptions;
  limits?: HostLimits;
  events?: EventBus;
  /** Connection pool; default a keep-alive undici `Agent` owned (and closed) by the transport. */
  dispatcher?: Dispatcher;
  fetch?: FetchLike;
  redactor?: Redaction;
  /** The largest response body accepted (default {@link DEFAULT_MAX_RESPONSE_BYTES}). */
  maxResponseBytes?: number;
  /** Injected for tests: jitter source in [0, 1). */
  random?: () => number;
  /**
   * The time that the waits between tries, a host's pauses and request budget, and the dates in
   * `Retry-After` and `X-RateLimit-Reset` are measured on. Default the system clock; a test passes
   * a manual one and never waits. (The per-attempt timeout stays on real time: it bounds real I/O.)
   */
  clock?: RetryClock;
}

export interface TransportRequest {
  method: string;
  url: string;
  headers?: [string, string][];
  body?: string | Uint8Array;
  signal?: AbortSignal;
  resource?: string;
  redirect?: 'follow' | 'manual' | 'error';
  /** Inspects a response whose status is not retried; throw `TransientResponseError` to retry it. */
  check?(response: BufferedResponse): void;
  /** When retries on a status run out, return that last response instead of throwing (fetch semantics). */
  returnFinalResponse?: boolean;
}

/** A response whose body has been read completely (so a truncated body is caught and retried). */
export interface BufferedResponse {
  url: string;
  status: number;
  statusText: string;
  headers: Headers;
  body: Uint8Array;
  attempts: number;
}

interface Failure {
  reason: string;
  code?: string;
  status?: number;
  excerpt?: string;
  cause?: unknown;
}

const decoder = new TextDecoder();

/**
 * Sends HTTP requests with keep-alive, a per-attempt timeout, per-host limits and retries
 * (429/5xx, network errors, truncated bodies) with full-jitter backoff or the server's wait.
 */
export class HttpTransport {
  readonly redactor: Redaction;
  readonly #fetch: FetchLike;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #ownsDispatcher: boolean;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #retry: ResolvedRetryOptions;
  readonly #limiter: HostLimiter;
  readonly #events: EventBus | undefined;
  readonly #random: () => number;
  readonly #clock: RetryClock;

  constructor(options: TransportOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#retry = resolveRetryOptions(options.retry);
    this.#events = options.events;
    this.#clock = options.clock ?? systemClock;
    this.#limiter = new HostLimiter(options.limits, options.events, this.#clock);
    this.redactor = options.redactor ?? new Redaction();
    this.#random = options.random ?? Math.random;
    this.#fetch = options.fetch ?? (undiciFetch as unknown as FetchLike);
    this.#ownsDispatcher = !options.dispatcher && !options.fetch;
    this.#dispatcher =
      options.dispatcher ??
      (options.fetch ? undefined : new Agent({ keepAliveTimeout: 30_000, connections: 16 }));
  }

  get retryOptions(): ResolvedRetryOptions {
    return this.#retry;
  }

  async send(request: TransportRequest): Promise<BufferedResponse> {
    const host = new URL(request.url).host;
    const safeUrl = this.redactor.url(request.url);
    try {
      return await retry((attempt) => this.#try(request, host, safeUrl, attempt), {
        ...this.#retry,
        signal: request.signal,
        random: this.#random,
        clock: this.#clock,
        // Only what #try marked as worth another try: an error thrown by `check` is the caller's.
        retriable: (error) => error instanceof AttemptFailed,
        onRetry: ({ error, attempt, delayMs }) =>
          this.#events?.emit({
            type: 'http.retry',
            resource: request.resource,
            url: safeUrl,
            attempt,
            reason: (error as AttemptFailed).failure.reason,
            delayMs,
          }),
      });
    } catch (error) {
      if (!(error instanceof AttemptFailed)) throw error;
      // The tries ran out.
      const { failure, response, attempt } = error;
      if (response && request.returnFinalResponse && this.#retry.statuses.has(response.status)) {
        return response;
      }
      throw new HttpError(`giving up: ${failure.reason}`, {
        code: (failure.code as 'RESPONSE_NOT_JSON' | undefined) ?? 'RETRIES_EXHAUSTED',
        retriable: true,
        resource: request.resource,
        method: request.method,
        url: safeUrl,
        status: failure.status,
        excerpt: failure.excerpt,
        attempts: attempt,
        cause: failure.cause,
      });
    }
  }

  /** One try: the response, or `AttemptFailed` when another try may do better, or the error that ends it. */
  async #try(
    request: TransportRequest,
    host: string,
    safeUrl: string,
    attempt: number,
  ): Promise<BufferedResponse> {
    let response: BufferedResponse;
    try {
      response = await this.#limiter.schedule(
        host,
        () => this.#attempt(request, safeUrl, attempt),
        request.signal,
      );
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      if (error instanceof ResponseTooLarge) {
        throw new HttpError(
          `response body larger than the limit of ${error.limit} bytes (${formatBytes(error.limit)}; client.max_response_bytes)`,
          {
            code: 'RESPONSE_TOO_LARGE',
            resource: request.resource,
            method: request.method,
            url: safeUrl,
            attempts: attempt,
          },
        );
      }
      const reason = transientNetworkReason(error, this.#timeoutMs);
      if (!reason) {
        throw new HttpError(`request failed: ${this.redactor.text(describeNetworkError(error))}`, {
          code: 'NETWORK',
          resource: request.resource,
          method: request.method,
          url: safeUrl,
          attempts: attempt,
          cause: error,
        });
      }
      throw new AttemptFailed({ reason, cause: error }, attempt);
    }

    if (this.#retry.statuses.has(response.status)) {
      const failure = {
        reason: `HTTP ${response.status}`,
        status: response.status,
        excerpt: this.#excerpt(response),
      };
      throw new AttemptFailed(
        failure,
        attempt,
        response,
        this.#serverDelay(response, host, request.resource),
      );
    }
    try {
      request.check?.(response);
    } catch (error) {
      if (!(error instanceof TransientResponseError)) throw error;
      const failure = {
        reason: this.redactor.text(error.message),
        code: error.code,
        status: response.status,
        excerpt: this.#excerpt(response),
      };
      throw new AttemptFailed(failure, attempt, response);
    }
    if (budgetExhausted(response.headers)) this.#serverDelay(response, host, request.resource);
    return response;
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher?.close();
  }

  /** The wait the server asked for; on 429 (or a spent budget) it also pauses the whole host. */
  #serverDelay(response: BufferedResponse, host: string, resource: string | undefined): number | undefined {
    if (!this.#retry.respectRetryAfter) return undefined;
    const asked = serverRequestedDelay(response.headers, this.#clock.now());
    if (!asked) return undefined;
    const waitMs = Math.min(asked.ms, this.#retry.maxDelayMs);
    if (response.status === 429 || response.status < 400) {
      this.#limiter.pause(host, waitMs);
      this.#events?.emit({ type: 'http.rate_limited', resource, host, waitMs, source: 'server' });
    }
    return waitMs;
  }

  async #attempt(request: TransportRequest, safeUrl: string, attempt: number): Promise<BufferedResponse> {
    // A hand-made timer rather than AbortSignal.any, so no listener outlives the attempt.
    const controller = new AbortController();
    const timer = setLongTimeout(
      () => controller.abort(new DOMException('request timed out', 'TimeoutError')),
      this.#timeoutMs,
    );
    const onAbort = () => controller.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    this.#events?.emit({
      type: 'http.request',
      resource: request.resource,
      method: request.method,
      url: safeUrl,
    });
    try {
      const response = await this.#fetch(request.url, {
        method: request.method,
        headers: request.headers ?? [],
        signal: controller.signal,
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.redirect ? { redirect: request.redirect } : {}),
        ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
      });
      const body = await readLimited(response, this.#maxResponseBytes, controller);
      this.#events?.emit({
        type: 'http.response',
        resource: request.resource,
        method: request.method,
        url: safeUrl,
        status: response.status,
        bytes: body.byteLength,
        durationMs: Math.round(performance.now() - started),
      });
      return {
        url: response.url || request.url,
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        body,
        attempts: attempt,
      };
    } finally {
      timer.clear();
      request.signal?.removeEventListener('abort', onAbort);
    }
  }

  #excerpt(response: BufferedResponse): string {
    return excerpt(this.redactor.text(decoder.decode(response.body.subarray(0, 2048))));
  }
}

export function decodeBody(response: BufferedResponse): string {
  return decoder.decode(response.body);
}

/**
 * A try that another may fix (a retried status, a transient network error, a body that is not what
 * `check` wants), with what the final error or response needs once the tries run out.
 */
class AttemptFailed extends SiphonError {
  constructor(
    readonly failure: Failure,
    readonly attempt: number,
    readonly response?: BufferedResponse,
    /** The server's `Retry-After` (or `X-RateLimit-Reset`), already capped; read by `retry`. */
    readonly retryAfterMs?: number,
  ) {
    super(failure.reason, { code: 'HTTP_ATTEMPT_FAILED', retriable: true });
  }
}

class ResponseTooLarge extends SiphonError {
  constructor(readonly limit: number) {
    super(`response body larger than ${limit} bytes`, { code: 'RESPONSE_TOO_LARGE' });
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${+(bytes / 1024 / 1024).toFixed(1)} MiB`
    : `${+(bytes / 1024).toFixed(1)} KiB`;
}

/**
 * Reads a body, giving up (and closing the connection) as soon as it passes `limit` bytes: a
 * declared Content-Length over the limit fails before any byte is read.
 */
async function readLimited(
  response: Awaited<ReturnType<FetchLike>>,
  limit: number,
  controller: AbortController,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    controller.abort();
    throw new ResponseTooLarge(limit);
  }
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      controller.abort();
      await reader.cancel().catch(() => {});
      throw new ResponseTooLarge(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
