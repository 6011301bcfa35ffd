import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redaction } from '@siphon/core';
import type { Logger } from '../logging/logger.js';
import { type AccessConfig, mayRead, mayWrite } from './access.js';
import { type Answer, type ControlPlane, notFound } from './control-plane.js';
import type { GroupDirectory, Owner } from './group-directory.js';
import { redactedJson } from './redact.js';

/** Where the page and the OpenAPI document live (shipped in the package, next to dist/). */
const STATIC_DIR = new URL('../../static/', import.meta.url);
const FORWARDED = 'x-siphon-forwarded';

export interface ControlApiOptions {
  control: ControlPlane;
  access: AccessConfig;
  secrets: Redaction;
  logger: Logger;
  /** With --group: who owns which unit, and the other replicas' addresses. */
  group?: GroupDirectory;
}

/** The control plane's routes; resolves false for paths it does not serve (the ops server's). */
export type ControlHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function controlApi(options: ControlApiOptions): ControlHandler {
  const { control, access, secrets, group } = options;
  const json = (res: ServerResponse, answer: Answer, headers: Record<string, string> = {}) => {
    res.writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
    });
    res.end(res.req.method === 'HEAD' ? undefined : redactedJson(answer.body, secrets));
  };
  const asset = async (res: ServerResponse, file: string, type: string) => {
    const body = await readFile(new URL(file, STATIC_DIR));
    res.writeHead(200, {
      'content-type': type,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      // The page is one self-contained file: nothing may load from anywhere else.
      'content-security-policy':
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const isPage = url.pathname === '/' || url.pathname === '/index.html';
    if (!isPage && url.pathname !== '/openapi.json' && parts[0] !== 'pipelines') return false;

    const reading = method === 'GET' || method === 'HEAD';
    const verdict = reading ? mayRead(req, access) : mayWrite(req, access);
    if (!verdict.ok) {
      json(
        res,
        { status: verdict.status, body: { error: verdict.message } },
        verdict.status === 401 ? { 'www-authenticate': 'Bearer realm="siphon"' } : {},
      );
      return true;
    }
    const route = routeOf(method, parts);
    if (isPage || url.pathname === '/openapi.json') {
      if (!reading) return methodNotAllowed(res, 'GET, HEAD', json);
      if (isPage) await asset(res, 'index.html', 'text/html; charset=utf-8');
      else await asset(res, 'openapi.json', 'application/json; charset=utf-8');
      return true;
    }
    if (!route) {
      json(res, { status: 404, body: { error: `no route ${method} ${url.pathname}; see /openapi.json` } });
      return true;
    }
    if (route.allow) return methodNotAllowed(res, route.allow, json);
    const name = parts[1] ?? '';
    if (route.kind !== 'list' && !control.runner(name)) {
      json(res, notFound(`pipeline named ${name} (this runner has ${control.names.join(', ')})`));
      return true;
    }
    const forwarded = req.headers[FORWARDED] === '1';
    switch (route.kind) {
      case 'list': {
        const owners = group ? await ownersJson(group) : undefined;
        const pipelines = await Promise.all(control.names.map((n) => control.view(n, owners)));
        json(res, { status: 200, body: { pipelines } });
        return true;
      }
      case 'get':
        json(res, {
          status: 200,
          body: await control.view(name, group ? await ownersJson(group) : undefined),
        });
        return true;
      case 'runs': {
        const limit = Math.max(1, Math.min(200, Number(url.searchParams.get('limit') ?? 50) || 50));
        json(res, { status: 200, body: { pipeline: name, runs: control.runs(name).slice(0, limit) } });
        return true;
      }
      case 'run': {
        const param = url.searchParams.get('resources');
        const resources = param
          ? param
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined;
        if (!group || forwarded) json(res, await control.runNow(name, resources));
        else json(res, await runAcrossGroup(control, group, req, name, resources));
        return true;
      }
      case 'pause':
      case 'resume': {
        const answer = route.kind === 'pause' ? control.pause(name) : control.resume(name);
        if (group && !forwarded) {
          // Every replica schedules some of the pipeline's units: all of them pause.
          const peers = await group.peers().catch(() => []);
          const results = await Promise.all(peers.map((api) => forward(api, req, url)));
          (answer.body as Record<string, unknown>).replicas = results.map((r, i) => ({
            api: peers[i],
            status: r.status,
          }));
        }
        json(res, answer);
        return true;
      }
      case 'reset': {
        const resource = parts[3] ?? '';
        if (group && !forwarded) {
          const owner = (await group.owners()).get(`${name}/${resource}`);
          if (owner && !owner.local) {
            json(res, owner.api ? await forward(owner.api, req, url) : elsewhere(name, [resource], owner));
            return true;
          }
        }
        json(res, await control.resetState(name, resource));
        return true;
      }
    }
  };
}

type Route = { kind: 'list' | 'get' | 'runs' | 'run' | 'pause' | 'resume' | 'reset'; allow?: string };

function routeOf(method: string, parts: string[]): Route | undefined {
  const read = method === 'GET' || method === 'HEAD';
  const only = (kind: Route['kind'], allowed: string, ok: boolean): Route =>
    ok ? { kind } : { kind, allow: allowed };
  if (parts.length === 1) return only('list', 'GET, HEAD', read);
  if (parts.length === 2) return only('get', 'GET, HEAD', read);
  if (parts.length === 3) {
    if (parts[2] === 'runs') return only('runs', 'GET, HEAD', read);
    if (parts[2] === 'run' || parts[2] === 'pause' || parts[2] === 'resume')
      return only(parts[2], 'POST', method === 'POST');
  }
  if (parts.length === 5 && parts[2] === 'resources' && parts[4] === 'state')
    return only('reset', 'DELETE', method === 'DELETE');
  return undefined;
}

function methodNotAllowed(
  res: ServerResponse,
  allow: string,
  json: (res: ServerResponse, a: Answer, h?: Record<string, string>) => void,
): true {
  json(res, { status: 405, body: { error: `method not allowed; use ${allow}` } }, { allow });
  return true;
}

async function ownersJson(group: GroupDirectory): Promise<Map<string, unknown>> {
  try {
    return await group.owners();
  } catch {
    return new Map();
  }
}

function elsewhere(pipeline: string, resources: string[], owner: Owner | undefined): Answer {
  return {
    status: owner ? 421 : 503,
    body: owner
      ? {
          error: `${pipeline}/${resources.join(',')} is owned by another replica (${owner.client_host}), which announced no API address (set SIPHON_API_ADVERTISE_URL): send the request there`,
          owner,
        }
      : {
          error: `no replica owns ${pipeline}/${resources.join(',')} right now (the group is rebalancing); retry shortly`,
        },
  };
}

/** Sends the same request to the replica that owns the work, marked so that it is not sent on again. */
async function forward(api: string, req: IncomingMessage, url: URL, query?: string): Promise<Answer> {
  const target = new URL(`${url.pathname}${query ?? url.search}`, api);
  try {
    const response = await fetch(target, {
      method: req.method ?? 'GET',
      headers: {
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        [FORWARDED]: '1',
      },
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: response.status, body: { ...body, replica: api } };
  } catch (error) {
    return {
      status: 502,
      body: {
        error: `forwarding to the owning replica ${api} failed: ${(error as Error).message}`,
        replica: api,
      },
    };
  }
}

/** With --group: the units of the request run where they are owned; this replica's own start here. */
async function runAcrossGroup(
  control: ControlPlane,
  group: GroupDirectory,
  req: IncomingMessage,
  name: string,
  resources: string[] | undefined,
): Promise<Answer> {
  const runner = control.runner(name);
  if (!runner) return notFound(`pipeline named ${name}`);
  const wanted = resources ?? runner.resourceNames;
  const unknown = wanted.filter((r) => !runner.resourceNames.includes(r));
  if (unknown.length > 0) return control.runNow(name, wanted);
  const owners = await group.owners();
  const local: string[] = [];
  const remote = new Map<string, { owner: Owner | undefined; resources: string[] }>();
  for (const resource of wanted) {
    const owner = owners.get(`${name}/${resource}`);
    if (owner?.local) local.push(resource);
    else {
      const id = owner ? (owner.api ?? owner.member_id) : '';
      const entry = remote.get(id) ?? { owner, resources: [] };
      entry.resources.push(resource);
      remote.set(id, entry);
    }
  }
  const answers: Answer[] = [];
  if (local.length > 0) answers.push(await control.runNow(name, local));
  const url = new URL(req.url ?? '/', 'http://localhost');
  for (const { owner, resources: theirs } of remote.values()) {
    answers.push(
      owner?.api
        ? await forward(owner.api, req, url, `?resources=${encodeURIComponent(theirs.join(','))}`)
        : elsewhere(name, theirs, owner),
    );
  }
  if (answers.length === 1 && answers[0]) return answers[0];
  const status = answers.some((a) => a.status === 202) ? 202 : (answers[0]?.status ?? 409);
  return {
    status,
    body: { pipeline: name, replicas: answers.map((a) => ({ status: a.status, ...(a.body as object) })) },
  };
}
