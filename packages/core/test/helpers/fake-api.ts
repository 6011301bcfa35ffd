import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http-server.js';

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** Dispatches by path; unknown paths get 404. */
export function router(routes: Record<string, Route>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    if (route) route(req, res, url);
    else sendJson(res, 404, { error: 'Not Found', path: url.pathname });
  };
}

export const makeRecords = <T extends Record<string, unknown>>(
  n: number,
  extra: (i: number) => T = () => ({}) as T,
) => Array.from({ length: n }, (_, i) => ({ id: String(i + 1), ...extra(i) }));

/** A Zoho-style page-number list: `?page=1&per_page=n`, envelope `{ <key>: [...], page_context }`. */
export function pageNumberList(key: string, records: Array<Record<string, unknown>>): Route {
  return (_req, res, url) => {
    const page = Number(url.searchParams.get('page') ?? '1');
    const perPage = Number(url.searchParams.get('per_page') ?? '200');
    const slice = records.slice((page - 1) * perPage, page * perPage);
    sendJson(res, 200, {
      code: 0,
      [key]: slice,
      page_context: { page, per_page: perPage, has_more_page: page * perPage < records.length },
    });
  };
}
