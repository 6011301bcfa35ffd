/**
 * `/_sandbox/...` control endpoints, the same on every origin, for CLI users and scripts:
 * faults, mutations, ground truth, digests, stats. Never subject to faults or auth.
 */
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Digest } from '../data/digest.js';
import type { ApiName } from '../data/spec.js';
import type { Mutation, MutationResult } from '../data/store.js';
import { type Fault, type FaultJson, faultFromJson, faultToJson } from '../faults.js';
import type { SandboxStats } from '../stats.js';
import { readBody } from './server.js';

export interface ControlTarget {
  describe(): Record<string, unknown>;
  catalog(): unknown;
  /** Throws a clear error when the API has no such resource. */
  checkResource(api: ApiName, resource: string): void;
  faults(): Fault[];
  setFaults(faults: Fault[]): void;
  mutate(api: ApiName, resource: string, mutation: Mutation): Promise<MutationResult>;
  groundTruth(api: ApiName, resource: string): AsyncIterable<Record<string, unknown>>;
  digest(api: ApiName, resource: string): Promise<Digest>;
  stats(): SandboxStats;
  resetStats(): void;
}

class BadRequest extends Error {}

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function apiParam(value: unknown): ApiName {
  if (value === 'billing' || value === 'analytics') return value;
  throw new BadRequest(`'api' must be 'billing' or 'analytics', got ${JSON.stringify(value)}`);
}

function resourceParam(value: unknown): string {
  if (typeof value === 'string' && value.length > 0) return value;
  throw new BadRequest(`'resource' is required (a resource name such as 'invoices')`);
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest(`the request body is not valid JSON: ${text.slice(0, 80)}`);
  }
}

/** Streams records as NDJSON, waiting for the socket to drain so memory stays flat. */
async function streamNdjson(
  res: ServerResponse,
  records: AsyncIterable<Record<string, unknown>>,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for await (const record of records) {
    if (res.destroyed) return;
    if (!res.write(`${JSON.stringify(record)}\n`)) await once(res, 'drain');
  }
  res.end();
}

export function controlHandler(target: ControlTarget) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
    const query = url.searchParams;
    try {
      switch (route) {
        case 'GET /_sandbox':
        case 'GET /_sandbox/health':
          return send(res, 200, target.describe());
        case 'GET /_sandbox/catalog':
          return send(res, 200, target.catalog());
        case 'GET /_sandbox/stats':
          return send(res, 200, target.stats());
        case 'POST /_sandbox/stats/reset':
          target.resetStats();
          return send(res, 200, target.stats());
        case 'GET /_sandbox/faults':
          return send(res, 200, target.faults().map(faultToJson));
        case 'PUT /_sandbox/faults': {
          const body = await jsonBody(req);
          if (!Array.isArray(body))
            throw new BadRequest('PUT /_sandbox/faults expects a JSON array of fault rules');
          let faults: Fault[];
          try {
            faults = body.map((json: FaultJson, position) => faultFromJson(json, position));
          } catch (error) {
            throw new BadRequest((error as Error).message);
          }
          target.setFaults(faults);
          return send(res, 200, target.faults().map(faultToJson));
        }
        case 'DELETE /_sandbox/faults':
          target.setFaults([]);
          return send(res, 200, []);
        case 'POST /_sandbox/mutate': {
          const body = (await jsonBody(req)) as Record<string, unknown> | null;
          if (!body || typeof body !== 'object')
            throw new BadRequest('POST /_sandbox/mutate expects a JSON object');
          const mutation = { update: body.update, delete: body.delete, insert: body.insert } as Mutation;
          const result = await target
            .mutate(apiParam(body.api), resourceParam(body.resource), mutation)
            .catch((error: Error) => {
              throw new BadRequest(error.message);
            });
          return send(res, 200, result);
        }
        case 'GET /_sandbox/ground-truth': {
          const api = apiParam(query.get('api'));
          const resource = resourceParam(query.get('resource'));
          try {
            target.checkResource(api, resource);
          } catch (error) {
            throw new BadRequest((error as Error).message);
          }
          return await streamNdjson(res, target.groundTruth(api, resource));
        }
        case 'GET /_sandbox/digest': {
          const digest = await target
            .digest(apiParam(query.get('api')), resourceParam(query.get('resource')))
            .catch((error: Error) => {
              throw new BadRequest(error.message);
            });
          return send(res, 200, digest);
        }
        default:
          return send(res, 404, {
            error: `no control endpoint ${route}`,
            endpoints: [
              'GET /_sandbox/health',
              'GET /_sandbox/catalog',
              'GET /_sandbox/stats',
              'POST /_sandbox/stats/reset',
              'GET|PUT|DELETE /_sandbox/faults',
              'POST /_sandbox/mutate',
              'GET /_sandbox/ground-truth?api=&resource=',
              'GET /_sandbox/digest?api=&resource=',
            ],
          });
      }
    } catch (error) {
      if (error instanceof BadRequest) return send(res, 400, { error: error.message });
      throw error;
    }
  };
}
