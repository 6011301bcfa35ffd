/**
 * One origin of the sandbox. Built on `node:http` directly rather than a framework because
 * the faults need the raw socket: headers plus half a body then a cut connection, a body
 * cut short, an answer held back past a client's timeout.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  DELIVERY_KINDS,
  type Fault,
  type FaultApi,
  type FaultEngine,
  type FaultKind,
  REPLACING_KINDS,
} from '../faults.js';
import type { FixedWindowLimiter, RateDecision } from '../rate-limit.js';
import type { StatsRecorder } from '../stats.js';
import { htmlErrorPage, jsonReply, type Reply } from './reply.js';
import type { Waiter } from './waiter.js';

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_SLOW_MS = 30_000;

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly url: URL;
  readonly method: string;
  readonly path: string;
  readBody(): Promise<string>;
  /** Rolls list faults (empty_page, repeat_cursor, shift_records) for this request. */
  fire(kinds: ReadonlySet<FaultKind>, eligible?: boolean): Fault[];
}

export interface ApiDefinition {
  readonly api: FaultApi;
  handle(context: RequestContext): Reply | Promise<Reply>;
  /** The API's error body for a status injected by a fault or the rate limit. */
  errorReply(status: number): Reply;
  readonly limiter?: FixedWindowLimiter | undefined;
  /** Headers added to a 429 from the real rate limit. */
  rateLimitHeaders?(decision: RateDecision): Record<string, string>;
  readonly latencyMs: number;
}

export type ControlHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export interface ServerDeps {
  faults: FaultEngine;
  stats: StatsRecorder;
  logger: Logger;
  waiter: Waiter;
  control: ControlHandler;
  /** The sandbox's clock (its `now` option): the moment a `Retry-After` date counts from. */
  now: () => number;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function faultReply(definition: ApiDefinition, fault: Fault, req: IncomingMessage, now: () => number): Reply {
  if (fault.kind === 'html_200') return htmlErrorPage();
  if (fault.kind === 'echo_request') {
    // The credential headers first, as in an error that quotes the header it rejected.
    const { authorization, 'x-api-key': apiKey, ...rest } = req.headers;
    return jsonReply(fault.status ?? 400, {
      message: 'invalid credentials',
      headers: { authorization, 'x-api-key': apiKey, ...rest },
    });
  }
  if (fault.kind === 'status') return definition.errorReply(fault.status ?? 500);
  const seconds = fault.retryAfterSeconds ?? 1;
  const reply = definition.errorReply(429);
  const retryAfter =
    fault.kind === 'retry_after_date' ? new Date(now() + seconds * 1000).toUTCString() : String(seconds);
  reply.headers = {
    ...reply.headers,
    'retry-after': retryAfter,
    'x-ratelimit-limit': '600',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': String(seconds),
  };
  return reply;
}

type Outcome = number | 'reset' | 'aborted';

async function deliver(
  res: ServerResponse,
  reply: Reply,
  delivery: Fault[],
  latencyMs: number,
  waiter: Waiter,
): Promise<Outcome> {
  await waiter.wait(latencyMs);
  const slow = delivery.find((fault) => fault.kind === 'slow');
  if (slow) await waiter.wait(slow.delayMs ?? DEFAULT_SLOW_MS);
  if (waiter.closed || res.destroyed) {
    res.destroy();
    return 'aborted';
  }
  let body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  if (delivery.some((fault) => fault.kind === 'malformed_json')) {
    // A body cut short but with a matching Content-Length: the transfer succeeds, the JSON does not parse.
    body = body.subarray(0, Math.max(1, Math.floor(body.length * 0.6)));
  }
  if (delivery.some((fault) => fault.kind === 'reset')) {
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
    return 'reset';
  }
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  res.end(body);
  return reply.status;
}

export function createApiServer(definition: ApiDefinition, deps: ServerDeps): Server {
  const { faults, stats, logger, waiter, control, now } = deps;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (url.pathname === '/_sandbox' || url.pathname.startsWith('/_sandbox/')) {
      await control(req, res, url);
      return;
    }
    const started = performance.now();
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const target = { api: definition.api, path };
    const applied: FaultKind[] = [];
    stats.request(definition.api, method, path);

    let reply: Reply | undefined;
    let rateHeaders: Record<string, string> = {};
    if (definition.limiter) {
      const decision = definition.limiter.take();
      rateHeaders = definition.rateLimitHeaders?.(decision) ?? {};
      if (!decision.allowed) reply = definition.errorReply(429);
    }
    if (!reply) {
      const [replacing] = faults.fire(REPLACING_KINDS, target);
      if (replacing) {
        applied.push(replacing.kind);
        reply = faultReply(definition, replacing, req, now);
      }
    }
    if (!reply) {
      const context: RequestContext = {
        req,
        url,
        method,
        path,
        readBody: () => readBody(req),
        fire: (kinds, eligible) => {
          const fired = faults.fire(kinds, target, eligible);
          for (const fault of fired) applied.push(fault.kind);
          return fired;
        },
      };
      reply = await definition.handle(context);
    }
    if (Object.keys(rateHeaders).length > 0) reply.headers = { ...reply.headers, ...rateHeaders };
    const delivery = faults.fire(DELIVERY_KINDS, target);
    for (const fault of delivery) applied.push(fault.kind);
    const outcome = await deliver(res, reply, delivery, definition.latencyMs, waiter);
    if (outcome !== 'aborted') stats.outcome(outcome);
    logger.debug(
      {
        api: definition.api,
        method,
        path,
        query: url.search,
        status: outcome,
        faults: applied,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ api: definition.api, url: req.url, err: error }, 'sandbox request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`sandbox error: ${(error as Error).message}`);
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  return server;
}
