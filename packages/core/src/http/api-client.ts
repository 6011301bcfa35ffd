import type { AuthProvider } from '../contracts.js';
import { HttpError } from '../errors/http-error.js';
import { looksSecret } from '../redaction.js';
import { reveal, Secret } from '../secrets/secret.js';
import { HostAllowList } from './allowed-hosts.js';
import { excerpt } from './redact.js';
import { TransientResponseError } from './transient-response-error.js';
import { type BufferedResponse, decodeBody, type HttpTransport } from './transport.js';

export type HeaderValue = string | Secret;

export interface ApiCall {
  method: string;
  /** Absolute URL; `params` are added to its query. */
  url: string;
  params?: Record<string, string>;
  json?: unknown;
  headers?: Record<string, HeaderValue>;
  resource?: string;
  signal?: AbortSignal;
  /** `response_actions`: true when a response with this status and body text is to be ignored. */
  ignore?(status: number, text: string): boolean;
}

export type ApiResult =
  | { ignored: true; url: string; status: number }
  | { ignored: false; url: string; status: number; headers: Headers; body: unknown; bytes: number };

export interface ApiClientOptions {
  baseUrl: string;
  transport: HttpTransport;
  headers?: Record<string, HeaderValue>;
  auth?: AuthProvider;
  /** Hosts beyond `baseUrl`'s origin that links and redirects may lead to (`client.allowed_hosts`). */
  allowedHosts?: readonly string[];
  /** Further origins the config itself names (absolute endpoint paths). */
  allowedOrigins?: readonly string[];
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

interface Sent {
  /** The URL this response came from (after redirects), credentials in the query included. */
  url: string;
  status: number;
  response: BufferedResponse;
  parsed: Parsed;
}

/**
 * Calls one API: adds headers and credentials (only for `base_url`'s origin), sends through the
 * retrying transport, and parses JSON inside the retry loop so HTML or cut-short bodies are retried.
 */
export class ApiClient {
  readonly baseUrl: URL;
  readonly #transport: HttpTransport;
  readonly #headers: Record<string, HeaderValue>;
  readonly #auth: AuthProvider | undefined;
  readonly #allowed: HostAllowList;

  constructor(options: ApiClientOptions) {
    this.baseUrl = new URL(options.baseUrl);
    this.#allowed = new HostAllowList(this.baseUrl, options.allowedHosts, options.allowedOrigins);
    this.#transport = options.transport;
    this.#headers = options.headers ?? {};
    this.#auth = options.auth;
  }

  /** Resolves a path against `base_url` the way dlt does: relative paths append to the base path. */
  resolveUrl(path: string): string {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path;
    const base = this.baseUrl.href.endsWith('/') ? this.baseUrl.href : `${this.baseUrl.href}/`;
    return new URL(path.replace(/^\/+/, ''), base).href;
  }

  async request(call: ApiCall): Promise<ApiResult> {
    let result = await this.#send(call);
    if (result.status === 401 && this.#auth?.onUnauthorized && this.#sameOrigin(result.url)) {
      if (await this.#auth.onUnauthorized({ status: 401, url: this.#transport.redactor.url(result.url) })) {
        result = await this.#send(call);
      }
    }
    return this.#interpret(call, result);
  }

  #sameOrigin(url: string | URL): boolean {
    return new URL(url).origin === this.baseUrl.origin;
  }

  /**
   * Sends one call, following redirects itself (up to 5) so that credentials are decided per hop:
   * fetch would carry custom credential headers and query keys to whatever host a redirect names.
   */
  async #send(call: ApiCall): Promise<Sent> {
    let url = new URL(call.url);
    for (const [name, value] of Object.entries(call.params ?? {})) url.searchParams.set(name, value);
    let method = call.method;
    let json = call.json;
    let from: string | undefined;
    for (let hop = 0; ; hop++) {
      this.#checkTarget(call, method, url, from);
      const sent = await this.#sendOnce(call, url, method, json);
      const location = REDIRECT_STATUSES.has(sent.status) ? sent.response.headers.get('location') : null;
      if (location === null) return sent;
      if (hop >= MAX_REDIRECTS) {
        throw new HttpError(`more than ${MAX_REDIRECTS} redirects`, {
          code: 'HTTP_STATUS',
          resource: call.resource,
          method,
          url: this.#transport.redactor.url(sent.url),
          status: sent.status,
          attempts: sent.response.attempts,
        });
      }
      from = sent.url;
      url = new URL(location, url);
      if (sent.status === 303 || ((sent.status === 301 || sent.status === 302) && method === 'POST')) {
        method = 'GET';
        json = undefined;
      }
    }
  }

  /** Refuses a URL outside the allowed origins (a next link or redirect an API handed us). */
  #checkTarget(call: ApiCall, method: string, url: URL, redirectedFrom: string | undefined): void {
    const refusal = this.#allowed.refusal(url);
    if (!refusal) return;
    const redactor = this.#transport.redactor;
    const what = redirectedFrom ? `redirect from ${redactor.url(redirectedFrom)} refused` : 'link refused';
    throw new HttpError(`${what}: ${refusal}`, {
      code: 'HOST_NOT_ALLOWED',
      resource: call.resource,
      method,
      url: redactor.url(url.href),
      attempts: 0,
    });
  }

  async #sendOnce(call: ApiCall, url: URL, method: string, json: unknown): Promise<Sent> {
    const target = new URL(url);
    const trusted = this.#sameOrigin(target);
    const headers = new Headers({ accept: 'application/json' });
    for (const [name, value] of Object.entries({ ...this.#headers, ...call.headers })) {
      // Never hand a credential to another origin (a next link pointing at a CDN, say).
      if (!trusted && (value instanceof Secret || looksSecret(name))) continue;
      headers.set(name, reveal(value));
    }
    let body: string | undefined;
    if (json !== undefined) {
      body = JSON.stringify(json);
      headers.set('content-type', 'application/json');
    }
    if (trusted && this.#auth) await this.#auth.apply({ url: target, headers });

    let parsed: Parsed = { kind: 'none' };
    const response = await this.#transport.send({
      method,
      url: target.href,
      headers: [...headers],
      redirect: 'manual',
      ...(body === undefined ? {} : { body }),
      ...(call.signal ? { signal: call.signal } : {}),
      ...(call.resource ? { resource: call.resource } : {}),
      check: (res) => {
        parsed = REDIRECT_STATUSES.has(res.status) ? { kind: 'none' } : parseResponse(res, call.ignore);
      },
    });
    return { url: target.href, status: response.status, response, parsed };
  }

  #interpret(call: ApiCall, sent: Sent): ApiResult {
    const { response, parsed } = sent;
    if (parsed.kind === 'ignored') return { ignored: true, url: sent.url, status: response.status };
    if (parsed.kind === 'json') {
      return {
        ignored: false,
        url: sent.url,
        status: response.status,
        headers: response.headers,
        body: parsed.body,
        bytes: response.body.byteLength,
      };
    }
    const redactor = this.#transport.redactor;
    const status = response.status;
    const text = decodeBody(response);
    throw new HttpError(`HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`, {
      code: status === 401 ? 'UNAUTHORIZED' : 'HTTP_STATUS',
      resource: call.resource,
      method: call.method,
      url: redactor.url(sent.url),
      status,
      attempts: response.attempts,
      excerpt: excerpt(redactor.text(text)),
    });
  }
}

type Parsed = { kind: 'none' } | { kind: 'ignored' } | { kind: 'json'; body: unknown };

function parseResponse(response: BufferedResponse, ignore: ApiCall['ignore']): Parsed {
  const ok = response.status >= 200 && response.status < 300;
  if (!ok && !ignore) return { kind: 'none' };
  const text = decodeBody(response);
  if (ignore?.(response.status, text)) return { kind: 'ignored' };
  if (!ok) return { kind: 'none' };
  if (text.trim() === '') return { kind: 'json', body: null };
  const contentType = response.headers.get('content-type') ?? '';
  if (/html/i.test(contentType) || /^\s*</.test(text)) {
    throw new TransientResponseError(
      `expected a JSON body but got ${contentType || 'markup'} (HTTP ${response.status})`,
    );
  }
  try {
    return { kind: 'json', body: JSON.parse(text) };
  } catch (error) {
    throw new TransientResponseError(
      `response body is not valid JSON (${jsonErrorSummary(error as Error)}, HTTP ${response.status})`,
    );
  }
}

/** JSON.parse messages quote the body; keep only the position so no body content leaks into messages. */
function jsonErrorSummary(error: Error): string {
  if (/end of (JSON )?input|unterminated/i.test(error.message)) return 'body ends early';
  const position = /position (\d+)/.exec(error.message);
  return position ? `syntax error at position ${position[1]}` : 'syntax error';
}
