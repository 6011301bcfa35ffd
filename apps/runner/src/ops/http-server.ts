import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redaction } from '@siphon/core';
import type { Logger } from 'pino';
import type { RunnerMetrics } from './metrics.js';
import type { Readiness, ReadinessReport } from './readiness.js';

export interface OpsServerOptions {
  port: number;
  host?: string;
  metrics: RunnerMetrics;
  readiness: Readiness;
  logger?: Logger;
  /**
   * Include each check's detail (error texts) in /readyz for every caller. Off by default: the
   * server listens on all interfaces without authentication, so only loopback callers get details.
   */
  readyzDetails?: boolean;
  /** Masks secrets in the details (the process's redaction, which knows the configured secrets). */
  redaction?: Redaction;
  /** More routes tried first (the control plane's); resolves false for a path it does not serve. */
  routes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export interface OpsServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * `/healthz` (the process is alive), `/readyz` (dependencies reachable and the last runs did not
 * fail) and `/metrics` (Prometheus text). node:http is enough for three read-only routes.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      options.logger?.error({ err: error, path: req.url }, 'ops endpoint failed');
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ error: 'internal error' }));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  options.logger?.info(
    { port },
    `health and metrics${options.routes ? ', control API and status page' : ''} on http://${options.host ?? '0.0.0.0'}:${port}`,
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: OpsServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (options.routes && (await options.routes(req, res))) return;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    send(res, 405, 'text/plain', 'method not allowed\n');
    return;
  }
  switch (path) {
    case '/healthz':
      send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
      return;
    case '/readyz': {
      const report = await options.readiness.report();
      const shown =
        options.readyzDetails || isLoopback(req.socket.remoteAddress) ? report : statusOnly(report);
      const body = (options.redaction ?? new Redaction()).object(shown);
      send(res, report.ready ? 200 : 503, 'application/json', JSON.stringify(body));
      return;
    }
    case '/metrics':
      send(res, 200, options.metrics.contentType, await options.metrics.text());
      return;
    default:
      send(res, 404, 'text/plain', 'not found: try /healthz, /readyz or /metrics\n');
  }
}

/** Whether each check passed, without the texts (an error may quote a URL, a host or an API's answer). */
function statusOnly(report: ReadinessReport) {
  const checks = Object.fromEntries(
    Object.entries(report.checks).map(([name, check]) => [name, { ok: check.ok }]),
  );
  return { ready: report.ready, checks };
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && /^(?:127\.|::1$|::ffff:127\.)/.test(address);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
